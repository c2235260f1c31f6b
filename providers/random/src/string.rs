//! `random_string` and `random_password`: random text from character classes with minimum
//! counts. They differ in that the password's `result` and `bcrypt_hash` are sensitive, its
//! `id` is the constant "none", and their schema versions (string 2, password 3) and state
//! upgrades. Import ID: the text itself.

use crate::charset::{self, StringParams};
use crate::resource::{
    check_size, error, get, get_bool, get_i64, get_str, null_keepers, require_i64, string, AttrDef,
    Attrs, Replace, ResourceDef, ResourceType,
};
use serde_json::Value as Json;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework::invalid_value;
use terrane_engine::provider::Attribute;
use terrane_engine::value::{Type, Value};

/// The bcrypt cost upstream uses (Go's `bcrypt.DefaultCost`).
const BCRYPT_COST: u32 = 10;
/// bcrypt reads at most this many bytes of a password.
const BCRYPT_MAX_BYTES: usize = 72;
/// The minimum-count arguments, in the order upstream's length validator names them.
const MINIMUMS: [&str; 4] = ["min_upper", "min_lower", "min_numeric", "min_special"];

/// `random_string` or `random_password`.
pub struct RandomString {
    password: bool,
}

impl RandomString {
    pub const STRING: RandomString = RandomString { password: false };
    pub const PASSWORD: RandomString = RandomString { password: true };

    fn params(planned: &Attrs) -> Result<StringParams, Diagnostics> {
        let flag = |name: &str| get_bool(planned, name).unwrap_or(false);
        Ok(StringParams {
            length: require_i64(planned, "length")?,
            upper: flag("upper"),
            min_upper: get_i64(planned, "min_upper").unwrap_or(0),
            lower: flag("lower"),
            min_lower: get_i64(planned, "min_lower").unwrap_or(0),
            numeric: flag("numeric"),
            min_numeric: get_i64(planned, "min_numeric").unwrap_or(0),
            special: flag("special"),
            min_special: get_i64(planned, "min_special").unwrap_or(0),
            override_special: get_str(planned, "override_special")
                .unwrap_or("")
                .to_string(),
        })
    }
}

