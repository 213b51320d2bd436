//! Cleanup that runs however the process ends: normal exit (an exit hook, which also covers
//! test binaries holding a shared cluster in a static), SIGINT/SIGTERM, and panics.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Once;

use crate::infra::docker;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set once a SIGINT/SIGTERM arrived: the run that just ended was cut short by us, and its
/// record must not be written (a resume would take it for done).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Called before starting anything new (a cluster, a driver) and after a run: once a signal
/// arrived, park here while the handler finishes the cleanup and ends the process, so nothing
/// new is started behind its back and no record is written for a run it cut short.
pub fn park_if_interrupted() {
    if interrupted() {
        loop {
            std::thread::park();
        }
    }
}

/// The process group of the app now running, for the signal and panic handlers to kill.
static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);

/// Registers the running app's process group (0: none). A signal that arrived before the
/// registration found nothing to kill, so it is killed here (both sides are SeqCst, so one of
/// them sees the other).
pub fn register_group(pgid: i32) {
    RUNNING_GROUP.store(pgid, Ordering::SeqCst);
    if pgid > 0 && interrupted() {
        kill_running();
    }
}

/// Kills the running app's process group, if any.
pub fn kill_running() {
    let pgid = RUNNING_GROUP.swap(0, Ordering::SeqCst);
    if pgid > 0 {
        unsafe { libc::killpg(pgid, libc::SIGKILL) };
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
            kill_running();
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
        kill_running();
        docker::remove_session();
        default(info);
    }));
}
