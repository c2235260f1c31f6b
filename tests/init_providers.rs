//! `terrane init`, `terrane providers` and `TF_LOG` end to end: the real binary on
//! configurations in temporary directories.
//!
//! The expected files and output follow Terraform 1.0.3: where the reference binary in
//! `../shared/tools` is there, the tests also run it on the same configuration (`terraform
//! get` for the module manifest, `terraform providers`, and `terraform init -plugin-dir`
//! over stand-in packages of the very versions terrane has built in, for the lock file).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn terrane_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_terrane"));
    command
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("NO_COLOR", "1")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_CLI_ARGS_init")
        .env_remove("TF_CLI_ARGS_providers")
        .env_remove("TF_DATA_DIR")
        .env_remove("TF_WORKSPACE")
        .env_remove("TF_IN_AUTOMATION")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_CORE")
        .env_remove("TF_LOG_PROVIDER")
        .env_remove("TF_LOG_PATH");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run terrane")
}

fn terrane(dir: &Path, args: &[&str]) -> Output {
    terrane_with(dir, args, &[])
}

/// A directory holding the given files (paths relative to it).
fn config(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, text).expect("write file");
    }
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output of a successful run.
fn success(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// Standard error of a run that failed with exit code 1.
fn failure(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stderr(output)
}

/// The version terrane has built in of `hashicorp/NAME`.
fn built_in_version(name: &str) -> String {
    let address = format!("registry.terraform.io/hashicorp/{name}");
    terrane_providers::versions()
        .iter()
        .find(|(a, _)| *a == address)
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| panic!("{address} is not built in"))
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// A root module requiring random with a constraint, implying null and tls, calling a local
/// module (twice) that requires time and implies random, and that calls one more module.
const MODULES: &[(&str, &str)] = &[
    (
        "main.tf",
        r#"
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 3.0"
    }
  }
}

module "child" {
  source = "./child"
}

module "other" {
  source = "./child"
}

resource "null_resource" "x" {}

provider "tls" {}
"#,
    ),
    (
        "child/main.tf",
        r#"
terraform {
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = ">= 0.7.0, < 1.0.0"
    }
  }
}

resource "random_id" "x" {
  byte_length = 2
}

resource "time_static" "t" {}

module "grand" {
  source = "./grand"
}
"#,
    ),
    ("child/grand/main.tf", "output \"x\" {\n  value = 1\n}\n"),
];

/// Splits a lock file into its provider blocks, by address.
fn lock_blocks(text: &str) -> Vec<(String, String)> {
    text.split("\nprovider \"")
        .skip(1)
        .map(|block| {
            let (address, rest) = block.split_once('"').expect("a quoted address");
            (address.to_string(), rest.to_string())
        })
        .collect()
}

