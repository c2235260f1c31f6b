//! Azure Kubernetes Service, with azurerm v4's schemas, defaults, force-new rules and import
//! IDs: the `azurerm_kubernetes_cluster` resource (its default node pool, identity or service
//! principal, network profile, Azure AD RBAC, and the kubeconfigs read through
//! `listClusterUserCredential` and `listClusterAdminCredential` and parsed into `kube_config`
//! and `kube_admin_config`), the `azurerm_kubernetes_cluster_node_pool` resource (an agent
//! pool, cycled through a temporary pool when a property AKS cannot change in place changes),
//! and the `azurerm_kubernetes_cluster` data source.

use crate::framework::common::{
    edge_zone, identity, identity_def, location, location_computed, resource_group_name, tags,
};
use crate::framework::flow::{self, state_from_body, stored_id, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_remove, json_set, normalize_location, null_object};
use crate::framework::schema::{
    attr, block, block_def, boolean, list_of_strings, map_of_strings, number, set_of_strings,
    string, BlockDef,
};
use crate::framework::{
    attribute, error, Change, Ctx, DataSourceType, PlanContext, ResourceDef, ResourceType,
    Timeouts, Update,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4 manages clusters and agent pools with.
const API_VERSION: &str = "2025-10-01";

pub const KUBERNETES_CLUSTER_ID: IdTemplate = IdTemplate::new(
    "Kubernetes Cluster",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ContainerService/managedClusters/{name}",
);
pub const NODE_POOL_ID: IdTemplate = IdTemplate::new(
    "Agent Pool",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ContainerService/managedClusters/{kubernetes_cluster_name}/agentPools/{name}",
);
const USER_ASSIGNED_IDENTITY_ID: IdTemplate = IdTemplate::new(
    "User Assigned Identity",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
);

/// The taint azurerm gives the default node pool for `only_critical_addons_enabled`.
const CRITICAL_ADDONS_TAINT: &str = "CriticalAddonsOnly=true:NoSchedule";

/// The default node pool's properties whose change cycles it through a temporary pool.
const CYCLED_DEFAULT_POOL_PROPERTIES: &[&str] = &[
    "name",
    "host_encryption_enabled",
    "node_public_ip_enabled",
    "fips_enabled",
    "kubelet_disk_type",
    "max_pods",
    "only_critical_addons_enabled",
    "os_disk_size_gb",
    "os_disk_type",
    "pod_subnet_id",
    "snapshot_id",
    "ultra_ssd_enabled",
    "vnet_subnet_id",
    "vm_size",
    "zones",
];

/// A node pool's properties whose change cycles it through a temporary pool.
const CYCLED_NODE_POOL_PROPERTIES: &[&str] = &[
    "fips_enabled",
    "host_encryption_enabled",
    "kubelet_disk_type",
    "max_pods",
    "node_public_ip_enabled",
    "os_disk_size_gb",
    "os_disk_type",
    "pod_subnet_id",
    "snapshot_id",
    "ultra_ssd_enabled",
    "vm_size",
    "vnet_subnet_id",
    "zones",
];

// ---------------------------------------------------------------------------------------
// Reading values and JSON

fn null() -> Value {
    Value::Null(Type::Dynamic)
}

/// The first element of a nested block (null when there is none).
fn first(object: &Value, name: &str) -> Value {
    attribute(object, name)
        .as_seq()
        .and_then(|s| s.first().cloned())
        .unwrap_or_else(null)
}

/// Whether a nested block has an element.
fn has_block(object: &Value, name: &str) -> bool {
    attribute(object, name)
        .as_seq()
        .is_some_and(|s| !s.is_empty())
}

/// A string attribute, `""` when null or unknown (as the SDK's `d.Get` gives it).
fn text(object: &Value, name: &str) -> String {
    attribute(object, name)
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn flag(object: &Value, name: &str) -> bool {
    attribute(object, name).as_bool().unwrap_or(false)
}

fn whole(object: &Value, name: &str) -> i64 {
    attribute(object, name)
        .as_number()
        .and_then(|n| n.to_i64())
        .unwrap_or(0)
}

fn texts(object: &Value, name: &str) -> Vec<String> {
    attribute(object, name)
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn string_map_json(object: &Value, name: &str) -> Json {
    Json::Object(
        attribute(object, name)
            .as_mapping()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), json!(s))))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// The value at a path of attribute names and list indexes (null when absent).
fn value_at(value: &Value, path: &[&str]) -> Value {
    let mut current = value.clone();
    for step in path {
        current = match step.parse::<usize>() {
            Ok(i) => current
                .as_seq()
                .and_then(|s| s.get(i).cloned())
                .unwrap_or_else(null),
            Err(_) => attribute(&current, step),
        };
    }
    current
}

/// Whether two values differ as the SDK sees them (null and the zero value are the same).
fn differs(a: &Value, b: &Value) -> bool {
    let zeroish = |v: &Value| {
        v.is_null()
            || v.as_str() == Some("")
            || v.as_bool() == Some(false)
            || v.as_number().and_then(|n| n.to_i64()) == Some(0)
            || (v.is_known() && v.ty().is_collection() && v.is_empty())
    };
    if zeroish(a) && zeroish(b) {
        return false;
    }
    !a.raw_equal(b)
}

fn jtext(json: &Json, path: &str) -> String {
    json_get(json, path)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

fn jbool(json: &Json, path: &str) -> Option<bool> {
    match json_get(json, path)? {
        Json::Bool(b) => Some(*b),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn jint(json: &Json, path: &str) -> Option<i64> {
    match json_get(json, path)? {
        Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn jtexts(json: &Json, path: &str) -> Vec<String> {
    json_get(json, path)
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The IDs of a list of sub-resource references (`[{"id": ...}]`).
fn jrefs(json: &Json, path: &str) -> Vec<String> {
    json_get(json, path)
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("id").and_then(Json::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn string_list(items: Vec<String>) -> Value {
    Value::list(Type::String, items.into_iter().map(Value::string).collect())
}

fn string_set(items: Vec<String>) -> Value {
    Value::set(Type::String, items.into_iter().map(Value::string).collect())
}

fn string_map(json: Option<&Json>) -> Value {
    Value::map(
        Type::String,
        json.and_then(Json::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::string(v.as_str().unwrap_or_default())))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// An object of `def`: its attributes null and nested blocks empty, then `pairs`.
fn element(def: &BlockDef, pairs: Vec<(&str, Value)>) -> Value {
    let mut out = null_object(def);
    for (k, v) in pairs {
        out.insert(k.to_string(), v);
    }
    Value::object(out)
}

fn list_of(def: &BlockDef, elements: Vec<Value>) -> Value {
    Value::list(def.value_type(), elements)
}

/// Sets a string in a JSON object when it is not empty (an empty string means unset).
fn put_text(object: &mut Json, path: &str, value: String) {
    if !value.is_empty() {
        json_set(object, path, json!(value));
    }
}

/// A user-assigned identity ID in azurerm's casing (as `ParseUserAssignedIdentityIDInsensitively`
/// gives it); anything else as it is.
fn normalize_identity_id(id: &str) -> String {
    USER_ASSIGNED_IDENTITY_ID
        .parse(id, true)
        .and_then(|values| USER_ASSIGNED_IDENTITY_ID.build(&|n| values.get(n).cloned()))
        .unwrap_or_else(|_| id.to_string())
}

// ---------------------------------------------------------------------------------------
// Kubeconfigs

/// The attributes of one `kube_config` or `kube_admin_config` element.
const KUBE_CONFIG_FIELDS: &[&str] = &[
    "host",
    "username",
    "password",
    "client_certificate",
    "client_key",
    "cluster_ca_certificate",
];

fn kube_config_element_type() -> Type {
    Type::object(
        KUBE_CONFIG_FIELDS
            .iter()
            .map(|f| (f.to_string(), Type::String))
            .collect(),
    )
}

fn kube_config_type() -> Type {
    Type::list(kube_config_element_type())
}

/// A computed, sensitive list of kubeconfig objects (SDKv2 makes computed-only blocks
/// attributes).
fn kube_config_attr(name: &'static str) -> crate::framework::schema::Attr {
    attr(name, kube_config_type()).computed().sensitive()
}

/// The fields of a kubeconfig's first cluster and user, as azurerm parses them: a
/// certificate or token user, or (for Azure AD kubeconfigs) only the server and CA.
fn parse_kubeconfig(raw: &str) -> Option<Value> {
    let docs = yaml_rust2::YamlLoader::load_from_str(raw).ok()?;
    let doc = docs.first()?;
    let cluster = &doc["clusters"][0]["cluster"];
    let user_item = &doc["users"][0];
    if cluster.is_badvalue() || user_item.is_badvalue() {
        return None;
    }
    let field =
        |node: &yaml_rust2::Yaml, key: &str| node[key].as_str().unwrap_or_default().to_string();
    let server = field(cluster, "server");
    if server.is_empty() {
        return None;
    }
    let user = &user_item["user"];
    let aad = raw.contains("apiserver-id:") || raw.contains("exec");
    let (password, certificate, key) = if aad {
        (String::new(), String::new(), String::new())
    } else {
        let token = field(user, "token");
        let certificate = field(user, "client-certificate-data");
        let key = field(user, "client-key-data");
        if token.is_empty() && (certificate.is_empty() || key.is_empty()) {
            return None;
        }
        (token, certificate, key)
    };
    let values = [
        ("host", server),
        ("username", field(user_item, "name")),
        ("password", password),
        ("client_certificate", certificate),
        ("client_key", key),
        (
            "cluster_ca_certificate",
            field(cluster, "certificate-authority-data"),
        ),
    ];
    Some(Value::object(
        values
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::string(v)))
            .collect(),
    ))
}

/// `kube_config_raw` and `kube_config` (or the admin pair) from a credential result: the
/// kubeconfig named `config_name`, base64-decoded, and its fields when it parses.
fn flatten_credentials(result: &Json, config_name: &str) -> (Value, Value) {
    let none = (
        Value::Null(Type::String),
        Value::list(kube_config_element_type(), vec![]),
    );
    let Some(configs) = result.get("kubeconfigs").and_then(Json::as_array) else {
        return none;
    };
    let Some(encoded) = configs
        .iter()
        .find(|c| c.get("name").and_then(Json::as_str) == Some(config_name))
        .and_then(|c| c.get("value").and_then(Json::as_str))
    else {
        return none;
    };
    let raw = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| encoded.to_string());
    let parsed: Vec<Value> = parse_kubeconfig(&raw).into_iter().collect();
    (
        Value::string(raw),
        Value::list(kube_config_element_type(), parsed),
    )
}

/// Reads a cluster's user (and, with Azure AD RBAC and local accounts, admin) credentials
/// into `out`.
async fn read_credentials(
    ctx: &Ctx<'_>,
    id: &str,
    aad: bool,
    local_accounts_disabled: bool,
    read_timeout: Duration,
    out: &mut BTreeMap<String, Value>,
) -> Result<(), Diagnostics> {
    let user_path = format!("{id}/listClusterUserCredential");
    let user = ctx
        .client
        .post(&user_path, API_VERSION, None, read_timeout)
        .await
        .map_err(|e| e.diagnostics("retrieving the User Credentials of", id))?;
    let (raw, config) = flatten_credentials(&user, "clusterUser");
    out.insert("kube_config_raw".into(), raw);
    out.insert("kube_config".into(), config);
    let (admin_raw, admin_config) = if aad && !local_accounts_disabled {
        let admin_path = format!("{id}/listClusterAdminCredential");
        let admin = ctx
            .client
            .post(&admin_path, API_VERSION, None, read_timeout)
            .await
            .map_err(|e| e.diagnostics("retrieving the Admin Credentials of", id))?;
        flatten_credentials(&admin, "clusterAdmin")
    } else {
        (
            Value::Null(Type::String),
            Value::list(kube_config_element_type(), vec![]),
        )
    };
    out.insert("kube_admin_config_raw".into(), admin_raw);
    out.insert("kube_admin_config".into(), admin_config);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Schemas

fn upgrade_settings_def(node_pool_resource: bool) -> BlockDef {
    let mut attrs = vec![
        if node_pool_resource {
            string("max_surge").optional()
        } else {
            string("max_surge").required()
        },
        number("drain_timeout_in_minutes").optional(),
        number("node_soak_duration_in_minutes").optional(),
        string("undrainable_node_behavior").optional(),
    ];
    if node_pool_resource {
        attrs.push(string("max_unavailable").optional());
    }
    block_def(attrs, vec![])
}

/// The arguments the default node pool and the node pool resource share.
fn pool_attrs() -> Vec<crate::framework::schema::Attr> {
    vec![
        string("vm_size").optional().computed(),
        string("capacity_reservation_group_id").optional(),
        boolean("fips_enabled").optional(),
        string("gpu_instance").optional(),
        string("gpu_driver").optional(),
        string("kubelet_disk_type").optional().computed(),
        number("max_count").optional(),
        number("max_pods").optional().computed(),
        number("min_count").optional(),
        number("node_count").optional().computed(),
        map_of_strings("node_labels").optional().computed(),
        string("node_public_ip_prefix_id").optional(),
        map_of_strings("tags").optional(),
        number("os_disk_size_gb").optional().computed(),
        string("os_disk_type").optional().default("Managed"),
        string("os_sku").optional().computed(),
        boolean("ultra_ssd_enabled").optional().default(false),
        string("vnet_subnet_id").optional(),
        string("orchestrator_version").optional().computed(),
        string("pod_subnet_id").optional(),
        string("proximity_placement_group_id").optional(),
        string("scale_down_mode").optional().default("Delete"),
        string("snapshot_id").optional(),
        string("host_group_id").optional(),
        set_of_strings("zones").optional(),
        boolean("auto_scaling_enabled").optional(),
        boolean("node_public_ip_enabled").optional(),
        boolean("host_encryption_enabled").optional(),
        string("temporary_name_for_rotation").optional(),
    ]
}

fn default_node_pool_def() -> BlockDef {
    let mut attrs = vec![
        string("name").required(),
        string("type").optional().default("VirtualMachineScaleSets"),
        boolean("only_critical_addons_enabled").optional(),
        string("workload_runtime").optional().computed(),
    ];
    attrs.extend(pool_attrs());
    block_def(
        attrs,
        vec![block("upgrade_settings", upgrade_settings_def(false)).max(1)],
    )
}

fn service_principal_def() -> BlockDef {
    block_def(
        vec![
            string("client_id").required(),
            string("client_secret").required().sensitive(),
        ],
        vec![],
    )
}

fn kubelet_identity_def() -> BlockDef {
    block_def(
        vec![
            string("client_id").optional().computed(),
            string("object_id").optional().computed(),
            string("user_assigned_identity_id").optional().computed(),
        ],
        vec![],
    )
}

fn load_balancer_profile_def() -> BlockDef {
    block_def(
        vec![
            number("outbound_ports_allocated").optional().default(0),
            number("idle_timeout_in_minutes").optional().default(30),
            number("managed_outbound_ip_count").optional().computed(),
            number("managed_outbound_ipv6_count").optional().computed(),
            set_of_strings("outbound_ip_prefix_ids").optional(),
            set_of_strings("outbound_ip_address_ids").optional(),
            set_of_strings("effective_outbound_ips").computed(),
            string("backend_pool_type")
                .optional()
                .default("NodeIPConfiguration"),
        ],
        vec![],
    )
}

fn nat_gateway_profile_def() -> BlockDef {
    block_def(
        vec![
            number("idle_timeout_in_minutes").optional().default(4),
            number("managed_outbound_ip_count").optional().computed(),
            set_of_strings("effective_outbound_ips").computed(),
        ],
        vec![],
    )
}

fn advanced_networking_def() -> BlockDef {
    block_def(
        vec![
            boolean("observability_enabled").optional().default(false),
            boolean("security_enabled").optional().default(false),
        ],
        vec![],
    )
}

fn network_profile_def() -> BlockDef {
    block_def(
        vec![
            string("network_plugin").required(),
            string("network_mode").optional().computed(),
            string("network_policy").optional().computed(),
            string("dns_service_ip").optional().computed(),
            string("network_data_plane").optional().default("azure"),
            string("network_plugin_mode").optional(),
            string("pod_cidr").optional().computed(),
            list_of_strings("pod_cidrs").optional().computed(),
            string("service_cidr").optional().computed(),
            list_of_strings("service_cidrs").optional().computed(),
            string("load_balancer_sku").optional().default("standard"),
            string("outbound_type").optional().default("loadBalancer"),
            list_of_strings("ip_versions").optional().computed(),
        ],
        vec![
            block("load_balancer_profile", load_balancer_profile_def())
                .max(1)
                .computed(),
            block("nat_gateway_profile", nat_gateway_profile_def())
                .max(1)
                .computed(),
            block("advanced_networking", advanced_networking_def()).max(1),
        ],
    )
}

fn aad_rbac_def() -> BlockDef {
    block_def(
        vec![
            string("tenant_id").optional().computed(),
            boolean("azure_rbac_enabled").optional(),
            list_of_strings("admin_group_object_ids").optional(),
        ],
        vec![],
    )
}

fn api_server_access_profile_def() -> BlockDef {
    block_def(
        vec![
            set_of_strings("authorized_ip_ranges").optional(),
            boolean("virtual_network_integration_enabled")
                .optional()
                .default(false),
            string("subnet_id").optional(),
        ],
        vec![],
    )
}

fn linux_profile_def() -> BlockDef {
    block_def(
        vec![string("admin_username").required()],
        vec![block(
            "ssh_key",
            block_def(vec![string("key_data").required()], vec![]),
        )
        .min(1)
        .max(1)],
    )
}

fn storage_profile_def() -> BlockDef {
    block_def(
        vec![
            boolean("blob_driver_enabled").optional().default(false),
            boolean("disk_driver_enabled").optional().default(true),
            boolean("file_driver_enabled").optional().default(true),
            boolean("snapshot_controller_enabled")
                .optional()
                .default(true),
        ],
        vec![],
    )
}

fn workload_autoscaler_profile_def() -> BlockDef {
    block_def(
        vec![
            boolean("keda_enabled").optional().default(false),
            boolean("vertical_pod_autoscaler_enabled")
                .optional()
                .default(false),
        ],
        vec![],
    )
}

// ---------------------------------------------------------------------------------------
// azurerm_kubernetes_cluster: expanding

/// The agent pool profile of the default node pool (`ExpandDefaultNodePool`).
fn expand_default_node_pool(
    pool: &Value,
    creating: bool,
    node_count_changed: bool,
) -> Result<Json, Diagnostics> {
    let mut profile = json!({
        "name": text(pool, "name"),
        "enableAutoScaling": flag(pool, "auto_scaling_enabled"),
        "enableFIPS": flag(pool, "fips_enabled"),
        "enableNodePublicIP": flag(pool, "node_public_ip_enabled"),
        "enableEncryptionAtHost": flag(pool, "host_encryption_enabled"),
        "nodeLabels": string_map_json(pool, "node_labels"),
        "tags": string_map_json(pool, "tags"),
        "osType": "Linux",
        "mode": "System",
        "enableUltraSSD": flag(pool, "ultra_ssd_enabled"),
    });
    put_text(&mut profile, "type", text(pool, "type"));
    put_text(&mut profile, "vmSize", text(pool, "vm_size"));
    put_text(
        &mut profile,
        "kubeletDiskType",
        text(pool, "kubelet_disk_type"),
    );
    if flag(pool, "only_critical_addons_enabled") {
        profile["nodeTaints"] = json!([CRITICAL_ADDONS_TAINT]);
    }
    if let Some(settings) = expand_upgrade_settings(&first(pool, "upgrade_settings"), false) {
        profile["upgradeSettings"] = settings;
    }
    common_pool_properties(pool, &mut profile);
    let os_disk_type = text(pool, "os_disk_type");
    profile["osDiskType"] = json!(if os_disk_type.is_empty() {
        "Managed".to_string()
    } else {
        os_disk_type
    });
    let scale_down = text(pool, "scale_down_mode");
    profile["scaleDownMode"] = json!(if scale_down.is_empty() {
        "Delete".to_string()
    } else {
        scale_down
    });
    put_text(
        &mut profile,
        "workloadRuntime",
        text(pool, "workload_runtime"),
    );
    expand_counts(pool, creating, node_count_changed, &mut profile)?;
    Ok(profile)
}

/// The properties the default pool and node pools expand alike.
fn common_pool_properties(pool: &Value, profile: &mut Json) {
    let zones = texts(pool, "zones");
    if !zones.is_empty() {
        profile["availabilityZones"] = json!(zones);
    }
    let max_pods = whole(pool, "max_pods");
    if max_pods > 0 {
        profile["maxPods"] = json!(max_pods);
    }
    let disk = whole(pool, "os_disk_size_gb");
    if disk > 0 {
        profile["osDiskSizeGB"] = json!(disk);
    }
    put_text(
        profile,
        "nodePublicIPPrefixID",
        text(pool, "node_public_ip_prefix_id"),
    );
    put_text(profile, "osSKU", text(pool, "os_sku"));
    put_text(profile, "podSubnetID", text(pool, "pod_subnet_id"));
    put_text(
        profile,
        "creationData.sourceResourceId",
        text(pool, "snapshot_id"),
    );
    put_text(profile, "vnetSubnetID", text(pool, "vnet_subnet_id"));
    put_text(profile, "hostGroupID", text(pool, "host_group_id"));
    put_text(
        profile,
        "orchestratorVersion",
        text(pool, "orchestrator_version"),
    );
    put_text(
        profile,
        "proximityPlacementGroupID",
        text(pool, "proximity_placement_group_id"),
    );
    put_text(
        profile,
        "capacityReservationGroupID",
        text(pool, "capacity_reservation_group_id"),
    );
    put_text(profile, "gpuInstanceProfile", text(pool, "gpu_instance"));
    put_text(profile, "gpuProfile.driver", text(pool, "gpu_driver"));
}

/// `count`, `minCount` and `maxCount` with azurerm's rules for the default node pool.
fn expand_counts(
    pool: &Value,
    creating: bool,
    node_count_changed: bool,
    profile: &mut Json,
) -> Result<(), Diagnostics> {
    let auto = flag(pool, "auto_scaling_enabled");
    let mut count = whole(pool, "node_count");
    let max = whole(pool, "max_count");
    let min = whole(pool, "min_count");
    let invalid = |detail: String| error("Invalid `default_node_pool`", detail);
    if auto {
        if count == 0 {
            count = min;
        }
        if node_count_changed && !creating {
            return Err(invalid(
                "cannot change `node_count` when `auto_scaling_enabled` is set to `true`".into(),
            ));
        }
        if max <= 0 {
            return Err(invalid(
                "`max_count` must be configured when `auto_scaling_enabled` is set to `true`"
                    .into(),
            ));
        }
        if max < count && creating {
            return Err(invalid(format!("`node_count`({count}) must be equal to or less than `max_count`({max}) when `auto_scaling_enabled` is set to `true`")));
        }
        if min <= 0 {
            return Err(invalid(
                "`min_count` must be configured when `auto_scaling_enabled` is set to `true`"
                    .into(),
            ));
        }
        if min > count && creating {
            return Err(invalid(format!("`node_count`({count}) must be equal to or greater than `min_count`({min}) when `auto_scaling_enabled` is set to `true`")));
        }
        if min > max {
            return Err(invalid("`max_count` must be >= `min_count`".into()));
        }
        profile["maxCount"] = json!(max);
        profile["minCount"] = json!(min);
    } else if min > 0 || max > 0 {
        return Err(invalid(format!("`max_count`({max}) and `min_count`({min}) must be set to `null` when `auto_scaling_enabled` is set to `false`")));
    }
    profile["count"] = json!(count);
    Ok(())
}

/// `upgradeSettings` (none without the block).
fn expand_upgrade_settings(settings: &Value, node_pool_resource: bool) -> Option<Json> {
    if settings.is_null() {
        return None;
    }
    let mut out = json!({
        "drainTimeoutInMinutes": whole(settings, "drain_timeout_in_minutes"),
        "nodeSoakDurationInMinutes": whole(settings, "node_soak_duration_in_minutes"),
    });
    let surge = text(settings, "max_surge");
    let unavailable = text(settings, "max_unavailable");
    if node_pool_resource {
        if !surge.is_empty() {
            out["maxSurge"] = json!(surge);
            out["maxUnavailable"] = json!("0");
        }
        if !unavailable.is_empty() {
            out["maxUnavailable"] = json!(unavailable);
            out["maxSurge"] = json!("0");
        }
    } else {
        put_text(&mut out, "maxSurge", surge);
    }
    put_text(
        &mut out,
        "undrainableNodeBehavior",
        text(settings, "undrainable_node_behavior"),
    );
    Some(out)
}

fn expand_identity(identity: &Value) -> Json {
    let kind = text(identity, "type");
    let mut out = json!({ "type": kind });
    if kind == "UserAssigned" {
        let ids: Map<String, Json> = texts(identity, "identity_ids")
            .into_iter()
            .map(|id| (id, json!({})))
            .collect();
        out["userAssignedIdentities"] = Json::Object(ids);
    }
    out
}

fn expand_aad(aad: &Value) -> Json {
    let mut out = json!({
        "managed": true,
        "adminGroupObjectIDs": texts(aad, "admin_group_object_ids"),
        "enableAzureRBAC": flag(aad, "azure_rbac_enabled"),
    });
    put_text(&mut out, "tenantID", text(aad, "tenant_id"));
    out
}

fn expand_linux_profile(profile: &Value) -> Json {
    let key = first(profile, "ssh_key");
    json!({
        "adminUsername": text(profile, "admin_username"),
        "ssh": {"publicKeys": [{"keyData": text(&key, "key_data")}]},
    })
}

/// `apiServerAccessProfile` from the cluster's arguments.
fn expand_api_access_profile(cluster: &Value) -> Json {
    let mut out = json!({
        "enablePrivateCluster": flag(cluster, "private_cluster_enabled"),
        "enablePrivateClusterPublicFQDN": flag(cluster, "private_cluster_public_fqdn_enabled"),
        "disableRunCommand": !attribute(cluster, "run_command_enabled").as_bool().unwrap_or(true),
    });
    let profile = first(cluster, "api_server_access_profile");
    if !profile.is_null() {
        let ranges = texts(&profile, "authorized_ip_ranges");
        if !ranges.is_empty() {
            out["authorizedIPRanges"] = json!(ranges);
        }
        out["enableVnetIntegration"] = json!(flag(&profile, "virtual_network_integration_enabled"));
        put_text(&mut out, "subnetId", text(&profile, "subnet_id"));
    }
    out
}

fn expand_load_balancer_profile(profile: &Value) -> Json {
    let mut out = json!({
        "allocatedOutboundPorts": whole(profile, "outbound_ports_allocated"),
    });
    let idle = whole(profile, "idle_timeout_in_minutes");
    if idle != 0 {
        out["idleTimeoutInMinutes"] = json!(idle);
    }
    let count = whole(profile, "managed_outbound_ip_count");
    if count > 0 {
        json_set(&mut out, "managedOutboundIPs.count", json!(count));
    }
    let count_v6 = whole(profile, "managed_outbound_ipv6_count");
    if count_v6 > 0 {
        json_set(&mut out, "managedOutboundIPs.countIPv6", json!(count_v6));
    }
    let refs = |name: &str| -> Vec<Json> {
        texts(profile, name)
            .into_iter()
            .map(|id| json!({ "id": id }))
            .collect()
    };
    let prefixes = refs("outbound_ip_prefix_ids");
    if !prefixes.is_empty() {
        json_set(
            &mut out,
            "outboundIPPrefixes.publicIPPrefixes",
            json!(prefixes),
        );
    }
    let addresses = refs("outbound_ip_address_ids");
    if !addresses.is_empty() {
        json_set(&mut out, "outboundIPs.publicIPs", json!(addresses));
    }
    put_text(
        &mut out,
        "backendPoolType",
        text(profile, "backend_pool_type"),
    );
    out
}

fn expand_nat_gateway_profile(profile: &Value) -> Json {
    let mut out = json!({});
    let idle = whole(profile, "idle_timeout_in_minutes");
    if idle != 0 {
        out["idleTimeoutInMinutes"] = json!(idle);
    }
    let count = whole(profile, "managed_outbound_ip_count");
    if count > 0 {
        json_set(&mut out, "managedOutboundIPProfile.count", json!(count));
    }
    out
}

/// `advancedNetworking`: the block's settings, `enabled: false` when the block was just
/// removed, none otherwise.
fn expand_advanced_networking(planned: &Value, prior: &Value) -> Option<Json> {
    let block = first(planned, "advanced_networking");
    if block.is_null() {
        return has_block(prior, "advanced_networking").then(|| {
            json!({"enabled": false, "observability": {"enabled": false}, "security": {"enabled": false}})
        });
    }
    Some(json!({
        "enabled": true,
        "observability": {"enabled": flag(&block, "observability_enabled")},
        "security": {"enabled": flag(&block, "security_enabled")},
    }))
}

/// `networkProfile` (`expandKubernetesClusterNetworkProfile`).
fn expand_network_profile(profile: &Value, prior: &Value) -> Result<Json, Diagnostics> {
    let plugin = text(profile, "network_plugin");
    let mode = text(profile, "network_mode");
    if plugin != "azure" && !mode.is_empty() {
        return Err(error(
            "Invalid `network_profile`",
            "`network_mode` cannot be set if `network_plugin` is not `azure`",
        ));
    }
    let lb_sku = text(profile, "load_balancer_sku");
    let mut out = json!({ "networkPlugin": plugin });
    put_text(&mut out, "networkMode", mode);
    put_text(&mut out, "networkPolicy", text(profile, "network_policy"));
    put_text(&mut out, "loadBalancerSku", lb_sku.clone());
    put_text(&mut out, "outboundType", text(profile, "outbound_type"));
    let ip_versions = texts(profile, "ip_versions");
    if ip_versions == ["IPv6"] {
        return Err(error(
            "Invalid `network_profile`",
            "`ip_versions` must be `IPv4` or `IPv4` and `IPv6`. `IPv6` alone is not supported",
        ));
    }
    if !ip_versions.is_empty() {
        out["ipFamilies"] = json!(ip_versions);
    }
    put_text(
        &mut out,
        "networkDataplane",
        text(profile, "network_data_plane"),
    );
    put_text(
        &mut out,
        "networkPluginMode",
        text(profile, "network_plugin_mode"),
    );
    for (name, key, expand) in [
        (
            "load_balancer_profile",
            "loadBalancerProfile",
            expand_load_balancer_profile as fn(&Value) -> Json,
        ),
        (
            "nat_gateway_profile",
            "natGatewayProfile",
            expand_nat_gateway_profile,
        ),
    ] {
        let block = first(profile, name);
        if block.is_null() {
            continue;
        }
        if !lb_sku.eq_ignore_ascii_case("standard") {
            return Err(error(
                "Invalid `network_profile`",
                format!("only load balancer SKU 'Standard' supports {} profiles. Provided load balancer type: {lb_sku}", if name == "nat_gateway_profile" { "NAT Gateway" } else { "load balancer" }),
            ));
        }
        out[key] = expand(&block);
    }
    put_text(&mut out, "dnsServiceIP", text(profile, "dns_service_ip"));
    put_text(&mut out, "podCidr", text(profile, "pod_cidr"));
    put_text(&mut out, "serviceCidr", text(profile, "service_cidr"));
    for (name, key) in [("pod_cidrs", "podCidrs"), ("service_cidrs", "serviceCidrs")] {
        let items = texts(profile, name);
        if !items.is_empty() {
            out[key] = json!(items);
        }
    }
    if let Some(advanced) = expand_advanced_networking(profile, prior) {
        out["advancedNetworking"] = advanced;
    }
    Ok(out)
}

/// `validateKubernetesCluster`'s checks of the network profile and the service principal.
fn validate_cluster(planned: &Value, existing: Option<&Json>) -> Result<(), Diagnostics> {
    let invalid = |detail: &str| Err(error("Invalid Kubernetes Cluster", detail.to_string()));
    let profile = first(planned, "network_profile");
    if !profile.is_null() && !text(&profile, "network_plugin").is_empty() {
        let plugin = text(&profile, "network_plugin");
        let dns_ip = text(&profile, "dns_service_ip");
        let service_cidr_set = !text(&profile, "service_cidr").is_empty()
            || !texts(&profile, "service_cidrs").is_empty();
        if !text(&profile, "pod_cidr").is_empty()
            && plugin.eq_ignore_ascii_case("azure")
            && !text(&profile, "network_plugin_mode").eq_ignore_ascii_case("overlay")
        {
            return invalid("`pod_cidr` and `azure` cannot be set together unless specifying `network_plugin_mode` to `overlay`");
        }
        if (!dns_ip.is_empty() || service_cidr_set) && (dns_ip.is_empty() || !service_cidr_set) {
            return invalid(
                "`dns_service_ip` and `service_cidr` should all be empty or both should be set",
            );
        }
        let versions = texts(&profile, "ip_versions").len();
        if texts(&profile, "service_cidrs").len() == 2 && versions != 2 {
            return invalid("dual-stack networking must be enabled and `ip_versions` must be set to [\"IPv4\", \"IPv6\"] in order to specify multiple values in `service_cidrs`");
        }
        if texts(&profile, "pod_cidrs").len() == 2 && versions != 2 {
            return invalid("dual-stack networking must be enabled and `ip_versions` must be set to [\"IPv4\", \"IPv6\"] in order to specify multiple values in `pod_cidrs`");
        }
    }
    if !has_block(planned, "service_principal") {
        return Ok(());
    }
    let existing_client = existing.map(|c| jtext(c, "properties.servicePrincipalProfile.clientId"));
    match existing_client {
        None if has_block(planned, "identity") => invalid("a new cluster takes either an `identity` block or a `service_principal` block, not both"),
        Some(c) if c.eq_ignore_ascii_case("msi") => invalid("the cluster now authenticates with a Managed Identity, so its `service_principal` block must be removed"),
        _ => Ok(()),
    }
}

/// The add-on profiles azurerm sends (`expandKubernetesAddOns` for the add-ons supported
/// here): Azure Policy always, the others when they change.
fn expand_addons(planned: &Value, prior: &Value) -> Json {
    let mut out = json!({
        "azurepolicy": {"enabled": flag(planned, "azure_policy_enabled"), "config": {"version": "v2"}},
    });
    for (name, key) in [
        ("http_application_routing_enabled", "httpApplicationRouting"),
        ("open_service_mesh_enabled", "openServiceMesh"),
    ] {
        if flag(planned, name) != flag(prior, name) {
            out[key] = json!({"enabled": flag(planned, name)});
        }
    }
    out
}

fn expand_metrics_profile(cluster: &Value) -> Result<Json, Diagnostics> {
    let enabled = flag(cluster, "cost_analysis_enabled");
    let tier = text(cluster, "sku_tier");
    if enabled && tier != "Standard" && tier != "Premium" {
        return Err(error(
            "Invalid Kubernetes Cluster",
            "`sku_tier` must be either `Standard` or `Premium` when cost analysis is enabled",
        ));
    }
    Ok(json!({"costAnalysis": {"enabled": enabled}}))
}

/// The body of a new cluster (`resourceKubernetesClusterCreate`), after the mapped
/// `location`, `tags` and `edge_zone`.
fn expand_new_cluster(planned: &Value, body: &mut Json) -> Result<(), Diagnostics> {
    validate_cluster(planned, None)?;
    let null_prior = null();
    let pool = first(planned, "default_node_pool");
    let profile = expand_default_node_pool(&pool, true, false)?;
    let mut props = json!({
        "agentPoolProfiles": [profile],
        "addonProfiles": expand_addons(planned, &null_prior),
        "enableRBAC": attribute(planned, "role_based_access_control_enabled").as_bool().unwrap_or(true),
        "metricsProfile": expand_metrics_profile(planned)?,
        "disableLocalAccounts": flag(planned, "local_account_disabled"),
    });
    put_text(&mut props, "dnsPrefix", text(planned, "dns_prefix"));
    put_text(
        &mut props,
        "kubernetesVersion",
        text(planned, "kubernetes_version"),
    );
    put_text(
        &mut props,
        "nodeResourceGroup",
        text(planned, "node_resource_group"),
    );
    let network = first(planned, "network_profile");
    if !network.is_null() {
        props["networkProfile"] = expand_network_profile(&network, &null_prior)?;
    }
    let aad = first(planned, "azure_active_directory_role_based_access_control");
    if !aad.is_null() {
        props["aadProfile"] = expand_aad(&aad);
    }
    let linux = first(planned, "linux_profile");
    if !linux.is_null() {
        props["linuxProfile"] = expand_linux_profile(&linux);
    }
    let mut access = expand_api_access_profile(planned);
    if !flag(planned, "private_cluster_enabled") && text(planned, "dns_prefix").is_empty() {
        return Err(error(
            "Invalid Kubernetes Cluster",
            "`dns_prefix` should be set if it is not a private cluster",
        ));
    }
    // Auto-upgrade channels.
    let channel = text(planned, "automatic_upgrade_channel");
    let os_channel = text(planned, "node_os_upgrade_channel");
    if channel == "node-image" && !os_channel.is_empty() && os_channel != "NodeImage" {
        return Err(error("Invalid Kubernetes Cluster", "`node_os_upgrade_channel` cannot be set to a value other than `NodeImage` if `automatic_upgrade_channel` is set to `node-image`"));
    }
    props["autoUpgradeProfile"] = json!({
        "upgradeChannel": if channel.is_empty() { "none".to_string() } else { channel },
    });
    put_text(
        &mut props,
        "autoUpgradeProfile.nodeOSUpgradeChannel",
        os_channel,
    );
    // OIDC issuer: sent only when configured (azurerm 4.x lets Azure decide otherwise).
    let oidc = attribute(planned, "oidc_issuer_enabled");
    if let Some(enabled) = oidc.as_bool() {
        props["oidcIssuerProfile"] = json!({ "enabled": enabled });
    }
    // Security profile.
    let mut security = json!({});
    if flag(planned, "workload_identity_enabled") {
        if !oidc.as_bool().unwrap_or(false) {
            return Err(error(
                "Invalid Kubernetes Cluster",
                "`oidc_issuer_enabled` must be set to `true` to enable Azure AD Workload Identity",
            ));
        }
        security["workloadIdentity"] = json!({"enabled": true});
    }
    if flag(planned, "image_cleaner_enabled") {
        security["imageCleaner"] = json!({
            "enabled": true,
            "intervalHours": whole(planned, "image_cleaner_interval_hours"),
        });
    }
    let certificates = texts(planned, "custom_ca_trust_certificates_base64");
    if !certificates.is_empty() {
        security["customCATrustCertificates"] = json!(certificates);
    }
    props["securityProfile"] = security;
    let storage = first(planned, "storage_profile");
    if !storage.is_null() {
        props["storageProfile"] = expand_storage_profile(&storage);
    }
    let workload_autoscaler = first(planned, "workload_autoscaler_profile");
    if !workload_autoscaler.is_null() {
        props["workloadAutoScalerProfile"] = expand_workload_autoscaler(&workload_autoscaler);
    }
    if flag(planned, "ai_toolchain_operator_enabled") {
        props["aiToolchainOperatorProfile"] = json!({"enabled": true});
    }
    // Identity or service principal.
    let identity = first(planned, "identity");
    let principal = first(planned, "service_principal");
    if identity.is_null() && principal.is_null() {
        return Err(error(
            "Invalid Kubernetes Cluster",
            "either an `identity` or `service_principal` block must be specified for cluster authentication",
        ));
    }
    if !identity.is_null() {
        body["identity"] = expand_identity(&identity);
        props["servicePrincipalProfile"] = json!({"clientId": "msi"});
    }
    let kubelet = first(planned, "kubelet_identity");
    if !text(&kubelet, "user_assigned_identity_id").is_empty() {
        props["identityProfile"] = json!({"kubeletidentity": {
            "resourceId": text(&kubelet, "user_assigned_identity_id"),
            "clientId": text(&kubelet, "client_id"),
            "objectId": text(&kubelet, "object_id"),
        }});
    }
    if !principal.is_null() {
        props["servicePrincipalProfile"] = json!({
            "clientId": text(&principal, "client_id"),
            "secret": text(&principal, "client_secret"),
        });
    }
    let zone = text(planned, "private_dns_zone_id");
    if !zone.is_empty() {
        let user_assigned = text(&identity, "type") == "UserAssigned";
        if (identity.is_null() && principal.is_null())
            || (zone != "System" && zone != "None" && principal.is_null() && !user_assigned)
        {
            return Err(error("Invalid Kubernetes Cluster", "a user assigned identity or a service principal must be used when using a custom private dns zone"));
        }
        access["privateDNSZone"] = json!(zone);
    }
    let subdomain = text(planned, "dns_prefix_private_cluster");
    if !subdomain.is_empty() {
        let custom_zone = !zone.is_empty() && zone != "System" && zone != "None";
        if !flag(planned, "private_cluster_enabled") || !custom_zone {
            return Err(error("Invalid Kubernetes Cluster", "`dns_prefix_private_cluster` should only be set for private cluster with custom private dns zone"));
        }
        props["fqdnSubdomain"] = json!(subdomain);
    }
    props["apiServerAccessProfile"] = access;
    put_text(
        &mut props,
        "diskEncryptionSetID",
        text(planned, "disk_encryption_set_id"),
    );
    put_text(&mut props, "supportPlan", text(planned, "support_plan"));
    body["properties"] = props;
    body["sku"] = json!({"name": "Base", "tier": text(planned, "sku_tier")});
    Ok(())
}

fn expand_storage_profile(profile: &Value) -> Json {
    json!({
        "blobCSIDriver": {"enabled": flag(profile, "blob_driver_enabled")},
        "diskCSIDriver": {"enabled": flag(profile, "disk_driver_enabled")},
        "fileCSIDriver": {"enabled": flag(profile, "file_driver_enabled")},
        "snapshotController": {"enabled": flag(profile, "snapshot_controller_enabled")},
    })
}

fn expand_workload_autoscaler(profile: &Value) -> Json {
    json!({
        "keda": {"enabled": flag(profile, "keda_enabled")},
        "verticalPodAutoscaler": {"enabled": flag(profile, "vertical_pod_autoscaler_enabled")},
    })
}

// ---------------------------------------------------------------------------------------
// azurerm_kubernetes_cluster: flattening

/// The default node pool of a cluster's pools (`findDefaultNodePool`): the one named in the
/// state, else the temporary one or the first system pool.
fn find_default_pool<'a>(pools: &'a [Json], name: &str, temporary: &str) -> Option<&'a Json> {
    if !name.is_empty() {
        if let Some(pool) = pools.iter().find(|p| jtext(p, "name") == name) {
            return Some(pool);
        }
    }
    let system: Vec<&Json> = pools
        .iter()
        .filter(|p| !jtext(p, "name").is_empty() && jtext(p, "mode") == "System")
        .collect();
    system
        .iter()
        .find(|p| !temporary.is_empty() && jtext(p, "name") == temporary)
        .or_else(|| system.first())
        .copied()
}

fn flatten_upgrade_settings(settings: Option<&Json>, node_pool_resource: bool) -> Value {
    let def = upgrade_settings_def(node_pool_resource);
    let Some(settings) = settings.filter(|s| s.is_object()) else {
        return list_of(&def, vec![]);
    };
    let keys = [
        "maxSurge",
        "maxUnavailable",
        "drainTimeoutInMinutes",
        "nodeSoakDurationInMinutes",
        "undrainableNodeBehavior",
    ];
    if keys.iter().all(|k| json_get(settings, k).is_none()) {
        return list_of(&def, vec![]);
    }
    let meaningful = |key: &str| {
        let v = jtext(settings, key);
        if node_pool_resource && (v == "0" || v == "0%") {
            String::new()
        } else {
            v
        }
    };
    let mut pairs = vec![
        ("max_surge", Value::string(meaningful("maxSurge"))),
        (
            "drain_timeout_in_minutes",
            jint(settings, "drainTimeoutInMinutes").map_or(Value::int(0), Value::int),
        ),
        (
            "node_soak_duration_in_minutes",
            jint(settings, "nodeSoakDurationInMinutes").map_or(Value::int(0), Value::int),
        ),
        (
            "undrainable_node_behavior",
            Value::string(jtext(settings, "undrainableNodeBehavior")),
        ),
    ];
    if node_pool_resource {
        pairs.push((
            "max_unavailable",
            Value::string(meaningful("maxUnavailable")),
        ));
    }
    list_of(&def, vec![element(&def, pairs)])
}

/// The attributes both kinds of pool read alike from an agent pool profile.
fn flatten_pool_common(profile: &Json) -> Vec<(&'static str, Value)> {
    let int = |key: &str| Value::int(jint(profile, key).unwrap_or(0));
    let boolean = |key: &str| Value::Bool(jbool(profile, key).unwrap_or(false));
    let orchestrator = match jtext(profile, "orchestratorVersion") {
        v if v.is_empty() => jtext(profile, "currentOrchestratorVersion"),
        v => v,
    };
    let or_default = |key: &str, default: &str| match jtext(profile, key) {
        v if v.is_empty() => default.to_string(),
        v => v,
    };
    vec![
        ("auto_scaling_enabled", boolean("enableAutoScaling")),
        ("fips_enabled", boolean("enableFIPS")),
        (
            "gpu_instance",
            Value::string(jtext(profile, "gpuInstanceProfile")),
        ),
        (
            "gpu_driver",
            Value::string(jtext(profile, "gpuProfile.driver")),
        ),
        ("host_encryption_enabled", boolean("enableEncryptionAtHost")),
        (
            "host_group_id",
            Value::string(jtext(profile, "hostGroupID")),
        ),
        (
            "kubelet_disk_type",
            Value::string(jtext(profile, "kubeletDiskType")),
        ),
        ("max_count", int("maxCount")),
        ("max_pods", int("maxPods")),
        ("min_count", int("minCount")),
        ("node_count", int("count")),
        ("node_labels", string_map(json_get(profile, "nodeLabels"))),
        ("node_public_ip_enabled", boolean("enableNodePublicIP")),
        (
            "node_public_ip_prefix_id",
            Value::string(jtext(profile, "nodePublicIPPrefixID")),
        ),
        ("os_disk_size_gb", int("osDiskSizeGB")),
        (
            "os_disk_type",
            Value::string(or_default("osDiskType", "Managed")),
        ),
        ("os_sku", Value::string(jtext(profile, "osSKU"))),
        (
            "scale_down_mode",
            Value::string(or_default("scaleDownMode", "Delete")),
        ),
        (
            "snapshot_id",
            Value::string(jtext(profile, "creationData.sourceResourceId")),
        ),
        ("tags", string_map(json_get(profile, "tags"))),
        ("ultra_ssd_enabled", boolean("enableUltraSSD")),
        ("vm_size", Value::string(jtext(profile, "vmSize"))),
        (
            "pod_subnet_id",
            Value::string(jtext(profile, "podSubnetID")),
        ),
        ("orchestrator_version", Value::string(orchestrator)),
        (
            "proximity_placement_group_id",
            Value::string(jtext(profile, "proximityPlacementGroupID")),
        ),
        (
            "vnet_subnet_id",
            Value::string(jtext(profile, "vnetSubnetID")),
        ),
        ("zones", string_set(jtexts(profile, "availabilityZones"))),
        (
            "capacity_reservation_group_id",
            Value::string(jtext(profile, "capacityReservationGroupID")),
        ),
    ]
}

/// `default_node_pool` from the cluster's agent pool profiles (`FlattenDefaultNodePool`).
fn flatten_default_node_pool(props: &Json, previous: &Value) -> Value {
    let def = default_node_pool_def();
    let pools = json_get(props, "agentPoolProfiles")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let previous_pool = first(previous, "default_node_pool");
    let temporary = attribute(&previous_pool, "temporary_name_for_rotation");
    let Some(pool) = find_default_pool(
        &pools,
        &text(&previous_pool, "name"),
        temporary.as_str().unwrap_or_default(),
    ) else {
        return list_of(&def, vec![]);
    };
    let critical = json_get(pool, "nodeTaints")
        .and_then(Json::as_array)
        .is_some_and(|t| {
            t.iter().any(|t| {
                t.as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(CRITICAL_ADDONS_TAINT))
            })
        });
    let mut pairs = flatten_pool_common(pool);
    pairs.extend([
        ("name", Value::string(jtext(pool, "name"))),
        ("type", Value::string(jtext(pool, "type"))),
        (
            "workload_runtime",
            Value::string(jtext(pool, "workloadRuntime")),
        ),
        ("only_critical_addons_enabled", Value::Bool(critical)),
        (
            "temporary_name_for_rotation",
            if temporary.is_null() || !temporary.is_known() {
                Value::string("")
            } else {
                temporary
            },
        ),
        (
            "upgrade_settings",
            flatten_upgrade_settings(json_get(pool, "upgradeSettings"), false),
        ),
    ]);
    list_of(&def, vec![element(&def, pairs)])
}

fn flatten_network_profile(profile: Option<&Json>) -> Value {
    let def = network_profile_def();
    let Some(p) = profile.filter(|p| p.is_object()) else {
        return list_of(&def, vec![]);
    };
    let lb_def = load_balancer_profile_def();
    let load_balancer = match json_get(p, "loadBalancerProfile") {
        Some(lb) if lb.is_object() => {
            let mut pairs = vec![(
                "effective_outbound_ips",
                string_set(jrefs(lb, "effectiveOutboundIPs")),
            )];
            let ints = [
                ("outbound_ports_allocated", "allocatedOutboundPorts"),
                ("idle_timeout_in_minutes", "idleTimeoutInMinutes"),
                ("managed_outbound_ip_count", "managedOutboundIPs.count"),
                (
                    "managed_outbound_ipv6_count",
                    "managedOutboundIPs.countIPv6",
                ),
            ];
            for (name, key) in ints {
                pairs.push((name, Value::int(jint(lb, key).unwrap_or(0))));
            }
            pairs.push((
                "outbound_ip_address_ids",
                string_set(jrefs(lb, "outboundIPs.publicIPs")),
            ));
            pairs.push((
                "outbound_ip_prefix_ids",
                string_set(jrefs(lb, "outboundIPPrefixes.publicIPPrefixes")),
            ));
            pairs.push((
                "backend_pool_type",
                Value::string(jtext(lb, "backendPoolType")),
            ));
            vec![element(&lb_def, pairs)]
        }
        _ => vec![],
    };
    let nat_def = nat_gateway_profile_def();
    let nat_gateway = match json_get(p, "natGatewayProfile") {
        Some(ng) if ng.is_object() => vec![element(
            &nat_def,
            vec![
                (
                    "idle_timeout_in_minutes",
                    Value::int(jint(ng, "idleTimeoutInMinutes").unwrap_or(0)),
                ),
                (
                    "managed_outbound_ip_count",
                    Value::int(jint(ng, "managedOutboundIPProfile.count").unwrap_or(0)),
                ),
                (
                    "effective_outbound_ips",
                    string_set(jrefs(ng, "effectiveOutboundIPs")),
                ),
            ],
        )],
        _ => vec![],
    };
    let advanced_def = advanced_networking_def();
    let advanced = match json_get(p, "advancedNetworking") {
        Some(a) if jbool(a, "enabled") == Some(true) => vec![element(
            &advanced_def,
            vec![
                (
                    "observability_enabled",
                    Value::Bool(jbool(a, "observability.enabled").unwrap_or(false)),
                ),
                (
                    "security_enabled",
                    Value::Bool(jbool(a, "security.enabled").unwrap_or(false)),
                ),
            ],
        )],
        _ => vec![],
    };
    let policy = match jtext(p, "networkPolicy") {
        v if v == "none" => String::new(),
        v => v,
    };
    let sku = jtext(p, "loadBalancerSku").to_ascii_lowercase();
    let plugin_mode = if jtext(p, "networkPluginMode").eq_ignore_ascii_case("overlay") {
        "overlay"
    } else {
        ""
    };
    let data_plane = match jtext(p, "networkDataplane") {
        v if v.is_empty() && json_get(p, "networkDataplane").is_none() => "azure".to_string(),
        v => v,
    };
    let element = element(
        &def,
        vec![
            ("dns_service_ip", Value::string(jtext(p, "dnsServiceIP"))),
            ("network_data_plane", Value::string(data_plane)),
            ("load_balancer_sku", Value::string(sku)),
            ("load_balancer_profile", list_of(&lb_def, load_balancer)),
            ("nat_gateway_profile", list_of(&nat_def, nat_gateway)),
            ("ip_versions", string_list(jtexts(p, "ipFamilies"))),
            ("network_plugin", Value::string(jtext(p, "networkPlugin"))),
            ("network_plugin_mode", Value::string(plugin_mode)),
            ("network_mode", Value::string(jtext(p, "networkMode"))),
            ("network_policy", Value::string(policy)),
            ("pod_cidr", Value::string(jtext(p, "podCidr"))),
            ("pod_cidrs", string_list(jtexts(p, "podCidrs"))),
            ("service_cidr", Value::string(jtext(p, "serviceCidr"))),
            ("service_cidrs", string_list(jtexts(p, "serviceCidrs"))),
            ("outbound_type", Value::string(jtext(p, "outboundType"))),
            ("advanced_networking", list_of(&advanced_def, advanced)),
        ],
    );
    list_of(&def, vec![element])
}

/// `identity` (`FlattenSystemOrUserAssignedMap`): none for `None` or no identity.
fn flatten_identity(identity: Option<&Json>, def: &BlockDef) -> Value {
    let Some(identity) = identity.filter(|i| i.is_object()) else {
        return list_of(def, vec![]);
    };
    let kind = jtext(identity, "type");
    if kind.is_empty() || kind.eq_ignore_ascii_case("None") {
        return list_of(def, vec![]);
    }
    let ids: Vec<String> = json_get(identity, "userAssignedIdentities")
        .and_then(Json::as_object)
        .map(|m| m.keys().map(|k| normalize_identity_id(k)).collect())
        .unwrap_or_default();
    list_of(
        def,
        vec![element(
            def,
            vec![
                ("type", Value::string(kind)),
                ("identity_ids", string_set(ids)),
                (
                    "principal_id",
                    Value::string(jtext(identity, "principalId")),
                ),
                ("tenant_id", Value::string(jtext(identity, "tenantId"))),
            ],
        )],
    )
}

fn flatten_kubelet_identity(props: &Json) -> Value {
    let def = kubelet_identity_def();
    let Some(kubelet) = json_get(props, "identityProfile.kubeletidentity") else {
        return list_of(&def, vec![]);
    };
    let resource = jtext(kubelet, "resourceId");
    let resource = if resource.is_empty() {
        resource
    } else {
        normalize_identity_id(&resource)
    };
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                ("client_id", Value::string(jtext(kubelet, "clientId"))),
                ("object_id", Value::string(jtext(kubelet, "objectId"))),
                ("user_assigned_identity_id", Value::string(resource)),
            ],
        )],
    )
}

fn flatten_api_access_profile(profile: Option<&Json>) -> Value {
    let def = api_server_access_profile_def();
    let Some(p) = profile.filter(|p| {
        ["authorizedIPRanges", "enableVnetIntegration", "subnetId"]
            .iter()
            .any(|k| json_get(p, k).is_some())
    }) else {
        return list_of(&def, vec![]);
    };
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                (
                    "authorized_ip_ranges",
                    string_set(jtexts(p, "authorizedIPRanges")),
                ),
                (
                    "virtual_network_integration_enabled",
                    Value::Bool(jbool(p, "enableVnetIntegration").unwrap_or(false)),
                ),
                ("subnet_id", Value::string(jtext(p, "subnetId"))),
            ],
        )],
    )
}

