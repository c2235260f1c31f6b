//! Type constraints as written in `variable` blocks (`list(string)`, `object({...})` with
//! `optional(type, default)`, `any`), and conversion of a value to a constraint, filling
//! optional attributes with their defaults as Terraform does.
//!
//! Also holds the small evaluator of constant expressions (literals, lists and objects of
//! them) that the loader needs for default values and static arguments.

use crate::convert::convert;
use crate::number::Number;
use crate::value::{Type, Value};
use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::ops::Range;

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
        match self {
            Constraint::Any => Type::Dynamic,
            Constraint::String => Type::String,
            Constraint::Number => Type::Number,
            Constraint::Bool => Type::Bool,
            Constraint::List(e) => Type::list(e.ty()),
            Constraint::Set(e) => Type::set(e.ty()),
            Constraint::Map(e) => Type::map(e.ty()),
            Constraint::Tuple(elems) => Type::tuple(elems.iter().map(Constraint::ty).collect()),
            Constraint::Object(attrs) => Type::object(
                attrs
                    .iter()
                    .map(|(k, a)| (k.clone(), a.constraint.ty()))
                    .collect(),
            ),
        }
    }

    /// Converts a value to the constraint: optional attributes that are missing or null get
    /// their default (or null), then the value is converted to the constraint's type.
    pub fn convert(&self, value: &Value) -> Result<Value, String> {
        let prepared = if self.has_optional() {
            self.prepare(value, true)
        } else {
            value.clone()
        };
        convert(&prepared, &self.ty())
    }

    /// Converts a value to the constraint filling missing optional attributes with null but
    /// applying no defaults (what converting to the bare type with optional attributes does).
    fn convert_without_defaults(&self, value: &Value) -> Result<Value, String> {
        let prepared = if self.has_optional() {
            self.prepare(value, false)
        } else {
            value.clone()
        };
        convert(&prepared, &self.ty())
    }

    /// Whether the constraint has an optional attribute anywhere.
    fn has_optional(&self) -> bool {
        match self {
            Constraint::List(e) | Constraint::Set(e) | Constraint::Map(e) => e.has_optional(),
            Constraint::Tuple(elems) => elems.iter().any(Constraint::has_optional),
            Constraint::Object(attrs) => attrs
                .values()
                .any(|a| a.optional || a.constraint.has_optional()),
            _ => false,
        }
    }

    /// Walks a value not yet converted, filling the optional attributes of every object the
    /// constraint describes: with the default where there is one (and `with_defaults`), with
    /// null where the attribute is missing. Null and unknown values are left alone, so a null
    /// object stays null. Collections come back as tuples or objects; the conversion that
    /// follows gives them their final type.
    fn prepare(&self, value: &Value, with_defaults: bool) -> Value {
        if !value.is_known() || value.is_null() {
            return value.clone();
        }
        let (inner, marked) = value.unmark();
        let prepared = match (self, inner) {
            (Constraint::Object(attrs), Value::Object(m) | Value::Map(_, m)) => {
                let mut out = BTreeMap::new();
                for (name, v) in m.iter() {
                    let v = match attrs.get(name) {
                        Some(a) => a.constraint.prepare(v, with_defaults),
                        None => v.clone(),
                    };
                    out.insert(name.clone(), v);
                }
                for (name, a) in attrs.iter().filter(|(_, a)| a.optional) {
                    let present = out.get(name).map(|v| !v.is_null());
                    if present == Some(true) {
                        continue;
                    }
                    match (&a.default, with_defaults) {
                        (Some(default), true) => {
                            out.insert(name.clone(), a.constraint.prepare(default, true));
                        }
                        _ if present.is_none() => {
                            out.insert(name.clone(), Value::Null(Type::Dynamic));
                        }
                        _ => {}
                    }
                }
                Value::object(out)
            }
            (
                Constraint::List(e) | Constraint::Set(e),
                Value::List(_, elems) | Value::Set(_, elems) | Value::Tuple(elems),
            ) => Value::tuple(elems.iter().map(|v| e.prepare(v, with_defaults)).collect()),
            (Constraint::Tuple(cs), Value::List(_, elems) | Value::Tuple(elems))
                if cs.len() == elems.len() =>
            {
                Value::tuple(
                    elems
                        .iter()
                        .zip(cs)
                        .map(|(v, c)| c.prepare(v, with_defaults))
                        .collect(),
                )
            }
            (Constraint::Map(e), Value::Map(_, m) | Value::Object(m)) => Value::object(
                m.iter()
                    .map(|(k, v)| (k.clone(), e.prepare(v, with_defaults)))
                    .collect(),
            ),
            _ => inner.clone(),
        };
        prepared.mark_if(marked)
    }
}

