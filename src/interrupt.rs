//! Ctrl-C during a run, as Terraform handles it: the first interrupt asks the run to stop
//! starting new work (what is under way finishes and is saved); the second exits at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Installs the handler and returns the flag the first interrupt sets. Without a handler
/// (it could not be installed), the flag never gets set and Ctrl-C ends the process.
pub fn install() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    let signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ]);
    if let Ok(mut signals) = signals {
        std::thread::spawn(move || {
            for _ in signals.forever() {
                if set.swap(true, Ordering::SeqCst) {
                    eprintln!("\nTwo interrupts received. Exiting immediately. Note that data loss may have occurred.");
                    std::process::exit(1);
                }
                eprintln!("\nInterrupt received.\nPlease wait for terrane to exit or data loss may occur.\nGracefully shutting down...\n\nStopping operation...");
            }
        });
    }
    flag
}
