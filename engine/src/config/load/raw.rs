//! The blocks and attributes of one file before they are interpreted: the common form into
//! which native HCL and JSON files are both read, with the source ranges that diagnostics
//! need.

use crate::config::{Attribute, Block, Body, Expr};
use crate::diag::{SourceFile, SourceRange};
use hcl_edit::expr::Expression;
use hcl_edit::Span;
use std::ops::Range;
use std::sync::Arc;

/// A block body: attributes and nested blocks in the order written.
#[derive(Clone, Debug, Default)]
pub(super) struct RawBody {
    pub attrs: Vec<RawAttr>,
    pub blocks: Vec<RawBlock>,
    /// Where a missing argument or label is reported: the body's opening brace.
    pub open_brace: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub(super) struct RawAttr {
    pub name: String,
    pub name_range: Option<SourceRange>,
    pub expr: Expr,
    /// The whole `name = value`.
    pub range: Option<SourceRange>,
    /// For JSON files: which parsed value becomes the expression.
    pub json_slot: Option<usize>,
}

#[derive(Clone, Debug)]
pub(super) struct RawBlock {
    pub kind: String,
    pub kind_range: Option<SourceRange>,
    pub labels: Vec<String>,
    pub label_ranges: Vec<Option<SourceRange>>,
    pub body: RawBody,
    /// The block's header, from its type to its last label (Terraform's "DefRange").
    pub def_range: Option<SourceRange>,
}

impl RawBlock {
    /// The block as Terraform names it in diagnostics: `resource "a" "b"`.
    pub fn header(&self) -> String {
        let mut out = self.kind.clone();
        for label in &self.labels {
            out.push(' ');
            out.push_str(&quote(label));
        }
        out
    }
}

impl RawBody {
    pub fn attr(&self, name: &str) -> Option<&RawAttr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The body as the engine keeps bodies it does not interpret itself.
    pub fn to_body(&self) -> Body {
        Body {
            attributes: self
                .attrs
                .iter()
                .map(|a| {
                    let attr = Attribute {
                        name: a.name.clone(),
                        expr: a.expr.clone(),
                        range: a.range.clone(),
                    };
                    (a.name.clone(), attr)
                })
                .collect(),
            blocks: self.blocks.iter().map(RawBlock::to_block).collect(),
        }
    }
}

impl RawBlock {
    pub fn to_block(&self) -> Block {
        Block {
            kind: self.kind.clone(),
            labels: self.labels.clone(),
            body: self.body.to_body(),
            range: self.def_range.clone(),
        }
    }
}

/// A string quoted as Terraform's messages quote names.
pub(super) fn quote(s: &str) -> String {
    format!("{s:?}")
}

/// A range as Terraform writes it inside messages: `main.tf:1,1-13`.
pub(super) fn range_text(range: &Option<SourceRange>) -> String {
    match range {
        Some(r) if r.start.line == r.end.line => {
            format!(
                "{}:{},{}-{}",
                r.filename, r.start.line, r.start.column, r.end.column
            )
        }
        Some(r) => format!(
            "{}:{},{}-{},{}",
            r.filename, r.start.line, r.start.column, r.end.line, r.end.column
        ),
        None => "an unknown location".into(),
    }
}

/// Reads a native-syntax body into its raw form.
pub(super) fn from_hcl(body: &hcl_edit::structure::Body, file: &Arc<SourceFile>) -> RawBody {
    let mut out = RawBody::default();
    for structure in body.iter() {
        if let Some(attr) = structure.as_attribute() {
            let range = attr.span().map(|s| file.range(s));
            out.attrs.push(RawAttr {
                name: attr.key.as_str().to_string(),
                name_range: attr.key.span().map(|s| file.range(s)),
                expr: Expr {
                    expr: attr.value.clone(),
                    file: file.clone(),
                    fallback: range.clone(),
                },
                range,
                json_slot: None,
            });
        } else if let Some(block) = structure.as_block() {
            out.blocks.push(block_from_hcl(block, file));
        }
    }
    out
}

fn block_from_hcl(block: &hcl_edit::structure::Block, file: &Arc<SourceFile>) -> RawBlock {
    let kind_span = block.ident.span();
    let label_spans: Vec<Option<Range<usize>>> = block.labels.iter().map(Span::span).collect();
    let header_end = label_spans
        .iter()
        .rev()
        .flatten()
        .next()
        .or(kind_span.as_ref())
        .map(|s| s.end);
    let def_range = match (&kind_span, header_end) {
        (Some(k), Some(end)) => Some(file.range(k.start..end)),
        _ => None,
    };
    let block_end = block.span().map_or(file.text.len(), |s| s.end);
    let open_brace = header_end.and_then(|start| {
        let rest = file.text.get(start..block_end)?;
        let at = start + rest.find('{')?;
        Some(file.range(at..at + 1))
    });
    let mut body = from_hcl(&block.body, file);
    body.open_brace = open_brace;
    RawBlock {
        kind: block.ident.as_str().to_string(),
        kind_range: kind_span.map(|s| file.range(s)),
        labels: block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect(),
        label_ranges: label_spans
            .into_iter()
            .map(|s| s.map(|s| file.range(s)))
            .collect(),
        body,
        def_range,
    }
}

/// Parses `text` as an expression whose spans count from `offset` in its file, so that a
/// reference written inside a string (or a JSON value) points at the right place.
pub(super) fn parse_expr_at(text: &str, offset: usize) -> Result<Expression, String> {
    let offset = offset.max(1);
    let mut buffer = String::with_capacity(offset + text.len() + 2);
    buffer.push('[');
    buffer.push_str(&" ".repeat(offset - 1));
    buffer.push_str(text);
    buffer.push('\n');
    buffer.push(']');
    match parse_expr(&buffer)? {
        Expression::Array(mut items) if items.len() == 1 => Ok(items.remove(0)),
        _ => Err("a single expression is required".into()),
    }
}

/// `hcl_edit::parser::parse_expr`, with a panic inside the parser turned into an error.
pub(super) fn parse_expr(text: &str) -> Result<Expression, String> {
    std::panic::catch_unwind(|| hcl_edit::parser::parse_expr(text))
        .map_err(|_| "the expression could not be parsed".to_string())?
        .map_err(|e| e.message().to_string())
}
