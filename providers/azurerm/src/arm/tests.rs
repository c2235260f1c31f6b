//! The ARM protocol handling against a scripted server: the long-running-operation contract
//! (Azure-AsyncOperation, Location, provisioningState, Retry-After, the final GET), retries
//! (429, 5xx, dropped connections; bounded), error envelopes, 404s, the concurrency limit, the
//! token flows and the metadata endpoint.

use super::cloud::Cloud;
use super::credentials::{credential, AuthMethod, AuthSettings};
use super::error::ArmError;
use super::lro::PollPolicy;
use super::retry::RetryPolicy;
use super::test_server::{Received, Reply, TestServer};
use super::transport::Transport;
use super::{Account, ArmClient};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::Url;
use azure_core::time::{Duration as TimeDuration, OffsetDateTime};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ID: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
const LONG: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct FixedToken;

#[async_trait::async_trait]
impl TokenCredential for FixedToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            Secret::new("test-token"),
            OffsetDateTime::now_utc() + TimeDuration::hours(1),
        ))
    }
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn client(server: &TestServer, concurrency: usize) -> ArmClient {
    ArmClient::new(
        Transport::new(fast_retries(8), concurrency),
        Arc::new(FixedToken),
        Url::parse(&format!("{}/", server.base)).expect("url"),
        "scope/.default".into(),
        Account::default(),
    )
    .with_poll_policy(PollPolicy {
        default_interval: Duration::from_millis(10),
        max_interval: Duration::from_millis(100),
    })
}

/// One scripted reply.
type Step = Box<dyn Fn(&Received, &str) -> Reply + Send + Sync>;

/// A handler answering the n-th request with the n-th reply of a script.
fn script(replies: Vec<Step>) -> impl Fn(&Received, &str) -> Reply + Send + Sync {
    let next = AtomicUsize::new(0);
    move |request, base| {
        let i = next.fetch_add(1, Ordering::SeqCst);
        match replies.get(i) {
            Some(reply) => reply(request, base),
            None => Reply::json(
                500,
                json!({"error": {"code": "Unscripted", "message": "no more replies"}}),
            ),
        }
    }
}

fn steps(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| format!("{} {}", r.method, r.path()))
        .collect()
}

#[tokio::test]
async fn put_follows_azure_async_operation_then_reads_back() {
    let server = TestServer::start(script(vec![
        Box::new(|_, base| {
            Reply::json(201, json!({"properties": {"provisioningState": "Updating"}}))
                .header("azure-asyncoperation", &format!("{base}/operations/1"))
                .header("retry-after", "0")
        }),
        Box::new(|_, _| Reply::json(200, json!({"status": "InProgress"})).header("retry-after", "0")),
        Box::new(|_, _| Reply::json(200, json!({"status": "Succeeded"}))),
        Box::new(|_, _| Reply::json(200, json!({"id": ID, "properties": {"provisioningState": "Succeeded", "resourceGuid": "g"}}))),
    ]))
    .await;
    let body = client(&server, 4)
        .put(
            ID,
            "2025-01-01",
            &[],
            &json!({"location": "westeurope"}),
            LONG,
        )
        .await
        .expect("put");
    assert_eq!(body["properties"]["resourceGuid"], "g");
    let received = server.received();
    assert_eq!(
        steps(&received),
        vec![
            format!("PUT {ID}"),
            "GET /operations/1".into(),
            "GET /operations/1".into(),
            format!("GET {ID}"),
        ]
    );
    assert_eq!(
        received[0].header("authorization"),
        Some("Bearer test-token")
    );
    assert!(received[0].target.contains("api-version=2025-01-01"));
    assert_eq!(received[0].body, r#"{"location":"westeurope"}"#);
}

#[tokio::test]
async fn location_polling_and_provisioning_state() {
    let server = TestServer::start(script(vec![
        Box::new(|_, base| Reply::status(202).header("location", &format!("{base}/locations/1"))),
        Box::new(|_, _| Reply::status(202).header("retry-after", "0")),
        Box::new(|_, _| Reply::status(200)),
        Box::new(|_, _| {
            Reply::json(
                200,
                json!({"properties": {"provisioningState": "Updating"}}),
            )
        }),
        Box::new(|_, _| {
            Reply::json(
                200,
                json!({"properties": {"provisioningState": "Succeeded"}}),
            )
        }),
    ]))
    .await;
    let body = client(&server, 4)
        .patch(ID, "2023-07-01", &json!({"tags": {}}), LONG)
        .await
        .expect("patch");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        steps(&server.received()),
        vec![
            format!("PATCH {ID}"),
            "GET /locations/1".into(),
            "GET /locations/1".into(),
            format!("GET {ID}"),
            format!("GET {ID}"),
        ]
    );
}

