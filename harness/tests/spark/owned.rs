//! Tests that must own their cluster, because they break it or end the process that holds
//! it: a worker killed mid-job by the `[fault]` table, a worker killed by hand between runs
//! (noticed, restored, the spoiled run re-run), SIGTERM and a panic mid-matrix (everything
//! removed, finished records kept), a `spark.authenticate` cluster (every client mode works
//! with the secret, none without, the secret written nowhere, the cluster removed on drop),
//! and leftovers of dead runs removed by the next.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use sparkmodes::config::Mode;
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::docker;
use sparkmodes::infra::new_secret;
use sparkmodes::measure::record::{Correctness, Status};
use sparkmodes::measure::records_file::load_records;

use crate::support;

const FAULT: &str = r#"
name = "fault"
spark_versions = ["3.5.9"]
modes = ["direct"]
arrow = [true]
elements = [400000]
repetitions = 1
timeout_s = 300
[spark_conf]
"spark.driver.memory" = "1g"
"spark.executor.memory" = "512m"
[fault]
kind = "kill-worker"
after_s = 0.5
"#;

/// A worker container killed 1 s into the job: Spark reschedules the lost task on the survivor
/// and the answer is still right; the record says what was injected, when.
#[test]
fn a_worker_killed_mid_job_is_survived_and_recorded() {
    let Some(()) =
        support::owned_cluster_or_skip("kills a worker container of a cluster it starts")
    else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let scenario = support::scenario(out.path(), "fault", FAULT);
    let o = {
        let _spark = support::spark_lock();
        let (s, d) = (scenario.to_str().unwrap(), out.path().to_str().unwrap());
        support::sparkmodes(&["run", s, "--output", d, "--run-id", "f"])
    };
    let stderr = support::stderr(&o);
    let records = load_records(&out.path().join("f")).unwrap();
    let faulted: Vec<_> = records.iter().filter(|r| r.fault.is_some()).collect();
    assert!(!faulted.is_empty(), "no run recorded a fault: {stderr}");
    for r in &faulted {
        let fault = r.fault.as_deref().unwrap();
        assert!(fault.starts_with("kill-worker at "), "{fault}");
        assert!(!fault.contains("failed"), "the kill itself failed: {fault}");
        // One task per worker core; a kill that lands mid-job shows as a lost task run again.
        assert!(r.tasks.unwrap() > 2, "the kill did not land mid-job: {r:?}");
        assert_eq!(r.status, Status::Ok, "Spark did not recover: {:?}", r.error);
        assert_eq!(
            r.correct,
            Correctness::Yes,
            "wrong result after the fault: {:?}",
            r.error
        );
        assert_eq!(r.attempt, 0, "a fault run is not re-run");
        assert!(
            r.cluster_fault.is_some(),
            "the killed worker was noticed after the run: {r:?}"
        );
    }
    assert_eq!(
        records.len(),
        1,
        "a fault run degrades on purpose: no re-run"
    );
    assert_eq!(o.status.code(), Some(0), "{stderr}");
}

const HEALTH: &str = r#"
name = "health"
spark_versions = ["3.5.9"]
modes = ["direct"]
arrow = [true]
elements = [10000]
repetitions = 1
timeout_s = 300
"#;

/// A worker killed by hand while the one run of a one-repetition cell runs: the run is noticed
/// (failed because of the cluster, or correct and flagged degraded), the cluster restored, the
/// run re-run once on it, and the cell ends with a measurement on both workers.
#[test]
fn a_worker_lost_under_a_run_is_noticed_restored_and_the_run_rerun() {
    let Some(()) = support::owned_cluster_or_skip("kills a worker of a cluster it starts") else {
        return;
    };
    let _spark = support::spark_lock();
    support::app_image();
    support::venv();
    let out = tempfile::tempdir().unwrap();
    let scenario = support::scenario(out.path(), "health", HEALTH);
    let mut child = support::bin()
        .args(["run", scenario.to_str().unwrap(), "--output"])
        .arg(out.path())
        .args(["--run-id", "h"])
        .env("CI", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // A real condition: the run's own directory exists, so its driver is starting.
    wait_for(&mut child, || first_run_started(&out.path().join("h")));
    let victim = docker::cli(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=sparkmodes.pid={pid}"),
        "--filter",
        "name=worker",
    ])
    .unwrap()
    .lines()
    .next()
    .expect("a worker container")
    .to_string();
    docker::cli(&["kill", &victim]).unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let records = load_records(&out.path().join("h")).unwrap();
    support::count_runs(records.len());
    assert_eq!(records.len(), 2, "the spoiled run and its re-run: {stderr}");
    let (spoiled, again) = (&records[0], &records[1]);
    assert!(
        spoiled.cluster_fault.is_some(),
        "the loss was noticed: {spoiled:?}"
    );
    assert!(
        !spoiled.is_measurement(),
        "a spoiled run counted: {spoiled:?}"
    );
    if spoiled.status == Status::Ok {
        assert!(spoiled
            .finding
            .as_deref()
            .unwrap()
            .contains("left out of statistics"));
    }
    assert_eq!(
        (again.attempt, again.status, again.degraded.as_deref()),
        (1, Status::Ok, None)
    );
    assert_eq!(
        again.executors,
        Some(2),
        "the restored cluster has both workers: {again:?}"
    );
    assert!(again.is_measurement());
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    support::assert_nothing_left(pid);
}

