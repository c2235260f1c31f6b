//! Microsoft.DBforPostgreSQL: flexible servers (public access, or a delegated subnet with a
//! private DNS zone, where the server takes an address and an A record as Azure's does), their
//! databases, firewall rules and server parameters (`configurations`, which exist from the
//! start with their defaults).

use crate::arm::{Ctx, Put, Target};
use crate::http::{ArmError, ArmResult};
use crate::store::Store;
use crate::types::{lookup, made_resource};
use crate::util::{self, at, default, set, str_at};
use serde_json::{json, Value};
use std::net::Ipv4Addr;

const SERVER: &str = "Microsoft.DBforPostgreSQL/flexibleServers";
const DATABASE: &str = "Microsoft.DBforPostgreSQL/flexibleServers/databases";
const FIREWALL: &str = "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules";
const CONFIGURATION: &str = "Microsoft.DBforPostgreSQL/flexibleServers/configurations";

/// Server parameters with their defaults: (name, value, data type, allowed values).
const PARAMETERS: &[(&str, &str, &str, &str)] = &[
    ("require_secure_transport", "on", "Boolean", "on,off"),
    ("max_connections", "859", "Integer", "25-5000"),
    ("azure.extensions", "", "Set", "address_standardizer,amcheck,bloom,btree_gin,btree_gist,citext,cube,dblink,fuzzystrmatch,hstore,intarray,isn,lo,ltree,pg_buffercache,pg_cron,pg_partman,pg_stat_statements,pg_trgm,pgcrypto,plpgsql,postgis,postgres_fdw,tablefunc,unaccent,uuid-ossp,vector"),
    ("shared_preload_libraries", "pg_cron,pg_stat_statements", "Set", "auto_explain,azure_storage,pg_cron,pg_hint_plan,pg_partman_bgw,pg_prewarm,pg_squeeze,pg_stat_statements,pgaudit,pglogical,wal2json"),
    ("log_min_duration_statement", "-1", "Integer", "-1-2147483647"),
    ("log_connections", "on", "Boolean", "on,off"),
    ("log_disconnections", "off", "Boolean", "on,off"),
    ("log_checkpoints", "on", "Boolean", "on,off"),
    ("connection_throttle.enable", "off", "Boolean", "on,off"),
    ("pgbouncer.enabled", "false", "Boolean", "true,false"),
    ("ssl_min_protocol_version", "TLSv1.2", "Enumeration", "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"),
    ("timezone", "UTC", "String", ""),
    ("work_mem", "4096", "Integer", "4096-2097151"),
    ("statement_timeout", "0", "Integer", "0-2147483647"),
    ("idle_in_transaction_session_timeout", "0", "Integer", "0-2147483647"),
    ("backslash_quote", "safe_encoding", "Enumeration", "safe_encoding,on,off"),
    ("max_wal_size", "2048", "Integer", "2-2147483647"),
];

const STORAGE_SIZES: &[i64] = &[32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767];

pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    let valid = (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidServerName",
            format!("The server name '{name}' is invalid: it must be 3 to 63 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen."),
        ))
    }
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    match put.kind.as_str() {
        SERVER => server(ctx.store, put),
        DATABASE => {
            default(&mut put.doc, "properties.charset", json!("UTF8"));
            default(&mut put.doc, "properties.collation", json!("en_US.utf8"));
            Ok(())
        }
        FIREWALL => firewall_rule(put),
        CONFIGURATION => configuration(put),
        _ => Ok(()),
    }
}

