//! Compare a baseline set of runs with a candidate set, cell by cell, and decide per cell
//! whether the candidate is faster, slower, unchanged, or whether the data cannot tell.
//!
//! # Verdict rule
//!
//! Correctness comes first, whatever the timings:
//!
//! * `refusal-changed`: in the cluster-refusal mode the set of run statuses differs between
//!   the sides (e.g. the baseline was `refused-as-expected` and Spark now accepts cluster mode).
//! * `wrong-result`: any candidate run of a computing cell (warm-ups included: a wrong answer
//!   is wrong whenever it happens) failed, timed out or returned a wrong result. This holds even
//!   when the baseline was broken too (the row's note says so): a broken candidate must not pass.
//! * `only-in-baseline` / `only-in-candidate`: the cell exists on one side only.
//!
//! Otherwise the timing verdict uses the measurement runs (`RunRecord::is_measurement`) of
//! both sides: `r` = median(candidate) / median(baseline) with a 95 % percentile-bootstrap CI,
//! `p` = two-sided Mann–Whitney U p-value, `t` = threshold, and the band
//! `[1/(1+t), 1+t]` (symmetric in log space, so swapping the sides mirrors the verdict):
//!
//! * `slower`: `p < alpha`, CI entirely above 1, and `r >= 1+t`.
//! * `faster`: `p < alpha`, CI entirely below 1, and `r <= 1/(1+t)`.
//! * `no-change`: the whole CI lies inside the band, i.e. any change is demonstrably smaller
//!   than the threshold.
//! * `inconclusive`: anything else, including fewer than [`MIN_SAMPLES`] measurements per
//!   side. Noise widens the CI and raises `p`, so it lands here rather than in `slower`.
//!
//! `slower` needs the rank test, the bootstrap CI and the effect size to agree, which keeps
//! the A/A false-positive rate below `alpha` (tested). Note that with 5 vs 5 runs the smallest
//! possible two-sided p is 2/252 ≈ 0.008, and with 3 vs 3 it is 0.1: a regression cannot be
//! called from 3 runs a side at alpha 0.05.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::mode::Mode;
use crate::record::{CellKey, RunRecord, Status};
use crate::stats::{self, Estimate};
use crate::Exit;

pub const COMPARE_MD: &str = "compare.md";
pub const COMPARE_JSON: &str = "compare.json";

/// Fewer measurement runs than this on either side make the timing verdict `inconclusive`:
/// bootstrap intervals from 1–2 samples are degenerate and would claim false certainty.
pub const MIN_SAMPLES: usize = 3;

/// Largest side for which the exact U distribution is used (counts stay well inside i128).
const EXACT_MAX_N: usize = 50;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct CompareOptions {
    /// Smallest relative change worth reporting, e.g. 0.10 for 10 %.
    pub threshold: f64,
    /// Significance level of the Mann–Whitney U test.
    pub alpha: f64,
    /// Seed of the bootstrap resampling, so a comparison is reproducible.
    pub seed: u64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            threshold: 0.10,
            alpha: 0.05,
            seed: 0x5eed,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    WrongResult,
    RefusalChanged,
    Slower,
    Faster,
    NoChange,
    Inconclusive,
    OnlyInBaseline,
    OnlyInCandidate,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::WrongResult => "wrong-result",
            Verdict::RefusalChanged => "refusal-changed",
            Verdict::Slower => "slower",
            Verdict::Faster => "faster",
            Verdict::NoChange => "no-change",
            Verdict::Inconclusive => "inconclusive",
            Verdict::OnlyInBaseline => "only-in-baseline",
            Verdict::OnlyInCandidate => "only-in-candidate",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One matched cell. Times are wall seconds of measurement runs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CellComparison {
    /// The matched cell; without the split field when comparing within one run.
    pub cell: String,
    pub baseline_key: Option<CellKey>,
    pub candidate_key: Option<CellKey>,
    pub n_baseline: usize,
    pub n_candidate: usize,
    pub baseline_median: Option<f64>,
    pub candidate_median: Option<f64>,
    /// median(candidate) / median(baseline) with a 95 % bootstrap CI.
    pub ratio: Option<Estimate>,
    pub p_value: Option<f64>,
    pub verdict: Verdict,
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Comparison {
    pub baseline: String,
    pub candidate: String,
    pub options: CompareOptions,
    pub rows: Vec<CellComparison>,
}

/// Which field splits one run's records into the two sides of [`compare_within`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    SparkVersion { baseline: String, candidate: String },
    Config { baseline: String, candidate: String },
}

impl Split {
    fn field<'a>(&self, key: &'a CellKey) -> &'a str {
        match self {
            Split::SparkVersion { .. } => &key.spark_version,
            Split::Config { .. } => &key.config,
        }
    }

    fn values(&self) -> (&str, &str) {
        match self {
            Split::SparkVersion {
                baseline,
                candidate,
            }
            | Split::Config {
                baseline,
                candidate,
            } => (baseline, candidate),
        }
    }

    /// The key both sides are matched on: the split field blanked.
    fn matching_key(&self, mut key: CellKey) -> CellKey {
        match self {
            Split::SparkVersion { .. } => key.spark_version.clear(),
            Split::Config { .. } => key.config.clear(),
        }
        key
    }

    fn label(&self, key: &CellKey) -> String {
        let mut parts = vec![key.spark_version.clone(), key.config.clone()];
        parts.retain(|p| !p.is_empty());
        parts.extend([
            key.mode.to_string(),
            key.arrow_label().to_string(),
            key.elements.to_string(),
        ]);
        parts.join("/")
    }

    fn side_name(&self, value: &str) -> String {
        match self {
            Split::SparkVersion { .. } => format!("spark {value}"),
            Split::Config { .. } => format!("config {value}"),
        }
    }
}