#[test]
fn init_writes_terraforms_lock_file_and_module_manifest() {
    let dir = config(MODULES);
    let out = success(&terrane(dir.path(), &["init", "-no-color"]));
    for line in [
        "Initializing modules...",
        "- child in child",
        "- child.grand in child/grand",
        "- other in child",
        "- other.grand in child/grand",
        "Initializing the backend...",
        "Initializing provider plugins...",
        "- Finding hashicorp/random versions matching \"~> 3.0\"...",
        "- Finding hashicorp/time versions matching \">= 0.7.0, < 1.0.0\"...",
        "- Finding latest version of hashicorp/null...",
        "Terrane has created a lock file .terraform.lock.hcl to record the provider",
        "Terrane has been successfully initialized!",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "no line {line:?} in:\n{out}"
        );
    }
    let random = built_in_version("random");
    assert!(out.contains(&format!(
        "- Installing hashicorp/random v{random}...\n- Installed hashicorp/random v{random} (built in to terrane)\n"
    )));

    let lock = read(dir.path(), ".terraform.lock.hcl");
    assert!(lock.starts_with(
        "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n\nprovider \""
    ));
    let blocks = lock_blocks(&lock);
    let addresses: Vec<&str> = blocks.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "registry.terraform.io/hashicorp/null",
            "registry.terraform.io/hashicorp/random",
            "registry.terraform.io/hashicorp/time",
            "registry.terraform.io/hashicorp/tls",
        ]
    );
    for (address, body) in &blocks {
        let name = address.rsplit('/').next().unwrap_or_default();
        let version = built_in_version(name);
        let lines: Vec<&str> = body.lines().collect();
        let hash = lines
            .iter()
            .find_map(|l| l.trim().strip_prefix("\"h1:"))
            .unwrap_or_else(|| panic!("no h1 hash for {address}"));
        assert_eq!(hash.len(), 44 + 2, "{hash}");
        let expected_head = match name {
            "random" => vec![
                " {".to_string(),
                format!("  version     = \"{version}\""),
                "  constraints = \"~> 3.0\"".to_string(),
            ],
            "time" => vec![
                " {".to_string(),
                format!("  version     = \"{version}\""),
                "  constraints = \">= 0.7.0, < 1.0.0\"".to_string(),
            ],
            _ => vec![" {".to_string(), format!("  version = \"{version}\"")],
        };
        assert_eq!(lines[..expected_head.len()], expected_head[..], "{address}");
        assert_eq!(
            lines[expected_head.len()..],
            ["  hashes = [", &format!("    \"h1:{hash}"), "  ]", "}"][..],
            "{address}"
        );
    }
    assert!(lock.ends_with("}\n"));

    // The hashes name the provider and version only: another directory gets the same file.
    let again = config(MODULES);
    success(&terrane(again.path(), &["init"]));
    assert_eq!(read(again.path(), ".terraform.lock.hcl"), lock);

    // Terraform 1.0.3's module manifest (recorded with `terraform get` on this
    // configuration; Terraform lists the entries in no particular order, terrane by key).
    assert_eq!(
        read(dir.path(), ".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"child","Source":"./child","Dir":"child"},{"Key":"child.grand","Source":"./grand","Dir":"child/grand"},{"Key":"other","Source":"./child","Dir":"child"},{"Key":"other.grand","Source":"./grand","Dir":"child/grand"}]}"#
    );
}

#[test]
fn init_is_idempotent() {
    let dir = config(MODULES);
    success(&terrane(dir.path(), &["init"]));
    let lock = read(dir.path(), ".terraform.lock.hcl");
    let manifest = read(dir.path(), ".terraform/modules/modules.json");
    let out = success(&terrane(dir.path(), &["init", "-no-color"]));
    assert_eq!(read(dir.path(), ".terraform.lock.hcl"), lock);
    assert_eq!(
        read(dir.path(), ".terraform/modules/modules.json"),
        manifest
    );
    let random = built_in_version("random");
    assert!(out.contains(
        "- Reusing previous version of hashicorp/random from the dependency lock file\n"
    ));
    assert!(out.contains(&format!(
        "- Using previously-installed hashicorp/random v{random} (built in to terrane)\n"
    )));
    assert!(!out.contains("- child in child"), "{out}");
    assert!(!out.contains("created a lock file"), "{out}");
    assert!(!out.contains("made some changes"), "{out}");
    assert!(!out.contains("Finding"), "{out}");
}

#[test]
fn init_keeps_matching_lock_entries_and_upgrade_reselects() {
    let random = built_in_version("random");
    let dir = config(&[(
        "main.tf",
        "resource \"random_id\" \"x\" {\n  byte_length = 2\n}\n",
    )]);
    // An entry Terraform wrote for the version terrane has, with the package's hashes.
    let recorded = format!(
        "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n\nprovider \"registry.terraform.io/hashicorp/random\" {{\n  version     = \"{random}\"\n  constraints = \"~> 3.0\"\n  hashes = [\n    \"h1:fromTerraform=\",\n    \"zh:0123\",\n  ]\n}}\n"
    );
    std::fs::write(dir.path().join(".terraform.lock.hcl"), &recorded).expect("write lock");
    success(&terrane(dir.path(), &["init"]));
    assert_eq!(read(dir.path(), ".terraform.lock.hcl"), recorded);

    // A version terrane does not have is refused, and the lock file left alone.
    let older = recorded.replace(&format!("\"{random}\""), "\"3.1.0\"");
    std::fs::write(dir.path().join(".terraform.lock.hcl"), &older).expect("write lock");
    let err = failure(&terrane(dir.path(), &["init"]));
    assert!(
        err.contains("Failed to query available provider packages"),
        "{err}"
    );
    assert!(
        err.contains("the previously-selected version 3.1.0 is no longer available"),
        "{err}"
    );
    assert!(err.contains("terrane init -upgrade"), "{err}");
    assert_eq!(read(dir.path(), ".terraform.lock.hcl"), older);

    // -upgrade selects the built-in version; the entry's old hashes go with the old version.
    let out = success(&terrane(dir.path(), &["init", "-upgrade"]));
    assert!(out.contains("- Finding latest version of hashicorp/random..."));
    assert!(out.contains("Terrane has made some changes to the provider dependency selections"));
    let lock = read(dir.path(), ".terraform.lock.hcl");
    assert!(
        lock.contains(&format!("  version = \"{random}\"\n")),
        "{lock}"
    );
    assert!(
        !lock.contains("zh:0123") && !lock.contains("3.1.0"),
        "{lock}"
    );

    // -lockfile=readonly refuses to change the file.
    std::fs::write(dir.path().join(".terraform.lock.hcl"), &older).expect("write lock");
    let err = failure(&terrane(
        dir.path(),
        &["init", "-upgrade", "-lockfile=readonly"],
    ));
    assert!(
        err.contains("Provider dependency changes detected"),
        "{err}"
    );
    assert_eq!(read(dir.path(), ".terraform.lock.hcl"), older);
}

