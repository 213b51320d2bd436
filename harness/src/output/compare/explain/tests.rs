//! The explanation on constructed profiles (every rule) and on saved real event logs.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::output::compare::{compare, CompareOptions, Verdict};

fn run(rep: u32, wall_s: f64, profile: Profile) -> RunRecord {
    RunRecord {
        rep,
        wall_s,
        profile: Some(profile),
        ..RunRecord::example()
    }
}

fn profile(cpu: f64, ops: &[(&str, u32)], props: &[(&str, &str)], warnings: &[&str]) -> Profile {
    Profile {
        operators: ops.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        metrics: [
            ("executor_cpu_s".to_string(), cpu),
            ("gc_s".to_string(), 0.1),
        ]
        .into(),
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        warnings: warnings.iter().map(|w| (w.to_string(), 1)).collect(),
    }
}

/// The profile of a real event log kept under `fixtures/eventlogs`.
fn fixture_profile(name: &str) -> Profile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/eventlogs")
        .join(name);
    crate::measure::eventlog::read(&path)
        .unwrap()
        .timings
        .profile
}

fn side(run_id: &str, walls: &[f64], p: impl Fn(usize) -> Profile) -> Vec<RunRecord> {
    walls
        .iter()
        .enumerate()
        .map(|(i, w)| RunRecord {
            run_id: run_id.into(),
            ..run(i as u32, *w, p(i))
        })
        .collect()
}

#[test]
fn a_slower_cell_names_its_plan_change_setting_metric_and_warning() {
    let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], |i| {
        let app = format!("app-{i}");
        profile(
            4.0 + i as f64 * 0.01,
            &[("BatchEvalPython", 1), ("Exchange", 1)],
            &[
                ("spark.app.id", &app),
                ("spark.sql.execution.arrow.pyspark.enabled", "false"),
                ("spark.executor.cores", "2"),
            ],
            &[],
        )
    });
    let cand = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], |i| {
        let app = format!("app-{i}");
        profile(
            6.0 + i as f64 * 0.01,
            &[("ArrowEvalPython", 1), ("Exchange", 1)],
            &[
                ("spark.app.id", &app),
                ("spark.sql.execution.arrow.pyspark.enabled", "true"),
                ("spark.executor.cores", "2"),
            ],
            &["FutureWarning app.py:3"],
        )
    });
    let c = compare(&base, &cand, &CompareOptions::default());
    let row = &c.rows[0];
    assert_eq!(row.verdict, Verdict::Slower);
    let e = row.explanation.as_ref().unwrap();
    assert_eq!(e.metrics.len(), 1, "gc did not move: {:?}", e.metrics);
    assert_eq!(e.metrics[0].name, "executor_cpu_s");
    assert_eq!(e.operators.len(), 2);
    assert_eq!(
        e.properties.len(),
        1,
        "the per-run app id is not a difference: {:?}",
        e.properties
    );
    assert_eq!(e.warnings_new, vec!["FutureWarning app.py:3".to_string()]);
    assert!(e.line.starts_with("slower ×1.30"), "{}", e.line);
    assert!(
        e.line.contains("plan BatchEvalPython → ArrowEvalPython"),
        "{}",
        e.line
    );
    assert!(
        e.line
            .contains("setting differs: spark.sql.execution.arrow.pyspark.enabled false → true"),
        "{}",
        e.line
    );
    assert!(e.line.contains("task CPU time ×1.50"), "{}", e.line);
    assert!(!e.line.contains("nothing measured"), "{}", e.line);
}

#[test]
fn a_slower_cell_with_nothing_different_says_so() {
    let same = |_| {
        profile(
            4.0,
            &[("Exchange", 1)],
            &[("spark.executor.cores", "2")],
            &[],
        )
    };
    let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], same);
    let cand = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], same);
    let c = compare(&base, &cand, &CompareOptions::default());
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(
        e.line.contains("nothing measured explains it"),
        "{}",
        e.line
    );
    assert!(e.metrics.is_empty() && e.operators.is_empty() && e.properties.is_empty());
}

