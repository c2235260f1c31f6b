//! Planning a change as the azurerm provider's SDK (terraform-plugin-sdk v2) does: a
//! configured value is planned (normalised by its `StateFunc`, and kept as the prior value when
//! its `DiffSuppressFunc` says they are the same); a null argument takes its default, a
//! computed one its prior value (unknown on create), and an optional one keeps a prior zero
//! value (SDKv2 does not tell `""` from null); nested blocks are planned element by element;
//! a force-new argument that changes requires replacement.

use super::mapping::is_zero;
use super::schema::{Attr, BlockDef, Nested};
use super::{PlanContext, ResourceType};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::provider::{AttributePath, Nesting};
use terrane_engine::value::{Type, Value};

/// The plan of one resource change.
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
}

/// Plans a create (`prior` null) or an update of a resource.
pub fn plan_resource<R: ResourceType + ?Sized>(rt: &R, prior: &Value, config: &Value) -> Planned {
    let block = rt.def().full_block();
    let creating = prior.is_null();
    let prior_attrs = prior.as_mapping().cloned();
    let config_attrs = config.as_mapping().cloned().unwrap_or_default();
    let mut planned = plan_object(&block, prior_attrs.as_ref(), &config_attrs, creating);
    let id = if creating {
        Value::Unknown(Type::String)
    } else {
        super::attribute(prior, "id")
    };
    planned.insert("id".into(), id);
    let mut requires_replace = Vec::new();
    let mut diagnostics = Diagnostics::new();
    rt.customize_plan(&mut PlanContext {
        prior,
        config,
        planned: &mut planned,
        requires_replace: &mut requires_replace,
        diagnostics: &mut diagnostics,
    });
    if let Some(prior) = &prior_attrs {
        for path in replaced(&block, prior, &planned) {
            if !requires_replace.contains(&path) {
                requires_replace.push(path);
            }
        }
    }
    Planned {
        state: Value::object(planned),
        requires_replace,
        diagnostics,
    }
}

/// The planned attributes of an object of `def`.
pub fn plan_object(
    def: &BlockDef,
    prior: Option<&BTreeMap<String, Value>>,
    config: &BTreeMap<String, Value>,
    creating: bool,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for attr in &def.attrs {
        let config_value = config
            .get(attr.name)
            .cloned()
            .unwrap_or(Value::Null(attr.spec.ty.clone()));
        let prior_value = prior.and_then(|p| p.get(attr.name));
        out.insert(
            attr.name.to_string(),
            plan_attribute(attr, prior_value, &config_value, creating),
        );
    }
    for nested in &def.blocks {
        let config_value = config
            .get(nested.name)
            .cloned()
            .unwrap_or_else(|| Value::Null(super::schema::nested_type(nested)));
        let prior_value = prior.and_then(|p| p.get(nested.name));
        out.insert(
            nested.name.to_string(),
            plan_nested(nested, prior_value, &config_value, creating),
        );
    }
    out
}

/// The planned value of one attribute.
pub fn plan_attribute(attr: &Attr, prior: Option<&Value>, config: &Value, creating: bool) -> Value {
    if !config.is_known() {
        return config.clone();
    }
    if !config.is_null() {
        let value = match attr.normalize {
            Some(normalize) if config.is_wholly_known() => normalize(config),
            _ => config.clone(),
        };
        if let Some(prior) = prior.filter(|p| !p.is_null()) {
            let same = match attr.suppress {
                Some(suppress) => suppress(prior, config),
                None => false,
            };
            if same || prior.raw_equal(&value) {
                return prior.clone();
            }
        }
        return value;
    }
    if let Some(default) = &attr.default {
        return default.clone();
    }
    match prior {
        _ if attr.spec.computed && creating => Value::Unknown(attr.spec.ty.clone()),
        Some(p) if attr.spec.computed => p.clone(),
        Some(p) if is_zero(p) => p.clone(),
        _ => Value::Null(attr.spec.ty.clone()),
    }
}

/// The planned elements of a nested block.
fn plan_nested(nested: &Nested, prior: Option<&Value>, config: &Value, creating: bool) -> Value {
    if !config.is_known() || matches!(nested.nesting, Nesting::Single | Nesting::Group) {
        return config.clone();
    }
    let elements = config.as_seq().unwrap_or_default();
    if elements.is_empty() && nested.computed {
        return match prior {
            Some(p) if !creating => p.clone(),
            _ => Value::Unknown(super::schema::nested_type(nested)),
        };
    }
    let prior_elements = prior.and_then(Value::as_seq).unwrap_or_default();
    let planned: Vec<Value> = elements
        .iter()
        .enumerate()
        .map(|(i, element)| {
            let element_config = element.as_mapping().cloned().unwrap_or_default();
            let matched = match nested.nesting {
                Nesting::Set => prior_elements
                    .iter()
                    .find(|p| same_configured(&nested.block, p, &element_config)),
                _ => prior_elements.get(i),
            };
            let matched = matched.and_then(Value::as_mapping);
            Value::object(plan_object(
                &nested.block,
                matched,
                &element_config,
                creating || matched.is_none(),
            ))
        })
        .collect();
    let ty = nested.block.value_type();
    match nested.nesting {
        Nesting::Set => Value::set(ty, planned),
        _ => Value::list(ty, planned),
    }
}