fn flatten_linux_profile(profile: Option<&Json>) -> Value {
    let def = linux_profile_def();
    let Some(p) = profile.filter(|p| p.is_object()) else {
        return list_of(&def, vec![]);
    };
    let key_def = block_def(vec![string("key_data").required()], vec![]);
    let keys: Vec<Value> = json_get(p, "ssh.publicKeys")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .map(|k| {
                    element(
                        &key_def,
                        vec![("key_data", Value::string(jtext(k, "keyData")))],
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                ("admin_username", Value::string(jtext(p, "adminUsername"))),
                ("ssh_key", list_of(&key_def, keys)),
            ],
        )],
    )
}

fn flatten_aad(profile: Option<&Json>) -> Value {
    let def = aad_rbac_def();
    let Some(p) = profile.filter(|p| p.is_object()) else {
        return list_of(&def, vec![]);
    };
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                (
                    "admin_group_object_ids",
                    string_list(jtexts(p, "adminGroupObjectIDs")),
                ),
                ("tenant_id", Value::string(jtext(p, "tenantID"))),
                (
                    "azure_rbac_enabled",
                    Value::Bool(jbool(p, "enableAzureRBAC").unwrap_or(false)),
                ),
            ],
        )],
    )
}

/// `service_principal`: none for managed identities (`msi`); the secret, which ARM never
/// returns, from the previous state.
fn flatten_service_principal(props: &Json, previous: &Value) -> Value {
    let def = service_principal_def();
    let client = jtext(props, "servicePrincipalProfile.clientId");
    if json_get(props, "servicePrincipalProfile").is_none() || client.eq_ignore_ascii_case("msi") {
        return list_of(&def, vec![]);
    }
    let secret = text(&first(previous, "service_principal"), "client_secret");
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                ("client_id", Value::string(client)),
                ("client_secret", Value::string(secret)),
            ],
        )],
    )
}

