//! Files that CI performance trackers ingest as they are: Bencher Metric Format (`bmf.json`)
//! and github-action-benchmark's `customSmallerIsBetter` array (`benchmark-action.json`).
//!
//! Both are written from the same per-cell estimates, so a cell carries one name everywhere
//! (its `CellKey` Display, e.g. `3.5.9/2w-1c-1g/direct/arrow-on/100000`) and the numbers agree
//! with `summary.md` (same bootstrap seed per cell). Cells without measurements (the refusal
//! mode, or every run failed) are left out, and so is any estimate that is not finite: a
//! tracker that ingests `NaN` or `null` rejects the whole file or draws nonsense.

pub mod benchmark_action;
pub mod bmf;

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::measure::record::{by_cell, RunRecord};
use crate::measure::stats::{self, Estimate};

pub use benchmark_action::BENCHMARK_ACTION_JSON;
pub use bmf::BMF_JSON;

/// One timed quantity of a cell, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// `wall_s`, `app_s`, `jobs_s` or `collect_s`: the record field it summarizes.
    pub field: &'static str,
    /// Median with its 95 % bootstrap CI; every number finite.
    pub median: Estimate,
    /// How many measurement runs had the field.
    pub n: usize,
}

/// The tracked numbers of one cell: wall time first, then the phases the records carry.
#[derive(Clone, Debug, PartialEq)]
pub struct CellMetrics {
    /// The cell's stable name, `CellKey`'s Display.
    pub cell: String,
    pub metrics: Vec<Metric>,
}

/// Reads one timing field of a record.
type Field = fn(&RunRecord) -> Option<f64>;

/// The record fields that become metrics, in output order.
const FIELDS: [(&str, Field); 4] = [
    ("wall_s", |r| Some(r.wall_s)),
    ("app_s", |r| r.app_s),
    ("jobs_s", |r| r.jobs_s),
    ("collect_s", |r| r.collect_s),
];

/// Per-cell estimates of every measured cell, in `CellKey` order.
pub fn cell_metrics(records: &[RunRecord]) -> Vec<CellMetrics> {
    by_cell(records)
        .into_iter()
        .filter_map(|(key, runs)| {
            let runs: Vec<&RunRecord> = runs.into_iter().filter(|r| r.is_measurement()).collect();
            let metrics: Vec<Metric> = FIELDS
                .iter()
                .filter_map(|(field, get)| metric(field, &runs, *get, key.seed()))
                .collect();
            // Without a wall-time estimate the cell has nothing a tracker should plot.
            let has_wall = metrics.first().is_some_and(|m| m.field == "wall_s");
            has_wall.then(|| CellMetrics {
                cell: key.to_string(),
                metrics,
            })
        })
        .collect()
}

fn metric(field: &'static str, runs: &[&RunRecord], get: Field, seed: u64) -> Option<Metric> {
    let samples: Vec<f64> = runs
        .iter()
        .filter_map(|r| get(r))
        .filter(|x| x.is_finite())
        .collect();
    let median = stats::summarize(&samples, seed)?.median;
    let finite = [median.point, median.ci_low, median.ci_high]
        .iter()
        .all(|x| x.is_finite());
    finite.then_some(Metric {
        field,
        median,
        n: samples.len(),
    })
}

/// Writes `value` as pretty JSON to `path`, naming the path in any error.
fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value)
        .with_context(|| format!("cannot format {} as JSON", path.display()))?;
    Ok(crate::files::write(path, json + "\n")?)
}

/// Writes `bmf.json` and `benchmark-action.json` for `records` into `dir`.
pub fn write_all(dir: &Path, records: &[RunRecord]) -> anyhow::Result<Vec<PathBuf>> {
    let cells = cell_metrics(records);
    let bmf = dir.join(BMF_JSON);
    write_json(&bmf, &bmf::document(&cells))?;
    let action = dir.join(BENCHMARK_ACTION_JSON);
    write_json(&action, &benchmark_action::document(&cells))?;
    Ok(vec![bmf, action])
}

#[cfg(test)]
mod tests;
