//! Go's RE2 regular expressions on the `regex` crate, and the `regex` and `regexall`
//! functions.
//!
//! The two syntaxes are close; a Go pattern is translated before it is compiled so that it
//! means what it means in Go: `\d`, `\s`, `\w` and `\b` are ASCII-only, `\Q...\E` quotes,
//! a `{` that does not start a repetition is a literal, `[` inside a class is a literal, and
//! flag groups are written in the form the crate accepts. Syntax errors are reported with
//! Go's wording and the piece of the pattern Go quotes.

use super::{text, FnContext, FnError, FnResult};
use crate::functions::{Param, Registry};
use crate::value::{Type, Value};
use regex::{Regex, RegexBuilder};
use regex_syntax::ast::{self, Ast, ErrorKind};
use std::collections::BTreeMap;

pub(super) fn register(r: &mut Registry) {
    let params = || {
        vec![
            Param::new("pattern", Type::String),
            Param::new("string", Type::String),
        ]
    };
    r.add("regex", params(), regex_return, regex);
    r.add("regexall", params(), regexall_return, regexall);
}

/// Go's nesting limit for regular expressions.
const NEST_LIMIT: u32 = 1000;
/// Go's largest repetition count.
const MAX_REPEAT: u32 = 1000;

/// A syntax error, as Go's `regexp/syntax.Error`: what is wrong, and where.
#[derive(Debug, PartialEq)]
pub(crate) struct GoRegexError {
    code: &'static str,
    expr: String,
}

impl GoRegexError {
    /// Go's own message, as `replace` shows it.
    pub(crate) fn parse_message(&self) -> String {
        format!("error parsing regexp: {}: `{}`", self.code, self.expr)
    }
    /// cty's message for a bad pattern in `regex` and `regexall`.
    fn pattern_message(&self) -> String {
        format!("invalid regexp pattern: {} in {}", self.code, self.expr)
    }
}

const MISSING_PAREN: &str = "missing closing )";
const UNEXPECTED_PAREN: &str = "unexpected )";
const MISSING_BRACKET: &str = "missing closing ]";
const INVALID_CHAR_RANGE: &str = "invalid character class range";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const NESTING_DEPTH: &str = "expression nests too deeply";
const TOO_LARGE: &str = "expression too large";
const INTERNAL_ERROR: &str = "regexp/syntax: internal error";

/// The names of the ASCII classes Go knows (`[[:alpha:]]`).
const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Compiles a Go regular expression.
pub(crate) fn compile(pattern: &str) -> Result<Regex, GoRegexError> {
    let translated = Translation::of(pattern)?;
    let parsed = ast::parse::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(&translated.text)
        .map_err(|e| translated.ast_error(e.kind(), e.span()))?;
    ast::visit(
        &parsed,
        StackedRepetitionCheck {
            translation: &translated,
        },
    )?;
    regex_syntax::hir::translate::Translator::new()
        .translate(&translated.text, &parsed)
        .map_err(|e| {
            use regex_syntax::hir::ErrorKind as H;
            match e.kind() {
                H::UnicodePropertyNotFound | H::UnicodePropertyValueNotFound => {
                    translated.error_at(INVALID_CHAR_RANGE, e.span())
                }
                _ => GoRegexError {
                    code: INTERNAL_ERROR,
                    expr: pattern.to_string(),
                },
            }
        })?;
    RegexBuilder::new(&translated.text)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|_| GoRegexError {
            code: TOO_LARGE,
            expr: pattern.to_string(),
        })
}

/// A Go pattern rewritten for the `regex` crate, with, for every byte of the rewritten text,
/// the offset in the Go pattern it came from (to quote Go's pattern in errors).
struct Translation<'a> {
    pattern: &'a str,
    text: String,
    origin: Vec<usize>,
}

