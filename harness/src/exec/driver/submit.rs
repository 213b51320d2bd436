//! Submit: `spark-submit --deploy-mode client <entry> <args>` from the app directory (its
//! py-files come from `spark.submit.pyFiles` in spark-defaults.conf), and its negative twin,
//! `--deploy-mode cluster`, which a standalone master must refuse for Python.

use std::collections::BTreeMap;

use super::{host_driver, Deployment, Driver};
use crate::error::Result;
use crate::exec::process::Launch;
use crate::infra::target::Target;

/// The refusal Spark 3.x and 4.x print for a Python app in cluster mode on standalone.
pub const REFUSAL_MESSAGE: &str =
    "Cluster deploy mode is currently not supported for python applications on standalone clusters";

pub struct Submit {
    pub deploy_mode: &'static str,
}

impl Driver for Submit {
    fn master_url(&self, target: &Target) -> String {
        target.master_host.clone()
    }

    fn conf(&self, target: &Target) -> Result<BTreeMap<String, String>> {
        Ok(host_driver::conf(target))
    }

    fn launch(&self, job: &Deployment) -> Result<Launch> {
        let master = self.master_url(job.target);
        let mut args: Vec<String> = ["--master", &master, "--deploy-mode", self.deploy_mode]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(job.staged.command(&job.placeholders(None, &master)));
        Ok(Launch {
            program: job.venv.spark_submit(),
            args,
            env: host_driver::env(job, &master),
            cwd: job.staged.app.clone(),
            container: None,
        })
    }
}
