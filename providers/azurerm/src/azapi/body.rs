//! What `azapi_resource` does with ARM JSON: resource IDs from a type, a parent and a name
//! (and back), the state's body refreshed from ARM's answer (only the paths the
//! configuration wrote, as azapi's `UpdateObject`), outputs picked by
//! `response_export_values`, and managed identities.

use serde_json::{Map, Value as Json};

/// A parsed `type` argument: `Microsoft.Network/virtualNetworks/subnets@2024-05-01`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// `Microsoft.Network`.
    pub namespace: String,
    /// `["virtualNetworks", "subnets"]`.
    pub types: Vec<String>,
    pub api_version: String,
}

impl ResourceType {
    pub fn parse(text: &str) -> Result<ResourceType, String> {
        let (ty, version) = text
            .split_once('@')
            .ok_or_else(|| format!("{text:?} is not of the form <resource type>@<api version>"))?;
        let mut parts = ty.split('/');
        let namespace = parts.next().unwrap_or_default().to_string();
        let types: Vec<String> = parts.map(str::to_string).collect();
        if namespace.is_empty()
            || types.is_empty()
            || types.iter().any(String::is_empty)
            || version.is_empty()
        {
            return Err(format!(
                "{text:?} is not of the form <resource provider>/<type>@<api version>"
            ));
        }
        Ok(ResourceType {
            namespace,
            types,
            api_version: version.to_string(),
        })
    }

    /// `Microsoft.Network/virtualNetworks/subnets`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.namespace, self.types.join("/"))
    }

    pub fn is_resource_group(&self) -> bool {
        self.name()
            .eq_ignore_ascii_case("Microsoft.Resources/resourceGroups")
    }
}

/// The resource type an ID names (`Microsoft.Resources/resourceGroups` for a group,
/// `Microsoft.Resources/subscriptions` for a subscription).
pub fn type_of_id(id: &str) -> String {
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let Some(providers) = segments
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
    else {
        return match segments.len() {
            2 => "Microsoft.Resources/subscriptions".into(),
            4 => "Microsoft.Resources/resourceGroups".into(),
            _ => String::new(),
        };
    };
    let Some(namespace) = segments.get(providers + 1) else {
        return String::new();
    };
    let types: Vec<&str> = segments[providers + 2..]
        .iter()
        .step_by(2)
        .copied()
        .collect();
    format!("{namespace}/{}", types.join("/"))
}

/// The ID of the resource named `name` of type `ty` under `parent_id`: a child type under a
/// resource of its parent type, otherwise below the parent's `providers` (a resource group's
/// resources, subscription-level resources, extension resources).
pub fn build_id(name: &str, parent_id: &str, ty: &ResourceType) -> Result<String, String> {
    if name.is_empty() {
        return Err("the resource name is empty".into());
    }
    let parent = parent_id.trim_end_matches('/');
    if ty.is_resource_group() {
        return Ok(format!("{parent}/resourceGroups/{name}"));
    }
    if ty.types.len() > 1 {
        let parent_type = format!(
            "{}/{}",
            ty.namespace,
            ty.types[..ty.types.len() - 1].join("/")
        );
        if !type_of_id(parent).eq_ignore_ascii_case(&parent_type) {
            return Err(format!(
                "the parent_id {parent_id:?} is not a {parent_type} resource, as {} needs",
                ty.name()
            ));
        }
        let last = ty.types.last().map(String::as_str).unwrap_or_default();
        return Ok(format!("{parent}/{last}/{name}"));
    }
    Ok(format!(
        "{parent}/providers/{}/{}/{name}",
        ty.namespace, ty.types[0]
    ))
}

/// The name and parent of an ID.
pub fn split_id(id: &str) -> Result<(String, String), String> {
    let trimmed = id.trim_end_matches('/');
    let segments: Vec<&str> = trimmed.trim_start_matches('/').split('/').collect();
    if !trimmed.starts_with('/') || segments.len() < 2 || !segments.len().is_multiple_of(2) {
        return Err(format!("{id:?} is not a resource ID"));
    }
    let name = segments[segments.len() - 1].to_string();
    let mut parent = &segments[..segments.len() - 2];
    if parent.len() >= 2 && parent[parent.len() - 2].eq_ignore_ascii_case("providers") {
        parent = &parent[..parent.len() - 2];
    }
    Ok((name, format!("/{}", parent.join("/"))))
}

