//! The providers terrane has built in, by address: the set a run plans and applies with.

use terrane_engine::plan::ProviderSet;

pub use terrane_engine::provider::provider_address;

/// Every built-in provider, each a fresh instance.
pub fn built_in() -> ProviderSet {
    let mut set = ProviderSet::default();
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!built_in().contains("registry.terraform.io/hashicorp/azurerm"));
    }
}
