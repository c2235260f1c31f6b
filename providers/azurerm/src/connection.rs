//! From a provider's settings to an authenticated ARM client: the cloud (built in by name,
//! described by a metadata host, given as explicit endpoints, or the embedded simulator), the
//! credential, the subscription (from the settings, or the Azure CLI's default account), and
//! who the provider acts as (from the token's claims).

use crate::arm::cloud::{parse_endpoint, Cloud};
use crate::arm::credentials::{self, token_claims, AuthMethod, AuthSettings};
use crate::arm::retry::RetryPolicy;
use crate::arm::simulator::{self, SimulatorHandle};
use crate::arm::transport::{Transport, DEFAULT_CONCURRENT_REQUESTS};
use crate::arm::{Account, ArmClient};
use std::path::Path;
use std::sync::Arc;

/// Endpoints given explicitly (azapi's `endpoint` block).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Endpoints {
    pub authority_host: Option<String>,
    pub resource_manager: Option<String>,
    pub audience: Option<String>,
}

/// Where and as whom to connect.
#[derive(Clone, Debug, Default)]
pub struct ConnectionSettings {
    pub auth: AuthSettings,
    pub subscription_id: Option<String>,
    /// `public`, `usgovernment`, `china`, or `simulator`.
    pub environment: String,
    pub metadata_host: Option<String>,
    pub endpoints: Option<Endpoints>,
    /// Added to the User-Agent (`pid-<partner id>`).
    pub partner_id: Option<String>,
}

/// A connected client (and the in-process simulator it talks to, kept running while the
/// connection lives).
#[derive(Debug)]
pub struct Connection {
    pub client: ArmClient,
    pub simulator: Option<Arc<SimulatorHandle>>,
}

fn present(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.trim().is_empty())
}

/// Connects as the settings say; `working_dir` is where the simulator keeps its data. The
/// in-process simulator is always reached as its own service principal and subscription (the
/// only one it holds), whatever credentials the environment has for real clouds.
pub async fn connect(
    settings: &ConnectionSettings,
    working_dir: &Path,
) -> Result<Connection, String> {
    let transport = Transport::new(RetryPolicy::default(), DEFAULT_CONCURRENT_REQUESTS);
    let mut auth = settings.auth.clone();
    let mut subscription = present(&settings.subscription_id);
    let mut running_simulator = None;
    let cloud = if let Some(host) = present(&settings.metadata_host) {
        Cloud::from_metadata_host(&transport, &host).await?
    } else if settings.environment.eq_ignore_ascii_case("simulator") {
        let sim = simulator::shared(&working_dir.join(simulator::DATA_FILE)).await?;
        auth = AuthSettings {
            tenant_id: Some(sim.tenant_id.clone()),
            client_id: Some(sim.client_id.clone()),
            client_secret: Some(sim.client_secret.clone()),
            ..AuthSettings::default()
        };
        subscription = Some(sim.subscription_id.clone());
        let cloud = Cloud::from_metadata_host(&transport, &sim.metadata_host).await?;
        running_simulator = Some(sim);
        cloud
    } else if let Some(endpoints) = &settings.endpoints {
        custom_cloud(&settings.environment, endpoints)?
    } else {
        Cloud::by_name(&settings.environment).ok_or_else(|| {
            format!(
                "unknown environment {:?}: expected public, usgovernment, china or simulator (or a metadata_host)",
                settings.environment
            )
        })?
    };
    auth.subscription_id = subscription.clone();
    let (credential, method) = credentials::credential(&auth, &cloud, &transport)?;
    if subscription.is_none() && method == AuthMethod::AzureCli {
        subscription = Some(cli_default_subscription().await?);
    }
    let subscription_id = subscription.ok_or(
        "`subscription_id` is a required provider property when performing a plan/apply operation",
    )?;
    let token = credential
        .get_token(&[cloud.scope().as_str()], None)
        .await
        .map_err(|e| format!("obtaining an access token: {e}"))?;
    let claims = token_claims(token.token.secret());
    let claim = |name: &str| {
        claims
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    let account = Account {
        subscription_id,
        tenant_id: present(&auth.tenant_id)
            .or_else(|| claim("tid"))
            .unwrap_or_default(),
        client_id: present(&auth.client_id)
            .or_else(|| claim("appid"))
            .or_else(|| claim("azp"))
            .unwrap_or_default(),
        object_id: claim("oid").unwrap_or_default(),
    };
    let mut client = ArmClient::new(
        transport,
        credential,
        cloud.resource_manager.clone(),
        cloud.scope(),
        account,
    );
    if let Some(partner) = present(&settings.partner_id) {
        let partner = if partner.starts_with("pid-") {
            partner
        } else {
            format!("pid-{partner}")
        };
        client = client.with_user_agent(&partner);
    }
    Ok(Connection {
        client,
        simulator: running_simulator,
    })
}

fn custom_cloud(environment: &str, endpoints: &Endpoints) -> Result<Cloud, String> {
    let base = Cloud::by_name(if environment.is_empty() {
        "public"
    } else {
        environment
    })
    .or_else(|| Cloud::by_name("public"))
    .ok_or("no built-in cloud")?;
    let resource_manager = match present(&endpoints.resource_manager) {
        Some(url) => parse_endpoint(&url)?,
        None => base.resource_manager,
    };
    let login_endpoint = match present(&endpoints.authority_host) {
        Some(url) => parse_endpoint(&url)?,
        None => base.login_endpoint,
    };
    Ok(Cloud {
        name: "custom".into(),
        audience: present(&endpoints.audience).unwrap_or(base.audience),
        resource_manager,
        login_endpoint,
    })
}

/// The Azure CLI's default subscription (`az account show`).
async fn cli_default_subscription() -> Result<String, String> {
    let output = tokio::process::Command::new("az")
        .args(["account", "show", "--output", "json"])
        .output()
        .await
        .map_err(|e| format!("running the Azure CLI (az account show): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the Azure CLI could not show the current account: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("reading `az account show`: {e}"))?;
    json.get("id")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "`az account show` gave no subscription id".to_string())
}
