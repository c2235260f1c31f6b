//! The references an expression makes, found without evaluating it, so that `validate`
//! reports a reference to something undeclared even in a branch that is not taken (as
//! Terraform checks references before it evaluates anything).

use super::expr::Reference;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::Span;
use std::collections::HashSet;
use std::ops::Range;

/// A reference and where it is written.
pub struct Found<'e> {
    pub reference: Reference<'e>,
    pub span: Option<Range<usize>>,
}

struct Collector<'e> {
    /// Names bound by `for` expressions and directives anywhere in the expression: these
    /// are iteration symbols, not references.
    bound: HashSet<&'e str>,
    found: Vec<(&'e Traversal, &'e str)>,
}

/// Walks an expression, recording rooted traversals and `for` symbols.
fn collect<'e>(c: &mut Collector<'e>, expr: &'e Expression) {
    use hcl_edit::template::{Directive, Element};
    fn template<'e>(c: &mut Collector<'e>, t: &'e hcl_edit::template::Template) {
        for el in t.iter() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => collect(c, &i.expr),
                Element::Directive(d) => match &**d {
                    Directive::If(i) => {
                        collect(c, &i.if_expr.cond_expr);
                        template(c, &i.if_expr.template);
                        if let Some(e) = &i.else_expr {
                            template(c, &e.template);
                        }
                    }
                    Directive::For(f) => {
                        if let Some(k) = &f.for_expr.key_var {
                            c.bound.insert(k.as_str());
                        }
                        c.bound.insert(f.for_expr.value_var.as_str());
                        collect(c, &f.for_expr.collection_expr);
                        template(c, &f.for_expr.template);
                    }
                },
            }
        }
    }
    match expr {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_) => {}
        Expression::Variable(_) => {}
        Expression::Array(a) => a.iter().for_each(|e| collect(c, e)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                if let hcl_edit::expr::ObjectKey::Expression(k) = k {
                    collect(c, k);
                }
                collect(c, v.expr());
            }
        }
        Expression::StringTemplate(t) => template(c, t),
        Expression::HeredocTemplate(h) => template(c, &h.template),
        Expression::Parenthesis(p) => collect(c, p.inner()),
        Expression::Conditional(x) => {
            collect(c, &x.cond_expr);
            collect(c, &x.true_expr);
            collect(c, &x.false_expr);
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|a| collect(c, a)),
        Expression::Traversal(t) => {
            if let Expression::Variable(root) = &t.expr {
                c.found.push((t, root.as_str()));
            } else {
                collect(c, &t.expr);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op.value() {
                    collect(c, i);
                }
            }
        }
        Expression::UnaryOp(u) => collect(c, &u.expr),
        Expression::BinaryOp(b) => {
            collect(c, &b.lhs_expr);
            collect(c, &b.rhs_expr);
        }
        Expression::ForExpr(f) => {
            if let Some(k) = &f.intro.key_var {
                c.bound.insert(k.as_str());
            }
            c.bound.insert(f.intro.value_var.as_str());
            collect(c, &f.intro.collection_expr);
            if let Some(k) = &f.key_expr {
                collect(c, k);
            }
            collect(c, &f.value_expr);
            if let Some(cond) = &f.cond {
                collect(c, &cond.expr);
            }
        }
    }
}

/// The references to declared things (variables, locals, modules, resources, data
/// sources) that an expression makes, skipping names bound by `for` and names in `ignore`
/// (a `dynamic` block's iterator).
pub fn references<'e>(expr: &'e Expression, ignore: &[&str]) -> Vec<Found<'e>> {
    let mut c = Collector {
        bound: HashSet::new(),
        found: Vec::new(),
    };
    collect(&mut c, expr);
    let attr = |t: &'e Traversal, i: usize| match t.operators.get(i).map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
        _ => None,
    };
    let mut out = Vec::new();
    for (t, root) in c.found {
        if c.bound.contains(root) || ignore.contains(&root) {
            continue;
        }
        let reference = match root {
            "var" => attr(t, 0).map(Reference::Var),
            "local" => attr(t, 0).map(Reference::Local),
            "module" => attr(t, 0).map(Reference::Module),
            "data" => attr(t, 0).and_then(|ty| attr(t, 1).map(|name| Reference::Data { ty, name })),
            "count" | "each" | "path" | "terraform" | "self" => None,
            ty => attr(t, 0).map(|name| Reference::Resource { ty, name }),
        };
        if let Some(reference) = reference {
            out.push(Found {
                reference,
                span: t.span(),
            });
        }
    }
    out
}
