//! Largest result per driver memory: for each driver memory of a frontier search, a bar up to
//! the largest element count that completed and a cross at the smallest that failed (the
//! frontier lies between them), one colour per line (Arrow off/on, and mode or app when the
//! search had several).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis, draw_legend, join_label, label_style, palette, text, titled, CategoryAxis, Chart,
    DrawResult, Marker, GRID, LEGEND_HEIGHT,
};
use crate::config::memory_mib;
use crate::config::scenario::memory_of_config;
use crate::measure::frontier_lines::{lines, FrontierLine};
use crate::output::report::data::{short_count, ReportData};

const HEIGHT: u32 = 420;

pub(crate) struct FrontierChart {
    title: String,
    /// Driver memories along x, smallest first.
    memories: Vec<String>,
    /// Each series' label; its index is its colour.
    series: Vec<String>,
    bars: Vec<Bar>,
}

struct Bar {
    memory: usize,
    series: usize,
    completed: Option<u64>,
    failed: Option<u64>,
}

impl FrontierChart {
    /// `None` unless the records hold frontier probes.
    pub fn new(data: &ReportData) -> Option<Self> {
        let lines = lines(data.records);
        if lines.is_empty() {
            return None;
        }
        let mut memories: Vec<String> = lines.iter().map(|l| memory(l).to_string()).collect();
        memories.sort_by_key(|m| (memory_mib(m), m.clone()));
        memories.dedup();
        let mut series: Vec<String> = lines.iter().map(|l| series_label(data, l)).collect();
        series.sort();
        series.dedup();
        let bars = lines
            .iter()
            .map(|l| Bar {
                memory: memories.iter().position(|m| m == memory(l)).unwrap_or(0),
                series: series
                    .iter()
                    .position(|s| *s == series_label(data, l))
                    .unwrap_or(0),
                completed: l.completed,
                failed: l.failed,
            })
            .collect();
        Some(FrontierChart {
            title: format!(
                "Largest result per driver memory — {}",
                data.title_subject()
            ),
            memories,
            series,
            bars,
        })
    }

    /// Centre and width of a bar: series side by side inside their memory's unit cell.
    fn position(&self, bar: &Bar) -> (f64, f64) {
        let m = self.series.len().max(1) as f64;
        let step = 0.8 / m;
        let center = bar.memory as f64 + (bar.series as f64 - (m - 1.0) / 2.0) * step;
        (center, step * 0.7)
    }

    fn top(&self) -> f64 {
        let highest = self
            .bars
            .iter()
            .flat_map(|b| [b.completed, b.failed])
            .flatten()
            .max()
            .unwrap_or(1);
        highest as f64 * 1.1
    }
}

fn memory(l: &FrontierLine) -> &str {
    memory_of_config(&l.line.config)
}

/// `Arrow on`, with the stack, mode and app when the search had more than one of them.
fn series_label(data: &ReportData, l: &FrontierLine) -> String {
    let k = &l.line;
    let stacks = data.spark_versions().len() > 1;
    let modes = data.records.iter().any(|r| r.mode != k.mode);
    let stack = if stacks { k.stack() } else { String::new() };
    let mode = if modes {
        k.mode.to_string()
    } else {
        String::new()
    };
    let arrow = if k.arrow { "Arrow on" } else { "Arrow off" };
    join_label(&[&stack, &mode, &k.app, arrow])
}

impl Chart for FrontierChart {
    fn name(&self) -> &str {
        "frontier"
    }

    fn caption(&self) -> String {
        "Largest element count that completed per driver memory (bars), found by bisection over \
         real runs; a cross marks the smallest count that failed: the frontier lies between."
            .into()
    }

    fn height(&self) -> u32 {
        HEIGHT
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let body = titled(root, &self.title)?;
        let (legend, body) = body.split_vertically(LEGEND_HEIGHT);
        let items: Vec<(Marker, String)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (Marker::Square(palette(i)), s.clone()))
            .collect();
        draw_legend(&legend, &items)?;
        let mut chart = ChartBuilder::on(&body)
            .margin_right(16)
            .margin_left(6)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d(
                CategoryAxis::new(self.memories.len()),
                axis(0.0, self.top()),
            )?;
        let memories = &self.memories;
        let memory_label = |v: &f64| {
            memories
                .get(v.round() as usize)
                .cloned()
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_label_formatter(&memory_label)
            .y_label_formatter(&|v| short_count(*v))
            .x_desc("spark.driver.memory")
            .y_desc("elements collected")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .draw()?;
        for bar in &self.bars {
            let (center, width) = self.position(bar);
            let color = palette(bar.series);
            let (l, r) = (center - width / 2.0, center + width / 2.0);
            if let Some(done) = bar.completed {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(l, 0.0), (r, done as f64)],
                    color.mix(0.8).filled(),
                )))?;
            }
            if let Some(failed) = bar.failed {
                let y = failed as f64;
                chart.draw_series(std::iter::once(Cross::new(
                    (center, y),
                    6,
                    color.stroke_width(2),
                )))?;
                let from = bar.completed.unwrap_or(0) as f64;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(center, from), (center, y)],
                    color.stroke_width(1),
                )))?;
            } else if let Some(done) = bar.completed {
                chart.draw_series(std::iter::once(Text::new(
                    "beyond the range",
                    (center, done as f64),
                    text(14.0),
                )))?;
            }
        }
        Ok(())
    }
}
