//! `azurerm_private_endpoint`: a private endpoint in a subnet connecting privately to a
//! service (automatically or by manual approval), with its private DNS zone group kept as a
//! child object, and what Azure derives for it (the network interface and its private IP,
//! the custom DNS configurations, the record sets the zone group wrote) — with azurerm v4's
//! schema, defaults, force-new rules and import ID.

use super::private_dns::PRIVATE_DNS_ZONE_ID;
use super::vpn::{elements, is_set, same_ignoring_case};
use crate::framework::common::{edge_zone, location, tags};
use crate::framework::flow::{self, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_set};
use crate::framework::schema::{attr, block, block_def, boolean, list_of_strings, string, Nested};
use crate::framework::{
    attribute, error, string_attribute, Change, Ctx, PlanContext, ResourceDef, ResourceType,
    Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4 manages private endpoints, their DNS zone groups and network
/// interfaces with.
const API_VERSION: &str = "2025-01-01";

pub const PRIVATE_ENDPOINT_ID: IdTemplate = IdTemplate::new(
    "Private Endpoint",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/privateEndpoints/{name}",
);
const ZONE_GROUP_ID: IdTemplate = IdTemplate::new(
    "Private DNS Zone Group",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/privateEndpoints/{private_endpoint_name}/privateDnsZoneGroups/{name}",
);
const NETWORK_INTERFACE_ID: IdTemplate = IdTemplate::new(
    "Network Interface",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/networkInterfaces/{name}",
);

/// The services whose IDs azurerm rewrites in their canonical casing when reading a
/// connection's target (the service returns them in another case).
const CANONICAL_TARGETS: &[IdTemplate] = &[
    IdTemplate::new(
        "Redis Cache",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Cache/redis/{name}",
    ),
    IdTemplate::new(
        "PostgreSQL Server",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforPostgreSQL/servers/{name}",
    ),
    IdTemplate::new(
        "MySQL Server",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforMySQL/servers/{name}",
    ),
    IdTemplate::new(
        "MariaDB Server",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.DBforMariaDB/servers/{name}",
    ),
    IdTemplate::new(
        "Kusto Cluster",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Kusto/clusters/{name}",
    ),
    IdTemplate::new(
        "SignalR",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.SignalRService/signalR/{name}",
    ),
];

/// A connection target's ID in its canonical casing (others as they are).
fn canonical_target(id: &str) -> String {
    CANONICAL_TARGETS
        .iter()
        .find_map(|template| {
            let values = template.parse(id, true).ok()?;
            template.build(&|name| values.get(name).cloned()).ok()
        })
        .unwrap_or_else(|| id.to_string())
}

/// azurerm's `validate.PrivateLinkName`: 1 to 80 characters, beginning with a letter or
/// number, ending with a letter, number or underscore, and otherwise letters, numbers,
/// periods, hyphens or underscores.
fn check_private_link_name(value: &Value, path: &str, diags: &mut Diagnostics) {
    let Some(name) = value.as_str() else { return };
    let chars: Vec<char> = name.chars().collect();
    let valid = match chars.as_slice() {
        [] => false,
        [one] => one.is_ascii_alphanumeric(),
        [first, middle @ .., last] => {
            chars.len() <= 80
                && first.is_ascii_alphanumeric()
                && (last.is_ascii_alphanumeric() || *last == '_')
                && middle
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        }
    };
    if !valid {
        diags.extend(error(
            "Invalid value",
            format!("{path} must be between 1 - 80 characters long, begin with a letter or number, end with a letter, number or underscore, and may contain only letters, numbers, periods, hyphens or underscores"),
        ));
    }
}

fn object_type(fields: &[(&str, Type)]) -> Type {
    Type::object(
        fields
            .iter()
            .map(|(name, ty)| (name.to_string(), ty.clone()))
            .collect(),
    )
}

fn network_interface_type() -> Type {
    object_type(&[("id", Type::String), ("name", Type::String)])
}

fn custom_dns_config_type() -> Type {
    object_type(&[
        ("fqdn", Type::String),
        ("ip_addresses", Type::list(Type::String)),
    ])
}

fn record_set_type() -> Type {
    object_type(&[
        ("name", Type::String),
        ("type", Type::String),
        ("fqdn", Type::String),
        ("ttl", Type::Number),
        ("ip_addresses", Type::list(Type::String)),
    ])
}

fn zone_config_type() -> Type {
    object_type(&[
        ("name", Type::String),
        ("id", Type::String),
        ("private_dns_zone_id", Type::String),
        ("record_sets", Type::list(record_set_type())),
    ])
}

fn text(json: Option<&Json>) -> Value {
    Value::string(json.and_then(Json::as_str).unwrap_or_default())
}

fn string_list(json: Option<&Json>) -> Value {
    Value::list(
        Type::String,
        json.and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(Value::string)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn private_service_connection_block() -> Nested {
    block(
        "private_service_connection",
        block_def(
            vec![
                string("name").required().force_new(),
                boolean("is_manual_connection").required().force_new(),
                string("private_connection_resource_id")
                    .optional()
                    .force_new(),
                string("private_connection_resource_alias")
                    .optional()
                    .force_new(),
                list_of_strings("subresource_names").optional().force_new(),
                string("request_message").optional(),
                string("private_ip_address").computed(),
            ],
            vec![],
        ),
    )
    .min(1)
    .max(1)
}

/// `azurerm_private_endpoint`.
pub struct PrivateEndpoint {
    def: ResourceDef,
}

impl PrivateEndpoint {
    pub fn new() -> PrivateEndpoint {
        let zone_group = block(
            "private_dns_zone_group",
            block_def(
                vec![
                    string("id").computed(),
                    string("name").required(),
                    list_of_strings("private_dns_zone_ids").required(),
                ],
                vec![],
            ),
        )
        .max(1);
        let ip_configuration = block(
            "ip_configuration",
            block_def(
                vec![
                    string("name").required().force_new().arm("name"),
                    string("private_ip_address")
                        .required()
                        .force_new()
                        .arm("properties.privateIPAddress"),
                    string("subresource_name")
                        .optional()
                        .force_new()
                        .arm("properties.groupId"),
                    string("member_name")
                        .optional()
                        .computed()
                        .force_new()
                        .arm("properties.memberName"),
                ],
                vec![],
            ),
        )
        .arm_array("properties.ipConfigurations");
        PrivateEndpoint {
            def: ResourceDef {
                name: "azurerm_private_endpoint",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        location(),
                        edge_zone(),
                        string("resource_group_name")
                            .required()
                            .force_new()
                            .suppress(same_ignoring_case),
                        string("subnet_id")
                            .required()
                            .force_new()
                            .arm("properties.subnet.id"),
                        attr("network_interface", Type::list(network_interface_type())).computed(),
                        string("custom_network_interface_name")
                            .optional()
                            .force_new()
                            .arm("properties.customNetworkInterfaceName"),
                        attr("custom_dns_configs", Type::list(custom_dns_config_type())).computed(),
                        attr("private_dns_zone_configs", Type::list(zone_config_type())).computed(),
                        tags(),
                    ],
                    vec![
                        zone_group,
                        private_service_connection_block(),
                        ip_configuration,
                    ],
                ),
                api_version: API_VERSION,
                id: PRIVATE_ENDPOINT_ID,
                timeouts: Timeouts::minutes(60, 5, Some(60), 60),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The service connections as ARM has them: automatic ones, then manual ones.
    fn flatten_connections(&self, properties: &Json) -> Value {
        let ty = private_service_connection_block().block.value_type();
        let mut out = Vec::new();
        for (field, manual) in [
            ("privateLinkServiceConnections", false),
            ("manualPrivateLinkServiceConnections", true),
        ] {
            for connection in properties
                .get(field)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let target = json_get(connection, "properties.privateLinkServiceId")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                let alias = target.ends_with(".azure.privatelinkservice");
                let message = if manual {
                    text(json_get(connection, "properties.requestMessage"))
                } else {
                    Value::string("")
                };
                out.push(object(vec![
                    ("name", text(connection.get("name"))),
                    ("is_manual_connection", Value::Bool(manual)),
                    (
                        "private_connection_resource_id",
                        Value::string(if alias {
                            String::new()
                        } else {
                            canonical_target(target)
                        }),
                    ),
                    (
                        "private_connection_resource_alias",
                        Value::string(if alias { target } else { "" }),
                    ),
                    (
                        "subresource_names",
                        string_list(json_get(connection, "properties.groupIds")),
                    ),
                    ("request_message", message),
                    ("private_ip_address", Value::string("")),
                ]));
            }
        }
        Value::list(ty, out)
    }

    /// Adds what is read beside the endpoint: the private IP of its network interface, and
    /// its DNS zone groups with the record sets they wrote.
    async fn complete(&self, ctx: &Ctx<'_>, id: &str, state: Value) -> Result<Value, Diagnostics> {
        let mut attrs = state.as_mapping().cloned().unwrap_or_default();
        let interface = attribute(&state, "network_interface");
        let interface_id = elements(&interface)
            .first()
            .and_then(|i| string_attribute(i, "id"));
        let ip = match interface_id {
            Some(nic) => private_ip_of(ctx, &nic).await,
            None => String::new(),
        };
        let connections = elements(&attribute(&state, "private_service_connection"))
            .into_iter()
            .map(|c| {
                let mut c = c.as_mapping().cloned().unwrap_or_default();
                c.insert("private_ip_address".into(), Value::string(ip.clone()));
                Value::object(c)
            })
            .collect();
        attrs.insert(
            "private_service_connection".into(),
            Value::list(
                private_service_connection_block().block.value_type(),
                connections,
            ),
        );
        let mut groups = Vec::new();
        let mut configs = Vec::new();
        for group in zone_groups(ctx, id).await? {
            let group_id = group.get("id").and_then(Json::as_str).unwrap_or_default();
            let Ok(values) = ZONE_GROUP_ID.parse(group_id, true) else {
                continue;
            };
            let group_id = ZONE_GROUP_ID
                .build(&|n| values.get(n).cloned())
                .unwrap_or_default();
            let mut zone_ids = Vec::new();
            for config in json_get(&group, "properties.privateDnsZoneConfigs")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(name), Some(zone_id)) = (
                    config.get("name").and_then(Json::as_str),
                    json_get(config, "properties.privateDnsZoneId").and_then(Json::as_str),
                ) else {
                    continue;
                };
                zone_ids.push(Value::string(zone_id));
                let record_sets = json_get(config, "properties.recordSets")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        object(vec![
                            ("name", text(r.get("recordSetName"))),
                            ("type", text(r.get("recordType"))),
                            ("fqdn", text(r.get("fqdn"))),
                            (
                                "ttl",
                                Value::int(r.get("ttl").and_then(Json::as_i64).unwrap_or(0)),
                            ),
                            ("ip_addresses", string_list(r.get("ipAddresses"))),
                        ])
                    })
                    .collect();
                configs.push(object(vec![
                    (
                        "id",
                        Value::string(format!("{group_id}/privateDnsZoneConfigs/{name}")),
                    ),
                    ("name", Value::string(name)),
                    ("private_dns_zone_id", Value::string(zone_id)),
                    ("record_sets", Value::list(record_set_type(), record_sets)),
                ]));
            }
            groups.push(object(vec![
                ("id", Value::string(group_id)),
                (
                    "name",
                    Value::string(values.get("name").cloned().unwrap_or_default()),
                ),
                ("private_dns_zone_ids", Value::list(Type::String, zone_ids)),
            ]));
        }
        let group_ty = self
            .def
            .block
            .nested("private_dns_zone_group")
            .map(|n| n.block.value_type())
            .unwrap_or(Type::Dynamic);
        attrs.insert(
            "private_dns_zone_group".into(),
            Value::list(group_ty, groups),
        );
        attrs.insert(
            "private_dns_zone_configs".into(),
            Value::list(zone_config_type(), configs),
        );
        Ok(Value::object(attrs))
    }

    /// Writes the endpoint's DNS zone group (one per endpoint), as azurerm does.
    async fn create_zone_group(
        &self,
        ctx: &Ctx<'_>,
        id: &str,
        group: &Value,
        wait: Duration,
    ) -> Result<(), Diagnostics> {
        let name = string_attribute(group, "name").unwrap_or_default();
        let endpoint_name = id.rsplit('/').next().unwrap_or_default();
        let mut configs = Vec::new();
        for zone_id in elements(&attribute(group, "private_dns_zone_ids")) {
            let zone_id = zone_id.as_str().unwrap_or_default();
            let values = PRIVATE_DNS_ZONE_ID
                .parse(zone_id, false)
                .map_err(|e| error("Invalid private_dns_zone_ids", e))?;
            configs.push(json!({
                "name": values.get("name").cloned().unwrap_or_default(),
                "properties": {"privateDnsZoneId": zone_id},
            }));
        }
        let body = json!({
            "name": endpoint_name,
            "properties": {"privateDnsZoneConfigs": configs},
        });
        let group_id = format!("{id}/privateDnsZoneGroups/{name}");
        ctx.client
            .put(&group_id, API_VERSION, &[], &body, wait)
            .await
            .map(drop)
            .map_err(|e| e.diagnostics("creating", &group_id))
    }

    /// Deletes every DNS zone group of the endpoint.
    async fn delete_zone_groups(
        &self,
        ctx: &Ctx<'_>,
        id: &str,
        wait: Duration,
    ) -> Result<(), Diagnostics> {
        for group in zone_groups(ctx, id).await? {
            let Some(group_id) = group.get("id").and_then(Json::as_str) else {
                continue;
            };
            ctx.client
                .delete(group_id, API_VERSION, wait)
                .await
                .map_err(|e| e.diagnostics("deleting", group_id))?;
        }
        Ok(())
    }
}

