//! Verdict rules, rank test and rendering tests.

use super::*;
use crate::config::Mode;
use crate::config::Threshold;
use crate::Correctness;
use crate::Exit;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A record of its own run: every call gets the next repetition number, so record sets built
/// from it never hold one run twice (the readers refuse that).
pub(crate) fn rec(version: &str, mode: Mode, wall_s: f64) -> RunRecord {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    RunRecord {
        rep: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        run_id: format!("run-{version}"),
        scenario: "s".into(),
        spark_version: version.into(),
        config: "default".into(),
        mode,
        arrow: true,
        arrow_effective: Some(true),
        elements: 1000,
        workers: 2,
        worker_cores: 1,
        status: if mode.computes() {
            Status::Ok
        } else {
            Status::RefusedAsExpected
        },
        correct: Correctness::Yes,
        wall_s,
        exit_code: Some(0),
        started_at: chrono::DateTime::UNIX_EPOCH,
        ..RunRecord::default()
    }
}

fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// `n` direct-mode runs of `version` with median-ish `center` and relative normal noise.
fn sample(version: &str, n: usize, center: f64, noise: f64, rng: &mut StdRng) -> Vec<RunRecord> {
    (0..n)
        .map(|_| {
            rec(
                version,
                Mode::Direct,
                center * (1.0 + noise * normal(rng)).max(0.01),
            )
        })
        .collect()
}

fn verdict_of(base: &[RunRecord], cand: &[RunRecord], seed: u64) -> Verdict {
    let opts = CompareOptions {
        seed,
        ..Default::default()
    };
    let c = compare(base, cand, &opts);
    assert_eq!(c.rows.len(), 1, "{c:?}");
    c.rows[0].verdict
}

fn shifted(n: usize, shift: f64, noise: f64, seed: u64) -> (Vec<RunRecord>, Vec<RunRecord>) {
    let mut rng = StdRng::seed_from_u64(seed);
    (
        sample("3.5", n, 10.0, noise, &mut rng),
        sample("3.5", n, 10.0 * shift, noise, &mut rng),
    )
}

#[test]
fn identical_distributions_are_no_change() {
    let (b, c) = shifted(10, 1.0, 0.02, 1);
    assert_eq!(verdict_of(&b, &c, 1), Verdict::NoChange);
}

#[test]
fn twenty_percent_shift_with_five_runs_is_slower_and_mirror_is_faster() {
    let (b, c) = shifted(5, 1.2, 0.01, 2);
    assert_eq!(verdict_of(&b, &c, 2), Verdict::Slower);
    assert_eq!(verdict_of(&c, &b, 2), Verdict::Faster);
    let r = compare(&b, &c, &CompareOptions::default()).rows.remove(0);
    assert_eq!(r.p_value, Some(2.0 / 252.0));
    assert_eq!((r.n_baseline, r.n_candidate), (5, 5));
}

#[test]
fn heavy_noise_is_inconclusive() {
    let (b, c) = shifted(5, 1.2, 0.4, 3);
    assert_eq!(verdict_of(&b, &c, 3), Verdict::Inconclusive);
}

/// Runs `trials` seeded synthetic comparisons and returns the share of verdicts in `hit`.
fn rate(trials: u64, shift: f64, noise: f64, hit: &[Verdict]) -> f64 {
    let hits = (0..trials)
        .filter(|&seed| {
            let (b, c) = shifted(5, shift, noise, 1000 + seed);
            hit.contains(&verdict_of(&b, &c, seed))
        })
        .count();
    hits as f64 / trials as f64
}

#[test]
fn aa_false_positive_rate_is_at_most_alpha() {
    let fp = rate(500, 1.0, 0.05, &[Verdict::Slower, Verdict::Faster]);
    eprintln!("A/A false-positive rate, 500 trials of 5 vs 5 at 5 % noise: {fp:.4}");
    assert!(fp <= 0.05, "false-positive rate {fp}");
}

#[test]
fn power_for_a_twenty_percent_shift() {
    let power = rate(200, 1.2, 0.05, &[Verdict::Slower]);
    eprintln!("power, 200 trials of 5 vs 5, +20 % at 5 % noise: {power:.4}");
    assert!(power >= 0.5, "power {power}");
}

