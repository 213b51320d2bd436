//! `sparkmodes report <run-dir>`: re-render report.html, summary.md, the charts and the tracker
//! files of a run directory from its records alone (read through the run-set door).

use std::path::{Path, PathBuf};

use crate::error::{after_outputs, Error, Exit, Result};
use crate::output::report;
use crate::output::run_set::RunSet;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The run directory (it holds runs.jsonl).
    pub run_dir: PathBuf,
}

/// Exit 0 when the report was written, 2 when the directory holds no readable records, 5 when
/// a file of the report could not be written.
pub fn report(args: ReportArgs) -> Result<Exit> {
    let set = RunSet::open_run_dir(&args.run_dir).map_err(Error::input)?;
    set.say_notes();
    if set.records.is_empty() {
        return Err(Error::input(format!(
            "{} holds no run records: nothing to report",
            set.path.display()
        )));
    }
    let written = report::render_records(Path::new(&args.run_dir), &set.records);
    let files = after_outputs(Exit::Ok, written.map(|_| ()))?;
    println!("{}", args.run_dir.join(report::REPORT_HTML).display());
    Ok(files)
}
