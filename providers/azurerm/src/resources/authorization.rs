//! Azure RBAC: the `azurerm_role_assignment` resource, with azurerm v4's schema and import ID
//! (the full role assignment ID, `{scope}/providers/Microsoft.Authorization/roleAssignments/
//! {name}`, with `|{tenant}` for delegated managed identities). A role given by name is looked
//! up among the scope's role definitions; the name is a new GUID when not given. Every argument
//! but `skip_service_principal_aad_check` forces a new assignment.

use crate::framework::flow::{already_exists, timeout};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::{json_get, null_object};
use crate::framework::schema::{block_def, boolean, string};
use crate::framework::{attribute, error, Ctx, ResourceDef, ResourceType, Timeouts, Update};
use azure_core::http::Method;
use serde_json::{json, Value as Json};
use std::time::Duration;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::Value;
use tokio::time::Instant;

/// The api-versions azurerm v4 manages role assignments and reads role definitions with.
const ASSIGNMENTS_API_VERSION: &str = "2022-04-01";
const DEFINITIONS_API_VERSION: &str = "2022-05-01-preview";
const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

const ASSIGNMENTS_SEGMENT: &str = "/providers/Microsoft.Authorization/roleAssignments/";

/// How long to wait between attempts while Azure AD has not replicated a new principal.
const PRINCIPAL_RETRY_DELAY: Duration = Duration::from_secs(10);