impl<'a> Translation<'a> {
    fn of(pattern: &'a str) -> Result<Translation<'a>, GoRegexError> {
        let mut t = Translation {
            pattern,
            text: String::new(),
            origin: Vec::new(),
        };
        let bytes = pattern.as_bytes();
        let mut in_class = false;
        let mut class_start = 0;
        let mut p = 0;
        while p < bytes.len() {
            let c = bytes[p];
            let char_len = pattern[p..].chars().next().map_or(1, char::len_utf8);
            if c == b'\\' {
                let Some(escaped) = pattern[p + 1..].chars().next() else {
                    return Err(GoRegexError {
                        code: TRAILING_BACKSLASH,
                        expr: String::new(),
                    });
                };
                let mut escape_end = p + 1 + escaped.len_utf8();
                // `\p{Greek}` and `\x{263a}` take their braces along.
                if matches!(escaped, 'p' | 'P' | 'x') && bytes.get(escape_end) == Some(&b'{') {
                    if let Some(close) = pattern[escape_end..].find('}') {
                        escape_end += close + 1;
                    }
                }
                if let Some((value, len)) = octal_escape(&bytes[p + 1..]) {
                    t.emit(&format!("\\x{{{value:x}}}"), p);
                    p += 1 + len;
                    continue;
                }
                match (escaped, in_class) {
                    ('Q', false) => {
                        let rest = &pattern[p + 2..];
                        let (literal, consumed) = match rest.find("\\E") {
                            Some(end) => (&rest[..end], end + 2),
                            None => (rest, rest.len()),
                        };
                        t.emit(&regex_syntax::escape(literal), p);
                        p += 2 + consumed;
                        continue;
                    }
                    ('d' | 'D' | 's' | 'S' | 'w' | 'W', _) => {
                        let set = match escaped.to_ascii_lowercase() {
                            'd' => "0-9",
                            's' => "\\t\\n\\x0C\\r ",
                            _ => "0-9A-Za-z_",
                        };
                        let class = match (escaped.is_ascii_uppercase(), in_class) {
                            (false, true) => set.to_string(),
                            (false, false) => format!("[{set}]"),
                            (true, _) => format!("[^{set}]"),
                        };
                        t.emit(&class, p);
                    }
                    ('b' | 'B', false) => t.emit(&format!("(?-u:\\{escaped})"), p),
                    _ => t.emit(&pattern[p..escape_end], p),
                }
                p = escape_end;
                continue;
            }
            if in_class {
                match c {
                    b']' if p >= class_start => in_class = false,
                    b'[' if bytes.get(p + 1) == Some(&b':') => {
                        if let Some(end) = pattern[p + 2..].find(":]") {
                            let class = &pattern[p..p + 2 + end + 2];
                            let name = class[2..class.len() - 2].trim_start_matches('^');
                            if !POSIX_CLASSES.contains(&name) {
                                return Err(GoRegexError {
                                    code: INVALID_CHAR_RANGE,
                                    expr: class.to_string(),
                                });
                            }
                            t.emit(class, p);
                            p += class.len();
                            continue;
                        }
                        t.emit("\\[", p);
                        p += 1;
                        continue;
                    }
                    b'[' | b'&' | b'~' | b']' => {
                        t.emit(&format!("\\{}", char::from(c)), p);
                        p += 1;
                        continue;
                    }
                    _ => {}
                }
                t.emit(&pattern[p..p + char_len], p);
                p += char_len;
                continue;
            }
            match c {
                b'[' => {
                    in_class = true;
                    t.emit("[", p);
                    p += 1;
                    if bytes.get(p) == Some(&b'^') {
                        t.emit("^", p);
                        p += 1;
                    }
                    // A `]` right at the start of a class is a literal.
                    class_start = p + 1;
                    continue;
                }
                b'(' if bytes.get(p + 1) == Some(&b'?') => {
                    p = t.group_flags(p)?;
                    continue;
                }
                b'{' => {
                    match repeat_braces(&pattern[p..]) {
                        Some((len, counts_ok)) => {
                            if !counts_ok {
                                return Err(GoRegexError {
                                    code: INVALID_REPEAT_SIZE,
                                    expr: pattern[p..p + len].to_string(),
                                });
                            }
                            t.emit(&pattern[p..p + len], p);
                            p += len;
                        }
                        None => {
                            t.emit("\\{", p);
                            p += 1;
                        }
                    }
                    continue;
                }
                b'}' => {
                    t.emit("\\}", p);
                    p += 1;
                    continue;
                }
                _ => {}
            }
            t.emit(&pattern[p..p + char_len], p);
            p += char_len;
        }
        t.origin.push(pattern.len());
        Ok(t)
    }

    fn emit(&mut self, text: &str, origin: usize) {
        self.text.push_str(text);
        self.origin.resize(self.origin.len() + text.len(), origin);
    }

    /// Rewrites a group opening `(?` at `start`: a named group is kept; a flag group is
    /// checked against Go's flags (`i`, `m`, `s`, `U`) and written out without repeats.
    /// Returns where the scan goes on.
    fn group_flags(&mut self, start: usize) -> Result<usize, GoRegexError> {
        let rest = &self.pattern[start + 2..];
        let unsupported = |end: usize| GoRegexError {
            code: INVALID_PERL_OP,
            expr: self.pattern[start..end.min(self.pattern.len())].to_string(),
        };
        if rest.starts_with("P<")
            || (rest.starts_with('<') && !rest.starts_with("<=") && !rest.starts_with("<!"))
        {
            let open = if rest.starts_with('P') { 4 } else { 3 };
            let Some(close) = rest.find('>') else {
                return Err(GoRegexError {
                    code: INVALID_NAMED_CAPTURE,
                    expr: self.pattern[start..].to_string(),
                });
            };
            let name = &rest[open - 2..close];
            let capture_end = start + 2 + close + 1;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(GoRegexError {
                    code: INVALID_NAMED_CAPTURE,
                    expr: self.pattern[start..capture_end].to_string(),
                });
            }
            let pattern = self.pattern;
            self.emit(&pattern[start..capture_end], start);
            return Ok(capture_end);
        }
        let mut set = String::new();
        let mut cleared = String::new();
        let mut negated = false;
        let mut saw_flag = false;
        for (i, c) in rest.char_indices() {
            let here = start + 2 + i;
            match c {
                'i' | 'm' | 's' | 'U' => {
                    saw_flag = true;
                    let (add, remove) = if negated {
                        (&mut cleared, &mut set)
                    } else {
                        (&mut set, &mut cleared)
                    };
                    remove.retain(|f| f != c);
                    if !add.contains(c) {
                        add.push(c);
                    }
                }
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                }
                ':' | ')' if !negated || saw_flag => {
                    let mut group = String::from("(?");
                    group.push_str(&set);
                    if !cleared.is_empty() {
                        group.push('-');
                        group.push_str(&cleared);
                    }
                    if c == ':' {
                        group.push(':');
                    } else if set.is_empty() && cleared.is_empty() {
                        // `(?)` sets nothing.
                        return Ok(here + 1);
                    } else {
                        group.push(')');
                    }
                    self.emit(&group, start);
                    return Ok(here + 1);
                }
                _ => return Err(unsupported(here + c.len_utf8())),
            }
        }
        Err(GoRegexError {
            code: MISSING_PAREN,
            expr: self.pattern.to_string(),
        })
    }

    /// The offset in the Go pattern of an offset in the translated text.
    fn original(&self, offset: usize) -> usize {
        self.origin
            .get(offset)
            .copied()
            .unwrap_or(self.pattern.len())
    }

    /// The Go pattern's text under a span of the translated text.
    fn error_at(&self, code: &'static str, span: &ast::Span) -> GoRegexError {
        let start = self.original(span.start.offset);
        let end = self.original(span.end.offset).max(start);
        let end = if span.end.offset > span.start.offset && end == start {
            // A translated construct: quote all of it.
            self.origin[span.start.offset..]
                .iter()
                .copied()
                .find(|o| *o > start)
                .unwrap_or(self.pattern.len())
        } else {
            end
        };
        GoRegexError {
            code,
            expr: self.pattern.get(start..end).unwrap_or_default().to_string(),
        }
    }

    fn ast_error(&self, kind: &ErrorKind, span: &ast::Span) -> GoRegexError {
        let whole = || self.pattern.to_string();
        let from = |offset: usize| {
            self.pattern
                .get(self.original(offset)..)
                .unwrap_or_default()
        };
        match kind {
            ErrorKind::GroupUnclosed => GoRegexError {
                code: MISSING_PAREN,
                expr: whole(),
            },
            ErrorKind::GroupUnopened => GoRegexError {
                code: UNEXPECTED_PAREN,
                expr: whole(),
            },
            ErrorKind::ClassUnclosed => GoRegexError {
                code: MISSING_BRACKET,
                expr: from(span.start.offset).to_string(),
            },
            ErrorKind::ClassRangeInvalid
            | ErrorKind::ClassRangeLiteral
            | ErrorKind::UnicodeClassInvalid => self.error_at(INVALID_CHAR_RANGE, span),
            ErrorKind::ClassEscapeInvalid
            | ErrorKind::EscapeHexEmpty
            | ErrorKind::EscapeHexInvalid
            | ErrorKind::EscapeHexInvalidDigit
            | ErrorKind::EscapeUnexpectedEof
            | ErrorKind::EscapeUnrecognized
            | ErrorKind::UnsupportedBackreference => self.error_at(INVALID_ESCAPE, span),
            ErrorKind::RepetitionMissing => {
                let op = from(span.start.offset);
                let mut len = match op.as_bytes().first() {
                    Some(b'{') => op.find('}').map_or(op.len(), |i| i + 1),
                    _ => op.chars().next().map_or(0, char::len_utf8),
                };
                if op[len..].starts_with('?') {
                    len += 1;
                }
                GoRegexError {
                    code: MISSING_REPEAT_ARGUMENT,
                    expr: op[..len].to_string(),
                }
            }
            ErrorKind::RepetitionCountInvalid
            | ErrorKind::RepetitionCountUnclosed
            | ErrorKind::RepetitionCountDecimalEmpty
            | ErrorKind::DecimalEmpty
            | ErrorKind::DecimalInvalid => self.error_at(INVALID_REPEAT_SIZE, span),
            ErrorKind::GroupNameDuplicate { .. }
            | ErrorKind::GroupNameEmpty
            | ErrorKind::GroupNameInvalid
            | ErrorKind::GroupNameUnexpectedEof => self.error_at(INVALID_NAMED_CAPTURE, span),
            ErrorKind::NestLimitExceeded(_) => GoRegexError {
                code: NESTING_DEPTH,
                expr: whole(),
            },
            ErrorKind::CaptureLimitExceeded => GoRegexError {
                code: TOO_LARGE,
                expr: whole(),
            },
            ErrorKind::UnsupportedLookAround
            | ErrorKind::FlagDanglingNegation
            | ErrorKind::FlagDuplicate { .. }
            | ErrorKind::FlagRepeatedNegation { .. }
            | ErrorKind::FlagUnexpectedEof
            | ErrorKind::FlagUnrecognized => self.error_at(INVALID_PERL_OP, span),
            _ => GoRegexError {
                code: INTERNAL_ERROR,
                expr: whole(),
            },
        }
    }
}

