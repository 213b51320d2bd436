//! TPC-H through the real binary on the shared cluster (its data folder mounted), one small
//! run: SF 0.01, two queries, direct. The app is a copy with one query's answer perturbed
//! after Spark computed it: the run must be a wrong result, exit 3, naming that query and its
//! first differing row, while the other query's own record stays right. (TPC-H unchanged under
//! Spark Connect runs in `connect.rs`.)

use sparkmodes::measure::record::{Correctness, Status};
use sparkmodes::measure::records_file::load_records;

use crate::support;

#[test]
fn a_perturbed_tpch_answer_fails_the_run_naming_the_query() {
    let app = support::app_copy(
        &sparkmodes::config::variant::fixture_dir("tpch").unwrap(),
        "tpch.py",
        |src| {
            src.replace(
                "        end = time.time()\n",
                "        end = time.time()\n        if n == 6:\n            frame.iloc[0, 0] = frame.iloc[0, 0] * 2\n",
            )
        },
    );
    let out = tempfile::tempdir().unwrap();
    let scenario = support::scenario(
        out.path(),
        "tpch-small",
        &format!(
            "name = \"tpch-small\"\nspark_versions = [\"3.5.9\"]\napps = [{:?}]\nmodes = [\"direct\"]\narrow = [true]\nelements = [10]\nqueries = [3, 6]\nrepetitions = 1\ntimeout_s = 600\n",
            app.path().display().to_string()
        ),
    );
    let master = support::shared_master();
    let o = {
        let _spark = support::spark_lock();
        let (s, d) = (scenario.to_str().unwrap(), out.path().to_str().unwrap());
        support::sparkmodes(&[
            "run", s, "--master", &master, "--output", d, "--run-id", "t",
        ])
    };
    let (stdout, stderr) = (support::stdout(&o), support::stderr(&o));
    assert_eq!(o.status.code(), Some(3), "{stdout}\n{stderr}");
    let records = load_records(&out.path().join("t")).unwrap();
    assert_eq!(records.len(), 3, "the run and its two queries: {records:?}");
    let run = &records[0];
    assert_eq!(
        (run.query, run.status, run.correct),
        (None, Status::Ok, Correctness::No)
    );
    let error = run.error.as_deref().unwrap();
    assert!(
        error.starts_with("wrong result: q06 row 1: column 1 (revenue)"),
        "{error}"
    );
    let q3 = records.iter().find(|r| r.query == Some(3)).unwrap();
    let q6 = records.iter().find(|r| r.query == Some(6)).unwrap();
    assert_eq!(q3.correct, Correctness::Yes, "{q3:?}");
    assert_eq!((q6.correct, q6.rows), (Correctness::No, Some(1)), "{q6:?}");
    assert!(
        q3.profile
            .as_ref()
            .is_some_and(|p| p.operators.keys().any(|o| o.contains("Join"))),
        "{q3:?}"
    );
    assert!(stdout.contains("wrong-result"), "{stdout}");
}
