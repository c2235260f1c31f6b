//! Decoding a resource's configuration body with its provider's schema into an object
//! value: attributes converted to their types, nested blocks gathered by nesting mode, and
//! `dynamic` blocks expanded over their `for_each`.

use crate::config::{Block as ConfigBlock, Body};
use crate::convert::convert;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::expr::{evaluate, Reference, Resolver};
use crate::functions::FnContext;
use crate::provider::{Block, Nesting};
use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// A resolver that adds a `dynamic` block's iterator symbol (`NAME.key`, `NAME.value`) to
/// another resolver.
pub struct DynamicIterator<'r> {
    pub base: &'r dyn Resolver,
    pub name: &'r str,
    pub key: Value,
    pub value: Value,
}

impl Resolver for DynamicIterator<'_> {
    fn resolve(&self, reference: Reference) -> Result<Value, Diagnostic> {
        if let Reference::Resource { ty, name } = reference {
            if ty == self.name {
                return match name {
                    "key" => Ok(self.key.clone()),
                    "value" => Ok(self.value.clone()),
                    _ => Err(Diagnostic::error(
                        "Unsupported attribute",
                        format!(
                            "The iterator {ty:?} has only the attributes \"key\" and \"value\"."
                        ),
                    )),
                };
            }
        }
        self.base.resolve(reference)
    }
    fn fn_context(&self) -> FnContext<'_> {
        self.base.fn_context()
    }
}

/// The iterator name of a `dynamic` block: its `iterator` argument, else its label.
pub fn iterator_name(block: &ConfigBlock) -> String {
    block
        .body
        .attributes
        .get("iterator")
        .and_then(|a| match &a.expr.expr {
            hcl_edit::expr::Expression::Variable(v) => Some(v.as_str().to_string()),
            _ => None,
        })
        .or_else(|| block.labels.first().cloned())
        .unwrap_or_default()
}

/// Decodes `body` against `schema`; the result is an object with every attribute and
/// nested block type of the schema.
pub fn decode_body(
    resolver: &dyn Resolver,
    body: &Body,
    schema: &Block,
) -> Result<Value, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut out = BTreeMap::new();
    for (name, attr) in &body.attributes {
        if schema.attributes.contains_key(name) {
            continue;
        }
        let detail = if schema.blocks.contains_key(name) {
            format!("An argument named {name:?} is not expected here. Did you mean to define a block of type {name:?}?")
        } else {
            format!("An argument named {name:?} is not expected here.")
        };
        diags.push(Diagnostic::error("Unsupported argument", detail).at(attr.range.clone()));
    }
    for block in &body.blocks {
        let kind = if block.kind == "dynamic" {
            block.labels.first().map(String::as_str).unwrap_or("")
        } else {
            &block.kind
        };
        if !schema.blocks.contains_key(kind) {
            diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type {kind:?} are not expected here."),
                )
                .at(block.range.clone()),
            );
        }
    }
    for (name, spec) in &schema.attributes {
        let value = match body.attributes.get(name) {
            Some(attr) => {
                if spec.computed && !spec.optional && !spec.required {
                    diags.push(
                        Diagnostic::error(
                            "Value for unconfigurable attribute",
                            format!("Can't configure a value for {name:?}: its value will be decided automatically based on the result of applying this configuration."),
                        )
                        .at(attr.range.clone()),
                    );
                    continue;
                }
                match evaluate(resolver, &attr.expr) {
                    Ok(v) => match convert(&v, &spec.ty) {
                        Ok(v) => v,
                        Err(e) => {
                            diags.push(
                                Diagnostic::error(
                                    "Incorrect attribute value type",
                                    format!("Inappropriate value for attribute {name:?}: {e}."),
                                )
                                .at(attr.expr.range()),
                            );
                            continue;
                        }
                    },
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                }
            }
            None => {
                if spec.required {
                    diags.push(Diagnostic::error(
                        "Missing required argument",
                        format!("The argument {name:?} is required, but no definition was found."),
                    ));
                    continue;
                }
                Value::Null(spec.ty.clone())
            }
        };
        out.insert(name.clone(), value);
    }
    for (name, nested) in &schema.blocks {
        let mut items: Vec<(Option<String>, Value)> = Vec::new();
        let mut unknown = false;
        for block in &body.blocks {
            if block.kind == *name {
                match decode_body(resolver, &block.body, &nested.block) {
                    Ok(v) => items.push((block.labels.first().cloned(), v)),
                    Err(d) => diags.extend(d),
                }
            } else if block.kind == "dynamic" && block.labels.first() == Some(name) {
                match expand_dynamic(resolver, block, &nested.block) {
                    Ok(Some(expanded)) => items.extend(expanded),
                    Ok(None) => unknown = true,
                    Err(d) => diags.extend(d),
                }
            }
        }
        let block_ty = nested.block.value_type();
        let count = items.len() as u64;
        if !unknown && count < nested.min_items {
            diags.push(Diagnostic::error(
                format!("Insufficient {name} blocks"),
                format!(
                    "At least {} \"{name}\" blocks are required.",
                    nested.min_items
                ),
            ));
        }
        if !unknown && nested.max_items > 0 && count > nested.max_items {
            diags.push(Diagnostic::error(
                format!("Too many {name} blocks"),
                format!(
                    "No more than {} \"{name}\" blocks are allowed.",
                    nested.max_items
                ),
            ));
        }
        let value = match nested.nesting {
            Nesting::Single | Nesting::Group if unknown => Value::Unknown(block_ty),
            Nesting::Single => items.pop().map(|(_, v)| v).unwrap_or(Value::Null(block_ty)),
            Nesting::Group => match items.pop() {
                Some((_, v)) => v,
                None => decode_body(resolver, &Body::default(), &nested.block)
                    .unwrap_or(Value::Null(block_ty)),
            },
            Nesting::List if unknown => Value::Unknown(Type::list(block_ty)),
            Nesting::List => Value::list(block_ty, items.into_iter().map(|(_, v)| v).collect()),
            Nesting::Set if unknown => Value::Unknown(Type::set(block_ty)),
            Nesting::Set => Value::set(block_ty, items.into_iter().map(|(_, v)| v).collect()),
            Nesting::Map if unknown => Value::Unknown(Type::map(block_ty)),
            Nesting::Map => Value::map(
                block_ty,
                items
                    .into_iter()
                    .map(|(k, v)| (k.unwrap_or_default(), v))
                    .collect(),
            ),
        };
        out.insert(name.clone(), value);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Value::object(out))
}

