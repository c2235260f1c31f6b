//! `format` and `formatlist`: cty's printf-like verbs.
//!
//! The scanner accepts exactly what cty's format grammar accepts (`%`, flags, width,
//! precision, then an optional `[n]` argument index, then a letter) and reports errors at the
//! same offsets. Numbers are printed as Go prints `big.Float` and `big.Int` values: digits
//! come from the exact binary value and are rounded half to even ([`Number::text`]), so
//! `%.1f` of 0.15 is "0.2" and of 0.35 is "0.3", as in Terraform.

use super::{go_quote, go_quote_rune, grapheme_count, text, FnContext, FnError, FnResult};
use crate::convert::convert;
use crate::functions::encoding::{json_quote, json_text};
use crate::functions::{string_return, Param, Registry};
use crate::number::Number;
use crate::value::{Type, Value};
use num_bigint::BigUint;
use unicode_segmentation::UnicodeSegmentation;

pub(super) fn register(r: &mut Registry) {
    r.add_variadic(
        "format",
        vec![Param::new("format", Type::String)],
        Param::new("args", Type::Dynamic).allow_null(),
        string_return,
        format,
    );
    r.add_variadic(
        "formatlist",
        vec![Param::new("format", Type::String)],
        Param::new("args", Type::Dynamic)
            .allow_null()
            .allow_unknown(),
        |_| Type::list(Type::String),
        formatlist,
    );
}

fn format(_: &FnContext, args: &[Value]) -> FnResult {
    let result = format_values(text(&args[0])?, &args[1..])?;
    Ok(Value::string(result))
}

fn formatlist(_: &FnContext, args: &[Value]) -> FnResult {
    let format_text = text(&args[0])?;
    let values = &args[1..];
    if values.is_empty() {
        let result = format_values(format_text, values)?;
        return Ok(Value::list(Type::String, vec![Value::string(result)]));
    }
    // Sequences are iterated together; anything else is repeated on every iteration.
    let mut length: Option<(usize, usize)> = None;
    let mut any_unknown = false;
    for (i, arg) in values.iter().enumerate() {
        let (arg, _) = arg.unmark();
        let ty = arg.ty();
        let is_sequence = matches!(ty, Type::List(_) | Type::Set(_) | Type::Tuple(_));
        if !is_sequence || arg.is_null() {
            continue;
        }
        let this_length = match (arg, &ty) {
            (_, Type::Tuple(elems)) => elems.len(),
            (Value::Unknown(_), _) => {
                any_unknown = true;
                continue;
            }
            _ => arg.len().unwrap_or(0),
        };
        match length {
            None => length = Some((this_length, i)),
            Some((expected, chooser)) if expected != this_length => {
                return Err(FnError::arg(
                    i + 1,
                    format!(
                        "argument {} has length {this_length}, which is inconsistent with argument {} of length {expected}",
                        i + 1,
                        chooser + 1
                    ),
                ))
            }
            Some(_) => {}
        }
        if !arg.is_known() {
            any_unknown = true;
        }
    }
    if any_unknown {
        return Ok(Value::Unknown(Type::list(Type::String)));
    }
    let iterations = match length {
        Some((0, _)) => return Ok(Value::list(Type::String, vec![])),
        Some((n, _)) => n,
        None => 1,
    };
    let mut results = Vec::with_capacity(iterations);
    for iteration in 0..iterations {
        let call_args: Vec<Value> = values
            .iter()
            .map(|arg| {
                let (inner, _) = arg.unmark();
                match inner.as_seq() {
                    Some(elems) if !inner.is_null() => elems[iteration].clone(),
                    _ => arg.clone(),
                }
            })
            .collect();
        if !call_args.iter().all(Value::is_wholly_known) {
            results.push(Value::Unknown(Type::String));
            continue;
        }
        let formatted = format_values(format_text, &call_args).map_err(|e| {
            FnError::new(format!(
                "error on format iteration {iteration}: {}",
                e.message
            ))
        })?;
        results.push(Value::string(formatted));
    }
    Ok(Value::list(Type::String, results))
}

/// One formatting verb, as scanned.
#[derive(Default)]
struct Verb<'a> {
    /// The verb's text, from `%` to its letter.
    raw: &'a str,
    /// Byte offset of the `%`.
    offset: usize,
    /// One-based index of the argument.
    arg_num: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Formats `args` with `format`, as cty's `format` function does.
