//! Fuzz target: arbitrary bytes as a configuration file, loaded, evaluated and reported the
//! way `terrane validate` and `terrane apply` do it.
//!
//! The input becomes `main.tf` (or `main.tf.json` when it starts with `{`) in a directory of
//! this process's own, next to a template file and a small child module that inputs may
//! use (`templatefile("tpl.tftpl", {...})`, `module "c" { source = "./child" }`). The
//! module tree is loaded; when it has no errors it is evaluated in validate mode and in
//! apply mode with no input variables, and every diagnostic is rendered as text and JSON
//! and every root output converted to JSON. Any panic, stack overflow or hang is a bug.

#![no_main]

mod common;

use common::{has_huge_exponent, process_dir, ConfinedFiles};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use terrane_engine::config::{load_module_tree, Module};
use terrane_engine::diag::Sources;
use terrane_engine::eval::module::{evaluate_tree, Mode, Settings};
use terrane_engine::json::value_to_json;

const TEMPLATE: &str = "Hello, ${name}!\n%{ for i, x in items ~}\n${i}: ${x}\n%{ endfor ~}\n%{ if length(items) > 1 }many%{ else }few%{ endif }\n";

const CHILD_MODULE: &str = r#"
variable "in" {
  type    = any
  default = null
}

locals {
  doubled = var.in == null ? null : [var.in, var.in]
}

output "out" {
  value = local.doubled
}
"#;

/// The configuration directory of this process, with its fixed files.
fn config_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = process_dir("config");
        std::fs::create_dir_all(dir.join("child")).expect("create the child module directory");
        std::fs::write(dir.join("tpl.tftpl"), TEMPLATE).expect("write the template");
        std::fs::write(dir.join("child").join("main.tf"), CHILD_MODULE)
            .expect("write the child module");
        dir
    })
}

fn settings(mode: Mode, dir: &'static Path) -> Settings {
    Settings {
        mode,
        workspace: "default".to_string(),
        cwd: dir.to_path_buf(),
        files: Arc::new(ConfinedFiles { root: dir }),
        plan_timestamp: "2024-05-06T07:08:09Z".to_string(),
    }
}

fn register_sources(module: &Module, sources: &mut Sources) {
    for file in &module.files {
        sources.add(file.clone());
    }
    for call in module.module_calls.values() {
        if let Some(child) = &call.module {
            register_sources(child, sources);
        }
    }
}

/// Writes the input as the only configuration file of the directory.
fn write_config(dir: &Path, data: &[u8]) {
    let is_json = data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let (name, other) = if is_json {
        ("main.tf.json", "main.tf")
    } else {
        ("main.tf", "main.tf.json")
    };
    let _ = std::fs::remove_file(dir.join(other));
    std::fs::write(dir.join(name), data).expect("write the configuration");
}

fuzz_target!(|data: &[u8]| {
    if has_huge_exponent(data) {
        return;
    }
    let dir = config_dir();
    write_config(dir, data);

    let (module, mut diagnostics) = load_module_tree(dir);
    let module = Arc::new(module);
    let mut sources = Sources::default();
    register_sources(&module, &mut sources);

    if !diagnostics.has_errors() {
        for mode in [Mode::Validate, Mode::Apply] {
            let evaluation = evaluate_tree(module.clone(), BTreeMap::new(), settings(mode, dir));
            for (_, value, _) in evaluation.root_outputs() {
                let _ = value_to_json(&value);
            }
            diagnostics.extend(evaluation.diagnostics);
        }
    }
    for diagnostic in diagnostics.iter() {
        let _ = sources.render(diagnostic);
        let _ = sources.to_json(diagnostic);
    }
});
