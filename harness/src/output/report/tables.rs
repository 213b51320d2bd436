//! The tables report.html and summary.md share, as plain text; each format escapes its own.

use super::data::{cell_seed, secs, thousands, ArrowEffective, Cell, Memory, ReportData, Verdict};
use crate::config::memory_mib;
use crate::config::scenario::memory_of_config;
use crate::config::CellKey;
use crate::measure::advisor;
use crate::measure::frontier_lines as measure_frontier;
use crate::measure::record::{Correctness, RunRecord, Status};
use crate::measure::stats::{self, Estimate, Summary};

pub(crate) struct Table {
    pub headers: Vec<&'static str>,
    /// Each row with the cell it describes, so HTML rows can be addressed by cell.
    pub rows: Vec<(String, Vec<String>)>,
}

fn cell_columns(data: &ReportData, c: &Cell) -> Vec<String> {
    let k = &c.key;
    let mut row = vec![k.spark_version.clone(), k.python.clone(), k.config.clone()];
    if data.has_apps() {
        row.push(app_label(&k.app).to_string());
    }
    row.extend([
        k.mode.to_string(),
        // Arrow means nothing to a run that is refused before it computes.
        match (k.mode.computes(), k.arrow) {
            (false, _) => "—".into(),
            (true, true) => "on".into(),
            (true, false) => "off".into(),
        },
        data.size(k.elements),
    ]);
    row
}

/// The app column's value: the variant's name, or `--app` for the app the command line named.
pub(crate) fn app_label(app: &str) -> &str {
    match app {
        "" => "--app",
        a => a,
    }
}

/// The cell columns' headers; `app` only in a run with an app axis, so other runs' tables
/// stay as they were.
fn cell_headers(data: &ReportData) -> Vec<&'static str> {
    let mut h = vec!["Spark", "Python", "config"];
    if data.has_apps() {
        h.push("app");
    }
    h.extend(["mode", "Arrow", "elements"]);
    h
}

/// Wall-time statistics of the measurement runs of every computing cell.
pub(crate) fn statistics(data: &ReportData) -> Table {
    let mut headers = cell_headers(data);
    headers.extend([
        "n",
        "median (s) [95 % CI]",
        "mean",
        "stddev",
        "MAD",
        "min",
        "max",
        "outliers",
        "Arrow effective",
    ]);
    let rows = data
        .timed_cells()
        .map(|c| {
            let mut row = cell_columns(data, c);
            match &c.summary {
                Some(s) => row.extend([
                    s.n.to_string(),
                    format!(
                        "{} [{} – {}]",
                        secs(s.median.point),
                        secs(s.median.ci_low),
                        secs(s.median.ci_high)
                    ),
                    secs(s.mean),
                    secs(s.stddev),
                    secs(s.mad),
                    secs(s.min),
                    secs(s.max),
                    s.outliers.len().to_string(),
                ]),
                None => {
                    row.push("0".into());
                    row.extend(std::iter::repeat_n("—".to_string(), 7));
                }
            }
            row.push(arrow_effective_label(c));
            (c.key.to_string(), row)
        })
        .collect();
    Table { headers, rows }
}

/// Arrow requested but not used (pandas/pyarrow missing, a fallback) is the case to flag.
fn arrow_effective_label(c: &Cell) -> String {
    let effective = c.arrow_effective();
    if c.key.arrow && effective == ArrowEffective::No {
        "no (fell back)".into()
    } else {
        effective.label()
    }
}

/// Outcome counts of every cell; warmups are counted apart and do not decide the verdict.
pub(crate) fn correctness(data: &ReportData) -> Table {
    let mut headers = cell_headers(data);
    headers.extend([
        "expected",
        "runs",
        "as expected",
        "wrong result",
        "failed",
        "timeout",
        "warmups",
        "verdict",
    ]);
    let rows = data
        .cells
        .iter()
        .map(|c| {
            let judged = |r: &RunRecord| !r.warmup;
            let mut row = cell_columns(data, c);
            row.extend([
                expected_label(c.key.mode),
                c.count(judged).to_string(),
                c.count(|r| judged(r) && r.kept_promise()).to_string(),
                c.count(|r| {
                    judged(r)
                        && r.status == Status::Ok
                        && r.correct == Correctness::No
                        && r.mode.computes()
                })
                .to_string(),
                c.count(|r| judged(r) && r.status == Status::Failed)
                    .to_string(),
                c.count(|r| judged(r) && r.status == Status::Timeout)
                    .to_string(),
                c.count(|r| r.warmup).to_string(),
                cell_verdict(c),
            ]);
            (c.key.to_string(), row)
        })
        .collect();
    Table { headers, rows }
}

