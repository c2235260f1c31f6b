//! YAML for `yamldecode` and `yamlencode`, with the behaviour of the go-cty-yaml library
//! Terraform uses.
//!
//! Decoding reads events from `yaml-rust2` (a maintained, YAML 1.2 compliant parser that
//! reports each scalar's style and tag) and resolves scalars as go-cty-yaml does: its mix of
//! YAML 1.1 and 1.2 rules for booleans, nulls, numbers and timestamps, `!!binary`, merge
//! keys, anchors, and its single-document rule. Encoding reproduces the output of the
//! libyaml-derived emitter go-cty-yaml drives (double-quoted strings folded at 80 columns,
//! literal blocks for multi-line strings, indentless sequences in mappings), because the
//! exact text is what ends up in resource arguments.

use crate::convert::convert;
use crate::number::Number;
use crate::value::{Type, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

// ---------------------------------------------------------------------------------------
// Decoding

/// A scalar resolved: a value, or the merge key `<<`.
enum Resolved {
    Value(Value),
    Merge,
}

/// A decoding error with the position go-cty-yaml gives it (a zero-based line, which it
/// prints as is, and a one-based column; nothing when the line is zero).
fn positioned(mark: &Marker, message: impl Into<String>) -> String {
    positioned_at(mark.line(), mark.col(), message)
}

/// [`positioned`] for a one-based line and a zero-based column.
fn positioned_at(line: usize, col: usize, message: impl Into<String>) -> String {
    let line = line.saturating_sub(1);
    let message = message.into();
    if line == 0 {
        message
    } else {
        format!("on line {line}, column {}: {message}", col + 1)
    }
}

struct Decoder<'a> {
    source: &'a str,
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Value>,
    pending: HashSet<usize>,
    depth: usize,
}

/// Decodes one YAML document into objects, tuples and primitives.
pub(super) fn decode(source: &str) -> Result<Value, String> {
    let mut d = Decoder {
        source,
        parser: Parser::new_from_str(source),
        anchors: HashMap::new(),
        pending: HashSet::new(),
        depth: 0,
    };
    let (first, mark) = d.next()?;
    if first != Event::StreamStart {
        return Err(positioned(&mark, "missing stream start token"));
    }
    let (start, mark) = d.next()?;
    match start {
        Event::DocumentStart => {}
        // An empty document (or only comments): null, as current Terraform gives.
        Event::StreamEnd => return Ok(Value::Null(Type::Dynamic)),
        _ => return Err(positioned(&mark, "missing start of document")),
    }
    let value = d.node()?;
    let (end, mark) = d.next()?;
    match end {
        Event::DocumentEnd => {}
        Event::DocumentStart => return Err(positioned(&mark, "only a single document is allowed")),
        other => {
            return Err(positioned(
                &mark,
                format!(
                    "unexpected extra content ({}) after value",
                    event_name(&other)
                ),
            ));
        }
    }
    let (last, mark) = d.next()?;
    if last != Event::StreamEnd {
        return Err(positioned(&mark, "unexpected extra content after value"));
    }
    Ok(value)
}

fn event_name(e: &Event) -> &'static str {
    match e {
        Event::Nothing => "none",
        Event::StreamStart => "stream start",
        Event::StreamEnd => "stream end",
        Event::DocumentStart => "document start",
        Event::DocumentEnd => "document end",
        Event::Alias(_) => "alias",
        Event::Scalar(..) => "scalar",
        Event::SequenceStart(..) => "sequence start",
        Event::SequenceEnd => "sequence end",
        Event::MappingStart(..) => "mapping start",
        Event::MappingEnd => "mapping end",
    }
}

fn tag_text(tag: &Option<Tag>) -> String {
    tag.as_ref()
        .map(|t| format!("{}{}", t.handle, t.suffix))
        .unwrap_or_default()
}

