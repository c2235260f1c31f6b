//! The configuration of a module as written: every block kind of the current Terraform
//! language, with expressions kept unevaluated (and their source spans) for the evaluator.
//!
//! `load` reads a directory (`.tf`, `.tf.json`, `_override` files) into a [`Module`], and
//! local child modules recursively into the calls that name them.

use crate::diag::{SourceFile, SourceRange};
use crate::typeexpr::Constraint;
use hcl_edit::expr::Expression;
use indexmap::IndexMap;
use std::path::PathBuf;
use std::sync::Arc;

mod load;

pub use load::{load_module, load_module_tree};

/// An expression together with the file it was written in, so that diagnostics can point
/// at it.
#[derive(Clone, Debug)]
pub struct Expr {
    pub expr: Expression,
    pub file: Arc<SourceFile>,
    /// Where the expression is when the expression itself has no span (JSON files).
    pub fallback: Option<SourceRange>,
}

impl Expr {
    /// The source range of the expression.
    pub fn range(&self) -> Option<SourceRange> {
        use hcl_edit::Span;
        self.expr
            .span()
            .map(|s| self.file.range(s))
            .or_else(|| self.fallback.clone())
    }
}

/// A block body whose content the engine does not interpret itself (resource and provider
/// arguments, backend settings): attributes and nested blocks as written.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub attributes: IndexMap<String, Attribute>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub expr: Expr,
    pub range: Option<SourceRange>,
}

/// A nested block (or a `dynamic` block, kept as written with `kind == "dynamic"`).
#[derive(Clone, Debug)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub range: Option<SourceRange>,
}

/// One module directory.
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    pub files: Vec<Arc<SourceFile>>,
    pub terraform: TerraformSettings,
    pub variables: IndexMap<String, Variable>,
    pub locals: IndexMap<String, Local>,
    pub outputs: IndexMap<String, Output>,
    pub providers: Vec<ProviderConfig>,
    /// Managed resources and data sources by address (`aws_x.name`, `data.aws_x.name`).
    pub resources: IndexMap<String, Resource>,
    pub module_calls: IndexMap<String, ModuleCall>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub removed: Vec<Removed>,
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, Default)]
pub struct TerraformSettings {
    /// Each `required_version` constraint string with where it was written.
    pub required_versions: Vec<(String, Option<SourceRange>)>,
    pub required_providers: IndexMap<String, ProviderRequirement>,
    pub backend: Option<Backend>,
    /// Where a `cloud` block was written, if one was (terrane does not support it).
    pub cloud: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct ProviderRequirement {
    pub name: String,
    /// The source address as written, e.g. `hashicorp/azurerm`.
    pub source: Option<String>,
    pub version: Option<String>,
    pub configuration_aliases: Vec<String>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Backend {
    pub kind: String,
    pub config: Body,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    /// The type constraint; `any` when none was given.
    pub constraint: Constraint,
    /// Whether a value given as text (`-var`, `TF_VAR_name`) is taken literally as a string
    /// (no type constraint, or a primitive one) rather than parsed as an expression.
    pub literal_text_values: bool,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<CheckRule>,
    pub range: Option<SourceRange>,
}

/// A `validation`, `precondition` or `postcondition` block, or an `assert` of a check.
#[derive(Clone, Debug)]
pub struct CheckRule {
    pub condition: Expr,
    pub error_message: Expr,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<CheckRule>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub config: Body,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceMode {
    Managed,
    Data,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub mode: ResourceMode,
    pub ty: String,
    pub name: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// The provider configuration named by `provider = name.alias`, as written.
    pub provider: Option<(String, Option<String>)>,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Lifecycle,
    /// The remaining arguments and nested blocks, for the provider's schema.
    pub config: Body,
    pub range: Option<SourceRange>,
}

impl Resource {
    /// The resource's address in its module (`type.name` or `data.type.name`).
    pub fn address(&self) -> String {
        match self.mode {
            ResourceMode::Managed => format!("{}.{}", self.ty, self.name),
            ResourceMode::Data => format!("data.{}.{}", self.ty, self.name),
        }
    }
    /// The provider's local name: the resource type's prefix, or the `provider` argument.
    pub fn provider_name(&self) -> &str {
        if let Some((name, _)) = &self.provider {
            return name;
        }
        self.ty.split('_').next().unwrap_or(&self.ty)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: Option<bool>,
    pub prevent_destroy: Option<bool>,
    /// Attribute paths as written; `all` is the single entry `["all"]`.
    pub ignore_changes: Vec<Expr>,
    pub ignore_all_changes: bool,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<CheckRule>,
    pub postconditions: Vec<CheckRule>,
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub version: Option<String>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// `providers = { child = parent.alias }`, as written.
    pub providers: Vec<(String, String)>,
    pub depends_on: Vec<Expr>,
    /// The input variables given to the module.
    pub arguments: IndexMap<String, Attribute>,
    pub range: Option<SourceRange>,
    /// The loaded child module (local sources only).
    pub module: Option<Arc<Module>>,
}

#[derive(Clone, Debug)]
pub struct Moved {
    pub from: Expr,
    pub to: Expr,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Import {
    pub to: Expr,
    pub id: Expr,
    pub for_each: Option<Expr>,
    pub provider: Option<(String, Option<String>)>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Removed {
    pub from: Expr,
    /// `lifecycle { destroy = false }` keeps the object, only forgetting it.
    pub destroy: bool,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    /// An optional scoped data source read for the check.
    pub data: Vec<Resource>,
    pub asserts: Vec<CheckRule>,
    pub range: Option<SourceRange>,
}
