//! `null_resource`: `triggers` (a map of strings) and `id` (a random decimal number chosen at
//! create). A change of `triggers` replaces it, except changes that only add or keep keys
//! whose value is null (older SDK versions stored maps without them). Schema version 0; not
//! importable.

use crate::{error, random_decimal};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, Attribute, Block, PlanRequest, PlanResponse, Schema,
};
use terrane_engine::value::{Type, Value};

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: BTreeMap::from([
                (
                    "triggers".to_string(),
                    Attribute::optional(Type::map(Type::String))
                        .force_new()
                        .describe("Arbitrary strings whose change replaces the resource."),
                ),
                (
                    "id".to_string(),
                    Attribute::computed(Type::String)
                        .describe("A random number chosen when the resource is created."),
                ),
            ]),
            blocks: BTreeMap::new(),
            description: "A resource that does nothing, replaced when its triggers change."
                .to_string(),
        },
    }
}

fn object_type() -> Type {
    schema().block.value_type()
}

/// An object with both attributes.
fn object(triggers: Value, id: Value) -> Value {
    Value::object(BTreeMap::from([
        ("triggers".to_string(), triggers),
        ("id".to_string(), id),
    ]))
}

/// An attribute of an object, null when absent.
fn get(object: &Value, name: &str) -> Value {
    object
        .as_mapping()
        .and_then(|attrs| attrs.get(name))
        .cloned()
        .unwrap_or(Value::Null(Type::Dynamic))
}

pub fn upgrade_state(version: u64, raw: &serde_json::Value) -> Result<Value, Diagnostics> {
    if version != 0 {
        return Err(error(
            "Unable to Upgrade Resource State",
            &format!("null_resource has only schema version 0, not {version}."),
        ));
    }
    let value = terrane_engine::json::value_from_json(raw, &object_type())
        .map_err(|e| error("Unable to Read Previously Saved State", &e))?;
    Ok(object(get(&value, "triggers"), get(&value, "id")))
}

