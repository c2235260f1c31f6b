//! Microsoft.Network: virtual networks with their subnets (inline or as children), peerings,
//! network security groups, public IP addresses, NAT gateways, network interfaces, private
//! endpoints and their DNS zone groups, VPN gateways, local network gateways, connections,
//! public and private DNS zones with record sets and virtual network links, and DNS resolvers
//! with inbound endpoints. Private addresses are allocated from the subnet (Azure keeps the
//! first four and the last); public addresses from a simulated pool.

use crate::arm::{Ctx, Put};
use crate::http::{ArmError, ArmResult, Request, Response};
use crate::store::{Resource, Store};
use crate::types::{
    invalid_reference, lookup, made_resource, reference, referenced_by, Check, Family,
};
use crate::util::{self, at, default, set, str_at, Prefix};
use serde_json::{json, Value};
use std::net::Ipv4Addr;

const VNET: &str = "Microsoft.Network/virtualNetworks";
const SUBNET: &str = "Microsoft.Network/virtualNetworks/subnets";
const PEERING: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
const NSG: &str = "Microsoft.Network/networkSecurityGroups";
const RULE: &str = "Microsoft.Network/networkSecurityGroups/securityRules";
const PUBLIC_IP: &str = "Microsoft.Network/publicIPAddresses";
const NAT: &str = "Microsoft.Network/natGateways";
const NIC: &str = "Microsoft.Network/networkInterfaces";
const PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
const ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
const VPN_GATEWAY: &str = "Microsoft.Network/virtualNetworkGateways";
const LOCAL_GATEWAY: &str = "Microsoft.Network/localNetworkGateways";
const CONNECTION: &str = "Microsoft.Network/connections";
const DNS_ZONE: &str = "Microsoft.Network/dnszones";
const PRIVATE_ZONE: &str = "Microsoft.Network/privateDnsZones";
const ZONE_LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
const RESOLVER: &str = "Microsoft.Network/dnsResolvers";
const INBOUND: &str = "Microsoft.Network/dnsResolvers/inboundEndpoints";

const RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT",
];

/// The canonical record type a path segment names, if it names one.
pub(crate) fn record_type(segment: &str) -> Option<&'static str> {
    RECORD_TYPES
        .iter()
        .copied()
        .find(|t| t.eq_ignore_ascii_case(segment))
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    let kind = put.kind.clone();
    match kind.as_str() {
        VNET => virtual_network(ctx, put),
        SUBNET => {
            let vnet_key = put.parent_key.clone().unwrap_or_default();
            let properties = put.doc.get("properties").cloned().unwrap_or(json!({}));
            let checked = subnet(ctx.store, put, &vnet_key, &put.name.clone(), &properties)?;
            put.doc["properties"] = checked;
            Ok(())
        }
        PEERING => peering(ctx.store, put),
        NSG => security_group(put),
        RULE => {
            let properties = put.doc.get("properties").cloned().unwrap_or(json!({}));
            put.doc["properties"] = security_rule(&put.check(), &properties, "properties")?;
            Ok(())
        }
        PUBLIC_IP => public_ip(ctx, put),
        NAT => nat_gateway(ctx.store, put),
        NIC => network_interface(ctx.store, put),
        PRIVATE_ENDPOINT => private_endpoint(ctx.store, put),
        ZONE_GROUP => zone_group(ctx.store, put),
        VPN_GATEWAY => vpn_gateway(ctx.store, put),
        LOCAL_GATEWAY => local_gateway(put),
        CONNECTION => connection(ctx.store, put),
        DNS_ZONE => dns_zone(put, false),
        PRIVATE_ZONE => dns_zone(put, true),
        ZONE_LINK => zone_link(ctx.store, put),
        RESOLVER => resolver(ctx.store, put),
        INBOUND => inbound_endpoint(ctx.store, put),
        k if k.starts_with("Microsoft.Network/dnszones/") => record_set(ctx.store, put, false),
        k if k.starts_with("Microsoft.Network/privateDnsZones/") => {
            record_set(ctx.store, put, true)
        }
        _ => Ok(()),
    }
}

fn resource_guid(put: &mut Put) {
    let guid = put
        .old_at("properties.resourceGuid")
        .cloned()
        .unwrap_or_else(|| json!(util::new_uuid()));
    set(&mut put.doc, "properties.resourceGuid", guid);
}

/// IPv4 prefixes of a list (IPv6 ones are accepted and skipped).
fn prefixes(path: &str, items: &[Value]) -> ArmResult<Vec<Prefix>> {
    let mut out = Vec::new();
    for item in items {
        let text = item.as_str().unwrap_or_default();
        match Prefix::parse(text) {
            Some(p) => out.push(p),
            None if util::is_ipv6_prefix(text) => {}
            None => {
                return Err(ArmError::bad_request(
                    "InvalidAddressPrefixFormat",
                    format!("Address prefix {text} at '{path}' is not in a valid CIDR format (a network address and a prefix length, host bits zero)."),
                ))
            }
        }
    }
    Ok(out)
}

fn virtual_network(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let space = check.required("properties.addressSpace.addressPrefixes")?;
    let space: Vec<Value> = space.as_array().cloned().unwrap_or_default();
    if space.is_empty() {
        return Err(check.invalid("The property 'properties.addressSpace.addressPrefixes' must list at least one address prefix."));
    }
    let vnet_prefixes = prefixes("properties.addressSpace.addressPrefixes", &space)?;
    check.array("properties.dhcpOptions.dnsServers")?;
    let keep_existing = put.patch && at(&put.body, "properties.subnets").is_none();
    let listed: Vec<Value> = check.array("properties.subnets")?.to_vec();
    let existing: Vec<Resource> = ctx
        .store
        .children(&put.key, "subnets")
        .into_iter()
        .cloned()
        .collect();
    let mut wanted: Vec<(String, Value)> = Vec::new();
    if keep_existing {
        for s in &existing {
            wanted.push((
                s.name().to_string(),
                s.doc.get("properties").cloned().unwrap_or(json!({})),
            ));
        }
    } else {
        for (i, item) in listed.iter().enumerate() {
            let name = item.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()).ok_or_else(|| {
                check.invalid(format!("The required property 'properties.subnets[{i}].name' is missing from the request."))
            })?;
            if wanted.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Err(ArmError::bad_request(
                    "InvalidRequestFormat",
                    format!(
                        "Subnet name '{name}' appears more than once in virtual network '{}'.",
                        put.name
                    ),
                ));
            }
            wanted.push((
                name.to_string(),
                item.get("properties").cloned().unwrap_or(json!({})),
            ));
        }
    }
    // Subnets no longer listed are deleted, unless something uses them.
    for old in &existing {
        if !wanted
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(old.name()))
        {
            let key = old.id().to_ascii_lowercase();
            if let Some(user) = referenced_by(ctx.store, old.id(), &key) {
                return Err(subnet_in_use(old.name(), user.id()));
            }
            put.removals.push(key);
        }
    }
    let mut taken: Vec<(String, Prefix)> = Vec::new();
    for (name, properties) in &wanted {
        let subnet_key = format!("{}/subnets/{}", put.key, name.to_ascii_lowercase());
        let checked = subnet_properties(
            ctx.store,
            put,
            &vnet_prefixes,
            &mut taken,
            name,
            properties,
            put.location().unwrap_or_default(),
        )?;
        let id = format!("{}/subnets/{name}", put.id);
        let mut resource = made_resource(&id, SUBNET, json!({"properties": checked}), true);
        set(
            &mut resource.doc,
            "properties.provisioningState",
            json!("Succeeded"),
        );
        if let Some(old) = ctx.store.get(&subnet_key) {
            resource.private = old.private.clone();
        }
        put.staged.push((subnet_key, resource));
    }
    if let Some(props) = put.doc.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("subnets");
        props.remove("virtualNetworkPeerings");
    }
    default(
        &mut put.doc,
        "properties.enableDdosProtection",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.privateEndpointVNetPolicies",
        json!("Disabled"),
    );
    resource_guid(put);
    Ok(())
}

fn subnet_in_use(name: &str, user: &str) -> ArmError {
    ArmError::bad_request(
        "InUseSubnetCannotBeDeleted",
        format!("Subnet {name} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."),
    )
}

