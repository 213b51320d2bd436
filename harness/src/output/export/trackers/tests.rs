//! The tracker files checked against the shapes their tools document, read back as plain JSON.

use super::*;
use crate::config::Mode;
use crate::measure::record::Status;
use crate::Correctness;
use serde_json::Value;

/// Five measured direct runs, a warmup, a failed submit cell and a refusal cell.
fn records() -> Vec<RunRecord> {
    let mut out = Vec::new();
    for rep in 0..5 {
        out.push(RunRecord {
            rep,
            wall_s: 12.0 + f64::from(rep) * 0.1,
            ..RunRecord::example()
        });
    }
    out.push(RunRecord {
        warmup: true,
        wall_s: 99.0,
        ..RunRecord::example()
    });
    out.push(RunRecord {
        mode: Mode::Submit,
        status: Status::Failed,
        correct: Correctness::No,
        ..RunRecord::example()
    });
    out.push(RunRecord {
        mode: Mode::ClusterRefusal,
        status: Status::RefusedAsExpected,
        arrow: false,
        elements: 0,
        ..RunRecord::example()
    });
    out
}

fn written(records: &[RunRecord]) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_all(dir.path(), records).unwrap();
    assert_eq!(
        paths,
        [
            dir.path().join(BMF_JSON),
            dir.path().join(BENCHMARK_ACTION_JSON)
        ]
    );
    let read = |p: &PathBuf| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    (read(&paths[0]), read(&paths[1]))
}

const CELL: &str = "3.5.9/2w-1c-1g/direct/arrow-on/100000";

fn finite_number(v: &Value) -> f64 {
    let x = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!(x.is_finite(), "{v}");
    x
}

#[test]
fn bmf_has_the_documented_shape() {
    let (bmf, _) = written(&records());
    let benchmarks = bmf.as_object().expect("top level is an object");
    assert_eq!(
        benchmarks.keys().collect::<Vec<_>>(),
        [CELL],
        "measured cells only"
    );
    for measures in benchmarks.values() {
        let measures = measures
            .as_object()
            .expect("benchmark is an object of measures");
        let mut names: Vec<&str> = measures.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["app_s", "collect_s", "jobs_s", "latency"]);
        for metric in measures.values() {
            let m = metric.as_object().expect("measure is an object");
            let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["lower_value", "upper_value", "value"]);
            let (lo, v, hi) = (
                finite_number(&m["lower_value"]),
                finite_number(&m["value"]),
                finite_number(&m["upper_value"]),
            );
            assert!(lo <= v && v <= hi, "{metric}");
        }
    }
}

#[test]
fn bmf_latency_is_the_wall_median_in_nanoseconds() {
    let (bmf, _) = written(&records());
    let latency = &bmf[CELL][bmf::LATENCY];
    // Walls 12.0 … 12.4: the warmup's 99 s is not a measurement.
    assert!(
        (latency["value"].as_f64().unwrap() - 12.2e9).abs() < 1.0,
        "{latency}"
    );
    assert!(latency["upper_value"].as_f64().unwrap() <= 12.4e9 + 1.0);
    assert_eq!(bmf[CELL]["jobs_s"]["value"].as_f64(), Some(6.25));
}

#[test]
fn benchmark_action_has_the_documented_shape() {
    let (_, action) = written(&records());
    let items = action.as_array().expect("top level is an array");
    let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    let expected = ["wall", "app", "jobs", "collect"].map(|m| format!("{CELL} {m}"));
    assert_eq!(names, expected);
    for item in items {
        let obj = item.as_object().expect("item is an object");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["extra", "name", "range", "unit", "value"], "{item}");
        for text in ["name", "unit", "range", "extra"] {
            assert!(obj[text].is_string(), "{text} must be a string: {item}");
        }
        assert_eq!(obj["unit"], "s");
        finite_number(&obj["value"]);
        assert!(obj["range"].as_str().unwrap().starts_with('±'), "{item}");
    }
    assert_eq!(items[0]["value"].as_f64(), Some(12.2));
    assert!(items[0]["extra"].as_str().unwrap().contains("n=5"));
}

#[test]
fn both_files_name_cells_the_same_way() {
    let (bmf, action) = written(&records());
    for item in action.as_array().unwrap() {
        let name = item["name"].as_str().unwrap();
        let (cell, _) = name.rsplit_once(' ').unwrap();
        assert!(bmf.get(cell).is_some(), "{cell} missing from bmf.json");
    }
}

#[test]
fn non_finite_values_never_reach_the_files() {
    let mut records = records();
    for r in records.iter_mut().take(5) {
        r.app_s = Some(f64::NAN);
        r.collect_s = Some(f64::INFINITY);
        r.jobs_s = None;
    }
    let mut only_nan = RunRecord {
        elements: 7,
        wall_s: f64::NAN,
        ..RunRecord::example()
    };
    only_nan.app_s = Some(f64::NEG_INFINITY);
    records.push(only_nan);
    let (bmf, action) = written(&records);
    assert_eq!(
        bmf.as_object().unwrap().len(),
        1,
        "the all-NaN cell is left out"
    );
    assert_eq!(bmf[CELL].as_object().unwrap().len(), 1, "{bmf}");
    assert_eq!(action.as_array().unwrap().len(), 1, "{action}");
    for path in [BMF_JSON, BENCHMARK_ACTION_JSON] {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &records).unwrap();
        let text = std::fs::read_to_string(dir.path().join(path)).unwrap();
        for bad in ["NaN", "inf", "null"] {
            assert!(!text.contains(bad), "{path} holds {bad}: {text}");
        }
    }
}

#[test]
fn no_measured_cell_writes_empty_documents() {
    let refusal_only: Vec<RunRecord> = records().into_iter().skip(6).collect();
    let (bmf, action) = written(&refusal_only);
    assert_eq!(bmf, serde_json::json!({}));
    assert_eq!(action, serde_json::json!([]));
}

#[test]
fn a_write_error_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let err = write_all(&missing, &records()).unwrap_err();
    assert!(format!("{err:#}").contains(&missing.join(BMF_JSON).display().to_string()));
}

#[test]
fn bmf_bounds_always_contain_the_value() {
    let median = Estimate {
        point: 2.0,
        std_err: 0.1,
        ci_low: 2.1,
        ci_high: 2.5,
        confidence: 0.95,
    };
    let cells = [CellMetrics {
        cell: CELL.into(),
        metrics: vec![Metric {
            field: "jobs_s",
            median,
            n: 3,
        }],
    }];
    let m = bmf::document(&cells)[CELL]["jobs_s"];
    assert_eq!((m.lower_value, m.value, m.upper_value), (2.0, 2.0, 2.5));
}
