//! The commands, and what they share: loading the configuration of the working directory,
//! the current workspace, and reporting diagnostics.

mod apply;
mod console;
mod fmt;
mod force_unlock;
mod graph;
mod import;
mod init;
mod output;
mod providers;
mod show;
mod sim;
mod state;
mod taint;
mod validate;
mod version;
mod workspace;

use crate::flags::{Flags, Spec};
use crate::render::print_diagnostics;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use terrane_engine::config::{load_module_tree, Module};
use terrane_engine::diag::{Diagnostic, Diagnostics, Sources};
use terrane_engine::plan::{resource_provider, ProviderSet};

/// Runs a command; returns the exit code.
pub fn dispatch(command: &str, args: &[String]) -> u8 {
    let result = match command {
        "version" => version::run(args),
        "validate" => validate::run(args),

        "console" => console::run(args),
        "fmt" => fmt::run(args),
        "init" => init::run(args),
        "plan" => apply::run_plan(args),
        "apply" => apply::run_apply(args, false),
        "destroy" => apply::run_apply(args, true),
        "output" => output::run(args),
        "show" => show::run(args),
        "import" => import::run(args),
        "workspace" => workspace::run(args),
        "state" => state::run(args),
        "taint" => taint::run_taint(args),
        "untaint" => taint::run_untaint(args),
        "force-unlock" => force_unlock::run(args),
        "graph" => graph::run(args),
        "providers" => providers::run(args),
        "sim" => sim::run(args),
        other => {
            eprintln!("Error: terrane has no command named {other:?}. Run \"terrane -help\" for the list of commands.");
            return 1;
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            e.report();
            1
        }
    }
}

/// A command's failure: diagnostics to show, or a plain message.
pub enum Failure {
    Diagnostics(Box<Sources>, Diagnostics, bool),
    Message(String),
}

impl Failure {
    fn report(&self) {
        match self {
            Failure::Diagnostics(sources, diags, color) => {
                print_diagnostics(sources, diags.iter(), *color)
            }
            Failure::Message(m) => print_diagnostics(
                &Sources::default(),
                [&Diagnostic::error(m.clone(), "")],
                use_color(false),
            ),
        }
    }
}

impl From<String> for Failure {
    fn from(s: String) -> Failure {
        Failure::Message(s)
    }
}

pub type CommandResult = Result<u8, Failure>;

/// Parses a command's flags, turning errors into a usage failure.
pub fn parse_flags(args: &[String], spec: &Spec) -> Result<Flags, Failure> {
    Flags::parse(args, spec)
        .map_err(|e| Failure::Message(format!("Invalid command-line option: {e}")))
}

/// Whether to colour output: a terminal, no `-no-color`, no `NO_COLOR`.
pub fn use_color(no_color_flag: bool) -> bool {
    !no_color_flag && std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// The data directory (`.terraform`, or `TF_DATA_DIR`).
pub fn data_dir() -> PathBuf {
    std::env::var_os("TF_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".terraform"))
}

/// The selected workspace: `TF_WORKSPACE`, else the one `workspace select` recorded.
pub fn current_workspace() -> String {
    if let Ok(ws) = std::env::var("TF_WORKSPACE") {
        if !ws.is_empty() {
            return ws;
        }
    }
    std::fs::read_to_string(data_dir().join("environment"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// The working directory, absolute.
pub fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The loaded configuration of the working directory.
pub struct Loaded {
    pub module: Arc<Module>,
    pub sources: Sources,
    pub diagnostics: Diagnostics,
}

/// Loads the module tree in `dir`, with every source file registered for snippets.
pub fn load(dir: &Path) -> Loaded {
    // File names in diagnostics are relative to the working directory, as Terraform's are.
    let relative = dir.strip_prefix(cwd()).ok().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    });
    let (module, mut diagnostics) = load_module_tree(relative.unwrap_or(dir));
    let mut sources = Sources::default();
    register_sources(&module, &mut sources);
    let has_config = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()).any(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                n.ends_with(".tf") || n.ends_with(".tf.json")
            })
        })
        .unwrap_or(false);
    if !has_config {
        diagnostics.push(Diagnostic::error(
            "No configuration files",
            format!("There are no Terraform configuration files in {}. Run this command in a directory that holds .tf or .tf.json files, or point -chdir at one.", dir.display()),
        ));
    }
    Loaded {
        module: Arc::new(module),
        sources,
        diagnostics,
    }
}

