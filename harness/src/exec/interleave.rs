//! The interleaved runner: when a scenario's arms live on different clusters (Spark versions,
//! configs, Python minors), running one arm to the end and then the other puts the machine's
//! drift on one side. Here every arm's cluster is up at once and the runs go in *blocks*: one
//! round of every arm, the arms in a seeded random order that changes from block to block.
//! Runs stay one at a time (2 cores: two at once would measure each other). Each measured run
//! carries its block (`PlannedRun::block`), which `output::compare::paired` pairs on.
//!
//! With `repetitions = "auto"` the caller's `stop` is asked after every measured block whether
//! the comparisons are decided (`output::compare::stopping`); the blocks not run are simply
//! not planned any more, and the records say how many there were.

use std::path::Path;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::config::plan::{self, GroupKey, PlannedRun};
use crate::config::Seed;
use crate::error::Result;
use crate::exec::matrix::{self, Backend};
use crate::measure::record::RunRecord;
use crate::output::compare::stopping::Stop;
use crate::output::export::RecordSink;
use crate::progress;

/// One arm: its group and its runs, split into rounds (warmups first, then measured reps).
struct Arm<'a> {
    key: GroupKey,
    rounds: Vec<&'a [PlannedRun]>,
}

/// Runs `runs` interleaved over `backends` (one per group of the plan, in plan order) and
/// appends each record to `run_dir`. `stop` is asked after each measured block (`None`: fixed
/// repetitions). Every backend's group is ended, whatever happens.
pub fn run_interleaved(
    backends: &mut [&mut dyn Backend],
    runs: &[PlannedRun],
    run_dir: &Path,
    seed: Seed,
    stop: Option<&mut dyn FnMut(u32) -> Result<Stop>>,
) -> Result<Vec<RunRecord>> {
    let arms = arms(runs);
    assert_eq!(arms.len(), backends.len(), "one backend per arm");
    let result =
        start_all(backends, &arms).and_then(|()| blocks(backends, &arms, run_dir, seed, stop));
    for b in backends.iter_mut() {
        b.end_group();
    }
    result
}

fn arms(runs: &[PlannedRun]) -> Vec<Arm<'_>> {
    plan::groups_of(runs)
        .map(|(key, group)| Arm {
            key,
            rounds: group
                .chunk_by(|a, b| (a.warmup, a.rep) == (b.warmup, b.rep))
                .collect(),
        })
        .collect()
}

fn start_all(backends: &mut [&mut dyn Backend], arms: &[Arm]) -> Result<()> {
    let bar = progress::matrix(0);
    for (backend, arm) in backends.iter_mut().zip(arms) {
        matrix::start_group(*backend, &arm.key, &arm.rounds[0][0], &bar)?;
    }
    bar.finish_and_clear();
    Ok(())
}

/// Every round key (warmups first, then measured reps), in order, over all arms.
fn round_keys(arms: &[Arm]) -> Vec<(bool, u32)> {
    let mut keys: Vec<(bool, u32)> = arms
        .iter()
        .flat_map(|a| a.rounds.iter().map(|r| (r[0].warmup, r[0].rep)))
        .collect();
    keys.sort_by_key(|&(warmup, rep)| (!warmup, rep));
    keys.dedup();
    keys
}

fn blocks(
    backends: &mut [&mut dyn Backend],
    arms: &[Arm],
    run_dir: &Path,
    seed: Seed,
    mut stop: Option<&mut dyn FnMut(u32) -> Result<Stop>>,
) -> Result<Vec<RunRecord>> {
    let mut sink = RecordSink::open(run_dir)?;
    let total: usize = arms.iter().flat_map(|a| &a.rounds).map(|r| r.len()).sum();
    let bar = progress::matrix(total as u64);
    let mut records = Vec::new();
    for (index, (warmup, rep)) in round_keys(arms).into_iter().enumerate() {
        for arm in block_order(seed, index as u64, arms.len()) {
            let Some(round) = arms[arm]
                .rounds
                .iter()
                .find(|r| (r[0].warmup, r[0].rep) == (warmup, rep))
            else {
                continue;
            };
            // Whether another block follows is decided after this one: always restore.
            matrix::run_round(backends[arm], round, false, &mut sink, &bar, &mut records)?;
        }
        if warmup {
            continue;
        }
        if let Some(stop) = stop.as_mut() {
            match stop(rep + 1)? {
                Stop::Continue(open) => {
                    progress::step(&bar, &format!("block {}: still open: {open}", rep + 1))
                }
                Stop::Settled(why) => {
                    progress::step(&bar, &format!("stopping after block {}: {why}", rep + 1));
                    break;
                }
                Stop::Maximum => break,
            }
        }
    }
    bar.finish_and_clear();
    Ok(records)
}

/// The order of the arms in block `index`: a permutation drawn from the scenario's seed and
/// the block, so a re-run (or `--resume`) repeats it and consecutive blocks differ.
pub fn block_order(seed: Seed, index: u64, arms: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..arms).collect();
    let mut rng = StdRng::seed_from_u64((seed.get() << 32) ^ index);
    order.shuffle(&mut rng);
    order
}

#[cfg(test)]
mod tests;
