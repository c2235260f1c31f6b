//! The native `time` provider: `time_static`, `time_sleep`, `time_rotating` and
//! `time_offset`, behaving like the upstream hashicorp/time provider (schemas, plans,
//! identifiers, import formats).

mod offset;
mod rotating;
mod sleep;
mod static_time;
mod timestamp;

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::provider::framework;
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, Attribute, ImportedObject, PlanRequest, PlanResponse, Provider,
    ProviderSchema, Schema,
};
use terrane_engine::value::{Type, Value};
use timestamp::Timestamp;

/// The provider's address.
pub const ADDRESS: &str = "registry.terraform.io/hashicorp/time";

/// The upstream release whose behaviour the provider follows (the latest; its resources
/// behave as since 0.12.0). Its provider-defined functions are not implemented.
pub const VERSION: &str = "0.14.0";

/// A new instance of the provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(TimeProvider::new(Arc::new(timestamp::now_utc)))
}

/// Where the provider gets the current time (tests substitute a fixed clock).
pub(crate) type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

struct TimeProvider {
    clock: Clock,
}

impl TimeProvider {
    fn new(clock: Clock) -> TimeProvider {
        TimeProvider { clock }
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }
}

/// The resource types, with their schemas.
fn resource_schemas() -> BTreeMap<String, Schema> {
    [
        ("time_offset", offset::schema()),
        ("time_rotating", rotating::schema()),
        ("time_sleep", sleep::schema()),
        ("time_static", static_time::schema()),
    ]
    .into_iter()
    .map(|(name, schema)| (name.to_string(), schema))
    .collect()
}

fn unknown_type(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Resource Type Not Found",
        format!("The time provider has no resource type named {type_name:?}."),
    )
    .into()
}

#[async_trait::async_trait]
impl Provider for TimeProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: Schema::default(),
            resources: resource_schemas(),
            data_sources: BTreeMap::new(),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match type_name {
            "time_static" => static_time::validate(config),
            "time_sleep" => sleep::validate(config),
            "time_rotating" => rotating::validate(config),
            "time_offset" => offset::validate(config),
            other => unknown_type(other),
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        let schemas = resource_schemas();
        let schema = schemas
            .get(type_name)
            .ok_or_else(|| unknown_type(type_name))?;
        if version != schema.version {
            return Err(Diagnostic::error(
                "Unable to Upgrade Resource State",
                format!(
                    "The {type_name} resource has schema version {} and no upgrade from version {version}.",
                    schema.version
                ),
            )
            .into());
        }
        framework::decode_state(&schema.block, raw_state)
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        let prior = request.prior_state.unmark_deep().0;
        let proposed = request.proposed_new_state.unmark_deep().0;
        let config = request.config.unmark_deep().0;
        let mut response = PlanResponse {
            planned_state: proposed.clone(),
            requires_replace: Vec::new(),
            planned_private: request.prior_private.clone(),
            diagnostics: Diagnostics::new(),
        };
        if proposed.is_null() {
            return response;
        }
        let now = self.now();
        let result = match request.type_name.as_str() {
            "time_static" => static_time::plan(&prior, &proposed, &config),
            "time_sleep" => sleep::plan(&prior, &proposed, &config),
            "time_rotating" => rotating::plan(&now, &prior, &proposed, &config),
            "time_offset" => offset::plan(&prior, &proposed, &config),
            other => Err(unknown_type(other)),
        };
        match result {
            Ok((planned, replace)) => {
                response.planned_state = planned;
                response.requires_replace = replace;
            }
            Err(diagnostics) => response.diagnostics = diagnostics,
        }
        response
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        let prior = request.prior_state.unmark_deep().0;
        let planned = request.planned_state.unmark_deep().0;
        let result = match request.type_name.as_str() {
            "time_sleep" => sleep::apply(&self.clock, &prior, &planned).await,
            _ if planned.is_null() => Ok(planned.clone()),
            "time_static" => static_time::apply(&self.now(), &prior, &planned),
            "time_rotating" => rotating::apply(&self.now(), &prior, &planned),
            "time_offset" => offset::apply(&self.now(), &prior, &planned),
            other => Err(unknown_type(other)),
        };
        match result {
            Ok(new_state) => ApplyResponse {
                new_state,
                private: request.planned_private,
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => ApplyResponse {
                new_state: prior,
                private: request.planned_private,
                diagnostics,
            },
        }
    }

    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        let state = state.unmark_deep().0;
        let refreshed = match type_name {
            "time_rotating" => rotating::read(&self.now(), &state)?,
            "time_static" | "time_sleep" | "time_offset" => Some(state),
            other => return Err(unknown_type(other)),
        };
        Ok(refreshed.map(|s| (s, private.to_vec())))
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        let state = match type_name {
            "time_static" => static_time::import(id)?,
            "time_sleep" => sleep::import(&self.now(), id)?,
            "time_rotating" => rotating::import(id)?,
            "time_offset" => offset::import(id)?,
            other => return Err(unknown_type(other)),
        };
        Ok(vec![ImportedObject {
            type_name: type_name.to_string(),
            state,
            private: Vec::new(),
        }])
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        _config: &Value,
    ) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error(
            "Data Source Type Not Found",
            format!("The time provider has no data source named {type_name:?}."),
        )
        .into())
    }
}

