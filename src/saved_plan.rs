//! Saved plans (`plan -out FILE`, `apply FILE`): what the plan decided, the inputs it was
//! made from, and the state and configuration it was made against, so that applying it
//! does exactly that or refuses.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use terrane_engine::config::Module;

/// The file format's name and version.
pub const FORMAT: &str = "terrane-plan/1";

#[derive(Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: String,
    pub terrane_version: String,
    pub workspace: String,
    pub destroy: bool,
    pub refresh: bool,
    pub replace: Vec<String>,
    /// Whether this is a `-refresh-only` plan.
    #[serde(default)]
    pub refresh_only: bool,
    /// `-target` addresses the plan was limited to.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Root variable values as given, each `{"value": ..., "type": ...}`.
    pub variables: BTreeMap<String, Json>,
    /// The state the plan was made against (`None` when there was none).
    pub prior_lineage: Option<String>,
    pub prior_serial: Option<u64>,
    /// A digest of every configuration file of the module tree.
    pub config_digest: String,
    /// The action of every resource instance, by address (Terraform's JSON action lists).
    pub actions: BTreeMap<String, Vec<String>>,
    /// The plan in Terraform's JSON representation, for `show -json`.
    pub plan: Json,
}

impl SavedPlan {
    pub fn read(path: &Path) -> Result<SavedPlan, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("Failed to read the plan file {}: {e}", path.display()))?;
        let plan: SavedPlan = serde_json::from_str(&text)
            .map_err(|e| format!("The file {} is not a terrane plan: {e}", path.display()))?;
        if plan.format != FORMAT {
            return Err(format!(
                "The plan file {} has format {:?}; this terrane reads {FORMAT:?}.",
                path.display(),
                plan.format
            ));
        }
        Ok(plan)
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string(self).expect("plan serializes");
        std::fs::write(path, text)
            .map_err(|e| format!("Failed to write the plan file {}: {e}", path.display()))
    }
}

/// A digest of the configuration files of a module tree, in a stable order.
pub fn config_digest(module: &Module) -> String {
    let mut files: Vec<(String, String)> = Vec::new();
    collect(module, &mut files);
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn collect(module: &Module, out: &mut Vec<(String, String)>) {
    for f in &module.files {
        out.push((f.name.to_string(), f.text.to_string()));
    }
    for call in module.module_calls.values() {
        if let Some(child) = &call.module {
            collect(child, out);
        }
    }
}
