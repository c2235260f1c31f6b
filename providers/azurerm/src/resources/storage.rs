//! Microsoft.Storage storage accounts (`azurerm_storage_account`) with azurerm v4's schema,
//! defaults and force-new rules: the SKU from `account_tier` and `account_replication_type`,
//! network rules, the blob service's properties (`blobServices/default`), every endpoint and
//! host name, and the access keys (from `listKeys`) with the connection strings azurerm builds
//! from them as sensitive computed attributes. Updates GET the account and PUT back the
//! writable properties with the changed arguments, as azurerm does.

use crate::framework::common::{
    edge_zone, expand_identity, flatten_identity, identity, location, resource_group_name, tags,
};
use crate::framework::flow::{self, stored_id, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_set, null_object};
use crate::framework::schema::{
    block, block_def, boolean, number, set_of_strings, string, Codec, Nested,
};
use crate::framework::{
    attribute, error, first_block, string_attribute, strings_of, Change, Ctx, PlanContext,
    ResourceDef, ResourceType, Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4.81 manages storage accounts with.
const API_VERSION: &str = "2025-08-01";

pub const STORAGE_ACCOUNT_ID: IdTemplate = IdTemplate::new(
    "Storage Account",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Storage/storageAccounts/{name}",
);

/// The kinds whose accounts have an access tier.
const KINDS_WITH_ACCESS_TIER: &[&str] = &["BlobStorage", "FileStorage", "StorageV2"];
/// The kinds that can have a hierarchical namespace.
const KINDS_WITH_HNS: &[&str] = &["BlobStorage", "BlockBlobStorage", "StorageV2"];
/// The kinds that can have large file shares.
const KINDS_WITH_LARGE_FILE_SHARES: &[&str] = &["FileStorage", "StorageV2"];

/// The account properties an update writes back (the writable ones azurerm copies).
const WRITABLE_PROPERTIES: &[&str] = &[
    "accessTier",
    "allowBlobPublicAccess",
    "allowedCopyScope",
    "allowSharedKeyAccess",
    "allowCrossTenantReplication",
    "azureFilesIdentityBasedAuthentication",
    "customDomain",
    "defaultToOAuthAuthentication",
    "dnsEndpointType",
    "encryption",
    "keyPolicy",
    "immutableStorageWithVersioning",
    "isNfsV3Enabled",
    "isSftpEnabled",
    "isLocalUserEnabled",
    "isHnsEnabled",
    "minimumTlsVersion",
    "networkAcls",
    "publicNetworkAccess",
    "routingPreference",
    "sasPolicy",
    "supportsHttpsTrafficOnly",
];

/// Which of an endpoint's publications an attribute shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Default,
    Internet,
    Microsoft,
}

/// One endpoint attribute and its host name attribute.
struct Endpoint {
    endpoint: &'static str,
    host: &'static str,
    secondary: bool,
    route: Route,
    service: &'static str,
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        endpoint: "primary_blob_endpoint",
        host: "primary_blob_host",
        secondary: false,
        route: Route::Default,
        service: "blob",
    },
    Endpoint {
        endpoint: "primary_blob_internet_endpoint",
        host: "primary_blob_internet_host",
        secondary: false,
        route: Route::Internet,
        service: "blob",
    },
    Endpoint {
        endpoint: "primary_blob_microsoft_endpoint",
        host: "primary_blob_microsoft_host",
        secondary: false,
        route: Route::Microsoft,
        service: "blob",
    },
    Endpoint {
        endpoint: "primary_queue_endpoint",
        host: "primary_queue_host",
        secondary: false,
        route: Route::Default,
        service: "queue",
    },
    Endpoint {
        endpoint: "primary_queue_microsoft_endpoint",
        host: "primary_queue_microsoft_host",
        secondary: false,
        route: Route::Microsoft,
        service: "queue",
    },
    Endpoint {
        endpoint: "primary_table_endpoint",
        host: "primary_table_host",
        secondary: false,
        route: Route::Default,
        service: "table",
    },
    Endpoint {
        endpoint: "primary_table_microsoft_endpoint",
        host: "primary_table_microsoft_host",
        secondary: false,
        route: Route::Microsoft,
        service: "table",
    },
    Endpoint {
        endpoint: "primary_web_endpoint",
        host: "primary_web_host",
        secondary: false,
        route: Route::Default,
        service: "web",
    },
    Endpoint {
        endpoint: "primary_web_internet_endpoint",
        host: "primary_web_internet_host",
        secondary: false,
        route: Route::Internet,
        service: "web",
    },
    Endpoint {
        endpoint: "primary_web_microsoft_endpoint",
        host: "primary_web_microsoft_host",
        secondary: false,
        route: Route::Microsoft,
        service: "web",
    },
    Endpoint {
        endpoint: "primary_dfs_endpoint",
        host: "primary_dfs_host",
        secondary: false,
        route: Route::Default,
        service: "dfs",
    },
    Endpoint {
        endpoint: "primary_dfs_internet_endpoint",
        host: "primary_dfs_internet_host",
        secondary: false,
        route: Route::Internet,
        service: "dfs",
    },
    Endpoint {
        endpoint: "primary_dfs_microsoft_endpoint",
        host: "primary_dfs_microsoft_host",
        secondary: false,
        route: Route::Microsoft,
        service: "dfs",
    },
    Endpoint {
        endpoint: "primary_file_endpoint",
        host: "primary_file_host",
        secondary: false,
        route: Route::Default,
        service: "file",
    },
    Endpoint {
        endpoint: "primary_file_internet_endpoint",
        host: "primary_file_internet_host",
        secondary: false,
        route: Route::Internet,
        service: "file",
    },
    Endpoint {
        endpoint: "primary_file_microsoft_endpoint",
        host: "primary_file_microsoft_host",
        secondary: false,
        route: Route::Microsoft,
        service: "file",
    },
    Endpoint {
        endpoint: "secondary_blob_endpoint",
        host: "secondary_blob_host",
        secondary: true,
        route: Route::Default,
        service: "blob",
    },
    Endpoint {
        endpoint: "secondary_blob_internet_endpoint",
        host: "secondary_blob_internet_host",
        secondary: true,
        route: Route::Internet,
        service: "blob",
    },
    Endpoint {
        endpoint: "secondary_blob_microsoft_endpoint",
        host: "secondary_blob_microsoft_host",
        secondary: true,
        route: Route::Microsoft,
        service: "blob",
    },
    Endpoint {
        endpoint: "secondary_queue_endpoint",
        host: "secondary_queue_host",
        secondary: true,
        route: Route::Default,
        service: "queue",
    },
    Endpoint {
        endpoint: "secondary_queue_microsoft_endpoint",
        host: "secondary_queue_microsoft_host",
        secondary: true,
        route: Route::Microsoft,
        service: "queue",
    },
    Endpoint {
        endpoint: "secondary_table_endpoint",
        host: "secondary_table_host",
        secondary: true,
        route: Route::Default,
        service: "table",
    },
    Endpoint {
        endpoint: "secondary_table_microsoft_endpoint",
        host: "secondary_table_microsoft_host",
        secondary: true,
        route: Route::Microsoft,
        service: "table",
    },
    Endpoint {
        endpoint: "secondary_web_endpoint",
        host: "secondary_web_host",
        secondary: true,
        route: Route::Default,
        service: "web",
    },
    Endpoint {
        endpoint: "secondary_web_internet_endpoint",
        host: "secondary_web_internet_host",
        secondary: true,
        route: Route::Internet,
        service: "web",
    },
    Endpoint {
        endpoint: "secondary_web_microsoft_endpoint",
        host: "secondary_web_microsoft_host",
        secondary: true,
        route: Route::Microsoft,
        service: "web",
    },
    Endpoint {
        endpoint: "secondary_dfs_endpoint",
        host: "secondary_dfs_host",
        secondary: true,
        route: Route::Default,
        service: "dfs",
    },
    Endpoint {
        endpoint: "secondary_dfs_internet_endpoint",
        host: "secondary_dfs_internet_host",
        secondary: true,
        route: Route::Internet,
        service: "dfs",
    },
    Endpoint {
        endpoint: "secondary_dfs_microsoft_endpoint",
        host: "secondary_dfs_microsoft_host",
        secondary: true,
        route: Route::Microsoft,
        service: "dfs",
    },
    Endpoint {
        endpoint: "secondary_file_endpoint",
        host: "secondary_file_host",
        secondary: true,
        route: Route::Default,
        service: "file",
    },
    Endpoint {
        endpoint: "secondary_file_internet_endpoint",
        host: "secondary_file_internet_host",
        secondary: true,
        route: Route::Internet,
        service: "file",
    },
    Endpoint {
        endpoint: "secondary_file_microsoft_endpoint",
        host: "secondary_file_microsoft_host",
        secondary: true,
        route: Route::Microsoft,
        service: "file",
    },
];