fn flatten_storage_profile(profile: Option<&Json>) -> Value {
    let def = storage_profile_def();
    let Some(p) = profile.filter(|p| p.is_object()) else {
        return list_of(&def, vec![]);
    };
    let enabled = |key: &str, default: bool| {
        Value::Bool(jbool(p, &format!("{key}.enabled")).unwrap_or(default))
    };
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                ("blob_driver_enabled", enabled("blobCSIDriver", false)),
                ("disk_driver_enabled", enabled("diskCSIDriver", true)),
                ("file_driver_enabled", enabled("fileCSIDriver", true)),
                (
                    "snapshot_controller_enabled",
                    enabled("snapshotController", true),
                ),
            ],
        )],
    )
}

fn flatten_workload_autoscaler(profile: Option<&Json>) -> Value {
    let def = workload_autoscaler_profile_def();
    let Some(p) = profile.filter(|p| p.is_object()) else {
        return list_of(&def, vec![]);
    };
    let keda = jbool(p, "keda.enabled").unwrap_or(false);
    let vpa = jbool(p, "verticalPodAutoscaler.enabled").unwrap_or(false);
    if !keda && !vpa {
        return list_of(&def, vec![]);
    }
    list_of(
        &def,
        vec![element(
            &def,
            vec![
                ("keda_enabled", Value::Bool(keda)),
                ("vertical_pod_autoscaler_enabled", Value::Bool(vpa)),
            ],
        )],
    )
}

