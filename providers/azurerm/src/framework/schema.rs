//! Declaring a resource type's schema together with where each argument lives in the ARM
//! body: attributes ([`Attr`]) and nested blocks ([`Nested`]) carry the engine's schema
//! (type, required/optional/computed, force-new, sensitive), the SDKv2 behaviours the azurerm
//! provider relies on (defaults, normalising `StateFunc`s, diff suppression) and their ARM
//! mapping ([`Arm`]: a dotted path in the body and a [`Codec`] turning values into JSON and
//! back).

use serde_json::Value as Json;
use terrane_engine::provider::{Attribute, Block, NestedBlock, Nesting};
use terrane_engine::value::{Type, Value};

/// How an attribute's value is written into the ARM body and read back.
#[derive(Clone, Copy)]
pub enum Codec {
    /// The value as JSON (strings, numbers, bools, lists, sets, maps).
    Plain,
    /// A location, normalised (`West Europe` -> `westeurope`) both ways.
    Location,
    /// A bool stored as one of two strings (`"Enabled"`/`"Disabled"`), compared without case.
    BoolEnum { yes: &'static str, no: &'static str },
    /// A resource ID stored as a sub-resource reference: `"x"` <-> `{"id": "x"}`.
    IdRef,
    /// A list or set of strings stored as objects with one field:
    /// `["a"]` <-> `[{"<field>": "a"}]` (service endpoints, sub-resource references).
    Wrapped(&'static str),
    /// Anything else: `expand` gives the JSON for a known, non-null value (`None` to leave the
    /// path out); `flatten` reads the value from the JSON at the path (absent: `None`).
    Custom {
        expand: fn(&Value) -> Option<Json>,
        flatten: fn(Option<&Json>, &Type) -> Value,
    },
}

/// What an attribute reads as when its ARM path is absent from the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// The zero value of its type (`""`, `0`, `false`, empty): what azurerm's
    /// `d.Set(pointer.From(...))` stores.
    Zero,
    /// Null: azurerm sets a nil pointer.
    Null,
    /// Unchanged: azurerm only sets the attribute when ARM returns it.
    Keep,
}

/// Where a value lives in the ARM body.
#[derive(Clone, Copy)]
pub struct Arm {
    /// Dotted path from the body (or, in a nested block, from the element's object):
    /// `properties.addressSpace.addressPrefixes`.
    pub path: &'static str,
    pub codec: Codec,
    pub absent: Absent,
}

/// One attribute.
#[derive(Clone)]
pub struct Attr {
    pub name: &'static str,
    pub spec: Attribute,
    /// SDKv2's `Default`: the planned value when the configuration leaves it null.
    pub default: Option<Value>,
    /// SDKv2's `StateFunc`: what a configured value is planned and stored as.
    pub normalize: Option<fn(&Value) -> Value>,
    /// SDKv2's `DiffSuppressFunc`: whether a prior and a configured value are the same.
    pub suppress: Option<fn(&Value, &Value) -> bool>,
    pub arm: Option<Arm>,
}

/// A nested block (SDKv2's list or set of a resource).
#[derive(Clone)]
pub struct Nested {
    pub name: &'static str,
    pub nesting: Nesting,
    pub min_items: u64,
    pub max_items: u64,
    /// Optional and computed: when the configuration has no such blocks, the prior ones stay
    /// (the attributes azurerm declares `Optional + Computed` with `ConfigModeAttr`).
    pub computed: bool,
    pub force_new: bool,
    pub block: BlockDef,
    pub arm: Option<BlockArm>,
}

/// Where a nested block lives in the ARM body.
#[derive(Clone, Copy)]
pub struct BlockArm {
    pub path: &'static str,
    /// An array of objects, one per block; or (for blocks of at most one) a single object.
    pub single_object: bool,
}

/// The attributes and nested blocks of a block.
#[derive(Clone, Default)]
pub struct BlockDef {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Nested>,
}

/// A block of `attrs` and `blocks`.
pub fn block_def(attrs: Vec<Attr>, blocks: Vec<Nested>) -> BlockDef {
    BlockDef { attrs, blocks }
}

/// An attribute of type `ty`; say with [`Attr::required`], [`Attr::optional`] or
/// [`Attr::computed`] how it is set.
pub fn attr(name: &'static str, ty: Type) -> Attr {
    Attr {
        name,
        spec: Attribute {
            ty,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
            description: String::new(),
        },
        default: None,
        normalize: None,
        suppress: None,
        arm: None,
    }
}

pub fn string(name: &'static str) -> Attr {
    attr(name, Type::String)
}

pub fn number(name: &'static str) -> Attr {
    attr(name, Type::Number)
}

pub fn boolean(name: &'static str) -> Attr {
    attr(name, Type::Bool)
}

pub fn list_of_strings(name: &'static str) -> Attr {
    attr(name, Type::list(Type::String))
}