pub fn plan(request: &PlanRequest) -> PlanResponse {
    let (proposed, _) = request.proposed_new_state.unmark_deep();
    let (prior, _) = request.prior_state.unmark_deep();
    let (config, _) = request.config.unmark_deep();
    let mut response = PlanResponse {
        planned_state: Value::Null(object_type()),
        requires_replace: Vec::new(),
        planned_private: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    if proposed.is_null() {
        return response;
    }
    let triggers = get(&proposed, "triggers");
    let mut id = get(&proposed, "id");
    if prior.is_null() {
        id = Value::Unknown(Type::String);
    } else {
        let prior_triggers = get(&prior, "triggers");
        if !same_value(&triggers, &prior_triggers) {
            // The framework marks `id` unknown on any change; the plan modifier keeping the
            // state's value then restores it.
            let prior_id = get(&prior, "id");
            id = if prior_id.is_null() {
                Value::Unknown(Type::String)
            } else {
                prior_id
            };
        }
        if triggers_require_replace(&prior_triggers, &get(&config, "triggers")) {
            response.requires_replace.push(vec!["triggers".to_string()]);
        }
    }
    response.planned_state = object(triggers, id);
    response
}

pub fn apply(request: &ApplyRequest) -> ApplyResponse {
    let (planned, _) = request.planned_state.unmark_deep();
    let (prior, _) = request.prior_state.unmark_deep();
    let mut response = ApplyResponse {
        new_state: Value::Null(object_type()),
        private: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    if planned.is_null() {
        return response;
    }
    let id = if prior.is_null() {
        Value::string(random_decimal())
    } else {
        get(&planned, "id")
    };
    response.new_state = object(get(&planned, "triggers"), id);
    if !response.new_state.is_wholly_known() {
        response.diagnostics = error(
            "Unexpected Unknown Value",
            "An in-place update was planned with values still unknown.",
        );
    }
    response
}

/// Whether the configured triggers replace the object given the stored ones.
fn triggers_require_replace(stored: &Value, config: &Value) -> bool {
    if same_value(config, stored) {
        return false;
    }
    let config_elems = config.as_mapping().cloned().unwrap_or_default();
    if stored.is_null() {
        return config_elems.values().any(|v| !v.is_null());
    }
    let stored_elems = stored.as_mapping().cloned().unwrap_or_default();
    let config_differs = config_elems
        .iter()
        .any(|(key, value)| match stored_elems.get(key) {
            None => !value.is_null(),
            Some(stored_value) => !same_value(value, stored_value),
        });
    config_differs
        || stored_elems
            .keys()
            .any(|key| !config_elems.contains_key(key))
}

/// Value equality for maps of strings: nulls of any type are alike, unknowns are alike.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null(_), Value::Null(_)) | (Value::Unknown(_), Value::Unknown(_)) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Map(_, x), Value::Map(_, y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && same_value(va, vb))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider;

    fn triggers(pairs: &[(&str, Option<&str>)]) -> Value {
        Value::map(
            Type::String,
            pairs
                .iter()
                .map(|(k, v)| {
                    let value = match v {
                        Some(s) => Value::string(*s),
                        None => Value::Null(Type::String),
                    };
                    (k.to_string(), value)
                })
                .collect(),
        )
    }

    fn null_triggers() -> Value {
        Value::Null(Type::map(Type::String))
    }

    fn config(triggers: Value) -> Value {
        object(triggers, Value::Null(Type::String))
    }

    async fn plan_change(prior: &Value, config: &Value) -> PlanResponse {
        // Terraform proposes the configuration with the computed id taken from the prior state.
        let proposed = if prior.is_null() || config.is_null() {
            config.clone()
        } else {
            object(get(config, "triggers"), get(prior, "id"))
        };
        provider()
            .plan_change(PlanRequest {
                type_name: "null_resource".into(),
                prior_state: prior.clone(),
                proposed_new_state: proposed,
                config: config.clone(),
                prior_private: vec![],
            })
            .await
    }

    async fn apply_change(prior: &Value, planned: &Value, config: &Value) -> Value {
        let response = provider()
            .apply_change(ApplyRequest {
                type_name: "null_resource".into(),
                prior_state: prior.clone(),
                planned_state: planned.clone(),
                config: config.clone(),
                planned_private: vec![],
            })
            .await;
        assert!(!response.diagnostics.has_errors());
        response.new_state
    }

    async fn create(triggers: Value) -> Value {
        let null = Value::Null(Type::Dynamic);
        let config = config(triggers);
        let planned = plan_change(&null, &config).await;
        assert_eq!(
            get(&planned.planned_state, "id"),
            Value::Unknown(Type::String)
        );
        apply_change(&null, &planned.planned_state, &config).await
    }

    /// Creates with `before`, plans `after`, and says whether that replaces.
    async fn replaces(before: Value, after: Value) -> bool {
        let state = create(before).await;
        let planned = plan_change(&state, &config(after.clone())).await;
        if planned.requires_replace.is_empty() {
            assert_eq!(get(&planned.planned_state, "id"), get(&state, "id"));
            let updated = apply_change(&state, &planned.planned_state, &config(after)).await;
            assert_eq!(get(&updated, "id"), get(&state, "id"));
            false
        } else {
            assert_eq!(planned.requires_replace, vec![vec!["triggers".to_string()]]);
            true
        }
    }

    #[test]
    fn schema_shape() {
        let s = schema();
        assert_eq!(s.version, 0);
        let a = &s.block.attributes;
        assert!(a["triggers"].optional && a["triggers"].force_new);
        assert_eq!(a["triggers"].ty, Type::map(Type::String));
        assert!(a["id"].computed && !a["id"].optional);
    }

    #[tokio::test]
    async fn create_gives_a_decimal_id() {
        let state = create(triggers(&[("a", Some("1"))])).await;
        let id = get(&state, "id");
        assert!(id.as_str().unwrap().parse::<u64>().is_ok());
        assert_eq!(get(&state, "triggers"), triggers(&[("a", Some("1"))]));
        let read = provider().read("null_resource", &state, &[]).await.unwrap();
        assert_eq!(read, Some((state, vec![])));
    }

    #[tokio::test]
    async fn triggers_that_keep() {
        // Upstream's acceptance tests of which trigger changes keep the resource.
        let empty = || triggers(&[]);
        let null_value = || triggers(&[("key", None)]);
        let value = || triggers(&[("key", Some("123"))]);
        assert!(!replaces(empty(), empty()).await);
        assert!(!replaces(empty(), null_value()).await);
        assert!(!replaces(null_triggers(), null_triggers()).await);
        assert!(!replaces(null_triggers(), null_value()).await);
        assert!(!replaces(null_value(), null_value()).await);
        assert!(!replaces(value(), value()).await);
        assert!(!replaces(null_triggers(), empty()).await);
    }

    #[tokio::test]
    async fn triggers_that_replace() {
        let value = |v: &str| triggers(&[("key", Some(v))]);
        assert!(replaces(triggers(&[]), value("123")).await);
        assert!(replaces(null_triggers(), value("123")).await);
        assert!(replaces(triggers(&[("key", None)]), value("123")).await);
        assert!(replaces(value("123"), triggers(&[])).await);
        assert!(replaces(value("123"), null_triggers()).await);
        assert!(replaces(value("123"), triggers(&[("key", None)])).await);
        assert!(replaces(value("123"), value("456")).await);
        let unknown = triggers(&[("key", Some("123"))]);
        let state = create(unknown).await;
        let planned = plan_change(
            &state,
            &config(Value::map(
                Type::String,
                BTreeMap::from([("key".to_string(), Value::Unknown(Type::String))]),
            )),
        )
        .await;
        assert_eq!(planned.requires_replace.len(), 1);
    }

    #[tokio::test]
    async fn destroy_and_upgrade() {
        let state = create(null_triggers()).await;
        let planned = plan_change(&state, &Value::Null(Type::Dynamic)).await;
        assert!(planned.planned_state.is_null());
        let gone = apply_change(&state, &planned.planned_state, &Value::Null(Type::Dynamic)).await;
        assert!(gone.is_null());

        let raw = serde_json::json!({"id": "42", "triggers": {"a": "b"}});
        let upgraded = provider()
            .upgrade_state("null_resource", 0, &raw)
            .await
            .unwrap();
        assert_eq!(get(&upgraded, "id"), Value::string("42"));
        assert_eq!(get(&upgraded, "triggers"), triggers(&[("a", Some("b"))]));
        assert!(provider()
            .upgrade_state("null_resource", 1, &raw)
            .await
            .is_err());
    }
}
