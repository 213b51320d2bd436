//! Staging an app for one run, whatever the app: a fresh copy of its directory (with the
//! master URL written where its manifest says it reads it), a generated `SPARK_CONF_DIR`
//! whose `spark-defaults.conf` carries the master, the run's Spark conf, the event log and the
//! app's `--py-files`, and the command and environment that start it. The app never has to
//! know about sparkmodes: everything reaches it through Spark's own conf, its arguments'
//! `{placeholders}` and the documented `SPARKMODES_*` variables.

mod shipped;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::manifest::{AppSpec, Entry, Placeholders};
use crate::error::Result;

/// The fixture app shipped with sparkmodes (see fixtures/app/).
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/app")
}

/// The Connect-ready variant of the sample app (see fixtures/app-connect/).
pub fn connect_fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/app-connect")
}

/// The second example app: generated Parquet, a join and an aggregation, a check command.
pub fn orders_fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/app-orders")
}

/// The script a module entry point is started through (written into the staged app).
pub const MODULE_LAUNCHER: &str = "_sparkmodes_main.py";

/// A staged copy of the app plus its Spark configuration.
#[derive(Debug, Clone)]
pub struct Staged {
    pub spec: AppSpec,
    pub root: PathBuf,
    pub app: PathBuf,
    pub conf_dir: PathBuf,
    pub event_log_dir: PathBuf,
    /// Where the app writes its result (`{result}`, `SPARKMODES_RESULT`), on this host.
    pub result: PathBuf,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    /// The script the driver runs, relative to the staged app directory.
    pub script: String,
    /// The data folder the harness made for the app (mounted at this same path everywhere).
    pub data: Option<PathBuf>,
    /// The queries of a multi-query app the scenario selects (empty: all).
    pub queries: Vec<u32>,
}

/// What one run's staging needs to know.
pub struct Request<'a> {
    pub spec: &'a AppSpec,
    pub root: &'a Path,
    /// The master URL as the driver sees it (for Connect apps: the `sc://` URL).
    pub master_url: &'a str,
    /// The run directory as the driver sees it (`/work` in a driver container); `None`: here.
    pub driver_root: Option<&'a str>,
    pub conf: &'a BTreeMap<String, String>,
    /// A Python to zip package directories with (`python -m zipfile`).
    pub python: &'a Path,
    /// The app's data folder (`{data}`), when its manifest declares one.
    pub data: Option<&'a Path>,
    /// The scenario's queries (`{queries}`).
    pub queries: &'a [u32],
}

/// Copies the app into `<root>/app`, writes the master URL into its declared file, ships its
/// py-files, and writes `<root>/conf/spark-defaults.conf` with `conf` plus the event log.
pub fn stage(req: &Request) -> Result<Staged> {
    let root = req.root;
    let staged = Staged {
        spec: req.spec.clone(),
        app: root.join("app"),
        conf_dir: root.join("conf"),
        event_log_dir: root.join("eventlog"),
        result: root.join(&req.spec.result),
        stdout: root.join("stdout.txt"),
        stderr: root.join("stderr.txt"),
        root: root.to_path_buf(),
        script: script_of(&req.spec.entry),
        data: req.data.map(Path::to_path_buf),
        queries: req.queries.to_vec(),
    };
    shipped::copy_dir(&req.spec.dir, &staged.app)?;
    if let Some(m) = &req.spec.master_file {
        shipped::render_master(&staged.app.join(&m.file), &m.key, req.master_url)?;
    }
    if let Entry::Module(module) = &req.spec.entry {
        shipped::write_launcher(&staged.app.join(MODULE_LAUNCHER), module)?;
    }
    let py_files = shipped::ship_py_files(req.spec, &staged, req.python)?;
    std::fs::create_dir_all(&staged.conf_dir)?;
    std::fs::create_dir_all(&staged.event_log_dir)?;
    let conf = defaults(req, &py_files);
    write_defaults(&staged.conf_dir.join("spark-defaults.conf"), &conf)?;
    Ok(staged)
}

/// The run's conf plus what the harness owns: the event log (one plain file, where the
/// driver can write it) and the shipped py-files, as the driver sees their paths.
fn defaults(req: &Request, py_files: &[String]) -> BTreeMap<String, String> {
    let mut all = req.conf.clone();
    all.insert("spark.eventLog.enabled".into(), "true".into());
    // Spark 4 rolls and zstd-compresses event logs by default; one plain file reads everywhere.
    all.insert("spark.eventLog.compress".into(), "false".into());
    all.insert("spark.eventLog.rolling.enabled".into(), "false".into());
    let log_dir = format!("file://{}", driver_path(req, "eventlog"));
    all.insert("spark.eventLog.dir".into(), log_dir);
    if !py_files.is_empty() {
        let paths: Vec<String> = py_files.iter().map(|f| driver_path(req, f)).collect();
        all.insert("spark.submit.pyFiles".into(), paths.join(","));
    }
    all
}

/// `rel` (inside the run directory) as the driver sees it.
fn driver_path(req: &Request, rel: &str) -> String {
    match req.driver_root {
        Some(r) => format!("{r}/{rel}"),
        None => req.root.join(rel).display().to_string(),
    }
}

fn script_of(entry: &Entry) -> String {
    match entry {
        Entry::Script(s) => s.clone(),
        Entry::Module(_) => MODULE_LAUNCHER.to_string(),
    }
}

pub fn write_defaults(path: &Path, conf: &BTreeMap<String, String>) -> Result<()> {
    std::fs::write(path, crate::config::conf::to_properties(conf))?;
    Ok(())
}

impl Staged {
    /// The run's placeholder values as a driver whose run directory is at `root` sees them.
    pub fn placeholders(
        &self,
        root: Option<&str>,
        master: &str,
        elements: u64,
        seed: u64,
    ) -> Placeholders {
        let root = root.map_or_else(|| self.root.display().to_string(), str::to_string);
        Placeholders {
            elements,
            seed,
            result: format!("{root}/{}", self.spec.result),
            master: master.to_string(),
            run_dir: root,
            data: self
                .data
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            queries: self
                .queries
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// The script and the app's arguments, placeholders filled in.
    pub fn command(&self, p: &Placeholders) -> Vec<String> {
        let mut cmd = vec![self.script.clone()];
        cmd.extend(self.spec.args.iter().map(|a| p.render(a)));
        cmd
    }

    /// The documented variables every app gets (README, "Bring your own app").
    pub fn env(&self, p: &Placeholders, arrow: bool) -> Vec<(String, String)> {
        vec![
            ("SPARKMODES_MASTER".into(), p.master.clone()),
            ("SPARKMODES_ELEMENTS".into(), p.elements.to_string()),
            ("SPARKMODES_SEED".into(), p.seed.to_string()),
            ("SPARKMODES_RESULT".into(), p.result.clone()),
            ("SPARKMODES_ARROW".into(), arrow.to_string()),
            ("SPARKMODES_RUN_DIR".into(), p.run_dir.clone()),
            ("SPARKMODES_DATA".into(), p.data.clone()),
            ("SPARKMODES_QUERIES".into(), p.queries.clone()),
        ]
    }
}

#[cfg(test)]
mod tests;
