//! Apps: what sparkmodes deploys, described by a manifest in the app's own directory,
//! `sparkmodes-app.toml`, so every app (the article's sample, its Connect twin, a team's real
//! job) takes the same code path: its entry point and arguments, the extra Python packages it
//! needs, the modes that make sense for it, where it reads its master URL (if not only from
//! Spark's conf), and how its result is judged (a built-in oracle, a check command, an
//! expected-output file, or nothing: then correctness is unknown, never true).
//!
//! Loading validates every value against the directory it describes; mistakes are refused with
//! the manifest's path, line and key, like scenario mistakes. `AppSpec::load(dir)` is the one
//! way to get an app.

use std::path::{Path, PathBuf};

use crate::config::scenario::document::Document;
use crate::config::Mode;
use crate::{Error, Result};

mod app_tree;
mod fields;
mod template;
mod verify;

pub use app_tree::SKIPPED;
pub use template::{Placeholders, PLACEHOLDERS};

/// The manifest's file name inside an app directory.
pub const MANIFEST: &str = "sparkmodes-app.toml";

/// The file the sample app's layout is known by, for directories without a manifest.
pub const SAMPLE_INI: &str = "data/data_source.ini";

/// The sample app's manifest: what a manifest-less directory in the sample's layout means.
const SAMPLE_MANIFEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/app/sparkmodes-app.toml"
));

/// A manifest larger than this is not a manifest.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// A validated app.
#[derive(Clone, Debug, PartialEq)]
pub struct AppSpec {
    pub name: String,
    pub description: String,
    /// The app directory (copied for every run).
    pub dir: PathBuf,
    /// The manifest's path, for messages.
    pub origin: String,
    pub entry: Entry,
    /// Files and directories (relative to `dir`) shipped to the executors: directories are
    /// zipped, and all go to `spark.submit.pyFiles`.
    pub py_files: Vec<String>,
    /// The app's arguments, with `{placeholders}` (see [`PLACEHOLDERS`]).
    pub args: Vec<String>,
    /// Extra pinned packages (`name==version`) for the host venv and the executors' image.
    pub packages: Vec<String>,
    /// The modes that make sense for the app; a scenario running another is refused.
    pub modes: Vec<Mode>,
    /// The app reads the scenario's element count (`{elements}` or `SPARKMODES_ELEMENTS`).
    pub size_knob: bool,
    /// The file (or directory) name the app writes its result to, inside the run directory.
    pub result: String,
    /// A `key = value` line the harness rewrites with the master URL in the staged copy.
    pub master_file: Option<MasterFile>,
    /// Data the harness makes and mounts for the app (`{data}`, `SPARKMODES_DATA`).
    pub data: Option<Dataset>,
    pub check: Check,
}

/// Datasets the harness makes for an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// TPC-H from DuckDB (`infra::tpch`), at the scenario's size as a scale factor in
    /// thousandths; with its queries and answers.
    Tpch,
}

/// How the driver starts the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A `.py` script, relative to the app directory.
    Script(String),
    /// A module run as `__main__` (like `python -m`), through a launcher the harness writes.
    Module(String),
}

/// A file in the app holding its master URL as a `key = value` line (the sample's ini).
#[derive(Clone, Debug, PartialEq)]
pub struct MasterFile {
    pub file: String,
    pub key: String,
}

/// How a run's result is judged.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// Nothing declared: the record says `correct: unknown`.
    None,
    /// A judge built into the harness.
    Builtin(Builtin),
    /// A command run in the staged app directory after the app; exit 0 means correct.
    Command(Vec<String>),
    /// The result compared with this file (relative to the app directory).
    Expected(Expected),
}

/// The judges built into the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// The sample app's oracle: a `squared` column equal to a NumPy reference.
    Squares,
    /// Each TPC-H query's result against DuckDB's answer (`measure::tpch_oracle`).
    Tpch,
}

/// An expected-output file and how closely the result must match it.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    pub file: String,
    pub format: Format,
    /// Largest relative difference between two numbers still called equal.
    pub tolerance: f64,
    /// Rows must come in the same order (otherwise both sides are sorted first).
    pub ordered: bool,
}

/// Formats an expected-output file can have, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
    Parquet,
}

impl Format {
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }
}

