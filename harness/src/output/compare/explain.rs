//! Why a cell moved, not only that and when: what the two sides' runs *did* differently,
//! read from their profiles (`measure::profile`: plan operators, task metrics, properties,
//! warnings) and, across Spark lines, from the lines' SQL defaults (`infra::sql_defaults`).
//!
//! Evidence, each kept only when it clears a bar:
//!
//! * **metrics** whose median moved beyond the threshold with a bootstrap CI excluding 1 (or
//!   that appeared from zero in every candidate run), biggest absolute change first;
//! * **operators** whose typical (median) count per run differs: `BatchEvalPython` →
//!   `ArrowEvalPython`, one `Exchange` more;
//! * **properties** set the same way in every run of a side and differently between the
//!   sides (per-run values such as ports and ids vary within a side and drop out), the ones
//!   touching Python, Arrow, ANSI, adaptive execution and shuffle first;
//! * **warnings** classes seen on one side only;
//! * **defaults**: `SET -v` values that differ between the two lines (attached by the caller).
//!
//! The verdict line names the phase that moved most and then the evidence in that order of
//! strength (plan, defaults, properties, metrics). It never invents a reason: when a cell is
//! slower or faster and no evidence cleared its bar, the line says nothing measured explains it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::CompareOptions;
use crate::measure::profile::{self, Profile};
use crate::measure::record::RunRecord;
use crate::measure::stats::{self, Estimate};

/// At most this many items of a kind in the verdict line and the terminal.
const SHOWN: usize = 4;

/// Per-run values: they differ between any two runs and say nothing about the change.
const VOLATILE: &[&str] = &[
    "spark.app.id",
    "spark.app.name",
    "spark.app.startTime",
    "spark.app.submitTime",
    "spark.app.initial.jar.urls",
    "spark.app.initial.file.urls",
    "spark.driver.host",
    "spark.driver.bindAddress",
    "spark.driver.port",
    "spark.driver.appUIAddress",
    "spark.eventLog.dir",
    "spark.files",
    "spark.jars",
    "spark.repl.local.jars",
    "spark.submit.pyFiles",
    "spark.sql.warehouse.dir",
    "spark.master",
];

/// Words that put a property or default first: what most often changes a Python job.
const FIRST: &[&str] = &["python", "arrow", "ansi", "adaptive", "shuffle"];

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Explanation {
    pub metrics: Vec<MetricMove>,
    pub operators: Vec<OperatorChange>,
    pub properties: Vec<SettingChange>,
    /// SQL defaults that differ between the two sides' Spark lines.
    #[serde(default)]
    pub defaults: Vec<SettingChange>,
    /// The `spark.sql.*` keys every run of both sides set itself: a default of theirs that
    /// differs between the lines took effect in neither, so the line does not name it.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub set_by_both: BTreeSet<String>,
    /// A run of either side evaluated Python in its plan (`BatchEvalPython`, `ArrowEvalPython`,
    /// a pandas UDF): only then can a Python-UDF default be a reason.
    #[serde(default)]
    pub python_in_plan: bool,
    pub warnings_new: Vec<String>,
    pub warnings_gone: Vec<String>,
    /// One line naming the dominant reason, or saying that nothing measured explains it.
    pub line: String,
    /// What could not be compared for want of data: a side whose runs kept no event log (an
    /// external cluster without `spark.eventLog.enabled`) or were recorded without profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacks: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MetricMove {
    pub name: String,
    pub unit: String,
    pub baseline_median: f64,
    pub candidate_median: f64,
    /// candidate / baseline with a 95 % CI; `None` when the baseline median is 0.
    pub ratio: Option<Estimate>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OperatorChange {
    pub name: String,
    pub baseline: u32,
    pub candidate: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SettingChange {
    pub key: String,
    pub baseline: Option<String>,
    pub candidate: Option<String>,
}

/// The evidence of one cell pair from its runs' profiles; `None` when neither side has any
/// (records from before profiles: the row's phases are all there is).
pub fn explain(
    base: &[&RunRecord],
    cand: &[&RunRecord],
    opts: &CompareOptions,
) -> Option<Explanation> {
    let (b, c) = (profiles(base), profiles(cand));
    if b.is_empty() && c.is_empty() {
        return None;
    }
    let lacks = lacking(&b, "baseline").or_else(|| lacking(&c, "candidate"));
    if b.is_empty() || c.is_empty() {
        return Some(Explanation {
            lacks,
            ..Explanation::default()
        });
    }
    let keys: BTreeSet<&String> = b
        .iter()
        .chain(&c)
        .flat_map(|p| p.properties.keys())
        .collect();
    let mut new: BTreeSet<String> = warning_classes(&c);
    let mut gone: BTreeSet<String> = warning_classes(&b);
    new.retain(|w| !warning_classes(&b).contains(w));
    gone.retain(|w| !warning_classes(&c).contains(w));
    let (sb, sc) = (stable_properties(&b, &keys), stable_properties(&c, &keys));
    let set_by_both = sb
        .iter()
        .filter(|(k, v)| k.starts_with("spark.sql.") && v.is_some())
        .filter(|(k, _)| sc.get(*k).is_some_and(Option::is_some))
        .map(|(k, _)| k.clone())
        .collect();
    Some(Explanation {
        metrics: metric_moves(&b, &c, opts),
        operators: operator_changes(&b, &c),
        properties: setting_changes(&sb, &sc),
        defaults: Vec::new(),
        set_by_both,
        python_in_plan: b.iter().chain(&c).any(|p| {
            p.operators
                .keys()
                .any(|o| o.contains("Python") || o.contains("Pandas"))
        }),
        warnings_new: new.into_iter().collect(),
        warnings_gone: gone.into_iter().collect(),
        line: String::new(),
        lacks,
    })
}

/// Why one side cannot be explained: no profile at all, or profiles without an event log's
/// plan, metrics and properties.
fn lacking(ps: &[&Profile], side: &str) -> Option<String> {
    let from_log = |p: &&Profile| !p.metrics.is_empty() || !p.properties.is_empty();
    match (ps.is_empty(), ps.iter().any(from_log)) {
        (true, _) => Some(format!(
            "the {side} runs carry no profile (recorded before profiles were, or every run failed): nothing to explain with"
        )),
        (false, false) => Some(format!(
            "the {side} runs kept no event log (an external cluster without spark.eventLog.enabled?): plan, metrics and settings not compared"
        )),
        _ => None,
    }
}

fn profiles<'a>(runs: &[&'a RunRecord]) -> Vec<&'a Profile> {
    runs.iter()
        .filter(|r| r.is_measurement())
        .filter_map(|r| r.profile.as_ref())
        .collect()
}

