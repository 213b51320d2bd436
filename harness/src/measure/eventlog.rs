//! Phase timings and Arrow evidence from a Spark event log (JSON lines, one listener event per
//! line). Where each field comes from:
//!
//! - `app_s`: `SparkListenerApplicationStart.Timestamp` → `SparkListenerApplicationEnd.Timestamp`.
//!   `None` when the end event is missing (the JVM was killed before its shutdown hook ran).
//! - `jobs_s`: sum over jobs of `SparkListenerJobStart."Submission Time"` →
//!   `SparkListenerJobEnd."Completion Time"`; jobs that never ended are left out; `None` when no
//!   job ended. Jobs of the sample app run one after another; concurrent jobs would be counted
//!   twice, so `jobs_s ≤ app_s` only holds for sequential apps.
//! - `collect_s`: the same sum over the jobs that belong to `toPandas`: their
//!   `Properties."callSite.short"` starts with `toPandas`, or their
//!   `Properties."spark.sql.execution.id"` names a `SparkListenerSQLExecutionStart` whose
//!   `description` starts with `toPandas`. `None` when no such job ended.
//! - `tasks`, `executor_run_s`, `gc_s`: count of `SparkListenerTaskEnd` events and the sums of
//!   their `"Task Metrics"."Executor Run Time"` and `"JVM GC Time"` (milliseconds in the log).
//! - `arrow_collect`: from the `details` (call stack) of the `toPandas` SQL execution:
//!   `collectAsArrowToPython` means Arrow, `collectToPython` means the pickled path. The last
//!   `toPandas` execution with evidence wins, because when Arrow fails and
//!   `spark.sql.execution.arrow.pyspark.fallback.enabled` is on, Spark retries without Arrow.
//! - `executors`: count of `SparkListenerExecutorAdded` events (executors the app really got;
//!   a worker lost before or during the run shows here as fewer than the cluster's workers).
//! - `python_udf_eval`: `ArrowEvalPython` or `BatchEvalPython` (whichever comes first) in the
//!   `physicalPlanDescription` of the `toPandas` execution, else of any SQL execution.
//! - `master`: `spark.master` in `SparkListenerEnvironmentUpdate."Spark Properties"`: the
//!   master the app really used (an app that sets `.master("local[*]")` itself shows here).
//! - `profile`: the run's plan operators, summed task metrics and properties
//!   (`measure::profile`), from the same events (`event_spans` keeps them by job and stage, so
//!   [`read`] can also give the profile of one window of the run).
//!
//! Logs of running or killed apps (`.inprogress`) are accepted, and a torn last line (the
//! writer died mid-line) is ignored; a bad line anywhere else is an error.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::measure::event_spans::{PlanNode, SharedSpans, Spans, TaskMetrics};
use crate::measure::profile::Profile;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct PhaseTimings {
    pub app_s: Option<f64>,
    pub jobs_s: Option<f64>,
    pub collect_s: Option<f64>,
    pub tasks: u64,
    pub executor_run_s: f64,
    pub gc_s: f64,
    pub arrow_collect: Option<bool>,
    pub python_udf_eval: Option<String>,
    pub executors: u32,
    /// The `spark.master` the application ran with.
    #[serde(default)]
    pub master: Option<String>,
    /// What the run did: operators, metrics, properties (warnings come from its console).
    #[serde(default)]
    pub profile: Profile,
    /// The log's jobs, stages and plans by time, for the profile of a window of the run (one
    /// query of a multi-query app).
    #[serde(skip)]
    pub spans: SharedSpans,
}

/// A parsed event log: the run's timings and profile, and the spans to read windows of it.
pub struct EventLog {
    pub timings: PhaseTimings,
    pub spans: SharedSpans,
}

/// Parses the event log at `path`; errors name the file and line.
pub fn parse_file(path: &Path) -> anyhow::Result<PhaseTimings> {
    read(path).map(|log| log.timings)
}

