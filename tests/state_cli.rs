//! The state commands end to end: `state list|show|mv|rm|pull|push`, `taint`, `untaint`,
//! `workspace`, `force-unlock`, run as the real binary on hand-written format-4 state files
//! in temporary directories. Expected outputs are what Terraform 1.0.3 prints for the same
//! state (with "terraform" read as "terrane"). Locking is exercised across processes: a
//! lock held by this test process, and one whose holder is killed with SIGKILL.

use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const SAMPLE: &str = r#"{
  "version": 4,
  "terraform_version": "1.0.3",
  "serial": 3,
  "lineage": "2b2a4e8a-6c3e-4a8e-9a1b-2d4f1e0c5a77",
  "outputs": {"o": {"value": "x", "type": "string"}},
  "resources": [
    {"mode": "managed", "type": "null_resource", "name": "b",
     "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "111", "triggers": {"a": "1", "bb": "two"}}, "sensitive_attributes": []}]},
    {"mode": "data", "type": "null_data_source", "name": "d",
     "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "static", "outputs": {"k": "v"}}, "sensitive_attributes": []}]},
    {"mode": "managed", "type": "null_resource", "name": "a", "each": "list",
     "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
     "instances": [
       {"index_key": 10, "schema_version": 0, "attributes": {"id": "10", "triggers": null}, "sensitive_attributes": []},
       {"index_key": 2, "schema_version": 0, "attributes": {"id": "2", "triggers": null}, "sensitive_attributes": []},
       {"index_key": 0, "status": "tainted", "schema_version": 0, "attributes": {"id": "0", "triggers": null}, "sensitive_attributes": []}]},
    {"module": "module.m[\"k\"]", "mode": "managed", "type": "null_resource", "name": "c", "each": "map",
     "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
     "instances": [
       {"index_key": "z", "schema_version": 0, "attributes": {"id": "z1", "triggers": null}, "sensitive_attributes": []},
       {"index_key": "a\"q", "schema_version": 0, "attributes": {"id": "a1", "triggers": null}, "sensitive_attributes": []}]},
    {"module": "module.b", "mode": "managed", "type": "aaa", "name": "c",
     "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "111"}, "sensitive_attributes": []}]},
    {"module": "module.b.module.c", "mode": "managed", "type": "aaa", "name": "c",
     "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "1"}, "sensitive_attributes": []}]}
  ]
}
"#;

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_terrane"));
    c.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_WORKSPACE")
        .env_remove("TF_DATA_DIR")
        .stdin(Stdio::null());
    c
}

fn terrane(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("run terrane")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs terrane and checks its exit code, returning standard output.
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = terrane(dir, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Runs terrane expecting exit code 1, returning standard error.
fn fails(dir: &Path, args: &[&str]) -> String {
    let o = terrane(dir, args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?} succeeded: {}",
        stdout(&o)
    );
    stderr(&o)
}

fn sample_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("terraform.tfstate"), SAMPLE).unwrap();
    dir
}

fn read_state(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn state_list_in_terraform_order() {
    let dir = sample_dir();
    let d = dir.path();
    assert_eq!(
        ok(d, &["state", "list"]),
        r#"data.null_data_source.d
null_resource.a[0]
null_resource.a[2]
null_resource.a[10]
null_resource.b
module.b.aaa.c
module.m["k"].null_resource.c["a\"q"]
module.m["k"].null_resource.c["z"]
module.b.module.c.aaa.c
"#
    );
    assert_eq!(
        ok(d, &["state", "list", "-id=111"]),
        "null_resource.b\nmodule.b.aaa.c\n"
    );
    assert_eq!(
        ok(d, &["state", "list", "module.b", "null_resource.a"]),
        "module.b.aaa.c\nmodule.b.module.c.aaa.c\nnull_resource.a[0]\nnull_resource.a[2]\nnull_resource.a[10]\n"
    );
    assert_eq!(
        ok(d, &["state", "list", "module.m"]),
        "module.m[\"k\"].null_resource.c[\"a\\\"q\"]\nmodule.m[\"k\"].null_resource.c[\"z\"]\n"
    );
    let e = fails(d, &["state", "list", "nope.x"]);
    assert!(e.contains("Unknown resource"), "{e}");
    assert!(e.contains("The current state contains no resource nope.x."));
    let e = fails(d, &["state", "list", "a.b.c"]);
    assert!(e.contains("Invalid address"), "{e}");
    assert!(e.contains("Resource instance key must be given in square brackets."));

    let other = d.join("other.tfstate");
    std::fs::write(&other, SAMPLE.replace("\"null_resource\"", "\"x_thing\"")).unwrap();
    assert!(ok(d, &["state", "list", "-state=other.tfstate"]).contains("x_thing.b"));

    let empty = tempfile::tempdir().unwrap();
    assert!(fails(empty.path(), &["state", "list"]).starts_with("No state file was found!"));
}

#[test]
fn state_show_prints_hcl_like_attributes() {
    let dir = sample_dir();
    let d = dir.path();
    assert_eq!(
        ok(d, &["state", "show", "null_resource.b"]),
        "# null_resource.b:\nresource \"null_resource\" \"b\" {\n    id       = \"111\"\n    triggers = {\n        \"a\"  = \"1\"\n        \"bb\" = \"two\"\n    }\n}\n"
    );
    assert_eq!(
        ok(d, &["state", "show", "null_resource.a[0]"]),
        "# null_resource.a[0]: (tainted)\nresource \"null_resource\" \"a\" {\n    id = \"0\"\n}\n"
    );
    assert!(ok(d, &["state", "show", "data.null_data_source.d"])
        .starts_with("# data.null_data_source.d:\ndata \"null_data_source\" \"d\" {\n"));
    assert!(fails(d, &["state", "show", "null_resource.q"])
        .starts_with("No instance found for the given address!"));
    assert!(fails(d, &["state", "show", "module.b"])
        .starts_with("Error parsing instance address: module.b"));
}

#[test]
fn state_mv_locks_counts_the_serial_and_keeps_a_backup() {
    let dir = sample_dir();
    let d = dir.path();
    let state = d.join("terraform.tfstate");
    assert_eq!(
        ok(d, &["state", "mv", "-dry-run", "module.b", "module.q"]),
        "Would move \"module.b\" to \"module.q\"\nWould move \"module.b.module.c\" to \"module.q.module.c\"\n"
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), SAMPLE);
    assert_eq!(
        ok(d, &["state", "mv", "module.b", "module.q"]),
        "Move \"module.b\" to \"module.q\"\nMove \"module.b.module.c\" to \"module.q.module.c\"\nSuccessfully moved 2 object(s).\n"
    );
    assert_eq!(
        ok(d, &["state", "mv", "null_resource.a[0]", "null_resource.x"]),
        "Move \"null_resource.a[0]\" to \"null_resource.x\"\nSuccessfully moved 1 object(s).\n"
    );
    let s = read_state(&state);
    assert_eq!(s["serial"], 5);
    assert_eq!(s["lineage"], "2b2a4e8a-6c3e-4a8e-9a1b-2d4f1e0c5a77");
    let x = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "x")
        .unwrap();
    assert_eq!(x["instances"][0]["status"], "tainted");
    assert!(x["instances"][0].get("index_key").is_none());
    let names = files(d);
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("terraform.tfstate.") && n.ends_with(".backup")),
        "{names:?}"
    );
    assert!(!names.contains(&".terraform.tfstate.lock.info".to_string()));

    // Refusals leave the state alone.
    let before = std::fs::read_to_string(&state).unwrap();
    let e = fails(d, &["state", "mv", "null_resource.a", "null_resource.b"]);
    assert!(e.contains("Cannot move to null_resource.b: there is already a resource at that address in the current state."), "{e}");
    let e = fails(d, &["state", "mv", "module.q", "module.m[\"k\"]"]);
    assert!(e.starts_with("Error moving state: destination module already exists"));
    let e = fails(
        d,
        &["state", "mv", "null_resource.a", "data.null_resource.a"],
    );
    assert!(e.contains("a managed resource can be moved only to another managed resource address"));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), before);

    // To another state file.
    assert_eq!(
        ok(
            d,
            &[
                "state",
                "mv",
                "-state-out=out.tfstate",
                "null_resource.b",
                "null_resource.b"
            ]
        ),
        "Move \"null_resource.b\" to \"null_resource.b\"\nSuccessfully moved 1 object(s).\n"
    );
    assert_eq!(
        ok(d, &["state", "list", "-state=out.tfstate"]),
        "null_resource.b\n"
    );
    assert!(!ok(d, &["state", "list"]).contains("null_resource.b\n"));
}