fn warning_classes(ps: &[&Profile]) -> BTreeSet<String> {
    ps.iter().flat_map(|p| p.warnings.keys().cloned()).collect()
}

fn metric_moves(b: &[&Profile], c: &[&Profile], opts: &CompareOptions) -> Vec<MetricMove> {
    let mut moves: Vec<MetricMove> = profile::METRICS
        .iter()
        .filter_map(|(name, unit, _)| metric_move(name, unit, b, c, opts))
        .collect();
    let unit_rank = |u: &str| ["s", "B", ""].iter().position(|x| *x == u).unwrap_or(3);
    moves.sort_by(|x, y| {
        let dx = (x.candidate_median - x.baseline_median).abs();
        let dy = (y.candidate_median - y.baseline_median).abs();
        (unit_rank(&x.unit), -dx)
            .partial_cmp(&(unit_rank(&y.unit), -dy))
            .unwrap()
    });
    moves
}

fn metric_move(
    name: &str,
    unit: &str,
    b: &[&Profile],
    c: &[&Profile],
    opts: &CompareOptions,
) -> Option<MetricMove> {
    let values = |ps: &[&Profile]| -> Vec<f64> {
        ps.iter()
            .map(|p| p.metrics.get(name).copied().unwrap_or(0.0))
            .collect()
    };
    // A metric one side's line does not record (3.5 keeps no Python-worker times) did not
    // move from zero: it is left out.
    let recorded = |ps: &[&Profile]| ps.iter().any(|p| p.metrics.contains_key(name));
    if !recorded(b) || !recorded(c) {
        return None;
    }
    let (bv, cv) = (values(b), values(c));
    let (bm, cm) = (stats::median(&bv)?, stats::median(&cv)?);
    let ratio = stats::ratio_of_medians(&cv, &bv, opts.seed);
    let upper = 1.0 + opts.threshold.get();
    let moved = match &ratio {
        Some(r) => {
            (r.ci_low > 1.0 && r.point >= upper) || (r.ci_high < 1.0 && r.point <= 1.0 / upper)
        }
        // No bounded ratio (a side at zero): moved when every run of one side is above every
        // run of the other (Mann–Whitney's most extreme arrangement).
        None => separated(&bv, &cv),
    };
    let floor = match unit {
        "s" => 0.05,
        "B" => 1024.0,
        _ => 1.0,
    };
    let moved = moved && (cm - bm).abs() >= floor;
    moved.then(|| MetricMove {
        name: name.to_string(),
        unit: unit.to_string(),
        baseline_median: bm,
        candidate_median: cm,
        ratio,
    })
}

