//! What each Spark version of a run ran on, for `environment.json`: the driver's PySpark and
//! Python (the host venv the direct and submit modes use), and the image's Python and Java
//! (the executors of a cluster sparkmodes starts, and the containerized driver). A version
//! comparison is only as good as knowing these moved with it. Probes are tolerant and
//! time-bounded like the rest of the environment: anything unanswered is `None`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::python::PythonMinor;
use crate::infra::probe::{parse_java_version, parse_python_version, Probe};

/// The software under one Spark version of the run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SparkStack {
    pub spark_version: String,
    /// The Python minor of the axis this stack ran (`3.11` in records written before it).
    #[serde(default = "default_python")]
    pub python: String,
    pub image: Option<String>,
    pub driver_pyspark: Option<String>,
    pub driver_python: Option<String>,
    /// The image's `/opt/venv/bin/python`: the executors' Python on a cluster sparkmodes
    /// starts (`executor_python`), and the containerized driver's.
    pub image_python: Option<String>,
    /// `None` against an external cluster: its executors are not the image's.
    pub executor_python: Option<String>,
    pub image_java: Option<String>,
}

/// Where one version's stack is read from: its host venv and its image, as the run used them.
#[derive(Clone, Debug, PartialEq)]
pub struct StackSource {
    pub spark_version: String,
    pub python: PythonMinor,
    pub venv_python: Option<PathBuf>,
    pub image: Option<String>,
    /// The run used a cluster it did not start.
    pub external: bool,
}

/// Driver side: `sys.version` and `pyspark.__version__`, one line each.
const DRIVER_PROBE: &str =
    "import sys, pyspark; print(sys.version.split()[0]); print(pyspark.__version__)";
/// Image side, one short-lived container: both answers on stdout.
const IMAGE_PROBE: &str = "/opt/venv/bin/python --version 2>&1; java -version 2>&1";

pub fn probe_stack(probe: &dyn Probe, source: &StackSource) -> SparkStack {
    let (driver_python, driver_pyspark) = probe_driver(probe, source);
    let (image_python, image_java) = probe_image(probe, source);
    SparkStack {
        spark_version: source.spark_version.clone(),
        python: source.python.to_string(),
        image: source.image.clone(),
        driver_pyspark,
        driver_python,
        executor_python: image_python.clone().filter(|_| !source.external),
        image_python,
        image_java,
    }
}

fn default_python() -> String {
    crate::config::python::DEFAULT.to_string()
}

fn probe_driver(probe: &dyn Probe, source: &StackSource) -> (Option<String>, Option<String>) {
    let Some(python) = source.venv_python.as_ref().and_then(|p| p.to_str()) else {
        return (None, None);
    };
    let Some(out) = probe
        .command(python, &["-c", DRIVER_PROBE])
        .filter(|o| o.success)
    else {
        return (None, None);
    };
    let mut lines = out.stdout.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut next = || lines.next().map(str::to_string);
    (next(), next())
}

fn probe_image(probe: &dyn Probe, source: &StackSource) -> (Option<String>, Option<String>) {
    let Some(image) = source.image.as_deref() else {
        return (None, None);
    };
    let args = [
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        image,
        "-c",
        IMAGE_PROBE,
    ];
    let Some(out) = probe.command("docker", &args) else {
        return (None, None);
    };
    let text = format!("{}{}", out.stdout, out.stderr);
    (parse_python_version(&text), parse_java_version(&text))
}

#[cfg(test)]
mod tests;
