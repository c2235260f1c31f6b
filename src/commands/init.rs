//! `terrane init`: prepares the working directory. For configurations without providers this
//! checks that the configuration loads and creates the data directory.

use super::{
    check, data_dir, load, missing_providers_diagnostic, parse_flags, providers_needed, use_color,
    CommandResult,
};
use crate::flags::Spec;
use terrane_engine::diag::Diagnostic;

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &[
                "no-color",
                "input",
                "upgrade",
                "reconfigure",
                "migrate-state",
                "get",
                "backend",
                "json",
                "lock",
            ],
            values: &["backend-config", "lock-timeout", "plugin-dir"],
        },
    )?;
    let color = use_color(flags.flag("no-color"));
    let loaded = load(&super::cwd());
    let mut diags = loaded.diagnostics.clone();
    if let Some(range) = &loaded.module.terraform.cloud {
        diags.push(
            Diagnostic::error(
                "Terraform Cloud is not supported",
                "terrane does not support the \"cloud\" block. Store state with a backend instead (for example backend \"local\" or backend \"azurerm\") and remove the cloud block.",
            )
            .at(Some(range.clone())),
        );
    }
    let missing = providers_needed(&loaded.module);
    if !missing.is_empty() {
        diags.push(missing_providers_diagnostic(&missing, true));
    }
    check(&loaded.sources, &diags, color)?;
    std::fs::create_dir_all(data_dir())
        .map_err(|e| format!("Failed to create the data directory: {e}"))?;
    println!("\nTerrane has been successfully initialized!");
    Ok(0)
}