#[tokio::test]
async fn failed_operations_carry_arm_code_and_message() {
    let server = TestServer::start(script(vec![
        Box::new(|_, base| Reply::status(201).header("azure-asyncoperation", &format!("{base}/op"))),
        Box::new(|_, _| {
            Reply::json(
                200,
                json!({"status": "Failed", "error": {"code": "SubnetInUse", "message": "the subnet is in use"}}),
            )
        }),
    ]))
    .await;
    let error = client(&server, 4)
        .put(ID, "2025-01-01", &[], &json!({}), LONG)
        .await
        .expect_err("failed");
    assert_eq!(error.code(), Some("SubnetInUse"));
    let diagnostic = error.diagnostic("creating", ID);
    assert!(diagnostic.detail.contains(ID));
    assert!(diagnostic
        .detail
        .contains("SubnetInUse: the subnet is in use"));
}

#[tokio::test]
async fn retries_throttling_server_errors_and_dropped_connections() {
    let server = TestServer::start(script(vec![
        Box::new(|_, _| {
            Reply::json(
                429,
                json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
            )
            .header("retry-after", "0")
        }),
        Box::new(|_, _| Reply::status(500)),
        Box::new(|_, _| Reply::Drop),
        Box::new(|_, _| Reply::status(503)),
        Box::new(|_, _| Reply::json(200, json!({"id": ID}))),
    ]))
    .await;
    let body = client(&server, 4).get(ID, "2025-01-01").await.expect("get");
    assert_eq!(body, Some(json!({"id": ID})));
    assert_eq!(server.received().len(), 5);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            503,
            json!({"error": {"code": "ServerBusy", "message": "busy"}}),
        )
    })
    .await;
    let client = ArmClient::new(
        Transport::new(fast_retries(3), 4),
        Arc::new(FixedToken),
        Url::parse(&format!("{}/", server.base)).expect("url"),
        "scope/.default".into(),
        Account::default(),
    );
    let error = client.get(ID, "v").await.expect_err("gives up");
    assert_eq!(error.code(), Some("ServerBusy"));
    assert_eq!(server.received().len(), 3);
    let dropped = TestServer::start(|_, _| Reply::Drop).await;
    let client = ArmClient::new(
        Transport::new(fast_retries(2), 4),
        Arc::new(FixedToken),
        Url::parse(&format!("{}/", dropped.base)).expect("url"),
        "scope/.default".into(),
        Account::default(),
    );
    assert!(matches!(
        client.get(ID, "v").await,
        Err(ArmError::Transport(_))
    ));
    assert_eq!(dropped.received().len(), 2);
}

#[tokio::test]
async fn errors_and_not_found() {
    let server = TestServer::start(|request, _| match (request.method.as_str(), request.path()) {
        ("GET", p) if p.ends_with("/missing") => Reply::json(404, json!({"error": {"code": "ResourceNotFound", "message": "nope"}})),
        ("DELETE", p) if p.ends_with("/missing") => Reply::status(404),
        _ => Reply::json(400, json!({"error": {"code": "InvalidAddressPrefix", "message": "10.0.0.0/33 is not valid"}})),
    })
    .await;
    let client = client(&server, 4);
    assert_eq!(
        client
            .get(&format!("{ID}/missing"), "v")
            .await
            .expect("404"),
        None
    );
    client
        .delete(&format!("{ID}/missing"), "v", LONG)
        .await
        .expect("already gone");
    let error = client
        .put(ID, "v", &[], &json!({}), LONG)
        .await
        .expect_err("400");
    assert_eq!(error.code(), Some("InvalidAddressPrefix"));
    assert!(error.to_string().contains("10.0.0.0/33 is not valid"));
    assert_eq!(server.received().len(), 3, "a 400 is not retried");
}

