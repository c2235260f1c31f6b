//! Microsoft.Storage: storage accounts (created with ARM's 202-and-Location style), their
//! endpoints and access keys (`listKeys`, `regenerateKey`).

use crate::arm::{Ctx, Put};
use crate::http::{ArmError, ArmResult, Response};
use crate::store::Resource;
use crate::types::{invalid_reference, lookup};
use crate::util::{self, default, set, str_at};
use serde_json::{json, Value};

const SKUS: &[&str] = &[
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
];
const KINDS: &[&str] = &[
    "Storage",
    "StorageV2",
    "BlobStorage",
    "FileStorage",
    "BlockBlobStorage",
];

pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    let valid = (3..=24).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "AccountNameInvalid",
            format!("{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."),
        ))
    }
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    if put.kind != "Microsoft.Storage/storageAccounts" {
        return Ok(());
    }
    let check = put.check();
    let sku = check.one_of("sku.name", SKUS)?.ok_or_else(|| {
        check.invalid("The required property 'sku.name' is missing from the request.")
    })?;
    let kind = check.one_of("kind", KINDS)?.ok_or_else(|| {
        check.invalid("The required property 'kind' is missing from the request.")
    })?;
    if matches!(kind.as_str(), "FileStorage" | "BlockBlobStorage") && !sku.starts_with("Premium") {
        return Err(ArmError::bad_request(
            "InvalidValuesForRequestParameters",
            format!(
                "Values for request parameters are invalid: kind {kind} requires a Premium sku."
            ),
        ));
    }
    if let Some(old) = put
        .old
        .as_ref()
        .and_then(|o| o.doc.get("kind"))
        .and_then(Value::as_str)
    {
        if old == "StorageV2" && kind != "StorageV2" {
            return Err(ArmError::bad_request(
                "InvalidValuesForRequestParameters",
                format!("A StorageV2 account cannot be changed to kind {kind}."),
            ));
        }
    }
    let tier = check.one_of("properties.accessTier", &["Hot", "Cool", "Cold", "Premium"])?;
    let tls = check
        .one_of(
            "properties.minimumTlsVersion",
            &["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"],
        )?
        .unwrap_or_else(|| "TLS1_2".into());
    check.one_of(
        "properties.publicNetworkAccess",
        &["Enabled", "Disabled", "SecuredByPerimeter"],
    )?;
    for flag in [
        "supportsHttpsTrafficOnly",
        "allowBlobPublicAccess",
        "allowSharedKeyAccess",
        "isHnsEnabled",
        "isSftpEnabled",
        "isNfsV3Enabled",
    ] {
        check.boolean(&format!("properties.{flag}"))?;
    }
    if let Some(acls) = crate::util::at(&put.doc, "properties.networkAcls").cloned() {
        check.one_of("properties.networkAcls.defaultAction", &["Allow", "Deny"])?
            .ok_or_else(|| check.invalid("The required property 'properties.networkAcls.defaultAction' is missing from the request."))?;
        for rule in acls
            .get("virtualNetworkRules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let id = rule.get("id").and_then(Value::as_str).unwrap_or_default();
            if lookup(ctx.store, id).is_none() {
                return Err(invalid_reference(id, &put.id));
            }
        }
    }
    let name = put.name.to_ascii_lowercase();
    let location = put.location().unwrap_or_default().to_string();
    let endpoint = |service: &str| format!("https://{name}.{service}.core.windows.net/");
    let services: &[&str] = match kind.as_str() {
        "FileStorage" => &["file"],
        "BlockBlobStorage" => &["blob", "dfs", "web"],
        "BlobStorage" => &["blob", "table", "dfs"],
        _ => &["blob", "queue", "table", "file", "web", "dfs"],
    };
    let endpoints: serde_json::Map<String, Value> = services
        .iter()
        .map(|s| (s.to_string(), json!(endpoint(s))))
        .collect();
    set(
        &mut put.doc,
        "sku",
        json!({"name": sku, "tier": if sku.starts_with("Premium") { "Premium" } else { "Standard" }}),
    );
    set(&mut put.doc, "kind", json!(kind));
    if matches!(kind.as_str(), "StorageV2" | "BlobStorage") {
        default(
            &mut put.doc,
            "properties.accessTier",
            json!(tier.unwrap_or_else(|| "Hot".into())),
        );
    }
    set(&mut put.doc, "properties.minimumTlsVersion", json!(tls));
    default(
        &mut put.doc,
        "properties.supportsHttpsTrafficOnly",
        json!(true),
    );
    default(
        &mut put.doc,
        "properties.allowBlobPublicAccess",
        json!(false),
    );
    default(&mut put.doc, "properties.isHnsEnabled", json!(false));
    default(
        &mut put.doc,
        "properties.networkAcls",
        json!({"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow"}),
    );
    default(
        &mut put.doc,
        "properties.encryption",
        json!({
            "services": {"blob": {"enabled": true, "keyType": "Account"}, "file": {"enabled": true, "keyType": "Account"}},
            "keySource": "Microsoft.Storage",
            "requireInfrastructureEncryption": false,
        }),
    );
    set(
        &mut put.doc,
        "properties.primaryEndpoints",
        Value::Object(endpoints.clone()),
    );
    set(&mut put.doc, "properties.primaryLocation", json!(location));
    set(
        &mut put.doc,
        "properties.statusOfPrimary",
        json!("available"),
    );
    if sku.contains("GRS") || sku.contains("GZRS") {
        set(
            &mut put.doc,
            "properties.secondaryLocation",
            json!(paired_region(&location)),
        );
        set(
            &mut put.doc,
            "properties.statusOfSecondary",
            json!("available"),
        );
        if sku.contains("RA") {
            let secondary: serde_json::Map<String, Value> = services
                .iter()
                .map(|s| {
                    (
                        s.to_string(),
                        json!(format!("https://{name}-secondary.{s}.core.windows.net/")),
                    )
                })
                .collect();
            set(
                &mut put.doc,
                "properties.secondaryEndpoints",
                Value::Object(secondary),
            );
        }
    }
    let created = put
        .old_at("properties.creationTime")
        .cloned()
        .unwrap_or_else(|| json!(util::timestamp(ctx.now)));
    set(&mut put.doc, "properties.creationTime", created.clone());
    set(
        &mut put.doc,
        "properties.keyCreationTime",
        json!({"key1": created, "key2": created}),
    );
    if put.private.get("key1").is_none() {
        put.private = json!({"key1": util::random_key(64), "key2": util::random_key(64)});
    }
    Ok(())
}

