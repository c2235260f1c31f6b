//! Microsoft.Cache Azure Cache for Redis (`azurerm_redis_cache`) with azurerm v4's schema:
//! the `redis_configuration` block written as ARM's string-valued settings, the patch
//! schedule kept as the cache's `patchSchedules/default` child, and the access keys (from
//! `listKeys`) and connection strings as sensitive computed attributes, built as azurerm
//! builds them. Created with a PUT, changed with a PATCH.

use crate::framework::common::{
    expand_identity, identity, location, resource_group_name, tags, zones_force_new,
};
use crate::framework::flow::{self, stored_id, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_set, null_object};
use crate::framework::schema::{
    block, block_def, boolean, map_of_strings, number, string, Absent, Codec, Nested,
};
use crate::framework::{
    attribute, error, string_attribute, Change, Ctx, PlanContext, ResourceDef, ResourceType,
    Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4.81 manages Redis caches with.
const API_VERSION: &str = "2024-11-01";

pub const REDIS_ID: IdTemplate = IdTemplate::new(
    "Redis",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Cache/redis/{name}",
);

/// What `listKeys` answers when the cache's data plane keys are hidden.
const HIDDEN_KEY: &str = "AccountKey=[key hidden]";

/// The order of the SKUs: a move to a lower one replaces the cache.
fn sku_weight(sku: &str) -> Option<u8> {
    match sku {
        "Basic" => Some(1),
        "Standard" => Some(2),
        "Premium" => Some(3),
        _ => None,
    }
}

/// The family and capacity each SKU takes (as the Azure CLI checks them).
fn valid_sizes(sku: &str) -> &'static [&'static str] {
    match sku {
        "Basic" | "Standard" => &["C0", "C1", "C2", "C3", "C4", "C5", "C6"],
        "Premium" => &["P1", "P2", "P3", "P4", "P5"],
        _ => &[],
    }
}

/// `redis_version` shows ARM's full version (`6.0`): the configured major one is the same.
fn same_redis_version(prior: &Value, config: &Value) -> bool {
    match (prior.as_str(), config.as_str()) {
        (Some(old), Some(new)) => old.split('.').next() == Some(new),
        _ => false,
    }
}

fn int_of(value: &Value) -> Option<i64> {
    value.as_number().and_then(|n| n.to_i64())
}

/// The redis_configuration arguments whose values ARM holds as strings of integers.
const INTEGER_SETTINGS: &[(&str, &str)] = &[
    ("maxmemory_delta", "maxmemory-delta"),
    ("maxmemory_reserved", "maxmemory-reserved"),
    (
        "maxfragmentationmemory_reserved",
        "maxfragmentationmemory-reserved",
    ),
];

/// The connection strings that ARM hides (`AccountKey=[key hidden]`), whose configured
/// value is kept.
const STORAGE_CONNECTION_STRINGS: &[(&str, &str)] = &[
    (
        "rdb_storage_connection_string",
        "rdb-storage-connection-string",
    ),
    (
        "aof_storage_connection_string_0",
        "aof-storage-connection-string-0",
    ),
    (
        "aof_storage_connection_string_1",
        "aof-storage-connection-string-1",
    ),
];

fn redis_configuration_block() -> Nested {
    block(
        "redis_configuration",
        block_def(
            vec![
                boolean("active_directory_authentication_enabled").optional(),
                number("maxclients").computed(),
                number("maxmemory_delta").optional().computed(),
                number("maxmemory_reserved").optional().computed(),
                string("maxmemory_policy")
                    .optional()
                    .default("volatile-lru"),
                number("maxfragmentationmemory_reserved")
                    .optional()
                    .computed(),
                string("data_persistence_authentication_method").optional(),
                boolean("rdb_backup_enabled").optional(),
                number("rdb_backup_frequency").optional(),
                number("rdb_backup_max_snapshot_count").optional(),
                string("rdb_storage_connection_string")
                    .optional()
                    .sensitive(),
                string("notify_keyspace_events").optional(),
                boolean("aof_backup_enabled").optional(),
                string("aof_storage_connection_string_0")
                    .optional()
                    .sensitive(),
                string("aof_storage_connection_string_1")
                    .optional()
                    .sensitive(),
                boolean("authentication_enabled").optional().default(true),
                string("storage_account_subscription_id").optional(),
            ],
            vec![],
        ),
    )
    .max(1)
    .computed()
}

