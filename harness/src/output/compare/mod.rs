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
//! The same rule is applied to each phase of the runs ([`phases`]: start-up, app outside
//! jobs, jobs, collect), so a `slower` cell also says where the time went. Phase verdicts are
//! information; the cell's verdict and the exit code stay driven by wall time.
//!
//! `slower` needs the rank test, the bootstrap CI and the effect size to agree, which keeps
//! the A/A false-positive rate below `alpha` (tested). Note that with 5 vs 5 runs the smallest
//! possible two-sided p is 2/252 ≈ 0.008, and with 3 vs 3 it is 0.1: a regression cannot be
//! called from 3 runs a side at alpha 0.05.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::Threshold;
use crate::config::{CellKey, Mode};
use crate::measure::record::{measured_walls, RunRecord, Status};
use crate::measure::stats::{self, mann_whitney_p, Estimate};

pub const COMPARE_MD: &str = "compare.md";
pub const COMPARE_JSON: &str = "compare.json";

/// Fewer measurement runs than this on either side make the timing verdict `inconclusive`:
/// bootstrap intervals from 1–2 samples are degenerate and would claim false certainty.
pub const MIN_SAMPLES: usize = 3;

/// Largest side for which the exact U distribution is used (counts stay well inside i128).

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct CompareOptions {
    /// Smallest relative change worth reporting, e.g. 0.10 for 10 %.
    pub threshold: Threshold,
    /// Significance level of the Mann–Whitney U test.
    pub alpha: f64,
    /// Seed of the bootstrap resampling, so a comparison is reproducible.
    pub seed: u64,
    /// The gate fails a comparison whose minimum detectable effect ([`mde`]) is above this
    /// (`--require-mde`): a verdict too noisy to mean anything must not pass.
    #[serde(default)]
    pub require_mde: Option<Threshold>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            threshold: Threshold::DEFAULT,
            alpha: 0.05,
            seed: 0x5eed,
            require_mde: None,
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
    /// The same comparison per phase; empty when the records carry no phase timings.
    #[serde(default)]
    pub phases: Vec<PhaseComparison>,
    /// For a `slower` cell with phases: which of them are slower ([`phases::where_summary`]).
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub where_slower: Option<String>,
    /// Interleaved runs: the comparison within blocks ([`paired_comparison`]); it decides the verdict
    /// when it has at least [`MIN_SAMPLES`] blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired: Option<PairedComparison>,
    /// The smallest change these runs could have called, as a fraction ([`mde`]); empty when
    /// no change of any size could have been called.
    #[serde(default)]
    pub mde: Option<f64>,
    /// Why: what the two sides' runs did differently ([`explain`]); `None` without profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<explain::Explanation>,
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
    SparkVersion {
        baseline: String,
        candidate: String,
    },
    Config {
        baseline: String,
        candidate: String,
    },
    /// Two Python minors of the same Spark versions and configs (`python = [a, b]`).
    Python {
        baseline: String,
        candidate: String,
    },
    /// Two modes of the same cells: a classic driver on the host (`direct`) against a Spark
    /// Connect client on the host (`connect`), the like-for-like pair of an app that runs in both.
    Mode {
        baseline: Mode,
        candidate: Mode,
    },
}

impl Split {
    fn field<'a>(&self, key: &'a CellKey) -> &'a str {
        match self {
            Split::SparkVersion { .. } => &key.spark_version,
            Split::Config { .. } => &key.config,
            Split::Python { .. } => &key.python,
            Split::Mode { .. } => key.mode.as_str(),
        }
    }

    fn values(&self) -> (&str, &str) {
        match self {
            Split::Mode {
                baseline,
                candidate,
            } => (baseline.as_str(), candidate.as_str()),
            Split::SparkVersion {
                baseline,
                candidate,
            }
            | Split::Config {
                baseline,
                candidate,
            }
            | Split::Python {
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
            Split::Python { .. } => key.python.clear(),
            // Both sides' cells become the baseline's, so they pair up.
            Split::Mode { baseline, .. } => key.mode = *baseline,
        }
        key
    }

    fn label(&self, key: &CellKey) -> String {
        let mut parts = vec![key.stack(), key.config.clone()];
        if !matches!(self, Split::Mode { .. }) {
            parts.push(key.mode.to_string());
        }
        parts.retain(|p| !p.is_empty());
        parts.extend([key.arrow_label().to_string(), key.elements.to_string()]);
        parts.extend((!key.app.is_empty()).then(|| key.app.clone()));
        parts.extend(key.query.map(|q| format!("q{q:02}")));
        parts.join("/")
    }

    fn side_name(&self, value: &str) -> String {
        match self {
            Split::SparkVersion { .. } => format!("spark {value}"),
            Split::Config { .. } => format!("config {value}"),
            Split::Python { .. } => format!("python {value}"),
            Split::Mode { .. } => format!("mode {value}"),
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
    measured_walls(runs.iter().copied())
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
        phases: phases::compare_phases(base, cand, opts),
        where_slower: None,
        paired: paired_comparison::compare_paired(base, cand, opts.seed),
        mde: None,
        explanation: None,
    };
    let (verdict, note) = cell_verdict(base, cand, &row, opts);
    row.verdict = verdict;
    row.note = note;
    if verdict == Verdict::Slower {
        row.where_slower = phases::where_summary(&row.phases);
    }
    if first_computes(base, cand) {
        row.explanation = explain::explain(base, cand, opts);
        row.explain_line();
        row.mde = mde::of_row(&row, opts);
        if row.verdict == Verdict::Inconclusive {
            let said = mde::phrase(row.mde);
            row.note = Some(
                row.note
                    .take()
                    .map_or(said.clone(), |n| format!("{n}; {said}")),
            );
        }
    }
    row
}

fn first_computes(base: &[&RunRecord], cand: &[&RunRecord]) -> bool {
    base.iter().chain(cand).all(|r| r.mode.computes()) && !base.is_empty() && !cand.is_empty()
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
    if !first_base.mode.computes() || !first_cand.mode.computes() {
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
    if let Some(p) = row.paired.as_ref().filter(|p| p.blocks >= MIN_SAMPLES) {
        let note = format!("paired over {} blocks", p.blocks);
        let note = base_note.map_or(note.clone(), |b| format!("{note}; {b}"));
        return (timing_verdict(&p.ratio, p.p_value, opts), Some(note));
    }
    match (row.ratio, row.p_value) {
        (Some(ratio), Some(p)) => (timing_verdict(&ratio, p, opts), base_note),
        _ => (
            Verdict::Inconclusive,
            Some("baseline median is zero".into()),
        ),
    }
}

fn bad_runs(runs: &[&RunRecord]) -> usize {
    runs.iter().filter(|r| !r.kept_promise()).count()
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
    let upper = 1.0 + opts.threshold.get();
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

mod compare_text;
pub mod explain;
mod explain_text;
mod gate;
pub mod mde;
pub mod paired_comparison;
pub mod phases;
pub mod stopping;

pub use gate::{junit_cases, write_outputs};
pub use paired_comparison::PairedComparison;
pub use phases::{Phase, PhaseComparison};

#[cfg(test)]
pub(crate) mod tests;
