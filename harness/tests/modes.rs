//! Every deployment mode, Arrow on and off, on one shared real cluster; each result checked
//! by the oracle. Also: a wrong result is caught, and the cluster-mode refusal is asserted.

mod common;

use std::path::Path;

use sparkmodes::config::Mode;
use sparkmodes::exec::run::Executor;
use sparkmodes::measure::record::{Correctness, RunRecord, Status};

const ELEMENTS: u64 = 100_000;

fn run(mode: Mode, arrow: bool, app: &Path) -> (RunRecord, tempfile::TempDir) {
    let _spark = common::spark_lock();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = common::shared_executor(dir.path().to_path_buf(), app.to_path_buf());
    let rec = exec.execute(&common::planned(mode, arrow, ELEMENTS));
    (rec, dir)
}

fn assert_correct(mode: Mode, arrow: bool) {
    let (rec, dir) = run(mode, arrow, &common::app());
    let logs = rec.stderr_path.as_ref().map(|p| dir.path().join(p));
    assert_eq!(
        rec.status,
        Status::Ok,
        "{mode} arrow={arrow}: {:?}, see {logs:?}",
        rec.error
    );
    assert_eq!(rec.correct, Correctness::Yes);
    assert_eq!(rec.exit_code, Some(0));
    assert_eq!(
        rec.arrow_effective,
        Some(arrow),
        "the event log shows which collect path ran"
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
    assert!(rec.tasks.unwrap() >= 2, "one task per worker core at least");
    assert_memory_measured(&rec);
    assert_arrow_advice(&rec);
    assert_ran_on_the_version_under_test(&dir.path().join(rec.event_log_path.unwrap()));
}

/// The article's app pickles rows through its untyped UDF (`BatchEvalPython`) whatever the
/// Arrow arm: with Arrow on, the advisor says so and names the variants that avoid it.
fn assert_arrow_advice(rec: &RunRecord) {
    if common::app() != sparkmodes::exec::staging::fixture_dir() {
        return;
    }
    assert_eq!(rec.udf_eval.as_deref(), Some("BatchEvalPython"), "{rec:?}");
    let advised = rec
        .finding
        .as_deref()
        .is_some_and(|f| f.contains("Arrow advisor") && f.contains("`vectorized`"));
    assert_eq!(advised, rec.arrow, "{:?}", rec.finding);
}

/// Smoke's driver has the default 1 GiB heap; with the JVM's own overhead and the Python
/// process it stays well under 2 GiB, while any measured driver holds more than 1 MiB.
const DRIVER_LIMIT_MIB: f64 = 2048.0;

fn assert_memory_measured(rec: &RunRecord) {
    if std::env::var("SPARKMODES_MEMORY").is_ok_and(|v| v == "off") {
        return;
    }
    let driver = rec.driver_peak_mib.expect("driver memory measured");
    assert!(driver > 1.0 && driver < DRIVER_LIMIT_MIB, "{rec:?}");
    assert!(
        rec.executors_peak_mib.expect("executor memory measured") > 1.0,
        "{rec:?}"
    );
}

/// The event log's `SparkListenerLogStart` names the Spark that ran the app: the one
/// `SPARKMODES_TEST_SPARK` asks for (the driver's; an existing cluster must match it).
fn assert_ran_on_the_version_under_test(log: &Path) {
    let files: Vec<_> = if log.is_dir() {
        std::fs::read_dir(log)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![log.to_path_buf()]
    };
    let text: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let version = format!("\"Spark Version\":\"{}\"", common::spark());
    assert!(text.contains(&version), "{version} not in {log:?}");
}

#[test]
fn direct_arrow_on() {
    assert_correct(Mode::Direct, true);
}

#[test]
fn direct_arrow_off() {
    assert_correct(Mode::Direct, false);
}

#[test]
fn containerized_arrow_on() {
    assert_correct(Mode::Containerized, true);
}

#[test]
fn containerized_arrow_off() {
    assert_correct(Mode::Containerized, false);
}

#[test]
fn submit_arrow_on() {
    assert_correct(Mode::Submit, true);
}

#[test]
fn submit_arrow_off() {
    assert_correct(Mode::Submit, false);
}

#[test]
fn cluster_deploy_mode_is_refused_with_its_message() {
    let (rec, dir) = run(Mode::ClusterRefusal, false, &common::app());
    assert_eq!(rec.status, Status::RefusedAsExpected, "{:?}", rec.error);
    assert_ne!(rec.exit_code, Some(0));
    let out = std::fs::read_to_string(dir.path().join(rec.stderr_path.unwrap())).unwrap();
    assert!(out.contains(sparkmodes::exec::driver::REFUSAL_MESSAGE));
}

/// A driver on another Python minor than the executors fails at its first task, and the cell
/// passes only with Spark's own `[PYTHON_VERSION_MISMATCH]`, explained in the finding.
#[test]
fn a_python_mismatch_fails_as_expected_and_is_explained() {
    let Some(()) =
        common::owned_cluster_or_skip("assumes executors on the image's Python (an owned cluster)")
    else {
        return;
    };
    let (rec, dir) = run(
        Mode::PythonMismatch,
        false,
        &sparkmodes::exec::staging::fixture_dir(),
    );
    let logs = rec.stderr_path.as_ref().map(|p| dir.path().join(p));
    assert_eq!(
        rec.status,
        Status::FailedAsExpected,
        "{:?}, see {logs:?}",
        rec.error
    );
    assert!(rec.kept_promise());
    assert_eq!(rec.diagnosis.as_deref(), Some("python-mismatch"));
    let finding = rec.finding.unwrap();
    assert!(finding.contains("[PYTHON_VERSION_MISMATCH]"), "{finding}");
    assert!(finding.contains("Fix:"), "{finding}");
}

/// The oracle must catch an app that squares twice, not pass it silently.
#[test]
fn a_wrong_result_fails_the_oracle() {
    let app = tempfile::tempdir().unwrap();
    copy(&sparkmodes::exec::staging::fixture_dir(), app.path());
    let ds = app.path().join("data/data_source.py");
    let src = std::fs::read_to_string(&ds).unwrap();
    assert!(src.contains("return x**2"));
    std::fs::write(&ds, src.replace("return x**2", "return (x**2) ** 2")).unwrap();
    let (rec, _dir) = run(Mode::Direct, true, app.path());
    // The app ran fine; its answer is wrong: status ok, correct false, the promise broken.
    assert_eq!(rec.status, Status::Ok);
    assert_eq!(rec.correct, Correctness::No);
    assert!(!rec.kept_promise());
    let err = rec.error.unwrap();
    assert!(err.starts_with("wrong result: row 0:"), "{err}");
}

fn copy(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A driver the executors cannot reach hangs ("Initial job has not accepted any resources");
/// the run is killed at its timeout, recorded with its logs, and the next run works.
#[test]
fn a_hung_app_is_killed_at_the_timeout_and_the_next_run_works() {
    let Some(()) = common::owned_cluster_or_skip(
        "needs executors in containers, which cannot reach a driver on 127.0.0.1",
    ) else {
        return;
    };
    let app = sparkmodes::exec::staging::fixture_dir();
    let (rec, dir) = {
        let _spark = common::spark_lock();
        let dir = tempfile::tempdir().unwrap();
        let mut exec = common::executor(
            common::shared_cluster(),
            dir.path().to_path_buf(),
            app.clone(),
        );
        let mut run = common::planned(Mode::Direct, true, 1000);
        run.conf
            .insert("spark.driver.host".into(), "127.0.0.1".into());
        // Warn about starvation after 5 s rather than 15 s, well inside the timeout.
        run.conf
            .insert("spark.starvation.timeout".into(), "5s".into());
        run.timeout = std::time::Duration::from_secs(40);
        (exec.execute(&run), dir)
    };
    assert_eq!(rec.status, Status::Timeout, "{:?}", rec.error);
    assert_eq!(rec.correct, Correctness::No);
    assert!(rec.wall_s >= 40.0 && rec.wall_s < 60.0, "{}", rec.wall_s);
    assert!(rec.error.as_deref().unwrap().contains("40s timeout"));
    let log = std::fs::read_to_string(dir.path().join(rec.stderr_path.unwrap())).unwrap();
    assert!(
        log.contains("Initial job has not accepted any resources"),
        "{log}"
    );
    let (next, _d) = run(Mode::Direct, true, &app);
    assert_eq!(next.status, Status::Ok, "{:?}", next.error);
}
