//! `kill -9` in the middle of an apply of 300 resources: every object whose creation
//! finished is in the state afterwards, the state file is valid JSON, and a second apply
//! converges without duplicates.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn terrane(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run terrane")
}

/// The index of every file the apply wrote.
fn files_on_disk(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir.join("out"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The index of every `local_file` the state (with its journal) holds.
fn files_in_state(dir: &Path) -> Vec<String> {
    let out = terrane(dir, &["state", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.ends_with("local_file.f"))
        .map(|l| {
            l.trim_start_matches("module.m[")
                .split(']')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn kill_during_apply_loses_nothing_that_finished() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("mod")).unwrap();
    std::fs::write(
        d.join("mod/main.tf"),
        r#"
variable "index" { type = number }
resource "time_sleep" "s" {
  create_duration = "10ms"
}
resource "local_file" "f" {
  filename = "out/${var.index}"
  content  = time_sleep.s.id
}
"#,
    )
    .unwrap();
    std::fs::write(
        d.join("main.tf"),
        r#"
module "m" {
  source = "./mod"
  count  = 300
  index  = count.index
}
"#,
    )
    .unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_terrane"))
        .args(["apply", "-auto-approve"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while files_on_disk(d).len() < 40 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let on_disk = files_on_disk(d);
    assert!(
        on_disk.len() >= 40 && on_disk.len() < 300,
        "killed mid-way: {} files",
        on_disk.len()
    );
    if let Ok(text) = std::fs::read_to_string(d.join("terraform.tfstate")) {
        serde_json::from_str::<serde_json::Value>(&text).expect("the state file is valid JSON");
    }
    let in_state: Vec<String> = files_in_state(d);
    let unique: BTreeSet<String> = in_state.iter().cloned().collect();
    assert_eq!(unique.len(), in_state.len(), "no duplicates");
    for f in &unique {
        assert!(
            on_disk.contains(f),
            "state holds module.m[{f}] but its file is missing"
        );
    }
    // Only creates in flight when the process died (at most -parallelism, 10) may have
    // written their file without their completion reaching the state.
    assert!(
        on_disk.len() - unique.len() <= 10,
        "{} files, {} in state",
        on_disk.len(),
        unique.len()
    );

    let again = terrane(d, &["apply", "-auto-approve"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let in_state = files_in_state(d);
    assert_eq!(in_state.len(), 300);
    assert_eq!(in_state.iter().collect::<BTreeSet<_>>().len(), 300);
    assert_eq!(files_on_disk(d).len(), 300);
    let plan = terrane(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
}
