//! Microsoft.KeyVault: vaults, their access policies (`accessPolicies/{add,remove,replace}`),
//! soft delete (a deleted vault keeps its name and secrets until purged, or is recovered with
//! `createMode: recover`), and purge. The secrets themselves are data plane: see `vault_data`.
//!
//! A vault's `vaultUri` is `{simulator}/keyvault/{name}/`: Azure gives each vault a host name
//! (`https://{name}.vault.azure.net/`), which a loopback server cannot, so the simulator
//! serves every vault's data plane under a path prefix of its own address instead.

use crate::arm::{Ctx, Put, Target};
use crate::http::{ArmError, ArmResult, Request, Response};
use crate::lro::{self, OpKind};
use crate::store::{DeletedVault, Resource, Store};
use crate::util::{self, at, default, set, str_at};
use serde_json::{json, Value};

const VAULT: &str = "Microsoft.KeyVault/vaults";
/// How long soft-deleted vaults are kept by default (days).
const RETENTION_DAYS: i64 = 90;

const KEY_PERMISSIONS: &[&str] = &[
    "all",
    "encrypt",
    "decrypt",
    "wrapKey",
    "unwrapKey",
    "sign",
    "verify",
    "get",
    "list",
    "create",
    "update",
    "import",
    "delete",
    "backup",
    "restore",
    "recover",
    "purge",
    "release",
    "rotate",
    "getrotationpolicy",
    "setrotationpolicy",
];
const SECRET_PERMISSIONS: &[&str] = &[
    "all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge",
];
const CERTIFICATE_PERMISSIONS: &[&str] = &[
    "all",
    "get",
    "list",
    "delete",
    "create",
    "import",
    "update",
    "managecontacts",
    "getissuers",
    "listissuers",
    "setissuers",
    "deleteissuers",
    "manageissuers",
    "recover",
    "purge",
    "backup",
    "restore",
];
const STORAGE_PERMISSIONS: &[&str] = &[
    "all",
    "get",
    "list",
    "delete",
    "set",
    "update",
    "regeneratekey",
    "recover",
    "purge",
    "backup",
    "restore",
    "setsas",
    "listsas",
    "getsas",
    "deletesas",
];

pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    let valid = (3..=24).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("--");
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "VaultNameNotValid",
            format!("The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens."),
        ))
    }
}

/// The vault URI the simulator gives a vault.
pub(crate) fn vault_uri(base: &str, name: &str) -> String {
    format!("{base}/keyvault/{}/", name.to_ascii_lowercase())
}

