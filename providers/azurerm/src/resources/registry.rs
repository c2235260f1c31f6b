//! Azure Container Registry: the `azurerm_container_registry` resource, with azurerm v4's
//! schema, defaults, SKU rules, force-new arguments and import ID; updated with PATCH (SKU
//! upgrades first, downgrades last, as azurerm does), and its admin credentials read through
//! `listCredentials` when the admin user is enabled. Geo-replications are not supported.

use crate::framework::common::{identity, identity_def, location, name, resource_group_name, tags};
use crate::framework::flow::{self, state_from_body, stored_id, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_set};
use crate::framework::schema::{
    block, block_def, boolean, number, set_of_strings, string, BlockDef,
};
use crate::framework::{
    attribute, error, Change, Ctx, PlanContext, ResourceDef, ResourceType, Timeouts, Update,
};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4 manages registries with.
const API_VERSION: &str = "2025-11-01";

pub const CONTAINER_REGISTRY_ID: IdTemplate = IdTemplate::new(
    "Registry",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ContainerRegistry/registries/{name}",
);

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

fn first(object: &Value, name: &str) -> Value {
    attribute(object, name)
        .as_seq()
        .and_then(|s| s.first().cloned())
        .unwrap_or(Value::Null(Type::Dynamic))
}

fn jtext(json: &Json, path: &str) -> String {
    json_get(json, path)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

fn jbool(json: &Json, path: &str) -> Option<bool> {
    json_get(json, path).and_then(Json::as_bool)
}

fn is_premium(sku: &str) -> bool {
    sku.eq_ignore_ascii_case("Premium")
}

fn encryption_def() -> BlockDef {
    block_def(
        vec![
            string("identity_client_id").required(),
            string("key_vault_key_id").required(),
        ],
        vec![],
    )
}

fn ip_rule_def() -> BlockDef {
    block_def(
        vec![string("action").required(), string("ip_range").required()],
        vec![],
    )
}

fn network_rule_set_def() -> BlockDef {
    block_def(
        vec![string("default_action").optional().default("Allow")],
        vec![block("ip_rule", ip_rule_def()).set().computed()],
    )
}

fn element(def: &BlockDef, pairs: Vec<(&str, Value)>) -> Value {
    let mut out = crate::framework::mapping::null_object(def);
    for (k, v) in pairs {
        out.insert(k.to_string(), v);
    }
    Value::object(out)
}

fn status(enabled: bool) -> Json {
    json!({ "status": if enabled { "enabled" } else { "disabled" } })
}

fn expand_identity(identity: &Value) -> Option<Json> {
    if identity.is_null() {
        return None;
    }
    let kind = text(identity, "type");
    let mut out = json!({ "type": kind });
    if kind.contains("UserAssigned") {
        let ids: Map<String, Json> = attribute(identity, "identity_ids")
            .as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(|s| (s.to_string(), json!({}))))
            .collect();
        out["userAssignedIdentities"] = Json::Object(ids);
    }
    Some(out)
}

fn expand_network_rule_set(registry: &Value) -> Option<Json> {
    let rules = first(registry, "network_rule_set");
    if rules.is_null() {
        return None;
    }
    let ip_rules: Vec<Json> = attribute(&rules, "ip_rule")
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|r| json!({"action": text(r, "action"), "value": text(r, "ip_range")}))
        .collect();
    Some(json!({"defaultAction": text(&rules, "default_action"), "ipRules": ip_rules}))
}

fn expand_encryption(registry: &Value) -> Option<Json> {
    let encryption = first(registry, "encryption");
    if encryption.is_null() {
        return None;
    }
    Some(json!({
        "keyVaultProperties": {
            "identity": text(&encryption, "identity_client_id"),
            "keyIdentifier": text(&encryption, "key_vault_key_id"),
        },
        "status": "enabled",
    }))
}

fn retention_policy(registry: &Value) -> Json {
    match whole(registry, "retention_policy_in_days") {
        days if days > 0 => json!({"days": days, "status": "enabled"}),
        _ => json!({}),
    }
}

