//! `random_shuffle`: a random permutation of a list of strings, `result_count` long (repeating
//! further permutations when that exceeds the input). With `seed` the result is exactly
//! upstream's, drawn from Go's generator. Not importable.

use crate::gorand::GoRand;
use crate::resource::{
    check_size, get, get_i64, get_str, string, AttrDef, Attrs, ResourceDef, ResourceType,
};
use rand::rngs::OsRng;
use rand::Rng;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

pub struct Shuffle;

impl ResourceType for Shuffle {
    fn definition(&self) -> ResourceDef {
        ResourceDef {
            version: 0,
            description: "A random permutation of a list of strings.",
            attrs: vec![
                AttrDef::keepers(),
                AttrDef::optional("seed", Type::String)
                    .describe("Makes the permutation the same every time for the same seed."),
                AttrDef::required("input", Type::list(Type::String))
                    .describe("The strings to shuffle."),
                AttrDef::optional("result_count", Type::Number)
                    .describe("How many strings the result has (default: as many as the input)."),
                AttrDef::result("result", Type::list(Type::String))
                    .describe("The shuffled strings."),
                AttrDef::result("id", Type::String).describe("Always \"-\"; not meaningful."),
            ],
        }
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        let input: Vec<Value> = get(planned, "input")
            .as_seq()
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let count = match get(planned, "result_count") {
            count if count.is_null() => input.len() as i64,
            _ => get_i64(planned, "result_count").unwrap_or(0),
        };
        check_size("result_count", count)?;
        let mut result = Vec::new();
        if count > 0 && !input.is_empty() {
            let seed = get_str(planned, "seed").unwrap_or("");
            let mut generator = if seed.is_empty() {
                GoRand::new(OsRng.gen())
            } else {
                GoRand::from_seed_text(seed)
            };
            'batches: loop {
                for i in generator.perm(input.len()) {
                    result.push(input[i].clone());
                    if result.len() as i64 >= count {
                        break 'batches;
                    }
                }
            }
        }
        let mut state = planned.clone();
        state.insert("id".into(), string("-"));
        state.insert("result".into(), Value::list(Type::String, result));
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::value::{Type, Value};

    const T: &str = "random_shuffle";

    fn letters(items: &[&str]) -> Value {
        Value::list(
            Type::String,
            items.iter().map(|s| Value::string(*s)).collect(),
        )
    }

    fn result(state: &Value) -> Vec<String> {
        attr(state, "result")
            .as_seq()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn schema_shape() {
        let schema = crate::provider().schema().resources[T].clone();
        let a = &schema.block.attributes;
        assert!(a["input"].required && a["input"].force_new);
        assert_eq!(a["input"].ty, Type::list(Type::String));
        assert!(a["result_count"].optional && !a["result_count"].computed);
        assert!(a["result_count"].force_new && a["seed"].force_new);
        assert!(a["result"].computed && a["result"].ty == Type::list(Type::String));
    }

    #[tokio::test]
    async fn seeded_results_match_upstream() {
        // Upstream's acceptance tests, seed "-".
        let input = letters(&["a", "b", "c", "d", "e"]);
        let seed = ("seed", Value::string("-"));
        let state = create(T, &[("input", input.clone()), seed.clone()]).await;
        assert_eq!(result(&state), ["a", "c", "b", "e", "d"]);
        assert_eq!(str_attr(&state, "id"), "-");
        let shorter = create(
            T,
            &[
                ("input", input.clone()),
                seed.clone(),
                ("result_count", Value::int(3)),
            ],
        )
        .await;
        assert_eq!(result(&shorter), ["a", "c", "b"]);
        let longer = create(
            T,
            &[
                ("input", input.clone()),
                seed.clone(),
                ("result_count", Value::int(12)),
            ],
        )
        .await;
        assert_eq!(
            result(&longer),
            ["a", "c", "b", "e", "d", "a", "e", "d", "c", "b", "a", "b"]
        );
        let none = create(
            T,
            &[("input", input), seed, ("result_count", Value::int(0))],
        )
        .await;
        assert!(result(&none).is_empty());
    }

    #[tokio::test]
    async fn unseeded_is_a_permutation() {
        let null = Value::Null(Type::Dynamic);
        let config = config(T, &[("input", letters(&["x", "y", "z"]))]);
        let planned = plan(T, &null, &config).await;
        assert_eq!(
            attr(&planned.planned_state, "result"),
            Value::Unknown(Type::list(Type::String))
        );
        let state = apply(T, &null, &planned.planned_state, &config).await;
        let mut items = result(&state);
        items.sort();
        assert_eq!(items, ["x", "y", "z"]);
        let empty = create(T, &[("input", letters(&[]))]).await;
        assert!(result(&empty).is_empty());
    }

    #[tokio::test]
    async fn changes_replace() {
        let state = create(T, &[("input", letters(&["a", "b"]))]).await;
        let same = plan(T, &state, &config(T, &[("input", letters(&["a", "b"]))])).await;
        assert!(same.requires_replace.is_empty());
        let other = config(
            T,
            &[
                ("input", letters(&["b", "a"])),
                ("result_count", Value::int(1)),
            ],
        );
        assert_eq!(
            replaced(&plan(T, &state, &other).await),
            ["input", "result_count"]
        );
    }
}
