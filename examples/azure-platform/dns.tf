resource "azurerm_dns_zone" "public" {
  name                = local.is_prod ? var.dns_zone : "${local.env}.${var.dns_zone}"
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_dns_a_record" "vpn" {
  name                = "vpn"
  zone_name           = azurerm_dns_zone.public.name
  resource_group_name = azurerm_resource_group.main.name
  ttl                 = 300
  target_resource_id  = azurerm_public_ip.vpn.id
}

resource "azurerm_dns_cname_record" "registry" {
  name                = "registry"
  zone_name           = azurerm_dns_zone.public.name
  resource_group_name = azurerm_resource_group.main.name
  ttl                 = 300
  record              = azurerm_container_registry.main.login_server
}

resource "azurerm_dns_txt_record" "verification" {
  name                = "@"
  zone_name           = azurerm_dns_zone.public.name
  resource_group_name = azurerm_resource_group.main.name
  ttl                 = 3600

  record {
    value = "v=spf1 -all"
  }
  record {
    value = "terrane-verification=${local.env}"
  }
}