#[test]
fn state_rm_removes_instances() {
    let dir = sample_dir();
    let d = dir.path();
    let state = d.join("terraform.tfstate");
    assert_eq!(
        ok(d, &["state", "rm", "-dry-run", "null_resource.a"]),
        "Would remove null_resource.a[0]\nWould remove null_resource.a[2]\nWould remove null_resource.a[10]\n"
    );
    assert_eq!(
        ok(d, &["state", "rm", "null_resource.b", "null_resource.a[2]"]),
        "Removed null_resource.b\nRemoved null_resource.a[2]\nSuccessfully removed 2 resource instance(s).\n"
    );
    let s = read_state(&state);
    assert_eq!(s["serial"], 4);
    assert_eq!(
        ok(d, &["state", "list", "null_resource.a"]),
        "null_resource.a[0]\nnull_resource.a[10]\n"
    );
    let e = fails(d, &["state", "rm", "module.zz"]);
    assert!(e.contains("Invalid target address"), "{e}");
    assert!(e.contains("No matching objects found."));
    assert_eq!(read_state(&state)["serial"], 4);
}

#[test]
fn state_pull_and_push() {
    let dir = sample_dir();
    let d = dir.path();
    let state = d.join("terraform.tfstate");
    let pulled: Json = serde_json::from_str(&ok(d, &["state", "pull"])).unwrap();
    assert_eq!(pulled["serial"], 3);
    assert_eq!(pulled["resources"][0]["mode"], "data");

    let mut pushed: Json = serde_json::from_str(SAMPLE).unwrap();
    pushed["resources"].as_array_mut().unwrap().truncate(1);
    let write = |name: &str, v: &Json| {
        std::fs::write(d.join(name), serde_json::to_string(v).unwrap()).unwrap();
    };
    pushed["serial"] = json!(2);
    write("older.json", &pushed);
    assert_eq!(
        fails(d, &["state", "push", "older.json"]),
        "Failed to write state: cannot import state with serial 2 over newer state with serial 3\n"
    );
    let mut other = pushed.clone();
    other["lineage"] = json!("other");
    other["serial"] = json!(9);
    write("other.json", &other);
    assert!(fails(d, &["state", "push", "other.json"]).starts_with(
        "Failed to write state: cannot import state with lineage \"other\" over unrelated state"
    ));
    assert_eq!(read_state(&state)["serial"], 3);

    pushed["serial"] = json!(7);
    write("newer.json", &pushed);
    assert_eq!(ok(d, &["state", "push", "newer.json"]), "");
    assert_eq!(read_state(&state)["serial"], 8);
    assert_eq!(read_state(&d.join("terraform.tfstate.backup"))["serial"], 3);

    let mut child = command(d, &["state", "push", "-force", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&other).unwrap().as_bytes())
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let s = read_state(&state);
    assert_eq!(s["lineage"], "other");
    assert_eq!(s["serial"], 9);
}

