//! The `azurerm` provider: its provider block, and the dispatch of the engine's requests to the
//! resource types and data sources of [`crate::resources`] through the generic flow of
//! [`crate::framework`].

use crate::config;
use crate::connection::{connect, Connection};
use crate::framework::plan::plan_resource;
use crate::framework::{
    data_source_block, read_data_source, Ctx, DataSourceType, Features, ResourceType,
};
use crate::resources;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::json::state_value_from_json;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema, Schema,
};
use terrane_engine::value::Value;

/// A configured provider: its connection and features.
struct Configured {
    connection: Connection,
    features: Features,
}

/// The azurerm provider.
pub struct AzurermProvider {
    resources: BTreeMap<&'static str, Arc<dyn ResourceType>>,
    data_sources: BTreeMap<&'static str, Arc<dyn DataSourceType>>,
    configured: RwLock<Option<Arc<Configured>>>,
    /// Where the in-process simulator keeps its data (the working directory by default).
    working_dir: Option<PathBuf>,
}

impl AzurermProvider {
    pub fn new(working_dir: Option<PathBuf>) -> AzurermProvider {
        AzurermProvider {
            resources: resources::resource_types()
                .into_iter()
                .map(|r| (r.def().name, r))
                .collect(),
            data_sources: resources::data_source_types()
                .into_iter()
                .map(|d| (d.name(), d))
                .collect(),
            configured: RwLock::new(None),
            working_dir,
        }
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn ResourceType>, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unsupported resource type",
                format!("The azurerm provider has no resource type named {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&Arc<dyn DataSourceType>, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unsupported data source",
                format!("The azurerm provider has no data source named {type_name:?}."),
            )
            .into()
        })
    }

    fn configured(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.configured
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| {
                Diagnostic::error(
                    "Provider not configured",
                    "The azurerm provider was used before it was configured.",
                )
                .into()
            })
    }
}

/// Replaces whatever is still unknown in an applied object with null (attributes Azure did
/// not report).
pub(crate) fn without_unknowns(value: Value) -> Value {
    match value {
        Value::Unknown(ty) => Value::Null(ty),
        Value::Object(attrs) => Value::object(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), without_unknowns(v.clone())))
                .collect(),
        ),
        Value::List(ty, items) => {
            Value::list(ty, items.iter().cloned().map(without_unknowns).collect())
        }
        Value::Set(ty, items) => {
            Value::set(ty, items.iter().cloned().map(without_unknowns).collect())
        }
        Value::Map(ty, items) => Value::map(
            ty,
            items
                .iter()
                .map(|(k, v)| (k.clone(), without_unknowns(v.clone())))
                .collect(),
        ),
        other => other,
    }
}

#[async_trait::async_trait]
impl Provider for AzurermProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: config::provider_schema(),
            resources: self
                .resources
                .iter()
                .map(|(name, r)| (name.to_string(), r.def().schema()))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(name, d)| {
                    (
                        name.to_string(),
                        Schema {
                            version: 0,
                            block: data_source_block(d.as_ref()).to_engine(),
                        },
                    )
                })
                .collect(),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource(type_name) {
            Ok(r) => r.validate(&config.unmark_deep().0),
            Err(d) => d,
        }
    }

    async fn validate_data_source_config(&self, type_name: &str, _config: &Value) -> Diagnostics {
        self.data_source(type_name).err().unwrap_or_default()
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        let config = config.unmark_deep().0;
        let settings = match config::settings(&config, &config::process_env) {
            Ok(s) => s,
            Err(e) => return Diagnostic::error("Invalid provider configuration", e).into(),
        };
        let working_dir = self
            .working_dir
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        match connect(&settings.connection, &working_dir).await {
            Ok(connection) => {
                if let Ok(mut slot) = self.configured.write() {
                    *slot = Some(Arc::new(Configured {
                        connection,
                        features: settings.features,
                    }));
                }
                Diagnostics::new()
            }
            Err(e) => Diagnostic::error("Error building the AzureRM client", e).into(),
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        let resource = self.resource(type_name)?;
        let upgraded = resource
            .upgrade_state(version, raw_state.clone())
            .map_err(|e| {
                Diagnostics::from(Diagnostic::error("Unable to upgrade the resource state", e))
            })?;
        state_value_from_json(&upgraded, &resource.def().full_block().value_type()).map_err(|e| {
            Diagnostic::error(
                "Unable to read the resource state",
                format!("The stored state of {type_name} cannot be read: {e}"),
            )
            .into()
        })
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
        match self.resource(&request.type_name) {
            Ok(resource) => {
                let planned = plan_resource(
                    resource.as_ref(),
                    &request.prior_state.unmark_deep().0,
                    &request.config.unmark_deep().0,
                );
                response.planned_state = planned.state;
                response.requires_replace = planned.requires_replace;
                response.diagnostics = planned.diagnostics;
            }
            Err(d) => response.diagnostics = d,
        }
        response
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        let prior = request.prior_state.unmark_deep().0;
        let planned = request.planned_state.unmark_deep().0;
        let failed = |diagnostics: Diagnostics, state: Value| ApplyResponse {
            new_state: state,
            private: request.planned_private.clone(),
            diagnostics,
        };
        let resource = match self.resource(&request.type_name) {
            Ok(r) => r.clone(),
            Err(d) => return failed(d, prior),
        };
        let configured = match self.configured() {
            Ok(c) => c,
            Err(d) => return failed(d, prior),
        };
        let ctx = Ctx {
            client: &configured.connection.client,
            features: &configured.features,
        };
        let result = if planned.is_null() {
            resource
                .delete(&ctx, &prior)
                .await
                .map(|()| Value::Null(prior.ty()))
        } else if prior.is_null() {
            resource.create(&ctx, &planned).await
        } else if resource.def().timeouts.update.is_none() {
            Ok(planned.clone())
        } else {
            resource.update(&ctx, &prior, &planned).await
        };
        match result {
            Ok(state) => ApplyResponse {
                new_state: without_unknowns(state),
                private: request.planned_private,
                diagnostics: Diagnostics::new(),
            },
            Err(d) => failed(d, prior),
        }
    }

    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        let resource = self.resource(type_name)?;
        let configured = self.configured()?;
        let ctx = Ctx {
            client: &configured.connection.client,
            features: &configured.features,
        };
        Ok(resource
            .read(&ctx, &state.unmark_deep().0)
            .await?
            .map(|v| (without_unknowns(v), private.to_vec())))
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        let resource = self.resource(type_name)?;
        let configured = self.configured()?;
        let ctx = Ctx {
            client: &configured.connection.client,
            features: &configured.features,
        };
        let state = resource.import(&ctx, id)?;
        Ok(vec![ImportedObject {
            type_name: type_name.to_string(),
            state,
            private: Vec::new(),
        }])
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let data_source = self.data_source(type_name)?;
        let configured = self.configured()?;
        let ctx = Ctx {
            client: &configured.connection.client,
            features: &configured.features,
        };
        read_data_source(data_source.as_ref(), &ctx, &config.unmark_deep().0).await
    }
}
