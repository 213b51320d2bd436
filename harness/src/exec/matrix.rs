//! The matrix runner: one cluster per (Spark version, config) group, the group's runs in
//! their interleaved order, and every record on disk the moment its run ends.

use std::path::Path;

use crate::config::plan::{self, GroupKey, PlannedRun};
use crate::error::Result;
use crate::exec::run::Executor;
use crate::measure::record::RunRecord;
use crate::output::export::{Exporter, RecordSink};
use crate::progress;

/// What the runner needs from the world: a place to run each group's runs. The real one
/// (`backend::SparkBackend`) starts clusters; a mock makes the runner testable without Docker.
pub trait Backend {
    /// Prepares images, venv and cluster for a group (`first` is its first run: its config
    /// and conf are the group's).
    fn start_group(&mut self, key: &GroupKey, first: &PlannedRun) -> Result<()>;
    fn executor(&mut self) -> &mut dyn Executor;
    /// After every run: if the cluster degraded (a container died or paused, or the master
    /// lost workers), say what was wrong, and restore it when `restore` (a run follows on it).
    fn recover(&mut self, restore: bool) -> Result<Option<String>>;
    fn end_group(&mut self);
}

/// Runs `runs` (already filtered for resume) and appends each record to `run_dir`.
pub fn run_plan(
    backend: &mut dyn Backend,
    runs: &[PlannedRun],
    run_dir: &Path,
) -> Result<Vec<RunRecord>> {
    let mut sink = RecordSink::open(run_dir)?;
    let bar = progress::matrix(runs.len() as u64);
    let mut records = Vec::with_capacity(runs.len());
    for (key, group) in plan::groups_of(runs) {
        start_group(backend, &key, &group[0], &bar)?;
        let result = run_round(backend, group, true, &mut sink, &bar, &mut records);
        backend.end_group();
        result?;
    }
    bar.finish_and_clear();
    Ok(records)
}

/// Says which group is being prepared, then has the backend prepare it.
pub(crate) fn start_group(
    backend: &mut dyn Backend,
    key: &GroupKey,
    first: &PlannedRun,
    bar: &indicatif::ProgressBar,
) -> Result<()> {
    let starting = format!(
        "Spark {} / Python {} / {}: preparing images, venv and cluster",
        key.spark_version, key.python, key.config
    );
    progress::step(bar, &starting);
    backend.start_group(key, first)
}

/// Runs `group` (a whole group, or one round of it) in order on the backend's cluster; a run
/// the cluster spoiled gets its one re-run at once. `ends_group`: no run follows this round on
/// the cluster, so a cluster degraded by its last run is not restored only to be removed.
pub(crate) fn run_round(
    backend: &mut dyn Backend,
    group: &[PlannedRun],
    ends_group: bool,
    sink: &mut RecordSink,
    bar: &indicatif::ProgressBar,
    records: &mut Vec<RunRecord>,
) -> Result<()> {
    for (i, run) in group.iter().enumerate() {
        let last = ends_group && i + 1 == group.len();
        let first = run_one(backend, run, !last || earns_rerun(run), sink, bar, records)?;
        if spoiled(&first, run) {
            bar.inc_length(1);
            let mut again = run.clone();
            again.attempt = 1;
            run_one(backend, &again, !last, sink, bar, records)?;
        }
    }
    Ok(())
}

/// A run the cluster spoiled (found degraded after it, and restored): it failed because of the
/// cluster, or succeeded on fewer executors than its cell says and is left out of statistics.
/// It earns one re-run on the restored cluster, so a one-repetition cell still ends with a
/// measurement; both records stay on disk. A fault run degraded the cluster on purpose and a
/// re-run never retries again: at most two attempts per planned run.
fn spoiled(rec: &RunRecord, run: &PlannedRun) -> bool {
    earns_rerun(run) && rec.cluster_fault.is_some()
}

