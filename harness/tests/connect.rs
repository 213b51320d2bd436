//! Spark Connect (issue 12) on real Docker and real Spark 4.1.4: one cluster and one
//! token-protected Connect server for the whole test binary. `connect` computes the right
//! answer; `connect-classic` (the unchanged classic app) fails as it must, and says where; a
//! client without the token is refused; a client of a server that stopped answering is stopped
//! with the reason instead of waiting for its timeout; nothing labelled is left once the pair is removed.

mod common;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use sparkmodes::config::Mode;
use sparkmodes::exec::backend::new_secret;
use sparkmodes::exec::run::{Executor, GroupContext, SparkExecutor};
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::connect_server::{RunningServer, ServerOptions};
use sparkmodes::infra::{image, image::Base, venv};
use sparkmodes::measure::record::{Correctness, RunRecord, Status};

const SPARK: &str = "4.1.4";
const ELEMENTS: u64 = 10_000;

/// The pair under test; the server goes before the cluster (it sits on the cluster network).
struct Fixture {
    server: Option<RunningServer>,
    cluster: Option<Cluster>,
    dir: tempfile::TempDir,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.rm();
        }
        if let Some(c) = self.cluster.take() {
            let _ = c.rm();
        }
    }
}

static FIXTURE: Mutex<Option<Fixture>> = Mutex::new(None);

fn start() -> Fixture {
    let images = image::ensure(SPARK, &Base::Debootstrap).expect("4.1.4 images");
    let opts = cluster::Options::default();
    let cluster = Cluster::start(&images.spark, &common::shape(), opts).expect("cluster starts");
    let dir = tempfile::tempdir().unwrap();
    let server_opts = ServerOptions {
        token: Some(new_secret()),
        ..ServerOptions::default()
    };
    let log_dir = dir.path().join("connect-eventlog");
    let server = RunningServer::start(&cluster, &log_dir, server_opts).expect("server starts");
    eprintln!("Spark Connect server ready after {:.1}s", server.ready_s);
    Fixture {
        server: Some(server),
        cluster: Some(cluster),
        dir,
    }
}

/// The shared pair (started on first use), held with the Spark lock.
fn fixture() -> (
    MutexGuard<'static, ()>,
    MutexGuard<'static, Option<Fixture>>,
) {
    let spark = common::spark_lock();
    let mut f = FIXTURE.lock().unwrap_or_else(|p| p.into_inner());
    if f.is_none() {
        *f = Some(start());
    }
    (spark, f)
}

fn executor(f: &Fixture) -> SparkExecutor {
    let cluster = f.cluster.as_ref().unwrap();
    let mut target = cluster.target();
    target.connect = Some(f.server.as_ref().unwrap().endpoint.clone());
    let ctx = GroupContext {
        run_id: "test".into(),
        scenario: "test".into(),
        run_dir: f.dir.path().to_path_buf(),
        app_source: sparkmodes::exec::staging::fixture_dir(),
        image: cluster.image().to_string(),
        venv: venv::ensure_connect(SPARK).expect("connect client venv"),
        target,
    };
    SparkExecutor::new(ctx, Some(cluster))
}

fn planned(mode: Mode, arrow: bool) -> sparkmodes::config::PlannedRun {
    let mut run = common::planned(Mode::Direct, arrow, ELEMENTS);
    run.mode = mode;
    run.spark_version = SPARK.into();
    if !mode.computes() {
        (run.arrow, run.elements) = (false, 0);
    }
    run.timeout = Duration::from_secs(240);
    run
}

fn run(mode: Mode, arrow: bool, with_token: bool) -> (RunRecord, PathBuf) {
    let (_spark, f) = fixture();
    let f = f.as_ref().unwrap();
    let mut exec = executor(f);
    if !with_token {
        exec.forget_secret();
    }
    let rec = exec.execute(&planned(mode, arrow));
    eprintln!(
        "{mode} arrow={arrow}: {} wall {:.1}s app {:?} jobs {:?} collect {:?} tasks {:?}",
        rec.status, rec.wall_s, rec.app_s, rec.jobs_s, rec.collect_s, rec.tasks
    );
    (rec, f.dir.path().to_path_buf())
}

fn output(dir: &std::path::Path, rec: &RunRecord) -> String {
    let read = |p: &Option<String>| std::fs::read_to_string(dir.join(p.as_ref().unwrap()));
    read(&rec.stderr_path).unwrap_or_default() + &read(&rec.stdout_path).unwrap_or_default()
}