/// An octal escape as Go reads it after the backslash: `\0` and up to two more octal digits,
/// or a digit 1-7 followed by at least one more (a lone `\1` is a backreference, which Go
/// rejects). The character's value and the digits' length.
fn octal_escape(digits: &[u8]) -> Option<(u32, usize)> {
    let is_octal = |i: usize| digits.get(i).is_some_and(|d| (b'0'..=b'7').contains(d));
    if !is_octal(0) || (digits[0] != b'0' && !is_octal(1)) {
        return None;
    }
    let len = (0..3).take_while(|i| is_octal(*i)).count();
    let value = digits[..len]
        .iter()
        .fold(0, |v, d| v * 8 + u32::from(d - b'0'));
    Some((value, len))
}

/// The length of a repetition `{n}`, `{n,}` or `{n,m}` at the start of `s`, and whether its
/// counts are ones Go accepts; `None` when the brace is a literal in Go.
fn repeat_braces(s: &str) -> Option<(usize, bool)> {
    let close = s.find('}')?;
    let inside = &s[1..close];
    let (min, max) = match inside.split_once(',') {
        Some((min, max)) => (min, Some(max)),
        None => (inside, None),
    };
    let number = |d: &str| -> Option<u64> {
        if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(d.parse::<u64>().unwrap_or(u64::MAX))
    };
    let min = number(min)?;
    let max = match max {
        None => Some(min),
        Some("") => None,
        Some(m) => Some(number(m)?),
    };
    let limit = u64::from(MAX_REPEAT);
    let counts_ok = min <= limit && max.is_none_or(|m| m <= limit && m >= min);
    Some((close + 1, counts_ok))
}

