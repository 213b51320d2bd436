//! Spark Connect on real Docker and the line under test: one cluster and one token-protected
//! server, used by one test in a fixed order (the pair is costly to start, and the last step
//! takes it down): `connect` computes the right answer with phases from its own session, and
//! runs TPC-H unchanged (each query right, each a record of its own);
//! `connect-classic` fails as it must and says where; a client without the token is refused; a
//! client of a server that stopped answering is stopped with the reason; then the pair is
//! removed, nothing labelled is left, and — the server gone, so nothing still writes there —
//! the token is in no file of the run directory.

use std::time::Duration;

use sparkmodes::config::{versions, Mode, PlannedRun};
use sparkmodes::exec::run::{GroupContext, SparkExecutor};
use sparkmodes::infra::cluster::Cluster;
use sparkmodes::infra::connect_server::{RunningServer, ServerOptions};
use sparkmodes::infra::new_secret;
use sparkmodes::infra::{docker, venv};
use sparkmodes::measure::record::{Correctness, RunRecord, Status};

use crate::support;

const ELEMENTS: u64 = 10_000;

struct Pair {
    cluster: Cluster,
    server: RunningServer,
    dir: tempfile::TempDir,
}

impl Pair {
    fn start() -> Pair {
        let c = Cluster::start(
            &support::images().spark,
            &support::shared_shape(),
            support::data_mounts(),
        )
        .expect("cluster starts");
        let dir = tempfile::tempdir().unwrap();
        let opts = ServerOptions {
            token: Some(new_secret()),
            conf: support::QUICK_JVM
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let server = RunningServer::start(&c, &dir.path().join("connect-eventlog"), opts)
            .expect("server starts");
        eprintln!("Spark Connect server ready after {:.1}s", server.ready_s);
        Pair {
            cluster: c,
            server,
            dir,
        }
    }

    fn executor(&self, with_token: bool) -> SparkExecutor {
        self.executor_of(&sparkmodes::exec::staging::fixture_dir(), with_token)
    }

    fn executor_of(&self, app: &std::path::Path, with_token: bool) -> SparkExecutor {
        let mut target = self.cluster.target();
        target.connect = Some(self.server.endpoint.clone());
        let ctx = GroupContext {
            run_id: "test".into(),
            scenario: "test".into(),
            run_dir: self.dir.path().to_path_buf(),
            app_source: app.to_path_buf(),
            image: self.cluster.image().to_string(),
            venv: venv::ensure_connect(&support::spark()).expect("connect client venv"),
            target,
        };
        let mut exec = SparkExecutor::new(ctx, Some(&self.cluster));
        if !with_token {
            exec.forget_secret();
        }
        exec
    }

    fn run(&self, mode: Mode, arrow: bool, with_token: bool) -> RunRecord {
        let rec = support::execute(&mut self.executor(with_token), &planned(mode, arrow));
        eprintln!(
            "{mode} arrow={arrow}: {} wall {:.1}s app {:?} jobs {:?} collect {:?} tasks {:?}",
            rec.status, rec.wall_s, rec.app_s, rec.jobs_s, rec.collect_s, rec.tasks
        );
        rec
    }
}

fn planned(mode: Mode, arrow: bool) -> PlannedRun {
    let mut run = support::planned(Mode::Direct, arrow, ELEMENTS);
    run.mode = mode;
    if !mode.computes() {
        (run.arrow, run.elements) = (false, 0);
    }
    run.timeout = Duration::from_secs(240);
    run
}

#[test]
fn spark_connect_serves_connect_apps_refuses_the_rest_and_leaves_nothing() {
    let Some(()) = support::owned_cluster_or_skip("starts its own cluster and Connect server")
    else {
        return;
    };
    let unsupported = versions::ConnectClient::Unsupported;
    if versions::line_of(&support::spark()).is_ok_and(|l| l.connect == unsupported) {
        eprintln!(
            "skipped: {} has no Spark Connect server here",
            support::spark()
        );
        return;
    }
    let _spark = support::spark_lock();
    let pair = Pair::start();
    let out = |rec: &RunRecord| support::output(pair.dir.path(), rec);
    for arrow in [true, false] {
        let rec = pair.run(Mode::Connect, arrow, true);
        assert_eq!(rec.status, Status::Ok, "{:?}\n{}", rec.error, out(&rec));
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

    // TPC-H unchanged under Spark Connect: the run and each query right, each query a record.
    let tpch = sparkmodes::config::variant::fixture_dir("tpch").unwrap();
    let mut run = planned(Mode::Connect, true);
    (run.elements, run.queries) = (10, vec![3, 6]);
    let recs = {
        use sparkmodes::exec::run::Executor;
        support::count_runs(1);
        pair.executor_of(&tpch, true).execute_all(&run)
    };
    assert_eq!(
        recs.len(),
        3,
        "the run and its two queries: {:?}\n{}",
        recs[0].error,
        out(&recs[0])
    );
    for r in &recs {
        assert_eq!(
            (r.status, r.correct),
            (Status::Ok, Correctness::Yes),
            "{:?}\n{}",
            r.error,
            out(&recs[0])
        );
    }
    assert_eq!(recs[1].query, Some(3));
    assert!(
        recs[1].jobs_s.is_some_and(|j| j > 0.0),
        "the query's jobs from the session's log: {:?}",
        recs[1]
    );

    let rec = pair.run(Mode::ConnectClassic, false, true);
    assert_eq!(
        rec.status,
        Status::FailedAsExpected,
        "{:?}\n{}",
        rec.error,
        out(&rec)
    );
    assert!(rec.kept_promise());
    assert_eq!(rec.diagnosis.as_deref(), Some("connect-classic-api"));
    let finding = rec.finding.unwrap();
    assert!(
        finding.starts_with("data/data_source.py line 6"),
        "{finding}"
    );
    assert!(finding.contains("`SparkContext`"), "{finding}");

    let rec = pair.run(Mode::Connect, true, false);
    assert_eq!(
        rec.status,
        Status::Failed,
        "a client without the token was served"
    );
    assert_eq!(rec.correct, Correctness::No);
    assert!(
        out(&rec).contains("No authentication token provided"),
        "{}",
        out(&rec)
    );
    assert_eq!(rec.diagnosis.as_deref(), Some("connect-token-missing"));

    // A server that stops answering (paused here; out of heap in real life) would keep its
    // client waiting until the run's timeout: the watch beside the run stops it with the reason.
    let server = pair.server.endpoint.container.clone();
    docker::cli(&["pause", &server]).expect("docker pause");
    let rec = support::execute(&mut pair.executor(true), &planned(Mode::Connect, true));
    let _ = docker::cli(&["unpause", &server]);
    assert_eq!(rec.status, Status::Failed, "{rec:?}");
    let error = rec.error.as_deref().unwrap_or_default();
    assert!(error.contains("Spark Connect server paused"), "{error}");

    let token = pair.server.endpoint.token.clone().unwrap();
    let Pair {
        cluster,
        server,
        dir,
    } = pair;
    let mut ids = cluster.container_ids();
    ids.push(server.endpoint.container.clone());
    let network = cluster.network().to_string();
    server.rm();
    cluster.rm().unwrap();
    let gone = |what: &str| docker::cli(&["inspect", what]).is_err();
    assert!(ids.iter().all(|id| gone(id)), "left: {ids:?}");
    assert!(gone(&network), "{network} still exists");
    let holders = support::files_containing(dir.path(), &token);
    assert!(holders.is_empty(), "the token is in {holders:?}");
}
