//! The tables report.html and summary.md share, as plain text; each format escapes its own.

use super::data::{is_expected_outcome, secs, thousands, Cell, ReportData, Verdict};
use crate::record::{RunRecord, Status};

pub(crate) struct Table {
    pub headers: Vec<&'static str>,
    /// Each row with the cell it describes, so HTML rows can be addressed by cell.
    pub rows: Vec<(String, Vec<String>)>,
}

fn cell_columns(c: &Cell) -> Vec<String> {
    let k = &c.key;
    vec![
        k.spark_version.clone(),
        k.config.clone(),
        k.mode.to_string(),
        if k.arrow { "on" } else { "off" }.into(),
        thousands(k.elements),
    ]
}

const CELL_HEADERS: [&str; 5] = ["Spark", "config", "mode", "Arrow", "elements"];

/// Wall-time statistics of the measurement runs of every computing cell.
pub(crate) fn statistics(data: &ReportData) -> Table {
    let mut headers = CELL_HEADERS.to_vec();
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
            let mut row = cell_columns(c);
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
            row.push(c.arrow_effective().label());
            (c.key.to_string(), row)
        })
        .collect();
    Table { headers, rows }
}

/// Outcome counts of every cell; warmups are counted apart and do not decide the verdict.
pub(crate) fn correctness(data: &ReportData) -> Table {
    let mut headers = CELL_HEADERS.to_vec();
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
            let mut row = cell_columns(c);
            row.extend([
                if c.key.mode.computes() {
                    "correct result"
                } else {
                    "refusal"
                }
                .to_string(),
                c.count(judged).to_string(),
                c.count(|r| judged(r) && is_expected_outcome(r)).to_string(),
                c.count(|r| judged(r) && r.status == Status::Ok && !r.correct && r.mode.computes())
                    .to_string(),
                c.count(|r| judged(r) && r.status == Status::Failed)
                    .to_string(),
                c.count(|r| judged(r) && r.status == Status::Timeout)
                    .to_string(),
                c.count(|r| r.warmup).to_string(),
                verdict_label(c.verdict()),
            ]);
            (c.key.to_string(), row)
        })
        .collect();
    Table { headers, rows }
}

pub(crate) fn verdict_label(v: Verdict) -> String {
    match v {
        Verdict::Pass => "PASS".into(),
        Verdict::Fail { good, of } => format!("FAIL ({good}/{of} as expected)"),
        Verdict::NoRuns => "only warmups".into(),
    }
}

/// What went wrong in one run, in a phrase.
pub(crate) fn failure_kind(r: &RunRecord) -> String {
    match r.status {
        Status::Ok if r.mode.computes() => "wrong result".into(),
        Status::Ok => "not refused".into(),
        Status::RefusedAsExpected => "refused, but a result was expected".into(),
        s => match r.exit_code {
            Some(code) => format!("{s} (exit {code})"),
            None => s.to_string(),
        },
    }
}

/// The one-line headline: counts and the overall verdict.
pub(crate) fn headline(data: &ReportData) -> String {
    let measurements = data.records.iter().filter(|r| r.is_measurement()).count();
    let failures = data.failures().count();
    let failing_cells = data
        .cells
        .iter()
        .filter(|c| matches!(c.verdict(), Verdict::Fail { .. }))
        .count();
    let verdict = if failing_cells == 0 {
        "all cells passed".to_string()
    } else {
        format!("{failing_cells} of {} cells FAILED", data.cells.len())
    };
    format!(
        "{} runs in {} cells, {measurements} measurement runs, {failures} failures: {verdict}",
        data.records.len(),
        data.cells.len()
    )
}
