//! The table-driven resource framework the azurerm resources are built on.
//!
//! A resource type is a [`ResourceDef`] — its schema with each argument's ARM mapping
//! ([`schema`]), its ARM ID template ([`id::IdTemplate`]), api-version, timeouts and how it is
//! updated — plus a [`ResourceType`] implementation that returns it and overrides only the
//! hooks its oddities need. The generic flow does the rest, as the azurerm provider (SDKv2)
//! does for every resource:
//!
//! - plan ([`plan`]): defaults fill null arguments; computed values are unknown on create and
//!   kept on update; `StateFunc`-style normalising and diff suppression; a changed force-new
//!   argument requires replacement.
//! - create ([`flow::create`]): the ID from the template, azurerm's "already exists - needs to
//!   be imported" check, the body from the mapped arguments (then the `expand` hook), PUT and
//!   its long-running operation, and the state read back from the final GET.
//! - update: GET the object, overwrite the arguments that changed (so that properties other
//!   resources manage survive, as azurerm does), PUT (or PATCH), read back.
//! - read: GET by the state's ID; a 404 means the object is gone.
//! - delete: DELETE and its operation; already gone is fine.
//! - import: the ID is parsed strictly with the template; read then fills the state.
//!
//! # Adding a resource type
//!
//! 1. Read the resource in hashicorp/terraform-provider-azurerm (v4,
//!    `internal/services/<service>/<name>_resource.go`): its schema, ID type, api-version
//!    (the go-azure-sdk import path), create/update/read (expand and flatten) and delete.
//! 2. In a file of its family under `src/resources/` (`postgres.rs`, `dns.rs`, ...) write a
//!    unit struct holding a [`ResourceDef`]: attributes with [`schema::string`] and friends,
//!    `.required()/.optional()/.computed()/.force_new()/.default(..)`, and
//!    `.arm("properties.someField")` plus a [`schema::Codec`] where the JSON is not the value
//!    itself; nested blocks with [`schema::block`] and `.arm_array(..)`/`.arm_object(..)`.
//!    The common arguments (`name`, `resource_group_name`, `location`, `tags`, `zones`) are in
//!    [`common`].
//! 3. Implement [`ResourceType`] for it: `def()`, and hooks only for what the table cannot
//!    say: `expand`/`flatten` for odd body shapes, `customize_plan` for CustomizeDiff rules,
//!    `validate`, `locks` (azurerm's `locks.ByName`), `before_delete`, `upgrade_state`, or the
//!    whole of `create`/`read`/`delete`/`import` for resources that are not ARM objects of
//!    their own (associations).
//! 4. Add it to the list in `src/resources/mod.rs`, and test it against the simulator
//!    (`tests/`): create, update in place, force-new detection, delete, 404 on read.

pub mod common;
pub mod flow;
pub mod id;
pub mod mapping;
pub mod plan;
pub mod schema;

use crate::arm::{Account, ArmClient};
use id::IdTemplate;
use schema::{string, timeouts_block, BlockDef};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::{AttributePath, Schema};
use terrane_engine::value::Value;

/// The provider's `features` that change how resources behave.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    /// `features.resource_group.prevent_deletion_if_contains_resources`.
    pub prevent_resource_group_deletion_if_contains_resources: bool,
    /// `features.skip_import_check_on_create_and_allow_overwriting_existing_resources`.
    pub skip_import_check: bool,
}

impl Default for Features {
    fn default() -> Features {
        Features {
            prevent_resource_group_deletion_if_contains_resources: true,
            skip_import_check: false,
        }
    }
}

/// What operations run with.
pub struct Ctx<'a> {
    pub client: &'a ArmClient,
    pub features: &'a Features,
}

/// How a resource is updated in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// GET the object, overwrite the changed arguments, PUT it back.
    PutExisting,
    /// PATCH with the changed arguments only.
    Patch,
}

/// The default timeouts of a resource's operations (`None`: no such operation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub read: Duration,
    pub update: Option<Duration>,
    pub delete: Duration,
}

impl Timeouts {
    /// azurerm's usual 30 minutes to write and 5 to read.
    pub const fn standard() -> Timeouts {
        Timeouts::minutes(30, 5, Some(30), 30)
    }

    pub const fn minutes(create: u64, read: u64, update: Option<u64>, delete: u64) -> Timeouts {
        Timeouts {
            create: Duration::from_secs(create * 60),
            read: Duration::from_secs(read * 60),
            update: match update {
                Some(m) => Some(Duration::from_secs(m * 60)),
                None => None,
            },
            delete: Duration::from_secs(delete * 60),
        }
    }
}

/// The table describing one resource type.
#[derive(Clone)]
pub struct ResourceDef {
    pub name: &'static str,
    pub schema_version: u64,
    /// The arguments and attributes, without `id` and `timeouts` (which every resource has).
    pub block: BlockDef,
    pub api_version: &'static str,
    pub id: IdTemplate,
    pub timeouts: Timeouts,
    pub update: Update,
    /// Query parameters of the create/update PUT besides the api-version.
    pub put_query: &'static [(&'static str, &'static str)],
}

impl ResourceDef {
    /// The full block: the arguments, `id`, and the `timeouts` block.
    pub fn full_block(&self) -> BlockDef {
        let mut block = self.block.clone();
        block.attrs.push(string("id").optional().computed());
        let mut operations = vec!["create", "read"];
        if self.timeouts.update.is_some() {
            operations.push("update");
        }
        operations.push("delete");
        block.blocks.push(timeouts_block(&operations));
        block
    }

