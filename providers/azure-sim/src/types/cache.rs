//! Microsoft.Cache: Azure Cache for Redis, with its access keys (`listKeys`,
//! `regenerateKey`), host name and ports.

use crate::arm::{Ctx, Put};
use crate::http::{ArmError, ArmResult, Response};
use crate::store::Resource;
use crate::util::{self, at, default, set, str_at};
use serde_json::{json, Value};

pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    let valid = (1..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("--");
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidCacheName",
            format!("The cache name '{name}' is invalid: it must be 1 to 63 letters, digits and single hyphens, starting and ending with a letter or digit."),
        ))
    }
}

const POLICIES: &[&str] = &[
    "volatile-lru",
    "allkeys-lru",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
    "volatile-lfu",
    "allkeys-lfu",
];

pub(crate) fn prepare(_ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    if put.kind != "Microsoft.Cache/redis" {
        return Ok(());
    }
    let check = put.check();
    check.required("properties.sku")?;
    let sku = check
        .one_of("properties.sku.name", &["Basic", "Standard", "Premium"])?
        .ok_or_else(|| {
            check
                .invalid("The required property 'properties.sku.name' is missing from the request.")
        })?;
    let family = check
        .one_of("properties.sku.family", &["C", "P"])?
        .ok_or_else(|| {
            check.invalid(
                "The required property 'properties.sku.family' is missing from the request.",
            )
        })?;
    let (min, max) = if family == "P" { (1, 5) } else { (0, 6) };
    let capacity = check
        .int_in("properties.sku.capacity", min, max)?
        .ok_or_else(|| {
            check.invalid(
                "The required property 'properties.sku.capacity' is missing from the request.",
            )
        })?;
    if (sku == "Premium") != (family == "P") {
        return Err(ArmError::bad_request(
            "InvalidSkuFamily",
            format!("The SKU family '{family}' does not go with the SKU '{sku}': Premium caches are family P, Basic and Standard family C."),
        ));
    }
    if let Some(old) = put.old_at("properties.sku.name").and_then(Value::as_str) {
        if old != "Basic" && sku == "Basic" {
            return Err(ArmError::bad_request(
                "CannotScaleDown",
                format!("A {old} cache cannot be scaled down to Basic."),
            ));
        }
    }
    check.boolean("properties.enableNonSslPort")?;
    let tls = check
        .one_of("properties.minimumTlsVersion", &["1.0", "1.1", "1.2"])?
        .unwrap_or_else(|| "1.2".into());
    let access = check
        .one_of("properties.publicNetworkAccess", &["Enabled", "Disabled"])?
        .unwrap_or_else(|| "Enabled".into());
    let version = match str_at(&put.doc, "properties.redisVersion") {
        None | Some("6") | Some("6.0") | Some("latest") => "6.0",
        Some("4") | Some("4.0") => "4.1.14",
        Some(other) => {
            return Err(check.invalid(format!("The value '{other}' of property 'properties.redisVersion' is not valid. Allowed values are: 4, 6, latest.")))
        }
    };
    for premium_only in ["shardCount", "subnetId", "replicasPerMaster"] {
        if sku != "Premium" && at(&put.doc, &format!("properties.{premium_only}")).is_some() {
            return Err(ArmError::bad_request(
                "FeatureRequiresPremium",
                format!(
                    "The property 'properties.{premium_only}' is only supported by Premium caches."
                ),
            ));
        }
    }
    check.one_of("properties.redisConfiguration.maxmemory-policy", POLICIES)?;
    if let Some(subnet) = str_at(&put.doc, "properties.subnetId") {
        if crate::types::lookup(_ctx.store, subnet).is_none() {
            return Err(crate::types::invalid_reference(subnet, &put.id));
        }
    }
    let max_clients = match (sku.as_str(), capacity) {
        ("Premium", c) => 7500 * c,
        (_, 0) => 256,
        (_, 1) => 1000,
        (_, 2) => 2000,
        (_, 3) => 5000,
        (_, 4) => 10000,
        (_, 5) => 15000,
        _ => 20000,
    };
    set(
        &mut put.doc,
        "properties.sku",
        json!({"name": sku, "family": family, "capacity": capacity}),
    );
    set(&mut put.doc, "properties.minimumTlsVersion", json!(tls));
    set(
        &mut put.doc,
        "properties.publicNetworkAccess",
        json!(access),
    );
    set(&mut put.doc, "properties.redisVersion", json!(version));
    default(&mut put.doc, "properties.enableNonSslPort", json!(false));
    default(&mut put.doc, "properties.redisConfiguration", json!({}));
    for (key, value) in [
        ("maxclients", max_clients.to_string()),
        ("maxmemory-reserved", "30".to_string()),
        ("maxfragmentationmemory-reserved", "30".to_string()),
        ("maxmemory-delta", "30".to_string()),
    ] {
        default(
            &mut put.doc,
            &format!("properties.redisConfiguration.{key}"),
            json!(value),
        );
    }
    let host = format!("{}.redis.cache.windows.net", put.name.to_ascii_lowercase());
    set(&mut put.doc, "properties.hostName", json!(host));
    set(&mut put.doc, "properties.port", json!(6379));
    set(&mut put.doc, "properties.sslPort", json!(6380));
    set(&mut put.doc, "properties.accessKeys", Value::Null);
    set(&mut put.doc, "properties.linkedServers", json!([]));
    set(
        &mut put.doc,
        "properties.instances",
        json!([{"sslPort": 15000, "nonSslPort": 13000, "isMaster": true, "isPrimary": true}]),
    );
    default(&mut put.doc, "properties.updateChannel", json!("Stable"));
    default(
        &mut put.doc,
        "properties.disableAccessKeyAuthentication",
        json!(false),
    );
    if put.private.get("primaryKey").is_none() {
        put.private =
            json!({"primaryKey": util::random_key(32), "secondaryKey": util::random_key(32)});
    }
    Ok(())
}

/// `listKeys` and `regenerateKey`.
pub(crate) fn action(
    ctx: &mut Ctx,
    key: &str,
    resource: &Resource,
    action: &str,
    body: &Value,
) -> Option<ArmResult<Response>> {
    let keys = |r: &Resource| json!({"primaryKey": r.private["primaryKey"], "secondaryKey": r.private["secondaryKey"]});
    match action {
        "listkeys" => Some(Ok(Response::json(200, &keys(resource)))),
        "regeneratekey" => {
            let field = match body["keyType"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("primary") => "primaryKey",
                Some("secondary") => "secondaryKey",
                _ => {
                    return Some(Err(ArmError::bad_request(
                        "InvalidRequestBody",
                        "The property 'keyType' must be Primary or Secondary.",
                    )))
                }
            };
            let stored = ctx.store.resources.get_mut(key)?;
            stored.private[field] = json!(util::random_key(32));
            ctx.mutated = true;
            Some(Ok(Response::json(200, &keys(stored))))
        }
        _ => None,
    }
}
