//! `azurerm_resource_group` and the data sources.

use crate::support::{attr, s, tags, Harness};
use terrane_azure_sim::Faults;
use terrane_engine::value::Value;

const RG: &str = "azurerm_resource_group";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_group_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let config = rm.config(
        RG,
        vec![
            ("name", s("rg-life")),
            ("location", s("West Europe")),
            ("tags", tags(&[("env", "dev")])),
        ],
    );
    let plan = rm.plan(RG, &Value::Null(config.ty()), &config).await;
    assert_eq!(attr(&plan.planned_state, "location"), s("westeurope"));
    let state = rm.create(RG, &config).await;
    assert_eq!(attr(&state, "id"), s(h.group_id("rg-life")));
    assert_eq!(attr(&state, "location"), s("westeurope"));
    assert_eq!(attr(&state, "tags"), tags(&[("env", "dev")]));
    rm.assert_read_same(RG, &state).await;
    rm.assert_clean(RG, &state, &config).await;

    let retagged = rm.config(
        RG,
        vec![
            ("name", s("rg-life")),
            ("location", s("westeurope")),
            ("tags", tags(&[("env", "prod"), ("team", "core")])),
        ],
    );
    let state = rm.update(RG, &state, &retagged).await;
    assert_eq!(
        attr(&state, "tags"),
        tags(&[("env", "prod"), ("team", "core")])
    );
    rm.assert_read_same(RG, &state).await;
    rm.assert_clean(RG, &state, &retagged).await;

    let moved = rm.config(
        RG,
        vec![("name", s("rg-life")), ("location", s("North Europe"))],
    );
    let plan = rm.plan(RG, &state, &moved).await;
    assert_eq!(plan.requires_replace, vec![vec!["location".to_string()]]);

    let again = rm.plan(RG, &Value::Null(config.ty()), &config).await;
    let refused = rm
        .try_apply(RG, &Value::Null(config.ty()), &again.planned_state, &config)
        .await
        .expect_err("an existing group is not adopted");
    assert!(
        refused.contains("already exists") && refused.contains(&h.group_id("rg-life")),
        "{refused}"
    );

    let imported = rm.import(RG, &h.group_id("rg-life")).await;
    for name in ["id", "name", "location", "tags", "managed_by"] {
        assert!(
            attr(&imported, name).raw_equal(&attr(&state, name)),
            "{name}"
        );
    }
    let bad = rm
        .provider
        .import(
            RG,
            &format!(
                "/subscriptions/{}/resourcegroups/rg-life",
                h.sim.subscription_id()
            ),
        )
        .await
        .expect_err("import IDs are validated");
    assert!(format!("{bad:?}").contains("resourceGroups"));

    rm.destroy(RG, &state).await;
    assert!(
        rm.read(RG, &state).await.is_none(),
        "a 404 on refresh means gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_group_with_resources_is_refused() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let group = rm
        .create(
            RG,
            &rm.config(
                RG,
                vec![("name", s("rg-full")), ("location", s("westeurope"))],
            ),
        )
        .await;
    let ip_config = rm.config(
        "azurerm_public_ip",
        vec![
            ("name", s("pip")),
            ("resource_group_name", s("rg-full")),
            ("location", s("westeurope")),
            ("allocation_method", s("Static")),
        ],
    );
    let ip = rm.create("azurerm_public_ip", &ip_config).await;
    let refused = rm
        .try_apply(
            RG,
            &group,
            &Value::Null(group.ty()),
            &Value::Null(group.ty()),
        )
        .await
        .expect_err("still holds a public IP");
    assert!(
        refused.contains("still contains Resources") && refused.contains("publicIPAddresses/pip"),
        "{refused}"
    );
    rm.destroy("azurerm_public_ip", &ip).await;
    rm.destroy(RG, &group).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_sources() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    let client = rm
        .read_data(
            "azurerm_client_config",
            &rm.data_config("azurerm_client_config", vec![]),
        )
        .await;
    assert_eq!(attr(&client, "subscription_id"), s(h.sim.subscription_id()));
    assert_eq!(attr(&client, "tenant_id"), s(h.sim.tenant_id()));
    assert_eq!(attr(&client, "client_id"), s(h.sim.client_id()));
    assert!(attr(&client, "id")
        .as_str()
        .is_some_and(|id| !id.is_empty()));

    let subscription = rm
        .read_data(
            "azurerm_subscription",
            &rm.data_config("azurerm_subscription", vec![]),
        )
        .await;
    assert_eq!(
        attr(&subscription, "id"),
        s(format!("/subscriptions/{}", h.sim.subscription_id()))
    );
    assert_eq!(attr(&subscription, "tenant_id"), s(h.sim.tenant_id()));
    assert!(attr(&subscription, "display_name")
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    assert_eq!(attr(&subscription, "state"), s("Enabled"));

    let group = rm
        .create(
            RG,
            &rm.config(
                RG,
                vec![
                    ("name", s("rg-data")),
                    ("location", s("East US")),
                    ("tags", tags(&[("a", "b")])),
                ],
            ),
        )
        .await;
    let read = rm
        .read_data(
            "azurerm_resource_group",
            &rm.data_config("azurerm_resource_group", vec![("name", s("rg-data"))]),
        )
        .await;
    assert_eq!(attr(&read, "id"), attr(&group, "id"));
    assert_eq!(attr(&read, "location"), s("eastus"));
    assert_eq!(attr(&read, "tags"), tags(&[("a", "b")]));
    let missing = rm
        .provider
        .read_data_source(
            "azurerm_resource_group",
            &rm.data_config("azurerm_resource_group", vec![("name", s("nope"))]),
        )
        .await
        .expect_err("not found");
    assert!(format!("{missing:?}").contains("was not found"));
}