/// A subnet written as a child resource: checked against its virtual network and siblings.
fn subnet(
    store: &Store,
    put: &Put,
    vnet_key: &str,
    name: &str,
    properties: &Value,
) -> ArmResult<Value> {
    let vnet = store
        .get(vnet_key)
        .ok_or_else(|| invalid_reference(vnet_key, &put.id))?;
    let space: Vec<Value> = at(&vnet.doc, "properties.addressSpace.addressPrefixes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let vnet_prefixes = prefixes("properties.addressSpace.addressPrefixes", &space)?;
    let mut taken: Vec<(String, Prefix)> = Vec::new();
    for sibling in store.children(vnet_key, "subnets") {
        if sibling.name().eq_ignore_ascii_case(name) {
            continue;
        }
        for p in subnet_prefix_texts(sibling.doc.get("properties").unwrap_or(&Value::Null)) {
            if let Some(p) = Prefix::parse(&p) {
                taken.push((sibling.name().to_string(), p));
            }
        }
    }
    let location = vnet.location().unwrap_or_default().to_string();
    subnet_properties(
        store,
        put,
        &vnet_prefixes,
        &mut taken,
        name,
        properties,
        &location,
    )
}

fn subnet_prefix_texts(properties: &Value) -> Vec<String> {
    let mut texts = util::strings_at(properties, "addressPrefixes");
    if let Some(one) = str_at(properties, "addressPrefix") {
        texts.insert(0, one.to_string());
    }
    texts
}

/// Checks a subnet's properties and fills in what Azure adds.
#[allow(clippy::too_many_arguments)]
fn subnet_properties(
    store: &Store,
    put: &Put,
    vnet_prefixes: &[Prefix],
    taken: &mut Vec<(String, Prefix)>,
    name: &str,
    properties: &Value,
    location: &str,
) -> ArmResult<Value> {
    let mut properties = properties.clone();
    if !properties.is_object() {
        properties = json!({});
    }
    let wrapper = json!({"properties": properties.clone()});
    let check = Check {
        family: Family::Network,
        doc: wrapper.clone(),
    };
    let texts = subnet_prefix_texts(&properties);
    if texts.is_empty() {
        return Err(ArmError::bad_request(
            "SubnetMissingRequiredProperty",
            format!("Subnet '{name}' is missing required property 'addressPrefix' (or 'addressPrefixes')."),
        ));
    }
    for text in &texts {
        let Some(prefix) = Prefix::parse(text) else {
            if util::is_ipv6_prefix(text) {
                continue;
            }
            return Err(ArmError::bad_request(
                "NetcfgInvalidSubnet",
                format!("Subnet '{name}' is not valid in virtual network '{}': '{text}' is not a valid address prefix.", put.name),
            ));
        };
        if !vnet_prefixes.iter().any(|v| v.contains_prefix(&prefix)) {
            return Err(ArmError::bad_request(
                "NetcfgSubnetRangeOutsideVnet",
                format!("Subnet '{name}' is not valid because its IP address range is outside the IP address range of virtual network."),
            ));
        }
        if let Some((other, _)) = taken.iter().find(|(_, p)| p.overlaps(&prefix)) {
            return Err(ArmError::bad_request(
                "NetcfgSubnetRangesOverlap",
                format!("Subnet '{name}' is not valid because its IP address range overlaps with that of an existing subnet '{other}' in virtual network."),
            ));
        }
        taken.push((name.to_string(), prefix));
    }
    check.one_of(
        "properties.privateEndpointNetworkPolicies",
        &[
            "Enabled",
            "Disabled",
            "NetworkSecurityGroupEnabled",
            "RouteTableEnabled",
        ],
    )?;
    check.one_of(
        "properties.privateLinkServiceNetworkPolicies",
        &["Enabled", "Disabled"],
    )?;
    check.one_of("properties.sharingScope", &["DelegatedServices", "Tenant"])?;
    check.boolean("properties.defaultOutboundAccess")?;
    let subnet_id = format!("{}/subnets/{name}", vnet_id(put));
    let mut delegations = Vec::new();
    for (i, d) in check.array("properties.delegations")?.iter().enumerate() {
        let service = d
            .pointer("/properties/serviceName")
            .and_then(Value::as_str)
            .filter(|s| s.contains('/'))
            .ok_or_else(|| check.invalid(format!("The required property 'properties.delegations[{i}].properties.serviceName' is missing or not a resource type (like Microsoft.DBforPostgreSQL/flexibleServers).")))?;
        let dname = d
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(service)
            .to_string();
        delegations.push(json!({
            "name": dname,
            "id": format!("{subnet_id}/delegations/{dname}"),
            "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
            "etag": format!("W/\"{}\"", util::new_uuid()),
            "properties": {
                "serviceName": service,
                "actions": delegation_actions(service),
                "provisioningState": "Succeeded",
            }
        }));
    }
    properties["delegations"] = json!(delegations);
    let mut endpoints = Vec::new();
    for (i, e) in check
        .array("properties.serviceEndpoints")?
        .iter()
        .enumerate()
    {
        let service = e
            .get("service")
            .and_then(Value::as_str)
            .filter(|s| s.starts_with("Microsoft."))
            .ok_or_else(|| check.invalid(format!("The property 'properties.serviceEndpoints[{i}].service' must name a service, like Microsoft.Storage.")))?;
        let mut endpoint =
            json!({"service": service, "locations": [location], "provisioningState": "Succeeded"});
        if let Some(locations) = e.get("locations").filter(|l| l.is_array()) {
            endpoint["locations"] = locations.clone();
        }
        endpoints.push(endpoint);
    }
    properties["serviceEndpoints"] = json!(endpoints);
    for (path, kind) in [("networkSecurityGroup", NSG), ("natGateway", NAT)] {
        if let Some(id) = properties
            .pointer(&format!("/{path}/id"))
            .and_then(Value::as_str)
        {
            match lookup(store, id) {
                Some((_, r)) if r.kind == kind => {}
                _ => return Err(invalid_reference(id, &subnet_id)),
            }
        }
    }
    default(
        &mut properties,
        "privateEndpointNetworkPolicies",
        json!("Disabled"),
    );
    default(
        &mut properties,
        "privateLinkServiceNetworkPolicies",
        json!("Enabled"),
    );
    Ok(properties)
}

fn vnet_id(put: &Put) -> String {
    match put.kind.as_str() {
        VNET => put.id.clone(),
        _ => put
            .id
            .rsplitn(3, '/')
            .nth(2)
            .unwrap_or_default()
            .to_string(),
    }
}

fn delegation_actions(service: &str) -> Vec<&'static str> {
    match service.to_ascii_lowercase().as_str() {
        "microsoft.dbforpostgresql/flexibleservers" => {
            vec!["Microsoft.Network/virtualNetworks/subnets/join/action"]
        }
        "microsoft.network/dnsresolvers" => {
            vec!["Microsoft.Network/virtualNetworks/subnets/join/action"]
        }
        "microsoft.web/serverfarms" => vec!["Microsoft.Network/virtualNetworks/subnets/action"],
        _ => vec![
            "Microsoft.Network/virtualNetworks/subnets/join/action",
            "Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action",
        ],
    }
}

fn peering(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    check.required("properties.remoteVirtualNetwork.id")?;
    for flag in [
        "allowVirtualNetworkAccess",
        "allowForwardedTraffic",
        "allowGatewayTransit",
        "useRemoteGateways",
    ] {
        check.boolean(&format!("properties.{flag}"))?;
    }
    let (_, remote) = reference(store, put, "properties.remoteVirtualNetwork", VNET)?
        .ok_or_else(|| check.invalid("The required property 'properties.remoteVirtualNetwork.id' is missing from the request."))?;
    let local = store.get(put.parent_key.as_deref().unwrap_or_default());
    let space = |doc: &Value| -> Vec<Prefix> {
        util::strings_at(doc, "properties.addressSpace.addressPrefixes")
            .iter()
            .filter_map(|p| Prefix::parse(p))
            .collect()
    };
    if let Some(local) = local {
        let (a, b) = (space(&local.doc), space(&remote.doc));
        if a.iter().any(|x| b.iter().any(|y| x.overlaps(y))) {
            return Err(ArmError::bad_request(
                "VnetAddressSpacesOverlap",
                format!("Cannot create or update peering {}. Virtual networks {} and {} cannot be peered because their address spaces overlap.", put.id, local.id(), remote.id()),
            ));
        }
    }
    default(
        &mut put.doc,
        "properties.allowVirtualNetworkAccess",
        json!(true),
    );
    default(
        &mut put.doc,
        "properties.allowForwardedTraffic",
        json!(false),
    );
    default(&mut put.doc, "properties.allowGatewayTransit", json!(false));
    default(&mut put.doc, "properties.useRemoteGateways", json!(false));
    let remote_space = at(&remote.doc, "properties.addressSpace")
        .cloned()
        .unwrap_or(json!({}));
    set(
        &mut put.doc,
        "properties.remoteAddressSpace",
        remote_space.clone(),
    );
    set(
        &mut put.doc,
        "properties.remoteVirtualNetworkAddressSpace",
        remote_space,
    );
    set(
        &mut put.doc,
        "properties.peeringSyncLevel",
        json!("FullyInSync"),
    );
    resource_guid(put);
    Ok(())
}

fn security_group(put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let rules: Vec<Value> = check.array("properties.securityRules")?.to_vec();
    let mut out = Vec::new();
    let mut priorities: Vec<(String, i64)> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let name = rule.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()).ok_or_else(|| {
            check.invalid(format!("The required property 'properties.securityRules[{i}].name' is missing from the request."))
        })?;
        let props = security_rule(
            &check,
            rule.get("properties").unwrap_or(&Value::Null),
            &format!("properties.securityRules[{i}].properties"),
        )?;
        let direction = props["direction"].as_str().unwrap_or_default().to_string();
        let priority = props["priority"].as_i64().unwrap_or_default();
        if priorities
            .iter()
            .any(|(d, p)| *d == direction && *p == priority)
        {
            return Err(ArmError::bad_request(
                "SecurityRuleConflict",
                format!("Security rule {name} conflicts with another rule: rules cannot have the same priority ({priority}) and direction ({direction})."),
            ));
        }
        priorities.push((direction, priority));
        out.push(json!({
            "name": name,
            "id": format!("{}/securityRules/{name}", put.id),
            "type": RULE,
            "etag": format!("W/\"{}\"", util::new_uuid()),
            "properties": props,
        }));
    }
    set(&mut put.doc, "properties.securityRules", json!(out));
    set(
        &mut put.doc,
        "properties.defaultSecurityRules",
        default_rules(&put.id),
    );
    resource_guid(put);
    Ok(())
}

