//! Driving the providers as the engine does (plan, apply, read, import), against the Azure
//! simulator started in-process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use terrane_azure_sim::{Faults, Options, Simulator};
use terrane_engine::config::Module;
use terrane_engine::diag::Diagnostic;
use terrane_engine::eval::expr::{Reference, Resolver};
use terrane_engine::functions::{FnContext, RealFiles};
use terrane_engine::plan::decode::decode_body;
use terrane_engine::plan::proposed_new;
use terrane_engine::provider::{
    ApplyRequest, Block, Nesting, PlanRequest, PlanResponse, Provider, ProviderSchema,
};
use terrane_engine::value::{Type, Value};

pub fn s(text: impl Into<String>) -> Value {
    Value::string(text.into())
}

pub fn string_list(items: &[&str]) -> Value {
    Value::list(Type::String, items.iter().map(|i| s(*i)).collect())
}

pub fn string_set(items: &[&str]) -> Value {
    Value::set(Type::String, items.iter().map(|i| s(*i)).collect())
}

pub fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::map(
        Type::String,
        pairs.iter().map(|(k, v)| (k.to_string(), s(*v))).collect(),
    )
}

pub fn attr(object: &Value, name: &str) -> Value {
    terrane_engine::provider::framework::get(object, name)
}

/// An object of `block`: every attribute null, nested list and set blocks empty, then
/// `pairs`.
pub fn object_of(block: &Block, pairs: Vec<(&str, Value)>) -> Value {
    let mut out = BTreeMap::new();
    for (name, a) in &block.attributes {
        out.insert(name.clone(), Value::Null(a.ty.clone()));
    }
    for (name, nested) in &block.blocks {
        let ty = nested.block.value_type();
        let value = match nested.nesting {
            Nesting::List => Value::list(ty, vec![]),
            Nesting::Set => Value::set(ty, vec![]),
            Nesting::Map => Value::map(ty, BTreeMap::new()),
            Nesting::Single | Nesting::Group => Value::Null(ty),
        };
        out.insert(name.clone(), value);
    }
    for (k, v) in pairs {
        assert!(out.contains_key(k), "the schema has no {k}");
        out.insert(k.to_string(), v);
    }
    Value::object(out)
}

/// The value of nested blocks `name` of `block`, one per element.
pub fn blocks(block: &Block, name: &str, elements: Vec<Vec<(&str, Value)>>) -> Value {
    let nested = &block.blocks[name];
    let items: Vec<Value> = elements
        .into_iter()
        .map(|pairs| object_of(&nested.block, pairs))
        .collect();
    let ty = nested.block.value_type();
    match nested.nesting {
        Nesting::Set => Value::set(ty, items),
        _ => Value::list(ty, items),
    }
}

/// A provider and its schema, configured against a simulator.
pub struct Driver {
    pub provider: Arc<dyn Provider>,
    pub schema: ProviderSchema,
}

impl Driver {
    pub fn new(provider: Arc<dyn Provider>) -> Driver {
        let schema = provider.schema();
        Driver { provider, schema }
    }

    pub fn block(&self, type_name: &str) -> &Block {
        &self.schema.resources[type_name].block
    }

    pub fn config(&self, type_name: &str, pairs: Vec<(&str, Value)>) -> Value {
        object_of(self.block(type_name), pairs)
    }

    pub fn data_config(&self, type_name: &str, pairs: Vec<(&str, Value)>) -> Value {
        object_of(&self.schema.data_sources[type_name].block, pairs)
    }

    pub async fn plan(&self, type_name: &str, prior: &Value, config: &Value) -> PlanResponse {
        let block = self.block(type_name);
        let prior = if prior.is_null() {
            Value::Null(block.value_type())
        } else {
            prior.clone()
        };
        let diagnostics = self
            .provider
            .validate_resource_config(type_name, config)
            .await;
        assert!(
            !diagnostics.has_errors(),
            "validate {type_name}: {diagnostics:?}"
        );
        let response = self
            .provider
            .plan_change(PlanRequest {
                type_name: type_name.into(),
                prior_state: prior.clone(),
                proposed_new_state: proposed_new(block, &prior, config),
                config: config.clone(),
                prior_private: vec![],
            })
            .await;
        assert!(
            !response.diagnostics.has_errors(),
            "plan {type_name}: {:?}",
            response.diagnostics
        );
        response
    }

