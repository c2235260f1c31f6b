//! `time_sleep`: waits `create_duration` when created and `destroy_duration` when
//! destroyed, so that other resources can be ordered around a delay.

use crate::timestamp::{self, Timestamp};
use crate::{empty_triggers, triggers_attribute, Clock, Planned};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework::{self, get, get_str};
use terrane_engine::provider::{Attribute, Block, Schema};
use terrane_engine::value::{Type, Value};

const DURATIONS: [&str; 2] = ["create_duration", "destroy_duration"];

pub fn schema() -> Schema {
    let mut block = Block {
        description: "Waits for a while when created and/or destroyed.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    attrs.insert(
        "create_duration".into(),
        Attribute::optional(Type::String)
            .describe("How long to wait when creating, as a Go duration such as `30s`."),
    );
    attrs.insert(
        "destroy_duration".into(),
        Attribute::optional(Type::String)
            .describe("How long to wait when destroying, as a Go duration such as `30s`."),
    );
    attrs.insert("triggers".into(), triggers_attribute());
    attrs.insert(
        "id".into(),
        Attribute::computed(Type::String).describe("When the resource was created, in RFC 3339."),
    );
    Schema { version: 0, block }
}

/// Whether `text` is a number immediately followed by `ms`, `s`, `m` or `h`.
fn is_simple_duration(text: &str) -> bool {
    let Some(number) = ["ms", "s", "m", "h"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit))
    else {
        return false;
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (number, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

pub fn validate(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for (i, name) in DURATIONS.iter().enumerate() {
        // Each duration carries an attribute-level AtLeastOneOf validator naming the other
        // attribute, then itself.
        let order = [DURATIONS[1 - i], *name];
        if framework::all_null(config, &order) {
            diagnostics.push(Diagnostic::error(
                "Invalid Attribute Combination",
                format!(
                    "At least one attribute out of [{}] must be specified",
                    order.join(",")
                ),
            ));
        }
        if let Some(text) = get_str(config, name) {
            if !is_simple_duration(&text) {
                diagnostics.push(Diagnostic::error(
                    "Invalid Attribute Value Match",
                    format!(
                        "Attribute {name} must be a number immediately followed by ms (milliseconds), s (seconds), m (minutes), or h (hours). For example, \"30s\" for 30 seconds., got: {text}"
                    ),
                ));
            }
        }
    }
    diagnostics
}

pub fn plan(prior: &Value, proposed: &Value, config: &Value) -> Result<Planned, Diagnostics> {
    let block = schema().block;
    let planned = framework::plan_attributes(&block, prior, proposed, config, &[], &["id"]);
    let replace = framework::replaced_attributes(&block, prior, &planned);
    Ok((Value::object(planned), replace))
}

/// Waits for the duration in attribute `name` of `object`, if it has one.
async fn wait(object: &Value, name: &str, operation: &str) -> Result<(), Diagnostics> {
    let Some(text) = get_str(object, name).filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let nanos = timestamp::parse_go_duration(&text).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            format!("{operation} time sleep error"),
            format!("The {name} cannot be parsed\n\nOriginal Error: {e}"),
        ))
    })?;
    tokio::time::sleep(timestamp::sleep_length(nanos)).await;
    Ok(())
}

pub async fn apply(clock: &Clock, prior: &Value, planned: &Value) -> Result<Value, Diagnostics> {
    if planned.is_null() {
        wait(prior, "destroy_duration", "Delete").await?;
        return Ok(planned.clone());
    }
    let mut state = framework::attributes(planned);
    if prior.is_null() {
        wait(planned, "create_duration", "Create").await?;
        let now: Timestamp = clock();
        state.insert("id".into(), Value::string(timestamp::format_rfc3339(&now)));
    } else if !get(planned, "id").is_known() {
        state.insert("id".into(), get(prior, "id"));
    }
    Ok(Value::object(state))
}