fn register_sources(module: &Module, sources: &mut Sources) {
    for f in &module.files {
        sources.add(f.clone());
    }
    for call in module.module_calls.values() {
        if let Some(child) = &call.module {
            register_sources(child, sources);
        }
    }
}

/// The providers a module tree's resources need that `available` lacks, with one resource
/// address using each (for messages).
pub fn missing_providers(module: &Module, available: &ProviderSet) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    collect_missing(module, "", available, &mut out);
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

fn collect_missing(
    module: &Module,
    prefix: &str,
    available: &ProviderSet,
    out: &mut Vec<(String, String)>,
) {
    for res in module.resources.values() {
        let address = resource_provider(module, res);
        if !available.contains(&address) {
            out.push((address, format!("{prefix}{}", res.address())));
        }
    }
    for (name, call) in &module.module_calls {
        if let Some(child) = &call.module {
            collect_missing(child, &format!("{prefix}module.{name}."), available, out);
        }
    }
}

/// The one diagnostic naming every provider terrane does not have yet.
pub fn missing_providers_diagnostic(missing: &[(String, String)], error: bool) -> Diagnostic {
    let list: Vec<String> = missing
        .iter()
        .map(|(a, r)| format!("  - {a} (used by {r})"))
        .collect();
    let summary = "Providers not available in terrane yet";
    let detail = format!(
        "This configuration uses providers that terrane does not implement yet:\n{}\n\nterrane checks the language of these resources (references, expressions, functions) but cannot plan or apply them until their providers are available.",
        list.join("\n")
    );
    if error {
        Diagnostic::error(summary, detail)
    } else {
        Diagnostic::warning(summary, detail)
    }
}

/// What keeps a configuration from being planned or applied by terrane today: a `cloud`
/// block, and providers terrane does not have.
pub fn operation_blockers(module: &Module) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Some(range) = &module.terraform.cloud {
        diags.push(
            Diagnostic::error(
                "Terraform Cloud is not supported",
                "terrane does not support the \"cloud\" block. Store state with a backend instead (for example backend \"local\" or backend \"azurerm\") and remove the cloud block.",
            )
            .at(Some(range.clone())),
        );
    }
    let missing = missing_providers(module, &terrane_providers::built_in());
    if !missing.is_empty() {
        diags.push(missing_providers_diagnostic(&missing, true));
    }
    diags
}

/// Root variable values from the environment, variable files and `-var`/`-var-file`.
pub fn collect_root_variables(
    module: &Module,
    dir: &Path,
    flags: &Flags,
) -> (terrane_engine::vars::RootVariables, Diagnostics) {
    use terrane_engine::vars::{collect, CliVar};
    let cli: Vec<CliVar> = flags
        .all(&["var", "var-file"])
        .map(|(n, v)| match n {
            "var" => CliVar::Assign(v.to_string()),
            _ => CliVar::File(v.to_string()),
        })
        .collect();
    let env: Vec<(String, String)> = std::env::vars().collect();
    collect(module, dir, &env, &cli)
}

/// Fails with the diagnostics when any is an error; otherwise prints the warnings.
pub fn check(sources: &Sources, diags: &Diagnostics, color: bool) -> Result<(), Failure> {
    if diags.has_errors() {
        let mut owned = Sources::default();
        for d in diags.iter() {
            if let Some(r) = &d.range {
                if let Some(f) = sources.get(&r.filename) {
                    owned.add(f.clone());
                }
            }
        }
        return Err(Failure::Diagnostics(Box::new(owned), diags.clone(), color));
    }
    print_diagnostics(sources, diags.iter(), color);
    Ok(())
}

/// Asks for confirmation on a terminal; without one, the caller must have been told to
/// proceed by a flag.
pub fn confirm(question: &str, detail: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    println!("{question}\n  {detail}\n  Only 'yes' will be accepted to approve.\n");
    print!("  Enter a value: ");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    println!();
    line.trim() == "yes"
}
