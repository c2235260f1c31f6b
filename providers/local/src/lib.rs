//! The native `local` provider: the `local_file` and `local_sensitive_file` resources and
//! data sources, behaving like the upstream hashicorp/local provider. Relative file names
//! are resolved against the process's working directory (Terraform runs providers in the
//! root module's directory).

mod data;
mod file;

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema, Schema,
};
use terrane_engine::value::Value;

/// The provider's address.
pub const ADDRESS: &str = "registry.terraform.io/hashicorp/local";

/// The upstream release whose behaviour the provider follows: 2.5.3, the last before the
/// `local_command` data source, action and ephemeral resource (2.6.0 and later). Its
/// provider-defined function `direxists` is not implemented.
pub const VERSION: &str = "2.5.3";

/// A new instance of the provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(LocalProvider)
}

struct LocalProvider;

/// The resource kinds this provider manages.
fn resource_kind(type_name: &str) -> Result<file::FileKind, Diagnostics> {
    match type_name {
        "local_file" => Ok(file::FileKind::Plain),
        "local_sensitive_file" => Ok(file::FileKind::Sensitive),
        other => Err(Diagnostic::error(
            "Resource Type Not Found",
            format!("The local provider has no resource type named {other:?}."),
        )
        .into()),
    }
}

fn data_kind(type_name: &str) -> Result<file::FileKind, Diagnostics> {
    match type_name {
        "local_file" => Ok(file::FileKind::Plain),
        "local_sensitive_file" => Ok(file::FileKind::Sensitive),
        other => Err(Diagnostic::error(
            "Data Source Type Not Found",
            format!("The local provider has no data source named {other:?}."),
        )
        .into()),
    }
}

#[async_trait::async_trait]
impl Provider for LocalProvider {
    fn schema(&self) -> ProviderSchema {
        let kinds = [
            ("local_file", file::FileKind::Plain),
            ("local_sensitive_file", file::FileKind::Sensitive),
        ];
        ProviderSchema {
            provider: Schema::default(),
            resources: kinds
                .iter()
                .map(|(name, kind)| (name.to_string(), file::schema(*kind)))
                .collect(),
            data_sources: kinds
                .iter()
                .map(|(name, kind)| (name.to_string(), data::schema(*kind)))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match resource_kind(type_name) {
            Ok(kind) => file::validate(kind, &config.unmark_deep().0),
            Err(d) => d,
        }
    }

    async fn validate_data_source_config(&self, type_name: &str, _config: &Value) -> Diagnostics {
        match data_kind(type_name) {
            Ok(_) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        let schema = file::schema(resource_kind(type_name)?);
        if version != schema.version {
            return Err(Diagnostic::error(
                "Unable to Upgrade Resource State",
                format!(
                    "The {type_name} resource has schema version {} and no upgrade from version {version}.",
                    schema.version
                ),
            )
            .into());
        }
        framework::decode_state(&schema.block, raw_state)
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        let proposed = request.proposed_new_state.unmark_deep().0;
        let mut response = PlanResponse {
            planned_state: proposed.clone(),
            requires_replace: Vec::new(),
            planned_private: request.prior_private.clone(),
            diagnostics: Diagnostics::new(),
        };
        if proposed.is_null() {
            return response;
        }
        match resource_kind(&request.type_name) {
            Ok(kind) => {
                let (planned, replace) = file::plan(
                    kind,
                    &request.prior_state.unmark_deep().0,
                    &proposed,
                    &request.config.unmark_deep().0,
                );
                response.planned_state = planned;
                response.requires_replace = replace;
            }
            Err(d) => response.diagnostics = d,
        }
        response
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        let prior = request.prior_state.unmark_deep().0;
        let planned = request.planned_state.unmark_deep().0;
        let result =
            resource_kind(&request.type_name).and_then(|kind| file::apply(kind, &prior, &planned));
        match result {
            Ok(new_state) => ApplyResponse {
                new_state,
                private: request.planned_private,
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => ApplyResponse {
                new_state: prior,
                private: request.planned_private,
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
        let kind = resource_kind(type_name)?;
        let refreshed = file::read(kind, &state.unmark_deep().0)?;
        Ok(refreshed.map(|s| (s, private.to_vec())))
    }

    async fn import(&self, type_name: &str, _id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        resource_kind(type_name)?;
        Err(Diagnostic::error(
            "Resource Import Not Implemented",
            format!("The {type_name} resource does not support import."),
        )
        .into())
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let kind = data_kind(type_name)?;
        data::read(kind, &config.unmark_deep().0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_and_types() {
        assert_eq!(ADDRESS, "registry.terraform.io/hashicorp/local");
        let s = provider().schema();
        let names = ["local_file", "local_sensitive_file"];
        assert_eq!(s.resources.keys().collect::<Vec<_>>(), names);
        assert_eq!(s.data_sources.keys().collect::<Vec<_>>(), names);
        assert!(s.resources.values().all(|r| r.version == 0));
    }

    #[tokio::test]
    async fn import_is_not_supported() {
        let p = provider();
        let e = p.import("local_file", "x").await.unwrap_err();
        assert_eq!(e.0[0].summary, "Resource Import Not Implemented");
        assert!(p.import("local_nope", "x").await.is_err());
    }

    #[tokio::test]
    async fn upgrade_state_reads_version_zero() {
        let p = provider();
        let raw = serde_json::json!({
            "filename": "a.txt", "content": "hi", "file_permission": "0777",
            "directory_permission": "0777", "id": "c22b5f9178342609428d6f51b2c5af4c0bde6a42",
            "sensitive_content": null, "content_base64": null, "source": null
        });
        let v = p.upgrade_state("local_file", 0, &raw).await.unwrap();
        assert_eq!(framework::get(&v, "content"), Value::string("hi"));
        assert!(framework::get(&v, "content_md5").is_null());
        assert_eq!(v.as_mapping().unwrap().len(), 14);
        assert!(p.upgrade_state("local_file", 1, &raw).await.is_err());
    }
}
