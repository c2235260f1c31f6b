//! `time_offset`: a timestamp at a fixed offset (years, months, days, hours, minutes,
//! seconds) from a base timestamp taken at creation or given as `base_rfc3339`.

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

/// The offset arguments, in the order the upstream provider compares them.
const OFFSETS: [&str; 6] = [
    "offset_years",
    "offset_months",
    "offset_days",
    "offset_hours",
    "offset_minutes",
    "offset_seconds",
];

pub fn schema() -> Schema {
    let mut block = Block {
        description: "A UTC timestamp at an offset from a base timestamp.".into(),
        ..Block::default()
    };
    let attrs = &mut block.attributes;
    attrs.insert(
        "base_rfc3339".into(),
        Attribute::optional_computed(Type::String)
            .describe("The base timestamp in RFC 3339 format; the current time when not set."),
    );
    for (name, what) in [
        ("year", "Year of the offset timestamp."),
        ("month", "Month of the offset timestamp."),
        ("day", "Day of the offset timestamp."),
        ("hour", "Hour of the offset timestamp."),
        ("minute", "Minute of the offset timestamp."),
        ("second", "Second of the offset timestamp."),
        (
            "unix",
            "The offset timestamp in seconds since the Unix epoch.",
        ),
    ] {
        attrs.insert(name.into(), computed_number().describe(what));
    }
    attrs.insert("triggers".into(), triggers_attribute());
    for name in OFFSETS {
        let unit = name.trim_start_matches("offset_");
        attrs.insert(
            name.into(),
            Attribute::optional(Type::Number)
                .describe(&format!("Number of {unit} to add to the base timestamp.")),
        );
    }
    attrs.insert(
        "rfc3339".into(),
        Attribute::computed(Type::String).describe("The offset timestamp in RFC 3339 format."),
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
        "offset_seconds",
        "offset_minutes",
        "offset_hours",
        "offset_days",
        "offset_months",
        "offset_years",
    ];
    if let Some(d) = framework::at_least_one_configured(config, &order) {
        diagnostics.push(d);
    }
    for name in OFFSETS {
        if let Err(d) = framework::get_i64(config, name) {
            diagnostics.extend(d);
        }
    }
    diagnostics.extend(crate::validate_rfc3339(config, &["base_rfc3339"]));
    diagnostics
}

/// The upstream provider's offset computation: the base timestamp moved by each offset in
/// turn (days, hours, minutes, months, seconds, years), its parts, `rfc3339`, and the base
/// as `base_rfc3339` and `id`. `reference` supplies the spelling to keep for timestamps
/// that do not change.
fn set_offset_values(
    object: &mut BTreeMap<String, Value>,
    base: &Timestamp,
    reference: &Value,
) -> Result<(), Diagnostics> {
    let current = Value::object(object.clone());
    let [years, months, days, hours, minutes, seconds] =
        crate::numbers(&current, OFFSETS)?.map(|n| n.unwrap_or(0));
    let range_error = |e: String| {
        Diagnostics::from(Diagnostic::error(
            "Invalid offset",
            format!("The offset timestamp cannot be computed: {e}"),
        ))
    };
    let mut t = *base;
    if days != 0 {
        t = timestamp::add_date(&t, 0, 0, days).map_err(range_error)?;
    }
    if hours != 0 {
        t = timestamp::add_seconds(&t, hours, 3600).map_err(range_error)?;
    }
    if minutes != 0 {
        t = timestamp::add_seconds(&t, minutes, 60).map_err(range_error)?;
    }
    if months != 0 {
        t = timestamp::add_date(&t, 0, months, 0).map_err(range_error)?;
    }
    if seconds != 0 {
        t = timestamp::add_seconds(&t, seconds, 1).map_err(range_error)?;
    }
    if years != 0 {
        t = timestamp::add_date(&t, years, 0, 0).map_err(range_error)?;
    }
    object.insert(
        "base_rfc3339".into(),
        rfc3339_value(&get(reference, "base_rfc3339"), base),
    );
    set_parts(object, &t);
    object.insert(
        "rfc3339".into(),
        rfc3339_value(&get(reference, "rfc3339"), &t),
    );
    object.insert("id".into(), rfc3339_value(&get(reference, "id"), base));
    Ok(())
}

