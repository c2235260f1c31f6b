//! Microsoft Entra as the simulator plays it: the OAuth 2.0 token endpoint (client secret and
//! federated client assertions, the flow an Azure DevOps service connection with workload
//! identity federation uses), the managed-identity (IMDS) endpoint, and the check of the bearer
//! tokens ARM requests carry.
//!
//! Tokens are JWTs signed with HMAC-SHA256 under a random key the simulator keeps in its data
//! file: a token is accepted when its signature is the simulator's and it has not expired.
//! Federated assertions are checked loosely, since the simulator cannot know the issuer's
//! keys: a JWT whose audience is `api://AzureADTokenExchange` (or the token endpoint itself),
//! with an issuer and a subject, not expired; its signature is not verified.

use crate::http::{ArmError, Request, Response};
use crate::util::{self, now_ms};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The object id of [`crate::CLIENT_ID`]'s service principal (what `azurerm_client_config`
/// reports as `object_id`).
pub const CLIENT_OBJECT_ID: &str = "7e77a1e0-0000-4000-8000-000000000004";
/// The client id of the managed identity the IMDS endpoint issues tokens for.
pub const MANAGED_IDENTITY_CLIENT_ID: &str = "7e77a1e0-0000-4000-8000-000000000005";
/// The object id of that managed identity.
pub const MANAGED_IDENTITY_OBJECT_ID: &str = "7e77a1e0-0000-4000-8000-000000000006";

/// How long issued tokens live.
const TOKEN_LIFETIME_SECS: i64 = 3599;

/// The audiences ARM accepts (as Azure's, plus the simulator's own address).
pub(crate) fn arm_audiences(base: &str) -> Vec<String> {
    vec![
        "https://management.core.windows.net/".into(),
        "https://management.azure.com/".into(),
        format!("{base}/"),
    ]
}

/// The audience of key vault's data plane.
pub(crate) const VAULT_AUDIENCE: &str = "https://vault.azure.net";

/// Who made a request, from its token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Caller {
    pub app_id: String,
    pub object_id: String,
    /// `Application` or `ManagedIdentity`, as ARM's systemData says.
    pub kind: &'static str,
}

fn sign(key: &str, signing_input: &str) -> Vec<u8> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(key)
        .unwrap_or_default();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap_or_else(|_| {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&[0u8; 32]).expect("32-byte key")
    });
    mac.update(signing_input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Issues a signed access token.
pub(crate) fn issue(key: &str, base: &str, audience: &str, caller: &Caller, now: i64) -> String {
    let now_s = now / 1000;
    let header = json!({"typ": "JWT", "alg": "HS256", "kid": "terrane-simulator"});
    let claims = json!({
        "aud": audience,
        "iss": format!("{base}/{}/", crate::TENANT_ID),
        "iat": now_s,
        "nbf": now_s,
        "exp": now_s + TOKEN_LIFETIME_SECS,
        "appid": caller.app_id,
        "azp": caller.app_id,
        "idtyp": "app",
        "oid": caller.object_id,
        "sub": caller.object_id,
        "tid": crate::TENANT_ID,
        "ver": "1.0",
        "uti": util::random_hex(22),
        "xms_simkind": caller.kind,
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(sign(key, &input));
    format!("{input}.{signature}")
}

/// The claims of a JWT, without checking its signature.
fn claims_of(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Why a token is refused.
#[derive(Debug, PartialEq)]
pub(crate) enum TokenProblem {
    Missing,
    Invalid,
    Expired(i64),
    WrongAudience(String),
}

/// Checks a bearer token: the simulator's signature, not expired, one of the audiences.
pub(crate) fn verify(
    key: &str,
    header: Option<&str>,
    audiences: &[String],
    now: i64,
) -> Result<Caller, TokenProblem> {
    let header = header.ok_or(TokenProblem::Missing)?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or(TokenProblem::Invalid)?
        .trim();
    let (input, signature) = token.rsplit_once('.').ok_or(TokenProblem::Invalid)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenProblem::Invalid)?;
    let key_bytes = base64::engine::general_purpose::STANDARD
        .decode(key)
        .map_err(|_| TokenProblem::Invalid)?;
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&key_bytes).map_err(|_| TokenProblem::Invalid)?;
    mac.update(input.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| TokenProblem::Invalid)?;
    let claims = claims_of(token).ok_or(TokenProblem::Invalid)?;
    let exp = claims["exp"].as_i64().ok_or(TokenProblem::Invalid)?;
    if exp * 1000 <= now {
        return Err(TokenProblem::Expired(exp));
    }
    let audience = claims["aud"].as_str().unwrap_or_default();
    let normal = |a: &str| a.trim_end_matches('/').to_ascii_lowercase();
    if !audiences.iter().any(|a| normal(a) == normal(audience)) {
        return Err(TokenProblem::WrongAudience(audience.to_string()));
    }
    let kind = if claims["xms_simkind"] == "ManagedIdentity" {
        "ManagedIdentity"
    } else {
        "Application"
    };
    Ok(Caller {
        app_id: claims["appid"].as_str().unwrap_or_default().to_string(),
        object_id: claims["oid"].as_str().unwrap_or_default().to_string(),
        kind,
    })
}

/// ARM's 401 for a refused token.
pub(crate) fn arm_refusal(problem: TokenProblem, base: &str, audiences: &[String]) -> ArmError {
    let (code, message) = match problem {
        TokenProblem::Missing => (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.".to_string(),
        ),
        TokenProblem::Invalid => (
            "InvalidAuthenticationToken",
            "The access token is invalid.".to_string(),
        ),
        TokenProblem::Expired(exp) => (
            "ExpiredAuthenticationToken",
            format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                util::timestamp(exp * 1000),
                util::timestamp(now_ms())
            ),
        ),
        TokenProblem::WrongAudience(aud) => (
            "InvalidAuthenticationTokenAudience",
            format!(
                "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences '{}'.",
                audiences.join("','")
            ),
        ),
    };
    ArmError::new(401, code, message.clone()).with_header(
        "WWW-Authenticate",
        format!(
            "Bearer authorization_uri=\"{base}/{}\", error=\"invalid_token\", error_description=\"{message}\"",
            crate::TENANT_ID
        ),
    )
}

/// An Entra error answer (`{"error", "error_description", "error_codes"}`).
fn entra_error(status: u16, error: &str, code: u32, description: &str) -> Response {
    Response::json(
        status,
        &json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}"),
            "error_codes": [code],
            "timestamp": util::timestamp(now_ms()),
            "trace_id": util::new_uuid(),
            "correlation_id": util::new_uuid(),
        }),
    )
}

