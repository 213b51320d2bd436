//! Statistics over repeated runs of one cell: robust summaries (median, MAD), percentile
//! bootstrap confidence intervals, and Iglewicz–Hoaglin outlier flags. Outliers are reported,
//! never dropped: a slow run is data about the cluster, not noise to hide.

mod mann_whitney;
mod paired;

pub use mann_whitney::{mann_whitney_min_p, mann_whitney_p};
pub use paired::{block_ratios, paired_ratio, signed_rank_min_p, signed_rank_p};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
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

const CONFIDENCE: f64 = 0.95;
/// Iglewicz–Hoaglin's recommended cut-off for the modified z-score.
const OUTLIER_Z: f64 = 3.5;
/// 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a stddev.
const MAD_TO_SIGMA: f64 = 0.6745;

/// Summarise samples; `None` when `samples` is empty. Deterministic for a given `seed`.
pub fn summarize(samples: &[f64], seed: u64) -> Option<Summary> {
    let point = median(samples)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let medians = bootstrap_medians(samples, &mut rng);
    let n = samples.len();
    let mean = samples.iter().sum::<f64>() / n as f64;
    let outliers = modified_z_scores(samples)
        .iter()
        .enumerate()
        .filter(|(_, z)| z.abs() > OUTLIER_Z)
        .map(|(i, _)| i)
        .collect();
    Some(Summary {
        n,
        median: estimate(point, medians),
        mean,
        stddev: sample_stddev(samples),
        mad: mad(samples, point),
        min: samples.iter().copied().fold(f64::INFINITY, f64::min),
        max: samples.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        outliers,
    })
}

