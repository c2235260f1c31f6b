//! Public DNS: `azurerm_dns_zone` (its name servers and record-set counts, and its SOA
//! record kept as the zone's `soa_record` block) and the `A`, `CNAME` and `TXT` record sets
//! (records or an alias to an Azure resource), with azurerm v4's schemas, defaults,
//! force-new rules, import IDs and state upgrades. The SOA handling is shared with private
//! DNS zones, whose record sets spell the same fields differently.

use super::vpn::{elements, is_set};
use crate::framework::common::{name, resource_group_name, tags};
use crate::framework::flow::{self, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, json_set};
use crate::framework::schema::{
    block, block_def, map_of_strings, number, set_of_strings, string, Codec, Nested,
};
use crate::framework::{
    attribute, error, string_attribute, Change, Ctx, ResourceDef, ResourceType, Timeouts, Update,
};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::{Type, Value};

/// The api-version azurerm v4 manages public DNS with.
const API_VERSION: &str = "2018-05-01";

pub const DNS_ZONE_ID: IdTemplate = IdTemplate::new(
    "DNS Zone",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/dnsZones/{name}",
);
pub const A_RECORD_ID: IdTemplate = IdTemplate::new(
    "A Record",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/dnsZones/{zone_name}/A/{name}",
);
pub const CNAME_RECORD_ID: IdTemplate = IdTemplate::new(
    "CNAME Record",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/dnsZones/{zone_name}/CNAME/{name}",
);
pub const TXT_RECORD_ID: IdTemplate = IdTemplate::new(
    "TXT Record",
    "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/dnsZones/{zone_name}/TXT/{name}",
);

/// The record types of public DNS, as their IDs spell them.
const RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT",
];

/// The alias targets azurerm rewrites in their canonical casing when reading a CNAME record.
const ALIAS_TARGETS: &[IdTemplate] = &[
    IdTemplate::new(
        "Traffic Manager Azure Endpoint",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/trafficManagerProfiles/{profile}/AzureEndpoints/{name}",
    ),
    IdTemplate::new(
        "Traffic Manager External Endpoint",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/trafficManagerProfiles/{profile}/ExternalEndpoints/{name}",
    ),
    IdTemplate::new(
        "Traffic Manager Nested Endpoint",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/trafficManagerProfiles/{profile}/NestedEndpoints/{name}",
    ),
    IdTemplate::new(
        "CDN Endpoint",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Cdn/profiles/{profile}/endpoints/{name}",
    ),
    IdTemplate::new(
        "Front Door Frontend Endpoint",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/frontDoors/{profile}/frontendEndpoints/{name}",
    ),
];

/// An ID in the canonical casing of `template` (as it is when it is not of that shape).
pub(super) fn canonical_id(template: &IdTemplate, id: &str) -> Option<String> {
    let values = template.parse(id, true).ok()?;
    template.build(&|name| values.get(name).cloned()).ok()
}

/// A DNS record set ID (`.../dnsZones/{zone}/{TYPE}/{name}`) in canonical casing.
fn canonical_record_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.trim_start_matches('/').split('/').collect();
    let [s, subscription, g, group, p, namespace, z, zone, record_type, name] = parts.as_slice()
    else {
        return None;
    };
    let fixed = [
        (s, "subscriptions"),
        (g, "resourceGroups"),
        (p, "providers"),
        (namespace, "Microsoft.Network"),
        (z, "dnsZones"),
    ];
    if !fixed
        .iter()
        .all(|(part, want)| part.eq_ignore_ascii_case(want))
    {
        return None;
    }
    let record_type = RECORD_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(record_type))?;
    Some(format!(
        "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnsZones/{zone}/{record_type}/{name}"
    ))
}

/// A CNAME alias target in the casing azurerm stores.
fn canonical_alias_target(id: &str) -> String {
    canonical_record_id(id)
        .or_else(|| ALIAS_TARGETS.iter().find_map(|t| canonical_id(t, id)))
        .unwrap_or_else(|| id.to_string())
}

/// Brings a stored state whose ID was written in another casing (older schema versions)
/// to the current version, as azurerm's state upgraders do.
fn upgrade_id(
    template: &IdTemplate,
    version: u64,
    current: u64,
    mut raw: Json,
) -> Result<Json, String> {
    if version > current {
        return Err(format!(
            "no state upgrade from schema version {version} (the newest is {current})"
        ));
    }
    if version < current {
        let old = raw.get("id").and_then(Json::as_str).unwrap_or_default();
        let values = template.parse(old, true)?;
        let new = template.build(&|name| values.get(name).cloned())?;
        raw["id"] = json!(new);
    }
    Ok(raw)
}

