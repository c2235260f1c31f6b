//! Putting the files of a module together: the primary files side by side (with checks for
//! duplicate declarations), then each override file merged into what they declared, with
//! Terraform's override rules.

use super::decode::{default_problem, Decoded, DefaultProblem, FileItems};
use super::raw::{quote, range_text};
use crate::config::{Body, Module, ModuleCall, Output, ProviderConfig, Resource, Variable};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use std::collections::HashSet;

/// Builds a module from its primary files and its override files, each in lexical order.
/// Returns where each module call's `source` is written.
pub(super) fn assemble(
    module: &mut Module,
    primaries: Vec<FileItems>,
    overrides: Vec<FileItems>,
    diags: &mut Diagnostics,
) -> Vec<(String, Option<SourceRange>)> {
    let mut sources = Vec::new();
    let mut required_providers_at: Option<Option<SourceRange>> = None;
    for file in &primaries {
        for block in &file.required_providers {
            if let Some(previous) = &required_providers_at {
                diags.push(
                    Diagnostic::error(
                        "Duplicate required providers configuration",
                        format!(
                            "A module may have only one required providers configuration. The \
                             required providers were previously configured at {}.",
                            range_text(previous)
                        ),
                    )
                    .at(block.range.clone()),
                );
                continue;
            }
            required_providers_at = Some(block.range.clone());
            for entry in &block.entries {
                module
                    .terraform
                    .required_providers
                    .insert(entry.name.clone(), entry.clone());
            }
        }
    }
    for file in &overrides {
        for block in &file.required_providers {
            for entry in &block.entries {
                module
                    .terraform
                    .required_providers
                    .insert(entry.name.clone(), entry.clone());
            }
        }
    }
    for file in primaries {
        sources.extend(file.module_sources.iter().cloned());
        append_file(module, file, diags);
    }
    for file in overrides {
        for (name, range) in &file.module_sources {
            if let Some(entry) = sources.iter_mut().find(|(n, _)| n == name) {
                entry.1 = range.clone();
            }
        }
        merge_file(module, file, diags);
    }
    sources
}

fn duplicate(summary: String, detail: String, range: Option<SourceRange>) -> Diagnostic {
    Diagnostic::error(summary, detail).at(range)
}

