//! The parts of an event log a [`Profile`] is made of, kept by time so a profile can be read
//! for the whole run or for one window of it (one TPC-H query): jobs with their stages and
//! times, each stage's summed task metrics, each SQL execution's final plan. `eventlog` feeds
//! it one event at a time (the log is streamed, never held whole); metrics are summed per
//! stage as tasks end, so memory grows with stages and plans, not with tasks.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::measure::profile::{operator_name, python_metric, Profile};

/// `"Task Metrics"` of a `SparkListenerTaskEnd`: the fields a profile sums.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskMetrics {
    #[serde(rename = "Executor Run Time")]
    pub executor_run_ms: u64,
    #[serde(rename = "Executor CPU Time")]
    pub executor_cpu_ns: u64,
    #[serde(rename = "Executor Deserialize Time")]
    pub deserialize_ms: u64,
    #[serde(rename = "Result Serialization Time")]
    pub result_serialization_ms: u64,
    #[serde(rename = "JVM GC Time")]
    pub gc_ms: u64,
    #[serde(rename = "Result Size")]
    pub result_bytes: u64,
    #[serde(rename = "Peak Execution Memory")]
    pub peak_execution_memory: u64,
    /// 4.x splits the peak: its total above stays 0 and the heap's is here.
    #[serde(rename = "Peak On Heap Execution Memory")]
    pub peak_on_heap: u64,
    #[serde(rename = "Memory Bytes Spilled")]
    pub memory_spilled: u64,
    #[serde(rename = "Disk Bytes Spilled")]
    pub disk_spilled: u64,
    #[serde(rename = "Shuffle Read Metrics")]
    pub shuffle_read: ShuffleRead,
    #[serde(rename = "Shuffle Write Metrics")]
    pub shuffle_write: ShuffleWrite,
    #[serde(rename = "Input Metrics")]
    pub input: Io,
    #[serde(rename = "Output Metrics")]
    pub output: Io,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShuffleRead {
    #[serde(rename = "Remote Bytes Read")]
    remote: u64,
    #[serde(rename = "Local Bytes Read")]
    local: u64,
    #[serde(rename = "Fetch Wait Time")]
    fetch_wait_ms: u64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShuffleWrite {
    #[serde(rename = "Shuffle Bytes Written")]
    bytes: u64,
    #[serde(rename = "Shuffle Write Time")]
    time_ns: u64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Io {
    #[serde(rename = "Bytes Read", alias = "Bytes Written")]
    bytes: u64,
    #[serde(rename = "Records Read", alias = "Records Written")]
    records: u64,
}

/// One stage's tasks, summed (integers, so sums are exact whatever the order).
#[derive(Default, Clone, Copy, Debug)]
struct StageSums {
    tasks: u64,
    run_ms: u64,
    cpu_ns: u64,
    deserialize_ms: u64,
    result_ser_ms: u64,
    gc_ms: u64,
    result_bytes: u64,
    peak_memory: u64,
    memory_spilled: u64,
    disk_spilled: u64,
    shuffle_read_bytes: u64,
    fetch_wait_ms: u64,
    shuffle_write_bytes: u64,
    shuffle_write_ns: u64,
    input_bytes: u64,
    input_records: u64,
    output_bytes: u64,
}

#[derive(Clone, Debug)]
struct JobSpan {
    submitted_ms: i64,
    completed_ms: Option<i64>,
    stages: Vec<i64>,
}

#[derive(Clone, Debug)]
struct ExecutionSpan {
    start_ms: i64,
    operators: BTreeMap<String, u32>,
}

/// [`Spans`] shared by the values that carry a parsed log (`PhaseTimings`): equal whatever
/// they hold (timings compare by their numbers), cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct SharedSpans(pub std::sync::Arc<Spans>);

impl PartialEq for SharedSpans {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Everything [`Spans::profile`] needs, built as the log streams by.
#[derive(Default, Debug)]
pub struct Spans {
    jobs: BTreeMap<i64, JobSpan>,
    stages: HashMap<i64, StageSums>,
    /// Python-UDF metrics by stage, from each completed stage's accumulables.
    python: HashMap<i64, BTreeMap<&'static str, f64>>,
    executions: BTreeMap<i64, ExecutionSpan>,
    properties: BTreeMap<String, String>,
}

/// A plan node as `sparkPlanInfo` holds it.
#[derive(Deserialize)]
pub struct PlanNode {
    #[serde(rename = "nodeName")]
    name: String,
    #[serde(default)]
    children: Vec<PlanNode>,
}

impl PlanNode {
    fn count(&self, into: &mut BTreeMap<String, u32>) {
        if let Some(name) = operator_name(&self.name) {
            *into.entry(name).or_default() += 1;
        }
        for c in &self.children {
            c.count(into);
        }
    }
}

impl Spans {
    pub fn job(&mut self, id: i64, submitted_ms: i64, stages: Vec<i64>) {
        let span = JobSpan {
            submitted_ms,
            completed_ms: None,
            stages,
        };
        self.jobs.insert(id, span);
    }

    pub fn job_end(&mut self, id: i64, completed_ms: Option<i64>) {
        if let Some(j) = self.jobs.get_mut(&id) {
            j.completed_ms = completed_ms;
        }
    }

    /// Seconds the jobs submitted in `[from_ms, to_ms]` ran (ended ones), summed; `None` if
    /// none ended.
    pub fn jobs_seconds(&self, from_ms: i64, to_ms: i64) -> Option<f64> {
        let ended: Vec<i64> = self
            .jobs
            .values()
            .filter(|j| from_ms <= j.submitted_ms && j.submitted_ms <= to_ms)
            .filter_map(|j| j.completed_ms.map(|end| end - j.submitted_ms))
            .collect();
        (!ended.is_empty()).then(|| ended.iter().sum::<i64>() as f64 / 1e3)
    }

    pub fn task(&mut self, stage: i64, m: &TaskMetrics) {
        add(
            self.stages.entry(stage).or_default(),
            &StageSums::of_task(m),
        );
    }

    /// A completed stage's accumulables (`[{"Name", "Value"}]`, values as strings or numbers):
    /// the Python-UDF metrics among them.
    pub fn stage_accumulables(&mut self, stage: i64, accumulables: &[serde_json::Value]) {
        for a in accumulables {
            let name = a.get("Name").and_then(|n| n.as_str()).unwrap_or_default();
            let Some((metric, scale)) = python_metric(name) else {
                continue;
            };
            let value = match a.get("Value") {
                Some(serde_json::Value::String(s)) => s.parse::<f64>().ok(),
                Some(v) => v.as_f64(),
                None => None,
            };
            if let Some(v) = value {
                *self
                    .python
                    .entry(stage)
                    .or_default()
                    .entry(metric)
                    .or_default() += v * scale;
            }
        }
    }

    /// A SQL execution's plan, at its start.
    pub fn plan(&mut self, execution: i64, start_ms: Option<i64>, root: &PlanNode) {
        let mut operators = BTreeMap::new();
        root.count(&mut operators);
        let start_ms = start_ms.unwrap_or(i64::MIN);
        self.executions.insert(
            execution,
            ExecutionSpan {
                start_ms,
                operators,
            },
        );
    }

    /// AQE re-planned a known execution: its latest plan replaces the earlier one.
    pub fn replan(&mut self, execution: i64, root: &PlanNode) {
        if let Some(e) = self.executions.get_mut(&execution) {
            e.operators.clear();
            root.count(&mut e.operators);
        }
    }

    pub fn properties(&mut self, props: &serde_json::Value) {
        if let Some(map) = props.as_object() {
            for (k, v) in map {
                if let Some(v) = v.as_str() {
                    self.properties.insert(k.clone(), v.to_string());
                }
            }
        }
    }

    /// The profile of the whole run.
    pub fn profile(&self) -> Profile {
        self.window(i64::MIN, i64::MAX)
    }

    /// The profile of the jobs submitted and SQL executions started in `[from_ms, to_ms]`
    /// (properties are the run's).
    pub fn window(&self, from_ms: i64, to_ms: i64) -> Profile {
        let inside = |t: i64| from_ms <= t && t <= to_ms;
        let mut stages: Vec<i64> = self
            .jobs
            .values()
            .filter(|j| inside(j.submitted_ms))
            .flat_map(|j| j.stages.iter().copied())
            .filter(|s| self.stages.contains_key(s))
            .collect();
        stages.sort_unstable();
        stages.dedup();
        let mut profile = Profile {
            properties: self.properties.clone(),
            ..Profile::default()
        };
        let mut sums = StageSums::default();
        for s in &stages {
            add(&mut sums, &self.stages[s]);
            for (k, v) in self.python.get(s).into_iter().flatten() {
                *profile.metrics.entry(k.to_string()).or_default() += v;
            }
        }
        fill(&mut profile.metrics, &sums, stages.len());
        for e in self.executions.values().filter(|e| inside(e.start_ms)) {
            for (op, n) in &e.operators {
                *profile.operators.entry(op.clone()).or_default() += n;
            }
        }
        profile
    }
}

impl StageSums {
    /// One task's metrics as sums of one task (`add` then sums them like any two sums).
    fn of_task(m: &TaskMetrics) -> StageSums {
        StageSums {
            tasks: 1,
            run_ms: m.executor_run_ms,
            cpu_ns: m.executor_cpu_ns,
            deserialize_ms: m.deserialize_ms,
            result_ser_ms: m.result_serialization_ms,
            gc_ms: m.gc_ms,
            result_bytes: m.result_bytes,
            peak_memory: m.peak_execution_memory.max(m.peak_on_heap),
            memory_spilled: m.memory_spilled,
            disk_spilled: m.disk_spilled,
            shuffle_read_bytes: m.shuffle_read.remote + m.shuffle_read.local,
            fetch_wait_ms: m.shuffle_read.fetch_wait_ms,
            shuffle_write_bytes: m.shuffle_write.bytes,
            shuffle_write_ns: m.shuffle_write.time_ns,
            input_bytes: m.input.bytes,
            input_records: m.input.records,
            output_bytes: m.output.bytes,
        }
    }
}

fn add(into: &mut StageSums, s: &StageSums) {
    into.tasks += s.tasks;
    into.run_ms += s.run_ms;
    into.cpu_ns += s.cpu_ns;
    into.deserialize_ms += s.deserialize_ms;
    into.result_ser_ms += s.result_ser_ms;
    into.gc_ms += s.gc_ms;
    into.result_bytes += s.result_bytes;
    into.peak_memory = into.peak_memory.max(s.peak_memory);
    into.memory_spilled += s.memory_spilled;
    into.disk_spilled += s.disk_spilled;
    into.shuffle_read_bytes += s.shuffle_read_bytes;
    into.fetch_wait_ms += s.fetch_wait_ms;
    into.shuffle_write_bytes += s.shuffle_write_bytes;
    into.shuffle_write_ns += s.shuffle_write_ns;
    into.input_bytes += s.input_bytes;
    into.input_records += s.input_records;
    into.output_bytes += s.output_bytes;
}

fn fill(m: &mut BTreeMap<String, f64>, s: &StageSums, stages: usize) {
    let ms = |v: u64| v as f64 / 1e3;
    let ns = |v: u64| v as f64 / 1e9;
    for (name, value) in [
        ("executor_run_s", ms(s.run_ms)),
        ("executor_cpu_s", ns(s.cpu_ns)),
        ("deserialize_s", ms(s.deserialize_ms)),
        ("result_serialization_s", ms(s.result_ser_ms)),
        ("gc_s", ms(s.gc_ms)),
        ("shuffle_read_bytes", s.shuffle_read_bytes as f64),
        ("shuffle_fetch_wait_s", ms(s.fetch_wait_ms)),
        ("shuffle_write_bytes", s.shuffle_write_bytes as f64),
        ("shuffle_write_s", ns(s.shuffle_write_ns)),
        ("memory_spilled_bytes", s.memory_spilled as f64),
        ("disk_spilled_bytes", s.disk_spilled as f64),
        ("input_bytes", s.input_bytes as f64),
        ("input_records", s.input_records as f64),
        ("output_bytes", s.output_bytes as f64),
        ("result_bytes", s.result_bytes as f64),
        ("peak_execution_memory_bytes", s.peak_memory as f64),
        ("tasks", s.tasks as f64),
        ("stages", stages as f64),
    ] {
        m.insert(name.to_string(), value);
    }
}
