variable "prefix" {
  description = "Short name of the company, part of every resource name."
  type        = string
  default     = "abc"
}

variable "extra_tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "vnet_address_space_prefix" {
  description = "The first two octets of the virtual network's /16."
  type        = string
  default     = "10.20"
}

variable "aks_node_count" {
  type    = number
  default = 2
}

variable "dns_zone" {
  type    = string
  default = "abc-platform.example"
}

variable "vpn_aad_tenant_id" {
  description = "The tenant whose users connect to the point-to-site VPN."
  type        = string
  default     = "7e77a1e0-0000-4000-8000-000000000001"
}
