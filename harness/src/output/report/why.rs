//! The report's "Comparisons" section: the comparisons written inside the run directory
//! (`compare-*/compare.json`, by `run` for its Spark versions, configs and Pythons) as one
//! table — cell, verdict, ratio, the smallest change the runs could have seen, and the line
//! saying why. Read as data (the few fields shown), so the report stays renderable from the
//! run directory alone and does not depend on the comparison code.

use std::path::Path;

use serde::Deserialize;

use super::tables::Table;

/// compare.json is a few hundred kB at most for the largest matrices.
const MAX_BYTES: u64 = 64 << 20;

#[derive(Deserialize)]
struct File {
    baseline: String,
    candidate: String,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    cell: String,
    verdict: String,
    #[serde(default)]
    mde: Option<f64>,
    #[serde(default)]
    explanation: Option<Why>,
    #[serde(rename = "where", default)]
    where_slower: Option<String>,
}

#[derive(Deserialize)]
struct Why {
    line: String,
}

/// The section's table; no rows when the run has no comparison.
pub fn table(run_dir: &Path) -> Table {
    let mut rows = Vec::new();
    for f in comparisons(run_dir) {
        for r in &f.rows {
            let why = r
                .explanation
                .as_ref()
                .map(|w| w.line.as_str())
                .or(r.where_slower.as_deref());
            let key = format!("{} -> {} {}", f.baseline, f.candidate, r.cell);
            rows.push((
                key,
                vec![
                    format!("{} → {}", f.baseline, f.candidate),
                    r.cell.clone(),
                    r.verdict.clone(),
                    r.mde.map_or("-".into(), |m| format!("{:.0} %", m * 100.0)),
                    why.unwrap_or("").to_string(),
                ],
            ));
        }
    }
    Table {
        headers: vec!["comparison", "cell", "verdict", "mde", "why"],
        rows,
    }
}

/// Every readable `compare-*/compare.json`, by folder name; unreadable ones are skipped (the
/// comparison's own files say what it was).
fn comparisons(run_dir: &Path) -> Vec<File> {
    let Ok(entries) = std::fs::read_dir(run_dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("compare-"))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.iter()
        .filter_map(|d| crate::files::read_text(&d.join("compare.json"), MAX_BYTES).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect()
}
