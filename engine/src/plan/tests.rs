//! Plan and apply through a small provider written for these tests: `test_thing` has a
//! force-new `name`, an updatable `tag`, and a computed `id`.

use super::*;
use crate::eval::module::{evaluate_tree_with, Mode, Settings};
use crate::provider::{
    ApplyRequest, ApplyResponse, Attribute, Block, ImportedObject, PlanResponse,
};
use crate::value::Type;
use std::rc::Rc;

struct Things;

fn thing_schema() -> Schema {
    let mut block = Block::default();
    block
        .attributes
        .insert("name".into(), Attribute::required(Type::String).force_new());
    block
        .attributes
        .insert("tag".into(), Attribute::optional(Type::String));
    block.attributes.insert(
        "secret".into(),
        Attribute::optional(Type::String).sensitive(),
    );
    block
        .attributes
        .insert("id".into(), Attribute::computed(Type::String));
    Schema { version: 0, block }
}

#[async_trait::async_trait]
impl Provider for Things {
    fn schema(&self) -> ProviderSchema {
        let mut s = ProviderSchema::default();
        s.resources.insert("test_thing".into(), thing_schema());
        s
    }
    async fn upgrade_state(&self, _: &str, _: u64, raw: &Json) -> Result<Value, Diagnostics> {
        crate::json::value_from_json(raw, &thing_schema().block.value_type())
            .map_err(|e| Diagnostic::error("bad", e).into())
    }
    async fn plan_change(&self, r: PlanRequest) -> PlanResponse {
        let mut planned = r.proposed_new_state.clone();
        let mut requires_replace = Vec::new();
        if let (Some(new), Some(old)) = (
            r.proposed_new_state.as_mapping(),
            r.prior_state.as_mapping(),
        ) {
            if new.get("name") != old.get("name") {
                requires_replace.push(vec!["name".to_string()]);
            }
        } else if let Some(new) = r.proposed_new_state.as_mapping() {
            let mut m = new.clone();
            m.insert("id".into(), Value::Unknown(Type::String));
            planned = Value::object(m);
        }
        PlanResponse {
            planned_state: planned,
            requires_replace,
            planned_private: vec![],
            diagnostics: Diagnostics::new(),
        }
    }
    async fn apply_change(&self, r: ApplyRequest) -> ApplyResponse {
        let new_state = match r.planned_state.as_mapping() {
            None => r.planned_state.clone(),
            Some(m) => {
                let mut m = m.clone();
                let name = m["name"].as_str().unwrap_or_default().to_string();
                m.insert("id".into(), Value::string(format!("id-{name}")));
                Value::object(m)
            }
        };
        ApplyResponse {
            new_state,
            private: vec![],
            diagnostics: Diagnostics::new(),
        }
    }
    async fn read(
        &self,
        _: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        Ok(Some((state.clone(), private.to_vec())))
    }
    async fn import(&self, _: &str, _: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        Ok(vec![])
    }
    async fn read_data_source(&self, _: &str, config: &Value) -> Result<Value, Diagnostics> {
        Ok(config.clone())
    }
}

const ADDRESS: &str = "registry.terraform.io/hashicorp/test";

fn run(
    dir: &std::path::Path,
    phase: Phase,
    prior: State,
    options: Options,
) -> (Vec<Change>, State, Diagnostics) {
    let (module, diags) = crate::config::load_module_tree(dir);
    assert!(!diags.has_errors(), "{diags:?}");
    let mut providers = ProviderSet::default();
    providers.add(ADDRESS, Arc::new(Things));
    let path = dir.join("terraform.tfstate");
    let planner =
        Rc::new(Planner::new(providers, phase, options, prior, Some(path)).expect("planner"));
    let settings = Settings {
        mode: Mode::Apply,
        workspace: "default".into(),
        cwd: dir.to_path_buf(),
        files: Arc::new(crate::functions::RealFiles),
        plan_timestamp: String::new(),
    };
    let module = Arc::new(module);
    planner.set_configuration(&module);
    let eval = planner.walk(|hook| {
        evaluate_tree_with(
            module.clone(),
            BTreeMap::new(),
            settings.clone(),
            Some(hook),
        )
    });
    planner.finish();
    let mut all = eval.diagnostics;
    all.extend(planner.take_diagnostics());
    (planner.changes(), planner.state(), all)
}