fn security_rule(check: &Check, properties: &Value, path: &str) -> ArmResult<Value> {
    let wrapper = json!({"p": properties});
    let local = Check {
        family: check.family,
        doc: wrapper.clone(),
    };
    let name_of = |field: &str| format!("{path}.{field}");
    let mut out = properties.clone();
    if !out.is_object() {
        out = json!({});
    }
    for (field, allowed) in [
        ("protocol", &["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"][..]),
        ("access", &["Allow", "Deny"][..]),
        ("direction", &["Inbound", "Outbound"][..]),
    ] {
        let value = local.required(&format!("p.{field}")).map_err(|_| {
            check.invalid(format!(
                "The required property '{}' is missing from the request.",
                name_of(field)
            ))
        })?;
        out[field] = json!(local.enum_value(&name_of(field), value, allowed)?);
    }
    let priority = local.required("p.priority").map_err(|_| {
        check.invalid(format!(
            "The required property '{}' is missing from the request.",
            name_of("priority")
        ))
    })?;
    if !priority.as_i64().is_some_and(|p| (100..=4096).contains(&p)) {
        return Err(ArmError::bad_request(
            "SecurityRuleInvalidPriority",
            format!("Security rule has invalid Priority {priority}. Value provided: {priority} Allowed range 100-4096."),
        ));
    }
    default(&mut out, "sourcePortRanges", json!([]));
    default(&mut out, "destinationPortRanges", json!([]));
    default(&mut out, "sourceAddressPrefixes", json!([]));
    default(&mut out, "destinationAddressPrefixes", json!([]));
    out["provisioningState"] = json!("Succeeded");
    Ok(out)
}

fn default_rules(nsg_id: &str) -> Value {
    let rules = [
        (
            "AllowVnetInBound",
            "Inbound",
            "Allow",
            65000,
            "VirtualNetwork",
            "VirtualNetwork",
        ),
        (
            "AllowAzureLoadBalancerInBound",
            "Inbound",
            "Allow",
            65001,
            "AzureLoadBalancer",
            "*",
        ),
        ("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*"),
        (
            "AllowVnetOutBound",
            "Outbound",
            "Allow",
            65000,
            "VirtualNetwork",
            "VirtualNetwork",
        ),
        (
            "AllowInternetOutBound",
            "Outbound",
            "Allow",
            65001,
            "*",
            "Internet",
        ),
        ("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*"),
    ];
    json!(rules
        .iter()
        .map(
            |(name, direction, access, priority, source, destination)| json!({
                "name": name,
                "id": format!("{nsg_id}/defaultSecurityRules/{name}"),
                "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
                "properties": {
                    "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                    "sourceAddressPrefix": source, "destinationAddressPrefix": destination,
                    "access": access, "priority": priority, "direction": direction,
                    "sourcePortRanges": [], "destinationPortRanges": [],
                    "sourceAddressPrefixes": [], "destinationAddressPrefixes": [],
                    "provisioningState": "Succeeded",
                }
            })
        )
        .collect::<Vec<_>>())
}

fn public_ip(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let sku = check
        .one_of("sku.name", &["Basic", "Standard", "StandardV2"])?
        .unwrap_or_else(|| "Standard".into());
    let tier = check
        .one_of("sku.tier", &["Regional", "Global"])?
        .unwrap_or_else(|| "Regional".into());
    let method = check.one_of(
        "properties.publicIPAllocationMethod",
        &["Static", "Dynamic"],
    )?;
    let version = check
        .one_of("properties.publicIPAddressVersion", &["IPv4", "IPv6"])?
        .unwrap_or_else(|| "IPv4".into());
    let idle = check
        .int_in("properties.idleTimeoutInMinutes", 4, 30)?
        .unwrap_or(4);
    let method = method.unwrap_or_else(|| {
        if sku == "Basic" {
            "Dynamic".into()
        } else {
            "Static".into()
        }
    });
    if sku != "Basic" && method == "Dynamic" {
        return Err(ArmError::bad_request(
            "StandardSkuPublicIPAddressesMustBeStatic",
            format!(
                "Standard sku publicIp {} must have AllocationMethod set to Static.",
                put.id
            ),
        ));
    }
    if let Some(label) =
        str_at(&put.doc, "properties.dnsSettings.domainNameLabel").map(str::to_string)
    {
        let valid = (3..=63).contains(&label.len())
            && label.starts_with(|c: char| c.is_ascii_lowercase())
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(ArmError::bad_request(
                "InvalidDomainNameLabel",
                format!("The domain name label {label} is invalid. It must conform to the following regular expression: ^[a-z][a-z0-9-]{{1,61}}[a-z0-9]$."),
            ));
        }
        let location = put.location().unwrap_or_default().to_string();
        set(
            &mut put.doc,
            "properties.dnsSettings.fqdn",
            json!(format!("{label}.{location}.cloudapp.azure.com")),
        );
    }
    set(&mut put.doc, "sku", json!({"name": sku, "tier": tier}));
    set(
        &mut put.doc,
        "properties.publicIPAllocationMethod",
        json!(method),
    );
    set(
        &mut put.doc,
        "properties.publicIPAddressVersion",
        json!(version),
    );
    set(&mut put.doc, "properties.idleTimeoutInMinutes", json!(idle));
    default(&mut put.doc, "properties.ipTags", json!([]));
    if method == "Static" {
        let address = match put.old_at("properties.ipAddress") {
            Some(old) => old.clone(),
            None => json!(next_public_ip(ctx.store)),
        };
        set(&mut put.doc, "properties.ipAddress", address);
    }
    resource_guid(put);
    Ok(())
}

/// The next address of the simulated public pool (20.50.0.1 onwards, skipping .0 and .255).
fn next_public_ip(store: &mut Store) -> String {
    loop {
        store.public_ip_counter += 1;
        let n = store.public_ip_counter;
        let last = n & 255;
        if last != 0 && last != 255 {
            return format!("20.{}.{}.{last}", 50 + (n >> 16) % 150, (n >> 8) & 255);
        }
    }
}

fn nat_gateway(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let sku = check
        .one_of("sku.name", &["Standard", "StandardV2"])?
        .unwrap_or_else(|| "Standard".into());
    let idle = check
        .int_in("properties.idleTimeoutInMinutes", 4, 120)?
        .unwrap_or(4);
    for (i, ip) in check
        .array("properties.publicIpAddresses")?
        .iter()
        .enumerate()
    {
        let id = ip.get("id").and_then(Value::as_str).unwrap_or_default();
        match lookup(store, id) {
            Some((_, r)) if r.kind == PUBLIC_IP => {
                if str_at(&r.doc, "sku.name") == Some("Basic") {
                    return Err(ArmError::bad_request(
                        "NatGatewayCannotUseBasicSkuPublicIp",
                        format!("Nat Gateway {} cannot use public IP {id} (properties.publicIpAddresses[{i}]) because its SKU is Basic.", put.id),
                    ));
                }
            }
            _ => return Err(invalid_reference(id, &put.id)),
        }
    }
    for ip in check.array("properties.publicIpPrefixes")? {
        let id = ip.get("id").and_then(Value::as_str).unwrap_or_default();
        if lookup(store, id).is_none() {
            return Err(invalid_reference(id, &put.id));
        }
    }
    set(&mut put.doc, "sku", json!({"name": sku}));
    set(&mut put.doc, "properties.idleTimeoutInMinutes", json!(idle));
    resource_guid(put);
    Ok(())
}

