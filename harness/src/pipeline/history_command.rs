//! `sparkmodes history <dirs…>`: each cell's median over runs and baselines in start-time order,
//! and where `compare` would have said `slower`. Every point enters through the run-set door;
//! the same runs given twice (one directory twice, or a run beside the baseline saved from it)
//! are refused, since each point would be compared with itself.

use std::path::PathBuf;

use crate::config::Threshold;
use crate::error::{after_outputs, Error, Exit, Result};
use crate::output::compare::CompareOptions;
use crate::output::export::step_summary;
use crate::output::history::{self, History};

#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    /// Run directories, baseline folders, or folders of them (e.g. reports/baselines).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where history.md, history.json, history.html and charts/history.{svg,png} are written.
    #[arg(long, default_value = "reports/history")]
    pub output: PathBuf,
    /// Smallest relative change called slower: a fraction in (0, 1].
    #[arg(long, default_value_t = Threshold::DEFAULT)]
    pub threshold: Threshold,
}

/// Exit 0 once the history is printed and written, 2 when an input cannot be read (or holds
/// the same runs as another), 5 when a file could not be written.
pub fn history(args: HistoryArgs) -> Result<Exit> {
    crate::files::check_output_dir(&args.output)
        .map_err(|e| Error::input(format!("--output {e}: pass a writable directory")))?;
    let paths = history::expand(&args.dirs).map_err(|e| Error::input(format!("{e:#}")))?;
    let points = history::load_points(&paths).map_err(Error::input)?;
    let opts = CompareOptions {
        threshold: args.threshold,
        ..CompareOptions::default()
    };
    let h = history::build(&points, &opts);
    println!("{}", h.to_terminal_table());
    let exit = after_outputs(Exit::Ok, write(&args, &h))?;
    println!(
        "history  {}",
        args.output.join(history::HISTORY_MD).display()
    );
    println!(
        "page     {}",
        args.output.join(history::HISTORY_HTML).display()
    );
    Ok(exit)
}

fn write(args: &HistoryArgs, h: &History) -> anyhow::Result<()> {
    history::write_outputs(&args.output, h)?;
    step_summary::append(step_summary::target().as_deref(), &h.to_markdown())?;
    Ok(())
}