fn format_values(format: &str, args: &[Value]) -> Result<String, FnError> {
    let bytes = format.as_bytes();
    let unrecognized = |at: usize| {
        let c = format[at..].chars().next().unwrap_or('\u{fffd}');
        FnError::new(format!(
            "unrecognized format character {} at offset {at}",
            go_quote_rune(c)
        ))
    };
    let unfinished = || {
        FnError::new(format!(
            "invalid format string starting at offset {}",
            bytes.len()
        ))
    };
    let mut out = String::new();
    let mut next_arg = 1;
    let mut highest_arg = 0;
    let mut p = 0;
    while p < bytes.len() {
        if bytes[p] != b'%' {
            let next = format[p..].find('%').map_or(bytes.len(), |i| p + i);
            out.push_str(&format[p..next]);
            p = next;
            continue;
        }
        let start = p;
        p += 1;
        match bytes.get(p) {
            None => return Err(unfinished()),
            Some(b'%') => {
                out.push('%');
                p += 1;
                continue;
            }
            Some(_) => {}
        }
        let mut verb = Verb {
            offset: start,
            arg_num: next_arg,
            ..Verb::default()
        };
        while let Some(&c) = bytes.get(p) {
            match c {
                b'0' => verb.zero = true,
                b'#' => verb.sharp = true,
                b'-' => verb.minus = true,
                b'+' => verb.plus = true,
                b' ' => verb.space = true,
                _ => break,
            }
            p += 1;
        }
        if let Some(b'1'..=b'9') = bytes.get(p) {
            verb.width = Some(scan_decimal(bytes, &mut p));
        }
        if bytes.get(p) == Some(&b'.') {
            p += 1;
            verb.precision = Some(scan_decimal(bytes, &mut p));
        }
        // Go's fmt refuses widths and precisions over a million rather than allocating them.
        if verb
            .width
            .max(verb.precision)
            .is_some_and(|n| n > MAX_WIDTH)
        {
            return Err(FnError::new(format!(
                "width or precision over {MAX_WIDTH} in {}",
                go_quote(std::str::from_utf8(&bytes[start..p]).unwrap_or("%"))
            )));
        }
        if bytes.get(p) == Some(&b'[') {
            p += 1;
            match bytes.get(p) {
                None => return Err(unfinished()),
                Some(b'1'..=b'9') => verb.arg_num = scan_decimal(bytes, &mut p),
                Some(_) => return Err(unrecognized(p)),
            }
            match bytes.get(p) {
                None => return Err(unfinished()),
                Some(b']') => p += 1,
                Some(_) => return Err(unrecognized(p)),
            }
        }
        match bytes.get(p) {
            None => return Err(unfinished()),
            Some(c) if c.is_ascii_alphabetic() => verb.mode = char::from(*c),
            Some(_) => return Err(unrecognized(p)),
        }
        p += 1;
        verb.raw = &format[start..p];
        highest_arg = highest_arg.max(verb.arg_num);
        append_verb(&verb, &mut out, args)?;
        next_arg = verb.arg_num + 1;
    }
    if highest_arg < args.len() {
        let first_unused = highest_arg + 1;
        let message = if highest_arg == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {highest_arg} used by format string")
        };
        return Err(FnError::arg(first_unused, message));
    }
    Ok(out)
}

/// The largest width or precision a verb may ask for.
const MAX_WIDTH: usize = 1_000_000;

/// Reads decimal digits (saturating, as nobody writes widths that large).
fn scan_decimal(bytes: &[u8], p: &mut usize) -> usize {
    let mut n: usize = 0;
    while let Some(c @ b'0'..=b'9') = bytes.get(*p) {
        n = n.saturating_mul(10).saturating_add(usize::from(c - b'0'));
        *p += 1;
    }
    n
}

