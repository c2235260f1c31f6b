//! The data stores and secrets: PostgreSQL flexible servers (public, and in a delegated subnet
//! with a private DNS zone) with databases, firewall rules and configurations; Redis caches
//! with their keys and connection strings; storage accounts; key vaults with access policies
//! and secrets in their data plane. Also: the user's corpus decodes against these schemas.

use crate::support::{
    attr, blocks, corpus_dir, decode_problems, s, string_list, string_set, tags, Driver, Harness,
};
use terrane_azure_sim::Faults;
use terrane_engine::value::Value;

const RG: &str = "azurerm_resource_group";
const PG: &str = "azurerm_postgresql_flexible_server";
const PG_DB: &str = "azurerm_postgresql_flexible_server_database";
const PG_FW: &str = "azurerm_postgresql_flexible_server_firewall_rule";
const PG_CONF: &str = "azurerm_postgresql_flexible_server_configuration";
const REDIS: &str = "azurerm_redis_cache";
const STORAGE: &str = "azurerm_storage_account";
const KV: &str = "azurerm_key_vault";
const KV_POLICY: &str = "azurerm_key_vault_access_policy";
const KV_SECRET: &str = "azurerm_key_vault_secret";
const PASSWORD: &str = "Sup3r-Secret-Passw0rd";

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

async fn group(rm: &Driver, name: &str) -> Value {
    rm.create(
        RG,
        &rm.config(RG, vec![("name", s(name)), ("location", s("westeurope"))]),
    )
    .await
}

