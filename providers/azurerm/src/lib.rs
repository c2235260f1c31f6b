//! terrane's native Azure providers: `azurerm` (hashicorp/azurerm v4's resources, arguments,
//! defaults, force-new rules and import IDs) and `azapi` (Azure/azapi's generic
//! `azapi_resource`), both on one ARM client ([`arm`]): credentials, custom clouds, the
//! embedded simulator, retries, long-running operations and ARM's errors.
//!
//! Resource types are tables ([`framework`]) over a generic plan/apply/read/import flow; the
//! types themselves are in `resources/`, one file per family.

pub mod arm;
mod azapi;
mod azurerm;
mod config;
pub mod connection;
pub mod framework;
mod resources;

use std::path::PathBuf;
use std::sync::Arc;
use terrane_engine::provider::Provider;

/// The azurerm provider's address.
pub const ADDRESS: &str = "registry.terraform.io/hashicorp/azurerm";

/// The azurerm release whose schemas and behaviour the provider follows.
pub const VERSION: &str = "4.81.0";

/// The azapi provider's address.
pub const AZAPI_ADDRESS: &str = "registry.terraform.io/azure/azapi";

/// The azapi release whose schemas and behaviour the azapi provider follows.
pub const AZAPI_VERSION: &str = "2.12.0";

/// A new instance of the azurerm provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(azurerm::AzurermProvider::new(None))
}

/// A new instance of the azapi provider.
pub fn azapi_provider() -> Arc<dyn Provider> {
    Arc::new(azapi::AzapiProvider::new(None))
}

/// A new azurerm provider whose in-process simulator (`environment = "simulator"`) keeps its
/// data under `dir` instead of the working directory.
pub fn provider_in(dir: PathBuf) -> Arc<dyn Provider> {
    Arc::new(azurerm::AzurermProvider::new(Some(dir)))
}

/// [`provider_in`] for azapi.
pub fn azapi_provider_in(dir: PathBuf) -> Arc<dyn Provider> {
    Arc::new(azapi::AzapiProvider::new(Some(dir)))
}
