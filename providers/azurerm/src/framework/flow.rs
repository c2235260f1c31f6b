//! The generic create, update, read, delete and import of ARM resources described by a
//! [`ResourceDef`](super::ResourceDef), with the hooks of their [`ResourceType`].

use super::id::SUBSCRIPTION;
use super::mapping::{
    expand_attr, expand_nested, expand_object, flatten_attr, flatten_nested, json_set, null_object,
    zero,
};
use super::{attribute, error, Change, Ctx, ResourceType, Update};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::json::value_to_json;
use terrane_engine::value::{Type, Value};

/// The ID of a planned object, from its attributes and the provider's subscription.
pub fn planned_id<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    planned: &Value,
) -> Result<(String, BTreeMap<String, String>), Diagnostics> {
    let def = rt.def();
    let subscription = ctx.client.account.subscription_id.clone();
    let id = def
        .id
        .build(&|name| {
            if name == SUBSCRIPTION {
                Some(subscription.clone())
            } else {
                attribute(planned, name).as_str().map(str::to_string)
            }
        })
        .map_err(|e| error("Invalid resource ID", e))?;
    let values = def
        .id
        .parse(&id, false)
        .map_err(|e| error("Invalid resource ID", e))?;
    Ok((id, values))
}

/// The ID of a stored object (its `id`), parsed without regard to the case of fixed
/// segments, and rebuilt in the template's casing.
pub fn stored_id<R: ResourceType + ?Sized>(
    rt: &R,
    state: &Value,
) -> Result<(String, BTreeMap<String, String>), Diagnostics> {
    let def = rt.def();
    let raw = attribute(state, "id");
    let raw = raw.as_str().unwrap_or_default();
    let values = def
        .id
        .parse(raw, true)
        .map_err(|e| error("Invalid resource ID", e))?;
    let id = def
        .id
        .build(&|name| values.get(name).cloned())
        .map_err(|e| error("Invalid resource ID", e))?;
    Ok((id, values))
}

/// The timeout of an operation: the `timeouts` block's value, or the resource's default.
pub fn timeout(state: &Value, operation: &str, default: Duration) -> Duration {
    let timeouts = attribute(state, "timeouts");
    attribute(&timeouts, operation)
        .as_str()
        .and_then(parse_go_duration)
        .unwrap_or(default)
}

/// A Go duration (`"90m"`, `"1h30m"`, `"45s"`).
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).ok()
}

/// azurerm's `tf.ImportAsExistsError`.
pub fn already_exists(type_name: &str, id: &str) -> Diagnostics {
    error(
        "Resource already exists",
        format!(
            "A resource with the ID {id:?} already exists - to be managed via Terraform this resource needs to be imported into the State. Please see the resource documentation for {type_name:?} for more information."
        ),
    )
}

/// Creates the planned object.
pub async fn create<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    planned: &Value,
) -> Result<Value, Diagnostics> {
    let (id, id_values) = planned_id(rt, ctx, planned)?;
    create_at(rt, ctx, planned, &id, &id_values).await
}

/// Creates the planned object at an ID worked out by the caller (a child whose ID comes
/// from its parent's): the import check, the body from the mapped arguments and the
/// `expand` hook, PUT, and the state read back.
pub async fn create_at<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    planned: &Value,
    id: &str,
    id_values: &BTreeMap<String, String>,
) -> Result<Value, Diagnostics> {
    let def = rt.def();
    let _locks = ctx.client.locks().lock(&rt.locks(id_values)).await;
    ensure_absent(ctx, def.name, id, def.api_version).await?;
    let body = create_body(rt, ctx, planned, id, id_values)?;
    let response = ctx
        .client
        .put(
            id,
            def.api_version,
            def.put_query,
            &body,
            timeout(planned, "create", def.timeouts.create),
        )
        .await
        .map_err(|e| e.diagnostics("creating", id))?;
    Ok(state_from_body(rt, id, id_values, &response, planned))
}