#[tokio::test]
async fn delete_follows_location() {
    let server = TestServer::start(script(vec![
        Box::new(|_, base| {
            Reply::status(202)
                .header("location", &format!("{base}/ops/d"))
                .header("retry-after", "0")
        }),
        Box::new(|_, _| Reply::status(202).header("retry-after", "0")),
        Box::new(|_, _| Reply::status(204)),
    ]))
    .await;
    client(&server, 4)
        .delete(ID, "v", LONG)
        .await
        .expect("deleted");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn actions_answer_directly_or_through_an_operation() {
    let server = TestServer::start(script(vec![
        Box::new(|_, _| Reply::json(200, json!({"primaryKey": "k1"}))),
        Box::new(|_, base| {
            Reply::status(202)
                .header("location", &format!("{base}/results/1"))
                .header("retry-after", "0")
        }),
        Box::new(|_, _| Reply::status(202).header("retry-after", "0")),
        Box::new(|_, _| Reply::json(200, json!({"kubeconfigs": [{"name": "clusterUser"}]}))),
    ]))
    .await;
    let client = client(&server, 4);
    let keys = client
        .post(&format!("{ID}/listKeys"), "v", None, LONG)
        .await
        .expect("keys");
    assert_eq!(keys["primaryKey"], "k1");
    let credentials = client
        .post(
            &format!("{ID}/listClusterUserCredential"),
            "v",
            Some(&json!({})),
            LONG,
        )
        .await
        .expect("credentials");
    assert_eq!(credentials["kubeconfigs"][0]["name"], "clusterUser");
    assert_eq!(
        steps(&server.received()),
        vec![
            format!("POST {ID}/listKeys"),
            format!("POST {ID}/listClusterUserCredential"),
            "GET /results/1".into(),
            "GET /results/1".into(),
        ]
    );
}

#[tokio::test]
async fn operations_time_out() {
    let server = TestServer::start(|request, base| {
        if request.method == "PUT" {
            Reply::status(201).header("azure-asyncoperation", &format!("{base}/op"))
        } else {
            Reply::json(200, json!({"status": "InProgress"}))
        }
    })
    .await;
    let error = client(&server, 4)
        .put(ID, "v", &[], &json!({}), Duration::from_millis(200))
        .await
        .expect_err("times out");
    assert!(matches!(error, ArmError::Timeout(_)), "{error}");
}

#[tokio::test]
async fn concurrency_is_limited() {
    let server =
        TestServer::start(|_, _| Reply::json(200, json!({})).after(Duration::from_millis(30)))
            .await;
    let client = client(&server, 2);
    let reads: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.get(&format!("{ID}{i}"), "v").await })
        })
        .collect();
    for read in reads {
        read.await.expect("join").expect("get");
    }
    assert_eq!(server.received().len(), 8);
    assert!(server.most_in_flight() <= 2, "{}", server.most_in_flight());
    assert_eq!(server.most_in_flight(), 2);
}

#[tokio::test]
async fn list_follows_next_link() {
    let server = TestServer::start(|request, base| {
        if request.target.contains("page=2") {
            Reply::json(200, json!({"value": [{"id": "b"}]}))
        } else {
            Reply::json(
                200,
                json!({"value": [{"id": "a"}], "nextLink": format!("{base}/x?page=2")}),
            )
        }
    })
    .await;
    let items = client(&server, 4).list("/x", "v").await.expect("list");
    assert_eq!(items, vec![json!({"id": "a"}), json!({"id": "b"})]);
}

fn test_cloud(server: &TestServer) -> Cloud {
    Cloud {
        name: "test".into(),
        resource_manager: Url::parse(&format!("{}/", server.base)).expect("url"),
        login_endpoint: Url::parse(&format!("{}/login/", server.base)).expect("url"),
        audience: "https://management.core.windows.net/".into(),
    }
}

