//! The deployment modes the article describes, one file each.

mod containerized;
mod direct;
pub mod host;
mod submit;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use submit::REFUSAL_MESSAGE;

use crate::app::Staged;
use crate::error::Result;
use crate::process::Launch;
use crate::target::Target;
use crate::venv::Venv;

/// Everything a mode needs to launch one run.
pub struct Job<'a> {
    pub target: &'a Target,
    pub venv: &'a Venv,
    /// The Spark image, for a driver container.
    pub image: &'a str,
    pub staged: &'a Staged,
    pub elements: u64,
    pub seed: u64,
}

/// How one mode starts the app's driver.
pub trait Driver {
    /// The master URL as this driver sees it (written into data_source.ini).
    fn master_url(&self, target: &Target) -> String;
    /// Spark settings this mode needs on top of the scenario's.
    fn conf(&self, target: &Target) -> Result<BTreeMap<String, String>>;
    /// The event log directory as the driver sees it; `None` means the staged one on the host.
    fn event_log_dir(&self) -> Option<String> {
        None
    }
    fn launch(&self, job: &Job) -> Result<Launch>;
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `python project.py` on the host, connecting to the master itself.
    Direct,
    /// The app in its own container, reached by executors through published driver ports.
    Containerized,
    /// `spark-submit --deploy-mode client` on the host.
    Submit,
    /// `spark-submit --deploy-mode cluster`: a standalone master must refuse a `.py` app.
    ClusterRefusal,
}

impl Mode {
    pub const ALL: [Mode; 4] = [
        Mode::Direct,
        Mode::Containerized,
        Mode::Submit,
        Mode::ClusterRefusal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Direct => "direct",
            Mode::Containerized => "containerized",
            Mode::Submit => "submit",
            Mode::ClusterRefusal => "cluster-refusal",
        }
    }

    /// A fresh driver for one run (the containerized one picks its ports now).
    pub fn driver(self, target: &Target) -> Result<Box<dyn Driver>> {
        Ok(match self {
            Mode::Direct => Box::new(direct::Direct),
            Mode::Containerized => Box::new(containerized::Containerized::new(target)?),
            Mode::Submit => Box::new(submit::Submit {
                deploy_mode: "client",
            }),
            Mode::ClusterRefusal => Box::new(submit::Submit {
                deploy_mode: "cluster",
            }),
        })
    }

    /// The refusal mode never computes anything, so Arrow and correctness do not apply.
    pub fn computes(self) -> bool {
        self != Mode::ClusterRefusal
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
                format!("unknown mode `{s}`: expected one of direct, containerized, submit, cluster-refusal")
            })
    }
}
