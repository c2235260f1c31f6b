"""ARM's behaviour checked on the wire: authentication (401 without a token, with a token the
simulator did not issue, with the managed-identity endpoint's token), the api-version check,
the long-running-operation headers and status documents, 404 for a missing parent, 409 for a
taken global name, 400 for a subnet in use, and case-insensitive paths."""

import base64
import json
import time
import urllib.parse
import urllib.request

from common import CLIENT_ID, HOST, LOGIN, SUBSCRIPTION, TENANT, raw

SUB = f"/subscriptions/{SUBSCRIPTION}"
NET = "api-version=2024-05-01"

# No token, a forged token, a token for another audience.
status, headers, body = raw("GET", f"{SUB}/resourcegroups?api-version=2021-04-01", authorize=False)
assert status == 401 and body["error"]["code"] == "AuthenticationFailed", body
assert "www-authenticate" in headers
status, _, body = raw("GET", f"{SUB}/resourcegroups?api-version=2021-04-01", authorize=False,
                      headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl"})
assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken", body
status, _, body = raw("GET", f"{SUB}/resourcegroups?api-version=2021-04-01", scope="https://vault.azure.net/.default")
assert status == 401 and body["error"]["code"] == "InvalidAuthenticationTokenAudience", body

# The token endpoint refuses a wrong secret; the managed-identity endpoint issues usable tokens.
request = urllib.request.Request(f"{LOGIN}/{TENANT}/oauth2/v2.0/token", data=b"grant_type=client_credentials&client_id=x&client_secret=y&scope=z", method="POST")
try:
    urllib.request.urlopen(request)
    raise AssertionError("an unknown client got a token")
except urllib.error.HTTPError as error:
    assert error.code == 400 and json.load(error)["error"] == "unauthorized_client"
request = urllib.request.Request(f"http://{HOST}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/", headers={"Metadata": "true"})
msi_token = json.load(urllib.request.urlopen(request))["access_token"]
status, _, body = raw("GET", f"{SUB}?api-version=2022-12-01", authorize=False, headers={"Authorization": f"Bearer {msi_token}"})
assert status == 200 and body["subscriptionId"] == SUBSCRIPTION and body["tenantId"] == TENANT, body

# Workload identity federation: a client assertion (as an Azure DevOps service connection hands a
# pipeline) gets a token; one for another audience does not.
def assertion(audience):
    encode = lambda doc: base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()
    claims = {"iss": "https://vstoken.dev.azure.com/org", "sub": "sc://org/project/connection", "aud": audience, "exp": int(time.time()) + 600}
    return f"{encode({'alg': 'RS256', 'typ': 'JWT'})}.{encode(claims)}.c2lnbmF0dXJl"

def federated(audience):
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "scope": "https://management.azure.com/.default",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": assertion(audience),
    }).encode()
    try:
        return 200, json.load(urllib.request.urlopen(f"{LOGIN}/{TENANT}/oauth2/v2.0/token", form))
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)

status, answer = federated("api://AzureADTokenExchange")
assert status == 200, answer
status, _, _ = raw("GET", f"{SUB}?api-version=2022-12-01", authorize=False, headers={"Authorization": f"Bearer {answer['access_token']}"})
assert status == 200
status, answer = federated("api://somewhere-else")
assert status == 401 and answer["error"] == "invalid_client", answer

# The api-version is required and checked.
status, _, body = raw("GET", f"{SUB}/resourcegroups")
assert status == 400 and body["error"]["code"] == "MissingApiVersionParameter", body
status, _, body = raw("GET", f"{SUB}/resourcegroups?api-version=1999-01-01")
assert status == 400 and body["error"]["code"] == "NoRegisteredProviderFound", body

# Paths match case-insensitively; ids come back canonical.
status, _, group = raw("PUT", f"{SUB}/RESOURCEGROUPS/rg-raw?api-version=2021-04-01", {"location": "westeurope"})
assert status == 201 and group["id"] == f"{SUB}/resourceGroups/rg-raw", group
status, _, _ = raw("PUT", f"{SUB}/resourcegroups/rg-raw?api-version=2021-04-01", {"location": "westeurope"})
assert status == 200, "a second PUT updates"

# A write that takes time: 201, then the operation to poll, then Succeeded.
vnet_path = f"{SUB}/resourceGroups/rg-raw/providers/Microsoft.Network/virtualNetworks/vnet"
status, headers, vnet = raw("PUT", f"{vnet_path}?{NET}", {"location": "westeurope", "properties": {
    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}})
