//! The `azapi` provider (Azure/terraform-provider-azapi v2): `azapi_resource`, any ARM
//! resource given by `type` (`<provider>/<type>@<api-version>`), `parent_id`, `name` and a
//! `body` of any shape, and the `azapi_resource` data source; on the same ARM client as
//! azurerm. `output` is what `response_export_values` picks from ARM's answer (dotted paths
//! stand for azapi's JMESPath queries), or by default the properties ARM answered beyond those
//! sent (azapi uses its embedded API specs to find the read-only ones).

mod body;

use crate::azurerm::without_unknowns;
use crate::config::{auth_settings, bool_setting, process_env, string_setting, Env};
use crate::connection::{connect, Connection, ConnectionSettings, Endpoints};
use crate::framework::flow::{already_exists, timeout};
use crate::framework::mapping::{normalize_location, null_object};
use crate::framework::schema::{
    attr, block, block_def, boolean, list_of_strings, map_of_strings, number, string,
    timeouts_block, BlockDef,
};
use crate::framework::{attribute, error, strings_of};
use body::ResourceType;
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::json::{
    state_value_from_json, value_from_json, value_from_json_untyped, value_to_json,
};
use terrane_engine::provider::{
    ApplyRequest, ApplyResponse, AttributePath, ImportedObject, PlanRequest, PlanResponse,
    Provider, ProviderSchema, Schema,
};
use terrane_engine::value::{Type, Value};

const RESOURCE: &str = "azapi_resource";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

fn retry_type() -> Type {
    Type::object(
        [
            ("error_message_regex".to_string(), Type::list(Type::String)),
            ("interval_seconds".to_string(), Type::Number),
            ("max_interval_seconds".to_string(), Type::Number),
            ("multiplier".to_string(), Type::Number),
            ("randomization_factor".to_string(), Type::Number),
        ]
        .into(),
    )
}

fn query_parameters(name: &'static str) -> crate::framework::schema::Attr {
    attr(name, Type::map(Type::list(Type::String))).optional()
}

/// The `azapi_resource` resource's block (schema version 2).
fn resource_block() -> BlockDef {
    block_def(
        vec![
            string("id").computed(),
            string("name").optional().computed(),
            string("parent_id").optional().computed(),
            string("type").required(),
            string("location").optional().computed(),
            attr("body", Type::Dynamic).optional().computed(),
            attr("sensitive_body", Type::Dynamic).optional().sensitive(),
            map_of_strings("sensitive_body_version").optional(),
            list_of_strings("ignore_body_changes").optional(),
            attr("replace_triggers_external_values", Type::Dynamic).optional(),
            list_of_strings("replace_triggers_refs").optional(),
            boolean("ignore_casing").optional().computed(),
            boolean("ignore_missing_property").optional().computed(),
            boolean("ignore_null_property").optional().computed(),
            map_of_strings("list_unique_id_property").optional(),
            list_of_strings("ignore_other_items_in_list").optional(),
            attr("response_export_values", Type::Dynamic).optional(),
            list_of_strings("locks").optional(),
            boolean("schema_validation_enabled").optional().computed(),
            attr("output", Type::Dynamic).computed(),
            map_of_strings("tags").optional().computed(),
            attr("retry", retry_type()).optional(),
            map_of_strings("create_headers").optional(),
            query_parameters("create_query_parameters"),
            map_of_strings("update_headers").optional(),
            query_parameters("update_query_parameters"),
            map_of_strings("delete_headers").optional(),
            query_parameters("delete_query_parameters"),
            map_of_strings("read_headers").optional(),
            query_parameters("read_query_parameters"),
        ],
        vec![
            block(
                "identity",
                block_def(
                    vec![
                        string("type").required(),
                        list_of_strings("identity_ids").optional(),
                        string("principal_id").computed(),
                        string("tenant_id").computed(),
                    ],
                    vec![],
                ),
            ),
            timeouts_block(&["create", "update", "read", "delete"]),
        ],
    )
}

fn identity_computed_type() -> Type {
    Type::list(Type::object(
        [
            ("type".to_string(), Type::String),
            ("principal_id".to_string(), Type::String),
            ("tenant_id".to_string(), Type::String),
            ("identity_ids".to_string(), Type::list(Type::String)),
        ]
        .into(),
    ))
}

/// The `azapi_resource` data source's block.
fn data_source_block() -> BlockDef {
    block_def(
        vec![
            string("id").computed(),
            string("type").required(),
            string("name").optional().computed(),
            string("parent_id").optional().computed(),
            string("resource_id").optional().computed(),
            string("location").computed(),
            attr("identity", identity_computed_type()).computed(),
            attr("response_export_values", Type::Dynamic).optional(),
            boolean("ignore_not_found").optional(),
            boolean("exists").computed(),
            attr("output", Type::Dynamic).computed(),
            map_of_strings("tags").computed(),
            attr("retry", retry_type()).optional(),
            map_of_strings("headers").optional(),
            query_parameters("query_parameters"),
        ],
        vec![timeouts_block(&["read"])],
    )
}

