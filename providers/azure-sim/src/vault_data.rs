//! Key vault secrets: the data plane Azure serves at `https://{vault}.vault.azure.net/`, which
//! the simulator serves at `{simulator}/keyvault/{vault}/` (the vault's `vaultUri`). Secrets
//! have versions, soft delete, recovery and purge, and access is checked as key vault checks
//! it: the caller's access policy, or with RBAC vaults its role assignments.

use crate::auth::Caller;
use crate::http::{Request, Response};
use crate::store::{Resource, Secret, SecretVersion, Store};
use crate::types::keyvault::vault_uri;
use crate::util::{self, at, str_at};
use serde_json::{json, Value};

/// A key vault error: `{"error": {"code", "message"}}`.
fn error(status: u16, code: &str, message: impl Into<String>) -> Response {
    Response::json(
        status,
        &json!({"error": {"code": code, "message": message.into()}}),
    )
}

/// The vault a name designates, live or soft-deleted.
fn vault<'a>(store: &'a Store, name: &str) -> Option<&'a Resource> {
    store
        .resources
        .values()
        .find(|r| r.kind == "Microsoft.KeyVault/vaults" && r.name().eq_ignore_ascii_case(name))
}

/// Whether the caller may do `permission` (get, list, set, delete, recover, purge) on secrets.
fn allowed(store: &Store, vault: &Resource, caller: &Caller, permission: &str) -> bool {
    if at(&vault.doc, "properties.enableRbacAuthorization") == Some(&json!(true)) {
        let vault_id = vault.id().to_ascii_lowercase();
        let roles: &[&str] = match permission {
            "get" | "list" => &[
                "00482a5a-887f-4fb3-b363-3b7fe8e74483",
                "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
                "4633458b-17de-408a-b874-0445c86b69e6",
            ],
            _ => &[
                "00482a5a-887f-4fb3-b363-3b7fe8e74483",
                "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
            ],
        };
        return store.resources.values().any(|r| {
            r.kind == "Microsoft.Authorization/roleAssignments"
                && str_at(&r.doc, "properties.principalId")
                    .is_some_and(|p| p.eq_ignore_ascii_case(&caller.object_id))
                && str_at(&r.doc, "properties.scope")
                    .is_some_and(|s| vault_id.starts_with(&s.to_ascii_lowercase()))
                && str_at(&r.doc, "properties.roleDefinitionId")
                    .is_some_and(|d| roles.iter().any(|role| d.ends_with(role)))
        });
    }
    at(&vault.doc, "properties.accessPolicies")
        .and_then(Value::as_array)
        .is_some_and(|policies| {
            policies.iter().any(|p| {
                p["objectId"]
                    .as_str()
                    .is_some_and(|o| o.eq_ignore_ascii_case(&caller.object_id))
                    && p.pointer("/permissions/secrets")
                        .and_then(Value::as_array)
                        .is_some_and(|perms| {
                            perms.iter().any(|x| {
                                x.as_str().is_some_and(|x| {
                                    x.eq_ignore_ascii_case(permission)
                                        || x.eq_ignore_ascii_case("all")
                                })
                            })
                        })
            })
        })
}

fn attributes(version: &SecretVersion) -> Value {
    let mut attributes = json!({
        "enabled": version.enabled,
        "created": version.created_ms / 1000,
        "updated": version.updated_ms / 1000,
        "recoveryLevel": "Recoverable+Purgeable",
        "recoverableDays": 90,
    });
    if let Some(nbf) = version.not_before {
        attributes["nbf"] = json!(nbf);
    }
    if let Some(exp) = version.expires {
        attributes["exp"] = json!(exp);
    }
    attributes
}

fn bundle(uri: &str, secret: &Secret, version: &SecretVersion, with_value: bool) -> Value {
    let mut doc = json!({
        "id": format!("{uri}secrets/{}/{}", secret.name, version.version),
        "attributes": attributes(version),
        "tags": if version.tags.is_object() { version.tags.clone() } else { json!({}) },
    });
    if with_value {
        doc["value"] = json!(version.value);
    }
    if let Some(ct) = &version.content_type {
        doc["contentType"] = json!(ct);
    }
    doc
}

fn deleted_bundle(uri: &str, secret: &Secret, version: &SecretVersion) -> Value {
    let mut doc = bundle(uri, secret, version, false);
    let deleted = secret.deleted_ms.unwrap_or_default();
    doc["recoveryId"] = json!(format!("{uri}deletedsecrets/{}", secret.name));
    doc["deletedDate"] = json!(deleted / 1000);
    doc["scheduledPurgeDate"] = json!(deleted / 1000 + 90 * 86_400);
    doc
}