/// The body of a new registry (`resourceContainerRegistryCreate`), after the mapped
/// `location` and `tags`.
fn expand_new_registry(planned: &Value, body: &mut Json) -> Result<(), Diagnostics> {
    let sku = text(planned, "sku");
    let network_rule_set = expand_network_rule_set(planned);
    if network_rule_set.is_some() && !is_premium(&sku) {
        return Err(error("Invalid container registry", "`network_rule_set` can only be specified for a Premium Sku. If you are reverting from a Premium to Basic SKU please set network_rule_set = []"));
    }
    let public = attribute(planned, "public_network_access_enabled")
        .as_bool()
        .unwrap_or(true);
    if !public && !is_premium(&sku) {
        return Err(error(
            "Invalid container registry",
            "`public_network_access_enabled` can only be disabled for a Premium Sku",
        ));
    }
    let mut props = json!({
        "adminUserEnabled": flag(planned, "admin_enabled"),
        "policies": {
            "quarantinePolicy": status(flag(planned, "quarantine_policy_enabled")),
            "retentionPolicy": retention_policy(planned),
            "trustPolicy": if flag(planned, "trust_policy_enabled") { status(true) } else { json!({}) },
            "exportPolicy": status(attribute(planned, "export_policy_enabled").as_bool().unwrap_or(true)),
            "azureADAuthenticationAsArmPolicy": status(attribute(planned, "azuread_authentication_as_arm_policy_enabled").as_bool().unwrap_or(true)),
        },
        "publicNetworkAccess": if public { "Enabled" } else { "Disabled" },
        "zoneRedundancy": if flag(planned, "zone_redundancy_enabled") { "Enabled" } else { "Disabled" },
        "anonymousPullEnabled": flag(planned, "anonymous_pull_enabled"),
        "dataEndpointEnabled": flag(planned, "data_endpoint_enabled"),
        "networkRuleBypassOptions": text(planned, "network_rule_bypass_option"),
        "roleAssignmentMode": text(planned, "role_assignment_mode"),
        "networkRuleBypassAllowedForTasks": flag(planned, "network_rule_bypass_for_tasks_enabled"),
    });
    if let Some(rules) = network_rule_set {
        props["networkRuleSet"] = rules;
    }
    if let Some(encryption) = expand_encryption(planned) {
        props["encryption"] = encryption;
    }
    if let Some(identity) = expand_identity(&first(planned, "identity")) {
        body["identity"] = identity;
    }
    body["sku"] = json!({"name": sku, "tier": sku});
    body["properties"] = props;
    Ok(())
}

