//! Peak memory of every run, per mode with Arrow off and on side by side: one panel for the
//! driver and one for the executors per Spark version × config × size, so the memory Arrow
//! costs or saves is read off the same way as its time on the wall chart.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::strip::{Panel, StripChart};
use super::wall::arrow_series;
use super::{join_label, Chart, DrawResult};
use crate::output::report::data::{Memory, ReportData};

pub(crate) struct MemoryChart(StripChart);

impl MemoryChart {
    /// `None` when no run measured its memory (records from before it was measured, or
    /// `SPARKMODES_MEMORY=off`).
    pub fn new(data: &ReportData) -> Option<Self> {
        let mut panels = Vec::new();
        for (version, config) in data.setups() {
            for elements in data.sizes() {
                let cells = data.panel_cells(&version, config, elements);
                let setup = data.setup_label(&version, config);
                let size = data.size_label(elements);
                for which in [Memory::Driver, Memory::Executors] {
                    if cells.iter().all(|c| c.memory_samples(which).is_empty()) {
                        continue;
                    }
                    let title = join_label(&[&setup, &size, which.label()]);
                    panels.push(Panel::grouped(
                        title,
                        &cells,
                        |c| usize::from(c.key.arrow),
                        |c| c.memory_samples(which),
                        |_| Vec::new(),
                    ));
                }
            }
        }
        if panels.is_empty() {
            return None;
        }
        Some(MemoryChart(StripChart {
            title: format!("Peak memory per run — {}", data.title_subject()),
            y_desc: "peak memory (MiB)".into(),
            series: arrow_series(),
            panels,
        }))
    }
}

impl Chart for MemoryChart {
    fn name(&self) -> &str {
        "memory"
    }

    fn caption(&self) -> String {
        "Peak memory of every measurement run (dots) with quartile boxes: the driver (a host \
         driver's process group, or its container) and the executors (the workers' cgroup peaks, \
         summed), Arrow off and on side by side."
            .into()
    }

    fn height(&self) -> u32 {
        self.0.height()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        self.0.draw(root)
    }
}
