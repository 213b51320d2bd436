//! Statistics over repeated runs of one cell. CONTRACT ONLY: bodies are filled in by the
//! statistics work; keep these signatures stable, callers depend on them.

use serde::{Deserialize, Serialize};

/// A point estimate with its standard error and confidence interval (criterion-style).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub point: f64,
    pub std_err: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Confidence level of the interval, e.g. 0.95.
    pub confidence: f64,
}

/// Descriptive statistics of one cell's measurements.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Summary {
    pub n: usize,
    /// Median with a 95 % bootstrap confidence interval.
    pub median: Estimate,
    pub mean: f64,
    pub stddev: f64,
    /// Median absolute deviation (unscaled).
    pub mad: f64,
    pub min: f64,
    pub max: f64,
    /// Indices into the input slice whose modified z-score exceeds 3.5.
    pub outliers: Vec<usize>,
}

/// Number of bootstrap resamples used by default.
pub const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// Summarise samples; `None` when `samples` is empty. Deterministic for a given `seed`.
pub fn summarize(samples: &[f64], seed: u64) -> Option<Summary> {
    let _ = (samples, seed);
    unimplemented!("stats::summarize")
}

/// Ratio of medians `numerator / denominator` with a 95 % bootstrap CI (each side resampled
/// independently). `None` when either side is empty or the denominator median is zero.
pub fn ratio_of_medians(numerator: &[f64], denominator: &[f64], seed: u64) -> Option<Estimate> {
    let _ = (numerator, denominator, seed);
    unimplemented!("stats::ratio_of_medians")
}

/// Modified z-scores (Iglewicz–Hoaglin): 0.6745 * (x - median) / MAD; all 0 when MAD is 0.
pub fn modified_z_scores(samples: &[f64]) -> Vec<f64> {
    let _ = samples;
    unimplemented!("stats::modified_z_scores")
}

pub fn median(samples: &[f64]) -> Option<f64> {
    let _ = samples;
    unimplemented!("stats::median")
}
