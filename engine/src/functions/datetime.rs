//! Built-in functions: date and time family (`formatdate`, `timeadd`, `timecmp`,
//! `timestamp`, `plantimestamp`).
//!
//! Timestamps are read as Go's `time.Parse` reads RFC 3339 (so errors name the same parts
//! of the text), durations as Go's `time.ParseDuration`, and calendar arithmetic is done with
//! `chrono`.

use super::string::go_quote;
use super::{number_return, string_return, FnContext, FnError, FnResult, Param, Registry};
use crate::value::{Type, Value};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

pub(super) fn register(r: &mut Registry) {
    r.add(
        "formatdate",
        vec![
            Param::new("format", Type::String),
            Param::new("time", Type::String),
        ],
        string_return,
        formatdate,
    );
    r.add(
        "timeadd",
        vec![
            Param::new("timestamp", Type::String),
            Param::new("duration", Type::String),
        ],
        string_return,
        timeadd,
    );
    r.add(
        "timecmp",
        vec![
            Param::new("timestamp_a", Type::String),
            Param::new("timestamp_b", Type::String),
        ],
        number_return,
        timecmp,
    );
    r.add("timestamp", vec![], string_return, |_, _| {
        let now = chrono::Utc::now().naive_utc();
        Ok(Value::string(
            Timestamp {
                local: now,
                offset_secs: 0,
            }
            .rfc3339(),
        ))
    });
    // Without a plan (validation), the plan's timestamp is not known yet.
    r.add("plantimestamp", vec![], string_return, |ctx, _| {
        Ok(match ctx.plan_timestamp {
            "" => Value::Unknown(Type::String),
            t => Value::string(t),
        })
    });
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or_default()
}

/// A point in time as Go keeps it after parsing: the wall-clock time in its own fixed
/// offset from UTC.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Timestamp {
    local: NaiveDateTime,
    offset_secs: i32,
}

impl Timestamp {
    fn utc(&self) -> NaiveDateTime {
        self.local - chrono::Duration::seconds(i64::from(self.offset_secs))
    }

    /// The offset as Go's `-0700` (`colon` false) or `-07:00` (`colon` true) layouts write it.
    fn offset_text(&self, colon: bool) -> String {
        let sign = if self.offset_secs < 0 { '-' } else { '+' };
        let minutes = self.offset_secs.unsigned_abs() / 60;
        let sep = if colon { ":" } else { "" };
        format!("{sign}{:02}{sep}{:02}", minutes / 60, minutes % 60)
    }

    /// Go's `Format(time.RFC3339)`.
    fn rfc3339(&self) -> String {
        let zone = if self.offset_secs == 0 {
            "Z".to_string()
        } else {
            self.offset_text(true)
        };
        format!("{}{zone}", self.local.format("%Y-%m-%dT%H:%M:%S"))
    }
}

/// A failed parse, described as Go's `*time.ParseError` describes it: the layout element
/// being matched, the text remaining at that point, and an optional message.
struct ParseFailure {
    layout_elem: &'static str,
    value_elem: String,
    message: String,
}

