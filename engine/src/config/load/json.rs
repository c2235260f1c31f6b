//! Terraform's JSON configuration syntax (`.tf.json`): blocks by nesting of object
//! properties per block type and label, argument values as expressions.
//!
//! A JSON value where an expression is expected becomes the native-syntax expression it
//! stands for: strings are string templates (so `"${var.x}"` interpolates), except in the
//! few arguments that take references or types, where the string's text is the expression.
//! So that every parsed expression keeps spans pointing into the JSON file, each value is
//! rewritten as native syntax at the same byte offsets, and all the values of a file are
//! parsed at once as one tuple of that same length.

use super::raw::{parse_expr, parse_expr_at, quote, range_text, RawAttr, RawBlock, RawBody};
use super::schema::{expr_mode, schema, BlockSpec, BodyKind, ExprMode};
use crate::config::Expr;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceRange};
use hcl_edit::expr::Expression;
use hcl_edit::Span;
use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};
use std::ops::Range;
use std::sync::Arc;

/// Reads a JSON configuration file into its raw blocks and attributes.
pub(super) fn parse_json(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> RawBody {
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let text: &str = &file.text;
    let parsed = match jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict) {
        Ok(parsed) => parsed,
        Err(e) => {
            let range = e.range();
            diags.push(
                Diagnostic::error("Invalid JSON", format!("{}.", e.kind()))
                    .at(Some(file.range(range.start..range.end))),
            );
            return RawBody::default();
        }
    };
    let Some(root) = &parsed.value else {
        diags.push(
            Diagnostic::error("Missing value", "The JSON data ends prematurely.")
                .at(Some(file.range(text.len()..text.len()))),
        );
        return RawBody::default();
    };
    let mut converter = Converter {
        file,
        diags,
        slots: Vec::new(),
    };
    let mut body = RawBody::default();
    let roots: Vec<&ast::Value> = match root {
        ast::Value::Array(a) => a.elements.iter().collect(),
        value => vec![value],
    };
    for value in roots {
        match value {
            ast::Value::Object(o) => {
                let part = converter.body(o, BodyKind::File);
                body.attrs.extend(part.attrs);
                body.blocks.extend(part.blocks);
            }
            other => converter.error(
                "Incorrect JSON value type",
                "A JSON object is required here, to define arguments and child blocks.",
                other.range(),
            ),
        }
    }
    let mut expressions = converter.parse_slots();
    fill(&mut body, &mut expressions);
    body
}

/// An argument's JSON value waiting to be parsed as an expression.
struct Slot<'t> {
    value: &'t ast::Value<'t>,
    mode: ExprMode,
}

struct Converter<'a, 't> {
    file: &'a Arc<SourceFile>,
    diags: &'a mut Diagnostics,
    slots: Vec<Slot<'t>>,
}

fn to_span(r: jsonc_parser::common::Range) -> Range<usize> {
    r.start..r.end
}

fn name_range(name: &ObjectPropName) -> jsonc_parser::common::Range {
    match name {
        ObjectPropName::String(s) => s.range,
        ObjectPropName::Word(w) => w.range,
    }
}

