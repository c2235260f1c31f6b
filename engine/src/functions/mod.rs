//! Terraform's built-in functions: a registry of specifications, and the calling convention
//! they share (argument conversion, null and unknown handling, sensitive marks), as cty's
//! function package defines it.
//!
//! Each family lives in its own module and adds its functions in `register`. Functions that
//! need the evaluator itself (`can`, `try`, `templatefile`, `templatestring`) are handled by
//! the expression evaluator and are not in this registry.

use crate::convert::convert;
use crate::value::{Type, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

mod collection;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod ipnet;
mod numeric;
mod string;
mod typeconv;

/// One parameter of a function.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    /// The type arguments are converted to; `Type::Dynamic` accepts any value unchanged.
    pub ty: Type,
    pub allow_null: bool,
    /// When false, an argument that is not wholly known makes the result unknown without
    /// calling the implementation.
    pub allow_unknown: bool,
    /// When false, sensitive marks are removed from the argument before the call and put on
    /// the result.
    pub allow_marked: bool,
}

impl Param {
    pub const fn new(name: &'static str, ty: Type) -> Param {
        Param {
            name,
            ty,
            allow_null: false,
            allow_unknown: false,
            allow_marked: false,
        }
    }
    pub const fn allow_null(mut self) -> Param {
        self.allow_null = true;
        self
    }
    pub const fn allow_unknown(mut self) -> Param {
        self.allow_unknown = true;
        self
    }
    pub const fn allow_marked(mut self) -> Param {
        self.allow_marked = true;
        self
    }
}

/// What a function is given besides its arguments: the directory relative paths are taken
/// from (the working directory, as in Terraform), and a handle for reading files, so that the
/// evaluator itself never touches the file system.
pub struct FnContext<'a> {
    pub base_dir: &'a Path,
    pub files: &'a dyn FileAccess,
    /// The plan's timestamp (RFC 3339), for `plantimestamp`.
    pub plan_timestamp: &'a str,
}

/// Read-only access to files for file functions.
pub trait FileAccess: Sync {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    fn metadata(&self, path: &Path) -> std::io::Result<std::fs::Metadata>;
    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<PathBuf>>;
}

/// The real file system.
pub struct RealFiles;

impl FileAccess for RealFiles {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn metadata(&self, path: &Path) -> std::io::Result<std::fs::Metadata> {
        std::fs::metadata(path)
    }
    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }
}

/// A function error; `arg` names the argument it is about, when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct FnError {
    pub arg: Option<usize>,
    pub message: String,
}

impl FnError {
    pub fn new(message: impl Into<String>) -> FnError {
        FnError {
            arg: None,
            message: message.into(),
        }
    }
    pub fn arg(index: usize, message: impl Into<String>) -> FnError {
        FnError {
            arg: Some(index),
            message: message.into(),
        }
    }
}

pub type FnResult = Result<Value, FnError>;
type Implementation = fn(&FnContext, &[Value]) -> FnResult;
type ReturnType = fn(&[Value]) -> Type;

/// A function's specification.
pub struct Function {
    pub params: Vec<Param>,
    /// The parameter repeated for any further arguments.
    pub var_param: Option<Param>,
    /// The result type for given arguments, used when the result is unknown. Arguments here
    /// may be unknown.
    pub return_type: ReturnType,
    pub implementation: Implementation,
}

/// A return type that is not known before the call.
pub fn dynamic_return(_: &[Value]) -> Type {
    Type::Dynamic
}
pub fn string_return(_: &[Value]) -> Type {
    Type::String
}
pub fn number_return(_: &[Value]) -> Type {
    Type::Number
}
pub fn bool_return(_: &[Value]) -> Type {
    Type::Bool
}

/// Where functions are added by each family.
pub struct Registry {
    functions: HashMap<&'static str, Function>,
}

impl Registry {
    /// Adds a function with fixed parameters.
    pub fn add(
        &mut self,
        name: &'static str,
        params: Vec<Param>,
        return_type: ReturnType,
        implementation: Implementation,
    ) {
        self.functions.insert(
            name,
            Function {
                params,
                var_param: None,
                return_type,
                implementation,
            },
        );
    }
    /// Adds a function whose last parameter repeats.
    pub fn add_variadic(
        &mut self,
        name: &'static str,
        params: Vec<Param>,
        var_param: Param,
        return_type: ReturnType,
        implementation: Implementation,
    ) {
        self.functions.insert(
            name,
            Function {
                params,
                var_param: Some(var_param),
                return_type,
                implementation,
            },
        );
    }
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut r = Registry {
        functions: HashMap::new(),
    };
    collection::register(&mut r);
    crypto::register(&mut r);
    datetime::register(&mut r);
    encoding::register(&mut r);
    filesystem::register(&mut r);
    ipnet::register(&mut r);
    numeric::register(&mut r);
    string::register(&mut r);
    typeconv::register(&mut r);
    r
});

/// Names of the functions the evaluator itself implements.
pub const EVALUATOR_FUNCTIONS: &[&str] = &["can", "try", "templatefile", "templatestring"];

/// Looks a function up by name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    REGISTRY.functions.get(name)
}

/// Every function name, sorted (for `console` completion and diagnostics).
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = REGISTRY
        .functions
        .keys()
        .copied()
        .chain(EVALUATOR_FUNCTIONS.iter().copied())
        .collect();
    v.sort_unstable();
    v
}

/// Calls a function with Terraform's conventions: arity, conversion of each argument to its
/// parameter's type, null and unknown arguments, and sensitive marks carried to the result.
pub fn call(name: &str, f: &Function, ctx: &FnContext, args: Vec<Value>) -> FnResult {
    let fixed = f.params.len();
    if args.len() < fixed || (f.var_param.is_none() && args.len() > fixed) {
        let expected = if f.var_param.is_some() {
            format!("at least {fixed}")
        } else {
            format!("{fixed}")
        };
        let noun = if fixed == 1 && f.var_param.is_none() {
            "argument"
        } else {
            "arguments"
        };
        return Err(FnError::new(format!(
            "Function \"{name}\" expects {expected} {noun}, but {} were given.",
            args.len()
        )));
    }
    let mut sensitive = false;
    let mut wholly_known = true;
    let mut converted = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        let param = f
            .params
            .get(i)
            .or(f.var_param.as_ref())
            .expect("arity checked");
        let arg = if !param.allow_marked && arg.contains_sensitive() {
            sensitive = true;
            arg.unmark_deep().0
        } else {
            arg
        };
        if arg.is_null() && !param.allow_null {
            return Err(FnError::arg(i, "argument must not be null"));
        }
        let arg = if param.ty == Type::Dynamic {
            arg
        } else {
            convert(&arg, &param.ty).map_err(|e| FnError::arg(i, e))?
        };
        if !param.allow_unknown && !arg.is_wholly_known() {
            wholly_known = false;
        }
        converted.push(arg);
    }
    if !wholly_known {
        return Ok(Value::Unknown((f.return_type)(&converted)).mark_if(sensitive));
    }
    let result = (f.implementation)(ctx, &converted)?;
    Ok(result.mark_if(sensitive))
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Calling functions by name in unit tests.
    use super::*;

    /// Calls `name` with `args` in the current directory with the real file system.
    pub fn call_fn(name: &str, args: Vec<Value>) -> FnResult {
        let f = lookup(name).unwrap_or_else(|| panic!("no function {name}"));
        let ctx = FnContext {
            base_dir: Path::new("."),
            files: &RealFiles,
            plan_timestamp: "2026-01-01T00:00:00Z",
        };
        call(name, f, &ctx, args)
    }
}
