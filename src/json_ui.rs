//! `-json` on plan, apply and destroy: Terraform's machine-readable UI, one JSON object per
//! line (`version`, `planned_change`, `change_summary`, `apply_start`, `apply_progress`,
//! `apply_complete`, `apply_errored`, `refresh_complete`, `outputs`, `diagnostic`), each
//! with `@level`, `@message`, `@module` and `@timestamp`.

use serde_json::{json, Map, Value as Json};
use std::sync::atomic::{AtomicBool, Ordering};
use terrane_engine::diag::{Diagnostic, Severity, Sources};
use terrane_engine::plan::walk::Event;
use terrane_engine::plan::{Action, Change};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// The UI version the lines follow (Terraform's machine-readable UI).
const UI_VERSION: &str = "1.2";

/// Switches the process to JSON lines (diagnostics included).
pub fn enable() {
    ENABLED.store(true, Ordering::SeqCst);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::SeqCst)
}

/// Now as RFC 3339 in UTC with microseconds.
fn timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Prints one line.
fn emit(level: &str, message: &str, kind: &str, fields: Map<String, Json>) {
    let mut line = Map::new();
    line.insert("@level".into(), json!(level));
    line.insert("@message".into(), json!(message));
    line.insert("@module".into(), json!("terraform.ui"));
    line.insert("@timestamp".into(), json!(timestamp()));
    line.extend(fields);
    line.insert("type".into(), json!(kind));
    println!("{}", Json::Object(line));
}

fn fields(pairs: &[(&str, Json)]) -> Map<String, Json> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// The first line of every run.
pub fn version() {
    let v = env!("CARGO_PKG_VERSION");
    emit(
        "info",
        &format!("terrane {v}"),
        "version",
        fields(&[("terraform", json!(v)), ("ui", json!(UI_VERSION))]),
    );
}

/// The parts of an instance address (`module.a["x"].aws_b.c[0]`) at top-level dots.
fn segments(address: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0usize, false, false, 0usize);
    for (i, c) in address.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                out.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&address[start..]);
    out
}

/// Terraform's description of a resource instance in UI lines.
pub fn resource(address: &str) -> Json {
    let parts = segments(address);
    let mut module = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        module.push(format!("module.{}", parts[i + 1]));
        i += 2;
    }
    let rest = &parts[i..];
    let (ty, last) = match rest {
        ["data", ty, last] => (*ty, *last),
        [ty, last] => (*ty, *last),
        _ => ("", ""),
    };
    let (name, key) = match last.find('[') {
        Some(k) if last.ends_with(']') => {
            let inner = &last[k + 1..last.len() - 1];
            let key = serde_json::from_str::<Json>(inner).unwrap_or(json!(inner));
            (&last[..k], key)
        }
        _ => (last, Json::Null),
    };
    json!({
        "addr": address,
        "module": module.join("."),
        "resource": rest.join("."),
        "implied_provider": ty.split('_').next().unwrap_or_default(),
        "resource_type": ty,
        "resource_name": name,
        "resource_key": key,
    })
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::Read => "read",
        Action::NoOp => "noop",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
    }
}

/// One `planned_change` line per change that does something.
pub fn planned_changes(changes: &[Change]) {
    for c in changes.iter().filter(|c| c.action != Action::NoOp) {
        let verb = match c.action {
            Action::Create => "Plan to create",
            Action::Update => "Plan to update",
            Action::Delete => "Plan to delete",
            Action::Read => "Plan to read",
            _ => "Plan to replace",
        };
        let mut change = fields(&[
            ("resource", resource(&c.address)),
            ("action", json!(action_name(c.action))),
        ]);
        let reason = match c.reason.as_deref() {
            Some("tainted") => Some("tainted"),
            Some("requested") => Some("requested"),
            Some("replace_triggered_by") => Some("replace_by_triggers"),
            Some("no longer in configuration") => Some("delete_because_no_resource_config"),
            _ if !c.replace_paths.is_empty() => Some("cannot_update"),
            _ => None,
        };
        if let Some(reason) = reason {
            change.insert("reason".into(), json!(reason));
        }
        emit(
            "info",
            &format!("{}: {verb}", c.address),
            "planned_change",
            fields(&[("change", Json::Object(change))]),
        );
    }
}

/// The `change_summary` line of a plan (`operation` "plan") or an apply ("apply" or
/// "destroy").
pub fn change_summary(add: usize, change: usize, remove: usize, operation: &str, message: &str) {
    emit(
        "info",
        message,
        "change_summary",
        fields(&[(
            "changes",
            json!({"add": add, "change": change, "remove": remove, "operation": operation}),
        )]),
    );
}

