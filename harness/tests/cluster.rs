//! The disposable cluster on real Docker: shape, readiness, loopback-only ports, cleanup.

mod common;

use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::docker;

#[test]
fn two_workers_alive_with_their_shape_then_nothing_left() {
    let Some(()) =
        common::owned_cluster_or_skip("starts a cluster of its own shape and checks its removal")
    else {
        return;
    };
    let _spark = common::spark_lock();
    let images = common::images();
    let c = Cluster::start(&images.spark, &common::shape(), cluster::Options::default()).unwrap();
    let status = c.status().unwrap();
    assert_eq!(status.status, "ALIVE");
    assert_eq!(status.aliveworkers, 2);
    assert_eq!(status.workers.len(), 2);
    for w in &status.workers {
        assert_eq!(w.state, "ALIVE");
        assert_eq!(w.cores, 1);
        assert_eq!(w.memory, 1024);
    }
    assert!(c.dead_containers().is_empty());
    let (containers, networks) = common::session_leftovers();
    assert_eq!(
        containers.len(),
        3,
        "master + 2 workers carry the session label"
    );
    assert_eq!(networks.len(), 1);
    c.rm().unwrap();
    let (containers, networks) = common::session_leftovers();
    assert!(containers.is_empty(), "containers left: {containers:?}");
    assert!(networks.is_empty(), "networks left: {networks:?}");
}

#[test]
fn published_ports_bind_to_loopback_only() {
    let Some(()) = common::owned_cluster_or_skip("inspects the ports of a cluster it starts")
    else {
        return;
    };
    let _spark = common::spark_lock();
    let c = Cluster::start(
        &common::images().spark,
        &common::shape(),
        cluster::Options::default(),
    )
    .unwrap();
    for id in c.container_ids() {
        let ports = docker::cli(&["port", &id]).unwrap();
        for line in ports.lines() {
            let host = line.split(" -> ").nth(1).unwrap();
            assert!(host.starts_with("127.0.0.1:"), "{id} publishes {line}");
        }
    }
    let master_ports = docker::cli(&["port", &c.container_ids()[0]]).unwrap();
    assert_eq!(
        master_ports.lines().count(),
        2,
        "7077 and 8080: {master_ports}"
    );
    let rest = docker::cli(&[
        "inspect",
        "--format",
        "{{.Config.Env}}",
        &c.container_ids()[0],
    ])
    .unwrap();
    assert!(rest.contains("spark.master.rest.enabled=false"), "{rest}");
}

#[test]
fn dropping_a_cluster_removes_it() {
    let Some(()) = common::owned_cluster_or_skip("checks the removal of a cluster it starts")
    else {
        return;
    };
    let _spark = common::spark_lock();
    let network;
    {
        let c = Cluster::start(
            &common::images().spark,
            &common::shape(),
            cluster::Options::default(),
        )
        .unwrap();
        network = c.network().to_string();
    }
    let nets = docker::cli(&[
        "network",
        "ls",
        "-q",
        "--filter",
        &format!("name=^{network}$"),
    ])
    .unwrap();
    assert!(nets.is_empty(), "network {network} outlived its cluster");
    assert!(common::session_leftovers().0.is_empty());
}

/// Leftovers of a run that died without cleaning up (SIGKILL) are removed by the next run;
/// those of live processes, or of pids in another PID namespace, are not.
#[test]
fn stale_leftovers_of_dead_runs_are_removed() {
    let Some(()) = common::owned_cluster_or_skip("checks the cleanup of clusters it starts") else {
        return;
    };
    let _spark = common::spark_lock();
    let image = common::images().spark;
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
