//! Terraform's number: a binary floating-point value with a precision of its own, as Go's
//! `big.Float` carries it (512 bits when parsed from text, 53 bits when made from an f64,
//! 64 bits when made from a machine integer).
//! Arithmetic rounds to the larger precision of its operands (nearest, ties to even) and
//! text is the shortest decimal that identifies the value at its precision, so results and
//! their printed form agree with Terraform's digit for digit.
//!
//! The operations follow what cty 1.9 (Terraform 1.0) does with `big.Float`, including its
//! quirks: products keep every bit they need up to 512, `%` works at the dividend's
//! precision, and zeros carry a sign (`-0` prints as `-0`).

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Precision, in bits, of numbers parsed from text (HCL literals, `tonumber`, JSON).
pub const PARSE_PRECISION: u32 = 512;
/// Precision, in bits, of numbers made from a machine float (`pow`, `log`, ...).
pub const FLOAT64_PRECISION: u32 = 53;
/// Precision, in bits, of numbers made from a machine integer (Go's `SetInt64`).
pub const INT64_PRECISION: u32 = 64;

/// Precision cty computes a product at before trimming it to what it needs.
const PRODUCT_PRECISION: u32 = 512;
/// Go's exponent range: a finite value is `0.mantissa × 2^e` with `e` in this range.
const MIN_EXP: i64 = i32::MIN as i64;
const MAX_EXP: i64 = i32::MAX as i64;

/// Why an operation has no numeric result (Go's `big.ErrNaN`); the text is cty's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// `+Inf + -Inf`.
    OpposingInfinitiesSum,
    /// `Inf - Inf`.
    InfinityMinusInfinity,
    /// `0 * Inf`.
    ZeroTimesInfinity,
    /// `0 / 0` or `Inf / Inf`.
    ZeroOrInfinityQuotient,
    /// `%` with an infinite operand.
    ModuloZeroAndInfinity,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NumberError::OpposingInfinitiesSum => "can't compute sum of opposing infinities",
            NumberError::InfinityMinusInfinity => "can't subtract infinity from itself",
            NumberError::ZeroTimesInfinity => "can't multiply zero by infinity",
            NumberError::ZeroOrInfinityQuotient => {
                "can't divide zero by zero or infinity by infinity"
            }
            NumberError::ModuloZeroAndInfinity => "can't use modulo with zero and infinity",
        })
    }
}

impl std::error::Error for NumberError {}

/// Go's NaN panic inside an operation; the public methods turn it into a [`NumberError`].
#[derive(Debug)]
struct NotANumber;

/// An odd mantissa, kept inline while it fits a machine word.
#[derive(Clone, Debug)]
enum Mantissa {
    Small(u64),
    Big(BigUint),
}

impl Mantissa {
    fn from_big(value: BigUint) -> Mantissa {
        match value.to_u64() {
            Some(small) => Mantissa::Small(small),
            None => Mantissa::Big(value),
        }
    }

    fn from_u128(value: u128) -> Mantissa {
        match u64::try_from(value) {
            Ok(small) => Mantissa::Small(small),
            Err(_) => Mantissa::Big(BigUint::from(value)),
        }
    }

    fn bits(&self) -> u64 {
        match self {
            Mantissa::Small(v) => u64::from(64 - v.leading_zeros()),
            Mantissa::Big(v) => v.bits(),
        }
    }

    fn to_big(&self) -> BigUint {
        match self {
            Mantissa::Small(v) => BigUint::from(*v),
            Mantissa::Big(v) => v.clone(),
        }
    }

    fn small(&self) -> Option<u64> {
        match self {
            Mantissa::Small(v) => Some(*v),
            Mantissa::Big(_) => None,
        }
    }
}

#[derive(Clone, Debug)]
enum Magnitude {
    Zero,
    Infinite,
    /// `mantissa × 2^exponent`, the mantissa odd and no longer than the precision.
    Finite {
        mantissa: Mantissa,
        exponent: i64,
    },
}

/// An arbitrary-precision binary float with Go `big.Float` semantics (see the module docs).
#[derive(Clone, Debug)]
pub struct Number {
    negative: bool,
    magnitude: Magnitude,
    precision: u32,
}

/// Bits of a finite value's magnitude as `(mantissa, exponent, bit length)`.
type Parts<'a> = (&'a Mantissa, i64, i64);

fn bit_length_u128(value: u128) -> i64 {
    i64::from(128 - value.leading_zeros())
}

