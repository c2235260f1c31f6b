//! The token-level rewrites `terraform fmt` makes before re-spacing a file.
//!
//! - An argument whose value is a string holding nothing but one interpolation,
//!   `"${var.x}"`, becomes the bare expression `var.x` (in parentheses when it spans
//!   several lines, so that it still parses).
//! - The `type` argument of a top-level `variable` block has legacy forms completed:
//!   `list`/`map`/`set` become `list(any)`/`map(any)`/`set(any)`, and the pre-0.12 quoted
//!   `"string"`/`"list"`/`"map"` become `string`/`list(string)`/`map(string)`.
//! - Block labels are written as quoted strings; anything between the type name and the
//!   last label other than the labels themselves (comments) is dropped. Like Terraform, a
//!   quoted label that HCL scanned as several pieces of literal text (one containing a `$`
//!   or `%` not followed by `{`) is dropped too.
//!
//! Every other token is kept as it is, with the spacing before it as in the source (which
//! the layout pass then replaces, except at the very end of the file).

use super::lexer::{Token, TokenKind};
use super::parser::{BlockHeader, Structure};
use std::borrow::Cow;
use std::ops::Range;

/// A token of the formatted output: its kind, its text, and how many spaces precede it.
#[derive(Clone, Debug)]
pub(crate) struct OutToken<'a> {
    pub kind: TokenKind,
    pub text: Cow<'a, str>,
    pub spaces_before: usize,
}

impl<'a> OutToken<'a> {
    fn new(kind: TokenKind, text: impl Into<Cow<'a, str>>) -> OutToken<'a> {
        OutToken {
            kind,
            text: text.into(),
            spaces_before: 0,
        }
    }
}

/// The file's tokens with `terraform fmt`'s rewrites applied.
pub(crate) fn rewrite<'a>(
    src: &'a str,
    tokens: &[Token],
    structure: &Structure,
) -> Vec<OutToken<'a>> {
    let mut previous_end = 0;
    let original: Vec<OutToken<'a>> = tokens
        .iter()
        .map(|token| {
            let spaces_before = token.start.saturating_sub(previous_end);
            previous_end = token.end;
            OutToken {
                kind: token.kind,
                text: Cow::Borrowed(token.text(src)),
                spaces_before,
            }
        })
        .collect();

    let mut replacements: Vec<(Range<usize>, Vec<OutToken<'a>>)> = Vec::new();
    for attribute in &structure.attributes {
        let Some(expr) = original.get(attribute.expr.clone()) else {
            continue;
        };
        let replacement = if attribute.is_variable_type {
            normalized_type_expression(expr)
        } else {
            unwrapped_interpolation(expr)
        };
        if let Some(replacement) = replacement {
            replacements.push((attribute.expr.clone(), replacement));
        }
    }
    for block in &structure.blocks {
        if let Some(last) = block.labels.last() {
            let span = block.type_token + 1..last.end;
            replacements.push((span, quoted_labels(&original, block)));
        }
    }
    replacements.sort_by_key(|(span, _)| span.start);

    let mut output = Vec::with_capacity(original.len());
    let mut replacements = replacements.into_iter().peekable();
    let mut index = 0;
    while index < original.len() {
        if let Some((span, _)) = replacements.peek() {
            if span.start == index {
                if let Some((span, new_tokens)) = replacements.next() {
                    output.extend(new_tokens);
                    index = index.max(span.end);
                }
                continue;
            }
            if span.start < index {
                replacements.next();
                continue;
            }
        }
        output.push(original[index].clone());
        index += 1;
    }
    output
}

/// `"${ expr }"` as just `expr`, when the string is exactly one interpolation.
fn unwrapped_interpolation<'a>(tokens: &[OutToken<'a>]) -> Option<Vec<OutToken<'a>>> {
    use TokenKind::*;
    let count = tokens.len();
    if count < 5
        || tokens[0].kind != OQuote
        || tokens[1].kind != TemplateInterp
        || tokens[count - 2].kind != TemplateSeqEnd
        || tokens[count - 1].kind != CQuote
    {
        return None;
    }
    let inside = &tokens[2..count - 2];
    let mut nested_quotes = 0i64;
    for token in inside {
        match token.kind {
            OQuote => nested_quotes += 1,
            CQuote => nested_quotes -= 1,
            _ if nested_quotes > 0 => {}
            TemplateInterp | TemplateSeqEnd | QuotedLit => return None,
            _ => {}
        }
    }
    let first = inside.iter().position(|t| t.kind != Newline)?;
    let last = inside.iter().rposition(|t| t.kind != Newline)?;
    let trimmed = &inside[first..=last];
    let multi_line = trimmed.iter().any(|t| t.kind == Newline);
    let parenthesized =
        trimmed[0].kind == OParen && trimmed.len() > 1 && trimmed[trimmed.len() - 1].kind == CParen;
    let mut result = Vec::with_capacity(trimmed.len() + 2);
    if multi_line && !parenthesized {
        result.push(OutToken::new(OParen, "("));
        result.extend_from_slice(trimmed);
        result.push(OutToken::new(CParen, ")"));
    } else {
        result.extend_from_slice(trimmed);
    }
    Some(result)
}

