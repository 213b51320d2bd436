//! One record per run: the unit every exporter, statistic, report and comparison reads.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::plan::RunIdentity;
use crate::config::{CellKey, Mode, PlannedRun};
pub use crate::measure::correctness::Correctness;
use crate::measure::diagnosis;
use crate::measure::profile::Profile;

/// How a run ended. `RefusedAsExpected` is the success outcome of the cluster-refusal mode,
/// `FailedAsExpected` that of the other negative cells (python-mismatch, connect-classic).
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    #[default]
    Failed,
    Timeout,
    RefusedAsExpected,
    FailedAsExpected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Timeout => "timeout",
            Status::RefusedAsExpected => "refused-as-expected",
            Status::FailedAsExpected => "failed-as-expected",
        }
    }

    /// A run that did what its mode promises (timings of failed runs mean nothing).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Status::Ok | Status::RefusedAsExpected | Status::FailedAsExpected
        )
    }

    /// The outcome a non-computing mode promises (`Ok` for the computing ones).
    /// Derived from [`Mode::expected_failure`], so every negative mode — present or future —
    /// promises a failure, never `Ok`.
    pub fn promised_by(mode: Mode) -> Status {
        match (mode, mode.expected_failure()) {
            (_, None) => Status::Ok,
            (Mode::ClusterRefusal, Some(_)) => Status::RefusedAsExpected,
            (_, Some(_)) => Status::FailedAsExpected,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A flat, CSV-friendly record of one run. Optional fields are empty cells in CSV.
/// `Default` is a failed run of nothing, for tests to fill in what they care about.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    pub run_id: String,
    pub scenario: String,
    pub spark_version: String,
    /// The Python minor of drivers and executors (`3.11`, `3.13`); records written before
    /// the Python axis existed were all 3.11 and load as such.
    #[serde(default = "default_python")]
    pub python: String,
    /// Names the cluster shape and extra conf, so two configs of one scenario stay apart.
    pub config: String,
    /// The app axis value (`config::variant`: `typed`, `sql`, …); empty for the `--app` app,
    /// which is what records written before the axis existed load as.
    #[serde(default)]
    pub app: String,
    pub mode: Mode,
    pub arrow: bool,
    pub arrow_effective: Option<bool>,
    pub elements: u64,
    pub workers: u32,
    pub worker_cores: u32,
    pub rep: u32,
    pub warmup: bool,
    pub status: Status,
    /// `true`, `false`, or `unknown` when the app declares no check (see `Correctness`).
    pub correct: Correctness,
    pub wall_s: f64,
    pub app_s: Option<f64>,
    pub jobs_s: Option<f64>,
    pub collect_s: Option<f64>,
    pub tasks: Option<u64>,
    /// Executors the app really got (from the event log), to compare with `workers`.
    pub executors: Option<u32>,
    /// Which Python UDF path the plan ran: `BatchEvalPython` (pickled rows) or
    /// `ArrowEvalPython` (Arrow batches), from the SQL plan in the event log.
    pub udf_eval: Option<String>,
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
    /// Set when the cluster was found degraded (a worker dead, paused or missing from the
    /// master) after this run: the run is kept but left out of statistics.
    pub degraded: Option<String>,
    /// The known failure a failed run's output matched (`measure::diagnosis`), e.g.
    /// `python-mismatch`; its explanation and fix are in `finding`.
    pub diagnosis: Option<String>,
    /// Peak memory of the driver (MiB): a host driver's process group's summed RSS, sampled;
    /// a driver container's cgroup peak. Empty in records from before it was measured.
    #[serde(default)]
    pub driver_peak_mib: Option<f64>,
    /// Peak memory of the executors (MiB): the sum over worker containers of each one's
    /// cgroup peak during the run (Worker daemon included).
    #[serde(default)]
    pub executors_peak_mib: Option<f64>,
    /// A probe of a driver-memory frontier search (`exec::frontier_search`): failing at a result
    /// limit ([`RunRecord::hit_result_limit`]) is then the answer, not a broken promise.
    #[serde(default)]
    pub frontier: bool,
    /// 0 for a planned run's first attempt; 1 for the one re-run a cluster failure earns it
    /// (`exec::matrix`): the spoiled attempt stays on disk beside it.
    #[serde(default)]
    pub attempt: u32,
    /// The cluster failure found after this run (a container dead or paused, workers missing),
    /// restored before the next run: it explains `degraded` or the run's error.
    #[serde(default)]
    pub cluster_fault: Option<String>,
    /// For a query of a multi-query app (TPC-H): its number. Such a record is one query of the
    /// run whose record has `query` empty; its times, rows and correctness are the query's.
    #[serde(default)]
    pub query: Option<u32>,
    /// Rows the query returned (query records only).
    #[serde(default)]
    pub rows: Option<u64>,
    /// The block of an interleaved run (`exec::interleave`): the runs of every arm with the
    /// same block ran back to back and are compared in pairs (`output::compare::paired`).
    #[serde(default)]
    pub block: Option<u32>,
    /// What the run (or query) did: plan operators, task metrics, properties, warnings.
    /// Nested JSON in `runs.jsonl`; one JSON text cell in `runs.csv`.
    #[serde(default)]
    pub profile: Option<Profile>,
}

fn default_python() -> String {
    crate::config::python::DEFAULT.to_string()
}

impl RunRecord {
    /// The record of `run` before it ran: failed until judged otherwise.
    pub fn for_run(run_id: &str, scenario: &str, run: &PlannedRun) -> RunRecord {
        RunRecord {
            run_id: run_id.to_string(),
            scenario: scenario.to_string(),
            spark_version: run.spark_version.clone(),
            python: run.python.to_string(),
            config: run.config.name.clone(),
            app: run.app.clone(),
            mode: run.mode,
            arrow: run.arrow,
            elements: run.elements,
            workers: run.config.shape.workers,
            worker_cores: run.config.shape.worker_cores,
            rep: run.rep,
            warmup: run.warmup,
            frontier: run.frontier,
            attempt: run.attempt,
            block: run.block,
            started_at: Utc::now(),
            ..RunRecord::default()
        }
    }

    /// A plausible successful direct-mode run of the default scenario with every timing
    /// filled in, as measured on 3.5.9: for tests and benchmarks to vary.
    pub fn example() -> RunRecord {
        RunRecord {
            run_id: "example".into(),
            scenario: "default".into(),
            spark_version: "3.5.9".into(),
            python: default_python(),
            config: "2w-1c-1g".into(),
            arrow: true,
            arrow_effective: Some(true),
            elements: 100_000,
            workers: 2,
            worker_cores: 1,
            status: Status::Ok,
            correct: Correctness::Yes,
            wall_s: 12.345,
            app_s: Some(11.5),
            jobs_s: Some(6.25),
            collect_s: Some(6.0),
            tasks: Some(2),
            executor_run_s: Some(7.151),
            gc_s: Some(0.165),
            exit_code: Some(0),
            ..RunRecord::default()
        }
    }

    pub fn cell(&self) -> CellKey {
        CellKey {
            spark_version: self.spark_version.clone(),
            python: self.python.clone(),
            config: self.config.clone(),
            app: self.app.clone(),
            mode: self.mode,
            arrow: self.arrow,
            elements: self.elements,
            query: self.query,
        }
    }

    /// The planned run this record is of (what `--resume` matches on).
    pub fn identity(&self) -> RunIdentity {
        RunIdentity {
            cell: self.cell(),
            rep: self.rep,
            warmup: self.warmup,
        }
    }

    /// What tells this run apart from every other in a record set: its run id, its planned
    /// run, and its attempt (`records_file` refuses a set holding one key twice).
    pub fn run_key(&self) -> String {
        format!(
            "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            self.run_id,
            self.cell(),
            self.rep,
            self.warmup,
            self.attempt
        )
    }

    /// A number no real run can have (a negative, infinite or absurd time or memory): what a
    /// hand-edited or corrupted record holds, named by field. Statistics, charts and verdicts
    /// would otherwise take it at face value.
    pub fn implausible(&self) -> Option<String> {
        /// A year: longer than any run's timeout.
        const MAX_S: f64 = 366.0 * 24.0 * 3600.0;
        /// 1 PiB in MiB.
        const MAX_MIB: f64 = (1u64 << 30) as f64;
        let secs = [
            ("wall_s", Some(self.wall_s)),
            ("app_s", self.app_s),
            ("jobs_s", self.jobs_s),
            ("collect_s", self.collect_s),
            ("executor_run_s", self.executor_run_s),
            ("gc_s", self.gc_s),
        ];
        let mibs = [
            ("driver_peak_mib", self.driver_peak_mib),
            ("executors_peak_mib", self.executors_peak_mib),
        ];
        let bad = |(name, v): (&str, Option<f64>), max: f64| {
            v.filter(|v| !(v.is_finite() && (0.0..=max).contains(v)))
                .map(|v| match v.abs() < 1e9 {
                    true => format!("{name} = {v} is not a time or size a run can have"),
                    false => format!("{name} = {v:e} is not a time or size a run can have"),
                })
        };
        secs.into_iter()
            .find_map(|f| bad(f, MAX_S))
            .or_else(|| mibs.into_iter().find_map(|f| bad(f, MAX_MIB)))
    }

    /// Whether the run counts towards timing statistics.
    pub fn is_measurement(&self) -> bool {
        !self.warmup && self.completed() && self.degraded.is_none()
    }

    /// The one judgement of a run: did it do what its mode promises — compute an answer not
    /// known to be wrong (right, or unknown for an app that declares no check; a frontier
    /// probe may instead stop at a result limit), or (the negative modes) be refused / fail
    /// the way they must? Exit codes, JUnit, reports, comparisons and the terminal table all
    /// ask this.
    pub fn kept_promise(&self) -> bool {
        if self.mode.computes() {
            self.completed() || (self.frontier && self.hit_result_limit())
        } else {
            self.status == Status::promised_by(self.mode)
        }
    }

    /// Whether a computing run finished with an answer not known to be wrong.
    pub fn completed(&self) -> bool {
        self.status == Status::Ok && self.correct.not_wrong()
    }

    /// Whether the run failed because its result did not fit (the driver's or an executor's heap,
    /// or maxResultSize)
    /// ([`diagnosis::is_result_limit`]): a frontier probe that did found the frontier.
    pub fn hit_result_limit(&self) -> bool {
        !self.completed()
            && self
                .diagnosis
                .as_deref()
                .is_some_and(diagnosis::is_result_limit)
    }

    /// Why the run broke its mode's promise, in words; `None` if it kept it.
    pub fn problem(&self) -> Option<String> {
        if self.kept_promise() {
            return None;
        }
        let which = if self.warmup { "warmup" } else { "rep" };
        let detail = match self.error.as_deref() {
            // The judge's words already say it: no "wrong result: wrong result: …".
            Some(e) if self.status == Status::Ok && e.starts_with("wrong result") => {
                return Some(format!("{which} {}: {e}", self.rep));
            }
            Some(e) => format!(": {e}"),
            None => String::new(),
        };
        let what = match (self.mode.computes(), self.status) {
            (false, status) => format!(
                "the expected outcome `{}` did not happen (status {status})",
                Status::promised_by(self.mode)
            ),
            (true, Status::Ok) => "wrong result".to_string(),
            (true, status) => status.to_string(),
        };
        Some(format!("{which} {}: {what}{detail}", self.rep))
    }
}

/// Wall times of the runs that count towards statistics (see [`RunRecord::is_measurement`]).
pub fn measured_walls<'a>(records: impl IntoIterator<Item = &'a RunRecord>) -> Vec<f64> {
    records
        .into_iter()
        .filter(|r| r.is_measurement())
        .map(|r| r.wall_s)
        .collect()
}

