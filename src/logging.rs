//! `TF_LOG`: diagnostic logging as Terraform does it, through `tracing` events.
//!
//! Off unless `TF_LOG` (or `TF_LOG_CORE` / `TF_LOG_PROVIDER`, for terrane itself and for
//! the providers separately) names a level: `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, or
//! `JSON` (everything, as JSON lines); `OFF` turns it off and anything else means `TRACE`,
//! with a warning. Lines go to standard error, or are appended to the file `TF_LOG_PATH`
//! names. A line has the shape of Terraform's (go-hclog's):
//! `2026-01-02T15:04:05.000+0100 [INFO]  message: key=value`.
//!
//! Events must never carry sensitive values: log names, addresses, versions and counts,
//! never attribute values, variable values, credentials or configuration file contents.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The levels `TF_LOG` accepts besides `JSON`, as Terraform lists them in its warning.
const VALID_LEVELS: &str = "[TRACE DEBUG INFO WARN ERROR OFF]";

/// The prefix of the targets (crate names) of the built-in providers' events.
const PROVIDER_TARGET: &str = "terrane_provider_";

/// Starts logging when the environment asks for it; does nothing otherwise.
pub fn init() {
    let var = |name: &str| {
        std::env::var(name)
            .map(|v| v.trim().to_uppercase())
            .unwrap_or_default()
    };
    let core_setting = Some(var("TF_LOG"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| var("TF_LOG_CORE"));
    let provider_setting = Some(var("TF_LOG_PROVIDER"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| var("TF_LOG"));
    let core = level_filter(&core_setting);
    let providers = level_filter(&provider_setting);
    if core == LevelFilter::OFF && providers == LevelFilter::OFF {
        return;
    }
    let writer: Box<dyn Write + Send> = match std::env::var_os("TF_LOG_PATH") {
        Some(path) if !path.is_empty() => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!(
                    "[WARN] Cannot open the log file {}: {e}. Logging to standard error instead.",
                    std::path::Path::new(&path).display()
                );
                Box::new(std::io::stderr())
            }
        },
        _ => Box::new(std::io::stderr()),
    };
    // Other crates' events (HTTP clients and the like) only when they are warnings or errors.
    let targets = Targets::new()
        .with_default(core.min(LevelFilter::WARN))
        .with_target("terrane", core)
        .with_target(PROVIDER_TARGET, providers);
    let layer = HclogLayer {
        json: core_setting == "JSON" || provider_setting == "JSON",
        writer: Mutex::new(writer),
    };
    if tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init()
        .is_err()
    {
        return;
    }
    tracing::info!("terrane version: {}", env!("CARGO_PKG_VERSION"));
    if let Some(command) = std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        tracing::info!("CLI command: {command}");
    }
}

/// The level a `TF_LOG`-style setting asks for.
fn level_filter(setting: &str) -> LevelFilter {
    match setting {
        "" | "OFF" => LevelFilter::OFF,
        "TRACE" | "JSON" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "INFO" => LevelFilter::INFO,
        "WARN" => LevelFilter::WARN,
        "ERROR" => LevelFilter::ERROR,
        other => {
            eprintln!(
                "[WARN] Invalid log level: {other:?}. Defaulting to level: TRACE. Valid levels are: {VALID_LEVELS}"
            );
            LevelFilter::TRACE
        }
    }
}

/// Writes each event as one line in go-hclog's text or JSON format.
struct HclogLayer {
    json: bool,
    writer: Mutex<Box<dyn Write + Send>>,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let mut fields = EventFields::default();
        event.record(&mut fields);
        let metadata = event.metadata();
        let module = metadata.target().strip_prefix(PROVIDER_TARGET).map(|rest| {
            let provider = rest.split("::").next().unwrap_or(rest);
            format!("provider.terraform-provider-{provider}")
        });
        let now = chrono::Local::now();
        let line = if self.json {
            json_line(&now, metadata.level(), module.as_deref(), &fields)
        } else {
            text_line(&now, metadata.level(), module.as_deref(), &fields)
        };
        if let Ok(mut writer) = self.writer.lock() {
            let _ = writer.write_all(line.as_bytes());
            let _ = writer.flush();
        }
    }
}

/// An event's message and its other fields, in the order they were given.
#[derive(Default)]
struct EventFields {
    message: String,
    others: Vec<(String, String)>,
}

impl Visit for EventFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.others
                .push((field.name().to_string(), value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.others
                .push((field.name().to_string(), format!("{value:?}")));
        }
    }
}

