//! `terrane show [-json] [PLANFILE]`: a saved plan, or the current state, in Terraform's
//! JSON representation (or as text).

use super::{current_workspace, cwd, parse_flags, CommandResult, Failure};
use crate::flags::Spec;
use serde_json::{json, Value as Json};
use terrane_state::{workspace_state_path, State};

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["json", "no-color"],
            values: &["state"],
        },
    )?;
    let doc = match flags.positional.first() {
        Some(file) => super::apply::saved_plan_document(&cwd().join(file))?,
        None => {
            let path = match flags.value("state") {
                Some(p) => cwd().join(p),
                None => workspace_state_path(&cwd(), &current_workspace()),
            };
            match State::read(&path).map_err(|e| Failure::Message(e.to_string()))? {
                Some(state) => state_document(&state),
                None => json!({"format_version": "1.0"}),
            }
        }
    };
    if flags.flag("json") {
        println!("{}", serde_json::to_string(&doc).expect("json"));
    } else {
        println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
    }
    Ok(0)
}

/// A state in Terraform's JSON values representation.
pub fn state_document(state: &State) -> Json {
    let mut root = Vec::new();
    let mut children: std::collections::BTreeMap<String, Vec<Json>> =
        std::collections::BTreeMap::new();
    for r in &state.resources {
        for i in &r.instances {
            let base = if r.mode == "data" {
                format!("data.{}.{}", r.ty, r.name)
            } else {
                format!("{}.{}", r.ty, r.name)
            };
            let key = match &i.index_key {
                Some(Json::Number(n)) => format!("[{n}]"),
                Some(Json::String(s)) => format!("[{s:?}]"),
                _ => String::new(),
            };
            let address = match &r.module {
                Some(m) => format!("{m}.{base}{key}"),
                None => format!("{base}{key}"),
            };
            let mut entry = json!({
                "address": address,
                "mode": r.mode,
                "type": r.ty,
                "name": r.name,
                "provider_name": r.provider.trim_start_matches("provider[\"").trim_end_matches("\"]"),
                "schema_version": i.schema_version,
                "values": i.attributes,
                "sensitive_values": {},
            });
            if let Some(k) = &i.index_key {
                entry["index"] = k.clone();
            }
            if i.status.as_deref() == Some("tainted") {
                entry["tainted"] = json!(true);
            }
            match &r.module {
                Some(m) => children.entry(m.clone()).or_default().push(entry),
                None => root.push(entry),
            }
        }
    }
    let mut root_module = json!({ "resources": root });
    if !children.is_empty() {
        root_module["child_modules"] = Json::Array(
            children
                .into_iter()
                .map(|(address, resources)| json!({"address": address, "resources": resources}))
                .collect(),
        );
    }
    let outputs: serde_json::Map<String, Json> = state
        .outputs
        .iter()
        .map(|(k, o)| {
            (k.clone(), json!({"sensitive": o.get("sensitive").cloned().unwrap_or(json!(false)), "value": o["value"].clone(), "type": o["type"].clone()}))
        })
        .collect();
    json!({
        "format_version": "1.0",
        "terraform_version": state.terraform_version,
        "values": { "outputs": outputs, "root_module": root_module },
    })
}
