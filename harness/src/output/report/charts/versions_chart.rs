//! The same cell side by side across Spark versions or configs: the upgrade-ticket chart.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::strip::{Panel, StripChart};
use super::{palette, Chart, DrawResult};
use crate::output::report::data::{Cell, ReportData};

pub(crate) struct VersionsChart(StripChart);

impl VersionsChart {
    /// `None` unless the run holds more than one Spark version or config.
    pub fn new(data: &ReportData) -> Option<Self> {
        let setups = data.setups();
        if setups.len() < 2 {
            return None;
        }
        let labels = setups.iter().map(|(v, c)| data.setup_label(v, c));
        let mut panels = Vec::new();
        for elements in data.sizes() {
            for arrow in [false, true] {
                let cells: Vec<&Cell> = data
                    .timed_cells()
                    .filter(|c| c.key.elements == elements && c.key.arrow == arrow)
                    .collect();
                // A panel of cells that never ran successfully would be all "no runs".
                if !cells.iter().any(|c| c.has_timings()) {
                    continue;
                }
                let title = format!(
                    "{} · Arrow {}",
                    data.size_label(elements),
                    if arrow { "on" } else { "off" }
                );
                panels.push(Panel::of_modes(title, &cells, |c| setup_index(&setups, c)));
            }
        }
        let series = labels
            .enumerate()
            .map(|(i, l)| (l, palette(i + 2)))
            .collect();
        Some(VersionsChart(StripChart {
            title: format!(
                "Wall time by {} — {}",
                data.setup_dimension(),
                data.scenarios().join(", ")
            ),
            y_desc: "wall time (s)".into(),
            series,
            panels,
        }))
    }
}

fn setup_index(setups: &[(String, &str)], c: &Cell) -> usize {
    setups
        .iter()
        .position(|(v, cfg)| *v == c.key.stack() && *cfg == c.key.config)
        .unwrap_or(0)
}

impl Chart for VersionsChart {
    fn name(&self) -> &str {
        "versions"
    }

    fn caption(&self) -> String {
        "The same cell side by side for each Spark version / config: dots are runs, boxes the \
         measurement quartiles, hollow circles warmups (excluded from statistics)."
            .into()
    }

    fn height(&self) -> u32 {
        self.0.height()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        self.0.draw(root)
    }
}
