//! A health check polled beside a running app, for a failure the app itself cannot see: a
//! Spark Connect server whose JVM ran out of heap keeps its port open, and its client then
//! waits for an answer until the run's timeout. The check runs on its own thread so a slow
//! probe (a `docker` call) never delays noticing that the app exited, which would add to its
//! wall time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

/// `check` returns why the run cannot succeed any more (e.g. the server's OutOfMemoryError
/// line), or `None` while all is well; it is called every `every`.
pub struct Watch {
    pub every: Duration,
    pub check: Box<dyn Fn() -> Option<String> + Send>,
}

/// A started watch: `verdict` resolves with the first reason `check` gave.
pub struct Watching {
    pub verdict: oneshot::Receiver<String>,
    done: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Watch {
    pub fn start(self) -> Watching {
        let (tx, verdict) = oneshot::channel();
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Acquire) {
                if let Some(reason) = (self.check)() {
                    let _ = tx.send(reason);
                    return;
                }
                std::thread::park_timeout(self.every);
            }
        });
        Watching {
            verdict,
            done,
            thread,
        }
    }
}

impl Watching {
    /// Ends the polling thread (woken at once, not at its next tick).
    pub fn stop(self) {
        self.done.store(true, Ordering::Release);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn the_first_reason_is_the_verdict() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let watch = Watch {
            every: Duration::from_millis(1),
            check: Box::new(move || {
                (seen.fetch_add(1, Ordering::SeqCst) >= 2).then(|| "server died".to_string())
            }),
        };
        let mut w = watch.start();
        let reason = loop {
            match w.verdict.try_recv() {
                Ok(r) => break r,
                Err(oneshot::error::TryRecvError::Empty) => std::thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(reason, "server died");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        w.stop();
    }

    #[test]
    fn stop_wakes_a_healthy_watch_at_once() {
        let watch = Watch {
            every: Duration::from_secs(3600),
            check: Box::new(|| None),
        };
        let started = std::time::Instant::now();
        watch.start().stop();
        // Without the unpark, stop() would wait out the hour-long tick.
        assert!(started.elapsed() < Duration::from_secs(600));
    }
}
