//! `bmf.json`: Bencher Metric Format, what `bencher run --adapter json --file bmf.json` reads.
//!
//! Shape (bencher.dev/docs/reference/bencher-metric-format): an object keyed by benchmark
//! name, each an object keyed by measure, each `{"value", "lower_value", "upper_value"}`
//! numbers. `latency` is Bencher's built-in Latency measure, whose unit is **nanoseconds**, so
//! the median wall time is written in ns (seconds would show as "13.7 ns" on Bencher's plots);
//! the phase measures `app_s`, `jobs_s`, `collect_s` are ours, in seconds as their names say
//! (Bencher creates a measure the first time it sees its name). Bounds are the 95 % CI.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CellMetrics, Metric};

pub const BMF_JSON: &str = "bmf.json";

/// Bencher's built-in measure for wall time.
pub const LATENCY: &str = "latency";
const NANOS_PER_SECOND: f64 = 1e9;

/// One measure's numbers.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct BmfMetric {
    pub value: f64,
    pub lower_value: f64,
    pub upper_value: f64,
}

/// Benchmark name → measure → numbers.
pub type Bmf = BTreeMap<String, BTreeMap<String, BmfMetric>>;

pub fn document(cells: &[CellMetrics]) -> Bmf {
    cells
        .iter()
        .map(|c| {
            let measures = c.metrics.iter().map(measure).collect();
            (c.cell.clone(), measures)
        })
        .collect()
}

/// A metric under its Bencher measure name, in that measure's unit.
fn measure(m: &Metric) -> (String, BmfMetric) {
    let (name, scale) = match m.field {
        "wall_s" => (LATENCY, NANOS_PER_SECOND),
        other => (other, 1.0),
    };
    // A percentile interval need not contain the point in degenerate samples; Bencher reads
    // the bounds as an interval around the value, so they are widened to contain it.
    let e = &m.median;
    let metric = BmfMetric {
        value: e.point * scale,
        lower_value: e.ci_low.min(e.point) * scale,
        upper_value: e.ci_high.max(e.point) * scale,
    };
    (name.to_string(), metric)
}