/// The azapi provider block's schema.
fn provider_block() -> BlockDef {
    let strings = [
        "subscription_id",
        "client_id",
        "client_id_file_path",
        "tenant_id",
        "environment",
        "client_certificate_path",
        "client_certificate",
        "client_certificate_password",
        "client_secret",
        "client_secret_file_path",
        "oidc_request_token",
        "oidc_request_url",
        "oidc_token",
        "oidc_token_file_path",
        "oidc_azure_service_connection_id",
        "partner_id",
        "custom_correlation_request_id",
        "default_name",
        "default_location",
    ];
    let bools = [
        "skip_provider_registration",
        "use_oidc",
        "use_cli",
        "use_msi",
        "use_aks_workload_identity",
        "disable_correlation_request_id",
        "disable_instance_discovery",
        "disable_terraform_partner_id",
        "enable_preflight",
        "ignore_no_op_changes",
        "disable_default_output",
        "always_acquire_policy_token",
        "preserve_resource_id_casing",
    ];
    let mut attrs: Vec<_> = strings.iter().map(|n| string(n).optional()).collect();
    attrs.extend(bools.iter().map(|n| boolean(n).optional()));
    attrs.push(list_of_strings("auxiliary_tenant_ids").optional());
    attrs.push(map_of_strings("default_tags").optional());
    attrs.push(number("maximum_busy_retry_attempts").optional());
    attrs.push(
        attr(
            "endpoint",
            Type::list(Type::object(
                [
                    ("active_directory_authority_host".to_string(), Type::String),
                    ("resource_manager_endpoint".to_string(), Type::String),
                    ("resource_manager_audience".to_string(), Type::String),
                ]
                .into(),
            )),
        )
        .optional(),
    );
    block_def(attrs, vec![])
}

/// How the provider block configures resources.
#[derive(Clone, Debug, Default)]
struct Defaults {
    name: Option<String>,
    location: Option<String>,
    tags: Option<Value>,
    disable_default_output: bool,
}

/// Reads the azapi provider block with its environment fallbacks. The cloud comes from
/// `endpoint` (or `ARM_RESOURCE_MANAGER_ENDPOINT` and friends), from `ARM_METADATA_HOSTNAME`
/// as for azurerm (azapi itself has no metadata host), or from `environment`.
fn settings(config: &Value, env: Env<'_>) -> Result<(ConnectionSettings, Defaults), String> {
    let auth = auth_settings(
        config,
        env,
        (
            "oidc_azure_service_connection_id",
            &[
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
                "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
            ],
        ),
    )?;
    let endpoint = attribute(config, "endpoint");
    let endpoint = endpoint.as_seq().and_then(|e| e.first()).cloned();
    let field = |name: &str, var: &str| -> Option<String> {
        endpoint
            .as_ref()
            .and_then(|e| attribute(e, name).as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
            .or_else(|| env(var).filter(|s| !s.is_empty()))
    };
    let endpoints = Endpoints {
        authority_host: field(
            "active_directory_authority_host",
            "ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST",
        ),
        resource_manager: field("resource_manager_endpoint", "ARM_RESOURCE_MANAGER_ENDPOINT"),
        audience: field("resource_manager_audience", "ARM_RESOURCE_MANAGER_AUDIENCE"),
    };
    let any_endpoint = endpoints != Endpoints::default();
    let connection = ConnectionSettings {
        auth,
        subscription_id: string_setting(config, "subscription_id", env, &["ARM_SUBSCRIPTION_ID"]),
        environment: string_setting(config, "environment", env, &["ARM_ENVIRONMENT"])
            .unwrap_or_else(|| "public".into()),
        metadata_host: env("ARM_METADATA_HOSTNAME").filter(|h| !h.is_empty()),
        endpoints: any_endpoint.then_some(endpoints),
        partner_id: string_setting(config, "partner_id", env, &["ARM_PARTNER_ID"]),
    };
    let tags = attribute(config, "default_tags");
    let defaults = Defaults {
        name: string_setting(config, "default_name", env, &[]),
        location: string_setting(config, "default_location", env, &[]),
        tags: (!tags.is_null() && !tags.is_empty()).then_some(tags),
        disable_default_output: bool_setting(
            config,
            "disable_default_output",
            env,
            "ARM_DISABLE_DEFAULT_OUTPUT",
            false,
        ),
    };
    Ok((connection, defaults))
}

struct Configured {
    connection: Connection,
    defaults: Defaults,
}

/// The azapi provider.
pub struct AzapiProvider {
    configured: RwLock<Option<Arc<Configured>>>,
    working_dir: Option<PathBuf>,
}

impl AzapiProvider {
    pub fn new(working_dir: Option<PathBuf>) -> AzapiProvider {
        AzapiProvider {
            configured: RwLock::new(None),
            working_dir,
        }
    }

    fn configured(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.configured
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| {
                Diagnostic::error(
                    "Provider not configured",
                    "The azapi provider was used before it was configured.",
                )
                .into()
            })
    }
}

fn unsupported(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unsupported {kind}"),
        format!("The azapi provider has no {kind} named {type_name:?}."),
    )
    .into()
}

fn as_json(value: &Value) -> Json {
    value_to_json(&value.unmark_deep().0).unwrap_or(Json::Null)
}

/// Whether two dynamic values are the same JSON (azapi's `SemanticallyEqual`).
fn same_json(a: &Value, b: &Value) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && as_json(a) == as_json(b)
}

