//! `terraform_remote_state`: the root module outputs of another configuration's state.
//! Only the `local` backend is supported: its state file is read and parsed here (the
//! `path` of the default workspace, or `<workspace_dir>/<workspace>/terraform.tfstate`).

use crate::get;
use std::collections::BTreeMap;
use std::path::PathBuf;
use terrane_engine::convert::convert;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::json::value_from_json;
use terrane_engine::provider::{Attribute, Block, Schema};
use terrane_engine::value::{Type, Value};

/// Backends Terraform has that terrane cannot read yet.
const UNSUPPORTED_BACKENDS: [&str; 13] = [
    "remote",
    "azurerm",
    "consul",
    "cos",
    "gcs",
    "http",
    "inmem",
    "kubernetes",
    "oss",
    "pg",
    "s3",
    "oci",
    "cloud",
];

/// Backends Terraform no longer has, with the reason it gives.
fn removed_backend(name: &str) -> Option<String> {
    match name {
        "artifactory" | "etcd" | "etcdv3" | "manta" | "swift" => Some(format!(
            "The {name:?} backend is not supported in Terraform v1.3 or later."
        )),
        "azure" => {
            Some("The \"azure\" backend name has been removed, please use \"azurerm\".".to_string())
        }
        _ => None,
    }
}

pub fn schema() -> Schema {
    let mut block = Block {
        description: "The root module outputs of another configuration's state.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    attrs.insert(
        "backend".into(),
        Attribute::required(Type::String).describe("The backend holding the state, e.g. `local`."),
    );
    attrs.insert(
        "config".into(),
        Attribute::optional(Type::Dynamic)
            .describe("The backend's configuration, as in a `backend` block."),
    );
    attrs.insert(
        "defaults".into(),
        Attribute::optional(Type::Dynamic)
            .describe("Values for outputs the state lacks (or when it is empty)."),
    );
    attrs.insert(
        "outputs".into(),
        Attribute::computed(Type::Dynamic).describe("An object of the state's root outputs."),
    );
    attrs.insert(
        "workspace".into(),
        Attribute::optional(Type::String).describe("The workspace whose state to read."),
    );
    Schema { version: 0, block }
}

/// Whether a value can give an object's attributes (an object or a map; the dynamic type
/// is not known yet).
fn is_object_like(ty: &Type) -> bool {
    matches!(ty, Type::Dynamic | Type::Object(_) | Type::Map(_))
}

pub fn validate(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let backend_config = get(config, "config");
    let backend = get(config, "backend");
    if backend_config.is_wholly_known() && backend.is_known() {
        if let Err(d) = local_backend(config) {
            diagnostics.extend(d);
        }
    } else if !is_object_like(&backend_config.ty()) {
        diagnostics.push(Diagnostic::error(
            "Invalid backend configuration",
            "The configuration must be an object value.",
        ));
    }
    if !is_object_like(&get(config, "defaults").ty()) {
        diagnostics.push(Diagnostic::error(
            "Invalid default values",
            "Defaults must be given in an object value.",
        ));
    }
    diagnostics
}

/// The settings of the `local` backend.
struct LocalBackend {
    path: Option<String>,
    workspace_dir: Option<String>,
}

fn invalid_backend(detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error("Invalid backend configuration", detail).into()
}

