//! The arguments most azurerm resources share, as go-azure-helpers' `commonschema` defines
//! them: `resource_group_name`, `location` (normalised, differences of case and spaces
//! suppressed), `tags`, `zones`, `edge_zone`, the location data sources compute, and the
//! system-and-user-assigned `identity` block with its expand and flatten.

use super::mapping::{normalize_location, null_object};
use super::schema::{block, block_def, map_of_strings, set_of_strings, string, Attr, BlockDef};
use super::schema::{Codec, Nested};
use super::{attribute, first_block, string_attribute, strings_of};
use serde_json::{json, Value as Json};
use terrane_engine::value::{Type, Value};

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

/// The attributes of `commonschema.SystemAssignedUserAssignedIdentityOptional()`.
pub fn identity_def() -> BlockDef {
    block_def(
        vec![
            string("type").required(),
            set_of_strings("identity_ids").optional(),
            string("principal_id").computed(),
            string("tenant_id").computed(),
        ],
        vec![],
    )
}

/// The optional `identity` block (at most one).
pub fn identity() -> Nested {
    block("identity", identity_def()).max(1)
}

/// ARM's identity from the `identity` block (`ExpandLegacySystemAndUserAssignedMap`):
/// none without a block; the user-assigned IDs only when there are some.
pub fn expand_identity(planned: &Value) -> Option<Json> {
    let identity = first_block(&attribute(planned, "identity"))?;
    let ids: serde_json::Map<String, Json> = strings_of(&attribute(&identity, "identity_ids"))
        .into_iter()
        .map(|id| (id, json!({})))
        .collect();
    let mut out = json!({"type": string_attribute(&identity, "type").unwrap_or_default()});
    if !ids.is_empty() {
        out["userAssignedIdentities"] = Json::Object(ids);
    }
    Some(out)
}

/// The `identity` block from ARM's identity (`FlattenLegacySystemAndUserAssignedMap`):
/// no block for `None` or no identity; the type in azurerm's spelling.
pub fn flatten_identity(identity: Option<&Json>) -> Value {
    let def = identity_def();
    let kind = identity
        .and_then(|i| i.get("type"))
        .and_then(Json::as_str)
        .unwrap_or("None");
    if kind.eq_ignore_ascii_case("None") {
        return Value::list(def.value_type(), vec![]);
    }
    let text = |key: &str| {
        Value::string(
            identity
                .and_then(|i| i.get(key))
                .and_then(Json::as_str)
                .unwrap_or_default(),
        )
    };
    let kind = match kind.replace(' ', "").to_ascii_lowercase().as_str() {
        "systemassigned" => "SystemAssigned",
        "userassigned" => "UserAssigned",
        _ => "SystemAssigned, UserAssigned",
    };
    let ids = identity
        .and_then(|i| i.get("userAssignedIdentities"))
        .and_then(Json::as_object)
        .map(|m| m.keys().map(|k| Value::string(k.as_str())).collect())
        .unwrap_or_default();
    let mut out = null_object(&def);
    out.insert("type".into(), Value::string(kind));
    out.insert("identity_ids".into(), Value::set(Type::String, ids));
    out.insert("principal_id".into(), text("principalId"));
    out.insert("tenant_id".into(), text("tenantId"));
    Value::list(def.value_type(), vec![Value::object(out)])
}
