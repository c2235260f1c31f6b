//! `azapi_resource` and its data source.

use crate::support::{attr, s, tags, Harness};
use std::collections::BTreeMap;
use terrane_azure_sim::Faults;
use terrane_engine::value::{Type, Value};

const AZAPI: &str = "azapi_resource";

fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn vnet_body(prefix: &str) -> Value {
    object(vec![(
        "properties",
        object(vec![(
            "addressSpace",
            object(vec![("addressPrefixes", Value::tuple(vec![s(prefix)]))]),
        )]),
    )])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azapi_resource_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    rm.create(
        "azurerm_resource_group",
        &rm.config(
            "azurerm_resource_group",
            vec![("name", s("rg-api")), ("location", s("westeurope"))],
        ),
    )
    .await;
    let api = h.azapi().await;
    let config = |prefix: &str, tag: &str, name: &str| {
        api.config(
            AZAPI,
            vec![
                ("type", s("Microsoft.Network/virtualNetworks@2024-05-01")),
                ("name", s(name)),
                ("parent_id", s(h.group_id("rg-api"))),
                ("location", s("westeurope")),
                ("body", vnet_body(prefix)),
                ("tags", tags(&[("env", tag)])),
                (
                    "response_export_values",
                    Value::tuple(vec![s("properties.resourceGuid")]),
                ),
            ],
        )
    };
    let first = config("10.7.0.0/16", "dev", "vnet-api");
    let state = api.create(AZAPI, &first).await;
    let id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet-api",
        h.group_id("rg-api")
    );
    assert_eq!(attr(&state, "id"), s(id.as_str()));
    let output = attr(&state, "output");
    let guid = attr(&attr(&output, "properties"), "resourceGuid");
    assert!(guid.as_str().is_some_and(|g| !g.is_empty()), "{output:?}");
    api.assert_read_same(AZAPI, &state).await;
    api.assert_clean(AZAPI, &state, &first).await;

    // The typed resource sees what azapi made.
    let typed = rm.import("azurerm_virtual_network", &id).await;
    assert_eq!(
        attr(&typed, "address_space"),
        Value::set(Type::String, vec![s("10.7.0.0/16")])
    );

    let second = config("10.7.0.0/16", "prod", "vnet-api");
    let state = api.update(AZAPI, &state, &second).await;
    assert_eq!(attr(&state, "tags"), tags(&[("env", "prod")]));
    api.assert_read_same(AZAPI, &state).await;
    let third = config("10.8.0.0/16", "prod", "vnet-api");
    let state = api.update(AZAPI, &state, &third).await;
    let read = api.read(AZAPI, &state).await.expect("exists");
    assert!(read.raw_equal(&state));
    let renamed = api
        .plan(AZAPI, &state, &config("10.8.0.0/16", "prod", "other"))
        .await;
    assert_eq!(renamed.requires_replace, vec![vec!["name".to_string()]]);

    let data = api
        .read_data(
            AZAPI,
            &api.data_config(
                AZAPI,
                vec![
                    ("type", s("Microsoft.Network/virtualNetworks@2024-05-01")),
                    ("name", s("vnet-api")),
                    ("parent_id", s(h.group_id("rg-api"))),
                    (
                        "response_export_values",
                        Value::tuple(vec![s("properties.addressSpace")]),
                    ),
                ],
            ),
        )
        .await;
    assert_eq!(attr(&data, "exists"), Value::Bool(true));
    assert_eq!(attr(&data, "location"), s("westeurope"));
    let prefixes = attr(&attr(&attr(&data, "output"), "properties"), "addressSpace");
    assert!(
        format!("{prefixes:?}").contains("10.8.0.0/16"),
        "{prefixes:?}"
    );

    let imported = api
        .import(AZAPI, &format!("{id}?api-version=2024-05-01"))
        .await;
    assert_eq!(attr(&imported, "name"), s("vnet-api"));
    assert_eq!(attr(&imported, "parent_id"), s(h.group_id("rg-api")));
    assert_eq!(
        attr(&imported, "type"),
        s("Microsoft.Network/virtualNetworks@2024-05-01")
    );

    api.destroy(AZAPI, &state).await;
    assert!(api.read(AZAPI, &state).await.is_none());
    let gone = api
        .read_data(
            AZAPI,
            &api.data_config(
                AZAPI,
                vec![
                    ("type", s("Microsoft.Network/virtualNetworks@2024-05-01")),
                    ("name", s("vnet-api")),
                    ("parent_id", s(h.group_id("rg-api"))),
                    ("ignore_not_found", Value::Bool(true)),
                ],
            ),
        )
        .await;
    assert_eq!(attr(&gone, "exists"), Value::Bool(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azapi_any_type_and_resource_groups() {
    let h = Harness::start(Faults::default()).await;
    let api = h.azapi().await;
    let group_config = api.config(
        AZAPI,
        vec![
            ("type", s("Microsoft.Resources/resourceGroups@2021-04-01")),
            ("name", s("rg-generic")),
            ("location", s("eastus")),
        ],
    );
    let group = api.create(AZAPI, &group_config).await;
    assert_eq!(
        attr(&group, "parent_id"),
        s(format!("/subscriptions/{}", h.sim.subscription_id()))
    );
    assert_eq!(attr(&group, "id"), s(h.group_id("rg-generic")));
    let generic_config = api.config(
        AZAPI,
        vec![
            ("type", s("Contoso.Widgets/gadgets@2024-01-01")),
            ("name", s("g1")),
            ("parent_id", s(h.group_id("rg-generic"))),
            ("location", s("eastus")),
            (
                "body",
                object(vec![("properties", object(vec![("size", Value::int(3))]))]),
            ),
        ],
    );
    let generic = api.create(AZAPI, &generic_config).await;
    api.assert_read_same(AZAPI, &generic).await;
    api.assert_clean(AZAPI, &generic, &generic_config).await;
    api.destroy(AZAPI, &generic).await;
    assert!(api.read(AZAPI, &generic).await.is_none());
    api.destroy(AZAPI, &group).await;
}