/// A value of the configured body's type from JSON (or of the JSON's own type, when the
/// shapes no longer match).
fn body_value(json: &Json, like: &Value) -> Value {
    value_from_json(json, &like.ty())
        .or_else(|_| value_from_json_untyped(json))
        .unwrap_or(Value::Null(Type::Dynamic))
}

/// `output`, as `response_export_values` asks.
fn build_output(response: &Json, sent: &Json, export: &Value, defaults: &Defaults) -> Value {
    let json = if export.is_null() {
        if defaults.disable_default_output {
            Json::Object(Map::new())
        } else {
            body::default_output(response, sent)
        }
    } else if let Some(items) = export.as_seq() {
        body::output_for_paths(
            response,
            &items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect::<Vec<_>>(),
        )
    } else if let Some(map) = export.as_mapping() {
        body::output_for_queries(
            response,
            &map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect::<Vec<_>>(),
        )
    } else {
        Json::Null
    };
    value_from_json_untyped(&json).unwrap_or(Value::Null(Type::Dynamic))
}

/// The identity block as ARM reports it.
fn flatten_identity(response: &Json, planned: &Value) -> Value {
    let ty = resource_block()
        .nested("identity")
        .map(|n| n.block.value_type())
        .unwrap_or(Type::Dynamic);
    let Some(identity) = response.get("identity").filter(|i| i.is_object()) else {
        return Value::list(ty, vec![]);
    };
    let kind = body::identity_type(
        identity
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or_default(),
    );
    if kind == "None" && attribute(planned, "identity").is_empty() {
        return Value::list(ty, vec![]);
    }
    let ids: Vec<Value> = identity
        .get("userAssignedIdentities")
        .and_then(Json::as_object)
        .map(|m| m.keys().map(|k| Value::string(k.as_str())).collect())
        .unwrap_or_default();
    let text = |k: &str| Value::string(identity.get(k).and_then(Json::as_str).unwrap_or_default());
    let configured_ids = attribute(planned, "identity")
        .as_seq()
        .and_then(|i| i.first().cloned())
        .map(|i| attribute(&i, "identity_ids"))
        .filter(|ids| !ids.is_null());
    let identity_ids = match configured_ids {
        Some(c) if ids.is_empty() && c.is_empty() => c,
        _ => Value::list(Type::String, ids),
    };
    Value::list(
        ty,
        vec![Value::object(
            [
                ("type".to_string(), Value::string(kind)),
                ("identity_ids".to_string(), identity_ids),
                ("principal_id".to_string(), text("principalId")),
                ("tenant_id".to_string(), text("tenantId")),
            ]
            .into(),
        )],
    )
}