/// [`parse_file`], keeping the spans (for a window's profile).
pub fn read(path: &Path) -> anyhow::Result<EventLog> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open event log {}", path.display()))?;
    read_from(std::io::BufReader::new(file))
        .with_context(|| format!("in event log {}", path.display()))
}

/// Parses an event log from any reader.
pub fn parse_reader(reader: impl BufRead) -> anyhow::Result<PhaseTimings> {
    read_from(reader).map(|log| log.timings)
}

/// Parses an event log from any reader, keeping the spans.
pub fn read_from(mut reader: impl BufRead) -> anyhow::Result<EventLog> {
    let mut acc = Accumulator::default();
    let mut line = Vec::new();
    let mut line_no = 0usize;
    // A bad line is only an error once another line follows it: the last one may be torn.
    let mut pending: Option<(usize, serde_json::Error)> = None;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        line_no += 1;
        if let Some((n, e)) = pending.take() {
            bail!("line {n}: not a JSON event: {e}");
        }
        if line.iter().all(u8::is_ascii_whitespace) || ignored(&line) {
            continue;
        }
        // Task ends are nearly every line of a big log: a struct of their two fields only.
        if line.starts_with(TASK_END) {
            match serde_json::from_slice::<TaskEnd>(&line) {
                Ok(t) => acc.task_end(t),
                Err(e) => pending = Some((line_no, e)),
            }
            continue;
        }
        match serde_json::from_slice::<Event>(&line) {
            Ok(event) => acc.apply(event),
            Err(e) => pending = Some((line_no, e)),
        }
    }
    Ok(acc.finish())
}

const TASK_END: &[u8] = b"{\"Event\":\"SparkListenerTaskEnd\"";

#[derive(Deserialize)]
struct TaskEnd {
    #[serde(rename = "Stage ID")]
    stage_id: Option<i64>,
    #[serde(rename = "Task Metrics")]
    task_metrics: Option<TaskMetrics>,
}

/// Events no timing or profile reads, known by the line's start (Spark writes `"Event"` first):
/// a task's start is as frequent as its end, and skipping it unparsed keeps the parser above
/// 1 GiB/s. Any other line, garbage included, is parsed (and refused) as before.
fn ignored(line: &[u8]) -> bool {
    const SKIP: [&[u8]; 4] = [
        b"{\"Event\":\"SparkListenerTaskStart\"",
        b"{\"Event\":\"SparkListenerBlockManagerAdded\"",
        b"{\"Event\":\"SparkListenerStageSubmitted\"",
        b"{\"Event\":\"SparkListenerTaskGettingResult\"",
    ];
    SKIP.iter().any(|s| line.starts_with(s))
}

/// The event log of one run: the single `app-*` file (finished or `.inprogress`) in `dir`,
/// or `local-*` for an app that ran on a local master of its own (its log still shows which).
/// `None` when there is none, or several (then the directory is not one run's log dir).
pub fn find_event_log(dir: &Path) -> Option<PathBuf> {
    let mut logs = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with("app-") || name.starts_with("local-")
        })
        .map(|entry| entry.path());
    let first = logs.next()?;
    logs.next().is_none().then_some(first)
}

