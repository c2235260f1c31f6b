//! Workspaces of the local backend, laid out as Terraform lays them out: `default` is
//! `terraform.tfstate`, every other workspace is a directory
//! `terraform.tfstate.d/NAME/` holding its `terraform.tfstate`; the selected workspace is
//! recorded in `<data dir>/environment` and `TF_WORKSPACE` overrides it.

use crate::lock::{lock, LockError};
use crate::State;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the workspace that always exists.
pub const DEFAULT: &str = "default";

/// The directory holding the non-default workspaces.
pub fn workspaces_dir(dir: &Path) -> PathBuf {
    dir.join("terraform.tfstate.d")
}

/// Why a workspace operation was refused, with Terraform's messages.
#[derive(Debug)]
pub enum WorkspaceError {
    InvalidName(String),
    Exists(String),
    NotFound(String),
    IsCurrent(String),
    IsDefault,
    NotEmpty(String),
    Lock(LockError),
    State(crate::StateError),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkspaceError::InvalidName(n) => write!(
                f,
                "The workspace name {n:?} is not allowed. The name must contain only URL safe\ncharacters, and no path separators."
            ),
            WorkspaceError::Exists(n) => write!(f, "Workspace {n:?} already exists"),
            WorkspaceError::NotFound(n) => write!(
                f,
                "Workspace {n:?} doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand."
            ),
            WorkspaceError::IsCurrent(n) => write!(
                f,
                "Workspace {n:?} is your active workspace.\n\nYou cannot delete the currently active workspace. Please switch\nto another workspace and try again."
            ),
            WorkspaceError::IsDefault => f.write_str("cannot delete default state"),
            WorkspaceError::NotEmpty(n) => write!(
                f,
                "Workspace {n:?} is not empty.\n\nDeleting {n:?} can result in dangling resources: resources that\nexist but are no longer manageable by terrane. Please destroy\nthese resources first.  If you want to delete this workspace\nanyway and risk dangling resources, use the '-force' flag."
            ),
            WorkspaceError::Lock(e) => write!(f, "Error acquiring the state lock: {e}"),
            WorkspaceError::State(e) => e.fmt(f),
            WorkspaceError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for WorkspaceError {}

/// Whether Terraform accepts `name` as a workspace name: it must be unchanged by URL path
/// segment escaping (Go's `url.PathEscape`). `.` and `..`, which escaping leaves alone but
/// which are not directories of their own, are refused too.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'~' | b'$' | b'&' | b'+' | b':' | b'=' | b'@'
                )
        })
}

/// The workspaces: `default` first, then the others sorted by name.
pub fn list(dir: &Path) -> Result<Vec<String>, WorkspaceError> {
    let mut names = vec![DEFAULT.to_string()];
    let base = workspaces_dir(dir);
    let entries = match fs::read_dir(&base) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
        Err(e) => return Err(WorkspaceError::Io(base, e)),
    };
    let mut others: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    others.sort();
    names.extend(others);
    Ok(names)
}

/// Whether the workspace exists.
pub fn exists(dir: &Path, name: &str) -> Result<bool, WorkspaceError> {
    Ok(list(dir)?.iter().any(|n| n == name))
}

/// Creates a workspace (its directory, with no state yet).
pub fn create(dir: &Path, name: &str) -> Result<(), WorkspaceError> {
    if !is_valid_name(name) {
        return Err(WorkspaceError::InvalidName(name.to_string()));
    }
    if exists(dir, name)? {
        return Err(WorkspaceError::Exists(name.to_string()));
    }
    let path = workspaces_dir(dir).join(name);
    fs::create_dir_all(&path).map_err(|e| WorkspaceError::Io(path, e))
}

/// Deletes a workspace and its state. Refuses `default`, the current workspace, and a
/// workspace whose state still has resources unless `force`. The state is locked while it
/// is checked (unless `lock_timeout` is `None`). Returns whether the state had resources.
pub fn delete(
    dir: &Path,
    name: &str,
    current: &str,
    force: bool,
    lock_timeout: Option<Duration>,
) -> Result<bool, WorkspaceError> {
    if !exists(dir, name)? {
        return Err(WorkspaceError::NotFound(name.to_string()));
    }
    if name == current {
        return Err(WorkspaceError::IsCurrent(name.to_string()));
    }
    if name == DEFAULT {
        return Err(WorkspaceError::IsDefault);
    }
    let state_path = crate::workspace_state_path(dir, name);
    let held = match lock_timeout {
        Some(t) => Some(lock(&state_path, "workspace-delete", t).map_err(WorkspaceError::Lock)?),
        None => None,
    };
    let has_resources = State::read(&state_path)
        .map_err(WorkspaceError::State)?
        .is_some_and(|s| !s.resources.is_empty());
    if has_resources && !force {
        return Err(WorkspaceError::NotEmpty(name.to_string()));
    }
    drop(held);
    let path = workspaces_dir(dir).join(name);
    fs::remove_dir_all(&path).map_err(|e| WorkspaceError::Io(path, e))?;
    Ok(has_resources)
}