/// What a cell's runs promise: a result, the master's refusal, or a named failure.
fn expected_label(mode: crate::config::Mode) -> String {
    match (Status::promised_by(mode), mode.expected_failure()) {
        (Status::RefusedAsExpected, _) => "refusal".into(),
        (_, Some(failure)) => format!("failure: {failure}"),
        _ => "result".into(),
    }
}

/// The verdict, saying when the runs that passed were never judged (the app has no check).
fn cell_verdict(c: &Cell) -> String {
    let unknown = c.count(|r| !r.warmup && r.correct == Correctness::Unknown);
    match (c.verdict(), unknown) {
        (Verdict::Pass, n) if n > 0 => "PASS (correctness unknown: no check)".into(),
        (v, _) => verdict_label(v),
    }
}

pub(crate) fn verdict_label(v: Verdict) -> String {
    match v {
        Verdict::Pass => "PASS".into(),
        Verdict::Fail { good, of } => format!("FAIL ({good}/{of} as expected)"),
        Verdict::NoRuns => "only warmups".into(),
        Verdict::Unmeasured => "NO MEASUREMENT (every run spoiled by the cluster)".into(),
    }
}

/// What went wrong in one run, in a phrase.
pub(crate) fn failure_kind(r: &RunRecord) -> String {
    match r.status {
        Status::Ok if r.mode.computes() => "wrong result".into(),
        Status::Ok => "not refused".into(),
        Status::RefusedAsExpected | Status::FailedAsExpected if r.mode.computes() => {
            "refused, but a result was expected".into()
        }
        Status::RefusedAsExpected | Status::FailedAsExpected => {
            format!(
                "{}, but {} was expected",
                r.status,
                Status::promised_by(r.mode)
            )
        }
        s => match r.exit_code {
            Some(code) => format!("{s} (exit {code})"),
            None => s.to_string(),
        },
    }
}

/// The one-line headline: counts and the overall verdict.
pub(crate) fn headline(data: &ReportData) -> String {
    let measurements = data.runs().filter(|r| r.is_measurement()).count();
    let failures = data.failures().count();
    let failing_cells = data
        .cells
        .iter()
        .filter(|c| matches!(c.verdict(), Verdict::Fail { .. }))
        .count();
    let unmeasured = data
        .cells
        .iter()
        .filter(|c| c.verdict() == Verdict::Unmeasured)
        .count();
    let verdict = match (failing_cells, unmeasured) {
        (0, 0) => "all cells passed".to_string(),
        (0, u) => format!(
            "{u} of {} cells left WITHOUT A MEASUREMENT",
            data.cells.len()
        ),
        (f, 0) => format!("{f} of {} cells FAILED", data.cells.len()),
        (f, u) => format!(
            "{f} of {} cells FAILED, {u} left WITHOUT A MEASUREMENT",
            data.cells.len()
        ),
    };
    format!(
        "{} in {}, {}, {}: {verdict}{}",
        plural(data.runs().count(), "run"),
        plural(data.cells.len(), "cell"),
        plural(measurements, "measurement run"),
        plural(failures, "failure"),
        unchecked_note(data),
    )
}