#[test]
fn init_refuses_a_provider_terrane_does_not_have() {
    let dir = config(&[(
        "main.tf",
        r#"
terraform {
  required_providers {
    foo = {
      source = "acme/foo"
    }
  }
}
resource "random_id" "x" {
  byte_length = 2
}
"#,
    )]);
    let output = terrane(dir.path(), &["init", "-no-color"]);
    let err = failure(&output);
    let out = stdout(&output);
    assert!(out.contains("Initializing provider plugins...\n"), "{out}");
    assert!(
        out.contains("- Finding latest version of acme/foo...\n"),
        "{out}"
    );
    assert!(
        err.contains("Error: Failed to query available provider packages"),
        "{err}"
    );
    assert!(
        err.contains("Could not retrieve the list of available versions for provider acme/foo: provider registry.terraform.io/acme/foo is not one of the providers built in to terrane"),
        "{err}"
    );
    for (address, version) in terrane_providers::versions() {
        let name = address.trim_start_matches("registry.terraform.io/");
        assert!(err.contains(&format!("  - {name} v{version}\n")), "{err}");
    }
    assert!(!dir.path().join(".terraform.lock.hcl").exists());
}

#[test]
fn init_refuses_constraints_the_built_in_version_does_not_meet() {
    let dir = config(&[(
        "main.tf",
        r#"
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = ">= 1.0,< 2"
    }
  }
}
"#,
    )]);
    let output = terrane(dir.path(), &["init", "-no-color"]);
    let err = failure(&output);
    assert!(stdout(&output)
        .contains("- Finding hashicorp/random versions matching \">= 1.0.0, < 2.0.0\"...\n"));
    assert!(
        err.contains("Could not retrieve the list of available versions for provider hashicorp/random: no available releases match the given constraints >= 1.0.0, < 2.0.0"),
        "{err}"
    );
    assert!(!dir.path().join(".terraform.lock.hcl").exists());

    let bad = config(&[(
        "main.tf",
        "terraform {\n  required_providers {\n    random = {\n      version = \"about three\"\n    }\n  }\n}\n",
    )]);
    let err = failure(&terrane(bad.path(), &["init"]));
    assert!(err.contains("Invalid version constraint"), "{err}");
}

/// A state with resources of the random provider (root) and the null provider (in a module,
/// through an aliased configuration).
const STATE: &str = r#"{
  "version": 4,
  "terraform_version": "1.0.3",
  "serial": 1,
  "lineage": "4c7a0f1e-3e8f-4c44-9a43-2f4a4f1f6b11",
  "outputs": {},
  "resources": [
    {
      "mode": "managed",
      "type": "random_id",
      "name": "x",
      "provider": "provider[\"registry.terraform.io/hashicorp/random\"]",
      "instances": [{"schema_version": 0, "attributes": {"id": "ab"}, "sensitive_attributes": []}]
    },
    {
      "module": "module.child",
      "mode": "managed",
      "type": "null_resource",
      "name": "y",
      "provider": "module.child.provider[\"registry.terraform.io/hashicorp/null\"].foo",
      "instances": [{"schema_version": 0, "attributes": {"id": "1"}, "sensitive_attributes": []}]
    }
  ]
}
"#;

