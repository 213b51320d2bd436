//! faults.toml on the real binary: a worker container is killed while a job runs; Spark must
//! finish on the survivor with a correct result, and the record says what was injected, when.

mod common;

use sparkmodes::measure::record::{Correctness, Status};
use sparkmodes::measure::records_file::load_records;

#[test]
fn a_worker_killed_mid_job_is_survived_and_recorded() {
    let Some(()) = common::owned_cluster_or_skip("kills a worker container of a cluster it starts")
    else {
        return;
    };
    let _spark = common::spark_lock();
    let out = tempfile::tempdir().unwrap();
    let o = common::bin()
        .args([
            "run",
            common::scenario_file(out.path(), "faults")
                .to_str()
                .unwrap(),
            "--output",
            out.path().to_str().unwrap(),
            "--run-id",
            "f",
        ])
        .env("CI", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let records = load_records(&out.path().join("f")).unwrap();
    let faulted: Vec<_> = records.iter().filter(|r| r.fault.is_some()).collect();
    assert!(!faulted.is_empty(), "no run recorded a fault: {stderr}");
    for r in &faulted {
        let fault = r.fault.as_deref().unwrap();
        assert!(fault.starts_with("kill-worker at "), "{fault}");
        assert!(!fault.contains("failed"), "the kill itself failed: {fault}");
        // The job has one task per worker core; a kill that lands mid-job shows as a lost
        // task run again on the survivor.
        assert!(r.tasks.unwrap() > 2, "the kill did not land mid-job: {r:?}");
        assert_eq!(r.status, Status::Ok, "Spark did not recover: {:?}", r.error);
        assert!(
            r.correct == Correctness::Yes,
            "wrong result after the fault: {:?}",
            r.error
        );
    }
    assert_eq!(o.status.code(), Some(0), "{stderr}");
}

const HEALTH: &str = r#"
name = "health"
spark_versions = ["3.5.9"]
modes = ["direct"]
arrow = [true]
elements = [10000]
repetitions = 3
timeout_s = 300
"#;

fn records_in(dir: &std::path::Path) -> usize {
    load_records(dir).map(|r| r.len()).unwrap_or(0)
}

/// A worker killed by hand between or during runs whose results stay correct: the run on the
/// degraded cluster is flagged and left out of statistics, the cluster is restored, and the
/// runs after it are healthy again.
#[test]
fn a_worker_lost_under_correct_runs_is_noticed_and_the_cluster_restored() {
    let _spark = common::spark_lock();
    common::images();
    common::venv();
    let out = tempfile::tempdir().unwrap();
    let scenario = out.path().join("health.toml");
    std::fs::write(&scenario, HEALTH).unwrap();
    let mut child = common::bin()
        .args(["run", scenario.to_str().unwrap(), "--output"])
        .arg(out.path())
        .args(["--run-id", "h"])
        .env("CI", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let run_dir = out.path().join("h");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while records_in(&run_dir) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "exited before a run finished"
        );
        assert!(std::time::Instant::now() < deadline, "no run in 10 minutes");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let filter = format!("label=sparkmodes.pid={pid}");
    let workers = sparkmodes::infra::docker::cli(&[
        "ps",
        "-q",
        "--filter",
        &filter,
        "--filter",
        "name=worker",
    ])
    .unwrap();
    let victim = workers
        .lines()
        .next()
        .expect("a worker container")
        .to_string();
    sparkmodes::infra::docker::cli(&["kill", &victim]).unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let records = load_records(&run_dir).unwrap();
    assert_eq!(records.len(), 3, "{stderr}");
    let hit = records
        .iter()
        .position(|r| {
            r.degraded.is_some() || r.error.as_deref().is_some_and(|e| e.contains("cluster"))
        })
        .unwrap_or_else(|| panic!("no run noticed the lost worker: {records:?}"));
    let flagged = &records[hit];
    if flagged.status == Status::Ok {
        assert!(
            !flagged.is_measurement(),
            "a degraded run counted in statistics"
        );
        assert!(flagged
            .finding
            .as_deref()
            .unwrap()
            .contains("left out of statistics"));
    }
    let last = records.last().unwrap();
    assert!(
        hit < 2,
        "the loss was noticed only at the last run: {records:?}"
    );
    assert_eq!(
        (last.status, last.degraded.as_deref()),
        (Status::Ok, None),
        "not restored: {last:?}"
    );
    assert_eq!(
        last.executors,
        Some(2),
        "the restored cluster has both workers: {last:?}"
    );
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    common::assert_nothing_left(pid);
}
