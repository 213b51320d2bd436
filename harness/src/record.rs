//! One record per run: the unit every exporter, statistic, report and comparison reads.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::mode::Mode;

/// How a run ended. `RefusedAsExpected` is the success outcome of the cluster-refusal mode.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    Failed,
    Timeout,
    RefusedAsExpected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Timeout => "timeout",
            Status::RefusedAsExpected => "refused-as-expected",
        }
    }

    /// A run that did what its mode promises (timings of failed runs mean nothing).
    pub fn is_success(self) -> bool {
        matches!(self, Status::Ok | Status::RefusedAsExpected)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A flat, CSV-friendly record of one run. Optional fields are empty cells in CSV.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub run_id: String,
    pub scenario: String,
    pub spark_version: String,
    /// Names the cluster shape and extra conf, so two configs of one scenario stay apart.
    pub config: String,
    pub mode: Mode,
    pub arrow: bool,
    pub arrow_effective: Option<bool>,
    pub elements: u64,
    pub workers: u32,
    pub worker_cores: u32,
    pub rep: u32,
    pub warmup: bool,
    pub status: Status,
    pub correct: bool,
    pub wall_s: f64,
    pub app_s: Option<f64>,
    pub jobs_s: Option<f64>,
    pub collect_s: Option<f64>,
    pub tasks: Option<u64>,
    pub executor_run_s: Option<f64>,
    pub gc_s: Option<f64>,
    pub exit_code: Option<i32>,
    pub error: Option<String>,
    pub fault: Option<String>,
    pub started_at: DateTime<Utc>,
    /// Paths relative to the run directory.
    pub stdout_path: Option<String>,
    pub stderr_path: Option<String>,
    pub event_log_path: Option<String>,
    /// Something noticed in a run that still passed, e.g. Arrow requested but not used.
    pub finding: Option<String>,
}

/// The identity of a matrix cell: records with equal keys are repetitions of one measurement.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub spark_version: String,
    pub config: String,
    pub mode: Mode,
    pub arrow: bool,
    pub elements: u64,
}

impl CellKey {
    pub fn arrow_label(&self) -> &'static str {
        if self.arrow {
            "arrow-on"
        } else {
            "arrow-off"
        }
    }
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}/{}",
            self.spark_version,
            self.config,
            self.mode,
            self.arrow_label(),
            self.elements
        )
    }
}

impl RunRecord {
    pub fn cell(&self) -> CellKey {
        CellKey {
            spark_version: self.spark_version.clone(),
            config: self.config.clone(),
            mode: self.mode,
            arrow: self.arrow,
            elements: self.elements,
        }
    }

    /// Whether the run counts towards timing statistics.
    pub fn is_measurement(&self) -> bool {
        !self.warmup && self.status == Status::Ok && self.correct
    }
}

/// File names inside a run directory.
pub const RUNS_JSONL: &str = "runs.jsonl";
pub const RUNS_CSV: &str = "runs.csv";

/// Reads every record of a run directory from its `runs.jsonl` (one JSON record per line).
/// A torn last line (the process died while writing it) is skipped; any other bad line is an
/// error naming the file and line.
pub fn load_records(run_dir: &std::path::Path) -> anyhow::Result<Vec<RunRecord>> {
    use anyhow::Context;
    let path = run_dir.join(RUNS_JSONL);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: is this a sparkmodes run directory?",
            path.display()
        )
    })?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut records = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(r) => records.push(r),
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => anyhow::bail!("{}:{}: not a run record: {e}", path.display(), i + 1),
        }
    }
    Ok(records)
}
