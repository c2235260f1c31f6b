//! Getting access tokens for ARM, the ways the azurerm provider authenticates, tried in its
//! order: a client secret; OIDC / workload identity federation (an ID token given directly or
//! in a file, or fetched from Azure DevOps' or GitHub's OIDC endpoint) exchanged as a client
//! assertion; a managed identity (IMDS or a custom endpoint); the Azure CLI.
//!
//! Every credential implements azure_core's [`TokenCredential`], and tokens are cached and
//! renewed before they expire by [`CachedCredential`]. The Azure CLI credential is
//! azure_identity's own. The others are implemented here on azure_core's HTTP client rather
//! than with azure_identity's `ClientSecretCredential`, `ClientAssertionCredential` and
//! `ManagedIdentityCredential`, because those refuse authority hosts that are not https (so
//! they cannot reach the simulator's loopback token endpoint), always ask IMDS at
//! 169.254.169.254 (no `msi_endpoint`), and do not take Azure DevOps' service-connection
//! flow as azurerm configures it.

use super::transport::{Outgoing, Transport};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::{Method, Url};
use azure_core::time::{Duration as TimeDuration, OffsetDateTime};
use base64::Engine;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The default IMDS token endpoint.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";
const IMDS_API_VERSION: &str = "2018-02-01";
const ADO_OIDC_API_VERSION: &str = "7.1";
const FEDERATION_AUDIENCE: &str = "api://AzureADTokenExchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Everything the provider block (or the environment) says about authentication.
#[derive(Clone, Default)]
pub struct AuthSettings {
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_certificate_configured: bool,
    pub use_oidc: bool,
    pub oidc_token: Option<String>,
    pub oidc_token_file_path: Option<String>,
    pub oidc_request_url: Option<String>,
    pub oidc_request_token: Option<String>,
    pub ado_pipeline_service_connection_id: Option<String>,
    pub use_msi: bool,
    pub msi_endpoint: Option<String>,
    pub msi_api_version: Option<String>,
    pub use_cli: bool,
    /// The subscription, for the Azure CLI to pick the matching account.
    pub subscription_id: Option<String>,
}

impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "(set)"),
            )
            .field("use_oidc", &self.use_oidc)
            .field("use_msi", &self.use_msi)
            .field("use_cli", &self.use_cli)
            .finish_non_exhaustive()
    }
}

/// Which way the provider authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecret,
    OidcToken,
    OidcTokenFile,
    AzureDevOpsOidc,
    GitHubOidc,
    ManagedIdentity,
    AzureCli,
}

