//! `terrane plan`, `apply` and `destroy` for configurations without managed resources:
//! input variables are gathered, the module tree is evaluated, and the root module's
//! outputs are compared with and written to the workspace's state.

use super::{
    check, collect_root_variables, confirm, current_workspace, cwd, load, operation_blockers,
    parse_flags, use_color, CommandResult, Failure,
};
use crate::flags::{Flags, Spec};
use crate::render::console_value;
use serde_json::Value as Json;
use std::io::IsTerminal;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics, Sources};
use terrane_engine::eval::module::{evaluate_tree, Mode, Settings};
use terrane_engine::json::value_to_json;
use terrane_engine::value::Value;
use terrane_state::{workspace_state_path, OutputValue, State};

const SPEC: Spec = Spec {
    bools: &[
        "auto-approve",
        "input",
        "no-color",
        "json",
        "lock",
        "refresh",
        "refresh-only",
        "detailed-exitcode",
        "destroy",
        "compact-warnings",
    ],
    values: &[
        "var",
        "var-file",
        "out",
        "lock-timeout",
        "parallelism",
        "target",
        "replace",
        "state",
    ],
};

/// One root output's planned change.
struct OutputChange {
    name: String,
    before: Option<Json>,
    after: Option<(Value, bool)>,
}

/// What a plan decides for the root outputs.
struct Planned {
    state_path: std::path::PathBuf,
    prior: Option<State>,
    changes: Vec<OutputChange>,
    new_outputs: serde_json::Map<String, Json>,
}

fn plan(flags: &Flags, destroy: bool, color: bool) -> Result<Planned, Failure> {
    let dir = cwd();
    let loaded = load(&dir);
    let mut diags = loaded.diagnostics.clone();
    diags.extend(operation_blockers(&loaded.module));
    check(&loaded.sources, &diags, color)?;

    let (mut vars, var_diags) = collect_root_variables(&loaded.module, &dir, flags);
    let all_sources = merge_sources(&loaded.sources, &vars.files);
    check(&all_sources, &var_diags, color)?;
    prompt_missing(&loaded.module, &mut vars.values, flags)?;

    let settings = Settings {
        mode: Mode::Apply,
        workspace: current_workspace(),
        cwd: dir.clone(),
        files: Arc::new(terrane_engine::functions::RealFiles),
        plan_timestamp: now_rfc3339(),
    };
    let eval = evaluate_tree(loaded.module.clone(), vars.values, settings);
    check(&all_sources, &eval.diagnostics, color)?;

    let state_path = match flags.value("state") {
        Some(p) => dir.join(p),
        None => workspace_state_path(&dir, &current_workspace()),
    };
    let prior = State::read(&state_path).map_err(|e| Failure::Message(e.to_string()))?;
    let prior_outputs = prior
        .as_ref()
        .map(|s| s.outputs.clone())
        .unwrap_or_default();
    let mut changes = Vec::new();
    let mut new_outputs = serde_json::Map::new();
    let mut errors = Diagnostics::new();
    if !destroy {
        for (name, value, sensitive) in eval.root_outputs() {
            // Terraform keeps no record of an output whose value is null.
            if value.is_null() {
                continue;
            }
            let (plain, _) = value.unmark_deep();
            let json = match value_to_json(&plain) {
                Ok(j) => j,
                Err(e) => {
                    errors.push(Diagnostic::error(
                        "Failed to serialize output value",
                        format!("The value of output {name:?} cannot be saved in the state: {e}."),
                    ));
                    continue;
                }
            };
            let recorded = serde_json::to_value(OutputValue {
                value: json,
                ty: plain.ty().to_json(),
                sensitive: sensitive || value.contains_sensitive(),
            })
            .expect("output serializes");
            let before = prior_outputs.get(&name).cloned();
            if before.as_ref() != Some(&recorded) {
                changes.push(OutputChange {
                    name: name.clone(),
                    before: before.map(|b| b["value"].clone()),
                    after: Some((value.clone(), sensitive)),
                });
            }
            new_outputs.insert(name, recorded);
        }
    }
    for (name, old) in &prior_outputs {
        if !new_outputs.contains_key(name) {
            changes.push(OutputChange {
                name: name.clone(),
                before: Some(old["value"].clone()),
                after: None,
            });
        }
    }
    check(&all_sources, &errors, color)?;
    changes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Planned {
        state_path,
        prior,
        changes,
        new_outputs,
    })
}

/// The configuration's sources plus the variable files read, for snippets.
fn merge_sources(base: &Sources, extra: &[Arc<terrane_engine::diag::SourceFile>]) -> Sources {
    let mut s = base.clone();
    for f in extra {
        s.add(f.clone());
    }
    s
}

