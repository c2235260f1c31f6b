//! `terrane output [-json|-raw] [NAME]`: the root module's outputs from the workspace's
//! state, in Terraform's formats.

use super::{current_workspace, cwd, parse_flags, CommandResult, Failure};
use crate::flags::Spec;
use crate::render::console_value;
use serde_json::Value as Json;
use terrane_engine::json::value_from_json;
use terrane_engine::value::Type;
use terrane_state::{workspace_state_path, State};

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["json", "raw", "no-color"],
            values: &["state"],
        },
    )?;
    let dir = cwd();
    let path = match flags.value("state") {
        Some(p) => dir.join(p),
        None => workspace_state_path(&dir, &current_workspace()),
    };
    let state = State::read(&path).map_err(|e| Failure::Message(e.to_string()))?;
    let outputs = state
        .as_ref()
        .map(|s| s.outputs.clone())
        .unwrap_or_default();
    let json = flags.flag("json");
    let raw = flags.flag("raw");
    match flags.positional.first() {
        None => {
            if raw {
                return Err(Failure::Message(
                    "The -raw option requires a single output name.".into(),
                ));
            }
            if json {
                let mut sorted: Vec<(&String, &Json)> = outputs.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(b.0));
                let mut doc = serde_json::Map::new();
                for (name, o) in sorted {
                    doc.insert(
                        name.clone(),
                        serde_json::json!({
                            "sensitive": o.get("sensitive").and_then(Json::as_bool).unwrap_or(false),
                            "type": o.get("type").cloned().unwrap_or(Json::Null),
                            "value": o.get("value").cloned().unwrap_or(Json::Null),
                        }),
                    );
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&Json::Object(doc)).expect("json")
                );
                return Ok(0);
            }
            if outputs.is_empty() {
                eprintln!("╷\n│ Warning: No outputs found\n│ \n│ The state file either has no outputs defined, or all the defined outputs are\n│ empty. Please define an output in your configuration with the `output`\n│ keyword and run `terrane refresh` for it to become available. If you are\n│ using interpolation, please verify the interpolated value is not empty. You\n│ can use the `terrane show` command to view the entire state.\n╵");
                return Ok(0);
            }
            for line in render_all(state.as_ref().expect("outputs come from a state")) {
                println!("{line}");
            }
            Ok(0)
        }
        Some(name) => {
            let Some(o) = outputs.get(name) else {
                return Err(Failure::Message(format!(
                    "Output {name:?} not found. The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `terrane apply`, since the state won't be updated with new output variables until that command is run."
                )));
            };
            let value_json = o.get("value").cloned().unwrap_or(Json::Null);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&value_json).expect("json")
                );
                return Ok(0);
            }
            let ty = o
                .get("type")
                .and_then(Type::from_json)
                .unwrap_or(Type::Dynamic);
            let value = value_from_json(&value_json, &ty).map_err(Failure::Message)?;
            if raw {
                return match &value {
                    terrane_engine::value::Value::String(s) => {
                        print!("{s}");
                        Ok(0)
                    }
                    terrane_engine::value::Value::Number(n) => {
                        print!("{n}");
                        Ok(0)
                    }
                    terrane_engine::value::Value::Bool(b) => {
                        print!("{b}");
                        Ok(0)
                    }
                    v if v.is_null() => Err(Failure::Message(format!("Unsupported value for raw output: the value for output {name:?} is null, so -raw mode cannot print it."))),
                    _ => Err(Failure::Message(format!("Unsupported value for raw output: the value for output {name:?} is of type {}; -raw only prints strings, numbers and bools. Use -json instead.", ty.friendly_name()))),
                };
            }
            println!("{}", console_value(&value));
            Ok(0)
        }
    }
}

/// Every output as `name = value` lines, sensitive ones hidden, sorted by name.
pub fn render_all(state: &State) -> Vec<String> {
    let mut names: Vec<&String> = state.outputs.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let o = &state.outputs[name];
            if o.get("sensitive").and_then(Json::as_bool).unwrap_or(false) {
                return format!("{name} = <sensitive>");
            }
            let ty = o
                .get("type")
                .and_then(Type::from_json)
                .unwrap_or(Type::Dynamic);
            let shown = value_from_json(o.get("value").unwrap_or(&Json::Null), &ty)
                .map(|v| console_value(&v))
                .unwrap_or_else(|e| format!("(unreadable: {e})"));
            format!("{name} = {shown}")
        })
        .collect()
}
