//! Which pyspark releases exist, asked of pip once and cached: a version that was never
//! released (`3.5.99`) is refused before any image or venv is built, with the releases of its
//! line in the message. Offline, the check says it could not be made and the run goes on.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::infra::{cache, tools};

/// A cached answer is trusted this long; a version missing from an older answer asks again.
const FRESH: Duration = Duration::from_secs(3600);

#[derive(Serialize, Deserialize)]
struct Cached {
    fetched_at: chrono::DateTime<chrono::Utc>,
    versions: Vec<String>,
}

/// `Ok(None)`: the release exists. `Ok(Some(note))`: it could not be checked (offline, no
/// pip): say so and go on. `Err`: pip knows the line, and not this release.
pub fn check(spark: &str) -> Result<Option<String>> {
    let Some(versions) = known_versions(spark) else {
        return Ok(Some(format!(
            "could not ask pip which pyspark releases exist; going on with {spark} unchecked"
        )));
    };
    judge(spark, &versions)
}

fn judge(spark: &str, versions: &[String]) -> Result<Option<String>> {
    if versions.iter().any(|v| v == spark) {
        return Ok(None);
    }
    let line = spark.rsplit_once('.').map_or(spark, |(l, _)| l);
    let same_line: Vec<&str> = versions
        .iter()
        .filter(|v| v.rsplit_once('.').is_some_and(|(l, _)| l == line))
        .map(String::as_str)
        .collect();
    Err(Error::setup(format!(
        "Spark {spark} was never released on PyPI; releases of {line}: {}",
        if same_line.is_empty() {
            "none".to_string()
        } else {
            same_line.join(", ")
        }
    )))
}

/// The cached list when fresh or when it already holds `spark`; else pip's answer, cached.
fn known_versions(spark: &str) -> Option<Vec<String>> {
    let path = cache_path();
    let cached = read_cache(&path);
    if let Some(c) = &cached {
        let age = chrono::Utc::now() - c.fetched_at;
        let fresh = age.to_std().is_ok_and(|a| a < FRESH);
        if fresh || c.versions.iter().any(|v| v == spark) {
            return Some(c.versions.clone());
        }
    }
    match ask_pip() {
        Some(versions) => {
            write_cache(&path, &versions);
            Some(versions)
        }
        None => cached.map(|c| c.versions),
    }
}

fn cache_path() -> PathBuf {
    cache::dir().join("pyspark-releases.json")
}

fn read_cache(path: &Path) -> Option<Cached> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write_cache(path: &Path, versions: &[String]) {
    let c = Cached {
        fetched_at: chrono::Utc::now(),
        versions: versions.to_vec(),
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, serde_json::to_vec_pretty(&c).expect("serialisable"));
}

/// `python -m pip index versions pyspark`: "Available versions: 4.3.0, 4.2.1, …".
fn ask_pip() -> Option<Vec<String>> {
    let python = tools::python().ok()?;
    let out = Command::new(python)
        .args(["-m", "pip", "index", "versions", "pyspark"])
        .args(["--disable-pip-version-check", "--timeout", "20"])
        .output()
        .ok()?;
    parse_pip(&String::from_utf8_lossy(&out.stdout))
}

fn parse_pip(text: &str) -> Option<Vec<String>> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Available versions:"))?;
    let versions: Vec<String> = line.split(',').map(|v| v.trim().to_string()).collect();
    (!versions.iter().all(String::is_empty)).then_some(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_output_is_read() {
        let text =
            "pyspark (4.3.0)\nAvailable versions: 4.3.0, 4.2.1, 3.5.9, 3.5.8\n  INSTALLED: 3.5.9\n";
        assert_eq!(
            parse_pip(text).unwrap(),
            ["4.3.0", "4.2.1", "3.5.9", "3.5.8"]
        );
        assert_eq!(parse_pip("ERROR: No matching distribution"), None);
    }

    #[test]
    fn an_unreleased_version_names_its_line_s_releases() {
        let known: Vec<String> = ["4.3.0", "3.5.9", "3.5.8"].map(String::from).to_vec();
        assert_eq!(judge("3.5.9", &known).unwrap(), None);
        let e = judge("3.5.99", &known).unwrap_err().to_string();
        assert!(
            e.contains("never released") && e.contains("3.5.9, 3.5.8"),
            "{e}"
        );
        assert!(!e.contains("4.3.0"), "{e}");
    }
}
