//! Built-in functions: string family (`chomp`, `endswith`, `format`, `formatlist`, `indent`,
//! `join`, `lower`, `regex`, `regexall`, `replace`, `split`, `startswith`, `strcontains`,
//! `strrev`, `substr`, `title`, `trim`, `trimprefix`, `trimsuffix`, `trimspace`, `upper`).
//!
//! Strings are measured in grapheme clusters, as Terraform does. Case mapping is Go's:
//! character by character with Unicode's simple mappings (so "ß" stays "ß"). Regular
//! expressions use Go's RE2 syntax, translated to the `regex` crate (see [`go_regex`]), and
//! `format` follows cty's verbs, including Go's rounding of decimal digits.

use super::numeric::whole_int;
use super::{bool_return, string_return, FnContext, FnError, FnResult, Param, Registry};
use crate::value::{Type, Value};
use unicode_segmentation::UnicodeSegmentation;

mod format;
mod go_regex;

pub(super) fn register(r: &mut Registry) {
    let s = |name| Param::new(name, Type::String);
    r.add("chomp", vec![s("str")], string_return, chomp);
    r.add(
        "endswith",
        vec![s("str"), s("suffix")],
        bool_return,
        endswith,
    );
    r.add(
        "indent",
        vec![Param::new("spaces", Type::Number), s("str")],
        string_return,
        indent,
    );
    r.add_variadic(
        "join",
        vec![s("separator")],
        Param::new("lists", Type::list(Type::String)),
        string_return,
        join,
    );
    r.add("lower", vec![s("str")], string_return, lower);
    r.add(
        "replace",
        vec![s("str"), s("substr"), s("replace")],
        string_return,
        replace,
    );
    r.add(
        "split",
        vec![s("separator"), s("str")],
        |_| Type::list(Type::String),
        split,
    );
    r.add(
        "startswith",
        vec![s("str").allow_unknown(), s("prefix")],
        bool_return,
        startswith,
    );
    r.add(
        "strcontains",
        vec![s("str"), s("substr")],
        bool_return,
        strcontains,
    );
    r.add("strrev", vec![s("str")], string_return, strrev);
    r.add(
        "substr",
        vec![
            s("str"),
            Param::new("offset", Type::Number),
            Param::new("length", Type::Number),
        ],
        string_return,
        substr,
    );
    r.add("title", vec![s("str")], string_return, title);
    r.add("trim", vec![s("str"), s("cutset")], string_return, trim);
    r.add(
        "trimprefix",
        vec![s("str"), s("prefix")],
        string_return,
        trimprefix,
    );
    r.add(
        "trimsuffix",
        vec![s("str"), s("suffix")],
        string_return,
        trimsuffix,
    );
    r.add("trimspace", vec![s("str")], string_return, trimspace);
    r.add("upper", vec![s("str")], string_return, upper);
    go_regex::register(r);
    format::register(r);
}

/// The text of a known string argument.
fn text(v: &Value) -> Result<&str, FnError> {
    v.unmark()
        .0
        .as_str()
        .ok_or_else(|| FnError::new("a string is required"))
}

