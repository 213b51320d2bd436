//! What the three host-side modes share: the venv environment and the driver address.

use std::collections::BTreeMap;

use super::Deployment;
use crate::infra::target::Target;

/// Python path inside the Spark image, where executors start their Python workers.
pub const EXECUTOR_PYTHON: &str = "/opt/venv/bin/python";

/// The article's environment for a host driver: SPARK_HOME where pip put pyspark, and the
/// Python for executors and driver; then what every app is told (`Staged::env`).
pub fn env(job: &Deployment, master: &str) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "SPARK_HOME".into(),
            job.venv.spark_home.display().to_string(),
        ),
        (
            "SPARK_CONF_DIR".into(),
            job.staged.conf_dir.display().to_string(),
        ),
        ("PYSPARK_PYTHON".into(), EXECUTOR_PYTHON.into()),
        (
            "PYSPARK_DRIVER_PYTHON".into(),
            job.venv.python.display().to_string(),
        ),
    ];
    env.extend(job.staged.env(&job.placeholders(None, master), job.arrow));
    env.extend(job.target.secret_env());
    env
}

/// A host driver advertises the cluster network's gateway, which executors can reach and
/// which is not routable from outside this machine (Spark binds to it too).
pub fn conf(target: &Target) -> BTreeMap<String, String> {
    let mut conf = BTreeMap::new();
    if let Some(host) = &target.driver_host {
        conf.insert("spark.driver.host".into(), host.clone());
    }
    conf
}
