//! The azurerm resource types and data sources, one file per family. To add a family, add its
//! file here and its types to the lists below (see `crate::framework` for how to write one).

mod aks;
mod authorization;
mod dns;
mod keyvault;
mod network;
mod postgres;
mod private_dns;
mod private_endpoint;
mod redis;
mod registry;
mod resource_group;
mod storage;
mod subscription;
mod vpn;

use crate::framework::{DataSourceType, ResourceType};
use std::sync::Arc;

/// Every resource type the provider offers.
pub fn resource_types() -> Vec<Arc<dyn ResourceType>> {
    vec![
        Arc::new(resource_group::ResourceGroup::new()),
        Arc::new(network::VirtualNetwork::new()),
        Arc::new(network::Subnet::new()),
        Arc::new(network::VirtualNetworkPeering::new()),
        Arc::new(network::NetworkSecurityGroup::new()),
        Arc::new(network::PublicIp::new()),
        Arc::new(network::NatGateway::new()),
        Arc::new(network::NatGatewayPublicIpAssociation::new()),
        Arc::new(network::SubnetNatGatewayAssociation::new()),
        Arc::new(vpn::VirtualNetworkGateway::new()),
        Arc::new(vpn::LocalNetworkGateway::new()),
        Arc::new(vpn::VirtualNetworkGatewayConnection::new()),
        Arc::new(dns::DnsZone::new()),
        Arc::new(dns::DnsARecord::new()),
        Arc::new(dns::DnsCnameRecord::new()),
        Arc::new(dns::DnsTxtRecord::new()),
        Arc::new(private_dns::PrivateDnsZone::new()),
        Arc::new(private_dns::PrivateDnsZoneVirtualNetworkLink::new()),
        Arc::new(private_dns::PrivateDnsARecord::new()),
        Arc::new(private_dns::PrivateDnsResolver::new()),
        Arc::new(private_dns::PrivateDnsResolverInboundEndpoint::new()),
        Arc::new(private_endpoint::PrivateEndpoint::new()),
        Arc::new(postgres::FlexibleServer::new()),
        Arc::new(postgres::FlexibleServerDatabase::new()),
        Arc::new(postgres::FlexibleServerFirewallRule::new()),
        Arc::new(postgres::FlexibleServerConfiguration::new()),
        Arc::new(redis::RedisCache::new()),
        Arc::new(storage::StorageAccount::new()),
        Arc::new(keyvault::KeyVault::new()),
        Arc::new(keyvault::KeyVaultAccessPolicy::new()),
        Arc::new(keyvault::KeyVaultSecret::new()),
        Arc::new(aks::KubernetesCluster::new()),
        Arc::new(aks::KubernetesClusterNodePool::new()),
        Arc::new(registry::ContainerRegistry::new()),
        Arc::new(authorization::RoleAssignment::new()),
    ]
}

/// Every data source the provider offers.
pub fn data_source_types() -> Vec<Arc<dyn DataSourceType>> {
    vec![
        Arc::new(subscription::ClientConfig),
        Arc::new(subscription::Subscription),
        Arc::new(resource_group::ResourceGroupData),
        Arc::new(keyvault::KeyVaultSecretData),
        Arc::new(aks::KubernetesClusterData),
    ]
}
