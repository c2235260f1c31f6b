//! Interpreting the blocks of one file: each kind of block into the structures of
//! [`crate::config`], with Terraform's diagnostics for what is wrong or unexpected.

use super::raw::{parse_expr_at, quote, range_text, RawAttr, RawBlock, RawBody};
use super::schema::{schema, suggestion, BodyKind};
use crate::config::{
    Attribute, Backend, Body, Check, CheckRule, Expr, Import, Lifecycle, Local, ModuleCall, Moved,
    Output, ProviderConfig, ProviderRequirement, Removed, Resource, ResourceMode, Variable,
};
use crate::convert::convert;
use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceRange};
use crate::typeexpr::{self, const_value, ConstErrorKind, Constraint};
use crate::value::{Type, Value};
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::Span;
use indexmap::IndexMap;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

const BAD_IDENTIFIER: &str = "A name must start with a letter or underscore and may \
                                         contain only letters, digits, underscores, and dashes.";

const STATIC_REFERENCE: &str = "A single static variable reference is required: only attribute \
                                access and indexing with constant keys. No calculations, \
                                function calls, template expressions, etc are allowed here.";

const COUNT_AND_FOR_EACH: &str = "The \"count\" and \"for_each\" meta-arguments are \
                                  mutually-exclusive, only one should be used to be explicit \
                                  about the number of resources to be created.";

/// Whether `name` is a valid identifier: a letter or underscore, then letters, digits,
/// underscores and dashes.
pub(super) fn valid_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// An item with the names of the optional arguments it was written with, which override
/// files need to know.
#[derive(Clone, Debug)]
pub(super) struct Decoded<T> {
    pub item: T,
    pub set: HashSet<String>,
}

/// One `required_providers` block.
#[derive(Clone, Debug)]
pub(super) struct RequiredProvidersBlock {
    pub entries: Vec<ProviderRequirement>,
    pub range: Option<SourceRange>,
}

/// Everything one file declares, before the files of a module are put together.
#[derive(Debug, Default)]
pub(super) struct FileItems {
    pub required_versions: Vec<(String, Option<SourceRange>)>,
    pub required_providers: Vec<RequiredProvidersBlock>,
    pub backends: Vec<Backend>,
    pub clouds: Vec<Option<SourceRange>>,
    pub providers: Vec<Decoded<ProviderConfig>>,
    pub variables: Vec<Decoded<Variable>>,
    pub locals: Vec<Local>,
    pub outputs: Vec<Decoded<Output>>,
    pub resources: Vec<Decoded<Resource>>,
    pub module_calls: Vec<Decoded<ModuleCall>>,
    /// Where each module call's `source` is written.
    pub module_sources: Vec<(String, Option<SourceRange>)>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub removed: Vec<Removed>,
    pub checks: Vec<Check>,
}

/// Decodes the top-level blocks of one file.
///
/// In an override file every argument is optional: what is not written is kept from the
/// base block.
pub(super) fn decode_file(
    body: &RawBody,
    file: &Arc<SourceFile>,
    is_override: bool,
    diags: &mut Diagnostics,
) -> FileItems {
    let mut decoder = Decoder {
        file,
        diags,
        context: None,
        is_override,
    };
    let mut items = FileItems::default();
    decoder.check_body(body, BodyKind::File);
    let file_schema = schema(BodyKind::File);
    for block in &body.blocks {
        let Some(spec) = file_schema.blocks.iter().find(|s| s.kind == block.kind) else {
            continue;
        };
        decoder.context = Some((block.header(), block.kind_range.clone()));
        if decoder.check_labels(block, spec.labels) {
            decoder.top_level_block(block, &mut items);
        }
        decoder.context = None;
    }
    items
}

/// Which references a list of references holds, for their particular rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum References {
    DependsOn,
    IgnoreChanges,
    ReplaceTriggeredBy,
}

struct Decoder<'a> {
    file: &'a Arc<SourceFile>,
    diags: &'a mut Diagnostics,
    /// The top-level block being decoded, and where it starts: diagnostics inside it name it.
    context: Option<(String, Option<SourceRange>)>,
    is_override: bool,
}

