//! One run's phases out of a Spark Connect server's event log. Every Connect client shares the
//! server's one application and one log, so application start/end mean nothing per run; a run
//! is known by the session id the harness gave it (`SPARK_REMOTE=…;session_id=<uuid>`):
//!
//! - its operations: `SparkListenerConnectOperationStarted` with `sessionId` = the run's, ended
//!   by the latest `…OperationFinished` / `…OperationClosed` of the same `operationId`;
//! - its jobs: `SparkListenerJobStart` whose `Properties."spark.job.tags"` contains
//!   `_Session_<sid>_`; the tag `…_Operation_<opid>` says which operation ran the job;
//! - its tasks: `SparkListenerTaskEnd` of those jobs' stages (`"Stage IDs"`).
//!
//! `app_s` = the session's span (first operation started → last operation finished or closed);
//! `jobs_s` = sum of the session's job durations; `collect_s` = the same over the jobs of the
//! result query, the operation whose `producedRowCount` equals the run's element count (the
//! `toPandas`; Connect logs no `toPandas` call site), else the session's last operation with
//! jobs. `python_udf_eval` from the session's SQL executions (`jobTags`). Executors are the
//! server's (shared by every run). Arrow evidence does not exist here: results always travel
//! as Arrow batches over gRPC, whatever `spark.sql.execution.arrow.pyspark.enabled` says.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::Value;

use super::event_spans::{PlanNode, SharedSpans, Spans, TaskMetrics};
use super::eventlog::PhaseTimings;

/// How long a session that has not appeared in the log yet is waited for.
pub const APPEAR: Duration = Duration::from_secs(2);

/// Parses the server's log at `path` for the run with session id `session`.
pub fn parse_file(path: &Path, session: &str, elements: u64) -> anyhow::Result<PhaseTimings> {
    Ok(read(path, session)?.timings(elements))
}