fn check_policies(policies: &[Value], path: &str) -> ArmResult<Vec<Value>> {
    let invalid = |m: String| ArmError::bad_request("BadRequest", m);
    let mut out = Vec::new();
    for (i, policy) in policies.iter().enumerate() {
        for field in ["tenantId", "objectId"] {
            let value = policy
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            if field == "tenantId" && !util::is_uuid(value) || value.is_empty() {
                return Err(invalid(format!(
                    "The property '{path}[{i}].{field}' is missing or not a GUID."
                )));
            }
        }
        let mut normalized = policy.clone();
        for (kind, allowed) in [
            ("keys", KEY_PERMISSIONS),
            ("secrets", SECRET_PERMISSIONS),
            ("certificates", CERTIFICATE_PERMISSIONS),
            ("storage", STORAGE_PERMISSIONS),
        ] {
            let given = policy
                .pointer(&format!("/permissions/{kind}"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut list = Vec::new();
            for p in given {
                let text = p.as_str().unwrap_or_default();
                let found = allowed.iter().find(|a| a.eq_ignore_ascii_case(text)).ok_or_else(|| {
                    invalid(format!("The permission '{text}' in '{path}[{i}].permissions.{kind}' is not valid. Allowed values are: {}.", allowed.join(", ")))
                })?;
                list.push(json!(found));
            }
            set(&mut normalized, &format!("permissions.{kind}"), json!(list));
        }
        out.push(normalized);
    }
    Ok(out)
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    if put.kind != VAULT {
        return Ok(());
    }
    let check = put.check();
    let tenant = check.required_str("properties.tenantId")?;
    if !util::is_uuid(tenant) {
        return Err(check.invalid(format!(
            "The value '{tenant}' of property 'properties.tenantId' is not a GUID."
        )));
    }
    check.required("properties.sku")?;
    check.one_of("properties.sku.family", &["A"])?;
    let sku = check
        .one_of("properties.sku.name", &["standard", "premium"])?
        .ok_or_else(|| {
            check
                .invalid("The required property 'properties.sku.name' is missing from the request.")
        })?;
    let create_mode = check
        .one_of("properties.createMode", &["default", "recover"])?
        .unwrap_or_else(|| "default".into());
    let name = put.name.to_ascii_lowercase();
    let soft_deleted = ctx.store.deleted_vaults.get(&name).cloned();
    match (&soft_deleted, create_mode.as_str()) {
        (Some(_), "default") => {
            return Err(ArmError::conflict(
                "ConflictError",
                format!("A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Vault name: '{}'.", put.name),
            ))
        }
        (None, "recover") if put.creating() => {
            return Err(ArmError::not_found(
                "DeletedVaultNotFound",
                format!("A deleted vault named '{}' was not found to recover.", put.name),
            ))
        }
        _ => {}
    }
    let policies = check_policies(
        check.array("properties.accessPolicies")?,
        "properties.accessPolicies",
    )?;
    check.boolean("properties.enableRbacAuthorization")?;
    let soft_delete = check
        .boolean("properties.enableSoftDelete")?
        .unwrap_or(true);
    if !soft_delete && put.old_at("properties.enableSoftDelete") != Some(&json!(false)) {
        return Err(ArmError::bad_request(
            "SoftDeleteCannotBeDisabled",
            "Soft delete cannot be disabled on key vaults: it is always on.",
        ));
    }
    let retention = check
        .int_in("properties.softDeleteRetentionInDays", 7, 90)?
        .unwrap_or(RETENTION_DAYS);
    let purge_protection = check.boolean("properties.enablePurgeProtection")?;
    if purge_protection == Some(false)
        && put.old_at("properties.enablePurgeProtection") == Some(&json!(true))
    {
        return Err(ArmError::bad_request(
            "PurgeProtectionCannotBeDisabled",
            "Purge protection, once enabled, cannot be disabled.",
        ));
    }
    check.one_of("properties.networkAcls.defaultAction", &["Allow", "Deny"])?;
    check.one_of("properties.networkAcls.bypass", &["AzureServices", "None"])?;
    check.one_of("properties.publicNetworkAccess", &["Enabled", "Disabled"])?;
    if let Some(deleted) = soft_deleted.filter(|_| create_mode == "recover") {
        // Recovery brings the vault back as it was; the request's properties apply on top.
        ctx.store.deleted_vaults.remove(&name);
        ctx.mutated = true;
        if at(&put.body, "properties.accessPolicies").is_none() {
            let old = at(&deleted.vault.doc, "properties.accessPolicies")
                .cloned()
                .unwrap_or(json!([]));
            set(&mut put.doc, "properties.accessPolicies", old);
        }
    } else {
        set(&mut put.doc, "properties.accessPolicies", json!(policies));
    }
    if let Some(props) = put.doc.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("createMode");
    }
    set(
        &mut put.doc,
        "properties.sku",
        json!({"family": "A", "name": sku}),
    );
    set(&mut put.doc, "properties.enableSoftDelete", json!(true));
    set(
        &mut put.doc,
        "properties.softDeleteRetentionInDays",
        json!(retention),
    );
    if purge_protection == Some(true) {
        set(
            &mut put.doc,
            "properties.enablePurgeProtection",
            json!(true),
        );
    }
    default(
        &mut put.doc,
        "properties.enableRbacAuthorization",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.enabledForDeployment",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.enabledForDiskEncryption",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.enabledForTemplateDeployment",
        json!(false),
    );
    default(
        &mut put.doc,
        "properties.publicNetworkAccess",
        json!("Enabled"),
    );
    set(
        &mut put.doc,
        "properties.vaultUri",
        json!(vault_uri(ctx.base, &put.name)),
    );
    Ok(())
}

/// `PUT .../vaults/{name}/accessPolicies/{add|remove|replace}`.
pub(crate) fn access_policies(ctx: &mut Ctx, target: &Target, body: &Value) -> ArmResult<Response> {
    let operation = target.name.to_ascii_lowercase();
    if !["add", "remove", "replace"].contains(&operation.as_str()) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The access policy operation '{}' is not valid: it must be add, remove or replace.",
                target.name
            ),
        ));
    }
    let vault_key = target.parent_key.clone().unwrap_or_default();
    let given = body
        .pointer("/properties/accessPolicies")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| {
            ArmError::bad_request(
                "BadRequest",
                "The required property 'properties.accessPolicies' is missing from the request.",
            )
        })?;
    let given = check_policies(&given, "properties.accessPolicies")?;
    let Some(vault) = ctx.store.resources.get_mut(&vault_key) else {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            "The vault was not found.",
        ));
    };
    let mut current = at(&vault.doc, "properties.accessPolicies")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let same = |a: &Value, b: &Value| {
        ["tenantId", "objectId", "applicationId"].iter().all(|f| {
            a.get(*f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .eq_ignore_ascii_case(b.get(*f).and_then(Value::as_str).unwrap_or_default())
        })
    };
    match operation.as_str() {
        // ARM replaces the permissions of the principals given and leaves the others alone
        // (what-if shows the whole list as replaced; the deployment does not do that).
        "replace" => {
            for policy in &given {
                match current.iter_mut().find(|p| same(p, policy)) {
                    Some(existing) => *existing = policy.clone(),
                    None => current.push(policy.clone()),
                }
            }
        }
        "add" => {
            for policy in &given {
                match current.iter_mut().find(|p| same(p, policy)) {
                    Some(existing) => {
                        for kind in ["keys", "secrets", "certificates", "storage"] {
                            let mut merged: Vec<Value> = existing
                                .pointer(&format!("/permissions/{kind}"))
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default();
                            for p in policy
                                .pointer(&format!("/permissions/{kind}"))
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default()
                            {
                                if !merged.contains(&p) {
                                    merged.push(p);
                                }
                            }
                            set(existing, &format!("permissions.{kind}"), json!(merged));
                        }
                    }
                    None => current.push(policy.clone()),
                }
            }
        }
        _ => {
            for policy in &given {
                if let Some(existing) = current.iter_mut().find(|p| same(p, policy)) {
                    for kind in ["keys", "secrets", "certificates", "storage"] {
                        let removing: Vec<Value> = policy
                            .pointer(&format!("/permissions/{kind}"))
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        let kept: Vec<Value> = existing
                            .pointer(&format!("/permissions/{kind}"))
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|p| !removing.contains(p))
                            .collect();
                        set(existing, &format!("permissions.{kind}"), json!(kept));
                    }
                }
            }
            current.retain(|p| {
                ["keys", "secrets", "certificates", "storage"]
                    .iter()
                    .any(|k| {
                        p.pointer(&format!("/permissions/{k}"))
                            .and_then(Value::as_array)
                            .is_some_and(|a| !a.is_empty())
                    })
            });
        }
    }
    set(&mut vault.doc, "properties.accessPolicies", json!(current));
    vault.doc["etag"] = json!(format!("\"{}\"", util::random_hex(16)));
    let location = vault.location().unwrap_or_default().to_string();
    ctx.mutated = true;
    Ok(Response::json(
        200,
        &json!({
            "id": target.id,
            "name": operation,
            "type": "Microsoft.KeyVault/vaults/accessPolicies",
            "location": location,
            "properties": {"accessPolicies": current},
        }),
    ))
}