/// Asks for root variables that have no value and no default, when a person can answer.
fn prompt_missing(
    module: &terrane_engine::config::Module,
    values: &mut std::collections::BTreeMap<String, Value>,
    flags: &Flags,
) -> Result<(), Failure> {
    let input_env = std::env::var("TF_INPUT")
        .map(|v| v != "0" && v.to_lowercase() != "false")
        .unwrap_or(true);
    let input = flags.flag_default_true("input") && input_env && std::io::stdin().is_terminal();
    for (name, var) in &module.variables {
        if var.default.is_some() || values.contains_key(name) {
            continue;
        }
        if !input {
            // The evaluator reports the missing value with its location.
            continue;
        }
        println!("var.{name}");
        if let Some(d) = &var.description {
            println!("  {d}");
        }
        print!("\n  Enter a value: ");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Message(format!("Failed to read input: {e}")))?;
        println!();
        let text = line.trim_end_matches(['\n', '\r']).to_string();
        let value = terrane_engine::vars::raw_value(module, name, &text, "input prompt")
            .map_err(|d| Failure::Diagnostics(Box::default(), d.into(), false))?;
        values.insert(name.clone(), value);
    }
    Ok(())
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn show_changes(p: &Planned) {
    if p.changes.is_empty() {
        println!("\nNo changes. Your infrastructure matches the configuration.\n");
        println!("Terrane has compared your real infrastructure against your configuration and found no differences, so no changes are needed.");
        return;
    }
    println!("\nChanges to Outputs:");
    for c in &p.changes {
        match (&c.before, &c.after) {
            (None, Some((v, s))) => println!("  + {} = {}", c.name, shown(v, *s)),
            (Some(_), None) => println!("  - {} = null", c.name),
            (Some(_), Some((v, s))) => println!("  ~ {} = {}", c.name, shown(v, *s)),
            (None, None) => {}
        }
    }
    println!("\nYou can apply this plan to save these new output values to the Terrane state, without changing any real infrastructure.");
}

fn shown(v: &Value, sensitive: bool) -> String {
    if sensitive || v.is_sensitive() {
        "(sensitive value)".into()
    } else {
        console_value(v).replace('\n', "\n    ")
    }
}

/// `terrane plan`.
pub fn run_plan(args: &[String]) -> CommandResult {
    let flags = parse_flags(args, &SPEC)?;
    let color = use_color(flags.flag("no-color"));
    if flags.value("out").is_some() {
        return Err(Failure::Message(
            "Saved plans (-out) are not available yet in terrane.".into(),
        ));
    }
    let planned = plan(&flags, flags.flag("destroy"), color)?;
    show_changes(&planned);
    Ok(
        if flags.flag("detailed-exitcode") && !planned.changes.is_empty() {
            2
        } else {
            0
        },
    )
}

/// `terrane apply` and `terrane destroy`.
pub fn run_apply(args: &[String], destroy: bool) -> CommandResult {
    let flags = parse_flags(args, &SPEC)?;
    let color = use_color(flags.flag("no-color"));
    if !flags.positional.is_empty() {
        return Err(Failure::Message(
            "Applying a saved plan file is not available yet in terrane.".into(),
        ));
    }
    let destroy = destroy || flags.flag("destroy");
    let planned = plan(&flags, destroy, color)?;
    show_changes(&planned);
    if !planned.changes.is_empty() && !flags.flag("auto-approve") {
        let question = if destroy {
            "Do you really want to destroy all resources?"
        } else {
            "Do you want to perform these actions?"
        };
        if !confirm(
            question,
            "Terrane will perform the actions described above.",
        ) {
            let msg = if std::io::stdin().is_terminal() {
                "Apply cancelled."
            } else {
                "No confirmation: standard input is not a terminal. Run with -auto-approve to apply without confirmation."
            };
            return Err(Failure::Message(msg.into()));
        }
    }
    let mut state = planned
        .prior
        .clone()
        .unwrap_or_else(|| State::new(env!("CARGO_PKG_VERSION")));
    if planned.prior.is_none() || !planned.changes.is_empty() {
        state.outputs = planned.new_outputs.clone();
        state.serial += 1;
        state.terraform_version = env!("CARGO_PKG_VERSION").to_string();
        state
            .write(&planned.state_path)
            .map_err(|e| Failure::Message(format!("Failed to save state: {e}")))?;
    }
    let verb = if destroy { "Destroy" } else { "Apply" };
    if destroy {
        println!("\n{verb} complete! Resources: 0 destroyed.");
    } else {
        println!("\n{verb} complete! Resources: 0 added, 0 changed, 0 destroyed.");
    }
    if !destroy && !planned.new_outputs.is_empty() {
        println!("\nOutputs:\n");
        for c in super::output::render_all(&state) {
            println!("{c}");
        }
    }
    Ok(0)
}
