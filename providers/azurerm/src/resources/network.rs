//! Microsoft.Network basics: virtual networks (with their inline subnets), subnets
//! (delegations, service endpoints, private endpoint and private link network policies),
//! virtual network peerings, network security groups, public IPs, NAT gateways, and the
//! associations of NAT gateways with public IPs and with subnets — with azurerm v4's schemas,
//! defaults, force-new rules, import IDs and locking.

use crate::framework::common::{
    edge_zone, location, name, resource_group_name, tags, zones_force_new,
};
use crate::framework::flow::{already_exists, timeout};
use crate::framework::id::{split_composite, IdTemplate};
use crate::framework::mapping::{
    expand_object, flatten_object, json_get, json_remove, json_set, null_object,
};
use crate::framework::schema::{
    block, block_def, boolean, list_of_strings, map_of_strings, number, set_of_strings, string,
    Absent, BlockDef, Codec,
};
use crate::framework::{
    attribute, error, string_attribute, strings_of, Change, Ctx, PlanContext, ResourceDef,
    ResourceType, Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4 manages these network resources with.
const API_VERSION: &str = "2025-01-01";

pub const VIRTUAL_NETWORK_ID: IdTemplate = IdTemplate::new(
    "Virtual Network",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/virtualNetworks/{name}",
);
pub const SUBNET_ID: IdTemplate = IdTemplate::new(
    "Subnet",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/virtualNetworks/{virtual_network_name}/subnets/{name}",
);
pub const PEERING_ID: IdTemplate = IdTemplate::new(
    "Virtual Network Peering",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/virtualNetworks/{virtual_network_name}/virtualNetworkPeerings/{name}",
);
pub const NETWORK_SECURITY_GROUP_ID: IdTemplate = IdTemplate::new(
    "Network Security Group",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/networkSecurityGroups/{name}",
);
pub const PUBLIC_IP_ID: IdTemplate = IdTemplate::new(
    "Public IP Address",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/publicIPAddresses/{name}",
);
pub const NAT_GATEWAY_ID: IdTemplate = IdTemplate::new(
    "Nat Gateway",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/natGateways/{name}",
);

/// The lock azurerm takes by name for a resource type (`locks.ByName(name, type)`).
fn lock_name(resource_type: &str, resource_group: &str, name: &str) -> String {
    format!("{resource_type}.{resource_group}/{name}")
}

fn id_value(values: &BTreeMap<String, String>, key: &str) -> String {
    values.get(key).cloned().unwrap_or_default()
}

/// A string list as JSON strings.
fn string_list(items: Vec<String>) -> Value {
    Value::list(Type::String, items.into_iter().map(Value::string).collect())
}

/// A subnet's address prefixes: `addressPrefixes`, else the single `addressPrefix`.
fn flatten_address_prefixes(properties: &Json) -> Value {
    if let Some(Json::Array(prefixes)) = properties.get("addressPrefixes") {
        return string_list(
            prefixes
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
        );
    }
    match properties.get("addressPrefix").and_then(Json::as_str) {
        Some(p) if !p.is_empty() => string_list(vec![p.to_string()]),
        _ => string_list(vec![]),
    }
}

/// Writes address prefixes as azurerm does: one as `addressPrefix`, several as
/// `addressPrefixes`.
fn expand_address_prefixes(prefixes: &[String], properties: &mut Json) {
    json_remove(properties, "addressPrefix");
    json_remove(properties, "addressPrefixes");
    match prefixes {
        [] => {}
        [one] => json_set(properties, "addressPrefix", json!(one)),
        many => json_set(properties, "addressPrefixes", json!(many)),
    }
}

/// The `delegation` block of subnets (with its single `service_delegation`).
fn delegation_block(max_one: bool) -> crate::framework::schema::Nested {
    let delegation = block(
        "delegation",
        block_def(
            vec![string("name").required().arm("name")],
            vec![block(
                "service_delegation",
                block_def(
                    vec![
                        string("name").required().arm("serviceName"),
                        set_of_strings("actions").optional().arm("actions"),
                    ],
                    vec![],
                ),
            )
            .min(1)
            .max(1)
            .arm_object("properties")],
        ),
    )
    .arm_array("delegations");
    if max_one {
        delegation.max(1)
    } else {
        delegation
    }
}

/// The `ip_address_pool` block (IPAM pool allocations).
fn ip_address_pool_block(max: u64) -> crate::framework::schema::Nested {
    block(
        "ip_address_pool",
        block_def(
            vec![
                string("id").required().arm("pool.id"),
                string("number_of_ip_addresses")
                    .required()
                    .arm("numberOfIpAddresses"),
                list_of_strings("allocated_ip_address_prefixes")
                    .computed()
                    .arm("allocatedAddressPrefixes"),
            ],
            vec![],
        ),
    )
    .max(max)
}

// ---------------------------------------------------------------------------------------
// azurerm_virtual_network

/// The inline `subnet` of a virtual network.
fn inline_subnet_block() -> BlockDef {
    block_def(
        vec![
            string("name").required(),
            list_of_strings("address_prefixes").required(),
            boolean("default_outbound_access_enabled")
                .optional()
                .default(true),
            string("private_endpoint_network_policies")
                .optional()
                .default("Disabled"),
            boolean("private_link_service_network_policies_enabled")
                .optional()
                .default(true),
            string("route_table_id").optional(),
            string("security_group").optional(),
            set_of_strings("service_endpoints").optional(),
            set_of_strings("service_endpoint_policy_ids").optional(),
            string("id").computed(),
        ],
        vec![delegation_block(true)],
    )
}

/// `azurerm_virtual_network`.
pub struct VirtualNetwork {
    def: ResourceDef,
}

impl VirtualNetwork {
    pub fn new() -> VirtualNetwork {
        VirtualNetwork {
            def: ResourceDef {
                name: "azurerm_virtual_network",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        location(),
                        set_of_strings("address_space")
                            .optional()
                            .arm("properties.addressSpace.addressPrefixes"),
                        string("bgp_community")
                            .optional()
                            .arm("properties.bgpCommunities.virtualNetworkCommunity"),
                        list_of_strings("dns_servers")
                            .optional()
                            .computed()
                            .arm("properties.dhcpOptions.dnsServers"),
                        edge_zone(),
                        number("flow_timeout_in_minutes")
                            .optional()
                            .arm("properties.flowTimeoutInMinutes")
                            .absent(Absent::Null),
                        string("guid")
                            .computed()
                            .arm("properties.resourceGuid")
                            .absent(Absent::Null),
                        string("private_endpoint_vnet_policies")
                            .optional()
                            .default("Disabled")
                            .arm("properties.privateEndpointVNetPolicies"),
                        tags(),
                    ],
                    vec![
                        block(
                            "ddos_protection_plan",
                            block_def(
                                vec![string("id").required(), boolean("enable").required()],
                                vec![],
                            ),
                        )
                        .max(1),
                        block(
                            "encryption",
                            block_def(vec![string("enforcement").required()], vec![]),
                        )
                        .max(1),
                        ip_address_pool_block(2)
                            .arm_array("properties.addressSpace.ipamPoolPrefixAllocations"),
                        block("subnet", inline_subnet_block()).set().computed(),
                    ],
                ),
                api_version: API_VERSION,
                id: VIRTUAL_NETWORK_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

/// One inline subnet written over the subnet ARM already has (so that what other resources
/// set on it survives, as azurerm's `getExistingSubnet` does).
fn expand_inline_subnet(subnet: &Value, existing: Option<&Json>) -> Json {
    let name = string_attribute(subnet, "name").unwrap_or_default();
    let mut object = existing.cloned().unwrap_or_else(|| json!({}));
    json_set(&mut object, "name", json!(name));
    let mut properties = object
        .get("properties")
        .cloned()
        .filter(Json::is_object)
        .unwrap_or_else(|| json!({}));
    expand_address_prefixes(
        &strings_of(&attribute(subnet, "address_prefixes")),
        &mut properties,
    );
    let flag = |n: &str| attribute(subnet, n).as_bool().unwrap_or(true);
    properties["defaultOutboundAccess"] = json!(flag("default_outbound_access_enabled"));
    properties["privateEndpointNetworkPolicies"] = json!(string_attribute(
        subnet,
        "private_endpoint_network_policies"
    )
    .unwrap_or_else(|| "Disabled".into()));
    properties["privateLinkServiceNetworkPolicies"] =
        json!(if flag("private_link_service_network_policies_enabled") {
            "Enabled"
        } else {
            "Disabled"
        });
    let mut delegations = json!({});
    expand_object(
        &block_def(vec![], vec![delegation_block(true)]),
        subnet,
        &mut delegations,
        true,
    );
    properties["delegations"] = delegations.get("delegations").cloned().unwrap_or(json!([]));
    match string_attribute(subnet, "route_table_id") {
        Some(id) => properties["routeTable"] = json!({ "id": id }),
        None => json_remove(&mut properties, "routeTable"),
    }
    match string_attribute(subnet, "security_group") {
        Some(id) => properties["networkSecurityGroup"] = json!({ "id": id }),
        None => json_remove(&mut properties, "networkSecurityGroup"),
    }
    properties["serviceEndpoints"] = Json::Array(
        strings_of(&attribute(subnet, "service_endpoints"))
            .into_iter()
            .map(|s| json!({ "service": s }))
            .collect(),
    );
    properties["serviceEndpointPolicies"] = Json::Array(
        strings_of(&attribute(subnet, "service_endpoint_policy_ids"))
            .into_iter()
            .map(|s| json!({ "id": s }))
            .collect(),
    );
    json_remove(&mut properties, "ipConfigurations");
    json_remove(&mut properties, "privateEndpoints");
    object["properties"] = properties;
    object
}

fn flatten_inline_subnet(subnet: &Json) -> Value {
    let def = inline_subnet_block();
    let mut out = null_object(&def);
    let empty = json!({});
    let properties = subnet.get("properties").unwrap_or(&empty);
    let text = |v: Option<&Json>| Value::string(v.and_then(Json::as_str).unwrap_or_default());
    out.insert("name".into(), text(subnet.get("name")));
    out.insert("id".into(), text(subnet.get("id")));
    out.insert(
        "address_prefixes".into(),
        flatten_address_prefixes(properties),
    );
    out.insert(
        "security_group".into(),
        text(json_get(properties, "networkSecurityGroup.id")),
    );
    out.insert(
        "route_table_id".into(),
        text(json_get(properties, "routeTable.id")),
    );
    out.insert(
        "default_outbound_access_enabled".into(),
        Value::Bool(
            properties
                .get("defaultOutboundAccess")
                .and_then(Json::as_bool)
                .unwrap_or(false),
        ),
    );
    out.insert(
        "private_endpoint_network_policies".into(),
        text(properties.get("privateEndpointNetworkPolicies")),
    );
    out.insert(
        "private_link_service_network_policies_enabled".into(),
        Value::Bool(
            properties
                .get("privateLinkServiceNetworkPolicies")
                .and_then(Json::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("Enabled")),
        ),
    );
    let wrapped = |key: &str, field: &str| {
        Value::set(
            Type::String,
            properties
                .get(key)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o.get(field).and_then(Json::as_str))
                        .map(Value::string)
                        .collect()
                })
                .unwrap_or_default(),
        )
    };
    out.insert(
        "service_endpoints".into(),
        wrapped("serviceEndpoints", "service"),
    );
    out.insert(
        "service_endpoint_policy_ids".into(),
        wrapped("serviceEndpointPolicies", "id"),
    );
    let delegation = flatten_object(&block_def(vec![], vec![delegation_block(true)]), properties);
    out.insert("delegation".into(), attribute(&delegation, "delegation"));
    Value::object(out)
}

