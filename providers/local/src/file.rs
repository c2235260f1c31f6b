//! The `local_file` and `local_sensitive_file` resources: a file written with the given
//! content and permissions when created, removed when destroyed, and reported gone when it
//! disappears or its content changes outside Terraform. Also the checksums both the
//! resources and the data sources report.

use base64::Engine as _;
use md5::Digest as _;
use std::collections::BTreeMap;
use std::path::Path;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework::{self, get, get_str};
use terrane_engine::provider::{Attribute, AttributePath, Block, Schema};
use terrane_engine::value::{Type, Value};

/// Which of the two resources (or data sources): they differ in which arguments are
/// sensitive and in their default permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Plain,
    Sensitive,
}

impl FileKind {
    fn default_permission(self) -> &'static str {
        match self {
            FileKind::Plain => "0777",
            FileKind::Sensitive => "0700",
        }
    }

    /// The arguments of which exactly one gives the content, in the upstream order.
    fn content_arguments(self) -> &'static [&'static str] {
        match self {
            FileKind::Plain => &["content", "sensitive_content", "content_base64", "source"],
            FileKind::Sensitive => &["content", "content_base64", "source"],
        }
    }

    fn operation(self) -> &'static str {
        match self {
            FileKind::Plain => "local file",
            FileKind::Sensitive => "local sensitive file",
        }
    }
}

/// The checksum attributes, with what they hold.
pub const CHECKSUMS: [(&str, &str); 6] = [
    ("content_md5", "MD5 checksum of the content, in hex."),
    ("content_sha1", "SHA-1 checksum of the content, in hex."),
    ("content_sha256", "SHA-256 checksum of the content, in hex."),
    (
        "content_base64sha256",
        "SHA-256 checksum of the content, in base64.",
    ),
    ("content_sha512", "SHA-512 checksum of the content, in hex."),
    (
        "content_base64sha512",
        "SHA-512 checksum of the content, in base64.",
    ),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-1 of `data` in hex: the `id` of files and data sources.
pub fn sha1_hex(data: &[u8]) -> String {
    hex(&sha1::Sha1::digest(data))
}

/// The checksum attributes for `data`.
pub fn checksums(data: &[u8]) -> Vec<(&'static str, String)> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let sha256 = sha2::Sha256::digest(data);
    let sha512 = sha2::Sha512::digest(data);
    vec![
        ("content_md5", hex(&md5::Md5::digest(data))),
        ("content_sha1", sha1_hex(data)),
        ("content_sha256", hex(&sha256)),
        ("content_base64sha256", b64(&sha256)),
        ("content_sha512", hex(&sha512)),
        ("content_base64sha512", b64(&sha512)),
    ]
}

/// An I/O error as Go words it: `open NAME: no such file or directory`.
pub fn go_io_error(operation: &str, path: &str, error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).to_string();
    let mut chars = text.chars();
    let lowered = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    };
    format!("{operation} {path}: {lowered}")
}