impl Decoder<'_> {
    fn push(&mut self, mut d: Diagnostic) {
        if let Some((header, start)) = &self.context {
            let at_start = match (&d.range, start) {
                (Some(r), Some(s)) => r.start.byte == s.start.byte,
                _ => false,
            };
            if !at_start {
                d = d.in_context(header.clone());
            }
        }
        self.diags.push(d);
    }

    fn error(
        &mut self,
        summary: impl Into<String>,
        detail: impl Into<String>,
        range: Option<SourceRange>,
    ) {
        self.push(Diagnostic::error(summary, detail).at(range));
    }

    fn warning(
        &mut self,
        summary: impl Into<String>,
        detail: impl Into<String>,
        range: Option<SourceRange>,
    ) {
        self.push(Diagnostic::warning(summary, detail).at(range));
    }

    fn span_range(&self, span: Option<Range<usize>>, fallback: &Expr) -> Option<SourceRange> {
        span.map(|s| self.file.range(s))
            .or_else(|| fallback.range())
    }

    /// Reports arguments and blocks the body does not accept, and required arguments it
    /// lacks.
    fn check_body(&mut self, body: &RawBody, kind: BodyKind) {
        let s = schema(kind);
        if !s.open && !s.just_attributes {
            for attr in &body.attrs {
                if !s.attrs.contains(&attr.name.as_str()) {
                    let mut detail = format!(
                        "An argument named {} is not expected here.",
                        quote(&attr.name)
                    );
                    if let Some(near) = suggestion(&attr.name, s.attrs) {
                        detail.push_str(&format!(" Did you mean {}?", quote(near)));
                    }
                    self.error("Unsupported argument", detail, attr.name_range.clone());
                }
            }
        }
        if !s.open {
            let kinds: Vec<&str> = s.blocks.iter().map(|b| b.kind).collect();
            for block in &body.blocks {
                if kinds.contains(&block.kind.as_str()) {
                    continue;
                }
                if s.just_attributes {
                    self.error(
                        format!("Unexpected {} block", quote(&block.kind)),
                        "Blocks are not allowed here.",
                        block.kind_range.clone(),
                    );
                } else {
                    let mut detail = format!(
                        "Blocks of type {} are not expected here.",
                        quote(&block.kind)
                    );
                    if let Some(near) = suggestion(&block.kind, &kinds) {
                        detail.push_str(&format!(" Did you mean {}?", quote(near)));
                    }
                    self.error("Unsupported block type", detail, block.kind_range.clone());
                }
            }
        }
        for required in s.required {
            if body.attr(required).is_none() && !self.is_override {
                self.error(
                    "Missing required argument",
                    format!(
                        "The argument {} is required, but no definition was found.",
                        quote(required)
                    ),
                    body.open_brace.clone(),
                );
            }
        }
    }

    /// Checks that a block has the labels its type needs.
    fn check_labels(&mut self, block: &RawBlock, names: &[&str]) -> bool {
        let kind = &block.kind;
        if block.labels.len() < names.len() {
            self.error(
                format!("Missing {} for {kind}", names[block.labels.len()]),
                format!(
                    "All {kind} blocks must have {} labels ({}).",
                    names.len(),
                    names.join(", ")
                ),
                block.body.open_brace.clone(),
            );
            return false;
        }
        if block.labels.len() > names.len() {
            let range = block.label_ranges.get(names.len()).cloned().flatten();
            let detail = if names.is_empty() {
                format!("No labels are expected for {kind} blocks.")
            } else {
                format!(
                    "Only {} labels ({}) are expected for {kind} blocks.",
                    names.len(),
                    names.join(", ")
                )
            };
            self.error(format!("Extraneous label for {kind}"), detail, range);
            return false;
        }
        true
    }

    /// Checks a nested block's labels against its specification in `parent`'s schema.
    fn nested_labels_ok(&mut self, block: &RawBlock, parent: BodyKind) -> bool {
        match schema(parent).blocks.iter().find(|s| s.kind == block.kind) {
            Some(spec) => self.check_labels(block, spec.labels),
            None => true,
        }
    }

    fn check_name(&mut self, block: &RawBlock, index: usize, summary: &str) {
        if !valid_identifier(&block.labels[index]) {
            self.error(summary, BAD_IDENTIFIER, block.label_ranges[index].clone());
        }
    }

    /// The constant value of an expression converted to `ty`, or `None` (with a
    /// diagnostic) when it has none. A null value is `None` without a diagnostic.
    fn static_value(&mut self, expr: &Expr, ty: &Type) -> Option<Value> {
        match const_value(&expr.expr) {
            Ok(v) if v.is_null() => None,
            Ok(v) => match convert(&v, ty) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(
                        "Unsuitable value type",
                        format!("Unsuitable value: {e}"),
                        expr.range(),
                    );
                    None
                }
            },
            Err(e) => {
                let range = self.span_range(e.span, expr);
                self.error(e.summary, e.detail, range);
                None
            }
        }
    }

    fn static_string(&mut self, expr: &Expr) -> Option<String> {
        self.static_value(expr, &Type::String)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    fn static_bool(&mut self, expr: &Expr) -> Option<bool> {
        self.static_value(expr, &Type::Bool)
            .and_then(|v| v.as_bool())
    }

    /// A reference written in quotes (Terraform 0.11 style): warns, and reads the quoted
    /// text as the reference it names.
    fn unquote_reference(&mut self, expr: &Expr) -> Expr {
        let (Expression::String(s), Some(span)) = (&expr.expr, expr.expr.span()) else {
            return expr.clone();
        };
        self.warning(
            "Quoted references are deprecated",
            "In this context, references are expected literally rather than in quotes. \
             Terraform 0.11 and earlier required quotes, but quoted references are now \
             deprecated and will be removed in a future version of Terraform. Remove the \
             quotes surrounding this reference to silence this warning.",
            expr.range(),
        );
        match parse_expr_at(s.value(), span.start + 1) {
            Ok(parsed) => Expr {
                expr: parsed,
                ..expr.clone()
            },
            Err(_) => expr.clone(),
        }
    }

    /// A list of references (`depends_on`, `ignore_changes`, `replace_triggered_by`).
    fn references(&mut self, attr: &RawAttr, kind: References) -> Vec<Expr> {
        let Expression::Array(items) = &attr.expr.expr else {
            self.error(
                "Invalid expression",
                "A static list expression is required.",
                attr.expr.range(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let item = Expr {
                expr: item.clone(),
                ..attr.expr.clone()
            };
            if kind == References::IgnoreChanges && item.expr.as_str() == Some("*") {
                self.error(
                    "Invalid ignore_changes wildcard",
                    "The [\"*\"] form of ignore_changes wildcard is was deprecated and is now \
                     invalid. Use \"ignore_changes = all\" to ignore changes to all attributes.",
                    item.range(),
                );
                continue;
            }
            let item = self.unquote_reference(&item);
            let constant_keys = kind != References::ReplaceTriggeredBy;
            if is_static_reference(&item.expr, constant_keys) {
                out.push(item);
            } else {
                self.error("Invalid expression", STATIC_REFERENCE, item.range());
            }
        }
        out
    }

    /// A provider configuration reference: `name` or `name.alias`.
    fn provider_ref(&mut self, attr: &RawAttr) -> Option<(String, Option<String>)> {
        let expr = self.unquote_reference(&attr.expr);
        let parts = reference_parts(&expr.expr);
        match parts.as_deref() {
            Some([name]) => Some((name.clone(), None)),
            Some([name, alias]) => Some((name.clone(), Some(alias.clone()))),
            _ => {
                self.error(
                    "Invalid provider configuration reference",
                    "The provider argument requires a provider type name, optionally followed \
                     by a period and then a configuration alias.",
                    expr.range(),
                );
                None
            }
        }
    }

    fn condition(&mut self, block: &RawBlock) -> Option<CheckRule> {
        if !self.check_labels(block, &[]) {
            return None;
        }
        self.check_body(&block.body, BodyKind::Condition);
        Some(CheckRule {
            condition: block.body.attr("condition")?.expr.clone(),
            error_message: block.body.attr("error_message")?.expr.clone(),
            range: block.def_range.clone(),
        })
    }

    fn count_and_for_each(&mut self, body: &RawBody) {
        if let (Some(_), Some(for_each)) = (body.attr("count"), body.attr("for_each")) {
            self.error(
                "Invalid combination of \"count\" and \"for_each\"",
                COUNT_AND_FOR_EACH,
                for_each.name_range.clone(),
            );
        }
    }

    fn top_level_block(&mut self, block: &RawBlock, items: &mut FileItems) {
        match block.kind.as_str() {
            "terraform" => self.terraform(block, items),
            "variable" => items.variables.push(self.variable(block)),
            "locals" => self.locals(block, items),
            "output" => items.outputs.push(self.output(block)),
            "provider" => items.providers.push(self.provider(block)),
            "resource" => items
                .resources
                .push(self.resource(block, ResourceMode::Managed)),
            "data" => items
                .resources
                .push(self.resource(block, ResourceMode::Data)),
            "module" => {
                let source_range = block.body.attr("source").and_then(|a| a.expr.range());
                items
                    .module_sources
                    .push((block.labels[0].clone(), source_range));
                items.module_calls.push(self.module_call(block));
            }
            "moved" => {
                self.check_body(&block.body, BodyKind::Moved);
                if let (Some(from), Some(to)) = (block.body.attr("from"), block.body.attr("to")) {
                    items.moved.push(Moved {
                        from: from.expr.clone(),
                        to: to.expr.clone(),
                        range: block.def_range.clone(),
                    });
                }
            }
            "import" => {
                if let Some(import) = self.import(block) {
                    items.imports.push(import);
                }
            }
            "removed" => {
                if let Some(removed) = self.removed(block) {
                    items.removed.push(removed);
                }
            }
            "check" => {
                if let Some(check) = self.check(block) {
                    items.checks.push(check);
                }
            }
            _ => {}
        }
    }

    fn terraform(&mut self, block: &RawBlock, items: &mut FileItems) {
        self.check_body(&block.body, BodyKind::Terraform);
        for attr in &block.body.attrs {
            match attr.name.as_str() {
                "required_version" => {
                    if let Some(v) = self.static_string(&attr.expr) {
                        items.required_versions.push((v, attr.expr.range()));
                    }
                }
                "experiments" => self.experiments(attr),
                _ => {}
            }
        }
        for nested in &block.body.blocks {
            if !self.nested_labels_ok(nested, BodyKind::Terraform) {
                continue;
            }
            match nested.kind.as_str() {
                "required_providers" => {
                    let entries = self.required_providers(nested);
                    items.required_providers.push(RequiredProvidersBlock {
                        entries,
                        range: nested.def_range.clone(),
                    });
                }
                "backend" => items.backends.push(Backend {
                    kind: nested.labels[0].clone(),
                    config: nested.body.to_body(),
                    range: nested.def_range.clone(),
                }),
                "cloud" => items.clouds.push(nested.def_range.clone()),
                _ => {}
            }
        }
    }

    fn experiments(&mut self, attr: &RawAttr) {
        let Expression::Array(items) = &attr.expr.expr else {
            self.error(
                "Invalid expression",
                "A static list expression is required.",
                attr.expr.range(),
            );
            return;
        };
        for item in items.iter() {
            let range = self.span_range(item.span(), &attr.expr);
            let Expression::Variable(name) = item else {
                self.error(
                    "Invalid experiment keyword",
                    "Must be a bare experiment keyword, not a string.",
                    range,
                );
                continue;
            };
            let name = name.as_str();
            let concluded = [
                "variable_validation",
                "module_variable_optional_attrs",
                "suppress_provider_sensitive_attrs",
                "provider_sensitive_attrs",
                "config_driven_move",
                "preconditions_postconditions",
            ];
            if concluded.contains(&name) {
                self.error(
                    "Experiment has concluded",
                    format!(
                        "Experiment {} is no longer available. The feature it introduced is \
                         part of the Terraform language now, or was abandoned.",
                        quote(name)
                    ),
                    range,
                );
            } else {
                self.error(
                    "Unknown experiment keyword",
                    format!(
                        "There is no current experiment with the keyword {}.",
                        quote(name)
                    ),
                    range,
                );
            }
        }
    }

    fn required_providers(&mut self, block: &RawBlock) -> Vec<ProviderRequirement> {
        self.check_body(&block.body, BodyKind::RequiredProviders);
        let mut out = Vec::new();
        for attr in &block.body.attrs {
            let mut req = ProviderRequirement {
                name: attr.name.clone(),
                source: None,
                version: None,
                configuration_aliases: Vec::new(),
                range: attr.range.clone(),
            };
            match &attr.expr.expr {
                Expression::Object(object) => {
                    for (key, value) in object.iter() {
                        let key_range = match key {
                            ObjectKey::Ident(i) => self.span_range(i.span(), &attr.expr),
                            ObjectKey::Expression(e) => self.span_range(e.span(), &attr.expr),
                        };
                        let value_expr = Expr {
                            expr: value.expr().clone(),
                            ..attr.expr.clone()
                        };
                        match object_key_name(key).as_deref() {
                            Some("source") => match const_value(value.expr()) {
                                Ok(Value::String(s)) => req.source = Some(s.to_string()),
                                _ => self.error(
                                    "Invalid source",
                                    "Source must be specified as a string.",
                                    value_expr.range(),
                                ),
                            },
                            Some("version") => match const_value(value.expr()) {
                                Ok(Value::String(s)) => req.version = Some(s.to_string()),
                                _ => self.error(
                                    "Invalid version constraint",
                                    "Version must be specified as a string.",
                                    value_expr.range(),
                                ),
                            },
                            Some("configuration_aliases") => {
                                req.configuration_aliases =
                                    self.configuration_aliases(&attr.name, &value_expr);
                            }
                            _ => self.error(
                                "Invalid required_providers object",
                                "required_providers objects can only contain \"version\", \
                                 \"source\" and \"configuration_aliases\" attributes. To \
                                 configure a provider, use a \"provider\" block.",
                                key_range,
                            ),
                        }
                    }
                }
                expr => match const_value(expr) {
                    Ok(Value::String(s)) => req.version = Some(s.to_string()),
                    _ => self.error(
                        "Invalid required_providers syntax",
                        "required_providers entries must be strings or objects.",
                        attr.expr.range(),
                    ),
                },
            }
            if !valid_identifier(&attr.name) {
                self.error(
                    "Invalid provider local name",
                    format!(
                        "{} is an invalid provider local name. {BAD_IDENTIFIER}",
                        quote(&attr.name)
                    ),
                    attr.name_range.clone(),
                );
            }
            out.push(req);
        }
        out
    }

    fn configuration_aliases(&mut self, provider: &str, expr: &Expr) -> Vec<String> {
        let Expression::Array(items) = &expr.expr else {
            self.error(
                "Invalid expression",
                "A static list expression is required.",
                expr.range(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let range = self.span_range(item.span(), expr);
            match reference_parts(item).as_deref() {
                Some([name, alias]) if name == provider => out.push(format!("{name}.{alias}")),
                _ => self.error(
                    "Invalid configuration_aliases value",
                    format!(
                        "Configuration aliases can only contain references to local provider \
                         configuration names in the format of {provider}.alias"
                    ),
                    range,
                ),
            }
        }
        out
    }

    fn variable(&mut self, block: &RawBlock) -> Decoded<Variable> {
        let name = block.labels[0].clone();
        let name_range = block.label_ranges[0].clone();
        if !valid_identifier(&name) {
            self.error("Invalid variable name", BAD_IDENTIFIER, name_range);
        } else if RESERVED_VARIABLE_NAMES.contains(&name.as_str()) {
            self.error(
                "Invalid variable name",
                format!(
                    "The variable name {} is reserved due to its special meaning inside module \
                     blocks.",
                    quote(&name)
                ),
                name_range,
            );
        }
        self.check_body(&block.body, BodyKind::Variable);
        let mut v = Variable {
            name,
            constraint: Constraint::Any,
            literal_text_values: true,
            default: None,
            description: None,
            sensitive: false,
            nullable: true,
            validations: Vec::new(),
            range: block.def_range.clone(),
        };
        let mut set = HashSet::new();
        for attr in &block.body.attrs {
            match attr.name.as_str() {
                "type" => match typeexpr::parse_spanned(&attr.expr.expr) {
                    Ok(c) => {
                        v.literal_text_values = c.ty().is_primitive();
                        v.constraint = c;
                    }
                    Err(errors) => {
                        for e in errors {
                            let range = self.span_range(e.span, &attr.expr);
                            self.error(e.summary, e.detail, range);
                        }
                    }
                },
                "default" => v.default = Some(attr.expr.clone()),
                "description" => v.description = self.static_string(&attr.expr),
                "sensitive" => v.sensitive = self.static_bool(&attr.expr).unwrap_or(false),
                "nullable" => v.nullable = self.static_bool(&attr.expr).unwrap_or(true),
                "ephemeral" => {
                    self.static_bool(&attr.expr);
                }
                _ => continue,
            }
            set.insert(attr.name.clone());
        }
        for nested in &block.body.blocks {
            if nested.kind == "validation" {
                if let Some(rule) = self.condition(nested) {
                    v.validations.push(rule);
                }
            }
        }
        if let Some(problem) = default_problem(&v) {
            let range = v.default.as_ref().and_then(Expr::range);
            match problem {
                DefaultProblem::NotConstant(summary, detail, span) => {
                    let range = span.map(|s| self.file.range(s)).or(range);
                    self.error(summary, detail, range);
                }
                DefaultProblem::Null => self.error(
                    "Invalid default value for variable",
                    "A null default value is not valid when nullable=false.",
                    range,
                ),
                DefaultProblem::Incompatible(e) => self.error(
                    "Invalid default value for variable",
                    format!(
                        "This default value is not compatible with the variable's type \
                         constraint: {e}."
                    ),
                    range,
                ),
            }
        }
        Decoded { item: v, set }
    }

    fn locals(&mut self, block: &RawBlock, items: &mut FileItems) {
        self.check_body(&block.body, BodyKind::Locals);
        for attr in &block.body.attrs {
            if !valid_identifier(&attr.name) {
                self.error(
                    "Invalid local value name",
                    BAD_IDENTIFIER,
                    attr.name_range.clone(),
                );
                continue;
            }
            items.locals.push(Local {
                name: attr.name.clone(),
                expr: attr.expr.clone(),
                range: attr.range.clone(),
            });
        }
    }

    fn output(&mut self, block: &RawBlock) -> Decoded<Output> {
        self.check_name(block, 0, "Invalid output name");
        self.check_body(&block.body, BodyKind::Output);
        let value = match block.body.attr("value") {
            Some(attr) => attr.expr.clone(),
            None => Expr {
                expr: Expression::null(),
                file: self.file.clone(),
                fallback: block.def_range.clone(),
            },
        };
        let mut o = Output {
            name: block.labels[0].clone(),
            value,
            description: None,
            sensitive: false,
            depends_on: Vec::new(),
            preconditions: Vec::new(),
            range: block.def_range.clone(),
        };
        let mut set = HashSet::new();
        for attr in &block.body.attrs {
            match attr.name.as_str() {
                "description" => o.description = self.static_string(&attr.expr),
                "sensitive" => o.sensitive = self.static_bool(&attr.expr).unwrap_or(false),
                "depends_on" => o.depends_on = self.references(attr, References::DependsOn),
                "ephemeral" => {
                    self.static_bool(&attr.expr);
                }
                _ => {}
            }
            set.insert(attr.name.clone());
        }
        for nested in &block.body.blocks {
            if nested.kind == "precondition" {
                if let Some(rule) = self.condition(nested) {
                    o.preconditions.push(rule);
                }
            }
        }
        Decoded { item: o, set }
    }

    fn provider(&mut self, block: &RawBlock) -> Decoded<ProviderConfig> {
        self.check_body(&block.body, BodyKind::Provider);
        let mut p = ProviderConfig {
            name: block.labels[0].clone(),
            alias: None,
            config: Body::default(),
            range: block.def_range.clone(),
        };
        let mut set = HashSet::new();
        for attr in &block.body.attrs {
            match attr.name.as_str() {
                "alias" => {
                    if let Some(alias) = self.static_string(&attr.expr) {
                        if !valid_identifier(&alias) {
                            self.error(
                                "Invalid provider configuration alias",
                                format!("An alias must be a valid name. {BAD_IDENTIFIER}"),
                                attr.expr.range(),
                            );
                        }
                        p.alias = Some(alias);
                    }
                }
                "version" => self.warning(
                    "Version constraints inside provider configuration blocks are deprecated",
                    "Terraform 0.13 and earlier allowed provider version constraints inside the \
                     provider configuration block, but that is now deprecated and will be \
                     removed in a future version of Terraform. To silence this warning, move \
                     the provider version constraint into the required_providers block.",
                    attr.expr.range(),
                ),
                _ => {
                    p.config
                        .attributes
                        .insert(attr.name.clone(), to_attribute(attr));
                }
            }
            set.insert(attr.name.clone());
        }
        p.config.blocks = block.body.blocks.iter().map(RawBlock::to_block).collect();
        Decoded { item: p, set }
    }

    fn resource(&mut self, block: &RawBlock, mode: ResourceMode) -> Decoded<Resource> {
        let (kind, type_summary, name_summary) = match mode {
            ResourceMode::Managed => (
                BodyKind::Resource,
                "Invalid resource type name",
                "Invalid resource name",
            ),
            ResourceMode::Data => (
                BodyKind::Data,
                "Invalid data source name",
                "Invalid data resource name",
            ),
        };
        self.check_name(block, 0, type_summary);
        self.check_name(block, 1, name_summary);
        self.check_body(&block.body, kind);
        self.count_and_for_each(&block.body);
        let mut r = Resource {
            mode,
            ty: block.labels[0].clone(),
            name: block.labels[1].clone(),
            count: None,
            for_each: None,
            provider: None,
            depends_on: Vec::new(),
            lifecycle: Lifecycle::default(),
            config: Body::default(),
            range: block.def_range.clone(),
        };
        let mut set = HashSet::new();
        for attr in &block.body.attrs {
            match attr.name.as_str() {
                "count" => r.count = Some(attr.expr.clone()),
                "for_each" => r.for_each = Some(attr.expr.clone()),
                "provider" => r.provider = self.provider_ref(attr),
                "depends_on" => r.depends_on = self.references(attr, References::DependsOn),
                _ => {
                    r.config
                        .attributes
                        .insert(attr.name.clone(), to_attribute(attr));
                }
            }
            set.insert(attr.name.clone());
        }
        let mut lifecycle_range: Option<Option<SourceRange>> = None;
        for nested in &block.body.blocks {
            if !self.nested_labels_ok(nested, kind) {
                continue;
            }
            if nested.kind != "lifecycle" {
                r.config.blocks.push(nested.to_block());
                continue;
            }
            if let Some(previous) = &lifecycle_range {
                self.error(
                    "Duplicate lifecycle block",
                    format!(
                        "This resource already has a lifecycle block at {}.",
                        range_text(previous)
                    ),
                    nested.def_range.clone(),
                );
                continue;
            }
            lifecycle_range = Some(nested.def_range.clone());
            self.lifecycle(nested, mode, &mut r.lifecycle, &mut set);
        }
        Decoded { item: r, set }
    }

    fn lifecycle(
        &mut self,
        block: &RawBlock,
        mode: ResourceMode,
        lifecycle: &mut Lifecycle,
        set: &mut HashSet<String>,
    ) {
        self.check_body(&block.body, BodyKind::Lifecycle);
        for attr in &block.body.attrs {
            if mode == ResourceMode::Data {
                self.error(
                    "Invalid data resource lifecycle argument",
                    format!(
                        "The lifecycle argument {} is defined only for managed resources \
                         (\"resource\" blocks), and is not valid for data resources.",
                        quote(&attr.name)
                    ),
                    attr.name_range.clone(),
                );
                continue;
            }
            match attr.name.as_str() {
                "create_before_destroy" => {
                    lifecycle.create_before_destroy = self.static_bool(&attr.expr);
                }
                "prevent_destroy" => lifecycle.prevent_destroy = self.static_bool(&attr.expr),
                "ignore_changes" => {
                    if matches!(&attr.expr.expr, Expression::Variable(v) if v.as_str() == "all") {
                        lifecycle.ignore_all_changes = true;
                        lifecycle.ignore_changes = vec![attr.expr.clone()];
                    } else {
                        lifecycle.ignore_changes = self.references(attr, References::IgnoreChanges);
                    }
                }
                "replace_triggered_by" => {
                    lifecycle.replace_triggered_by =
                        self.references(attr, References::ReplaceTriggeredBy);
                }
                _ => continue,
            }
            set.insert(format!("lifecycle.{}", attr.name));
        }
        for nested in &block.body.blocks {
            let rule = match nested.kind.as_str() {
                "precondition" | "postcondition" => self.condition(nested),
                _ => None,
            };
            if let Some(rule) = rule {
                if nested.kind == "precondition" {
                    lifecycle.preconditions.push(rule);
                } else {
                    lifecycle.postconditions.push(rule);
                }
            }
        }
    }

    fn module_call(&mut self, block: &RawBlock) -> Decoded<ModuleCall> {
        self.check_name(block, 0, "Invalid module instance name");
        self.check_body(&block.body, BodyKind::Module);
        self.count_and_for_each(&block.body);
        let mut m = ModuleCall {
            name: block.labels[0].clone(),
            source: String::new(),
            version: None,
            count: None,
            for_each: None,
            providers: Vec::new(),
            depends_on: Vec::new(),
            arguments: IndexMap::new(),
            range: block.def_range.clone(),
            module: None,
        };
        let mut set = HashSet::new();
        for attr in &block.body.attrs {
            match attr.name.as_str() {
                "source" => m.source = self.static_string(&attr.expr).unwrap_or_default(),
                "version" => m.version = self.static_string(&attr.expr),
                "count" => m.count = Some(attr.expr.clone()),
                "for_each" => m.for_each = Some(attr.expr.clone()),
                "providers" => m.providers = self.module_providers(attr),
                "depends_on" => m.depends_on = self.references(attr, References::DependsOn),
                _ => {
                    m.arguments.insert(attr.name.clone(), to_attribute(attr));
                }
            }
            set.insert(attr.name.clone());
        }
        Decoded { item: m, set }
    }

    fn module_providers(&mut self, attr: &RawAttr) -> Vec<(String, String)> {
        let Expression::Object(object) = &attr.expr.expr else {
            self.error(
                "Invalid expression",
                "A static map expression is required.",
                attr.expr.range(),
            );
            return Vec::new();
        };
        let detail = "The providers argument requires a provider type name, optionally \
                      followed by a period and then a configuration alias.";
        let mut out = Vec::new();
        for (key, value) in object.iter() {
            let key_text = match key {
                ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                ObjectKey::Expression(e) => match e {
                    Expression::String(s) => Some(s.value().to_string()),
                    e => reference_parts(e).map(|p| p.join(".")),
                },
            };
            let value = Expr {
                expr: value.expr().clone(),
                ..attr.expr.clone()
            };
            let value = self.unquote_reference(&value);
            let value_text = match reference_parts(&value.expr).as_deref() {
                Some(parts @ ([_] | [_, _])) => Some(parts.join(".")),
                _ => None,
            };
            match (key_text, value_text) {
                (Some(k), Some(v)) => out.push((k, v)),
                (None, _) => {
                    let range = match key {
                        ObjectKey::Ident(i) => self.span_range(i.span(), &attr.expr),
                        ObjectKey::Expression(e) => self.span_range(e.span(), &attr.expr),
                    };
                    self.error("Invalid provider configuration reference", detail, range);
                }
                (_, None) => {
                    self.error(
                        "Invalid provider configuration reference",
                        detail,
                        value.range(),
                    );
                }
            }
        }
        out
    }

    fn import(&mut self, block: &RawBlock) -> Option<Import> {
        self.check_body(&block.body, BodyKind::Import);
        let body = &block.body;
        let provider = body.attr("provider").and_then(|a| self.provider_ref(a));
        Some(Import {
            to: body.attr("to")?.expr.clone(),
            id: body.attr("id")?.expr.clone(),
            for_each: body.attr("for_each").map(|a| a.expr.clone()),
            provider,
            range: block.def_range.clone(),
        })
    }

    fn removed(&mut self, block: &RawBlock) -> Option<Removed> {
        self.check_body(&block.body, BodyKind::Removed);
        let mut destroy = true;
        for nested in &block.body.blocks {
            if !self.nested_labels_ok(nested, BodyKind::Removed) || nested.kind != "lifecycle" {
                continue;
            }
            self.check_body(&nested.body, BodyKind::RemovedLifecycle);
            if let Some(attr) = nested.body.attr("destroy") {
                destroy = self.static_bool(&attr.expr).unwrap_or(true);
            }
        }
        Some(Removed {
            from: block.body.attr("from")?.expr.clone(),
            destroy,
            range: block.def_range.clone(),
        })
    }

    fn check(&mut self, block: &RawBlock) -> Option<Check> {
        self.check_name(block, 0, "Invalid check block name");
        self.check_body(&block.body, BodyKind::Check);
        let mut check = Check {
            name: block.labels[0].clone(),
            data: Vec::new(),
            asserts: Vec::new(),
            range: block.def_range.clone(),
        };
        for nested in &block.body.blocks {
            if !self.nested_labels_ok(nested, BodyKind::Check) {
                continue;
            }
            match nested.kind.as_str() {
                "data" => {
                    if let Some(previous) = check.data.first() {
                        self.error(
                            "Multiple data resource blocks",
                            format!(
                                "This check block already has a data resource defined at {}.",
                                range_text(&previous.range)
                            ),
                            nested.def_range.clone(),
                        );
                        continue;
                    }
                    check
                        .data
                        .push(self.resource(nested, ResourceMode::Data).item);
                }
                "assert" => {
                    if let Some(rule) = self.condition(nested) {
                        check.asserts.push(rule);
                    }
                }
                _ => {}
            }
        }
        if check.asserts.is_empty() {
            self.error(
                "Zero assert blocks",
                "Check blocks must have at least one assert block.",
                block.def_range.clone(),
            );
        }
        Some(check)
    }
}

/// Names a variable may not have, because module blocks give them another meaning.
const RESERVED_VARIABLE_NAMES: &[&str] = &[
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

/// What is wrong with a variable's default value, when that can be known at load time.
pub(super) enum DefaultProblem {
    NotConstant(String, String, Option<Range<usize>>),
    Null,
    Incompatible(String),
}

/// Checks a variable's default against its type constraint and nullability. Defaults that
/// terrane cannot evaluate without the evaluator are left for it.
pub(super) fn default_problem(v: &Variable) -> Option<DefaultProblem> {
    let default = v.default.as_ref()?;
    match const_value(&default.expr) {
        Ok(value) if value.is_null() => (!v.nullable).then_some(DefaultProblem::Null),
        Ok(value) => v
            .constraint
            .convert(&value)
            .err()
            .map(DefaultProblem::Incompatible),
        Err(e) if e.kind == ConstErrorKind::NotAllowed => {
            Some(DefaultProblem::NotConstant(e.summary, e.detail, e.span))
        }
        Err(_) => None,
    }
}

fn to_attribute(attr: &RawAttr) -> Attribute {
    Attribute {
        name: attr.name.clone(),
        expr: attr.expr.clone(),
        range: attr.range.clone(),
    }
}

/// The name an object key stands for: a bare name or a quoted string.
fn object_key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str().to_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().to_string()),
        ObjectKey::Expression(Expression::Variable(v)) => Some(v.as_str().to_string()),
        ObjectKey::Expression(_) => None,
    }
}

/// The names of a reference made only of a root name and attribute accesses
/// (`aws.east` is `["aws", "east"]`).
fn reference_parts(expr: &Expression) -> Option<Vec<String>> {
    match expr {
        Expression::Variable(v) => Some(vec![v.as_str().to_string()]),
        Expression::Traversal(t) => {
            let mut parts = reference_parts(&t.expr).filter(|p| p.len() == 1)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(name) => parts.push(name.as_str().to_string()),
                    _ => return None,
                }
            }
            Some(parts)
        }
        _ => None,
    }
}

/// Whether an expression is a static reference: a root name followed by attribute
/// accesses and indexes (with constant keys when `constant_keys`).
fn is_static_reference(expr: &Expression, constant_keys: bool) -> bool {
    match expr {
        Expression::Variable(_) => true,
        Expression::Traversal(t) => {
            matches!(t.expr, Expression::Variable(_))
                && t.operators.iter().all(|op| match op.value() {
                    TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_) => true,
                    TraversalOperator::Index(key) => !constant_keys || const_value(key).is_ok(),
                    _ => false,
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(valid_identifier("a-b_c1"));
        assert!(valid_identifier("_x"));
        assert!(!valid_identifier("1bad"));
        assert!(!valid_identifier("a.b"));
        assert!(!valid_identifier(""));
    }
}