/// Checks the backend name and decodes the local backend's configuration.
fn local_backend(config: &Value) -> Result<LocalBackend, Diagnostics> {
    let backend = get(config, "backend");
    let name = backend.as_str().unwrap_or_default();
    let name = if name == "_local" { "local" } else { name };
    if name != "local" {
        if UNSUPPORTED_BACKENDS.contains(&name) {
            return Err(Diagnostic::error(
                "Unsupported backend",
                format!(
                    "backend {name:?} is not supported yet by terrane's terraform_remote_state; only \"local\" is."
                ),
            )
            .into());
        }
        return Err(invalid_backend(removed_backend(name).unwrap_or_else(
            || format!("There is no backend type named {name:?}."),
        )));
    }
    let not_valid = |why: String| {
        invalid_backend(format!(
            "The given configuration is not valid for backend \"local\": {why}."
        ))
    };
    let backend_config = get(config, "config");
    let attributes = match &backend_config {
        Value::Null(_) => BTreeMap::new(),
        Value::Object(m) | Value::Map(_, m) => (**m).clone(),
        _ => return Err(not_valid("an object is required".into())),
    };
    let mut settings = LocalBackend {
        path: None,
        workspace_dir: None,
    };
    for (key, value) in &attributes {
        let slot = match key.as_str() {
            "path" => &mut settings.path,
            "workspace_dir" => &mut settings.workspace_dir,
            other => return Err(not_valid(format!("unexpected attribute {other:?}"))),
        };
        let text = convert(value, &Type::String).map_err(|e| not_valid(format!(".{key}: {e}")))?;
        *slot = text.as_str().map(str::to_string);
    }
    let mut problems = Diagnostics::new();
    if settings.path.as_deref() == Some("") {
        problems.push(Diagnostic::error(
            "Invalid local state file path",
            "The \"path\" attribute value must not be empty.",
        ));
    }
    if settings.workspace_dir.as_deref() == Some("") {
        problems.push(Diagnostic::error(
            "Invalid local workspace directory path",
            "The \"workspace_dir\" attribute value must not be empty.",
        ));
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(settings)
}

impl LocalBackend {
    /// Where the local backend keeps a workspace's state.
    fn state_path(&self, workspace: &str) -> PathBuf {
        if workspace == "default" || workspace.is_empty() {
            PathBuf::from(self.path.as_deref().unwrap_or("terraform.tfstate"))
        } else {
            PathBuf::from(
                self.workspace_dir
                    .as_deref()
                    .unwrap_or("terraform.tfstate.d"),
            )
            .join(workspace)
            .join("terraform.tfstate")
        }
    }
}

/// The value of one root output as the state records it.
fn output_value(name: &str, output: &serde_json::Value) -> Result<Value, Diagnostics> {
    let fail = |why: String| {
        Diagnostics::from(Diagnostic::error(
            "Invalid output in remote state",
            format!("The output {name:?} in the remote state cannot be read: {why}"),
        ))
    };
    let type_json = output
        .get("type")
        .ok_or_else(|| fail("it has no type".into()))?;
    let ty = Type::from_json(type_json).ok_or_else(|| fail(format!("invalid type {type_json}")))?;
    value_from_json(output.get("value").unwrap_or(&serde_json::Value::Null), &ty).map_err(fail)
}

pub fn read(config: &Value) -> Result<Value, Diagnostics> {
    let backend = local_backend(config)?;
    let workspace = get(config, "workspace");
    let workspace_name = workspace.as_str().unwrap_or("default").to_string();
    let path = backend.state_path(&workspace_name);
    let state = terrane_state::State::read(&path).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Error loading state error",
            format!("error loading the remote state: {e}"),
        ))
    })?;

    let mut outputs = BTreeMap::new();
    let defaults = get(config, "defaults");
    if let Some(m) = defaults.as_mapping() {
        outputs.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let Some(state) = state else {
        return Err(Diagnostic::error(
            "Unable to find remote state",
            "No stored state was found for the given workspace in the given backend.",
        )
        .into());
    };
    for (name, output) in &state.outputs {
        outputs.insert(name.clone(), output_value(name, output)?);
    }

    let mut result = BTreeMap::new();
    result.insert("backend".to_string(), get(config, "backend"));
    result.insert("config".to_string(), get(config, "config"));
    result.insert(
        "defaults".to_string(),
        if defaults.is_null() {
            Value::Null(Type::Dynamic)
        } else {
            defaults
        },
    );
    result.insert("outputs".to_string(), Value::object(outputs));
    result.insert("workspace".to_string(), workspace);
    Ok(Value::object(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider;

    const T: &str = "terraform_remote_state";

    fn object(set: &[(&str, Value)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = schema()
            .block
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
            .collect();
        for (k, v) in set {
            attrs.insert(k.to_string(), v.clone());
        }
        Value::object(attrs)
    }

    fn path_config(path: &std::path::Path) -> Value {
        Value::object(
            [(
                "path".to_string(),
                Value::string(path.to_string_lossy().to_string()),
            )]
            .into(),
        )
    }

    /// A state file as Terraform 1.0.3 writes it for
    /// `output "a" { value = "x" }`, `output "n" { value = [1, true] }` and a sensitive
    /// `output "s" { value = { k = "v" } }`.
    const STATE: &str = r#"{
  "version": 4,
  "terraform_version": "1.0.3",
  "serial": 1,
  "lineage": "5d1e8f56-4a41-8c6e-3f87-0f0f6d1f3a90",
  "outputs": {
    "a": { "value": "x", "type": "string" },
    "n": { "value": [1, true], "type": ["tuple", ["number", "bool"]] },
    "s": { "value": { "k": "v" }, "type": ["object", { "k": "string" }], "sensitive": true }
  },
  "resources": []
}
"#;

    #[tokio::test]
    async fn reads_local_state_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.tfstate");
        std::fs::write(&path, STATE).unwrap();
        let defaults = Value::object(
            [
                ("a".to_string(), Value::string("default")),
                ("d".to_string(), Value::int(7)),
            ]
            .into(),
        );
        let config = object(&[
            ("backend", "local".into()),
            ("config", path_config(&path)),
            ("defaults", defaults.clone()),
        ]);
        let p = provider();
        assert!(p.validate_data_source_config(T, &config).await.is_empty());
        let v = p.read_data_source(T, &config).await.unwrap();
        let outputs = get(&v, "outputs");
        let o = outputs.as_mapping().unwrap();
        assert_eq!(o["a"], Value::string("x"));
        assert_eq!(o["d"], Value::int(7));
        assert_eq!(o["n"], Value::tuple(vec![Value::int(1), Value::Bool(true)]));
        assert_eq!(
            o["s"],
            Value::object([("k".to_string(), Value::string("v"))].into())
        );
        assert_eq!(get(&v, "defaults"), defaults);
        assert!(get(&v, "workspace").is_null());
        assert_eq!(get(&v, "backend"), Value::string("local"));
    }

    #[tokio::test]
    async fn workspaces_live_under_the_workspace_dir() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("envs/staging");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::write(ws.join("terraform.tfstate"), STATE).unwrap();
        let config = object(&[
            ("backend", "local".into()),
            (
                "config",
                Value::object(
                    [(
                        "workspace_dir".to_string(),
                        Value::string(dir.path().join("envs").to_string_lossy().to_string()),
                    )]
                    .into(),
                ),
            ),
            ("workspace", "staging".into()),
        ]);
        let v = provider().read_data_source(T, &config).await.unwrap();
        assert_eq!(get(&v, "outputs").len(), Some(3));
        assert_eq!(get(&v, "workspace"), Value::string("staging"));
    }

    #[tokio::test]
    async fn missing_state_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let config = object(&[
            ("backend", "local".into()),
            ("config", path_config(&dir.path().join("none.tfstate"))),
        ]);
        let e = provider().read_data_source(T, &config).await.unwrap_err();
        assert_eq!(e.0[0].summary, "Unable to find remote state");
    }

    #[tokio::test]
    async fn backend_errors() {
        let p = provider();
        let s3 = object(&[("backend", "s3".into())]);
        let d = p.validate_data_source_config(T, &s3).await;
        assert_eq!(
            d.0[0].detail,
            "backend \"s3\" is not supported yet by terrane's terraform_remote_state; only \"local\" is."
        );
        assert!(p.read_data_source(T, &s3).await.is_err());
        let bogus = object(&[("backend", "bogus".into())]);
        let d = p.validate_data_source_config(T, &bogus).await;
        assert_eq!(d.0[0].detail, "There is no backend type named \"bogus\".");
        let etcd = object(&[("backend", "etcd".into())]);
        let d = p.validate_data_source_config(T, &etcd).await;
        assert_eq!(
            d.0[0].detail,
            "The \"etcd\" backend is not supported in Terraform v1.3 or later."
        );
        let extra = object(&[
            ("backend", "local".into()),
            (
                "config",
                Value::object([("bucket".to_string(), Value::string("x"))].into()),
            ),
        ]);
        let d = p.validate_data_source_config(T, &extra).await;
        assert_eq!(
            d.0[0].detail,
            "The given configuration is not valid for backend \"local\": unexpected attribute \"bucket\"."
        );
        let empty = object(&[
            ("backend", "local".into()),
            (
                "config",
                Value::object([("path".to_string(), Value::string(""))].into()),
            ),
        ]);
        let d = p.validate_data_source_config(T, &empty).await;
        assert_eq!(d.0[0].summary, "Invalid local state file path");
        let listed = object(&[
            ("backend", "local".into()),
            (
                "config",
                Value::object([("path".to_string(), Value::tuple(vec!["a".into()]))].into()),
            ),
        ]);
        let d = p.validate_data_source_config(T, &listed).await;
        assert_eq!(
            d.0[0].detail,
            "The given configuration is not valid for backend \"local\": .path: string required."
        );
        let not_object = object(&[("backend", "local".into()), ("config", "x".into())]);
        let d = p.validate_data_source_config(T, &not_object).await;
        assert_eq!(
            d.0[0].detail,
            "The given configuration is not valid for backend \"local\": an object is required."
        );
        let bad_defaults = object(&[("backend", "local".into()), ("defaults", "x".into())]);
        let d = p.validate_data_source_config(T, &bad_defaults).await;
        assert_eq!(d.0[0].summary, "Invalid default values");
        let unknown_config = object(&[
            ("backend", "local".into()),
            ("config", Value::Unknown(Type::Dynamic)),
        ]);
        assert!(p
            .validate_data_source_config(T, &unknown_config)
            .await
            .is_empty());
    }
}
