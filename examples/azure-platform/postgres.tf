# prod: private access through the delegated subnet and a private DNS zone linked to the vnet.
# dev: public access with a firewall rule.

resource "azurerm_private_dns_zone" "postgres" {
  count               = local.is_prod ? 1 : 0
  name                = "${local.name}.private.postgres.database.azure.com"
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "postgres" {
  count                 = local.is_prod ? 1 : 0
  name                  = "postgres-vnet"
  private_dns_zone_name = azurerm_private_dns_zone.postgres[0].name
  virtual_network_id    = azurerm_virtual_network.main.id
  resource_group_name   = azurerm_resource_group.main.name
}

resource "random_password" "postgres" {
  length  = 24
  special = false
}

resource "azurerm_postgresql_flexible_server" "main" {
  name                          = "${local.name}-db"
  resource_group_name           = azurerm_resource_group.main.name
  location                      = azurerm_resource_group.main.location
  version                       = "16"
  sku_name                      = local.is_prod ? "GP_Standard_D2s_v3" : "B_Standard_B1ms"
  storage_mb                    = 32768
  backup_retention_days         = 7
  administrator_login           = "psqladmin"
  administrator_password        = random_password.postgres.result
  zone                          = "1"
  public_network_access_enabled = !local.is_prod
  delegated_subnet_id           = local.is_prod ? azurerm_subnet.postgres.id : null
  private_dns_zone_id           = local.is_prod ? azurerm_private_dns_zone.postgres[0].id : null
  tags                          = local.tags

  depends_on = [azurerm_private_dns_zone_virtual_network_link.postgres]
}

resource "azurerm_postgresql_flexible_server_firewall_rule" "office" {
  count            = local.is_prod ? 0 : 1
  name             = "office"
  server_id        = azurerm_postgresql_flexible_server.main.id
  start_ip_address = "203.0.113.10"
  end_ip_address   = "203.0.113.20"
}

resource "azurerm_postgresql_flexible_server_database" "app" {
  name      = "app"
  server_id = azurerm_postgresql_flexible_server.main.id
  charset   = "UTF8"
  collation = "en_US.utf8"
}

resource "azurerm_postgresql_flexible_server_configuration" "extensions" {
  name      = "azure.extensions"
  server_id = azurerm_postgresql_flexible_server.main.id
  value     = "PG_TRGM,UUID-OSSP"
}
