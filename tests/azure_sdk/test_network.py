"""Microsoft.Network through azure-mgmt-network, -privatedns and -dns: virtual networks with
inline and separate subnets (delegation, service endpoints), peerings, a security group, public
IP addresses, a NAT gateway and its association, private and public DNS zones with records and
links, a DNS resolver with an inbound endpoint, and a VPN gateway with Azure AD point-to-site,
a local network gateway and a connection; each through the SDK's long-running-operation pollers
and read back into its models."""

from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from common import LOCATION, TENANT, client, expect_error, rg_id

resources = client(ResourceManagementClient)
network = client(NetworkManagementClient)
private_dns = client(PrivateDnsManagementClient)
dns = client(DnsManagementClient)

RG = "rg-network"
resources.resource_groups.create_or_update(RG, {"location": LOCATION})

vnet = network.virtual_networks.begin_create_or_update(RG, "vnet-hub", {
    "location": LOCATION,
    "tags": {"tier": "hub"},
    "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [
            {"name": "GatewaySubnet", "properties": {"addressPrefix": "10.0.255.0/27"}},
            {"name": "db", "properties": {"addressPrefix": "10.0.2.0/24", "delegations": [
                {"name": "pg", "properties": {"serviceName": "Microsoft.DBforPostgreSQL/flexibleServers"}}]}},
            {"name": "resolver", "properties": {"addressPrefix": "10.0.3.0/28", "delegations": [
                {"name": "dns", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}]}},
        ],
    },
}).result()
assert vnet.provisioning_state == "Succeeded"
assert vnet.address_space.address_prefixes == ["10.0.0.0/16"]
assert sorted(s.name for s in vnet.subnets) == ["GatewaySubnet", "db", "resolver"]
db = network.subnets.get(RG, "vnet-hub", "db")
assert db.delegations[0].service_name == "Microsoft.DBforPostgreSQL/flexibleServers"
assert db.delegations[0].actions, "delegations get their actions"

