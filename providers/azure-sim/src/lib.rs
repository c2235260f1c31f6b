//! terrane's Azure simulator: Azure Resource Manager, the Microsoft Entra token endpoints, the
//! managed-identity endpoint and the cloud metadata endpoint, served over plain HTTP on loopback
//! so that terrane's azurerm provider and Microsoft's own SDKs can be pointed at it.
//!
//! [`Simulator::start`] binds and serves on the current tokio runtime; [`Simulator::exports`]
//! gives the environment a shell or a client needs to reach it (what `terrane sim serve`
//! prints).
//!
//! What it serves, all under [`Simulator::base_url`]:
//! - `/metadata/endpoints?api-version=2022-09-01`: the cloud's endpoints, as Azure's metadata
//!   endpoint gives them; `resourceManager` and `authentication.loginEndpoint` are the
//!   simulator itself.
//! - `/{tenant}/oauth2/v2.0/token` (and v1 `/{tenant}/oauth2/token`): the client credentials
//!   grant with [`CLIENT_ID`] and [`CLIENT_SECRET`], or with a federated client assertion
//!   (workload identity federation); `/metadata/identity/oauth2/token`: managed identity.
//!   Tokens are signed JWTs that only this simulator's data accepts; ARM refuses requests
//!   without one (401 with ARM's envelope).
//! - ARM for the resource types in `types` (and any other type, stored as sent), with ARM's
//!   long-running operations, error envelopes, request limits and checks.
//! - Key vault secrets under `/keyvault/{vault}/`, the `vaultUri` the simulator reports for
//!   a vault (Azure gives each vault a host name, which a loopback server cannot).
//!
//! Operations take the realistic duration of their type divided by [`Options::speed`]; the
//! api-version must be well formed, and dated from the type's first published version up to
//! today (the simulator does not list every published version). Faults (`Options::faults`)
//! apply to ARM and key vault requests, not to the token and metadata endpoints.

mod arm;
mod auth;
mod http;
mod lro;
mod regions;
mod server;
mod store;
mod throttle;
mod types;
mod util;
mod vault_data;

pub use auth::{CLIENT_OBJECT_ID, MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_OBJECT_ID};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The tenant the simulator plays. The ids below are fixed and well known, so configurations,
/// tests and documentation can name them; they are the simulator's, no real Azure's.
pub const TENANT_ID: &str = "7e77a1e0-0000-4000-8000-000000000001";
/// The one subscription the simulator holds.
pub const SUBSCRIPTION_ID: &str = "7e77a1e0-0000-4000-8000-000000000002";
/// The application (service principal) whose secret the simulator accepts.
pub const CLIENT_ID: &str = "7e77a1e0-0000-4000-8000-000000000003";
/// The secret of [`CLIENT_ID`]: the simulator's own, published on purpose, not a real credential.
pub const CLIENT_SECRET: &str = "terrane-simulator-client-secret";

/// How much faster than Azure simulated time runs by default: realistic durations are divided by
/// it, so an AKS cluster (5 minutes in Azure) takes 0.5 s and a VPN gateway (30 minutes) 3 s.
pub const DEFAULT_SPEED: f64 = 600.0;

/// How the simulator runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The file keeping the simulated resources across restarts (none: memory only).
    pub data: Option<PathBuf>,
    /// Added to the handling of every request.
    pub latency: Duration,
    /// The factor dividing realistic operation durations (and multiplying ARM's refill rates).
    pub speed: f64,
    /// Share of requests answered with failures.
    pub faults: Faults,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: None,
            latency: Duration::ZERO,
            speed: DEFAULT_SPEED,
            faults: Faults::default(),
        }
    }
}

/// The share (0 to 1) of requests answered 429, 500, or dropped without an answer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    pub throttle: f64,
    pub server_error: f64,
    pub drop: f64,
}

impl FromStr for Faults {
    type Err = String;

    /// Parses `429=0.2,500=0.05,drop=0.01` (any subset, in any order; empty means none).
    fn from_str(spec: &str) -> Result<Faults, String> {
        let mut faults = Faults::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, share) = part.split_once('=').ok_or_else(|| {
                format!("invalid fault {part:?}: expected KIND=SHARE, like 429=0.2")
            })?;
            let share: f64 = share
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| (0.0..=1.0).contains(s))
                .ok_or_else(|| {
                    format!(
                        "invalid share {share:?} for fault {kind:?}: expected a number from 0 to 1"
                    )
                })?;
            match kind.trim() {
                "429" => faults.throttle = share,
                "500" => faults.server_error = share,
                "drop" => faults.drop = share,
                other => {
                    return Err(format!(
                        "unknown fault kind {other:?}: expected 429, 500 or drop"
                    ))
                }
            }
        }
        if faults.throttle + faults.server_error + faults.drop > 1.0 {
            return Err("the shares of faults add up to more than 1".into());
        }
        Ok(faults)
    }
}

