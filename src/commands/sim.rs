//! `terrane sim serve [--listen 127.0.0.1:PORT] [--data FILE] [--latency-ms N] [--speed X]
//! [--faults SPEC]`: the Azure simulator as a standalone server. It prints
//! `listening on http://HOST:PORT`, then the `export NAME=VALUE` lines pointing a shell at it,
//! and serves until interrupted (SIGINT or SIGTERM).

use super::{parse_flags, CommandResult, Failure};
use crate::flags::Spec;
use std::io::Write;
use std::time::Duration;
use terrane_azure_sim::{Faults, Options, Simulator};

pub fn run(args: &[String]) -> CommandResult {
    match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some(other) => Err(Failure::Message(format!(
            "terrane sim has no subcommand {other:?}. Usage: terrane sim serve [--listen 127.0.0.1:PORT] [--data FILE] [--latency-ms N] [--speed X] [--faults SPEC]"
        ))),
        None => Err(Failure::Message(
            "Usage: terrane sim serve [--listen 127.0.0.1:PORT] [--data FILE] [--latency-ms N] [--speed X] [--faults SPEC]".into(),
        )),
    }
}

fn serve(args: &[String]) -> CommandResult {
    let flags = parse_flags(
        args,
        &Spec {
            bools: &[],
            values: &["listen", "data", "latency-ms", "speed", "faults"],
        },
    )?;
    if !flags.positional.is_empty() {
        return Err(Failure::Message(format!(
            "terrane sim serve takes no arguments, got {:?}",
            flags.positional
        )));
    }
    let mut options = Options::default();
    if let Some(listen) = flags.value("listen") {
        options.listen = listen.parse().map_err(|_| {
            Failure::Message(format!(
                "invalid --listen {listen:?}: expected HOST:PORT with an IP address, like 127.0.0.1:8080"
            ))
        })?;
    }
    options.data = flags.value("data").map(Into::into);
    if let Some(ms) = flags.value("latency-ms") {
        let ms: u64 = ms.parse().map_err(|_| {
            Failure::Message(format!(
                "invalid --latency-ms {ms:?}: expected a whole number of milliseconds"
            ))
        })?;
        options.latency = Duration::from_millis(ms);
    }
    if let Some(speed) = flags.value("speed") {
        options.speed = speed
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .ok_or_else(|| {
                Failure::Message(format!(
                    "invalid --speed {speed:?}: expected a positive number (1 runs at Azure's pace)"
                ))
            })?;
    }
    if let Some(spec) = flags.value("faults") {
        options.faults = spec
            .parse::<Faults>()
            .map_err(|e| Failure::Message(format!("invalid --faults: {e}")))?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Message(format!("cannot start the simulator: {e}")))?;
    runtime.block_on(async move {
        let simulator = Simulator::start(options).await.map_err(Failure::Message)?;
        let mut out = std::io::stdout().lock();
        let mut lines = format!("listening on {}\n", simulator.base_url());
        for (name, value) in simulator.exports() {
            lines.push_str(&format!("export {name}={value}\n"));
        }
        out.write_all(lines.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Failure::Message(format!("cannot write to stdout: {e}")))?;
        drop(out);
        wait_for_signal().await?;
        simulator.shutdown().await;
        Ok(0)
    })
}

/// Waits for SIGINT or SIGTERM.
async fn wait_for_signal() -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Message(format!("cannot wait for signals: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(fail)?;
        let mut terminate = signal(SignalKind::terminate()).map_err(fail)?;
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(fail)
    }
}