fn append_verb(verb: &Verb, out: &mut String, args: &[Value]) -> Result<(), FnError> {
    let Some(arg) = args.get(verb.arg_num - 1) else {
        return Err(FnError::new(format!(
            "not enough arguments for {} at {}: need index {} but have {} total",
            go_quote(verb.raw),
            verb.offset,
            verb.arg_num,
            args.len()
        )));
    };
    let (arg, _) = arg.unmark();
    let unsupported = |detail: &str| {
        FnError::new(format!(
            "unsupported value for {} at {}: {detail}",
            go_quote(verb.raw),
            verb.offset
        ))
    };
    if verb.mode != 'v' && arg.is_null() {
        return Err(unsupported("null value cannot be formatted"));
    }
    match verb.mode {
        'v' => {
            let formatted = match arg {
                Value::String(s) if !verb.sharp => s.to_string(),
                Value::Number(n) if !verb.sharp => go_float_text(n, 'g', None),
                _ => json_text(arg).map_err(|e| unsupported(&e))?,
            };
            out.push_str(&pad_width(verb, formatted));
        }
        't' => {
            let b = convert(arg, &Type::Bool).map_err(|e| unsupported(&e))?;
            out.push_str(if b.as_bool() == Some(true) {
                "true"
            } else {
                "false"
            });
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = convert(arg, &Type::Number).map_err(|e| unsupported(&e))?;
            let n = n
                .as_number()
                .ok_or_else(|| unsupported("a number is required"))?;
            if matches!(verb.mode, 'e' | 'E' | 'f' | 'g' | 'G') {
                out.push_str(&format_float(verb, n));
            } else {
                let digits =
                    integer_digits(n).ok_or_else(|| unsupported("an integer is required"))?;
                out.push_str(&format_integer(verb, n.signum() < 0, &digits));
            }
        }
        's' | 'q' => {
            let s = convert(arg, &Type::String).map_err(|e| unsupported(&e))?;
            let mut s = s.as_str().unwrap_or_default();
            if let Some(precision) = verb.precision.filter(|p| *p > 0) {
                let end = s
                    .grapheme_indices(true)
                    .nth(precision)
                    .map_or(s.len(), |(i, _)| i);
                s = &s[..end];
            }
            let formatted = if verb.mode == 'q' {
                json_quote(s)
            } else {
                s.to_string()
            };
            out.push_str(&pad_width(verb, formatted));
        }
        mode => {
            return Err(FnError::new(format!(
                "unsupported format verb {} in {} at offset {}",
                go_quote_rune(mode),
                go_quote(verb.raw),
                verb.offset
            )))
        }
    }
    Ok(())
}

/// Pads to the verb's width in grapheme clusters, with zeros when asked, on the right for `-`.
fn pad_width(verb: &Verb, formatted: String) -> String {
    let Some(width) = verb.width else {
        return formatted;
    };
    let length = grapheme_count(&formatted);
    if length >= width {
        return formatted;
    }
    let padding = (if verb.zero { "0" } else { " " }).repeat(width - length);
    if verb.minus {
        formatted + &padding
    } else {
        padding + &formatted
    }
}

/// The magnitude of an integral number, or `None` when it is not an integer.
fn integer_digits(n: &Number) -> Option<BigUint> {
    if !n.is_integer() {
        return None;
    }
    n.to_bigint().map(|i| i.magnitude().clone())
}

