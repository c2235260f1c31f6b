# An Azure platform in the shape of git-ops-starter's tf-infra and tf-k8s: one workspace per
# environment (dev, prod). Run it on the embedded simulator with ARM_ENVIRONMENT=simulator.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
  required_version = ">= 1.5.0"
}

provider "azurerm" {
  features {}
}

data "azurerm_client_config" "current" {}

locals {
  env     = terraform.workspace == "default" ? "dev" : terraform.workspace
  is_prod = local.env == "prod"
  name    = "${local.env}-${var.prefix}"
  tags = merge(var.extra_tags, {
    Env       = local.env
    ManagedBy = "terrane"
  })
}

resource "azurerm_resource_group" "main" {
  name     = "${local.name}-rg"
  location = var.location
  tags     = local.tags
}
