//! Built-in functions: numeric family (`abs`, `ceil`, `floor`, `log`, `max`, `min`,
//! `parseint`, `pow`, `signum`).
//!
//! `pow` and `log` work on machine floats as Terraform does, and `pow` follows Go's
//! `math.Pow` step by step (binary powering of the mantissa) so that results agree to the
//! last bit; `parseint` returns exact big integers.

use super::{number_return, FnContext, FnError, FnResult, Param, Registry};
use crate::number::Number;
use crate::value::{Type, Value};
use num_bigint::{BigInt, Sign};

pub(super) fn register(r: &mut Registry) {
    let num = |name| Param::new(name, Type::Number);
    r.add("abs", vec![num("num")], number_return, abs);
    r.add("ceil", vec![num("num")], number_return, ceil);
    r.add("floor", vec![num("num")], number_return, floor);
    r.add("log", vec![num("num"), num("base")], number_return, log);
    r.add("pow", vec![num("num"), num("power")], number_return, pow);
    r.add("signum", vec![num("num")], number_return, signum);
    r.add_variadic("max", vec![], num("numbers"), number_return, max);
    r.add_variadic("min", vec![], num("numbers"), number_return, min);
    r.add(
        "parseint",
        vec![Param::new("number", Type::Dynamic), num("base")],
        number_return,
        parseint,
    );
}

/// The message of Terraform (gocty) when a number must fit a Go `int`.
pub(super) const WHOLE_NUMBER_REQUIRED: &str =
    "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

/// The number of a known, non-null number value.
pub(super) fn number_of(v: &Value) -> Result<&Number, FnError> {
    v.unmark()
        .0
        .as_number()
        .ok_or_else(|| FnError::new("a number is required"))
}

/// A number as a Go `int`, as Terraform converts function arguments that count things.
pub(super) fn whole_int(v: &Value) -> Result<i64, String> {
    let n = v
        .unmark()
        .0
        .as_number()
        .ok_or_else(|| WHOLE_NUMBER_REQUIRED.to_string())?;
    n.to_i64().ok_or_else(|| WHOLE_NUMBER_REQUIRED.to_string())
}

fn abs(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::number(number_of(&args[0])?.abs()))
}

fn ceil(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::number(number_of(&args[0])?.ceil()))
}

fn floor(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::number(number_of(&args[0])?.floor()))
}

/// A machine float as a Terraform number; NaN has no Terraform form and fails as it does
/// in Terraform (where the conversion panics inside the function).
fn float_result(f: f64) -> FnResult {
    Number::try_from_f64(f)
        .map(Value::number)
        .ok_or_else(|| FnError::new("panic in function implementation: Float.SetFloat64(NaN)"))
}

fn log(_: &FnContext, args: &[Value]) -> FnResult {
    let num = number_of(&args[0])?.to_f64();
    let base = number_of(&args[1])?.to_f64();
    float_result(num.ln() / base.ln())
}

fn pow(_: &FnContext, args: &[Value]) -> FnResult {
    let num = number_of(&args[0])?.to_f64();
    let power = number_of(&args[1])?.to_f64();
    float_result(go_pow(num, power))
}

fn signum(_: &FnContext, args: &[Value]) -> FnResult {
    let n = whole_int(&args[0]).map_err(FnError::new)?;
    Ok(Value::int(n.signum()))
}

fn max(_: &FnContext, args: &[Value]) -> FnResult {
    extreme(args, std::cmp::Ordering::Greater)
}

fn min(_: &FnContext, args: &[Value]) -> FnResult {
    extreme(args, std::cmp::Ordering::Less)
}

/// The first argument that no other beats in the `wanted` direction (the argument itself,
/// keeping its precision).
fn extreme(args: &[Value], wanted: std::cmp::Ordering) -> FnResult {
    let mut best: Option<&Value> = None;
    for arg in args {
        let n = number_of(arg)?;
        match best {
            Some(b) if number_of(b)?.cmp(n) != wanted.reverse() => {}
            _ => best = Some(arg),
        }
    }
    best.cloned()
        .ok_or_else(|| FnError::new("must pass at least one number"))
}

fn parseint(_: &FnContext, args: &[Value]) -> FnResult {
    let text = match args[0].unmark().0 {
        Value::String(s) => s.clone(),
        other => {
            return Err(FnError::arg(
                0,
                format!(
                    "first argument must be a string, not {}",
                    other.ty().friendly_name()
                ),
            ))
        }
    };
    let base = whole_int(&args[1]).map_err(|e| FnError::arg(1, e))?;
    let base = match u32::try_from(base) {
        Ok(b) if (2..=62).contains(&b) => b,
        _ => {
            return Err(FnError::arg(
                1,
                "base must be a whole number between 2 and 62 inclusive",
            ))
        }
    };
    let parsed = parse_big_int(&text, base).ok_or_else(|| {
        FnError::arg(
            0,
            format!(
                "cannot parse {} as a base {base} integer",
                super::string::go_quote(&text)
            ),
        )
    })?;
    Ok(Value::number(Number::from_bigint(&parsed)))
}

