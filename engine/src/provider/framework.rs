//! The planning rules of HashiCorp's terraform-plugin-framework, which most upstream
//! providers are built on (native providers reproduce them through this module), plus
//! small helpers to read and build resource objects: defaults
//! fill null arguments, computed attributes left null by the configuration become unknown
//! whenever the object changes, and a `RequiresReplace` attribute replaces the object when
//! its planned value differs from the prior one (Terraform core ignores replacement
//! requests for attributes that end up unchanged). Also the framework's `UseStateForUnknown`
//! modifier, its validators and errors in its own words, and its decoding of stored state.

use crate::diag::{Diagnostic, Diagnostics};
use crate::json::value_from_json;
use crate::provider::{AttributePath, Block};
use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// The attributes of an object value (empty for null or unknown objects).
pub fn attributes(object: &Value) -> BTreeMap<String, Value> {
    object
        .unmark_deep()
        .0
        .as_mapping()
        .cloned()
        .unwrap_or_default()
}

/// One attribute of an object, null when absent.
pub fn get(object: &Value, name: &str) -> Value {
    object
        .unmark()
        .0
        .as_mapping()
        .and_then(|m| m.get(name))
        .map(|v| v.unmark_deep().0)
        .unwrap_or(Value::Null(Type::Dynamic))
}

/// A known, non-null string attribute.
pub fn get_str(object: &Value, name: &str) -> Option<String> {
    get(object, name).as_str().map(str::to_string)
}

/// A known, non-null whole-number attribute; an error when it is not a 64-bit integer.
pub fn get_i64(object: &Value, name: &str) -> Result<Option<i64>, Diagnostics> {
    match get(object, name) {
        Value::Number(n) => n.to_i64().map(Some).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Value Conversion Error",
                format!("The value of {name} ({n}) is not a whole number that fits in 64 bits."),
            ))
        }),
        _ => Ok(None),
    }
}

/// Whether an attribute is unknown.
pub fn is_unknown(object: &Value, name: &str) -> bool {
    !get(object, name).is_known()
}

/// An object of `block` with every attribute null.
pub fn null_attributes(block: &Block) -> BTreeMap<String, Value> {
    block
        .attributes
        .iter()
        .map(|(name, a)| (name.clone(), Value::Null(a.ty.clone())))
        .collect()
}

/// The framework's first planning steps for a create or an update: the proposed object
/// with defaults applied where the configuration is null, then, when the result differs
/// from the prior object, every computed attribute the configuration leaves null (and that
/// has no default) unknown. `keep_prior` lists the attributes with the framework's
/// `UseStateForUnknown` modifier, which keep their prior value instead.
pub fn plan_attributes(
    block: &Block,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    defaults: &[(&str, Value)],
    keep_prior: &[&str],
) -> BTreeMap<String, Value> {
    let mut planned = attributes(proposed);
    for (name, attribute) in &block.attributes {
        planned
            .entry(name.clone())
            .or_insert_with(|| Value::Null(attribute.ty.clone()));
    }
    for (name, default) in defaults {
        if get(config, name).is_null() {
            planned.insert(name.to_string(), default.clone());
        }
    }
    let prior_attributes = attributes(prior);
    if prior.is_null() || !same_attributes(&planned, &prior_attributes) {
        for (name, attribute) in &block.attributes {
            let has_default = defaults.iter().any(|(d, _)| d == name);
            if attribute.computed && !has_default && get(config, name).is_null() {
                let kept = prior_attributes
                    .get(name)
                    .filter(|v| keep_prior.contains(&name.as_str()) && !v.is_null());
                let value = match kept {
                    Some(v) => v.clone(),
                    None => Value::Unknown(attribute.ty.clone()),
                };
                planned.insert(name.clone(), value);
            }
        }
    }
    planned
}

/// The force-new attributes whose planned value differs from the prior one (nothing for a
/// create).
pub fn replaced_attributes(
    block: &Block,
    prior: &Value,
    planned: &BTreeMap<String, Value>,
) -> Vec<AttributePath> {
    if prior.is_null() {
        return Vec::new();
    }
    block
        .attributes
        .iter()
        .filter(|(name, attribute)| {
            attribute.force_new && changed(&get(prior, name), planned.get(*name))
        })
        .map(|(name, _)| vec![name.clone()])
        .collect()
}

/// Whether a planned attribute value differs from the prior one (unknown counts as a
/// change).
pub fn changed(prior: &Value, planned: Option<&Value>) -> bool {
    !same(prior, planned.unwrap_or(&Value::Null(Type::Dynamic)))
}

