//! Real runs on the binary's one shared cluster (on the orders app's image): the orders app in
//! the modes it adds something in, its failing check through the CLI, an app that picks its
//! own master, the sample's variants, and a hung app killed at its timeout with the next run
//! judged. The smoke scenario runs end to end on a cluster the binary starts itself
//! (`smoke.rs`).

use std::path::Path;

use sparkmodes::config::Mode;
use sparkmodes::exec::staging::{fixture_dir, orders_fixture_dir};
use sparkmodes::infra::docker;
use sparkmodes::measure::record::{Correctness, RunRecord, Status};
use sparkmodes::measure::records_file::load_records;

use crate::support::{self, run_shared};

/// Small data: the orders report has 32 rows whatever the count.
const ORDERS: u64 = 5_000;

fn read(dir: &Path, rec: &RunRecord, file: &str) -> String {
    let run = Path::new(rec.stdout_path.as_deref().unwrap())
        .parent()
        .unwrap();
    std::fs::read_to_string(dir.join(run).join(file)).unwrap_or_default()
}

/// The shared cluster as started: one worker with its cores and memory, ports on loopback
/// only, the master's REST server off, every container and its network labelled.
#[test]
fn the_shared_cluster_has_its_shape_loopback_ports_and_labels() {
    let Some(()) = support::owned_cluster_or_skip("inspects the cluster this binary starts") else {
        return;
    };
    let _spark = support::spark_lock();
    let c = support::shared_cluster();
    let status = c.status().unwrap();
    let shape = support::shared_shape();
    assert_eq!(
        (status.status.as_str(), status.aliveworkers),
        ("ALIVE", shape.workers)
    );
    for w in &status.workers {
        assert_eq!((w.state.as_str(), w.cores), ("ALIVE", shape.worker_cores));
        assert_eq!(w.memory, 2048);
    }
    for id in c.container_ids() {
        for line in docker::cli(&["port", &id]).unwrap().lines() {
            let host = line.split(" -> ").nth(1).unwrap();
            assert!(host.starts_with("127.0.0.1:"), "{id} publishes {line}");
        }
        let labels = docker::cli(&["inspect", "--format", "{{json .Config.Labels}}", &id]).unwrap();
        assert!(labels.contains(docker::session()), "{id}: {labels}");
    }
    let master_ports = docker::cli(&["port", &c.container_ids()[0]]).unwrap();
    assert_eq!(
        master_ports.lines().count(),
        2,
        "7077 and 8080: {master_ports}"
    );
    let env = docker::cli(&[
        "inspect",
        "--format",
        "{{.Config.Env}}",
        &c.container_ids()[0],
    ])
    .unwrap();
    assert!(env.contains("spark.master.rest.enabled=false"), "{env}");
}

/// The orders app (a module entry, zipped py-files, a UDF needing `mmh3` on the executors, a
/// check command) in the two modes whose wiring differs from the direct runs below:
/// a driver container and spark-submit.
#[test]
fn the_orders_app_is_correct_in_a_driver_container_and_under_spark_submit() {
    for (mode, arrow) in [(Mode::Containerized, false), (Mode::Submit, true)] {
        let (rec, dir) = run_shared(mode, arrow, ORDERS, &orders_fixture_dir());
        let out = support::output(dir.path(), &rec);
        assert_eq!(rec.status, Status::Ok, "{mode}: {:?}\n{out}", rec.error);
        assert_eq!(rec.correct, Correctness::Yes, "{mode}: {:?}", rec.error);
        let check = read(dir.path(), &rec, "check-stdout.txt");
        assert!(
            check.starts_with("report matches pandas: 32 rows"),
            "{mode}: {check}"
        );
        assert_eq!(
            rec.arrow_effective,
            Some(arrow),
            "{mode}: toPandas as the arm asked"
        );
        assert_eq!(
            rec.udf_eval.as_deref(),
            Some("BatchEvalPython"),
            "{mode}: the mmh3 UDF ran"
        );
        assert!(rec.tasks.unwrap() > 0 && rec.jobs_s.unwrap() <= rec.app_s.unwrap());
    }
}

/// A check command that fails makes the run a wrong result: the CLI exits 3 and says so in its
/// table, the record, the check's own output and the summary. (A direct run of the orders app.)
#[test]
fn a_failing_check_is_a_wrong_result_and_the_cli_exits_3() {
    let app = support::app_copy(&orders_fixture_dir(), "orders/job.py", |t| {
        t.replace("F.sum(\"amount\")", "(F.sum(\"amount\") + 1)")
    });
    let out = tempfile::tempdir().unwrap();
    let scenario = support::scenario(
        out.path(),
        "wrong",
        &format!("name = \"wrong\"\nspark_versions = [\"3.5.9\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [{ORDERS}]\nrepetitions = 1\ntimeout_s = 300\n"),
    );
    let master = support::shared_master();
    let o = {
        let _spark = support::spark_lock();
        let (s, a, d) = (
            scenario.to_str().unwrap(),
            app.path().to_str().unwrap(),
            out.path().to_str().unwrap(),
        );
        support::sparkmodes(&[
            "run", s, "--app", a, "--master", &master, "--output", d, "--run-id", "w",
        ])
    };
    let (stdout, stderr) = (support::stdout(&o), support::stderr(&o));
    assert_eq!(o.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stdout.contains("wrong-result"), "{stdout}");
    let dir = out.path().join("w");
    let rec = &load_records(&dir).unwrap()[0];
    assert_eq!((rec.status, rec.correct), (Status::Ok, Correctness::No));
    let error = rec.error.as_deref().unwrap();
    assert!(
        error.starts_with("wrong result: check command `python check.py"),
        "{error}"
    );
    assert!(read(&dir, rec, "check-stderr.txt").contains("report differs from pandas"));
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(summary.contains("wrong result"), "{summary}");
}