/// The file recording the selected workspace.
pub fn environment_file(data_dir: &Path) -> PathBuf {
    data_dir.join("environment")
}

/// The selected workspace and whether `TF_WORKSPACE` (given as `env_override`) chose it.
pub fn current(data_dir: &Path, env_override: Option<&str>) -> (String, bool) {
    if let Some(name) = env_override.filter(|n| !n.is_empty()) {
        return (name.to_string(), true);
    }
    let recorded = fs::read_to_string(environment_file(data_dir))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if recorded.is_empty() {
        (DEFAULT.to_string(), false)
    } else {
        (recorded, false)
    }
}

/// Records `name` as the selected workspace (as Terraform writes it: the bare name).
pub fn select(data_dir: &Path, name: &str) -> Result<(), WorkspaceError> {
    let io = |e| WorkspaceError::Io(data_dir.to_path_buf(), e);
    fs::create_dir_all(data_dir).map_err(io)?;
    fs::write(environment_file(data_dir), name).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_terraform_validates_them() {
        for ok in ["dev", "a-b_c.d~e", "x$&+:=@y", "Prod2"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["a/b", "a b", "a,b", "a;b", "a?b", "é", "", "..", "a%b"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn create_list_select_delete() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let data = d.join(".terraform");
        assert_eq!(list(d).unwrap(), ["default"]);
        create(d, "zeta").unwrap();
        create(d, "alpha").unwrap();
        assert!(matches!(create(d, "alpha"), Err(WorkspaceError::Exists(_))));
        assert!(matches!(
            create(d, "a/b"),
            Err(WorkspaceError::InvalidName(_))
        ));
        assert_eq!(list(d).unwrap(), ["default", "alpha", "zeta"]);
        assert!(d.join("terraform.tfstate.d/alpha").is_dir());

        assert_eq!(current(&data, None), ("default".to_string(), false));
        select(&data, "alpha").unwrap();
        assert_eq!(
            fs::read_to_string(data.join("environment")).unwrap(),
            "alpha"
        );
        assert_eq!(current(&data, None), ("alpha".to_string(), false));
        assert_eq!(current(&data, Some("zeta")), ("zeta".to_string(), true));

        assert!(matches!(
            delete(d, "alpha", "alpha", false, None),
            Err(WorkspaceError::IsCurrent(_))
        ));
        assert!(matches!(
            delete(d, "default", "alpha", false, None),
            Err(WorkspaceError::IsDefault)
        ));
        assert!(matches!(
            delete(d, "nope", "alpha", false, None),
            Err(WorkspaceError::NotFound(_))
        ));

        let mut state = State::new("1.0.3");
        state.resources.push(crate::Resource {
            module: None,
            mode: "managed".into(),
            ty: "null_resource".into(),
            name: "a".into(),
            each: None,
            provider: "provider[\"registry.terraform.io/hashicorp/null\"]".into(),
            instances: vec![],
        });
        state
            .write(&crate::workspace_state_path(d, "zeta"))
            .unwrap();
        assert!(matches!(
            delete(d, "zeta", "alpha", false, Some(Duration::ZERO)),
            Err(WorkspaceError::NotEmpty(_))
        ));
        let held = lock(
            &crate::workspace_state_path(d, "zeta"),
            "apply",
            Duration::ZERO,
        )
        .unwrap();
        assert!(matches!(
            delete(d, "zeta", "alpha", true, Some(Duration::ZERO)),
            Err(WorkspaceError::Lock(_))
        ));
        drop(held);
        assert!(delete(d, "zeta", "alpha", true, Some(Duration::ZERO)).unwrap());
        assert_eq!(list(d).unwrap(), ["default", "alpha"]);
    }
}