pub fn schema(kind: FileKind) -> Schema {
    let sensitive = kind == FileKind::Sensitive;
    let mut block = Block {
        description: match kind {
            FileKind::Plain => "A local file with the given content.".into(),
            FileKind::Sensitive => "A local file with the given sensitive content.".into(),
        },
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    attrs.insert(
        "filename".into(),
        Attribute::required(Type::String)
            .force_new()
            .describe("Path of the file to write; missing parent directories are created."),
    );
    let content = Attribute::optional(Type::String)
        .force_new()
        .describe("Content of the file, as UTF-8 text.");
    attrs.insert("content".into(), sensitive_if(content.clone(), sensitive));
    attrs.insert(
        "content_base64".into(),
        sensitive_if(
            Attribute::optional(Type::String)
                .force_new()
                .describe("Content of the file, as base64 of its bytes."),
            sensitive,
        ),
    );
    attrs.insert(
        "source".into(),
        Attribute::optional(Type::String)
            .force_new()
            .describe("Path of a file whose content to copy."),
    );
    if kind == FileKind::Plain {
        attrs.insert(
            "sensitive_content".into(),
            content
                .sensitive()
                .describe("Sensitive content of the file (deprecated: use local_sensitive_file)."),
        );
    }
    for (name, what) in [
        ("file_permission", "Permissions of the file, in octal"),
        (
            "directory_permission",
            "Permissions of created directories, in octal",
        ),
    ] {
        attrs.insert(
            name.into(),
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe(&format!("{what} (default {}).", kind.default_permission())),
        );
    }
    attrs.insert(
        "id".into(),
        Attribute::computed(Type::String).describe("SHA-1 checksum of the content, in hex."),
    );
    for (name, what) in CHECKSUMS {
        attrs.insert(
            name.into(),
            Attribute::computed(Type::String).describe(what),
        );
    }
    Schema { version: 0, block }
}

/// `attribute`, marked sensitive when `sensitive` is true.
pub fn sensitive_if(attribute: Attribute, sensitive: bool) -> Attribute {
    if sensitive {
        attribute.sensitive()
    } else {
        attribute
    }
}

/// Checks a permission string as the upstream provider's permission type does.
fn permission_problem(text: &str) -> Option<String> {
    if text.len() < 3 || text.len() > 4 {
        return Some(format!(
            "bad mode permission: string length should be 3 or 4 digits: {text}"
        ));
    }
    match i64::from_str_radix(text, 8) {
        Ok(mode) if (0..=0o777).contains(&mode) => None,
        _ => Some(format!(
            "bad mode permission: string must be expressed in octal numeric notation: {text}"
        )),
    }
}

pub fn validate(kind: FileKind, config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let arguments = kind.content_arguments();
    let mut checked: Vec<&str> = arguments.to_vec();
    checked.sort_unstable();
    for name in checked {
        // Each content argument has an ExactlyOneOf validator naming the others.
        if !get(config, name).is_known() {
            continue;
        }
        let others: Vec<&str> = arguments.iter().copied().filter(|n| *n != name).collect();
        if others.iter().any(|n| !get(config, n).is_known()) {
            continue;
        }
        let count = arguments
            .iter()
            .filter(|n| !get(config, n).is_null())
            .count();
        let listed = format!("[{}]", others.join(","));
        let detail = match count {
            0 => format!("No attribute specified when one (and only one) of {listed} is required"),
            1 => continue,
            n => {
                format!("{n} attributes specified when one (and only one) of {listed} is required")
            }
        };
        diagnostics.push(Diagnostic::error("Invalid Attribute Combination", detail));
    }
    if kind == FileKind::Plain && !get(config, "sensitive_content").is_null() {
        diagnostics.push(Diagnostic::warning(
            "Attribute Deprecated",
            "Use the `local_sensitive_file` resource instead",
        ));
    }
    for name in ["directory_permission", "file_permission"] {
        if let Some(problem) = get_str(config, name).and_then(|t| permission_problem(&t)) {
            diagnostics.push(Diagnostic::error(
                "Invalid File Permission String Value",
                problem,
            ));
        }
    }
    diagnostics
}

pub fn plan(
    kind: FileKind,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> (Value, Vec<AttributePath>) {
    let block = schema(kind).block;
    let default = Value::string(kind.default_permission());
    let defaults = [
        ("file_permission", default.clone()),
        ("directory_permission", default),
    ];
    let planned = framework::plan_attributes(&block, prior, proposed, config, &defaults, &[]);
    let replace = framework::replaced_attributes(&block, prior, &planned);
    (Value::object(planned), replace)
}

/// The bytes to write, from whichever content argument is set.
fn content_bytes(kind: FileKind, planned: &Value) -> Result<Vec<u8>, String> {
    if kind == FileKind::Plain {
        if let Some(text) = get_str(planned, "sensitive_content") {
            return Ok(text.into_bytes());
        }
    }
    if let Some(encoded) = get_str(planned, "content_base64") {
        return decode_base64(&encoded);
    }
    if let Some(source) = get_str(planned, "source") {
        return std::fs::read(&source).map_err(|e| go_io_error("open", &source, &e));
    }
    Ok(get_str(planned, "content").unwrap_or_default().into_bytes())
}

/// Decodes standard, padded base64 as Go's `StdEncoding` does: line breaks are ignored
/// and the unused bits of the last character need not be zero.
fn decode_base64(encoded: &str) -> Result<Vec<u8>, String> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let compact: String = encoded
        .chars()
        .filter(|c| *c != '\r' && *c != '\n')
        .collect();
    engine
        .decode(compact.as_bytes())
        .map_err(|e| format!("illegal base64 data: {e}"))
}

/// Parses a validated octal permission string.
fn mode(planned: &Value, name: &str) -> u32 {
    get_str(planned, name)
        .and_then(|t| u32::from_str_radix(&t, 8).ok())
        .unwrap_or(0)
}

fn create_directories(dir: &Path, mode: u32) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(dir)
}

