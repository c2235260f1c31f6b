//! One resource instance in the HCL-like form `terraform state show` prints: attributes
//! sorted and aligned, nested blocks as blocks, JSON strings as `jsonencode(...)`,
//! multi-line strings as heredocs, sensitive values as `(sensitive value)`.
//!
//! Terraform 1.0 writes `(sensitive value)` for attributes the schema declares sensitive
//! and `(sensitive)` for values marked in `sensitive_attributes`; terrane records schema
//! sensitivity in `sensitive_attributes` too, so it shows both as `(sensitive value)`, as
//! later Terraform versions do.
//!
//! Terraform reads the provider's schema to tell nested blocks from attributes and maps
//! from objects. A caller that has the schema passes its shape; without one the shape is
//! inferred from the stored JSON: a non-empty list of objects is taken for a nested block
//! and every other object for a map.

use crate::address::{go_quote, InstanceAddr, Mode};
use crate::Instance;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The shape of a block as a provider schema describes it, as far as display needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockShape {
    pub attributes: BTreeMap<String, AttributeShape>,
    pub blocks: BTreeMap<String, NestedBlockShape>,
}

/// An attribute: its type in Terraform's JSON type notation (`"string"`,
/// `["map","string"]`, `["object",{...}]`; `null` when unknown) and whether the schema
/// marks it sensitive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeShape {
    pub ty: Json,
    pub sensitive: bool,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlockShape {
    pub nesting: Nesting,
    pub block: BlockShape,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    Group,
    List,
    Set,
    Map,
}

impl BlockShape {
    /// A shape guessed from stored attributes when the schema is not at hand.
    pub fn infer(attributes: &Json) -> BlockShape {
        let mut shape = BlockShape::default();
        let Some(object) = attributes.as_object() else {
            return shape;
        };
        for (name, value) in object {
            match value.as_array() {
                Some(items) if !items.is_empty() && items.iter().all(Json::is_object) => {
                    let mut merged = serde_json::Map::new();
                    for item in items.iter().filter_map(Json::as_object) {
                        for (k, v) in item {
                            let slot = merged.entry(k.clone()).or_insert(Json::Null);
                            if slot.is_null() {
                                *slot = v.clone();
                            }
                        }
                    }
                    shape.blocks.insert(
                        name.clone(),
                        NestedBlockShape {
                            nesting: Nesting::List,
                            block: BlockShape::infer(&Json::Object(merged)),
                        },
                    );
                }
                _ => {
                    shape
                        .attributes
                        .insert(name.clone(), AttributeShape::default());
                }
            }
        }
        shape
    }
}

/// A step of a path into an object, as `sensitive_attributes` records them.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Attr(String),
    Index(Json),
}

fn same_step(a: &Step, b: &Step) -> bool {
    match (a, b) {
        (Step::Attr(x), Step::Attr(y)) => x == y,
        (Step::Index(Json::Number(x)), Step::Index(Json::Number(y))) => x.as_f64() == y.as_f64(),
        (Step::Index(x), Step::Index(y)) => x == y,
        _ => false,
    }
}

