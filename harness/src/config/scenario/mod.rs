//! Scenario files: the matrix a benchmark run covers (Spark versions × cluster configs × modes ×
//! Arrow × element counts), how often each cell repeats, and the cluster it runs on.
//!
//! A scenario is TOML (see `scenarios/*.toml`). Required keys: `name`, `spark_versions`,
//! `modes`, `arrow`, `elements`, `repetitions`. Optional keys and their defaults:
//! `description = ""`, `python` (the host's default Python minor), `apps` (the `--app` app;
//! see `config::variant`), `warmup = 0`,
//! `timeout_s = 600`, `seed = 42`,
//! `[cluster]` (`workers = 2`, `worker_cores = 1`, `worker_memory = "1g"`), `[spark_conf]` (empty),
//! `[[configs]]` (none: one config named after the `[cluster]` shape, e.g. `2w-1c-1g`) and
//! `[fault]` (none) and `[frontier]` (none: see `frontier_table`), `interleave = false` and,
//! with it, `repetitions = "auto"` and `max_repetitions = 20` (see [`Scenario::interleave`]). Each `[[configs]]` entry has a `name` and may override `workers`,
//! `worker_cores`, `worker_memory` and add `conf`.
//!
//! Every mistake is refused with the file, line and key, because a typo in a benchmark matrix
//! otherwise shows up hours later as a silently missing or misconfigured cell.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use frontier_table::{
    config_name, memory_of_config, FrontierSpec, DRIVER_MEMORY, MIN_DRIVER_MIB,
};

use document::Document;
use raw::RawScenario;

use crate::config::python::PythonMinor;
use crate::config::ClusterShape;
use crate::config::{Mode, Seed};
use crate::{Error, Result};

/// Largest element count a scenario may ask for: the driver collects every element into one
/// pandas frame, so beyond this the run measures swapping, not Spark.
pub const MAX_ELEMENTS: u64 = 100_000_000;

/// Bounds on the matrix: far beyond any real benchmark (10,000 runs of 10 s is a day), and
/// small enough that a plan is built in milliseconds.
pub const MAX_REPETITIONS: u32 = 10_000;

/// `max_repetitions` when `repetitions = "auto"` sets none.
pub const DEFAULT_MAX_REPETITIONS: u32 = 20;
pub const MAX_WARMUP: u32 = 1_000;
pub const MAX_RUNS: u64 = 100_000;

/// A scenario file larger than this is not a scenario (and may be `/dev/zero`).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// One named cluster configuration: a shape plus the Spark conf only this config adds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfigSpec {
    pub name: String,
    pub shape: ClusterShape,
    pub conf: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Stop one worker container while the job runs.
    KillWorker,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::KillWorker => "kill-worker",
        }
    }
}

/// A fault injected into every measured computing run, `after_s` seconds after its first Spark
/// job starts.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct FaultSpec {
    pub kind: FaultKind,
    pub after_s: f64,
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}s", self.kind.as_str(), self.after_s)
    }
}

/// A validated scenario. `configs` always holds at least one entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Where the scenario came from (a file path or `builtin:NAME`), for messages.
    pub origin: String,
    pub spark_versions: Vec<String>,
    /// The Python minors (`"3.13"`) drivers and executors run, an axis like the versions;
    /// `None` when the file sets none: [`Scenario::pythons`] is then the default, which
    /// `run` chooses from the host (`config::python::choose_default`).
    #[serde(default)]
    pub python: Option<Vec<PythonMinor>>,
    pub modes: Vec<Mode>,
    /// The app axis (`config::variant`): built-in variants' names or app paths; `None` when
    /// the file sets none: every run then runs the `--app` app ([`Scenario::apps`]).
    #[serde(default)]
    pub apps: Option<Vec<String>>,
    /// The queries a multi-query app (TPC-H) runs; `None`: all of them.
    #[serde(default)]
    pub queries: Option<Vec<u32>>,
    pub arrow: Vec<bool>,
    pub elements: Vec<u64>,
    /// Measured rounds per cell; with [`Scenario::adaptive`], the most there may be.
    pub repetitions: u32,
    /// `repetitions = "auto"`: blocks are added until every paired comparison is decided
    /// (`output::compare::stopping`) or `repetitions` (the file's `max_repetitions`) is reached.
    #[serde(default)]
    pub adaptive: bool,
    /// Arms on different clusters (Spark versions, configs, Python minors) run interleaved:
    /// every arm's cluster up at once, then blocks of one round per arm in a seeded random
    /// order (`exec::interleave`), so the machine's drift falls on every arm alike.
    #[serde(default)]
    pub interleave: bool,
    pub warmup: u32,
    pub timeout_s: f64,
    pub seed: Seed,
    /// The default shape, which `[[configs]]` entries override.
    pub cluster: ClusterShape,
    /// Spark conf for every run; a config's own conf wins over it.
    pub spark_conf: BTreeMap<String, String>,
    pub configs: Vec<ConfigSpec>,
    pub fault: Option<FaultSpec>,
    /// A driver-memory frontier search instead of a fixed list of sizes (`[frontier]`).
    #[serde(default)]
    pub frontier: Option<FrontierSpec>,
}

