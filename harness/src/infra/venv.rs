//! The host side of direct and submit modes: a virtualenv per Spark version with the same pins
//! as the image, kept in the cache and keyed by those pins so a version change makes a new one.
//! The Connect modes get a venv of another kind, with the line's Spark Connect client instead
//! of pyspark (`connect-<version>-<hash>`): the folder name and hash both come from what is
//! installed, so the two kinds never share a folder. Each Python minor of the axis gets its
//! own venv of each kind, made with `python3.X` from PATH or pyenv (the hash covers the minor).
//! An app with extra packages gets a third kind (`app-<version>-<hash>`, the hash over the
//! line's pins *and* the app's): a small venv layered on the classic one (a `.pth` file puts
//! the classic venv's site-packages after its own), holding only the app's packages, so two
//! apps with different needs never share one.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::python::PythonMinor;
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
fn dir_of(prefix: &str, spark_version: &str, reqs: &[String], minor: PythonMinor) -> PathBuf {
    let key = hex::encode(Sha256::digest(format!("{}|{minor}", reqs.join(" "))));
    cache::dir()
        .join("venvs")
        .join(format!("{prefix}{spark_version}-{}", &key[..12]))
}

pub fn dir_for(spark_version: &str) -> Result<PathBuf> {
    dir_for_python(spark_version, tools::PYTHON_MINOR)
}

pub fn dir_for_python(spark_version: &str, python: PythonMinor) -> Result<PathBuf> {
    let reqs = versions::pins(spark_version)?.requirements();
    Ok(dir_of("", spark_version, &reqs, python))
}

/// The classic modes' venv: pyspark and the image's pins (needs Java: spark-submit runs here).
pub fn ensure(spark_version: &str) -> Result<Venv> {
    ensure_for(spark_version, tools::PYTHON_MINOR)
}

/// [`ensure`] on Python `python`.
pub fn ensure_for(spark_version: &str, python: PythonMinor) -> Result<Venv> {
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
pub fn ensure_connect_for(spark_version: &str, python: PythonMinor) -> Result<Venv> {
    let line = versions::line_of(spark_version)?;
    let reqs = line
        .connect_requirements(spark_version)
        .map_err(Error::setup)?;
    let dir = dir_of("connect-", spark_version, &reqs, python);
    install(&dir, interpreter(python)?.as_deref(), spark_version, &reqs)
}

/// The host interpreter of a Python minor: `None` for the default (found by
/// [`tools::python`] when a venv must be made), else `python3.X` from PATH or pyenv.
fn interpreter(python: PythonMinor) -> Result<Option<PathBuf>> {
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

/// The venv an app's driver runs in: the classic one, or for an app with extra pinned
/// packages, a layer over it holding them (same pyspark, same SPARK_HOME).
pub fn ensure_app(spark_version: &str, python: PythonMinor, packages: &[String]) -> Result<Venv> {
    let base = ensure_for(spark_version, python)?;
    if packages.is_empty() {
        return Ok(base);
    }
    let dir = app_dir_for(spark_version, python, packages)?;
    if let Some(v) = load(&dir) {
        return Ok(v);
    }
    build_layer(&dir, &base, packages)
}

/// The folder of an app's layer: keyed by the line's pins and the app's packages.
pub fn app_dir_for(
    spark_version: &str,
    python: PythonMinor,
    packages: &[String],
) -> Result<PathBuf> {
    let mut reqs = versions::pins(spark_version)?.requirements();
    reqs.extend(packages.iter().cloned());
    Ok(dir_of("app-", spark_version, &reqs, python))
}

fn build_layer(dir: &Path, base: &Venv, packages: &[String]) -> Result<Venv> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir.parent().expect("cache subdir"))?;
    let bar = progress::spinner(&format!("app venv for Spark {}", base.spark_version));
    progress::step(&bar, "python -m venv");
    // The layer's interpreter is the base venv's own, so both are of the same Python minor.
    run(Command::new(&base.python).arg("-m").arg("venv").arg(dir))?;
    let python = dir.join("bin").join("python");
    let own = site_packages(&python)?;
    std::fs::write(
        own.join("_sparkmodes_base.pth"),
        format!("{}\n", site_packages(&base.python)?.display()),
    )?;
    progress::step(&bar, &format!("pip install {}", packages.join(" ")));
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages))?;
    bar.finish_and_clear();
    let venv = Venv {
        dir: dir.to_path_buf(),
        python,
        spark_home: base.spark_home.clone(),
        spark_version: base.spark_version.clone(),
    };
    std::fs::write(
        dir.join(MARKER),
        serde_json::to_vec_pretty(&venv).expect("serialisable"),
    )?;
    Ok(venv)
}

fn site_packages(python: &Path) -> Result<PathBuf> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ])
        .output()?;
    if !out.status.success() {
        return Err(Error::setup(format!(
            "{} cannot name its site-packages",
            python.display()
        )));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// A venv for one of the harness's own tools (no pyspark): `tool-<name>-<hash of packages>` with
/// exactly `packages` (pinned), made with the default host Python. Returns its interpreter.
pub fn ensure_tool(name: &str, packages: &[&str]) -> Result<PathBuf> {
    let reqs: Vec<String> = packages.iter().map(|p| p.to_string()).collect();
    let dir = dir_of(&format!("tool-{name}-"), "py", &reqs, tools::PYTHON_MINOR);
    let python = dir.join("bin").join("python");
    if dir.join(MARKER).is_file() && python.exists() {
        return Ok(python);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(dir.parent().expect("cache subdir"))?;
    let bar = progress::spinner(&format!("{name} venv"));
    run(Command::new(tools::python()?)
        .arg("-m")
        .arg("venv")
        .arg(&dir))?;
    progress::step(&bar, &format!("pip install {}", reqs.join(" ")));
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(&reqs))?;
    bar.finish_and_clear();
    std::fs::write(dir.join(MARKER), reqs.join("\n"))?;
    Ok(python)
}

/// A venv on another host Python (`python3.10`, `python3.12`, …) with the same pins, for the
/// python-mismatch cell. setuptools comes along: PySpark 3.5 imports distutils, which Python
/// 3.12 dropped, and without it the run would fail before reaching the mismatch it shows.
pub fn ensure_on(spark_version: &str, python: &Path, minor: PythonMinor) -> Result<Venv> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_venv_is_keyed_by_its_packages_and_the_line() {
        let a = app_dir_for(
            "3.5.9",
            crate::config::python::DEFAULT,
            &["mmh3==5.2.0".into()],
        )
        .unwrap();
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("app-3.5.9-"), "{name}");
        assert_eq!(
            a,
            app_dir_for(
                "3.5.9",
                crate::config::python::DEFAULT,
                &["mmh3==5.2.0".into()]
            )
            .unwrap()
        );
        assert_ne!(
            a,
            app_dir_for(
                "3.5.9",
                crate::config::python::DEFAULT,
                &["mmh3==5.1.0".into()]
            )
            .unwrap()
        );
        assert_ne!(
            a,
            app_dir_for(
                "4.1.4",
                crate::config::python::DEFAULT,
                &["mmh3==5.2.0".into()]
            )
            .unwrap()
        );
        assert_ne!(a, dir_for("3.5.9").unwrap());
    }
}
