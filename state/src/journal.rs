//! The apply journal: every finished resource instance is appended to `<state>.journal` as
//! one JSON line, so that persisting after each instance costs only that instance (not a
//! rewrite of the whole state, which would make an apply quadratic). The full state is
//! written atomically when the apply ends and the journal removed; if the process dies
//! first, reading the state replays the journal, so nothing that finished is lost.

use crate::{Instance, Resource, State};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// One journal line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Entry {
    /// An instance was created or changed: the resource it belongs to (without its other
    /// instances) and the instance.
    Put {
        resource: ResourceHead,
        instance: Box<Instance>,
    },
    /// An instance was destroyed or forgotten.
    Remove {
        resource: ResourceHead,
        index_key: Option<serde_json::Value>,
    },
}

/// What identifies a resource in the state, and its non-instance fields.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ResourceHead {
    pub module: Option<String>,
    pub mode: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub name: String,
    pub each: Option<String>,
    pub provider: String,
}

impl ResourceHead {
    fn matches(&self, r: &Resource) -> bool {
        r.module == self.module && r.mode == self.mode && r.ty == self.ty && r.name == self.name
    }
}

/// Where the journal of a state file lives.
pub fn journal_path(state_path: &Path) -> PathBuf {
    let mut s = state_path.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// An open journal being appended to.
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating or continuing) the journal of a state file.
    pub fn open(state_path: &Path) -> std::io::Result<Journal> {
        let path = journal_path(state_path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Journal { file, path })
    }

    /// Appends one entry. The write reaches the operating system before this returns, so a
    /// killed process loses nothing it recorded.
    pub fn record(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).expect("journal entry serializes");
        line.push(b'\n');
        self.file.write_all(&line)
    }

    /// Removes the journal once the full state has been written.
    pub fn finish(self) -> std::io::Result<()> {
        drop(self.file);
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Applies one entry to a state.
pub fn apply_entry(state: &mut State, entry: &Entry) {
    match entry {
        Entry::Put { resource, instance } => {
            let pos = state.resources.iter().position(|r| resource.matches(r));
            let r = match pos {
                Some(p) => &mut state.resources[p],
                None => {
                    state.resources.push(Resource {
                        module: resource.module.clone(),
                        mode: resource.mode.clone(),
                        ty: resource.ty.clone(),
                        name: resource.name.clone(),
                        each: resource.each.clone(),
                        provider: resource.provider.clone(),
                        instances: Vec::new(),
                    });
                    state.resources.last_mut().expect("just pushed")
                }
            };
            r.each = resource.each.clone();
            match r
                .instances
                .iter()
                .position(|i| i.index_key == instance.index_key)
            {
                Some(p) => r.instances[p] = (**instance).clone(),
                None => r.instances.push((**instance).clone()),
            }
        }
        Entry::Remove {
            resource,
            index_key,
        } => {
            for r in state.resources.iter_mut().filter(|r| resource.matches(r)) {
                r.instances.retain(|i| i.index_key != *index_key);
            }
            state.resources.retain(|r| !r.instances.is_empty());
        }
    }
}

/// Applies entries in order, with the result `apply_entry` gives one by one, in time linear
/// in the state and the entries (an apply of thousands of instances journals thousands).
pub fn apply_entries(state: &mut State, entries: &[Entry]) {
    if entries.len() <= 4 {
        for entry in entries {
            apply_entry(state, entry);
        }
        return;
    }
    type Identity = (Option<String>, String, String, String);
    let identity = |module: &Option<String>, mode: &str, ty: &str, name: &str| -> Identity {
        (
            module.clone(),
            mode.to_string(),
            ty.to_string(),
            name.to_string(),
        )
    };
    let key_text = |key: &Option<serde_json::Value>| serde_json::to_string(key).unwrap_or_default();
    let mut resources: std::collections::HashMap<Identity, usize> =
        std::collections::HashMap::new();
    let mut slots: Vec<Vec<Option<Instance>>> = Vec::new();
    let mut positions: Vec<std::collections::HashMap<String, usize>> = Vec::new();
    for (n, r) in state.resources.iter_mut().enumerate() {
        resources
            .entry(identity(&r.module, &r.mode, &r.ty, &r.name))
            .or_insert(n);
        let instances = std::mem::take(&mut r.instances);
        positions.push(
            instances
                .iter()
                .enumerate()
                .map(|(i, o)| (key_text(&o.index_key), i))
                .collect(),
        );
        slots.push(instances.into_iter().map(Some).collect());
    }
    for entry in entries {
        match entry {
            Entry::Put { resource, instance } => {
                let id = identity(
                    &resource.module,
                    &resource.mode,
                    &resource.ty,
                    &resource.name,
                );
                let r = *resources.entry(id).or_insert_with(|| {
                    state.resources.push(Resource {
                        module: resource.module.clone(),
                        mode: resource.mode.clone(),
                        ty: resource.ty.clone(),
                        name: resource.name.clone(),
                        each: resource.each.clone(),
                        provider: resource.provider.clone(),
                        instances: Vec::new(),
                    });
                    slots.push(Vec::new());
                    positions.push(std::collections::HashMap::new());
                    state.resources.len() - 1
                });
                state.resources[r].each = resource.each.clone();
                let key = key_text(&instance.index_key);
                match positions[r].get(&key) {
                    Some(&p) => slots[r][p] = Some((**instance).clone()),
                    None => {
                        positions[r].insert(key, slots[r].len());
                        slots[r].push(Some((**instance).clone()));
                    }
                }
            }
            Entry::Remove {
                resource,
                index_key,
            } => {
                let id = identity(
                    &resource.module,
                    &resource.mode,
                    &resource.ty,
                    &resource.name,
                );
                if let Some(&r) = resources.get(&id) {
                    if let Some(p) = positions[r].remove(&key_text(index_key)) {
                        slots[r][p] = None;
                    }
                }
            }
        }
    }
    for (r, resource_slots) in state.resources.iter_mut().zip(slots) {
        r.instances = resource_slots.into_iter().flatten().collect();
    }
    state.resources.retain(|r| !r.instances.is_empty());
}

/// Replays the journal of `state_path` onto `state`, if there is one; a last line cut
/// short by a crash is ignored. Returns whether anything was replayed.
pub fn replay(state: &mut State, state_path: &Path) -> std::io::Result<bool> {
    let file = match File::open(journal_path(state_path)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line?;
        let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
            break;
        };
        entries.push(entry);
    }
    let any = !entries.is_empty();
    apply_entries(state, &entries);
    if any {
        state.serial += 1;
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_in_bulk_give_what_one_by_one_gives() {
        // A pseudo-random mix of puts and removes over a few resources and keys, with
        // removed instances put back, starting from a state that already has some.
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut start = State::new("test");
        for k in 0..5 {
            apply_entry(
                &mut start,
                &Entry::Put {
                    resource: head("a"),
                    instance: Box::new(instance(k)),
                },
            );
        }
        let names = ["a", "b", "c"];
        let entries: Vec<Entry> = (0..400)
            .map(|_| {
                let resource = head(names[next(3) as usize]);
                let key = next(12) as i64;
                if next(3) == 0 {
                    Entry::Remove {
                        resource,
                        index_key: Some(key.into()),
                    }
                } else {
                    let mut object = instance(key);
                    object.attributes = serde_json::json!({"id": next(1000).to_string()});
                    Entry::Put {
                        resource,
                        instance: Box::new(object),
                    }
                }
            })
            .collect();
        let mut one_by_one = start.clone();
        for entry in &entries {
            apply_entry(&mut one_by_one, entry);
        }
        let mut bulk = start;
        apply_entries(&mut bulk, &entries);
        let sorted = |s: &State| {
            let mut rs: Vec<(String, Vec<Instance>)> = s
                .resources
                .iter()
                .map(|r| (r.name.clone(), r.instances.clone()))
                .collect();
            rs.sort_by(|a, b| a.0.cmp(&b.0));
            rs
        };
        assert_eq!(sorted(&bulk), sorted(&one_by_one));
    }

    fn head(name: &str) -> ResourceHead {
        ResourceHead {
            module: None,
            mode: "managed".into(),
            ty: "null_resource".into(),
            name: name.into(),
            each: Some("list".into()),
            provider: "provider[\"registry.terraform.io/hashicorp/null\"]".into(),
        }
    }

    fn instance(i: i64) -> Instance {
        Instance {
            index_key: Some(i.into()),
            status: None,
            deposed: None,
            schema_version: 0,
            attributes: serde_json::json!({"id": i.to_string()}),
            sensitive_attributes: vec![],
            private: None,
            dependencies: vec![],
            create_before_destroy: false,
        }
    }

    #[test]
    fn replay_restores_what_finished_and_ignores_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terraform.tfstate");
        State::new("test").write(&path).unwrap();
        let mut j = Journal::open(&path).unwrap();
        for i in 0..3 {
            j.record(&Entry::Put {
                resource: head("a"),
                instance: Box::new(instance(i)),
            })
            .unwrap();
        }
        j.record(&Entry::Remove {
            resource: head("a"),
            index_key: Some(1.into()),
        })
        .unwrap();
        drop(j);
        let mut f = OpenOptions::new()
            .append(true)
            .open(journal_path(&path))
            .unwrap();
        f.write_all(b"{\"op\":\"put\",\"resou").unwrap();

        let state = State::read(&path).unwrap().unwrap();
        let keys: Vec<_> = state.resources[0]
            .instances
            .iter()
            .map(|i| i.index_key.clone())
            .collect();
        assert_eq!(keys, vec![Some(0.into()), Some(2.into())]);
    }
}
