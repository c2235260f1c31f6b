//! Evaluation of a whole module tree: input variables (conversion, defaults, validation),
//! locals, module calls expanded by `count`/`for_each`, and outputs.
//!
//! Named values are computed on demand and memoised (each local, output and module call is
//! evaluated at most once per module instance), the way OpenTofu's newer evaluator works,
//! rather than through a chain of graph transformations. Time is linear in the size of the
//! expanded configuration, and a cycle is reported naming every member.

use super::expr::{evaluate, Reference, Resolver};
use crate::config::{Expr, Module, ModuleCall, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::functions::{FileAccess, FnContext};
use crate::value::{Type, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

/// Whether values are real (apply, console) or only checked (validate: every input variable
/// and resource is an unknown value of its type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Validate,
    Apply,
}

/// What evaluating a configuration needs from outside.
#[derive(Clone)]
pub struct Settings {
    pub mode: Mode,
    pub workspace: String,
    /// The working directory: relative paths of file functions start here, and
    /// `path.module` is relative to it.
    pub cwd: PathBuf,
    pub files: Arc<dyn FileAccess>,
    pub plan_timestamp: String,
}

/// What gives resources their values: the planner (planned objects) or the applier (new
/// objects). Without one, every resource is an unknown value (validate, console).
pub trait ResourceHook {
    /// The value of one instance of a resource (managed or data) in the module instance at
    /// `module_path`; `resolver` evaluates the resource's own expressions (with `count.index`
    /// or `each` set for this instance).
    fn instance(
        &self,
        module_path: &str,
        module: &Module,
        resource: &crate::config::Resource,
        key: &InstanceKey,
        resolver: &dyn Resolver,
    ) -> Result<Value, Diagnostic>;
}

/// A diagnostic already reported once: dependents fail without repeating it.
pub(crate) fn already_reported() -> Diagnostic {
    Diagnostic::error("", "")
}

fn is_already_reported(d: &Diagnostic) -> bool {
    d.summary.is_empty()
}

enum Slot {
    InProgress,
    Done(Result<Value, ()>),
}

/// How a module instance was called.
struct Call {
    /// Weak: the parent holds its children, so a strong pointer back would be a cycle that
    /// leaks the whole instance tree.
    parent: std::rc::Weak<Instance>,
    /// The parent's configuration, for the call's arguments.
    parent_config: Arc<Module>,
    /// The name of the `module` block in the parent.
    name: String,
    key: InstanceKey,
}

impl Call {
    fn config(&self) -> &ModuleCall {
        &self.parent_config.module_calls[&self.name]
    }
}

/// The key of one instance of a counted or `for_each` module or resource.
#[derive(Clone, Debug)]
pub enum InstanceKey {
    None,
    Index(i64),
    Key(String, Value),
}

impl InstanceKey {
    fn suffix(&self) -> String {
        match self {
            InstanceKey::None => String::new(),
            InstanceKey::Index(i) => format!("[{i}]"),
            InstanceKey::Key(k, _) => format!("[{k:?}]"),
        }
    }
}

/// One instance of a module, with its memoised named values.
pub struct Instance {
    config: Arc<Module>,
    /// `module.a["x"].module.b`, empty for the root.
    pub path: String,
    call: Option<Call>,
    shared: Rc<Shared>,
    root_vars: BTreeMap<String, Value>,
    locals: RefCell<HashMap<String, Slot>>,
    variables: RefCell<HashMap<String, Slot>>,
    outputs: RefCell<HashMap<String, Slot>>,
    module_calls: RefCell<HashMap<String, Slot>>,
    resources: RefCell<HashMap<String, Slot>>,
    children: RefCell<HashMap<String, Vec<Rc<Instance>>>>,
}

/// What every instance of one evaluation shares.
struct Shared {
    settings: Settings,
    diags: RefCell<Diagnostics>,
    /// Names being evaluated, for reporting cycles.
    stack: RefCell<Vec<String>>,
    /// Module configurations whose references were checked already (by address).
    checked: RefCell<std::collections::HashSet<usize>>,
    hook: Option<Rc<dyn ResourceHook>>,
}

/// The outcome of evaluating a configuration.
pub struct Evaluation {
    pub root: Rc<Instance>,
    pub diagnostics: Diagnostics,
}

impl Evaluation {
    /// Evaluates an expression as if written in the root module (for `console`).
    pub fn evaluate_in_root(&self, expr: &Expr) -> Result<Value, Diagnostic> {
        evaluate(&self.root.scope(), expr)
    }

    /// Decodes a block body of the root module (a provider configuration) with a schema.
    pub fn decode_in_root(
        &self,
        body: &crate::config::Body,
        schema: &crate::provider::Block,
    ) -> Result<Value, Diagnostics> {
        crate::plan::decode::decode_body(&self.root.scope(), body, schema)
    }

    /// The root module's outputs, in declaration order, with their sensitivity.
    pub fn root_outputs(&self) -> Vec<(String, Value, bool)> {
        let mut out = Vec::new();
        for (name, o) in &self.root.config.outputs {
            if let Ok(v) = self.root.output(name) {
                out.push((name.clone(), v, o.sensitive));
            }
        }
        out
    }
}

/// Evaluates every named value of a module tree. `root_vars` are the root module's input
/// values as given (before type conversion); in validate mode they are ignored.
pub fn evaluate_tree(
    config: Arc<Module>,
    root_vars: BTreeMap<String, Value>,
    settings: Settings,
) -> Evaluation {
    evaluate_tree_with(config, root_vars, settings, None)
}

/// Evaluates a module tree where resources get their values from `hook`; every resource
/// instance of the expanded tree is passed to it once.
pub fn evaluate_tree_with(
    config: Arc<Module>,
    root_vars: BTreeMap<String, Value>,
    settings: Settings,
    hook: Option<Rc<dyn ResourceHook>>,
) -> Evaluation {
    let shared = Rc::new(Shared {
        hook,
        settings,
        diags: RefCell::new(Diagnostics::new()),
        stack: RefCell::new(Vec::new()),
        checked: RefCell::new(std::collections::HashSet::new()),
    });
    let root = Rc::new(Instance::new(
        config,
        String::new(),
        None,
        shared.clone(),
        root_vars,
    ));
    root.evaluate_all();
    let mut diagnostics = std::mem::take(&mut *shared.diags.borrow_mut());
    let mut seen = std::collections::HashSet::new();
    diagnostics.0.retain(|d| {
        let at = d.range.as_ref().map(|r| (r.filename.clone(), r.start.byte));
        seen.insert((d.summary.clone(), d.detail.clone(), at))
    });
    Evaluation { root, diagnostics }
}

impl Instance {
    fn new(
        config: Arc<Module>,
        path: String,
        call: Option<Call>,
        shared: Rc<Shared>,
        root_vars: BTreeMap<String, Value>,
    ) -> Instance {
        Instance {
            config,
            path,
            call,
            shared,
            root_vars,
            locals: RefCell::default(),
            variables: RefCell::default(),
            outputs: RefCell::default(),
            module_calls: RefCell::default(),
            resources: RefCell::default(),
            children: RefCell::default(),
        }
    }

    fn settings(&self) -> &Settings {
        &self.shared.settings
    }

    fn fn_context(&self) -> FnContext<'_> {
        let s = self.settings();
        FnContext {
            base_dir: &s.cwd,
            files: &*s.files,
            plan_timestamp: &s.plan_timestamp,
        }
    }

    fn report(&self, d: Diagnostic) {
        if !is_already_reported(&d) {
            self.shared.diags.borrow_mut().push(d);
        }
    }

    fn scope(self: &Rc<Self>) -> Scope<'_> {
        Scope {
            inst: self,
            count: None,
            each: None,
            in_resource: None,
            unknown_resources: false,
        }
    }

    /// Evaluates everything the module tree declares, reporting each problem once.
    fn evaluate_all(self: &Rc<Self>) {
        if self
            .shared
            .checked
            .borrow_mut()
            .insert(Arc::as_ptr(&self.config) as usize)
        {
            self.validate_blocks();
        }
        for name in self.config.variables.keys() {
            let _ = self.variable(name);
        }
        for name in self.config.locals.keys() {
            let _ = self.local(name);
        }
        for name in self.config.module_calls.keys() {
            let _ = self.module_call(name);
            let children = self
                .children
                .borrow()
                .get(name)
                .cloned()
                .unwrap_or_default();
            for child in children {
                child.evaluate_all();
            }
        }
        if self.shared.hook.is_some() {
            for addr in self.config.resources.keys() {
                let _ = self.resource(addr);
            }
        }
        for name in self.config.outputs.keys() {
            let _ = self.output(name);
        }
    }

    /// The value of a resource (`type.name` or `data.type.name`): the object of a single
    /// instance, a tuple of them for `count`, an object of them for `for_each`.
    fn resource(self: &Rc<Self>, addr: &str) -> Result<Value, Diagnostic> {
        let Some(hook) = self.shared.hook.clone() else {
            return Ok(Value::dynamic_unknown());
        };
        let res = &self.config.resources[addr];
        self.memo(&self.resources, "", addr, || {
            let context = match res.mode {
                ResourceMode::Managed => format!("resource {:?} {:?}", res.ty, res.name),
                ResourceMode::Data => format!("data {:?} {:?}", res.ty, res.name),
            };
            let keys = self.expansion(res.count.as_ref(), res.for_each.as_ref(), &context)?;
            let Some(keys) = keys else {
                return Ok(Value::dynamic_unknown());
            };
            let mut values = Vec::with_capacity(keys.len());
            for key in &keys {
                let mut scope = self.call_scope(key);
                scope.in_resource = Some(res.address());
                let v = hook
                    .instance(&self.path, &self.config, res, key, &scope)
                    .map_err(|d| d.in_context(context.clone()))?;
                values.push(v);
            }
            Ok(match (&res.count, &res.for_each) {
                (None, None) => values.pop().unwrap_or(Value::dynamic_unknown()),
                (Some(_), _) => Value::tuple(values),
                (_, Some(_)) => Value::object(
                    keys.iter()
                        .zip(values)
                        .map(|(k, v)| match k {
                            InstanceKey::Key(k, _) => (k.clone(), v),
                            _ => (String::new(), v),
                        })
                        .collect(),
                ),
            })
        })
    }

    /// Runs `compute` for a named value once, guarding against cycles.
    fn memo(
        &self,
        table: &RefCell<HashMap<String, Slot>>,
        kind: &str,
        name: &str,
        compute: impl FnOnce() -> Result<Value, Diagnostic>,
    ) -> Result<Value, Diagnostic> {
        match table.borrow().get(name) {
            Some(Slot::Done(Ok(v))) => return Ok(v.clone()),
            Some(Slot::Done(Err(()))) => return Err(already_reported()),
            Some(Slot::InProgress) => {
                let stack = self.shared.stack.borrow();
                let me = self.label(kind, name);
                let start = stack.iter().position(|s| *s == me).unwrap_or(0);
                let members: Vec<String> = stack[start..].to_vec();
                return Err(Diagnostic::error(
                    "Cycle in configuration",
                    format!(
                        "These values refer to each other, so none of them can be evaluated: {}.",
                        members.join(", ")
                    ),
                ));
            }
            None => {}
        }
        table
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        self.shared.stack.borrow_mut().push(self.label(kind, name));
        let result = compute();
        self.shared.stack.borrow_mut().pop();
        let stored = match &result {
            Ok(v) => Ok(v.clone()),
            Err(d) => {
                self.report(d.clone());
                Err(())
            }
        };
        table
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(stored));
        result.map_err(|_| already_reported())
    }

    /// How a named value is shown in a cycle report (`local.a`, `module.m.aws_x.y`).
    fn label(&self, kind: &str, name: &str) -> String {
        if kind.is_empty() {
            format!("{}{name}", self.prefix())
        } else {
            format!("{}{kind}.{name}", self.prefix())
        }
    }

    fn prefix(&self) -> String {
        if self.path.is_empty() {
            String::new()
        } else {
            format!("{}.", self.path)
        }
    }

    fn local(self: &Rc<Self>, name: &str) -> Result<Value, Diagnostic> {
        let Some(local) = self.config.locals.get(name) else {
            return Err(Diagnostic::error(
                "Reference to undeclared local value",
                format!("A local value with the name {name:?} has not been declared."),
            ));
        };
        self.memo(&self.locals, "local", name, || {
            evaluate(&self.scope(), &local.expr).map_err(|d| d.in_context("locals"))
        })
    }

    fn variable(self: &Rc<Self>, name: &str) -> Result<Value, Diagnostic> {
        let Some(var) = self.config.variables.get(name) else {
            return Err(Diagnostic::error(
                "Reference to undeclared input variable",
                format!("An input variable with the name {name:?} has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."),
            ));
        };
        self.memo(&self.variables, "var", name, || {
            let context = format!("variable {name:?}");
            if self.settings().mode == Mode::Validate {
                return Ok(Value::Unknown(var.constraint.ty()).mark_if(var.sensitive));
            }
            let given: Option<(Value, Option<crate::diag::SourceRange>)> = match &self.call {
                None => self.root_vars.get(name).map(|v| (v.clone(), var.range.clone())),
                Some(call) => match call.config().arguments.get(name) {
                    Some(arg) => {
                        let parent = call.parent.upgrade().ok_or_else(|| {
                            Diagnostic::error("Module instance gone", "The calling module instance no longer exists.")
                        })?;
                        let scope = parent.call_scope(&call.key);
                        Some((evaluate(&scope, &arg.expr)?, arg.expr.range()))
                    }
                    None => None,
                },
            };
            let value = match given {
                Some((v, _)) if !(v.is_null() && !var.nullable && var.default.is_some()) => v,
                _ => match &var.default {
                    Some(d) => evaluate(&self.scope(), d).map_err(|e| e.in_context(context.clone()))?,
                    None => {
                        return Err(match &self.call {
                            None => Diagnostic::error(
                                "No value for required variable",
                                format!("The root module input variable {name:?} is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable."),
                            )
                            .at(var.range.clone()),
                            Some(call) => Diagnostic::error(
                                "Missing required argument",
                                format!("The argument {name:?} is required, but no definition was found."),
                            )
                            .at(call.config().range.clone()),
                        })
                    }
                },
            };
            if value.is_null() && !var.nullable {
                return Err(Diagnostic::error(
                    "Invalid value for variable",
                    format!("The given value is not suitable for var.{name}: required variable may not be set to null."),
                )
                .at(var.range.clone()));
            }
            let value = var.constraint.convert(&value).map_err(|e| {
                Diagnostic::error(
                    "Invalid value for input variable",
                    format!("The given value is not suitable for var.{name} declared at {}: {e}.", var.range.as_ref().map(|r| format!("{}:{},{}", r.filename, r.start.line, r.start.column)).unwrap_or_default()),
                )
                .at(var.range.clone())
            })?;
            let value = value.mark_if(var.sensitive);
            for rule in &var.validations {
                let scope = ValidationScope { inst: self, name, value: &value };
                let ok = evaluate(&scope, &rule.condition).map_err(|d| d.in_context(context.clone()))?;
                let (ok, _) = ok.into_unmarked();
                if !ok.is_known() {
                    continue;
                }
                if ok.is_null() || ok.as_bool().is_none() {
                    return Err(Diagnostic::error(
                        "Invalid variable validation result",
                        "The validation condition must return true or false.",
                    )
                    .at(rule.condition.range()));
                }
                if ok.as_bool() == Some(false) {
                    let msg = evaluate(&scope, &rule.error_message)
                        .ok()
                        .and_then(|m| m.unmark().0.as_str().map(str::to_owned))
                        .unwrap_or_else(|| "Invalid value for variable.".into());
                    return Err(Diagnostic::error(
                        "Invalid value for variable",
                        format!("{msg}\n\nThis was checked by the validation rule at {}.", rule.range.as_ref().map(|r| format!("{}:{},{}", r.filename, r.start.line, r.start.column)).unwrap_or_default()),
                    )
                    .at(var.range.clone()));
                }
            }
            Ok(value)
        })
    }

    /// The value of an output of this instance.
    pub fn output(self: &Rc<Self>, name: &str) -> Result<Value, Diagnostic> {
        let Some(out) = self.config.outputs.get(name) else {
            return Err(Diagnostic::error(
                "Unsupported attribute",
                format!("This module has no output named {name:?}."),
            ));
        };
        self.memo(&self.outputs, "output", name, || {
            let context = format!("output {name:?}");
            for rule in &out.preconditions {
                self.check_rule(rule, "Module output value precondition failed", &context)?;
            }
            let v = evaluate(&self.scope(), &out.value).map_err(|d| d.in_context(context.clone()))?;
            if self.call.is_none()
                && self.settings().mode == Mode::Apply
                && !out.sensitive
                && v.contains_sensitive()
            {
                return Err(Diagnostic::error(
                    "Output refers to sensitive values",
                    "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
                )
                .at(out.value.range())
                .in_context(context));
            }
            Ok(v.mark_if(out.sensitive))
        })
    }

    fn check_rule(
        self: &Rc<Self>,
        rule: &crate::config::CheckRule,
        summary: &str,
        context: &str,
    ) -> Result<(), Diagnostic> {
        let ok = evaluate(&self.scope(), &rule.condition)
            .map_err(|d| d.in_context(context.to_string()))?;
        let (ok, _) = ok.into_unmarked();
        if ok.is_known() && ok.as_bool() == Some(false) {
            let msg = evaluate(&self.scope(), &rule.error_message)
                .ok()
                .and_then(|m| m.unmark().0.as_str().map(str::to_owned))
                .unwrap_or_default();
            return Err(Diagnostic::error(summary, msg)
                .at(rule.condition.range())
                .in_context(context.to_string()));
        }
        Ok(())
    }

    /// A scope for the arguments of a module call instance.
    fn call_scope(self: &Rc<Self>, key: &InstanceKey) -> Scope<'_> {
        let mut s = self.scope();
        match key {
            InstanceKey::None => {}
            InstanceKey::Index(i) => s.count = Some(Value::int(*i)),
            InstanceKey::Key(k, v) => s.each = Some((Value::string(k.as_str()), v.clone())),
        }
        s
    }

    /// The value of `module.NAME`: an object of outputs, or a tuple/object of them for
    /// counted and `for_each` calls.
    fn module_call(self: &Rc<Self>, name: &str) -> Result<Value, Diagnostic> {
        let Some(call) = self.config.module_calls.get(name) else {
            return Err(Diagnostic::error(
                "Reference to undeclared module",
                format!(
                    "No module call named {name:?} is declared in {}.",
                    if self.path.is_empty() {
                        "the root module".to_string()
                    } else {
                        self.path.clone()
                    }
                ),
            ));
        };
        let me = self.clone();
        self.memo(&self.module_calls, "module", name, || {
            let context = format!("module {name:?}");
            let Some(child_config) = call.module.clone() else {
                // Not loaded (a non-local source): the loader has reported why.
                return Ok(Value::dynamic_unknown());
            };
            let keys = self.expansion(call.count.as_ref(), call.for_each.as_ref(), &context)?;
            let Some(keys) = keys else {
                return Ok(Value::dynamic_unknown());
            };
            let mut instances = Vec::new();
            for key in &keys {
                let path = format!("{}module.{name}{}", self.prefix(), key.suffix());
                let child = Rc::new(Instance::new(
                    child_config.clone(),
                    path,
                    Some(Call {
                        parent: Rc::downgrade(&me),
                        parent_config: me.config.clone(),
                        name: name.to_string(),
                        key: key.clone(),
                    }),
                    self.shared.clone(),
                    BTreeMap::new(),
                ));
                instances.push(child);
            }
            for arg in call.arguments.keys() {
                if !child_config.variables.contains_key(arg) {
                    return Err(Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named {arg:?} is not expected here."),
                    )
                    .at(call.arguments[arg].range.clone()));
                }
            }
            self.children
                .borrow_mut()
                .insert(name.to_string(), instances.clone());
            let object_of = |inst: &Rc<Instance>| -> Result<Value, Diagnostic> {
                if self.settings().mode == Mode::Validate {
                    let attrs = inst
                        .config
                        .outputs
                        .keys()
                        .map(|k| (k.clone(), Value::dynamic_unknown()))
                        .collect();
                    return Ok(Value::object(attrs));
                }
                let mut attrs = BTreeMap::new();
                for out in inst.config.outputs.keys() {
                    attrs.insert(out.clone(), inst.output(out)?);
                }
                Ok(Value::object(attrs))
            };
            match (&call.count, &call.for_each) {
                (None, None) => object_of(&instances[0]),
                (Some(_), _) => Ok(Value::tuple(
                    instances
                        .iter()
                        .map(object_of)
                        .collect::<Result<Vec<_>, _>>()?,
                )),
                (_, Some(_)) => {
                    let mut m = BTreeMap::new();
                    for (key, inst) in keys.iter().zip(instances.iter()) {
                        if let InstanceKey::Key(k, _) = key {
                            m.insert(k.clone(), object_of(inst)?);
                        }
                    }
                    Ok(Value::object(m))
                }
            }
        })
    }

    /// The instance keys of a `count` or `for_each`; `None` when they are not known yet.
    fn expansion(
        self: &Rc<Self>,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
        context: &str,
    ) -> Result<Option<Vec<InstanceKey>>, Diagnostic> {
        if let Some(c) = count {
            let v = evaluate(&self.scope(), c).map_err(|d| d.in_context(context.to_string()))?;
            let (v, _) = v.into_unmarked();
            if !v.is_known() {
                if self.settings().mode == Mode::Validate {
                    return Ok(Some(vec![InstanceKey::Index(0)]));
                }
                return Err(Diagnostic::error(
                    "Invalid count argument",
                    "The \"count\" value depends on values that cannot be determined until apply.",
                )
                .at(c.range()));
            }
            let n = crate::convert::convert(&v, &Type::Number)
                .ok()
                .filter(|n| !n.is_null())
                .and_then(|n| n.as_number().and_then(|n| n.to_i64()));
            let Some(n) = n else {
                return Err(Diagnostic::error(
                    "Invalid count argument",
                    "The given \"count\" argument value is unsuitable: a whole number is required.",
                )
                .at(c.range()));
            };
            if n < 0 {
                return Err(Diagnostic::error("Invalid count argument", "The given \"count\" argument value is unsuitable: must be greater than or equal to zero.").at(c.range()));
            }
            return Ok(Some((0..n).map(InstanceKey::Index).collect()));
        }
        if let Some(fe) = for_each {
            let v = evaluate(&self.scope(), fe).map_err(|d| d.in_context(context.to_string()))?;
            if v.is_sensitive() {
                return Err(Diagnostic::error("Invalid for_each argument", "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.").at(fe.range()));
            }
            if !v.is_known() {
                if self.settings().mode == Mode::Validate {
                    return Ok(Some(vec![InstanceKey::Key(
                        String::new(),
                        Value::dynamic_unknown(),
                    )]));
                }
                return Err(Diagnostic::error("Invalid for_each argument", "The \"for_each\" value depends on resource attributes that cannot be determined until apply, so Terraform cannot predict how many instances will be created.").at(fe.range()));
            }
            if v.is_null() {
                return Err(Diagnostic::error("Invalid for_each argument", "The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.").at(fe.range()));
            }
            let keys = match &v {
                Value::Map(_, m) | Value::Object(m) => m.iter().map(|(k, v)| InstanceKey::Key(k.clone(), v.clone())).collect(),
                Value::Set(t, e) => {
                    if *t != Type::String && *t != Type::Dynamic {
                        return Err(Diagnostic::error("Invalid for_each set argument", format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", t.friendly_name())).at(fe.range()));
                    }
                    let mut keys = Vec::new();
                    for e in e.iter() {
                        match e.unmark().0 {
                            Value::String(s) => keys.push(InstanceKey::Key(s.to_string(), e.clone())),
                            _ => return Err(Diagnostic::error("Invalid for_each argument", "The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.").at(fe.range())),
                        }
                    }
                    keys
                }
                _ => {
                    return Err(Diagnostic::error("Invalid for_each argument", format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", v.ty().friendly_name())).at(fe.range()))
                }
            };
            return Ok(Some(keys));
        }
        Ok(Some(vec![InstanceKey::None]))
    }

    /// Checks a module configuration once: every reference anywhere in it must name
    /// something declared, and the expressions of resources, providers and checks are
    /// evaluated with unknown resource values so that function calls in them are checked.
    fn validate_blocks(self: &Rc<Self>) {
        for res in self.config.resources.values() {
            let context = match res.mode {
                ResourceMode::Managed => format!("resource {:?} {:?}", res.ty, res.name),
                ResourceMode::Data => format!("data {:?} {:?}", res.ty, res.name),
            };
            let mut scope = self.scope();
            scope.in_resource = Some(res.address());
            scope.unknown_resources = true;
            if let Some(c) = &res.count {
                self.check_expr(&scope, c, &context);
                scope.count = Some(Value::Unknown(Type::Number));
            }
            if let Some(fe) = &res.for_each {
                self.check_expr(&scope, fe, &context);
                scope.each = Some((Value::Unknown(Type::String), Value::dynamic_unknown()));
            }
            for d in &res.depends_on {
                self.check_reference_expr(&scope, d, &context);
            }
            self.check_body(&scope, &res.config, &context, &[]);
            for rule in res
                .lifecycle
                .preconditions
                .iter()
                .chain(&res.lifecycle.postconditions)
            {
                self.check_expr(&scope, &rule.condition, &context);
                self.check_expr(&scope, &rule.error_message, &context);
            }
            for e in &res.lifecycle.replace_triggered_by {
                self.check_reference_expr(&scope, e, &context);
            }
        }
        for p in &self.config.providers {
            let context = format!("provider {:?}", p.name);
            self.check_body(&self.scope(), &p.config, &context, &[]);
        }
        for check in &self.config.checks {
            let context = format!("check {:?}", check.name);
            for rule in &check.asserts {
                self.check_expr(&self.scope(), &rule.condition, &context);
                self.check_expr(&self.scope(), &rule.error_message, &context);
            }
        }
        for (name, local) in &self.config.locals {
            let _ = name;
            self.check_references(&local.expr, "locals", &[]);
        }
        for (name, call) in &self.config.module_calls {
            let context = format!("module {name:?}");
            for e in call
                .count
                .iter()
                .chain(call.for_each.iter())
                .chain(call.arguments.values().map(|a| &a.expr))
            {
                self.check_references(e, &context, &[]);
            }
            for d in &call.depends_on {
                self.check_reference_expr(&self.scope(), d, &context);
            }
        }
        for (name, out) in &self.config.outputs {
            let context = format!("output {name:?}");
            self.check_references(&out.value, &context, &[]);
            for d in &out.depends_on {
                self.check_reference_expr(&self.scope(), d, &context);
            }
        }
    }

    fn check_expr(self: &Rc<Self>, scope: &Scope, e: &Expr, context: &str) {
        self.check_references(e, context, &[]);
        if let Err(d) = evaluate(scope, e) {
            self.report(d.in_context(context.to_string()));
        }
    }

    /// Reports references to undeclared things anywhere in an expression, taken branch or
    /// not, as Terraform checks references before evaluating.
    fn check_references(self: &Rc<Self>, e: &Expr, context: &str, ignore: &[&str]) {
        for found in super::references::references(&e.expr, ignore) {
            let declared = match found.reference {
                Reference::Var(n) => self.config.variables.contains_key(n),
                Reference::Local(n) => self.config.locals.contains_key(n),
                Reference::Module(n) => self.config.module_calls.contains_key(n),
                Reference::Resource { ty, name } => {
                    self.config.resources.contains_key(&format!("{ty}.{name}"))
                }
                Reference::Data { ty, name } => self
                    .config
                    .resources
                    .contains_key(&format!("data.{ty}.{name}")),
                _ => true,
            };
            if !declared {
                if let Err(d) = self.undeclared(found.reference) {
                    let range = found.span.map(|s| e.file.range(s)).or_else(|| e.range());
                    self.report(d.at(range).in_context(context.to_string()));
                }
            }
        }
    }

    /// The diagnostic for a reference to something not declared in this module.
    fn undeclared(self: &Rc<Self>, reference: Reference) -> Result<(), Diagnostic> {
        self.scope().resolve(reference).map(|_| ())
    }

    /// `depends_on` and similar lists hold references only; each must name something that
    /// exists.
    fn check_reference_expr(self: &Rc<Self>, scope: &Scope, e: &Expr, context: &str) {
        self.check_expr(scope, e, context);
    }

    fn check_body(
        self: &Rc<Self>,
        resolver: &dyn Resolver,
        body: &crate::config::Body,
        context: &str,
        ignore: &[&str],
    ) {
        for attr in body.attributes.values() {
            self.check_references(&attr.expr, context, ignore);
            if let Err(d) = evaluate(resolver, &attr.expr) {
                self.report(d.in_context(context.to_string()));
            }
        }
        for block in &body.blocks {
            if block.kind != "dynamic" {
                self.check_body(resolver, &block.body, context, ignore);
                continue;
            }
            if let Some(fe) = block.body.attributes.get("for_each") {
                self.check_references(&fe.expr, context, ignore);
                if let Err(d) = evaluate(resolver, &fe.expr) {
                    self.report(d.in_context(context.to_string()));
                }
            }
            let iterator = block
                .body
                .attributes
                .get("iterator")
                .and_then(|a| match &a.expr.expr {
                    hcl_edit::expr::Expression::Variable(v) => Some(v.as_str().to_string()),
                    _ => None,
                })
                .or_else(|| block.labels.first().cloned())
                .unwrap_or_default();
            let inner = IteratorResolver {
                base: resolver,
                name: &iterator,
            };
            let mut inner_ignore: Vec<&str> = ignore.to_vec();
            inner_ignore.push(&iterator);
            for content in block.body.blocks.iter().filter(|b| b.kind == "content") {
                self.check_body(&inner, &content.body, context, &inner_ignore);
            }
        }
    }
}

/// A resolver that adds a `dynamic` block's iterator (a resource-type-like name with `key`
/// and `value` attributes) to a scope.
struct IteratorResolver<'r> {
    base: &'r dyn Resolver,
    name: &'r str,
}

impl Resolver for IteratorResolver<'_> {
    fn resolve(&self, reference: Reference) -> Result<Value, Diagnostic> {
        if let Reference::Resource { ty, name } = reference {
            if ty == self.name {
                return match name {
                    "key" | "value" => Ok(Value::dynamic_unknown()),
                    _ => Err(Diagnostic::error(
                        "Unsupported attribute",
                        format!(
                            "The iterator {ty:?} has only the attributes \"key\" and \"value\"."
                        ),
                    )),
                };
            }
        }
        self.base.resolve(reference)
    }
    fn fn_context(&self) -> FnContext<'_> {
        self.base.fn_context()
    }
}

