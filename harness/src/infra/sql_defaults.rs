//! The effective SQL defaults of a Spark line: what `SET -v` says in a bare session, probed
//! once per venv (the venv is keyed by the line's pins and the Python minor, so a new line
//! or pin probes again) and cached beside it. A run keeps its stacks' defaults in
//! `sql-defaults.json`, so a comparison across lines can list the defaults that differ — the
//! changes a team inherits by upgrading without touching its own configuration (4.2, for
//! one, turned Arrow-optimised Python UDFs on).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::infra::venv::Venv;

/// The run directory's file: `{ "<stack label>": { "<key>": "<value>" } }`.
pub const SQL_DEFAULTS_JSON: &str = "sql-defaults.json";
const CACHE_FILE: &str = "sql-defaults.json";
/// A local session starts in ~10 s on this machine; a probe that takes minutes is hung.
const TIMEOUT: Duration = Duration::from_secs(180);
/// `SET -v` is a few hundred keys: far below this.
const MAX_BYTES: u64 = 4 << 20;

pub type Defaults = BTreeMap<String, String>;

const SCRIPT: &str = r#"
import json, sys
from pyspark.sql import SparkSession
s = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
     .config("spark.sql.warehouse.dir", sys.argv[2]).getOrCreate())
rows = s.sql("SET -v").collect()
json.dump({r[0]: r[1] for r in rows}, open(sys.argv[1], "w"), sort_keys=True)
s.stop()
"#;

/// The line's defaults, from the venv's cache or a probe (then cached).
pub fn ensure(venv: &Venv) -> Result<Defaults, String> {
    let cached = venv.dir.join(CACHE_FILE);
    if let Ok(text) = crate::files::read_text(&cached, MAX_BYTES) {
        if let Ok(map) = serde_json::from_str(&text) {
            return Ok(map);
        }
    }
    let map = probe(venv)?;
    let json = serde_json::to_string(&map).map_err(|e| e.to_string())?;
    crate::files::write(&cached, json).map_err(|e| e.to_string())?;
    Ok(map)
}

fn probe(venv: &Venv) -> Result<Defaults, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = tmp.path().join("defaults.json");
    let log = std::fs::File::create(tmp.path().join("probe.log")).map_err(|e| e.to_string())?;
    let mut child = Command::new(&venv.python)
        .args(["-c", SCRIPT])
        .arg(&out)
        .arg(tmp.path().join("warehouse"))
        .env("SPARK_HOME", &venv.spark_home)
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", venv.python.display()))?;
    wait(&mut child, TIMEOUT)?;
    let text = crate::files::read_text(&out, MAX_BYTES).map_err(|e| {
        let log = std::fs::read_to_string(tmp.path().join("probe.log")).unwrap_or_default();
        format!("{e}; the probe said: {}", last_lines(&log, 5))
    })?;
    serde_json::from_str(&text).map_err(|e| format!("SET -v answer is not JSON: {e}"))
}

/// Waits for the child to end, killing it at the deadline (it only writes files: no pipe).
fn wait(child: &mut std::process::Child, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(_) => return Ok(()),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the SET -v probe took over {} s",
                    timeout.as_secs()
                ));
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// Writes the stacks' defaults into the run directory.
pub fn write(run_dir: &Path, by_stack: &BTreeMap<String, Defaults>) -> Result<(), String> {
    let json = serde_json::to_string_pretty(by_stack).map_err(|e| e.to_string())?;
    crate::files::write(&run_dir.join(SQL_DEFAULTS_JSON), json).map_err(|e| e.to_string())
}

/// A run directory's stacks' defaults; empty when it has none (older runs, a failed probe).
pub fn read(run_dir: &Path) -> Result<BTreeMap<String, Defaults>, String> {
    let path: PathBuf = run_dir.join(SQL_DEFAULTS_JSON);
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = crate::files::read_text(&path, MAX_BYTES * 8).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