impl<'t> Converter<'_, 't> {
    fn range(&self, r: jsonc_parser::common::Range) -> Option<SourceRange> {
        Some(self.file.range(to_span(r)))
    }

    fn error(&mut self, summary: &str, detail: impl Into<String>, r: jsonc_parser::common::Range) {
        let range = self.range(r);
        self.diags
            .push(Diagnostic::error(summary, detail).at(range));
    }

    /// A block body: properties are nested blocks or arguments according to the schema.
    fn body(&mut self, object: &'t ast::Object<'t>, kind: BodyKind) -> RawBody {
        let s = schema(kind);
        let brace = object.range.start;
        let mut body = RawBody {
            open_brace: Some(self.file.range(brace..brace + 1)),
            ..RawBody::default()
        };
        for prop in &object.properties {
            let name = prop.name.as_str();
            let key = name_range(&prop.name);
            if name == "//" {
                continue;
            }
            if let Some(spec) = s.blocks.iter().find(|b| b.kind == name) {
                let key_range = self.range(key);
                self.blocks(spec, key_range, &prop.value, Vec::new(), &mut body.blocks);
                continue;
            }
            if !(s.open || s.just_attributes || s.attrs.contains(&name)) {
                self.error(
                    "Extraneous JSON object property",
                    format!("No argument or block type is named {}.", quote(name)),
                    key,
                );
                continue;
            }
            if let Some(previous) = body.attrs.iter().find(|a| a.name == name) {
                let detail = format!(
                    "The argument {} was already set at {}. Each argument may be set only once.",
                    quote(name),
                    range_text(&previous.name_range)
                );
                self.error("Duplicate argument", detail, key);
                continue;
            }
            let slot = self.slots.len();
            self.slots.push(Slot {
                value: &prop.value,
                mode: expr_mode(kind, name),
            });
            let value_range = self.range(prop.value.range());
            body.attrs.push(RawAttr {
                name: name.to_string(),
                name_range: self.range(key),
                expr: Expr {
                    expr: Expression::null(),
                    file: self.file.clone(),
                    fallback: value_range,
                },
                range: self.range(prop.range),
                json_slot: Some(slot),
            });
        }
        body
    }

    /// The blocks of one type: an object per block, or an array of them, inside one level
    /// of objects per label.
    fn blocks(
        &mut self,
        spec: &BlockSpec,
        kind_range: Option<SourceRange>,
        value: &'t ast::Value<'t>,
        labels: Vec<(String, Option<SourceRange>)>,
        out: &mut Vec<RawBlock>,
    ) {
        let complete = labels.len() == spec.labels.len();
        match value {
            ast::Value::Object(o) if complete => {
                let body = self.body(o, spec.body);
                let def_range = labels.last().map_or(kind_range.clone(), |(_, r)| r.clone());
                out.push(RawBlock {
                    kind: spec.kind.to_string(),
                    kind_range,
                    labels: labels.iter().map(|(l, _)| l.clone()).collect(),
                    label_ranges: labels.into_iter().map(|(_, r)| r).collect(),
                    body,
                    def_range,
                });
            }
            ast::Value::Object(o) => {
                for prop in &o.properties {
                    let mut labels = labels.clone();
                    labels.push((
                        prop.name.as_str().to_string(),
                        self.range(name_range(&prop.name)),
                    ));
                    self.blocks(spec, kind_range.clone(), &prop.value, labels, out);
                }
            }
            ast::Value::Array(a) => {
                for element in &a.elements {
                    if matches!(element, ast::Value::Array(_)) {
                        self.incorrect_block_value(spec, element.range());
                        continue;
                    }
                    self.blocks(spec, kind_range.clone(), element, labels.clone(), out);
                }
            }
            other => self.incorrect_block_value(spec, other.range()),
        }
    }

    fn incorrect_block_value(&mut self, spec: &BlockSpec, r: jsonc_parser::common::Range) {
        self.error(
            "Incorrect JSON value type",
            format!(
                "Either a JSON object or a JSON array is required, representing the contents \
                 of one or more {} blocks.",
                quote(spec.kind)
            ),
            r,
        );
    }

    /// Parses every argument value, all at once where they could be written in place. Only
    /// when that fails are the values checked one by one, to report the bad ones and parse
    /// the others.
    fn parse_slots(&mut self) -> Vec<Option<Expression>> {
        let mut results: Vec<Option<Expression>> = vec![None; self.slots.len()];
        let mut placed: Vec<Placed> = Vec::new();
        let mut separate: Vec<usize> = Vec::new();
        for (index, slot) in self.slots.iter().enumerate() {
            let span = to_span(slot.value.range());
            let mut segment = vec![b' '; span.len()];
            if span.start > 0 && render_in_place(slot.value, slot.mode, &mut segment, span.start) {
                placed.push(Placed {
                    index,
                    span,
                    segment,
                });
            } else {
                separate.push(index);
            }
        }
        if !parse_together(&placed, &mut results) {
            let mut valid = Vec::new();
            for p in placed {
                if self.check_slot(p.index, &mut results) {
                    valid.push(p);
                }
            }
            if !parse_together(&valid, &mut results) {
                separate.extend(valid.iter().map(|p| p.index));
            }
        }
        for index in separate {
            if results[index].is_some() || !self.check_slot(index, &mut results) {
                continue;
            }
            let slot = &self.slots[index];
            let text = render_compact(slot.value, slot.mode);
            match parse_expr_at(&text, slot.value.range().start) {
                Ok(expr) => results[index] = Some(expr),
                Err(message) => {
                    let r = slot.value.range();
                    self.error("Invalid expression", format!("{message}."), r);
                    results[index] = Some(Expression::null());
                }
            }
        }
        results
    }

    /// Checks one value on its own; reports it and gives it a null expression when bad.
    fn check_slot(&mut self, index: usize, results: &mut [Option<Expression>]) -> bool {
        let slot = &self.slots[index];
        match validate(slot.value, slot.mode) {
            Ok(()) => true,
            Err((summary, detail, r)) => {
                let range = Some(self.file.range(to_span(r)));
                self.diags
                    .push(Diagnostic::error(summary, detail).at(range));
                results[index] = Some(Expression::null());
                false
            }
        }
    }
}

