//! The matrix runner: one cluster per (Spark version, config) group, the group's runs in
//! their interleaved order, and every record on disk the moment its run ends.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::export::{Exporter, RecordSink};
use crate::plan::{self, GroupKey, PlannedRun};
use crate::progress;
use crate::record::{RunRecord, Status};
use crate::run::Executor;
use crate::scenario::ConfigSpec;

/// What the runner needs from the world: a place to run each group's runs. The real one
/// (`backend::SparkBackend`) starts clusters; a mock makes the runner testable without Docker.
pub trait Backend {
    /// Prepares images, venv and cluster for a group.
    fn start_group(&mut self, key: &GroupKey, config: &ConfigSpec) -> Result<()>;
    fn executor(&mut self) -> &mut dyn Executor;
    /// After a failed run: if a cluster container died, restart the cluster and say what died.
    fn recover(&mut self) -> Result<Option<String>>;
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
        bar.set_message(format!(
            "starting cluster for Spark {} / {}",
            key.spark_version, key.config
        ));
        backend.start_group(&key, &group[0].config)?;
        let result = run_group(backend, group, &mut sink, &bar, &mut records);
        backend.end_group();
        result?;
    }
    bar.finish_and_clear();
    Ok(records)
}

fn run_group(
    backend: &mut dyn Backend,
    group: &[PlannedRun],
    sink: &mut RecordSink,
    bar: &indicatif::ProgressBar,
    records: &mut Vec<RunRecord>,
) -> Result<()> {
    for run in group {
        bar.set_message(describe(run));
        let mut rec = backend.executor().execute(run);
        if crate::reaper::interrupted() {
            crate::reaper::wait_for_exit();
        }
        if !rec.status.is_success() || run.fault.is_some() {
            match backend.recover() {
                Ok(Some(cause)) if !rec.status.is_success() => {
                    let err = rec.error.take().unwrap_or_default();
                    rec.error = Some(format!("{cause}; {err}"));
                }
                Ok(_) => {}
                Err(e) => {
                    // The record explains why the matrix stops here; keep it.
                    let err = rec.error.take().unwrap_or_default();
                    rec.error = Some(format!("cluster restart failed: {e}; {err}"));
                    sink.append(&rec)?;
                    return Err(e);
                }
            }
        }
        sink.append(&rec)?;
        bar.inc(1);
        panic_for_tests(records.len() + 1);
        if progress::is_quiet() {
            eprintln!("{} {} {:.1}s", describe(run), rec.status, rec.wall_s);
        }
        records.push(rec);
    }
    Ok(())
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

pub fn describe(run: &PlannedRun) -> String {
    let kind = if run.warmup { "warmup" } else { "rep" };
    if run.mode.computes() {
        format!(
            "{} {} arrow={} n={} {kind} {}",
            run.spark_version,
            run.mode,
            if run.arrow { "on" } else { "off" },
            run.elements,
            run.rep
        )
    } else {
        format!("{} {} {kind} {}", run.spark_version, run.mode, run.rep)
    }
}

/// Checks, creating nothing, that `new_run_dir(reports, run_id)` can succeed: the id is one
/// plain name, its directory does not exist yet, and `reports` is (or can become) a writable
/// directory. Run before anything expensive so bad input fails fast and leaves no trace.
pub fn check_new_run_dir(reports: &Path, run_id: &str) -> Result<()> {
    check_run_id("--run-id", run_id)?;
    refuse_existing(&reports.join(run_id), run_id)?;
    check_writable(reports)
}

/// A run id names one directory under `--output`, never a path out of it.
pub fn check_run_id(flag: &str, run_id: &str) -> Result<()> {
    let mut parts = Path::new(run_id).components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(_)), None) => Ok(()),
        _ => Err(Error::setup(format!(
            "{flag} `{run_id}` must be a plain directory name, not a path"
        ))),
    }
}

fn refuse_existing(dir: &Path, run_id: &str) -> Result<()> {
    if dir.exists() {
        return Err(Error::setup(format!(
            "{} already exists: pass --resume {run_id} to complete it, or choose another --run-id",
            dir.display()
        )));
    }
    Ok(())
}

/// `--output` must be a directory we can create directories in, or be creatable itself:
/// the nearest existing ancestor is probed with an empty directory, removed at once.
fn check_writable(reports: &Path) -> Result<()> {
    let existing = reports
        .ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let at = if existing == reports {
        String::new()
    } else {
        format!(": {}", existing.display())
    };
    if !existing.is_dir() {
        return Err(Error::setup(format!(
            "--output {}{at} is not a directory: pass --output with a writable directory",
            reports.display()
        )));
    }
    let probe = existing.join(format!(".sparkmodes-probe-{}", std::process::id()));
    match std::fs::create_dir(&probe) {
        Ok(()) => Ok(std::fs::remove_dir(&probe)?),
        // Left by an earlier process with our pid: the directory was writable then.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::setup(format!(
            "--output {} is not writable: cannot create a directory in {}: {e}",
            reports.display(),
            existing.display()
        ))),
    }
}

/// `reports/<run-id>` for a new run; refuses to reuse an existing one (that is `--resume`).
pub fn new_run_dir(reports: &Path, run_id: &str) -> Result<PathBuf> {
    let dir = reports.join(run_id);
    refuse_existing(&dir, run_id)?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::setup(format!(
            "cannot create the run directory {}: {e} (pass --output to write elsewhere)",
            dir.display()
        ))
    })?;
    // Absolute: the path is handed to processes and containers that do not share our cwd.
    Ok(dir.canonicalize()?)
}

/// The terminal table: one line per cell, mode × arrow → status, correct, wall time.
pub fn table(records: &[RunRecord]) -> String {
    use std::collections::BTreeMap;
    let mut cells: BTreeMap<_, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        cells.entry(r.cell()).or_default().push(r);
    }
    let mut out = format!(
        "{:<8} {:<14} {:<16} {:<10} {:>10} {:>4}  {:<22} {:>8} {:>12}\n",
        "spark", "config", "mode", "arrow", "elements", "n", "status", "correct", "median wall"
    );
    for (cell, runs) in cells {
        let measured: Vec<f64> = runs
            .iter()
            .filter(|r| r.is_measurement())
            .map(|r| r.wall_s)
            .collect();
        let counted: Vec<&&RunRecord> = runs.iter().filter(|r| !r.warmup).collect();
        let ok = counted.iter().filter(|r| r.status.is_success()).count();
        let status = summarize_status(&counted);
        let arrow = if cell.mode.computes() {
            cell.arrow_label()
        } else {
            "-"
        };
        let median = crate::stats::median(&measured).map_or("-".into(), |m| format!("{m:.2}s"));
        let elements = if cell.mode.computes() {
            cell.elements.to_string()
        } else {
            "-".into()
        };
        out.push_str(&format!(
            "{:<8} {:<14} {:<16} {:<10} {:>10} {:>4}  {:<22} {:>8} {:>12}\n",
            cell.spark_version,
            cell.config,
            cell.mode.as_str(),
            arrow,
            elements,
            counted.len(),
            status,
            format!("{ok}/{}", counted.len()),
            median
        ));
    }
    out
}

fn summarize_status(runs: &[&&RunRecord]) -> String {
    let mut statuses: Vec<Status> = runs.iter().map(|r| r.status).collect();
    statuses.sort();
    statuses.dedup();
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests;
