//! Microsoft.DBforPostgreSQL flexible servers and their children — databases, firewall rules
//! and server parameters (`configurations`) — with azurerm v4's schemas, defaults, force-new
//! rules (a version downgrade, a smaller disk or a new login replace the server), import IDs
//! and the way azurerm writes them: the server is created with a PUT and changed with PATCHes
//! (storage first, then the rest), its maintenance window is set after creation, and a
//! configuration is "deleted" by setting it back to its default value.

use crate::framework::common::{
    expand_identity, flatten_identity, identity, location, resource_group_name, tags,
};
use crate::framework::flow::{self, planned_id, state_from_body, stored_id, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_set, null_object};
use crate::framework::schema::{block, block_def, boolean, number, string, Absent, BlockDef};
use crate::framework::{
    attribute, error, first_block, string_attribute, Change, Ctx, PlanContext, ResourceDef,
    ResourceType, Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4.81 manages PostgreSQL flexible servers with.
const API_VERSION: &str = "2025-08-01";

const SERVER_TYPE: &str = "azurerm_postgresql_flexible_server";

pub const SERVER_ID: IdTemplate = IdTemplate::new(
    "Flexible Server",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{name}",
);
const DATABASE_ID: IdTemplate = IdTemplate::new(
    "Flexible Server Database",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{server_name}/databases/{name}",
);
const FIREWALL_RULE_ID: IdTemplate = IdTemplate::new(
    "Flexible Server Firewall Rule",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{server_name}/firewallRules/{name}",
);
const CONFIGURATION_ID: IdTemplate = IdTemplate::new(
    "Flexible Server Configuration",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{server_name}/configurations/{name}",
);

/// The sizes `storage_mb` takes, with the default and the valid performance tiers of each.
const STORAGE_TIERS: &[(i64, &str, &[&str])] = &[
    (
        32768,
        "P4",
        &["P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50"],
    ),
    (
        65536,
        "P6",
        &["P6", "P10", "P15", "P20", "P30", "P40", "P50"],
    ),
    (131072, "P10", &["P10", "P15", "P20", "P30", "P40", "P50"]),
    (262144, "P15", &["P15", "P20", "P30", "P40", "P50"]),
    (524288, "P20", &["P20", "P30", "P40", "P50"]),
    (1048576, "P30", &["P30", "P40", "P50"]),
    (2097152, "P40", &["P40", "P50"]),
    (4193280, "P50", &["P50"]),
    (4194304, "P50", &["P50"]),
    (8388608, "P60", &["P60", "P70", "P80"]),
    (16777216, "P70", &["P70", "P80"]),
    (33553408, "P80", &["P80"]),
];

/// The tier names of `sku_name`'s prefix (`GP_Standard_D2s_v3`).
const SKU_TIERS: &[(&str, &str)] = &[
    ("B", "Burstable"),
    ("GP", "GeneralPurpose"),
    ("MO", "MemoryOptimized"),
];

/// The lock azurerm takes on a server while its children change.
fn server_lock(resource_group: &str, server: &str) -> String {
    format!("{SERVER_TYPE}.{resource_group}/{server}")
}

fn int_of(value: &Value) -> Option<i64> {
    value.as_number().and_then(|n| n.to_i64())
}

fn json_str<'a>(body: &'a Json, path: &str) -> Option<&'a str> {
    json_get(body, path).and_then(Json::as_str)
}

/// A list of one nested block of `def`, from the attributes given (the others null).
fn one_block(def: &BlockDef, name: &str, attrs: Vec<(&str, Value)>) -> Value {
    let Some(nested) = def.nested(name) else {
        return Value::Null(Type::Dynamic);
    };
    let mut object = null_object(&nested.block);
    for (k, v) in attrs {
        object.insert(k.to_string(), v);
    }
    Value::list(nested.block.value_type(), vec![Value::object(object)])
}

fn no_blocks(def: &BlockDef, name: &str) -> Value {
    match def.nested(name) {
        Some(nested) => Value::list(nested.block.value_type(), vec![]),
        None => Value::Null(Type::Dynamic),
    }
}

/// `GP_Standard_D2s_v3` as ARM's `{"name": "Standard_D2s_v3", "tier": "GeneralPurpose"}`.
fn expand_sku(sku_name: &str) -> Result<Json, Diagnostics> {
    let (prefix, name) = sku_name.split_once('_').unwrap_or((sku_name, ""));
    let tier = SKU_TIERS
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            error(
                "Invalid sku_name",
                format!("sku_name {sku_name} has unknown sku tier {prefix}"),
            )
        })?;
    Ok(json!({"name": name, "tier": tier}))
}

fn flatten_sku(sku: Option<&Json>) -> String {
    let tier = sku.and_then(|s| s.get("tier")).and_then(Json::as_str);
    let name = sku
        .and_then(|s| s.get("name"))
        .and_then(Json::as_str)
        .unwrap_or_default();
    match tier.and_then(|t| SKU_TIERS.iter().find(|(_, full)| *full == t)) {
        Some((prefix, _)) => format!("{prefix}_{name}"),
        None => String::new(),
    }
}

