//! Addresses of things in state, as Terraform writes and parses them: module instances
//! (`module.a["x"].module.b`), resources (`data.x.y`), resource instances (`x.y[0]`),
//! their parsing from command-line arguments (with Terraform's "Invalid address" errors),
//! their text, and their order (the order `terraform state list` prints).

use serde_json::Value as Json;
use std::cmp::Ordering;
use std::fmt;

/// A `count` index or `for_each` key, or none.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InstanceKey {
    None,
    Int(i64),
    Str(String),
}

impl InstanceKey {
    /// The key as a state file's `index_key` holds it.
    pub fn from_json(key: Option<&Json>) -> InstanceKey {
        match key {
            Some(Json::String(s)) => InstanceKey::Str(s.clone()),
            Some(Json::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map(InstanceKey::Int)
                .unwrap_or(InstanceKey::None),
            _ => InstanceKey::None,
        }
    }

    /// The key as a state file's `index_key`.
    pub fn to_json(&self) -> Option<Json> {
        match self {
            InstanceKey::None => None,
            InstanceKey::Int(i) => Some(Json::from(*i)),
            InstanceKey::Str(s) => Some(Json::from(s.clone())),
        }
    }

    /// The `each` mode a resource has when its instances have keys like this one.
    pub fn each_mode(&self) -> Option<String> {
        match self {
            InstanceKey::None => None,
            InstanceKey::Int(_) => Some("list".into()),
            InstanceKey::Str(_) => Some("map".into()),
        }
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", go_quote(s)),
        }
    }
}

impl Ord for InstanceKey {
    /// Terraform's order: no key first, then numbers, then strings.
    fn cmp(&self, other: &Self) -> Ordering {
        fn rank(k: &InstanceKey) -> u8 {
            match k {
                InstanceKey::None => 0,
                InstanceKey::Int(_) => 1,
                InstanceKey::Str(_) => 2,
            }
        }
        match (self, other) {
            (InstanceKey::Int(a), InstanceKey::Int(b)) => a.cmp(b),
            (InstanceKey::Str(a), InstanceKey::Str(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl PartialOrd for InstanceKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One `module.NAME[KEY]` step of a module instance path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleStep {
    pub name: String,
    pub key: InstanceKey,
}

/// A module instance: the root module when empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ModuleInstance(pub Vec<ModuleStep>);

impl ModuleInstance {
    pub fn root() -> ModuleInstance {
        ModuleInstance(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses a state file's `module` field (absent for the root module).
    pub fn from_state(module: Option<&str>) -> Result<ModuleInstance, AddressError> {
        match module {
            None | Some("") => Ok(ModuleInstance::root()),
            Some(text) => match parse_target(text)? {
                Target::Module(m) => Ok(m),
                _ => Err(AddressError::new(
                    "Invalid address",
                    format!("{text:?} is not a module instance address."),
                )),
            },
        }
    }

    /// The module as a state file's `module` field holds it.
    pub fn to_state(&self) -> Option<String> {
        (!self.is_root()).then(|| self.to_string())
    }

    /// Whether `other` is this module or one of its descendants, as a `state list` or
    /// `state rm` filter selects them: a step written without a key matches every key.
    pub fn target_contains(&self, other: &ModuleInstance) -> bool {
        if other.0.len() < self.0.len() {
            return false;
        }
        for (i, (ours, theirs)) in self.0.iter().zip(&other.0).enumerate() {
            if ours.name != theirs.name {
                return false;
            }
            if i == self.0.len() - 1 && ours.key == InstanceKey::None {
                return true;
            }
            if ours.key != theirs.key {
                return false;
            }
        }
        true
    }

    /// Whether this module is `other` or an ancestor of it, step by step.
    pub fn is_prefix_of(&self, other: &ModuleInstance) -> bool {
        other.0.len() >= self.0.len() && other.0[..self.0.len()] == self.0[..]
    }

    /// The module path without instance keys (`module.a.module.b`), as dependencies name
    /// modules.
    pub fn config_path(&self) -> String {
        self.0
            .iter()
            .map(|s| format!("module.{}", s.name))
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl fmt::Display for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{}{}", step.name, step.key)?;
        }
        Ok(())
    }
}

impl Ord for ModuleInstance {
    /// Terraform's order: shorter paths first, then step by step by name and key.
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| {
            for (a, b) in self.0.iter().zip(&other.0) {
                let o = a.name.cmp(&b.name).then_with(|| a.key.cmp(&b.key));
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        })
    }
}

impl PartialOrd for ModuleInstance {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Managed resource or data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Managed,
    Data,
}

impl Mode {
    /// The mode as a state file's `mode` field holds it.
    pub fn as_state_str(self) -> &'static str {
        match self {
            Mode::Managed => "managed",
            Mode::Data => "data",
        }
    }

    pub fn from_state_str(mode: &str) -> Mode {
        if mode == "data" {
            Mode::Data
        } else {
            Mode::Managed
        }
    }
}

/// A resource in a module instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceAddr {
    pub module: ModuleInstance,
    pub mode: Mode,
    pub ty: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn instance(&self, key: InstanceKey) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }

    /// The resource's address without module instance keys, as `dependencies` name it.
    pub fn config_string(&self) -> String {
        let local = self.local_string();
        if self.module.is_root() {
            local
        } else {
            format!("{}.{local}", self.module.config_path())
        }
    }

    fn local_string(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.ty, self.name),
            Mode::Data => format!("data.{}.{}", self.ty, self.name),
        }
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        f.write_str(&self.local_string())
    }
}

