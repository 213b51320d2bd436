//! Direct: `python project.py` on the host; the app's SparkConf connects to the master itself.

use std::collections::BTreeMap;

use super::{host, Deployment, Driver};
use crate::error::Result;
use crate::exec::process::Launch;
use crate::infra::target::Target;

pub struct Direct;

impl Driver for Direct {
    fn master_url(&self, target: &Target) -> String {
        target.master_host.clone()
    }

    fn conf(&self, target: &Target) -> Result<BTreeMap<String, String>> {
        Ok(host::conf(target))
    }

    fn launch(&self, job: &Deployment) -> Result<Launch> {
        Ok(Launch {
            program: job.venv.python.clone(),
            args: vec!["project.py".into()],
            env: host::env(job),
            cwd: job.staged.app.clone(),
            container: None,
        })
    }
}
