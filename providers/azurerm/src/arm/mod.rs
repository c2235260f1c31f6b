//! Access to Azure Resource Manager: the cloud's endpoints ([`cloud`]), credentials and token
//! caching ([`credentials`]), the in-process simulator ([`simulator`]), requests with retries
//! and a concurrency limit ([`transport`], [`retry`]), the long-running-operation contract
//! ([`lro`]) and ARM's errors as diagnostics ([`error`]).
//!
//! [`ArmClient`] is what resources use: `get` (a 404 is `Ok(None)`), `put`/`patch` (follow the
//! operation, then read the resource back), `delete` (follow the operation; gone already is
//! fine), `post` (actions such as `listKeys`) and `list` (following `nextLink`).

pub mod cloud;
pub mod credentials;
pub mod error;
pub mod lro;
pub mod retry;
pub mod simulator;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod tests;
pub mod transport;

use azure_core::credentials::TokenCredential;
use azure_core::http::{Method, Url};
use error::ArmError;
use lro::PollPolicy;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;
use transport::{Answer, Outgoing, Transport};

/// The identity the provider acts as, for `azurerm_client_config` and IDs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Account {
    pub subscription_id: String,
    pub tenant_id: String,
    pub client_id: String,
    pub object_id: String,
}

/// A client of one cloud's ARM, authenticated.
#[derive(Clone)]
pub struct ArmClient {
    transport: Transport,
    credential: Arc<dyn TokenCredential>,
    scope: String,
    endpoint: Url,
    poll: PollPolicy,
    locks: Locks,
    user_agent: String,
    pub account: Account,
}

