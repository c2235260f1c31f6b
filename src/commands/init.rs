//! `terrane init`: prepares the working directory. For configurations without providers this
//! checks that the configuration loads and creates the data directory.

use super::{check, data_dir, load, operation_blockers, parse_flags, use_color, CommandResult};
use crate::flags::Spec;

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
    diags.extend(operation_blockers(&loaded.module));
    check(&loaded.sources, &diags, color)?;
    std::fs::create_dir_all(data_dir())
        .map_err(|e| format!("Failed to create the data directory: {e}"))?;
    println!("\nTerrane has been successfully initialized!");
    Ok(0)
}
