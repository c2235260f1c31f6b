//! Azure Resource Manager: routing of ARM paths (case-insensitively, as ARM matches them),
//! the api-version check, and the generic resource operations every type shares: PUT (201 on
//! create, 200 on update, with a long-running operation when the type takes time), GET, HEAD,
//! PATCH, DELETE (202 and an operation to poll), lists and POST actions. What differs by type
//! is in `types`.

use crate::auth::Caller;
use crate::http::{ArmError, ArmResult, Request, Response};
use crate::lro::{self, OpKind};
use crate::store::{Resource, Store};
use crate::types::{self, resources, Check, Family, Loc, Lro, Patch, Resolved, TypeSpec};
use crate::util::{self, set};
use crate::{regions, SUBSCRIPTION_ID, TENANT_ID};
use serde_json::{json, Value};

/// What a request handler works with.
pub(crate) struct Ctx<'a> {
    pub store: &'a mut Store,
    pub base: &'a str,
    pub speed: f64,
    pub now: i64,
    pub caller: &'a Caller,
    /// Set when the store changed (so the data file is written).
    pub mutated: bool,
}

impl Ctx<'_> {
    /// A realistic duration, scaled by the speed, in milliseconds.
    pub fn duration_ms(&self, secs: f64) -> i64 {
        (secs * 1000.0 / self.speed).round() as i64
    }

    fn system_data(&self, old: Option<&Value>) -> Value {
        let at = util::timestamp(self.now);
        let mut data = json!({
            "createdBy": self.caller.app_id,
            "createdByType": self.caller.kind,
            "createdAt": at,
            "lastModifiedBy": self.caller.app_id,
            "lastModifiedByType": self.caller.kind,
            "lastModifiedAt": at,
        });
        if let Some(old) = old.and_then(|o| o.get("systemData")) {
            for field in ["createdBy", "createdByType", "createdAt"] {
                if let Some(v) = old.get(field) {
                    data[field] = v.clone();
                }
            }
        }
        data
    }
}

/// Where a resource lives: the tenant, the subscription, a resource group, or another resource
/// (for extension resources such as role assignments).
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    pub id: String,
    pub key: String,
    /// The resource group (lower-cased key, name as created), if any.
    pub rg: Option<(String, String)>,
    pub location: Option<String>,
}

/// A resource a request names.
#[derive(Clone)]
pub(crate) struct Target {
    pub resolved: Resolved,
    pub key: String,
    pub id: String,
    pub name: String,
    pub scope: Scope,
    pub parent_key: Option<String>,
}

/// A write being prepared.
pub(crate) struct Put {
    pub key: String,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub spec: &'static TypeSpec,
    pub scope: Scope,
    pub parent_key: Option<String>,
    /// What the client sent (after PATCH merging: the merged document).
    pub body: Value,
    /// The resource as it was, if it exists.
    pub old: Option<Resource>,
    /// The document being built (starts as the body without read-only fields).
    pub doc: Value,
    pub private: Value,
    pub owner: Option<String>,
    /// Whether the write is a PATCH.
    pub patch: bool,
    /// Other resources the write creates or replaces (inline children, owned resources).
    pub staged: Vec<(String, Resource)>,
    /// Resources the write removes (inline children no longer listed).
    pub removals: Vec<String>,
    /// Private IP addresses the write takes: (subnet key, address, owner key).
    pub ips: Vec<(String, String, String)>,
}

impl Put {
    pub fn creating(&self) -> bool {
        self.old.is_none()
    }

    /// Checks of the document as it stands.
    pub fn check(&self) -> Check {
        Check {
            family: self.spec.family,
            doc: self.doc.clone(),
        }
    }

    pub fn location(&self) -> Option<&str> {
        self.doc.get("location").and_then(Value::as_str)
    }

    /// The resource group's name as created.
    pub fn rg_name(&self) -> &str {
        self.scope
            .rg
            .as_ref()
            .map(|(_, n)| n.as_str())
            .unwrap_or_default()
    }

    /// The stored value of a previous version at a path.
    pub fn old_at(&self, path: &str) -> Option<&Value> {
        self.old.as_ref().and_then(|o| util::at(&o.doc, path))
    }

    /// The previous private value at a key.
    pub fn old_private(&self, key: &str) -> Option<&Value> {
        self.old
            .as_ref()
            .and_then(|o| o.private.get(key))
            .filter(|v| !v.is_null())
    }
}

