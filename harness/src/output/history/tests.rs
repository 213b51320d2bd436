//! History over fixed run directories and a folder of baselines.

use super::*;
use crate::config::Mode;
use crate::output::compare::tests::rec;
use chrono::TimeZone;

/// A run directory `name` started on day `day` of January 2026: five direct runs around
/// `wall` seconds and one refusal.
fn run_dir(root: &Path, name: &str, day: u32, wall: f64) -> PathBuf {
    let start = Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap();
    let mut records: Vec<RunRecord> = (0..5)
        .map(|i| RunRecord {
            run_id: name.into(),
            rep: i,
            started_at: start + chrono::Duration::minutes(i64::from(i)),
            profile: Some(crate::measure::profile::Profile {
                metrics: [("executor_cpu_s".to_string(), wall / 2.0)].into(),
                ..Default::default()
            }),
            ..rec("3.5.9", Mode::Direct, wall * (1.0 + 0.005 * f64::from(i)))
        })
        .collect();
    records.push(RunRecord {
        run_id: name.into(),
        started_at: start,
        ..rec("3.5.9", Mode::ClusterRefusal, 3.0)
    });
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let lines: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.join(RUNS_JSONL), lines).unwrap();
    dir
}

const CELL: &str = "3.5.9/default/direct/arrow-on/1000";

/// Three runs given out of order; the last is 30 % slower.
fn three_runs(root: &Path) -> Vec<PathBuf> {
    vec![
        run_dir(root, "c-slow", 3, 13.0),
        run_dir(root, "a-first", 1, 10.0),
        run_dir(root, "b-same", 2, 10.02),
    ]
}

#[test]
fn points_are_ordered_by_start_and_slower_points_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let points = load_points(&three_runs(dir.path())).unwrap();
    let labels: Vec<&str> = points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["a-first", "b-same", "c-slow"]);
    let h = build(&points, &CompareOptions::default());
    assert_eq!(h.series.len(), 1, "the refusal cell has no timings: {h:?}");
    let s = &h.series[0];
    assert_eq!(s.cell, CELL);
    let verdicts: Vec<Option<Verdict>> = s.entries.iter().map(|e| e.vs_previous).collect();
    assert_eq!(
        verdicts,
        [None, Some(Verdict::NoChange), Some(Verdict::Slower)]
    );
    assert!((s.entries[0].median.point - 10.1).abs() < 1e-9);
    assert_eq!(h.slower_count(), 1);
}

#[test]
fn table_markdown_json_and_chart_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let h = build(
        &load_points(&three_runs(dir.path())).unwrap(),
        &CompareOptions::default(),
    );
    let table = h.to_terminal_table();
    assert_eq!(table.lines().count(), 5, "{table}");
    assert!(table.lines().last().unwrap().contains("1 point(s) slower"));
    let out = dir.path().join("history");
    let written = write_outputs(&out, &h).unwrap();
    let names: Vec<_> = written.iter().map(|p| p.file_name().unwrap()).collect();
    assert_eq!(
        names,
        [
            "history.md",
            "history.json",
            "history.svg",
            "history.png",
            "history-executor_cpu_s.svg",
            "history-executor_cpu_s.png",
            "history.html"
        ]
    );
    let html = std::fs::read_to_string(&written[6]).unwrap();
    assert!(
        html.contains("<svg") && html.contains("1 point(s) slower"),
        "{html}"
    );
    assert_eq!(html.matches("<tr class=\"fail\">").count(), 1, "{html}");
    assert!(
        html.contains("<strong class=\"bad\">slower</strong>"),
        "{html}"
    );
    let md = std::fs::read_to_string(out.join(HISTORY_MD)).unwrap();
    assert!(
        md.contains(&format!("| {CELL} | c-slow | 2026-01-03 12:00 | 5 |")),
        "{md}"
    );
    assert!(md.contains("| **slower** |"), "{md}");
    let json = std::fs::read_to_string(out.join(HISTORY_JSON)).unwrap();
    assert_eq!(serde_json::from_str::<History>(&json).unwrap(), h);
    let svg = std::fs::read_to_string(&written[2]).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(std::fs::metadata(&written[3]).unwrap().len() > 1000);
}

#[test]
fn a_folder_of_baselines_stands_for_each_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let runs = three_runs(&dir.path().join("runs"));
    let root = dir.path().join("baselines");
    for run in &runs {
        let name = run.file_name().unwrap().to_str().unwrap();
        crate::output::baseline::tests::save_dir(&root, name, run).unwrap();
    }
    let expanded = expand(std::slice::from_ref(&root)).unwrap();
    assert_eq!(expanded.len(), 3, "{expanded:?}");
    let mixed = expand(&[root.join("a-first"), runs[0].clone()]).unwrap();
    assert_eq!(mixed, [root.join("a-first"), runs[0].clone()]);
    let h = build(&load_points(&expanded).unwrap(), &CompareOptions::default());
    assert_eq!(h.slower_count(), 1);
}

#[test]
fn bad_inputs_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = format!("{:#}", expand(std::slice::from_ref(&empty)).unwrap_err());
    assert!(err.contains(&empty.display().to_string()), "{err}");
    let missing = dir.path().join("missing");
    let err = format!(
        "{:#}",
        load_points(std::slice::from_ref(&missing)).unwrap_err()
    );
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

#[test]
fn the_metrics_are_charted_over_time_beside_wall() {
    let dir = tempfile::tempdir().unwrap();
    let points = load_points(&three_runs(dir.path())).unwrap();
    let h = build(&points, &CompareOptions::default());
    let cell = h.series.iter().find(|s| s.cell == CELL).unwrap();
    let cpu: Vec<f64> = cell
        .entries
        .iter()
        .map(|e| e.metrics["executor_cpu_s"])
        .collect();
    assert_eq!(
        cpu,
        vec![5.0, 5.01, 6.5],
        "the medians of each point's runs"
    );
    let out = dir.path().join("history");
    let written = write_outputs(&out, &h).unwrap();
    let chart = out.join("charts/history-executor_cpu_s.svg");
    assert!(written.contains(&chart), "{written:?}");
    let html = std::fs::read_to_string(out.join(HISTORY_HTML)).unwrap();
    assert!(html.contains("What moved with it") && html.contains("executor_cpu_s"));
}
