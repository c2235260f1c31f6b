//! Random text from character classes, as `random_string` and `random_password` make it:
//! first the minimum count of each class (drawn from that class whether or not the class is
//! enabled, as upstream does), then the rest from the union of the enabled classes, then the
//! characters shuffled. Characters are Unicode scalar values, so a multi-byte
//! `override_special` counts one per character.

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;

const NUMERIC: &str = "0123456789";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The special characters used unless `override_special` is set (and not empty).
pub const DEFAULT_SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

/// What to generate.
#[derive(Clone, Debug, Default)]
pub struct StringParams {
    pub length: i64,
    pub upper: bool,
    pub min_upper: i64,
    pub lower: bool,
    pub min_lower: i64,
    pub numeric: bool,
    pub min_numeric: i64,
    pub special: bool,
    pub min_special: i64,
    pub override_special: String,
}

/// Generates the text, or says why it cannot.
pub fn generate(params: &StringParams) -> Result<String, String> {
    let special = if params.override_special.is_empty() {
        DEFAULT_SPECIAL
    } else {
        params.override_special.as_str()
    };
    let mut enabled = String::new();
    for (on, class) in [
        (params.upper, UPPER),
        (params.lower, LOWER),
        (params.numeric, NUMERIC),
        (params.special, special),
    ] {
        if on {
            enabled.push_str(class);
        }
    }
    if enabled.is_empty() {
        return Err("the character set specified is empty".into());
    }
    // Upstream keys the minimums by class text, so a special set equal to another class
    // replaces that class's minimum.
    let mut minimums: Vec<(&str, i64)> = Vec::new();
    for (class, min) in [
        (NUMERIC, params.min_numeric),
        (LOWER, params.min_lower),
        (UPPER, params.min_upper),
        (special, params.min_special),
    ] {
        match minimums.iter_mut().find(|(c, _)| *c == class) {
            Some(entry) => entry.1 = min,
            None => minimums.push((class, min)),
        }
    }
    let mut result = Vec::new();
    for (class, min) in minimums {
        draw(class, min, &mut result)?;
    }
    let rest = params.length - result.len() as i64;
    draw(&enabled, rest, &mut result)?;
    result.shuffle(&mut OsRng);
    Ok(result.into_iter().collect())
}

/// Appends `count` characters drawn uniformly from `class`.
fn draw(class: &str, count: i64, out: &mut Vec<char>) -> Result<(), String> {
    if count < 0 {
        return Err(format!(
            "cannot generate a negative number of characters ({count}): the length must be at \
             least the sum of the minimums"
        ));
    }
    let chars: Vec<char> = class.chars().collect();
    if chars.is_empty() {
        return if count > 0 {
            Err("charSet is empty".into())
        } else {
            Ok(())
        };
    }
    for _ in 0..count {
        out.push(chars[OsRng.gen_range(0..chars.len())]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_classes(length: i64) -> StringParams {
        StringParams {
            length,
            upper: true,
            lower: true,
            numeric: true,
            special: true,
            ..Default::default()
        }
    }

    #[test]
    fn length_and_charset() {
        let text = generate(&all_classes(64)).unwrap();
        assert_eq!(text.chars().count(), 64);
        assert!(text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || DEFAULT_SPECIAL.contains(c)));
    }

    #[test]
    fn minimums_are_met() {
        let params = StringParams {
            length: 12,
            min_upper: 3,
            min_lower: 3,
            min_numeric: 3,
            min_special: 3,
            ..all_classes(12)
        };
        for _ in 0..20 {
            let text = generate(&params).unwrap();
            assert!(text.chars().filter(char::is_ascii_uppercase).count() >= 3);
            assert!(text.chars().filter(char::is_ascii_lowercase).count() >= 3);
            assert!(text.chars().filter(char::is_ascii_digit).count() >= 3);
            assert!(
                text.chars()
                    .filter(|c| DEFAULT_SPECIAL.contains(*c))
                    .count()
                    >= 3
            );
        }
    }

    #[test]
    fn minimums_apply_to_disabled_classes() {
        let params = StringParams {
            length: 6,
            lower: true,
            min_upper: 2,
            ..Default::default()
        };
        let text = generate(&params).unwrap();
        assert_eq!(text.chars().filter(char::is_ascii_uppercase).count(), 2);
        assert_eq!(text.chars().filter(char::is_ascii_lowercase).count(), 4);
    }

    #[test]
    fn multi_byte_special_characters_count_once() {
        let params = StringParams {
            length: 10,
            special: true,
            min_special: 5,
            override_special: "°".into(),
            ..Default::default()
        };
        assert_eq!(generate(&params).unwrap(), "°".repeat(10));
    }

    #[test]
    fn errors() {
        assert!(generate(&StringParams {
            length: 5,
            ..Default::default()
        })
        .is_err());
        assert!(generate(&StringParams {
            min_upper: 4,
            ..all_classes(2)
        })
        .is_err());
    }
}
