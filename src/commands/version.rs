//! `terrane version [-json]`.

use super::{parse_flags, CommandResult};
use crate::flags::Spec;

pub fn run(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &["json"],
            values: &[],
        },
    )?;
    let version = env!("CARGO_PKG_VERSION");
    let platform = format!(
        "{}_{}",
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        }
    );
    if flags.flag("json") {
        let doc = serde_json::json!({
            "terrane_version": version,
            "platform": platform,
            "provider_selections": {},
        });
        println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
    } else {
        println!("Terrane v{version}\non {platform}");
    }
    Ok(0)
}
