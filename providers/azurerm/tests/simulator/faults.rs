//! With a fifth of the requests throttled and one in twenty failing, applies still converge:
//! every object is created once, reads back as planned, and is deleted.

use crate::support::{attr, s, string_list, string_set, Harness};
use std::sync::Arc;
use terrane_azure_sim::Faults;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_under_throttling_and_server_errors() {
    let h = Arc::new(
        Harness::start(Faults {
            throttle: 0.2,
            server_error: 0.05,
            drop: 0.02,
        })
        .await,
    );
    assert!(
        failures_without_retries(&h).await >= 3,
        "the simulator injects faults"
    );
    let rm = &h.azurerm;
    let group = rm
        .create(
            "azurerm_resource_group",
            &rm.config(
                "azurerm_resource_group",
                vec![("name", s("rg-faults")), ("location", s("westeurope"))],
            ),
        )
        .await;
    let mut tasks = Vec::new();
    for n in 0..4 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let rm = &h.azurerm;
            let vnet_config = rm.config(
                "azurerm_virtual_network",
                vec![
                    ("name", s(format!("vnet-{n}"))),
                    ("resource_group_name", s("rg-faults")),
                    ("location", s("westeurope")),
                    ("address_space", string_set(&[&format!("10.{n}.0.0/16")])),
                ],
            );
            let vnet = rm.create("azurerm_virtual_network", &vnet_config).await;
            let mut subnets = Vec::new();
            for m in 0..2 {
                let config = rm.config(
                    "azurerm_subnet",
                    vec![
                        ("name", s(format!("subnet-{m}"))),
                        ("resource_group_name", s("rg-faults")),
                        ("virtual_network_name", s(format!("vnet-{n}"))),
                        (
                            "address_prefixes",
                            string_list(&[&format!("10.{n}.{m}.0/24")]),
                        ),
                    ],
                );
                let subnet = rm.create("azurerm_subnet", &config).await;
                rm.assert_read_same("azurerm_subnet", &subnet).await;
                rm.assert_clean("azurerm_subnet", &subnet, &config).await;
                subnets.push(subnet);
            }
            let ip_config = rm.config(
                "azurerm_public_ip",
                vec![
                    ("name", s(format!("pip-{n}"))),
                    ("resource_group_name", s("rg-faults")),
                    ("location", s("westeurope")),
                    ("allocation_method", s("Static")),
                ],
            );
            let ip = rm.create("azurerm_public_ip", &ip_config).await;
            (vnet, subnets, ip)
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        created.push(task.await.expect("task"));
    }

    // Exactly what was planned exists: one of each, nothing twice.
    let listed = list_group(&h, "rg-faults").await;
    let mut expected: Vec<String> = (0..4)
        .flat_map(|n| {
            [
                format!("virtualNetworks/vnet-{n}"),
                format!("publicIPAddresses/pip-{n}"),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
    for (vnet, subnets, _) in &created {
        let read = rm
            .read("azurerm_virtual_network", vnet)
            .await
            .expect("vnet");
        assert_eq!(attr(&read, "subnet").len(), Some(subnets.len()));
    }

    for (vnet, subnets, ip) in &created {
        for subnet in subnets {
            rm.destroy("azurerm_subnet", subnet).await;
        }
        rm.destroy("azurerm_virtual_network", vnet).await;
        rm.destroy("azurerm_public_ip", ip).await;
    }
    assert!(list_group(&h, "rg-faults").await.is_empty());
    rm.destroy("azurerm_resource_group", &group).await;
    assert!(rm.read("azurerm_resource_group", &group).await.is_none());
}

/// A client of the simulator that retries as the provider does (or not at all).
async fn raw_client(h: &Harness, attempts: u32) -> terrane_provider_azurerm::arm::ArmClient {
    use terrane_provider_azurerm::arm::retry::RetryPolicy;
    use terrane_provider_azurerm::arm::transport::Transport;
    let connected = connect(h).await;
    if attempts == 0 {
        return connected.client;
    }
    let token = connected.client.token().await.expect("token");
    terrane_provider_azurerm::arm::ArmClient::new(
        Transport::new(
            RetryPolicy {
                max_attempts: attempts,
                ..RetryPolicy::default()
            },
            4,
        ),
        Arc::new(StaticToken(token)),
        connected.client.endpoint().clone(),
        "unused".into(),
        connected.client.account.clone(),
    )
}

#[derive(Debug)]
struct StaticToken(String);

#[async_trait::async_trait]
impl azure_core::credentials::TokenCredential for StaticToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        Ok(azure_core::credentials::AccessToken::new(
            self.0.clone(),
            azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
        ))
    }
}

/// How many of 60 reads fail when nothing is retried.
async fn failures_without_retries(h: &Harness) -> usize {
    let client = raw_client(h, 1).await;
    let mut failures = 0;
    for _ in 0..60 {
        let id = format!("/subscriptions/{}", h.sim.subscription_id());
        if client.get(&id, "2022-12-01").await.is_err() {
            failures += 1;
        }
    }
    failures
}

async fn connect(h: &Harness) -> terrane_provider_azurerm::connection::Connection {
    let settings = terrane_provider_azurerm::connection::ConnectionSettings {
        auth: terrane_provider_azurerm::arm::credentials::AuthSettings {
            tenant_id: Some(h.sim.tenant_id().into()),
            client_id: Some(h.sim.client_id().into()),
            client_secret: Some(h.sim.client_secret().into()),
            ..Default::default()
        },
        subscription_id: Some(h.sim.subscription_id().into()),
        metadata_host: Some(h.sim.metadata_host()),
        ..Default::default()
    };
    let dir = tempfile::tempdir().expect("dir");
    terrane_provider_azurerm::connection::connect(&settings, dir.path())
        .await
        .expect("connect")
}

/// The resources of a group, as `<type>/<name>`, through ARM's own listing.
async fn list_group(h: &Harness, group: &str) -> Vec<String> {
    let connection = raw_client(h, 0).await;
    let items = connection
        .list(&format!("{}/resources", h.group_id(group)), "2022-09-01")
        .await
        .expect("list");
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|i| i.get("id").and_then(serde_json::Value::as_str))
        .map(|id| {
            let parts: Vec<&str> = id.rsplitn(3, '/').collect();
            format!("{}/{}", parts.get(1).copied().unwrap_or_default(), parts[0])
        })
        .collect();
    names.sort();
    names
}