fn separated(b: &[f64], c: &[f64]) -> bool {
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        (lo, v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    };
    let ((b_lo, b_hi), (c_lo, c_hi)) = (range(b), range(c));
    c_lo > b_hi || c_hi < b_lo
}

/// Each operator's median count per run on each side; those whose counts differ.
fn operator_changes(b: &[&Profile], c: &[&Profile]) -> Vec<OperatorChange> {
    let names: BTreeSet<&String> = b.iter().chain(c).flat_map(|p| p.operators.keys()).collect();
    let typical = |ps: &[&Profile], name: &str| -> u32 {
        let counts: Vec<f64> = ps
            .iter()
            .map(|p| f64::from(p.operators.get(name).copied().unwrap_or(0)))
            .collect();
        stats::median(&counts).unwrap_or(0.0).round() as u32
    };
    names
        .into_iter()
        .map(|n| OperatorChange {
            name: n.clone(),
            baseline: typical(b, n),
            candidate: typical(c, n),
        })
        .filter(|o| o.baseline != o.candidate)
        .collect()
}

/// Of `keys` (every property either side had), those every run of a side had with one value;
/// a key no run of the side had is stable there as unset.
fn stable_properties(
    ps: &[&Profile],
    keys: &BTreeSet<&String>,
) -> BTreeMap<String, Option<String>> {
    keys.iter()
        .filter(|k| !VOLATILE.contains(&k.as_str()))
        .filter_map(|k| {
            let k: &String = k;
            let first = ps[0].properties.get(k);
            ps.iter()
                .all(|p| p.properties.get(k) == first)
                .then(|| (k.clone(), first.cloned()))
        })
        .collect()
}

/// Keys whose value differs between two stable maps (a key missing from one side's map is
/// unstable there and left out), the ones touching [`FIRST`] words first.
pub fn setting_changes(
    b: &BTreeMap<String, Option<String>>,
    c: &BTreeMap<String, Option<String>>,
) -> Vec<SettingChange> {
    let mut out: Vec<SettingChange> = b
        .iter()
        .filter_map(|(k, bv)| {
            let cv = c.get(k)?;
            (bv != cv).then(|| SettingChange {
                key: k.clone(),
                baseline: bv.clone(),
                candidate: cv.clone(),
            })
        })
        .collect();
    // Values that changed before keys that only one side has; Python, Arrow… first in each.
    let one_sided = |s: &SettingChange| s.baseline.is_none() || s.candidate.is_none();
    out.sort_by_key(|s| (one_sided(s), rank(&s.key), s.key.clone()));
    out
}

/// Where a key sorts: by the first of [`FIRST`] it touches (Python before Arrow before ANSI…),
/// the rest after them.
fn rank(key: &str) -> usize {
    let k = key.to_ascii_lowercase();
    FIRST
        .iter()
        .position(|w| k.contains(w))
        .unwrap_or(FIRST.len())
}

fn first(key: &str) -> bool {
    rank(key) < FIRST.len()
}

/// The differing defaults of two lines (both maps complete: a key new in a line is a change).
pub fn defaults_diff(
    b: &BTreeMap<String, String>,
    c: &BTreeMap<String, String>,
) -> Vec<SettingChange> {
    let all = |m: &BTreeMap<String, String>,
               other: &BTreeMap<String, String>|
     -> BTreeMap<String, Option<String>> {
        m.keys()
            .chain(other.keys())
            .map(|k| (k.clone(), m.get(k).cloned()))
            .collect()
    };
    setting_changes(&all(b, c), &all(c, b))
}

impl super::Comparison {
    /// Adds to every explained row the SQL defaults that differ between its two stacks
    /// (`infra::sql_defaults`, by stack label: each side's from its own run directory), and
    /// redraws its line. Stacks without probed defaults add nothing.
    pub fn attach_defaults(
        &mut self,
        base: &BTreeMap<String, BTreeMap<String, String>>,
        cand: &BTreeMap<String, BTreeMap<String, String>>,
    ) {
        for row in &mut self.rows {
            let (Some(bk), Some(ck)) = (&row.baseline_key, &row.candidate_key) else {
                continue;
            };
            let (Some(b), Some(c)) = (base.get(&bk.stack()), cand.get(&ck.stack())) else {
                continue;
            };
            if let Some(e) = row.explanation.as_mut() {
                e.defaults = defaults_diff(b, c);
            }
            row.explain_line();
        }
    }
}

pub use line::metric;

mod line;

#[cfg(test)]
mod tests;