/// Whether the configured DNS zone group differs (in name or zones) from the one before.
fn zone_group_changed(old: &[Value], new: &[Value]) -> bool {
    old.len() != new.len()
        || old.iter().zip(new).any(|(o, n)| {
            !attribute(o, "name").raw_equal(&attribute(n, "name"))
                || !attribute(o, "private_dns_zone_ids")
                    .raw_equal(&attribute(n, "private_dns_zone_ids"))
        })
}

/// The DNS zone groups of an endpoint (none when the endpoint is gone).
async fn zone_groups(ctx: &Ctx<'_>, id: &str) -> Result<Vec<Json>, Diagnostics> {
    match ctx
        .client
        .list(&format!("{id}/privateDnsZoneGroups"), API_VERSION)
        .await
    {
        Ok(groups) => Ok(groups),
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e.diagnostics("retrieving the Private DNS Zone Groups of", id)),
    }
}

/// The private IP of a network interface's first IP configuration ("" when it cannot be
/// read, as azurerm leaves it).
async fn private_ip_of(ctx: &Ctx<'_>, nic_id: &str) -> String {
    if NETWORK_INTERFACE_ID.parse(nic_id, true).is_err() {
        return String::new();
    }
    match ctx.client.get(nic_id, API_VERSION).await {
        Ok(Some(nic)) => json_get(&nic, "properties.ipConfigurations")
            .and_then(Json::as_array)
            .and_then(|c| c.first())
            .and_then(|c| json_get(c, "properties.privateIPAddress"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

#[async_trait::async_trait]
impl ResourceType for PrivateEndpoint {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_private_link_name(&attribute(config, "name"), "name", &mut diags);
        for group in elements(&attribute(config, "private_dns_zone_group")) {
            check_private_link_name(
                &attribute(&group, "name"),
                "private_dns_zone_group.0.name",
                &mut diags,
            );
        }
        for (i, configuration) in elements(&attribute(config, "ip_configuration"))
            .iter()
            .enumerate()
        {
            check_private_link_name(
                &attribute(configuration, "name"),
                &format!("ip_configuration.{i}.name"),
                &mut diags,
            );
        }
        for connection in elements(&attribute(config, "private_service_connection")) {
            let name = attribute(&connection, "name");
            check_private_link_name(&name, "private_service_connection.0.name", &mut diags);
            let by_id = is_set(&attribute(&connection, "private_connection_resource_id"));
            let by_alias = is_set(&attribute(&connection, "private_connection_resource_alias"));
            if by_id == by_alias {
                diags.extend(error(
                    "Invalid combination of arguments",
                    "exactly one of `private_service_connection.0.private_connection_resource_alias,private_service_connection.0.private_connection_resource_id` must be specified",
                ));
            }
            let name = name.as_str().unwrap_or_default();
            let message = attribute(&connection, "request_message");
            match (
                attribute(&connection, "is_manual_connection").as_bool(),
                message.is_known(),
            ) {
                (Some(false), true) if message.as_str().is_some_and(|m| !m.is_empty()) => {
                    diags.extend(error(
                        "Invalid private service connection",
                        format!("\"private_service_connection\":{name:?} is invalid, the \"request_message\" attribute cannot be set if the \"is_manual_connection\" attribute is \"false\""),
                    ));
                }
                (Some(true), true) if message.as_str().is_none_or(|m| m.trim().is_empty()) => {
                    diags.extend(error(
                        "Invalid private service connection",
                        format!("\"private_service_connection\":{name:?} is invalid, the \"request_message\" attribute must not be empty"),
                    ));
                }
                _ => {}
            }
        }
        diags
    }

    /// A DNS zone group written again gets a new ID and new record sets.
    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        if plan.creating() {
            return;
        }
        let old = elements(&attribute(plan.prior, "private_dns_zone_group"));
        let Some(planned) = plan.planned.get("private_dns_zone_group").cloned() else {
            return;
        };
        let new = elements(&planned);
        if !zone_group_changed(&old, &new) {
            return;
        }
        let renewed = new
            .into_iter()
            .map(|group| {
                let mut attrs = group.as_mapping().cloned().unwrap_or_default();
                attrs.insert("id".into(), Value::Unknown(Type::String));
                Value::object(attrs)
            })
            .collect();
        let element = planned
            .ty()
            .element_type()
            .cloned()
            .unwrap_or(Type::Dynamic);
        plan.planned.insert(
            "private_dns_zone_group".into(),
            Value::list(element, renewed),
        );
        plan.planned.insert(
            "private_dns_zone_configs".into(),
            Value::Unknown(Type::list(zone_config_type())),
        );
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let mut automatic = Vec::new();
        let mut manual = Vec::new();
        for connection in elements(&change.get("private_service_connection")) {
            let target = string_attribute(&connection, "private_connection_resource_id")
                .or_else(|| string_attribute(&connection, "private_connection_resource_alias"))
                .unwrap_or_default();
            let groups: Vec<String> = elements(&attribute(&connection, "subresource_names"))
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect();
            let mut properties = json!({"privateLinkServiceId": target, "groupIds": groups});
            if let Some(message) = string_attribute(&connection, "request_message") {
                properties["requestMessage"] = json!(message);
            }
            let written = json!({
                "name": string_attribute(&connection, "name").unwrap_or_default(),
                "properties": properties,
            });
            if attribute(&connection, "is_manual_connection").as_bool() == Some(true) {
                manual.push(written);
            } else {
                automatic.push(written);
            }
        }
        json_set(
            body,
            "properties.privateLinkServiceConnections",
            Json::Array(automatic),
        );
        json_set(
            body,
            "properties.manualPrivateLinkServiceConnections",
            Json::Array(manual),
        );
        if let Some(configurations) = body
            .pointer_mut("/properties/ipConfigurations")
            .and_then(Json::as_array_mut)
        {
            for configuration in configurations {
                let group = configuration
                    .pointer("/properties/groupId")
                    .cloned()
                    .unwrap_or(json!(""));
                if let Some(properties) = configuration
                    .get_mut("properties")
                    .and_then(Json::as_object_mut)
                {
                    properties.entry("groupId").or_insert(json!(""));
                    properties.entry("memberName").or_insert(group);
                }
            }
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let empty = json!({});
        let properties = body.get("properties").unwrap_or(&empty);
        state.insert(
            "private_service_connection".into(),
            self.flatten_connections(properties),
        );
        let interfaces = properties
            .get("networkInterfaces")
            .and_then(Json::as_array)
            .and_then(|n| n.first())
            .and_then(|n| n.get("id"))
            .and_then(Json::as_str)
            .and_then(|id| {
                let values = NETWORK_INTERFACE_ID.parse(id, true).ok()?;
                let id = NETWORK_INTERFACE_ID
                    .build(&|n| values.get(n).cloned())
                    .ok()?;
                Some(object(vec![
                    ("id", Value::string(id)),
                    (
                        "name",
                        Value::string(values.get("name").cloned().unwrap_or_default()),
                    ),
                ]))
            })
            .into_iter()
            .collect();
        state.insert(
            "network_interface".into(),
            Value::list(network_interface_type(), interfaces),
        );
        let dns_configs = properties
            .get("customDnsConfigs")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                object(vec![
                    ("fqdn", text(c.get("fqdn"))),
                    ("ip_addresses", string_list(c.get("ipAddresses"))),
                ])
            })
            .collect();
        state.insert(
            "custom_dns_configs".into(),
            Value::list(custom_dns_config_type(), dns_configs),
        );
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let state = flow::create(self, ctx, planned).await?;
        let (id, _) = flow::stored_id(self, &state)?;
        let wait = timeout(planned, "create", self.def.timeouts.create);
        if let Some(group) = elements(&attribute(planned, "private_dns_zone_group")).first() {
            self.create_zone_group(ctx, &id, group, wait).await?;
        }
        self.complete(ctx, &id, state).await
    }

    /// Updates as azurerm does: the endpoint in full, then its DNS zone group, deleted and
    /// written again when its name or zones change (a group cannot be changed in place).
    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let state = flow::update(self, ctx, prior, planned).await?;
        let (id, _) = flow::stored_id(self, prior)?;
        let wait = timeout(
            planned,
            "update",
            self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
        );
        let old = elements(&attribute(prior, "private_dns_zone_group"));
        let new = elements(&attribute(planned, "private_dns_zone_group"));
        let zone_ids = |groups: &[Value]| {
            groups
                .first()
                .map(|g| attribute(g, "private_dns_zone_ids"))
                .unwrap_or(Value::Null(Type::Dynamic))
        };
        if zone_group_changed(&old, &new) {
            let existing = zone_groups(ctx, &id).await?;
            let new_name = new.first().and_then(|g| string_attribute(g, "name"));
            let ids_replaced = new_name.is_some()
                && !zone_ids(&old).raw_equal(&zone_ids(&new))
                && zone_ids(&old).len() == zone_ids(&new).len();
            let name_changed = new_name.as_ref().is_some_and(|wanted| {
                existing.iter().any(|g| {
                    let id = g.get("id").and_then(Json::as_str).unwrap_or_default();
                    id.rsplit('/').next() != Some(wanted.as_str())
                })
            });
            if new_name.is_none() || name_changed || ids_replaced {
                self.delete_zone_groups(ctx, &id, wait).await?;
            }
            if let Some(group) = new.first() {
                self.create_zone_group(ctx, &id, group, wait).await?;
            }
        }
        self.complete(ctx, &id, state).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let Some(fresh) = flow::read(self, ctx, state).await? else {
            return Ok(None);
        };
        let (id, _) = flow::stored_id(self, state)?;
        self.complete(ctx, &id, fresh).await.map(Some)
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let (id, _) = flow::stored_id(self, state)?;
        let wait = timeout(state, "delete", self.def.timeouts.delete);
        self.delete_zone_groups(ctx, &id, wait).await?;
        flow::delete(self, ctx, state).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_link_names() {
        let check = |name: &str| {
            let mut diags = Diagnostics::new();
            check_private_link_name(&Value::string(name), "name", &mut diags);
            !diags.has_errors()
        };
        assert!(check("a"));
        assert!(check("prod-abc-redis-endpoint"));
        assert!(check("zone_group_"));
        assert!(!check(""));
        assert!(!check("-a"));
        assert!(!check("a-"));
        assert!(!check("a b"));
        assert!(!check(&"a".repeat(81)));
    }

    #[test]
    fn connection_targets_in_canonical_casing() {
        assert_eq!(
            canonical_target(
                "/subscriptions/s/resourcegroups/rg/providers/microsoft.cache/Redis/r"
            ),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redis/r"
        );
        let vault = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.KeyVault/vaults/v";
        assert_eq!(canonical_target(vault), vault);
    }

    #[test]
    fn connections_split_into_automatic_and_manual() {
        let endpoint = PrivateEndpoint::new();
        let properties = json!({
            "privateLinkServiceConnections": [{"name": "auto", "properties": {"privateLinkServiceId": "/x", "groupIds": ["blob"]}}],
            "manualPrivateLinkServiceConnections": [{"name": "manual", "properties": {"privateLinkServiceId": "svc.guid.westeurope.azure.privatelinkservice", "requestMessage": "please"}}],
        });
        let flattened = endpoint.flatten_connections(&properties);
        let items = elements(&flattened);
        assert_eq!(items.len(), 2);
        assert_eq!(
            attribute(&items[0], "is_manual_connection"),
            Value::Bool(false)
        );
        assert_eq!(
            attribute(&items[0], "private_connection_resource_id"),
            Value::string("/x")
        );
        assert_eq!(
            attribute(&items[1], "private_connection_resource_alias"),
            Value::string("svc.guid.westeurope.azure.privatelinkservice")
        );
        assert_eq!(
            attribute(&items[1], "request_message"),
            Value::string("please")
        );
    }
}