/// Said in the headline whenever some runs were never judged: passing is not being right.
fn unchecked_note(data: &ReportData) -> String {
    let unknown = data
        .runs()
        .filter(|r| r.correct == Correctness::Unknown)
        .count();
    match unknown {
        0 => String::new(),
        n => format!(
            " ({} with correctness unknown: the app declares no check)",
            plural(n, "run")
        ),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Right-align counts, seconds and "median [CI]" cells, but not versions like 3.5.1.
pub(crate) fn is_numeric(v: &str) -> bool {
    let first = v.split_whitespace().next().unwrap_or("");
    first.replace(',', "").parse::<f64>().is_ok()
}

/// One row per diagnosis the runs matched (`measure::diagnosis`): how often, in which cells,
/// and the explanation with its fix (from the first such run's finding).
pub(crate) fn diagnoses(data: &ReportData) -> Table {
    let mut by_name: std::collections::BTreeMap<&str, Vec<&RunRecord>> = Default::default();
    for r in data.runs().filter(|r| r.diagnosis.is_some()) {
        by_name
            .entry(r.diagnosis.as_deref().unwrap_or_default())
            .or_default()
            .push(r);
    }
    let rows = by_name
        .into_iter()
        .map(|(name, runs)| {
            let mut cells: Vec<String> = runs.iter().map(|r| r.cell().to_string()).collect();
            cells.dedup();
            let explained = runs[0].finding.clone().unwrap_or_default();
            let row = vec![
                name.to_string(),
                runs.len().to_string(),
                cells.join(", "),
                explained,
            ];
            (name.to_string(), row)
        })
        .collect();
    Table {
        headers: vec![
            "diagnosis",
            "runs",
            "cells",
            "what Spark said, what it means, the fix",
        ],
        rows,
    }
}

/// Peak memory of the measurement runs of every computing cell that measured it (`driver_peak_mib`,
/// `executors_peak_mib`): median with its 95 % bootstrap CI, in MiB.
pub(crate) fn memory(data: &ReportData) -> Table {
    let mut headers = cell_headers(data);
    headers.extend([
        "n",
        "driver peak (MiB) [95 % CI]",
        "executors peak (MiB) [95 % CI]",
    ]);
    let rows = data
        .timed_cells()
        .filter(|c| c.memory_summary(Memory::Driver).is_some())
        .map(|c| {
            let mut row = cell_columns(data, c);
            row.push(c.memory_samples(Memory::Driver).len().to_string());
            row.push(mib_estimate(c.memory_summary(Memory::Driver)));
            row.push(mib_estimate(c.memory_summary(Memory::Executors)));
            (c.key.to_string(), row)
        })
        .collect();
    Table { headers, rows }
}

fn mib_estimate(s: Option<Summary>) -> String {
    match s {
        Some(s) => format!(
            "{:.0} [{:.0} – {:.0}]",
            s.median.point, s.median.ci_low, s.median.ci_high
        ),
        None => "—".into(),
    }
}

/// One row per cell the Arrow advisor flagged (`measure::advisor`), with what the Arrow-friendly
/// variants the matrix ran beside it gave: this cell's median over the variant's (above 1, the
/// variant is faster), with the ratio's 95 % bootstrap CI.
pub(crate) fn arrow_advice(data: &ReportData) -> Table {
    let rows = data
        .timed_cells()
        .filter(|c| c.measurements().any(advisor::pickles_despite_arrow))
        .map(|c| {
            let row = vec![c.key.to_string(), measured_gains(data, c)];
            (c.key.to_string(), row)
        })
        .collect();
    Table {
        headers: vec![
            "cell (Arrow on, rows still pickled: BatchEvalPython)",
            "an Arrow-friendly variant of the same cell: this cell ÷ variant, median [95 % CI]",
        ],
        rows,
    }
}

fn measured_gains(data: &ReportData, c: &Cell) -> String {
    let gains: Vec<String> = advisor::ARROW_FRIENDLY
        .iter()
        .filter_map(|variant| {
            let key = CellKey {
                app: variant.to_string(),
                ..c.key.clone()
            };
            let other = data.timed_cells().find(|o| o.key == key)?;
            let seed = cell_seed(&other.key);
            let wall = stats::ratio_of_medians(&c.wall_samples(), &other.wall_samples(), seed)?;
            let collect =
                stats::ratio_of_medians(&c.collect_samples(), &other.collect_samples(), seed);
            Some(format!(
                "{variant}: wall ×{}{}",
                ratio(wall),
                collect.map_or(String::new(), |e| format!(", collect ×{}", ratio(e)))
            ))
        })
        .collect();
    match gains.is_empty() {
        true => "not measured here: run the cell with apps = [..., \"vectorized\", \"sql\"]".into(),
        false => gains.join("; "),
    }
}

fn ratio(e: Estimate) -> String {
    format!("{:.2} [{:.2} – {:.2}]", e.point, e.ci_low, e.ci_high)
}

/// One row per line of a driver-memory frontier search (`measure::frontier_lines`): the largest
/// element count that completed, the smallest above it that did not, and why.
pub(crate) fn frontier(data: &ReportData) -> Table {
    let mut headers = vec!["Spark", "Python", "driver memory"];
    if data.has_apps() {
        headers.push("app");
    }
    headers.extend([
        "mode",
        "Arrow",
        "largest completed",
        "smallest failed",
        "failed because",
        "runs",
    ]);
    let mut lines = measure_frontier::lines(data.records);
    // Smallest driver first (the key's order is the config name's: "1g" before "512m").
    lines.sort_by_key(|l| (l.line.stack(), memory_mib(memory_of_config(&l.line.config))));
    let rows = lines
        .into_iter()
        .map(|l| {
            let k = &l.line;
            let memory = memory_of_config(&k.config);
            let mut row = vec![
                k.spark_version.clone(),
                k.python.clone(),
                memory.to_string(),
            ];
            if data.has_apps() {
                row.push(app_label(&k.app).to_string());
            }
            row.extend([
                k.mode.to_string(),
                if k.arrow { "on" } else { "off" }.to_string(),
                l.completed
                    .map_or("— (none: below the range)".into(), thousands),
                l.failed
                    .map_or("— (none: above the range)".into(), thousands),
                l.failed_because.clone().unwrap_or_else(|| "—".into()),
                l.runs.to_string(),
            ]);
            (k.to_string(), row)
        })
        .collect();
    Table { headers, rows }
}