/// `POST {login}/{tenant}/oauth2/v2.0/token` (and the v1 `oauth2/token`): the client
/// credentials grant, with a client secret or a client assertion.
pub(crate) fn token_endpoint(
    key: &str,
    base: &str,
    tenant: &str,
    v1: bool,
    req: &Request,
) -> Response {
    if req.method != "POST" {
        return entra_error(
            405,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests.",
        );
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
    let param = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    if !tenant.eq_ignore_ascii_case(crate::TENANT_ID) {
        return entra_error(
            400,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        );
    }
    match param("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return entra_error(
                400,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{other}'."),
            )
        }
        None => {
            return entra_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        }
    }
    let Some(client_id) = param("client_id") else {
        return entra_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    if !client_id.eq_ignore_ascii_case(crate::CLIENT_ID) {
        return entra_error(
            400,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'."),
        );
    }
    if let Some(secret) = param("client_secret") {
        if secret != crate::CLIENT_SECRET {
            return entra_error(
                401,
                "invalid_client",
                7000215,
                &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
            );
        }
    } else if let Some(assertion) = param("client_assertion") {
        if param("client_assertion_type")
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return entra_error(
                400,
                "invalid_request",
                700024,
                "The client assertion type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
            );
        }
        if let Err(problem) = check_assertion(assertion, base, tenant, v1) {
            return entra_error(401, "invalid_client", problem.0, &problem.1);
        }
    } else {
        return entra_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    }
    let resource = if v1 {
        param("resource").map(str::to_string)
    } else {
        param("scope").map(|scope| {
            let first = scope.split_whitespace().next().unwrap_or_default();
            first.strip_suffix(".default").unwrap_or(first).to_string()
        })
    };
    let Some(resource) = resource.filter(|r| !r.is_empty()) else {
        return entra_error(
            400,
            "invalid_request",
            90014,
            &format!(
                "The request body must contain the following parameter: '{}'.",
                if v1 { "resource" } else { "scope" }
            ),
        );
    };
    let caller = Caller {
        app_id: crate::CLIENT_ID.into(),
        object_id: CLIENT_OBJECT_ID.into(),
        kind: "Application",
    };
    let now = now_ms();
    let token = issue(key, base, &resource, &caller, now);
    let body = if v1 {
        json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "ext_expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "expires_on": (now / 1000 + TOKEN_LIFETIME_SECS).to_string(),
            "not_before": (now / 1000).to_string(),
            "resource": resource,
            "access_token": token,
        })
    } else {
        json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECS,
            "ext_expires_in": TOKEN_LIFETIME_SECS,
            "access_token": token,
        })
    };
    Response::json(200, &body).with_header("Cache-Control", "no-store, no-cache")
}

