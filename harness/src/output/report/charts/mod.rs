//! Charts, one module each. Every chart draws onto a generic plotters backend so one drawing
//! function yields both the SVG (crisp, inlined in report.html) and the PNG (for pasting).

pub mod arrow_speedup;
pub mod comparison;
pub mod frontier_chart;
pub mod history;
pub mod memory_chart;
pub mod phases_chart;
pub mod queries_chart;
mod strip;
pub mod versions_chart;
pub mod wall;

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font;

/// The width every chart is drawn at: the size a report or PR comment shows it at.
pub const WIDTH: u32 = 800;

/// One chart as written to disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartFiles {
    /// File stem, e.g. `wall`.
    pub name: String,
    /// One sentence saying what the chart shows, used as its caption in report.html.
    pub caption: String,
    pub svg: PathBuf,
    pub png: PathBuf,
    pub width: u32,
    pub height: u32,
}

pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

pub(crate) trait Chart {
    fn name(&self) -> &str;
    fn caption(&self) -> String;
    fn height(&self) -> u32;
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Writes `<dir>/<name>.svg` and `<dir>/<name>.png`: drawn into a private temporary folder,
/// then moved into place through the file door (a link or FIFO standing at the name in a
/// user's run directory is replaced, never written through).
pub(crate) fn write(dir: &Path, chart: &impl Chart) -> anyhow::Result<ChartFiles> {
    font::ensure_registered()?;
    crate::files::create_dir(dir)?;
    let size = (WIDTH, chart.height());
    let scratch = tempfile::tempdir().context("cannot make a scratch folder for a chart")?;
    let svg = dir.join(format!("{}.svg", chart.name()));
    let png = dir.join(format!("{}.png", chart.name()));
    for (path, is_svg) in [(&svg, true), (&png, false)] {
        let tmp = scratch.path().join(path.file_name().unwrap_or_default());
        let drawn = match is_svg {
            true => draw_on(SVGBackend::new(&tmp, size).into_drawing_area(), chart)
                .map_err(|e| anyhow!("drawing {}: {e}", path.display())),
            false => draw_on(BitMapBackend::new(&tmp, size).into_drawing_area(), chart)
                .map_err(|e| anyhow!("drawing {}: {e}", path.display())),
        };
        drawn?;
        let bytes = std::fs::read(&tmp).with_context(|| format!("drawing {}", path.display()))?;
        crate::files::write(path, bytes)?;
    }
    Ok(ChartFiles {
        name: chart.name().to_string(),
        caption: chart.caption(),
        svg,
        png,
        width: size.0,
        height: size.1,
    })
}

fn draw_on<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &impl Chart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    chart.draw(&root)?;
    root.present()
}

/// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
];

pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub(crate) const INK: RGBColor = RGBColor(40, 40, 40);
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);

pub(crate) fn text(size: f64) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(&INK)
}

pub(crate) fn title_style() -> TextStyle<'static> {
    text(21.0)
}

pub(crate) fn label_style() -> TextStyle<'static> {
    text(14.0)
}

/// Draws the chart title and returns the area below it.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.titled(title, title_style())
}

/// A legend entry drawn in the strip under the title, shared by all panels of a chart.
pub(crate) enum Marker {
    Square(RGBColor),
    HollowCircle(RGBColor),
    Line(RGBColor),
}

pub(crate) const LEGEND_HEIGHT: u32 = 28;

/// Lays legend entries out left to right on one line, centred.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(Marker, String)],
) -> DrawResult<DB> {
    const GAP: i32 = 22;
    const SWATCH: i32 = 12;
    let style = label_style();
    let widths: Vec<i32> = items
        .iter()
        .map(|(_, label)| {
            let (w, _) = area.estimate_text_size(label, &style).unwrap_or((0, 0));
            SWATCH + 6 + w as i32
        })
        .collect();
    let total: i32 = widths.iter().sum::<i32>() + GAP * (items.len() as i32 - 1).max(0);
    let (w, h) = area.dim_in_pixel();
    let mut x = ((w as i32 - total) / 2).max(4);
    let y = h as i32 / 2;
    for ((marker, label), width) in items.iter().zip(widths) {
        let c = (x + SWATCH / 2, y);
        match marker {
            Marker::Square(color) => area.draw(&Rectangle::new(
                [(x, y - SWATCH / 2), (x + SWATCH, y + SWATCH / 2)],
                color.filled(),
            ))?,
            Marker::HollowCircle(color) => area.draw(&Circle::new(c, 4, color.stroke_width(2)))?,
            Marker::Line(color) => area.draw(&PathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                color.stroke_width(3),
            ))?,
        }
        area.draw(&Text::new(
            label.clone(),
            (x + SWATCH + 6, y),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += width + GAP;
    }
    Ok(())
}

/// A value axis for the given data: from zero when zero is near, so bar-like reading stays
/// honest, otherwise padded around the data so small spreads stay visible.
pub(crate) fn value_range(values: impl IntoIterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let span = (hi - lo).max(hi.abs() * 0.05).max(1e-3);
    let low = if lo < 0.5 * hi { 0.0 } else { lo - 0.15 * span };
    axis(low, hi + 0.1 * span)
}

/// Largest magnitude an axis spans (seconds, ratios: 30,000 years). Records can hold absurd
/// values (a corrupted or hand-edited runs.jsonl); beyond this they are pinned to the edge,
/// and plotters' tick search, which never ends on an infinite range, always gets a finite one.
const AXIS_LIMIT: f64 = 1e12;

/// A value as charts draw it: pinned inside [`AXIS_LIMIT`] (the pixel mapping overflows far
/// beyond it), NaN as 0. Tables and statistics keep the real value.
pub(crate) fn pin(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
    }
}

pub(crate) fn pin_estimate(e: crate::measure::stats::Estimate) -> crate::measure::stats::Estimate {
    crate::measure::stats::Estimate {
        point: pin(e.point),
        ci_low: pin(e.ci_low),
        ci_high: pin(e.ci_high),
        ..e
    }
}

/// The one place a value axis is made: finite, ordered, at least a little wide.
pub(crate) fn axis(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let clamp = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        }
    };
    let (lo, hi) = (clamp(lo), clamp(hi));
    lo..hi.max(lo + 1e-6)
}

/// Joins the non-empty parts of a label with a separator readable in SVG and PNG alike.
pub(crate) fn join_label(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A continuous axis over `n` categories placed at 0, 1, … n−1, with one tick on each: the
/// formatter then names categories, while marks can still sit between them (dodge, jitter).
pub(crate) struct CategoryAxis {
    n: usize,
    inner: RangedCoordf64,
}

impl CategoryAxis {
    pub fn new(n: usize) -> Self {
        CategoryAxis {
            n,
            inner: (-0.5..n.max(1) as f64 - 0.5).into(),
        }
    }
}

impl Ranged for CategoryAxis {
    type ValueType = f64;
    // Labels always come from a formatter; the default (Debug) only satisfies the mesh bounds.
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.n).map(|i| i as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// Pixel width of the widest of `labels` in the label style, for the y label area.
pub(crate) fn widest_label<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = &'a str>,
) -> u32 {
    labels
        .filter_map(|l| area.estimate_text_size(l, &label_style()).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0)
}
