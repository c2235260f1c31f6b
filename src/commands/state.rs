//! `terrane state list|show|mv|rm|pull|push`: inspecting and editing the state of the
//! current workspace (or of `-state=FILE`), with Terraform's messages and exit codes.
//! Every write takes the state lock, counts the serial up and writes atomically with a
//! backup; also the state path, locking and message helpers `taint` and `force-unlock`
//! share.

use super::{cwd, data_dir, parse_flags, use_color, CommandResult, Failure};
use crate::flags::{Flags, Spec};
use crate::render::print_diagnostics;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;
use terrane_engine::diag::{Diagnostic, Diagnostics, Sources};
use terrane_state::address::go_quote;
use terrane_state::lock::{lock, parse_duration, LockError, StateLock};
use terrane_state::ops::{check_push, pushed_snapshot, MoveError};
use terrane_state::show::render_instance;
use terrane_state::{parse_instance, parse_target, workspace_state_path, AddressError, State};

const STATE_NOT_FOUND: &str = "No state file was found!

State management commands require a state file. Run this command
in a directory where terrane has been run or use the -state flag
to point the command to a specific state location.";

const SAVE_FAILED: &str = "The state was not saved. No items were removed from the persisted
state. No backup was created since no modification occurred. Please
resolve the issue above and try again.";

const ONE_INSTANCE: &str =
    "This command requires that the address references one specific instance.
To view the available instances, use \"terrane state list\". Please modify 
the address to reference a specific instance.";

const USAGE: &str = "Usage: terrane [global options] state <subcommand> [options] [args]

  This command has subcommands for advanced state management.

Subcommands:
    list                List resources in the state
    mv                  Move an item in the state
    pull                Pull current state and output to stdout
    push                Update remote state from a local state file
    rm                  Remove instances from the state
    show                Show a resource in the state";

pub fn run(args: &[String]) -> CommandResult {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("list") => list(rest),
        Some("show") => show(rest),
        Some("mv") => mv(rest),
        Some("rm") => rm(rest),
        Some("pull") => pull(rest),
        Some("push") => push(rest),
        _ => {
            eprintln!("{USAGE}");
            Ok(1)
        }
    }
}

/// Prints a plain error line (Terraform's `Ui.Error`) and fails.
pub(crate) fn plain_error(message: &str) -> CommandResult {
    eprintln!("{message}");
    Ok(1)
}

/// A failure showing these problems as error diagnostics.
pub(crate) fn diagnostics_failure(problems: &[AddressError], no_color: bool) -> Failure {
    let mut diags = Diagnostics::new();
    for p in problems {
        diags.push(Diagnostic::error(p.summary.clone(), p.detail.clone()));
    }
    Failure::Diagnostics(Box::default(), diags, use_color(no_color))
}

/// Prints a warning diagnostic.
pub(crate) fn print_warning(summary: &str, detail: &str, no_color: bool) {
    print_diagnostics(
        &Sources::default(),
        [&Diagnostic::warning(summary, detail)],
        use_color(no_color),
    );
}

/// The selected workspace, refusing an invalid `TF_WORKSPACE` as Terraform does.
pub(crate) fn selected_workspace() -> Result<String, String> {
    let env = std::env::var("TF_WORKSPACE").ok();
    let (name, overridden) = terrane_state::workspace::current(&data_dir(), env.as_deref());
    if overridden && !terrane_state::workspace::is_valid_name(&name) {
        return Err(
            "Error selecting workspace: Invalid workspace name set using TF_WORKSPACE".into(),
        );
    }
    Ok(name)
}

/// The state file a command works on: `-state=FILE`, else the selected workspace's.
pub(crate) fn state_path(flags: &Flags) -> Result<PathBuf, String> {
    match flags.value("state").filter(|p| !p.is_empty()) {
        Some(p) => Ok(cwd().join(p)),
        None => Ok(workspace_state_path(&cwd(), &selected_workspace()?)),
    }
}