type Groups<'a> = BTreeMap<CellKey, Vec<&'a RunRecord>>;

/// Compares two record sets (e.g. a saved baseline and a new run) cell by cell.
pub fn compare(
    baseline: &[RunRecord],
    candidate: &[RunRecord],
    opts: &CompareOptions,
) -> Comparison {
    let base = group(baseline.iter(), |k| k);
    let cand = group(candidate.iter(), |k| k);
    Comparison {
        baseline: run_ids(baseline),
        candidate: run_ids(candidate),
        options: *opts,
        rows: compare_groups(&base, &cand, |k| k.to_string(), opts),
    }
}

/// Compares two groups of one record set, e.g. every cell on Spark A against the same cell on
/// Spark B, matching on the remaining key fields. Records in neither group are ignored.
pub fn compare_within(records: &[RunRecord], split: &Split, opts: &CompareOptions) -> Comparison {
    let (b, c) = split.values();
    let side = |value: &str| {
        let records = records.iter().filter(|r| split.field(&r.cell()) == value);
        group(records, |k| split.matching_key(k))
    };
    Comparison {
        baseline: split.side_name(b),
        candidate: split.side_name(c),
        options: *opts,
        rows: compare_groups(&side(b), &side(c), |k| split.label(k), opts),
    }
}

fn group<'a>(
    records: impl Iterator<Item = &'a RunRecord>,
    key: impl Fn(CellKey) -> CellKey,
) -> Groups<'a> {
    let mut groups = Groups::new();
    for r in records {
        groups.entry(key(r.cell())).or_default().push(r);
    }
    groups
}

fn run_ids(records: &[RunRecord]) -> String {
    let ids: BTreeSet<&str> = records.iter().map(|r| r.run_id.as_str()).collect();
    ids.into_iter().collect::<Vec<_>>().join(",")
}

fn compare_groups(
    base: &Groups,
    cand: &Groups,
    label: impl Fn(&CellKey) -> String,
    opts: &CompareOptions,
) -> Vec<CellComparison> {
    let keys: BTreeSet<&CellKey> = base.keys().chain(cand.keys()).collect();
    keys.into_iter()
        .map(|k| {
            let (b, c) = (base.get(k), cand.get(k));
            let mut row = compare_cell(b.map_or(&[][..], |v| v), c.map_or(&[][..], |v| v), opts);
            row.cell = label(k);
            row
        })
        .collect()
}

fn walls(runs: &[&RunRecord]) -> Vec<f64> {
    runs.iter()
        .filter(|r| r.is_measurement())
        .map(|r| r.wall_s)
        .collect()
}