fn check_subscription(id: &str) -> ArmResult<()> {
    if id.eq_ignore_ascii_case(SUBSCRIPTION_ID) {
        Ok(())
    } else {
        Err(ArmError::not_found(
            "SubscriptionNotFound",
            format!("The subscription '{id}' could not be found."),
        ))
    }
}

/// Checks the api-version against a type's published versions: required, a date (with an
/// optional `-preview`-like suffix), not older than the type's first version nor newer than
/// today.
pub(crate) fn check_api_version(req: &Request, resolved: &Resolved) -> ArmResult<String> {
    let Some(version) = req.query("api-version") else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let listed = resolved.spec.versions.join(", ");
    let date = version.get(..10).unwrap_or_default();
    let suffix = version.get(10..).unwrap_or_default();
    let well_formed = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
        && (suffix.is_empty()
            || suffix
                .strip_prefix('-')
                .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())));
    if !well_formed {
        return Err(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions are '{listed}'."
            ),
        ));
    }
    let oldest = resolved
        .spec
        .versions
        .first()
        .copied()
        .unwrap_or("2014-04-01");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    if date < &oldest[..10] || date > today.as_str() {
        return Err(ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'global' and API version '{version}' for type '{}'. The supported api-versions are '{listed}'. The supported locations are '{}'.",
                resolved.short(),
                regions::REGIONS.iter().map(|(_, d)| *d).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(version.to_string())
}

fn resources_api(req: &Request) -> ArmResult<String> {
    check_api_version(
        req,
        &Resolved {
            spec: types::resource_group_spec(),
            kind: "Microsoft.Resources/resourceGroups".into(),
        },
    )
}

fn method_not_allowed(method: &str) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    )
}

/// Handles an (authenticated, admitted) ARM request.
pub(crate) fn handle(ctx: &mut Ctx, req: &Request) -> ArmResult<Response> {
    let segs = req.segments();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let get = req.method == "GET";
    match l.as_slice() {
        ["tenants"] if get => {
            resources_api(req)?;
            Ok(Response::json(
                200,
                &json!({"value": [{"id": format!("/tenants/{TENANT_ID}"), "tenantId": TENANT_ID, "tenantCategory": "Home", "displayName": "terrane simulator", "defaultDomain": "simulator.onmicrosoft.com", "domains": ["simulator.onmicrosoft.com"]}]}),
            ))
        }
        ["subscriptions"] if get => {
            resources_api(req)?;
            Ok(Response::json(
                200,
                &json!({"value": [resources::subscription()]}),
            ))
        }
        ["subscriptions", s] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            Ok(Response::json(200, &resources::subscription()))
        }
        ["subscriptions", s, "locations"] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            Ok(Response::json(200, &resources::locations()))
        }
        ["subscriptions", s, "resourcegroups"] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            let value: Vec<Value> = ctx
                .store
                .resources
                .iter()
                .filter(|(_, r)| r.kind == "Microsoft.Resources/resourceGroups")
                .map(|(k, r)| types::present(ctx.store, k, r))
                .collect();
            Ok(Response::json(200, &json!({ "value": value })))
        }
        ["subscriptions", s, "resourcegroups", _] => {
            check_subscription(s)?;
            let target = resource_group_target(&segs[3]);
            resource(ctx, req, &target)
        }
        ["subscriptions", s, "resourcegroups", _, "resources"] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            let rg = resource_group_target(&segs[3]);
            if ctx.store.get(&rg.key).is_none() {
                return Err(resource_group_not_found(&segs[3]));
            }
            Ok(Response::json(
                200,
                &resources::list_resources(ctx.store, &format!("{}/", rg.key)),
            ))
        }
        ["subscriptions", s, "resources"] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            Ok(Response::json(
                200,
                &resources::list_resources(
                    ctx.store,
                    &format!("/subscriptions/{}/resourcegroups/", s),
                ),
            ))
        }
        ["subscriptions", s, "providers"] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            Ok(Response::json(200, &resources::providers()))
        }
        ["subscriptions", s, "providers", _] if get => {
            check_subscription(s)?;
            resources_api(req)?;
            Ok(Response::json(200, &resources::provider(&segs[3])))
        }
        ["subscriptions", s, "providers", _, "register"] if req.method == "POST" => {
            check_subscription(s)?;
            resources_api(req)?;
            Ok(Response::json(200, &resources::provider(&segs[3])))
        }
        ["subscriptions", s, "providers", _, "locations", _, "operationstatuses" | "operations" | "asyncoperations", id]
            if get =>
        {
            check_subscription(s)?;
            lro::poll_status(ctx.store, ctx.base, id, ctx.now)
        }
        ["subscriptions", s, "providers", _, "locations", _, "operationresults", id] if get => {
            check_subscription(s)?;
            let store = &*ctx.store;
            lro::poll_result(store, ctx.base, id, ctx.now, |r| {
                types::present(store, &r.id().to_ascii_lowercase(), r)
            })
        }
        ["subscriptions", s, "providers", "microsoft.keyvault", "deletedvaults"] if get => {
            check_subscription(s)?;
            Ok(types::keyvault::list_deleted(ctx))
        }
        ["subscriptions", s, "providers", "microsoft.keyvault", "locations", _, "deletedvaults", _]
            if get =>
        {
            check_subscription(s)?;
            types::keyvault::get_deleted(ctx, &segs[7])
        }
        ["subscriptions", s, "providers", "microsoft.keyvault", "locations", _, "deletedvaults", _, "purge"]
            if req.method == "POST" =>
        {
            check_subscription(s)?;
            types::keyvault::purge(ctx, req, &segs[5], &segs[7])
        }
        ["subscriptions", s, "providers", _, "checknameavailability"]
        | ["subscriptions", s, "providers", _, "locations", _, "checknameavailability"]
        | ["subscriptions", s, "providers", _, _, "checknameavailability"]
            if req.method == "POST" =>
        {
            check_subscription(s)?;
            resources::check_name_availability(ctx, &segs[3], &body_object(req)?)
        }
        _ => generic(ctx, req, &segs, &l),
    }
}

