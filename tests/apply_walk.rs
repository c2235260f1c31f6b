//! The apply walk through the binary: `-json` lines as Terraform's machine-readable UI,
//! progress lines, `-parallelism`, and Ctrl-C (changes under way finish and are saved,
//! nothing new starts, the exit status is 1).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn terrane(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run terrane")
}

fn state_list(dir: &Path) -> Vec<String> {
    String::from_utf8_lossy(&terrane(dir, &["state", "list"]).stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn json_lines_follow_terraforms_machine_readable_ui() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        r#"
resource "random_id" "k" {
  for_each    = toset(["a", "b"])
  byte_length = 4
}
resource "null_resource" "n" {
  triggers = { k = random_id.k["a"].hex }
}
output "hex" { value = random_id.k["a"].hex }
output "secret" {
  value     = random_id.k["b"].hex
  sensitive = true
}
"#,
    )
    .unwrap();
    let out = terrane(d, &["apply", "-auto-approve", "-json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for line in &lines {
        assert_eq!(line["@module"], "terraform.ui");
        assert!(line["@timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
        assert!(line["@level"].is_string() && line["@message"].is_string());
    }
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "version");
    assert_eq!(kinds.iter().filter(|k| **k == "planned_change").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "apply_start").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "apply_complete").count(), 3);
    let planned = lines
        .iter()
        .find(|l| {
            l["type"] == "planned_change" && l["change"]["resource"]["addr"] == "random_id.k[\"a\"]"
        })
        .expect("planned change of random_id.k[\"a\"]");
    assert_eq!(
        planned["change"],
        serde_json::json!({
            "resource": {
                "addr": "random_id.k[\"a\"]",
                "module": "",
                "resource": "random_id.k[\"a\"]",
                "implied_provider": "random",
                "resource_type": "random_id",
                "resource_name": "k",
                "resource_key": "a"
            },
            "action": "create"
        })
    );
    let complete = lines
        .iter()
        .find(|l| {
            l["type"] == "apply_complete" && l["hook"]["resource"]["addr"] == "null_resource.n"
        })
        .expect("null_resource.n completes");
    assert_eq!(complete["hook"]["action"], "create");
    assert_eq!(complete["hook"]["id_key"], "id");
    assert!(complete["@message"]
        .as_str()
        .unwrap()
        .starts_with("null_resource.n: Creation complete after "));
    // The null resource waited for the random_id it refers to.
    let position = |kind: &str, addr: &str| {
        lines
            .iter()
            .position(|l| l["type"] == kind && l["hook"]["resource"]["addr"] == addr)
            .unwrap()
    };
    assert!(
        position("apply_complete", "random_id.k[\"a\"]")
            < position("apply_start", "null_resource.n")
    );
    let summaries: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["type"] == "change_summary")
        .collect();
    assert_eq!(summaries.len(), 2);
    assert_eq!(
        summaries[1]["changes"],
        serde_json::json!({"add": 3, "change": 0, "remove": 0, "operation": "apply"})
    );
    let outputs = lines
        .iter()
        .find(|l| l["type"] == "outputs")
        .expect("outputs line");
    assert_eq!(outputs["outputs"]["hex"]["type"], "string");
    assert!(outputs["outputs"]["hex"]["value"].is_string());
    assert_eq!(outputs["outputs"]["secret"]["sensitive"], true);
    assert!(outputs["outputs"]["secret"].get("value").is_none());

    // Errors are diagnostic lines too.
    std::fs::write(d.join("main.tf"), "output \"x\" { value = nope.thing }\n").unwrap();
    let out = terrane(d, &["plan", "-json"]);
    assert_eq!(out.status.code(), Some(1));
    let diagnostic = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["type"] == "diagnostic")
        .expect("a diagnostic line");
    assert_eq!(diagnostic["@level"], "error");
    assert_eq!(diagnostic["diagnostic"]["severity"], "error");
}

#[test]
fn progress_lines_and_parallelism() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        r#"
resource "time_sleep" "s" {
  count           = 4
  create_duration = "1s"
}
"#,
    )
    .unwrap();
    let out = terrane(d, &["apply", "-auto-approve", "-parallelism=2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for i in 0..4 {
        assert!(
            text.contains(&format!("time_sleep.s[{i}]: Creating...")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "time_sleep.s[{i}]: Creation complete after 1s [id="
            )),
            "{text}"
        );
    }
    // Never more than two at once, and two at once at some point.
    let (mut running, mut most) = (0i32, 0i32);
    for line in text.lines() {
        if line.ends_with(": Creating...") {
            running += 1;
            most = most.max(running);
        } else if line.contains(": Creation complete after") {
            running -= 1;
        }
    }
    assert_eq!(most, 2, "{text}");
    let bad = terrane(d, &["apply", "-auto-approve", "-parallelism=0"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("-parallelism"));
}

#[test]
fn interrupt_finishes_what_runs_and_starts_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        r#"
resource "time_sleep" "first" {
  create_duration = "2s"
}
resource "null_resource" "after" {
  triggers = { t = time_sleep.first.id }
}
"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(["apply", "-auto-approve"])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen.contains("time_sleep.first: Creating...") && Instant::now() < deadline {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
    }
    assert!(seen.contains("time_sleep.first: Creating..."), "{seen}");
    // Ctrl-C, as a terminal sends it.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{rest}{stderr}");
    assert!(stderr.contains("Interrupt received"), "{stderr}");
    assert!(stderr.contains("Operation cancelled"), "{stderr}");
    assert!(
        rest.contains("time_sleep.first: Creation complete"),
        "{rest}"
    );
    assert!(!rest.contains("null_resource.after: Creating"), "{rest}");
    assert_eq!(state_list(d), vec!["time_sleep.first".to_string()]);
    // Running again carries out the rest.
    let again = terrane(d, &["apply", "-auto-approve"]);
    assert!(again.status.success());
    assert_eq!(state_list(d).len(), 2);
}
