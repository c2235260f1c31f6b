//! Moving values between resource objects and ARM bodies along the paths and codecs a schema
//! declares ([`super::schema::Arm`]): `expand` writes attributes and nested blocks into a JSON
//! body, `flatten` reads them back, giving absent paths the zero value, null, or the previous
//! value as SDKv2 resources do.

use super::schema::{Absent, Attr, BlockDef, Codec, Nested};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::json::{value_from_json, value_to_json};
use terrane_engine::number::Number;
use terrane_engine::provider::Nesting;
use terrane_engine::value::{Type, Value};

/// The JSON at a dotted path.
pub fn json_get<'a>(body: &'a Json, path: &str) -> Option<&'a Json> {
    if path.is_empty() {
        return Some(body);
    }
    path.split('.')
        .try_fold(body, |node, key| node.get(key))
        .filter(|v| !v.is_null())
}

/// Sets the JSON at a dotted path, creating the objects on the way.
pub fn json_set(body: &mut Json, path: &str, value: Json) {
    let mut node = body;
    let keys: Vec<&str> = path.split('.').collect();
    for (i, key) in keys.iter().enumerate() {
        if !node.is_object() {
            *node = Json::Object(Map::new());
        }
        let Json::Object(map) = node else { return };
        if i + 1 == keys.len() {
            map.insert(key.to_string(), value);
            return;
        }
        node = map
            .entry(key.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
    }
}

/// Removes the JSON at a dotted path.
pub fn json_remove(body: &mut Json, path: &str) {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (Some(parent), key),
        None => (None, path),
    };
    let node = match parent {
        Some(parent) => parent
            .split('.')
            .try_fold(&mut *body, |node, k| node.get_mut(k)),
        None => Some(body),
    };
    if let Some(Json::Object(map)) = node {
        map.remove(key);
    }
}

/// The zero value of a type, as SDKv2 stores unset Go values.
pub fn zero(ty: &Type) -> Value {
    match ty {
        Type::String => Value::string(""),
        Type::Number => Value::int(0),
        Type::Bool => Value::Bool(false),
        Type::List(e) => Value::list((**e).clone(), vec![]),
        Type::Set(e) => Value::set((**e).clone(), vec![]),
        Type::Map(e) => Value::map((**e).clone(), BTreeMap::new()),
        other => Value::Null(other.clone()),
    }
}

/// Whether a value is null or its type's zero value (SDKv2 does not tell them apart).
pub fn is_zero(value: &Value) -> bool {
    value.is_null() || (value.is_wholly_known() && value.raw_equal(&zero(&value.ty())))
}

/// An azurerm location normalised: lower case without spaces.
pub fn normalize_location(text: &str) -> String {
    text.replace(' ', "").to_lowercase()
}

/// A value from ARM's JSON, converted as leniently as azurerm's SDK models do (numbers and
/// bools given as strings, strings given as numbers); anything unconvertible reads as null.
pub fn from_json_lenient(json: &Json, ty: &Type) -> Value {
    if let Ok(v) = value_from_json(json, ty) {
        return v;
    }
    match (ty, json) {
        (Type::String, Json::Number(n)) => Value::string(n.to_string()),
        (Type::String, Json::Bool(b)) => Value::string(b.to_string()),
        (Type::Number, Json::String(s)) => Number::parse(s.trim())
            .map(Value::number)
            .unwrap_or(Value::Null(Type::Number)),
        (Type::Bool, Json::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null(Type::Bool),
        },
        (Type::List(e) | Type::Set(e), Json::Array(items)) => {
            let items: Vec<Value> = items.iter().map(|i| from_json_lenient(i, e)).collect();
            if matches!(ty, Type::Set(_)) {
                Value::set((**e).clone(), items)
            } else {
                Value::list((**e).clone(), items)
            }
        }
        (Type::Map(e), Json::Object(o)) => Value::map(
            (**e).clone(),
            o.iter()
                .map(|(k, v)| (k.clone(), from_json_lenient(v, e)))
                .collect(),
        ),
        (Type::Object(attrs), Json::Object(o)) => Value::object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = o
                        .get(k)
                        .map_or(Value::Null(t.clone()), |j| from_json_lenient(j, t));
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => Value::Null(ty.clone()),
    }
}