/// A problem in a type constraint, with where it is (a byte span of the expression's file).
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExprError {
    pub summary: String,
    pub detail: String,
    pub span: Option<Range<usize>>,
}

const INVALID_TYPE: &str = "Invalid type specification";

fn type_error(detail: impl Into<String>, span: Option<Range<usize>>) -> TypeExprError {
    TypeExprError {
        summary: INVALID_TYPE.into(),
        detail: detail.into(),
        span,
    }
}

/// Parses a type constraint expression.
pub fn parse(expr: &hcl_edit::expr::Expression) -> Result<Constraint, String> {
    parse_spanned(expr).map_err(|errors| {
        errors
            .into_iter()
            .next()
            .map(|e| e.detail)
            .unwrap_or_else(|| INVALID_TYPE.into())
    })
}

/// Parses the type constraint of a `variable` block, reporting every problem as Terraform
/// does. The legacy bare keywords `list` and `map` mean `list(any)` and `map(any)`; a
/// quoted type (`"string"`, Terraform 0.11's syntax) is an error.
pub fn parse_spanned(expr: &Expression) -> Result<Constraint, Vec<TypeExprError>> {
    match keyword(expr) {
        Some("list") => return Ok(Constraint::List(Box::new(Constraint::Any))),
        Some("map") => return Ok(Constraint::Map(Box::new(Constraint::Any))),
        _ => {}
    }
    if let Expression::String(s) = expr {
        return Err(vec![quoted_type_error(s.value(), expr.span())]);
    }
    let mut errors = Vec::new();
    let constraint = parse_type(expr, &mut errors);
    if errors.is_empty() {
        Ok(constraint)
    } else {
        Err(errors)
    }
}

fn quoted_type_error(text: &str, span: Option<Range<usize>>) -> TypeExprError {
    let lead = "Terraform 0.11 and earlier required type constraints to be given in quotes, \
                but that form is now deprecated and will be removed in a future version of \
                Terraform.";
    let (summary, detail) = match text {
        "string" => (
            "Invalid quoted type constraints",
            format!("{lead} Remove the quotes around \"string\"."),
        ),
        "list" | "map" => (
            "Invalid quoted type constraints",
            format!(
                "{lead} Remove the quotes around \"{text}\" and write {text}(string) instead \
                 to explicitly indicate that the {text} elements are strings."
            ),
        ),
        _ => (
            "Invalid legacy variable type hint",
            "To provide a full type expression, remove the surrounding quotes and give the \
             type expression directly."
                .to_string(),
        ),
    };
    TypeExprError {
        summary: summary.into(),
        detail,
        span,
    }
}

fn unwrap_parens(mut expr: &Expression) -> &Expression {
    while let Expression::Parenthesis(p) = expr {
        expr = p.inner();
    }
    expr
}

/// The expression as a single bare keyword (`string`, `any`), if it is one. Parentheses
/// make it something else, as in Terraform.
fn keyword(expr: &Expression) -> Option<&str> {
    match expr {
        Expression::Variable(v) => Some(v.as_str()),
        _ => None,
    }
}

fn span_between(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start..b.end),
        (a, b) => a.or(b),
    }
}

