//! The fixtures every real-Spark test shares: the Spark line under test and the knobs that
//! point the suite at a user's Spark, cluster or app; one classic cluster for the whole binary
//! (on the orders app's image, so apps with packages run on it too); the lock that serialises
//! Spark work on two cores; and the ledger: each test's seconds under the lock and the real
//! Spark runs it made, appended to `$CARGO_TARGET_TMPDIR/spark-ledger.tsv` for `.ci/run` to
//! total.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use sparkmodes::config::manifest::AppSpec;
use sparkmodes::config::plan::{Plan, PlannedRun};
use sparkmodes::config::{versions, Mode};
use sparkmodes::exec::run::{Executor, GroupContext, SparkExecutor};
use sparkmodes::exec::staging::orders_fixture_dir;
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::image::{self, Base};
use sparkmodes::infra::target::Target;
use sparkmodes::infra::venv::{self, Venv};
use sparkmodes::{ClusterShape, RunRecord, Scenario};

pub use crate::common::{assert_nothing_left, bin, labelled_with_pid};

/// Spark version under test.
pub const SPARK_VAR: &str = "SPARKMODES_TEST_SPARK";
/// `spark://host:port` of an existing cluster the shared tests run against.
pub const MASTER_VAR: &str = "SPARKMODES_TEST_MASTER";
/// An app directory the smoke test runs instead of `fixtures/app`.
pub const APP_VAR: &str = "SPARKMODES_TEST_APP";

/// The line the suite tests when `SPARKMODES_TEST_SPARK` is unset: one 4.x line serves the
/// classic modes and Spark Connect alike (3.5 has no Connect server here), so a fresh machine
/// builds one Spark image for the whole suite.
pub const DEFAULT_TEST_SPARK: &str = "4.1.4";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn spark() -> String {
    var(SPARK_VAR).unwrap_or_else(|| DEFAULT_TEST_SPARK.to_string())
}

pub fn external_master() -> Option<String> {
    var(MASTER_VAR)
}

pub fn app() -> PathBuf {
    var(APP_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(sparkmodes::exec::staging::fixture_dir)
}

/// `Some(())` when this test may start and own its cluster; with an existing cluster given,
/// prints `skipped: <why>` to stderr and gives `None`.
pub fn owned_cluster_or_skip(why: &str) -> Option<()> {
    match external_master() {
        None => Some(()),
        Some(master) => {
            eprintln!("skipped: {why} ({MASTER_VAR}={master} is not a cluster to own)");
            None
        }
    }
}

/// JVM flags for the suite's short runs: C1 only and the serial collector halve the CPU a
/// driver and its executors burn starting up on two cores, and no driver starts the web UI
/// (nothing the harness judges reads it; the REST cross-check in `explain.rs` runs its own
/// session with it). The suite checks correctness and wiring, not speed; benchmarks and
/// scenarios run Spark's defaults.
pub const QUICK_JVM: [(&str, &str); 4] = [
    (
        "spark.driver.extraJavaOptions",
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    ),
    (
        "spark.executor.extraJavaOptions",
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    ),
    ("spark.ui.showConsoleProgress", "false"),
    ("spark.ui.enabled", "false"),
];

/// Scenario text pinned to the default line, rewritten to the line under test, with the
/// suite's JVM flags in its `[spark_conf]`.
pub fn with_spark(scenario: &str) -> String {
    let default = format!("spark_versions = [\"{}\"]", versions::DEFAULT_SPARK);
    assert!(scenario.contains(&default), "scenario pins {default}");
    let mut text = scenario.replace(&default, &format!("spark_versions = [\"{}\"]", spark()));
    if !text.contains("[spark_conf]") {
        text.push_str("\n[spark_conf]\n");
    }
    let quick: String = QUICK_JVM
        .iter()
        .map(|(k, v)| format!("{k:?} = {v:?}\n"))
        .collect();
    text.replace("[spark_conf]\n", &format!("[spark_conf]\n{quick}"))
}

/// A built-in scenario (`scenarios/<name>.toml`) written to `dir` for the line under test.
pub fn scenario_file(dir: &Path, name: &str) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../scenarios/{name}.toml"));
    let text = std::fs::read_to_string(src).expect("built-in scenario file");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, with_spark(&text)).expect("scenario written");
    path
}

