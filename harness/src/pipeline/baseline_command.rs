//! `sparkmodes baseline save | list | show`: a run's records kept under a name (criterion-style
//! folders, `output::baseline`). A name is a [`Name`]; saving over an existing baseline needs
//! `--replace`, so a typo cannot silently destroy the reference a gate compares with.

use std::path::PathBuf;

use crate::config::Name;
use crate::error::{after_outputs, Error, Exit, Result};
use crate::output::baseline;
use crate::output::run_set::RunSet;

#[derive(clap::Subcommand, Debug)]
pub enum BaselineAction {
    /// Store a run's records and statistics as a named baseline.
    Save {
        /// Letters, digits, '.', '_', '-'.
        name: Name,
        run_dir: PathBuf,
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
        /// Overwrite a baseline of that name (without it, an existing one is refused).
        #[arg(long)]
        replace: bool,
    },
    /// List the saved baselines.
    List {
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
    },
    /// Show a baseline's cells with their medians.
    Show {
        name: Name,
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
    },
}

/// Exit 0, 2 (bad name, unreadable run directory, an existing baseline without `--replace`,
/// an unreadable baseline), 5 (the baseline could not be written).
pub fn baseline(action: BaselineAction) -> Result<Exit> {
    let input = |e: anyhow::Error| Error::input(format!("{e:#}"));
    match action {
        BaselineAction::Save {
            name,
            run_dir,
            baselines,
            replace,
        } => save(&name, &run_dir, &baselines, replace),
        BaselineAction::List { baselines } => {
            for m in baseline::list(&baselines).map_err(input)? {
                let (name, cells) = (&m.name, m.cells.len());
                println!("{name:<24} {cells:>3} cells  {}  {}", m.saved_at, m.source);
            }
            Ok(Exit::Ok)
        }
        BaselineAction::Show { name, baselines } => {
            println!(
                "{}",
                baseline::show(&baselines, name.as_str()).map_err(input)?
            );
            Ok(Exit::Ok)
        }
    }
}

fn save(
    name: &Name,
    run_dir: &std::path::Path,
    root: &std::path::Path,
    replace: bool,
) -> Result<Exit> {
    crate::files::check_output_dir(root)
        .map_err(|e| Error::input(format!("--baselines {e}: pass a writable directory")))?;
    let set = RunSet::open_run_dir(run_dir).map_err(Error::input)?;
    set.say_notes();
    if set.records.is_empty() {
        return Err(Error::input(format!(
            "{} holds no run records to save",
            set.path.display()
        )));
    }
    let dest = root.join(name);
    if dest.exists() && !replace {
        return Err(Error::input(format!(
            "baseline `{name}` already exists in {}: pass --replace to overwrite it, or choose another name",
            root.display()
        )));
    }
    let saved = baseline::save(root, name.as_str(), run_dir, &set.records);
    let cells = saved.as_ref().map_or(0, |m| m.cells.len());
    let exit = after_outputs(Exit::Ok, saved.map(|_| ()))?;
    println!(
        "saved baseline {name} ({cells} cells) in {}",
        dest.display()
    );
    Ok(exit)
}