#[test]
fn defaults_that_differ_between_lines_are_listed_python_and_arrow_first() {
    let b: BTreeMap<String, String> = [
        ("spark.sql.ansi.enabled", "false"),
        ("spark.sql.a", "1"),
        ("spark.sql.execution.pythonUDF.arrow.enabled", "false"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut c = b.clone();
    c.insert("spark.sql.a".into(), "2".into());
    c.insert(
        "spark.sql.execution.pythonUDF.arrow.enabled".into(),
        "true".into(),
    );
    c.insert("spark.sql.new".into(), "x".into());
    let d = defaults_diff(&b, &c);
    let keys: Vec<&str> = d.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "spark.sql.execution.pythonUDF.arrow.enabled",
            "spark.sql.a",
            "spark.sql.new"
        ]
    );
    assert_eq!(d[2].baseline, None);

    let line = |ops: &'static [(&'static str, u32)]| {
        let same = move |_| profile(4.0, ops, &[], &[]);
        let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], same);
        let cand = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], same);
        let mut cmp = compare(&base, &cand, &CompareOptions::default());
        let stack = base[0].cell().stack();
        cmp.attach_defaults(
            &[(stack.clone(), b.clone())].into(),
            &[(stack, c.clone())].into(),
        );
        cmp.rows[0].explanation.clone().unwrap().line
    };
    let udf = line(&[("BatchEvalPython", 1)]);
    assert!(
        udf.contains("default changed: spark.sql.execution.pythonUDF.arrow.enabled false → true"),
        "{udf}"
    );
    assert!(!udf.contains("nothing measured"), "{udf}");
    // A plan without Python (TPC-H): a Python-UDF default cannot be the reason.
    let sql = line(&[("Exchange", 2)]);
    assert!(!sql.contains("pythonUDF"), "{sql}");
    assert!(sql.contains("nothing measured explains it"), "{sql}");
}

#[test]
fn real_event_logs_explain_arrow_on_against_off() {
    let (off, on) = (
        fixture_profile("spark-3.5.9-arrow-off.inprogress"),
        fixture_profile("spark-3.5.9-arrow-on.inprogress"),
    );
    let base = side("b", &[10.0, 10.1, 9.9], |_| off.clone());
    let cand = side("c", &[10.0, 10.1, 9.9], |_| on.clone());
    let e = explain(
        &base.iter().collect::<Vec<_>>(),
        &cand.iter().collect::<Vec<_>>(),
        &CompareOptions::default(),
    )
    .unwrap();
    let arrow: Vec<&SettingChange> = e
        .properties
        .iter()
        .filter(|p| p.key.contains("arrow"))
        .collect();
    assert!(
        !arrow.is_empty(),
        "the Arrow setting the two runs had differs: {:?}",
        e.properties
    );
    assert!(e
        .properties
        .iter()
        .all(|p| !VOLATILE.contains(&p.key.as_str())));
    assert!(first(&e.properties[0].key), "{:?}", e.properties[0]);
}

#[test]
fn runs_without_an_event_log_still_compare_and_the_line_says_what_is_missing() {
    let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], |_| {
        profile(4.0, &[], &[("spark.executor.cores", "2")], &[])
    });
    let no_log = |_| Profile {
        warnings: [("WARN NativeCodeLoader".to_string(), 1)].into(),
        ..Profile::default()
    };
    let cand = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], no_log);
    let c = compare(&base, &cand, &CompareOptions::default());
    assert_eq!(c.rows[0].verdict, Verdict::Slower);
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(
        e.line.contains("the candidate runs kept no event log"),
        "{}",
        e.line
    );
    assert!(
        !e.line.contains("nothing measured explains it"),
        "{}",
        e.line
    );
    let old: Vec<RunRecord> = base
        .iter()
        .map(|r| RunRecord {
            profile: None,
            ..r.clone()
        })
        .collect();
    let c = compare(&old, &cand, &CompareOptions::default());
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(
        e.line.contains("the baseline runs carry no profile"),
        "{}",
        e.line
    );
}

