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
        let mut s = serde_json::to_string_pretty(&SortedView::of(self)).expect("state serializes");
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

/// A state as Terraform writes it: resources ordered by module, mode, type and name, and
/// each resource's instances by key (none first, then numbers, then strings) and deposed
/// key. A view, so that writing a large state does not copy it; an apply records
/// instances in the order they finish.
#[derive(Serialize)]
struct SortedView<'a> {
    version: u64,
    terraform_version: &'a str,
    serial: u64,
    lineage: &'a str,
    outputs: &'a serde_json::Map<String, Json>,
    resources: Vec<SortedResource<'a>>,
    #[serde(skip_serializing_if = "is_none")]
    check_results: &'a Option<Json>,
}

#[derive(Serialize)]
struct SortedResource<'a> {
    #[serde(skip_serializing_if = "is_none")]
    module: &'a Option<String>,
    mode: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "is_none")]
    each: &'a Option<String>,
    provider: &'a str,
    instances: Vec<&'a Instance>,
}

fn is_none<T>(value: &&Option<T>) -> bool {
    value.is_none()
}

impl<'a> SortedView<'a> {
    fn of(state: &'a State) -> SortedView<'a> {
        let mut resources: Vec<SortedResource<'a>> = state
            .resources
            .iter()
            .map(|r| {
                let mut instances: Vec<&Instance> = r.instances.iter().collect();
                instances.sort_by(|a, b| {
                    instance_key_order(&a.index_key, &b.index_key)
                        .then_with(|| a.deposed.cmp(&b.deposed))
                });
                SortedResource {
                    module: &r.module,
                    mode: &r.mode,
                    ty: &r.ty,
                    name: &r.name,
                    each: &r.each,
                    provider: &r.provider,
                    instances,
                }
            })
            .collect();
        resources.sort_by(|a, b| {
            let module = |m: &Option<String>| m.clone().unwrap_or_default();
            module(a.module)
                .cmp(&module(b.module))
                .then_with(|| a.mode.cmp(b.mode))
                .then_with(|| a.ty.cmp(b.ty))
                .then_with(|| a.name.cmp(b.name))
        });
        SortedView {
            version: state.version,
            terraform_version: &state.terraform_version,
            serial: state.serial,
            lineage: &state.lineage,
            outputs: &state.outputs,
            resources,
            check_results: &state.check_results,
        }
    }
}

/// Terraform's order of instance keys: none, then numbers by value, then strings.
fn instance_key_order(a: &Option<Json>, b: &Option<Json>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let rank = |k: &Option<Json>| match k {
        None => 0,
        Some(Json::Number(_)) => 1,
        Some(_) => 2,
    };
    match (a, b) {
        (Some(Json::Number(x)), Some(Json::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Json::String(x)), Some(Json::String(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
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
    fn written_in_terraforms_order() {
        let instance = |key: Option<Json>| Instance {
            index_key: key,
            status: None,
            deposed: None,
            schema_version: 0,
            attributes: serde_json::json!({}),
            sensitive_attributes: vec![],
            private: None,
            dependencies: vec![],
            create_before_destroy: false,
        };
        let resource =
            |module: Option<&str>, mode: &str, name: &str, keys: Vec<Option<Json>>| Resource {
                module: module.map(str::to_owned),
                mode: mode.into(),
                ty: "null_resource".into(),
                name: name.into(),
                each: None,
                provider: "provider[\"registry.terraform.io/hashicorp/null\"]".into(),
                instances: keys.into_iter().map(instance).collect(),
            };
        let mut s = State::new("1.0.3");
        s.resources = vec![
            resource(Some("module.m[\"b\"]"), "managed", "x", vec![None]),
            resource(
                None,
                "managed",
                "b",
                vec![Some(Json::from(10)), Some(Json::from(2))],
            ),
            resource(Some("module.m[\"a\"]"), "managed", "x", vec![None]),
            resource(
                None,
                "data",
                "z",
                vec![Some(Json::from("k")), Some(Json::from("a"))],
            ),
            resource(None, "managed", "a", vec![None]),
        ];
        let written: serde_json::Value = serde_json::from_str(&s.to_json_text()).unwrap();
        let order: Vec<String> = written["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r["module"].as_str().unwrap_or(""),
                    r["mode"],
                    r["name"]
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                " \"data\" \"z\"",
                " \"managed\" \"a\"",
                " \"managed\" \"b\"",
                "module.m[\"a\"] \"managed\" \"x\"",
                "module.m[\"b\"] \"managed\" \"x\"",
            ]
        );
        assert_eq!(written["resources"][0]["instances"][0]["index_key"], "a");
        assert_eq!(written["resources"][2]["instances"][0]["index_key"], 2);
    }

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
