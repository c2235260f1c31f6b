//! `time_rotating`: a base timestamp and a rotation timestamp some time after it; once the
//! current time passes the rotation timestamp, refreshing reports the resource gone so that
//! it is created again with a new base.

use crate::timestamp::{self, Timestamp};
use crate::{
    computed_number, empty_triggers, import_integer, optional_int, rfc3339_value, set_parts,
    triggers_attribute, Planned,
};
use std::collections::BTreeMap;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework::{self, get};
use terrane_engine::provider::{Attribute, Block, Schema};
use terrane_engine::value::{Type, Value};

/// The whole-number rotation arguments.
const ROTATION_NUMBERS: [&str; 5] = [
    "rotation_days",
    "rotation_hours",
    "rotation_minutes",
    "rotation_months",
    "rotation_years",
];

/// The arguments that define the rotation, in the order the upstream provider compares them.
const ROTATION_SETTINGS: [&str; 6] = [
    "rotation_years",
    "rotation_months",
    "rotation_days",
    "rotation_hours",
    "rotation_minutes",
    "rotation_rfc3339",
];

pub fn schema() -> Schema {
    let mut block = Block {
        description: "A UTC timestamp that is replaced after a rotation period.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    for (name, what) in [
        ("year", "Year of the rotation timestamp."),
        ("month", "Month of the rotation timestamp."),
        ("day", "Day of the rotation timestamp."),
        ("hour", "Hour of the rotation timestamp."),
        ("minute", "Minute of the rotation timestamp."),
        ("second", "Second of the rotation timestamp."),
        (
            "unix",
            "The rotation timestamp in seconds since the Unix epoch.",
        ),
    ] {
        attrs.insert(name.into(), computed_number().describe(what));
    }
    for name in ROTATION_NUMBERS {
        let unit = name.trim_start_matches("rotation_");
        attrs.insert(
            name.into(),
            Attribute::optional(Type::Number).describe(&format!(
                "Number of {unit} after the base timestamp at which the resource rotates."
            )),
        );
    }
    attrs.insert(
        "rotation_rfc3339".into(),
        Attribute::optional_computed(Type::String)
            .describe("When the resource rotates, in RFC 3339 format."),
    );
    attrs.insert("triggers".into(), triggers_attribute());
    attrs.insert(
        "rfc3339".into(),
        Attribute::optional_computed(Type::String)
            .force_new()
            .describe("The base timestamp in RFC 3339 format; the current time when not set."),
    );
    attrs.insert(
        "id".into(),
        Attribute::computed(Type::String).describe("The base timestamp in RFC 3339 format."),
    );
    Schema { version: 0, block }
}

pub fn validate(config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let order = [
        "rotation_minutes",
        "rotation_hours",
        "rotation_days",
        "rotation_months",
        "rotation_years",
        "rotation_rfc3339",
    ];
    if let Some(d) = framework::at_least_one_configured(config, &order) {
        diagnostics.push(d);
    }
    for name in ROTATION_NUMBERS {
        match framework::get_i64(config, name) {
            Ok(Some(n)) if n < 1 => diagnostics.push(Diagnostic::error(
                "Invalid Attribute Value",
                format!("Attribute {name} value must be at least 1, got: {n}"),
            )),
            Ok(_) => {}
            Err(d) => diagnostics.extend(d),
        }
    }
    diagnostics.extend(crate::validate_rfc3339(
        config,
        &["rfc3339", "rotation_rfc3339"],
    ));
    diagnostics
}

/// Whether any rotation argument differs between the prior and the planned object.
fn rotation_settings_changed(prior: &Value, planned: &BTreeMap<String, Value>) -> bool {
    ROTATION_SETTINGS
        .iter()
        .any(|name| framework::changed(&get(prior, name), planned.get(*name)))
}

/// The upstream provider's rotation computation: the rotation timestamp from the rotation
/// arguments (later ones win: days, hours, minutes, months, the explicit timestamp, years),
/// its calendar parts, and the base timestamp as `rfc3339` and `id`. `reference` supplies
/// the spelling to keep for timestamps that do not change.
fn set_rotation_values(
    object: &mut BTreeMap<String, Value>,
    base: &Timestamp,
    reference: &Value,
) -> Result<(), Diagnostics> {
    let current = Value::object(object.clone());
    let [days, hours, minutes, months, years] =
        crate::numbers(&current, ROTATION_NUMBERS)?.map(|n| n.unwrap_or(0));
    let range_error = |e: String| {
        Diagnostics::from(Diagnostic::error(
            "Invalid rotation",
            format!("The rotation timestamp cannot be computed: {e}"),
        ))
    };
    let mut rotation = timestamp::go_zero_time();
    if days != 0 {
        rotation = timestamp::add_date(base, 0, 0, days).map_err(range_error)?;
    }
    if hours != 0 {
        rotation = timestamp::add_seconds(base, hours, 3600).map_err(range_error)?;
    }
    if minutes != 0 {
        rotation = timestamp::add_seconds(base, minutes, 60).map_err(range_error)?;
    }
    if months != 0 {
        rotation = timestamp::add_date(base, 0, months, 0).map_err(range_error)?;
    }
    if let Some(t) = crate::timestamp_attribute(&current, "rotation_rfc3339")? {
        rotation = t;
    }
    if years != 0 {
        rotation = timestamp::add_date(base, years, 0, 0).map_err(range_error)?;
    }
    object.insert(
        "rotation_rfc3339".into(),
        rfc3339_value(&get(reference, "rotation_rfc3339"), &rotation),
    );
    set_parts(object, &rotation);
    object.insert(
        "rfc3339".into(),
        rfc3339_value(&get(reference, "rfc3339"), base),
    );
    object.insert("id".into(), rfc3339_value(&get(reference, "id"), base));
    Ok(())
}

