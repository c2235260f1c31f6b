//! Type conversion and unification with Terraform's rules: which values convert to which
//! types (safely or not), and the single type that several values are brought to in a
//! conditional or a collection.

use crate::number::Number;
use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// Converts a value to a type, as Terraform does when a value meets a type constraint or a
/// function parameter. The error says what was required.
pub fn convert(value: &Value, want: &Type) -> Result<Value, String> {
    if let Value::Sensitive(inner) = value {
        return convert(inner, want).map(Value::mark);
    }
    if *want == Type::Dynamic {
        return Ok(value.clone());
    }
    match value {
        Value::Null(t) => {
            if conversion_exists(t, want, true) {
                Ok(Value::Null(want.clone()))
            } else {
                Err(required_message(want))
            }
        }
        Value::Unknown(t) => {
            if conversion_exists(t, want, true) {
                Ok(Value::Unknown(want.clone()))
            } else {
                Err(required_message(want))
            }
        }
        _ => convert_known(value, want),
    }
}

fn convert_known(value: &Value, want: &Type) -> Result<Value, String> {
    match (value, want) {
        (Value::String(_), Type::String)
        | (Value::Number(_), Type::Number)
        | (Value::Bool(_), Type::Bool) => Ok(value.clone()),
        (Value::Number(n), Type::String) => Ok(Value::string(n.to_string())),
        (Value::Bool(b), Type::String) => Ok(Value::string(if *b { "true" } else { "false" })),
        (Value::String(s), Type::Number) => Number::parse(s)
            .map(Value::number)
            .ok_or_else(|| "a number is required".to_string()),
        (Value::String(s), Type::Bool) => match &**s {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("a bool is required".into()),
        },
        (Value::List(_, elems) | Value::Set(_, elems) | Value::Tuple(elems), Type::List(et)) => {
            let (et, elems) = convert_elements(elems, et)?;
            Ok(Value::list(et, elems))
        }
        (Value::List(_, elems) | Value::Set(_, elems) | Value::Tuple(elems), Type::Set(et)) => {
            let (et, elems) = convert_elements(elems, et)?;
            Ok(Value::set(et, elems))
        }
        (Value::Map(_, m) | Value::Object(m), Type::Map(et)) => {
            let values: Vec<Value> = m.values().cloned().collect();
            let (et, converted) = convert_elements(&values, et).map_err(|e| {
                // Name the element that failed.
                for (k, v) in m.iter() {
                    if convert(v, &unify_or_dynamic(&values, et)).is_err() {
                        return format!("element {k:?}: {e}");
                    }
                }
                e
            })?;
            Ok(Value::map(et, m.keys().cloned().zip(converted).collect()))
        }
        (Value::Map(_, m) | Value::Object(m), Type::Object(attrs)) => {
            let mut out = BTreeMap::new();
            for (name, at) in attrs.iter() {
                match m.get(name) {
                    Some(v) => {
                        let cv = convert(v, at).map_err(|e| format!("attribute {name:?}: {e}"))?;
                        out.insert(name.clone(), cv);
                    }
                    None => return Err(format!("attribute {name:?} is required")),
                }
            }
            Ok(Value::object(out))
        }
        (Value::List(_, elems) | Value::Set(_, elems) | Value::Tuple(elems), Type::Tuple(ts)) => {
            if matches!(value, Value::Set(..)) {
                return Err(required_message(want));
            }
            if elems.len() != ts.len() {
                return Err(format!("tuple required with exactly {} elements", ts.len()));
            }
            let out = elems
                .iter()
                .zip(ts.iter())
                .enumerate()
                .map(|(i, (v, t))| convert(v, t).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::tuple(out))
        }
        _ => Err(required_message(want)),
    }
}

fn unify_or_dynamic(values: &[Value], et: &Type) -> Type {
    if *et != Type::Dynamic {
        return et.clone();
    }
    let types: Vec<Type> = values.iter().map(Value::ty).collect();
    unify(&types, false).unwrap_or(Type::Dynamic)
}

