//! Planning and applying: every resource instance of the expanded configuration is compared
//! with the prior state through its provider (create, update in place, replace, delete,
//! read, no-op), and in the apply phase each change is carried out as soon as the values it
//! depends on are final, with the state persisted after every instance.
//!
//! The module evaluator drives the walk: it asks [`Planner`] (a [`ResourceHook`]) for the
//! value of each resource instance when an expression first needs it, so dependencies are
//! planned and applied before their dependents.

pub mod decode;
pub mod json;
pub mod walk;

use crate::config::{Module, Resource, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::expr::Resolver;
use crate::eval::module::{InstanceKey, ResourceHook};
use crate::eval::references::references;
use crate::json::{state_value_from_json, state_value_to_json};
use crate::provider::{provider_address, PlanRequest, Provider, ProviderSchema, Schema};
use crate::value::Value;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use terrane_state::journal::{apply_entries, Entry, Journal, ResourceHead};
use terrane_state::{Instance as StateInstance, Resource as StateResource, State};

/// The address of Terraform's built-in provider (`terraform_data`, `terraform_remote_state`).
pub const BUILTIN_PROVIDER: &str = "terraform.io/builtin/terraform";

/// The providers available to a run, with their schemas.
#[derive(Default, Clone)]
pub struct ProviderSet {
    entries: HashMap<String, (Arc<dyn Provider>, Arc<ProviderSchema>)>,
}

impl ProviderSet {
    /// Adds a provider under its address.
    pub fn add(&mut self, address: &str, provider: Arc<dyn Provider>) {
        let schema = Arc::new(provider.schema());
        self.entries.insert(address.to_string(), (provider, schema));
    }
    pub fn get(&self, address: &str) -> Option<&(Arc<dyn Provider>, Arc<ProviderSchema>)> {
        self.entries.get(address)
    }
    pub fn contains(&self, address: &str) -> bool {
        self.entries.contains_key(address)
    }
}

/// The provider address a resource of a module uses.
pub fn resource_provider(module: &Module, resource: &Resource) -> String {
    if resource.ty == "terraform_data"
        || (resource.mode == ResourceMode::Data && resource.ty == "terraform_remote_state")
    {
        return BUILTIN_PROVIDER.to_string();
    }
    let local = resource.provider_name();
    let source = module
        .terraform
        .required_providers
        .get(local)
        .and_then(|r| r.source.as_deref());
    provider_address(local, source)
}

/// What a plan does to one resource instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
}

impl Action {
    /// The action as Terraform's JSON plan lists it.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Read => &["read"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
        }
    }
}

/// The planned change of one resource instance.
#[derive(Clone, Debug)]
pub struct Change {
    /// The instance's full address (`module.m["a"].null_resource.x[0]`).
    pub address: String,
    pub module: Option<String>,
    pub mode: ResourceMode,
    pub ty: String,
    pub name: String,
    pub index_key: Option<Json>,
    pub provider: String,
    pub action: Action,
    /// The prior object (null for a create).
    pub before: Value,
    /// The planned object, with unknowns (null for a delete).
    pub after: Value,
    /// Attributes whose change forces the replacement.
    pub replace_paths: Vec<Vec<String>>,
    /// Why the action was chosen when that is not obvious ("tainted", "requested").
    pub reason: Option<String>,
}

/// Which phase the planner serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Plan,
    Apply,
}

/// How a run plans.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub destroy: bool,
    pub refresh: bool,
    /// Instance addresses to replace (`-replace`).
    pub replace: HashSet<String>,
    /// `-refresh-only`: only read objects and record what changed outside terrane.
    pub refresh_only: bool,
    /// `-target` addresses (resources, instances or modules); empty means everything.
    pub targets: Vec<String>,
    /// When applying a saved plan: the action each instance was planned with. An instance
    /// whose fresh plan differs is an error instead of a surprise.
    pub expected: Option<HashMap<String, Action>>,
    /// How many changes run at once (`-parallelism`); 0 means Terraform's default, 10.
    pub parallelism: usize,
    /// Set (by Ctrl-C) to stop starting new changes; those under way finish and are saved.
    pub interrupt: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// The plan of one managed resource instance.
struct ManagedPlan {
    action: Action,
    before: Value,
    after: Value,
    replace_paths: Vec<Vec<String>>,
    private: Vec<u8>,
    reason: Option<String>,
}

/// An object from the prior state, decoded with its schema.
struct Prior {
    value: Value,
    private: Vec<u8>,
    tainted: bool,
    dependencies: Vec<String>,
    provider: String,
    ty: String,
    data: bool,
}

/// The planner and applier of one run.
pub struct Planner {
    providers: ProviderSet,
    runtime: tokio::runtime::Runtime,
    phase: Phase,
    options: Options,
    prior: HashMap<String, Prior>,
    /// The working state: in the apply phase, updated and persisted after every instance.
    state: RefCell<State>,
    state_path: Option<PathBuf>,
    changes: RefCell<Vec<Change>>,
    visited: RefCell<HashSet<String>>,
    diagnostics: RefCell<Diagnostics>,
    /// The apply journal, opened at the first finished instance; tasks write to it too.
    journal: Arc<std::sync::Mutex<Option<Journal>>>,
    last_full_write: std::cell::Cell<std::time::Instant>,
    /// The concurrent apply's bookkeeping.
    walk: walk::Walk,
    /// Journaled changes not yet applied to `state` (applied in bulk when it is next read).
    pending: RefCell<Vec<Entry>>,
    /// The journal entry removing each instance of the state as the walk started, by address.
    removals_index: RefCell<Option<HashMap<String, Entry>>>,
    /// Resource schemas by provider, mode (data or not) and type, shared by every instance.
    #[allow(clippy::type_complexity)]
    schemas: RefCell<HashMap<(String, bool, String), (Arc<dyn Provider>, Arc<Schema>)>>,
}

/// How often the state file itself is rewritten during an apply (the journal records every
/// instance in between).
const FULL_WRITE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// How many journaled changes may wait before they are applied to the working state.
const PENDING_LIMIT: usize = 2048;

/// The instance address of a resource instance.
pub fn instance_address(module_path: &str, resource: &Resource, key: &InstanceKey) -> String {
    let base = resource.address();
    let key = match key {
        InstanceKey::None => String::new(),
        InstanceKey::Index(i) => format!("[{i}]"),
        InstanceKey::Key(k, _) => format!("[{k:?}]"),
    };
    if module_path.is_empty() {
        format!("{base}{key}")
    } else {
        format!("{module_path}.{base}{key}")
    }
}