/// An add-on profile, found without regard to the case of its key (the portal changes it).
fn addon<'a>(props: &'a Json, key: &str) -> Option<&'a Json> {
    json_get(props, "addonProfiles")
        .and_then(Json::as_object)
        .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
        .map(|(_, v)| v)
}

fn addon_enabled(props: &Json, key: &str) -> bool {
    addon(props, key).and_then(|a| jbool(a, "enabled")) == Some(true)
}

/// The cluster's state from its ARM body (`resourceKubernetesClusterRead`, the credentials
/// apart).
fn flatten_cluster(body: &Json, state: &mut BTreeMap<String, Value>) {
    let previous = Value::object(state.clone());
    let empty = json!({});
    let props = body.get("properties").unwrap_or(&empty);
    let mut put = |name: &str, value: Value| {
        state.insert(name.to_string(), value);
    };
    let text_of = |path: &str| Value::string(jtext(props, path));
    put(
        "sku_tier",
        Value::string(match jtext(body, "sku.tier") {
            t if t.is_empty() => "Free".to_string(),
            t => t,
        }),
    );
    put("dns_prefix", text_of("dnsPrefix"));
    put("dns_prefix_private_cluster", text_of("fqdnSubdomain"));
    put("fqdn", text_of("fqdn"));
    put("private_fqdn", text_of("privateFQDN"));
    put("portal_fqdn", text_of("azurePortalFQDN"));
    put("disk_encryption_set_id", text_of("diskEncryptionSetID"));
    put("kubernetes_version", text_of("kubernetesVersion"));
    put(
        "current_kubernetes_version",
        text_of("currentKubernetesVersion"),
    );
    put(
        "local_account_disabled",
        Value::Bool(jbool(props, "disableLocalAccounts").unwrap_or(false)),
    );
    let node_rg = jtext(props, "nodeResourceGroup");
    let subscription = KUBERNETES_CLUSTER_ID
        .parse(&jtext(body, "id"), true)
        .ok()
        .and_then(|v| v.get("subscription_id").cloned())
        .unwrap_or_default();
    put(
        "node_resource_group_id",
        Value::string(format!(
            "/subscriptions/{subscription}/resourceGroups/{node_rg}"
        )),
    );
    put("node_resource_group", Value::string(node_rg));
    let channel = match jtext(props, "autoUpgradeProfile.upgradeChannel") {
        c if c == "none" => String::new(),
        c => c,
    };
    put("automatic_upgrade_channel", Value::string(channel));
    put(
        "node_os_upgrade_channel",
        text_of("autoUpgradeProfile.nodeOSUpgradeChannel"),
    );
    put(
        "custom_ca_trust_certificates_base64",
        string_list(jtexts(props, "securityProfile.customCATrustCertificates")),
    );
    let access = json_get(props, "apiServerAccessProfile");
    put(
        "api_server_access_profile",
        flatten_api_access_profile(access),
    );
    let access = access.cloned().unwrap_or(json!({}));
    let zone = match jtext(&access, "privateDNSZone") {
        z if z.eq_ignore_ascii_case("System") => "System".to_string(),
        z if z.eq_ignore_ascii_case("None") => "None".to_string(),
        z => z,
    };
    put("private_dns_zone_id", Value::string(zone));
    put(
        "private_cluster_enabled",
        Value::Bool(jbool(&access, "enablePrivateCluster").unwrap_or(false)),
    );
    put(
        "private_cluster_public_fqdn_enabled",
        Value::Bool(jbool(&access, "enablePrivateClusterPublicFQDN").unwrap_or(false)),
    );
    put(
        "run_command_enabled",
        Value::Bool(!jbool(&access, "disableRunCommand").unwrap_or(false)),
    );
    if json_get(props, "addonProfiles").is_some() {
        put(
            "azure_policy_enabled",
            Value::Bool(addon_enabled(props, "azurepolicy")),
        );
        put(
            "http_application_routing_enabled",
            Value::Bool(addon_enabled(props, "httpApplicationRouting")),
        );
        let zone_name = addon(props, "httpApplicationRouting")
            .filter(|_| addon_enabled(props, "httpApplicationRouting"))
            .and_then(|a| a.get("config"))
            .and_then(Json::as_object)
            .and_then(|c| {
                c.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("HTTPApplicationRoutingZoneName"))
            })
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
            .to_string();
        put(
            "http_application_routing_zone_name",
            Value::string(zone_name),
        );
        put(
            "open_service_mesh_enabled",
            Value::Bool(addon_enabled(props, "openServiceMesh")),
        );
    }
    put(
        "default_node_pool",
        flatten_default_node_pool(props, &previous),
    );
    put("kubelet_identity", flatten_kubelet_identity(props));
    put(
        "linux_profile",
        flatten_linux_profile(json_get(props, "linuxProfile")),
    );
    put(
        "network_profile",
        flatten_network_profile(json_get(props, "networkProfile")),
    );
    put(
        "cost_analysis_enabled",
        Value::Bool(jbool(props, "metricsProfile.costAnalysis.enabled").unwrap_or(false)),
    );
    put(
        "role_based_access_control_enabled",
        Value::Bool(jbool(props, "enableRBAC").unwrap_or(true)),
    );
    put(
        "azure_active_directory_role_based_access_control",
        flatten_aad(json_get(props, "aadProfile")),
    );
    put(
        "service_principal",
        flatten_service_principal(props, &previous),
    );
    put(
        "storage_profile",
        flatten_storage_profile(json_get(props, "storageProfile")),
    );
    put(
        "workload_autoscaler_profile",
        flatten_workload_autoscaler(json_get(props, "workloadAutoScalerProfile")),
    );
    put(
        "ai_toolchain_operator_enabled",
        Value::Bool(jbool(props, "aiToolchainOperatorProfile.enabled").unwrap_or(false)),
    );
    if let Some(enabled) = jbool(props, "securityProfile.imageCleaner.enabled") {
        put("image_cleaner_enabled", Value::Bool(enabled));
    }
    if let Some(hours) = jint(props, "securityProfile.imageCleaner.intervalHours") {
        put("image_cleaner_interval_hours", Value::int(hours));
    }
    put(
        "oidc_issuer_enabled",
        Value::Bool(jbool(props, "oidcIssuerProfile.enabled").unwrap_or(false)),
    );
    put("oidc_issuer_url", text_of("oidcIssuerProfile.issuerURL"));
    put(
        "workload_identity_enabled",
        Value::Bool(jbool(props, "securityProfile.workloadIdentity.enabled").unwrap_or(false)),
    );
    put("support_plan", text_of("supportPlan"));
    put(
        "identity",
        flatten_identity(body.get("identity"), &identity_def()),
    );
}

// ---------------------------------------------------------------------------------------
// azurerm_kubernetes_cluster

/// `azurerm_kubernetes_cluster`.
pub struct KubernetesCluster {
    def: ResourceDef,
}

