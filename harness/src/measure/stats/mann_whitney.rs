//! The Mann–Whitney U rank test: does one sample tend to be larger than the other, without
//! assuming either is normal (run times are skewed and have outliers).

/// Largest side for which the exact U distribution is used (counts stay well inside i128).
const EXACT_MAX_N: usize = 50;

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

/// The smallest two-sided p-value the exact test can give with these sides (complete
/// separation): 2 / C(n1+n2, n1). At or above alpha, no difference can be called at all.
pub fn mann_whitney_min_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    let (k, n) = (n1.min(n2), n1 + n2);
    let choose = (0..k).fold(1.0f64, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
    (2.0 / choose).min(1.0)
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
pub(super) fn erfc(x: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
