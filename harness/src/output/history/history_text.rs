//! A history as a terminal table, Markdown (`history.md`), JSON (`history.json`) and a chart
//! (`charts/history.{svg,png}`).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{history_page, Entry, History, HEADER, HISTORY_JSON, HISTORY_MD};
use crate::output::compare::Verdict;
use crate::output::report::{self, HistoryMark, HistorySeries};
use crate::output::text_table::aligned_table;

impl History {
    /// One row per cell and point, cells grouped, points in time order.
    pub(super) fn rows(&self) -> Vec<Vec<String>> {
        self.series
            .iter()
            .flat_map(|s| s.entries.iter().map(|e| self.row(&s.cell, e)))
            .collect()
    }

    fn row(&self, cell: &str, e: &Entry) -> Vec<String> {
        let point = &self.points[e.point];
        let m = &e.median;
        vec![
            cell.to_string(),
            point.label.clone(),
            point.started_at.format("%Y-%m-%d %H:%M").to_string(),
            e.n.to_string(),
            format!("{:.3} [{:.3}, {:.3}]", m.point, m.ci_low, m.ci_high),
            e.vs_previous.map_or("-".into(), |v| v.to_string()),
        ]
    }

    /// How many points `compare` would call slower than the one before.
    pub fn slower_count(&self) -> usize {
        let entries = self.series.iter().flat_map(|s| &s.entries);
        entries
            .filter(|e| e.vs_previous == Some(Verdict::Slower))
            .count()
    }

    pub(super) fn summary_line(&self) -> String {
        format!(
            "{} runs, {} cells; {} point(s) slower than the previous one (threshold {:.0} %)",
            self.points.len(),
            self.series.len(),
            self.slower_count(),
            self.options.threshold.get() * 100.0
        )
    }

    pub fn to_terminal_table(&self) -> String {
        let mut rows = vec![HEADER.map(String::from).to_vec()];
        rows.extend(self.rows());
        let mut out = aligned_table(&rows, |col| col == 3);
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    /// GitHub-renderable: a table, slower points in bold, no HTML.
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = format!("# History\n\n{}\n\n", self.summary_line());
        out.push_str(&format!("| {} |\n", HEADER.join(" | ")));
        out.push_str("|---|---|---|---:|---:|---|\n");
        for mut row in self.rows() {
            if row[5] == Verdict::Slower.as_str() {
                row[5] = format!("**{}**", row[5]);
            }
            let cells: Vec<String> = row.iter().map(|c| esc(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push_str(
            "\nPoints in order of their first run's start. `vs previous` is what \
             `sparkmodes compare` says of the cell against its previous point.\n",
        );
        out
    }

    fn chart_series(&self) -> Vec<HistorySeries> {
        let mark = |e: &Entry| HistoryMark {
            x: e.point,
            median: e.median,
            slower: e.vs_previous == Some(Verdict::Slower),
        };
        self.series
            .iter()
            .map(|s| HistorySeries {
                label: s.cell.clone(),
                marks: s.entries.iter().map(mark).collect(),
            })
            .collect()
    }
}

/// Writes `history.md`, `history.json`, when any cell was measured the chart, and
/// `history.html` into `out_dir`; returns the paths written.
pub fn write_outputs(out_dir: &Path, history: &History) -> anyhow::Result<Vec<PathBuf>> {
    crate::files::create_dir(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let md = out_dir.join(HISTORY_MD);
    crate::files::write(&md, history.to_markdown())?;
    let json = out_dir.join(HISTORY_JSON);
    let text = serde_json::to_string_pretty(history)
        .with_context(|| format!("cannot format {} as JSON", json.display()))?;
    crate::files::write(&json, text + "\n")?;
    let mut written = vec![md, json];
    let mut chart = None;
    if !history.series.is_empty() {
        let runs: Vec<String> = history.points.iter().map(|p| p.label.clone()).collect();
        let dir = out_dir.join(report::CHARTS_DIR);
        let files =
            report::render_history(&dir, "Wall time over runs", &runs, &history.chart_series())?;
        written.extend([files.svg.clone(), files.png.clone()]);
        chart = Some(files);
    }
    let mut charts: Vec<_> = chart.into_iter().collect();
    for (metric, what) in CHARTED {
        let series = history.metric_series(metric);
        if series.iter().any(|s| !s.marks.is_empty()) {
            let runs: Vec<String> = history.points.iter().map(|p| p.label.clone()).collect();
            let dir = out_dir.join(report::CHARTS_DIR);
            let files = report::render_history_metric(&dir, metric, what, &runs, &series)?;
            written.extend([files.svg.clone(), files.png.clone()]);
            charts.push(files);
        }
    }
    written.push(history_page::write(out_dir, history, &charts)?);
    Ok(written)
}

/// The metrics `history` charts beside wall time: where a job's time goes, and what it moves.
const CHARTED: [(&str, &str); 6] = [
    ("startup_s", "start-up (s)"),
    ("jobs_s", "jobs (s)"),
    ("executor_cpu_s", "task CPU time (s)"),
    ("gc_s", "JVM GC in tasks (s)"),
    ("shuffle_write_bytes", "shuffle bytes written"),
    ("python_run_s", "time running Python workers (s)"),
];

impl History {
    /// One metric's medians as chart series (a point without the metric has no mark).
    fn metric_series(&self, metric: &str) -> Vec<HistorySeries> {
        self.series
            .iter()
            .map(|s| HistorySeries {
                label: s.cell.clone(),
                marks: s
                    .entries
                    .iter()
                    .filter_map(|e| {
                        let v = *e.metrics.get(metric)?;
                        let median = crate::measure::stats::Estimate {
                            point: v,
                            std_err: 0.0,
                            ci_low: v,
                            ci_high: v,
                            confidence: 0.95,
                        };
                        Some(HistoryMark {
                            x: e.point,
                            median,
                            slower: false,
                        })
                    })
                    .collect(),
            })
            .collect()
    }
}