fn first_run_started(run_dir: &Path) -> bool {
    std::fs::read_dir(run_dir.join("runs")).is_ok_and(|mut d| d.next().is_some())
}

/// Polls a real condition, bounded: no fixed sleep stands in for it.
fn wait_for(child: &mut Child, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while !done() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "sparkmodes exited before the condition"
        );
        assert!(Instant::now() < deadline, "not reached in 10 minutes");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The refusal cell comes first and takes a second; the direct run after it is still running
/// when the signal or panic comes.
const MATRIX: &str = r#"
name = "cut"
spark_versions = ["3.5.9"]
modes = ["cluster-refusal", "direct"]
arrow = [true]
elements = [1000]
repetitions = 2
timeout_s = 300
[cluster]
workers = 1
worker_cores = 2
worker_memory = "2g"
"#;

fn start_matrix(out: &Path, env: &[(&str, &str)]) -> Child {
    let scenario = support::scenario(out, "cut", MATRIX);
    support::bin()
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--run-id",
            "r",
        ])
        .env("CI", "true")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn records(out: &Path) -> usize {
    std::fs::read_to_string(out.join("r/runs.csv"))
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

/// SIGTERM mid-matrix: exit 143 with a one-line reason, every labelled container and network
/// gone, every finished run kept and none cut short recorded. (SIGINT takes the same handler:
/// `cluster up` is stopped with it in `fixture.rs`.)
#[test]
fn sigterm_mid_matrix_cleans_up_and_keeps_records() {
    let Some(()) =
        support::owned_cluster_or_skip("checks the cluster it starts is removed on a signal")
    else {
        return;
    };
    let _spark = support::spark_lock();
    support::images();
    support::venv();
    let out = tempfile::tempdir().unwrap();
    let mut child = start_matrix(out.path(), &[]);
    let pid = child.id();
    wait_for(&mut child, || records(out.path()) >= 1);
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(128 + libc::SIGTERM));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains("interrupted by SIGTERM"), "{stderr}");
    let kept = load_records(&out.path().join("r")).unwrap();
    support::count_runs(kept.len() + 1);
    assert!(!kept.is_empty(), "finished runs are kept");
    assert!(
        kept.iter().all(|r| r.status.is_success()),
        "a run cut short was recorded: {kept:?}"
    );
    support::assert_nothing_left(pid);
}

#[test]
fn a_panic_mid_matrix_cleans_up_and_keeps_records() {
    let Some(()) =
        support::owned_cluster_or_skip("checks the cluster it starts is removed on a panic")
    else {
        return;
    };
    let _spark = support::spark_lock();
    let out = tempfile::tempdir().unwrap();
    // After the refusal's record: the cluster is up and the direct cell still to come.
    let child = start_matrix(out.path(), &[("SPARKMODES_PANIC_AFTER_RUNS", "1")]);
    let pid = child.id();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(101), "a panic exits 101");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("SPARKMODES_PANIC_AFTER_RUNS=1 reached"),
        "{stderr}"
    );
    assert_eq!(records(out.path()), 1);
    support::count_runs(1);
    support::assert_nothing_left(pid);
}

