//! `environment = "simulator"`: the provider starts the simulator itself, keeps its data under
//! `.terrane/`, and the data outlives the provider.

use crate::support::{attr, azurerm_config_for_environment, s, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_simulator_keeps_its_data() {
    let dir = tempfile::tempdir().expect("dir");
    let state = {
        let rm = Driver::new(terrane_provider_azurerm::provider_in(
            dir.path().to_path_buf(),
        ));
        let diagnostics = rm
            .provider
            .configure(&azurerm_config_for_environment(&rm, "simulator"))
            .await;
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        let api = Driver::new(terrane_provider_azurerm::azapi_provider_in(
            dir.path().to_path_buf(),
        ));
        let config = crate::support::object_of(
            &api.schema.provider.block,
            vec![("environment", s("simulator"))],
        );
        let diagnostics = api.provider.configure(&config).await;
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        let state = rm
            .create(
                "azurerm_resource_group",
                &rm.config(
                    "azurerm_resource_group",
                    vec![("name", s("rg-kept")), ("location", s("westeurope"))],
                ),
            )
            .await;
        let seen = api
            .read_data(
                "azapi_resource",
                &api.data_config(
                    "azapi_resource",
                    vec![
                        ("type", s("Microsoft.Resources/resourceGroups@2021-04-01")),
                        ("name", s("rg-kept")),
                    ],
                ),
            )
            .await;
        assert_eq!(
            attr(&seen, "exists"),
            terrane_engine::value::Value::Bool(true),
            "both providers share one simulator"
        );
        state
    };
    assert!(dir.path().join(".terrane/simulator.json").exists());
    let rm = Driver::new(terrane_provider_azurerm::provider_in(
        dir.path().to_path_buf(),
    ));
    let diagnostics = rm
        .provider
        .configure(&azurerm_config_for_environment(&rm, "simulator"))
        .await;
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let read = rm
        .read("azurerm_resource_group", &state)
        .await
        .expect("kept across restarts");
    assert_eq!(attr(&read, "location"), s("westeurope"));
    rm.destroy("azurerm_resource_group", &read).await;
}
