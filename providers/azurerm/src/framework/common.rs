//! The arguments most azurerm resources share, as go-azure-helpers' `commonschema` defines
//! them: `resource_group_name`, `location` (normalised, differences of case and spaces
//! suppressed), `tags`, `zones`, `edge_zone`, and the location data sources compute.

use super::mapping::normalize_location;
use super::schema::{map_of_strings, set_of_strings, string, Attr, Codec};
use terrane_engine::value::Value;

/// `name` of most resources: required, force-new, stored in the ID.
pub fn name() -> Attr {
    string("name").required().force_new()
}

/// `commonschema.ResourceGroupName()`: required, force-new.
pub fn resource_group_name() -> Attr {
    string("resource_group_name").required().force_new()
}

/// A location value normalised (`West Europe` -> `westeurope`).
pub fn normalized(value: &Value) -> Value {
    match value.as_str() {
        Some(s) => Value::string(normalize_location(s)),
        None => value.clone(),
    }
}

/// Whether two locations are the same once normalised.
pub fn same_location(prior: &Value, config: &Value) -> bool {
    match (prior.as_str(), config.as_str()) {
        (Some(a), Some(b)) => normalize_location(a) == normalize_location(b),
        _ => false,
    }
}

/// `commonschema.Location()`: required, force-new, normalised, at `location`.
pub fn location() -> Attr {
    string("location")
        .required()
        .force_new()
        .normalize(normalized)
        .suppress(same_location)
        .arm("location")
        .codec(Codec::Location)
}

/// `commonschema.LocationComputed()` of data sources.
pub fn location_computed() -> Attr {
    string("location")
        .computed()
        .arm("location")
        .codec(Codec::Location)
}

/// `commonschema.Tags()`: an optional map of strings at `tags`.
pub fn tags() -> Attr {
    map_of_strings("tags").optional().arm("tags")
}

/// `commonschema.TagsDataSource()`.
pub fn tags_computed() -> Attr {
    map_of_strings("tags").computed().arm("tags")
}

/// `commonschema.ZonesMultipleOptionalForceNew()`: a set of zones at `zones`.
pub fn zones_force_new() -> Attr {
    set_of_strings("zones").optional().force_new().arm("zones")
}

/// `commonschema.EdgeZoneOptionalForceNew()`: the extended location of type `EdgeZone`.
pub fn edge_zone() -> Attr {
    string("edge_zone")
        .optional()
        .force_new()
        .normalize(normalized)
        .suppress(same_location)
        .arm("extendedLocation")
        .codec(Codec::Custom {
            expand: |v| {
                v.as_str()
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::json!({"name": normalize_location(s), "type": "EdgeZone"}))
            },
            flatten: |json, _| {
                json.and_then(|j| j.get("name"))
                    .and_then(serde_json::Value::as_str)
                    .map(|s| Value::string(normalize_location(s)))
                    .unwrap_or(Value::string(""))
            },
        })
}
