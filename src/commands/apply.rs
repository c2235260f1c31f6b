//! `terrane plan`, `apply` and `destroy`: input variables are gathered, the module tree is
//! evaluated with the planner giving resources their values, and the resulting changes
//! (resources and root outputs) are shown, confirmed and carried out, with the
//! workspace's state persisted after every resource instance.

use super::{
    check, collect_root_variables, confirm, current_workspace, cwd, load, operation_blockers,
    parse_flags, use_color, CommandResult, Failure,
};
use crate::flags::{Flags, Spec};
use crate::plan_render::{render_changes, summary_counts};
use crate::render::console_value;
use serde_json::Value as Json;
use std::io::IsTerminal;
use std::rc::Rc;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics, Sources};
use terrane_engine::eval::module::{evaluate_tree_with, Mode, ResourceHook, Settings};
use terrane_engine::json::value_to_json;
use terrane_engine::plan::{Action, Change, Options, Phase, Planner};
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

/// What a run decided (plan phase) or did (apply phase).
struct Run {
    state_path: std::path::PathBuf,
    prior: Option<State>,
    /// The state after the run's resource changes (the prior state in the plan phase).
    state: State,
    resource_changes: Vec<Change>,
    changes: Vec<OutputChange>,
    new_outputs: serde_json::Map<String, Json>,
}

fn run(flags: &Flags, destroy: bool, color: bool, phase: Phase) -> Result<Run, Failure> {
    let dir = cwd();
    let loaded = load(&dir);
    let mut diags = loaded.diagnostics.clone();
    diags.extend(operation_blockers(&loaded.module));
    check(&loaded.sources, &diags, color)?;

    let (mut vars, var_diags) = collect_root_variables(&loaded.module, &dir, flags);
    let all_sources = merge_sources(&loaded.sources, &vars.files);
    check(&all_sources, &var_diags, color)?;
    if phase == Phase::Plan {
        prompt_missing(&loaded.module, &mut vars.values, flags)?;
    }

    let state_path = match flags.value("state") {
        Some(p) => dir.join(p),
        None => workspace_state_path(&dir, &current_workspace()),
    };
    let prior = State::read(&state_path).map_err(|e| Failure::Message(e.to_string()))?;
    let options = Options {
        destroy,
        refresh: flags.flag_default_true("refresh"),
        replace: flags
            .all(&["replace"])
            .map(|(_, v)| v.to_string())
            .collect(),
    };
    let start = prior
        .clone()
        .unwrap_or_else(|| State::new(env!("CARGO_PKG_VERSION")));
    let persist_to = (phase == Phase::Apply).then(|| state_path.clone());
    let planner = Planner::new(
        terrane_providers::built_in(),
        phase,
        options,
        start,
        persist_to,
    )
    .map_err(|d| Failure::Diagnostics(Box::new(all_sources.clone()), d, color))?;
    let planner = Rc::new(planner);
    let settings = Settings {
        mode: Mode::Apply,
        workspace: current_workspace(),
        cwd: dir.clone(),
        files: Arc::new(terrane_engine::functions::RealFiles),
        plan_timestamp: now_rfc3339(),
    };
    let hook: Rc<dyn ResourceHook> = planner.clone();
    let eval = evaluate_tree_with(loaded.module.clone(), vars.values, settings, Some(hook));
    planner.finish();
    let mut diags = eval.diagnostics.clone();
    diags.extend(planner.take_diagnostics());
    check(&all_sources, &diags, color)?;

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
            let before = prior_outputs.get(&name).cloned();
            if !plain.is_wholly_known() {
                changes.push(OutputChange {
                    name: name.clone(),
                    before: before.map(|b| b["value"].clone()),
                    after: Some((value.clone(), sensitive)),
                });
                continue;
            }
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
        if !new_outputs.contains_key(name) && !changes.iter().any(|c| c.name == *name) {
            changes.push(OutputChange {
                name: name.clone(),
                before: Some(old["value"].clone()),
                after: None,
            });
        }
    }
    check(&all_sources, &errors, color)?;
    changes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Run {
        state_path,
        prior,
        state: planner.state(),
        resource_changes: planner.changes(),
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

/// Whether a run changes anything (resources or outputs).
fn has_changes(r: &Run) -> bool {
    !r.changes.is_empty() || r.resource_changes.iter().any(|c| c.action != Action::NoOp)
}

fn show_changes(r: &Run) {
    if !has_changes(r) {
        println!("\nNo changes. Your infrastructure matches the configuration.\n");
        println!("terrane has compared your real infrastructure against your configuration and found no differences, so no changes are needed.");
        return;
    }
    print!("{}", render_changes(&r.resource_changes));
    let (add, change, destroy) = summary_counts(&r.resource_changes);
    if r.resource_changes.iter().any(|c| c.action != Action::NoOp) {
        println!("\nPlan: {add} to add, {change} to change, {destroy} to destroy.");
    }
    if !r.changes.is_empty() {
        println!("\nChanges to Outputs:");
        for c in &r.changes {
            match (&c.before, &c.after) {
                (None, Some((v, s))) => println!("  + {} = {}", c.name, shown(v, *s)),
                (Some(_), None) => println!("  - {} = null", c.name),
                (Some(_), Some((v, s))) => println!("  ~ {} = {}", c.name, shown(v, *s)),
                (None, None) => {}
            }
        }
    }
}

fn shown(v: &Value, sensitive: bool) -> String {
    if sensitive || v.is_sensitive() {
        "(sensitive value)".into()
    } else if !v.is_wholly_known() {
        "(known after apply)".into()
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
    let planned = run(&flags, flags.flag("destroy"), color, Phase::Plan)?;
    show_changes(&planned);
    Ok(
        if flags.flag("detailed-exitcode") && has_changes(&planned) {
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
    let planned = run(&flags, destroy, color, Phase::Plan)?;
    show_changes(&planned);
    if has_changes(&planned) && !flags.flag("auto-approve") {
        let question = if destroy {
            "Do you really want to destroy all resources?"
        } else {
            "Do you want to perform these actions?"
        };
        if !confirm(
            question,
            "terrane will perform the actions described above.",
        ) {
            let msg = if std::io::stdin().is_terminal() {
                "Apply cancelled."
            } else {
                "No confirmation: standard input is not a terminal. Run with -auto-approve to apply without confirmation."
            };
            return Err(Failure::Message(msg.into()));
        }
    }
    let applied = if planned
        .resource_changes
        .iter()
        .any(|c| c.action != Action::NoOp)
    {
        run(&flags, destroy, color, Phase::Apply)?
    } else {
        planned
    };
    let mut state = applied.state.clone();
    if applied.prior.is_none() || has_changes(&applied) {
        state.outputs = applied.new_outputs.clone();
        state.serial += 1;
        state.terraform_version = env!("CARGO_PKG_VERSION").to_string();
        state
            .write(&applied.state_path)
            .map_err(|e| Failure::Message(format!("Failed to save state: {e}")))?;
    }
    let (add, change, destroyed) = summary_counts(&applied.resource_changes);
    if destroy {
        println!("\nDestroy complete! Resources: {destroyed} destroyed.");
    } else {
        println!(
            "\nApply complete! Resources: {add} added, {change} changed, {destroyed} destroyed."
        );
    }
    if !destroy && !applied.new_outputs.is_empty() {
        println!("\nOutputs:\n");
        for c in super::output::render_all(&state) {
            println!("{c}");
        }
    }
    Ok(0)
}
