//! How each deployment mode starts the app's driver, one file per mode behind [`Driver`].

pub mod connect;
mod containerized;
mod direct;
pub mod host_driver;
mod submit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use submit::REFUSAL_MESSAGE;

use crate::config::manifest::Placeholders;
use crate::config::Mode;
use crate::error::Result;
use crate::exec::memory_probe::DriverMemory;
use crate::exec::process::Launch;
use crate::exec::staging::Staged;
use crate::exec::watch::{LogTail, Watch};
use crate::infra::target::Target;
use crate::infra::venv::Venv;
use crate::measure::diagnosis;
use crate::measure::eventlog::{self, PhaseTimings};

/// How often a running app's health is checked (on a thread of its own).
pub const WATCH_EVERY: Duration = Duration::from_secs(3);

/// Everything a mode needs to deploy one run.
pub struct Deployment<'a> {
    pub target: &'a Target,
    pub venv: &'a Venv,
    /// The Spark image, for a driver container.
    pub image: &'a str,
    pub staged: &'a Staged,
    pub elements: u64,
    pub seed: u64,
    /// The run's Arrow arm (Connect sets it on its session; classic modes read the conf file).
    pub arrow: bool,
}

impl Deployment<'_> {
    /// This run's placeholder values for a driver that sees the run directory at `root`
    /// (`None`: where it is on this host) and the master at `master`.
    pub fn placeholders(&self, root: Option<&str>, master: &str) -> Placeholders {
        self.staged
            .placeholders(root, master, self.elements, self.seed)
    }
}

/// How one mode starts the app's driver.
pub trait Driver {
    /// The master URL as this driver sees it (in spark-defaults.conf, `SPARKMODES_MASTER`,
    /// `{master}`, and the app's master file if its manifest names one).
    fn master_url(&self, target: &Target) -> String;
    /// The app this mode runs: by default the one the harness was given (`--app`).
    fn app_source(&self, default: &Path) -> PathBuf {
        default.to_path_buf()
    }
    /// Spark settings this mode needs on top of the scenario's.
    fn conf(&self, target: &Target) -> Result<BTreeMap<String, String>>;
    /// The run directory as the driver sees it; `None` means where it is on this host.
    fn run_root(&self) -> Option<String> {
        None
    }
    fn launch(&self, job: &Deployment) -> Result<Launch>;
    /// What to check while the app runs, for a failure it would only wait on. By default the
    /// driver's own lines that it will never finish: its JVM out of heap (it often hangs
    /// instead of exiting), or a master refusing it (it retries for a minute).
    fn watch(&self, staged: &Staged) -> Option<Watch> {
        let stderr = LogTail::new(staged.stderr.clone());
        Some(Watch {
            every: WATCH_EVERY,
            check: Box::new(move || diagnosis::never_finishes(&stderr.new_lines())),
        })
    }
    /// Where this run's driver memory is measured: by default its host process group.
    fn memory(&self, _staged: &Staged) -> DriverMemory {
        DriverMemory::ProcessGroup
    }
    /// The event log holding this run's jobs: by default its own app's, in the staged dir.
    fn event_log(&self, staged: &Staged) -> Option<PathBuf> {
        eventlog::find_event_log(&staged.event_log_dir)
    }
    /// This run's phases from that log: by default the whole application's.
    fn timings(&self, log: &Path, _elements: u64) -> Option<PhaseTimings> {
        eventlog::parse_file(log).ok()
    }
}

/// A fresh driver for one run of `mode` (the containerized one picks its ports now).
pub fn for_mode(mode: Mode, target: &Target) -> Result<Box<dyn Driver>> {
    Ok(match mode {
        Mode::Direct => Box::new(direct::Direct),
        Mode::Containerized => Box::new(containerized::Containerized::new(target)?),
        Mode::Submit => Box::new(submit::Submit {
            deploy_mode: "client",
        }),
        Mode::PythonMismatch | Mode::VersionSkew | Mode::DriverOom | Mode::MaxResultSize => {
            Box::new(direct::Direct)
        }
        Mode::ClusterRefusal => Box::new(submit::Submit {
            deploy_mode: "cluster",
        }),
        Mode::Connect => Box::new(connect::Connect::new(true, target)?),
        Mode::ConnectClassic => Box::new(connect::Connect::new(false, target)?),
    })
}
