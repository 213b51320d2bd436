//! Wall time of every query of a multi-query app (TPC-H), per query, mode and Arrow arm: the
//! run's own wall chart would mix 22 queries into one start-up-dominated number, and an engine
//! regression shows in the queries it touches.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::strip::StripChart;
use super::wall::WallChart;
use super::{Chart, DrawResult};
use crate::measure::record::RunRecord;
use crate::output::report::data::{per_query, ReportData};

pub(crate) struct QueriesChart(StripChart);

impl QueriesChart {
    /// `None` when the run has no query records.
    pub fn new(records: &[RunRecord]) -> Option<Self> {
        let queries = per_query(records);
        let mut strip = WallChart::new(&ReportData::new(&queries))?.0;
        strip.title = strip
            .title
            .replace("Wall time per run", "Wall time per query");
        for panel in &mut strip.panels {
            shorten(panel);
        }
        Some(QueriesChart(strip))
    }
}

/// Twenty-two `direct · tpch q01` labels do not fit along x: with one mode in the panel, the
/// mode goes into the panel's title and each label is the query alone (`q01`); with several,
/// the app name is dropped (`direct q01`).
fn shorten(panel: &mut super::strip::Panel) {
    let split = |g: &String| -> (String, String) {
        let (mode, app) = g.split_once(" · ").unwrap_or((g.as_str(), ""));
        (
            mode.to_string(),
            app.rsplit(' ').next().unwrap_or(app).to_string(),
        )
    };
    let parts: Vec<(String, String)> = panel.groups.iter().map(split).collect();
    let one_mode = parts.windows(2).all(|w| w[0].0 == w[1].0);
    panel.groups = match (one_mode, parts.first()) {
        (true, Some((mode, _))) => {
            panel.title = format!("{} · {mode}", panel.title);
            parts.into_iter().map(|(_, q)| q).collect()
        }
        _ => parts.into_iter().map(|(m, q)| format!("{m} {q}")).collect(),
    };
}

impl Chart for QueriesChart {
    fn name(&self) -> &str {
        "queries"
    }

    fn caption(&self) -> String {
        "Wall time of every query (dots, from the app's own timing), per query, mode and Arrow arm. \
         Boxes show quartiles and median of the measurement runs; hollow circles are warmups."
            .into()
    }

    fn height(&self) -> u32 {
        self.0.height()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        self.0.draw(root)
    }
}