/// Keeps a deleted vault (and its secrets) recoverable until purged.
pub(crate) fn soft_delete(store: &mut Store, vault: Resource, now: i64) {
    let retention = at(&vault.doc, "properties.softDeleteRetentionInDays")
        .and_then(Value::as_i64)
        .unwrap_or(RETENTION_DAYS);
    let name = vault.name().to_ascii_lowercase();
    store.deleted_vaults.insert(
        name,
        DeletedVault {
            vault,
            deleted_ms: now,
            scheduled_purge_ms: now + retention * 86_400_000,
        },
    );
}

fn deleted_document(deleted: &DeletedVault) -> Value {
    let vault = &deleted.vault;
    let location = vault.location().unwrap_or_default();
    json!({
        "id": format!("/subscriptions/{}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{}", crate::SUBSCRIPTION_ID, vault.name()),
        "name": vault.name(),
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": vault.id(),
            "location": location,
            "deletionDate": util::timestamp(deleted.deleted_ms),
            "scheduledPurgeDate": util::timestamp(deleted.scheduled_purge_ms),
            "tags": vault.doc.get("tags").cloned().unwrap_or(json!({})),
            "purgeProtectionEnabled": at(&vault.doc, "properties.enablePurgeProtection") == Some(&json!(true)),
        }
    })
}

pub(crate) fn list_deleted(ctx: &mut Ctx) -> Response {
    let value: Vec<Value> = ctx
        .store
        .deleted_vaults
        .values()
        .map(deleted_document)
        .collect();
    Response::json(200, &json!({ "value": value }))
}

pub(crate) fn get_deleted(ctx: &mut Ctx, name: &str) -> ArmResult<Response> {
    ctx.store
        .deleted_vaults
        .get(&name.to_ascii_lowercase())
        .map(|d| Response::json(200, &deleted_document(d)))
        .ok_or_else(|| {
            ArmError::not_found(
                "ResourceNotFound",
                format!("The Resource 'Microsoft.KeyVault/deletedVaults/{name}' was not found."),
            )
        })
}

/// `POST .../deletedVaults/{name}/purge`: a long-running operation.
pub(crate) fn purge(
    ctx: &mut Ctx,
    req: &Request,
    location: &str,
    name: &str,
) -> ArmResult<Response> {
    let api = req.query("api-version").ok_or_else(|| {
        ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    })?;
    let key = name.to_ascii_lowercase();
    let Some(deleted) = ctx.store.deleted_vaults.get(&key) else {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            format!("The Resource 'Microsoft.KeyVault/deletedVaults/{name}' was not found."),
        ));
    };
    if str_at(&deleted.vault.doc, "properties.enablePurgeProtection").is_some()
        || at(&deleted.vault.doc, "properties.enablePurgeProtection") == Some(&json!(true))
    {
        return Err(ArmError::conflict(
            "VaultPurgeProtected",
            format!("The vault '{name}' has purge protection enabled: it is purged automatically after its retention period."),
        ));
    }
    let op = lro::start(
        ctx.store,
        OpKind::PurgeVault,
        &key,
        "Microsoft.KeyVault",
        location,
        api,
        ctx.now,
        ctx.duration_ms(10.0),
        vec![],
    );
    ctx.mutated = true;
    Ok(lro::with_retry_after(
        Response::empty(202).with_header("Location", op.result_url(ctx.base)),
        op.remaining_ms(ctx.now),
    ))
}