/// Allocates a private address in a subnet: the requested one if free, else the first free
/// one after the four Azure keeps; the owner's current address there is kept.
fn allocate_ip(
    store: &Store,
    put: &Put,
    subnet_key: &str,
    requested: Option<&str>,
    owner: &str,
) -> ArmResult<String> {
    let subnet = store
        .get(subnet_key)
        .ok_or_else(|| invalid_reference(subnet_key, &put.id))?;
    let text = subnet_prefix_texts(subnet.doc.get("properties").unwrap_or(&Value::Null))
        .into_iter()
        .find_map(|t| Prefix::parse(&t));
    let Some(prefix) = text else {
        return Err(ArmError::bad_request(
            "SubnetHasNoIpv4AddressPrefix",
            format!(
                "Subnet {} has no IPv4 address prefix to allocate from.",
                subnet.id()
            ),
        ));
    };
    let used = store.private_ips.get(subnet_key);
    let staged: Vec<&str> = put
        .ips
        .iter()
        .filter(|(s, _, _)| s == subnet_key)
        .map(|(_, ip, _)| ip.as_str())
        .collect();
    let is_free =
        |ip: &str| !staged.contains(&ip) && used.and_then(|u| u.get(ip)).is_none_or(|o| o == owner);
    if let Some(requested) = requested {
        let addr: Ipv4Addr = requested.parse().map_err(|_| {
            ArmError::bad_request(
                "PrivateIPAddressInvalid",
                format!("Private IP address {requested} is not a valid IPv4 address."),
            )
        })?;
        let n = u32::from(addr);
        if !prefix.contains(addr) || n < prefix.base + 4 || n >= prefix.last() {
            return Err(ArmError::bad_request(
                "PrivateIPAddressNotInSubnet",
                format!("Private static IP address {requested} does not belong to the range of subnet prefix {}/{}.", Ipv4Addr::from(prefix.base), prefix.len),
            ));
        }
        if !is_free(requested) {
            return Err(ArmError::bad_request(
                "PrivateIPAddressInUse",
                format!("IP configuration {} is using the private IP address {requested} which is already allocated to resource {}.", put.id, used.and_then(|u| u.get(requested)).cloned().unwrap_or_default()),
            ));
        }
        return Ok(requested.to_string());
    }
    if let Some((ip, _)) = used.and_then(|u| u.iter().find(|(_, o)| *o == owner)) {
        if !staged.contains(&ip.as_str()) {
            return Ok(ip.clone());
        }
    }
    (prefix.base.saturating_add(4)..prefix.last())
        .map(|n| Ipv4Addr::from(n).to_string())
        .find(|ip| is_free(ip))
        .ok_or_else(|| {
            ArmError::bad_request(
                "SubnetIsFull",
                format!("Subnet {} with address prefix {}/{} does not have enough capacity for 1 IP addresses.", subnet.name(), Ipv4Addr::from(prefix.base), prefix.len),
            )
        })
}

fn network_interface(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let configs: Vec<Value> = check.array("properties.ipConfigurations")?.to_vec();
    if configs.is_empty() {
        return Err(check.invalid("Network interface must have at least one IP configuration ('properties.ipConfigurations')."));
    }
    let mut out = Vec::new();
    for (i, config) in configs.iter().enumerate() {
        let name = config
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("ipconfig1")
            .to_string();
        let wrapper = json!({"properties": config.get("properties").cloned().unwrap_or(json!({}))});
        let local = Check {
            family: Family::Network,
            doc: wrapper.clone(),
        };
        let method = local
            .one_of(
                "properties.privateIPAllocationMethod",
                &["Static", "Dynamic"],
            )?
            .unwrap_or_else(|| "Dynamic".into());
        let subnet_id = str_at(&wrapper, "properties.subnet.id").ok_or_else(|| {
            check.invalid(format!("The required property 'properties.ipConfigurations[{i}].properties.subnet.id' is missing from the request."))
        })?;
        let (subnet_key, _) = lookup(store, subnet_id)
            .filter(|(_, r)| r.kind == SUBNET)
            .ok_or_else(|| invalid_reference(subnet_id, &put.id))?;
        if let Some(pip) = str_at(&wrapper, "properties.publicIPAddress.id") {
            if lookup(store, pip).is_none_or(|(_, r)| r.kind != PUBLIC_IP) {
                return Err(invalid_reference(pip, &put.id));
            }
        }
        let requested = (method == "Static")
            .then(|| str_at(&wrapper, "properties.privateIPAddress"))
            .flatten();
        let owner = format!("{}#{name}", put.key);
        let ip = allocate_ip(store, put, &subnet_key, requested, &owner)?;
        put.ips.push((subnet_key, ip.clone(), put.key.clone()));
        let mut properties = wrapper["properties"].clone();
        properties["privateIPAddress"] = json!(ip);
        properties["privateIPAllocationMethod"] = json!(method);
        properties["privateIPAddressVersion"] = json!("IPv4");
        properties["primary"] = json!(i == 0);
        properties["provisioningState"] = json!("Succeeded");
        out.push(json!({
            "name": name,
            "id": format!("{}/ipConfigurations/{name}", put.id),
            "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
            "etag": format!("W/\"{}\"", util::new_uuid()),
            "properties": properties,
        }));
    }
    set(&mut put.doc, "properties.ipConfigurations", json!(out));
    default(
        &mut put.doc,
        "properties.enableAcceleratedNetworking",
        json!(false),
    );
    default(&mut put.doc, "properties.enableIPForwarding", json!(false));
    default(&mut put.doc, "properties.nicType", json!("Standard"));
    resource_guid(put);
    Ok(())
}

/// The public FQDN and private DNS zone of a private link target's group.
fn private_link_names(target: &Resource, group: &str) -> (String, String) {
    let name = target.name().to_ascii_lowercase();
    match target.kind.as_str() {
        "Microsoft.DBforPostgreSQL/flexibleServers" => (
            format!("{name}.postgres.database.azure.com"),
            "privatelink.postgres.database.azure.com".into(),
        ),
        "Microsoft.Cache/redis" => (
            format!("{name}.redis.cache.windows.net"),
            "privatelink.redis.cache.windows.net".into(),
        ),
        "Microsoft.KeyVault/vaults" => (
            format!("{name}.vault.azure.net"),
            "privatelink.vaultcore.azure.net".into(),
        ),
        "Microsoft.Storage/storageAccounts" => {
            let group = group.to_ascii_lowercase();
            (
                format!("{name}.{group}.core.windows.net"),
                format!("privatelink.{group}.core.windows.net"),
            )
        }
        "Microsoft.ContainerRegistry/registries" => (
            format!("{name}.azurecr.io"),
            "privatelink.azurecr.io".into(),
        ),
        _ => {
            let group = group.to_ascii_lowercase();
            (
                format!("{name}.{group}.azure.net"),
                format!("privatelink.{group}.azure.net"),
            )
        }
    }
}

fn private_endpoint(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    check.required("properties.subnet.id")?;
    let (subnet_key, subnet) =
        reference(store, put, "properties.subnet", SUBNET)?.ok_or_else(|| {
            check.invalid(
                "The required property 'properties.subnet.id' is missing from the request.",
            )
        })?;
    let automatic: Vec<Value> = check
        .array("properties.privateLinkServiceConnections")?
        .to_vec();
    let manual: Vec<Value> = check
        .array("properties.manualPrivateLinkServiceConnections")?
        .to_vec();
    if automatic.is_empty() && manual.is_empty() {
        return Err(ArmError::bad_request(
            "PrivateEndpointMustHaveOnePrivateLinkServiceConnection",
            format!(
                "Private endpoint {} must have exactly one private link service connection.",
                put.id
            ),
        ));
    }
    let nic_id = match put.old_private("nic") {
        Some(Value::String(id)) => id.clone(),
        _ => {
            let nic_name = str_at(&put.doc, "properties.customNetworkInterfaceName")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}.nic.{}", put.name, util::new_uuid()));
            format!(
                "/subscriptions/{}/resourceGroups/{}/providers/{NIC}/{nic_name}",
                crate::SUBSCRIPTION_ID,
                put.rg_name()
            )
        }
    };
    let nic_key = nic_id.to_ascii_lowercase();
    let ip = allocate_ip(store, put, &subnet_key, None, &nic_key)?;
    put.ips.push((subnet_key, ip.clone(), nic_key.clone()));
    let mut dns_configs = Vec::new();
    let mut fqdns = Vec::new();
    for (field, list, manual_approval) in [
        ("privateLinkServiceConnections", automatic, false),
        ("manualPrivateLinkServiceConnections", manual, true),
    ] {
        let mut out = Vec::new();
        for (i, connection) in list.iter().enumerate() {
            let name = connection
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("connection")
                .to_string();
            let target_id = connection
                .pointer("/properties/privateLinkServiceId")
                .and_then(Value::as_str)
                .ok_or_else(|| check.invalid(format!("The required property 'properties.{field}[{i}].properties.privateLinkServiceId' is missing from the request.")))?;
            let (_, target) =
                lookup(store, target_id).ok_or_else(|| invalid_reference(target_id, &put.id))?;
            let groups = util::strings_at(connection, "properties.groupIds");
            let group = groups.first().cloned().unwrap_or_default();
            let (fqdn, _) = private_link_names(target, &group);
            dns_configs.push(json!({"fqdn": fqdn, "ipAddresses": [ip]}));
            fqdns.push(fqdn);
            let mut properties = connection.get("properties").cloned().unwrap_or(json!({}));
            properties["privateLinkServiceConnectionState"] = json!({
                "status": if manual_approval { "Pending" } else { "Approved" },
                "description": if manual_approval { "Awaiting approval" } else { "Auto-Approved" },
                "actionsRequired": "None",
            });
            properties["provisioningState"] = json!("Succeeded");
            out.push(json!({
                "name": name,
                "id": format!("{}/{field}/{name}", put.id),
                "type": format!("{PRIVATE_ENDPOINT}/{field}"),
                "etag": format!("W/\"{}\"", util::new_uuid()),
                "properties": properties,
            }));
        }
        set(&mut put.doc, &format!("properties.{field}"), json!(out));
    }
    set(
        &mut put.doc,
        "properties.customDnsConfigs",
        json!(dns_configs),
    );
    set(
        &mut put.doc,
        "properties.networkInterfaces",
        json!([{"id": nic_id}]),
    );
    set(&mut put.doc, "properties.ipConfigurations", json!([]));
    default(
        &mut put.doc,
        "properties.customNetworkInterfaceName",
        json!(""),
    );
    put.private = json!({"nic": nic_id, "ip": ip});
    let nic = json!({
        "location": put.location(),
        "properties": {
            "provisioningState": "Succeeded",
            "ipConfigurations": [{
                "name": format!("privateEndpointIpConfig.{}", util::new_uuid()),
                "id": format!("{nic_id}/ipConfigurations/privateEndpointIpConfig"),
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                "properties": {
                    "privateIPAddress": ip,
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": subnet.id()},
                    "primary": true,
                    "privateIPAddressVersion": "IPv4",
                    "privateLinkConnectionProperties": {"fqdns": fqdns},
                    "provisioningState": "Succeeded",
                }
            }],
            "privateEndpoint": {"id": put.id},
            "nicType": "Standard",
            "resourceGuid": util::new_uuid(),
        }
    });
    let mut nic = made_resource(&nic_id, NIC, nic, true);
    nic.owner = Some(put.key.clone());
    put.staged.push((nic_key, nic));
    resource_guid(put);
    Ok(())
}

