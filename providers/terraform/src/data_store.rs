//! `terraform_data`: stores `input` and reflects it as `output` after apply; a change of
//! `input` updates in place (with `output` unknown until applied), a change of
//! `triggers_replace` replaces the resource. Its `id` is a random UUID.

use crate::get;
use rand::RngCore as _;
use std::collections::BTreeMap;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::{Attribute, AttributePath, Block, Schema};
use terrane_engine::value::{Type, Value};

pub fn schema() -> Schema {
    let mut block = Block {
        description: "Stores a value, and replaces itself when its triggers change.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    attrs.insert(
        "id".into(),
        Attribute::computed(Type::String).describe("A random UUID."),
    );
    attrs.insert(
        "input".into(),
        Attribute::optional(Type::Dynamic).describe("A value to store; `output` reflects it."),
    );
    attrs.insert(
        "output".into(),
        Attribute::computed(Type::Dynamic).describe("The `input` value, once applied."),
    );
    attrs.insert(
        "triggers_replace".into(),
        Attribute::optional(Type::Dynamic)
            .force_new()
            .describe("A value whose change replaces the resource."),
    );
    Schema { version: 0, block }
}

pub fn validate(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if config.is_null() {
        return diagnostics;
    }
    for name in ["id", "output"] {
        if !get(config, name).is_null() {
            diagnostics.push(Diagnostic::error(
                format!("{name:?} attribute is read-only"),
                "",
            ));
        }
    }
    diagnostics
}

/// The planned `output` of a new object: unknown of the input's type, or the null input.
fn pending_output(input: &Value) -> Value {
    if input.is_null() {
        input.clone()
    } else {
        Value::Unknown(input.ty())
    }
}

pub fn plan(prior: &Value, proposed: &Value) -> (Value, Vec<AttributePath>) {
    if proposed.is_null() {
        return (proposed.clone(), Vec::new());
    }
    let mut planned: BTreeMap<String, Value> = proposed.as_mapping().cloned().unwrap_or_default();
    let input = get(proposed, "input");
    let mut replace = Vec::new();
    if prior.is_null() {
        planned.insert("id".into(), Value::Unknown(Type::String));
        planned.insert("output".into(), pending_output(&input));
    } else if !same(
        &get(prior, "triggers_replace"),
        &get(proposed, "triggers_replace"),
    ) {
        replace.push(vec!["triggers_replace".to_string()]);
        planned.insert("id".into(), Value::Unknown(Type::String));
        planned.insert("output".into(), pending_output(&input));
    } else if !same(&get(prior, "input"), &input) {
        planned.insert("output".into(), Value::Unknown(input.ty()));
    }
    (Value::object(planned), replace)
}

/// Whether two values are identical (types included), as cty's `RawEquals` compares them;
/// nulls are alike whatever type they carry.
fn same(a: &Value, b: &Value) -> bool {
    if a.is_null() && b.is_null() {
        return true;
    }
    a.is_wholly_known() && b.is_wholly_known() && a.ty() == b.ty() && a.equals(b) == Some(true)
}

/// A random identifier formatted as a UUID (16 random bytes, as Terraform's UUID library
/// makes them).
fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let h: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn apply(planned: &Value) -> Value {
    if planned.is_null() {
        return planned.clone();
    }
    let mut state: BTreeMap<String, Value> = planned.as_mapping().cloned().unwrap_or_default();
    if !get(planned, "output").is_known() {
        state.insert("output".into(), get(planned, "input"));
    }
    if !get(planned, "id").is_known() {
        state.insert("id".into(), Value::string(random_uuid()));
    }
    Value::object(state)
}

