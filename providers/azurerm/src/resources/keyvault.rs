//! Microsoft.KeyVault: vaults (`azurerm_key_vault`, with inline access policies, network
//! ACLs, soft-delete recovery on create and purge on destroy as azurerm's default features
//! do), standalone access policies (`azurerm_key_vault_access_policy`, written through the
//! vault's `accessPolicies/{add,replace,remove}` operations, ID `<vault ID>/objectId/<oid>`),
//! and secrets (`azurerm_key_vault_secret` and its data source), which live in the vault's data
//! plane at its `vaultUri`, reached with tokens for key vault's audience rather than ARM's.

use crate::arm::error::ArmError;
use crate::arm::transport::Answer;
use crate::arm::ArmClient;
use crate::framework::common::{location, resource_group_name, tags};
use crate::framework::flow::{
    self, already_exists, planned_id, state_from_body, stored_id, timeout,
};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, null_object};
use crate::framework::schema::{
    block, block_def, boolean, list_of_strings, map_of_strings, number, set_of_strings, string,
    BlockDef, Nested,
};
use crate::framework::{
    attribute, error, first_block, string_attribute, strings_of, Change, Ctx, DataSourceType,
    ResourceDef, ResourceType, Timeouts, Update,
};
use azure_core::http::{Method, Url};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4.81 manages vaults with.
const API_VERSION: &str = "2026-02-01";
/// The data plane's api-version (azurerm's key vault SDK is 7.4).
const DATA_API_VERSION: &str = "7.4";
/// Key vault's audience in the public cloud, for vaults whose URI does not tell it.
const PUBLIC_VAULT_AUDIENCE: &str = "https://vault.azure.net";
/// How long to wait between checks that a change has landed.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

pub const KEY_VAULT_ID: IdTemplate = IdTemplate::new(
    "Key Vault",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.KeyVault/vaults/{name}",
);
const ACCESS_POLICY_OBJECT_ID: IdTemplate = IdTemplate::new(
    "Access Policy Object",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.KeyVault/vaults/{vault_name}/objectId/{object_id}",
);
const ACCESS_POLICY_APPLICATION_ID: IdTemplate = IdTemplate::new(
    "Access Policy Application",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.KeyVault/vaults/{vault_name}/objectId/{object_id}/applicationId/{application_id}",
);

const CERTIFICATE_PERMISSIONS: &[&str] = &[
    "Get",
    "List",
    "Update",
    "Create",
    "Import",
    "Delete",
    "Recover",
    "Backup",
    "Restore",
    "ManageContacts",
    "ManageIssuers",
    "GetIssuers",
    "ListIssuers",
    "SetIssuers",
    "DeleteIssuers",
    "Purge",
];
const KEY_PERMISSIONS: &[&str] = &[
    "Get",
    "List",
    "Update",
    "Create",
    "Import",
    "Delete",
    "Recover",
    "Backup",
    "Restore",
    "Decrypt",
    "Encrypt",
    "UnwrapKey",
    "WrapKey",
    "Verify",
    "Sign",
    "Purge",
    "Release",
    "Rotate",
    "GetRotationPolicy",
    "SetRotationPolicy",
];
const SECRET_PERMISSIONS: &[&str] = &[
    "Get", "List", "Set", "Delete", "Recover", "Backup", "Restore", "Purge",
];
const STORAGE_PERMISSIONS: &[&str] = &[
    "Backup",
    "Delete",
    "DeleteSAS",
    "Get",
    "GetSAS",
    "List",
    "ListSAS",
    "Purge",
    "Recover",
    "RegenerateKey",
    "Restore",
    "Set",
    "SetSAS",
    "Update",
];

/// Each permission argument, its ARM key and its allowed values.
const PERMISSIONS: &[(&str, &str, &[&str])] = &[
    (
        "certificate_permissions",
        "certificates",
        CERTIFICATE_PERMISSIONS,
    ),
    ("key_permissions", "keys", KEY_PERMISSIONS),
    ("secret_permissions", "secrets", SECRET_PERMISSIONS),
    ("storage_permissions", "storage", STORAGE_PERMISSIONS),
];

fn vault_lock(vault_name: &str) -> String {
    format!("azurerm_key_vault.{}", vault_name.to_ascii_lowercase())
}

fn int_of(value: &Value) -> Option<i64> {
    value.as_number().and_then(|n| n.to_i64())
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

fn tags_value(tags: Option<&Json>) -> Value {
    Value::map(
        Type::String,
        tags.and_then(Json::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), Value::string(s))))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// The permission lists of an access policy argument as ARM's `permissions` object.
fn expand_permissions(policy: &Value) -> Json {
    let mut out = serde_json::Map::new();
    for (attr, key, _) in PERMISSIONS {
        out.insert(key.to_string(), json!(strings_of(&attribute(policy, attr))));
    }
    Json::Object(out)
}

/// A permission list read back in azurerm's casing.
fn flatten_permissions(list: Option<&Json>, allowed: &[&str]) -> Value {
    let items: Vec<Value> = list
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Json::as_str)
                .map(|p| {
                    Value::string(
                        allowed
                            .iter()
                            .find(|a| a.eq_ignore_ascii_case(p))
                            .copied()
                            .unwrap_or(p),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Value::list(Type::String, items)
}

/// The policy of `object_id` (and `application_id`, empty for none) in ARM's list.
fn find_policy<'a>(
    policies: Option<&'a Json>,
    object_id: &str,
    application_id: &str,
) -> Option<&'a Json> {
    policies.and_then(Json::as_array).and_then(|items| {
        items.iter().find(|p| {
            let text = |k: &str| p.get(k).and_then(Json::as_str).unwrap_or_default();
            text("objectId").eq_ignore_ascii_case(object_id)
                && text("applicationId").eq_ignore_ascii_case(application_id)
        })
    })
}

fn permission_attrs() -> Vec<crate::framework::schema::Attr> {
    PERMISSIONS
        .iter()
        .map(|(attr, _, _)| list_of_strings(attr).optional())
        .collect()
}

/// Checks the permission lists of a policy argument against azurerm's allowed values.
fn validate_permissions(policy: &Value, diagnostics: &mut Diagnostics) {
    for (attr, _, allowed) in PERMISSIONS {
        for permission in strings_of(&attribute(policy, attr)) {
            if !allowed.contains(&permission.as_str()) {
                diagnostics.extend(error(
                    format!("Invalid {attr}"),
                    format!("expected {attr} to be one of {allowed:?}, got {permission}"),
                ));
            }
        }
    }
}

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

// ---------------------------------------------------------------------------------------
// azurerm_key_vault

fn access_policy_block() -> Nested {
    let mut attrs = vec![
        string("tenant_id").required(),
        string("object_id").required(),
        string("application_id").optional(),
    ];
    attrs.extend(permission_attrs());
    block("access_policy", block_def(attrs, vec![]))
        .max(1024)
        .computed()
}

/// `azurerm_key_vault`.
pub struct KeyVault {
    def: ResourceDef,
}