/// One instance of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InstanceAddr {
    pub resource: ResourceAddr,
    pub key: InstanceKey,
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.resource, self.key)
    }
}

impl Ord for InstanceAddr {
    /// The order `terraform state list` prints: module path, data sources before managed
    /// resources, type, name, key.
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.resource, &other.resource);
        a.module
            .cmp(&b.module)
            .then_with(|| match (a.mode, b.mode) {
                (Mode::Data, Mode::Managed) => Ordering::Less,
                (Mode::Managed, Mode::Data) => Ordering::Greater,
                _ => Ordering::Equal,
            })
            .then_with(|| a.ty.cmp(&b.ty))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| self.key.cmp(&other.key))
    }
}

impl PartialOrd for InstanceAddr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What an address argument names: a module instance (with everything in it), a whole
/// resource, or one resource instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Module(ModuleInstance),
    Resource(ResourceAddr),
    Instance(InstanceAddr),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Module(m) => m.fmt(f),
            Target::Resource(r) => r.fmt(f),
            Target::Instance(i) => i.fmt(f),
        }
    }
}

/// An address that could not be parsed, or names something absent, as Terraform reports
/// it: a summary ("Invalid address") and a detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressError {
    pub summary: String,
    pub detail: String,
}

impl AddressError {
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> AddressError {
        AddressError {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for AddressError {}

/// One step of an absolute traversal (`a.b["c"][0]`).
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Name(String),
    Index(IndexValue),
}

#[derive(Clone, Debug, PartialEq)]
enum IndexValue {
    Number(String),
    Str(String),
}

fn invalid(detail: impl Into<String>) -> AddressError {
    AddressError::new("Invalid address", detail)
}

/// Splits text into traversal steps as HCL's absolute traversal syntax allows: a root
/// name, then `.name`, `[number]`, `["string"]` (and the legacy `.0` index form).
fn parse_traversal(text: &str) -> Result<Vec<Step>, AddressError> {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let mut steps = Vec::new();
    let name_at = |pos: usize| -> Option<(String, usize)> {
        let first = *chars.get(pos)?;
        if !(unicode_ident::is_xid_start(first) || first == '_') {
            return None;
        }
        let mut end = pos + 1;
        while let Some(&c) = chars.get(end) {
            if unicode_ident::is_xid_continue(c) || c == '-' {
                end += 1;
            } else {
                break;
            }
        }
        Some((chars[pos..end].iter().collect(), end))
    };
    let skip_spaces = |mut pos: usize| {
        while chars.get(pos).is_some_and(|c| *c == ' ' || *c == '\t') {
            pos += 1;
        }
        pos
    };
    pos = skip_spaces(pos);
    match name_at(pos) {
        Some((name, end)) => {
            steps.push(Step::Name(name));
            pos = end;
        }
        None => {
            return Err(AddressError::new(
                "Variable name required",
                "Must begin with a variable name.",
            ))
        }
    }
    loop {
        pos = skip_spaces(pos);
        let Some(&c) = chars.get(pos) else { break };
        match c {
            '.' => {
                pos += 1;
                if chars.get(pos) == Some(&'*') {
                    return Err(AddressError::new(
                        "Attribute name required",
                        "Splat expressions (.*) may not be used here.",
                    ));
                }
                if chars.get(pos).is_some_and(|c| c.is_ascii_digit()) {
                    let start = pos;
                    while chars.get(pos).is_some_and(|c| c.is_ascii_digit()) {
                        pos += 1;
                    }
                    steps.push(Step::Index(IndexValue::Number(
                        chars[start..pos].iter().collect(),
                    )));
                    continue;
                }
                match name_at(pos) {
                    Some((name, end)) => {
                        steps.push(Step::Name(name));
                        pos = end;
                    }
                    None => {
                        return Err(AddressError::new(
                            "Invalid attribute name",
                            "An attribute name is required after a dot.",
                        ))
                    }
                }
            }
            '[' => {
                pos = skip_spaces(pos + 1);
                let value = match chars.get(pos) {
                    Some('*') => {
                        return Err(AddressError::new(
                            "Attribute name required",
                            "Splat expressions ([*]) may not be used here.",
                        ))
                    }
                    Some('"') => {
                        let (s, end) = parse_string_literal(&chars, pos + 1)?;
                        pos = end;
                        IndexValue::Str(s)
                    }
                    Some(c) if c.is_ascii_digit() => {
                        let start = pos;
                        while chars
                            .get(pos)
                            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '.')
                        {
                            // Exponents with a sign (1e+2) continue the number.
                            pos += 1;
                            if matches!(chars.get(pos - 1), Some('e' | 'E'))
                                && matches!(chars.get(pos), Some('+' | '-'))
                            {
                                pos += 1;
                            }
                        }
                        IndexValue::Number(chars[start..pos].iter().collect())
                    }
                    _ => {
                        return Err(AddressError::new(
                            "Index value required",
                            "Index brackets must contain either a literal number or a literal string.",
                        ))
                    }
                };
                pos = skip_spaces(pos);
                if chars.get(pos) != Some(&']') {
                    return Err(AddressError::new(
                        "Missing close bracket on index",
                        "The index operator must end with a closing bracket (\"]\").",
                    ));
                }
                pos += 1;
                steps.push(Step::Index(value));
            }
            other => {
                return Err(AddressError::new(
                    "Extra characters after traversal",
                    format!(
                        "The character {} is not expected here; an address ends after its last name or index.",
                        go_quote(&other.to_string())
                    ),
                ))
            }
        }
    }
    Ok(steps)
}

/// A quoted string in an index, from just after its opening quote: HCL's escapes, and no
/// template sequences. Returns the text and the position after the closing quote.
fn parse_string_literal(chars: &[char], mut pos: usize) -> Result<(String, usize), AddressError> {
    let mut out = String::new();
    let unterminated = || {
        AddressError::new(
            "Unterminated template string",
            "No closing marker was found for the string.",
        )
    };
    loop {
        let Some(&c) = chars.get(pos) else {
            return Err(unterminated());
        };
        pos += 1;
        match c {
            '"' => return Ok((out, pos)),
            '\\' => {
                let Some(&e) = chars.get(pos) else {
                    return Err(unterminated());
                };
                pos += 1;
                match e {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' | 'U' => {
                        let len = if e == 'u' { 4 } else { 8 };
                        let hex: String = chars.iter().skip(pos).take(len).collect();
                        let ch = (hex.len() == len)
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                            .ok_or_else(|| {
                                AddressError::new(
                                    "Invalid escape sequence",
                                    format!("The \\{e} escape needs {len} hexadecimal digits naming a Unicode character."),
                                )
                            })?;
                        out.push(ch);
                        pos += len;
                    }
                    other => {
                        return Err(AddressError::new(
                            "Invalid escape sequence",
                            format!(
                                "The symbol {} is not a valid escape sequence selector.",
                                go_quote(&other.to_string())
                            ),
                        ))
                    }
                }
            }
            '$' | '%' if chars.get(pos) == Some(&'{') => {
                if chars.get(pos + 1) == Some(&c) {
                    // `$${` and `%%{` are the escaped forms of the literal sequences.
                    out.push(c);
                    out.push('{');
                    pos += 2;
                } else {
                    return Err(AddressError::new(
                        "Invalid index key",
                        "Template sequences are not allowed in an address; index keys must be literal strings.",
                    ));
                }
            }
            '\n' => return Err(unterminated()),
            c => out.push(c),
        }
    }
}

