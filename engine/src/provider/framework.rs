//! The planning rules of HashiCorp's terraform-plugin-framework, which most upstream
//! providers are built on (native providers reproduce them through this module), plus
//! small helpers to read and build resource objects: defaults
//! fill null arguments, computed attributes left null by the configuration become unknown
//! whenever the object changes, and a `RequiresReplace` attribute replaces the object when
//! its planned value differs from the prior one (Terraform core ignores replacement
//! requests for attributes that end up unchanged).

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
/// framework does: absent attributes are null and attributes the schema no longer has are
/// dropped.
pub fn decode_state(block: &Block, raw: &serde_json::Value) -> Result<Value, Diagnostics> {
    let fail = |why: String| {
        Diagnostics::from(Diagnostic::error(
            "Unable to Read Previously Saved State for UpgradeResourceState",
            format!("There was an error reading the saved resource state: {why}"),
        ))
    };
    let object = raw
        .as_object()
        .ok_or_else(|| fail("the stored state is not a JSON object".into()))?;
    let mut out = BTreeMap::new();
    for (name, attribute) in &block.attributes {
        let json = object.get(name).unwrap_or(&serde_json::Value::Null);
        let value = value_from_json(json, &attribute.ty).map_err(&fail)?;
        out.insert(name.clone(), value);
    }
    Ok(Value::object(out))
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
