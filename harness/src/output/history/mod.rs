//! `sparkmodes history`: each cell's median wall time over a series of runs, to see a trend
//! that no single comparison shows, and where along it `compare` would have said `slower`.
//!
//! A point is one run directory or saved baseline (the same inputs `compare` takes); a folder
//! holding such folders (e.g. `reports/baselines` as it is) stands for all of them. Points are
//! ordered by the start of their first run, not by name or argument order. Per cell, every
//! point where it has measurements gets its median with the 95 % CI (the numbers of the run's
//! `summary.md` and `bmf.json`) and the verdict of `compare` against the previous such point.

mod history_page;
mod history_text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::measure::record::{RunRecord, RUNS_JSONL};
use crate::measure::stats::Estimate;
use crate::output::baseline::META_JSON;
use crate::output::compare::{self, CompareOptions, Verdict};
use crate::output::export::trackers;
use crate::output::run_set::{refuse_shared_runs, RunSet};

pub use history_page::HISTORY_HTML;
pub use history_text::write_outputs;

pub const HISTORY_MD: &str = "history.md";
pub const HISTORY_JSON: &str = "history.json";

/// The columns of the history table, in the terminal, history.md and history.html alike.
pub(super) const HEADER: [&str; 6] = [
    "cell",
    "run",
    "started (UTC)",
    "n",
    "median s [95% CI]",
    "vs previous",
];

/// One run directory or baseline, loaded.
#[derive(Debug)]
pub struct Point {
    pub label: String,
    pub source: PathBuf,
    /// The start of its earliest run.
    pub started_at: DateTime<Utc>,
    pub records: Vec<RunRecord>,
}

/// A point as the outputs name it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PointInfo {
    pub label: String,
    pub source: String,
    pub started_at: DateTime<Utc>,
}

/// One cell at one point.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Entry {
    /// Index into [`History::points`].
    pub point: usize,
    pub n: usize,
    pub median: Estimate,
    /// `compare`'s verdict against the cell's previous point; `None` at its first point.
    pub vs_previous: Option<Verdict>,
    /// Medians over the point's measured runs of each phase (`startup_s`, `jobs_s`…) and each
    /// profile metric the runs recorded (`executor_cpu_s`, `gc_s`, `shuffle_read_bytes`…).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Series {
    /// The cell's stable name (`CellKey` Display), as in `bmf.json`.
    pub cell: String,
    pub entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct History {
    pub options: CompareOptions,
    pub points: Vec<PointInfo>,
    pub series: Vec<Series>,
}

/// The point folders `args` stand for: each a run directory or baseline, or a folder of them.
pub fn expand(args: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for arg in args {
        if is_point(arg) || !arg.is_dir() {
            out.push(arg.clone());
            continue;
        }
        let inner = point_children(arg)?;
        if inner.is_empty() {
            bail!(
                "{} holds no run directory ({RUNS_JSONL}) or baseline ({META_JSON})",
                arg.display()
            );
        }
        out.extend(inner);
    }
    Ok(out)
}

fn is_point(dir: &Path) -> bool {
    dir.join(META_JSON).is_file() || dir.join(RUNS_JSONL).is_file()
}

fn point_children(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if is_point(&path) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Loads every point through the run-set door (its notes said on stderr), ordered by start
/// time (ties by label). The same runs at two points are refused: the later would be
/// compared with itself.
pub fn load_points(paths: &[PathBuf]) -> Result<Vec<Point>, String> {
    let mut sets: Vec<RunSet> = Vec::new();
    for path in paths {
        let set = RunSet::open(path)?;
        set.say_notes();
        for earlier in &sets {
            refuse_shared_runs(earlier, &set)?;
        }
        sets.push(set);
    }
    let mut points = sets
        .into_iter()
        .map(point_of)
        .collect::<Result<Vec<_>, _>>()?;
    points.sort_by(|a, b| (a.started_at, &a.label).cmp(&(b.started_at, &b.label)));
    Ok(points)
}

fn point_of(set: RunSet) -> Result<Point, String> {
    let Some(started_at) = set.records.iter().map(|r| r.started_at).min() else {
        return Err(format!("{} holds no run records", set.path.display()));
    };
    Ok(Point {
        label: set.label,
        source: set.path,
        started_at,
        records: set.records,
    })
}

/// Every cell's series over `points` (which must be in time order).
pub fn build(points: &[Point], opts: &CompareOptions) -> History {
    let mut series: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (i, point) in points.iter().enumerate() {
        for cell in trackers::cell_metrics(&point.records) {
            let entries = series.entry(cell.cell.clone()).or_default();
            let previous = entries.last().map(|e| &points[e.point]);
            let wall = &cell.metrics[0];
            entries.push(Entry {
                point: i,
                n: wall.n,
                median: wall.median,
                vs_previous: previous.map(|prev| verdict(prev, point, &cell.cell, opts)),
                metrics: metric_medians(&point.records, &cell.cell),
            });
        }
    }
    History {
        options: *opts,
        points: points.iter().map(info).collect(),
        series: series
            .into_iter()
            .map(|(cell, entries)| Series { cell, entries })
            .collect(),
    }
}

/// The medians of one cell's phases and profile metrics over a point's measured runs.
fn metric_medians(records: &[RunRecord], cell: &str) -> BTreeMap<String, f64> {
    let runs: Vec<&RunRecord> = records
        .iter()
        .filter(|r| r.is_measurement() && r.cell().to_string() == cell)
        .collect();
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &runs {
        for phase in compare::Phase::ALL {
            if let Some(v) = phase.of(r) {
                values.entry(phase_key(phase)).or_default().push(v);
            }
        }
        for (k, v) in r.profile.iter().flat_map(|p| &p.metrics) {
            values.entry(k.clone()).or_default().push(*v);
        }
    }
    values
        .into_iter()
        .filter_map(|(k, v)| Some((k, crate::measure::stats::median(&v)?)))
        .collect()
}

fn phase_key(phase: compare::Phase) -> String {
    serde_json::to_value(phase)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// `compare`'s verdict on one cell, `prev` as baseline and `cur` as candidate.
fn verdict(prev: &Point, cur: &Point, cell: &str, opts: &CompareOptions) -> Verdict {
    let of = |p: &Point| -> Vec<RunRecord> {
        let records = p.records.iter().filter(|r| r.cell().to_string() == cell);
        records.cloned().collect()
    };
    let comparison = compare::compare(&of(prev), &of(cur), opts);
    comparison
        .rows
        .first()
        .map_or(Verdict::Inconclusive, |r| r.verdict)
}

fn info(p: &Point) -> PointInfo {
    PointInfo {
        label: p.label.clone(),
        source: p.source.display().to_string(),
        started_at: p.started_at,
    }
}

#[cfg(test)]
mod tests;
