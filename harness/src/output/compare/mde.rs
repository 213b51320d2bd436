//! The minimum detectable effect of a verdict: the smallest change these runs, at this noise,
//! could have called. An `inconclusive` verdict without it reads as "no problem"; with it, it
//! reads as what it is ("could only have seen changes ≥ 14 %").
//!
//! # Definition
//!
//! Take the ratio's 95 % CI `[lo, hi]` (the paired one when the verdict is paired) and its
//! half-width in log space, `h = (ln hi − ln lo) / 2`. A true change `δ` measured with the
//! same noise gives a CI of the same width around `ln(1+δ)`; it excludes 1 — the CI half of
//! the `slower` rule — once `ln(1+δ) > h`. The rule also needs the change to reach the
//! threshold `t`, so `MDE = max(t, e^h − 1)`. When the rank test cannot reach `alpha` at all
//! with this many runs (3 vs 3 runs, or 5 blocks: its smallest p is ≥ 0.05), no change of
//! any size could be called: the MDE is `None`.

use super::{CellComparison, CompareOptions};
use crate::measure::stats::{self, Estimate};

/// The MDE of one row, from the estimate its verdict used; `None` when nothing could be called.
pub fn of_row(row: &CellComparison, opts: &CompareOptions) -> Option<f64> {
    let (ratio, min_p) = match &row.paired {
        Some(p) if p.blocks >= super::MIN_SAMPLES => (p.ratio, stats::signed_rank_min_p(p.blocks)),
        _ => (
            row.ratio?,
            stats::mann_whitney_min_p(row.n_baseline, row.n_candidate),
        ),
    };
    if row.n_baseline < super::MIN_SAMPLES || row.n_candidate < super::MIN_SAMPLES {
        return None;
    }
    mde(&ratio, min_p, opts)
}

pub fn mde(ratio: &Estimate, min_p: f64, opts: &CompareOptions) -> Option<f64> {
    if min_p >= opts.alpha || ratio.ci_low <= 0.0 || !ratio.ci_high.is_finite() {
        return None;
    }
    let h = (ratio.ci_high.ln() - ratio.ci_low.ln()) / 2.0;
    Some(opts.threshold.get().max(h.exp() - 1.0))
}

/// "could only have seen changes ≥ 14 %" / "could not have called any change".
pub fn phrase(mde: Option<f64>) -> String {
    match mde {
        Some(m) => format!("could only have seen changes ≥ {:.0} %", m * 100.0),
        None => "could not have called any change with this many runs".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(lo: f64, hi: f64) -> Estimate {
        Estimate {
            point: (lo * hi).sqrt(),
            std_err: 0.0,
            ci_low: lo,
            ci_high: hi,
            confidence: 0.95,
        }
    }

    #[test]
    fn the_mde_is_the_ci_half_width_floored_at_the_threshold() {
        let opts = CompareOptions::default();
        // [0.9, 1.1]: h = ln(1.1/0.9)/2 → e^h − 1 = 10.55 %.
        let m = mde(&ci(0.9, 1.1), 0.008, &opts).unwrap();
        assert!((m - ((1.1f64 / 0.9).sqrt() - 1.0)).abs() < 1e-12, "{m}");
        // A tight CI cannot beat the threshold the rule itself asks for.
        assert_eq!(mde(&ci(0.99, 1.01), 0.008, &opts), Some(0.10));
        // 3 vs 3 runs: the smallest p is 0.1, nothing can be called.
        assert_eq!(
            mde(&ci(0.99, 1.01), stats::mann_whitney_min_p(3, 3), &opts),
            None
        );
        assert_eq!(phrase(Some(0.144)), "could only have seen changes ≥ 14 %");
    }

    #[test]
    fn a_wider_ci_never_gives_a_smaller_mde() {
        let opts = CompareOptions::default();
        let mut last = 0.0;
        for k in 1..50 {
            let w = 0.01 * k as f64;
            let m = mde(&ci(1.0 - w / 2.0, 1.0 + w), 0.001, &opts).unwrap();
            assert!(m >= last);
            last = m;
        }
    }
}
