//! The host side of direct and submit modes: a virtualenv per Spark version with the same pins
//! as the image, kept in the cache and keyed by those pins so a version change makes a new one.
//! The Connect modes get a venv of another kind, with the line's Spark Connect client instead
//! of pyspark (`connect-<version>-<hash>`): the folder name and hash both come from what is
//! installed, so the two kinds never share a folder. Each Python minor of the axis gets its
//! own venv of each kind, made with `python3.X` from PATH or pyenv (the hash covers the minor).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::versions;
use crate::error::{Error, Result};
use crate::infra::cache;
use crate::infra::tools;
use crate::progress;

/// A ready venv. Written as `venv.json` only after every install step succeeded, so an
/// interrupted install is redone rather than half-used.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Venv {
    pub dir: PathBuf,
    pub python: PathBuf,
    /// pip installs Spark's jars and scripts inside the pyspark package: this is SPARK_HOME.
    pub spark_home: PathBuf,
    pub spark_version: String,
}

impl Venv {
    pub fn spark_submit(&self) -> PathBuf {
        self.spark_home.join("bin").join("spark-submit")
    }
}

const MARKER: &str = "venv.json";

/// The folder of a venv: `<prefix><version>-<hash of its requirements and Python minor>`, so
/// a change of either makes a new one and two kinds never collide.
fn dir_of(prefix: &str, spark_version: &str, reqs: &[String], minor: &str) -> PathBuf {
    let key = hex::encode(Sha256::digest(format!("{}|{minor}", reqs.join(" "))));
    cache::dir()
        .join("venvs")
        .join(format!("{prefix}{spark_version}-{}", &key[..12]))
}

pub fn dir_for(spark_version: &str) -> Result<PathBuf> {
    dir_for_python(spark_version, tools::PYTHON_MINOR)
}

pub fn dir_for_python(spark_version: &str, python: &str) -> Result<PathBuf> {
    let reqs = versions::pins(spark_version)?.requirements();
    Ok(dir_of("", spark_version, &reqs, python))
}

/// The classic modes' venv: pyspark and the image's pins (needs Java: spark-submit runs here).
pub fn ensure(spark_version: &str) -> Result<Venv> {
    ensure_for(spark_version, tools::PYTHON_MINOR)
}

/// [`ensure`] on Python `python` (`"3.13"`).
pub fn ensure_for(spark_version: &str, python: &str) -> Result<Venv> {
    tools::java()?;
    let reqs = versions::pins(spark_version)?.requirements();
    let dir = dir_of("", spark_version, &reqs, python);
    install(&dir, interpreter(python)?.as_deref(), spark_version, &reqs)
}

/// The Connect modes' venv: the line's Spark Connect client and the image's numpy, pandas and
/// pyarrow pins (no Java: the pure client has no JVM).
pub fn ensure_connect(spark_version: &str) -> Result<Venv> {
    ensure_connect_for(spark_version, tools::PYTHON_MINOR)
}

/// [`ensure_connect`] on Python `python`.
pub fn ensure_connect_for(spark_version: &str, python: &str) -> Result<Venv> {
    let line = versions::line_of(spark_version)?;
    let reqs = line
        .connect_requirements(spark_version)
        .map_err(Error::setup)?;
    let dir = dir_of("connect-", spark_version, &reqs, python);
    install(&dir, interpreter(python)?.as_deref(), spark_version, &reqs)
}

/// The host interpreter of a Python minor: `None` for the default (found by
/// [`tools::python`] when a venv must be made), else `python3.X` from PATH or pyenv.
fn interpreter(python: &str) -> Result<Option<PathBuf>> {
    if python == tools::PYTHON_MINOR {
        return Ok(None);
    }
    tools::find_python(python).map(Some).ok_or_else(|| {
        Error::setup(format!(
            "python{python} not found on PATH or under pyenv: it drives the runs of Python \
             {python}; install it (e.g. `pyenv install {python}`) or drop {python} from `python`"
        ))
    })
}

/// A venv on another host Python (`python3.10`, `python3.12`, …) with the same pins, for the
/// python-mismatch cell. setuptools comes along: PySpark 3.5 imports distutils, which Python
/// 3.12 dropped, and without it the run would fail before reaching the mismatch it shows.
pub fn ensure_on(spark_version: &str, python: &Path, minor: &str) -> Result<Venv> {
    let mut reqs = versions::pins(spark_version)?.requirements();
    reqs.push("setuptools".into());
    let dir = dir_of("", spark_version, &reqs, minor);
    install(&dir, Some(python), spark_version, &reqs)
}

/// The venv at `dir`, made with `python` (default: the executors' minor) when missing.
fn install(
    dir: &Path,
    python: Option<&Path>,
    spark_version: &str,
    reqs: &[String],
) -> Result<Venv> {
    if let Some(v) = load(dir) {
        return Ok(v);
    }
    let python = match python {
        Some(p) => p.to_path_buf(),
        None => tools::python()?,
    };
    build(dir, &python, reqs, spark_version)
}

fn build(dir: &Path, python: &Path, reqs: &[String], spark_version: &str) -> Result<Venv> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir.parent().expect("cache subdir"))?;
    let bar = progress::spinner(&format!("host venv for Spark {spark_version}"));
    progress::step(&bar, &format!("{} -m venv", python.display()));
    run(Command::new(python).arg("-m").arg("venv").arg(dir))?;
    let venv_python = dir.join("bin").join("python");
    progress::step(&bar, &format!("pip install {}", reqs.join(" ")));
    run(Command::new(&venv_python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(reqs))?;
    progress::step(&bar, "done");
    bar.finish_and_clear();
    let venv = Venv {
        dir: dir.to_path_buf(),
        spark_home: ask_spark_home(&venv_python)?,
        python: venv_python,
        spark_version: spark_version.to_string(),
    };
    std::fs::write(
        dir.join(MARKER),
        serde_json::to_vec_pretty(&venv).expect("serialisable"),
    )?;
    Ok(venv)
}

fn load(dir: &Path) -> Option<Venv> {
    let text = std::fs::read(dir.join(MARKER)).ok()?;
    let venv: Venv = serde_json::from_slice(&text).ok()?;
    venv.python.exists().then_some(venv)
}

fn ask_spark_home(python: &Path) -> Result<PathBuf> {
    let out = Command::new(python)
        .args([
            "-c",
            "import os, pyspark; print(os.path.dirname(pyspark.__file__))",
        ])
        .output()?;
    if !out.status.success() {
        return Err(Error::setup(format!(
            "pyspark does not import in {}: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.output()?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = err.lines().rev().take(10).collect();
    Err(Error::setup(format!(
        "{:?} failed: {}",
        cmd,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )))
}
