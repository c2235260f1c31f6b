//! VPN: virtual network gateways (site-to-site and point-to-site with certificate, RADIUS or
//! Azure AD authentication), local network gateways, and the connections between them —
//! with azurerm v4's schemas (the deprecated `enable_bgp` beside `bgp_enabled`), defaults,
//! force-new rules, import IDs, and the connection's shared key kept through the
//! `sharedkey` sub-resource as azurerm does.

use crate::framework::common::{edge_zone, location, name, resource_group_name, tags};
use crate::framework::flow::{self, already_exists, planned_id, state_from_body, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_remove, json_set};
use crate::framework::schema::{
    block, block_def, boolean, list_of_strings, number, set_of_strings, string, Absent, Codec,
    Nested,
};
use crate::framework::{
    attribute, error, string_attribute, Change, Ctx, PlanContext, ResourceDef, ResourceType,
    Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4 manages gateways and connections with.
const API_VERSION: &str = "2025-01-01";

pub const VIRTUAL_NETWORK_GATEWAY_ID: IdTemplate = IdTemplate::new(
    "Virtual Network Gateway",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/virtualNetworkGateways/{name}",
);
pub const LOCAL_NETWORK_GATEWAY_ID: IdTemplate = IdTemplate::new(
    "Local Network Gateway",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/localNetworkGateways/{name}",
);
pub const CONNECTION_ID: IdTemplate = IdTemplate::new(
    "Connection",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/connections/{name}",
);

const POLICY_BASED_SKUS: &[&str] = &["Basic"];
const ROUTE_BASED_GENERATION_1_SKUS: &[&str] = &[
    "Basic",
    "Standard",
    "HighPerformance",
    "VpnGw1",
    "VpnGw2",
    "VpnGw3",
    "VpnGw1AZ",
    "VpnGw2AZ",
    "VpnGw3AZ",
];
const ROUTE_BASED_GENERATION_2_SKUS: &[&str] = &[
    "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ",
];
const EXPRESS_ROUTE_SKUS: &[&str] = &[
    "Standard",
    "HighPerformance",
    "UltraPerformance",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];
const DH_GROUPS: &[&str] = &[
    "DHGroup1",
    "DHGroup14",
    "DHGroup2",
    "DHGroup2048",
    "DHGroup24",
    "ECP256",
    "ECP384",
    "None",
];
const IKE_ENCRYPTIONS: &[&str] = &[
    "AES128",
    "AES192",
    "AES256",
    "DES",
    "DES3",
    "GCMAES128",
    "GCMAES256",
];
const IKE_INTEGRITIES: &[&str] = &["GCMAES128", "GCMAES256", "MD5", "SHA1", "SHA256", "SHA384"];
const IPSEC_ENCRYPTIONS: &[&str] = &[
    "AES128",
    "AES192",
    "AES256",
    "DES",
    "DES3",
    "GCMAES128",
    "GCMAES192",
    "GCMAES256",
    "None",
];
const IPSEC_INTEGRITIES: &[&str] = &[
    "GCMAES128",
    "GCMAES192",
    "GCMAES256",
    "MD5",
    "SHA1",
    "SHA256",
];
const PFS_GROUPS: &[&str] = &[
    "ECP256", "ECP384", "None", "PFS1", "PFS14", "PFS2", "PFS2048", "PFS24", "PFSMM",
];

/// azurerm's `validation.StringInSlice(allowed, false)` on a known, non-null string: an error
/// naming the argument at `path` when the value is not one of `allowed`.
pub(super) fn check_one_of(value: &Value, path: &str, allowed: &[&str], diags: &mut Diagnostics) {
    if let Some(text) = value.as_str() {
        if !allowed.contains(&text) {
            diags.extend(error(
                "Invalid value",
                format!("expected {path} to be one of {allowed:?}, got {text}"),
            ));
        }
    }
}

/// The elements of a nested block (none when null or unknown).
pub(super) fn elements(value: &Value) -> Vec<Value> {
    value.as_seq().map(<[Value]>::to_vec).unwrap_or_default()
}

/// Whether an argument is set in a configuration (unknown counts as set).
pub(super) fn is_set(value: &Value) -> bool {
    !value.is_known() || !value.is_null()
}

/// Two strings that differ only in case (azurerm's `suppress.CaseDifference`).
pub(super) fn same_ignoring_case(prior: &Value, config: &Value) -> bool {
    match (prior.as_str(), config.as_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// The last segment of a resource ID (its name).
fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The BGP flag written for a change, from `bgp_enabled` or its deprecated twin `enable_bgp`
/// (configured values win, as azurerm reads the raw configuration).
fn bgp_flag(change: &Change<'_>) -> bool {
    let known = |name: &str| change.get(name).as_bool();
    if change.creating() {
        return known("enable_bgp")
            .or(known("bgp_enabled"))
            .unwrap_or(false);
    }
    if change.changed("bgp_enabled") {
        if let Some(flag) = known("bgp_enabled") {
            return flag;
        }
    }
    if change.changed("enable_bgp") {
        if let Some(flag) = known("enable_bgp") {
            return flag;
        }
    }
    false
}

/// Sets `bgp_enabled` and `enable_bgp` from ARM's `enableBgp`.
fn flatten_bgp_flags(body: &Json, state: &mut BTreeMap<String, Value>) {
    let enabled = json_get(body, "properties.enableBgp")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    state.insert("bgp_enabled".into(), Value::Bool(enabled));
    state.insert("enable_bgp".into(), Value::Bool(enabled));
}

/// `enable_bgp` and `bgp_enabled` conflict with each other; `enable_bgp` is deprecated.
fn check_bgp_conflict(config: &Value, diags: &mut Diagnostics) {
    let enable_bgp = is_set(&attribute(config, "enable_bgp"));
    if enable_bgp && is_set(&attribute(config, "bgp_enabled")) {
        diags.extend(error(
            "Conflicting configuration arguments",
            "\"enable_bgp\": conflicts with bgp_enabled",
        ));
    }
    if enable_bgp {
        diags.push(Diagnostic::warning(
            "Argument is deprecated",
            "the `enable_bgp` property has been deprecated in favour of the `bgp_enabled` property and will be removed in v5.0 of the AzureRM Provider",
        ));
    }
}

/// Checks the required string arguments of IPsec policy blocks against their enumerations.
fn check_ipsec_policies(policies: &Value, path: &str, diags: &mut Diagnostics) {
    for policy in elements(policies) {
        for (name, allowed) in [
            ("dh_group", DH_GROUPS),
            ("ike_encryption", IKE_ENCRYPTIONS),
            ("ike_integrity", IKE_INTEGRITIES),
            ("ipsec_encryption", IPSEC_ENCRYPTIONS),
            ("ipsec_integrity", IPSEC_INTEGRITIES),
            ("pfs_group", PFS_GROUPS),
        ] {
            check_one_of(
                &attribute(&policy, name),
                &format!("{path}.0.{name}"),
                allowed,
                diags,
            );
        }
    }
}

/// `policy_group_names` of client connections: written as references holding bare names
/// (qualified by [`qualify_policy_group_names`]), read back as the names of the IDs.
fn policy_group_names_codec() -> Codec {
    Codec::Custom {
        expand: |v| {
            v.as_seq().map(|names| {
                Json::Array(
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|n| json!({ "id": n }))
                        .collect(),
                )
            })
        },
        flatten: |json, _| {
            let names = json
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.get("id").and_then(Json::as_str))
                        .map(|id| Value::string(last_segment(id)))
                        .collect()
                })
                .unwrap_or_default();
            Value::list(Type::String, names)
        },
    }
}

