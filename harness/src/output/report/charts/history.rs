//! One cell's median wall time over a sequence of runs (or baselines), one line per cell, the
//! 95 % CI as a whisker, and a red ring where `compare` would call the point `slower` than the
//! one before it. Called by `sparkmodes history` with series it has already built.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_legend, label_style, palette, titled, value_range, CategoryAxis, Chart, ChartFiles,
    DrawResult, Marker, GRID, LEGEND_HEIGHT,
};
use crate::measure::stats::Estimate;

/// One point of a series: the median (seconds) at x position `x` of the run labels.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryMark {
    pub x: usize,
    pub median: Estimate,
    /// `compare` against the previous point of the series says `slower`.
    pub slower: bool,
}

/// One cell over time.
#[derive(Clone, Debug, PartialEq)]
pub struct HistorySeries {
    pub label: String,
    pub marks: Vec<HistoryMark>,
}

const PLOT_HEIGHT: u32 = 420;
/// Legend entries per line: cell names are long, two fit the chart width.
const LEGEND_PER_LINE: usize = 2;
const SLOWER: RGBColor = RGBColor(200, 40, 30);

/// Writes `<out_dir>/history.svg` and `.png`; `runs` label the x axis in time order.
pub fn render_history(
    out_dir: &Path,
    title: &str,
    runs: &[String],
    series: &[HistorySeries],
) -> anyhow::Result<ChartFiles> {
    anyhow::ensure!(
        series.iter().any(|s| !s.marks.is_empty()),
        "no history to draw: no cell has a measured run"
    );
    let chart = HistoryChart {
        name: "history".into(),
        y_desc: "median wall time (s), 95 % CI".into(),
        caption:
            "Median wall time per cell over the runs in start-time order, with 95 % CI whiskers; \
         a red ring marks a point that compare would call slower than the previous one."
                .into(),
        title: title.to_string(),
        runs: runs.to_vec(),
        series: series.to_vec(),
    };
    super::write(out_dir, &chart)
}

/// Writes `<out_dir>/history-<metric>.svg` and `.png`: one metric's median per cell over the
/// runs (no whiskers: the points are medians of the runs' sums), to see *what* drifted.
pub fn render_history_metric(
    out_dir: &Path,
    metric: &str,
    what: &str,
    runs: &[String],
    series: &[HistorySeries],
) -> anyhow::Result<ChartFiles> {
    anyhow::ensure!(
        series.iter().any(|s| !s.marks.is_empty()),
        "no {metric} to draw"
    );
    let chart = HistoryChart {
        name: format!("history-{metric}"),
        y_desc: format!("median {metric}"),
        caption: format!("Median {what} ({metric}) per cell over the runs in start-time order."),
        title: format!("{what} over runs"),
        runs: runs.to_vec(),
        series: series.to_vec(),
    };
    super::write(out_dir, &chart)
}

struct HistoryChart {
    name: String,
    y_desc: String,
    caption: String,
    title: String,
    runs: Vec<String>,
    series: Vec<HistorySeries>,
}

impl HistoryChart {
    fn legend_lines(&self) -> u32 {
        self.series.len().div_ceil(LEGEND_PER_LINE).max(1) as u32 + 1
    }

    fn legend(&self) -> Vec<Vec<(Marker, String)>> {
        let mut lines: Vec<Vec<(Marker, String)>> = self
            .series
            .chunks(LEGEND_PER_LINE)
            .enumerate()
            .map(|(line, chunk)| {
                let first = line * LEGEND_PER_LINE;
                let entry = |(i, s): (usize, &HistorySeries)| {
                    (Marker::Line(palette(first + i)), s.label.clone())
                };
                chunk.iter().enumerate().map(entry).collect()
            })
            .collect();
        lines.push(vec![(
            Marker::HollowCircle(SLOWER),
            "slower than the previous point (compare's verdict)".into(),
        )]);
        lines
    }
}

impl Chart for HistoryChart {
    fn name(&self) -> &str {
        &self.name
    }

    fn caption(&self) -> String {
        self.caption.clone()
    }

    fn height(&self) -> u32 {
        40 + LEGEND_HEIGHT * self.legend_lines() + PLOT_HEIGHT
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut body = titled(root, &self.title)?;
        for line in self.legend() {
            let (legend, rest) = body.split_vertically(LEGEND_HEIGHT);
            draw_legend(&legend, &line)?;
            body = rest;
        }
        let marks = self.series.iter().flat_map(|s| &s.marks);
        let y = value_range(marks.flat_map(|m| [m.median.ci_low, m.median.ci_high]));
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(CategoryAxis::new(self.runs.len()), y)?;
        let runs = &self.runs;
        let x_label = |v: &f64| runs.get(v.round() as usize).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_label_formatter(&x_label)
            .y_desc(self.y_desc.as_str())
            .label_style(label_style())
            .axis_desc_style(label_style())
            .draw()?;
        for (i, s) in self.series.iter().enumerate() {
            draw_series(&mut chart, s, palette(i))?;
        }
        Ok(())
    }
}

type Ctx<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<CategoryAxis, plotters::coord::types::RangedCoordf64>>;

fn draw_series<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    s: &HistorySeries,
    color: RGBColor,
) -> DrawResult<DB> {
    let at = |m: &HistoryMark| (m.x as f64, m.median.point);
    chart.draw_series([PathElement::new(
        s.marks.iter().map(at).collect::<Vec<_>>(),
        color.stroke_width(2),
    )])?;
    for m in &s.marks {
        let x = m.x as f64;
        let whisker = vec![(x, m.median.ci_low), (x, m.median.ci_high)];
        chart.draw_series([PathElement::new(whisker, color.stroke_width(1))])?;
        chart.draw_series([Circle::new(at(m), 4, color.filled())])?;
        if m.slower {
            chart.draw_series([Circle::new(at(m), 9, SLOWER.stroke_width(2))])?;
        }
    }
    Ok(())
}
