//! The verdict a pipeline acts on: a comparison written as Markdown, JSON, a chart and JUnit
//! cases, and the exit code it implies.

use std::path::Path;

use super::{Comparison, Verdict, COMPARE_JSON, COMPARE_MD};
use crate::measure::record::{measured_walls, CellKey, RunRecord};
use crate::measure::stats;
use crate::output::export::junit::JunitCase;
use crate::output::report::{self, ComparisonRow};

/// Writes `compare.md`, `compare.json` and `charts/comparison.{svg,png}` into `out_dir`.
pub fn write_outputs(
    out_dir: &Path,
    comparison: &Comparison,
    baseline: &[RunRecord],
    candidate: &[RunRecord],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out_dir)?;
    comparison.write_markdown(&out_dir.join(COMPARE_MD))?;
    comparison.write_json(&out_dir.join(COMPARE_JSON))?;
    let rows = chart_rows(comparison, baseline, candidate);
    if !rows.is_empty() {
        let title = format!("{} → {}", comparison.baseline, comparison.candidate);
        report::render_comparison(&out_dir.join(report::CHARTS_DIR), &title, &rows)?;
    }
    Ok(())
}

fn chart_rows(
    c: &Comparison,
    baseline: &[RunRecord],
    candidate: &[RunRecord],
) -> Vec<ComparisonRow> {
    c.rows
        .iter()
        .filter_map(|row| {
            let b = median_estimate(baseline, row.baseline_key.as_ref()?)?;
            let k = median_estimate(candidate, row.candidate_key.as_ref()?)?;
            Some(ComparisonRow {
                label: row.cell.clone(),
                baseline: b,
                candidate: k,
            })
        })
        .collect()
}

fn median_estimate(records: &[RunRecord], key: &CellKey) -> Option<stats::Estimate> {
    let walls = measured_walls(records.iter().filter(|r| &r.cell() == key));
    stats::summarize(&walls, 7).map(|s| s.median)
}

/// One JUnit case per compared cell: failing on a regression, a wrong result or a refusal change.
pub fn junit_cases(c: &Comparison) -> Vec<JunitCase> {
    c.rows
        .iter()
        .map(|row| {
            let failure = match row.verdict {
                Verdict::Slower | Verdict::WrongResult | Verdict::RefusalChanged => Some(format!(
                    "{}: {}{}",
                    row.verdict,
                    row.ratio
                        .map_or(String::new(), |r| format!("ratio {:.3} ", r.point)),
                    row.note.clone().unwrap_or_default()
                )),
                _ => None,
            };
            JunitCase {
                name: format!("regression {}", row.cell),
                classname: format!("{} vs {}", c.baseline, c.candidate),
                time_s: 0.0,
                failure,
            }
        })
        .collect()
}