fn instance_key(value: &IndexValue) -> Result<InstanceKey, String> {
    match value {
        IndexValue::Str(s) => Ok(InstanceKey::Str(s.clone())),
        IndexValue::Number(text) => whole_number(text).map(InstanceKey::Int).ok_or_else(|| {
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
                .to_string()
        }),
    }
}

/// A number literal's value when it is a whole number that fits in 64 bits.
fn whole_number(text: &str) -> Option<i64> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(i);
    }
    let f: f64 = text.parse().ok()?;
    (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
}

/// Parses an address argument as `terraform state` commands do: a module instance, a
/// resource or a resource instance.
pub fn parse_target(text: &str) -> Result<Target, AddressError> {
    let steps = parse_traversal(text)?;
    let mut rest = &steps[..];
    let mut module = Vec::new();
    while let Some(Step::Name(first)) = rest.first() {
        if first != "module" {
            break;
        }
        let name = match rest.get(1) {
            Some(Step::Name(n)) => n.clone(),
            _ => {
                return Err(AddressError::new(
                    "Invalid address operator",
                    "Prefix \"module.\" must be followed by a module name.",
                ))
            }
        };
        rest = &rest[2..];
        let mut key = InstanceKey::None;
        if let Some(Step::Index(idx)) = rest.first() {
            key = instance_key(idx).map_err(|e| {
                AddressError::new(
                    "Invalid address operator",
                    format!("Invalid module index: {e}."),
                )
            })?;
            rest = &rest[1..];
        }
        module.push(ModuleStep { name, key });
    }
    let module = ModuleInstance(module);
    if rest.is_empty() {
        return Ok(Target::Module(module));
    }
    let mut mode = Mode::Managed;
    if rest.first() == Some(&Step::Name("data".into())) {
        mode = Mode::Data;
        rest = &rest[1..];
    }
    if rest.len() < 2 {
        return Err(invalid(
            "Resource specification must include a resource type and name.",
        ));
    }
    let Step::Name(ty) = &rest[0] else {
        return Err(invalid(match mode {
            Mode::Managed => "A resource type name is required.",
            Mode::Data => "A data source name is required.",
        }));
    };
    let Step::Name(name) = &rest[1] else {
        return Err(invalid("A resource name is required."));
    };
    let resource = ResourceAddr {
        module,
        mode,
        ty: ty.clone(),
        name: name.clone(),
    };
    match &rest[2..] {
        [] => Ok(Target::Resource(resource)),
        [Step::Index(idx)] => {
            let key = instance_key(idx)
                .map_err(|e| invalid(format!("Invalid resource instance key: {e}.")))?;
            Ok(Target::Instance(resource.instance(key)))
        }
        [Step::Name(_)] => Err(invalid(
            "Resource instance key must be given in square brackets.",
        )),
        _ => Err(invalid("Unexpected extra operators after address.")),
    }
}