fn token_reply() -> Reply {
    Reply::json(
        200,
        json!({"access_token": "a.b.c", "expires_in": 3599, "token_type": "Bearer"}),
    )
}

#[tokio::test]
async fn client_secret_flow_caches_its_token() {
    let server = TestServer::start(|_, _| token_reply()).await;
    let settings = AuthSettings {
        tenant_id: Some("t".into()),
        client_id: Some("c".into()),
        client_secret: Some("s3cret".into()),
        use_cli: true,
        ..Default::default()
    };
    let cloud = test_cloud(&server);
    let transport = Transport::new(fast_retries(3), 4);
    let (credential, method) = credential(&settings, &cloud, &transport).expect("credential");
    assert_eq!(method, AuthMethod::ClientSecret);
    for _ in 0..3 {
        let token = credential
            .get_token(&[&cloud.scope()], None)
            .await
            .expect("token");
        assert_eq!(token.token.secret(), "a.b.c");
    }
    let received = server.received();
    assert_eq!(received.len(), 1, "the token is cached");
    assert_eq!(received[0].path(), "/login/t/oauth2/v2.0/token");
    assert_eq!(
        received[0].form("grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(received[0].form("client_secret").as_deref(), Some("s3cret"));
    assert_eq!(
        received[0].form("scope").as_deref(),
        Some("https://management.core.windows.net/.default")
    );
}

#[tokio::test]
async fn azure_devops_oidc_flow() {
    let server = TestServer::start(|request, _| {
        if request.path() == "/oidc" {
            Reply::json(200, json!({"oidcToken": "id-token-from-ado"}))
        } else {
            token_reply()
        }
    })
    .await;
    let settings = AuthSettings {
        tenant_id: Some("t".into()),
        client_id: Some("c".into()),
        use_oidc: true,
        oidc_request_url: Some(format!("{}/oidc", server.base)),
        oidc_request_token: Some("system-access-token".into()),
        ado_pipeline_service_connection_id: Some("sc-1".into()),
        ..Default::default()
    };
    let cloud = test_cloud(&server);
    let (credential, method) =
        credential(&settings, &cloud, &Transport::new(fast_retries(3), 4)).expect("credential");
    assert_eq!(method, AuthMethod::AzureDevOpsOidc);
    credential
        .get_token(&[&cloud.scope()], None)
        .await
        .expect("token");
    let received = server.received();
    assert_eq!(received[0].method, "POST");
    assert!(received[0].target.contains("api-version=7.1"));
    assert!(received[0].target.contains("serviceConnectionId=sc-1"));
    assert_eq!(
        received[0].header("authorization"),
        Some("Bearer system-access-token")
    );
    assert_eq!(
        received[1].form("client_assertion").as_deref(),
        Some("id-token-from-ado")
    );
    assert_eq!(
        received[1].form("client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert_eq!(received[1].form("client_secret"), None);
}

#[tokio::test]
async fn oidc_token_file_and_github_flows() {
    let server = TestServer::start(|request, _| {
        if request.path() == "/gh" {
            Reply::json(200, json!({"value": "id-token-from-github"}))
        } else {
            token_reply()
        }
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("token");
    std::fs::write(&file, "id-token-from-file\n").expect("write");
    let cloud = test_cloud(&server);
    let transport = Transport::new(fast_retries(3), 4);
    let from_file = AuthSettings {
        tenant_id: Some("t".into()),
        client_id: Some("c".into()),
        use_oidc: true,
        oidc_token_file_path: Some(file.to_string_lossy().into()),
        ..Default::default()
    };
    let (credential_a, method) = credential(&from_file, &cloud, &transport).expect("file");
    assert_eq!(method, AuthMethod::OidcTokenFile);
    credential_a
        .get_token(&[&cloud.scope()], None)
        .await
        .expect("token");
    let github = AuthSettings {
        oidc_token_file_path: None,
        oidc_request_url: Some(format!("{}/gh?x=1", server.base)),
        oidc_request_token: Some("gh-token".into()),
        ..from_file
    };
    let (credential_b, method) = credential(&github, &cloud, &transport).expect("github");
    assert_eq!(method, AuthMethod::GitHubOidc);
    credential_b
        .get_token(&[&cloud.scope()], None)
        .await
        .expect("token");
    let received = server.received();
    assert_eq!(
        received[0].form("client_assertion").as_deref(),
        Some("id-token-from-file")
    );
    assert_eq!(received[1].method, "GET");
    assert!(received[1]
        .target
        .contains("audience=api%3A%2F%2FAzureADTokenExchange"));
    assert_eq!(
        received[2].form("client_assertion").as_deref(),
        Some("id-token-from-github")
    );
}

#[tokio::test]
async fn managed_identity_flow() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            json!({"access_token": "mi", "expires_in": "3599", "resource": "r"}),
        )
    })
    .await;
    let settings = AuthSettings {
        use_msi: true,
        client_id: Some("user-assigned".into()),
        msi_endpoint: Some(format!("{}/metadata/identity/oauth2/token", server.base)),
        ..Default::default()
    };
    let cloud = test_cloud(&server);
    let (credential, method) =
        credential(&settings, &cloud, &Transport::new(fast_retries(3), 4)).expect("credential");
    assert_eq!(method, AuthMethod::ManagedIdentity);
    let token = credential
        .get_token(&[&cloud.scope()], None)
        .await
        .expect("token");
    assert_eq!(token.token.secret(), "mi");
    let received = server.received();
    assert_eq!(received[0].header("metadata"), Some("true"));
    assert!(received[0].target.contains("api-version=2018-02-01"));
    assert!(received[0].target.contains("client_id=user-assigned"));
    assert!(received[0]
        .target
        .contains("resource=https%3A%2F%2Fmanagement.core.windows.net%2F"));
}

#[tokio::test]
async fn token_errors_name_no_secret() {
    let server = TestServer::start(|_, _| {
        Reply::json(401, json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}))
    })
    .await;
    let settings = AuthSettings {
        tenant_id: Some("t".into()),
        client_id: Some("c".into()),
        client_secret: Some("wrong-secret".into()),
        ..Default::default()
    };
    let cloud = test_cloud(&server);
    let (credential, _) =
        credential(&settings, &cloud, &Transport::new(fast_retries(3), 4)).expect("credential");
    let error = credential
        .get_token(&[&cloud.scope()], None)
        .await
        .expect_err("401")
        .to_string();
    assert!(
        error.contains("invalid_client") && error.contains("AADSTS7000215"),
        "{error}"
    );
    assert!(!error.contains("wrong-secret"));
}