/// The JSON of an attribute's (known, non-null) value; `None` leaves its path out.
pub fn expand_value(codec: Codec, value: &Value) -> Option<Json> {
    if value.is_null() || !value.is_wholly_known() {
        return None;
    }
    match codec {
        Codec::Plain => value_to_json(value).ok(),
        Codec::Location => value.as_str().map(|s| Json::String(normalize_location(s))),
        Codec::BoolEnum { yes, no } => value
            .as_bool()
            .map(|b| Json::String(if b { yes } else { no }.to_string())),
        Codec::IdRef => value.as_str().map(|s| serde_json::json!({ "id": s })),
        Codec::Wrapped(field) => value.as_seq().map(|items| {
            Json::Array(
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(|s| serde_json::json!({ field: s }))
                    .collect(),
            )
        }),
        Codec::Custom { expand, .. } => expand(value),
    }
}

/// An attribute's value from the JSON at its path (`None` when absent).
pub fn flatten_value(codec: Codec, json: Option<&Json>, ty: &Type) -> Option<Value> {
    if let Codec::Custom { flatten, .. } = codec {
        let v = flatten(json, ty);
        return (!v.is_null() || json.is_some()).then_some(v);
    }
    let json = json?;
    Some(match codec {
        Codec::Plain | Codec::Custom { .. } => from_json_lenient(json, ty),
        Codec::Location => json
            .as_str()
            .map(|s| Value::string(normalize_location(s)))
            .unwrap_or(Value::Null(Type::String)),
        Codec::BoolEnum { yes, .. } => {
            Value::Bool(json.as_str().is_some_and(|s| s.eq_ignore_ascii_case(yes)))
        }
        Codec::IdRef => json
            .get("id")
            .and_then(Json::as_str)
            .map(Value::string)
            .unwrap_or(Value::Null(Type::String)),
        Codec::Wrapped(field) => {
            let items: Vec<Value> = json
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o.get(field).and_then(Json::as_str))
                        .map(Value::string)
                        .collect()
                })
                .unwrap_or_default();
            let elem = ty.element_type().cloned().unwrap_or(Type::String);
            if matches!(ty, Type::Set(_)) {
                Value::set(elem, items)
            } else {
                Value::list(elem, items)
            }
        }
    })
}

/// What an attribute reads as from `body`: `None` when it keeps its previous value.
pub fn flatten_attr(attr: &Attr, body: &Json) -> Option<Value> {
    let arm = attr.arm?;
    let value = flatten_value(arm.codec, json_get(body, arm.path), &attr.spec.ty);
    match (value, arm.absent) {
        (Some(v), _) if !v.is_null() => Some(v),
        (_, Absent::Zero) => Some(zero(&attr.spec.ty)),
        (_, Absent::Null) => Some(Value::Null(attr.spec.ty.clone())),
        (_, Absent::Keep) => None,
    }
}

/// Writes an attribute into `body` (a null value leaves its path out, or removes it when
/// `remove_null`).
pub fn expand_attr(attr: &Attr, value: &Value, body: &mut Json, remove_null: bool) {
    let Some(arm) = attr.arm else { return };
    match expand_value(arm.codec, value) {
        Some(json) => json_set(body, arm.path, json),
        None if remove_null => json_remove(body, arm.path),
        None => {}
    }
}

/// Writes a nested block's value (a list or set of objects) into `body`.
pub fn expand_nested(nested: &Nested, value: &Value, body: &mut Json, remove_empty: bool) {
    let Some(arm) = nested.arm else { return };
    let elements: Vec<Json> = value
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|element| {
            let mut object = Json::Object(Map::new());
            expand_object(&nested.block, element, &mut object, false);
            object
        })
        .collect();
    if arm.single_object {
        match elements.into_iter().next() {
            Some(object) => json_set(body, arm.path, object),
            None if remove_empty => json_remove(body, arm.path),
            None => {}
        }
    } else if !value.is_null() || remove_empty {
        json_set(body, arm.path, Json::Array(elements));
    }
}

/// Writes every mapped attribute and nested block of an object into `body`.
pub fn expand_object(def: &BlockDef, object: &Value, body: &mut Json, remove_null: bool) {
    let attrs = object.as_mapping().cloned().unwrap_or_default();
    for attr in &def.attrs {
        let value = attrs
            .get(attr.name)
            .cloned()
            .unwrap_or(Value::Null(attr.spec.ty.clone()));
        expand_attr(attr, &value, body, remove_null);
    }
    for nested in &def.blocks {
        if let Some(value) = attrs.get(nested.name) {
            expand_nested(nested, value, body, remove_null);
        }
    }
}