#[test]
fn taint_and_untaint() {
    let dir = sample_dir();
    let d = dir.path();
    let state = d.join("terraform.tfstate");
    assert_eq!(
        ok(d, &["taint", "null_resource.a[2]"]),
        "Resource instance null_resource.a[2] has been marked as tainted.\n"
    );
    let s = read_state(&state);
    assert_eq!(s["serial"], 4);
    let a = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "a")
        .unwrap();
    assert_eq!(a["instances"][1]["status"], "tainted");
    assert!(d.join("terraform.tfstate.backup").exists());
    assert_eq!(
        ok(d, &["untaint", "null_resource.a[2]"]),
        "Resource instance null_resource.a[2] has been successfully untainted.\n"
    );
    let e = fails(d, &["untaint", "null_resource.a[2]"]);
    assert!(e.contains("Resource instance is not tainted"), "{e}");
    let e = fails(d, &["taint", "null_resource.a[7]"]);
    assert!(e.contains("No such resource instance"), "{e}");
    let o = terrane(d, &["taint", "-allow-missing", "null_resource.a[7]"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("Warning: No such resource instance"));
    assert!(fails(d, &["taint", "data.null_data_source.d"])
        .starts_with("Resource instance data.null_data_source.d cannot be tainted"));
    assert_eq!(read_state(&state)["serial"], 5);
}

