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
use crate::saved_plan::{config_digest, SavedPlan, FORMAT};
use serde_json::Value as Json;
use std::io::IsTerminal;
use std::rc::Rc;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics, Sources};
use terrane_engine::eval::module::{evaluate_tree, evaluate_tree_with, Mode, Settings};
use terrane_engine::json::value_to_json;
use terrane_engine::plan::{Action, Change, Options, Phase, Planner};
use terrane_engine::value::Value;
use terrane_state::{parse_target, workspace_state_path, OutputValue, State};

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
    /// What `moved` and `removed` blocks did to the state before planning, as lines to show.
    refactorings: Vec<String>,
    state_path: std::path::PathBuf,
    prior: Option<State>,
    /// The state after the run's resource changes (the prior state in the plan phase).
    state: State,
    resource_changes: Vec<Change>,
    changes: Vec<OutputChange>,
    new_outputs: serde_json::Map<String, Json>,
    /// The root variable values the run used.
    variables: std::collections::BTreeMap<String, Value>,
    /// The configuration's digest, for saved plans.
    digest: String,
    options: Options,
}

/// What an apply that follows its own plan takes over from it: the refreshed state the
/// plan was made against, and the action planned for each instance.
struct Handoff {
    state: State,
    actions: std::collections::HashMap<String, Action>,
}

fn run(
    flags: &Flags,
    destroy: bool,
    color: bool,
    phase: Phase,
    saved: Option<&SavedPlan>,
    handoff: Option<Handoff>,
) -> Result<Run, Failure> {
    let dir = cwd();
    let loaded = load(&dir);
    let mut diags = loaded.diagnostics.clone();
    diags.extend(operation_blockers(&loaded.module));
    check(&loaded.sources, &diags, color)?;

    let (mut vars, var_diags) = collect_root_variables(&loaded.module, &dir, flags);
    let all_sources = merge_sources(&loaded.sources, &vars.files);
    check(&all_sources, &var_diags, color)?;
    if let Some(saved) = saved {
        vars.values = saved_variables(saved)?;
    } else if phase == Phase::Plan {
        prompt_missing(&loaded.module, &mut vars.values, flags)?;
    }

    let state_path = state_path(flags);
    let prior = State::read(&state_path).map_err(|e| Failure::Message(e.to_string()))?;
    let digest = config_digest(&loaded.module);
    if let Some(saved) = saved {
        check_saved_plan(saved, prior.as_ref(), &digest)?;
    }
    let parallelism = match flags.value("parallelism") {
        None => 0,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(Failure::Message(format!(
                    "Invalid value for -parallelism: {text:?}. It must be a whole number greater than zero."
                )))
            }
        },
    };
    let interrupt = (phase == Phase::Apply).then(crate::interrupt::install);
    let mut options = match saved {
        Some(saved) => Options {
            destroy: saved.destroy,
            refresh: saved.refresh,
            replace: saved.replace.iter().cloned().collect(),
            targets: saved.targets.clone(),
            refresh_only: saved.refresh_only,
            parallelism,
            interrupt: interrupt.clone(),
            expected: Some(
                saved
                    .actions
                    .iter()
                    .map(|(a, acts)| (a.clone(), action_from_json(acts)))
                    .collect(),
            ),
        },
        None => Options {
            destroy,
            refresh: flags.flag_default_true("refresh"),
            replace: flags
                .all(&["replace"])
                .map(|(_, v)| v.to_string())
                .collect(),
            expected: None,
            refresh_only: flags.flag("refresh-only"),
            targets: flags.all(&["target"]).map(|(_, v)| v.to_string()).collect(),
            parallelism,
            interrupt: interrupt.clone(),
        },
    };
    let handoff_state = handoff.map(|h| {
        // The plan just shown refreshed everything already: apply exactly it.
        options.refresh = false;
        options.expected = Some(h.actions);
        h.state
    });
    let variables = vars.values.clone();
    let start = handoff_state.unwrap_or_else(|| {
        prior
            .clone()
            .unwrap_or_else(|| State::new(env!("CARGO_PKG_VERSION")))
    });
    let (start, mut refactorings) = refactor_state(&loaded.module, start);
    let persist_to = (phase == Phase::Apply).then(|| state_path.clone());
    let mut planner = Planner::new(
        terrane_providers::built_in(),
        phase,
        options.clone(),
        start,
        persist_to,
    )
    .map_err(|d| Failure::Diagnostics(Box::new(all_sources.clone()), d, color))?;
    // One set of settings for the whole run: plantimestamp() is the same everywhere in it.
    let settings = Settings {
        mode: Mode::Apply,
        workspace: current_workspace(),
        cwd: dir.clone(),
        files: Arc::new(terrane_engine::functions::RealFiles),
        plan_timestamp: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    refactorings.extend(super::import::import_blocks(
        &loaded.module,
        &vars.values,
        settings.clone(),
        &mut planner,
    )?);
    configure_providers(&loaded.module, &vars.values, &planner, &settings)
        .map_err(|d| Failure::Diagnostics(Box::new(all_sources.clone()), d, color))?;
    let planner = Rc::new(planner);
    if crate::json_ui::enabled() {
        planner.observe(crate::json_ui::event);
    } else {
        planner.observe(crate::progress::human(color));
    }
    planner.set_configuration(&loaded.module);
    let eval = planner.walk(|hook| {
        evaluate_tree_with(
            loaded.module.clone(),
            vars.values.clone(),
            settings.clone(),
            Some(hook),
        )
    });
    planner.finish();
    let mut diags = eval.diagnostics.clone();
    if planner.interrupted() {
        diags.push(Diagnostic::error(
            "Operation cancelled",
            "terrane was interrupted: changes under way finished and were saved in the state; nothing new was started. Run the command again to carry out the rest.",
        ));
    }
    diags.extend(check_blocks(&loaded.module, &eval));
    if phase == Phase::Apply {
        // Whatever failed, what finished is kept: the full state replaces the journal.
        let mut state = planner.take_state();
        state.serial += 1;
        if let Err(d) = planner.write_state(&state) {
            diags.push(d);
        }
        planner.restore_state(state);
    }
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
        refactorings,
        state_path,
        prior,
        state: planner.take_state(),
        resource_changes: planner.take_changes(),
        changes,
        new_outputs,
        variables,
        digest,
        options,
    })
}