/// Reads the elements of a nested block from `body` (none when absent).
pub fn flatten_nested(nested: &Nested, body: &Json) -> Option<Value> {
    let arm = nested.arm?;
    let elem_ty = nested.block.value_type();
    let found = json_get(body, arm.path);
    let elements: Vec<Value> = match found {
        Some(Json::Array(items)) if !arm.single_object => items
            .iter()
            .map(|item| flatten_object(&nested.block, item))
            .collect(),
        Some(object @ Json::Object(_)) if arm.single_object => {
            vec![flatten_object(&nested.block, object)]
        }
        _ => vec![],
    };
    Some(match nested.nesting {
        Nesting::Set => Value::set(elem_ty, elements),
        _ => Value::list(elem_ty, elements),
    })
}

/// An object of `def` read from its JSON: mapped attributes and blocks from their paths, the
/// rest null.
pub fn flatten_object(def: &BlockDef, body: &Json) -> Value {
    let mut out = BTreeMap::new();
    for attr in &def.attrs {
        let value = flatten_attr(attr, body).unwrap_or(Value::Null(attr.spec.ty.clone()));
        out.insert(attr.name.to_string(), value);
    }
    for nested in &def.blocks {
        let value = flatten_nested(nested, body)
            .unwrap_or_else(|| zero(&super::schema::nested_type(nested)));
        out.insert(nested.name.to_string(), value);
    }
    Value::object(out)
}

/// An object of `def` with every attribute null and every nested block empty.
pub fn null_object(def: &BlockDef) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for attr in &def.attrs {
        out.insert(attr.name.to_string(), Value::Null(attr.spec.ty.clone()));
    }
    for nested in &def.blocks {
        let ty = super::schema::nested_type(nested);
        let value = match nested.nesting {
            Nesting::Single | Nesting::Group => Value::Null(ty),
            _ => zero(&ty),
        };
        out.insert(nested.name.to_string(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::schema::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let mut body = json!({"properties": {"a": 1}});
        json_set(&mut body, "properties.b.c", json!("x"));
        assert_eq!(json_get(&body, "properties.b.c"), Some(&json!("x")));
        json_remove(&mut body, "properties.a");
        assert_eq!(body, json!({"properties": {"b": {"c": "x"}}}));
        assert_eq!(json_get(&body, "properties.missing.deeper"), None);
    }

    #[test]
    fn codecs_round_trip() {
        let cases: Vec<(Codec, Value, Json)> = vec![
            (
                Codec::Location,
                Value::string("West Europe"),
                json!("westeurope"),
            ),
            (
                Codec::BoolEnum {
                    yes: "Enabled",
                    no: "Disabled",
                },
                Value::Bool(false),
                json!("Disabled"),
            ),
            (Codec::IdRef, Value::string("/x"), json!({"id": "/x"})),
            (
                Codec::Wrapped("service"),
                Value::set(Type::String, vec![Value::string("Microsoft.Storage")]),
                json!([{"service": "Microsoft.Storage"}]),
            ),
        ];
        for (codec, value, expected) in cases {
            let json = expand_value(codec, &value).unwrap();
            assert_eq!(json, expected);
            let back = flatten_value(codec, Some(&json), &value.ty()).unwrap();
            if matches!(codec, Codec::Location) {
                assert_eq!(back, Value::string("westeurope"));
            } else {
                assert_eq!(back, value);
            }
        }
    }

    #[test]
    fn absent_paths() {
        let body = json!({"properties": {}});
        let zero_attr = string("a").optional().arm("properties.a");
        assert_eq!(flatten_attr(&zero_attr, &body), Some(Value::string("")));
        let null_attr = string("a")
            .optional()
            .arm("properties.a")
            .absent(Absent::Null);
        assert_eq!(
            flatten_attr(&null_attr, &body),
            Some(Value::Null(Type::String))
        );
        let keep = string("a")
            .optional()
            .arm("properties.a")
            .absent(Absent::Keep);
        assert_eq!(flatten_attr(&keep, &body), None);
        assert_eq!(
            from_json_lenient(&json!("12"), &Type::Number),
            Value::int(12)
        );
    }

    #[test]
    fn nested_blocks() {
        let def = block_def(
            vec![],
            vec![block(
                "delegation",
                block_def(
                    vec![string("name").required().arm("name")],
                    vec![block(
                        "service_delegation",
                        block_def(
                            vec![
                                string("name").required().arm("serviceName"),
                                set_of_strings("actions").optional().arm("actions"),
                            ],
                            vec![],
                        ),
                    )
                    .max(1)
                    .arm_object("properties")],
                ),
            )
            .arm_array("properties.delegations")],
        );
        let body = json!({"properties": {"delegations": [
            {"name": "d", "properties": {"serviceName": "Microsoft.Web/serverFarms", "actions": ["a"]}}
        ]}});
        let object = flatten_object(&def, &body);
        let mut again = json!({});
        expand_object(&def, &object, &mut again, false);
        assert_eq!(again, body);
    }
}
