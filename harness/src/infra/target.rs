//! How drivers reach a cluster: the one sparkmodes started (which hands out its own target,
//! `Cluster::target`), or an external master; and, for the Connect modes, its Spark Connect
//! server.

use std::path::PathBuf;

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
    /// The Spark Connect server of a Connect group; `None` for the classic modes.
    pub connect: Option<ConnectEndpoint>,
    /// Host folders the cluster mounts read-only at the same path (`cluster::Options`): a
    /// driver container mounts them too. Empty for an external cluster.
    pub mounts: Vec<PathBuf>,
}

/// How a Connect client reaches the server, and where the server writes its event log.
#[derive(Debug, Clone)]
pub struct ConnectEndpoint {
    /// The server's gRPC port as published on 127.0.0.1.
    pub port: u16,
    /// `SPARK_CONNECT_AUTHENTICATE_TOKEN` the server requires (`--secure`); passed to clients
    /// in their environment, never in argv or a file.
    pub token: Option<String>,
    /// The host directory holding the server's (one, shared) event log.
    pub event_log_dir: PathBuf,
    /// The server's container, whose health is watched while a client runs.
    pub container: String,
}

/// The variable both the server and the Python client read the Connect token from.
pub const CONNECT_TOKEN_ENV: &str = "SPARK_CONNECT_AUTHENTICATE_TOKEN";

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
            connect: None,
            mounts: Vec::new(),
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
