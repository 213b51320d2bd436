//! The identity of a matrix cell (Spark version, Python, config, app, mode, Arrow arm, size):
//! planned by stage 1, carried by every record, and the key every statistic, comparison,
//! baseline and tracker groups runs by. It lives with the plan that makes cells, so later stages
//! import it and never the reverse.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::Mode;

fn default_python() -> String {
    crate::config::python::DEFAULT.to_string()
}

/// The identity of a matrix cell: records with equal keys are repetitions of one measurement.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub spark_version: String,
    #[serde(default = "default_python")]
    pub python: String,
    pub config: String,
    #[serde(default)]
    pub app: String,
    pub mode: Mode,
    pub arrow: bool,
    pub elements: u64,
    /// One query of a multi-query app's runs (TPC-H), or the run as a whole (`None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<u32>,
}

impl CellKey {
    /// The Spark version and, unless it is the default, the Python: `3.5.9`, `4.1.4-py3.13`
    /// (`py3.13` when the version is blanked, as a comparison across versions does). Cells
    /// of the default Python keep the labels they had before the Python axis.
    pub fn stack(&self) -> String {
        stack_label(&self.spark_version, &self.python)
    }

    pub fn arrow_label(&self) -> &'static str {
        if self.arrow {
            "arrow-on"
        } else {
            "arrow-off"
        }
    }

    /// A seed derived from the cell's identity (FNV-1a over its Display form, stable across
    /// Rust versions and machines), so statistics rebuilt elsewhere show the same bootstrap
    /// intervals, and every output of one run (report, trackers) agrees.
    pub fn seed(&self) -> u64 {
        self.to_string()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    }
}

/// `3.5.9/2w-1c-1g/direct/arrow-on/1000`, `/typed` after it for an app of the axis (the
/// `--app` app's cells keep the labels they had before the axis), `/q05` for one query.
impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}/{}",
            self.stack(),
            self.config,
            self.mode,
            self.arrow_label(),
            self.elements
        )?;
        match self.app.as_str() {
            "" => {}
            app => write!(f, "/{app}")?,
        }
        match self.query {
            None => Ok(()),
            Some(q) => write!(f, "/q{q:02}"),
        }
    }
}

/// [`CellKey::stack`] of a version and a Python minor (either may be blank).
pub fn stack_label(spark_version: &str, python: &str) -> String {
    let py = match python {
        "" => String::new(),
        p if p == crate::config::python::DEFAULT.to_string() => String::new(),
        p => format!("py{p}"),
    };
    let parts: Vec<&str> = [spark_version, py.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    parts.join("-")
}
