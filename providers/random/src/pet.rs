//! `random_pet`: a random name of words joined by a separator, like upstream's petnames:
//! one word is an animal name, two are an adjective and a name, and more put adverbs before
//! the adjective and name. The word lists are terrane's own (`words/`), of sizes like
//! upstream's. Not importable.

use crate::resource::{
    check_size, get, get_str, require_i64, string, AttrDef, Attrs, ResourceDef, ResourceType,
};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use std::sync::OnceLock;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

pub struct Pet;

/// The word lists, one word a line.
struct Words {
    adjectives: Vec<&'static str>,
    adverbs: Vec<&'static str>,
    names: Vec<&'static str>,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let lines = |text: &'static str| -> Vec<&'static str> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        };
        Words {
            adjectives: lines(include_str!("../words/adjectives.txt")),
            adverbs: lines(include_str!("../words/adverbs.txt")),
            names: lines(include_str!("../words/names.txt")),
        }
    })
}

fn pick(list: &[&'static str]) -> &'static str {
    list.choose(&mut OsRng).copied().unwrap_or("pet")
}

/// A pet name of `length` words: lengths below 1 give two words, as upstream's do.
fn pet_name(length: i64, separator: &str) -> String {
    let words = words();
    let parts: Vec<&str> = if length == 1 {
        vec![pick(&words.names)]
    } else {
        let adverbs = (length - 2).max(0) as usize;
        (0..adverbs)
            .map(|_| pick(&words.adverbs))
            .chain([pick(&words.adjectives), pick(&words.names)])
            .collect()
    };
    parts.join(separator)
}

impl ResourceType for Pet {
    fn definition(&self) -> ResourceDef {
        ResourceDef {
            version: 0,
            description: "A random name of words, such as \"brave-otter\".",
            attrs: vec![
                AttrDef::keepers(),
                AttrDef::defaulted("length", Value::int(2))
                    .describe("How many words the name has (default 2)."),
                AttrDef::optional("prefix", Type::String)
                    .describe("A word put before the name, followed by the separator."),
                AttrDef::defaulted("separator", Value::string("-"))
                    .describe("The text between words (default \"-\")."),
                AttrDef::result("id", Type::String).describe("The name."),
            ],
        }
    }

    fn create(&self, planned: &Attrs) -> Result<Attrs, Diagnostics> {
        let length = require_i64(planned, "length")?;
        check_size("length", length.max(0))?;
        let separator = get_str(planned, "separator").unwrap_or("");
        let prefix = get_str(planned, "prefix").unwrap_or("");
        let mut name = pet_name(length, separator).to_lowercase();
        // Upstream stores an empty prefix as null.
        let prefix_value = if prefix.is_empty() {
            Value::Null(Type::String)
        } else {
            name = format!("{prefix}{separator}{name}");
            string(prefix)
        };
        Ok(Attrs::from([
            ("keepers".to_string(), get(planned, "keepers")),
            ("length".to_string(), Value::int(length)),
            ("separator".to_string(), string(separator)),
            ("prefix".to_string(), prefix_value),
            ("id".to_string(), string(name)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::words;
    use crate::test_support::*;
    use std::collections::HashSet;
    use terrane_engine::value::{Type, Value};

    const T: &str = "random_pet";

    #[test]
    fn word_lists() {
        let w = words();
        for (list, min) in [(&w.adjectives, 400), (&w.adverbs, 240), (&w.names, 400)] {
            assert!(list.len() >= min);
            assert_eq!(list.iter().collect::<HashSet<_>>().len(), list.len());
            assert!(list
                .iter()
                .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase())));
        }
    }

    #[test]
    fn schema_shape() {
        let schema = crate::provider().schema().resources[T].clone();
        let a = &schema.block.attributes;
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            ["id", "keepers", "length", "prefix", "separator"]
        );
        assert!(a["length"].optional && a["length"].computed && a["length"].force_new);
        assert!(a["separator"].optional && a["separator"].computed && a["separator"].force_new);
        assert!(a["prefix"].optional && !a["prefix"].computed && a["prefix"].force_new);
        assert!(a["id"].computed);
    }

    #[tokio::test]
    async fn plan_applies_defaults() {
        let plan = plan(T, &Value::Null(Type::Dynamic), &config(T, &[])).await;
        assert_eq!(attr(&plan.planned_state, "length"), Value::int(2));
        assert_eq!(attr(&plan.planned_state, "separator"), Value::string("-"));
        assert_eq!(
            attr(&plan.planned_state, "id"),
            Value::Unknown(Type::String)
        );
    }

    #[tokio::test]
    async fn name_formats() {
        let w = words();
        let two = str_attr(&create(T, &[]).await, "id");
        let parts: Vec<&str> = two.split('-').collect();
        assert_eq!(parts.len(), 2);
        assert!(w.adjectives.contains(&parts[0]) && w.names.contains(&parts[1]));

        let one = str_attr(&create(T, &[("length", Value::int(1))]).await, "id");
        assert!(w.names.contains(&one.as_str()));

        let four = create(
            T,
            &[
                ("length", Value::int(4)),
                ("separator", "_".into()),
                ("prefix", "app".into()),
            ],
        )
        .await;
        let id = str_attr(&four, "id");
        let parts: Vec<&str> = id.split('_').collect();
        assert_eq!(parts.len(), 5);
        assert_eq!(parts[0], "app");
        assert!(w.adverbs.contains(&parts[1]) && w.adverbs.contains(&parts[2]));
        assert!(w.adjectives.contains(&parts[3]) && w.names.contains(&parts[4]));
        assert_eq!(str_attr(&four, "prefix"), "app");

        let empty_prefix = create(T, &[("prefix", "".into())]).await;
        assert_eq!(attr(&empty_prefix, "prefix"), Value::Null(Type::String));
        assert_eq!(str_attr(&empty_prefix, "id").split('-').count(), 2);
        let zero = str_attr(&create(T, &[("length", Value::int(0))]).await, "id");
        assert_eq!(zero.split('-').count(), 2);
    }

    #[tokio::test]
    async fn replace_and_import() {
        let state = create(T, &[]).await;
        let same = plan(T, &state, &config(T, &[("separator", "-".into())])).await;
        assert!(same.requires_replace.is_empty());
        assert_eq!(same.planned_state, state);
        let longer = plan(T, &state, &config(T, &[("length", Value::int(3))])).await;
        assert_eq!(replaced(&longer), ["length"]);
        let keepers = config(T, &[("keepers", string_map(&[("a", "b")]))]);
        assert_eq!(replaced(&plan(T, &state, &keepers).await), ["keepers"]);
        assert!(crate::provider().import(T, "x").await.is_err());
    }
}