/// Chooses the way to authenticate as azurerm does (the first that is enabled and configured
/// enough) and builds its credential, cached.
pub fn credential(
    settings: &AuthSettings,
    cloud: &super::cloud::Cloud,
    transport: &Transport,
) -> Result<(Arc<dyn TokenCredential>, AuthMethod), String> {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let tenant = settings.tenant_id.as_deref().unwrap_or_default();
    let client = settings.client_id.as_deref().unwrap_or_default();
    let service_principal = set(&settings.tenant_id) && set(&settings.client_id);
    let client_credentials = |proof: Proof| -> Result<Arc<dyn TokenCredential>, String> {
        Ok(Arc::new(ClientCredentials {
            transport: transport.clone(),
            token_url: cloud.token_url(tenant)?,
            client_id: client.to_string(),
            proof,
        }))
    };
    let (inner, method): (Arc<dyn TokenCredential>, AuthMethod) = if service_principal
        && set(&settings.client_secret)
    {
        let secret = settings.client_secret.clone().unwrap_or_default();
        (
            client_credentials(Proof::Secret(secret))?,
            AuthMethod::ClientSecret,
        )
    } else if settings.use_oidc && service_principal && set(&settings.oidc_token) {
        let token = settings.oidc_token.clone().unwrap_or_default();
        (
            client_credentials(Proof::Assertion(AssertionSource::Token(token)))?,
            AuthMethod::OidcToken,
        )
    } else if settings.use_oidc && service_principal && set(&settings.oidc_token_file_path) {
        let path = PathBuf::from(settings.oidc_token_file_path.clone().unwrap_or_default());
        (
            client_credentials(Proof::Assertion(AssertionSource::File(path)))?,
            AuthMethod::OidcTokenFile,
        )
    } else if settings.use_oidc
        && service_principal
        && set(&settings.ado_pipeline_service_connection_id)
        && set(&settings.oidc_request_url)
        && set(&settings.oidc_request_token)
    {
        let source = AssertionSource::AzureDevOps {
            url: request_url(settings)?,
            token: settings.oidc_request_token.clone().unwrap_or_default(),
            service_connection_id: settings
                .ado_pipeline_service_connection_id
                .clone()
                .unwrap_or_default(),
        };
        (
            client_credentials(Proof::Assertion(source))?,
            AuthMethod::AzureDevOpsOidc,
        )
    } else if settings.use_oidc
        && service_principal
        && set(&settings.oidc_request_url)
        && set(&settings.oidc_request_token)
    {
        let source = AssertionSource::GitHub {
            url: request_url(settings)?,
            token: settings.oidc_request_token.clone().unwrap_or_default(),
        };
        (
            client_credentials(Proof::Assertion(source))?,
            AuthMethod::GitHubOidc,
        )
    } else if settings.use_msi {
        let endpoint = settings
            .msi_endpoint
            .clone()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| IMDS_ENDPOINT.to_string());
        let endpoint =
            Url::parse(&endpoint).map_err(|e| format!("invalid msi_endpoint {endpoint:?}: {e}"))?;
        (
            Arc::new(ManagedIdentity {
                transport: transport.clone(),
                endpoint,
                api_version: settings
                    .msi_api_version
                    .clone()
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| IMDS_API_VERSION.to_string()),
                client_id: settings.client_id.clone().filter(|c| !c.is_empty()),
                resource: cloud.audience.clone(),
            }),
            AuthMethod::ManagedIdentity,
        )
    } else if settings.use_cli {
        let options = azure_identity::AzureCliCredentialOptions {
            tenant_id: settings.tenant_id.clone().filter(|t| !t.is_empty()),
            subscription: settings.subscription_id.clone().filter(|s| !s.is_empty()),
            ..Default::default()
        };
        let cli = azure_identity::AzureCliCredential::new(Some(options))
            .map_err(|e| format!("configuring Azure CLI authentication: {e}"))?;
        (cli, AuthMethod::AzureCli)
    } else if settings.client_certificate_configured {
        return Err("authenticating with a client certificate is not supported by terrane's azurerm provider; use a client secret, OIDC, a managed identity or the Azure CLI".into());
    } else {
        return Err("no way to authenticate was configured: set a client secret (client_id, client_secret, tenant_id), enable OIDC (use_oidc with an OIDC token or request URL), a managed identity (use_msi) or the Azure CLI (use_cli)".into());
    };
    Ok((Arc::new(CachedCredential::new(inner)), method))
}

fn request_url(settings: &AuthSettings) -> Result<Url, String> {
    let text = settings.oidc_request_url.clone().unwrap_or_default();
    let url = Url::parse(&text).map_err(|e| format!("invalid oidc_request_url: {e}"))?;
    super::cloud::check_scheme(&url)?;
    Ok(url)
}

fn credential_error(message: impl Into<String>) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message.into())
}