    pub fn schema(&self) -> Schema {
        Schema {
            version: self.schema_version,
            block: self.full_block().to_engine(),
        }
    }
}

/// A change being carried out, for the `expand` hook.
pub struct Change<'a> {
    /// The planned object.
    pub planned: &'a Value,
    /// The prior object (null when creating).
    pub prior: &'a Value,
    /// The object's ARM ID and its parsed values.
    pub id: &'a str,
    pub id_values: &'a BTreeMap<String, String>,
    pub account: &'a Account,
}

impl Change<'_> {
    pub fn creating(&self) -> bool {
        self.prior.is_null()
    }

    /// A planned attribute (null when absent).
    pub fn get(&self, name: &str) -> Value {
        attribute(self.planned, name)
    }

    /// Whether an attribute is written by this change: always when creating.
    pub fn changed(&self, name: &str) -> bool {
        self.creating() || !attribute(self.prior, name).raw_equal(&self.get(name))
    }
}

/// A plan being made, for the `customize_plan` hook (azurerm's `CustomizeDiff`).
pub struct PlanContext<'a> {
    pub prior: &'a Value,
    pub config: &'a Value,
    pub planned: &'a mut BTreeMap<String, Value>,
    pub requires_replace: &'a mut Vec<AttributePath>,
    pub diagnostics: &'a mut Diagnostics,
}

impl PlanContext<'_> {
    pub fn creating(&self) -> bool {
        self.prior.is_null()
    }

    /// Requires replacement when `name` changes from its prior value.
    pub fn force_new(&mut self, name: &str) {
        self.requires_replace.push(vec![name.to_string()]);
    }
}

/// A resource type: its table, and the hooks its oddities need (see the module docs).
#[async_trait::async_trait]
pub trait ResourceType: Send + Sync {
    fn def(&self) -> &ResourceDef;

    /// Checks a configuration beyond its schema (azurerm's validation functions).
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts a plan (azurerm's `CustomizeDiff`).
    fn customize_plan(&self, _plan: &mut PlanContext<'_>) {}

    /// Completes the ARM body after the mapped arguments were written into it.
    fn expand(&self, _change: &Change<'_>, _body: &mut Json) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Completes the state read from an ARM body after the mapped attributes were read.
    fn flatten(&self, _body: &Json, _state: &mut BTreeMap<String, Value>) {}

    /// The names to lock while writing or deleting the object with these ID values.
    fn locks(&self, _id_values: &BTreeMap<String, String>) -> Vec<String> {
        Vec::new()
    }

    /// Runs before the object is deleted; an error stops the deletion.
    async fn before_delete(&self, _ctx: &Ctx<'_>, _id: &str) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Brings a stored state of an older schema version to the current one.
    fn upgrade_state(&self, version: u64, raw: Json) -> Result<Json, String> {
        if version == self.def().schema_version {
            Ok(raw)
        } else {
            Err(format!(
                "{} has no state upgrade from schema version {version}",
                self.def().name
            ))
        }
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        flow::create(self, ctx, planned).await
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        flow::update(self, ctx, prior, planned).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        flow::read(self, ctx, state).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        flow::delete(self, ctx, state).await
    }

    /// The state an import ID stands for (then read fills it in).
    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        flow::import(self, id)
    }
}

/// A data source type.
#[async_trait::async_trait]
pub trait DataSourceType: Send + Sync {
    fn name(&self) -> &'static str;

    /// The arguments and attributes, without `id` and `timeouts`.
    fn block(&self) -> BlockDef;

    /// Reads the data: the attributes it sets (`id` included); the others keep their
    /// configured values.
    async fn read(
        &self,
        ctx: &Ctx<'_>,
        config: &Value,
    ) -> Result<BTreeMap<String, Value>, Diagnostics>;
}

/// The full block of a data source: its own, `id`, and a `timeouts` block with `read`.
pub fn data_source_block(ds: &dyn DataSourceType) -> BlockDef {
    let mut block = ds.block();
    block.attrs.push(string("id").computed());
    block.blocks.push(timeouts_block(&["read"]));
    block
}

/// Reads a data source: the configuration, overlaid with what the data source read.
pub async fn read_data_source(
    ds: &dyn DataSourceType,
    ctx: &Ctx<'_>,
    config: &Value,
) -> Result<Value, Diagnostics> {
    let block = data_source_block(ds);
    let mut out = mapping::null_object(&block);
    for (k, v) in config.as_mapping().cloned().unwrap_or_default() {
        out.insert(k, v);
    }
    for (k, v) in ds.read(ctx, config).await? {
        out.insert(k, v);
    }
    Ok(Value::object(out))
}

/// One attribute of an object, without marks (null when absent).
pub fn attribute(object: &Value, name: &str) -> Value {
    terrane_engine::provider::framework::get(object, name)
}

/// A known, non-empty string attribute.
pub fn string_attribute(object: &Value, name: &str) -> Option<String> {
    attribute(object, name)
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The strings of a list or set (unknown or null elements left out).
pub fn strings_of(value: &Value) -> Vec<String> {
    value
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The first element of a list block (none when it has none).
pub fn first_block(value: &Value) -> Option<Value> {
    value.as_seq().and_then(|items| items.first().cloned())
}

/// An error diagnostic.
pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}