fn zone_group(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let endpoint_key = put.parent_key.clone().unwrap_or_default();
    let endpoint = store.get(&endpoint_key).cloned().unwrap_or_default();
    let ip = endpoint
        .private
        .get("ip")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let fqdns: Vec<String> = at(&endpoint.doc, "properties.customDnsConfigs")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|d| d["fqdn"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let configs: Vec<Value> = check.array("properties.privateDnsZoneConfigs")?.to_vec();
    let mut out = Vec::new();
    for (i, config) in configs.iter().enumerate() {
        let zone_id = config
            .pointer("/properties/privateDnsZoneId")
            .and_then(Value::as_str)
            .ok_or_else(|| check.invalid(format!("The required property 'properties.privateDnsZoneConfigs[{i}].properties.privateDnsZoneId' is missing from the request.")))?;
        let (zone_key, zone) = lookup(store, zone_id)
            .filter(|(_, r)| r.kind == PRIVATE_ZONE)
            .ok_or_else(|| invalid_reference(zone_id, &put.id))?;
        let zone_name = zone.name().to_ascii_lowercase();
        let public_suffix = zone_name
            .strip_prefix("privatelink.")
            .unwrap_or(&zone_name)
            .to_string();
        let fqdn = fqdns
            .iter()
            .find(|f| f.ends_with(&format!(".{public_suffix}")))
            .or(fqdns.first())
            .cloned()
            .unwrap_or_else(|| endpoint.name().to_string());
        let label = fqdn.split('.').next().unwrap_or_default().to_string();
        let name = config
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&zone_name)
            .to_string();
        let record_id = format!("{}/A/{label}", zone.id());
        let record = made_resource(
            &record_id,
            "Microsoft.Network/privateDnsZones/A",
            json!({"properties": {
                "ttl": 10,
                "aRecords": [{"ipv4Address": ip}],
                "fqdn": format!("{label}.{zone_name}."),
                "isAutoRegistered": false,
                "metadata": {"creator": "created by private endpoint"},
            }}),
            false,
        );
        let mut record = record;
        record.owner = Some(put.key.clone());
        put.staged.push((
            format!("{zone_key}/a/{}", label.to_ascii_lowercase()),
            record,
        ));
        out.push(json!({
            "name": name,
            "id": format!("{}/privateDnsZoneConfigs/{name}", put.id),
            "properties": {
                "privateDnsZoneId": zone.id(),
                "recordSets": [{
                    "recordType": "A",
                    "recordSetName": label,
                    "fqdn": format!("{label}.{zone_name}"),
                    "ttl": 10,
                    "ipAddresses": [ip],
                    "provisioningState": "Succeeded",
                }],
            }
        }));
    }
    set(&mut put.doc, "properties.privateDnsZoneConfigs", json!(out));
    Ok(())
}

const GATEWAY_SKUS: &[&str] = &[
    "Basic",
    "HighPerformance",
    "Standard",
    "UltraPerformance",
    "VpnGw1",
    "VpnGw2",
    "VpnGw3",
    "VpnGw4",
    "VpnGw5",
    "VpnGw1AZ",
    "VpnGw2AZ",
    "VpnGw3AZ",
    "VpnGw4AZ",
    "VpnGw5AZ",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];