/// A running simulator.
pub struct Simulator {
    addr: SocketAddr,
    sim: Arc<server::Sim>,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Reads the data file (if any), binds `options.listen` and serves on the current tokio
    /// runtime; returns once listening.
    pub async fn start(options: Options) -> Result<Simulator, String> {
        if !(options.speed.is_finite() && options.speed > 0.0) {
            return Err(format!(
                "the speed must be a positive number, not {}",
                options.speed
            ));
        }
        let store = match &options.data {
            Some(path) => store::Store::load(path)?,
            None => store::Store::new(),
        };
        let mut store = store;
        let previous = store
            .port
            .filter(|_| options.listen.port() == 0)
            .map(|port| std::net::SocketAddr::new(options.listen.ip(), port));
        let listener = match previous {
            Some(again) => match tokio::net::TcpListener::bind(again).await {
                Ok(listener) => Ok(listener),
                Err(_) => tokio::net::TcpListener::bind(options.listen).await,
            },
            None => tokio::net::TcpListener::bind(options.listen).await,
        }
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        store.port = Some(addr.port());
        let sim = Arc::new(server::Sim::new(format!("http://{addr}"), &options, store));
        if options.data.is_some() {
            let store = sim.store.lock().unwrap_or_else(|p| p.into_inner());
            sim.save(&store);
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(accept(listener, sim.clone(), stopped));
        Ok(Simulator {
            addr,
            sim,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`: the resource manager endpoint and the root of everything served.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`: what `ARM_METADATA_HOSTNAME` names.
    pub fn metadata_host(&self) -> String {
        self.addr.to_string()
    }

    pub fn tenant_id(&self) -> &str {
        TENANT_ID
    }

    pub fn subscription_id(&self) -> &str {
        SUBSCRIPTION_ID
    }

    pub fn client_id(&self) -> &str {
        CLIENT_ID
    }

    pub fn client_secret(&self) -> &str {
        CLIENT_SECRET
    }

    /// The environment pointing a shell at the simulator, as `terrane sim serve` prints it.
    pub fn exports(&self) -> Vec<(String, String)> {
        vec![
            ("ARM_METADATA_HOSTNAME".into(), self.metadata_host()),
            ("ARM_TENANT_ID".into(), self.tenant_id().into()),
            ("ARM_SUBSCRIPTION_ID".into(), self.subscription_id().into()),
            ("ARM_CLIENT_ID".into(), self.client_id().into()),
            ("ARM_CLIENT_SECRET".into(), self.client_secret().into()),
        ]
    }

    /// Stops serving (open connections are closed) and writes the data file a last time.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let store = self.sim.store.lock().unwrap_or_else(|p| p.into_inner());
        self.sim.save(&store);
    }
}

/// Accepts connections until told to stop; each is served by hyper on its own task.
async fn accept(
    listener: tokio::net::TcpListener,
    sim: Arc<server::Sim>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let sim = sim.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |request| sim.clone().serve(request));
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One HTTP/1.1 request on a new connection; the raw answer (empty when dropped).
    async fn get(simulator: &Simulator, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(simulator.metadata_host())
            .await
            .unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[tokio::test]
    async fn a_restart_on_any_port_takes_the_previous_port_again() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("sim.json");
        let options = || Options {
            data: Some(data.clone()),
            ..Options::default()
        };
        let first = Simulator::start(options()).await.unwrap();
        let url = first.base_url();
        first.shutdown().await;
        let second = Simulator::start(options()).await.unwrap();
        assert_eq!(second.base_url(), url);
        // Taken meanwhile: any other port will do.
        let third = Simulator::start(options()).await.unwrap();
        assert_ne!(third.base_url(), url);
        second.shutdown().await;
        third.shutdown().await;
    }

    #[tokio::test]
    async fn serves_on_a_current_thread_runtime_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("sim.json");
        let simulator = Simulator::start(Options {
            data: Some(data.clone()),
            ..Options::default()
        })
        .await
        .unwrap();
        assert!(simulator.base_url().starts_with("http://127.0.0.1:"));
        let answer = get(&simulator, "/metadata/endpoints?api-version=2022-09-01").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains(&format!(
            "\"resourceManager\":\"{}/\"",
            simulator.base_url()
        )));
        let answer = get(&simulator, "/subscriptions?api-version=2022-12-01").await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        let exports = simulator.exports();
        assert_eq!(
            exports[0],
            (
                "ARM_METADATA_HOSTNAME".to_string(),
                simulator.metadata_host()
            )
        );
        simulator.shutdown().await;
        assert!(data.exists());
    }

    #[tokio::test]
    async fn dropped_requests_get_no_answer() {
        let simulator = Simulator::start(Options {
            faults: "drop=1".parse().unwrap(),
            ..Options::default()
        })
        .await
        .unwrap();
        assert_eq!(
            get(&simulator, "/subscriptions?api-version=2022-12-01").await,
            ""
        );
        // Only ARM and key vault requests are faulted.
        let answer = get(&simulator, "/metadata/endpoints?api-version=2022-09-01").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        simulator.shutdown().await;
    }

    #[tokio::test]
    async fn refuses_an_unusable_speed() {
        let options = Options {
            speed: 0.0,
            ..Options::default()
        };
        assert!(Simulator::start(options).await.is_err());
    }
}
