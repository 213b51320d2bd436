//! The door for what `report`, `compare`, `history` and `baseline save` read: a run directory
//! (its `runs.jsonl`, through `measure::records_file`) or a saved baseline (its JSON files,
//! through `output::baseline`). Every reader gets the same policy (regular files, bounded
//! sizes, torn last lines noted, a run counted once), and two sets that share runs are refused
//! where comparing them would compare a run with itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::measure::record::{RunRecord, RUNS_JSONL};
use crate::measure::records_file;
use crate::output::baseline::{self, META_JSON};

/// The records of one run directory or baseline, as read.
#[derive(Debug)]
pub struct RunSet {
    /// The folder's own name, for tables and charts.
    pub label: String,
    pub path: PathBuf,
    pub records: Vec<RunRecord>,
    /// What the reader noticed without refusing (`sparkmodes: note: …` on stderr).
    pub notes: Vec<String>,
}

impl RunSet {
    /// A baseline folder (`meta.json`) or a run directory (`runs.jsonl`).
    pub fn open(path: &Path) -> Result<RunSet, String> {
        crate::files::require_dir(path).map_err(|e| {
            format!(
                "{e}: expected a run directory ({RUNS_JSONL}) or a baseline folder ({META_JSON})"
            )
        })?;
        let (records, notes) = if path.join(META_JSON).exists() {
            (
                baseline::load(path).map_err(|e| format!("{e:#}"))?,
                Vec::new(),
            )
        } else if path.join(RUNS_JSONL).exists() {
            let r = records_file::read(path)?;
            (r.records, r.notes)
        } else {
            return Err(format!(
                "{} is neither a run directory (no {RUNS_JSONL}) nor a baseline folder (no {META_JSON})",
                path.display()
            ));
        };
        Ok(RunSet {
            label: label_of(path),
            path: path.to_path_buf(),
            records,
            notes,
        })
    }

    /// A run directory only (`report`, `--resume`: a baseline has no run directory to write in).
    pub fn open_run_dir(path: &Path) -> Result<RunSet, String> {
        crate::files::require_dir(path).map_err(|e| format!("{e}: expected a run directory"))?;
        let r = records_file::read(path)?;
        Ok(RunSet {
            label: label_of(path),
            path: path.to_path_buf(),
            records: r.records,
            notes: r.notes,
        })
    }

    pub fn run_ids(&self) -> BTreeSet<&str> {
        self.records.iter().map(|r| r.run_id.as_str()).collect()
    }

    /// Prints the reader's notes on stderr, once.
    pub fn say_notes(&self) {
        for n in &self.notes {
            eprintln!("sparkmodes: note: {n}");
        }
    }
}

fn label_of(path: &Path) -> String {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    canonical.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// Two sets holding the same runs (the same directory twice, or a run and the baseline saved
/// from it): comparing them would compare runs with themselves and call it evidence.
pub fn refuse_shared_runs(a: &RunSet, b: &RunSet) -> Result<(), String> {
    let shared: Vec<&str> = a.run_ids().intersection(&b.run_ids()).copied().collect();
    if shared.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} and {} hold the same runs (run id {}): compare two different sets of runs",
        a.path.display(),
        b.path.display(),
        shared.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::record::RunRecord;

    fn run_dir(run_id: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let r = RunRecord {
            run_id: run_id.into(),
            ..RunRecord::example()
        };
        std::fs::write(
            dir.path().join(RUNS_JSONL),
            serde_json::to_string(&r).unwrap() + "\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn the_same_runs_on_both_sides_are_refused() {
        let (a, b) = (run_dir("a"), run_dir("b"));
        let (a, a2, b) = (
            RunSet::open(a.path()).unwrap(),
            RunSet::open(a.path()).unwrap(),
            RunSet::open(b.path()).unwrap(),
        );
        refuse_shared_runs(&a, &b).unwrap();
        let e = refuse_shared_runs(&a, &a2).unwrap_err();
        assert!(e.contains("hold the same runs (run id a)"), "{e}");
    }

    #[test]
    fn a_file_or_an_empty_folder_is_named_for_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let e = RunSet::open(dir.path()).unwrap_err();
        assert!(e.contains("neither a run directory"), "{e}");
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = RunSet::open(&file).unwrap_err();
        assert!(e.contains("not a directory"), "{e}");
    }
}