fn vpn_gateway(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let gateway_type = check
        .one_of(
            "properties.gatewayType",
            &["Vpn", "ExpressRoute", "LocalGateway"],
        )?
        .ok_or_else(|| {
            check.invalid(
                "The required property 'properties.gatewayType' is missing from the request.",
            )
        })?;
    let vpn_type = check
        .one_of("properties.vpnType", &["RouteBased", "PolicyBased"])?
        .unwrap_or_else(|| "RouteBased".into());
    let sku = check
        .one_of("properties.sku.name", GATEWAY_SKUS)?
        .ok_or_else(|| {
            check
                .invalid("The required property 'properties.sku.name' is missing from the request.")
        })?;
    let tier = check
        .one_of("properties.sku.tier", GATEWAY_SKUS)?
        .unwrap_or_else(|| sku.clone());
    check.one_of(
        "properties.vpnGatewayGeneration",
        &["None", "Generation1", "Generation2"],
    )?;
    let active_active = check.boolean("properties.activeActive")?.unwrap_or(false);
    let enable_bgp = check.boolean("properties.enableBgp")?.unwrap_or(false);
    check.int_in("properties.bgpSettings.asn", 1, 4_294_967_295)?;
    let configs: Vec<Value> = check.array("properties.ipConfigurations")?.to_vec();
    if configs.is_empty() {
        return Err(check.invalid("The required property 'properties.ipConfigurations' must list at least one IP configuration."));
    }
    if active_active && configs.len() < 2 {
        return Err(ArmError::bad_request(
            "ActiveActiveGatewayRequiresTwoIpConfigurations",
            "An active-active virtual network gateway needs two IP configurations.",
        ));
    }
    let mut out = Vec::new();
    let mut peering_addresses = Vec::new();
    let mut first_ip = String::new();
    for (i, config) in configs.iter().enumerate() {
        let name = config
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("vnetGatewayConfig")
            .to_string();
        let subnet_id = config.pointer("/properties/subnet/id").and_then(Value::as_str).ok_or_else(|| {
            check.invalid(format!("The required property 'properties.ipConfigurations[{i}].properties.subnet.id' is missing from the request."))
        })?;
        let (subnet_key, subnet) = lookup(store, subnet_id)
            .filter(|(_, r)| r.kind == SUBNET)
            .ok_or_else(|| invalid_reference(subnet_id, &put.id))?;
        if !subnet.name().eq_ignore_ascii_case("GatewaySubnet") {
            return Err(ArmError::bad_request(
                "InvalidGatewaySubnet",
                format!(
                    "Subnet {subnet_id} referenced by gateway {} must be named GatewaySubnet.",
                    put.id
                ),
            ));
        }
        let mut public_address = Value::Null;
        match config.pointer("/properties/publicIPAddress/id").and_then(Value::as_str) {
            Some(pip) => match lookup(store, pip) {
                Some((_, r)) if r.kind == PUBLIC_IP => {
                    public_address = at(&r.doc, "properties.ipAddress").cloned().unwrap_or(Value::Null);
                }
                _ => return Err(invalid_reference(pip, &put.id)),
            },
            None if gateway_type == "Vpn" => {
                return Err(check.invalid(format!("The required property 'properties.ipConfigurations[{i}].properties.publicIPAddress.id' is missing from the request.")))
            }
            None => {}
        }
        let owner = put.key.clone();
        let ip = allocate_ip(store, put, &subnet_key, None, &owner)?;
        put.ips.push((subnet_key, ip.clone(), owner));
        if first_ip.is_empty() {
            first_ip = ip.clone();
        }
        let config_id = format!("{}/ipConfigurations/{name}", put.id);
        peering_addresses.push(json!({
            "ipconfigurationId": config_id,
            "defaultBgpIpAddresses": [ip],
            "customBgpIpAddresses": [],
            "tunnelIpAddresses": [public_address],
        }));
        let mut properties = config.get("properties").cloned().unwrap_or(json!({}));
        properties["privateIPAllocationMethod"] = json!(properties
            .get("privateIPAllocationMethod")
            .cloned()
            .unwrap_or(json!("Dynamic")));
        properties["provisioningState"] = json!("Succeeded");
        out.push(json!({
            "name": name,
            "id": config_id,
            "etag": format!("W/\"{}\"", util::new_uuid()),
            "properties": properties,
        }));
    }
    set(&mut put.doc, "properties.ipConfigurations", json!(out));
    if let Some(client) = at(&put.doc, "properties.vpnClientConfiguration").cloned() {
        let wrapper = json!({"c": client});
        let local = Check {
            family: Family::Network,
            doc: wrapper.clone(),
        };
        let pool = util::strings_at(&wrapper, "c.vpnClientAddressPool.addressPrefixes");
        if pool.is_empty() {
            return Err(check.invalid("The required property 'properties.vpnClientConfiguration.vpnClientAddressPool.addressPrefixes' is missing from the request."));
        }
        prefixes(
            "properties.vpnClientConfiguration.vpnClientAddressPool.addressPrefixes",
            &pool.iter().map(|p| json!(p)).collect::<Vec<_>>(),
        )?;
        let protocols: Vec<String> = local
            .array("c.vpnClientProtocols")?
            .iter()
            .map(|p| {
                local.enum_value(
                    "properties.vpnClientConfiguration.vpnClientProtocols",
                    p,
                    &["IkeV2", "SSTP", "OpenVPN"],
                )
            })
            .collect::<ArmResult<_>>()?;
        let auth: Vec<String> = local
            .array("c.vpnAuthenticationTypes")?
            .iter()
            .map(|p| {
                local.enum_value(
                    "properties.vpnClientConfiguration.vpnAuthenticationTypes",
                    p,
                    &["Certificate", "Radius", "AAD"],
                )
            })
            .collect::<ArmResult<_>>()?;
        let aad = auth.iter().any(|a| a == "AAD") || str_at(&wrapper, "c.aadTenant").is_some();
        if aad {
            for field in ["aadTenant", "aadAudience", "aadIssuer"] {
                if str_at(&wrapper, &format!("c.{field}")).is_none() {
                    return Err(check.invalid(format!("The property 'properties.vpnClientConfiguration.{field}' is required for Azure AD authentication.")));
                }
            }
            if !protocols.is_empty() && protocols.iter().any(|p| p != "OpenVPN") {
                return Err(ArmError::bad_request(
                    "VpnClientAadAuthenticationRequiresOpenVpnProtocol",
                    "Azure AD authentication of point-to-site clients is only supported with the OpenVPN protocol.",
                ));
            }
            if sku == "Basic" {
                return Err(ArmError::bad_request(
                    "BasicSkuVpnGatewayDoesNotSupportAadAuthentication",
                    "The Basic SKU of virtual network gateway does not support Azure AD authentication.",
                ));
            }
        }
        let mut certificates = Vec::new();
        for (i, cert) in local
            .array("c.vpnClientRootCertificates")?
            .iter()
            .enumerate()
        {
            let name = cert
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("root")
                .to_string();
            let data = cert.pointer("/properties/publicCertData").and_then(Value::as_str).ok_or_else(|| {
                check.invalid(format!("The required property 'properties.vpnClientConfiguration.vpnClientRootCertificates[{i}].properties.publicCertData' is missing from the request."))
            })?;
            certificates.push(json!({
                "name": name,
                "id": format!("{}/vpnClientRootCertificates/{name}", put.id),
                "etag": format!("W/\"{}\"", util::new_uuid()),
                "properties": {"publicCertData": data, "provisioningState": "Succeeded"},
            }));
        }
        set(
            &mut put.doc,
            "properties.vpnClientConfiguration.vpnClientRootCertificates",
            json!(certificates),
        );
        default(
            &mut put.doc,
            "properties.vpnClientConfiguration.vpnClientRevokedCertificates",
            json!([]),
        );
        default(
            &mut put.doc,
            "properties.vpnClientConfiguration.vpnClientIpsecPolicies",
            json!([]),
        );
    }
    set(&mut put.doc, "properties.gatewayType", json!(gateway_type));
    set(&mut put.doc, "properties.vpnType", json!(vpn_type));
    set(
        &mut put.doc,
        "properties.sku",
        json!({"name": sku, "tier": tier, "capacity": 2}),
    );
    set(
        &mut put.doc,
        "properties.activeActive",
        json!(active_active),
    );
    set(&mut put.doc, "properties.enableBgp", json!(enable_bgp));
    default(
        &mut put.doc,
        "properties.vpnGatewayGeneration",
        json!("Generation1"),
    );
    default(
        &mut put.doc,
        "properties.enablePrivateIpAddress",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.disableIPSecReplayProtection",
        json!(false),
    );
    default(&mut put.doc, "properties.natRules", json!([]));
    default(
        &mut put.doc,
        "properties.enableBgpRouteTranslationForNat",
        json!(false),
    );
    default(&mut put.doc, "properties.bgpSettings.asn", json!(65515));
    default(&mut put.doc, "properties.bgpSettings.peerWeight", json!(0));
    set(
        &mut put.doc,
        "properties.bgpSettings.bgpPeeringAddress",
        json!(first_ip),
    );
    set(
        &mut put.doc,
        "properties.bgpSettings.bgpPeeringAddresses",
        json!(peering_addresses),
    );
    resource_guid(put);
    Ok(())
}

fn local_gateway(put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let address = str_at(&put.doc, "properties.gatewayIpAddress");
    let fqdn = str_at(&put.doc, "properties.fqdn");
    match (address, fqdn) {
        (None, None) => return Err(check.invalid("Either 'properties.gatewayIpAddress' or 'properties.fqdn' is required.")),
        (Some(a), _) if a.parse::<Ipv4Addr>().is_err() => {
            return Err(check.invalid(format!("The value '{a}' of property 'properties.gatewayIpAddress' is not a valid IPv4 address.")))
        }
        _ => {}
    }
    let space: Vec<Value> = check
        .array("properties.localNetworkAddressSpace.addressPrefixes")?
        .to_vec();
    prefixes(
        "properties.localNetworkAddressSpace.addressPrefixes",
        &space,
    )?;
    check.int_in("properties.bgpSettings.asn", 1, 4_294_967_295)?;
    resource_guid(put);
    Ok(())
}

/// `GET|PUT {connection}/sharedkey`: the connection's IPsec shared key.
pub(crate) fn shared_key(ctx: &mut Ctx, req: &Request, key: &str) -> ArmResult<Response> {
    match req.method.as_str() {
        "GET" => {
            let value = ctx
                .store
                .get(key)
                .and_then(|r| r.private.get("sharedKey").cloned())
                .unwrap_or(Value::Null);
            Ok(Response::json(200, &json!({ "value": value })))
        }
        "PUT" => {
            let body: Value = serde_json::from_slice(&req.body).map_err(|e| {
                ArmError::bad_request(
                    "InvalidRequestContent",
                    format!("The request content was invalid: {e}."),
                )
            })?;
            let Some(value) = body.get("value").and_then(Value::as_str) else {
                return Err(ArmError::bad_request(
                    "InvalidRequestFormat",
                    "The required property 'value' is missing from the shared key.",
                ));
            };
            if value.is_empty() || value.len() > 128 {
                return Err(ArmError::bad_request(
                    "InvalidSharedKeyLength",
                    "The shared key must be 1 to 128 characters long.",
                ));
            }
            let Some(stored) = ctx.store.resources.get_mut(key) else {
                return Err(ArmError::not_found(
                    "NotFound",
                    "The connection was not found.",
                ));
            };
            if !stored.private.is_object() {
                stored.private = json!({});
            }
            stored.private["sharedKey"] = json!(value);
            ctx.mutated = true;
            Ok(Response::json(200, &json!({ "value": value })))
        }
        other => Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The requested method '{other}' is not allowed."),
        )),
    }
}

fn connection(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let kind = check
        .one_of(
            "properties.connectionType",
            &["IPsec", "Vnet2Vnet", "ExpressRoute", "VPNClient"],
        )?
        .ok_or_else(|| {
            check.invalid(
                "The required property 'properties.connectionType' is missing from the request.",
            )
        })?;
    check.one_of("properties.connectionProtocol", &["IKEv2", "IKEv1"])?;
    check.one_of(
        "properties.connectionMode",
        &["Default", "ResponderOnly", "InitiatorOnly"],
    )?;
    check.int_in("properties.routingWeight", 0, 32000)?;
    check.required("properties.virtualNetworkGateway1.id")?;
    reference(store, put, "properties.virtualNetworkGateway1", VPN_GATEWAY)?;
    match kind.as_str() {
        "IPsec" => {
            check.required("properties.localNetworkGateway2.id")?;
            reference(store, put, "properties.localNetworkGateway2", LOCAL_GATEWAY)?;
        }
        "Vnet2Vnet" => {
            check.required("properties.virtualNetworkGateway2.id")?;
            reference(store, put, "properties.virtualNetworkGateway2", VPN_GATEWAY)?;
        }
        "ExpressRoute" => {
            check.required("properties.peer.id")?;
        }
        _ => {}
    }
    // The shared key is kept apart, as ARM does: GET of the connection leaves it out and
    // `{connection}/sharedkey` reads and sets it; one is made when none is given.
    let given = at(&put.doc, "properties.sharedKey")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(props) = put.doc.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("sharedKey");
    }
    let kept = put
        .old
        .as_ref()
        .and_then(|o| o.private.get("sharedKey").cloned());
    let key = given
        .map(Value::from)
        .or(kept)
        .unwrap_or_else(|| json!(util::random_key(24)));
    if !put.private.is_object() {
        put.private = json!({});
    }
    put.private["sharedKey"] = key;
    set(&mut put.doc, "properties.connectionType", json!(kind));
    default(
        &mut put.doc,
        "properties.connectionProtocol",
        json!("IKEv2"),
    );
    default(&mut put.doc, "properties.connectionMode", json!("Default"));
    default(&mut put.doc, "properties.routingWeight", json!(0));
    default(&mut put.doc, "properties.enableBgp", json!(false));
    default(
        &mut put.doc,
        "properties.usePolicyBasedTrafficSelectors",
        json!(false),
    );
    default(&mut put.doc, "properties.ipsecPolicies", json!([]));
    default(
        &mut put.doc,
        "properties.trafficSelectorPolicies",
        json!([]),
    );
    default(
        &mut put.doc,
        "properties.expressRouteGatewayBypass",
        json!(false),
    );
    default(&mut put.doc, "properties.dpdTimeoutSeconds", json!(45));
    set(
        &mut put.doc,
        "properties.connectionStatus",
        json!("Connected"),
    );
    set(&mut put.doc, "properties.ingressBytesTransferred", json!(0));
    set(&mut put.doc, "properties.egressBytesTransferred", json!(0));
    resource_guid(put);
    Ok(())
}