pub fn set_of_strings(name: &'static str) -> Attr {
    attr(name, Type::set(Type::String))
}

pub fn map_of_strings(name: &'static str) -> Attr {
    attr(name, Type::map(Type::String))
}

impl Attr {
    pub fn required(mut self) -> Attr {
        self.spec.required = true;
        self
    }
    pub fn optional(mut self) -> Attr {
        self.spec.optional = true;
        self
    }
    pub fn computed(mut self) -> Attr {
        self.spec.computed = true;
        self
    }
    pub fn force_new(mut self) -> Attr {
        self.spec.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Attr {
        self.spec.sensitive = true;
        self
    }
    pub fn default(mut self, value: impl Into<Value>) -> Attr {
        self.default = Some(value.into());
        self
    }
    pub fn normalize(mut self, f: fn(&Value) -> Value) -> Attr {
        self.normalize = Some(f);
        self
    }
    pub fn suppress(mut self, f: fn(&Value, &Value) -> bool) -> Attr {
        self.suppress = Some(f);
        self
    }
    /// Maps the attribute to `path` in the ARM body, as plain JSON, zero when absent.
    pub fn arm(mut self, path: &'static str) -> Attr {
        self.arm = Some(Arm {
            path,
            codec: Codec::Plain,
            absent: Absent::Zero,
        });
        self
    }
    /// The codec of the ARM mapping (after [`Attr::arm`]).
    pub fn codec(mut self, codec: Codec) -> Attr {
        if let Some(arm) = &mut self.arm {
            arm.codec = codec;
        }
        self
    }
    /// What the attribute reads as when its path is absent (after [`Attr::arm`]).
    pub fn absent(mut self, absent: Absent) -> Attr {
        if let Some(arm) = &mut self.arm {
            arm.absent = absent;
        }
        self
    }
}

/// A list of nested blocks.
pub fn block(name: &'static str, def: BlockDef) -> Nested {
    Nested {
        name,
        nesting: Nesting::List,
        min_items: 0,
        max_items: 0,
        computed: false,
        force_new: false,
        block: def,
        arm: None,
    }
}

impl Nested {
    /// A set instead of a list.
    pub fn set(mut self) -> Nested {
        self.nesting = Nesting::Set;
        self
    }
    pub fn min(mut self, n: u64) -> Nested {
        self.min_items = n;
        self
    }
    pub fn max(mut self, n: u64) -> Nested {
        self.max_items = n;
        self
    }
    /// Optional and computed (see [`Nested::computed`]).
    pub fn computed(mut self) -> Nested {
        self.computed = true;
        self
    }
    pub fn force_new(mut self) -> Nested {
        self.force_new = true;
        self
    }
    /// Maps the blocks to an array of objects at `path`.
    pub fn arm_array(mut self, path: &'static str) -> Nested {
        self.arm = Some(BlockArm {
            path,
            single_object: false,
        });
        self
    }
    /// Maps the (single) block to an object at `path`.
    pub fn arm_object(mut self, path: &'static str) -> Nested {
        self.arm = Some(BlockArm {
            path,
            single_object: true,
        });
        self
    }
}

impl BlockDef {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn nested(&self, name: &str) -> Option<&Nested> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The engine's schema of this block.
    pub fn to_engine(&self) -> Block {
        Block {
            attributes: self
                .attrs
                .iter()
                .map(|a| (a.name.to_string(), a.spec.clone()))
                .collect(),
            blocks: self
                .blocks
                .iter()
                .map(|b| {
                    (
                        b.name.to_string(),
                        NestedBlock {
                            nesting: b.nesting,
                            block: b.block.to_engine(),
                            min_items: b.min_items,
                            max_items: b.max_items,
                        },
                    )
                })
                .collect(),
            description: String::new(),
        }
    }

    /// The type of objects of this block.
    pub fn value_type(&self) -> Type {
        self.to_engine().value_type()
    }
}

/// The type of one nested block's value (a list or set of its objects).
pub fn nested_type(nested: &Nested) -> Type {
    let inner = nested.block.value_type();
    match nested.nesting {
        Nesting::Set => Type::set(inner),
        Nesting::Single | Nesting::Group => inner,
        Nesting::Map => Type::map(inner),
        Nesting::List => Type::list(inner),
    }
}

/// The `timeouts` block of SDKv2 resources: the operations named, each an optional duration
/// (`"30m"`, `"1h30m"`).
pub fn timeouts_block(operations: &[&'static str]) -> Nested {
    Nested {
        name: "timeouts",
        nesting: Nesting::Single,
        min_items: 0,
        max_items: 0,
        computed: false,
        force_new: false,
        block: block_def(
            operations.iter().map(|op| string(op).optional()).collect(),
            vec![],
        ),
        arm: None,
    }
}
