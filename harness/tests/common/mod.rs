//! Shared pieces of the Docker-backed tests: one cluster per test binary, serialised use.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use sparkmodes::cluster::{self, Cluster};
use sparkmodes::image::{self, Base};
use sparkmodes::plan::{Plan, PlannedRun};
use sparkmodes::run::{Context, SparkExecutor};
use sparkmodes::scenario::{ClusterShape, Scenario};
use sparkmodes::target::Target;
use sparkmodes::venv::{self, Venv};
use sparkmodes::{docker, versions};

pub const SPARK: &str = versions::DEFAULT_SPARK;

pub fn shape() -> ClusterShape {
    ClusterShape {
        workers: 2,
        worker_cores: 1,
        worker_memory: "1g".into(),
    }
}

pub fn images() -> image::Images {
    image::ensure(SPARK, &Base::Debootstrap).expect("images build")
}

pub fn venv() -> Venv {
    venv::ensure(SPARK).expect("host venv")
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
pub fn planned(mode: sparkmodes::mode::Mode, arrow: bool, elements: u64) -> PlannedRun {
    let plan = Plan::new(&Scenario::builtin("smoke").expect("smoke scenario"));
    let mut run = plan
        .runs()
        .iter()
        .find(|r| r.mode == mode && (r.arrow == arrow || !mode.computes()))
        .expect("smoke has every mode")
        .clone();
    if mode.computes() {
        run.elements = elements;
    }
    run.timeout = Duration::from_secs(300);
    run
}

pub fn executor(cluster: &Cluster, run_dir: PathBuf, app: PathBuf) -> SparkExecutor {
    let ctx = Context {
        run_id: "test".into(),
        scenario: "test".into(),
        run_dir,
        app_source: app,
        image: cluster.image().to_string(),
        venv: venv(),
        target: Target::of(cluster),
    };
    SparkExecutor::new(ctx, Some(cluster))
}

/// Container and network ids carrying this process's session label.
pub fn session_leftovers() -> (Vec<String>, Vec<String>) {
    docker::labelled(&format!("{}={}", docker::LABEL, docker::session()))
}
