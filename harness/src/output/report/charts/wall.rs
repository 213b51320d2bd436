//! Wall time of every run, per mode with Arrow off and on side by side; one panel per
//! Spark version × config × size, since times across sizes do not share a scale.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::strip::{Panel, StripChart};
use super::{join_label, palette, Chart, DrawResult};
use crate::output::report::data::ReportData;

pub(crate) struct WallChart(pub(crate) StripChart);

/// Arrow off and on keep the same colours in every chart.
pub(crate) fn arrow_color(on: bool) -> RGBColor {
    palette(usize::from(on))
}

impl WallChart {
    /// `None` when no cell has a run to draw (e.g. a refusal-only run).
    pub fn new(data: &ReportData) -> Option<Self> {
        let mut panels = Vec::new();
        for (version, config) in data.setups() {
            for elements in data.sizes() {
                let cells = data.panel_cells(&version, config, elements);
                // A panel of cells that never ran successfully would be all "no runs".
                if !cells.iter().any(|c| c.has_timings()) {
                    continue;
                }
                let setup = data.setup_label(&version, config);
                let size = data.size_label(elements);
                panels.push(Panel::of_modes(join_label(&[&setup, &size]), &cells, |c| {
                    usize::from(c.key.arrow)
                }));
            }
        }
        if panels.is_empty() {
            return None;
        }
        Some(WallChart(StripChart {
            title: format!("Wall time per run — {}", data.title_subject()),
            y_desc: "wall time (s)".into(),
            series: arrow_series(),
            panels,
        }))
    }
}

/// The two series of a chart that sets Arrow off beside Arrow on.
pub(crate) fn arrow_series() -> Vec<(String, RGBColor)> {
    vec![
        ("Arrow off".into(), arrow_color(false)),
        ("Arrow on".into(), arrow_color(true)),
    ]
}

impl Chart for WallChart {
    fn name(&self) -> &str {
        "wall"
    }

    fn caption(&self) -> String {
        "Wall time of every run (dots). Boxes show quartiles and median of the measurement runs; \
         hollow circles are warmups, drawn but excluded from statistics; failed runs are not drawn."
            .into()
    }

    fn height(&self) -> u32 {
        self.0.height()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        self.0.draw(root)
    }
}