impl ResourceType for RandomString {
    fn definition(&self) -> ResourceDef {
        let class = |name: &'static str, text: &str| {
            AttrDef::defaulted(name, Value::Bool(true)).describe(text)
        };
        let minimum =
            |name: &'static str, text: &str| AttrDef::defaulted(name, Value::int(0)).describe(text);
        let digits = |name: &'static str, text: &str| {
            AttrDef::new(name, Attribute::optional_computed(Type::Bool))
                .replace(Replace::OnChange)
                .describe(text)
        };
        let mut attrs = vec![
            AttrDef::keepers(),
            AttrDef::required("length", Type::Number).describe(
                "How many characters to produce: at least 1 and at least the sum of the \
                 minimums.",
            ),
            class(
                "special",
                "Whether special characters may be used (default true).",
            ),
            class(
                "upper",
                "Whether uppercase letters may be used (default true).",
            ),
            class(
                "lower",
                "Whether lowercase letters may be used (default true).",
            ),
            digits(
                "number",
                "Deprecated spelling of `numeric`; the two always hold the same value.",
            ),
            digits("numeric", "Whether digits may be used (default true)."),
            minimum("min_numeric", "At least this many digits (default 0)."),
            minimum(
                "min_upper",
                "At least this many uppercase letters (default 0).",
            ),
            minimum(
                "min_lower",
                "At least this many lowercase letters (default 0).",
            ),
            minimum(
                "min_special",
                "At least this many special characters (default 0).",
            ),
            AttrDef::new("override_special", Attribute::optional(Type::String))
                .replace(Replace::UnlessEmptyStringToNull)
                .describe("The special characters to use instead of the default set."),
        ];
        if self.password {
            attrs.push(
                AttrDef::result("result", Type::String)
                    .sensitive()
                    .describe("The generated password."),
            );
            attrs.push(
                AttrDef::result("bcrypt_hash", Type::String)
                    .sensitive()
                    .describe("A bcrypt hash of the first 72 bytes of the password."),
            );
            attrs.push(
                AttrDef::result("id", Type::String).describe("Always \"none\"; not meaningful."),
            );
        } else {
            attrs.push(AttrDef::result("result", Type::String).describe("The generated text."));
            attrs.push(AttrDef::result("id", Type::String).describe("The generated text."));
        }
        ResourceDef {
            version: if self.password { 3 } else { 2 },
            description: if self.password {
                "A random password, kept sensitive, with a bcrypt hash of it."
            } else {
                "Random text from letters, digits and special characters."
            },
            attrs,
        }
    }

    fn validate(&self, config: &Attrs) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(length) = get_i64(config, "length") {
            if length < 1 {
                diags.push(invalid_value("length", "at least 1", &length.to_string()));
            }
            let minimums: Vec<Value> = MINIMUMS.iter().map(|m| get(config, m)).collect();
            if minimums.iter().all(Value::is_known) {
                let counted: Vec<(&str, i64)> = MINIMUMS
                    .iter()
                    .zip(&minimums)
                    .filter_map(|(name, v)| Some((*name, v.as_number()?.to_i64()?)))
                    .collect();
                let sum = counted
                    .iter()
                    .map(|(_, n)| *n)
                    .fold(0i64, i64::saturating_add);
                if length < sum {
                    let names: Vec<&str> = counted.iter().map(|(name, _)| *name).collect();
                    diags.push(invalid_value(
                        "length",
                        &format!("at least sum of {}", names.join(" + ")),
                        &length.to_string(),
                    ));
                }
            }
        }
        for digits in ["number", "numeric"] {
            if get_bool(config, digits) == Some(false) {
                let others = ["special", "upper", "lower"].map(|name| get(config, name));
                let satisfied = others
                    .iter()
                    .any(|v| !v.is_known() || v.is_null() || v.as_bool() == Some(true));
                if !satisfied {
                    diags.push(Diagnostic::error(
                        "Invalid Attribute Combination",
                        format!(
                            "At least one attribute out of [special,upper,lower,{digits}] must \
                             be specified as true"
                        ),
                    ));
                }
            }
        }
        if !get(config, "number").is_null() {
            diags.push(Diagnostic::warning(
                "Attribute Deprecated",
                "`number` is deprecated: use `numeric`.",
            ));
        }
        diags
    }

    fn modify_plan(&self, config: &Attrs, planned: &mut Attrs) -> Diagnostics {
        let number = get(config, "number");
        let numeric = get(config, "numeric");
        if !number.is_null()
            && !numeric.is_null()
            && number.as_bool().unwrap_or(false) != numeric.as_bool().unwrap_or(false)
        {
            return error(
                "Number and numeric are both configured with different values",
                "`number` is deprecated: set only `numeric`.",
            );
        }
        let value = match (number.is_null(), numeric.is_null()) {
            (true, true) => Value::Bool(true),
            (true, false) => numeric,
            (false, true) => number,
            (false, false) => return Diagnostics::new(),
        };
        planned.insert("number".into(), value.clone());
        planned.insert("numeric".into(), value);
        Diagnostics::new()
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        check_size("length", require_i64(planned, "length")?.max(0))?;
        let text = charset::generate(&Self::params(planned)?).map_err(|e| {
            error(
                "Random Read Error",
                &format!("The random value could not be generated: {e}"),
            )
        })?;
        let mut state = planned.clone();
        if self.password {
            state.insert("bcrypt_hash".into(), string(bcrypt_hash(&text)?));
            state.insert("id".into(), string("none"));
        } else {
            state.insert("id".into(), string(text.as_str()));
        }
        state.insert("result".into(), string(text));
        Ok(state)
    }

    fn import(&self, id: &str) -> Result<Attrs, Diagnostics> {
        let mut state = Attrs::from([
            ("result".to_string(), string(id)),
            // Upstream counts bytes here, not characters.
            ("length".to_string(), Value::int(id.len() as i64)),
            ("keepers".to_string(), null_keepers()),
            ("override_special".to_string(), Value::Null(Type::String)),
        ]);
        for flag in ["special", "upper", "lower", "number", "numeric"] {
            state.insert(flag.into(), Value::Bool(true));
        }
        for minimum in MINIMUMS {
            state.insert(minimum.into(), Value::int(0));
        }
        if self.password {
            state.insert("id".into(), string("none"));
            state.insert("bcrypt_hash".into(), string(bcrypt_hash(id)?));
        } else {
            state.insert("id".into(), string(id));
        }
        Ok(state)
    }

    fn upgrade(&self, version: u64, raw: &Json) -> Result<Attrs, Diagnostics> {
        let def = self.definition();
        let mut attrs = def.decode(raw)?;
        match (self.password, version) {
            (false, 1) => {
                fill_legacy_nulls(&mut attrs);
                let number = attrs["number"].clone();
                attrs.insert("numeric".into(), number);
            }
            (true, 0) => {
                fill_legacy_nulls(&mut attrs);
                let number = attrs["number"].clone();
                attrs.insert("numeric".into(), number);
                let result = get_str(&attrs, "result").unwrap_or("").to_string();
                attrs.insert("bcrypt_hash".into(), string(bcrypt_hash(&result)?));
            }
            (true, 1) => {
                fill_legacy_nulls(&mut attrs);
                let number = attrs["number"].clone();
                attrs.insert("numeric".into(), number);
            }
            (true, 2) => {
                // Upstream takes `numeric` from the stored `number` here too.
                fill_legacy_nulls(&mut attrs);
                let number = attrs["number"].clone();
                attrs.insert("numeric".into(), number);
                let result = get_str(&attrs, "result").unwrap_or("").to_string();
                let hash = get_str(&attrs, "bcrypt_hash").unwrap_or("").to_string();
                let matches = bcrypt::verify(truncated(&result), &hash).map_err(|e| {
                    error(
                        "Version 3 State Upgrade Error",
                        &format!("The stored password hash could not be checked: {e}"),
                    )
                })?;
                if !matches {
                    attrs.insert("bcrypt_hash".into(), string(bcrypt_hash(&result)?));
                }
            }
            _ => {
                return Err(terrane_engine::provider::framework::no_upgrader(
                    version, true,
                ))
            }
        }
        Ok(attrs)
    }
}

