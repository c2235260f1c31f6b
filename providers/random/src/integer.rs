//! `random_integer`: a random whole number in [min, max]; with `seed` the number is the one
//! upstream's Go generator gives for that seed. Import ID: `result,min,max` or
//! `result,min,max,seed`.

use crate::gorand::GoRand;
use crate::resource::{
    error, get, get_str, null_keepers, require_i64, string, AttrDef, Attrs, ResourceDef,
    ResourceType,
};
use rand::rngs::OsRng;
use rand::Rng;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

pub struct Integer;

impl ResourceType for Integer {
    fn definition(&self) -> ResourceDef {
        ResourceDef {
            version: 0,
            description: "A random whole number from a range.",
            attrs: vec![
                AttrDef::keepers(),
                AttrDef::required("min", Type::Number)
                    .describe("The smallest number the result may be."),
                AttrDef::required("max", Type::Number)
                    .describe("The largest number the result may be."),
                AttrDef::optional("seed", Type::String)
                    .describe("Makes the result the same every time for the same seed."),
                AttrDef::result("result", Type::Number).describe("The random number."),
                AttrDef::result("id", Type::String).describe("The random number as text."),
            ],
        }
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        let min = require_i64(planned, "min")?;
        let max = require_i64(planned, "max")?;
        if max < min {
            return Err(error(
                "Create Random Integer Error",
                &format!("min ({min}) must not be greater than max ({max})."),
            ));
        }
        let seed = get_str(planned, "seed").unwrap_or("");
        let mut generator = if seed.is_empty() {
            GoRand::new(OsRng.gen())
        } else {
            GoRand::from_seed_text(seed)
        };
        // Go computes (max+1)-min in int64 and panics unless it is positive.
        let offset = max
            .checked_add(1)
            .and_then(|end| end.checked_sub(min))
            .and_then(|span| generator.intn(span))
            .ok_or_else(|| {
                error(
                    "Create Random Integer Error",
                    &format!("The range from {min} to {max} is too wide."),
                )
            })?;
        let result = offset + min;
        let seed = if seed.is_empty() {
            Value::Null(Type::String)
        } else {
            string(seed)
        };
        Ok(Attrs::from([
            ("keepers".to_string(), get(planned, "keepers")),
            ("min".to_string(), Value::int(min)),
            ("max".to_string(), Value::int(max)),
            ("seed".to_string(), seed),
            ("result".to_string(), Value::int(result)),
            ("id".to_string(), string(result.to_string())),
        ]))
    }

    fn import(&self, id: &str) -> Result<Attrs, Diagnostics> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err(error(
                "Import Random Integer Error",
                "The import ID must be result,min,max or result,min,max,seed.",
            ));
        }
        let parse = |text: &str, what: &str| {
            parse_go_int(text).ok_or_else(|| {
                error(
                    "Import Random Integer Error",
                    &format!("The {what} {text:?} is not a whole number within 64 bits."),
                )
            })
        };
        let result = parse(parts[0], "result")?;
        let min = parse(parts[1], "min")?;
        let max = parse(parts[2], "max")?;
        let seed = match parts.get(3) {
            Some(seed) => string(*seed),
            None => Value::Null(Type::String),
        };
        Ok(Attrs::from([
            ("keepers".to_string(), null_keepers()),
            ("min".to_string(), Value::int(min)),
            ("max".to_string(), Value::int(max)),
            ("seed".to_string(), seed),
            ("result".to_string(), Value::int(result)),
            ("id".to_string(), string(parts[0])),
        ]))
    }
}

