//! Evaluation of one expression with Terraform's semantics: operators, conditionals, `for`
//! expressions, splats, traversals, templates with directives and strip markers, function
//! calls (including `can`, `try`, `templatefile` and `templatestring`).
//!
//! Names outside the expression (`var.x`, `local.y`, resources, ...) are resolved through
//! [`Resolver`]; the evaluator itself has no state and no side effects.

use crate::convert::{convert, unify};
use crate::diag::{Diagnostic, SourceFile, SourceRange};
use crate::functions::{self, FnContext, FnError};
use crate::number::Number;
use crate::value::{Type, Value};
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A name an expression refers to, as far as the resolver needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    Var(&'a str),
    Local(&'a str),
    Module(&'a str),
    Resource { ty: &'a str, name: &'a str },
    Data { ty: &'a str, name: &'a str },
    Count(&'a str),
    Each(&'a str),
    Path(&'a str),
    Terraform(&'a str),
    SelfRef,
}

/// Resolves references for the evaluator, and gives it what functions need.
pub trait Resolver {
    /// The value of a reference. Errors name the problem; the evaluator adds the range.
    fn resolve(&self, reference: Reference) -> Result<Value, Diagnostic>;
    /// What file functions and `plantimestamp` need.
    fn fn_context(&self) -> FnContext<'_>;
}

/// Iteration symbols of `for` expressions and template `for` directives, innermost first.
#[derive(Clone, Copy)]
pub struct Symbols<'p> {
    name: &'p str,
    value: &'p Value,
    parent: Option<&'p Symbols<'p>>,
}

impl<'p> Symbols<'p> {
    fn get(&self, name: &str) -> Option<&'p Value> {
        let mut s = Some(self);
        while let Some(sym) = s {
            if sym.name == name {
                return Some(sym.value);
            }
            s = sym.parent;
        }
        None
    }
}

type EvalResult = Result<Value, Diagnostic>;

/// Evaluates expressions of one source file against a resolver.
pub struct Evaluator<'a> {
    pub resolver: &'a dyn Resolver,
    pub file: &'a Arc<SourceFile>,
    /// A range for expressions without a span of their own (JSON configuration).
    pub fallback: Option<SourceRange>,
    /// In a template evaluated by `templatefile`/`templatestring`, only these variables are
    /// visible, and no references.
    template_vars: Option<&'a BTreeMap<String, Value>>,
}

/// Evaluates a configuration expression.
pub fn evaluate(resolver: &dyn Resolver, expr: &crate::config::Expr) -> Result<Value, Diagnostic> {
    let ev = Evaluator {
        resolver,
        file: &expr.file,
        fallback: expr.fallback.clone(),
        template_vars: None,
    };
    ev.eval(&expr.expr, None)
}

fn number_literal(text: &str) -> Option<Number> {
    if let Some(rest) = text.strip_prefix('-') {
        return Number::parse(rest.trim_start()).map(|n| n.neg());
    }
    Number::parse(text)
}

fn nfc(s: &str) -> Arc<str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Arc::from(s)
    } else {
        Arc::from(s.nfc().collect::<String>())
    }
}

impl<'a> Evaluator<'a> {
    fn range_of(&self, e: &impl Span) -> Option<SourceRange> {
        e.span()
            .map(|s| self.file.range(s))
            .or_else(|| self.fallback.clone())
    }

    fn err(&self, at: &impl Span, summary: &str, detail: impl Into<String>) -> Diagnostic {
        Diagnostic::error(summary, detail).at(self.range_of(at))
    }

    /// Evaluates an expression with the given iteration symbols in scope.
    pub fn eval(&self, expr: &Expression, syms: Option<&Symbols>) -> EvalResult {
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || self.eval_inner(expr, syms))
    }

    fn eval_inner(&self, expr: &Expression, syms: Option<&Symbols>) -> EvalResult {
        match expr {
            Expression::Null(_) => Ok(Value::Null(Type::Dynamic)),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => {
                let text = n.as_repr().map(|r| r.to_string());
                let text = text.unwrap_or_else(|| n.value().to_string());
                number_literal(&text).map(Value::number).ok_or_else(|| {
                    self.err(
                        expr,
                        "Invalid number literal",
                        format!("{text:?} is not a number."),
                    )
                })
            }
            Expression::String(s) => Ok(Value::String(nfc(s.value()))),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    out.push(self.eval(item, syms)?);
                }
                Ok(Value::tuple(out))
            }
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                let mut unknown = false;
                let mut sensitive = false;
                for (key, value) in obj.iter() {
                    let name = match key {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(k) => {
                            let kv = self.object_key(k, syms)?;
                            let (kv, marked) = kv.into_unmarked();
                            sensitive |= marked;
                            match kv {
                                Value::Unknown(_) => {
                                    unknown = true;
                                    continue;
                                }
                                Value::String(s) => s.to_string(),
                                _ => unreachable!("object keys are converted to strings"),
                            }
                        }
                    };
                    let v = self.eval(value.expr(), syms)?;
                    out.insert(name, v);
                }
                if unknown {
                    return Ok(Value::dynamic_unknown().mark_if(sensitive));
                }
                Ok(Value::object(out).mark_if(sensitive))
            }
            Expression::StringTemplate(t) => {
                if let Some(Element::Interpolation(i)) = t.as_single_element() {
                    return self.eval(&i.expr, syms);
                }
                self.template(t, syms)
            }
            Expression::HeredocTemplate(h) => {
                if h.indent().is_some() {
                    if let Some(t) = self.flush_heredoc(h) {
                        return self.template(&t, syms);
                    }
                }
                self.template(&h.template, syms)
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), syms),
            Expression::Variable(v) => self.variable(expr, v.as_str(), syms),
            Expression::Conditional(c) => self.conditional(c, syms),
            Expression::FuncCall(f) => self.call(expr, f, syms),
            Expression::Traversal(t) => self.traversal(t, syms),
            Expression::UnaryOp(u) => self.unary(expr, u.operator.value(), &u.expr, syms),
            Expression::BinaryOp(b) => {
                self.binary(expr, *b.operator.value(), &b.lhs_expr, &b.rhs_expr, syms)
            }
            Expression::ForExpr(f) => self.for_expr(expr, f, syms),
        }
    }

    /// A flush heredoc (`<<-`) re-read from its source with HCL's rule: the smallest
    /// indentation of its non-blank lines is removed from every line, whatever the line
    /// starts with (the parser's own dedent ignores lines that begin with `${` or `%{`).
    fn flush_heredoc(&self, h: &hcl_edit::template::HeredocTemplate) -> Option<Template> {
        let span = h.span()?;
        let raw = self.file.text.get(span)?;
        let body_start = raw.find('\n')? + 1;
        let body = &raw[body_start..];
        let body = &body[..body.rfind('\n').map_or(0, |i| i + 1)];
        let indent = body
            .split_inclusive('\n')
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
            .min()
            .unwrap_or(0);
        let dedented: String = body
            .split_inclusive('\n')
            .map(|l| {
                let ws = l.len() - l.trim_start_matches([' ', '\t']).len();
                &l[ws.min(indent)..]
            })
            .collect();
        hcl_edit::parser::parse_template(&dedented).ok()
    }

    fn object_key(&self, k: &Expression, syms: Option<&Symbols>) -> EvalResult {
        // A parenthesised or bare traversal key is an expression; HCL treats a naked
        // identifier as a literal key, which hcl-edit gives us as `ObjectKey::Ident`.
        let v = self.eval(k, syms)?;
        if v.is_null() {
            return Err(self.err(
                k,
                "Invalid object key",
                "Key expression in object constructor must not be null.",
            ));
        }
        let (inner, marked) = v.unmark();
        if !inner.is_known() {
            return Ok(Value::Unknown(Type::String).mark_if(marked));
        }
        convert(inner, &Type::String)
            .map(|s| s.mark_if(marked))
            .map_err(|_| {
                self.err(
                    k,
                    "Incorrect key type",
                    "Can't use this value as a key: string required.",
                )
            })
    }

    fn variable(&self, at: &Expression, name: &str, syms: Option<&Symbols>) -> EvalResult {
        if let Some(v) = syms.and_then(|s| s.get(name)) {
            return Ok(v.clone());
        }
        if let Some(vars) = self.template_vars {
            return vars.get(name).cloned().ok_or_else(|| {
                self.err(
                    at,
                    "Invalid template variable reference",
                    format!("There is no variable named {name:?} given to this template."),
                )
            });
        }
        match name {
            "self" => self.resolve(at, Reference::SelfRef),
            "var" | "local" | "module" | "count" | "each" | "path" | "terraform" | "data" => {
                Err(self.err(
                    at,
                    "Invalid reference",
                    format!("The {name:?} object cannot be accessed directly. Instead, access one of its attributes."),
                ))
            }
            _ => Err(self.err(
                at,
                "Invalid reference",
                "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.",
            )),
        }
    }

    fn resolve(&self, at: &impl Span, r: Reference) -> EvalResult {
        self.resolver
            .resolve(r)
            .map_err(|d| d.at(self.range_of(at)))
    }

    fn traversal(&self, t: &hcl_edit::expr::Traversal, syms: Option<&Symbols>) -> EvalResult {
        let ops = &t.operators;
        // A traversal rooted at a name refers to something outside the expression.
        if let Expression::Variable(root) = &t.expr {
            let name = root.as_str();
            let is_local = syms.and_then(|s| s.get(name)).is_some()
                || self.template_vars.is_some_and(|v| v.contains_key(name));
            if !is_local && self.template_vars.is_none() {
                let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
                    Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
                    _ => None,
                };
                let (reference, used) = match name {
                    "var" => (attr(0).map(Reference::Var), 1),
                    "local" => (attr(0).map(Reference::Local), 1),
                    "module" => (attr(0).map(Reference::Module), 1),
                    "count" => (attr(0).map(Reference::Count), 1),
                    "each" => (attr(0).map(Reference::Each), 1),
                    "path" => (attr(0).map(Reference::Path), 1),
                    "terraform" => (attr(0).map(Reference::Terraform), 1),
                    "self" => (Some(Reference::SelfRef), 0),
                    "data" => (
                        attr(0).and_then(|ty| attr(1).map(|name| Reference::Data { ty, name })),
                        2,
                    ),
                    ty => (attr(0).map(|name| Reference::Resource { ty, name }), 1),
                };
                let Some(reference) = reference else {
                    return Err(self.invalid_reference(t, name));
                };
                let v = self.resolve(t, reference)?;
                return self.apply_ops(t, v, &ops[used..], syms);
            }
        }
        let v = self.eval(&t.expr, syms)?;
        self.apply_ops(t, v, ops, syms)
    }

    fn invalid_reference(&self, at: &impl Span, name: &str) -> Diagnostic {
        let detail = match name {
            "data" => "A reference to a data source must be followed by at least one attribute access, specifying the resource type and name.".to_string(),
            "var" | "local" | "module" | "count" | "each" | "path" | "terraform" => format!(
                "The {name:?} object cannot be accessed directly. Instead, access one of its attributes."
            ),
            _ => "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.".to_string(),
        };
        self.err(at, "Invalid reference", detail)
    }

    fn apply_ops(
        &self,
        at: &hcl_edit::expr::Traversal,
        mut v: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        syms: Option<&Symbols>,
    ) -> EvalResult {
        let mut i = 0;
        while i < ops.len() {
            let op = ops[i].value();
            match op {
                TraversalOperator::GetAttr(name) => {
                    v = self.get_attr(&ops[i], v, name.as_str())?;
                }
                TraversalOperator::Index(idx) => {
                    let key = self.eval(idx, syms)?;
                    v = self.index(idx, v, &key)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    v = self.index(&ops[i], v, &Value::int(*n.value() as i64))?;
                }
                TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_) => {
                    let full = matches!(op, TraversalOperator::FullSplat(_));
                    let rest = &ops[i + 1..];
                    let n = if full {
                        rest.len()
                    } else {
                        rest.iter()
                            .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .count()
                    };
                    v = self.splat(at, v, &rest[..n], syms)?;
                    i += n;
                }
            }
            i += 1;
        }
        Ok(v)
    }

    fn splat(
        &self,
        at: &hcl_edit::expr::Traversal,
        source: Value,
        each_ops: &[hcl_edit::Decorated<TraversalOperator>],
        syms: Option<&Symbols>,
    ) -> EvalResult {
        let (source, marked) = source.into_unmarked();
        let result = match &source {
            Value::Null(_) => Value::tuple(vec![]),
            Value::Unknown(_) => Value::dynamic_unknown(),
            Value::List(_, e) | Value::Set(_, e) => {
                let out = e
                    .iter()
                    .map(|x| self.apply_ops(at, x.clone(), each_ops, syms))
                    .collect::<Result<Vec<_>, _>>()?;
                let types: Vec<Type> = out.iter().map(Value::ty).collect();
                let et = if types.is_empty() {
                    Type::Dynamic
                } else {
                    unify(&types, false).unwrap_or(Type::Dynamic)
                };
                match out
                    .iter()
                    .map(|x| convert(x, &et))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(conv) => Value::list(et, conv),
                    Err(_) => Value::tuple(out),
                }
            }
            Value::Tuple(e) => Value::tuple(
                e.iter()
                    .map(|x| self.apply_ops(at, x.clone(), each_ops, syms))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            other => Value::tuple(vec![self.apply_ops(at, other.clone(), each_ops, syms)?]),
        };
        Ok(result.mark_if(marked))
    }

    fn get_attr(&self, at: &impl Span, v: Value, name: &str) -> EvalResult {
        let (inner, marked) = v.into_unmarked();
        let r = match &inner {
            Value::Null(_) => {
                return Err(self.err(
                    at,
                    "Attempt to get attribute from null value",
                    "This value is null, so it does not have any attributes.",
                ))
            }
            Value::Unknown(t) => Value::Unknown(match t {
                Type::Object(a) => match a.get(name) {
                    Some(t) => t.clone(),
                    None => return Err(self.unsupported_attribute(at, name)),
                },
                Type::Map(e) => (**e).clone(),
                Type::Dynamic => Type::Dynamic,
                _ => return Err(self.unsupported_attribute(at, name)),
            }),
            Value::Object(m) => match m.get(name) {
                Some(x) => x.clone(),
                None => return Err(self.unsupported_attribute(at, name)),
            },
            Value::Map(_, m) => match m.get(name) {
                Some(x) => x.clone(),
                None => {
                    return Err(self.err(
                        at,
                        "Missing map element",
                        format!("This map does not have an element with the key {name:?}."),
                    ))
                }
            },
            Value::List(..) | Value::Tuple(_) | Value::Set(..) => {
                return Err(self.err(
                    at,
                    "Unsupported attribute",
                    format!("Can't access attributes on a {}. Did you mean to access an attribute for each element of the list, or only for a specific element of the list?", inner.ty().friendly_name().split(' ').next().unwrap_or("list")),
                ))
            }
            _ => {
                return Err(self.err(
                    at,
                    "Unsupported attribute",
                    format!("Can't access attributes on a primitive-typed value ({}).", inner.ty().friendly_name()),
                ))
            }
        };
        Ok(r.mark_if(marked))
    }

    fn unsupported_attribute(&self, at: &impl Span, name: &str) -> Diagnostic {
        self.err(
            at,
            "Unsupported attribute",
            format!("This object does not have an attribute named {name:?}."),
        )
    }

    /// `collection[key]`.
    pub(crate) fn index(&self, at: &impl Span, v: Value, key: &Value) -> EvalResult {
        let (inner, marked) = v.into_unmarked();
        let (key, key_marked) = key.unmark();
        let marked = marked || key_marked;
        let invalid = |detail: &str| self.err(at, "Invalid index", detail);
        if inner.is_null() {
            return Err(self.err(
                at,
                "Attempt to index null value",
                "This value is null, so it does not have any indices.",
            ));
        }
        if key.is_null() {
            return Err(invalid("Can't use a null value as an indexing key."));
        }
        if !key.is_known() {
            let et = match inner.ty() {
                Type::List(e) | Type::Map(e) => *e,
                _ => Type::Dynamic,
            };
            return Ok(Value::Unknown(et).mark_if(marked));
        }
        let r = match &inner {
            Value::Unknown(t) => Value::Unknown(match t {
                Type::List(e) | Type::Map(e) => (**e).clone(),
                Type::Tuple(ts) => {
                    let i = self.int_key(at, key)?;
                    ts.get(i).cloned().ok_or_else(|| invalid("The given key does not identify an element in this collection value."))?
                }
                Type::Object(a) => {
                    let k = self.str_key(at, key)?;
                    a.get(&k).cloned().ok_or_else(|| invalid("The given key does not identify an element in this collection value."))?
                }
                _ => Type::Dynamic,
            }),
            Value::List(_, e) | Value::Tuple(e) => {
                let i = self.int_key(at, key)?;
                e.get(i).cloned().ok_or_else(|| {
                    invalid("The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.")
                })?
            }
            Value::Map(_, m) | Value::Object(m) => {
                let k = self.str_key(at, key)?;
                m.get(&k).cloned().ok_or_else(|| {
                    invalid("The given key does not identify an element in this collection value.")
                })?
            }
            Value::Set(..) => {
                return Err(invalid("Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set."))
            }
            _ => {
                return Err(invalid("This value does not have any indices."))
            }
        };
        Ok(r.mark_if(marked))
    }

    fn int_key(&self, at: &impl Span, key: &Value) -> Result<usize, Diagnostic> {
        let n = convert(key, &Type::Number).map_err(|_| {
            self.err(at, "Invalid index", "The given key does not identify an element in this collection value: a number is required.")
        })?;
        let n = n.as_number().expect("converted to number");
        if !n.is_integer() {
            return Err(self.err(at, "Invalid index", "The given key does not identify an element in this collection value: the given index is not an integer."));
        }
        match n.to_i64() {
            Some(i) if i >= 0 => Ok(i as usize),
            _ => Err(self.err(at, "Invalid index", "The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.")),
        }
    }

    fn str_key(&self, at: &impl Span, key: &Value) -> Result<String, Diagnostic> {
        convert(key, &Type::String)
            .ok()
            .and_then(|s| s.as_str().map(str::to_owned))
            .ok_or_else(|| {
                self.err(at, "Invalid index", "The given key does not identify an element in this collection value: string required.")
            })
    }

    fn conditional(&self, c: &hcl_edit::expr::Conditional, syms: Option<&Symbols>) -> EvalResult {
        let t = self.eval(&c.true_expr, syms);
        let f = self.eval(&c.false_expr, syms);
        let ty = match (&t, &f) {
            (Ok(a), Ok(b)) => {
                let (ta, tb) = (a.ty(), b.ty());
                if ta == Type::Dynamic || tb == Type::Dynamic {
                    Type::Dynamic
                } else {
                    match unify(&[ta.clone(), tb.clone()], true) {
                        Some(t) => t,
                        None => {
                            return Err(self.err(
                                &c.true_expr,
                                "Inconsistent conditional result types",
                                format!("The true and false result expressions must have consistent types. The 'true' value is {}, but the 'false' value is {}.", describe(&ta), describe(&tb)),
                            ))
                        }
                    }
                }
            }
            _ => Type::Dynamic,
        };
        let cond = self.eval(&c.cond_expr, syms)?;
        let (cond, marked) = cond.into_unmarked();
        if cond.is_null() {
            return Err(self.err(
                &c.cond_expr,
                "Invalid conditional",
                "The condition value is null. Conditions must either be true or false.",
            ));
        }
        if !cond.is_known() {
            return Ok(Value::Unknown(ty).mark_if(marked));
        }
        let cond = convert(&cond, &Type::Bool).map_err(|e| {
            self.err(
                &c.cond_expr,
                "Incorrect condition type",
                format!("The condition expression must be of type bool: {e}."),
            )
        })?;
        let (chosen, at) = if cond.as_bool() == Some(true) {
            (t, &c.true_expr)
        } else {
            (f, &c.false_expr)
        };
        let v = chosen?;
        let v = convert(&v, &ty).map_err(|e| {
            self.err(
                at,
                "Inconsistent conditional result types",
                format!("The result value is incompatible with the other result's type: {e}."),
            )
        })?;
        Ok(v.mark_if(marked))
    }

    fn unary(
        &self,
        at: &Expression,
        op: &UnaryOperator,
        operand: &Expression,
        syms: Option<&Symbols>,
    ) -> EvalResult {
        let v = self.eval(operand, syms)?;
        let (ty, name) = match op {
            UnaryOperator::Neg => (Type::Number, "number"),
            UnaryOperator::Not => (Type::Bool, "bool"),
        };
        let (v, marked) = self.operand(operand, v, &ty, name)?;
        if !v.is_known() {
            return Ok(Value::Unknown(ty).mark_if(marked));
        }
        let r = match op {
            UnaryOperator::Neg => Value::number(v.as_number().expect("number").neg()),
            UnaryOperator::Not => Value::Bool(!v.as_bool().expect("bool")),
        };
        let _ = at;
        Ok(r.mark_if(marked))
    }

    /// Converts an operand to the type an operator needs.
    fn operand(
        &self,
        at: &Expression,
        v: Value,
        ty: &Type,
        _name: &str,
    ) -> Result<(Value, bool), Diagnostic> {
        let (v, marked) = v.into_unmarked();
        if v.is_null() {
            return Err(self.err(
                at,
                "Invalid operand",
                "Unsuitable value for operand: a value is required, not null.",
            ));
        }
        let v = convert(&v, ty).map_err(|e| {
            self.err(
                at,
                "Invalid operand",
                format!("Unsuitable value for operand: {e}."),
            )
        })?;
        Ok((v, marked))
    }

    fn binary(
        &self,
        at: &Expression,
        op: BinaryOperator,
        l: &Expression,
        r: &Expression,
        syms: Option<&Symbols>,
    ) -> EvalResult {
        use BinaryOperator as B;
        let lv = self.eval(l, syms)?;
        let rv = self.eval(r, syms)?;
        match op {
            B::Eq | B::NotEq => {
                let marked = lv.contains_sensitive() || rv.contains_sensitive();
                let r = match lv.equals(&rv) {
                    Some(eq) => Value::Bool(if op == B::Eq { eq } else { !eq }),
                    None => Value::Unknown(Type::Bool),
                };
                Ok(r.mark_if(marked))
            }
            B::And | B::Or => {
                let (a, ma) = self.operand(l, lv, &Type::Bool, "bool")?;
                let (b, mb) = self.operand(r, rv, &Type::Bool, "bool")?;
                let marked = ma || mb;
                let is_and = op == B::And;
                let short = |x: &Value| x.as_bool() == Some(!is_and);
                let r = if short(&a) || short(&b) {
                    Value::Bool(!is_and)
                } else if !a.is_known() || !b.is_known() {
                    Value::Unknown(Type::Bool)
                } else {
                    Value::Bool(is_and)
                };
                Ok(r.mark_if(marked))
            }
            _ => {
                let (a, ma) = self.operand(l, lv, &Type::Number, "number")?;
                let (b, mb) = self.operand(r, rv, &Type::Number, "number")?;
                let marked = ma || mb;
                let result_ty = match op {
                    B::Less | B::LessEq | B::Greater | B::GreaterEq => Type::Bool,
                    _ => Type::Number,
                };
                if !a.is_known() || !b.is_known() {
                    return Ok(Value::Unknown(result_ty).mark_if(marked));
                }
                let (x, y) = (
                    a.as_number().expect("number"),
                    b.as_number().expect("number"),
                );
                let arith = |r: Result<Number, crate::number::NumberError>| {
                    r.map(Value::number).map_err(|e| {
                        self.err(
                            at,
                            "Operation failed",
                            format!("Error during operation: {e}."),
                        )
                    })
                };
                let r = match op {
                    B::Plus => arith(x.try_add(y))?,
                    B::Minus => arith(x.try_sub(y))?,
                    B::Mul => arith(x.try_mul(y))?,
                    B::Div => arith(x.try_div(y))?,
                    B::Mod => arith(x.try_rem(y))?,
                    B::Less => Value::Bool(x < y),
                    B::LessEq => Value::Bool(x <= y),
                    B::Greater => Value::Bool(x > y),
                    B::GreaterEq => Value::Bool(x >= y),
                    B::Eq | B::NotEq | B::And | B::Or => unreachable!("handled above"),
                };
                Ok(r.mark_if(marked))
            }
        }
    }

    fn for_expr(&self, at: &Expression, f: &ForExpr, syms: Option<&Symbols>) -> EvalResult {
        let coll = self.eval(&f.intro.collection_expr, syms)?;
        let (coll, marked) = coll.into_unmarked();
        let object = f.key_expr.is_some();
        if coll.is_null() {
            return Err(self.err(
                &f.intro.collection_expr,
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
            ));
        }
        if !coll.is_known() {
            return Ok(Value::dynamic_unknown().mark_if(marked));
        }
        let items = iteration_items(&coll).ok_or_else(|| {
            self.err(
                &f.intro.collection_expr,
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    coll.ty().friendly_name()
                ),
            )
        })?;
        let key_name = f.intro.key_var.as_ref().map(|k| k.as_str());
        let value_name = f.intro.value_var.as_str();
        let mut tuple = Vec::new();
        let mut obj: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (k, v) in items {
            let key_sym;
            let inner_syms;
            let scope = match key_name {
                Some(kn) => {
                    key_sym = Symbols {
                        name: kn,
                        value: &k,
                        parent: syms,
                    };
                    inner_syms = Symbols {
                        name: value_name,
                        value: &v,
                        parent: Some(&key_sym),
                    };
                    &inner_syms
                }
                None => {
                    inner_syms = Symbols {
                        name: value_name,
                        value: &v,
                        parent: syms,
                    };
                    &inner_syms
                }
            };
            if let Some(cond) = &f.cond {
                let c = self.eval(&cond.expr, Some(scope))?;
                let (c, _) = c.into_unmarked();
                if c.is_null() {
                    return Err(self.err(
                        &cond.expr,
                        "Invalid 'for' condition",
                        "The value of the 'if' clause must not be null.",
                    ));
                }
                if !c.is_known() {
                    unknown = true;
                    continue;
                }
                let c = convert(&c, &Type::Bool).map_err(|e| {
                    self.err(
                        &cond.expr,
                        "Invalid 'for' condition",
                        format!("The 'if' clause value is invalid: {e}."),
                    )
                })?;
                if c.as_bool() != Some(true) {
                    continue;
                }
            }
            if let Some(key_expr) = &f.key_expr {
                let kv = self.eval(key_expr, Some(scope))?;
                let (kv, _) = kv.into_unmarked();
                if kv.is_null() {
                    return Err(self.err(
                        key_expr,
                        "Invalid object key",
                        "Key expression in 'for' expression must not produce a null value.",
                    ));
                }
                if !kv.is_known() {
                    unknown = true;
                    continue;
                }
                let ks = convert(&kv, &Type::String).map_err(|e| {
                    self.err(
                        key_expr,
                        "Invalid object key",
                        format!("The key expression produced an invalid result: {e}."),
                    )
                })?;
                let ks = ks.as_str().expect("string").to_string();
                let vv = self.eval(&f.value_expr, Some(scope))?;
                if f.grouping {
                    groups.entry(ks).or_default().push(vv);
                } else {
                    if obj.contains_key(&ks) {
                        return Err(self.err(key_expr, "Duplicate object key", format!("Two different items produced the key {ks:?} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.")));
                    }
                    obj.insert(ks, vv);
                }
            } else {
                tuple.push(self.eval(&f.value_expr, Some(scope))?);
            }
        }
        let _ = at;
        if unknown {
            return Ok(Value::dynamic_unknown().mark_if(marked));
        }
        let r = if object {
            if f.grouping {
                Value::object(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k, Value::tuple(v)))
                        .collect(),
                )
            } else {
                Value::object(obj)
            }
        } else {
            Value::tuple(tuple)
        };
        Ok(r.mark_if(marked))
    }

    fn template(&self, t: &Template, syms: Option<&Symbols>) -> EvalResult {
        let mut out = String::new();
        let mut unknown = false;
        let mut marked = false;
        self.template_into(t, syms, &mut out, &mut unknown, &mut marked, (false, false))?;
        let r = if unknown {
            Value::Unknown(Type::String)
        } else {
            Value::String(nfc(&out))
        };
        Ok(r.mark_if(marked))
    }

    /// Appends a template's result; `strip` says whether the template's first literal loses
    /// its leading whitespace and its last literal its trailing whitespace.
    fn template_into(
        &self,
        t: &Template,
        syms: Option<&Symbols>,
        out: &mut String,
        unknown: &mut bool,
        marked: &mut bool,
        strip: (bool, bool),
    ) -> Result<(), Diagnostic> {
        let elems: Vec<&Element> = t.iter().collect();
        let n = elems.len();
        for (i, el) in elems.iter().enumerate() {
            match el {
                Element::Literal(s) => {
                    let mut text: &str = s.value();
                    let strip_start = (i == 0 && strip.0) || (i > 0 && strips_after(elems[i - 1]));
                    let strip_end =
                        (i + 1 == n && strip.1) || (i + 1 < n && strips_before(elems[i + 1]));
                    if strip_start {
                        text = text.trim_start();
                    }
                    if strip_end {
                        text = text.trim_end();
                    }
                    out.push_str(text);
                }
                Element::Interpolation(interp) => {
                    let v = self.eval(&interp.expr, syms)?;
                    let (v, m) = v.into_unmarked();
                    *marked |= m;
                    if v.is_null() {
                        return Err(self.err(&interp.expr, "Invalid template interpolation value", "The expression result is null. Cannot include a null value in a string template."));
                    }
                    if !v.is_known() {
                        *unknown = true;
                        continue;
                    }
                    let s = convert(&v, &Type::String).map_err(|e| {
                        self.err(
                            &interp.expr,
                            "Invalid template interpolation value",
                            format!("Cannot include the given value in a string template: {e}."),
                        )
                    })?;
                    out.push_str(s.as_str().expect("string"));
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        let c = self.eval(&ifd.if_expr.cond_expr, syms)?;
                        let (c, m) = c.into_unmarked();
                        *marked |= m;
                        if c.is_null() {
                            return Err(self.err(&ifd.if_expr.cond_expr, "Invalid template if directive", "The condition value is null. Conditions must either be true or false."));
                        }
                        if !c.is_known() {
                            *unknown = true;
                            continue;
                        }
                        let c = convert(&c, &Type::Bool).map_err(|e| {
                            self.err(
                                &ifd.if_expr.cond_expr,
                                "Invalid template if directive",
                                format!("The condition value is invalid: {e}."),
                            )
                        })?;
                        let if_end_strip = match &ifd.else_expr {
                            Some(e) => e.strip.strip_start(),
                            None => ifd.endif_expr.strip.strip_start(),
                        };
                        if c.as_bool() == Some(true) {
                            self.template_into(
                                &ifd.if_expr.template,
                                syms,
                                out,
                                unknown,
                                marked,
                                (ifd.if_expr.strip.strip_end(), if_end_strip),
                            )?;
                        } else if let Some(e) = &ifd.else_expr {
                            self.template_into(
                                &e.template,
                                syms,
                                out,
                                unknown,
                                marked,
                                (e.strip.strip_end(), ifd.endif_expr.strip.strip_start()),
                            )?;
                        }
                    }
                    Directive::For(ford) => {
                        let fe = &ford.for_expr;
                        let coll = self.eval(&fe.collection_expr, syms)?;
                        let (coll, m) = coll.into_unmarked();
                        *marked |= m;
                        if coll.is_null() {
                            return Err(self.err(&fe.collection_expr, "Invalid template for directive", "A null value cannot be used as the collection in a 'for' directive."));
                        }
                        if !coll.is_known() {
                            *unknown = true;
                            continue;
                        }
                        let items = iteration_items(&coll).ok_or_else(|| {
                            self.err(&fe.collection_expr, "Invalid template for directive", format!("A value of type {} cannot be used as the collection in a 'for' directive.", coll.ty().friendly_name()))
                        })?;
                        let strip = (fe.strip.strip_end(), ford.endfor_expr.strip.strip_start());
                        for (k, v) in items {
                            let key_sym;
                            let val_sym;
                            let scope = match &fe.key_var {
                                Some(kn) => {
                                    key_sym = Symbols {
                                        name: kn.as_str(),
                                        value: &k,
                                        parent: syms,
                                    };
                                    val_sym = Symbols {
                                        name: fe.value_var.as_str(),
                                        value: &v,
                                        parent: Some(&key_sym),
                                    };
                                    &val_sym
                                }
                                None => {
                                    val_sym = Symbols {
                                        name: fe.value_var.as_str(),
                                        value: &v,
                                        parent: syms,
                                    };
                                    &val_sym
                                }
                            };
                            self.template_into(
                                &fe.template,
                                Some(scope),
                                out,
                                unknown,
                                marked,
                                strip,
                            )?;
                        }
                    }
                },
            }
        }
        Ok(())
    }

    fn call(&self, at: &Expression, f: &FuncCall, syms: Option<&Symbols>) -> EvalResult {
        let name = f.name.name.as_str();
        if !f.name.namespace.is_empty() {
            let full: Vec<&str> = f.name.namespace.iter().map(|n| n.as_str()).collect();
            return Err(self.err(at, "Call to unknown function", format!("There is no function named \"{}::{name}\": provider-defined functions are not supported yet.", full.join("::"))));
        }
        let args: Vec<&Expression> = f.args.iter().collect();
        match name {
            "can" => return self.can(at, &args, syms),
            "try" => return self.try_(at, &args, syms),
            "templatefile" if self.template_vars.is_some() => {
                return Err(self.err(
                    at,
                    "Error in function call",
                    "Call to function \"templatefile\" failed: cannot recursively call templatefile from inside another template function.",
                ))
            }
            "templatefile" => return self.templatefile(at, &args, syms),
            "templatestring" => return self.templatestring(at, &args, syms),
            _ => {}
        }
        let Some(function) = functions::lookup(name) else {
            return Err(self.err(
                at,
                "Call to unknown function",
                format!("There is no function named {name:?}."),
            ));
        };
        let mut values = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let v = self.eval(a, syms)?;
            if i + 1 == args.len() && f.args.expand_final() {
                let (v, marked) = v.into_unmarked();
                if !v.is_known() {
                    return Ok(Value::dynamic_unknown().mark_if(marked));
                }
                match v.as_seq() {
                    Some(items) => values.extend(items.iter().map(|x| x.clone().mark_if(marked))),
                    None => {
                        return Err(self.err(*a, "Invalid expanding argument value", "The expanding argument (indicated by ...) must be of a tuple, list, or set type."))
                    }
                }
            } else {
                values.push(v);
            }
        }
        let ctx = self.resolver.fn_context();
        functions::call(name, function, &ctx, values)
            .map_err(|e| self.function_error(at, name, function, &args, e))
    }

    fn function_error(
        &self,
        at: &Expression,
        name: &str,
        f: &functions::Function,
        args: &[&Expression],
        e: FnError,
    ) -> Diagnostic {
        match e.arg {
            Some(i) => {
                let param = f
                    .params
                    .get(i)
                    .or(f.var_param.as_ref())
                    .map_or("argument", |p| p.name);
                let at_arg: &Expression = args.get(i).copied().unwrap_or(at);
                self.err(
                    at_arg,
                    "Invalid function argument",
                    format!(
                        "Invalid value for \"{param}\" parameter: {}.",
                        e.message.trim_end_matches('.')
                    ),
                )
            }
            None if e.message.starts_with("Function \"") => {
                self.err(at, "Not enough function arguments", e.message)
            }
            None => self.err(
                at,
                "Error in function call",
                format!(
                    "Call to function \"{name}\" failed: {}.",
                    e.message.trim_end_matches('.')
                ),
            ),
        }
    }

    fn can(&self, at: &Expression, args: &[&Expression], syms: Option<&Symbols>) -> EvalResult {
        if args.len() != 1 {
            return Err(self.err(
                at,
                "Invalid function argument",
                "Function \"can\" expects 1 argument.",
            ));
        }
        match self.eval(args[0], syms) {
            Ok(v) if !v.is_wholly_known() => Ok(Value::Unknown(Type::Bool)),
            Ok(_) => Ok(Value::Bool(true)),
            Err(_) => Ok(Value::Bool(false)),
        }
    }

    fn try_(&self, at: &Expression, args: &[&Expression], syms: Option<&Symbols>) -> EvalResult {
        if args.is_empty() {
            return Err(self.err(
                at,
                "Invalid function argument",
                "At least one argument is required.",
            ));
        }
        for a in args {
            if let Ok(v) = self.eval(a, syms) {
                if !v.is_wholly_known() {
                    return Ok(Value::dynamic_unknown());
                }
                return Ok(v);
            }
        }
        Err(self.err(
            at,
            "Error in function call",
            "Call to function \"try\" failed: no expression succeeded.",
        ))
    }

    fn template_vars_arg(
        &self,
        at: &Expression,
        v: Value,
    ) -> Result<Option<BTreeMap<String, Value>>, Diagnostic> {
        let (v, marked) = v.into_unmarked();
        if !v.is_known() {
            return Ok(None);
        }
        let map = match &v {
            Value::Map(_, m) | Value::Object(m) => m.clone(),
            _ => {
                return Err(self.err(
                    at,
                    "Invalid function argument",
                    "Invalid value for \"vars\" parameter: a map or object is required.",
                ))
            }
        };
        Ok(Some(
            map.iter()
                .map(|(k, x)| (k.clone(), x.clone().mark_if(marked)))
                .collect(),
        ))
    }

    fn render_template_text(
        &self,
        at: &Expression,
        name: &str,
        text: &str,
        vars: &BTreeMap<String, Value>,
    ) -> EvalResult {
        let template = hcl_edit::parser::parse_template(text).map_err(|e| {
            self.err(
                at,
                "Error in function call",
                format!("Call to function \"{name}\" failed: failed to parse template: {e}."),
            )
        })?;
        let source = Arc::new(SourceFile::new(format!("<{name}>"), text));
        let sub = Evaluator {
            resolver: self.resolver,
            file: &source,
            fallback: self.range_of(at),
            template_vars: Some(vars),
        };
        // A template made only of one interpolation yields that value unconverted.
        if let Some(Element::Interpolation(i)) = template.as_single_element() {
            return sub
                .eval(&i.expr, None)
                .map_err(|d| self.nested_error(at, name, d));
        }
        sub.template(&template, None)
            .map_err(|d| self.nested_error(at, name, d))
    }

    fn nested_error(&self, at: &Expression, name: &str, d: Diagnostic) -> Diagnostic {
        let mut out = self.err(
            at,
            "Error in function call",
            format!(
                "Call to function \"{name}\" failed: {}: {}.",
                d.summary,
                d.detail.trim_end_matches('.')
            ),
        );
        out.context = d.context;
        out
    }

    /// The arguments both template functions take: a string (the path or the template)
    /// and a map of variables. `None` when either is not known yet; the flag says whether
    /// the string was sensitive.
    fn template_arguments(
        &self,
        at: &Expression,
        name: &str,
        param: &str,
        args: &[&Expression],
        syms: Option<&Symbols>,
    ) -> Result<Option<TemplateArguments>, Diagnostic> {
        if args.len() != 2 {
            return Err(self.err(
                at,
                "Invalid function argument",
                format!("Function \"{name}\" expects 2 arguments."),
            ));
        }
        let first = self.eval(args[0], syms)?;
        let vars = self.eval(args[1], syms)?;
        let (first, marked) = first.into_unmarked();
        if !first.is_known() {
            return Ok(None);
        }
        let first = convert(&first, &Type::String).map_err(|e| {
            self.err(
                args[0],
                "Invalid function argument",
                format!("Invalid value for \"{param}\" parameter: {e}."),
            )
        })?;
        let Some(vars) = self.template_vars_arg(args[1], vars)? else {
            return Ok(None);
        };
        Ok(Some((
            first.as_str().unwrap_or_default().to_string(),
            vars,
            marked,
        )))
    }

    fn templatefile(
        &self,
        at: &Expression,
        args: &[&Expression],
        syms: Option<&Symbols>,
    ) -> EvalResult {
        let Some((path, vars, marked)) =
            self.template_arguments(at, "templatefile", "path", args, syms)?
        else {
            return Ok(Value::dynamic_unknown());
        };
        let ctx = self.resolver.fn_context();
        let full = ctx.base_dir.join(&path);
        let bytes = ctx.files.read(&full).map_err(|e| {
            self.err(args[0], "Invalid function argument", format!("Invalid value for \"path\" parameter: no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource ({e})."))
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            self.err(args[0], "Invalid function argument", format!("Invalid value for \"path\" parameter: contents of {path} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead."))
        })?;
        Ok(self
            .render_template_text(at, "templatefile", &text, &vars)?
            .mark_if(marked))
    }

    fn templatestring(
        &self,
        at: &Expression,
        args: &[&Expression],
        syms: Option<&Symbols>,
    ) -> EvalResult {
        if matches!(
            args.first(),
            Some(
                Expression::String(_)
                    | Expression::StringTemplate(_)
                    | Expression::HeredocTemplate(_)
            )
        ) {
            return Err(self.err(args[0], "Invalid function argument", "Invalid value for \"template\" parameter: the template must be given as a reference to a string value, not as a literal; write a literal template directly as a string expression instead."));
        }
        let Some((text, vars, marked)) =
            self.template_arguments(at, "templatestring", "template", args, syms)?
        else {
            return Ok(Value::dynamic_unknown());
        };
        Ok(self
            .render_template_text(at, "templatestring", &text, &vars)?
            .mark_if(marked))
    }
}

