//! How the random provider declares and runs its resource types: each type's attributes
//! with their defaults, `UseStateForUnknown` and replacement rules (including upstream's
//! own `keepers` and `override_special` modifiers), and planning, apply, import and state
//! upgrades on top of the plugin framework's rules in the engine's `provider::framework`.

use serde_json::Value as Json;
use std::collections::BTreeMap;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, Attribute, Block, PlanRequest, PlanResponse, Schema,
};
use terrane_engine::value::{Type, Value};

/// A resource object's attributes by name.
pub type Attrs = BTreeMap<String, Value>;

/// The most bytes, characters, words or list elements a resource generates: far beyond any
/// practical use, and low enough that a mistyped length fails instead of exhausting memory.
pub const MAX_GENERATED: i64 = 1 << 20;

/// When a change of an attribute replaces the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Never: the attribute is computed or updated in place.
    Never,
    /// Whenever the planned value differs from the prior one (`RequiresReplace`).
    OnChange,
    /// `keepers`: when the configured map differs from the stored one, ignoring keys whose
    /// value is null (older SDK versions stored maps without them).
    IfValuesNotNull,
    /// `override_special`: on any change except from the empty string to null.
    UnlessEmptyStringToNull,
}

/// One attribute of a resource: its schema and how planning treats it.
#[derive(Clone, Debug)]
pub struct AttrDef {
    pub name: &'static str,
    pub attribute: Attribute,
    /// Planned when the configuration leaves the attribute null.
    pub default: Option<Value>,
    /// Keeps the prior value instead of becoming unknown on updates (`UseStateForUnknown`).
    pub keep_state: bool,
    pub replace: Replace,
}

impl AttrDef {
    pub fn new(name: &'static str, attribute: Attribute) -> AttrDef {
        AttrDef {
            name,
            attribute,
            default: None,
            keep_state: false,
            replace: Replace::Never,
        }
    }

    /// A required argument whose change replaces the object.
    pub fn required(name: &'static str, ty: Type) -> AttrDef {
        AttrDef::new(name, Attribute::required(ty)).replace(Replace::OnChange)
    }

    /// An optional argument whose change replaces the object.
    pub fn optional(name: &'static str, ty: Type) -> AttrDef {
        AttrDef::new(name, Attribute::optional(ty)).replace(Replace::OnChange)
    }

    /// An optional argument with a default, whose change replaces the object.
    pub fn defaulted(name: &'static str, default: Value) -> AttrDef {
        let mut def = AttrDef::new(name, Attribute::optional_computed(default.ty()))
            .replace(Replace::OnChange);
        def.default = Some(default);
        def
    }

    /// A value computed at create and kept afterwards.
    pub fn result(name: &'static str, ty: Type) -> AttrDef {
        let mut def = AttrDef::new(name, Attribute::computed(ty));
        def.keep_state = true;
        def
    }

    /// `keepers`: arbitrary strings whose change replaces the object.
    pub fn keepers() -> AttrDef {
        AttrDef::new("keepers", Attribute::optional(Type::map(Type::String)))
            .replace(Replace::IfValuesNotNull)
            .describe("Arbitrary values whose change replaces the resource.")
    }

    pub fn replace(mut self, replace: Replace) -> AttrDef {
        self.replace = replace;
        self.attribute.force_new = replace != Replace::Never;
        self
    }

    pub fn sensitive(mut self) -> AttrDef {
        self.attribute.sensitive = true;
        self
    }

    pub fn describe(mut self, text: &str) -> AttrDef {
        self.attribute.description = text.to_string();
        self
    }
}

/// A resource type's schema and planning rules.
#[derive(Clone, Debug)]
pub struct ResourceDef {
    pub version: u64,
    pub description: &'static str,
    pub attrs: Vec<AttrDef>,
}

impl ResourceDef {
    pub fn schema(&self) -> Schema {
        Schema {
            version: self.version,
            block: Block {
                attributes: self
                    .attrs
                    .iter()
                    .map(|a| (a.name.to_string(), a.attribute.clone()))
                    .collect(),
                blocks: BTreeMap::new(),
                description: self.description.to_string(),
            },
        }
    }

    /// The object type of the resource's values.
    pub fn value_type(&self) -> Type {
        self.schema().block.value_type()
    }

    /// Every attribute of the schema, null where `attrs` has none.
    pub fn complete(&self, mut attrs: Attrs) -> Value {
        for a in &self.attrs {
            attrs
                .entry(a.name.to_string())
                .or_insert_with(|| Value::Null(a.attribute.ty.clone()));
        }
        attrs.retain(|name, _| self.attrs.iter().any(|a| a.name == name));
        Value::object(attrs)
    }

