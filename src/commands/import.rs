//! `terrane import ADDRESS ID`, and the root module's `import` blocks: existing objects are
//! found by their provider and recorded in the state at a configured address.

use super::{check, cwd, load, parse_flags, use_color, CommandResult, Failure};
use crate::flags::Spec;
use std::sync::Arc;
use terrane_engine::config::{Module, Resource};
use terrane_engine::eval::module::{evaluate_tree, InstanceKey, Settings};
use terrane_engine::plan::{Options, Phase, Planner};
use terrane_engine::value::Value;
use terrane_state::{parse_instance, InstanceAddr, State};

/// The configuration of an instance address: its module path, module, resource and key.
pub fn locate<'m>(
    root: &'m Module,
    addr: &InstanceAddr,
) -> Result<(String, &'m Module, &'m Resource, InstanceKey), Failure> {
    let missing = || {
        Failure::Message(format!(
            "Configuration for import target does not exist: the configuration for the given import target {addr} does not exist. All target instances must have an associated configuration to be imported."
        ))
    };
    let mut module = root;
    for step in &addr.resource.module.0 {
        let call = module.module_calls.get(&step.name).ok_or_else(missing)?;
        module = call.module.as_deref().ok_or_else(missing)?;
    }
    if addr.resource.mode != terrane_state::address::Mode::Managed {
        return Err(Failure::Message(format!(
            "Only managed resources can be imported, not {addr}."
        )));
    }
    let resource = module
        .resources
        .get(&format!("{}.{}", addr.resource.ty, addr.resource.name))
        .ok_or_else(missing)?;
    let key = match &addr.key {
        terrane_state::address::InstanceKey::None => InstanceKey::None,
        terrane_state::address::InstanceKey::Int(i) => InstanceKey::Index(*i),
        terrane_state::address::InstanceKey::Str(s) => {
            InstanceKey::Key(s.clone(), Value::string(s.as_str()))
        }
    };
    Ok((addr.resource.module.to_string(), module, resource, key))
}

/// Imports the root module's `import` blocks into the planner's starting state; returns a
/// line to show per object imported.
pub fn import_blocks(
    module: &Arc<Module>,
    variables: &std::collections::BTreeMap<String, Value>,
    settings: Settings,
    planner: &mut Planner,
) -> Result<Vec<String>, Failure> {
    if module.imports.is_empty() {
        return Ok(Vec::new());
    }
    let eval = evaluate_tree(module.clone(), variables.clone(), settings);
    let mut lines = Vec::new();
    for imp in &module.imports {
        let to_text = imp
            .to
            .range()
            .and_then(|r| {
                imp.to
                    .file
                    .text
                    .get(r.start.byte..r.end.byte)
                    .map(|t| t.trim().to_string())
            })
            .unwrap_or_default();
        let addr = parse_instance(&to_text)
            .map_err(|e| Failure::Message(format!("{}: {}", e.summary, e.detail)))?;
        let id = eval
            .evaluate_in_root(&imp.id)
            .map_err(|d| Failure::Message(format!("{}: {}", d.summary, d.detail)))?;
        let Some(id) = id.unmark().0.as_str().map(str::to_owned) else {
            return Err(Failure::Message(format!(
                "Invalid import id: the id of the import into {to_text} must be a known string."
            )));
        };
        let (path, m, r, key) = locate(module, &addr)?;
        if planner
            .import(&path, m, r, &key, &id)
            .map_err(|d| Failure::Diagnostics(Box::default(), d, false))?
        {
            lines.push(format!("  # {to_text} will be imported (id {id:?})"));
        }
    }
    Ok(lines)
}

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["input", "lock", "no-color", "allow-missing-config"],
            values: &[
                "var",
                "var-file",
                "lock-timeout",
                "state",
                "config",
                "parallelism",
            ],
        },
    )?;
    let color = use_color(flags.flag("no-color"));
    let [address, id] = flags.positional.as_slice() else {
        return Err(Failure::Message(
            "The import command expects two arguments: the resource address to import into and the ID of the existing object (terrane import ADDRESS ID).".into(),
        ));
    };
    let dir = cwd();
    let loaded = load(&dir);
    check(&loaded.sources, &loaded.diagnostics, color)?;
    let addr = parse_instance(address)
        .map_err(|e| Failure::Message(format!("{}: {}", e.summary, e.detail)))?;
    let (path, module, resource, key) = locate(&loaded.module, &addr)?;
    let state_path = super::apply::state_path(&flags);
    let options = super::state::lock_options(&flags)?;
    let _lock = super::state::acquire(&state_path, "OperationTypeImport", &options)?;
    let prior = State::read(&state_path)
        .map_err(|e| Failure::Message(e.to_string()))?
        .unwrap_or_else(|| State::new(env!("CARGO_PKG_VERSION")));
    let mut planner = Planner::new(
        terrane_providers::built_in(),
        Phase::Apply,
        Options::default(),
        prior,
        Some(state_path.clone()),
    )
    .map_err(|d| Failure::Diagnostics(Box::new(loaded.sources.clone()), d, color))?;
    println!("{address}: Importing from ID {id:?}...");
    let imported = planner
        .import(&path, module, resource, &key, id)
        .map_err(|d| Failure::Diagnostics(Box::new(loaded.sources.clone()), d, color))?;
    if !imported {
        return Err(Failure::Message(format!(
            "Resource already managed by terrane: terrane is already managing a remote object for {address}. To import to this address you must first remove the existing object from the state."
        )));
    }
    let mut state = planner.take_state();
    state.serial += 1;
    planner
        .write_state(&state)
        .map_err(|d| Failure::Diagnostics(Box::default(), d.into(), color))?;
    println!("{address}: Import prepared!\n\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour terrane state and will henceforth be managed by terrane.");
    Ok(0)
}
