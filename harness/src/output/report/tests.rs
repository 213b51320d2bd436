//! Renders a fixed synthetic run (no Spark) and checks what a reader would rely on.

use crate::Correctness;
use std::path::Path;

use chrono::{TimeZone, Utc};

use super::*;
use crate::config::Mode;
use crate::measure::record::{RunRecord, Status};
use crate::measure::stats::Estimate;

const VERSIONS: [&str; 2] = ["3.4.4", "3.5.1"];
const SIZES: [u64; 2] = [10_000, 1_000_000];
const COMPUTING: [Mode; 3] = [Mode::Direct, Mode::Containerized, Mode::Submit];
const REPS: u32 = 5;

fn record(version: &str, mode: Mode, arrow: bool, elements: u64, rep: u32) -> RunRecord {
    // Deterministic spread: bigger sizes take longer, Arrow helps more as data grows, and
    // 3.5.1 is a little faster, so every chart has something to show.
    let base = 4.0 + elements as f64 / 200_000.0 + if version == "3.5.1" { 0.0 } else { 0.6 };
    let arrow_gain = if arrow {
        elements as f64 / 400_000.0
    } else {
        0.0
    };
    let wall = base - arrow_gain + f64::from(rep % 3) * 0.15 + mode as u8 as f64 * 0.8;
    RunRecord {
        run_id: "20250101T000000Z-test".into(),
        scenario: "sum-squares".into(),
        spark_version: version.into(),
        config: "default".into(),
        mode,
        arrow,
        arrow_effective: Some(arrow),
        elements,
        workers: 2,
        worker_cores: 1,
        rep,
        status: Status::Ok,
        correct: Correctness::Yes,
        wall_s: wall,
        app_s: Some(wall - 2.5),
        jobs_s: Some(wall - 3.5),
        collect_s: Some(0.3 + arrow_gain / 4.0),
        tasks: Some(4),
        executor_run_s: Some(1.0),
        gc_s: Some(0.01),
        exit_code: Some(0),
        started_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, rep).unwrap(),
        stdout_path: Some(format!("logs/{version}-{mode}-{rep}.stdout")),
        stderr_path: Some(format!("logs/{version}-{mode}-{rep}.stderr")),
        ..RunRecord::default()
    }
}

/// Two versions × two sizes × three computing modes × Arrow on/off, five reps each, plus one
/// warmup, one failure (with HTML-hostile text) and one refusal.
fn fixture() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for version in VERSIONS {
        for elements in SIZES {
            for mode in COMPUTING {
                for arrow in [false, true] {
                    records
                        .extend((0..REPS).map(|rep| record(version, mode, arrow, elements, rep)));
                }
            }
        }
    }
    let mut warmup = record("3.5.1", Mode::Direct, false, 10_000, 0);
    warmup.warmup = true;
    warmup.wall_s = 30.0;
    records.push(warmup);
    let mut failed = record("3.5.1", Mode::Submit, true, 1_000_000, REPS);
    failed.status = Status::Failed;
    failed.correct = Correctness::No;
    failed.exit_code = Some(1);
    failed.error = Some("Py4JError: <script>alert(\"x\")</script> & more | pipes".into());
    failed.stderr_path = Some("logs/submit failed #1.stderr".into());
    records.push(failed);
    let mut refusal = record("3.5.1", Mode::ClusterRefusal, false, 10_000, 0);
    refusal.status = Status::RefusedAsExpected;
    refusal.arrow_effective = None;
    refusal.exit_code = Some(1);
    records.push(refusal);
    records
}

fn write_run(dir: &Path, records: &[RunRecord]) {
    let lines: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.join(RUNS_JSONL), lines).unwrap();
}

fn rendered() -> (tempfile::TempDir, ReportFiles) {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &fixture());
    let files = render(dir.path()).unwrap();
    (dir, files)
}

#[test]
fn writes_every_chart_the_fixture_calls_for() {
    let (_dir, files) = rendered();
    let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["wall", "phases", "arrow_speedup", "versions"]);
    for path in files.paths() {
        assert!(path.is_file(), "{} was not written", path.display());
    }
}

#[test]
fn render_writes_the_tracker_files_next_to_the_report() {
    let (dir, files) = rendered();
    let names: Vec<_> = files
        .trackers
        .iter()
        .map(|p| p.file_name().unwrap())
        .collect();
    assert_eq!(names, ["bmf.json", "benchmark-action.json"]);
    let bmf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bmf.json")).unwrap())
            .unwrap();
    assert!(!bmf.as_object().unwrap().is_empty(), "{bmf}");
}

