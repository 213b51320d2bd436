//! Strip-and-box panels shared by the wall and versions charts: every run is a dot, jittered
//! sideways, over a Tukey box of the measurement runs; warmups are hollow and not in the box.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::pin;
use crate::measure::stats::quantile_sorted;
use crate::output::report::data::Cell;

use super::{
    draw_legend, label_style, text, titled, value_range, CategoryAxis, DrawResult, Marker, GRID,
    INK, LEGEND_HEIGHT,
};

pub(crate) const PANEL_HEIGHT: u32 = 250;
const HEADER_HEIGHT: u32 = 40;

/// Runs of one (group, series) slot: the dots of one box.
pub(crate) struct Slot {
    pub group: usize,
    pub series: usize,
    pub samples: Vec<f64>,
    pub warmups: Vec<f64>,
}

pub(crate) struct Panel {
    pub title: String,
    /// Categories along x (the modes, with the app on an app axis).
    pub groups: Vec<String>,
    pub slots: Vec<Slot>,
}

impl Panel {
    /// One panel of wall times, grouped by mode (and app, on an app axis) along x; `series`
    /// picks each cell's colour.
    pub fn of_modes(title: String, cells: &[&Cell], series: impl Fn(&Cell) -> usize) -> Panel {
        Panel::grouped(
            title,
            cells,
            series,
            |c| c.wall_samples(),
            |c| c.warmup_samples(),
        )
    }

    /// One panel of any per-run value, grouped like [`Panel::of_modes`].
    pub fn grouped(
        title: String,
        cells: &[&Cell],
        series: impl Fn(&Cell) -> usize,
        samples: impl Fn(&Cell) -> Vec<f64>,
        warmups: impl Fn(&Cell) -> Vec<f64>,
    ) -> Panel {
        let mut groups: Vec<(crate::config::Mode, &str)> = cells
            .iter()
            .map(|c| (c.key.mode, c.key.app.as_str()))
            .collect();
        groups.sort();
        groups.dedup();
        let slots = cells
            .iter()
            .map(|c| Slot {
                group: groups
                    .iter()
                    .position(|g| *g == (c.key.mode, c.key.app.as_str()))
                    .unwrap_or(0),
                series: series(c),
                samples: samples(c).into_iter().map(pin).collect(),
                warmups: warmups(c).into_iter().map(pin).collect(),
            })
            .collect();
        Panel {
            title,
            groups: groups.iter().map(|(m, app)| group_label(*m, app)).collect(),
            slots,
        }
    }
}

/// `direct`, or `direct · typed` for a cell of the app axis.
fn group_label(mode: crate::config::Mode, app: &str) -> String {
    match app {
        "" => mode.to_string(),
        app => format!("{mode} · {app}"),
    }
}

pub(crate) struct StripChart {
    pub title: String,
    pub y_desc: String,
    /// Colour-coded series within each group; shared by every panel.
    pub series: Vec<(String, RGBColor)>,
    pub panels: Vec<Panel>,
}

impl StripChart {
    pub fn height(&self) -> u32 {
        HEADER_HEIGHT + LEGEND_HEIGHT + PANEL_HEIGHT * self.panels.len().max(1) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = titled(root, &self.title)?;
        let (legend, body) = body.split_vertically(LEGEND_HEIGHT);
        draw_legend(&legend, &self.legend())?;
        let areas = body.split_evenly((self.panels.len().max(1), 1));
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            self.draw_panel(area, panel)?;
        }
        Ok(())
    }

    fn legend(&self) -> Vec<(Marker, String)> {
        let mut items: Vec<(Marker, String)> = self
            .series
            .iter()
            .map(|(label, color)| (Marker::Square(*color), label.clone()))
            .collect();
        items.push((
            Marker::HollowCircle(INK),
            "warmup (excluded from statistics)".into(),
        ));
        items
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
    ) -> DrawResult<DB> {
        // Scaled to the measurements: a cold-start warmup several times slower would otherwise
        // flatten every box. Warmups off the scale are pinned to its edge with their value.
        let measured: Vec<f64> = panel
            .slots
            .iter()
            .flat_map(|s| s.samples.iter().copied())
            .collect();
        let y = if measured.is_empty() {
            value_range(panel.slots.iter().flat_map(|s| s.warmups.iter().copied()))
        } else {
            value_range(measured)
        };
        let n = panel.groups.len();
        let x = CategoryAxis::new(n);
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, text(16.0))
            .margin_right(16)
            .margin_left(6)
            .margin_bottom(4)
            .x_label_area_size(28)
            .y_label_area_size(72)
            .build_cartesian_2d(x, y.clone())?;
        let groups = &panel.groups;
        let group_label = |v: &f64| groups.get(v.round() as usize).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_label_formatter(&group_label)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .y_desc(&self.y_desc)
            .label_style(label_style())
            .axis_desc_style(label_style())
            .draw()?;
        for slot in &panel.slots {
            let (center, width) = self.slot_position(slot);
            let color = self.series[slot.series].1;
            if slot.samples.is_empty() && slot.warmups.is_empty() {
                chart.draw_series(std::iter::once(Text::new(
                    "no runs",
                    (center, y.start),
                    text(12.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))?;
                continue;
            }
            draw_box(&mut chart, center, width, &slot.samples, color)?;
            draw_dots(&mut chart, center, width, slot, color)?;
            draw_warmups(&mut chart, center, width, slot, &y)?;
        }
        Ok(())
    }

    /// Centre and width of a slot: series sit side by side inside their group's unit cell.
    fn slot_position(&self, slot: &Slot) -> (f64, f64) {
        let m = self.series.len().max(1) as f64;
        let step = 0.8 / m;
        let center = slot.group as f64 + (slot.series as f64 - (m - 1.0) / 2.0) * step;
        (center, step * 0.7)
    }
}

