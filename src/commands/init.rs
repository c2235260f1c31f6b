//! `terrane init`: prepares the working directory as `terraform init` does. It records the
//! configuration's local modules in `.terraform/modules/modules.json`, selects a version of
//! every provider the configuration requires among the providers terrane has built in
//! (honouring version constraints and the dependency lock file), and writes
//! `.terraform.lock.hcl` in Terraform's format.

use super::providers::{requirements, short_address, Constraints, Version};
use super::{check, cwd, data_dir, load, parse_flags, use_color, CommandResult, Failure};
use crate::flags::Spec;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use terrane_engine::config::Module;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::plan::BUILTIN_PROVIDER;

/// The dependency lock file, in the root module's directory.
const LOCK_FILE: &str = ".terraform.lock.hcl";

/// Terraform's header of the lock file, kept word for word so that the file stays the same
/// whichever of the two tools last wrote it.
const LOCK_FILE_HEADER: &str = "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n";

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &[
                "no-color",
                "input",
                "upgrade",
                "reconfigure",
                "migrate-state",
                "get",
                "backend",
                "json",
                "lock",
            ],
            values: &["backend-config", "lock-timeout", "plugin-dir", "lockfile"],
        },
    )?;
    let read_only_locks = match flags.value("lockfile") {
        None => false,
        Some("readonly") => true,
        Some(other) => {
            return Err(Failure::Message(format!(
                "Invalid value for -lockfile: {other:?}. The only supported mode is \"readonly\"."
            )))
        }
    };
    let upgrade = flags.flag("upgrade");
    let color = use_color(flags.flag("no-color"));
    let heading = |text: &str| {
        if color {
            println!("\x1b[0m\x1b[1m{text}\x1b[0m");
        } else {
            println!("{text}");
        }
    };
    let loaded = load(&cwd());
    let mut diags = loaded.diagnostics.clone();
    if let Some(range) = &loaded.module.terraform.cloud {
        diags.push(
            Diagnostic::error(
                "Terraform Cloud is not supported",
                "terrane does not support the \"cloud\" block. Store state with a backend instead (for example backend \"local\" or backend \"azurerm\") and remove the cloud block.",
            )
            .at(Some(range.clone())),
        );
    }
    let required = requirements(&loaded.module, &mut diags);
    check(&loaded.sources, &diags, color)?;
    std::fs::create_dir_all(data_dir())
        .map_err(|e| format!("Failed to create the data directory: {e}"))?;

    if flags.flag_default_true("get") && !loaded.module.module_calls.is_empty() {
        heading(if upgrade {
            "Upgrading modules..."
        } else {
            "Initializing modules..."
        });
        install_modules(&loaded.module, upgrade)?;
    }
    if flags.flag_default_true("backend") {
        println!();
        heading("Initializing the backend...");
    }

    println!();
    heading("Initializing provider plugins...");
    let lock_path = Path::new(LOCK_FILE);
    let previous = read_locks(lock_path)?;
    let selection = select_providers(&required.merged(), previous.as_ref(), upgrade);
    for line in &selection.progress {
        println!("{line}");
    }
    if !selection.errors.is_empty() {
        let mut diags = Diagnostics::new();
        for error in selection.errors {
            diags.push(error);
        }
        return Err(Failure::Diagnostics(Box::default(), diags, color));
    }
    for line in &selection.installation {
        println!("{line}");
    }

    let unchanged = match &previous {
        Some(previous) => *previous == selection.locks,
        None => selection.locks.is_empty(),
    };
    if !unchanged {
        if read_only_locks {
            return Err(Failure::Message(
                "Provider dependency changes detected: Changes to the required provider dependencies were detected, but the lock file is read-only. To use and record these requirements, run \"terrane init\" without the \"-lockfile=readonly\" flag.".into(),
            ));
        }
        tracing::info!("init: writing the dependency lock file {LOCK_FILE}");
        std::fs::write(lock_path, render_locks(&selection.locks))
            .map_err(|e| format!("Failed to write the dependency lock file {LOCK_FILE}: {e}"))?;
        println!();
        if previous.is_none() {
            heading(
                "Terrane has created a lock file .terraform.lock.hcl to record the provider\n\
                 selections it made above. Include this file in your version control repository\n\
                 so that terrane can guarantee to make the same selections by default when\n\
                 you run \"terrane init\" in the future.",
            );
        } else {
            heading(
                "Terrane has made some changes to the provider dependency selections recorded\n\
                 in the .terraform.lock.hcl file. Review those changes and commit them to your\n\
                 version control system if they represent changes you intended to make.",
            );
        }
    }

    let success = "Terrane has been successfully initialized!";
    if color {
        println!("\n\x1b[0m\x1b[1m\x1b[32m{success}\x1b[0m");
    } else {
        println!("\n{success}");
    }
    let in_automation = std::env::var_os("TF_IN_AUTOMATION").is_some_and(|v| !v.is_empty());
    if !in_automation {
        let advice =
            "\nYou may now begin working with terrane. Try running \"terrane plan\" to see\n\
             any changes that are required for your infrastructure. All terrane commands\n\
             should now work.\n\n\
             If you ever set or change modules or backend configuration for terrane,\n\
             rerun this command to reinitialize your working directory. If you forget, other\n\
             commands will detect it and remind you to do so if necessary.";
        if color {
            println!("\x1b[32m{advice}\x1b[0m");
        } else {
            println!("{advice}");
        }
    }
    Ok(0)
}

