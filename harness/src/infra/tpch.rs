//! TPC-H data for apps that declare `data = "tpch"`: generated offline by DuckDB from PyPI
//! (`fixtures/tpch/generate.py` in a venv of its own, pinned), once per (generator, scale
//! factor), and cached under `$cache/tpch/<hash of script and pins>/sf-<sf>/`: the tables as
//! Parquet, DuckDB's 22 queries as it gives them (`queries.json`), the same queries as Spark
//! runs them (`spark_queries.json`, through [`spark_sql`]), and the answers (`answers/`). The
//! folder is mounted read-only at the same path into every container of a run, so the driver
//! (host or container) and every executor read one copy; runs never copy it.
//!
//! Sizes: the scenario's `elements` is the scale factor in thousandths for such an app
//! (`config::tpch_size`).

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

pub use crate::config::tpch_size::{scale_factor, MAX_MILLI_SF, QUERIES};
use crate::error::{Error, Result};
use crate::infra::{cache, venv};

/// The generator, pinned: the extension's version must be DuckDB's own.
pub const PINS: [&str; 2] = ["duckdb==1.4.4", "duckdb-ext-tpch==1.4.4.20260205"];

const GENERATE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/tpch/generate.py"
));

/// The folder every scale factor of this generator lives under (what is mounted).
pub fn root() -> PathBuf {
    let key = hex::encode(Sha256::digest(format!("{GENERATE}|{}", PINS.join(" "))));
    cache::dir().join("tpch").join(&key[..12])
}

/// The data folder of one scale factor, generated if missing (into a temporary folder
/// renamed into place, so a killed generation leaves nothing half-made behind).
pub fn ensure(milli: u64) -> Result<PathBuf> {
    if milli == 0 || milli > MAX_MILLI_SF {
        return Err(Error::input(format!(
            "a TPC-H size is the scale factor in thousandths, 1 to {MAX_MILLI_SF}, got {milli}"
        )));
    }
    let sf = scale_factor(milli);
    let dir = root().join(format!("sf-{sf}"));
    if dir.join("dataset.json").is_file() {
        return Ok(dir);
    }
    let python = generator()?;
    std::fs::create_dir_all(root())?;
    let tmp = tempfile::Builder::new().prefix(".sf-").tempdir_in(root())?;
    generate(&python, &sf, tmp.path())?;
    write_spark_queries(tmp.path())?;
    let made = tmp.keep();
    if let Err(e) = std::fs::rename(&made, &dir) {
        // Another process made it first: theirs stands.
        let _ = std::fs::remove_dir_all(&made);
        if !dir.join("dataset.json").is_file() {
            return Err(Error::setup(format!("cannot place {}: {e}", dir.display())));
        }
    }
    Ok(dir)
}

/// The generator's venv (its interpreter), made if missing: what `images build --app` of a
/// TPC-H app prepares, since the data's size is only known from a scenario.
pub fn generator() -> Result<PathBuf> {
    venv::ensure_tool("tpch", &PINS)
}

fn generate(python: &Path, sf: &str, out: &Path) -> Result<()> {
    let script = out.join("generate.py");
    std::fs::write(&script, GENERATE)?;
    let o = Command::new(python)
        .arg(&script)
        .args(["--sf", sf, "--out"])
        .arg(out)
        .output()?;
    std::fs::remove_file(&script)?;
    if o.status.success() {
        return Ok(());
    }
    Err(Error::setup(format!(
        "TPC-H generation (SF {sf}) failed: {}",
        String::from_utf8_lossy(&o.stderr).trim()
    )))
}

fn write_spark_queries(dir: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dir.join("queries.json"))?;
    let duck: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&text).map_err(|e| Error::setup(format!("queries.json: {e}")))?;
    let spark: std::collections::BTreeMap<&String, String> =
        duck.iter().map(|(n, q)| (n, spark_sql(q))).collect();
    let json = serde_json::to_string_pretty(&spark).expect("serialisable");
    std::fs::write(dir.join("spark_queries.json"), json)?;
    Ok(())
}

/// DuckDB's TPC-H query as Spark SQL runs it. Checked on 3.5.9 and 4.1.4 (all 22 queries, SF
/// 0.01): the dialects agree on everything these queries use (`CAST(… AS date)`, `date '…'`,
/// `extract(year FROM …)`, `substring(… FROM … FOR …)`), except that `spark.sql` takes one
/// statement without its terminating `;`.
pub fn spark_sql(duckdb: &str) -> String {
    duckdb
        .trim_end()
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rewrite_drops_the_terminator_and_nothing_else() {
        let q = "SELECT\n    sum(x) / 7.0 AS y\nFROM\n    t\nWHERE\n    s = 'a;b';\n\n";
        assert_eq!(
            spark_sql(q),
            "SELECT\n    sum(x) / 7.0 AS y\nFROM\n    t\nWHERE\n    s = 'a;b'"
        );
        let plain = "SELECT substring(c_phone FROM 1 FOR 2) FROM customer";
        assert_eq!(spark_sql(plain), plain);
    }

    #[test]
    fn sizes_outside_the_range_are_refused() {
        assert!(ensure(0).is_err() && ensure(MAX_MILLI_SF + 1).is_err());
    }
}