/// The number of grapheme clusters ("characters" to Terraform) in a string.
pub(super) fn grapheme_count(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Go's `strconv.Quote`: a double-quoted string with Go escapes, as Terraform's messages
/// print strings with `%q`.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_go_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune`: a single-quoted character with Go escapes.
pub(super) fn go_quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_go_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

fn push_go_escaped(out: &mut String, c: char, quote: char) {
    match c {
        _ if c == quote || c == '\\' => {
            out.push('\\');
            out.push(c);
        }
        _ if go_is_print(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
        _ if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        _ => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `unicode.IsPrint`, less unassigned code points (which Rust's standard library cannot
/// tell apart): letters, marks, numbers, punctuation, symbols and the ASCII space.
fn go_is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    let format_or_private = matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
            | '\u{e000}'..='\u{f8ff}'
            | '\u{f0000}'..='\u{10ffff}'
    );
    !c.is_control() && !c.is_whitespace() && !format_or_private
}

/// Go's `unicode.ToUpper`: the simple (one character) uppercase mapping.
fn simple_upper(c: char) -> char {
    let mut mapped = c.to_uppercase();
    match (mapped.next(), mapped.next()) {
        (Some(u), None) => u,
        // Characters whose full mapping has several characters but whose simple mapping
        // is one: Greek with ypogegrammeni maps to the titlecase form.
        _ => match c {
            '\u{1f80}'..='\u{1f87}' | '\u{1f90}'..='\u{1f97}' | '\u{1fa0}'..='\u{1fa7}' => {
                char::from_u32(c as u32 + 8).unwrap_or(c)
            }
            '\u{1fb3}' => '\u{1fbc}',
            '\u{1fc3}' => '\u{1fcc}',
            '\u{1ff3}' => '\u{1ffc}',
            _ => c,
        },
    }
}

/// Go's `unicode.ToLower`: the simple lowercase mapping.
fn simple_lower(c: char) -> char {
    let mut mapped = c.to_lowercase();
    match (mapped.next(), mapped.next()) {
        (Some(l), None) => l,
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: the simple titlecase mapping, which differs from uppercase only
/// for the Latin digraphs.
fn simple_title(c: char) -> char {
    match c {
        '\u{1c4}'..='\u{1c6}' => '\u{1c5}',
        '\u{1c7}'..='\u{1c9}' => '\u{1c8}',
        '\u{1ca}'..='\u{1cc}' => '\u{1cb}',
        '\u{1f1}'..='\u{1f3}' => '\u{1f2}',
        _ => simple_upper(c),
    }
}

fn upper(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(
        text(&args[0])?
            .chars()
            .map(simple_upper)
            .collect::<String>(),
    ))
}

fn lower(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(
        text(&args[0])?
            .chars()
            .map(simple_lower)
            .collect::<String>(),
    ))
}

/// Go's `strings.Title`: the first letter of each word in titlecase, where words are
/// separated by ASCII characters other than letters, digits and underscore, and by spaces.
fn title(_: &FnContext, args: &[Value]) -> FnResult {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        }
    };
    let mut previous = ' ';
    let out: String = text(&args[0])?
        .chars()
        .map(|c| {
            let mapped = if is_separator(previous) {
                simple_title(c)
            } else {
                c
            };
            previous = c;
            mapped
        })
        .collect();
    Ok(Value::string(out))
}

fn chomp(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(
        text(&args[0])?.trim_end_matches(['\r', '\n']),
    ))
}

fn indent(_: &FnContext, args: &[Value]) -> FnResult {
    let spaces = whole_int(&args[0]).map_err(FnError::new)?;
    let spaces = usize::try_from(spaces).map_err(|_| {
        FnError::new("panic in function implementation: strings: negative Repeat count")
    })?;
    let padding = format!("\n{}", " ".repeat(spaces));
    Ok(Value::string(text(&args[1])?.replace('\n', &padding)))
}

fn join(_: &FnContext, args: &[Value]) -> FnResult {
    let separator = text(&args[0])?;
    let lists = &args[1..];
    if lists.is_empty() {
        return Err(FnError::new("at least one list is required"));
    }
    let mut items: Vec<&str> = Vec::new();
    for (list_index, list) in lists.iter().enumerate() {
        let elems = list.unmark().0.as_seq().unwrap_or(&[]);
        for (elem_index, elem) in elems.iter().enumerate() {
            match elem.unmark().0.as_str() {
                Some(s) => items.push(s),
                None if lists.len() > 1 => {
                    return Err(FnError::arg(
                        list_index + 1,
                        format!(
                        "element {elem_index} of list {} is null; cannot concatenate null values",
                        list_index + 1
                    ),
                    ))
                }
                None => {
                    return Err(FnError::arg(
                        list_index + 1,
                        format!("element {elem_index} is null; cannot concatenate null values"),
                    ))
                }
            }
        }
    }
    Ok(Value::string(items.join(separator)))
}

