//! The concurrent apply walk and the concurrent refresh.
//!
//! Applying evaluates the module tree in passes. In each pass the planner starts, as a task
//! on the runtime, every instance whose configuration is wholly known and whose
//! `depends_on` resources (its own and its modules') have nothing left to do; an instance
//! still running, or waiting for one, is a wholly unknown value to the rest of the pass, so
//! its dependents wait too. Between passes the walk waits for at least one task to finish,
//! records what finished in the state at once, and reports progress. The pass that starts
//! nothing while nothing runs is the last one: its values and diagnostics are the run's.
//!
//! Tasks are bounded by `-parallelism` and by each provider's own limit. Events describing
//! the work go to an observer (the CLI), always from the thread that drives the walk.

use super::{with_address, Action, Change, Planner, Prior};
use crate::diag::Diagnostics;
use crate::eval::module::ResourceHook;
use crate::provider::{ApplyRequest, Provider};
use crate::value::Value;
use serde_json::Value as Json;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use terrane_state::journal::Entry;
use tokio::sync::Semaphore;

/// Terraform's default `-parallelism`.
pub const DEFAULT_PARALLELISM: usize = 10;

/// At most how many changes are started but not finished at once (most wait for a
/// `-parallelism` slot): beyond it, instances are planned in a later pass, which bounds the
/// memory an apply of many thousand instances holds.
const MAX_BACKLOG: usize = 4096;

/// How often a running change reports that it is still running.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(10);

/// What happens to an instance during a run, for the terminal or `-json` lines.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A change starts: `action` is Create, Update, Delete or Read (a replace is a Delete
    /// and a Create). `id` is the object's ID when it has one already.
    ApplyStart {
        address: String,
        action: Action,
        id: Option<String>,
    },
    /// A change is still running.
    ApplyProgress {
        address: String,
        action: Action,
        elapsed: Duration,
    },
    ApplyComplete {
        address: String,
        action: Action,
        id: Option<String>,
        elapsed: Duration,
    },
    ApplyErrored {
        address: String,
        action: Action,
        elapsed: Duration,
    },
    /// An object of the prior state was read to find out what changed outside terrane.
    RefreshComplete { address: String, id: Option<String> },
}

/// Receives a run's events.
type Observer = Box<dyn Fn(&Event)>;

/// What a running change reports back.
enum Message {
    Started {
        address: String,
        action: Action,
        at: Instant,
    },
    Ended {
        address: String,
        action: Action,
        at: Instant,
        ok: bool,
        id: Option<String>,
    },
    Finished(Finished),
}

struct Finished {
    address: String,
    new_state: Value,
    private: Vec<u8>,
    /// The prior object no longer exists (deleted as part of a replace or an orphan delete).
    deleted_prior: bool,
    /// What the task journaled for the state: the planner applies the same to its copy.
    entries: Vec<Entry>,
    diagnostics: Diagnostics,
}

/// Where a task persists what it finished: the apply journal of the state file.
pub(super) struct JournalTarget {
    pub journal: Arc<std::sync::Mutex<Option<terrane_state::journal::Journal>>>,
    pub state_path: std::path::PathBuf,
}

/// One change to carry out, with everything the task needs.
pub(super) struct Job {
    pub address: String,
    pub provider: Arc<dyn Provider>,
    pub provider_address: String,
    pub type_name: String,
    pub action: Action,
    /// The prior object, unmarked (null for a create).
    pub prior: Value,
    pub prior_private: Vec<u8>,
    /// The planned object, unmarked (null for a delete).
    pub planned: Value,
    pub planned_private: Vec<u8>,
    pub config: Value,
    /// Where the new object goes in the state (None for the deletion of an orphan).
    pub placement: Option<Arc<Placement>>,
    /// The journal entry that removes the prior object, for deletions and replacements.
    pub removal: Option<Entry>,
    /// Where to persist the result as soon as the provider is done.
    pub journal: Option<JournalTarget>,
}