/// One module call of the tree as Terraform's module manifest records it.
#[derive(Clone, Debug, PartialEq)]
struct ModuleRecord {
    key: String,
    source: String,
    dir: String,
}

/// Records the module tree in `modules/modules.json` of the data directory, printing
/// `- KEY in DIR` for each module not recorded before (every module with `-upgrade`).
fn install_modules(root: &Module, upgrade: bool) -> Result<(), Failure> {
    let manifest_path = data_dir().join("modules").join("modules.json");
    let known = read_manifest(&manifest_path);
    let mut records = vec![ModuleRecord {
        key: String::new(),
        source: String::new(),
        dir: ".".into(),
    }];
    collect_modules(root, "", &mut records);
    for record in records.iter().skip(1) {
        if upgrade || !known.contains(record) {
            println!("- {} in {}", record.key, record.dir);
        }
    }
    records.sort_by(|a, b| a.key.cmp(&b.key));
    let entries: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::json!({"Key": r.key, "Source": r.source, "Dir": r.dir}))
        .collect();
    let text = serde_json::json!({ "Modules": entries }).to_string();
    tracing::debug!(
        "init: recording {} modules in {}",
        records.len(),
        manifest_path.display()
    );
    let write = || -> std::io::Result<()> {
        if let Some(parent) = manifest_path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&manifest_path, text)
    };
    write().map_err(|e| {
        Failure::Message(format!(
            "Failed to write the module manifest {}: {e}",
            manifest_path.display()
        ))
    })
}

/// The module calls below `module`, depth first in name order, keyed as Terraform keys
/// them (`child.grand`), each with its directory relative to the root module.
fn collect_modules(module: &Module, prefix: &str, out: &mut Vec<ModuleRecord>) {
    let mut calls: Vec<_> = module.module_calls.iter().collect();
    calls.sort_by(|a, b| a.0.cmp(b.0));
    for (name, call) in calls {
        let Some(child) = &call.module else {
            continue;
        };
        let key = format!("{prefix}{name}");
        out.push(ModuleRecord {
            key: key.clone(),
            source: call.source.clone(),
            dir: child.dir.to_string_lossy().replace('\\', "/"),
        });
        collect_modules(child, &format!("{key}."), out);
    }
}

