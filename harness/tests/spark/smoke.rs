//! The real binary end to end on the smoke scenario (three modes × Arrow on/off + the
//! cluster-mode refusal), on a cluster it starts itself (or `SPARKMODES_TEST_MASTER`). One
//! matrix, and every record asked everything a run of its mode must show: the right answer,
//! Arrow as the arm asked (by the event log), phases that nest, tasks, memory, the Arrow
//! advisor, the Spark that really ran; the refusal with Spark's message; then the outputs and
//! a re-render from the records alone.

use std::path::Path;

use sparkmodes::measure::record::{Correctness, RunRecord, Status};
use sparkmodes::measure::records_file::load_records;

use crate::support;

/// The sample's driver has a 1 GiB heap; with the JVM's own overhead and the Python process it
/// stays well under 2 GiB, while any measured driver holds more than 1 MiB.
const DRIVER_LIMIT_MIB: f64 = 2048.0;

#[test]
fn the_smoke_scenario_runs_every_mode_right_end_to_end() {
    let out = tempfile::tempdir().unwrap();
    let smoke = support::scenario_file(out.path(), "smoke");
    let text = std::fs::read_to_string(&smoke).unwrap();
    std::fs::write(
        &smoke,
        text.replace("elements = [100000]", "elements = [10000]"),
    )
    .unwrap();
    let (master, app) = (support::external_master(), support::app());
    let o = {
        let _spark = support::spark_lock();
        let (s, d) = (smoke.to_str().unwrap(), out.path().to_str().unwrap());
        let mut args = vec!["run", s, "--output", d, "--run-id", "smoke"];
        if let Some(m) = &master {
            args.extend(["--master", m.as_str()]);
        }
        args.extend(["--app", app.to_str().unwrap()]);
        support::sparkmodes(&args)
    };
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let dir = out.path().join("smoke");
    let records = load_records(&dir).unwrap();
    assert_eq!(
        records.len(),
        7,
        "3 modes × arrow on/off + refusal, 1 rep each"
    );
    let cells: std::collections::BTreeSet<_> = records.iter().map(|r| r.cell()).collect();
    assert_eq!(cells.len(), 7);
    for r in &records {
        match r.mode.computes() {
            true => assert_computed(&dir, r, master.is_some()),
            false => assert_refused(&dir, r),
        }
    }
    assert_outputs(&dir, &support::stdout(&o));
    let again = support::sparkmodes(&["report", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", support::stderr(&again));
}

fn assert_computed(dir: &Path, rec: &RunRecord, external: bool) {
    let what = format!("{} arrow={}", rec.mode, rec.arrow);
    assert_eq!(
        rec.status,
        Status::Ok,
        "{what}: {:?}\n{}",
        rec.error,
        support::output(dir, rec)
    );
    assert_eq!(rec.correct, Correctness::Yes, "{what}");
    assert_eq!(rec.exit_code, Some(0), "{what}");
    assert_eq!(
        rec.arrow_effective,
        Some(rec.arrow),
        "{what}: the event log shows which collect path ran"
    );
    let (app, jobs, collect) = (
        rec.app_s.unwrap(),
        rec.jobs_s.unwrap(),
        rec.collect_s.unwrap(),
    );
    assert!(
        collect > 0.0 && collect <= jobs && jobs <= app && app <= rec.wall_s,
        "{rec:?}"
    );
    assert!(
        rec.tasks.unwrap() >= 2,
        "{what}: one task per worker core at least"
    );
    assert_memory_measured(rec, external);
    assert_arrow_advice(rec);
    assert_ran_on_the_version_under_test(&dir.join(rec.event_log_path.as_deref().unwrap()));
}

fn assert_refused(dir: &Path, rec: &RunRecord) {
    assert_eq!(rec.status, Status::RefusedAsExpected, "{:?}", rec.error);
    assert_ne!(rec.exit_code, Some(0));
    let out = support::output(dir, rec);
    assert!(
        out.contains(sparkmodes::exec::driver::REFUSAL_MESSAGE),
        "{out}"
    );
}

/// The article's app pickles rows through its untyped UDF (`BatchEvalPython`) whatever the
/// Arrow arm: with Arrow on, the advisor says so and names the variants that avoid it.
fn assert_arrow_advice(rec: &RunRecord) {
    if support::app() != sparkmodes::exec::staging::fixture_dir() {
        return;
    }
    assert_eq!(rec.udf_eval.as_deref(), Some("BatchEvalPython"), "{rec:?}");
    let advised = rec
        .finding
        .as_deref()
        .is_some_and(|f| f.contains("Arrow advisor") && f.contains("`vectorized`"));
    assert_eq!(advised, rec.arrow, "{:?}", rec.finding);
}

/// Against an external cluster the executors are not this machine's containers: only the
/// driver's memory is measured.
fn assert_memory_measured(rec: &RunRecord, external: bool) {
    if std::env::var("SPARKMODES_MEMORY").is_ok_and(|v| v == "off") {
        return;
    }
    let driver = rec.driver_peak_mib.expect("driver memory measured");
    assert!(driver > 1.0 && driver < DRIVER_LIMIT_MIB, "{rec:?}");
    if !external {
        assert!(
            rec.executors_peak_mib.expect("executor memory measured") > 1.0,
            "{rec:?}"
        );
    }
}

/// The event log's `SparkListenerLogStart` names the Spark that ran the app: the one under
/// test (the driver's; an existing cluster must match it).
fn assert_ran_on_the_version_under_test(log: &Path) {
    let files: Vec<_> = match log.is_dir() {
        true => std::fs::read_dir(log)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect(),
        false => vec![log.to_path_buf()],
    };
    let text: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let version = format!("\"Spark Version\":\"{}\"", support::spark());
    assert!(text.contains(&version), "{version} not in {log:?}");
}

fn assert_outputs(dir: &Path, stdout: &str) {
    let csv = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 8);
    let header = csv.lines().next().unwrap();
    assert_eq!(header, sparkmodes::output::export::csv::header());
    for col in [
        "run_id",
        "arrow_effective",
        "wall_s",
        "app_s",
        "jobs_s",
        "collect_s",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "missing {col}: {header}"
        );
    }
    for f in [
        "report.html",
        "summary.md",
        "junit.xml",
        "environment.json",
        "charts/wall.svg",
        "charts/phases.png",
        "bmf.json",
        "benchmark-action.json",
    ] {
        assert!(dir.join(f).is_file(), "missing {f}");
    }
    assert!(
        stdout.contains("refused-as-expected") && stdout.contains("containerized"),
        "{stdout}"
    );
}