/// The body the state keeps after a read: the configured body with every value it names
/// taken from ARM's answer. Paths ARM does not return keep the configured value when
/// `ignore_missing`; strings differing only in case keep it when `ignore_casing`.
pub fn update_object(
    configured: &Json,
    response: &Json,
    ignore_casing: bool,
    ignore_missing: bool,
) -> Json {
    match (configured, response) {
        (Json::Object(old), Json::Object(new)) => {
            let mut out = Map::new();
            for (key, value) in old {
                match new.get(key) {
                    Some(v) if !v.is_null() => {
                        out.insert(
                            key.clone(),
                            update_object(value, v, ignore_casing, ignore_missing),
                        );
                    }
                    _ if ignore_missing || value.is_null() => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {}
                }
            }
            Json::Object(out)
        }
        (Json::Array(old), Json::Array(new)) if old.len() == new.len() => Json::Array(
            old.iter()
                .zip(new)
                .map(|(o, n)| update_object(o, n, ignore_casing, ignore_missing))
                .collect(),
        ),
        (Json::String(old), Json::String(new))
            if ignore_casing && old.eq_ignore_ascii_case(new) =>
        {
            Json::String(old.clone())
        }
        (old, Json::Null) if ignore_missing => old.clone(),
        (_, new) => new.clone(),
    }
}