fn resource_group_not_found(name: &str) -> ArmError {
    ArmError::not_found(
        "ResourceGroupNotFound",
        format!("Resource group '{name}' could not be found."),
    )
}

fn resource_group_target(name: &str) -> Target {
    Target {
        resolved: Resolved {
            spec: types::resource_group_spec(),
            kind: "Microsoft.Resources/resourceGroups".into(),
        },
        key: format!(
            "/subscriptions/{SUBSCRIPTION_ID}/resourcegroups/{}",
            name.to_ascii_lowercase()
        ),
        id: format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{name}"),
        name: name.to_string(),
        scope: Scope {
            id: format!("/subscriptions/{SUBSCRIPTION_ID}"),
            key: format!("/subscriptions/{SUBSCRIPTION_ID}"),
            rg: None,
            location: None,
        },
        parent_key: None,
    }
}

/// Resolves the part of a path before `/providers/`.
fn resolve_scope(store: &Store, segs: &[String]) -> ArmResult<Scope> {
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    match lower
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Ok(Scope::default()),
        ["subscriptions", s] => {
            check_subscription(s)?;
            Ok(Scope {
                id: format!("/subscriptions/{SUBSCRIPTION_ID}"),
                key: format!("/subscriptions/{SUBSCRIPTION_ID}"),
                rg: None,
                location: None,
            })
        }
        ["subscriptions", s, "resourcegroups", _] => {
            check_subscription(s)?;
            let target = resource_group_target(&segs[3]);
            let rg = store
                .get(&target.key)
                .ok_or_else(|| resource_group_not_found(&segs[3]))?;
            Ok(Scope {
                id: rg.id().to_string(),
                key: target.key,
                rg: Some((
                    format!(
                        "/subscriptions/{SUBSCRIPTION_ID}/resourcegroups/{}",
                        lower[3]
                    ),
                    rg.name().to_string(),
                )),
                location: rg.location().map(str::to_string),
            })
        }
        ["subscriptions", s, "resourcegroups", _, ..] => {
            check_subscription(s)?;
            let rg = resolve_scope(store, &segs[..4])?;
            let key = format!("/{}", lower.join("/"));
            let resource = store.get(&key).ok_or_else(|| {
                ArmError::not_found(
                    "ResourceNotFound",
                    format!(
                        "The Resource '{}' under resource group '{}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                        segs[5..].join("/"),
                        segs[3]
                    ),
                )
            })?;
            Ok(Scope {
                id: resource.id().to_string(),
                key,
                rg: rg.rg,
                location: resource.location().map(str::to_string).or(rg.location),
            })
        }
        _ => Err(ArmError::not_found(
            "InvalidScope",
            format!("The scope '/{}' is not valid.", segs.join("/")),
        )),
    }
}