/// Applies the `moved` blocks (objects change address, nothing is destroyed) and `removed`
/// blocks with `destroy = false` (objects are forgotten, not destroyed) of every module to
/// the prior state, a child module's blocks in each of its instances the state has. Returns
/// the state and a line per refactoring.
fn refactor_state(
    module: &terrane_engine::config::Module,
    mut state: State,
) -> (State, Vec<String>) {
    let mut lines = Vec::new();
    refactor_module(module, "", &mut state, &mut lines);
    (state, lines)
}

/// The instances of the module at configuration path `path` (`module.a.module.b`) that
/// the state holds objects of (`module.a["x"].module.b`); the root is `""`.
fn module_instances(state: &State, path: &str) -> Vec<String> {
    if path.is_empty() {
        return vec![String::new()];
    }
    let depth = path.matches("module.").count();
    let mut out: Vec<String> = Vec::new();
    for r in &state.resources {
        let Some(m) = &r.module else { continue };
        let Ok(target) = parse_target(m) else {
            continue;
        };
        let terrane_state::Target::Module(instance) = target else {
            continue;
        };
        let text = instance.to_string();
        let mut prefix = String::new();
        for (i, step) in text.split(".module.").enumerate().take(depth) {
            if i > 0 {
                prefix.push_str(".module.");
            }
            prefix.push_str(step);
        }
        if terrane_engine::plan::walk::config_address(&prefix) == path && !out.contains(&prefix) {
            out.push(prefix);
        }
    }
    out.sort();
    out
}