/// `replace`: a plain substring, or a regular expression when written between slashes.
fn replace(_: &FnContext, args: &[Value]) -> FnResult {
    let s = text(&args[0])?;
    let search = text(&args[1])?;
    let replacement = text(&args[2])?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let re = go_regex::compile(&search[1..search.len() - 1])
            .map_err(|e| FnError::new(e.parse_message()))?;
        return Ok(Value::string(re.replace_all(s, replacement).into_owned()));
    }
    Ok(Value::string(s.replace(search, replacement)))
}

/// Go's `strings.Split`: an empty separator splits between characters (not graphemes).
fn split(_: &FnContext, args: &[Value]) -> FnResult {
    let separator = text(&args[0])?;
    let s = text(&args[1])?;
    let parts: Vec<Value> = if separator.is_empty() {
        s.chars().map(|c| Value::string(c.to_string())).collect()
    } else {
        s.split(separator).map(Value::string).collect()
    };
    Ok(Value::list(Type::String, parts))
}

fn startswith(_: &FnContext, args: &[Value]) -> FnResult {
    let prefix = text(&args[1])?;
    if !args[0].is_known() {
        return Ok(if prefix.is_empty() {
            Value::Bool(true)
        } else {
            Value::Unknown(Type::Bool)
        });
    }
    Ok(Value::Bool(text(&args[0])?.starts_with(prefix)))
}

fn endswith(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::Bool(text(&args[0])?.ends_with(text(&args[1])?)))
}

fn strcontains(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::Bool(text(&args[0])?.contains(text(&args[1])?)))
}

fn strrev(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(
        text(&args[0])?.graphemes(true).rev().collect::<String>(),
    ))
}

/// `substr` with cty's counting: a negative offset counts from the end, a negative length
/// takes the rest, and (a quirk kept for compatibility) a zero length after a negative
/// offset takes the rest too.
fn substr(_: &FnContext, args: &[Value]) -> FnResult {
    let s = text(&args[0])?;
    let mut offset = whole_int(&args[1]).map_err(FnError::new)?;
    let length = whole_int(&args[2]).map_err(FnError::new)?;
    let graphemes: Vec<&str> = s.graphemes(true).collect();
    let total = i64::try_from(graphemes.len()).unwrap_or(i64::MAX);
    if offset < 0 {
        offset = offset.saturating_add(total);
    } else if length == 0 {
        return Ok(Value::string(""));
    }
    if offset > total {
        return Ok(Value::string(""));
    }
    let start = usize::try_from(offset.max(0)).unwrap_or(0);
    let rest = &graphemes[start..];
    let taken = match usize::try_from(length) {
        Ok(n) if n > 0 => &rest[..n.min(rest.len())],
        _ => rest,
    };
    Ok(Value::string(taken.concat()))
}

/// Go's `strings.Trim`: removes, from both ends, every character found in the cutset.
fn trim(_: &FnContext, args: &[Value]) -> FnResult {
    let cutset = text(&args[1])?;
    Ok(Value::string(
        text(&args[0])?.trim_matches(|c| cutset.contains(c)),
    ))
}

fn trimprefix(_: &FnContext, args: &[Value]) -> FnResult {
    let s = text(&args[0])?;
    Ok(Value::string(s.strip_prefix(text(&args[1])?).unwrap_or(s)))
}

fn trimsuffix(_: &FnContext, args: &[Value]) -> FnResult {
    let s = text(&args[0])?;
    Ok(Value::string(s.strip_suffix(text(&args[1])?).unwrap_or(s)))
}

fn trimspace(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(Value::string(text(&args[0])?.trim()))
}