/// Gives attributes that imports by old provider versions left null their default values.
fn fill_legacy_nulls(attrs: &mut Attrs) {
    if attrs.get("length").is_none_or(Value::is_null) {
        let length = get_str(attrs, "result").map_or(0, str::len) as i64;
        attrs.insert("length".into(), Value::int(length));
    }
    for minimum in MINIMUMS {
        if attrs.get(minimum).is_none_or(Value::is_null) {
            attrs.insert(minimum.into(), Value::int(0));
        }
    }
    for flag in ["special", "upper", "lower", "number"] {
        if attrs.get(flag).is_none_or(Value::is_null) {
            attrs.insert(flag.into(), Value::Bool(true));
        }
    }
}

/// The part of a password bcrypt reads.
fn truncated(password: &str) -> &[u8] {
    let bytes = password.as_bytes();
    &bytes[..bytes.len().min(BCRYPT_MAX_BYTES)]
}

/// A bcrypt hash of (the first 72 bytes of) a password, in Go's `$2a$` form and cost.
fn bcrypt_hash(password: &str) -> Result<String, Diagnostics> {
    bcrypt::hash_with_result(truncated(password), BCRYPT_COST)
        .map(|parts| parts.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| {
            error(
                "Hash Generation Error",
                &format!("The password's bcrypt hash could not be generated: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use crate::charset::DEFAULT_SPECIAL;
    use crate::test_support::*;
    use terrane_engine::diag::Severity;
    use terrane_engine::value::{Type, Value};

    const S: &str = "random_string";
    const P: &str = "random_password";

    #[test]
    fn schema_shapes() {
        let schema = crate::provider().schema();
        let string = &schema.resources[S];
        let password = &schema.resources[P];
        assert_eq!(string.version, 2);
        assert_eq!(password.version, 3);
        let s = &string.block.attributes;
        let p = &password.block.attributes;
        assert_eq!(s.len(), 14);
        assert_eq!(p.len(), 15);
        assert!(!s.contains_key("bcrypt_hash"));
        assert!(!s["result"].sensitive && p["result"].sensitive && p["bcrypt_hash"].sensitive);
        assert!(!p["id"].sensitive);
        for name in ["special", "upper", "lower", "number", "numeric"] {
            assert!(s[name].optional && s[name].computed && s[name].force_new);
            assert_eq!(s[name].ty, Type::Bool);
        }
        for name in ["min_numeric", "min_upper", "min_lower", "min_special"] {
            assert!(p[name].optional && p[name].computed && p[name].force_new);
            assert_eq!(p[name].ty, Type::Number);
        }
        assert!(s["length"].required && s["length"].force_new);
        assert!(s["override_special"].optional && !s["override_special"].computed);
        assert!(s["override_special"].force_new);
    }

    #[tokio::test]
    async fn plan_create_applies_defaults() {
        let config = config(S, &[("length", Value::int(8))]);
        let plan = plan(S, &Value::Null(Type::Dynamic), &config).await;
        let planned = &plan.planned_state;
        for flag in ["special", "upper", "lower", "number", "numeric"] {
            assert_eq!(attr(planned, flag), Value::Bool(true), "{flag}");
        }
        for minimum in ["min_numeric", "min_upper", "min_lower", "min_special"] {
            assert_eq!(attr(planned, minimum), Value::int(0));
        }
        assert_eq!(attr(planned, "result"), Value::Unknown(Type::String));
        assert_eq!(attr(planned, "id"), Value::Unknown(Type::String));
        assert_eq!(attr(planned, "override_special"), Value::Null(Type::String));
    }

    #[tokio::test]
    async fn number_and_numeric_follow_each_other() {
        let null = Value::Null(Type::Dynamic);
        let only_numeric = config(S, &[("length", Value::int(8)), ("numeric", false.into())]);
        let plan1 = plan(S, &null, &only_numeric).await;
        assert_eq!(attr(&plan1.planned_state, "number"), Value::Bool(false));
        let only_number = config(S, &[("length", Value::int(8)), ("number", false.into())]);
        let plan2 = plan(S, &null, &only_number).await;
        assert_eq!(attr(&plan2.planned_state, "numeric"), Value::Bool(false));
        let both = config(
            S,
            &[
                ("length", Value::int(8)),
                ("number", false.into()),
                ("numeric", true.into()),
            ],
        );
        assert!(plan(S, &null, &both).await.diagnostics.has_errors());
    }

    #[tokio::test]
    async fn apply_respects_classes() {
        let state = create(
            S,
            &[
                ("length", Value::int(40)),
                ("special", false.into()),
                ("upper", false.into()),
                ("min_numeric", Value::int(5)),
            ],
        )
        .await;
        let result = str_attr(&state, "result");
        assert_eq!(result.len(), 40);
        assert!(result
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert!(result.chars().filter(char::is_ascii_digit).count() >= 5);
        assert_eq!(str_attr(&state, "id"), result);

        let state = create(
            S,
            &[("length", Value::int(30)), ("override_special", "/".into())],
        )
        .await;
        let result = str_attr(&state, "result");
        assert!(result
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/'));
        assert!(!result.chars().any(|c| DEFAULT_SPECIAL.contains(c)));
    }

    #[tokio::test]
    async fn password_has_a_matching_hash() {
        let state = create(P, &[("length", Value::int(20))]).await;
        let result = str_attr(&state, "result");
        assert_eq!(result.chars().count(), 20);
        assert_eq!(str_attr(&state, "id"), "none");
        let hash = str_attr(&state, "bcrypt_hash");
        assert!(hash.starts_with("$2a$10$"));
        assert!(bcrypt::verify(&result, &hash).unwrap());
    }

    #[tokio::test]
    async fn update_and_replace_decisions() {
        let state = create(S, &[("length", Value::int(10))]).await;
        // Unchanged: the plan is the state.
        let same = plan(S, &state, &config(S, &[("length", Value::int(10))])).await;
        assert!(same.requires_replace.is_empty());
        assert_eq!(same.planned_state, state);
        // Setting a default explicitly changes nothing.
        let explicit = config(S, &[("length", Value::int(10)), ("special", true.into())]);
        assert!(plan(S, &state, &explicit).await.requires_replace.is_empty());
        // Argument changes replace.
        let changed = config(
            S,
            &[
                ("length", Value::int(11)),
                ("upper", false.into()),
                ("numeric", false.into()),
            ],
        );
        assert_eq!(
            replaced(&plan(S, &state, &changed).await),
            ["length", "upper", "number", "numeric"]
        );
        // Keepers: replaced on change, but an empty map over a null one updates in place.
        let empty = config(
            S,
            &[("length", Value::int(10)), ("keepers", string_map(&[]))],
        );
        let in_place = plan(S, &state, &empty).await;
        assert!(in_place.requires_replace.is_empty());
        assert_eq!(
            attr(&in_place.planned_state, "result"),
            attr(&state, "result")
        );
        let updated = apply(S, &state, &in_place.planned_state, &empty).await;
        assert_eq!(attr(&updated, "keepers"), string_map(&[]));
        let keepers = config(
            S,
            &[
                ("length", Value::int(10)),
                ("keepers", string_map(&[("k", "v")])),
            ],
        );
        assert_eq!(replaced(&plan(S, &updated, &keepers).await), ["keepers"]);
    }

    #[tokio::test]
    async fn override_special_from_empty_string_to_null_updates_in_place() {
        let p = crate::provider();
        let raw = serde_json::json!({
            "id": "abc", "result": "abc", "length": 3, "special": true, "upper": true,
            "lower": true, "number": true, "numeric": true, "min_numeric": 0, "min_upper": 0,
            "min_lower": 0, "min_special": 0, "override_special": "", "keepers": null
        });
        let state = p.upgrade_state(S, 2, &raw).await.unwrap();
        let to_null = plan(S, &state, &config(S, &[("length", Value::int(3))])).await;
        assert!(to_null.requires_replace.is_empty());
        assert_eq!(attr(&to_null.planned_state, "result"), Value::string("abc"));
        let to_other = config(
            S,
            &[("length", Value::int(3)), ("override_special", "!".into())],
        );
        assert_eq!(
            replaced(&plan(S, &state, &to_other).await),
            ["override_special"]
        );
    }

    #[tokio::test]
    async fn validation() {
        let p = crate::provider();
        let check = |pairs: Vec<(&'static str, Value)>| {
            let p = p.clone();
            async move {
                p.validate_resource_config(S, &config(S, &pairs))
                    .await
                    .iter()
                    .map(|d| (d.severity, d.detail.clone()))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            check(vec![("length", Value::int(0))]).await,
            [(
                Severity::Error,
                "Attribute length value must be at least 1, got: 0".to_string()
            )]
        );
        assert_eq!(
            check(vec![
                ("length", Value::int(3)),
                ("min_upper", Value::int(2)),
                ("min_special", Value::int(2)),
            ])
            .await,
            [(
                Severity::Error,
                "Attribute length value must be at least sum of min_upper + min_special, \
                 got: 3"
                    .to_string()
            )]
        );
        let unknown_minimum = check(vec![
            ("length", Value::int(1)),
            ("min_upper", Value::Unknown(Type::Number)),
            ("min_lower", Value::int(5)),
        ])
        .await;
        assert!(unknown_minimum.is_empty());
        let no_class = check(vec![
            ("length", Value::int(3)),
            ("numeric", false.into()),
            ("special", false.into()),
            ("upper", false.into()),
            ("lower", false.into()),
        ])
        .await;
        assert_eq!(
            no_class,
            [(
                Severity::Error,
                "At least one attribute out of [special,upper,lower,numeric] must be \
                 specified as true"
                    .to_string()
            )]
        );
        let deprecated = check(vec![("length", Value::int(3)), ("number", true.into())]).await;
        assert_eq!(deprecated.len(), 1);
        assert_eq!(deprecated[0].0, Severity::Warning);
    }

    #[tokio::test]
    async fn import() {
        let p = crate::provider();
        let state = p.import(S, "héllo").await.unwrap()[0].state.clone();
        assert_eq!(str_attr(&state, "result"), "héllo");
        assert_eq!(str_attr(&state, "id"), "héllo");
        assert_eq!(attr(&state, "length"), Value::int(6));
        assert_eq!(attr(&state, "numeric"), Value::Bool(true));
        assert_eq!(attr(&state, "min_special"), Value::int(0));
        assert_eq!(attr(&state, "override_special"), Value::Null(Type::String));

        let state = p.import(P, "secret").await.unwrap()[0].state.clone();
        assert_eq!(str_attr(&state, "id"), "none");
        assert_eq!(str_attr(&state, "result"), "secret");
        assert!(bcrypt::verify("secret", &str_attr(&state, "bcrypt_hash")).unwrap());
    }

    #[tokio::test]
    async fn string_upgrades() {
        let p = crate::provider();
        // Version 1 states of resources imported by old versions have nulls.
        let raw = serde_json::json!({
            "id": "abcd", "result": "abcd", "length": null, "special": null, "upper": false,
            "lower": null, "number": false, "min_numeric": null, "min_upper": null,
            "min_lower": null, "min_special": 1, "override_special": null,
            "keepers": {"a": "b"}
        });
        let state = p.upgrade_state(S, 1, &raw).await.unwrap();
        assert_eq!(attr(&state, "length"), Value::int(4));
        assert_eq!(attr(&state, "special"), Value::Bool(true));
        assert_eq!(attr(&state, "upper"), Value::Bool(false));
        assert_eq!(attr(&state, "number"), Value::Bool(false));
        assert_eq!(attr(&state, "numeric"), Value::Bool(false));
        assert_eq!(attr(&state, "min_numeric"), Value::int(0));
        assert_eq!(attr(&state, "min_special"), Value::int(1));
        assert_eq!(attr(&state, "keepers"), string_map(&[("a", "b")]));
        assert!(p.upgrade_state(S, 0, &raw).await.is_err());
        assert!(p.upgrade_state(S, 3, &raw).await.is_err());
    }

    #[tokio::test]
    async fn password_upgrades() {
        let p = crate::provider();
        let base = serde_json::json!({
            "id": "none", "result": "pw", "length": 2, "special": true, "upper": true,
            "lower": true, "number": true, "min_numeric": 0, "min_upper": 0, "min_lower": 0,
            "min_special": 0, "override_special": null, "keepers": null
        });
        // Version 0 had no hash: one is made.
        let v0 = p.upgrade_state(P, 0, &base).await.unwrap();
        assert!(bcrypt::verify("pw", &str_attr(&v0, "bcrypt_hash")).unwrap());
        assert_eq!(attr(&v0, "numeric"), Value::Bool(true));

        // Version 1 keeps its hash as it is.
        let mut v1 = base.clone();
        v1["bcrypt_hash"] = "kept".into();
        v1["number"] = false.into();
        let state = p.upgrade_state(P, 1, &v1).await.unwrap();
        assert_eq!(str_attr(&state, "bcrypt_hash"), "kept");
        assert_eq!(attr(&state, "numeric"), Value::Bool(false));

        // Version 2 keeps a matching hash and replaces one that does not match.
        let good = bcrypt::hash("pw", 4).unwrap();
        let mut v2 = base.clone();
        v2["numeric"] = false.into();
        v2["bcrypt_hash"] = good.clone().into();
        let state = p.upgrade_state(P, 2, &v2).await.unwrap();
        assert_eq!(str_attr(&state, "bcrypt_hash"), good);
        // Upstream copies `number` into `numeric` in this upgrade.
        assert_eq!(attr(&state, "numeric"), Value::Bool(true));
        v2["bcrypt_hash"] = bcrypt::hash("other", 4).unwrap().into();
        let state = p.upgrade_state(P, 2, &v2).await.unwrap();
        assert!(bcrypt::verify("pw", &str_attr(&state, "bcrypt_hash")).unwrap());
        v2["bcrypt_hash"] = "not a hash".into();
        assert!(p.upgrade_state(P, 2, &v2).await.is_err());

        // The current version decodes as it is.
        let mut v3 = v2.clone();
        v3["bcrypt_hash"] = "x".into();
        let state = p.upgrade_state(P, 3, &v3).await.unwrap();
        assert_eq!(str_attr(&state, "bcrypt_hash"), "x");
        assert_eq!(attr(&state, "numeric"), Value::Bool(false));
    }
}