#[test]
fn svgs_parse_as_xml_with_the_chart_size() {
    let (_dir, files) = rendered();
    for chart in &files.charts {
        let text = std::fs::read_to_string(&chart.svg).unwrap();
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", chart.svg.display()));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.attribute("width"),
            Some(chart.width.to_string().as_str())
        );
        assert_eq!(
            root.attribute("height"),
            Some(chart.height.to_string().as_str())
        );
        assert!(text.contains("<text"), "{} has no text", chart.name);
    }
}

#[test]
fn pngs_decode_at_the_chart_size_with_text_drawn() {
    let (_dir, files) = rendered();
    for chart in &files.charts {
        let img = image::open(&chart.png).unwrap().to_rgb8();
        assert_eq!(
            (img.width(), img.height()),
            (chart.width, chart.height),
            "{}",
            chart.name
        );
        // The title row holds only text: dark pixels there mean the embedded font rendered.
        let dark = (0..chart.width)
            .flat_map(|x| (0..30).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|c| *c < 100))
            .count();
        assert!(
            dark > 200,
            "{}: title has {dark} dark pixels, no glyphs drawn?",
            chart.name
        );
    }
}

#[test]
fn html_names_every_cell_and_inlines_charts() {
    let (dir, files) = rendered();
    let html = std::fs::read_to_string(&files.html).unwrap();
    let records = fixture();
    for r in &records {
        assert!(
            html.contains(&format!("data-cell=\"{}\"", r.cell())),
            "cell {} missing from report.html",
            r.cell()
        );
    }
    assert_eq!(html.matches("<svg").count(), files.charts.len());
    for forbidden in ["<script", "<link", "src=\"http", "href=\"http", "@import"] {
        assert!(
            !html.contains(forbidden),
            "report.html is not self-contained: {forbidden}"
        );
    }
    assert!(dir.path().join("charts/wall.png").is_file());
}

#[test]
fn html_escapes_record_text_and_links_failure_logs() {
    let (_dir, files) = rendered();
    let html = std::fs::read_to_string(&files.html).unwrap();
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"));
    assert!(html.contains("href=\"logs/submit%20failed%20%231.stderr\""));
    assert!(html.contains(">Failures (1)</h2>"));
    assert!(
        html.contains("FAIL (5/6 as expected)"),
        "the cell with the failed run fails"
    );
    assert!(html.contains("sparkmodes run --scenario sum-squares"));
}

#[test]
fn summary_md_has_the_table_and_the_failure() {
    let (_dir, files) = rendered();
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    assert!(md.contains(
        "| Spark | Python | config | mode | Arrow | elements | n | median (s) \\[95 % CI\\] |"
    ));
    let rows = md.lines().filter(|l| l.starts_with("| 3.")).count();
    assert_eq!(
        rows,
        24 + 25,
        "24 timed cells in statistics, 25 cells in correctness"
    );
    assert!(md.contains("### Failures (1)"));
    assert!(
        md.contains("&lt;script&gt;"),
        "HTML in errors must not reach GitHub's renderer"
    );
    assert!(md.contains("\\| pipes"), "pipes would split table cells");
}

/// Every HTML tag name in `md` (`details`, `/details`, …).
pub(crate) fn html_tags(md: &str) -> Vec<String> {
    md.split('<')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '/')
                .collect()
        })
        .collect()
}

#[test]
fn summary_md_uses_no_html_beyond_details() {
    let (_dir, files) = rendered();
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    let tags = html_tags(&md);
    assert!(
        !tags.is_empty(),
        "the correctness table folds into <details>"
    );
    for tag in tags {
        assert!(
            ["details", "/details", "summary", "/summary"].contains(&tag.as_str()),
            "GitHub's step summary shows <{tag}> as text or strips it"
        );
    }
}

