//! Shared pieces of the Docker-backed tests: one cluster per test binary (or the existing one
//! `SPARKMODES_TEST_MASTER` names, see knobs.rs), serialised use.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use sparkmodes::config::plan::{Plan, PlannedRun};
use sparkmodes::exec::run::{GroupContext, SparkExecutor};
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::docker;
use sparkmodes::infra::image::{self, Base};
use sparkmodes::infra::target::Target;
use sparkmodes::infra::venv::{self, Venv};
use sparkmodes::{ClusterShape, Scenario};

mod knobs;
pub use knobs::*;

pub fn shape() -> ClusterShape {
    ClusterShape {
        workers: 2,
        worker_cores: 1,
        worker_memory: "1g".into(),
    }
}

pub fn images() -> image::Images {
    image::ensure(&spark(), &Base::Debootstrap).expect("images build")
}

pub fn venv() -> Venv {
    venv::ensure(&spark()).expect("host venv")
}

/// Two cores cannot run two Spark apps at once without starving both: tests that use Spark
/// take this lock, so they run one at a time even under the parallel test runner.
pub fn spark_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// One cluster for the whole test binary, removed by the library's exit hook.
pub fn shared_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        Cluster::start(&images().spark, &shape(), cluster::Options::default())
            .expect("cluster starts")
    })
}

/// A planned run of the smoke scenario for `mode`/`arrow`, with the elements given.
pub fn planned(mode: sparkmodes::config::Mode, arrow: bool, elements: u64) -> PlannedRun {
    let plan = Plan::new(&Scenario::builtin("smoke").expect("smoke scenario"));
    // A negative cell smoke does not list is planned like smoke's refusal cell.
    let like = if plan.runs().iter().any(|r| r.mode == mode) {
        mode
    } else {
        sparkmodes::config::Mode::ClusterRefusal
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
        run.elements = elements;
    }
    run.timeout = Duration::from_secs(300);
    run
}

pub fn executor(cluster: &Cluster, run_dir: PathBuf, app: PathBuf) -> SparkExecutor {
    let ctx = context(cluster.image(), cluster.target(), run_dir, app);
    SparkExecutor::new(ctx, Some(cluster))
}

/// An executor on the shared cluster, or on `SPARKMODES_TEST_MASTER` when it is set.
pub fn shared_executor(run_dir: PathBuf, app: PathBuf) -> SparkExecutor {
    match external_master() {
        Some(master) => {
            let target = Target::external(&master, None);
            SparkExecutor::new(context(&images().spark, target, run_dir, app), None)
        }
        None => executor(shared_cluster(), run_dir, app),
    }
}

fn context(image: &str, target: Target, run_dir: PathBuf, app: PathBuf) -> GroupContext {
    GroupContext {
        run_id: "test".into(),
        scenario: "test".into(),
        run_dir,
        app_source: app,
        image: image.to_string(),
        venv: venv(),
        target,
    }
}

/// Container and network ids carrying this process's session label.
pub fn session_leftovers() -> (Vec<String>, Vec<String>) {
    docker::labelled(&format!("{}={}", docker::LABEL, docker::session()))
}

/// The `sparkmodes` binary under test, without `GITHUB_STEP_SUMMARY`: the suite runs inside
/// CI jobs too, and the binary must not write into that job's summary.
pub fn bin() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sparkmodes"));
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Containers and networks labelled by the process `pid` (every resource sparkmodes makes
/// carries `sparkmodes=<session>` and `sparkmodes.pid=<pid>`; filtering on the pid leaves out
/// whatever other sessions own).
pub fn labelled_with_pid(pid: u32) -> (Vec<String>, Vec<String>) {
    let by_pid = format!("label=sparkmodes.pid={pid}");
    let ids = |what: &[&str]| -> Vec<String> {
        let mut args = what.to_vec();
        args.extend(["--filter", "label=sparkmodes", "--filter", &by_pid]);
        docker::cli(&args)
            .expect("docker answers")
            .lines()
            .map(str::to_string)
            .collect()
    };
    (ids(&["ps", "-aq"]), ids(&["network", "ls", "-q"]))
}

/// Nothing labelled by the process `pid` is left.
pub fn assert_nothing_left(pid: u32) {
    let (containers, networks) = labelled_with_pid(pid);
    assert!(
        containers.is_empty() && networks.is_empty(),
        "left behind by pid {pid}: containers {containers:?}, networks {networks:?}"
    );
}

/// The files under `dir` (recursively) whose bytes contain `needle`. A file that vanishes between
/// listing and reading is skipped: a live Spark server rewrites files it owns there (Hadoop's
/// `.crc` beside an in-progress event log is replaced on every flush), and what no longer exists
/// holds no secret.
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            found.extend(files_containing(&p, needle));
            continue;
        }
        match std::fs::read(&p) {
            Ok(bytes) if String::from_utf8_lossy(&bytes).contains(needle) => found.push(p),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("{}: {e}", p.display()),
        }
    }
    found
}