fn tags_value(json: Option<&Json>) -> Value {
    let tags: BTreeMap<String, Value> = json
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::string(v.as_str().unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    Value::map(Type::String, tags)
}

/// The query parameters of a `*_query_parameters` map.
fn query_of(value: &Value) -> Vec<(String, String)> {
    value
        .as_mapping()
        .map(|m| {
            m.iter()
                .flat_map(|(k, vs)| strings_of(vs).into_iter().map(move |v| (k.clone(), v)))
                .collect()
        })
        .unwrap_or_default()
}

impl AzapiProvider {
    fn plan(
        &self,
        prior: &Value,
        config: &Value,
    ) -> Result<(Value, Vec<AttributePath>), Diagnostics> {
        let defaults = self
            .configured()
            .map(|c| c.defaults.clone())
            .unwrap_or_default();
        let subscription = self
            .configured()
            .ok()
            .map(|c| c.connection.client.account.subscription_id.clone());
        let creating = prior.is_null();
        let block = resource_block();
        let mut planned = null_object(&block);
        for (k, v) in config.as_mapping().cloned().unwrap_or_default() {
            planned.insert(k, v);
        }
        let get = |name: &str| attribute(config, name);
        let before = |name: &str| attribute(prior, name);
        let mut replace = Vec::new();
        for (name, default) in [
            ("ignore_casing", false),
            ("ignore_missing_property", true),
            ("ignore_null_property", false),
            ("schema_validation_enabled", true),
        ] {
            if get(name).is_null() {
                planned.insert(name.into(), Value::Bool(default));
            }
        }
        planned.insert("sensitive_body".into(), Value::Null(Type::Dynamic));
        planned.insert(
            "ignore_body_changes".into(),
            Value::Null(Type::list(Type::String)),
        );
        let type_text = get("type");
        let resource_type = match type_text.as_str() {
            Some(t) => Some(ResourceType::parse(t).map_err(|e| {
                error(
                    "Invalid configuration",
                    format!("The argument \"type\" is invalid: {e}"),
                )
            })?),
            None => None,
        };
        planned.insert(
            "id".into(),
            if creating {
                Value::Unknown(Type::String)
            } else {
                before("id")
            },
        );
        let name = match get("name") {
            n if !n.is_null() => n,
            _ => match &defaults.name {
                Some(n) => Value::string(n.as_str()),
                None => {
                    return Err(error(
                        "Missing required argument",
                        "The argument \"name\" is required, but no definition was found.",
                    ))
                }
            },
        };
        planned.insert("name".into(), name.clone());
        let parent = match get("parent_id") {
            p if !p.is_null() => p,
            _ if resource_type
                .as_ref()
                .is_some_and(ResourceType::is_resource_group) =>
            {
                match &subscription {
                    Some(s) => Value::string(format!("/subscriptions/{s}")),
                    None => Value::Unknown(Type::String),
                }
            }
            _ if resource_type.is_none() => Value::Unknown(Type::String),
            _ => {
                return Err(error(
                    "Missing required argument",
                    "The argument \"parent_id\" is required, but no definition was found.",
                ))
            }
        };
        planned.insert("parent_id".into(), parent.clone());
        let body = match get("body") {
            b if b.is_null() => Value::empty_object(),
            b => b,
        };
        let body = if !creating && same_json(&before("body"), &body) {
            before("body")
        } else {
            body
        };
        planned.insert("body".into(), body.clone());
        let body_json = body.is_wholly_known().then(|| as_json(&body));
        let location = match get("location") {
            l if !l.is_null() => match (l.as_str(), before("location").as_str()) {
                (Some(new), Some(old)) if normalize_location(new) == normalize_location(old) => {
                    before("location")
                }
                _ => l,
            },
            _ => match body_json
                .as_ref()
                .and_then(|b| b.get("location"))
                .and_then(Json::as_str)
            {
                Some(l) => Value::string(l),
                None if !creating && before("location").as_str().is_some_and(|s| !s.is_empty()) => {
                    before("location")
                }
                None => match &defaults.location {
                    Some(l) if creating || before("location").is_null() => {
                        Value::string(l.as_str())
                    }
                    _ if !creating && before("location").as_str() == Some("") => before("location"),
                    _ if body_json.is_none() => Value::Unknown(Type::String),
                    _ => Value::Null(Type::String),
                },
            },
        };
        planned.insert("location".into(), location.clone());
        let tags = match get("tags") {
            t if !t.is_null() => t,
            _ => match body_json.as_ref().and_then(|b| b.get("tags")) {
                Some(t) => tags_value(Some(t)),
                None => match &defaults.tags {
                    Some(t) => t.clone(),
                    None if !creating && before("tags").is_known() && before("tags").is_empty() => {
                        before("tags")
                    }
                    None if body_json.is_none() => Value::Unknown(Type::map(Type::String)),
                    None => Value::Null(Type::map(Type::String)),
                },
            },
        };
        planned.insert("tags".into(), tags.clone());
        let identity = get("identity");
        let identity_ty = block
            .nested("identity")
            .map(|n| n.block.value_type())
            .unwrap_or(Type::Dynamic);
        let planned_identity = match (
            identity.as_seq().and_then(|i| i.first()),
            before("identity").as_seq().and_then(|i| i.first()),
        ) {
            (Some(new), Some(old))
                if attribute(new, "type").raw_equal(&attribute(old, "type"))
                    && attribute(new, "identity_ids")
                        .raw_equal(&attribute(old, "identity_ids")) =>
            {
                before("identity")
            }
            (Some(new), _) => {
                let mut attrs = new.as_mapping().cloned().unwrap_or_default();
                attrs.insert("principal_id".into(), Value::Unknown(Type::String));
                attrs.insert("tenant_id".into(), Value::Unknown(Type::String));
                Value::list(identity_ty, vec![Value::object(attrs)])
            }
            (None, _) => identity,
        };
        planned.insert("identity".into(), planned_identity.clone());
        let changed = creating
            || !body.is_wholly_known()
            || !same_json(&before("body"), &body)
            || !before("type").raw_equal(&get("type"))
            || !before("identity").raw_equal(&planned_identity)
            || !before("response_export_values").raw_equal(&get("response_export_values"))
            || !before("tags").raw_equal(&tags);
        planned.insert(
            "output".into(),
            if changed {
                Value::Unknown(Type::Dynamic)
            } else {
                before("output")
            },
        );
        if !creating {
            if !before("name").raw_equal(&name) {
                replace.push(vec!["name".to_string()]);
            }
            if !before("parent_id").raw_equal(&parent) {
                replace.push(vec!["parent_id".to_string()]);
            }
            if let (Some(old), Some(new)) = (before("location").as_str(), location.as_str()) {
                if normalize_location(old) != normalize_location(new) {
                    replace.push(vec!["location".to_string()]);
                }
            }
            let triggers = get("replace_triggers_external_values");
            if !triggers.is_null()
                && !before("replace_triggers_external_values").raw_equal(&triggers)
            {
                replace.push(vec!["replace_triggers_external_values".to_string()]);
            }
            let refs = strings_of(&get("replace_triggers_refs"));
            if !refs.is_empty() {
                let old_body = as_json(&before("body"));
                let new_body = body_json.clone().unwrap_or(Json::Null);
                let pick = |b: &Json| body::output_for_paths(b, &refs);
                if pick(&old_body) != pick(&new_body) {
                    replace.push(vec!["body".to_string()]);
                }
            }
        }
        Ok((Value::object(planned), replace))
    }

    /// The body sent to ARM: the configured body, the sensitive body merged in, and
    /// `location`, `tags` and `identity` where the body does not give them.
    fn request_body(planned: &Value, config: &Value, prior: &Value) -> Result<Json, Diagnostics> {
        let mut json = as_json(&attribute(planned, "body"));
        if !json.is_object() {
            json = Json::Object(Map::new());
        }
        let sensitive = attribute(config, "sensitive_body");
        if !sensitive.is_null() {
            body::merge(&mut json, &as_json(&sensitive));
        }
        let Json::Object(object) = &mut json else {
            return Ok(json);
        };
        if !object.contains_key("location") {
            if let Some(l) = attribute(planned, "location")
                .as_str()
                .filter(|l| !l.is_empty())
            {
                object.insert("location".into(), Json::String(l.to_string()));
            }
        }
        let tags = attribute(planned, "tags");
        if !object.contains_key("tags") && tags.len().is_some_and(|n| n > 0) {
            object.insert("tags".into(), as_json(&tags));
        }
        if !object.contains_key("identity") {
            let identity = attribute(planned, "identity");
            if let Some(i) = identity.as_seq().and_then(|i| i.first()) {
                let kind = attribute(i, "type");
                let identity = body::expand_identity(
                    kind.as_str().unwrap_or_default(),
                    &strings_of(&attribute(i, "identity_ids")),
                )
                .map_err(|e| {
                    error(
                        "Invalid configuration",
                        format!("The argument \"identity\" is invalid: {e}"),
                    )
                })?;
                object.insert("identity".into(), identity);
            } else if attribute(prior, "identity").len().is_some_and(|n| n > 0) {
                object.insert("identity".into(), serde_json::json!({"type": "None"}));
            }
        }
        Ok(json)
    }

    /// What the configuration sends without its sensitive part: what the default output
    /// leaves out (the same on create and on read, so that outputs do not drift).
    fn configured_request(state: &Value) -> Json {
        let null = Value::Null(Type::Dynamic);
        Self::request_body(state, &null, &null)
            .unwrap_or_else(|_| as_json(&attribute(state, "body")))
    }

    async fn create_or_update(
        &self,
        configured: &Configured,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let client = &configured.connection.client;
        let creating = prior.is_null();
        let type_text = attribute(planned, "type");
        let ty = ResourceType::parse(type_text.as_str().unwrap_or_default())
            .map_err(|e| error("Invalid configuration", e))?;
        let name = attribute(planned, "name");
        let parent = attribute(planned, "parent_id");
        let id = body::build_id(
            name.as_str().unwrap_or_default(),
            parent.as_str().unwrap_or_default(),
            &ty,
        )
        .map_err(|e| error("Invalid configuration", e))?;
        let _locks = client
            .locks()
            .lock(&strings_of(&attribute(planned, "locks")))
            .await;
        if creating {
            let existing = client
                .get(&id, &ty.api_version)
                .await
                .map_err(|e| e.diagnostics("checking for an existing", &id))?;
            if existing.is_some() {
                return Err(already_exists(RESOURCE, &id));
            }
        }
        let request = Self::request_body(planned, config, prior)?;
        let (operation, query_name) = if creating {
            ("create", "create_query_parameters")
        } else {
            ("update", "update_query_parameters")
        };
        let query = query_of(&attribute(planned, query_name));
        let query: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = client
            .put(
                &id,
                &ty.api_version,
                &query,
                &request,
                timeout(planned, operation, DEFAULT_TIMEOUT),
            )
            .await
            .map_err(|e| e.diagnostics(if creating { "creating" } else { "updating" }, &id))?;
        let mut state = planned.as_mapping().cloned().unwrap_or_default();
        state.insert("id".into(), Value::string(id));
        state.insert(
            "output".into(),
            build_output(
                &response,
                &Self::configured_request(planned),
                &attribute(planned, "response_export_values"),
                &configured.defaults,
            ),
        );
        if attribute(planned, "identity").len().is_some_and(|n| n > 0) {
            state.insert("identity".into(), flatten_identity(&response, planned));
        }
        Ok(Value::object(state))
    }

    async fn read_resource(
        &self,
        configured: &Configured,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let client = &configured.connection.client;
        let id = attribute(state, "id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let type_text = attribute(state, "type");
        let ty = ResourceType::parse(type_text.as_str().unwrap_or_default())
            .map_err(|e| error("Error parsing ID", e))?;
        let Some(response) = client
            .get(&id, &ty.api_version)
            .await
            .map_err(|e| e.diagnostics("reading", &id))?
        else {
            return Ok(None);
        };
        let (name, parent) = body::split_id(&id).map_err(|e| error("Error parsing ID", e))?;
        let mut out = state.as_mapping().cloned().unwrap_or_default();
        out.insert("name".into(), Value::string(name));
        out.insert("parent_id".into(), Value::string(parent));
        if let Some(l) = response.get("location").and_then(Json::as_str) {
            let known = attribute(state, "location");
            if normalize_location(l) != normalize_location(known.as_str().unwrap_or_default()) {
                out.insert("location".into(), Value::string(l));
            }
        }
        let tags = tags_value(response.get("tags"));
        if !tags.is_empty() || attribute(state, "tags").len().is_some_and(|n| n > 0) {
            out.insert("tags".into(), tags);
        }
        let configured_body = attribute(state, "body");
        let sent = as_json(&configured_body);
        if sent.get("identity").is_none() {
            let identity = flatten_identity(&response, state);
            if !(identity.is_empty() && attribute(state, "identity").is_null()) {
                out.insert("identity".into(), identity);
            }
        }
        if !configured_body.is_null() {
            let flag = |n: &str, d: bool| attribute(state, n).as_bool().unwrap_or(d);
            let refreshed = body::update_object(
                &sent,
                &response,
                flag("ignore_casing", false),
                flag("ignore_missing_property", true),
            );
            out.insert("body".into(), body_value(&refreshed, &configured_body));
        }
        out.insert(
            "output".into(),
            build_output(
                &response,
                &Self::configured_request(state),
                &attribute(state, "response_export_values"),
                &configured.defaults,
            ),
        );
        Ok(Some(Value::object(out)))
    }
}

#[async_trait::async_trait]
impl Provider for AzapiProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: Schema {
                version: 0,
                block: provider_block().to_engine(),
            },
            resources: [(
                RESOURCE.to_string(),
                Schema {
                    version: 2,
                    block: resource_block().to_engine(),
                },
            )]
            .into(),
            data_sources: [(
                RESOURCE.to_string(),
                Schema {
                    version: 0,
                    block: data_source_block().to_engine(),
                },
            )]
            .into(),
        }
    }

    async fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        if type_name != RESOURCE {
            return unsupported("resource type", type_name);
        }
        let config = config.unmark_deep().0;
        let ty = attribute(&config, "type");
        let Some(text) = ty.as_str() else {
            return Diagnostics::new();
        };
        match ResourceType::parse(text) {
            Err(e) => error("Invalid configuration", format!("The argument \"type\" is invalid: {e}")),
            Ok(t) if attribute(&config, "parent_id").is_null() && !t.is_resource_group() => error(
                "Missing required argument",
                "The argument \"parent_id\" is required, but no definition was found.",
            ),
            Ok(_) => match attribute(&config, "body") {
                Value::String(_) => error(
                    "Invalid configuration",
                    "The argument \"body\" must be an HCL object, not a JSON string; use jsondecode() to convert it.",
                ),
                _ => Diagnostics::new(),
            },
        }
    }

    async fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        if type_name != RESOURCE {
            return unsupported("data source", type_name);
        }
        let config = config.unmark_deep().0;
        let (name, parent, resource_id) = (
            attribute(&config, "name"),
            attribute(&config, "parent_id"),
            attribute(&config, "resource_id"),
        );
        let ty = attribute(&config, "type");
        let ty = ty.as_str().and_then(|t| ResourceType::parse(t).ok());
        let is = |n: &str| {
            ty.as_ref()
                .is_some_and(|t| t.name().eq_ignore_ascii_case(n))
        };
        if name.is_null() && !parent.is_null() {
            return error(
                "Invalid configuration",
                "The argument \"name\" is required when the argument \"parent_id\" is set",
            );
        }
        if !name.is_null() && parent.is_null() && !is("Microsoft.Resources/resourceGroups") {
            return error(
                "Invalid configuration",
                "The argument \"parent_id\" is required when the argument \"name\" is set",
            );
        }
        if name.is_null() && resource_id.is_null() && !is("Microsoft.Resources/subscriptions") {
            return error(
                "Invalid configuration",
                "One of the arguments \"name\" or \"resource_id\" must be set",
            );
        }
        if !name.is_null() && !resource_id.is_null() {
            return error(
                "Invalid configuration",
                "Exactly one of the arguments \"name\" or \"resource_id\" can be set",
            );
        }
        Diagnostics::new()
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        let config = config.unmark_deep().0;
        let (connection, defaults) = match settings(&config, &process_env) {
            Ok(s) => s,
            Err(e) => return Diagnostic::error("Invalid provider configuration", e).into(),
        };
        let working_dir = self
            .working_dir
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        match connect(&connection, &working_dir).await {
            Ok(connection) => {
                let connection = Connection {
                    client: connection.client.with_user_agent("azapi"),
                    simulator: connection.simulator,
                };
                if let Ok(mut slot) = self.configured.write() {
                    *slot = Some(Arc::new(Configured {
                        connection,
                        defaults,
                    }));
                }
                Diagnostics::new()
            }
            Err(e) => Diagnostic::error("Error building the AzAPI client", e).into(),
        }
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        raw_state: &serde_json::Value,
    ) -> Result<Value, Diagnostics> {
        if type_name != RESOURCE {
            return Err(unsupported("resource type", type_name));
        }
        let mut raw = raw_state.clone();
        if version < 2 {
            // Versions 0 and 1 stored `body` and `output` as JSON strings.
            if let Json::Object(attrs) = &mut raw {
                for name in ["body", "output"] {
                    if let Some(Json::String(text)) = attrs.get(name).cloned() {
                        let parsed: Json =
                            serde_json::from_str(if text.is_empty() { "{}" } else { &text })
                                .map_err(|e| {
                                    error(
                                        "Unable to upgrade the resource state",
                                        format!("{name}: {e}"),
                                    )
                                })?;
                        let value = value_from_json_untyped(&parsed)
                            .map_err(|e| error("Unable to upgrade the resource state", e))?;
                        attrs.insert(
                            name.into(),
                            serde_json::json!({"value": parsed, "type": value.ty().to_json()}),
                        );
                    }
                }
                if let Some(Json::Array(values)) = attrs.get("response_export_values").cloned() {
                    let value = value_from_json_untyped(&Json::Array(values.clone()))
                        .map_err(|e| error("Unable to upgrade the resource state", e))?;
                    attrs.insert(
                        "response_export_values".into(),
                        serde_json::json!({"value": values, "type": value.ty().to_json()}),
                    );
                }
            }
        }
        state_value_from_json(&raw, &resource_block().value_type())
            .map_err(|e| error("Unable to read the resource state", e))
    }

    async fn plan_change(&self, request: PlanRequest) -> PlanResponse {
        let proposed = request.proposed_new_state.unmark_deep().0;
        let mut response = PlanResponse {
            planned_state: proposed.clone(),
            requires_replace: Vec::new(),
            planned_private: request.prior_private.clone(),
            diagnostics: Diagnostics::new(),
        };
        if proposed.is_null() {
            return response;
        }
        if request.type_name != RESOURCE {
            response.diagnostics = unsupported("resource type", &request.type_name);
            return response;
        }
        match self.plan(
            &request.prior_state.unmark_deep().0,
            &request.config.unmark_deep().0,
        ) {
            Ok((planned, replace)) => {
                response.planned_state = planned;
                response.requires_replace = replace;
            }
            Err(d) => response.diagnostics = d,
        }
        response
    }

    async fn apply_change(&self, request: ApplyRequest) -> ApplyResponse {
        let prior = request.prior_state.unmark_deep().0;
        let planned = request.planned_state.unmark_deep().0;
        let config = request.config.unmark_deep().0;
        let result = match (request.type_name == RESOURCE, self.configured()) {
            (false, _) => Err(unsupported("resource type", &request.type_name)),
            (_, Err(d)) => Err(d),
            (true, Ok(configured)) if planned.is_null() => {
                let id = attribute(&prior, "id")
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let ty = attribute(&prior, "type");
                match ResourceType::parse(ty.as_str().unwrap_or_default()) {
                    Err(e) => Err(error("Error parsing ID", e)),
                    Ok(ty) => {
                        let _locks = configured
                            .connection
                            .client
                            .locks()
                            .lock(&strings_of(&attribute(&prior, "locks")))
                            .await;
                        configured
                            .connection
                            .client
                            .delete(
                                &id,
                                &ty.api_version,
                                timeout(&prior, "delete", DEFAULT_TIMEOUT),
                            )
                            .await
                            .map(|()| Value::Null(prior.ty()))
                            .map_err(|e| e.diagnostics("deleting", &id))
                    }
                }
            }
            (true, Ok(configured)) => {
                self.create_or_update(&configured, &prior, &planned, &config)
                    .await
            }
        };
        match result {
            Ok(state) => ApplyResponse {
                new_state: without_unknowns(state),
                private: request.planned_private,
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => ApplyResponse {
                new_state: prior,
                private: request.planned_private,
                diagnostics,
            },
        }
    }

    async fn read(
        &self,
        type_name: &str,
        state: &Value,
        private: &[u8],
    ) -> Result<Option<(Value, Vec<u8>)>, Diagnostics> {
        if type_name != RESOURCE {
            return Err(unsupported("resource type", type_name));
        }
        let configured = self.configured()?;
        Ok(self
            .read_resource(&configured, &state.unmark_deep().0)
            .await?
            .map(|v| (without_unknowns(v), private.to_vec())))
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Vec<ImportedObject>, Diagnostics> {
        if type_name != RESOURCE {
            return Err(unsupported("resource type", type_name));
        }
        let configured = self.configured()?;
        let (resource_id, api_version) = id
            .split_once("?api-version=")
            .ok_or_else(|| {
                error(
                    "Invalid Resource ID",
                    format!("parsing Resource ID {id:?}: import IDs of azapi_resource are <resource id>?api-version=<api version>"),
                )
            })?;
        let (name, parent) =
            body::split_id(resource_id).map_err(|e| error("Invalid Resource ID", e))?;
        let ty = format!("{}@{api_version}", body::type_of_id(resource_id));
        let response = configured
            .connection
            .client
            .get(resource_id, api_version)
            .await
            .map_err(|e| e.diagnostics("importing", resource_id))?
            .ok_or_else(|| {
                error(
                    "Cannot import non-existent remote object",
                    format!("{resource_id} was not found"),
                )
            })?;
        let mut imported = response.clone();
        if let Json::Object(o) = &mut imported {
            for key in [
                "id",
                "name",
                "type",
                "location",
                "tags",
                "identity",
                "etag",
                "systemData",
            ] {
                o.remove(key);
            }
            if let Some(Json::Object(p)) = o.get_mut("properties") {
                p.remove("provisioningState");
            }
        }
        let mut state = null_object(&resource_block());
        state.insert("id".into(), Value::string(resource_id));
        state.insert("name".into(), Value::string(name));
        state.insert("parent_id".into(), Value::string(parent));
        state.insert("type".into(), Value::string(ty));
        state.insert(
            "body".into(),
            value_from_json_untyped(&imported).unwrap_or(Value::Null(Type::Dynamic)),
        );
        for (name, default) in [
            ("ignore_casing", false),
            ("ignore_missing_property", true),
            ("ignore_null_property", false),
            ("schema_validation_enabled", true),
        ] {
            state.insert(name.into(), Value::Bool(default));
        }
        Ok(vec![ImportedObject {
            type_name: type_name.to_string(),
            state: Value::object(state),
            private: Vec::new(),
        }])
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        if type_name != RESOURCE {
            return Err(unsupported("data source", type_name));
        }
        let configured = self.configured()?;
        let client = &configured.connection.client;
        let config = config.unmark_deep().0;
        let type_text = attribute(&config, "type");
        let ty = ResourceType::parse(type_text.as_str().unwrap_or_default())
            .map_err(|e| error("Invalid configuration", e))?;
        let subscription = format!("/subscriptions/{}", client.account.subscription_id);
        let id = match attribute(&config, "name").as_str() {
            Some(name) => {
                let parent = attribute(&config, "parent_id");
                let parent = parent
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| subscription.clone());
                body::build_id(name, &parent, &ty).map_err(|e| error("Invalid configuration", e))?
            }
            None => attribute(&config, "resource_id")
                .as_str()
                .map(str::to_string)
                .unwrap_or(subscription),
        };
        let mut out = null_object(&data_source_block());
        for (k, v) in config.as_mapping().cloned().unwrap_or_default() {
            out.insert(k, v);
        }
        let (name, parent) = body::split_id(&id).unwrap_or_default();
        out.insert("id".into(), Value::string(id.as_str()));
        out.insert("resource_id".into(), Value::string(id.as_str()));
        out.insert("name".into(), Value::string(name));
        out.insert("parent_id".into(), Value::string(parent));
        let response = client
            .get(&id, &ty.api_version)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?;
        let Some(response) = response else {
            if attribute(&config, "ignore_not_found").as_bool() == Some(true) {
                out.insert("exists".into(), Value::Bool(false));
                return Ok(Value::object(out));
            }
            return Err(error(
                "Resource not found",
                format!("resource {id:?} not found"),
            ));
        };
        out.insert("exists".into(), Value::Bool(true));
        out.insert("tags".into(), tags_value(response.get("tags")));
        out.insert(
            "location".into(),
            match response.get("location").and_then(Json::as_str) {
                Some(l) => Value::string(normalize_location(l)),
                None => Value::Null(Type::String),
            },
        );
        let identity = flatten_identity(&response, &Value::Null(Type::Dynamic));
        out.insert(
            "identity".into(),
            match identity.as_seq().and_then(|i| i.first()) {
                Some(i) => Value::list(
                    identity_computed_type()
                        .element_type()
                        .cloned()
                        .unwrap_or(Type::Dynamic),
                    vec![i.clone()],
                ),
                None => Value::Null(identity_computed_type()),
            },
        );
        out.insert(
            "output".into(),
            build_output(
                &response,
                &Json::Object(Map::new()),
                &attribute(&config, "response_export_values"),
                &configured.defaults,
            ),
        );
        Ok(Value::object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas() {
        let p = AzapiProvider::new(None);
        let schema = p.schema();
        let resource = &schema.resources[RESOURCE];
        assert_eq!(resource.version, 2);
        for name in [
            "type",
            "parent_id",
            "name",
            "location",
            "body",
            "tags",
            "response_export_values",
            "output",
            "schema_validation_enabled",
        ] {
            assert!(resource.block.attributes.contains_key(name), "{name}");
        }
        assert!(resource.block.blocks.contains_key("identity"));
        assert!(resource.block.attributes["type"].required);
        assert!(resource.block.attributes["output"].computed);
        assert!(schema.data_sources[RESOURCE]
            .block
            .attributes
            .contains_key("exists"));
        assert!(schema
            .provider
            .block
            .attributes
            .contains_key("default_location"));
    }

    #[test]
    fn plans_create_and_update() {
        let p = AzapiProvider::new(None);
        let mut config = null_object(&resource_block());
        config.insert(
            "type".into(),
            Value::string("Microsoft.Network/virtualNetworks@2024-05-01"),
        );
        config.insert("name".into(), Value::string("v"));
        config.insert(
            "parent_id".into(),
            Value::string("/subscriptions/s/resourceGroups/rg"),
        );
        config.insert("location".into(), Value::string("westeurope"));
        let config = Value::object(config);
        let (planned, replace) = p.plan(&Value::Null(Type::Dynamic), &config).unwrap();
        assert!(replace.is_empty());
        assert!(!attribute(&planned, "id").is_known());
        assert!(!attribute(&planned, "output").is_known());
        assert_eq!(
            attribute(&planned, "ignore_missing_property"),
            Value::Bool(true)
        );
        assert_eq!(attribute(&planned, "body"), Value::empty_object());
        let mut prior = planned.as_mapping().cloned().unwrap();
        prior.insert("id".into(), Value::string("/x"));
        prior.insert("output".into(), Value::empty_object());
        prior.insert("tags".into(), Value::Null(Type::map(Type::String)));
        let prior = Value::object(prior);
        let (again, replace) = p.plan(&prior, &config).unwrap();
        assert!(replace.is_empty());
        assert!(
            again.raw_equal(&prior),
            "a no-op plan keeps the prior object"
        );
        let mut moved = config.as_mapping().cloned().unwrap();
        moved.insert("location".into(), Value::string("North Europe"));
        let (_, replace) = p.plan(&prior, &Value::object(moved)).unwrap();
        assert_eq!(replace, vec![vec!["location".to_string()]]);
    }
}
