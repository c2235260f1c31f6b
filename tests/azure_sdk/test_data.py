"""PostgreSQL and Redis through azure-mgmt-postgresqlflexibleservers, -redis, -network and
-privatedns: a flexible server in a delegated subnet with its private DNS zone (prod's shape), a
public one with a firewall rule (dev's shape), databases and server parameters; a Redis cache
with its keys and a private endpoint whose DNS zone group writes the A record."""

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.postgresqlflexibleservers import PostgreSQLManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.redis import RedisManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from common import LOCATION, client, expect_error

resources = client(ResourceManagementClient)
network = client(NetworkManagementClient)
private_dns = client(PrivateDnsManagementClient)
postgres = client(PostgreSQLManagementClient)
redis = client(RedisManagementClient)

RG = "rg-data"
resources.resource_groups.create_or_update(RG, {"location": LOCATION})
vnet = network.virtual_networks.begin_create_or_update(RG, "vnet", {
    "location": LOCATION,
    "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "subnets": [
        {"name": "db", "properties": {"addressPrefix": "10.20.1.0/24", "delegations": [{"name": "pg", "properties": {"serviceName": "Microsoft.DBforPostgreSQL/flexibleServers"}}]}},
        {"name": "endpoints", "properties": {"addressPrefix": "10.20.2.0/24"}},
    ]},
}).result()
db_subnet, endpoint_subnet = (s.id for s in sorted(vnet.subnets, key=lambda s: s.name))

zone = private_dns.private_zones.begin_create_or_update(RG, "prod.postgres.database.azure.com", {"location": "global"}).result()
private_dns.virtual_network_links.begin_create_or_update(RG, zone.name, "vnet", {"location": "global", "properties": {"virtualNetwork": {"id": vnet.id}}}).result()