fn bits_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn shift_amount(value: i64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// `5^n`, exactly.
fn power_of_five(n: u64) -> BigUint {
    let mut result = BigUint::from(1u32);
    let mut remaining = n;
    while remaining > 0 {
        let step = u32::try_from(remaining).unwrap_or(u32::MAX);
        result *= BigUint::from(5u32).pow(step);
        remaining -= u64::from(step);
    }
    result
}

impl Number {
    fn zero_with(negative: bool, precision: u32) -> Number {
        Number {
            negative,
            magnitude: Magnitude::Zero,
            precision,
        }
    }

    fn infinity_with(negative: bool, precision: u32) -> Number {
        Number {
            negative,
            magnitude: Magnitude::Infinite,
            precision,
        }
    }

    /// Rounds `mantissa × 2^exponent` to `precision` bits (nearest, ties to even). `sticky`
    /// says the exact value has more nonzero bits below the mantissa's last one; callers
    /// that set it supply at least `precision + 2` bits so the rounding sees it.
    fn rounded(
        negative: bool,
        mantissa: BigUint,
        exponent: i64,
        sticky: bool,
        precision: u32,
    ) -> Number {
        if let Some(small) = mantissa.to_u128() {
            if !sticky {
                return Number::rounded_small(negative, small, exponent, precision);
            }
        }
        if mantissa.is_zero() {
            return Number::zero_with(negative, precision);
        }
        let bits = bits_i64(mantissa.bits());
        if exponent.saturating_add(bits) < MIN_EXP {
            return Number::zero_with(negative, precision);
        }
        if exponent.saturating_add(bits) > MAX_EXP {
            return Number::infinity_with(negative, precision);
        }
        let mut mantissa = mantissa;
        let mut exponent = exponent;
        let precision_bits = i64::from(precision);
        if bits > precision_bits {
            let drop = bits - precision_bits;
            let round_bit = mantissa.bit((drop - 1) as u64);
            let below_round = sticky || mantissa.trailing_zeros().unwrap_or(0) < (drop - 1) as u64;
            mantissa >>= shift_amount(drop);
            exponent += drop;
            if round_bit && (below_round || mantissa.bit(0)) {
                mantissa += 1u32;
            }
        }
        let zeros = mantissa.trailing_zeros().unwrap_or(0);
        mantissa >>= zeros as usize;
        exponent += bits_i64(zeros);
        if exponent.saturating_add(bits_i64(mantissa.bits())) > MAX_EXP {
            return Number::infinity_with(negative, precision);
        }
        Number {
            negative,
            magnitude: Magnitude::Finite {
                mantissa: Mantissa::from_big(mantissa),
                exponent,
            },
            precision,
        }
    }

    /// [`Number::rounded`] for a mantissa that fits 128 bits, without allocating.
    fn rounded_small(negative: bool, mantissa: u128, exponent: i64, precision: u32) -> Number {
        if mantissa == 0 {
            return Number::zero_with(negative, precision);
        }
        let bits = bit_length_u128(mantissa);
        if exponent.saturating_add(bits) < MIN_EXP {
            return Number::zero_with(negative, precision);
        }
        if exponent.saturating_add(bits) > MAX_EXP {
            return Number::infinity_with(negative, precision);
        }
        let mut mantissa = mantissa;
        let mut exponent = exponent;
        let precision_bits = i64::from(precision);
        if bits > precision_bits {
            let drop = (bits - precision_bits) as u32;
            let round_bit = (mantissa >> (drop - 1)) & 1 == 1;
            let below_round = mantissa & ((1u128 << (drop - 1)) - 1) != 0;
            mantissa >>= drop;
            exponent += i64::from(drop);
            if round_bit && (below_round || mantissa & 1 == 1) {
                mantissa += 1;
            }
        }
        let zeros = mantissa.trailing_zeros();
        mantissa >>= zeros;
        exponent += i64::from(zeros);
        if exponent.saturating_add(bit_length_u128(mantissa)) > MAX_EXP {
            return Number::infinity_with(negative, precision);
        }
        Number {
            negative,
            magnitude: Magnitude::Finite {
                mantissa: Mantissa::from_u128(mantissa),
                exponent,
            },
            precision,
        }
    }

    fn parts(&self) -> Option<Parts<'_>> {
        match &self.magnitude {
            Magnitude::Finite { mantissa, exponent } => {
                Some((mantissa, *exponent, bits_i64(mantissa.bits())))
            }
            _ => None,
        }
    }

    /// This value at another precision (Go's `z.Set(x)` into a `z` of that precision).
    fn with_precision(&self, precision: u32) -> Number {
        match &self.magnitude {
            Magnitude::Finite { mantissa, exponent } if mantissa.bits() > u64::from(precision) => {
                Number::rounded(
                    self.negative,
                    mantissa.to_big(),
                    *exponent,
                    false,
                    precision,
                )
            }
            _ => Number {
                precision,
                ..self.clone()
            },
        }
    }

    // ---- Constructors -------------------------------------------------------------------

    /// An integer, exactly (precision 64, as Go's `SetInt64`).
    pub fn from_i64(v: i64) -> Number {
        Number::rounded_small(v < 0, u128::from(v.unsigned_abs()), 0, INT64_PRECISION)
    }

    /// An unsigned integer, exactly (precision 64, as Go's `SetUint64`).
    pub fn from_u64(v: u64) -> Number {
        Number::rounded_small(false, u128::from(v), 0, INT64_PRECISION)
    }

    /// A big integer, exactly, at precision max(64, its bit length) (Go's `SetInt`, as
    /// `parseint` makes its results).
    pub fn from_bigint(v: &BigInt) -> Number {
        let precision = u32::try_from(v.bits())
            .unwrap_or(u32::MAX)
            .max(INT64_PRECISION);
        Number::rounded(
            v.sign() == Sign::Minus,
            v.magnitude().clone(),
            0,
            false,
            precision,
        )
    }

    /// A machine float, with 53 bits of precision. NaN has no Terraform number (Go's
    /// `SetFloat64` panics); this gives zero for it, use [`Number::try_from_f64`] to tell.
    pub fn from_f64(v: f64) -> Number {
        Number::try_from_f64(v).unwrap_or_else(|| Number::zero_with(false, FLOAT64_PRECISION))
    }

    /// A machine float with 53 bits of precision, or `None` for NaN.
    pub fn try_from_f64(v: f64) -> Option<Number> {
        if v.is_nan() {
            return None;
        }
        let negative = v.is_sign_negative();
        if v.is_infinite() {
            return Some(Number::infinity_with(negative, FLOAT64_PRECISION));
        }
        let bits = v.to_bits();
        let biased_exponent = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1u64 << 52) - 1);
        let (mantissa, exponent) = if biased_exponent == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased_exponent - 1075)
        };
        Some(Number::rounded_small(
            negative,
            u128::from(mantissa),
            exponent,
            FLOAT64_PRECISION,
        ))
    }

    /// Parses decimal text at 512 bits as Go's `big.ParseFloat(s, 10, 512, ToNearestEven)`
    /// does for cty: optional sign, digits with an optional `.` (at least one digit), an
    /// optional `e`/`E` decimal or `p`/`P` binary exponent, or `Inf`/`inf` with an optional
    /// sign. No whitespace, underscores or base prefixes.
    pub fn parse(text: &str) -> Option<Number> {
        match text {
            "Inf" | "inf" | "+Inf" | "+inf" => {
                return Some(Number::infinity_with(false, PARSE_PRECISION))
            }
            "-Inf" | "-inf" => return Some(Number::infinity_with(true, PARSE_PRECISION)),
            _ => {}
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        let mut negative = false;
        if let Some(&sign @ (b'+' | b'-')) = bytes.first() {
            negative = sign == b'-';
            at = 1;
        }
        let mut digits = Vec::new();
        let mut point: Option<usize> = None;
        while let Some(&c) = bytes.get(at) {
            if c == b'.' && point.is_none() {
                point = Some(digits.len());
            } else if c.is_ascii_digit() {
                digits.push(c);
            } else {
                break;
            }
            at += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let fraction_digits = point.map_or(0, |p| (digits.len() - p) as i64);
        let mut decimal_exponent = 0i64;
        let mut binary_exponent = 0i64;
        if let Some(&marker @ (b'e' | b'E' | b'p' | b'P')) = bytes.get(at) {
            at += 1;
            let start = at;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            let digits_start = at;
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == digits_start {
                return None;
            }
            let value: i64 = text.get(start..at)?.parse().ok()?;
            if marker == b'e' || marker == b'E' {
                decimal_exponent = value;
            } else {
                binary_exponent = value;
            }
        }
        if at != bytes.len() {
            return None;
        }
        let mantissa = BigUint::parse_bytes(&digits, 10)?;
        if mantissa.is_zero() {
            return Some(Number::zero_with(negative, PARSE_PRECISION));
        }
        let power_of_ten = decimal_exponent.checked_sub(fraction_digits)?;
        let exponent = power_of_ten.checked_add(binary_exponent)?;
        let go_exponent = exponent.checked_add(bits_i64(mantissa.bits()))?;
        if !(MIN_EXP..=MAX_EXP).contains(&go_exponent) {
            return None;
        }
        if power_of_ten == 0 {
            return Some(Number::rounded(
                negative,
                mantissa,
                exponent,
                false,
                PARSE_PRECISION,
            ));
        }
        // Go scales by a power of five computed at 64 extra bits (exact up to 5^248).
        let unrounded = Number {
            negative,
            magnitude: Magnitude::Finite {
                mantissa: Mantissa::from_big(mantissa),
                exponent,
            },
            precision: PARSE_PRECISION,
        };
        let scale = Number::go_power_of_five(power_of_ten.unsigned_abs(), PARSE_PRECISION + 64);
        let scaled = if power_of_ten < 0 {
            Number::go_quo(&unrounded, &scale, PARSE_PRECISION)
        } else {
            Number::go_mul(&unrounded, &scale, PARSE_PRECISION)
        };
        scaled.ok()
    }

    /// `5^n` as Go's `Float.pow5` computes it: exact to 5^27, then by repeated squaring
    /// with each product rounded (to `precision` and `precision + 64` bits).
    fn go_power_of_five(n: u64, precision: u32) -> Number {
        const LARGEST_EXACT: u64 = 27;
        if n <= LARGEST_EXACT {
            return Number::rounded_small(false, 5u128.pow(n as u32), 0, precision);
        }
        let mut result = Number::rounded_small(false, 5u128.pow(27), 0, precision);
        let mut factor = Number::rounded_small(false, 5, 0, precision + 64);
        let mut remaining = n - LARGEST_EXACT;
        while remaining > 0 {
            if remaining & 1 == 1 {
                result = Number::go_mul(&result, &factor, precision).unwrap_or(result);
            }
            remaining >>= 1;
            if remaining > 0 {
                factor = Number::go_mul(&factor, &factor, precision + 64).unwrap_or(factor);
            }
        }
        result
    }

    // ---- Go big.Float operations at an explicit result precision -------------------------

    /// Go's `z.Add(x, y)` with `z` at `precision`.
    fn go_add(x: &Number, y: &Number, precision: u32) -> Result<Number, NotANumber> {
        match (&x.magnitude, &y.magnitude) {
            (Magnitude::Finite { .. }, Magnitude::Finite { .. }) => {
                Ok(Number::add_finite(x, y, precision))
            }
            (Magnitude::Infinite, Magnitude::Infinite) if x.negative != y.negative => {
                Err(NotANumber)
            }
            (Magnitude::Zero, Magnitude::Zero) => {
                Ok(Number::zero_with(x.negative && y.negative, precision))
            }
            (Magnitude::Infinite, _) | (_, Magnitude::Zero) => Ok(x.with_precision(precision)),
            _ => Ok(y.with_precision(precision)),
        }
    }

    /// Go's `z.Sub(x, y)` with `z` at `precision`.
    fn go_sub(x: &Number, y: &Number, precision: u32) -> Result<Number, NotANumber> {
        Number::go_add(x, &y.neg(), precision)
    }

    /// Sum of two finite values (either sign), rounded to `precision`.
    fn add_finite(x: &Number, y: &Number, precision: u32) -> Number {
        let (Some(xp), Some(yp)) = (x.parts(), y.parts()) else {
            return Number::zero_with(false, precision);
        };
        let same_sign = x.negative == y.negative;
        // Order so that `big` has the larger magnitude (needed for a difference).
        let order = Number::compare_parts(xp, yp);
        if !same_sign && order == Ordering::Equal {
            return Number::zero_with(false, precision);
        }
        let (big, small, big_negative) = if order == Ordering::Less {
            (yp, xp, y.negative)
        } else {
            (xp, yp, x.negative)
        };
        let result_negative = if same_sign { x.negative } else { big_negative };
        if let (Some(bm), Some(sm)) = (big.0.small(), small.0.small()) {
            let base = big.1.min(small.1);
            let big_shift = big.1 - base;
            let small_shift = small.1 - base;
            if big.2 + big_shift <= 126 && small.2 + small_shift <= 126 {
                let a = u128::from(bm) << big_shift;
                let b = u128::from(sm) << small_shift;
                let sum = if same_sign { a + b } else { a - b };
                return Number::rounded_small(result_negative, sum, base, precision);
            }
        }
        // Far below the rounding position the smaller operand only acts as a sticky bit.
        let big_top = big.1 + big.2 - 1;
        let small_top = small.1 + small.2 - 1;
        let sticky_position = big.1.min(big_top - i64::from(precision) - 1) - 2;
        let (small_mantissa, small_exponent) = if small_top < sticky_position {
            (BigUint::from(1u32), sticky_position)
        } else {
            (small.0.to_big(), small.1)
        };
        let base = big.1.min(small_exponent);
        let a = big.0.to_big() << shift_amount(big.1 - base);
        let b = small_mantissa << shift_amount(small_exponent - base);
        let sum = if same_sign { a + b } else { a - b };
        Number::rounded(result_negative, sum, base, false, precision)
    }

    /// Go's `z.Mul(x, y)` with `z` at `precision`.
    fn go_mul(x: &Number, y: &Number, precision: u32) -> Result<Number, NotANumber> {
        let negative = x.negative != y.negative;
        match (&x.magnitude, &y.magnitude) {
            (Magnitude::Zero, Magnitude::Infinite) | (Magnitude::Infinite, Magnitude::Zero) => {
                Err(NotANumber)
            }
            (Magnitude::Infinite, _) | (_, Magnitude::Infinite) => {
                Ok(Number::infinity_with(negative, precision))
            }
            (Magnitude::Zero, _) | (_, Magnitude::Zero) => {
                Ok(Number::zero_with(negative, precision))
            }
            (
                Magnitude::Finite {
                    mantissa: xm,
                    exponent: xe,
                },
                Magnitude::Finite {
                    mantissa: ym,
                    exponent: ye,
                },
            ) => {
                let exponent = xe.saturating_add(*ye);
                Ok(match (xm.small(), ym.small()) {
                    (Some(a), Some(b)) => Number::rounded_small(
                        negative,
                        u128::from(a) * u128::from(b),
                        exponent,
                        precision,
                    ),
                    _ => Number::rounded(
                        negative,
                        xm.to_big() * ym.to_big(),
                        exponent,
                        false,
                        precision,
                    ),
                })
            }
        }
    }

    /// Go's `z.Quo(x, y)` with `z` at `precision`.
    fn go_quo(x: &Number, y: &Number, precision: u32) -> Result<Number, NotANumber> {
        let negative = x.negative != y.negative;
        match (&x.magnitude, &y.magnitude) {
            (Magnitude::Zero, Magnitude::Zero) | (Magnitude::Infinite, Magnitude::Infinite) => {
                Err(NotANumber)
            }
            (Magnitude::Zero, _) | (_, Magnitude::Infinite) => {
                Ok(Number::zero_with(negative, precision))
            }
            (Magnitude::Infinite, _) | (_, Magnitude::Zero) => {
                Ok(Number::infinity_with(negative, precision))
            }
            (
                Magnitude::Finite {
                    mantissa: xm,
                    exponent: xe,
                },
                Magnitude::Finite {
                    mantissa: ym,
                    exponent: ye,
                },
            ) => {
                if let Mantissa::Small(1) = ym {
                    let exponent = xe.saturating_sub(*ye);
                    return Ok(Number::rounded(
                        negative,
                        xm.to_big(),
                        exponent,
                        false,
                        precision,
                    ));
                }
                // Enough quotient bits for the rounding bit and one below it.
                let x_bits = bits_i64(xm.bits());
                let y_bits = bits_i64(ym.bits());
                let shift = (i64::from(precision) + 3 + y_bits - x_bits).max(0);
                let numerator = xm.to_big() << shift_amount(shift);
                let (quotient, remainder) = numerator.div_rem(&ym.to_big());
                let exponent = xe.saturating_sub(*ye).saturating_sub(shift);
                Ok(Number::rounded(
                    negative,
                    quotient,
                    exponent,
                    !remainder.is_zero(),
                    precision,
                ))
            }
        }
    }

    /// Compares the magnitudes of two finite values.
    fn compare_parts(x: Parts<'_>, y: Parts<'_>) -> Ordering {
        let x_top = x.1 + x.2;
        let y_top = y.1 + y.2;
        if x_top != y_top {
            return x_top.cmp(&y_top);
        }
        if let (Some(a), Some(b)) = (x.0.small(), y.0.small()) {
            // Equal tops: align at the smaller exponent (the shift is below 64 bits).
            let base = x.1.min(y.1);
            let a = u128::from(a) << (x.1 - base);
            let b = u128::from(b) << (y.1 - base);
            return a.cmp(&b);
        }
        let base = x.1.min(y.1);
        let a = x.0.to_big() << shift_amount(x.1 - base);
        let b = y.0.to_big() << shift_amount(y.1 - base);
        a.cmp(&b)
    }

    // ---- Terraform (cty) arithmetic ------------------------------------------------------

    fn result_precision(&self, other: &Number) -> u32 {
        self.precision.max(other.precision)
    }

    /// Sum, or the error cty reports for `+Inf + -Inf`.
    pub fn try_add(&self, other: &Number) -> Result<Number, NumberError> {
        Number::go_add(self, other, self.result_precision(other))
            .map_err(|_| NumberError::OpposingInfinitiesSum)
    }

    /// Difference (cty adds the negation), or the error for `Inf - Inf`.
    pub fn try_sub(&self, other: &Number) -> Result<Number, NumberError> {
        Number::go_add(self, &other.neg(), self.result_precision(other))
            .map_err(|_| NumberError::InfinityMinusInfinity)
    }

    /// Product, or the error for `0 * Inf`. As cty's `Multiply`, the product is rounded to
    /// 512 bits and keeps the larger of the operands' precisions and the bits it needs.
    pub fn try_mul(&self, other: &Number) -> Result<Number, NumberError> {
        let mut product = Number::go_mul(self, other, PRODUCT_PRECISION)
            .map_err(|_| NumberError::ZeroTimesInfinity)?;
        let needed = match &product.magnitude {
            Magnitude::Finite { mantissa, .. } => u32::try_from(mantissa.bits()).unwrap_or(0),
            _ => 0,
        };
        product.precision = self.result_precision(other).max(needed);
        Ok(product)
    }

    /// Quotient, or the error for `0 / 0` and `Inf / Inf`; a zero divisor otherwise gives
    /// an infinity as Go's `Quo` does.
    pub fn try_div(&self, other: &Number) -> Result<Number, NumberError> {
        Number::go_quo(self, other, self.result_precision(other))
            .map_err(|_| NumberError::ZeroOrInfinityQuotient)
    }

    /// Terraform's `%` (cty's `Modulo`): `a - b * trunc(a / b)`, the quotient at the larger
    /// precision and the rest at the dividend's. A zero divisor gives the dividend back.
    /// Infinite operands are an error (Terraform 1.0 itself crashes on an infinite
    /// dividend).
    pub fn try_rem(&self, other: &Number) -> Result<Number, NumberError> {
        if other.is_zero() {
            return Ok(self.clone());
        }
        let ratio = Number::go_quo(self, other, self.result_precision(other))
            .map_err(|_| NumberError::ModuloZeroAndInfinity)?;
        if ratio.is_infinite() {
            return Err(NumberError::ModuloZeroAndInfinity);
        }
        // Go's `SetInt` of the truncated quotient, at the dividend's precision.
        let work = ratio.to_integer(false).with_precision(self.precision);
        let work = Number::go_mul(other, &work, self.precision)
            .map_err(|_| NumberError::ModuloZeroAndInfinity)?;
        Number::go_sub(self, &work, self.precision).map_err(|_| NumberError::ModuloZeroAndInfinity)
    }

    /// Sum; `+Inf + -Inf` gives zero here, see [`Number::try_add`].
    pub fn add(&self, other: &Number) -> Number {
        self.try_add(other)
            .unwrap_or_else(|_| self.nan_fallback(other))
    }
    /// Difference; `Inf - Inf` gives zero here, see [`Number::try_sub`].
    pub fn sub(&self, other: &Number) -> Number {
        self.try_sub(other)
            .unwrap_or_else(|_| self.nan_fallback(other))
    }
    /// Product; `0 * Inf` gives zero here, see [`Number::try_mul`].
    pub fn mul(&self, other: &Number) -> Number {
        self.try_mul(other)
            .unwrap_or_else(|_| self.nan_fallback(other))
    }
    /// Division; a zero divisor gives an infinity as Go's `Quo` does (callers check first).
    /// `0 / 0` and `Inf / Inf` give zero here, see [`Number::try_div`].
    pub fn div(&self, other: &Number) -> Number {
        self.try_div(other)
            .unwrap_or_else(|_| self.nan_fallback(other))
    }
    /// Terraform's `%`: `a - b * trunc(a / b)`; infinite operands give zero here, see
    /// [`Number::try_rem`].
    pub fn rem(&self, other: &Number) -> Number {
        self.try_rem(other)
            .unwrap_or_else(|_| self.nan_fallback(other))
    }

    fn nan_fallback(&self, other: &Number) -> Number {
        Number::zero_with(false, self.result_precision(other))
    }

    pub fn neg(&self) -> Number {
        Number {
            negative: !self.negative,
            ..self.clone()
        }
    }

    pub fn abs(&self) -> Number {
        Number {
            negative: false,
            ..self.clone()
        }
    }

    /// The largest integer not above the value, at the value's precision (cty's `floor`;
    /// a zero result is `+0`).
    pub fn floor(&self) -> Number {
        self.to_integer(self.negative)
    }

    /// The smallest integer not below the value, at the value's precision (cty's `ceil`).
    pub fn ceil(&self) -> Number {
        self.to_integer(!self.negative)
    }

    /// Truncates toward zero, stepping one further from zero when `away` and there is a
    /// fraction; the result is Go's `SetInt` of that integer at this precision.
    fn to_integer(&self, away: bool) -> Number {
        match &self.magnitude {
            Magnitude::Infinite => self.clone(),
            Magnitude::Zero => Number::zero_with(false, self.precision),
            Magnitude::Finite { exponent, .. } if *exponent >= 0 => self.clone(),
            Magnitude::Finite { mantissa, exponent } => {
                let mut integer = mantissa.to_big() >> shift_amount(-exponent);
                if away {
                    integer += 1u32;
                }
                let negative = self.negative && !integer.is_zero();
                Number::rounded(negative, integer, 0, false, self.precision)
            }
        }
    }

    // ---- Queries and conversions ---------------------------------------------------------

    /// Whether the value is an integer (infinities are not).
    pub fn is_integer(&self) -> bool {
        match &self.magnitude {
            Magnitude::Zero => true,
            Magnitude::Infinite => false,
            Magnitude::Finite { exponent, .. } => *exponent >= 0,
        }
    }

    pub fn is_infinite(&self) -> bool {
        matches!(self.magnitude, Magnitude::Infinite)
    }

    /// Whether the value is zero, of either sign.
    pub fn is_zero(&self) -> bool {
        matches!(self.magnitude, Magnitude::Zero)
    }

    /// Whether the sign bit is set (true for `-0` too).
    pub fn is_sign_negative(&self) -> bool {
        self.negative
    }

    /// -1, 0 or 1 (0 for both zeros).
    pub fn signum(&self) -> i32 {
        match (&self.magnitude, self.negative) {
            (Magnitude::Zero, _) => 0,
            (_, true) => -1,
            (_, false) => 1,
        }
    }

    /// The precision in bits that arithmetic with this value rounds to.
    pub fn precision(&self) -> u32 {
        self.precision
    }

    /// The value as an i64 when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.magnitude {
            Magnitude::Zero => Some(0),
            Magnitude::Infinite => None,
            Magnitude::Finite { mantissa, exponent } => {
                if *exponent < 0 || bits_i64(mantissa.bits()) + exponent > 64 {
                    return None;
                }
                let magnitude = u128::from(mantissa.small()?) << exponent;
                if self.negative {
                    0i64.checked_sub_unsigned(u64::try_from(magnitude).ok()?)
                } else {
                    i64::try_from(magnitude).ok()
                }
            }
        }
    }

    /// The integer part (truncated toward zero), or `None` for an infinity.
    pub fn to_bigint(&self) -> Option<BigInt> {
        match &self.magnitude {
            Magnitude::Zero => Some(BigInt::zero()),
            Magnitude::Infinite => None,
            Magnitude::Finite { mantissa, exponent } => {
                let magnitude = if *exponent >= 0 {
                    mantissa.to_big() << shift_amount(*exponent)
                } else {
                    mantissa.to_big() >> shift_amount(-exponent)
                };
                let sign = if self.negative {
                    Sign::Minus
                } else {
                    Sign::Plus
                };
                Some(BigInt::from_biguint(sign, magnitude))
            }
        }
    }

    /// The nearest machine float (ties to even, subnormals and overflow to infinity as
    /// Go's `Float64`).
    pub fn to_f64(&self) -> f64 {
        let sign = if self.negative { -1.0 } else { 1.0 };
        let (mantissa, exponent, bits) = match self.parts() {
            None if self.is_infinite() => return sign * f64::INFINITY,
            None => return sign * 0.0,
            Some(parts) => parts,
        };
        let top = exponent + bits - 1;
        if top > 1023 {
            return sign * f64::INFINITY;
        }
        if top < -1074 {
            // Below the smallest subnormal: up to it when above half of it, ties to zero.
            let above_half = top == -1075 && !matches!(mantissa, Mantissa::Small(1));
            return sign * if above_half { f64::from_bits(1) } else { 0.0 };
        }
        // Keep bits down to the float's last place: 53 bits, fewer for subnormals.
        let last_place = (top - 52).max(-1074);
        let rounded = Number::rounded(
            false,
            mantissa.to_big(),
            exponent - last_place,
            false,
            u32::try_from(top - last_place + 1).unwrap_or(53),
        );
        let (value, value_exponent) = match &rounded.magnitude {
            Magnitude::Finite {
                mantissa: Mantissa::Small(m),
                exponent,
            } => (*m, *exponent + last_place),
            // Everything was below half the smallest subnormal.
            _ => return sign * 0.0,
        };
        let value_bits = i64::from(64 - value.leading_zeros());
        let value_top = value_exponent + value_bits - 1;
        if value_top > 1023 {
            return sign * f64::INFINITY;
        }
        let float_bits = if value_top < -1022 {
            value << (value_exponent + 1074)
        } else {
            let normalized = value << (52 - (value_bits - 1));
            (((value_top + 1023) as u64) << 52) | (normalized & ((1u64 << 52) - 1))
        };
        sign * f64::from_bits(float_bits)
    }

    /// The integer part (truncated toward zero) as decimal digits, for functions that work on
    /// big integers (`parseint`'s inverse, `format("%d")`); `+Inf`/`-Inf` for infinities.
    pub fn trunc_to_string(&self) -> String {
        match self.to_bigint() {
            Some(integer) => integer.to_string(),
            None => self.to_string(),
        }
    }

    // ---- Text -----------------------------------------------------------------------------

    /// Go's `big.Float.Text(format, precision)` for the formats `e`, `E`, `f`, `g` and `G`
    /// (a negative precision asks for the fewest digits that identify the value); other
    /// formats give `%` and the format character, as Go does.
    pub fn text(&self, format: char, precision: i64) -> String {
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        let parts = match &self.magnitude {
            Magnitude::Infinite => {
                if !self.negative {
                    out.push('+');
                }
                out.push_str("Inf");
                return out;
            }
            _ if !matches!(format, 'e' | 'E' | 'f' | 'g' | 'G') => {
                return format!("%{format}");
            }
            Magnitude::Zero => None,
            Magnitude::Finite { mantissa, exponent } => Some((mantissa, *exponent)),
        };
        if format == 'f' && precision < 0 {
            if let Some((mantissa, exponent)) = parts {
                if let Some(digits) = self.integer_digits(mantissa, exponent) {
                    out.push_str(&digits);
                    return out;
                }
            }
        }
        let mut decimal = match parts {
            Some((mantissa, exponent)) => Decimal::from_binary(&mantissa.to_big(), exponent),
            None => Decimal::default(),
        };
        let shortest = precision < 0;
        let mut precision = precision;
        if shortest {
            if let Some((mantissa, exponent)) = parts {
                decimal.round_shortest(mantissa, exponent, self.precision);
            }
            let length = decimal.digits.len() as i64;
            precision = match format {
                'e' | 'E' => length - 1,
                'f' => (length - decimal.exponent).max(0),
                _ => length,
            };
        } else {
            match format {
                'e' | 'E' => decimal.round(1 + precision),
                'f' => decimal.round(decimal.exponent + precision),
                _ => {
                    if precision == 0 {
                        precision = 1;
                    }
                    decimal.round(precision);
                }
            }
        }
        match format {
            'e' | 'E' => decimal.write_exponential(&mut out, format, precision),
            'f' => decimal.write_fixed(&mut out, precision),
            _ => {
                let length = decimal.digits.len() as i64;
                let mut exponential_precision = precision;
                if exponential_precision > length && length >= decimal.exponent {
                    exponential_precision = length;
                }
                if shortest {
                    exponential_precision = 6;
                }
                let exponent = decimal.exponent - 1;
                if exponent < -4 || exponent >= exponential_precision {
                    if precision > length {
                        precision = length;
                    }
                    let letter = if format == 'g' { 'e' } else { 'E' };
                    decimal.write_exponential(&mut out, letter, precision - 1);
                } else {
                    if precision > decimal.exponent {
                        precision = length;
                    }
                    decimal.write_fixed(&mut out, (precision - decimal.exponent).max(0));
                }
            }
        }
        out
    }

    /// The digits of an integer whose last place is within the precision: its shortest
    /// identifying decimal is the integer itself.
    fn integer_digits(&self, mantissa: &Mantissa, exponent: i64) -> Option<String> {
        let bits = bits_i64(mantissa.bits());
        if exponent < 0 || exponent + bits > i64::from(self.precision) {
            return None;
        }
        if let Some(small) = mantissa.small() {
            if exponent + bits <= 128 {
                return Some((u128::from(small) << exponent).to_string());
            }
        }
        Some((mantissa.to_big() << shift_amount(exponent)).to_string())
    }
}