// ---------------------------------------------------------------------------------------------
// One struct for every event kind: serde skips the (large) fields no kind here needs.

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "Event")]
    kind: String,
    #[serde(rename = "Timestamp")]
    timestamp: Option<i64>,
    #[serde(rename = "Job ID")]
    job_id: Option<i64>,
    #[serde(rename = "Submission Time")]
    submission_time: Option<i64>,
    #[serde(rename = "Completion Time")]
    completion_time: Option<i64>,
    /// Values are strings in every Spark version seen, but a stray non-string must not make
    /// the whole log unreadable.
    #[serde(rename = "Properties")]
    properties: Option<HashMap<String, serde_json::Value>>,
    #[serde(rename = "Task Metrics")]
    task_metrics: Option<TaskMetrics>,
    /// A task's stage (`SparkListenerTaskEnd`), a job's stages (`SparkListenerJobStart`).
    #[serde(rename = "Stage ID")]
    stage_id: Option<i64>,
    #[serde(rename = "Stage IDs")]
    stage_ids: Option<Vec<i64>>,
    /// `SparkListenerStageCompleted`: its id and accumulables (the Python-UDF metrics).
    #[serde(rename = "Stage Info")]
    stage_info: Option<StageInfo>,
    /// A SQL execution's plan tree (its start, and each AQE re-plan).
    #[serde(rename = "sparkPlanInfo")]
    plan_info: Option<PlanNode>,
    /// A SQL execution's start time.
    time: Option<i64>,
    #[serde(rename = "executionId")]
    execution_id: Option<i64>,
    description: Option<String>,
    details: Option<String>,
    #[serde(rename = "physicalPlanDescription")]
    physical_plan: Option<String>,
    /// Kept as any JSON: a shape never seen must not make the whole log unreadable.
    #[serde(rename = "Spark Properties")]
    spark_properties: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct StageInfo {
    #[serde(rename = "Stage ID")]
    id: i64,
    #[serde(rename = "Accumulables", default)]
    accumulables: Vec<serde_json::Value>,
}

struct Job {
    submitted_ms: i64,
    completed_ms: Option<i64>,
    call_site: Option<String>,
    execution_id: Option<i64>,
}

struct SqlExecution {
    to_pandas: bool,
    arrow: Option<bool>,
    udf_eval: Option<&'static str>,
}

#[derive(Default)]
struct Accumulator {
    app_start_ms: Option<i64>,
    app_end_ms: Option<i64>,
    jobs: HashMap<i64, Job>,
    /// In log order, so "the last toPandas execution" is well defined.
    executions: Vec<(i64, SqlExecution)>,
    tasks: u64,
    executor_run_ms: u64,
    gc_ms: u64,
    executors: u32,
    master: Option<String>,
    spans: Spans,
}

fn is_to_pandas(text: &str) -> bool {
    text.starts_with("toPandas")
}

impl Accumulator {
    fn apply(&mut self, e: Event) {
        // SQL events carry their listener's package, which differs across Spark lines.
        let kind = e.kind.rsplit('.').next().unwrap_or(&e.kind);
        match kind {
            "SparkListenerApplicationStart" => self.app_start_ms = e.timestamp,
            "SparkListenerApplicationEnd" => self.app_end_ms = e.timestamp,
            "SparkListenerJobStart" => self.job_start(e),
            "SparkListenerJobEnd" => {
                if let Some(id) = e.job_id {
                    self.spans.job_end(id, e.completion_time);
                }
                let job = e.job_id.and_then(|id| self.jobs.get_mut(&id));
                if let Some(job) = job {
                    job.completed_ms = e.completion_time;
                }
            }
            "SparkListenerTaskEnd" => self.task_end(TaskEnd {
                stage_id: e.stage_id,
                task_metrics: e.task_metrics,
            }),
            "SparkListenerStageCompleted" => {
                if let Some(s) = e.stage_info {
                    self.spans.stage_accumulables(s.id, &s.accumulables);
                }
            }
            "SparkListenerSQLAdaptiveExecutionUpdate" => {
                if let (Some(id), Some(plan)) = (e.execution_id, &e.plan_info) {
                    self.spans.replan(id, plan);
                }
            }
            "SparkListenerSQLExecutionStart" => self.sql_start(e),
            "SparkListenerExecutorAdded" => self.executors += 1,
            "SparkListenerEnvironmentUpdate" => {
                if let Some(props) = &e.spark_properties {
                    self.spans.properties(props);
                    let master = props.get("spark.master");
                    self.master = master.and_then(|m| m.as_str()).map(str::to_string);
                }
            }
            _ => {}
        }
    }

