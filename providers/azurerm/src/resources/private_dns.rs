//! Private DNS: `azurerm_private_dns_zone` (with its SOA record), its links to virtual
//! networks, `A` record sets, and the private DNS resolver with its inbound endpoint — with
//! azurerm v4's schemas, defaults, force-new rules and import IDs.

use super::dns::{read_soa, soa_record_block, with_soa, write_soa, SoaFields};
use super::vpn::{check_one_of, elements, same_ignoring_case};
use crate::framework::common::{location, name, resource_group_name, tags};
use crate::framework::flow::{self, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::json_set;
use crate::framework::schema::{
    block, block_def, boolean, map_of_strings, number, set_of_strings, string, Attr, Codec, Nested,
};
use crate::framework::{
    attribute, error, string_attribute, Change, Ctx, ResourceDef, ResourceType, Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::Value;

/// The api-version azurerm v4 manages private DNS zones, links and records with.
const API_VERSION: &str = "2024-06-01";
/// The api-version azurerm v4 manages DNS resolvers with.
const RESOLVER_API_VERSION: &str = "2022-07-01";

pub const PRIVATE_DNS_ZONE_ID: IdTemplate = IdTemplate::new(
    "Private DNS Zone",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/privateDnsZones/{name}",
);
pub const VIRTUAL_NETWORK_LINK_ID: IdTemplate = IdTemplate::new(
    "Virtual Network Link",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/privateDnsZones/{private_dns_zone_name}/virtualNetworkLinks/{name}",
);
pub const PRIVATE_A_RECORD_ID: IdTemplate = IdTemplate::new(
    "Private DNS A Record",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/privateDnsZones/{zone_name}/A/{name}",
);
pub const DNS_RESOLVER_ID: IdTemplate = IdTemplate::new(
    "DNS Resolver",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/dnsResolvers/{name}",
);
pub const INBOUND_ENDPOINT_ID: IdTemplate = IdTemplate::new(
    "Inbound Endpoint",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/dnsResolvers/{dns_resolver_name}/inboundEndpoints/{name}",
);

const PRIVATE_SOA: SoaFields = SoaFields {
    ttl: "ttl",
    record: "soaRecord",
    minimum_ttl: "minimumTtl",
    default_minimum_ttl: 10,
    serial_configurable: false,
    api_version: API_VERSION,
};

/// `azure.SchemaResourceGroupNameDiffSuppress()`: a resource group name whose case may
/// differ from what Azure returns.
fn resource_group_name_any_case() -> Attr {
    string("resource_group_name")
        .required()
        .force_new()
        .suppress(same_ignoring_case)
}

/// Private DNS objects are global.
fn global_location(body: &mut Json) {
    json_set(body, "location", json!("global"));
}

// ---------------------------------------------------------------------------------------
// azurerm_private_dns_zone

/// `azurerm_private_dns_zone`.
pub struct PrivateDnsZone {
    def: ResourceDef,
    soa: Nested,
}

impl PrivateDnsZone {
    pub fn new() -> PrivateDnsZone {
        let soa = soa_record_block(&PRIVATE_SOA).force_new();
        PrivateDnsZone {
            soa: soa.clone(),
            def: ResourceDef {
                name: "azurerm_private_dns_zone",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name_any_case(),
                        number("number_of_record_sets")
                            .computed()
                            .arm("properties.numberOfRecordSets"),
                        number("max_number_of_record_sets")
                            .computed()
                            .arm("properties.maxNumberOfRecordSets"),
                        number("max_number_of_virtual_network_links")
                            .computed()
                            .arm("properties.maxNumberOfVirtualNetworkLinks"),
                        number("max_number_of_virtual_network_links_with_registration")
                            .computed()
                            .arm("properties.maxNumberOfVirtualNetworkLinksWithRegistration"),
                        tags(),
                    ],
                    vec![soa],
                ),
                api_version: API_VERSION,
                id: PRIVATE_DNS_ZONE_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// Writes the SOA record when the plan has one (azurerm writes it on every create and
    /// update that has it), then reads it into the state.
    async fn with_soa_written(
        &self,
        ctx: &Ctx<'_>,
        state: Value,
        planned: &Value,
        wait: Duration,
    ) -> Result<Value, Diagnostics> {
        let (id, values) = flow::stored_id(self, &state)?;
        if let Some(soa) = elements(&attribute(planned, "soa_record")).first() {
            let zone = values.get("name").cloned().unwrap_or_default();
            write_soa(ctx, &PRIVATE_SOA, &id, &zone, soa, wait).await?;
        }
        let soa = read_soa(ctx, &PRIVATE_SOA, &id, &self.soa).await?;
        Ok(with_soa(state, soa))
    }
}

#[async_trait::async_trait]
impl ResourceType for PrivateDnsZone {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn expand(&self, _change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        global_location(body);
        Ok(())
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let state = flow::create(self, ctx, planned).await?;
        let wait = timeout(planned, "create", self.def.timeouts.create);
        self.with_soa_written(ctx, state, planned, wait).await
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let state = flow::update(self, ctx, prior, planned).await?;
        let wait = timeout(
            planned,
            "update",
            self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
        );
        self.with_soa_written(ctx, state, planned, wait).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let Some(fresh) = flow::read(self, ctx, state).await? else {
            return Ok(None);
        };
        let (id, _) = flow::stored_id(self, &fresh)?;
        let soa = read_soa(ctx, &PRIVATE_SOA, &id, &self.soa).await?;
        Ok(Some(with_soa(fresh, soa)))
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_private_dns_zone_virtual_network_link

/// `azurerm_private_dns_zone_virtual_network_link`.
pub struct PrivateDnsZoneVirtualNetworkLink {
    def: ResourceDef,
}

impl PrivateDnsZoneVirtualNetworkLink {
    pub fn new() -> PrivateDnsZoneVirtualNetworkLink {
        PrivateDnsZoneVirtualNetworkLink {
            def: ResourceDef {
                name: "azurerm_private_dns_zone_virtual_network_link",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name")
                            .required()
                            .force_new()
                            .suppress(same_ignoring_case),
                        string("private_dns_zone_name").required().force_new(),
                        resource_group_name_any_case(),
                        string("virtual_network_id")
                            .required()
                            .force_new()
                            .arm("properties.virtualNetwork.id"),
                        boolean("registration_enabled")
                            .optional()
                            .default(false)
                            .arm("properties.registrationEnabled"),
                        string("resolution_policy")
                            .optional()
                            .computed()
                            .arm("properties.resolutionPolicy"),
                        tags(),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: VIRTUAL_NETWORK_LINK_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for PrivateDnsZoneVirtualNetworkLink {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_one_of(
            &attribute(config, "resolution_policy"),
            "resolution_policy",
            &["Default", "NxDomainRedirect"],
            &mut diags,
        );
        diags
    }

    fn expand(&self, _change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        global_location(body);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_private_dns_a_record

/// `azurerm_private_dns_a_record`.
pub struct PrivateDnsARecord {
    def: ResourceDef,
}

impl PrivateDnsARecord {
    pub fn new() -> PrivateDnsARecord {
        PrivateDnsARecord {
            def: ResourceDef {
                name: "azurerm_private_dns_a_record",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name_any_case(),
                        string("zone_name").required().force_new(),
                        set_of_strings("records")
                            .required()
                            .arm("properties.aRecords")
                            .codec(Codec::Wrapped("ipv4Address")),
                        number("ttl").required().arm("properties.ttl"),
                        string("fqdn").computed().arm("properties.fqdn"),
                        map_of_strings("tags").optional().arm("properties.metadata"),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: PRIVATE_A_RECORD_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for PrivateDnsARecord {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(name) = attribute(config, "name").as_str() {
            if name.to_lowercase() != name {
                diags.extend(error(
                    "Invalid value",
                    format!("\"name\" must be a lower-cased string, got {name:?}"),
                ));
            }
        }
        if attribute(config, "records").len().is_some_and(|n| n > 20) {
            diags.extend(error(
                "Invalid value",
                "attribute \"records\" supports 20 items maximum",
            ));
        }
        diags
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_private_dns_resolver

/// `azurerm_private_dns_resolver`.
pub struct PrivateDnsResolver {
    def: ResourceDef,
}

impl PrivateDnsResolver {
    pub fn new() -> PrivateDnsResolver {
        PrivateDnsResolver {
            def: ResourceDef {
                name: "azurerm_private_dns_resolver",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        location(),
                        string("virtual_network_id")
                            .required()
                            .force_new()
                            .arm("properties.virtualNetwork.id"),
                        tags(),
                    ],
                    vec![],
                ),
                api_version: RESOLVER_API_VERSION,
                id: DNS_RESOLVER_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for PrivateDnsResolver {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        if attribute(config, "name").as_str() == Some("") {
            return error(
                "Invalid value",
                "expected \"name\" to not be an empty string",
            );
        }
        Diagnostics::new()
    }
}

// ---------------------------------------------------------------------------------------
// azurerm_private_dns_resolver_inbound_endpoint

/// `azurerm_private_dns_resolver_inbound_endpoint`: its ID is its resolver's with
/// `/inboundEndpoints/{name}`.
pub struct PrivateDnsResolverInboundEndpoint {
    def: ResourceDef,
}

impl PrivateDnsResolverInboundEndpoint {
    pub fn new() -> PrivateDnsResolverInboundEndpoint {
        PrivateDnsResolverInboundEndpoint {
            def: ResourceDef {
                name: "azurerm_private_dns_resolver_inbound_endpoint",
                schema_version: 0,
                block: block_def(
                    vec![
                        name(),
                        string("private_dns_resolver_id").required().force_new(),
                        location(),
                        tags(),
                    ],
                    vec![block(
                        "ip_configurations",
                        block_def(
                            vec![
                                string("subnet_id").required().force_new().arm("subnet.id"),
                                string("private_ip_address")
                                    .optional()
                                    .computed()
                                    .force_new()
                                    .arm("privateIpAddress"),
                                string("private_ip_allocation_method")
                                    .optional()
                                    .default("Dynamic")
                                    .force_new()
                                    .arm("privateIpAllocationMethod"),
                            ],
                            vec![],
                        ),
                    )
                    .min(1)
                    .max(1)
                    .force_new()
                    .arm_array("properties.ipConfigurations")],
                ),
                api_version: RESOLVER_API_VERSION,
                id: INBOUND_ENDPOINT_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for PrivateDnsResolverInboundEndpoint {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for configuration in elements(&attribute(config, "ip_configurations")) {
            check_one_of(
                &attribute(&configuration, "private_ip_allocation_method"),
                "ip_configurations.0.private_ip_allocation_method",
                &["Dynamic", "Static"],
                &mut diags,
            );
        }
        diags
    }

    fn expand(&self, change: &Change<'_>, _body: &mut Json) -> Result<(), Diagnostics> {
        if !change.creating() {
            return Ok(());
        }
        for configuration in elements(&change.get("ip_configurations")) {
            let method = string_attribute(&configuration, "private_ip_allocation_method");
            let address = string_attribute(&configuration, "private_ip_address");
            let why = match (method.as_deref(), address) {
                (Some("Dynamic"), Some(_)) => "`private_ip_address` cannot be set when `private_ip_allocation_method` is `Dynamic`",
                (Some("Static"), None) => "`private_ip_address` must be set when `private_ip_allocation_method` is `Static`",
                _ => continue,
            };
            return Err(error("Invalid IP configuration", why));
        }
        Ok(())
    }

    fn flatten(&self, _body: &Json, state: &mut BTreeMap<String, Value>) {
        let id = state
            .get("id")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if let Ok(values) = INBOUND_ENDPOINT_ID.parse(&id, true) {
            let resolver = DNS_RESOLVER_ID.build(&|name| match name {
                "name" => values.get("dns_resolver_name").cloned(),
                other => values.get(other).cloned(),
            });
            if let Ok(resolver) = resolver {
                state.insert("private_dns_resolver_id".into(), Value::string(resolver));
            }
        }
    }

    /// Creates the endpoint under the resolver `private_dns_resolver_id` names.
    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let resolver = string_attribute(planned, "private_dns_resolver_id").unwrap_or_default();
        let values = DNS_RESOLVER_ID
            .parse(&resolver, false)
            .map_err(|e| error("Invalid private_dns_resolver_id", e))?;
        let mut with_parent = planned.as_mapping().cloned().unwrap_or_default();
        for (key, value) in [
            ("resource_group_name", values.get("resource_group_name")),
            ("dns_resolver_name", values.get("name")),
        ] {
            with_parent.insert(
                key.to_string(),
                Value::string(value.cloned().unwrap_or_default()),
            );
        }
        flow::create(self, ctx, &Value::object(with_parent)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::mapping::null_object;

    #[test]
    fn inbound_endpoints_name_their_resolver() {
        let endpoint = PrivateDnsResolverInboundEndpoint::new();
        let mut state = null_object(&endpoint.def.full_block());
        state.insert(
            "id".into(),
            Value::string("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnsResolvers/r/inboundEndpoints/in"),
        );
        endpoint.flatten(&json!({}), &mut state);
        assert_eq!(
            state["private_dns_resolver_id"],
            Value::string(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnsResolvers/r"
            )
        );
    }

    #[test]
    fn record_names_are_lower_case() {
        let record = PrivateDnsARecord::new();
        let mut config = null_object(&record.def.full_block());
        config.insert("name".into(), Value::string("Db"));
        assert!(record.validate(&Value::object(config.clone())).has_errors());
        config.insert("name".into(), Value::string("db"));
        assert!(!record.validate(&Value::object(config)).has_errors());
    }
}
