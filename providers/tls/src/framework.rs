//! The parts of HashiCorp's plugin framework behaviour the upstream provider relies on:
//! planning (defaults, computed attributes becoming unknown, `UseStateForUnknown`,
//! `RequiresReplace` and the provider's "replace if the stored value is a PEM" modifier),
//! the attribute validators it uses with their exact messages, and state upgrades' decoding
//! of stored JSON.

use crate::gocompat::go_quote;
use crate::values::{attr, is_null, is_unknown, with_attr};
use regex::Regex;
use std::sync::OnceLock;
use terrane_engine::diag::{Diagnostic, Diagnostics};
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
    let mut state = request.proposed_new_state.clone();
    if state.is_null() {
        return Plan {
            state,
            requires_replace: Vec::new(),
        };
    }
    for rule in rules {
        if let Some(default) = &rule.default {
            if is_null(config, rule.name) {
                state = with_attr(&state, rule.name, default.clone());
            }
        }
    }
    if prior.is_null() || state != *prior {
        for (name, attribute) in &block.attributes {
            if attribute.computed && is_null(&state, name) && is_null(config, name) {
                state = with_attr(&state, name, Value::Unknown(attribute.ty.clone()));
            }
        }
    }
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        for rule in rules {
            let prior_value = attr(prior, rule.name).cloned();
            if rule.use_state_for_unknown
                && is_unknown(&state, rule.name)
                && !is_unknown(config, rule.name)
            {
                if let Some(value) = prior_value.clone() {
                    state = with_attr(&state, rule.name, value);
                }
            }
            let changed = attr(&state, rule.name).cloned() != prior_value;
            let replace = match rule.replacement {
                Replacement::Never => false,
                Replacement::Always => changed,
                Replacement::IfPriorIsPem => {
                    changed
                        && prior_value
                            .as_ref()
                            .and_then(Value::as_str)
                            .is_some_and(is_pem)
                }
            };
            if replace {
                requires_replace.push(vec![rule.name.to_string()]);
            }
        }
        for name in replace_blocks {
            if attr(&state, name) != attr(prior, name) {
                requires_replace.push(vec![name.to_string()]);
            }
        }
    }
    Plan {
        state,
        requires_replace,
    }
}

/// Go's `%s` of a list of framework strings: `["a" "b"]`.
fn quoted_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    format!("[{}]", quoted.join(" "))
}

/// `stringvalidator.OneOf` on a known string at `path`.
pub(crate) fn one_of(path: &str, value: Option<&Value>, allowed: &[&str], diags: &mut Diagnostics) {
    let Some(text) = value.and_then(Value::as_str) else {
        return;
    };
    if !allowed.contains(&text) {
        diags.push(Diagnostic::error(
            "Invalid Attribute Value Match",
            format!(
                "Attribute {path} value must be one of: {}, got: {}",
                quoted_list(allowed),
                go_quote(text)
            ),
        ));
    }
}

/// `int64validator.AtLeast` on a known number at `path`.
pub(crate) fn at_least(path: &str, value: Option<&Value>, minimum: i64, diags: &mut Diagnostics) {
    let Some(number) = value.and_then(Value::as_number).and_then(|n| n.to_i64()) else {
        return;
    };
    if number < minimum {
        diags.push(Diagnostic::error(
            "Invalid Attribute Value",
            format!("Attribute {path} value must be at least {minimum}, got: {number}"),
        ));
    }
}

/// Applies `check` to each known element of a list attribute, with its indexed path.
pub(crate) fn each_element(object: &Value, name: &str, mut check: impl FnMut(&str, &Value)) {
    if let Some(items) = attr(object, name).and_then(Value::as_seq) {
        for (index, item) in items.iter().enumerate() {
            check(&format!("{name}[{index}]"), item);
        }
    }
}

/// `stringvalidator.LengthAtLeast` on a known string at `path`.
pub(crate) fn length_at_least(path: &str, value: &Value, minimum: usize, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else {
        return;
    };
    let length = text.chars().count();
    if length < minimum {
        diags.push(Diagnostic::error(
            "Invalid Attribute Value Length",
            format!("Attribute {path} string length must be at least {minimum}, got: {length}"),
        ));
    }
}

