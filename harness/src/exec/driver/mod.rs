//! How each deployment mode starts the app's driver, one file per mode behind [`Driver`].

mod containerized;
mod direct;
pub mod host;
mod submit;

use std::collections::BTreeMap;

pub use submit::REFUSAL_MESSAGE;

use crate::config::Mode;
use crate::error::Result;
use crate::exec::app::Staged;
use crate::exec::process::Launch;
use crate::infra::target::Target;
use crate::infra::venv::Venv;

/// Everything a mode needs to deploy one run.
pub struct Deployment<'a> {
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
    fn launch(&self, job: &Deployment) -> Result<Launch>;
}

/// A fresh driver for one run of `mode` (the containerized one picks its ports now).
pub fn for_mode(mode: Mode, target: &Target) -> Result<Box<dyn Driver>> {
    Ok(match mode {
        Mode::Direct => Box::new(direct::Direct),
        Mode::Containerized => Box::new(containerized::Containerized::new(target)?),
        Mode::Submit => Box::new(submit::Submit {
            deploy_mode: "client",
        }),
        Mode::PythonMismatch => Box::new(direct::Direct),
        Mode::ClusterRefusal => Box::new(submit::Submit {
            deploy_mode: "cluster",
        }),
    })
}