fn parse_type(expr: &Expression, errors: &mut Vec<TypeExprError>) -> Constraint {
    let span = expr.span();
    if let Some(kw) = keyword(expr) {
        let detail = match kw {
            "bool" => return Constraint::Bool,
            "string" => return Constraint::String,
            "number" => return Constraint::Number,
            "any" => return Constraint::Any,
            "list" | "map" | "set" => {
                format!(
                    "The {kw} type constructor requires one argument specifying the element type."
                )
            }
            "object" => OBJECT_ARGS.to_string(),
            "tuple" => TUPLE_ARGS.to_string(),
            _ => format!("The keyword {kw:?} is not a valid type specification."),
        };
        errors.push(type_error(detail, span));
        return Constraint::Any;
    }
    let Expression::FuncCall(call) = expr else {
        errors.push(type_error(
            "A type specification is either a primitive type keyword (bool, number, string) \
             or a complex type constructor call, like list(string).",
            span,
        ));
        return Constraint::Any;
    };
    let name: String = call
        .name
        .namespace
        .iter()
        .map(|n| format!("{}::", n.as_str()))
        .chain(std::iter::once(call.name.name.as_str().to_string()))
        .collect();
    let name = name.as_str();
    let args: Vec<&Expression> = call.args.iter().collect();
    let args_span = match (call.name.name.span(), span.clone()) {
        (Some(n), Some(c)) => Some(n.end..c.end),
        _ => span.clone(),
    };
    match name {
        "bool" | "string" | "number" => {
            errors.push(type_error(
                format!("Primitive type keyword {name:?} does not expect arguments."),
                args_span,
            ));
            return Constraint::Any;
        }
        "any" => {
            errors.push(type_error(
                format!("Type constraint keyword {name:?} does not expect arguments."),
                args_span,
            ));
            return Constraint::Any;
        }
        _ => {}
    }
    if args.len() != 1 && matches!(name, "list" | "set" | "map" | "object" | "tuple") {
        let subject = if args.len() > 1 {
            span_between(args[1].span(), args[args.len() - 1].span())
        } else {
            args_span
        };
        let detail = match name {
            "object" => OBJECT_ARGS.to_string(),
            "tuple" => TUPLE_ARGS.to_string(),
            _ => format!(
                "The {name} type constructor requires one argument specifying the element type."
            ),
        };
        errors.push(type_error(detail, subject));
        return Constraint::Any;
    }
    match name {
        "list" => Constraint::List(Box::new(parse_type(args[0], errors))),
        "set" => Constraint::Set(Box::new(parse_type(args[0], errors))),
        "map" => Constraint::Map(Box::new(parse_type(args[0], errors))),
        "tuple" => {
            let Expression::Array(elems) = unwrap_parens(args[0]) else {
                errors.push(type_error(
                    "Tuple type constructor requires a list of element types.",
                    args[0].span(),
                ));
                return Constraint::Any;
            };
            Constraint::Tuple(elems.iter().map(|e| parse_type(e, errors)).collect())
        }
        "object" => parse_object(args[0], errors),
        "optional" => {
            errors.push(type_error(
                "Keyword \"optional\" is valid only as a modifier for object type attributes.",
                call.name.name.span(),
            ));
            Constraint::Any
        }
        _ => {
            errors.push(type_error(
                format!("Keyword {name:?} is not a valid type constructor."),
                span,
            ));
            Constraint::Any
        }
    }
}

const OBJECT_ARGS: &str =
    "The object type constructor requires one argument specifying the attribute types and \
     values as a map.";
const TUPLE_ARGS: &str =
    "The tuple type constructor requires one argument specifying the element types as a list.";