fn server(store: &Store, put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let create_mode = check
        .one_of(
            "properties.createMode",
            &[
                "Default",
                "Create",
                "Update",
                "PointInTimeRestore",
                "GeoRestore",
                "Replica",
                "ReviveDropped",
            ],
        )?
        .unwrap_or_else(|| "Default".into());
    let fresh = put.creating() && matches!(create_mode.as_str(), "Default" | "Create");
    let tier = check.one_of(
        "sku.tier",
        &["Burstable", "GeneralPurpose", "MemoryOptimized"],
    )?;
    let sku_name = str_at(&put.doc, "sku.name").map(str::to_string);
    if fresh && (tier.is_none() || sku_name.is_none()) {
        return Err(check.invalid(
            "The required property 'sku' (with 'name' and 'tier') is missing from the request.",
        ));
    }
    if let (Some(tier), Some(name)) = (&tier, &sku_name) {
        let family = match tier.as_str() {
            "Burstable" => "Standard_B",
            "GeneralPurpose" => "Standard_D",
            _ => "Standard_E",
        };
        if !name.starts_with(family) {
            return Err(ArmError::bad_request(
                "InvalidSkuForTier",
                format!("The sku '{name}' is not available in the tier '{tier}' (its SKUs are {family}*)."),
            ));
        }
        set(&mut put.doc, "sku", json!({"name": name, "tier": tier}));
    }
    let version = check
        .one_of(
            "properties.version",
            &["11", "12", "13", "14", "15", "16", "17"],
        )?
        .or_else(|| {
            put.old_at("properties.version")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "16".into());
    let password_auth = check
        .one_of(
            "properties.authConfig.passwordAuth",
            &["Enabled", "Disabled"],
        )?
        .unwrap_or_else(|| "Enabled".into());
    let ad_auth = check
        .one_of(
            "properties.authConfig.activeDirectoryAuth",
            &["Enabled", "Disabled"],
        )?
        .unwrap_or_else(|| "Disabled".into());
    let password = str_at(&put.doc, "properties.administratorLoginPassword").map(str::to_string);
    if fresh && password_auth == "Enabled" {
        let login = check.required_str("properties.administratorLogin")?;
        if [
            "azure_superuser",
            "azure_pg_admin",
            "admin",
            "administrator",
            "root",
            "guest",
            "public",
        ]
        .contains(&login.to_ascii_lowercase().as_str())
            || login.starts_with("pg_")
        {
            return Err(ArmError::bad_request(
                "InvalidAdministratorLogin",
                format!("The administrator login '{login}' is reserved. Choose another name."),
            ));
        }
        let Some(password) = &password else {
            return Err(check.invalid("The required property 'properties.administratorLoginPassword' is missing from the request."));
        };
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if !(8..=128).contains(&password.chars().count())
            || classes.iter().filter(|c| **c).count() < 3
        {
            return Err(ArmError::bad_request(
                "PasswordNotComplex",
                "The password does not meet policy requirements: 8 to 128 characters from three of uppercase letters, lowercase letters, digits and symbols.",
            ));
        }
    }
    let size = at(&put.doc, "properties.storage.storageSizeGB")
        .and_then(Value::as_i64)
        .unwrap_or(128);
    if !STORAGE_SIZES.contains(&size) {
        return Err(check.invalid(format!(
            "The value {size} of property 'properties.storage.storageSizeGB' is not valid. Allowed values are: {}.",
            STORAGE_SIZES.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some(old) = put
        .old_at("properties.storage.storageSizeGB")
        .and_then(Value::as_i64)
    {
        if size < old {
            return Err(ArmError::bad_request(
                "StorageSizeCannotBeDecreased",
                format!("The storage size cannot be decreased (from {old} GB to {size} GB)."),
            ));
        }
    }
    check.one_of("properties.storage.autoGrow", &["Enabled", "Disabled"])?;
    let retention = check
        .int_in("properties.backup.backupRetentionDays", 7, 35)?
        .unwrap_or(7);
    let geo = check
        .one_of(
            "properties.backup.geoRedundantBackup",
            &["Enabled", "Disabled"],
        )?
        .unwrap_or_else(|| "Disabled".into());
    let ha = check
        .one_of(
            "properties.highAvailability.mode",
            &["Disabled", "ZoneRedundant", "SameZone"],
        )?
        .unwrap_or_else(|| "Disabled".into());
    // Networking: a delegated subnet and private DNS zone, or public access.
    let subnet_id =
        str_at(&put.doc, "properties.network.delegatedSubnetResourceId").map(str::to_string);
    let zone_id =
        str_at(&put.doc, "properties.network.privateDnsZoneArmResourceId").map(str::to_string);
    let mut private_address = None;
    if let Some(subnet_id) = &subnet_id {
        let (subnet_key, subnet) = lookup(store, subnet_id)
            .filter(|(_, r)| r.kind == "Microsoft.Network/virtualNetworks/subnets")
            .ok_or_else(|| {
                ArmError::bad_request(
                    "SubnetNotFound",
                    format!("The subnet '{subnet_id}' does not exist."),
                )
            })?;
        let delegated = at(&subnet.doc, "properties.delegations")
            .and_then(Value::as_array)
            .is_some_and(|d| {
                d.iter().any(|x| {
                    x.pointer("/properties/serviceName")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case(SERVER))
                })
            });
        if !delegated {
            return Err(ArmError::bad_request(
                "SubnetNotDelegated",
                format!("The subnet '{subnet_id}' must be delegated to {SERVER} to hold a flexible server."),
            ));
        }
        private_address = Some((subnet_key, subnet.doc.clone()));
    }
    if let Some(zone_id) = &zone_id {
        let (_, zone) = lookup(store, zone_id)
            .filter(|(_, r)| r.kind == "Microsoft.Network/privateDnsZones")
            .ok_or_else(|| {
                ArmError::bad_request(
                    "PrivateDnsZoneNotFound",
                    format!("The private DNS zone '{zone_id}' does not exist."),
                )
            })?;
        if !zone
            .name()
            .to_ascii_lowercase()
            .ends_with(".postgres.database.azure.com")
        {
            return Err(ArmError::bad_request(
                "InvalidPrivateDnsZoneName",
                format!(
                    "The private DNS zone '{}' must end with '.postgres.database.azure.com'.",
                    zone.name()
                ),
            ));
        }
        if subnet_id.is_none() {
            return Err(ArmError::bad_request(
                "PrivateDnsZoneWithoutDelegatedSubnet",
                "A private DNS zone can only be given with a delegated subnet ('properties.network.delegatedSubnetResourceId').",
            ));
        }
    }
    let public_access = if subnet_id.is_some() {
        "Disabled".to_string()
    } else {
        check
            .one_of(
                "properties.network.publicNetworkAccess",
                &["Enabled", "Disabled"],
            )?
            .unwrap_or_else(|| "Enabled".into())
    };
    // The password is kept aside: Azure never returns it.
    if let Some(props) = put.doc.get_mut("properties").and_then(Value::as_object_mut) {
        props.remove("administratorLoginPassword");
        props.remove("createMode");
    }
    match password {
        Some(p) => put.private = json!({"password": p}),
        None if put.private.is_null() => put.private = json!({}),
        None => {}
    }
    let fqdn = format!(
        "{}.postgres.database.azure.com",
        put.name.to_ascii_lowercase()
    );
    set(&mut put.doc, "properties.version", json!(version));
    set(
        &mut put.doc,
        "properties.minorVersion",
        json!(match version.as_str() {
            "17" => "5",
            "16" => "9",
            "15" => "13",
            _ => "18",
        }),
    );
    set(
        &mut put.doc,
        "properties.fullyQualifiedDomainName",
        json!(fqdn),
    );
    set(
        &mut put.doc,
        "properties.authConfig",
        json!({"activeDirectoryAuth": ad_auth, "passwordAuth": password_auth}),
    );
    set(
        &mut put.doc,
        "properties.storage.storageSizeGB",
        json!(size),
    );
    default(
        &mut put.doc,
        "properties.storage.autoGrow",
        json!("Disabled"),
    );
    default(
        &mut put.doc,
        "properties.storage.tier",
        json!(storage_tier(size)),
    );
    default(&mut put.doc, "properties.storage.type", json!(""));
    set(
        &mut put.doc,
        "properties.backup.backupRetentionDays",
        json!(retention),
    );
    set(
        &mut put.doc,
        "properties.backup.geoRedundantBackup",
        json!(geo),
    );
    let earliest = put
        .old_at("properties.backup.earliestRestoreDate")
        .cloned()
        .unwrap_or_else(|| json!(util::timestamp(util::now_ms())));
    set(
        &mut put.doc,
        "properties.backup.earliestRestoreDate",
        earliest,
    );
    set(
        &mut put.doc,
        "properties.highAvailability",
        json!({"mode": ha, "state": if ha == "Disabled" { "NotEnabled" } else { "Healthy" }}),
    );
    set(
        &mut put.doc,
        "properties.network.publicNetworkAccess",
        json!(public_access),
    );
    default(&mut put.doc, "properties.availabilityZone", json!("1"));
    default(
        &mut put.doc,
        "properties.maintenanceWindow",
        json!({"customWindow": "Disabled", "dayOfWeek": 0, "startHour": 0, "startMinute": 0}),
    );
    default(
        &mut put.doc,
        "properties.dataEncryption",
        json!({"type": "SystemManaged"}),
    );
    set(&mut put.doc, "properties.replicationRole", json!("Primary"));
    set(&mut put.doc, "properties.replicaCapacity", json!(5));
    default(
        &mut put.doc,
        "properties.replica",
        json!({"role": "Primary", "capacity": 5}),
    );
    if let Some((subnet_key, subnet_doc)) = private_address {
        let address = free_address(store, &subnet_key, &subnet_doc, &put.key);
        if let Some(address) = address {
            put.ips.push((subnet_key, address.clone(), put.key.clone()));
            if let Some(zone_id) = &zone_id {
                if let Some((zone_key, zone)) = lookup(store, zone_id) {
                    let label = util::digest_hex(&put.id.to_ascii_lowercase(), 12);
                    let record_id = format!("{}/A/{label}", zone.id());
                    let zone_name = zone.name().to_ascii_lowercase();
                    let mut record = made_resource(
                        &record_id,
                        "Microsoft.Network/privateDnsZones/A",
                        json!({"properties": {"ttl": 30, "aRecords": [{"ipv4Address": address}], "fqdn": format!("{label}.{zone_name}."), "isAutoRegistered": false}}),
                        false,
                    );
                    record.owner = Some(put.key.clone());
                    put.staged.push((format!("{zone_key}/a/{label}"), record));
                }
            }
        }
    }
    Ok(())
}

fn storage_tier(size: i64) -> &'static str {
    const TIERS: &[(i64, &str)] = &[
        (32, "P4"),
        (64, "P6"),
        (128, "P10"),
        (256, "P15"),
        (512, "P20"),
        (1024, "P30"),
        (2048, "P40"),
        (4096, "P50"),
        (8192, "P60"),
        (16384, "P70"),
    ];
    TIERS
        .iter()
        .find(|(limit, _)| size <= *limit)
        .map(|(_, tier)| *tier)
        .unwrap_or("P80")
}

/// The owner's address in the subnet, or the first free one after the four Azure keeps.
fn free_address(store: &Store, subnet_key: &str, subnet: &Value, owner: &str) -> Option<String> {
    let used = store.private_ips.get(subnet_key);
    if let Some((ip, _)) = used.and_then(|u| u.iter().find(|(_, o)| *o == owner)) {
        return Some(ip.clone());
    }
    let prefix = str_at(subnet, "properties.addressPrefix")
        .map(str::to_string)
        .or_else(|| {
            util::strings_at(subnet, "properties.addressPrefixes")
                .into_iter()
                .next()
        })
        .and_then(|p| util::Prefix::parse(&p))?;
    (prefix.base.saturating_add(4)..prefix.last())
        .map(|n| Ipv4Addr::from(n).to_string())
        .find(|ip| used.is_none_or(|u| !u.contains_key(ip)))
}

fn firewall_rule(put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let start = check.required_str("properties.startIpAddress")?;
    let end = check.required_str("properties.endIpAddress")?;
    let parse = |field: &str, text: &str| {
        text.parse::<Ipv4Addr>().map_err(|_| {
            check.invalid(format!(
                "The value '{text}' of property 'properties.{field}' is not a valid IPv4 address."
            ))
        })
    };
    let (start, end) = (parse("startIpAddress", start)?, parse("endIpAddress", end)?);
    if u32::from(start) > u32::from(end) {
        return Err(ArmError::bad_request(
            "FirewallRuleStartIpAddressGreaterThanEndIpAddress",
            format!("The firewall rule's start IP address {start} is greater than its end IP address {end}."),
        ));
    }
    Ok(())
}

fn parameter(
    name: &str,
) -> Option<&'static (&'static str, &'static str, &'static str, &'static str)> {
    PARAMETERS.iter().find(|p| p.0.eq_ignore_ascii_case(name))
}

fn configuration(put: &mut Put) -> ArmResult<()> {
    let check = put.check();
    let Some((name, default_value, data_type, allowed)) = parameter(&put.name).copied() else {
        return Err(ArmError::not_found(
            "ConfigurationNotExists",
            format!(
                "The configuration '{}' does not exist for PostgreSQL server version.",
                put.name
            ),
        ));
    };
    let value = at(&put.doc, "properties.value")
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .ok_or_else(|| {
            check.invalid("The required property 'properties.value' is missing from the request.")
        })?;
    if matches!(data_type, "Boolean" | "Enumeration")
        && !allowed.split(',').any(|a| a.eq_ignore_ascii_case(&value))
    {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!("The value '{value}' for configuration '{name}' is not valid. Allowed values: {allowed}."),
        ));
    }
    let source = if value == default_value {
        "system-default"
    } else {
        "user-override"
    };
    put.doc["properties"] = parameter_properties(name, &value, source);
    Ok(())
}

fn parameter_properties(name: &str, value: &str, source: &str) -> Value {
    let (_, default_value, data_type, allowed) =
        parameter(name).copied().unwrap_or(("", "", "String", ""));
    json!({
        "value": value,
        "description": format!("The {name} server parameter."),
        "defaultValue": default_value,
        "dataType": data_type,
        "allowedValues": allowed,
        "source": source,
        "isDynamicConfig": true,
        "isReadOnly": false,
        "isConfigPendingRestart": false,
    })
}

/// A server parameter never written: its default, if the server exists and knows it.
pub(crate) fn default_configuration(store: &Store, target: &Target) -> Option<Value> {
    if target.resolved.kind != CONFIGURATION {
        return None;
    }
    store.get(target.parent_key.as_deref()?)?;
    let (name, value, _, _) = parameter(&target.name).copied()?;
    Some(json!({
        "id": target.id,
        "name": name,
        "type": CONFIGURATION,
        "properties": parameter_properties(name, value, "system-default"),
    }))
}
