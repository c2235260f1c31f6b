//! The simulated cloud's data: resources, operations in flight, key vault secrets, IP
//! allocations and the token signing key; kept in memory and, when a data file is given,
//! written to it atomically after every change and read back at start.

use crate::lro::Operation;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// One ARM resource.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Resource {
    /// What GET returns (before read-time additions such as a virtual network's subnets).
    pub doc: Value,
    /// Server-side data never returned by GET (keys, certificates, passwords).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub private: Value,
    /// The canonical type, `Microsoft.Network/virtualNetworks/subnets`.
    pub kind: String,
    /// The operation in flight on it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// The key of the resource whose creation made this one (and whose deletion removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Resource {
    pub fn id(&self) -> &str {
        self.doc.get("id").and_then(Value::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.doc.get("name").and_then(Value::as_str).unwrap_or("")
    }

    pub fn location(&self) -> Option<&str> {
        self.doc.get("location").and_then(Value::as_str)
    }

    pub fn provisioning_state(&self) -> Option<&str> {
        crate::util::str_at(&self.doc, "properties.provisioningState")
    }
}

/// A key vault secret and its versions (newest last).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Secret {
    pub name: String,
    pub versions: Vec<SecretVersion>,
    /// Set while the secret is deleted but recoverable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_ms: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SecretVersion {
    pub version: String,
    pub value: String,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub tags: Value,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub not_before: Option<i64>,
    #[serde(default)]
    pub expires: Option<i64>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// Everything the simulator knows.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    /// The key signing the access tokens it issues (base64), made at first start.
    #[serde(default)]
    pub signing_key: String,
    /// The port it last listened on: a restart asked for any port takes it again, so that
    /// the addresses it handed out (key vault URIs, secret IDs) stay valid, as Azure's do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Resources by lower-cased id: a parent sorts right before its children.
    #[serde(default)]
    pub resources: BTreeMap<String, Resource>,
    /// Long-running operations by id.
    #[serde(default)]
    pub operations: BTreeMap<String, Operation>,
    /// Soft-deleted key vaults by lower-cased name: the vault as it was, and its secrets.
    #[serde(default)]
    pub deleted_vaults: BTreeMap<String, DeletedVault>,
    /// Key vault secrets by lower-cased vault name, then lower-cased secret name.
    #[serde(default)]
    pub secrets: BTreeMap<String, BTreeMap<String, Secret>>,
    /// Private IP addresses in use, by lower-cased subnet id, then address: the owner's key.
    #[serde(default)]
    pub private_ips: BTreeMap<String, BTreeMap<String, String>>,
    /// How many public IP addresses have been handed out (the next one follows).
    #[serde(default)]
    pub public_ip_counter: u32,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct DeletedVault {
    pub vault: Resource,
    pub deleted_ms: i64,
    pub scheduled_purge_ms: i64,
}

impl Store {
    /// A new, empty cloud with a fresh signing key.
    pub fn new() -> Store {
        Store {
            signing_key: crate::util::random_key(32),
            ..Store::default()
        }
    }

    /// Reads the data file; a missing file is a new cloud, a corrupt one an error.
    pub fn load(path: &Path) -> Result<Store, String> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut store: Store = serde_json::from_slice(&bytes).map_err(|e| {
                    format!(
                        "the simulator's data file {} is not readable: {e}",
                        path.display()
                    )
                })?;
                if store.signing_key.is_empty() {
                    store.signing_key = crate::util::random_key(32);
                }
                Ok(store)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::new()),
            Err(e) => Err(format!(
                "cannot read the simulator's data file {}: {e}",
                path.display()
            )),
        }
    }

    /// Writes the data file atomically: a temporary file beside it, synced, then renamed.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut file = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        file.write_all(&bytes)
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        file.persist(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&Resource> {
        self.resources.get(key)
    }

    /// The resources directly or indirectly under a key (its children, their children...).
    pub fn descendants(&self, key: &str) -> Vec<String> {
        let prefix = format!("{key}/");
        self.resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The direct children of a key of a given child type (lower-case type segment).
    pub fn children(&self, key: &str, child_type: &str) -> Vec<&Resource> {
        let prefix = format!("{key}/{}/", child_type.to_ascii_lowercase());
        self.resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('/'))
            .map(|(_, r)| r)
            .collect()
    }

    /// Removes a resource, everything under it and everything it owns, releasing their
    /// private IP addresses; returns the removed resources with their keys.
    pub fn remove_cascading(&mut self, key: &str) -> Vec<(String, Resource)> {
        let mut removed: Vec<(String, Resource)> = Vec::new();
        let mut queue = vec![key.to_string()];
        while let Some(next) = queue.pop() {
            let Some(resource) = self.resources.remove(&next) else {
                continue;
            };
            removed.push((next.clone(), resource));
            for k in self.descendants(&next) {
                if let Some(child) = self.resources.remove(&k) {
                    removed.push((k, child));
                }
            }
            let owned: Vec<String> = self
                .resources
                .iter()
                .filter(|(_, r)| {
                    r.owner
                        .as_ref()
                        .is_some_and(|o| removed.iter().any(|(k, _)| k == o))
                })
                .map(|(k, _)| k.clone())
                .collect();
            queue.extend(owned);
        }
        for (key, _) in &removed {
            self.private_ips.remove(key);
        }
        for addresses in self.private_ips.values_mut() {
            addresses.retain(|_, owner| !removed.iter().any(|(k, _)| k == owner));
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(id: &str) -> Resource {
        Resource {
            doc: json!({"id": id}),
            kind: "T".into(),
            ..Resource::default()
        }
    }

    #[test]
    fn cascading_removal_takes_children_and_owned_resources() {
        let mut store = Store::new();
        for id in ["/a", "/a/b", "/a/b/c", "/ab", "/x"] {
            store.resources.insert(id.into(), resource(id));
        }
        store.resources.get_mut("/x").unwrap().owner = Some("/a/b".into());
        store
            .private_ips
            .entry("/s".into())
            .or_default()
            .insert("10.0.0.4".into(), "/x".into());
        let mut removed: Vec<String> = store
            .remove_cascading("/a")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        removed.sort();
        assert_eq!(removed, ["/a", "/a/b", "/a/b/c", "/x"]);
        assert_eq!(store.resources.keys().collect::<Vec<_>>(), ["/ab"]);
        assert!(store.private_ips["/s"].is_empty());
    }

    #[test]
    fn data_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.json");
        let mut store = Store::load(&path).unwrap();
        store.resources.insert("/a".into(), resource("/a"));
        store.save(&path).unwrap();
        let loaded = Store::load(&path).unwrap();
        assert_eq!(loaded.signing_key, store.signing_key);
        assert_eq!(loaded.resources["/a"].id(), "/a");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(Store::load(&path).is_err());
    }
}