fn parse_object(arg: &Expression, errors: &mut Vec<TypeExprError>) -> Constraint {
    let Expression::Object(object) = unwrap_parens(arg) else {
        errors.push(type_error(
            "Object type constructor requires a map whose keys are attribute names and whose \
             values are the corresponding attribute types.",
            arg.span(),
        ));
        return Constraint::Any;
    };
    let mut attrs = BTreeMap::new();
    for (key, value) in object.iter() {
        let name = match key {
            ObjectKey::Ident(ident) => ident.as_str().to_string(),
            ObjectKey::Expression(e) => match keyword(e) {
                Some(kw) => kw.to_string(),
                _ => {
                    errors.push(type_error(
                        "Object constructor map keys must be attribute names.",
                        e.span(),
                    ));
                    continue;
                }
            },
        };
        let mut type_expr = value.expr();
        let mut optional = false;
        let mut default_expr = None;
        if let Expression::FuncCall(call) = type_expr {
            if !call.name.is_namespaced() && call.name.name.as_str() == "optional" {
                let args: Vec<&Expression> = call.args.iter().collect();
                let args_span = match (call.name.name.span(), type_expr.span()) {
                    (Some(n), Some(c)) => Some(n.end..c.end),
                    _ => type_expr.span(),
                };
                match args.len() {
                    0 => {
                        errors.push(type_error(
                            "Optional attribute modifier requires the attribute type as its \
                             argument.",
                            args_span,
                        ));
                        continue;
                    }
                    1 | 2 => {
                        optional = true;
                        default_expr = args.get(1).copied();
                    }
                    _ => {
                        errors.push(type_error(
                            "Optional attribute modifier expects at most two arguments: the \
                             attribute type, and a default value.",
                            args_span,
                        ));
                    }
                }
                type_expr = args[0];
            }
        }
        let constraint = parse_type(type_expr, errors);
        let mut default = None;
        if let Some(default_expr) = default_expr {
            match const_value(default_expr) {
                Ok(v) => match constraint.convert_without_defaults(&v) {
                    Ok(v) => default = Some(v),
                    Err(e) => errors.push(TypeExprError {
                        summary: "Invalid default value for optional attribute".into(),
                        detail: format!(
                            "This default value is not compatible with the attribute's type \
                             constraint: {e}."
                        ),
                        span: default_expr.span(),
                    }),
                },
                Err(e) => errors.push(TypeExprError {
                    summary: e.summary,
                    detail: e.detail,
                    span: e.span,
                }),
            }
        }
        attrs.insert(
            name,
            ObjectAttribute {
                constraint,
                optional,
                default,
            },
        );
    }
    Constraint::Object(attrs)
}

/// Why an expression has no constant value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConstErrorKind {
    /// Terraform rejects it too in a constant context (a reference, a function call).
    NotAllowed,
    /// Terraform would evaluate it; terrane's constant evaluator does not.
    Unsupported,
}

/// An expression that could not be evaluated as a constant.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConstError {
    pub kind: ConstErrorKind,
    pub summary: String,
    pub detail: String,
    pub span: Option<Range<usize>>,
}

fn unsupported(span: Option<Range<usize>>) -> ConstError {
    ConstError {
        kind: ConstErrorKind::Unsupported,
        summary: "Unsupported constant expression".into(),
        detail: "terrane evaluates only literal values here: strings without interpolation, \
                 numbers, bools, null, and lists and objects of them."
            .into(),
        span,
    }
}

