//! Paired statistics for interleaved runs: when the two arms ran in the same blocks (one run
//! of each, back to back, in a random order), the ratio *within* each block cancels the drift
//! of the machine that both runs of the block shared. The estimate is the median of the
//! per-block ratios with a percentile-bootstrap CI; the test is Wilcoxon's signed-rank test on
//! their logarithms (a ratio of 1.1 and one of 1/1.1 weigh alike).

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::mann_whitney::erfc;
use super::{bootstrap_medians, estimate, median, Estimate};

/// Largest number of pairs for which the exact signed-rank distribution is used.
const EXACT_MAX_N: usize = 60;

/// `candidate[i] / baseline[i]` for every pair with a positive baseline.
pub fn block_ratios(pairs: &[(f64, f64)]) -> Vec<f64> {
    pairs
        .iter()
        .filter(|(b, c)| *b > 0.0 && c.is_finite())
        .map(|(b, c)| c / b)
        .collect()
}

/// Median of the per-block ratios with a 95 % bootstrap CI; `None` without a pair.
pub fn paired_ratio(ratios: &[f64], seed: u64) -> Option<Estimate> {
    let point = median(ratios)?;
    let mut rng = StdRng::seed_from_u64(seed);
    Some(estimate(point, bootstrap_medians(ratios, &mut rng)))
}

/// Two-sided Wilcoxon signed-rank p-value of `ln(ratio)` against 0; `None` without a pair.
/// Ratios of exactly 1 carry no sign and are dropped (Wilcoxon's rule); exact distribution
/// without ties up to 60 pairs, otherwise the normal approximation with tie correction.
pub fn signed_rank_p(ratios: &[f64]) -> Option<f64> {
    if ratios.is_empty() {
        return None;
    }
    let logs: Vec<f64> = ratios
        .iter()
        .map(|r| r.ln())
        .filter(|d| *d != 0.0)
        .collect();
    if logs.is_empty() {
        return Some(1.0);
    }
    let (w_plus, ties) = positive_rank_sum(&logs);
    let n = logs.len();
    let p = if ties.is_empty() && n <= EXACT_MAX_N {
        let total = (n * (n + 1) / 2) as f64;
        exact_p(n, w_plus.min(total - w_plus) as usize)
    } else {
        normal_p(n, w_plus, &ties)
    };
    Some(p.min(1.0))
}

/// The smallest two-sided p the signed-rank test can give with `n` pairs: 2 / 2^n.
pub fn signed_rank_min_p(n: usize) -> f64 {
    (2.0 / 2f64.powi(n.min(1000) as i32)).min(1.0)
}

/// Sum of the (mid)ranks of |d| belonging to positive d, and the sizes of tie groups.
fn positive_rank_sum(d: &[f64]) -> (f64, Vec<usize>) {
    let mut abs: Vec<(f64, bool)> = d.iter().map(|x| (x.abs(), *x > 0.0)).collect();
    abs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut sum, mut ties, mut i) = (0.0, Vec::new(), 0);
    while i < abs.len() {
        let j = i + abs[i..].iter().take_while(|p| p.0 == abs[i].0).count();
        let midrank = (i + j + 1) as f64 / 2.0;
        sum += midrank * abs[i..j].iter().filter(|p| p.1).count() as f64;
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (sum, ties)
}

/// 2·P(W+ <= w) under H0: the number of sign assignments giving each rank sum, by dynamic
/// programming over the ranks 1..n.
fn exact_p(n: usize, w: usize) -> f64 {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0f64; max + 1];
    counts[0] = 1.0;
    for rank in 1..=n {
        for s in (rank..=max).rev() {
            counts[s] += counts[s - rank];
        }
    }
    let tail: f64 = counts[..=w].iter().sum();
    2.0 * tail / 2f64.powi(n as i32)
}

fn normal_p(n: usize, w_plus: f64, ties: &[usize]) -> f64 {
    let n = n as f64;
    let tie_term: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum::<f64>() / 48.0;
    let var = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_term;
    if var <= 0.0 {
        return 1.0;
    }
    let z = ((w_plus - n * (n + 1.0) / 4.0).abs() - 0.5).max(0.0) / var.sqrt();
    erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenarios_least_blocks_are_the_least_that_can_reach_alpha() {
        let n = crate::config::scenario::MIN_PAIRED_BLOCKS as usize;
        assert!(signed_rank_min_p(n) < 0.05 && signed_rank_min_p(n - 1) > 0.05);
    }

    #[test]
    fn signed_rank_matches_hand_computed_values() {
        // Five pairs all slower: W- = 0, 1 of 32 sign patterns as extreme each side.
        let all_up = [1.1, 1.2, 1.05, 1.3, 1.15];
        assert_eq!(signed_rank_p(&all_up), Some(2.0 / 32.0));
        assert_eq!(signed_rank_min_p(5), 2.0 / 32.0);
        // Six pairs, ranks of |ln r|: 1..6, the smallest one down: W- = 1; P(W <= 1) = 2/64.
        let one_down = [1.0 / 1.01, 1.02, 1.03, 1.04, 1.05, 1.06];
        let p = signed_rank_p(&one_down).unwrap();
        assert!((p - 4.0 / 64.0).abs() < 1e-12, "{p}");
        // Ratios of exactly 1 are dropped; all of them: no evidence.
        assert_eq!(signed_rank_p(&[1.0, 1.0, 1.0]), Some(1.0));
        assert_eq!(signed_rank_p(&[]), None);
    }

    #[test]
    fn a_ratio_and_its_inverse_weigh_alike() {
        let up = signed_rank_p(&[1.1, 1.2, 1.3, 0.95, 1.25, 1.15]).unwrap();
        let down = signed_rank_p(&[1.0 / 1.1, 1.0 / 1.2, 1.0 / 1.3, 1.0 / 0.95, 0.8, 1.0 / 1.15]);
        assert!((up - down.unwrap()).abs() < 1e-12);
    }

    #[test]
    fn the_paired_ratio_is_the_median_of_block_ratios() {
        let pairs = [(10.0, 11.0), (20.0, 22.0), (10.0, 10.5), (0.0, 3.0)];
        let ratios = block_ratios(&pairs);
        assert_eq!(ratios.len(), 3);
        let e = paired_ratio(&ratios, 1).unwrap();
        assert!((e.point - 1.1).abs() < 1e-12);
        assert!(e.ci_low <= e.point && e.point <= e.ci_high);
        assert_eq!(paired_ratio(&[], 1), None);
    }
}