impl Decoder<'_> {
    fn next(&mut self) -> Result<(Event, Marker), String> {
        self.parser.next_token().map_err(|e| {
            let mark = *e.marker();
            if e.info().contains("unknown anchor") {
                return positioned(
                    &mark,
                    format!("reference to undefined anchor {:?}", self.alias_name(&mark)),
                );
            }
            positioned(&mark, e.info())
        })
    }

    /// The column where a node begins counting its tag and anchor, as libyaml marks it: `mark` is where
    /// the parser puts the value itself, so this steps back over `!tag` and `&anchor` words.
    fn node_start(&self, mark: &Marker) -> usize {
        let line: Vec<char> = self
            .source
            .lines()
            .nth(mark.line().saturating_sub(1))
            .unwrap_or("")
            .chars()
            .collect();
        let mut col = mark.col().min(line.len());
        loop {
            let mut start = col;
            while start > 0 && line[start - 1].is_whitespace() {
                start -= 1;
            }
            let end = start;
            while start > 0 && !line[start - 1].is_whitespace() {
                start -= 1;
            }
            if start < end && (line[start] == '!' || line[start] == '&') {
                col = start;
            } else {
                break;
            }
        }
        col
    }

    /// The anchor name written after `*` at a position, for messages.
    fn alias_name(&self, mark: &Marker) -> String {
        self.source
            .chars()
            .skip(mark.index())
            .skip_while(|c| *c == '*')
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect()
    }

    fn node(&mut self) -> Result<Value, String> {
        let (event, mark) = self.next()?;
        self.node_from(event, mark)
    }

    fn node_from(&mut self, event: Event, mark: Marker) -> Result<Value, String> {
        if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..)) {
            if self.depth >= super::MAX_NESTING {
                return Err(positioned(&mark, "exceeded max depth"));
            }
            self.depth += 1;
            let result = self.collection(event, mark);
            self.depth -= 1;
            return result;
        }
        self.collection(event, mark)
    }

    /// [`Decoder::node_from`] without the depth check.
    fn collection(&mut self, event: Event, mark: Marker) -> Result<Value, String> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag_text(&tag);
                let value = match resolve_scalar(&tag, &text, style) {
                    Ok(Resolved::Value(v)) => v,
                    Ok(Resolved::Merge) => Value::string("<<"),
                    Err(e) => {
                        let col = if tag.is_empty() && anchor == 0 {
                            mark.col()
                        } else {
                            self.node_start(&mark)
                        };
                        return Err(positioned_at(mark.line(), col, e));
                    }
                };
                // A block scalar without a tag is typed as a string, whatever it resolves to.
                let value = if tag.is_empty()
                    && matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
                {
                    convert(&value, &Type::String).unwrap_or(value)
                } else {
                    value
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            Event::Alias(id) => {
                if self.pending.contains(&id) {
                    return Err(positioned(
                        &mark,
                        format!(
                            "cannot refer to anchor {:?} from inside its own definition",
                            self.alias_name(&mark)
                        ),
                    ));
                }
                self.anchors.get(&id).cloned().ok_or_else(|| {
                    positioned(
                        &mark,
                        format!("reference to undefined anchor {:?}", self.alias_name(&mark)),
                    )
                })
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag_text(&tag);
                if !tag.is_empty() && tag != format!("{TAG_PREFIX}seq") {
                    return Err(positioned(
                        &mark,
                        format!("can't interpret sequence as {tag}"),
                    ));
                }
                self.pending.insert(anchor);
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::SequenceEnd {
                        break;
                    }
                    items.push(self.node_from(event, mark)?);
                }
                self.complete(anchor, Value::tuple(items))
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag_text(&tag);
                if !tag.is_empty() && tag != format!("{TAG_PREFIX}map") {
                    return Err(positioned(
                        &mark,
                        format!("can't interpret mapping as {tag}"),
                    ));
                }
                self.pending.insert(anchor);
                let attrs = self.mapping_body()?;
                self.complete(anchor, Value::object(attrs))
            }
            Event::DocumentStart => Err(positioned(&mark, "only a single document is allowed")),
            Event::StreamEnd => Err(positioned(&mark, "expecting value but found end of stream")),
            other => Err(positioned(
                &mark,
                format!("unexpected parser event {}", event_name(&other)),
            )),
        }
    }

    fn complete(&mut self, anchor: usize, value: Value) -> Result<Value, String> {
        if anchor > 0 {
            self.pending.remove(&anchor);
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }

    fn mapping_body(&mut self) -> Result<BTreeMap<String, Value>, String> {
        let mut attrs = BTreeMap::new();
        loop {
            let (event, mark) = self.next()?;
            let (text, style, tag) = match event {
                Event::MappingEnd => return Ok(attrs),
                Event::Scalar(text, style, _, tag) => (text, style, tag),
                _ => {
                    return Err(positioned(
                        &mark,
                        "only strings are allowed as mapping keys",
                    ))
                }
            };
            let key = match resolve_scalar(&tag_text(&tag), &text, style)? {
                Resolved::Merge => {
                    let merged = self.node()?;
                    match merged {
                        Value::Object(m) | Value::Map(_, m) => {
                            for (k, v) in m.iter() {
                                attrs.insert(k.clone(), v.clone());
                            }
                        }
                        other => {
                            return Err(positioned(
                                &mark,
                                format!("cannot merge {} into mapping", other.ty().friendly_name()),
                            ));
                        }
                    }
                    continue;
                }
                Resolved::Value(v) => v,
            };
            let key = match convert(&key, &Type::String) {
                Ok(Value::String(s)) => s.to_string(),
                Ok(Value::Null(_)) => return Err(positioned(&mark, "mapping key cannot be null")),
                _ => {
                    return Err(positioned(
                        &mark,
                        "only strings are allowed as mapping keys",
                    ))
                }
            };
            let value = self.node()?;
            attrs.insert(key, value);
        }
    }
}

