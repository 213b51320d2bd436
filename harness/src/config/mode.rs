//! The deployment modes a scenario can name: a plain value type that scenarios, plans and
//! records share. How each mode starts its driver lives in `exec::driver`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `python project.py` on the host, connecting to the master itself.
    #[default]
    Direct,
    /// The app in its own container, reached by executors through published driver ports.
    Containerized,
    /// `spark-submit --deploy-mode client` on the host.
    Submit,
    /// `spark-submit --deploy-mode cluster`: a standalone master must refuse a `.py` app.
    ClusterRefusal,
    /// Direct mode with the driver on another Python minor than the executors: the first task
    /// must fail with Spark's `[PYTHON_VERSION_MISMATCH]`.
    PythonMismatch,
    /// The Connect-ready app (fixtures/app-connect) on the host with the pure Python client,
    /// talking gRPC to a Spark Connect server next to the cluster.
    Connect,
    /// The unchanged classic app with `SPARK_REMOTE` set, in the pure-client venv: it must
    /// fail at its first classic-only import (`SparkContext`); a negative cell like the refusal.
    ConnectClassic,
    /// Direct mode with the driver's pyspark from another line than the cluster's: Spark's
    /// RPC classes differ, the driver never registers (`InvalidClassException`).
    VersionSkew,
    /// Direct mode at an element count its `spark.driver.memory` cannot hold: OutOfMemoryError.
    DriverOom,
    /// Direct mode with `spark.driver.maxResultSize` below the collected result's size.
    MaxResultSize,
}

impl Mode {
    pub const ALL: [Mode; 10] = [
        Mode::Direct,
        Mode::Containerized,
        Mode::Submit,
        Mode::ClusterRefusal,
        Mode::PythonMismatch,
        Mode::Connect,
        Mode::ConnectClassic,
        Mode::VersionSkew,
        Mode::DriverOom,
        Mode::MaxResultSize,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Direct => "direct",
            Mode::Containerized => "containerized",
            Mode::Submit => "submit",
            Mode::ClusterRefusal => "cluster-refusal",
            Mode::PythonMismatch => "python-mismatch",
            Mode::Connect => "connect",
            Mode::ConnectClassic => "connect-classic",
            Mode::VersionSkew => "version-skew",
            Mode::DriverOom => "driver-oom",
            Mode::MaxResultSize => "max-result-size",
        }
    }

    /// The negative cells compute nothing: their promise is a specific failure, so Arrow, the
    /// element count and correctness do not apply (one cell each, no warmups, no faults).
    pub fn computes(self) -> bool {
        self.expected_failure().is_none()
    }

    /// For a negative cell, the diagnosis (`measure::diagnosis`) its failure must match.
    pub fn expected_failure(self) -> Option<&'static str> {
        match self {
            Mode::ClusterRefusal => Some("cluster-refusal"),
            Mode::PythonMismatch => Some("python-mismatch"),
            Mode::ConnectClassic => Some("connect-classic-api"),
            Mode::VersionSkew => Some("version-skew"),
            Mode::DriverOom => Some("driver-out-of-memory"),
            Mode::MaxResultSize => Some("max-result-size"),
            _ => None,
        }
    }

    /// Modes that need a Spark Connect server: their runs get a cluster of their own, since
    /// the server holds every core of the cluster it runs on (classic apps beside it starve).
    pub fn uses_connect(self) -> bool {
        matches!(self, Mode::Connect | Mode::ConnectClassic)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
                format!("unknown mode `{s}`: expected one of {}", names.join(", "))
            })
    }
}