/// A scenario file in `dir` from text pinned to the default line.
pub fn scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, with_spark(text)).expect("scenario written");
    path
}

pub fn images() -> image::Images {
    image::ensure(&spark(), &Base::Debootstrap).expect("images build")
}

pub fn venv() -> Venv {
    venv::ensure(&spark()).expect("host venv")
}

/// The orders app's extra packages (`mmh3`): on the shared cluster's image and in its venv.
pub fn orders_packages() -> Vec<String> {
    AppSpec::load(&orders_fixture_dir()).unwrap().packages
}

/// The image the shared cluster runs: the line's Spark image plus the orders app's packages,
/// so every app of the suite (the sample, its variants, the orders app) runs on one cluster.
pub fn app_image() -> String {
    image::ensure_app(&images().spark, &orders_packages()).expect("app image builds")
}

pub fn app_venv() -> Venv {
    let python = sparkmodes::config::python::DEFAULT;
    venv::ensure_app(&spark(), python, &orders_packages()).expect("app venv")
}

/// The shared cluster's shape: one worker with two cores starts one executor JVM per run
/// instead of two (a quarter less CPU per run on two cores). Tests of a shape's own
/// behaviour (two workers, a worker lost) own their clusters.
pub fn shared_shape() -> ClusterShape {
    ClusterShape {
        workers: 1,
        worker_cores: 2,
        worker_memory: "2g".into(),
    }
}

/// The shape of the clusters tests own: two workers, as scenarios have by default.
pub fn owned_shape() -> ClusterShape {
    ClusterShape::default()
}

/// One cluster for the whole binary, removed by the library's exit hook. It mounts the TPC-H
/// data folder, as a cluster the harness starts for a TPC-H group does.
pub fn shared_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        Cluster::start(&app_image(), &shared_shape(), data_mounts()).expect("cluster starts")
    })
}

/// Cluster options mounting the TPC-H data folder (made if missing, filled on first use).
pub fn data_mounts() -> cluster::Options {
    let root = sparkmodes::infra::tpch::root();
    std::fs::create_dir_all(&root).expect("TPC-H data folder");
    cluster::Options {
        mounts: vec![root],
        ..Default::default()
    }
}

/// The master runs go to: the shared cluster's, or `SPARKMODES_TEST_MASTER`.
pub fn shared_master() -> String {
    external_master().unwrap_or_else(|| shared_cluster().master_url_host())
}

/// Two cores cannot run two Spark apps at once without starving both: Spark work holds this
/// lock, so tests run it one at a time even under the parallel test runner. The guard writes
/// the test's line of the ledger when it is dropped.
pub fn spark_lock() -> Held {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    RUNS.store(0, Ordering::SeqCst);
    Held {
        _guard: guard,
        since: Instant::now(),
    }
}

static RUNS: AtomicUsize = AtomicUsize::new(0);

/// Counts `n` real Spark runs (an app that started a Spark application) for the ledger.
pub fn count_runs(n: usize) {
    RUNS.fetch_add(n, Ordering::SeqCst);
}

pub struct Held {
    _guard: MutexGuard<'static, ()>,
    since: Instant,
}