#[test]
fn workspaces_as_terraform_lays_them_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(ok(d, &["workspace", "list"]), "* default\n\n");
    assert_eq!(ok(d, &["workspace", "show"]), "default\n");
    assert!(ok(d, &["workspace", "new", "dev"]).starts_with(
        "Created and switched to workspace \"dev\"!\n\nYou're now on a new, empty workspace."
    ));
    assert_eq!(
        std::fs::read_to_string(d.join(".terraform/environment")).unwrap(),
        "dev"
    );
    assert!(d.join("terraform.tfstate.d/dev").is_dir());
    assert_eq!(
        fails(d, &["workspace", "new", "dev"]),
        "Workspace \"dev\" already exists\n"
    );
    assert!(fails(d, &["workspace", "new", "a/b"])
        .contains("The workspace name \"a/b\" is not allowed."));
    ok(d, &["workspace", "new", "alpha"]);
    assert_eq!(
        ok(d, &["workspace", "list"]),
        "  default\n* alpha\n  dev\n\n"
    );
    assert!(fails(d, &["workspace", "select", "nope"])
        .contains("Workspace \"nope\" doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand"));
    assert_eq!(
        ok(d, &["workspace", "select", "dev"]),
        "Switched to workspace \"dev\".\n"
    );
    assert_eq!(ok(d, &["workspace", "select", "dev"]), "");
    assert!(ok(d, &["workspace", "select", "-or-create", "made"])
        .starts_with("Created and switched to workspace \"made\"!"));
    ok(d, &["workspace", "select", "dev"]);

    // A state in a workspace, written and read where Terraform keeps it.
    std::fs::write(
        d.join("terraform.tfstate.d/alpha/terraform.tfstate"),
        SAMPLE,
    )
    .unwrap();
    assert!(fails(d, &["workspace", "delete", "dev"])
        .starts_with("Workspace \"dev\" is your active workspace."));
    assert!(fails(d, &["workspace", "delete", "alpha"])
        .starts_with("Workspace \"alpha\" is not empty."));
    assert_eq!(
        fails(d, &["workspace", "delete", "default"]),
        "cannot delete default state\n"
    );
    assert!(ok(d, &["workspace", "delete", "-force", "alpha"])
        .starts_with("Deleted workspace \"alpha\"!\nWARNING: \"alpha\" was non-empty."));
    assert_eq!(
        ok(d, &["workspace", "delete", "made"]),
        "Deleted workspace \"made\"!\n"
    );
    assert!(!d.join("terraform.tfstate.d/alpha").exists());

    // TF_WORKSPACE overrides the selection.
    let o = command(d, &["workspace", "show"])
        .env("TF_WORKSPACE", "other")
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "other\n");
    let o = command(d, &["workspace", "list"])
        .env("TF_WORKSPACE", "other")
        .output()
        .unwrap();
    assert!(
        stdout(&o).starts_with("  default\n  dev\n\n\n\nThe active workspace is being overridden")
    );
    let o = command(d, &["workspace", "select", "default"])
        .env("TF_WORKSPACE", "other")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("The selected workspace is currently overridden"));
    let o = command(d, &["workspace", "show"])
        .env("TF_WORKSPACE", "a/b")
        .output()
        .unwrap();
    assert_eq!(
        stderr(&o),
        "Error selecting workspace: Invalid workspace name set using TF_WORKSPACE\n"
    );

    // State commands follow the selected workspace; TF_DATA_DIR moves the record.
    std::fs::write(d.join("terraform.tfstate.d/dev/terraform.tfstate"), SAMPLE).unwrap();
    assert!(ok(d, &["state", "list"]).contains("null_resource.b"));
    let o = command(d, &["workspace", "show"])
        .env("TF_DATA_DIR", d.join("elsewhere"))
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "default\n");
}