type Ctx<'a, DB, X> = ChartContext<'a, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>;

fn draw_box<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut Ctx<'_, DB, X>,
    center: f64,
    width: f64,
    samples: &[f64],
    color: RGBColor,
) -> DrawResult<DB> {
    let Some(q) = Quartiles::of(samples) else {
        return Ok(());
    };
    let (l, r) = (center - width / 2.0, center + width / 2.0);
    let stroke = color.stroke_width(2);
    // Below four runs quartiles mean little: show the median alone.
    if samples.len() >= 4 {
        chart.draw_series([
            Rectangle::new([(l, q.q1), (r, q.q3)], color.mix(0.18).filled()),
            Rectangle::new([(l, q.q1), (r, q.q3)], stroke),
        ])?;
        chart.draw_series([
            PathElement::new(vec![(center, q.q3), (center, q.hi)], stroke),
            PathElement::new(vec![(center, q.q1), (center, q.lo)], stroke),
            PathElement::new(
                vec![(center - width / 4.0, q.hi), (center + width / 4.0, q.hi)],
                stroke,
            ),
            PathElement::new(
                vec![(center - width / 4.0, q.lo), (center + width / 4.0, q.lo)],
                stroke,
            ),
        ])?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(l, q.q2), (r, q.q2)],
        color.stroke_width(3),
    )))?;
    Ok(())
}

fn draw_dots<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut Ctx<'_, DB, X>,
    center: f64,
    width: f64,
    slot: &Slot,
    color: RGBColor,
) -> DrawResult<DB> {
    let at = |i: usize, v: f64| (center + jitter(i) * width * 0.8, v);
    chart.draw_series(
        slot.samples
            .iter()
            .enumerate()
            .map(|(i, v)| Circle::new(at(i, *v), 3, color.mix(0.85).filled())),
    )?;
    Ok(())
}

fn draw_warmups<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut Ctx<'_, DB, X>,
    center: f64,
    width: f64,
    slot: &Slot,
    y: &std::ops::Range<f64>,
) -> DrawResult<DB> {
    for (i, &v) in slot.warmups.iter().enumerate() {
        let x = center + jitter(i + slot.samples.len()) * width * 0.8;
        let pinned = v.clamp(y.start, y.end);
        chart.draw_series(std::iter::once(Circle::new(
            (x, pinned),
            4,
            INK.stroke_width(2),
        )))?;
        if pinned != v {
            let (arrow, v_pos) = if v > y.end {
                ("↑", VPos::Top)
            } else {
                ("↓", VPos::Bottom)
            };
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, pinned))
                    + Text::new(
                        format!("{arrow} {v:.1} s"),
                        (7, 0),
                        text(12.0).pos(Pos::new(HPos::Left, v_pos)),
                    ),
            ))?;
        }
    }
    Ok(())
}

/// A deterministic offset in [-0.5, 0.5): the golden-ratio sequence spreads dots evenly, and a
/// re-rendered report looks identical.
fn jitter(i: usize) -> f64 {
    (i as f64 * 0.618_033_988_75).fract() - 0.5
}

/// Tukey box: quartiles, and whiskers at the furthest runs within 1.5 IQR.
struct Quartiles {
    q1: f64,
    q2: f64,
    q3: f64,
    lo: f64,
    hi: f64,
}

impl Quartiles {
    fn of(samples: &[f64]) -> Option<Self> {
        let mut s: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        if s.is_empty() {
            return None;
        }
        s.sort_by(f64::total_cmp);
        let (q1, q2, q3) = (
            quantile_sorted(&s, 0.25),
            quantile_sorted(&s, 0.5),
            quantile_sorted(&s, 0.75),
        );
        let fence = 1.5 * (q3 - q1);
        let lo = s.iter().copied().find(|v| *v >= q1 - fence).unwrap_or(q1);
        let hi = s
            .iter()
            .rev()
            .copied()
            .find(|v| *v <= q3 + fence)
            .unwrap_or(q3);
        Some(Quartiles { q1, q2, q3, lo, hi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_follow_type_7_and_fence_outliers() {
        let q = Quartiles::of(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!((q.q1, q.q2, q.q3), (2.0, 3.0, 4.0));
        assert_eq!(
            (q.lo, q.hi),
            (1.0, 4.0),
            "100 lies beyond 1.5 IQR and gets no whisker"
        );
    }

    #[test]
    fn jitter_stays_inside_its_slot() {
        assert!((0..1000).map(jitter).all(|j| (-0.5..0.5).contains(&j)));
    }
}