/// What an expression in a module instance can see.
pub struct Scope<'i> {
    inst: &'i Rc<Instance>,
    count: Option<Value>,
    each: Option<(Value, Value)>,
    /// The address of the resource whose body is being checked, for `self` and errors.
    in_resource: Option<String>,
    /// Resources and data sources are unknown values, as in Terraform's validate walk: a
    /// block is checked whether or not it has instances, without indexing into real ones.
    unknown_resources: bool,
}

impl Resolver for Scope<'_> {
    fn resolve(&self, reference: Reference) -> Result<Value, Diagnostic> {
        let inst = self.inst;
        match reference {
            Reference::Var(name) => inst.variable(name),
            Reference::Local(name) => inst.local(name),
            Reference::Module(name) => inst.module_call(name),
            Reference::Resource { ty, name } => {
                let addr = format!("{ty}.{name}");
                match inst.config.resources.get(&addr) {
                    Some(_) if self.unknown_resources => Ok(Value::dynamic_unknown()),
                    Some(_) => inst.resource(&addr),
                    None => Err(Diagnostic::error(
                        "Reference to undeclared resource",
                        format!("A managed resource {ty:?} {name:?} has not been declared in {}.", inst.module_name()),
                    )),
                }
            }
            Reference::Data { ty, name } => {
                let addr = format!("data.{ty}.{name}");
                match inst.config.resources.get(&addr) {
                    Some(_) if self.unknown_resources => Ok(Value::dynamic_unknown()),
                    Some(_) => inst.resource(&addr),
                    None => Err(Diagnostic::error(
                        "Reference to undeclared resource",
                        format!("A data resource {ty:?} {name:?} has not been declared in {}.", inst.module_name()),
                    )),
                }
            }
            Reference::Count(attr) => match (attr, &self.count) {
                ("index", Some(v)) => Ok(v.clone()),
                ("index", None) => Err(Diagnostic::error(
                    "Reference to \"count\" in non-counted context",
                    "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                )),
                _ => Err(Diagnostic::error("Invalid \"count\" attribute", format!("The \"count\" object does not have an attribute named {attr:?}. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set."))),
            },
            Reference::Each(attr) => match (attr, &self.each) {
                ("key", Some((k, _))) => Ok(k.clone()),
                ("value", Some((_, v))) => Ok(v.clone()),
                ("key" | "value", None) => Err(Diagnostic::error(
                    "Reference to \"each\" in context without for_each",
                    "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                )),
                _ => Err(Diagnostic::error("Invalid \"each\" attribute", format!("The \"each\" object does not have an attribute named {attr:?}. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set."))),
            },
            Reference::Path(attr) => match attr {
                "module" => Ok(Value::string(inst.module_path())),
                "root" => Ok(Value::string(".")),
                "cwd" => Ok(Value::string(inst.settings().cwd.to_string_lossy().as_ref())),
                _ => Err(Diagnostic::error("Invalid \"path\" attribute", format!("The \"path\" object does not have an attribute named {attr:?}. The supported attributes are path.cwd, the current working directory, path.module, the path to the current module, and path.root, the path to the root module."))),
            },
            Reference::Terraform(attr) => match attr {
                "workspace" => Ok(Value::string(inst.settings().workspace.as_str())),
                _ => Err(Diagnostic::error("Invalid \"terraform\" attribute", format!("The \"terraform\" object does not have an attribute named {attr:?}. The only supported attribute is terraform.workspace, the name of the currently-selected workspace."))),
            },
            Reference::SelfRef => match &self.in_resource {
                Some(_) => Ok(Value::dynamic_unknown()),
                None => Err(Diagnostic::error("Invalid \"self\" reference", "The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.")),
            },
        }
    }

    fn fn_context(&self) -> FnContext<'_> {
        self.inst.fn_context()
    }
}

/// The scope of a variable validation rule: `var.NAME` is the value being validated.
struct ValidationScope<'i> {
    inst: &'i Rc<Instance>,
    name: &'i str,
    value: &'i Value,
}

impl Resolver for ValidationScope<'_> {
    fn resolve(&self, reference: Reference) -> Result<Value, Diagnostic> {
        match reference {
            Reference::Var(n) if n == self.name => Ok(self.value.clone()),
            other => self.inst.scope().resolve(other),
        }
    }
    fn fn_context(&self) -> FnContext<'_> {
        self.inst.fn_context()
    }
}

impl Instance {
    fn module_name(&self) -> String {
        if self.path.is_empty() {
            "the root module".into()
        } else {
            self.path.clone()
        }
    }

    /// `path.module`: the module's directory relative to the working directory.
    fn module_path(&self) -> String {
        let dir = &self.config.dir;
        let rel = dir.strip_prefix(&self.settings().cwd).unwrap_or(dir);
        let s = rel.to_string_lossy().to_string();
        if s.is_empty() {
            ".".into()
        } else {
            s
        }
    }
}
