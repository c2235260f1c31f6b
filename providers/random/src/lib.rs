//! The native `random` provider: HashiCorp's `random` provider (current releases) as a
//! terrane provider. Its resources produce random values at create time and keep them in
//! the state until a `keepers` entry or an argument changes and replaces them.
//!
//! Randomness comes from the operating system (`OsRng`), like upstream's `crypto/rand`;
//! `seed` arguments reproduce upstream's Go `math/rand` sequences exactly (see `gorand`).

mod bytes;
mod charset;
mod gorand;
mod id;
mod integer;
mod pet;
mod resource;
mod shuffle;
mod string;
mod uuid;

use resource::ResourceType;
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::diag::Diagnostics;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema,
};
use terrane_engine::value::Value;

/// The provider's registry address.
pub const ADDRESS: &str = "registry.terraform.io/hashicorp/random";

/// The upstream release whose behaviour the provider follows: 3.9.0 has every managed
/// resource type here (random_uuid4 and random_uuid7 arrived in 3.8.0) and counts
/// `override_special` in characters, not bytes. Its ephemeral resources are not implemented.
pub const VERSION: &str = "3.9.0";

/// A new instance of the provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(RandomProvider)
}

struct RandomProvider;

/// The provider's resource types by name.
fn resource_types() -> Vec<(&'static str, Box<dyn ResourceType>)> {
    vec![
        ("random_bytes", Box::new(bytes::Bytes)),
        ("random_id", Box::new(id::Id)),
        ("random_integer", Box::new(integer::Integer)),
        ("random_password", Box::new(string::RandomString::PASSWORD)),
        ("random_pet", Box::new(pet::Pet)),
        ("random_shuffle", Box::new(shuffle::Shuffle)),
        ("random_string", Box::new(string::RandomString::STRING)),
        ("random_uuid", Box::new(uuid::Uuid::Legacy)),
        ("random_uuid4", Box::new(uuid::Uuid::V4)),
        ("random_uuid7", Box::new(uuid::Uuid::V7)),
    ]
}

fn resource_type(name: &str) -> Result<Box<dyn ResourceType>, Diagnostics> {
    resource_types()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, r)| r)
        .ok_or_else(|| {
            resource::error(
                "Unknown Resource Type",
                &format!("The random provider has no resource type named {name:?}."),
            )
        })
}

#[async_trait::async_trait]
impl Provider for RandomProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: Default::default(),
            resources: resource_types()
                .into_iter()
                .map(|(name, r)| (name.to_string(), r.definition().schema()))
                .collect(),
            data_sources: BTreeMap::new(),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match resource_type(type_name) {
            Ok(r) => {
                let (config, _) = config.unmark_deep();
                let config = config.as_mapping().cloned().unwrap_or_default();
                let mut diags = resource::check_whole_numbers(&r.definition(), &config);
                diags.extend(r.validate(&config));
                diags
            }
            Err(diags) => diags,
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        resource::upgrade_state(resource_type(type_name)?.as_ref(), version, raw_state)
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        match resource_type(&request.type_name) {
            Ok(r) => resource::plan(r.as_ref(), &request),
            Err(diagnostics) => PlanResponse {
                planned_state: request.proposed_new_state,
                requires_replace: Vec::new(),
                planned_private: Vec::new(),
                diagnostics,
            },
        }
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        match resource_type(&request.type_name) {
            Ok(r) => resource::apply(r.as_ref(), &request),
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
        resource_type(type_name)?;
        Ok(Some((state.clone(), private.to_vec())))
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        let r = resource_type(type_name)?;
        let state = r.definition().complete(r.import(id)?);
        Ok(vec![ImportedObject {
            type_name: type_name.to_string(),
            state,
            private: Vec::new(),
        }])
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        _config: &Value,
    ) -> Result<Value, Diagnostics> {
        Err(resource::error(
            "Unknown Data Source",
            &format!("The random provider has no data source named {type_name:?}."),
        ))
    }
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address() {
        assert_eq!(ADDRESS, "registry.terraform.io/hashicorp/random");
    }

    #[test]
    fn resource_types_and_versions() {
        let schema = provider().schema();
        let versions: Vec<(&str, u64)> = schema
            .resources
            .iter()
            .map(|(name, s)| (name.as_str(), s.version))
            .collect();
        assert_eq!(
            versions,
            vec![
                ("random_bytes", 0),
                ("random_id", 0),
                ("random_integer", 0),
                ("random_password", 3),
                ("random_pet", 0),
                ("random_shuffle", 0),
                ("random_string", 2),
                ("random_uuid", 0),
                ("random_uuid4", 0),
                ("random_uuid7", 0),
            ]
        );
        assert!(schema.data_sources.is_empty());
        assert!(schema.provider.block.attributes.is_empty());
    }

    #[tokio::test]
    async fn unknown_types_are_errors() {
        let p = provider();
        assert!(p.import("random_nothing", "x").await.is_err());
        assert!(p
            .read_data_source("random_x", &Value::empty_object())
            .await
            .is_err());
    }
}
