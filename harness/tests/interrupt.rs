//! SIGINT, SIGTERM and a panic in the middle of a matrix, on the real binary: every labelled
//! container and network goes, every finished run stays in runs.csv, the exit is non-zero
//! with a one-line reason.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn start(out: &Path, extra_env: &[(&str, &str)]) -> Child {
    common::bin()
        .args([
            "run",
            common::scenario_file(out, "smoke").to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--run-id",
            "r",
        ])
        .env("CI", "true")
        .envs(extra_env.iter().copied())
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

/// Polls a real condition (a record on disk), bounded: no fixed sleep stands in for it.
fn wait_for_first_record(out: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while records(out) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "sparkmodes exited before any run finished"
        );
        assert!(Instant::now() < deadline, "no run finished in 10 minutes");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn interrupted_by(signal: i32, name: &str) {
    let Some(()) =
        common::owned_cluster_or_skip("checks that the cluster it starts is removed on a signal")
    else {
        return;
    };
    let _spark = common::spark_lock();
    common::images();
    common::venv();
    let out = tempfile::tempdir().unwrap();
    let mut child = start(out.path(), &[]);
    let pid = child.id();
    wait_for_first_record(out.path(), &mut child);
    unsafe { libc::kill(pid as i32, signal) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(128 + signal));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains(&format!("interrupted by {name}")), "{stderr}");
    assert!(records(out.path()) >= 1, "finished runs are kept");
    let kept = sparkmodes::measure::records_file::load_records(&out.path().join("r")).unwrap();
    assert!(
        kept.iter().all(|r| r.status.is_success()),
        "the run cut short by the signal was recorded: {kept:?}"
    );
    common::assert_nothing_left(pid);
}

#[test]
fn sigint_mid_matrix_cleans_up_and_keeps_records() {
    interrupted_by(libc::SIGINT, "SIGINT");
}

#[test]
fn sigterm_mid_matrix_cleans_up_and_keeps_records() {
    interrupted_by(libc::SIGTERM, "SIGTERM");
}

#[test]
fn panic_mid_matrix_cleans_up_and_keeps_records() {
    let Some(()) =
        common::owned_cluster_or_skip("checks that the cluster it starts is removed on a panic")
    else {
        return;
    };
    let _spark = common::spark_lock();
    let out = tempfile::tempdir().unwrap();
    let child = start(out.path(), &[("SPARKMODES_PANIC_AFTER_RUNS", "2")]);
    let pid = child.id();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(101), "a panic exits 101");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("SPARKMODES_PANIC_AFTER_RUNS=2 reached"),
        "{stderr}"
    );
    assert_eq!(records(out.path()), 2);
    common::assert_nothing_left(pid);
}
