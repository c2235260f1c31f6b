//! The embedded Azure simulator, started in-process when the provider is configured with
//! `environment = "simulator"` (or `ARM_ENVIRONMENT=simulator`) and no metadata host. It runs
//! on a thread and runtime of its own, so it keeps serving whichever runtime the planner
//! drives providers on, and it is shared: the azurerm and azapi providers of one run (and
//! every provider instance) configured for the same data file talk to one simulator, which
//! stops, writing its data, when the last of them is dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use terrane_azure_sim::{Options, Simulator};

/// Where the simulator keeps its data, relative to the working directory.
pub const DATA_FILE: &str = ".terrane/simulator.json";

/// A running in-process simulator and what a client needs to reach it.
#[derive(Debug)]
pub struct SimulatorHandle {
    pub metadata_host: String,
    pub tenant_id: String,
    pub subscription_id: String,
    pub client_id: String,
    pub client_secret: String,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

fn registry() -> &'static Mutex<HashMap<PathBuf, Weak<SimulatorHandle>>> {
    static RUNNING: OnceLock<Mutex<HashMap<PathBuf, Weak<SimulatorHandle>>>> = OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

/// The simulator keeping its data in `data` (started if it is not running yet).
pub async fn shared(data: &Path) -> Result<Arc<SimulatorHandle>, String> {
    let key = std::path::absolute(data).unwrap_or_else(|_| data.to_path_buf());
    if let Some(running) = registry()
        .lock()
        .map_err(|_| "the simulator registry is unusable".to_string())?
        .get(&key)
        .and_then(Weak::upgrade)
    {
        return Ok(running);
    }
    let handle = Arc::new(start(&key).await?);
    let mut running = registry()
        .lock()
        .map_err(|_| "the simulator registry is unusable".to_string())?;
    // Another configure may have started one meanwhile: keep the first, drop ours.
    if let Some(existing) = running.get(&key).and_then(Weak::upgrade) {
        return Ok(existing);
    }
    running.insert(key, Arc::downgrade(&handle));
    Ok(handle)
}

async fn start(data: &Path) -> Result<SimulatorHandle, String> {
    if let Some(dir) = data.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            format!(
                "cannot create {} for the simulator's data: {e}",
                dir.display()
            )
        })?;
    }
    let options = Options {
        data: Some(data.to_path_buf()),
        ..Options::default()
    };
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("azure-simulator".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ =
                        ready_tx.send(Err(format!("cannot start the simulator's runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                match Simulator::start(options).await {
                    Ok(sim) => {
                        let info = (
                            sim.metadata_host(),
                            sim.tenant_id().to_string(),
                            sim.subscription_id().to_string(),
                            sim.client_id().to_string(),
                            sim.client_secret().to_string(),
                        );
                        let _ = ready_tx.send(Ok(info));
                        let _ = stop_rx.await;
                        sim.shutdown().await;
                    }
                    Err(e) => {
                        let _ =
                            ready_tx.send(Err(format!("cannot start the Azure simulator: {e}")));
                    }
                }
            });
        })
        .map_err(|e| format!("cannot start the simulator's thread: {e}"))?;
    let (metadata_host, tenant_id, subscription_id, client_id, client_secret) =
        ready_rx
            .await
            .map_err(|_| "the simulator stopped while starting".to_string())??;
    Ok(SimulatorHandle {
        metadata_host,
        tenant_id,
        subscription_id,
        client_id,
        client_secret,
        stop: Mutex::new(Some(stop_tx)),
        thread: Mutex::new(Some(thread)),
    })
}
