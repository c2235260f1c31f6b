//! `null_data_source` (deprecated): `inputs` copied to `outputs`, a random decimal number as
//! `random`, `has_computed_default` as configured or "default", and the constant `id`
//! "static".

use crate::random_decimal;
use std::collections::BTreeMap;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::{Attribute, Block, Schema};
use terrane_engine::value::{Type, Value};

pub fn schema() -> Schema {
    let string_map = || Type::map(Type::String);
    Schema {
        version: 0,
        block: Block {
            attributes: BTreeMap::from([
                (
                    "inputs".to_string(),
                    Attribute::optional(string_map()).describe("Strings copied to `outputs`."),
                ),
                (
                    "outputs".to_string(),
                    Attribute::computed(string_map()).describe("A copy of `inputs`."),
                ),
                (
                    "random".to_string(),
                    Attribute::computed(Type::String)
                        .describe("A random number, different at every read."),
                ),
                (
                    "has_computed_default".to_string(),
                    Attribute::optional_computed(Type::String)
                        .describe("Its configured value, or \"default\"."),
                ),
                (
                    "id".to_string(),
                    Attribute::computed(Type::String)
                        .describe("Always \"static\" (deprecated, kept for compatibility)."),
                ),
            ]),
            blocks: BTreeMap::new(),
            description: "Deprecated: copies its inputs to its outputs. Use locals or \
                          terraform_data instead."
                .to_string(),
        },
    }
}

/// The data source is deprecated: every use warns.
pub fn validate() -> Diagnostics {
    let mut diags = Diagnostics::new();
    diags.push(Diagnostic::warning(
        "Deprecated",
        "null_data_source is deprecated: use locals, or the terraform_data resource type, to \
         hold intermediate values.",
    ));
    diags
}

pub fn read(config: &Value) -> Value {
    let (config, _) = config.unmark_deep();
    let attr = |name: &str| {
        config
            .as_mapping()
            .and_then(|attrs| attrs.get(name))
            .cloned()
    };
    let inputs = attr("inputs").unwrap_or(Value::Null(Type::map(Type::String)));
    let has_computed_default = match attr("has_computed_default") {
        Some(value) if !value.is_null() => value,
        _ => Value::string("default"),
    };
    Value::object(BTreeMap::from([
        ("inputs".to_string(), inputs.clone()),
        ("outputs".to_string(), inputs),
        ("random".to_string(), Value::string(random_decimal())),
        ("has_computed_default".to_string(), has_computed_default),
        ("id".to_string(), Value::string("static")),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider;
    use terrane_engine::diag::Severity;

    fn config(inputs: Value, has_computed_default: Value) -> Value {
        Value::object(BTreeMap::from([
            ("inputs".to_string(), inputs),
            ("outputs".to_string(), Value::Null(Type::map(Type::String))),
            ("random".to_string(), Value::Null(Type::String)),
            ("has_computed_default".to_string(), has_computed_default),
            ("id".to_string(), Value::Null(Type::String)),
        ]))
    }

    fn attr(object: &Value, name: &str) -> Value {
        object.as_mapping().unwrap()[name].clone()
    }

    #[test]
    fn schema_shape() {
        let s = schema();
        let a = &s.block.attributes;
        assert!(a["inputs"].optional && !a["inputs"].computed);
        assert!(a["outputs"].computed && !a["outputs"].optional);
        assert_eq!(a["outputs"].ty, Type::map(Type::String));
        assert!(a["has_computed_default"].optional && a["has_computed_default"].computed);
        assert!(a["random"].computed && a["id"].computed);
        assert!(a.values().all(|a| !a.force_new && !a.sensitive));
    }

    #[tokio::test]
    async fn read_copies_inputs() {
        let inputs = Value::map(
            Type::String,
            BTreeMap::from([("foo".to_string(), Value::string("bar"))]),
        );
        let state = provider()
            .read_data_source(
                "null_data_source",
                &config(inputs.clone(), Value::Null(Type::String)),
            )
            .await
            .unwrap();
        assert_eq!(attr(&state, "outputs"), inputs);
        assert_eq!(attr(&state, "inputs"), inputs);
        assert_eq!(
            attr(&state, "has_computed_default"),
            Value::string("default")
        );
        assert_eq!(attr(&state, "id"), Value::string("static"));
        assert!(attr(&state, "random")
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok());

        let state = provider()
            .read_data_source(
                "null_data_source",
                &config(Value::Null(Type::map(Type::String)), Value::string("mine")),
            )
            .await
            .unwrap();
        assert_eq!(
            attr(&state, "outputs"),
            Value::Null(Type::map(Type::String))
        );
        assert_eq!(attr(&state, "has_computed_default"), Value::string("mine"));
    }

    #[tokio::test]
    async fn use_warns_of_deprecation() {
        let diags = provider()
            .validate_data_source_config(
                "null_data_source",
                &config(
                    Value::Null(Type::map(Type::String)),
                    Value::Null(Type::String),
                ),
            )
            .await;
        let all: Vec<_> = diags.iter().collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].severity, Severity::Warning);
        assert_eq!(all[0].summary, "Deprecated");
    }
}