/// `azurerm_redis_cache`.
pub struct RedisCache {
    def: ResourceDef,
}

impl RedisCache {
    pub fn new() -> RedisCache {
        RedisCache {
            def: ResourceDef {
                name: "azurerm_redis_cache",
                schema_version: 1,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        location(),
                        resource_group_name(),
                        zones_force_new(),
                        number("capacity").required().arm("properties.sku.capacity"),
                        string("family").required().arm("properties.sku.family"),
                        string("sku_name").required().arm("properties.sku.name"),
                        string("minimum_tls_version")
                            .optional()
                            .default("1.2")
                            .arm("properties.minimumTlsVersion")
                            .codec(Codec::Custom {
                                expand: |v| v.as_str().map(|s| json!(s)),
                                flatten: |j, _| {
                                    Value::string(j.and_then(Json::as_str).unwrap_or("1.2"))
                                },
                            }),
                        number("shard_count").optional(),
                        boolean("non_ssl_port_enabled")
                            .optional()
                            .default(false)
                            .arm("properties.enableNonSslPort"),
                        string("subnet_id").optional().force_new(),
                        string("private_static_ip_address")
                            .optional()
                            .computed()
                            .force_new()
                            .arm("properties.staticIP"),
                        string("hostname").computed().arm("properties.hostName"),
                        number("port").computed().arm("properties.port"),
                        number("ssl_port").computed().arm("properties.sslPort"),
                        string("primary_access_key").computed().sensitive(),
                        string("secondary_access_key").computed().sensitive(),
                        string("primary_connection_string").computed().sensitive(),
                        string("secondary_connection_string").computed().sensitive(),
                        boolean("public_network_access_enabled")
                            .optional()
                            .default(true)
                            .arm("properties.publicNetworkAccess")
                            .codec(Codec::Custom {
                                expand: |v| {
                                    v.as_bool()
                                        .map(|b| json!(if b { "Enabled" } else { "Disabled" }))
                                },
                                flatten: |j, _| {
                                    Value::Bool(
                                        j.and_then(Json::as_str)
                                            .is_none_or(|s| s.eq_ignore_ascii_case("Enabled")),
                                    )
                                },
                            }),
                        number("replicas_per_master")
                            .optional()
                            .computed()
                            .arm("properties.replicasPerMaster"),
                        number("replicas_per_primary")
                            .optional()
                            .computed()
                            .arm("properties.replicasPerPrimary"),
                        map_of_strings("tenant_settings")
                            .optional()
                            .arm("properties.tenantSettings"),
                        string("redis_version")
                            .optional()
                            .default("6")
                            .suppress(same_redis_version)
                            .arm("properties.redisVersion")
                            .absent(Absent::Zero),
                        boolean("access_keys_authentication_enabled")
                            .optional()
                            .default(true),
                        tags(),
                    ],
                    vec![
                        redis_configuration_block(),
                        block(
                            "patch_schedule",
                            block_def(
                                vec![
                                    string("day_of_week").required().suppress(|a, b| {
                                        match (a.as_str(), b.as_str()) {
                                            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                                            _ => false,
                                        }
                                    }),
                                    string("maintenance_window").optional().default("PT5H"),
                                    number("start_hour_utc").optional(),
                                ],
                                vec![],
                            ),
                        ),
                        identity(),
                    ],
                ),
                api_version: API_VERSION,
                id: REDIS_ID,
                timeouts: Timeouts::minutes(180, 5, Some(180), 180),
                update: Update::Patch,
                put_query: &[],
            },
        }
    }

    fn nested(&self, name: &str) -> Option<&Nested> {
        self.def.block.nested(name)
    }

    /// ARM's `redisConfiguration` from the block, as azurerm's expand writes it.
    fn expand_configuration(planned: &Value) -> Result<Json, Diagnostics> {
        let mut out = serde_json::Map::new();
        let Some(config) = attribute(planned, "redis_configuration")
            .as_seq()
            .and_then(|items| items.first().cloned())
        else {
            return Ok(Json::Object(out));
        };
        let sku = string_attribute(planned, "sku_name").unwrap_or_default();
        let premium = sku.eq_ignore_ascii_case("Premium");
        let text = |name: &str| string_attribute(&config, name);
        let integer = |name: &str| int_of(&attribute(&config, name)).filter(|v| *v > 0);
        let flag = |name: &str| attribute(&config, name).as_bool();
        if sku != "Basic" {
            for (attr, key) in INTEGER_SETTINGS {
                if let Some(v) = integer(attr) {
                    out.insert(key.to_string(), json!(v.to_string()));
                }
            }
        }
        if let Some(policy) = text("maxmemory_policy") {
            out.insert("maxmemory-policy".into(), json!(policy));
        }
        out.insert(
            "preferred-data-persistence-auth-method".into(),
            json!(text("data_persistence_authentication_method").unwrap_or_default()),
        );
        out.insert(
            "aad-enabled".into(),
            json!(flag("active_directory_authentication_enabled")
                .unwrap_or(false)
                .to_string()),
        );
        if let Some(rdb) = flag("rdb_backup_enabled") {
            if premium {
                if rdb && text("rdb_storage_connection_string").is_none() {
                    return Err(error(
                        "Invalid redis_configuration",
                        "the rdb_storage_connection_string property must be set when rdb_backup_enabled is true",
                    ));
                }
                out.insert("rdb-backup-enabled".into(), json!(rdb.to_string()));
            } else if rdb {
                return Err(error(
                    "Invalid redis_configuration",
                    "the `rdb_backup_enabled` property requires a `Premium` sku to be set",
                ));
            }
        }
        for (attr, key) in [
            ("rdb_backup_frequency", "rdb-backup-frequency"),
            (
                "rdb_backup_max_snapshot_count",
                "rdb-backup-max-snapshot-count",
            ),
        ] {
            if let Some(v) = integer(attr) {
                out.insert(key.into(), json!(v.to_string()));
            }
        }
        if let Some(events) = text("notify_keyspace_events") {
            out.insert("notify-keyspace-events".into(), json!(events));
        }
        if let Some(aof) = flag("aof_backup_enabled") {
            if premium {
                out.insert("aof-backup-enabled".into(), json!(aof.to_string()));
            }
        }
        for (attr, key) in STORAGE_CONNECTION_STRINGS {
            if let Some(v) = text(attr) {
                out.insert(key.to_string(), json!(v));
            }
        }
        let auth_enabled = flag("authentication_enabled").unwrap_or(true);
        if string_attribute(planned, "subnet_id").is_none() {
            if !auth_enabled {
                return Err(error(
                    "Invalid redis_configuration",
                    "cannot set `authentication_enabled` or `enable_authentication` to `false` when `subnet_id` is not set",
                ));
            }
        } else {
            out.insert(
                "authnotrequired".into(),
                json!(if auth_enabled { "no" } else { "yes" }),
            );
        }
        if let Some(subscription) = text("storage_account_subscription_id") {
            out.insert("storage-subscription-id".into(), json!(subscription));
        }
        Ok(Json::Object(out))
    }

    /// The block read from ARM's `redisConfiguration` (hidden connection strings keep their
    /// previous values).
    fn flatten_configuration(&self, config: &Json, previous: Option<&Value>) -> Value {
        let Some(nested) = self.nested("redis_configuration") else {
            return Value::Null(Type::Dynamic);
        };
        let mut out = null_object(&nested.block);
        let text = |key: &str| config.get(key).and_then(Json::as_str);
        let integer = |key: &str| text(key).and_then(|s| s.parse::<i64>().ok());
        let boolean = |key: &str| text(key).and_then(|s| s.parse::<bool>().ok());
        let previous_element = previous
            .and_then(Value::as_seq)
            .and_then(|items| items.first().cloned());
        out.insert(
            "active_directory_authentication_enabled".into(),
            Value::Bool(boolean("aad-enabled").unwrap_or(false)),
        );
        out.insert(
            "maxclients".into(),
            Value::int(integer("maxclients").unwrap_or(0)),
        );
        for (attr, key) in INTEGER_SETTINGS {
            out.insert(attr.to_string(), Value::int(integer(key).unwrap_or(0)));
        }
        out.insert(
            "maxmemory_policy".into(),
            Value::string(text("maxmemory-policy").unwrap_or_default()),
        );
        out.insert(
            "data_persistence_authentication_method".into(),
            Value::string(text("preferred-data-persistence-auth-method").unwrap_or_default()),
        );
        out.insert(
            "rdb_backup_enabled".into(),
            Value::Bool(boolean("rdb-backup-enabled").unwrap_or(false)),
        );
        out.insert(
            "rdb_backup_frequency".into(),
            Value::int(integer("rdb-backup-frequency").unwrap_or(0)),
        );
        out.insert(
            "rdb_backup_max_snapshot_count".into(),
            Value::int(integer("rdb-backup-max-snapshot-count").unwrap_or(0)),
        );
        for (attr, key) in STORAGE_CONNECTION_STRINGS {
            let value = match text(key) {
                Some(s) if s.contains(HIDDEN_KEY) => previous_element
                    .as_ref()
                    .map(|p| attribute(p, attr))
                    .unwrap_or(Value::string("")),
                Some(s) => Value::string(s),
                None => Value::string(""),
            };
            out.insert(attr.to_string(), value);
        }
        out.insert(
            "notify_keyspace_events".into(),
            Value::string(text("notify-keyspace-events").unwrap_or_default()),
        );
        out.insert(
            "aof_backup_enabled".into(),
            Value::Bool(boolean("aof-backup-enabled").unwrap_or(false)),
        );
        out.insert(
            "authentication_enabled".into(),
            Value::Bool(!text("authnotrequired").is_some_and(|s| s.eq_ignore_ascii_case("yes"))),
        );
        out.insert(
            "storage_account_subscription_id".into(),
            Value::string(text("storage-subscription-id").unwrap_or_default()),
        );
        Value::list(nested.block.value_type(), vec![Value::object(out)])
    }

    fn expand_patch_schedule(planned: &Value) -> Option<Json> {
        let entries: Vec<Json> = attribute(planned, "patch_schedule")
            .as_seq()
            .unwrap_or_default()
            .iter()
            .map(|entry| {
                json!({
                    "dayOfWeek": string_attribute(entry, "day_of_week").unwrap_or_default(),
                    "maintenanceWindow": string_attribute(entry, "maintenance_window").unwrap_or_default(),
                    "startHourUtc": int_of(&attribute(entry, "start_hour_utc")).unwrap_or(0),
                })
            })
            .collect();
        (!entries.is_empty()).then(|| json!({"properties": {"scheduleEntries": entries}}))
    }

    fn flatten_patch_schedule(&self, schedule: Option<&Json>) -> Value {
        let Some(nested) = self.nested("patch_schedule") else {
            return Value::Null(Type::Dynamic);
        };
        let entries: Vec<Value> = schedule
            .and_then(|s| json_get(s, "properties.scheduleEntries"))
            .and_then(Json::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        let mut out = null_object(&nested.block);
                        out.insert(
                            "day_of_week".into(),
                            Value::string(
                                e.get("dayOfWeek")
                                    .and_then(Json::as_str)
                                    .unwrap_or_default(),
                            ),
                        );
                        out.insert(
                            "maintenance_window".into(),
                            Value::string(
                                e.get("maintenanceWindow")
                                    .and_then(Json::as_str)
                                    .unwrap_or_default(),
                            ),
                        );
                        out.insert(
                            "start_hour_utc".into(),
                            Value::int(e.get("startHourUtc").and_then(Json::as_i64).unwrap_or(0)),
                        );
                        Value::object(out)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Value::list(nested.block.value_type(), entries)
    }

    fn flatten_identity(&self, identity: Option<&Json>) -> Value {
        let Some(nested) = self.nested("identity") else {
            return Value::Null(Type::Dynamic);
        };
        let ty = nested.block.value_type();
        let kind = identity
            .and_then(|i| i.get("type"))
            .and_then(Json::as_str)
            .unwrap_or("None");
        if kind.eq_ignore_ascii_case("None") {
            return Value::list(ty, vec![]);
        }
        let mut out = null_object(&nested.block);
        let text = |key: &str| {
            Value::string(
                identity
                    .and_then(|i| i.get(key))
                    .and_then(Json::as_str)
                    .unwrap_or_default(),
            )
        };
        out.insert("type".into(), Value::string(kind));
        out.insert("principal_id".into(), text("principalId"));
        out.insert("tenant_id".into(), text("tenantId"));
        out.insert(
            "identity_ids".into(),
            Value::set(
                Type::String,
                identity
                    .and_then(|i| i.get("userAssignedIdentities"))
                    .and_then(Json::as_object)
                    .map(|m| m.keys().map(|k| Value::string(k.as_str())).collect())
                    .unwrap_or_default(),
            ),
        );
        Value::list(ty, vec![Value::object(out)])
    }

    /// The state completed with what the cache's own reads give: its access keys (and the
    /// connection strings built from them) and its patch schedule.
    async fn with_keys_and_schedule(
        &self,
        ctx: &Ctx<'_>,
        state: Value,
    ) -> Result<Value, Diagnostics> {
        let id = string_attribute(&state, "id").unwrap_or_default();
        let read_timeout = timeout(&state, "read", self.def.timeouts.read);
        let keys = ctx
            .client
            .post(&format!("{id}/listKeys"), API_VERSION, None, read_timeout)
            .await
            .map_err(|e| e.diagnostics("listing the keys of", &id))?;
        let mut attrs = state.as_mapping().cloned().unwrap_or_default();
        let host = string_attribute(&state, "hostname").unwrap_or_default();
        let ssl_port = int_of(&attribute(&state, "ssl_port")).unwrap_or(0);
        for (which, key) in [("primary", "primaryKey"), ("secondary", "secondaryKey")] {
            let value = keys.get(key).and_then(Json::as_str).unwrap_or_default();
            attrs.insert(format!("{which}_access_key"), Value::string(value));
            attrs.insert(
                format!("{which}_connection_string"),
                Value::string(connection_string(&host, ssl_port, value)),
            );
        }
        let schedule = ctx
            .client
            .get(&format!("{id}/patchSchedules/default"), API_VERSION)
            .await
            .ok()
            .flatten();
        attrs.insert(
            "patch_schedule".into(),
            self.flatten_patch_schedule(schedule.as_ref()),
        );
        Ok(Value::object(attrs))
    }

    /// Writes the patch schedule (or removes it when there is none).
    async fn write_patch_schedule(
        &self,
        ctx: &Ctx<'_>,
        id: &str,
        planned: &Value,
        operation: &str,
        default_timeout: std::time::Duration,
    ) -> Result<(), Diagnostics> {
        let schedule_id = format!("{id}/patchSchedules/default");
        let wait = timeout(planned, operation, default_timeout);
        match Self::expand_patch_schedule(planned) {
            Some(body) => ctx
                .client
                .put(&schedule_id, API_VERSION, &[], &body, wait)
                .await
                .map(drop),
            None => ctx.client.delete(&schedule_id, API_VERSION, wait).await,
        }
        .map_err(|e| e.diagnostics("setting the patch schedule of", id))
    }

    /// The locks azurerm takes on the subnet (and its network) a cache is placed in.
    fn subnet_locks(subnet_id: Option<&str>) -> Vec<String> {
        let Some(subnet) = subnet_id else {
            return Vec::new();
        };
        let parts: Vec<&str> = subnet.split('/').collect();
        let at = |key: &str| {
            parts
                .iter()
                .position(|p| p.eq_ignore_ascii_case(key))
                .and_then(|i| parts.get(i + 1))
                .copied()
                .unwrap_or_default()
        };
        let group = at("resourceGroups");
        vec![
            format!("azurerm_virtual_network.{group}/{}", at("virtualNetworks")),
            format!(
                "azurerm_subnet.{group}/{}/{}",
                at("virtualNetworks"),
                at("subnets")
            ),
        ]
    }
}