/// Where a finished instance goes in the state.
pub(super) struct Placement {
    pub head: terrane_state::journal::ResourceHead,
    pub index_key: Option<Json>,
    pub create_before_destroy: bool,
    pub schema: Arc<crate::provider::Schema>,
    pub dependencies: Vec<String>,
}

/// A change under way, as the walk tracks it.
struct Flight {
    change: Change,
    /// None for the deletion of an object the configuration no longer has.
    placement: Option<Arc<Placement>>,
    /// The step now running (a replace runs two) and when it started.
    step: Option<(Action, Instant)>,
    reported: u64,
    config_address: String,
}

/// What the walk knows about an instance it has decided.
pub(super) enum Outcome {
    /// Final (applied, or nothing to do); `checked` once postconditions were evaluated.
    Settled {
        value: Value,
        checked: bool,
    },
    Running,
    Failed,
}

/// The walk's bookkeeping, owned by the planner.
pub(super) struct Walk {
    pub outcomes: RefCell<HashMap<String, Outcome>>,
    flights: RefCell<HashMap<String, Flight>>,
    started_this_pass: Cell<usize>,
    /// Changes that finished during the current pass (handled between its hook calls).
    settled_this_pass: Cell<usize>,
    /// Whether an instance of the current pass waited because of the backlog.
    deferred_for_backlog: Cell<bool>,
    /// Per resource (configuration address), the planned changes not finished yet.
    pending: RefCell<HashMap<String, usize>>,
    /// Resources (configuration addresses) with an instance that failed.
    failed: RefCell<HashSet<String>>,
    sender: mpsc::Sender<Message>,
    receiver: mpsc::Receiver<Message>,
    parallelism: Arc<Semaphore>,
    provider_limits: RefCell<HashMap<String, Option<Arc<Semaphore>>>>,
    observer: RefCell<Option<Observer>>,
    /// `depends_on` of module calls, by configuration path of the module
    /// (`module.a.module.b`), as configuration addresses.
    module_depends_on: RefCell<HashMap<String, Vec<String>>>,
    interrupt: Arc<AtomicBool>,
    /// Reads of the prior state done ahead of the evaluation, by instance address.
    pub refreshed: RefCell<HashMap<String, RefreshResult>>,
}

pub(super) type RefreshResult = Result<Option<(Value, Vec<u8>)>, Diagnostics>;

impl Walk {
    pub fn new(parallelism: usize, interrupt: Option<Arc<AtomicBool>>) -> Walk {
        let (sender, receiver) = mpsc::channel();
        let parallelism = if parallelism == 0 {
            DEFAULT_PARALLELISM
        } else {
            parallelism
        };
        Walk {
            outcomes: RefCell::new(HashMap::new()),
            flights: RefCell::new(HashMap::new()),
            started_this_pass: Cell::new(0),
            settled_this_pass: Cell::new(0),
            deferred_for_backlog: Cell::new(false),
            pending: RefCell::new(HashMap::new()),
            failed: RefCell::new(HashSet::new()),
            sender,
            receiver,
            parallelism: Arc::new(Semaphore::new(parallelism)),
            provider_limits: RefCell::new(HashMap::new()),
            observer: RefCell::new(None),
            module_depends_on: RefCell::new(HashMap::new()),
            interrupt: interrupt.unwrap_or_default(),
            refreshed: RefCell::new(HashMap::new()),
        }
    }

    pub fn emit(&self, event: Event) {
        if let Some(observer) = &*self.observer.borrow() {
            observer(&event);
        }
    }

