"""Reads back, with Microsoft's SDK clients and their models, what terrane created from
examples/azure-platform in the given workspace (argv[1]: dev or prod), and checks the
configured values arrived. argv[2] is a file listing every ARM ID terrane's state holds or
names: each resource the subscription holds must be one of them (nothing duplicated, nothing
unknown to the state)."""

import sys

from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.postgresqlflexibleservers import PostgreSQLManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.redis import RedisManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from common import client

env = sys.argv[1]
state_ids = {line.strip().lower() for line in open(sys.argv[2]) if line.strip()}
prod = env == "prod"
name = f"{env}-abc"
rg = f"{name}-rg"

resources = client(ResourceManagementClient)
group = resources.resource_groups.get(rg)
assert group.location == "westeurope", group.location
assert group.tags == {"Env": env, "ManagedBy": "terrane"}, group.tags

network = client(NetworkManagementClient)
vnet = network.virtual_networks.get(rg, f"{name}-vnet")
assert vnet.address_space.address_prefixes == ["10.20.0.0/16"], vnet.address_space
subnets = {s.name: s for s in network.subnets.list(rg, vnet.name)}
assert set(subnets) == {"aks", "postgres", "endpoints", "dns-inbound", "GatewaySubnet"}, set(subnets)
assert subnets["postgres"].delegations[0].service_name == "Microsoft.DBforPostgreSQL/flexibleServers"
assert sorted(e.service for e in subnets["aks"].service_endpoints) == ["Microsoft.KeyVault", "Microsoft.Storage"]
assert subnets["aks"].nat_gateway.id.lower().endswith(f"/natgateways/{name}-nat")
nat = network.nat_gateways.get(rg, f"{name}-nat")
assert nat.idle_timeout_in_minutes == 10 and nat.sku.name == "Standard"
assert nat.public_ip_addresses[0].id.lower().endswith(f"/publicipaddresses/{name}-nat-ip")

gateway = network.virtual_network_gateways.get(rg, f"{name}-vpn")
assert gateway.sku.name == "VpnGw1" and gateway.vpn_type == "RouteBased"
client_config = gateway.vpn_client_configuration
assert client_config.vpn_authentication_types == ["AAD"], client_config.vpn_authentication_types
assert client_config.vpn_client_protocols == ["OpenVPN"]
assert client_config.vpn_client_address_pool.address_prefixes == ["172.30.0.0/24"]
assert client_config.aad_audience == "41b23e61-6c1e-4545-b367-cd054e0ed4b4"

aks = client(ContainerServiceClient)
cluster = aks.managed_clusters.get(rg, f"{name}-aks")
assert cluster.dns_prefix == f"{name}-aks"
assert cluster.identity.type == "SystemAssigned"
assert cluster.network_profile.network_plugin == "azure"
assert cluster.network_profile.service_cidr == "172.16.0.0/16"
assert cluster.oidc_issuer_profile.enabled is True
pools = {p.name: p for p in aks.agent_pools.list(rg, cluster.name)}
assert (pools["system"].count, pools["system"].vm_size) == (2, "Standard_D2s_v3"), (pools["system"].count, pools["system"].vm_size)
assert pools["apps"].count == (3 if prod else 1), pools["apps"].count

acr = client(ContainerRegistryManagementClient)
registry = acr.registries.get(rg, f"{env}abcacr")
assert registry.sku.name == "Standard" and registry.admin_user_enabled is False
authorization = client(AuthorizationManagementClient)
pulls = list(authorization.role_assignments.list_for_scope(registry.id))
kubelet = cluster.identity_profile["kubeletidentity"].object_id
assert [a.principal_id for a in pulls] == [kubelet], "exactly one AcrPull assignment for the kubelet"

postgres = client(PostgreSQLManagementClient)
server = postgres.servers.get(rg, f"{name}-db")
assert server.version == "16", server.version
# azurerm's sku_name "GP_Standard_D2s_v3" is ARM's tier and name.
expected_sku = ("GeneralPurpose", "Standard_D2s_v3") if prod else ("Burstable", "Standard_B1ms")
assert (server.sku.tier, server.sku.name) == expected_sku, (server.sku.tier, server.sku.name)
assert server.storage.storage_size_gb == 32
assert server.backup.backup_retention_days == 7
assert server.administrator_login == "psqladmin"
assert server.fully_qualified_domain_name == f"{name}-db.postgres.database.azure.com"
if prod:
    assert server.network.delegated_subnet_resource_id.lower().endswith("/subnets/postgres")
    assert server.network.public_network_access == "Disabled"
    private_dns = client(PrivateDnsManagementClient)
    links = list(private_dns.virtual_network_links.list(rg, f"{name}.private.postgres.database.azure.com"))
    assert [l.virtual_network.id.lower() for l in links] == [vnet.id.lower()]
else:
    rules = list(postgres.firewall_rules.list_by_server(rg, server.name))
    assert [(r.start_ip_address, r.end_ip_address) for r in rules] == [("203.0.113.10", "203.0.113.20")]
database = postgres.databases.get(rg, server.name, "app")
assert database.charset == "UTF8"

redis = client(RedisManagementClient)
cache = redis.redis.get(rg, f"{name}-redis")
assert cache.sku.name == ("Standard" if prod else "Basic") and cache.sku.family == "C"
assert cache.sku.capacity == (1 if prod else 0)
assert cache.minimum_tls_version == "1.2"
if prod:
    endpoint = network.private_endpoints.get(rg, f"{name}-redis-pe")
    connection = endpoint.private_link_service_connections[0]
    assert connection.private_link_service_id.lower() == cache.id.lower()
    assert connection.group_ids == ["redisCache"]

vaults = client(KeyVaultManagementClient)
vault = vaults.vaults.get(rg, f"{name}-kv")
assert vault.properties.sku.name.lower() == "standard"
assert vault.properties.soft_delete_retention_in_days == 7

dns = client(DnsManagementClient)
zone_name = "abc-platform.example" if prod else f"{env}.abc-platform.example"
zone = dns.zones.get(rg, zone_name)
assert len(zone.name_servers) >= 1
cname = dns.record_sets.get(rg, zone_name, "registry", "CNAME")
assert cname.cname_record.cname == registry.login_server and cname.ttl == 300
txt = dns.record_sets.get(rg, zone_name, "@", "TXT")
assert sorted(v for r in txt.txt_records for v in r.value) == sorted(["v=spf1 -all", f"terrane-verification={env}"])
a = dns.record_sets.get(rg, zone_name, "vpn", "A")
assert a.target_resource.id.lower().endswith(f"/publicipaddresses/{name}-vpn-ip")

listed = [r.id.lower() for r in resources.resources.list()]
unknown = [i for i in listed if i not in state_ids]
assert not unknown, f"resources the state does not know: {unknown}"
print(f"ok read back {len(listed)} resources of {env}")