    /// Decodes a stored object (the state's JSON) as this schema's type. Attributes the
    /// schema does not have are ignored; missing ones are null.
    pub fn decode(&self, raw: &Json) -> Result<Attrs, Diagnostics> {
        let value = framework::decode_state(&self.schema().block, raw)?;
        Ok(value.as_mapping().cloned().unwrap_or_default())
    }
}

/// The behaviour of one resource type of the provider.
pub trait ResourceType: Send + Sync {
    fn definition(&self) -> ResourceDef;

    /// Checks beyond the schema (validators and deprecations).
    fn validate(&self, _config: &Attrs) -> Diagnostics {
        Diagnostics::new()
    }

    /// Resource-specific plan modifiers, run after computed values were marked unknown and
    /// before prior values are kept and replacement is decided.
    fn modify_plan(&self, _config: &Attrs, _planned: &mut Attrs) -> Diagnostics {
        Diagnostics::new()
    }

    /// The new object from its planned values (with unknowns to fill in).
    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics>;

    /// The object an import ID designates.
    fn import(&self, _id: &str) -> Result<Attrs, Diagnostics> {
        Err(framework::import_not_implemented())
    }

    /// Upgrades a stored object from an older schema version (only called for versions
    /// below the current one).
    fn upgrade(&self, version: u64, _raw: &Json) -> Result<Attrs, Diagnostics> {
        Err(framework::no_upgrader(version, false))
    }
}

/// An error diagnostic.
pub fn error(summary: &str, detail: &str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    diags.push(Diagnostic::error(summary, detail));
    diags
}

/// Brings a stored object to the current schema version.
pub fn upgrade_state(
    resource: &dyn ResourceType,
    version: u64,
    raw: &Json,
) -> Result<Value, Diagnostics> {
    let def = resource.definition();
    let attrs = if version == def.version {
        def.decode(raw)?
    } else if version > def.version {
        return Err(error(
            "Unable to Upgrade Resource State",
            &format!(
                "The stored object has schema version {version}, newer than this provider's \
                 version {}.",
                def.version
            ),
        ));
    } else {
        resource.upgrade(version, raw)?
    };
    Ok(def.complete(attrs))
}

/// Plans a change as the plugin framework does for these resources: the framework's
/// defaults and unknown marking, the resource's own plan modifier, `UseStateForUnknown`,
/// then the replacement rules.
pub fn plan(resource: &dyn ResourceType, request: &PlanRequest) -> PlanResponse {
    let def = resource.definition();
    let (proposed, _) = request.proposed_new_state.unmark_deep();
    let (prior, _) = request.prior_state.unmark_deep();
    let (config, _) = request.config.unmark_deep();
    let mut response = PlanResponse {
        planned_state: Value::Null(def.value_type()),
        requires_replace: Vec::new(),
        planned_private: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    if proposed.is_null() {
        return response;
    }
    let config_attrs = config.as_mapping().cloned().unwrap_or_default();
    response.diagnostics = check_whole_numbers(&def, &config_attrs);
    if response.diagnostics.has_errors() {
        return response;
    }
    let defaults: Vec<(&str, Value)> = def
        .attrs
        .iter()
        .filter_map(|a| a.default.clone().map(|d| (a.name, d)))
        .collect();
    let block = def.schema().block;
    let mut planned =
        framework::plan_attributes(&block, &prior, &proposed, &config, &defaults, &[]);
    response
        .diagnostics
        .extend(resource.modify_plan(&config_attrs, &mut planned));
    if !prior.is_null() {
        let keep: Vec<&str> = def
            .attrs
            .iter()
            .filter(|a| a.keep_state)
            .map(|a| a.name)
            .collect();
        framework::use_state_for_unknown(&mut planned, &prior, &config, &keep);
        for a in &def.attrs {
            let prior_value = framework::get(&prior, a.name);
            let planned_value = get(&planned, a.name);
            let config_value = framework::get(&config, a.name);
            if requires_replace(a.replace, &prior_value, &planned_value, &config_value) {
                response.requires_replace.push(vec![a.name.to_string()]);
            }
        }
    }
    response.planned_state = def.complete(planned);
    response
}

/// The plugin framework reads every number attribute of these resources as an int64: a
/// configured number that is not one is an error.
pub fn check_whole_numbers(def: &ResourceDef, config: &Attrs) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for a in def.attrs.iter().filter(|a| a.attribute.ty == Type::Number) {
        if let Some(n) = config.get(a.name).and_then(Value::as_number) {
            if n.to_i64().is_none() {
                diags.push(Diagnostic::error(
                    "Value Conversion Error",
                    format!("{} must be a whole number within 64 bits, got: {n}", a.name),
                ));
            }
        }
    }
    diags
}

