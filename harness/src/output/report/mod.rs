//! Reports of a run directory: charts (SVG + PNG), a self-contained `report.html`, a
//! `summary.md` and the CI trackers' files (`bmf.json`, `benchmark-action.json`), all rebuilt
//! from `runs.jsonl` alone so any machine can re-render them.

pub mod charts;
mod data;
mod font;
mod html;
mod markdown;
mod tables;
mod why;

use std::path::{Path, PathBuf};

use anyhow::anyhow;

pub use charts::comparison::{render_comparison, ComparisonRow};
pub use charts::history::{render_history, render_history_metric, HistoryMark, HistorySeries};
pub use charts::ChartFiles;
pub(crate) use html::{esc, figure, page_start};

use crate::measure::record::RUNS_JSONL;
use crate::measure::records_file::load_records;
use crate::output::export::trackers;
use charts::{
    arrow_speedup::ArrowSpeedupChart, frontier_chart::FrontierChart, memory_chart::MemoryChart,
    phases_chart::PhasesChart, versions_chart::VersionsChart, wall::WallChart,
};
use data::ReportData;

pub const REPORT_HTML: &str = "report.html";
pub const SUMMARY_MD: &str = "summary.md";
/// Charts go in a subdirectory so the run directory stays readable.
pub const CHARTS_DIR: &str = "charts";
/// Optional: whatever the run recorded about its environment, as one JSON object.
pub const ENVIRONMENT_JSON: &str = "environment.json";

/// The frontier table of a `[frontier]` run for the terminal; `None` when `records` hold no
/// frontier probe.
pub fn frontier_text(records: &[crate::measure::record::RunRecord]) -> Option<String> {
    let data = ReportData::new(records);
    let table = tables::frontier(&data);
    if table.rows.is_empty() {
        return None;
    }
    let mut rows = vec![table.headers.iter().map(|h| h.to_string()).collect()];
    rows.extend(table.rows.into_iter().map(|(_, row)| row));
    Some(crate::output::text_table::aligned_table(&rows, |_| false))
}

/// Everything one `render` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub charts: Vec<ChartFiles>,
    /// `bmf.json` and `benchmark-action.json`.
    pub trackers: Vec<PathBuf>,
}

impl ReportFiles {
    pub fn paths(&self) -> Vec<&Path> {
        let charts = self
            .charts
            .iter()
            .flat_map(|c| [c.svg.as_path(), c.png.as_path()]);
        [self.html.as_path(), self.markdown.as_path()]
            .into_iter()
            .chain(charts)
            .chain(self.trackers.iter().map(PathBuf::as_path))
            .collect()
    }
}

/// Renders every chart, `report.html`, `summary.md` and the tracker files into `run_dir` from
/// its records.
pub fn render(run_dir: &Path) -> anyhow::Result<ReportFiles> {
    let jsonl = run_dir.join(RUNS_JSONL);
    let records = load_records(run_dir)
        .map_err(|e| anyhow!("no run records in {}: {e:#}", jsonl.display()))?;
    anyhow::ensure!(
        !records.is_empty(),
        "no run records in {}: the file holds no records",
        jsonl.display()
    );
    render_records(run_dir, &records)
}

/// [`render`] of records already read (through the run-set door, by `sparkmodes report`).
pub fn render_records(
    run_dir: &Path,
    records: &[crate::measure::record::RunRecord],
) -> anyhow::Result<ReportFiles> {
    let records = records.to_vec();
    let data = ReportData::new(&records);
    let charts = write_charts(&run_dir.join(CHARTS_DIR), &data)?;
    let env = Environment::load(run_dir);

    let html = run_dir.join(REPORT_HTML);
    let page = html::page(&data, &charts, &env, run_dir)?;
    crate::files::write(&html, page)?;
    let markdown = run_dir.join(SUMMARY_MD);
    crate::files::write(&markdown, markdown::summary(&data, &env))?;
    let trackers = trackers::write_all(run_dir, &records)?;
    Ok(ReportFiles {
        html,
        markdown,
        charts,
        trackers,
    })
}

/// Charts that apply to this run, in reading order; charts that need several sizes or
/// setups are skipped when the run has only one.
fn write_charts(dir: &Path, data: &ReportData) -> anyhow::Result<Vec<ChartFiles>> {
    let mut files = Vec::new();
    if let Some(c) = WallChart::new(data) {
        files.push(charts::write(dir, &c)?);
    }
    if let Some(c) = PhasesChart::new(data) {
        files.push(charts::write(dir, &c)?);
    }
    if let Some(c) = ArrowSpeedupChart::new(data) {
        files.push(charts::write(dir, &c)?);
    }
    if let Some(c) = VersionsChart::new(data) {
        files.push(charts::write(dir, &c)?);
    }
    if let Some(c) = MemoryChart::new(data) {
        files.push(charts::write(dir, &c)?);
    }
    if let Some(c) = FrontierChart::new(data) {
        files.push(charts::write(dir, &c)?);
    }
    if let Some(c) = charts::queries_chart::QueriesChart::new(data.records) {
        files.push(charts::write(dir, &c)?);
    }
    Ok(files)
}

/// `environment.json`, read leniently: a report is still worth having when it is missing or
/// broken, so problems become a line in the report instead of an error.
pub(crate) enum Environment {
    Missing,
    Unreadable(String),
    Object(serde_json::Map<String, serde_json::Value>),
}

impl Environment {
    fn load(run_dir: &Path) -> Self {
        let path = run_dir.join(ENVIRONMENT_JSON);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Environment::Missing,
            Err(e) => {
                return Environment::Unreadable(format!("cannot read {ENVIRONMENT_JSON}: {e}"))
            }
        };
        match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(map)) => Environment::Object(map),
            Ok(_) => Environment::Unreadable(format!("{ENVIRONMENT_JSON} is not a JSON object")),
            Err(e) => Environment::Unreadable(format!("{ENVIRONMENT_JSON} is not valid JSON: {e}")),
        }
    }

    /// The command that produced the run: `command` from the environment (a string, or an
    /// argv array), else the plain command for the scenario.
    fn reproduce_command(&self, scenarios: &[&str]) -> String {
        if let Environment::Object(map) = self {
            match map.get("command") {
                Some(serde_json::Value::String(s)) => return s.clone(),
                Some(serde_json::Value::Array(argv)) => {
                    return argv
                        .iter()
                        .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                _ => {}
            }
        }
        format!("sparkmodes run --scenario {}", scenarios.join(","))
    }
}

#[cfg(test)]
mod tests;