#[test]
fn warmups_and_failures_stay_out_of_statistics() {
    let records = fixture();
    let data = data::ReportData::new(&records);
    let cell = |mode, arrow, elements| {
        data.cells
            .iter()
            .find(|c| {
                c.key.spark_version == "3.5.1"
                    && c.key.mode == mode
                    && c.key.arrow == arrow
                    && c.key.elements == elements
            })
            .unwrap()
    };
    let warm = cell(Mode::Direct, false, 10_000).summary.clone().unwrap();
    assert_eq!(warm.n, REPS as usize);
    assert!(warm.max < 30.0, "the 30 s warmup leaked into statistics");
    assert_eq!(
        cell(Mode::Submit, true, 1_000_000)
            .summary
            .as_ref()
            .unwrap()
            .n,
        REPS as usize
    );
    assert!(cell(Mode::ClusterRefusal, false, 10_000).summary.is_none());
}

#[test]
fn environment_command_is_the_reproduction() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &fixture());
    let env = r#"{"command": "sparkmodes run --scenario sum-squares --reps 5", "docker": {"version": "24.0"}, "host": "ci-<1>"}"#;
    std::fs::write(dir.path().join(ENVIRONMENT_JSON), env).unwrap();
    let files = render(dir.path()).unwrap();
    let html = std::fs::read_to_string(files.html).unwrap();
    assert!(html.contains("<pre>sparkmodes run --scenario sum-squares --reps 5</pre>"));
    assert!(html.contains("<th>host</th><td>ci-&lt;1&gt;</td>"));
    assert!(
        html.contains("{&quot;version&quot;:&quot;24.0&quot;}"),
        "nested values render as JSON"
    );
    let md = std::fs::read_to_string(files.markdown).unwrap();
    assert!(md.contains("Reproduce: `sparkmodes run --scenario sum-squares --reps 5`"));
}

#[test]
fn single_size_single_version_skips_the_charts_that_need_more() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<RunRecord> = fixture()
        .into_iter()
        .filter(|r| r.spark_version == "3.5.1" && r.elements == 10_000)
        .collect();
    write_run(dir.path(), &records);
    let files = render(dir.path()).unwrap();
    let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["wall", "phases"]);
}

#[test]
fn missing_records_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = format!("{:#}", render(dir.path()).unwrap_err());
    let expected = format!(
        "no run records in {}",
        dir.path().join(RUNS_JSONL).display()
    );
    assert!(err.starts_with(&expected), "{err}");
}

#[test]
fn empty_records_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(RUNS_JSONL), "\n").unwrap();
    let err = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(
        err.contains("no run records in") && err.contains("holds no records"),
        "{err}"
    );
    assert!(
        !dir.path().join(REPORT_HTML).exists(),
        "no report for no records"
    );
}

fn estimate(point: f64, half_width: f64) -> Estimate {
    Estimate {
        point,
        std_err: half_width / 2.0,
        ci_low: point - half_width,
        ci_high: point + half_width,
        confidence: 0.95,
    }
}

#[test]
fn comparison_chart_renders_rows_and_rejects_none() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        ComparisonRow {
            label: "direct · Arrow on · 1M".into(),
            baseline: estimate(10.0, 0.3),
            candidate: estimate(12.0, 0.4),
        },
        ComparisonRow {
            label: "submit · Arrow off · 1M".into(),
            baseline: estimate(14.0, 0.5),
            candidate: estimate(13.9, 0.6),
        },
    ];
    let files = render_comparison(dir.path(), "sum-squares — Spark 3.5.1 → 4.0.0", &rows).unwrap();
    let svg = std::fs::read_to_string(&files.svg).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(
        svg.contains("+20.0 %") && svg.contains("-0.7 %"),
        "changes are labelled"
    );
    let img = image::open(&files.png).unwrap();
    assert_eq!((img.width(), img.height()), (files.width, files.height));
    assert!(render_comparison(dir.path(), "t", &[]).is_err());
}

#[test]
fn a_run_with_nothing_measured_still_reports_its_failures() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<RunRecord> = fixture()
        .into_iter()
        .filter(|r| r.status != Status::Ok)
        .collect();
    assert_eq!(records.len(), 2, "the failure and the refusal");
    write_run(dir.path(), &records);
    let files = render(dir.path()).unwrap();
    assert!(files.charts.is_empty(), "no timings, no timing charts");
    let html = std::fs::read_to_string(&files.html).unwrap();
    assert!(html.contains(">Failures (1)</h2>"));
    assert!(html.contains("data-cell=\"3.5.1/default/cluster-refusal/arrow-off/10000\""));
}

