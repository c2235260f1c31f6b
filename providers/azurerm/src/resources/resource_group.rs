//! Resource groups: the `azurerm_resource_group` resource (updated with PATCH; deletion
//! refused while the group still holds resources, unless the provider's
//! `features.resource_group.prevent_deletion_if_contains_resources` is false) and the
//! `azurerm_resource_group` data source.

use crate::framework::common::{location, location_computed, tags, tags_computed};
use crate::framework::id::IdTemplate;
use crate::framework::mapping::flatten_object;
use crate::framework::schema::{block_def, string, BlockDef};
use crate::framework::{
    attribute, error, Ctx, DataSourceType, ResourceDef, ResourceType, Timeouts, Update,
};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::Value;

const API_VERSION: &str = "2023-07-01";
/// The api-version azurerm lists a group's resources with.
const RESOURCES_API_VERSION: &str = "2022-09-01";

pub const RESOURCE_GROUP_ID: IdTemplate = IdTemplate::new(
    "Resource Group",
    "/subscriptions/{subscription_id}/resourceGroups/{name}",
);

/// `azurerm_resource_group`.
pub struct ResourceGroup {
    def: ResourceDef,
}

impl ResourceGroup {
    pub fn new() -> ResourceGroup {
        ResourceGroup {
            def: ResourceDef {
                name: "azurerm_resource_group",
                schema_version: 0,
                block: block_def(
                    vec![
                        string("name").required().force_new(),
                        location(),
                        tags(),
                        string("managed_by").optional().arm("managedBy"),
                    ],
                    vec![],
                ),
                api_version: API_VERSION,
                id: RESOURCE_GROUP_ID,
                timeouts: Timeouts::minutes(90, 5, Some(90), 90),
                update: Update::Patch,
                put_query: &[],
            },
        }
    }
}

#[async_trait::async_trait]
impl ResourceType for ResourceGroup {
    fn def(&self) -> &ResourceDef {
        &self.def
    }

    async fn before_delete(&self, ctx: &Ctx<'_>, id: &str) -> Result<(), Diagnostics> {
        if !ctx
            .features
            .prevent_resource_group_deletion_if_contains_resources
        {
            return Ok(());
        }
        let resources = match ctx
            .client
            .list(&format!("{id}/resources"), RESOURCES_API_VERSION)
            .await
        {
            Ok(resources) => resources,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.diagnostics("listing the resources of", id)),
        };
        if resources.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = resources
            .iter()
            .filter_map(|r| r.get("id").and_then(serde_json::Value::as_str))
            .map(|r| format!("* `{r}`"))
            .collect();
        Err(error(
            format!("deleting Resource Group {id:?}: the Resource Group still contains Resources."),
            format!(
                "Terraform is configured to check for Resources within the Resource Group when deleting the Resource Group - and raise an error if nested Resources still exist to avoid data loss.\n\nThis Resource Group contains the following Resources:\n\n{}\n\nThese Resources are not managed by Terraform, or are managed elsewhere. Delete them first, or set `prevent_deletion_if_contains_resources` to `false` in the `resource_group` block of the provider's `features` block.",
                listed.join("\n")
            ),
        ))
    }
}

/// The `azurerm_resource_group` data source.
pub struct ResourceGroupData;

impl ResourceGroupData {
    fn mapped() -> BlockDef {
        block_def(
            vec![
                location_computed(),
                tags_computed(),
                string("managed_by").computed().arm("managedBy"),
            ],
            vec![],
        )
    }
}

#[async_trait::async_trait]
impl DataSourceType for ResourceGroupData {
    fn name(&self) -> &'static str {
        "azurerm_resource_group"
    }

    fn block(&self) -> BlockDef {
        let mut block = ResourceGroupData::mapped();
        block.attrs.insert(0, string("name").required());
        block
    }

    async fn read(
        &self,
        ctx: &Ctx<'_>,
        config: &Value,
    ) -> Result<BTreeMap<String, Value>, Diagnostics> {
        let name = attribute(config, "name");
        let name = name.as_str().unwrap_or_default();
        let id = RESOURCE_GROUP_ID
            .build(&|n| {
                Some(if n == "name" {
                    name.to_string()
                } else {
                    ctx.client.account.subscription_id.clone()
                })
            })
            .map_err(|e| error("Invalid resource group", e))?;
        let body = ctx
            .client
            .get(&id, API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Resource group not found", format!("{id:?} was not found")))?;
        let mut out = flatten_object(&ResourceGroupData::mapped(), &body)
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        out.insert("id".into(), Value::string(id));
        out.insert("name".into(), Value::string(name));
        Ok(out)
    }
}
