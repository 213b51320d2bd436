//! Where the time went: the same ratio, CI and verdict as the wall time, per phase of a run.
//!
//! A slower wall time alone does not say whether to look at the job or at Spark's start-up
//! (measured: 3.5.9 → 4.1.4 is 1.22× slower while `jobs_s` is unchanged). The records already
//! split a run into phases, so each is compared like the wall time:
//!
//! * `startup_s` = `wall_s − app_s`: outside the Spark application (process and JVM start,
//!   connecting, and shutdown after `ApplicationEnd`);
//! * `app_outside_jobs_s` = `app_s − jobs_s`: the application's own overhead between jobs
//!   (session setup, Python work, planning);
//! * `jobs_s` and `collect_s` as recorded.
//!
//! A phase is compared only when both sides have it; its verdict follows the same rule
//! ([`super::timing_verdict`], with the [`super::MIN_SAMPLES`] floor). Phase verdicts are
//! information: the exit code stays driven by wall time.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{timing_verdict, CompareOptions, Verdict, MIN_SAMPLES};
use crate::measure::record::RunRecord;
use crate::measure::stats::{self, mann_whitney_p, Estimate};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    #[serde(rename = "startup_s")]
    Startup,
    #[serde(rename = "app_outside_jobs_s")]
    AppOutsideJobs,
    #[serde(rename = "jobs_s")]
    Jobs,
    #[serde(rename = "collect_s")]
    Collect,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Startup,
        Phase::AppOutsideJobs,
        Phase::Jobs,
        Phase::Collect,
    ];

    /// The phase's seconds in one run, if the record has what it needs.
    pub fn of(self, r: &RunRecord) -> Option<f64> {
        match self {
            Phase::Startup => Some(r.wall_s - r.app_s?),
            Phase::AppOutsideJobs => Some(r.app_s? - r.jobs_s?),
            Phase::Jobs => r.jobs_s,
            Phase::Collect => r.collect_s,
        }
        .filter(|x| x.is_finite())
    }

    /// For prose: "start-up", "app outside jobs", "jobs", "collect".
    pub fn label(self) -> &'static str {
        match self {
            Phase::Startup => "start-up",
            Phase::AppOutsideJobs => "app outside jobs",
            Phase::Jobs => "jobs",
            Phase::Collect => "collect",
        }
    }

    /// For the terminal table, where space is short.
    pub fn short(self) -> &'static str {
        match self {
            Phase::Startup => "start",
            Phase::AppOutsideJobs => "app",
            Phase::Jobs => "jobs",
            Phase::Collect => "coll",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One phase of one matched cell. Times are seconds over measurement runs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PhaseComparison {
    pub phase: Phase,
    pub n_baseline: usize,
    pub n_candidate: usize,
    pub baseline_median: f64,
    pub candidate_median: f64,
    /// median(candidate) / median(baseline) with a 95 % bootstrap CI; `None` when a median
    /// is not positive (a ratio of such is meaningless).
    pub ratio: Option<Estimate>,
    pub p_value: Option<f64>,
    pub verdict: Verdict,
}

/// Every phase both sides have, in [`Phase::ALL`] order.
pub fn compare_phases(
    base: &[&RunRecord],
    cand: &[&RunRecord],
    opts: &CompareOptions,
) -> Vec<PhaseComparison> {
    Phase::ALL
        .iter()
        .filter_map(|&p| compare_phase(p, &values(p, base), &values(p, cand), opts))
        .collect()
}

fn values(phase: Phase, runs: &[&RunRecord]) -> Vec<f64> {
    runs.iter()
        .filter(|r| r.is_measurement())
        .filter_map(|r| phase.of(r))
        .collect()
}

fn compare_phase(
    phase: Phase,
    base: &[f64],
    cand: &[f64],
    opts: &CompareOptions,
) -> Option<PhaseComparison> {
    let (b, c) = (stats::median(base)?, stats::median(cand)?);
    let ratio = (b > 0.0 && c > 0.0)
        .then(|| stats::ratio_of_medians(cand, base, opts.seed))
        .flatten();
    let p_value = mann_whitney_p(base, cand);
    let enough = base.len() >= MIN_SAMPLES && cand.len() >= MIN_SAMPLES;
    let verdict = match (ratio, p_value) {
        (Some(r), Some(p)) if enough => timing_verdict(&r, p, opts),
        _ => Verdict::Inconclusive,
    };
    Some(PhaseComparison {
        phase,
        n_baseline: base.len(),
        n_candidate: cand.len(),
        baseline_median: b,
        candidate_median: c,
        ratio,
        p_value,
        verdict,
    })
}

/// "slower: start-up ×1.35 [1.20, 1.50]; app outside jobs no-change; jobs no-change": the
/// slower phases with their ratio first, then every other phase's verdict. `None` without
/// phases (the records carry no phase timings: nothing to locate).
pub fn where_summary(phases: &[PhaseComparison]) -> Option<String> {
    if phases.is_empty() {
        return None;
    }
    let (slower, other): (Vec<_>, Vec<_>) =
        phases.iter().partition(|p| p.verdict == Verdict::Slower);
    let mut parts: Vec<String> = slower.iter().map(|p| ratio_part(p)).collect();
    if parts.is_empty() {
        parts.push("no single phase".into());
    }
    parts.extend(other.iter().map(|p| format!("{} {}", p.phase, p.verdict)));
    Some(format!("slower: {}", parts.join("; ")))
}

fn ratio_part(p: &PhaseComparison) -> String {
    match p.ratio {
        Some(r) => format!(
            "{} ×{:.2} [{:.2}, {:.2}]",
            p.phase, r.point, r.ci_low, r.ci_high
        ),
        None => format!("{} {}", p.phase, p.verdict),
    }
}

/// Explains [`compact`] under the terminal table.
pub const LEGEND: &str = "phases: start = wall − app, app = app − jobs, jobs, coll = collect; \
     ↑ slower, ↓ faster, = no-change, ? inconclusive";

/// "start 1.35↑ app 1.02= jobs 1.00= coll 0.99=": every phase in a few characters, for the
/// terminal table (see [`LEGEND`]).
pub fn compact(phases: &[PhaseComparison]) -> String {
    phases
        .iter()
        .map(|p| {
            let ratio = p.ratio.map_or("-".into(), |r| format!("{:.2}", r.point));
            format!("{} {ratio}{}", p.phase.short(), symbol(p.verdict))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn symbol(v: Verdict) -> &'static str {
    match v {
        Verdict::Slower => "↑",
        Verdict::Faster => "↓",
        Verdict::NoChange => "=",
        _ => "?",
    }
}
