//! Authenticating through the Azure CLI (`use_cli`, azure_identity's `AzureCliCredential`),
//! with no subscription configured (it comes from `az account show`). No `az` is installed
//! here, so an `az` script on PATH plays it: it hands out a token the simulator issued to the
//! service principal it was "logged in" with, as `az login --service-principal` would. This
//! test is alone in its binary because it changes the process's PATH.

#[path = "simulator/support.rs"]
#[allow(dead_code)]
mod support;

use support::{attr, blocks, object_of, s, Driver};
use terrane_azure_sim::{Options, Simulator};
use terrane_engine::value::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_login_is_used() {
    let sim = Simulator::start(Options::default())
        .await
        .expect("simulator");
    let settings = terrane_provider_azurerm::connection::ConnectionSettings {
        auth: terrane_provider_azurerm::arm::credentials::AuthSettings {
            tenant_id: Some(sim.tenant_id().into()),
            client_id: Some(sim.client_id().into()),
            client_secret: Some(sim.client_secret().into()),
            ..Default::default()
        },
        subscription_id: Some(sim.subscription_id().into()),
        metadata_host: Some(sim.metadata_host()),
        ..Default::default()
    };
    let dir = tempfile::tempdir().expect("dir");
    let logged_in = terrane_provider_azurerm::connection::connect(&settings, dir.path())
        .await
        .expect("connect");
    let token = logged_in.client.token().await.expect("token");

    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let log = dir.path().join("az.log");
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> {log}\ncase \"$1 $2\" in\n  \"account show\") echo '{{\"id\": \"{sub}\", \"tenantId\": \"{tenant}\"}}' ;;\n  \"account get-access-token\") echo '{{\"accessToken\": \"{token}\", \"expires_on\": 4102444800, \"tokenType\": \"Bearer\"}}' ;;\n  *) echo unexpected >&2; exit 1 ;;\nesac\n",
        log = log.display(),
        sub = sim.subscription_id(),
        tenant = sim.tenant_id(),
    );
    let az = bin.join("az");
    std::fs::write(&az, script).expect("script");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&az)
        .status()
        .expect("chmod");
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::set_var("PATH", format!("{}:{path}", bin.display()));

    let rm = Driver::new(terrane_provider_azurerm::provider());
    let block = &rm.schema.provider.block;
    let config = object_of(
        block,
        vec![
            ("metadata_host", s(sim.metadata_host())),
            ("use_cli", Value::Bool(true)),
            ("features", blocks(block, "features", vec![vec![]])),
        ],
    );
    let diagnostics = rm.provider.configure(&config).await;
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let group = rm
        .create(
            "azurerm_resource_group",
            &rm.config(
                "azurerm_resource_group",
                vec![("name", s("rg-cli")), ("location", s("westeurope"))],
            ),
        )
        .await;
    assert_eq!(
        attr(&group, "id"),
        s(format!(
            "/subscriptions/{}/resourceGroups/rg-cli",
            sim.subscription_id()
        ))
    );
    let calls = std::fs::read_to_string(&log).expect("az was run");
    assert!(calls.contains("account show"), "{calls}");
    assert!(
        calls.contains("account get-access-token -o json --scope"),
        "{calls}"
    );
    rm.destroy("azurerm_resource_group", &group).await;
}
