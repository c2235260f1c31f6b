"""Microsoft.Resources through azure-mgmt-resource: resource groups (create, read, tags,
existence, cascading delete with the SDK's poller), a type the simulator does not model stored
generically (as azapi writes it), listings and provider registrations."""

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import GenericResource, ResourceGroup

from common import LOCATION, client, expect_error, rg_id

resources = client(ResourceManagementClient)

group = resources.resource_groups.create_or_update("rg-resources", ResourceGroup(location="West Europe", tags={"env": "test"}))
assert group.id == rg_id("rg-resources"), group.id
assert group.location == LOCATION
assert group.properties.provisioning_state == "Succeeded"
assert resources.resource_groups.check_existence("rg-resources")
assert not resources.resource_groups.check_existence("rg-missing")

read = resources.resource_groups.get("RG-RESOURCES")
assert read.name == "rg-resources" and read.tags == {"env": "test"}

# Tags change in place.
resources.resource_groups.update("rg-resources", {"tags": {"env": "prod", "team": "a"}})
assert resources.resource_groups.get("rg-resources").tags == {"env": "prod", "team": "a"}

# A type the simulator does not model is stored as sent, through the generic API.
generic_id = rg_id("rg-resources") + "/providers/Microsoft.Web/staticSites/site1"
poller = resources.resources.begin_create_or_update_by_id(
    generic_id,
    GenericResource(location=LOCATION, sku={"name": "Free", "tier": "Free"}, properties={"repositoryUrl": "https://example.com/repo"}),
    api_version="2022-09-01",
)
site = poller.result()
assert site.id == generic_id and site.properties["repositoryUrl"] == "https://example.com/repo"
assert site.properties["provisioningState"] == "Succeeded", site.properties
listed = [r.id for r in resources.resources.list_by_resource_group("rg-resources")]
assert listed == [generic_id], listed

# Unsupported api-versions are refused as ARM refuses them.
expect_error(400, "NoRegisteredProviderFound", lambda: resources.resources.get_by_id(generic_id, api_version="2099-01-01"))
expect_error(400, "InvalidApiVersionParameter", lambda: resources.resources.get_by_id(generic_id, api_version="yesterday"))

# Missing things: resource group, resource.
expect_error(404, "ResourceGroupNotFound", lambda: resources.resource_groups.get("rg-missing"))
try:
    resources.resources.get_by_id(rg_id("rg-resources") + "/providers/Microsoft.Web/staticSites/nope", api_version="2022-09-01")
    raise AssertionError("a missing resource was found")
except ResourceNotFoundError as error:
    assert error.error.code == "ResourceNotFound"

# Providers are registered.
network = resources.providers.get("Microsoft.Network")
assert network.registration_state == "Registered"
assert any(t.resource_type == "virtualNetworks" for t in network.resource_types)
resources.providers.register("Microsoft.ContainerService")

# Deleting the group takes everything in it, through the SDK's long-running operation.
resources.resource_groups.begin_delete("rg-resources").result()
assert not resources.resource_groups.check_existence("rg-resources")
expect_error(404, "ResourceGroupNotFound", lambda: resources.resources.get_by_id(generic_id, api_version="2022-09-01"))
print("ok resources")