/// Whether and how long to wait for the state lock (`-lock`, `-lock-timeout`).
pub(crate) struct LockOptions {
    enabled: bool,
    timeout: Duration,
    no_color: bool,
}

impl LockOptions {
    /// How long to wait for the lock, or `None` when locking is off.
    pub(crate) fn wait_limit(&self) -> Option<Duration> {
        self.enabled.then_some(self.timeout)
    }
}

pub(crate) fn lock_options(flags: &Flags) -> Result<LockOptions, Failure> {
    let timeout = match flags.value("lock-timeout") {
        Some(text) => parse_duration(text).map_err(|e| {
            Failure::Message(format!(
                "Invalid command-line option: invalid value {} for flag -lock-timeout: {e}",
                go_quote(text)
            ))
        })?,
        None => Duration::ZERO,
    };
    Ok(LockOptions {
        enabled: flags.flag_default_true("lock"),
        timeout,
        no_color: flags.flag("no-color"),
    })
}

/// Takes the state lock for `operation` unless `-lock=false`, saying so when it has to
/// wait, and failing with Terraform's "Error acquiring the state lock".
pub(crate) fn acquire(
    path: &Path,
    operation: &str,
    options: &LockOptions,
) -> Result<Option<StateLock>, Failure> {
    if !options.enabled {
        return Ok(None);
    }
    let first = match lock(path, operation, Duration::ZERO) {
        Err(LockError::Held { .. }) if !options.timeout.is_zero() => {
            println!("Acquiring state lock. This may take a few moments...");
            lock(path, operation, options.timeout)
        }
        other => other,
    };
    first
        .map(Some)
        .map_err(|e| lock_failure(&e, options.no_color))
}

/// Terraform's "Error acquiring the state lock" diagnostic.
pub(crate) fn lock_failure(error: &LockError, no_color: bool) -> Failure {
    diagnostics_failure(
        &[AddressError::new(
            "Error acquiring the state lock",
            error.acquire_detail(),
        )],
        no_color,
    )
}

/// Reads a state file, failing with the reading error.
pub(crate) fn read_state(path: &Path) -> Result<Option<State>, Failure> {
    State::read(path).map_err(|e| Failure::Message(e.to_string()))
}

/// Where `state mv` and `state rm` keep the previous snapshot: `-backup=PATH`, else
/// `<state>.<unix time>.backup` as Terraform names it.
fn timestamped_backup(state: &Path, flag: Option<&str>) -> PathBuf {
    match flag {
        Some(p) if p != "-" && !p.is_empty() => cwd().join(p),
        _ => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let mut name = state.as_os_str().to_owned();
            name.push(format!(".{now}.backup"));
            PathBuf::from(name)
        }
    }
}

/// Writes a changed state: serial counted up, atomic write, previous snapshot kept at
/// `backup`.
pub(crate) fn write_changed(
    state: &mut State,
    path: &Path,
    backup: Option<&Path>,
) -> Result<(), String> {
    state.serial += 1;
    state.normalize();
    state
        .write_with_backup(path, backup)
        .map_err(|e| e.to_string())
}

fn list(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["no-color"],
            values: &["state", "id"],
        },
    )?;
    let path = state_path(&flags)?;
    let Some(state) = read_state(&path)? else {
        return plain_error(STATE_NOT_FOUND);
    };
    let mut addrs = Vec::new();
    let mut problems = Vec::new();
    if flags.positional.is_empty() {
        addrs = state
            .instance_addrs()
            .map_err(|e| diagnostics_failure(&[e], flags.flag("no-color")))?;
    }
    for text in &flags.positional {
        match parse_target(text).and_then(|t| state.lookup(&t, false)) {
            Ok(found) => addrs.extend(found),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(diagnostics_failure(&problems, flags.flag("no-color")));
    }
    let wanted_id = flags.value("id").unwrap_or("");
    for addr in addrs {
        let id = state
            .current_object(&addr)
            .and_then(|o| o.attributes.get("id"))
            .and_then(|v| v.as_str())
            .unwrap_or("");
        if wanted_id.is_empty() || wanted_id == id {
            println!("{addr}");
        }
    }
    Ok(0)
}

