//! Terraform state, format version 4: the model as Terraform writes it, reading it with
//! checks (corrupt or newer-format files are refused, never overwritten), and writing it
//! atomically (temporary file, fsync, rename) with the previous version kept as a backup.
//!
//! Around the model: addresses (`address`), locking (`lock`), workspaces (`workspace`),
//! what the state commands do to a state (`ops`) and `state show`'s display (`show`).

pub mod address;
pub mod lock;
pub mod ops;
pub mod show;
pub mod workspace;

pub use address::{parse_instance, parse_target, AddressError, InstanceAddr, Target};
pub mod journal;
pub use lock::{force_unlock, lock, LockError, LockInfo, StateLock};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The state format version this crate reads and writes.
pub const FORMAT_VERSION: u64 = 4;

/// A state snapshot.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct State {
    pub version: u64,
    pub terraform_version: String,
    pub serial: u64,
    pub lineage: String,
    #[serde(default)]
    pub outputs: serde_json::Map<String, Json>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_results: Option<Json>,
}

/// The instances of one resource block in one module instance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    /// The module instance address (`module.a["x"]`), absent for the root module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// `managed` or `data`.
    pub mode: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub name: String,
    /// `list` for `count`, `map` for `for_each`, absent for a single instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// The provider configuration, as `provider["registry.terraform.io/hashicorp/null"]`
    /// (with `.alias` when aliased).
    pub provider: String,
    pub instances: Vec<Instance>,
}

/// One object of a resource.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Instance {
    /// The `count` index (a number) or `for_each` key (a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<Json>,
    /// `tainted` for an object whose creation failed or was marked for replacement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Set for a deposed object (one replaced with create_before_destroy, not yet destroyed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    pub schema_version: u64,
    pub attributes: Json,
    /// Paths of sensitive attributes, as Terraform writes them.
    #[serde(default)]
    pub sensitive_attributes: Vec<Json>,
    /// The provider's private data, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
}

/// One root module output as state records it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutputValue {
    pub value: Json,
    #[serde(rename = "type")]
    pub ty: Json,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// Why a state file could not be read or written.
#[derive(Debug)]
pub enum StateError {
    Io(PathBuf, std::io::Error),
    Corrupt(PathBuf, String),
    NewerFormat(PathBuf, u64),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            StateError::Corrupt(p, e) => write!(
                f,
                "The state file {} is not valid: {e}. It was left untouched; restore it from its backup ({}.backup) or from version control.",
                p.display(),
                p.display()
            ),
            StateError::NewerFormat(p, v) => write!(
                f,
                "The state file {} uses format version {v}, which is newer than the version {FORMAT_VERSION} this program understands. Upgrade terrane to use this state.",
                p.display()
            ),
        }
    }
}

impl std::error::Error for StateError {}

impl State {
    /// An empty state with a new lineage.
    pub fn new(terraform_version: &str) -> State {
        State {
            version: FORMAT_VERSION,
            terraform_version: terraform_version.to_string(),
            serial: 0,
            lineage: new_lineage(),
            outputs: serde_json::Map::new(),
            resources: Vec::new(),
            check_results: None,
        }
    }

    /// Parses a state file's text.
    pub fn parse(path: &Path, text: &str) -> Result<State, StateError> {
        let raw: Json = serde_json::from_str(text)
            .map_err(|e| StateError::Corrupt(path.to_path_buf(), e.to_string()))?;
        let version = raw.get("version").and_then(Json::as_u64).ok_or_else(|| {
            StateError::Corrupt(path.to_path_buf(), "it has no format \"version\"".into())
        })?;
        if version > FORMAT_VERSION {
            return Err(StateError::NewerFormat(path.to_path_buf(), version));
        }
        if version < FORMAT_VERSION {
            return Err(StateError::Corrupt(
                path.to_path_buf(),
                format!("format version {version} is too old; upgrade it with Terraform 0.13 or later first"),
            ));
        }
        serde_json::from_value(raw)
            .map_err(|e| StateError::Corrupt(path.to_path_buf(), e.to_string()))
    }