fn pg_config(rm: &Driver, extra: Vec<(&str, Value)>) -> Value {
    let mut pairs = vec![
        ("name", s("pg-dev-terrane")),
        ("resource_group_name", s("rg-data")),
        ("location", s("westeurope")),
        ("version", s("16")),
        ("administrator_login", s("pgadmin")),
        ("administrator_password", s(PASSWORD)),
        ("sku_name", s("B_Standard_B1ms")),
        ("storage_mb", Value::int(32768)),
        ("zone", s("1")),
    ];
    for (k, v) in extra {
        pairs.retain(|(name, _)| *name != k);
        pairs.push((k, v));
    }
    rm.config(PG, pairs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-data").await;

    // A public server: computed FQDN, storage tier and backups from ARM.
    let config = pg_config(rm, vec![("tags", tags(&[("env", "dev")]))]);
    let server = rm.create(PG, &config).await;
    let server_id = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-dev-terrane",
        h.group_id("rg-data")
    );
    assert_eq!(attr(&server, "id"), s(&server_id));
    assert_eq!(
        attr(&server, "fqdn"),
        s("pg-dev-terrane.postgres.database.azure.com")
    );
    assert_eq!(attr(&server, "storage_tier"), s("P4"));
    assert_eq!(attr(&server, "sku_name"), s("B_Standard_B1ms"));
    assert_eq!(
        attr(&server, "public_network_access_enabled"),
        Value::Bool(true)
    );
    assert_eq!(attr(&server, "administrator_password"), s(PASSWORD));
    assert_eq!(attr(&server, "backup_retention_days"), Value::int(7));
    let auth = attr(&server, "authentication");
    assert_eq!(
        attr(
            &auth.as_seq().expect("authentication")[0],
            "password_auth_enabled"
        ),
        Value::Bool(true)
    );
    rm.assert_read_same(PG, &server).await;
    rm.assert_clean(PG, &server, &config).await;

    // Tags, backups, the SKU and a maintenance window change in place.
    let window = blocks(
        rm.block(PG),
        "maintenance_window",
        vec![vec![
            ("day_of_week", Value::int(3)),
            ("start_hour", Value::int(2)),
        ]],
    );
    let config_2 = pg_config(
        rm,
        vec![
            ("tags", tags(&[("env", "prod")])),
            ("backup_retention_days", Value::int(14)),
            ("sku_name", s("GP_Standard_D2s_v3")),
            ("maintenance_window", window),
        ],
    );
    let server = rm.update(PG, &server, &config_2).await;
    assert_eq!(attr(&server, "tags"), tags(&[("env", "prod")]));
    assert_eq!(attr(&server, "backup_retention_days"), Value::int(14));
    assert_eq!(attr(&server, "sku_name"), s("GP_Standard_D2s_v3"));
    let windows = attr(&server, "maintenance_window");
    assert_eq!(
        attr(&windows.as_seq().expect("window")[0], "day_of_week"),
        Value::int(3)
    );
    rm.assert_read_same(PG, &server).await;
    rm.assert_clean(PG, &server, &config_2).await;

    // A larger disk grows in place; a smaller one, an older version, geo-redundant backups
    // or a new login replace the server.
    let bigger = pg_config(
        rm,
        vec![
            ("tags", tags(&[("env", "prod")])),
            ("backup_retention_days", Value::int(14)),
            ("sku_name", s("GP_Standard_D2s_v3")),
            ("maintenance_window", attr(&server, "maintenance_window")),
            ("storage_mb", Value::int(65536)),
        ],
    );
    let server = rm.update(PG, &server, &bigger).await;
    assert_eq!(attr(&server, "storage_mb"), Value::int(65536));
    assert_eq!(attr(&server, "storage_tier"), s("P6"));
    rm.assert_clean(PG, &server, &bigger).await;
    for (name, value) in [
        ("storage_mb", Value::int(32768)),
        ("version", s("15")),
        ("geo_redundant_backup_enabled", Value::Bool(true)),
        ("administrator_login", s("otheradmin")),
    ] {
        let plan = rm
            .plan(PG, &server, &pg_config(rm, vec![(name, value)]))
            .await;
        assert!(
            plan.requires_replace.contains(&vec![name.to_string()]),
            "{name} replaces the server: {:?}",
            plan.requires_replace
        );
    }

    // A database: defaults, import, force-new collation.
    let db_config = rm.config(
        PG_DB,
        vec![("name", s("app")), ("server_id", s(&server_id))],
    );
    let db = rm.create(PG_DB, &db_config).await;
    assert_eq!(attr(&db, "id"), s(format!("{server_id}/databases/app")));
    assert_eq!(attr(&db, "charset"), s("UTF8"));
    assert_eq!(attr(&db, "collation"), s("en_US.utf8"));
    rm.assert_read_same(PG_DB, &db).await;
    rm.assert_clean(PG_DB, &db, &db_config).await;
    let imported = rm.import(PG_DB, &text(&attr(&db, "id"))).await;
    rm.assert_clean(PG_DB, &imported, &db_config).await;
    let recollated = rm
        .plan(
            PG_DB,
            &db,
            &rm.config(
                PG_DB,
                vec![
                    ("name", s("app")),
                    ("server_id", s(&server_id)),
                    ("collation", s("C")),
                ],
            ),
        )
        .await;
    assert!(recollated
        .requires_replace
        .contains(&vec!["collation".to_string()]));

    // A firewall rule updated in place.
    let rule_config = |end: &str| {
        rm.config(
            PG_FW,
            vec![
                ("name", s("office")),
                ("server_id", s(&server_id)),
                ("start_ip_address", s("10.0.0.1")),
                ("end_ip_address", s(end)),
            ],
        )
    };
    let rule = rm.create(PG_FW, &rule_config("10.0.0.10")).await;
    rm.assert_read_same(PG_FW, &rule).await;
    let rule = rm.update(PG_FW, &rule, &rule_config("10.0.0.20")).await;
    assert_eq!(attr(&rule, "end_ip_address"), s("10.0.0.20"));
    let imported = rm.import(PG_FW, &text(&attr(&rule, "id"))).await;
    assert!(imported.raw_equal(&rule), "{imported:?}\n{rule:?}");

    // Import the server: what ARM holds, without the password ARM never returns.
    let imported = rm.import(PG, &server_id).await;
    assert_eq!(attr(&imported, "fqdn"), attr(&server, "fqdn"));
    assert_eq!(attr(&imported, "storage_mb"), Value::int(65536));
    assert!(attr(&imported, "administrator_password").is_null());

    rm.destroy(PG_FW, &rule).await;
    assert!(rm.read(PG_FW, &rule).await.is_none());
    rm.destroy(PG_DB, &db).await;
    assert!(rm.read(PG_DB, &db).await.is_none());
    rm.destroy(PG, &server).await;
    assert!(rm.read(PG, &server).await.is_none());
}