/// Whether any offset differs between the prior and the planned object.
fn offsets_changed(prior: &Value, planned: &BTreeMap<String, Value>) -> bool {
    OFFSETS
        .iter()
        .any(|name| framework::changed(&get(prior, name), planned.get(*name)))
}

pub fn plan(prior: &Value, proposed: &Value, config: &Value) -> Result<Planned, Diagnostics> {
    let block = schema().block;
    let mut planned = framework::plan_attributes(&block, prior, proposed, config, &[], &[]);
    let offsets_known = OFFSETS
        .iter()
        .all(|n| planned.get(*n).is_none_or(Value::is_known));
    if !prior.is_null() && offsets_changed(prior, &planned) && offsets_known {
        let planned_object = Value::object(planned.clone());
        let base_source = if framework::is_unknown(&planned_object, "base_rfc3339") {
            prior
        } else {
            &planned_object
        };
        if let Some(base) = crate::timestamp_attribute(base_source, "base_rfc3339")? {
            set_offset_values(&mut planned, &base, prior)?;
        }
    }
    let replace = framework::replaced_attributes(&block, prior, &planned);
    Ok((Value::object(planned), replace))
}

pub fn apply(now: &Timestamp, prior: &Value, planned: &Value) -> Result<Value, Diagnostics> {
    let mut state = framework::attributes(planned);
    let base = if prior.is_null() {
        crate::timestamp_attribute(planned, "base_rfc3339")?.unwrap_or(*now)
    } else {
        match crate::timestamp_attribute(planned, "base_rfc3339")? {
            Some(t) => t,
            None => crate::timestamp_attribute(prior, "base_rfc3339")?.unwrap_or(*now),
        }
    };
    set_offset_values(&mut state, &base, planned)?;
    Ok(Value::object(state))
}

