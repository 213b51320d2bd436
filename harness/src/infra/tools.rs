//! Host tools the harness shells out to, found with `which` so a missing one is named clearly.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::python::PythonMinor;
use crate::error::{Error, Result};

/// Finds `name` on PATH or fails with a message saying what needs it and how to get it.
pub fn require(name: &str, needed_for: &str, install_hint: &str) -> Result<PathBuf> {
    which::which(name).map_err(|_| {
        Error::setup(format!(
            "`{name}` not found on PATH: it is needed {needed_for}; {install_hint}"
        ))
    })
}

pub fn docker() -> Result<PathBuf> {
    require(
        "docker",
        "to build images and run the cluster",
        "install Docker Engine (e.g. `apt-get install docker.io`)",
    )
}

pub fn java() -> Result<PathBuf> {
    require(
        "java",
        "by pyspark and spark-submit on the host (direct and submit modes)",
        "install Java 17+ (e.g. `apt-get install openjdk-17-jre-headless`)",
    )
}

/// debootstrap, installed with apt-get when missing and we are root, so the README's two
/// commands set up a fresh Debian machine on their own.
pub fn debootstrap() -> Result<PathBuf> {
    const NEEDED: &str = "to make the Debian base image when no --base-image is given";
    const HINT: &str =
        "install it (`apt-get install debootstrap`) or pass --base-image with a local image";
    if let Ok(p) = which::which("debootstrap") {
        return Ok(p);
    }
    let is_root = unsafe { libc::geteuid() } == 0;
    if is_root && which::which("apt-get").is_ok() {
        eprintln!("sparkmodes: installing debootstrap with apt-get (needed {NEEDED})");
        let ok = Command::new("sh")
            .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap"])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(Error::setup(format!(
                "apt-get could not install debootstrap: {HINT}"
            )));
        }
    }
    require("debootstrap", NEEDED, HINT)
}

/// Checks that a Docker daemon answers, with the client's own error when it does not.
pub fn docker_daemon() -> Result<PathBuf> {
    let docker = docker()?;
    let out = Command::new(&docker)
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()?;
    if out.status.success() {
        return Ok(docker);
    }
    let why = String::from_utf8_lossy(&out.stderr);
    let why = why
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no answer");
    Err(Error::setup(format!(
        "no Docker daemon answers ({why}): start it (e.g. `dockerd &` or `systemctl start docker`) or set DOCKER_HOST"
    )))
}

/// The host Python must match the executors' minor version (3.11 in the Debian bookworm image),
/// or PySpark refuses to run the UDF ("Python in worker has different version").
pub const PYTHON_MINOR: PythonMinor = crate::config::python::DEFAULT;

/// The default minor's interpreter: `python3.11` on PATH, `python3` if it is 3.11, or pyenv's.
pub fn python() -> Result<PathBuf> {
    let exact = format!("python{PYTHON_MINOR}");
    if let Ok(p) = which::which(&exact) {
        return Ok(p);
    }
    if which::which("python3").is_err() {
        if let Some(p) = find_python(PYTHON_MINOR) {
            return Ok(p);
        }
    }
    let p = require(
        "python3",
        "on the host for the direct and submit modes and the correctness oracle",
        "install Python 3.11 (e.g. `apt-get install python3.11`, or with pyenv)",
    )?;
    let version = command_output(&p, &["--version"]).unwrap_or_default();
    if version.contains(&format!("Python {PYTHON_MINOR}.")) {
        Ok(p)
    } else if let Some(p) = find_python(PYTHON_MINOR) {
        Ok(p)
    } else {
        Err(Error::setup(format!(
            "{} is `{}`, but the executors run Python {PYTHON_MINOR}: install python{PYTHON_MINOR} on the host",
            p.display(),
            version.trim()
        )))
    }
}

/// `python3.X` that really runs: on PATH (a pyenv shim for a version that is not selected
/// fails, so the interpreter is asked), else installed by pyenv under `$PYENV_ROOT/versions`.
pub fn find_python(minor: PythonMinor) -> Option<PathBuf> {
    let name = format!("python{minor}");
    let answers = |p: &Path| {
        command_output(p, &["--version"]).is_some_and(|v| v.contains(&format!("Python {minor}.")))
    };
    if let Ok(p) = which::which(&name) {
        if answers(&p) {
            return Some(p);
        }
    }
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))?;
    let prefix = format!("{minor}.");
    let mut installed: Vec<PathBuf> = std::fs::read_dir(root.join("versions"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|d| {
            d.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .map(|d| d.join("bin").join(&name))
        .filter(|p| answers(p))
        .collect();
    installed.sort();
    installed.pop()
}

/// The minors of every `python3.X` that runs here (PATH or pyenv, X from 8 to 14), and of
/// the host's own `python3`: what the default Python is chosen from.
pub fn host_pythons() -> (Vec<u32>, Option<u32>) {
    let found = (8..=14)
        .filter(|m| find_python(PythonMinor::new(*m)).is_some())
        .collect();
    let own = which::which("python3")
        .ok()
        .and_then(|p| command_output(&p, &["--version"]))
        .and_then(|v| {
            v.trim()
                .strip_prefix("Python 3.")?
                .split('.')
                .next()?
                .parse()
                .ok()
        });
    (found, own)
}

/// A host Python of another minor than the executors' (`executors`, e.g. `3.11`), for the
/// python-mismatch cell: the nearest one the Spark line supports (`supported` = its oldest and
/// newest minor), so the line's pinned wheels install and the run reaches the mismatch it is
/// meant to show.
pub fn other_python(
    spark: &str,
    supported: (u32, u32),
    executors: PythonMinor,
) -> Result<(PathBuf, PythonMinor)> {
    let ours = executors.minor();
    let mut minors: Vec<u32> = (supported.0..=supported.1).filter(|m| *m != ours).collect();
    minors.sort_by_key(|m| m.abs_diff(ours));
    for minor in &minors {
        let minor = PythonMinor::new(*minor);
        if let Some(p) = find_python(minor) {
            return Ok((p, minor));
        }
    }
    let names: Vec<String> = minors.iter().map(|m| format!("python3.{m}")).collect();
    Err(Error::setup(format!(
        "the python-mismatch cell needs a host Python of another minor than the executors' \
         {executors} that Spark {spark} supports ({}): install one (e.g. `pyenv install \
         3.{}`) or drop the cell",
        names.join(", "),
        minors.first().copied().unwrap_or(ours)
    )))
}

/// stdout (or stderr, where tools like `java -version` print) of a command, if it ran.
pub fn command_output(program: &std::path::Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    Some(String::from_utf8_lossy(&text).into_owned())
}
