//! Terraform 1.0.3 reads the state terrane writes: for a configuration with the utility
//! providers, modules, count and for_each, `terraform state list` and `terraform output
//! -json` give exactly what terrane gives. Skipped (saying so) when the reference tool in
//! `../shared/tools` is not there.

use std::path::{Path, PathBuf};
use std::process::Command;

fn reference_terraform() -> Option<PathBuf> {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/reference-terraform");
    if !tool.exists() {
        return None;
    }
    let out = Command::new("bash").arg(&tool).output().ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.exists()).then_some(path)
}

fn run(program: &Path, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn terraform_reads_the_state_terrane_writes() {
    let Some(tf) = reference_terraform() else {
        eprintln!("skipping: ../shared/tools/reference-terraform is not available");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("modules/svc")).unwrap();
    std::fs::write(
        d.join("modules/svc/main.tf"),
        r#"
variable "name" { type = string }
resource "random_id" "suffix" {
  byte_length = 2
  keepers     = { name = var.name }
}
resource "null_resource" "deploy" {
  count    = 2
  triggers = { id = "${var.name}-${random_id.suffix.hex}-${count.index}" }
}
output "ids" { value = null_resource.deploy[*].id }
output "suffix" { value = random_id.suffix.hex }
"#,
    )
    .unwrap();
    std::fs::write(
        d.join("main.tf"),
        r#"
module "svc" {
  source   = "./modules/svc"
  for_each = toset(["api", "web"])
  name     = each.key
}
resource "random_pet" "env" {}
resource "terraform_data" "marker" {
  input = { env = random_pet.env.id, services = [for k, m in module.svc : m.suffix] }
}
output "env" { value = random_pet.env.id }
output "services" { value = { for k, m in module.svc : k => m.ids } }
output "marker" { value = terraform_data.marker.output }
"#,
    )
    .unwrap();
    let terrane = Path::new(env!("CARGO_BIN_EXE_terrane"));
    run(terrane, d, &["apply", "-auto-approve"]);

    let ours = run(terrane, d, &["state", "list"]);
    let theirs = run(&tf, d, &["state", "list"]);
    assert_eq!(ours, theirs);
    assert_eq!(ours.lines().count(), 8, "{ours}");

    let ours: serde_json::Value =
        serde_json::from_str(&run(terrane, d, &["output", "-json"])).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(&run(&tf, d, &["output", "-json"])).unwrap();
    assert_eq!(ours, theirs);

    // Terraform rewrites the state (removing one module instance); terrane reads what it
    // wrote, and plans to create exactly what was removed.
    run(&tf, d, &["state", "rm", "module.svc[\"web\"]"]);
    assert_eq!(
        run(terrane, d, &["state", "list"]),
        run(&tf, d, &["state", "list"])
    );
    let plan = Command::new(terrane)
        .args(["plan", "-detailed-exitcode"])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(2));
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.contains("Plan: 3 to add, 1 to change, 0 to destroy."),
        "{text}"
    );
}
