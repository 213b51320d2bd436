//! The door for a run directory's `runs.jsonl`, the authoritative copy of its records, used by
//! every reader alike (`report`, `compare`, `history`, `baseline save`, `run --resume`). The
//! file is read through [`crate::files`] (a regular file of at most [`MAX_BYTES`]), then judged
//! line by line, with one policy:
//!
//! * blank lines are skipped;
//! * a torn last line (no newline after it, and not a record: the writer was killed mid-line)
//!   is left out, and a note says so;
//! * any other line that is not a record is an error naming the file and line;
//! * a record with a number no run can have (a negative, infinite or absurd time or memory)
//!   is an error naming the file, line and field;
//! * the same run twice (same run id, cell, repetition, warmup flag and attempt) is an error
//!   naming both lines: counted twice it would narrow every interval it falls in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::measure::record::{RunRecord, RUNS_JSONL};

/// 512 MiB: about half a million records, five times the largest matrix a scenario may plan.
pub const MAX_BYTES: u64 = 512 << 20;

/// The records of one run directory, and what the reader noticed about them.
#[derive(Debug, Default)]
pub struct Records {
    pub path: PathBuf,
    pub records: Vec<RunRecord>,
    /// Things a user should know that did not stop the read (a torn last line).
    pub notes: Vec<String>,
}

/// Reads `<run_dir>/runs.jsonl`; the error names the file and what is wrong with it.
pub fn read(run_dir: &Path) -> Result<Records, String> {
    let path = run_dir.join(RUNS_JSONL);
    let text = crate::files::read_text(&path, MAX_BYTES).map_err(|e| match e.problem.as_str() {
        "does not exist" => format!("{e}: is {} a sparkmodes run directory?", run_dir.display()),
        _ => e.to_string(),
    })?;
    parse(&path, &text)
}

/// The policy above, on text already read.
pub fn parse(path: &Path, text: &str) -> Result<Records, String> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut out = Records {
        path: path.to_path_buf(),
        ..Records::default()
    };
    let mut line_of = Vec::new();
    for (k, (i, line)) in lines.iter().enumerate() {
        let record: RunRecord = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(_) if k + 1 == lines.len() && !text.ends_with('\n') => {
                out.notes.push(format!(
                    "{}:{}: the last line is torn (its writer stopped mid-record); it is left out",
                    path.display(),
                    i + 1
                ));
                break;
            }
            Err(e) => {
                return Err(format!(
                    "{}:{}: not a run record: {e}",
                    path.display(),
                    i + 1
                ))
            }
        };
        if let Some(why) = record.implausible() {
            return Err(format!("{}:{}: {why}", path.display(), i + 1));
        }
        out.records.push(record);
        line_of.push(i + 1);
    }
    if let Some((first, again)) = first_repeat(&out.records) {
        let r = &out.records[again];
        return Err(format!(
            "{}:{}: repeats the run of line {} ({} {} rep {}): each run may be counted once; remove the copy",
            path.display(),
            line_of[again],
            line_of[first],
            r.run_id,
            r.cell(),
            r.rep
        ));
    }
    Ok(out)
}

/// The first record that repeats an earlier one ([`RunRecord::run_key`]), as (earlier, later)
/// indices: the one check every record set passes, run directory or baseline.
pub fn first_repeat(records: &[RunRecord]) -> Option<(usize, usize)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    records
        .iter()
        .enumerate()
        .find_map(|(i, r)| seen.insert(r.run_key(), i).map(|first| (first, i)))
}

/// Reads every record of a run directory through [`read`] (its policy for torn lines and
/// repeated runs); for the harness's own run directories, whose notes
/// nobody needs. Commands reading a user's directory call `records_file::read` and print them.
pub fn load_records(run_dir: &std::path::Path) -> anyhow::Result<Vec<RunRecord>> {
    read(run_dir).map(|r| r.records).map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::record::Status;

    fn line(r: &RunRecord) -> String {
        serde_json::to_string(r).unwrap() + "\n"
    }

    #[test]
    fn a_torn_last_line_is_left_out_and_said() {
        let r = RunRecord::example();
        let text = line(&r) + "{\"run_id\":\"ha";
        let got = parse(Path::new("d/runs.jsonl"), &text).unwrap();
        assert_eq!(got.records, [r]);
        assert_eq!(got.notes.len(), 1);
        assert!(
            got.notes[0].starts_with("d/runs.jsonl:2: the last line is torn"),
            "{:?}",
            got.notes
        );
    }

    #[test]
    fn a_bad_line_before_the_end_is_an_error_naming_it() {
        let text = "{}\n".to_string() + &line(&RunRecord::example());
        let e = parse(Path::new("runs.jsonl"), &text).unwrap_err();
        assert!(e.starts_with("runs.jsonl:1: not a run record"), "{e}");
    }

    #[test]
    fn the_same_run_twice_is_refused_naming_both_lines() {
        let r = RunRecord::example();
        let other = RunRecord {
            rep: 1,
            ..r.clone()
        };
        let retry = RunRecord {
            attempt: 1,
            status: Status::Ok,
            ..r.clone()
        };
        assert_eq!(
            parse(Path::new("x"), &(line(&r) + &line(&other) + &line(&retry)))
                .unwrap()
                .records
                .len(),
            3
        );
        let text = line(&r) + "\n" + &line(&other) + &line(&r);
        let e = parse(Path::new("x"), &text).unwrap_err();
        assert!(e.starts_with("x:4: repeats the run of line 1"), "{e}");
    }

    #[test]
    fn a_record_no_run_can_have_is_refused_by_field() {
        let r = RunRecord {
            wall_s: -3.0,
            ..RunRecord::example()
        };
        let e = parse(Path::new("x"), &line(&r)).unwrap_err();
        assert!(e.starts_with("x:1: wall_s = -3"), "{e}");
        let r = RunRecord {
            driver_peak_mib: Some(1e300),
            ..RunRecord::example()
        };
        let e = parse(Path::new("x"), &line(&r)).unwrap_err();
        assert!(e.contains("driver_peak_mib"), "{e}");
    }

    #[test]
    fn a_run_dir_without_records_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(dir.path()).unwrap_err();
        assert!(
            e.contains("does not exist: is") && e.contains("run directory"),
            "{e}"
        );
    }
}
