//! `terrane workspace new|select|list|show|delete`: the local backend's workspaces, with
//! Terraform's messages and exit codes.

use super::state::{acquire, lock_failure, lock_options, plain_error, selected_workspace};
use super::{cwd, data_dir, parse_flags, CommandResult};
use crate::flags::{Flags, Spec};
use std::path::Path;
use terrane_state::workspace::{self, WorkspaceError};
use terrane_state::{workspace_state_path, State};

const USAGE: &str = "Usage: terrane [global options] workspace

  new, list, show, select and delete terrane workspaces.

Subcommands:
    delete    Delete a workspace
    list      List Workspaces
    new       Create a new workspace
    select    Select a workspace
    show      Show the name of the current workspace";

const CREATED: &str = "Created and switched to workspace {name}!

You're now on a new, empty workspace. Workspaces isolate their state,
so if you run \"terrane plan\" terrane will not see any existing state
for this configuration.";

const OVERRIDDEN_NOTE: &str = "

The active workspace is being overridden using the TF_WORKSPACE environment
variable.
";

const OVERRIDDEN_SELECT: &str = "
The selected workspace is currently overridden using the TF_WORKSPACE
environment variable.

To select a new workspace, either update this environment variable or unset
it and then run this command again.
";

const OVERRIDDEN_NEW: &str = "
The workspace is currently overridden using the TF_WORKSPACE environment
variable. You cannot create a new workspace when using this setting.

To create a new workspace, either unset this environment variable or update it
to match the workspace name you are trying to create, and then run this command
again.
";

pub fn run(args: &[String]) -> CommandResult {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("new") => new(rest),
        Some("select") => select(rest),
        Some("list") => list(rest),
        Some("show") => show(rest),
        Some("delete") => delete(rest),
        None => {
            println!("{USAGE}");
            Ok(0)
        }
        Some(_) => {
            eprintln!("{USAGE}");
            Ok(1)
        }
    }
}

/// The workspace `TF_WORKSPACE` names, if it is set.
fn env_override() -> Option<String> {
    std::env::var("TF_WORKSPACE").ok().filter(|s| !s.is_empty())
}

/// The single NAME argument, or Terraform's complaint.
fn single_name<'a>(flags: &'a Flags, usage: &str) -> Result<&'a str, CommandResult> {
    match flags.positional.as_slice() {
        [name] => Ok(name),
        _ => {
            eprintln!("Expected a single argument: NAME.\n\n{usage}");
            Err(Ok(1))
        }
    }
}

fn refusal(e: WorkspaceError) -> CommandResult {
    plain_error(&e.to_string())
}

fn created_message(name: &str) -> String {
    CREATED.replace("{name}", &format!("{name:?}"))
}

fn new(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["lock", "no-color"],
            values: &["lock-timeout", "state"],
        },
    )?;
    let name = match single_name(
        &flags,
        "Usage: terrane [global options] workspace new [OPTIONS] NAME",
    ) {
        Ok(n) => n,
        Err(result) => return result,
    };
    if !workspace::is_valid_name(name) {
        return plain_error(&format!(
            "\n{}\n",
            WorkspaceError::InvalidName(name.to_string())
        ));
    }
    if env_override().is_some_and(|current| current != name) {
        return plain_error(OVERRIDDEN_NEW);
    }
    let dir = cwd();
    if let Err(e) = workspace::create(&dir, name) {
        return refusal(e);
    }
    if let Err(e) = workspace::select(&data_dir(), name) {
        return plain_error(&format!("Error selecting new workspace: {e}"));
    }
    println!("{}", created_message(name));
    if let Some(source) = flags.value("state").filter(|s| !s.is_empty()) {
        return copy_state_into(&dir, name, &cwd().join(source), &flags);
    }
    Ok(0)
}

