//! Built-in functions: type conversion (`tobool`, `tonumber`, `tostring`, `tolist`, `toset`,
//! `tomap`), the sensitive mark (`sensitive`, `nonsensitive`, `issensitive`) and
//! `ephemeralasnull`.

use super::string::go_quote;
use super::{bool_return, FnContext, FnError, FnResult, Param, Registry};
use crate::convert::{conversion_exists, convert, unify};
use crate::value::{Type, Value};

pub(super) fn register(r: &mut Registry) {
    let v = || {
        Param::new("v", Type::Dynamic)
            .allow_null()
            .allow_unknown()
            .allow_marked()
    };
    r.add(
        "tobool",
        vec![v()],
        |_| Type::Bool,
        |_, a| to_type(a, &Type::Bool),
    );
    r.add(
        "tonumber",
        vec![v()],
        |_| Type::Number,
        |_, a| to_type(a, &Type::Number),
    );
    r.add(
        "tostring",
        vec![v()],
        |_| Type::String,
        |_, a| to_type(a, &Type::String),
    );
    r.add(
        "tolist",
        vec![v()],
        |_| Type::list(Type::Dynamic),
        |_, a| to_type(a, &Type::list(Type::Dynamic)),
    );
    r.add(
        "toset",
        vec![v()],
        |_| Type::set(Type::Dynamic),
        |_, a| to_type(a, &Type::set(Type::Dynamic)),
    );
    r.add(
        "tomap",
        vec![v()],
        |_| Type::map(Type::Dynamic),
        |_, a| to_type(a, &Type::map(Type::Dynamic)),
    );

    let value = || {
        Param::new("value", Type::Dynamic)
            .allow_null()
            .allow_unknown()
            .allow_marked()
    };
    r.add("sensitive", vec![value()], same_type, sensitive);
    r.add("nonsensitive", vec![value()], same_type, nonsensitive);
    r.add("issensitive", vec![value()], bool_return, issensitive);
    r.add("ephemeralasnull", vec![value()], same_type, ephemeralasnull);
}

fn same_type(args: &[Value]) -> Type {
    args[0].ty()
}

/// How Terraform names a conversion target in its messages ("list of any single type").
fn constraint_name(want: &Type) -> String {
    match want {
        Type::Dynamic => "any type".into(),
        Type::List(e) if **e == Type::Dynamic => "list of any single type".into(),
        Type::Set(e) if **e == Type::Dynamic => "set of any single type".into(),
        Type::Map(e) if **e == Type::Dynamic => "map of any single type".into(),
        other => other.friendly_name(),
    }
}

/// Whether a value of type `got` can be converted to `want` at all, judged from types alone.
/// A structure becomes a collection of "any single type" only when its element types unify.
fn convertible(got: &Type, want: &Type) -> bool {
    let wants_any_single_type = want.element_type() == Some(&Type::Dynamic);
    let to_map = matches!(want, Type::Map(_));
    let element_types: Option<Vec<Type>> = match got {
        Type::Tuple(elems) if wants_any_single_type && !to_map => Some(elems.to_vec()),
        Type::Object(attrs) if wants_any_single_type && to_map => {
            Some(attrs.values().cloned().collect())
        }
        _ => None,
    };
    match element_types {
        Some(types) if !types.is_empty() => unify(&types, true).is_some(),
        _ => conversion_exists(got, want, true),
    }
}

fn to_type(args: &[Value], want: &Type) -> FnResult {
    let arg = &args[0];
    let got = arg.ty();
    if got == *want {
        return Ok(arg.clone());
    }
    let cannot = || {
        FnError::arg(
            0,
            format!(
                "cannot convert {} to {}",
                got.friendly_name(),
                constraint_name(want)
            ),
        )
    };
    if !convertible(&got, want) {
        return Err(cannot());
    }
    if !arg.is_known() {
        return Ok(Value::Unknown(want.clone()).mark_if(arg.is_sensitive()));
    }
    convert(arg, want).map_err(|_| {
        let text = arg.unmark().0.as_str();
        match (&got, want) {
            _ if arg.contains_sensitive() => FnError::arg(
                0,
                format!(
                    "cannot convert this sensitive {} to {}",
                    got.friendly_name(),
                    constraint_name(want)
                ),
            ),
            (Type::String, Type::Bool) => FnError::arg(
                0,
                format!(
                    "cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed",
                    text.map(go_quote).unwrap_or_else(|| "string".into())
                ),
            ),
            (Type::String, Type::Number) => FnError::arg(
                0,
                format!(
                    "cannot convert {} to number; given string must be a decimal representation of a number",
                    text.map(go_quote).unwrap_or_else(|| "string".into())
                ),
            ),
            _ => cannot(),
        }
    })
}