/// The state lock of `terraform.tfstate` in `dir`, held by this test process.
fn hold_lock(dir: &Path) -> terrane_state::StateLock {
    terrane_state::lock(
        &dir.join("terraform.tfstate"),
        "OperationTypeApply",
        Duration::ZERO,
    )
    .unwrap()
}

#[test]
fn a_lock_held_by_another_process_blocks_writes() {
    let dir = sample_dir();
    let d = dir.path();
    let held = hold_lock(d);
    let id = held.info().id.clone();
    let started = std::time::Instant::now();
    let o = terrane(d, &["state", "rm", "-lock-timeout=1s", "null_resource.b"]);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("Error acquiring the state lock"), "{e}");
    assert!(e.contains(&format!("ID:        {id}")), "{e}");
    assert!(e.contains("Operation: OperationTypeApply"), "{e}");
    assert!(e.contains("Who:       ") && e.contains('@'), "{e}");
    assert_eq!(
        stdout(&o),
        "Acquiring state lock. This may take a few moments...\n"
    );
    for args in [
        &["taint", "null_resource.b"][..],
        &["state", "mv", "null_resource.b", "null_resource.c"],
        &["state", "push", "-force", "terraform.tfstate"],
    ] {
        assert!(fails(d, args).contains("Error acquiring the state lock"));
    }
    assert_eq!(read_state(&d.join("terraform.tfstate"))["serial"], 3);
    // Reading needs no lock; -lock=false skips it.
    ok(d, &["state", "list"]);
    ok(
        d,
        &["state", "rm", "-lock=false", "-dry-run", "null_resource.b"],
    );
    drop(held);
    ok(d, &["state", "rm", "null_resource.b"]);
}

/// Not a test of its own: the lock holder `a_killed_holder_never_blocks` starts in a
/// separate process and kills.
#[test]
#[ignore = "helper process for a_killed_holder_never_blocks"]
fn lock_holder_process() {
    let Ok(dir) = std::env::var("TERRANE_TEST_LOCK_DIR") else {
        return;
    };
    let held = hold_lock(Path::new(&dir));
    println!("locked {}", held.info().id);
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_killed_holder_never_blocks() {
    let dir = sample_dir();
    let d = dir.path();
    let mut holder = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "lock_holder_process", "--ignored", "--nocapture"])
        .env("TERRANE_TEST_LOCK_DIR", d)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(holder.stdout.take().unwrap());
    let id = loop {
        let mut line = String::new();
        assert_ne!(reader.read_line(&mut line).unwrap(), 0, "the holder ended");
        if let Some(id) = line.trim().strip_prefix("locked ") {
            break id.to_string();
        }
    };
    assert!(fails(d, &["taint", "null_resource.b"]).contains(&id));

    // force-unlock: the ID must match, and confirmation is needed without -force.
    assert!(fails(d, &["force-unlock", "-force", "wrong"])
        .starts_with("Failed to unlock state: invalid lock id: \"wrong\""));
    assert!(fails(d, &["force-unlock", &id]).contains("-force"));

    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();
    // Its information file is left behind, but it no longer blocks anyone.
    assert!(d.join(".terraform.tfstate.lock.info").exists());
    assert_eq!(
        ok(d, &["taint", "null_resource.b"]),
        "Resource instance null_resource.b has been marked as tainted.\n"
    );
    assert!(!d.join(".terraform.tfstate.lock.info").exists());

    // force-unlock removes a stale (or live) lock with the right ID.
    let held = hold_lock(d);
    let id = held.info().id.clone();
    std::mem::forget(held); // as if its holder had hung
    assert!(ok(d, &["force-unlock", "-force", &id])
        .starts_with("terrane state has been successfully unlocked!"));
    ok(d, &["untaint", "null_resource.b"]);
    assert!(fails(d, &["force-unlock", "-force", &id])
        .starts_with("Failed to unlock state: the state at"));
}