fn paired_region(location: &str) -> &'static str {
    match location {
        "westeurope" => "northeurope",
        "northeurope" => "westeurope",
        "eastus" => "westus",
        "eastus2" => "centralus",
        "westus" => "eastus",
        "uksouth" => "ukwest",
        "germanywestcentral" => "germanynorth",
        "francecentral" => "francesouth",
        _ => "westus2",
    }
}

/// `listKeys` and `regenerateKey`.
pub(crate) fn action(
    ctx: &mut Ctx,
    key: &str,
    resource: &Resource,
    action: &str,
    body: &Value,
) -> Option<ArmResult<Response>> {
    let keys = |r: &Resource| {
        let created = str_at(&r.doc, "properties.creationTime")
            .unwrap_or_default()
            .to_string();
        json!({"keys": [
            {"keyName": "key1", "value": r.private["key1"], "permissions": "FULL", "creationTime": created},
            {"keyName": "key2", "value": r.private["key2"], "permissions": "FULL", "creationTime": created},
        ]})
    };
    match action {
        "listkeys" => Some(Ok(Response::json(200, &keys(resource)))),
        "regeneratekey" => {
            let field = match body["keyName"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("key1") => "key1",
                Some("key2") => "key2",
                _ => {
                    return Some(Err(ArmError::bad_request(
                        "InvalidValuesForRequestParameters",
                        "The property 'keyName' must be key1 or key2.",
                    )))
                }
            };
            let stored = ctx.store.resources.get_mut(key)?;
            stored.private[field] = json!(util::random_key(64));
            ctx.mutated = true;
            Some(Ok(Response::json(200, &keys(stored))))
        }
        _ => None,
    }
}