/// A hand-edited or corrupted record set with absurd magnitudes renders (sane axes, no spin).
#[test]
fn extreme_values_render() {
    let mut records = fixture();
    for (i, r) in records.iter_mut().enumerate() {
        let x = [1.7e308, 1e-300, 0.0, f64::MAX][i % 4];
        r.wall_s = x;
        r.app_s = Some(x);
        r.jobs_s = Some(x / 2.0);
        r.collect_s = Some(x / 4.0);
    }
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &records);
    // The records door refuses times no run can have; the charts still draw them unharmed.
    let refused = render(dir.path()).unwrap_err().to_string();
    assert!(refused.contains("wall_s = "), "{refused}");
    let files = render_records(dir.path(), &records).unwrap();
    for path in files.paths() {
        assert!(path.is_file(), "{} was not written", path.display());
    }
}

#[test]
fn diagnosed_failures_get_a_diagnoses_section() {
    let mut records = fixture();
    let failed = records
        .iter_mut()
        .find(|r| r.status == Status::Failed)
        .unwrap();
    failed.diagnosis = Some("driver-out-of-memory".into());
    failed.finding =
        Some("driver-out-of-memory: a JVM ran out of heap. Fix: raise spark.driver.memory".into());
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &records);
    let files = render(dir.path()).unwrap();
    let html = std::fs::read_to_string(&files.html).unwrap();
    assert!(html.contains("id=\"diagnoses\""), "no Diagnoses section");
    assert!(html.contains("Fix: raise spark.driver.memory"));
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    assert!(
        md.contains("### Diagnoses") && md.contains("driver-out-of-memory"),
        "{md}"
    );
    let (_keep, plain) = rendered();
    assert!(!std::fs::read_to_string(&plain.html)
        .unwrap()
        .contains("id=\"diagnoses\""));
}

/// Runs of an app without a check pass, but the report never calls them right; a result
/// judged wrong is counted as one.
#[test]
fn unknown_correctness_and_wrong_results_are_said() {
    let mut unknown = record("3.5.1", Mode::Direct, true, 10_000, 0);
    unknown.correct = Correctness::Unknown;
    let mut wrong = record("3.5.1", Mode::Submit, true, 10_000, 0);
    wrong.correct = Correctness::No;
    wrong.error = Some("wrong result: check command `python check.py` exited 1: off by one".into());
    let records = vec![unknown, wrong];
    let data = data::ReportData::new(&records);
    let headline = tables::headline(&data);
    assert!(
        headline.contains("(1 run with correctness unknown: the app declares no check)"),
        "{headline}"
    );
    let table = tables::correctness(&data);
    let verdicts: Vec<&str> = table
        .rows
        .iter()
        .map(|(_, r)| r.last().unwrap().as_str())
        .collect();
    assert_eq!(
        verdicts,
        [
            "PASS (correctness unknown: no check)",
            "FAIL (0/1 as expected)"
        ]
    );
    let wrong_col = table
        .headers
        .iter()
        .position(|h| *h == "wrong result")
        .unwrap();
    assert_eq!(table.rows[1].1[wrong_col], "1");
    let terminal = crate::output::text_table::cell_table(&records);
    assert!(
        terminal.contains("ok(unchecked)") && terminal.contains("wrong-result"),
        "{terminal}"
    );
    assert_eq!(
        records[1].problem().unwrap(),
        "rep 0: wrong result: check command `python check.py` exited 1: off by one"
    );
}

/// The article app (rows pickled despite Arrow) and its vectorized variant in one cell each,
/// with memory measured: the tables keep them apart and say what the variant gives.
fn variants() -> Vec<RunRecord> {
    let mut records = Vec::new();
    for (app, udf, wall) in [
        ("article", "BatchEvalPython", 40.0),
        ("vectorized", "ArrowEvalPython", 10.0),
    ] {
        for rep in 0..3 {
            let mut r = record("3.5.1", Mode::Direct, true, 1_000_000, rep);
            r.app = app.into();
            r.udf_eval = Some(udf.into());
            r.wall_s = wall + f64::from(rep);
            r.collect_s = Some(wall / 4.0);
            r.driver_peak_mib = Some(900.0 + f64::from(rep));
            r.executors_peak_mib = Some(700.0);
            records.push(r);
        }
    }
    records
}