// ---------------------------------------------------------------------------------------
// SOA records, of public and private zones.

/// How a zone's SOA record set spells its fields in ARM.
pub(super) struct SoaFields {
    pub ttl: &'static str,
    pub record: &'static str,
    pub minimum_ttl: &'static str,
    /// The default `minimum_ttl` of the `soa_record` block.
    pub default_minimum_ttl: i64,
    /// Whether `serial_number` may be configured (public zones) or is only read (private).
    pub serial_configurable: bool,
    pub api_version: &'static str,
}

pub(super) const PUBLIC_SOA: SoaFields = SoaFields {
    ttl: "TTL",
    record: "SOARecord",
    minimum_ttl: "minimumTTL",
    default_minimum_ttl: 300,
    serial_configurable: true,
    api_version: API_VERSION,
};

/// The `soa_record` block of zones (optional and computed: without it, what Azure made).
pub(super) fn soa_record_block(fields: &SoaFields) -> Nested {
    let serial = if fields.serial_configurable {
        number("serial_number").optional().default(1)
    } else {
        number("serial_number").computed()
    };
    block(
        "soa_record",
        block_def(
            vec![
                string("email").required(),
                number("expire_time").optional().default(2419200),
                number("minimum_ttl")
                    .optional()
                    .default(fields.default_minimum_ttl),
                number("refresh_time").optional().default(3600),
                number("retry_time").optional().default(300),
                serial,
                number("ttl").optional().default(3600),
                tags(),
                string("fqdn").computed(),
                string("host_name").computed(),
            ],
            vec![],
        ),
    )
    .max(1)
    .computed()
}

/// Writes a zone's SOA record from its `soa_record` block, keeping the host Azure chose.
pub(super) async fn write_soa(
    ctx: &Ctx<'_>,
    fields: &SoaFields,
    zone_id: &str,
    zone_name: &str,
    soa: &Value,
    wait: Duration,
) -> Result<(), Diagnostics> {
    let soa_id = format!("{zone_id}/SOA/@");
    let existing = ctx
        .client
        .get(&soa_id, fields.api_version)
        .await
        .map_err(|e| e.diagnostics("retrieving", &soa_id))?;
    let host = existing
        .as_ref()
        .and_then(|r| json_get(r, &format!("properties.{}.host", fields.record)))
        .cloned()
        .ok_or_else(|| {
            error(
                "Unable to update the SOA record",
                format!("could not read SOA properties for {zone_id}"),
            )
        })?;
    let email = string_attribute(soa, "email").unwrap_or_default();
    if zone_name.len() + email.trim_end_matches('.').len() > 253 {
        return Err(error(
            "Invalid SOA record",
            "`email` which is concatenated with DNS Zone `name` cannot exceed 253 characters excluding a trailing period",
        ));
    }
    let int = |name: &str| {
        attribute(soa, name)
            .as_number()
            .and_then(|n| n.to_i64())
            .unwrap_or(0)
    };
    let mut record = json!({
        "email": email,
        "expireTime": int("expire_time"),
        "refreshTime": int("refresh_time"),
        "retryTime": int("retry_time"),
        "host": host,
    });
    record[fields.minimum_ttl] = json!(int("minimum_ttl"));
    if fields.serial_configurable {
        record["serialNumber"] = json!(int("serial_number"));
    }
    let metadata = attribute(soa, "tags");
    let metadata = metadata
        .as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), json!(v.as_str().unwrap_or_default())))
                .collect::<serde_json::Map<_, _>>()
        })
        .unwrap_or_default();
    let mut properties = json!({ "metadata": metadata });
    properties[fields.ttl] = json!(int("ttl"));
    properties[fields.record] = record;
    ctx.client
        .put(
            &soa_id,
            fields.api_version,
            &[],
            &json!({ "properties": properties }),
            wait,
        )
        .await
        .map(drop)
        .map_err(|e| e.diagnostics("updating", &soa_id))
}

