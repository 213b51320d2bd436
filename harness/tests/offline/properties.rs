//! Property tests: what a hostile or careless user can feed sparkmodes never panics, and is
//! either accepted as meant or refused with a message naming what to fix.
//!
//! - scenario text, arbitrary and mutated from a valid file: a scenario, or an error naming
//!   the origin (and a line or key where the file has one);
//! - records with arbitrary numbers (huge, tiny, zero): statistics, comparisons and the
//!   report finish;
//! - Spark conf: whatever key and value the checks accept reads back exactly as written.

use std::collections::BTreeMap;

use proptest::prelude::*;

use sparkmodes::config::conf;
use sparkmodes::measure::stats;
use sparkmodes::output::compare::{compare, CompareOptions};
use sparkmodes::output::report;
use sparkmodes::{Mode, RunRecord, Scenario, Status};

const VALID: &str = r#"name = "p"
spark_versions = ["3.5.9"]
modes = ["direct", "cluster-refusal"]
arrow = [true, false]
elements = [1000]
repetitions = 2
warmup = 1
timeout_s = 60
[cluster]
workers = 2
worker_cores = 1
worker_memory = "1g"
[spark_conf]
"spark.driver.memory" = "1g"
"#;

/// Accepted, or refused with the origin named.
fn check_scenario(text: &str) {
    if let Err(e) = Scenario::from_str(text, "p.toml") {
        let msg = e.to_string();
        assert!(
            msg.starts_with("p.toml"),
            "error does not name the file: {msg}"
        );
        assert_eq!(e.exit(), sparkmodes::Exit::Setup);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_scenario_text_never_panics(text in "\\PC{0,400}") {
        check_scenario(&text);
    }

    #[test]
    fn mutated_scenarios_never_panic(
        at in 0usize..VALID.len(),
        cut in 0usize..40,
        insert in prop_oneof![
            Just(String::new()), Just("\n".to_string()), Just("=".to_string()),
            Just("[".to_string()), Just("\"".to_string()), Just("-1".to_string()),
            Just("1e999".to_string()), Just("99999999999999999999".to_string()),
            Just("nan".to_string()), Just("[[configs]]\nname=\"x\"\n".to_string()),
            "\\PC{0,12}",
        ],
    ) {
        let at = (0..=at).rev().find(|i| VALID.is_char_boundary(*i)).unwrap_or(0);
        let end = (at + cut).min(VALID.len());
        let end = (end..=VALID.len()).find(|i| VALID.is_char_boundary(*i)).unwrap_or(VALID.len());
        let text = format!("{}{insert}{}", &VALID[..at], &VALID[end..]);
        check_scenario(&text);
    }

    #[test]
    fn accepted_conf_round_trips_through_what_spark_reads(
        key in "spark\\.[A-Za-z0-9._\\- =:\\\\]{0,24}",
        value in "\\PC{0,40}|[ -~\\t\\r\\n\\\\]{0,40}",
    ) {
        if conf::check_key(&key).is_ok() && conf::check_value(&value).is_ok() {
            let map = BTreeMap::from([(key, value)]);
            prop_assert_eq!(conf::read_properties(&conf::to_properties(&map)), map);
        }
    }

}

proptest! {
    // Each case bootstraps twice (10,000 resamples): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn statistics_and_comparisons_finish_on_any_numbers(
        walls in prop::collection::vec(prop_oneof![
            0.0..1e6f64, Just(0.0), Just(1.7e308), Just(f64::MAX), Just(1e-300),
            Just(f64::MIN_POSITIVE)
        ], 1..12),
    ) {
        let _ = stats::summarize(&walls, 1);
        let base = records(&walls, "a");
        let cand = records(&walls.iter().rev().copied().collect::<Vec<_>>(), "b");
        let cmp = compare(&base, &cand, &CompareOptions::default());
        let _ = (cmp.exit(), cmp.to_terminal_table(), cmp.to_markdown());
    }
}

fn records(walls: &[f64], run: &str) -> Vec<RunRecord> {
    walls
        .iter()
        .enumerate()
        .map(|(i, &w)| RunRecord {
            run_id: run.into(),
            mode: if i % 5 == 4 {
                Mode::ClusterRefusal
            } else {
                Mode::Direct
            },
            status: if i % 5 == 4 {
                Status::RefusedAsExpected
            } else {
                Status::Ok
            },
            rep: i as u32,
            wall_s: w,
            app_s: Some(w / 2.0),
            jobs_s: Some(w / 4.0),
            collect_s: Some(w / 8.0),
            ..RunRecord::example()
        })
        .collect()
}

proptest! {
    // Each case renders every chart twice (SVG and PNG): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn reports_render_on_any_numbers(
        walls in prop::collection::vec(prop_oneof![
            0.0..1e4f64, Just(1.7e308), Just(1e-300), Just(0.0)
        ], 1..8),
    ) {
        // Rendered from records in memory: the records door refuses times no run can have
        // (tests/offline/doors.rs), and the charts must still draw whatever reaches them.
        let dir = tempfile::tempdir().unwrap();
        report::render_records(dir.path(), &records(&walls, "r")).unwrap();
    }
}
