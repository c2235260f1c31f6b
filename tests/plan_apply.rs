//! End-to-end runs of `terrane plan`, `apply` and `destroy` with the native providers, as a
//! user runs them: create, a clean plan, a change, update in place, replace, count and
//! for_each growing and shrinking, modules, and destroy.

use std::path::Path;
use std::process::{Command, Output};

fn terrane(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("TF_WORKSPACE")
        .output()
        .expect("run terrane")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = terrane(dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "terrane {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn plan_exit(dir: &Path) -> (i32, String) {
    let out = terrane(dir, &["plan", "-detailed-exitcode", "-input=false"]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn write(dir: &Path, text: &str) {
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

fn state(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap()).unwrap()
}

fn instance_attr(
    dir: &Path,
    name: &str,
    key: Option<serde_json::Value>,
    attr: &str,
) -> serde_json::Value {
    let s = state(dir);
    let r = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {s}"));
    let i = r["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i.get("index_key").cloned() == key)
        .unwrap_or_else(|| panic!("instance of {name}"));
    i["attributes"][attr].clone()
}

#[test]
fn lifecycle_of_a_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "random_pet" "p" {
  keepers = { generation = "1" }
}
resource "null_resource" "n" {
  count    = 2
  triggers = { pet = random_pet.p.id, index = count.index }
}
resource "terraform_data" "d" {
  input = "one"
}
output "pet" { value = random_pet.p.id }
"#,
    );
    let (code, text) = plan_exit(d);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("Plan: 4 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    let applied = ok(d, &["apply", "-auto-approve", "-input=false"]);
    assert!(
        applied.contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."),
        "{applied}"
    );
    let pet = instance_attr(d, "p", None, "id");
    assert_eq!(plan_exit(d).0, 0, "a second plan is clean");

    // Update in place: terraform_data's input changes without replacing it.
    let id_before = instance_attr(d, "d", None, "id");
    write(
        d,
        &std::fs::read_to_string(d.join("main.tf"))
            .unwrap()
            .replace("input = \"one\"", "input = \"two\""),
    );
    let (code, text) = plan_exit(d);
    assert_eq!(code, 2);
    assert!(
        text.contains("terraform_data.d will be updated in-place"),
        "{text}"
    );
    ok(d, &["apply", "-auto-approve"]);
    assert_eq!(instance_attr(d, "d", None, "id"), id_before);
    assert_eq!(
        instance_attr(d, "d", None, "output"),
        serde_json::json!({"value": "two", "type": "string"})
    );

    // Replace: a keeper change gives a new pet, and the null resources follow.
    write(
        d,
        &std::fs::read_to_string(d.join("main.tf"))
            .unwrap()
            .replace("generation = \"1\"", "generation = \"2\""),
    );
    let (_, text) = plan_exit(d);
    assert!(text.contains("random_pet.p must be replaced"), "{text}");
    assert!(text.contains("# forces replacement"), "{text}");
    ok(d, &["apply", "-auto-approve"]);
    assert_ne!(instance_attr(d, "p", None, "id"), pet);

    // count grows and shrinks.
    write(
        d,
        &std::fs::read_to_string(d.join("main.tf"))
            .unwrap()
            .replace("count    = 2", "count    = 3"),
    );
    let (_, text) = plan_exit(d);
    assert!(
        text.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    ok(d, &["apply", "-auto-approve"]);
    write(
        d,
        &std::fs::read_to_string(d.join("main.tf"))
            .unwrap()
            .replace("count    = 3", "count    = 1"),
    );
    let (_, text) = plan_exit(d);
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 2 to destroy."),
        "{text}"
    );
    ok(d, &["apply", "-auto-approve"]);
    let s = state(d);
    let n = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "n")
        .unwrap();
    assert_eq!(n["instances"].as_array().unwrap().len(), 1);

    let destroyed = ok(d, &["destroy", "-auto-approve"]);
    assert!(
        destroyed.contains("Destroy complete! Resources: 3 destroyed."),
        "{destroyed}"
    );
    assert_eq!(state(d)["resources"], serde_json::json!([]));
}

#[test]
fn for_each_and_modules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("modules/pet")).unwrap();
    std::fs::write(
        d.join("modules/pet/main.tf"),
        r#"
variable "prefix" { type = string }
resource "random_pet" "this" {
  prefix = var.prefix
}
output "name" { value = random_pet.this.id }
"#,
    )
    .unwrap();
    write(
        d,
        r#"
variable "envs" {
  type    = set(string)
  default = ["dev", "prod"]
}
module "pet" {
  source   = "./modules/pet"
  for_each = var.envs
  prefix   = each.key
}
output "names" { value = { for k, m in module.pet : k => m.name } }
"#,
    );
    ok(d, &["apply", "-auto-approve"]);
    let out: serde_json::Value =
        serde_json::from_str(&ok(d, &["output", "-json", "names"])).unwrap();
    assert!(out["dev"].as_str().unwrap().starts_with("dev-"), "{out}");
    assert!(out["prod"].as_str().unwrap().starts_with("prod-"), "{out}");
    let s = state(d);
    let modules: Vec<&str> = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["module"].as_str().unwrap())
        .collect();
    assert_eq!(modules, ["module.pet[\"dev\"]", "module.pet[\"prod\"]"]);
    assert_eq!(plan_exit(d).0, 0);

    let (_, text) = {
        let out = terrane(d, &["plan", "-detailed-exitcode", "-var", "envs=[\"dev\"]"]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert!(
        text.contains("module.pet[\"prod\"].random_pet.this will be destroyed"),
        "{text}"
    );
}

#[test]
fn sensitive_values_stay_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "random_password" "pw" {
  length = 24
}
output "pw" {
  value     = random_password.pw.result
  sensitive = true
}
"#,
    );
    let applied = ok(d, &["apply", "-auto-approve"]);
    let secret = instance_attr(d, "pw", None, "result");
    assert!(!applied.contains(secret.as_str().unwrap()), "{applied}");
    assert!(applied.contains("pw = <sensitive>"), "{applied}");
    assert_eq!(ok(d, &["output", "-raw", "pw"]), secret.as_str().unwrap());
}