fn actions(changes: &[Change]) -> Vec<(String, Action)> {
    let mut v: Vec<(String, Action)> = changes
        .iter()
        .map(|c| (c.address.clone(), c.action))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn write(dir: &std::path::Path, text: &str) {
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

#[test]
fn create_noop_update_replace_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        r#"
resource "test_thing" "a" {
  name = "a"
  tag  = "one"
}
resource "test_thing" "b" {
  count = 2
  name  = "${test_thing.a.id}-${count.index}"
}
output "ids" { value = test_thing.b[*].id }
"#,
    );
    let empty = State::new("test");
    let (changes, _, diags) = run(d, Phase::Plan, empty.clone(), Options::default());
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(
        actions(&changes),
        vec![
            ("test_thing.a".into(), Action::Create),
            ("test_thing.b[0]".into(), Action::Create),
            ("test_thing.b[1]".into(), Action::Create),
        ]
    );
    assert!(!changes[1].after.as_mapping().unwrap()["name"].is_known());

    let (_, state, diags) = run(d, Phase::Apply, empty, Options::default());
    assert!(!diags.has_errors(), "{diags:?}");
    let b0 = &state
        .resources
        .iter()
        .find(|r| r.name == "b")
        .unwrap()
        .instances[0];
    assert_eq!(b0.attributes["name"], "id-a-0");
    assert_eq!(b0.dependencies, vec!["test_thing.a".to_string()]);
    let on_disk = State::read(&d.join("terraform.tfstate")).unwrap().unwrap();
    assert_eq!(on_disk.resources, state.resources);

    let (changes, _, _) = run(d, Phase::Plan, state.clone(), Options::default());
    assert!(
        changes.iter().all(|c| c.action == Action::NoOp),
        "{:?}",
        actions(&changes)
    );

    write(
        d,
        r#"
resource "test_thing" "a" {
  name = "a2"
  tag  = "two"
}
resource "test_thing" "b" {
  count = 1
  name  = "b"
}
"#,
    );
    let (changes, _, _) = run(d, Phase::Plan, state.clone(), Options::default());
    assert_eq!(
        actions(&changes),
        vec![
            ("test_thing.a".into(), Action::DeleteThenCreate),
            ("test_thing.b[0]".into(), Action::DeleteThenCreate),
            ("test_thing.b[1]".into(), Action::Delete),
        ]
    );
    let (_, state, diags) = run(d, Phase::Apply, state, Options::default());
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(
        state
            .resources
            .iter()
            .map(|r| r.instances.len())
            .sum::<usize>(),
        2
    );

    write(
        d,
        r#"
resource "test_thing" "a" {
  name = "a2"
  tag  = "three"
}
"#,
    );
    let (changes, _, _) = run(d, Phase::Plan, state.clone(), Options::default());
    assert_eq!(
        actions(&changes),
        vec![
            ("test_thing.a".into(), Action::Update),
            ("test_thing.b[0]".into(), Action::Delete)
        ]
    );
    let destroy = Options {
        destroy: true,
        ..Options::default()
    };
    let (_, state, diags) = run(d, Phase::Apply, state, destroy);
    assert!(!diags.has_errors(), "{diags:?}");
    assert!(state.resources.is_empty());
}

#[test]
fn sensitive_attributes_are_marked_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        r#"
resource "test_thing" "s" {
  name   = "s"
  secret = "hunter2"
}
output "leak" { value = test_thing.s.secret }
"#,
    );
    let (_, _, diags) = run(
        dir.path(),
        Phase::Plan,
        State::new("test"),
        Options::default(),
    );
    assert!(
        diags
            .iter()
            .any(|d| d.summary == "Output refers to sensitive values"),
        "{diags:?}"
    );
    write(
        dir.path(),
        r#"
resource "test_thing" "s" {
  name   = "s"
  secret = "hunter2"
}
"#,
    );
    let (_, state, _) = run(
        dir.path(),
        Phase::Apply,
        State::new("test"),
        Options::default(),
    );
    let i = &state.resources[0].instances[0];
    assert_eq!(
        i.sensitive_attributes,
        vec![serde_json::json!([{"type": "get_attr", "value": "secret"}])]
    );
}

#[test]
fn prevent_destroy_stops_a_replacement() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        r#"
resource "test_thing" "p" {
  name = "one"
  lifecycle { prevent_destroy = true }
}
"#,
    );
    let (_, state, _) = run(
        dir.path(),
        Phase::Apply,
        State::new("test"),
        Options::default(),
    );
    write(
        dir.path(),
        r#"
resource "test_thing" "p" {
  name = "two"
  lifecycle { prevent_destroy = true }
}
"#,
    );
    let (_, _, diags) = run(dir.path(), Phase::Plan, state, Options::default());
    assert!(
        diags
            .iter()
            .any(|d| d.summary == "Instance cannot be destroyed"),
        "{diags:?}"
    );
}

