//! The verdict a pipeline acts on: a comparison written as Markdown, JSON, a chart and JUnit
//! cases, and the exit code it implies.

use std::path::Path;

use super::phases::Phase;
use super::{mde, CellComparison, Comparison, Verdict, COMPARE_JSON, COMPARE_MD};
use crate::config::CellKey;
use crate::measure::record::{measured_walls, RunRecord};
use crate::measure::stats;
use crate::output::export::junit::JunitCase;
use crate::output::report::{self, ComparisonRow};
use crate::Exit;

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

/// Per cell its wall-time row, then one row per phase compared (`· start-up`, `· jobs`…), so
/// the chart shows where the time went as well as how much.
fn chart_rows(
    c: &Comparison,
    baseline: &[RunRecord],
    candidate: &[RunRecord],
) -> Vec<ComparisonRow> {
    let mut rows = Vec::new();
    for row in &c.rows {
        let (Some(bk), Some(ck)) = (&row.baseline_key, &row.candidate_key) else {
            continue;
        };
        let (b, k) = (cell_of(baseline, bk), cell_of(candidate, ck));
        let (Some(bw), Some(kw)) = (
            median_estimate(measured_walls(b.clone())),
            median_estimate(measured_walls(k.clone())),
        ) else {
            continue;
        };
        rows.push(ComparisonRow {
            label: row.cell.clone(),
            baseline: bw,
            candidate: kw,
        });
        rows.extend(row.phases.iter().filter_map(|p| phase_row(p.phase, &b, &k)));
    }
    rows
}

fn cell_of<'a>(records: &'a [RunRecord], key: &CellKey) -> Vec<&'a RunRecord> {
    records.iter().filter(|r| &r.cell() == key).collect()
}

fn phase_row(
    phase: Phase,
    baseline: &[&RunRecord],
    candidate: &[&RunRecord],
) -> Option<ComparisonRow> {
    let values = |records: &[&RunRecord]| -> Vec<f64> {
        records
            .iter()
            .filter(|r| r.is_measurement())
            .filter_map(|r| phase.of(r))
            .collect()
    };
    Some(ComparisonRow {
        label: format!("· {}", phase.label()),
        baseline: median_estimate(values(baseline))?,
        candidate: median_estimate(values(candidate))?,
    })
}

fn median_estimate(values: Vec<f64>) -> Option<stats::Estimate> {
    stats::summarize(&values, 7).map(|s| s.median)
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

impl Comparison {
    /// The gate's verdict: 3 if any correctness or refusal change, a baseline cell missing
    /// from the candidate (something did not run) or nothing compared at all; else 4 if any
    /// cell is slower; else 0.
    pub fn exit(&self) -> Exit {
        let any = |v: Verdict| self.rows.iter().any(|r| r.verdict == v);
        if any(Verdict::WrongResult) || any(Verdict::RefusalChanged) || self.gap().is_some() {
            Exit::WrongResult
        } else if any(Verdict::Slower) {
            Exit::Regression
        } else {
            Exit::Ok
        }
    }

    /// Why the comparison cannot vouch for the candidate although no cell failed: it compared
    /// no cell at all, or a cell of the baseline has no *measured* run in the candidate (none at
    /// all, or only warmups, degraded runs or a frontier's probes: `RunRecord::is_measurement`,
    /// the one definition statistics, JUnit and the trackers use too).
    pub fn gap(&self) -> Option<String> {
        let missing: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.baseline_key.is_some() && r.unmeasured_in_candidate())
            .map(|r| r.cell.as_str())
            .collect();
        if !missing.is_empty() {
            return Some(format!(
                "{} baseline cell(s) have no measured run in the candidate (no run, or only warmups or degraded runs): {}",
                missing.len(),
                missing.join(", ")
            ));
        }
        if let Some(noisy) = self.too_noisy() {
            return Some(noisy);
        }
        let both = self
            .rows
            .iter()
            .any(|r| r.baseline_key.is_some() && r.candidate_key.is_some());
        (!both).then(|| "nothing was compared: no cell has runs on both sides".to_string())
    }
}

impl Comparison {
    /// `--require-mde`: the timed cells whose minimum detectable effect is above the bound
    /// (or unbounded), said as one reason.
    pub fn too_noisy(&self) -> Option<String> {
        let bound = self.options.require_mde?.get();
        let noisy: Vec<String> = self
            .rows
            .iter()
            .filter(|r| {
                matches!(
                    r.verdict,
                    Verdict::Inconclusive | Verdict::NoChange | Verdict::Faster | Verdict::Slower
                )
            })
            .filter(|r| r.baseline_key.as_ref().is_some_and(|k| k.mode.computes()))
            .filter(|r| r.mde.is_none_or(|m| m > bound))
            .map(|r| format!("{} {}", r.cell, mde::phrase(r.mde)))
            .collect();
        (!noisy.is_empty()).then(|| {
            format!(
                "too noisy for --require-mde {:.0} %: {}",
                bound * 100.0,
                noisy.join("; ")
            )
        })
    }
}

impl CellComparison {
    /// The candidate side has nothing to vouch with: no run of the cell, or (a computing
    /// cell whose runs did not fail: failures are `wrong-result`) no measured one.
    fn unmeasured_in_candidate(&self) -> bool {
        match &self.candidate_key {
            None => true,
            Some(key) => {
                key.mode.computes() && self.n_candidate == 0 && self.verdict != Verdict::WrongResult
            }
        }
    }
}