/// A nonnegative decimal `0.digits × 10^exponent` (Go's `math/big` decimal): ASCII digits
/// with no trailing zeros; no digits is zero.
#[derive(Default, Debug)]
struct Decimal {
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// The exact decimal value of `mantissa × 2^exponent`.
    fn from_binary(mantissa: &BigUint, exponent: i64) -> Decimal {
        if mantissa.is_zero() {
            return Decimal::default();
        }
        let mut mantissa = mantissa.clone();
        let mut exponent = exponent;
        if exponent < 0 {
            let zeros = bits_i64(mantissa.trailing_zeros().unwrap_or(0)).min(-exponent);
            mantissa >>= shift_amount(zeros);
            exponent += zeros;
        }
        let (integer, fraction_digits) = if exponent >= 0 {
            (mantissa << shift_amount(exponent), 0)
        } else {
            let places = exponent.unsigned_abs();
            (mantissa * power_of_five(places), -exponent)
        };
        let mut digits = integer.to_str_radix(10).into_bytes();
        let exponent = digits.len() as i64 - fraction_digits;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Decimal { digits, exponent }
    }

    fn at(&self, index: i64) -> u8 {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.digits.get(i).copied())
            .unwrap_or(b'0')
    }

    fn len(&self) -> i64 {
        self.digits.len() as i64
    }

    fn trim(&mut self) {
        while self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.exponent = 0;
        }
    }

    /// Whether keeping `n` digits rounds up (half to even on an exact half).
    fn should_round_up(&self, n: usize) -> bool {
        if self.digits[n] == b'5' && n + 1 == self.digits.len() {
            return n > 0 && (self.digits[n - 1] - b'0') % 2 == 1;
        }
        self.digits[n] >= b'5'
    }

    /// Keeps at most `n` digits, rounding to nearest even; nothing for negative `n`.
    fn round(&mut self, n: i64) {
        if n < 0 || n >= self.len() {
            return;
        }
        if self.should_round_up(n as usize) {
            self.round_up(n);
        } else {
            self.round_down(n);
        }
    }

    fn round_up(&mut self, n: i64) {
        if n < 0 || n >= self.len() {
            return;
        }
        let mut n = n as usize;
        while n > 0 && self.digits[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            self.digits.truncate(1);
            self.digits[0] = b'1';
            self.exponent += 1;
            return;
        }
        self.digits[n - 1] += 1;
        self.digits.truncate(n);
    }

    fn round_down(&mut self, n: i64) {
        if n < 0 || n >= self.len() {
            return;
        }
        self.digits.truncate(n as usize);
        self.trim();
    }

    /// Go's `roundShortest`: the fewest digits that still read back (at `precision` bits,
    /// nearest even) as the value `mantissa × 2^exponent` this decimal holds exactly.
    fn round_shortest(&mut self, mantissa: &Mantissa, exponent: i64, precision: u32) {
        if self.digits.is_empty() {
            return;
        }
        // The mantissa at precision + 1 bits: its last bit is half a unit in the last place.
        let bits = bits_i64(mantissa.bits());
        let shift = i64::from(precision).max(bits) + 1 - bits;
        let scaled = mantissa.to_big() << shift_amount(shift);
        let half_unit_exponent = exponent - shift;
        let lower = Decimal::from_binary(&(&scaled - 1u32), half_unit_exponent);
        let upper = Decimal::from_binary(&(&scaled + 1u32), half_unit_exponent);
        let inclusive = !scaled.bit(1);
        for i in 0..self.len() {
            let digit = self.at(i);
            let low = lower.at(i);
            let high = upper.at(i);
            let can_round_down = low != digit || inclusive && i + 1 == lower.len();
            let can_round_up =
                digit != high && (inclusive || digit + 1 < high || i + 1 < upper.len());
            match (can_round_down, can_round_up) {
                (true, true) => return self.round(i + 1),
                (true, false) => return self.round_down(i + 1),
                (false, true) => return self.round_up(i + 1),
                (false, false) => {}
            }
        }
    }

    /// `%f` layout with `precision` fraction digits.
    fn write_fixed(&self, out: &mut String, precision: i64) {
        if self.exponent > 0 {
            let shown = self.len().min(self.exponent) as usize;
            out.extend(self.digits[..shown].iter().map(|&d| char::from(d)));
            for _ in shown as i64..self.exponent {
                out.push('0');
            }
        } else {
            out.push('0');
        }
        if precision > 0 {
            out.push('.');
            for i in 0..precision {
                out.push(char::from(self.at(self.exponent + i)));
            }
        }
    }

    /// `%e` layout: one digit, `precision` fraction digits, and an exponent of at least two
    /// digits.
    fn write_exponential(&self, out: &mut String, letter: char, precision: i64) {
        out.push(char::from(self.at(0)));
        if precision > 0 {
            out.push('.');
            for i in 1..=precision {
                out.push(char::from(self.at(i)));
            }
        }
        out.push(letter);
        let exponent = if self.digits.is_empty() {
            0
        } else {
            self.exponent - 1
        };
        out.push(if exponent < 0 { '-' } else { '+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(&magnitude.to_string());
    }
}

impl fmt::Display for Number {
    /// Go's `Text('f', -1)`: the shortest decimal that identifies the value at its precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text('f', -1))
    }
}

