//! `benchmark-action.json`: the `customSmallerIsBetter` input of github-action-benchmark
//! (`tool: customSmallerIsBetter`, `output-file-path: …/benchmark-action.json`).
//!
//! Shape (the action's README, "Examples" → custom): a JSON array of objects with `name`
//! (string), `unit` (string), `value` (number), and the optional strings `range` and `extra`
//! shown in the chart tooltip. One entry per cell and metric, named `<cell> wall`,
//! `<cell> app`, …, in seconds; `range` is `±` half the 95 % CI width, `extra` the CI and n.

use serde::{Deserialize, Serialize};

use super::{CellMetrics, Metric};

pub const BENCHMARK_ACTION_JSON: &str = "benchmark-action.json";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub unit: String,
    pub value: f64,
    pub range: String,
    pub extra: String,
}

pub fn document(cells: &[CellMetrics]) -> Vec<Entry> {
    cells
        .iter()
        .flat_map(|c| c.metrics.iter().map(|m| entry(&c.cell, m)))
        .collect()
}

fn entry(cell: &str, m: &Metric) -> Entry {
    let e = &m.median;
    Entry {
        name: format!("{cell} {}", m.field.trim_end_matches("_s")),
        unit: "s".into(),
        value: e.point,
        range: format!("±{:.3}", (e.ci_high - e.ci_low) / 2.0),
        extra: format!(
            "median of n={} runs\n95% CI [{:.3}, {:.3}] s",
            m.n, e.ci_low, e.ci_high
        ),
    }
}