fn refactor_module(
    module: &terrane_engine::config::Module,
    path: &str,
    state: &mut State,
    lines: &mut Vec<String>,
) {
    let text = |e: &terrane_engine::config::Expr| -> Option<String> {
        let r = e.range()?;
        e.file
            .text
            .get(r.start.byte..r.end.byte)
            .map(|t| t.trim().to_string())
    };
    let within = |prefix: &str, relative: &str| {
        if prefix.is_empty() {
            relative.to_string()
        } else {
            format!("{prefix}.{relative}")
        }
    };
    for prefix in module_instances(state, path) {
        for m in &module.moved {
            let (Some(from_text), Some(to_text)) = (text(&m.from), text(&m.to)) else {
                continue;
            };
            let (from_text, to_text) = (within(&prefix, &from_text), within(&prefix, &to_text));
            let (Ok(from), Ok(to)) = (parse_target(&from_text), parse_target(&to_text)) else {
                continue;
            };
            // A move whose source is gone (already moved) or whose target exists does nothing.
            if state.move_target(None, &from, &to, &to_text).is_ok() {
                lines.push(format!("  # {from_text} has moved to {to_text}"));
            }
        }
        for r in module.removed.iter().filter(|r| !r.destroy) {
            let Some(from_text) = text(&r.from) else {
                continue;
            };
            let Ok(target) = parse_target(&within(&prefix, &from_text)) else {
                continue;
            };
            let Ok(found) = state.lookup(&target, true) else {
                continue;
            };
            if found.is_empty() {
                continue;
            }
            state.remove_instances(&found);
            for addr in found {
                lines.push(format!("  # {addr} will no longer be managed by terrane (the object itself is not destroyed)"));
            }
        }
    }
    for (name, call) in &module.module_calls {
        if let Some(child) = &call.module {
            let child_path = if path.is_empty() {
                format!("module.{name}")
            } else {
                format!("{path}.module.{name}")
            };
            refactor_module(child, &child_path, state, lines);
        }
    }
}

/// Configures every provider the configuration uses: with its root `provider` block
/// (evaluated in the root module) when there is one, else with an empty configuration.
fn configure_providers(
    module: &Arc<terrane_engine::config::Module>,
    variables: &std::collections::BTreeMap<String, Value>,
    planner: &Planner,
    settings: &Settings,
) -> Result<(), Diagnostics> {
    let mut used: Vec<String> = Vec::new();
    collect_provider_addresses(module, &mut used);
    used.sort();
    used.dedup();
    let blocks: Vec<&terrane_engine::config::ProviderConfig> = module
        .providers
        .iter()
        .filter(|p| {
            p.alias.is_none() && (!p.config.attributes.is_empty() || !p.config.blocks.is_empty())
        })
        .collect();
    let eval = (!blocks.is_empty())
        .then(|| evaluate_tree(module.clone(), variables.clone(), settings.clone()));
    let mut diags = Diagnostics::new();
    for address in used {
        let Some(schema) = planner.provider_schema(&address) else {
            continue;
        };
        let block = blocks.iter().find(|p| {
            let source = module
                .terraform
                .required_providers
                .get(&p.name)
                .and_then(|r| r.source.as_deref());
            terrane_engine::provider::provider_address(&p.name, source) == address
        });
        let config = match (block, &eval) {
            (Some(b), Some(eval)) => match eval.decode_in_root(&b.config, &schema) {
                Ok(v) => v,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            },
            _ => terrane_engine::plan::decode::decode_body(&NoScope, &Default::default(), &schema)
                .unwrap_or_else(|_| Value::Null(schema.value_type())),
        };
        diags.extend(planner.configure(&address, &config));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(())
}

/// The provider addresses of every resource in a module tree.
fn collect_provider_addresses(module: &terrane_engine::config::Module, out: &mut Vec<String>) {
    for r in module.resources.values() {
        out.push(terrane_engine::plan::resource_provider(module, r));
    }
    for call in module.module_calls.values() {
        if let Some(child) = &call.module {
            collect_provider_addresses(child, out);
        }
    }
}

/// A resolver for empty provider configurations: nothing to resolve.
struct NoScope;

impl terrane_engine::eval::expr::Resolver for NoScope {
    fn resolve(&self, _: terrane_engine::eval::expr::Reference) -> Result<Value, Diagnostic> {
        Err(Diagnostic::error(
            "Invalid reference",
            "Nothing can be referenced here.",
        ))
    }
    fn fn_context(&self) -> terrane_engine::functions::FnContext<'_> {
        terrane_engine::functions::FnContext {
            base_dir: std::path::Path::new("."),
            files: &terrane_engine::functions::RealFiles,
            plan_timestamp: "",
        }
    }
}