pub fn import(now: &Timestamp, id: &str) -> Result<Value, Diagnostics> {
    let parts: Vec<&str> = id.split(',').collect();
    if parts.len() != 2 || (parts[0].is_empty() && parts[1].is_empty()) {
        return Err(Diagnostic::error(
            "Unexpected Format of ID",
            format!(
                "Unexpected format of ID ({id:?}), expected CREATEDURATION,DESTROYDURATION where at least one value is non-empty"
            ),
        )
        .into());
    }
    let mut state = framework::null_attributes(&schema().block);
    for (name, text) in DURATIONS.iter().zip(&parts) {
        if text.is_empty() {
            continue;
        }
        timestamp::parse_go_duration(text).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Import time sleep error",
                format!("The {name} cannot be parsed\n\nOriginal Error: {e}"),
            ))
        })?;
        state.insert(name.to_string(), Value::string(*text));
    }
    state.insert("id".into(), Value::string(timestamp::format_rfc3339(now)));
    state.insert("triggers".into(), empty_triggers());
    Ok(Value::object(state))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::provider::Provider;
    use terrane_engine::value::{Type, Value};

    const T: &str = "time_sleep";

    #[test]
    fn schema_shape() {
        let a = super::schema().block.attributes;
        assert_eq!(a.len(), 4);
        assert!(a["create_duration"].optional && !a["create_duration"].force_new);
        assert!(a["destroy_duration"].optional && !a["destroy_duration"].force_new);
        assert!(a["triggers"].force_new);
        assert!(a["id"].computed);
    }

    #[test]
    fn duration_syntax() {
        for ok in ["30s", "1.5h", "100ms", "0m"] {
            assert!(super::is_simple_duration(ok), "{ok}");
        }
        for bad in ["30", "1h30m", "-1s", ".5s", "1.s", "5d", "s"] {
            assert!(!super::is_simple_duration(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn validation() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let d = p.validate_resource_config(T, &object(T, &[])).await;
        assert_eq!(d.0.len(), 2);
        assert_eq!(
            d.0[0].detail,
            "At least one attribute out of [destroy_duration,create_duration] must be specified"
        );
        let d = p
            .validate_resource_config(T, &object(T, &[("create_duration", "1d".into())]))
            .await;
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].summary, "Invalid Attribute Value Match");
        let ok = object(T, &[("destroy_duration", "1s".into())]);
        assert!(p.validate_resource_config(T, &ok).await.is_empty());
        let unknown = object(T, &[("create_duration", Value::Unknown(Type::String))]);
        assert!(p.validate_resource_config(T, &unknown).await.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn sleeps_on_create_and_destroy() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let config = object(
            T,
            &[
                ("create_duration", "30s".into()),
                ("destroy_duration", "1.5m".into()),
            ],
        );
        let plan = plan(&p, T, &Value::Null(Type::Dynamic), &config).await;
        assert!(!get(&plan.planned_state, "id").is_known());
        let start = tokio::time::Instant::now();
        let state = create(&p, T, &config).await;
        assert_eq!(start.elapsed().as_secs(), 30);
        assert_eq!(get(&state, "id"), Value::string("2020-01-01T00:00:00Z"));
        assert_eq!(get(&state, "create_duration"), Value::string("30s"));

        let start = tokio::time::Instant::now();
        let gone = apply(
            &p,
            T,
            &state,
            &Value::Null(state.ty()),
            &Value::Null(state.ty()),
        )
        .await;
        assert!(gone.new_state.is_null());
        assert_eq!(start.elapsed().as_secs(), 90);
    }

    #[tokio::test(start_paused = true)]
    async fn duration_changes_update_in_place_and_triggers_replace() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let config = object(T, &[("create_duration", "1s".into())]);
        let prior = create(&p, T, &config).await;
        let changed = object(T, &[("create_duration", "2s".into())]);
        let r = plan(&p, T, &prior, &changed).await;
        assert!(r.requires_replace.is_empty());
        assert_eq!(get(&r.planned_state, "id"), get(&prior, "id"));
        let start = tokio::time::Instant::now();
        let updated = apply(&p, T, &prior, &r.planned_state, &changed).await;
        assert_eq!(start.elapsed().as_secs(), 0);
        assert_eq!(
            get(&updated.new_state, "create_duration"),
            Value::string("2s")
        );

        let mut triggers = std::collections::BTreeMap::new();
        triggers.insert("a".to_string(), Value::string("b"));
        let triggered = object(
            T,
            &[
                ("create_duration", "1s".into()),
                ("triggers", Value::map(Type::String, triggers)),
            ],
        );
        let r = plan(&p, T, &prior, &triggered).await;
        assert_eq!(r.requires_replace, paths(&["triggers"]));
    }

    #[tokio::test]
    async fn import_formats() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let state = &p.import(T, "30s,").await.unwrap()[0].state;
        assert_eq!(get(state, "create_duration"), Value::string("30s"));
        assert!(get(state, "destroy_duration").is_null());
        assert_eq!(get(state, "id"), Value::string("2020-01-01T00:00:00Z"));
        let state = &p.import(T, ",1h30m").await.unwrap()[0].state;
        assert_eq!(get(state, "destroy_duration"), Value::string("1h30m"));
        for bad in [",", "30s", "30s,1s,2s", "1x,"] {
            assert!(p.import(T, bad).await.is_err(), "{bad}");
        }
    }
}
