//! Helpers for the provider's unit tests: building configurations of a resource type and
//! driving create, update and import through the `Provider` trait as the engine would.

use crate::resource::Attrs;
use std::collections::BTreeMap;
use terrane_engine::provider::{ApplyRequest, ApplyResponse, PlanRequest, PlanResponse};
use terrane_engine::value::{Type, Value};

/// The attribute types of a resource type.
fn attribute_types(type_name: &str) -> BTreeMap<String, (Type, bool)> {
    let schema = crate::provider().schema();
    schema.resources[type_name]
        .block
        .attributes
        .iter()
        .map(|(name, a)| (name.clone(), (a.ty.clone(), a.computed)))
        .collect()
}

/// A configuration object: the given attributes, every other one null.
pub fn config(type_name: &str, pairs: &[(&str, Value)]) -> Value {
    let mut attrs: Attrs = attribute_types(type_name)
        .into_iter()
        .map(|(name, (ty, _))| (name, Value::Null(ty)))
        .collect();
    for (name, value) in pairs {
        assert!(
            attrs.contains_key(*name),
            "{type_name} has no attribute {name}"
        );
        attrs.insert(name.to_string(), value.clone());
    }
    Value::object(attrs)
}

/// Terraform's proposed new state: the configuration, with computed attributes it leaves
/// null taken from the prior state.
pub fn proposed(type_name: &str, prior: &Value, config: &Value) -> Value {
    let types = attribute_types(type_name);
    let (Some(prior), Some(config)) = (prior.as_mapping(), config.as_mapping()) else {
        return config.clone();
    };
    Value::object(
        config
            .iter()
            .map(|(name, value)| {
                let computed = types.get(name).is_some_and(|(_, computed)| *computed);
                if computed && value.is_null() {
                    (name.clone(), prior[name].clone())
                } else {
                    (name.clone(), value.clone())
                }
            })
            .collect(),
    )
}

/// Plans a change of an object from `prior` (null to create) to `config`.
pub async fn plan(type_name: &str, prior: &Value, config: &Value) -> PlanResponse {
    crate::provider()
        .plan_change(PlanRequest {
            type_name: type_name.to_string(),
            prior_state: prior.clone(),
            proposed_new_state: proposed(type_name, prior, config),
            config: config.clone(),
            prior_private: Vec::new(),
        })
        .await
}

/// Applies a planned change, whatever the outcome.
pub async fn try_apply(
    type_name: &str,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> ApplyResponse {
    crate::provider()
        .apply_change(ApplyRequest {
            type_name: type_name.to_string(),
            prior_state: prior.clone(),
            planned_state: planned.clone(),
            config: config.clone(),
            planned_private: Vec::new(),
        })
        .await
}

/// Applies a planned change that must succeed.
pub async fn apply(type_name: &str, prior: &Value, planned: &Value, config: &Value) -> Value {
    let response = try_apply(type_name, prior, planned, config).await;
    assert!(
        !response.diagnostics.has_errors(),
        "{:?}",
        response.diagnostics
    );
    response.new_state
}

/// Plans and applies the creation of an object from its configuration.
pub async fn create(type_name: &str, pairs: &[(&str, Value)]) -> Value {
    let config = config(type_name, pairs);
    let null = Value::Null(Type::Dynamic);
    let planned = plan(type_name, &null, &config).await;
    assert!(
        !planned.diagnostics.has_errors(),
        "{:?}",
        planned.diagnostics
    );
    let state = apply(type_name, &null, &planned.planned_state, &config).await;
    assert!(state.is_wholly_known());
    state
}

/// An attribute of an object.
pub fn attr(object: &Value, name: &str) -> Value {
    object.as_mapping().expect("an object")[name].clone()
}

/// A string attribute of an object.
pub fn str_attr(object: &Value, name: &str) -> String {
    attr(object, name)
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a known string"))
        .to_string()
}

/// A `map(string)` value.
pub fn string_map(pairs: &[(&str, &str)]) -> Value {
    Value::map(
        Type::String,
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::string(*v)))
            .collect(),
    )
}

/// The attribute paths a plan replaces, as attribute names.
pub fn replaced(response: &PlanResponse) -> Vec<String> {
    response
        .requires_replace
        .iter()
        .map(|path| path.join("."))
        .collect()
}
