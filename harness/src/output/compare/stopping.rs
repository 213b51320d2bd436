//! When adaptive repetitions (`repetitions = "auto"`) may stop adding blocks: once every
//! compared cell's paired ratio CI lies clearly inside the ±threshold band (any change is
//! smaller than the threshold) or clearly outside it (the change is beyond it), or at the
//! maximum. A CI that straddles either edge of the band never stops the run early: one more
//! block could still move the verdict.

use super::{CellComparison, CompareOptions, Comparison};
use crate::measure::stats::{self, Estimate};

/// Why the interleaved runner stops or goes on after a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every compared cell's CI is decided; the cells are listed with how.
    Settled(String),
    /// The planned maximum of blocks is done.
    Maximum,
    /// At least one cell's CI straddles an edge of the band (named).
    Continue(String),
}

/// The CI is entirely inside `[1/(1+t), 1+t]` or entirely outside it.
pub fn settled(ratio: &Estimate, opts: &CompareOptions) -> bool {
    let upper = 1.0 + opts.threshold.get();
    let lower = 1.0 / upper;
    let inside = ratio.ci_low >= lower && ratio.ci_high <= upper;
    let outside = ratio.ci_low > upper || ratio.ci_high < lower;
    inside || outside
}

/// Enough blocks for the signed-rank test to reach alpha at all (6 at 0.05): before that a CI
/// outside the band would still end `inconclusive`.
fn can_call(blocks: usize, opts: &CompareOptions) -> bool {
    blocks >= super::MIN_SAMPLES && stats::signed_rank_min_p(blocks) < opts.alpha
}

/// The decision after `blocks_done` of `max_blocks` blocks, over the run's comparisons.
pub fn decide(comparisons: &[Comparison], blocks_done: u32, max_blocks: u32) -> Stop {
    if blocks_done >= max_blocks {
        return Stop::Maximum;
    }
    let mut open = Vec::new();
    let mut cells = 0;
    for c in comparisons {
        // Timed cells only: a refusal cell has no timing to settle.
        let timed = |r: &&CellComparison| {
            r.candidate_key.is_some() && r.baseline_key.as_ref().is_some_and(|k| k.mode.computes())
        };
        for row in c.rows.iter().filter(timed) {
            cells += 1;
            match &row.paired {
                Some(p) if can_call(p.blocks, &c.options) && settled(&p.ratio, &c.options) => {}
                _ => open.push(row.cell.clone()),
            }
        }
    }
    if cells == 0 || !open.is_empty() {
        let what = if open.is_empty() {
            "nothing compared yet".into()
        } else {
            open.join(", ")
        };
        return Stop::Continue(what);
    }
    Stop::Settled(format!(
        "{cells} cell(s) decided after {blocks_done} blocks"
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::output::compare::{PairedComparison, Verdict};

    fn row(lo: f64, hi: f64, blocks: usize) -> CellComparison {
        let ratio = Estimate {
            point: (lo * hi).sqrt(),
            std_err: 0.0,
            ci_low: lo,
            ci_high: hi,
            confidence: 0.95,
        };
        CellComparison {
            cell: format!("[{lo}, {hi}]"),
            baseline_key: Some(crate::measure::record::RunRecord::example().cell()),
            candidate_key: Some(crate::measure::record::RunRecord::example().cell()),
            n_baseline: blocks,
            n_candidate: blocks,
            baseline_median: None,
            candidate_median: None,
            ratio: None,
            p_value: None,
            verdict: Verdict::Inconclusive,
            note: None,
            phases: Vec::new(),
            where_slower: None,
            paired: Some(PairedComparison {
                blocks,
                ratio,
                p_value: 0.01,
            }),
            mde: None,
            explanation: None,
        }
    }

    fn comparison(rows: Vec<CellComparison>) -> Vec<Comparison> {
        vec![Comparison {
            baseline: "a".into(),
            candidate: "b".into(),
            options: CompareOptions::default(),
            rows,
        }]
    }

    #[test]
    fn inside_outside_and_straddling_by_hand() {
        let at = |lo, hi| decide(&comparison(vec![row(lo, hi, 8)]), 8, 20);
        assert!(matches!(at(0.95, 1.05), Stop::Settled(_)));
        assert!(matches!(at(1.15, 1.30), Stop::Settled(_)));
        assert!(matches!(at(0.70, 0.85), Stop::Settled(_)));
        assert_eq!(at(1.05, 1.15), Stop::Continue("[1.05, 1.15]".into()));
        assert_eq!(at(0.85, 0.95), Stop::Continue("[0.85, 0.95]".into()));
        // Five blocks cannot give p < 0.05: never settled on them, however tight the CI.
        assert!(matches!(
            decide(&comparison(vec![row(0.99, 1.01, 5)]), 5, 20),
            Stop::Continue(_)
        ));
        assert!(matches!(
            decide(&comparison(vec![]), 3, 20),
            Stop::Continue(_)
        ));
    }

    proptest! {
        /// A CI that crosses an edge of the band never stops the run before the maximum.
        #[test]
        fn never_stops_on_a_ci_straddling_the_band(
            edge_up in any::<bool>(), below in 0.001f64..0.5, above in 0.001f64..0.5,
            blocks in 6usize..200, done in 0u32..100,
        ) {
            let edge = if edge_up { 1.1 } else { 1.0 / 1.1 };
            let r = row(edge - below.min(edge - 0.01), edge + above, blocks);
            let stop = decide(&comparison(vec![row(1.0, 1.01, blocks), r]), done, 100);
            prop_assert!(matches!(stop, Stop::Continue(_)), "{stop:?}");
        }

        /// At the maximum it always stops, whatever the CIs say.
        #[test]
        fn always_stops_at_the_maximum(lo in 0.1f64..2.0, w in 0.0f64..2.0, max in 1u32..1000, extra in 0u32..5) {
            let stop = decide(&comparison(vec![row(lo, lo + w, 3)]), max + extra, max);
            prop_assert_eq!(stop, Stop::Maximum);
        }
    }
}