/// The root module's `check` blocks: a failed assertion is a warning, not an error, as in
/// Terraform; one not known until apply is left unchecked.
fn check_blocks(
    module: &terrane_engine::config::Module,
    eval: &terrane_engine::eval::module::Evaluation,
) -> Diagnostics {
    let mut out = Diagnostics::new();
    for check in &module.checks {
        for rule in &check.asserts {
            let ok = match eval.evaluate_in_root(&rule.condition) {
                Ok(v) => v,
                Err(d) => {
                    out.push(Diagnostic::warning(d.summary, d.detail).at(d.range));
                    continue;
                }
            };
            if ok.unmark().0.as_bool() != Some(false) {
                continue;
            }
            let message = eval
                .evaluate_in_root(&rule.error_message)
                .ok()
                .and_then(|m| m.unmark().0.as_str().map(str::to_owned))
                .unwrap_or_default();
            out.push(
                Diagnostic::warning("Check block assertion failed", message)
                    .at(rule.condition.range())
                    .in_context(format!("check {:?}", check.name)),
            );
        }
    }
    out
}

/// The state file a run works on: `-state`, else the current workspace's.
pub(super) fn state_path(flags: &Flags) -> std::path::PathBuf {
    match flags.value("state") {
        Some(p) => cwd().join(p),
        None => workspace_state_path(&cwd(), &current_workspace()),
    }
}

/// Holds the state lock for the whole command (unless `-lock=false`).
fn lock_state(flags: &Flags, operation: &str) -> Result<Option<terrane_state::StateLock>, Failure> {
    let options = super::state::lock_options(flags)?;
    super::state::acquire(&state_path(flags), operation, &options)
}

/// Root variable values recorded in a saved plan.
fn saved_variables(
    saved: &SavedPlan,
) -> Result<std::collections::BTreeMap<String, Value>, Failure> {
    let mut out = std::collections::BTreeMap::new();
    for (name, v) in &saved.variables {
        let ty = v
            .get("type")
            .and_then(terrane_engine::value::Type::from_json)
            .unwrap_or(terrane_engine::value::Type::Dynamic);
        let value =
            terrane_engine::json::value_from_json(v.get("value").unwrap_or(&Json::Null), &ty)
                .map_err(|e| {
                    Failure::Message(format!(
                        "The saved plan's value for var.{name} is unreadable: {e}"
                    ))
                })?;
        out.insert(name.clone(), value);
    }
    Ok(out)
}

/// Refuses a saved plan made against another state or another configuration.
fn check_saved_plan(saved: &SavedPlan, prior: Option<&State>, digest: &str) -> Result<(), Failure> {
    if saved.workspace != current_workspace() {
        return Err(Failure::Message(format!(
            "The saved plan was made for workspace {:?}, but the selected workspace is {:?}.",
            saved.workspace,
            current_workspace()
        )));
    }
    let now = (prior.map(|s| s.lineage.clone()), prior.map(|s| s.serial));
    if (saved.prior_lineage.clone(), saved.prior_serial) != now {
        return Err(Failure::Message(
            "Saved plan is stale: the state changed since this plan was made, so it can no longer be applied. Run terrane plan again to make a new plan.".into(),
        ));
    }
    if saved.config_digest != digest {
        return Err(Failure::Message(
            "Saved plan is stale: the configuration changed since this plan was made. Run terrane plan again to make a new plan.".into(),
        ));
    }
    Ok(())
}

fn action_from_json(actions: &[String]) -> Action {
    let a: Vec<&str> = actions.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["create"] => Action::Create,
        ["read"] => Action::Read,
        ["update"] => Action::Update,
        ["delete", "create"] => Action::DeleteThenCreate,
        ["create", "delete"] => Action::CreateThenDelete,
        ["delete"] => Action::Delete,
        _ => Action::NoOp,
    }
}

