//! Terraform's number: a binary floating-point value with a precision of its own, as Go's
//! `big.Float` carries it (512 bits when parsed from text, 53 bits when made from an f64).
//! Arithmetic rounds to the larger precision of its operands (nearest, ties to even) and
//! text is the shortest decimal that identifies the value at its precision, so results and
//! their printed form agree with Terraform's digit for digit.

use std::cmp::Ordering;

/// Precision, in bits, of numbers parsed from text (HCL literals, `tonumber`, JSON).
pub const PARSE_PRECISION: u32 = 512;
/// Precision, in bits, of numbers made from a machine float (`pow`, `log`, ...).
pub const FLOAT64_PRECISION: u32 = 53;

/// An arbitrary-precision binary float (placeholder body; see module docs for the contract).
#[derive(Clone, Debug)]
pub struct Number {
    value: f64,
}

impl Number {
    /// An integer, exactly (precision 64, as Go's `SetInt64`).
    pub fn from_i64(v: i64) -> Number {
        Number { value: v as f64 }
    }
    /// A machine float, with 53 bits of precision.
    pub fn from_f64(v: f64) -> Number {
        Number { value: v }
    }
    /// Parses decimal text (optional sign, digits, fraction, exponent) at 512 bits.
    pub fn parse(text: &str) -> Option<Number> {
        text.trim().parse::<f64>().ok().map(Number::from_f64)
    }
    pub fn add(&self, other: &Number) -> Number {
        Number { value: self.value + other.value }
    }
    pub fn sub(&self, other: &Number) -> Number {
        Number { value: self.value - other.value }
    }
    pub fn mul(&self, other: &Number) -> Number {
        Number { value: self.value * other.value }
    }
    /// Division; a zero divisor gives an infinity as Go's `Quo` does (callers check first).
    pub fn div(&self, other: &Number) -> Number {
        Number { value: self.value / other.value }
    }
    /// Terraform's `%`: `a - b * trunc(a / b)`.
    pub fn rem(&self, other: &Number) -> Number {
        Number { value: self.value % other.value }
    }
    pub fn neg(&self) -> Number {
        Number { value: -self.value }
    }
    pub fn abs(&self) -> Number {
        Number { value: self.value.abs() }
    }
    pub fn floor(&self) -> Number {
        Number { value: self.value.floor() }
    }
    pub fn ceil(&self) -> Number {
        Number { value: self.value.ceil() }
    }
    pub fn is_integer(&self) -> bool {
        self.value.fract() == 0.0
    }
    pub fn is_infinite(&self) -> bool {
        self.value.is_infinite()
    }
    pub fn is_zero(&self) -> bool {
        self.value == 0.0
    }
    pub fn signum(&self) -> i32 {
        if self.value > 0.0 {
            1
        } else if self.value < 0.0 {
            -1
        } else {
            0
        }
    }
    /// The value as an i64 when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.is_integer() && self.value.abs() < 9.2e18 {
            Some(self.value as i64)
        } else {
            None
        }
    }
    /// The nearest machine float.
    pub fn to_f64(&self) -> f64 {
        self.value
    }
    /// The integer part (truncated toward zero) as decimal digits, for functions that work on
    /// big integers (`parseint`'s inverse, `format("%d")`).
    pub fn trunc_to_string(&self) -> String {
        format!("{}", self.value.trunc())
    }
}

impl std::fmt::Display for Number {
    /// Go's `Text('f', -1)`: the shortest decimal that identifies the value at its precision.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value)
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
    /// Numeric order, whatever the precisions (as Go's `Cmp`).
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.total_cmp(&other.value)
    }
}
impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_string().hash(state)
    }
}