/// An app that builds its session with `.master("local[1]")` computes on the driver alone:
/// whatever its result, the run is failed, named by the master its event log shows.
#[test]
fn an_app_that_picks_its_own_master_is_caught() {
    let app = tempfile::tempdir().unwrap();
    let script = "from pyspark.sql import SparkSession\n\
                  spark = SparkSession.builder.master(\"local[1]\").getOrCreate()\n\
                  print(spark.range(100).count())\n";
    std::fs::write(app.path().join("own_master.py"), script).unwrap();
    let manifest = "name = \"own-master\"\nentry = \"own_master.py\"\n";
    std::fs::write(app.path().join("sparkmodes-app.toml"), manifest).unwrap();
    let (rec, dir) = run_shared(Mode::Direct, true, ORDERS, app.path());
    assert_eq!(rec.status, Status::Failed, "{rec:?}");
    let error = rec.error.unwrap();
    assert!(
        error.starts_with("the app ran on master `local[1]`, not the harness's cluster `spark://"),
        "{error}"
    );
    assert!(
        error.contains("SPARKMODES_MASTER") && error.contains("[master]"),
        "{error}"
    );
    assert!(dir.path().join(rec.event_log_path.unwrap()).is_file());
}

/// Each variant of the sample, one small direct run: doubles instead of the article's strings,
/// compared value by value with the same NumPy reference.
#[test]
fn every_app_variant_passes_the_squares_oracle() {
    for name in ["typed", "vectorized", "sql"] {
        let app = sparkmodes::config::variant::fixture_dir(name).unwrap();
        let (rec, dir) = run_shared(Mode::Direct, true, 2_000, &app);
        let out = support::output(dir.path(), &rec);
        assert_eq!(rec.status, Status::Ok, "{name}: {:?}\n{out}", rec.error);
        assert_eq!(rec.correct, Correctness::Yes, "{name}: {:?}", rec.error);
    }
}

/// A driver the executors cannot reach hangs ("Initial job has not accepted any resources"):
/// killed at its timeout and recorded with its logs; the next run on the cluster works — and
/// its answer, squared twice, is caught by the oracle, not passed silently.
#[test]
fn a_hung_app_is_killed_at_its_timeout_and_the_next_answer_is_still_judged() {
    let Some(()) = support::owned_cluster_or_skip(
        "needs executors in containers, which cannot reach a driver on 127.0.0.1",
    ) else {
        return;
    };
    let (hung, dir) = {
        let _spark = support::spark_lock();
        let dir = tempfile::tempdir().unwrap();
        let mut exec = support::shared_executor(dir.path(), &fixture_dir());
        let mut run = support::planned(Mode::Direct, true, 1000);
        run.conf
            .insert("spark.driver.host".into(), "127.0.0.1".into());
        // Warn about starvation 1 s after the job is submitted (15 s by default), about 7 s
        // into the run: well inside the timeout.
        run.conf
            .insert("spark.starvation.timeout".into(), "1s".into());
        run.timeout = std::time::Duration::from_secs(14);
        (support::execute(&mut exec, &run), dir)
    };
    assert_eq!(hung.status, Status::Timeout, "{:?}", hung.error);
    assert_eq!(hung.correct, Correctness::No);
    assert!(hung.wall_s >= 14.0 && hung.wall_s < 34.0, "{}", hung.wall_s);
    assert!(hung.error.as_deref().unwrap().contains("14s timeout"));
    let log = std::fs::read_to_string(dir.path().join(hung.stderr_path.unwrap())).unwrap();
    assert!(
        log.contains("Initial job has not accepted any resources"),
        "{log}"
    );

    let app = support::app_copy(&fixture_dir(), "data/data_source.py", |src| {
        assert!(src.contains("return x**2"));
        src.replace("return x**2", "return (x**2) ** 2")
    });
    let (next, dir) = run_shared(Mode::Direct, true, 1000, app.path());
    let out = support::output(dir.path(), &next);
    // The app ran fine on the same cluster; its answer is wrong: ok, correct false, broken.
    assert_eq!(
        next.status,
        Status::Ok,
        "the cluster works after the kill: {:?}\n{out}",
        next.error
    );
    assert_eq!(next.correct, Correctness::No);
    assert!(!next.kept_promise());
    let err = next.error.unwrap();
    assert!(err.starts_with("wrong result: row 0:"), "{err}");
}