fn enabled(flag: bool) -> &'static str {
    if flag {
        "Enabled"
    } else {
        "Disabled"
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_postgresql_flexible_server

/// `azurerm_postgresql_flexible_server`.
pub struct FlexibleServer {
    def: ResourceDef,
}

impl FlexibleServer {
    pub fn new() -> FlexibleServer {
        FlexibleServer {
            def: ResourceDef {
                name: SERVER_TYPE,
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        resource_group_name(),
                        location(),
                        string("administrator_login")
                            .optional()
                            .computed()
                            .arm("properties.administratorLogin"),
                        string("administrator_password").optional().sensitive(),
                        string("sku_name").optional().computed(),
                        boolean("auto_grow_enabled").optional().default(false),
                        number("storage_mb").optional().computed(),
                        string("storage_tier")
                            .optional()
                            .computed()
                            .arm("properties.storage.tier")
                            .absent(Absent::Keep),
                        string("version")
                            .optional()
                            .computed()
                            .arm("properties.version"),
                        string("zone").optional().arm("properties.availabilityZone"),
                        string("create_mode").optional(),
                        string("delegated_subnet_id").optional().force_new(),
                        string("private_dns_zone_id")
                            .optional()
                            .computed()
                            .suppress(|a, b| match (a.as_str(), b.as_str()) {
                                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                                _ => false,
                            }),
                        string("point_in_time_restore_time_in_utc")
                            .optional()
                            .force_new(),
                        string("source_server_id").optional().force_new(),
                        number("backup_retention_days").optional().computed(),
                        boolean("geo_redundant_backup_enabled")
                            .optional()
                            .default(false)
                            .force_new(),
                        string("fqdn")
                            .computed()
                            .arm("properties.fullyQualifiedDomainName"),
                        boolean("public_network_access_enabled")
                            .optional()
                            .default(true),
                        string("replication_role").optional(),
                        tags(),
                    ],
                    vec![
                        block(
                            "authentication",
                            block_def(
                                vec![
                                    boolean("active_directory_auth_enabled")
                                        .optional()
                                        .default(false),
                                    boolean("password_auth_enabled").optional().default(true),
                                    string("tenant_id").optional(),
                                ],
                                vec![],
                            ),
                        )
                        .max(1)
                        .computed(),
                        block(
                            "maintenance_window",
                            block_def(
                                vec![
                                    number("day_of_week").optional().default(Value::int(0)),
                                    number("start_hour").optional().default(Value::int(0)),
                                    number("start_minute").optional().default(Value::int(0)),
                                ],
                                vec![],
                            ),
                        )
                        .max(1),
                        block(
                            "high_availability",
                            block_def(
                                vec![
                                    string("mode").required(),
                                    string("standby_availability_zone").optional(),
                                ],
                                vec![],
                            ),
                        )
                        .max(1),
                        identity(),
                        block(
                            "customer_managed_key",
                            block_def(
                                vec![
                                    string("key_vault_key_id").required(),
                                    string("primary_user_assigned_identity_id").optional(),
                                    string("geo_backup_key_vault_key_id").optional(),
                                    string("geo_backup_user_assigned_identity_id").optional(),
                                ],
                                vec![],
                            ),
                        )
                        .max(1)
                        .force_new(),
                        block(
                            "cluster",
                            block_def(
                                vec![
                                    number("size").required(),
                                    string("default_database_name")
                                        .optional()
                                        .force_new()
                                        .default("postgres"),
                                ],
                                vec![],
                            ),
                        )
                        .max(1)
                        .force_new(),
                    ],
                ),
                api_version: API_VERSION,
                id: SERVER_ID,
                timeouts: Timeouts::minutes(60, 5, Some(60), 60),
                update: Update::Patch,
                put_query: &[],
            },
        }
    }

    /// Whether password authentication is on (as azurerm reads the `authentication` block).
    fn password_auth(planned: &Value) -> bool {
        first_block(&attribute(planned, "authentication"))
            .map(|a| attribute(&a, "password_auth_enabled").as_bool() != Some(false))
            .unwrap_or(true)
    }

    /// azurerm's checks of the login arguments before writing a server in `Default` mode.
    fn check_login(planned: &Value, creating: bool) -> Result<(), Diagnostics> {
        let mode = string_attribute(planned, "create_mode").unwrap_or_default();
        if !(mode.is_empty() || mode == "Default") {
            return Ok(());
        }
        let login = string_attribute(planned, "administrator_login").is_some();
        let password = string_attribute(planned, "administrator_password").is_some();
        let invalid = |m: &str| error("Invalid PostgreSQL Flexible Server configuration", m);
        if Self::password_auth(planned) {
            if !login {
                return Err(invalid("`administrator_login` is required when `create_mode` is `Default` and `authentication.password_auth_enabled` is set to `true`"));
            }
            if !password {
                return Err(invalid("`administrator_password` or `administrator_password_wo` is required when `create_mode` is `Default` and `authentication.password_auth_enabled` is set to `true`"));
            }
        } else if creating && (login || password) {
            return Err(invalid("`administrator_login`, `administrator_password` and `administrator_password_wo` cannot be set during creation when `authentication.password_auth_enabled` is set to `false`"));
        }
        if creating {
            if string_attribute(planned, "sku_name").is_none() {
                return Err(invalid(
                    "`sku_name` is required when `create_mode` is `Default`",
                ));
            }
            if string_attribute(planned, "version").is_none() {
                return Err(invalid(
                    "`version` is required when `create_mode` is `Default`",
                ));
            }
        }
        Ok(())
    }

    /// azurerm's storage rules: a smaller disk replaces the server; the tier must suit the
    /// size, and follows it when it is not configured.
    fn check_storage_tier(plan: &mut PlanContext<'_>, old_mb: i64, old_tier: &str) {
        let planned = |plan: &PlanContext<'_>, name: &str| {
            plan.planned
                .get(name)
                .cloned()
                .unwrap_or(Value::Null(Type::Dynamic))
        };
        let new_mb_value = planned(plan, "storage_mb");
        let tier_value = planned(plan, "storage_tier");
        if !new_mb_value.is_known() || !tier_value.is_known() {
            return;
        }
        let new_mb = int_of(&new_mb_value).unwrap_or(0);
        let new_tier = tier_value.as_str().unwrap_or_default().to_string();
        if old_mb == 0 && old_tier.is_empty() && new_mb == 0 && new_tier.is_empty() {
            return;
        }
        if new_mb > 0 && old_mb > new_mb {
            plan.force_new("storage_mb");
        }
        let size = if new_mb == 0 { 32768 } else { new_mb };
        let Some((_, default_tier, valid)) = STORAGE_TIERS.iter().find(|(s, _, _)| *s == size)
        else {
            return;
        };
        let tier = if new_tier.is_empty() {
            default_tier.to_string()
        } else {
            new_tier
        };
        if valid.contains(&tier.as_str()) {
            return;
        }
        let configured = !attribute(plan.config, "storage_tier").is_null();
        if !configured && old_tier.eq_ignore_ascii_case(&tier) {
            plan.planned
                .insert("storage_tier".into(), Value::string(*default_tier));
            return;
        }
        plan.diagnostics.extend(error(
            "Invalid storage_tier",
            format!(
                "invalid 'storage_tier' {tier:?} for defined 'storage_mb' size '{size}', expected one of [{}]",
                valid.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    fn expand_network(planned: &Value) -> Json {
        let mut network = json!({
            "publicNetworkAccess": enabled(attribute(planned, "public_network_access_enabled").as_bool() != Some(false)),
        });
        if let Some(subnet) = string_attribute(planned, "delegated_subnet_id") {
            network["delegatedSubnetResourceId"] = json!(subnet);
        }
        if let Some(zone) = string_attribute(planned, "private_dns_zone_id") {
            network["privateDnsZoneArmResourceId"] = json!(zone);
        }
        network
    }

    /// The storage of a create: the size (32 GiB unless given) and its default tier.
    fn expand_storage(planned: &Value, creating: bool) -> Json {
        let auto_grow = attribute(planned, "auto_grow_enabled").as_bool() == Some(true);
        let mut storage = json!({ "autoGrow": enabled(auto_grow) });
        let mb = int_of(&attribute(planned, "storage_mb")).filter(|mb| *mb > 0);
        let tier = string_attribute(planned, "storage_tier");
        match (mb, creating) {
            (Some(mb), _) => storage["storageSizeGB"] = json!(mb / 1024),
            (None, true) => storage["storageSizeGB"] = json!(32),
            (None, false) => {}
        }
        match (tier, creating) {
            (Some(tier), _) => storage["tier"] = json!(tier),
            (None, true) => {
                let size = mb.unwrap_or(32768);
                if let Some((_, default, _)) = STORAGE_TIERS.iter().find(|(s, _, _)| *s == size) {
                    storage["tier"] = json!(default);
                }
            }
            (None, false) => {}
        }
        storage
    }

    fn expand_backup(planned: &Value) -> Json {
        let mut backup = json!({
            "geoRedundantBackup": enabled(attribute(planned, "geo_redundant_backup_enabled").as_bool() == Some(true)),
        });
        if let Some(days) = int_of(&attribute(planned, "backup_retention_days")).filter(|d| *d > 0)
        {
            backup["backupRetentionDays"] = json!(days);
        }
        backup
    }

    fn expand_high_availability(planned: &Value, creating: bool) -> Json {
        match first_block(&attribute(planned, "high_availability")) {
            None => json!({"mode": "Disabled"}),
            Some(ha) => {
                let mut out = json!({"mode": string_attribute(&ha, "mode").unwrap_or_default()});
                if creating {
                    if let Some(zone) = string_attribute(&ha, "standby_availability_zone") {
                        out["standbyAvailabilityZone"] = json!(zone);
                    }
                }
                out
            }
        }
    }

    fn expand_auth(planned: &Value) -> Option<Json> {
        let auth = first_block(&attribute(planned, "authentication"))?;
        let mut out = json!({
            "activeDirectoryAuth": enabled(attribute(&auth, "active_directory_auth_enabled").as_bool() == Some(true)),
            "passwordAuth": enabled(attribute(&auth, "password_auth_enabled").as_bool() != Some(false)),
        });
        if let Some(tenant) = attribute(&auth, "tenant_id").as_str() {
            out["tenantId"] = json!(tenant);
        }
        Some(out)
    }

    fn expand_maintenance_window(planned: &Value) -> Json {
        match first_block(&attribute(planned, "maintenance_window")) {
            None => json!({"customWindow": "Disabled"}),
            Some(w) => json!({
                "customWindow": "Enabled",
                "startHour": int_of(&attribute(&w, "start_hour")).unwrap_or(0),
                "startMinute": int_of(&attribute(&w, "start_minute")).unwrap_or(0),
                "dayOfWeek": int_of(&attribute(&w, "day_of_week")).unwrap_or(0),
            }),
        }
    }

    fn expand_data_encryption(planned: &Value) -> Option<Json> {
        let cmk = first_block(&attribute(planned, "customer_managed_key"))?;
        let mut out = json!({"type": "AzureKeyVault"});
        for (attr, key) in [
            ("key_vault_key_id", "primaryKeyURI"),
            (
                "primary_user_assigned_identity_id",
                "primaryUserAssignedIdentityId",
            ),
            ("geo_backup_key_vault_key_id", "geoBackupKeyURI"),
            (
                "geo_backup_user_assigned_identity_id",
                "geoBackupUserAssignedIdentityId",
            ),
        ] {
            if let Some(v) = string_attribute(&cmk, attr) {
                out[key] = json!(v);
            }
        }
        Some(out)
    }

    fn expand_cluster(planned: &Value) -> Option<Json> {
        let cluster = first_block(&attribute(planned, "cluster"))?;
        let mut out = json!({});
        if let Some(size) = int_of(&attribute(&cluster, "size")).filter(|s| *s != 0) {
            out["clusterSize"] = json!(size);
        }
        if let Some(name) = string_attribute(&cluster, "default_database_name") {
            out["defaultDatabaseName"] = json!(name);
        }
        Some(out)
    }

    /// The PATCH body of an update: what changed, as azurerm's update writes it.
    fn patch_body(change: &Change<'_>) -> Result<Json, Diagnostics> {
        let planned = change.planned;
        let mut properties = json!({});
        let mut body = json!({});
        if change.changed("private_dns_zone_id") || change.changed("public_network_access_enabled")
        {
            properties["network"] = Self::expand_network(planned);
        }
        if change.changed("administrator_password") {
            properties["administratorLoginPassword"] =
                json!(string_attribute(planned, "administrator_password").unwrap_or_default());
        }
        if change.changed("authentication") {
            if let Some(auth) = Self::expand_auth(planned) {
                properties["authConfig"] = auth;
            }
        }
        if change.changed("backup_retention_days") {
            properties["backup"] = Self::expand_backup(planned);
        }
        if change.changed("maintenance_window") {
            properties["maintenanceWindow"] = Self::expand_maintenance_window(planned);
        }
        if change.changed("sku_name") {
            if let Some(sku) = string_attribute(planned, "sku_name") {
                body["sku"] = expand_sku(&sku)?;
            }
        }
        if change.changed("tags") {
            body["tags"] = tags_json(&change.get("tags"));
        }
        if change.changed("high_availability") {
            properties["highAvailability"] = Self::expand_high_availability(planned, false);
        }
        if change.changed("identity") {
            body["identity"] = expand_identity(planned).unwrap_or(json!({"type": "None"}));
        }
        if change.changed("create_mode") {
            properties["createMode"] = json!(string_attribute(planned, "create_mode"));
        }
        if change.changed("version") {
            properties["version"] = json!(string_attribute(planned, "version"));
        }
        body["properties"] = properties;
        Ok(body)
    }

    fn server_flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let def = &self.def.block;
        let props = body.get("properties").cloned().unwrap_or(json!({}));
        state.insert(
            "sku_name".into(),
            Value::string(flatten_sku(body.get("sku"))),
        );
        if let Some(source) = json_str(&props, "sourceServerResourceId").filter(|s| !s.is_empty()) {
            state.insert("source_server_id".into(), Value::string(source));
        }
        if let Some(network) = props.get("network").filter(|n| n.is_object()) {
            let public = json_str(network, "publicNetworkAccess")
                .is_some_and(|p| p.eq_ignore_ascii_case("Enabled"));
            state.insert("public_network_access_enabled".into(), Value::Bool(public));
            for (attr, key) in [
                ("delegated_subnet_id", "delegatedSubnetResourceId"),
                ("private_dns_zone_id", "privateDnsZoneArmResourceId"),
            ] {
                state.insert(
                    attr.into(),
                    Value::string(json_str(network, key).unwrap_or_default()),
                );
            }
        }
        let window = props.get("maintenanceWindow");
        let custom = window
            .and_then(|w| json_str(w, "customWindow"))
            .unwrap_or("Disabled");
        let window_value = match window {
            Some(w) if custom != "Disabled" => one_block(
                def,
                "maintenance_window",
                ["day_of_week", "start_hour", "start_minute"]
                    .iter()
                    .zip(["dayOfWeek", "startHour", "startMinute"])
                    .map(|(attr, key)| {
                        (
                            *attr,
                            Value::int(w.get(key).and_then(Json::as_i64).unwrap_or(0)),
                        )
                    })
                    .collect(),
            ),
            _ => no_blocks(def, "maintenance_window"),
        };
        state.insert("maintenance_window".into(), window_value);
        if let Some(storage) = props.get("storage") {
            if let Some(auto_grow) = json_str(storage, "autoGrow") {
                state.insert(
                    "auto_grow_enabled".into(),
                    Value::Bool(auto_grow == "Enabled"),
                );
            }
            if let Some(gb) = storage.get("storageSizeGB").and_then(Json::as_i64) {
                state.insert("storage_mb".into(), Value::int(gb * 1024));
            }
        }
        if let Some(backup) = props.get("backup") {
            state.insert(
                "backup_retention_days".into(),
                Value::int(
                    backup
                        .get("backupRetentionDays")
                        .and_then(Json::as_i64)
                        .unwrap_or(0),
                ),
            );
            state.insert(
                "geo_redundant_backup_enabled".into(),
                Value::Bool(json_str(backup, "geoRedundantBackup") == Some("Enabled")),
            );
        }
        let ha = props.get("highAvailability");
        let ha_value = match ha.and_then(|h| json_str(h, "mode")) {
            Some(mode) if mode != "Disabled" => one_block(
                def,
                "high_availability",
                vec![
                    ("mode", Value::string(mode)),
                    (
                        "standby_availability_zone",
                        Value::string(
                            ha.and_then(|h| json_str(h, "standbyAvailabilityZone"))
                                .unwrap_or_default(),
                        ),
                    ),
                ],
            ),
            _ => no_blocks(def, "high_availability"),
        };
        state.insert("high_availability".into(), ha_value);
        let cluster = match props.get("cluster").filter(|c| c.is_object()) {
            Some(c) => one_block(
                def,
                "cluster",
                vec![
                    (
                        "size",
                        Value::int(c.get("clusterSize").and_then(Json::as_i64).unwrap_or(0)),
                    ),
                    (
                        "default_database_name",
                        Value::string(json_str(c, "defaultDatabaseName").unwrap_or_default()),
                    ),
                ],
            ),
            None => no_blocks(def, "cluster"),
        };
        state.insert("cluster".into(), cluster);
        if let Some(auth) = props.get("authConfig").filter(|a| a.is_object()) {
            state.insert(
                "authentication".into(),
                one_block(
                    def,
                    "authentication",
                    vec![
                        (
                            "active_directory_auth_enabled",
                            Value::Bool(json_str(auth, "activeDirectoryAuth") == Some("Enabled")),
                        ),
                        (
                            "password_auth_enabled",
                            Value::Bool(json_str(auth, "passwordAuth") != Some("Disabled")),
                        ),
                        (
                            "tenant_id",
                            Value::string(json_str(auth, "tenantId").unwrap_or_default()),
                        ),
                    ],
                ),
            );
        }
        let encryption = props.get("dataEncryption");
        let cmk = match encryption.and_then(|e| json_str(e, "type")) {
            Some("AzureKeyVault") => {
                let field = |key: &str| {
                    Value::string(
                        encryption
                            .and_then(|e| json_str(e, key))
                            .unwrap_or_default(),
                    )
                };
                one_block(
                    def,
                    "customer_managed_key",
                    vec![
                        ("key_vault_key_id", field("primaryKeyURI")),
                        (
                            "primary_user_assigned_identity_id",
                            field("primaryUserAssignedIdentityId"),
                        ),
                        ("geo_backup_key_vault_key_id", field("geoBackupKeyURI")),
                        (
                            "geo_backup_user_assigned_identity_id",
                            field("geoBackupUserAssignedIdentityId"),
                        ),
                    ],
                )
            }
            _ => no_blocks(def, "customer_managed_key"),
        };
        state.insert("customer_managed_key".into(), cmk);
        state.insert("identity".into(), flatten_identity(body.get("identity")));
    }
}

/// Tags as ARM's JSON object.
fn tags_json(tags: &Value) -> Json {
    let map: serde_json::Map<String, Json> = tags
        .as_mapping()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), json!(s))))
                .collect()
        })
        .unwrap_or_default();
    Json::Object(map)
}

