# Splits one environment's address space into the subnets the platform needs: AKS nodes,
# PostgreSQL (delegated), Redis private endpoints, the VPN gateway, and private DNS resolver
# endpoints. Sizes are prefix extensions of the environment's block.

variable "environment" {
  type        = string
  description = "Environment name (dev, prod, ...)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "The environment name must be 2-16 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "address_space" {
  type        = string
  description = "The environment's address block, e.g. 10.1.0.0/16."

  validation {
    condition     = can(cidrnetmask(var.address_space))
    error_message = "The address space must be an IPv4 CIDR block."
  }
}

variable "subnets" {
  description = "Subnets to carve out, by name, with the number of extra prefix bits each needs."
  type = map(object({
    newbits    = number
    delegation = optional(string)
    endpoints  = optional(list(string), [])
  }))
}

variable "prefix" {
  type    = string
  default = "abc"
}

locals {
  names   = sort(keys(var.subnets))
  cidrs   = cidrsubnets(var.address_space, [for n in local.names : var.subnets[n].newbits]...)
  by_name = zipmap(local.names, local.cidrs)

  subnets = {
    for name, cidr in local.by_name : name => {
      name          = format("%s-%s-%s-snet", var.environment, var.prefix, name)
      cidr          = cidr
      gateway       = cidrhost(cidr, 1)
      usable_hosts  = pow(2, 32 - tonumber(split("/", cidr)[1])) - 5
      delegation    = var.subnets[name].delegation
      endpoints     = var.subnets[name].endpoints
    }
  }
}

output "subnets" {
  description = "Every subnet with its name, CIDR, gateway and usable host count."
  value       = local.subnets
}

output "delegated" {
  description = "Subnets delegated to a service, by service."
  value = {
    for name, s in local.subnets : s.delegation => s.cidr... if s.delegation != null
  }
}