fn append_file(module: &mut Module, file: FileItems, diags: &mut Diagnostics) {
    let settings = &mut module.terraform;
    settings.required_versions.extend(file.required_versions);
    for backend in file.backends {
        if let Some(existing) = &settings.backend {
            diags.push(duplicate(
                "Duplicate backend configuration".into(),
                format!(
                    "A module may have only one backend configuration. The backend was \
                     previously configured at {}.",
                    range_text(&existing.range)
                ),
                backend.range,
            ));
            continue;
        }
        settings.backend = Some(backend);
    }
    for cloud in file.clouds {
        if settings.cloud.is_some() {
            diags.push(duplicate(
                "Duplicate Terraform Cloud configurations".into(),
                format!(
                    "A module may have only one 'cloud' block configuring Terraform Cloud. \
                     Terraform Cloud was previously configured at {}.",
                    range_text(&settings.cloud)
                ),
                cloud,
            ));
            continue;
        }
        settings.cloud = cloud;
        if settings.cloud.is_none() {
            settings.cloud = Some(placeholder_range());
        }
    }
    if let (Some(backend), Some(cloud)) = (&settings.backend, &settings.cloud) {
        diags.push(duplicate(
            "Both a backend and Terraform Cloud configuration are present".into(),
            format!(
                "A module may declare either one 'cloud' block configuring Terraform Cloud OR \
                 one 'backend' block configuring a state backend. Terraform Cloud is \
                 configured at {}; a backend is configured at {}. Remove the backend block to \
                 configure Terraform Cloud.",
                range_text(&Some(cloud.clone())),
                range_text(&backend.range)
            ),
            backend.range.clone(),
        ));
    }
    for Decoded { item: p, .. } in file.providers {
        let existing = module
            .providers
            .iter()
            .find(|e| e.name == p.name && e.alias == p.alias);
        if let Some(existing) = existing {
            let detail = match &existing.alias {
                None => format!(
                    "A default (non-aliased) provider configuration for {} was already given \
                     at {}. If multiple configurations are required, set the \"alias\" \
                     argument for alternative configurations.",
                    quote(&existing.name),
                    range_text(&existing.range)
                ),
                Some(alias) => format!(
                    "A provider configuration for {} with alias {} was already given at {}. \
                     Each configuration for the same provider must have a distinct alias.",
                    quote(&existing.name),
                    quote(alias),
                    range_text(&existing.range)
                ),
            };
            diags.push(duplicate(
                "Duplicate provider configuration".into(),
                detail,
                p.range,
            ));
            continue;
        }
        module.providers.push(p);
    }
    for Decoded { item: v, .. } in file.variables {
        if let Some(existing) = module.variables.get(&v.name) {
            diags.push(duplicate(
                "Duplicate variable declaration".into(),
                format!(
                    "A variable named {} was already declared at {}. Variable names must be \
                     unique within a module.",
                    quote(&v.name),
                    range_text(&existing.range)
                ),
                v.range,
            ));
            continue;
        }
        module.variables.insert(v.name.clone(), v);
    }
    for l in file.locals {
        if let Some(existing) = module.locals.get(&l.name) {
            diags.push(
                duplicate(
                    "Duplicate local value definition".into(),
                    format!(
                        "A local value named {} was already defined at {}. Local value names must \
                     be unique within a module.",
                        quote(&l.name),
                        range_text(&existing.range)
                    ),
                    l.range,
                )
                .in_context("locals"),
            );
            continue;
        }
        module.locals.insert(l.name.clone(), l);
    }
    for Decoded { item: o, .. } in file.outputs {
        if let Some(existing) = module.outputs.get(&o.name) {
            diags.push(duplicate(
                "Duplicate output definition".into(),
                format!(
                    "An output named {} was already defined at {}. Output names must be unique \
                     within a module.",
                    quote(&o.name),
                    range_text(&existing.range)
                ),
                o.range,
            ));
            continue;
        }
        module.outputs.insert(o.name.clone(), o);
    }
    for Decoded { item: m, .. } in file.module_calls {
        if let Some(existing) = module.module_calls.get(&m.name) {
            diags.push(duplicate(
                "Duplicate module call".into(),
                format!(
                    "A module call named {} was already defined at {}. Module calls must have \
                     unique names within a module.",
                    quote(&m.name),
                    range_text(&existing.range)
                ),
                m.range,
            ));
            continue;
        }
        module.module_calls.insert(m.name.clone(), m);
    }
    for Decoded { item: r, .. } in file.resources {
        if let Some(d) = duplicate_resource(module, &r, "") {
            diags.push(d);
            continue;
        }
        module.resources.insert(r.address(), r);
    }
    for check in file.checks {
        let mut ok = true;
        for data in &check.data {
            if let Some(d) = duplicate_resource(module, data, ", including within check blocks") {
                diags.push(d);
                ok = false;
            }
        }
        if let Some(existing) = module.checks.iter().find(|c| c.name == check.name) {
            diags.push(duplicate(
                format!("Duplicate check {} configuration", quote(&check.name)),
                format!(
                    "A check block named {} was already declared at {}. Check blocks must be \
                     unique within each module.",
                    quote(&check.name),
                    range_text(&existing.range)
                ),
                check.range.clone(),
            ));
            ok = false;
        }
        if ok {
            module.checks.push(check);
        }
    }
    module.moved.extend(file.moved);
    module.imports.extend(file.imports);
    module.removed.extend(file.removed);
}

/// A range standing for a `cloud` block whose position is unknown.
fn placeholder_range() -> SourceRange {
    SourceRange {
        filename: "".into(),
        start: Default::default(),
        end: Default::default(),
    }
}

fn duplicate_resource(module: &Module, r: &Resource, extra: &str) -> Option<Diagnostic> {
    let address = r.address();
    let existing = module.resources.get(&address).or_else(|| {
        module
            .checks
            .iter()
            .flat_map(|c| c.data.iter())
            .find(|d| d.address() == address)
    })?;
    let (word, noun) = match r.mode {
        crate::config::ResourceMode::Managed => ("resource", "resource"),
        crate::config::ResourceMode::Data => ("data", "data resource"),
    };
    Some(duplicate(
        format!("Duplicate {word} {} configuration", quote(&r.ty)),
        format!(
            "A {} {noun} named {} was already declared at {}. Resource names must be unique \
             per type in each module{extra}.",
            r.ty,
            quote(&r.name),
            range_text(&existing.range)
        ),
        r.range.clone(),
    ))
}