/// Routes a path with `/providers/{namespace}/...`.
fn generic(ctx: &mut Ctx, req: &Request, segs: &[String], l: &[&str]) -> ArmResult<Response> {
    let Some(at) = (0..l.len().saturating_sub(1))
        .rev()
        .find(|&i| l[i] == "providers" && (i == 0 || i == 2 || i == 4 || (i >= 6 && i % 2 == 0)))
    else {
        return Err(ArmError::not_found(
            "NotFound",
            format!(
                "No HTTP resource was found that matches the request URI '{}'.",
                req.path
            ),
        ));
    };
    let scope = resolve_scope(ctx.store, &segs[..at])?;
    let namespace = &segs[at + 1];
    let rest = &segs[at + 2..];
    if namespace.eq_ignore_ascii_case("Microsoft.Authorization")
        && rest
            .first()
            .is_some_and(|r| r.eq_ignore_ascii_case("roleDefinitions"))
    {
        return types::authorization::role_definitions(ctx, req, &scope, &rest[1..]);
    }
    if rest.is_empty() {
        return Err(ArmError::not_found(
            "NotFound",
            format!(
                "No HTTP resource was found that matches the request URI '{}'.",
                req.path
            ),
        ));
    }
    let pairs = rest.len() / 2;
    if namespace.eq_ignore_ascii_case("Microsoft.Network")
        && rest.len() == 3
        && rest[0].eq_ignore_ascii_case("connections")
        && rest[2].eq_ignore_ascii_case("sharedkey")
    {
        let connection = target(ctx.store, &scope, namespace, &rest[..2])?;
        check_api_version(req, &connection.resolved)?;
        if ctx.store.get(&connection.key).is_none() {
            return Err(not_found(&connection));
        }
        return types::network::shared_key(ctx, req, &connection.key);
    }
    if rest.len() % 2 == 1 {
        let type_segments: Vec<String> = rest.iter().step_by(2).cloned().collect();
        if req.method == "GET" {
            return list(ctx, req, &scope, namespace, rest, &type_segments);
        }
        if req.method == "POST" && pairs >= 1 {
            let target = target(ctx.store, &scope, namespace, &rest[..rest.len() - 1])?;
            check_api_version(req, &target.resolved)?;
            if ctx.store.get(&target.key).is_none() {
                return Err(not_found(&target));
            }
            let body = if req.body.is_empty() {
                json!({})
            } else {
                body_object(req)?
            };
            return types::action(ctx, &target.key, &rest[rest.len() - 1], &body);
        }
        return Err(method_not_allowed(&req.method));
    }
    let target = target(ctx.store, &scope, namespace, rest)?;
    resource(ctx, req, &target)
}

/// The resource named by the scope, namespace and type/name pairs.
fn target(store: &Store, scope: &Scope, namespace: &str, rest: &[String]) -> ArmResult<Target> {
    let type_segments: Vec<String> = rest.iter().step_by(2).cloned().collect();
    let names: Vec<&String> = rest.iter().skip(1).step_by(2).collect();
    let resolved = types::resolve(namespace, &type_segments);
    let canonical_types = resolved.type_segments();
    let mut id = format!("{}/providers/{}", scope.id, resolved.namespace());
    let mut key = format!("{}/providers/{}", scope.key, namespace.to_ascii_lowercase());
    let mut parent_key = None;
    for (i, name) in names.iter().enumerate() {
        if i + 1 == names.len() && i > 0 {
            parent_key = Some(key.clone());
        }
        let type_name = canonical_types
            .get(i)
            .copied()
            .unwrap_or(type_segments[i].as_str());
        id.push_str(&format!("/{type_name}/{name}"));
        key.push_str(&format!(
            "/{}/{}",
            type_segments[i].to_ascii_lowercase(),
            name.to_ascii_lowercase()
        ));
    }
    if let Some(parent) = &parent_key {
        if store.get(parent).is_none() {
            let parent_name = names[names.len() - 2];
            return Err(ArmError::not_found(
                "ParentResourceNotFound",
                format!("Can not perform requested operation on nested resource. Parent resource '{parent_name}' not found."),
            ));
        }
    }
    Ok(Target {
        resolved,
        key,
        id,
        name: names.last().map(|n| n.to_string()).unwrap_or_default(),
        scope: scope.clone(),
        parent_key,
    })
}

