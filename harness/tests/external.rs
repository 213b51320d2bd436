//! `--master` against a cluster the harness did not start in this process: one brought up
//! separately with `sparkmodes cluster up`, as a platform team would validate a new cluster.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use sparkmodes::measure::record::{Correctness, Status};
use sparkmodes::measure::records_file::load_records;

const SCENARIO: &str = r#"
name = "external"
spark_versions = ["3.5.9"]
modes = ["direct", "containerized", "submit"]
arrow = [true]
elements = [10000]
repetitions = 1
timeout_s = 300
"#;

#[test]
fn run_against_a_cluster_started_by_cluster_up() {
    let Some(()) = common::owned_cluster_or_skip("starts its own cluster with `cluster up`") else {
        return;
    };
    let _spark = common::spark_lock();
    common::images();
    let mut up = common::bin()
        .args([
            "cluster",
            "up",
            "--workers",
            "2",
            "--spark",
            &common::spark(),
        ])
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let up_pid = up.id();
    let mut lines = BufReader::new(up.stdout.take().unwrap()).lines();
    let master = lines
        .by_ref()
        .map(Result::unwrap)
        .find_map(|l| l.strip_prefix("master").map(|m| m.trim().to_string()))
        .expect("cluster up prints the master URL");
    // Keep reading what follows, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    assert!(master.starts_with("spark://127.0.0.1:"), "{master}");
    assert_eq!(common::labelled_with_pid(up_pid).0.len(), 3);

    let out = tempfile::tempdir().unwrap();
    let scenario = out.path().join("external.toml");
    std::fs::write(&scenario, common::with_spark(SCENARIO)).unwrap();
    let run = common::bin()
        .args(["run", scenario.to_str().unwrap(), "--master", &master])
        .args(["--output", out.path().to_str().unwrap(), "--run-id", "x"])
        .env("CI", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let records = load_records(&out.path().join("x")).unwrap();
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r.status == Status::Ok && r.correct == Correctness::Yes),
        "{records:?}"
    );
    assert_eq!(
        common::labelled_with_pid(up_pid).0.len(),
        3,
        "the external cluster is untouched"
    );

    unsafe { libc::kill(up_pid as i32, libc::SIGINT) };
    let status = up.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    common::assert_nothing_left(up_pid);
}