fn fail(layout_elem: &'static str, value: &[u8], message: &str) -> ParseFailure {
    ParseFailure {
        layout_elem,
        value_elem: String::from_utf8_lossy(value).into_owned(),
        message: message.to_string(),
    }
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(value: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let digit = |i: usize| {
        value
            .get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
    };
    let first = digit(0)?;
    match digit(1) {
        Some(second) => Some((first * 10 + second, &value[2..])),
        None if fixed => None,
        None => Some((first, &value[1..])),
    }
}

/// Go's `atoi` as `time` uses it: an optional sign, then one or more digits.
fn go_atoi(text: &[u8]) -> Option<i64> {
    let (neg, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(if neg { -n } else { n })
}

fn expect_literal<'a>(value: &'a [u8], literal: &'static str) -> Result<&'a [u8], ParseFailure> {
    match value.strip_prefix(literal.as_bytes()) {
        Some(rest) => Ok(rest),
        None => Err(fail(literal, value, "")),
    }
}

/// Go's `time.Parse(time.RFC3339, text)`.
fn go_parse_rfc3339(text: &str) -> Result<Timestamp, ParseFailure> {
    let value = text.as_bytes();
    if value.len() < 4 || !value[0].is_ascii_digit() {
        return Err(fail("2006", value, ""));
    }
    let year = go_atoi(&value[..4]).ok_or_else(|| fail("2006", value, ""))? as i32;
    let value = expect_literal(&value[4..], "-")?;
    let (month, rest) = getnum(value, true).ok_or_else(|| fail("01", value, ""))?;
    if !(1..=12).contains(&month) {
        return Err(fail("01", rest, ": month out of range"));
    }
    let value = expect_literal(rest, "-")?;
    let (day, rest) = getnum(value, true).ok_or_else(|| fail("02", value, ""))?;
    let value = expect_literal(rest, "T")?;
    let (hour, rest) = getnum(value, false).ok_or_else(|| fail("15", value, ""))?;
    if hour >= 24 {
        return Err(fail("15", rest, ": hour out of range"));
    }
    let value = expect_literal(rest, ":")?;
    let (minute, rest) = getnum(value, true).ok_or_else(|| fail("04", value, ""))?;
    if minute >= 60 {
        return Err(fail("04", rest, ": minute out of range"));
    }
    let value = expect_literal(rest, ":")?;
    let (second, mut rest) = getnum(value, true).ok_or_else(|| fail("05", value, ""))?;
    if second >= 60 {
        return Err(fail("05", rest, ": second out of range"));
    }
    let mut nanos: u32 = 0;
    if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
        let n = 1 + rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let digits: String = rest[1..n.min(10)].iter().map(|b| char::from(*b)).collect();
        nanos = format!("{digits:0<9}").parse().unwrap_or(0);
        rest = &rest[n..];
    }
    let value = rest;
    let (offset_secs, rest) = if value.first() == Some(&b'Z') {
        (0, &value[1..])
    } else {
        let bad = || fail("Z07:00", value, "");
        if value.len() < 6 || value[3] != b':' {
            return Err(bad());
        }
        let hours = go_atoi(&value[1..3]).ok_or_else(bad)?;
        let minutes = go_atoi(&value[4..6]).ok_or_else(bad)?;
        let magnitude = (hours * 60 + minutes) * 60;
        let offset = match value[0] {
            b'+' => magnitude,
            b'-' => -magnitude,
            _ => return Err(bad()),
        };
        (offset as i32, &value[6..])
    };
    if !rest.is_empty() {
        let extra = String::from_utf8_lossy(rest);
        return Err(fail("", rest, &format!(": extra text: {extra}")));
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).filter(|_| day >= 1);
    let Some(date) = date else {
        return Err(fail("", b"", ": day out of range"));
    };
    let local = date
        .and_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(|| fail("", b"", ""))?;
    Ok(Timestamp { local, offset_secs })
}

/// Reads an RFC 3339 timestamp, with the error messages of cty's `parseTimestamp`.
fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let e = match go_parse_rfc3339(text) {
        Ok(t) => return Ok(t),
        Err(e) => e,
    };
    if e.layout_elem.is_empty() && e.value_elem.is_empty() && !e.message.is_empty() {
        return Err(format!("not a valid RFC3339 timestamp{}", e.message));
    }
    let what = match e.layout_elem {
        "2006" => "year",
        "01" => "month",
        "02" => "day of month",
        "15" => "hour",
        "04" => "minute",
        "05" => "second",
        "Z07:00" => "UTC offset",
        "T" => {
            return Err(
                "not a valid RFC3339 timestamp: missing required time introducer 'T'".into(),
            );
        }
        ":" | "-" => {
            return Err(if e.value_elem.is_empty() {
                format!(
                    "not a valid RFC3339 timestamp: end of string where {} is expected",
                    go_quote(e.layout_elem)
                )
            } else {
                format!(
                    "not a valid RFC3339 timestamp: found {} where {} is expected",
                    go_quote(&e.value_elem),
                    go_quote(e.layout_elem)
                )
            });
        }
        _ => "timestamp segment",
    };
    if e.value_elem.is_empty() {
        Err(format!(
            "not a valid RFC3339 timestamp: end of string before {what}"
        ))
    } else {
        Err(format!(
            "not a valid RFC3339 timestamp: cannot use {} as {what}",
            go_quote(&e.value_elem)
        ))
    }
}