pub fn plan(
    now: &Timestamp,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> Result<Planned, Diagnostics> {
    let block = schema().block;
    let mut planned = framework::plan_attributes(&block, prior, proposed, config, &[], &[]);
    let mut replace = Vec::new();
    if !prior.is_null() {
        // `rotation_rfc3339` replaces the resource when its plan changes after the prior
        // rotation time has passed.
        let outdated = if framework::changed(
            &get(prior, "rotation_rfc3339"),
            planned.get("rotation_rfc3339"),
        ) {
            match framework::get_str(prior, "rotation_rfc3339") {
                Some(text) => {
                    let rotation = timestamp::parse_rfc3339(&text).map_err(|e| {
                        Diagnostics::from(Diagnostic::error(
                            "replaceIfOutdated plan modifier error",
                            format!("The rotation rfc3339 timestamp that was supplied could not be parsed as RFC3339.\n\nOriginal Error: {e}"),
                        ))
                    })?;
                    *now > rotation
                }
                None => false,
            }
        } else {
            false
        };
        let rotation_known = ROTATION_NUMBERS
            .iter()
            .all(|n| planned.get(*n).is_none_or(Value::is_known));
        if rotation_settings_changed(prior, &planned) && rotation_known {
            let planned_object = Value::object(planned.clone());
            let base_source = if framework::is_unknown(&planned_object, "rfc3339") {
                prior
            } else {
                &planned_object
            };
            let base = crate::timestamp_attribute(base_source, "rfc3339")?.ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid base timestamp",
                    "The prior state of time_rotating has no rfc3339 timestamp.",
                ))
            })?;
            set_rotation_values(&mut planned, &base, prior)?;
        }
        replace = framework::replaced_attributes(&block, prior, &planned);
        if outdated
            && framework::changed(
                &get(prior, "rotation_rfc3339"),
                planned.get("rotation_rfc3339"),
            )
        {
            replace.push(vec!["rotation_rfc3339".to_string()]);
            replace.sort();
        }
    }
    Ok((Value::object(planned), replace))
}

pub fn apply(now: &Timestamp, prior: &Value, planned: &Value) -> Result<Value, Diagnostics> {
    let mut state = framework::attributes(planned);
    if prior.is_null() {
        let base = crate::timestamp_attribute(planned, "rfc3339")?.unwrap_or(*now);
        set_rotation_values(&mut state, &base, planned)?;
    } else if rotation_settings_changed(prior, &state) {
        let base = crate::timestamp_attribute(planned, "id")?
            .or(crate::timestamp_attribute(prior, "id")?)
            .unwrap_or(*now);
        set_rotation_values(&mut state, &base, planned)?;
    } else {
        for (name, value) in state.iter_mut() {
            if !value.is_known() {
                *value = get(prior, name);
            }
        }
    }
    Ok(Value::object(state))
}

pub fn read(now: &Timestamp, state: &Value) -> Result<Option<Value>, Diagnostics> {
    if let Some(rotation) = crate::timestamp_attribute(state, "rotation_rfc3339")? {
        if *now > rotation {
            return Ok(None);
        }
    }
    Ok(Some(state.clone()))
}

