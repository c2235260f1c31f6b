//! Microsoft.Authorization: role assignments at any scope (the tenant, the subscription, a
//! resource group or a resource) and the built-in role definitions they name.

use crate::arm::{Ctx, Put, Scope};
use crate::http::{ArmError, ArmResult, Request, Response};
use crate::util::{self, set, str_at};
use serde_json::{json, Value};

const ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";

/// Built-in roles: (name, id, description).
const ROLES: &[(&str, &str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC."),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC."),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", "View all resources, but does not allow you to make any changes."),
    ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "Lets you manage user access to Azure resources."),
    ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "acr pull"),
    ("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", "acr push"),
    ("Network Contributor", "4d97b98b-1d4f-4787-a291-c67834d212e7", "Lets you manage networks, but not access to them."),
    ("Private DNS Zone Contributor", "b12aa53e-6015-4669-85d0-8515ebb3ae7f", "Lets you manage private DNS zone resources, but not the virtual networks they are linked to."),
    ("Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483", "Perform all data plane operations on a key vault and all objects in it."),
    ("Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Perform any action on the secrets of a key vault, except manage permissions."),
    ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Read secret contents."),
    ("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "Read, write, and delete Azure Storage containers and blobs."),
    ("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "Read and list Azure Storage containers and blobs."),
    ("Azure Kubernetes Service Cluster User Role", "4abbcc35-e782-43d8-92c5-2d3f1bd2253f", "List cluster user credential action."),
    ("Azure Kubernetes Service Cluster Admin Role", "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8", "List cluster admin credential action."),
    ("Azure Kubernetes Service RBAC Cluster Admin", "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", "Lets you manage all resources in the cluster."),
    ("Azure Kubernetes Service RBAC Admin", "3498e952-d568-435e-9b2c-8d77e338d7f7", "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces."),
    ("Managed Identity Operator", "f1a07417-d97a-45cb-824c-7a7467783830", "Read and Assign User Assigned Identity"),
    ("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", "Enables publishing metrics against Azure resources"),
];

pub(crate) fn check_name(name: &str) -> ArmResult<()> {
    if util::is_uuid(name) {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!("The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."),
        ))
    }
}

fn role_by_id(id: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let guid = id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    ROLES.iter().find(|r| r.1.eq_ignore_ascii_case(guid))
}

fn definition_document(scope_id: &str, role: &(&str, &str, &str)) -> Value {
    let (name, id, description) = role;
    json!({
        "id": format!("{scope_id}/providers/Microsoft.Authorization/roleDefinitions/{id}"),
        "name": id,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": description,
            "assignableScopes": ["/"],
            "permissions": [{"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": []}],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
        }
    })
}