#[test]
fn an_app_axis_keeps_variants_apart_with_memory_and_advice() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &variants());
    let files = render(dir.path()).unwrap();
    let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"memory"), "{names:?}");
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    let stats_rows = md
        .lines()
        .filter(|l| l.starts_with("| 3.5.1") && l.contains("direct"))
        .count();
    assert!(
        stats_rows >= 4,
        "two cells in statistics and memory tables: {md}"
    );
    assert!(
        md.contains("| app |") && md.contains("| vectorized |"),
        "{md}"
    );
    assert!(
        md.contains("### Peak memory") && md.contains("901 \\[900 – 902\\]"),
        "{md}"
    );
    assert!(md.contains("### Arrow advice"), "{md}");
    assert!(md.contains("vectorized: wall ×3.73"), "{md}");
    let html = std::fs::read_to_string(&files.html).unwrap();
    assert!(html.contains("id=\"arrow-advice\"") && html.contains("id=\"memory\""));
    let terminal = crate::output::text_table::cell_table(&variants());
    assert!(terminal.contains("vectorized") && terminal.contains("article"));
}

#[test]
fn a_run_without_app_axis_or_memory_keeps_its_tables() {
    let (_dir, files) = rendered();
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    assert!(!md.contains("| app |") && !md.contains("### Peak memory"));
    assert!(!md.contains("### Arrow advice") && !md.contains("frontier"));
}

#[test]
fn a_frontier_run_gets_its_table_and_chart() {
    let mut records = Vec::new();
    for (memory, arrow, elements, ok) in [
        ("512m", false, 4_000_000, true),
        ("512m", false, 8_000_000, false),
        ("512m", false, 6_000_000, false),
        ("1g", true, 8_000_000, true),
        ("1g", true, 16_000_000, true),
    ] {
        let mut r = record("3.5.1", Mode::Direct, arrow, elements, 0);
        (r.config, r.frontier) = (format!("driver-{memory}"), true);
        if !ok {
            r.status = Status::Failed;
            r.diagnosis = Some("driver-out-of-memory".into());
        }
        records.push(r);
    }
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &records);
    let files = render(dir.path()).unwrap();
    assert!(files.charts.iter().any(|c| c.name == "frontier"));
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    assert!(md.contains("### Driver-memory frontier"), "{md}");
    assert!(
        md.contains("| 512m | direct | off | 4,000,000 | 6,000,000 | driver-out-of-memory | 3 |"),
        "{md}"
    );
    assert!(
        md.contains("### Failures (0)"),
        "an OOM above the frontier is the answer: {md}"
    );
    let text = frontier_text(&records).unwrap();
    assert!(
        text.contains("16,000,000") && text.contains("none: above the range"),
        "{text}"
    );
    assert_eq!(frontier_text(&fixture()), None);
}

#[test]
fn a_multi_query_run_gets_a_chart_and_tables_per_query_and_its_cells_stay_the_runs() {
    let runs: Vec<RunRecord> = (0..3)
        .map(|rep| record("3.5.1", Mode::Direct, true, 100, rep))
        .collect();
    let mut records = runs.clone();
    for r in &runs {
        for (q, wall) in [(1u32, 0.5), (6, 0.25)] {
            records.push(RunRecord {
                query: Some(q),
                app: "tpch".into(),
                wall_s: wall,
                ..r.clone()
            });
        }
    }
    let data = data::ReportData::new(&records);
    assert_eq!(
        data.cells.len(),
        1,
        "query records are not cells of their own run"
    );
    assert_eq!(data.cells[0].runs.len(), 3);
    // TPC-H is sized by scale factor (elements in thousandths), in its runs and its queries.
    assert_eq!(data.size_label(100), "SF 0.1");
    let queries = data::per_query(&records);
    assert_eq!(data::ReportData::new(&queries).size(100), "SF 0.1");
    let terminal = crate::output::text_table::cell_table(&records);
    assert!(terminal.contains("SF 0.1 q06"), "{terminal}");
    let sample = fixture();
    assert_eq!(
        data::ReportData::new(&sample).size_label(10_000),
        "10,000 elements"
    );
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &records);
    let files = render(dir.path()).unwrap();
    assert!(
        files
            .charts
            .iter()
            .any(|c| c.svg.ends_with("charts/queries.svg")),
        "{:?}",
        files.charts
    );
    let html = std::fs::read_to_string(&files.html).unwrap();
    assert!(
        html.contains("id=\"queries\"") && html.contains("tpch q06"),
        "per-query tables"
    );
    assert!(!html.contains("100 elements") && html.contains("SF 0.1"));
    assert!(
        html.contains("3 runs in 1 cell, 3 measurement runs"),
        "query records are not runs of their own in the headline"
    );
}
