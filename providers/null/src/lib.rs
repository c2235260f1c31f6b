//! The native `null` provider: HashiCorp's `null` provider (current releases) as a terrane
//! provider. `null_resource` does nothing but exist, replaced whenever its `triggers`
//! change; the deprecated `null_data_source` copies its inputs to its outputs.

mod data_source;
mod resource;

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema,
};
use terrane_engine::value::Value;

/// The provider's registry address.
pub const ADDRESS: &str = "registry.terraform.io/hashicorp/null";

/// The upstream release whose behaviour the provider follows (the latest; the schemas have
/// not changed since 3.0.0).
pub const VERSION: &str = "3.3.1";

/// A new instance of the provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(NullProvider)
}

struct NullProvider;

const RESOURCE: &str = "null_resource";
const DATA_SOURCE: &str = "null_data_source";

fn error(summary: &str, detail: &str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    diags.push(Diagnostic::error(summary, detail));
    diags
}

fn check_resource_type(type_name: &str) -> Result<(), Diagnostics> {
    if type_name == RESOURCE {
        Ok(())
    } else {
        Err(error(
            "Unknown Resource Type",
            &format!("The null provider has no resource type named {type_name:?}."),
        ))
    }
}

/// A random non-negative 63-bit number in decimal, as Go's `rand.Int()` gives upstream.
fn random_decimal() -> String {
    use rand::Rng;
    (rand::rngs::OsRng.gen::<u64>() >> 1).to_string()
}

#[async_trait::async_trait]
impl Provider for NullProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: Default::default(),
            resources: BTreeMap::from([(RESOURCE.to_string(), resource::schema())]),
            data_sources: BTreeMap::from([(DATA_SOURCE.to_string(), data_source::schema())]),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, _config: &Value) -> Diagnostics {
        match check_resource_type(type_name) {
            Ok(()) => Diagnostics::new(),
            Err(diags) => diags,
        }
    }

    async fn validate_data_source_config(&self, type_name: &str, _config: &Value) -> Diagnostics {
        if type_name == DATA_SOURCE {
            data_source::validate()
        } else {
            error(
                "Unknown Data Source",
                &format!("The null provider has no data source named {type_name:?}."),
            )
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        check_resource_type(type_name)?;
        resource::upgrade_state(version, raw_state)
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        match check_resource_type(&request.type_name) {
            Ok(()) => resource::plan(&request),
            Err(diagnostics) => PlanResponse {
                planned_state: request.proposed_new_state,
                requires_replace: Vec::new(),
                planned_private: Vec::new(),
                diagnostics,
            },
        }
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        match check_resource_type(&request.type_name) {
            Ok(()) => resource::apply(&request),
            Err(diagnostics) => ApplyResponse {
                new_state: request.prior_state,
                private: Vec::new(),
                diagnostics,
            },
        }
    }

    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        check_resource_type(type_name)?;
        Ok(Some((state.clone(), private.to_vec())))
    }

    async fn import(&self, type_name: &str, _id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        check_resource_type(type_name)?;
        Err(error(
            "Resource Import Not Implemented",
            "null_resource cannot be imported.",
        ))
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        if type_name != DATA_SOURCE {
            return Err(error(
                "Unknown Data Source",
                &format!("The null provider has no data source named {type_name:?}."),
            ));
        }
        Ok(data_source::read(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_and_schema() {
        assert_eq!(ADDRESS, "registry.terraform.io/hashicorp/null");
        let schema = provider().schema();
        assert_eq!(schema.resources.keys().collect::<Vec<_>>(), [RESOURCE]);
        assert_eq!(
            schema.data_sources.keys().collect::<Vec<_>>(),
            [DATA_SOURCE]
        );
        assert!(schema.provider.block.attributes.is_empty());
    }

    #[test]
    fn random_decimals() {
        for _ in 0..50 {
            let text = random_decimal();
            assert!(text.parse::<i64>().unwrap() >= 0);
        }
    }

    #[tokio::test]
    async fn unknown_types_and_import() {
        let p = provider();
        assert!(p.import(RESOURCE, "123").await.is_err());
        assert!(p.import("null_other", "123").await.is_err());
        assert!(p
            .read_data_source("null_other", &Value::empty_object())
            .await
            .is_err());
        assert!(p
            .validate_resource_config("null_other", &Value::empty_object())
            .await
            .has_errors());
    }
}