/// Parses an integer as Go's `big.Int.SetString` does for an explicit base: an optional sign
/// then at least one digit; letters are case-insensitive up to base 36, and above it
/// lowercase letters are 10..35 and uppercase letters 36..61.
fn parse_big_int(text: &str, base: u32) -> Option<BigInt> {
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => (Sign::Minus, &text[1..]),
        Some(b'+') => (Sign::Plus, &text[1..]),
        _ => (Sign::Plus, text),
    };
    if digits.is_empty() {
        return None;
    }
    let values = digits
        .bytes()
        .map(|b| {
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'z' => b - b'a' + 10,
                b'A'..=b'Z' if base <= 36 => b - b'A' + 10,
                b'A'..=b'Z' => b - b'A' + 36,
                _ => return None,
            };
            (u32::from(v) < base).then_some(v)
        })
        .collect::<Option<Vec<u8>>>()?;
    BigInt::from_radix_be(sign, &values, base)
}

/// Splits a float into a fraction in [0.5, 1) and a power of two (Go's `math.Frexp`).
fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (mut x, mut exp) = (x, 0i64);
    if x.abs() < f64::MIN_POSITIVE {
        x *= (1u64 << 52) as f64;
        exp = -52;
    }
    let bits = x.to_bits();
    exp += ((bits >> 52) & 0x7ff) as i64 - 1022;
    (f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)), exp)
}

/// `frac * 2^exp`, rounding once when the result is subnormal (Go's `math.Ldexp`).
fn ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || !frac.is_finite() {
        return frac;
    }
    let (fraction, fraction_exp) = frexp(frac);
    // The exponent of the value written as 1.xxx * 2^e.
    let mut exp = exp.saturating_add(fraction_exp - 1);
    if exp < -1075 {
        return 0.0f64.copysign(frac);
    }
    if exp > 1023 {
        return f64::INFINITY.copysign(frac);
    }
    let mut scale = 1.0;
    if exp < -1022 {
        exp += 53;
        scale = 1.0 / (1u64 << 53) as f64;
    }
    let bits = (fraction.to_bits() & !(0x7ff << 52)) | (((exp + 1023) as u64) << 52);
    scale * f64::from_bits(bits)
}

fn is_odd_integer(y: f64) -> bool {
    y.abs() < (1u64 << 53) as f64 && y.fract() == 0.0 && (y as i64) & 1 == 1
}

