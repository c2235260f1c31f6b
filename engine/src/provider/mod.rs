//! The provider interface: one async trait shaped like Terraform's provider protocol
//! (schema, validate, configure, plan a change, apply a change, read, import, upgrade
//! state, read a data source). The planner knows providers only through it; native Rust
//! providers implement it directly and external plugins will implement it through a bridge.
//!
//! Values crossing the interface are whole objects of the resource's schema type: every
//! attribute present (null when unset), nested blocks as lists, sets or maps of objects
//! according to their nesting mode.

pub mod framework;

use crate::diag::Diagnostics;
use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// The fully qualified address of a provider, from the `source` given in
/// `required_providers` or, when there is none, from its local name (as Terraform does:
/// `registry.terraform.io/hashicorp/<name>`).
pub fn provider_address(local_name: &str, source: Option<&str>) -> String {
    match source {
        Some(src) => {
            let parts: Vec<&str> = src.split('/').collect();
            match parts.len() {
                1 => format!(
                    "registry.terraform.io/hashicorp/{}",
                    parts[0].to_lowercase()
                ),
                2 => format!(
                    "registry.terraform.io/{}/{}",
                    parts[0].to_lowercase(),
                    parts[1].to_lowercase()
                ),
                _ => src.to_lowercase(),
            }
        }
        None => format!("registry.terraform.io/hashicorp/{local_name}"),
    }
}

/// A schema with its version (for state upgrades).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub version: u64,
    pub block: Block,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: BTreeMap<String, Attribute>,
    pub blocks: BTreeMap<String, NestedBlock>,
    pub description: String,
}

/// One attribute of a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// A change of this attribute replaces the object instead of updating it in place.
    pub force_new: bool,
    pub description: String,
}

impl Attribute {
    /// A required argument.
    pub fn required(ty: Type) -> Attribute {
        Attribute {
            ty,
            required: true,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
            description: String::new(),
        }
    }
    /// An optional argument.
    pub fn optional(ty: Type) -> Attribute {
        Attribute {
            required: false,
            optional: true,
            ..Attribute::required(ty)
        }
    }
    /// A value the provider computes.
    pub fn computed(ty: Type) -> Attribute {
        Attribute {
            required: false,
            computed: true,
            ..Attribute::required(ty)
        }
    }
    /// An optional argument the provider fills in when it is not set.
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute {
            required: false,
            optional: true,
            computed: true,
            ..Attribute::required(ty)
        }
    }
    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    pub fn describe(mut self, text: &str) -> Attribute {
        self.description = text.to_string();
        self
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one, as an object (null when absent).
    Single,
    /// At most one, always present as an object (attributes null when absent).
    Group,
    List,
    Set,
    /// Labelled blocks, as a map by label.
    Map,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: u64,
    pub max_items: u64,
}

impl Block {
    /// The object type of values of this block.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), a.ty.clone()))
            .collect();
        for (name, nb) in &self.blocks {
            let inner = nb.block.value_type();
            let ty = match nb.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            attrs.insert(name.clone(), ty);
        }
        Type::object(attrs)
    }
}

/// Everything a provider offers.
#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
}

/// An attribute path, as the steps from the object's root (`["tags", "env"]`, list indexes
/// as their decimal text).
pub type AttributePath = Vec<String>;

/// A change proposed to a provider for planning.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub type_name: String,
    /// Null when the object is to be created.
    pub prior_state: Value,
    /// The configuration merged over the prior state: what Terraform proposes the object
    /// becomes. Null when the object is to be destroyed.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

/// The provider's plan for a change.
#[derive(Clone, Debug)]
pub struct PlanResponse {
    /// The planned object, with unknown values where the provider computes them at apply.
    pub planned_state: Value,
    /// The attributes whose change requires replacing the object.
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// A planned change to carry out.
#[derive(Clone, Debug)]
pub struct ApplyRequest {
    pub type_name: String,
    pub prior_state: Value,
    /// Null when the object is to be destroyed.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

/// The object as it is after a change (null after a destroy).
#[derive(Clone, Debug)]
pub struct ApplyResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// An object imported by ID.
#[derive(Clone, Debug)]
pub struct ImportedObject {
    pub type_name: String,
    pub state: Value,
    pub private: Vec<u8>,
}

/// The interface every provider implements.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    fn schema(&self) -> ProviderSchema;

    /// Checks the provider configuration beyond what its schema says.
    async fn validate_provider_config(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Checks a resource's configuration beyond what its schema says.
    async fn validate_resource_config(&self, _type_name: &str, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Checks a data source's configuration beyond what its schema says.
    async fn validate_data_source_config(&self, _type_name: &str, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Prepares the provider to serve requests with its configuration.
    async fn configure(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Brings a stored object written with an older schema version to the current one.
    /// `raw_state` is the JSON the state holds.
    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics>;

    /// Plans a change of one resource instance.
    async fn plan_change(&self, request: PlanRequest) -> PlanResponse;

    /// Carries out a planned change.
    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse;

    /// Refreshes an object from the real world: `Ok(None)` when it no longer exists.
    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics>;

    /// Finds an existing object by its import ID.
    async fn import(&self, type_name: &str, id: &str) -> Result<Vec<ImportedObject>, Diagnostics>;

    /// Reads a data source.
    async fn read_data_source(&self, type_name: &str, config: &Value)
        -> Result<Value, Diagnostics>;

    /// At most how many of this provider's changes may run at once, besides the run's
    /// `-parallelism`; `None` when only that applies.
    fn concurrency_limit(&self) -> Option<usize> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_types_follow_nesting() {
        let mut inner = Block::default();
        inner
            .attributes
            .insert("port".into(), Attribute::required(Type::Number));
        let mut outer = Block::default();
        outer
            .attributes
            .insert("name".into(), Attribute::required(Type::String));
        outer.blocks.insert(
            "rule".into(),
            NestedBlock {
                nesting: Nesting::List,
                block: inner,
                min_items: 0,
                max_items: 0,
            },
        );
        let Type::Object(attrs) = outer.value_type() else {
            panic!("object")
        };
        assert_eq!(
            attrs["rule"],
            Type::list(Type::object([("port".to_string(), Type::Number)].into()))
        );
        assert_eq!(attrs["name"], Type::String);
    }
}
