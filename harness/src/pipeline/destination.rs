//! Where a run's records go: a new `reports/<run-id>` directory, or the one being resumed.
//! Checked without creating anything (preflight), created only once every check passed.

use std::path::{Path, PathBuf};

use super::PipelineOptions;
use crate::config::Name;
use crate::error::{Error, Result};
use crate::measure::record::RunRecord;
use crate::output::run_set::RunSet;

/// Where the records go: a new run directory (not created yet), or one being resumed.
pub enum Destination {
    New {
        id: String,
    },
    Resume {
        id: String,
        dir: PathBuf,
        done: Vec<RunRecord>,
    },
}

/// Checks the run id and `--output` (or the run being resumed) without creating anything.
pub fn check(opts: &PipelineOptions) -> Result<Destination> {
    if let Some(id) = &opts.resume {
        return check_resume(opts, id);
    }
    let id = match &opts.run_id {
        Some(id) => id.clone(),
        None => default_run_id(&opts.scenario.name)?,
    };
    check_new_run_dir(&opts.reports, &id)?;
    Ok(Destination::New { id: id.to_string() })
}

/// `<scenario>-YYYYMMDD-HHMMSS`: a [`Name`], since scenario names leave room for the stamp.
fn default_run_id(scenario: &str) -> Result<Name> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    format!("{scenario}-{stamp}").parse().map_err(|e| {
        Error::input(format!(
            "the default run id from scenario `{scenario}` {e}: pass --run-id"
        ))
    })
}

/// The run directory being resumed: a directory of this `--output`, its records read through the
/// run-set door, made by the same scenario.
fn check_resume(opts: &PipelineOptions, id: &Name) -> Result<Destination> {
    let dir = opts.reports.join(id);
    let cannot = |why: String| Error::input(format!("cannot resume {id}: {why}"));
    match std::fs::metadata(&dir) {
        Err(_) => {
            return Err(cannot(format!(
                "no run directory {} (is --output the one the run used?)",
                dir.display()
            )))
        }
        Ok(m) if !m.is_dir() => {
            return Err(cannot(format!("{} is not a run directory", dir.display())))
        }
        Ok(_) => {}
    }
    let dir = dir
        .canonicalize()
        .map_err(|e| cannot(format!("{}: {e}", dir.display())))?;
    let set = RunSet::open_run_dir(&dir).map_err(cannot)?;
    set.say_notes();
    if let Some(other) = set
        .records
        .iter()
        .find(|r| r.scenario != opts.scenario.name)
    {
        return Err(cannot(format!(
            "it ran scenario `{}`, not `{}`: pass the same scenario (and flags) as the first run",
            other.scenario, opts.scenario.name
        )));
    }
    Ok(Destination::Resume {
        id: id.to_string(),
        dir,
        done: set.records,
    })
}

/// Checks, creating nothing, that `create(reports, run_id)` can succeed: its directory does not
/// exist yet, and `reports` is (or can become) a writable directory. Run before anything
/// expensive so bad input fails fast and leaves no trace.
fn check_new_run_dir(reports: &Path, run_id: &Name) -> Result<()> {
    refuse_existing(&reports.join(run_id), run_id.as_str())?;
    check_writable(reports)
}

fn refuse_existing(dir: &Path, run_id: &str) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => Err(Error::input(format!(
            "{} already exists: pass --resume {run_id} to complete it, or choose another --run-id",
            dir.display()
        ))),
        Ok(_) => Err(Error::input(format!(
            "{} already exists and is not a run directory: choose another --run-id (or --output)",
            dir.display()
        ))),
    }
}

/// `--output` must be a directory we can create directories in, or be creatable itself.
fn check_writable(reports: &Path) -> Result<()> {
    crate::files::check_output_dir(reports).map_err(|e| {
        Error::input(format!(
            "--output {}: {e}: pass --output with a writable directory",
            reports.display()
        ))
    })
}

/// `reports/<run-id>` for a new run; refuses to reuse an existing one (that is `--resume`).
pub fn create(reports: &Path, run_id: &str) -> Result<PathBuf> {
    let dir = reports.join(run_id);
    refuse_existing(&dir, run_id)?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::setup(format!(
            "cannot create the run directory {}: {e} (pass --output to write elsewhere)",
            dir.display()
        ))
    })?;
    // Absolute: the path is handed to processes and containers that do not share our cwd.
    Ok(dir.canonicalize()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_run_dir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("r1")).unwrap();
        let e = create(dir.path(), "r1").unwrap_err().to_string();
        assert!(e.contains("--resume r1"), "{e}");
    }

    #[test]
    fn check_new_run_dir_accepts_an_output_to_be_made_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let r1: Name = "r1".parse().unwrap();
        check_new_run_dir(&dir.path().join("a").join("b"), &r1).unwrap();
        check_new_run_dir(dir.path(), &r1).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn check_new_run_dir_refuses_what_new_run_dir_would() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("r1")).unwrap();
        let (r1, r2): (Name, Name) = ("r1".parse().unwrap(), "r2".parse().unwrap());
        let e = check_new_run_dir(dir.path(), &r1).unwrap_err().to_string();
        assert!(e.contains("--resume r1"), "{e}");
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = check_new_run_dir(dir.path(), &"f".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("is not a run directory: choose another --run-id (or --output)"),
            "{e}"
        );
        let e = check_new_run_dir(&file, &r2).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "is a regular file, not a directory: pass --output with a writable directory"
            ),
            "{e}"
        );
    }
}