/// A value written in native syntax at its offsets in the file.
struct Placed {
    index: usize,
    span: Range<usize>,
    segment: Vec<u8>,
}

/// Parses values written in place as one tuple spanning the file up to the last of them.
fn parse_together(placed: &[Placed], results: &mut [Option<Expression>]) -> bool {
    let Some(last) = placed.last().map(|p| p.span.end) else {
        return true;
    };
    let mut buffer = vec![b' '; last + 1];
    buffer[0] = b'[';
    for p in placed {
        buffer[p.span.clone()].copy_from_slice(&p.segment);
    }
    for pair in placed.windows(2) {
        buffer[pair[0].span.end] = b',';
    }
    buffer[last] = b']';
    match String::from_utf8(buffer).ok().map(|text| parse_expr(&text)) {
        Some(Ok(Expression::Array(items))) if items.len() == placed.len() => {
            for (p, item) in placed.iter().zip(items) {
                results[p.index] = Some(item);
            }
            true
        }
        _ => false,
    }
}

/// Puts the parsed expressions into the attributes waiting for them.
fn fill(body: &mut RawBody, expressions: &mut [Option<Expression>]) {
    for attr in &mut body.attrs {
        if let Some(slot) = attr.json_slot {
            if let Some(expr) = expressions.get_mut(slot).and_then(Option::take) {
                attr.expr.expr = expr;
            }
        }
    }
    for block in &mut body.blocks {
        fill(&mut block.body, expressions);
    }
}

/// How the value of an object property inside a value is read.
fn property_mode(mode: ExprMode, key: &str) -> ExprMode {
    match mode {
        ExprMode::RequiredProvider if key == "configuration_aliases" => ExprMode::Expression,
        ExprMode::RequiredProvider => ExprMode::Template,
        mode => mode,
    }
}

/// The mode of the keys of an object inside a value.
fn key_mode(mode: ExprMode) -> ExprMode {
    match mode {
        ExprMode::RequiredProvider => ExprMode::Template,
        mode => mode,
    }
}