impl KubernetesCluster {
    pub fn new() -> KubernetesCluster {
        KubernetesCluster {
            def: ResourceDef {
                name: "azurerm_kubernetes_cluster",
                schema_version: 2,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        location(),
                        resource_group_name(),
                        string("automatic_upgrade_channel").optional(),
                        boolean("cost_analysis_enabled").optional(),
                        list_of_strings("custom_ca_trust_certificates_base64").optional(),
                        string("disk_encryption_set_id").optional().force_new(),
                        string("dns_prefix").optional().force_new(),
                        string("dns_prefix_private_cluster").optional().force_new(),
                        edge_zone(),
                        string("fqdn").computed(),
                        boolean("image_cleaner_enabled").optional(),
                        number("image_cleaner_interval_hours").optional(),
                        kube_config_attr("kube_admin_config"),
                        string("kube_admin_config_raw").computed().sensitive(),
                        kube_config_attr("kube_config"),
                        string("kube_config_raw").computed().sensitive(),
                        string("kubernetes_version").optional().computed(),
                        boolean("local_account_disabled").optional(),
                        string("node_os_upgrade_channel")
                            .optional()
                            .default("NodeImage"),
                        string("node_resource_group")
                            .optional()
                            .computed()
                            .force_new(),
                        string("current_kubernetes_version").computed(),
                        string("node_resource_group_id").computed(),
                        boolean("oidc_issuer_enabled").optional().computed(),
                        string("oidc_issuer_url").computed(),
                        string("private_fqdn").computed(),
                        string("portal_fqdn").computed(),
                        boolean("private_cluster_enabled")
                            .optional()
                            .force_new()
                            .default(false),
                        boolean("private_cluster_public_fqdn_enabled")
                            .optional()
                            .default(false),
                        string("private_dns_zone_id")
                            .optional()
                            .computed()
                            .force_new(),
                        boolean("role_based_access_control_enabled")
                            .optional()
                            .default(true)
                            .force_new(),
                        boolean("run_command_enabled").optional().default(true),
                        string("sku_tier").optional().default("Free"),
                        string("support_plan")
                            .optional()
                            .default("KubernetesOfficial"),
                        tags(),
                        boolean("ai_toolchain_operator_enabled")
                            .optional()
                            .default(false),
                        boolean("workload_identity_enabled")
                            .optional()
                            .default(false),
                        boolean("azure_policy_enabled").optional(),
                        boolean("http_application_routing_enabled").optional(),
                        string("http_application_routing_zone_name").computed(),
                        boolean("open_service_mesh_enabled").optional(),
                    ],
                    vec![
                        block("api_server_access_profile", api_server_access_profile_def()).max(1),
                        block(
                            "azure_active_directory_role_based_access_control",
                            aad_rbac_def(),
                        )
                        .max(1),
                        block("default_node_pool", default_node_pool_def())
                            .min(1)
                            .max(1),
                        identity(),
                        block("kubelet_identity", kubelet_identity_def())
                            .max(1)
                            .computed(),
                        block("linux_profile", linux_profile_def()).max(1),
                        block("network_profile", network_profile_def())
                            .max(1)
                            .computed(),
                        block("service_principal", service_principal_def()).max(1),
                        block("storage_profile", storage_profile_def()).max(1),
                        block(
                            "workload_autoscaler_profile",
                            workload_autoscaler_profile_def(),
                        )
                        .max(1),
                    ],
                ),
                api_version: API_VERSION,
                id: KUBERNETES_CLUSTER_ID,
                timeouts: Timeouts::minutes(90, 5, Some(90), 90),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The state with the cluster's kubeconfigs read.
    async fn with_credentials(&self, ctx: &Ctx<'_>, state: Value) -> Result<Value, Diagnostics> {
        let mut attrs = state.as_mapping().cloned().unwrap_or_default();
        let id = text(&state, "id");
        read_credentials(
            ctx,
            &id,
            has_block(&state, "azure_active_directory_role_based_access_control"),
            flag(&state, "local_account_disabled"),
            timeout(&state, "read", self.def.timeouts.read),
            &mut attrs,
        )
        .await?;
        Ok(Value::object(attrs))
    }

    /// Updates the default node pool through the agent pools API, cycling it through
    /// `temporary_name_for_rotation` when a property AKS cannot change in place changed.
    async fn update_default_node_pool(
        &self,
        ctx: &Ctx<'_>,
        cluster_id: &str,
        prior: &Value,
        planned: &Value,
        update_timeout: Duration,
    ) -> Result<(), Diagnostics> {
        let old_pool = first(prior, "default_node_pool");
        let pool = first(planned, "default_node_pool");
        let pool_changed =
            |name: &str| differs(&attribute(&old_pool, name), &attribute(&pool, name));
        let profile = expand_default_node_pool(&pool, false, pool_changed("node_count"))?;
        let name = text(&pool, "name");
        let pool_id = format!("{cluster_id}/agentPools/{name}");
        let mut properties = profile;
        json_remove(&mut properties, "name");
        let body = json!({ "properties": properties });
        let mut cycle = CYCLED_DEFAULT_POOL_PROPERTIES
            .iter()
            .any(|p| pool_changed(p));
        if pool_changed("os_sku") {
            cycle |= !migratable_os_sku(&text(&old_pool, "os_sku"))
                || !migratable_os_sku(&text(&pool, "os_sku"));
        }
        if cycle {
            let temporary = text(&pool, "temporary_name_for_rotation");
            if temporary.is_empty() {
                return Err(error(
                    "Error updating the default node pool",
                    format!("`temporary_name_for_rotation` must be specified when updating any of the following properties {:?}", CYCLED_DEFAULT_POOL_PROPERTIES.iter().map(|p| format!("default_node_pool.0.{p}")).collect::<Vec<_>>()),
                ));
            }
            cycle_pool(ctx, cluster_id, &pool_id, &temporary, &body, update_timeout).await
        } else {
            ctx.client
                .put(&pool_id, API_VERSION, &[], &body, update_timeout)
                .await
                .map(drop)
                .map_err(|e| e.diagnostics("updating the Default Node Pool", &pool_id))
        }
    }
}

/// `validate.KubernetesAgentPoolName`: a lowercase letter, then up to 11 lowercase letters
/// and digits.
fn valid_pool_name(name: &str) -> bool {
    (1..=12).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// `validate.KubernetesDNSPrefix`: 1 to 54 letters, digits and hyphens, starting and ending
/// with a letter or digit.
fn valid_dns_prefix(prefix: &str) -> bool {
    (1..=54).contains(&prefix.len())
        && prefix.starts_with(|c: char| c.is_ascii_alphanumeric())
        && prefix.ends_with(|c: char| c.is_ascii_alphanumeric())
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Checks the known string arguments `names` of `object` with `valid`.
fn check_names(object: &Value, names: &[&str], valid: fn(&str) -> bool, rule: &str) -> Diagnostics {
    let mut out = Diagnostics::new();
    for name in names {
        if let Some(value) = attribute(object, name).as_str() {
            if !valid(value) {
                out.extend(error(
                    format!("Invalid {name}"),
                    format!("the {name:?} {rule}, got {value:?}"),
                ));
            }
        }
    }
    out
}

const POOL_NAME_RULE: &str = "must begin with a lowercase letter, contain only lowercase letters and numbers and be between 1 and 12 characters in length";

/// Whether AKS migrates an OS SKU in place (Ubuntu and Azure Linux).
fn migratable_os_sku(sku: &str) -> bool {
    sku.starts_with("Ubuntu") || sku.starts_with("AzureLinux")
}

/// Recreates an agent pool with new properties, keeping the cluster's capacity through a
/// temporary pool: create the temporary pool (unless a failed attempt left it), delete the
/// pool, create it anew, delete the temporary pool.
async fn cycle_pool(
    ctx: &Ctx<'_>,
    cluster_id: &str,
    pool_id: &str,
    temporary: &str,
    body: &Json,
    update_timeout: Duration,
) -> Result<(), Diagnostics> {
    let temporary_id = format!("{cluster_id}/agentPools/{temporary}");
    let mut body = body.clone();
    json_remove(&mut body, "properties.nodeImageVersion");
    let temporary_exists = ctx
        .client
        .get(&temporary_id, API_VERSION)
        .await
        .map_err(|e| e.diagnostics("checking for the temporary", &temporary_id))?
        .is_some();
    let pool_exists = ctx
        .client
        .get(pool_id, API_VERSION)
        .await
        .map_err(|e| e.diagnostics("checking for", pool_id))?
        .is_some();
    if !temporary_exists {
        ctx.client
            .put(&temporary_id, API_VERSION, &[], &body, update_timeout)
            .await
            .map_err(|e| e.diagnostics("creating the temporary", &temporary_id))?;
    }
    if pool_exists {
        ctx.client
            .delete(pool_id, API_VERSION, update_timeout)
            .await
            .map_err(|e| e.diagnostics("deleting", pool_id))?;
    }
    ctx.client
        .put(pool_id, API_VERSION, &[], &body, update_timeout)
        .await
        .map_err(|e| e.diagnostics("creating", pool_id))?;
    ctx.client
        .delete(&temporary_id, API_VERSION, update_timeout)
        .await
        .map_err(|e| e.diagnostics("deleting the temporary", &temporary_id))
}

/// Requires replacement at `path` (as `pluginsdk.ForceNewIfChange` does).
fn force_new_at(plan: &mut PlanContext<'_>, path: &[&str]) {
    let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    if !plan.requires_replace.contains(&path) {
        plan.requires_replace.push(path);
    }
}

/// The cluster's `CustomizeDiff`, and the force-new arguments of its nested blocks.
fn customize_cluster_plan(plan: &mut PlanContext<'_>) {
    let planned = Value::object(plan.planned.clone());
    let prior = plan.prior.clone();
    if plan.creating() {
        return;
    }
    let old = |path: &[&str]| value_at(&prior, path);
    let new = |path: &[&str]| value_at(&planned, path);
    let changed = |path: &[&str]| differs(&old(path), &new(path));
    let old_text = |path: &[&str]| old(path).as_str().unwrap_or_default().to_string();
    let new_text = |path: &[&str]| new(path).as_str().unwrap_or_default().to_string();
    let mut replace: Vec<Vec<&str>> = Vec::new();

    // The default node pool.
    let pool = ["default_node_pool", "0"];
    let at = |base: &[&'static str], name: &'static str| -> Vec<&'static str> {
        let mut p = base.to_vec();
        p.push(name);
        p
    };
    for name in [
        "type",
        "capacity_reservation_group_id",
        "gpu_instance",
        "gpu_driver",
        "node_public_ip_prefix_id",
        "proximity_placement_group_id",
        "host_group_id",
    ] {
        if changed(&at(&pool, name)) {
            replace.push(at(&pool, name));
        }
    }
    let name_path = at(&pool, "name");
    if changed(&name_path) {
        let old_name = old_text(&name_path);
        let temporary = new_text(&at(&pool, "temporary_name_for_rotation"));
        if old_name.is_empty() || old_name != temporary {
            replace.push(name_path);
        }
    }
    let settings = ["default_node_pool", "0", "upgrade_settings", "0"];
    let drain = at(&settings, "drain_timeout_in_minutes");
    if changed(&drain)
        && old(&drain)
            .as_number()
            .and_then(|n| n.to_i64())
            .unwrap_or(0)
            != 0
        && new(&drain)
            .as_number()
            .and_then(|n| n.to_i64())
            .unwrap_or(0)
            == 0
    {
        replace.push(drain);
    }
    let undrainable = at(&settings, "undrainable_node_behavior");
    if changed(&undrainable)
        && !old_text(&undrainable).is_empty()
        && new_text(&undrainable).is_empty()
    {
        replace.push(undrainable);
    }

    // OIDC cannot be disabled; its URL is recomputed when it changes.
    if changed(&["oidc_issuer_enabled"]) {
        if old(&["oidc_issuer_enabled"]).as_bool() == Some(true)
            && new(&["oidc_issuer_enabled"]).as_bool() != Some(true)
        {
            replace.push(vec!["oidc_issuer_enabled"]);
        }
        plan.planned
            .insert("oidc_issuer_url".into(), Value::Unknown(Type::String));
    }

    // A managed identity cannot become a service principal.
    let client = ["service_principal", "0", "client_id"];
    if changed(&client) && (old_text(&client).is_empty() || old_text(&client) == "msi") {
        replace.push(client.to_vec());
    }
    let api_subnet = ["api_server_access_profile", "0", "subnet_id"];
    if changed(&api_subnet) && !old_text(&api_subnet).is_empty() && new_text(&api_subnet).is_empty()
    {
        replace.push(api_subnet.to_vec());
    }

    // The network profile.
    let old_profiles = attribute(&prior, "network_profile").len().unwrap_or(0);
    let new_profiles = attribute(&planned, "network_profile").len().unwrap_or(0);
    if attribute(&planned, "network_profile").is_known() && old_profiles != new_profiles {
        replace.push(vec!["network_profile"]);
    }
    let np = ["network_profile", "0"];
    for name in [
        "network_mode",
        "dns_service_ip",
        "service_cidr",
        "service_cidrs",
        "load_balancer_sku",
        "ip_versions",
    ] {
        if changed(&at(&np, name)) && new(&at(&np, name)).is_known() {
            replace.push(at(&np, name));
        }
    }
    let plugin = at(&np, "network_plugin");
    if changed(&plugin) {
        let overlay_migration = old_text(&plugin) == "kubenet"
            && new_text(&plugin) == "azure"
            && new_text(&at(&np, "network_plugin_mode")).eq_ignore_ascii_case("overlay");
        if !overlay_migration {
            replace.push(plugin);
        }
    }
    let data_plane = at(&np, "network_data_plane");
    if changed(&data_plane) {
        let (o, n) = (old_text(&data_plane), new_text(&data_plane));
        let in_place = o.is_empty() || (o == "azure" && n == "cilium");
        if !in_place {
            replace.push(data_plane);
        }
    }
    let plugin_mode = at(&np, "network_plugin_mode");
    if changed(&plugin_mode) && !new_text(&plugin_mode).eq_ignore_ascii_case("overlay") {
        replace.push(plugin_mode);
    }
    let policy = at(&np, "network_policy");
    if changed(&policy) && new(&policy).is_known() {
        let (o, n) = (old_text(&policy), new_text(&policy));
        let in_place = o.is_empty() || (n == "cilium" && (o == "azure" || o == "calico"));
        if !in_place {
            replace.push(policy);
        }
    }
    for name in ["pod_cidr", "pod_cidrs"] {
        let path = at(&np, name);
        if changed(&path) && new(&path).is_known() && !super_is_empty(&old(&path)) {
            replace.push(path);
        }
    }
    for name in ["load_balancer_profile", "nat_gateway_profile"] {
        let path = at(&np, name);
        let (o, n) = (old(&path), new(&path));
        if n.is_known() && o.len().unwrap_or(0) != n.len().unwrap_or(0) {
            replace.push(path);
        }
    }

    // The kubelet identity and the Linux profile.
    for name in ["client_id", "object_id", "user_assigned_identity_id"] {
        let path = vec!["kubelet_identity", "0", name];
        if changed(&path) && new(&path).is_known() {
            replace.push(path);
        }
    }
    for path in [
        vec!["linux_profile", "0", "admin_username"],
        vec!["linux_profile", "0", "ssh_key", "0", "key_data"],
    ] {
        if changed(&path) {
            replace.push(path);
        }
    }
    for path in replace {
        force_new_at(plan, &path);
    }
}

/// Whether a value is null, `""` or an empty collection.
fn super_is_empty(value: &Value) -> bool {
    value.is_null()
        || value.as_str() == Some("")
        || (value.is_known() && value.ty().is_collection() && value.is_empty())
}

#[async_trait::async_trait]
impl ResourceType for KubernetesCluster {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let configured = |name: &str| {
            let v = attribute(config, name);
            !v.is_known() || (!v.is_null() && v.as_str() != Some(""))
        };
        let configured_block = |name: &str| {
            let v = attribute(config, name);
            !v.is_known() || v.as_seq().is_some_and(|s| !s.is_empty())
        };
        if configured("dns_prefix") == configured("dns_prefix_private_cluster") {
            return error(
                "Invalid combination of arguments",
                "exactly one of `dns_prefix` and `dns_prefix_private_cluster` must be specified",
            );
        }
        if configured_block("identity") == configured_block("service_principal") {
            return error(
                "Invalid combination of arguments",
                "exactly one of `identity` and `service_principal` must be specified",
            );
        }
        let mut names = check_names(
            config,
            &["dns_prefix"],
            valid_dns_prefix,
            "must begin and end with a letter or number, contain only letters, numbers, and hyphens and be between 1 and 54 characters in length",
        );
        names.extend(check_names(
            &first(config, "default_node_pool"),
            &["name", "temporary_name_for_rotation"],
            valid_pool_name,
            POOL_NAME_RULE,
        ));
        if names.has_errors() {
            return names;
        }
        let aad = first(config, "azure_active_directory_role_based_access_control");
        if !aad.is_null()
            && attribute(&aad, "tenant_id").is_null()
            && attribute(&aad, "admin_group_object_ids").is_null()
        {
            return error(
                "Invalid combination of arguments",
                "one of `azure_active_directory_role_based_access_control.0.admin_group_object_ids` and `azure_active_directory_role_based_access_control.0.tenant_id` must be specified",
            );
        }
        Diagnostics::new()
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        customize_cluster_plan(plan);
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        expand_new_cluster(change.planned, body)
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        flatten_cluster(body, state);
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let state = flow::create(self, ctx, planned).await?;
        self.with_credentials(ctx, state).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        match flow::read(self, ctx, state).await? {
            Some(state) => Ok(Some(self.with_credentials(ctx, state).await?)),
            None => Ok(None),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let (id, id_values) = stored_id(self, prior)?;
        let update_timeout = timeout(
            planned,
            "update",
            self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
        );
        let get = || async {
            ctx.client
                .get(&id, API_VERSION)
                .await
                .map_err(|e| e.diagnostics("retrieving", &id))?
                .ok_or_else(|| error("Resource not found", format!("{id} was not found")))
        };
        let mut existing = get().await?;
        validate_cluster(planned, Some(&existing))?;
        let changed = |name: &str| !attribute(prior, name).raw_equal(&attribute(planned, name));
        let blank_identity_details = |body: &mut Json| {
            if let Some(Json::Object(ids)) = body.pointer_mut("/identity/userAssignedIdentities") {
                for details in ids.values_mut() {
                    *details = json!({});
                }
            }
        };
        blank_identity_details(&mut existing);
        if changed("service_principal") && !changed("identity") {
            let principal = first(planned, "service_principal");
            let reset = json!({
                "clientId": text(&principal, "client_id"),
                "secret": text(&principal, "client_secret"),
            });
            ctx.client
                .post(
                    &format!("{id}/resetServicePrincipalProfile"),
                    API_VERSION,
                    Some(&reset),
                    update_timeout,
                )
                .await
                .map_err(|e| e.diagnostics("updating the Service Principal of", &id))?;
            existing = get().await?;
            blank_identity_details(&mut existing);
        }
        let mut update_cluster = false;
        if changed("azure_active_directory_role_based_access_control") {
            let aad = first(planned, "azure_active_directory_role_based_access_control");
            if aad.is_null() {
                ctx.client
                    .post(
                        &format!("{id}/resetAADProfile"),
                        API_VERSION,
                        Some(&json!({})),
                        update_timeout,
                    )
                    .await
                    .map_err(|e| e.diagnostics("updating the AAD Profile of", &id))?;
            } else {
                write(
                    &mut update_cluster,
                    &mut existing,
                    "properties.aadProfile",
                    expand_aad(&aad),
                );
            }
        }
        if [
            "azure_policy_enabled",
            "http_application_routing_enabled",
            "open_service_mesh_enabled",
        ]
        .iter()
        .any(|n| changed(n))
        {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.addonProfiles",
                expand_addons(planned, prior),
            );
        }
        if [
            "run_command_enabled",
            "private_cluster_public_fqdn_enabled",
            "api_server_access_profile",
        ]
        .iter()
        .any(|n| changed(n))
        {
            let mut access = expand_api_access_profile(planned);
            if let Some(zone) = json_get(
                &existing,
                "properties.apiServerAccessProfile.privateDNSZone",
            ) {
                access["privateDNSZone"] = zone.clone();
            }
            write(
                &mut update_cluster,
                &mut existing,
                "properties.apiServerAccessProfile",
                access,
            );
        }
        if changed("linux_profile") {
            let linux = first(planned, "linux_profile");
            if linux.is_null() {
                json_remove(&mut existing, "properties.linuxProfile");
                update_cluster = true;
            } else {
                write(
                    &mut update_cluster,
                    &mut existing,
                    "properties.linuxProfile",
                    expand_linux_profile(&linux),
                );
            }
        }
        if changed("local_account_disabled") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.disableLocalAccounts",
                json!(flag(planned, "local_account_disabled")),
            );
        }
        if changed("cost_analysis_enabled") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.metricsProfile",
                expand_metrics_profile(planned)?,
            );
        }
        if changed("network_profile") {
            let old = first(prior, "network_profile");
            let new = first(planned, "network_profile");
            let mut network = json_get(&existing, "properties.networkProfile")
                .cloned()
                .ok_or_else(|| {
                    error(
                        "Error updating the Kubernetes Cluster",
                        format!("updating {id}: `network_profile` was nil"),
                    )
                })?;
            update_network_profile(&old, &new, &mut network);
            write(
                &mut update_cluster,
                &mut existing,
                "properties.networkProfile",
                network,
            );
        }
        if changed("tags") {
            let tags = string_map_json(planned, "tags");
            write(&mut update_cluster, &mut existing, "tags", tags);
        }
        if changed("identity") {
            write(
                &mut update_cluster,
                &mut existing,
                "identity",
                expand_identity(&first(planned, "identity")),
            );
        }
        if changed("sku_tier") {
            if json_get(&existing, "sku.name").is_none() {
                json_set(&mut existing, "sku.name", json!("Base"));
            }
            let tier = match text(planned, "sku_tier") {
                t if t.is_empty() => "Free".to_string(),
                t => t,
            };
            write(&mut update_cluster, &mut existing, "sku.tier", json!(tier));
        }
        if changed("automatic_upgrade_channel") {
            let channel = match text(planned, "automatic_upgrade_channel") {
                c if c.is_empty() => "none".to_string(),
                c => c,
            };
            write(
                &mut update_cluster,
                &mut existing,
                "properties.autoUpgradeProfile.upgradeChannel",
                json!(channel),
            );
        }
        if changed("node_os_upgrade_channel") {
            let os_channel = text(planned, "node_os_upgrade_channel");
            if text(planned, "automatic_upgrade_channel") == "node-image"
                && os_channel != "NodeImage"
            {
                return Err(error("Invalid Kubernetes Cluster", "`node_os_upgrade_channel` must be set to `NodeImage` if `automatic_upgrade_channel` is set to `node-image`"));
            }
            write(
                &mut update_cluster,
                &mut existing,
                "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
                json!(os_channel),
            );
        }
        if changed("oidc_issuer_enabled") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.oidcIssuerProfile",
                json!({"enabled": flag(planned, "oidc_issuer_enabled")}),
            );
        }
        if changed("custom_ca_trust_certificates_base64") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.securityProfile.customCATrustCertificates",
                json!(texts(planned, "custom_ca_trust_certificates_base64")),
            );
        }
        if changed("storage_profile") {
            let storage = first(planned, "storage_profile");
            write(
                &mut update_cluster,
                &mut existing,
                "properties.storageProfile",
                if storage.is_null() {
                    json!(null)
                } else {
                    expand_storage_profile(&storage)
                },
            );
        }
        if changed("workload_autoscaler_profile") {
            let profile = first(planned, "workload_autoscaler_profile");
            let value = if profile.is_null() {
                json!({"keda": {"enabled": false}})
            } else {
                expand_workload_autoscaler(&profile)
            };
            write(
                &mut update_cluster,
                &mut existing,
                "properties.workloadAutoScalerProfile",
                value,
            );
        }
        if changed("ai_toolchain_operator_enabled") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.aiToolchainOperatorProfile",
                json!({"enabled": flag(planned, "ai_toolchain_operator_enabled")}),
            );
        }
        if changed("workload_identity_enabled") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.securityProfile.workloadIdentity",
                json!({"enabled": flag(planned, "workload_identity_enabled")}),
            );
        }
        if changed("image_cleaner_enabled") || changed("image_cleaner_interval_hours") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.securityProfile.imageCleaner",
                json!({
                    "enabled": flag(planned, "image_cleaner_enabled"),
                    "intervalHours": whole(planned, "image_cleaner_interval_hours"),
                }),
            );
        }
        if changed("support_plan") {
            write(
                &mut update_cluster,
                &mut existing,
                "properties.supportPlan",
                json!(text(planned, "support_plan")),
            );
        }
        if update_cluster {
            ctx.client
                .put(&id, API_VERSION, &[], &existing, update_timeout)
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
        }
        if changed("kubernetes_version") {
            let mut current = get().await?;
            blank_identity_details(&mut current);
            json_set(
                &mut current,
                "properties.kubernetesVersion",
                json!(text(planned, "kubernetes_version")),
            );
            ctx.client
                .put(&id, API_VERSION, &[], &current, update_timeout)
                .await
                .map_err(|e| e.diagnostics("updating the Kubernetes Version of", &id))?;
        }
        if changed("default_node_pool") {
            self.update_default_node_pool(ctx, &id, prior, planned, update_timeout)
                .await?;
        }
        let body = get().await?;
        let state = state_from_body(self, &id, &id_values, &body, planned);
        self.with_credentials(ctx, state).await
    }
}