    /// Applies a plan; the new state, or the diagnostics' text.
    pub async fn try_apply(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, String> {
        let response = self
            .provider
            .apply_change(ApplyRequest {
                type_name: type_name.into(),
                prior_state: prior.clone(),
                planned_state: planned.clone(),
                config: config.clone(),
                planned_private: vec![],
            })
            .await;
        if response.diagnostics.has_errors() {
            return Err(response
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect::<Vec<_>>()
                .join("\n"));
        }
        assert!(
            response.new_state.is_wholly_known(),
            "unknowns left in {type_name}"
        );
        Ok(response.new_state)
    }

    /// Plans and applies a create.
    pub async fn create(&self, type_name: &str, config: &Value) -> Value {
        let null = Value::Null(self.block(type_name).value_type());
        let plan = self.plan(type_name, &null, config).await;
        assert!(
            !attr(&plan.planned_state, "id").is_known(),
            "the ID is known only after create"
        );
        match self
            .try_apply(type_name, &null, &plan.planned_state, config)
            .await
        {
            Ok(state) => state,
            Err(e) => panic!("create {type_name}: {e}"),
        }
    }

    /// Plans an update that must happen in place, and applies it.
    pub async fn update(&self, type_name: &str, prior: &Value, config: &Value) -> Value {
        let plan = self.plan(type_name, prior, config).await;
        assert!(
            plan.requires_replace.is_empty(),
            "{type_name} would be replaced: {:?}",
            plan.requires_replace
        );
        assert!(
            !plan.planned_state.raw_equal(prior),
            "{type_name}: nothing to update"
        );
        match self
            .try_apply(type_name, prior, &plan.planned_state, config)
            .await
        {
            Ok(state) => state,
            Err(e) => panic!("update {type_name}: {e}"),
        }
    }

    /// Asserts that the configuration plans no change against the state.
    pub async fn assert_clean(&self, type_name: &str, state: &Value, config: &Value) {
        let plan = self.plan(type_name, state, config).await;
        assert!(
            plan.planned_state.raw_equal(state),
            "{type_name} plans a change:\n state   {state:?}\n planned {:?}",
            plan.planned_state
        );
    }

    pub async fn read(&self, type_name: &str, state: &Value) -> Option<Value> {
        self.provider
            .read(type_name, state, &[])
            .await
            .unwrap_or_else(|d| panic!("read {type_name}: {d:?}"))
            .map(|(v, _)| v)
    }

    /// Asserts that reading the object gives back the state.
    pub async fn assert_read_same(&self, type_name: &str, state: &Value) {
        let read = self
            .read(type_name, state)
            .await
            .expect("the object exists");
        assert!(
            read.raw_equal(state),
            "{type_name} reads back differently:\n state {state:?}\n read  {read:?}"
        );
    }

    pub async fn destroy(&self, type_name: &str, state: &Value) {
        if let Err(e) = self
            .try_apply(
                type_name,
                state,
                &Value::Null(state.ty()),
                &Value::Null(state.ty()),
            )
            .await
        {
            panic!("destroy {type_name}: {e}");
        }
    }

    /// Imports by ID and reads, as `terraform import` does.
    pub async fn import(&self, type_name: &str, id: &str) -> Value {
        let imported = self
            .provider
            .import(type_name, id)
            .await
            .unwrap_or_else(|d| panic!("import {type_name}: {d:?}"));
        assert_eq!(imported.len(), 1);
        self.read(type_name, &imported[0].state)
            .await
            .expect("the imported object exists")
    }

    pub async fn read_data(&self, type_name: &str, config: &Value) -> Value {
        let diagnostics = self
            .provider
            .validate_data_source_config(type_name, config)
            .await;
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        self.provider
            .read_data_source(type_name, config)
            .await
            .unwrap_or_else(|d| panic!("data {type_name}: {d:?}"))
    }
}

/// A simulator and the providers configured against it.
pub struct Harness {
    pub sim: Simulator,
    pub azurerm: Driver,
}

impl Harness {
    pub async fn start(faults: Faults) -> Harness {
        let sim = Simulator::start(Options {
            faults,
            ..Options::default()
        })
        .await
        .expect("the simulator starts");
        let azurerm = Driver::new(terrane_provider_azurerm::provider());
        let config = azurerm_config(&azurerm, &sim);
        let diagnostics = azurerm.provider.configure(&config).await;
        assert!(!diagnostics.has_errors(), "configure: {diagnostics:?}");
        Harness { sim, azurerm }
    }

