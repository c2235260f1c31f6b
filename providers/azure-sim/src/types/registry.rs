//! Microsoft.ContainerRegistry: registries, their login server and admin credentials
//! (`listCredentials`, `regenerateCredential`).

use crate::arm::{Ctx, Put};
use crate::http::{ArmError, ArmResult, Response};
use crate::store::Resource;
use crate::util::{self, at, default, set};
use serde_json::{json, Value};

pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    let valid = (5..=50).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidRegistryName",
            format!(
                "The registry name '{name}' is invalid: it must be 5 to 50 letters and digits."
            ),
        ))
    }
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    if put.kind != "Microsoft.ContainerRegistry/registries" {
        return Ok(());
    }
    let check = put.check();
    let sku = check
        .one_of("sku.name", &["Basic", "Standard", "Premium"])?
        .ok_or_else(|| {
            check.invalid("The required property 'sku.name' is missing from the request.")
        })?;
    check.boolean("properties.adminUserEnabled")?;
    check.one_of("properties.publicNetworkAccess", &["Enabled", "Disabled"])?;
    check.one_of("properties.zoneRedundancy", &["Enabled", "Disabled"])?;
    check.one_of(
        "properties.networkRuleBypassOptions",
        &["AzureServices", "None"],
    )?;
    if sku != "Premium" {
        for premium_only in ["networkRuleSet", "dataEndpointEnabled"] {
            let set_to_something =
                at(&put.doc, &format!("properties.{premium_only}")).is_some_and(|v| {
                    v != &json!(false)
                        && v.get("ipRules")
                            .and_then(Value::as_array)
                            .is_none_or(|r| !r.is_empty())
                });
            if set_to_something {
                return Err(ArmError::bad_request(
                    "PremiumSkuRequired",
                    format!("The property 'properties.{premium_only}' requires the Premium SKU of container registry."),
                ));
            }
        }
        if at(&put.doc, "properties.zoneRedundancy") == Some(&json!("Enabled")) {
            return Err(ArmError::bad_request(
                "PremiumSkuRequired",
                "Zone redundancy requires the Premium SKU of container registry.",
            ));
        }
    }
    let identity = check.one_of(
        "identity.type",
        &[
            "SystemAssigned",
            "UserAssigned",
            "SystemAssigned, UserAssigned",
            "None",
        ],
    )?;
    if identity
        .as_deref()
        .is_some_and(|t| t.starts_with("SystemAssigned"))
    {
        let principal = put
            .old_at("identity.principalId")
            .cloned()
            .unwrap_or_else(|| json!(util::new_uuid()));
        set(&mut put.doc, "identity.principalId", principal);
        set(&mut put.doc, "identity.tenantId", json!(crate::TENANT_ID));
    }
    set(&mut put.doc, "sku", json!({"name": sku, "tier": sku}));
    set(
        &mut put.doc,
        "properties.loginServer",
        json!(format!("{}.azurecr.io", put.name.to_ascii_lowercase())),
    );
    let created = put
        .old_at("properties.creationDate")
        .cloned()
        .unwrap_or_else(|| json!(util::timestamp(ctx.now)));
    set(&mut put.doc, "properties.creationDate", created);
    default(&mut put.doc, "properties.adminUserEnabled", json!(false));
    default(
        &mut put.doc,
        "properties.publicNetworkAccess",
        json!("Enabled"),
    );
    default(&mut put.doc, "properties.zoneRedundancy", json!("Disabled"));
    default(
        &mut put.doc,
        "properties.networkRuleBypassOptions",
        json!("AzureServices"),
    );
    default(&mut put.doc, "properties.dataEndpointEnabled", json!(false));
    default(
        &mut put.doc,
        "properties.anonymousPullEnabled",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.encryption",
        json!({"status": "disabled"}),
    );
    default(
        &mut put.doc,
        "properties.policies",
        json!({
            "quarantinePolicy": {"status": "disabled"},
            "trustPolicy": {"type": "Notary", "status": "disabled"},
            "retentionPolicy": {"days": 7, "status": "disabled"},
            "exportPolicy": {"status": "enabled"},
        }),
    );
    if put.private.get("password").is_none() {
        put.private = json!({"password": util::random_key(39), "password2": util::random_key(39)});
    }
    Ok(())
}

/// `listCredentials` and `regenerateCredential`.
pub(crate) fn action(
    ctx: &mut Ctx,
    key: &str,
    resource: &Resource,
    action: &str,
    body: &Value,
) -> Option<ArmResult<Response>> {
    let credentials = |r: &Resource| {
        json!({"username": r.name(), "passwords": [
            {"name": "password", "value": r.private["password"]},
            {"name": "password2", "value": r.private["password2"]},
        ]})
    };
    let admin = at(&resource.doc, "properties.adminUserEnabled") == Some(&json!(true));
    let refuse = || {
        Err(ArmError::bad_request(
            "UnAuthorizedForCredentialOperations",
            format!("Cannot perform credential operations for {} as admin user is disabled. Kindly enable admin user as per docs: https://docs.microsoft.com/en-us/azure/container-registry/container-registry-authentication#admin-account", resource.id()),
        ))
    };
    match action {
        "listcredentials" if !admin => Some(refuse()),
        "listcredentials" => Some(Ok(Response::json(200, &credentials(resource)))),
        "regeneratecredential" if !admin => Some(refuse()),
        "regeneratecredential" => {
            let field = match body["name"].as_str() {
                Some("password") => "password",
                Some("password2") => "password2",
                _ => {
                    return Some(Err(ArmError::bad_request(
                        "InvalidParameter",
                        "The property 'name' must be password or password2.",
                    )))
                }
            };
            let stored = ctx.store.resources.get_mut(key)?;
            stored.private[field] = json!(util::random_key(39));
            ctx.mutated = true;
            Some(Ok(Response::json(200, &credentials(stored))))
        }
        _ => None,
    }
}