fn show(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["no-color"],
            values: &["state"],
        },
    )?;
    let [text] = flags.positional.as_slice() else {
        eprintln!("Exactly one argument expected.\n\nUsage: terrane [global options] state show [options] ADDRESS");
        return Ok(1);
    };
    let Ok(addr) = parse_instance(text) else {
        return plain_error(&format!(
            "Error parsing instance address: {text}\n\n{ONE_INSTANCE}"
        ));
    };
    let path = state_path(&flags)?;
    let Some(state) = read_state(&path)? else {
        return plain_error(STATE_NOT_FOUND);
    };
    let Some(object) = state.current_object(&addr) else {
        return plain_error(&format!(
            "No instance found for the given address!\n\n{ONE_INSTANCE}"
        ));
    };
    println!("{}", render_instance(&addr, object, None));
    Ok(0)
}

fn mv(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["dry-run", "lock", "no-color", "ignore-remote-version"],
            values: &["backup", "backup-out", "lock-timeout", "state", "state-out"],
        },
    )?;
    let no_color = flags.flag("no-color");
    let [from_text, to_text] = flags.positional.as_slice() else {
        eprintln!("Exactly two arguments expected.\n\nUsage: terrane [global options] state mv [options] SOURCE DESTINATION");
        return Ok(1);
    };
    let locking = lock_options(&flags)?;
    let from_path = state_path(&flags)?;
    let _from_lock = acquire(&from_path, "state-mv", &locking)?;
    let Some(mut from_state) = read_state(&from_path)? else {
        return plain_error(STATE_NOT_FOUND);
    };
    let to_path = flags
        .value("state-out")
        .filter(|p| !p.is_empty())
        .map(|p| cwd().join(p))
        .filter(|p| *p != from_path);
    let mut to_lock = None;
    let mut to_state = None;
    if let Some(path) = &to_path {
        to_lock = acquire(path, "state-mv", &locking)?;
        to_state =
            Some(read_state(path)?.unwrap_or_else(|| State::new(&from_state.terraform_version)));
    }
    let (from, to) = match (parse_target(from_text), parse_target(to_text)) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            let problems: Vec<AddressError> = [f.err(), t.err()].into_iter().flatten().collect();
            return Err(diagnostics_failure(&problems, no_color));
        }
    };
    let moved = match from_state.move_target(to_state.as_mut(), &from, &to, to_text) {
        Ok(m) => m,
        Err(MoveError::Diagnostics(problems)) => {
            return Err(diagnostics_failure(&problems, no_color))
        }
        Err(MoveError::DestinationModuleExists) => {
            return plain_error("Error moving state: destination module already exists\n\nPlease ensure your addresses and state paths are valid. No\nstate was persisted. Your existing states are untouched.");
        }
    };
    let dry_run = flags.flag("dry-run");
    let prefix = if dry_run { "Would move" } else { "Move" };
    for (from, to) in &moved {
        println!("{prefix} {} to {}", go_quote(from), go_quote(to));
    }
    if dry_run {
        if moved.is_empty() {
            println!("Would have moved nothing.");
        }
        return Ok(0);
    }
    if let (Some(path), Some(state)) = (&to_path, to_state.as_mut()) {
        let backup = timestamped_backup(path, flags.value("backup-out"));
        if let Err(e) = write_changed(state, path, Some(&backup)) {
            return plain_error(&format!("Error saving the state: {e}\n\n{SAVE_FAILED}"));
        }
    }
    let backup = timestamped_backup(&from_path, flags.value("backup"));
    if let Err(e) = write_changed(&mut from_state, &from_path, Some(&backup)) {
        return plain_error(&format!("Error saving the state: {e}\n\n{SAVE_FAILED}"));
    }
    drop(to_lock);
    if moved.is_empty() {
        println!("No matching objects found.");
    } else {
        println!("Successfully moved {} object(s).", moved.len());
    }
    Ok(0)
}