/// The computing cells (a frontier's probes aside) that ended with no measurement at all: every
/// run failed, or was spoiled by the cluster and so was its re-run. A run that says "all cells
/// passed" must not hide one.
pub fn unmeasured_cells(records: &[RunRecord]) -> Vec<CellKey> {
    by_cell(records)
        .into_iter()
        .filter(|(key, runs)| key.mode.computes() && !runs.iter().any(|r| r.frontier))
        .filter(|(_, runs)| !runs.iter().any(|r| r.is_measurement()))
        .map(|(key, _)| key)
        .collect()
}

/// Records grouped by matrix cell, each group in file order.
pub fn by_cell<'a>(
    records: impl IntoIterator<Item = &'a RunRecord>,
) -> BTreeMap<CellKey, Vec<&'a RunRecord>> {
    let mut cells: BTreeMap<CellKey, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        cells.entry(r.cell()).or_default().push(r);
    }
    cells
}

/// File names inside a run directory.
pub const RUNS_JSONL: &str = "runs.jsonl";
pub const RUNS_CSV: &str = "runs.csv";

#[cfg(test)]
mod tests {
    use super::*;

    /// A negative cell that failed exactly as its mode expects keeps its promise, for every
    /// negative mode (version-skew, driver-oom and max-result-size once promised `ok`).
    #[test]
    fn every_negative_mode_is_kept_by_its_expected_failure() {
        for mode in Mode::ALL.into_iter().filter(|m| !m.computes()) {
            let promised = Status::promised_by(mode);
            assert_ne!(promised, Status::Ok, "{mode}");
            let rec = RunRecord {
                mode,
                status: promised,
                ..RunRecord::example()
            };
            assert!(rec.kept_promise(), "{mode}");
            let ok = RunRecord {
                status: Status::Ok,
                ..rec
            };
            assert!(!ok.kept_promise(), "{mode}: succeeding is not its promise");
        }
    }

    #[test]
    fn a_cell_key_without_app_loads_as_the_given_app_with_its_old_label() {
        let old = r#"{"spark_version":"3.5.9","config":"2w-1c-1g","mode":"direct","arrow":true,"elements":1000}"#;
        let key: CellKey = serde_json::from_str(old).unwrap();
        assert_eq!(key.app, "");
        assert!(
            key.to_string().ends_with("2w-1c-1g/direct/arrow-on/1000"),
            "{key}"
        );
    }
}
