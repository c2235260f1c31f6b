//! What the tests that use the Azure simulator share: a running `terrane sim serve` and the
//! Python environment holding Microsoft's Azure SDKs (made by scripts/azure-sdk-venv).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The SDK environment's python, or `None` (outside CI) when it cannot be had; made once
/// per test process, since the tests run in parallel.
pub fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(find_python) {
        Ok(python) => Some(python.clone()),
        Err(problem) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("the Azure SDK environment is required under CI: {problem}")
        }
        Err(problem) => {
            eprintln!(
                "SKIPPED: the Azure SDK oracle tests need Microsoft's Python SDKs: {problem}"
            );
            None
        }
    }
}

fn find_python() -> Result<PathBuf, String> {
    let script = root().join("scripts/azure-sdk-venv");
    let output = Command::new("bash").arg(&script).output();
    match output {
        Ok(out) if out.status.success() => {
            let venv = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let python = Path::new(&venv).join("bin/python");
            if python.exists() {
                Ok(python)
            } else {
                Err(format!("{} is missing", python.display()))
            }
        }
        Ok(out) => Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) => Err(format!("cannot run {}: {e}", script.display())),
    }
}

/// A running `terrane sim serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    pub exports: Vec<(String, String)>,
}

impl Server {
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_terrane"))
            .args(["sim", "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("terrane sim serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .expect("a first line")
            .expect("readable stdout");
        let base_url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line is the listening line, got {first:?}"))
            .to_string();
        let mut exports = Vec::new();
        for _ in 0..5 {
            let line = lines
                .next()
                .expect("an export line")
                .expect("readable stdout");
            let assignment = line
                .strip_prefix("export ")
                .unwrap_or_else(|| panic!("an export line, got {line:?}"));
            let (name, value) = assignment.split_once('=').expect("NAME=VALUE");
            exports.push((name.to_string(), value.to_string()));
        }
        Server {
            child,
            base_url,
            exports,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