fn rm(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["dry-run", "lock", "no-color", "ignore-remote-version"],
            values: &["backup", "lock-timeout", "state"],
        },
    )?;
    let no_color = flags.flag("no-color");
    if flags.positional.is_empty() {
        eprintln!("At least one address is required.\n\nUsage: terrane [global options] state rm [options] ADDRESS...");
        return Ok(1);
    }
    let locking = lock_options(&flags)?;
    let path = state_path(&flags)?;
    let _lock = acquire(&path, "state-rm", &locking)?;
    let Some(mut state) = read_state(&path)? else {
        return plain_error(STATE_NOT_FOUND);
    };
    let mut addrs = Vec::new();
    let mut problems = Vec::new();
    for text in &flags.positional {
        match parse_target(text).and_then(|t| state.lookup(&t, true)) {
            Ok(found) => addrs.extend(found),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(diagnostics_failure(&problems, no_color));
    }
    let dry_run = flags.flag("dry-run");
    let prefix = if dry_run { "Would remove" } else { "Removed" };
    for addr in &addrs {
        println!("{prefix} {addr}");
    }
    if dry_run {
        if addrs.is_empty() {
            println!("Would have removed nothing.");
        }
        return Ok(0);
    }
    if addrs.is_empty() {
        return Err(diagnostics_failure(
            &[AddressError::new(
                "Invalid target address",
                "No matching objects found. To view the available instances, use \"terrane state list\". Please modify the address to reference a specific instance.",
            )],
            no_color,
        ));
    }
    state.remove_instances(&addrs);
    let backup = timestamped_backup(&path, flags.value("backup"));
    if let Err(e) = write_changed(&mut state, &path, Some(&backup)) {
        return plain_error(&format!("Error saving the state: {e}\n\n{SAVE_FAILED}"));
    }
    println!("Successfully removed {} resource instance(s).", addrs.len());
    Ok(0)
}

fn pull(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["no-color"],
            values: &[],
        },
    )?;
    if !flags.positional.is_empty() {
        return plain_error("Usage: terrane [global options] state pull [options]");
    }
    let path = workspace_state_path(&cwd(), &selected_workspace()?);
    if let Some(mut state) = read_state(&path)? {
        state.normalize();
        println!("{}", state.to_json_text());
    }
    Ok(0)
}

fn push(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["force", "lock", "no-color", "ignore-remote-version"],
            values: &["lock-timeout"],
        },
    )?;
    let [source] = flags.positional.as_slice() else {
        eprintln!("Exactly one argument expected.\n\nUsage: terrane [global options] state push [options] PATH");
        return Ok(1);
    };
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(cwd().join(source)).map(|t| text = t)
    };
    if let Err(e) = read {
        return plain_error(&format!("open {source}: {e}"));
    }
    if text.trim().is_empty() {
        return plain_error(&format!(
            "Error reading source state {}: no state",
            go_quote(source)
        ));
    }
    let pushed = match State::parse(Path::new(source), &text) {
        Ok(s) => s,
        Err(e) => {
            return plain_error(&format!(
                "Error reading source state {}: {e}",
                go_quote(source)
            ))
        }
    };
    let locking = lock_options(&flags)?;
    let path = workspace_state_path(&cwd(), &selected_workspace()?);
    let _lock = acquire(&path, "state-push", &locking)?;
    let existing = read_state(&path)?;
    if !flags.flag("force") {
        if let Err(e) = check_push(&pushed, existing.as_ref()) {
            return plain_error(&format!("Failed to write state: {e}"));
        }
    }
    let mut snapshot = pushed_snapshot(&pushed, existing.as_ref());
    snapshot.normalize();
    if let Err(e) = snapshot.write(&path) {
        return plain_error(&format!("Failed to persist state: {e}"));
    }
    Ok(0)
}