/// Merges `extra` into `base` (objects key by key; anything else replaced).
pub fn merge(base: &mut Json, extra: &Json) {
    match (base, extra) {
        (Json::Object(b), Json::Object(e)) => {
            for (key, value) in e {
                match b.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        b.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (b, e) => *b = e.clone(),
    }
}

/// Fields azapi leaves out of default outputs because they change on their own.
const VOLATILE_FIELDS: &[&str] = &[
    "etag",
    "updatedBy",
    "updated",
    "updatedOn",
    "updatedTimestamp",
    "lastUpdatedOn",
    "lastUpdated",
    "lastUpdatedTime",
    "lastUpdatedTimeUtc",
    "lastUpdatedDateUTC",
    "modifiedOn",
    "lastModifiedDateTime",
    "lastModifiedUtc",
    "lastModifiedTime",
    "lastModifiedTimeUtc",
    "lastModifiedAt",
    "lastModifiedBy",
    "lastModifiedByType",
    "lastConnectivityTime",
    "freeTrialRemainingTime",
    "trialDaysRemaining",
    "daysTrialRemaining",
];

/// The default output: what ARM answered beyond what was sent (the read-only properties),
/// without volatile fields.
pub fn default_output(response: &Json, sent: &Json) -> Json {
    match (response, sent) {
        (Json::Object(r), Json::Object(s)) => {
            let mut out = Map::new();
            for (key, value) in r {
                if VOLATILE_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                match s.get(key) {
                    None => {
                        out.insert(key.clone(), strip_volatile(value));
                    }
                    Some(sent_value) if value.is_object() && sent_value.is_object() => {
                        let inner = default_output(value, sent_value);
                        if inner.as_object().is_some_and(|o| !o.is_empty()) {
                            out.insert(key.clone(), inner);
                        }
                    }
                    Some(_) => {}
                }
            }
            Json::Object(out)
        }
        _ => Json::Object(Map::new()),
    }
}

fn strip_volatile(value: &Json) -> Json {
    match value {
        Json::Object(o) => Json::Object(
            o.iter()
                .filter(|(k, _)| !VOLATILE_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), strip_volatile(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The output for `response_export_values` given as paths: the response restricted to them
/// (`*` for the whole body).
pub fn output_for_paths(response: &Json, paths: &[String]) -> Json {
    if paths.iter().any(|p| p == "*") {
        return response.clone();
    }
    let mut out = Json::Object(Map::new());
    for path in paths {
        if let Some(value) = pointer(response, path) {
            let mut part = value.clone();
            for key in path.split('.').rev() {
                let mut object = Map::new();
                object.insert(key.to_string(), part);
                part = Json::Object(object);
            }
            merge(&mut out, &part);
        }
    }
    out
}

/// The output for `response_export_values` given as a map of names to paths (azapi takes
/// JMESPath queries; dotted paths are the subset understood here).
pub fn output_for_queries(response: &Json, queries: &[(String, String)]) -> Json {
    Json::Object(
        queries
            .iter()
            .filter_map(|(name, path)| pointer(response, path).map(|v| (name.clone(), v.clone())))
            .collect(),
    )
}

fn pointer<'a>(json: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.')
        .try_fold(json, |node, key| node.get(key))
        .filter(|v| !v.is_null())
}

/// The JSON of an `identity` block: `{"type", "userAssignedIdentities"}`.
pub fn expand_identity(kind: &str, identity_ids: &[String]) -> Result<Json, String> {
    let mut out = Map::new();
    out.insert("type".into(), Json::String(kind.to_string()));
    if !identity_ids.is_empty() {
        if kind != "UserAssigned" && kind != "SystemAssigned, UserAssigned" {
            return Err(
                "`identity_ids` can only be specified when `type` includes `UserAssigned`".into(),
            );
        }
        out.insert(
            "userAssignedIdentities".into(),
            Json::Object(
                identity_ids
                    .iter()
                    .map(|id| (id.clone(), Json::Object(Map::new())))
                    .collect(),
            ),
        );
    }
    Ok(Json::Object(out))
}

/// The identity type azapi reports for ARM's `identity.type`.
pub fn identity_type(text: &str) -> &'static str {
    if text.contains(',') {
        "SystemAssigned, UserAssigned"
    } else if text.eq_ignore_ascii_case("UserAssigned") {
        "UserAssigned"
    } else if text.eq_ignore_ascii_case("SystemAssigned") {
        "SystemAssigned"
    } else {
        "None"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RG: &str = "/subscriptions/s/resourceGroups/rg";

    #[test]
    fn ids_from_types_and_back() {
        let vnet = ResourceType::parse("Microsoft.Network/virtualNetworks@2024-05-01").unwrap();
        let id = build_id("v", RG, &vnet).unwrap();
        assert_eq!(
            id,
            format!("{RG}/providers/Microsoft.Network/virtualNetworks/v")
        );
        assert_eq!(type_of_id(&id), "Microsoft.Network/virtualNetworks");
        let subnet =
            ResourceType::parse("Microsoft.Network/virtualNetworks/subnets@2024-05-01").unwrap();
        let sid = build_id("s", &id, &subnet).unwrap();
        assert_eq!(sid, format!("{id}/subnets/s"));
        assert!(build_id("s", RG, &subnet).is_err());
        assert_eq!(split_id(&sid).unwrap(), ("s".to_string(), id.clone()));
        assert_eq!(split_id(&id).unwrap(), ("v".to_string(), RG.to_string()));
        assert_eq!(
            split_id(RG).unwrap(),
            ("rg".to_string(), "/subscriptions/s".to_string())
        );
        let group = ResourceType::parse("Microsoft.Resources/resourceGroups@2021-04-01").unwrap();
        assert_eq!(build_id("rg", "/subscriptions/s", &group).unwrap(), RG);
        assert!(ResourceType::parse("Microsoft.Network/virtualNetworks").is_err());
        let lock = ResourceType::parse("Microsoft.Authorization/locks@2020-05-01").unwrap();
        assert_eq!(
            build_id("l", &id, &lock).unwrap(),
            format!("{id}/providers/Microsoft.Authorization/locks/l")
        );
        assert_eq!(
            split_id(&format!("{id}/providers/Microsoft.Authorization/locks/l"))
                .unwrap()
                .1,
            id
        );
    }

    #[test]
    fn refreshed_body_keeps_configured_paths() {
        let configured = json!({"properties": {"a": "X", "b": [1, 2], "gone": 1}});
        let response = json!({"properties": {"a": "x", "b": [1, 3], "extra": true, "provisioningState": "Succeeded"}});
        assert_eq!(
            update_object(&configured, &response, true, true),
            json!({"properties": {"a": "X", "b": [1, 3], "gone": 1}})
        );
        assert_eq!(
            update_object(&configured, &response, false, false),
            json!({"properties": {"a": "x", "b": [1, 3]}})
        );
    }

    #[test]
    fn outputs() {
        let response = json!({"id": "/x", "properties": {"loginServer": "r.azurecr.io", "sku": "Basic", "provisioningState": "Succeeded"}, "etag": "e"});
        let sent = json!({"properties": {"sku": "Basic"}});
        assert_eq!(
            default_output(&response, &sent),
            json!({"id": "/x", "properties": {"loginServer": "r.azurecr.io", "provisioningState": "Succeeded"}})
        );
        assert_eq!(
            output_for_paths(&response, &["properties.loginServer".into()]),
            json!({"properties": {"loginServer": "r.azurecr.io"}})
        );
        assert_eq!(
            output_for_queries(
                &response,
                &[("server".into(), "properties.loginServer".into())]
            ),
            json!({"server": "r.azurecr.io"})
        );
    }

    #[test]
    fn identities() {
        assert_eq!(
            expand_identity("UserAssigned", &["/i".into()]).unwrap(),
            json!({"type": "UserAssigned", "userAssignedIdentities": {"/i": {}}})
        );
        assert!(expand_identity("SystemAssigned", &["/i".into()]).is_err());
        assert_eq!(
            identity_type("SystemAssigned,UserAssigned"),
            "SystemAssigned, UserAssigned"
        );
        assert_eq!(identity_type("none"), "None");
    }
}
