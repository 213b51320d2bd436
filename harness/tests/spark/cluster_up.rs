//! `sparkmodes cluster up`, as a platform team validates a cluster with it: a cluster started
//! by one process, a matrix run against it by another (`--master`), untouched by that run, and
//! removed on SIGINT.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use sparkmodes::measure::record::{Correctness, Status};
use sparkmodes::measure::records_file::load_records;

use crate::support;

const SCENARIO: &str = r#"
name = "external"
spark_versions = ["3.5.9"]
modes = ["direct"]
arrow = [true]
elements = [1000]
repetitions = 1
timeout_s = 300
"#;

#[test]
fn a_matrix_runs_against_a_cluster_started_by_cluster_up() {
    let Some(()) = support::owned_cluster_or_skip("starts its own cluster with `cluster up`")
    else {
        return;
    };
    let _spark = support::spark_lock();
    support::images();
    let mut up = support::bin()
        .args([
            "cluster",
            "up",
            "--workers",
            "2",
            "--spark",
            &support::spark(),
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
    assert_eq!(support::labelled_with_pid(up_pid).0.len(), 3);

    let out = tempfile::tempdir().unwrap();
    let scenario = support::scenario(out.path(), "external", SCENARIO);
    let run = support::sparkmodes(&[
        "run",
        scenario.to_str().unwrap(),
        "--master",
        &master,
        "--output",
        out.path().to_str().unwrap(),
        "--run-id",
        "x",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", support::stderr(&run));
    let records = load_records(&out.path().join("x")).unwrap();
    assert_eq!(records.len(), 1);
    assert!(
        records
            .iter()
            .all(|r| r.status == Status::Ok && r.correct == Correctness::Yes),
        "{records:?}"
    );
    assert_eq!(
        support::labelled_with_pid(up_pid).0.len(),
        3,
        "the external cluster is untouched"
    );

    unsafe { libc::kill(up_pid as i32, libc::SIGINT) };
    let status = up.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    support::assert_nothing_left(up_pid);
}