/// Ratio of medians `numerator / denominator` with a 95 % bootstrap CI (each side resampled
/// independently). `None` when either side is empty or the denominator's median is zero in the
/// data or in a resample: the ratio is then unbounded and no interval can be given (a GC time
/// of 0 s in most baseline runs would otherwise make the CI `[3.3, NaN]`).
pub fn ratio_of_medians(numerator: &[f64], denominator: &[f64], seed: u64) -> Option<Estimate> {
    let num = median(numerator)?;
    let den = median(denominator)?;
    if den == 0.0 {
        return None;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let nums = bootstrap_medians(numerator, &mut rng);
    let dens = bootstrap_medians(denominator, &mut rng);
    if dens.contains(&0.0) {
        return None;
    }
    let ratios = nums.iter().zip(&dens).map(|(n, d)| n / d).collect();
    Some(estimate(num / den, ratios))
}

/// Modified z-scores (Iglewicz–Hoaglin): 0.6745 * (x - median) / MAD; all 0 when MAD is 0.
pub fn modified_z_scores(samples: &[f64]) -> Vec<f64> {
    let Some(med) = median(samples) else {
        return Vec::new();
    };
    let mad = mad(samples, med);
    samples
        .iter()
        .map(|x| {
            if mad == 0.0 {
                0.0
            } else {
                MAD_TO_SIGMA * (x - med) / mad
            }
        })
        .collect()
}

pub fn median(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    Some(median_in_place(&mut sorted))
}

/// Median of a non-empty buffer, reordering it (saves an allocation per bootstrap resample).
fn median_in_place(xs: &mut [f64]) -> f64 {
    xs.sort_unstable_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn mad(samples: &[f64], median: f64) -> f64 {
    let mut dev: Vec<f64> = samples.iter().map(|x| (x - median).abs()).collect();
    median_in_place(&mut dev)
}

/// Shifting by the first sample keeps identical samples at exactly 0 (a rounded mean would not).
fn sample_stddev(samples: &[f64]) -> f64 {
    let n = samples.len();
    if n < 2 {
        return 0.0;
    }
    let shifted: Vec<f64> = samples.iter().map(|x| x - samples[0]).collect();
    let mean = shifted.iter().sum::<f64>() / n as f64;
    let ss: f64 = shifted.iter().map(|x| (x - mean).powi(2)).sum();
    (ss / (n - 1) as f64).sqrt()
}

/// Medians of `BOOTSTRAP_RESAMPLES` resamples drawn with replacement from a non-empty slice.
fn bootstrap_medians(samples: &[f64], rng: &mut StdRng) -> Vec<f64> {
    let mut buf = vec![0.0; samples.len()];
    (0..BOOTSTRAP_RESAMPLES)
        .map(|_| {
            for slot in buf.iter_mut() {
                *slot = samples[rng.random_range(0..samples.len())];
            }
            median_in_place(&mut buf)
        })
        .collect()
}

/// Percentile-bootstrap estimate; the standard error is the stddev of the bootstrap statistics.
fn estimate(point: f64, mut boot: Vec<f64>) -> Estimate {
    boot.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    Estimate {
        point,
        std_err: sample_stddev(&boot),
        ci_low: quantile_sorted(&boot, tail),
        ci_high: quantile_sorted(&boot, 1.0 - tail),
        confidence: CONFIDENCE,
    }
}

/// Linear-interpolation quantile (type 7) of a sorted, non-empty slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    #[test]
    fn median_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn summary_by_hand() {
        // Sorted: 1 2 3 4 100. median 3; |dev| = 2 1 0 1 97 -> sorted 0 1 1 2 97, MAD 1.
        // mean 22; sum of squared deviations 441+400+361+324+6084 = 7610, /4 = 1902.5.
        let xs = [2.0, 4.0, 1.0, 100.0, 3.0];
        let s = summarize(&xs, 7).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.median.point, 3.0);
        assert_eq!(s.mad, 1.0);
        assert!((s.mean - 22.0).abs() < EPS);
        assert!((s.stddev - 1902.5f64.sqrt()).abs() < EPS);
        assert_eq!((s.min, s.max), (1.0, 100.0));
        // z of 100 = 0.6745 * 97 = 65.4; z of 1 = -1.349: only the planted value is flagged.
        assert_eq!(s.outliers, vec![3]);
    }

    #[test]
    fn modified_z_by_hand_and_zero_mad() {
        let z = modified_z_scores(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        let expected = [-2.0, -1.0, 0.0, 1.0, 97.0].map(|d| 0.6745 * d);
        for (a, b) in z.iter().zip(expected) {
            assert!((a - b).abs() < EPS, "{a} vs {b}");
        }
        assert_eq!(modified_z_scores(&[5.0, 5.0, 5.0, 9.0]), vec![0.0; 4]);
        assert!(modified_z_scores(&[]).is_empty());
    }

    #[test]
    fn ci_contains_point_and_is_deterministic() {
        let xs = [10.2, 9.8, 10.5, 10.1, 9.9, 10.4, 10.0, 10.3, 9.7, 10.6];
        let a = summarize(&xs, 42).unwrap();
        assert!(a.median.ci_low <= a.median.point && a.median.point <= a.median.ci_high);
        assert!(a.median.ci_low < a.median.ci_high);
        assert!(a.median.ci_low >= 9.7 && a.median.ci_high <= 10.6);
        assert!(a.median.std_err > 0.0);
        assert_eq!(a.median.confidence, 0.95);
        assert_eq!(summarize(&xs, 42).unwrap(), a);
        assert_ne!(summarize(&xs, 43).unwrap().median, a.median);
    }

    #[test]
    fn single_sample() {
        let s = summarize(&[4.2], 1).unwrap();
        assert_eq!((s.n, s.median.point, s.stddev, s.mad), (1, 4.2, 0.0, 0.0));
        assert_eq!(
            (s.median.ci_low, s.median.ci_high, s.median.std_err),
            (4.2, 4.2, 0.0)
        );
        assert!(s.outliers.is_empty());
        assert_eq!(summarize(&[], 1), None);
    }

    #[test]
    fn ratio_of_medians_estimates_shift() {
        let base = [10.0, 10.1, 9.9, 10.2, 9.8];
        let cand: Vec<f64> = base.iter().map(|x| x * 1.2).collect();
        let r = ratio_of_medians(&cand, &base, 3).unwrap();
        assert!((r.point - 1.2).abs() < EPS);
        assert!(r.ci_low <= r.point && r.point <= r.ci_high);
        assert!(r.ci_low > 1.1 && r.ci_high < 1.3, "{r:?}");
        assert_eq!(ratio_of_medians(&cand, &base, 3), Some(r));
        assert_eq!(ratio_of_medians(&[], &base, 3), None);
        assert_eq!(ratio_of_medians(&base, &[0.0, 0.0], 3), None);
        // Mostly-zero baselines (GC time, spill) resample to a zero median: no bounded CI.
        let gc = [0.0, 0.0, 0.01, 0.02, 0.0, 0.03];
        let cand = [0.3, 0.31, 0.29, 0.33, 0.3];
        let r = ratio_of_medians(&cand, &[0.01, 0.02, 0.03, 0.02], 3).unwrap();
        assert!(r.ci_low.is_finite() && r.ci_high.is_finite(), "{r:?}");
        assert_eq!(ratio_of_medians(&cand, &gc, 3), None);
    }
}
