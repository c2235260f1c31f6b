//! How values and diagnostics are shown to a person: Terraform's console notation for
//! values, and diagnostics with or without colour.

use std::fmt::Write as _;
use terrane_engine::diag::{Diagnostic, Severity, Sources};
use terrane_engine::value::Value;

/// A value as `terraform console` prints it.
pub fn console_value(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push('$'),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

fn write_value(out: &mut String, v: &Value, indent: usize) {
    let pad = "  ".repeat(indent + 1);
    let end_pad = "  ".repeat(indent);
    match v {
        Value::Sensitive(_) => out.push_str("(sensitive value)"),
        Value::Null(_) => out.push_str("null"),
        Value::Unknown(_) => out.push_str("(known after apply)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => {
            if s.contains('\n') && indent == 0 {
                out.push_str("<<EOT\n");
                out.push_str(s);
                if !s.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("EOT");
            } else {
                out.push_str(&quote(s));
            }
        }
        Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => {
            let (open, close) = match v {
                Value::List(..) => ("tolist([", "])"),
                Value::Set(..) => ("toset([", "])"),
                _ => ("[", "]"),
            };
            out.push_str(open);
            if !e.is_empty() {
                out.push('\n');
                for x in e.iter() {
                    out.push_str(&pad);
                    write_value(out, x, indent + 1);
                    out.push_str(",\n");
                }
                out.push_str(&end_pad);
            }
            out.push_str(close);
        }
        Value::Map(_, m) | Value::Object(m) => {
            let (open, close) = if matches!(v, Value::Map(..)) {
                ("tomap({", "})")
            } else {
                ("{", "}")
            };
            out.push_str(open);
            if !m.is_empty() {
                out.push('\n');
                let width = m
                    .keys()
                    .map(|k| quote(k).chars().count())
                    .max()
                    .unwrap_or(0);
                for (k, x) in m.iter() {
                    let q = quote(k);
                    let _ = write!(out, "{pad}{q}{} = ", " ".repeat(width - q.chars().count()));
                    write_value(out, x, indent + 1);
                    out.push('\n');
                }
                out.push_str(&end_pad);
            }
            out.push_str(close);
        }
    }
}

/// Writes diagnostics to standard error, coloured when asked.
pub fn print_diagnostics<'a>(
    sources: &Sources,
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    color: bool,
) {
    if crate::json_ui::enabled() {
        for d in diags {
            crate::json_ui::diagnostic(sources, d);
        }
        return;
    }
    for d in diags {
        let text = sources.render(d);
        if color {
            let (c, label) = match d.severity {
                Severity::Error => ("\x1b[31m", "Error"),
                Severity::Warning => ("\x1b[33m", "Warning"),
            };
            let mut out = String::new();
            for line in text.lines() {
                let line = line.replacen(
                    &format!("{label}: "),
                    &format!("\x1b[1m{c}{label}: \x1b[0m\x1b[1m"),
                    1,
                );
                let line = if line.starts_with(['╷', '│', '╵']) {
                    let mut chars = line.chars();
                    let first = chars.next().unwrap_or(' ');
                    format!("{c}{first}\x1b[0m{}\x1b[0m", chars.as_str())
                } else {
                    line
                };
                out.push_str(&line);
                out.push('\n');
            }
            eprint!("{out}");
        } else {
            eprint!("{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::value::Type;

    #[test]
    fn console_notation() {
        let v = Value::tuple(vec![Value::int(1), "a".into()]);
        assert_eq!(console_value(&v), "[\n  1,\n  \"a\",\n]");
        let l = Value::list(Type::Number, vec![]);
        assert_eq!(console_value(&l), "tolist([])");
        let o = Value::object(
            [
                ("a".to_string(), Value::int(1)),
                ("bb".to_string(), "x".into()),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(console_value(&o), "{\n  \"a\"  = 1\n  \"bb\" = \"x\"\n}");
    }
}