/// The `outputs` line after an apply: each output's value (sensitive ones without it).
pub fn outputs(outputs: &Map<String, Json>) {
    let mut shown = Map::new();
    for (name, o) in outputs {
        let sensitive = o["sensitive"].as_bool().unwrap_or(false);
        let mut entry = fields(&[("sensitive", json!(sensitive)), ("type", o["type"].clone())]);
        if !sensitive {
            entry.insert("value".into(), o["value"].clone());
        }
        shown.insert(name.clone(), Json::Object(entry));
    }
    emit(
        "info",
        &format!("Outputs: {}", shown.len()),
        "outputs",
        fields(&[("outputs", Json::Object(shown))]),
    );
}

/// A `diagnostic` line.
pub fn diagnostic(sources: &Sources, d: &Diagnostic) {
    let (level, label) = match d.severity {
        Severity::Error => ("error", "Error"),
        Severity::Warning => ("warn", "Warning"),
    };
    emit(
        level,
        &format!("{label}: {}", d.summary),
        "diagnostic",
        fields(&[("diagnostic", sources.to_json(d))]),
    );
}

/// The hook line of an apply event.
pub fn event(e: &Event) {
    let message = crate::progress::line(e);
    let id_fields = |id: &Option<String>, hook: &mut Map<String, Json>| {
        if let Some(id) = id {
            hook.insert("id_key".into(), json!("id"));
            hook.insert("id_value".into(), json!(id));
        }
    };
    let (level, kind, hook) = match e {
        Event::ApplyStart {
            address,
            action,
            id,
        } => {
            let mut hook = fields(&[
                ("resource", resource(address)),
                ("action", json!(action_name(*action))),
            ]);
            id_fields(id, &mut hook);
            ("info", "apply_start", hook)
        }
        Event::ApplyProgress {
            address,
            action,
            elapsed,
        } => (
            "info",
            "apply_progress",
            fields(&[
                ("resource", resource(address)),
                ("action", json!(action_name(*action))),
                ("elapsed_seconds", json!(elapsed.as_secs())),
            ]),
        ),
        Event::ApplyComplete {
            address,
            action,
            id,
            elapsed,
        } => {
            let mut hook = fields(&[
                ("resource", resource(address)),
                ("action", json!(action_name(*action))),
            ]);
            id_fields(id, &mut hook);
            hook.insert("elapsed_seconds".into(), json!(elapsed.as_secs()));
            ("info", "apply_complete", hook)
        }
        Event::ApplyErrored {
            address,
            action,
            elapsed,
        } => (
            "error",
            "apply_errored",
            fields(&[
                ("resource", resource(address)),
                ("action", json!(action_name(*action))),
                ("elapsed_seconds", json!(elapsed.as_secs())),
            ]),
        ),
        Event::RefreshComplete { address, id } => {
            let mut hook = fields(&[("resource", resource(address))]);
            id_fields(id, &mut hook);
            ("info", "refresh_complete", hook)
        }
    };
    let message = match e {
        Event::ApplyErrored {
            address,
            action,
            elapsed,
        } => format!(
            "{address}: {} errored after {}",
            match action {
                Action::Create => "Creation",
                Action::Update => "Modifications",
                Action::Delete => "Destruction",
                _ => "Read",
            },
            crate::progress::duration(*elapsed)
        ),
        Event::RefreshComplete { address, .. } => format!("{address}: Refresh complete"),
        _ => message,
    };
    emit(
        level,
        &message,
        kind,
        fields(&[("hook", Json::Object(hook))]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_described_like_terraform() {
        assert_eq!(
            resource("module.a[\"x.y\"].null_resource.b[0]"),
            json!({
                "addr": "module.a[\"x.y\"].null_resource.b[0]",
                "module": "module.a[\"x.y\"]",
                "resource": "null_resource.b[0]",
                "implied_provider": "null",
                "resource_type": "null_resource",
                "resource_name": "b",
                "resource_key": 0,
            })
        );
        let data = resource("data.azurerm_client_config.current");
        assert_eq!(data["resource_type"], "azurerm_client_config");
        assert_eq!(data["resource"], "data.azurerm_client_config.current");
        assert_eq!(data["resource_key"], Json::Null);
        assert_eq!(resource("random_id.k[\"a\"]")["resource_key"], "a");
    }
}