fn compare_cell(base: &[&RunRecord], cand: &[&RunRecord], opts: &CompareOptions) -> CellComparison {
    let (bw, cw) = (walls(base), walls(cand));
    let mut row = CellComparison {
        cell: String::new(),
        baseline_key: base.first().map(|r| r.cell()),
        candidate_key: cand.first().map(|r| r.cell()),
        n_baseline: bw.len(),
        n_candidate: cw.len(),
        baseline_median: stats::median(&bw),
        candidate_median: stats::median(&cw),
        ratio: stats::ratio_of_medians(&cw, &bw, opts.seed),
        p_value: mann_whitney_p(&bw, &cw),
        verdict: Verdict::Inconclusive,
        note: None,
    };
    let (verdict, note) = cell_verdict(base, cand, &row, opts);
    row.verdict = verdict;
    row.note = note;
    row
}

fn cell_verdict(
    base: &[&RunRecord],
    cand: &[&RunRecord],
    row: &CellComparison,
    opts: &CompareOptions,
) -> (Verdict, Option<String>) {
    let (Some(first_base), Some(first_cand)) = (base.first(), cand.first()) else {
        let v = if cand.is_empty() {
            Verdict::OnlyInBaseline
        } else {
            Verdict::OnlyInCandidate
        };
        return (v, None);
    };
    if first_base.mode == Mode::ClusterRefusal || first_cand.mode == Mode::ClusterRefusal {
        return refusal_verdict(base, cand);
    }
    let (bad_base, bad_cand) = (bad_runs(base), bad_runs(cand));
    let base_note =
        (bad_base > 0).then(|| format!("baseline: {bad_base} of {} runs bad", base.len()));
    if bad_cand > 0 {
        let mut note = format!(
            "{bad_cand} of {} candidate runs failed or wrong",
            cand.len()
        );
        if let Some(b) = base_note {
            note = format!("{note}; {b} too");
        }
        return (Verdict::WrongResult, Some(note));
    }
    if row.n_baseline < MIN_SAMPLES || row.n_candidate < MIN_SAMPLES {
        let note = format!("fewer than {MIN_SAMPLES} measurement runs on a side");
        return (Verdict::Inconclusive, Some(note));
    }
    match (row.ratio, row.p_value) {
        (Some(ratio), Some(p)) => (timing_verdict(&ratio, p, opts), base_note),
        _ => (
            Verdict::Inconclusive,
            Some("baseline median is zero".into()),
        ),
    }
}

/// A run of a computing mode that did not produce the right answer.
fn bad_runs(runs: &[&RunRecord]) -> usize {
    runs.iter()
        .filter(|r| !(r.status == Status::Ok && r.correct))
        .count()
}

fn refusal_verdict(base: &[&RunRecord], cand: &[&RunRecord]) -> (Verdict, Option<String>) {
    let statuses = |runs: &[&RunRecord]| {
        let set: BTreeSet<Status> = runs.iter().map(|r| r.status).collect();
        set.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+")
    };
    let (b, c) = (statuses(base), statuses(cand));
    if b == c {
        (Verdict::NoChange, Some(format!("status {c}")))
    } else {
        (Verdict::RefusalChanged, Some(format!("status {b} -> {c}")))
    }
}

/// The timing part of the verdict rule (see the module documentation).
pub fn timing_verdict(ratio: &Estimate, p_value: f64, opts: &CompareOptions) -> Verdict {
    let upper = 1.0 + opts.threshold;
    let lower = 1.0 / upper;
    let significant = p_value < opts.alpha;
    if significant && ratio.ci_low > 1.0 && ratio.point >= upper {
        Verdict::Slower
    } else if significant && ratio.ci_high < 1.0 && ratio.point <= lower {
        Verdict::Faster
    } else if ratio.ci_low >= lower && ratio.ci_high <= upper {
        Verdict::NoChange
    } else {
        Verdict::Inconclusive
    }
}

/// Two-sided Mann–Whitney U p-value; `None` when a side is empty. Exact distribution when
/// there are no ties and both sides have at most 50 samples, otherwise the normal
/// approximation with tie and continuity correction.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (n1, n2) = (a.len(), b.len());
    let (rank_sum_a, ties) = rank_sum(a, b);
    let u = rank_sum_a - (n1 * (n1 + 1)) as f64 / 2.0;
    let p = if ties.is_empty() && n1.max(n2) <= EXACT_MAX_N {
        exact_p(n1, n2, u.min((n1 * n2) as f64 - u) as usize)
    } else {
        normal_p(n1, n2, u, &ties)
    };
    Some(p.min(1.0))
}