/// Whether two values are the same: both null (whatever type the nulls carry), or wholly
/// known and equal.
pub fn same(a: &Value, b: &Value) -> bool {
    if a.is_null() && b.is_null() {
        return true;
    }
    a.is_wholly_known() && b.is_wholly_known() && a.equals(b) == Some(true)
}

/// Whether two objects' attributes are all the same (absent attributes count as null).
pub fn same_attributes(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> bool {
    let null = Value::Null(Type::Dynamic);
    a.keys()
        .chain(b.keys())
        .all(|k| same(a.get(k).unwrap_or(&null), b.get(k).unwrap_or(&null)))
}

/// Decodes a stored object of the current schema version from its state JSON, as the
/// framework does: absent attributes and blocks are null, and those the schema no longer
/// has are dropped. A stored object that does not fit the schema is the framework's error.
pub fn decode_state(block: &Block, raw: &serde_json::Value) -> Result<Value, Diagnostics> {
    value_from_json(raw, &block.value_type()).map_err(|why| {
        Diagnostics::from(Diagnostic::error(
            "Unable to Read Previously Saved State for UpgradeResourceState",
            format!(
                "There was an error reading the saved resource state using the current resource schema.\n\n\
                 If this resource state was last refreshed with Terraform CLI 0.11 and earlier, it must be refreshed or applied with an older provider version first. \
                 If you manually modified the resource state, you will need to manually modify it to match the current resource schema. \
                 Otherwise, please report this to the provider developer:\n\n{why}"
            ),
        ))
    })
}

/// Whether every attribute of `names` is null (an unknown one may still be set, so it
/// counts as set): the condition of the framework's `AtLeastOneOf` validators.
pub fn all_null(config: &Value, names: &[&str]) -> bool {
    names
        .iter()
        .all(|n| get(config, n).is_null() && !is_unknown(config, n))
}

/// The framework's resource-level `AtLeastOneOf` validator.
pub fn at_least_one_configured(config: &Value, names: &[&str]) -> Option<Diagnostic> {
    all_null(config, names).then(|| {
        Diagnostic::error(
            "Missing Attribute Configuration",
            format!(
                "At least one of these attributes must be configured: [{}]",
                names.join(",")
            ),
        )
    })
}

/// The framework's `UseStateForUnknown` plan modifier on each attribute of `names`: one
/// planned unknown takes its prior value, null included (as framework 1.16 and later do),
/// unless the object is being created or the configured value is itself unknown.
pub fn use_state_for_unknown(
    planned: &mut BTreeMap<String, Value>,
    prior: &Value,
    config: &Value,
    names: &[&str],
) {
    if prior.is_null() {
        return;
    }
    for name in names {
        let planned_unknown = planned.get(*name).is_some_and(|v| !v.is_known());
        if planned_unknown && !is_unknown(config, name) {
            planned.insert(name.to_string(), get(prior, name));
        }
    }
}

/// Go's `strconv.Quote` (the `%q` the framework's messages quote values with) for valid
/// UTF-8 text, printability approximated by Unicode's control and white-space classes.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0B}' => out.push_str("\\v"),
            ' ' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{7F}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || c.is_whitespace() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An error in the wording of the framework's validators:
/// `Attribute PATH value must be EXPECTATION, got: VALUE`.
pub fn invalid_value(path: &str, expectation: &str, got: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid Attribute Value",
        format!("Attribute {path} value must be {expectation}, got: {got}"),
    )
}

/// `stringvalidator.OneOf` on a known string at `path`.
pub fn one_of(path: &str, value: Option<&Value>, allowed: &[&str], diags: &mut Diagnostics) {
    let Some(text) = value.and_then(Value::as_str) else {
        return;
    };
    if !allowed.contains(&text) {
        let quoted: Vec<String> = allowed.iter().map(|v| go_quote(v)).collect();
        diags.push(Diagnostic::error(
            "Invalid Attribute Value Match",
            format!(
                "Attribute {path} value must be one of: [{}], got: {}",
                quoted.join(" "),
                go_quote(text)
            ),
        ));
    }
}

/// `int64validator.AtLeast` on a known number at `path`.
pub fn at_least(path: &str, value: Option<&Value>, minimum: i64, diags: &mut Diagnostics) {
    let Some(number) = value.and_then(Value::as_number).and_then(|n| n.to_i64()) else {
        return;
    };
    if number < minimum {
        diags.push(invalid_value(
            path,
            &format!("at least {minimum}"),
            &number.to_string(),
        ));
    }
}

