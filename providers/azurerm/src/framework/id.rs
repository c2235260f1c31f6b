//! ARM resource IDs of one shape, written as templates whose placeholders name resource
//! attributes: `/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/
//! Microsoft.Network/virtualNetworks/{name}`. A template builds an object's ID from its
//! attributes and parses IDs back into them, strictly for import (as azurerm validates import
//! IDs) or ignoring the case of the fixed segments when reading IDs ARM returned.

use std::collections::BTreeMap;

/// The placeholder every template fills from the provider's subscription.
pub const SUBSCRIPTION: &str = "subscription_id";

/// One ID shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdTemplate {
    /// A readable name for messages ("Virtual Network").
    pub kind: &'static str,
    pub template: &'static str,
}

#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    Fixed(&'a str),
    Value(&'a str),
}

impl IdTemplate {
    pub const fn new(kind: &'static str, template: &'static str) -> IdTemplate {
        IdTemplate { kind, template }
    }

    fn segments(&self) -> Vec<Segment<'static>> {
        self.template
            .trim_start_matches('/')
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Value(name),
                    None => Segment::Fixed(s),
                },
            )
            .collect()
    }

    /// The ID of the values given (every placeholder must have a non-empty value).
    pub fn build(&self, value: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut id = String::new();
        for segment in self.segments() {
            id.push('/');
            match segment {
                Segment::Fixed(s) => id.push_str(s),
                Segment::Value(name) => match value(name) {
                    Some(v) if !v.is_empty() => id.push_str(&v),
                    _ => return Err(format!("the {} ID needs a value for {name:?}", self.kind)),
                },
            }
        }
        Ok(id)
    }

    /// The values of an ID of this shape. The fixed segments must match exactly unless
    /// `insensitively`.
    pub fn parse(&self, id: &str, insensitively: bool) -> Result<BTreeMap<String, String>, String> {
        let parts: Vec<&str> = id.trim_start_matches('/').split('/').collect();
        let segments = self.segments();
        let fail = |why: String| {
            format!(
                "parsing {id:?} as a {} ID (expected the shape {:?}): {why}",
                self.kind, self.template
            )
        };
        if !id.starts_with('/') {
            return Err(fail("an ID starts with \"/\"".into()));
        }
        if parts.len() != segments.len() {
            return Err(fail(format!(
                "it has {} segments, the shape {}",
                parts.len(),
                segments.len()
            )));
        }
        let mut values = BTreeMap::new();
        for (i, (part, segment)) in parts.iter().zip(&segments).enumerate() {
            match segment {
                Segment::Fixed(expected) => {
                    let same = if insensitively {
                        part.eq_ignore_ascii_case(expected)
                    } else {
                        part == expected
                    };
                    if !same {
                        return Err(fail(format!(
                            "the segment at position {i} should be {expected:?}, not {part:?}"
                        )));
                    }
                }
                Segment::Value(name) => {
                    if part.is_empty() {
                        return Err(fail(format!("the value for {name:?} is empty")));
                    }
                    values.insert(name.to_string(), part.to_string());
                }
            }
        }
        Ok(values)
    }
}

/// Splits a composite ID of two ARM IDs joined by `|`, as azurerm's association resources
/// use.
pub fn split_composite(id: &str) -> Result<(&str, &str), String> {
    match id.split_once('|') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains('|') => Ok((a, b)),
        _ => Err(format!(
            "parsing {id:?}: expected two resource IDs separated by \"|\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VNET: IdTemplate = IdTemplate::new(
        "Virtual Network",
        "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Network/virtualNetworks/{name}",
    );

    #[test]
    fn builds_and_parses() {
        let id = VNET
            .build(&|n| {
                Some(match n {
                    "subscription_id" => "s".into(),
                    "resource_group_name" => "rg".into(),
                    _ => "net".into(),
                })
            })
            .unwrap();
        assert_eq!(
            id,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/net"
        );
        let values = VNET.parse(&id, false).unwrap();
        assert_eq!(values["resource_group_name"], "rg");
        assert_eq!(values["name"], "net");
    }

    #[test]
    fn strict_and_insensitive() {
        let lower =
            "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/net";
        let e = VNET.parse(lower, false).unwrap_err();
        assert!(e.contains("\"resourceGroups\""), "{e}");
        assert!(VNET.parse(lower, true).is_ok());
        assert!(VNET
            .parse("/subscriptions/s/resourceGroups/rg", false)
            .is_err());
        assert!(VNET
            .parse(
                "subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/net",
                false
            )
            .is_err());
        assert!(VNET.build(&|_| None).is_err());
    }

    #[test]
    fn composite() {
        assert_eq!(split_composite("/a|/b").unwrap(), ("/a", "/b"));
        assert!(split_composite("/a").is_err());
        assert!(split_composite("/a|/b|/c").is_err());
    }
}