#[cfg(test)]
mod tests {
    //! Expected values are Terraform 1.0.3's answers (newer functions: current Terraform's).
    use crate::functions::test_support::call_fn;
    use crate::number::Number;
    use crate::value::{Type, Value};

    fn num(text: &str) -> Value {
        Value::number(Number::parse(text).expect("number"))
    }
    fn s(text: &str) -> Value {
        Value::string(text)
    }
    fn strings(items: &[&str]) -> Value {
        Value::list(Type::String, items.iter().map(|i| s(i)).collect())
    }
    fn call(name: &str, args: Vec<Value>) -> Value {
        call_fn(name, args).unwrap_or_else(|e| panic!("{name}: {}", e.message))
    }
    fn error(name: &str, args: Vec<Value>) -> String {
        call_fn(name, args).expect_err("an error").message
    }

    #[test]
    fn case_mapping_is_simple_and_per_character() {
        assert_eq!(call("upper", vec![s("straße ﬁ ǆ ᾳ")]), s("STRAßE ﬁ Ǆ ᾼ"));
        assert_eq!(call("lower", vec![s("İSTANBUL ΣΑΣ")]), s("istanbul σασ"));
        assert_eq!(
            call("title", vec![s("hello wORLD-foo_bar o'neil ǆemal ßa")]),
            s("Hello WORLD-Foo_bar O'Neil ǅemal ßa")
        );
    }

    #[test]
    fn graphemes() {
        assert_eq!(call("strrev", vec![s("e\u{301}a")]), s("ae\u{301}"));
        assert_eq!(
            call("substr", vec![s("héllo\u{301}"), num("4"), num("1")]),
            s("o\u{301}")
        );
    }

    #[test]
    fn substr_counts_like_cty() {
        let cases = [
            ("-3", "-1", "llo"),
            ("10", "2", ""),
            ("-10", "2", "he"),
            ("1", "-5", "ello"),
            ("5", "1", ""),
            ("4", "10", "o"),
            ("0", "0", ""),
            ("-1", "0", "o"),
        ];
        for (offset, length, expected) in cases {
            assert_eq!(
                call("substr", vec![s("hello"), num(offset), num(length)]),
                s(expected),
                "substr(hello, {offset}, {length})"
            );
        }
        assert_eq!(call("substr", vec![s(""), num("0"), num("1")]), s(""));
        assert_eq!(
            error("substr", vec![s("abc"), num("1.5"), num("1")]),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        );
    }

