//! Who and where the provider is: the `azurerm_client_config` data source (the identity the
//! provider authenticated as) and the `azurerm_subscription` data source.

use crate::framework::common::tags_computed;
use crate::framework::mapping::flatten_object;
use crate::framework::schema::{block_def, string, BlockDef};
use crate::framework::{attribute, error, Ctx, DataSourceType};
use base64::Engine;
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostics;
use terrane_engine::value::Value;

const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

/// The `azurerm_client_config` data source.
pub struct ClientConfig;

#[async_trait::async_trait]
impl DataSourceType for ClientConfig {
    fn name(&self) -> &'static str {
        "azurerm_client_config"
    }

    fn block(&self) -> BlockDef {
        block_def(
            vec![
                string("client_id").computed(),
                string("tenant_id").computed(),
                string("subscription_id").computed(),
                string("object_id").computed(),
            ],
            vec![],
        )
    }

    async fn read(
        &self,
        ctx: &Ctx<'_>,
        _config: &Value,
    ) -> Result<BTreeMap<String, Value>, Diagnostics> {
        let account = &ctx.client.account;
        let id = format!(
            "clientConfigs/clientId={};objectId={};subscriptionId={};tenantId={}",
            account.client_id, account.object_id, account.subscription_id, account.tenant_id
        );
        Ok([
            (
                "id".to_string(),
                Value::string(base64::engine::general_purpose::STANDARD.encode(id)),
            ),
            ("client_id".into(), Value::string(account.client_id.clone())),
            ("object_id".into(), Value::string(account.object_id.clone())),
            (
                "subscription_id".into(),
                Value::string(account.subscription_id.clone()),
            ),
            ("tenant_id".into(), Value::string(account.tenant_id.clone())),
        ]
        .into())
    }
}

/// The `azurerm_subscription` data source.
pub struct Subscription;

impl Subscription {
    fn mapped() -> BlockDef {
        block_def(
            vec![
                string("subscription_id")
                    .optional()
                    .computed()
                    .arm("subscriptionId"),
                string("tenant_id").computed().arm("tenantId"),
                string("display_name").computed().arm("displayName"),
                string("state").computed().arm("state"),
                string("location_placement_id")
                    .computed()
                    .arm("subscriptionPolicies.locationPlacementId"),
                string("quota_id")
                    .computed()
                    .arm("subscriptionPolicies.quotaId"),
                string("spending_limit")
                    .computed()
                    .arm("subscriptionPolicies.spendingLimit"),
                tags_computed(),
            ],
            vec![],
        )
    }
}

#[async_trait::async_trait]
impl DataSourceType for Subscription {
    fn name(&self) -> &'static str {
        "azurerm_subscription"
    }

    fn block(&self) -> BlockDef {
        Subscription::mapped()
    }

    async fn read(
        &self,
        ctx: &Ctx<'_>,
        config: &Value,
    ) -> Result<BTreeMap<String, Value>, Diagnostics> {
        let subscription = attribute(config, "subscription_id")
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| ctx.client.account.subscription_id.clone());
        let id = format!("/subscriptions/{subscription}");
        let body = ctx
            .client
            .get(&id, SUBSCRIPTIONS_API_VERSION)
            .await
            .map_err(|e| e.diagnostics("retrieving", &id))?
            .ok_or_else(|| error("Subscription not found", format!("{id} was not found")))?;
        let mut out = flatten_object(&Subscription::mapped(), &body)
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        out.insert("id".into(), Value::string(id));
        Ok(out)
    }
}
