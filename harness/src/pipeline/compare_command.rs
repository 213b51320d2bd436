//! `sparkmodes compare <baseline> <candidate>`: the gate. Both sides enter through the run-set
//! door; the verdict is printed, then the comparison's files are written into the candidate
//! (compare.md/json, the chart, junit-compare.xml, the trackers, the step summary).

use std::path::{Path, PathBuf};

use crate::config::Threshold;
use crate::error::{after_outputs, Error, Exit, Result};
use crate::output::baseline;
use crate::output::compare::{self, CompareOptions, Comparison};
use crate::output::export::{step_summary, trackers, JunitReport};
use crate::output::run_set::{refuse_shared_runs, RunSet};

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The baseline: a saved baseline's name, or a run directory or baseline folder.
    pub baseline: String,
    /// The candidate: a run directory (or a baseline folder).
    pub candidate: PathBuf,
    /// Smallest relative change called faster/slower: a fraction in (0, 1].
    #[arg(long, default_value_t = Threshold::DEFAULT)]
    pub threshold: Threshold,
    /// Fail (exit 3) when a cell's minimum detectable effect is larger than this: the runs
    /// were too few or too noisy for the verdict to mean anything. A fraction in (0, 1].
    #[arg(long)]
    pub require_mde: Option<Threshold>,
    /// Where baselines are kept.
    #[arg(long, default_value = baseline::DEFAULT_ROOT)]
    pub baselines: PathBuf,
}

/// Exit 0 (no cell slower, nothing wrong), 3 (a wrong result, a refusal change, a baseline cell
/// the candidate has no measurement for, nothing compared, or a cell noisier than
/// `--require-mde`), 4 (a cell slower), 2 (bad
/// input), 5 (the verdict stands but a file could not be written).
pub fn compare(args: CompareArgs) -> Result<Exit> {
    let base_path = baseline::resolve(&args.baselines, &args.baseline);
    let b = RunSet::open(&base_path).map_err(Error::input)?;
    let c = RunSet::open(&args.candidate).map_err(Error::input)?;
    b.say_notes();
    c.say_notes();
    refuse_shared_runs(&b, &c).map_err(Error::input)?;
    let opts = CompareOptions {
        threshold: args.threshold,
        require_mde: args.require_mde,
        ..CompareOptions::default()
    };
    let mut comparison = compare::compare(&b.records, &c.records, &opts);
    let defaults = |set: &RunSet| {
        crate::infra::sql_defaults::read(&set.path).unwrap_or_else(|e| {
            eprintln!("sparkmodes: note: {e}; its SQL defaults are left out");
            Default::default()
        })
    };
    comparison.attach_defaults(&defaults(&b), &defaults(&c));
    comparison.baseline = args.baseline.clone();
    comparison.candidate = args.candidate.display().to_string();
    println!("{}", comparison.to_terminal_table());
    if let Some(gap) = comparison.gap() {
        eprintln!("sparkmodes: the gate fails: {gap}");
    }
    let verdict = comparison.exit();
    after_outputs(verdict, write(&args.candidate, &comparison, &b, &c))
}

fn write(dir: &Path, comparison: &Comparison, b: &RunSet, c: &RunSet) -> anyhow::Result<()> {
    compare::write_outputs(dir, comparison, &b.records, &c.records)?;
    trackers::write_all(dir, &c.records)?;
    let mut junit = JunitReport::new("compare");
    for case in compare::junit_cases(comparison) {
        junit.push(case);
    }
    junit.write(&dir.join("junit-compare.xml"))?;
    step_summary::append(step_summary::target().as_deref(), &comparison.to_markdown())?;
    Ok(())
}