impl Drop for Held {
    fn drop(&mut self) {
        let test = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let line = format!(
            "{test}\t{:.1}\t{}\n",
            self.since.elapsed().as_secs_f64(),
            RUNS.load(Ordering::SeqCst)
        );
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spark-ledger.tsv");
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// A planned run of the smoke scenario for `mode`/`arrow`, with the elements given, on the
/// line under test and with the suite's JVM flags.
pub fn planned(mode: Mode, arrow: bool, elements: u64) -> PlannedRun {
    let plan = Plan::new(&Scenario::builtin("smoke").expect("smoke scenario"));
    let like = match plan.runs().iter().any(|r| r.mode == mode) {
        true => mode,
        false => Mode::ClusterRefusal,
    };
    let mut run = plan
        .runs()
        .iter()
        .find(|r| r.mode == like && (r.arrow == arrow || !like.computes()))
        .expect("smoke has every classic mode")
        .clone();
    run.mode = mode;
    run.spark_version = spark();
    if mode.computes() {
        (run.arrow, run.elements) = (arrow, elements);
    }
    run.timeout = Duration::from_secs(300);
    run.conf.extend(
        QUICK_JVM
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    run
}

/// An executor for `cluster` writing into `run_dir`, running `app` from `venv`.
pub fn executor(cluster: &Cluster, run_dir: &Path, app: &Path, venv: Venv) -> SparkExecutor {
    let ctx = context(cluster.image(), cluster.target(), run_dir, app, venv);
    SparkExecutor::new(ctx, Some(cluster))
}

/// An executor on the shared cluster (or `SPARKMODES_TEST_MASTER`), with the app venv.
pub fn shared_executor(run_dir: &Path, app: &Path) -> SparkExecutor {
    match external_master() {
        Some(master) => {
            let target = Target::external(&master, None);
            let ctx = context(&app_image(), target, run_dir, app, app_venv());
            SparkExecutor::new(ctx, None)
        }
        None => executor(shared_cluster(), run_dir, app, app_venv()),
    }
}

fn context(image: &str, target: Target, run_dir: &Path, app: &Path, venv: Venv) -> GroupContext {
    GroupContext {
        run_id: "test".into(),
        scenario: "test".into(),
        run_dir: run_dir.to_path_buf(),
        app_source: app.to_path_buf(),
        image: image.to_string(),
        venv,
        target,
    }
}

/// One run of `app` in `mode` on the shared cluster, under the lock, counted in the ledger;
/// the record and the run directory it wrote into.
pub fn run_shared(
    mode: Mode,
    arrow: bool,
    elements: u64,
    app: &Path,
) -> (RunRecord, tempfile::TempDir) {
    let _spark = spark_lock();
    let dir = tempfile::tempdir().unwrap();
    let rec = execute(
        &mut shared_executor(dir.path(), app),
        &planned(mode, arrow, elements),
    );
    (rec, dir)
}

/// `exec.execute(run)`, counted in the ledger.
pub fn execute(exec: &mut dyn Executor, run: &PlannedRun) -> RunRecord {
    count_runs(1);
    exec.execute(run)
}

/// What a run's driver printed (stderr, then stdout), for failure messages.
pub fn output(dir: &Path, rec: &RunRecord) -> String {
    let read = |p: &Option<String>| {
        p.as_ref()
            .and_then(|p| std::fs::read_to_string(dir.join(p)).ok())
            .unwrap_or_default()
    };
    read(&rec.stderr_path) + &read(&rec.stdout_path)
}

/// `sparkmodes <args>` with `CI` set, its records counted in the ledger; the caller holds the
/// lock. The output and the run directory (`<out>/<run-id>`), when the args name one.
pub fn sparkmodes(args: &[&str]) -> std::process::Output {
    let o = bin()
        .args(args)
        .env("CI", "true")
        .output()
        .expect("binary runs");
    let at = |flag: &str| args.iter().position(|a| *a == flag).map(|i| args[i + 1]);
    if let (Some(out), Some(id)) = (at("--output"), at("--run-id")) {
        let dir = Path::new(out).join(id);
        let records = sparkmodes::measure::records_file::load_records(&dir).unwrap_or_default();
        count_runs(
            records
                .iter()
                .filter(|r| r.mode.computes() || r.wall_s > 0.0)
                .count(),
        );
    }
    o
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The files under `dir` (recursively) whose bytes contain `needle`. Only for directories no
/// live process writes into any more: the caller stops the writer first.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            found.extend(files_containing(&p, needle));
        } else if String::from_utf8_lossy(&std::fs::read(&p).unwrap()).contains(needle) {
            found.push(p);
        }
    }
    found
}

/// Copies an app folder, applying `edit` to one of its files.
pub fn app_copy(from: &Path, file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", from.display()))
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