/// `listvalidator.SizeBetween` on a known list attribute.
pub(crate) fn size_between(
    object: &Value,
    name: &str,
    min: usize,
    max: usize,
    diags: &mut Diagnostics,
) {
    let Some(items) = attr(object, name)
        .filter(|v| v.is_known())
        .and_then(Value::as_seq)
    else {
        return;
    };
    if items.len() < min || items.len() > max {
        diags.push(Diagnostic::error(
            "Invalid Attribute Value",
            format!(
                "Attribute {name} list must contain at least {min} elements and at most {max} elements, got: {}",
                items.len()
            ),
        ));
    }
}

/// `stringvalidator.ExactlyOneOf` placed on each of `names` (each reports its own error).
pub(crate) fn exactly_one_of(object: &Value, names: &[&str], diags: &mut Diagnostics) {
    if names.iter().any(|n| is_unknown(object, n)) {
        return;
    }
    let count = names.iter().filter(|n| !is_null(object, n)).count();
    let expressions = format!("[{}]", names.join(","));
    let detail = match count {
        1 => return,
        0 => format!("No attribute specified when one (and only one) of {expressions} is required"),
        n => {
            format!("{n} attributes specified when one (and only one) of {expressions} is required")
        }
    };
    for _ in names {
        diags.push(Diagnostic::error(
            "Invalid Attribute Combination",
            detail.clone(),
        ));
    }
}

/// `ConflictsWith` on `name` against `others`.
pub(crate) fn conflicts_with(object: &Value, name: &str, others: &[&str], diags: &mut Diagnostics) {
    if is_null(object, name) || is_unknown(object, name) {
        return;
    }
    for other in others {
        if !is_null(object, other) && !is_unknown(object, other) {
            diags.push(Diagnostic::error(
                "Invalid Attribute Combination",
                format!(
                    "Attribute {} cannot be specified when {} is specified",
                    go_quote(other),
                    go_quote(name)
                ),
            ));
        }
    }
}

/// The framework's error for a resource without import support.
pub(crate) fn import_not_implemented() -> Diagnostics {
    Diagnostic::error(
        "Resource Import Not Implemented",
        "This resource does not support import. Please contact the provider developer for additional information.",
    )
    .into()
}

/// Decodes stored JSON with the current schema, ignoring attributes the schema lacks (the
/// framework's pass-through upgrade when the stored version is current).
pub(crate) fn decode_current_state(
    block: &Block,
    raw: &serde_json::Value,
) -> Result<Value, Diagnostics> {
    terrane_engine::json::value_from_json(raw, &block.value_type()).map_err(|e| {
        Diagnostic::error(
            "Unable to Read Previously Saved State for UpgradeResourceState",
            format!(
                "There was an error reading the saved resource state using the current resource schema.\n\n\
                 If this resource state was last refreshed with Terraform CLI 0.11 and earlier, it must be refreshed or applied with an older provider version first. \
                 If you manually modified the resource state, you will need to manually modify it to match the current resource schema. \
                 Otherwise, please report this to the provider developer:\n\n{e}"
            ),
        )
        .into()
    })
}

/// The framework's error for a stored version the resource has no upgrader for.
pub(crate) fn no_upgrader(version: u64, has_upgraders: bool) -> Diagnostics {
    let with = if has_upgraders { "with" } else { "without" };
    Diagnostic::error(
        "Unable to Upgrade Resource State",
        format!(
            "This resource was implemented {with} an UpgradeState() method, however Terraform was expecting an implementation for version {version} upgrade.\n\n\
             This is always an issue with the Terraform Provider and should be reported to the provider developer."
        ),
    )
    .into()
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

    #[test]
    fn one_of_message_matches_framework() {
        let mut diags = Diagnostics::new();
        one_of(
            "algorithm",
            Some(&Value::string("FOO")),
            &["RSA", "ECDSA"],
            &mut diags,
        );
        assert_eq!(
            diags.0[0].detail,
            "Attribute algorithm value must be one of: [\"RSA\" \"ECDSA\"], got: \"FOO\""
        );
    }
}
