//! `terrane validate` on the user's own repository (`../shared/corpus/git-ops-starter`):
//! the real language-level problems and nothing spurious. Skipped, saying so, when the
//! corpus is not beside the project.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/git-ops-starter/azure")
        .join(name);
    dir.is_dir().then_some(dir)
}

/// The diagnostics of `validate -json` as (severity, summary, file:line, code).
fn validate(dir: &Path) -> (bool, Vec<(String, String, String, String)>) {
    let out = Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(["validate", "-json"])
        .current_dir(dir)
        .output()
        .expect("run terrane");
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("validate -json prints JSON");
    let diags = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["summary"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{}:{}",
                    d["range"]["filename"].as_str().unwrap_or(""),
                    d["range"]["start"]["line"]
                ),
                d["snippet"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            )
        })
        .collect();
    (doc["valid"].as_bool().unwrap(), diags)
}

#[test]
fn tf_infra_reports_its_undeclared_references() {
    let Some(dir) = corpus("tf-infra") else {
        eprintln!("skipping: the git-ops-starter corpus is not beside the project");
        return;
    };
    let (valid, diags) = validate(&dir);
    assert!(!valid);
    let errors: Vec<_> = diags.iter().filter(|d| d.0 == "error").collect();
    assert!(
        errors
            .iter()
            .all(|d| d.1 == "Reference to undeclared resource"),
        "only real reference problems: {errors:#?}"
    );
    let postgres: Vec<_> = errors
        .iter()
        .filter(|d| d.2.starts_with("postgres.tf:"))
        .collect();
    assert!(
        postgres.iter().any(|d| d
            .3
            .contains("azurerm_private_dns_zone.main-database-server[0]")),
        "{postgres:#?}"
    );
    assert!(
        postgres
            .iter()
            .any(|d| d.3.contains("main-database-server[count.index]")),
        "{postgres:#?}"
    );
    assert_eq!(errors.len(), 15, "{errors:#?}");
    let warnings: Vec<&str> = diags
        .iter()
        .filter(|d| d.0 == "warning")
        .map(|d| d.1.as_str())
        .collect();
    assert_eq!(
        warnings,
        [
            "Terraform Cloud is not supported",
            "Providers not available in terrane yet"
        ]
    );
}

#[test]
fn tf_k8s_and_tf_devops() {
    let (Some(k8s), Some(devops)) = (corpus("tf-k8s"), corpus("tf-devops")) else {
        eprintln!("skipping: the git-ops-starter corpus is not beside the project");
        return;
    };
    let (valid, diags) = validate(&k8s);
    assert!(!valid);
    let errors: Vec<_> = diags.iter().filter(|d| d.0 == "error").collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].3.contains("data.terraform_remote_state.stage"),
        "{errors:#?}"
    );

    let (valid, diags) = validate(&devops);
    assert!(valid, "{diags:#?}");
    assert!(diags.iter().all(|d| d.0 == "warning"));
}