#[tokio::test]
async fn nothing_configured_is_an_error() {
    let server = TestServer::start(|_, _| token_reply()).await;
    let settings = AuthSettings::default();
    let error = credential(
        &settings,
        &test_cloud(&server),
        &Transport::new(fast_retries(1), 1),
    )
    .map(|_| ())
    .expect_err("no method");
    assert!(error.contains("no way to authenticate"));
}

#[tokio::test]
async fn custom_cloud_from_the_metadata_endpoint() {
    let server = TestServer::start(|request, base| {
        assert_eq!(request.path(), "/metadata/endpoints");
        assert!(request.target.contains("api-version=2022-09-01"));
        Reply::json(
            200,
            json!({
                "name": "AzureStack",
                "resourceManager": format!("{base}/"),
                "authentication": {"loginEndpoint": format!("{base}/adfs/"), "audiences": ["https://management.stack.example/"]}
            }),
        )
    })
    .await;
    let host = server.base.trim_start_matches("http://").to_string();
    let cloud = Cloud::from_metadata_host(&Transport::new(fast_retries(2), 2), &host)
        .await
        .expect("cloud");
    assert_eq!(cloud.name, "AzureStack");
    assert_eq!(cloud.resource_manager.as_str(), format!("{}/", server.base));
    assert_eq!(cloud.scope(), "https://management.stack.example/.default");
    assert_eq!(
        cloud.token_url("t").expect("url").as_str(),
        format!("{}/adfs/t/oauth2/v2.0/token", server.base)
    );
}
