//! The Azure simulator against Microsoft's own clients: each test starts `terrane sim serve`,
//! reads the environment it exports, and runs one of the Python scripts in tests/azure_sdk/,
//! which drive the simulator with Microsoft's Azure SDKs for Python (their long-running-operation
//! pollers included) and with plain HTTP.
//!
//! The SDKs live in a virtual environment made by scripts/azure-sdk-venv. Where it cannot be
//! made (no network on a developer's machine), the tests say so loudly and pass; under CI
//! (`CI=true`) a missing environment is a failure.

mod common;

use common::{python, root, Server};
use std::process::Command;

/// Runs one oracle script against a fresh simulator started with `args`.
fn oracle(script: &str, args: &[&str]) {
    let Some(python) = python() else {
        return;
    };
    let server = Server::start(args);
    let output = Command::new(python)
        .arg(script)
        .current_dir(root().join("tests/azure_sdk"))
        .envs(server.exports.iter().cloned())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed against {}\n--- stdout\n{stdout}\n--- stderr\n{}",
        server.base_url,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("ok "),
        "{script} did not report success: {stdout}"
    );
}

#[test]
fn serve_prints_the_listening_line_then_the_exports() {
    let server = Server::start(&[]);
    let host = server
        .base_url
        .strip_prefix("http://127.0.0.1:")
        .expect("a loopback http URL");
    assert!(
        host.parse::<u16>().is_ok_and(|p| p != 0),
        "a real port: {host}"
    );
    let names: Vec<&str> = server.exports.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "ARM_METADATA_HOSTNAME",
            "ARM_TENANT_ID",
            "ARM_SUBSCRIPTION_ID",
            "ARM_CLIENT_ID",
            "ARM_CLIENT_SECRET"
        ]
    );
    assert_eq!(
        server.exports[0].1,
        server.base_url.trim_start_matches("http://")
    );
}

#[test]
fn serve_refuses_bad_flags() {
    for args in [
        &["--faults", "429=2"][..],
        &["--speed", "0"],
        &["--listen", "nowhere"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_terrane"))
            .args(["sim", "serve"])
            .args(args)
            .output()
            .expect("terrane runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn resources_with_the_sdk() {
    oracle("test_resources.py", &[]);
}

#[test]
fn network_vpn_and_dns_with_the_sdk() {
    oracle("test_network.py", &[]);
}

#[test]
fn aks_registry_and_role_assignments_with_the_sdk() {
    oracle("test_aks.py", &[]);
}

#[test]
fn postgres_redis_and_private_endpoints_with_the_sdk() {
    oracle("test_data.py", &[]);
}

#[test]
fn key_vault_and_storage_with_the_sdk() {
    oracle("test_vault_storage.py", &[]);
}

#[test]
fn arm_behaviour_on_the_wire() {
    oracle("test_raw.py", &[]);
}

#[test]
fn request_limits_at_real_speed() {
    oracle("test_limits.py", &["--speed", "1"]);
}

#[test]
fn injected_faults_change_nothing() {
    oracle("test_faults.py", &["--faults", "429=0.3,500=0.2,drop=0.1"]);
}

#[test]
fn latency_is_added_to_every_request() {
    let Some(python) = python() else {
        return;
    };
    let server = Server::start(&["--latency-ms", "200"]);
    let started = std::time::Instant::now();
    let output = Command::new(python)
        .args([
            "-c",
            "import urllib.request,os; urllib.request.urlopen('http://'+os.environ['ARM_METADATA_HOSTNAME']+'/metadata/endpoints?api-version=2022-09-01').read()",
        ])
        .envs(server.exports.iter().cloned())
        .output()
        .expect("python runs");
    assert!(output.status.success());
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
}