/// A `spark.authenticate` cluster of the owned shape: two workers alive with their cores and
/// memory; a host driver (direct; submit passes the secret the same way, `host_driver::env`)
/// and a driver container work with the run's secret, a client without it is refused; the
/// secret is in no file of the run; dropping the cluster removes its containers and network.
#[test]
fn a_secured_cluster_serves_every_mode_with_its_secret_only_and_is_removed_on_drop() {
    let Some(()) = support::owned_cluster_or_skip("starts a cluster with spark.authenticate")
    else {
        return;
    };
    let _spark = support::spark_lock();
    let opts = cluster::Options {
        secret: Some(new_secret()),
        ..Default::default()
    };
    let c = Cluster::start(&support::images().spark, &support::owned_shape(), opts).unwrap();
    let status = c.status().unwrap();
    assert_eq!(
        (
            status.status.as_str(),
            status.aliveworkers,
            status.workers.len()
        ),
        ("ALIVE", 2, 2)
    );
    for w in &status.workers {
        assert_eq!((w.state.as_str(), w.cores, w.memory), ("ALIVE", 1, 1024));
    }
    assert!(c.dead_containers().is_empty());
    let secret = c.secret().unwrap().to_string();
    let run = |mode: Mode, with_secret: bool| {
        let dir = tempfile::tempdir().unwrap();
        let app = sparkmodes::exec::staging::fixture_dir();
        let mut exec = support::executor(&c, dir.path(), &app, support::venv());
        if !with_secret {
            exec.forget_secret();
        }
        let mut planned = support::planned(mode, true, 1000);
        // A refused client would retry registering for a minute: the run's watch stops it at
        // the master's refusal, seconds in, long before this timeout.
        planned.timeout = Duration::from_secs(150);
        let rec = support::execute(&mut exec, &planned);
        eprintln!(
            "{mode} secret={with_secret}: {} wall {:.1}s",
            rec.status, rec.wall_s
        );
        (rec, dir)
    };
    for mode in [Mode::Direct, Mode::Containerized] {
        let (rec, dir) = run(mode, true);
        let out = support::output(dir.path(), &rec);
        assert_eq!(rec.status, Status::Ok, "{mode}: {:?}\n{out}", rec.error);
        assert_eq!(rec.correct, Correctness::Yes);
        let holders = support::files_containing(dir.path(), &secret);
        assert!(holders.is_empty(), "{mode}: the secret is in {holders:?}");
    }
    let (rec, dir) = run(Mode::Direct, false);
    assert_ne!(
        rec.status,
        Status::Ok,
        "a client without the secret was served"
    );
    assert_eq!(rec.correct, Correctness::No);
    let log = support::output(dir.path(), &rec);
    // The master drops a client that does not speak SASL: "Expected SaslMessage, received
    // something else (maybe your client does not have SASL enabled?)".
    assert_eq!(
        rec.diagnosis.as_deref(),
        Some("auth-secret-missing"),
        "refused for another reason: {:?}\n{log}",
        rec.error
    );
    let error = rec.error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with("stopped before its timeout: the cluster refused the driver"),
        "{error}"
    );
    let (ids, network) = (c.container_ids(), c.network().to_string());
    drop(c);
    let gone = |what: &str| docker::cli(&["inspect", what]).is_err();
    assert!(
        ids.iter().all(|id| gone(id)),
        "containers outlived their cluster"
    );
    assert!(gone(&network), "network {network} outlived its cluster");
}

/// Leftovers of a run that died without cleaning up (SIGKILL) are removed by the next run;
/// those of live processes, or of pids in another PID namespace, are not.
#[test]
fn stale_leftovers_of_dead_runs_are_removed() {
    let Some(()) = support::owned_cluster_or_skip("checks the cleanup of clusters it starts")
    else {
        return;
    };
    let image = support::images().spark;
    let ns = docker::pid_namespace();
    let create = |session: &str, pid: &str, ns: &str| {
        docker::cli(&[
            "create",
            "--label",
            &format!("sparkmodes={session}"),
            "--label",
            &format!("sparkmodes.pid={pid}"),
            "--label",
            &format!("sparkmodes.pidns={ns}"),
            &image,
            "true",
        ])
        .unwrap()
    };
    let dead = create("sm-test-dead", "999999999", &ns);
    let live = create("sm-test-live", &std::process::id().to_string(), &ns);
    let foreign = create("sm-test-foreign", "999999999", "1");
    let removed = docker::remove_stale();
    let exists = |id: &str| docker::cli(&["inspect", "--format", "{{.Id}}", id]).is_ok();
    let (live_kept, foreign_kept) = (exists(&live), exists(&foreign));
    let _ = docker::cli(&["rm", "-f", &live, &foreign]);
    assert!(removed >= 1);
    assert!(!exists(&dead), "a dead run's container survived");
    assert!(live_kept, "a live process's container was removed");
    assert!(
        foreign_kept,
        "another PID namespace's container was judged by our pids"
    );
}
