output "resource_group" {
  value = azurerm_resource_group.main.name
}

output "aks_fqdn" {
  value = azurerm_kubernetes_cluster.main.fqdn
}

output "kube_config" {
  value     = azurerm_kubernetes_cluster.main.kube_config_raw
  sensitive = true
}

output "postgres_fqdn" {
  value = azurerm_postgresql_flexible_server.main.fqdn
}

output "redis_hostname" {
  value = azurerm_redis_cache.main.hostname
}

output "registry" {
  value = azurerm_container_registry.main.login_server
}

output "name_servers" {
  value = azurerm_dns_zone.public.name_servers
}

output "key_vault_uri" {
  value = azurerm_key_vault.main.vault_uri
}