fn int_of(value: &Value) -> Option<i64> {
    value.as_number().and_then(|n| n.to_i64())
}

/// The known strings of a list or set value.
/// A bool at a path that reads as `default` when ARM leaves it out.
fn bool_or(default: bool) -> Codec {
    if default {
        Codec::Custom {
            expand: |v| v.as_bool().map(Json::Bool),
            flatten: |j, _| Value::Bool(j.and_then(Json::as_bool).unwrap_or(true)),
        }
    } else {
        Codec::Custom {
            expand: |v| v.as_bool().map(Json::Bool),
            flatten: |j, _| Value::Bool(j.and_then(Json::as_bool).unwrap_or(false)),
        }
    }
}

fn network_rules_block() -> Nested {
    block(
        "network_rules",
        block_def(
            vec![
                set_of_strings("bypass").optional().computed(),
                set_of_strings("ip_rules").optional().computed(),
                set_of_strings("virtual_network_subnet_ids")
                    .optional()
                    .computed(),
                string("default_action").required(),
            ],
            vec![block(
                "private_link_access",
                block_def(
                    vec![
                        string("endpoint_resource_id").required(),
                        string("endpoint_tenant_id").optional().computed(),
                    ],
                    vec![],
                ),
            )],
        ),
    )
    .max(1)
    .computed()
}

fn blob_properties_block() -> Nested {
    block(
        "blob_properties",
        block_def(
            vec![
                boolean("change_feed_enabled").optional().default(false),
                number("change_feed_retention_in_days").optional(),
                string("default_service_version").optional().computed(),
                boolean("last_access_time_enabled")
                    .optional()
                    .default(false),
                boolean("versioning_enabled").optional().default(false),
            ],
            vec![
                block(
                    "delete_retention_policy",
                    block_def(
                        vec![
                            number("days").optional().default(Value::int(7)),
                            boolean("permanent_delete_enabled")
                                .optional()
                                .default(false),
                        ],
                        vec![],
                    ),
                )
                .max(1),
                block(
                    "container_delete_retention_policy",
                    block_def(
                        vec![number("days").optional().default(Value::int(7))],
                        vec![],
                    ),
                )
                .max(1),
            ],
        ),
    )
    .max(1)
    .computed()
}

/// `azurerm_storage_account`.
pub struct StorageAccount {
    def: ResourceDef,
}