/// `GET {scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}]`, with the
/// `$filter=roleName eq '...'` lookup azurerm makes by role name.
pub(crate) fn role_definitions(
    _ctx: &mut Ctx,
    req: &Request,
    scope: &Scope,
    rest: &[String],
) -> ArmResult<Response> {
    if req.method != "GET" {
        return Err(ArmError::new(
            405,
            "MethodNotAllowed",
            "Custom role definitions are not supported by the simulator.",
        ));
    }
    if req.query("api-version").is_none() {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    match rest {
        [] => {
            let filter = req.query("$filter").unwrap_or_default();
            let wanted_name = filter
                .split_once("roleName eq '")
                .and_then(|(_, rest)| rest.split_once('\''))
                .map(|(name, _)| name.to_string());
            let value: Vec<Value> = ROLES
                .iter()
                .filter(|r| {
                    wanted_name
                        .as_ref()
                        .is_none_or(|n| n.eq_ignore_ascii_case(r.0))
                })
                .map(|r| definition_document(&scope.id, r))
                .collect();
            Ok(Response::json(200, &json!({ "value": value })))
        }
        [id] => role_by_id(id)
            .map(|r| Response::json(200, &definition_document(&scope.id, r)))
            .ok_or_else(|| {
                ArmError::not_found(
                    "RoleDefinitionDoesNotExist",
                    format!("The specified role definition with ID '{id}' does not exist."),
                )
            }),
        _ => Err(ArmError::not_found(
            "NotFound",
            "No HTTP resource was found that matches the request URI.",
        )),
    }
}

pub(crate) fn prepare(ctx: &mut Ctx, put: &mut Put) -> ArmResult<()> {
    if put.kind != ASSIGNMENT {
        return Ok(());
    }
    let check = put.check();
    let role_id = check
        .required_str("properties.roleDefinitionId")?
        .to_string();
    let role = role_by_id(&role_id).ok_or_else(|| {
        ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!(
                "The specified role definition with ID '{}' does not exist.",
                role_id.rsplit('/').next().unwrap_or_default()
            ),
        )
    })?;
    let principal = check.required_str("properties.principalId")?.to_string();
    if !util::is_uuid(&principal) {
        return Err(ArmError::bad_request(
            "InvalidPrincipalId",
            format!("A valid principal ID must be provided for role assignment: '{principal}' is not a GUID."),
        ));
    }
    check.one_of(
        "properties.principalType",
        &[
            "User",
            "Group",
            "ServicePrincipal",
            "ForeignGroup",
            "Device",
        ],
    )?;
    let scope_id = if put.scope.id.is_empty() {
        "/".to_string()
    } else {
        put.scope.id.clone()
    };
    let normalized_role = format!(
        "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{}",
        crate::SUBSCRIPTION_ID,
        role.1
    );
    if let Some(old) = &put.old {
        let same = str_at(&old.doc, "properties.principalId")
            .is_some_and(|p| p.eq_ignore_ascii_case(&principal))
            && str_at(&old.doc, "properties.roleDefinitionId")
                .is_some_and(|r| r.eq_ignore_ascii_case(&normalized_role));
        if !same {
            return Err(ArmError::conflict(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
    }
    let duplicate = ctx.store.resources.iter().any(|(k, r)| {
        r.kind == ASSIGNMENT
            && *k != put.key
            && str_at(&r.doc, "properties.scope").is_some_and(|s| s.eq_ignore_ascii_case(&scope_id))
            && str_at(&r.doc, "properties.principalId")
                .is_some_and(|p| p.eq_ignore_ascii_case(&principal))
            && str_at(&r.doc, "properties.roleDefinitionId")
                .is_some_and(|d| d.eq_ignore_ascii_case(&normalized_role))
    });
    if duplicate {
        return Err(ArmError::conflict(
            "RoleAssignmentExists",
            "The role assignment already exists.",
        ));
    }
    let now = util::timestamp(ctx.now);
    let created = put
        .old_at("properties.createdOn")
        .cloned()
        .unwrap_or_else(|| json!(now));
    set(
        &mut put.doc,
        "properties.roleDefinitionId",
        json!(normalized_role),
    );
    set(&mut put.doc, "properties.principalId", json!(principal));
    set(&mut put.doc, "properties.scope", json!(scope_id));
    set(&mut put.doc, "properties.createdOn", created);
    set(&mut put.doc, "properties.updatedOn", json!(now));
    set(
        &mut put.doc,
        "properties.createdBy",
        json!(ctx.caller.object_id),
    );
    set(
        &mut put.doc,
        "properties.updatedBy",
        json!(ctx.caller.object_id),
    );
    crate::util::default(
        &mut put.doc,
        "properties.principalType",
        json!("ServicePrincipal"),
    );
    crate::util::default(&mut put.doc, "properties.condition", Value::Null);
    Ok(())
}

/// Role assignments that apply at a scope: at it, above it and below it; `$filter` may ask
/// for one principal (`principalId eq '...'`, `assignedTo('...')`) or `atScope()`.
pub(crate) fn list_assignments(ctx: &mut Ctx, scope: &Scope, filter: Option<&str>) -> Response {
    let filter = filter.unwrap_or_default();
    let principal = ["principalId eq '", "assignedTo('"].iter().find_map(|p| {
        filter
            .split_once(p)
            .and_then(|(_, rest)| rest.split_once('\''))
            .map(|(id, _)| id.to_string())
    });
    let at_scope_only = filter.contains("atScope()");
    let scope_key = scope.id.to_ascii_lowercase();
    let value: Vec<Value> = ctx
        .store
        .resources
        .values()
        .filter(|r| r.kind == ASSIGNMENT)
        .filter(|r| {
            let assigned = str_at(&r.doc, "properties.scope")
                .unwrap_or("/")
                .to_ascii_lowercase();
            let above = scope_key.starts_with(&assigned) || assigned == "/";
            let below = assigned.starts_with(&scope_key);
            if at_scope_only {
                above
            } else {
                above || below
            }
        })
        .filter(|r| {
            principal.as_ref().is_none_or(|p| {
                str_at(&r.doc, "properties.principalId").is_some_and(|x| x.eq_ignore_ascii_case(p))
            })
        })
        .map(|r| r.doc.clone())
        .collect();
    Response::json(200, &json!({ "value": value }))
}
