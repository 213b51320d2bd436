//! Bring your own app, for real, on one shared cluster made from the orders app's image (the
//! line's Spark image plus the app's pinned packages): the second example app
//! (fixtures/app-orders: a module entry, py-files, a UDF needing `mmh3` on the executors, a
//! check command) is correct in direct, containerized and submit; a check that fails makes the
//! run a wrong result and the CLI exit 3; an app without a check is `correct: unknown`, and the
//! report says so; an app that picks its own master is caught by its event log; the article's
//! app's variants (typed, vectorized, SQL) each pass the built-in `squares` oracle, on the
//! shared cluster (they need no packages beyond the line's).

mod common;

use std::path::Path;
use std::sync::OnceLock;

use sparkmodes::config::manifest::AppSpec;
use sparkmodes::config::Mode;
use sparkmodes::exec::run::{Executor, GroupContext, SparkExecutor};
use sparkmodes::exec::staging::orders_fixture_dir;
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::{image, venv};
use sparkmodes::measure::record::{Correctness, RunRecord, Status};
use sparkmodes::measure::records_file::load_records;

/// Small data: the report has 32 rows whatever the count; 5,000 orders keep each run short.
const ORDERS: u64 = 5_000;

fn packages() -> Vec<String> {
    AppSpec::load(&orders_fixture_dir()).unwrap().packages
}

fn app_image() -> String {
    image::ensure_app(&common::images().spark, &packages()).expect("app image builds")
}

/// One cluster for this binary, on the orders app's image, so its executors have `mmh3`.
fn orders_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        Cluster::start(&app_image(), &common::shape(), cluster::Options::default())
            .expect("cluster starts")
    })
}

fn executor(run_dir: &Path, app: &Path) -> SparkExecutor {
    let cluster = orders_cluster();
    let ctx = GroupContext {
        run_id: "apps".into(),
        scenario: "apps".into(),
        run_dir: run_dir.to_path_buf(),
        app_source: app.to_path_buf(),
        image: cluster.image().to_string(),
        venv: venv::ensure_app(
            &common::spark(),
            sparkmodes::infra::tools::PYTHON_MINOR,
            &packages(),
        )
        .expect("app venv"),
        target: cluster.target(),
    };
    SparkExecutor::new(ctx, Some(cluster))
}

fn run(mode: Mode, arrow: bool, app: &Path) -> (RunRecord, tempfile::TempDir) {
    let _spark = common::spark_lock();
    let dir = tempfile::tempdir().unwrap();
    let rec = executor(dir.path(), app).execute(&common::planned(mode, arrow, ORDERS));
    (rec, dir)
}

fn read(dir: &Path, rec: &RunRecord, file: &str) -> String {
    let run = Path::new(rec.stdout_path.as_deref().unwrap())
        .parent()
        .unwrap();
    std::fs::read_to_string(dir.join(run).join(file)).unwrap_or_default()
}

/// A copy of the orders app with `edit` applied to one of its files.
fn orders_copy(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", orders_fixture_dir().display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit must change {file}");
    std::fs::write(&path, edited).unwrap();
    dir
}

#[test]
fn the_orders_app_is_correct_in_direct_containerized_and_submit() {
    for (mode, arrow) in [
        (Mode::Direct, true),
        (Mode::Containerized, false),
        (Mode::Submit, true),
    ] {
        let (rec, dir) = run(mode, arrow, &orders_fixture_dir());
        let err = read(dir.path(), &rec, "stderr.txt");
        assert_eq!(rec.status, Status::Ok, "{mode}: {:?}\n{err}", rec.error);
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

#[test]
fn a_failing_check_is_a_wrong_result_and_the_cli_exits_3() {
    let app = orders_copy("orders/job.py", |t| {
        t.replace("F.sum(\"amount\")", "(F.sum(\"amount\") + 1)")
    });
    let out = tempfile::tempdir().unwrap();
    let scenario = out.path().join("s.toml");
    let text = format!(
        "name = \"wrong\"\nspark_versions = [\"{}\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [{ORDERS}]\nrepetitions = 1\ntimeout_s = 300\n",
        common::spark()
    );
    std::fs::write(&scenario, text).unwrap();
    let master = orders_cluster().master_url_host();
    let o = {
        let _spark = common::spark_lock();
        common::bin()
            .args([
                "run",
                scenario.to_str().unwrap(),
                "--app",
                app.path().to_str().unwrap(),
            ])
            .args([
                "--master",
                &master,
                "--output",
                out.path().to_str().unwrap(),
                "--run-id",
                "w",
            ])
            .env("CI", "true")
            .output()
            .unwrap()
    };
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
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

#[test]
fn an_app_without_a_check_is_correct_unknown_and_the_report_says_so() {
    let app = orders_copy("sparkmodes-app.toml", |t| {
        t[..t.find("[check]").unwrap()].to_string()
    });
    let (rec, dir) = run(Mode::Direct, true, app.path());
    assert_eq!(rec.status, Status::Ok, "{:?}", rec.error);
    assert_eq!(rec.correct, Correctness::Unknown);
    assert!(rec.kept_promise() && rec.is_measurement());
    assert!(rec
        .finding
        .as_deref()
        .unwrap()
        .starts_with("correctness unknown"));
    let line = serde_json::to_string(&rec).unwrap();
    assert!(line.contains("\"correct\":\"unknown\""), "{line}");
    std::fs::write(dir.path().join("runs.jsonl"), line + "\n").unwrap();
    let files = sparkmodes::output::report::render(dir.path()).unwrap();
    let summary = std::fs::read_to_string(files.markdown).unwrap();
    assert!(
        summary.contains("1 run with correctness unknown: the app declares no check"),
        "{summary}"
    );
    assert!(
        summary.contains("PASS (correctness unknown: no check)"),
        "{summary}"
    );
    let table = sparkmodes::output::text_table::cell_table(std::slice::from_ref(&rec));
    assert!(
        table.contains("ok(unchecked)") && table.contains("unknown"),
        "{table}"
    );
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
    let (rec, dir) = run(Mode::Direct, true, app.path());
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

/// Each variant, one small direct run with Arrow on: doubles instead of the article's strings,
/// compared value by value with the same NumPy reference.
#[test]
fn every_app_variant_passes_the_squares_oracle() {
    for name in ["typed", "vectorized", "sql"] {
        let app = sparkmodes::config::variant::fixture_dir(name).unwrap();
        let _spark = common::spark_lock();
        let dir = tempfile::tempdir().unwrap();
        // On this binary's one cluster (the orders image is the Spark image plus `mmh3`): no
        // second cluster for three short runs.
        let rec = executor(dir.path(), &app).execute(&common::planned(Mode::Direct, true, 2_000));
        assert_eq!(rec.status, Status::Ok, "{name}: {:?}", rec.error);
        assert_eq!(rec.correct, Correctness::Yes, "{name}: {:?}", rec.error);
    }
}