pub fn import(id: &str) -> Value {
    let mut state: BTreeMap<String, Value> = schema()
        .block
        .attributes
        .iter()
        .map(|(name, a)| (name.clone(), Value::Null(a.ty.clone())))
        .collect();
    state.insert("id".into(), Value::string(id));
    Value::object(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider;
    use terrane_engine::provider::{ApplyRequest, PlanRequest};

    const T: &str = "terraform_data";

    fn object(set: &[(&str, Value)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = schema()
            .block
            .attributes
            .keys()
            .map(|k| (k.clone(), Value::Null(Type::Dynamic)))
            .collect();
        attrs.insert("id".into(), Value::Null(Type::String));
        for (k, v) in set {
            attrs.insert(k.to_string(), v.clone());
        }
        Value::object(attrs)
    }

    async fn plan_change(prior: &Value, proposed: &Value) -> (Value, Vec<AttributePath>) {
        let r = provider()
            .plan_change(PlanRequest {
                type_name: T.into(),
                prior_state: prior.clone(),
                proposed_new_state: proposed.clone(),
                config: proposed.clone(),
                prior_private: Vec::new(),
            })
            .await;
        assert!(r.diagnostics.is_empty());
        (r.planned_state, r.requires_replace)
    }

    async fn apply_change(prior: &Value, planned: &Value) -> Value {
        let r = provider()
            .apply_change(ApplyRequest {
                type_name: T.into(),
                prior_state: prior.clone(),
                planned_state: planned.clone(),
                config: planned.clone(),
                planned_private: Vec::new(),
            })
            .await;
        assert!(r.diagnostics.is_empty());
        r.new_state
    }

    /// The proposed new state: configuration plus the prior computed values.
    fn proposed(prior: &Value, config: &Value) -> Value {
        let mut attrs = config.as_mapping().cloned().unwrap();
        attrs.insert("id".into(), get(prior, "id"));
        attrs.insert("output".into(), get(prior, "output"));
        Value::object(attrs)
    }

    #[test]
    fn schema_shape() {
        let a = schema().block.attributes;
        assert_eq!(a.len(), 4);
        assert_eq!(a["input"].ty, Type::Dynamic);
        assert!(a["input"].optional && !a["input"].computed);
        assert!(a["output"].computed && !a["output"].optional);
        assert!(a["triggers_replace"].optional && a["triggers_replace"].force_new);
        assert_eq!(a["id"].ty, Type::String);
    }

    #[test]
    fn ids_are_random_uuids() {
        let a = random_uuid();
        assert_eq!(a.len(), 36);
        assert_eq!(
            a.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, random_uuid());
    }

    #[tokio::test]
    async fn create_update_and_replace() {
        let null = Value::Null(Type::Dynamic);
        let config = object(&[("input", "hello".into())]);
        let (planned, replace) = plan_change(&null, &config).await;
        assert!(replace.is_empty());
        assert_eq!(get(&planned, "output"), Value::Unknown(Type::String));
        assert_eq!(get(&planned, "id"), Value::Unknown(Type::String));
        let state = apply_change(&null, &planned).await;
        assert_eq!(get(&state, "output"), Value::string("hello"));
        assert!(get(&state, "id").as_str().is_some_and(|s| s.len() == 36));

        let (same, replace) = plan_change(&state, &proposed(&state, &config)).await;
        assert!(replace.is_empty());
        assert_eq!(same, state);

        let changed = object(&[("input", Value::int(5))]);
        let (planned, replace) = plan_change(&state, &proposed(&state, &changed)).await;
        assert!(replace.is_empty());
        assert_eq!(get(&planned, "output"), Value::Unknown(Type::Number));
        assert_eq!(get(&planned, "id"), get(&state, "id"));
        let updated = apply_change(&state, &planned).await;
        assert_eq!(get(&updated, "output"), Value::int(5));
        assert_eq!(get(&updated, "id"), get(&state, "id"));

        let triggered = object(&[("input", Value::int(5)), ("triggers_replace", "x".into())]);
        let (planned, replace) = plan_change(&updated, &proposed(&updated, &triggered)).await;
        assert_eq!(replace, vec![vec!["triggers_replace".to_string()]]);
        assert_eq!(get(&planned, "id"), Value::Unknown(Type::String));
    }

    #[tokio::test]
    async fn null_input_keeps_a_null_output() {
        let null = Value::Null(Type::Dynamic);
        let (planned, _) = plan_change(&null, &object(&[])).await;
        assert!(get(&planned, "output").is_null());
        let state = apply_change(&null, &planned).await;
        assert!(get(&state, "output").is_null());
        assert!(state.is_wholly_known());
    }

    #[tokio::test]
    async fn validation_import_read_and_upgrade() {
        let p = provider();
        let d = p
            .validate_resource_config(T, &object(&[("output", "x".into())]))
            .await;
        assert_eq!(d.0[0].summary, "\"output\" attribute is read-only");
        assert!(p.validate_resource_config(T, &object(&[])).await.is_empty());

        let imported = p.import(T, "abc").await.unwrap();
        assert_eq!(get(&imported[0].state, "id"), Value::string("abc"));
        assert!(get(&imported[0].state, "input").is_null());

        let (read, _) = p.read(T, &imported[0].state, &[]).await.unwrap().unwrap();
        assert_eq!(read, imported[0].state);

        let raw = serde_json::json!({
            "id": "0c6e4e4b-6a9c-5e8e-2e7b-1f3c1b2a9d00",
            "input": {"value": ["a", 1], "type": ["tuple", ["string", "number"]]},
            "output": {"value": ["a", 1], "type": ["tuple", ["string", "number"]]},
            "triggers_replace": null
        });
        let v = p.upgrade_state(T, 0, &raw).await.unwrap();
        assert_eq!(
            get(&v, "output"),
            Value::tuple(vec!["a".into(), Value::int(1)])
        );
        assert!(get(&v, "triggers_replace").is_null());
    }
}