fn check_zone_name(put: &Put) -> ArmResult<()> {
    let name = put.name.trim_end_matches('.');
    let labels: Vec<&str> = name.split('.').collect();
    let valid = labels.len() >= 2
        && name.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "BadRequest",
            format!("The zone name '{}' is not valid: it must have at least two labels of letters, digits and hyphens, each 1 to 63 characters long.", put.name),
        ))
    }
}

fn dns_zone(put: &mut Put, private: bool) -> ArmResult<()> {
    check_zone_name(put)?;
    let zone = put.name.trim_end_matches('.').to_ascii_lowercase();
    let record_kind = if private {
        "Microsoft.Network/privateDnsZones/SOA"
    } else {
        "Microsoft.Network/dnszones/SOA"
    };
    let servers: Vec<String> = {
        let n = util::digest_hex(&zone, 2);
        let n = u8::from_str_radix(&n, 16).unwrap_or(1) % 9 + 1;
        ["com", "net", "org", "info"]
            .iter()
            .enumerate()
            .map(|(i, tld)| format!("ns{}-0{n}.azure-dns.{tld}.", i + 1))
            .collect()
    };
    if private {
        set(
            &mut put.doc,
            "properties.maxNumberOfRecordSets",
            json!(25000),
        );
        set(
            &mut put.doc,
            "properties.maxNumberOfVirtualNetworkLinks",
            json!(1000),
        );
        set(
            &mut put.doc,
            "properties.maxNumberOfVirtualNetworkLinksWithRegistration",
            json!(100),
        );
        let internal = put
            .old_at("properties.internalId")
            .cloned()
            .unwrap_or_else(|| json!(util::random_key(24)));
        set(&mut put.doc, "properties.internalId", internal);
    } else {
        let check = put.check();
        let zone_type = check
            .one_of("properties.zoneType", &["Public", "Private"])?
            .unwrap_or_else(|| "Public".into());
        set(&mut put.doc, "properties.zoneType", json!(zone_type));
        set(
            &mut put.doc,
            "properties.maxNumberOfRecordSets",
            json!(10000),
        );
        set(
            &mut put.doc,
            "properties.maxNumberOfRecordsPerRecordSet",
            Value::Null,
        );
        set(&mut put.doc, "properties.nameServers", json!(servers));
    }
    if put.creating() {
        let host = if private {
            "azureprivatedns.net".to_string()
        } else {
            servers[0].trim_end_matches('.').to_string()
        };
        let soa = if private {
            json!({"ttl": 3600, "soaRecord": {"email": "azureprivatedns-host.microsoft.com", "expireTime": 2419200, "host": host, "minimumTtl": 10, "refreshTime": 3600, "retryTime": 300, "serialNumber": 1}, "fqdn": format!("{zone}."), "isAutoRegistered": false})
        } else {
            json!({"TTL": 3600, "SOARecord": {"email": "azuredns-hostmaster.microsoft.com", "expireTime": 2419200, "host": host, "minimumTTL": 300, "refreshTime": 3600, "retryTime": 300, "serialNumber": 1}, "fqdn": format!("{zone}."), "provisioningState": "Succeeded", "targetResource": {}})
        };
        let soa_id = format!("{}/SOA/@", put.id);
        put.staged.push((
            format!("{}/soa/@", put.key),
            made_resource(&soa_id, record_kind, json!({"properties": soa}), false),
        ));
        if !private {
            let ns_id = format!("{}/NS/@", put.id);
            let ns = json!({"TTL": 172800, "NSRecords": servers.iter().map(|s| json!({"nsdname": s})).collect::<Vec<_>>(), "fqdn": format!("{zone}."), "provisioningState": "Succeeded", "targetResource": {}});
            put.staged.push((
                format!("{}/ns/@", put.key),
                made_resource(
                    &ns_id,
                    "Microsoft.Network/dnszones/NS",
                    json!({"properties": ns}),
                    false,
                ),
            ));
        }
    }
    Ok(())
}

fn record_set(store: &Store, put: &mut Put, private: bool) -> ArmResult<()> {
    let check = put.check();
    let record_type = put.kind.rsplit('/').next().unwrap_or_default().to_string();
    let ttl_field = if private { "ttl" } else { "TTL" };
    let ttl = check
        .int_in(&format!("properties.{ttl_field}"), 0, 2_147_483_647)?
        .unwrap_or(3600);
    set(&mut put.doc, &format!("properties.{ttl_field}"), json!(ttl));
    let field = |public: &str, private_name: &str| {
        if private {
            private_name.to_string()
        } else {
            public.to_string()
        }
    };
    let a_field = field("ARecords", "aRecords");
    let cname_field = field("CNAMERecord", "cnameRecord");
    let txt_field = field("TXTRecords", "txtRecords");
    let aaaa_field = field("AAAARecords", "aaaaRecords");
    match record_type.as_str() {
        "A" => {
            for (i, r) in check
                .array(&format!("properties.{a_field}"))?
                .iter()
                .enumerate()
            {
                let address = r
                    .get("ipv4Address")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if address.parse::<Ipv4Addr>().is_err() {
                    return Err(ArmError::bad_request("BadRequest", format!("The value '{address}' of 'properties.{a_field}[{i}].ipv4Address' is not a valid IPv4 address.")));
                }
            }
            default(&mut put.doc, &format!("properties.{a_field}"), json!([]));
        }
        "AAAA" => {
            for r in check.array(&format!("properties.{aaaa_field}"))? {
                let address = r
                    .get("ipv6Address")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if address.parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(ArmError::bad_request(
                        "BadRequest",
                        format!("The value '{address}' is not a valid IPv6 address."),
                    ));
                }
            }
        }
        "CNAME" => {
            let cname = str_at(&put.doc, &format!("properties.{cname_field}.cname"));
            if cname.is_none_or(|c| c.is_empty()) {
                return Err(ArmError::bad_request("BadRequest", format!("The CNAME record set '{}' must have a record ('properties.{cname_field}.cname').", put.name)));
            }
        }
        "TXT" => {
            for (i, r) in check
                .array(&format!("properties.{txt_field}"))?
                .iter()
                .enumerate()
            {
                let values = r
                    .get("value")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if values
                    .iter()
                    .any(|v| v.as_str().is_none_or(|s| s.len() > 1024))
                {
                    return Err(ArmError::bad_request("BadRequest", format!("The TXT record 'properties.{txt_field}[{i}]' must hold strings of at most 1024 characters.")));
                }
            }
        }
        _ => {}
    }
    // A CNAME cannot share its name with any other record set.
    let zone_key = put.parent_key.clone().unwrap_or_default();
    let name = put.name.to_ascii_lowercase();
    let siblings: Vec<&str> = RECORD_TYPES
        .iter()
        .copied()
        .filter(|t| {
            *t != record_type
                && store
                    .get(&format!("{zone_key}/{}/{name}", t.to_ascii_lowercase()))
                    .is_some()
        })
        .collect();
    let conflict = if record_type == "CNAME" {
        siblings.first().copied()
    } else {
        siblings.iter().copied().find(|t| *t == "CNAME")
    };
    if let Some(other) = conflict {
        if !(other == "SOA" || other == "NS") || record_type == "CNAME" {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!("The record set {} of type {record_type} conflicts with the existing record set of type {other}: a CNAME record set cannot share its name with other record sets.", put.name),
            ));
        }
    }
    let zone = store
        .get(&zone_key)
        .map(|z| z.name().trim_end_matches('.').to_ascii_lowercase())
        .unwrap_or_default();
    let fqdn = if put.name == "@" {
        format!("{zone}.")
    } else {
        format!("{}.{zone}.", put.name)
    };
    set(&mut put.doc, "properties.fqdn", json!(fqdn));
    if private {
        set(&mut put.doc, "properties.isAutoRegistered", json!(false));
    } else {
        set(
            &mut put.doc,
            "properties.provisioningState",
            json!("Succeeded"),
        );
        default(&mut put.doc, "properties.targetResource", json!({}));
    }
    Ok(())
}