/// go-cty-yaml's scalar resolution: what a scalar's text means given its tag and style.
fn resolve_scalar(tag: &str, src: &str, style: TScalarStyle) -> Result<Resolved, String> {
    let full = |name: &str| format!("{TAG_PREFIX}{name}");
    let known = ["str", "bool", "int", "float", "null", "timestamp", "binary"];
    let tag_name = tag.strip_prefix(TAG_PREFIX);
    if !tag.is_empty() && !tag_name.is_some_and(|n| known.contains(&n)) {
        return Err(format!("unsupported tag {tag:?}"));
    }
    let tag_name = tag_name.unwrap_or("");
    let hint = match src.bytes().next() {
        None => Some(b'N'),
        Some(b'+' | b'-') => Some(b'S'),
        Some(b'0'..=b'9') => Some(b'D'),
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => {
            Some(b'M')
        }
        Some(b'.') => Some(b'.'),
        Some(_) => None,
    };
    let mut resolved_tag = tag_name.to_string();
    if hint.is_some() && tag_name != "str" && tag_name != "binary" {
        if matches!(
            style,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        ) {
            return Ok(Resolved::Value(Value::string(src)));
        }
        if let Some(v) = well_known_scalar(src) {
            return Ok(Resolved::Value(v));
        }
        if tag.is_empty() && matches!(src, ".nan" | ".NaN" | ".NAN") {
            return Err("floating point NaN is not supported".into());
        }
        match hint {
            Some(b'.') => {
                if let Some(n) = parse_decimal(src) {
                    return Ok(Resolved::Value(Value::number(n)));
                }
            }
            Some(b'D' | b'S') => {
                if tag.is_empty() || tag_name == "timestamp" {
                    if let Some(t) = parse_timestamp(src) {
                        return Ok(Resolved::Value(Value::string(t)));
                    }
                }
                if is_int_literal(src) {
                    resolved_tag = "int".into();
                } else if is_float_literal(src) {
                    resolved_tag = "float".into();
                }
            }
            _ => {}
        }
    }
    if tag.is_empty() && src == "<<" {
        return Ok(Resolved::Merge);
    }
    let cannot = |t: &str| format!("cannot parse {src:?} as {}", full(t));
    match resolved_tag.as_str() {
        "str" => Ok(Resolved::Value(Value::string(src))),
        "binary" => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(src)
                .map_err(|_| format!("{}: not valid base64", cannot("binary")))?;
            Ok(Resolved::Value(Value::string(src)))
        }
        "bool" => match well_known_scalar(src) {
            Some(v @ Value::Bool(_)) => Ok(Resolved::Value(v)),
            _ => Err(cannot("bool")),
        },
        "int" | "float" => {
            let plain = src.replace('_', "");
            if let Some(n) = parse_decimal(&plain) {
                return Ok(Resolved::Value(Value::number(n)));
            }
            if let Some(n) = parse_go_int(&plain) {
                return Ok(Resolved::Value(Value::number(n)));
            }
            Err(cannot(&resolved_tag))
        }
        "timestamp" => parse_timestamp(src)
            .map(|t| Resolved::Value(Value::string(t)))
            .ok_or_else(|| cannot("timestamp")),
        "null" => Ok(Resolved::Value(Value::Null(Type::Dynamic))),
        _ => Ok(Resolved::Value(Value::string(src))),
    }
}