/// Waits (up to `limit`) until the session has operations and every one of them and every job
/// has ended in the log: the server's listener bus writes a little after the client exits. A
/// session that does not show up within [`APPEAR`] never reached the server (refused, or the
/// app failed before connecting): no point waiting longer.
pub fn wait_for_session(path: &Path, session: &str, limit: Duration) -> bool {
    let start = Instant::now();
    loop {
        let s = read(path, session).ok();
        if s.as_ref().is_some_and(Session::complete) {
            return true;
        }
        let seen = s.is_some_and(|s| !s.operations.is_empty());
        let waited = start.elapsed();
        if waited >= limit || (!seen && waited >= APPEAR) {
            return false;
        }
        // A poll interval, not a synchronisation: the log is re-read each time.
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn read(path: &Path, session: &str) -> anyhow::Result<Session> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open event log {}", path.display()))?;
    let mut s = Session::new(session);
    for line in std::io::BufReader::new(file).lines() {
        // A torn or unreadable line (the server is still writing) carries nothing of ours yet.
        if let Ok(event) = serde_json::from_str::<Value>(&line?) {
            s.apply(&event);
        }
    }
    Ok(s)
}

struct Operation {
    started_ms: i64,
    ended_ms: Option<i64>,
    rows: Option<u64>,
}

struct Job {
    operation: Option<String>,
    submitted_ms: i64,
    completed_ms: Option<i64>,
}

#[derive(Default)]
struct Session {
    marker: String,
    id: String,
    operations: HashMap<String, Operation>,
    /// Operation ids in start order.
    order: Vec<String>,
    jobs: HashMap<i64, Job>,
    stages: HashSet<i64>,
    tasks: u64,
    executor_run_ms: u64,
    gc_ms: u64,
    executors: u32,
    udf_eval: Option<&'static str>,
    /// The session's jobs, stages and plans, for its profile; the server's properties.
    spans: Spans,
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Session {
    fn new(id: &str) -> Session {
        Session {
            marker: format!("_Session_{id}_"),
            id: id.to_string(),
            ..Session::default()
        }
    }

    fn apply(&mut self, e: &Value) {
        let kind = text(e, "Event").unwrap_or_default();
        match kind.rsplit('.').next().unwrap_or(kind) {
            "SparkListenerConnectOperationStarted" => self.op_started(e),
            "SparkListenerConnectOperationFinished" | "SparkListenerConnectOperationClosed" => {
                self.op_ended(e)
            }
            "SparkListenerJobStart" => self.job_started(e),
            "SparkListenerJobEnd" => {
                if let Some(id) = int(e, "Job ID") {
                    self.spans.job_end(id, int(e, "Completion Time"));
                }
                let job = int(e, "Job ID").and_then(|id| self.jobs.get_mut(&id));
                if let Some(job) = job {
                    job.completed_ms = int(e, "Completion Time");
                }
            }
            "SparkListenerTaskEnd" => self.task_ended(e),
            "SparkListenerSQLExecutionStart" => self.sql_started(e),
            "SparkListenerExecutorAdded" => self.executors += 1,
            "SparkListenerStageCompleted" => self.stage_completed(e),
            "SparkListenerSQLAdaptiveExecutionUpdate" => {
                let tree = e.get("sparkPlanInfo").cloned();
                let tree = tree.and_then(|v| serde_json::from_value::<PlanNode>(v).ok());
                if let (Some(id), Some(tree)) = (int(e, "executionId"), tree) {
                    self.spans.replan(id, &tree);
                }
            }
            "SparkListenerEnvironmentUpdate" => {
                if let Some(props) = e.get("Spark Properties") {
                    self.spans.properties(props);
                }
            }
            _ => {}
        }
    }

    fn op_started(&mut self, e: &Value) {
        let (Some(op), Some(at)) = (text(e, "operationId"), int(e, "eventTime")) else {
            return;
        };
        if text(e, "sessionId") == Some(self.id.as_str()) {
            let started_ms = at;
            let operation = Operation {
                started_ms,
                ended_ms: None,
                rows: None,
            };
            self.operations.insert(op.to_string(), operation);
            self.order.push(op.to_string());
        }
    }

    fn op_ended(&mut self, e: &Value) {
        let Some(op) = text(e, "operationId").and_then(|id| self.operations.get_mut(id)) else {
            return;
        };
        let at = int(e, "eventTime");
        op.ended_ms = op.ended_ms.max(at);
        if let Some(rows) = e.get("producedRowCount").and_then(Value::as_u64) {
            op.rows = Some(rows);
        }
    }

    fn job_started(&mut self, e: &Value) {
        let tags = e
            .pointer("/Properties/spark.job.tags")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (Some(id), Some(submitted_ms)) = (int(e, "Job ID"), int(e, "Submission Time")) else {
            return;
        };
        if !tags.contains(&self.marker) {
            return;
        }
        let operation = tags
            .split(',')
            .filter(|t| t.contains(&self.marker))
            .find_map(|t| t.split_once("_Operation_").map(|(_, op)| op.to_string()));
        let stages: Vec<i64> = e
            .get("Stage IDs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
            .collect();
        self.spans.job(id, submitted_ms, stages.clone());
        self.stages.extend(stages);
        let job = Job {
            operation,
            submitted_ms,
            completed_ms: None,
        };
        self.jobs.insert(id, job);
    }

    fn task_ended(&mut self, e: &Value) {
        if !int(e, "Stage ID").is_some_and(|s| self.stages.contains(&s)) {
            return;
        }
        self.tasks += 1;
        let metric = |key: &str| {
            let ms = e.get("Task Metrics").and_then(|m| m.get(key));
            ms.and_then(Value::as_u64).unwrap_or(0)
        };
        self.executor_run_ms += metric("Executor Run Time");
        self.gc_ms += metric("JVM GC Time");
        if let Some(m) = e.get("Task Metrics") {
            let m: TaskMetrics = serde_json::from_value(m.clone()).unwrap_or_default();
            self.spans.task(int(e, "Stage ID").unwrap_or(-1), &m);
        }
    }

    fn stage_completed(&mut self, e: &Value) {
        let Some(id) = e.pointer("/Stage Info/Stage ID").and_then(Value::as_i64) else {
            return;
        };
        if let Some(acc) = e
            .pointer("/Stage Info/Accumulables")
            .and_then(Value::as_array)
        {
            if self.stages.contains(&id) {
                self.spans.stage_accumulables(id, acc);
            }
        }
    }

    fn sql_started(&mut self, e: &Value) {
        let ours = e
            .get("jobTags")
            .and_then(Value::as_array)
            .is_some_and(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .any(|t| t.contains(&self.marker))
            });
        let plan = text(e, "physicalPlanDescription").unwrap_or_default();
        if ours {
            self.udf_eval = super::eventlog::udf_eval(plan).or(self.udf_eval);
            let tree = e.get("sparkPlanInfo").cloned();
            let tree = tree.and_then(|v| serde_json::from_value::<PlanNode>(v).ok());
            if let (Some(id), Some(tree)) = (int(e, "executionId"), tree) {
                self.spans.plan(id, int(e, "time"), &tree);
            }
        }
    }

    fn complete(&self) -> bool {
        !self.operations.is_empty()
            && self.operations.values().all(|o| o.ended_ms.is_some())
            && self.jobs.values().all(|j| j.completed_ms.is_some())
    }

    /// The result query: the operation that returned `elements` rows, else the last one with jobs.
    fn result_operation(&self, elements: u64) -> Option<&str> {
        let with_jobs = |op: &&String| {
            self.jobs
                .values()
                .any(|j| j.operation.as_ref() == Some(*op))
        };
        let rows = |op: &&String| self.operations[op.as_str()].rows == Some(elements);
        let ops = self.order.iter().rev();
        ops.clone()
            .find(rows)
            .or_else(|| ops.clone().find(with_jobs))
            .map(String::as_str)
    }

    fn jobs_seconds(&self, only: Option<&str>) -> Option<f64> {
        let durations: Vec<i64> = self
            .jobs
            .values()
            .filter(|j| only.is_none() || j.operation.as_deref() == only)
            .filter_map(|j| j.completed_ms.map(|end| end - j.submitted_ms))
            .collect();
        (!durations.is_empty()).then(|| durations.iter().sum::<i64>() as f64 / 1000.0)
    }

    fn span_seconds(&self) -> Option<f64> {
        let first = self.operations.values().map(|o| o.started_ms).min()?;
        let last = self.operations.values().filter_map(|o| o.ended_ms).max()?;
        Some((last - first) as f64 / 1000.0)
    }

    fn timings(mut self, elements: u64) -> PhaseTimings {
        let collect = self.result_operation(elements);
        PhaseTimings {
            app_s: self.span_seconds(),
            jobs_s: self.jobs_seconds(None),
            collect_s: collect.and_then(|op| self.jobs_seconds(Some(op))),
            tasks: self.tasks,
            executor_run_s: self.executor_run_ms as f64 / 1000.0,
            gc_s: self.gc_ms as f64 / 1000.0,
            arrow_collect: None,
            python_udf_eval: self.udf_eval.map(str::to_string),
            executors: self.executors,
            // The server's master, not the client's choice: nothing to check for Connect.
            master: None,
            profile: self.spans.profile(),
            spans: SharedSpans(std::sync::Arc::new(std::mem::take(&mut self.spans))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/eventlogs/spark-4.1.4-connect")
    }

    /// Runs 1 (Arrow on) and 2 (Arrow off) of the fixture, 100,000 elements each.
    const RUN_1: &str = "ae441389-25f2-4bb9-bb51-464fd37325bc";
    const RUN_2: &str = "e1a28196-246d-4050-ba4b-6fa7a7fb2652";

    #[test]
    fn each_session_gets_only_its_own_jobs() {
        let one = parse_file(&fixture(), RUN_1, 100_000).unwrap();
        let two = parse_file(&fixture(), RUN_2, 100_000).unwrap();
        // Three jobs of 2, 2 and 2+2 stage tasks; the last stage ran 2 tasks: 6 task ends.
        assert_eq!((one.tasks, two.tasks), (6, 6), "{one:?} {two:?}");
        for t in [&one, &two] {
            let (collect, jobs, app) = (t.collect_s.unwrap(), t.jobs_s.unwrap(), t.app_s.unwrap());
            assert!(collect > 0.0 && collect <= jobs && jobs <= app, "{t:?}");
            assert_eq!(t.python_udf_eval.as_deref(), Some("BatchEvalPython"));
            assert_eq!(t.arrow_collect, None);
        }
        // Run 1 paid the first-time Python worker start (19 s query vs 8.5 s).
        assert!(one.app_s.unwrap() > two.app_s.unwrap(), "{one:?} {two:?}");
        assert_ne!(one.jobs_s, two.jobs_s);
    }

    #[test]
    fn the_span_runs_from_first_start_to_last_end_of_the_session() {
        let s = read(&fixture(), RUN_1).unwrap();
        assert!(s.complete());
        assert_eq!(s.order.len(), 5, "view, function, sql, query, clean_cache");
        let query = s.result_operation(100_000).unwrap();
        assert_eq!(query, "d6c83f38-a1bd-4ab8-ac56-a9502b548655");
        let q = &s.operations[query];
        // Finished at …281876, closed (results sent) at …282082: the later one ends it.
        assert_eq!(
            (q.started_ms, q.ended_ms),
            (1795692262834, Some(1795692282082))
        );
        let first = s.operations.values().map(|o| o.started_ms).min().unwrap();
        assert_eq!(first, 1795692260074);
    }

    #[test]
    fn an_unknown_session_has_nothing_and_is_not_complete() {
        let t = parse_file(&fixture(), "00000000-0000-4000-8000-000000000000", 10).unwrap();
        assert_eq!(
            (t.app_s, t.jobs_s, t.collect_s, t.tasks),
            (None, None, None, 0)
        );
        let start = Instant::now();
        let id = "00000000-0000-4000-8000-000000000000";
        assert!(!wait_for_session(
            &fixture(),
            id,
            Duration::from_millis(300)
        ));
        assert!(start.elapsed() >= Duration::from_millis(300));
    }

    #[test]
    fn without_a_matching_row_count_the_last_operation_with_jobs_is_the_collect() {
        let s = read(&fixture(), RUN_2).unwrap();
        assert_eq!(s.result_operation(7), s.result_operation(100_000));
    }
}