/// Evaluates a constant expression: literals, negated numbers, lists and objects of
/// constants, and string templates whose interpolations are constants.
pub(crate) fn const_value(expr: &Expression) -> Result<Value, ConstError> {
    match expr {
        Expression::Null(_) => Ok(Value::Null(Type::Dynamic)),
        Expression::Bool(b) => Ok(Value::Bool(*b.value())),
        Expression::Number(n) => {
            let text = n.as_repr().map(|r| r.to_string()).filter(|r| !r.is_empty());
            let text = text.unwrap_or_else(|| n.value().to_string());
            Number::parse(&text)
                .map(Value::number)
                .ok_or_else(|| unsupported(expr.span()))
        }
        Expression::String(s) => Ok(Value::string(s.value().as_str())),
        Expression::StringTemplate(t) => const_template(t, expr.span()),
        Expression::HeredocTemplate(h) => const_template(&h.template, expr.span()),
        Expression::Parenthesis(p) => const_value(p.inner()),
        Expression::Array(items) => Ok(Value::tuple(
            items
                .iter()
                .map(const_value)
                .collect::<Result<Vec<_>, _>>()?,
        )),
        Expression::Object(object) => {
            let mut out = BTreeMap::new();
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_string(),
                    ObjectKey::Expression(e) => {
                        let k = const_value(e)?;
                        match convert(&k, &Type::String) {
                            Ok(Value::String(s)) => s.to_string(),
                            _ => return Err(unsupported(e.span())),
                        }
                    }
                };
                out.insert(name, const_value(value.expr())?);
            }
            Ok(Value::object(out))
        }
        Expression::UnaryOp(op) => {
            let operand = const_value(&op.expr)?;
            match (op.operator.value(), &operand) {
                (UnaryOperator::Neg, Value::Number(n)) => Ok(Value::number(n.neg())),
                (UnaryOperator::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                _ => Err(unsupported(expr.span())),
            }
        }
        Expression::Variable(v) => Err(variables_not_allowed(v.span())),
        Expression::Traversal(t) => match unwrap_parens(&t.expr) {
            Expression::Variable(v) => Err(variables_not_allowed(v.span())),
            _ => Err(unsupported(expr.span())),
        },
        Expression::FuncCall(_) => Err(ConstError {
            kind: ConstErrorKind::NotAllowed,
            summary: "Function calls not allowed".into(),
            detail: "Functions may not be called here.".into(),
            span: expr.span(),
        }),
        _ => Err(unsupported(expr.span())),
    }
}

fn variables_not_allowed(span: Option<Range<usize>>) -> ConstError {
    ConstError {
        kind: ConstErrorKind::NotAllowed,
        summary: "Variables not allowed".into(),
        detail: "Variables may not be used here.".into(),
        span,
    }
}