/// Go rejects a repetition applied directly to a repetition (`a**`, `a{2}{3}`).
struct StackedRepetitionCheck<'t, 'a> {
    translation: &'t Translation<'a>,
}

impl ast::Visitor for StackedRepetitionCheck<'_, '_> {
    type Output = ();
    type Err = GoRegexError;

    fn finish(self) -> Result<(), GoRegexError> {
        Ok(())
    }

    fn visit_pre(&mut self, node: &Ast) -> Result<(), GoRegexError> {
        if let Ast::Repetition(outer) = node {
            if let Ast::Repetition(inner) = &*outer.ast {
                let span = ast::Span::new(inner.op.span.start, outer.op.span.end);
                return Err(self.translation.error_at(INVALID_REPEAT_OP, &span));
            }
        }
        Ok(())
    }
}

/// What a pattern's matches look like: the matched string when it has no capture groups, a
/// tuple of the groups when they are unnamed, an object when they are named.
fn result_type(re: &Regex) -> Result<Type, GoRegexError> {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named = names.iter().filter(|n| n.is_some()).count();
    let unnamed = names.len() - named;
    match (named, unnamed) {
        (0, 0) => Ok(Type::String),
        (0, n) => Ok(Type::tuple(vec![Type::String; n])),
        (_, 0) => Ok(Type::object(
            names
                .into_iter()
                .flatten()
                .map(|n| (n.to_string(), Type::String))
                .collect(),
        )),
        _ => Err(GoRegexError {
            code: "cannot mix both named and unnamed capture groups",
            expr: String::new(),
        }),
    }
}

