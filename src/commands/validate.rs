//! `terrane validate [-json]`: checks the configuration's language (syntax, references,
//! types of constant expressions, function calls) without reading state or calling
//! providers.

use super::{
    load, missing_providers, missing_providers_diagnostic, parse_flags, use_color, CommandResult,
};
use crate::flags::Spec;
use crate::render::print_diagnostics;
use terrane_engine::diag::Diagnostic;
use terrane_engine::eval::module::{evaluate_tree, Mode, Settings};

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["json", "no-color"],
            values: &[],
        },
    )?;
    let dir = match flags.positional.first() {
        Some(d) => std::path::PathBuf::from(d),
        None => super::cwd(),
    };
    let loaded = load(&dir);
    let mut diags = loaded.diagnostics.clone();
    if !diags.has_errors() {
        let settings = Settings {
            mode: Mode::Validate,
            workspace: super::current_workspace(),
            cwd: super::cwd(),
            files: std::sync::Arc::new(terrane_engine::functions::RealFiles),
            plan_timestamp: String::new(),
        };
        let eval = evaluate_tree(loaded.module.clone(), Default::default(), settings);
        diags.extend(eval.diagnostics);
    }
    if let Some(range) = &loaded.module.terraform.cloud {
        diags.push(
            Diagnostic::warning(
                "Terraform Cloud is not supported",
                "terrane ignores the \"cloud\" block when validating; to plan or apply, store state with a backend instead.",
            )
            .at(Some(range.clone())),
        );
    }
    let missing = missing_providers(&loaded.module, &terrane_providers::built_in());
    if !missing.is_empty() {
        diags.push(missing_providers_diagnostic(&missing, false));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.0.len() - errors;
    if flags.flag("json") {
        let doc = serde_json::json!({
            "format_version": "1.0",
            "valid": errors == 0,
            "error_count": errors,
            "warning_count": warnings,
            "diagnostics": diags.iter().map(|d| loaded.sources.to_json(d)).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
    } else {
        print_diagnostics(
            &loaded.sources,
            diags.iter(),
            use_color(flags.flag("no-color")),
        );
        if errors == 0 {
            if warnings > 0 {
                println!("Success! The configuration is valid, but there were some validation warnings as shown above.\n");
            } else {
                println!("Success! The configuration is valid.\n");
            }
        }
    }
    Ok(if errors == 0 { 0 } else { 1 })
}
