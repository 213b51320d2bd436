//! The paired comparison of an interleaved run: both arms ran in the same blocks (one run
//! each, back to back, in a seeded random order), so the ratio within each block cancels the
//! drift the two runs shared. Pairs are matched on (run id, block): only runs of one run
//! directory pair up, and only those the interleaved runner numbered.
//!
//! When a cell has at least [`super::MIN_SAMPLES`] pairs, its timing verdict is the paired one
//! (same rule, [`super::timing_verdict`], on the median block ratio and the signed-rank p);
//! the unpaired ratio and p stay in the row beside it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::measure::record::RunRecord;
use crate::measure::stats::{self, Estimate};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PairedComparison {
    /// Blocks in which both arms have a measured run.
    pub blocks: usize,
    /// Median of candidate/baseline within each block, with a 95 % bootstrap CI.
    pub ratio: Estimate,
    /// Two-sided Wilcoxon signed-rank p of the log ratios.
    pub p_value: f64,
}

/// The paired comparison of two cells' runs; `None` when no block has both arms measured.
pub fn compare_paired(
    base: &[&RunRecord],
    cand: &[&RunRecord],
    seed: u64,
) -> Option<PairedComparison> {
    let (b, c) = (by_block(base), by_block(cand));
    let pairs: Vec<(f64, f64)> = b
        .iter()
        .filter_map(|(k, wall)| Some((*wall, *c.get(k)?)))
        .collect();
    let ratios = stats::block_ratios(&pairs);
    Some(PairedComparison {
        blocks: ratios.len(),
        ratio: stats::paired_ratio(&ratios, seed)?,
        p_value: stats::signed_rank_p(&ratios)?,
    })
}

/// Measured walls by (run id, block); a re-run after a spoiled attempt replaces it.
fn by_block<'a>(runs: &[&'a RunRecord]) -> BTreeMap<(&'a str, u32), f64> {
    runs.iter()
        .filter(|r| r.is_measurement())
        .filter_map(|r| Some(((r.run_id.as_str(), r.block?), r.wall_s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(run_id: &str, block: Option<u32>, wall_s: f64) -> RunRecord {
        RunRecord {
            run_id: run_id.into(),
            block,
            rep: block.unwrap_or(0),
            wall_s,
            ..RunRecord::example()
        }
    }

    #[test]
    fn pairs_are_matched_on_run_and_block_only() {
        let base = [
            run("a", Some(0), 10.0),
            run("a", Some(1), 20.0),
            run("a", None, 9.0),
        ];
        let cand = [
            run("a", Some(0), 11.0),
            run("a", Some(1), 22.0),
            run("b", Some(0), 1.0),
        ];
        let (b, c): (Vec<&RunRecord>, Vec<&RunRecord>) =
            (base.iter().collect(), cand.iter().collect());
        let p = compare_paired(&b, &c, 1).unwrap();
        assert_eq!(p.blocks, 2);
        assert!((p.ratio.point - 1.1).abs() < 1e-12);
        assert_eq!(compare_paired(&b[2..], &c, 1), None);
    }

    #[test]
    fn a_drift_shared_by_both_arms_cancels_in_the_pairs() {
        // The machine slows down over the run; the candidate is 5 % slower in every block.
        let drift = [10.0, 11.0, 12.5, 14.0, 16.0, 18.0, 20.0, 22.0];
        let base: Vec<RunRecord> = (0..8)
            .map(|i| run("r", Some(i), drift[i as usize]))
            .collect();
        let cand: Vec<RunRecord> = (0..8)
            .map(|i| run("r", Some(i), drift[i as usize] * 1.05))
            .collect();
        let (b, c): (Vec<&RunRecord>, Vec<&RunRecord>) =
            (base.iter().collect(), cand.iter().collect());
        let p = compare_paired(&b, &c, 1).unwrap();
        assert!((p.ratio.ci_low - 1.05).abs() < 1e-9 && (p.ratio.ci_high - 1.05).abs() < 1e-9);
        assert!(p.p_value < 0.01, "{p:?}");
        let unpaired = stats::ratio_of_medians(&drift.map(|x| x * 1.05), &drift, 1).unwrap();
        assert!(
            unpaired.ci_low < 1.0,
            "the drift hides the change unpaired: {unpaired:?}"
        );
    }
}
