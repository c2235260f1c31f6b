//! ARM's long-running operations: an operation starts with a write, runs for the type's
//! duration (divided by the speed), and is settled lazily: every request first completes the
//! operations whose time has come. Clients follow `Azure-AsyncOperation` (a status document)
//! or `Location` (202 until done, then the result), as the ARM async API reference describes.

use crate::http::{ArmError, Response};
use crate::store::{Resource, Store};
use crate::util::{self, timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What an operation does when it completes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum OpKind {
    /// Creates or updates a resource: sets `done` on it.
    Write,
    /// Deletes a resource, what is under it and what it owns.
    Delete,
    /// Purges a soft-deleted key vault (the key is its lower-cased name).
    PurgeVault,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum OpStatus {
    InProgress,
    Succeeded,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Operation {
    pub id: String,
    pub kind: OpKind,
    /// The key of the resource it acts on.
    pub resource: String,
    /// The provider namespace and location its URLs name.
    pub namespace: String,
    pub location: String,
    pub api_version: String,
    pub started_ms: i64,
    pub due_ms: i64,
    pub status: OpStatus,
    #[serde(default)]
    pub ended_ms: Option<i64>,
    /// Values set on the resource's document at completion (dotted path, value).
    #[serde(default)]
    pub done: Vec<(String, Value)>,
}

/// How long finished operations stay pollable.
const KEEP_FINISHED_MS: i64 = 3_600_000;

impl Operation {
    pub fn remaining_ms(&self, now: i64) -> i64 {
        (self.due_ms - now).max(0)
    }

    pub fn status_url(&self, base: &str) -> String {
        format!(
            "{base}/subscriptions/{}/providers/{}/locations/{}/operationStatuses/{}?api-version={}",
            crate::SUBSCRIPTION_ID,
            self.namespace,
            self.location,
            self.id,
            self.api_version
        )
    }

    pub fn result_url(&self, base: &str) -> String {
        format!(
            "{base}/subscriptions/{}/providers/{}/locations/{}/operationResults/{}?api-version={}",
            crate::SUBSCRIPTION_ID,
            self.namespace,
            self.location,
            self.id,
            self.api_version
        )
    }

    /// ARM's status document.
    pub fn status_document(&self, base: &str) -> Value {
        let status = match self.status {
            OpStatus::InProgress => "InProgress",
            OpStatus::Succeeded => "Succeeded",
        };
        let mut doc = json!({
            "id": self.status_url(base).split('?').next().unwrap_or_default().trim_start_matches(base),
            "name": self.id,
            "status": status,
            "startTime": timestamp(self.started_ms),
        });
        if let Some(end) = self.ended_ms {
            doc["endTime"] = json!(timestamp(end));
            doc["percentComplete"] = json!(100.0);
        }
        doc
    }
}

/// Polling headers: when to come back (seconds, as ARM sends, and milliseconds, which
/// Microsoft's SDKs prefer when present).
pub(crate) fn with_retry_after(response: Response, remaining_ms: i64) -> Response {
    let ms = remaining_ms.max(10);
    response
        .with_header("Retry-After", ((ms + 999) / 1000).to_string())
        .with_header("retry-after-ms", ms.to_string())
}

/// Starts an operation and records it as the resource's pending one.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start(
    store: &mut Store,
    kind: OpKind,
    resource_key: &str,
    namespace: &str,
    location: &str,
    api_version: &str,
    now: i64,
    duration_ms: i64,
    done: Vec<(String, Value)>,
) -> Operation {
    let op = Operation {
        id: util::new_uuid(),
        kind,
        resource: resource_key.to_string(),
        namespace: namespace.to_string(),
        location: location.to_ascii_lowercase().replace(' ', ""),
        api_version: api_version.to_string(),
        started_ms: now,
        due_ms: now + duration_ms.max(1),
        status: OpStatus::InProgress,
        ended_ms: None,
        done,
    };
    if let Some(resource) = store.resources.get_mut(resource_key) {
        resource.pending = Some(op.id.clone());
    }
    store.operations.insert(op.id.clone(), op.clone());
    op
}

/// Completes every operation whose time has come, in the order they are due; drops finished
/// operations older than an hour. Returns whether anything changed.
pub(crate) fn settle(store: &mut Store, now: i64) -> bool {
    let mut due: Vec<(i64, String)> = store
        .operations
        .values()
        .filter(|op| op.status == OpStatus::InProgress && op.due_ms <= now)
        .map(|op| (op.due_ms, op.id.clone()))
        .collect();
    due.sort();
    let mut changed = !due.is_empty();
    for (_, id) in due {
        let Some(op) = store.operations.get(&id).cloned() else {
            continue;
        };
        complete(store, &op, now);
        if let Some(stored) = store.operations.get_mut(&id) {
            stored.status = OpStatus::Succeeded;
            stored.ended_ms = Some(op.due_ms.min(now));
        }
    }
    let before = store.operations.len();
    store
        .operations
        .retain(|_, op| op.ended_ms.is_none_or(|end| now - end < KEEP_FINISHED_MS));
    changed |= store.operations.len() != before;
    changed
}

fn complete(store: &mut Store, op: &Operation, now: i64) {
    match op.kind {
        OpKind::Write => {
            if let Some(resource) = store.resources.get_mut(&op.resource) {
                if resource.pending.as_deref() == Some(op.id.as_str()) {
                    resource.pending = None;
                    for (path, value) in &op.done {
                        util::set(&mut resource.doc, path, value.clone());
                    }
                }
            }
        }
        OpKind::Delete => {
            let current = store
                .resources
                .get(&op.resource)
                .is_some_and(|r| r.pending.as_deref() == Some(op.id.as_str()));
            if current {
                let removed = store.remove_cascading(&op.resource);
                crate::types::after_removal(store, removed, now);
            }
        }
        OpKind::PurgeVault => {
            store.deleted_vaults.remove(&op.resource);
            store.secrets.remove(&op.resource);
        }
    }
}

/// The answer to a poll of an operation's status URL.
pub(crate) fn poll_status(
    store: &Store,
    base: &str,
    id: &str,
    now: i64,
) -> Result<Response, ArmError> {
    let op = find(store, id)?;
    let response = Response::json(200, &op.status_document(base));
    Ok(match op.status {
        OpStatus::InProgress => with_retry_after(response, op.remaining_ms(now)),
        OpStatus::Succeeded => response,
    })
}

/// The answer to a poll of an operation's result (Location) URL: 202 while it runs, then the
/// resource written (200) or nothing (204).
pub(crate) fn poll_result(
    store: &Store,
    base: &str,
    id: &str,
    now: i64,
    present: impl Fn(&Resource) -> Value,
) -> Result<Response, ArmError> {
    let op = find(store, id)?;
    if op.status == OpStatus::InProgress {
        return Ok(with_retry_after(
            Response::empty(202).with_header("Location", op.result_url(base)),
            op.remaining_ms(now),
        ));
    }
    Ok(match (&op.kind, store.resources.get(&op.resource)) {
        (OpKind::Write, Some(resource)) => Response::json(200, &present(resource)),
        _ => Response::empty(204),
    })
}

fn find<'a>(store: &'a Store, id: &str) -> Result<&'a Operation, ArmError> {
    store
        .operations
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(id))
        .map(|(_, op)| op)
        .ok_or_else(|| {
            ArmError::not_found(
                "OperationNotFound",
                format!("The operation '{id}' could not be found."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(key: &str) -> Store {
        let mut store = Store::new();
        store.resources.insert(
            key.into(),
            Resource {
                doc: json!({"id": key, "properties": {"provisioningState": "Creating"}}),
                kind: "T".into(),
                ..Resource::default()
            },
        );
        store
    }

    #[test]
    fn a_write_completes_when_due_and_not_before() {
        let mut store = store_with("/r");
        let done = vec![(
            "properties.provisioningState".to_string(),
            json!("Succeeded"),
        )];
        let op = start(
            &mut store,
            OpKind::Write,
            "/r",
            "Microsoft.X",
            "West Europe",
            "2024-01-01",
            1000,
            500,
            done,
        );
        assert_eq!(op.location, "westeurope");
        assert!(!settle(&mut store, 1499));
        assert_eq!(store.resources["/r"].provisioning_state(), Some("Creating"));
        let polled = poll_result(&store, "http://h", &op.id, 1200, |r| r.doc.clone()).unwrap();
        assert_eq!(polled.status, 202);
        assert_eq!(polled.header("retry-after-ms"), Some("300"));
        assert_eq!(polled.header("Retry-After"), Some("1"));
        assert!(settle(&mut store, 1500));
        assert_eq!(
            store.resources["/r"].provisioning_state(),
            Some("Succeeded")
        );
        assert_eq!(store.resources["/r"].pending, None);
        let status = poll_status(&store, "http://h", &op.id, 1600).unwrap();
        assert_eq!(status.body_json()["status"], "Succeeded");
        let result = poll_result(&store, "http://h", &op.id, 1600, |r| r.doc.clone()).unwrap();
        assert_eq!(result.status, 200);
        assert_eq!(result.body_json()["id"], "/r");
    }

    #[test]
    fn a_later_write_supersedes_an_earlier_one() {
        let mut store = store_with("/r");
        let first = vec![("properties.provisioningState".to_string(), json!("First"))];
        let second = vec![("properties.provisioningState".to_string(), json!("Second"))];
        start(
            &mut store,
            OpKind::Write,
            "/r",
            "N",
            "l",
            "v",
            0,
            100,
            first,
        );
        start(
            &mut store,
            OpKind::Write,
            "/r",
            "N",
            "l",
            "v",
            50,
            200,
            second,
        );
        settle(&mut store, 120);
        assert_eq!(store.resources["/r"].provisioning_state(), Some("Creating"));
        settle(&mut store, 250);
        assert_eq!(store.resources["/r"].provisioning_state(), Some("Second"));
    }

    #[test]
    fn a_delete_removes_the_resource_when_done() {
        let mut store = store_with("/r");
        store
            .resources
            .insert("/r/child".into(), Resource::default());
        let op = start(
            &mut store,
            OpKind::Delete,
            "/r",
            "N",
            "l",
            "v",
            0,
            100,
            vec![],
        );
        settle(&mut store, 50);
        assert!(store.resources.contains_key("/r"));
        settle(&mut store, 100);
        assert!(store.resources.is_empty());
        let result = poll_result(&store, "http://h", &op.id, 100, |r| r.doc.clone()).unwrap();
        assert_eq!(result.status, 204);
        assert!(poll_status(&store, "http://h", "nope", 100).is_err());
    }

    #[test]
    fn finished_operations_are_forgotten_after_an_hour() {
        let mut store = store_with("/r");
        start(
            &mut store,
            OpKind::Write,
            "/r",
            "N",
            "l",
            "v",
            0,
            10,
            vec![],
        );
        settle(&mut store, 10);
        assert_eq!(store.operations.len(), 1);
        settle(&mut store, 10 + KEEP_FINISHED_MS);
        assert!(store.operations.is_empty());
    }
}