/// The records of an existing manifest (none when it is absent or unreadable: the modules
/// are then all reported as new).
fn read_manifest(path: &Path) -> Vec<ModuleRecord> {
    let Some(json) = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    else {
        return Vec::new();
    };
    let field = |entry: &serde_json::Value, name: &str| {
        entry
            .get(name)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    json.get("Modules")
        .and_then(serde_json::Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|e| ModuleRecord {
                    key: field(e, "Key"),
                    source: field(e, "Source"),
                    dir: field(e, "Dir"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One provider's entry in the dependency lock file.
#[derive(Clone, Debug, PartialEq)]
struct LockedProvider {
    version: String,
    constraints: Option<String>,
    hashes: Vec<String>,
}

/// The lock file's entries by provider address.
type Locks = BTreeMap<String, LockedProvider>;

/// What choosing the providers' versions found: the lines Terraform prints while querying,
/// then while installing, the errors, and the lock file's new entries.
struct Selection {
    progress: Vec<String>,
    installation: Vec<String>,
    errors: Vec<Diagnostic>,
    locks: Locks,
}

/// Chooses the version of every required provider. Each built-in provider exists in one
/// version, the upstream release it follows: it is chosen when the constraints allow it and
/// the lock file does not hold another version (`-upgrade` ignores the lock file).
/// Entries of providers no longer required are kept, as Terraform 1.0 keeps them.
fn select_providers(
    required: &BTreeMap<String, Constraints>,
    previous: Option<&Locks>,
    upgrade: bool,
) -> Selection {
    let available = terrane_providers::versions();
    let providers_built_in = terrane_providers::built_in();
    let mut selection = Selection {
        progress: Vec::new(),
        installation: Vec::new(),
        errors: Vec::new(),
        locks: previous.cloned().unwrap_or_default(),
    };
    if required.contains_key(BUILTIN_PROVIDER) {
        selection
            .progress
            .push(format!("- {BUILTIN_PROVIDER} is built in to terrane"));
    }
    let query_error = |address: &str, reason: String| {
        Diagnostic::error(
            "Failed to query available provider packages",
            format!(
                "Could not retrieve the list of available versions for provider {}: {reason}",
                short_address(address)
            ),
        )
    };
    for (address, constraints) in required {
        if address == BUILTIN_PROVIDER {
            continue;
        }
        let name = short_address(address);
        let canonical = constraints.canonical();
        let locked = previous
            .and_then(|locks| locks.get(address))
            .filter(|_| !upgrade);
        if let Some(locked) = locked {
            let locked_version = Version::parse(&locked.version).ok();
            if !locked_version
                .as_ref()
                .is_some_and(|v| constraints.allows(v))
            {
                selection.errors.push(query_error(
                    address,
                    format!(
                        "locked provider {address} {} does not match configured version constraint {canonical}; must use terrane init -upgrade to allow selection of new versions",
                        locked.version
                    ),
                ));
                continue;
            }
            selection.progress.push(format!(
                "- Reusing previous version of {name} from the dependency lock file"
            ));
        } else if canonical.is_empty() {
            selection
                .progress
                .push(format!("- Finding latest version of {name}..."));
        } else {
            selection.progress.push(format!(
                "- Finding {name} versions matching {canonical:?}..."
            ));
        }
        let built_in = available
            .iter()
            .find(|(a, _)| a == address)
            .and_then(|(_, v)| Version::parse(v).ok());
        if built_in.is_none() && providers_built_in.contains(address) {
            selection.errors.push(query_error(
                address,
                format!("terrane has provider {address} built in but does not record which upstream release it follows, so it cannot check version constraints or lock it. This is a bug in terrane."),
            ));
            continue;
        }
        let Some(built_in) = built_in else {
            selection.errors.push(query_error(
                address,
                format!(
                    "provider {address} is not one of the providers built in to terrane, which are:\n\n{}\n\nterrane cannot download providers: use one of these, or remove the resources, data sources and provider blocks that need {name}.",
                    available
                        .iter()
                        .map(|(a, v)| format!("  - {} v{v}", short_address(a)))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            ));
            continue;
        };
        if let Some(locked) = locked {
            if locked.version != built_in.to_string() {
                selection.errors.push(query_error(
                    address,
                    format!(
                        "the previously-selected version {} is no longer available: terrane has {name} v{built_in} built in. Run \"terrane init -upgrade\" to select that version.",
                        locked.version
                    ),
                ));
                continue;
            }
        } else if !constraints.allows(&built_in) {
            selection.errors.push(query_error(
                address,
                format!(
                    "no available releases match the given constraints {canonical}\n\nterrane has {name} v{built_in} built in, the only version it can use."
                ),
            ));
            continue;
        }
        let version = built_in.to_string();
        tracing::debug!("init: selected {address} v{version}");
        let previously_installed = previous
            .and_then(|locks| locks.get(address))
            .is_some_and(|l| l.version == version);
        if previously_installed {
            selection.installation.push(format!(
                "- Using previously-installed {name} v{version} (built in to terrane)"
            ));
        } else {
            selection
                .installation
                .push(format!("- Installing {name} v{version}..."));
            selection.installation.push(format!(
                "- Installed {name} v{version} (built in to terrane)"
            ));
        }
        if locked.is_none() {
            // Re-selecting the version already locked keeps its hashes too, as Terraform does.
            let mut hashes = vec![built_in_hash(address, &version)];
            if let Some(before) = previous.and_then(|locks| locks.get(address)) {
                if before.version == version {
                    hashes.extend(before.hashes.iter().cloned());
                }
            }
            hashes.sort();
            hashes.dedup();
            let entry = LockedProvider {
                hashes,
                version,
                constraints: (!canonical.is_empty()).then_some(canonical),
            };
            selection.locks.insert(address.clone(), entry);
        }
    }
    selection
}

/// The `h1:` hash of a built-in provider. Terraform records, for each provider package it
/// installs, the `h1:` hash of the package directory (golang.org/x/mod's dirhash: the
/// SHA-256 of the lines `SHA256-HEX  NAME`, one per file, in base64). A built-in provider
/// has no package, so this hashes a notional package holding one file that names the
/// provider and its version: stable across runs and machines, different for every provider
/// and version, and in the form Terraform's lock-file reader expects.
fn built_in_hash(address: &str, version: &str) -> String {
    use base64::Engine;
    let provider_type = address.rsplit('/').next().unwrap_or(address);
    let file_name = format!("terraform-provider-{provider_type}_v{version}");
    let content = format!("terrane built-in provider {address} v{version}\n");
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let summary = format!(
        "{}  {file_name}\n",
        hex(&Sha256::digest(content.as_bytes()))
    );
    let digest = Sha256::digest(summary.as_bytes());
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Reads the lock file; none when it does not exist.
fn read_locks(path: &Path) -> Result<Option<Locks>, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::Message(format!(
                "Failed to read the dependency lock file {}: {e}",
                path.display()
            )))
        }
    };
    tracing::debug!("init: reading the dependency lock file {}", path.display());
    parse_locks(&text)
        .map(Some)
        .map_err(|why| {
            Failure::Message(format!(
                "Invalid dependency lock file {}: {why}. Fix the file or delete it so that \"terrane init\" writes a new one.",
                path.display()
            ))
        })
}

/// The entries of a lock file's text.
fn parse_locks(text: &str) -> Result<Locks, String> {
    use hcl_edit::expr::Expression;
    use hcl_edit::structure::Structure;
    let body = std::panic::catch_unwind(|| hcl_edit::parser::parse_body(text))
        .map_err(|_| "the file could not be parsed".to_string())?
        .map_err(|e| e.message().to_string())?;
    let string = |expr: &Expression| match expr {
        Expression::String(s) => Some(s.value().to_string()),
        _ => None,
    };
    let mut locks = Locks::new();
    for structure in body.iter() {
        let Structure::Block(block) = structure else {
            return Err("it may contain only provider blocks".into());
        };
        let address = match (block.ident.as_str(), block.labels.as_slice()) {
            ("provider", [label]) => label.as_str().to_string(),
            _ => return Err("it may contain only provider blocks, each with one label".into()),
        };
        let mut entry = LockedProvider {
            version: String::new(),
            constraints: None,
            hashes: Vec::new(),
        };
        for item in block.body.iter() {
            let Structure::Attribute(attribute) = item else {
                return Err(format!(
                    "the provider block of {address} has a nested block"
                ));
            };
            let invalid = || format!("the {} of {address} is invalid", attribute.key.as_str());
            match attribute.key.as_str() {
                "version" => entry.version = string(&attribute.value).ok_or_else(invalid)?,
                "constraints" => {
                    entry.constraints = Some(string(&attribute.value).ok_or_else(invalid)?)
                }
                "hashes" => {
                    let Expression::Array(items) = &attribute.value else {
                        return Err(invalid());
                    };
                    entry.hashes = items
                        .iter()
                        .map(|item| string(item).ok_or_else(invalid))
                        .collect::<Result<_, _>>()?;
                }
                other => return Err(format!("the provider block of {address} sets {other:?}")),
            }
        }
        if entry.version.is_empty() {
            return Err(format!("the provider block of {address} has no version"));
        }
        locks.insert(address, entry);
    }
    Ok(locks)
}

/// The lock file's text, as Terraform writes it: the header, then one block per provider
/// in address order, `version` and `constraints` aligned, one hash a line.
fn render_locks(locks: &Locks) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from(LOCK_FILE_HEADER);
    for (address, entry) in locks {
        out.push_str(&format!("\nprovider {} {{\n", quote(address)));
        match &entry.constraints {
            Some(constraints) => {
                out.push_str(&format!("  version     = {}\n", quote(&entry.version)));
                out.push_str(&format!("  constraints = {}\n", quote(constraints)));
            }
            None => out.push_str(&format!("  version = {}\n", quote(&entry.version))),
        }
        if !entry.hashes.is_empty() {
            out.push_str("  hashes = [\n");
            for hash in &entry.hashes {
                out.push_str(&format!("    {},\n", quote(hash)));
            }
            out.push_str("  ]\n");
        }
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terraform 1.0.3's lock file for a fake random 3.1.0 package (recorded with
    /// `terraform init -plugin-dir`), whose one file is a two-line shell script.
    const TERRAFORM_LOCKS: &str = "# This file is maintained automatically by \"terraform init\".
# Manual edits may be lost in future updates.

provider \"registry.terraform.io/hashicorp/null\" {
  version = \"3.1.0\"
  hashes = [
    \"h1:SUq5KpYFHm1agren2FxWi/wyXq+d0IAw5okKWbS0QU0=\",
  ]
}

provider \"registry.terraform.io/hashicorp/random\" {
  version     = \"3.1.0\"
  constraints = \">= 3.0.0, != 3.0.1, ~> 3.1.0, < 4.0.0\"
  hashes = [
    \"h1:oTSG0It5pQ8ab7r4q3OD8rF5ItLRGHtHn3xN6oaOaV4=\",
  ]
}
";

    #[test]
    fn lock_file_round_trips_terraforms_format() {
        let locks = parse_locks(TERRAFORM_LOCKS).expect("parses");
        assert_eq!(locks.len(), 2);
        assert_eq!(
            locks["registry.terraform.io/hashicorp/random"]
                .constraints
                .as_deref(),
            Some(">= 3.0.0, != 3.0.1, ~> 3.1.0, < 4.0.0")
        );
        assert_eq!(render_locks(&locks), TERRAFORM_LOCKS);
    }

    #[test]
    fn malformed_lock_files_are_errors() {
        for bad in [
            "provider \"x\" {",
            "provider \"x\" { version = 1 }",
            "provider \"x\" { hashes = [] }",
            "resource \"x\" \"y\" {}",
            "version = \"1\"",
        ] {
            assert!(parse_locks(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn built_in_hash_is_a_dirhash_of_the_notional_package() {
        // The same computation as `sha256sum FILE | sha256sum | base64` over the listing.
        let hash = built_in_hash("registry.terraform.io/hashicorp/random", "3.9.0");
        assert!(hash.starts_with("h1:") && hash.len() == 3 + 44, "{hash}");
        assert_eq!(
            hash,
            built_in_hash("registry.terraform.io/hashicorp/random", "3.9.0")
        );
        assert_ne!(
            hash,
            built_in_hash("registry.terraform.io/hashicorp/random", "3.8.0")
        );
        assert_ne!(
            hash,
            built_in_hash("registry.terraform.io/hashicorp/null", "3.9.0")
        );
    }

    #[test]
    fn selection_keeps_matching_locks_and_refuses_others() {
        let random = "registry.terraform.io/hashicorp/random".to_string();
        let version = terrane_providers::versions()
            .iter()
            .find(|(a, _)| *a == random)
            .map(|(_, v)| v.to_string())
            .expect("random is built in");
        let required = BTreeMap::from([(random.clone(), Constraints::parse("~> 3.0").unwrap())]);
        let fresh = select_providers(&required, None, false);
        assert!(fresh.errors.is_empty());
        assert_eq!(fresh.locks[&random].version, version);
        assert_eq!(fresh.locks[&random].constraints.as_deref(), Some("~> 3.0"));

        let mut foreign = fresh.locks.clone();
        if let Some(entry) = foreign.get_mut(&random) {
            entry.hashes = vec!["zh:from-terraform".into()];
        }
        let kept = select_providers(&required, Some(&foreign), false);
        assert!(kept.errors.is_empty());
        assert_eq!(kept.locks, foreign);
        assert_eq!(
            kept.progress,
            ["- Reusing previous version of hashicorp/random from the dependency lock file"]
        );

        let mut older = fresh.locks.clone();
        if let Some(entry) = older.get_mut(&random) {
            entry.version = "3.1.0".into();
        }
        let refused = select_providers(&required, Some(&older), false);
        assert_eq!(refused.errors.len(), 1);
        assert!(refused.errors[0]
            .detail
            .contains("3.1.0 is no longer available"));
        let upgraded = select_providers(&required, Some(&older), true);
        assert!(upgraded.errors.is_empty());
        assert_eq!(upgraded.locks[&random].version, version);
    }
}
