//! The driver-memory frontier search (`[frontier]` in a scenario): for each line — a driver
//! memory × Arrow arm × mode × app on one stack — bisection over real runs on the grid
//! `low, low + step, …, high` finds the largest element count that still completes. The probes
//! are ordinary runs: judged, diagnosed and recorded the moment they end, each with the
//! scenario's timeout. A grid of n steps takes at most ⌈log2 n⌉ + 1 runs per line (2 when n
//! is 1): the bisection, plus the one end of the range it never reached.

use std::path::Path;

use crate::config::plan::{self, Plan, PlannedRun};
use crate::config::scenario::FrontierSpec;
use crate::error::Result;
use crate::exec::matrix::{run_one, start_group, Backend};
use crate::measure::record::RunRecord;
use crate::output::export::RecordSink;
use crate::progress;

/// The element counts a search may probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub low: u64,
    pub high: u64,
    pub step: u64,
}

impl Grid {
    pub fn of(spec: &FrontierSpec) -> Grid {
        Grid {
            low: spec.low,
            high: spec.high,
            step: spec.step.max(1),
        }
    }

    /// Steps from `low` to `high`; the last one may be shorter.
    pub fn steps(&self) -> u64 {
        self.high.saturating_sub(self.low).div_ceil(self.step)
    }

    /// The i-th point of the grid (`high` at the last).
    pub fn at(&self, i: u64) -> u64 {
        self.low
            .saturating_add(i.saturating_mul(self.step))
            .min(self.high)
    }

    /// The most runs a search of this grid takes.
    pub fn max_runs(&self) -> u32 {
        match self.steps() {
            0 => 1,
            1 => 2,
            n => u64::BITS - (n - 1).leading_zeros() + 1,
        }
    }
}

/// Where a line's frontier lies on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frontier {
    /// `completed` ran, the next grid point `failed` did not.
    Between { completed: u64, failed: u64 },
    /// Even `high` completed: the frontier is above the range.
    AboveRange { completed: u64 },
    /// Even `low` failed: the frontier is below the range.
    BelowRange { failed: u64 },
}

/// A search's answer and what it cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Search {
    pub frontier: Frontier,
    pub runs: u32,
}

/// Bisection for the last grid point that completes, assuming counts complete up to some
/// boundary and fail beyond it. `completes` runs one probe; its error stops the search.
pub fn search<E>(
    grid: &Grid,
    mut completes: impl FnMut(u64) -> std::result::Result<bool, E>,
) -> std::result::Result<Search, E> {
    let mut runs = 0;
    let mut probe = |i: u64| {
        runs += 1;
        completes(grid.at(i))
    };
    let (mut lo, mut hi) = (0, grid.steps());
    let (mut lo_seen, mut hi_seen) = (false, false);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match probe(mid)? {
            true => (lo, lo_seen) = (mid, true),
            false => (hi, hi_seen) = (mid, true),
        }
    }
    let frontier = if !lo_seen && !probe(lo)? {
        Frontier::BelowRange {
            failed: grid.at(lo),
        }
    } else if hi == lo || (!hi_seen && probe(hi)?) {
        Frontier::AboveRange {
            completed: grid.at(hi),
        }
    } else {
        Frontier::Between {
            completed: grid.at(lo),
            failed: grid.at(hi),
        }
    };
    Ok(Search { frontier, runs })
}

/// Runs the search of every line of a frontier scenario's plan, one cluster per group as the
/// matrix does. A probe `done` already holds (a resumed search) is answered from its record.
pub fn run_search(
    backend: &mut dyn Backend,
    plan: &Plan,
    spec: &FrontierSpec,
    run_dir: &Path,
    done: &[RunRecord],
) -> Result<Vec<RunRecord>> {
    let grid = Grid::of(spec);
    let lines = lines_of(plan, &grid);
    let mut sink = RecordSink::open(run_dir)?;
    let bar = progress::matrix(lines.len() as u64 * u64::from(grid.max_runs()));
    let mut records = Vec::new();
    for (key, group) in plan::groups_of(&lines) {
        start_group(backend, &key, &group[0], &bar)?;
        let mut searched = Ok(());
        for line in group {
            let mut probe = |elements| {
                let run = PlannedRun {
                    elements,
                    ..line.clone()
                };
                match done.iter().find(|r| r.cell() == run.cell() && !r.warmup) {
                    Some(rec) => Ok(rec.completed()),
                    None => {
                        // The search picks its next probe from this one: always restore.
                        run_one(backend, &run, true, &mut sink, &bar, &mut records)
                            .map(|r| r.completed())
                    }
                }
            };
            if let Err(e) = search(&grid, &mut probe) {
                searched = Err(e);
                break;
            }
        }
        backend.end_group();
        searched?;
    }
    bar.finish_and_clear();
    Ok(records)
}

/// One planned run per line (the plan's runs at `high`), in plan order.
fn lines_of(plan: &Plan, grid: &Grid) -> Vec<PlannedRun> {
    plan.runs()
        .iter()
        .filter(|r| r.elements == grid.high && !r.warmup)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests;