/// Decoded nested blocks with their label (for blocks nested as a map).
type LabelledBlocks = Vec<(Option<String>, Value)>;

/// The blocks a `dynamic` block stands for; `None` when its `for_each` is not known yet.
fn expand_dynamic(
    resolver: &dyn Resolver,
    block: &ConfigBlock,
    schema: &Block,
) -> Result<Option<LabelledBlocks>, Diagnostics> {
    let Some(for_each) = block.body.attributes.get("for_each") else {
        return Err(Diagnostic::error(
            "Missing required argument",
            "The argument \"for_each\" is required, but no definition was found.",
        )
        .at(block.range.clone())
        .into());
    };
    let coll = evaluate(resolver, &for_each.expr).map_err(Diagnostics::from)?;
    let (coll, _) = coll.into_unmarked();
    if !coll.is_known() {
        return Ok(None);
    }
    let items: Vec<(Value, Value)> = match &coll {
        Value::List(_, e) | Value::Tuple(e) => e
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::int(i as i64), v.clone()))
            .collect(),
        Value::Set(_, e) => e.iter().map(|v| (v.clone(), v.clone())).collect(),
        Value::Map(_, m) | Value::Object(m) => m
            .iter()
            .map(|(k, v)| (Value::string(k.as_str()), v.clone()))
            .collect(),
        Value::Null(_) => {
            return Err(Diagnostic::error(
                "Invalid dynamic for_each value",
                "Cannot use a null value in for_each.",
            )
            .at(for_each.expr.range())
            .into())
        }
        other => {
            return Err(Diagnostic::error(
                "Invalid dynamic for_each value",
                format!(
                    "Cannot use a {} value in for_each. An iterable collection is required.",
                    other.ty().friendly_name()
                ),
            )
            .at(for_each.expr.range())
            .into())
        }
    };
    let name = iterator_name(block);
    let content = block.body.blocks.iter().find(|b| b.kind == "content");
    let Some(content) = content else {
        return Err(Diagnostic::error(
            "Missing content block",
            "A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.",
        )
        .at(block.range.clone())
        .into());
    };
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    for (key, value) in items {
        let it = DynamicIterator {
            base: resolver,
            name: &name,
            key,
            value,
        };
        let label = match block.body.attributes.get("labels") {
            Some(l) => match evaluate(&it, &l.expr) {
                Ok(v) => v
                    .as_seq()
                    .and_then(|s| s.first())
                    .and_then(|x| x.as_str().map(str::to_owned)),
                Err(d) => {
                    diags.push(d);
                    None
                }
            },
            None => None,
        };
        match decode_body(&it, &content.body, schema) {
            Ok(v) => out.push((label, v)),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Some(out))
}