fn zone_link(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    check.required("properties.virtualNetwork.id")?;
    let (vnet_key, _) =
        reference(store, put, "properties.virtualNetwork", VNET)?.unwrap_or_default();
    check.boolean("properties.registrationEnabled")?;
    check.one_of(
        "properties.resolutionPolicy",
        &["Default", "NxDomainRedirect"],
    )?;
    let zone_key = put.parent_key.clone().unwrap_or_default();
    for other in store.children(&zone_key, "virtualNetworkLinks") {
        let same_vnet = str_at(&other.doc, "properties.virtualNetwork.id")
            .is_some_and(|id| id.eq_ignore_ascii_case(&vnet_key));
        if same_vnet && !other.name().eq_ignore_ascii_case(&put.name) {
            return Err(ArmError::conflict(
                "Conflict",
                format!("A virtual network cannot be linked to the same private DNS zone more than once: it is already linked by {}.", other.id()),
            ));
        }
    }
    default(&mut put.doc, "properties.registrationEnabled", json!(false));
    default(
        &mut put.doc,
        "properties.resolutionPolicy",
        json!("Default"),
    );
    set(
        &mut put.doc,
        "properties.virtualNetworkLinkState",
        json!("Completed"),
    );
    Ok(())
}

fn resolver(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    check.required("properties.virtualNetwork.id")?;
    reference(store, put, "properties.virtualNetwork", VNET)?;
    set(
        &mut put.doc,
        "properties.dnsResolverState",
        json!("Connected"),
    );
    resource_guid(put);
    Ok(())
}

fn inbound_endpoint(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let configs: Vec<Value> = check.array("properties.ipConfigurations")?.to_vec();
    if configs.is_empty() {
        return Err(check.invalid(
            "The required property 'properties.ipConfigurations' must list one IP configuration.",
        ));
    }
    let mut out = Vec::new();
    for (i, config) in configs.iter().enumerate() {
        let wrapper = json!({"c": config});
        let local = Check {
            family: Family::Network,
            doc: wrapper.clone(),
        };
        let method = local
            .one_of("c.privateIpAllocationMethod", &["Static", "Dynamic"])?
            .unwrap_or_else(|| "Dynamic".into());
        let subnet_id = str_at(&wrapper, "c.subnet.id").ok_or_else(|| {
            check.invalid(format!("The required property 'properties.ipConfigurations[{i}].subnet.id' is missing from the request."))
        })?;
        let (subnet_key, subnet) = lookup(store, subnet_id)
            .filter(|(_, r)| r.kind == SUBNET)
            .ok_or_else(|| invalid_reference(subnet_id, &put.id))?;
        let delegated = at(&subnet.doc, "properties.delegations")
            .and_then(Value::as_array)
            .is_some_and(|d| {
                d.iter().any(|x| {
                    x.pointer("/properties/serviceName")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case("Microsoft.Network/dnsResolvers"))
                })
            });
        if !delegated {
            return Err(ArmError::bad_request(
                "SubnetMustBeDelegatedToDnsResolvers",
                format!("Subnet {subnet_id} must be delegated to Microsoft.Network/dnsResolvers to hold an inbound endpoint."),
            ));
        }
        let requested = (method == "Static")
            .then(|| str_at(&wrapper, "c.privateIpAddress"))
            .flatten();
        let owner = put.key.clone();
        let ip = allocate_ip(store, put, &subnet_key, requested, &owner)?;
        put.ips.push((subnet_key, ip.clone(), owner));
        out.push(json!({"subnet": {"id": subnet.id()}, "privateIpAddress": ip, "privateIpAllocationMethod": method}));
    }
    set(&mut put.doc, "properties.ipConfigurations", json!(out));
    resource_guid(put);
    Ok(())
}

/// Adds what Network derives from other resources: a virtual network's subnets and
/// peerings, a security group's rules written as children, peering states, zone counters.
pub(crate) fn present(store: &Store, key: &str, resource: &Resource, doc: &mut Value) {
    match resource.kind.as_str() {
        VNET => {
            let subnets: Vec<Value> = store
                .children(key, "subnets")
                .iter()
                .map(|s| s.doc.clone())
                .collect();
            set(doc, "properties.subnets", json!(subnets));
            let peerings: Vec<Value> = store
                .children(key, "virtualNetworkPeerings")
                .iter()
                .map(|p| {
                    let mut d = p.doc.clone();
                    peering_state(store, key, &mut d);
                    d
                })
                .collect();
            set(doc, "properties.virtualNetworkPeerings", json!(peerings));
        }
        PEERING => {
            let vnet_key = key.rsplitn(3, '/').nth(2).unwrap_or_default().to_string();
            peering_state(store, &vnet_key, doc);
        }
        NSG => {
            let mut rules = at(doc, "properties.securityRules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for child in store.children(key, "securityRules") {
                if !rules.iter().any(|r| {
                    r["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(child.name()))
                }) {
                    rules.push(child.doc.clone());
                }
            }
            set(doc, "properties.securityRules", json!(rules));
        }
        DNS_ZONE => {
            let count = store.descendants(key).len();
            set(doc, "properties.numberOfRecordSets", json!(count));
        }
        PRIVATE_ZONE => {
            let links = store.children(key, "virtualNetworkLinks");
            let registering = links
                .iter()
                .filter(|l| at(&l.doc, "properties.registrationEnabled") == Some(&json!(true)))
                .count();
            let records = store.descendants(key).len() - links.len();
            set(doc, "properties.numberOfRecordSets", json!(records));
            set(
                doc,
                "properties.numberOfVirtualNetworkLinks",
                json!(links.len()),
            );
            set(
                doc,
                "properties.numberOfVirtualNetworkLinksWithRegistration",
                json!(registering),
            );
        }
        _ => {}
    }
}

/// `Connected` when the remote network peers back, else `Initiated`.
fn peering_state(store: &Store, vnet_key: &str, doc: &mut Value) {
    let Some(remote) = str_at(doc, "properties.remoteVirtualNetwork.id") else {
        return;
    };
    let remote_key = remote.to_ascii_lowercase();
    let connected = store
        .children(&remote_key, "virtualNetworkPeerings")
        .iter()
        .any(|p| {
            str_at(&p.doc, "properties.remoteVirtualNetwork.id")
                .is_some_and(|id| id.eq_ignore_ascii_case(vnet_key))
        });
    let state = if connected {
        "Connected"
    } else if store.get(&remote_key).is_some() {
        "Initiated"
    } else {
        "Disconnected"
    };
    set(doc, "properties.peeringState", json!(state));
}

/// Refuses what Azure refuses to delete while in use.
pub(crate) fn check_delete(store: &Store, key: &str, resource: &Resource) -> ArmResult<()> {
    match resource.kind.as_str() {
        SUBNET => {
            if let Some(user) = referenced_by(store, resource.id(), key) {
                return Err(subnet_in_use(resource.name(), user.id()));
            }
        }
        VNET => {
            for subnet in store.children(key, "subnets") {
                if let Some(user) = referenced_by(store, subnet.id(), key) {
                    return Err(subnet_in_use(subnet.name(), user.id()));
                }
            }
        }
        PUBLIC_IP => {
            if let Some(user) = referenced_by(store, resource.id(), key) {
                return Err(ArmError::bad_request(
                    "PublicIPAddressCannotBeDeleted",
                    format!("Public IP address {} can not be deleted since it is still allocated to resource {}.", resource.id(), user.id()),
                ));
            }
        }
        NSG => {
            if let Some(user) = referenced_by(store, resource.id(), key) {
                return Err(ArmError::bad_request(
                    "InUseNetworkSecurityGroupCannotBeDeleted",
                    format!(
                        "Network security group {} cannot be deleted because it is in use by {}.",
                        resource.id(),
                        user.id()
                    ),
                ));
            }
        }
        NAT => {
            if let Some(user) = referenced_by(store, resource.id(), key) {
                return Err(ArmError::bad_request(
                    "InUseNatGatewayCannotBeDeleted",
                    format!(
                        "Nat Gateway {} cannot be deleted because it is in use by {}.",
                        resource.id(),
                        user.id()
                    ),
                ));
            }
        }
        NIC if resource.owner.is_some() => {
            return Err(ArmError::bad_request(
                "CannotDeleteNicOwnedByPrivateEndpoint",
                format!(
                    "Network interface {} is owned by a private endpoint and is deleted with it.",
                    resource.id()
                ),
            ));
        }
        PRIVATE_ZONE if !store.children(key, "virtualNetworkLinks").is_empty() => {
            return Err(ArmError::conflict(
                "CannotDeleteResource",
                "Can not delete resource before nested resources are deleted: delete the zone's virtual network links first.",
            ));
        }
        k if (k.ends_with("/SOA") || k.ends_with("/NS")) && resource.name() == "@" => {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "The {} record set at the zone apex cannot be deleted.",
                    k.rsplit('/').next().unwrap_or_default()
                ),
            ));
        }
        _ => {}
    }
    Ok(())
}
