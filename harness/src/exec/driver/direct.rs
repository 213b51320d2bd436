//! Direct: `python <entry> <args>` on the host; PySpark reads the master from
//! spark-defaults.conf (or the app from its own master file).

use std::collections::BTreeMap;

use super::{host_driver, Deployment, Driver};
use crate::error::Result;
use crate::exec::process::Launch;
use crate::infra::target::Target;

pub struct Direct;

impl Driver for Direct {
    fn master_url(&self, target: &Target) -> String {
        target.master_host.clone()
    }

    fn conf(&self, target: &Target) -> Result<BTreeMap<String, String>> {
        Ok(host_driver::conf(target))
    }

    fn launch(&self, job: &Deployment) -> Result<Launch> {
        let master = self.master_url(job.target);
        Ok(Launch {
            program: job.venv.python.clone(),
            args: job.staged.command(&job.placeholders(None, &master)),
            env: host_driver::env(job, &master),
            cwd: job.staged.app.clone(),
            container: None,
        })
    }
}