/// The `soa_record` block read from a zone's SOA record set.
pub(super) async fn read_soa(
    ctx: &Ctx<'_>,
    fields: &SoaFields,
    zone_id: &str,
    block: &Nested,
) -> Result<Value, Diagnostics> {
    let soa_id = format!("{zone_id}/SOA/@");
    let record = ctx
        .client
        .get(&soa_id, fields.api_version)
        .await
        .map_err(|e| e.diagnostics("retrieving", &soa_id))?;
    let ty = block.block.value_type();
    let Some(record) = record else {
        return Ok(Value::list(ty, vec![]));
    };
    let empty = json!({});
    let properties = record.get("properties").unwrap_or(&empty);
    let soa = properties.get(fields.record).unwrap_or(&empty);
    let int = |json: Option<&Json>| Value::int(json.and_then(Json::as_i64).unwrap_or(0));
    let text = |json: Option<&Json>| Value::string(json.and_then(Json::as_str).unwrap_or_default());
    let metadata: BTreeMap<String, Value> = properties
        .get("metadata")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::string(v.as_str().unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    let attrs: BTreeMap<String, Value> = [
        ("email", text(soa.get("email"))),
        ("host_name", text(soa.get("host"))),
        ("expire_time", int(soa.get("expireTime"))),
        ("minimum_ttl", int(soa.get(fields.minimum_ttl))),
        ("refresh_time", int(soa.get("refreshTime"))),
        ("retry_time", int(soa.get("retryTime"))),
        ("serial_number", int(soa.get("serialNumber"))),
        ("ttl", int(properties.get(fields.ttl))),
        ("tags", Value::map(Type::String, metadata)),
        ("fqdn", text(properties.get("fqdn"))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Ok(Value::list(ty, vec![Value::object(attrs)]))
}

/// A state with its `soa_record` replaced.
pub(super) fn with_soa(state: Value, soa: Value) -> Value {
    let mut attrs = state.as_mapping().cloned().unwrap_or_default();
    attrs.insert("soa_record".into(), soa);
    Value::object(attrs)
}

// ---------------------------------------------------------------------------------------
// azurerm_dns_zone

/// `azurerm_dns_zone`.
pub struct DnsZone {
    def: ResourceDef,
    soa: Nested,
}

impl DnsZone {
    pub fn new() -> DnsZone {
        let soa = soa_record_block(&PUBLIC_SOA);
        DnsZone {
            soa: soa.clone(),
            def: ResourceDef {
                name: "azurerm_dns_zone",
                schema_version: 2,
                block: block_def(
                    vec![
                        name(),
                        resource_group_name(),
                        number("number_of_record_sets")
                            .computed()
                            .arm("properties.numberOfRecordSets"),
                        number("max_number_of_record_sets")
                            .computed()
                            .arm("properties.maxNumberOfRecordSets"),
                        set_of_strings("name_servers")
                            .computed()
                            .arm("properties.nameServers"),
                        tags(),
                    ],
                    vec![soa],
                ),
                api_version: API_VERSION,
                id: DNS_ZONE_ID,
                timeouts: Timeouts::standard(),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// Writes the SOA record when the plan has one, then reads it into the state.
    async fn with_soa_written(
        &self,
        ctx: &Ctx<'_>,
        state: Value,
        soa: Option<Value>,
        wait: Duration,
    ) -> Result<Value, Diagnostics> {
        let (id, values) = flow::stored_id(self, &state)?;
        if let Some(soa) = soa {
            let zone = values.get("name").cloned().unwrap_or_default();
            write_soa(ctx, &PUBLIC_SOA, &id, &zone, &soa, wait).await?;
        }
        let soa = read_soa(ctx, &PUBLIC_SOA, &id, &self.soa).await?;
        Ok(with_soa(state, soa))
    }
}

#[async_trait::async_trait]
impl ResourceType for DnsZone {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        json_set(body, "location", json!("global"));
        if change.creating() && json_get(body, "tags").is_none() {
            json_set(body, "tags", json!({}));
        }
        Ok(())
    }

    fn upgrade_state(&self, version: u64, raw: Json) -> Result<Json, String> {
        upgrade_id(&DNS_ZONE_ID, version, self.def.schema_version, raw)
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let state = flow::create(self, ctx, planned).await?;
        let soa = elements(&attribute(planned, "soa_record")).first().cloned();
        let wait = timeout(planned, "create", self.def.timeouts.create);
        self.with_soa_written(ctx, state, soa, wait).await
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Diagnostics> {
        let state = flow::update(self, ctx, prior, planned).await?;
        let changed = !attribute(prior, "soa_record").raw_equal(&attribute(planned, "soa_record"));
        let soa = elements(&attribute(planned, "soa_record"))
            .first()
            .cloned()
            .filter(|_| changed);
        let wait = timeout(
            planned,
            "update",
            self.def.timeouts.update.unwrap_or(self.def.timeouts.create),
        );
        self.with_soa_written(ctx, state, soa, wait).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let Some(fresh) = flow::read(self, ctx, state).await? else {
            return Ok(None);
        };
        let (id, _) = flow::stored_id(self, &fresh)?;
        let soa = read_soa(ctx, &PUBLIC_SOA, &id, &self.soa).await?;
        Ok(Some(with_soa(fresh, soa)))
    }
}

// ---------------------------------------------------------------------------------------
// Record sets

/// The arguments every record set has: `name`, `resource_group_name`, `zone_name`, `ttl`,
/// the computed `fqdn`, and `tags` (kept as the record set's metadata).
fn record_def(
    type_name: &'static str,
    id: IdTemplate,
    mut attrs: Vec<crate::framework::schema::Attr>,
    blocks: Vec<Nested>,
) -> ResourceDef {
    let mut all = vec![
        name(),
        resource_group_name(),
        string("zone_name").required().force_new(),
        number("ttl").required().arm("properties.TTL"),
        string("fqdn").computed().arm("properties.fqdn"),
        map_of_strings("tags").optional().arm("properties.metadata"),
    ];
    all.append(&mut attrs);
    ResourceDef {
        name: type_name,
        schema_version: 1,
        block: block_def(all, blocks),
        api_version: API_VERSION,
        id,
        timeouts: Timeouts::standard(),
        update: Update::PutExisting,
        put_query: &[],
    }
}

/// `azurerm_dns_a_record`.
pub struct DnsARecord {
    def: ResourceDef,
}

impl DnsARecord {
    pub fn new() -> DnsARecord {
        DnsARecord {
            def: record_def(
                "azurerm_dns_a_record",
                A_RECORD_ID,
                vec![
                    set_of_strings("records")
                        .optional()
                        .arm("properties.ARecords")
                        .codec(Codec::Wrapped("ipv4Address")),
                    string("target_resource_id")
                        .optional()
                        .arm("properties.targetResource.id"),
                ],
                vec![],
            ),
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for DnsARecord {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let records = attribute(config, "records");
        let records_set = !records.is_known() || (!records.is_null() && !records.is_empty());
        if records_set && is_set(&attribute(config, "target_resource_id")) {
            return error(
                "Conflicting configuration arguments",
                "\"records\": conflicts with target_resource_id",
            );
        }
        Diagnostics::new()
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        let records = change.get("records");
        let no_records = records.is_known() && (records.is_null() || records.is_empty());
        if no_records && string_attribute(change.planned, "target_resource_id").is_none() {
            return Err(error(
                "Invalid A record",
                "one of either `records` or `target_resource_id` must be specified",
            ));
        }
        if json_get(body, "properties.ARecords").is_none() {
            json_set(body, "properties.ARecords", json!([]));
        }
        if json_get(body, "properties.targetResource").is_none() {
            json_set(body, "properties.targetResource", json!({}));
        }
        Ok(())
    }

    fn upgrade_state(&self, version: u64, raw: Json) -> Result<Json, String> {
        upgrade_id(&A_RECORD_ID, version, self.def.schema_version, raw)
    }
}

/// `azurerm_dns_cname_record`.
pub struct DnsCnameRecord {
    def: ResourceDef,
}

impl DnsCnameRecord {
    pub fn new() -> DnsCnameRecord {
        DnsCnameRecord {
            def: record_def(
                "azurerm_dns_cname_record",
                CNAME_RECORD_ID,
                vec![
                    string("record")
                        .optional()
                        .arm("properties.CNAMERecord.cname"),
                    string("target_resource_id")
                        .optional()
                        .arm("properties.targetResource.id")
                        .codec(Codec::Custom {
                            expand: |v| v.as_str().map(|s| json!(s)),
                            flatten: |json, _| {
                                Value::string(
                                    json.and_then(Json::as_str)
                                        .map(canonical_alias_target)
                                        .unwrap_or_default(),
                                )
                            },
                        }),
                ],
                vec![],
            ),
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for DnsCnameRecord {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        if is_set(&attribute(config, "record")) == is_set(&attribute(config, "target_resource_id"))
        {
            return error(
                "Invalid combination of arguments",
                "exactly one of `record,target_resource_id` must be specified",
            );
        }
        Diagnostics::new()
    }

    fn expand(&self, _change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        for path in ["properties.CNAMERecord", "properties.targetResource"] {
            if json_get(body, path).is_none() {
                json_set(body, path, json!({}));
            }
        }
        Ok(())
    }

    fn upgrade_state(&self, version: u64, raw: Json) -> Result<Json, String> {
        upgrade_id(&CNAME_RECORD_ID, version, self.def.schema_version, raw)
    }
}

/// The longest string of one TXT record value; longer values are split, as azurerm does.
const TXT_SEGMENT: usize = 254;

/// A TXT value split into ARM's strings of at most [`TXT_SEGMENT`] bytes (on character
/// boundaries).
fn txt_segments(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in value.chars() {
        if current.len() + c.len_utf8() > TXT_SEGMENT {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    out.push(current);
    out
}

/// `azurerm_dns_txt_record`.
pub struct DnsTxtRecord {
    def: ResourceDef,
}

impl DnsTxtRecord {
    pub fn new() -> DnsTxtRecord {
        DnsTxtRecord {
            def: record_def(
                "azurerm_dns_txt_record",
                TXT_RECORD_ID,
                vec![],
                vec![block(
                    "record",
                    block_def(vec![string("value").required()], vec![]),
                )
                .set()
                .min(1)],
            ),
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for DnsTxtRecord {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        for record in elements(&attribute(config, "record")) {
            if let Some(value) = attribute(&record, "value").as_str() {
                if value.is_empty() || value.len() > 4096 {
                    return error(
                        "Invalid value",
                        format!(
                            "expected length of record.value to be in the range (1 - 4096), got {}",
                            value.len()
                        ),
                    );
                }
            }
        }
        Diagnostics::new()
    }

    fn expand(&self, change: &Change<'_>, body: &mut Json) -> Result<(), Diagnostics> {
        if change.changed("record") {
            let records: Vec<Json> = elements(&change.get("record"))
                .iter()
                .map(|r| {
                    let value = string_attribute(r, "value").unwrap_or_default();
                    json!({ "value": txt_segments(&value) })
                })
                .collect();
            json_set(body, "properties.TXTRecords", Json::Array(records));
        }
        Ok(())
    }

    fn flatten(&self, body: &Json, state: &mut BTreeMap<String, Value>) {
        let ty = self
            .def
            .block
            .nested("record")
            .map(|n| n.block.value_type())
            .unwrap_or(Type::Dynamic);
        let records = json_get(body, "properties.TXTRecords")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|r| {
                let value: String = r
                    .get("value")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .collect();
                Value::object([("value".to_string(), Value::string(value))].into())
            })
            .collect();
        state.insert("record".into(), Value::set(ty, records));
    }

    fn upgrade_state(&self, version: u64, raw: Json) -> Result<Json, String> {
        upgrade_id(&TXT_RECORD_ID, version, self.def.schema_version, raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_values_split_into_segments() {
        let long = "v".repeat(600);
        let segments = txt_segments(&long);
        assert_eq!(
            segments.iter().map(String::len).collect::<Vec<_>>(),
            [254, 254, 92]
        );
        assert_eq!(segments.concat(), long);
        assert_eq!(txt_segments("short"), ["short"]);
        let accented = "é".repeat(200);
        assert!(txt_segments(&accented)
            .iter()
            .all(|s| s.len() <= TXT_SEGMENT));
        assert_eq!(txt_segments(&accented).concat(), accented);
    }

    #[test]
    fn alias_targets_in_canonical_casing() {
        assert_eq!(
            canonical_alias_target(
                "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Network/dnszones/example.com/a/www"
            ),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnsZones/example.com/A/www"
        );
        assert_eq!(
            canonical_alias_target(
                "/subscriptions/s/resourceGroups/rg/providers/microsoft.cdn/profiles/p/Endpoints/e"
            ),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/p/endpoints/e"
        );
        let public_ip =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip";
        assert_eq!(canonical_alias_target(public_ip), public_ip);
    }

    #[test]
    fn older_states_get_canonical_ids() {
        let raw = json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnszones/example.com"});
        let upgraded = upgrade_id(&DNS_ZONE_ID, 1, 2, raw).unwrap();
        assert_eq!(
            upgraded["id"],
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnsZones/example.com"
        );
        assert!(upgrade_id(&DNS_ZONE_ID, 3, 2, json!({})).is_err());
        let current = json!({"id": "anything"});
        assert_eq!(
            upgrade_id(&DNS_ZONE_ID, 2, 2, current.clone()).unwrap(),
            current
        );
    }
}
