//! The event-log reader on saved real logs (fixtures/eventlogs).
use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/eventlogs")
        .join(name)
}

const ON: &str = "spark-3.5.9-arrow-on.inprogress";
const OFF: &str = "spark-3.5.9-arrow-off.inprogress";

fn assert_ordered(t: &PhaseTimings) {
    let (collect, jobs, app) = (t.collect_s.unwrap(), t.jobs_s.unwrap(), t.app_s.unwrap());
    assert!(collect > 0.0, "{t:?}");
    assert!(collect <= jobs && jobs <= app, "{t:?}");
}

#[test]
fn arrow_evidence_differs_between_the_fixture_logs() {
    let on = parse_file(&fixture(ON)).unwrap();
    assert_eq!(on.master.as_deref(), Some("spark://127.0.0.1:32769"));
    let off = parse_file(&fixture(OFF)).unwrap();
    assert_eq!(on.arrow_collect, Some(true));
    assert_eq!(off.arrow_collect, Some(false));
    // A plain `udf` is pickled either way: Arrow only changes the collect.
    assert_eq!(on.python_udf_eval.as_deref(), Some("BatchEvalPython"));
    assert_eq!(off.python_udf_eval.as_deref(), Some("BatchEvalPython"));
}

#[test]
fn fixture_phases_nest_and_count_tasks() {
    for name in [ON, OFF] {
        let t = parse_file(&fixture(name)).unwrap();
        assert_ordered(&t);
        assert!(t.tasks > 0, "{name}: {t:?}");
        assert!(t.executor_run_s > 0.0 && t.gc_s > 0.0, "{name}: {t:?}");
        assert!(t.gc_s < t.executor_run_s, "{name}: {t:?}");
    }
}

#[test]
fn torn_last_line_is_ignored() {
    let text = std::fs::read_to_string(fixture(ON)).unwrap();
    let whole = parse_reader(text.as_bytes()).unwrap();
    // Cut inside the last line (ApplicationEnd): the app end is lost, nothing else.
    let cut = text.trim_end().len() - 10;
    let torn = parse_reader(&text.as_bytes()[..cut]).unwrap();
    assert_eq!(torn.app_s, None);
    assert_eq!(torn.jobs_s, whole.jobs_s);
    assert_eq!(torn.arrow_collect, Some(true));
    assert_eq!(torn.tasks, whole.tasks);
}

#[test]
fn log_of_a_killed_app_keeps_what_was_written() {
    let text = std::fs::read_to_string(fixture(OFF)).unwrap();
    let job_end = text.find("\"SparkListenerJobEnd\"").unwrap();
    let line_start = text[..job_end].rfind('\n').unwrap() + 1;
    let t = parse_reader(&text.as_bytes()[..line_start]).unwrap();
    assert_eq!((t.app_s, t.jobs_s, t.collect_s), (None, None, None));
    assert!(t.tasks > 0);
    assert_eq!(t.arrow_collect, Some(false));
}

#[test]
fn bad_line_in_the_middle_is_an_error() {
    let text = std::fs::read_to_string(fixture(ON)).unwrap();
    let broken = text.replacen("{\"Event\"", "{\"Event", 3);
    let err = parse_reader(broken.as_bytes()).unwrap_err().to_string();
    assert!(err.starts_with("line "), "{err}");
}

#[test]
fn to_pandas_jobs_are_found_through_their_sql_execution() {
    let log = r#"{"Event":"SparkListenerApplicationStart","Timestamp":1000}
{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":7,"description":"toPandas at x.py:1","details":"Dataset.collectAsArrowToPython","physicalPlanDescription":"ArrowEvalPython (2)"}
{"Event":"SparkListenerJobStart","Job ID":0,"Submission Time":2000,"Properties":{"callSite.short":"count at x.py:1"}}
{"Event":"SparkListenerJobEnd","Job ID":0,"Completion Time":2500}
{"Event":"SparkListenerJobStart","Job ID":1,"Submission Time":3000,"Properties":{"callSite.short":"runJob","spark.sql.execution.id":"7"}}
{"Event":"SparkListenerJobEnd","Job ID":1,"Completion Time":4250}
{"Event":"SparkListenerApplicationEnd","Timestamp":5000}
"#;
    let t = parse_reader(log.as_bytes()).unwrap();
    assert_eq!(t.collect_s, Some(1.25));
    assert_eq!(t.jobs_s, Some(1.75));
    assert_eq!(t.app_s, Some(4.0));
    assert_eq!(t.python_udf_eval.as_deref(), Some("ArrowEvalPython"));
}

#[test]
fn find_event_log_wants_exactly_one_app_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(find_event_log(dir.path()), None);
    std::fs::write(dir.path().join("other.txt"), "").unwrap();
    let log = dir.path().join("app-20260101000000-0000.inprogress");
    std::fs::write(&log, "").unwrap();
    assert_eq!(find_event_log(dir.path()), Some(log));
    std::fs::write(dir.path().join("app-20260101000001-0001"), "").unwrap();
    assert_eq!(find_event_log(dir.path()), None);
    assert_eq!(find_event_log(&dir.path().join("missing")), None);
    let local = tempfile::tempdir().unwrap();
    let log = local.path().join("local-1795609799618.inprogress");
    std::fs::write(&log, "").unwrap();
    assert_eq!(find_event_log(local.path()), Some(log));
}

/// Every classic line kept as a fixture parses into phases and a profile: 3.5.9 (the sample),
/// 4.0.5, 4.1.4 and 4.2.1 (the sample, Arrow on: `spark.udf.register` stays pickled), 4.3.0 (TPC-H's first queries, cut from a real run) and an
/// `@udf` app on 3.5.9 and 4.3.0 (pickled, then Arrow-optimised by 4.3.0's default).
#[test]
fn every_lines_log_gives_a_profile() {
    for (name, operator) in [
        (ON, "BatchEvalPython"),
        ("spark-4.0.5-arrow-on", "BatchEvalPython"),
        ("spark-4.1.4-arrow-on", "BatchEvalPython"),
        ("spark-4.2.1-arrow-on", "BatchEvalPython"),
        ("spark-4.3.0-tpch-cut", "Scan parquet"),
        ("spark-3.5.9-udf-arrow-on", "BatchEvalPython"),
        ("spark-4.3.0-udf-arrow-on", "ArrowEvalPython"),
    ] {
        let t = parse_file(&fixture(name)).unwrap();
        let p = &t.profile;
        assert!(t.tasks > 0 && p.metrics["tasks"] > 0.0, "{name}: {t:?}");
        assert!(p.metrics["executor_cpu_s"] > 0.0, "{name}: {:?}", p.metrics);
        assert!(p.metrics["executors"] >= 1.0, "{name}: {:?}", p.metrics);
        assert!(
            p.operators.contains_key(operator),
            "{name}: {:?}",
            p.operators
        );
        assert!(p.properties.contains_key("spark.app.id"), "{name}");
    }
    let tpch = parse_file(&fixture("spark-4.3.0-tpch-cut"))
        .unwrap()
        .profile;
    assert!(
        tpch.operators.contains_key("AdaptiveSparkPlan"),
        "{:?}",
        tpch.operators
    );
}