impl std::str::FromStr for Number {
    type Err = ();
    /// As [`Number::parse`].
    fn from_str(text: &str) -> Result<Number, ()> {
        Number::parse(text).ok_or(())
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Number {
        Number::from_i64(v)
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Number {}
impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Number {
    /// Numeric order, whatever the precisions (as Go's `Cmp`; `-0 == +0`).
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.signum(), other.signum());
        if a != b {
            return a.cmp(&b);
        }
        let magnitudes = match (&self.magnitude, &other.magnitude) {
            (Magnitude::Zero, _) | (Magnitude::Infinite, Magnitude::Infinite) => Ordering::Equal,
            (Magnitude::Infinite, _) => Ordering::Greater,
            (_, Magnitude::Infinite) => Ordering::Less,
            _ => match (self.parts(), other.parts()) {
                (Some(x), Some(y)) => Number::compare_parts(x, y),
                _ => Ordering::Equal,
            },
        };
        if a < 0 {
            magnitudes.reverse()
        } else {
            magnitudes
        }
    }
}
impl Hash for Number {
    /// Hashes the value only (not the precision, nor the sign of a zero), so it agrees
    /// with `Eq`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.magnitude {
            Magnitude::Zero => 0u8.hash(state),
            Magnitude::Infinite => {
                1u8.hash(state);
                self.negative.hash(state);
            }
            Magnitude::Finite { mantissa, exponent } => {
                2u8.hash(state);
                self.negative.hash(state);
                exponent.hash(state);
                match mantissa {
                    Mantissa::Small(v) => v.hash(state),
                    Mantissa::Big(v) => v.hash(state),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Expected values are Terraform 1.0.3's answers (`terraform console`).
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn num(text: &str) -> Number {
        Number::parse(text).expect("valid number")
    }

    fn hash_of(n: &Number) -> u64 {
        let mut hasher = DefaultHasher::new();
        n.hash(&mut hasher);
        hasher.finish()
    }

    fn float(v: f64) -> Number {
        Number::from_f64(v)
    }

    #[test]
    fn quotients_print_all_their_digits() {
        assert_eq!(
            num("10").div(&num("3")).to_string(),
            "3.3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333332"
        );
        assert_eq!(
            num("1").div(&num("3")).to_string(),
            "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"
        );
        assert_eq!(
            num("2").div(&num("3")).neg().to_string(),
            "-0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667"
        );
        assert_eq!(
            num("1").div(&num("7")).to_string(),
            "0.14285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285"
        );
        assert_eq!(
            num("100").div(&num("7")).to_string(),
            "14.285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714286"
        );
        assert_eq!(
            num("1e20").div(&num("3")).to_string(),
            "33333333333333333333.333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333334"
        );
        // length() gives a 64-bit integer; the quotient takes the larger precision.
        assert_eq!(
            Number::from_i64(2).div(&num("3")).to_string(),
            "0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667"
        );
    }

    #[test]
    fn decimal_sums_round_trip() {
        let sum = num("0.1").add(&num("0.2"));
        assert_eq!(sum.to_string(), "0.3");
        assert_eq!(sum, num("0.3"));
        assert_eq!(num("0.1").mul(&num("3")).to_string(), "0.3");
        assert_eq!(num("2").div(&num("3")).mul(&num("3")).to_string(), "2");
        assert_eq!(num("1").div(&num("3")).mul(&num("3")).to_string(), "1");
        assert_eq!(
            num("0.3").sub(&num("0.1")).to_string(),
            "0.20000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002"
        );
        assert_eq!(
            num("1").sub(&num("0.9")).to_string(),
            "0.10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003"
        );
        assert_eq!(
            num("12345678901234567890123").mul(&num("10")).to_string(),
            "123456789012345678901230"
        );
        assert_eq!(num("9007199254740993").to_string(), "9007199254740993");
    }

    #[test]
    fn literals_print_without_exponent() {
        assert_eq!(num("0.1").to_string(), "0.1");
        assert_eq!(num("1e-30").to_string(), "0.000000000000000000000000000001");
        let big = format!("15{}", "0".repeat(299));
        assert_eq!(num("1.5e300").to_string(), big);
        assert_eq!(num("1.5e300").neg().to_string(), format!("-{big}"));
        assert_eq!(num("1e-300").to_string(), format!("0.{}1", "0".repeat(299)));
        assert_eq!(num("7e-350").to_string(), format!("0.{}7", "0".repeat(349)));
        assert_eq!(
            num("1.2345e+350").to_string(),
            format!("12345{}", "0".repeat(346))
        );
        assert_eq!(
            num("123456789012345678901234567890e-400").to_string(),
            format!("0.{}12345678901234567890123456789", "0".repeat(370))
        );
        assert_eq!(num("5.").to_string(), "5");
        assert_eq!(num(".5").to_string(), "0.5");
        assert_eq!(num("1E+5").to_string(), "100000");
        assert_eq!(num("1.5e-1").to_string(), "0.15");
        assert_eq!(
            num("1.5e300").mul(&num("1.5e300")).to_string(),
            format!("225{}2{}", "0".repeat(151), "0".repeat(446))
        );
    }

    #[test]
    fn machine_floats_print_at_53_bits() {
        assert_eq!(float(2f64.powi(64)).to_string(), "18446744073709550000");
        let root_two = float(2f64.sqrt());
        assert_eq!(root_two.to_string(), "1.4142135623730951");
        assert_eq!(root_two.precision(), FLOAT64_PRECISION);
        // cty keeps every bit of a product (up to 512).
        assert_eq!(
            root_two.mul(&root_two).to_string(),
            "2.00000000000000027343234630647693"
        );
        assert_eq!(
            root_two.add(&num("1")).to_string(),
            "2.4142135623730951454746218587388284504413604736328125"
        );
        assert_eq!(
            float(3f64.sqrt()).mul(&num("3")).to_string(),
            "5.196152422706631579529812370310537517070770263671875"
        );
        assert_eq!(
            num("1").div(&num("3")).add(&root_two).to_string(),
            "1.7475468957064284788079551920721617837746938069661458333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333334"
        );
        assert_eq!(
            float(1e20).add(&num("1")).to_string(),
            "100000000000000000001"
        );
        assert_eq!(
            float(f64::from_bits(1)).to_string(),
            format!("0.{}4940656458412465", "0".repeat(323))
        );
        assert_eq!(
            float(2f64.powi(1023)).mul(&num("2")).to_string(),
            "179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474120000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        );
        assert_eq!(
            float(2f64.sqrt()).mul(&num("1e10")).floor().to_string(),
            "14142135623"
        );
        assert_eq!(float(f64::NEG_INFINITY).to_string(), "-Inf");
        assert!(Number::try_from_f64(f64::NAN).is_none());
        assert_eq!(float(-0.0).to_string(), "-0");
    }

    #[test]
    fn big_integers_keep_their_bits() {
        let big: BigInt = "1461501637330902918203684832716283019655932542975"
            .parse()
            .expect("integer");
        let n = Number::from_bigint(&big);
        assert_eq!(n.precision(), 160);
        assert_eq!(
            n.to_string(),
            "1461501637330902918203684832716283019655932542975"
        );
        assert_eq!(
            n.div(&num("3")).to_string(),
            "487167212443634306067894944238761006551977514325"
        );
        assert_eq!(n.to_bigint(), Some(big));
        assert_eq!(Number::from_bigint(&BigInt::from(5)).precision(), 64);
    }

    #[test]
    fn modulo_follows_cty() {
        let rem = |a: &str, b: &str| num(a).rem(&num(b)).to_string();
        assert_eq!(num("7").neg().rem(&num("3")).to_string(), "-1");
        assert_eq!(rem("5.5", "2"), "1.5");
        assert_eq!(num("7.5").neg().rem(&num("2")).to_string(), "-1.5");
        assert_eq!(num("7.5").rem(&num("2").neg()).to_string(), "1.5");
        assert_eq!(rem("5", "0"), "5");
        assert_eq!(num("5").neg().rem(&num("0")).to_string(), "-5");
        assert_eq!(rem("0", "0"), "0");
        assert_eq!(num("0").neg().rem(&num("3")).to_string(), "-0");
        assert_eq!(num("6").neg().rem(&num("3")).to_string(), "0");
        assert_eq!(num("6").rem(&num("3").neg()).to_string(), "0");
        assert_eq!(rem("0.1", "1"), "0.1");
        assert_eq!(
            num("0.1").rem(&num("1")).add(&num("0.2")).to_string(),
            "0.3"
        );
        let infinity = num("Inf");
        assert_eq!(
            num("2").try_rem(&infinity),
            Err(NumberError::ModuloZeroAndInfinity)
        );
        assert_eq!(
            infinity.try_rem(&num("2")),
            Err(NumberError::ModuloZeroAndInfinity)
        );
    }

    #[test]
    fn zeros_keep_their_sign() {
        let zero = num("0");
        let minus_zero = zero.neg();
        assert_eq!(minus_zero.to_string(), "-0");
        assert_eq!(num("-0").to_string(), "-0");
        assert_eq!(minus_zero.add(&minus_zero).to_string(), "-0");
        assert_eq!(minus_zero.sub(&zero).to_string(), "-0");
        assert_eq!(zero.sub(&zero).to_string(), "0");
        assert_eq!(minus_zero.mul(&num("5")).to_string(), "-0");
        assert_eq!(zero.mul(&num("5").neg()).to_string(), "-0");
        assert_eq!(minus_zero.abs().to_string(), "0");
        assert_eq!(minus_zero.floor().to_string(), "0");
        assert_eq!(num("5").sub(&num("5")).to_string(), "0");
        assert_eq!(minus_zero, zero);
        assert_eq!(hash_of(&minus_zero), hash_of(&zero));
        assert_eq!(minus_zero.signum(), 0);
        assert!(minus_zero.is_sign_negative());
    }

    #[test]
    fn floor_and_ceil() {
        assert_eq!(num("0.5").neg().floor().to_string(), "-1");
        assert_eq!(num("0.5").neg().ceil().to_string(), "0");
        assert_eq!(num("2.5").neg().ceil().to_string(), "-2");
        assert_eq!(num("2.5").neg().floor().to_string(), "-3");
        assert_eq!(num("10").div(&num("3")).floor().to_string(), "3");
        assert_eq!(num("10").div(&num("3")).ceil().to_string(), "4");
        assert_eq!(
            num("1e300").div(&num("7")).floor().to_string(),
            format!("{}14286{}", "142857".repeat(25), "0".repeat(145))
        );
        assert_eq!(num("Inf").floor().to_string(), "+Inf");
        assert_eq!(
            num("10").div(&num("3")).neg().abs().to_string(),
            num("10").div(&num("3")).to_string()
        );
    }

    #[test]
    fn infinities() {
        let infinity = num("Inf");
        assert_eq!(num("1").div(&num("0")).to_string(), "+Inf");
        assert_eq!(num("1").neg().div(&num("0")).to_string(), "-Inf");
        assert_eq!(infinity.add(&num("1")).to_string(), "+Inf");
        assert_eq!(infinity.mul(&num("2")).to_string(), "+Inf");
        assert_eq!(num("1").div(&infinity).to_string(), "0");
        assert_eq!(num("1").neg().div(&infinity).to_string(), "-0");
        assert_eq!(
            infinity.try_sub(&infinity).map_err(|e| e.to_string()),
            Err("can't subtract infinity from itself".to_string())
        );
        assert_eq!(
            infinity.try_add(&infinity.neg()),
            Err(NumberError::OpposingInfinitiesSum)
        );
        assert_eq!(
            num("0").try_mul(&infinity),
            Err(NumberError::ZeroTimesInfinity)
        );
        assert_eq!(
            num("0").try_div(&num("0")),
            Err(NumberError::ZeroOrInfinityQuotient)
        );
        assert_eq!(
            infinity.try_div(&infinity),
            Err(NumberError::ZeroOrInfinityQuotient)
        );
        assert!(infinity > num("1e300"));
        assert!(infinity.neg() < num("-1e300"));
        assert!(!infinity.is_integer());
        assert_eq!(infinity.to_f64(), f64::INFINITY);
    }

    #[test]
    fn parse_accepts_what_tonumber_accepts() {
        for text in [
            "1",
            "+1",
            "-1",
            ".5",
            "5.",
            "1e5",
            "1E+5",
            "+.5",
            "1p3",
            "1P-1",
            "Inf",
            "inf",
            "+inf",
            "-inf",
            "-Inf",
            "0e99999999999999",
            "007",
        ] {
            assert!(Number::parse(text).is_some(), "{text:?} should parse");
        }
        for text in [
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "1e",
            "",
            "-",
            "--1",
            "1.2.3",
            "1e+",
            "e5",
            ".",
            "1a",
            "infinity",
            "NaN",
            "0x1p3",
            "INF",
            "1e99999999999999999999",
            "1e-99999999999",
            "0e99999999999999999999",
            "١",
        ] {
            assert!(Number::parse(text).is_none(), "{text:?} should not parse");
        }
        assert_eq!(num("1p3").to_string(), "8");
        assert_eq!(num("1P-1").to_string(), "0.5");
        assert_eq!(num("-inf").to_string(), "-Inf");
        assert_eq!(num("1e-1000000000").to_string(), "0");
        assert_eq!(num("1e1000000000").to_string(), "+Inf");
        assert_eq!(num("0.1").precision(), PARSE_PRECISION);
    }

    #[test]
    fn equality_ignores_precision() {
        assert_eq!(float(0.5), num("0.5"));
        assert_eq!(hash_of(&float(0.5)), hash_of(&num("0.5")));
        assert_eq!(Number::from_i64(3), num("3"));
        assert_eq!(hash_of(&Number::from_i64(3)), hash_of(&num("3.0")));
        assert_eq!(num("1e30"), num("1000000000000000000000000000000"));
        assert_eq!(
            hash_of(&num("1e30")),
            hash_of(&Number::from_bigint(&BigInt::from(10).pow(30)))
        );
        assert_ne!(float(0.1), num("0.1"));
        assert!(float(0.1) > num("0.1"));
        assert!(num("-2") < num("-1.5"));
        assert!(num("2.5") > num("2"));
        assert!(num("1e-300") > num("0"));
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(num("42").to_i64(), Some(42));
        assert_eq!(num("-9223372036854775808").to_i64(), Some(i64::MIN));
        assert_eq!(num("9223372036854775807").to_i64(), Some(i64::MAX));
        assert_eq!(num("9223372036854775808").to_i64(), None);
        assert_eq!(num("1.5").to_i64(), None);
        assert_eq!(num("-0").to_i64(), Some(0));
        assert_eq!(num("1e18").to_i64(), Some(1_000_000_000_000_000_000));
        assert!(num("1e18").is_integer());
        assert!(!num("0.5").is_integer());
        assert_eq!(num("2.5").neg().trunc_to_string(), "-2");
        assert_eq!(num("0.5").neg().trunc_to_string(), "0");
        assert_eq!(
            num("1e20").div(&num("3")).trunc_to_string(),
            "33333333333333333333"
        );
        assert_eq!(num("-Inf").trunc_to_string(), "-Inf");
        assert_eq!(
            Number::from_u64(u64::MAX).to_string(),
            "18446744073709551615"
        );
    }

    #[test]
    fn machine_float_conversion_rounds_to_nearest() {
        for text in [
            "0.1",
            "1e-320",
            "4.9e-324",
            "2.5e-324",
            "1e400",
            "-1e400",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "2.2250738585072011e-308",
            "123456.789",
            "-0",
            "9007199254740993",
        ] {
            let expected: f64 = text.parse().expect("float");
            let got = num(text).to_f64();
            assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
        }
        // Exactly half the smallest subnormal rounds to even (zero); just above rounds up.
        assert_eq!(float(f64::from_bits(1)).div(&num("2")).to_f64(), 0.0);
        assert_eq!(num("2.4703282292062328e-324").to_f64(), f64::from_bits(1));
        assert_eq!(num("10").div(&num("3")).to_f64(), 10.0 / 3.0);
    }

    #[test]
    fn machine_float_conversion_matches_rust_parsing() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let digits = next() % 10u64.pow(1 + (next() % 18) as u32);
            let exponent = (next() % 700) as i64 - 350;
            let text = format!("{digits}e{exponent}");
            let expected: f64 = text.parse().expect("float");
            assert_eq!(num(&text).to_f64().to_bits(), expected.to_bits(), "{text}");
            let round_trip = Number::from_f64(expected);
            assert_eq!(round_trip.to_f64().to_bits(), expected.to_bits(), "{text}");
        }
    }

    #[test]
    fn go_text_formats() {
        let third = num("1").div(&num("3"));
        assert_eq!(third.text('e', 3), "3.333e-01");
        assert_eq!(third.text('g', -1), third.to_string());
        assert_eq!(third.text('f', 6), "0.333333");
        assert_eq!(num("0.005").text('f', 2), "0.00");
        assert_eq!(num("0.015").text('f', 2), "0.01");
        assert_eq!(num("0.025").text('f', 2), "0.03");
        assert_eq!(num("0").text('e', 6), "0.000000e+00");
        assert_eq!(num("1e21").text('g', -1), "1e+21");
        assert_eq!(num("100000").text('g', -1), "100000");
        assert_eq!(num("1000000").text('g', -1), "1e+06");
        assert_eq!(num("1e-5").text('g', -1), "1e-05");
        assert_eq!(num("0.0001").text('g', -1), "0.0001");
        assert_eq!(num("1234567").text('g', 3), "1.23e+06");
        assert_eq!(num("1e-7").text('G', -1), "1E-07");
        assert_eq!(num("-12345.678").text('E', 6), "-1.234568E+04");
        assert_eq!(num("2.5").text('f', 0), "2");
        assert_eq!(num("3.5").text('f', 0), "4");
        assert_eq!(num("25").text('e', 0), "2e+01");
        assert_eq!(float(2f64.powi(64)).text('g', -1), "1.844674407370955e+19");
        assert_eq!(float(2f64.sqrt()).text('e', 6), "1.414214e+00");
        assert_eq!(num("0").text('g', 10), "0");
        assert_eq!(num("-0").text('f', 6), "-0.000000");
        assert_eq!(num("999999.5").text('g', -1), "999999.5");
        assert_eq!(num("0.95").text('f', 1), "0.9");
        assert_eq!(num("0.25").text('f', 1), "0.2");
        assert_eq!(num("9.9999999e100").text('e', 6), "1.000000e+101");
        assert_eq!(num("1").text('x', -1), "%x");
    }

    #[test]
    fn integer_fast_path_matches_shortest_search() {
        // Integers within their precision print as themselves; check against the general
        // shortest-decimal search for a spread of sizes and precisions.
        for text in [
            "1",
            "10",
            "1000",
            "999",
            "123456789",
            "18446744073709551615",
            "1e40",
        ] {
            let n = num(text);
            let Magnitude::Finite { mantissa, exponent } = &n.magnitude else {
                panic!("finite");
            };
            let mut decimal = Decimal::from_binary(&mantissa.to_big(), *exponent);
            decimal.round_shortest(mantissa, *exponent, n.precision);
            let mut slow = String::new();
            let places = (decimal.len() - decimal.exponent).max(0);
            decimal.write_fixed(&mut slow, places);
            assert_eq!(n.to_string(), slow, "{text}");
        }
    }
}