#[test]
fn saved_plan_is_applied_exactly_and_a_stale_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
variable "n" { default = 1 }
resource "random_id" "r" {
  count       = var.n
  byte_length = 4
}
"#,
    );
    ok(d, &["plan", "-out", "first.plan", "-var", "n=2"]);
    ok(d, &["plan", "-out", "second.plan", "-var", "n=3"]);
    let shown: serde_json::Value =
        serde_json::from_str(&ok(d, &["show", "-json", "first.plan"])).unwrap();
    assert_eq!(shown["resource_changes"].as_array().unwrap().len(), 2);
    assert_eq!(
        shown["resource_changes"][0]["change"]["actions"],
        serde_json::json!(["create"])
    );
    assert_eq!(
        shown["resource_changes"][0]["change"]["after_unknown"]["hex"],
        true
    );

    let applied = ok(d, &["apply", "first.plan"]);
    assert!(
        applied.contains("Apply complete! Resources: 2 added"),
        "{applied}"
    );
    let out = terrane(d, &["apply", "second.plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Saved plan is stale"));
    let s = state(d);
    assert_eq!(
        s["resources"][0]["instances"].as_array().unwrap().len(),
        2,
        "nothing of the stale plan applied"
    );
}

#[test]
fn concurrent_applies_wait_for_the_lock_or_name_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "time_sleep" "wait" {
  create_duration = "3s"
}
resource "random_pet" "p" {}
"#,
    );
    let first = Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(["apply", "-auto-approve"])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first apply holds the lock (it writes the lock info file).
    let info = d.join(".terraform.tfstate.lock.info");
    for _ in 0..100 {
        if info.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let refused = terrane(d, &["apply", "-auto-approve", "-lock-timeout=0s"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("Error acquiring the state lock"), "{err}");
    assert!(err.contains("OperationTypeApply"), "{err}");

    let waited = terrane(d, &["apply", "-auto-approve", "-lock-timeout=30s"]);
    assert!(
        waited.status.success(),
        "{}",
        String::from_utf8_lossy(&waited.stderr)
    );
    let mut first = first;
    assert!(first.wait().unwrap().success());
    let s = state(d);
    let names: Vec<&str> = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{s}");
    assert_eq!(plan_exit(d).0, 0, "nothing lost, nothing duplicated");
}

#[test]
fn moved_and_removed_blocks_change_addresses_without_destroying() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "resource \"random_pet\" \"a\" {}\n");
    ok(d, &["apply", "-auto-approve"]);
    let pet = instance_attr(d, "a", None, "id");

    write(
        d,
        r#"
resource "random_pet" "b" {}
moved {
  from = random_pet.a
  to   = random_pet.b
}
"#,
    );
    let (code, text) = plan_exit(d);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("random_pet.a has moved to random_pet.b"),
        "{text}"
    );
    assert!(
        !text.contains("will be created") && !text.contains("destroyed"),
        "{text}"
    );
    ok(d, &["apply", "-auto-approve"]);
    assert_eq!(instance_attr(d, "b", None, "id"), pet);
    assert_eq!(plan_exit(d).0, 0);

    write(
        d,
        r#"
removed {
  from = random_pet.b
  lifecycle {
    destroy = false
  }
}
"#,
    );
    let (_, text) = plan_exit(d);
    assert!(
        text.contains("random_pet.b will no longer be managed"),
        "{text}"
    );
    assert!(!text.contains("will be destroyed"), "{text}");
    ok(d, &["apply", "-auto-approve"]);
    assert_eq!(state(d)["resources"], serde_json::json!([]));
}