fn text(object: &Value, name: &str) -> String {
    attribute(object, name)
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn jtext(json: &Json, path: &str) -> String {
    json_get(json, path)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

fn same_ignoring_case(prior: &Value, config: &Value) -> bool {
    match (prior.as_str(), config.as_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// A role assignment ID: its scope, name and (for delegated managed identities) tenant.
#[derive(Debug, PartialEq)]
struct AssignmentId {
    scope: String,
    name: String,
    tenant: Option<String>,
}

impl AssignmentId {
    /// Parses an ID as azurerm's `ScopedRoleAssignmentID` does.
    fn parse(id: &str) -> Result<AssignmentId, String> {
        let (arm_id, tenant) = match id.split_once('|') {
            Some((arm_id, tenant)) if !tenant.is_empty() && !tenant.contains('|') => {
                (arm_id, Some(tenant.to_string()))
            }
            Some(_) => return Err(format!("parsing {id:?}: expected a role assignment ID, optionally followed by `|` and a tenant ID")),
            None => (id, None),
        };
        let lower = arm_id.to_ascii_lowercase();
        let marker = ASSIGNMENTS_SEGMENT.to_ascii_lowercase();
        let at = lower.rfind(&marker).ok_or_else(|| {
            format!("parsing {id:?}: a role assignment ID has the shape `{{scope}}{ASSIGNMENTS_SEGMENT}{{name}}`")
        })?;
        let scope = &arm_id[..at];
        let name = &arm_id[at + marker.len()..];
        if name.is_empty() || name.contains('/') {
            return Err(format!(
                "parsing {id:?}: the role assignment name is missing"
            ));
        }
        Ok(AssignmentId {
            scope: if scope.is_empty() {
                "/".into()
            } else {
                scope.to_string()
            },
            name: name.to_string(),
            tenant,
        })
    }

    /// The ARM path of the assignment.
    fn arm_id(&self) -> String {
        let scope = self.scope.trim_end_matches('/');
        format!("{scope}{ASSIGNMENTS_SEGMENT}{}", self.name)
    }

    /// The resource's ID: the ARM path, with the tenant when there is one.
    fn id(&self) -> String {
        match &self.tenant {
            Some(tenant) => format!("{}|{tenant}", self.arm_id()),
            None => self.arm_id(),
        }
    }
}

/// A scope as azurerm stores it: resource group IDs in their canonical casing.
fn normalize_scope(scope: &str) -> String {
    let group = IdTemplate::new(
        "Resource Group",
        "/subscriptions/{subscription_id}/resourceGroups/{name}",
    );
    group
        .parse(scope, true)
        .and_then(|values| group.build(&|n| values.get(n).cloned()))
        .unwrap_or_else(|_| scope.to_string())
}

/// `azurerm_role_assignment`.
pub struct RoleAssignment {
    def: ResourceDef,
}

impl RoleAssignment {
    pub fn new() -> RoleAssignment {
        RoleAssignment {
            def: ResourceDef {
                name: "azurerm_role_assignment",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").optional().computed().force_new(),
                        string("scope").required().force_new(),
                        string("role_definition_id")
                            .optional()
                            .computed()
                            .force_new()
                            .suppress(same_ignoring_case),
                        string("role_definition_name")
                            .optional()
                            .computed()
                            .force_new()
                            .suppress(same_ignoring_case),
                        string("principal_id").required().force_new(),
                        string("principal_type").optional().computed().force_new(),
                        boolean("skip_service_principal_aad_check")
                            .optional()
                            .computed(),
                        string("delegated_managed_identity_resource_id")
                            .optional()
                            .force_new(),
                        string("description").optional().force_new(),
                        string("condition").optional().force_new(),
                        string("condition_version")
                            .optional()
                            .computed()
                            .force_new(),
                    ],
                    vec![],
                ),
                api_version: ASSIGNMENTS_API_VERSION,
                id: IdTemplate::new(
                    "Role Assignment",
                    "/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleAssignments/{name}",
                ),
                timeouts: Timeouts::minutes(30, 5, None, 30),
                update: Update::PutExisting,
                put_query: &[],
            },
        }
    }

    /// The ID of the role named `role_name` at `scope`, found by a filtered listing.
    async fn role_definition_id(
        &self,
        ctx: &Ctx<'_>,
        scope: &str,
        role_name: &str,
    ) -> Result<String, Diagnostics> {
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions",
            scope.trim_end_matches('/')
        );
        let filter = format!("roleName eq '{role_name}'");
        let failed =
            |e: crate::arm::error::ArmError| e.diagnostics("listing role definitions at", scope);
        let url = ctx
            .client
            .url(&path, DEFINITIONS_API_VERSION, &[("$filter", &filter)])
            .map_err(failed)?;
        let answer = ctx
            .client
            .request(Method::Get, &url, None)
            .await
            .map_err(failed)?;
        if !answer.is_success() {
            return Err(failed(answer.error()));
        }
        let page = answer.json().map_err(failed)?;
        match page
            .get("value")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
        {
            Some([definition]) => Ok(jtext(definition, "id")),
            _ => Err(error(
                "Error listing role definitions",
                format!("listing role definitions: could not find role `{role_name}`"),
            )),
        }
    }

    /// The tenant of the provider's subscription (for delegated managed identities).
    async fn subscription_tenant(&self, ctx: &Ctx<'_>) -> Result<String, Diagnostics> {
        let id = format!("/subscriptions/{}", ctx.client.account.subscription_id);
        let subscription = ctx
            .client
            .get(&id, SUBSCRIPTIONS_API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Subscription not found", format!("{id} was not found")))?;
        match jtext(&subscription, "tenantId") {
            t if t.is_empty() => Err(error(
                "Error retrieving the subscription",
                format!("retrieving {id}: `tenantId` was nil"),
            )),
            t => Ok(t),
        }
    }

    /// The state of an assignment from ARM (`resourceArmRoleAssignmentRead`), over `previous`.
    async fn state_of(
        &self,
        ctx: &Ctx<'_>,
        id: &AssignmentId,
        body: &Json,
        previous: &Value,
    ) -> Result<Value, Diagnostics> {
        let mut state = null_object(&self.def.full_block());
        if let Some(previous) = previous.as_mapping() {
            for (k, v) in previous {
                state.insert(k.clone(), v.clone());
            }
        }
        let put =
            |state: &mut std::collections::BTreeMap<String, Value>, name: &str, value: String| {
                state.insert(name.to_string(), Value::string(value));
            };
        put(&mut state, "id", id.id());
        put(&mut state, "name", jtext(body, "name"));
        let props = body.get("properties").cloned().unwrap_or(json!({}));
        put(
            &mut state,
            "scope",
            normalize_scope(&jtext(&props, "scope")),
        );
        let role_id = jtext(&props, "roleDefinitionId");
        put(&mut state, "role_definition_id", role_id.clone());
        put(&mut state, "principal_id", jtext(&props, "principalId"));
        put(&mut state, "principal_type", jtext(&props, "principalType"));
        put(
            &mut state,
            "delegated_managed_identity_resource_id",
            jtext(&props, "delegatedManagedIdentityResourceId"),
        );
        put(&mut state, "description", jtext(&props, "description"));
        put(&mut state, "condition", jtext(&props, "condition"));
        put(
            &mut state,
            "condition_version",
            jtext(&props, "conditionVersion"),
        );
        if !role_id.is_empty() {
            let role_path = if role_id.starts_with('/') {
                role_id.clone()
            } else {
                format!("/{role_id}")
            };
            let role = ctx
                .client
                .get(&role_path, DEFINITIONS_API_VERSION)
                .await
                .map_err(|e| e.diagnostics("retrieving the Role Definition", &role_id))?;
            if let Some(role) = role {
                put(
                    &mut state,
                    "role_definition_name",
                    jtext(&role, "properties.roleName"),
                );
            }
        }
        Ok(Value::object(state))
    }
}

#[async_trait::async_trait]
impl ResourceType for RoleAssignment {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let set = |name: &str| {
            let v = attribute(config, name);
            !v.is_known() || !v.is_null()
        };
        if set("role_definition_id") == set("role_definition_name") {
            return error(
                "Invalid combination of arguments",
                "exactly one of `role_definition_id` and `role_definition_name` must be specified",
            );
        }
        let scope = attribute(config, "scope");
        if let Some(scope) = scope.as_str() {
            if !scope.starts_with('/') {
                return error(
                    "Invalid scope",
                    format!("`scope` must be a resource ID (starting with `/`), not {scope:?}"),
                );
            }
        }
        let name = attribute(config, "name");
        if let Some(name) = name.as_str() {
            if uuid::Uuid::parse_str(name).is_err() {
                return error(
                    "Invalid name",
                    format!("`name` must be a UUID, not {name:?}"),
                );
            }
        }
        if let Some(kind) = attribute(config, "principal_type").as_str() {
            if !["User", "Group", "ServicePrincipal"].contains(&kind) {
                return error(
                    "Invalid principal_type",
                    format!("expected `principal_type` to be one of [\"User\" \"Group\" \"ServicePrincipal\"], got {kind}"),
                );
            }
        }
        Diagnostics::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> Result<Value, Diagnostics> {
        let create_timeout = timeout(planned, "create", self.def.timeouts.create);
        let deadline = Instant::now() + create_timeout;
        let scope = text(planned, "scope");
        let mut role_id = text(planned, "role_definition_id");
        let role_name = text(planned, "role_definition_name");
        if !role_name.is_empty() {
            role_id = self.role_definition_id(ctx, &scope, &role_name).await?;
        }
        let name = match text(planned, "name") {
            n if n.is_empty() => uuid::Uuid::new_v4().to_string(),
            n => n,
        };
        let delegated = text(planned, "delegated_managed_identity_resource_id");
        let tenant = if delegated.is_empty() {
            None
        } else {
            Some(self.subscription_tenant(ctx).await?)
        };
        let id = AssignmentId {
            scope: scope.clone(),
            name,
            tenant,
        };
        let arm_id = id.arm_id();
        if !ctx.features.skip_import_check
            && ctx
                .client
                .get(&arm_id, ASSIGNMENTS_API_VERSION)
                .await
                .map_err(|e| e.diagnostics("checking for an existing", &arm_id))?
                .is_some()
        {
            return Err(already_exists(self.def.name, &id.id()));
        }
        let mut props = json!({
            "roleDefinitionId": role_id,
            "principalId": text(planned, "principal_id"),
            "description": text(planned, "description"),
        });
        if !delegated.is_empty() {
            props["delegatedManagedIdentityResourceId"] = json!(delegated);
        }
        let condition = text(planned, "condition");
        let condition_version = text(planned, "condition_version");
        match (condition.is_empty(), condition_version.is_empty()) {
            (false, false) => {
                props["condition"] = json!(condition);
                props["conditionVersion"] = json!(condition_version);
            }
            (false, true) => {
                props["condition"] = json!(condition);
                props["conditionVersion"] = json!("2.0");
            }
            (true, false) => {
                return Err(error(
                    "Invalid role assignment",
                    "`condition_version` should not be set without `condition`",
                ))
            }
            (true, true) => {}
        }
        if attribute(planned, "skip_service_principal_aad_check").as_bool() == Some(true) {
            props["principalType"] = json!("ServicePrincipal");
        }
        let principal_type = text(planned, "principal_type");
        if !principal_type.is_empty() {
            props["principalType"] = json!(principal_type);
        }
        let body = json!({ "properties": props });
        let created = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match ctx
                .client
                .put(&arm_id, ASSIGNMENTS_API_VERSION, &[], &body, remaining)
                .await
            {
                Ok(created) => break created,
                Err(e)
                    if e.code() == Some("PrincipalNotFound")
                        && Instant::now() + PRINCIPAL_RETRY_DELAY < deadline =>
                {
                    tokio::time::sleep(PRINCIPAL_RETRY_DELAY).await;
                }
                Err(e) => return Err(e.diagnostics("creating", &arm_id)),
            }
        };
        self.state_of(ctx, &id, &created, planned).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let id = AssignmentId::parse(&text(state, "id"))
            .map_err(|e| error("Invalid role assignment ID", e))?;
        let arm_id = id.arm_id();
        let body = ctx
            .client
            .get(&arm_id, ASSIGNMENTS_API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &arm_id))?;
        match body {
            Some(body) => Ok(Some(self.state_of(ctx, &id, &body, state).await?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value) -> Result<(), Diagnostics> {
        let id = AssignmentId::parse(&text(state, "id"))
            .map_err(|e| error("Invalid role assignment ID", e))?;
        let arm_id = id.arm_id();
        ctx.client
            .delete(
                &arm_id,
                ASSIGNMENTS_API_VERSION,
                timeout(state, "delete", self.def.timeouts.delete),
            )
            .await
            .map_err(|e| e.diagnostics("deleting", &arm_id))
    }

    fn import(&self, _ctx: &Ctx<'_>, id: &str) -> Result<Value, Diagnostics> {
        let parsed = AssignmentId::parse(id).map_err(|e| error("Invalid import ID", e))?;
        let mut state = null_object(&self.def.full_block());
        state.insert("id".into(), Value::string(parsed.id()));
        Ok(Value::object(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_ids() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr/providers/Microsoft.Authorization/roleAssignments/0f4d8a9c-7d8b-4b1e-9f3a-2b6c7d8e9f01";
        let parsed = AssignmentId::parse(id).unwrap();
        assert_eq!(
            parsed.scope,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr"
        );
        assert_eq!(parsed.name, "0f4d8a9c-7d8b-4b1e-9f3a-2b6c7d8e9f01");
        assert_eq!(parsed.id(), id);
        let delegated = AssignmentId::parse(&format!("{id}|tenant-1")).unwrap();
        assert_eq!(delegated.tenant.as_deref(), Some("tenant-1"));
        assert_eq!(delegated.arm_id(), id);
        let root =
            AssignmentId::parse("/providers/Microsoft.Authorization/roleAssignments/a").unwrap();
        assert_eq!(root.scope, "/");
        assert_eq!(
            root.arm_id(),
            "/providers/Microsoft.Authorization/roleAssignments/a"
        );
        assert!(AssignmentId::parse("/subscriptions/s/resourceGroups/rg").is_err());
        assert!(AssignmentId::parse(&format!("{id}|a|b")).is_err());
        assert!(AssignmentId::parse(
            "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/"
        )
        .is_err());
    }

    #[test]
    fn scopes_keep_azurerm_casing() {
        assert_eq!(
            normalize_scope("/subscriptions/s/resourcegroups/rg"),
            "/subscriptions/s/resourceGroups/rg"
        );
        assert_eq!(normalize_scope("/subscriptions/s"), "/subscriptions/s");
    }
}