/// The legacy spellings of a variable's type constraint, completed.
fn normalized_type_expression<'a>(tokens: &[OutToken<'a>]) -> Option<Vec<OutToken<'a>>> {
    use TokenKind::*;
    let call = |name: OutToken<'a>, argument: &'static str| {
        vec![
            name,
            OutToken::new(OParen, "("),
            OutToken::new(Ident, argument),
            OutToken::new(CParen, ")"),
        ]
    };
    match tokens {
        [keyword] if keyword.kind == Ident => match keyword.text.as_ref() {
            "list" | "map" | "set" => Some(call(keyword.clone(), "any")),
            _ => None,
        },
        [open, literal, close]
            if open.kind == OQuote && literal.kind == QuotedLit && close.kind == CQuote =>
        {
            match literal.text.as_ref() {
                "string" => Some(vec![OutToken::new(Ident, "string")]),
                "list" => Some(call(OutToken::new(Ident, "list"), "string")),
                "map" => Some(call(OutToken::new(Ident, "map"), "string")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A block's labels, each as a quoted string.
fn quoted_labels<'a>(original: &[OutToken<'a>], block: &BlockHeader) -> Vec<OutToken<'a>> {
    let mut output = Vec::new();
    for span in &block.labels {
        let Some(label) = original.get(span.clone()).and_then(label_value) else {
            continue;
        };
        output.push(OutToken::new(TokenKind::OQuote, "\""));
        let escaped = escape_quoted(&label);
        if !escaped.is_empty() {
            output.push(OutToken::new(TokenKind::QuotedLit, escaped));
        }
        output.push(OutToken::new(TokenKind::CQuote, "\""));
    }
    output
}

/// The string a label stands for, if hclwrite can read it back.
fn label_value(tokens: &[OutToken<'_>]) -> Option<String> {
    use TokenKind::*;
    match tokens {
        [name] if name.kind == Ident => Some(name.text.to_string()),
        [open, close] if open.kind == OQuote && close.kind == CQuote => Some(String::new()),
        [open, literal, close]
            if open.kind == OQuote && literal.kind == QuotedLit && close.kind == CQuote =>
        {
            Some(decode_quoted(&literal.text))
        }
        _ => None,
    }
}

/// The text a quoted-string literal stands for: backslash escapes resolved, and `$${` and
/// `%%{` turned into `${` and `%{`. The literal's escapes have already been checked.
fn decode_quoted(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '\\' => {
                let Some(selector) = rest.chars().next() else {
                    output.push('\\');
                    break;
                };
                rest = &rest[selector.len_utf8()..];
                match selector {
                    'n' => output.push('\n'),
                    'r' => output.push('\r'),
                    't' => output.push('\t'),
                    'u' | 'U' => {
                        let digits = if selector == 'u' { 4 } else { 8 };
                        let hex_len = rest
                            .bytes()
                            .take(digits)
                            .take_while(u8::is_ascii_hexdigit)
                            .count();
                        let decoded = u32::from_str_radix(&rest[..hex_len], 16)
                            .ok()
                            .and_then(char::from_u32);
                        if let Some(decoded) = decoded {
                            output.push(decoded);
                        }
                        rest = &rest[hex_len..];
                    }
                    other => output.push(other),
                }
            }
            '$' | '%' if rest.len() >= 2 && rest.starts_with(c) && rest[1..].starts_with('{') => {
                output.push(c);
                output.push('{');
                rest = &rest[2..];
            }
            _ => output.push(c),
        }
    }
    output
}

/// A string written as the inside of a quoted literal, escaped the way hclwrite does.
fn escape_quoted(value: &str) -> String {
    let mut output = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => output.push_str("\\n"),
            '\r' => output.push_str("\\r"),
            '\t' => output.push_str("\\t"),
            '"' => output.push_str("\\\""),
            '\\' => output.push_str("\\\\"),
            '$' | '%' => {
                output.push(c);
                if chars.peek() == Some(&'{') {
                    output.push(c);
                }
            }
            c if is_printable(c) => output.push(c),
            c if (c as u32) < 0x10000 => output.push_str(&format!("\\u{:04x}", c as u32)),
            c => output.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    output
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII
/// space. Without Unicode category tables this recognises the non-printable characters by
/// their known ranges (controls, separators, format characters, private use and
/// noncharacters); code points unassigned in Unicode count as printable here.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let code = c as u32;
    let format_character = matches!(
        code,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x13438
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    );
    let private_use = matches!(code, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let noncharacter = matches!(code, 0xFDD0..=0xFDEF) || code & 0xFFFE == 0xFFFE;
    !(format_character || private_use || noncharacter)
}
