//! The `terrane` command: Terraform's command line over the terrane engine.
//!
//! Global options (`-chdir`, `-help`, `-version`) come before the command; `TF_CLI_ARGS`
//! and `TF_CLI_ARGS_<command>` are inserted after the command name, as Terraform does.

mod commands;
mod flags;
mod interrupt;
mod json_ui;
mod logging;
mod plan_render;
mod progress;
mod render;
mod saved_plan;

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: the command runs on a worker thread, whose glibc
/// arena grows page by page through mprotect, and large plans allocate a lot.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    restore_default_sigpipe();
    return_freed_memory_promptly();
    logging::init();
    // Deeply nested configurations recurse deeply: run on a thread with a large stack (only
    // the pages actually touched are committed).
    let worker = std::thread::Builder::new()
        .name("terrane".into())
        .stack_size(1 << 30)
        .spawn(run)
        .and_then(|h| {
            h.join()
                .map_err(|_| std::io::Error::other("the command panicked"))
        });
    match worker {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
    }
}

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e` of mimalloc.h, the same
/// in mimalloc 2 and 3; the Rust binding does not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the process before it is returned. mimalloc 3 keeps it
/// far longer by default; 10 ms costs no measurable time and brings the peak of a
/// 20,000-instance apply from about 210 MB to about 180 MB.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Freed memory goes back to the system soon instead of after mimalloc's long delay: an apply
/// of many thousand instances frees as it goes, and its peak memory is what users see.
/// `MIMALLOC_PURGE_DELAY`, when set, still decides.
fn return_freed_memory_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets a process-wide allocator option (an integer) before other threads start.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
    }
}

/// Rust ignores SIGPIPE, so printing to a closed pipe (`terrane plan | head`) would panic;
/// restoring the default makes the process end quietly instead, as Terraform's does.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default is async-signal-safe and happens
    // before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run() -> u8 {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut chdir: Option<String> = None;
    while let Some(first) = args.first() {
        let bare = first.trim_start_matches('-');
        if !first.starts_with('-') {
            break;
        }
        if let Some(dir) = bare.strip_prefix("chdir=") {
            chdir = Some(dir.to_string());
            args.remove(0);
        } else if bare == "chdir" && args.len() > 1 {
            chdir = Some(args[1].clone());
            args.drain(..2);
        } else if bare == "version" || bare == "v" {
            args[0] = "version".into();
        } else if bare == "help" || bare == "h" {
            print_usage();
            return 0;
        } else {
            eprintln!("Error: unknown global option {first:?}");
            print_usage();
            return 1;
        }
    }
    let Some(command) = args.first().cloned() else {
        print_usage();
        return 1;
    };
    let mut rest: Vec<String> = args[1..].to_vec();
    // A two-word command (state list, workspace show) takes its second word first.
    let mut inserted: Vec<String> = Vec::new();
    if let Ok(general) = std::env::var("TF_CLI_ARGS") {
        inserted.extend(flags::split_words(&general));
    }
    if let Ok(specific) = std::env::var(format!("TF_CLI_ARGS_{}", command.replace('-', "_"))) {
        inserted.extend(flags::split_words(&specific));
    }
    rest.splice(0..0, inserted);
    if let Some(dir) = &chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("Error: Error handling -chdir option: {dir}: {e}");
            return 1;
        }
    }
    commands::dispatch(&command, &rest)
}

fn print_usage() {
    eprintln!(
        "Usage: terrane [global options] <subcommand> [args]

Main commands:
  init          Prepare your working directory for other commands
  validate      Check whether the configuration is valid
  plan          Show changes required by the current configuration
  apply         Create or update infrastructure
  destroy       Destroy previously-created infrastructure

All other commands:
  console       Try Terraform expressions at an interactive command prompt
  fmt           Reformat your configuration in the standard style
  force-unlock  Release a stuck lock on the current workspace
  graph         Generate a Graphviz or mermaid graph of the steps in an operation
  import        Associate existing infrastructure with a terrane resource
  output        Show output values from your root module
  providers     Show the providers required for this configuration
  show          Show the current state or a saved plan
  state         Advanced state management
  taint         Mark a resource instance as not fully functional
  untaint       Remove the 'tainted' state from a resource instance
  version       Show the current terrane version
  workspace     Workspace management

terrane's own commands:
  sim serve     Run the Azure simulator (ARM, its token and metadata endpoints)

Global options (use these before the subcommand, if any):
  -chdir=DIR    Switch to a different working directory before executing the
                given subcommand.
  -help         Show this help output.
  -version      An alias for the \"version\" subcommand."
    );
}