fn not_found(target: &Target) -> ArmError {
    if target.resolved.spec.family == Family::Resources {
        return resource_group_not_found(&target.name);
    }
    let rg = target
        .scope
        .rg
        .as_ref()
        .map(|(_, n)| n.as_str())
        .unwrap_or_default();
    ArmError::not_found(
        "ResourceNotFound",
        format!(
            "The Resource '{}/{}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
            target.resolved.kind,
            target.name
        ),
    )
}

/// The operations on one resource.
fn resource(ctx: &mut Ctx, req: &Request, target: &Target) -> ArmResult<Response> {
    match req.method.as_str() {
        "GET" | "HEAD" => {
            check_api_version(req, &target.resolved)?;
            let found = ctx.store.get(&target.key);
            let head = req.method == "HEAD";
            match found {
                Some(resource) if head => {
                    let _ = resource;
                    Ok(Response::empty(204))
                }
                Some(resource) => Ok(Response::json(
                    200,
                    &types::present(ctx.store, &target.key, resource),
                )),
                None if head => Ok(Response::empty(404)),
                None => match types::postgres::default_configuration(ctx.store, target) {
                    Some(doc) => Ok(Response::json(200, &doc)),
                    None => Err(not_found(target)),
                },
            }
        }
        "PUT" => {
            if target.resolved.kind == "Microsoft.KeyVault/vaults/accessPolicies" {
                check_api_version(req, &target.resolved)?;
                return types::keyvault::access_policies(ctx, target, &body_object(req)?);
            }
            write(ctx, req, target, false)
        }
        "PATCH" => write(ctx, req, target, true),
        "DELETE" => delete(ctx, req, target),
        other => Err(method_not_allowed(other)),
    }
}

fn body_object(req: &Request) -> ArmResult<Value> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: the body must be a JSON object.",
        )),
        Err(e) => Err(ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{e}'."),
        )),
    }
}

fn is_deleting(resource: &Resource) -> bool {
    resource.pending.is_some()
        && ["properties.provisioningState", "properties.state"]
            .iter()
            .any(|p| {
                matches!(
                    util::str_at(&resource.doc, p),
                    Some("Deleting" | "Dropping")
                )
            })
}

fn etag_of(resource: &Resource) -> Option<&str> {
    resource.doc.get("etag").and_then(Value::as_str)
}