    /// Reads a state file; `Ok(None)` when there is none (or it is empty).
    pub fn read(path: &Path) -> Result<Option<State>, StateError> {
        match fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => {
                let mut state = State::parse(path, &text)?;
                journal::replay(&mut state, path)
                    .map_err(|e| StateError::Io(journal::journal_path(path), e))?;
                Ok(Some(state))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut state = State::new(env!("CARGO_PKG_VERSION"));
                match journal::replay(&mut state, path) {
                    Ok(true) => Ok(Some(state)),
                    Ok(false) => Ok(None),
                    Err(e) => Err(StateError::Io(journal::journal_path(path), e)),
                }
            }
            Err(e) => Err(StateError::Io(path.to_path_buf(), e)),
        }
    }

    /// The state as Terraform formats it: two-space indented JSON and a final newline.
    pub fn to_json_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("state serializes");
        s.push('\n');
        s
    }

    /// Writes the state atomically: the new snapshot goes to a temporary file that is synced
    /// and renamed over the old one, which is first kept as `<path>.backup`.
    pub fn write(&self, path: &Path) -> Result<(), StateError> {
        self.write_with_backup(path, Some(&backup_path(path)))
    }

    /// Writes the state atomically like [`State::write`], keeping the previous snapshot
    /// (when there is one) at `backup` instead, or nowhere.
    pub fn write_with_backup(&self, path: &Path, backup: Option<&Path>) -> Result<(), StateError> {
        let io = |e| StateError::Io(path.to_path_buf(), e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(io)?;
        }
        if let Some(backup) = backup.filter(|_| path.exists()) {
            fs::copy(path, backup).map_err(io)?;
        }
        let tmp = path.with_extension("tfstate.tmp");
        {
            let mut f = fs::File::create(&tmp).map_err(io)?;
            f.write_all(self.to_json_text().as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        fs::rename(&tmp, path).map_err(io)?;
        Ok(())
    }
}

/// Where the previous snapshot is kept.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".backup");
    PathBuf::from(s)
}

/// The state file of a workspace, as Terraform lays them out for the local backend.
pub fn workspace_state_path(dir: &Path, workspace: &str) -> PathBuf {
    if workspace == "default" {
        dir.join("terraform.tfstate")
    } else {
        dir.join("terraform.tfstate.d")
            .join(workspace)
            .join("terraform.tfstate")
    }
}

/// A new random lineage (a version-4 UUID, as Terraform makes them).
pub fn new_lineage() -> String {
    let mut bytes = [0u8; 16];
    if fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .is_err()
    {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes.copy_from_slice(&t.to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terraform.tfstate");
        let mut s = State::new("1.0.3");
        s.outputs.insert(
            "a".into(),
            serde_json::to_value(OutputValue {
                value: Json::from(1),
                ty: Json::from("number"),
                sensitive: false,
            })
            .unwrap(),
        );
        s.write(&path).unwrap();
        s.serial += 1;
        s.write(&path).unwrap();
        let back = State::read(&path).unwrap().unwrap();
        assert_eq!(back, s);
        let old = State::read(&backup_path(&path)).unwrap().unwrap();
        assert_eq!(old.serial, 0);
    }

    #[test]
    fn corrupt_and_newer_are_refused() {
        let p = Path::new("x.tfstate");
        assert!(matches!(
            State::parse(p, "{\"version\": 4, "),
            Err(StateError::Corrupt(..))
        ));
        assert!(matches!(
            State::parse(p, r#"{"version": 5, "serial": 1}"#),
            Err(StateError::NewerFormat(_, 5))
        ));
    }

    #[test]
    fn lineage_is_a_uuid() {
        let l = new_lineage();
        assert_eq!(l.len(), 36);
        assert_eq!(&l[14..15], "4");
    }
}
