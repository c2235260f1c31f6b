//! The upstream provider's plan rules for its resources' attributes: defaults,
//! `UseStateForUnknown`, `RequiresReplace` and the provider's own "replace only if the
//! stored value is a PEM" modifier (older versions stored hashes), applied after the plugin
//! framework's planning in the engine's `provider::framework`.

use regex::Regex;
use std::sync::OnceLock;
use terrane_engine::provider::framework;
use terrane_engine::provider::{AttributePath, Block, PlanRequest};
use terrane_engine::value::Value;

/// When a change of an attribute replaces the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replacement {
    Never,
    Always,
    /// Only when the stored value is a PEM block (older provider versions stored hashes).
    IfPriorIsPem,
}

/// The plan behaviour of one attribute.
pub(crate) struct AttributeRules {
    pub name: &'static str,
    pub default: Option<Value>,
    pub use_state_for_unknown: bool,
    pub replacement: Replacement,
}

impl AttributeRules {
    pub(crate) fn new(name: &'static str) -> AttributeRules {
        AttributeRules {
            name,
            default: None,
            use_state_for_unknown: false,
            replacement: Replacement::Never,
        }
    }
    pub(crate) fn default(mut self, value: impl Into<Value>) -> AttributeRules {
        self.default = Some(value.into());
        self
    }
    pub(crate) fn keep_state(mut self) -> AttributeRules {
        self.use_state_for_unknown = true;
        self
    }
    pub(crate) fn replace(mut self) -> AttributeRules {
        self.replacement = Replacement::Always;
        self
    }
    pub(crate) fn replace_if_pem(mut self) -> AttributeRules {
        self.replacement = Replacement::IfPriorIsPem;
        self
    }
}

/// The provider's test for a PEM string in the prior state.
fn is_pem(text: &str) -> bool {
    static PEM: OnceLock<Option<Regex>> = OnceLock::new();
    PEM.get_or_init(|| {
        Regex::new(r"^-----BEGIN [[:alpha:] ]+-----\n(.|\s)+\n-----END [[:alpha:] ]+-----\n?$").ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(text))
}

/// A plan under construction.
pub(crate) struct Plan {
    pub state: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Plans a change as the framework does before any resource-specific `ModifyPlan`:
/// defaults where the configuration is null, computed attributes the configuration leaves
/// null become unknown when anything changes, then the attribute plan modifiers.
/// `replace_blocks` are nested blocks whose change replaces the object.
pub(crate) fn plan(
    block: &Block,
    rules: &[AttributeRules],
    replace_blocks: &[&str],
    request: &PlanRequest,
) -> Plan {
    let prior = &request.prior_state;
    let config = &request.config;
    let proposed = &request.proposed_new_state;
    if proposed.is_null() {
        return Plan {
            state: proposed.clone(),
            requires_replace: Vec::new(),
        };
    }
    let defaults: Vec<(&str, Value)> = rules
        .iter()
        .filter_map(|r| r.default.clone().map(|d| (r.name, d)))
        .collect();
    let mut planned = framework::plan_attributes(block, prior, proposed, config, &defaults, &[]);
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        let keep: Vec<&str> = rules
            .iter()
            .filter(|r| r.use_state_for_unknown)
            .map(|r| r.name)
            .collect();
        framework::use_state_for_unknown(&mut planned, prior, config, &keep);
        let changed =
            |name: &str| framework::changed(&framework::get(prior, name), planned.get(name));
        for rule in rules {
            let replace = match rule.replacement {
                Replacement::Never => false,
                Replacement::Always => changed(rule.name),
                Replacement::IfPriorIsPem => {
                    changed(rule.name)
                        && framework::get_str(prior, rule.name).is_some_and(|text| is_pem(&text))
                }
            };
            if replace {
                requires_replace.push(vec![rule.name.to_string()]);
            }
        }
        for name in replace_blocks {
            if changed(name) {
                requires_replace.push(vec![name.to_string()]);
            }
        }
    }
    Plan {
        state: Value::object(planned),
        requires_replace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_test_matches_upstream_regex() {
        assert!(is_pem(
            "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n"
        ));
        assert!(is_pem("-----BEGIN X-----\nabc\ndef\n-----END X-----"));
        assert!(!is_pem("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_pem("-----BEGIN X-----\n-----END X-----\n"));
    }
}