/// A first attempt that did not degrade the cluster on purpose is re-run if the cluster spoils it.
fn earns_rerun(run: &PlannedRun) -> bool {
    run.attempt == 0 && run.fault.is_none()
}

/// Runs one planned run on the group's cluster, blames a degraded cluster (restored when
/// `restore`: a run follows on it), and writes the record before anything else can fail;
/// returns the record (also pushed onto `records`).
pub(crate) fn run_one(
    backend: &mut dyn Backend,
    run: &PlannedRun,
    restore: bool,
    sink: &mut RecordSink,
    bar: &indicatif::ProgressBar,
    records: &mut Vec<RunRecord>,
) -> Result<RunRecord> {
    bar.set_message(describe(run));
    // The run's record first, then its queries' (a multi-query app): all judged alike.
    let mut recs = backend.executor().execute_all(run);
    crate::infra::reaper::park_if_interrupted();
    match backend.recover(restore) {
        Ok(Some(cause)) => recs
            .iter_mut()
            .for_each(|r| blame_cluster(r, run, cause.clone(), restore)),
        Ok(None) => {}
        Err(e) => {
            // The record explains why the matrix stops here; keep it.
            let err = recs[0].error.take().unwrap_or_default();
            recs[0].error = Some(format!("cluster restart failed: {e}; {err}"));
            sink.append(&recs[0])?;
            return Err(e);
        }
    }
    for r in &recs {
        sink.append(r)?;
    }
    bar.inc(1);
    panic_for_tests(records.iter().filter(|r| r.query.is_none()).count() + 1);
    let rec = recs[0].clone();
    if progress::lines() {
        eprintln!("{} {} {:.1}s", describe(run), rec.status, rec.wall_s);
    }
    records.extend(recs);
    Ok(rec)
}

/// The cluster was found degraded after `run` (and restored, if `restored`): a failed run names
/// the cause; a successful one is kept but left out of statistics, since it may have run on
/// fewer executors than its cell says. A fault run degraded the cluster on purpose.
fn blame_cluster(rec: &mut RunRecord, run: &PlannedRun, cause: String, restored: bool) {
    rec.cluster_fault = Some(cause.clone());
    if !rec.status.is_success() {
        let err = rec.error.take().unwrap_or_default();
        rec.error = Some(format!("{cause}; {err}"));
    } else if run.fault.is_none() {
        let then = if restored { ", cluster restored" } else { "" };
        rec.finding = Some(format!("{cause}: left out of statistics{then}"));
        rec.degraded = Some(cause);
    }
}

/// `SPARKMODES_PANIC_AFTER_RUNS=n` panics after the n-th record is written: a fault switch
/// for testing that a panic mid-matrix still removes every container and keeps the records.
fn panic_for_tests(written: usize) {
    let limit = std::env::var("SPARKMODES_PANIC_AFTER_RUNS")
        .ok()
        .and_then(|v| v.parse().ok());
    if limit == Some(written) {
        panic!("SPARKMODES_PANIC_AFTER_RUNS={written} reached");
    }
}

/// One run as a progress line names it: its stack, config and app (so the arms of an
/// interleaved run and the apps of an axis tell apart), its cell, its round and block.
pub fn describe(run: &PlannedRun) -> String {
    let kind = if run.warmup { "warmup" } else { "rep" };
    let stack = crate::config::stack_label(&run.spark_version, &run.python.to_string());
    let mut parts = vec![stack, run.config.name.clone()];
    parts.extend((!run.app.is_empty()).then(|| run.app.clone()));
    parts.push(run.mode.to_string());
    if run.mode.computes() {
        parts.push(format!("arrow={}", if run.arrow { "on" } else { "off" }));
        parts.push(format!("n={}", run.elements));
    }
    parts.push(format!("{kind} {}", run.rep));
    parts.extend(run.block.map(|b| format!("block {b}")));
    parts.join(" ")
}

#[cfg(test)]
mod tests;