server = postgres.servers.begin_create_or_update(RG, "terrane-pg-prod", {
    "location": LOCATION,
    "sku": {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"},
    "properties": {
        "version": "16", "administratorLogin": "pgadmin", "administratorLoginPassword": "Sup3r-secret!",
        "storage": {"storageSizeGB": 64}, "backup": {"backupRetentionDays": 14},
        "network": {"delegatedSubnetResourceId": db_subnet, "privateDnsZoneArmResourceId": zone.id},
    },
}).result()
assert server.fully_qualified_domain_name == "terrane-pg-prod.postgres.database.azure.com"
assert server.state == "Ready"
assert server.version == "16" and server.storage.storage_size_gb == 64
assert server.network.public_network_access == "Disabled"
assert server.backup.backup_retention_days == 14
assert server.as_dict()["properties"].get("administratorLoginPassword") is None, "the password is never returned"
records = [r for r in private_dns.record_sets.list(RG, zone.name) if r.type.endswith("/A")]
assert len(records) == 1 and records[0].a_records[0].ipv4_address == "10.20.1.4", records

public = postgres.servers.begin_create_or_update(RG, "terrane-pg-dev", {
    "location": LOCATION, "sku": {"name": "Standard_B1ms", "tier": "Burstable"},
    "properties": {"version": "15", "administratorLogin": "pgadmin", "administratorLoginPassword": "Sup3r-secret!", "storage": {"storageSizeGB": 32}},
}).result()
assert public.network.public_network_access == "Enabled"
rule = postgres.firewall_rules.begin_create_or_update(RG, "terrane-pg-dev", "office", {"properties": {"startIpAddress": "203.0.113.1", "endIpAddress": "203.0.113.20"}}).result()
assert rule.start_ip_address == "203.0.113.1" and rule.end_ip_address == "203.0.113.20"
expect_error(400, "FirewallRuleStartIpAddressGreaterThanEndIpAddress", lambda: postgres.firewall_rules.begin_create_or_update(
    RG, "terrane-pg-dev", "bad", {"properties": {"startIpAddress": "203.0.113.20", "endIpAddress": "203.0.113.1"}}).result())
database = postgres.databases.begin_create(RG, "terrane-pg-dev", "app", {"properties": {"charset": "UTF8", "collation": "en_US.utf8"}}).result()
assert database.charset == "UTF8"

setting = postgres.configurations.get(RG, "terrane-pg-dev", "require_secure_transport")
assert setting.value == "on" and setting.source == "system-default"
setting = postgres.configurations.begin_put(RG, "terrane-pg-dev", "require_secure_transport", {"properties": {"value": "off", "source": "user-override"}}).result()
assert setting.value == "off" and setting.source == "user-override"
assert postgres.configurations.get(RG, "terrane-pg-dev", "require_secure_transport").value == "off"

# Server names are global; invalid SKUs and weak passwords are refused.
resources.resource_groups.create_or_update("rg-data-2", {"location": LOCATION})
expect_error(409, "ServerNameAlreadyExists", lambda: postgres.servers.begin_create_or_update("rg-data-2", "terrane-pg-dev", {
    "location": LOCATION, "sku": {"name": "Standard_B1ms", "tier": "Burstable"},
    "properties": {"version": "15", "administratorLogin": "pgadmin", "administratorLoginPassword": "Sup3r-secret!"}}).result())
expect_error(400, "PasswordNotComplex", lambda: postgres.servers.begin_create_or_update(RG, "terrane-pg-weak", {
    "location": LOCATION, "sku": {"name": "Standard_B1ms", "tier": "Burstable"},
    "properties": {"version": "15", "administratorLogin": "pgadmin", "administratorLoginPassword": "password"}}).result())
expect_error(400, "InvalidParameterValue", lambda: postgres.servers.begin_create_or_update(RG, "terrane-pg-bad", {
    "location": LOCATION, "sku": {"name": "Standard_B1ms", "tier": "Cheap"},
    "properties": {"version": "15", "administratorLogin": "pgadmin", "administratorLoginPassword": "Sup3r-secret!"}}).result())
# The delegated subnet is in use by the server.
expect_error(400, "InUseSubnetCannotBeDeleted", lambda: network.subnets.begin_delete(RG, "vnet", "db").result())

# Redis with its keys and a private endpoint.
cache = redis.redis.begin_create(RG, "terrane-redis-prod", {
    "location": LOCATION, "sku": {"name": "Standard", "family": "C", "capacity": 1},
    "minimum_tls_version": "1.2", "redis_configuration": {"maxmemory_policy": "allkeys-lru"},
}).result()
assert cache.host_name == "terrane-redis-prod.redis.cache.windows.net"
assert cache.ssl_port == 6380 and cache.port == 6379 and cache.enable_non_ssl_port is False
assert cache.redis_configuration.maxmemory_policy == "allkeys-lru"
keys = redis.redis.list_keys(RG, "terrane-redis-prod")
assert keys.primary_key and keys.secondary_key and keys.primary_key != keys.secondary_key
regenerated = redis.redis.regenerate_key(RG, "terrane-redis-prod", {"key_type": "Primary"})
assert regenerated.primary_key != keys.primary_key and regenerated.secondary_key == keys.secondary_key
redis.redis.begin_update(RG, "terrane-redis-prod", {"tags": {"env": "prod"}}).result()
assert redis.redis.get(RG, "terrane-redis-prod").tags == {"env": "prod"}
expect_error(409, "NameNotAvailable", lambda: redis.redis.begin_create("rg-data-2", "terrane-redis-prod", {
    "location": LOCATION, "sku": {"name": "Basic", "family": "C", "capacity": 0}}).result())
expect_error(400, "InvalidSkuFamily", lambda: redis.redis.begin_create(RG, "terrane-redis-bad", {
    "location": LOCATION, "sku": {"name": "Premium", "family": "C", "capacity": 1}}).result())

redis_zone = private_dns.private_zones.begin_create_or_update(RG, "privatelink.redis.cache.windows.net", {"location": "global"}).result()
endpoint = network.private_endpoints.begin_create_or_update(RG, "pe-redis", {
    "location": LOCATION,
    "properties": {
        "subnet": {"id": endpoint_subnet},
        "privateLinkServiceConnections": [{"name": "redis", "properties": {"privateLinkServiceId": cache.id, "groupIds": ["redisCache"]}}],
    },
}).result()
assert endpoint.private_link_service_connections[0].private_link_service_connection_state.status == "Approved"
assert endpoint.custom_dns_configs[0].fqdn == "terrane-redis-prod.redis.cache.windows.net"
address = endpoint.custom_dns_configs[0].ip_addresses[0]
assert address == "10.20.2.4", address
nic = network.network_interfaces.get(RG, endpoint.network_interfaces[0].id.rsplit("/", 1)[1])
assert nic.ip_configurations[0].private_ip_address == address
group = network.private_dns_zone_groups.begin_create_or_update(RG, "pe-redis", "default", {
    "properties": {"privateDnsZoneConfigs": [{"name": "redis", "properties": {"privateDnsZoneId": redis_zone.id}}]},
}).result()
assert group.private_dns_zone_configs[0].record_sets[0].ip_addresses == [address]
record = private_dns.record_sets.get(RG, redis_zone.name, "A", "terrane-redis-prod")
assert record.a_records[0].ipv4_address == address
expect_error(400, "InUseSubnetCannotBeDeleted", lambda: network.subnets.begin_delete(RG, "vnet", "endpoints").result())

network.private_endpoints.begin_delete(RG, "pe-redis").result()
try:
    private_dns.record_sets.get(RG, redis_zone.name, "A", "terrane-redis-prod")
    raise AssertionError("the zone group's record outlived the endpoint")
except Exception as error:
    assert getattr(error, "status_code", None) == 404, error
network.subnets.begin_delete(RG, "vnet", "endpoints").result()
redis.redis.begin_delete(RG, "terrane-redis-prod").result()
postgres.servers.begin_delete(RG, "terrane-pg-prod").result()
network.subnets.begin_delete(RG, "vnet", "db").result()
resources.resource_groups.begin_delete(RG).result()
resources.resource_groups.begin_delete("rg-data-2").result()
print("ok data")
