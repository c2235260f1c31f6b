"""AKS and what goes with it, through azure-mgmt-containerservice, -containerregistry and
-authorization: a container registry, a cluster with a system-assigned identity in a subnet, a
second node pool, the user and admin kubeconfigs (a real CA and signed client certificates),
node count changed in place, and the AcrPull role assignment of the kubelet identity."""

import base64

from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from common import LOCATION, SUBSCRIPTION, client, expect_error, rg_id

resources = client(ResourceManagementClient)
network = client(NetworkManagementClient)
aks = client(ContainerServiceClient)
acr = client(ContainerRegistryManagementClient)
authorization = client(AuthorizationManagementClient)

RG = "rg-aks"
resources.resource_groups.create_or_update(RG, {"location": LOCATION})
vnet = network.virtual_networks.begin_create_or_update(RG, "vnet", {
    "location": LOCATION,
    "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
                   "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.10.0.0/20"}}]},
}).result()
nodes = vnet.subnets[0].id

registry = acr.registries.begin_create(RG, "terraneacr01", {"location": LOCATION, "sku": {"name": "Standard"}, "properties": {"adminUserEnabled": False}}).result()
assert registry.login_server == "terraneacr01.azurecr.io"
assert registry.provisioning_state == "Succeeded"
expect_error(409, "AlreadyInUse", lambda: (resources.resource_groups.create_or_update("rg-other", {"location": LOCATION}),
                                          acr.registries.begin_create("rg-other", "terraneacr01", {"location": LOCATION, "sku": {"name": "Basic"}}).result()))

cluster = aks.managed_clusters.begin_create_or_update(RG, "aks", {
    "location": LOCATION,
    "identity": {"type": "SystemAssigned"},
    "properties": {
        "dnsPrefix": "aks-dev",
        "kubernetesVersion": "1.31",
        "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 2, "vmSize": "Standard_D2s_v3", "vnetSubnetID": nodes}],
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"},
    },
}).result()
assert cluster.provisioning_state == "Succeeded"
assert cluster.fqdn.startswith("aks-dev-") and cluster.fqdn.endswith(f".hcp.{LOCATION}.azmk8s.io")
assert cluster.current_kubernetes_version.startswith("1.31.")
assert cluster.node_resource_group == f"MC_{RG}_aks_{LOCATION}"
assert resources.resource_groups.check_existence(cluster.node_resource_group)
assert cluster.identity.principal_id
kubelet = cluster.identity_profile["kubeletidentity"]
assert kubelet.object_id and kubelet.client_id
assert [p.name for p in cluster.agent_pool_profiles] == ["system"]
assert cluster.agent_pool_profiles[0].count == 2
assert cluster.network_profile.network_plugin == "azure"

pool = aks.agent_pools.begin_create_or_update(RG, "aks", "user1", {"properties": {"count": 1, "vmSize": "Standard_D4s_v3", "mode": "User", "vnetSubnetID": nodes}}).result()
assert pool.provisioning_state == "Succeeded" and pool.mode == "User"
assert sorted(p.name for p in aks.agent_pools.list(RG, "aks")) == ["system", "user1"]

# Node count changes in place.
pool = aks.agent_pools.begin_create_or_update(RG, "aks", "user1", {"properties": {"count": 3, "vmSize": "Standard_D4s_v3", "mode": "User", "vnetSubnetID": nodes}}).result()
assert aks.agent_pools.get(RG, "aks", "user1").count == 3

offered = aks.agent_pools.get_available_agent_pool_versions(RG, "aks").agent_pool_versions
assert any(v.kubernetes_version == "1.32.6" and v.default for v in offered), offered

for listing, name in [(aks.managed_clusters.list_cluster_user_credentials, "clusterUser"), (aks.managed_clusters.list_cluster_admin_credentials, "clusterAdmin")]:
    credentials = listing(RG, "aks")
    assert credentials.kubeconfigs[0].name == name
    config = credentials.kubeconfigs[0].value
    if isinstance(config, str):
        config = base64.b64decode(config)
    config = config.decode()
    assert f"server: https://{cluster.fqdn}:443" in config, config
    fields = {line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip() for line in config.splitlines() if "-data:" in line}
    assert base64.b64decode(fields["certificate-authority-data"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert base64.b64decode(fields["client-certificate-data"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert base64.b64decode(fields["client-key-data"]).startswith(b"-----BEGIN PRIVATE KEY-----")

# Invalid requests: no system pool, unknown version, a delegated subnet for nodes.
expect_error(400, "MustDefineAtLeastOneSystemPool", lambda: aks.managed_clusters.begin_create_or_update(RG, "aks2", {
    "location": LOCATION, "identity": {"type": "SystemAssigned"},
    "properties": {"dnsPrefix": "aks2", "agentPoolProfiles": [{"name": "user", "mode": "User", "count": 1, "vmSize": "Standard_D2s_v3"}]}}).result())
expect_error(400, "K8sVersionNotSupported", lambda: aks.managed_clusters.begin_create_or_update(RG, "aks2", {
    "location": LOCATION, "identity": {"type": "SystemAssigned"},
    "properties": {"dnsPrefix": "aks2", "kubernetesVersion": "1.12", "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D2s_v3"}]}}).result())

# The kubelet identity may pull from the registry.
roles = list(authorization.role_definitions.list(registry.id, filter="roleName eq 'AcrPull'"))
assert len(roles) == 1 and roles[0].role_name == "AcrPull", roles
assignment_name = "5d1f1a24-8b8e-4b2c-9c59-2f0e3c6a1b11"
assignment = authorization.role_assignments.create(registry.id, assignment_name, {
    "role_definition_id": roles[0].id, "principal_id": kubelet.object_id, "principal_type": "ServicePrincipal",
})
assert assignment.scope == registry.id and assignment.principal_id == kubelet.object_id
assert assignment.role_definition_id.endswith("7f951dda-4ed3-4680-a7ca-43fe172d538d")
assert authorization.role_assignments.get(registry.id, assignment_name).principal_id == kubelet.object_id
expect_error(409, "RoleAssignmentExists", lambda: authorization.role_assignments.create(registry.id, "0b7cb3c7-6a3c-4d54-9e29-0d5f1fbbd0a2", {
    "role_definition_id": roles[0].id, "principal_id": kubelet.object_id}))
expect_error(400, "RoleDefinitionDoesNotExist", lambda: authorization.role_assignments.create(registry.id, "1b7cb3c7-6a3c-4d54-9e29-0d5f1fbbd0a2", {
    "role_definition_id": f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-000000000000",
    "principal_id": kubelet.object_id}))
listed = list(authorization.role_assignments.list_for_scope(rg_id(RG)))
assert [a.name for a in listed] == [assignment_name], listed

# Nodes hold their subnet.
expect_error(400, "InUseSubnetCannotBeDeleted", lambda: network.subnets.begin_delete(RG, "vnet", "nodes").result())

aks.agent_pools.begin_delete(RG, "aks", "user1").result()
aks.managed_clusters.begin_delete(RG, "aks").result()
assert not resources.resource_groups.check_existence(cluster.node_resource_group), "the node resource group goes with the cluster"
authorization.role_assignments.delete(registry.id, assignment_name)
acr.registries.begin_delete(RG, "terraneacr01").result()
network.subnets.begin_delete(RG, "vnet", "nodes").result()
resources.resource_groups.begin_delete(RG).result()
resources.resource_groups.begin_delete("rg-other").result()
print("ok aks")