fn sensitive(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(args[0].clone().mark())
}

/// Removes the sensitive mark at the top of the value (marks deeper inside stay). A value
/// that is not sensitive is returned as it is, as current Terraform does (1.0 rejected it).
fn nonsensitive(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(args[0].clone().into_unmarked().0)
}

fn issensitive(_: &FnContext, args: &[Value]) -> FnResult {
    let v = &args[0];
    if v.is_sensitive() {
        Ok(Value::Bool(true))
    } else if !v.is_known() {
        Ok(Value::Unknown(Type::Bool))
    } else {
        Ok(Value::Bool(false))
    }
}

/// Terraform (1.10+) replaces ephemeral values by nulls; terrane has no ephemeral values,
/// so every value comes back as it is, marks included.
fn ephemeralasnull(_: &FnContext, args: &[Value]) -> FnResult {
    Ok(args[0].clone())
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::call_fn;
    use crate::number::Number;
    use crate::value::{Type, Value};
    use std::collections::BTreeMap;

    fn num(text: &str) -> Value {
        Value::number(Number::parse(text).expect("number"))
    }
    fn s(text: &str) -> Value {
        Value::string(text)
    }
    fn tuple(elems: Vec<Value>) -> Value {
        Value::tuple(elems)
    }
    fn object(attrs: Vec<(&str, Value)>) -> Value {
        Value::object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn error(name: &str, arg: Value) -> String {
        let e = call_fn(name, vec![arg]).expect_err("an error");
        assert_eq!(e.arg, Some(0));
        e.message
    }

    #[test]
    fn primitives() {
        assert_eq!(call_fn("tostring", vec![num("1.5")]).unwrap(), s("1.5"));
        assert_eq!(
            call_fn("tostring", vec![Value::Bool(true)]).unwrap(),
            s("true")
        );
        assert_eq!(
            call_fn("tobool", vec![s("true")]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(call_fn("tonumber", vec![s("1e3")]).unwrap(), num("1000"));
        assert_eq!(
            call_fn("tostring", vec![Value::Null(Type::Dynamic)]).unwrap(),
            Value::Null(Type::String)
        );
        assert_eq!(
            call_fn("tonumber", vec![Value::Null(Type::Dynamic)]).unwrap(),
            Value::Null(Type::Number)
        );
    }

    #[test]
    fn primitive_errors() {
        assert_eq!(
            error("tostring", tuple(vec![num("1")])),
            "cannot convert tuple to string"
        );
        assert_eq!(
            error("tonumber", s("x")),
            "cannot convert \"x\" to number; given string must be a decimal representation of a number"
        );
        assert_eq!(
            error("tobool", s("yes")),
            "cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed"
        );
        assert_eq!(error("tobool", num("1")), "cannot convert number to bool");
        for text in [" 12", "0x10"] {
            assert_eq!(
                error("tonumber", s(text)),
                format!("cannot convert \"{text}\" to number; given string must be a decimal representation of a number")
            );
        }
        assert_eq!(
            error("tonumber", s("x").mark()),
            "cannot convert this sensitive string to number"
        );
    }

    #[test]
    fn collections_unify_their_elements() {
        let v = call_fn(
            "tolist",
            vec![tuple(vec![num("1"), s("a"), Value::Bool(true)])],
        )
        .unwrap();
        assert_eq!(
            v,
            Value::list(Type::String, vec![s("1"), s("a"), s("true")])
        );
        let v = call_fn("tomap", vec![object(vec![("a", num("1")), ("b", s("x"))])]).unwrap();
        let expected: BTreeMap<String, Value> =
            [("a".to_string(), s("1")), ("b".to_string(), s("x"))]
                .into_iter()
                .collect();
        assert_eq!(v, Value::map(Type::String, expected));
        let v = call_fn("toset", vec![tuple(vec![s("b"), s("a"), s("b")])]).unwrap();
        assert_eq!(v, Value::set(Type::String, vec![s("a"), s("b")]));
    }

    /// Terraform unifies `null` (of unknown type) with the other elements' type:
    /// `toset([null, "a"])` is a set of strings.
    #[test]
    fn null_elements_take_the_other_elements_type() {
        let v = call_fn(
            "toset",
            vec![tuple(vec![Value::Null(Type::Dynamic), s("a")])],
        )
        .unwrap();
        assert_eq!(
            v,
            Value::set(Type::String, vec![s("a"), Value::Null(Type::String)])
        );
    }

    #[test]
    fn collection_errors() {
        assert_eq!(
            error("tolist", object(vec![("a", num("1"))])),
            "cannot convert object to list of any single type"
        );
        assert_eq!(
            error("tomap", tuple(vec![num("1")])),
            "cannot convert tuple to map of any single type"
        );
        assert_eq!(
            error(
                "tomap",
                object(vec![("a", num("1")), ("b", tuple(vec![num("1")]))])
            ),
            "cannot convert object to map of any single type"
        );
        assert_eq!(
            error(
                "toset",
                tuple(vec![tuple(vec![num("1")]), tuple(vec![Value::Bool(true)])])
            ),
            "cannot convert tuple to set of any single type"
        );
        assert_eq!(
            error("tolist", s("a")),
            "cannot convert string to list of any single type"
        );
        assert_eq!(
            error("tolist", object(vec![("a", num("1"))]).mark()),
            "cannot convert object to list of any single type"
        );
        assert_eq!(
            error("tomap", Value::list(Type::Number, vec![num("1")])),
            "cannot convert list of number to map of any single type"
        );
    }

    #[test]
    fn unknown_arguments() {
        let v = call_fn(
            "tolist",
            vec![Value::Unknown(Type::tuple(vec![Type::String]))],
        )
        .unwrap();
        assert_eq!(v, Value::Unknown(Type::list(Type::Dynamic)));
        let v = call_fn("tostring", vec![Value::Unknown(Type::Number)]).unwrap();
        assert_eq!(v, Value::Unknown(Type::String));
    }

    #[test]
    fn sensitivity() {
        let secret = call_fn("sensitive", vec![s("x")]).unwrap();
        assert!(secret.is_sensitive());
        assert_eq!(
            call_fn("issensitive", vec![secret.clone()]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            call_fn("issensitive", vec![s("x")]).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            call_fn("issensitive", vec![Value::Unknown(Type::String)]).unwrap(),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(call_fn("nonsensitive", vec![secret]).unwrap(), s("x"));
        assert_eq!(call_fn("nonsensitive", vec![s("x")]).unwrap(), s("x"));
        let nested = object(vec![("a", s("x").mark())]);
        assert_eq!(
            call_fn("nonsensitive", vec![nested.clone().mark()]).unwrap(),
            nested
        );
        let unknown = call_fn("sensitive", vec![Value::Unknown(Type::String)]).unwrap();
        assert!(unknown.is_sensitive() && !unknown.is_known());
    }

    #[test]
    fn ephemeralasnull_keeps_values_that_are_not_ephemeral() {
        let v = tuple(vec![num("4"), s("x").mark()]);
        assert_eq!(call_fn("ephemeralasnull", vec![v.clone()]).unwrap(), v);
        let unknown = Value::Unknown(Type::String);
        assert_eq!(
            call_fn("ephemeralasnull", vec![unknown.clone()]).unwrap(),
            unknown
        );
    }

    #[test]
    fn marks_stay_on_converted_values() {
        let v = call_fn("tostring", vec![num("1").mark()]).unwrap();
        assert_eq!(v, s("1").mark());
        let v = call_fn("tolist", vec![tuple(vec![s("a").mark()])]).unwrap();
        assert_eq!(v, Value::list(Type::String, vec![s("a").mark()]));
    }
}
