"""Injected faults (`--faults 429=0.3,500=0.2,drop=0.1`): each kind is seen on the wire in ARM's
shape, and Microsoft's SDK, retrying, converges on exactly the resources asked for: a faulted
request changes nothing."""

import http.client
import urllib.parse

from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from common import BASE, LOCATION, SUBSCRIPTION, client, token

url = urllib.parse.urlparse(BASE)
seen = set()
bearer = token()
for _ in range(300):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("GET", f"/subscriptions/{SUBSCRIPTION}/resourcegroups?api-version=2021-04-01", headers={"Authorization": f"Bearer {bearer}"})
        response = connection.getresponse()
        body = response.read()
        if response.status == 429:
            assert response.getheader("Retry-After"), response.getheaders()
            assert b"TooManyRequests" in body
            seen.add(429)
        elif response.status == 500:
            assert b"InternalServerError" in body
            seen.add(500)
        else:
            assert response.status == 200, response.status
            seen.add(200)
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine):
        seen.add("drop")
    finally:
        connection.close()
assert seen == {200, 429, 500, "drop"}, seen

retrying = dict(retry_total=60, retry_status=60, retry_connect=60, retry_read=60, retry_backoff_factor=0.01, retry_backoff_max=0.05)
resources = client(ResourceManagementClient, **retrying)
network = client(NetworkManagementClient, **retrying)
resources.resource_groups.create_or_update("rg-faults", {"location": LOCATION})
for i in range(5):
    network.virtual_networks.begin_create_or_update("rg-faults", f"vnet{i}", {
        "location": LOCATION, "properties": {"addressSpace": {"addressPrefixes": [f"10.{i}.0.0/16"]},
                                             "subnets": [{"name": "a", "properties": {"addressPrefix": f"10.{i}.1.0/24"}}]},
    }).result()
names = sorted(v.name for v in network.virtual_networks.list("rg-faults"))
assert names == [f"vnet{i}" for i in range(5)], names
for i in range(5):
    vnet = network.virtual_networks.get("rg-faults", f"vnet{i}")
    assert vnet.provisioning_state == "Succeeded" and [s.name for s in vnet.subnets] == ["a"]
resources.resource_groups.begin_delete("rg-faults").result()
assert not resources.resource_groups.check_existence("rg-faults")
print("ok faults")
