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