    /// The azapi provider, configured against the simulator through its endpoints.
    pub async fn azapi(&self) -> Driver {
        let azapi = Driver::new(terrane_provider_azurerm::azapi_provider());
        let base = self.sim.base_url();
        let endpoint = Value::list(
            Type::object(
                [
                    ("active_directory_authority_host".to_string(), Type::String),
                    ("resource_manager_endpoint".to_string(), Type::String),
                    ("resource_manager_audience".to_string(), Type::String),
                ]
                .into(),
            ),
            vec![Value::object(
                [
                    (
                        "active_directory_authority_host".to_string(),
                        s(format!("{base}/")),
                    ),
                    (
                        "resource_manager_endpoint".to_string(),
                        s(format!("{base}/")),
                    ),
                    (
                        "resource_manager_audience".to_string(),
                        s("https://management.core.windows.net/"),
                    ),
                ]
                .into(),
            )],
        );
        let config = object_of(
            &azapi.schema.provider.block,
            vec![
                ("subscription_id", s(self.sim.subscription_id())),
                ("tenant_id", s(self.sim.tenant_id())),
                ("client_id", s(self.sim.client_id())),
                ("client_secret", s(self.sim.client_secret())),
                ("use_cli", Value::Bool(false)),
                ("endpoint", endpoint),
            ],
        );
        let diagnostics = azapi.provider.configure(&config).await;
        assert!(
            !diagnostics.has_errors(),
            "configure azapi: {diagnostics:?}"
        );
        azapi
    }

    pub fn group_id(&self, name: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{name}",
            self.sim.subscription_id()
        )
    }
}

/// The azurerm provider block pointing at the simulator through its metadata host.
pub fn azurerm_config(driver: &Driver, sim: &Simulator) -> Value {
    let block = &driver.schema.provider.block;
    let features = blocks(block, "features", vec![vec![]]);
    object_of(
        block,
        vec![
            ("metadata_host", s(sim.metadata_host())),
            ("subscription_id", s(sim.subscription_id())),
            ("tenant_id", s(sim.tenant_id())),
            ("client_id", s(sim.client_id())),
            ("client_secret", s(sim.client_secret())),
            ("use_cli", Value::Bool(false)),
            ("features", features),
        ],
    )
}

/// An azurerm provider block naming only an environment (with `use_cli` off).
pub fn azurerm_config_for_environment(driver: &Driver, environment: &str) -> Value {
    let block = &driver.schema.provider.block;
    let features = blocks(block, "features", vec![vec![]]);
    object_of(
        block,
        vec![
            ("environment", s(environment)),
            ("use_cli", Value::Bool(false)),
            ("features", features),
        ],
    )
}

/// A folder of the user's git-ops-starter corpus (`tf-infra`, `tf-k8s`), beside the project.
pub fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/git-ops-starter/azure")
        .join(name)
}

/// Answers every reference with an unknown value, so that a configuration decodes against
/// a schema without being evaluated.
pub struct UnknownReferences;

impl Resolver for UnknownReferences {
    fn resolve(&self, _reference: Reference) -> Result<Value, Diagnostic> {
        Ok(Value::dynamic_unknown())
    }

    fn fn_context(&self) -> FnContext<'_> {
        FnContext {
            base_dir: Path::new("."),
            files: &RealFiles,
            plan_timestamp: "",
        }
    }
}

/// Decodes the module's resources of these types against the azurerm schemas: how many were
/// decoded, and the details of the errors of those that do not decode, by address.
pub fn decode_problems(module: &Module, types: &[&str]) -> (usize, BTreeMap<String, Vec<String>>) {
    let schema = terrane_provider_azurerm::provider().schema();
    let mut problems = BTreeMap::new();
    let mut decoded = 0;
    for (address, resource) in &module.resources {
        if !types.contains(&resource.ty.as_str()) {
            continue;
        }
        decoded += 1;
        let block = &schema.resources[resource.ty.as_str()].block;
        if let Err(diagnostics) = decode_body(&UnknownReferences, &resource.config, block) {
            problems.insert(
                address.clone(),
                diagnostics.iter().map(|d| d.detail.clone()).collect(),
            );
        }
    }
    (decoded, problems)
}
