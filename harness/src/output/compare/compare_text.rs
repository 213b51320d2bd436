//! A comparison as a terminal table, Markdown and JSON, with the per-phase verdicts compact
//! in the table and in full in the Markdown.

use std::collections::BTreeMap;
use std::path::Path;

use super::phases::{self, PhaseComparison};
use super::{Comparison, Verdict};
use crate::output::text_table::aligned_table;

impl Comparison {
    pub fn verdict_counts(&self) -> BTreeMap<Verdict, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.rows {
            *counts.entry(r.verdict).or_insert(0) += 1;
        }
        counts
    }

    fn summary_line(&self) -> String {
        let counts: Vec<String> = self
            .verdict_counts()
            .iter()
            .map(|(v, n)| format!("{n} {v}"))
            .collect();
        format!(
            "{} -> {}: {} (threshold {:.0} %, alpha {})",
            self.baseline,
            self.candidate,
            counts.join(", "),
            self.options.threshold.get() * 100.0,
            self.options.alpha
        )
    }

    /// Header plus one row of display cells per compared cell.
    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "cell",
            "n base",
            "n cand",
            "base median s",
            "cand median s",
            "ratio [95% CI]",
            "p",
            "mde",
            "verdict",
            "note",
        ];
        let opt = |v: Option<f64>, f: fn(f64) -> String| v.map_or("-".to_string(), f);
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.cell.clone(),
                    r.n_baseline.to_string(),
                    r.n_candidate.to_string(),
                    opt(r.baseline_median, |x| format!("{x:.3}")),
                    opt(r.candidate_median, |x| format!("{x:.3}")),
                    r.ratio.map_or("-".into(), |e| {
                        format!("{:.3} [{:.3}, {:.3}]", e.point, e.ci_low, e.ci_high)
                    }),
                    opt(r.p_value, |p| format!("{p:.4}")),
                    mde_cell(r),
                    r.verdict.to_string(),
                    r.note.clone().unwrap_or_default(),
                ]
            })
            .collect();
        (header, rows)
    }

    /// A plain-text table with aligned columns, followed by a one-line verdict summary.
    /// Phase verdicts are a compact column (when the records have phases); each slower cell's
    /// "where" line follows the table.
    pub fn to_terminal_table(&self) -> String {
        let (mut header, mut rows) = self.cells();
        self.insert_paired(&mut header, &mut rows);
        let with_phases = self.rows.iter().any(|r| !r.phases.is_empty());
        if with_phases {
            let at = header.len() - 1;
            header.insert(at, "phases cand/base");
            for (row, r) in rows.iter_mut().zip(&self.rows) {
                row.insert(at, phases::compact(&r.phases));
            }
        }
        rows.insert(0, header.into_iter().map(String::from).collect());
        let mut out = aligned_table(&rows, |col| (1..=7).contains(&col));
        if with_phases {
            out.push_str(phases::LEGEND);
            out.push('\n');
        }
        for (cell, line) in self.why_lines() {
            out.push_str(&format!("{cell}: {line}\n"));
        }
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    /// (cell, "slower: start-up ×1.35 [1.20, 1.50]; jobs no-change") per slower cell.
    fn where_lines(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rows
            .iter()
            .filter_map(|r| Some((r.cell.as_str(), r.where_slower.as_deref()?)))
    }

    /// A "paired ratio" column after the unpaired one, when any cell has interleaved pairs.
    fn insert_paired(&self, header: &mut Vec<&'static str>, rows: &mut [Vec<String>]) {
        if self.rows.iter().all(|r| r.paired.is_none()) {
            return;
        }
        let at = header
            .iter()
            .position(|h| *h == "p")
            .map_or(header.len(), |i| i + 1);
        header.insert(at, "paired ratio [95% CI] (blocks, p)");
        for (row, r) in rows.iter_mut().zip(&self.rows) {
            let cell = r.paired.as_ref().map_or("-".into(), |p| {
                format!(
                    "{:.3} [{:.3}, {:.3}] ({}, {:.4})",
                    p.ratio.point, p.ratio.ci_low, p.ratio.ci_high, p.blocks, p.p_value
                )
            });
            row.insert(at, cell);
        }
    }

    /// (cell, line) per cell: its explanation's verdict line, or, without a profile, where a
    /// slower cell's time went.
    fn why_lines(&self) -> Vec<(&str, &str)> {
        self.rows
            .iter()
            .filter_map(|r| {
                let line = r.explanation.as_ref().map(|e| e.line.as_str());
                Some((r.cell.as_str(), line.or(r.where_slower.as_deref())?))
            })
            .collect()
    }

    pub fn to_markdown(&self) -> String {
        let (mut header, mut rows) = self.cells();
        self.insert_paired(&mut header, &mut rows);
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = format!("# Comparison\n\n{}\n\n", self.summary_line());
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for row in rows {
            let row: Vec<String> = row.iter().map(|c| esc(c)).collect();
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out.push_str(
            "\nRatio = candidate / baseline median wall time; p = two-sided Mann–Whitney U. \
             `slower`/`faster` need p < alpha, a CI excluding 1 and a change beyond the \
             threshold; `no-change` needs the whole CI inside the threshold band. \
             Interleaved runs are also compared in pairs (the ratio within each block, \
             Wilcoxon signed-rank p), and the paired verdict decides. mde = the smallest \
             change these runs could have called (`none`: no change of any size).\n",
        );
        self.markdown_phases(&mut out);
        super::explain_text::markdown(self, &mut out);
        out
    }

    /// "Where the time went" (slower cells) and the full per-phase table, when there are phases.
    fn markdown_phases(&self, out: &mut String) {
        let esc = |s: &str| s.replace('|', "\\|");
        let lines: Vec<(&str, &str)> = self.where_lines().collect();
        if !lines.is_empty() {
            out.push_str("\n## Where the time went\n\n");
            for (cell, line) in lines {
                out.push_str(&format!("- `{}`: {}\n", cell.replace('`', "'"), esc(line)));
            }
        }
        if self.rows.iter().all(|r| r.phases.is_empty()) {
            return;
        }
        out.push_str(
            "\n## Phases\n\n| cell | phase | n base | n cand | base median s | cand median s \
             | ratio [95% CI] | p | verdict |\n|---|---|---:|---:|---:|---:|---|---:|---|\n",
        );
        for r in &self.rows {
            for p in &r.phases {
                out.push_str(&format!(
                    "| {} | {} |\n",
                    esc(&r.cell),
                    phase_cells(p).join(" | ")
                ));
            }
        }
        out.push_str(
            "\nstart-up = wall − app (outside the Spark application); app outside jobs = app − \
             jobs. Same verdict rule as the wall time; the exit code follows wall time only.\n",
        );
    }

    /// Writes [`Self::to_markdown`] to `path` (conventionally `<dir>/compare.md`).
    pub fn write_markdown(&self, path: &Path) -> anyhow::Result<()> {
        Ok(crate::files::write(path, self.to_markdown())?)
    }

    /// Writes the comparison as pretty JSON to `path` (conventionally `<dir>/compare.json`).
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        let json = serde_json::to_string_pretty(self)?;
        Ok(crate::files::write(path, json + "\n")?)
    }
}

fn mde_cell(r: &super::CellComparison) -> String {
    match (r.mde, r.baseline_key.as_ref().zip(r.candidate_key.as_ref())) {
        (Some(m), _) => format!("{:.0}%", m * 100.0),
        (None, Some((b, _))) if b.mode.computes() && r.ratio.is_some() => "none".into(),
        _ => "-".into(),
    }
}

/// The display cells of one phase row after the cell name.
fn phase_cells(p: &PhaseComparison) -> Vec<String> {
    vec![
        p.phase.label().to_string(),
        p.n_baseline.to_string(),
        p.n_candidate.to_string(),
        format!("{:.3}", p.baseline_median),
        format!("{:.3}", p.candidate_median),
        p.ratio.map_or("-".into(), |e| {
            format!("{:.3} [{:.3}, {:.3}]", e.point, e.ci_low, e.ci_high)
        }),
        p.p_value.map_or("-".into(), |v| format!("{v:.4}")),
        p.verdict.to_string(),
    ]
}