/// A template function's string argument, its variables, and whether the string was
/// sensitive.
type TemplateArguments = (String, BTreeMap<String, Value>, bool);

fn strips_before(el: &Element) -> bool {
    match el {
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match &**d {
            Directive::If(i) => i.if_expr.strip.strip_start(),
            Directive::For(f) => f.for_expr.strip.strip_start(),
        },
        Element::Literal(_) => false,
    }
}

fn strips_after(el: &Element) -> bool {
    match el {
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match &**d {
            Directive::If(i) => i.endif_expr.strip.strip_end(),
            Directive::For(f) => f.endfor_expr.strip.strip_end(),
        },
        Element::Literal(_) => false,
    }
}

/// The key/value pairs a `for` iterates over: index and element of sequences, the element
/// itself as key of sets, key and element of maps and objects.
fn iteration_items(coll: &Value) -> Option<Vec<(Value, Value)>> {
    match coll {
        Value::List(_, e) | Value::Tuple(e) => Some(
            e.iter()
                .enumerate()
                .map(|(i, v)| (Value::int(i as i64), v.clone()))
                .collect(),
        ),
        Value::Set(_, e) => Some(e.iter().map(|v| (v.clone(), v.clone())).collect()),
        Value::Map(_, m) | Value::Object(m) => Some(
            m.iter()
                .map(|(k, v)| (Value::string(k.as_str()), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn describe(t: &Type) -> String {
    match t {
        Type::Object(_) => "object".into(),
        Type::Tuple(_) => "tuple".into(),
        t => t.friendly_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::RealFiles;

    struct Vars;
    impl Resolver for Vars {
        fn resolve(&self, r: Reference) -> Result<Value, Diagnostic> {
            match r {
                Reference::Var("n") => Ok(Value::int(3)),
                Reference::Var("secret") => Ok(Value::string("hunter2").mark()),
                Reference::Var("unknown") => Ok(Value::Unknown(Type::String)),
                Reference::Var("list") => Ok(Value::list(
                    Type::Number,
                    vec![Value::int(1), Value::int(2)],
                )),
                _ => Err(Diagnostic::error(
                    "Reference to undeclared input variable",
                    "",
                )),
            }
        }
        fn fn_context(&self) -> FnContext<'_> {
            FnContext {
                base_dir: std::path::Path::new("."),
                files: &RealFiles,
                plan_timestamp: "",
            }
        }
    }

    fn eval(src: &str) -> Result<Value, Diagnostic> {
        let expr = hcl_edit::parser::parse_expr(src).expect("parses");
        let file = Arc::new(SourceFile::new("test.tf", src));
        evaluate(
            &Vars,
            &crate::config::Expr {
                expr,
                file,
                fallback: None,
            },
        )
    }

    fn text(src: &str) -> String {
        match eval(src).unwrap() {
            Value::String(s) => s.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn operators_and_precedence() {
        assert_eq!(text("1 + 2 * 3"), "7");
        assert_eq!(text("(1 + 2) * 3"), "9");
        assert_eq!(text("-7 % 3"), "-1");
        assert_eq!(text("!true || 1 < 2 && 2 >= 2"), "true");
        assert_eq!(text("\"1\" + 1"), "2");
        assert_eq!(text("1 == \"1\""), "false");
        assert!(eval("\"a\" + 1").is_err());
    }

    #[test]
    fn conditionals_unify_and_ignore_the_other_branch() {
        assert_eq!(text("true ? 1 : \"a\""), "1");
        assert_eq!(
            eval("var.n > 2 ? \"big\" : var.nope").unwrap().as_str(),
            Some("big")
        );
        assert!(eval("true ? \"a\" : [1]").is_err());
    }

    #[test]
    fn for_expressions() {
        let v = eval("[for i, x in [\"a\", \"b\"] : \"${i}${x}\" if x != \"c\"]").unwrap();
        assert_eq!(v, Value::tuple(vec!["0a".into(), "1b".into()]));
        let g = eval("{for x in [\"a\", \"b\", \"a\"] : x => x...}").unwrap();
        assert_eq!(g.as_mapping().unwrap()["a"].len(), Some(2));
        assert!(eval("{for x in [\"a\", \"a\"] : x => x}").is_err());
    }

    #[test]
    fn splats_and_traversals() {
        let v = eval("[{a = 1}, {a = 2}][*].a").unwrap();
        assert_eq!(v, Value::tuple(vec![Value::int(1), Value::int(2)]));
        assert_eq!(eval("var.list[*]").unwrap().ty(), Type::list(Type::Number));
        assert_eq!(eval("null[*]").unwrap(), Value::tuple(vec![]));
        assert_eq!(text("{a = {b = [5, 6]}}.a.b[1]"), "6");
        assert!(eval("[1][2]").is_err());
    }

    #[test]
    fn templates() {
        assert_eq!(text("\"x${var.n}y\""), "x3y");
        assert_eq!(text("\"%{if var.n > 1}many%{else}one%{endif}\""), "many");
        assert_eq!(text("\"%{for x in [1, 2]}${x},%{endfor}\""), "1,2,");
        assert_eq!(text("\"a  ${~ \"b\" ~}  c\""), "abc");
        assert_eq!(
            eval("\"${var.list}\"").unwrap().ty(),
            Type::list(Type::Number)
        );
        assert_eq!(text("<<-EOT\n    a\n      b\n    EOT"), "a\n  b\n");
    }

    #[test]
    fn unknown_and_sensitive_flow_through() {
        assert!(!eval("\"x${var.unknown}\"").unwrap().is_known());
        assert!(eval("\"x${var.secret}\"").unwrap().is_sensitive());
        assert!(eval("upper(var.secret)").unwrap().is_sensitive());
        assert!(!eval("var.unknown == null").unwrap().is_known());
    }

    #[test]
    fn can_and_try() {
        assert_eq!(text("can([][0])"), "false");
        assert_eq!(text("try([][0], \"fallback\")"), "fallback");
        assert!(eval("try([][0])").is_err());
    }

    #[test]
    fn numbers_are_exact() {
        assert_eq!(text("0.1 + 0.2 == 0.3"), "true");
        assert_eq!(
            text("12345678901234567890123 * 10"),
            "123456789012345678901230"
        );
    }
}
