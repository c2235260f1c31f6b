//! Command-line flags in Terraform's style (Go's `flag` package): `-name`, `-name=value`,
//! `-name value`, also with two dashes, and `-flag=false` for booleans; flags stop at the
//! first positional argument or at `--`.

use std::collections::HashMap;

/// What a command accepts.
pub struct Spec {
    pub bools: &'static [&'static str],
    pub values: &'static [&'static str],
}

/// Parsed flags: booleans, the last value of each valued flag, every value of repeatable
/// flags in order, and positional arguments.
#[derive(Default, Debug)]
pub struct Flags {
    bools: HashMap<String, bool>,
    values: Vec<(String, String)>,
    pub positional: Vec<String>,
}

impl Flags {
    pub fn parse(args: &[String], spec: &Spec) -> Result<Flags, String> {
        let mut f = Flags::default();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                f.positional.extend(args[i + 1..].iter().cloned());
                break;
            }
            let Some(body) = a
                .strip_prefix("--")
                .or_else(|| a.strip_prefix('-'))
                .filter(|b| !b.is_empty())
            else {
                f.positional.push(a.clone());
                i += 1;
                continue;
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if spec.bools.contains(&name) {
                let v = match inline.as_deref() {
                    None | Some("true") | Some("1") | Some("t") | Some("T") | Some("TRUE")
                    | Some("True") => true,
                    Some("false") | Some("0") | Some("f") | Some("F") | Some("FALSE")
                    | Some("False") => false,
                    Some(other) => {
                        return Err(format!("invalid boolean value {other:?} for -{name}"))
                    }
                };
                f.bools.insert(name.to_string(), v);
            } else if spec.values.contains(&name) {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("flag needs an argument: -{name}"))?
                    }
                };
                f.values.push((name.to_string(), v));
            } else {
                return Err(format!("flag provided but not defined: -{name}"));
            }
            i += 1;
        }
        Ok(f)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.bools.get(name).copied().unwrap_or(false)
    }

    /// A boolean that defaults to true unless set to false (`-input=false`).
    pub fn flag_default_true(&self, name: &str) -> bool {
        self.bools.get(name).copied().unwrap_or(true)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every occurrence of the named flags, in command-line order.
    pub fn all<'a>(&'a self, names: &'a [&str]) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.values
            .iter()
            .filter(|(n, _)| names.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// Splits `TF_CLI_ARGS`-style text into arguments, honouring single and double quotes.
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        bools: &["auto-approve", "input"],
        values: &["var", "out"],
    };

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn terraform_style_flags() {
        let f = Flags::parse(
            &args(&[
                "-auto-approve",
                "-input=false",
                "-var",
                "a=1",
                "--var=b=2",
                "plan.out",
            ]),
            &SPEC,
        )
        .unwrap();
        assert!(f.flag("auto-approve"));
        assert!(!f.flag_default_true("input"));
        let vars: Vec<_> = f.all(&["var"]).map(|(_, v)| v).collect();
        assert_eq!(vars, ["a=1", "b=2"]);
        assert_eq!(f.positional, ["plan.out"]);
    }

    #[test]
    fn unknown_flag_is_an_error() {
        assert!(Flags::parse(&args(&["-nope"]), &SPEC).is_err());
    }

    #[test]
    fn words_with_quotes() {
        assert_eq!(
            split_words(r#"-var 'a=b c' -x="y z""#),
            ["-var", "a=b c", "-x=y z"]
        );
    }
}