pub fn import(id: &str) -> Result<Value, Diagnostics> {
    let parts: Vec<&str> = id.split(',').collect();
    if parts.len() != 7 {
        return Err(Diagnostic::error(
            "Unexpected Format of ID",
            format!("Unexpected format of ID ({id:?}), expected BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS"),
        )
        .into());
    }
    if parts[0].is_empty() || parts[1..].iter().all(|p| p.is_empty()) {
        return Err(Diagnostic::error(
            "Unexpected Format of ID",
            format!("Unexpected format of ID ({id:?}), expected BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS where at least one offset value is non-empty"),
        )
        .into());
    }
    let mut state = framework::null_attributes(&schema().block);
    for (name, text) in OFFSETS.iter().zip(&parts[1..]) {
        let value = import_integer(text, "offset").map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Import time offset error",
                format!("The {name} parameter that was supplied could not be parsed as Int64.\n\nOriginal Error: {e}"),
            ))
        })?;
        state.insert(name.to_string(), optional_int(value));
    }
    let base = timestamp::parse_rfc3339(parts[0]).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Create time offset error",
            format!("The base_rfc3339 timestamp that was supplied could not be parsed as RFC3339.\n\nOriginal Error: {e}"),
        ))
    })?;
    set_offset_values(&mut state, &base, &Value::Null(Type::Dynamic))?;
    state.insert("triggers".into(), empty_triggers());
    Ok(Value::object(state))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use terrane_engine::provider::Provider;
    use terrane_engine::value::{Type, Value};

    const T: &str = "time_offset";

    #[test]
    fn schema_shape() {
        let a = super::schema().block.attributes;
        assert_eq!(a.len(), 17);
        assert!(a["base_rfc3339"].optional && a["base_rfc3339"].computed);
        assert!(!a["base_rfc3339"].force_new);
        assert!(a["offset_seconds"].optional && !a["offset_seconds"].force_new);
        assert!(a["rfc3339"].computed && !a["rfc3339"].optional);
        assert!(a["triggers"].force_new);
    }

    #[tokio::test]
    async fn validation() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let d = p.validate_resource_config(T, &object(T, &[])).await;
        assert_eq!(d.0[0].detail, "At least one of these attributes must be configured: [offset_seconds,offset_minutes,offset_hours,offset_days,offset_months,offset_years]");
        let unknown = object(T, &[("offset_days", Value::Unknown(Type::Number))]);
        assert!(p.validate_resource_config(T, &unknown).await.is_empty());
    }

    #[tokio::test]
    async fn create_offsets_the_base() {
        let p = provider_at("2020-02-12T06:36:13Z");
        let config = object(
            T,
            &[
                ("offset_days", Value::int(7)),
                ("offset_seconds", Value::int(-13)),
            ],
        );
        let plan = plan(&p, T, &Value::Null(Type::Dynamic), &config).await;
        assert!(!get(&plan.planned_state, "rfc3339").is_known());
        assert!(!get(&plan.planned_state, "base_rfc3339").is_known());
        let state = create(&p, T, &config).await;
        assert_eq!(
            get(&state, "base_rfc3339"),
            Value::string("2020-02-12T06:36:13Z")
        );
        assert_eq!(get(&state, "id"), Value::string("2020-02-12T06:36:13Z"));
        assert_eq!(
            get(&state, "rfc3339"),
            Value::string("2020-02-19T06:36:00Z")
        );
        assert_eq!(get(&state, "day"), Value::int(19));
        assert_eq!(get(&state, "second"), Value::int(0));
        assert_eq!(get(&state, "unix"), Value::int(1582094160));

        let given = object(
            T,
            &[
                ("base_rfc3339", "2020-01-31T00:00:00+01:00".into()),
                ("offset_months", Value::int(1)),
            ],
        );
        let state = create(&p, T, &given).await;
        assert_eq!(
            get(&state, "base_rfc3339"),
            Value::string("2020-01-31T00:00:00+01:00")
        );
        assert_eq!(
            get(&state, "rfc3339"),
            Value::string("2020-03-02T00:00:00+01:00")
        );
    }

    #[tokio::test]
    async fn offset_changes_update_in_place() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let prior = create(&p, T, &object(T, &[("offset_hours", Value::int(1))])).await;
        let same = plan(
            &p,
            T,
            &prior,
            &object(T, &[("offset_hours", Value::int(1))]),
        )
        .await;
        assert_eq!(same.planned_state, prior);

        let config = object(T, &[("offset_hours", Value::int(2))]);
        let later = provider_at("2021-06-01T00:00:00Z");
        let r = plan(&later, T, &prior, &config).await;
        assert!(r.requires_replace.is_empty());
        assert_eq!(
            get(&r.planned_state, "rfc3339"),
            Value::string("2020-01-01T02:00:00Z")
        );
        assert_eq!(get(&r.planned_state, "hour"), Value::int(2));
        let applied = apply(&later, T, &prior, &r.planned_state, &config).await;
        assert_eq!(applied.new_state, r.planned_state);

        let rebased = object(
            T,
            &[
                ("offset_hours", Value::int(1)),
                ("base_rfc3339", "2022-01-01T00:00:00Z".into()),
            ],
        );
        let r = plan(&later, T, &prior, &rebased).await;
        assert!(r.requires_replace.is_empty());
        assert!(!get(&r.planned_state, "rfc3339").is_known());
        let applied = apply(&later, T, &prior, &r.planned_state, &rebased).await;
        assert_eq!(
            get(&applied.new_state, "rfc3339"),
            Value::string("2022-01-01T01:00:00Z")
        );
    }

    #[tokio::test]
    async fn import_format() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let s = &p.import(T, "2020-01-01T00:00:00Z,1,,,,,30").await.unwrap()[0].state;
        assert_eq!(get(s, "offset_years"), Value::int(1));
        assert!(get(s, "offset_months").is_null());
        assert_eq!(get(s, "rfc3339"), Value::string("2021-01-01T00:00:30Z"));
        assert_eq!(
            get(s, "base_rfc3339"),
            Value::string("2020-01-01T00:00:00Z")
        );
        for bad in [
            "2020-01-01T00:00:00Z,1,,,,",
            "2020-01-01T00:00:00Z,,,,,,",
            ",1,,,,,",
            "2020-01-01T00:00:00Z,a,,,,,",
        ] {
            assert!(p.import(T, bad).await.is_err(), "{bad}");
        }
    }
}
