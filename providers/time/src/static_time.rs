//! `time_static`: a timestamp taken once, at creation (or given as `rfc3339`), kept in
//! state with its calendar parts until the resource is replaced.

use crate::timestamp::{self, Timestamp};
use crate::{computed_number, empty_triggers, set_parts, triggers_attribute, Planned};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework::{self, get};
use terrane_engine::provider::{Attribute, Block, Schema};
use terrane_engine::value::{Type, Value};

pub fn schema() -> Schema {
    let mut block = Block {
        description: "A UTC timestamp taken once and kept in state.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    for (name, what) in [
        ("year", "Year of the timestamp."),
        ("month", "Month of the timestamp."),
        ("day", "Day of the timestamp."),
        ("hour", "Hour of the timestamp."),
        ("minute", "Minute of the timestamp."),
        ("second", "Second of the timestamp."),
        ("unix", "Seconds since the Unix epoch."),
    ] {
        attrs.insert(name.into(), computed_number().describe(what));
    }
    attrs.insert("triggers".into(), triggers_attribute());
    attrs.insert(
        "rfc3339".into(),
        Attribute::optional_computed(Type::String)
            .force_new()
            .describe("The timestamp in RFC 3339 format; the current time when not set."),
    );
    attrs.insert(
        "id".into(),
        Attribute::computed(Type::String).describe("The timestamp in RFC 3339 format."),
    );
    Schema { version: 0, block }
}

pub fn validate(config: &Value) -> Diagnostics {
    crate::validate_rfc3339(config, &["rfc3339"])
}

pub fn plan(prior: &Value, proposed: &Value, config: &Value) -> Result<Planned, Diagnostics> {
    let block = schema().block;
    let mut planned = framework::plan_attributes(&block, prior, proposed, config, &[], &["id"]);
    if prior.is_null() {
        // A timestamp given in the configuration is known while planning.
        let planned_object = Value::object(planned.clone());
        if let Some(t) = crate::timestamp_attribute(&planned_object, "rfc3339")? {
            set_parts(&mut planned, &t);
            planned.insert("id".into(), get(&planned_object, "rfc3339"));
        }
    }
    let replace = framework::replaced_attributes(&block, prior, &planned);
    Ok((Value::object(planned), replace))
}

pub fn apply(now: &Timestamp, prior: &Value, planned: &Value) -> Result<Value, Diagnostics> {
    let mut state = framework::attributes(planned);
    let base = if prior.is_null() {
        crate::timestamp_attribute(planned, "rfc3339")?.unwrap_or(*now)
    } else {
        match crate::timestamp_attribute(planned, "rfc3339")? {
            Some(t) => t,
            None => crate::timestamp_attribute(prior, "rfc3339")?.unwrap_or(*now),
        }
    };
    set_parts(&mut state, &base);
    let text = crate::rfc3339_value(&get(planned, "rfc3339"), &base);
    state.insert(
        "id".into(),
        crate::rfc3339_value(&get(planned, "id"), &base),
    );
    state.insert("rfc3339".into(), text);
    Ok(Value::object(state))
}