/// Replaces the bare policy group names written into client connections by their IDs.
fn qualify_policy_group_names(gateway_id: &str, body: &mut Json) {
    let Some(connections) = body
        .pointer_mut("/properties/vpnClientConfiguration/vngClientConnectionConfigurations")
        .and_then(Json::as_array_mut)
    else {
        return;
    };
    for connection in connections {
        let Some(groups) = connection
            .pointer_mut("/properties/virtualNetworkGatewayPolicyGroups")
            .and_then(Json::as_array_mut)
        else {
            continue;
        };
        for group in groups {
            if let Some(name) = group.get("id").and_then(Json::as_str) {
                if !name.starts_with('/') {
                    let id = format!("{gateway_id}/virtualNetworkGatewayPolicyGroups/{name}");
                    group["id"] = json!(id);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_virtual_network_gateway

fn vpn_client_configuration_block() -> Nested {
    let client_connection = block(
        "virtual_network_gateway_client_connection",
        block_def(
            vec![
                string("name").required().arm("name"),
                list_of_strings("policy_group_names")
                    .required()
                    .arm("properties.virtualNetworkGatewayPolicyGroups")
                    .codec(policy_group_names_codec()),
                list_of_strings("address_prefixes")
                    .required()
                    .arm("properties.vpnClientAddressPool.addressPrefixes"),
            ],
            vec![],
        ),
    )
    .arm_array("vngClientConnectionConfigurations");
    let ipsec_policy = block(
        "ipsec_policy",
        block_def(
            vec![
                string("dh_group").required().arm("dhGroup"),
                string("ike_encryption").required().arm("ikeEncryption"),
                string("ike_integrity").required().arm("ikeIntegrity"),
                string("ipsec_encryption").required().arm("ipsecEncryption"),
                string("ipsec_integrity").required().arm("ipsecIntegrity"),
                string("pfs_group").required().arm("pfsGroup"),
                number("sa_lifetime_in_seconds")
                    .required()
                    .arm("saLifeTimeSeconds"),
                number("sa_data_size_in_kilobytes")
                    .required()
                    .arm("saDataSizeKilobytes"),
            ],
            vec![],
        ),
    )
    .max(1)
    .arm_array("vpnClientIpsecPolicies");
    let root_certificate = block(
        "root_certificate",
        block_def(
            vec![
                string("name").required().arm("name"),
                string("public_cert_data")
                    .required()
                    .arm("properties.publicCertData"),
            ],
            vec![],
        ),
    )
    .set()
    .arm_array("vpnClientRootCertificates");
    let revoked_certificate = block(
        "revoked_certificate",
        block_def(
            vec![
                string("name").required().arm("name"),
                string("thumbprint").required().arm("properties.thumbprint"),
            ],
            vec![],
        ),
    )
    .set()
    .arm_array("vpnClientRevokedCertificates");
    let radius_server = block(
        "radius_server",
        block_def(
            vec![
                string("address").required().arm("radiusServerAddress"),
                string("secret")
                    .required()
                    .sensitive()
                    .arm("radiusServerSecret"),
                number("score").required().arm("radiusServerScore"),
            ],
            vec![],
        ),
    )
    .arm_array("radiusServers");
    block(
        "vpn_client_configuration",
        block_def(
            vec![
                list_of_strings("address_space")
                    .required()
                    .arm("vpnClientAddressPool.addressPrefixes"),
                string("aad_tenant").optional().arm("aadTenant"),
                string("aad_audience").optional().arm("aadAudience"),
                string("aad_issuer").optional().arm("aadIssuer"),
                string("radius_server_address")
                    .optional()
                    .arm("radiusServerAddress"),
                string("radius_server_secret")
                    .optional()
                    .sensitive()
                    .arm("radiusServerSecret"),
                set_of_strings("vpn_auth_types")
                    .optional()
                    .computed()
                    .arm("vpnAuthenticationTypes"),
                set_of_strings("vpn_client_protocols")
                    .optional()
                    .computed()
                    .arm("vpnClientProtocols"),
            ],
            vec![
                client_connection,
                ipsec_policy,
                root_certificate,
                revoked_certificate,
                radius_server,
            ],
        ),
    )
    .max(1)
    .arm_object("properties.vpnClientConfiguration")
}

fn gateway_bgp_settings_block() -> Nested {
    let peering_addresses = block(
        "peering_addresses",
        block_def(
            vec![
                string("ip_configuration_name")
                    .optional()
                    .computed()
                    .arm("ipconfigurationId")
                    .codec(Codec::Custom {
                        expand: |v| v.as_str().map(|s| json!(s)),
                        flatten: |json, _| {
                            Value::string(
                                json.and_then(Json::as_str)
                                    .map(last_segment)
                                    .unwrap_or_default(),
                            )
                        },
                    }),
                list_of_strings("apipa_addresses")
                    .optional()
                    .arm("customBgpIpAddresses"),
                list_of_strings("default_addresses")
                    .computed()
                    .arm("defaultBgpIpAddresses"),
                list_of_strings("tunnel_ip_addresses")
                    .computed()
                    .arm("tunnelIpAddresses"),
            ],
            vec![],
        ),
    )
    .min(1)
    .max(2)
    .computed()
    .arm_array("bgpPeeringAddresses");
    block(
        "bgp_settings",
        block_def(
            vec![
                number("asn").optional().arm("asn"),
                number("peer_weight").optional().arm("peerWeight"),
            ],
            vec![peering_addresses],
        ),
    )
    .max(1)
    .computed()
    .arm_object("properties.bgpSettings")
}

fn policy_group_block() -> Nested {
    block(
        "policy_group",
        block_def(
            vec![
                string("name").required().arm("name"),
                boolean("is_default")
                    .optional()
                    .default(false)
                    .arm("properties.isDefault"),
                number("priority")
                    .optional()
                    .default(0)
                    .arm("properties.priority"),
            ],
            vec![block(
                "policy_member",
                block_def(
                    vec![
                        string("name").required().arm("name"),
                        string("type").required().arm("attributeType"),
                        string("value").required().arm("attributeValue"),
                    ],
                    vec![],
                ),
            )
            .min(1)
            .arm_array("properties.policyMembers")],
        ),
    )
    .arm_array("properties.virtualNetworkGatewayPolicyGroups")
}

/// `azurerm_virtual_network_gateway`.
pub struct VirtualNetworkGateway {
    def: ResourceDef,
}

impl VirtualNetworkGateway {
    pub fn new() -> VirtualNetworkGateway {
        let ip_configuration = block(
            "ip_configuration",
            block_def(
                vec![
                    string("name")
                        .optional()
                        .default("vnetGatewayConfig")
                        .arm("name"),
                    string("private_ip_address_allocation")
                        .optional()
                        .default("Dynamic")
                        .arm("properties.privateIPAllocationMethod"),
                    string("subnet_id")
                        .required()
                        .suppress(same_ignoring_case)
                        .arm("properties.subnet.id"),
                    string("public_ip_address_id")
                        .optional()
                        .arm("properties.publicIPAddress.id"),
                ],
                vec![],
            ),
        )
        .min(1)
        .max(3)
        .force_new()
        .arm_array("properties.ipConfigurations");
        let custom_route = block(
            "custom_route",
            block_def(
                vec![set_of_strings("address_prefixes")
                    .optional()
                    .arm("addressPrefixes")],
                vec![],
            ),
        )
        .max(1)
        .arm_object("properties.customRoutes");
        VirtualNetworkGateway {
            def: ResourceDef {
                name: "azurerm_virtual_network_gateway",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        location(),
                        string("type")
                            .required()
                            .force_new()
                            .arm("properties.gatewayType"),
                        string("vpn_type")
                            .optional()
                            .default("RouteBased")
                            .force_new()
                            .arm("properties.vpnType"),
                        edge_zone(),
                        boolean("enable_bgp").optional().computed(),
                        boolean("bgp_enabled").optional().computed(),
                        boolean("private_ip_address_enabled")
                            .optional()
                            .force_new()
                            .arm("properties.enablePrivateIpAddress"),
                        boolean("active_active")
                            .optional()
                            .computed()
                            .arm("properties.activeActive"),
                        string("sku").required().arm("properties.sku.name"),
                        string("generation")
                            .optional()
                            .computed()
                            .force_new()
                            .arm("properties.vpnGatewayGeneration"),
                        string("default_local_network_gateway_id")
                            .optional()
                            .arm("properties.gatewayDefaultSite.id")
                            .absent(Absent::Keep),
                        boolean("bgp_route_translation_for_nat_enabled")
                            .optional()
                            .default(false)
                            .arm("properties.enableBgpRouteTranslationForNat"),
                        boolean("dns_forwarding_enabled")
                            .optional()
                            .arm("properties.enableDnsForwarding"),
                        boolean("ip_sec_replay_protection_enabled")
                            .optional()
                            .default(true)
                            .arm("properties.disableIPSecReplayProtection")
                            .codec(Codec::Custom {
                                expand: |v| v.as_bool().map(|enabled| json!(!enabled)),
                                flatten: |json, _| {
                                    Value::Bool(!json.and_then(Json::as_bool).unwrap_or(false))
                                },
                            }),
                        number("maximum_scale_unit")
                            .optional()
                            .computed()
                            .arm("properties.autoScaleConfiguration.bounds.max")
                            .absent(Absent::Null),
                        number("minimum_scale_unit")
                            .optional()
                            .computed()
                            .arm("properties.autoScaleConfiguration.bounds.min")
                            .absent(Absent::Null),
                        boolean("remote_vnet_traffic_enabled")
                            .optional()
                            .default(false)
                            .arm("properties.allowRemoteVnetTraffic"),
                        boolean("virtual_wan_traffic_enabled")
                            .optional()
                            .default(false)
                            .arm("properties.allowVirtualWanTraffic"),
                        tags(),
                    ],
                    vec![
                        ip_configuration,
                        policy_group_block(),
                        vpn_client_configuration_block(),
                        gateway_bgp_settings_block(),
                        custom_route,
                    ],
                ),
                api_version: API_VERSION,
                id: VIRTUAL_NETWORK_GATEWAY_ID,
                timeouts: Timeouts::minutes(90, 5, Some(60), 120),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// azurerm's check, when creating, of the SKU against the gateway type, VPN type and
    /// generation.
    fn check_sku(change: &Change<'_>) -> Result<(), Diagnostics> {
        let text = |name: &str| string_attribute(change.planned, name).unwrap_or_default();
        let (gateway_type, vpn_type, generation) =
            (text("type"), text("vpn_type"), text("generation"));
        let allowed = match (
            gateway_type.as_str(),
            vpn_type.as_str(),
            generation.as_str(),
        ) {
            ("Vpn", "PolicyBased", _) => POLICY_BASED_SKUS,
            ("Vpn", "RouteBased", "Generation1") => ROUTE_BASED_GENERATION_1_SKUS,
            ("Vpn", "RouteBased", "Generation2") => ROUTE_BASED_GENERATION_2_SKUS,
            ("ExpressRoute", _, _) => EXPRESS_ROUTE_SKUS,
            _ => return Ok(()),
        };
        let mut diags = Diagnostics::new();
        check_one_of(&change.get("sku"), "sku", allowed, &mut diags);
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }

    /// The BGP peering addresses written as azurerm does: each names the IP configuration by
    /// ID (the only `ip_configuration` when it leaves the name out).
    fn expand_peering_addresses(change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let settings = elements(&change.get("bgp_settings"));
        let Some(settings) = settings.first() else {
            return Ok(());
        };
        let path = "properties.bgpSettings.bgpPeeringAddresses";
        let addresses = attribute(settings, "peering_addresses");
        let addresses = elements(&addresses);
        if addresses.is_empty() {
            json_remove(body, path);
            return Ok(());
        }
        let configurations = elements(&change.get("ip_configuration"));
        let only_name = match configurations.as_slice() {
            [one] => string_attribute(one, "name"),
            _ => None,
        };
        let mut written = Vec::new();
        for address in &addresses {
            let configured = string_attribute(address, "ip_configuration_name");
            let name = match (&configured, &only_name) {
                (Some(c), Some(only)) if c != only => {
                    return Err(error(
                        "Invalid BGP settings",
                        "`ip_configuration.0.name` is not the same as `bgp_settings.0.peering_addresses.*.ip_configuration_name`",
                    ))
                }
                (Some(c), _) => c.clone(),
                (None, Some(only)) => only.clone(),
                (None, None) => {
                    return Err(error(
                        "Invalid BGP settings",
                        "`ip_configuration_name` has to be set in current `peering_addresses` block in case there are multiple `ip_configuration` blocks",
                    ))
                }
            };
            let apipa: Vec<String> = elements(&attribute(address, "apipa_addresses"))
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            written.push(json!({
                "ipconfigurationId": format!("{}/ipConfigurations/{name}", change.id),
                "customBgpIpAddresses": apipa,
            }));
        }
        json_set(body, path, Json::Array(written));
        Ok(())
    }
}

#[async_trait::async_trait]
impl ResourceType for VirtualNetworkGateway {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_one_of(
            &attribute(config, "type"),
            "type",
            &["ExpressRoute", "Vpn"],
            &mut diags,
        );
        check_one_of(
            &attribute(config, "vpn_type"),
            "vpn_type",
            &["RouteBased", "PolicyBased"],
            &mut diags,
        );
        check_one_of(
            &attribute(config, "generation"),
            "generation",
            &["Generation1", "Generation2", "None"],
            &mut diags,
        );
        let skus: Vec<&str> = POLICY_BASED_SKUS
            .iter()
            .chain(ROUTE_BASED_GENERATION_1_SKUS)
            .chain(ROUTE_BASED_GENERATION_2_SKUS)
            .chain(EXPRESS_ROUTE_SKUS)
            .copied()
            .collect();
        check_one_of(&attribute(config, "sku"), "sku", &skus, &mut diags);
        check_bgp_conflict(config, &mut diags);
        for (i, configuration) in elements(&attribute(config, "ip_configuration"))
            .iter()
            .enumerate()
        {
            check_one_of(
                &attribute(configuration, "private_ip_address_allocation"),
                &format!("ip_configuration.{i}.private_ip_address_allocation"),
                &["Static", "Dynamic"],
                &mut diags,
            );
            if let Some(subnet) = attribute(configuration, "subnet_id").as_str() {
                if last_segment(subnet) != "GatewaySubnet" {
                    diags.extend(error(
                        "Invalid value",
                        format!("expected ip_configuration.{i}.subnet_id to reference a gateway subnet with name GatewaySubnet, got {subnet}"),
                    ));
                }
            }
        }
        for client in elements(&attribute(config, "vpn_client_configuration")) {
            let aad = ["aad_tenant", "aad_audience", "aad_issuer"];
            let set = aad
                .iter()
                .filter(|n| is_set(&attribute(&client, n)))
                .count();
            if set != 0 && set != aad.len() {
                diags.extend(error(
                    "Missing required argument",
                    "all of `vpn_client_configuration.0.aad_audience,vpn_client_configuration.0.aad_issuer,vpn_client_configuration.0.aad_tenant` must be specified",
                ));
            }
            if is_set(&attribute(&client, "radius_server_address"))
                != is_set(&attribute(&client, "radius_server_secret"))
            {
                diags.extend(error(
                    "Missing required argument",
                    "all of `vpn_client_configuration.0.radius_server_address,vpn_client_configuration.0.radius_server_secret` must be specified",
                ));
            }
            for auth in elements(&attribute(&client, "vpn_auth_types")) {
                check_one_of(
                    &auth,
                    "vpn_client_configuration.0.vpn_auth_types",
                    &["Certificate", "AAD", "Radius"],
                    &mut diags,
                );
            }
            for protocol in elements(&attribute(&client, "vpn_client_protocols")) {
                check_one_of(
                    &protocol,
                    "vpn_client_configuration.0.vpn_client_protocols",
                    &["IkeV2", "OpenVPN", "SSTP"],
                    &mut diags,
                );
            }
            check_ipsec_policies(
                &attribute(&client, "ipsec_policy"),
                "vpn_client_configuration.0.ipsec_policy",
                &mut diags,
            );
        }
        diags
    }

    fn customize_plan(&self, plan: &mut PlanContext<'_>) {
        let planned = |p: &PlanContext<'_>, n: &str| {
            p.planned
                .get(n)
                .cloned()
                .unwrap_or(Value::Null(Type::Dynamic))
        };
        let gateway_type = planned(plan, "type");
        let express_route = gateway_type.as_str() == Some("ExpressRoute");
        if express_route {
            for (i, configuration) in elements(&planned(plan, "ip_configuration"))
                .iter()
                .enumerate()
            {
                if string_attribute(configuration, "public_ip_address_id").is_some() {
                    plan.diagnostics.extend(error(
                        "Invalid virtual network gateway",
                        format!("`ip_configuration.{i}.public_ip_address_id` cannot be set when `type` is set to `ExpressRoute`"),
                    ));
                }
            }
        }
        let sku = planned(plan, "sku");
        let sku = sku.as_str().unwrap_or_default().to_string();
        let configured = |p: &PlanContext<'_>, n: &str| !attribute(p.config, n).is_null();
        if configured(plan, "minimum_scale_unit") || configured(plan, "maximum_scale_unit") {
            if sku != "ErGwScale" {
                plan.diagnostics.extend(error(
                    "Invalid virtual network gateway",
                    "`minimum_scale_unit` and `maximum_scale_unit` are only supported when `sku` is set to `ErGwScale`",
                ));
            }
            let unit = |p: &PlanContext<'_>, n: &str| {
                planned(p, n)
                    .as_number()
                    .and_then(|n| n.to_i64())
                    .unwrap_or(0)
            };
            let (min, max) = (
                unit(plan, "minimum_scale_unit"),
                unit(plan, "maximum_scale_unit"),
            );
            if min > max {
                plan.diagnostics.extend(error(
                    "Invalid virtual network gateway",
                    format!("`minimum_scale_unit` ({min}) cannot be greater than `maximum_scale_unit` ({max})"),
                ));
            }
        }
        if !plan.creating() && express_route {
            let availability_zone =
                |s: &str| matches!(s, "ErGw1AZ" | "ErGw2AZ" | "ErGw3AZ" | "ErGwScale");
            let before = attribute(plan.prior, "sku");
            let before = before.as_str().unwrap_or_default();
            if before != sku && availability_zone(before) != availability_zone(&sku) {
                plan.force_new("sku");
            }
        }
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        if change.creating() {
            Self::check_sku(change)?;
            for path in [
                "properties.activeActive",
                "properties.enablePrivateIpAddress",
            ] {
                if json_get(body, path).is_none() {
                    json_set(body, path, json!(false));
                }
            }
        }
        if change.creating() || change.changed("enable_bgp") || change.changed("bgp_enabled") {
            json_set(body, "properties.enableBgp", json!(bgp_flag(change)));
        }
        if change.changed("sku") {
            if let Some(sku) = string_attribute(change.planned, "sku") {
                json_set(body, "properties.sku", json!({ "name": sku, "tier": sku }));
            }
        }
        if change.changed("vpn_client_configuration") {
            qualify_policy_group_names(change.id, body);
        }
        if change.changed("bgp_settings") {
            Self::expand_peering_addresses(change, body)?;
        }
        if change.changed("minimum_scale_unit") || change.changed("maximum_scale_unit") {
            let unit = |n: &str| change.get(n).as_number().and_then(|n| n.to_i64());
            match (unit("minimum_scale_unit"), unit("maximum_scale_unit")) {
                (Some(min), max) if min != 0 => json_set(
                    body,
                    "properties.autoScaleConfiguration",
                    json!({"bounds": {"min": min, "max": max.unwrap_or(0)}}),
                ),
                _ => json_remove(body, "properties.autoScaleConfiguration"),
            }
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        flatten_bgp_flags(body, state);
        let express_route =
            json_get(body, "properties.gatewayType").and_then(Json::as_str) == Some("ExpressRoute");
        if express_route {
            if let Some(configurations) = state.get("ip_configuration").cloned() {
                let ty = configurations.ty();
                let cleared: Vec<Value> = elements(&configurations)
                    .into_iter()
                    .map(|c| {
                        let mut attrs = c.as_mapping().cloned().unwrap_or_default();
                        attrs.insert("public_ip_address_id".into(), Value::string(""));
                        Value::object(attrs)
                    })
                    .collect();
                let element = ty.element_type().cloned().unwrap_or(Type::Dynamic);
                state.insert("ip_configuration".into(), Value::list(element, cleared));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_local_network_gateway

/// `azurerm_local_network_gateway`.
pub struct LocalNetworkGateway {
    def: ResourceDef,
}

impl LocalNetworkGateway {
    pub fn new() -> LocalNetworkGateway {
        LocalNetworkGateway {
            def: ResourceDef {
                name: "azurerm_local_network_gateway",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        location(),
                        resource_group_name(),
                        string("gateway_address")
                            .optional()
                            .arm("properties.gatewayIpAddress"),
                        string("gateway_fqdn").optional().arm("properties.fqdn"),
                        list_of_strings("address_space")
                            .optional()
                            .arm("properties.localNetworkAddressSpace.addressPrefixes"),
                        tags(),
                    ],
                    vec![block(
                        "bgp_settings",
                        block_def(
                            vec![
                                number("asn").required().arm("asn"),
                                string("bgp_peering_address")
                                    .required()
                                    .arm("bgpPeeringAddress"),
                                number("peer_weight").optional().arm("peerWeight"),
                            ],
                            vec![],
                        ),
                    )
                    .max(1)
                    .arm_object("properties.bgpSettings")],
                ),
                api_version: API_VERSION,
                id: LOCAL_NETWORK_GATEWAY_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for LocalNetworkGateway {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let address = is_set(&attribute(config, "gateway_address"));
        let fqdn = is_set(&attribute(config, "gateway_fqdn"));
        if address == fqdn {
            return error(
                "Invalid combination of arguments",
                "exactly one of `gateway_address,gateway_fqdn` must be specified",
            );
        }
        Diagnostics::new()
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let prefixes = "properties.localNetworkAddressSpace.addressPrefixes";
        if change.creating() && json_get(body, prefixes).is_none() {
            json_set(body, prefixes, json!([]));
        }
        if change.changed("bgp_settings") {
            if let Some(settings) = body
                .pointer_mut("/properties/bgpSettings")
                .and_then(Json::as_object_mut)
            {
                settings.entry("peerWeight").or_insert(json!(0));
            }
        }
        Ok(())
    }

    /// Updates as azurerm does: when the address space changes, the gateway is first written
    /// with only its first new prefix (so that ARM takes the new order), then in full.
    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let space = attribute(planned, "address_space");
        let first = elements(&space).first().cloned();
        let changed = !attribute(prior, "address_space").raw_equal(&space);
        if let (true, Some(first)) = (changed, first) {
            let (id, _) = flow::stored_id(self, prior)?;
            let mut body = ctx
                .client
                .get(&id, API_VERSION)
                .await
                .map_err(|e| e.diagnostics("retrieving", &id))?
                .ok_or_else(|| error("Resource not found", format!("{id} was not found")))?;
            json_set(
                &mut body,
                "properties.localNetworkAddressSpace.addressPrefixes",
                json!([first.as_str().unwrap_or_default()]),
            );
            ctx.client
                .put(
                    &id,
                    API_VERSION,
                    &[],
                    &body,
                    timeout(planned, "update", self.def.timeouts.create),
                )
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
        }
        flow::update(self, ctx, prior, planned).await
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_virtual_network_gateway_connection

/// `azurerm_virtual_network_gateway_connection`.
pub struct VirtualNetworkGatewayConnection {
    def: ResourceDef,
}

impl VirtualNetworkGatewayConnection {
    pub fn new() -> VirtualNetworkGatewayConnection {
        let ipsec_policy = block(
            "ipsec_policy",
            block_def(
                vec![
                    string("dh_group").required().arm("dhGroup"),
                    string("ike_encryption").required().arm("ikeEncryption"),
                    string("ike_integrity").required().arm("ikeIntegrity"),
                    string("ipsec_encryption").required().arm("ipsecEncryption"),
                    string("ipsec_integrity").required().arm("ipsecIntegrity"),
                    string("pfs_group").required().arm("pfsGroup"),
                    number("sa_datasize")
                        .optional()
                        .computed()
                        .arm("saDataSizeKilobytes"),
                    number("sa_lifetime")
                        .optional()
                        .computed()
                        .arm("saLifeTimeSeconds"),
                ],
                vec![],
            ),
        )
        .max(1)
        .arm_array("properties.ipsecPolicies");
        let traffic_selector_policy = block(
            "traffic_selector_policy",
            block_def(
                vec![
                    list_of_strings("local_address_cidrs")
                        .required()
                        .arm("localAddressRanges"),
                    list_of_strings("remote_address_cidrs")
                        .required()
                        .arm("remoteAddressRanges"),
                ],
                vec![],
            ),
        )
        .arm_array("properties.trafficSelectorPolicies");
        let custom_bgp_addresses = block(
            "custom_bgp_addresses",
            block_def(
                vec![string("primary").required(), string("secondary").optional()],
                vec![],
            ),
        )
        .max(1);
        VirtualNetworkGatewayConnection {
            def: ResourceDef {
                name: "azurerm_virtual_network_gateway_connection",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        location(),
                        string("type")
                            .required()
                            .force_new()
                            .arm("properties.connectionType"),
                        string("virtual_network_gateway_id")
                            .required()
                            .force_new()
                            .arm("properties.virtualNetworkGateway1")
                            .codec(Codec::IdRef),
                        string("shared_key")
                            .optional()
                            .computed()
                            .sensitive()
                            .arm("properties.sharedKey")
                            .absent(Absent::Keep),
                        string("authorization_key")
                            .optional()
                            .sensitive()
                            .arm("properties.authorizationKey")
                            .absent(Absent::Keep),
                        number("dpd_timeout_seconds")
                            .optional()
                            .force_new()
                            .arm("properties.dpdTimeoutSeconds")
                            .absent(Absent::Keep),
                        string("express_route_circuit_id")
                            .optional()
                            .force_new()
                            .arm("properties.peer")
                            .codec(Codec::IdRef)
                            .absent(Absent::Keep),
                        set_of_strings("egress_nat_rule_ids")
                            .optional()
                            .arm("properties.egressNatRules")
                            .codec(Codec::Wrapped("id")),
                        set_of_strings("ingress_nat_rule_ids")
                            .optional()
                            .arm("properties.ingressNatRules")
                            .codec(Codec::Wrapped("id")),
                        string("peer_virtual_network_gateway_id")
                            .optional()
                            .force_new()
                            .arm("properties.virtualNetworkGateway2")
                            .codec(Codec::IdRef)
                            .absent(Absent::Keep),
                        boolean("local_azure_ip_address_enabled")
                            .optional()
                            .force_new()
                            .arm("properties.useLocalAzureIpAddress")
                            .absent(Absent::Keep),
                        string("local_network_gateway_id")
                            .optional()
                            .arm("properties.localNetworkGateway2")
                            .codec(Codec::IdRef)
                            .absent(Absent::Keep),
                        boolean("enable_bgp").optional().computed(),
                        boolean("bgp_enabled").optional().computed(),
                        boolean("use_policy_based_traffic_selectors")
                            .optional()
                            .computed()
                            .arm("properties.usePolicyBasedTrafficSelectors")
                            .absent(Absent::Keep),
                        number("routing_weight")
                            .optional()
                            .computed()
                            .arm("properties.routingWeight")
                            .absent(Absent::Keep),
                        boolean("express_route_gateway_bypass")
                            .optional()
                            .computed()
                            .arm("properties.expressRouteGatewayBypass")
                            .absent(Absent::Keep),
                        boolean("private_link_fast_path_enabled")
                            .optional()
                            .default(false)
                            .arm("properties.enablePrivateLinkFastPath")
                            .absent(Absent::Keep),
                        string("connection_protocol")
                            .optional()
                            .computed()
                            .force_new()
                            .arm("properties.connectionProtocol"),
                        string("connection_mode")
                            .optional()
                            .default("Default")
                            .force_new()
                            .arm("properties.connectionMode"),
                        tags(),
                    ],
                    vec![traffic_selector_policy, custom_bgp_addresses, ipsec_policy],
                ),
                api_version: API_VERSION,
                id: CONNECTION_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The gateway the connection belongs to, as ARM has it.
    async fn gateway(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Json, Diagnostics> {
        let gateway_id =
            string_attribute(planned, "virtual_network_gateway_id").unwrap_or_default();
        VIRTUAL_NETWORK_GATEWAY_ID
            .parse(&gateway_id, false)
            .map_err(|e| error("Invalid virtual_network_gateway_id", e))?;
        ctx.client
            .get(&gateway_id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &gateway_id))?
            .ok_or_else(|| {
                error(
                    "Virtual network gateway not found",
                    format!("retrieving {gateway_id}: it was not found"),
                )
            })
    }

    /// `gatewayCustomBgpIpAddresses` for `custom_bgp_addresses`: each address with the ID of
    /// the gateway IP configuration whose APIPA addresses hold it.
    fn custom_bgp_addresses(planned: &Value, gateway: &Json) -> Result<Option<Json>, Diagnostics> {
        let configured = elements(&attribute(planned, "custom_bgp_addresses"));
        let Some(addresses) = configured.first() else {
            return Ok(None);
        };
        let primary = string_attribute(addresses, "primary").unwrap_or_default();
        let secondary = string_attribute(addresses, "secondary");
        let peering = json_get(gateway, "properties.bgpSettings.bgpPeeringAddresses")
            .and_then(Json::as_array)
            .ok_or_else(|| {
                error(
                    "Invalid custom_bgp_addresses",
                    "retrieving BGP peering address from `virtual_network_gateway` failed: get nil",
                )
            })?;
        let configuration_of = |address: &str| {
            peering.iter().find_map(|p| {
                let holds = p
                    .get("customBgpIpAddresses")
                    .and_then(Json::as_array)
                    .is_some_and(|a| a.iter().any(|ip| ip.as_str() == Some(address)));
                holds
                    .then(|| p.get("ipconfigurationId").and_then(Json::as_str))
                    .flatten()
                    .map(str::to_string)
            })
        };
        let not_found = || {
            error(
                "Invalid custom_bgp_addresses",
                "primary or secondary address not found at `virtual_network_gateway` configuration `bgp_settings` `peering_addresses`",
            )
        };
        let mut out = vec![
            json!({"ipConfigurationId": configuration_of(&primary).ok_or_else(not_found)?, "customBgpIpAddress": primary}),
        ];
        if let Some(secondary) = secondary {
            out.push(json!({"ipConfigurationId": configuration_of(&secondary).ok_or_else(not_found)?, "customBgpIpAddress": secondary}));
        }
        Ok(Some(Json::Array(out)))
    }

    /// azurerm's checks of a connection against its type and its gateway, when creating.
    fn check(planned: &Value, gateway: &Json, custom_bgp: bool) -> Result<(), Diagnostics> {
        let text = |n: &str| string_attribute(planned, n);
        let connection_type = text("type").unwrap_or_default();
        let flag = |n: &str| attribute(planned, n).as_bool().unwrap_or(false);
        let failure = match connection_type.as_str() {
            "ExpressRoute" if text("express_route_circuit_id").is_none() => Some(
                "`express_route_circuit_id` must be specified when `type` is set to `ExpressRoute`",
            ),
            "ExpressRoute"
                if flag("private_link_fast_path_enabled")
                    && !flag("express_route_gateway_bypass") =>
            {
                Some("`express_route_gateway_bypass` must be enabled when `private_link_fast_path_enabled` is set to `true`")
            }
            "IPsec" if text("local_network_gateway_id").is_none() => {
                Some("`local_network_gateway_id` must be specified when `type` is set to `IPsec`")
            }
            "Vnet2Vnet" if text("peer_virtual_network_gateway_id").is_none() => Some(
                "`peer_virtual_network_gateway_id` must be specified when `type` is set to `Vnet2Vnet`",
            ),
            _ if custom_bgp && connection_type != "IPsec" => {
                Some("`custom_bgp_addresses` can only be used when `type` is set to `IPsec`")
            }
            _ if custom_bgp
                && json_get(gateway, "properties.activeActive").and_then(Json::as_bool)
                    == Some(false) =>
            {
                Some("`custom_bgp_addresses` can only be used when `azurerm_virtual_network_gateway` `active_active` is set enabled`")
            }
            _ => None,
        };
        match failure {
            Some(why) => Err(error("Invalid virtual network gateway connection", why)),
            None => Ok(()),
        }
    }

    /// Completes a state read from ARM with the shared key, which azurerm reads from the
    /// connection's `sharedkey` sub-resource.
    async fn with_shared_key(
        &self,
        ctx: &Ctx<'_>,
        id: &str,
        state: Value,
    ) -> Result<Value, Diagnostics> {
        let path = format!("{id}/sharedkey");
        let key = ctx
            .client
            .get(&path, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving the Shared Key for", id))?;
        let value = key
            .as_ref()
            .and_then(|k| k.get("value"))
            .and_then(Json::as_str)
            .filter(|v| !v.is_empty());
        let mut attrs = state.as_mapping().cloned().unwrap_or_default();
        if let Some(value) = value {
            attrs.insert("shared_key".into(), Value::string(value));
        }
        Ok(Value::object(attrs))
    }
}

#[async_trait::async_trait]
impl ResourceType for VirtualNetworkGatewayConnection {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_one_of(
            &attribute(config, "type"),
            "type",
            &["ExpressRoute", "IPsec", "Vnet2Vnet"],
            &mut diags,
        );
        check_one_of(
            &attribute(config, "connection_protocol"),
            "connection_protocol",
            &["IKEv1", "IKEv2"],
            &mut diags,
        );
        check_one_of(
            &attribute(config, "connection_mode"),
            "connection_mode",
            &["InitiatorOnly", "ResponderOnly", "Default"],
            &mut diags,
        );
        if let Some(weight) = attribute(config, "routing_weight")
            .as_number()
            .and_then(|n| n.to_i64())
        {
            if !(0..=32000).contains(&weight) {
                diags.extend(error(
                    "Invalid value",
                    format!("expected routing_weight to be in the range (0 - 32000), got {weight}"),
                ));
            }
        }
        check_bgp_conflict(config, &mut diags);
        check_ipsec_policies(
            &attribute(config, "ipsec_policy"),
            "ipsec_policy",
            &mut diags,
        );
        diags
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        if change.creating() || change.changed("enable_bgp") || change.changed("bgp_enabled") {
            json_set(body, "properties.enableBgp", json!(bgp_flag(change)));
        }
        if change.creating() {
            for path in [
                "properties.expressRouteGatewayBypass",
                "properties.usePolicyBasedTrafficSelectors",
            ] {
                if json_get(body, path).is_none() {
                    json_set(body, path, json!(false));
                }
            }
        }
        if change.changed("ipsec_policy") {
            if let Some(policies) = body
                .pointer_mut("/properties/ipsecPolicies")
                .and_then(Json::as_array_mut)
            {
                for policy in policies.iter_mut().filter_map(Json::as_object_mut) {
                    policy.entry("saDataSizeKilobytes").or_insert(json!(0));
                    policy.entry("saLifeTimeSeconds").or_insert(json!(0));
                }
            }
        }
        if change.changed("shared_key") && !change.creating() {
            // azurerm changes the key through the `sharedkey` sub-resource, after the PUT.
            json_remove(body, "properties.sharedKey");
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        flatten_bgp_flags(body, state);
        let ty = self
            .def
            .block
            .nested("custom_bgp_addresses")
            .map(|n| n.block.value_type())
            .unwrap_or(Type::Dynamic);
        let configured: Vec<Json> = json_get(body, "properties.gatewayCustomBgpIpAddresses")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let address = |i: usize| {
            configured
                .get(i)
                .and_then(|c| c.get("customBgpIpAddress"))
                .and_then(Json::as_str)
                .filter(|a| !a.is_empty())
                .map(Value::string)
                .unwrap_or(Value::Null(Type::String))
        };
        let addresses = if configured.is_empty() {
            vec![]
        } else {
            vec![Value::object(
                [
                    ("primary".to_string(), address(0)),
                    ("secondary".to_string(), address(1)),
                ]
                .into(),
            )]
        };
        state.insert("custom_bgp_addresses".into(), Value::list(ty, addresses));
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let (id, id_values) = planned_id(self, ctx, planned)?;
        if !ctx.features.skip_import_check {
            let existing = ctx
                .client
                .get(&id, API_VERSION)
                .await
                .map_err(|e| e.diagnostics("checking for presence of existing", &id))?;
            if existing.is_some() {
                return Err(already_exists(self.def.name, &id));
            }
        }
        let gateway = self.gateway(ctx, planned).await?;
        let bgp = if bgp_flag_of(planned) {
            Self::custom_bgp_addresses(planned, &gateway)?
        } else {
            None
        };
        Self::check(planned, &gateway, bgp.is_some())?;
        let mut body = flow::create_body(self, ctx, planned, &id, &id_values)?;
        if let Some(bgp) = bgp {
            json_set(&mut body, "properties.gatewayCustomBgpIpAddresses", bgp);
        }
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
        let state = state_from_body(self, &id, &id_values, &response, planned);
        self.with_shared_key(ctx, &id, state).await
    }

    /// Updates as azurerm does: the connection by GET, overlay and PUT (the custom BGP
    /// addresses, which need the gateway, in a second write), then the shared key through
    /// the `sharedkey` sub-resource.
    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let (id, _) = flow::stored_id(self, prior)?;
        let changed = |n: &str| !attribute(prior, n).raw_equal(&attribute(planned, n));
        let update_timeout = timeout(
            planned,
            "update",
            self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
        );
        let mut state = flow::update(self, ctx, prior, planned).await?;
        if changed("custom_bgp_addresses") {
            let gateway = self.gateway(ctx, planned).await?;
            let bgp = Self::custom_bgp_addresses(planned, &gateway)?.unwrap_or(json!([]));
            let mut body = ctx
                .client
                .get(&id, API_VERSION)
                .await
                .map_err(|e| e.diagnostics("retrieving", &id))?
                .ok_or_else(|| error("Resource not found", format!("{id} was not found")))?;
            json_set(&mut body, "properties.gatewayCustomBgpIpAddresses", bgp);
            let response = ctx
                .client
                .put(&id, API_VERSION, &[], &body, update_timeout)
                .await
                .map_err(|e| e.diagnostics("updating", &id))?;
            let (id, id_values) = flow::stored_id(self, prior)?;
            state = state_from_body(self, &id, &id_values, &response, &state);
        }
        if changed("shared_key") {
            if let Some(key) = string_attribute(planned, "shared_key") {
                ctx.client
                    .put(
                        &format!("{id}/sharedkey"),
                        API_VERSION,
                        &[],
                        &json!({ "value": key }),
                        update_timeout,
                    )
                    .await
                    .map_err(|e| e.diagnostics("updating the Shared Key for", &id))?;
            }
        }
        self.with_shared_key(ctx, &id, state).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let Some(fresh) = flow::read(self, ctx, state).await? else {
            return Ok(None);
        };
        let (id, _) = flow::stored_id(self, state)?;
        self.with_shared_key(ctx, &id, fresh).await.map(Some)
    }
}

/// Whether the planned connection has BGP on (custom BGP addresses are only sent then).
fn bgp_flag_of(planned: &Value) -> bool {
    attribute(planned, "enable_bgp")
        .as_bool()
        .or(attribute(planned, "bgp_enabled").as_bool())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::mapping::null_object;

    #[test]
    fn policy_group_names_are_qualified_and_read_back_as_names() {
        let mut body = json!({"properties": {"vpnClientConfiguration": {"vngClientConnectionConfigurations": [
            {"name": "c", "properties": {"virtualNetworkGatewayPolicyGroups": [{"id": "engineers"}, {"id": "/already/qualified"}]}}
        ]}}});
        qualify_policy_group_names("/gw", &mut body);
        let groups = body
            .pointer("/properties/vpnClientConfiguration/vngClientConnectionConfigurations/0/properties/virtualNetworkGatewayPolicyGroups")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            groups,
            json!([{"id": "/gw/virtualNetworkGatewayPolicyGroups/engineers"}, {"id": "/already/qualified"}])
        );
        let Codec::Custom { flatten, .. } = policy_group_names_codec() else {
            panic!("a custom codec");
        };
        assert_eq!(
            flatten(Some(&groups), &Type::list(Type::String)),
            Value::list(
                Type::String,
                vec![Value::string("engineers"), Value::string("qualified")]
            )
        );
    }

    #[test]
    fn peering_addresses_name_the_only_ip_configuration() {
        let gateway = VirtualNetworkGateway::new();
        let block = gateway.def.full_block();
        let mut planned = null_object(&block);
        let configuration_ty = block
            .nested("ip_configuration")
            .map(|n| n.block.value_type())
            .unwrap_or(Type::Dynamic);
        let mut configuration = null_object(&block.nested("ip_configuration").unwrap().block);
        configuration.insert("name".into(), Value::string("gwconfig"));
        planned.insert(
            "ip_configuration".into(),
            Value::list(configuration_ty, vec![Value::object(configuration)]),
        );
        let bgp = block.nested("bgp_settings").unwrap();
        let peering = bgp.block.nested("peering_addresses").unwrap();
        let mut address = null_object(&peering.block);
        address.insert(
            "apipa_addresses".into(),
            Value::list(Type::String, vec![Value::string("169.254.21.1")]),
        );
        let mut settings = null_object(&bgp.block);
        settings.insert(
            "peering_addresses".into(),
            Value::list(peering.block.value_type(), vec![Value::object(address)]),
        );
        planned.insert(
            "bgp_settings".into(),
            Value::list(bgp.block.value_type(), vec![Value::object(settings)]),
        );
        let planned = Value::object(planned);
        let null = Value::Null(Type::Dynamic);
        let values = BTreeMap::new();
        let account = crate::arm::Account::default();
        let change = Change {
            planned: &planned,
            prior: &null,
            id: "/gw",
            id_values: &values,
            account: &account,
        };
        let mut body = json!({});
        VirtualNetworkGateway::expand_peering_addresses(&change, &mut body).unwrap();
        assert_eq!(
            body,
            json!({"properties": {"bgpSettings": {"bgpPeeringAddresses": [
                {"ipconfigurationId": "/gw/ipConfigurations/gwconfig", "customBgpIpAddresses": ["169.254.21.1"]}
            ]}}})
        );
    }

    #[test]
    fn custom_bgp_addresses_find_their_ip_configuration() {
        let connection = VirtualNetworkGatewayConnection::new();
        let block = connection.def.full_block();
        let nested = block.nested("custom_bgp_addresses").unwrap();
        let mut planned = null_object(&block);
        let mut addresses = null_object(&nested.block);
        addresses.insert("primary".into(), Value::string("169.254.21.2"));
        planned.insert(
            "custom_bgp_addresses".into(),
            Value::list(nested.block.value_type(), vec![Value::object(addresses)]),
        );
        let planned = Value::object(planned);
        let gateway = json!({"properties": {"bgpSettings": {"bgpPeeringAddresses": [
            {"ipconfigurationId": "/gw/ipConfigurations/a", "customBgpIpAddresses": ["169.254.21.1"]},
            {"ipconfigurationId": "/gw/ipConfigurations/b", "customBgpIpAddresses": ["169.254.21.2"]}
        ]}}});
        assert_eq!(
            VirtualNetworkGatewayConnection::custom_bgp_addresses(&planned, &gateway).unwrap(),
            Some(
                json!([{"ipConfigurationId": "/gw/ipConfigurations/b", "customBgpIpAddress": "169.254.21.2"}])
            )
        );
        let elsewhere = json!({"properties": {"bgpSettings": {"bgpPeeringAddresses": []}}});
        assert!(
            VirtualNetworkGatewayConnection::custom_bgp_addresses(&planned, &elsewhere).is_err()
        );
    }
}
