resource "azurerm_redis_cache" "main" {
  name                          = "${local.name}-redis"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  capacity                      = local.is_prod ? 1 : 0
  family                        = "C"
  sku_name                      = local.is_prod ? "Standard" : "Basic"
  minimum_tls_version           = "1.2"
  public_network_access_enabled = !local.is_prod
  tags                          = local.tags

  redis_configuration {
    maxmemory_policy = "allkeys-lru"
  }
}

# prod: Redis is reached through a private endpoint, resolved by a private DNS zone.
resource "azurerm_private_dns_zone" "redis" {
  count               = local.is_prod ? 1 : 0
  name                = "privatelink.redis.cache.windows.net"
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "redis" {
  count                 = local.is_prod ? 1 : 0
  name                  = "redis-vnet"
  private_dns_zone_name = azurerm_private_dns_zone.redis[0].name
  virtual_network_id    = azurerm_virtual_network.main.id
  resource_group_name   = azurerm_resource_group.main.name
}

resource "azurerm_private_endpoint" "redis" {
  count               = local.is_prod ? 1 : 0
  name                = "${local.name}-redis-pe"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "redis"
    private_connection_resource_id = azurerm_redis_cache.main.id
    is_manual_connection           = false
    subresource_names              = ["redisCache"]
  }

  private_dns_zone_group {
    name                 = "redis"
    private_dns_zone_ids = [azurerm_private_dns_zone.redis[0].id]
  }
}