#[async_trait::async_trait]
impl ResourceType for FlexibleServer {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(mb) = int_of(&attribute(config, "storage_mb")) {
            if !STORAGE_TIERS.iter().any(|(size, _, _)| *size == mb) {
                diagnostics.extend(error(
                    "Invalid storage_mb",
                    format!(
                        "expected storage_mb to be one of [{}], got {mb}",
                        STORAGE_TIERS
                            .iter()
                            .map(|(s, _, _)| s.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                ));
            }
        }
        if let Some(days) = int_of(&attribute(config, "backup_retention_days")) {
            if !(7..=35).contains(&days) {
                diagnostics.extend(error(
                    "Invalid backup_retention_days",
                    format!(
                        "expected backup_retention_days to be in the range (7 - 35), got {days}"
                    ),
                ));
            }
        }
        if let Some(sku) = attribute(config, "sku_name").as_str() {
            if expand_sku(sku).is_err() {
                diagnostics.extend(error(
                    "Invalid sku_name",
                    format!("{sku:?} is not a valid sku_name: it starts with B_, GP_ or MO_"),
                ));
            }
        }
        diagnostics
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let prior = |name: &str| attribute(plan.prior, name);
        let planned = |plan: &PlanContext<'_>, name: &str| {
            plan.planned
                .get(name)
                .cloned()
                .unwrap_or(Value::Null(Type::Dynamic))
        };
        if plan.creating() {
            Self::check_storage_tier(plan, 0, "");
            return;
        }
        // A major version downgrade replaces the server.
        let version_of = |v: &Value| v.as_str().and_then(|s| s.parse::<i64>().ok());
        if let (Some(old), Some(new)) = (
            version_of(&prior("version")),
            version_of(&planned(plan, "version")),
        ) {
            if old > new {
                plan.force_new("version");
            }
        }
        // A login set before cannot change without replacing the server.
        let old_login = prior("administrator_login");
        let new_login = planned(plan, "administrator_login");
        if old_login.as_str().is_some_and(|l| !l.is_empty())
            && new_login.is_known()
            && !old_login.raw_equal(&new_login)
        {
            plan.force_new("administrator_login");
        }
        let old_mb = int_of(&prior("storage_mb")).unwrap_or(0);
        let old_tier = prior("storage_tier")
            .as_str()
            .unwrap_or_default()
            .to_string();
        Self::check_storage_tier(plan, old_mb, &old_tier);
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let planned = change.planned;
        Self::check_login(planned, true)?;
        if string_attribute(planned, "replication_role").is_some() {
            return Err(error(
                "Invalid PostgreSQL Flexible Server configuration",
                "`replication_role` cannot be set while creating",
            ));
        }
        let mode = string_attribute(planned, "create_mode").unwrap_or_default();
        let restoring = mode == "PointInTimeRestore" || mode == "GeoRestore";
        if (restoring || mode == "Replica")
            && string_attribute(planned, "source_server_id").is_none()
        {
            return Err(error(
                "Invalid PostgreSQL Flexible Server configuration",
                format!("`source_server_id` is required when `create_mode` is `{mode}`"),
            ));
        }
        if restoring && string_attribute(planned, "point_in_time_restore_time_in_utc").is_none() {
            return Err(error(
                "Invalid PostgreSQL Flexible Server configuration",
                format!("`point_in_time_restore_time_in_utc` is required when `create_mode` is `{mode}`"),
            ));
        }
        if let Some(sku) = string_attribute(planned, "sku_name") {
            json_set(body, "sku", expand_sku(&sku)?);
        }
        json_set(body, "properties.network", Self::expand_network(planned));
        json_set(
            body,
            "properties.storage",
            Self::expand_storage(planned, true),
        );
        json_set(
            body,
            "properties.highAvailability",
            Self::expand_high_availability(planned, true),
        );
        json_set(body, "properties.backup", Self::expand_backup(planned));
        if let Some(encryption) = Self::expand_data_encryption(planned) {
            json_set(body, "properties.dataEncryption", encryption);
        }
        if let Some(cluster) = Self::expand_cluster(planned) {
            json_set(body, "properties.cluster", cluster);
        }
        if let Some(password) = string_attribute(planned, "administrator_password") {
            json_set(
                body,
                "properties.administratorLoginPassword",
                json!(password),
            );
        }
        if !mode.is_empty() {
            json_set(body, "properties.createMode", json!(mode));
        }
        if let Some(source) = string_attribute(planned, "source_server_id") {
            json_set(body, "properties.sourceServerResourceId", json!(source));
        }
        if let Some(at) = string_attribute(planned, "point_in_time_restore_time_in_utc") {
            json_set(body, "properties.pointInTimeUTC", json!(at));
        }
        if let Some(auth) = Self::expand_auth(planned) {
            json_set(body, "properties.authConfig", auth);
        }
        json_set(
            body,
            "identity",
            expand_identity(planned).unwrap_or(json!({"type": "None"})),
        );
        if attribute(planned, "tags").is_null() {
            json_set(body, "tags", json!({}));
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        self.server_flatten(body, state);
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let state = crate::framework::flow::create(self, ctx, planned).await?;
        // The maintenance window can only be set on an existing server.
        if first_block(&attribute(planned, "maintenance_window")).is_none() {
            return Ok(state);
        }
        let (id, id_values) = planned_id(self, ctx, planned)?;
        let body =
            json!({"properties": {"maintenanceWindow": Self::expand_maintenance_window(planned)}});
        let response = ctx
            .client
            .patch(
                &id,
                API_VERSION,
                &body,
                timeout(planned, "create", self.def.timeouts.create),
            )
            .await
            .map_err(|e| e.diagnostics("updating", &id))?;
        Ok(state_from_body(self, &id, &id_values, &response, planned))
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let (id, id_values) = stored_id(self, prior)?;
        let wait = timeout(
            planned,
            "update",
            self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
        );
        let change = Change {
            planned,
            prior,
            id: &id,
            id_values: &id_values,
            account: &ctx.client.account,
        };
        Self::check_login(planned, false)?;
        if change.changed("replication_role") {
            let mode = string_attribute(planned, "create_mode").unwrap_or_default();
            let role = string_attribute(planned, "replication_role").unwrap_or_default();
            if mode != "Replica" || role != "None" {
                return Err(error(
                    "Invalid PostgreSQL Flexible Server configuration",
                    "`replication_role` only can be updated to `None` for replica server",
                ));
            }
            ctx.client
                .patch(
                    &id,
                    API_VERSION,
                    &json!({"properties": {"replicationRole": "None"}}),
                    wait,
                )
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
        }
        if change.changed("auto_grow_enabled")
            || change.changed("storage_mb")
            || change.changed("storage_tier")
        {
            let storage = json!({"properties": {"storage": Self::expand_storage(planned, false)}});
            ctx.client
                .patch(&id, API_VERSION, &storage, wait)
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
        }
        // A new login is written with a PUT in `Update` mode.
        if change.changed("administrator_login") {
            let mut login = json!({
                "location": string_attribute(planned, "location").unwrap_or_default(),
                "properties": {
                    "createMode": "Update",
                    "administratorLogin": string_attribute(planned, "administrator_login").unwrap_or_default(),
                    "administratorLoginPassword": string_attribute(planned, "administrator_password").unwrap_or_default(),
                    "network": Self::expand_network(planned),
                }
            });
            if let Some(auth) = Self::expand_auth(planned) {
                login["properties"]["authConfig"] = auth;
            }
            ctx.client
                .put(&id, API_VERSION, &[], &login, wait)
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
        }
        let body = Self::patch_body(&change)?;
        let response = ctx
            .client
            .patch(&id, API_VERSION, &body, wait)
            .await
            .map_err(|e| e.diagnostics("updating", &id))?;
        Ok(state_from_body(self, &id, &id_values, &response, planned))
    }
}

// ---------------------------------------------------------------------------------------
// The children: databases, firewall rules, configurations.

/// The server a child's `server_id` names, rebuilt for the provider's subscription, and the
/// child's ID of `template` with `name`.
fn child_id(
    ctx: &Ctx<'_>,
    template: &IdTemplate,
    planned: &Value,
) -> Result<(String, BTreeMap<String, String>), Diagnostics> {
    let server_id = string_attribute(planned, "server_id").unwrap_or_default();
    let server = SERVER_ID
        .parse(&server_id, false)
        .map_err(|e| error("Invalid server_id", e))?;
    let name = string_attribute(planned, "name").unwrap_or_default();
    let id = template
        .build(&|key| match key {
            "subscription_id" => Some(ctx.client.account.subscription_id.clone()),
            "resource_group_name" => server.get("resource_group_name").cloned(),
            "server_name" => server.get("name").cloned(),
            "name" => Some(name.clone()),
            _ => None,
        })
        .map_err(|e| error("Invalid resource ID", e))?;
    let values = template
        .parse(&id, false)
        .map_err(|e| error("Invalid resource ID", e))?;
    Ok((id, values))
}

/// The `server_id` of a child with this ID.
fn server_id_of(child_id: &str) -> String {
    let values = DATABASE_ID
        .parse(child_id, true)
        .or_else(|_| FIREWALL_RULE_ID.parse(child_id, true))
        .or_else(|_| CONFIGURATION_ID.parse(child_id, true))
        .unwrap_or_default();
    SERVER_ID
        .build(&|key| match key {
            "name" => values.get("server_name").cloned(),
            other => values.get(other).cloned(),
        })
        .unwrap_or_default()
}

fn child_locks(id_values: &BTreeMap<String, String>) -> Vec<String> {
    vec![server_lock(
        id_values
            .get("resource_group_name")
            .map(String::as_str)
            .unwrap_or_default(),
        id_values
            .get("server_name")
            .map(String::as_str)
            .unwrap_or_default(),
    )]
}

/// Creates a child (its ID from the server's) with the generic create.
async fn create_child<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    planned: &Value,
) -> Result<Value, Diagnostics> {
    let (id, id_values) = child_id(ctx, &rt.def().id, planned)?;
    flow::create_at(rt, ctx, planned, &id, &id_values).await
}