#[test]
fn any_setting_that_differs_is_named_not_only_the_python_and_arrow_ones() {
    let with =
        |extra: &'static [(&'static str, &'static str)]| move |_| profile(4.0, &[], extra, &[]);
    let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], with(&[]));
    let cand = side(
        "c",
        &[13.0, 13.1, 12.9, 13.2, 13.0],
        with(&[("spark.cores.max", "4")]),
    );
    let c = compare(&base, &cand, &CompareOptions::default());
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(
        e.line
            .contains("setting differs: spark.cores.max (unset) → 4"),
        "{}",
        e.line
    );
}

/// GC time is 0 in most baseline runs of a short job: the ratio has no bound, so the move is
/// told as amounts (never a `NaN` interval) and counted only when the sides do not overlap.
#[test]
fn a_metric_at_zero_on_one_side_moves_without_an_unbounded_interval() {
    let gc = |v: f64| {
        move |_| Profile {
            metrics: [("gc_s".to_string(), v)].into(),
            ..Profile::default()
        }
    };
    let mut base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], gc(0.0));
    base[2] = run(2, 9.9, gc(0.01)(0));
    let cand = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], gc(0.3));
    let c = compare(&base, &cand, &CompareOptions::default());
    let line = &c.rows[0].explanation.as_ref().unwrap().line;
    assert!(line.contains("JVM GC in tasks 0.00 s → 0.30 s"), "{line}");
    assert!(!line.contains("NaN") && !line.contains("inf"), "{line}");
    let overlapping = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], |i| {
        gc(if i == 0 { 0.0 } else { 0.3 })(i)
    });
    let c = compare(&base, &overlapping, &CompareOptions::default());
    let line = &c.rows[0].explanation.as_ref().unwrap().line;
    assert!(!line.contains("JVM GC"), "{line}");
}

/// Spark's own long values (4.x's `extraJavaOptions`, a page of `--add-opens`) are cut in the
/// line; the whole value stays in compare.json.
#[test]
fn a_long_setting_value_is_cut_in_the_line_and_kept_whole_in_the_json() {
    let long: &'static str = Box::leak(
        "--add-opens=java.base/java.lang=ALL-UNNAMED "
            .repeat(20)
            .into_boxed_str(),
    );
    let with = move |v: &'static str| {
        move |_| profile(4.0, &[], &[("spark.driver.extraJavaOptions", v)], &[])
    };
    let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], with("-Xss4m"));
    let cand = side("c", &[13.0, 13.1, 12.9, 13.2, 13.0], with(long));
    let c = compare(&base, &cand, &CompareOptions::default());
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(
        e.line
            .contains("spark.driver.extraJavaOptions -Xss4m → --add-opens"),
        "{}",
        e.line
    );
    assert!(e.line.len() < 400 && e.line.contains('…'), "{}", e.line);
    assert_eq!(e.properties[0].candidate.as_deref(), Some(long));
}