/// A federated credential's assertion, checked loosely (see the module's documentation).
fn check_assertion(
    assertion: &str,
    base: &str,
    tenant: &str,
    v1: bool,
) -> Result<(), (u32, String)> {
    let claims = claims_of(assertion).ok_or((
        50027,
        "Invalid JWT token. The token is not in a valid format.".to_string(),
    ))?;
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let endpoint = format!(
        "{base}/{tenant}/oauth2/{}token",
        if v1 { "" } else { "v2.0/" }
    );
    let accepted = |a: &str| {
        a.eq_ignore_ascii_case("api://AzureADTokenExchange")
            || a.trim_end_matches('/').eq_ignore_ascii_case(&endpoint)
    };
    if !audiences.iter().any(|a| accepted(a)) {
        return Err((
            700212,
            "No matching federated identity record found for presented assertion audience. The audience must be 'api://AzureADTokenExchange'.".into(),
        ));
    }
    let non_empty = |name: &str| claims[name].as_str().is_some_and(|v| !v.is_empty());
    if !non_empty("iss") {
        return Err((
            700211,
            "No matching federated identity record found for presented assertion issuer.".into(),
        ));
    }
    if !non_empty("sub") {
        return Err((
            700213,
            "No matching federated identity record found for presented assertion subject.".into(),
        ));
    }
    if let Some(exp) = claims["exp"].as_i64() {
        if exp * 1000 <= now_ms() {
            return Err((
                700024,
                "Client assertion is not within its valid time range.".into(),
            ));
        }
    }
    Ok(())
}