/// A token response of the OAuth token endpoint or of a managed identity endpoint.
fn access_token(json: &Json) -> azure_core::Result<AccessToken> {
    let token = json
        .get("access_token")
        .and_then(Json::as_str)
        .ok_or_else(|| credential_error("the token response has no access_token"))?;
    let seconds = |name: &str| -> Option<i64> {
        match json.get(name)? {
            Json::Number(n) => n.as_i64(),
            Json::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let now = OffsetDateTime::now_utc();
    let expires_on = match (seconds("expires_in"), seconds("expires_on")) {
        (Some(in_seconds), _) => now + TimeDuration::seconds(in_seconds),
        (None, Some(at)) => OffsetDateTime::from_unix_timestamp(at)
            .map_err(|e| credential_error(format!("invalid expires_on: {e}")))?,
        (None, None) => now + TimeDuration::hours(1),
    };
    Ok(AccessToken::new(Secret::new(token.to_string()), expires_on))
}

/// The error an identity endpoint answered with, without anything secret: its `error` (an
/// OAuth error name, or an ARM-style envelope) and `error_description`, or the status alone.
fn token_endpoint_error(what: &str, answer: &super::transport::Answer) -> azure_core::Error {
    let json = answer.json().ok().unwrap_or(Json::Null);
    let error = match json.get("error") {
        Some(Json::String(name)) => name.clone(),
        Some(envelope) => super::error::envelope(envelope)
            .map(|(code, message)| format!("{code}: {message}"))
            .unwrap_or_default(),
        None => String::new(),
    };
    let description = json
        .get("error_description")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let mut text = format!("{what} answered status {}", answer.status);
    for part in [error.as_str(), description] {
        if !part.is_empty() {
            text.push_str(": ");
            text.push_str(part);
        }
    }
    credential_error(text)
}

/// How a service principal proves who it is.
enum Proof {
    Secret(String),
    Assertion(AssertionSource),
}

/// Where a federated ID token (the client assertion) comes from.
enum AssertionSource {
    Token(String),
    File(PathBuf),
    AzureDevOps {
        url: Url,
        token: String,
        service_connection_id: String,
    },
    GitHub {
        url: Url,
        token: String,
    },
}

/// The OAuth 2.0 client credentials grant against Entra ID's v2 token endpoint.
struct ClientCredentials {
    transport: Transport,
    token_url: Url,
    client_id: String,
    proof: Proof,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    async fn assertion(&self, source: &AssertionSource) -> azure_core::Result<String> {
        match source {
            AssertionSource::Token(token) => Ok(token.clone()),
            AssertionSource::File(path) => tokio::fs::read_to_string(path)
                .await
                .map(|t| t.trim().to_string())
                .map_err(|e| {
                    credential_error(format!(
                        "reading the OIDC token file {}: {e}",
                        path.display()
                    ))
                }),
            AssertionSource::AzureDevOps {
                url,
                token,
                service_connection_id,
            } => {
                let mut url = url.clone();
                let has = |name: &str| url.query_pairs().any(|(k, _)| k == name);
                let (has_version, has_connection) =
                    (has("api-version"), has("serviceConnectionId"));
                {
                    let mut query = url.query_pairs_mut();
                    if !has_version {
                        query.append_pair("api-version", ADO_OIDC_API_VERSION);
                    }
                    if !has_connection {
                        query.append_pair("serviceConnectionId", service_connection_id);
                    }
                }
                let request = Outgoing::new(Method::Post, url)
                    .header("accept", "application/json")
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"));
                self.fetch_id_token(&request, "oidcToken", "the Azure DevOps OIDC endpoint")
                    .await
            }
            AssertionSource::GitHub { url, token } => {
                let mut url = url.clone();
                url.query_pairs_mut()
                    .append_pair("audience", FEDERATION_AUDIENCE);
                let request = Outgoing::new(Method::Get, url)
                    .header("accept", "application/json")
                    .header("authorization", format!("Bearer {token}"));
                self.fetch_id_token(&request, "value", "the GitHub OIDC endpoint")
                    .await
            }
        }
    }

    async fn fetch_id_token(
        &self,
        request: &Outgoing,
        field: &str,
        what: &str,
    ) -> azure_core::Result<String> {
        let answer =
            self.transport.send(request).await.map_err(|e| {
                credential_error(format!("requesting an ID token from {what}: {e}"))
            })?;
        if !answer.is_success() {
            return Err(token_endpoint_error(what, &answer));
        }
        answer
            .json()
            .ok()
            .and_then(|j| j.get(field).and_then(Json::as_str).map(str::to_string))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| credential_error(format!("{what} answered without an ID token")))
    }
}

#[async_trait::async_trait]
impl TokenCredential for ClientCredentials {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let scope = scopes.join(" ");
        let assertion;
        let mut fields = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("scope", scope.as_str()),
        ];
        match &self.proof {
            Proof::Secret(secret) => fields.push(("client_secret", secret.as_str())),
            Proof::Assertion(source) => {
                assertion = self.assertion(source).await?;
                fields.push(("client_assertion_type", JWT_BEARER));
                fields.push(("client_assertion", assertion.as_str()));
            }
        }
        let request = Outgoing::new(Method::Post, self.token_url.clone())
            .header("accept", "application/json")
            .form_body(&fields);
        let answer = self.transport.send(&request).await.map_err(|e| {
            credential_error(format!("requesting a token from {}: {e}", self.token_url))
        })?;
        if !answer.is_success() {
            return Err(token_endpoint_error(
                &format!("the token endpoint {}", self.token_url),
                &answer,
            ));
        }
        let json = answer
            .json()
            .map_err(|e| credential_error(format!("reading the token response: {e}")))?;
        access_token(&json)
    }
}

/// A managed identity: the instance metadata service, or a custom endpoint speaking its
/// protocol (`GET ?api-version&resource[&client_id]` with `Metadata: true`).
struct ManagedIdentity {
    transport: Transport,
    endpoint: Url,
    api_version: String,
    client_id: Option<String>,
    resource: String,
}