#[test]
fn correctness_failure_overrides_faster_timing() {
    let (b, mut c) = shifted(5, 0.7, 0.01, 4);
    assert_eq!(verdict_of(&b, &c, 4), Verdict::Faster);
    c[2].correct = Correctness::No;
    let cmp = compare(&b, &c, &CompareOptions::default());
    assert_eq!(cmp.rows[0].verdict, Verdict::WrongResult);
    assert_eq!(cmp.exit(), Exit::WrongResult);
    c[2].correct = Correctness::Yes;
    c.push(rec("3.5", Mode::Direct, 1.0));
    c.last_mut().unwrap().status = Status::Timeout;
    c.last_mut().unwrap().warmup = true;
    assert_eq!(verdict_of(&b, &c, 4), Verdict::WrongResult);
}

#[test]
fn refusal_change_is_its_own_verdict() {
    let base = vec![rec("3.5", Mode::ClusterRefusal, 2.0); 3];
    assert_eq!(verdict_of(&base, &base, 0), Verdict::NoChange);
    let mut cand = base.clone();
    cand[1].status = Status::Ok; // Spark accepted cluster mode
    let cmp = compare(&base, &cand, &CompareOptions::default());
    assert_eq!(cmp.rows[0].verdict, Verdict::RefusalChanged);
    assert_eq!(cmp.exit(), Exit::WrongResult);
}

#[test]
fn cells_on_one_side_are_listed() {
    let (mut b, c) = shifted(5, 1.0, 0.01, 5);
    b.push(rec("3.5", Mode::Submit, 3.0));
    let mut c = c;
    c.push(rec("3.5", Mode::Containerized, 4.0));
    let cmp = compare(&b, &c, &CompareOptions::default());
    let verdict = |m: Mode| {
        cmp.rows
            .iter()
            .find(|r| r.cell.contains(m.as_str()))
            .unwrap()
    };
    assert_eq!(verdict(Mode::Submit).verdict, Verdict::OnlyInBaseline);
    assert_eq!(verdict(Mode::Submit).candidate_key, None);
    assert_eq!(
        verdict(Mode::Containerized).verdict,
        Verdict::OnlyInCandidate
    );
    assert_eq!(verdict(Mode::Containerized).n_candidate, 1);
    assert_eq!(cmp.rows.len(), 3);
    // A baseline cell the candidate did not run: in CI, something did not run.
    assert_eq!(cmp.exit(), Exit::WrongResult);
    assert!(cmp.gap().unwrap().contains("submit"), "{:?}", cmp.gap());
    // New cells in the candidate are fine.
    let (b, mut c) = shifted(5, 1.0, 0.01, 5);
    c.push(rec("3.5", Mode::Containerized, 4.0));
    let cmp = compare(&b, &c, &CompareOptions::default());
    assert_eq!((cmp.exit(), cmp.gap()), (Exit::Ok, None));
}

#[test]
fn comparing_nothing_fails_the_gate() {
    let (b, _) = shifted(5, 1.0, 0.01, 5);
    for (base, cand) in [(&b[..], &[][..]), (&[][..], &[][..]), (&[][..], &b[..])] {
        let cmp = compare(base, cand, &CompareOptions::default());
        assert_eq!(
            cmp.exit(),
            Exit::WrongResult,
            "{} vs {}",
            base.len(),
            cand.len()
        );
        assert!(cmp.gap().is_some());
    }
}

#[test]
fn thresholds_outside_the_documented_range_are_refused() {
    for bad in [f64::NAN, f64::INFINITY, -0.1, 0.0, 1.5, 2.0] {
        assert!(Threshold::try_from(bad).is_err(), "{bad}");
    }
    for good in [0.01, 0.1, 1.0] {
        Threshold::try_from(good).unwrap();
    }
}

#[test]
fn exit_codes_rank_wrong_result_over_regression() {
    let (b, slow) = shifted(5, 1.3, 0.01, 6);
    let cmp = compare(&b, &slow, &CompareOptions::default());
    assert_eq!(cmp.exit(), Exit::Regression);
    let mut wrong = slow.clone();
    wrong[0].status = Status::Failed;
    let mut both = cmp.clone();
    both.rows
        .extend(compare(&b, &wrong, &CompareOptions::default()).rows);
    assert_eq!(both.exit(), Exit::WrongResult);
    assert_eq!(compare(&b, &b, &CompareOptions::default()).exit(), Exit::Ok);
}

#[test]
fn too_few_runs_are_inconclusive() {
    let (b, c) = shifted(2, 1.0, 0.001, 7);
    assert_eq!(verdict_of(&b, &c, 7), Verdict::Inconclusive);
}