fn merge_file(module: &mut Module, file: FileItems, diags: &mut Diagnostics) {
    let settings = &mut module.terraform;
    if !file.required_versions.is_empty() {
        settings.required_versions = file.required_versions;
    }
    let mut backends = file.backends.into_iter();
    if let Some(backend) = backends.next() {
        settings.cloud = None;
        let first = backend.range.clone();
        settings.backend = Some(backend);
        if let Some(second) = backends.next() {
            diags.push(duplicate(
                "Duplicate backend configuration".into(),
                format!(
                    "Each override file may have only one backend configuration. A backend was \
                     previously configured at {}.",
                    range_text(&first)
                ),
                second.range,
            ));
        }
    }
    let mut clouds = file.clouds.into_iter();
    if let Some(cloud) = clouds.next() {
        settings.backend = None;
        settings.cloud = Some(cloud.clone().unwrap_or_else(placeholder_range));
        if let Some(second) = clouds.next() {
            diags.push(duplicate(
                "Duplicate Terraform Cloud configurations".into(),
                format!(
                    "A module may have only one 'cloud' block configuring Terraform Cloud. \
                     Terraform Cloud was previously configured at {}.",
                    range_text(&cloud)
                ),
                second,
            ));
        }
    }
    for p in file.providers {
        let existing = module
            .providers
            .iter_mut()
            .find(|e| e.name == p.item.name && e.alias == p.item.alias);
        match (existing, &p.item.alias) {
            (Some(existing), _) => merge_provider(existing, &p),
            (None, None) => module.providers.push(p.item),
            (None, Some(alias)) => diags.push(duplicate(
                "Missing base provider configuration for override".into(),
                format!(
                    "There is no {} provider configuration with the alias {}. An override file \
                     can only override an aliased provider configuration that was already \
                     defined in a primary configuration file.",
                    p.item.name,
                    quote(alias)
                ),
                p.item.range.clone(),
            )),
        }
    }
    for v in file.variables {
        match module.variables.get_mut(&v.item.name) {
            Some(existing) => merge_variable(existing, &v, diags),
            None => diags.push(duplicate(
                "Missing base variable declaration to override".into(),
                format!(
                    "There is no variable named {}. An override file can only override a \
                     variable that was already declared in a primary configuration file.",
                    quote(&v.item.name)
                ),
                v.item.range.clone(),
            )),
        }
    }
    for l in file.locals {
        match module.locals.get_mut(&l.name) {
            Some(existing) => *existing = l,
            None => diags.push(
                duplicate(
                    "Missing base local value definition to override".into(),
                    format!(
                        "There is no local value named {}. An override file can only override a \
                     local value that was already defined in a primary configuration file.",
                        quote(&l.name)
                    ),
                    l.range.clone(),
                )
                .in_context("locals"),
            ),
        }
    }
    for o in file.outputs {
        match module.outputs.get_mut(&o.item.name) {
            Some(existing) => merge_output(existing, &o, diags),
            None => diags.push(duplicate(
                "Missing base output definition to override".into(),
                format!(
                    "There is no output named {}. An override file can only override an output \
                     that was already defined in a primary configuration file.",
                    quote(&o.item.name)
                ),
                o.item.range.clone(),
            )),
        }
    }
    for m in file.module_calls {
        match module.module_calls.get_mut(&m.item.name) {
            Some(existing) => merge_module_call(existing, &m, diags),
            None => diags.push(duplicate(
                "Missing module call to override".into(),
                format!(
                    "There is no module call named {}. An override file can only override a \
                     module call that was defined in a primary configuration file.",
                    quote(&m.item.name)
                ),
                m.item.range.clone(),
            )),
        }
    }
    for r in file.resources {
        match module.resources.get_mut(&r.item.address()) {
            Some(existing) => merge_resource(existing, &r, diags),
            None => {
                let (summary, detail) = match r.item.mode {
                    crate::config::ResourceMode::Managed => (
                        "Missing resource to override",
                        format!(
                            "There is no {} resource named {}. An override file can only \
                             override a resource block defined in a primary configuration file.",
                            r.item.ty,
                            quote(&r.item.name)
                        ),
                    ),
                    crate::config::ResourceMode::Data => (
                        "Missing data resource to override",
                        format!(
                            "There is no {} data resource named {}. An override file can only \
                             override a data block defined in a primary configuration file.",
                            r.item.ty,
                            quote(&r.item.name)
                        ),
                    ),
                };
                diags.push(duplicate(summary.into(), detail, r.item.range.clone()));
            }
        }
    }
    for m in file.moved {
        diags.push(duplicate(
            "Cannot override 'moved' blocks".into(),
            "Records of moved objects can appear only in normal files, not in override files."
                .into(),
            m.range,
        ));
    }
    for i in file.imports {
        diags.push(duplicate(
            "Cannot override 'import' blocks".into(),
            "Import blocks can appear only in normal files, not in override files.".into(),
            i.range,
        ));
    }
    for r in file.removed {
        diags.push(duplicate(
            "Cannot override 'removed' blocks".into(),
            "Removed blocks can appear only in normal files, not in override files.".into(),
            r.range,
        ));
    }
}

/// Merges an override body into a base body: arguments replace arguments of the same name;
/// nested blocks of a type the override has (directly or as `dynamic` blocks) replace all
/// the base's blocks of that type.
pub(super) fn merge_bodies(base: &mut Body, over: &Body) {
    for (name, attr) in &over.attributes {
        base.attributes.insert(name.clone(), attr.clone());
    }
    let block_type = |b: &crate::config::Block| -> String {
        if b.kind == "dynamic" {
            b.labels.first().cloned().unwrap_or_default()
        } else {
            b.kind.clone()
        }
    };
    let replaced: HashSet<String> = over.blocks.iter().map(block_type).collect();
    base.blocks.retain(|b| !replaced.contains(&block_type(b)));
    base.blocks.extend(over.blocks.iter().cloned());
}