    pub fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::SeqCst)
    }

    /// Whether too many changes are under way to start another; remembered for the pass.
    pub fn backlogged(&self) -> bool {
        let full = self.flights.borrow().len() >= MAX_BACKLOG;
        if full {
            self.deferred_for_backlog.set(true);
        }
        full
    }

    /// Counts the planned changes per resource, so that `depends_on` can wait for them.
    pub fn expect(&self, expected: &HashMap<String, Action>) {
        let mut pending = self.pending.borrow_mut();
        for (address, action) in expected {
            if *action != Action::NoOp {
                *pending.entry(config_address(address)).or_default() += 1;
            }
        }
    }

    /// Records an instance as failed: what depends on its resource will not start.
    pub fn fail(&self, address: &str) {
        self.outcomes
            .borrow_mut()
            .insert(address.to_string(), Outcome::Failed);
        self.failed.borrow_mut().insert(config_address(address));
    }

    /// Whether everything `targets` names (configuration addresses of resources or
    /// modules) is finished; `Err` when one of them failed.
    fn settled(&self, targets: &[String]) -> Result<bool, ()> {
        let covers = |target: &str, resource: &str| {
            resource == target
                || resource
                    .strip_prefix(target)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        for target in targets {
            if self.failed.borrow().iter().any(|f| covers(target, f)) {
                return Err(());
            }
            if self
                .pending
                .borrow()
                .iter()
                .any(|(resource, n)| *n > 0 && covers(target, resource))
                || self
                    .flights
                    .borrow()
                    .values()
                    .any(|f| covers(target, &f.config_address))
            {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The configuration address of an instance address: every instance key removed
/// (`module.a["x"].null_resource.b[0]` is `module.a.null_resource.b`).
pub fn config_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut chars = address.chars();
    while let Some(c) = chars.next() {
        if c != '[' {
            out.push(c);
            continue;
        }
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if quoted => {
                    chars.next();
                }
                '"' => quoted = !quoted,
                ']' if !quoted => break,
                _ => {}
            }
        }
    }
    out
}

/// The `id` attribute of an object, for progress lines.
fn object_id(value: &Value) -> Option<String> {
    let (plain, _) = value.unmark_deep();
    plain
        .as_mapping()
        .and_then(|m| m.get("id").cloned())
        .and_then(|id| id.as_str().map(str::to_owned))
}

impl Planner {
    /// Receives the events of this run (on the thread that drives it).
    pub fn observe(&self, observer: impl Fn(&Event) + 'static) {
        *self.walk.observer.borrow_mut() = Some(Box::new(observer));
    }

    /// Learns the `depends_on` of every module call of the configuration.
    pub fn set_configuration(&self, root: &crate::config::Module) {
        fn visit(
            module: &crate::config::Module,
            path: &str,
            out: &mut HashMap<String, Vec<String>>,
        ) {
            for (name, call) in &module.module_calls {
                let child_path = if path.is_empty() {
                    format!("module.{name}")
                } else {
                    format!("{path}.module.{name}")
                };
                let mut targets = out.get(path).cloned().unwrap_or_default();
                targets.extend(depends_on_targets(path, &call.depends_on));
                out.insert(child_path.clone(), targets);
                if let Some(child) = &call.module {
                    visit(child, &child_path, out);
                }
            }
        }
        let mut out = HashMap::new();
        visit(root, "", &mut out);
        *self.walk.module_depends_on.borrow_mut() = out;
    }

    /// Whether the run was interrupted (Ctrl-C): nothing new was started after it.
    pub fn interrupted(&self) -> bool {
        self.walk.interrupted()
    }

    /// Runs the evaluation to its end. Planning evaluates once; applying evaluates in
    /// passes until every instance is finished or cannot start, and returns the last one.
    pub fn walk<E>(self: &Rc<Self>, mut evaluate: impl FnMut(Rc<dyn ResourceHook>) -> E) -> E {
        let hook: Rc<dyn ResourceHook> = self.clone();
        if self.options.refresh
            && !self.options.destroy
            && self.options.targets.is_empty()
            && !self.prior.is_empty()
        {
            self.refresh_all();
        }
        if self.phase != super::Phase::Apply {
            return evaluate(hook);
        }
        if let Some(expected) = &self.options.expected {
            self.walk.expect(expected);
        }
        loop {
            self.walk.started_this_pass.set(0);
            self.walk.settled_this_pass.set(0);
            self.walk.deferred_for_backlog.set(false);
            let evaluation = evaluate(hook.clone());
            // The last pass is one that saw every instance final: nothing started, nothing
            // running, nothing finished while it ran.
            if self.walk.flights.borrow().is_empty()
                && self.walk.started_this_pass.get() == 0
                && self.walk.settled_this_pass.get() == 0
            {
                return evaluation;
            }
            drop(evaluation);
            if self.walk.deferred_for_backlog.get() {
                // A pass costs the whole configuration: let the backlog drain by half first.
                while self.walk.flights.borrow().len() > MAX_BACKLOG / 2 {
                    self.wait_for_any();
                }
            } else if self.walk.settled_this_pass.get() == 0 {
                // Otherwise something finished while the pass ran: the next pass can use it.
                self.wait_for_any();
            }
        }
    }

    /// Whether an instance may start now: its configuration is known, the run was not
    /// interrupted, and what it (or a module containing it) `depends_on` is finished.
    /// `None` when it never can (something it depends on failed).
    pub(super) fn ready(
        &self,
        module_path: &str,
        resource: &crate::config::Resource,
        config: &Value,
    ) -> Option<bool> {
        if self.walk.interrupted() || !config.is_wholly_known() {
            return Some(false);
        }
        let module_config = config_address(module_path);
        let mut targets = self
            .walk
            .module_depends_on
            .borrow()
            .get(&module_config)
            .cloned()
            .unwrap_or_default();
        targets.extend(depends_on_targets(&module_config, &resource.depends_on));
        targets.extend(depends_on_targets(
            &module_config,
            &resource.lifecycle.replace_triggered_by,
        ));
        self.walk.settled(&targets).ok()
    }

    /// Starts a change as a task; the rest of the pass sees the instance as unknown.
    pub(super) fn start(&self, mut job: Job, change: Change) {
        let address = job.address.clone();
        let placement = job.placement.clone();
        if matches!(job.action, Action::Delete | Action::DeleteThenCreate) && job.removal.is_none()
        {
            job.removal = self.removal(&address);
        }
        if self.phase == super::Phase::Apply {
            job.journal = self.state_path.clone().map(|state_path| JournalTarget {
                journal: self.journal.clone(),
                state_path,
            });
        }
        let limit = self.provider_limit(&job.provider_address, &job.provider);
        let global = self.walk.parallelism.clone();
        let sender = self.walk.sender.clone();
        self.walk.flights.borrow_mut().insert(
            address.clone(),
            Flight {
                config_address: config_address(&address),
                change,
                placement,
                step: None,
                reported: 0,
            },
        );
        self.walk
            .outcomes
            .borrow_mut()
            .insert(address.clone(), Outcome::Running);
        self.walk
            .started_this_pass
            .set(self.walk.started_this_pass.get() + 1);
        let watcher = sender.clone();
        let task = self.runtime.spawn(async move {
            let Ok(_permit) = global.acquire_owned().await else {
                return;
            };
            let _provider_permit = match limit {
                Some(limit) => match limit.acquire_owned().await {
                    Ok(p) => Some(p),
                    Err(_) => return,
                },
                None => None,
            };
            run_job(job, sender).await;
        });
        // A provider that panics still finishes its change, as a failure.
        self.runtime.spawn(async move {
            if task.await.is_err() {
                let _ = watcher.send(Message::Finished(Finished {
                    new_state: Value::Null(crate::value::Type::Dynamic),
                    private: Vec::new(),
                    deleted_prior: false,
                    entries: Vec::new(),
                    diagnostics: crate::diag::Diagnostic::error(
                        "Provider crashed",
                        format!("The provider stopped unexpectedly while changing {address}. Its state is unknown: run terrane plan to see what exists now."),
                    )
                    .into(),
                    address,
                }));
            }
        });
    }

    fn provider_limit(
        &self,
        address: &str,
        provider: &Arc<dyn Provider>,
    ) -> Option<Arc<Semaphore>> {
        self.walk
            .provider_limits
            .borrow_mut()
            .entry(address.to_string())
            .or_insert_with(|| {
                provider
                    .concurrency_limit()
                    .map(|n| Arc::new(Semaphore::new(n.max(1))))
            })
            .clone()
    }

    /// Handles what running changes reported so far, without waiting: finished instances
    /// reach the state at once even while a pass is being evaluated.
    pub(super) fn drain(&self) {
        if self.walk.flights.borrow().is_empty() {
            return;
        }
        while let Ok(message) = self.walk.receiver.try_recv() {
            self.handle(message);
        }
    }

    /// Waits until at least one running change finishes, handling everything reported
    /// meanwhile; reports progress of long changes while waiting.
    pub(super) fn wait_for_any(&self) {
        if self.walk.flights.borrow().is_empty() {
            return;
        }
        loop {
            let timeout = self.next_progress_in();
            match self.walk.receiver.recv_timeout(timeout) {
                Ok(message) => {
                    let mut finished = self.handle(message);
                    while let Ok(more) = self.walk.receiver.try_recv() {
                        finished |= self.handle(more);
                    }
                    if finished || self.walk.flights.borrow().is_empty() {
                        return;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => self.report_progress(),
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn next_progress_in(&self) -> Duration {
        let now = Instant::now();
        self.walk
            .flights
            .borrow()
            .values()
            .filter_map(|f| {
                let (_, since) = f.step?;
                let due = since + PROGRESS_INTERVAL * (f.reported as u32 + 1);
                Some(due.saturating_duration_since(now))
            })
            .min()
            .unwrap_or(PROGRESS_INTERVAL)
            .max(Duration::from_millis(10))
    }

    fn report_progress(&self) {
        let now = Instant::now();
        let mut due = Vec::new();
        for (address, flight) in self.walk.flights.borrow_mut().iter_mut() {
            let Some((action, since)) = flight.step else {
                continue;
            };
            let elapsed = now.duration_since(since);
            let ticks = elapsed.as_secs() / PROGRESS_INTERVAL.as_secs();
            if ticks > flight.reported {
                flight.reported = ticks;
                due.push((address.clone(), action, PROGRESS_INTERVAL * ticks as u32));
            }
        }
        due.sort_by(|a, b| a.0.cmp(&b.0));
        for (address, action, elapsed) in due {
            self.walk.emit(Event::ApplyProgress {
                address,
                action,
                elapsed,
            });
        }
    }

    /// Handles one report of a task; true when a change finished.
    fn handle(&self, message: Message) -> bool {
        match message {
            Message::Started {
                address,
                action,
                at,
            } => {
                let id = {
                    let mut flights = self.walk.flights.borrow_mut();
                    let Some(flight) = flights.get_mut(&address) else {
                        return false;
                    };
                    flight.step = Some((action, at));
                    flight.reported = 0;
                    match action {
                        Action::Delete | Action::Update => object_id(&flight.change.before),
                        _ => None,
                    }
                };
                self.walk.emit(Event::ApplyStart {
                    address,
                    action,
                    id,
                });
                false
            }
            Message::Ended {
                address,
                action,
                at,
                ok,
                id,
            } => {
                let since = {
                    let mut flights = self.walk.flights.borrow_mut();
                    flights
                        .get_mut(&address)
                        .and_then(|f| f.step.take())
                        .map(|(_, since)| since)
                        .unwrap_or(at)
                };
                let elapsed = at.duration_since(since);
                self.walk.emit(if ok {
                    Event::ApplyComplete {
                        address,
                        action,
                        id,
                        elapsed,
                    }
                } else {
                    Event::ApplyErrored {
                        address,
                        action,
                        elapsed,
                    }
                });
                false
            }
            Message::Finished(finished) => {
                self.finish_flight(finished);
                true
            }
        }
    }

    /// Records a finished change (already journaled by its task) in the working state and
    /// in the run's outcomes.
    fn finish_flight(&self, finished: Finished) {
        let Some(flight) = self.walk.flights.borrow_mut().remove(&finished.address) else {
            return;
        };
        self.walk
            .settled_this_pass
            .set(self.walk.settled_this_pass.get() + 1);
        self.apply_recorded(&finished.entries);
        let diagnostics = with_address(finished.diagnostics, &finished.address);
        let failed = diagnostics.has_errors();
        self.diagnostics.borrow_mut().extend(diagnostics);
        if let Some(n) = self
            .walk
            .pending
            .borrow_mut()
            .get_mut(&flight.config_address)
        {
            *n = n.saturating_sub(1);
        }
        if failed {
            self.walk.fail(&finished.address);
            return;
        }
        let value = match &flight.placement {
            Some(p) => super::mark_sensitive(&finished.new_state, &p.schema.block),
            None => finished.new_state.clone(),
        };
        self.walk.outcomes.borrow_mut().insert(
            finished.address.clone(),
            Outcome::Settled {
                value,
                checked: false,
            },
        );
        self.changes.borrow_mut().push(flight.change);
    }

    /// Deletes the objects of the prior state the configuration no longer has, each once
    /// nothing still depending on it remains, concurrently. `orphans` are in a stable order.
    pub(super) fn delete_orphans(&self, orphans: Vec<(Change, Vec<u8>)>) {
        // An orphan waits for every other orphan whose dependencies name it.
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (change, _)) in orphans.iter().enumerate() {
            by_name.entry(change.address.clone()).or_default().push(i);
            let base = super::strip_index(&change.address).to_string();
            if base != change.address {
                by_name.entry(base).or_default().push(i);
            }
        }
        let mut waiting_for = vec![0usize; orphans.len()];
        let mut blocks: Vec<Vec<usize>> = vec![Vec::new(); orphans.len()];
        for (i, (change, _)) in orphans.iter().enumerate() {
            let deps = self
                .prior
                .get(&change.address)
                .map(|p: &Prior| p.dependencies.clone())
                .unwrap_or_default();
            let mut seen = HashSet::new();
            for dep in deps {
                for &j in by_name.get(&dep).into_iter().flatten() {
                    if j != i && seen.insert(j) {
                        waiting_for[j] += 1;
                        blocks[i].push(j);
                    }
                }
            }
        }
        let mut jobs: Vec<Option<(Change, Vec<u8>)>> = orphans.into_iter().map(Some).collect();
        let mut running: HashMap<String, usize> = HashMap::new();
        loop {
            if !self.walk.interrupted() {
                for i in 0..jobs.len() {
                    if waiting_for[i] != 0 || jobs[i].is_none() {
                        continue;
                    }
                    let Some((change, private)) = jobs[i].take() else {
                        continue;
                    };
                    if let Err(d) = self.check_expected(&change.address, Action::Delete) {
                        self.diagnostics.borrow_mut().push(d);
                        continue;
                    }
                    let Some((provider, _)) = self.providers.get(&change.provider) else {
                        continue;
                    };
                    let (before, _) = change.before.unmark_deep();
                    let job = Job {
                        address: change.address.clone(),
                        provider: provider.clone(),
                        provider_address: change.provider.clone(),
                        type_name: change.ty.clone(),
                        action: Action::Delete,
                        planned: Value::Null(before.ty()),
                        prior: before,
                        prior_private: private,
                        planned_private: Vec::new(),
                        config: Value::Null(crate::value::Type::Dynamic),
                        placement: None,
                        removal: None,
                        journal: None,
                    };
                    running.insert(change.address.clone(), i);
                    self.start(job, change);
                }
            }
            if self.walk.flights.borrow().is_empty() {
                return;
            }
            self.wait_for_any();
            let done: Vec<String> = running
                .keys()
                .filter(|a| !self.walk.flights.borrow().contains_key(*a))
                .cloned()
                .collect();
            for address in done {
                let Some(i) = running.remove(&address) else {
                    continue;
                };
                let ok = matches!(
                    self.walk.outcomes.borrow().get(&address),
                    Some(Outcome::Settled { .. })
                );
                if ok {
                    for &j in &blocks[i] {
                        waiting_for[j] = waiting_for[j].saturating_sub(1);
                    }
                }
            }
        }
    }

    /// Reads every object of the prior state at once (bounded by `-parallelism`), ahead of
    /// the evaluation that plans them.
    pub(super) fn refresh_all(&self) {
        let mut reads = Vec::new();
        for (address, prior) in &self.prior {
            if prior.data || prior.value.is_null() {
                continue;
            }
            let Some((provider, _)) = self.providers.get(&prior.provider) else {
                continue;
            };
            reads.push((
                address.clone(),
                provider.clone(),
                prior.ty.clone(),
                prior.value.unmark_deep().0,
                prior.private.clone(),
            ));
        }
        reads.sort_by(|a, b| a.0.cmp(&b.0));
        let semaphore = self.walk.parallelism.clone();
        let interrupt = self.walk.interrupt.clone();
        let results = self.runtime.block_on(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for (address, provider, ty, value, private) in reads {
                let semaphore = semaphore.clone();
                let interrupt = interrupt.clone();
                tasks.spawn(async move {
                    let _permit = semaphore.acquire_owned().await.ok()?;
                    if interrupt.load(Ordering::SeqCst) {
                        return None;
                    }
                    let result = provider.read(&ty, &value, &private).await;
                    Some((address, result))
                });
            }
            let mut results = Vec::new();
            while let Some(joined) = tasks.join_next().await {
                if let Ok(Some(result)) = joined {
                    results.push(result);
                }
            }
            results
        });
        let mut results = results;
        results.sort_by(|a, b| a.0.cmp(&b.0));
        for (address, result) in results {
            if let Ok(Some((value, _))) = &result {
                self.walk.emit(Event::RefreshComplete {
                    address: address.clone(),
                    id: object_id(value),
                });
            }
            self.walk.refreshed.borrow_mut().insert(address, result);
        }
    }
}

/// The configuration addresses `depends_on` expressions of a module at configuration
/// path `module_path` name.
fn depends_on_targets(module_path: &str, exprs: &[crate::config::Expr]) -> Vec<String> {
    use crate::eval::expr::Reference;
    let prefix = if module_path.is_empty() {
        String::new()
    } else {
        format!("{module_path}.")
    };
    let mut out = Vec::new();
    for e in exprs {
        for found in crate::eval::references::references(&e.expr, &[]) {
            let target = match found.reference {
                Reference::Resource { ty, name } => format!("{prefix}{ty}.{name}"),
                Reference::Data { ty, name } => format!("{prefix}data.{ty}.{name}"),
                Reference::Module(name) => format!("{prefix}module.{name}"),
                _ => continue,
            };
            out.push(target);
        }
    }
    out
}

/// Carries out one change through its provider, reporting each step.
async fn run_job(job: Job, sender: mpsc::Sender<Message>) {
    let step = |action: Action| {
        let _ = sender.send(Message::Started {
            address: job.address.clone(),
            action,
            at: Instant::now(),
        });
    };
    let ended = |action: Action, ok: bool, id: Option<String>| {
        let _ = sender.send(Message::Ended {
            address: job.address.clone(),
            action,
            at: Instant::now(),
            ok,
            id,
        });
    };
    let delete = || {
        job.provider.apply_change(ApplyRequest {
            type_name: job.type_name.clone(),
            prior_state: job.prior.clone(),
            planned_state: Value::Null(job.prior.ty()),
            config: Value::Null(job.prior.ty()),
            planned_private: job.prior_private.clone(),
        })
    };
    let apply = |prior: Value| {
        job.provider.apply_change(ApplyRequest {
            type_name: job.type_name.clone(),
            prior_state: prior,
            planned_state: job.planned.clone(),
            config: job.config.clone(),
            planned_private: job.planned_private.clone(),
        })
    };
    let mut finished = Finished {
        address: job.address.clone(),
        new_state: Value::Null(job.planned.ty()),
        private: Vec::new(),
        deleted_prior: false,
        entries: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    match job.action {
        Action::Delete => {
            step(Action::Delete);
            let r = delete().await;
            let ok = !r.diagnostics.has_errors();
            ended(Action::Delete, ok, None);
            finished.deleted_prior = ok;
            finished.diagnostics = r.diagnostics;
        }
        Action::DeleteThenCreate => {
            step(Action::Delete);
            let r = delete().await;
            let ok = !r.diagnostics.has_errors();
            ended(Action::Delete, ok, None);
            finished.deleted_prior = ok;
            if ok {
                step(Action::Create);
                let r = apply(Value::Null(job.prior.ty())).await;
                ended(
                    Action::Create,
                    !r.diagnostics.has_errors(),
                    object_id(&r.new_state),
                );
                finished.new_state = r.new_state;
                finished.private = r.private;
                finished.diagnostics = r.diagnostics;
            } else {
                finished.diagnostics = r.diagnostics;
            }
        }
        Action::CreateThenDelete => {
            step(Action::Create);
            let r = apply(Value::Null(job.prior.ty())).await;
            let ok = !r.diagnostics.has_errors();
            ended(Action::Create, ok, object_id(&r.new_state));
            finished.new_state = r.new_state;
            finished.private = r.private;
            finished.diagnostics = r.diagnostics;
            if ok {
                step(Action::Delete);
                let d = delete().await;
                ended(Action::Delete, !d.diagnostics.has_errors(), None);
                finished.diagnostics.extend(d.diagnostics);
            }
        }
        action => {
            let prior = if action == Action::Update {
                job.prior.clone()
            } else {
                Value::Null(job.prior.ty())
            };
            step(action);
            let r = apply(prior).await;
            ended(action, !r.diagnostics.has_errors(), object_id(&r.new_state));
            finished.new_state = r.new_state;
            finished.private = r.private;
            finished.diagnostics = r.diagnostics;
        }
    }
    let mut entries = Vec::new();
    if finished.deleted_prior {
        entries.extend(job.removal.clone());
    }
    if let Some(placement) = &job.placement {
        let failed = finished.diagnostics.has_errors();
        if !finished.new_state.is_null() && (!failed || job.action != Action::Update) {
            let tainted = failed && job.action != Action::Update;
            match super::entry_for(placement, &finished.new_state, &finished.private, tainted) {
                Ok(entry) => entries.push(entry),
                Err(d) => finished.diagnostics.push(d),
            }
        }
    }
    if let Some(target) = &job.journal {
        if let Err(d) = super::journal_record(&target.journal, &target.state_path, &entries) {
            finished.diagnostics.push(d);
        }
    }
    finished.entries = entries;
    let _ = sender.send(Message::Finished(finished));
}

/// Index keys in JSON, as the state records them.
pub(super) fn index_key_json(key: &crate::eval::module::InstanceKey) -> Option<Json> {
    use crate::eval::module::InstanceKey;
    match key {
        InstanceKey::None => None,
        InstanceKey::Index(i) => Some(Json::from(*i)),
        InstanceKey::Key(k, _) => Some(Json::from(k.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::config_address;

    #[test]
    fn configuration_addresses_drop_every_key() {
        assert_eq!(
            config_address("module.a[\"x]\\\"y\"].null_resource.b[0]"),
            "module.a.null_resource.b"
        );
        assert_eq!(config_address("null_resource.b"), "null_resource.b");
        assert_eq!(
            config_address("module.a[2].module.c.data.x.y[\"k\"]"),
            "module.a.module.c.data.x.y"
        );
    }
}
