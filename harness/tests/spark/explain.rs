//! The explanation's numbers against Spark's own: a live driver on the shared cluster runs a
//! job with a shuffle, its REST API (`/api/v1/applications/<id>/stages`) is read while the app
//! is alive, then the app ends and its event log is parsed by the harness. The harness's sums
//! of the task-end metrics must equal Spark's aggregation of the same tasks.

use sparkmodes::measure::eventlog;

use crate::support;

/// Runs a grouped count over 200,000 rows (a shuffle), prints the stages' REST JSON, stops.
const SCRIPT: &str = r#"
import json, os, sys, urllib.request
from pyspark.sql import SparkSession, functions as F
spark = (SparkSession.builder.master(sys.argv[1]).appName("rest-crosscheck")
    .config("spark.driver.host", sys.argv[2]).config("spark.driver.bindAddress", sys.argv[2])
    .config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", "file://" + sys.argv[3])
    .config("spark.eventLog.rolling.enabled", "false").config("spark.eventLog.compress", "false")
    .config("spark.ui.showConsoleProgress", "false").getOrCreate())
df = spark.range(200000).withColumn("k", F.col("id") % 97)
df.groupBy("k").agg(F.sum("id").alias("s")).orderBy("k").collect()
sc = spark.sparkContext
url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages?status=complete"
print("STAGES " + urllib.request.urlopen(url).read().decode().replace("\n", " "))
spark.stop()
"#;

#[test]
fn profile_sums_equal_sparks_own_rest_aggregation() {
    let Some(()) = support::owned_cluster_or_skip("drives the shared cluster from this machine")
    else {
        return;
    };
    let _spark = support::spark_lock();
    let venv = support::venv();
    let logs = tempfile::tempdir().unwrap();
    let driver_host = support::shared_cluster().gateway().to_string();
    let o = std::process::Command::new(&venv.python)
        .args(["-c", SCRIPT, &support::shared_master(), &driver_host])
        .arg(logs.path())
        .env("SPARK_HOME", &venv.spark_home)
        .output()
        .unwrap();
    support::count_runs(1);
    let stdout = support::stdout(&o);
    assert!(o.status.success(), "{stdout}\n{}", support::stderr(&o));
    let json = stdout
        .lines()
        .find_map(|l| l.strip_prefix("STAGES "))
        .expect("the REST answer");
    let stages: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    let rest = |field: &str| -> f64 {
        stages
            .iter()
            .map(|s| s[field].as_f64().unwrap_or(0.0))
            .sum()
    };
    let log = std::fs::read_dir(logs.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let profile = eventlog::parse_file(&log).unwrap().profile;
    let ours = |name: &str| profile.metrics[name];
    eprintln!("REST: {} stages", stages.len());
    assert!(
        stages.len() >= 2,
        "a job with a shuffle has two stages at least: {json}"
    );
    for (metric, field, scale) in [
        ("tasks", "numCompleteTasks", 1.0),
        ("executor_run_s", "executorRunTime", 1e-3),
        ("executor_cpu_s", "executorCpuTime", 1e-9),
        ("gc_s", "jvmGcTime", 1e-3),
        ("shuffle_read_bytes", "shuffleReadBytes", 1.0),
        ("shuffle_write_bytes", "shuffleWriteBytes", 1.0),
        ("input_bytes", "inputBytes", 1.0),
        ("memory_spilled_bytes", "memoryBytesSpilled", 1.0),
        ("result_bytes", "resultSize", 1.0),
    ] {
        let (a, b) = (ours(metric), rest(field) * scale);
        eprintln!("{metric:<22} ours {a:>14} Spark's {field:<20} {b:>14}");
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{metric}: ours {a}, Spark's {field} {b}"
        );
    }
    assert!(
        ours("shuffle_write_bytes") > 0.0,
        "the job shuffled: {:?}",
        profile.metrics
    );
    assert!(
        profile.operators.contains_key("Exchange"),
        "{:?}",
        profile.operators
    );
    assert!(profile
        .properties
        .get("spark.app.name")
        .is_some_and(|n| n == "rest-crosscheck"));
}
