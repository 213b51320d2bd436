//! Writing run records as they finish (CSV and JSON lines), test reports (JUnit XML), the
//! files CI performance trackers ingest (`trackers/`) and the GitHub job summary
//! (`step_summary`), hyperfine-style: one file per format.
//!
//! Resume appends to an existing run directory, and an interrupted matrix must keep every run
//! that finished, so [`RecordSink`] opens its files in append mode, writes the CSV header only
//! into a new file, and flushes each record before `append` returns. `runs.jsonl` is the
//! authoritative copy (`records_file::load_records` reads it); `runs.csv` is for spreadsheets.

pub mod csv;
pub mod jsonl;
pub mod junit;
pub mod step_summary;
pub mod trackers;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::Context;

use crate::measure::record::{RunRecord, RUNS_CSV, RUNS_JSONL};
use crate::Result;

pub use self::csv::CsvExporter;
pub use self::jsonl::JsonlExporter;
pub use self::junit::{JunitCase, JunitReport, JUNIT_XML};

/// A destination for records, written one at a time as runs finish.
pub trait Exporter {
    /// Writes one record; when this returns `Ok`, the record has reached the OS (flushed), so
    /// it survives the harness being killed.
    fn append(&mut self, record: &RunRecord) -> Result<()>;
}

/// `runs.csv` and `runs.jsonl` of one run directory, appended to together.
pub struct RecordSink {
    csv: CsvExporter,
    jsonl: JsonlExporter,
}

impl RecordSink {
    /// Opens (creating if needed) both record files in `run_dir` for appending.
    pub fn open(run_dir: &Path) -> Result<RecordSink> {
        Ok(RecordSink {
            csv: CsvExporter::open(&run_dir.join(RUNS_CSV))?,
            jsonl: JsonlExporter::open(&run_dir.join(RUNS_JSONL))?,
        })
    }
}

impl Exporter for RecordSink {
    fn append(&mut self, record: &RunRecord) -> Result<()> {
        // JSONL first: it is the copy `--resume` trusts.
        self.jsonl.append(record)?;
        self.csv.append(record)
    }
}

/// Opens `path` for appending and reports whether it held anything. A torn last line (the
/// previous writer died mid-record) is cut off first: appending after it would glue the next
/// record onto the fragment and corrupt both.
fn open_for_append(path: &Path) -> Result<(File, bool)> {
    let mut file = crate::files::open_append(path).map_err(crate::Error::output)?;
    let keep =
        complete_lines_len(&mut file).with_context(|| format!("cannot read {}", path.display()))?;
    if keep < file.metadata()?.len() {
        file.set_len(keep)
            .with_context(|| format!("cannot cut the torn last line of {}", path.display()))?;
    }
    Ok((file, keep > 0))
}

/// The length of `file` up to and including its last newline.
fn complete_lines_len(file: &mut File) -> std::io::Result<u64> {
    const CHUNK: u64 = 4096;
    let mut end = file.metadata()?.len();
    let mut buf = vec![0u8; CHUNK as usize];
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::measure::record::Status;
    use crate::measure::records_file::load_records;
    use chrono::TimeZone;

    /// A record with every optional field filled, and text that needs CSV and XML quoting.
    pub(crate) fn sample(rep: u32, mode: Mode, status: Status) -> RunRecord {
        RunRecord {
            run_id: format!("r{rep}-{mode}"),
            mode,
            arrow: mode.computes(),
            arrow_effective: Some(mode.computes()),
            elements: if mode.computes() { 100_000 } else { 0 },
            rep,
            status,
            correct: (status == Status::Ok).into(),
            wall_s: 12.345 + f64::from(rep),
            error: (status == Status::Failed)
                .then(|| "boom, \"quoted\" <tag> & more\nsecond line \u{1b}[31m".to_string()),
            started_at: chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            stdout_path: Some("runs/0/stdout.txt".into()),
            ..RunRecord::example()
        }
    }

    #[test]
    fn sink_appends_across_reopen_with_one_header() {
        let dir = tempfile::tempdir().unwrap();
        let records = [
            sample(0, Mode::Direct, Status::Ok),
            sample(1, Mode::Submit, Status::Failed),
            sample(2, Mode::ClusterRefusal, Status::RefusedAsExpected),
        ];
        {
            let mut sink = RecordSink::open(dir.path()).unwrap();
            sink.append(&records[0]).unwrap();
            sink.append(&records[1]).unwrap();
        }
        let mut sink = RecordSink::open(dir.path()).unwrap();
        sink.append(&records[2]).unwrap();
        drop(sink);

        let text = std::fs::read_to_string(dir.path().join(RUNS_CSV)).unwrap();
        assert_eq!(text.matches("run_id,").count(), 1, "{text}");
        let mut reader = ::csv::Reader::from_path(dir.path().join(RUNS_CSV)).unwrap();
        let rows: Vec<RunRecord> = reader.deserialize().map(|r| r.unwrap()).collect();
        assert_eq!(rows, records);
        assert_eq!(load_records(dir.path()).unwrap(), records);
    }

    #[test]
    fn reopen_cuts_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let first = sample(0, Mode::Direct, Status::Ok);
        RecordSink::open(dir.path())
            .unwrap()
            .append(&first)
            .unwrap();
        for name in [RUNS_CSV, RUNS_JSONL] {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(dir.path().join(name))
                .unwrap();
            std::io::Write::write_all(&mut f, b"{\"run_id\":\"half").unwrap();
        }
        let second = sample(1, Mode::Direct, Status::Ok);
        RecordSink::open(dir.path())
            .unwrap()
            .append(&second)
            .unwrap();
        assert_eq!(load_records(dir.path()).unwrap(), [first, second]);
        let csv = std::fs::read_to_string(dir.path().join(RUNS_CSV)).unwrap();
        assert!(!csv.contains("half"), "{csv}");
        assert_eq!(csv.lines().count(), 3, "{csv}");
    }

    #[test]
    fn complete_lines_len_scans_past_one_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut text = "line\n".to_string();
        text.push_str(&"x".repeat(10_000));
        std::fs::write(&path, &text).unwrap();
        let (file, had_content) = open_for_append(&path).unwrap();
        assert!(had_content);
        assert_eq!(file.metadata().unwrap().len(), 5);
        std::fs::write(&path, "no newline at all").unwrap();
        assert!(!open_for_append(&path).unwrap().1);
    }
}
