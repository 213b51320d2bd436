//! A multi-query app's run (TPC-H) as one record per query beside the run's own: each query's
//! wall time (the app's `timings.jsonl`: when `spark.sql(q).toPandas()` started and ended),
//! its rows and correctness (the oracle's verdict for it), and — from the event log's jobs and
//! SQL executions inside that window — its jobs' time and its plan and metrics. A query record
//! is the run's cell with `query` set, so statistics, reports, comparisons, history and the
//! trackers treat each query as a cell of its own with no new code.

use serde::Deserialize;

use crate::measure::correctness::Correctness;
use crate::measure::event_spans::Spans;
use crate::measure::record::RunRecord;
use crate::measure::tpch_oracle::QueryVerdict;

/// The file a multi-query app writes beside its results.
pub const TIMINGS: &str = "timings.jsonl";

/// One line of `timings.jsonl`.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct QueryTiming {
    pub query: u32,
    pub start_ms: i64,
    pub end_ms: i64,
    pub rows: u64,
}

/// The lines of `timings.jsonl`; unreadable lines are left out (the run's record says whether
/// the app finished).
pub fn parse_timings(text: &str) -> Vec<QueryTiming> {
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// One record per query the app timed, derived from the run's record `run`.
pub fn query_records(
    run: &RunRecord,
    timings: &[QueryTiming],
    verdicts: &[QueryVerdict],
    spans: Option<&Spans>,
) -> Vec<RunRecord> {
    timings
        .iter()
        .map(|t| {
            let verdict = verdicts.iter().find(|v| v.query == t.query);
            let mut rec = RunRecord {
                query: Some(t.query),
                rows: Some(t.rows),
                wall_s: (t.end_ms - t.start_ms).max(0) as f64 / 1e3,
                app_s: None,
                collect_s: None,
                arrow_effective: run.arrow_effective,
                correct: verdict.map_or(Correctness::Unknown, |v| v.correct.into()),
                error: verdict.and_then(|v| v.problem.clone()),
                finding: None,
                diagnosis: None,
                driver_peak_mib: None,
                executors_peak_mib: None,
                stdout_path: None,
                stderr_path: None,
                ..run.clone()
            };
            let profile = spans.map(|s| s.window(t.start_ms, t.end_ms));
            rec.jobs_s = spans.and_then(|s| s.jobs_seconds(t.start_ms, t.end_ms));
            rec.tasks = profile
                .as_ref()
                .and_then(|p| p.metrics.get("tasks"))
                .map(|t| *t as u64);
            rec.executor_run_s = profile
                .as_ref()
                .and_then(|p| p.metrics.get("executor_run_s").copied());
            rec.gc_s = profile
                .as_ref()
                .and_then(|p| p.metrics.get("gc_s").copied());
            rec.profile = profile.map(|mut p| {
                // The run's properties are the run's: one copy, in the run's record.
                p.properties.clear();
                p
            });
            rec
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::record::Status;

    #[test]
    fn each_timed_query_becomes_its_own_cell_with_its_verdict() {
        let run = RunRecord {
            status: Status::Ok,
            correct: Correctness::No,
            error: Some("wrong result: q06 row 1: …".into()),
            ..RunRecord::example()
        };
        let timings = parse_timings(
            "{\"query\": 1, \"start_ms\": 1000, \"end_ms\": 3500, \"rows\": 4}\nnot json\n{\"query\": 6, \"start_ms\": 4000, \"end_ms\": 4500, \"rows\": 1}\n",
        );
        let verdicts = [
            QueryVerdict {
                query: 1,
                correct: true,
                rows: 4,
                problem: None,
            },
            QueryVerdict {
                query: 6,
                correct: false,
                rows: 1,
                problem: Some("q06 row 1: …".into()),
            },
        ];
        let recs = query_records(&run, &timings, &verdicts, None);
        assert_eq!(recs.len(), 2);
        assert_eq!(
            (recs[0].query, recs[0].wall_s, recs[0].rows),
            (Some(1), 2.5, Some(4))
        );
        assert_eq!(recs[0].correct, Correctness::Yes);
        assert!(recs[0].error.is_none() && recs[0].kept_promise());
        assert_eq!(recs[1].correct, Correctness::No);
        assert!(!recs[1].kept_promise());
        assert_eq!(recs[1].cell().to_string(), format!("{}/q06", run.cell()));
        assert_ne!(recs[0].run_key(), recs[1].run_key());
    }
}