pub fn import(id: &str) -> Result<Value, Diagnostics> {
    let t = timestamp::parse_rfc3339(id).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Import time static error",
            format!(
                "The id that was supplied could not be parsed as RFC3339.\n\nOriginal Error: {e}"
            ),
        ))
    })?;
    let mut state = framework::null_attributes(&schema().block);
    set_parts(&mut state, &t);
    let text = Value::string(timestamp::format_rfc3339(&t));
    state.insert("rfc3339".into(), text.clone());
    state.insert("id".into(), text);
    state.insert("triggers".into(), empty_triggers());
    Ok(Value::object(state))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::provider::Provider;
    use terrane_engine::value::{Type, Value};

    const T: &str = "time_static";

    #[test]
    fn schema_shape() {
        let s = super::schema();
        let a = &s.block.attributes;
        assert_eq!(a.len(), 10);
        assert!(a["rfc3339"].optional && a["rfc3339"].computed && a["rfc3339"].force_new);
        assert!(a["triggers"].optional && a["triggers"].force_new);
        assert_eq!(a["triggers"].ty, Type::map(Type::String));
        assert!(a["id"].computed && !a["id"].optional);
        assert_eq!(a["unix"].ty, Type::Number);
    }

    #[tokio::test]
    async fn create_takes_the_current_time() {
        let p = provider_at("2020-02-12T06:36:13Z");
        let config = object(T, &[]);
        let plan = plan(&p, T, &Value::Null(Type::Dynamic), &config).await;
        for name in ["id", "rfc3339", "year", "unix"] {
            assert!(!get(&plan.planned_state, name).is_known(), "{name}");
        }
        assert!(get(&plan.planned_state, "triggers").is_null());
        let state = create(&p, T, &config).await;
        assert_eq!(get(&state, "id"), Value::string("2020-02-12T06:36:13Z"));
        assert_eq!(
            get(&state, "rfc3339"),
            Value::string("2020-02-12T06:36:13Z")
        );
        assert_eq!(get(&state, "year"), Value::int(2020));
        assert_eq!(get(&state, "month"), Value::int(2));
        assert_eq!(get(&state, "day"), Value::int(12));
        assert_eq!(get(&state, "hour"), Value::int(6));
        assert_eq!(get(&state, "minute"), Value::int(36));
        assert_eq!(get(&state, "second"), Value::int(13));
        assert_eq!(get(&state, "unix"), Value::int(1581489373));
    }

    #[tokio::test]
    async fn configured_timestamp_is_known_at_plan() {
        let p = provider_at("2030-01-01T00:00:00Z");
        let config = object(T, &[("rfc3339", "2020-01-01T10:20:30+02:00".into())]);
        let plan = plan(&p, T, &Value::Null(Type::Dynamic), &config).await;
        assert!(plan.planned_state.is_wholly_known());
        assert_eq!(get(&plan.planned_state, "hour"), Value::int(10));
        assert_eq!(get(&plan.planned_state, "unix"), Value::int(1577866830));
        assert_eq!(
            get(&plan.planned_state, "id"),
            Value::string("2020-01-01T10:20:30+02:00")
        );
        let state = create(&p, T, &config).await;
        assert_eq!(state, plan.planned_state);
    }

    #[tokio::test]
    async fn argument_changes_replace() {
        let p = provider_at("2020-02-12T06:36:13Z");
        let config = object(T, &[]);
        let prior = create(&p, T, &config).await;
        let same = plan(&p, T, &prior, &config).await;
        assert!(same.requires_replace.is_empty());
        assert_eq!(same.planned_state, prior);

        let mut triggers = std::collections::BTreeMap::new();
        triggers.insert("k".to_string(), Value::string("v"));
        let changed = object(T, &[("triggers", Value::map(Type::String, triggers))]);
        let r = plan(&p, T, &prior, &changed).await;
        assert_eq!(r.requires_replace, paths(&["rfc3339", "triggers"]));
        assert_eq!(get(&r.planned_state, "id"), get(&prior, "id"));

        let pinned = object(T, &[("rfc3339", "2021-01-01T00:00:00Z".into())]);
        let r = plan(&p, T, &prior, &pinned).await;
        assert_eq!(r.requires_replace, paths(&["rfc3339"]));
    }

    #[tokio::test]
    async fn read_keeps_state_and_import_parses() {
        let p = provider_at("2020-02-12T06:36:13Z");
        let prior = create(&p, T, &object(T, &[])).await;
        let (read, _) = p.read(T, &prior, &[]).await.unwrap().unwrap();
        assert_eq!(read, prior);

        let imported = p.import(T, "2020-02-12T06:36:13+00:00").await.unwrap();
        let state = &imported[0].state;
        assert_eq!(get(state, "id"), Value::string("2020-02-12T06:36:13Z"));
        assert_eq!(get(state, "unix"), Value::int(1581489373));
        assert_eq!(get(state, "triggers").len(), Some(0));
        let err = p.import(T, "yesterday").await.unwrap_err();
        assert_eq!(err.0[0].summary, "Import time static error");
    }

    #[tokio::test]
    async fn invalid_timestamp_is_rejected() {
        let p = provider_at("2020-02-12T06:36:13Z");
        let config = object(T, &[("rfc3339", "2020-13-01T00:00:00Z".into())]);
        let d = p.validate_resource_config(T, &config).await;
        assert!(d.has_errors());
        assert_eq!(d.0[0].summary, "Invalid RFC3339 String Value");
        assert!(p
            .validate_resource_config(T, &object(T, &[]))
            .await
            .is_empty());
    }
}