/// Needs the simulator to accept a PATCH of a server parameter that was never written (ARM's
/// parameters exist with the server; the simulator answers 404 until one is PUT).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_configuration_resets_to_default_on_delete() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-data").await;
    let server = rm.create(PG, &pg_config(rm, vec![])).await;
    let server_id = text(&attr(&server, "id"));
    // A server parameter: set, changed, and back to its default when deleted.
    let conf_config = |value: &str| {
        rm.config(
            PG_CONF,
            vec![
                ("name", s("azure.extensions")),
                ("server_id", s(&server_id)),
                ("value", s(value)),
            ],
        )
    };
    let conf = rm.create(PG_CONF, &conf_config("UUID-OSSP")).await;
    assert_eq!(
        attr(&conf, "id"),
        s(format!("{server_id}/configurations/azure.extensions"))
    );
    rm.assert_read_same(PG_CONF, &conf).await;
    rm.assert_clean(PG_CONF, &conf, &conf_config("UUID-OSSP"))
        .await;
    let conf = rm
        .update(PG_CONF, &conf, &conf_config("UUID-OSSP,PGCRYPTO"))
        .await;
    assert_eq!(attr(&conf, "value"), s("UUID-OSSP,PGCRYPTO"));
    rm.destroy(PG_CONF, &conf).await;
    let reset = rm
        .read(PG_CONF, &conf)
        .await
        .expect("parameters always exist");
    assert_eq!(attr(&reset, "value"), s(""), "back to the default value");

    let imported = rm.import(PG_CONF, &text(&attr(&conf, "id"))).await;
    assert_eq!(attr(&imported, "server_id"), s(&server_id));
    rm.destroy(PG, &server).await;
    assert!(
        rm.read(PG_CONF, &conf).await.is_none(),
        "gone with its server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_in_a_delegated_subnet_with_a_private_zone() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-data").await;
    rm.create(
        "azurerm_virtual_network",
        &rm.config(
            "azurerm_virtual_network",
            vec![
                ("name", s("vnet")),
                ("resource_group_name", s("rg-data")),
                ("location", s("westeurope")),
                ("address_space", string_set(&["10.20.0.0/16"])),
            ],
        ),
    )
    .await;
    let subnet_block = rm.block("azurerm_subnet");
    let delegation = blocks(
        subnet_block,
        "delegation",
        vec![vec![
            ("name", s("fs")),
            (
                "service_delegation",
                blocks(
                    &subnet_block.blocks["delegation"].block,
                    "service_delegation",
                    vec![vec![
                        ("name", s("Microsoft.DBforPostgreSQL/flexibleServers")),
                        (
                            "actions",
                            string_set(&["Microsoft.Network/virtualNetworks/subnets/join/action"]),
                        ),
                    ]],
                ),
            ),
        ]],
    );
    let subnet = rm
        .create(
            "azurerm_subnet",
            &rm.config(
                "azurerm_subnet",
                vec![
                    ("name", s("postgres")),
                    ("resource_group_name", s("rg-data")),
                    ("virtual_network_name", s("vnet")),
                    ("address_prefixes", string_list(&["10.20.1.0/24"])),
                    ("delegation", delegation),
                ],
            ),
        )
        .await;
    let api = h.azapi().await;
    let zone = api
        .create(
            "azapi_resource",
            &api.config(
                "azapi_resource",
                vec![
                    ("type", s("Microsoft.Network/privateDnsZones@2024-06-01")),
                    ("name", s("prod-terrane.postgres.database.azure.com")),
                    ("parent_id", s(h.group_id("rg-data"))),
                    ("location", s("global")),
                ],
            ),
        )
        .await;
    let zone_id = text(&attr(&zone, "id"));
    let config = pg_config(
        rm,
        vec![
            ("name", s("pg-prod-terrane")),
            ("delegated_subnet_id", attr(&subnet, "id")),
            ("private_dns_zone_id", s(&zone_id)),
            ("public_network_access_enabled", Value::Bool(false)),
        ],
    );
    let server = rm.create(PG, &config).await;
    assert_eq!(attr(&server, "delegated_subnet_id"), attr(&subnet, "id"));
    assert!(text(&attr(&server, "private_dns_zone_id")).eq_ignore_ascii_case(&zone_id));
    assert_eq!(
        attr(&server, "public_network_access_enabled"),
        Value::Bool(false)
    );
    rm.assert_read_same(PG, &server).await;
    rm.assert_clean(PG, &server, &config).await;
    let moved = rm
        .plan(
            PG,
            &server,
            &pg_config(
                rm,
                vec![
                    ("name", s("pg-prod-terrane")),
                    ("private_dns_zone_id", s(&zone_id)),
                    ("public_network_access_enabled", Value::Bool(false)),
                ],
            ),
        )
        .await;
    assert!(moved
        .requires_replace
        .contains(&vec!["delegated_subnet_id".to_string()]));
    rm.destroy(PG, &server).await;
    assert!(rm.read(PG, &server).await.is_none());
}