# A subnet as its own resource, with service endpoints and a security group.
nsg = network.network_security_groups.begin_create_or_update(RG, "nsg-app", {
    "location": LOCATION,
    "properties": {"securityRules": [{"name": "https", "properties": {
        "protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": 100,
        "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}]},
}).result()
assert nsg.security_rules[0].priority == 100
assert len(nsg.default_security_rules) == 6
app_properties = {
    "addressPrefix": "10.0.1.0/24",
    "serviceEndpoints": [{"service": "Microsoft.Storage"}],
    "networkSecurityGroup": {"id": nsg.id},
}
app = network.subnets.begin_create_or_update(RG, "vnet-hub", "app", {"properties": app_properties}).result()
assert app.service_endpoints[0].service == "Microsoft.Storage"
assert app.service_endpoints[0].locations == [LOCATION]
assert app.network_security_group.id == nsg.id
assert len(network.virtual_networks.get(RG, "vnet-hub").subnets) == 4

# Address rules: outside the network, overlapping a sibling.
expect_error(400, "NetcfgSubnetRangeOutsideVnet", lambda: network.subnets.begin_create_or_update(RG, "vnet-hub", "out", {"properties": {"addressPrefix": "10.1.0.0/24"}}).result())
expect_error(400, "NetcfgSubnetRangesOverlap", lambda: network.subnets.begin_create_or_update(RG, "vnet-hub", "overlap", {"properties": {"addressPrefix": "10.0.1.128/25"}}).result())
# A missing parent.
expect_error(404, "ParentResourceNotFound", lambda: network.subnets.begin_create_or_update(RG, "vnet-missing", "a", {"properties": {"addressPrefix": "10.0.1.0/24"}}).result())
# An enum value the spec does not allow.
expect_error(400, "InvalidRequestFormat", lambda: network.public_ip_addresses.begin_create_or_update(RG, "pip-bad", {"location": LOCATION, "properties": {"publicIPAllocationMethod": "Sometimes"}}).result())

# Public IP, NAT gateway, association.
pip = network.public_ip_addresses.begin_create_or_update(RG, "pip-nat", {
    "location": LOCATION, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"},
}).result()
assert pip.ip_address and pip.sku.name == "Standard"
nat = network.nat_gateways.begin_create_or_update(RG, "nat", {
    "location": LOCATION, "sku": {"name": "Standard"}, "properties": {"publicIpAddresses": [{"id": pip.id}], "idleTimeoutInMinutes": 10},
}).result()
assert nat.idle_timeout_in_minutes == 10
app_properties["natGateway"] = {"id": nat.id}
app = network.subnets.begin_create_or_update(RG, "vnet-hub", "app", {"properties": app_properties}).result()
assert app.nat_gateway.id == nat.id
expect_error(400, "InUseNatGatewayCannotBeDeleted", lambda: network.nat_gateways.begin_delete(RG, "nat").result())
expect_error(400, "PublicIPAddressCannotBeDeleted", lambda: network.public_ip_addresses.begin_delete(RG, "pip-nat").result())

# Tags are updated in place.
network.virtual_networks.update_tags(RG, "vnet-hub", {"tags": {"tier": "core"}})
assert network.virtual_networks.get(RG, "vnet-hub").tags == {"tier": "core"}

# Peering both ways: Initiated, then Connected.
spoke = network.virtual_networks.begin_create_or_update(RG, "vnet-spoke", {
    "location": LOCATION, "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}},
}).result()
one = network.virtual_network_peerings.begin_create_or_update(RG, "vnet-hub", "to-spoke", {
    "properties": {"remoteVirtualNetwork": {"id": spoke.id}, "allowVirtualNetworkAccess": True},
}).result()
assert one.peering_state == "Initiated"
network.virtual_network_peerings.begin_create_or_update(RG, "vnet-spoke", "to-hub", {"properties": {"remoteVirtualNetwork": {"id": vnet.id}}}).result()
assert network.virtual_network_peerings.get(RG, "vnet-hub", "to-spoke").peering_state == "Connected"

# Private DNS: zone, virtual network link, A record.
zone = private_dns.private_zones.begin_create_or_update(RG, "privatelink.postgres.database.azure.com", {"location": "global"}).result()
assert zone.provisioning_state == "Succeeded"
link = private_dns.virtual_network_links.begin_create_or_update(RG, zone.name, "hub", {
    "location": "global", "properties": {"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False},
}).result()
assert link.virtual_network_link_state == "Completed"
record = private_dns.record_sets.create_or_update(RG, zone.name, "A", "db1", {"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.0.2.4"}]}})
assert record.fqdn == "db1.privatelink.postgres.database.azure.com."
assert record.a_records[0].ipv4_address == "10.0.2.4"
assert private_dns.private_zones.get(RG, zone.name).number_of_virtual_network_links == 1

# Public DNS: zone and A, CNAME and TXT records.
public = dns.zones.create_or_update(RG, "example.com", {"location": "global"})
assert len(public.name_servers) == 4
dns.record_sets.create_or_update(RG, "example.com", "www", "A", {"ttl": 60, "a_records": [{"ipv4_address": "20.1.2.3"}]})
dns.record_sets.create_or_update(RG, "example.com", "app", "CNAME", {"ttl": 60, "cname_record": {"cname": "www.example.com"}})
dns.record_sets.create_or_update(RG, "example.com", "@", "TXT", {"ttl": 60, "txt_records": [{"value": ["v=spf1 -all"]}]})
assert dns.record_sets.get(RG, "example.com", "app", "CNAME").cname_record.cname == "www.example.com"
assert dns.record_sets.get(RG, "example.com", "@", "TXT").txt_records[0].value == ["v=spf1 -all"]
types = sorted(r.type.rsplit("/", 1)[1] for r in dns.record_sets.list_by_dns_zone(RG, "example.com"))
assert types == ["A", "CNAME", "NS", "SOA", "TXT"], types
expect_error(400, "BadRequest", lambda: dns.record_sets.create_or_update(RG, "example.com", "app", "A", {"ttl": 60, "a_records": [{"ipv4_address": "20.1.2.4"}]}))

# DNS resolver with an inbound endpoint in its delegated subnet.
from azure.mgmt.resource.resources.models import GenericResource
if True:
    resolver_id = rg_id(RG) + "/providers/Microsoft.Network/dnsResolvers/resolver"
    resolver = resources.resources.begin_create_or_update_by_id(resolver_id, GenericResource(location=LOCATION, properties={"virtualNetwork": {"id": vnet.id}}), api_version="2022-07-01").result()
    assert resolver.properties["dnsResolverState"] == "Connected"
    inbound = resources.resources.begin_create_or_update_by_id(resolver_id + "/inboundEndpoints/in", GenericResource(location=LOCATION, properties={
        "ipConfigurations": [{"subnet": {"id": vnet.id + "/subnets/resolver"}, "privateIpAllocationMethod": "Dynamic"}]}), api_version="2022-07-01").result()
    assert inbound.properties["ipConfigurations"][0]["privateIpAddress"] == "10.0.3.4", inbound.properties

# VPN: gateway with Azure AD point-to-site, local network gateway, site-to-site connection.
gw_ip = network.public_ip_addresses.begin_create_or_update(RG, "pip-vpn", {"location": LOCATION, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}).result()
gateway = network.virtual_network_gateways.begin_create_or_update(RG, "vpn", {
    "location": LOCATION,
    "properties": {
        "gatewayType": "Vpn", "vpnType": "RouteBased", "sku": {"name": "VpnGw1", "tier": "VpnGw1"},
        "ipConfigurations": [{"name": "default", "properties": {"subnet": {"id": vnet.id + "/subnets/GatewaySubnet"}, "publicIPAddress": {"id": gw_ip.id}}}],
        "vpnClientConfiguration": {
            "vpnClientAddressPool": {"addressPrefixes": ["172.16.0.0/24"]},
            "vpnClientProtocols": ["OpenVPN"], "vpnAuthenticationTypes": ["AAD"],
            "aadTenant": f"https://login.microsoftonline.com/{TENANT}/",
            "aadAudience": "41b23e61-6c1e-4545-b367-cd054e0ed4b4",
            "aadIssuer": f"https://sts.windows.net/{TENANT}/",
        },
    },
}).result()
assert gateway.provisioning_state == "Succeeded"
assert gateway.bgp_settings.asn == 65515 and gateway.bgp_settings.bgp_peering_address == "10.0.255.4"
assert gateway.vpn_client_configuration.vpn_authentication_types == ["AAD"]
local = network.local_network_gateways.begin_create_or_update(RG, "onprem", {
    "location": LOCATION, "properties": {"gatewayIpAddress": "203.0.113.10", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}},
}).result()
connection = network.virtual_network_gateway_connections.begin_create_or_update(RG, "to-onprem", {
    "location": LOCATION, "properties": {"connectionType": "IPsec", "virtualNetworkGateway1": {"id": gateway.id, "location": LOCATION},
    "localNetworkGateway2": {"id": local.id, "location": LOCATION}, "sharedKey": "not-a-secret"},
}).result()
assert connection.connection_status == "Connected"
# The shared key is kept apart from the connection: read and rotated through {connection}/sharedkey.
assert connection.shared_key is None
connections = network.virtual_network_gateway_connections
assert connections.get_shared_key(RG, "to-onprem").value == "not-a-secret"
assert connections.begin_set_shared_key(RG, "to-onprem", {"value": "rotated-key"}).result().value == "rotated-key"
assert connections.get_shared_key(RG, "to-onprem").value == "rotated-key"
# Azure AD point-to-site needs OpenVPN.
expect_error(400, "VpnClientAadAuthenticationRequiresOpenVpnProtocol", lambda: network.virtual_network_gateways.begin_create_or_update(RG, "vpn2", {
    "location": LOCATION, "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1", "tier": "VpnGw1"},
    "ipConfigurations": [{"name": "default", "properties": {"subnet": {"id": vnet.id + "/subnets/GatewaySubnet"}, "publicIPAddress": {"id": gw_ip.id}}}],
    "vpnClientConfiguration": {"vpnClientAddressPool": {"addressPrefixes": ["172.17.0.0/24"]}, "vpnClientProtocols": ["IkeV2"],
                               "aadTenant": "t", "aadAudience": "a", "aadIssuer": "i"}},
}).result())