/// PUT and PATCH.
fn write(ctx: &mut Ctx, req: &Request, target: &Target, patch: bool) -> ArmResult<Response> {
    let spec = target.resolved.spec;
    let api_version = check_api_version(req, &target.resolved)?;
    if let Some((rg_key, rg_name)) = &target.scope.rg {
        if ctx.store.get(rg_key).is_some_and(is_deleting) {
            return Err(ArmError::conflict(
                "ResourceGroupBeingDeleted",
                format!("The resource group '{rg_name}' is in deprovisioning state and cannot perform this operation."),
            ));
        }
    }
    let body = body_object(req)?;
    let old = ctx.store.get(&target.key).cloned();
    if let Some(old) = &old {
        if is_deleting(old) {
            return Err(ArmError::conflict(
                "AnotherOperationInProgress",
                format!("Another operation on this or dependent resource is in progress: '{}' is being deleted.", target.name),
            ));
        }
    }
    match (req.header("If-Match"), &old) {
        (Some("*"), None) => return Err(precondition_failed()),
        (Some(tag), Some(old)) if tag != "*" && Some(tag) != etag_of(old) => {
            return Err(precondition_failed())
        }
        (Some(tag), None) if tag != "*" => return Err(precondition_failed()),
        _ => {}
    }
    if req.header("If-None-Match") == Some("*") && old.is_some() {
        return Err(precondition_failed());
    }
    let body = if patch {
        // A server parameter exists with its default before anyone writes it.
        let existing = old
            .as_ref()
            .map(|o| o.doc.clone())
            .or_else(|| types::postgres::default_configuration(ctx.store, target));
        let Some(existing) = existing else {
            return Err(not_found(target));
        };
        if spec.patch == Patch::No {
            return Err(method_not_allowed("PATCH"));
        }
        let mut merged = existing;
        let tags = body.get("tags").cloned();
        util::merge_patch(&mut merged, &body);
        if let Some(tags) = tags {
            merged["tags"] = tags;
        }
        merged
    } else {
        body
    };
    types::check_name(spec.family, &target.resolved.kind, &target.name)?;
    if let Some(code) = spec.unique {
        check_unique(ctx.store, target, code)?;
    }
    let mut doc = body.clone();
    if let Value::Object(map) = &mut doc {
        for read_only in ["id", "name", "type", "etag", "systemData"] {
            map.remove(read_only);
        }
    }
    let mut ordered = serde_json::Map::new();
    ordered.insert("id".into(), json!(target.id));
    ordered.insert("name".into(), json!(target.name));
    ordered.insert("type".into(), json!(target.resolved.kind));
    if let Value::Object(map) = doc {
        ordered.extend(map);
    }
    let mut doc = Value::Object(ordered);
    apply_location(spec, target, &mut doc, old.as_ref())?;
    let mut put = Put {
        key: target.key.clone(),
        id: target.id.clone(),
        name: target.name.clone(),
        kind: target.resolved.kind.clone(),
        spec,
        scope: target.scope.clone(),
        parent_key: target.parent_key.clone(),
        body,
        doc,
        private: old
            .as_ref()
            .map(|o| o.private.clone())
            .unwrap_or(Value::Null),
        owner: old.as_ref().and_then(|o| o.owner.clone()),
        old,
        patch,
        staged: Vec::new(),
        removals: Vec::new(),
        ips: Vec::new(),
    };
    types::prepare(ctx, &mut put)?;

    let creating = put.creating();
    let secs = if patch && spec.patch == Patch::Sync {
        0.0
    } else if creating {
        spec.create_secs
    } else {
        spec.update_secs
    };
    let sync = secs <= 0.0;
    let words = types::state_words(spec);
    if let Some((path, create_word, update_word, _, done_word)) = words {
        let word = if sync {
            done_word
        } else if creating {
            create_word
        } else {
            update_word
        };
        set(&mut put.doc, path, json!(word));
    }
    let etag = if spec.family == Family::Network {
        format!("W/\"{}\"", util::new_uuid())
    } else {
        format!("\"{}\"", util::random_hex(16))
    };
    put.doc["etag"] = json!(etag);
    if spec.family != Family::Network && spec.family != Family::Authorization {
        put.doc["systemData"] = ctx.system_data(put.old.as_ref().map(|o| &o.doc));
    }
    ctx.store.resources.insert(
        put.key.clone(),
        Resource {
            doc: put.doc.clone(),
            private: put.private.clone(),
            kind: put.kind.clone(),
            pending: None,
            owner: put.owner.clone(),
        },
    );
    ctx.mutated = true;
    for key in std::mem::take(&mut put.removals) {
        let removed = ctx.store.remove_cascading(&key);
        types::after_removal(ctx.store, removed, ctx.now);
    }
    for (key, resource) in std::mem::take(&mut put.staged) {
        ctx.store.resources.insert(key, resource);
    }
    for (subnet, address, owner) in std::mem::take(&mut put.ips) {
        ctx.store
            .private_ips
            .entry(subnet)
            .or_default()
            .insert(address, owner);
    }

    let status = if creating { 201 } else { 200 };
    let present = |ctx: &Ctx| {
        ctx.store
            .get(&put.key)
            .map(|r| types::present(ctx.store, &put.key, r))
            .unwrap_or(Value::Null)
    };
    if sync {
        return Ok(Response::json(status, &present(ctx)));
    }
    let done = words
        .map(|(path, _, _, _, done)| vec![(path.to_string(), json!(done))])
        .unwrap_or_default();
    let location = operation_location(ctx.store, &put.scope, put.location());
    let op = lro::start(
        ctx.store,
        OpKind::Write,
        &put.key,
        target.resolved.namespace(),
        &location,
        &api_version,
        ctx.now,
        ctx.duration_ms(secs),
        done,
    );
    let remaining = op.remaining_ms(ctx.now);
    let response = match spec.lro {
        Lro::Accepted if creating => {
            Response::empty(202).with_header("Location", op.result_url(ctx.base))
        }
        Lro::AcceptedAsync => Response::empty(202)
            .with_header("Azure-AsyncOperation", op.status_url(ctx.base))
            .with_header("Location", op.result_url(ctx.base)),
        _ => Response::json(status, &present(ctx))
            .with_header("Azure-AsyncOperation", op.status_url(ctx.base))
            .with_header("Location", op.result_url(ctx.base)),
    };
    Ok(lro::with_retry_after(response, remaining))
}

fn precondition_failed() -> ArmError {
    ArmError::new(
        412,
        "PreconditionFailed",
        "The condition specified using HTTP conditional header(s) is not met.",
    )
}