impl KeyVault {
    pub fn new() -> KeyVault {
        KeyVault {
            def: ResourceDef {
                name: "azurerm_key_vault",
                schema_version: 2,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        location(),
                        resource_group_name(),
                        boolean("rbac_authorization_enabled").optional().computed(),
                        boolean("enable_rbac_authorization").optional().computed(),
                        string("sku_name").required(),
                        string("tenant_id").required(),
                        boolean("enabled_for_deployment").optional(),
                        boolean("enabled_for_disk_encryption").optional(),
                        boolean("enabled_for_template_deployment").optional(),
                        boolean("public_network_access_enabled")
                            .optional()
                            .default(true),
                        boolean("purge_protection_enabled").optional(),
                        number("soft_delete_retention_days")
                            .optional()
                            .default(Value::int(90)),
                        tags(),
                        string("vault_uri").computed(),
                    ],
                    vec![
                        access_policy_block(),
                        block(
                            "network_acls",
                            block_def(
                                vec![
                                    string("default_action").required(),
                                    string("bypass").required(),
                                    set_of_strings("ip_rules").optional(),
                                    set_of_strings("virtual_network_subnet_ids").optional(),
                                ],
                                vec![],
                            ),
                        )
                        .max(1)
                        .computed(),
                        block(
                            "contact",
                            block_def(
                                vec![
                                    string("email").required(),
                                    string("name").optional(),
                                    string("phone").optional(),
                                ],
                                vec![],
                            ),
                        )
                        .set()
                        .computed(),
                    ],
                ),
                api_version: API_VERSION,
                id: KEY_VAULT_ID,
                timeouts: Timeouts::standard(),
                update: Update::Patch,
                put_query: &[],
            },
        }
    }

    fn nested(&self, name: &str) -> Option<&Nested> {
        self.def.block.nested(name)
    }

    fn expand_access_policies(planned: &Value) -> Json {
        Json::Array(
            attribute(planned, "access_policy")
                .as_seq()
                .unwrap_or_default()
                .iter()
                .map(|policy| {
                    let mut entry = json!({
                        "tenantId": string_attribute(policy, "tenant_id").unwrap_or_default(),
                        "objectId": string_attribute(policy, "object_id").unwrap_or_default(),
                        "permissions": expand_permissions(policy),
                    });
                    if let Some(app) = string_attribute(policy, "application_id") {
                        entry["applicationId"] = json!(app);
                    }
                    entry
                })
                .collect(),
        )
    }

    fn flatten_access_policies(&self, policies: Option<&Json>) -> Value {
        let Some(nested) = self.nested("access_policy") else {
            return Value::Null(Type::Dynamic);
        };
        let items: Vec<Value> = policies
            .and_then(Json::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|p| {
                        let mut out = null_object(&nested.block);
                        let text = |k: &str| {
                            Value::string(p.get(k).and_then(Json::as_str).unwrap_or_default())
                        };
                        out.insert("tenant_id".into(), text("tenantId"));
                        out.insert("object_id".into(), text("objectId"));
                        out.insert("application_id".into(), text("applicationId"));
                        for (attr, key, allowed) in PERMISSIONS {
                            out.insert(
                                attr.to_string(),
                                flatten_permissions(
                                    json_get(p, &format!("permissions.{key}")),
                                    allowed,
                                ),
                            );
                        }
                        Value::object(out)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Value::list(nested.block.value_type(), items)
    }

    /// ARM's network ACLs, and the subnets they name (whose networks are locked).
    fn expand_network_acls(planned: &Value) -> (Option<Json>, Vec<String>) {
        let Some(acls) = first_block(&attribute(planned, "network_acls")) else {
            return (None, Vec::new());
        };
        let subnets = strings_of(&attribute(&acls, "virtual_network_subnet_ids"));
        let json = json!({
            "bypass": string_attribute(&acls, "bypass").unwrap_or_default(),
            "defaultAction": string_attribute(&acls, "default_action").unwrap_or_default(),
            "ipRules": strings_of(&attribute(&acls, "ip_rules"))
                .into_iter()
                .map(|ip| json!({"value": ip}))
                .collect::<Vec<_>>(),
            "virtualNetworkRules": subnets
                .iter()
                .map(|id| json!({"id": id}))
                .collect::<Vec<_>>(),
        });
        (Some(json), subnets)
    }

    fn flatten_network_acls(&self, acls: Option<&Json>) -> Value {
        let Some(nested) = self.nested("network_acls") else {
            return Value::Null(Type::Dynamic);
        };
        let text = |key: &str, default: &str| {
            Value::string(
                acls.and_then(|a| a.get(key))
                    .and_then(Json::as_str)
                    .unwrap_or(default),
            )
        };
        let list = |key: &str, field: &str| {
            Value::set(
                Type::String,
                acls.and_then(|a| a.get(key))
                    .and_then(Json::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| i.get(field).and_then(Json::as_str))
                            .map(Value::string)
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        };
        let mut out = null_object(&nested.block);
        out.insert("bypass".into(), text("bypass", "AzureServices"));
        out.insert("default_action".into(), text("defaultAction", "Allow"));
        out.insert("ip_rules".into(), list("ipRules", "value"));
        out.insert(
            "virtual_network_subnet_ids".into(),
            list("virtualNetworkRules", "id"),
        );
        Value::list(nested.block.value_type(), vec![Value::object(out)])
    }

    /// The locks of a vault and of the virtual networks its ACLs name.
    fn locks_for(vault_name: &str, subnets: &[String]) -> Vec<String> {
        let mut locks = vec![vault_lock(vault_name)];
        for subnet in subnets {
            let parts: Vec<&str> = subnet.split('/').collect();
            let at = |key: &str| {
                parts
                    .iter()
                    .position(|p| p.eq_ignore_ascii_case(key))
                    .and_then(|i| parts.get(i + 1))
                    .copied()
                    .unwrap_or_default()
            };
            locks.push(format!(
                "azurerm_virtual_network.{}/{}",
                at("resourceGroups"),
                at("virtualNetworks")
            ));
        }
        locks
    }

    /// The ID of the soft-deleted vault of this name in this location.
    fn deleted_vault_id(subscription: &str, location: &str, name: &str) -> String {
        format!(
            "/subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}"
        )
    }

    fn create_body(planned: &Value, recover: bool) -> Json {
        let flag = |name: &str| attribute(planned, name).as_bool() == Some(true);
        let mut rbac = flag("rbac_authorization_enabled");
        if flag("enable_rbac_authorization") {
            rbac = true;
        }
        let mut properties = json!({
            "tenantId": string_attribute(planned, "tenant_id").unwrap_or_default(),
            "sku": {"family": "A", "name": string_attribute(planned, "sku_name").unwrap_or_default()},
            "accessPolicies": Self::expand_access_policies(planned),
            "enabledForDeployment": flag("enabled_for_deployment"),
            "enabledForDiskEncryption": flag("enabled_for_disk_encryption"),
            "enabledForTemplateDeployment": flag("enabled_for_template_deployment"),
            "enableRbacAuthorization": rbac,
            "enableSoftDelete": true,
            "publicNetworkAccess": if attribute(planned, "public_network_access_enabled").as_bool() == Some(false) { "Disabled" } else { "Enabled" },
            "createMode": if recover { "recover" } else { "default" },
        });
        if let (Some(acls), _) = Self::expand_network_acls(planned) {
            properties["networkAcls"] = acls;
        }
        if flag("purge_protection_enabled") {
            properties["enablePurgeProtection"] = json!(true);
        }
        if let Some(days) = int_of(&attribute(planned, "soft_delete_retention_days")) {
            if days != 90 {
                properties["softDeleteRetentionInDays"] = json!(days);
            }
        }
        json!({
            "location": crate::framework::mapping::normalize_location(&string_attribute(planned, "location").unwrap_or_default()),
            "properties": properties,
            "tags": tags_json(&attribute(planned, "tags")),
        })
    }

    /// The PATCH of an update: what changed, as azurerm's update writes it.
    fn patch_body(change: &Change<'_>, existing: &Json) -> Result<Json, Diagnostics> {
        let planned = change.planned;
        let flag = |name: &str| attribute(planned, name).as_bool() == Some(true);
        let mut properties = serde_json::Map::new();
        if change.changed("access_policy") {
            properties.insert(
                "accessPolicies".into(),
                Self::expand_access_policies(planned),
            );
        }
        for (attr, key) in [
            ("enabled_for_deployment", "enabledForDeployment"),
            ("enabled_for_disk_encryption", "enabledForDiskEncryption"),
            (
                "enabled_for_template_deployment",
                "enabledForTemplateDeployment",
            ),
            ("rbac_authorization_enabled", "enableRbacAuthorization"),
            ("enable_rbac_authorization", "enableRbacAuthorization"),
        ] {
            if change.changed(attr) {
                properties.insert(key.into(), json!(flag(attr)));
            }
        }
        if change.changed("network_acls") {
            let (acls, _) = Self::expand_network_acls(planned);
            properties.insert("networkAcls".into(), acls.unwrap_or(Json::Null));
        }
        if change.changed("purge_protection_enabled") {
            let was = json_get(existing, "properties.enablePurgeProtection")
                .and_then(Json::as_bool)
                .unwrap_or(false);
            let now = flag("purge_protection_enabled");
            if was && !now {
                return Err(error(
                    "Invalid purge_protection_enabled",
                    format!(
                        "updating {}: once Purge Protection has been Enabled it's not possible to disable it",
                        change.id
                    ),
                ));
            }
            properties.insert("enablePurgeProtection".into(), json!(now));
            if now {
                properties.insert("enableSoftDelete".into(), json!(true));
            }
        }
        if change.changed("public_network_access_enabled") {
            let public =
                attribute(planned, "public_network_access_enabled").as_bool() != Some(false);
            properties.insert(
                "publicNetworkAccess".into(),
                json!(if public { "Enabled" } else { "Disabled" }),
            );
        }
        if change.changed("sku_name") {
            properties.insert(
                "sku".into(),
                json!({"family": "A", "name": string_attribute(planned, "sku_name").unwrap_or_default()}),
            );
        }
        if change.changed("soft_delete_retention_days") {
            let current = json_get(existing, "properties.softDeleteRetentionInDays")
                .and_then(Json::as_i64)
                .unwrap_or(0);
            if current != 0 {
                return Err(error(
                    "Invalid soft_delete_retention_days",
                    format!(
                        "updating {}: once `soft_delete_retention_days` has been configured it cannot be modified",
                        change.id
                    ),
                ));
            }
            properties.insert(
                "softDeleteRetentionInDays".into(),
                json!(int_of(&attribute(planned, "soft_delete_retention_days")).unwrap_or(90)),
            );
        }
        if change.changed("tenant_id") {
            properties.insert(
                "tenantId".into(),
                json!(string_attribute(planned, "tenant_id").unwrap_or_default()),
            );
        }
        let mut body = json!({ "properties": Json::Object(properties) });
        if change.changed("tags") {
            body["tags"] = tags_json(&attribute(planned, "tags"));
        }
        Ok(body)
    }
}

#[async_trait::async_trait]
impl ResourceType for KeyVault {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(name) = attribute(config, "name").as_str() {
            let valid = (3..=24).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.ends_with(|c: char| c.is_ascii_alphanumeric())
                && !name.contains("--");
            if !valid {
                diagnostics.extend(error(
                    "Invalid name",
                    "Key Vault name must be 3 - 24 characters long, begin with a letter, end with a letter or digit, and not contain consecutive hyphens",
                ));
            }
        }
        if let Some(sku) = attribute(config, "sku_name").as_str() {
            if !["standard", "premium"].contains(&sku) {
                diagnostics.extend(error(
                    "Invalid sku_name",
                    format!("expected sku_name to be one of [\"standard\" \"premium\"], got {sku}"),
                ));
            }
        }
        if let Some(tenant) = attribute(config, "tenant_id").as_str() {
            if !is_uuid(tenant) {
                diagnostics.extend(error(
                    "Invalid tenant_id",
                    format!("expected \"tenant_id\" to be a valid UUID, got {tenant}"),
                ));
            }
        }
        if let Some(days) = int_of(&attribute(config, "soft_delete_retention_days")) {
            if !(7..=90).contains(&days) {
                diagnostics.extend(error(
                    "Invalid soft_delete_retention_days",
                    format!("expected soft_delete_retention_days to be in the range (7 - 90), got {days}"),
                ));
            }
        }
        let set = |name: &str| !attribute(config, name).is_null();
        if set("rbac_authorization_enabled") && set("enable_rbac_authorization") {
            diagnostics.extend(error(
                "Conflicting configuration arguments",
                "\"rbac_authorization_enabled\": conflicts with enable_rbac_authorization",
            ));
        }
        for policy in attribute(config, "access_policy")
            .as_seq()
            .unwrap_or_default()
        {
            validate_permissions(policy, &mut diagnostics);
        }
        diagnostics
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let props = body.get("properties").cloned().unwrap_or(json!({}));
        let text =
            |key: &str| Value::string(props.get(key).and_then(Json::as_str).unwrap_or_default());
        let flag = |key: &str| Value::Bool(props.get(key).and_then(Json::as_bool).unwrap_or(false));
        state.insert("vault_uri".into(), text("vaultUri"));
        state.insert("tenant_id".into(), text("tenantId"));
        for (attr, key) in [
            ("enabled_for_deployment", "enabledForDeployment"),
            ("enabled_for_disk_encryption", "enabledForDiskEncryption"),
            (
                "enabled_for_template_deployment",
                "enabledForTemplateDeployment",
            ),
            ("rbac_authorization_enabled", "enableRbacAuthorization"),
            ("enable_rbac_authorization", "enableRbacAuthorization"),
            ("purge_protection_enabled", "enablePurgeProtection"),
        ] {
            state.insert(attr.into(), flag(key));
        }
        state.insert(
            "public_network_access_enabled".into(),
            Value::Bool(
                props
                    .get("publicNetworkAccess")
                    .and_then(Json::as_str)
                    .is_none_or(|p| p.eq_ignore_ascii_case("Enabled")),
            ),
        );
        let retention = props
            .get("softDeleteRetentionInDays")
            .and_then(Json::as_i64)
            .filter(|d| *d != 0)
            .unwrap_or(90);
        state.insert("soft_delete_retention_days".into(), Value::int(retention));
        let sku = json_get(&props, "sku.name")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let sku = ["premium", "standard"]
            .iter()
            .find(|s| s.eq_ignore_ascii_case(sku))
            .copied()
            .unwrap_or_default();
        state.insert("sku_name".into(), Value::string(sku));
        state.insert(
            "network_acls".into(),
            self.flatten_network_acls(props.get("networkAcls").filter(|a| a.is_object())),
        );
        state.insert(
            "access_policy".into(),
            self.flatten_access_policies(props.get("accessPolicies")),
        );
        if let Some(nested) = self.nested("contact") {
            state.insert(
                "contact".into(),
                Value::set(nested.block.value_type(), vec![]),
            );
        }
        state.insert("tags".into(), tags_value(body.get("tags")));
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        vec![vault_lock(
            id_values
                .get("name")
                .map(String::as_str)
                .unwrap_or_default(),
        )]
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let (id, id_values) = planned_id(self, ctx, planned)?;
        let name = id_values.get("name").cloned().unwrap_or_default();
        let (_, subnets) = Self::expand_network_acls(planned);
        let _locks = ctx
            .client
            .locks()
            .lock(&Self::locks_for(&name, &subnets))
            .await;
        if first_block(&attribute(planned, "contact")).is_some() {
            return Err(error(
                "Invalid contact",
                format!("{id}: `contact` field is not supported for new key vaults"),
            ));
        }
        flow::ensure_absent(ctx, self.def.name, &id, API_VERSION).await?;
        // A soft-deleted vault of this name is recovered (azurerm's default
        // `recover_soft_deleted_key_vaults`); without the permission to look, it is not.
        let location = crate::framework::mapping::normalize_location(
            &string_attribute(planned, "location").unwrap_or_default(),
        );
        let deleted_id =
            Self::deleted_vault_id(&ctx.client.account.subscription_id, &location, &name);
        let recover = match ctx.client.get(&deleted_id, API_VERSION).await {
            Ok(found) => found.is_some(),
            Err(ArmError::Status { status: 403, .. }) => false,
            Err(e) => {
                return Err(e.diagnostics(
                    "checking for the presence of an existing Soft-Deleted Key Vault",
                    &deleted_id,
                ))
            }
        };
        let body = Self::create_body(planned, recover);
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
        if json_get(&response, "properties.vaultUri")
            .and_then(Json::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(error(
                "Key Vault without a URI",
                format!("retrieving {id}: `properties.VaultUri` was nil"),
            ));
        }
        Ok(state_from_body(self, &id, &id_values, &response, planned))
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let (id, id_values) = stored_id(self, prior)?;
        let name = id_values.get("name").cloned().unwrap_or_default();
        let (_, subnets) = Self::expand_network_acls(planned);
        let _locks = ctx
            .client
            .locks()
            .lock(&Self::locks_for(&name, &subnets))
            .await;
        let existing = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Key Vault not found", format!("{id} was not found")))?;
        let change = Change {
            planned,
            prior,
            id: &id,
            id_values: &id_values,
            account: &ctx.client.account,
        };
        let body = Self::patch_body(&change, &existing)?;
        let response = ctx
            .client
            .patch(
                &id,
                API_VERSION,
                &body,
                timeout(planned, "update", self.def.timeouts.create),
            )
            .await
            .map_err(|e| e.diagnostics("updating", &id))?;
        Ok(state_from_body(self, &id, &id_values, &response, planned))
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let (id, id_values) = stored_id(self, state)?;
        let name = id_values.get("name").cloned().unwrap_or_default();
        let Some(current) = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
        else {
            return Ok(());
        };
        let subnets: Vec<String> = json_get(&current, "properties.networkAcls.virtualNetworkRules")
            .and_then(Json::as_array)
            .map(|rules| {
                rules
                    .iter()
                    .filter_map(|r| r.get("id").and_then(Json::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let _locks = ctx
            .client
            .locks()
            .lock(&Self::locks_for(&name, &subnets))
            .await;
        let wait = timeout(state, "delete", self.def.timeouts.delete);
        ctx.client
            .delete(&id, API_VERSION, wait)
            .await
            .map_err(|e| e.diagnostics("deleting", &id))?;
        // azurerm's default `purge_soft_delete_on_destroy`: purge, unless purge protection
        // leaves that to Azure.
        let soft_delete = json_get(&current, "properties.enableSoftDelete")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        let protected = json_get(&current, "properties.enablePurgeProtection")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        if !soft_delete || protected {
            return Ok(());
        }
        let location = crate::framework::mapping::normalize_location(
            current
                .get("location")
                .and_then(Json::as_str)
                .unwrap_or_default(),
        );
        let deleted_id =
            Self::deleted_vault_id(&ctx.client.account.subscription_id, &location, &name);
        ctx.client
            .post(&format!("{deleted_id}/purge"), API_VERSION, None, wait)
            .await
            .map(drop)
            .map_err(|e| e.diagnostics("purging", &deleted_id))
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_key_vault_access_policy

/// `azurerm_key_vault_access_policy`: one entry of a vault's access policies.
pub struct KeyVaultAccessPolicy {
    def: ResourceDef,
}

impl KeyVaultAccessPolicy {
    pub fn new() -> KeyVaultAccessPolicy {
        let mut attrs = vec![
            string("key_vault_id").required().force_new(),
            string("tenant_id").required().force_new(),
            string("object_id").required().force_new(),
            string("application_id").optional().force_new(),
        ];
        attrs.extend(permission_attrs());
        KeyVaultAccessPolicy {
            def: ResourceDef {
                name: "azurerm_key_vault_access_policy",
                schema_version: 0,
                block: block_def(attrs, vec![]),
                api_version: API_VERSION,
                id: ACCESS_POLICY_OBJECT_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The vault ID, object ID and application ID (empty for none) of a policy ID.
    fn parse_id(id: &str) -> Result<(String, String, String), String> {
        let (values, application) = match ACCESS_POLICY_OBJECT_ID.parse(id, false) {
            Ok(values) => (values, String::new()),
            Err(_) => {
                let values = ACCESS_POLICY_APPLICATION_ID.parse(id, false).map_err(|_| {
                    format!("{id:?} didn't parse as either an Object ID ('{{keyVaultId}}/objectId/{{objId}}') or an Application ID ('{{keyVaultId}}/objectId/{{objId}}/applicationId/{{appId}}')")
                })?;
                let application = values.get("application_id").cloned().unwrap_or_default();
                (values, application)
            }
        };
        let vault = KEY_VAULT_ID.build(&|key| match key {
            "name" => values.get("vault_name").cloned(),
            other => values.get(other).cloned(),
        })?;
        let object = values.get("object_id").cloned().unwrap_or_default();
        Ok((vault, object, application))
    }

    fn entry(planned: &Value, object_id: &str, application_id: &str) -> Json {
        let mut entry = json!({
            "objectId": object_id,
            "tenantId": string_attribute(planned, "tenant_id").unwrap_or_default(),
            "permissions": expand_permissions(planned),
        });
        if !application_id.is_empty() {
            entry["applicationId"] = json!(application_id);
        }
        entry
    }

    /// Writes `entry` with the vault's `accessPolicies/{operation}`, then waits until the
    /// vault shows it (or, removing it, no longer does).
    async fn write(
        ctx: &Ctx<'_>,
        vault_id: &str,
        operation: &str,
        entry: Json,
        wait: Duration,
    ) -> Result<(), Diagnostics> {
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default();
        let body = json!({"name": vault_name, "properties": {"accessPolicies": [entry.clone()]}});
        let path = format!("{vault_id}/accessPolicies/{operation}");
        let url = ctx
            .client
            .url(&path, API_VERSION, &[])
            .map_err(|e| e.diagnostics("updating the access policies of", vault_id))?;
        let answer = ctx
            .client
            .request(Method::Put, &url, Some(&body))
            .await
            .map_err(|e| e.diagnostics("updating the access policies of", vault_id))?;
        if !answer.is_success() {
            return Err(answer
                .error()
                .diagnostics("updating the access policies of", vault_id));
        }
        let object = entry
            .get("objectId")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let application = entry
            .get("applicationId")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let wanted = operation != "remove";
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let vault = ctx
                .client
                .get(vault_id, API_VERSION)
                .await
                .map_err(|e| e.diagnostics("retrieving", vault_id))?;
            let found = vault.as_ref().is_some_and(|v| {
                find_policy(
                    json_get(v, "properties.accessPolicies"),
                    object,
                    application,
                )
                .is_some()
            });
            if found == wanted {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(error(
                    "Access policy not applied",
                    format!("waiting for the access policy (Object ID {object:?}) of {vault_id}: timed out"),
                ));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    fn state_of(&self, vault_id: &str, id: &str, policy: &Json, previous: &Value) -> Value {
        let (_, object, application) = Self::parse_id(id).unwrap_or_default();
        let mut out = null_object(&self.def.full_block());
        out.insert("id".into(), Value::string(id));
        out.insert("key_vault_id".into(), Value::string(vault_id));
        out.insert("object_id".into(), Value::string(object));
        out.insert("application_id".into(), Value::string(application));
        out.insert(
            "tenant_id".into(),
            Value::string(
                policy
                    .get("tenantId")
                    .and_then(Json::as_str)
                    .unwrap_or_default(),
            ),
        );
        for (attr, key, allowed) in PERMISSIONS {
            out.insert(
                attr.to_string(),
                flatten_permissions(json_get(policy, &format!("permissions.{key}")), allowed),
            );
        }
        out.insert("timeouts".into(), attribute(previous, "timeouts"));
        let previous = previous.as_mapping().cloned().unwrap_or_default();
        crate::framework::flow::keep_null_for_empty(&mut out, &previous);
        Value::object(out)
    }
}

#[async_trait::async_trait]
impl ResourceType for KeyVaultAccessPolicy {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for name in ["tenant_id", "object_id", "application_id"] {
            if let Some(v) = attribute(config, name).as_str() {
                if !is_uuid(v) {
                    diagnostics.extend(error(
                        format!("Invalid {name}"),
                        format!("expected {name:?} to be a valid UUID, got {v}"),
                    ));
                }
            }
        }
        if let Some(vault) = attribute(config, "key_vault_id").as_str() {
            if let Err(e) = KEY_VAULT_ID.parse(vault, false) {
                diagnostics.extend(error("Invalid key_vault_id", e));
            }
        }
        validate_permissions(config, &mut diagnostics);
        diagnostics
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let vault_text = string_attribute(planned, "key_vault_id").unwrap_or_default();
        let vault = KEY_VAULT_ID
            .parse(&vault_text, false)
            .map_err(|e| error("Invalid key_vault_id", e))?;
        let vault_id = KEY_VAULT_ID
            .build(&|k| vault.get(k).cloned())
            .map_err(|e| error("Invalid key_vault_id", e))?;
        let object = string_attribute(planned, "object_id").unwrap_or_default();
        let application = string_attribute(planned, "application_id").unwrap_or_default();
        let tenant = string_attribute(planned, "tenant_id").unwrap_or_default();
        let id = if application.is_empty() {
            format!("{vault_id}/objectId/{object}")
        } else {
            format!("{vault_id}/objectId/{object}/applicationId/{application}")
        };
        let vault_name = vault.get("name").cloned().unwrap_or_default();
        let _locks = ctx.client.locks().lock(&[vault_lock(&vault_name)]).await;
        let current = ctx
            .client
            .get(&vault_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving parent", &vault_id))?
            .ok_or_else(|| error("Key Vault not found", format!("{vault_id} was not found")))?;
        let exists = json_get(&current, "properties.accessPolicies")
            .and_then(Json::as_array)
            .is_some_and(|policies| {
                policies.iter().any(|p| {
                    let text = |k: &str| p.get(k).and_then(Json::as_str).unwrap_or_default();
                    text("tenantId") == tenant
                        && text("objectId") == object
                        && text("applicationId") == application
                })
            });
        if exists && !ctx.features.skip_import_check {
            return Err(already_exists(self.def.name, &id));
        }
        let entry = Self::entry(planned, &object, &application);
        let wait = timeout(planned, "create", self.def.timeouts.create);
        Self::write(ctx, &vault_id, "add", entry, wait).await?;
        self.read(ctx, &{
            let mut attrs = planned.as_mapping().cloned().unwrap_or_default();
            attrs.insert("id".into(), Value::string(id.clone()));
            Value::object(attrs)
        })
        .await?
        .ok_or_else(|| {
            error(
                "Access policy not found",
                format!("{id} was not found after creating it"),
            )
        })
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let id = string_attribute(prior, "id").unwrap_or_default();
        let (vault_id, object, application) =
            Self::parse_id(&id).map_err(|e| error("Invalid resource ID", e))?;
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default().to_string();
        let _locks = ctx.client.locks().lock(&[vault_lock(&vault_name)]).await;
        let entry = Self::entry(planned, &object, &application);
        let wait = timeout(planned, "update", self.def.timeouts.create);
        Self::write(ctx, &vault_id, "replace", entry, wait).await?;
        let mut attrs = planned.as_mapping().cloned().unwrap_or_default();
        attrs.insert("id".into(), Value::string(id.clone()));
        self.read(ctx, &Value::object(attrs)).await?.ok_or_else(|| {
            error(
                "Access policy not found",
                format!("{id} was not found after updating it"),
            )
        })
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let id = string_attribute(state, "id").unwrap_or_default();
        let (vault_id, object, application) =
            Self::parse_id(&id).map_err(|e| error("Invalid resource ID", e))?;
        let Some(vault) = ctx
            .client
            .get(&vault_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving parent", &vault_id))?
        else {
            return Ok(None);
        };
        let Some(policy) = find_policy(
            json_get(&vault, "properties.accessPolicies"),
            &object,
            &application,
        ) else {
            return Ok(None);
        };
        Ok(Some(self.state_of(&vault_id, &id, policy, state)))
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let id = string_attribute(state, "id").unwrap_or_default();
        let (vault_id, object, application) =
            Self::parse_id(&id).map_err(|e| error("Invalid resource ID", e))?;
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default().to_string();
        let _locks = ctx.client.locks().lock(&[vault_lock(&vault_name)]).await;
        let vault = ctx
            .client
            .get(&vault_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving parent", &vault_id))?
            .ok_or_else(|| error("Key Vault not found", format!("{vault_id} was not found")))?;
        // The policy is removed as the vault has it (its permissions in the vault's casing).
        let mut entry = find_policy(
            json_get(&vault, "properties.accessPolicies"),
            &object,
            &application,
        )
        .cloned()
        .ok_or_else(|| {
            error(
                "Access policy not found",
                format!("unable to find Access Policy (Object ID {object:?} / Application ID {application:?}) on {vault_id}"),
            )
        })?;
        if !application.is_empty() {
            entry["applicationId"] = json!(application);
        }
        let wait = timeout(state, "delete", self.def.timeouts.delete);
        Self::write(ctx, &vault_id, "remove", entry, wait).await
    }

    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        Self::parse_id(id).map_err(|e| error("Invalid import ID", e))?;
        let mut state = null_object(&self.def.full_block());
        state.insert("id".into(), Value::string(id));
        Ok(Value::object(state))
    }
}

// ---------------------------------------------------------------------------------------
// Secrets: the data plane.

/// A secret's URL split up: the vault's base URI (with its trailing slash), the name and the
/// version (empty for a versionless ID).
#[derive(Clone, Debug, PartialEq)]
struct SecretId {
    base: String,
    name: String,
    version: String,
}

impl SecretId {
    /// Parses `{vault URI}secrets/{name}[/{version}]`.
    fn parse(text: &str, versioned: bool) -> Result<SecretId, String> {
        let url = Url::parse(text).map_err(|e| format!("parsing {text:?}: {e}"))?;
        let segments: Vec<&str> = url.path().trim_start_matches('/').split('/').collect();
        let at = segments
            .iter()
            .rposition(|s| *s == "secrets")
            .ok_or_else(|| {
                format!("{text:?} is not a key vault secret ID: expected `secrets` in its path")
            })?;
        let rest = &segments[at + 1..];
        let (name, version) = match rest {
            [name, version] if !name.is_empty() && !version.is_empty() => (*name, *version),
            [name] | [name, ""] if !name.is_empty() && !versioned => (*name, ""),
            _ => {
                return Err(format!(
                    "{text:?} is not a {} key vault secret ID: expected `{{vault URI}}secrets/{{name}}{}`",
                    if versioned { "versioned" } else { "versionless" },
                    if versioned { "/{version}" } else { "" }
                ))
            }
        };
        let prefix: String = segments[..at].iter().map(|s| format!("{s}/")).collect();
        let mut base = url.clone();
        base.set_path(&format!("/{prefix}"));
        base.set_query(None);
        Ok(SecretId {
            base: base.to_string(),
            name: name.to_string(),
            version: version.to_string(),
        })
    }

    fn versionless(&self) -> String {
        format!("{}secrets/{}", self.base, self.name)
    }

    fn versioned(&self) -> String {
        format!("{}secrets/{}/{}", self.base, self.name, self.version)
    }
}

/// The OAuth scope of a vault's data plane: the audience its host name tells
/// (`{vault}.vault.azure.net` -> `https://vault.azure.net`), else the public cloud's.
fn vault_scope(vault_uri: &Url, vault_name: &str) -> String {
    let host = vault_uri
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let audience = host
        .strip_prefix(&format!("{}.", vault_name.to_ascii_lowercase()))
        .filter(|rest| rest.contains('.'))
        .map(|rest| format!("https://{rest}"))
        .unwrap_or_else(|| PUBLIC_VAULT_AUDIENCE.to_string());
    format!("{audience}/.default")
}

/// A client of one vault's data plane.
struct VaultData {
    client: ArmClient,
    base: Url,
}

impl VaultData {
    fn new(ctx: &Ctx<'_>, vault_uri: &str, vault_name: &str) -> Result<VaultData, Diagnostics> {
        let mut base = Url::parse(vault_uri)
            .map_err(|e| error("Invalid vault URI", format!("{vault_uri:?}: {e}")))?;
        crate::arm::cloud::check_scheme(&base).map_err(|e| error("Invalid vault URI", e))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(VaultData {
            client: ctx.client.with_scope(&vault_scope(&base, vault_name)),
            base,
        })
    }

    fn url(&self, path: &str) -> Result<Url, ArmError> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| ArmError::InvalidResponse(format!("{path:?}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", DATA_API_VERSION);
        Ok(url)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Answer, ArmError> {
        let url = self.url(path)?;
        self.client.request(method, &url, body).await
    }

    /// A secret (its latest version when `version` is empty); `None` when there is none.
    async fn get_secret(&self, name: &str, version: &str) -> Result<Option<Json>, ArmError> {
        let answer = self
            .send(Method::Get, &format!("secrets/{name}/{version}"), None)
            .await?;
        match answer.status {
            404 => Ok(None),
            _ if answer.is_success() => answer.json().map(Some),
            _ => Err(answer.error()),
        }
    }

    async fn set_secret(&self, name: &str, body: &Json) -> Result<Answer, ArmError> {
        self.send(Method::Put, &format!("secrets/{name}"), Some(body))
            .await
    }

    async fn expect_success(
        &self,
        method: Method,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Json, ArmError> {
        let answer = self.send(method, path, body).await?;
        if answer.is_success() {
            answer.json()
        } else {
            Err(answer.error())
        }
    }

    /// Waits until `path` answers 404 (`gone`) or not.
    async fn wait_for(&self, path: &str, gone: bool, wait: Duration) -> Result<(), ArmError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let answer = self.send(Method::Get, path, None).await?;
            let is_gone = answer.status == 404;
            if is_gone == gone {
                return Ok(());
            }
            if !is_gone && !answer.is_success() {
                return Err(answer.error());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ArmError::Timeout(format!("waiting for {path}")));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}

/// The vault an ID names: its parsed ID and its `vaultUri` (`None` when it is gone).
async fn vault_uri_of(
    ctx: &Ctx<'_>,
    vault_id: &str,
) -> Result<Option<(String, String)>, Diagnostics> {
    let values = KEY_VAULT_ID
        .parse(vault_id, true)
        .map_err(|e| error("Invalid key_vault_id", e))?;
    let vault_id = KEY_VAULT_ID
        .build(&|k| values.get(k).cloned())
        .map_err(|e| error("Invalid key_vault_id", e))?;
    let vault = ctx
        .client
        .get(&vault_id, API_VERSION)
        .await
        .map_err(|e| e.diagnostics("retrieving", &vault_id))?;
    Ok(vault.map(|v| {
        let uri = json_get(&v, "properties.vaultUri")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        (vault_id, uri)
    }))
}

fn same_uri(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// The ARM ID of the vault at a base URI, found among the subscription's vaults.
async fn vault_id_from_uri(ctx: &Ctx<'_>, base: &str) -> Result<Option<String>, Diagnostics> {
    let path = format!(
        "/subscriptions/{}/providers/Microsoft.KeyVault/vaults",
        ctx.client.account.subscription_id
    );
    let vaults = ctx
        .client
        .list(&path, API_VERSION)
        .await
        .map_err(|e| e.diagnostics("listing the key vaults of", &path))?;
    Ok(vaults
        .iter()
        .find(|v| {
            json_get(v, "properties.vaultUri")
                .and_then(Json::as_str)
                .is_some_and(|uri| same_uri(uri, base))
        })
        .and_then(|v| v.get("id").and_then(Json::as_str))
        .and_then(|id| KEY_VAULT_ID.parse(id, true).ok())
        .and_then(|values| KEY_VAULT_ID.build(&|k| values.get(k).cloned()).ok()))
}

/// Unix seconds as azurerm shows dates (RFC 3339, UTC).
fn format_unix(seconds: Option<i64>) -> String {
    seconds
        .and_then(|s| azure_core::time::OffsetDateTime::from_unix_timestamp(s).ok())
        .map(|t| azure_core::time::to_rfc3339(&t))
        .unwrap_or_default()
}

fn parse_date(text: &str) -> Option<i64> {
    azure_core::time::parse_rfc3339(text)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// What a secret's data-plane document says, as the attributes azurerm sets from it.
fn secret_attributes(
    bundle: &Json,
    vault_id: &str,
    id_version: &str,
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let latest = SecretId::parse(
        bundle.get("id").and_then(Json::as_str).unwrap_or_default(),
        true,
    )
    .map_err(|e| error("Invalid secret ID", e))?;
    let mut out = BTreeMap::new();
    let text =
        |key: &str| Value::string(bundle.get(key).and_then(Json::as_str).unwrap_or_default());
    out.insert("name".to_string(), Value::string(latest.name.clone()));
    out.insert("value".to_string(), text("value"));
    out.insert("version".to_string(), Value::string(latest.version.clone()));
    out.insert("content_type".to_string(), text("contentType"));
    out.insert(
        "versionless_id".to_string(),
        Value::string(latest.versionless()),
    );
    let date = |key: &str| {
        Value::string(format_unix(
            json_get(bundle, &format!("attributes.{key}")).and_then(Json::as_i64),
        ))
    };
    out.insert("not_before_date".to_string(), date("nbf"));
    out.insert("expiration_date".to_string(), date("exp"));
    let version = if id_version.is_empty() {
        latest.version.as_str()
    } else {
        id_version
    };
    out.insert(
        "resource_id".to_string(),
        Value::string(format!(
            "{vault_id}/secrets/{}/versions/{version}",
            latest.name
        )),
    );
    out.insert(
        "resource_versionless_id".to_string(),
        Value::string(format!("{vault_id}/secrets/{}", latest.name)),
    );
    out.insert("tags".to_string(), tags_value(bundle.get("tags")));
    out.insert("id".to_string(), Value::string(latest.versioned()));
    Ok(out)
}

fn secret_name_valid(name: &str) -> bool {
    (1..=127).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `azurerm_key_vault_secret`.
pub struct KeyVaultSecret {
    def: ResourceDef,
}

impl KeyVaultSecret {
    pub fn new() -> KeyVaultSecret {
        KeyVaultSecret {
            def: ResourceDef {
                name: "azurerm_key_vault_secret",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        string("key_vault_id").required().force_new(),
                        string("value").optional().sensitive(),
                        string("content_type").optional(),
                        string("not_before_date").optional(),
                        string("expiration_date").optional(),
                        string("version").computed(),
                        string("versionless_id").computed(),
                        string("resource_id").computed(),
                        string("resource_versionless_id").computed(),
                        tags(),
                    ],
                    vec![],
                ),
                api_version: DATA_API_VERSION,
                id: KEY_VAULT_ID,
                timeouts: Timeouts::minutes(30, 30, Some(30), 30),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The body of a set: the value, content type, tags and dates.
    fn set_body(planned: &Value) -> Json {
        let mut attributes = json!({});
        if let Some(nbf) = string_attribute(planned, "not_before_date").and_then(|d| parse_date(&d))
        {
            attributes["nbf"] = json!(nbf);
        }
        if let Some(exp) = string_attribute(planned, "expiration_date").and_then(|d| parse_date(&d))
        {
            attributes["exp"] = json!(exp);
        }
        json!({
            "value": string_attribute(planned, "value").unwrap_or_default(),
            "contentType": string_attribute(planned, "content_type").unwrap_or_default(),
            "tags": tags_json(&attribute(planned, "tags")),
            "attributes": attributes,
        })
    }

    /// The state read back for the latest version, keeping the timeouts and the ID's
    /// version for `resource_id`.
    fn state_from_bundle(
        &self,
        bundle: &Json,
        vault_id: &str,
        id_version: &str,
        previous: &Value,
    ) -> Result<Value, Diagnostics> {
        let mut state = null_object(&self.def.full_block());
        for (k, v) in secret_attributes(bundle, vault_id, id_version)? {
            state.insert(k, v);
        }
        if !id_version.is_empty() {
            if let Ok(mut id) = SecretId::parse(
                state.get("id").and_then(|v| v.as_str()).unwrap_or_default(),
                true,
            ) {
                id.version = id_version.to_string();
                state.insert("id".into(), Value::string(id.versioned()));
            }
        }
        state.insert("key_vault_id".into(), Value::string(vault_id));
        state.insert("timeouts".into(), attribute(previous, "timeouts"));
        let previous = previous.as_mapping().cloned().unwrap_or_default();
        crate::framework::flow::keep_null_for_empty(&mut state, &previous);
        Ok(Value::object(state))
    }
}

#[async_trait::async_trait]
impl ResourceType for KeyVaultSecret {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(name) = attribute(config, "name").as_str() {
            if !secret_name_valid(name) {
                diagnostics.extend(error(
                    "Invalid name",
                    format!("{name:?} may only contain alphanumeric characters and dashes and must be between 1-127 chars"),
                ));
            }
        }
        if attribute(config, "value").is_null() {
            diagnostics.extend(error(
                "Invalid combination of arguments",
                "\"value\": one of `value,value_wo` must be specified",
            ));
        }
        for name in ["not_before_date", "expiration_date"] {
            if let Some(date) = attribute(config, name).as_str() {
                if parse_date(date).is_none() {
                    diagnostics.extend(error(
                        format!("Invalid {name}"),
                        format!("expected {name:?} to be a valid RFC3339 date, got {date:?}"),
                    ));
                }
            }
        }
        if attribute(config, "tags").len().is_some_and(|n| n > 15) {
            diagnostics.extend(error("Invalid tags", "a maximum of 15 tags can be applied"));
        }
        if let Some(vault) = attribute(config, "key_vault_id").as_str() {
            if let Err(e) = KEY_VAULT_ID.parse(vault, false) {
                diagnostics.extend(error("Invalid key_vault_id", e));
            }
        }
        diagnostics
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let name = string_attribute(planned, "name").unwrap_or_default();
        let vault_text = string_attribute(planned, "key_vault_id").unwrap_or_default();
        let (vault_id, vault_uri) = vault_uri_of(ctx, &vault_text)
            .await?
            .ok_or_else(|| error("Key Vault not found", format!("looking up Secret {name:?} vault url from id {vault_text:?}: the vault was not found")))?;
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default();
        let data = VaultData::new(ctx, &vault_uri, vault_name)?;
        let described = format!("{}secrets/{name}", data.base);
        if !ctx.features.skip_import_check {
            let existing = data
                .get_secret(&name, "")
                .await
                .map_err(|e| e.diagnostics("checking for an existing", &described))?;
            if let Some(id) = existing
                .as_ref()
                .and_then(|e| e.get("id"))
                .and_then(Json::as_str)
            {
                return Err(already_exists(self.def.name, id));
            }
        }
        let body = Self::set_body(planned);
        let answer = data
            .set_secret(&name, &body)
            .await
            .map_err(|e| e.diagnostics("creating", &described))?;
        if answer.status == 409 {
            // A soft-deleted secret of this name is recovered, then set (azurerm's default
            // `recover_soft_deleted_secrets`).
            let wait = timeout(planned, "create", self.def.timeouts.create);
            data.expect_success(
                Method::Post,
                &format!("deletedsecrets/{name}/recover"),
                None,
            )
            .await
            .map_err(|e| e.diagnostics("recovering", &described))?;
            data.wait_for(&format!("secrets/{name}/"), false, wait)
                .await
                .map_err(|e| e.diagnostics("recovering", &described))?;
            let again = data
                .set_secret(&name, &body)
                .await
                .map_err(|e| e.diagnostics("creating", &described))?;
            if !again.is_success() {
                return Err(again.error().diagnostics("creating", &described));
            }
        } else if !answer.is_success() {
            return Err(answer.error().diagnostics("creating", &described));
        }
        let bundle = data
            .get_secret(&name, "")
            .await
            .map_err(|e| e.diagnostics("retrieving", &described))?
            .ok_or_else(|| {
                error(
                    "Secret not found",
                    format!("cannot read KeyVault Secret {described:?}"),
                )
            })?;
        self.state_from_bundle(&bundle, &vault_id, "", planned)
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let id_text = string_attribute(prior, "id").unwrap_or_default();
        let id = SecretId::parse(&id_text, true).map_err(|e| error("Invalid resource ID", e))?;
        let vault_text = string_attribute(planned, "key_vault_id").unwrap_or_default();
        let Some((vault_id, _)) = vault_uri_of(ctx, &vault_text).await? else {
            return Err(error(
                "Key Vault not found",
                format!(
                    "the key vault {vault_text:?} of secret {:?} was not found",
                    id.versionless()
                ),
            ));
        };
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default();
        let data = VaultData::new(ctx, &id.base, vault_name)?;
        let described = id.versionless();
        let value_changed = !attribute(prior, "value").raw_equal(&attribute(planned, "value"));
        if value_changed {
            // A new value is a new version.
            let answer = data
                .set_secret(&id.name, &Self::set_body(planned))
                .await
                .map_err(|e| e.diagnostics("updating", &described))?;
            if !answer.is_success() {
                return Err(answer.error().diagnostics("updating", &described));
            }
        } else {
            // The rest changes the latest version in place.
            let latest = data
                .get_secret(&id.name, "")
                .await
                .map_err(|e| e.diagnostics("retrieving", &described))?
                .and_then(|b| b.get("id").and_then(Json::as_str).map(str::to_string))
                .and_then(|text| SecretId::parse(&text, true).ok())
                .ok_or_else(|| error("Secret not found", format!("{described} was not found")))?;
            let mut body = Self::set_body(planned);
            if let Some(obj) = body.as_object_mut() {
                obj.remove("value");
            }
            data.expect_success(
                Method::Patch,
                &format!("secrets/{}/{}", id.name, latest.version),
                Some(&body),
            )
            .await
            .map_err(|e| e.diagnostics("updating", &described))?;
        }
        let bundle = data
            .get_secret(&id.name, "")
            .await
            .map_err(|e| e.diagnostics("retrieving", &described))?
            .ok_or_else(|| error("Secret not found", format!("{described} was not found")))?;
        self.state_from_bundle(&bundle, &vault_id, "", planned)
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let id_text = string_attribute(state, "id").unwrap_or_default();
        let id = SecretId::parse(&id_text, true).map_err(|e| error("Invalid resource ID", e))?;
        let Some(vault_id) = vault_id_from_uri(ctx, &id.base).await? else {
            return Ok(None);
        };
        if vault_uri_of(ctx, &vault_id).await?.is_none() {
            return Ok(None);
        }
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default().to_string();
        let data = VaultData::new(ctx, &id.base, &vault_name)?;
        let Some(bundle) = data
            .get_secret(&id.name, "")
            .await
            .map_err(|e| e.diagnostics("retrieving", &id.versionless()))?
        else {
            return Ok(None);
        };
        let mut read = self.state_from_bundle(&bundle, &vault_id, &id.version, state)?;
        // The state keeps the key vault ID as configured when it names the same vault.
        let configured = attribute(state, "key_vault_id");
        if configured
            .as_str()
            .is_some_and(|c| c.eq_ignore_ascii_case(&vault_id))
        {
            let mut attrs = read.as_mapping().cloned().unwrap_or_default();
            attrs.insert("key_vault_id".into(), configured);
            read = Value::object(attrs);
        }
        Ok(Some(read))
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let id_text = string_attribute(state, "id").unwrap_or_default();
        let id = SecretId::parse(&id_text, true).map_err(|e| error("Invalid resource ID", e))?;
        let vault_id = vault_id_from_uri(ctx, &id.base).await?.ok_or_else(|| {
            error(
                "Key Vault not found",
                format!(
                    "unable to determine the Resource ID for the Key Vault at URL {:?}",
                    id.base
                ),
            )
        })?;
        let Some(vault) = ctx
            .client
            .get(&vault_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &vault_id))?
        else {
            return Ok(());
        };
        // azurerm's default `purge_soft_deleted_secrets_on_destroy`, unless the vault's purge
        // protection forbids it.
        let purge = json_get(&vault, "properties.enablePurgeProtection").and_then(Json::as_bool)
            != Some(true);
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default().to_string();
        let data = VaultData::new(ctx, &id.base, &vault_name)?;
        let described = id.versionless();
        let wait = timeout(state, "delete", self.def.timeouts.delete);
        let answer = data
            .send(Method::Delete, &format!("secrets/{}", id.name), None)
            .await
            .map_err(|e| e.diagnostics("deleting", &described))?;
        if answer.status == 404 {
            return Ok(());
        }
        if !answer.is_success() {
            return Err(answer.error().diagnostics("deleting", &described));
        }
        data.wait_for(&format!("secrets/{}/", id.name), true, wait)
            .await
            .map_err(|e| e.diagnostics("deleting", &described))?;
        if !purge {
            return Ok(());
        }
        let answer = data
            .send(Method::Delete, &format!("deletedsecrets/{}", id.name), None)
            .await
            .map_err(|e| e.diagnostics("purging", &described))?;
        if !answer.is_success() && answer.status != 404 {
            return Err(answer.error().diagnostics("purging", &described));
        }
        data.wait_for(&format!("deletedsecrets/{}", id.name), true, wait)
            .await
            .map_err(|e| e.diagnostics("purging", &described))
    }

    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        SecretId::parse(id, true).map_err(|e| error("Invalid import ID", e))?;
        let mut state = null_object(&self.def.full_block());
        state.insert("id".into(), Value::string(id));
        Ok(Value::object(state))
    }
}

/// The `azurerm_key_vault_secret` data source.
pub struct KeyVaultSecretData;

impl KeyVaultSecretData {
    fn attrs() -> BlockDef {
        block_def(
            vec![
                string("name").required(),
                string("key_vault_id").required(),
                string("value").computed().sensitive(),
                string("content_type").computed(),
                string("not_before_date").computed(),
                string("expiration_date").computed(),
                string("version").optional(),
                string("versionless_id").computed(),
                string("resource_id").computed(),
                string("resource_versionless_id").computed(),
                map_of_strings("tags").computed(),
            ],
            vec![],
        )
    }
}

#[async_trait::async_trait]
impl DataSourceType for KeyVaultSecretData {
    fn name(&self) -> &'static str {
        "azurerm_key_vault_secret"
    }

    fn block(&self) -> BlockDef {
        KeyVaultSecretData::attrs()
    }

    async fn read(
        &self,
        ctx: &Ctx<'_>,
        config: &Value,
    ) -> Result<BTreeMap<String, Value>, Diagnostics> {
        let name = string_attribute(config, "name").unwrap_or_default();
        let version = string_attribute(config, "version").unwrap_or_default();
        let vault_text = string_attribute(config, "key_vault_id").unwrap_or_default();
        let (vault_id, vault_uri) = vault_uri_of(ctx, &vault_text).await?.ok_or_else(|| {
            error(
                "Key Vault not found",
                format!("looking up Secret {name:?} vault url from id {vault_text:?}: the vault was not found"),
            )
        })?;
        let vault_name = vault_id.rsplit('/').next().unwrap_or_default();
        let data = VaultData::new(ctx, &vault_uri, vault_name)?;
        let bundle = data
            .get_secret(&name, &version)
            .await
            .map_err(|e| e.diagnostics("retrieving", &format!("{}secrets/{name}", data.base)))?
            .ok_or_else(|| {
                error(
                    "Secret not found",
                    format!(
                        "KeyVault Secret {name:?} (KeyVault URI {:?}) does not exist",
                        data.base.as_str()
                    ),
                )
            })?;
        let mut out = secret_attributes(&bundle, &vault_id, "")?;
        out.insert("key_vault_id".into(), Value::string(vault_id));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_ids_of_azure_and_of_the_simulator() {
        let azure =
            SecretId::parse("https://kv1.vault.azure.net/secrets/db/0123abcd", true).unwrap();
        assert_eq!(azure.base, "https://kv1.vault.azure.net/");
        assert_eq!(azure.name, "db");
        assert_eq!(azure.version, "0123abcd");
        assert_eq!(
            azure.versionless(),
            "https://kv1.vault.azure.net/secrets/db"
        );
        let sim =
            SecretId::parse("http://127.0.0.1:4000/keyvault/kv1/secrets/db/ff00", true).unwrap();
        assert_eq!(sim.base, "http://127.0.0.1:4000/keyvault/kv1/");
        assert_eq!(
            sim.versioned(),
            "http://127.0.0.1:4000/keyvault/kv1/secrets/db/ff00"
        );
        assert!(SecretId::parse("https://kv1.vault.azure.net/secrets/db", true).is_err());
        assert!(SecretId::parse("https://kv1.vault.azure.net/keys/db/1", true).is_err());
    }

    #[test]
    fn the_data_plane_audience() {
        let public = Url::parse("https://kv1.vault.azure.net/").unwrap();
        assert_eq!(
            vault_scope(&public, "kv1"),
            "https://vault.azure.net/.default"
        );
        let china = Url::parse("https://kv1.vault.azure.cn/").unwrap();
        assert_eq!(
            vault_scope(&china, "KV1"),
            "https://vault.azure.cn/.default"
        );
        let sim = Url::parse("http://127.0.0.1:4000/keyvault/kv1/").unwrap();
        assert_eq!(vault_scope(&sim, "kv1"), "https://vault.azure.net/.default");
    }

    #[test]
    fn access_policy_ids() {
        let vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
        let oid = "00000000-0000-0000-0000-000000000001";
        let (v, o, a) = KeyVaultAccessPolicy::parse_id(&format!("{vault}/objectId/{oid}")).unwrap();
        assert_eq!((v.as_str(), o.as_str(), a.as_str()), (vault, oid, ""));
        let (_, _, a) =
            KeyVaultAccessPolicy::parse_id(&format!("{vault}/objectId/{oid}/applicationId/app"))
                .unwrap();
        assert_eq!(a, "app");
        assert!(KeyVaultAccessPolicy::parse_id(vault).is_err());
    }

    #[test]
    fn dates_round_trip_in_utc() {
        let seconds = parse_date("2030-01-02T03:04:05Z").unwrap();
        assert_eq!(format_unix(Some(seconds)), "2030-01-02T03:04:05Z");
        assert_eq!(
            parse_date("2030-01-02T04:04:05+01:00"),
            Some(seconds),
            "offsets are honoured"
        );
        assert_eq!(format_unix(None), "");
    }

    #[test]
    fn permissions_read_back_in_azurerm_casing() {
        let read = flatten_permissions(Some(&json!(["get", "LIST", "purge"])), SECRET_PERMISSIONS);
        assert_eq!(
            read,
            Value::list(
                Type::String,
                vec![
                    Value::string("Get"),
                    Value::string("List"),
                    Value::string("Purge")
                ]
            )
        );
    }
}
