//! `runs.csv`: one row per record, columns in `RunRecord` field order, empty cells for `None`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{open_for_append, Exporter};
use crate::measure::record::RunRecord;
use crate::Error;
use crate::Result;

pub struct CsvExporter {
    path: PathBuf,
    file: File,
    header: Header,
}

enum Header {
    /// New or empty file: write the header with the first row.
    Write,
    /// Existing file: its header must match ours, or the columns would silently shift.
    Check(String),
    Done,
}

impl CsvExporter {
    pub fn open(path: &Path) -> Result<CsvExporter> {
        let (file, had_content) = open_for_append(path)?;
        let header = if had_content {
            Header::Check(first_line(path)?)
        } else {
            Header::Write
        };
        Ok(CsvExporter {
            path: path.to_path_buf(),
            file,
            header,
        })
    }

    fn check_header(&self, ours: &str, theirs: &str) -> Result<()> {
        if ours == theirs {
            return Ok(());
        }
        Err(Error::setup(format!(
            "{} has other columns than this sparkmodes version writes; \
             resume into a fresh run directory\n  found:    {theirs}\n  expected: {ours}",
            self.path.display()
        )))
    }
}

impl Exporter for CsvExporter {
    fn append(&mut self, record: &RunRecord) -> Result<()> {
        let bytes = serialize_with_header(record)?;
        // Field names hold no newline, so the header is exactly the first line.
        let split = bytes.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        let (header, row) = bytes.split_at(split);
        let out = match &self.header {
            Header::Write => &bytes[..],
            Header::Check(existing) => {
                self.check_header(String::from_utf8_lossy(header).trim_end(), existing)?;
                row
            }
            Header::Done => row,
        };
        // One write per row: a crash tears at most this row, which the next open cuts off.
        self.file
            .write_all(out)
            .and_then(|()| self.file.flush())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        self.header = Header::Done;
        Ok(())
    }
}

/// The columns of `runs.csv`, comma-separated: one per `RunRecord` field, in field order.
pub fn header() -> String {
    let bytes = serialize_with_header(&RunRecord::default()).expect("a record serialises");
    let text = String::from_utf8_lossy(&bytes);
    text.lines().next().unwrap_or_default().to_string()
}

/// The record's fields in order (serde_json keeps insertion order here), each as one cell:
/// scalars as themselves, an absent value empty, a nested value (the profile) as its compact
/// JSON text, so every row has the header's columns whatever it holds.
fn serialize_with_header(record: &RunRecord) -> Result<Vec<u8>> {
    let value = serde_json::to_value(record).context("cannot format a record as CSV")?;
    let fields = value.as_object().expect("a record is an object");
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        nested => nested.to_string(),
    };
    let mut writer = ::csv::WriterBuilder::new().from_writer(Vec::new());
    writer
        .write_record(fields.keys())
        .and_then(|()| writer.write_record(fields.values().map(cell)))
        .context("cannot format a record as CSV")?;
    writer
        .into_inner()
        .map_err(|e| Error::Other(anyhow::anyhow!("cannot format a record as CSV: {e}")))
}

fn first_line(path: &Path) -> Result<String> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(file), &mut line)?;
    Ok(line.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::measure::record::Status;
    use crate::output::export::tests::sample;

    #[test]
    fn header_lists_the_record_fields_in_order() {
        let bytes = serialize_with_header(&sample(0, Mode::Direct, Status::Ok)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let required = [
            "run_id",
            "scenario",
            "spark_version",
            "mode",
            "arrow",
            "arrow_effective",
            "elements",
            "workers",
            "worker_cores",
            "rep",
            "warmup",
            "status",
            "correct",
            "wall_s",
            "app_s",
            "jobs_s",
            "collect_s",
            "exit_code",
            "error",
            "driver_peak_mib",
            "executors_peak_mib",
        ];
        let positions: Vec<usize> = required
            .iter()
            .map(|c| {
                header
                    .iter()
                    .position(|h| h == c)
                    .unwrap_or_else(|| panic!("no {c}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{header:?}");
    }

    #[test]
    fn foreign_header_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        std::fs::write(&path, "a,b,c\n1,2,3\n").unwrap();
        let mut csv = CsvExporter::open(&path).unwrap();
        let err = csv
            .append(&sample(0, Mode::Direct, Status::Ok))
            .unwrap_err();
        assert!(matches!(err, Error::Setup(_)), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b,c\n1,2,3\n");
    }
}