#[async_trait::async_trait]
impl ResourceType for VirtualNetwork {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let space = attribute(config, "address_space");
        let pool = attribute(config, "ip_address_pool");
        let configured = |v: &Value| !v.is_known() || (!v.is_null() && !v.is_empty());
        if configured(&space) == configured(&pool) {
            return error(
                "Invalid combination of arguments",
                "exactly one of `address_space` and `ip_address_pool` must be specified",
            );
        }
        Diagnostics::new()
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        if change.changed("ddos_protection_plan") {
            let plan = change.get("ddos_protection_plan");
            match plan.as_seq().and_then(|p| p.first()) {
                Some(p) => {
                    json_set(
                        body,
                        "properties.ddosProtectionPlan",
                        json!({ "id": string_attribute(p, "id") }),
                    );
                    json_set(
                        body,
                        "properties.enableDdosProtection",
                        json!(attribute(p, "enable").as_bool().unwrap_or(false)),
                    );
                }
                None => {
                    json_remove(body, "properties.ddosProtectionPlan");
                    json_remove(body, "properties.enableDdosProtection");
                }
            }
        }
        if change.changed("encryption") {
            let encryption = change.get("encryption");
            match encryption.as_seq().and_then(|e| e.first()) {
                Some(e) => json_set(
                    body,
                    "properties.encryption",
                    json!({ "enabled": true, "enforcement": string_attribute(e, "enforcement") }),
                ),
                None => json_remove(body, "properties.encryption"),
            }
        }
        let subnets = change.get("subnet");
        if change.changed("subnet") && subnets.is_known() {
            let existing: Vec<Json> = json_get(body, "properties.subnets")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            let written: Vec<Json> = subnets
                .as_seq()
                .unwrap_or_default()
                .iter()
                .map(|s| {
                    let name = string_attribute(s, "name").unwrap_or_default();
                    let current = existing
                        .iter()
                        .find(|e| e.get("name").and_then(Json::as_str) == Some(name.as_str()));
                    expand_inline_subnet(s, current)
                })
                .collect();
            json_set(body, "properties.subnets", Json::Array(written));
        } else if change.creating() {
            json_set(body, "properties.subnets", json!([]));
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let empty = json!({});
        let properties = body.get("properties").unwrap_or(&empty);
        let ddos_ty = self
            .def
            .block
            .nested("ddos_protection_plan")
            .map(|n| n.block.value_type());
        if let Some(ty) = ddos_ty {
            let plan = match (
                json_get(properties, "ddosProtectionPlan.id").and_then(Json::as_str),
                properties
                    .get("enableDdosProtection")
                    .and_then(Json::as_bool),
            ) {
                (Some(id), Some(enable)) => vec![Value::object(
                    [
                        ("id".to_string(), Value::string(id)),
                        ("enable".to_string(), Value::Bool(enable)),
                    ]
                    .into(),
                )],
                _ => vec![],
            };
            state.insert("ddos_protection_plan".into(), Value::list(ty, plan));
        }
        if let Some(ty) = self
            .def
            .block
            .nested("encryption")
            .map(|n| n.block.value_type())
        {
            let encryption = properties.get("encryption");
            let enabled = encryption
                .and_then(|e| e.get("enabled"))
                .and_then(Json::as_bool)
                .unwrap_or(false);
            let items = match encryption {
                Some(e) if enabled => vec![Value::object(
                    [(
                        "enforcement".to_string(),
                        Value::string(
                            e.get("enforcement")
                                .and_then(Json::as_str)
                                .unwrap_or_default(),
                        ),
                    )]
                    .into(),
                )],
                _ => vec![],
            };
            state.insert("encryption".into(), Value::list(ty, items));
        }
        let subnets: Vec<Value> = properties
            .get("subnets")
            .and_then(Json::as_array)
            .map(|a| a.iter().map(flatten_inline_subnet).collect())
            .unwrap_or_default();
        state.insert(
            "subnet".into(),
            Value::set(inline_subnet_block().value_type(), subnets),
        );
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        vec![lock_name(
            "azurerm_virtual_network",
            &id_value(id_values, "resource_group_name"),
            &id_value(id_values, "name"),
        )]
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_subnet

/// `azurerm_subnet`.
pub struct Subnet {
    def: ResourceDef,
}

impl Subnet {
    pub fn new() -> Subnet {
        Subnet {
            def: ResourceDef {
                name: "azurerm_subnet",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        string("virtual_network_name").required().force_new(),
                        list_of_strings("address_prefixes").optional(),
                        set_of_strings("service_endpoints")
                            .optional()
                            .arm("properties.serviceEndpoints")
                            .codec(Codec::Wrapped("service")),
                        set_of_strings("service_endpoint_policy_ids")
                            .optional()
                            .arm("properties.serviceEndpointPolicies")
                            .codec(Codec::Wrapped("id")),
                        string("sharing_scope")
                            .optional()
                            .arm("properties.sharingScope"),
                        boolean("default_outbound_access_enabled")
                            .optional()
                            .default(true)
                            .arm("properties.defaultOutboundAccess")
                            .codec(Codec::Custom {
                                expand: |v| v.as_bool().map(Json::Bool),
                                flatten: |j, _| {
                                    Value::Bool(j.and_then(Json::as_bool).unwrap_or(true))
                                },
                            }),
                        string("private_endpoint_network_policies")
                            .optional()
                            .default("Disabled")
                            .arm("properties.privateEndpointNetworkPolicies"),
                        boolean("private_link_service_network_policies_enabled")
                            .optional()
                            .default(true)
                            .arm("properties.privateLinkServiceNetworkPolicies")
                            .codec(Codec::BoolEnum {
                                yes: "Enabled",
                                no: "Disabled",
                            }),
                    ],
                    vec![
                        delegation_block(false).arm_array("properties.delegations"),
                        ip_address_pool_block(1).arm_array("properties.ipamPoolPrefixAllocations"),
                    ],
                ),
                api_version: API_VERSION,
                id: SUBNET_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for Subnet {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let prefixes = attribute(config, "address_prefixes");
        let pool = attribute(config, "ip_address_pool");
        let configured = |v: &Value| !v.is_known() || (!v.is_null() && !v.is_empty());
        if configured(&prefixes) == configured(&pool) {
            diagnostics.extend(error(
                "Invalid combination of arguments",
                "exactly one of `address_prefixes` and `ip_address_pool` must be specified",
            ));
        }
        let scope = attribute(config, "sharing_scope");
        let outbound = attribute(config, "default_outbound_access_enabled");
        if scope.as_str().is_some_and(|s| !s.is_empty()) && outbound.as_bool() != Some(false) {
            diagnostics.extend(error(
                "Invalid combination of arguments",
                "`sharing_scope` cannot be set if `default_outbound_access_enabled` is set to `true`",
            ));
        }
        diagnostics
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        json_set(body, "name", json!(id_value(change.id_values, "name")));
        if change.changed("address_prefixes") {
            let mut properties = body
                .get("properties")
                .cloned()
                .filter(Json::is_object)
                .unwrap_or_else(|| json!({}));
            expand_address_prefixes(
                &strings_of(&change.get("address_prefixes")),
                &mut properties,
            );
            body["properties"] = properties;
        }
        if change.creating() {
            for (key, value) in [("delegations", json!([])), ("serviceEndpoints", json!([]))] {
                if json_get(body, &format!("properties.{key}")).is_none() {
                    json_set(body, &format!("properties.{key}"), value);
                }
            }
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let empty = json!({});
        let properties = body.get("properties").unwrap_or(&empty);
        state.insert(
            "address_prefixes".into(),
            flatten_address_prefixes(properties),
        );
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        let group = id_value(id_values, "resource_group_name");
        vec![
            lock_name(
                "azurerm_virtual_network",
                &group,
                &id_value(id_values, "virtual_network_name"),
            ),
            lock_name(
                "azurerm_subnet",
                &group,
                &format!(
                    "{}/{}",
                    id_value(id_values, "virtual_network_name"),
                    id_value(id_values, "name")
                ),
            ),
        ]
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_virtual_network_peering

/// `azurerm_virtual_network_peering`.
pub struct VirtualNetworkPeering {
    def: ResourceDef,
}

impl VirtualNetworkPeering {
    pub fn new() -> VirtualNetworkPeering {
        VirtualNetworkPeering {
            def: ResourceDef {
                name: "azurerm_virtual_network_peering",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        string("virtual_network_name").required().force_new(),
                        string("remote_virtual_network_id")
                            .required()
                            .force_new()
                            .arm("properties.remoteVirtualNetwork")
                            .codec(Codec::IdRef),
                        boolean("allow_virtual_network_access")
                            .optional()
                            .default(true)
                            .arm("properties.allowVirtualNetworkAccess")
                            .absent(Absent::Null),
                        boolean("allow_forwarded_traffic")
                            .optional()
                            .default(false)
                            .arm("properties.allowForwardedTraffic")
                            .absent(Absent::Null),
                        boolean("allow_gateway_transit")
                            .optional()
                            .default(false)
                            .arm("properties.allowGatewayTransit")
                            .absent(Absent::Null),
                        list_of_strings("local_subnet_names")
                            .optional()
                            .arm("properties.localSubnetNames"),
                        boolean("only_ipv6_peering_enabled")
                            .optional()
                            .force_new()
                            .arm("properties.enableOnlyIPv6Peering"),
                        boolean("peer_complete_virtual_networks_enabled")
                            .optional()
                            .default(true)
                            .force_new()
                            .arm("properties.peerCompleteVnets"),
                        list_of_strings("remote_subnet_names")
                            .optional()
                            .arm("properties.remoteSubnetNames"),
                        boolean("use_remote_gateways")
                            .optional()
                            .default(false)
                            .arm("properties.useRemoteGateways")
                            .absent(Absent::Null),
                        map_of_strings("triggers").optional(),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: PEERING_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[("syncRemoteAddressSpace", "true")],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for VirtualNetworkPeering {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        if change.creating() && change.get("only_ipv6_peering_enabled").as_bool() != Some(true) {
            json_remove(body, "properties.enableOnlyIPv6Peering");
        }
        Ok(())
    }

    fn locks(&self, _id_values: &BTreeMap<String, String>) -> Vec<String> {
        vec!["Microsoft.Network/virtualNetworks/virtualNetworkPeerings".into()]
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_network_security_group

fn security_rule_block() -> BlockDef {
    block_def(
        vec![
            string("name").required().arm("name"),
            string("description")
                .optional()
                .arm("properties.description"),
            string("protocol").required().arm("properties.protocol"),
            string("source_port_range")
                .optional()
                .arm("properties.sourcePortRange"),
            set_of_strings("source_port_ranges")
                .optional()
                .arm("properties.sourcePortRanges"),
            string("destination_port_range")
                .optional()
                .arm("properties.destinationPortRange"),
            set_of_strings("destination_port_ranges")
                .optional()
                .arm("properties.destinationPortRanges"),
            string("source_address_prefix")
                .optional()
                .arm("properties.sourceAddressPrefix"),
            set_of_strings("source_address_prefixes")
                .optional()
                .arm("properties.sourceAddressPrefixes"),
            string("destination_address_prefix")
                .optional()
                .arm("properties.destinationAddressPrefix"),
            set_of_strings("destination_address_prefixes")
                .optional()
                .arm("properties.destinationAddressPrefixes"),
            set_of_strings("destination_application_security_group_ids")
                .optional()
                .arm("properties.destinationApplicationSecurityGroups")
                .codec(Codec::Wrapped("id")),
            set_of_strings("source_application_security_group_ids")
                .optional()
                .arm("properties.sourceApplicationSecurityGroups")
                .codec(Codec::Wrapped("id")),
            string("access").required().arm("properties.access"),
            number("priority").required().arm("properties.priority"),
            string("direction").required().arm("properties.direction"),
        ],
        vec![],
    )
}

const SECURITY_RULE_PROTOCOLS: &[&str] = &["*", "Ah", "Esp", "Icmp", "Tcp", "Udp"];

/// `azurerm_network_security_group`.
pub struct NetworkSecurityGroup {
    def: ResourceDef,
}

impl NetworkSecurityGroup {
    pub fn new() -> NetworkSecurityGroup {
        NetworkSecurityGroup {
            def: ResourceDef {
                name: "azurerm_network_security_group",
                schema_version: 0,
                block: block_def(
                    vec![name(), location(), resource_group_name(), tags()],
                    vec![block("security_rule", security_rule_block())
                        .set()
                        .computed()
                        .arm_array("properties.securityRules")],
                ),
                api_version: API_VERSION,
                id: NETWORK_SECURITY_GROUP_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for NetworkSecurityGroup {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for rule in attribute(config, "security_rule")
            .as_seq()
            .unwrap_or_default()
        {
            for (single, many) in [
                ("source_port_range", "source_port_ranges"),
                ("destination_port_range", "destination_port_ranges"),
                ("source_address_prefix", "source_address_prefixes"),
                ("destination_address_prefix", "destination_address_prefixes"),
            ] {
                let one = attribute(rule, single);
                let several = attribute(rule, many);
                if one.as_str().is_some_and(|s| !s.is_empty())
                    && several.len().is_some_and(|n| n > 0)
                {
                    diagnostics.extend(error(
                        "Invalid security rule",
                        format!(
                            "only one of {single:?} and {many:?} can be used per security rule"
                        ),
                    ));
                }
            }
        }
        diagnostics
    }

    fn expand(&self, _change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        if let Some(Json::Array(rules)) = body.pointer_mut("/properties/securityRules") {
            for rule in rules {
                if let Some(Json::Object(properties)) = rule.get_mut("properties") {
                    properties.retain(|_, v| match v {
                        Json::Array(a) => !a.is_empty(),
                        Json::String(s) => !s.is_empty(),
                        _ => true,
                    });
                }
            }
        }
        Ok(())
    }

    fn flatten(&self, _body: &Json, state: &mut BTreeMap<String, Value>) {
        let Some(rules) = state
            .get("security_rule")
            .and_then(|r| r.as_seq().map(<[Value]>::to_vec))
        else {
            return;
        };
        let ty = security_rule_block().value_type();
        let normalised = rules
            .into_iter()
            .map(|rule| {
                let mut attrs = rule.as_mapping().cloned().unwrap_or_default();
                if let Some(p) = attrs
                    .get("protocol")
                    .and_then(|p| p.as_str().map(str::to_string))
                {
                    if let Some(canonical) = SECURITY_RULE_PROTOCOLS
                        .iter()
                        .find(|c| c.eq_ignore_ascii_case(&p))
                    {
                        attrs.insert("protocol".into(), Value::string(*canonical));
                    }
                }
                Value::object(attrs)
            })
            .collect();
        state.insert("security_rule".into(), Value::set(ty, normalised));
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        vec![lock_name(
            "azurerm_network_security_group",
            &id_value(id_values, "resource_group_name"),
            &id_value(id_values, "name"),
        )]
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_public_ip

/// `azurerm_public_ip`.
pub struct PublicIp {
    def: ResourceDef,
}

impl PublicIp {
    pub fn new() -> PublicIp {
        PublicIp {
            def: ResourceDef {
                name: "azurerm_public_ip",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        location(),
                        resource_group_name(),
                        string("allocation_method")
                            .required()
                            .arm("properties.publicIPAllocationMethod"),
                        string("ddos_protection_mode")
                            .optional()
                            .default("VirtualNetworkInherited")
                            .arm("properties.ddosSettings.protectionMode")
                            .codec(Codec::Custom {
                                expand: |v| v.as_str().map(|s| json!(s)),
                                flatten: |j, _| {
                                    Value::string(
                                        j.and_then(Json::as_str).unwrap_or("VirtualNetworkInherited"),
                                    )
                                },
                            }),
                        string("ddos_protection_plan_id")
                            .optional()
                            .arm("properties.ddosSettings.ddosProtectionPlan.id")
                            .absent(Absent::Keep),
                        edge_zone(),
                        string("ip_version")
                            .optional()
                            .default("IPv4")
                            .force_new()
                            .arm("properties.publicIPAddressVersion"),
                        string("sku")
                            .optional()
                            .default("Standard")
                            .force_new()
                            .arm("sku.name"),
                        string("sku_tier")
                            .optional()
                            .default("Regional")
                            .force_new()
                            .arm("sku.tier"),
                        number("idle_timeout_in_minutes")
                            .optional()
                            .default(4)
                            .arm("properties.idleTimeoutInMinutes")
                            .absent(Absent::Null),
                        string("domain_name_label")
                            .optional()
                            .arm("properties.dnsSettings.domainNameLabel"),
                        string("domain_name_label_scope")
                            .optional()
                            .arm("properties.dnsSettings.domainNameLabelScope"),
                        string("fqdn").computed().arm("properties.dnsSettings.fqdn"),
                        string("reverse_fqdn")
                            .optional()
                            .arm("properties.dnsSettings.reverseFqdn"),
                        string("ip_address")
                            .computed()
                            .arm("properties.ipAddress")
                            .absent(Absent::Null),
                        string("public_ip_prefix_id")
                            .optional()
                            .force_new()
                            .arm("properties.publicIPPrefix.id")
                            .absent(Absent::Keep),
                        map_of_strings("ip_tags")
                            .optional()
                            .force_new()
                            .arm("properties.ipTags")
                            .codec(Codec::Custom {
                                expand: |v| {
                                    v.as_mapping().map(|m| {
                                        Json::Array(
                                            m.iter()
                                                .map(|(k, t)| json!({"ipTagType": k, "tag": t.as_str()}))
                                                .collect(),
                                        )
                                    })
                                },
                                flatten: |j, _| {
                                    let tags: BTreeMap<String, Value> = j
                                        .and_then(Json::as_array)
                                        .map(|a| {
                                            a.iter()
                                                .filter_map(|t| {
                                                    let kind = t.get("ipTagType")?.as_str()?;
                                                    let tag = t.get("tag").and_then(Json::as_str);
                                                    Some((
                                                        kind.to_string(),
                                                        tag.map(Value::string)
                                                            .unwrap_or(Value::Null(Type::String)),
                                                    ))
                                                })
                                                .collect()
                                        })
                                        .unwrap_or_default();
                                    Value::map(Type::String, tags)
                                },
                            }),
                        zones_force_new(),
                        tags(),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: PUBLIC_IP_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

const BASIC_SKU_RETIRED: &str = "creation of new `Basic` SKU public IP addresses is no longer permitted following its deprecation on March 31, 2025. This also affects `allocation_method` set to `Dynamic`, as it is only available with the `Basic` SKU. For more information, see https://azure.microsoft.com/updates/upgrade-to-standard-sku-public-ip-addresses-in-azure-by-30-september-2025-basic-sku-will-be-retired/";

#[async_trait::async_trait]
impl ResourceType for PublicIp {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let planned = |p: &PlanContext<'_>, n: &str| {
            p.planned
                .get(n)
                .cloned()
                .unwrap_or(Value::Null(Type::String))
        };
        let sku = planned(plan, "sku");
        let sku = sku.as_str().unwrap_or_default().to_string();
        let changes = [
            "name",
            "resource_group_name",
            "location",
            "allocation_method",
            "edge_zone",
            "ip_version",
            "sku",
            "sku_tier",
            "public_ip_prefix_id",
            "ip_tags",
            "zones",
        ]
        .iter()
        .any(|n| plan.creating() || !attribute(plan.prior, n).raw_equal(&planned(plan, n)));
        if sku.eq_ignore_ascii_case("Basic") && changes {
            plan.diagnostics
                .extend(error("Invalid public IP", BASIC_SKU_RETIRED));
        }
        let tier = planned(plan, "sku_tier");
        if tier
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Global"))
            && !sku.eq_ignore_ascii_case("Standard")
        {
            plan.diagnostics.extend(error(
                "Invalid public IP",
                "`sku` must be set to `Standard` when `sku_tier` is set to `Global`",
            ));
        }
        if !plan.creating() {
            let old = attribute(plan.prior, "domain_name_label_scope");
            let new = planned(plan, "domain_name_label_scope");
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            if text(&old) != text(&new) && (!text(&old).is_empty() || text(&new).is_empty()) {
                plan.force_new("domain_name_label_scope");
            }
        }
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let sku = attribute(config, "sku");
        let sku = sku.as_str().unwrap_or("Standard");
        let method = attribute(config, "allocation_method");
        if (sku.eq_ignore_ascii_case("Standard") || sku.eq_ignore_ascii_case("StandardV2"))
            && method
                .as_str()
                .is_some_and(|m| !m.eq_ignore_ascii_case("Static"))
        {
            return error(
                "Invalid public IP",
                "`allocation_method` must be set to `Static` when `sku` is set to `Standard` or `StandardV2`",
            );
        }
        let mode = attribute(config, "ddos_protection_mode");
        if string_attribute(config, "ddos_protection_plan_id").is_some()
            && !mode
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case("enabled"))
        {
            return error(
                "Invalid public IP",
                "ddos protection plan id can only be set when ddos protection is enabled",
            );
        }
        Diagnostics::new()
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let dns = [
            "domain_name_label",
            "domain_name_label_scope",
            "reverse_fqdn",
        ];
        if dns.iter().any(|n| change.changed(n)) {
            let mut settings = json!({});
            for (attr, key) in
                dns.iter()
                    .zip(["domainNameLabel", "domainNameLabelScope", "reverseFqdn"])
            {
                if let Some(v) = string_attribute(change.planned, attr) {
                    settings[key] = json!(v);
                }
            }
            if settings.as_object().is_some_and(|s| s.is_empty()) {
                json_remove(body, "properties.dnsSettings");
            } else {
                json_set(body, "properties.dnsSettings", settings);
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_nat_gateway

/// `azurerm_nat_gateway`.
pub struct NatGateway {
    def: ResourceDef,
}

impl NatGateway {
    pub fn new() -> NatGateway {
        NatGateway {
            def: ResourceDef {
                name: "azurerm_nat_gateway",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        location(),
                        resource_group_name(),
                        number("idle_timeout_in_minutes")
                            .optional()
                            .default(4)
                            .arm("properties.idleTimeoutInMinutes")
                            .absent(Absent::Null),
                        string("sku_name")
                            .optional()
                            .default("Standard")
                            .force_new()
                            .arm("sku.name"),
                        set_of_strings("zones").optional().force_new().arm("zones"),
                        string("resource_guid")
                            .computed()
                            .arm("properties.resourceGuid")
                            .absent(Absent::Null),
                        tags(),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: NAT_GATEWAY_ID,
                timeouts: Timeouts::minutes(60, 5, Some(60), 60),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for NatGateway {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let sku = attribute(config, "sku_name");
        if sku.as_str() == Some("StandardV2") && !attribute(config, "zones").is_null() {
            return error(
                "Invalid NAT gateway",
                "azurerm_nat_gateway resources with `sku_name` set to `StandardV2` are zone-redundant by default, Azure automatically deploys across all available zones. The `zones` argument must be omitted",
            );
        }
        Diagnostics::new()
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let v2 = plan
            .planned
            .get("sku_name")
            .and_then(|s| s.as_str().map(|s| s == "StandardV2"))
            .unwrap_or(false);
        if v2 && !plan.creating() {
            plan.planned
                .insert("zones".into(), attribute(plan.prior, "zones"));
        }
    }

    fn locks(&self, id_values: &BTreeMap<String, String>) -> Vec<String> {
        vec![lock_name(
            "azurerm_nat_gateway",
            &id_value(id_values, "resource_group_name"),
            &id_value(id_values, "name"),
        )]
    }
}

// ---------------------------------------------------------------------------------------
// The associations: resources that change another ARM object.

/// Parses an ID of `template` given in an attribute, with azurerm's message when it is not.
fn parse_attribute_id(
    template: &IdTemplate,
    state: &Value,
    name: &str,
) -> Result<(String, BTreeMap<String, String>), Diagnostics> {
    let text = string_attribute(state, name).unwrap_or_default();
    let values = template
        .parse(&text, false)
        .map_err(|e| error(format!("Invalid {name}"), e))?;
    Ok((text, values))
}

fn state_of(def: &ResourceDef, values: &[(&str, String)]) -> Value {
    let mut state = null_object(&def.full_block());
    for (k, v) in values {
        state.insert(k.to_string(), Value::string(v.clone()));
    }
    Value::object(state)
}

fn keep_timeouts(state: Value, previous: &Value) -> Value {
    let mut attrs = state.as_mapping().cloned().unwrap_or_default();
    attrs.insert("timeouts".into(), attribute(previous, "timeouts"));
    Value::object(attrs)
}

fn association_def(
    name: &'static str,
    first: &'static str,
    second: &'static str,
    id: IdTemplate,
) -> ResourceDef {
    ResourceDef {
        name,
        schema_version: 0,
        block: block_def(
            vec![
                string(first).required().force_new(),
                string(second).required().force_new(),
            ],
            vec![],
        ),
        api_version: API_VERSION,
        id,
        timeouts: Timeouts::minutes(30, 5, None, 30),
        update: Update::PutExisting,
        put_query: &[],
    }
}

/// Whether a list of sub-resource references (`[{"id": ...}]`) holds `id` (without regard
/// to case, as ARM IDs compare).
fn references(list: Option<&Json>, id: &str) -> bool {
    list.and_then(Json::as_array).is_some_and(|a| {
        a.iter().any(|r| {
            r.get("id")
                .and_then(Json::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case(id))
        })
    })
}

/// `azurerm_nat_gateway_public_ip_association`: the public IP in the NAT gateway's
/// `publicIpAddresses` (or `publicIpAddressesV6`); ID `<nat gateway ID>|<public IP ID>`.
pub struct NatGatewayPublicIpAssociation {
    def: ResourceDef,
}

impl NatGatewayPublicIpAssociation {
    pub fn new() -> NatGatewayPublicIpAssociation {
        NatGatewayPublicIpAssociation {
            def: association_def(
                "azurerm_nat_gateway_public_ip_association",
                "nat_gateway_id",
                "public_ip_address_id",
                NAT_GATEWAY_ID,
            ),
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for NatGatewayPublicIpAssociation {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let (gateway_id, _) = parse_attribute_id(&NAT_GATEWAY_ID, planned, "nat_gateway_id")?;
        let (ip_id, _) = parse_attribute_id(&PUBLIC_IP_ID, planned, "public_ip_address_id")?;
        let id = format!("{gateway_id}|{ip_id}");
        let _locks = ctx
            .client
            .locks()
            .lock(std::slice::from_ref(&gateway_id))
            .await;
        let mut gateway = ctx
            .client
            .get(&gateway_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &gateway_id))?
            .ok_or_else(|| {
                error(
                    "NAT gateway not found",
                    format!("{gateway_id} was not found"),
                )
            })?;
        let ip = ctx
            .client
            .get(&ip_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &ip_id))?
            .ok_or_else(|| error("Public IP not found", format!("{ip_id} was not found")))?;
        let ipv6 = json_get(&ip, "properties.publicIPAddressVersion").and_then(Json::as_str)
            == Some("IPv6");
        let key = if ipv6 {
            "properties.publicIpAddressesV6"
        } else {
            "properties.publicIpAddresses"
        };
        if references(json_get(&gateway, key), &ip_id) {
            if !ctx.features.skip_import_check {
                return Err(already_exists(self.def.name, &id));
            }
        } else {
            let mut list = json_get(&gateway, key)
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            list.push(json!({ "id": ip_id }));
            json_set(&mut gateway, key, Json::Array(list));
            ctx.client
                .put(
                    &gateway_id,
                    API_VERSION,
                    &[],
                    &gateway,
                    timeout(planned, "create", self.def.timeouts.create),
                )
                .await
                .map_err(|e| e.diagnostics("updating", &gateway_id))?;
        }
        let state = state_of(
            &self.def,
            &[
                ("id", id),
                ("nat_gateway_id", gateway_id),
                ("public_ip_address_id", ip_id),
            ],
        );
        Ok(keep_timeouts(state, planned))
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let id = string_attribute(state, "id").unwrap_or_default();
        let (gateway_id, ip_id) =
            split_composite(&id).map_err(|e| error("Invalid resource ID", e))?;
        let Some(gateway) = ctx
            .client
            .get(gateway_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", gateway_id))?
        else {
            return Ok(None);
        };
        let associated = references(json_get(&gateway, "properties.publicIpAddresses"), ip_id)
            || references(json_get(&gateway, "properties.publicIpAddressesV6"), ip_id);
        if !associated {
            return Ok(None);
        }
        let fresh = state_of(
            &self.def,
            &[
                ("id", id.clone()),
                ("nat_gateway_id", gateway_id.to_string()),
                ("public_ip_address_id", ip_id.to_string()),
            ],
        );
        Ok(Some(keep_timeouts(fresh, state)))
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let id = string_attribute(state, "id").unwrap_or_default();
        let (gateway_id, ip_id) =
            split_composite(&id).map_err(|e| error("Invalid resource ID", e))?;
        let _locks = ctx.client.locks().lock(&[gateway_id.to_string()]).await;
        let mut gateway = ctx
            .client
            .get(gateway_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", gateway_id))?
            .ok_or_else(|| {
                error(
                    "NAT gateway not found",
                    format!("{gateway_id} was not found"),
                )
            })?;
        let mut removed = false;
        for key in [
            "properties.publicIpAddresses",
            "properties.publicIpAddressesV6",
        ] {
            if let Some(list) = json_get(&gateway, key).and_then(Json::as_array).cloned() {
                let kept: Vec<Json> = list
                    .iter()
                    .filter(|r| {
                        !r.get("id")
                            .and_then(Json::as_str)
                            .is_some_and(|r| r.eq_ignore_ascii_case(ip_id))
                    })
                    .cloned()
                    .collect();
                removed |= kept.len() != list.len();
                json_set(&mut gateway, key, Json::Array(kept));
            }
        }
        if !removed {
            return Ok(());
        }
        ctx.client
            .put(
                gateway_id,
                API_VERSION,
                &[],
                &gateway,
                timeout(state, "delete", self.def.timeouts.delete),
            )
            .await
            .map(drop)
            .map_err(|e| e.diagnostics("deleting", &id))
    }

    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        let (gateway_id, ip_id) = split_composite(id).map_err(|e| error("Invalid import ID", e))?;
        NAT_GATEWAY_ID
            .parse(gateway_id, false)
            .and_then(|_| PUBLIC_IP_ID.parse(ip_id, false))
            .map_err(|e| error("Invalid import ID", e))?;
        Ok(state_of(&self.def, &[("id", id.to_string())]))
    }
}

/// `azurerm_subnet_nat_gateway_association`: the subnet's `natGateway`; ID the subnet's.
pub struct SubnetNatGatewayAssociation {
    def: ResourceDef,
}

impl SubnetNatGatewayAssociation {
    pub fn new() -> SubnetNatGatewayAssociation {
        SubnetNatGatewayAssociation {
            def: association_def(
                "azurerm_subnet_nat_gateway_association",
                "subnet_id",
                "nat_gateway_id",
                SUBNET_ID,
            ),
        }
    }

    fn subnet_locks(
        gateway: &BTreeMap<String, String>,
        subnet: &BTreeMap<String, String>,
    ) -> Vec<String> {
        let group = id_value(subnet, "resource_group_name");
        let vnet = id_value(subnet, "virtual_network_name");
        vec![
            lock_name(
                "azurerm_nat_gateway",
                &id_value(gateway, "resource_group_name"),
                &id_value(gateway, "name"),
            ),
            lock_name("azurerm_virtual_network", &group, &vnet),
            lock_name(
                "azurerm_subnet",
                &group,
                &format!("{vnet}/{}", id_value(subnet, "name")),
            ),
        ]
    }
}

#[async_trait::async_trait]
impl ResourceType for SubnetNatGatewayAssociation {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let (subnet_id, subnet_values) = parse_attribute_id(&SUBNET_ID, planned, "subnet_id")?;
        let (gateway_id, gateway_values) =
            parse_attribute_id(&NAT_GATEWAY_ID, planned, "nat_gateway_id")?;
        let _locks = ctx
            .client
            .locks()
            .lock(&Self::subnet_locks(&gateway_values, &subnet_values))
            .await;
        let mut subnet = ctx
            .client
            .get(&subnet_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &subnet_id))?
            .ok_or_else(|| error("Subnet not found", format!("{subnet_id} was not found")))?;
        if json_get(&subnet, "properties.natGateway.id").is_some()
            && !ctx.features.skip_import_check
        {
            return Err(already_exists(self.def.name, &subnet_id));
        }
        json_set(
            &mut subnet,
            "properties.natGateway",
            json!({ "id": gateway_id }),
        );
        ctx.client
            .put(
                &subnet_id,
                API_VERSION,
                &[],
                &subnet,
                timeout(planned, "create", self.def.timeouts.create),
            )
            .await
            .map_err(|e| e.diagnostics("updating the NAT Gateway Association for", &subnet_id))?;
        let state = state_of(
            &self.def,
            &[
                ("id", subnet_id.clone()),
                ("subnet_id", subnet_id),
                ("nat_gateway_id", gateway_id),
            ],
        );
        Ok(keep_timeouts(state, planned))
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let (subnet_id, _) = parse_attribute_id(&SUBNET_ID, state, "id")?;
        let Some(subnet) = ctx
            .client
            .get(&subnet_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &subnet_id))?
        else {
            return Ok(None);
        };
        let Some(gateway_id) = json_get(&subnet, "properties.natGateway.id").and_then(Json::as_str)
        else {
            return Ok(None);
        };
        let fresh = state_of(
            &self.def,
            &[
                ("id", subnet_id.clone()),
                ("subnet_id", subnet_id),
                ("nat_gateway_id", gateway_id.to_string()),
            ],
        );
        Ok(Some(keep_timeouts(fresh, state)))
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let (subnet_id, subnet_values) = parse_attribute_id(&SUBNET_ID, state, "id")?;
        let Some(subnet) = ctx
            .client
            .get(&subnet_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &subnet_id))?
        else {
            return Ok(());
        };
        let Some(gateway_id) = json_get(&subnet, "properties.natGateway.id").and_then(Json::as_str)
        else {
            return Ok(());
        };
        let gateway_values = NAT_GATEWAY_ID.parse(gateway_id, true).unwrap_or_default();
        let _locks = ctx
            .client
            .locks()
            .lock(&Self::subnet_locks(&gateway_values, &subnet_values))
            .await;
        let Some(mut subnet) = ctx
            .client
            .get(&subnet_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &subnet_id))?
        else {
            return Ok(());
        };
        json_remove(&mut subnet, "properties.natGateway");
        ctx.client
            .put(
                &subnet_id,
                API_VERSION,
                &[],
                &subnet,
                timeout(state, "delete", self.def.timeouts.delete),
            )
            .await
            .map(drop)
            .map_err(|e| e.diagnostics("removing the NAT Gateway Association from", &subnet_id))
    }

    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        SUBNET_ID
            .parse(id, false)
            .map_err(|e| error("Invalid import ID", e))?;
        Ok(state_of(&self.def, &[("id", id.to_string())]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_prefixes_one_or_many() {
        let mut p = json!({"addressPrefixes": ["x"]});
        expand_address_prefixes(&["10.0.1.0/24".into()], &mut p);
        assert_eq!(p, json!({"addressPrefix": "10.0.1.0/24"}));
        assert_eq!(
            flatten_address_prefixes(&p),
            string_list(vec!["10.0.1.0/24".into()])
        );
        expand_address_prefixes(&["a".into(), "b".into()], &mut p);
        assert_eq!(p, json!({"addressPrefixes": ["a", "b"]}));
        assert_eq!(flatten_address_prefixes(&json!({})), string_list(vec![]));
    }

    #[test]
    fn inline_subnets_keep_what_arm_has() {
        let def = inline_subnet_block();
        let mut attrs = null_object(&def);
        attrs.insert("name".into(), Value::string("a"));
        attrs.insert(
            "address_prefixes".into(),
            string_list(vec!["10.0.1.0/24".into()]),
        );
        let subnet = Value::object(attrs);
        let existing = json!({"name": "a", "properties": {"natGateway": {"id": "/n"}, "ipConfigurations": [{"id": "/i"}]}});
        let written = expand_inline_subnet(&subnet, Some(&existing));
        assert_eq!(written["properties"]["natGateway"]["id"], "/n");
        assert!(written["properties"].get("ipConfigurations").is_none());
        assert_eq!(written["properties"]["addressPrefix"], "10.0.1.0/24");
        assert_eq!(
            written["properties"]["privateLinkServiceNetworkPolicies"],
            "Enabled"
        );
        let back = flatten_inline_subnet(&written);
        assert_eq!(
            attribute(&back, "address_prefixes"),
            string_list(vec!["10.0.1.0/24".into()])
        );
        assert_eq!(
            attribute(&back, "private_endpoint_network_policies"),
            Value::string("Disabled")
        );
    }
}