/// A provider whose changes take a while, recording how many run at once and in which
/// order they finish; a `name` starting with "fail" fails.
#[derive(Default)]
struct Slow {
    running: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
    finished: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Provider for Slow {
    fn schema(&self) -> ProviderSchema {
        Things.schema()
    }
    async fn upgrade_state(&self, t: &str, v: u64, raw: &Json) -> Result<Value, Diagnostics> {
        Things.upgrade_state(t, v, raw).await
    }
    async fn plan_change(&self, r: PlanRequest) -> PlanResponse {
        Things.plan_change(r).await
    }
    async fn apply_change(&self, r: ApplyRequest) -> ApplyResponse {
        use std::sync::atomic::Ordering;
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        let name = r
            .planned_state
            .as_mapping()
            .and_then(|m| m.get("name").and_then(|n| n.as_str().map(str::to_owned)))
            .unwrap_or_default();
        self.finished.lock().unwrap().push(name.clone());
        if name.starts_with("fail") {
            return ApplyResponse {
                new_state: Value::Null(r.planned_state.ty()),
                private: vec![],
                diagnostics: Diagnostic::error("Creation failed", "as asked").into(),
            };
        }
        Things.apply_change(r).await
    }
    async fn read(
        &self,
        t: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        Things.read(t, state, private).await
    }
    async fn import(&self, _: &str, _: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        Ok(vec![])
    }
    async fn read_data_source(&self, _: &str, config: &Value) -> Result<Value, Diagnostics> {
        Ok(config.clone())
    }
}

fn apply_slow(dir: &std::path::Path, slow: Arc<Slow>, parallelism: usize) -> (State, Diagnostics) {
    let (module, diags) = crate::config::load_module_tree(dir);
    assert!(!diags.has_errors(), "{diags:?}");
    let mut providers = ProviderSet::default();
    providers.add(ADDRESS, slow);
    let options = Options {
        parallelism,
        ..Options::default()
    };
    let planner = Rc::new(
        Planner::new(
            providers,
            Phase::Apply,
            options,
            State::new("test"),
            Some(dir.join("terraform.tfstate")),
        )
        .expect("planner"),
    );
    let settings = Settings {
        mode: Mode::Apply,
        workspace: "default".into(),
        cwd: dir.to_path_buf(),
        files: Arc::new(crate::functions::RealFiles),
        plan_timestamp: String::new(),
    };
    let module = Arc::new(module);
    planner.set_configuration(&module);
    let eval = planner.walk(|hook| {
        evaluate_tree_with(
            module.clone(),
            BTreeMap::new(),
            settings.clone(),
            Some(hook),
        )
    });
    planner.finish();
    let mut all = eval.diagnostics;
    all.extend(planner.take_diagnostics());
    (planner.state(), all)
}

fn names_in(state: &State) -> Vec<String> {
    let mut names: Vec<String> = state
        .resources
        .iter()
        .flat_map(|r| r.instances.iter())
        .map(|i| {
            i.attributes["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn independent_changes_run_in_parallel_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        r#"
resource "test_thing" "many" {
  count = 12
  name  = "n${count.index}"
}
"#,
    );
    let slow = Arc::new(Slow::default());
    let started = std::time::Instant::now();
    let (state, diags) = apply_slow(dir.path(), slow.clone(), 4);
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(names_in(&state).len(), 12);
    assert_eq!(slow.most.load(std::sync::atomic::Ordering::SeqCst), 4);
    // Twelve 40 ms changes four at a time take three rounds, not twelve.
    assert!(started.elapsed() < std::time::Duration::from_millis(12 * 40));
}

#[test]
fn dependents_wait_and_a_failure_stops_only_its_dependents() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        r#"
resource "test_thing" "base" { name = "base" }
resource "test_thing" "uses_base" { name = "after-${test_thing.base.id}" }
resource "test_thing" "ordered" {
  name       = "ordered"
  depends_on = [test_thing.base]
}
resource "test_thing" "broken" { name = "fail-me" }
resource "test_thing" "needs_broken" { name = "x-${test_thing.broken.id}" }
resource "test_thing" "waits_broken" {
  name       = "waits"
  depends_on = [test_thing.broken]
}
resource "test_thing" "alone" { name = "alone" }
"#,
    );
    let slow = Arc::new(Slow::default());
    let (state, diags) = apply_slow(dir.path(), slow.clone(), 10);
    assert!(diags.has_errors());
    assert!(
        format!("{diags:?}").contains("test_thing.broken"),
        "{diags:?}"
    );
    assert_eq!(
        names_in(&state),
        vec!["after-id-base", "alone", "base", "ordered"]
    );
    let finished = slow.finished.lock().unwrap().clone();
    let at = |n: &str| finished.iter().position(|f| f == n).unwrap();
    assert!(at("base") < at("after-id-base"));
    assert!(at("base") < at("ordered"));
    assert!(!finished.iter().any(|f| f == "waits" || f.starts_with("x-")));
}