/// The result of planning: the planned object and the attributes forcing replacement.
pub(crate) type Planned = (Value, Vec<terrane_engine::provider::AttributePath>);

/// A computed whole-number attribute.
pub(crate) fn computed_number() -> Attribute {
    Attribute::computed(Type::Number)
}

/// The `triggers` argument every time resource has: a map of strings whose change replaces
/// the object.
pub(crate) fn triggers_attribute() -> Attribute {
    Attribute::optional(Type::map(Type::String))
        .force_new()
        .describe("Arbitrary values whose change replaces the resource.")
}

/// The empty `triggers` map imported objects get.
pub(crate) fn empty_triggers() -> Value {
    Value::map(Type::String, BTreeMap::new())
}

/// Sets `year`, `month`, `day`, `hour`, `minute`, `second` and `unix` from `t`.
pub(crate) fn set_parts(object: &mut BTreeMap<String, Value>, t: &Timestamp) {
    let p = timestamp::parts(t);
    for (name, value) in [
        ("year", p.year),
        ("month", p.month),
        ("day", p.day),
        ("hour", p.hour),
        ("minute", p.minute),
        ("second", p.second),
        ("unix", p.unix),
    ] {
        object.insert(name.to_string(), Value::int(value));
    }
}

/// The RFC 3339 text for `t`, keeping `reference`'s spelling when it denotes the same
/// instant (the framework's semantic equality for RFC 3339 strings keeps the value the
/// configuration or the prior state wrote).
pub(crate) fn rfc3339_value(reference: &Value, t: &Timestamp) -> Value {
    if let Some(text) = reference.as_str() {
        if timestamp::parse_rfc3339(text).is_ok_and(|r| r == *t) {
            return reference.clone();
        }
    }
    Value::string(timestamp::format_rfc3339(t))
}

/// Parses a known, non-empty RFC 3339 attribute.
pub(crate) fn timestamp_attribute(
    object: &Value,
    name: &str,
) -> Result<Option<Timestamp>, Diagnostics> {
    match framework::get_str(object, name) {
        Some(text) if !text.is_empty() => timestamp::parse_rfc3339(&text)
            .map(Some)
            .map_err(|e| invalid_rfc3339(name, &text, &e)),
        _ => Ok(None),
    }
}

fn invalid_rfc3339(name: &str, text: &str, error: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid RFC3339 String Value",
        format!(
            "The value of {name} is not a valid RFC3339 string.\n\nGiven Value: {text}\nError: {error}"
        ),
    )
    .into()
}

/// Checks that each of `names` that is set holds an RFC 3339 timestamp.
pub(crate) fn validate_rfc3339(config: &Value, names: &[&str]) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for name in names {
        if let Some(text) = framework::get_str(config, name) {
            if let Err(e) = timestamp::parse_rfc3339(&text) {
                diagnostics.extend(invalid_rfc3339(name, &text, &e));
            }
        }
    }
    diagnostics
}

/// Reads whole-number attributes, collecting conversion errors.
pub(crate) fn numbers<const N: usize>(
    object: &Value,
    names: [&str; N],
) -> Result<[Option<i64>; N], Diagnostics> {
    let mut out = [None; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = framework::get_i64(object, name)?;
    }
    Ok(out)
}

/// Parses an integer written in an import ID; empty text is null.
pub(crate) fn import_integer(text: &str, what: &str) -> Result<Option<i64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>()
        .map(Some)
        .map_err(|e| format!("could not parse {what} ({text:?}) as int: {e}"))
}