/// The scenarios shipped in `scenarios/`, by name.
pub const BUILTIN: [(&str, &str); 15] = [
    (
        "compat",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/compat.toml"
        )),
    ),
    (
        "compat-connect",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/compat-connect.toml"
        )),
    ),
    (
        "compat-python",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/compat-python.toml"
        )),
    ),
    (
        "connect",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/connect.toml"
        )),
    ),
    (
        "default",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/default.toml"
        )),
    ),
    (
        "smoke",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/smoke.toml"
        )),
    ),
    (
        "arrow-scan",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/arrow-scan.toml"
        )),
    ),
    (
        "arrow-variants",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/arrow-variants.toml"
        )),
    ),
    (
        "frontier",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/frontier.toml"
        )),
    ),
    (
        "upgrade",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/upgrade.toml"
        )),
    ),
    (
        "interleaved",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/interleaved.toml"
        )),
    ),
    (
        "configs",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/configs.toml"
        )),
    ),
    (
        "faults",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/faults.toml"
        )),
    ),
    (
        "tpch",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/tpch.toml"
        )),
    ),
    (
        "tpch-upgrade",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/tpch-upgrade.toml"
        )),
    ),
];

impl Scenario {
    /// Reads and validates a scenario file; errors name the file, line and key.
    /// Only a regular file of at most [`MAX_FILE_BYTES`] is read: a FIFO would block forever
    /// and `/dev/zero` would fill the memory.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        let text = crate::files::read_text(path, MAX_FILE_BYTES)
            .map_err(|e| Error::input(format!("cannot read scenario {e}")))?;
        Scenario::from_str(&text, &path.display().to_string())
    }

    /// Parses and validates scenario text; `origin` names it in error messages.
    pub fn from_str(text: &str, origin: &str) -> Result<Scenario> {
        let doc = Document::parse(text, origin)?;
        let raw: RawScenario = doc.deserialize()?;
        raw.validate(&doc)
    }

    /// The shipped `scenarios/default.toml`.
    pub fn builtin_default() -> Scenario {
        Scenario::builtin("default").expect("scenarios/default.toml is embedded")
    }

    /// A shipped scenario by name (`default`, `smoke`, `arrow-scan`, ...); `None` if unknown.
    pub fn builtin(name: &str) -> Option<Scenario> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let origin = format!("builtin:{name}");
        // The shipped files are validated by tests, so a failure here is a build defect.
        Some(Scenario::from_str(text, &origin).expect("shipped scenario is valid"))
    }

    /// The Python axis: the scenario's list, or the default minor.
    pub fn pythons(&self) -> Vec<PythonMinor> {
        self.python
            .clone()
            .unwrap_or_else(|| vec![crate::config::python::DEFAULT])
    }

    /// The app axis: the scenario's list, or the one empty name (the `--app` app).
    pub fn apps(&self) -> Vec<String> {
        self.apps.clone().unwrap_or_else(|| vec![String::new()])
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_s)
    }
}

mod checks;
pub(crate) mod document;
mod frontier_table;
mod raw;
mod validate;

pub use validate::MIN_PAIRED_BLOCKS;

#[cfg(test)]
mod tests;
