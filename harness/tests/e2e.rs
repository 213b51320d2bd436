//! The real binary end to end: the smoke scenario, and the compare gate on real runs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use sparkmodes::measure::record::{Correctness, Status};
use sparkmodes::measure::records_file::load_records;

fn sparkmodes(args: &[&str]) -> Output {
    common::bin()
        .args(args)
        .env("CI", "true")
        .output()
        .expect("binary runs")
}

/// Runs `scenario` (a file) on the version under test, against `SPARKMODES_TEST_MASTER` when
/// it is set.
fn run_scenario(out: &Path, scenario: &Path, run_id: &str) -> (Output, PathBuf) {
    run_on(out, scenario, run_id, &common::master_args())
}

/// Runs `scenario` with `master_args` (empty: on a cluster of its own).
fn run_on(out: &Path, scenario: &Path, run_id: &str, master_args: &[String]) -> (Output, PathBuf) {
    let _spark = common::spark_lock();
    let (scenario, out_s) = (scenario.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec!["run", scenario, "--output", out_s, "--run-id", run_id];
    args.extend(master_args.iter().map(String::as_str));
    (sparkmodes(&args), out.join(run_id))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn smoke_scenario_writes_one_correct_row_per_cell_with_sane_phases() {
    let out = tempfile::tempdir().unwrap();
    let smoke = common::scenario_file(out.path(), "smoke");
    let (o, dir) = run_scenario(out.path(), &smoke, "smoke");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let records = load_records(&dir).unwrap();
    assert_eq!(
        records.len(),
        7,
        "3 modes × arrow on/off + refusal, 1 rep each"
    );
    let cells: std::collections::BTreeSet<_> = records.iter().map(|r| r.cell()).collect();
    assert_eq!(cells.len(), 7);
    for r in &records {
        assert_eq!(r.correct, Correctness::Yes, "{r:?}");
        if !r.mode.computes() {
            assert_eq!(r.status, Status::RefusedAsExpected);
            continue;
        }
        assert_eq!(r.status, Status::Ok);
        let (app, jobs, collect) = (r.app_s.unwrap(), r.jobs_s.unwrap(), r.collect_s.unwrap());
        assert!(
            0.0 < collect && collect <= jobs && jobs <= app && app <= r.wall_s,
            "{r:?}"
        );
    }
    let csv = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 8);
    let header = csv.lines().next().unwrap();
    assert_eq!(header, sparkmodes::output::export::csv::header());
    for col in [
        "run_id",
        "arrow_effective",
        "wall_s",
        "app_s",
        "jobs_s",
        "collect_s",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "missing {col}: {header}"
        );
    }
    for f in [
        "report.html",
        "summary.md",
        "junit.xml",
        "environment.json",
        "charts/wall.svg",
        "charts/phases.png",
        "bmf.json",
        "benchmark-action.json",
    ] {
        assert!(dir.join(f).is_file(), "missing {f}");
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("refused-as-expected") && stdout.contains("containerized"),
        "{stdout}"
    );
    let again = sparkmodes(&["report", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

const TIMING: &str = r#"
name = "gate"
spark_versions = ["3.5.9"]
modes = ["direct"]
arrow = [true]
elements = [100000]
repetitions = 4
timeout_s = 300
[spark_conf]
"spark.driver.memory" = "1g"
"spark.executor.memory" = "512m"
"#;

/// The scheduler waits for more cores than the cluster (2 × 1 core) has, up to the waiting time, before
/// the first job: a slowdown made purely by configuration.
const SLOW_CONF: &str = r#"
"spark.cores.max" = "8"
"spark.scheduler.minRegisteredResourcesRatio" = "1.0"
"spark.scheduler.maxRegisteredResourcesWaitingTime" = "20s"
"#;

/// A 25 % threshold: two runs done minutes apart on a shared 2-core machine can drift by
/// more than the 10 % default; the induced slowdown is about 2×.
fn compare(baseline: &Path, candidate: &Path) -> Output {
    let (b, c) = (baseline.to_str().unwrap(), candidate.to_str().unwrap());
    sparkmodes(&["compare", b, c, "--threshold", "0.25"])
}

#[test]
fn compare_passes_the_same_config_and_flags_an_induced_slowdown() {
    let Some(()) = common::owned_cluster_or_skip(
        "induces its slowdown by asking for more cores than its own cluster has",
    ) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let same = out.path().join("gate.toml");
    std::fs::write(&same, common::with_spark(TIMING)).unwrap();
    let slow = out.path().join("gate-slow.toml");
    std::fs::write(&slow, common::with_spark(&format!("{TIMING}{SLOW_CONF}"))).unwrap();

    // The three matrices share one cluster (started by this binary, given with --master), as
    // a CI gate comparing against a standing cluster would: no cluster start-up between them.
    let master = {
        let _spark = common::spark_lock();
        vec![
            "--master".into(),
            common::shared_cluster().master_url_host(),
        ]
    };
    let (a, dir_a) = run_on(out.path(), &same, "a", &master);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let (b, dir_b) = run_on(out.path(), &same, "b", &master);
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let (s, dir_s) = run_on(out.path(), &slow, "slow", &master);
    assert_eq!(s.status.code(), Some(0), "{}", stderr(&s));

    let aa = compare(&dir_a, &dir_b);
    assert_eq!(
        aa.status.code(),
        Some(0),
        "A/A: {}",
        String::from_utf8_lossy(&aa.stdout)
    );
    let regression = compare(&dir_a, &dir_s);
    let table = String::from_utf8_lossy(&regression.stdout);
    assert_eq!(regression.status.code(), Some(4), "{table}");
    assert!(table.contains("slower"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir_s.join("compare.json")).unwrap())
            .unwrap();
    let ratio = json["rows"][0]["ratio"]["point"].as_f64().unwrap();
    assert!(ratio > 1.1, "ratio {ratio}");
    let row = &json["rows"][0];
    assert!(!row["phases"].as_array().unwrap().is_empty(), "{row}");
    assert!(
        row["where"].as_str().unwrap().starts_with("slower: "),
        "{row}"
    );
    assert!(dir_s.join("bmf.json").is_file());
    assert!(dir_s.join("junit-compare.xml").is_file());
    assert!(dir_s.join("charts/comparison.svg").is_file());
}