type Problem = (&'static str, String, jsonc_parser::common::Range);

/// Checks that every string of a value parses as what it stands for.
fn validate(value: &ast::Value, mode: ExprMode) -> Result<(), Problem> {
    match value {
        ast::Value::StringLit(s) => validate_string(&s.value, mode, s.range),
        ast::Value::NumberLit(n) => match parse_expr(n.value) {
            Ok(_) => Ok(()),
            Err(_) => Err((
                "Unsupported number",
                format!("terrane cannot represent the number {} yet.", n.value),
                n.range,
            )),
        },
        ast::Value::Array(a) => {
            let mode = property_mode(mode, "");
            a.elements.iter().try_for_each(|e| validate(e, mode))
        }
        ast::Value::Object(o) => o.properties.iter().try_for_each(|p| {
            let key = p.name.as_str();
            validate_string(key, key_mode(mode), name_range(&p.name))?;
            validate(&p.value, property_mode(mode, key))
        }),
        ast::Value::BooleanLit(_) | ast::Value::NullKeyword(_) => Ok(()),
    }
}

fn validate_string(
    text: &str,
    mode: ExprMode,
    r: jsonc_parser::common::Range,
) -> Result<(), Problem> {
    let result = match mode {
        ExprMode::Expression => parse_expr(text.trim()).map(|_| ()),
        _ if text.contains("${") || text.contains("%{") => parse_template(text).map(|_| ()),
        _ => Ok(()),
    };
    result.map_err(|message| ("Invalid expression", format!("{message}."), r))
}

fn parse_template(text: &str) -> Result<hcl_edit::template::Template, String> {
    std::panic::catch_unwind(|| hcl_edit::parser::parse_template(text))
        .map_err(|_| "the template could not be parsed".to_string())?
        .map_err(|e| e.message().to_string())
}

/// Writes the native form of `value` into `segment`, which holds the bytes of the file from
/// `base` on, at the same offsets. False when a part does not fit in its place (or cannot be
/// written in place safely).
fn render_in_place(value: &ast::Value, mode: ExprMode, segment: &mut [u8], base: usize) -> bool {
    let span = to_span(value.range());
    let (Some(start), Some(end)) = (span.start.checked_sub(base), span.end.checked_sub(base))
    else {
        return false;
    };
    if end > segment.len() || start >= end {
        return false;
    }
    let mut put = |at: usize, text: &[u8]| -> bool {
        match segment.get_mut(at..at + text.len()) {
            Some(place) => {
                place.copy_from_slice(text);
                true
            }
            None => false,
        }
    };
    match value {
        ast::Value::NullKeyword(_) => put(start, b"null"),
        ast::Value::BooleanLit(b) => put(start, if b.value { b"true" } else { b"false" }),
        ast::Value::NumberLit(n) => put(start, n.value.as_bytes()),
        ast::Value::StringLit(s) => match render_string(&s.value, mode) {
            Some(text) if text.len() <= end - start => put(start, text.as_bytes()),
            _ => false,
        },
        ast::Value::Array(a) => {
            if !(put(start, b"[") && put(end - 1, b"]")) {
                return false;
            }
            let mode = property_mode(mode, "");
            for (i, element) in a.elements.iter().enumerate() {
                if !render_in_place(element, mode, segment, base) {
                    return false;
                }
                if i + 1 < a.elements.len() && !put_at(segment, element.range().end - base, b',') {
                    return false;
                }
            }
            true
        }
        ast::Value::Object(o) => {
            if !(put(start, b"{") && put(end - 1, b"}")) {
                return false;
            }
            for (i, prop) in o.properties.iter().enumerate() {
                let key = prop.name.as_str();
                let key_span = to_span(name_range(&prop.name));
                let Some(text) = render_string(key, key_mode(mode)) else {
                    return false;
                };
                if text.len() > key_span.len()
                    || !put_slice(segment, key_span.start - base, text.as_bytes())
                    || !put_at(segment, key_span.end - base, b'=')
                    || !render_in_place(&prop.value, property_mode(mode, key), segment, base)
                {
                    return false;
                }
                if i + 1 < o.properties.len()
                    && !put_at(segment, prop.value.range().end - base, b',')
                {
                    return false;
                }
            }
            true
        }
    }
}

fn put_at(segment: &mut [u8], at: usize, byte: u8) -> bool {
    put_slice(segment, at, &[byte])
}

fn put_slice(segment: &mut [u8], at: usize, text: &[u8]) -> bool {
    match segment.get_mut(at..at + text.len()) {
        Some(place) => {
            place.copy_from_slice(text);
            true
        }
        None => false,
    }
}

/// The native form of a JSON value, without keeping offsets (for values that do not fit in
/// place).
fn render_compact(value: &ast::Value, mode: ExprMode) -> String {
    match value {
        ast::Value::NullKeyword(_) => "null".into(),
        ast::Value::BooleanLit(b) => b.value.to_string(),
        ast::Value::NumberLit(n) => n.value.to_string(),
        ast::Value::StringLit(s) => match mode {
            ExprMode::Expression => format!("{}\n", s.value),
            _ => quote_template(&s.value),
        },
        ast::Value::Array(a) => {
            let mode = property_mode(mode, "");
            let items: Vec<String> = a.elements.iter().map(|e| render_compact(e, mode)).collect();
            format!("[{}]", items.join(",\n"))
        }
        ast::Value::Object(o) => {
            let items: Vec<String> = o
                .properties
                .iter()
                .map(|p| {
                    let key = p.name.as_str();
                    let key_text = match key_mode(mode) {
                        ExprMode::Expression => key.to_string(),
                        _ => quote_template(key),
                    };
                    format!(
                        "{key_text} = {}",
                        render_compact(&p.value, property_mode(mode, key))
                    )
                })
                .collect();
            format!("{{{}}}", items.join("\n"))
        }
    }
}

/// A JSON string in native syntax: a quoted template, or the expression it contains (after
/// a space that stands where the opening quote was). None when an expression could not be
/// written in place safely (a comment or line break would change what follows it).
fn render_string(text: &str, mode: ExprMode) -> Option<String> {
    match mode {
        ExprMode::Expression => {
            if text.contains(['#', '\n', '\r']) || text.contains("//") || text.contains("/*") {
                return None;
            }
            Some(format!(" {text}"))
        }
        _ => Some(quote_template(text)),
    }
}

/// A template (the decoded JSON string) written as a native quoted string: the literal
/// parts escaped, interpolations and directives as they are.
fn quote_template(text: &str) -> String {
    let needs_escape = |c: char| c == '"' || c == '\\' || c.is_control();
    if !text.contains(needs_escape) {
        return format!("\"{text}\"");
    }
    let whole = || std::iter::once(0..text.len()).collect::<Vec<_>>();
    let literal_spans = if text.contains("${") || text.contains("%{") {
        parse_template(text)
            .ok()
            .and_then(|t| {
                t.iter()
                    .filter_map(|e| e.as_literal())
                    .map(|l| l.span())
                    .collect::<Option<Vec<_>>>()
            })
            .unwrap_or_else(whole)
    } else {
        whole()
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push('"');
    let mut pos = 0;
    for span in literal_spans {
        let (Some(before), Some(literal)) = (text.get(pos..span.start), text.get(span.clone()))
        else {
            continue;
        };
        out.push_str(before);
        for c in literal.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        pos = span.end;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (RawBody, Diagnostics) {
        let file = Arc::new(SourceFile::new("main.tf.json", text));
        let mut diags = Diagnostics::new();
        let body = parse_json(&file, &mut diags);
        (body, diags)
    }

    #[test]
    fn nested_values_keep_their_offsets() {
        let text = r#"{"locals": {"m": {"k": [1, "x", true, null, -2.5]}, "t": "a${b}"}}"#;
        let (body, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let m = &body.blocks[0].body.attrs[0].expr.expr;
        let Expression::Object(object) = m else {
            panic!("not an object: {m:?}")
        };
        let (_, value) = object.iter().next().unwrap();
        let Expression::Array(items) = value.expr() else {
            panic!("not a list")
        };
        let spans: Vec<&str> = items.iter().map(|e| &text[e.span().unwrap()]).collect();
        assert_eq!(spans, ["1", "\"x\"", "true", "null", "-2.5"]);
        let t = &body.blocks[0].body.attrs[1].expr.expr;
        assert_eq!(&text[t.span().unwrap()], "\"a${b}\"");
    }

    #[test]
    fn references_and_types_are_expressions() {
        let text = r#"{"variable": {"v": {"type": "map(string)"}}, "output": {"o": {"value": 1, "depends_on": ["a.b"]}}}"#;
        let (body, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let ty = &body.blocks[0].body.attrs[0].expr.expr;
        assert!(matches!(ty, Expression::FuncCall(_)), "{ty:?}");
        assert_eq!(&text[ty.span().unwrap()], "map(string)");
        let Expression::Array(refs) = &body.blocks[1].body.attrs[1].expr.expr else {
            panic!()
        };
        let first = refs.iter().next().unwrap();
        assert!(matches!(first, Expression::Traversal(_)));
        assert_eq!(&text[first.span().unwrap()], "a.b");
    }

    #[test]
    fn values_that_do_not_fit_in_place_are_still_read() {
        // "\b" is two bytes in JSON but six in native syntax.
        let text = r#"{"locals": {"a": "x\b${y}", "b": "z"}}"#;
        let (body, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let a = &body.blocks[0].body.attrs[0].expr.expr;
        assert!(matches!(a, Expression::StringTemplate(_)), "{a:?}");
        let b = &body.blocks[0].body.attrs[1].expr.expr;
        assert_eq!(&text[b.span().unwrap()], "\"z\"");
    }

    #[test]
    fn templates_are_quoted_with_literal_parts_escaped() {
        assert_eq!(quote_template("abc"), "\"abc\"");
        assert_eq!(quote_template("a\"b"), "\"a\\\"b\"");
        assert_eq!(
            quote_template("x\\y ${lookup(m, \"k\")}\n"),
            "\"x\\\\y ${lookup(m, \"k\")}\\n\""
        );
    }
}