assert status == 201 and vnet["properties"]["provisioningState"] == "Updating", vnet
assert "azure-asyncoperation" in headers and "location" in headers and int(headers["retry-after"]) >= 1, headers
status, _, operation = raw("GET", headers["azure-asyncoperation"])
assert status == 200 and operation["status"] in ("InProgress", "Succeeded"), operation
time.sleep(max(int(headers["retry-after-ms"]) / 1000, 0.05))
status, _, operation = raw("GET", headers["azure-asyncoperation"])
assert operation["status"] == "Succeeded", operation
status, _, vnet = raw("GET", f"{vnet_path.lower()}?{NET}")
assert vnet["properties"]["provisioningState"] == "Succeeded"

# A missing parent, a missing resource group, a missing resource.
status, _, body = raw("PUT", f"{vnet_path}-missing/subnets/a?{NET}", {"properties": {"addressPrefix": "10.0.1.0/24"}})
assert status == 404 and body["error"]["code"] == "ParentResourceNotFound", body
status, _, body = raw("GET", f"{SUB}/resourceGroups/rg-nope/providers/Microsoft.Network/virtualNetworks/vnet?{NET}")
assert status == 404 and body["error"]["code"] == "ResourceGroupNotFound", body
status, _, body = raw("GET", f"{vnet_path}-nope?{NET}")
assert status == 404 and body["error"]["code"] == "ResourceNotFound", body

# A subnet in use by a network interface cannot be deleted.
nic_path = f"{SUB}/resourceGroups/rg-raw/providers/Microsoft.Network/networkInterfaces/nic"
status, headers, nic = raw("PUT", f"{nic_path}?{NET}", {"location": "westeurope", "properties": {"ipConfigurations": [
    {"name": "ip", "properties": {"subnet": {"id": f"{vnet_path}/subnets/a"}}}]}})
assert status == 201 and nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.0.1.4", nic
status, _, body = raw("DELETE", f"{vnet_path}/subnets/a?{NET}")
assert status == 400 and body["error"]["code"] == "InUseSubnetCannotBeDeleted", body
assert "nic" in body["error"]["message"]

# Deleting: 202 with Location; polling it gives 202 until done, then 204; then 404.
status, headers, _ = raw("DELETE", f"{nic_path}?{NET}")
assert status == 202 and "location" in headers, headers
while True:
    status, headers, _ = raw("GET", headers.get("location") or location)
    location = headers.get("location", locals().get("location"))
    if status != 202:
        break
    time.sleep(int(headers["retry-after-ms"]) / 1000)
assert status == 204, status
status, _, _ = raw("GET", f"{nic_path}?{NET}")
assert status == 404
status, _, _ = raw("DELETE", f"{nic_path}?{NET}")
assert status == 204, "deleting what is gone is not an error"

# Global names: taken across resource groups.
storage_body = {"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}
status, headers, _ = raw("PUT", f"{SUB}/resourceGroups/rg-raw/providers/Microsoft.Storage/storageAccounts/terranerawsa?api-version=2023-05-01", storage_body)
assert status == 202 and "location" in headers and "azure-asyncoperation" not in headers, (status, headers)
raw("PUT", f"{SUB}/resourcegroups/rg-raw-2?api-version=2021-04-01", {"location": "westeurope"})
status, _, body = raw("PUT", f"{SUB}/resourceGroups/rg-raw-2/providers/Microsoft.Storage/storageAccounts/terranerawsa?api-version=2023-05-01", storage_body)
assert status == 409 and body["error"]["code"] == "StorageAccountAlreadyTaken", body

# Required properties and enums as the specs define them.
status, _, body = raw("PUT", f"{SUB}/resourceGroups/rg-raw/providers/Microsoft.Cache/redis/terraneraw?api-version=2024-11-01", {"location": "westeurope", "properties": {}})
assert status == 400 and "sku" in body["error"]["message"], body
status, _, body = raw("PUT", f"{SUB}/resourceGroups/rg-raw/providers/Microsoft.Network/virtualNetworks/v2?{NET}", {"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})
assert status == 400 and body["error"]["code"] == "LocationRequired", body

# Request limits are announced on every answer.
status, headers, _ = raw("GET", f"{SUB}/resourcegroups?api-version=2021-04-01")
assert int(headers["x-ms-ratelimit-remaining-subscription-reads"]) > 0, headers
print("ok raw")