/// The location a resource's operations are filed under.
fn operation_location(store: &Store, scope: &Scope, own: Option<&str>) -> String {
    own.map(str::to_string)
        .or_else(|| scope.location.clone())
        .or_else(|| {
            scope
                .rg
                .as_ref()
                .and_then(|(k, _)| store.get(k))
                .and_then(|r| r.location().map(str::to_string))
        })
        .unwrap_or_else(|| "global".into())
}

/// The location rule of the type; an existing resource keeps its location.
fn apply_location(
    spec: &TypeSpec,
    target: &Target,
    doc: &mut Value,
    old: Option<&Resource>,
) -> ArmResult<()> {
    let given = doc
        .get("location")
        .and_then(Value::as_str)
        .map(str::to_string);
    match spec.location {
        Loc::Region => {
            let Some(given) = given else {
                return Err(ArmError::bad_request(
                    "LocationRequired",
                    "The location property is required for this definition.",
                ));
            };
            let Some(region) = regions::normalize(&given) else {
                return Err(ArmError::bad_request(
                    "LocationNotAvailableForResourceType",
                    format!(
                        "The provided location '{given}' is not available for resource type '{}'. List of available regions for the resource type is '{}'.",
                        target.resolved.kind,
                        regions::REGIONS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(",")
                    ),
                ));
            };
            if let Some(old_location) = old.and_then(Resource::location) {
                if old_location != region {
                    return Err(ArmError::conflict(
                        "InvalidResourceLocation",
                        format!(
                            "The resource '{}' already exists in location '{old_location}' in resource group '{}'. A resource with the same name cannot be created in location '{region}'. Please select a new resource name.",
                            target.name,
                            target.scope.rg.as_ref().map(|(_, n)| n.as_str()).unwrap_or_default()
                        ),
                    ));
                }
            }
            doc["location"] = json!(region);
        }
        Loc::Global => match given.as_deref() {
            None => doc["location"] = json!("global"),
            Some(l) if l.eq_ignore_ascii_case("global") => doc["location"] = json!("global"),
            Some(other) => {
                return Err(ArmError::bad_request(
                    "LocationNotAvailableForResourceType",
                    format!("The provided location '{other}' is not available for resource type '{}'. List of available regions for the resource type is 'global'.", target.resolved.kind),
                ))
            }
        },
        Loc::None | Loc::Any => {}
    }
    Ok(())
}

/// Globally unique names: taken by a resource of the same type elsewhere (soft-deleted key
/// vaults are checked by the key vault hooks, which know about recovery).
fn check_unique(store: &Store, target: &Target, code: &str) -> ArmResult<()> {
    let name = target.name.to_ascii_lowercase();
    let taken = store.resources.iter().any(|(k, r)| {
        r.kind == target.resolved.kind && r.name().eq_ignore_ascii_case(&name) && *k != target.key
    });
    if taken {
        let message = match code {
            "StorageAccountAlreadyTaken" => format!("The storage account named {} is already taken.", target.name),
            "VaultAlreadyExists" => format!("The vault name '{}' is already in use. Vault names are globally unique so it is possible that the name is already taken.", target.name),
            "AlreadyInUse" => format!("The registry DNS name {}.azurecr.io is already in use. You can check if the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability", name),
            "ServerNameAlreadyExists" => format!("Specified server name '{}' is already used. Please use a different name and try again.", target.name),
            _ => format!("The name '{}' is already in use.", target.name),
        };
        return Err(ArmError::conflict(code, message));
    }
    Ok(())
}