/// Splits a `formatdate` format into tokens: quoted literals, runs of one letter (verbs),
/// and runs of other text, as cty's scanner does.
fn split_format(format: &[u8]) -> Vec<&[u8]> {
    let mut tokens = Vec::new();
    let mut data = format;
    while !data.is_empty() {
        let len = if data[0] == b'\'' {
            if data.get(1) == Some(&b'\'') {
                2
            } else {
                let mut end = data.len();
                let mut i = 1;
                while i < data.len() {
                    if data[i] == b'\'' {
                        if i + 1 == data.len() {
                            break;
                        }
                        if data[i + 1] == b'\'' {
                            i += 2;
                            continue;
                        }
                        end = i + 1;
                        break;
                    }
                    i += 1;
                }
                end
            }
        } else if data[0].is_ascii_alphabetic() {
            1 + data[1..].iter().take_while(|b| **b == data[0]).count()
        } else {
            1 + data[1..]
                .iter()
                .take_while(|b| **b != b'\'' && !b.is_ascii_alphabetic())
                .count()
        };
        tokens.push(&data[..len]);
        data = &data[len..];
    }
    tokens
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn formatdate(_: &FnContext, args: &[Value]) -> FnResult {
    let t = parse_timestamp(str_arg(args, 1)).map_err(|e| FnError::arg(1, e))?;
    let mut out: Vec<u8> = Vec::new();
    for tok in split_format(str_arg(args, 0).as_bytes()) {
        if tok[0] == b'\'' {
            if tok.len() == 1 || tok[tok.len() - 1] != b'\'' {
                return Err(FnError::arg(0, "unterminated literal '"));
            }
            if tok.len() == 2 {
                out.push(b'\'');
            } else {
                let raw = &tok[1..tok.len() - 1];
                let mut i = 0;
                while i < raw.len() {
                    out.push(raw[i]);
                    if raw[i] == b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
            }
        } else if tok[0].is_ascii_alphabetic() {
            let text = format_verb(&t, tok).map_err(|e| FnError::arg(0, e))?;
            out.extend_from_slice(text.as_bytes());
        } else {
            out.extend_from_slice(tok);
        }
    }
    Ok(Value::string(String::from_utf8_lossy(&out).into_owned()))
}

fn format_verb(t: &Timestamp, tok: &[u8]) -> Result<String, String> {
    let verb = String::from_utf8_lossy(tok);
    let bad = |rule: &str| {
        let quoted = go_quote(&verb);
        if rule.is_empty() {
            format!("invalid date format verb {quoted}")
        } else {
            format!("invalid date format verb {quoted}: {rule}")
        }
    };
    let one_or_two = |n: u32, rule: &str| match tok.len() {
        1 => Ok(n.to_string()),
        2 => Ok(format!("{n:02}")),
        _ => Err(bad(rule)),
    };
    let local = &t.local;
    match tok[0] {
        b'Y' => match tok.len() {
            2 => Ok(format!("{:02}", local.year().rem_euclid(100))),
            4 => Ok(format!("{:04}", local.year())),
            _ => Err(bad("year must either be \"YY\" or \"YYYY\"")),
        },
        b'M' => {
            let name = MONTHS[local.month0() as usize];
            match tok.len() {
                1 | 2 => one_or_two(local.month(), ""),
                3 => Ok(name[..3].to_string()),
                4 => Ok(name.to_string()),
                _ => Err(bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"")),
            }
        }
        b'D' => one_or_two(local.day(), "day of month must either be \"D\" or \"DD\""),
        b'E' => {
            let name = WEEKDAYS[local.weekday().num_days_from_sunday() as usize];
            match tok.len() {
                3 => Ok(name[..3].to_string()),
                4 => Ok(name.to_string()),
                _ => Err(bad("day of week must either be \"EEE\" or \"EEEE\"")),
            }
        }
        b'h' => one_or_two(local.hour(), "24-hour must either be \"h\" or \"hh\""),
        b'H' => {
            let h = match local.hour() % 12 {
                0 => 12,
                h => h,
            };
            one_or_two(h, "12-hour must either be \"H\" or \"HH\"")
        }
        b'A' | b'a' => {
            let letter = char::from(tok[0]);
            if tok.len() != 2 {
                return Err(bad(&format!("must be \"{letter}{letter}\"")));
            }
            let pm = local.hour() >= 12;
            Ok(match (tok[0] == b'A', pm) {
                (true, false) => "AM",
                (true, true) => "PM",
                (false, false) => "am",
                (false, true) => "pm",
            }
            .to_string())
        }
        b'm' => one_or_two(local.minute(), "minute must either be \"m\" or \"mm\""),
        b's' => one_or_two(local.second(), "second must either be \"s\" or \"ss\""),
        b'Z' => match tok.len() {
            1 if t.offset_secs == 0 => Ok("Z".into()),
            1 => Ok(t.offset_text(true)),
            3 if t.offset_text(false) == "+0000" => Ok("UTC".into()),
            3 | 4 => Ok(t.offset_text(false)),
            5 => Ok(t.offset_text(true)),
            _ => Err(bad("timezone must be Z, ZZZZ, or ZZZZZ")),
        },
        _ => Err(bad("")),
    }
}

/// Go's `time.ParseDuration`, in nanoseconds, with its error messages.
fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_time_quote(text));
    let mut s = text.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: i64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut whole: i64 = 0;
        for &b in &s[..int_len] {
            whole = whole
                .checked_mul(10)
                .and_then(|w| w.checked_add(i64::from(b - b'0')))
                .ok_or_else(invalid)?;
        }
        s = &s[int_len..];
        let mut fraction: i64 = 0;
        let mut scale: f64 = 1.0;
        let mut has_fraction_digits = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let frac_len = s.iter().take_while(|b| b.is_ascii_digit()).count();
            has_fraction_digits = frac_len > 0;
            let mut overflow = false;
            for &b in &s[..frac_len] {
                if overflow {
                    continue;
                }
                match fraction
                    .checked_mul(10)
                    .and_then(|f| f.checked_add(i64::from(b - b'0')))
                {
                    Some(f) => {
                        fraction = f;
                        scale *= 10.0;
                    }
                    None => overflow = true,
                }
            }
            s = &s[frac_len..];
        }
        if int_len == 0 && !has_fraction_digits {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .take_while(|b| **b != b'.' && !b.is_ascii_digit())
            .count();
        if unit_len == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                go_time_quote(text)
            ));
        }
        let unit_text = String::from_utf8_lossy(&s[..unit_len]).into_owned();
        s = &s[unit_len..];
        let unit: i64 = match unit_text.as_str() {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_time_quote(&unit_text),
                    go_time_quote(text)
                ));
            }
        };
        if whole > i64::MAX / unit {
            return Err(invalid());
        }
        let mut v = whole * unit;
        if fraction > 0 {
            v = v.wrapping_add((fraction as f64 * (unit as f64 / scale)) as i64);
            if v < 0 {
                return Err(invalid());
            }
        }
        total = total.wrapping_add(v);
        if total < 0 {
            return Err(invalid());
        }
    }
    Ok(if neg { -total } else { total })
}

