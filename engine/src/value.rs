//! Terraform's values and types: string, number, bool, list, set, map, object, tuple, the
//! dynamic type `any`, null and unknown values of any type, and the sensitive mark that
//! follows a value through every operation.

use crate::number::Number;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A Terraform type. `Dynamic` is the type of a value whose type is not yet known (and the
/// `any` constraint).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Dynamic,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(Arc<BTreeMap<String, Type>>),
    Tuple(Arc<Vec<Type>>),
}

impl Type {
    pub fn object(attrs: BTreeMap<String, Type>) -> Type {
        Type::Object(Arc::new(attrs))
    }
    pub fn tuple(elems: Vec<Type>) -> Type {
        Type::Tuple(Arc::new(elems))
    }
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }
    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }
    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }
    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) | Type::Map(e) => Some(e),
            _ => None,
        }
    }
    /// True when the type is, or contains, the dynamic type.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::List(e) | Type::Set(e) | Type::Map(e) => e.has_dynamic(),
            Type::Object(a) => a.values().any(Type::has_dynamic),
            Type::Tuple(t) => t.iter().any(Type::has_dynamic),
            _ => false,
        }
    }
    /// The type as Terraform's JSON type notation (`"string"`, `["list","number"]`, ...).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Dynamic => json!("dynamic"),
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(e) => json!(["list", e.to_json()]),
            Type::Set(e) => json!(["set", e.to_json()]),
            Type::Map(e) => json!(["map", e.to_json()]),
            Type::Object(a) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    a.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", m])
            }
            Type::Tuple(t) => json!(["tuple", t.iter().map(Type::to_json).collect::<Vec<_>>()]),
        }
    }
    /// Parses Terraform's JSON type notation.
    pub fn from_json(v: &serde_json::Value) -> Option<Type> {
        use serde_json::Value as J;
        match v {
            J::String(s) => match s.as_str() {
                "dynamic" => Some(Type::Dynamic),
                "string" => Some(Type::String),
                "number" => Some(Type::Number),
                "bool" => Some(Type::Bool),
                _ => None,
            },
            J::Array(a) if a.len() == 2 => {
                let kind = a[0].as_str()?;
                match kind {
                    "list" => Some(Type::list(Type::from_json(&a[1])?)),
                    "set" => Some(Type::set(Type::from_json(&a[1])?)),
                    "map" => Some(Type::map(Type::from_json(&a[1])?)),
                    "object" => {
                        let mut attrs = BTreeMap::new();
                        for (k, t) in a[1].as_object()? {
                            attrs.insert(k.clone(), Type::from_json(t)?);
                        }
                        Some(Type::object(attrs))
                    }
                    "tuple" => Some(Type::tuple(
                        a[1].as_array()?
                            .iter()
                            .map(Type::from_json)
                            .collect::<Option<Vec<_>>>()?,
                    )),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    /// A friendly name, as Terraform's diagnostics spell types ("list of string", ...).
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Dynamic => "dynamic".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(e) => format!("list of {}", e.friendly_name()),
            Type::Set(e) => format!("set of {}", e.friendly_name()),
            Type::Map(e) => format!("map of {}", e.friendly_name()),
            Type::Object(_) => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }
}

impl fmt::Display for Type {
    /// The type in Terraform's type-constraint syntax (`list(string)`, `object({a=number})`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Dynamic => write!(f, "any"),
            Type::String => write!(f, "string"),
            Type::Number => write!(f, "number"),
            Type::Bool => write!(f, "bool"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Object(a) => {
                write!(f, "object({{")?;
                for (i, (k, t)) in a.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                write!(f, "}})")
            }
            Type::Tuple(t) => {
                write!(f, "tuple([")?;
                for (i, e) in t.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{e}")?;
                }
                write!(f, "])")
            }
        }
    }
}