fn const_template(t: &Template, span: Option<Range<usize>>) -> Result<Value, ConstError> {
    let mut out = String::new();
    for element in t.iter() {
        match element {
            Element::Literal(s) => out.push_str(s.value()),
            Element::Interpolation(i) => {
                let v = const_value(&i.expr)?;
                match convert(&v, &Type::String) {
                    Ok(Value::String(s)) => out.push_str(&s),
                    _ => return Err(unsupported(i.expr.span())),
                }
            }
            Element::Directive(_) => return Err(unsupported(span)),
        }
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expression {
        hcl_edit::parser::parse_expr(text).expect("test expression parses")
    }

    fn constraint(text: &str) -> Constraint {
        parse(&expr(text)).expect("test type parses")
    }

    fn value(text: &str) -> Value {
        const_value(&expr(text)).expect("test value is constant")
    }

    fn errors(text: &str) -> Vec<TypeExprError> {
        parse_spanned(&expr(text)).expect_err("type is invalid")
    }

    #[test]
    fn parses_primitive_and_collection_types() {
        assert_eq!(constraint("string"), Constraint::String);
        assert_eq!(constraint("any"), Constraint::Any);
        assert_eq!(constraint("list(number)").ty(), Type::list(Type::Number));
        assert_eq!(constraint("set(bool)").ty(), Type::set(Type::Bool));
        assert_eq!(
            constraint("map(list(any))").ty(),
            Type::map(Type::list(Type::Dynamic))
        );
        assert_eq!(
            constraint("tuple([string, number])").ty(),
            Type::tuple(vec![Type::String, Type::Number])
        );
        // Parentheses do not make a keyword (checked against Terraform 1.0.3).
        assert!(parse(&expr("(list)")).is_err());
        let obj = constraint("object({a = string, b = optional(number, 3)})");
        let Constraint::Object(attrs) = &obj else {
            panic!("not an object: {obj:?}")
        };
        assert!(!attrs["a"].optional);
        assert!(attrs["b"].optional);
        assert_eq!(attrs["b"].default, Some(Value::int(3)));
        assert_eq!(obj.ty().to_string(), "object({a=string, b=number})");
    }

    #[test]
    fn legacy_bare_list_and_map_mean_any_elements() {
        // Terraform 1.0.3 accepts `type = list` and `type = map` at the top level only.
        assert_eq!(
            constraint("list"),
            Constraint::List(Box::new(Constraint::Any))
        );
        assert_eq!(
            constraint("map"),
            Constraint::Map(Box::new(Constraint::Any))
        );
        let e = errors("list(map)");
        assert_eq!(
            e[0].detail,
            "The map type constructor requires one argument specifying the element type."
        );
    }

    #[test]
    fn reports_errors_as_terraform_does() {
        // Messages checked against `terraform validate` (1.0.3).
        let cases = [
            (
                "foo",
                "The keyword \"foo\" is not a valid type specification.",
            ),
            (
                "list(string, number)",
                "The list type constructor requires one argument specifying the element type.",
            ),
            ("object({a = string}, 1)", OBJECT_ARGS),
            (
                "object([\"a\"])",
                "Object type constructor requires a map whose keys are attribute names and \
                 whose values are the corresponding attribute types.",
            ),
            (
                "tuple({})",
                "Tuple type constructor requires a list of element types.",
            ),
            (
                "set",
                "The set type constructor requires one argument specifying the element type.",
            ),
            (
                "any()",
                "Type constraint keyword \"any\" does not expect arguments.",
            ),
            (
                "string(1)",
                "Primitive type keyword \"string\" does not expect arguments.",
            ),
            (
                "optional(string)",
                "Keyword \"optional\" is valid only as a modifier for object type attributes.",
            ),
            (
                "list(any) + 1",
                "A type specification is either a primitive type keyword (bool, number, \
                 string) or a complex type constructor call, like list(string).",
            ),
            (
                "string.foo",
                "A type specification is either a primitive type keyword (bool, number, \
                 string) or a complex type constructor call, like list(string).",
            ),
            ("tuple", TUPLE_ARGS),
            ("object", OBJECT_ARGS),
            (
                "lst(string)",
                "Keyword \"lst\" is not a valid type constructor.",
            ),
        ];
        for (text, detail) in cases {
            let e = errors(text);
            assert_eq!(e[0].summary, INVALID_TYPE, "{text}");
            assert_eq!(e[0].detail, detail, "{text}");
        }
        // Both non-keyword keys are reported, each at its own span.
        let e = errors("object({\"a\"=string, \"${x}\"=number})");
        assert_eq!(e.len(), 2);
        assert_eq!(
            e[0].detail,
            "Object constructor map keys must be attribute names."
        );
        assert_eq!(e[0].span, Some(8..11));
        // The extra arguments are the subject of a too-many-arguments error.
        let e = errors("list(string, number, bool)");
        assert_eq!(e[0].span, Some(13..25));
        let e = errors("\"string\"");
        assert_eq!(e[0].summary, "Invalid quoted type constraints");
        let e = errors("\"foo\"");
        assert_eq!(e[0].summary, "Invalid legacy variable type hint");
        let e = errors("\"list\"");
        assert!(e[0].detail.ends_with(
            "Remove the quotes around \"list\" and write list(string) instead to explicitly \
             indicate that the list elements are strings."
        ));
    }

    #[test]
    fn invalid_defaults_are_reported() {
        let e = errors("object({a = optional(number, \"x\")})");
        assert_eq!(e[0].summary, "Invalid default value for optional attribute");
        assert_eq!(
            e[0].detail,
            "This default value is not compatible with the attribute's type constraint: a \
             number is required."
        );
        let e = errors("object({a = optional(number, var.x)})");
        assert_eq!(e[0].summary, "Variables not allowed");
        let e = errors("object({a = optional(string, upper(\"x\"))})");
        assert_eq!(e[0].summary, "Function calls not allowed");
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn optional_attributes_get_defaults_or_null() {
        // The documentation's example: `c = optional(number, 127)`.
        let c = constraint("object({a = string, b = optional(string), c = optional(number, 127)})");
        let v = c.convert(&obj(&[("a", "x".into())])).unwrap();
        assert_eq!(
            v,
            obj(&[
                ("a", "x".into()),
                ("b", Value::Null(Type::String)),
                ("c", Value::int(127)),
            ])
        );
        // An explicit null also gets the default.
        let v = c
            .convert(&obj(&[
                ("a", "x".into()),
                ("c", Value::Null(Type::Dynamic)),
            ]))
            .unwrap();
        assert_eq!(v.as_mapping().unwrap()["c"], Value::int(127));
        // A given value wins.
        let v = c
            .convert(&obj(&[("a", "x".into()), ("c", Value::int(1))]))
            .unwrap();
        assert_eq!(v.as_mapping().unwrap()["c"], Value::int(1));
        // Required attributes stay required.
        assert_eq!(
            c.convert(&Value::empty_object()).unwrap_err(),
            "attribute \"a\" is required"
        );
        // A null object stays null.
        let v = c.convert(&Value::Null(Type::Dynamic)).unwrap();
        assert!(v.is_null());
        assert_eq!(v.ty(), c.ty());
    }

    #[test]
    fn nested_defaults_follow_the_documentation_example() {
        // From the "Optional Object Type Attributes" documentation (Terraform >= 1.3).
        let c = constraint(
            r#"list(object({
                name    = string
                enabled = optional(bool, true)
                website = optional(object({
                  index_document = optional(string, "index.html")
                  error_document = optional(string, "error.html")
                  routing_rules  = optional(string)
                }), {})
              }))"#,
        );
        let given = value(
            r#"[
              { name = "production", website = { routing_rules = "[]" } },
              { name = "archived", enabled = false },
              { name = "docs", website = { index_document = "index.txt", error_document = "error.txt" } },
            ]"#,
        );
        let got = c.convert(&given).unwrap();
        let want = c
            .convert(&value(
                r#"[
                  { name = "production", enabled = true, website = { index_document = "index.html", error_document = "error.html", routing_rules = "[]" } },
                  { name = "archived", enabled = false, website = { index_document = "index.html", error_document = "error.html", routing_rules = null } },
                  { name = "docs", enabled = true, website = { index_document = "index.txt", error_document = "error.txt", routing_rules = null } },
                ]"#,
            ))
            .unwrap();
        assert_eq!(got, want);
        assert_eq!(got.ty(), c.ty());
    }

    #[test]
    fn defaults_apply_inside_maps_and_keep_marks() {
        let c = constraint("map(object({a = optional(number, 1)}))");
        let given = obj(&[
            ("x", Value::empty_object()),
            ("y", obj(&[("a", Value::int(2))])),
        ]);
        let got = c.convert(&given.mark()).unwrap();
        assert!(got.is_sensitive());
        let (inner, _) = got.unmark();
        assert_eq!(
            inner.as_mapping().unwrap()["x"],
            obj(&[("a", Value::int(1))])
        );
        assert_eq!(
            inner.as_mapping().unwrap()["y"],
            obj(&[("a", Value::int(2))])
        );
    }

    #[test]
    fn constant_values() {
        assert_eq!(value("-1.5"), Value::number(Number::parse("-1.5").unwrap()));
        assert_eq!(value("\"a${1}b\""), Value::string("a1b"));
        assert_eq!(value("!true"), Value::Bool(false));
        assert_eq!(
            value("{a = [1, \"x\"], \"b\" = null}"),
            obj(&[
                ("a", Value::tuple(vec![Value::int(1), "x".into()])),
                ("b", Value::Null(Type::Dynamic)),
            ])
        );
        let e = const_value(&expr("1 + 2")).unwrap_err();
        assert_eq!(e.kind, ConstErrorKind::Unsupported);
        let e = const_value(&expr("var.x")).unwrap_err();
        assert_eq!((e.kind, e.span), (ConstErrorKind::NotAllowed, Some(0..3)));
    }
}