# Subnets in use cannot be deleted, neither alone nor by leaving them out of the network.
expect_error(400, "InUseSubnetCannotBeDeleted", lambda: network.subnets.begin_delete(RG, "vnet-hub", "GatewaySubnet").result())
current = network.virtual_networks.get(RG, "vnet-hub").as_dict()
current["properties"]["subnets"] = [s for s in current["properties"]["subnets"] if s["name"] != "GatewaySubnet"]
expect_error(400, "InUseSubnetCannotBeDeleted", lambda: network.virtual_networks.begin_create_or_update(RG, "vnet-hub", current).result())

# Deleting in dependency order, through the pollers.
network.virtual_network_gateway_connections.begin_delete(RG, "to-onprem").result()
network.virtual_network_gateways.begin_delete(RG, "vpn").result()
network.subnets.begin_delete(RG, "vnet-hub", "GatewaySubnet").result()
assert "GatewaySubnet" not in [s.name for s in network.virtual_networks.get(RG, "vnet-hub").subnets]
private_dns.virtual_network_links.begin_delete(RG, zone.name, "hub").result()
private_dns.private_zones.begin_delete(RG, zone.name).result()
dns.zones.begin_delete(RG, "example.com").result()
resources.resource_groups.begin_delete(RG).result()
assert not resources.resource_groups.check_existence(RG)
print("ok network")