fn flatten_registry(body: &Json, state: &mut BTreeMap<String, Value>) {
    let empty = json!({});
    let props = body.get("properties").unwrap_or(&empty);
    let mut put = |name: &str, value: Value| {
        state.insert(name.to_string(), value);
    };
    let identity_def = identity_def();
    let identity = match body.get("identity").filter(|i| i.is_object()) {
        Some(i)
            if !jtext(i, "type").is_empty() && !jtext(i, "type").eq_ignore_ascii_case("None") =>
        {
            let ids: Vec<Value> = json_get(i, "userAssignedIdentities")
                .and_then(Json::as_object)
                .map(|m| m.keys().map(|k| Value::string(k.clone())).collect())
                .unwrap_or_default();
            vec![element(
                &identity_def,
                vec![
                    ("type", Value::string(jtext(i, "type"))),
                    ("identity_ids", Value::set(Type::String, ids)),
                    ("principal_id", Value::string(jtext(i, "principalId"))),
                    ("tenant_id", Value::string(jtext(i, "tenantId"))),
                ],
            )]
        }
        _ => vec![],
    };
    put("identity", Value::list(identity_def.value_type(), identity));
    put("sku", Value::string(jtext(body, "sku.tier")));
    put(
        "admin_enabled",
        Value::Bool(jbool(props, "adminUserEnabled").unwrap_or(false)),
    );
    put("login_server", Value::string(jtext(props, "loginServer")));
    put(
        "public_network_access_enabled",
        Value::Bool(jtext(props, "publicNetworkAccess") == "Enabled"),
    );
    let rules_def = network_rule_set_def();
    let rules = match json_get(props, "networkRuleSet").filter(|r| r.is_object()) {
        Some(r) => {
            let ip_def = ip_rule_def();
            let ip_rules: Vec<Value> = json_get(r, "ipRules")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .map(|rule| {
                            let mut range = jtext(rule, "value");
                            if !range.contains('/') {
                                range.push_str("/32");
                            }
                            element(
                                &ip_def,
                                vec![
                                    ("action", Value::string(jtext(rule, "action"))),
                                    ("ip_range", Value::string(range)),
                                ],
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            vec![element(
                &rules_def,
                vec![
                    ("default_action", Value::string(jtext(r, "defaultAction"))),
                    ("ip_rule", Value::set(ip_def.value_type(), ip_rules)),
                ],
            )]
        }
        None => vec![],
    };
    put(
        "network_rule_set",
        Value::list(rules_def.value_type(), rules),
    );
    let encryption_def = encryption_def();
    let encryption = match json_get(props, "encryption") {
        Some(e)
            if jtext(e, "status") != "disabled" && json_get(e, "keyVaultProperties").is_some() =>
        {
            vec![element(
                &encryption_def,
                vec![
                    (
                        "key_vault_key_id",
                        Value::string(jtext(e, "keyVaultProperties.keyIdentifier")),
                    ),
                    (
                        "identity_client_id",
                        Value::string(jtext(e, "keyVaultProperties.identity")),
                    ),
                ],
            )]
        }
        _ => vec![],
    };
    put(
        "encryption",
        Value::list(encryption_def.value_type(), encryption),
    );
    put(
        "zone_redundancy_enabled",
        Value::Bool(jtext(props, "zoneRedundancy") == "Enabled"),
    );
    put(
        "anonymous_pull_enabled",
        Value::Bool(jbool(props, "anonymousPullEnabled").unwrap_or(false)),
    );
    put(
        "data_endpoint_enabled",
        Value::Bool(jbool(props, "dataEndpointEnabled").unwrap_or(false)),
    );
    let host_names: Vec<Value> = json_get(props, "dataEndpointHostNames")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(Value::string))
                .collect()
        })
        .unwrap_or_default();
    put(
        "data_endpoint_host_names",
        Value::set(Type::String, host_names),
    );
    put(
        "network_rule_bypass_option",
        Value::string(jtext(props, "networkRuleBypassOptions")),
    );
    put(
        "role_assignment_mode",
        Value::string(jtext(props, "roleAssignmentMode")),
    );
    put(
        "network_rule_bypass_for_tasks_enabled",
        Value::Bool(jbool(props, "networkRuleBypassAllowedForTasks").unwrap_or(false)),
    );
    if let Some(policies) = json_get(props, "policies") {
        let enabled = |key: &str| jtext(policies, &format!("{key}.status")) == "enabled";
        let days = if enabled("retentionPolicy") {
            json_get(policies, "retentionPolicy.days")
                .and_then(Json::as_i64)
                .unwrap_or(0)
        } else {
            0
        };
        put("retention_policy_in_days", Value::int(days));
        if json_get(policies, "trustPolicy.status").is_some() {
            put("trust_policy_enabled", Value::Bool(enabled("trustPolicy")));
        }
        put(
            "quarantine_policy_enabled",
            Value::Bool(enabled("quarantinePolicy")),
        );
        put(
            "export_policy_enabled",
            Value::Bool(enabled("exportPolicy")),
        );
        put(
            "azuread_authentication_as_arm_policy_enabled",
            Value::Bool(enabled("azureADAuthenticationAsArmPolicy")),
        );
    }
}

/// `azurerm_container_registry`.
pub struct ContainerRegistry {
    def: ResourceDef,
}

impl ContainerRegistry {
    pub fn new() -> ContainerRegistry {
        ContainerRegistry {
            def: ResourceDef {
                name: "azurerm_container_registry",
                schema_version: 2,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        location(),
                        string("sku").required(),
                        boolean("admin_enabled").optional().default(false),
                        boolean("public_network_access_enabled")
                            .optional()
                            .default(true),
                        string("login_server").computed(),
                        string("admin_username").computed(),
                        string("admin_password").computed().sensitive(),
                        boolean("quarantine_policy_enabled").optional(),
                        number("retention_policy_in_days").optional(),
                        boolean("trust_policy_enabled").optional().default(false),
                        boolean("export_policy_enabled").optional().default(true),
                        boolean("azuread_authentication_as_arm_policy_enabled")
                            .optional()
                            .default(true),
                        boolean("zone_redundancy_enabled")
                            .optional()
                            .force_new()
                            .default(false),
                        boolean("anonymous_pull_enabled").optional(),
                        boolean("data_endpoint_enabled").optional(),
                        set_of_strings("data_endpoint_host_names").computed(),
                        string("network_rule_bypass_option")
                            .optional()
                            .default("AzureServices"),
                        boolean("network_rule_bypass_for_tasks_enabled")
                            .optional()
                            .default(false),
                        string("role_assignment_mode")
                            .optional()
                            .default("LegacyRegistryPermissions"),
                        tags(),
                    ],
                    vec![
                        identity(),
                        block("encryption", encryption_def()).max(1).computed(),
                        block("network_rule_set", network_rule_set_def())
                            .max(1)
                            .computed(),
                    ],
                ),
                api_version: API_VERSION,
                id: CONTAINER_REGISTRY_ID,
                timeouts: Timeouts::standard(),
                update: Update::Patch,
                put_query: &[],
            },
        }
    }

    /// The state with the admin credentials read (empty when the admin user is disabled).
    async fn with_credentials(&self, ctx: &Ctx<'_>, state: Value) -> Result<Value, Diagnostics> {
        let mut attrs = state.as_mapping().cloned().unwrap_or_default();
        let (username, password) = if flag(&state, "admin_enabled") {
            let id = text(&state, "id");
            let credentials = ctx
                .client
                .post(
                    &format!("{id}/listCredentials"),
                    API_VERSION,
                    None,
                    timeout(&state, "read", self.def.timeouts.read),
                )
                .await
                .map_err(|e| e.diagnostics("retrieving the credentials of", &id))?;
            let password = credentials
                .get("passwords")
                .and_then(Json::as_array)
                .and_then(|p| p.first())
                .map(|p| jtext(p, "value"))
                .unwrap_or_default();
            (jtext(&credentials, "username"), password)
        } else {
            (String::new(), String::new())
        };
        attrs.insert("admin_username".into(), Value::string(username));
        attrs.insert("admin_password".into(), Value::string(password));
        Ok(Value::object(attrs))
    }
}

