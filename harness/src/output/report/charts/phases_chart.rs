//! Where the wall time goes, per cell: process/JVM start and teardown, in-app time outside
//! jobs, job time, and the collect back to the driver, as stacked horizontal bars.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis, draw_legend, join_label, label_style, palette, pin, titled, widest_label, CategoryAxis,
    Chart, DrawResult, Marker, GRID, LEGEND_HEIGHT,
};
use crate::measure::record::RunRecord;
use crate::measure::stats;
use crate::output::report::data::{short_count, Cell, ReportData};

const ROW_HEIGHT: u32 = 30;
const FIXED_HEIGHT: u32 = 40 + LEGEND_HEIGHT + 80;

/// Phases in timeline order, which is also the stacking order.
const PHASES: [&str; 4] = [
    "process + JVM start/teardown (wall − app)",
    "in-app, outside jobs (app − jobs)",
    "jobs, excluding collect",
    "collect",
];

/// Times of a run that lacks the event-log split (e.g. the log was lost) stay unattributed.
const UNSPLIT: &str = "not split (no event log)";
const UNSPLIT_COLOR: RGBColor = RGBColor(190, 190, 190);

struct Row {
    label: String,
    /// Median seconds per phase, in `PHASES` order; `None` when no run had the split.
    phases: Option<[f64; 4]>,
    median_wall: f64,
}

pub(crate) struct PhasesChart {
    title: String,
    rows: Vec<Row>,
}

/// A run's wall time split into `PHASES`; negatives (clock skew between the harness and the
/// event log) are clamped so bars never run backwards.
fn split(r: &RunRecord) -> Option<[f64; 4]> {
    let (app, jobs, collect) = (r.app_s?, r.jobs_s?, r.collect_s?);
    Some([r.wall_s - app, app - jobs, jobs - collect, collect].map(|v| v.max(0.0)))
}

impl PhasesChart {
    /// `None` when no cell has a measurement run.
    pub fn new(data: &ReportData) -> Option<Self> {
        let multi_size = data.sizes().len() > 1;
        let rows: Vec<Row> = data
            .timed_cells()
            .filter_map(|c| row(data, c, multi_size))
            .collect();
        if rows.is_empty() {
            return None;
        }
        Some(PhasesChart {
            title: format!("Phase breakdown — {}", data.title_subject()),
            rows,
        })
    }
}

fn row(data: &ReportData, cell: &Cell, multi_size: bool) -> Option<Row> {
    let runs: Vec<&RunRecord> = cell.measurements().collect();
    let median_wall = stats::median(&runs.iter().map(|r| r.wall_s).collect::<Vec<_>>())?;
    let splits: Vec<[f64; 4]> = runs.iter().filter_map(|r| split(r)).collect();
    let phases = (!splits.is_empty()).then(|| {
        std::array::from_fn(|i| {
            stats::median(&splits.iter().map(|s| s[i]).collect::<Vec<_>>()).unwrap_or(0.0)
        })
    });
    let k = &cell.key;
    let setup = data.setup_label(&k.stack(), &k.config);
    let size = if multi_size {
        short_count(k.elements as f64)
    } else {
        String::new()
    };
    let arrow = if k.arrow { "Arrow on" } else { "Arrow off" };
    Some(Row {
        label: join_label(&[&setup, &size, k.mode.as_str(), &k.app, arrow]),
        phases: phases.map(|p: [f64; 4]| p.map(pin)),
        median_wall: pin(median_wall),
    })
}

impl Chart for PhasesChart {
    fn name(&self) -> &str {
        "phases"
    }

    fn caption(&self) -> String {
        "Median seconds per phase over the measurement runs of each cell (each phase's median \
         taken separately, so a bar can differ slightly from the median wall time)."
            .into()
    }

    fn height(&self) -> u32 {
        FIXED_HEIGHT + ROW_HEIGHT * self.rows.len() as u32
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = titled(root, &self.title)?;
        let (legend, body) = body.split_vertically(LEGEND_HEIGHT * 2);
        draw_phase_legend(&legend, self.rows.iter().any(|r| r.phases.is_none()))?;
        let label_width = widest_label(&body, self.rows.iter().map(|r| r.label.as_str()));
        let n = self.rows.len();
        let x_max = self.rows.iter().map(|r| r.total()).fold(0.0, f64::max) * 1.05;
        let y = CategoryAxis::new(n);
        let mut chart = ChartBuilder::on(&body)
            .margin_right(24)
            .margin_left(8)
            .margin_top(8)
            .x_label_area_size(40)
            .y_label_area_size(label_width + 14)
            .build_cartesian_2d(axis(0.0, x_max.max(1e-3)), y)?;
        // Row 0 is drawn on top, so the chart reads in table order.
        let row_at = |v: &f64| {
            n.checked_sub(1 + v.round() as usize)
                .and_then(|i| self.rows.get(i))
        };
        let y_label = |v: &f64| row_at(v).map(|r| r.label.clone()).unwrap_or_default();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .y_label_formatter(&y_label)
            .x_desc("median time (s)")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .draw()?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            chart.draw_series(row.segments().map(|(start, end, color)| {
                Rectangle::new([(start, y - 0.34), (end, y + 0.34)], color.filled())
            }))?;
        }
        Ok(())
    }
}

impl Row {
    fn total(&self) -> f64 {
        self.phases.map_or(self.median_wall, |p| p.iter().sum())
    }

    /// (start, end, colour) of each stacked segment.
    fn segments(&self) -> impl Iterator<Item = (f64, f64, RGBColor)> {
        let parts: Vec<(f64, RGBColor)> = match self.phases {
            Some(p) => p
                .iter()
                .enumerate()
                .map(|(i, v)| (*v, palette(i)))
                .collect(),
            None => vec![(self.median_wall, UNSPLIT_COLOR)],
        };
        let mut start = 0.0;
        parts.into_iter().map(move |(len, color)| {
            let seg = (start, start + len, color);
            start += len;
            seg
        })
    }
}

/// Two legend lines: the phase names are long, and one line would not fit 800 px.
fn draw_phase_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    any_unsplit: bool,
) -> DrawResult<DB> {
    let (top, bottom) = area.split_vertically(LEGEND_HEIGHT);
    let item = |i: usize| (Marker::Square(palette(i)), PHASES[i].to_string());
    draw_legend(&top, &[item(0), item(1)])?;
    let mut second = vec![item(2), item(3)];
    if any_unsplit {
        second.push((Marker::Square(UNSPLIT_COLOR), UNSPLIT.to_string()));
    }
    draw_legend(&bottom, &second)
}
