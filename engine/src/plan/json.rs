//! Terraform's JSON representation of plans and values (`show -json`): known values, with
//! `after_unknown` saying which parts are known only after apply and `before_sensitive` /
//! `after_sensitive` saying which parts are sensitive.

use super::{Action, Change};
use crate::config::ResourceMode;
use crate::json::value_to_json;
use crate::value::Value;
use serde_json::{json, Map, Value as Json};

/// The known parts of a value: unknown attributes are left out of objects and appear as
/// null in sequences; sensitive values are shown (the `*_sensitive` documents mark them).
pub fn known_json(v: &Value) -> Json {
    match v {
        Value::Sensitive(inner) => known_json(inner),
        Value::Unknown(_) | Value::Null(_) => Json::Null,
        Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => {
            Json::Array(e.iter().map(known_json).collect())
        }
        Value::Map(_, m) | Value::Object(m) => Json::Object(
            m.iter()
                .filter(|(_, x)| x.is_known())
                .map(|(k, x)| (k.clone(), known_json(x)))
                .collect(),
        ),
        other => value_to_json(other).unwrap_or(Json::Null),
    }
}

/// Which parts of a value are unknown: `true` for an unknown value, objects and arrays for
/// the structure around unknown parts, `false` (or `{}` for objects) when wholly known.
pub fn unknown_json(v: &Value) -> Json {
    let (v, _) = v.unmark();
    match v {
        Value::Unknown(_) => Json::Bool(true),
        Value::Object(m) | Value::Map(_, m) => Json::Object(
            m.iter()
                .filter(|(_, x)| !x.is_wholly_known())
                .map(|(k, x)| (k.clone(), unknown_json(x)))
                .collect(),
        ),
        Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) if !v.is_wholly_known() => {
            Json::Array(e.iter().map(unknown_json).collect())
        }
        Value::List(..) | Value::Set(..) | Value::Tuple(_) => Json::Array(vec![]),
        _ => Json::Bool(false),
    }
}

/// Which parts of a value are sensitive, in the same shape as [`unknown_json`].
pub fn sensitive_json(v: &Value) -> Json {
    match v {
        Value::Sensitive(_) => Json::Bool(true),
        Value::Object(m) | Value::Map(_, m) => Json::Object(
            m.iter()
                .filter(|(_, x)| x.contains_sensitive())
                .map(|(k, x)| (k.clone(), sensitive_json(x)))
                .collect(),
        ),
        Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => {
            if v.contains_sensitive() {
                Json::Array(e.iter().map(sensitive_json).collect())
            } else {
                Json::Array(vec![])
            }
        }
        Value::Null(_) => Json::Bool(false),
        _ => Json::Bool(false),
    }
}

/// One entry of a plan's `resource_changes`.
pub fn resource_change_json(c: &Change) -> Json {
    let mut entry = Map::new();
    entry.insert("address".into(), json!(c.address));
    if let Some(m) = &c.module {
        entry.insert("module_address".into(), json!(m));
    }
    entry.insert(
        "mode".into(),
        json!(if c.mode == ResourceMode::Data {
            "data"
        } else {
            "managed"
        }),
    );
    entry.insert("type".into(), json!(c.ty));
    entry.insert("name".into(), json!(c.name));
    if let Some(k) = &c.index_key {
        entry.insert("index".into(), k.clone());
    }
    entry.insert("provider_name".into(), json!(c.provider));
    let before = if c.before.is_null() {
        Json::Null
    } else {
        known_json(&c.before)
    };
    let after = if c.after.is_null() {
        Json::Null
    } else {
        known_json(&c.after)
    };
    let mut change = json!({
        "actions": c.action.json_actions(),
        "before": before,
        "after": after,
        "after_unknown": if c.after.is_null() { json!({}) } else { unknown_json(&c.after) },
        "before_sensitive": if c.before.is_null() { json!(false) } else { sensitive_json(&c.before) },
        "after_sensitive": if c.after.is_null() { json!(false) } else { sensitive_json(&c.after) },
    });
    if !c.replace_paths.is_empty() {
        change["replace_paths"] = json!(c
            .replace_paths
            .iter()
            .map(|p| p
                .iter()
                .map(|s| s
                    .parse::<u64>()
                    .map(Json::from)
                    .unwrap_or_else(|_| json!(s)))
                .collect::<Vec<_>>())
            .collect::<Vec<_>>());
    }
    entry.insert("change".into(), change);
    match (c.action, c.reason.as_deref()) {
        (Action::DeleteThenCreate | Action::CreateThenDelete, Some("tainted")) => {
            entry.insert("action_reason".into(), json!("replace_because_tainted"));
        }
        (Action::DeleteThenCreate | Action::CreateThenDelete, Some("replace_triggered_by")) => {
            entry.insert("action_reason".into(), json!("replace_by_triggers"));
        }
        (Action::DeleteThenCreate | Action::CreateThenDelete, Some("requested")) => {
            entry.insert("action_reason".into(), json!("replace_by_request"));
        }
        (Action::DeleteThenCreate | Action::CreateThenDelete, _) => {
            entry.insert(
                "action_reason".into(),
                json!("replace_because_cannot_update"),
            );
        }
        (Action::Delete, Some("no longer in configuration")) => {
            entry.insert(
                "action_reason".into(),
                json!("delete_because_no_resource_config"),
            );
        }
        _ => {}
    }
    Json::Object(entry)
}

/// A resource instance as `planned_values` and `values` documents list it.
pub fn resource_value_json(c: &Change, value: &Value) -> Json {
    let mut entry = Map::new();
    entry.insert("address".into(), json!(c.address));
    entry.insert(
        "mode".into(),
        json!(if c.mode == ResourceMode::Data {
            "data"
        } else {
            "managed"
        }),
    );
    entry.insert("type".into(), json!(c.ty));
    entry.insert("name".into(), json!(c.name));
    if let Some(k) = &c.index_key {
        entry.insert("index".into(), k.clone());
    }
    entry.insert("provider_name".into(), json!(c.provider));
    entry.insert("schema_version".into(), json!(0));
    entry.insert("values".into(), known_json(value));
    entry.insert("sensitive_values".into(), sensitive_json(value));
    Json::Object(entry)
}

/// Resources grouped by module as Terraform's `root_module` / `child_modules` nest them.
pub fn module_tree_json(resources: Vec<(Option<String>, Json)>) -> Json {
    let mut root = Vec::new();
    let mut children: std::collections::BTreeMap<String, Vec<Json>> =
        std::collections::BTreeMap::new();
    for (module, r) in resources {
        match module {
            None => root.push(r),
            Some(m) => children.entry(m).or_default().push(r),
        }
    }
    let mut out = json!({ "resources": root });
    if !children.is_empty() {
        out["child_modules"] = Json::Array(
            children
                .into_iter()
                .map(|(address, resources)| json!({"address": address, "resources": resources}))
                .collect(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Type;

    #[test]
    fn unknown_and_sensitive_shapes() {
        let v = Value::object(
            [
                ("id".to_string(), Value::Unknown(Type::String)),
                ("name".to_string(), "x".into()),
                ("secret".to_string(), Value::string("s").mark()),
            ]
            .into(),
        );
        assert_eq!(known_json(&v), json!({"name": "x", "secret": "s"}));
        assert_eq!(unknown_json(&v), json!({"id": true}));
        assert_eq!(sensitive_json(&v), json!({"secret": true}));
    }
}