impl fmt::Debug for ManagedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedIdentity")
            .field("endpoint", &self.endpoint.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenCredential for ManagedIdentity {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let mut url = self.endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("api-version", &self.api_version);
            query.append_pair("resource", &self.resource);
            if let Some(client_id) = &self.client_id {
                query.append_pair("client_id", client_id);
            }
        }
        let request = Outgoing::new(Method::Get, url).header("metadata", "true");
        let answer = self.transport.send(&request).await.map_err(|e| {
            credential_error(format!(
                "requesting a managed identity token from {}: {e}",
                self.endpoint
            ))
        })?;
        if !answer.is_success() {
            return Err(token_endpoint_error(
                &format!("the managed identity endpoint {}", self.endpoint),
                &answer,
            ));
        }
        let json = answer
            .json()
            .map_err(|e| credential_error(format!("reading the token response: {e}")))?;
        access_token(&json)
    }
}

/// How long before its expiry a cached token is renewed.
const RENEW_BEFORE_EXPIRY: TimeDuration = TimeDuration::minutes(5);

/// Caches the tokens of a credential by scope and renews them before they expire. Concurrent
/// requests for a missing token wait for one fetch instead of each asking the endpoint.
pub struct CachedCredential {
    inner: Arc<dyn TokenCredential>,
    tokens: Mutex<HashMap<String, AccessToken>>,
}

impl fmt::Debug for CachedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedCredential")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl CachedCredential {
    pub fn new(inner: Arc<dyn TokenCredential>) -> CachedCredential {
        CachedCredential {
            inner,
            tokens: Mutex::new(HashMap::new()),
        }
    }
}

#[async_trait::async_trait]
impl TokenCredential for CachedCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let key = scopes.join(" ");
        let mut tokens = self.tokens.lock().await;
        if let Some(token) = tokens.get(&key) {
            if token.expires_on - OffsetDateTime::now_utc() > RENEW_BEFORE_EXPIRY {
                return Ok(token.clone());
            }
        }
        let token = self.inner.get_token(scopes, options).await?;
        tokens.insert(key, token.clone());
        Ok(token)
    }
}

/// The claims of a JWT access token (unverified: only to learn who we are, as azurerm does
/// for `azurerm_client_config`). Empty when the token is not a JWT.
pub fn token_claims(token: &str) -> serde_json::Map<String, Json> {
    token
        .split('.')
        .nth(1)
        .and_then(|payload| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload.trim_end_matches('='))
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Json>(&bytes).ok())
        .and_then(|json| json.as_object().cloned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_lifetimes() {
        let t = access_token(&json!({"access_token": "a", "expires_in": "3599"})).unwrap();
        let left = t.expires_on - OffsetDateTime::now_utc();
        assert!(left > TimeDuration::minutes(59) && left <= TimeDuration::minutes(60));
        let t = access_token(&json!({"access_token": "a", "expires_on": 4102444800i64})).unwrap();
        assert_eq!(t.expires_on.unix_timestamp(), 4102444800);
        assert_eq!(t.token.secret(), "a");
        assert!(access_token(&json!({"token_type": "Bearer"})).is_err());
    }

    #[test]
    fn claims_of_a_jwt() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"oid":"o-1","tid":"t-1","appid":"a-1"}"#);
        let claims = token_claims(&format!("h.{payload}.s"));
        assert_eq!(claims["oid"], "o-1");
        assert!(token_claims("not-a-jwt").is_empty());
    }

    #[test]
    fn settings_never_show_secrets() {
        let settings = AuthSettings {
            client_secret: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[derive(Debug)]
    struct Counting(std::sync::atomic::AtomicUsize, i64);

    #[async_trait::async_trait]
    impl TokenCredential for Counting {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(AccessToken::new(
                Secret::new(format!("token-{n}")),
                OffsetDateTime::now_utc() + TimeDuration::seconds(self.1),
            ))
        }
    }

    #[tokio::test]
    async fn cache_reuses_and_renews() {
        let long = Arc::new(Counting(Default::default(), 3600));
        let cached = CachedCredential::new(long.clone());
        let a = cached.get_token(&["s"], None).await.unwrap();
        let b = cached.get_token(&["s"], None).await.unwrap();
        assert_eq!(a.token, b.token);
        cached.get_token(&["other"], None).await.unwrap();
        assert_eq!(long.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        let short = Arc::new(Counting(Default::default(), 60));
        let cached = CachedCredential::new(short.clone());
        let a = cached.get_token(&["s"], None).await.unwrap();
        let b = cached.get_token(&["s"], None).await.unwrap();
        assert_ne!(a.token, b.token, "a token about to expire is renewed");
    }
}
