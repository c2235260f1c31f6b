//! The native `tls` provider, matching hashicorp/terraform-provider-tls: private keys,
//! self-signed and locally signed certificates, certificate requests, and the
//! `tls_public_key` and `tls_certificate` data sources.

mod certificates;
mod data_sources;
mod gocompat;
mod keys;
mod plan_rules;
mod private_key;
mod schema;
mod values;
mod x509;

use chrono::{DateTime, FixedOffset};
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema,
};
use terrane_engine::value::Value;

/// The provider's registry address.
pub const ADDRESS: &str = "registry.terraform.io/hashicorp/tls";

/// The upstream release whose behaviour the provider follows: 4.2.1 (`email_address` from
/// 4.1.0, `max_path_length` from 4.2.0, without the default that 4.2.1 removed). Its ephemeral
/// resources are not implemented.
pub const VERSION: &str = "4.2.1";

/// A new instance of the provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(TlsProvider {
        clock: || chrono::Local::now().fixed_offset(),
    })
}

/// The provider; `clock` tells the current time (Go's `time.Now()`, in the local zone).
struct TlsProvider {
    clock: fn() -> DateTime<FixedOffset>,
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("The tls provider has no {kind} type {type_name:?}."),
    )
    .into()
}

/// The value without sensitive marks (the engine tracks sensitivity itself).
fn unmarked(value: &Value) -> Value {
    value.unmark_deep().0
}

fn unmarked_plan(request: PlanRequest) -> PlanRequest {
    PlanRequest {
        prior_state: unmarked(&request.prior_state),
        proposed_new_state: unmarked(&request.proposed_new_state),
        config: unmarked(&request.config),
        ..request
    }
}

fn unmarked_apply(request: ApplyRequest) -> ApplyRequest {
    ApplyRequest {
        prior_state: unmarked(&request.prior_state),
        planned_state: unmarked(&request.planned_state),
        config: unmarked(&request.config),
        ..request
    }
}

/// Checks the `proxy` block of the provider configuration as upstream's validators do.
fn validate_proxy(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    framework::size_between(config, "proxy", 0, 1, &mut diags);
    let Some(proxies) = values::attr(config, "proxy").and_then(Value::as_seq) else {
        return diags;
    };
    for proxy in proxies {
        if let Some(url) = values::get_str(proxy, "url") {
            data_sources::check_url(url, &["http", "https", "socks5"], &mut diags);
        }
        framework::conflicts_with(proxy, "url", &["from_env"], &mut diags);
        framework::conflicts_with(
            proxy,
            "from_env",
            &["url", "username", "password"],
            &mut diags,
        );
        for (name, needs) in [("username", "url"), ("password", "username")] {
            if !values::is_null(proxy, name) && values::is_null(proxy, needs) {
                diags.push(Diagnostic::error(
                    "Invalid Attribute Combination",
                    format!(
                        "Attribute {} must be specified when {} is specified",
                        framework::go_quote(&format!("proxy[0].{needs}")),
                        framework::go_quote(&format!("proxy[0].{name}"))
                    ),
                ));
            }
        }
    }
    diags
}

#[async_trait::async_trait]
impl Provider for TlsProvider {
    fn schema(&self) -> ProviderSchema {
        schema::provider_schema()
    }

    async fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        validate_proxy(&unmarked(config))
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let config = unmarked(config);
        match type_name {
            schema::PRIVATE_KEY => private_key::validate(&config),
            t if certificates::TYPES.contains(&t) => certificates::validate(t, &config),
            other => unknown_type("resource", other),
        }
    }

    async fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        data_sources::validate(type_name, &unmarked(config))
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        match type_name {
            schema::PRIVATE_KEY => private_key::upgrade(version, raw_state),
            t if certificates::TYPES.contains(&t) => certificates::upgrade(t, version, raw_state),
            other => Err(unknown_type("resource", other)),
        }
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        let request = unmarked_plan(request);
        match request.type_name.as_str() {
            schema::PRIVATE_KEY => private_key::plan(&request),
            t if certificates::TYPES.contains(&t) => {
                certificates::plan(t, &request, (self.clock)())
            }
            other => PlanResponse {
                planned_state: request.proposed_new_state.clone(),
                requires_replace: Vec::new(),
                planned_private: Vec::new(),
                diagnostics: unknown_type("resource", other),
            },
        }
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        let request = unmarked_apply(request);
        match request.type_name.as_str() {
            schema::PRIVATE_KEY => private_key::apply(&request),
            t if certificates::TYPES.contains(&t) => {
                certificates::apply(t, &request, (self.clock)())
            }
            other => ApplyResponse {
                new_state: request.prior_state.clone(),
                private: Vec::new(),
                diagnostics: unknown_type("resource", other),
            },
        }
    }

    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        let state = unmarked(state);
        match type_name {
            schema::PRIVATE_KEY => Ok(Some((state, private.to_vec()))),
            t if certificates::TYPES.contains(&t) => {
                let state = certificates::read(t, &state, (self.clock)())?;
                Ok(Some((state, private.to_vec())))
            }
            other => Err(unknown_type("resource", other)),
        }
    }

    async fn import(&self, type_name: &str, _id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        match type_name {
            schema::PRIVATE_KEY => Err(framework::import_not_implemented()),
            t if certificates::TYPES.contains(&t) => Err(framework::import_not_implemented()),
            other => Err(unknown_type("resource", other)),
        }
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        data_sources::read(type_name, &unmarked(config))
    }
}

#[cfg(test)]
mod tests;
