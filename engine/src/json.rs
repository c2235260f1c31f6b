//! Values as JSON in Terraform's state and `output -json` form: the value's JSON alongside
//! its type in Terraform's type notation, and back.

use crate::number::Number;
use crate::value::{Type, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The JSON of a wholly known value (sensitive marks are dropped: callers decide whether a
/// value may be shown). Infinities and unknown values cannot be written.
pub fn value_to_json(v: &Value) -> Result<Json, String> {
    Ok(match v {
        Value::Sensitive(inner) => value_to_json(inner)?,
        Value::Null(_) => Json::Null,
        Value::Unknown(_) => return Err("cannot serialize an unknown value as JSON".into()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => {
            if n.is_infinite() {
                return Err("cannot serialize infinity as JSON".into());
            }
            Json::Number(
                serde_json::Number::from_str(&n.to_string())
                    .map_err(|e| format!("cannot serialize number {n}: {e}"))?,
            )
        }
        Value::String(s) => Json::String(s.to_string()),
        Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => {
            Json::Array(e.iter().map(value_to_json).collect::<Result<_, _>>()?)
        }
        Value::Map(_, m) | Value::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), value_to_json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

/// The value of a JSON document of a known type.
pub fn value_from_json(j: &Json, ty: &Type) -> Result<Value, String> {
    if j.is_null() {
        return Ok(Value::Null(ty.clone()));
    }
    let mismatch = || format!("JSON value {j} is not of type {ty}");
    Ok(match ty {
        Type::Dynamic => value_from_json_untyped(j)?,
        Type::String => Value::string(j.as_str().ok_or_else(mismatch)?),
        Type::Bool => Value::Bool(j.as_bool().ok_or_else(mismatch)?),
        Type::Number => match j {
            Json::Number(n) => Value::number(Number::parse(&n.to_string()).ok_or_else(mismatch)?),
            _ => return Err(mismatch()),
        },
        Type::List(e) | Type::Set(e) => {
            let items = j
                .as_array()
                .ok_or_else(mismatch)?
                .iter()
                .map(|x| value_from_json(x, e))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::Set(_)) {
                Value::set((**e).clone(), items)
            } else {
                Value::list((**e).clone(), items)
            }
        }
        Type::Map(e) => Value::map(
            (**e).clone(),
            j.as_object()
                .ok_or_else(mismatch)?
                .iter()
                .map(|(k, x)| Ok((k.clone(), value_from_json(x, e)?)))
                .collect::<Result<_, String>>()?,
        ),
        Type::Object(attrs) => {
            let o = j.as_object().ok_or_else(mismatch)?;
            let mut m = BTreeMap::new();
            for (k, t) in attrs.iter() {
                m.insert(
                    k.clone(),
                    value_from_json(o.get(k).unwrap_or(&Json::Null), t)?,
                );
            }
            Value::object(m)
        }
        Type::Tuple(ts) => {
            let a = j.as_array().ok_or_else(mismatch)?;
            if a.len() != ts.len() {
                return Err(mismatch());
            }
            Value::tuple(
                a.iter()
                    .zip(ts.iter())
                    .map(|(x, t)| value_from_json(x, t))
                    .collect::<Result<_, _>>()?,
            )
        }
    })
}

/// A JSON document as the value `jsondecode` would give: objects and tuples.
pub fn value_from_json_untyped(j: &Json) -> Result<Value, String> {
    Ok(match j {
        Json::Null => Value::Null(Type::Dynamic),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::number(
            Number::parse(&n.to_string()).ok_or_else(|| format!("invalid number {n}"))?,
        ),
        Json::String(s) => Value::string(s.as_str()),
        Json::Array(a) => Value::tuple(
            a.iter()
                .map(value_from_json_untyped)
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(o) => Value::object(
            o.iter()
                .map(|(k, v)| Ok((k.clone(), value_from_json_untyped(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_typed() {
        let v = Value::list(Type::Number, vec![Value::int(1), Value::int(2)]);
        let j = value_to_json(&v).unwrap();
        assert_eq!(j.to_string(), "[1,2]");
        assert_eq!(value_from_json(&j, &v.ty()).unwrap(), v);
    }
}

/// A resource object as the state stores it: like [`value_to_json`], except that where the
/// schema type is dynamic the value is wrapped as `{"value": ..., "type": ...}` so that its
/// type survives, as Terraform writes it.
pub fn state_value_to_json(v: &Value, schema_ty: &Type) -> Result<Json, String> {
    let (v, _) = v.unmark();
    if v.is_null() && *schema_ty != Type::Dynamic {
        return Ok(Json::Null);
    }
    Ok(match (schema_ty, v) {
        (Type::Dynamic, v) => {
            let (plain, _) = v.unmark_deep();
            serde_json::json!({"value": value_to_json(&plain)?, "type": plain.ty().to_json()})
        }
        (
            Type::List(et) | Type::Set(et),
            Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e),
        ) => Json::Array(
            e.iter()
                .map(|x| state_value_to_json(x, et))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Map(et), Value::Map(_, m) | Value::Object(m)) => Json::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), state_value_to_json(x, et)?)))
                .collect::<Result<_, String>>()?,
        ),
        (Type::Object(attrs), Value::Object(m) | Value::Map(_, m)) => Json::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let x = m.get(k).cloned().unwrap_or(Value::Null(t.clone()));
                    Ok((k.clone(), state_value_to_json(&x, t)?))
                })
                .collect::<Result<_, String>>()?,
        ),
        (Type::Tuple(ts), Value::Tuple(e) | Value::List(_, e)) => Json::Array(
            e.iter()
                .zip(ts.iter())
                .map(|(x, t)| state_value_to_json(x, t))
                .collect::<Result<_, _>>()?,
        ),
        (_, v) => value_to_json(v)?,
    })
}

/// The inverse of [`state_value_to_json`].
pub fn state_value_from_json(j: &Json, schema_ty: &Type) -> Result<Value, String> {
    match schema_ty {
        Type::Dynamic => {
            if j.is_null() {
                return Ok(Value::Null(Type::Dynamic));
            }
            let ty = j.get("type").and_then(Type::from_json).ok_or_else(|| {
                format!("a value of dynamic type must be stored with its type, not as {j}")
            })?;
            value_from_json(j.get("value").unwrap_or(&Json::Null), &ty)
        }
        _ if j.is_null() => Ok(Value::Null(schema_ty.clone())),
        Type::List(et) | Type::Set(et) if et.has_dynamic() => {
            let items = j
                .as_array()
                .ok_or_else(|| format!("{j} is not a list"))?
                .iter()
                .map(|x| state_value_from_json(x, et))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(schema_ty, Type::Set(_)) {
                Value::set((**et).clone(), items)
            } else {
                Value::list((**et).clone(), items)
            })
        }
        Type::Map(et) if et.has_dynamic() => Ok(Value::map(
            (**et).clone(),
            j.as_object()
                .ok_or_else(|| format!("{j} is not a map"))?
                .iter()
                .map(|(k, x)| Ok((k.clone(), state_value_from_json(x, et)?)))
                .collect::<Result<_, String>>()?,
        )),
        Type::Object(attrs) if schema_ty.has_dynamic() => {
            let o = j
                .as_object()
                .ok_or_else(|| format!("{j} is not an object"))?;
            Ok(Value::object(
                attrs
                    .iter()
                    .map(|(k, t)| {
                        Ok((
                            k.clone(),
                            state_value_from_json(o.get(k).unwrap_or(&Json::Null), t)?,
                        ))
                    })
                    .collect::<Result<_, String>>()?,
            ))
        }
        _ => value_from_json(j, schema_ty),
    }
}

#[cfg(test)]
mod state_tests {
    use super::*;

    #[test]
    fn dynamic_attributes_keep_their_type() {
        let schema = Type::object(
            [
                ("input".to_string(), Type::Dynamic),
                ("id".to_string(), Type::String),
            ]
            .into(),
        );
        let v = Value::object(
            [
                ("input".to_string(), Value::tuple(vec![Value::int(1)])),
                ("id".to_string(), "x".into()),
            ]
            .into(),
        );
        let j = state_value_to_json(&v, &schema).unwrap();
        assert_eq!(
            j["input"],
            serde_json::json!({"value": [1], "type": ["tuple", ["number"]]})
        );
        assert_eq!(state_value_from_json(&j, &schema).unwrap(), v);
    }
}
