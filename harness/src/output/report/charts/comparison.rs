//! Baseline vs candidate, per cell: both medians with their CIs on one row, and the relative
//! change at the right. Called by the compare command with rows it has already matched.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    axis, draw_legend, label_style, palette, pin_estimate, text, titled, widest_label,
    CategoryAxis, Chart, ChartFiles, DrawResult, Marker, GRID, INK, LEGEND_HEIGHT,
};
use crate::measure::stats::Estimate;

/// One compared cell. Estimates are in seconds (typically `Summary::median`).
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    pub label: String,
    pub baseline: Estimate,
    pub candidate: Estimate,
}

impl ComparisonRow {
    /// Candidate relative to baseline, in percent; positive means slower.
    pub fn change_pct(&self) -> f64 {
        (self.candidate.point / self.baseline.point - 1.0) * 100.0
    }

    /// The intervals do not overlap: the change is more than noise.
    fn separated(&self) -> bool {
        self.candidate.ci_low > self.baseline.ci_high
            || self.candidate.ci_high < self.baseline.ci_low
    }
}

const ROW_HEIGHT: u32 = 34;
const CHANGE_COLUMN: u32 = 90;
const SLOWER: RGBColor = RGBColor(200, 40, 30);
const FASTER: RGBColor = RGBColor(0, 130, 70);

fn baseline_color() -> RGBColor {
    palette(6)
}

fn candidate_color() -> RGBColor {
    palette(0)
}

/// Writes `<out_dir>/comparison.svg` and `.png`. `title` should name the scenario and both
/// sides (e.g. "spark-3.5.1 → spark-4.0.0 — wordcount"). Errors when `rows` is empty.
pub fn render_comparison(
    out_dir: &Path,
    title: &str,
    rows: &[ComparisonRow],
) -> anyhow::Result<ChartFiles> {
    anyhow::ensure!(!rows.is_empty(), "nothing to compare: no cells in common");
    super::write(
        out_dir,
        &ComparisonChart {
            title: title.to_string(),
            rows: rows
                .iter()
                .map(|r| ComparisonRow {
                    label: r.label.clone(),
                    baseline: pin_estimate(r.baseline),
                    candidate: pin_estimate(r.candidate),
                })
                .collect(),
        },
    )
}

struct ComparisonChart {
    title: String,
    rows: Vec<ComparisonRow>,
}

impl Chart for ComparisonChart {
    fn name(&self) -> &str {
        "comparison"
    }

    fn caption(&self) -> String {
        "Median wall time with 95 % confidence interval, baseline vs candidate, and under each \
         cell its phases (· start-up, · app outside jobs, · jobs, · collect) where both sides \
         have them; the change is coloured when the intervals do not overlap (red slower, \
         green faster)."
            .into()
    }

    fn height(&self) -> u32 {
        40 + LEGEND_HEIGHT + 70 + ROW_HEIGHT * self.rows.len() as u32
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = titled(root, &self.title)?;
        let (legend, body) = body.split_vertically(LEGEND_HEIGHT);
        draw_legend(
            &legend,
            &[
                (Marker::Line(baseline_color()), "baseline".into()),
                (Marker::Line(candidate_color()), "candidate".into()),
            ],
        )?;
        let label_width = widest_label(&body, self.rows.iter().map(|r| r.label.as_str()));
        let n = self.rows.len();
        let x_hi = self
            .rows
            .iter()
            .flat_map(|r| {
                [
                    r.baseline.ci_high,
                    r.candidate.ci_high,
                    r.baseline.point,
                    r.candidate.point,
                ]
            })
            .fold(0.0, f64::max)
            * 1.08;
        let y = CategoryAxis::new(n);
        let mut chart = ChartBuilder::on(&body)
            .margin_top(8)
            .margin_right(CHANGE_COLUMN)
            .margin_left(8)
            .x_label_area_size(48)
            .y_label_area_size(label_width + 14)
            .build_cartesian_2d(axis(0.0, x_hi.max(1e-3)), y)?;
        let rows = &self.rows;
        let y_label = |v: &f64| {
            n.checked_sub(1 + v.round() as usize)
                .and_then(|i| rows.get(i))
                .map(|r| r.label.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .y_label_formatter(&y_label)
            .x_desc("median wall time (s), 95 % CI")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .draw()?;
        let (width, _) = root.dim_in_pixel();
        let (_, top) = chart.backend_coord(&(0.0, n as f64 - 0.5));
        root.draw(&Text::new(
            "change",
            (width as i32 - 10, top),
            text(13.0).pos(Pos::new(HPos::Right, VPos::Bottom)),
        ))?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            draw_estimate(&mut chart, y + 0.17, &row.baseline, baseline_color())?;
            draw_estimate(&mut chart, y - 0.17, &row.candidate, candidate_color())?;
            let (_, py) = chart.backend_coord(&(0.0, y));
            let color = match (row.separated(), row.change_pct() > 0.0) {
                (false, _) => INK,
                (true, true) => SLOWER,
                (true, false) => FASTER,
            };
            root.draw(&Text::new(
                format!("{:+.1} %", row.change_pct()),
                (width as i32 - 10, py),
                text(14.0)
                    .color(&color)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}

type Ctx<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;

fn draw_estimate<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &mut Ctx<'_, DB, Y>,
    y: f64,
    e: &Estimate,
    color: RGBColor,
) -> DrawResult<DB> {
    let stroke = color.stroke_width(2);
    chart.draw_series([PathElement::new(
        vec![(e.ci_low, y), (e.ci_high, y)],
        stroke,
    )])?;
    chart.draw_series(
        [e.ci_low, e.ci_high]
            .map(|x| EmptyElement::at((x, y)) + PathElement::new(vec![(0, -5), (0, 5)], stroke)),
    )?;
    chart.draw_series([Circle::new((e.point, y), 5, color.filled())])?;
    Ok(())
}
