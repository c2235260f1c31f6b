//! Small helpers shared by the handlers: JSON paths, clocks and timestamps, random values and
//! IPv4 prefixes.

use base64::Engine;
use serde_json::{Map, Value};
use std::net::Ipv4Addr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (the simulator's clock, kept in the data file).
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// An RFC 3339 timestamp in UTC, as ARM writes them.
pub(crate) fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The value at a dotted path (`properties.sku.name`), if any.
pub(crate) fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

pub(crate) fn str_at<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    at(value, path).and_then(Value::as_str)
}

/// Sets the value at a dotted path, creating objects on the way (replacing non-objects).
pub(crate) fn set(value: &mut Value, path: &str, new: Value) {
    let mut current = value;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else {
            return;
        };
        if keys.peek().is_none() {
            map.insert(key.to_string(), new);
            return;
        }
        current = map
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Sets the value at a dotted path unless one is there already.
pub(crate) fn default(value: &mut Value, path: &str, new: Value) {
    if at(value, path).is_none() {
        set(value, path, new);
    }
}

/// JSON merge patch (RFC 7396): objects merge, null removes, anything else replaces.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Random bytes from the operating system's generator.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    rand::fill(&mut bytes[..]);
    bytes
}

/// A random key in base64, like the access keys Azure hands out (`n` random bytes).
pub(crate) fn random_key(n: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(random_bytes(n))
}

/// Random lower-case hexadecimal of `n` characters.
pub(crate) fn random_hex(n: usize) -> String {
    random_bytes(n.div_ceil(2))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..n]
        .to_string()
}

pub(crate) fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

/// A stable hexadecimal digest of a text (for names Azure derives, like AKS's FQDN suffix).
pub(crate) fn digest_hex(text: &str, n: usize) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..n]
        .to_string()
}

/// An IPv4 prefix (`10.0.1.0/24`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub base: u32,
    pub len: u8,
}

impl Prefix {
    /// Parses `a.b.c.d/n`; host bits must be zero, as Azure requires.
    pub fn parse(text: &str) -> Option<Prefix> {
        let (addr, len) = text.trim().split_once('/')?;
        let addr: Ipv4Addr = addr.parse().ok()?;
        let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
        let base = u32::from(addr);
        let prefix = Prefix { base, len };
        (base & !prefix.mask() == 0).then_some(prefix)
    }

    fn mask(&self) -> u32 {
        if self.len == 0 {
            0
        } else {
            u32::MAX << (32 - self.len)
        }
    }

    pub fn last(&self) -> u32 {
        self.base | !self.mask()
    }

    pub fn contains_prefix(&self, other: &Prefix) -> bool {
        other.len >= self.len && other.base & self.mask() == self.base
    }

    pub fn overlaps(&self, other: &Prefix) -> bool {
        self.base <= other.last() && other.base <= self.last()
    }

    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & self.mask() == self.base
    }
}

/// Whether a text is an IPv6 prefix (accepted as given; the simulator allocates IPv4 only).
pub(crate) fn is_ipv6_prefix(text: &str) -> bool {
    text.split_once('/').is_some_and(|(addr, len)| {
        addr.parse::<std::net::Ipv6Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 128)
    })
}

/// The strings of a JSON array at a path (empty when absent).
pub(crate) fn strings_at(value: &Value, path: &str) -> Vec<String> {
    at(value, path)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_get_set_and_remove() {
        let mut v = json!({"properties": {"sku": {"name": "Basic"}}});
        assert_eq!(str_at(&v, "properties.sku.name"), Some("Basic"));
        set(&mut v, "properties.a.b", json!(1));
        assert_eq!(at(&v, "properties.a.b"), Some(&json!(1)));
        default(&mut v, "properties.a.b", json!(2));
        assert_eq!(at(&v, "properties.a.b"), Some(&json!(1)));
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut v = json!({"tags": {"a": "1"}, "properties": {"x": 1, "y": 2}});
        merge_patch(
            &mut v,
            &json!({"tags": {"b": "2"}, "properties": {"x": null}}),
        );
        assert_eq!(
            v,
            json!({"tags": {"a": "1", "b": "2"}, "properties": {"y": 2}})
        );
    }

    #[test]
    fn prefixes() {
        let vnet = Prefix::parse("10.0.0.0/16").unwrap();
        let subnet = Prefix::parse("10.0.1.0/24").unwrap();
        assert!(vnet.contains_prefix(&subnet));
        assert!(!subnet.contains_prefix(&vnet));
        assert!(subnet.overlaps(&Prefix::parse("10.0.1.128/25").unwrap()));
        assert!(!subnet.overlaps(&Prefix::parse("10.0.2.0/24").unwrap()));
        assert_eq!(Prefix::parse("10.0.1.1/24"), None);
        assert_eq!(Prefix::parse("nope"), None);
        assert_eq!(subnet.last(), u32::from(Ipv4Addr::new(10, 0, 1, 255)));
    }
}