#[test]
fn target_limits_the_plan_to_a_resource_and_its_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "random_pet" "base" {}
resource "null_resource" "wanted" {
  triggers = { pet = random_pet.base.id }
}
resource "null_resource" "other" {}
"#,
    );
    let out = terrane(d, &["plan", "-target=null_resource.wanted"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
    assert!(!text.contains("null_resource.other"), "{text}");
    ok(
        d,
        &["apply", "-auto-approve", "-target", "null_resource.wanted"],
    );
    let names: Vec<String> = state(d)["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&"other".to_string()));
    let (_, text) = plan_exit(d);
    assert!(
        text.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{text}"
    );
}

#[test]
fn import_command_and_import_blocks_adopt_existing_objects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "random_integer" "r" {
  min = 1
  max = 20
}
"#,
    );
    let out = ok(d, &["import", "random_integer.r", "15,1,20"]);
    assert!(out.contains("Import successful!"), "{out}");
    assert_eq!(instance_attr(d, "r", None, "result"), 15);
    assert_eq!(
        plan_exit(d).0,
        0,
        "the imported object matches its configuration"
    );
    let again = terrane(d, &["import", "random_integer.r", "15,1,20"]);
    assert_eq!(again.status.code(), Some(1));

    write(
        d,
        r#"
resource "random_integer" "r" {
  min = 1
  max = 20
}
variable "uuid" { default = "0fb79e4c-8b5b-4f1e-a0b7-3dd4b3d9c0a1" }
resource "random_uuid" "u" {}
import {
  to = random_uuid.u
  id = var.uuid
}
"#,
    );
    let (code, text) = plan_exit(d);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("random_uuid.u will be imported"), "{text}");
    assert!(!text.contains("will be created"), "{text}");
    ok(d, &["apply", "-auto-approve"]);
    assert_eq!(
        instance_attr(d, "u", None, "result"),
        "0fb79e4c-8b5b-4f1e-a0b7-3dd4b3d9c0a1"
    );
    assert_eq!(plan_exit(d).0, 0);
}