#[async_trait::async_trait]
impl ResourceType for ContainerRegistry {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        if let Some(sku) = attribute(config, "sku").as_str() {
            if !["Basic", "Standard", "Premium"].contains(&sku) {
                return error(
                    "Invalid sku",
                    format!(
                        "expected sku to be one of [\"Basic\" \"Standard\" \"Premium\"], got {sku}"
                    ),
                );
            }
        }
        let name = attribute(config, "name");
        let Some(name) = name.as_str() else {
            return Diagnostics::new();
        };
        let problem = if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            Some("alpha numeric characters only are allowed")
        } else if name.len() < 5 {
            Some("it cannot be less than 5 characters")
        } else if name.len() > 50 {
            Some("it cannot be longer than 50 characters")
        } else {
            None
        };
        match problem {
            Some(problem) => error("Invalid name", format!("{problem} in \"name\": {name:?}")),
            None => Diagnostics::new(),
        }
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let planned = Value::object(plan.planned.clone());
        let sku = text(&planned, "sku");
        if !attribute(&planned, "sku").is_known() {
            return;
        }
        let premium = is_premium(&sku);
        let problem = if flag(&planned, "quarantine_policy_enabled") && !premium {
            Some("an ACR quarantine policy can only be applied when using the Premium Sku. If you are downgrading from a Premium SKU please unset quarantine_policy_enabled")
        } else if whole(&planned, "retention_policy_in_days") > 0 && !premium {
            Some("an ACR retention policy can only be applied when using the Premium Sku. If you are downgrading from a Premium SKU please unset `retention_policy_in_days`")
        } else if flag(&planned, "trust_policy_enabled") && !premium {
            Some("an ACR trust policy can only be applied when using the Premium Sku. If you are downgrading from a Premium SKU please unset `trust_policy_enabled` or set `trust_policy_enabled = false`")
        } else if attribute(&planned, "export_policy_enabled").as_bool() == Some(false) && !premium
        {
            Some("an ACR export policy can only be disabled when using the Premium Sku. If you are downgrading from a Premium SKU please unset `export_policy_enabled` or set `export_policy_enabled = true`")
        } else if attribute(&planned, "export_policy_enabled").as_bool() == Some(false)
            && flag(&planned, "public_network_access_enabled")
        {
            Some("to disable export of artifacts, `public_network_access_enabled` must also be `false`")
        } else if !first(&planned, "encryption").is_null() && !premium {
            Some("an ACR encryption can only be applied when using the Premium Sku")
        } else if flag(&planned, "zone_redundancy_enabled") && !premium {
            Some("ACR zone redundancy can only be applied when using the Premium Sku")
        } else if flag(&planned, "anonymous_pull_enabled")
            && !premium
            && !sku.eq_ignore_ascii_case("Standard")
        {
            Some("`anonymous_pull_enabled` can only be applied when using the Standard/Premium Sku")
        } else if flag(&planned, "data_endpoint_enabled") && !premium {
            Some("`data_endpoint_enabled` can only be applied when using the Premium Sku")
        } else {
            None
        };
        if let Some(problem) = problem {
            plan.diagnostics
                .extend(error("Invalid container registry", problem));
        }
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        expand_new_registry(change.planned, body)
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        flatten_registry(body, state);
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
        let changed = |name: &str| !attribute(prior, name).raw_equal(&attribute(planned, name));
        let sku = text(planned, "sku");
        let apply_sku = || async {
            let body = json!({"sku": {"name": sku, "tier": sku}});
            ctx.client
                .patch(&id, API_VERSION, &body, update_timeout)
                .await
                .map_err(|e| e.diagnostics("updating the SKU of", &id))
        };
        if changed("sku") && is_premium(&sku) {
            apply_sku().await?;
        }
        let mut payload = json!({"properties": {}});
        if changed("network_rule_set") {
            let rules = expand_network_rule_set(planned);
            if rules.is_some() && sku.eq_ignore_ascii_case("Basic") {
                return Err(error("Invalid container registry", "`network_rule_set` can only be specified for a Premium Sku. If you are reverting from a Premium to Basic SKU plese set network_rule_set = []"));
            }
            json_set(
                &mut payload,
                "properties.networkRuleSet",
                rules.unwrap_or(Json::Null),
            );
        }
        if changed("public_network_access_enabled") {
            let public = flag(planned, "public_network_access_enabled");
            if !public && !is_premium(&sku) {
                return Err(error(
                    "Invalid container registry",
                    "`public_network_access_enabled` can only be disabled for a Premium Sku",
                ));
            }
            json_set(
                &mut payload,
                "properties.publicNetworkAccess",
                json!(if public { "Enabled" } else { "Disabled" }),
            );
        }
        if changed("identity") {
            payload["identity"] =
                expand_identity(&first(planned, "identity")).unwrap_or(json!({"type": "None"}));
        }
        if changed("retention_policy_in_days") {
            let policy = match retention_policy(planned) {
                p if p.get("status").is_some() => p,
                _ => json!({"status": "disabled"}),
            };
            json_set(&mut payload, "properties.policies.retentionPolicy", policy);
        }
        let policy_flags = [
            ("trust_policy_enabled", "trustPolicy", false),
            ("quarantine_policy_enabled", "quarantinePolicy", false),
            ("export_policy_enabled", "exportPolicy", true),
            (
                "azuread_authentication_as_arm_policy_enabled",
                "azureADAuthenticationAsArmPolicy",
                true,
            ),
        ];
        for (name, key, default) in policy_flags {
            if changed(name) {
                let enabled = attribute(planned, name).as_bool().unwrap_or(default);
                json_set(
                    &mut payload,
                    &format!("properties.policies.{key}"),
                    status(enabled),
                );
            }
        }
        let plain = [
            ("admin_enabled", "adminUserEnabled"),
            ("anonymous_pull_enabled", "anonymousPullEnabled"),
            ("data_endpoint_enabled", "dataEndpointEnabled"),
            (
                "network_rule_bypass_for_tasks_enabled",
                "networkRuleBypassAllowedForTasks",
            ),
        ];
        for (name, key) in plain {
            if changed(name) {
                json_set(
                    &mut payload,
                    &format!("properties.{key}"),
                    json!(flag(planned, name)),
                );
            }
        }
        if changed("encryption") {
            json_set(
                &mut payload,
                "properties.encryption",
                expand_encryption(planned).unwrap_or(Json::Null),
            );
        }
        for (name, key) in [
            ("network_rule_bypass_option", "networkRuleBypassOptions"),
            ("role_assignment_mode", "roleAssignmentMode"),
        ] {
            if changed(name) {
                json_set(
                    &mut payload,
                    &format!("properties.{key}"),
                    json!(text(planned, name)),
                );
            }
        }
        if changed("tags") {
            payload["tags"] = serde_json::to_value(
                attribute(planned, "tags")
                    .as_mapping()
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                            .collect::<BTreeMap<String, String>>()
                    })
                    .unwrap_or_default(),
            )
            .unwrap_or(json!({}));
        }
        ctx.client
            .patch(&id, API_VERSION, &payload, update_timeout)
            .await
            .map_err(|e| e.diagnostics("updating", &id))?;
        if changed("sku") && !is_premium(&sku) {
            apply_sku().await?;
        }
        let body = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Resource not found", format!("{id} was not found")))?;
        let state = state_from_body(self, &id, &id_values, &body, planned);
        self.with_credentials(ctx, state).await
    }
}
