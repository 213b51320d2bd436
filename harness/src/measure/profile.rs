//! What a run did, beyond how long it took: the physical operators its SQL executions ran (a
//! normalised plan signature), its task metrics summed (CPU, deserialisation, GC, shuffle,
//! spill, I/O, peak memory, and the Python-UDF metrics Spark records), the Spark properties it
//! really had, and the warnings its driver printed. Read from the run's own event log and
//! console (`eventlog`, `warnings`), kept in its record, and compared between two sets of
//! runs by `output::compare::explain` to say *why* a move changed a job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// Physical operators over every SQL execution's final plan (AQE's last re-plan), by
    /// normalised name (`BatchEvalPython`, `Exchange`, `Scan parquet`, `SortMergeJoin`…), with
    /// how many times each appears. Codegen wrappers are left out: they follow the rest.
    #[serde(default)]
    pub operators: BTreeMap<String, u32>,
    /// Task metrics summed over the run's tasks, by [`METRICS`] name (seconds, bytes, counts).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// The Spark properties the application had (`SparkListenerEnvironmentUpdate`): what was
    /// set, by whom or by default; Spark redacts secrets itself.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// Driver-side warnings by class (`FutureWarning data/data_source.py:31`,
    /// `WARN TaskSetManager`), counted.
    #[serde(default)]
    pub warnings: BTreeMap<String, u32>,
}

/// Every metric a profile may hold: its name, unit, and what it is.
pub const METRICS: &[(&str, &str, &str)] = &[
    ("executor_run_s", "s", "task run time on the executors"),
    ("executor_cpu_s", "s", "task CPU time"),
    ("deserialize_s", "s", "task deserialisation"),
    ("result_serialization_s", "s", "task result serialisation"),
    ("gc_s", "s", "JVM GC in tasks"),
    ("shuffle_read_bytes", "B", "shuffle bytes read"),
    ("shuffle_fetch_wait_s", "s", "waiting for shuffle blocks"),
    ("shuffle_write_bytes", "B", "shuffle bytes written"),
    ("shuffle_write_s", "s", "writing shuffle files"),
    ("memory_spilled_bytes", "B", "spilled from memory"),
    ("disk_spilled_bytes", "B", "spilled to disk"),
    ("input_bytes", "B", "bytes read from sources"),
    ("input_records", "", "records read from sources"),
    ("output_bytes", "B", "bytes written to sinks"),
    ("result_bytes", "B", "task results sent to the driver"),
    (
        "peak_execution_memory_bytes",
        "B",
        "largest task's peak execution memory",
    ),
    ("tasks", "", "tasks"),
    ("stages", "", "stages"),
    ("executors", "", "executors the app got"),
    ("python_run_s", "s", "time running Python workers (UDFs)"),
    ("python_start_s", "s", "time starting Python workers"),
    ("python_sent_bytes", "B", "data sent to Python workers"),
    (
        "python_returned_bytes",
        "B",
        "data returned from Python workers",
    ),
];

impl Profile {
    /// The executors the application got (one 2-core worker gives one, two 1-core workers
    /// two): what a config comparison's tasks and shuffle follow from.
    pub fn with_executors(mut self, executors: impl Into<f64>) -> Profile {
        self.metrics.insert("executors".into(), executors.into());
        self
    }
}

/// A metric's unit and meaning, for tables.
pub fn metric(name: &str) -> Option<(&'static str, &'static str)> {
    METRICS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, u, m)| (*u, *m))
}

/// Plan nodes that wrap others without doing work of their own.
const WRAPPERS: &[&str] = &["WholeStageCodegen", "InputAdapter"];

/// `WholeStageCodegen (2)` → `WholeStageCodegen`, `Scan parquet ` → `Scan parquet`,
/// `Exchange` stays; `None` for a wrapper.
pub fn operator_name(node: &str) -> Option<String> {
    let mut name = node.trim();
    if let Some(open) = name.rfind(" (") {
        if name.ends_with(')')
            && name[open + 2..name.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit())
        {
            name = name[..open].trim_end();
        }
    }
    (!name.is_empty() && !WRAPPERS.contains(&name)).then(|| name.to_string())
}

/// The Python-UDF SQL metrics (accumulables named by Spark's Python exec nodes) as profile
/// metrics: 3.5 records only the data sent and returned, 4.x the times too.
pub fn python_metric(accumulable: &str) -> Option<(&'static str, f64)> {
    Some(match accumulable {
        "time to run Python workers" => ("python_run_s", 1e-3),
        "time to start Python workers" => ("python_start_s", 1e-3),
        "data sent to Python workers" => ("python_sent_bytes", 1.0),
        "data returned from Python workers" => ("python_returned_bytes", 1.0),
        _ => return None,
    })
}

impl Profile {
    /// Adds `other`'s operators, metrics and warnings to this one (peak memory is a maximum).
    pub fn absorb(&mut self, other: &Profile) {
        for (k, v) in &other.operators {
            *self.operators.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.metrics {
            let e = self.metrics.entry(k.clone()).or_default();
            *e = match k.as_str() {
                "peak_execution_memory_bytes" => e.max(*v),
                _ => *e + v,
            };
        }
        for (k, v) in &other.warnings {
            *self.warnings.entry(k.clone()).or_default() += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names_drop_codegen_ids_and_wrappers() {
        assert_eq!(operator_name("WholeStageCodegen (2)"), None);
        assert_eq!(operator_name("InputAdapter"), None);
        assert_eq!(operator_name("Scan parquet "), Some("Scan parquet".into()));
        assert_eq!(
            operator_name("BatchEvalPython"),
            Some("BatchEvalPython".into())
        );
        assert_eq!(
            operator_name("Exchange (hashpartitioning)"),
            Some("Exchange (hashpartitioning)".into())
        );
    }

    #[test]
    fn absorbing_sums_counts_and_keeps_the_largest_peak() {
        let mut a = Profile::default();
        a.metrics.insert("gc_s".into(), 1.0);
        a.metrics.insert("peak_execution_memory_bytes".into(), 10.0);
        let mut b = a.clone();
        b.operators.insert("Exchange".into(), 2);
        b.metrics.insert("peak_execution_memory_bytes".into(), 5.0);
        a.absorb(&b);
        assert_eq!(a.metrics["gc_s"], 2.0);
        assert_eq!(a.metrics["peak_execution_memory_bytes"], 10.0);
        assert_eq!(a.operators["Exchange"], 2);
    }
}
