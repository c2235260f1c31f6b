//! The providers terrane has built in, by address: the set a run plans and applies with.

use terrane_engine::plan::ProviderSet;

pub use terrane_engine::provider::provider_address;

/// Every built-in provider, each a fresh instance.
pub fn built_in() -> ProviderSet {
    let mut set = ProviderSet::default();
    set.add(
        terrane_provider_azurerm::ADDRESS,
        terrane_provider_azurerm::provider(),
    );
    set.add(
        terrane_provider_azurerm::AZAPI_ADDRESS,
        terrane_provider_azurerm::azapi_provider(),
    );
    set.add(
        terrane_provider_local::ADDRESS,
        terrane_provider_local::provider(),
    );
    set.add(
        terrane_provider_null::ADDRESS,
        terrane_provider_null::provider(),
    );
    set.add(
        terrane_provider_random::ADDRESS,
        terrane_provider_random::provider(),
    );
    set.add(
        terrane_provider_terraform::ADDRESS,
        terrane_provider_terraform::provider(),
    );
    set.add(
        terrane_provider_tls::ADDRESS,
        terrane_provider_tls::provider(),
    );
    set.add(
        terrane_provider_time::ADDRESS,
        terrane_provider_time::provider(),
    );
    set
}

/// The upstream release each built-in provider follows, by address, in address order. The
/// `terraform` provider is part of Terraform itself and has no release of its own.
pub fn versions() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            terrane_provider_azurerm::AZAPI_ADDRESS,
            terrane_provider_azurerm::AZAPI_VERSION,
        ),
        (
            terrane_provider_azurerm::ADDRESS,
            terrane_provider_azurerm::VERSION,
        ),
        (
            terrane_provider_local::ADDRESS,
            terrane_provider_local::VERSION,
        ),
        (
            terrane_provider_null::ADDRESS,
            terrane_provider_null::VERSION,
        ),
        (
            terrane_provider_random::ADDRESS,
            terrane_provider_random::VERSION,
        ),
        (
            terrane_provider_time::ADDRESS,
            terrane_provider_time::VERSION,
        ),
        (terrane_provider_tls::ADDRESS, terrane_provider_tls::VERSION),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_of_built_in_providers() {
        let versions = versions();
        assert!(versions.windows(2).all(|w| w[0].0 < w[1].0));
        for (address, version) in versions {
            assert!(built_in().contains(address), "{address} is not built in");
            let parts: Vec<&str> = version.split('.').collect();
            assert_eq!(parts.len(), 3, "{version}");
            assert!(parts.iter().all(|n| n.parse::<u64>().is_ok()), "{version}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(
            provider_address("azurerm", None),
            "registry.terraform.io/hashicorp/azurerm"
        );
        assert_eq!(
            provider_address("dd", Some("DataDog/datadog")),
            "registry.terraform.io/datadog/datadog"
        );
        assert_eq!(
            provider_address("x", Some("example.com/a/b")),
            "example.com/a/b"
        );
        assert!(built_in().contains("registry.terraform.io/hashicorp/azurerm"));
        assert!(built_in().contains("registry.terraform.io/azure/azapi"));
    }
}