/// The address of a state instance, as `instance_address` makes them.
fn state_instance_address(r: &StateResource, i: &StateInstance) -> String {
    let base = if r.mode == "data" {
        format!("data.{}.{}", r.ty, r.name)
    } else {
        format!("{}.{}", r.ty, r.name)
    };
    let key = match &i.index_key {
        Some(Json::Number(n)) => format!("[{n}]"),
        Some(Json::String(s)) => format!("[{s:?}]"),
        _ => String::new(),
    };
    match &r.module {
        Some(m) => format!("{m}.{base}{key}"),
        None => format!("{base}{key}"),
    }
}

/// The journal's identification of a state resource.
fn head_of(r: &StateResource) -> ResourceHead {
    ResourceHead {
        module: r.module.clone(),
        mode: r.mode.clone(),
        ty: r.ty.clone(),
        name: r.name.clone(),
        each: r.each.clone(),
        provider: r.provider.clone(),
    }
}

/// The provider address inside a state resource's `provider` field.
fn state_provider_address(field: &str) -> String {
    field
        .trim_start_matches("provider[\"")
        .split("\"]")
        .next()
        .unwrap_or(field)
        .to_string()
}

impl Planner {
    /// A planner over `prior` (the state before the run). In the apply phase, the state is
    /// written to `state_path` after every change.
    pub fn new(
        providers: ProviderSet,
        phase: Phase,
        options: Options,
        prior: State,
        state_path: Option<PathBuf>,
    ) -> Result<Planner, Diagnostics> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Failed to start the runtime",
                    e.to_string(),
                ))
            })?;
        let walk = walk::Walk::new(options.parallelism, options.interrupt.clone());
        let mut planner = Planner {
            providers,
            runtime,
            phase,
            options,
            prior: HashMap::new(),
            state: RefCell::new(prior.clone()),
            state_path,
            changes: RefCell::new(Vec::new()),
            visited: RefCell::new(HashSet::new()),
            diagnostics: RefCell::new(Diagnostics::new()),
            journal: Arc::new(std::sync::Mutex::new(None)),
            last_full_write: std::cell::Cell::new(std::time::Instant::now()),
            walk,
            schemas: RefCell::new(HashMap::new()),
            pending: RefCell::new(Vec::new()),
            removals_index: RefCell::new(None),
        };
        let mut diags = Diagnostics::new();
        for r in &prior.resources {
            let provider = state_provider_address(&r.provider);
            for i in &r.instances {
                if i.deposed.is_some() {
                    continue;
                }
                let address = state_instance_address(r, i);
                match planner.decode_prior(r, i, &provider) {
                    Ok(value) => {
                        let private = i
                            .private
                            .as_deref()
                            .and_then(base64_decode)
                            .unwrap_or_default();
                        planner.prior.insert(
                            address,
                            Prior {
                                value,
                                private,
                                tainted: i.status.as_deref() == Some("tainted"),
                                dependencies: i.dependencies.clone(),
                                provider: provider.clone(),
                                ty: r.ty.clone(),
                                data: r.mode == "data",
                            },
                        );
                    }
                    Err(d) => diags.extend(d),
                }
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(planner)
    }

    fn decode_prior(
        &self,
        r: &StateResource,
        i: &StateInstance,
        provider: &str,
    ) -> Result<Value, Diagnostics> {
        let Some((p, schema)) = self.providers.get(provider) else {
            return Err(Diagnostic::error(
                "Provider not available",
                format!(
                    "The state holds {} from provider {provider}, which terrane does not have.",
                    state_instance_address(r, i)
                ),
            )
            .into());
        };
        let rs = if r.mode == "data" {
            schema.data_sources.get(&r.ty)
        } else {
            schema.resources.get(&r.ty)
        };
        let Some(rs) = rs else {
            return Err(Diagnostic::error(
                "Invalid resource type in state",
                format!(
                    "Provider {provider} does not support resource type {:?}.",
                    r.ty
                ),
            )
            .into());
        };
        let ty = rs.block.value_type();
        let value = if i.schema_version < rs.version {
            self.runtime
                .block_on(p.upgrade_state(&r.ty, i.schema_version, &i.attributes))?
        } else {
            state_value_from_json(&i.attributes, &ty).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid resource state",
                    format!(
                        "The state of {} does not match its schema: {e}.",
                        state_instance_address(r, i)
                    ),
                ))
            })?
        };
        Ok(mark_sensitive(&value, &rs.block))
    }

    /// The changes planned (or carried out) so far, in the order they were planned.
    pub fn changes(&self) -> Vec<Change> {
        self.changes.borrow().clone()
    }

    /// Takes the changes out, leaving none (cheaper than [`Planner::changes`] at the end).
    pub fn take_changes(&self) -> Vec<Change> {
        std::mem::take(&mut *self.changes.borrow_mut())
    }

    /// Imports an existing object by ID into an instance the state does not have yet (an
    /// `import` block, or `terrane import`): the provider finds it and reads it, and it is
    /// recorded as if it had been created. `Ok(false)` when the state already has the
    /// instance.
    pub fn import(
        &mut self,
        module_path: &str,
        module: &Module,
        resource: &Resource,
        key: &InstanceKey,
        id: &str,
    ) -> Result<bool, Diagnostics> {
        let address = instance_address(module_path, resource, key);
        if self.prior.contains_key(&address) {
            return Ok(false);
        }
        let provider_addr = resource_provider(module, resource);
        let (provider, schema) = self
            .schema_of(&provider_addr, resource)
            .map_err(Diagnostics::from)?;
        let objects = self
            .runtime
            .block_on(provider.import(&resource.ty, id))
            .map_err(|d| with_address(d, &address))?;
        let Some(object) = objects.into_iter().find(|o| o.type_name == resource.ty) else {
            return Err(Diagnostic::error(
                "Import returned no object",
                format!(
                    "The provider found nothing of type {:?} for ID {id:?}.",
                    resource.ty
                ),
            )
            .into());
        };
        let read = self
            .runtime
            .block_on(provider.read(&resource.ty, &object.state, &object.private))
            .map_err(|d| with_address(d, &address))?;
        let Some((value, private)) = read else {
            return Err(Diagnostic::error(
                "Cannot import non-existent remote object",
                format!("While attempting to import an existing object to {address}, the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct."),
            )
            .into());
        };
        let dependencies = Planner::dependencies(module_path, resource);
        self.record(
            module_path,
            resource,
            key,
            &provider_addr,
            &schema,
            &value,
            &private,
            dependencies.clone(),
            false,
        )
        .map_err(Diagnostics::from)?;
        self.prior.insert(
            address,
            Prior {
                value: mark_sensitive(&value, &schema.block),
                private,
                tainted: false,
                dependencies,
                provider: provider_addr,
                ty: resource.ty.clone(),
                data: resource.mode == ResourceMode::Data,
            },
        );
        Ok(true)
    }

    /// Configures a provider with its (decoded) configuration.
    pub fn configure(&self, address: &str, config: &Value) -> Diagnostics {
        match self.providers.get(address) {
            Some((p, _)) => {
                let (plain, _) = config.unmark_deep();
                let mut d = self.runtime.block_on(p.validate_provider_config(&plain));
                d.extend(self.runtime.block_on(p.configure(&plain)));
                d
            }
            None => Diagnostics::new(),
        }
    }

    /// The schema of a provider's own configuration block.
    pub fn provider_schema(&self, address: &str) -> Option<crate::provider::Block> {
        self.providers
            .get(address)
            .map(|(_, s)| s.provider.block.clone())
    }

    /// Puts back a state taken with [`Planner::take_state`].
    pub fn restore_state(&self, state: State) {
        self.pending.borrow_mut().clear();
        *self.state.borrow_mut() = state;
    }

    /// Takes the working state out, leaving an empty one.
    pub fn take_state(&self) -> State {
        let mut state = self.working();
        let empty = State::new(&state.terraform_version);
        std::mem::replace(&mut *state, empty)
    }

    /// The state as it stands (after the apply phase: the new state).
    pub fn state(&self) -> State {
        self.working().clone()
    }

    /// Problems that belong to no single expression (orphan deletions, state writes).
    pub fn take_diagnostics(&self) -> Diagnostics {
        std::mem::take(&mut *self.diagnostics.borrow_mut())
    }

    fn schema_of(
        &self,
        provider: &str,
        resource: &Resource,
    ) -> Result<(Arc<dyn Provider>, Arc<Schema>), Diagnostic> {
        let cache_key = (
            provider.to_string(),
            resource.mode == ResourceMode::Data,
            resource.ty.clone(),
        );
        if let Some(found) = self.schemas.borrow().get(&cache_key) {
            return Ok(found.clone());
        }
        let Some((p, schema)) = self.providers.get(provider) else {
            return Err(Diagnostic::error(
                "Provider not available",
                format!(
                    "terrane does not have the provider {provider} needed by {}.",
                    resource.address()
                ),
            ));
        };
        let rs = match resource.mode {
            ResourceMode::Managed => schema.resources.get(&resource.ty),
            ResourceMode::Data => schema.data_sources.get(&resource.ty),
        };
        let kind = if resource.mode == ResourceMode::Data {
            "data source"
        } else {
            "resource"
        };
        let found = rs.cloned().map(|s| (p.clone(), Arc::new(s)));
        if let Some(found) = &found {
            self.schemas.borrow_mut().insert(cache_key, found.clone());
        }
        found.ok_or_else(|| {
            Diagnostic::error(
                format!("Invalid {kind} type"),
                format!(
                    "The provider {provider} does not support {kind} type {:?}.",
                    resource.ty
                ),
            )
            .at(resource.range.clone())
        })
    }

    /// Deletes (or plans deleting) every object of the prior state that the configuration
    /// no longer has, dependents first. Call after the module tree was evaluated.
    pub fn finish(&self) {
        if self.options.refresh_only {
            return;
        }
        let visited = self.visited.borrow().clone();
        let mut orphans: Vec<&String> = self
            .prior
            .keys()
            .filter(|a| !visited.contains(*a))
            .filter(|a| {
                self.options.targets.is_empty()
                    || self.options.targets.iter().any(|t| matches_target(a, t))
            })
            .collect();
        orphans.sort();
        let mut deletions = Vec::new();
        for address in orphans {
            let prior = &self.prior[address];
            if matches!(self.walk.refreshed.borrow().get(address), Some(Ok(None))) {
                // Already gone: nothing to delete.
                self.forget(address);
                continue;
            }
            let Some(Entry::Remove {
                resource,
                index_key,
            }) = self.removal(address)
            else {
                continue;
            };
            let mode = if resource.mode == "data" {
                ResourceMode::Data
            } else {
                ResourceMode::Managed
            };
            let change = Change {
                address: address.clone(),
                module: resource.module,
                mode,
                ty: resource.ty,
                name: resource.name,
                index_key,
                provider: prior.provider.clone(),
                action: Action::Delete,
                before: prior.value.clone(),
                after: Value::Null(prior.value.ty()),
                replace_paths: Vec::new(),
                reason: Some(if self.options.destroy {
                    "destroy".into()
                } else {
                    "no longer in configuration".into()
                }),
            };
            if self.phase == Phase::Plan {
                self.changes.borrow_mut().push(change);
            } else if change.mode == ResourceMode::Managed {
                deletions.push((change, prior.private.clone()));
            } else {
                if let Err(d) = self.check_expected(address, Action::Delete) {
                    self.diagnostics.borrow_mut().push(d);
                    continue;
                }
                self.forget(address);
                self.changes.borrow_mut().push(change);
            }
        }
        if !deletions.is_empty() {
            self.delete_orphans(deletions);
        }
    }

    /// The journal entry removing each instance of the working state, by address.
    fn removals(&self) -> HashMap<String, Entry> {
        let state = self.working();
        let mut out = HashMap::new();
        for r in &state.resources {
            for i in r.instances.iter().filter(|i| i.deposed.is_none()) {
                out.insert(
                    state_instance_address(r, i),
                    Entry::Remove {
                        resource: head_of(r),
                        index_key: i.index_key.clone(),
                    },
                );
            }
        }
        out
    }

    /// Removes an instance from the working state and persists it.
    fn forget(&self, address: &str) {
        if let Some(entry) = self.removal(address) {
            self.persist(entry);
        }
    }

    /// Records an object in the working state and persists it.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        module_path: &str,
        resource: &Resource,
        key: &InstanceKey,
        provider: &str,
        schema: &Arc<Schema>,
        value: &Value,
        private: &[u8],
        dependencies: Vec<String>,
        tainted: bool,
    ) -> Result<(), Diagnostic> {
        let placement = placement(module_path, resource, key, provider, schema, dependencies);
        self.record_placed(&placement, value, private, tainted)
    }

    /// Records an object where `placement` says and persists it.
    fn record_placed(
        &self,
        placement: &walk::Placement,
        value: &Value,
        private: &[u8],
        tainted: bool,
    ) -> Result<(), Diagnostic> {
        self.persist(entry_for(placement, value, private, tainted)?);
        Ok(())
    }

    /// Applies a change to the working state and, in the apply phase, journals it at once:
    /// a finished instance is never lost, and recording it costs only its own size.
    fn persist(&self, entry: Entry) {
        if self.phase == Phase::Apply {
            if let Some(path) = &self.state_path {
                if let Err(e) = journal_record(&self.journal, path, std::slice::from_ref(&entry)) {
                    self.diagnostics.borrow_mut().push(e);
                }
            }
        }
        self.apply_recorded(std::slice::from_ref(&entry));
    }

    /// Applies changes already journaled to the working state.
    fn apply_recorded(&self, entries: &[Entry]) {
        let backlog = {
            let mut pending = self.pending.borrow_mut();
            pending.extend_from_slice(entries);
            pending.len()
        };
        if backlog >= PENDING_LIMIT {
            // Applying in bulk is linear in the state: batches keep it cheap and the
            // backlog's memory bounded.
            drop(self.working());
        }
        // Now and then the state file itself catches up, so that tools reading it directly
        // (Terraform among them) see recent progress. The journal is kept whole until the
        // run ends: replaying it over a newer state gives the same state, since every entry
        // puts or removes one whole instance.
        if self.phase == Phase::Apply
            && self.state_path.is_some()
            && self.last_full_write.get().elapsed() >= FULL_WRITE_INTERVAL
        {
            let mut state = self.working().clone();
            state.serial += 1;
            if let Err(d) = self.write_state_file(&state) {
                self.diagnostics.borrow_mut().push(d);
            }
            self.working().serial = state.serial;
        }
    }

    fn write_state_file(&self, state: &State) -> Result<(), Diagnostic> {
        let Some(path) = &self.state_path else {
            return Ok(());
        };
        self.last_full_write.set(std::time::Instant::now());
        state
            .write(path)
            .map_err(|e| Diagnostic::error("Failed to persist state", e.to_string()))
    }

    /// Writes the whole working state atomically and retires the journal. The apply phase
    /// calls this when it ends, whatever happened.
    pub fn write_state(&self, state: &State) -> Result<(), Diagnostic> {
        self.write_state_file(state)?;
        let journal = match self.journal.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(journal) = journal {
            journal.finish().map_err(|e| {
                Diagnostic::error("Failed to remove the state journal", e.to_string())
            })?;
        }
        Ok(())
    }

    /// The working state, with every change journaled so far applied.
    fn working(&self) -> std::cell::RefMut<'_, State> {
        let mut state = self.state.borrow_mut();
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        if !pending.is_empty() {
            apply_entries(&mut state, &pending);
        }
        state
    }

    /// The journal entry that removes an instance of the working state.
    fn removal(&self, address: &str) -> Option<Entry> {
        if self.removals_index.borrow().is_none() {
            let index = self.removals();
            *self.removals_index.borrow_mut() = Some(index);
        }
        if let Some(found) = self
            .removals_index
            .borrow()
            .as_ref()
            .and_then(|index| index.get(address).cloned())
        {
            return Some(found);
        }
        let state = self.working();
        state.resources.iter().find_map(|r| {
            r.instances
                .iter()
                .find(|i| i.deposed.is_none() && state_instance_address(r, i) == address)
                .map(|i| Entry::Remove {
                    resource: head_of(r),
                    index_key: i.index_key.clone(),
                })
        })
    }

    /// The object of the prior state as it is now: read ahead by the concurrent refresh, or
    /// read now.
    fn read_prior(
        &self,
        address: &str,
        provider: &Arc<dyn Provider>,
        ty: &str,
        value: &Value,
        private: &[u8],
    ) -> walk::RefreshResult {
        if let Some(read) = self.walk.refreshed.borrow_mut().remove(address) {
            return read;
        }
        self.runtime.block_on(provider.read(ty, value, private))
    }

    /// Brings the working state up to date with a read of one of its objects (so that a
    /// plan's state is the refreshed one, as the apply that follows needs it).
    fn refresh_state(&self, address: &str, before: &Value, read: &Option<(Value, Vec<u8>)>) {
        let Some((value, private)) = read else {
            self.forget(address);
            return;
        };
        if value.raw_equal(before) {
            return;
        }
        let found = {
            let state = self.working();
            state.resources.iter().find_map(|r| {
                r.instances
                    .iter()
                    .find(|i| i.deposed.is_none() && state_instance_address(r, i) == address)
                    .map(|i| (head_of(r), i.clone()))
            })
        };
        let Some((head, mut instance)) = found else {
            return;
        };
        let Some(schema) = self
            .providers
            .get(&state_provider_address(&head.provider))
            .and_then(|(_, s)| s.resources.get(&head.ty).cloned())
        else {
            return;
        };
        let Ok(attributes) = state_value_to_json(value, &schema.block.value_type()) else {
            return;
        };
        instance.attributes = attributes;
        instance.schema_version = schema.version;
        instance.sensitive_attributes = sensitive_paths(&mark_sensitive(value, &schema.block));
        instance.private = (!private.is_empty()).then(|| base64_encode(private));
        self.persist(Entry::Put {
            resource: head,
            instance: Box::new(instance),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_managed(
        &self,
        address: &str,
        provider: &Arc<dyn Provider>,
        schema: &Schema,
        resource: &Resource,
        config: &Value,
        prior: Option<&Prior>,
        triggered: bool,
    ) -> Result<ManagedPlan, Diagnostics> {
        let block_ty = schema.block.value_type();
        let mut prior_value = prior
            .map(|p| p.value.unmark_deep().0)
            .unwrap_or(Value::Null(block_ty.clone()));
        let mut prior_private = prior.map(|p| p.private.clone()).unwrap_or_default();
        if self.options.refresh && !prior_value.is_null() {
            let read = self
                .read_prior(
                    address,
                    provider,
                    &resource.ty,
                    &prior_value,
                    &prior_private,
                )
                .map_err(|d| with_address(d, address))?;
            self.refresh_state(address, &prior_value, &read);
            match read {
                Some((v, private)) => {
                    prior_value = v;
                    prior_private = private;
                }
                None => prior_value = Value::Null(block_ty.clone()),
            }
        }
        let config_plain = apply_ignore_changes(&config.unmark_deep().0, &prior_value, resource);
        let proposed = proposed_new(&schema.block, &prior_value, &config_plain);
        let tainted = prior.is_some_and(|p| p.tainted);
        let requested = self.options.replace.contains(address) || triggered;
        let response = self.runtime.block_on(provider.plan_change(PlanRequest {
            type_name: resource.ty.clone(),
            prior_state: prior_value.clone(),
            proposed_new_state: proposed.clone(),
            config: config_plain.clone(),
            prior_private: prior_private.clone(),
        }));
        if response.diagnostics.has_errors() {
            return Err(with_address(response.diagnostics, address));
        }
        if prior_value.is_null() {
            return Ok(ManagedPlan {
                action: Action::Create,
                before: prior_value,
                after: response.planned_state,
                replace_paths: Vec::new(),
                private: response.planned_private,
                reason: None,
            });
        }
        // A path forces replacement only when its value actually changes, as in Terraform.
        let replace_paths: Vec<Vec<String>> = response
            .requires_replace
            .iter()
            .filter(|p| {
                let before = value_at(&prior_value, p);
                let after = value_at(&response.planned_state, p);
                match (before, after) {
                    (Some(b), Some(a)) => !a.is_wholly_known() || !b.raw_equal(&a),
                    (None, None) => false,
                    _ => true,
                }
            })
            .cloned()
            .collect();
        let must_replace = !replace_paths.is_empty() || tainted || requested;
        if !must_replace {
            let action = if response.planned_state.raw_equal(&prior_value) {
                Action::NoOp
            } else {
                Action::Update
            };
            return Ok(ManagedPlan {
                action,
                before: prior_value,
                after: response.planned_state,
                replace_paths: Vec::new(),
                private: response.planned_private,
                reason: None,
            });
        }
        let create = self.runtime.block_on(provider.plan_change(PlanRequest {
            type_name: resource.ty.clone(),
            prior_state: Value::Null(block_ty.clone()),
            proposed_new_state: proposed_new(&schema.block, &Value::Null(block_ty), &config_plain),
            config: config_plain,
            prior_private: Vec::new(),
        }));
        if create.diagnostics.has_errors() {
            return Err(with_address(create.diagnostics, address));
        }
        let action = if resource.lifecycle.create_before_destroy == Some(true) {
            Action::CreateThenDelete
        } else {
            Action::DeleteThenCreate
        };
        let reason = if tainted {
            Some("tainted".to_string())
        } else if triggered {
            Some("replace_triggered_by".to_string())
        } else if requested {
            Some("requested".to_string())
        } else {
            None
        };
        Ok(ManagedPlan {
            action,
            before: prior_value,
            after: create.planned_state,
            replace_paths,
            private: create.planned_private,
            reason,
        })
    }

    /// Whether `-target` includes an instance: it is targeted, or a resource a targeted
    /// resource of the same module depends on (transitively).
    fn targeted(
        &self,
        module_path: &str,
        module: &Module,
        resource: &Resource,
        address: &str,
    ) -> bool {
        if self.options.targets.is_empty() {
            return true;
        }
        let prefix = if module_path.is_empty() {
            String::new()
        } else {
            format!("{module_path}.")
        };
        let mut wanted: Vec<String> = module
            .resources
            .values()
            .filter(|r| {
                let base = format!("{prefix}{}", r.address());
                self.options
                    .targets
                    .iter()
                    .any(|t| matches_target(&base, t) || t.starts_with(&format!("{base}[")))
            })
            .map(|r| format!("{prefix}{}", r.address()))
            .collect();
        if self
            .options
            .targets
            .iter()
            .any(|t| matches_target(address, t))
        {
            return true;
        }
        let mut i = 0;
        while i < wanted.len() {
            let addr = wanted[i]
                .strip_prefix(&prefix)
                .unwrap_or(&wanted[i])
                .to_string();
            if let Some(r) = module.resources.get(&addr) {
                for dep in Planner::dependencies(module_path, r) {
                    if !wanted.contains(&dep) {
                        wanted.push(dep);
                    }
                }
            }
            i += 1;
        }
        wanted.contains(&format!("{prefix}{}", resource.address()))
    }

    /// `-refresh-only`: reads the object and records how it differs from the state (as a
    /// no-op change whose before and after differ); in the apply phase the state takes the
    /// object as read, and an object that is gone is forgotten.
    #[allow(clippy::too_many_arguments)]
    fn refresh_only(
        &self,
        module_path: &str,
        resource: &Resource,
        key: &InstanceKey,
        address: &str,
        provider_addr: &str,
        provider: &Arc<dyn Provider>,
        schema: &Arc<Schema>,
        prior: Option<&Prior>,
    ) -> Result<Value, Diagnostic> {
        let Some(prior) = prior else {
            return Ok(Value::Unknown(schema.block.value_type()));
        };
        let (before, _) = prior.value.unmark_deep();
        let read = self
            .read_prior(address, provider, &resource.ty, &before, &prior.private)
            .map_err(|d| first_error(with_address(d, address)))?;
        let after = read
            .as_ref()
            .map(|(v, _)| v.clone())
            .unwrap_or(Value::Null(before.ty()));
        let (index_key, module) = (
            match key {
                InstanceKey::None => None,
                InstanceKey::Index(i) => Some(Json::from(*i)),
                InstanceKey::Key(k, _) => Some(Json::from(k.clone())),
            },
            (!module_path.is_empty()).then(|| module_path.to_string()),
        );
        if !after.raw_equal(&before) {
            self.changes.borrow_mut().push(Change {
                address: address.to_string(),
                module,
                mode: resource.mode,
                ty: resource.ty.clone(),
                name: resource.name.clone(),
                index_key,
                provider: provider_addr.to_string(),
                action: Action::NoOp,
                before: mark_sensitive(&before, &schema.block),
                after: mark_sensitive(&after, &schema.block),
                replace_paths: Vec::new(),
                reason: Some("drift".into()),
            });
            if self.phase == Phase::Apply {
                match &read {
                    Some((v, private)) => self.record(
                        module_path,
                        resource,
                        key,
                        provider_addr,
                        schema,
                        v,
                        private,
                        prior.dependencies.clone(),
                        prior.tainted,
                    )?,
                    None => self.forget(address),
                }
            }
        }
        Ok(mark_sensitive(&after, &schema.block))
    }

    /// `lifecycle { replace_triggered_by }`: a referenced resource with a change in this
    /// run, or a referenced value that is not known until apply, replaces this one.
    fn replace_triggered(
        &self,
        resource: &Resource,
        resolver: &dyn Resolver,
        module_path: &str,
    ) -> Result<bool, Diagnostic> {
        let prefix = if module_path.is_empty() {
            String::new()
        } else {
            format!("{module_path}.")
        };
        for e in &resource.lifecycle.replace_triggered_by {
            for found in references(&e.expr, &[]) {
                if let crate::eval::expr::Reference::Resource { ty, name } = found.reference {
                    let base = format!("{prefix}{ty}.{name}");
                    let changed = self.changes.borrow().iter().any(|c| {
                        c.action != Action::NoOp
                            && (c.address == base || strip_index(&c.address) == base)
                    });
                    if changed {
                        return Ok(true);
                    }
                }
            }
            if !crate::eval::expr::evaluate(resolver, e)?.is_wholly_known() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Checks `postcondition` blocks with `self` bound to the instance's (planned) object;
    /// conditions that are not known yet are checked at apply.
    fn postconditions(
        &self,
        resource: &Resource,
        resolver: &dyn Resolver,
        value: &Value,
        address: &str,
    ) -> Result<(), Diagnostic> {
        if resource.lifecycle.postconditions.is_empty() {
            return Ok(());
        }
        let with_self = SelfResolver {
            base: resolver,
            value,
        };
        for rule in &resource.lifecycle.postconditions {
            check_condition(&with_self, rule, "Resource postcondition failed", address)?;
        }
        Ok(())
    }

    /// In a saved plan's apply, refuses an instance whose action is not the one saved.
    fn check_expected(&self, address: &str, action: Action) -> Result<(), Diagnostic> {
        let Some(expected) = &self.options.expected else {
            return Ok(());
        };
        let saved = expected.get(address).copied().unwrap_or(Action::NoOp);
        if saved == action {
            return Ok(());
        }
        Err(Diagnostic::error(
            "Saved plan does not match",
            format!("The saved plan has {address} as {:?}, but it now needs {:?}: the configuration or the infrastructure changed since the plan was made. Run terrane plan again.", saved.json_actions(), action.json_actions()),
        ))
    }

    /// The addresses of the resources a resource's configuration refers to, as state
    /// records them in `dependencies`.
    fn dependencies(module_path: &str, resource: &Resource) -> Vec<String> {
        let mut out = Vec::new();
        let mut exprs: Vec<&crate::config::Expr> = resource
            .config
            .attributes
            .values()
            .map(|a| &a.expr)
            .collect();
        fn blocks<'b>(b: &'b crate::config::Body, out: &mut Vec<&'b crate::config::Expr>) {
            for block in &b.blocks {
                out.extend(block.body.attributes.values().map(|a| &a.expr));
                blocks(&block.body, out);
            }
        }
        blocks(&resource.config, &mut exprs);
        exprs.extend(resource.count.iter());
        exprs.extend(resource.for_each.iter());
        exprs.extend(resource.depends_on.iter());
        let prefix = if module_path.is_empty() {
            String::new()
        } else {
            format!("{module_path}.")
        };
        for e in exprs {
            for found in references(&e.expr, &[]) {
                let addr = match found.reference {
                    crate::eval::expr::Reference::Resource { ty, name } => {
                        format!("{prefix}{ty}.{name}")
                    }
                    crate::eval::expr::Reference::Data { ty, name } => {
                        format!("{prefix}data.{ty}.{name}")
                    }
                    _ => continue,
                };
                if !out.contains(&addr) && addr != format!("{prefix}{}", resource.address()) {
                    out.push(addr);
                }
            }
        }
        out.sort();
        out
    }
}

impl ResourceHook for Planner {
    fn instance(
        &self,
        module_path: &str,
        module: &Module,
        resource: &Resource,
        key: &InstanceKey,
        resolver: &dyn Resolver,
    ) -> Result<Value, Diagnostic> {
        let address = instance_address(module_path, resource, key);
        let provider_addr = resource_provider(module, resource);
        let (provider, schema) = self.schema_of(&provider_addr, resource)?;
        let prior = self.prior.get(&address);
        if self.options.destroy {
            // Everything is deleted by `finish`; dependents still see the prior values.
            return Ok(prior
                .map(|p| p.value.clone())
                .unwrap_or(Value::dynamic_unknown()));
        }
        self.visited.borrow_mut().insert(address.clone());
        if !self.targeted(module_path, module, resource, &address) {
            // Outside -target: left as it is.
            return Ok(prior
                .map(|p| p.value.clone())
                .unwrap_or_else(|| Value::Unknown(schema.block.value_type())));
        }
        if self.options.refresh_only && resource.mode == ResourceMode::Managed {
            return self.refresh_only(
                module_path,
                resource,
                key,
                &address,
                &provider_addr,
                &provider,
                &schema,
                prior,
            );
        }
        if self.phase == Phase::Apply {
            self.drain();
            if let Some(decided) = self.decided(&address, resource, resolver, &schema) {
                return decided;
            }
        }
        let waiting = Value::Unknown(schema.block.value_type());
        if self.phase == Phase::Apply && self.walk.backlogged() {
            // Enough is under way; this one is planned in a later pass (bounding memory).
            return Ok(waiting);
        }
        let config =
            decode::decode_body(resolver, &resource.config, &schema.block).map_err(first_error)?;
        if self.phase == Phase::Apply {
            match self.ready(module_path, resource, &config) {
                Some(true) => {}
                Some(false) => return Ok(waiting),
                None => return Err(crate::eval::module::already_reported()),
            }
        }
        let index_key = walk::index_key_json(key);
        let module_opt = (!module_path.is_empty()).then(|| module_path.to_string());
        let dependencies = Planner::dependencies(module_path, resource);
        let plain_config = config.unmark_deep().0;
        let checked = match resource.mode {
            ResourceMode::Managed => self
                .runtime
                .block_on(provider.validate_resource_config(&resource.ty, &plain_config)),
            ResourceMode::Data => self
                .runtime
                .block_on(provider.validate_data_source_config(&resource.ty, &plain_config)),
        };
        let checked = with_address(checked, &address);
        if checked.has_errors() {
            return Err(first_error(checked));
        }
        self.diagnostics.borrow_mut().extend(checked);
        if resource.mode == ResourceMode::Data {
            if !plain_config.is_wholly_known() {
                let after = Value::Unknown(schema.block.value_type());
                self.changes.borrow_mut().push(Change {
                    address,
                    module: module_opt,
                    mode: resource.mode,
                    ty: resource.ty.clone(),
                    name: resource.name.clone(),
                    index_key,
                    provider: provider_addr,
                    action: Action::Read,
                    before: Value::Null(schema.block.value_type()),
                    after: after.clone(),
                    replace_paths: Vec::new(),
                    reason: Some("depends on values not known until apply".into()),
                });
                return Ok(after);
            }
            let value = self
                .runtime
                .block_on(provider.read_data_source(&resource.ty, &plain_config))
                .map_err(|d| first_error(with_address(d, &address)))?;
            let value = mark_sensitive(&value, &schema.block);
            if self.phase == Phase::Apply {
                self.record(
                    module_path,
                    resource,
                    key,
                    &provider_addr,
                    &schema,
                    &value,
                    &[],
                    dependencies,
                    false,
                )?;
                self.settle(&address, value.clone());
            }
            return Ok(value);
        }
        for rule in &resource.lifecycle.preconditions {
            if self.phase == Phase::Apply
                && !crate::eval::expr::evaluate(resolver, &rule.condition)?.is_wholly_known()
            {
                return Ok(waiting);
            }
            check_condition(resolver, rule, "Resource precondition failed", &address)?;
        }
        let triggered =
            prior.is_some() && self.replace_triggered(resource, resolver, module_path)?;
        let ManagedPlan {
            action,
            before,
            after,
            replace_paths,
            private,
            reason,
        } = self
            .plan_managed(
                &address, &provider, &schema, resource, &config, prior, triggered,
            )
            .map_err(first_error)?;
        if resource.lifecycle.prevent_destroy == Some(true)
            && matches!(action, Action::DeleteThenCreate | Action::CreateThenDelete)
        {
            return Err(Diagnostic::error(
                "Instance cannot be destroyed",
                format!("Resource {address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
            )
            .at(resource.range.clone()));
        }
        let change = Change {
            address: address.clone(),
            module: module_opt,
            mode: resource.mode,
            ty: resource.ty.clone(),
            name: resource.name.clone(),
            index_key,
            provider: provider_addr.clone(),
            action,
            before: mark_sensitive(&before, &schema.block),
            after: mark_sensitive(&after, &schema.block),
            replace_paths,
            reason,
        };
        if self.phase == Phase::Plan {
            self.changes.borrow_mut().push(change);
            let value = mark_sensitive(&after, &schema.block);
            self.postconditions(resource, resolver, &value, &address)?;
            return Ok(value);
        }
        self.check_expected(&address, action)?;
        if action == Action::NoOp {
            self.changes.borrow_mut().push(change);
            let value = mark_sensitive(&before, &schema.block);
            self.postconditions(resource, resolver, &value, &address)?;
            self.settle(&address, value.clone());
            return Ok(value);
        }
        // Apply: the change runs as a task; dependents wait for it to finish.
        let job = walk::Job {
            address: address.clone(),
            provider: provider.clone(),
            provider_address: provider_addr.clone(),
            type_name: resource.ty.clone(),
            action,
            prior: before.clone(),
            prior_private: prior.map(|p| p.private.clone()).unwrap_or_default(),
            planned: after,
            planned_private: private,
            config: plain_config,
            placement: Some(Arc::new(placement(
                module_path,
                resource,
                key,
                &provider_addr,
                &schema,
                dependencies,
            ))),
            removal: None,
            journal: None,
        };
        self.start(job, change);
        Ok(waiting)
    }
}

impl Planner {
    /// The value of an instance the apply walk has already decided: final (its
    /// postconditions checked the first time it is seen), still running (unknown), or
    /// failed. `None` when it is not decided yet.
    fn decided(
        &self,
        address: &str,
        resource: &Resource,
        resolver: &dyn Resolver,
        schema: &Schema,
    ) -> Option<Result<Value, Diagnostic>> {
        let mut outcomes = self.walk.outcomes.borrow_mut();
        let outcome = outcomes.get_mut(address)?;
        match outcome {
            walk::Outcome::Running => Some(Ok(Value::Unknown(schema.block.value_type()))),
            walk::Outcome::Failed => Some(Err(crate::eval::module::already_reported())),
            walk::Outcome::Settled { value, checked } => {
                if *checked {
                    return Some(Ok(value.clone()));
                }
                let value = value.clone();
                drop(outcomes);
                match self.postconditions(resource, resolver, &value, address) {
                    Ok(()) => {
                        self.settle(address, value.clone());
                        Some(Ok(value))
                    }
                    Err(d) => {
                        self.diagnostics.borrow_mut().push(d);
                        self.walk.fail(address);
                        Some(Err(crate::eval::module::already_reported()))
                    }
                }
            }
        }
    }

    /// Records an instance as final for the rest of the apply walk.
    fn settle(&self, address: &str, value: Value) {
        self.walk.outcomes.borrow_mut().insert(
            address.to_string(),
            walk::Outcome::Settled {
                value,
                checked: true,
            },
        );
    }
}

/// The journal entry that puts an object where `placement` says.
fn entry_for(
    placement: &walk::Placement,
    value: &Value,
    private: &[u8],
    tainted: bool,
) -> Result<Entry, Diagnostic> {
    let schema = &placement.schema;
    let (plain, _) = value.unmark_deep();
    let attributes = state_value_to_json(&plain, &schema.block.value_type()).map_err(|e| {
        Diagnostic::error(
            "Failed to record the new state",
            format!("The new object cannot be stored: {e}."),
        )
    })?;
    let sensitive_attributes = sensitive_paths(&mark_sensitive(value, &schema.block));
    let instance = StateInstance {
        index_key: placement.index_key.clone(),
        status: tainted.then(|| "tainted".to_string()),
        deposed: None,
        schema_version: schema.version,
        attributes,
        sensitive_attributes,
        private: (!private.is_empty()).then(|| base64_encode(private)),
        dependencies: placement.dependencies.clone(),
        create_before_destroy: placement.create_before_destroy,
    };
    Ok(Entry::Put {
        resource: placement.head.clone(),
        instance: Box::new(instance),
    })
}

/// Appends entries to the apply journal of the state at `state_path`, opening it first if
/// needed.
fn journal_record(
    journal: &std::sync::Mutex<Option<Journal>>,
    state_path: &std::path::Path,
    entries: &[Entry],
) -> Result<(), Diagnostic> {
    let mut guard = match journal.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if guard.is_none() {
        let opened = Journal::open(state_path).map_err(|e| {
            Diagnostic::error(
                "Failed to persist state",
                format!("The state journal could not be opened: {e}."),
            )
        })?;
        *guard = Some(opened);
    }
    let Some(open) = guard.as_mut() else {
        return Ok(());
    };
    for entry in entries {
        open.record(entry).map_err(|e| {
            Diagnostic::error(
                "Failed to persist state",
                format!("The state journal could not be written: {e}."),
            )
        })?;
    }
    Ok(())
}

/// Where an instance of a resource goes in the state.
fn placement(
    module_path: &str,
    resource: &Resource,
    key: &InstanceKey,
    provider: &str,
    schema: &Arc<Schema>,
    dependencies: Vec<String>,
) -> walk::Placement {
    walk::Placement {
        head: ResourceHead {
            module: (!module_path.is_empty()).then(|| module_path.to_string()),
            mode: if resource.mode == ResourceMode::Data {
                "data"
            } else {
                "managed"
            }
            .to_string(),
            ty: resource.ty.clone(),
            name: resource.name.clone(),
            each: match key {
                InstanceKey::None => None,
                InstanceKey::Index(_) => Some("list".to_string()),
                InstanceKey::Key(..) => Some("map".to_string()),
            },
            provider: format!("provider[\"{provider}\"]"),
        },
        index_key: walk::index_key_json(key),
        create_before_destroy: resource.lifecycle.create_before_destroy == Some(true),
        schema: schema.clone(),
        dependencies,
    }
}

/// The value at an attribute path (attribute names, list indexes as decimal text, map keys).
fn value_at(v: &Value, path: &[String]) -> Option<Value> {
    let mut cur = v.unmark().0.clone();
    for step in path {
        let next = match &cur {
            Value::Object(m) | Value::Map(_, m) => m.get(step).cloned(),
            Value::List(_, e) | Value::Tuple(e) => {
                step.parse::<usize>().ok().and_then(|i| e.get(i).cloned())
            }
            Value::Null(_) => return None,
            _ => None,
        }?;
        cur = next.unmark().0.clone();
    }
    Some(cur)
}

/// A resolver that gives `self` a value (postconditions).
struct SelfResolver<'r> {
    base: &'r dyn Resolver,
    value: &'r Value,
}

impl Resolver for SelfResolver<'_> {
    fn resolve(&self, reference: crate::eval::expr::Reference) -> Result<Value, Diagnostic> {
        match reference {
            crate::eval::expr::Reference::SelfRef => Ok(self.value.clone()),
            other => self.base.resolve(other),
        }
    }
    fn fn_context(&self) -> crate::functions::FnContext<'_> {
        self.base.fn_context()
    }
}

/// Evaluates a precondition or postcondition; a false condition is an error carrying its
/// `error_message`, an unknown one is left for later.
fn check_condition(
    resolver: &dyn Resolver,
    rule: &crate::config::CheckRule,
    summary: &str,
    address: &str,
) -> Result<(), Diagnostic> {
    let ok = crate::eval::expr::evaluate(resolver, &rule.condition)?;
    let (ok, _) = ok.into_unmarked();
    if !ok.is_known() || ok.as_bool() != Some(false) {
        return Ok(());
    }
    let message = crate::eval::expr::evaluate(resolver, &rule.error_message)
        .ok()
        .and_then(|m| m.unmark().0.as_str().map(str::to_owned))
        .unwrap_or_default();
    Err(Diagnostic::error(
        summary,
        format!("{message}\n\nThis was checked by the condition of {address}."),
    )
    .at(rule.condition.range()))
}

/// Whether an instance address falls under a `-target` address: the same instance, an
/// instance of the targeted resource, or anything inside the targeted module.
fn matches_target(address: &str, target: &str) -> bool {
    address == target
        || address
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

fn strip_index(address: &str) -> &str {
    match address.rfind('[') {
        Some(i) if address.ends_with(']') => &address[..i],
        _ => address,
    }
}

fn first_error(d: Diagnostics) -> Diagnostic {
    d.0.into_iter()
        .find(Diagnostic::is_error)
        .unwrap_or_else(|| {
            Diagnostic::error(
                "Operation failed",
                "The provider reported a failure without details.",
            )
        })
}

fn with_address(mut d: Diagnostics, address: &str) -> Diagnostics {
    for x in d.0.iter_mut() {
        if x.context.is_none() {
            x.detail = if x.detail.is_empty() {
                format!("with {address}")
            } else {
                format!("{}\n\nwith {address}", x.detail)
            };
        }
    }
    d
}

/// Terraform's proposed new state: the configuration, with computed attributes the
/// configuration leaves null taken from the prior object.
pub fn proposed_new(block: &crate::provider::Block, prior: &Value, config: &Value) -> Value {
    let (Some(cfg), prior_map) = (config.as_mapping(), prior.as_mapping()) else {
        return config.clone();
    };
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (name, attr) in &block.attributes {
        let c = cfg
            .get(name)
            .cloned()
            .unwrap_or(Value::Null(attr.ty.clone()));
        let v = if c.is_null() && attr.computed {
            prior_map.and_then(|p| p.get(name)).cloned().unwrap_or(c)
        } else {
            c
        };
        out.insert(name.clone(), v);
    }
    for (name, nested) in &block.blocks {
        let c = cfg
            .get(name)
            .cloned()
            .unwrap_or(Value::Null(nested.block.value_type()));
        let p = prior_map.and_then(|p| p.get(name)).cloned();
        let v = match (nested.nesting, p) {
            (crate::provider::Nesting::Single | crate::provider::Nesting::Group, Some(p))
                if !c.is_null() =>
            {
                proposed_new(&nested.block, &p, &c)
            }
            _ => c,
        };
        out.insert(name.clone(), v);
    }
    Value::object(out)
}

/// `lifecycle { ignore_changes }`: the named top-level attributes keep their prior values.
fn apply_ignore_changes(config: &Value, prior: &Value, resource: &Resource) -> Value {
    let (Some(cfg), Some(prior_map)) = (config.as_mapping(), prior.as_mapping()) else {
        return config.clone();
    };
    if prior.is_null() {
        return config.clone();
    }
    let mut out = cfg.clone();
    if resource.lifecycle.ignore_all_changes {
        for (k, v) in prior_map {
            out.insert(k.clone(), v.clone());
        }
        return Value::object(out);
    }
    for e in &resource.lifecycle.ignore_changes {
        let name = match &e.expr {
            hcl_edit::expr::Expression::Variable(v) => v.as_str().to_string(),
            hcl_edit::expr::Expression::Traversal(t) => match &t.expr {
                hcl_edit::expr::Expression::Variable(v) => v.as_str().to_string(),
                _ => continue,
            },
            hcl_edit::expr::Expression::String(s) => s.value().to_string(),
            _ => continue,
        };
        if let Some(p) = prior_map.get(&name) {
            out.insert(name, p.clone());
        }
    }
    Value::object(out)
}

/// Marks the attributes the schema declares sensitive.
pub fn mark_sensitive(value: &Value, block: &crate::provider::Block) -> Value {
    let Value::Object(attrs) = value else {
        return value.clone();
    };
    if !block.attributes.values().any(|a| a.sensitive) && block.blocks.is_empty() {
        return value.clone();
    }
    let mut out = (**attrs).clone();
    for (name, attr) in &block.attributes {
        if attr.sensitive {
            if let Some(v) = out.remove(name) {
                out.insert(name.clone(), v.mark());
            }
        }
    }
    for (name, nested) in &block.blocks {
        if let Some(v) = out.get(name).cloned() {
            let marked = match &v {
                Value::Object(_) => mark_sensitive(&v, &nested.block),
                Value::List(t, e) => Value::list(
                    t.clone(),
                    e.iter().map(|x| mark_sensitive(x, &nested.block)).collect(),
                ),
                Value::Set(t, e) => Value::set(
                    t.clone(),
                    e.iter().map(|x| mark_sensitive(x, &nested.block)).collect(),
                ),
                Value::Map(t, m) => Value::map(
                    t.clone(),
                    m.iter()
                        .map(|(k, x)| (k.clone(), mark_sensitive(x, &nested.block)))
                        .collect(),
                ),
                _ => v,
            };
            out.insert(name.clone(), marked);
        }
    }
    Value::object(out)
}

/// The paths of sensitive values, as state's `sensitive_attributes` records them.
fn sensitive_paths(value: &Value) -> Vec<Json> {
    fn walk(v: &Value, path: &mut Vec<Json>, out: &mut Vec<Json>) {
        match v {
            Value::Sensitive(inner) if !inner.is_null() => out.push(Json::Array(path.clone())),
            Value::Object(m) | Value::Map(_, m) => {
                let kind = if matches!(v, Value::Object(_)) {
                    "get_attr"
                } else {
                    "index"
                };
                for (k, x) in m.iter() {
                    let step = if kind == "get_attr" {
                        serde_json::json!({"type": "get_attr", "value": k})
                    } else {
                        serde_json::json!({"type": "index", "value": {"value": k, "type": "string"}})
                    };
                    path.push(step);
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::List(_, e) | Value::Tuple(e) => {
                for (i, x) in e.iter().enumerate() {
                    path.push(serde_json::json!({"type": "index", "value": {"value": i, "type": "number"}}));
                    walk(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests;