/// The plan in Terraform's JSON representation (`show -json`).
fn plan_document(r: &Run) -> Json {
    use terrane_engine::plan::json::{module_tree_json, resource_change_json, resource_value_json};
    let variables: serde_json::Map<String, Json> = r
        .variables
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::json!({ "value": terrane_engine::plan::json::known_json(v) }),
            )
        })
        .collect();
    let planned: Vec<(Option<String>, Json)> = r
        .resource_changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .map(|c| (c.module.clone(), resource_value_json(c, &c.after)))
        .collect();
    let mut planned_outputs = serde_json::Map::new();
    let mut output_changes = serde_json::Map::new();
    for c in &r.changes {
        let (after, unknown, sensitive) = match &c.after {
            Some((v, s)) => (
                terrane_engine::plan::json::known_json(v),
                !v.is_wholly_known(),
                *s || v.contains_sensitive(),
            ),
            None => (Json::Null, false, false),
        };
        let actions = match (&c.before, &c.after) {
            (None, Some(_)) => vec!["create"],
            (Some(_), None) => vec!["delete"],
            _ => vec!["update"],
        };
        output_changes.insert(
            c.name.clone(),
            serde_json::json!({
                "actions": actions,
                "before": c.before.clone().unwrap_or(Json::Null),
                "after": after,
                "after_unknown": unknown,
                "before_sensitive": false,
                "after_sensitive": sensitive,
            }),
        );
        if c.after.is_some() {
            planned_outputs.insert(
                c.name.clone(),
                serde_json::json!({"sensitive": sensitive, "value": after}),
            );
        }
    }
    for (name, o) in &r.new_outputs {
        planned_outputs.entry(name.clone()).or_insert_with(|| {
            serde_json::json!({"sensitive": o.get("sensitive").cloned().unwrap_or(Json::Bool(false)), "value": o["value"].clone()})
        });
    }
    let mut root_module = module_tree_json(planned);
    if let Json::Object(m) = &mut root_module {
        m.entry("resources").or_insert(Json::Array(vec![]));
    }
    let mut doc = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": env!("CARGO_PKG_VERSION"),
        "variables": variables,
        "planned_values": { "outputs": planned_outputs, "root_module": root_module },
        "resource_changes": r.resource_changes.iter().map(resource_change_json).collect::<Vec<_>>(),
        "output_changes": output_changes,
        "configuration": {},
    });
    if let Some(prior) = &r.prior {
        doc["prior_state"] = super::show::state_document(prior);
    }
    doc
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

/// Whether a run changes anything (resources or outputs).
fn has_changes(r: &Run) -> bool {
    drifted(r).next().is_some()
        || !r.changes.is_empty()
        || !r.refactorings.is_empty()
        || r.resource_changes.iter().any(|c| c.action != Action::NoOp)
}

/// Objects a refresh found changed outside terrane.
fn drifted(r: &Run) -> impl Iterator<Item = &Change> {
    r.resource_changes
        .iter()
        .filter(|c| c.reason.as_deref() == Some("drift"))
}