fn parse_marks(paths: &[Json]) -> Vec<Vec<Step>> {
    paths
        .iter()
        .filter_map(|p| {
            p.as_array()?
                .iter()
                .map(|step| match step.get("type")?.as_str()? {
                    "get_attr" => Some(Step::Attr(step.get("value")?.as_str()?.to_string())),
                    "index" => Some(Step::Index(step.get("value")?.get("value")?.clone())),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

struct Printer {
    out: String,
    marks: Vec<Vec<Step>>,
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

impl Printer {
    /// Whether the value at `path` is sensitive (itself or something containing it).
    fn is_marked(&self, path: Option<&[Step]>) -> bool {
        let Some(path) = path else { return false };
        self.marks
            .iter()
            .any(|m| m.len() <= path.len() && m.iter().zip(path).all(|(a, b)| same_step(a, b)))
    }

    /// Whether anything at or below `path` is sensitive.
    fn contains_marked(&self, path: &[Step]) -> bool {
        self.marks.iter().any(|m| {
            let n = m.len().min(path.len());
            m[..n].iter().zip(&path[..n]).all(|(a, b)| same_step(a, b))
        })
    }

    fn block_body(
        &mut self,
        shape: &BlockShape,
        value: &Json,
        indent: usize,
        path: &[Step],
    ) -> bool {
        let keep_empty_strings = self.contains_marked(path);
        let attr_value = |name: &str| -> Json {
            match value.get(name) {
                Some(Json::String(s)) if s.is_empty() && !keep_empty_strings => Json::Null,
                Some(v) => v.clone(),
                None => Json::Null,
            }
        };
        let names: Vec<&String> = shape
            .attributes
            .keys()
            .filter(|n| !attr_value(n).is_null())
            .collect();
        let name_len = names.iter().map(|n| n.len()).max().unwrap_or(0);
        let mut written = !names.is_empty();
        for name in &names {
            let attr = &shape.attributes[*name];
            let mut attr_path = path.to_vec();
            attr_path.push(Step::Attr((*name).clone()));
            self.out.push('\n');
            self.out.push_str(&spaces(indent + 2));
            self.out.push_str(name);
            self.out.push_str(&spaces(name_len - name.len()));
            self.out.push_str(" = ");
            if attr.sensitive {
                self.out.push_str("(sensitive value)");
            } else {
                self.value(&attr_value(name), &attr.ty, indent + 2, Some(&attr_path));
            }
        }
        let mut blank_before = written;
        for (name, nested) in &shape.blocks {
            written = true;
            let mut block_path = path.to_vec();
            block_path.push(Step::Attr(name.clone()));
            let v = value.get(name).cloned().unwrap_or(Json::Null);
            self.nested_blocks(name, nested, &v, blank_before, indent, &block_path);
            blank_before = true;
        }
        written
    }

    fn nested_blocks(
        &mut self,
        name: &str,
        shape: &NestedBlockShape,
        value: &Json,
        blank_before: bool,
        indent: usize,
        path: &[Step],
    ) {
        if value.is_null() {
            return;
        }
        if self.is_marked(Some(path)) {
            if blank_before {
                self.out.push('\n');
            }
            self.out.push('\n');
            self.out.push_str(&spaces(indent + 2));
            self.out.push_str(&format!("{name} {{\n"));
            self.out.push_str(&spaces(indent + 4));
            self.out
                .push_str("# At least one attribute in this block is (or was) sensitive,\n");
            self.out.push_str(&spaces(indent + 4));
            self.out
                .push_str("# so its contents will not be displayed.\n");
            self.out.push_str(&spaces(indent + 2));
            self.out.push('}');
            return;
        }
        let with_step = |step: Step| {
            let mut p = path.to_vec();
            p.push(step);
            p
        };
        match shape.nesting {
            Nesting::Single | Nesting::Group => {
                if blank_before {
                    self.out.push('\n');
                }
                self.nested_block(name, None, &shape.block, value, indent, path);
            }
            Nesting::List | Nesting::Set => {
                let items = value.as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    return;
                }
                if blank_before {
                    self.out.push('\n');
                }
                for (i, item) in items.iter().enumerate() {
                    let step = match shape.nesting {
                        Nesting::Set => Step::Index(item.clone()),
                        _ => Step::Index(Json::from(i)),
                    };
                    self.nested_block(name, None, &shape.block, item, indent, &with_step(step));
                }
            }
            Nesting::Map => {
                let Some(items) = value.as_object().filter(|o| !o.is_empty()) else {
                    return;
                };
                if blank_before {
                    self.out.push('\n');
                }
                let mut keys: Vec<&String> = items.keys().collect();
                keys.sort();
                for key in keys {
                    let step = Step::Index(Json::from(key.clone()));
                    self.nested_block(
                        name,
                        Some(key),
                        &shape.block,
                        &items[key],
                        indent,
                        &with_step(step),
                    );
                }
            }
        }
    }

    fn nested_block(
        &mut self,
        name: &str,
        label: Option<&str>,
        shape: &BlockShape,
        value: &Json,
        indent: usize,
        path: &[Step],
    ) {
        self.out.push('\n');
        self.out.push_str(&spaces(indent + 2));
        self.out.push_str(name);
        if let Some(label) = label {
            self.out.push(' ');
            self.out.push_str(&go_quote(label));
        }
        self.out.push_str(" {");
        if self.block_body(shape, value, indent + 4, path) {
            self.out.push('\n');
            self.out.push_str(&spaces(indent + 2));
        }
        self.out.push('}');
    }

    /// A value; `ty` is its type in JSON type notation (`null` when unknown: objects are
    /// then shown as maps). `path` is `None` inside decoded JSON strings.
    fn value(&mut self, value: &Json, ty: &Json, indent: usize, path: Option<&[Step]>) {
        if self.is_marked(path) {
            self.out.push_str("(sensitive value)");
            return;
        }
        if ty.as_str() == Some("dynamic") {
            if let (Some(inner), Some(inner_ty)) = (value.get("value"), value.get("type")) {
                return self.value(inner, inner_ty, indent, path);
            }
        }
        let child = |step: Step| {
            path.map(|p| {
                let mut p = p.to_vec();
                p.push(step);
                p
            })
        };
        match value {
            Json::Null => self.out.push_str("null"),
            Json::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => self.out.push_str(&go_decimal(&n.to_string())),
            Json::String(s) => self.string(s, indent),
            Json::Array(items) => {
                let kind = type_kind(ty);
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    let step = if kind == "set" {
                        Step::Index(item.clone())
                    } else {
                        Step::Index(Json::from(i))
                    };
                    let item_ty = match kind {
                        "tuple" => ty
                            .get(1)
                            .and_then(|t| t.get(i))
                            .cloned()
                            .unwrap_or(Json::Null),
                        _ => ty.get(1).cloned().unwrap_or(Json::Null),
                    };
                    self.out.push('\n');
                    self.out.push_str(&spaces(indent + 4));
                    self.value(item, &item_ty, indent + 4, child(step).as_deref());
                    self.out.push(',');
                }
                if !items.is_empty() {
                    self.out.push('\n');
                    self.out.push_str(&spaces(indent));
                }
                self.out.push(']');
            }
            Json::Object(map) if type_kind(ty) == "object" || path.is_none() => {
                // An object type: every attribute of the type (in decoded JSON strings,
                // the keys present), bare names, aligned.
                let attr_types = ty.get(1).and_then(Json::as_object);
                let mut names: Vec<&String> = match attr_types {
                    Some(types) => types.keys().collect(),
                    None => map.keys().collect(),
                };
                names.sort();
                names.dedup();
                let name_len = names.iter().map(|n| n.len()).max().unwrap_or(0);
                self.out.push('{');
                for name in &names {
                    let attr_ty = attr_types
                        .and_then(|t| t.get(*name))
                        .cloned()
                        .unwrap_or(Json::Null);
                    let v = map.get(*name).cloned().unwrap_or(Json::Null);
                    self.out.push('\n');
                    self.out.push_str(&spaces(indent + 4));
                    self.out.push_str(name);
                    self.out.push_str(&spaces(name_len - name.len()));
                    self.out.push_str(" = ");
                    self.value(
                        &v,
                        &attr_ty,
                        indent + 4,
                        child(Step::Attr((*name).clone())).as_deref(),
                    );
                }
                self.close_braces(names.is_empty(), indent);
            }
            Json::Object(map) => {
                let elem_ty = ty.get(1).cloned().unwrap_or(Json::Null);
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let key_len = keys.iter().map(|k| k.len()).max().unwrap_or(0);
                self.out.push('{');
                for key in &keys {
                    self.out.push('\n');
                    self.out.push_str(&spaces(indent + 4));
                    self.out.push_str(&go_quote(key));
                    self.out.push_str(&spaces(key_len - key.len()));
                    self.out.push_str(" = ");
                    self.value(
                        &map[*key],
                        &elem_ty,
                        indent + 4,
                        child(Step::Index(Json::from((*key).clone()))).as_deref(),
                    );
                }
                self.close_braces(keys.is_empty(), indent);
            }
        }
    }

    /// Closes an object or map whose entries were written after its `{`.
    fn close_braces(&mut self, empty: bool, indent: usize) {
        if !empty {
            self.out.push('\n');
            self.out.push_str(&spaces(indent));
        }
        self.out.push('}');
    }

    fn string(&mut self, s: &str, indent: usize) {
        if let Ok(decoded) = serde_json::from_str::<Json>(s) {
            let empty = match &decoded {
                Json::Array(a) => Some(a.is_empty()),
                Json::Object(o) => Some(o.is_empty()),
                _ => None,
            };
            if let Some(empty) = empty {
                self.out.push_str("jsonencode(");
                if empty {
                    self.value(&decoded, &Json::Null, 0, None);
                } else {
                    self.out.push('\n');
                    self.out.push_str(&spaces(indent + 4));
                    self.value(&decoded, &Json::Null, indent + 4, None);
                    self.out.push('\n');
                    self.out.push_str(&spaces(indent));
                }
                self.out.push(')');
                return;
            }
        }
        if s.contains('\n') {
            self.out.push_str("<<-EOT\n");
            for line in scan_lines(s) {
                self.out.push_str(&spaces(indent + 4));
                self.out.push_str(line);
                self.out.push('\n');
            }
            self.out.push_str(&spaces(indent));
            self.out.push_str("EOT");
            return;
        }
        self.out.push_str(&go_quote(s));
    }
}

/// The kind of a JSON type notation: `list`, `set`, `map`, `object`, `tuple`, or a
/// primitive's name.
fn type_kind(ty: &Json) -> &str {
    match ty {
        Json::String(s) => s,
        Json::Array(a) => a.first().and_then(Json::as_str).unwrap_or(""),
        _ => "",
    }
}

/// Lines as Go's `bufio.ScanLines` splits them: no final empty line, `\r` dropped.
fn scan_lines(s: &str) -> Vec<&str> {
    let body = s.strip_suffix('\n').unwrap_or(s);
    body.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// A JSON number as Go's `big.Float.Text('f', -1)` prints it: plain decimal notation
/// without exponent, superfluous zeros removed.
pub fn go_decimal(text: &str) -> String {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (body, 0),
    };
    if exponent.abs() > 4096 || !mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // Beyond any number a provider stores; shown as written rather than expanded.
        return text.to_string();
    }
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int_part}{frac_part}");
    let point = int_part.len() as i64 + exponent;
    let (int_digits, frac_digits) = if point <= 0 {
        (
            String::new(),
            format!("{}{digits}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let int_digits = int_digits.trim_start_matches('0');
    let frac_digits = frac_digits.trim_end_matches('0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    });
    if !frac_digits.is_empty() {
        out.push('.');
        out.push_str(frac_digits);
    }
    out
}

/// The instance's current object as `terraform state show` prints it (without a final
/// newline). `shape` is the resource type's schema shape, if the caller has it.
pub fn render_instance(
    addr: &InstanceAddr,
    object: &Instance,
    shape: Option<&BlockShape>,
) -> String {
    let inferred;
    let shape = match shape {
        Some(s) => s,
        None => {
            inferred = BlockShape::infer(&object.attributes);
            &inferred
        }
    };
    let tainted = if object.status.as_deref() == Some("tainted") {
        " (tainted)"
    } else {
        ""
    };
    let keyword = match addr.resource.mode {
        Mode::Managed => "resource",
        Mode::Data => "data",
    };
    let mut printer = Printer {
        out: format!(
            "# {addr}:{tainted}\n{keyword} {} {} {{",
            go_quote(&addr.resource.ty),
            go_quote(&addr.resource.name)
        ),
        marks: parse_marks(&object.sensitive_attributes),
    };
    if printer.block_body(shape, &object.attributes, 2, &[]) {
        printer.out.push('\n');
    }
    printer.out.push('}');
    printer.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_instance;
    use serde_json::json;

    fn object(attributes: Json, sensitive: Json) -> Instance {
        Instance {
            index_key: None,
            status: None,
            deposed: None,
            schema_version: 0,
            attributes,
            sensitive_attributes: sensitive.as_array().cloned().unwrap_or_default(),
            private: None,
            dependencies: vec![],
            create_before_destroy: false,
        }
    }

    fn attr(ty: Json, sensitive: bool) -> AttributeShape {
        AttributeShape { ty, sensitive }
    }

    #[test]
    fn decimals() {
        assert_eq!(go_decimal("1.50"), "1.5");
        assert_eq!(go_decimal("1e3"), "1000");
        assert_eq!(go_decimal("-2.5E-3"), "-0.0025");
        assert_eq!(go_decimal("007"), "7");
        assert_eq!(go_decimal("0"), "0");
        assert_eq!(go_decimal("1e999999999"), "1e999999999");
    }

    /// `terraform state show aws_ssm_parameter.p` (1.0.3, with the aws provider's schema;
    /// 1.0.3 shows the marked map element as `(sensitive)`).
    #[test]
    fn attributes_heredocs_and_sensitive_values() {
        let shape = BlockShape {
            attributes: [
                ("description", attr(json!("string"), false)),
                ("id", attr(json!("string"), false)),
                ("insecure_value", attr(json!("string"), false)),
                ("name", attr(json!("string"), false)),
                ("overwrite", attr(json!("bool"), false)),
                ("tags", attr(json!(["map", "string"]), false)),
                ("value", attr(json!("string"), true)),
                ("version", attr(json!("number"), false)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            blocks: BTreeMap::new(),
        };
        let o = object(
            json!({"id": "/x", "name": "/x", "value": "secret", "insecure_value": null,
                   "tags": {"Env": "dev", "LongerKey": "v"}, "version": 3, "overwrite": false,
                   "description": "multi\nline\n"}),
            json!([[{"type":"get_attr","value":"tags"},{"type":"index","value":{"value":"Env","type":"string"}}]]),
        );
        let addr = parse_instance("aws_ssm_parameter.p").unwrap();
        assert_eq!(
            render_instance(&addr, &o, Some(&shape)),
            r#"# aws_ssm_parameter.p:
resource "aws_ssm_parameter" "p" {
    description = <<-EOT
        multi
        line
    EOT
    id          = "/x"
    name        = "/x"
    overwrite   = false
    tags        = {
        "Env"       = (sensitive value)
        "LongerKey" = "v"
    }
    value       = (sensitive value)
    version     = 3
}"#
        );
    }

    /// `terraform state show aws_iam_policy.pol` (1.0.3): JSON strings, empty strings
    /// hidden, tainted header.
    #[test]
    fn json_strings_and_taint() {
        let mut o = object(
            json!({"id": "arn", "description": "", "tags": {}, "attachment_count": 0,
                   "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],\"Resource\":\"*\"}],\"Empty\":{}, \"N\": 1.5}"}),
            json!([]),
        );
        o.status = Some("tainted".into());
        let addr = parse_instance("aws_iam_policy.pol").unwrap();
        assert_eq!(
            render_instance(&addr, &o, None),
            r#"# aws_iam_policy.pol: (tainted)
resource "aws_iam_policy" "pol" {
    attachment_count = 0
    id               = "arn"
    policy           = jsonencode(
        {
            Empty     = {}
            N         = 1.5
            Statement = [
                {
                    Action   = [
                        "s3:*",
                    ]
                    Effect   = "Allow"
                    Resource = "*"
                },
            ]
            Version   = "2012-10-17"
        }
    )
    tags             = {}
}"#
        );
    }

    /// `terraform state show 'aws_instance.i["k"]'` (1.0.3): nested blocks, a sensitive
    /// block, lists.
    #[test]
    fn nested_blocks() {
        let o = object(
            json!({"id": "i-1", "ami": "ami-1", "security_groups": ["a", "b"], "ipv6_addresses": [],
                   "root_block_device": [{"volume_size": 8, "encrypted": false, "tags": {"a": "b"}, "volume_type": "gp2"}],
                   "ebs_block_device": [{"device_name": "/dev/sda"}, {"device_name": "/dev/sdb"}],
                   "metadata_options": [{"http_tokens": "required"}], "user_data": "x"}),
            json!([[{"type":"get_attr","value":"metadata_options"}]]),
        );
        let addr = parse_instance(r#"aws_instance.i["k"]"#).unwrap();
        assert_eq!(
            render_instance(&addr, &o, None),
            r#"# aws_instance.i["k"]:
resource "aws_instance" "i" {
    ami             = "ami-1"
    id              = "i-1"
    ipv6_addresses  = []
    security_groups = [
        "a",
        "b",
    ]
    user_data       = "x"

    ebs_block_device {
        device_name = "/dev/sda"
    }
    ebs_block_device {
        device_name = "/dev/sdb"
    }

    metadata_options {
      # At least one attribute in this block is (or was) sensitive,
      # so its contents will not be displayed.
    }

    root_block_device {
        encrypted   = false
        tags        = {
            "a" = "b"
        }
        volume_size = 8
        volume_type = "gp2"
    }
}"#
        );
    }

    #[test]
    fn data_sources_and_empty_bodies() {
        let addr = parse_instance("data.x.y").unwrap();
        assert_eq!(
            render_instance(&addr, &object(json!({"a": null}), json!([])), None),
            "# data.x.y:\ndata \"x\" \"y\" {}"
        );
    }

    #[test]
    fn object_types_show_every_attribute() {
        let shape = BlockShape {
            attributes: [(
                "o".to_string(),
                attr(json!(["object", {"a": "string", "bb": "number"}]), false),
            )]
            .into_iter()
            .collect(),
            blocks: BTreeMap::new(),
        };
        let addr = parse_instance("x.y").unwrap();
        assert_eq!(
            render_instance(&addr, &object(json!({"o": {"a": "v"}}), json!([])), Some(&shape)),
            "# x.y:\nresource \"x\" \"y\" {\n    o = {\n        a  = \"v\"\n        bb = null\n    }\n}"
        );
    }
}