/// Writes a change into a cluster body and notes that the cluster is to be updated.
fn write(updated: &mut bool, body: &mut Json, path: &str, value: Json) {
    json_set(body, path, value);
    *updated = true;
}

/// The network profile's changes written over the one ARM has (as azurerm's update does).
fn update_network_profile(old: &Value, new: &Value, network: &mut Json) {
    let changed = |name: &str| differs(&attribute(old, name), &attribute(new, name));
    let old_lb = first(old, "load_balancer_profile");
    let new_lb = first(new, "load_balancer_profile");
    let lb_changed = |name: &str| differs(&attribute(&old_lb, name), &attribute(&new_lb, name));
    if let Some(lb) = network
        .get_mut("loadBalancerProfile")
        .filter(|l| l.is_object())
    {
        if lb_changed("idle_timeout_in_minutes") {
            lb["idleTimeoutInMinutes"] = json!(whole(&new_lb, "idle_timeout_in_minutes"));
        }
        let only = |lb: &mut Json, key: &str, value: Json| {
            if let Json::Object(map) = lb {
                map.remove("managedOutboundIPs");
                map.remove("outboundIPs");
                map.remove("outboundIPPrefixes");
                map.insert(key.to_string(), value);
            }
        };
        if lb_changed("managed_outbound_ip_count") {
            only(
                lb,
                "managedOutboundIPs",
                json!({"count": whole(&new_lb, "managed_outbound_ip_count")}),
            );
        }
        if lb_changed("managed_outbound_ipv6_count") {
            let mut managed = lb.get("managedOutboundIPs").cloned().unwrap_or(json!({}));
            managed["countIPv6"] = json!(whole(&new_lb, "managed_outbound_ipv6_count"));
            only(lb, "managedOutboundIPs", managed);
        }
        for (name, key, inner) in [
            ("outbound_ip_address_ids", "outboundIPs", "publicIPs"),
            (
                "outbound_ip_prefix_ids",
                "outboundIPPrefixes",
                "publicIPPrefixes",
            ),
        ] {
            if lb_changed(name) {
                let ids = texts(&new_lb, name);
                if ids.is_empty() {
                    only(lb, "managedOutboundIPs", json!({"count": 1}));
                } else {
                    let refs: Vec<Json> = ids.into_iter().map(|id| json!({"id": id})).collect();
                    only(lb, key, json!({ inner: refs }));
                }
            }
        }
        if lb_changed("outbound_ports_allocated") {
            lb["allocatedOutboundPorts"] = json!(whole(&new_lb, "outbound_ports_allocated"));
        }
        if lb_changed("backend_pool_type") {
            lb["backendPoolType"] = json!(text(&new_lb, "backend_pool_type"));
        }
        if changed("network_policy") {
            network["networkPolicy"] = json!(text(new, "network_policy"));
        }
    }
    let old_nat = first(old, "nat_gateway_profile");
    let new_nat = first(new, "nat_gateway_profile");
    let nat_changed = |name: &str| differs(&attribute(&old_nat, name), &attribute(&new_nat, name));
    if let Some(nat) = network
        .get_mut("natGatewayProfile")
        .filter(|n| n.is_object())
    {
        if nat_changed("idle_timeout_in_minutes") {
            nat["idleTimeoutInMinutes"] = json!(whole(&new_nat, "idle_timeout_in_minutes"));
        }
        if nat_changed("managed_outbound_ip_count") {
            nat["managedOutboundIPProfile"] =
                json!({"count": whole(&new_nat, "managed_outbound_ip_count")});
            if let Json::Object(map) = nat {
                map.remove("effectiveOutboundIPs");
            }
        }
    }
    for (name, key) in [
        ("network_data_plane", "networkDataplane"),
        ("network_plugin", "networkPlugin"),
        ("network_plugin_mode", "networkPluginMode"),
        ("pod_cidr", "podCidr"),
    ] {
        if changed(name) {
            network[key] = json!(text(new, name));
        }
    }
    if changed("pod_cidrs") {
        network["podCidrs"] = json!(texts(new, "pod_cidrs"));
    }
    if changed("outbound_type") {
        let outbound = text(new, "outbound_type");
        network["outboundType"] = json!(outbound);
        if let Json::Object(map) = network {
            if outbound != "loadBalancer" {
                map.remove("loadBalancerProfile");
            }
            if outbound != "managedNATGateway" && outbound != "userAssignedNATGateway" {
                map.remove("natGatewayProfile");
            }
        }
    }
    if changed("advanced_networking") {
        match expand_advanced_networking(new, old) {
            Some(advanced) => network["advancedNetworking"] = advanced,
            None => {
                if let Json::Object(map) = network {
                    map.remove("advancedNetworking");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_kubernetes_cluster_node_pool

/// The node pool arguments that force a new pool.
const NODE_POOL_FORCE_NEW: &[&str] = &[
    "host_group_id",
    "capacity_reservation_group_id",
    "gpu_instance",
    "gpu_driver",
    "node_public_ip_prefix_id",
    "proximity_placement_group_id",
];

fn windows_profile_def() -> BlockDef {
    block_def(
        vec![boolean("outbound_nat_enabled")
            .optional()
            .force_new()
            .default(true)],
        vec![],
    )
}

fn node_pool_block() -> BlockDef {
    let mut attrs = vec![
        string("name").required().force_new(),
        string("kubernetes_cluster_id").required().force_new(),
        string("eviction_policy").optional().force_new(),
        string("mode").optional().default("User"),
        list_of_strings("node_taints").optional(),
        string("node_image_version").computed(),
        string("os_type").optional().force_new().default("Linux"),
        string("priority").optional().force_new().default("Regular"),
        number("spot_max_price").optional().force_new().default(-1),
        string("workload_runtime").optional(),
    ];
    attrs.extend(pool_attrs().into_iter().map(|mut a| {
        if NODE_POOL_FORCE_NEW.contains(&a.name) {
            a.spec.force_new = true;
        }
        a
    }));
    block_def(
        attrs,
        vec![
            block("upgrade_settings", upgrade_settings_def(true)).max(1),
            block("windows_profile", windows_profile_def())
                .max(1)
                .force_new(),
        ],
    )
}

/// The properties of a new agent pool (`resourceKubernetesClusterNodePoolCreate`).
fn expand_node_pool(planned: &Value) -> Result<Json, Diagnostics> {
    let invalid = |detail: &str| Err(error("Invalid node pool", detail.to_string()));
    let os_type = text(planned, "os_type");
    let mut props = json!({
        "osType": os_type,
        "enableAutoScaling": flag(planned, "auto_scaling_enabled"),
        "enableFIPS": flag(planned, "fips_enabled"),
        "enableEncryptionAtHost": flag(planned, "host_encryption_enabled"),
        "enableUltraSSD": flag(planned, "ultra_ssd_enabled"),
        "enableNodePublicIP": flag(planned, "node_public_ip_enabled"),
        "mode": text(planned, "mode"),
        "scaleSetPriority": text(planned, "priority"),
        "tags": string_map_json(planned, "tags"),
        "type": "VirtualMachineScaleSets",
        "count": whole(planned, "node_count"),
    });
    put_text(
        &mut props,
        "kubeletDiskType",
        text(planned, "kubelet_disk_type"),
    );
    put_text(&mut props, "vmSize", text(planned, "vm_size"));
    if let Some(settings) = expand_upgrade_settings(&first(planned, "upgrade_settings"), true) {
        props["upgradeSettings"] = settings;
    }
    let windows = first(planned, "windows_profile");
    if !windows.is_null() {
        props["windowsProfile"] = json!({"disableOutboundNat": !attribute(&windows, "outbound_nat_enabled").as_bool().unwrap_or(true)});
    }
    put_text(
        &mut props,
        "scaleDownMode",
        text(planned, "scale_down_mode"),
    );
    put_text(
        &mut props,
        "workloadRuntime",
        text(planned, "workload_runtime"),
    );
    let eviction = text(planned, "eviction_policy");
    let spot_price = attribute(planned, "spot_max_price")
        .as_number()
        .map(|n| n.to_f64())
        .unwrap_or(-1.0);
    if text(planned, "priority") == "Spot" {
        put_text(&mut props, "scaleSetEvictionPolicy", eviction);
        props["spotMaxPrice"] = json!(spot_price);
    } else {
        if !eviction.is_empty() {
            return invalid("`eviction_policy` can only be set when `priority` is set to `Spot`");
        }
        if spot_price != -1.0 {
            return invalid("`spot_max_price` can only be set when `priority` is set to `Spot`");
        }
    }
    common_pool_properties(planned, &mut props);
    json_remove(&mut props, "nodeLabels");
    let labels = string_map_json(planned, "node_labels");
    if labels.as_object().is_some_and(|l| !l.is_empty()) {
        props["nodeLabels"] = labels;
    }
    let taints = texts(planned, "node_taints");
    if !taints.is_empty() {
        props["nodeTaints"] = json!(taints);
    }
    let os_disk_type = text(planned, "os_disk_type");
    put_text(&mut props, "osDiskType", os_disk_type);
    let max = whole(planned, "max_count");
    let min = whole(planned, "min_count");
    if flag(planned, "auto_scaling_enabled") {
        if whole(planned, "node_count") == 0 {
            props["count"] = json!(min);
        }
        props["maxCount"] = json!(max);
        props["minCount"] = json!(min);
        if min > max {
            return invalid("`max_count` must be >= `min_count`");
        }
    } else if min > 0 || max > 0 {
        return invalid("`max_count` and `min_count` must be set to `null` when auto_scaling_enabled is set to `false`");
    }
    if !first(planned, "linux_os_config").is_null() && os_type != "Linux" {
        return invalid(
            "`linux_os_config` can only be configured when `os_type` is set to `linux`",
        );
    }
    Ok(props)
}

/// Checks that the cluster offers a node pool version (`validateNodePoolSupportsVersion`).
async fn check_pool_version(
    ctx: &Ctx<'_>,
    cluster_id: &str,
    pool_name: &str,
    current: &str,
    desired: &str,
) -> Result<(), Diagnostics> {
    if current == desired {
        return Ok(());
    }
    let path = format!("{cluster_id}/availableAgentPoolVersions");
    let versions = ctx
        .client
        .get(&path, API_VERSION)
        .await
        .map_err(|e| {
            e.diagnostics(
                "retrieving the Available Agent Pool Versions of",
                cluster_id,
            )
        })?
        .unwrap_or(Json::Null);
    let supported: Vec<String> = json_get(&versions, "properties.agentPoolVersions")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("kubernetesVersion").and_then(Json::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let offered = supported.iter().any(|v| {
        v == desired
            || v.rsplit_once('.')
                .is_some_and(|(minor, _)| minor == desired)
    });
    if offered {
        return Ok(());
    }
    let cluster_version = ctx
        .client
        .get(cluster_id, API_VERSION)
        .await
        .ok()
        .flatten()
        .map(|c| jtext(&c, "properties.currentKubernetesVersion"))
        .unwrap_or_default();
    Err(error(
        "Unsupported node pool version",
        format!(
            "the node pool {pool_name:?} of {cluster_id} cannot run Kubernetes {desired:?}: the control plane runs {cluster_version:?}, and the versions a node pool can run are {supported:?}; upgrade the control plane first"
        ),
    ))
}

/// `azurerm_kubernetes_cluster_node_pool`.
pub struct KubernetesClusterNodePool {
    def: ResourceDef,
}

impl KubernetesClusterNodePool {
    pub fn new() -> KubernetesClusterNodePool {
        KubernetesClusterNodePool {
            def: ResourceDef {
                name: "azurerm_kubernetes_cluster_node_pool",
                schema_version: 1,
                block: node_pool_block(),
                api_version: API_VERSION,
                id: NODE_POOL_ID,
                timeouts: Timeouts::minutes(60, 5, Some(60), 60),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The cluster and pool IDs of a planned pool.
    fn ids(planned: &Value) -> Result<(String, String, BTreeMap<String, String>), Diagnostics> {
        let cluster = text(planned, "kubernetes_cluster_id");
        KUBERNETES_CLUSTER_ID
            .parse(&cluster, false)
            .map_err(|e| error("Invalid kubernetes_cluster_id", e))?;
        let name = text(planned, "name");
        let id = format!("{cluster}/agentPools/{name}");
        let id_values = NODE_POOL_ID
            .parse(&id, false)
            .map_err(|e| error("Invalid node pool ID", e))?;
        Ok((cluster, id, id_values))
    }
}

/// Whether a subnet ID is well formed (azurerm parses `vnet_subnet_id` and `pod_subnet_id`).
fn check_subnet_id(planned: &Value, name: &str) -> Result<(), Diagnostics> {
    let value = text(planned, name);
    if value.is_empty() {
        return Ok(());
    }
    crate::resources::network::SUBNET_ID
        .parse(&value, false)
        .map(drop)
        .map_err(|e| error(format!("Invalid {name}"), e))
}

#[async_trait::async_trait]
impl ResourceType for KubernetesClusterNodePool {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let names = check_names(
            config,
            &["name", "temporary_name_for_rotation"],
            valid_pool_name,
            POOL_NAME_RULE,
        );
        if names.has_errors() {
            return names;
        }
        let settings = first(config, "upgrade_settings");
        if !settings.is_null() && settings.is_wholly_known() {
            let surge = !text(&settings, "max_surge").is_empty();
            let unavailable = !text(&settings, "max_unavailable").is_empty();
            let spot = text(config, "priority") == "Spot";
            let problem = if surge && unavailable {
                Some("only one of `upgrade_settings.0.max_surge` and `upgrade_settings.0.max_unavailable` can be specified")
            } else if spot && surge {
                Some("`max_surge` cannot be set when `priority` is set to `Spot`. Spot pools do not support `max_surge`")
            } else if spot && unavailable {
                Some("`max_unavailable` cannot be set when `priority` is set to `Spot`. Spot pools do not support `max_unavailable`")
            } else if !spot && !surge && !unavailable {
                Some("either `max_surge` or `max_unavailable` must be specified in `upgrade_settings` when `priority` is not `Spot`")
            } else {
                None
            };
            if let Some(problem) = problem {
                return error("Invalid upgrade_settings", problem);
            }
        }
        Diagnostics::new()
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        if plan.creating() {
            return;
        }
        let planned = Value::object(plan.planned.clone());
        let prior = plan.prior.clone();
        let old_sku = text(&prior, "os_sku");
        let new_sku = text(&planned, "os_sku");
        if differs(&attribute(&prior, "os_sku"), &attribute(&planned, "os_sku"))
            && attribute(&planned, "os_sku").is_known()
            && (!migratable_os_sku(&old_sku) || !migratable_os_sku(&new_sku))
        {
            force_new_at(plan, &["os_sku"]);
        }
        let drain = ["upgrade_settings", "0", "drain_timeout_in_minutes"];
        let number_at = |v: &Value| v.as_number().and_then(|n| n.to_i64()).unwrap_or(0);
        if number_at(&value_at(&prior, &drain)) != 0 && number_at(&value_at(&planned, &drain)) == 0
        {
            force_new_at(plan, &drain);
        }
        let undrainable = ["upgrade_settings", "0", "undrainable_node_behavior"];
        let text_at = |v: &Value| v.as_str().unwrap_or_default().to_string();
        if !text_at(&value_at(&prior, &undrainable)).is_empty()
            && text_at(&value_at(&planned, &undrainable)).is_empty()
        {
            force_new_at(plan, &undrainable);
        }
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let empty = json!({});
        let props = body.get("properties").unwrap_or(&empty);
        let id = state
            .get("id")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if let Ok(values) = NODE_POOL_ID.parse(&id, true) {
            let cluster = KUBERNETES_CLUSTER_ID.build(&|n| {
                values
                    .get(if n == "name" {
                        "kubernetes_cluster_name"
                    } else {
                        n
                    })
                    .cloned()
            });
            if let Ok(cluster) = cluster {
                state.insert("kubernetes_cluster_id".into(), Value::string(cluster));
            }
        }
        for (name, value) in flatten_pool_common(props) {
            state.insert(name.to_string(), value);
        }
        let or_default = |key: &str, default: &str| match jtext(props, key) {
            v if v.is_empty() => default.to_string(),
            v => v,
        };
        let text_of = |key: &str| Value::string(jtext(props, key));
        state.insert("workload_runtime".into(), text_of("workloadRuntime"));
        state.insert("eviction_policy".into(), text_of("scaleSetEvictionPolicy"));
        state.insert("mode".into(), Value::string(or_default("mode", "User")));
        state.insert(
            "node_taints".into(),
            string_list(jtexts(props, "nodeTaints")),
        );
        state.insert("node_image_version".into(), text_of("nodeImageVersion"));
        if json_get(props, "osType").is_some() {
            state.insert("os_type".into(), text_of("osType"));
        }
        state.insert(
            "priority".into(),
            Value::string(or_default("scaleSetPriority", "Regular")),
        );
        let spot = match json_get(props, "spotMaxPrice") {
            Some(Json::Number(n)) => n.as_f64().unwrap_or(-1.0),
            _ => -1.0,
        };
        state.insert(
            "spot_max_price".into(),
            Value::number(terrane_engine::number::Number::from_f64(spot)),
        );
        state.insert(
            "upgrade_settings".into(),
            flatten_upgrade_settings(json_get(props, "upgradeSettings"), true),
        );
        let windows_def = windows_profile_def();
        let windows = match jbool(props, "windowsProfile.disableOutboundNat") {
            Some(disabled) => vec![element(
                &windows_def,
                vec![("outbound_nat_enabled", Value::Bool(!disabled))],
            )],
            None => vec![],
        };
        state.insert("windows_profile".into(), list_of(&windows_def, windows));
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let (cluster_id, id, id_values) = Self::ids(planned)?;
        check_subnet_id(planned, "vnet_subnet_id")?;
        check_subnet_id(planned, "pod_subnet_id")?;
        let cluster = ctx
            .client
            .get(&cluster_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &cluster_id))?
            .ok_or_else(|| {
                error(
                    "Kubernetes Cluster not found",
                    format!("{cluster_id} was not found"),
                )
            })?;
        let scale_sets = json_get(&cluster, "properties.agentPoolProfiles")
            .and_then(Json::as_array)
            .is_some_and(|pools| {
                pools
                    .iter()
                    .any(|p| jtext(p, "type") == "VirtualMachineScaleSets")
            });
        if !scale_sets {
            return Err(error(
                "Invalid node pool",
                format!("multiple node pools are only supported when the Default Node Pool uses a VMScaleSet (but {cluster_id} doesn't)"),
            ));
        }
        flow::ensure_absent(ctx, self.def.name, &id, API_VERSION).await?;
        let props = expand_node_pool(planned)?;
        let version = text(planned, "orchestrator_version");
        if !version.is_empty() {
            check_pool_version(ctx, &cluster_id, &text(planned, "name"), "", &version).await?;
        }
        let subnets: Vec<String> = ["pod_subnet_id", "vnet_subnet_id"]
            .iter()
            .map(|n| text(planned, n))
            .filter(|s| !s.is_empty())
            .collect();
        let _locks = ctx.client.locks().lock(&subnets).await;
        let body = json!({ "name": text(planned, "name"), "properties": props });
        let response = ctx
            .client
            .put(
                &id,
                API_VERSION,
                &[],
                &body,
                timeout(planned, "create", self.def.timeouts.create),
            )
            .await
            .map_err(|e| e.diagnostics("creating", &id))?;
        Ok(state_from_body(self, &id, &id_values, &response, planned))
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let (id, id_values) = stored_id(self, prior)?;
        let update_timeout = timeout(planned, "update", self.def.timeouts.create);
        let mut existing = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Node pool not found", format!("{id} was not found")))?;
        let changed = |name: &str| differs(&attribute(prior, name), &attribute(planned, name));
        let mut props = existing
            .get("properties")
            .cloned()
            .filter(Json::is_object)
            .unwrap_or_else(|| json!({}));
        let mut auto = jbool(&props, "enableAutoScaling").unwrap_or(false);
        if changed("auto_scaling_enabled") {
            auto = flag(planned, "auto_scaling_enabled");
            props["enableAutoScaling"] = json!(auto);
        }
        let bools = [
            ("fips_enabled", "enableFIPS"),
            ("host_encryption_enabled", "enableEncryptionAtHost"),
            ("node_public_ip_enabled", "enableNodePublicIP"),
            ("ultra_ssd_enabled", "enableUltraSSD"),
        ];
        for (name, key) in bools {
            if changed(name) {
                props[key] = json!(flag(planned, name));
            }
        }
        let strings = [
            ("kubelet_disk_type", "kubeletDiskType"),
            ("mode", "mode"),
            ("node_public_ip_prefix_id", "nodePublicIPPrefixID"),
            ("os_disk_type", "osDiskType"),
            ("os_sku", "osSKU"),
            ("pod_subnet_id", "podSubnetID"),
            ("scale_down_mode", "scaleDownMode"),
            ("vm_size", "vmSize"),
            ("workload_runtime", "workloadRuntime"),
        ];
        for (name, key) in strings {
            if changed(name) {
                props[key] = json!(text(planned, name));
            }
        }
        let numbers = [
            ("max_pods", "maxPods"),
            ("node_count", "count"),
            ("os_disk_size_gb", "osDiskSizeGB"),
        ];
        for (name, key) in numbers {
            if changed(name) {
                props[key] = json!(whole(planned, name));
            }
        }
        if changed("max_count") || auto {
            props["maxCount"] = json!(whole(planned, "max_count"));
        }
        if changed("min_count") || auto {
            props["minCount"] = json!(whole(planned, "min_count"));
        }
        if changed("orchestrator_version") {
            let desired = text(planned, "orchestrator_version");
            let cluster_id = text(planned, "kubernetes_cluster_id");
            let current = jtext(&props, "currentOrchestratorVersion");
            check_pool_version(ctx, &cluster_id, &text(planned, "name"), &current, &desired)
                .await?;
            props["orchestratorVersion"] = json!(desired);
        }
        if changed("tags") {
            props["tags"] = string_map_json(planned, "tags");
        }
        if changed("upgrade_settings") {
            match expand_upgrade_settings(&first(planned, "upgrade_settings"), true) {
                Some(settings) => props["upgradeSettings"] = settings,
                None => json_remove(&mut props, "upgradeSettings"),
            }
        }
        if changed("snapshot_id") {
            props["creationData"] = json!({"sourceResourceId": text(planned, "snapshot_id")});
        }
        if changed("vnet_subnet_id") {
            let subnet = text(planned, "vnet_subnet_id");
            if !subnet.is_empty() {
                check_subnet_id(planned, "vnet_subnet_id")?;
                props["vnetSubnetID"] = json!(subnet);
            }
        }
        if changed("node_labels") {
            props["nodeLabels"] = string_map_json(planned, "node_labels");
        }
        if changed("node_taints") {
            props["nodeTaints"] = json!(texts(planned, "node_taints"));
        }
        if changed("zones") {
            props["availabilityZones"] = json!(texts(planned, "zones"));
        }
        let max = jint(&props, "maxCount").unwrap_or(0);
        let min = jint(&props, "minCount").unwrap_or(0);
        let invalid = |detail: &str| Err(error("Invalid node pool", detail.to_string()));
        if auto {
            if max == 0 {
                return invalid(
                    "`max_count` must be configured when `auto_scaling_enabled` is set to `true`",
                );
            }
            if min > max {
                return invalid("`max_count` must be >= `min_count`");
            }
        } else {
            if min > 0 || max > 0 {
                return invalid("`max_count` and `min_count` must be set to `nil` when `auto_scaling_enabled` is set to `false`");
            }
            json_remove(&mut props, "maxCount");
            json_remove(&mut props, "minCount");
        }
        existing["properties"] = props;
        let mut cycle = CYCLED_NODE_POOL_PROPERTIES.iter().any(|p| changed(p));
        if changed("os_sku") {
            cycle |= !migratable_os_sku(&text(prior, "os_sku"))
                || !migratable_os_sku(&text(planned, "os_sku"));
        }
        if cycle {
            let temporary = text(planned, "temporary_name_for_rotation");
            if temporary.is_empty() {
                return Err(error(
                    "Error updating the node pool",
                    format!("`temporary_name_for_rotation` must be specified when updating any of the following properties {CYCLED_NODE_POOL_PROPERTIES:?}"),
                ));
            }
            let cluster_id = text(planned, "kubernetes_cluster_id");
            cycle_pool(ctx, &cluster_id, &id, &temporary, &existing, update_timeout).await?;
        } else {
            ctx.client
                .put(&id, API_VERSION, &[], &existing, update_timeout)
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
        }
        let body = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Node pool not found", format!("{id} was not found")))?;
        Ok(state_from_body(self, &id, &id_values, &body, planned))
    }

    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        let values = NODE_POOL_ID
            .parse(id, false)
            .map_err(|e| error("Invalid import ID", e))?;
        let cluster = KUBERNETES_CLUSTER_ID
            .build(&|n| {
                values
                    .get(if n == "name" {
                        "kubernetes_cluster_name"
                    } else {
                        n
                    })
                    .cloned()
            })
            .map_err(|e| error("Invalid import ID", e))?;
        let mut state = null_object(&self.def.full_block());
        state.insert("id".into(), Value::string(id));
        state.insert(
            "name".into(),
            Value::string(values.get("name").cloned().unwrap_or_default()),
        );
        state.insert("kubernetes_cluster_id".into(), Value::string(cluster));
        Ok(Value::object(state))
    }
}

// ---------------------------------------------------------------------------------------
// The azurerm_kubernetes_cluster data source

fn computed_list(name: &'static str, def: &BlockDef) -> crate::framework::schema::Attr {
    attr(name, Type::list(def.value_type())).computed()
}

fn data_upgrade_settings_def() -> BlockDef {
    block_def(
        vec![
            string("max_surge").computed(),
            string("max_unavailable").computed(),
            number("drain_timeout_in_minutes").computed(),
            number("node_soak_duration_in_minutes").computed(),
            string("undrainable_node_behavior").computed(),
        ],
        vec![],
    )
}

fn data_agent_pool_def() -> BlockDef {
    block_def(
        vec![
            string("name").computed(),
            string("type").computed(),
            number("count").computed(),
            number("max_count").computed(),
            number("min_count").computed(),
            boolean("auto_scaling_enabled").computed(),
            string("vm_size").computed(),
            map_of_strings("tags").computed(),
            number("os_disk_size_gb").computed(),
            string("vnet_subnet_id").computed(),
            string("os_type").computed(),
            string("orchestrator_version").computed(),
            number("max_pods").computed(),
            map_of_strings("node_labels").computed(),
            list_of_strings("node_taints").computed(),
            boolean("node_public_ip_enabled").computed(),
            string("node_public_ip_prefix_id").computed(),
            computed_list("upgrade_settings", &data_upgrade_settings_def()),
            set_of_strings("zones").computed(),
        ],
        vec![],
    )
}

fn data_network_profile_def() -> BlockDef {
    block_def(
        [
            "network_plugin",
            "network_policy",
            "service_cidr",
            "dns_service_ip",
            "docker_bridge_cidr",
            "pod_cidr",
            "load_balancer_sku",
            "outbound_type",
        ]
        .into_iter()
        .map(|n| string(n).computed())
        .collect(),
        vec![],
    )
}

fn data_identity_def() -> BlockDef {
    block_def(
        vec![
            string("type").computed(),
            set_of_strings("identity_ids").computed(),
            string("principal_id").computed(),
            string("tenant_id").computed(),
        ],
        vec![],
    )
}

fn data_kubelet_identity_def() -> BlockDef {
    block_def(
        vec![
            string("client_id").computed(),
            string("object_id").computed(),
            string("user_assigned_identity_id").computed(),
        ],
        vec![],
    )
}

fn data_aad_def() -> BlockDef {
    block_def(
        vec![
            string("tenant_id").computed(),
            boolean("azure_rbac_enabled").computed(),
            list_of_strings("admin_group_object_ids").computed(),
        ],
        vec![],
    )
}

fn data_linux_profile_def() -> BlockDef {
    block_def(
        vec![
            string("admin_username").computed(),
            computed_list(
                "ssh_key",
                &block_def(vec![string("key_data").computed()], vec![]),
            ),
        ],
        vec![],
    )
}

fn data_service_principal_def() -> BlockDef {
    block_def(vec![string("client_id").computed()], vec![])
}

fn data_storage_profile_def() -> BlockDef {
    block_def(
        [
            "blob_driver_enabled",
            "disk_driver_enabled",
            "file_driver_enabled",
            "snapshot_controller_enabled",
        ]
        .into_iter()
        .map(|n| boolean(n).computed())
        .collect(),
        vec![],
    )
}

/// Re-types a list of objects read with a resource block as the data source's block (the
/// attributes both have).
fn retyped(value: &Value, def: &BlockDef) -> Value {
    let elements = value
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let mut out = null_object(def);
            for (k, v) in out.iter_mut() {
                let found = attribute(e, k);
                if !found.is_null() {
                    *v = found;
                }
            }
            Value::object(out)
        })
        .collect();
    list_of(def, elements)
}

fn data_agent_pools(props: &Json) -> Value {
    let def = data_agent_pool_def();
    let settings_def = data_upgrade_settings_def();
    let pools = json_get(props, "agentPoolProfiles")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let elements = pools
        .iter()
        .map(|p| {
            let int = |key: &str| Value::int(jint(p, key).unwrap_or(0));
            let settings = match json_get(p, "upgradeSettings") {
                Some(s) if s.is_object() => {
                    let mut pairs = Vec::new();
                    for (name, key) in [
                        ("max_surge", "maxSurge"),
                        ("max_unavailable", "maxUnavailable"),
                        ("undrainable_node_behavior", "undrainableNodeBehavior"),
                    ] {
                        if json_get(s, key).is_some() {
                            pairs.push((name, Value::string(jtext(s, key))));
                        }
                    }
                    for (name, key) in [
                        ("drain_timeout_in_minutes", "drainTimeoutInMinutes"),
                        ("node_soak_duration_in_minutes", "nodeSoakDurationInMinutes"),
                    ] {
                        if let Some(n) = jint(s, key) {
                            pairs.push((name, Value::int(n)));
                        }
                    }
                    vec![element(&settings_def, pairs)]
                }
                _ => vec![],
            };
            let orchestrator = match jtext(p, "orchestratorVersion") {
                v if v.is_empty() => jtext(p, "currentOrchestratorVersion"),
                v => v,
            };
            element(
                &def,
                vec![
                    ("name", Value::string(jtext(p, "name"))),
                    ("type", Value::string(jtext(p, "type"))),
                    ("count", int("count")),
                    ("max_count", int("maxCount")),
                    ("min_count", int("minCount")),
                    (
                        "auto_scaling_enabled",
                        Value::Bool(jbool(p, "enableAutoScaling").unwrap_or(false)),
                    ),
                    ("vm_size", Value::string(jtext(p, "vmSize"))),
                    ("tags", string_map(json_get(p, "tags"))),
                    ("os_disk_size_gb", int("osDiskSizeGB")),
                    ("vnet_subnet_id", Value::string(jtext(p, "vnetSubnetID"))),
                    ("os_type", Value::string(jtext(p, "osType"))),
                    ("orchestrator_version", Value::string(orchestrator)),
                    ("max_pods", int("maxPods")),
                    ("node_labels", string_map(json_get(p, "nodeLabels"))),
                    ("node_taints", string_list(jtexts(p, "nodeTaints"))),
                    (
                        "node_public_ip_enabled",
                        Value::Bool(jbool(p, "enableNodePublicIP").unwrap_or(false)),
                    ),
                    (
                        "node_public_ip_prefix_id",
                        Value::string(jtext(p, "nodePublicIPPrefixID")),
                    ),
                    ("upgrade_settings", list_of(&settings_def, settings)),
                    ("zones", string_set(jtexts(p, "availabilityZones"))),
                ],
            )
        })
        .collect();
    list_of(&def, elements)
}

/// The `azurerm_kubernetes_cluster` data source.
pub struct KubernetesClusterData;

#[async_trait::async_trait]
impl DataSourceType for KubernetesClusterData {
    fn name(&self) -> &'static str {
        "azurerm_kubernetes_cluster"
    }

    fn block(&self) -> BlockDef {
        let mut attrs = vec![
            string("name").required(),
            string("resource_group_name").required(),
            location_computed(),
            computed_list("agent_pool_profile", &data_agent_pool_def()),
            computed_list(
                "azure_active_directory_role_based_access_control",
                &data_aad_def(),
            ),
            boolean("azure_policy_enabled").computed(),
            string("current_kubernetes_version").computed(),
            string("dns_prefix").computed(),
            string("fqdn").computed(),
            boolean("http_application_routing_enabled").computed(),
            string("http_application_routing_zone_name").computed(),
            list_of_strings("api_server_authorized_ip_ranges").computed(),
            string("disk_encryption_set_id").computed(),
            boolean("open_service_mesh_enabled").computed(),
            boolean("private_cluster_enabled").computed(),
            string("private_fqdn").computed(),
            computed_list("identity", &data_identity_def()),
            string("kubernetes_version").computed(),
            kube_config_attr("kube_admin_config"),
            string("kube_admin_config_raw").computed().sensitive(),
            kube_config_attr("kube_config"),
            string("kube_config_raw").computed().sensitive(),
            computed_list("kubelet_identity", &data_kubelet_identity_def()),
            computed_list("linux_profile", &data_linux_profile_def()),
            computed_list("network_profile", &data_network_profile_def()),
            string("node_resource_group").computed(),
            string("node_resource_group_id").computed(),
            boolean("oidc_issuer_enabled").computed(),
            string("oidc_issuer_url").computed(),
            boolean("role_based_access_control_enabled").computed(),
            computed_list("service_principal", &data_service_principal_def()),
            computed_list("storage_profile", &data_storage_profile_def()),
        ];
        attrs.push(crate::framework::common::tags_computed());
        block_def(attrs, vec![])
    }

    async fn read(
        &self,
        ctx: &Ctx<'_>,
        config: &Value,
    ) -> Result<BTreeMap<String, Value>, Diagnostics> {
        let name = text(config, "name");
        let group = text(config, "resource_group_name");
        let subscription = ctx.client.account.subscription_id.clone();
        let id = KUBERNETES_CLUSTER_ID
            .build(&|n| {
                Some(match n {
                    "name" => name.clone(),
                    "resource_group_name" => group.clone(),
                    _ => subscription.clone(),
                })
            })
            .map_err(|e| error("Invalid Kubernetes Cluster", e))?;
        let body = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| {
                error(
                    "Kubernetes Cluster not found",
                    format!("{id} was not found"),
                )
            })?;
        if jtext(&body, "sku.name").is_empty() {
            return Err(error(
                "Error reading the Kubernetes Cluster",
                format!("retrieving {id}: SKU information is missing"),
            ));
        }
        if jtext(&body, "sku.name") == "Automatic" {
            return Err(error(
                "Error reading the Kubernetes Cluster",
                format!("retrieving {id}: azurerm_kubernetes_cluster datasource does not support SKU `Automatic`"),
            ));
        }
        let mut resource_state = BTreeMap::new();
        resource_state.insert("id".to_string(), Value::string(id.clone()));
        flatten_cluster(&body, &mut resource_state);
        let resource_state = Value::object(resource_state);
        let empty = json!({});
        let props = body.get("properties").unwrap_or(&empty);
        let same = |name: &str| attribute(&resource_state, name);
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for name in [
            "current_kubernetes_version",
            "dns_prefix",
            "fqdn",
            "disk_encryption_set_id",
            "private_fqdn",
            "kubernetes_version",
            "node_resource_group",
            "node_resource_group_id",
            "oidc_issuer_enabled",
            "oidc_issuer_url",
            "role_based_access_control_enabled",
            "azure_policy_enabled",
            "http_application_routing_enabled",
            "http_application_routing_zone_name",
            "open_service_mesh_enabled",
        ] {
            let value = same(name);
            if !value.is_null() {
                out.insert(name.to_string(), value);
            }
        }
        out.insert("id".into(), Value::string(id.clone()));
        out.insert("name".into(), Value::string(name.clone()));
        out.insert("resource_group_name".into(), Value::string(group.clone()));
        out.insert(
            "location".into(),
            Value::string(normalize_location(&jtext(&body, "location"))),
        );
        out.insert("tags".into(), string_map(body.get("tags")));
        if let Some(access) = json_get(props, "apiServerAccessProfile") {
            out.insert(
                "api_server_authorized_ip_ranges".into(),
                string_list(jtexts(access, "authorizedIPRanges")),
            );
            out.insert(
                "private_cluster_enabled".into(),
                Value::Bool(jbool(access, "enablePrivateCluster").unwrap_or(false)),
            );
        }
        out.insert("agent_pool_profile".into(), data_agent_pools(props));
        out.insert(
            "azure_active_directory_role_based_access_control".into(),
            retyped(
                &same("azure_active_directory_role_based_access_control"),
                &data_aad_def(),
            ),
        );
        out.insert(
            "identity".into(),
            flatten_identity(body.get("identity"), &data_identity_def()),
        );
        out.insert(
            "kubelet_identity".into(),
            retyped(&same("kubelet_identity"), &data_kubelet_identity_def()),
        );
        let linux_def = data_linux_profile_def();
        let key_def = block_def(vec![string("key_data").computed()], vec![]);
        let linux = match json_get(props, "linuxProfile") {
            Some(p) if p.is_object() => {
                let keys: Vec<Value> = json_get(p, "ssh.publicKeys")
                    .and_then(Json::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|k| {
                                element(
                                    &key_def,
                                    vec![("key_data", Value::string(jtext(k, "keyData")))],
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut pairs = vec![("ssh_key", list_of(&key_def, keys))];
                let user = jtext(p, "adminUsername");
                if !user.is_empty() {
                    pairs.push(("admin_username", Value::string(user)));
                }
                vec![element(&linux_def, pairs)]
            }
            _ => vec![],
        };
        out.insert("linux_profile".into(), list_of(&linux_def, linux));
        let network_def = data_network_profile_def();
        let network = match json_get(props, "networkProfile") {
            Some(p) if p.is_object() => {
                let mut pairs = vec![
                    ("network_plugin", Value::string(jtext(p, "networkPlugin"))),
                    ("outbound_type", Value::string(jtext(p, "outboundType"))),
                    ("docker_bridge_cidr", Value::string("")),
                ];
                for (name, key) in [
                    ("network_policy", "networkPolicy"),
                    ("service_cidr", "serviceCidr"),
                    ("dns_service_ip", "dnsServiceIP"),
                    ("pod_cidr", "podCidr"),
                    ("load_balancer_sku", "loadBalancerSku"),
                ] {
                    if json_get(p, key).is_some() {
                        pairs.push((name, Value::string(jtext(p, key))));
                    }
                }
                vec![element(&network_def, pairs)]
            }
            _ => vec![],
        };
        out.insert("network_profile".into(), list_of(&network_def, network));
        let principal_def = data_service_principal_def();
        let principal = match json_get(props, "servicePrincipalProfile") {
            Some(p) => {
                let client = jtext(p, "clientId");
                let pairs = if client.is_empty() {
                    vec![]
                } else {
                    vec![("client_id", Value::string(client))]
                };
                vec![element(&principal_def, pairs)]
            }
            None => vec![],
        };
        out.insert(
            "service_principal".into(),
            list_of(&principal_def, principal),
        );
        out.insert(
            "storage_profile".into(),
            retyped(&same("storage_profile"), &data_storage_profile_def()),
        );
        read_credentials(
            ctx,
            &id,
            json_get(props, "aadProfile").is_some(),
            jbool(props, "disableLocalAccounts").unwrap_or(false),
            timeout(config, "read", Duration::from_secs(5 * 60)),
            &mut out,
        )
        .await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERTIFICATE_USER: &str = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n    server: https://aks-1.hcp.westeurope.azmk8s.io:443\n  name: aks\ncontexts:\n- context:\n    cluster: aks\n    user: clusterUser_rg_aks\n  name: aks\ncurrent-context: aks\nkind: Config\nusers:\n- name: clusterUser_rg_aks\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: S0VZ\n    token: abc123\n";

    const AAD_USER: &str = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n    server: https://aks-1.hcp.westeurope.azmk8s.io:443\n  name: aks\nusers:\n- name: clusterUser_rg_aks\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]\n";

    fn field(config: &Value, name: &str) -> String {
        text(config, name)
    }

    #[test]
    fn kubeconfigs_parse_as_azurerm_does() {
        let parsed = parse_kubeconfig(CERTIFICATE_USER).expect("parses");
        assert_eq!(
            field(&parsed, "host"),
            "https://aks-1.hcp.westeurope.azmk8s.io:443"
        );
        assert_eq!(field(&parsed, "username"), "clusterUser_rg_aks");
        assert_eq!(field(&parsed, "password"), "abc123");
        assert_eq!(field(&parsed, "client_certificate"), "Q0VSVA==");
        assert_eq!(field(&parsed, "client_key"), "S0VZ");
        assert_eq!(field(&parsed, "cluster_ca_certificate"), "Q0E=");

        let aad = parse_kubeconfig(AAD_USER).expect("parses");
        assert_eq!(field(&aad, "username"), "clusterUser_rg_aks");
        assert_eq!(field(&aad, "client_key"), "");
        assert_eq!(field(&aad, "cluster_ca_certificate"), "Q0E=");

        let no_auth = CERTIFICATE_USER
            .replace("    token: abc123\n", "")
            .replace("    client-key-data: S0VZ\n", "");
        assert!(parse_kubeconfig(&no_auth).is_none());
        assert!(parse_kubeconfig("apiVersion: v1\nclusters: []\n").is_none());
        assert!(parse_kubeconfig(": not yaml : [").is_none());
    }

    #[test]
    fn credentials_are_base64_kubeconfigs_found_by_name() {
        let result = json!({"kubeconfigs": [
            {"name": "clusterUser", "value": STANDARD.encode(CERTIFICATE_USER)},
        ]});
        let (raw, config) = flatten_credentials(&result, "clusterUser");
        assert_eq!(raw.as_str(), Some(CERTIFICATE_USER));
        assert_eq!(config.len(), Some(1));
        let (raw, config) = flatten_credentials(&result, "clusterAdmin");
        assert!(raw.is_null());
        assert_eq!(config.len(), Some(0));
        let unparsable = json!({"kubeconfigs": [{"name": "clusterUser", "value": STANDARD.encode("kind: Config\n")}]});
        let (raw, config) = flatten_credentials(&unparsable, "clusterUser");
        assert_eq!(raw.as_str(), Some("kind: Config\n"));
        assert_eq!(
            config.len(),
            Some(0),
            "an unparsable kubeconfig gives no block"
        );
    }

    #[test]
    fn the_default_pool_is_found_by_name_then_as_a_system_pool() {
        let pools = vec![
            json!({"name": "user1", "mode": "User"}),
            json!({"name": "rotation", "mode": "System"}),
            json!({"name": "default", "mode": "System"}),
        ];
        let found = |name: &str, temporary: &str| {
            find_default_pool(&pools, name, temporary).map(|p| jtext(p, "name"))
        };
        assert_eq!(found("default", "rotation").as_deref(), Some("default"));
        assert_eq!(found("gone", "rotation").as_deref(), Some("rotation"));
        assert_eq!(found("gone", "").as_deref(), Some("rotation"));
        assert_eq!(find_default_pool(&pools[..1], "gone", ""), None);
    }

    #[test]
    fn names_follow_azurerm_validation() {
        assert!(valid_pool_name("default"));
        assert!(valid_pool_name("pool1"));
        assert!(!valid_pool_name("Default"));
        assert!(!valid_pool_name("1pool"));
        assert!(!valid_pool_name("averylongpoolname"));
        assert!(valid_dns_prefix("abc-aks"));
        assert!(valid_dns_prefix("a"));
        assert!(!valid_dns_prefix("-abc"));
        assert!(!valid_dns_prefix("abc_aks"));
        assert!(!valid_dns_prefix(&"a".repeat(55)));
    }

    #[test]
    fn sdk_differences_ignore_null_and_zero() {
        assert!(!differs(&Value::Null(Type::String), &Value::string("")));
        assert!(!differs(&Value::int(0), &Value::Null(Type::Number)));
        assert!(differs(&Value::string("a"), &Value::string("b")));
        assert!(differs(&Value::Null(Type::Number), &Value::int(3)));
        let object = Value::object(
            [(
                "pool".to_string(),
                Value::list(
                    Type::object([("name".to_string(), Type::String)].into()),
                    vec![Value::object(
                        [("name".to_string(), Value::string("default"))].into(),
                    )],
                ),
            )]
            .into(),
        );
        assert_eq!(
            value_at(&object, &["pool", "0", "name"]),
            Value::string("default")
        );
        assert!(value_at(&object, &["pool", "1", "name"]).is_null());
    }

    #[test]
    fn default_pool_counts_follow_azurerm_rules() {
        let def = default_node_pool_def();
        let pool = |pairs: Vec<(&str, Value)>| element(&def, pairs);
        let fixed = pool(vec![
            ("name", Value::string("default")),
            ("node_count", Value::int(2)),
        ]);
        let profile = expand_default_node_pool(&fixed, true, false).expect("valid");
        assert_eq!(profile["count"], json!(2));
        assert_eq!(profile["mode"], json!("System"));
        assert!(profile.get("maxCount").is_none());
        let auto = pool(vec![
            ("name", Value::string("default")),
            ("auto_scaling_enabled", Value::Bool(true)),
            ("min_count", Value::int(1)),
            ("max_count", Value::int(3)),
        ]);
        let profile = expand_default_node_pool(&auto, true, false).expect("valid");
        assert_eq!(
            profile["count"],
            json!(1),
            "the minimum when no count is given"
        );
        assert!(expand_default_node_pool(&auto, false, true).is_err());
        let bounds_without_autoscaling = pool(vec![
            ("name", Value::string("default")),
            ("max_count", Value::int(3)),
        ]);
        assert!(expand_default_node_pool(&bounds_without_autoscaling, true, false).is_err());
    }
}