/// azurerm's import check before a create: an object already at `id` is an error, unless
/// the provider's features skip the check.
pub async fn ensure_absent(
    ctx: &Ctx<'_>,
    type_name: &str,
    id: &str,
    api_version: &str,
) -> Result<(), Diagnostics> {
    if ctx.features.skip_import_check {
        return Ok(());
    }
    let existing = ctx
        .client
        .get(id, api_version)
        .await
        .map_err(|e| e.diagnostics("checking for an existing", id))?;
    match existing {
        Some(_) => Err(already_exists(type_name, id)),
        None => Ok(()),
    }
}

/// The body that creates the planned object: its mapped arguments, then the `expand` hook
/// (with a null prior).
pub fn create_body<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    planned: &Value,
    id: &str,
    id_values: &BTreeMap<String, String>,
) -> Result<Json, Diagnostics> {
    let mut body = Json::Object(Default::default());
    expand_object(&rt.def().block, planned, &mut body, false);
    let null = Value::Null(Type::Dynamic);
    rt.expand(
        &Change {
            planned,
            prior: &null,
            id,
            id_values,
            account: &ctx.client.account,
        },
        &mut body,
    )?;
    Ok(body)
}

/// Updates an object in place with the arguments that changed.
pub async fn update<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    prior: &Value,
    planned: &Value,
) -> Result<Value, Diagnostics> {
    let def = rt.def();
    let (id, id_values) = stored_id(rt, prior)?;
    let _locks = ctx.client.locks().lock(&rt.locks(&id_values)).await;
    let update_timeout = timeout(
        planned,
        "update",
        def.timeouts.update.unwrap_or(def.timeouts.create),
    );
    let change = Change {
        planned,
        prior,
        id: &id,
        id_values: &id_values,
        account: &ctx.client.account,
    };
    let response = match def.update {
        Update::PutExisting => {
            let mut body = ctx
                .client
                .get(&id, def.api_version)
                .await
                .map_err(|e| e.diagnostics("retrieving", &id))?
                .ok_or_else(|| error("Resource not found", format!("{id} was not found")))?;
            overlay_changes(rt, &change, &mut body, false);
            rt.expand(&change, &mut body)?;
            ctx.client
                .put(&id, def.api_version, def.put_query, &body, update_timeout)
                .await
        }
        Update::Patch => {
            let mut body = Json::Object(Default::default());
            overlay_changes(rt, &change, &mut body, true);
            rt.expand(&change, &mut body)?;
            ctx.client
                .patch(&id, def.api_version, &body, update_timeout)
                .await
        }
    }
    .map_err(|e| e.diagnostics("updating", &id))?;
    Ok(state_from_body(rt, &id, &id_values, &response, planned))
}

/// Writes the mapped arguments that changed into `body`: a removed argument is removed (or,
/// for a PATCH, sent as its zero value).
fn overlay_changes<R: ResourceType + ?Sized>(
    rt: &R,
    change: &Change<'_>,
    body: &mut Json,
    patch: bool,
) {
    let def = rt.def();
    for attr in &def.block.attrs {
        if !change.changed(attr.name) {
            continue;
        }
        let value = change.get(attr.name);
        match (&attr.arm, value.is_null() && patch) {
            (Some(arm), true) => {
                if let Ok(json) = value_to_json(&zero(&attr.spec.ty)) {
                    json_set(body, arm.path, json);
                }
            }
            _ => expand_attr(attr, &value, body, true),
        }
    }
    for nested in &def.block.blocks {
        if change.changed(nested.name) {
            expand_nested(nested, &change.get(nested.name), body, true);
        }
    }
}

/// Refreshes an object: `None` when it is gone.
pub async fn read<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    state: &Value,
) -> Result<Option<Value>, Diagnostics> {
    let def = rt.def();
    let (id, id_values) = stored_id(rt, state)?;
    let body = ctx
        .client
        .get(&id, def.api_version)
        .await
        .map_err(|e| e.diagnostics("retrieving", &id))?;
    Ok(body.map(|body| state_from_body(rt, &id, &id_values, &body, state)))
}

