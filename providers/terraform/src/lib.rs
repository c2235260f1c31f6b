//! The built-in `terraform` provider: the `terraform_data` resource and the
//! `terraform_remote_state` data source, behaving like the ones built into Terraform.

mod data_store;
mod remote_state;

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::json::value_from_json;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, Block, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema, Schema,
};
use terrane_engine::value::{Type, Value};

/// The provider's address.
pub const ADDRESS: &str = "terraform.io/builtin/terraform";

/// A new instance of the provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(TerraformProvider)
}

struct TerraformProvider;

fn unknown_resource(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Unsupported resource type",
        format!("The terraform provider has no resource type named {type_name:?}."),
    )
    .into()
}

fn unknown_data_source(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Unsupported data source",
        format!("The terraform provider has no data source named {type_name:?}."),
    )
    .into()
}

/// One attribute of an object, without marks; null when absent.
pub(crate) fn get(object: &Value, name: &str) -> Value {
    object
        .unmark()
        .0
        .as_mapping()
        .and_then(|m| m.get(name))
        .map(|v| v.unmark_deep().0)
        .unwrap_or(Value::Null(Type::Dynamic))
}

/// The value of one attribute stored in state as Terraform writes it: attributes of the
/// dynamic type are stored as `{"value": ..., "type": ...}`.
pub(crate) fn value_from_state_json(json: &serde_json::Value, ty: &Type) -> Result<Value, String> {
    if *ty != Type::Dynamic || json.is_null() {
        return value_from_json(json, ty);
    }
    let (Some(value), Some(type_json)) = (json.get("value"), json.get("type")) else {
        return Err(format!(
            "a value of dynamic type must be stored with its \"value\" and \"type\", not as {json}"
        ));
    };
    let actual = Type::from_json(type_json).ok_or_else(|| format!("invalid type {type_json}"))?;
    value_from_json(value, &actual)
}

/// Decodes a stored object of `block` from its state JSON (absent attributes are null).
pub(crate) fn decode_state(block: &Block, raw: &serde_json::Value) -> Result<Value, Diagnostics> {
    let fail = |why: String| Diagnostics::from(Diagnostic::error("Invalid stored state", why));
    let object = raw
        .as_object()
        .ok_or_else(|| fail("the stored state is not a JSON object".into()))?;
    let mut out = BTreeMap::new();
    for (name, attribute) in &block.attributes {
        let json = object.get(name).unwrap_or(&serde_json::Value::Null);
        let value = value_from_state_json(json, &attribute.ty)
            .map_err(|e| fail(format!("attribute {name:?}: {e}")))?;
        out.insert(name.clone(), value);
    }
    Ok(Value::object(out))
}

#[async_trait::async_trait]
impl Provider for TerraformProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: Schema::default(),
            resources: [("terraform_data".to_string(), data_store::schema())].into(),
            data_sources: [("terraform_remote_state".to_string(), remote_state::schema())].into(),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match type_name {
            "terraform_data" => data_store::validate(config),
            other => unknown_resource(other),
        }
    }

    async fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match type_name {
            "terraform_remote_state" => remote_state::validate(&config.unmark_deep().0),
            other => unknown_data_source(other),
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        _version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        match type_name {
            "terraform_data" => decode_state(&data_store::schema().block, raw_state),
            other => Err(unknown_resource(other)),
        }
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        if request.type_name != "terraform_data" {
            return PlanResponse {
                planned_state: request.proposed_new_state,
                requires_replace: Vec::new(),
                planned_private: request.prior_private,
                diagnostics: unknown_resource(&request.type_name),
            };
        }
        let prior = request.prior_state.unmark_deep().0;
        let proposed = request.proposed_new_state.unmark_deep().0;
        let (planned_state, requires_replace) = data_store::plan(&prior, &proposed);
        PlanResponse {
            planned_state,
            requires_replace,
            planned_private: request.prior_private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        let (new_state, diagnostics) = if request.type_name == "terraform_data" {
            (
                data_store::apply(&request.planned_state.unmark_deep().0),
                Diagnostics::new(),
            )
        } else {
            (
                request.prior_state.clone(),
                unknown_resource(&request.type_name),
            )
        };
        ApplyResponse {
            new_state,
            private: request.planned_private,
            diagnostics,
        }
    }

    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        match type_name {
            "terraform_data" => Ok(Some((state.clone(), private.to_vec()))),
            other => Err(unknown_resource(other)),
        }
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        match type_name {
            "terraform_data" => Ok(vec![ImportedObject {
                type_name: type_name.to_string(),
                state: data_store::import(id),
                private: Vec::new(),
            }]),
            other => Err(unknown_resource(other)),
        }
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        match type_name {
            "terraform_remote_state" => remote_state::read(&config.unmark_deep().0),
            other => Err(unknown_data_source(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_and_types() {
        assert_eq!(ADDRESS, "terraform.io/builtin/terraform");
        let s = provider().schema();
        assert_eq!(s.resources.keys().collect::<Vec<_>>(), ["terraform_data"]);
        assert_eq!(
            s.data_sources.keys().collect::<Vec<_>>(),
            ["terraform_remote_state"]
        );
    }

    #[test]
    fn dynamic_values_in_state() {
        let j = serde_json::json!({"value": {"a": [1, "x"]}, "type": ["object", {"a": ["tuple", ["number", "string"]]}]});
        let v = value_from_state_json(&j, &Type::Dynamic).unwrap();
        assert_eq!(
            v.ty(),
            Type::object(
                [(
                    "a".to_string(),
                    Type::tuple(vec![Type::Number, Type::String])
                )]
                .into()
            )
        );
        assert!(
            value_from_state_json(&serde_json::Value::Null, &Type::Dynamic)
                .unwrap()
                .is_null()
        );
        assert!(value_from_state_json(&serde_json::json!("bare"), &Type::Dynamic).is_err());
    }

    #[tokio::test]
    async fn unknown_types_are_errors() {
        let p = provider();
        assert!(p.import("terraform_nope", "x").await.is_err());
        assert!(p
            .read_data_source("terraform_nope", &Value::empty_object())
            .await
            .is_err());
    }
}
