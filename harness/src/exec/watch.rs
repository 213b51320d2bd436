//! A health check polled beside a running app, for a failure the app itself cannot see: a
//! Spark Connect server whose JVM ran out of heap keeps its port open, and its client then
//! waits for an answer until the run's timeout. The check runs on its own thread so a slow
//! probe (a `docker` call) never delays noticing that the app exited, which would add to its
//! wall time.

use std::cell::Cell;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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

/// Two watches on one thread, ticking at the shorter interval, each check called at its own:
/// a memory sampler rides on the health check's thread instead of starting a second one.
pub fn merge(a: Option<Watch>, b: Option<Watch>) -> Option<Watch> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.beside(b)),
        (a, b) => a.or(b),
    }
}

impl Watch {
    fn beside(self, other: Watch) -> Watch {
        let every = self.every.min(other.every);
        let due = [Due::new(self), Due::new(other)];
        Watch {
            every,
            check: Box::new(move || due.iter().find_map(Due::poll)),
        }
    }
}

/// A check and when it is next due.
struct Due {
    watch: Watch,
    next: Cell<Instant>,
}

impl Due {
    fn new(watch: Watch) -> Due {
        Due {
            watch,
            next: Cell::new(Instant::now()),
        }
    }

    fn poll(&self) -> Option<String> {
        let now = Instant::now();
        if now < self.next.get() {
            return None;
        }
        self.next.set(now + self.watch.every);
        (self.watch.check)()
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

/// The whole lines a growing log file gained since the last call (a line still being written
/// waits for the next call), so a watch never re-reads what it has seen.
pub struct LogTail {
    path: PathBuf,
    seen: AtomicU64,
}

impl LogTail {
    pub fn new(path: PathBuf) -> LogTail {
        LogTail {
            path,
            seen: AtomicU64::new(0),
        }
    }

    pub fn new_lines(&self) -> String {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return String::new();
        };
        let from = self.seen.load(Ordering::Acquire);
        let mut bytes = Vec::new();
        if file.seek(SeekFrom::Start(from)).is_err() || file.read_to_end(&mut bytes).is_err() {
            return String::new();
        }
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        self.seen.store(from + whole as u64, Ordering::Release);
        String::from_utf8_lossy(&bytes[..whole]).into_owned()
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
    fn a_log_tail_gives_each_whole_line_once() {
        use std::io::Write;
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("stderr.txt");
        let tail = LogTail::new(path.clone());
        assert_eq!(tail.new_lines(), "", "no file yet");
        let mut f = std::fs::File::create(&path).unwrap();
        write!(f, "one\ntw").unwrap();
        assert_eq!(tail.new_lines(), "one\n");
        write!(f, "o\nthree\n").unwrap();
        assert_eq!(tail.new_lines(), "two\nthree\n");
        assert_eq!(tail.new_lines(), "");
    }

    #[test]
    fn merged_watches_each_run_at_their_own_pace() {
        let (fast, slow) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let counter = |n: &Arc<AtomicUsize>, every_ms| {
            let n = n.clone();
            Watch {
                every: Duration::from_millis(every_ms),
                check: Box::new(move || {
                    n.fetch_add(1, Ordering::SeqCst);
                    None
                }),
            }
        };
        let merged = merge(Some(counter(&slow, 3_600_000)), Some(counter(&fast, 0))).unwrap();
        assert_eq!(merged.every, Duration::ZERO);
        for _ in 0..5 {
            assert_eq!((merged.check)(), None);
        }
        assert_eq!(fast.load(Ordering::SeqCst), 5);
        assert_eq!(
            slow.load(Ordering::SeqCst),
            1,
            "due at once, then in an hour"
        );
        assert!(merge(None, None).is_none());
    }

    #[test]
    fn a_merged_watch_still_gives_the_verdict() {
        let quiet = Watch {
            every: Duration::ZERO,
            check: Box::new(|| None),
        };
        let dying = Watch {
            every: Duration::from_secs(3),
            check: Box::new(|| Some("server died".into())),
        };
        let merged = merge(Some(dying), Some(quiet)).unwrap();
        assert_eq!((merged.check)().as_deref(), Some("server died"));
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