/// Writes `content` as `os.WriteFile` does: created with `mode` (before the umask) when
/// new, truncated when it exists.
fn write_file(path: &Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)?.write_all(content)
}

fn create(kind: FileKind, planned: &Value) -> Result<Value, Diagnostics> {
    let operation = kind.operation();
    let fail = |what: &str, e: String| {
        Diagnostics::from(Diagnostic::error(
            format!("Create {operation} error"),
            format!("An unexpected error occurred while {what}\n\nOriginal Error: {e}"),
        ))
    };
    let content =
        content_bytes(kind, planned).map_err(|e| fail("parsing local file content", e))?;
    let filename = get_str(planned, "filename").unwrap_or_default();
    let destination = Path::new(&filename);
    let dir = match destination.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if std::fs::metadata(dir).is_err() {
        create_directories(dir, mode(planned, "directory_permission")).map_err(|e| {
            fail(
                "creating file directory",
                go_io_error("mkdir", &dir.to_string_lossy(), &e),
            )
        })?;
    }
    write_file(destination, &content, mode(planned, "file_permission"))
        .map_err(|e| fail("writing the file", go_io_error("open", &filename, &e)))?;
    let mut state = framework::attributes(planned);
    for (name, sum) in checksums(&content) {
        state.insert(name.into(), Value::string(sum));
    }
    state.insert("id".into(), Value::string(sha1_hex(&content)));
    Ok(Value::object(state))
}

pub fn apply(kind: FileKind, prior: &Value, planned: &Value) -> Result<Value, Diagnostics> {
    if planned.is_null() {
        if let Some(filename) = get_str(prior, "filename") {
            // As upstream, a file that cannot be removed is not an error.
            let _ = std::fs::remove_file(filename);
        }
        return Ok(planned.clone());
    }
    if prior.is_null() {
        return create(kind, planned);
    }
    let mut state: BTreeMap<String, Value> = framework::attributes(planned);
    for (name, value) in state.iter_mut() {
        if !value.is_known() {
            *value = get(prior, name);
        }
    }
    Ok(Value::object(state))
}

