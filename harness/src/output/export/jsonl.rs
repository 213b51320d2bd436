//! `runs.jsonl`: one `serde_json` record per line, the format `records_file::load_records` reads.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{open_for_append, Exporter};
use crate::measure::record::RunRecord;
use crate::Result;

pub struct JsonlExporter {
    path: PathBuf,
    file: File,
}

impl JsonlExporter {
    pub fn open(path: &Path) -> Result<JsonlExporter> {
        let (file, _) = open_for_append(path)?;
        Ok(JsonlExporter {
            path: path.to_path_buf(),
            file,
        })
    }
}

impl Exporter for JsonlExporter {
    fn append(&mut self, record: &RunRecord) -> Result<()> {
        let mut line = serde_json::to_vec(record).context("cannot format a record as JSON")?;
        line.push(b'\n');
        // One write per line: a crash tears at most this line, which the next open cuts off.
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}