#[test]
fn providers_prints_the_configuration_tree_and_the_state() {
    let dir = config(MODULES);
    std::fs::write(dir.path().join("terraform.tfstate"), STATE).expect("write state");
    let out = success(&terrane(dir.path(), &["providers"]));
    let expected = "
Providers required by configuration:
.
├── provider[registry.terraform.io/hashicorp/null]
├── provider[registry.terraform.io/hashicorp/random] ~> 3.0
├── provider[registry.terraform.io/hashicorp/tls]
├── module.child
│\u{a0}\u{a0} ├── provider[registry.terraform.io/hashicorp/random]
│\u{a0}\u{a0} ├── provider[registry.terraform.io/hashicorp/time] >= 0.7.0, < 1.0.0
│\u{a0}\u{a0} └── module.grand
└── module.other
    ├── provider[registry.terraform.io/hashicorp/random]
    ├── provider[registry.terraform.io/hashicorp/time] >= 0.7.0, < 1.0.0
    └── module.grand

Providers required by state:

    provider[registry.terraform.io/hashicorp/null]

    provider[registry.terraform.io/hashicorp/random]

";
    assert_eq!(out, expected);

    let lone = config(&[("main.tf", "output \"a\" {\n  value = 1\n}\n")]);
    assert_eq!(
        success(&terrane(lone.path(), &["providers"])),
        "\nProviders required by configuration:\n.\n\n"
    );
}

/// `TF_LOG` lines: `TIMESTAMP [LEVEL] message`, the level tag padded to seven characters.
fn assert_log_line(line: &str) {
    let (timestamp, rest) = line.split_once(' ').unwrap_or_else(|| panic!("{line:?}"));
    let date_time: Vec<&str> = timestamp.split('T').collect();
    assert_eq!(date_time.len(), 2, "{line:?}");
    assert_eq!(date_time[0].len(), 10, "{line:?}");
    assert!(
        date_time[1].ends_with('Z') || date_time[1].contains(['+', '-']),
        "{line:?}"
    );
    let tags = ["[TRACE] ", "[DEBUG] ", "[INFO]  ", "[WARN]  ", "[ERROR] "];
    assert!(tags.iter().any(|t| rest.starts_with(t)), "{line:?}");
}

#[test]
fn tf_log_writes_log_lines_only_when_set() {
    let dir = config(MODULES);
    let quiet = terrane(dir.path(), &["providers"]);
    success(&quiet);
    assert_eq!(stderr(&quiet), "");

    let logged = terrane_with(dir.path(), &["providers"], &[("TF_LOG", "DEBUG")]);
    success(&logged);
    let log = stderr(&logged);
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() >= 2, "{log}");
    for line in &lines {
        assert_log_line(line);
        assert!(!line.contains("[TRACE]"), "{line}");
    }
    assert!(log.contains("[INFO]  terrane version: "), "{log}");
    assert!(
        log.contains("[DEBUG] providers: 4 required by the configuration, 0 by the state"),
        "{log}"
    );

    let errors_only = terrane_with(dir.path(), &["providers"], &[("TF_LOG", "ERROR")]);
    success(&errors_only);
    assert_eq!(stderr(&errors_only), "");

    let json = terrane_with(dir.path(), &["providers"], &[("TF_LOG", "json")]);
    success(&json);
    let json_log = stderr(&json);
    assert!(!json_log.is_empty());
    for line in json_log.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
        assert!(
            value["@level"].is_string() && value["@message"].is_string(),
            "{line}"
        );
        assert!(value["@timestamp"].is_string(), "{line}");
    }

    let path = dir.path().join("terrane.log");
    let path_text = path.to_string_lossy().into_owned();
    let to_file = terrane_with(
        dir.path(),
        &["init"],
        &[("TF_LOG", "TRACE"), ("TF_LOG_PATH", &path_text)],
    );
    success(&to_file);
    assert_eq!(stderr(&to_file), "");
    let file_log = std::fs::read_to_string(&path).expect("the log file");
    for line in file_log.lines() {
        assert_log_line(line);
    }
    assert!(file_log.contains("init: selected registry.terraform.io/hashicorp/random v"));
}

#[test]
fn tf_log_never_shows_sensitive_values() {
    let dir = config(&[(
        "main.tf",
        r#"
variable "password" {
  type      = string
  sensitive = true
}
output "length" {
  value     = length(var.password)
  sensitive = true
}
"#,
    )]);
    let output = terrane_with(
        dir.path(),
        &[
            "plan",
            "-input=false",
            "-var",
            "password=correct-horse-battery",
        ],
        &[("TF_LOG", "TRACE")],
    );
    success(&output);
    let log = stderr(&output);
    assert!(log.contains("[INFO]  CLI command: plan"), "{log}");
    assert!(!log.contains("correct-horse-battery"), "{log}");
    assert!(!stdout(&output).contains("correct-horse-battery"));
}