/// hclog's level tag: five characters wide inside the brackets' line position.
fn level_tag(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "[TRACE]",
        Level::DEBUG => "[DEBUG]",
        Level::INFO => "[INFO] ",
        Level::WARN => "[WARN] ",
        Level::ERROR => "[ERROR]",
    }
}

/// `2026-01-02T15:04:05.000+0100 [INFO]  module: message: key=value`, as go-hclog writes
/// it (Go's `Z0700`: `Z` for UTC).
fn text_line(
    now: &chrono::DateTime<chrono::Local>,
    level: &Level,
    module: Option<&str>,
    fields: &EventFields,
) -> String {
    let mut line = now.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
    line.push_str(&utc_offset(now, "%z"));
    let _ = write!(line, " {} ", level_tag(level));
    if let Some(module) = module {
        let _ = write!(line, "{module}: ");
    }
    line.push_str(&fields.message);
    for (index, (key, value)) in fields.others.iter().enumerate() {
        line.push_str(if index == 0 { ": " } else { " " });
        let needs_quotes = value.is_empty() || value.contains(char::is_whitespace);
        if needs_quotes {
            let _ = write!(line, "{key}={value:?}");
        } else {
            let _ = write!(line, "{key}={value}");
        }
    }
    line.push('\n');
    line
}

/// The time's offset from UTC as Go writes it: `Z` for UTC, else in `format`.
fn utc_offset(now: &chrono::DateTime<chrono::Local>, format: &str) -> String {
    if now.offset().local_minus_utc() == 0 {
        "Z".into()
    } else {
        now.format(format).to_string()
    }
}

/// go-hclog's JSON line: `@level`, `@message`, `@module`, `@timestamp` and the fields, with
/// keys in alphabetical order as Go's encoder writes a map.
fn json_line(
    now: &chrono::DateTime<chrono::Local>,
    level: &Level,
    module: Option<&str>,
    fields: &EventFields,
) -> String {
    let mut object: BTreeMap<String, serde_json::Value> = fields
        .others
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    object.insert("@level".into(), level.as_str().to_lowercase().into());
    object.insert("@message".into(), fields.message.clone().into());
    if let Some(module) = module {
        object.insert("@module".into(), module.into());
    }
    let mut timestamp = now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    timestamp.push_str(&utc_offset(now, "%:z"));
    object.insert("@timestamp".into(), timestamp.into());
    let map: serde_json::Map<String, serde_json::Value> = object.into_iter().collect();
    format!("{}\n", serde_json::Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fields(message: &str, others: &[(&str, &str)]) -> EventFields {
        EventFields {
            message: message.into(),
            others: others
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn text_lines_have_hclogs_shape() {
        let now = chrono::Local
            .with_ymd_and_hms(2026, 1, 2, 15, 4, 5)
            .single()
            .expect("a valid local time");
        let line = text_line(
            &now,
            &Level::INFO,
            None,
            &fields(
                "selected provider",
                &[("address", "hashicorp/random"), ("why", "no lock")],
            ),
        );
        assert!(line.starts_with("2026-01-02T15:04:05.000"), "{line}");
        assert!(
            line.ends_with(
                " [INFO]  selected provider: address=hashicorp/random why=\"no lock\"\n"
            ),
            "{line}"
        );
        let provider = text_line(
            &now,
            &Level::DEBUG,
            Some("provider.terraform-provider-random"),
            &fields("planned", &[]),
        );
        assert!(
            provider.ends_with(" [DEBUG] provider.terraform-provider-random: planned\n"),
            "{provider}"
        );
    }

    #[test]
    fn json_lines_have_hclogs_keys() {
        let now = chrono::Local
            .with_ymd_and_hms(2026, 1, 2, 15, 4, 5)
            .single()
            .expect("a valid local time");
        let line = json_line(&now, &Level::WARN, None, &fields("careful", &[("n", "1")]));
        let value: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
        assert_eq!(value["@level"], "warn");
        assert_eq!(value["@message"], "careful");
        assert_eq!(value["n"], "1");
        let keys: Vec<&String> = value
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["@level", "@message", "@timestamp", "n"]);
    }

    #[test]
    fn levels() {
        assert_eq!(level_filter(""), LevelFilter::OFF);
        assert_eq!(level_filter("OFF"), LevelFilter::OFF);
        assert_eq!(level_filter("JSON"), LevelFilter::TRACE);
        assert_eq!(level_filter("WARN"), LevelFilter::WARN);
        assert_eq!(level_filter("VERBOSE"), LevelFilter::TRACE);
    }
}