    #[test]
    fn trimming() {
        assert_eq!(call("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(call("trimspace", vec![s("\u{a0} x \u{2003}")]), s("x"));
        assert_eq!(call("chomp", vec![s("a\n\r\r\n")]), s("a"));
        assert_eq!(call("chomp", vec![s("a\nb")]), s("a\nb"));
        assert_eq!(
            call("trimprefix", vec![s("helloworld"), s("hello")]),
            s("world")
        );
        assert_eq!(
            call("trimprefix", vec![s("helloworld"), s("x")]),
            s("helloworld")
        );
        assert_eq!(
            call("trimsuffix", vec![s("helloworld"), s("world")]),
            s("hello")
        );
    }

    #[test]
    fn indent() {
        assert_eq!(call("indent", vec![num("2"), s("a\nb\n")]), s("a\n  b\n  "));
        assert_eq!(
            error("indent", vec![num("-1"), s("a\nb")]),
            "panic in function implementation: strings: negative Repeat count"
        );
        assert_eq!(
            error("indent", vec![num("1.5"), s("a\nb")]),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        );
    }

    #[test]
    fn join_and_split() {
        assert_eq!(
            call("join", vec![s(", "), strings(&["a", "b"]), strings(&["c"])]),
            s("a, b, c")
        );
        assert_eq!(call("join", vec![s(","), strings(&[])]), s(""));
        let with_null = Value::tuple(vec![s("a"), Value::Null(Type::String)]);
        let e = call_fn("join", vec![s(","), with_null.clone()]).unwrap_err();
        assert_eq!(
            e.message,
            "element 1 is null; cannot concatenate null values"
        );
        assert_eq!(e.arg, Some(1));
        let e = call_fn("join", vec![s(","), strings(&["a"]), with_null]).unwrap_err();
        assert_eq!(
            e.message,
            "element 1 of list 2 is null; cannot concatenate null values"
        );
        assert_eq!(e.arg, Some(2));
        assert_eq!(error("join", vec![s(",")]), "at least one list is required");

        assert_eq!(
            call("split", vec![s(","), s("a,b,,c")]),
            strings(&["a", "b", "", "c"])
        );
        assert_eq!(call("split", vec![s(""), s("")]), strings(&[]));
        assert_eq!(
            call("split", vec![s(""), s("abc")]),
            strings(&["a", "b", "c"])
        );
        assert_eq!(call("split", vec![s(","), s("")]), strings(&[""]));
    }

    #[test]
    fn replace_plain_and_regex() {
        assert_eq!(
            call("replace", vec![s("hello"), s("/l+/"), s("L")]),
            s("heLo")
        );
        assert_eq!(
            call("replace", vec![s("hello"), s("/(l+)/"), s("[$1]")]),
            s("he[ll]o")
        );
        assert_eq!(
            call("replace", vec![s("a.b.c"), s("/\\./"), s("$$")]),
            s("a$b$c")
        );
        assert_eq!(
            call("replace", vec![s("abc"), s("/(?P<x>b)/"), s("<$x>")]),
            s("a<b>c")
        );
        assert_eq!(
            call("replace", vec![s("abc"), s("//"), s("x")]),
            s("xaxbxcx")
        );
        assert_eq!(call("replace", vec![s("abc"), s("/"), s("x")]), s("abc"));
        assert_eq!(call("replace", vec![s("a/b/"), s("/"), s("x")]), s("axbx"));
        assert_eq!(call("replace", vec![s("abc"), s(""), s("-")]), s("-a-b-c-"));
        assert_eq!(
            error("replace", vec![s("hello"), s("/l(/"), s("x")]),
            "error parsing regexp: missing closing ): `l(`"
        );
    }

    #[test]
    fn prefixes_and_contents() {
        assert_eq!(
            call("startswith", vec![s("hello"), s("he")]),
            Value::Bool(true)
        );
        assert_eq!(
            call("startswith", vec![s("hello"), s("lo")]),
            Value::Bool(false)
        );
        assert_eq!(
            call("endswith", vec![s("hello"), s("lo")]),
            Value::Bool(true)
        );
        assert_eq!(
            call("strcontains", vec![s("hello"), s("ll")]),
            Value::Bool(true)
        );
        assert_eq!(
            call("strcontains", vec![s("hello"), s("x")]),
            Value::Bool(false)
        );
        let unknown = Value::Unknown(Type::String);
        assert_eq!(
            call("startswith", vec![unknown.clone(), s("")]),
            Value::Bool(true)
        );
        assert_eq!(
            call("startswith", vec![unknown.clone(), s("a")]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(
            call("endswith", vec![unknown, s("")]),
            Value::Unknown(Type::Bool)
        );
    }

    #[test]
    fn unknown_and_sensitive_arguments() {
        assert_eq!(
            call("upper", vec![Value::Unknown(Type::String)]),
            Value::Unknown(Type::String)
        );
        assert_eq!(call("upper", vec![s("a").mark()]), s("A").mark());
        assert_eq!(call("upper", vec![num("1")]), s("1"));
    }

    #[test]
    fn go_quoting() {
        assert_eq!(
            super::go_quote("a\"b\\c\n\u{1}\u{7f}é\u{a0}\u{1F600}"),
            "\"a\\\"b\\\\c\\n\\x01\\x7fé\\u00a0😀\""
        );
        assert_eq!(super::go_quote_rune('\''), "'\\''");
        assert_eq!(super::go_quote_rune('é'), "'é'");
    }
}
