resource "azurerm_key_vault" "main" {
  name                       = "${local.name}-kv"
  location                   = azurerm_resource_group.main.location
  resource_group_name        = azurerm_resource_group.main.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  soft_delete_retention_days = 7
  purge_protection_enabled   = local.is_prod
  tags                       = local.tags
}

# The identity running terrane manages the secrets.
resource "azurerm_key_vault_access_policy" "deployer" {
  key_vault_id       = azurerm_key_vault.main.id
  tenant_id          = data.azurerm_client_config.current.tenant_id
  object_id          = data.azurerm_client_config.current.object_id
  secret_permissions = ["Get", "List", "Set", "Delete", "Purge", "Recover"]
}

resource "azurerm_key_vault_secret" "postgres" {
  name         = "postgres-connection-string"
  key_vault_id = azurerm_key_vault.main.id
  value        = "postgresql://psqladmin:${random_password.postgres.result}@${azurerm_postgresql_flexible_server.main.fqdn}:5432/${azurerm_postgresql_flexible_server_database.app.name}?sslmode=require"
  content_type = "text/plain"

  depends_on = [azurerm_key_vault_access_policy.deployer]
}

resource "azurerm_key_vault_secret" "redis" {
  name         = "redis-connection-string"
  key_vault_id = azurerm_key_vault.main.id
  value        = azurerm_redis_cache.main.primary_connection_string
  content_type = "text/plain"

  depends_on = [azurerm_key_vault_access_policy.deployer]
}
