//! Providers as terrane knows them: their addresses (Terraform's `hostname/namespace/type`
//! form), and which of them terrane has built in. The provider protocol and the native
//! providers themselves come with the plan/apply work; until then no provider is available
//! and configurations that manage resources are refused with one clear message.

pub use terrane_engine::provider::provider_address;

/// Whether terrane has a built-in implementation of the provider at `address`.
pub fn is_built_in(address: &str) -> bool {
    BUILT_IN.contains(&address)
}

/// The providers terrane implements natively.
const BUILT_IN: &[&str] = &[];

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
        assert!(!is_built_in("registry.terraform.io/hashicorp/azurerm"));
    }
}