pub fn import(id: &str) -> Result<Value, Diagnostics> {
    let parts: Vec<&str> = id.split(',').collect();
    let format_error = |expected: &str| {
        Diagnostics::from(Diagnostic::error(
            "Unexpected Format of ID",
            format!("Unexpected format of ID ({id:?}), expected {expected}"),
        ))
    };
    let import_error = |what: &str, e: String| {
        Diagnostics::from(Diagnostic::error(
            "Import time rotating error",
            format!("{what}\n\nOriginal Error: {e}"),
        ))
    };
    let mut state = framework::null_attributes(&schema().block);
    let (base, rotation) = match parts.len() {
        2 => {
            if parts[0].is_empty() || parts[1].is_empty() {
                return Err(format_error("BASETIMESTAMP,ROTATIONTIMESTAMP"));
            }
            let unparsable = "The timestamp that was supplied could not be parsed as RFC3339.";
            let base =
                timestamp::parse_rfc3339(parts[0]).map_err(|e| import_error(unparsable, e))?;
            let rotation =
                timestamp::parse_rfc3339(parts[1]).map_err(|e| import_error(unparsable, e))?;
            (base, rotation)
        }
        6 => {
            if parts[0].is_empty() || parts[1..].iter().all(|p| p.is_empty()) {
                return Err(format_error(
                    "BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES where at least one rotation value is non-empty",
                ));
            }
            let unparsable = "The parameter that was supplied could not be parsed.";
            let mut values = [None; 5];
            for (slot, text) in values.iter_mut().zip(&parts[1..]) {
                *slot =
                    import_integer(text, "rotation").map_err(|e| import_error(unparsable, e))?;
            }
            let [years, months, days, hours, minutes] = values;
            let base =
                timestamp::parse_rfc3339(parts[0]).map_err(|e| import_error(unparsable, e))?;
            let range = |e: String| import_error(unparsable, e);
            let mut rotation = timestamp::go_zero_time();
            if let Some(n) = days.filter(|n| *n > 0) {
                rotation = timestamp::add_date(&base, 0, 0, n).map_err(range)?;
            }
            if let Some(n) = hours.filter(|n| *n > 0) {
                rotation = timestamp::add_seconds(&base, n, 3600).map_err(range)?;
            }
            if let Some(n) = minutes.filter(|n| *n > 0) {
                rotation = timestamp::add_seconds(&base, n, 60).map_err(range)?;
            }
            if let Some(n) = months.filter(|n| *n > 0) {
                rotation = timestamp::add_date(&base, 0, n, 0).map_err(range)?;
            }
            if let Some(n) = years.filter(|n| *n > 0) {
                rotation = timestamp::add_date(&base, n, 0, 0).map_err(range)?;
            }
            for (name, value) in [
                ("rotation_years", years),
                ("rotation_months", months),
                ("rotation_days", days),
                ("rotation_hours", hours),
                ("rotation_minutes", minutes),
            ] {
                state.insert(name.into(), optional_int(value));
            }
            (base, rotation)
        }
        _ => {
            return Err(format_error(
                "BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES or BASETIMESTAMP,ROTATIONTIMESTAMP",
            ))
        }
    };
    set_parts(&mut state, &rotation);
    state.insert(
        "rotation_rfc3339".into(),
        Value::string(timestamp::format_rfc3339(&rotation)),
    );
    let base_text = Value::string(timestamp::format_rfc3339(&base));
    state.insert("rfc3339".into(), base_text.clone());
    state.insert("id".into(), base_text);
    state.insert("triggers".into(), empty_triggers());
    Ok(Value::object(state))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::provider::Provider;
    use terrane_engine::value::{Type, Value};

    const T: &str = "time_rotating";

    #[test]
    fn schema_shape() {
        let a = super::schema().block.attributes;
        assert_eq!(a.len(), 16);
        assert!(a["rfc3339"].force_new && a["rfc3339"].optional && a["rfc3339"].computed);
        assert!(a["rotation_rfc3339"].optional && a["rotation_rfc3339"].computed);
        assert!(a["rotation_days"].optional && !a["rotation_days"].computed);
        assert!(a["triggers"].force_new);
        assert!(a["unix"].computed);
    }

    #[tokio::test]
    async fn validation() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let d = p.validate_resource_config(T, &object(T, &[])).await;
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].summary, "Missing Attribute Configuration");
        assert_eq!(d.0[0].detail, "At least one of these attributes must be configured: [rotation_minutes,rotation_hours,rotation_days,rotation_months,rotation_years,rotation_rfc3339]");
        let d = p
            .validate_resource_config(T, &object(T, &[("rotation_days", Value::int(0))]))
            .await;
        assert_eq!(
            d.0[0].detail,
            "Attribute rotation_days value must be at least 1, got: 0"
        );
        let ok = object(T, &[("rotation_rfc3339", "2021-01-01T00:00:00Z".into())]);
        assert!(p.validate_resource_config(T, &ok).await.is_empty());
    }

    #[tokio::test]
    async fn create_computes_the_rotation() {
        let p = provider_at("2020-01-31T12:00:00Z");
        let config = object(T, &[("rotation_months", Value::int(1))]);
        let plan = plan(&p, T, &Value::Null(Type::Dynamic), &config).await;
        for name in ["id", "rfc3339", "rotation_rfc3339", "unix"] {
            assert!(!get(&plan.planned_state, name).is_known(), "{name}");
        }
        let state = create(&p, T, &config).await;
        assert_eq!(get(&state, "id"), Value::string("2020-01-31T12:00:00Z"));
        assert_eq!(
            get(&state, "rfc3339"),
            Value::string("2020-01-31T12:00:00Z")
        );
        assert_eq!(
            get(&state, "rotation_rfc3339"),
            Value::string("2020-03-02T12:00:00Z")
        );
        assert_eq!(get(&state, "month"), Value::int(3));
        assert_eq!(get(&state, "day"), Value::int(2));
        assert_eq!(get(&state, "unix"), Value::int(1583150400));

        let later = object(
            T,
            &[
                ("rfc3339", "2020-01-01T00:00:00Z".into()),
                ("rotation_days", Value::int(1)),
                ("rotation_years", Value::int(2)),
            ],
        );
        let state = create(&p, T, &later).await;
        assert_eq!(
            get(&state, "rotation_rfc3339"),
            Value::string("2022-01-01T00:00:00Z")
        );
    }

    #[tokio::test]
    async fn read_reports_rotation() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let state = create(&p, T, &object(T, &[("rotation_minutes", Value::int(5))])).await;
        let (kept, _) = p.read(T, &state, &[]).await.unwrap().unwrap();
        assert_eq!(kept, state);
        let at_rotation = provider_at("2020-01-01T00:05:00Z");
        assert!(at_rotation.read(T, &state, &[]).await.unwrap().is_some());
        let after = provider_at("2020-01-01T00:05:01Z");
        assert!(after.read(T, &state, &[]).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn changing_the_rotation_updates_in_place() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let prior = create(&p, T, &object(T, &[("rotation_days", Value::int(1))])).await;
        let same = plan(
            &p,
            T,
            &prior,
            &object(T, &[("rotation_days", Value::int(1))]),
        )
        .await;
        assert_eq!(same.planned_state, prior);
        assert!(same.requires_replace.is_empty());

        let later = provider_at("2020-01-01T06:00:00Z");
        let config = object(T, &[("rotation_days", Value::int(2))]);
        let r = plan(&later, T, &prior, &config).await;
        assert!(r.requires_replace.is_empty(), "{:?}", r.requires_replace);
        assert!(r.planned_state.is_wholly_known());
        assert_eq!(
            get(&r.planned_state, "rotation_rfc3339"),
            Value::string("2020-01-03T00:00:00Z")
        );
        assert_eq!(get(&r.planned_state, "rfc3339"), get(&prior, "rfc3339"));
        let applied = apply(&later, T, &prior, &r.planned_state, &config).await;
        assert_eq!(applied.new_state, r.planned_state);
    }

    #[tokio::test]
    async fn changes_after_the_rotation_time_replace() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let prior = create(&p, T, &object(T, &[("rotation_days", Value::int(1))])).await;
        let late = provider_at("2020-01-05T00:00:00Z");
        let r = plan(
            &late,
            T,
            &prior,
            &object(T, &[("rotation_days", Value::int(2))]),
        )
        .await;
        assert_eq!(r.requires_replace, paths(&["rotation_rfc3339"]));

        let mut triggers = std::collections::BTreeMap::new();
        triggers.insert("a".to_string(), Value::string("b"));
        let triggered = object(
            T,
            &[
                ("rotation_days", Value::int(1)),
                ("triggers", Value::map(Type::String, triggers)),
            ],
        );
        let r = plan(&p, T, &prior, &triggered).await;
        assert_eq!(r.requires_replace, paths(&["triggers"]));
    }

    #[tokio::test]
    async fn import_formats() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let s = &p
            .import(T, "2020-01-01T00:00:00Z,2020-02-01T00:00:00Z")
            .await
            .unwrap()[0]
            .state;
        assert_eq!(
            get(s, "rotation_rfc3339"),
            Value::string("2020-02-01T00:00:00Z")
        );
        assert_eq!(get(s, "id"), Value::string("2020-01-01T00:00:00Z"));
        assert_eq!(get(s, "month"), Value::int(2));
        assert!(get(s, "rotation_days").is_null());

        let s = &p.import(T, "2020-01-01T00:00:00Z,,,,2,").await.unwrap()[0].state;
        assert_eq!(get(s, "rotation_hours"), Value::int(2));
        assert!(get(s, "rotation_years").is_null());
        assert_eq!(
            get(s, "rotation_rfc3339"),
            Value::string("2020-01-01T02:00:00Z")
        );
        assert_eq!(get(s, "triggers").len(), Some(0));

        for bad in [
            "2020-01-01T00:00:00Z",
            "2020-01-01T00:00:00Z,",
            "2020-01-01T00:00:00Z,,,,,",
            "2020-01-01T00:00:00Z,x,,,,",
            "nope,1,,,,",
        ] {
            assert!(p.import(T, bad).await.is_err(), "{bad}");
        }
    }
}
