//! Providers as terrane knows them: their addresses (Terraform's `hostname/namespace/type`
//! form), and which of them terrane has built in. The provider protocol and the native
//! providers themselves come with the plan/apply work; until then no provider is available
//! and configurations that manage resources are refused with one clear message.

/// The fully qualified address of a provider, from the `source` given in
/// `required_providers` or, when there is none, from its local name (as Terraform does:
/// `registry.terraform.io/hashicorp/<name>`).
pub fn provider_address(local_name: &str, source: Option<&str>) -> String {
    match source {
        Some(src) => {
            let parts: Vec<&str> = src.split('/').collect();
            match parts.len() {
                1 => format!(
                    "registry.terraform.io/hashicorp/{}",
                    parts[0].to_lowercase()
                ),
                2 => format!(
                    "registry.terraform.io/{}/{}",
                    parts[0].to_lowercase(),
                    parts[1].to_lowercase()
                ),
                _ => src.to_lowercase(),
            }
        }
        None => format!("registry.terraform.io/hashicorp/{local_name}"),
    }
}

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
