//! Type constraints as written in `variable` blocks (`list(string)`, `object({...})` with
//! `optional(type, default)`, `any`), and conversion of a value to a constraint, filling
//! optional attributes with their defaults as Terraform does.

use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// A type constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    Any,
    String,
    Number,
    Bool,
    List(Box<Constraint>),
    Set(Box<Constraint>),
    Map(Box<Constraint>),
    Tuple(Vec<Constraint>),
    Object(BTreeMap<String, ObjectAttribute>),
}

/// An attribute of an object constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectAttribute {
    pub constraint: Constraint,
    pub optional: bool,
    /// The default of an optional attribute, already converted to its constraint.
    pub default: Option<Value>,
}

impl Constraint {
    /// The type the constraint stands for (`Type::Dynamic` for `any`).
    pub fn ty(&self) -> Type {
        todo!()
    }

    /// Converts a value to the constraint: optional attributes that are missing or null get
    /// their default (or null), then the value is converted to the constraint's type.
    pub fn convert(&self, _value: &Value) -> Result<Value, String> {
        todo!()
    }
}

/// Parses a type constraint expression.
pub fn parse(_expr: &hcl_edit::expr::Expression) -> Result<Constraint, String> {
    todo!()
}
