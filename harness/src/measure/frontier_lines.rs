//! What a driver-memory frontier search's records say (`exec::frontier` ran them): for each
//! line — every axis but the element count, so one driver memory × Arrow arm × mode × app on one
//! stack — the largest count that completed, the smallest above it that did not, and why. Read
//! from the records alone, so a report rebuilt later (or from a resumed search) says the same.

use std::collections::BTreeMap;

use crate::config::CellKey;
use crate::measure::record::{RunRecord, Status};

/// One search line's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierLine {
    /// The line's cells' key with `elements` 0.
    pub line: CellKey,
    /// The largest count that completed; `None` when none did (the frontier is below the range).
    pub completed: Option<u64>,
    /// The smallest count above `completed` that did not; `None` when none failed above it
    /// (the frontier is above the range).
    pub failed: Option<u64>,
    /// Why that run failed: its diagnosis, else its status (`timeout`, `failed`).
    pub failed_because: Option<String>,
    /// Probes the line took.
    pub runs: usize,
}

/// Every line of the frontier probes among `records`, in key order.
pub fn lines(records: &[RunRecord]) -> Vec<FrontierLine> {
    let mut by_line: BTreeMap<CellKey, Vec<&RunRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.frontier && !r.warmup) {
        let line = CellKey {
            elements: 0,
            ..r.cell()
        };
        by_line.entry(line).or_default().push(r);
    }
    by_line
        .into_iter()
        .map(|(line, runs)| answer(line, &runs))
        .collect()
}

fn answer(line: CellKey, runs: &[&RunRecord]) -> FrontierLine {
    let completed = runs
        .iter()
        .filter(|r| r.completed())
        .map(|r| r.elements)
        .max();
    let bound = runs
        .iter()
        .filter(|r| !r.completed() && Some(r.elements) > completed)
        .min_by_key(|r| r.elements);
    FrontierLine {
        line,
        completed,
        failed: bound.map(|r| r.elements),
        failed_because: bound.map(|r| why(r)),
        runs: runs.len(),
    }
}

fn why(r: &RunRecord) -> String {
    match (&r.diagnosis, r.status) {
        (Some(d), _) => d.clone(),
        (None, Status::Ok) => "wrong result".into(),
        (None, s) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded_by_result_limit(l: &FrontierLine) -> bool {
        l.failed_because
            .as_deref()
            .is_some_and(crate::measure::diagnosis::is_result_limit)
    }

    fn probe(config: &str, arrow: bool, elements: u64, outcome: Option<&str>) -> RunRecord {
        let mut r = RunRecord {
            config: config.into(),
            arrow,
            elements,
            frontier: true,
            ..RunRecord::example()
        };
        if let Some(diagnosis) = outcome {
            r.status = Status::Failed;
            r.diagnosis = Some(diagnosis.into());
        }
        r
    }

    #[test]
    fn each_line_gets_its_largest_completed_and_smallest_failed_count() {
        let records = [
            probe("driver-512m", false, 4_000_000, None),
            probe(
                "driver-512m",
                false,
                8_000_000,
                Some("driver-out-of-memory"),
            ),
            probe("driver-512m", false, 6_000_000, Some("max-result-size")),
            probe("driver-512m", false, 5_000_000, None),
            probe("driver-1g", false, 8_000_000, None),
        ];
        let lines = lines(&records);
        assert_eq!(lines.len(), 2);
        let small = lines
            .iter()
            .find(|l| l.line.config == "driver-512m")
            .unwrap();
        assert_eq!(
            (small.completed, small.failed, small.runs),
            (Some(5_000_000), Some(6_000_000), 4)
        );
        assert_eq!(small.failed_because.as_deref(), Some("max-result-size"));
        assert!(bounded_by_result_limit(small));
        let big = lines.iter().find(|l| l.line.config == "driver-1g").unwrap();
        assert_eq!((big.completed, big.failed), (Some(8_000_000), None));
        assert!(!bounded_by_result_limit(big));
    }

    #[test]
    fn a_failure_that_is_not_a_driver_limit_does_not_keep_the_promise() {
        let oom = probe("driver-512m", true, 9_000_000, Some("driver-out-of-memory"));
        assert!(oom.hit_result_limit() && oom.kept_promise());
        let executors = probe(
            "driver-1g",
            false,
            8_000_000,
            Some("executor-out-of-memory"),
        );
        assert!(
            executors.kept_promise(),
            "the executors' heap bounds the result too"
        );
        let other = probe("driver-512m", true, 9_000_000, Some("no-executors"));
        assert!(!other.hit_result_limit() && !other.kept_promise());
        let not_a_probe = RunRecord {
            frontier: false,
            ..oom.clone()
        };
        assert!(
            !not_a_probe.kept_promise(),
            "outside a search an OOM is a failure"
        );
        let timeout = RunRecord {
            status: Status::Timeout,
            diagnosis: None,
            ..oom
        };
        let line = &lines(&[timeout])[0];
        assert_eq!((line.completed, line.failed), (None, Some(9_000_000)));
        assert_eq!(line.failed_because.as_deref(), Some("timeout"));
        assert!(!bounded_by_result_limit(line));
    }
}