fn pattern_error(e: &GoRegexError) -> FnError {
    if e.expr.is_empty() && e.code.starts_with("cannot mix") {
        return FnError::arg(0, format!("invalid regexp pattern: {}", e.code));
    }
    FnError::arg(0, e.pattern_message())
}

/// The compiled pattern and its result type, or the error `regex` reports for the pattern.
fn compile_with_type(args: &[Value]) -> Result<(Regex, Type), FnError> {
    let re = compile(text(&args[0])?).map_err(|e| pattern_error(&e))?;
    let ty = result_type(&re).map_err(|e| pattern_error(&e))?;
    Ok((re, ty))
}

fn regex_return(args: &[Value]) -> Type {
    if !args[0].is_known() {
        return Type::Dynamic;
    }
    compile_with_type(args).map_or(Type::Dynamic, |(_, ty)| ty)
}

fn regexall_return(args: &[Value]) -> Type {
    Type::list(regex_return(args))
}

fn match_value(re: &Regex, captures: &regex::Captures, ty: &Type) -> Value {
    let group = |i: usize| {
        captures
            .get(i)
            .map_or(Value::Null(Type::String), |m| Value::string(m.as_str()))
    };
    match ty {
        Type::Tuple(elems) => Value::tuple((1..=elems.len()).map(group).collect()),
        Type::Object(_) => {
            let attrs: BTreeMap<String, Value> = re
                .capture_names()
                .enumerate()
                .filter_map(|(i, name)| name.map(|n| (n.to_string(), group(i))))
                .collect();
            Value::object(attrs)
        }
        _ => group(0),
    }
}

fn regex(_: &FnContext, args: &[Value]) -> FnResult {
    let (re, ty) = compile_with_type(args)?;
    let captures = re
        .captures(text(&args[1])?)
        .ok_or_else(|| FnError::new("pattern did not match any part of the given string"))?;
    Ok(match_value(&re, &captures, &ty))
}