impl AppSpec {
    /// The app in `dir`: its manifest, or, for a directory in the sample's layout without one,
    /// the sample's manifest. Errors name the manifest's file, line and key.
    pub fn load(dir: &Path) -> Result<AppSpec> {
        let manifest = dir.join(MANIFEST);
        if manifest.exists() {
            let text = read_manifest(&manifest)?;
            return AppSpec::from_str(&text, dir, &manifest.display().to_string());
        }
        if dir.join(SAMPLE_INI).is_file() {
            let origin = format!("{} (no {MANIFEST}: the sample app's)", dir.display());
            return AppSpec::from_str(SAMPLE_MANIFEST, dir, &origin);
        }
        Err(Error::setup(format!(
            "--app {}: not an app directory: it has no {MANIFEST} (nor the sample's {SAMPLE_INI}); see README \"Bring your own app\"",
            dir.display()
        )))
    }

    /// Parses and validates manifest text describing the app in `dir`.
    pub fn from_str(text: &str, dir: &Path, origin: &str) -> Result<AppSpec> {
        let doc = Document::parse(text, origin)?;
        let raw: fields::RawApp = doc.deserialize()?;
        let spec = raw.validate(&doc, dir)?;
        app_tree::check_tree(dir)
            .map_err(|e| Error::input(format!("--app {}: {e}", dir.display())))?;
        Ok(spec)
    }

    /// Whether a scenario's modes fit this app: each must be one it declares (`connect` always
    /// runs the Connect-ready sample, so it is not the app's to declare).
    pub fn refuse_modes(&self, modes: &[Mode]) -> Result<()> {
        let foreign = modes
            .iter()
            .find(|m| **m != Mode::Connect && !self.modes.contains(m));
        match foreign {
            None => Ok(()),
            Some(m) => Err(Error::setup(format!(
                "{}: app `{}` declares the modes [{}], not `{m}`: add it to `modes` if it makes sense for the app, or leave it out of the scenario",
                self.origin,
                self.name,
                names(&self.modes)
            ))),
        }
    }

    /// On an app axis, `connect` must run each app itself (its manifest declares `connect`):
    /// the sample's Connect twin would stand in for every app alike.
    pub fn refuse_connect_twin(&self, modes: &[Mode]) -> Result<()> {
        if !modes.contains(&Mode::Connect) || self.modes.contains(&Mode::Connect) {
            return Ok(());
        }
        Err(Error::input(format!(
            "{}: app `{}` does not declare `connect`, so `connect` would run the sample's Connect twin instead of it: leave `connect` out of a scenario with `apps`, or port the app to Spark Connect and add `connect` to its `modes`",
            self.origin, self.name
        )))
    }

    /// A scenario's `queries` need an app that runs numbered queries (`data = "tpch"`), and a
    /// TPC-H app's sizes are scale factors in thousandths (`infra::tpch`).
    pub fn refuse_queries(&self, queries: Option<&[u32]>) -> Result<()> {
        match (queries, self.data) {
            (Some(_), None) => Err(Error::input(format!(
                "{}: the scenario selects `queries`, but app `{}` runs no numbered queries (it declares no `data = \"tpch\"`)",
                self.origin, self.name
            ))),
            _ => Ok(()),
        }
    }

    /// Whether a scenario's element counts fit this app: without a size knob, several counts
    /// would run the same thing again under other names.
    pub fn refuse_elements(&self, elements: &[u64]) -> Result<()> {
        let max = crate::config::tpch_size::MAX_MILLI_SF;
        if let (Some(Dataset::Tpch), Some(e)) = (self.data, elements.iter().find(|e| **e > max)) {
            return Err(Error::input(format!(
                "{}: app `{}` reads TPC-H data, whose size is the scale factor in thousandths (10 = SF 0.01, 1000 = SF 1): {e} is more than SF {}",
                self.origin,
                self.name,
                max / 1000
            )));
        }
        if self.size_knob || elements.len() <= 1 {
            return Ok(());
        }
        Err(Error::setup(format!(
            "{}: app `{}` has no size knob (`size_knob = true`), so the scenario's {} element counts would all run the same job: list one",
            self.origin,
            self.name,
            elements.len()
        )))
    }
}

fn names(modes: &[Mode]) -> String {
    let v: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
    v.join(", ")
}

/// Through the file door: a regular file of at most [`MAX_FILE_BYTES`].
fn read_manifest(path: &Path) -> Result<String> {
    crate::files::read_text(path, MAX_FILE_BYTES)
        .map_err(|e| Error::input(format!("cannot read the manifest {e}")))
}

#[cfg(test)]
mod tests;
