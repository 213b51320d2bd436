//! The `sparkmodes` command line: parse, dispatch each subcommand to its library function in
//! [`crate::pipeline`], and turn what comes back into the exit code (errors through
//! [`Error::exit`], the one mapping). A flag clap refuses is one line and exit 2, like every
//! other bad input.

use clap::{Parser, Subcommand};

use crate::error::{Error, Exit, Result};
use crate::infra::reaper;
use crate::pipeline::baseline_command::{self, BaselineAction};
use crate::pipeline::cluster_command::{self, ClusterAction};
use crate::pipeline::compare_command::{self, CompareArgs};
use crate::pipeline::doctor::{self, DoctorArgs};
use crate::pipeline::history_command::{self, HistoryArgs};
use crate::pipeline::images_command::{self, ImagesAction};
use crate::pipeline::report_command::{self, ReportArgs};
use crate::pipeline::run_command::{self, RunArgs};
use crate::progress;

const EXIT_CODES: &str = "Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result, broken promise or nothing to vouch for, 4 performance regression, 5 verdict printed but an output not written; 101 a panic, 130/143 SIGINT/SIGTERM (README: exit codes per subcommand).";

#[derive(Parser, Debug)]
#[command(
    name = "sparkmodes",
    version,
    about = "Test and benchmark the ways a PySpark app can be deployed against a Spark standalone cluster",
    after_help = "Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result, broken promise or nothing to vouch for, 4 performance regression, 5 verdict printed but an output not written; 101 a panic, 130/143 SIGINT/SIGTERM (README: exit codes per subcommand).\n\
Environment: SPARKMODES_KEEP=1 keeps containers for debugging; SPARKMODES_CACHE sets the cache directory; GITHUB_STEP_SUMMARY (set by GitHub Actions) gets the run's or comparison's Markdown appended."
)]
pub struct Cli {
    /// No progress bars (for CI logs).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario's matrix (the built-in `default` when none is given), check every
    /// result, and write records and a report to reports/<run-id>/.
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Re-render report.html, summary.md and the charts of a run directory from its records.
    Report(ReportArgs),
    /// Compare a candidate run with a baseline (a saved baseline name, or a run directory).
    Compare(CompareArgs),
    /// Each cell's median wall time over runs and baselines (in start-time order), with the
    /// points where compare would say slower: a table, history.md/json/html and a chart.
    History(HistoryArgs),
    /// Save, list or show baselines.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Build, list or prune the images sparkmodes makes for itself.
    Images {
        #[command(subcommand)]
        action: ImagesAction,
    },
    /// Check, without starting a matrix, whether this machine can run a Spark line (and, with
    /// --master, whether the cluster's Spark matches): one line per check with the fix.
    Doctor(DoctorArgs),
    /// Start a cluster and keep it up until Ctrl-C.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
}

pub fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return refused_by_clap(e),
    };
    progress::set_quiet(cli.quiet || std::env::var_os("CI").is_some());
    reaper::install_panic_hook();
    if let Err(e) = reaper::install_signal_handlers() {
        eprintln!("sparkmodes: cannot watch for signals: {e}");
    }
    match dispatch(cli.command) {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("sparkmodes: error: {e}");
            e.exit()
        }
    }
}

fn dispatch(command: Command) -> Result<Exit> {
    match command {
        Command::Run(args) => run_command::run(args),
        Command::Report(args) => report_command::report(args),
        Command::Compare(args) => compare_command::compare(args),
        Command::History(args) => history_command::history(args),
        Command::Baseline { action } => baseline_command::baseline(action),
        Command::Images { action } => images_command::images(action),
        Command::Doctor(args) => doctor::doctor(args),
        Command::Cluster { action } => cluster_command::cluster(action),
    }
}

/// `--help` and `--version` print and exit 0; anything clap refuses is one line naming the
/// flag and what it takes, exit 2, as every other bad input.
fn refused_by_clap(e: clap::Error) -> Exit {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return Exit::Ok;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = e.print();
        return Exit::Setup;
    }
    // The message is what clap says before its tips (a blank line), on one line: a value with a
    // newline or an escape in it is shown escaped, never split or replayed to the terminal.
    let text = e.to_string();
    let said = text.split("\n\n").next().unwrap_or_default();
    let said = said.strip_prefix("error: ").unwrap_or(said);
    let msg: String = said.chars().flat_map(char::escape_debug).collect();
    let msg = msg.replace("\\'", "'").replace("\\\"", "\"");
    let err = Error::input(format!("{msg} (see --help)"));
    eprintln!("sparkmodes: error: {err}");
    err.exit()
}