/// Whether a prior set element has every configured argument of `config` (so the element is
/// the same object, whose computed values carry over).
fn same_configured(def: &BlockDef, prior: &Value, config: &BTreeMap<String, Value>) -> bool {
    let Some(prior) = prior.as_mapping() else {
        return false;
    };
    def.attrs.iter().all(|attr| {
        let Some(c) = config.get(attr.name).filter(|c| !c.is_null()) else {
            return true;
        };
        let planned = plan_attribute(attr, prior.get(attr.name), c, false);
        prior.get(attr.name).is_some_and(|p| p.raw_equal(&planned))
    })
}

/// Whether a block has anything force-new in it.
fn has_force_new(def: &BlockDef) -> bool {
    def.attrs.iter().any(|a| a.spec.force_new)
        || def
            .blocks
            .iter()
            .any(|b| b.force_new || has_force_new(&b.block))
}

/// The force-new attributes and blocks whose planned value differs from the prior one.
fn replaced(
    def: &BlockDef,
    prior: &BTreeMap<String, Value>,
    planned: &BTreeMap<String, Value>,
) -> Vec<AttributePath> {
    let differs = |name: &str| {
        let null = Value::Null(Type::Dynamic);
        let before = prior.get(name).unwrap_or(&null);
        let after = planned.get(name).unwrap_or(&null);
        !(before.raw_equal(after) || (before.is_null() && after.is_null()))
    };
    let mut out = Vec::new();
    for attr in &def.attrs {
        if attr.spec.force_new && differs(attr.name) {
            out.push(vec![attr.name.to_string()]);
        }
    }
    for nested in &def.blocks {
        if (nested.force_new || has_force_new(&nested.block)) && differs(nested.name) {
            out.push(vec![nested.name.to_string()]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::common;
    use super::super::schema::*;
    use super::*;

    #[test]
    fn attribute_rules() {
        let loc = common::location();
        let planned = plan_attribute(&loc, None, &Value::string("West Europe"), true);
        assert_eq!(planned, Value::string("westeurope"));
        let kept = plan_attribute(
            &loc,
            Some(&Value::string("westeurope")),
            &Value::string("West Europe"),
            false,
        );
        assert_eq!(kept, Value::string("westeurope"));
        let with_default = string("p").optional().default("Disabled");
        assert_eq!(
            plan_attribute(
                &with_default,
                Some(&Value::string("Enabled")),
                &Value::Null(Type::String),
                false
            ),
            Value::string("Disabled")
        );
        let computed = string("guid").computed();
        assert!(!plan_attribute(&computed, None, &Value::Null(Type::String), true).is_known());
        assert_eq!(
            plan_attribute(
                &computed,
                Some(&Value::string("g")),
                &Value::Null(Type::String),
                false
            ),
            Value::string("g")
        );
        let optional = string("managed_by").optional();
        assert_eq!(
            plan_attribute(
                &optional,
                Some(&Value::string("")),
                &Value::Null(Type::String),
                false
            ),
            Value::string("")
        );
        assert!(plan_attribute(
            &optional,
            Some(&Value::string("x")),
            &Value::Null(Type::String),
            false
        )
        .is_null());
    }

    #[test]
    fn computed_blocks_keep_prior_when_unconfigured() {
        let rule = block(
            "security_rule",
            block_def(vec![string("name").required()], vec![]),
        )
        .set()
        .computed();
        let ty = rule.block.value_type();
        let prior = Value::set(
            ty.clone(),
            vec![Value::object(
                [("name".to_string(), Value::string("r"))].into(),
            )],
        );
        let empty = Value::set(ty, vec![]);
        assert_eq!(plan_nested(&rule, Some(&prior), &empty, false), prior);
        assert!(!plan_nested(&rule, None, &empty, true).is_known());
    }

    #[test]
    fn set_elements_keep_their_computed_values() {
        let subnet = block(
            "subnet",
            block_def(
                vec![string("name").required(), string("id").computed()],
                vec![],
            ),
        )
        .set();
        let ty = subnet.block.value_type();
        let element = |name: &str, id: Value| {
            Value::object(
                [
                    ("name".to_string(), Value::string(name)),
                    ("id".to_string(), id),
                ]
                .into(),
            )
        };
        let prior = Value::set(ty.clone(), vec![element("a", Value::string("/a"))]);
        let config = Value::set(
            ty,
            vec![
                element("a", Value::Null(Type::String)),
                element("b", Value::Null(Type::String)),
            ],
        );
        let planned = plan_nested(&subnet, Some(&prior), &config, false);
        let items = planned.as_seq().unwrap();
        let a = items
            .iter()
            .find(|e| super::super::attribute(e, "name") == Value::string("a"))
            .unwrap();
        assert_eq!(super::super::attribute(a, "id"), Value::string("/a"));
        let b = items
            .iter()
            .find(|e| super::super::attribute(e, "name") == Value::string("b"))
            .unwrap();
        assert!(!super::super::attribute(b, "id").is_known());
    }
}