#[test]
fn replace_triggered_by_and_conditions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = |input: &str, words: u32| {
        format!(
            r#"
resource "terraform_data" "trigger" {{
  input = "{input}"
}}
resource "random_pet" "p" {{
  length = {words}
  lifecycle {{
    replace_triggered_by = [terraform_data.trigger]
  }}
}}
resource "null_resource" "n" {{
  triggers = {{ pet = random_pet.p.id }}
  lifecycle {{
    precondition {{
      condition     = random_pet.p.length == 2
      error_message = "The pet needs two words."
    }}
    postcondition {{
      condition     = self.id != ""
      error_message = "An id is expected."
    }}
  }}
}}
"#
        )
    };
    write(d, &config("1", 2));
    ok(d, &["apply", "-auto-approve"]);
    write(d, &config("2", 2));
    let (_, text) = plan_exit(d);
    assert!(text.contains("random_pet.p must be replaced"), "{text}");
    assert!(text.contains("replace_triggered_by"), "{text}");
    write(d, &config("2", 3));
    let out = terrane(d, &["plan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Resource precondition failed") && err.contains("The pet needs two words."),
        "{err}"
    );
}

#[test]
fn refresh_only_records_changes_made_outside() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "local_file" "f" {
  filename = "hello.txt"
  content  = "hello"
}
"#,
    );
    ok(d, &["apply", "-auto-approve"]);
    std::fs::remove_file(d.join("hello.txt")).unwrap();
    let out = terrane(d, &["plan", "-refresh-only", "-detailed-exitcode"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("Objects have changed outside of terrane"),
        "{text}"
    );
    assert!(text.contains("local_file.f has changed"), "{text}");
    assert!(
        !d.join("hello.txt").exists(),
        "a refresh-only plan changes nothing"
    );
    ok(d, &["apply", "-refresh-only", "-auto-approve"]);
    assert_eq!(state(d)["resources"], serde_json::json!([]));
    assert!(!d.join("hello.txt").exists());
}

#[test]
fn moved_blocks_in_a_child_module_apply_in_each_of_its_instances() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("mod")).unwrap();
    std::fs::write(
        d.join("mod/main.tf"),
        "resource \"null_resource\" \"old\" {}\n",
    )
    .unwrap();
    write(
        d,
        "module \"m\" {\n  source   = \"./mod\"\n  for_each = toset([\"a\", \"b\"])\n}\n",
    );
    ok(d, &["apply", "-auto-approve"]);
    let before = state(d);
    std::fs::write(
        d.join("mod/main.tf"),
        "resource \"null_resource\" \"new\" {}\nmoved {\n  from = null_resource.old\n  to   = null_resource.new\n}\n",
    )
    .unwrap();
    let (_, text) = plan_exit(d);
    assert!(
        text.contains(
            "# module.m[\"a\"].null_resource.old has moved to module.m[\"a\"].null_resource.new"
        ),
        "{text}"
    );
    assert!(!text.contains("to add"), "nothing is created: {text}");
    ok(d, &["apply", "-auto-approve"]);
    let listed = String::from_utf8_lossy(&terrane(d, &["state", "list"]).stdout).to_string();
    assert_eq!(
        listed,
        "module.m[\"a\"].null_resource.new\nmodule.m[\"b\"].null_resource.new\n"
    );
    let id_of = |s: &serde_json::Value, name: &str, module: &str| {
        s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name && r["module"] == module)
            .map(|r| r["instances"][0]["attributes"]["id"].clone())
    };
    assert_eq!(
        id_of(&before, "old", "module.m[\"a\"]"),
        id_of(&state(d), "new", "module.m[\"a\"]"),
        "the same object, at its new address"
    );
}

#[test]
fn a_resource_without_instances_may_index_another_without_instances() {
    // As in the corpus: prod-only resources (count = 0 in dev) refer to each other's [0].
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "null_resource" "zone" {
  count = terraform.workspace == "prod" ? 1 : 0
}
resource "null_resource" "link" {
  count    = terraform.workspace == "prod" ? 1 : 0
  triggers = { zone = null_resource.zone[0].id }
}
"#,
    );
    let (code, text) = plan_exit(d);
    assert_eq!(code, 0, "{text}");
}