/// The scalars go-cty-yaml knows by their exact text (YAML 1.1 booleans, nulls, infinities).
fn well_known_scalar(src: &str) -> Option<Value> {
    match src {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(Value::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => Some(Value::Null(Type::Dynamic)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            Some(Value::number(Number::from_f64(f64::INFINITY)))
        }
        "-.inf" | "-.Inf" | "-.INF" => Some(Value::number(Number::from_f64(f64::NEG_INFINITY))),
        _ => None,
    }
}

/// go-cty-yaml's integer pattern: an optional sign, then decimal digits, `0o` octal or `0x`
/// hexadecimal digits, underscores allowed anywhere (or nothing at all after the sign).
fn is_int_literal(src: &str) -> bool {
    let body = src.strip_prefix(['+', '-']).unwrap_or(src);
    let all = |s: &str, ok: fn(u8) -> bool| !s.is_empty() && s.bytes().all(|b| ok(b) || b == b'_');
    body.is_empty()
        || body
            .strip_prefix("0o")
            .is_some_and(|d| all(d, |b| (b'0'..=b'7').contains(&b)))
        || all(body, |b| b.is_ascii_digit())
        || body
            .strip_prefix("0x")
            .is_some_and(|d| all(d, |b| b.is_ascii_hexdigit()))
}

/// The YAML float pattern: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float_literal(src: &str) -> bool {
    let body = src.strip_prefix(['+', '-']).unwrap_or(src);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// cty's `ParseNumberVal` (Go's `big.ParseFloat` in base 10): a decimal number, or `inf`.
fn parse_decimal(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body == "inf" || body == "Inf" {
        return Some(Number::from_f64(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    if !is_float_literal(body) || body.starts_with(['+', '-']) {
        return None;
    }
    let mut normalized = String::with_capacity(body.len() + 2);
    if negative {
        normalized.push('-');
    }
    if body.starts_with('.') {
        normalized.push('0');
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    normalized.push_str(mantissa.strip_suffix('.').unwrap_or(mantissa));
    normalized.push_str(exponent);
    Number::parse(&normalized)
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: prefixes `0x`, `0o`, `0b` and a
/// leading `0` for octal.
fn parse_go_int(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        i64::try_from(-i128::from(magnitude))
            .ok()
            .map(Number::from_i64)
    } else {
        match i64::try_from(magnitude) {
            Ok(v) => Some(Number::from_i64(v)),
            Err(_) => Number::parse(&magnitude.to_string()),
        }
    }
}

/// A YAML timestamp in the forms go-cty-yaml accepts, written back as RFC 3339.
fn parse_timestamp(src: &str) -> Option<String> {
    let bytes = src.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    [
        Layout::DateTime(b'T'),
        Layout::DateTime(b't'),
        Layout::Spaced,
        Layout::DateOnly,
    ]
    .into_iter()
    .find_map(|layout| parse_with_layout(bytes, layout))
}

#[derive(Clone, Copy)]
enum Layout {
    /// `2006-1-2T15:4:5.999999999Z07:00` with the given separator.
    DateTime(u8),
    /// `2006-1-2 15:4:5.999999999`, in UTC.
    Spaced,
    /// `2006-1-2`.
    DateOnly,
}

/// Matches Go's `time.Parse` for one of the timestamp layouts.
fn parse_with_layout(value: &[u8], layout: Layout) -> Option<String> {
    fn num(v: &[u8]) -> Option<(u32, &[u8])> {
        let d0 = v.first().filter(|b| b.is_ascii_digit())?;
        match v.get(1).filter(|b| b.is_ascii_digit()) {
            Some(d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), &v[2..])),
            None => Some((u32::from(d0 - b'0'), &v[1..])),
        }
    }
    fn lit(v: &[u8], c: u8) -> Option<&[u8]> {
        (v.first() == Some(&c)).then(|| &v[1..])
    }
    let year: i32 = std::str::from_utf8(&value[..4]).ok()?.parse().ok()?;
    let v = lit(&value[4..], b'-')?;
    let (month, v) = num(v)?;
    let v = lit(v, b'-')?;
    let (day, mut v) = num(v)?;
    let (mut hour, mut minute, mut second, mut offset) = (0, 0, 0, 0i32);
    let mut zoned = false;
    let separator = match layout {
        Layout::DateTime(sep) => Some(sep),
        Layout::Spaced => Some(b' '),
        Layout::DateOnly => None,
    };
    if let Some(sep) = separator {
        let rest = lit(v, sep)?;
        let (h, rest) = num(rest)?;
        let rest = lit(rest, b':')?;
        let (m, rest) = num(rest)?;
        let rest = lit(rest, b':')?;
        let (s, mut rest) = num(rest)?;
        if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
            let n = rest[1..]
                .iter()
                .take(9)
                .take_while(|b| b.is_ascii_digit())
                .count();
            rest = &rest[1 + n..];
        }
        if let Layout::DateTime(_) = layout {
            if rest.first() == Some(&b'Z') {
                rest = &rest[1..];
            } else {
                if rest.len() < 6 || rest[3] != b':' {
                    return None;
                }
                let hh: i32 = std::str::from_utf8(&rest[1..3]).ok()?.parse().ok()?;
                let mm: i32 = std::str::from_utf8(&rest[4..6]).ok()?.parse().ok()?;
                offset = match rest[0] {
                    b'+' => (hh * 60 + mm) * 60,
                    b'-' => -(hh * 60 + mm) * 60,
                    _ => return None,
                };
                rest = &rest[6..];
            }
            zoned = true;
        }
        (hour, minute, second) = (h, m, s);
        v = rest;
    }
    if !v.is_empty() || !(1..=12).contains(&month) || hour >= 24 || minute >= 60 || second >= 60 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    let zone = if !zoned || offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.unsigned_abs() / 60;
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    };
    Some(format!(
        "{}T{hour:02}:{minute:02}:{second:02}{zone}",
        date.format("%Y-%m-%d")
    ))
}

// ---------------------------------------------------------------------------------------
// Encoding

/// Encodes a value as one YAML document, as go-cty-yaml's emitter writes it.
pub(super) fn encode(value: &Value) -> Result<String, String> {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        open_ended: false,
        root_context: false,
        mapping_context: false,
        simple_key_context: false,
    };
    e.node(value, true, false, false)?;
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    Ok(e.out)
}

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