/// The `time` package's own quoting: non-ASCII and control bytes as `\x..`.
fn go_time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || (c as u32) < 0x20 {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn timeadd(_: &FnContext, args: &[Value]) -> FnResult {
    let t = parse_timestamp(str_arg(args, 0)).map_err(FnError::new)?;
    let nanos = parse_duration(str_arg(args, 1)).map_err(FnError::new)?;
    let local = t
        .local
        .checked_add_signed(chrono::Duration::nanoseconds(nanos))
        .ok_or_else(|| FnError::new("time: result is out of range"))?;
    Ok(Value::string(Timestamp { local, ..t }.rfc3339()))
}

fn timecmp(_: &FnContext, args: &[Value]) -> FnResult {
    let a = parse_timestamp(str_arg(args, 0)).map_err(|e| FnError::arg(0, e))?;
    let b = parse_timestamp(str_arg(args, 1)).map_err(|e| FnError::arg(1, e))?;
    Ok(Value::int(match a.utc().cmp(&b.utc()) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::test_support::call_fn;

    fn s(v: &str) -> Value {
        Value::string(v)
    }
    fn fd(format: &str, time: &str) -> FnResult {
        call_fn("formatdate", vec![s(format), s(time)])
    }

    #[test]
    fn formatdate_formats() {
        assert_eq!(
            fd("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"),
            Ok(s("02 Jan 2018 23:12 UTC"))
        );
        assert_eq!(
            fd(
                "EEEE, DD-MMM-YY hh:mm:ss ZZZZZ",
                "2018-01-02T23:12:01-08:00"
            ),
            Ok(s("Tuesday, 02-Jan-18 23:12:01 -08:00"))
        );
        assert_eq!(
            fd("h:mm aa 'o''clock' Z ZZZZ", "2018-01-02T03:04:05+05:30"),
            Ok(s("3:04 am o'clock +05:30 +0530"))
        );
        assert_eq!(
            fd("H AA M D EEE MMMM ''", "2018-01-02T00:04:05.123456Z"),
            Ok(s("12 AM 1 2 Tue January '"))
        );
        assert_eq!(fd("YYYY", "2018-01-02T1:04:05Z"), Ok(s("2018")));
        assert_eq!(
            fd("hh:mm Z", "2018-01-02T00:04:05+25:00"),
            Ok(s("00:04 +25:00"))
        );
    }

    #[test]
    fn formatdate_errors() {
        let arg0 = |m: &str| Err(FnError::arg(0, m));
        let arg1 = |m: &str| Err(FnError::arg(1, m));
        let t = "2018-01-02T00:04:05Z";
        assert_eq!(
            fd("h a", t),
            arg0("invalid date format verb \"a\": must be \"aa\"")
        );
        assert_eq!(
            fd("Aa", t),
            arg0("invalid date format verb \"A\": must be \"AA\"")
        );
        assert_eq!(fd("'abc", t), arg0("unterminated literal '"));
        assert_eq!(
            fd("YYY", t),
            arg0("invalid date format verb \"YYY\": year must either be \"YY\" or \"YYYY\"")
        );
        assert_eq!(fd("x", t), arg0("invalid date format verb \"x\""));
        let cases = [
            (
                "2018-13-02T00:04:05Z",
                "cannot use \"-02T00:04:05Z\" as month",
            ),
            ("2018-02-30T00:04:05Z", "day out of range"),
            (
                "2018-01-02 00:04:05Z",
                "missing required time introducer 'T'",
            ),
            ("2018-01-02T25:04:05Z", "cannot use \":04:05Z\" as hour"),
            ("2018-01-02T00:04:05", "end of string before UTC offset"),
            (
                "2018-01-02T00:04:05Zx",
                "cannot use \"x\" as timestamp segment",
            ),
            ("", "end of string before year"),
            ("2018/01/02", "found \"/01/02\" where \"-\" is expected"),
            ("2018-01-02T00:04:60Z", "cannot use \"Z\" as second"),
            ("garbage", "cannot use \"garbage\" as year"),
        ];
        for (time, message) in cases {
            assert_eq!(
                fd("YYYY", time),
                arg1(&format!("not a valid RFC3339 timestamp: {message}")),
                "{time}"
            );
        }
    }

    #[test]
    fn timeadd_durations() {
        let ta = |t: &str, d: &str| call_fn("timeadd", vec![s(t), s(d)]);
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "10m"),
            Ok(s("2017-11-22T00:10:00Z"))
        );
        assert_eq!(
            ta("2017-11-22T00:00:00+05:00", "-1.5h"),
            Ok(s("2017-11-21T22:30:00+05:00"))
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1h2m3.5s"),
            Ok(s("2017-11-22T01:02:03Z"))
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1µs"),
            Ok(s("2017-11-22T00:00:00Z"))
        );
        assert_eq!(
            ta("2017-11-22T00:00:00+00:00", "0"),
            Ok(s("2017-11-22T00:00:00Z"))
        );
        assert_eq!(
            ta("2017-11-22T00:00:00.9Z", "0.2s"),
            Ok(s("2017-11-22T00:00:01Z"))
        );
        let err = |m: &str| Err(FnError::new(m));
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1x"),
            err("time: unknown unit \"x\" in duration \"1x\"")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1"),
            err("time: missing unit in duration \"1\"")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", ""),
            err("time: invalid duration \"\"")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "99999999999h"),
            err("time: invalid duration \"99999999999h\"")
        );
        assert_eq!(
            ta("garbage", "1s"),
            err("not a valid RFC3339 timestamp: cannot use \"garbage\" as year")
        );
    }

    #[test]
    fn timecmp_and_timestamps() {
        let tc = |a: &str, b: &str| call_fn("timecmp", vec![s(a), s(b)]);
        assert_eq!(
            tc("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"),
            Ok(Value::int(0))
        );
        assert_eq!(
            tc("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z"),
            Ok(Value::int(-1))
        );
        assert_eq!(
            tc("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z"),
            Ok(Value::int(1))
        );
        assert_eq!(
            tc("2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z"),
            Ok(Value::int(0))
        );
        assert_eq!(
            tc("2017-11-22T00:00:00Z", "x").unwrap_err(),
            FnError::arg(1, "not a valid RFC3339 timestamp: cannot use \"x\" as year")
        );
        assert_eq!(
            call_fn("plantimestamp", vec![]),
            Ok(s("2026-01-01T00:00:00Z"))
        );
        let now = call_fn("timestamp", vec![]).unwrap();
        let text = now.as_str().unwrap();
        assert!(
            parse_timestamp(text).is_ok() && text.ends_with('Z') && text.len() == 20,
            "{text}"
        );
    }
}