impl StorageAccount {
    pub fn new() -> StorageAccount {
        let mut attrs = vec![
            string("name").required().force_new(),
            resource_group_name(),
            location(),
            string("account_kind")
                .optional()
                .default("StorageV2")
                .arm("kind"),
            string("account_tier").required().force_new(),
            string("provisioned_billing_model_version")
                .optional()
                .force_new(),
            string("account_replication_type").required(),
            string("access_tier")
                .optional()
                .computed()
                .arm("properties.accessTier"),
            string("allowed_copy_scope")
                .optional()
                .arm("properties.allowedCopyScope"),
            boolean("cross_tenant_replication_enabled")
                .optional()
                .default(false)
                .arm("properties.allowCrossTenantReplication"),
            edge_zone(),
            boolean("https_traffic_only_enabled")
                .optional()
                .default(true)
                .arm("properties.supportsHttpsTrafficOnly"),
            string("min_tls_version")
                .optional()
                .default("TLS1_2")
                .arm("properties.minimumTlsVersion")
                .codec(Codec::Custom {
                    expand: |v| v.as_str().map(|s| json!(s)),
                    flatten: |j, _| Value::string(j.and_then(Json::as_str).unwrap_or("TLS1_0")),
                }),
            boolean("is_hns_enabled")
                .optional()
                .default(false)
                .force_new()
                .arm("properties.isHnsEnabled"),
            boolean("nfsv3_enabled")
                .optional()
                .default(false)
                .force_new()
                .arm("properties.isNfsV3Enabled"),
            boolean("allow_nested_items_to_be_public")
                .optional()
                .default(true)
                .arm("properties.allowBlobPublicAccess")
                .codec(bool_or(true)),
            boolean("shared_access_key_enabled")
                .optional()
                .default(true)
                .arm("properties.allowSharedKeyAccess")
                .codec(bool_or(true)),
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
                        Value::Bool(j.and_then(Json::as_str).is_none_or(|s| s != "Disabled"))
                    },
                }),
            string("dns_endpoint_type")
                .optional()
                .force_new()
                .default("Standard")
                .arm("properties.dnsEndpointType")
                .codec(Codec::Custom {
                    expand: |v| v.as_str().map(|s| json!(s)),
                    flatten: |j, _| Value::string(j.and_then(Json::as_str).unwrap_or("Standard")),
                }),
            boolean("default_to_oauth_authentication")
                .optional()
                .default(false)
                .arm("properties.defaultToOAuthAuthentication")
                .codec(bool_or(false)),
            string("queue_encryption_key_type")
                .optional()
                .force_new()
                .default("Service"),
            string("table_encryption_key_type")
                .optional()
                .force_new()
                .default("Service"),
            boolean("infrastructure_encryption_enabled")
                .optional()
                .default(false)
                .force_new(),
            boolean("sftp_enabled")
                .optional()
                .default(false)
                .arm("properties.isSftpEnabled"),
            boolean("large_file_share_enabled").optional().computed(),
            boolean("local_user_enabled")
                .optional()
                .default(true)
                .arm("properties.isLocalUserEnabled")
                .codec(bool_or(true)),
            string("primary_location")
                .computed()
                .arm("properties.primaryLocation"),
            string("secondary_location")
                .computed()
                .arm("properties.secondaryLocation"),
            string("primary_access_key").computed().sensitive(),
            string("secondary_access_key").computed().sensitive(),
            string("primary_connection_string").computed().sensitive(),
            string("secondary_connection_string").computed().sensitive(),
            string("primary_blob_connection_string")
                .computed()
                .sensitive(),
            string("secondary_blob_connection_string")
                .computed()
                .sensitive(),
            tags(),
        ];
        for endpoint in ENDPOINTS {
            attrs.push(string(endpoint.endpoint).computed());
            attrs.push(string(endpoint.host).computed());
        }
        StorageAccount {
            def: ResourceDef {
                name: "azurerm_storage_account",
                schema_version: 4,
                block: block_def(
                    attrs,
                    vec![
                        network_rules_block(),
                        blob_properties_block(),
                        identity(),
                        block(
                            "custom_domain",
                            block_def(
                                vec![
                                    string("name").required(),
                                    boolean("use_subdomain").optional().default(false),
                                ],
                                vec![],
                            ),
                        )
                        .max(1),
                        block(
                            "sas_policy",
                            block_def(
                                vec![
                                    string("expiration_period").required(),
                                    string("expiration_action").optional().default("Log"),
                                ],
                                vec![],
                            ),
                        )
                        .max(1),
                    ],
                ),
                api_version: API_VERSION,
                id: STORAGE_ACCOUNT_ID,
                timeouts: Timeouts::minutes(60, 5, Some(60), 60),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    fn nested(&self, name: &str) -> Option<&Nested> {
        self.def.block.nested(name)
    }

    fn sku_name(planned: &Value) -> String {
        format!(
            "{}{}_{}",
            string_attribute(planned, "account_tier").unwrap_or_default(),
            string_attribute(planned, "provisioned_billing_model_version").unwrap_or_default(),
            string_attribute(planned, "account_replication_type").unwrap_or_default()
        )
    }

    fn expand_network_rules(planned: &Value, tenant_id: &str) -> Json {
        let Some(rules) = first_block(&attribute(planned, "network_rules")) else {
            return json!({
                "bypass": "AzureServices",
                "defaultAction": "Allow",
                "ipRules": [],
                "resourceAccessRules": [],
                "virtualNetworkRules": [],
            });
        };
        let mut out = json!({
            "defaultAction": string_attribute(&rules, "default_action").unwrap_or_default(),
            "ipRules": strings_of(&attribute(&rules, "ip_rules"))
                .into_iter()
                .map(|ip| json!({"action": "Allow", "value": ip}))
                .collect::<Vec<_>>(),
            "virtualNetworkRules": strings_of(&attribute(&rules, "virtual_network_subnet_ids"))
                .into_iter()
                .map(|id| json!({"id": id, "action": "Allow"}))
                .collect::<Vec<_>>(),
            "resourceAccessRules": attribute(&rules, "private_link_access")
                .as_seq()
                .unwrap_or_default()
                .iter()
                .map(|access| json!({
                    "resourceId": string_attribute(access, "endpoint_resource_id").unwrap_or_default(),
                    "tenantId": string_attribute(access, "endpoint_tenant_id").unwrap_or_else(|| tenant_id.to_string()),
                }))
                .collect::<Vec<_>>(),
        });
        let bypass = strings_of(&attribute(&rules, "bypass"));
        if !bypass.is_empty() {
            out["bypass"] = json!(bypass.join(", "));
        }
        out
    }

    fn flatten_network_rules(&self, acls: Option<&Json>) -> Value {
        let Some(nested) = self.nested("network_rules") else {
            return Value::Null(Type::Dynamic);
        };
        let ty = nested.block.value_type();
        let Some(acls) = acls.filter(|a| a.is_object()) else {
            return Value::list(ty, vec![]);
        };
        let list = |key: &str, field: &str| -> Vec<Value> {
            acls.get(key)
                .and_then(Json::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.get(field).and_then(Json::as_str))
                        .map(Value::string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let ip_rules = list("ipRules", "value");
        let subnets = list("virtualNetworkRules", "id");
        let access: Vec<Value> = acls
            .get("resourceAccessRules")
            .and_then(Json::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        let text = |k: &str| {
                            Value::string(i.get(k).and_then(Json::as_str).unwrap_or_default())
                        };
                        Value::object(
                            [
                                ("endpoint_resource_id".to_string(), text("resourceId")),
                                ("endpoint_tenant_id".to_string(), text("tenantId")),
                            ]
                            .into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let action = acls
            .get("defaultAction")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let bypass_text = acls.get("bypass").and_then(Json::as_str);
        let defaults = action == "Allow" && bypass_text == Some("AzureServices");
        if defaults && ip_rules.is_empty() && subnets.is_empty() && access.is_empty() {
            return Value::list(ty, vec![]);
        }
        let bypass: Vec<Value> = bypass_text
            .map(|b| {
                b.split(", ")
                    .map(|item| {
                        let known = ["None", "Logging", "Metrics", "AzureServices"]
                            .iter()
                            .find(|k| k.eq_ignore_ascii_case(item.trim()));
                        Value::string(known.copied().unwrap_or(item))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut out = null_object(&nested.block);
        out.insert("bypass".into(), Value::set(Type::String, bypass));
        out.insert("default_action".into(), Value::string(action));
        out.insert("ip_rules".into(), Value::set(Type::String, ip_rules));
        out.insert(
            "virtual_network_subnet_ids".into(),
            Value::set(Type::String, subnets),
        );
        let access_ty = nested
            .block
            .nested("private_link_access")
            .map(|n| n.block.value_type())
            .unwrap_or(Type::Dynamic);
        out.insert("private_link_access".into(), Value::list(access_ty, access));
        Value::list(ty, vec![Value::object(out)])
    }

    fn expand_encryption(planned: &Value) -> Json {
        let mut encryption = json!({
            "keySource": "Microsoft.Storage",
            "services": {
                "queue": {"keyType": string_attribute(planned, "queue_encryption_key_type").unwrap_or_else(|| "Service".into())},
                "table": {"keyType": string_attribute(planned, "table_encryption_key_type").unwrap_or_else(|| "Service".into())},
            },
        });
        if attribute(planned, "infrastructure_encryption_enabled").as_bool() == Some(true) {
            encryption["requireInfrastructureEncryption"] = json!(true);
        }
        encryption
    }

    /// The blob service's properties from the block, as azurerm writes them (the features
    /// `Storage` (v1) accounts lack are left out for them).
    fn expand_blob_properties(planned: &Value) -> Result<Json, Diagnostics> {
        let kind = string_attribute(planned, "account_kind").unwrap_or_default();
        let v1 = kind == "Storage";
        let mut props = json!({
            "cors": {"corsRules": []},
            "deleteRetentionPolicy": {"enabled": false},
        });
        if !v1 {
            props["lastAccessTimeTrackingPolicy"] = json!({"enable": false});
            props["changeFeed"] = json!({"enabled": false});
            props["isVersioningEnabled"] = json!(false);
        }
        if let Some(blob) = first_block(&attribute(planned, "blob_properties")) {
            let flag = |name: &str| attribute(&blob, name).as_bool() == Some(true);
            if let Some(policy) = first_block(&attribute(&blob, "delete_retention_policy")) {
                props["deleteRetentionPolicy"] = json!({
                    "enabled": true,
                    "allowPermanentDelete": attribute(&policy, "permanent_delete_enabled").as_bool() == Some(true),
                    "days": int_of(&attribute(&policy, "days")).unwrap_or(7),
                });
            }
            if let Some(policy) =
                first_block(&attribute(&blob, "container_delete_retention_policy"))
            {
                props["containerDeleteRetentionPolicy"] = json!({
                    "enabled": true,
                    "days": int_of(&attribute(&policy, "days")).unwrap_or(7),
                });
            } else {
                props["containerDeleteRetentionPolicy"] = json!({"enabled": false});
            }
            props["isVersioningEnabled"] = json!(flag("versioning_enabled"));
            if let Some(version) = string_attribute(&blob, "default_service_version") {
                props["defaultServiceVersion"] = json!(version);
            }
            let retention =
                int_of(&attribute(&blob, "change_feed_retention_in_days")).filter(|d| *d != 0);
            if v1 {
                for (name, set) in [
                    ("last_access_time_enabled", flag("last_access_time_enabled")),
                    ("change_feed_enabled", flag("change_feed_enabled")),
                    ("change_feed_retention_in_days", retention.is_some()),
                    ("versioning_enabled", flag("versioning_enabled")),
                ] {
                    if set {
                        return Err(error(
                            "Invalid blob_properties",
                            format!("`{name}` can not be configured when `kind` is set to `Storage` (v1)"),
                        ));
                    }
                }
                if let Some(obj) = props.as_object_mut() {
                    obj.remove("isVersioningEnabled");
                }
            } else {
                props["lastAccessTimeTrackingPolicy"] =
                    json!({"enable": flag("last_access_time_enabled")});
                let mut change_feed = json!({"enabled": flag("change_feed_enabled")});
                if let Some(days) = retention {
                    change_feed["retentionInDays"] = json!(days);
                }
                props["changeFeed"] = change_feed;
            }
            if flag("versioning_enabled")
                && attribute(planned, "is_hns_enabled").as_bool() == Some(true)
            {
                return Err(error(
                    "Invalid blob_properties",
                    "`versioning_enabled` can't be true when `is_hns_enabled` is true",
                ));
            }
        }
        Ok(json!({ "properties": props }))
    }

    fn flatten_blob_properties(&self, service: Option<&Json>) -> Value {
        let Some(nested) = self.nested("blob_properties") else {
            return Value::Null(Type::Dynamic);
        };
        let ty = nested.block.value_type();
        let Some(props) = service
            .and_then(|s| s.get("properties"))
            .filter(|p| p.is_object())
        else {
            return Value::list(ty, vec![]);
        };
        let policy_block = |name: &str, attrs: Vec<(&str, Value)>| -> Value {
            let Some(inner) = nested.block.nested(name) else {
                return Value::Null(Type::Dynamic);
            };
            let inner_ty = inner.block.value_type();
            if attrs.is_empty() {
                return Value::list(inner_ty, vec![]);
            }
            let mut object = null_object(&inner.block);
            for (k, v) in attrs {
                object.insert(k.to_string(), v);
            }
            Value::list(inner_ty, vec![Value::object(object)])
        };
        let enabled = |key: &str| {
            json_get(props, &format!("{key}.enabled")).and_then(Json::as_bool) == Some(true)
        };
        let days = |key: &str| {
            Value::int(
                json_get(props, &format!("{key}.days"))
                    .and_then(Json::as_i64)
                    .unwrap_or(0),
            )
        };
        let delete_policy = if enabled("deleteRetentionPolicy") {
            vec![
                ("days", days("deleteRetentionPolicy")),
                (
                    "permanent_delete_enabled",
                    Value::Bool(
                        json_get(props, "deleteRetentionPolicy.allowPermanentDelete")
                            .and_then(Json::as_bool)
                            .unwrap_or(false),
                    ),
                ),
            ]
        } else {
            vec![]
        };
        let container_policy = if enabled("containerDeleteRetentionPolicy") {
            vec![("days", days("containerDeleteRetentionPolicy"))]
        } else {
            vec![]
        };
        let mut out = null_object(&nested.block);
        out.insert(
            "delete_retention_policy".into(),
            policy_block("delete_retention_policy", delete_policy),
        );
        out.insert(
            "container_delete_retention_policy".into(),
            policy_block("container_delete_retention_policy", container_policy),
        );
        out.insert(
            "versioning_enabled".into(),
            Value::Bool(
                props
                    .get("isVersioningEnabled")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
        );
        out.insert(
            "change_feed_enabled".into(),
            Value::Bool(enabled("changeFeed")),
        );
        out.insert(
            "change_feed_retention_in_days".into(),
            Value::int(
                json_get(props, "changeFeed.retentionInDays")
                    .and_then(Json::as_i64)
                    .unwrap_or(0),
            ),
        );
        out.insert(
            "default_service_version".into(),
            Value::string(
                props
                    .get("defaultServiceVersion")
                    .and_then(Json::as_str)
                    .unwrap_or_default(),
            ),
        );
        out.insert(
            "last_access_time_enabled".into(),
            Value::Bool(
                json_get(props, "lastAccessTimeTrackingPolicy.enable")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
        );
        Value::list(ty, vec![Value::object(out)])
    }

    fn supports_blob(state: &Value) -> bool {
        string_attribute(state, "account_kind").as_deref() != Some("FileStorage")
    }

    /// The state completed with the account's own reads: its endpoints' keys and connection
    /// strings (from `listKeys`) and its blob service's properties.
    async fn with_keys_and_blob_properties(
        &self,
        ctx: &Ctx<'_>,
        state: Value,
    ) -> Result<Value, Diagnostics> {
        let id = string_attribute(&state, "id").unwrap_or_default();
        let name = string_attribute(&state, "name").unwrap_or_default();
        let read_timeout = timeout(&state, "read", self.def.timeouts.read);
        let mut attrs = state.as_mapping().cloned().unwrap_or_default();
        let keys = match ctx
            .client
            .post(&format!("{id}/listKeys"), API_VERSION, None, read_timeout)
            .await
        {
            Ok(keys) => keys,
            // A read lock (409) or too few permissions (401, 403) leave the keys empty.
            Err(crate::arm::error::ArmError::Status {
                status: 401 | 403 | 409,
                ..
            }) => {
                json!({"keys": []})
            }
            Err(e) => return Err(e.diagnostics("listing the keys of", &id)),
        };
        let values: Vec<String> = keys
            .get("keys")
            .and_then(Json::as_array)
            .map(|k| {
                k.iter()
                    .map(|key| {
                        key.get("value")
                            .and_then(Json::as_str)
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let text = |attrs: &BTreeMap<String, Value>, key: &str| {
            attrs
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let suffix = domain_suffix(&name, &text(&attrs, "primary_blob_host"))
            .or_else(|| domain_suffix(&name, &text(&attrs, "primary_file_host")))
            .unwrap_or_else(|| "core.windows.net".to_string());
        for (index, which) in ["primary", "secondary"].iter().enumerate() {
            let key = values.get(index).cloned().unwrap_or_default();
            let blob_endpoint = text(&attrs, &format!("{which}_blob_endpoint"));
            let (connection, blob) = if key.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("DefaultEndpointsProtocol=https;AccountName={name};AccountKey={key};EndpointSuffix={suffix}"),
                    if blob_endpoint.is_empty() {
                        String::new()
                    } else {
                        format!("DefaultEndpointsProtocol=https;BlobEndpoint={blob_endpoint};AccountName={name};AccountKey={key}")
                    },
                )
            };
            attrs.insert(format!("{which}_access_key"), Value::string(key));
            attrs.insert(
                format!("{which}_connection_string"),
                Value::string(connection),
            );
            attrs.insert(
                format!("{which}_blob_connection_string"),
                Value::string(blob),
            );
        }
        let blob = if Self::supports_blob(&state) {
            ctx.client
                .get(&format!("{id}/blobServices/default"), API_VERSION)
                .await
                .map_err(|e| e.diagnostics("reading the blob properties of", &id))?
        } else {
            None
        };
        attrs.insert(
            "blob_properties".into(),
            self.flatten_blob_properties(blob.as_ref()),
        );
        Ok(Value::object(attrs))
    }

    async fn write_blob_properties(
        &self,
        ctx: &Ctx<'_>,
        id: &str,
        planned: &Value,
        operation: &str,
        default_timeout: std::time::Duration,
    ) -> Result<(), Diagnostics> {
        if !Self::supports_blob(planned) {
            return Err(error(
                "Invalid blob_properties",
                format!(
                    "`blob_properties` aren't supported for account kind {:?}",
                    string_attribute(planned, "account_kind").unwrap_or_default()
                ),
            ));
        }
        let body = Self::expand_blob_properties(planned)?;
        ctx.client
            .put(
                &format!("{id}/blobServices/default"),
                API_VERSION,
                &[],
                &body,
                timeout(planned, operation, default_timeout),
            )
            .await
            .map(drop)
            .map_err(|e| e.diagnostics("updating the blob properties of", id))
    }
}

/// The storage domain suffix of an endpoint's host (`acct.blob.core.windows.net` ->
/// `core.windows.net`).
fn domain_suffix(account: &str, host: &str) -> Option<String> {
    let rest = host.strip_prefix(account)?.strip_prefix('.')?;
    let (_, suffix) = rest.split_once('.')?;
    (!suffix.is_empty()).then(|| suffix.to_string())
}

#[async_trait::async_trait]
impl ResourceType for StorageAccount {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(name) = attribute(config, "name").as_str() {
            let valid = (3..=24).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !valid {
                diagnostics.extend(error(
                    "Invalid name",
                    format!("{name:?} can only consist of lowercase letters and numbers, and must be between 3 and 24 characters long"),
                ));
            }
        }
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
        one_of(
            "account_kind",
            &[
                "BlobStorage",
                "BlockBlobStorage",
                "FileStorage",
                "Storage",
                "StorageV2",
            ],
            &mut diagnostics,
        );
        one_of("account_tier", &["Premium", "Standard"], &mut diagnostics);
        one_of(
            "account_replication_type",
            &["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"],
            &mut diagnostics,
        );
        one_of(
            "access_tier",
            &["Cold", "Cool", "Hot", "Premium"],
            &mut diagnostics,
        );
        one_of(
            "min_tls_version",
            &["TLS1_0", "TLS1_1", "TLS1_2"],
            &mut diagnostics,
        );
        diagnostics
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let planned = |plan: &PlanContext<'_>, name: &str| {
            plan.planned
                .get(name)
                .cloned()
                .unwrap_or(Value::Null(Type::Dynamic))
        };
        let kind = planned(plan, "account_kind");
        if !plan.creating() {
            let old_kind = attribute(plan.prior, "account_kind");
            if let (Some(old), Some(new)) = (old_kind.as_str(), kind.as_str()) {
                if old != new && !old.is_empty() && old != "Storage" && new != "StorageV2" {
                    plan.force_new("account_kind");
                }
            }
            let old_lfs = attribute(plan.prior, "large_file_share_enabled").as_bool();
            let new_lfs = planned(plan, "large_file_share_enabled").as_bool();
            if old_lfs == Some(true) && new_lfs == Some(false) {
                plan.force_new("large_file_share_enabled");
            }
            let old_rep = attribute(plan.prior, "account_replication_type");
            let new_rep = planned(plan, "account_replication_type");
            if let (Some(old), Some(new)) = (old_rep.as_str(), new_rep.as_str()) {
                let zonal =
                    |r: &str| matches!(r.to_ascii_uppercase().as_str(), "ZRS" | "GZRS" | "RAGZRS");
                let known = |r: &str| {
                    matches!(
                        r.to_ascii_uppercase().as_str(),
                        "LRS" | "GRS" | "RAGRS" | "ZRS" | "GZRS" | "RAGZRS"
                    )
                };
                if known(old) && known(new) && zonal(old) != zonal(new) {
                    plan.force_new("account_replication_type");
                }
            }
        }
        let Some(kind) = kind.as_str() else {
            return;
        };
        let tier = planned(plan, "access_tier");
        if tier.as_str().is_some_and(|t| !t.is_empty()) && !KINDS_WITH_ACCESS_TIER.contains(&kind) {
            plan.diagnostics.extend(error(
                "Invalid access_tier",
                format!(
                    "`access_tier` is only available for accounts where `kind` is set to one of: {}",
                    KINDS_WITH_ACCESS_TIER.join(" / ")
                ),
            ));
        }
        if planned(plan, "is_hns_enabled").as_bool() == Some(true)
            && !KINDS_WITH_HNS.contains(&kind)
        {
            plan.diagnostics.extend(error(
                "Invalid is_hns_enabled",
                format!(
                    "`is_hns_enabled` can only be used for accounts with `account_kind` set to one of: {}",
                    KINDS_WITH_HNS.join(" / ")
                ),
            ));
        }
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let planned = change.planned;
        let kind = string_attribute(planned, "account_kind").unwrap_or_default();
        let tenant = change.account.tenant_id.clone();
        if change.creating() {
            let sku = Self::sku_name(planned);
            if kind == "BlobStorage" && sku == "Standard_ZRS" {
                return Err(error(
                    "Invalid account_replication_type",
                    "`account_replication_type` of `ZRS` isn't supported for Blob Storage accounts",
                ));
            }
            json_set(
                body,
                "sku",
                json!({"name": sku, "tier": string_attribute(planned, "account_tier").unwrap_or_default()}),
            );
            let tier = string_attribute(planned, "access_tier");
            if KINDS_WITH_ACCESS_TIER.contains(&kind.as_str()) {
                json_set(
                    body,
                    "properties.accessTier",
                    json!(tier.unwrap_or_else(|| "Hot".into())),
                );
            } else if tier.is_some() {
                return Err(error(
                    "Invalid access_tier",
                    format!(
                        "`access_tier` is only available for accounts of kind set to one of: {}",
                        KINDS_WITH_ACCESS_TIER.join(" / ")
                    ),
                ));
            }
            let nfs = attribute(planned, "nfsv3_enabled").as_bool() == Some(true);
            if nfs {
                let hns = attribute(planned, "is_hns_enabled").as_bool() == Some(true);
                let account_tier = string_attribute(planned, "account_tier").unwrap_or_default();
                let allowed = (account_tier == "Premium" && kind == "BlockBlobStorage")
                    || (account_tier == "Standard" && kind == "StorageV2");
                if !hns || !allowed {
                    return Err(error(
                        "Invalid nfsv3_enabled",
                        "`nfsv3_enabled` can only be used when `is_hns_enabled` is `true`, with account tier `Standard` and account kind `StorageV2`, or account tier `Premium` and account kind `BlockBlobStorage`",
                    ));
                }
            }
            if attribute(planned, "large_file_share_enabled").as_bool() == Some(true) {
                if !KINDS_WITH_LARGE_FILE_SHARES.contains(&kind.as_str()) {
                    return Err(error(
                        "Invalid large_file_share_enabled",
                        format!(
                            "`large_file_shares_enabled` can only be set to `true` with `account_kind` set to one of: {}",
                            KINDS_WITH_LARGE_FILE_SHARES.join(" / ")
                        ),
                    ));
                }
                json_set(body, "properties.largeFileSharesState", json!("Enabled"));
            }
            if kind == "Storage" {
                for attr in ["queue_encryption_key_type", "table_encryption_key_type"] {
                    if string_attribute(planned, attr).as_deref() == Some("Account") {
                        return Err(error(
                            format!("Invalid {attr}"),
                            format!("`{attr} = \"Account\"` cannot be used with account kind `\"Storage\"`"),
                        ));
                    }
                }
            }
            json_set(
                body,
                "properties.encryption",
                Self::expand_encryption(planned),
            );
            json_set(
                body,
                "properties.networkAcls",
                Self::expand_network_rules(planned, &tenant),
            );
            if let Some(identity) = expand_identity(planned) {
                json_set(body, "identity", identity);
            }
            if let Some(domain) = first_block(&attribute(planned, "custom_domain")) {
                json_set(
                    body,
                    "properties.customDomain",
                    json!({
                        "name": string_attribute(&domain, "name").unwrap_or_default(),
                        "useSubDomainName": attribute(&domain, "use_subdomain").as_bool() == Some(true),
                    }),
                );
            }
            if let Some(policy) = first_block(&attribute(planned, "sas_policy")) {
                json_set(
                    body,
                    "properties.sasPolicy",
                    json!({
                        "sasExpirationPeriod": string_attribute(&policy, "expiration_period").unwrap_or_default(),
                        "expirationAction": string_attribute(&policy, "expiration_action").unwrap_or_else(|| "Log".into()),
                    }),
                );
            }
            if attribute(planned, "tags").is_null() {
                json_set(body, "tags", json!({}));
            }
            return Ok(());
        }
        // An update writes back only the writable properties of what ARM has.
        let existing = body.get("properties").cloned().unwrap_or(json!({}));
        let mut properties = serde_json::Map::new();
        for key in WRITABLE_PROPERTIES {
            if let Some(v) = existing.get(*key) {
                properties.insert(key.to_string(), v.clone());
            }
        }
        if existing.get("largeFileSharesState").and_then(Json::as_str) == Some("Enabled") {
            properties.insert("largeFileSharesState".into(), json!("Enabled"));
        }
        if !change.changed("shared_access_key_enabled")
            && !properties.contains_key("allowSharedKeyAccess")
        {
            properties.insert("allowSharedKeyAccess".into(), json!(true));
        }
        if change.changed("large_file_share_enabled") {
            if attribute(change.prior, "large_file_share_enabled").as_bool() == Some(true)
                && attribute(planned, "large_file_share_enabled").as_bool() == Some(false)
            {
                return Err(error(
                    "Invalid large_file_share_enabled",
                    "`large_file_share_enabled` cannot be disabled once it's been enabled",
                ));
            }
            if attribute(planned, "large_file_share_enabled").as_bool() == Some(true) {
                properties.insert("largeFileSharesState".into(), json!("Enabled"));
            }
        }
        if change.changed("network_rules") {
            properties.insert(
                "networkAcls".into(),
                Self::expand_network_rules(planned, &tenant),
            );
        }
        if change.changed("custom_domain") {
            match first_block(&attribute(planned, "custom_domain")) {
                Some(domain) => {
                    properties.insert(
                        "customDomain".into(),
                        json!({
                            "name": string_attribute(&domain, "name").unwrap_or_default(),
                            "useSubDomainName": attribute(&domain, "use_subdomain").as_bool() == Some(true),
                        }),
                    );
                }
                None => {
                    properties.remove("customDomain");
                }
            }
        }
        if change.changed("sas_policy") {
            if let Some(policy) = first_block(&attribute(planned, "sas_policy")) {
                properties.insert(
                    "sasPolicy".into(),
                    json!({
                        "sasExpirationPeriod": string_attribute(&policy, "expiration_period").unwrap_or_default(),
                        "expirationAction": string_attribute(&policy, "expiration_action").unwrap_or_else(|| "Log".into()),
                    }),
                );
            }
        }
        body["properties"] = Json::Object(properties);
        if change.changed("account_replication_type") {
            body["sku"] = json!({"name": Self::sku_name(planned)});
        }
        if change.changed("identity") {
            body["identity"] = expand_identity(planned).unwrap_or(json!({"type": "None"}));
        }
        if let Some(obj) = body.as_object_mut() {
            for read_only in ["id", "name", "type", "etag", "systemData"] {
                obj.remove(read_only);
            }
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let props = body.get("properties").cloned().unwrap_or(json!({}));
        let sku = body
            .get("sku")
            .and_then(|s| s.get("name"))
            .and_then(Json::as_str)
            .unwrap_or_default();
        let (tier_and_version, replication) = sku.split_once('_').unwrap_or((sku, ""));
        let tier = body
            .get("sku")
            .and_then(|s| s.get("tier"))
            .and_then(Json::as_str)
            .unwrap_or_default();
        state.insert("account_tier".into(), Value::string(tier));
        state.insert(
            "account_replication_type".into(),
            Value::string(replication),
        );
        state.insert(
            "provisioned_billing_model_version".into(),
            Value::string(tier_and_version.strip_prefix(tier).unwrap_or_default()),
        );
        state.insert(
            "large_file_share_enabled".into(),
            Value::Bool(
                props.get("largeFileSharesState").and_then(Json::as_str) == Some("Enabled"),
            ),
        );
        let encryption = props.get("encryption");
        let key_type = |service: &str| {
            encryption
                .and_then(|e| json_get(e, &format!("services.{service}.keyType")))
                .and_then(Json::as_str)
                .unwrap_or("Service")
                .to_string()
        };
        state.insert(
            "queue_encryption_key_type".into(),
            Value::string(key_type("queue")),
        );
        state.insert(
            "table_encryption_key_type".into(),
            Value::string(key_type("table")),
        );
        state.insert(
            "infrastructure_encryption_enabled".into(),
            Value::Bool(
                encryption
                    .and_then(|e| e.get("requireInfrastructureEncryption"))
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
        );
        state.insert(
            "network_rules".into(),
            self.flatten_network_rules(props.get("networkAcls")),
        );
        state.insert("identity".into(), flatten_identity(body.get("identity")));
        if let Some(nested) = self.nested("custom_domain") {
            let ty = nested.block.value_type();
            let domain = json_get(&props, "customDomain.name").and_then(Json::as_str);
            let value = match domain {
                Some(name) => Value::list(
                    ty,
                    vec![Value::object(
                        [
                            ("name".to_string(), Value::string(name)),
                            ("use_subdomain".to_string(), Value::Bool(false)),
                        ]
                        .into(),
                    )],
                ),
                None => Value::list(ty, vec![]),
            };
            state.insert("custom_domain".into(), value);
        }
        if let Some(nested) = self.nested("sas_policy") {
            let ty = nested.block.value_type();
            let value = match props.get("sasPolicy").filter(|p| p.is_object()) {
                Some(policy) => {
                    let text = |k: &str| {
                        Value::string(policy.get(k).and_then(Json::as_str).unwrap_or_default())
                    };
                    Value::list(
                        ty,
                        vec![Value::object(
                            [
                                ("expiration_period".to_string(), text("sasExpirationPeriod")),
                                ("expiration_action".to_string(), text("expirationAction")),
                            ]
                            .into(),
                        )],
                    )
                }
                None => Value::list(ty, vec![]),
            };
            state.insert("sas_policy".into(), value);
        }
        let publish = |flag: &str| {
            json_get(&props, &format!("routingPreference.{flag}"))
                .and_then(Json::as_bool)
                .unwrap_or(false)
        };
        for endpoint in ENDPOINTS {
            let base = if endpoint.secondary {
                "secondaryEndpoints"
            } else {
                "primaryEndpoints"
            };
            let path = match endpoint.route {
                Route::Default => Some(format!("{base}.{}", endpoint.service)),
                Route::Internet if publish("publishInternetEndpoints") => {
                    Some(format!("{base}.internetEndpoints.{}", endpoint.service))
                }
                Route::Microsoft if publish("publishMicrosoftEndpoints") => {
                    Some(format!("{base}.microsoftEndpoints.{}", endpoint.service))
                }
                _ => None,
            };
            let url = path
                .and_then(|p| {
                    json_get(&props, &p)
                        .and_then(Json::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default();
            let host = url::Url::parse(&url)
                .ok()
                .and_then(|u| {
                    u.host_str().map(|h| match u.port() {
                        Some(port) => format!("{h}:{port}"),
                        None => h.to_string(),
                    })
                })
                .unwrap_or_default();
            state.insert(endpoint.endpoint.into(), Value::string(url));
            state.insert(endpoint.host.into(), Value::string(host));
        }
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        vec![format!(
            "azurerm_storage_account.{}/{}",
            id_values
                .get("resource_group_name")
                .map(String::as_str)
                .unwrap_or_default(),
            id_values
                .get("name")
                .map(String::as_str)
                .unwrap_or_default()
        )]
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let state = flow::create(self, ctx, planned).await?;
        if first_block(&attribute(planned, "blob_properties")).is_some() {
            let id = string_attribute(&state, "id").unwrap_or_default();
            self.write_blob_properties(ctx, &id, planned, "create", self.def.timeouts.create)
                .await?;
        }
        self.with_keys_and_blob_properties(ctx, state).await
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let state = flow::update(self, ctx, prior, planned).await?;
        let (id, id_values) = stored_id(self, prior)?;
        let change = Change {
            planned,
            prior,
            id: &id,
            id_values: &id_values,
            account: &ctx.client.account,
        };
        if change.changed("blob_properties") {
            self.write_blob_properties(
                ctx,
                &id,
                planned,
                "update",
                self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
            )
            .await?;
        }
        self.with_keys_and_blob_properties(ctx, state).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        match flow::read(self, ctx, state).await? {
            Some(read) => Ok(Some(self.with_keys_and_blob_properties(ctx, read).await?)),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_suffix_from_endpoints() {
        assert_eq!(
            domain_suffix("acct", "acct.blob.core.windows.net").as_deref(),
            Some("core.windows.net")
        );
        assert_eq!(
            domain_suffix("acct", "acct.file.core.chinacloudapi.cn").as_deref(),
            Some("core.chinacloudapi.cn")
        );
        assert_eq!(domain_suffix("acct", "other.blob.core.windows.net"), None);
    }

    #[test]
    fn default_network_rules_read_as_none() {
        let account = StorageAccount::new();
        let defaults = StorageAccount::expand_network_rules(&Value::Null(Type::Dynamic), "t");
        let read = account.flatten_network_rules(Some(&defaults));
        assert_eq!(read.len(), Some(0));
        let deny = json!({"defaultAction": "Deny", "bypass": "Logging, metrics", "ipRules": [{"value": "1.2.3.4", "action": "Allow"}], "virtualNetworkRules": []});
        let read = account.flatten_network_rules(Some(&deny));
        let rules = &read.as_seq().unwrap()[0];
        assert_eq!(
            attribute(rules, "bypass"),
            Value::set(
                Type::String,
                vec![Value::string("Logging"), Value::string("Metrics")]
            )
        );
        assert_eq!(
            attribute(rules, "ip_rules"),
            Value::set(Type::String, vec![Value::string("1.2.3.4")])
        );
    }

    #[test]
    fn every_endpoint_has_its_attributes() {
        let account = StorageAccount::new();
        assert_eq!(ENDPOINTS.len(), 32);
        for endpoint in ENDPOINTS {
            assert!(account.def.block.attr(endpoint.endpoint).is_some());
            assert!(account.def.block.attr(endpoint.host).is_some());
        }
    }
}