#[test]
fn connect_is_correct_and_its_phases_come_from_its_own_session() {
    let Some(()) = common::owned_cluster_or_skip("starts its own 4.1.4 cluster and Connect server")
    else {
        return;
    };
    for arrow in [true, false] {
        let (rec, dir) = run(Mode::Connect, arrow, true);
        assert_eq!(
            rec.status,
            Status::Ok,
            "{:?}\n{}",
            rec.error,
            output(&dir, &rec)
        );
        assert!(rec.correct == Correctness::Yes && rec.kept_promise());
        assert_eq!(rec.arrow_effective, Some(true));
        assert!(rec
            .finding
            .as_deref()
            .unwrap()
            .contains("no effect under Spark Connect"));
        let (collect, jobs, app) = (
            rec.collect_s.unwrap(),
            rec.jobs_s.unwrap(),
            rec.app_s.unwrap(),
        );
        assert!(collect > 0.0 && collect <= jobs && jobs <= app, "{rec:?}");
        assert!(
            app < rec.wall_s,
            "the session lies inside the client's run: {rec:?}"
        );
        assert!(rec.tasks.unwrap() > 0);
        assert!(rec.event_log_path.unwrap().starts_with("connect-eventlog/"));
    }
}

#[test]
fn connect_classic_fails_as_expected_and_names_the_line() {
    let Some(()) = common::owned_cluster_or_skip("starts its own 4.1.4 cluster and Connect server")
    else {
        return;
    };
    let (rec, dir) = run(Mode::ConnectClassic, false, true);
    assert_eq!(
        rec.status,
        Status::FailedAsExpected,
        "{:?}\n{}",
        rec.error,
        output(&dir, &rec)
    );
    assert!(rec.kept_promise());
    assert_eq!(rec.diagnosis.as_deref(), Some("connect-classic-api"));
    let finding = rec.finding.unwrap();
    assert!(
        finding.starts_with("data/data_source.py line 6"),
        "{finding}"
    );
    assert!(finding.contains("`SparkContext`"), "{finding}");
}

#[test]
fn a_client_without_the_token_is_refused() {
    let Some(()) = common::owned_cluster_or_skip("starts its own 4.1.4 cluster and Connect server")
    else {
        return;
    };
    let (rec, dir) = run(Mode::Connect, true, false);
    assert_eq!(
        rec.status,
        Status::Failed,
        "a client without the token was served"
    );
    assert_eq!(rec.correct, Correctness::No);
    let out = output(&dir, &rec);
    assert!(out.contains("No authentication token provided"), "{out}");
    assert_eq!(rec.diagnosis.as_deref(), Some("connect-token-missing"));
}

#[test]
fn the_token_is_written_nowhere() {
    let Some(()) = common::owned_cluster_or_skip("starts its own 4.1.4 cluster and Connect server")
    else {
        return;
    };
    let (rec, dir) = run(Mode::Connect, false, true);
    assert_eq!(rec.status, Status::Ok, "{:?}", rec.error);
    let (_spark, f) = fixture();
    let token = f
        .as_ref()
        .unwrap()
        .server
        .as_ref()
        .unwrap()
        .endpoint
        .token
        .clone()
        .unwrap();
    let holders = common::files_containing(&dir, &token);
    assert!(holders.is_empty(), "the token is in {holders:?}");
}

/// Named to run last (tests start in name order); a later test would start a fresh pair.
/// Unpauses the server however the test ends, so later tests find it serving.
struct Unpause(String);

impl Drop for Unpause {
    fn drop(&mut self) {
        let _ = sparkmodes::infra::docker::cli(&["unpause", &self.0]);
    }
}

/// A server that stops answering (paused here; out of heap in real life) would keep its client
/// waiting until the run's timeout: the watch beside the run stops the client with the reason.
#[test]
fn a_client_of_a_server_that_stopped_answering_is_stopped_with_the_reason() {
    let Some(()) = common::owned_cluster_or_skip("starts its own 4.1.4 cluster and Connect server")
    else {
        return;
    };
    let (_spark, f) = fixture();
    let f = f.as_ref().unwrap();
    let server = f.server.as_ref().unwrap().endpoint.container.clone();
    sparkmodes::infra::docker::cli(&["pause", &server]).expect("docker pause");
    let unpause = Unpause(server);
    let rec = executor(f).execute(&planned(Mode::Connect, true));
    drop(unpause);
    assert_eq!(rec.status, Status::Failed, "{rec:?}");
    let error = rec.error.as_deref().unwrap_or_default();
    assert!(error.contains("Spark Connect server paused"), "{error}");
}

#[test]
fn zz_nothing_labelled_is_left_once_server_and_cluster_are_removed() {
    let Some(()) = common::owned_cluster_or_skip("starts its own 4.1.4 cluster and Connect server")
    else {
        return;
    };
    let (_spark, mut f) = fixture();
    let name = format!(
        "{}-connect",
        f.as_ref().unwrap().cluster.as_ref().unwrap().network()
    );
    drop(f.take());
    let (containers, networks) = common::session_leftovers();
    assert!(
        containers.is_empty() && networks.is_empty(),
        "left: containers {containers:?}, networks {networks:?}"
    );
    let gone = sparkmodes::infra::docker::cli(&["inspect", &name]).is_err();
    assert!(gone, "{name} still exists");
}