fn merge_provider(base: &mut ProviderConfig, over: &Decoded<ProviderConfig>) {
    merge_bodies(&mut base.config, &over.item.config);
}

fn merge_variable(base: &mut Variable, over: &Decoded<Variable>, diags: &mut Diagnostics) {
    let set = |name: &str| over.set.contains(name);
    let o = &over.item;
    if set("description") {
        base.description = o.description.clone();
    }
    if set("sensitive") {
        base.sensitive = o.sensitive;
    }
    if set("default") {
        base.default = o.default.clone();
    }
    if set("type") {
        base.constraint = o.constraint.clone();
    }
    if set("nullable") {
        base.nullable = o.nullable;
    }
    let detail = match default_problem(base) {
        Some(DefaultProblem::Null) => {
            "A null default value is not valid when nullable=false.".to_string()
        }
        Some(DefaultProblem::Incompatible(e)) => match (set("type"), set("default")) {
            (true, false) => format!(
                "Overriding this variable's type constraint has made its default value \
                 invalid: {e}."
            ),
            (false, true) => format!(
                "The overridden default value for this variable is not compatible with the \
                 variable's type constraint: {e}."
            ),
            _ => format!("This default value is not compatible with its type constraint: {e}."),
        },
        _ => return,
    };
    diags.push(duplicate(
        "Invalid default value for variable".into(),
        detail,
        o.range.clone(),
    ));
}

fn depends_on_override(range: Option<SourceRange>) -> Diagnostic {
    Diagnostic::error(
        "Unsupported override",
        "The depends_on argument may not be overridden.",
    )
    .at(range)
}

fn merge_output(base: &mut Output, over: &Decoded<Output>, diags: &mut Diagnostics) {
    let o = &over.item;
    if o.description.as_deref().is_some_and(|d| !d.is_empty()) {
        base.description = o.description.clone();
    }
    if over.set.contains("value") {
        base.value = o.value.clone();
    }
    if over.set.contains("sensitive") {
        base.sensitive = o.sensitive;
    }
    if let Some(first) = o.depends_on.first() {
        diags.push(
            depends_on_override(first.range()).in_context(format!("output {}", quote(&o.name))),
        );
    }
}

fn merge_module_call(base: &mut ModuleCall, over: &Decoded<ModuleCall>, diags: &mut Diagnostics) {
    let o = &over.item;
    if over.set.contains("source") {
        base.source = o.source.clone();
    }
    if o.count.is_some() {
        base.count = o.count.clone();
    }
    if o.for_each.is_some() {
        base.for_each = o.for_each.clone();
    }
    if o.version.as_deref().is_some_and(|v| !v.is_empty()) {
        base.version = o.version.clone();
    }
    for (name, attr) in &o.arguments {
        base.arguments.insert(name.clone(), attr.clone());
    }
    if !o.providers.is_empty() {
        base.providers = o.providers.clone();
    }
    // Terraform reports this whenever the overridden module call has depends_on, whether or
    // not the override sets it.
    if let Some(first) = base.depends_on.first() {
        diags.push(
            depends_on_override(first.range()).in_context(format!("module {}", quote(&base.name))),
        );
    }
}

fn merge_resource(base: &mut Resource, over: &Decoded<Resource>, diags: &mut Diagnostics) {
    let o = &over.item;
    if o.count.is_some() {
        base.count = o.count.clone();
    }
    if o.for_each.is_some() {
        base.for_each = o.for_each.clone();
    }
    if o.provider.is_some() {
        base.provider = o.provider.clone();
    }
    let lifecycle = &mut base.lifecycle;
    if over.set.contains("lifecycle.create_before_destroy") {
        lifecycle.create_before_destroy = o.lifecycle.create_before_destroy;
    }
    if over.set.contains("lifecycle.prevent_destroy") {
        lifecycle.prevent_destroy = o.lifecycle.prevent_destroy;
    }
    if !o.lifecycle.ignore_changes.is_empty() {
        lifecycle.ignore_changes = o.lifecycle.ignore_changes.clone();
    }
    if o.lifecycle.ignore_all_changes {
        lifecycle.ignore_all_changes = true;
    }
    merge_bodies(&mut base.config, &o.config);
    if let Some(first) = o.depends_on.first() {
        let header = match o.mode {
            crate::config::ResourceMode::Managed => "resource",
            crate::config::ResourceMode::Data => "data",
        };
        let context = format!("{header} {} {}", quote(&o.ty), quote(&o.name));
        diags.push(depends_on_override(first.range()).in_context(context));
    }
}