/// An integer as Go's `big.Int` formats itself for `%b %d %o %x %X`.
fn format_integer(verb: &Verb, negative: bool, magnitude: &BigUint) -> String {
    let radix = match verb.mode {
        'b' => 2,
        'o' => 8,
        'x' | 'X' => 16,
        _ => 10,
    };
    let mut digits = magnitude.to_str_radix(radix);
    if verb.mode == 'X' {
        digits = digits.to_ascii_uppercase();
    }
    let sign = if negative {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let prefix = match (verb.sharp, verb.mode) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(precision) = verb.precision {
        if digits.len() < precision {
            zeros = precision - digits.len();
        } else if digits == "0" && precision == 0 {
            return String::new();
        }
    }
    let (mut left, mut right) = (0, 0);
    let length = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(width) = verb.width.filter(|w| *w > length) {
        let padding = width - length;
        if verb.minus {
            right = padding;
        } else if verb.zero && verb.precision.is_none() {
            zeros = padding;
        } else {
            left = padding;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// A number as Go's `big.Float` formats itself for `%e %E %f %g %G`: flags, sign and width
/// around the digits of [`go_float_text`].
fn format_float(verb: &Verb, n: &Number) -> String {
    let precision = match (verb.mode, verb.precision) {
        (_, Some(p)) => Some(p),
        ('g' | 'G', None) => None,
        (_, None) => Some(6),
    };
    let text = go_float_text(n, verb.mode, precision);
    let (sign, body) = if let Some(body) = text.strip_prefix('-') {
        ("-", body)
    } else if let Some(body) = text.strip_prefix('+') {
        (if verb.space { " " } else { "+" }, body)
    } else if verb.plus {
        ("+", text.as_str())
    } else if verb.space {
        (" ", text.as_str())
    } else {
        ("", text.as_str())
    };
    let padding = verb
        .width
        .map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    // Go's fmt drops the zero flag when the minus flag is present.
    if verb.zero && !verb.minus && !n.is_infinite() {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// Go's `big.Float.Text(mode, precision)` for `e E f g G` (`None` = shortest).
fn go_float_text(n: &Number, mode: char, precision: Option<usize>) -> String {
    let precision = precision.map_or(-1, |p| i64::try_from(p).unwrap_or(i64::MAX / 2));
    n.text(mode, precision)
}

#[cfg(test)]
mod tests {
    //! Expected values are Terraform 1.0.3's answers.
    use crate::functions::test_support::call_fn;
    use crate::number::Number;
    use crate::value::{Type, Value};
    use std::collections::BTreeMap;

    fn num(text: &str) -> Value {
        Value::number(Number::parse(text).expect("number"))
    }
    fn third() -> Value {
        Value::number(
            Number::parse("1")
                .unwrap()
                .div(&Number::parse("3").unwrap()),
        )
    }
    fn sqrt2() -> Value {
        Value::number(Number::from_f64(2f64.sqrt()))
    }
    fn s(text: &str) -> Value {
        Value::string(text)
    }
    fn format(f: &str, args: Vec<Value>) -> String {
        let mut all = vec![s(f)];
        all.extend(args);
        match call_fn("format", all) {
            Ok(v) => v.as_str().expect("a string").to_string(),
            Err(e) => format!("error: {}", e.message),
        }
    }

    #[test]
    fn numbers_round_on_their_exact_binary_value() {
        assert_eq!(format("%.1f", vec![num("0.15")]), "0.2");
        assert_eq!(format("%.1f", vec![num("0.35")]), "0.3");
        assert_eq!(format("%.1f", vec![num("0.25")]), "0.2");
        assert_eq!(format("%.2f", vec![num("1.005")]), "1.00");
        assert_eq!(format("%.0f", vec![num("2.5")]), "2");
        assert_eq!(format("%.20f", vec![num("0.1")]), "0.10000000000000000000");
        assert_eq!(
            format("%.60f", vec![sqrt2()]),
            "1.414213562373095145474621858738828450441360473632812500000000"
        );
        assert_eq!(
            format("%f %e", vec![sqrt2(), sqrt2()]),
            "1.414214 1.414214e+00"
        );
    }

    #[test]
    fn float_verbs() {
        assert_eq!(format("%v", vec![num("1000000")]), "1e+06");
        assert_eq!(
            format(
                "%e %E %g %G %f",
                vec![
                    num("123456789"),
                    num("0.000012345"),
                    num("1e21"),
                    num("1e-5"),
                    third()
                ]
            ),
            "1.234568e+08 1.234500E-05 1e+21 1E-05 0.333333"
        );
        assert_eq!(
            format("%g %g %g", vec![num("100000"), num("1e-4"), num("1e-5")]),
            "100000 0.0001 1e-05"
        );
        assert_eq!(
            format(
                "%.3g %.10g %.3g",
                vec![num("1234567"), third(), num("0.0001234")]
            ),
            "1.23e+06 0.3333333333 0.000123"
        );
        assert_eq!(
            format(
                "%+.3e|%010.2f|%-10.2f|% f",
                vec![num("1234.5678"), num("-3.14159"), num("3.14159"), num("2")]
            ),
            "+1.235e+03|-000003.14|3.14      | 2.000000"
        );
        assert_eq!(
            format("%f", vec![num("1e100")]),
            format!("1{}.000000", "0".repeat(100))
        );
    }

    #[test]
    fn integer_verbs() {
        let args = ["255", "255", "8", "5", "5", "5", "-5", "5", "5", "5"];
        assert_eq!(
            format(
                "%#x %X %o %b %+d % d %05d %-5d| %.3d %8.3d",
                args.iter().map(|a| num(a)).collect()
            ),
            "0xff FF 10 101 +5  5 -0005 5    | 005      005"
        );
        assert_eq!(
            format("%d", vec![num("1e30")]),
            "1000000000000000000000000000000"
        );
        assert_eq!(format("%x", vec![num("-255")]), "-ff");
        assert_eq!(format("%.0d|%.d", vec![num("0"), num("0")]), "|");
        assert_eq!(format("%00d", vec![num("1")]), "1");
        assert_eq!(format("%.x", vec![num("1")]), "1");
        assert_eq!(format("%d", vec![s("12")]), "12");
    }

    #[test]
    fn strings_bools_and_values() {
        assert_eq!(format("%-05s|", vec![s("ab")]), "ab000|");
        assert_eq!(
            format("%q", vec![s("<a&b>")]),
            "\"\\u003ca\\u0026b\\u003e\""
        );
        assert_eq!(
            format("%t %t", vec![Value::Bool(true), s("false")]),
            "true false"
        );
        assert_eq!(
            format("%s %s", vec![num("1.5"), Value::Bool(true)]),
            "1.5 true"
        );
        assert_eq!(
            format("%5t|%-5d|%05s", vec![Value::Bool(true), num("3"), s("a")]),
            "true|3    |0000a"
        );
        assert_eq!(
            format("%5.2s|%-6q|%05v", vec![s("héllo"), s("x"), num("12")]),
            "   hé|\"x\"   |00012"
        );
        assert_eq!(
            format(
                "%.3v|%10v|%-10v|",
                vec![num("3.14159"), s("abc"), Value::Bool(true)]
            ),
            "3.14159|       abc|true      |"
        );
        let object: BTreeMap<String, Value> =
            [("a".to_string(), num("1")), ("b".to_string(), s("<"))]
                .into_iter()
                .collect();
        assert_eq!(
            format(
                "%v %v %v %#v",
                vec![
                    Value::Null(Type::Dynamic),
                    Value::Bool(true),
                    Value::object(object),
                    s("x")
                ]
            ),
            "null true {\"a\":1,\"b\":\"\\u003c\"} \"x\""
        );
        let tuple = Value::tuple(vec![Value::Null(Type::Dynamic), num("1e100"), num("0.1")]);
        assert_eq!(
            format("%v", vec![tuple]),
            format!("[null,1{},0.1]", "0".repeat(100))
        );
        assert_eq!(format("%v", vec![Value::empty_object()]), "{}");
        let set = Value::set(Type::String, vec![s("b"), s("a")]);
        assert_eq!(format("%v", vec![set]), "[\"a\",\"b\"]");
        assert_eq!(format("%v", vec![s("\u{2028}")]), "\u{2028}");
        assert_eq!(
            format("%q", vec![s("\u{1}\u{8}\u{2028}")]),
            "\"\\u0001\\u0008\\u2028\""
        );
    }

    #[test]
    fn argument_indexes() {
        assert_eq!(format("%[2]s %[1]s", vec![s("a"), s("b")]), "b a");
        assert_eq!(
            format("%[2]s %s %[1]s %s", vec![s("a"), s("b")]),
            "error: not enough arguments for \"%s\" at 6: need index 3 but have 2 total"
        );
        assert_eq!(
            format("%[3]d", vec![num("1")]),
            "error: not enough arguments for \"%[3]d\" at 0: need index 3 but have 1 total"
        );
        assert_eq!(format("%%|%5.1[1]f", vec![num("2")]), "%|  2.0");
    }

    #[test]
    fn errors() {
        assert_eq!(
            format("%5", vec![]),
            "error: invalid format string starting at offset 2"
        );
        assert_eq!(
            format("abc%", vec![]),
            "error: invalid format string starting at offset 4"
        );
        assert_eq!(
            format("%z", vec![num("1")]),
            "error: unsupported format verb 'z' in \"%z\" at offset 0"
        );
        assert_eq!(
            format("%%|%c", vec![num("1")]),
            "error: unsupported format verb 'c' in \"%c\" at offset 3"
        );
        assert_eq!(
            format("%d", vec![num("1.5")]),
            "error: unsupported value for \"%d\" at 0: an integer is required"
        );
        assert_eq!(
            format("%s", vec![Value::tuple(vec![num("1")])]),
            "error: unsupported value for \"%s\" at 0: string required"
        );
        assert_eq!(
            format("%s", vec![Value::Null(Type::Dynamic)]),
            "error: unsupported value for \"%s\" at 0: null value cannot be formatted"
        );
        assert_eq!(
            format("%d %d", vec![num("1")]),
            "error: not enough arguments for \"%d\" at 3: need index 2 but have 1 total"
        );
        assert_eq!(
            format("%[0]d", vec![num("1")]),
            "error: unrecognized format character '0' at offset 2"
        );
        assert_eq!(
            format("%é", vec![num("1")]),
            "error: unrecognized format character 'é' at offset 1"
        );
        let e = call_fn("format", vec![s("a"), num("1")]).unwrap_err();
        assert_eq!(e.message, "too many arguments; no verbs in format string");
        assert_eq!(e.arg, Some(1));
        let e = call_fn("format", vec![s("%s"), s("a"), s("b")]).unwrap_err();
        assert_eq!(
            e.message,
            "too many arguments; only 1 used by format string"
        );
        assert_eq!(e.arg, Some(2));
    }

    #[test]
    fn unknown_arguments_give_an_unknown_string() {
        let list = Value::tuple(vec![Value::Unknown(Type::String)]);
        assert_eq!(
            call_fn("format", vec![s("%v"), list]).unwrap(),
            Value::Unknown(Type::String)
        );
    }

    fn strings(items: &[&str]) -> Value {
        Value::list(Type::String, items.iter().map(|i| s(i)).collect())
    }
    fn formatlist(args: Vec<Value>) -> Result<Value, String> {
        call_fn("formatlist", args).map_err(|e| e.message)
    }

    #[test]
    fn formatlist_iterates_sequences_together() {
        let pair = Value::tuple(vec![s("a"), s("b")]);
        assert_eq!(
            formatlist(vec![s("%s-%s"), pair.clone(), s("x")]),
            Ok(strings(&["a-x", "b-x"]))
        );
        assert_eq!(
            formatlist(vec![
                s("%s=%d"),
                pair,
                Value::tuple(vec![num("1"), num("2")])
            ]),
            Ok(strings(&["a=1", "b=2"]))
        );
        assert_eq!(formatlist(vec![s("x")]), Ok(strings(&["x"])));
        assert_eq!(
            formatlist(vec![s("%s"), Value::tuple(vec![])]),
            Ok(strings(&[]))
        );
        assert_eq!(
            formatlist(vec![s("%s %s"), s("a"), s("b")]),
            Ok(strings(&["a b"]))
        );
        let nested = Value::tuple(vec![
            Value::tuple(vec![num("1")]),
            Value::tuple(vec![num("2")]),
        ]);
        assert_eq!(
            formatlist(vec![s("%v"), nested]),
            Ok(strings(&["[1]", "[2]"]))
        );
        let set = Value::set(Type::String, vec![s("b"), s("a")]);
        assert_eq!(formatlist(vec![s("%s"), set]), Ok(strings(&["a", "b"])));
    }

    #[test]
    fn formatlist_errors() {
        let e = call_fn(
            "formatlist",
            vec![
                s("%s"),
                Value::tuple(vec![s("a")]),
                Value::tuple(vec![s("b"), s("c")]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "argument 2 has length 2, which is inconsistent with argument 1 of length 1"
        );
        assert_eq!(e.arg, Some(2));
        assert_eq!(
            formatlist(vec![s("%d"), Value::tuple(vec![s("a")])]),
            Err("error on format iteration 0: unsupported value for \"%d\" at 0: a number is required".into())
        );
        assert_eq!(
            formatlist(vec![s("%s")]),
            Err("not enough arguments for \"%s\" at 0: need index 1 but have 0 total".into())
        );
    }

    #[test]
    fn formatlist_with_unknowns() {
        let partly = Value::tuple(vec![s("a"), Value::Unknown(Type::String)]);
        assert_eq!(
            formatlist(vec![s("%s"), partly]),
            Ok(Value::list(
                Type::String,
                vec![s("a"), Value::Unknown(Type::String)]
            ))
        );
        assert_eq!(
            formatlist(vec![s("%s"), Value::Unknown(Type::list(Type::String))]),
            Ok(Value::Unknown(Type::list(Type::String)))
        );
    }
}