/// `x` to the power `y` with the special cases and the rounding of Go's `math.Pow`: the
/// integer part of the exponent by repeated squaring of the mantissa, the fractional part
/// through `exp(yf * ln(x))`.
fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    let overflow_or_underflow = |x: f64, y: f64| {
        if x == -1.0 {
            1.0
        } else if (x.abs() < 1.0) == (y > 0.0) {
            0.0
        } else {
            f64::INFINITY
        }
    };
    if x == 0.0 {
        return match (y < 0.0, is_odd_integer(y)) {
            (true, true) => f64::INFINITY.copysign(x),
            (true, false) => f64::INFINITY,
            (false, true) => x,
            (false, false) => 0.0,
        };
    }
    if y.is_infinite() {
        return overflow_or_underflow(x, y);
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        return if y < 0.0 { 0.0 } else { f64::INFINITY };
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let mut int_part = y.abs().trunc();
    let mut frac_part = y.abs() - int_part;
    if frac_part != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if int_part >= (1u64 << 63) as f64 {
        return overflow_or_underflow(x, y);
    }
    let mut mantissa = 1.0;
    let mut exponent: i64 = 0;
    if frac_part != 0.0 {
        if frac_part > 0.5 {
            frac_part -= 1.0;
            int_part += 1.0;
        }
        mantissa = (frac_part * x.ln()).exp();
    }
    let (mut square, mut square_exp) = frexp(x);
    let mut bits = int_part as i64;
    while bits != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&square_exp) {
            exponent += square_exp;
            break;
        }
        if bits & 1 == 1 {
            mantissa *= square;
            exponent += square_exp;
        }
        square *= square;
        square_exp <<= 1;
        if square < 0.5 {
            square += square;
            square_exp -= 1;
        }
        bits >>= 1;
    }
    if y < 0.0 {
        mantissa = 1.0 / mantissa;
        exponent = -exponent;
    }
    ldexp(mantissa, exponent)
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::call_fn;
    use crate::number::Number;
    use crate::value::Value;

    fn num(text: &str) -> Value {
        Value::number(Number::parse(text).expect("number"))
    }
    fn show(v: &Value) -> String {
        v.as_number()
            .map(|n| n.to_string())
            .unwrap_or_else(|| format!("{v:?}"))
    }
    fn call(name: &str, args: Vec<Value>) -> String {
        match call_fn(name, args) {
            Ok(v) => show(&v),
            Err(e) => format!("error: {}", e.message),
        }
    }

    #[test]
    fn pow_matches_go_bit_for_bit() {
        // Results from Terraform 1.0.3.
        assert_eq!(
            call("pow", vec![num("1.1"), num("100")]),
            "13780.612339822364"
        );
        assert_eq!(
            call("pow", vec![num("1.0001"), num("10000")]),
            "2.718145926824356"
        );
        assert_eq!(
            call("pow", vec![num("3.7"), num("5.3")]),
            "1026.7604639801234"
        );
        assert_eq!(
            call("pow", vec![num("2"), num("0.3")]),
            "1.2311444133449163"
        );
        assert_eq!(
            call("pow", vec![num("7"), num("23")]),
            "27368747340080914000"
        );
        assert_eq!(
            call("pow", vec![num("0.9"), num("333")]),
            "0.0000000000000005791027713504497"
        );
        assert_eq!(call("pow", vec![num("2"), num("10")]), "1024");
        assert!(call_fn("pow", vec![num("2"), num("1024")])
            .unwrap()
            .as_number()
            .unwrap()
            .is_infinite());
        assert!(call_fn("pow", vec![num("0"), num("-1")])
            .unwrap()
            .as_number()
            .unwrap()
            .is_infinite());
        assert_eq!(
            call("pow", vec![num("-8"), num("0.5")]),
            "error: panic in function implementation: Float.SetFloat64(NaN)"
        );
    }

    #[test]
    fn log() {
        assert_eq!(call("log", vec![num("100"), num("10")]), "2");
        assert_eq!(call("log", vec![num("8"), num("2")]), "3");
        assert_eq!(
            call("log", vec![num("1000"), num("10")]),
            "2.9999999999999996"
        );
        let minus_inf = call_fn("log", vec![num("0"), num("10")]).unwrap();
        assert!(minus_inf.as_number().unwrap().is_infinite());
        assert!(call("log", vec![num("1"), num("1")]).starts_with("error: panic"));
    }

    #[test]
    fn rounding_and_sign() {
        assert_eq!(call("floor", vec![num("-1.5")]), "-2");
        assert_eq!(call("ceil", vec![num("1.2")]), "2");
        assert_eq!(call("abs", vec![num("-0.5")]), "0.5");
        assert_eq!(call("signum", vec![num("-3")]), "-1");
        assert_eq!(call("signum", vec![num("0")]), "0");
        let whole = "error: value must be a whole number, between -9223372036854775808 and 9223372036854775807";
        assert_eq!(call("signum", vec![num("0.5")]), whole);
        assert_eq!(call("signum", vec![num("1e30")]), whole);
    }

    #[test]
    fn max_and_min() {
        assert_eq!(call("max", vec![num("1"), num("2.5"), num("-3")]), "2.5");
        assert_eq!(call("min", vec![num("1"), num("2.5"), num("-3")]), "-3");
        assert_eq!(call("max", vec![]), "error: must pass at least one number");
        assert_eq!(call("min", vec!["4".into(), num("5")]), "4");
    }

    #[test]
    fn parseint() {
        assert_eq!(call("parseint", vec!["FF".into(), num("16")]), "255");
        assert_eq!(call("parseint", vec!["zZ".into(), num("62")]), "2231");
        assert_eq!(call("parseint", vec!["+12".into(), num("10")]), "12");
        assert_eq!(call("parseint", vec!["-101".into(), num("2")]), "-5");
        assert_eq!(
            call("parseint", vec!["-0x10".into(), num("16")]),
            "error: cannot parse \"-0x10\" as a base 16 integer"
        );
        assert_eq!(
            call("parseint", vec!["1_0".into(), num("10")]),
            "error: cannot parse \"1_0\" as a base 10 integer"
        );
        assert_eq!(
            call("parseint", vec!["a\nb".into(), num("10")]),
            "error: cannot parse \"a\\nb\" as a base 10 integer"
        );
        assert_eq!(
            call("parseint", vec!["12".into(), num("63")]),
            "error: base must be a whole number between 2 and 62 inclusive"
        );
        assert_eq!(
            call("parseint", vec![num("12"), num("10")]),
            "error: first argument must be a string, not number"
        );
        let err = call_fn("parseint", vec!["".into(), num("10")]).unwrap_err();
        assert_eq!(err.arg, Some(0));
    }

    #[test]
    fn parseint_is_exact_for_big_integers() {
        let v = call_fn(
            "parseint",
            vec!["123456789012345678901234567890".into(), num("10")],
        )
        .unwrap();
        assert_eq!(v, num("123456789012345678901234567890"));
    }
}