fn reference_terraform() -> Option<PathBuf> {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/reference-terraform");
    if !tool.exists() {
        return None;
    }
    let out = Command::new("bash").arg(&tool).output().ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.exists()).then_some(path)
}

fn terraform(program: &Path, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env_remove("TF_LOG")
        .output()
        .expect("run terraform");
    assert!(
        out.status.success(),
        "terraform {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The entries of a `providers` tree, each with the modules above it, in a set: Terraform
/// lists a module's entries in no particular order.
fn tree_entries(text: &str) -> BTreeSet<(Vec<String>, String)> {
    let mut path: Vec<String> = Vec::new();
    let mut entries = BTreeSet::new();
    let body = text
        .split("Providers required by state:")
        .next()
        .unwrap_or_default();
    for line in body.lines() {
        let start = line
            .char_indices()
            .find(|(_, c)| !"│├└─ \u{a0}".contains(*c))
            .map(|(i, _)| i);
        let Some(start) = start.filter(|&i| i > 0) else {
            continue;
        };
        let depth = line[..start].chars().count() / 4 - 1;
        let label = line[start..].to_string();
        path.truncate(depth);
        entries.insert((path.clone(), label.clone()));
        if label.starts_with("module.") {
            path.push(label);
        }
    }
    entries
}

#[test]
fn providers_and_module_manifest_match_terraform() {
    let Some(tf) = reference_terraform() else {
        eprintln!("skipping: ../shared/tools/reference-terraform is not available");
        return;
    };
    let ours = config(MODULES);
    let theirs = config(MODULES);
    success(&terrane(ours.path(), &["init"]));
    terraform(&tf, theirs.path(), &["get", "-no-color"]);
    let manifest = |dir: &Path| -> BTreeSet<String> {
        let json: serde_json::Value =
            serde_json::from_str(&read(dir, ".terraform/modules/modules.json")).expect("JSON");
        json["Modules"]
            .as_array()
            .expect("a list of modules")
            .iter()
            .map(|m| m.to_string())
            .collect()
    };
    assert_eq!(manifest(ours.path()), manifest(theirs.path()));

    let ours_out = success(&terrane(ours.path(), &["providers"]));
    let theirs_out = terraform(&tf, theirs.path(), &["providers", "-no-color"]);
    assert_eq!(tree_entries(&ours_out), tree_entries(&theirs_out));
    assert!(theirs_out.starts_with("\nProviders required by configuration:\n.\n"));
    assert!(ours_out.starts_with("\nProviders required by configuration:\n.\n"));
}

#[test]
fn lock_file_matches_terraforms_but_for_the_hashes() {
    let Some(tf) = reference_terraform() else {
        eprintln!("skipping: ../shared/tools/reference-terraform is not available");
        return;
    };
    // Stand-in packages of the versions terrane has built in, for `-plugin-dir`: Terraform
    // installs them without running them.
    let plugins = tempfile::tempdir().expect("temp dir");
    for (address, version) in terrane_providers::versions() {
        let name = address.rsplit('/').next().unwrap_or_default();
        let package = plugins
            .path()
            .join(address)
            .join(version)
            .join("linux_amd64");
        std::fs::create_dir_all(&package).expect("create package dir");
        std::fs::write(
            package.join(format!("terraform-provider-{name}_v{version}_x5")),
            "#!/bin/sh\nexit 1\n",
        )
        .expect("write package");
    }
    let files: Vec<(&str, &str)> = MODULES
        .iter()
        .copied()
        .chain([(
            "extra.tf",
            "data \"local_file\" \"f\" {\n  filename = \"x\"\n}\n",
        )])
        .collect();
    let ours = config(&files);
    let theirs = config(&files);
    success(&terrane(ours.path(), &["init"]));
    let plugin_dir = format!("-plugin-dir={}", plugins.path().display());
    terraform(&tf, theirs.path(), &["init", "-no-color", &plugin_dir]);
    let without_hashes = |text: String| -> String {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("\"h1:"))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(
        without_hashes(read(ours.path(), ".terraform.lock.hcl")),
        without_hashes(read(theirs.path(), ".terraform.lock.hcl"))
    );
}