fn regexall(_: &FnContext, args: &[Value]) -> FnResult {
    let (re, ty) = compile_with_type(args)?;
    let matches: Vec<Value> = re
        .captures_iter(text(&args[1])?)
        .map(|c| match_value(&re, &c, &ty))
        .collect();
    Ok(Value::list(ty, matches))
}

#[cfg(test)]
mod tests {
    //! Expected values are Terraform 1.0.3's answers.
    use crate::functions::test_support::call_fn;
    use crate::value::{Type, Value};

    fn s(text: &str) -> Value {
        Value::string(text)
    }
    fn regex(pattern: &str, text: &str) -> Result<Value, String> {
        call_fn("regex", vec![s(pattern), s(text)]).map_err(|e| e.message)
    }
    fn pattern_error(pattern: &str) -> String {
        let e = call_fn("regex", vec![s(pattern), s("x")]).expect_err("a pattern error");
        assert_eq!(e.arg, Some(0), "{pattern}");
        e.message
    }

    #[test]
    fn result_shapes() {
        assert_eq!(regex("[a-z]+", "123abc456"), Ok(s("abc")));
        assert_eq!(
            regex("(\\d+)([a-z]+)?", "123"),
            Ok(Value::tuple(vec![s("123"), Value::Null(Type::String)]))
        );
        let object = Value::object([("num".to_string(), s("123"))].into_iter().collect());
        assert_eq!(regex("(?P<num>\\d+)", "x123"), Ok(object));
        let both = Value::object(
            [
                ("a".to_string(), Value::Null(Type::String)),
                ("b".to_string(), s("y")),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(regex("(?P<a>x)|(?P<b>y)", "y"), Ok(both));
        assert_eq!(
            regex("x", "abc"),
            Err("pattern did not match any part of the given string".into())
        );
        assert_eq!(
            pattern_error("(?P<a>x)(y)"),
            "invalid regexp pattern: cannot mix both named and unnamed capture groups"
        );
    }

    #[test]
    fn go_syntax_and_semantics() {
        // Perl classes and word boundaries are ASCII-only in Go.
        assert_eq!(regex("\\d+", "x١٢3"), Ok(s("3")));
        assert_eq!(regex("\\w+", "héllo"), Ok(s("h")));
        assert_eq!(regex("\\bfoo\\b", "a foo b"), Ok(s("foo")));
        assert_eq!(regex("(?i)STR", "xstrx"), Ok(s("str")));
        assert_eq!(regex("(?i)(?i)a", "A"), Ok(s("A")));
        assert_eq!(regex("a{2}", "aaa"), Ok(s("aa")));
        // Braces that are not a repetition are literals.
        assert_eq!(regex("a{,2}", "a{,2}"), Ok(s("a{,2}")));
        assert_eq!(regex("x{foo}", "x{foo}"), Ok(s("x{foo}")));
        assert_eq!(regex("\\Qa.b\\E", "xa.b"), Ok(s("a.b")));
        assert_eq!(regex("[[:alpha:]]+", "12ab3"), Ok(s("ab")));
        assert_eq!(regex("[a[]+", "a[["), Ok(s("a[[")));
        assert_eq!(regex("(?s).+", "a\nb"), Ok(s("a\nb")));
        assert!(regex("^b$", "a\nb").is_err());
        assert_eq!(regex("(?m)^b$", "a\nb"), Ok(s("b")));
        assert_eq!(regex("(?i)\\w+", "ſK"), Ok(s("ſK")));
        assert_eq!(regex("(?i:AB)c", "abc"), Ok(s("abc")));
        assert_eq!(regex("(?)a", "a"), Ok(s("a")));
        assert_eq!(regex("\\101", "A"), Ok(s("A")));
        assert_eq!(regex("\\p{Greek}+", "abc αβγ def"), Ok(s("αβγ")));
        assert_eq!(regex("\\x{3b1}\\x41", "xαA"), Ok(s("αA")));
        assert_eq!(regex("[\\p{Greek}\\x{41}]+", "Aα"), Ok(s("Aα")));
        // Go 1.22 (current Terraform) accepts this form of named group; Terraform 1.0 did not.
        let named = Value::object([("n".to_string(), s("x"))].into_iter().collect());
        assert_eq!(regex("(?<n>x)", "x"), Ok(named));
    }

    #[test]
    fn character_classes() {
        assert_eq!(regex("[a]+", "xaa"), Ok(s("aa")));
        assert_eq!(regex("[]a]+", "x]a]"), Ok(s("]a]")));
        assert_eq!(regex("[^]a]+", "]abc"), Ok(s("bc")));
        assert_eq!(regex("[\\d_]+", "x1_2"), Ok(s("1_2")));
        assert_eq!(regex("[^\\s]+", " ab "), Ok(s("ab")));
        assert_eq!(regex("[\\D]+", "12ab3"), Ok(s("ab")));
        assert_eq!(regex("[a&&b]+", "a&&b"), Ok(s("a&&b")));
        assert_eq!(regex("[[:^alpha:]]+", "ab12c"), Ok(s("12")));
    }

    #[test]
    fn syntax_errors_quote_go_pattern_pieces() {
        let cases = [
            ("(a", "invalid regexp pattern: missing closing ) in (a"),
            ("a)", "invalid regexp pattern: unexpected ) in a)"),
            ("[a", "invalid regexp pattern: missing closing ] in [a"),
            (
                "a**",
                "invalid regexp pattern: invalid nested repetition operator in **",
            ),
            (
                "a{2}{3}",
                "invalid regexp pattern: invalid nested repetition operator in {2}{3}",
            ),
            (
                "a{1001}",
                "invalid regexp pattern: invalid repeat count in {1001}",
            ),
            (
                "[z-a]",
                "invalid regexp pattern: invalid character class range in z-a",
            ),
            (
                "\\q",
                "invalid regexp pattern: invalid escape sequence in \\q",
            ),
            (
                "\\1",
                "invalid regexp pattern: invalid escape sequence in \\1",
            ),
            (
                "(?=x)",
                "invalid regexp pattern: invalid or unsupported Perl syntax in (?=",
            ),
            (
                "(?z)",
                "invalid regexp pattern: invalid or unsupported Perl syntax in (?z",
            ),
            (
                "*",
                "invalid regexp pattern: missing argument to repetition operator in *",
            ),
            (
                "(?P<>x)",
                "invalid regexp pattern: invalid named capture in (?P<>",
            ),
            (
                "\\pX",
                "invalid regexp pattern: invalid character class range in \\pX",
            ),
            (
                "\\",
                "invalid regexp pattern: trailing backslash at end of expression in ",
            ),
            (
                "[[:foo:]]",
                "invalid regexp pattern: invalid character class range in [:foo:]",
            ),
        ];
        for (pattern, expected) in cases {
            assert_eq!(pattern_error(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn regexall() {
        let all = |pattern: &str, text: &str| {
            call_fn("regexall", vec![s(pattern), s(text)]).map_err(|e| e.message)
        };
        assert_eq!(
            all("a*", "baaab"),
            Ok(Value::list(Type::String, vec![s(""), s("aaa"), s("")]))
        );
        assert_eq!(all("\\d", "abc"), Ok(Value::list(Type::String, vec![])));
        let pairs = Value::list(
            Type::tuple(vec![Type::String, Type::String]),
            vec![
                Value::tuple(vec![s("a"), s("1")]),
                Value::tuple(vec![s("b"), Value::Null(Type::String)]),
            ],
        );
        assert_eq!(all("(\\w)(\\d)?", "a1b"), Ok(pairs));
    }

    #[test]
    fn unknown_string_gives_the_result_type() {
        let v = call_fn("regex", vec![s("(?P<n>x)"), Value::Unknown(Type::String)]).unwrap();
        let ty = Type::object([("n".to_string(), Type::String)].into_iter().collect());
        assert_eq!(v, Value::Unknown(ty));
        let v = call_fn("regexall", vec![s("x"), Value::Unknown(Type::String)]).unwrap();
        assert_eq!(v, Value::Unknown(Type::list(Type::String)));
    }
}
