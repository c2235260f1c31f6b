//! Microsoft.Resources: the subscription, its locations, resource groups (names; the
//! cascading delete is the generic one: everything under the group goes with it), resource
//! listings, provider registrations and name-availability checks.

use crate::arm::Ctx;
use crate::http::{ArmError, ArmResult, Response};
use crate::store::Store;
use crate::types::{self, TYPES};
use crate::{regions, SUBSCRIPTION_ID, TENANT_ID};
use serde_json::{json, Value};

pub(crate) fn subscription() -> Value {
    json!({
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
        "displayName": "terrane simulator",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        },
        "tags": {},
    })
}

pub(crate) fn locations() -> Value {
    let value: Vec<Value> = regions::REGIONS
        .iter()
        .map(|(name, display)| {
            json!({
                "id": format!("/subscriptions/{SUBSCRIPTION_ID}/locations/{name}"),
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": display,
                "metadata": {"regionType": "Physical", "regionCategory": "Recommended"},
            })
        })
        .collect();
    json!({ "value": value })
}

/// Resource group names: 1 to 90 letters, digits, underscores, hyphens, periods and
/// parentheses, not ending in a period.
pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    let valid = (1..=90).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
        && !name.ends_with('.');
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidResourceGroupName",
            format!("The resource group name '{name}' is invalid. It can be 1 to 90 characters long and contain letters, digits, underscores, hyphens, periods and parentheses, and cannot end with a period."),
        ))
    }
}

/// The generic view of the resources under a prefix (`GET .../resources`).
pub(crate) fn list_resources(store: &Store, prefix: &str) -> Value {
    let value: Vec<Value> = store
        .resources
        .range(prefix.to_string()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .filter(|(_, r)| {
            // Top-level resources only: /subscriptions/s/resourcegroups/rg/providers/ns/type/name.
            r.id().split('/').count() == 9
        })
        .map(|(_, r)| {
            let mut entry = json!({"id": r.id(), "name": r.name(), "type": r.kind});
            for field in ["location", "tags", "sku", "kind", "identity", "managedBy"] {
                if let Some(v) = r.doc.get(field) {
                    entry[field] = v.clone();
                }
            }
            entry
        })
        .collect();
    json!({ "value": value })
}

/// A provider registration (every namespace is registered).
pub(crate) fn provider(namespace: &str) -> Value {
    let canonical = TYPES
        .iter()
        .map(|t| t.kind.split('/').next().unwrap_or_default())
        .find(|ns| ns.eq_ignore_ascii_case(namespace))
        .unwrap_or(namespace);
    let resource_types: Vec<Value> = TYPES
        .iter()
        .filter(|t| t.kind.split('/').next() == Some(canonical))
        .map(|t| {
            let locations: Vec<&str> = match t.location {
                types::Loc::Global => vec!["global"],
                _ => regions::REGIONS.iter().map(|(_, d)| *d).collect(),
            };
            json!({
                "resourceType": t.kind.split_once('/').map(|(_, rest)| rest).unwrap_or_default(),
                "locations": locations,
                "apiVersions": t.versions.iter().rev().collect::<Vec<_>>(),
                "capabilities": "None",
            })
        })
        .collect();
    json!({
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}/providers/{canonical}"),
        "namespace": canonical,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": resource_types,
    })
}

pub(crate) fn providers() -> Value {
    let mut namespaces: Vec<&str> = TYPES
        .iter()
        .map(|t| t.kind.split('/').next().unwrap_or_default())
        .collect();
    namespaces.extend([
        "Microsoft.Compute",
        "Microsoft.ManagedIdentity",
        "Microsoft.OperationalInsights",
        "Microsoft.Insights",
        "Microsoft.Web",
        "Microsoft.Sql",
    ]);
    namespaces.sort();
    namespaces.dedup();
    json!({"value": namespaces.into_iter().map(provider).collect::<Vec<_>>()})
}

/// `POST .../providers/{namespace}/checkNameAvailability` for the globally named types.
pub(crate) fn check_name_availability(
    ctx: &mut Ctx,
    namespace: &str,
    body: &Value,
) -> ArmResult<Response> {
    let name = body["name"].as_str().unwrap_or_default();
    let kind = match namespace.to_ascii_lowercase().as_str() {
        "microsoft.storage" => "Microsoft.Storage/storageAccounts",
        "microsoft.keyvault" => "Microsoft.KeyVault/vaults",
        "microsoft.containerregistry" => "Microsoft.ContainerRegistry/registries",
        "microsoft.cache" => "Microsoft.Cache/redis",
        "microsoft.dbforpostgresql" => "Microsoft.DBforPostgreSQL/flexibleServers",
        _ => {
            return Err(ArmError::not_found(
                "NotFound",
                format!("The namespace '{namespace}' has no checkNameAvailability action."),
            ))
        }
    };
    let spec = TYPES
        .iter()
        .find(|t| t.kind == kind)
        .unwrap_or(&types::GENERIC);
    if let Err(invalid) = types::check_name(spec.family, kind, name) {
        return Ok(Response::json(
            200,
            &json!({"nameAvailable": false, "reason": "Invalid", "message": invalid.message}),
        ));
    }
    let taken = ctx
        .store
        .resources
        .values()
        .any(|r| r.kind == kind && r.name().eq_ignore_ascii_case(name))
        || (kind == "Microsoft.KeyVault/vaults"
            && ctx
                .store
                .deleted_vaults
                .contains_key(&name.to_ascii_lowercase()));
    let answer = if taken {
        json!({"nameAvailable": false, "reason": "AlreadyExists", "message": format!("The name '{name}' is already in use.")})
    } else {
        json!({"nameAvailable": true})
    };
    Ok(Response::json(200, &answer))
}