/// Converts every element to `et`; when `et` is dynamic the elements are first unified.
fn convert_elements(elems: &[Value], et: &Type) -> Result<(Type, Vec<Value>), String> {
    let target = if et.has_dynamic() {
        let types: Vec<Type> = elems.iter().map(Value::ty).collect();
        if types.is_empty() {
            et.clone()
        } else {
            match unify(&types, false) {
                Some(t) if *et == Type::Dynamic => t,
                Some(t) => {
                    if conversion_exists(&t, et, true) {
                        fill_dynamic(et, &t)
                    } else {
                        et.clone()
                    }
                }
                None => return Err("all elements must have the same type".into()),
            }
        }
    } else {
        et.clone()
    };
    let out = elems
        .iter()
        .enumerate()
        .map(|(i, v)| {
            convert(v, &target).map_err(|e| {
                if elems.len() > 1 {
                    format!("element {i}: {e}")
                } else {
                    e
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((target, out))
}

/// Replaces dynamic parts of a wanted type with the concrete parts of a found one.
fn fill_dynamic(want: &Type, found: &Type) -> Type {
    match (want, found) {
        (Type::Dynamic, f) => f.clone(),
        (Type::List(w), Type::List(f)) => Type::list(fill_dynamic(w, f)),
        (Type::Set(w), Type::Set(f)) => Type::set(fill_dynamic(w, f)),
        (Type::Map(w), Type::Map(f)) => Type::map(fill_dynamic(w, f)),
        _ => want.clone(),
    }
}

fn required_message(want: &Type) -> String {
    match want {
        Type::Object(_) => "object required".into(),
        Type::Tuple(_) => "tuple required".into(),
        t => format!("{} required", t.friendly_name()),
    }
}

/// Whether values of type `from` can be converted to `to`; `unsafe_ok` admits conversions
/// that can fail on some values (string to number, for instance).
pub fn conversion_exists(from: &Type, to: &Type, unsafe_ok: bool) -> bool {
    if from == to || *to == Type::Dynamic || *from == Type::Dynamic {
        return true;
    }
    match (from, to) {
        (Type::Number | Type::Bool, Type::String) => true,
        (Type::String, Type::Number | Type::Bool) => unsafe_ok,
        (Type::List(f) | Type::Set(f), Type::List(t) | Type::Set(t))
        | (Type::Map(f), Type::Map(t)) => conversion_exists(f, t, unsafe_ok),
        (Type::Tuple(fs), Type::List(t) | Type::Set(t)) => {
            fs.iter().all(|f| conversion_exists(f, t, unsafe_ok))
        }
        (Type::Object(fs), Type::Map(t)) => fs.values().all(|f| conversion_exists(f, t, unsafe_ok)),
        (Type::Object(fs), Type::Object(ts)) => ts.iter().all(|(k, t)| {
            fs.get(k)
                .is_some_and(|f| conversion_exists(f, t, unsafe_ok))
        }),
        (Type::Map(f), Type::Object(ts)) => {
            unsafe_ok && ts.values().all(|t| conversion_exists(f, t, unsafe_ok))
        }
        (Type::Tuple(fs), Type::Tuple(ts)) => {
            fs.len() == ts.len()
                && fs
                    .iter()
                    .zip(ts.iter())
                    .all(|(f, t)| conversion_exists(f, t, unsafe_ok))
        }
        (Type::List(f), Type::Tuple(ts)) => {
            unsafe_ok && ts.iter().all(|t| conversion_exists(f, t, unsafe_ok))
        }
        _ => false,
    }
}

/// The single type that all of `types` convert to, as Terraform chooses it for conditionals
/// and collection constructors; `None` when there is none.
pub fn unify(types: &[Type], unsafe_ok: bool) -> Option<Type> {
    let first = types.first()?;
    if types.iter().all(|t| t == first) {
        return Some(first.clone());
    }
    // Values of unknown type (nulls written as `null`) take whatever type the others agree
    // on, as cty's unification does.
    if types.contains(&Type::Dynamic) {
        let known: Vec<Type> = types
            .iter()
            .filter(|t| **t != Type::Dynamic)
            .cloned()
            .collect();
        if known.is_empty() {
            return Some(Type::Dynamic);
        }
        return unify(&known, unsafe_ok);
    }
    // All collections of one kind: unify the element types.
    let same_kind = |f: fn(&Type) -> Option<&Type>| -> Option<Vec<Type>> {
        types.iter().map(|t| f(t).cloned()).collect()
    };
    if let Some(es) = same_kind(|t| if let Type::List(e) = t { Some(e) } else { None }) {
        return unify(&es, unsafe_ok).map(Type::list);
    }
    if let Some(es) = same_kind(|t| if let Type::Set(e) = t { Some(e) } else { None }) {
        return unify(&es, unsafe_ok).map(Type::set);
    }
    if let Some(es) = same_kind(|t| if let Type::Map(e) = t { Some(e) } else { None }) {
        return unify(&es, unsafe_ok).map(Type::map);
    }
    if types.iter().all(|t| matches!(t, Type::Object(_))) {
        let objs: Vec<&BTreeMap<String, Type>> = types
            .iter()
            .map(|t| {
                if let Type::Object(a) = t {
                    &**a
                } else {
                    unreachable!()
                }
            })
            .collect();
        let keys: Vec<&String> = objs[0].keys().collect();
        if objs.iter().all(|o| o.keys().collect::<Vec<_>>() == keys) {
            let mut attrs = BTreeMap::new();
            for k in keys {
                let ats: Vec<Type> = objs.iter().map(|o| o[k].clone()).collect();
                attrs.insert(k.clone(), unify(&ats, unsafe_ok)?);
            }
            return Some(Type::object(attrs));
        }
        let all: Vec<Type> = objs.iter().flat_map(|o| o.values().cloned()).collect();
        return unify(&all, unsafe_ok).map(Type::map);
    }
    if types.iter().all(|t| matches!(t, Type::Tuple(_))) {
        let tups: Vec<&Vec<Type>> = types
            .iter()
            .map(|t| {
                if let Type::Tuple(e) = t {
                    &**e
                } else {
                    unreachable!()
                }
            })
            .collect();
        if tups.iter().all(|t| t.len() == tups[0].len()) {
            let mut elems = Vec::new();
            for i in 0..tups[0].len() {
                let ets: Vec<Type> = tups.iter().map(|t| t[i].clone()).collect();
                elems.push(unify(&ets, unsafe_ok)?);
            }
            return Some(Type::tuple(elems));
        }
        let all: Vec<Type> = tups.iter().flat_map(|t| t.iter().cloned()).collect();
        return unify(&all, unsafe_ok).map(Type::list);
    }
    // Otherwise the first type, in order of preference, that every other converts to.
    let mut candidates: Vec<&Type> = types.iter().collect();
    candidates.sort_by_key(|t| preference(t));
    candidates
        .into_iter()
        .find(|want| types.iter().all(|t| conversion_exists(t, want, unsafe_ok)))
        .cloned()
}

fn preference(t: &Type) -> u8 {
    match t {
        Type::String => 0,
        Type::Number => 1,
        Type::Bool => 2,
        Type::List(_) => 3,
        Type::Map(_) => 4,
        Type::Set(_) => 5,
        _ => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_conversions() {
        assert_eq!(
            convert(&Value::int(5), &Type::String).unwrap().as_str(),
            Some("5")
        );
        assert_eq!(
            convert(&"true".into(), &Type::Bool).unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(
            convert(&"x".into(), &Type::Number).unwrap_err(),
            "a number is required"
        );
        assert!(convert(&Value::Bool(true), &Type::Number).is_err());
    }

    #[test]
    fn tuple_to_list_unifies_elements() {
        let t = Value::tuple(vec![Value::int(1), "a".into()]);
        let l = convert(&t, &Type::list(Type::Dynamic)).unwrap();
        assert_eq!(l.ty(), Type::list(Type::String));
    }

    #[test]
    fn unify_prefers_string() {
        assert_eq!(
            unify(&[Type::Number, Type::String], false),
            Some(Type::String)
        );
        assert_eq!(unify(&[Type::Number, Type::Bool], false), None);
    }

    #[test]
    fn object_to_object_drops_extra_attributes() {
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), Value::int(1));
        m.insert("b".to_string(), Value::int(2));
        let want = Type::object([("a".to_string(), Type::String)].into_iter().collect());
        let v = convert(&Value::object(m), &want).unwrap();
        assert_eq!(v.as_mapping().unwrap().len(), 1);
    }
}