fn redis_config(rm: &Driver, sku: &str, capacity: i64, extra: Vec<(&str, Value)>) -> Value {
    let configuration = blocks(
        rm.block(REDIS),
        "redis_configuration",
        vec![vec![("maxmemory_policy", s("allkeys-lru"))]],
    );
    let mut pairs = vec![
        ("name", s("dev-terrane-redis")),
        ("resource_group_name", s("rg-cache")),
        ("location", s("westeurope")),
        ("capacity", Value::int(capacity)),
        ("family", s("C")),
        ("sku_name", s(sku)),
        ("minimum_tls_version", s("1.2")),
        ("redis_configuration", configuration),
    ];
    for (k, v) in extra {
        pairs.retain(|(name, _)| *name != k);
        pairs.push((k, v));
    }
    rm.config(REDIS, pairs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-cache").await;
    let config = redis_config(rm, "Standard", 1, vec![("tags", tags(&[("env", "dev")]))]);
    let cache = rm.create(REDIS, &config).await;
    assert_eq!(
        attr(&cache, "hostname"),
        s("dev-terrane-redis.redis.cache.windows.net")
    );
    assert_eq!(attr(&cache, "port"), Value::int(6379));
    assert_eq!(attr(&cache, "ssl_port"), Value::int(6380));
    assert_eq!(attr(&cache, "redis_version"), s("6.0"));
    let primary = text(&attr(&cache, "primary_access_key"));
    let secondary = text(&attr(&cache, "secondary_access_key"));
    assert!(!primary.is_empty() && !secondary.is_empty() && primary != secondary);
    assert_eq!(
        attr(&cache, "primary_connection_string"),
        s(format!(
            "dev-terrane-redis.redis.cache.windows.net:6380,password={primary},ssl=true,abortConnect=False"
        ))
    );
    let redis_configuration = attr(&cache, "redis_configuration");
    let settings = &redis_configuration.as_seq().expect("configuration")[0];
    assert_eq!(attr(settings, "maxmemory_policy"), s("allkeys-lru"));
    assert!(attr(settings, "maxclients")
        .as_number()
        .is_some_and(|n| !n.is_zero()));
    let schema = &rm.schema.resources[REDIS].block.attributes;
    for key in [
        "primary_access_key",
        "secondary_access_key",
        "primary_connection_string",
        "secondary_connection_string",
    ] {
        assert!(schema[key].sensitive, "{key} is sensitive");
    }
    rm.assert_read_same(REDIS, &cache).await;
    rm.assert_clean(REDIS, &cache, &config).await;

    // Capacity, tags and a patch schedule change in place.
    let schedule = blocks(
        rm.block(REDIS),
        "patch_schedule",
        vec![vec![
            ("day_of_week", s("Sunday")),
            ("start_hour_utc", Value::int(2)),
        ]],
    );
    let config_2 = redis_config(
        rm,
        "Standard",
        2,
        vec![
            ("tags", tags(&[("env", "prod")])),
            ("patch_schedule", schedule),
        ],
    );
    let cache = rm.update(REDIS, &cache, &config_2).await;
    assert_eq!(attr(&cache, "capacity"), Value::int(2));
    let schedule = attr(&cache, "patch_schedule");
    assert_eq!(
        attr(
            &schedule.as_seq().expect("schedule")[0],
            "maintenance_window"
        ),
        s("PT5H")
    );
    rm.assert_read_same(REDIS, &cache).await;
    rm.assert_clean(REDIS, &cache, &config_2).await;

    // A lower SKU or another zone set replaces the cache; a bad size is refused at plan.
    let lower = rm
        .plan(REDIS, &cache, &redis_config(rm, "Basic", 2, vec![]))
        .await;
    assert!(lower
        .requires_replace
        .contains(&vec!["sku_name".to_string()]));
    let wrong = rm
        .provider
        .plan_change(terrane_engine::provider::PlanRequest {
            type_name: REDIS.into(),
            prior_state: Value::Null(rm.block(REDIS).value_type()),
            proposed_new_state: redis_config(rm, "Premium", 1, vec![]),
            config: redis_config(rm, "Premium", 1, vec![]),
            prior_private: vec![],
        })
        .await;
    assert!(
        wrong.diagnostics.has_errors(),
        "Premium caches are family P"
    );

    let imported = rm.import(REDIS, &text(&attr(&cache, "id"))).await;
    assert_eq!(attr(&imported, "primary_access_key"), s(&primary));
    rm.assert_clean(REDIS, &imported, &config_2).await;
    rm.destroy(REDIS, &cache).await;
    assert!(rm.read(REDIS, &cache).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_account_lifecycle() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-store").await;
    let config = |replication: &str, extra: Vec<(&str, Value)>| {
        let mut pairs = vec![
            ("name", s("devterranegeneralsa")),
            ("resource_group_name", s("rg-store")),
            ("location", s("westeurope")),
            ("account_tier", s("Standard")),
            ("account_replication_type", s(replication)),
        ];
        pairs.extend(extra);
        rm.config(STORAGE, pairs)
    };
    let first = config("LRS", vec![("tags", tags(&[("env", "dev")]))]);
    let account = rm.create(STORAGE, &first).await;
    assert_eq!(attr(&account, "account_kind"), s("StorageV2"));
    assert_eq!(attr(&account, "access_tier"), s("Hot"));
    assert_eq!(attr(&account, "min_tls_version"), s("TLS1_2"));
    assert_eq!(
        attr(&account, "primary_blob_endpoint"),
        s("https://devterranegeneralsa.blob.core.windows.net/")
    );
    assert_eq!(
        attr(&account, "primary_blob_host"),
        s("devterranegeneralsa.blob.core.windows.net")
    );
    let key = text(&attr(&account, "primary_access_key"));
    assert!(!key.is_empty());
    assert_eq!(
        attr(&account, "primary_connection_string"),
        s(format!("DefaultEndpointsProtocol=https;AccountName=devterranegeneralsa;AccountKey={key};EndpointSuffix=core.windows.net"))
    );
    assert_eq!(
        attr(&account, "primary_blob_connection_string"),
        s(format!("DefaultEndpointsProtocol=https;BlobEndpoint=https://devterranegeneralsa.blob.core.windows.net/;AccountName=devterranegeneralsa;AccountKey={key}"))
    );
    assert_eq!(attr(&account, "secondary_blob_connection_string"), s(""));
    rm.assert_read_same(STORAGE, &account).await;
    rm.assert_clean(STORAGE, &account, &first).await;

    // Tags, TLS, public access and network rules change in place; GRS keeps the account.
    let rules = blocks(
        rm.block(STORAGE),
        "network_rules",
        vec![vec![
            ("default_action", s("Deny")),
            ("ip_rules", string_set(&["203.0.113.7"])),
            ("bypass", string_set(&["AzureServices", "Logging"])),
        ]],
    );
    let second = config(
        "GRS",
        vec![
            ("tags", tags(&[("env", "prod")])),
            ("min_tls_version", s("TLS1_1")),
            ("public_network_access_enabled", Value::Bool(false)),
            ("network_rules", rules),
        ],
    );
    let account = rm.update(STORAGE, &account, &second).await;
    assert_eq!(attr(&account, "account_replication_type"), s("GRS"));
    assert_eq!(attr(&account, "secondary_location"), s("northeurope"));
    assert_eq!(
        attr(&account, "public_network_access_enabled"),
        Value::Bool(false)
    );
    let network = attr(&account, "network_rules");
    assert_eq!(
        attr(&network.as_seq().expect("rules")[0], "ip_rules"),
        string_set(&["203.0.113.7"])
    );
    rm.assert_read_same(STORAGE, &account).await;
    rm.assert_clean(STORAGE, &account, &second).await;

    // The blob service's properties, written to `blobServices/default`.
    let blob = blocks(
        rm.block(STORAGE),
        "blob_properties",
        vec![vec![
            ("versioning_enabled", Value::Bool(true)),
            (
                "delete_retention_policy",
                blocks(
                    &rm.block(STORAGE).blocks["blob_properties"].block,
                    "delete_retention_policy",
                    vec![vec![("days", Value::int(14))]],
                ),
            ),
        ]],
    );
    let third = config(
        "GRS",
        vec![
            ("tags", tags(&[("env", "prod")])),
            ("min_tls_version", s("TLS1_1")),
            ("public_network_access_enabled", Value::Bool(false)),
            ("network_rules", attr(&account, "network_rules")),
            ("blob_properties", blob),
        ],
    );
    let account = rm.update(STORAGE, &account, &third).await;
    let blob = attr(&account, "blob_properties");
    let blob = &blob.as_seq().expect("blob properties")[0];
    assert_eq!(attr(blob, "versioning_enabled"), Value::Bool(true));
    let retention = attr(blob, "delete_retention_policy");
    assert_eq!(
        attr(&retention.as_seq().expect("retention")[0], "days"),
        Value::int(14)
    );
    rm.assert_read_same(STORAGE, &account).await;
    rm.assert_clean(STORAGE, &account, &third).await;

    // Zone-redundant replication or another tier replaces the account.
    let zonal = rm.plan(STORAGE, &account, &config("ZRS", vec![])).await;
    assert!(zonal
        .requires_replace
        .contains(&vec!["account_replication_type".to_string()]));
    let premium = rm
        .plan(
            STORAGE,
            &account,
            &rm.config(
                STORAGE,
                vec![
                    ("name", s("devterranegeneralsa")),
                    ("resource_group_name", s("rg-store")),
                    ("location", s("westeurope")),
                    ("account_tier", s("Premium")),
                    ("account_replication_type", s("GRS")),
                ],
            ),
        )
        .await;
    assert!(premium
        .requires_replace
        .contains(&vec!["account_tier".to_string()]));

    let imported = rm.import(STORAGE, &text(&attr(&account, "id"))).await;
    assert_eq!(attr(&imported, "primary_access_key"), s(&key));
    rm.destroy(STORAGE, &account).await;
    assert!(rm.read(STORAGE, &account).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_vault_with_policies_and_secrets() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-kv").await;
    let client = rm
        .read_data(
            "azurerm_client_config",
            &rm.data_config("azurerm_client_config", vec![]),
        )
        .await;
    let tenant = text(&attr(&client, "tenant_id"));
    let me = text(&attr(&client, "object_id"));
    let policy_block = &rm.block(KV).blocks["access_policy"].block;
    let mine = crate::support::object_of(
        policy_block,
        vec![
            ("tenant_id", s(&tenant)),
            ("object_id", s(&me)),
            (
                "secret_permissions",
                string_list(&["Get", "Set", "List", "Delete", "Purge", "Recover"]),
            ),
        ],
    );
    let vault_config = |tag: &str| {
        rm.config(
            KV,
            vec![
                ("name", s("dev-terrane-main")),
                ("resource_group_name", s("rg-kv")),
                ("location", s("westeurope")),
                ("tenant_id", s(&tenant)),
                ("sku_name", s("standard")),
                ("soft_delete_retention_days", Value::int(7)),
                ("purge_protection_enabled", Value::Bool(false)),
                ("enabled_for_disk_encryption", Value::Bool(true)),
                (
                    "access_policy",
                    Value::list(policy_block.value_type(), vec![mine.clone()]),
                ),
                ("tags", tags(&[("env", tag)])),
            ],
        )
    };
    let vault = rm.create(KV, &vault_config("dev")).await;
    let vault_id = text(&attr(&vault, "id"));
    let vault_uri = text(&attr(&vault, "vault_uri"));
    assert!(
        vault_uri.ends_with("/keyvault/dev-terrane-main/"),
        "{vault_uri}"
    );
    assert_eq!(attr(&vault, "soft_delete_retention_days"), Value::int(7));
    assert_eq!(
        attr(&vault, "rbac_authorization_enabled"),
        Value::Bool(false)
    );
    assert_eq!(attr(&vault, "access_policy").len(), Some(1));
    rm.assert_read_same(KV, &vault).await;
    rm.assert_clean(KV, &vault, &vault_config("dev")).await;
    let vault = rm.update(KV, &vault, &vault_config("prod")).await;
    assert_eq!(attr(&vault, "tags"), tags(&[("env", "prod")]));
    let renamed = rm
        .plan(
            KV,
            &vault,
            &rm.config(
                KV,
                vec![
                    ("name", s("dev-terrane-other")),
                    ("resource_group_name", s("rg-kv")),
                    ("location", s("westeurope")),
                    ("tenant_id", s(&tenant)),
                    ("sku_name", s("standard")),
                ],
            ),
        )
        .await;
    assert!(renamed.requires_replace.contains(&vec!["name".to_string()]));

    // A secret in the vault's data plane: versions on a new value, in place otherwise.
    let secret_config = |value: &str, content_type: &str| {
        rm.config(
            KV_SECRET,
            vec![
                ("name", s("redis-connection-string")),
                ("key_vault_id", s(&vault_id)),
                ("value", s(value)),
                ("content_type", s(content_type)),
                ("expiration_date", s("2035-01-01T00:00:00Z")),
                ("tags", tags(&[("app", "api")])),
            ],
        )
    };
    let secret = rm
        .create(KV_SECRET, &secret_config("first-value", "text/plain"))
        .await;
    let secret_id = text(&attr(&secret, "id"));
    let version = text(&attr(&secret, "version"));
    assert_eq!(
        secret_id,
        format!("{vault_uri}secrets/redis-connection-string/{version}")
    );
    assert_eq!(
        attr(&secret, "versionless_id"),
        s(format!("{vault_uri}secrets/redis-connection-string"))
    );
    assert_eq!(
        attr(&secret, "resource_id"),
        s(format!(
            "{vault_id}/secrets/redis-connection-string/versions/{version}"
        ))
    );
    assert_eq!(attr(&secret, "expiration_date"), s("2035-01-01T00:00:00Z"));
    assert!(rm.schema.resources[KV_SECRET].block.attributes["value"].sensitive);
    rm.assert_read_same(KV_SECRET, &secret).await;
    rm.assert_clean(
        KV_SECRET,
        &secret,
        &secret_config("first-value", "text/plain"),
    )
    .await;
    let secret = rm
        .update(
            KV_SECRET,
            &secret,
            &secret_config("first-value", "text/json"),
        )
        .await;
    assert_eq!(attr(&secret, "version"), s(&version), "same version");
    assert_eq!(attr(&secret, "content_type"), s("text/json"));
    let secret = rm
        .update(
            KV_SECRET,
            &secret,
            &secret_config("second-value", "text/json"),
        )
        .await;
    assert_ne!(attr(&secret, "version"), s(&version), "a new version");
    assert_eq!(attr(&secret, "value"), s("second-value"));
    rm.assert_read_same(KV_SECRET, &secret).await;

    // The data source reads the latest version, or the one asked for.
    let read = rm
        .read_data(
            KV_SECRET,
            &rm.data_config(
                KV_SECRET,
                vec![
                    ("name", s("redis-connection-string")),
                    ("key_vault_id", s(&vault_id)),
                ],
            ),
        )
        .await;
    assert_eq!(attr(&read, "value"), s("second-value"));
    assert_eq!(attr(&read, "id"), attr(&secret, "id"));
    let old = rm
        .read_data(
            KV_SECRET,
            &rm.data_config(
                KV_SECRET,
                vec![
                    ("name", s("redis-connection-string")),
                    ("key_vault_id", s(&vault_id)),
                    ("version", s(&version)),
                ],
            ),
        )
        .await;
    assert_eq!(attr(&old, "value"), s("first-value"));

    let imported = rm.import(KV_SECRET, &text(&attr(&secret, "id"))).await;
    assert_eq!(attr(&imported, "key_vault_id"), s(&vault_id));
    assert_eq!(attr(&imported, "value"), s("second-value"));

    // Deleting purges the secret: the same name can be created again at once.
    rm.destroy(KV_SECRET, &secret).await;
    assert!(rm.read(KV_SECRET, &secret).await.is_none());
    let again = rm
        .create(KV_SECRET, &secret_config("third-value", "text/plain"))
        .await;
    rm.destroy(KV_SECRET, &again).await;

    // A standalone access policy, updated in place and imported by its upstream ID.
    let other = "6d1e9c4a-1f0b-4f43-9d4c-2d3f6a7b8c9d";
    let policy_config = |permissions: &[&str]| {
        rm.config(
            KV_POLICY,
            vec![
                ("key_vault_id", s(&vault_id)),
                ("tenant_id", s(&tenant)),
                ("object_id", s(other)),
                ("secret_permissions", string_list(permissions)),
            ],
        )
    };
    let policy = rm.create(KV_POLICY, &policy_config(&["Get"])).await;
    assert_eq!(
        attr(&policy, "id"),
        s(format!("{vault_id}/objectId/{other}"))
    );
    rm.assert_read_same(KV_POLICY, &policy).await;
    rm.assert_clean(KV_POLICY, &policy, &policy_config(&["Get"]))
        .await;
    let policy = rm
        .update(KV_POLICY, &policy, &policy_config(&["Get", "List"]))
        .await;
    assert_eq!(
        attr(&policy, "secret_permissions"),
        string_list(&["Get", "List"])
    );
    let imported = rm.import(KV_POLICY, &text(&attr(&policy, "id"))).await;
    assert!(imported.raw_equal(&policy), "{imported:?}\n{policy:?}");
    let tenant_change = rm
        .plan(
            KV_POLICY,
            &policy,
            &rm.config(
                KV_POLICY,
                vec![
                    ("key_vault_id", s(&vault_id)),
                    ("tenant_id", s("00000000-0000-0000-0000-000000000009")),
                    ("object_id", s(other)),
                ],
            ),
        )
        .await;
    assert!(tenant_change
        .requires_replace
        .contains(&vec!["tenant_id".to_string()]));

    rm.destroy(KV_POLICY, &policy).await;
    assert!(rm.read(KV_POLICY, &policy).await.is_none());
    let vault = rm.read(KV, &vault).await.expect("the vault");
    rm.destroy(KV, &vault).await;
    assert!(rm.read(KV, &vault).await.is_none());
    // Purged on destroy: the name is free again.
    let recreated = rm.create(KV, &vault_config("dev")).await;
    rm.destroy(KV, &recreated).await;
}

/// The user's tf-infra (written for azurerm v3) decodes against these schemas, except for
/// the v3-only arguments it uses.
#[test]
fn the_corpus_decodes_against_the_v4_schemas() {
    let dir = corpus_dir("tf-infra");
    if !dir.is_dir() {
        eprintln!("skipped: the corpus is not at {}", dir.display());
        return;
    }
    let (module, diagnostics) = terrane_engine::config::load_module(&dir);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let (decoded, problems) = decode_problems(
        &module,
        &[
            PG, PG_CONF, PG_FW, PG_DB, REDIS, STORAGE, KV, KV_POLICY, KV_SECRET,
        ],
    );
    assert!(decoded >= 8, "the corpus has these resources: {decoded}");
    // Only the v3 name of `non_ssl_port_enabled` is refused.
    assert_eq!(
        problems.keys().collect::<Vec<_>>(),
        vec!["azurerm_redis_cache.main"],
        "{problems:?}"
    );
    let redis = &problems["azurerm_redis_cache.main"];
    assert_eq!(redis.len(), 1, "{redis:?}");
    assert!(redis[0].contains("\"enable_non_ssl_port\""), "{redis:?}");
}

/// Updating one standalone access policy (`accessPolicies/replace`, as azurerm does) leaves the
/// vault's other policies alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_vault_access_policy_update_keeps_other_policies() {
    let h = Harness::start(Faults::default()).await;
    let rm = &h.azurerm;
    group(rm, "rg-kv").await;
    let tenant = h.sim.tenant_id().to_string();
    let vault = rm
        .create(
            KV,
            &rm.config(
                KV,
                vec![
                    ("name", s("kv-policies")),
                    ("resource_group_name", s("rg-kv")),
                    ("location", s("westeurope")),
                    ("tenant_id", s(&tenant)),
                    ("sku_name", s("standard")),
                ],
            ),
        )
        .await;
    let policy = |object: &str, permissions: &[&str]| {
        rm.config(
            KV_POLICY,
            vec![
                ("key_vault_id", attr(&vault, "id")),
                ("tenant_id", s(&tenant)),
                ("object_id", s(object)),
                ("secret_permissions", string_list(permissions)),
            ],
        )
    };
    let first = "11111111-1111-4111-8111-111111111111";
    let second = "22222222-2222-4222-8222-222222222222";
    let one = rm.create(KV_POLICY, &policy(first, &["Get"])).await;
    let two = rm.create(KV_POLICY, &policy(second, &["Get"])).await;
    rm.update(KV_POLICY, &two, &policy(second, &["Get", "List"]))
        .await;
    rm.assert_read_same(KV_POLICY, &one).await;
}

/// With a fifth of the requests throttled, one in twenty failing and some dropped (ARM and
/// the vault's data plane alike), the data stores and a secret are created once, read back as
/// planned, and deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_stores_converge_under_faults() {
    let h = Harness::start(Faults {
        throttle: 0.2,
        server_error: 0.05,
        drop: 0.02,
    })
    .await;
    let rm = &h.azurerm;
    group(rm, "rg-data").await;
    let server = rm.create(PG, &pg_config(rm, vec![])).await;
    rm.assert_read_same(PG, &server).await;
    let cache = rm
        .create(
            REDIS,
            &redis_config(
                rm,
                "Standard",
                1,
                vec![("resource_group_name", s("rg-data"))],
            ),
        )
        .await;
    rm.assert_read_same(REDIS, &cache).await;
    let tenant = h.sim.tenant_id().to_string();
    let client = rm
        .read_data(
            "azurerm_client_config",
            &rm.data_config("azurerm_client_config", vec![]),
        )
        .await;
    let policy_block = &rm.block(KV).blocks["access_policy"].block;
    let mine = crate::support::object_of(
        policy_block,
        vec![
            ("tenant_id", s(&tenant)),
            ("object_id", attr(&client, "object_id")),
            (
                "secret_permissions",
                string_list(&["Get", "Set", "Delete", "Purge"]),
            ),
        ],
    );
    let vault = rm
        .create(
            KV,
            &rm.config(
                KV,
                vec![
                    ("name", s("kv-faults")),
                    ("resource_group_name", s("rg-data")),
                    ("location", s("westeurope")),
                    ("tenant_id", s(&tenant)),
                    ("sku_name", s("standard")),
                    (
                        "access_policy",
                        Value::list(policy_block.value_type(), vec![mine]),
                    ),
                ],
            ),
        )
        .await;
    let secret_config = rm.config(
        KV_SECRET,
        vec![
            ("name", s("redis")),
            ("key_vault_id", attr(&vault, "id")),
            ("value", attr(&cache, "primary_connection_string")),
        ],
    );
    let secret = rm.create(KV_SECRET, &secret_config).await;
    rm.assert_read_same(KV_SECRET, &secret).await;
    rm.assert_clean(KV_SECRET, &secret, &secret_config).await;
    rm.destroy(KV_SECRET, &secret).await;
    rm.destroy(KV, &vault).await;
    rm.destroy(REDIS, &cache).await;
    rm.destroy(PG, &server).await;
    assert!(rm.read(PG, &server).await.is_none());
    assert!(rm.read(KV, &vault).await.is_none());
}
