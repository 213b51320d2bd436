//! faults.toml on the real binary: a worker container is killed while a job runs; Spark must
//! finish on the survivor with a correct result, and the record says what was injected, when.

mod common;

use sparkmodes::measure::record::{load_records, Status};

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
        assert!(r.correct, "wrong result after the fault: {:?}", r.error);
    }
    assert_eq!(o.status.code(), Some(0), "{stderr}");
}
