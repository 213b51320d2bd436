//! How much Arrow buys as data grows: median(off) / median(on) per size, log x, with the
//! bootstrap CI of the ratio as whiskers. Above 1 Arrow is faster.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis, join_label, label_style, palette, pin_estimate, titled, Chart, DrawResult, GRID, INK,
};
use crate::config::Mode;
use crate::measure::stats::{self, Estimate};
use crate::output::report::data::{cell_seed, short_count, ReportData};

pub(crate) struct ArrowSpeedupChart {
    title: String,
    series: Vec<Series>,
    sizes: Vec<u64>,
}

/// One line: a Spark version × config × app × mode across sizes.
struct Series {
    label: String,
    points: Vec<(u64, Estimate)>,
}

impl ArrowSpeedupChart {
    /// `None` unless the run has several sizes and some cell measured with Arrow both ways.
    pub fn new(data: &ReportData) -> Option<Self> {
        let sizes = data.sizes();
        if sizes.len() < 2 {
            return None;
        }
        let mut series = Vec::new();
        for (version, config) in data.setups() {
            for app in data.apps() {
                for mode in Mode::ALL.into_iter().filter(|m| m.computes()) {
                    let line = Line {
                        stack: &version,
                        config,
                        app,
                        mode,
                    };
                    let points: Vec<(u64, Estimate)> = sizes
                        .iter()
                        .filter_map(|&n| speedup(data, &line, n).map(|e| (n, pin_estimate(e))))
                        .collect();
                    if points.is_empty() {
                        continue;
                    }
                    let setup = data.setup_label(&version, config);
                    let label = join_label(&[&setup, mode.as_str(), app]);
                    series.push(Series { label, points });
                }
            }
        }
        if series.is_empty() {
            return None;
        }
        Some(ArrowSpeedupChart {
            title: format!("Arrow speedup vs size — {}", data.title_subject()),
            series,
            sizes,
        })
    }
}

/// The cells one series follows across sizes; `stack` is [`crate::measure::CellKey::stack`]:
/// the Spark version and any Python but the default.
struct Line<'a> {
    stack: &'a str,
    config: &'a str,
    app: &'a str,
    mode: Mode,
}

fn speedup(data: &ReportData, line: &Line, elements: u64) -> Option<Estimate> {
    let cell = |arrow| {
        data.timed_cells().find(|c| {
            let k = &c.key;
            k.stack() == line.stack
                && (k.config.as_str(), k.app.as_str(), k.mode) == (line.config, line.app, line.mode)
                && (k.elements, k.arrow) == (elements, arrow)
        })
    };
    let off = cell(false)?.wall_samples();
    let on = cell(true)?;
    stats::ratio_of_medians(&off, &on.wall_samples(), cell_seed(&on.key))
}

impl Chart for ArrowSpeedupChart {
    fn name(&self) -> &str {
        "arrow_speedup"
    }

    fn caption(&self) -> String {
        "Arrow speedup = median wall time with Arrow off ÷ median with Arrow on (above 1: Arrow \
         is faster), per element count; whiskers are 95 % bootstrap intervals of the ratio."
            .into()
    }

    fn height(&self) -> u32 {
        520
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = titled(root, &self.title)?;
        let (lo, hi) = (
            self.sizes[0] as f64,
            self.sizes[self.sizes.len() - 1] as f64,
        );
        let estimates = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
        };
        let y_hi = estimates()
            .map(|e| e.ci_high.max(e.point))
            .fold(1.0, f64::max)
            * 1.15;
        let y_lo = estimates()
            .map(|e| e.ci_low.min(e.point))
            .fold(1.0, f64::min);
        let y_lo = if y_lo < 0.5 { 0.0 } else { y_lo * 0.85 };
        let x = (lo / 1.6..hi * 1.6)
            .log_scale()
            .with_key_points(self.sizes.iter().map(|s| *s as f64).collect());
        let mut chart = ChartBuilder::on(&body)
            .margin(16)
            .margin_left(8)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(x, axis(y_lo, y_hi))?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_label_formatter(&|v| short_count(*v))
            .y_label_formatter(&|v| format!("{v:.2}×"))
            .x_desc("elements (log scale)")
            .y_desc("Arrow speedup (off ÷ on)")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .draw()?;
        // The reference line is named in the legend: a label on the line collides with whiskers
        // of small sizes, where speedups hover around 1.
        let reference = INK.mix(0.6).stroke_width(1);
        chart
            .draw_series(LineSeries::new(
                [(lo / 1.6, 1.0), (hi * 1.6, 1.0)],
                reference,
            ))?
            .label("1× = no difference")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], reference));
        let m = self.series.len() as f64;
        for (i, s) in self.series.iter().enumerate() {
            // Nudge series sideways (multiplicatively, the axis is log) so whiskers stay apart.
            let nudge = 1.06f64.powf(i as f64 - (m - 1.0) / 2.0);
            let color = palette(i);
            let pts: Vec<(f64, Estimate)> = s
                .points
                .iter()
                .map(|(x, e)| (*x as f64 * nudge, *e))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|(x, e)| (*x, e.point)),
                    color.stroke_width(2),
                ))?
                .label(&s.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
            draw_whiskers(&mut chart, &pts, color)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .label_font(label_style())
            .draw()
    }
}

/// A point with its CI as a vertical bar and fixed-pixel caps (caps sized in data units would
/// vary in width along a log axis).
fn draw_whiskers<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    pts: &[(f64, Estimate)],
    color: RGBColor,
) -> DrawResult<DB> {
    let stroke = color.stroke_width(2);
    chart.draw_series(
        pts.iter()
            .map(|(x, e)| PathElement::new(vec![(*x, e.ci_low), (*x, e.ci_high)], stroke)),
    )?;
    let caps = pts
        .iter()
        .flat_map(|(x, e)| [(*x, e.ci_low), (*x, e.ci_high)]);
    chart.draw_series(
        caps.map(|at| EmptyElement::at(at) + PathElement::new(vec![(-5, 0), (5, 0)], stroke)),
    )?;
    chart.draw_series(
        pts.iter()
            .map(|(x, e)| Circle::new((*x, e.point), 4, color.filled())),
    )?;
    Ok(())
}