fn not_found(name: &str) -> Response {
    error(
        404,
        "SecretNotFound",
        format!("A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command."),
    )
}

/// Handles `{simulator}/keyvault/{vault}/...`; `segs` start with the vault's name.
pub(crate) fn handle(
    store: &mut Store,
    base: &str,
    req: &Request,
    segs: &[String],
    caller: &Caller,
    now: i64,
) -> (Response, bool) {
    let Some(vault_name) = segs.first() else {
        return (
            error(404, "VaultNotFound", "No vault is named in the request."),
            false,
        );
    };
    let Some(vault_resource) = vault(store, vault_name).cloned() else {
        return (
            error(
                404,
                "VaultNotFound",
                format!("The vault '{vault_name}' does not exist."),
            ),
            false,
        );
    };
    let version_ok = req.query("api-version").is_some_and(|v| {
        ["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6"]
            .iter()
            .any(|ok| v.starts_with(ok))
    });
    if !version_ok {
        return (
            error(400, "BadParameter", "The request URI contains an invalid or missing api-version: use one of 7.0 to 7.6."),
            false,
        );
    }
    let uri = vault_uri(base, vault_resource.name());
    let vault_key = vault_resource.name().to_ascii_lowercase();
    let rest: Vec<&str> = segs[1..].iter().map(String::as_str).collect();
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let permission = match (req.method.as_str(), lower.as_slice()) {
        ("GET", ["secrets"] | ["secrets", _, "versions"] | ["deletedsecrets"]) => "list",
        ("GET", _) => "get",
        ("PUT" | "PATCH", _) => "set",
        ("DELETE", ["deletedsecrets", _]) => "purge",
        ("DELETE", _) => "delete",
        ("POST", ["deletedsecrets", _, "recover"]) => "recover",
        _ => "get",
    };
    if !allowed(store, &vault_resource, caller, permission) {
        return (
            error(
                403,
                "Forbidden",
                format!("The user, group or application 'appid={};oid={}' does not have secrets {permission} permission on key vault '{};location={}'.", caller.app_id, caller.object_id, vault_resource.name(), vault_resource.location().unwrap_or_default()),
            ),
            false,
        );
    }
    let secrets = store.secrets.entry(vault_key).or_default();
    match (req.method.as_str(), lower.as_slice()) {
        ("GET", ["secrets"]) => {
            let value: Vec<Value> = secrets
                .values()
                .filter(|s| s.deleted_ms.is_none())
                .filter_map(|s| {
                    let latest = s.versions.last()?;
                    let mut item = bundle(&uri, s, latest, false);
                    item["id"] = json!(format!("{uri}secrets/{}", s.name));
                    Some(item)
                })
                .collect();
            (
                Response::json(200, &json!({"value": value, "nextLink": null})),
                false,
            )
        }
        ("PUT", ["secrets", _]) => {
            let name = rest[1];
            let valid_name = (1..=127).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid_name {
                return (error(400, "BadParameter", format!("The secret name '{name}' is invalid: use 1 to 127 letters, digits and hyphens.")), false);
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let Some(value) = body.get("value").and_then(Value::as_str) else {
                return (
                    error(
                        400,
                        "BadParameter",
                        "The request body must hold a string 'value'.",
                    ),
                    false,
                );
            };
            let entry = secrets
                .entry(name.to_ascii_lowercase())
                .or_insert_with(|| Secret {
                    name: name.to_string(),
                    ..Secret::default()
                });
            if entry.deleted_ms.is_some() {
                return (
                    error(409, "Conflict", format!("Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.")),
                    false,
                );
            }
            let version = SecretVersion {
                version: util::random_hex(32),
                value: value.to_string(),
                content_type: body
                    .get("contentType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                tags: body.get("tags").cloned().unwrap_or(json!({})),
                enabled: body
                    .pointer("/attributes/enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                not_before: body.pointer("/attributes/nbf").and_then(Value::as_i64),
                expires: body.pointer("/attributes/exp").and_then(Value::as_i64),
                created_ms: now,
                updated_ms: now,
            };
            entry.versions.push(version);
            let shown = bundle(
                &uri,
                entry,
                entry.versions.last().unwrap_or(&SecretVersion::default()),
                true,
            );
            (Response::json(200, &shown), true)
        }
        ("GET", ["secrets", _]) | ("GET", ["secrets", _, ""]) => {
            match secrets
                .get(&lower[1].to_string())
                .filter(|s| s.deleted_ms.is_none())
            {
                Some(s) => match s.versions.last() {
                    Some(v) => (Response::json(200, &bundle(&uri, s, v, true)), false),
                    None => (not_found(rest[1]), false),
                },
                None => (not_found(rest[1]), false),
            }
        }
        ("GET", ["secrets", _, "versions"]) => match secrets
            .get(&lower[1].to_string())
            .filter(|s| s.deleted_ms.is_none())
        {
            Some(s) => {
                let value: Vec<Value> = s
                    .versions
                    .iter()
                    .map(|v| bundle(&uri, s, v, false))
                    .collect();
                (
                    Response::json(200, &json!({"value": value, "nextLink": null})),
                    false,
                )
            }
            None => (not_found(rest[1]), false),
        },
        ("GET", ["secrets", _, version]) | ("PATCH", ["secrets", _, version]) => {
            let patch = req.method == "PATCH";
            let Some(secret) = secrets
                .get_mut(&lower[1].to_string())
                .filter(|s| s.deleted_ms.is_none())
            else {
                return (not_found(rest[1]), false);
            };
            let Some(index) = secret
                .versions
                .iter()
                .position(|v| v.version.eq_ignore_ascii_case(version))
            else {
                return (not_found(&format!("{}/{}", rest[1], rest[2])), false);
            };
            if patch {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let v = &mut secret.versions[index];
                if let Some(enabled) = body.pointer("/attributes/enabled").and_then(Value::as_bool)
                {
                    v.enabled = enabled;
                }
                if let Some(exp) = body.pointer("/attributes/exp") {
                    v.expires = exp.as_i64();
                }
                if let Some(nbf) = body.pointer("/attributes/nbf") {
                    v.not_before = nbf.as_i64();
                }
                if let Some(tags) = body.get("tags") {
                    v.tags = tags.clone();
                }
                if let Some(ct) = body.get("contentType") {
                    v.content_type = ct.as_str().map(str::to_string);
                }
                v.updated_ms = now;
            }
            (
                Response::json(200, &bundle(&uri, secret, &secret.versions[index], !patch)),
                patch,
            )
        }
        ("DELETE", ["secrets", _]) => {
            let Some(secret) = secrets
                .get_mut(&lower[1].to_string())
                .filter(|s| s.deleted_ms.is_none())
            else {
                return (not_found(rest[1]), false);
            };
            secret.deleted_ms = Some(now);
            let latest = secret.versions.last().cloned().unwrap_or_default();
            (
                Response::json(200, &deleted_bundle(&uri, secret, &latest)),
                true,
            )
        }
        ("GET", ["deletedsecrets"]) => {
            let value: Vec<Value> = secrets
                .values()
                .filter(|s| s.deleted_ms.is_some())
                .filter_map(|s| s.versions.last().map(|v| deleted_bundle(&uri, s, v)))
                .collect();
            (
                Response::json(200, &json!({"value": value, "nextLink": null})),
                false,
            )
        }
        ("GET", ["deletedsecrets", _]) => match secrets
            .get(&lower[1].to_string())
            .filter(|s| s.deleted_ms.is_some())
        {
            Some(s) => {
                let latest = s.versions.last().cloned().unwrap_or_default();
                (
                    Response::json(200, &deleted_bundle(&uri, s, &latest)),
                    false,
                )
            }
            None => (
                error(
                    404,
                    "DeletedSecretNotFound",
                    format!("Deleted Secret not found: {}", rest[1]),
                ),
                false,
            ),
        },
        ("DELETE", ["deletedsecrets", _]) => {
            let key = lower[1].to_string();
            if secrets.get(&key).is_some_and(|s| s.deleted_ms.is_some()) {
                secrets.remove(&key);
                (Response::empty(204), true)
            } else {
                (
                    error(
                        404,
                        "DeletedSecretNotFound",
                        format!("Deleted Secret not found: {}", rest[1]),
                    ),
                    false,
                )
            }
        }
        ("POST", ["deletedsecrets", _, "recover"]) => match secrets
            .get_mut(&lower[1].to_string())
            .filter(|s| s.deleted_ms.is_some())
        {
            Some(s) => {
                s.deleted_ms = None;
                let latest = s.versions.last().cloned().unwrap_or_default();
                (Response::json(200, &bundle(&uri, s, &latest, false)), true)
            }
            None => (
                error(
                    404,
                    "DeletedSecretNotFound",
                    format!("Deleted Secret not found: {}", rest[1]),
                ),
                false,
            ),
        },
        _ => (
            error(
                404,
                "NotFound",
                format!(
                    "The key vault operation {} {} is not supported by the simulator.",
                    req.method, req.path
                ),
            ),
            false,
        ),
    }
}