/// Applies `check` to each element of a known list or set attribute, with the element's
/// indexed path (`name[0]`).
pub fn each_element(object: &Value, name: &str, mut check: impl FnMut(&str, &Value)) {
    if let Some(items) = get(object, name).as_seq() {
        for (index, item) in items.iter().enumerate() {
            check(&format!("{name}[{index}]"), item);
        }
    }
}

/// `stringvalidator.LengthAtLeast` on a known string at `path` (length in characters).
pub fn length_at_least(path: &str, value: &Value, minimum: usize, diags: &mut Diagnostics) {
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

/// `listvalidator.SizeBetween` on a known list attribute (or block).
pub fn size_between(object: &Value, name: &str, min: usize, max: usize, diags: &mut Diagnostics) {
    let value = get(object, name);
    let Some(items) = value.as_seq().filter(|_| value.is_known()) else {
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

/// `ExactlyOneOf` placed on each attribute of `names` (each reports its own error, as the
/// framework does); nothing while any of them is unknown.
pub fn exactly_one_of(object: &Value, names: &[&str], diags: &mut Diagnostics) {
    if names.iter().any(|n| is_unknown(object, n)) {
        return;
    }
    let count = names.iter().filter(|n| !get(object, n).is_null()).count();
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

/// `ConflictsWith` on `name` against each of `others`, when both are known and set.
pub fn conflicts_with(object: &Value, name: &str, others: &[&str], diags: &mut Diagnostics) {
    let set = |n: &str| !get(object, n).is_null() && !is_unknown(object, n);
    if !set(name) {
        return;
    }
    for other in others.iter().filter(|o| set(o)) {
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

/// The framework's error for a resource type without import support.
pub fn import_not_implemented() -> Diagnostics {
    Diagnostic::error(
        "Resource Import Not Implemented",
        "This resource does not support import. Please contact the provider developer for additional information.",
    )
    .into()
}

/// The framework's error for a stored schema version the resource has no upgrader for
/// (`has_upgraders`: whether it implements state upgrades at all).
pub fn no_upgrader(version: u64, has_upgraders: bool) -> Diagnostics {
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
    use crate::provider::Attribute;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn quote_follows_go() {
        assert_eq!(go_quote("a\"b\\c\nd\u{1}é"), "\"a\\\"b\\\\c\\nd\\x01é\"");
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

    #[test]
    fn use_state_for_unknown_keeps_prior_values_and_nulls() {
        let prior = object(&[
            ("id", Value::string("a")),
            ("gone", Value::Null(Type::String)),
        ]);
        let config = object(&[("id", Value::Null(Type::String))]);
        let mut planned = BTreeMap::from([
            ("id".to_string(), Value::Unknown(Type::String)),
            ("gone".to_string(), Value::Unknown(Type::String)),
            ("other".to_string(), Value::Unknown(Type::String)),
        ]);
        use_state_for_unknown(&mut planned, &prior, &config, &["id", "gone"]);
        assert_eq!(planned["id"], Value::string("a"));
        assert!(planned["gone"].is_null());
        assert!(!planned["other"].is_known());

        let mut creating = BTreeMap::from([("id".to_string(), Value::Unknown(Type::String))]);
        use_state_for_unknown(&mut creating, &Value::Null(Type::Dynamic), &config, &["id"]);
        assert!(!creating["id"].is_known());
    }

    #[test]
    fn decode_state_reads_attributes_and_blocks() {
        let mut block = Block::default();
        block
            .attributes
            .insert("id".into(), Attribute::computed(Type::String));
        let value =
            decode_state(&block, &serde_json::json!({"id": "x", "old": 1})).expect("decodes");
        assert_eq!(get(&value, "id"), Value::string("x"));
        let error = decode_state(&block, &serde_json::json!([1])).expect_err("not an object");
        assert_eq!(
            error.0[0].summary,
            "Unable to Read Previously Saved State for UpgradeResourceState"
        );
    }

    #[test]
    fn combination_validators() {
        let config = object(&[("content", Value::string("x")), ("url", Value::string("y"))]);
        let mut diags = Diagnostics::new();
        exactly_one_of(&config, &["content", "url"], &mut diags);
        assert_eq!(diags.0.len(), 2);
        let mut diags = Diagnostics::new();
        conflicts_with(&config, "url", &["content"], &mut diags);
        assert_eq!(
            diags.0[0].detail,
            "Attribute \"content\" cannot be specified when \"url\" is specified"
        );
    }
}