#[test]
fn within_one_run_pairs_versions_and_drops_the_split_field() {
    let mut rng = StdRng::seed_from_u64(8);
    let mut records = sample("3.5.1", 5, 10.0, 0.01, &mut rng);
    records.extend(sample("4.0.0", 5, 13.0, 0.01, &mut rng));
    records.push(rec("3.4.0", Mode::Direct, 1.0)); // neither side
    let split = Split::SparkVersion {
        baseline: "3.5.1".into(),
        candidate: "4.0.0".into(),
    };
    let cmp = compare_within(&records, &split, &CompareOptions::default());
    assert_eq!(cmp.rows.len(), 1);
    let row = &cmp.rows[0];
    assert_eq!(row.cell, "default/direct/arrow-on/1000");
    assert_eq!(row.verdict, Verdict::Slower);
    assert_eq!(row.candidate_key.as_ref().unwrap().spark_version, "4.0.0");
    assert_eq!(
        (cmp.baseline.as_str(), cmp.candidate.as_str()),
        ("spark 3.5.1", "spark 4.0.0")
    );
}

#[test]
fn writers_produce_aligned_table_markdown_and_json() {
    let (b, c) = shifted(5, 1.2, 0.01, 9);
    let cmp = compare(&b, &c, &CompareOptions::default());
    let table = cmp.to_terminal_table();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3);
    let col = |l: &str| l.find("verdict").or_else(|| l.find("slower")).unwrap();
    assert_eq!(col(lines[0]), col(lines[1]));
    assert!(lines[2].contains("1 slower"));

    let dir = tempfile::tempdir().unwrap();
    cmp.write_markdown(&dir.path().join(COMPARE_MD)).unwrap();
    let md = std::fs::read_to_string(dir.path().join(COMPARE_MD)).unwrap();
    assert!(
        md.contains("| 3.5/default/direct/arrow-on/1000 | 5 | 5 |"),
        "{md}"
    );
    cmp.write_json(&dir.path().join(COMPARE_JSON)).unwrap();
    let json = std::fs::read_to_string(dir.path().join(COMPARE_JSON)).unwrap();
    assert!(json.contains("\"verdict\": \"slower\""));
    assert_eq!(serde_json::from_str::<Comparison>(&json).unwrap(), cmp);
}

/// Five direct runs: start-up `startup` s, app = jobs `jobs` s + 0.5 s
/// outside jobs, collect 1.0 s, with a little per-rep jitter so the rank test has ranks.
fn phased(version: &str, startup: f64, jobs: f64) -> Vec<RunRecord> {
    (0..5)
        .map(|i| {
            let j = f64::from(i) * 0.01;
            let jobs_s = jobs + j;
            let app_s = jobs_s + 0.5;
            RunRecord {
                rep: i,
                app_s: Some(app_s),
                jobs_s: Some(jobs_s),
                collect_s: Some(1.0 + j),
                wall_s: app_s + startup * (1.0 + j),
                ..rec(version, Mode::Direct, 0.0)
            }
        })
        .collect()
}

fn phase(row: &CellComparison, p: Phase) -> &PhaseComparison {
    row.phases.iter().find(|c| c.phase == p).unwrap()
}

#[test]
fn a_startup_only_slowdown_is_located_in_startup() {
    let (b, c) = (phased("3.5", 8.0, 1.5), phased("3.5", 8.0 * 1.3, 1.5));
    let cmp = compare(&b, &c, &CompareOptions::default());
    let row = &cmp.rows[0];
    assert_eq!(row.verdict, Verdict::Slower, "{row:?}");
    assert_eq!(row.phases.len(), 4);
    let startup = phase(row, Phase::Startup);
    assert_eq!(startup.verdict, Verdict::Slower, "{startup:?}");
    assert!((startup.ratio.unwrap().point - 1.3).abs() < 1e-9);
    for p in [Phase::AppOutsideJobs, Phase::Jobs, Phase::Collect] {
        assert_eq!(phase(row, p).verdict, Verdict::NoChange, "{p}");
    }
    let line = row.where_slower.as_deref().unwrap();
    assert!(line.starts_with("slower: start-up ×1.30 ["), "{line}");
    assert!(
        line.ends_with("; jobs no-change; collect no-change"),
        "{line}"
    );
    assert_eq!(cmp.exit(), Exit::Regression);
}