/// A decimal int64 as Go's `strconv.ParseInt(s, 10, 64)` reads it: an optional sign, then
/// digits and nothing else (underscores are not allowed in base 10).
fn parse_go_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_go_int;
    use crate::test_support::*;
    use terrane_engine::value::{Type, Value};

    const T: &str = "random_integer";

    fn range(min: i64, max: i64) -> Vec<(&'static str, Value)> {
        vec![("min", Value::int(min)), ("max", Value::int(max))]
    }

    #[test]
    fn schema_shape() {
        let schema = crate::provider().schema().resources[T].clone();
        let a = &schema.block.attributes;
        assert!(a["min"].required && a["min"].force_new && a["min"].ty == Type::Number);
        assert!(a["max"].required && a["max"].force_new);
        assert!(a["seed"].optional && a["seed"].force_new && a["seed"].ty == Type::String);
        assert!(a["result"].computed && a["result"].ty == Type::Number);
        assert!(a["id"].computed && a["id"].ty == Type::String);
    }

    #[tokio::test]
    async fn results_stay_in_range() {
        for _ in 0..20 {
            let state = create(T, &range(-2, 2)).await;
            let result = attr(&state, "result")
                .as_number()
                .unwrap()
                .to_i64()
                .unwrap();
            assert!((-2..=2).contains(&result));
            assert_eq!(str_attr(&state, "id"), result.to_string());
            assert_eq!(attr(&state, "seed"), Value::Null(Type::String));
        }
        let wide = create(T, &range(0, i64::MAX - 1)).await;
        assert!(attr(&wide, "result")
            .as_number()
            .unwrap()
            .to_i64()
            .is_some());
    }

    #[tokio::test]
    async fn seeds_give_upstreams_results() {
        // Upstream's acceptance tests: seed "12345" gives 3 and "123456" gives 2 in [1, 3].
        let mut args = range(1, 3);
        args.push(("seed", "12345".into()));
        assert_eq!(attr(&create(T, &args).await, "result"), Value::int(3));
        args[2] = ("seed", "123456".into());
        let state = create(T, &args).await;
        assert_eq!(attr(&state, "result"), Value::int(2));
        assert_eq!(str_attr(&state, "id"), "2");
        assert_eq!(str_attr(&state, "seed"), "123456");
    }

    #[tokio::test]
    async fn plan_and_replace() {
        let null = Value::Null(Type::Dynamic);
        let planned = plan(T, &null, &config(T, &range(1, 9))).await;
        assert_eq!(
            attr(&planned.planned_state, "result"),
            Value::Unknown(Type::Number)
        );
        let state = create(T, &range(1, 9)).await;
        let same = plan(T, &state, &config(T, &range(1, 9))).await;
        assert!(same.requires_replace.is_empty());
        assert_eq!(same.planned_state, state);
        let mut seeded = range(1, 10);
        seeded.push(("seed", "x".into()));
        let changed = plan(T, &state, &config(T, &seeded)).await;
        assert_eq!(replaced(&changed), ["max", "seed"]);
    }

    #[tokio::test]
    async fn min_above_max_fails_at_apply() {
        let null = Value::Null(Type::Dynamic);
        let config = config(T, &range(5, 4));
        let planned = plan(T, &null, &config).await;
        let response = crate::provider()
            .apply_change(terrane_engine::provider::ApplyRequest {
                type_name: T.into(),
                prior_state: null,
                planned_state: planned.planned_state,
                config,
                planned_private: vec![],
            })
            .await;
        assert!(response.diagnostics.has_errors());
    }

    #[tokio::test]
    async fn import() {
        let p = crate::provider();
        let state = p.import(T, "3,1,3,12345").await.unwrap()[0].state.clone();
        assert_eq!(attr(&state, "result"), Value::int(3));
        assert_eq!(attr(&state, "min"), Value::int(1));
        assert_eq!(attr(&state, "max"), Value::int(3));
        assert_eq!(str_attr(&state, "seed"), "12345");
        assert_eq!(str_attr(&state, "id"), "3");
        let state = p.import(T, "+7,-1,10").await.unwrap()[0].state.clone();
        assert_eq!(attr(&state, "result"), Value::int(7));
        assert_eq!(str_attr(&state, "id"), "+7");
        assert_eq!(attr(&state, "seed"), Value::Null(Type::String));
        assert!(p.import(T, "1,2").await.is_err());
        assert!(p.import(T, "1,2,3,4,5").await.is_err());
        assert!(p.import(T, "x,1,2").await.is_err());
    }

    #[test]
    fn go_int_parsing() {
        assert_eq!(parse_go_int("-12"), Some(-12));
        assert_eq!(parse_go_int("+3"), Some(3));
        assert_eq!(parse_go_int(" 3"), None);
        assert_eq!(parse_go_int("1_000"), None);
        assert_eq!(parse_go_int("-"), None);
        assert_eq!(parse_go_int("9223372036854775808"), None);
    }
}
