//! Plain-text tables with aligned columns, for every table sparkmodes prints to a terminal.

use crate::config::CellKey;
use crate::measure::record::{by_cell, measured_walls, Correctness, RunRecord, Status};

/// Pads each column to its widest cell (two spaces apart); `right(col)` right-aligns numbers.
pub fn aligned_table(rows: &[Vec<String>], right: impl Fn(usize) -> bool) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        widths.resize(widths.len().max(row.len()), 0);
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(col, (cell, &w))| {
                if right(col) {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The terminal table: one line per cell (Spark version, Python, config, app on an app axis,
/// mode, Arrow, size) → status, correct (`k/n`, or `unknown` for an app without a check), wall
/// time.
pub fn cell_table(records: &[RunRecord]) -> String {
    let has_apps = records.iter().any(|r| !r.app.is_empty());
    let app_column = |app: &str| match has_apps {
        true => format!("{:<10} ", if app.is_empty() { "--app" } else { app }),
        false => String::new(),
    };
    let mut out = format!(
        "{:<8} {:<6} {:<14} {}{:<16} {:<10} {:>10} {:>4}  {:<22} {:>8} {:>12}\n",
        "spark",
        "python",
        "config",
        app_column("app"),
        "mode",
        "arrow",
        "elements",
        "n",
        "status",
        "correct",
        "median wall"
    );
    // A multi-query app (TPC-H) is sized by scale factor: its runs are those with query records.
    let by_sf: std::collections::HashSet<(&str, u64)> = records
        .iter()
        .filter(|r| r.query.is_some())
        .map(|r| (r.app.as_str(), r.elements))
        .collect();
    for (cell, runs) in by_cell(records) {
        let sf = by_sf.contains(&(cell.app.as_str(), cell.elements));
        let counted: Vec<&&RunRecord> = runs.iter().filter(|r| !r.warmup).collect();
        out.push_str(&format!(
            "{:<8} {:<6} {:<14} {}{:<16} {:<10} {:>10} {:>4}  {:<22} {:>8} {:>12}\n",
            cell.spark_version,
            cell.python,
            cell.config,
            app_column(&cell.app),
            cell.mode.as_str(),
            arrow_column(&cell),
            elements_column(&cell, sf),
            counted.len(),
            summarize_status(&counted),
            correct_label(&counted),
            median_column(&runs),
        ));
    }
    out
}

fn arrow_column(cell: &CellKey) -> &'static str {
    match cell.mode.computes() {
        true => cell.arrow_label(),
        false => "-",
    }
}

/// The size (a scale factor for a multi-query app: `SF 0.1`), and for one query of such an
/// app its number (`SF 0.1 q06`).
fn elements_column(cell: &CellKey, scale_factor: bool) -> String {
    let size = match scale_factor {
        true => format!(
            "SF {}",
            crate::config::tpch_size::scale_factor(cell.elements)
        ),
        false => cell.elements.to_string(),
    };
    match (cell.mode.computes(), cell.query) {
        (true, Some(q)) => format!("{size} q{q:02}"),
        (true, None) => size,
        (false, _) => "-".into(),
    }
}

fn median_column(runs: &[&RunRecord]) -> String {
    let measured = measured_walls(runs.iter().copied());
    crate::measure::stats::median(&measured).map_or("-".into(), |m| format!("{m:.2}s"))
}

/// Runs that kept their promise out of those counted, or `unknown` when the runs that kept it
/// were never judged (the app declares no check).
fn correct_label(runs: &[&&RunRecord]) -> String {
    let kept: Vec<_> = runs.iter().filter(|r| r.kept_promise()).collect();
    let unknown = kept.iter().all(|r| r.correct == Correctness::Unknown);
    match (kept.is_empty(), unknown) {
        (false, true) => "unknown".into(),
        _ => format!("{}/{}", kept.len(), runs.len()),
    }
}

/// The cell's statuses, each failed one with the diagnosis its runs matched, if any:
/// `ok,failed(driver-out-of-memory)`; an app's result judged wrong is `wrong-result`, one
/// never judged `ok(unchecked)`.
fn summarize_status(runs: &[&&RunRecord]) -> String {
    let mut statuses: Vec<String> = runs
        .iter()
        .map(|r| match (&r.diagnosis, r.status, r.correct) {
            (_, Status::Ok, Correctness::No) if r.mode.computes() => "wrong-result".into(),
            (_, Status::Ok, Correctness::Unknown) => "ok(unchecked)".into(),
            (Some(d), s, _) if s != Status::FailedAsExpected => format!("{s}({d})"),
            _ => r.status.to_string(),
        })
        .collect();
    statuses.sort();
    statuses.dedup();
    statuses.join(",")
}