#[test]
fn a_phase_slowdown_alone_does_not_fail_the_gate() {
    // Jobs 30 % slower, start-up shorter by as much: the wall time is unchanged.
    let (b, c) = (phased("3.5", 8.0, 1.5), phased("3.5", 8.0 - 0.45, 1.95));
    let cmp = compare(&b, &c, &CompareOptions::default());
    let row = &cmp.rows[0];
    assert_eq!(row.verdict, Verdict::NoChange, "{row:?}");
    assert_eq!(phase(row, Phase::Jobs).verdict, Verdict::Slower);
    assert_eq!(row.where_slower, None, "only slower cells get a where line");
    assert_eq!(cmp.exit(), Exit::Ok);
}

#[test]
fn a_phase_missing_on_either_side_is_skipped() {
    let b = phased("3.5", 8.0, 1.5);
    let mut c = phased("3.5", 8.0, 1.5);
    for r in &mut c {
        r.app_s = None;
    }
    let cmp = compare(&b, &c, &CompareOptions::default());
    let got: Vec<Phase> = cmp.rows[0].phases.iter().map(|p| p.phase).collect();
    assert_eq!(got, [Phase::Jobs, Phase::Collect]);
    let walls_only = compare(&[rec("3.5", Mode::Direct, 1.0)], &b, &Default::default());
    assert!(walls_only.rows[0].phases.is_empty());
}

#[test]
fn where_summary_without_a_slower_phase_says_so() {
    let b = phased("3.5", 8.0, 1.5);
    let row = &compare(&b, &b, &CompareOptions::default()).rows[0];
    let line = phases::where_summary(&row.phases).unwrap();
    assert!(
        line.starts_with("slower: no single phase; start-up no-change"),
        "{line}"
    );
    assert_eq!(phases::where_summary(&[]), None);
}

#[test]
fn phases_reach_the_table_markdown_and_json() {
    let (b, c) = (phased("3.5", 8.0, 1.5), phased("3.5", 8.0 * 1.3, 1.5));
    let cmp = compare(&b, &c, &CompareOptions::default());
    let table = cmp.to_terminal_table();
    assert!(
        table.contains("start 1.30↑ app 1.00= jobs 1.00= coll 1.00="),
        "{table}"
    );
    assert!(table.contains(phases::LEGEND), "{table}");
    assert!(table.contains("3.5/default/direct/arrow-on/1000: slower: start-up ×1.30"));
    let md = cmp.to_markdown();
    assert!(md.contains("## Where the time went"), "{md}");
    assert!(
        md.contains("| 3.5/default/direct/arrow-on/1000 | start-up | 5 | 5 |"),
        "{md}"
    );
    let tag = |rest: &str| rest.starts_with(|c: char| c.is_alphabetic() || c == '/');
    assert!(
        !md.split('<').skip(1).any(tag),
        "no HTML in compare.md: {md}"
    );
    let dir = tempfile::tempdir().unwrap();
    cmp.write_json(&dir.path().join(COMPARE_JSON)).unwrap();
    let json = std::fs::read_to_string(dir.path().join(COMPARE_JSON)).unwrap();
    assert!(json.contains("\"phase\": \"startup_s\"") && json.contains("\"where\": \"slower: "));
    assert_eq!(serde_json::from_str::<Comparison>(&json).unwrap(), cmp);
}

#[test]
fn compare_json_without_phases_still_reads() {
    let (b, c) = shifted(5, 1.2, 0.01, 9);
    let cmp = compare(&b, &c, &CompareOptions::default());
    let mut json: serde_json::Value = serde_json::to_value(&cmp).unwrap();
    json["rows"][0].as_object_mut().unwrap().remove("phases");
    assert_eq!(serde_json::from_value::<Comparison>(json).unwrap(), cmp);
}

#[test]
fn the_comparison_chart_shows_each_cells_phases() {
    let (b, c) = (phased("3.5", 8.0, 1.5), phased("3.5", 8.0 * 1.3, 1.5));
    let cmp = compare(&b, &c, &CompareOptions::default());
    let dir = tempfile::tempdir().unwrap();
    write_outputs(dir.path(), &cmp, &b, &c).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("charts/comparison.svg")).unwrap();
    for label in ["· start-up", "· app outside jobs", "· jobs", "· collect"] {
        assert!(svg.contains(label), "{label} missing");
    }
    assert!(svg.contains("+30.0 %"), "the start-up change is labelled");
}
