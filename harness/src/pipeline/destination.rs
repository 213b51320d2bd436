//! Where a run's records go: a new `reports/<run-id>` directory, or the one being resumed.
//! Checked without creating anything (preflight), created only once every check passed.

use std::path::{Path, PathBuf};

use super::PipelineOptions;
use crate::error::{Error, Result};
use crate::measure::record::{self, RunRecord};

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
        check_run_id("--resume", id)?;
        let dir = opts.reports.join(id);
        if !dir.is_dir() {
            return Err(Error::setup(format!(
                "cannot resume {id}: no run directory {} (is --output the one the run used?)",
                dir.display()
            )));
        }
        let dir = dir
            .canonicalize()
            .map_err(|e| Error::setup(format!("cannot resume {id}: {}: {e}", dir.display())))?;
        let done = record::load_records(&dir)
            .map_err(|e| Error::setup(format!("cannot resume {id}: {e}")))?;
        if let Some(other) = done.iter().find(|r| r.scenario != opts.scenario.name) {
            return Err(Error::setup(format!(
                "cannot resume {id}: it ran scenario `{}`, not `{}`: pass the same scenario (and flags) as the first run",
                other.scenario, opts.scenario.name
            )));
        }
        return Ok(Destination::Resume {
            id: id.clone(),
            dir,
            done,
        });
    }
    let id = opts.run_id.clone().unwrap_or_else(|| {
        format!(
            "{}-{}",
            opts.scenario.name,
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        )
    });
    check_new_run_dir(&opts.reports, &id)?;
    Ok(Destination::New { id })
}

/// Checks, creating nothing, that `create(reports, run_id)` can succeed: the id is one
/// plain name, its directory does not exist yet, and `reports` is (or can become) a writable
/// directory. Run before anything expensive so bad input fails fast and leaves no trace.
fn check_new_run_dir(reports: &Path, run_id: &str) -> Result<()> {
    check_run_id("--run-id", run_id)?;
    refuse_existing(&reports.join(run_id), run_id)?;
    check_writable(reports)
}

/// A run id names one directory under `--output`, never a path out of it.
pub fn check_run_id(flag: &str, run_id: &str) -> Result<()> {
    // NAME_MAX on every Linux filesystem sparkmodes writes to.
    if run_id.len() > 255 {
        return Err(Error::setup(format!(
            "{flag} is {} bytes long: a directory name holds at most 255",
            run_id.len()
        )));
    }
    let mut parts = Path::new(run_id).components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(_)), None) => Ok(()),
        _ => Err(Error::setup(format!(
            "{flag} `{run_id}` must be a plain directory name, not a path"
        ))),
    }
}

fn refuse_existing(dir: &Path, run_id: &str) -> Result<()> {
    if dir.exists() {
        return Err(Error::setup(format!(
            "{} already exists: pass --resume {run_id} to complete it, or choose another --run-id",
            dir.display()
        )));
    }
    Ok(())
}

/// `--output` must be a directory we can create directories in, or be creatable itself:
/// the nearest existing ancestor is probed with an empty directory, removed at once.
fn check_writable(reports: &Path) -> Result<()> {
    let existing = reports
        .ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let at = if existing == reports {
        String::new()
    } else {
        format!(": {}", existing.display())
    };
    if !existing.is_dir() {
        return Err(Error::setup(format!(
            "--output {}{at} is not a directory: pass --output with a writable directory",
            reports.display()
        )));
    }
    let probe = existing.join(format!(".sparkmodes-probe-{}", std::process::id()));
    match std::fs::create_dir(&probe) {
        Ok(()) => Ok(std::fs::remove_dir(&probe)?),
        // Left by an earlier process with our pid: the directory was writable then.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::setup(format!(
            "--output {} is not writable: cannot create a directory in {}: {e}",
            reports.display(),
            existing.display()
        ))),
    }
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
        check_new_run_dir(&dir.path().join("a").join("b"), "r1").unwrap();
        check_new_run_dir(dir.path(), "r1").unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn check_new_run_dir_refuses_what_new_run_dir_would() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("r1")).unwrap();
        let e = check_new_run_dir(dir.path(), "r1").unwrap_err().to_string();
        assert!(e.contains("--resume r1"), "{e}");
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = check_new_run_dir(&file, "r2").unwrap_err().to_string();
        assert!(
            e.ends_with("is not a directory: pass --output with a writable directory"),
            "{e}"
        );
    }

    #[test]
    fn run_ids_are_plain_names() {
        check_run_id("--run-id", "smoke-20250101-120000").unwrap();
        for bad in ["", ".", "..", "a/b", "/abs", "../up"] {
            let e = check_run_id("--run-id", bad).unwrap_err().to_string();
            assert!(e.contains("plain directory name"), "{bad}: {e}");
        }
    }
}
