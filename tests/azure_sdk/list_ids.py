"""Prints the ID of every resource the simulated subscription holds, in lower case, one per
line (resource groups included), through Microsoft's resources client."""

from azure.mgmt.resource.resources import ResourceManagementClient

from common import client

resources = client(ResourceManagementClient)
for group in resources.resource_groups.list():
    print(group.id.lower())
for resource in resources.resources.list():
    print(resource.id.lower())