/// An `@udf` app, Arrow-on arm, 3.5.9 against 4.3.0 (real event logs): each line ran with its
/// own defaults, so the plan moves from pickled to Arrow-optimised Python UDFs and the line
/// names the default that did it, before the ones the runs set themselves.
#[test]
fn real_udf_logs_name_the_python_udf_default_behind_the_plan_change() {
    let (old, new) = (
        fixture_profile("spark-3.5.9-udf-arrow-on"),
        fixture_profile("spark-4.3.0-udf-arrow-on"),
    );
    let base = side("b", &[21.0, 21.2, 20.9, 21.1], |_| old.clone());
    let cand = side("c", &[31.0, 31.2, 30.9, 31.1], |_| new.clone());
    let mut c = compare(&base, &cand, &CompareOptions::default());
    // The keys as `SET -v` gave them on the two lines (sql-defaults.json of that run).
    let defaults = |flip: &str| -> BTreeMap<String, String> {
        [
            ("spark.sql.ansi.enabled", flip),
            ("spark.sql.execution.arrow.pyspark.enabled", "false"),
            ("spark.sql.execution.arrow.pyspark.fallback.enabled", flip),
            ("spark.sql.execution.pythonUDF.arrow.enabled", flip),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let stack = |r: &RunRecord| r.cell().stack();
    let (b, k) = (
        [(stack(&base[0]), defaults("false"))].into(),
        [(stack(&cand[0]), defaults("true"))].into(),
    );
    c.attach_defaults(&b, &k);
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(
        e.line.contains("plan BatchEvalPython → ArrowEvalPython"),
        "{}",
        e.line
    );
    assert!(
        e.line
            .contains("default changed: spark.sql.execution.pythonUDF.arrow.enabled false → true"),
        "the Python UDF default comes first: {}",
        e.line
    );
    assert!(
        e.set_by_both
            .contains("spark.sql.execution.arrow.pyspark.enabled"),
        "{:?}",
        e.set_by_both
    );
}

/// One 2-core worker against two 1-core workers: the app got one executor, then two, and the
/// line says so beside the metrics that followed.
#[test]
fn a_config_comparison_names_the_executors_the_app_got() {
    let with = |executors: f64, run_s: f64| {
        move |_| Profile {
            metrics: [
                ("executors".to_string(), executors),
                ("executor_run_s".to_string(), run_s),
            ]
            .into(),
            ..Profile::default()
        }
    };
    let base = side("b", &[21.0, 21.2, 20.9, 21.1], with(1.0, 10.9));
    let cand = side("c", &[30.0, 30.2, 29.9, 30.1], with(2.0, 17.3));
    let c = compare(&base, &cand, &CompareOptions::default());
    let line = &c.rows[0].explanation.as_ref().unwrap().line;
    assert!(line.contains("executors 1 → 2"), "{line}");
    assert!(
        line.contains("task run time on the executors ×1.59"),
        "{line}"
    );
}

/// Two pages of JVM options that part after a shared beginning read apart in the line.
#[test]
fn long_values_that_share_a_beginning_are_shown_where_they_part() {
    let common = "--add-opens=java.base/java.lang=ALL-UNNAMED ".repeat(5);
    let s = SettingChange {
        key: "spark.driver.extraJavaOptions".into(),
        baseline: Some(format!("{common}-Dold=1 {common}")),
        candidate: Some(format!("{common}-Dnew=2 {common}")),
    };
    let text = line::setting_text(&s);
    assert!(
        text.contains("-Dold=1") && text.contains("-Dnew=2"),
        "{text}"
    );
    assert!(text.len() < 200, "{text}");
}

/// 3.5 records no Python-worker times; 4.x does. Their appearance is not a move, and the JVM
/// options each line's launcher adds come after what moved.
#[test]
fn a_metric_one_line_does_not_record_is_not_a_move_and_jvm_options_come_last() {
    let with = |python: Option<f64>, opts: &'static str| {
        move |_| {
            let mut p = profile(4.0, &[], &[("spark.driver.extraJavaOptions", opts)], &[]);
            p.metrics.insert("executor_run_s".into(), 10.0);
            if let Some(v) = python {
                p.metrics.insert("python_run_s".into(), v);
                p.metrics.insert("executor_run_s".into(), 15.0);
            }
            p
        }
    };
    let base = side("b", &[10.0, 10.1, 9.9, 10.2, 10.0], with(None, "-Xss4m"));
    let cand = side(
        "c",
        &[13.0, 13.1, 12.9, 13.2, 13.0],
        with(Some(7.0), "-Xss8m"),
    );
    let c = compare(&base, &cand, &CompareOptions::default());
    let e = c.rows[0].explanation.as_ref().unwrap();
    assert!(!e.line.contains("Python workers"), "{}", e.line);
    let run = e.line.find("task run time").expect("the metric that moved");
    let jvm = e
        .line
        .find("extraJavaOptions")
        .expect("the JVM options, last");
    assert!(run < jvm, "{}", e.line);
}