impl std::fmt::Debug for ArmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArmClient")
            .field("endpoint", &self.endpoint.as_str())
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl ArmClient {
    /// A client of the resource manager at `endpoint`, with tokens for `scope`.
    pub fn new(
        transport: Transport,
        credential: Arc<dyn TokenCredential>,
        endpoint: Url,
        scope: String,
        account: Account,
    ) -> ArmClient {
        ArmClient {
            transport,
            credential,
            scope,
            endpoint,
            poll: PollPolicy::default(),
            locks: Locks::default(),
            user_agent: format!("terrane/{} (azurerm)", env!("CARGO_PKG_VERSION")),
            account,
        }
    }

    /// The same client, polling operations as `poll` says.
    pub fn with_poll_policy(mut self, poll: PollPolicy) -> ArmClient {
        self.poll = poll;
        self
    }

    /// The same client, identifying itself (`User-Agent`) with `product` as well.
    pub fn with_user_agent(mut self, product: &str) -> ArmClient {
        self.user_agent = format!("{} {product}", self.user_agent);
        self
    }

    /// The same client (credential, token cache, transport), with tokens for another
    /// audience's `scope`: a data plane such as key vault's (`https://vault.azure.net/.default`).
    pub fn with_scope(&self, scope: &str) -> ArmClient {
        ArmClient {
            scope: scope.to_string(),
            ..self.clone()
        }
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The named locks serialising operations on shared parents (a virtual network's subnets,
    /// a NAT gateway's associations), as azurerm's `locks.ByName` does.
    pub fn locks(&self) -> &Locks {
        &self.locks
    }

    /// A token for ARM (cached by the credential).
    pub async fn token(&self) -> Result<String, ArmError> {
        self.credential
            .get_token(&[self.scope.as_str()], None)
            .await
            .map(|t| t.token.secret().to_string())
            .map_err(|e| ArmError::Credential(e.to_string()))
    }

    /// The URL of an ARM path (an ID, or an ID with an action) with its api-version and any
    /// extra query parameters.
    pub fn url(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Url, ArmError> {
        let mut url = self.endpoint.clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", api_version);
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Sends one authenticated request (with retries); the answer whatever its status.
    pub async fn request(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Json>,
    ) -> Result<Answer, ArmError> {
        let token = self.token().await?;
        let mut outgoing = Outgoing::new(method, url.clone())
            .header("authorization", format!("Bearer {token}"))
            .header("accept", "application/json")
            .header("user-agent", self.user_agent.clone())
            .header(
                "x-ms-correlation-request-id",
                uuid::Uuid::new_v4().to_string(),
            );
        if let Some(body) = body {
            outgoing = outgoing.json_body(body);
        }
        self.transport.send(&outgoing).await
    }

    /// Reads an object: `Ok(None)` when ARM says it does not exist.
    pub async fn get(&self, id: &str, api_version: &str) -> Result<Option<Json>, ArmError> {
        let url = self.url(id, api_version, &[])?;
        let answer = self.request(Method::Get, &url, None).await?;
        match answer.status {
            404 => Ok(None),
            _ if answer.is_success() => answer.json().map(Some),
            _ => Err(answer.error()),
        }
    }

    /// Creates or replaces an object, follows its operation, and reads it back.
    pub async fn put(
        &self,
        id: &str,
        api_version: &str,
        query: &[(&str, &str)],
        body: &Json,
        timeout: Duration,
    ) -> Result<Json, ArmError> {
        self.write(Method::Put, id, api_version, query, body, timeout)
            .await
    }

    /// Updates an object in part, follows its operation, and reads it back.
    pub async fn patch(
        &self,
        id: &str,
        api_version: &str,
        body: &Json,
        timeout: Duration,
    ) -> Result<Json, ArmError> {
        self.write(Method::Patch, id, api_version, &[], body, timeout)
            .await
    }

    async fn write(
        &self,
        method: Method,
        id: &str,
        api_version: &str,
        query: &[(&str, &str)],
        body: &Json,
        timeout: Duration,
    ) -> Result<Json, ArmError> {
        let deadline = Instant::now() + timeout;
        let url = self.url(id, api_version, query)?;
        let answer = self.request(method, &url, Some(body)).await?;
        if !answer.is_success() {
            return Err(answer.error());
        }
        self.wait_for_operation(method, &answer, deadline).await?;
        let read_url = self.url(id, api_version, &[])?;
        match self.wait_until_provisioned(&read_url, deadline).await? {
            Some(body) => Ok(body),
            None => Err(ArmError::InvalidResponse(format!(
                "{id} was not found right after it was written"
            ))),
        }
    }

    /// Deletes an object and follows its operation; an object that is already gone is fine.
    pub async fn delete(
        &self,
        id: &str,
        api_version: &str,
        timeout: Duration,
    ) -> Result<(), ArmError> {
        let deadline = Instant::now() + timeout;
        let url = self.url(id, api_version, &[])?;
        let answer = self.request(Method::Delete, &url, None).await?;
        match answer.status {
            404 | 204 => Ok(()),
            _ if answer.is_success() => self
                .wait_for_operation(Method::Delete, &answer, deadline)
                .await
                .map(drop),
            _ => Err(answer.error()),
        }
    }

    /// Invokes an action (`.../listKeys`), following its operation; the action's result.
    pub async fn post(
        &self,
        path: &str,
        api_version: &str,
        body: Option<&Json>,
        timeout: Duration,
    ) -> Result<Json, ArmError> {
        let deadline = Instant::now() + timeout;
        let url = self.url(path, api_version, &[])?;
        let answer = self.request(Method::Post, &url, body).await?;
        if !answer.is_success() {
            return Err(answer.error());
        }
        if answer.status == 202 || answer.header("azure-asyncoperation").is_some() {
            let result = self
                .wait_for_operation(Method::Post, &answer, deadline)
                .await?;
            return Ok(result.unwrap_or(Json::Null));
        }
        answer.json()
    }

    /// Every item of a collection, following `nextLink`.
    pub async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Json>, ArmError> {
        let mut items = Vec::new();
        let mut url = self.url(path, api_version, &[])?;
        loop {
            let answer = self.request(Method::Get, &url, None).await?;
            if !answer.is_success() {
                return Err(answer.error());
            }
            let page = answer.json()?;
            if let Some(values) = page.get("value").and_then(Json::as_array) {
                items.extend(values.iter().cloned());
            }
            match page.get("nextLink").and_then(Json::as_str) {
                Some(next) if !next.is_empty() => {
                    url = self.endpoint.join(next).map_err(|e| {
                        ArmError::InvalidResponse(format!("invalid nextLink {next:?}: {e}"))
                    })?;
                    cloud::check_scheme(&url).map_err(ArmError::InvalidResponse)?;
                }
                _ => return Ok(items),
            }
        }
    }
}

/// Locks by name, held across a whole operation (lock names are compared case-insensitively,
/// as ARM names are).
#[derive(Clone, Debug, Default)]
pub struct Locks {
    named: Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Locks {
    /// Takes every named lock, in a fixed order (so two operations taking overlapping sets
    /// cannot deadlock); they are released when the guards are dropped.
    pub async fn lock(&self, names: &[String]) -> Vec<OwnedMutexGuard<()>> {
        let mut names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        let mutexes: Vec<Arc<tokio::sync::Mutex<()>>> = {
            let mut named = self
                .named
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            names
                .iter()
                .map(|n| named.entry(n.clone()).or_default().clone())
                .collect()
        };
        let mut guards = Vec::with_capacity(mutexes.len());
        for m in mutexes {
            guards.push(m.lock_owned().await);
        }
        guards
    }
}