pub fn read(kind: FileKind, state: &Value) -> Result<Option<Value>, Diagnostics> {
    let filename = get_str(state, "filename").unwrap_or_default();
    if let Err(e) = std::fs::metadata(&filename) {
        if e.kind() == std::io::ErrorKind::NotFound {
            return Ok(None);
        }
    }
    let content = std::fs::read(&filename).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            format!("Read {} error", kind.operation()),
            format!(
                "An unexpected error occurred while reading the file\n\nOriginal Error: {}",
                go_io_error("open", &filename, &e)
            ),
        ))
    })?;
    if get_str(state, "id").as_deref() != Some(sha1_hex(&content).as_str()) {
        return Ok(None);
    }
    Ok(Some(state.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider;
    use terrane_engine::provider::{ApplyRequest, PlanRequest};

    fn object(kind: FileKind, set: &[(&str, Value)]) -> Value {
        let mut attrs = framework::null_attributes(&schema(kind).block);
        for (k, v) in set {
            assert!(attrs.contains_key(*k), "{k}");
            attrs.insert(k.to_string(), v.clone());
        }
        Value::object(attrs)
    }

    fn type_name(kind: FileKind) -> &'static str {
        match kind {
            FileKind::Plain => "local_file",
            FileKind::Sensitive => "local_sensitive_file",
        }
    }

    async fn plan_create(kind: FileKind, config: &Value) -> Value {
        let r = provider()
            .plan_change(PlanRequest {
                type_name: type_name(kind).into(),
                prior_state: Value::Null(Type::Dynamic),
                proposed_new_state: config.clone(),
                config: config.clone(),
                prior_private: Vec::new(),
            })
            .await;
        assert!(r.diagnostics.is_empty());
        r.planned_state
    }

    async fn apply(kind: FileKind, prior: &Value, planned: &Value) -> Value {
        let r = provider()
            .apply_change(ApplyRequest {
                type_name: type_name(kind).into(),
                prior_state: prior.clone(),
                planned_state: planned.clone(),
                config: planned.clone(),
                planned_private: Vec::new(),
            })
            .await;
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        r.new_state
    }

    fn path_value(p: &Path) -> Value {
        Value::string(p.to_string_lossy().to_string())
    }

    #[test]
    fn schema_shape() {
        let plain = schema(FileKind::Plain).block.attributes;
        assert_eq!(plain.len(), 14);
        assert!(plain
            .values()
            .filter(|a| !a.computed || a.optional)
            .all(|a| a.force_new));
        assert!(plain["filename"].required);
        assert!(plain["sensitive_content"].sensitive && !plain["content"].sensitive);
        assert!(plain["file_permission"].optional && plain["file_permission"].computed);
        assert!(plain["content_sha512"].computed && !plain["content_sha512"].optional);
        let secret = schema(FileKind::Sensitive).block.attributes;
        assert_eq!(secret.len(), 13);
        assert!(secret["content"].sensitive && secret["content_base64"].sensitive);
        assert!(!secret["source"].sensitive);
        assert!(!secret.contains_key("sensitive_content"));
    }

    #[test]
    fn checksums_of_hello() {
        // echo -n hello | {md5,sha1,sha256,sha512}sum; base64 of the raw digests.
        let sums: BTreeMap<_, _> = checksums(b"hello").into_iter().collect();
        assert_eq!(sums["content_md5"], "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(
            sums["content_sha1"],
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        assert_eq!(
            sums["content_sha256"],
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(
            sums["content_base64sha256"],
            "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
        );
        assert!(sums["content_sha512"].starts_with("9b71d224bd62f378"));
        assert!(sums["content_base64sha512"].starts_with("m3HSJL1i83hdltRq0+o9czGb"));
    }

    #[tokio::test]
    async fn validation() {
        let p = provider();
        let none = object(FileKind::Plain, &[("filename", "a".into())]);
        let d = p.validate_resource_config("local_file", &none).await;
        assert_eq!(d.0.len(), 4);
        assert_eq!(
            d.0[0].detail,
            "No attribute specified when one (and only one) of [sensitive_content,content_base64,source] is required"
        );
        let two = object(
            FileKind::Sensitive,
            &[("content", "x".into()), ("source", "y".into())],
        );
        let d = p
            .validate_resource_config("local_sensitive_file", &two)
            .await;
        assert_eq!(d.0.len(), 3);
        assert_eq!(
            d.0[0].detail,
            "2 attributes specified when one (and only one) of [content_base64,source] is required"
        );
        let bad_mode = object(
            FileKind::Plain,
            &[("content", "x".into()), ("file_permission", "0778".into())],
        );
        let d = p.validate_resource_config("local_file", &bad_mode).await;
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            d.0[0].detail,
            "bad mode permission: string must be expressed in octal numeric notation: 0778"
        );
        assert_eq!(
            permission_problem("77").unwrap(),
            "bad mode permission: string length should be 3 or 4 digits: 77"
        );
        assert!(permission_problem("644").is_none());
        let deprecated = object(FileKind::Plain, &[("sensitive_content", "x".into())]);
        let d = p.validate_resource_config("local_file", &deprecated).await;
        assert!(!d.has_errors());
        assert_eq!(d.0[0].summary, "Attribute Deprecated");
        let unknown = object(
            FileKind::Plain,
            &[("content", Value::Unknown(Type::String))],
        );
        assert!(p
            .validate_resource_config("local_file", &unknown)
            .await
            .is_empty());
    }

    #[tokio::test]
    async fn create_read_and_destroy() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/dir/hello.txt");
        let config = object(
            FileKind::Plain,
            &[
                ("filename", path_value(&target)),
                ("content", "hello".into()),
            ],
        );
        let planned = plan_create(FileKind::Plain, &config).await;
        assert_eq!(
            framework::get(&planned, "file_permission"),
            Value::string("0777")
        );
        assert_eq!(
            framework::get(&planned, "directory_permission"),
            Value::string("0777")
        );
        assert!(!framework::get(&planned, "id").is_known());
        assert!(!framework::get(&planned, "content_md5").is_known());

        let state = apply(FileKind::Plain, &Value::Null(Type::Dynamic), &planned).await;
        assert!(state.is_wholly_known());
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        assert_eq!(
            framework::get(&state, "id"),
            Value::string("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
        );
        assert_eq!(
            framework::get(&state, "content_md5"),
            Value::string("5d41402abc4b2a76b9719d911017c592")
        );
        let p = provider();
        let (kept, _) = p.read("local_file", &state, &[]).await.unwrap().unwrap();
        assert_eq!(kept, state);

        std::fs::write(&target, "changed").unwrap();
        assert!(p.read("local_file", &state, &[]).await.unwrap().is_none());
        std::fs::remove_file(&target).unwrap();
        assert!(p.read("local_file", &state, &[]).await.unwrap().is_none());

        let state = apply(FileKind::Plain, &Value::Null(Type::Dynamic), &planned).await;
        let gone = apply(FileKind::Plain, &state, &Value::Null(state.ty())).await;
        assert!(gone.is_null());
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn permissions_apply_before_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("new/secret.txt");
        let config = object(
            FileKind::Sensitive,
            &[
                ("filename", path_value(&target)),
                ("content_base64", "aGVsbG8=".into()),
                ("file_permission", "0600".into()),
            ],
        );
        let planned = plan_create(FileKind::Sensitive, &config).await;
        assert_eq!(
            framework::get(&planned, "directory_permission"),
            Value::string("0700")
        );
        let state = apply(FileKind::Sensitive, &Value::Null(Type::Dynamic), &planned).await;
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        let file_mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(file_mode, 0o600);
        let dir_mode = std::fs::metadata(target.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode & !0o700, 0);
        assert_eq!(
            framework::get(&state, "id"),
            Value::string("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
        );
    }

    #[tokio::test]
    async fn source_and_bad_base64() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src.bin");
        std::fs::write(&source, [0u8, 159, 146, 150]).unwrap();
        let target = dir.path().join("copy.bin");
        let config = object(
            FileKind::Plain,
            &[
                ("filename", path_value(&target)),
                ("source", path_value(&source)),
            ],
        );
        let planned = plan_create(FileKind::Plain, &config).await;
        apply(FileKind::Plain, &Value::Null(Type::Dynamic), &planned).await;
        assert_eq!(std::fs::read(&target).unwrap(), [0u8, 159, 146, 150]);

        let bad = object(
            FileKind::Plain,
            &[
                ("filename", path_value(&target)),
                ("content_base64", "@@".into()),
            ],
        );
        let planned = plan_create(FileKind::Plain, &bad).await;
        let r = provider()
            .apply_change(ApplyRequest {
                type_name: "local_file".into(),
                prior_state: Value::Null(Type::Dynamic),
                planned_state: planned,
                config: bad,
                planned_private: Vec::new(),
            })
            .await;
        assert_eq!(r.diagnostics.0[0].summary, "Create local file error");
        assert!(decode_base64("aGk=\naGk=").is_err());
        assert_eq!(decode_base64("aGVs\r\nbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGF=").unwrap(), b"ha");
    }

    #[tokio::test]
    async fn any_argument_change_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        let config = object(
            FileKind::Plain,
            &[("filename", path_value(&target)), ("content", "one".into())],
        );
        let planned = plan_create(FileKind::Plain, &config).await;
        let prior = apply(FileKind::Plain, &Value::Null(Type::Dynamic), &planned).await;
        let p = provider();
        let mut proposed = framework::attributes(&config);
        for (name, _) in CHECKSUMS.iter().chain(
            [
                ("id", ""),
                ("file_permission", ""),
                ("directory_permission", ""),
            ]
            .iter(),
        ) {
            proposed.insert(name.to_string(), framework::get(&prior, name));
        }
        let same = p
            .plan_change(PlanRequest {
                type_name: "local_file".into(),
                prior_state: prior.clone(),
                proposed_new_state: Value::object(proposed.clone()),
                config: config.clone(),
                prior_private: Vec::new(),
            })
            .await;
        assert!(same.requires_replace.is_empty());
        assert_eq!(same.planned_state, prior);

        proposed.insert("content".into(), "two".into());
        proposed.insert("file_permission".into(), "0644".into());
        let mut changed_config = framework::attributes(&config);
        changed_config.insert("content".into(), "two".into());
        changed_config.insert("file_permission".into(), "0644".into());
        let r = p
            .plan_change(PlanRequest {
                type_name: "local_file".into(),
                prior_state: prior.clone(),
                proposed_new_state: Value::object(proposed),
                config: Value::object(changed_config),
                prior_private: Vec::new(),
            })
            .await;
        let names: Vec<&str> = r.requires_replace.iter().map(|p| p[0].as_str()).collect();
        assert_eq!(names, ["content", "file_permission"]);
        assert!(!framework::get(&r.planned_state, "id").is_known());
    }

    #[test]
    fn io_errors_read_like_go() {
        let e = std::fs::read("/definitely/not/here").unwrap_err();
        assert_eq!(
            go_io_error("open", "/definitely/not/here", &e),
            "open /definitely/not/here: no such file or directory"
        );
    }
}
