//! A run's peak memory, driver and executors, sampled on the run's watch thread (see
//! `watch::merge`) so it never delays noticing the app's exit. The workers' kernel peak is
//! reset before the run (cgroup v1), so a run's peak is its own and not an earlier run's;
//! where it cannot be reset (cgroup v2 on older kernels) the sampled usage stands for it.
//! `SPARKMODES_MEMORY=off` turns all of it off (the columns stay empty), for an A/A check
//! that sampling does not move wall times.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::exec::watch::Watch;
use crate::measure::memory_sources::{self, Cgroup};

/// How often memory is sampled: short enough to catch a collect's peak, long enough that a
/// sample (a `/proc` scan, ~1 ms) costs well under 1 % of a core.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// Where the cgroup hierarchy is mounted.
const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// Where a run's driver lives, for its memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DriverMemory {
    /// A host process group: the Python and the JVM it starts.
    ProcessGroup,
    /// A container whose id Docker writes to this file (`docker run --cidfile`) when it starts.
    Container { cidfile: PathBuf },
}

/// What a run's memory came to, in MiB (`None`: not measured).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Peaks {
    pub driver_mib: Option<f64>,
    /// The sum over workers of each worker container's own peak.
    pub executors_mib: Option<f64>,
}

/// Whether memory is sampled at all (`SPARKMODES_MEMORY=off` turns it off).
pub fn enabled() -> bool {
    std::env::var("SPARKMODES_MEMORY").map_or(true, |v| v != "off")
}

/// The memory of one run, from before its launch to after its end.
pub struct Probe {
    driver: DriverMemory,
    state: Arc<State>,
}

/// What the sampling thread and the run share.
struct State {
    driver: AtomicU64,
    driver_cgroup: Mutex<Option<Cgroup>>,
    workers: Vec<Worker>,
}

struct Worker {
    cgroup: Cgroup,
    /// Whether the kernel's peak was reset before the run, so it is this run's.
    reset: bool,
    sampled: AtomicU64,
}

impl Probe {
    /// Finds the workers' cgroups (ids as Docker gives them) and resets their peaks.
    pub fn start(driver: DriverMemory, worker_ids: &[String]) -> Probe {
        let root = Path::new(CGROUP_ROOT);
        let workers = worker_ids
            .iter()
            .filter_map(|id| Cgroup::of_container(root, id))
            .map(|cgroup| Worker {
                reset: cgroup.reset_peak(),
                sampled: AtomicU64::new(cgroup.current_bytes().unwrap_or(0)),
                cgroup,
            })
            .collect();
        let state = State {
            driver: AtomicU64::new(0),
            driver_cgroup: Mutex::new(None),
            workers,
        };
        Probe {
            driver,
            state: Arc::new(state),
        }
    }

    /// The sampling check for the run whose process group is `pgid`; never a verdict.
    pub fn sampler(&self) -> Box<dyn FnOnce(i32) -> Watch + Send> {
        let (state, driver) = (self.state.clone(), self.driver.clone());
        let page = memory_sources::page_size();
        Box::new(move |pgid| Watch {
            every: SAMPLE_EVERY,
            check: Box::new(move || {
                state.sample(&driver, pgid, page);
                None
            }),
        })
    }

    /// The peaks, once the run is over (and the sampler stopped).
    pub fn finish(self) -> Peaks {
        let s = &self.state;
        let driver = s.driver.load(Ordering::Acquire);
        let executors: u64 = s.workers.iter().map(Worker::peak).sum();
        Peaks {
            driver_mib: (driver > 0).then(|| memory_sources::mib(driver)),
            executors_mib: (!s.workers.is_empty()).then(|| memory_sources::mib(executors)),
        }
    }
}

impl State {
    fn sample(&self, driver: &DriverMemory, pgid: i32, page: u64) {
        let now = match driver {
            DriverMemory::ProcessGroup => {
                memory_sources::group_rss_bytes(Path::new("/proc"), pgid, page)
            }
            DriverMemory::Container { cidfile } => self.container_peak(cidfile),
        };
        self.driver.fetch_max(now, Ordering::AcqRel);
        for w in &self.workers {
            let now = w.cgroup.current_bytes().unwrap_or(0);
            w.sampled.fetch_max(now, Ordering::AcqRel);
        }
    }

    /// The driver container's own peak (it is new, so its peak is this run's); the last read
    /// before `--rm` removes the container and its cgroup is the run's.
    fn container_peak(&self, cidfile: &Path) -> u64 {
        let mut cgroup = self.driver_cgroup.lock().unwrap_or_else(|e| e.into_inner());
        if cgroup.is_none() {
            let id = std::fs::read_to_string(cidfile).unwrap_or_default();
            *cgroup = Some(id.trim())
                .filter(|id| !id.is_empty())
                .and_then(|id| Cgroup::of_container(Path::new(CGROUP_ROOT), id));
        }
        let Some(cg) = cgroup.as_ref() else {
            return 0;
        };
        cg.peak_bytes().or_else(|| cg.current_bytes()).unwrap_or(0)
    }
}

impl Worker {
    /// The kernel's peak when it was reset for this run, or else the highest sampled usage.
    fn peak(&self) -> u64 {
        let sampled = self.sampled.load(Ordering::Acquire);
        match (self.reset, self.cgroup.peak_bytes()) {
            (true, Some(kernel)) => kernel.max(sampled),
            _ => sampled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_driver_is_its_process_group() {
        // This test process's own group: at least this process, so more than nothing.
        let pgid = unsafe { libc::getpgrp() };
        let probe = Probe::start(DriverMemory::ProcessGroup, &[]);
        let watch = probe.sampler()(pgid);
        assert_eq!(watch.every, SAMPLE_EVERY);
        assert_eq!((watch.check)(), None, "a sampler never ends a run");
        drop(watch);
        let peaks = probe.finish();
        assert!(peaks.driver_mib.unwrap() > 1.0, "{peaks:?}");
        assert_eq!(peaks.executors_mib, None, "no workers, no executor memory");
    }

    #[test]
    fn an_unstarted_container_is_not_measured() {
        let d = tempfile::tempdir().unwrap();
        let cidfile = d.path().join("driver.cid");
        let probe = Probe::start(DriverMemory::Container { cidfile }, &["nope".into()]);
        let watch = probe.sampler()(0);
        assert_eq!((watch.check)(), None);
        drop(watch);
        assert_eq!(probe.finish(), Peaks::default());
    }
}
