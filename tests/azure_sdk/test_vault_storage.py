"""Key vault and storage through azure-mgmt-keyvault and -storage: a vault with access policies
(add, remove), its secrets on the data plane (under the vault URI the simulator reports),
soft delete and purge; a storage account created through ARM's 202-and-Location operation,
its keys, name availability and global uniqueness."""

import base64
import json

from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

from common import LOCATION, TENANT, client, expect_error, raw, token

resources = client(ResourceManagementClient)
vaults = client(KeyVaultManagementClient)
storage = client(StorageManagementClient)

RG = "rg-secrets"
resources.resource_groups.create_or_update(RG, {"location": LOCATION})
resources.resource_groups.create_or_update("rg-secrets-2", {"location": LOCATION})

# Who the client is, from its token (what azurerm_client_config reads).
claims = json.loads(base64.urlsafe_b64decode(token().split(".")[1] + "=="))
me = claims["oid"]
assert claims["tid"] == TENANT

vault = vaults.vaults.begin_create_or_update(RG, "terrane-kv-prod", {
    "location": LOCATION,
    "properties": {
        "tenantId": TENANT, "sku": {"family": "A", "name": "standard"},
        "accessPolicies": [{"tenantId": TENANT, "objectId": me, "permissions": {"secrets": ["Get", "List", "Set"]}}],
    },
}).result()
assert vault.properties.provisioning_state == "Succeeded"
assert vault.properties.enable_soft_delete is True and vault.properties.soft_delete_retention_in_days == 90
uri = vault.properties.vault_uri
assert uri.endswith("/keyvault/terrane-kv-prod/"), uri
expect_error(409, "VaultAlreadyExists", lambda: vaults.vaults.begin_create_or_update("rg-secrets-2", "terrane-kv-prod", {
    "location": LOCATION, "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"}}}).result())
expect_error(400, "BadRequest", lambda: vaults.vaults.begin_create_or_update(RG, "terrane-kv-bad", {
    "location": LOCATION, "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "gold"}}}).result())

# Access policies: add Delete, remove List.
vaults.vaults.update_access_policy(RG, "terrane-kv-prod", "add", {"properties": {"accessPolicies": [
    {"tenantId": TENANT, "objectId": me, "permissions": {"secrets": ["Delete", "Purge"]}}]}})
vaults.vaults.update_access_policy(RG, "terrane-kv-prod", "remove", {"properties": {"accessPolicies": [
    {"tenantId": TENANT, "objectId": me, "permissions": {"secrets": ["Purge"]}}]}})
policy = vaults.vaults.get(RG, "terrane-kv-prod").properties.access_policies[0]
assert sorted(policy.permissions.secrets) == ["delete", "get", "list", "set"], policy.permissions.secrets

# Secrets on the data plane.
VAULT = "https://vault.azure.net/.default"
status, headers, _ = raw("GET", f"{uri}secrets?api-version=7.4", authorize=False)
assert status == 401 and 'resource="https://vault.azure.net"' in headers["www-authenticate"], headers
status, _, _ = raw("GET", f"{uri}secrets?api-version=7.4")
assert status == 401, "a token for ARM is not one for key vault"
status, _, secret = raw("PUT", f"{uri}secrets/db-password?api-version=7.4", {"value": "s3cret", "contentType": "text/plain"}, scope=VAULT)
assert status == 200 and secret["value"] == "s3cret" and secret["id"].startswith(f"{uri}secrets/db-password/"), secret
status, _, second = raw("PUT", f"{uri}secrets/db-password?api-version=7.4", {"value": "s3cret-2"}, scope=VAULT)
status, _, read = raw("GET", f"{uri}secrets/db-password?api-version=7.4", scope=VAULT)
assert read["value"] == "s3cret-2" and read["id"] == second["id"]
status, _, old = raw("GET", f"{secret['id']}?api-version=7.4", scope=VAULT)
assert old["value"] == "s3cret"
status, _, listed = raw("GET", f"{uri}secrets?api-version=7.4", scope=VAULT)
assert [s["id"] for s in listed["value"]] == [f"{uri}secrets/db-password"], listed
status, _, deleted = raw("DELETE", f"{uri}secrets/db-password?api-version=7.4", scope=VAULT)
assert status == 200 and deleted["recoveryId"] == f"{uri}deletedsecrets/db-password"
status, _, _ = raw("GET", f"{uri}secrets/db-password?api-version=7.4", scope=VAULT)
assert status == 404
status, _, _ = raw("PUT", f"{uri}secrets/db-password?api-version=7.4", {"value": "again"}, scope=VAULT)
assert status == 409, "a deleted secret's name is reserved until purged"
status, _, error = raw("DELETE", f"{uri}deletedsecrets/db-password?api-version=7.4", scope=VAULT)
assert status == 403, "purge was removed from the policy"

# Soft delete and purge of the vault.
vaults.vaults.delete(RG, "terrane-kv-prod")
deleted_vault = vaults.vaults.get_deleted("terrane-kv-prod", LOCATION)
assert deleted_vault.properties.vault_id == vault.id
expect_error(409, "ConflictError", lambda: vaults.vaults.begin_create_or_update(RG, "terrane-kv-prod", {
    "location": LOCATION, "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"}}}).result())
vaults.vaults.begin_purge_deleted("terrane-kv-prod", LOCATION).result()
vaults.vaults.begin_create_or_update(RG, "terrane-kv-prod", {
    "location": LOCATION, "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "premium"}}}).result()
assert vaults.vaults.get(RG, "terrane-kv-prod").properties.sku.name == "premium"

# Storage.
availability = storage.storage_accounts.check_name_availability({"name": "terranesa01", "type": "Microsoft.Storage/storageAccounts"})
assert availability.name_available is True
account = storage.storage_accounts.begin_create(RG, "terranesa01", {
    "location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_GRS"}, "properties": {"minimumTlsVersion": "TLS1_2"},
}).result()
assert account.provisioning_state == "Succeeded"
assert account.primary_endpoints.blob == "https://terranesa01.blob.core.windows.net/"
assert account.secondary_location == "northeurope" and account.access_tier == "Hot"
keys = storage.storage_accounts.list_keys(RG, "terranesa01").as_dict()["keys"]
assert [k["keyName"] for k in keys] == ["key1", "key2"] and keys[0]["value"] != keys[1]["value"], keys
availability = storage.storage_accounts.check_name_availability({"name": "terranesa01", "type": "Microsoft.Storage/storageAccounts"})
assert availability.name_available is False and availability.reason == "AlreadyExists"
expect_error(409, "StorageAccountAlreadyTaken", lambda: storage.storage_accounts.begin_create("rg-secrets-2", "terranesa01", {
    "location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}).result())
expect_error(400, "AccountNameInvalid", lambda: storage.storage_accounts.begin_create(RG, "Not_Valid", {
    "location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}).result())
storage.storage_accounts.update(RG, "terranesa01", {"tags": {"env": "prod"}})
assert storage.storage_accounts.get_properties(RG, "terranesa01").tags == {"env": "prod"}
storage.storage_accounts.delete(RG, "terranesa01")

resources.resource_groups.begin_delete(RG).result()
resources.resource_groups.begin_delete("rg-secrets-2").result()
# The vault went with its group, into the soft-deleted state.
assert vaults.vaults.get_deleted("terrane-kv-prod", LOCATION).name == "terrane-kv-prod"
print("ok vault and storage")