fn show_changes(r: &Run) {
    if crate::json_ui::enabled() {
        crate::json_ui::planned_changes(&r.resource_changes);
        let (add, change, remove) = summary_counts(&r.resource_changes);
        let message = if has_changes(r) {
            format!("Plan: {add} to add, {change} to change, {remove} to destroy.")
        } else {
            "No changes. Your infrastructure matches the configuration.".to_string()
        };
        crate::json_ui::change_summary(add, change, remove, "plan", &message);
        return;
    }
    let drift: Vec<Change> = drifted(r)
        .map(|c| Change {
            action: Action::Update,
            reason: None,
            ..c.clone()
        })
        .collect();
    if !drift.is_empty() {
        println!("\nNote: Objects have changed outside of terrane\n");
        println!("terrane detected the following changes made outside of terrane since the\nlast \"terrane apply\":");
        let text = render_changes(&drift);
        let body = text.split("following actions:\n").nth(1).unwrap_or(&text);
        print!(
            "{}",
            body.replace("will be updated in-place", "has changed")
        );
        if r.options.refresh_only {
            println!("\nThis is a refresh-only plan, so terrane will not take any actions to undo these.\nIf you were expecting these changes then you can apply this plan to record the\nupdated values in the terrane state without changing any remote objects.");
        }
    }
    if !has_changes(r) {
        println!("\nNo changes. Your infrastructure matches the configuration.\n");
        println!("terrane has compared your real infrastructure against your configuration and found no differences, so no changes are needed.");
        return;
    }
    if !r.refactorings.is_empty() {
        println!();
        for line in &r.refactorings {
            println!("{line}");
        }
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
    if flags.flag("json") {
        crate::json_ui::enable();
        crate::json_ui::version();
    }
    let _lock = lock_state(&flags, "OperationTypePlan")?;
    let planned = run(
        &flags,
        flags.flag("destroy"),
        color,
        Phase::Plan,
        None,
        None,
    )?;
    show_changes(&planned);
    if let Some(out) = flags.value("out") {
        save_plan(&planned, out)?;
    }
    Ok(
        if flags.flag("detailed-exitcode") && has_changes(&planned) {
            2
        } else {
            0
        },
    )
}

/// Writes a plan to `out` for a later `terrane apply out`.
fn save_plan(planned: &Run, out: &str) -> Result<(), Failure> {
    let saved = SavedPlan {
        format: FORMAT.to_string(),
        terrane_version: env!("CARGO_PKG_VERSION").to_string(),
        workspace: current_workspace(),
        destroy: planned.options.destroy,
        refresh: planned.options.refresh,
        replace: planned.options.replace.iter().cloned().collect(),
        targets: planned.options.targets.clone(),
        refresh_only: planned.options.refresh_only,
        variables: planned
            .variables
            .iter()
            .map(|(k, v)| {
                let (plain, _) = v.unmark_deep();
                let json = terrane_engine::json::value_to_json(&plain).unwrap_or(Json::Null);
                (
                    k.clone(),
                    serde_json::json!({"value": json, "type": plain.ty().to_json()}),
                )
            })
            .collect(),
        prior_lineage: planned.prior.as_ref().map(|s| s.lineage.clone()),
        prior_serial: planned.prior.as_ref().map(|s| s.serial),
        config_digest: planned.digest.clone(),
        actions: planned
            .resource_changes
            .iter()
            .map(|c| {
                (
                    c.address.clone(),
                    c.action
                        .json_actions()
                        .iter()
                        .map(|a| a.to_string())
                        .collect(),
                )
            })
            .collect(),
        plan: plan_document(planned),
    };
    saved.write(&cwd().join(out))?;
    println!("\nSaved the plan to: {out}\n\nTo perform exactly these actions, run the following command to apply:\n    terrane apply \"{out}\"");
    Ok(())
}

/// The JSON plan document of a saved plan file (`show -json FILE`).
pub fn saved_plan_document(path: &std::path::Path) -> Result<Json, Failure> {
    Ok(SavedPlan::read(path)?.plan)
}

/// `terrane apply` and `terrane destroy`.
pub fn run_apply(args: &[String], destroy: bool) -> CommandResult {
    let flags = parse_flags(args, &SPEC)?;
    let color = use_color(flags.flag("no-color"));
    if flags.flag("json") {
        crate::json_ui::enable();
        crate::json_ui::version();
        if flags.positional.is_empty() && !flags.flag("auto-approve") {
            return Err(Failure::Message(
                "Plan file or auto-approve required: terrane cannot ask for approval of the plan when -json is set. Give a saved plan file, or -auto-approve.".into(),
            ));
        }
    }
    let _lock = lock_state(&flags, "OperationTypeApply")?;
    if let Some(file) = flags.positional.first() {
        if flags.all(&["var", "var-file"]).next().is_some() {
            return Err(Failure::Message(
                "Can't set variables when applying a saved plan: the plan already holds the values it was made with.".into(),
            ));
        }
        let saved = SavedPlan::read(&cwd().join(file))?;
        let applied = run(
            &flags,
            saved.destroy,
            color,
            Phase::Apply,
            Some(&saved),
            None,
        )?;
        return finish_apply(applied, saved.destroy);
    }
    let destroy = destroy || flags.flag("destroy");
    let planned = run(&flags, destroy, color, Phase::Plan, None, None)?;
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
    let needs_apply = planned
        .resource_changes
        .iter()
        .any(|c| c.action != Action::NoOp)
        || drifted(&planned).next().is_some();
    let applied = if needs_apply {
        let handoff = (!planned.options.refresh_only).then(|| Handoff {
            actions: planned
                .resource_changes
                .iter()
                .map(|c| (c.address.clone(), c.action))
                .collect(),
            state: planned.state.clone(),
        });
        // The plan shown is no longer needed: free it before applying.
        drop(planned);
        run(&flags, destroy, color, Phase::Apply, None, handoff)?
    } else {
        planned
    };
    finish_apply(applied, destroy)
}

/// Records the outputs of an apply and reports what it did.
fn finish_apply(applied: Run, destroy: bool) -> CommandResult {
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
    if crate::json_ui::enabled() {
        let (operation, message) = if destroy {
            (
                "destroy",
                format!("Destroy complete! Resources: {destroyed} destroyed."),
            )
        } else {
            (
                "apply",
                format!("Apply complete! Resources: {add} added, {change} changed, {destroyed} destroyed."),
            )
        };
        crate::json_ui::change_summary(add, change, destroyed, operation, &message);
        if !destroy {
            crate::json_ui::outputs(&state.outputs);
        }
        return Ok(0);
    }
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