/// A whole number or null.
pub(crate) fn optional_int(value: Option<i64>) -> Value {
    value.map_or(Value::Null(Type::Number), Value::int)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use terrane_engine::provider::AttributePath;

    /// A provider whose clock always says `at`.
    pub fn provider_at(at: &str) -> TimeProvider {
        let t = timestamp::parse_rfc3339(at).unwrap();
        TimeProvider::new(Arc::new(move || t))
    }

    /// An object of the resource's schema with `set` attributes and the rest null.
    pub fn object(type_name: &str, set: &[(&str, Value)]) -> Value {
        let schema = resource_schemas().remove(type_name).unwrap();
        let mut attrs = framework::null_attributes(&schema.block);
        for (k, v) in set {
            assert!(attrs.contains_key(*k), "{k}");
            attrs.insert(k.to_string(), v.clone());
        }
        Value::object(attrs)
    }

    /// The proposed new state Terraform would send: configuration, with computed
    /// attributes the configuration leaves null taken from the prior state.
    pub fn proposed(type_name: &str, prior: &Value, config: &Value) -> Value {
        let schema = resource_schemas().remove(type_name).unwrap();
        let mut attrs = framework::attributes(config);
        for (name, a) in &schema.block.attributes {
            if a.computed && attrs[name].is_null() && !prior.is_null() {
                attrs.insert(name.clone(), framework::get(prior, name));
            }
        }
        Value::object(attrs)
    }

    pub async fn plan(
        p: &TimeProvider,
        type_name: &str,
        prior: &Value,
        config: &Value,
    ) -> PlanResponse {
        p.plan_change(PlanRequest {
            type_name: type_name.into(),
            prior_state: prior.clone(),
            proposed_new_state: proposed(type_name, prior, config),
            config: config.clone(),
            prior_private: Vec::new(),
        })
        .await
    }

    pub async fn apply(
        p: &TimeProvider,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> ApplyResponse {
        p.apply_change(ApplyRequest {
            type_name: type_name.into(),
            prior_state: prior.clone(),
            planned_state: planned.clone(),
            config: config.clone(),
            planned_private: Vec::new(),
        })
        .await
    }

    /// Plans and applies a create.
    pub async fn create(p: &TimeProvider, type_name: &str, config: &Value) -> Value {
        let null = Value::Null(Type::Dynamic);
        let planned = plan(p, type_name, &null, config).await;
        assert!(
            !planned.diagnostics.has_errors(),
            "{:?}",
            planned.diagnostics
        );
        let applied = apply(p, type_name, &null, &planned.planned_state, config).await;
        assert!(
            !applied.diagnostics.has_errors(),
            "{:?}",
            applied.diagnostics
        );
        assert!(applied.new_state.is_wholly_known());
        applied.new_state
    }

    pub fn get(object: &Value, name: &str) -> Value {
        framework::get(object, name)
    }

    pub fn paths(names: &[&str]) -> Vec<AttributePath> {
        names.iter().map(|n| vec![n.to_string()]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn address_and_resources() {
        assert_eq!(ADDRESS, "registry.terraform.io/hashicorp/time");
        let schema = provider().schema();
        assert_eq!(
            schema.resources.keys().collect::<Vec<_>>(),
            ["time_offset", "time_rotating", "time_sleep", "time_static"]
        );
        assert!(schema.resources.values().all(|s| s.version == 0));
        assert!(schema.data_sources.is_empty());
    }

    #[tokio::test]
    async fn upgrade_state_reads_version_zero() {
        let p = provider();
        let raw = serde_json::json!({
            "id": "2020-02-12T06:36:13Z", "rfc3339": "2020-02-12T06:36:13Z",
            "year": 2020, "month": 2, "day": 12, "hour": 6, "minute": 36, "second": 13,
            "unix": 1581489373, "triggers": null, "unrelated": 1
        });
        let v = p.upgrade_state("time_static", 0, &raw).await.unwrap();
        assert_eq!(get(&v, "unix"), Value::int(1581489373));
        assert!(get(&v, "triggers").is_null());
        assert_eq!(v.as_mapping().unwrap().len(), 10);
        assert!(p.upgrade_state("time_static", 1, &raw).await.is_err());
        assert!(p.upgrade_state("time_nope", 0, &raw).await.is_err());
    }

    #[tokio::test]
    async fn destroy_plans_null() {
        let p = provider_at("2020-01-01T00:00:00Z");
        let prior = create(&p, "time_static", &object("time_static", &[])).await;
        let r = p
            .plan_change(PlanRequest {
                type_name: "time_static".into(),
                prior_state: prior.clone(),
                proposed_new_state: Value::Null(prior.ty()),
                config: Value::Null(prior.ty()),
                prior_private: Vec::new(),
            })
            .await;
        assert!(r.planned_state.is_null());
        let applied = apply(
            &p,
            "time_static",
            &prior,
            &r.planned_state,
            &r.planned_state,
        )
        .await;
        assert!(applied.new_state.is_null());
    }
}