#[derive(Clone, Copy, PartialEq)]
enum ScalarStyle {
    Plain,
    DoubleQuoted,
    Literal,
}

/// What libyaml's scalar analysis concludes about a text.
struct ScalarAnalysis {
    multiline: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    c == '\n'
        || (0x20..=0x7e).contains(&u)
        || (0xa0..=0xd7ff).contains(&u)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn analyze(value: &str) -> ScalarAnalysis {
    if value.is_empty() {
        return ScalarAnalysis {
            multiline: false,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let (mut line_breaks, mut special, mut trailing_space, mut space_break) =
        (false, false, false, false);
    let mut previous_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            previous_space = true;
        } else {
            if is_break(c) {
                line_breaks = true;
                space_break |= previous_space;
            }
            previous_space = false;
        }
    }
    ScalarAnalysis {
        multiline: line_breaks,
        block_allowed: !(trailing_space || space_break || special),
    }
}

/// A port of the parts of libyaml's emitter that go-cty-yaml's events reach.
struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn node(
        &mut self,
        value: &Value,
        root: bool,
        mapping: bool,
        simple_key: bool,
    ) -> Result<(), String> {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match value {
            Value::Null(_) => self.scalar("null", ScalarStyle::Plain),
            Value::Unknown(_) => Err("cannot serialize unknown value as YAML".into()),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, ScalarStyle::Plain),
            Value::Number(n) => self.scalar(&n.to_string(), ScalarStyle::Plain),
            Value::String(s) => {
                let style = if s.contains('\n') {
                    ScalarStyle::Literal
                } else {
                    ScalarStyle::DoubleQuoted
                };
                self.scalar(s, style)
            }
            Value::List(_, items) | Value::Set(_, items) | Value::Tuple(items) => {
                self.sequence(items)
            }
            Value::Map(_, attrs) | Value::Object(attrs) => self.mapping(attrs),
            Value::Sensitive(inner) => self.node(inner, root, mapping, simple_key),
        }
    }

    fn scalar(&mut self, text: &str, requested: ScalarStyle) -> Result<(), String> {
        let analysis = analyze(text);
        let mut style = requested;
        if self.simple_key_context && analysis.multiline {
            style = ScalarStyle::DoubleQuoted;
        }
        if style == ScalarStyle::Literal && (!analysis.block_allowed || self.simple_key_context) {
            style = ScalarStyle::DoubleQuoted;
        }
        self.increase_indent(true, false);
        match style {
            ScalarStyle::Plain => self.write_plain(text),
            ScalarStyle::DoubleQuoted => self.write_double_quoted(text, !self.simple_key_context),
            ScalarStyle::Literal => self.write_literal(text),
        }
        self.pop_indent();
        Ok(())
    }

    fn sequence(&mut self, items: &[Value]) -> Result<(), String> {
        if items.is_empty() {
            self.empty_flow_collection("[", "]");
            return Ok(());
        }
        let indentless = self.mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false, false, false)?;
        }
        self.pop_indent();
        Ok(())
    }

    fn mapping(&mut self, attrs: &BTreeMap<String, Value>) -> Result<(), String> {
        if attrs.is_empty() {
            self.empty_flow_collection("{", "}");
            return Ok(());
        }
        self.increase_indent(false, false);
        for (k, v) in attrs.iter() {
            self.write_indent();
            self.key_and_value(k, v)?;
        }
        self.pop_indent();
        Ok(())
    }

    /// An empty sequence or mapping, which the emitter always writes in flow style.
    fn empty_flow_collection(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    /// One entry of a block mapping: a simple `key: value`, or `? key` and `: value` for keys
    /// that are multi-line or longer than 128 bytes.
    fn key_and_value(&mut self, key: &str, value: &Value) -> Result<(), String> {
        let key_value = Value::string(key);
        if !analyze(key).multiline && key.len() <= 128 {
            self.node(&key_value, false, true, true)?;
            self.write_indicator(":", false, false, false);
        } else {
            self.write_indicator("?", true, false, true);
            self.node(&key_value, false, true, false)?;
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
        self.node(value, false, true, false)
    }

    fn write_plain(&mut self, text: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        for c in text.chars() {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
        if self.root_context {
            self.open_ended = true;
        }
    }

    fn write_double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let code = c as u32;
                        let (letter, width) = match code {
                            0..=0xff => ('x', 2),
                            0x100..=0xffff => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(letter);
                        for ch in format!("{code:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        self.open_ended = false;
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => {
                self.open_ended = true;
                Some("+")
            }
            [.., before, _] if is_break(*before) => {
                self.open_ended = true;
                Some("+")
            }
            _ => None,
        };
        if let Some(hint) = chomp {
            self.write_indicator(hint, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}