fn delete(ctx: &mut Ctx, req: &Request, target: &Target) -> ArmResult<Response> {
    let spec = target.resolved.spec;
    let api_version = check_api_version(req, &target.resolved)?;
    let Some(resource) = ctx.store.get(&target.key).cloned() else {
        if spec.family == Family::Resources {
            return Err(resource_group_not_found(&target.name));
        }
        return Ok(Response::empty(204));
    };
    if is_deleting(&resource) {
        if let Some(op) = resource
            .pending
            .as_ref()
            .and_then(|id| ctx.store.operations.get(id))
        {
            let response = Response::empty(202).with_header("Location", op.result_url(ctx.base));
            return Ok(lro::with_retry_after(response, op.remaining_ms(ctx.now)));
        }
    }
    types::check_delete(ctx.store, &target.key, &resource)?;
    let mut secs = spec.delete_secs;
    if spec.family == Family::Resources {
        for child in ctx.store.descendants(&target.key) {
            if let Some(r) = ctx.store.get(&child) {
                secs = secs.max(
                    types::resolve(
                        r.kind.split('/').next().unwrap_or_default(),
                        &r.kind
                            .split('/')
                            .skip(1)
                            .map(str::to_string)
                            .collect::<Vec<_>>(),
                    )
                    .spec
                    .delete_secs,
                );
            }
        }
    }
    ctx.mutated = true;
    if secs <= 0.0 {
        let shown = types::present(ctx.store, &target.key, &resource);
        let removed = ctx.store.remove_cascading(&target.key);
        types::after_removal(ctx.store, removed, ctx.now);
        return Ok(if spec.family == Family::Authorization {
            Response::json(200, &shown)
        } else {
            Response::empty(200)
        });
    }
    if let Some((path, _, _, deleting, _)) = types::state_words(spec) {
        if let Some(stored) = ctx.store.resources.get_mut(&target.key) {
            set(&mut stored.doc, path, json!(deleting));
        }
    }
    let location = operation_location(ctx.store, &target.scope, resource.location());
    let op = lro::start(
        ctx.store,
        OpKind::Delete,
        &target.key,
        target.resolved.namespace(),
        &location,
        &api_version,
        ctx.now,
        ctx.duration_ms(secs),
        vec![],
    );
    let mut response = Response::empty(202).with_header("Location", op.result_url(ctx.base));
    if spec.family != Family::Resources {
        response = response.with_header("Azure-AsyncOperation", op.status_url(ctx.base));
    }
    Ok(lro::with_retry_after(response, op.remaining_ms(ctx.now)))
}

/// `GET` of a collection: under a resource group or subscription, or a resource's children.
fn list(
    ctx: &mut Ctx,
    req: &Request,
    scope: &Scope,
    namespace: &str,
    rest: &[String],
    type_segments: &[String],
) -> ArmResult<Response> {
    let last = type_segments
        .last()
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_default();
    // A cluster's available agent pool versions are one document, not a list of children.
    if last == "availableagentpoolversions"
        && namespace.eq_ignore_ascii_case("Microsoft.ContainerService")
        && rest.len() > 1
    {
        let cluster = target(ctx.store, scope, namespace, &rest[..rest.len() - 1])?;
        if ctx.store.get(&cluster.key).is_none() {
            return Err(not_found(&cluster));
        }
        return Ok(Response::json(
            200,
            &types::containerservice::available_agent_pool_versions(&cluster.id),
        ));
    }
    // DNS zones list all their record sets under `recordsets` (or `all`).
    let all_records = type_segments.len() == 2 && (last == "recordsets" || last == "all");
    let resolved = if all_records {
        types::resolve(namespace, &[type_segments[0].clone(), "A".into()])
    } else {
        types::resolve(namespace, type_segments)
    };
    check_api_version(req, &resolved)?;
    let (prefix, kind_prefix) = if rest.len() == 1 {
        let prefix = if scope.rg.is_some() {
            format!(
                "{}/providers/{}/",
                scope.key,
                namespace.to_ascii_lowercase()
            )
        } else {
            format!("{}/", scope.key)
        };
        (prefix, None)
    } else {
        let parent = target(ctx.store, scope, namespace, &rest[..rest.len() - 1])?;
        if ctx.store.get(&parent.key).is_none() {
            return Err(not_found(&parent));
        }
        let kind_prefix = all_records.then(|| {
            let mut kind = resolved.kind.clone();
            kind.truncate(kind.rfind('/').unwrap_or(0) + 1);
            kind
        });
        (format!("{}/", parent.key), kind_prefix)
    };
    if resolved.kind == "Microsoft.Authorization/roleAssignments" {
        return Ok(types::authorization::list_assignments(
            ctx,
            scope,
            req.query("$filter"),
        ));
    }
    let depth = prefix.matches('/').count() + 1;
    let value: Vec<Value> = ctx
        .store
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, r)| match &kind_prefix {
            Some(p) => r.kind.starts_with(p.as_str()) && k.matches('/').count() == depth,
            None => r.kind.eq_ignore_ascii_case(&resolved.kind),
        })
        .map(|(k, r)| types::present(ctx.store, k, r))
        .collect();
    Ok(Response::json(200, &json!({ "value": value })))
}