/// `GET /metadata/identity/oauth2/token?api-version=...&resource=...`: the managed identity
/// endpoint of Azure's instance metadata service.
pub(crate) fn imds(key: &str, base: &str, req: &Request) -> Response {
    let imds_error = |status: u16, error: &str, description: &str| {
        Response::json(
            status,
            &json!({"error": error, "error_description": description}),
        )
    };
    if req.header("Metadata") != Some("true") {
        return imds_error(
            400,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    if req.query("api-version").is_none() {
        return imds_error(
            400,
            "invalid_request",
            "Required query variable 'api-version' is missing",
        );
    }
    let Some(resource) = req.query("resource").filter(|r| !r.is_empty()) else {
        return imds_error(
            400,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    let requested = req
        .query("client_id")
        .or_else(|| req.query("object_id"))
        .or_else(|| req.query("principal_id"));
    if let Some(id) = requested {
        if !id.eq_ignore_ascii_case(MANAGED_IDENTITY_CLIENT_ID)
            && !id.eq_ignore_ascii_case(MANAGED_IDENTITY_OBJECT_ID)
        {
            return imds_error(400, "invalid_request", "Identity not found");
        }
    }
    let caller = Caller {
        app_id: MANAGED_IDENTITY_CLIENT_ID.into(),
        object_id: MANAGED_IDENTITY_OBJECT_ID.into(),
        kind: "ManagedIdentity",
    };
    let now = now_ms();
    let token = issue(key, base, resource, &caller, now);
    Response::json(
        200,
        &json!({
            "access_token": token,
            "client_id": MANAGED_IDENTITY_CLIENT_ID,
            "expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "expires_on": (now / 1000 + TOKEN_LIFETIME_SECS).to_string(),
            "ext_expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "not_before": (now / 1000).to_string(),
            "resource": resource,
            "token_type": "Bearer",
        }),
    )
}

/// `GET {login}/{tenant}/v2.0/.well-known/openid-configuration`.
pub(crate) fn openid_configuration(base: &str, tenant: &str) -> Response {
    Response::json(
        200,
        &json!({
            "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "issuer": format!("{base}/{tenant}/v2.0"),
            "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
            "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "tenant_region_scope": "WW",
            "cloud_instance_name": "terrane-simulator",
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    }

    fn post(pairs: &[(&str, &str)]) -> Request {
        let mut req = Request::new("POST", "/t/oauth2/v2.0/token");
        req.body = form(pairs);
        req
    }

    fn assertion(claims: Value) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    const BASE: &str = "http://127.0.0.1:1";

    #[test]
    fn client_secret_grant_issues_a_token_arm_accepts() {
        let key = util::random_key(32);
        let req = post(&[
            ("grant_type", "client_credentials"),
            ("client_id", crate::CLIENT_ID),
            ("client_secret", crate::CLIENT_SECRET),
            ("scope", "https://management.azure.com/.default"),
        ]);
        let response = token_endpoint(&key, BASE, crate::TENANT_ID, false, &req);
        assert_eq!(response.status, 200);
        let token = response.body_json()["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let header = format!("Bearer {token}");
        let caller = verify(&key, Some(&header), &arm_audiences(BASE), now_ms()).unwrap();
        assert_eq!(caller.object_id, CLIENT_OBJECT_ID);
        // Another simulator's key, an altered token, a later clock, another audience: refused.
        let other_key = util::random_key(32);
        assert_eq!(
            verify(&other_key, Some(&header), &arm_audiences(BASE), now_ms()),
            Err(TokenProblem::Invalid)
        );
        let altered = format!("Bearer {}x", &token[..token.len() - 1]);
        assert!(verify(&key, Some(&altered), &arm_audiences(BASE), now_ms()).is_err());
        assert!(matches!(
            verify(
                &key,
                Some(&header),
                &arm_audiences(BASE),
                now_ms() + 3_600_000
            ),
            Err(TokenProblem::Expired(_))
        ));
        assert!(matches!(
            verify(&key, Some(&header), &[VAULT_AUDIENCE.to_string()], now_ms()),
            Err(TokenProblem::WrongAudience(_))
        ));
        assert_eq!(
            verify(&key, None, &[], now_ms()),
            Err(TokenProblem::Missing)
        );
    }

    #[test]
    fn wrong_secret_tenant_or_client_is_refused() {
        let key = util::random_key(32);
        let base = [
            ("grant_type", "client_credentials"),
            ("client_id", crate::CLIENT_ID),
            ("scope", "https://management.azure.com/.default"),
        ];
        let mut wrong_secret = base.to_vec();
        wrong_secret.push(("client_secret", "nope"));
        let response = token_endpoint(&key, BASE, crate::TENANT_ID, false, &post(&wrong_secret));
        assert_eq!(response.status, 401);
        assert_eq!(response.body_json()["error"], "invalid_client");
        let mut right = base.to_vec();
        right.push(("client_secret", crate::CLIENT_SECRET));
        assert_eq!(
            token_endpoint(&key, BASE, "other-tenant", false, &post(&right)).status,
            400
        );
        right[1] = ("client_id", "someone-else");
        assert_eq!(
            token_endpoint(&key, BASE, crate::TENANT_ID, false, &post(&right)).status,
            400
        );
    }

    #[test]
    fn federated_assertions_are_checked_loosely() {
        let key = util::random_key(32);
        let exp = now_ms() / 1000 + 600;
        let with = |claims: Value| {
            let jwt = assertion(claims);
            token_endpoint(
                &key,
                BASE,
                crate::TENANT_ID,
                false,
                &post(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", crate::CLIENT_ID),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &jwt),
                    ("scope", "https://management.azure.com/.default"),
                ]),
            )
            .status
        };
        let good = json!({"aud": "api://AzureADTokenExchange", "iss": "https://vstoken.dev.azure.com/org", "sub": "sc://org/project/connection", "exp": exp});
        assert_eq!(with(good.clone()), 200);
        let mut wrong_audience = good.clone();
        wrong_audience["aud"] = json!("somewhere");
        assert_eq!(with(wrong_audience), 401);
        let mut no_subject = good.clone();
        no_subject["sub"] = json!("");
        assert_eq!(with(no_subject), 401);
        let mut expired = good;
        expired["exp"] = json!(1);
        assert_eq!(with(expired), 401);
    }

    #[test]
    fn imds_needs_the_metadata_header() {
        let key = util::random_key(32);
        let req = Request::new("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/");
        assert_eq!(imds(&key, BASE, &req).status, 400);
        let response = imds(&key, BASE, &req.with_header("Metadata", "true"));
        assert_eq!(response.status, 200);
        let token = format!(
            "Bearer {}",
            response.body_json()["access_token"].as_str().unwrap()
        );
        let caller = verify(&key, Some(&token), &arm_audiences(BASE), now_ms()).unwrap();
        assert_eq!(caller.kind, "ManagedIdentity");
    }
}
