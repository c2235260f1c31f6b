//! Reading and updating attributes of resource objects (`Value::Object`s with every schema
//! attribute present).

use std::collections::BTreeMap;
use terrane_engine::value::Value;

/// The attribute `name` of `object`, if present.
pub(crate) fn attr<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.as_mapping().and_then(|m| m.get(name))
}

/// True when the attribute is absent or null.
pub(crate) fn is_null(object: &Value, name: &str) -> bool {
    attr(object, name).is_none_or(Value::is_null)
}

/// True when the attribute is unknown.
pub(crate) fn is_unknown(object: &Value, name: &str) -> bool {
    attr(object, name).is_some_and(|v| !v.is_known())
}

/// A known, non-null string attribute.
pub(crate) fn get_str<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    attr(object, name).and_then(Value::as_str)
}

/// A known, non-null whole-number attribute (None when it does not fit an i64).
pub(crate) fn get_i64(object: &Value, name: &str) -> Option<i64> {
    attr(object, name)
        .and_then(Value::as_number)
        .and_then(|n| n.to_i64())
}

/// A known, non-null bool attribute.
pub(crate) fn get_bool(object: &Value, name: &str) -> Option<bool> {
    attr(object, name).and_then(Value::as_bool)
}

/// The known strings of a known, non-null list attribute (null elements are skipped).
pub(crate) fn get_str_list(object: &Value, name: &str) -> Option<Vec<String>> {
    let items = attr(object, name)?.as_seq()?;
    Some(
        items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

/// `object` with attribute `name` set to `value`.
pub(crate) fn with_attr(object: &Value, name: &str, value: Value) -> Value {
    let mut attrs: BTreeMap<String, Value> = object.as_mapping().cloned().unwrap_or_default();
    attrs.insert(name.to_string(), value);
    Value::object(attrs)
}

/// A known string value.
pub(crate) fn string(text: impl Into<String>) -> Value {
    Value::string(text.into())
}

/// Replaces every unknown value inside `value` with null of the same type.
pub(crate) fn unknowns_to_null(value: &Value) -> Value {
    match value {
        Value::Unknown(ty) => Value::Null(ty.clone()),
        Value::List(ty, items) => {
            Value::list(ty.clone(), items.iter().map(unknowns_to_null).collect())
        }
        Value::Set(ty, items) => {
            Value::set(ty.clone(), items.iter().map(unknowns_to_null).collect())
        }
        Value::Tuple(items) => Value::tuple(items.iter().map(unknowns_to_null).collect()),
        Value::Map(ty, items) => Value::map(
            ty.clone(),
            items
                .iter()
                .map(|(k, v)| (k.clone(), unknowns_to_null(v)))
                .collect(),
        ),
        Value::Object(attrs) => Value::object(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), unknowns_to_null(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