/// A Terraform value. Collections are shared (`Arc`) so that copying a value is cheap.
///
/// Invariants: a `Set`'s elements are sorted by [`Value::canonical_cmp`] and free of
/// duplicates among known elements; `List`, `Set` and `Map` carry their element type even
/// when empty; `Sensitive` never directly wraps another `Sensitive`.
#[derive(Clone, Debug)]
pub enum Value {
    Null(Type),
    Unknown(Type),
    Bool(bool),
    Number(Arc<Number>),
    String(Arc<str>),
    List(Type, Arc<Vec<Value>>),
    Set(Type, Arc<Vec<Value>>),
    Map(Type, Arc<BTreeMap<String, Value>>),
    Object(Arc<BTreeMap<String, Value>>),
    Tuple(Arc<Vec<Value>>),
    /// The sensitive mark: the inner value must not be shown.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }
    pub fn number(n: Number) -> Value {
        Value::Number(Arc::new(n))
    }
    pub fn int(i: i64) -> Value {
        Value::number(Number::from_i64(i))
    }
    pub fn list(elem_ty: Type, elems: Vec<Value>) -> Value {
        Value::List(elem_ty, Arc::new(elems))
    }
    pub fn map(elem_ty: Type, elems: BTreeMap<String, Value>) -> Value {
        Value::Map(elem_ty, Arc::new(elems))
    }
    pub fn object(attrs: BTreeMap<String, Value>) -> Value {
        Value::Object(Arc::new(attrs))
    }
    pub fn tuple(elems: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(elems))
    }
    pub fn empty_object() -> Value {
        Value::object(BTreeMap::new())
    }
    /// A set: sorts and removes duplicate known elements.
    pub fn set(elem_ty: Type, mut elems: Vec<Value>) -> Value {
        elems.sort_by(Value::canonical_cmp);
        elems.dedup_by(|a, b| a.is_wholly_known() && b.is_wholly_known() && a.raw_equal(b));
        Value::Set(elem_ty, Arc::new(elems))
    }
    /// The unknown value of an unknown type.
    pub fn dynamic_unknown() -> Value {
        Value::Unknown(Type::Dynamic)
    }

    /// The type of the value.
    pub fn ty(&self) -> Type {
        match self {
            Value::Null(t) | Value::Unknown(t) => t.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(t, _) => Type::list(t.clone()),
            Value::Set(t, _) => Type::set(t.clone()),
            Value::Map(t, _) => Type::map(t.clone()),
            Value::Object(a) => Type::object(a.iter().map(|(k, v)| (k.clone(), v.ty())).collect()),
            Value::Tuple(e) => Type::tuple(e.iter().map(Value::ty).collect()),
            Value::Sensitive(v) => v.ty(),
        }
    }

    /// Null (looking through the sensitive mark).
    pub fn is_null(&self) -> bool {
        match self {
            Value::Null(_) => true,
            Value::Sensitive(v) => v.is_null(),
            _ => false,
        }
    }
    /// Known at this level (elements may still be unknown).
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(v) => v.is_known(),
            _ => true,
        }
    }
    /// Known here and in every nested element.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(v) => v.is_wholly_known(),
            Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => {
                e.iter().all(Value::is_wholly_known)
            }
            Value::Map(_, m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }
    /// Marked sensitive at this level.
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }
    /// Marked sensitive here or in any nested element.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => {
                e.iter().any(Value::contains_sensitive)
            }
            Value::Map(_, m) | Value::Object(m) => m.values().any(Value::contains_sensitive),
            _ => false,
        }
    }
    /// The value without its top-level mark, and whether it had one.
    pub fn unmark(&self) -> (&Value, bool) {
        match self {
            Value::Sensitive(v) => (v, true),
            v => (v, false),
        }
    }
    /// The value with its top-level mark removed.
    pub fn into_unmarked(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (*v, true),
            v => (v, false),
        }
    }
    /// Marks the value sensitive (idempotent).
    pub fn mark(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            v => Value::Sensitive(Box::new(v)),
        }
    }
    /// Marks the value sensitive when `sensitive` is true.
    pub fn mark_if(self, sensitive: bool) -> Value {
        if sensitive {
            self.mark()
        } else {
            self
        }
    }
    /// Removes every mark, at every depth, and says whether there was one.
    pub fn unmark_deep(&self) -> (Value, bool) {
        if !self.contains_sensitive() {
            return (self.clone(), false);
        }
        let v = match self {
            Value::Sensitive(v) => return (v.unmark_deep().0, true),
            Value::List(t, e) => {
                Value::list(t.clone(), e.iter().map(|v| v.unmark_deep().0).collect())
            }
            Value::Set(t, e) => {
                Value::set(t.clone(), e.iter().map(|v| v.unmark_deep().0).collect())
            }
            Value::Tuple(e) => Value::tuple(e.iter().map(|v| v.unmark_deep().0).collect()),
            Value::Map(t, m) => Value::map(
                t.clone(),
                m.iter()
                    .map(|(k, v)| (k.clone(), v.unmark_deep().0))
                    .collect(),
            ),
            Value::Object(m) => Value::object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.unmark_deep().0))
                    .collect(),
            ),
            v => v.clone(),
        };
        (v, true)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// Elements of a list, set or tuple, in order.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(_, e) | Value::Set(_, e) | Value::Tuple(e) => Some(e),
            _ => None,
        }
    }
    /// Attributes of an object or elements of a map.
    pub fn as_mapping(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(_, m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }
    /// True for a collection or structure without elements.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
    /// Number of elements of a collection or structure (not of strings).
    pub fn len(&self) -> Option<usize> {
        self.as_seq()
            .map(<[Value]>::len)
            .or_else(|| self.as_mapping().map(BTreeMap::len))
    }

    /// Identity of two values: same type, same content, same marks; unknowns equal only to
    /// themselves structurally. Used for sets and for tests, not for the `==` operator.
    pub fn raw_equal(&self, other: &Value) -> bool {
        self.canonical_cmp(other) == std::cmp::Ordering::Equal && self.ty() == other.ty()
    }

    /// A total order used to keep sets canonical: by kind, then by content. Numbers order
    /// numerically and strings lexically, as cty orders set elements of those types.
    pub fn canonical_cmp(&self, other: &Value) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Bool(_) => 0,
                Value::Number(_) => 1,
                Value::String(_) => 2,
                Value::List(..) => 3,
                Value::Set(..) => 4,
                Value::Tuple(_) => 5,
                Value::Map(..) => 6,
                Value::Object(_) => 7,
                Value::Sensitive(_) => 8,
                Value::Null(_) => 9,
                Value::Unknown(_) => 10,
            }
        }
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Number(a), Value::Number(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::List(_, a), Value::List(_, b))
            | (Value::Set(_, a), Value::Set(_, b))
            | (Value::Tuple(a), Value::Tuple(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    let c = x.canonical_cmp(y);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Map(_, a), Value::Map(_, b)) | (Value::Object(a), Value::Object(b)) => {
                for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                    let c = ka.cmp(kb).then_with(|| va.canonical_cmp(vb));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Sensitive(a), Value::Sensitive(b)) => a.canonical_cmp(b),
            (Value::Null(a), Value::Null(b)) | (Value::Unknown(a), Value::Unknown(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }

    /// Terraform's `==`: unknown if either side is unknown anywhere, false when the types
    /// differ, otherwise a deep comparison (numbers by value). Marks are the caller's business.
    pub fn equals(&self, other: &Value) -> Option<bool> {
        let (a, _) = self.unmark();
        let (b, _) = other.unmark();
        match (a, b) {
            (Value::Null(_), Value::Null(_)) => return Some(true),
            (Value::Null(_), x) | (x, Value::Null(_)) => {
                return if x.is_known() { Some(false) } else { None };
            }
            _ => {}
        }
        if !a.is_wholly_known() || !b.is_wholly_known() {
            return None;
        }
        if a.ty() != b.ty() {
            return Some(false);
        }
        Some(deep_equal(a, b))
    }
}

fn deep_equal(a: &Value, b: &Value) -> bool {
    let (a, _) = a.unmark();
    let (b, _) = b.unmark();
    match (a, b) {
        (Value::Null(_), Value::Null(_)) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(_, x), Value::List(_, y))
        | (Value::Set(_, x), Value::Set(_, y))
        | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(_, x), Value::Map(_, y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && deep_equal(va, vb))
        }
        _ => false,
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

impl PartialEq for Value {
    /// Identity (see [`Value::raw_equal`]), not Terraform's `==`.
    fn eq(&self, other: &Value) -> bool {
        self.raw_equal(other)
    }
}
