//! Cleanup that runs however the process ends: normal exit (an exit hook, which also covers
//! test binaries holding a shared cluster in a static), SIGINT/SIGTERM, and panics.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use crate::{docker, process};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set once a SIGINT/SIGTERM arrived: the run that just ended was cut short by us, and its
/// record must not be written (a resume would take it for done).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Called by the runner when it sees an interruption: wait for the handler to finish the
/// cleanup and end the process.
pub fn wait_for_exit() -> ! {
    loop {
        std::thread::park();
    }
}

extern "C" fn at_exit() {
    docker::remove_session();
}

/// Registers the exit hook once. Safe to call from every cluster constructor.
pub fn install_exit_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        libc::atexit(at_exit);
    });
}

/// On SIGINT/SIGTERM: remove this session's containers, say why on one line, exit non-zero.
/// Finished records are already on disk (the sink flushes after every run).
pub fn install_signal_handlers() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
            INTERRUPTED.store(true, Ordering::SeqCst);
            process::kill_running();
            remove_until_gone();
            eprintln!("sparkmodes: interrupted by {name}: containers removed, finished runs kept");
            // Skip the exit hook: it would only repeat the removal.
            unsafe { libc::_exit(128 + sig) };
        }
    });
    Ok(())
}

/// The main thread may be creating a container while we remove them; repeat until nothing
/// labelled is left, a few times at most.
fn remove_until_gone() {
    let label = format!("{}={}", docker::LABEL, docker::session());
    for _ in 0..5 {
        docker::remove_session();
        let (c, n) = docker::labelled(&label);
        if c.is_empty() && n.is_empty() {
            return;
        }
    }
}

/// A panic anywhere removes the session's containers before the default report.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        process::kill_running();
        docker::remove_session();
        default(info);
    }));
}