/// Parses an address that must name one resource instance (a resource address names its
/// instance without a key), as `state show`, `taint` and `untaint` do.
pub fn parse_instance(text: &str) -> Result<InstanceAddr, AddressError> {
    match parse_target(text)? {
        Target::Resource(r) => Ok(r.instance(InstanceKey::None)),
        Target::Instance(i) => Ok(i),
        Target::Module(_) => Err(invalid(
            "A resource instance address is required here. The module path must be followed by a resource instance specification.",
        )),
    }
}

/// Quotes a string as Go's `%q` does (Terraform prints keys and values this way).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint` for characters beyond ASCII control codes:
/// the C1 controls, format characters, separators other than space and unassigned
/// surrogates are not printable.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    !((0x80..0xa0).contains(&u)
        || u == 0xad
        || (0x2000..=0x200f).contains(&u)
        || (0x2028..=0x202e).contains(&u)
        || (0x2060..=0x206f).contains(&u)
        || u == 0xfeff
        || (0xfff9..=0xfffb).contains(&u)
        || u == 0xfffe
        || u == 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> String {
        parse_target(s).map(|t| t.to_string()).unwrap()
    }

    fn err(s: &str) -> (String, String) {
        let e = parse_target(s).unwrap_err();
        (e.summary, e.detail)
    }

    #[test]
    fn parses_and_prints_like_terraform() {
        assert_eq!(
            target(r#"module.a["x"].aws_instance.b[0]"#),
            r#"module.a["x"].aws_instance.b[0]"#
        );
        assert_eq!(target("data.x.y"), "data.x.y");
        assert_eq!(target("module.a.module.b[2]"), "module.a.module.b[2]");
        assert_eq!(target(r#"x.y["a\"q"]"#), r#"x.y["a\"q"]"#);
        assert_eq!(target("x.y.0"), "x.y[0]");
        assert!(matches!(parse_target("module.m"), Ok(Target::Module(_))));
        assert!(matches!(parse_target("a.b"), Ok(Target::Resource(_))));
        assert!(matches!(parse_target("a.b[1]"), Ok(Target::Instance(_))));
    }

    #[test]
    fn errors_like_terraform() {
        // Messages checked against `terraform state list ADDRESS` (1.0.3).
        let spec = "Resource specification must include a resource type and name.";
        assert_eq!(err("foo"), ("Invalid address".into(), spec.into()));
        assert_eq!(err("module.x.a"), ("Invalid address".into(), spec.into()));
        assert_eq!(
            err("a.b.c").1,
            "Resource instance key must be given in square brackets."
        );
        assert_eq!(err("a[").0, "Index value required");
        assert_eq!(
            err("null_resource.a[1.5]").1,
            "Invalid resource instance key: value must be a whole number, between -9223372036854775808 and 9223372036854775807."
        );
        assert_eq!(
            err("1abc"),
            (
                "Variable name required".into(),
                "Must begin with a variable name.".into()
            )
        );
        assert_eq!(
            err("a.b[*]"),
            (
                "Attribute name required".into(),
                "Splat expressions ([*]) may not be used here.".into()
            )
        );
        assert_eq!(
            parse_instance("module.x").unwrap_err().summary,
            "Invalid address"
        );
    }

    #[test]
    fn state_list_order() {
        // The order `terraform state list` printed for the same state (1.0.3).
        let mut addrs: Vec<InstanceAddr> = [
            "null_resource.b",
            "module.b.module.c.aaa.c",
            r#"module.m["k"].null_resource.c["z"]"#,
            "null_resource.a[10]",
            "module.b.aaa.c",
            "null_resource.a[2]",
            r#"module.m["k"].null_resource.c["a\"q"]"#,
            "data.null_data_source.d",
            "null_resource.a[0]",
        ]
        .iter()
        .map(|s| parse_instance(s).unwrap())
        .collect();
        addrs.sort();
        let printed: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            printed,
            [
                "data.null_data_source.d",
                "null_resource.a[0]",
                "null_resource.a[2]",
                "null_resource.a[10]",
                "null_resource.b",
                "module.b.aaa.c",
                r#"module.m["k"].null_resource.c["a\"q"]"#,
                r#"module.m["k"].null_resource.c["z"]"#,
                "module.b.module.c.aaa.c",
            ]
        );
    }

    #[test]
    fn module_filters() {
        let m = |s: &str| match parse_target(s).unwrap() {
            Target::Module(m) => m,
            _ => panic!("not a module"),
        };
        assert!(m("module.m").target_contains(&m(r#"module.m["k"]"#)));
        assert!(m("module.m").target_contains(&m(r#"module.m["k"].module.x"#)));
        assert!(!m(r#"module.m["j"]"#).target_contains(&m(r#"module.m["k"]"#)));
        assert!(!m("module.b").target_contains(&m("module.bb")));
        assert_eq!(
            ModuleInstance::from_state(Some(r#"module.m["k"]"#))
                .unwrap()
                .config_path(),
            "module.m"
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
    }
}
