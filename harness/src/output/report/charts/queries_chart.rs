//! Wall time of every query of a multi-query app (TPC-H), per query, mode and Arrow arm: the
//! run's own wall chart would mix 22 queries into one start-up-dominated number, and an engine
//! regression shows in the queries it touches.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::strip::{Panel, Slot, StripChart};
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
        strip.panels = strip.panels.into_iter().flat_map(by_mode).collect();
        Some(QueriesChart(strip))
    }
}

/// Twenty-two `direct · tpch q01` labels fit along x only alone: each mode gets a panel of its
/// own, the mode in the panel's title and each label the query alone (`q01`).
fn by_mode(panel: Panel) -> Vec<Panel> {
    let split = |g: &String| -> (String, String) {
        let (mode, app) = g.split_once(" · ").unwrap_or((g.as_str(), ""));
        (
            mode.to_string(),
            app.rsplit(' ').next().unwrap_or(app).to_string(),
        )
    };
    let parts: Vec<(String, String)> = panel.groups.iter().map(split).collect();
    let mut out: Vec<Panel> = Vec::new();
    // Where each group of the panel lands: (its mode's panel, its place there).
    let mut place = Vec::new();
    for (mode, query) in parts {
        let title = format!("{} · {mode}", panel.title);
        let p = match out.iter().position(|p| p.title == title) {
            Some(p) => p,
            None => {
                out.push(Panel {
                    title,
                    groups: Vec::new(),
                    slots: Vec::new(),
                });
                out.len() - 1
            }
        };
        place.push((p, out[p].groups.len()));
        out[p].groups.push(query);
    }
    for slot in panel.slots {
        let (p, group) = place[slot.group];
        out[p].slots.push(Slot { group, ..slot });
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_gets_a_panel_labelled_by_query() {
        let slot = |group, wall| Slot {
            group,
            series: 1,
            samples: vec![wall],
            warmups: Vec::new(),
        };
        let panel = Panel {
            title: "3.5.9 · SF 0.1".into(),
            groups: [
                "direct · tpch q01",
                "direct · tpch q06",
                "submit · tpch q01",
            ]
            .map(String::from)
            .to_vec(),
            slots: vec![slot(0, 1.0), slot(1, 2.0), slot(2, 3.0)],
        };
        let panels = by_mode(panel);
        type Shape<'a> = (&'a str, Vec<&'a str>, Vec<(usize, f64)>);
        let shape: Vec<Shape> = panels
            .iter()
            .map(|p| {
                let groups = p.groups.iter().map(String::as_str).collect();
                let slots = p.slots.iter().map(|s| (s.group, s.samples[0])).collect();
                (p.title.as_str(), groups, slots)
            })
            .collect();
        assert_eq!(
            shape,
            [
                (
                    "3.5.9 · SF 0.1 · direct",
                    vec!["q01", "q06"],
                    vec![(0, 1.0), (1, 2.0)]
                ),
                ("3.5.9 · SF 0.1 · submit", vec!["q01"], vec![(0, 3.0)]),
            ]
        );
    }
}
