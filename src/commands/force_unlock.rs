//! `terrane force-unlock [-force] LOCK_ID`: removes the lock of the current workspace's
//! state when its ID is LOCK_ID. Asks for confirmation on a terminal unless `-force`;
//! without a terminal, `-force` is required.

use super::state::{plain_error, selected_workspace};
use super::{cwd, parse_flags, CommandResult};
use crate::flags::Spec;
use std::io::{IsTerminal, Write};
use terrane_state::lock::{current_lock_info, force_unlock, LockError};
use terrane_state::workspace_state_path;

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["force", "no-color"],
            values: &[],
        },
    )?;
    let [id] = flags.positional.as_slice() else {
        eprintln!("Expected a single argument: LOCK_ID\n\nUsage: terrane [global options] force-unlock [options] LOCK_ID");
        return Ok(1);
    };
    let path = workspace_state_path(&cwd(), &selected_workspace()?);
    // Check the ID before asking, so that nobody confirms an unlock that cannot happen.
    match current_lock_info(&path) {
        Some(info) if info.id == *id => {}
        current => {
            let error = match current {
                None => LockError::NotLocked(path.clone()),
                Some(info) => LockError::WrongId {
                    given: id.clone(),
                    current: Some(Box::new(info)),
                },
            };
            return plain_error(&format!("Failed to unlock state: {error}"));
        }
    }
    if !flags.flag("force") {
        if !std::io::stdin().is_terminal() {
            return plain_error("force-unlock needs a confirmation, but there is no terminal to ask on.\nRun \"terrane force-unlock -force LOCK_ID\" to remove the lock without asking.");
        }
        println!("Do you really want to force-unlock?\n  terrane will remove the lock on the state.\n  This will allow local terrane commands to modify this state, even though it\n  may be still be in use. Only 'yes' will be accepted to confirm.\n");
        print!("  Enter a value: ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        println!();
        if answer.trim() != "yes" {
            println!("force-unlock cancelled.");
            return Ok(1);
        }
    }
    if let Err(e) = force_unlock(&path, id) {
        return plain_error(&format!("Failed to unlock state: {e}"));
    }
    println!("terrane state has been successfully unlocked!\n\nThe state has been unlocked, and terrane commands should now be able to\nobtain a new lock on the state.");
    Ok(0)
}
