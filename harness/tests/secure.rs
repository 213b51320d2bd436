//! A `secure` cluster: spark.authenticate with a secret made for the run. Every client mode
//! works with the secret, a client without it is refused, and the secret is written nowhere.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use sparkmodes::config::Mode;
use sparkmodes::exec::backend::new_secret;
use sparkmodes::exec::run::Executor;
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::measure::record::{Correctness, RunRecord, Status};

fn secure_cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| {
        let opts = cluster::Options {
            secret: Some(new_secret()),
        };
        Cluster::start(&common::images().spark, &common::shape(), opts).unwrap()
    })
}

fn run(mode: Mode, with_secret: bool) -> (RunRecord, tempfile::TempDir) {
    let _spark = common::spark_lock();
    let c = secure_cluster();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = common::executor(
        c,
        dir.path().to_path_buf(),
        sparkmodes::exec::staging::fixture_dir(),
    );
    if !with_secret {
        exec.forget_secret();
    }
    let mut planned = common::planned(mode, true, 10_000);
    planned.timeout = std::time::Duration::from_secs(150);
    (exec.execute(&planned), dir)
}

fn assert_secret_written_nowhere(dir: &Path) {
    let secret = secure_cluster().secret().unwrap();
    let holders = common::files_containing(dir, secret);
    assert!(holders.is_empty(), "the secret is in {holders:?}");
}

fn assert_works(mode: Mode) {
    let Some(()) = common::owned_cluster_or_skip(
        "starts a cluster with spark.authenticate and its own secret",
    ) else {
        return;
    };
    let (rec, dir) = run(mode, true);
    assert_eq!(rec.status, Status::Ok, "{mode}: {:?}", rec.error);
    assert_eq!(rec.correct, Correctness::Yes);
    assert_secret_written_nowhere(dir.path());
}

#[test]
fn direct_works_with_the_secret() {
    assert_works(Mode::Direct);
}

#[test]
fn containerized_works_with_the_secret() {
    assert_works(Mode::Containerized);
}

#[test]
fn submit_works_with_the_secret() {
    assert_works(Mode::Submit);
}

#[test]
fn a_client_without_the_secret_is_refused() {
    let Some(()) = common::owned_cluster_or_skip(
        "starts a cluster with spark.authenticate and its own secret",
    ) else {
        return;
    };
    let (rec, dir) = run(Mode::Direct, false);
    assert_ne!(
        rec.status,
        Status::Ok,
        "a client without the secret was served"
    );
    assert_eq!(rec.correct, Correctness::No);
    let log = std::fs::read_to_string(dir.path().join(rec.stderr_path.unwrap())).unwrap();
    assert!(
        log.contains("All masters are unresponsive") || log.contains("authenticat"),
        "refused for another reason: {:?}",
        rec.error
    );
}