/// Deletes an object (an object already gone is fine).
pub async fn delete<R: ResourceType + ?Sized>(
    rt: &R,
    ctx: &Ctx<'_>,
    state: &Value,
) -> Result<(), Diagnostics> {
    let def = rt.def();
    let (id, id_values) = stored_id(rt, state)?;
    let _locks = ctx.client.locks().lock(&rt.locks(&id_values)).await;
    rt.before_delete(ctx, &id).await?;
    ctx.client
        .delete(
            &id,
            def.api_version,
            timeout(state, "delete", def.timeouts.delete),
        )
        .await
        .map_err(|e| e.diagnostics("deleting", &id))
}

/// The state an import ID stands for: the ID (validated strictly, as azurerm's importers
/// do) and the attributes it holds.
pub fn import<R: ResourceType + ?Sized>(rt: &R, id: &str) -> Result<Value, Diagnostics> {
    let def = rt.def();
    let values = def
        .id
        .parse(id, false)
        .map_err(|e| error("Invalid import ID", e))?;
    let block = def.full_block();
    let mut state = null_object(&block);
    for (name, value) in values {
        if name != SUBSCRIPTION && block.attr(&name).is_some() {
            state.insert(name, Value::string(value));
        }
    }
    state.insert("id".into(), Value::string(id));
    Ok(Value::object(state))
}

/// The state read from an ARM body: mapped attributes and blocks from the body, the ID's
/// values from the ID, everything else as it was in `previous` (the plan or the prior state),
/// then the `flatten` hook, then SDKv2's null-versus-empty normalisation.
pub fn state_from_body<R: ResourceType + ?Sized>(
    rt: &R,
    id: &str,
    id_values: &BTreeMap<String, String>,
    body: &Json,
    previous: &Value,
) -> Value {
    let block = rt.def().full_block();
    let previous = previous.as_mapping().cloned().unwrap_or_default();
    let mut state = null_object(&block);
    for attr in &block.attrs {
        let value = flatten_attr(attr, body)
            .or_else(|| previous.get(attr.name).cloned())
            .unwrap_or(Value::Null(attr.spec.ty.clone()));
        state.insert(attr.name.to_string(), value);
    }
    for nested in &block.blocks {
        let value = flatten_nested(nested, body).or_else(|| previous.get(nested.name).cloned());
        if let Some(value) = value {
            state.insert(nested.name.to_string(), value);
        }
    }
    for (name, value) in id_values {
        if name != SUBSCRIPTION && block.attr(name).is_some() {
            state.insert(name.clone(), Value::string(value.clone()));
        }
    }
    state.insert("id".into(), Value::string(id));
    rt.flatten(body, &mut state);
    keep_null_for_empty(&mut state, &previous);
    Value::object(state)
}

/// SDKv2 keeps a collection null where the previous value was null and the new one empty
/// (and the other way round), so an unset argument does not show a change.
pub fn keep_null_for_empty(
    state: &mut BTreeMap<String, Value>,
    previous: &BTreeMap<String, Value>,
) {
    for (name, value) in state.iter_mut() {
        let Some(before) = previous.get(name) else {
            continue;
        };
        if !value.ty().is_collection() && !before.ty().is_collection() {
            continue;
        }
        let empty = |v: &Value| v.is_known() && !v.is_null() && v.is_empty();
        if (before.is_null() && empty(value)) || (empty(before) && value.is_null()) {
            *value = before.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("90m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("10"), None);
        assert_eq!(parse_go_duration(""), None);
    }

    #[test]
    fn null_and_empty_collections() {
        let mut state: BTreeMap<String, Value> = [
            (
                "tags".to_string(),
                Value::map(Type::String, BTreeMap::new()),
            ),
            ("name".to_string(), Value::string("")),
        ]
        .into();
        let previous: BTreeMap<String, Value> = [
            ("tags".to_string(), Value::Null(Type::map(Type::String))),
            ("name".to_string(), Value::Null(Type::String)),
        ]
        .into();
        keep_null_for_empty(&mut state, &previous);
        assert!(state["tags"].is_null());
        assert_eq!(state["name"], Value::string(""));
    }
}