fn server_id_attr() -> crate::framework::schema::Attr {
    string("server_id").required().force_new()
}

fn set_server_id(state: &mut BTreeMap<String, Value>) {
    let id = state
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    state.insert("server_id".into(), Value::string(server_id_of(&id)));
}

/// `azurerm_postgresql_flexible_server_database`.
pub struct FlexibleServerDatabase {
    def: ResourceDef,
}

impl FlexibleServerDatabase {
    pub fn new() -> FlexibleServerDatabase {
        FlexibleServerDatabase {
            def: ResourceDef {
                name: "azurerm_postgresql_flexible_server_database",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        server_id_attr(),
                        string("charset")
                            .optional()
                            .force_new()
                            .default("UTF8")
                            .suppress(|a, b| match (a.as_str(), b.as_str()) {
                                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                                _ => false,
                            })
                            .arm("properties.charset"),
                        string("collation")
                            .optional()
                            .force_new()
                            .default("en_US.utf8")
                            .arm("properties.collation"),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: DATABASE_ID,
                timeouts: Timeouts::minutes(30, 5, None, 30),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for FlexibleServerDatabase {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn flatten(&self, _body: &Json, state: &mut BTreeMap<String, Value>) {
        set_server_id(state);
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        child_locks(id_values)
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        create_child(self, ctx, planned).await
    }
}

/// `azurerm_postgresql_flexible_server_firewall_rule`.
pub struct FlexibleServerFirewallRule {
    def: ResourceDef,
}

impl FlexibleServerFirewallRule {
    pub fn new() -> FlexibleServerFirewallRule {
        FlexibleServerFirewallRule {
            def: ResourceDef {
                name: "azurerm_postgresql_flexible_server_firewall_rule",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        server_id_attr(),
                        string("start_ip_address")
                            .required()
                            .arm("properties.startIpAddress"),
                        string("end_ip_address")
                            .required()
                            .arm("properties.endIpAddress"),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: FIREWALL_RULE_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

fn is_ipv4(text: &str) -> bool {
    text.parse::<std::net::Ipv4Addr>().is_ok()
}

#[async_trait::async_trait]
impl ResourceType for FlexibleServerFirewallRule {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for name in ["start_ip_address", "end_ip_address"] {
            if let Some(ip) = attribute(config, name).as_str() {
                if !is_ipv4(ip) {
                    diagnostics.extend(error(
                        format!("Invalid {name}"),
                        format!("expected {name} to contain a valid IPv4 address, got: {ip}"),
                    ));
                }
            }
        }
        diagnostics
    }

    fn flatten(&self, _body: &Json, state: &mut BTreeMap<String, Value>) {
        set_server_id(state);
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        child_locks(id_values)
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        create_child(self, ctx, planned).await
    }
}

/// `azurerm_postgresql_flexible_server_configuration`: a server parameter set with a PATCH
/// (which restarts the server when the parameter is static); deleting it sets it back to
/// its default value.
pub struct FlexibleServerConfiguration {
    def: ResourceDef,
}

impl FlexibleServerConfiguration {
    pub fn new() -> FlexibleServerConfiguration {
        FlexibleServerConfiguration {
            def: ResourceDef {
                name: "azurerm_postgresql_flexible_server_configuration",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        server_id_attr(),
                        string("value").required().arm("properties.value"),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: CONFIGURATION_ID,
                timeouts: Timeouts::standard(),
                update: Update::Patch,
                put_query: &[],
            },
        }
    }

    /// Restarts the server when the parameter just written only applies after a restart
    /// (azurerm's `restart_server_on_configuration_value_change`, on by default).
    async fn restart_if_static(
        ctx: &Ctx<'_>,
        server_id: &str,
        parameter: &Json,
        wait: std::time::Duration,
    ) -> Result<(), Diagnostics> {
        let dynamic = json_get(parameter, "properties.isDynamicConfig").and_then(Json::as_bool);
        let read_only = json_get(parameter, "properties.isReadOnly").and_then(Json::as_bool);
        if dynamic == Some(false) && read_only == Some(false) {
            ctx.client
                .post(
                    &format!("{server_id}/restart"),
                    API_VERSION,
                    Some(&json!({})),
                    wait,
                )
                .await
                .map_err(|e| e.diagnostics("restarting", server_id))?;
        }
        Ok(())
    }

    async fn server_exists(ctx: &Ctx<'_>, server_id: &str) -> Result<bool, Diagnostics> {
        Ok(ctx
            .client
            .get(server_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", server_id))?
            .is_some())
    }
}

#[async_trait::async_trait]
impl ResourceType for FlexibleServerConfiguration {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn expand(&self, _change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        json_set(body, "properties.source", json!("user-override"));
        Ok(())
    }

    fn flatten(&self, _body: &Json, state: &mut BTreeMap<String, Value>) {
        set_server_id(state);
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        child_locks(id_values)
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let (id, id_values) = child_id(ctx, &self.def.id, planned)?;
        let _locks = ctx.client.locks().lock(&self.locks(&id_values)).await;
        let wait = timeout(planned, "create", self.def.timeouts.create);
        let body = json!({"properties": {
            "value": string_attribute(planned, "value").unwrap_or_default(),
            "source": "user-override",
        }});
        let response = ctx
            .client
            .patch(&id, API_VERSION, &body, wait)
            .await
            .map_err(|e| e.diagnostics("updating", &id))?;
        let server_id = server_id_of(&id);
        Self::restart_if_static(ctx, &server_id, &response, wait).await?;
        Ok(state_from_body(self, &id, &id_values, &response, planned))
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let state = crate::framework::flow::update(self, ctx, prior, planned).await?;
        let id = string_attribute(&state, "id").unwrap_or_default();
        let parameter = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .unwrap_or(Json::Null);
        let wait = timeout(planned, "update", self.def.timeouts.create);
        Self::restart_if_static(ctx, &server_id_of(&id), &parameter, wait).await?;
        Ok(state)
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let (id, _) = stored_id(self, state)?;
        if !Self::server_exists(ctx, &server_id_of(&id)).await? {
            return Ok(None);
        }
        crate::framework::flow::read(self, ctx, state).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let (id, id_values) = stored_id(self, state)?;
        let server_id = server_id_of(&id);
        if !Self::server_exists(ctx, &server_id).await? {
            return Ok(());
        }
        let _locks = ctx.client.locks().lock(&self.locks(&id_values)).await;
        let current = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .unwrap_or(Json::Null);
        let default_value = json_str(&current, "properties.defaultValue").unwrap_or_default();
        let wait = timeout(state, "delete", self.def.timeouts.delete);
        let body = json!({"properties": {"value": default_value, "source": "user-override"}});
        ctx.client
            .patch(&id, API_VERSION, &body, wait)
            .await
            .map_err(|e| e.diagnostics("deleting", &id))?;
        Self::restart_if_static(ctx, &server_id, &current, wait).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_names() {
        assert_eq!(
            expand_sku("GP_Standard_D2s_v3").unwrap(),
            json!({"name": "Standard_D2s_v3", "tier": "GeneralPurpose"})
        );
        assert_eq!(
            flatten_sku(Some(&json!({"name": "Standard_B1ms", "tier": "Burstable"}))),
            "B_Standard_B1ms"
        );
        assert!(expand_sku("XX_Standard_D2s_v3").is_err());
    }

    #[test]
    fn children_know_their_server() {
        let server = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg";
        assert_eq!(server_id_of(&format!("{server}/databases/app")), server);
        assert_eq!(server_id_of(&format!("{server}/firewallRules/all")), server);
        assert_eq!(
            server_id_of(&format!("{server}/configurations/azure.extensions")),
            server
        );
    }

    #[test]
    fn storage_defaults_follow_the_size() {
        let server = FlexibleServer::new();
        let mut attrs = null_object(&server.def.full_block());
        attrs.insert("storage_mb".into(), Value::int(131072));
        let planned = Value::object(attrs);
        let storage = FlexibleServer::expand_storage(&planned, true);
        assert_eq!(
            storage,
            json!({"autoGrow": "Disabled", "storageSizeGB": 128, "tier": "P10"})
        );
    }

    #[test]
    fn a_tier_too_small_for_the_disk_is_refused() {
        let server = FlexibleServer::new();
        let block = server.def.full_block();
        let mut config = null_object(&block);
        config.insert("storage_mb".into(), Value::int(1048576));
        config.insert("storage_tier".into(), Value::string("P4"));
        let config = Value::object(config);
        let mut planned = config.as_mapping().cloned().unwrap_or_default();
        let mut requires_replace = Vec::new();
        let mut diagnostics = Diagnostics::new();
        server.customize_plan(&mut PlanContext {
            prior: &Value::Null(Type::Dynamic),
            config: &config,
            planned: &mut planned,
            requires_replace: &mut requires_replace,
            diagnostics: &mut diagnostics,
        });
        assert!(diagnostics.has_errors());
    }

    #[test]
    fn a_smaller_disk_or_an_older_version_replaces_the_server() {
        let server = FlexibleServer::new();
        let block = server.def.full_block();
        let mut prior = null_object(&block);
        prior.insert("storage_mb".into(), Value::int(65536));
        prior.insert("storage_tier".into(), Value::string("P6"));
        prior.insert("version".into(), Value::string("16"));
        prior.insert("administrator_login".into(), Value::string("pgadmin"));
        let prior = Value::object(prior);
        let mut planned = prior.as_mapping().cloned().unwrap_or_default();
        planned.insert("storage_mb".into(), Value::int(32768));
        planned.insert("version".into(), Value::string("15"));
        let config = Value::object(null_object(&block));
        let mut requires_replace = Vec::new();
        let mut diagnostics = Diagnostics::new();
        server.customize_plan(&mut PlanContext {
            prior: &prior,
            config: &config,
            planned: &mut planned,
            requires_replace: &mut requires_replace,
            diagnostics: &mut diagnostics,
        });
        assert!(requires_replace.contains(&vec!["storage_mb".to_string()]));
        assert!(requires_replace.contains(&vec!["version".to_string()]));
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        assert_eq!(planned["storage_tier"], Value::string("P6"));
    }
}