/// `workspace new -state=FILE`: the file's resources and outputs become the new
/// workspace's first snapshot (a new lineage, serial 1, as Terraform writes it).
fn copy_state_into(dir: &Path, name: &str, source: &Path, flags: &Flags) -> CommandResult {
    let locking = lock_options(flags)?;
    let path = workspace_state_path(dir, name);
    let _lock = acquire(&path, "workspace-new", &locking)?;
    let text = match std::fs::read_to_string(source) {
        Ok(t) => t,
        Err(e) => return plain_error(&format!("open {}: {e}", source.display())),
    };
    let copied = match State::parse(source, &text) {
        Ok(s) => s,
        Err(e) => return plain_error(&e.to_string()),
    };
    let mut snapshot = State::new(&copied.terraform_version);
    snapshot.serial = 1;
    snapshot.outputs = copied.outputs;
    snapshot.resources = copied.resources;
    snapshot.check_results = copied.check_results;
    snapshot.normalize();
    match snapshot.write(&path) {
        Ok(()) => Ok(0),
        Err(e) => plain_error(&e.to_string()),
    }
}

fn select(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["or-create", "no-color"],
            values: &[],
        },
    )?;
    let name = match single_name(
        &flags,
        "Usage: terrane [global options] workspace select [options] NAME",
    ) {
        Ok(n) => n,
        Err(result) => return result,
    };
    if env_override().is_some() {
        return plain_error(OVERRIDDEN_SELECT);
    }
    if !workspace::is_valid_name(name) {
        return plain_error(&format!(
            "\n{}\n",
            WorkspaceError::InvalidName(name.to_string())
        ));
    }
    let dir = cwd();
    let data = data_dir();
    let (current, _) = workspace::current(&data, None);
    let exists = match workspace::exists(&dir, name) {
        Ok(e) => e,
        Err(e) => return refusal(e),
    };
    if name == current {
        return Ok(0);
    }
    let mut created = false;
    if !exists {
        if !flags.flag("or-create") {
            return plain_error(&format!("\n{}", WorkspaceError::NotFound(name.to_string())));
        }
        if let Err(e) = workspace::create(&dir, name) {
            return refusal(e);
        }
        created = true;
    }
    if let Err(e) = workspace::select(&data, name) {
        return refusal(e);
    }
    if created {
        println!("{}", created_message(name));
    } else {
        println!("Switched to workspace {name:?}.");
    }
    Ok(0)
}

fn list(args: &[String]) -> CommandResult {
    parse_flags(
        args,
        &Spec {
            bools: &["no-color"],
            values: &[],
        },
    )?;
    let names = match workspace::list(&cwd()) {
        Ok(n) => n,
        Err(e) => return refusal(e),
    };
    let (current, overridden) = workspace::current(&data_dir(), env_override().as_deref());
    let mut out = String::new();
    for name in names {
        out.push_str(if name == current { "* " } else { "  " });
        out.push_str(&name);
        out.push('\n');
    }
    println!("{out}");
    if overridden {
        println!("{OVERRIDDEN_NOTE}");
    }
    Ok(0)
}

fn show(args: &[String]) -> CommandResult {
    parse_flags(
        args,
        &Spec {
            bools: &["no-color"],
            values: &[],
        },
    )?;
    match selected_workspace() {
        Ok(name) => {
            println!("{name}");
            Ok(0)
        }
        Err(e) => plain_error(&e),
    }
}

fn delete(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["force", "lock", "no-color"],
            values: &["lock-timeout"],
        },
    )?;
    let name = match single_name(
        &flags,
        "Usage: terrane [global options] workspace delete [OPTIONS] NAME",
    ) {
        Ok(n) => n,
        Err(result) => return result,
    };
    let locking = lock_options(&flags)?;
    let current = selected_workspace()?;
    let deleted = workspace::delete(
        &cwd(),
        name,
        &current,
        flags.flag("force"),
        locking.wait_limit(),
    );
    match deleted {
        Ok(had_resources) => {
            println!("Deleted workspace {name:?}!");
            if had_resources {
                println!("WARNING: {name:?} was non-empty.\nThe resources managed by the deleted workspace may still exist,\nbut are no longer manageable by terrane since the state has\nbeen deleted.\n");
            }
            Ok(0)
        }
        Err(WorkspaceError::Lock(e)) => Err(lock_failure(&e, flags.flag("no-color"))),
        Err(e) => refusal(e),
    }
}