/// Checks a count of things to generate against [`MAX_GENERATED`].
pub fn check_size(name: &str, size: i64) -> Result<usize, Diagnostics> {
    if !(0..=MAX_GENERATED).contains(&size) {
        return Err(error(
            "Invalid Size",
            &format!("{name} must be from 0 to {MAX_GENERATED}, got: {size}"),
        ));
    }
    Ok(size as usize)
}

/// Whether a change of one attribute replaces the object.
fn requires_replace(rule: Replace, prior: &Value, planned: &Value, config: &Value) -> bool {
    match rule {
        Replace::Never => false,
        Replace::OnChange => framework::changed(prior, Some(planned)),
        Replace::UnlessEmptyStringToNull => {
            if framework::same(planned, prior) || !config.is_known() {
                false
            } else if !config.is_null() || prior.is_null() {
                true
            } else {
                prior.as_str() != Some("")
            }
        }
        Replace::IfValuesNotNull => keepers_require_replace(prior, config),
    }
}

/// The `keepers` rule: replace when the configured map differs from the stored one, except
/// where the difference is only keys whose configured value is null.
fn keepers_require_replace(stored: &Value, config: &Value) -> bool {
    if framework::same(config, stored) {
        return false;
    }
    let config_elems = config.as_mapping().cloned().unwrap_or_default();
    if stored.is_null() {
        return config_elems.values().any(|v| !v.is_null());
    }
    let stored_elems = stored.as_mapping().cloned().unwrap_or_default();
    let config_differs = config_elems
        .iter()
        .any(|(key, value)| match stored_elems.get(key) {
            None => !value.is_null(),
            Some(stored_value) => !framework::same(value, stored_value),
        });
    config_differs
        || stored_elems
            .keys()
            .any(|key| !config_elems.contains_key(key))
}

/// Carries out a planned change: create, in-place update (the plan becomes the state) or
/// destroy.
pub fn apply(resource: &dyn ResourceType, request: &ApplyRequest) -> ApplyResponse {
    let def = resource.definition();
    let (planned, _) = request.planned_state.unmark_deep();
    let (prior, _) = request.prior_state.unmark_deep();
    let mut response = ApplyResponse {
        new_state: Value::Null(def.value_type()),
        private: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    if planned.is_null() {
        return response;
    }
    let planned_attrs = planned.as_mapping().cloned().unwrap_or_default();
    if prior.is_null() {
        match resource.create(&planned_attrs) {
            Ok(attrs) => response.new_state = def.complete(attrs),
            Err(diags) => response.diagnostics = diags,
        }
    } else if planned.is_wholly_known() {
        response.new_state = def.complete(planned_attrs);
    } else {
        response.diagnostics = error(
            "Unexpected Unknown Value",
            "An in-place update was planned with values still unknown.",
        );
    }
    response
}

/// A string attribute; None when null, unknown or absent.
pub fn get_str<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a str> {
    attrs.get(name).and_then(Value::as_str)
}

/// A whole-number attribute; None when null, unknown, absent or not an int64.
pub fn get_i64(attrs: &Attrs, name: &str) -> Option<i64> {
    attrs
        .get(name)
        .and_then(Value::as_number)
        .and_then(|n| n.to_i64())
}

/// A bool attribute; None when null, unknown or absent.
pub fn get_bool(attrs: &Attrs, name: &str) -> Option<bool> {
    attrs.get(name).and_then(Value::as_bool)
}

/// An attribute's value, null when absent.
pub fn get(attrs: &Attrs, name: &str) -> Value {
    attrs
        .get(name)
        .cloned()
        .unwrap_or(Value::Null(Type::Dynamic))
}

/// A required whole-number attribute of a planned object.
pub fn require_i64(attrs: &Attrs, name: &str) -> Result<i64, Diagnostics> {
    get_i64(attrs, name).ok_or_else(|| {
        error(
            "Invalid Planned Value",
            &format!("The attribute {name} must be a known whole number within 64 bits."),
        )
    })
}

/// A null `map(string)`, as imports set `keepers`.
pub fn null_keepers() -> Value {
    Value::Null(Type::map(Type::String))
}

/// A string value.
pub fn string(s: impl Into<String>) -> Value {
    Value::string(s.into())
}
