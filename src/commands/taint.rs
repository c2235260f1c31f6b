//! `terrane taint ADDRESS` and `terrane untaint ADDRESS`: marking a resource instance's
//! current object for replacement at the next apply, or clearing that mark, as Terraform
//! does (`-allow-missing` turns a missing instance into a warning).

use super::state::{
    acquire, diagnostics_failure, lock_options, plain_error, print_warning, read_state, state_path,
    write_changed,
};
use super::{cwd, parse_flags, CommandResult};
use crate::flags::Spec;
use std::path::PathBuf;
use terrane_state::address::Mode;
use terrane_state::ops::TaintError;
use terrane_state::{backup_path, parse_instance, State};

pub fn run_taint(args: &[String]) -> CommandResult {
    run(args, true)
}

pub fn run_untaint(args: &[String]) -> CommandResult {
    run(args, false)
}

fn run(args: &[String], taint: bool) -> CommandResult {
    let command = if taint { "taint" } else { "untaint" };
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["allow-missing", "lock", "no-color", "ignore-remote-version"],
            values: &["backup", "lock-timeout", "state", "state-out"],
        },
    )?;
    let no_color = flags.flag("no-color");
    let [text] = flags.positional.as_slice() else {
        eprintln!("The {command} command expects exactly one argument.\n\nUsage: terrane [global options] {command} [options] <address>");
        return Ok(1);
    };
    let addr = parse_instance(text).map_err(|e| diagnostics_failure(&[e], no_color))?;
    if addr.resource.mode != Mode::Managed {
        return plain_error(&format!("Resource instance {addr} cannot be {command}ed"));
    }
    let locking = lock_options(&flags)?;
    let path = state_path(&flags)?;
    let out_path = flags
        .value("state-out")
        .filter(|p| !p.is_empty())
        .map(|p| cwd().join(p))
        .unwrap_or_else(|| path.clone());
    let backup: Option<PathBuf> = match flags.value("backup") {
        Some("-") => None,
        Some(p) if !p.is_empty() => Some(cwd().join(p)),
        _ => Some(backup_path(&out_path)),
    };
    let _lock = acquire(&path, command, &locking)?;
    let mut state = read_state(&path)?.unwrap_or_else(|| State::new(env!("CARGO_PKG_VERSION")));
    match state.set_tainted(&addr, taint) {
        Ok(()) => {}
        Err(TaintError::Missing(_)) if flags.flag("allow-missing") => {
            print_warning(
                "No such resource instance",
                &format!("Resource instance {addr} was not found, but this is not an error because -allow-missing was set."),
                no_color,
            );
            return Ok(0);
        }
        Err(TaintError::Missing(e) | TaintError::Refused(e)) => {
            return Err(diagnostics_failure(&[e], no_color))
        }
    }
    if let Err(e) = write_changed(&mut state, &out_path, backup.as_deref()) {
        return plain_error(&format!("Error writing state file: {e}"));
    }
    if taint {
        println!("Resource instance {addr} has been marked as tainted.");
    } else {
        println!("Resource instance {addr} has been successfully untainted.");
    }
    Ok(0)
}