    fn task_end(&mut self, t: TaskEnd) {
        self.tasks += 1;
        if let Some(m) = t.task_metrics {
            self.executor_run_ms += m.executor_run_ms;
            self.gc_ms += m.gc_ms;
            self.spans.task(t.stage_id.unwrap_or(-1), &m);
        }
    }

    fn job_start(&mut self, e: Event) {
        let (Some(id), Some(submitted_ms)) = (e.job_id, e.submission_time) else {
            return;
        };
        let stages = e.stage_ids.clone().unwrap_or_default();
        self.spans.job(id, submitted_ms, stages);
        let props = e.properties.unwrap_or_default();
        let prop = |key: &str| props.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let job = Job {
            submitted_ms,
            completed_ms: None,
            call_site: prop("callSite.short"),
            execution_id: prop("spark.sql.execution.id").and_then(|s| s.parse().ok()),
        };
        self.jobs.insert(id, job);
    }

    fn sql_start(&mut self, e: Event) {
        let Some(id) = e.execution_id else { return };
        if let Some(plan) = &e.plan_info {
            self.spans.plan(id, e.time, plan);
        }
        let details = e.details.unwrap_or_default();
        let arrow = if details.contains("collectAsArrowToPython") {
            Some(true)
        } else if details.contains("collectToPython") {
            Some(false)
        } else {
            None
        };
        let execution = SqlExecution {
            to_pandas: e.description.as_deref().is_some_and(is_to_pandas),
            arrow,
            udf_eval: e.physical_plan.as_deref().and_then(udf_eval),
        };
        self.executions.push((id, execution));
    }

    fn is_to_pandas_job(&self, job: &Job) -> bool {
        job.call_site.as_deref().is_some_and(is_to_pandas)
            || job.execution_id.is_some_and(|id| {
                self.executions
                    .iter()
                    .any(|(eid, x)| *eid == id && x.to_pandas)
            })
    }

    fn finish(self) -> EventLog {
        let ended = |filter: &dyn Fn(&Job) -> bool| -> Option<f64> {
            let durations: Vec<i64> = self
                .jobs
                .values()
                .filter(|j| filter(j))
                .filter_map(|j| j.completed_ms.map(|end| end - j.submitted_ms))
                .collect();
            (!durations.is_empty()).then(|| seconds(durations.iter().sum()))
        };
        let to_pandas = self
            .executions
            .iter()
            .map(|(_, x)| x)
            .filter(|x| x.to_pandas);
        let udf_eval = to_pandas
            .clone()
            .filter_map(|x| x.udf_eval)
            .next_back()
            .or_else(|| {
                self.executions
                    .iter()
                    .filter_map(|(_, x)| x.udf_eval)
                    .next_back()
            });
        let timings = PhaseTimings {
            app_s: self
                .app_start_ms
                .zip(self.app_end_ms)
                .map(|(start, end)| seconds(end - start)),
            jobs_s: ended(&|_| true),
            collect_s: ended(&|j| self.is_to_pandas_job(j)),
            tasks: self.tasks,
            executors: self.executors,
            executor_run_s: self.executor_run_ms as f64 / 1000.0,
            gc_s: self.gc_ms as f64 / 1000.0,
            arrow_collect: to_pandas.filter_map(|x| x.arrow).next_back(),
            python_udf_eval: udf_eval.map(str::to_string),
            master: self.master,
            profile: self.spans.profile().with_executors(self.executors),
            spans: SharedSpans::default(),
        };
        let spans = SharedSpans(std::sync::Arc::new(self.spans));
        EventLog {
            timings: PhaseTimings {
                spans: spans.clone(),
                ..timings
            },
            spans,
        }
    }
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// The Python UDF operator named first in a physical plan description.
pub(crate) fn udf_eval(plan: &str) -> Option<&'static str> {
    ["ArrowEvalPython", "BatchEvalPython"]
        .into_iter()
        .filter_map(|op| plan.find(op).map(|at| (at, op)))
        .min()
        .map(|(_, op)| op)
}

#[cfg(test)]
mod tests;
