//! How drivers reach a cluster: the one sparkmodes started (which hands out its own target,
//! `Cluster::target`), or an external master.

/// Addresses and credentials a driver needs, whichever cluster it runs against.
#[derive(Debug, Clone)]
pub struct Target {
    /// Master URL for a driver on the host.
    pub master_host: String,
    /// Master URL for a driver container.
    pub master_container: String,
    /// Docker network a driver container joins; `None` for an external cluster (host network).
    pub network: Option<String>,
    /// Address executors use to reach a driver on this machine; `None` lets Spark choose.
    pub driver_host: Option<String>,
    /// `spark.authenticate` secret; passed in the environment, never written to a file.
    pub secret: Option<String>,
}

impl Target {
    /// A cluster sparkmodes did not start. Driver containers use the host network, since
    /// there is no cluster network to publish ports on.
    pub fn external(master: &str, secret: Option<String>) -> Target {
        Target {
            master_host: master.to_string(),
            master_container: master.to_string(),
            network: None,
            driver_host: None,
            secret,
        }
    }
}

/// A standalone driver insists on `spark.authenticate.secret` being in its conf; it gets there
/// as a JVM system property through this variable (read by every spark-submit launch, pyspark
/// included), so the secret is never written into a conf file in the run directory. Spark
/// redacts it from the event log.
pub const SECRET_ENV: &str = "SPARK_SUBMIT_OPTS";

impl Target {
    /// The environment entry carrying the secret, if any.
    pub fn secret_env(&self) -> Option<(String, String)> {
        self.secret.as_ref().map(|s| {
            (
                SECRET_ENV.to_string(),
                format!("-Dspark.authenticate.secret={s}"),
            )
        })
    }
}
