//! Plans as Terraform shows them: one block per resource instance with its action symbol,
//! attribute-level differences (nested values included), `(known after apply)` for
//! unknowns, `(sensitive value)` for sensitive ones, and the summary line.

use std::fmt::Write as _;
use terrane_engine::plan::{Action, Change};
use terrane_engine::value::Value;

/// Counts of a plan's actions: (add, change, destroy).
pub fn summary_counts(changes: &[Change]) -> (usize, usize, usize) {
    let mut add = 0;
    let mut change = 0;
    let mut destroy = 0;
    for c in changes {
        if c.mode == terrane_engine::config::ResourceMode::Data {
            continue;
        }
        match c.action {
            Action::Create => add += 1,
            Action::Update => change += 1,
            Action::Delete => destroy += 1,
            Action::DeleteThenCreate | Action::CreateThenDelete => {
                add += 1;
                destroy += 1;
            }
            Action::NoOp | Action::Read => {}
        }
    }
    (add, change, destroy)
}

/// The text of a plan's resource changes (empty when nothing changes).
pub fn render_changes(changes: &[Change]) -> String {
    let shown: Vec<&Change> = changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if shown.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let symbols: Vec<Action> = shown.iter().map(|c| c.action).collect();
    out.push_str("\nterrane used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n");
    for (action, line) in [
        (Action::Create, "  + create"),
        (Action::Update, "  ~ update in-place"),
        (Action::Delete, "  - destroy"),
        (
            Action::DeleteThenCreate,
            "-/+ destroy and then create replacement",
        ),
        (
            Action::CreateThenDelete,
            "+/- create replacement and then destroy",
        ),
        (Action::Read, " <= read (data resources)"),
    ] {
        if symbols.contains(&action) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("\nterrane will perform the following actions:\n");
    for c in shown {
        out.push('\n');
        render_change(&mut out, c);
    }
    out
}

fn render_change(out: &mut String, c: &Change) {
    let (headline, symbol) = match c.action {
        Action::Create => ("will be created", "  +"),
        Action::Update => ("will be updated in-place", "  ~"),
        Action::Delete => ("will be destroyed", "  -"),
        Action::DeleteThenCreate => ("must be replaced", "-/+"),
        Action::CreateThenDelete => ("must be replaced", "+/-"),
        Action::Read => ("will be read during apply", " <="),
        Action::NoOp => ("", "   "),
    };
    let reason = match c.reason.as_deref() {
        Some("tainted") => " (it is tainted, so must be replaced)".to_string(),
        Some("requested") => " (replacement requested)".to_string(),
        Some("replace_triggered_by") => " (replace_triggered_by found a change)".to_string(),
        Some(r) if c.action == Action::Delete => format!("\n  # (because {r})"),
        _ => String::new(),
    };
    let _ = writeln!(out, "  # {} {headline}{reason}", c.address);
    let kind = if c.mode == terrane_engine::config::ResourceMode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(out, "{symbol} {kind} \"{}\" \"{}\" {{", c.ty, c.name);
    render_object_diff(out, &c.before, &c.after, c, 6, &[]);
    out.push_str("    }\n");
}

/// The attribute lines of an object's change, indented by `indent`.
fn render_object_diff(
    out: &mut String,
    before: &Value,
    after: &Value,
    c: &Change,
    indent: usize,
    path: &[String],
) {
    let empty = std::collections::BTreeMap::new();
    let b = before.unmark().0.as_mapping().unwrap_or(&empty);
    let a = after.unmark().0.as_mapping().unwrap_or(&empty);
    let mut names: Vec<&String> = b.keys().chain(a.keys()).collect();
    names.sort();
    names.dedup();
    let lines: Vec<(&String, Option<&Value>, Option<&Value>)> = names
        .into_iter()
        .map(|n| {
            (
                n,
                b.get(n).filter(|v| !v.is_null()),
                a.get(n).filter(|v| !v.is_null() || !v.is_known()),
            )
        })
        .filter(|(_, x, y)| x.is_some() || y.is_some())
        .collect();
    let width = lines.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
    let pad = " ".repeat(indent);
    let mut unchanged = 0;
    for (name, old, new) in lines {
        let mut attr_path = path.to_vec();
        attr_path.push(name.clone());
        let forces = if c.replace_paths.contains(&attr_path) {
            " # forces replacement"
        } else {
            ""
        };
        let name_padded = format!("{name:<width$}");
        match (old, new) {
            (None, Some(n)) => {
                let _ = writeln!(out, "{}+ {name_padded} = {}{forces}", pad, show(n, indent));
            }
            (Some(o), None) => {
                let _ = writeln!(
                    out,
                    "{}- {name_padded} = {} -> null{forces}",
                    pad,
                    show(o, indent)
                );
            }
            (Some(o), Some(n)) => {
                if o.raw_equal(n) {
                    if matches!(c.action, Action::Delete) {
                        let _ =
                            writeln!(out, "{}- {name_padded} = {} -> null", pad, show(o, indent));
                    } else {
                        unchanged += 1;
                    }
                } else {
                    let _ = writeln!(
                        out,
                        "{}~ {name_padded} = {} -> {}{forces}",
                        pad,
                        show(o, indent),
                        show(n, indent)
                    );
                }
            }
            (None, None) => {}
        }
    }
    if unchanged > 0 {
        let noun = if unchanged == 1 {
            "attribute"
        } else {
            "attributes"
        };
        let _ = writeln!(out, "{pad}# ({unchanged} unchanged {noun} hidden)");
    }
}

/// A value in plan notation, nested values indented under `indent`.
fn show(v: &Value, indent: usize) -> String {
    if v.is_sensitive() {
        return "(sensitive value)".into();
    }
    if !v.is_known() {
        return "(known after apply)".into();
    }
    let text = crate::render::console_value(v);
    let pad = " ".repeat(indent);
    text.replace('\n', &format!("\n{pad}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::config::ResourceMode;
    use terrane_engine::value::Type;

    fn change(action: Action, before: Value, after: Value) -> Change {
        Change {
            address: "null_resource.a".into(),
            module: None,
            mode: ResourceMode::Managed,
            ty: "null_resource".into(),
            name: "a".into(),
            index_key: None,
            provider: "registry.terraform.io/hashicorp/null".into(),
            action,
            before,
            after,
            replace_paths: vec![vec!["triggers".into()]],
            reason: None,
        }
    }

    #[test]
    fn create_shows_unknowns_and_values() {
        let after = Value::object(
            [
                ("id".to_string(), Value::Unknown(Type::String)),
                ("name".to_string(), "x".into()),
            ]
            .into(),
        );
        let text = render_changes(&[change(Action::Create, Value::Null(Type::Dynamic), after)]);
        assert!(text.contains("# null_resource.a will be created"), "{text}");
        assert!(text.contains("+ id   = (known after apply)"), "{text}");
        assert!(text.contains("+ name = \"x\""), "{text}");
        assert_eq!(
            summary_counts(&[change(
                Action::Create,
                Value::Null(Type::Dynamic),
                Value::Null(Type::Dynamic)
            )]),
            (1, 0, 0)
        );
    }

    #[test]
    fn replace_marks_the_forcing_attribute_and_hides_sensitive_values() {
        let before = Value::object(
            [
                ("triggers".to_string(), "1".into()),
                ("secret".to_string(), Value::string("s").mark()),
            ]
            .into(),
        );
        let after = Value::object(
            [
                ("triggers".to_string(), "2".into()),
                ("secret".to_string(), Value::string("t").mark()),
            ]
            .into(),
        );
        let text = render_changes(&[change(Action::DeleteThenCreate, before, after)]);
        assert!(
            text.contains("~ triggers = \"1\" -> \"2\" # forces replacement"),
            "{text}"
        );
        assert!(
            text.contains("(sensitive value) -> (sensitive value)"),
            "{text}"
        );
        assert!(!text.contains("\"s\""), "{text}");
    }
}