/// A cache's connection string, as azurerm writes it (always over TLS).
fn connection_string(host: &str, ssl_port: i64, key: &str) -> String {
    format!("{host}:{ssl_port},password={key},ssl=true,abortConnect=False")
}

fn tags_json(tags: &Value) -> Json {
    Json::Object(
        tags.as_mapping()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), json!(s))))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

#[async_trait::async_trait]
impl ResourceType for RedisCache {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let one_of = |name: &str, allowed: &[&str], diagnostics: &mut Diagnostics| {
            if let Some(v) = attribute(config, name).as_str() {
                if !allowed.contains(&v) {
                    diagnostics.extend(error(
                        format!("Invalid {name}"),
                        format!("expected {name} to be one of {allowed:?}, got {v}"),
                    ));
                }
            }
        };
        one_of("family", &["C", "P"], &mut diagnostics);
        one_of(
            "sku_name",
            &["Basic", "Standard", "Premium"],
            &mut diagnostics,
        );
        one_of(
            "minimum_tls_version",
            &["1.0", "1.1", "1.2"],
            &mut diagnostics,
        );
        one_of("redis_version", &["4", "6"], &mut diagnostics);
        diagnostics
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let planned = |plan: &PlanContext<'_>, name: &str| {
            plan.planned
                .get(name)
                .cloned()
                .unwrap_or(Value::Null(Type::Dynamic))
        };
        if !plan.creating() {
            // The default major version is the same as ARM's full one.
            let prior_version = attribute(plan.prior, "redis_version");
            if same_redis_version(&prior_version, &planned(plan, "redis_version")) {
                plan.planned.insert("redis_version".into(), prior_version);
            }
            let old = attribute(plan.prior, "sku_name");
            let new = planned(plan, "sku_name");
            if let (Some(old), Some(new)) = (
                old.as_str().and_then(sku_weight),
                new.as_str().and_then(sku_weight),
            ) {
                if old > new {
                    plan.force_new("sku_name");
                }
            }
        }
        let access_keys = planned(plan, "access_keys_authentication_enabled");
        let entra = planned(plan, "redis_configuration")
            .as_seq()
            .and_then(|items| items.first().cloned())
            .map(|c| attribute(&c, "active_directory_authentication_enabled"))
            .unwrap_or(Value::Null(Type::Bool));
        if access_keys.as_bool() == Some(false) && entra.is_known() && entra.as_bool() != Some(true)
        {
            plan.diagnostics.extend(error(
                "Invalid Redis configuration",
                "`active_directory_authentication_enabled` must be enabled in order to disable `access_keys_authentication_enabled`",
            ));
        }
        let sku = planned(plan, "sku_name");
        let family = planned(plan, "family");
        let capacity = planned(plan, "capacity");
        if let (Some(sku), Some(family), Some(capacity)) =
            (sku.as_str(), family.as_str(), int_of(&capacity))
        {
            let size = format!("{}{capacity}", family.to_ascii_uppercase());
            let valid = valid_sizes(sku);
            if !valid.contains(&size.as_str()) {
                plan.diagnostics.extend(error(
                    "Invalid Redis size",
                    format!("invalid combination of `sku_name`, `family`, and `capacity`: '{sku}: {size}'. Valid combinations for '{sku}' are: [{}]", valid.join(" ")),
                ));
            }
        }
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let planned = change.planned;
        let flag = |name: &str| attribute(planned, name).as_bool();
        if change.creating() {
            json_set(
                body,
                "properties.disableAccessKeyAuthentication",
                json!(flag("access_keys_authentication_enabled") == Some(false)),
            );
            json_set(
                body,
                "properties.redisConfiguration",
                Self::expand_configuration(planned)?,
            );
            if let Some(shards) = int_of(&attribute(planned, "shard_count")).filter(|n| *n != 0) {
                json_set(body, "properties.shardCount", json!(shards));
            }
            if let Some(subnet) = string_attribute(planned, "subnet_id") {
                json_set(body, "properties.subnetId", json!(subnet));
            }
            if let Some(identity) = expand_identity(planned) {
                json_set(body, "identity", identity);
            }
            for (attr, key) in [
                ("replicas_per_master", "properties.replicasPerMaster"),
                ("replicas_per_primary", "properties.replicasPerPrimary"),
            ] {
                if int_of(&attribute(planned, attr)).unwrap_or(0) == 0 {
                    crate::framework::mapping::json_remove(body, key);
                }
            }
            return Ok(());
        }
        // An update sends the SKU, the TLS and access settings and the tags every time.
        json_set(
            body,
            "properties.disableAccessKeyAuthentication",
            json!(flag("access_keys_authentication_enabled") == Some(false)),
        );
        json_set(
            body,
            "properties.minimumTlsVersion",
            json!(string_attribute(planned, "minimum_tls_version").unwrap_or_default()),
        );
        json_set(
            body,
            "properties.enableNonSslPort",
            json!(flag("non_ssl_port_enabled") == Some(true)),
        );
        json_set(
            body,
            "properties.sku",
            json!({
                "capacity": int_of(&attribute(planned, "capacity")).unwrap_or(0),
                "family": string_attribute(planned, "family").unwrap_or_default(),
                "name": string_attribute(planned, "sku_name").unwrap_or_default(),
            }),
        );
        json_set(body, "tags", tags_json(&attribute(planned, "tags")));
        if change.changed("shard_count") {
            json_set(
                body,
                "properties.shardCount",
                json!(int_of(&attribute(planned, "shard_count")).unwrap_or(0)),
            );
        }
        if change.changed("redis_configuration") {
            json_set(
                body,
                "properties.redisConfiguration",
                Self::expand_configuration(planned)?,
            );
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let props = body.get("properties").cloned().unwrap_or(json!({}));
        state.insert(
            "shard_count".into(),
            Value::int(props.get("shardCount").and_then(Json::as_i64).unwrap_or(0)),
        );
        let subnet = props
            .get("subnetId")
            .and_then(Json::as_str)
            .unwrap_or_default();
        state.insert("subnet_id".into(), Value::string(subnet));
        state.insert(
            "access_keys_authentication_enabled".into(),
            Value::Bool(
                !props
                    .get("disableAccessKeyAuthentication")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
        );
        let previous = state.get("redis_configuration").cloned();
        let config = props
            .get("redisConfiguration")
            .cloned()
            .unwrap_or(json!({}));
        state.insert(
            "redis_configuration".into(),
            self.flatten_configuration(&config, previous.as_ref()),
        );
        state.insert(
            "identity".into(),
            self.flatten_identity(body.get("identity")),
        );
    }

    fn upgrade_state(&self, version: u64, mut raw: Json) -> Result<Json, String> {
        match version {
            1 => Ok(raw),
            0 => {
                let id = raw.get("id").and_then(Json::as_str).unwrap_or_default();
                let values = REDIS_ID.parse(id, true)?;
                let id = REDIS_ID.build(&|k| values.get(k).cloned())?;
                raw["id"] = json!(id);
                Ok(raw)
            }
            other => Err(format!(
                "azurerm_redis_cache has no state upgrade from schema version {other}"
            )),
        }
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let subnet = string_attribute(planned, "subnet_id");
        let _locks = ctx
            .client
            .locks()
            .lock(&Self::subnet_locks(subnet.as_deref()))
            .await;
        let state = flow::create(self, ctx, planned).await?;
        if Self::expand_patch_schedule(planned).is_some() {
            let id = string_attribute(&state, "id").unwrap_or_default();
            self.write_patch_schedule(ctx, &id, planned, "create", self.def.timeouts.create)
                .await?;
        }
        self.with_keys_and_schedule(ctx, state).await
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let (id, id_values) = stored_id(self, prior)?;
        let change = Change {
            planned,
            prior,
            id: &id,
            id_values: &id_values,
            account: &ctx.client.account,
        };
        let update_timeout = self.def.timeouts.update.unwrap_or(self.def.timeouts.create);
        let mut state = flow::update(self, ctx, prior, planned).await?;
        // The identity cannot change together with the SKU and the rest.
        if change.changed("identity") {
            let identity = expand_identity(planned).unwrap_or(json!({"type": "None"}));
            let response = ctx
                .client
                .patch(
                    &id,
                    API_VERSION,
                    &json!({ "identity": identity }),
                    timeout(planned, "update", update_timeout),
                )
                .await
                .map_err(|e| e.diagnostics("updating the identity of", &id))?;
            state = flow::state_from_body(self, &id, &id_values, &response, &state);
        }
        if change.changed("patch_schedule") {
            self.write_patch_schedule(ctx, &id, planned, "update", update_timeout)
                .await?;
        }
        self.with_keys_and_schedule(ctx, state).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        match flow::read(self, ctx, state).await? {
            Some(read) => Ok(Some(self.with_keys_and_schedule(ctx, read).await?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let (id, _) = stored_id(self, state)?;
        let current = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?;
        let Some(current) = current else {
            return Ok(());
        };
        let subnet = json_get(&current, "properties.subnetId").and_then(Json::as_str);
        let _locks = ctx.client.locks().lock(&Self::subnet_locks(subnet)).await;
        ctx.client
            .delete(
                &id,
                API_VERSION,
                timeout(state, "delete", self.def.timeouts.delete),
            )
            .await
            .map_err(|e| e.diagnostics("deleting", &id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_as_azurerm_builds_them() {
        assert_eq!(
            connection_string("c.redis.cache.windows.net", 6380, "k"),
            "c.redis.cache.windows.net:6380,password=k,ssl=true,abortConnect=False"
        );
    }

    #[test]
    fn versions_compare_by_major() {
        assert!(same_redis_version(
            &Value::string("6.0"),
            &Value::string("6")
        ));
        assert!(!same_redis_version(
            &Value::string("4.1.14"),
            &Value::string("6")
        ));
    }

    #[test]
    fn configuration_round_trip_keeps_hidden_connection_strings() {
        let cache = RedisCache::new();
        let def = redis_configuration_block().block;
        let mut element = null_object(&def);
        element.insert("maxmemory_policy".into(), Value::string("allkeys-lru"));
        element.insert("aof_backup_enabled".into(), Value::Bool(true));
        element.insert(
            "aof_storage_connection_string_0".into(),
            Value::string("DefaultEndpointsProtocol=https;AccountKey=secret"),
        );
        element.insert("authentication_enabled".into(), Value::Bool(true));
        let configured = Value::list(def.value_type(), vec![Value::object(element)]);
        let mut attrs = null_object(&cache.def.full_block());
        attrs.insert("sku_name".into(), Value::string("Premium"));
        attrs.insert("redis_configuration".into(), configured.clone());
        let planned = Value::object(attrs);
        let json = RedisCache::expand_configuration(&planned).unwrap();
        assert_eq!(json["maxmemory-policy"], json!("allkeys-lru"));
        assert_eq!(json["aof-backup-enabled"], json!("true"));
        assert_eq!(json["aad-enabled"], json!("false"));
        let mut from_arm = json.clone();
        from_arm["aof-storage-connection-string-0"] =
            json!("DefaultEndpointsProtocol=https;AccountKey=[key hidden]");
        let read = cache.flatten_configuration(&from_arm, Some(&configured));
        let element = &read.as_seq().unwrap()[0];
        assert_eq!(
            attribute(element, "aof_storage_connection_string_0"),
            Value::string("DefaultEndpointsProtocol=https;AccountKey=secret")
        );
        assert_eq!(attribute(element, "aof_backup_enabled"), Value::Bool(true));
    }

    #[test]
    fn authentication_can_only_be_off_in_a_network() {
        let def = redis_configuration_block().block;
        let mut element = null_object(&def);
        element.insert("authentication_enabled".into(), Value::Bool(false));
        let cache = RedisCache::new();
        let mut attrs = null_object(&cache.def.full_block());
        attrs.insert("sku_name".into(), Value::string("Premium"));
        attrs.insert(
            "redis_configuration".into(),
            Value::list(def.value_type(), vec![Value::object(element)]),
        );
        assert!(RedisCache::expand_configuration(&Value::object(attrs)).is_err());
    }
}
