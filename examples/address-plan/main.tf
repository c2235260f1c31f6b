# The address plan of the abc platform's environments: the same subnet layout in each
# environment's /16, checked and computed without any cloud access.
#
#   terrane -chdir=examples/address-plan apply -auto-approve
#   terrane -chdir=examples/address-plan output -json

variable "environments" {
  description = "Address block of each environment."
  type        = map(string)
  default = {
    dev  = "10.10.0.0/16"
    prod = "10.20.0.0/16"
  }
}

locals {
  layout = {
    aks      = { newbits = 4 }
    postgres = { newbits = 8, delegation = "Microsoft.DBforPostgreSQL/flexibleServers" }
    redis    = { newbits = 8, endpoints = ["redisCache"] }
    gateway  = { newbits = 11 }
    resolver = { newbits = 12, delegation = "Microsoft.Network/dnsResolvers" }
  }
}

module "network" {
  source   = "../../modules/address-plan"
  for_each = var.environments

  environment   = each.key
  address_space = each.value
  subnets       = local.layout
}

output "subnets" {
  description = "Subnets of every environment."
  value       = { for env, m in module.network : env => m.subnets }
}

output "postgres_subnets" {
  description = "The delegated PostgreSQL subnet of each environment."
  value       = { for env, m in module.network : env => one(m.delegated["Microsoft.DBforPostgreSQL/flexibleServers"]) }
}

output "summary" {
  value = join("\n", [for env, m in module.network : format("%-5s %d subnets, %d usable addresses", env, length(m.subnets), sum([for s in values(m.subnets) : s.usable_hosts]))])
}