/// Sum of the (mid)ranks of `a` in the pooled sample, and the sizes of tie groups.
fn rank_sum(a: &[f64], b: &[f64]) -> (f64, Vec<usize>) {
    let mut pooled: Vec<(f64, bool)> = a.iter().map(|&x| (x, true)).collect();
    pooled.extend(b.iter().map(|&x| (x, false)));
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (mut sum, mut ties, mut i) = (0.0, Vec::new(), 0);
    while i < pooled.len() {
        let j = i + pooled[i..]
            .iter()
            .take_while(|p| p.0 == pooled[i].0)
            .count();
        let midrank = (i + j + 1) as f64 / 2.0;
        sum += midrank * pooled[i..j].iter().filter(|p| p.1).count() as f64;
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (sum, ties)
}

/// 2·P(U <= u_min) under H0, from the exact null distribution of U.
fn exact_p(n1: usize, n2: usize, u_min: usize) -> f64 {
    let counts = u_counts(n1, n2);
    let total: i128 = counts.iter().sum();
    let tail: i128 = counts[..=u_min].iter().sum();
    2.0 * tail as f64 / total as f64
}

/// Number of rank arrangements giving each U: the coefficients of the Gaussian binomial
/// [n1+n2 choose n1]_q = prod_{k=1..n1} (1 - q^(n2+k)) / (1 - q^k), built one factor at a time
/// as power series truncated past the final degree n1·n2 (every partial product is a
/// polynomial of degree k·n2, so the truncation is exact).
fn u_counts(n1: usize, n2: usize) -> Vec<i128> {
    let max = n1 * n2;
    let mut c = vec![0i128; max + 1];
    c[0] = 1;
    for k in 1..=n1 {
        for u in (n2 + k..=max).rev() {
            c[u] -= c[u - n2 - k];
        }
        for u in k..=max {
            c[u] += c[u - k];
        }
    }
    c
}

fn normal_p(n1: usize, n2: usize, u: f64, ties: &[usize]) -> f64 {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let n = n1 + n2;
    let tie_term: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum::<f64>() / (n * (n - 1.0));
    let var = n1 * n2 / 12.0 * ((n + 1.0) - tie_term);
    if var <= 0.0 {
        return 1.0; // every value tied: no evidence of any difference
    }
    let z = ((u - n1 * n2 / 2.0).abs() - 0.5).max(0.0) / var.sqrt();
    erfc(z / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

impl Comparison {
    /// 3 if any correctness or refusal change, else 4 if any cell is slower, else 0.
    pub fn exit(&self) -> Exit {
        let any = |v: Verdict| self.rows.iter().any(|r| r.verdict == v);
        if any(Verdict::WrongResult) || any(Verdict::RefusalChanged) {
            Exit::WrongResult
        } else if any(Verdict::Slower) {
            Exit::Regression
        } else {
            Exit::Ok
        }
    }

    pub fn verdict_counts(&self) -> BTreeMap<Verdict, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.rows {
            *counts.entry(r.verdict).or_insert(0) += 1;
        }
        counts
    }

    fn summary_line(&self) -> String {
        let counts: Vec<String> = self
            .verdict_counts()
            .iter()
            .map(|(v, n)| format!("{n} {v}"))
            .collect();
        format!(
            "{} -> {}: {} (threshold {:.0} %, alpha {})",
            self.baseline,
            self.candidate,
            counts.join(", "),
            self.options.threshold * 100.0,
            self.options.alpha
        )
    }

    /// Header plus one row of display cells per compared cell.
    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "cell",
            "n base",
            "n cand",
            "base median s",
            "cand median s",
            "ratio [95% CI]",
            "p",
            "verdict",
            "note",
        ];
        let opt = |v: Option<f64>, f: fn(f64) -> String| v.map_or("-".to_string(), f);
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.cell.clone(),
                    r.n_baseline.to_string(),
                    r.n_candidate.to_string(),
                    opt(r.baseline_median, |x| format!("{x:.3}")),
                    opt(r.candidate_median, |x| format!("{x:.3}")),
                    r.ratio.map_or("-".into(), |e| {
                        format!("{:.3} [{:.3}, {:.3}]", e.point, e.ci_low, e.ci_high)
                    }),
                    opt(r.p_value, |p| format!("{p:.4}")),
                    r.verdict.to_string(),
                    r.note.clone().unwrap_or_default(),
                ]
            })
            .collect();
        (header, rows)
    }

    /// A plain-text table with aligned columns, followed by a one-line verdict summary.
    pub fn to_terminal_table(&self) -> String {
        let (header, mut rows) = self.cells();
        rows.insert(0, header.into_iter().map(String::from).collect());
        let mut out = aligned_table(&rows, |col| (1..=6).contains(&col));
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    pub fn to_markdown(&self) -> String {
        let (header, rows) = self.cells();
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = format!("# Comparison\n\n{}\n\n", self.summary_line());
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for row in rows {
            let row: Vec<String> = row.iter().map(|c| esc(c)).collect();
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out.push_str(
            "\nRatio = candidate / baseline median wall time; p = two-sided Mann–Whitney U. \
             `slower`/`faster` need p < alpha, a CI excluding 1 and a change beyond the \
             threshold; `no-change` needs the whole CI inside the threshold band.\n",
        );
        out
    }

    /// Writes [`Self::to_markdown`] to `path` (conventionally `<dir>/compare.md`).
    pub fn write_markdown(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, self.to_markdown())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Writes the comparison as pretty JSON to `path` (conventionally `<dir>/compare.json`).
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        let json = serde_json::to_string_pretty(self)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// Pads each column to its widest cell (two spaces apart); `right(col)` right-aligns numbers.
pub(crate) fn aligned_table(rows: &[Vec<String>], right: impl Fn(usize) -> bool) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        widths.resize(widths.len().max(row.len()), 0);
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(col, (cell, &w))| {
                if right(col) {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    pub(crate) fn rec(version: &str, mode: Mode, wall_s: f64) -> RunRecord {
        RunRecord {
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
            rep: 0,
            warmup: false,
            status: if mode.computes() {
                Status::Ok
            } else {
                Status::RefusedAsExpected
            },
            correct: true,
            wall_s,
            app_s: None,
            jobs_s: None,
            collect_s: None,
            tasks: None,
            executor_run_s: None,
            gc_s: None,
            exit_code: Some(0),
            error: None,
            fault: None,
            started_at: chrono::DateTime::UNIX_EPOCH,
            stdout_path: None,
            stderr_path: None,
            event_log_path: None,
            finding: None,
        }
    }

    fn normal(rng: &mut StdRng) -> f64 {
        let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
        let u2: f64 = rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// `n` direct-mode runs of `version` with median-ish `center` and relative normal noise.
    fn sample(
        version: &str,
        n: usize,
        center: f64,
        noise: f64,
        rng: &mut StdRng,
    ) -> Vec<RunRecord> {
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
        c[2].correct = false;
        let cmp = compare(&b, &c, &CompareOptions::default());
        assert_eq!(cmp.rows[0].verdict, Verdict::WrongResult);
        assert_eq!(cmp.exit(), Exit::WrongResult);
        c[2].correct = true;
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
        assert_eq!(cmp.exit(), Exit::Ok);
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
    fn mann_whitney_matches_hand_computed_values() {
        // Complete separation, 5 vs 5: 2 of C(10,5) = 252 arrangements are as extreme.
        let p = mann_whitney_p(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(p, Some(2.0 / 252.0));
        // U = 8, 6 vs 5: 57 of 462 arrangements have U <= 8 (enumerated by hand script).
        let a = [1.1, 2.3, 3.2, 4.5, 5.0, 6.1];
        let b = [2.0, 4.0, 7.0, 8.0, 9.0];
        assert!((mann_whitney_p(&a, &b).unwrap() - 114.0 / 462.0).abs() < 1e-12);
        // Ties: U = 2, var = 25/12 * (11 - 24/90), z = 10/sqrt(var) = 2.1147 -> p = 0.034454.
        let p = mann_whitney_p(&[1.0, 2.0, 2.0, 3.0, 4.0], &[3.0, 4.0, 5.0, 5.0, 6.0]).unwrap();
        assert!((p - 0.034_453_637).abs() < 1e-6, "{p}");
        assert_eq!(mann_whitney_p(&[1.0; 4], &[1.0; 4]), Some(1.0));
        assert_eq!(mann_whitney_p(&[], &[1.0]), None);
    }

    #[test]
    fn exact_counts_sum_to_binomial_and_are_symmetric() {
        let c = u_counts(7, 4);
        assert_eq!(c.iter().sum::<i128>(), 330); // C(11, 4)
        assert!(c.iter().eq(c.iter().rev()));
        assert_eq!(
            u_counts(50, 50).iter().sum::<i128>(),
            100_891_344_545_564_193_334_812_497_256
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
}
