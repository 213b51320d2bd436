//! A cluster (and, asked for, a Spark Connect server beside it) that stays up for other tools:
//! what `sparkmodes cluster up` starts and `sparkmodes::testing` hands to a Rust test, with the
//! endpoints a client needs as one serialisable value ([`Endpoints`]: the master, the UI, the
//! `sc://` URL, the token and secret of a secured cluster, the address a classic driver must
//! advertise). Unlike a matrix's clusters it is shared with sessions the harness does not run,
//! so the Connect server takes only half the cores: a classic session beside it gets the rest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::python::PythonMinor;
use crate::config::ClusterShape;
use crate::error::{Error, Result};
use crate::infra::cluster::{self, Cluster};
use crate::infra::connect_server::{RunningServer, ServerOptions};
use crate::infra::image::{self, Base};

/// What to start.
#[derive(Clone, Debug)]
pub struct StandingOptions {
    pub spark: String,
    /// The Python minor of the image and executors.
    pub python: PythonMinor,
    pub base: Base,
    pub shape: ClusterShape,
    /// A Spark Connect server beside the cluster (4.x lines only).
    pub connect: bool,
    /// `spark.authenticate` with a secret made here, and a token for the Connect server.
    pub secure: bool,
    /// Extra conf for the Connect server (the driver of every Connect session).
    pub server_conf: BTreeMap<String, String>,
}

/// How clients reach a standing cluster: what `cluster up --json` prints, once, when ready.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Endpoints {
    /// `spark://127.0.0.1:<port>`, for classic drivers on this machine.
    pub master: String,
    /// The master's web UI (`/json/` for its state).
    pub ui: String,
    /// The address a classic driver on this machine must advertise (`spark.driver.host`): the
    /// cluster network's gateway, which executors reach and nothing outside does.
    pub driver_host: String,
    /// `sc://localhost:<port>` of the Connect server, when one was asked for.
    pub connect: Option<String>,
    /// The `SPARK_REMOTE` a Connect client sets: `connect` with `;token=` when secured.
    pub spark_remote: Option<String>,
    pub spark_version: String,
    /// The Python minor of the executors (a client's must match it).
    pub python: String,
    /// `--secure`: the token Connect clients present, and the `spark.authenticate.secret`
    /// classic drivers need. Printed only to the process that asked.
    pub token: Option<String>,
    pub secret: Option<String>,
    /// The Connect server's cores (`spark.cores.max`), the rest being left to classic sessions.
    pub connect_cores: Option<u32>,
}

/// A started cluster and server; dropped (or [`Standing::rm`]) removes both, server first.
pub struct Standing {
    server: Option<RunningServer>,
    cluster: Option<Cluster>,
    /// The server's event log (mounted into its container), removed with it.
    _event_log: Option<tempfile::TempDir>,
    endpoints: Endpoints,
}

impl Standing {
    /// Builds what is missing, starts the cluster, then the server; refuses a Connect server
    /// on a line without one before anything starts.
    pub fn start(opts: &StandingOptions) -> Result<Standing> {
        refuse_connect_without_server(opts)?;
        let images = image::ensure_for(&opts.spark, &opts.base, opts.python)?;
        let secret = opts.secure.then(crate::infra::new_secret);
        let options = cluster::Options {
            secret: secret.clone(),
            mounts: Vec::new(),
        };
        let cluster = Cluster::start(&images.spark, &opts.shape, options)?;
        let mut endpoints = Endpoints {
            master: cluster.master_url_host(),
            ui: cluster.ui_url(),
            driver_host: cluster.gateway().to_string(),
            connect: None,
            spark_remote: None,
            spark_version: opts.spark.clone(),
            python: opts.python.to_string(),
            token: None,
            secret,
            connect_cores: None,
        };
        let (server, event_log) = match opts.connect {
            false => (None, None),
            true => {
                let (server, dir) = start_server(&cluster, opts, &mut endpoints)?;
                (Some(server), Some(dir))
            }
        };
        Ok(Standing {
            server,
            cluster: Some(cluster),
            _event_log: event_log,
            endpoints,
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn cluster(&self) -> &Cluster {
        self.cluster.as_ref().expect("a standing cluster")
    }

    /// Why the cluster or its server is no longer usable, if it is not.
    pub fn degradation(&self) -> Option<String> {
        let cluster = self.cluster.as_ref().and_then(Cluster::degradation);
        let server = self.server.as_ref().and_then(RunningServer::degradation);
        cluster.or(server)
    }

    /// Removes the server, then the cluster (its network outlives no container).
    pub fn rm(mut self) {
        self.teardown();
    }

    fn teardown(&mut self) {
        if let Some(s) = self.server.take() {
            s.rm();
        }
        if let Some(c) = self.cluster.take() {
            let _ = c.rm();
        }
    }
}

impl Drop for Standing {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// A Connect server on a line without one is refused before anything starts.
pub fn refuse_connect_without_server(opts: &StandingOptions) -> Result<()> {
    let line = crate::config::versions::line_of(&opts.spark)?;
    match (opts.connect, line.connect) {
        (true, crate::config::versions::ConnectClient::Unsupported) => Err(Error::input(format!(
            "--connect: Spark {} has no Connect server here: {}",
            opts.spark,
            crate::config::versions::NO_CONNECT_3_5
        ))),
        _ => Ok(()),
    }
}

/// The server with half the cluster's cores (at least one), its endpoints filled in.
fn start_server(
    cluster: &Cluster,
    opts: &StandingOptions,
    endpoints: &mut Endpoints,
) -> Result<(RunningServer, tempfile::TempDir)> {
    let total = opts.shape.workers * opts.shape.worker_cores;
    let cores = (total / 2).max(1);
    let mut conf = opts.server_conf.clone();
    conf.insert("spark.cores.max".into(), cores.to_string());
    let token = opts.secure.then(crate::infra::new_secret);
    let dir = tempfile::Builder::new()
        .prefix("sparkmodes-connect-eventlog-")
        .tempdir()?;
    let server = RunningServer::start(
        cluster,
        dir.path(),
        ServerOptions {
            conf,
            token: token.clone(),
        },
    )?;
    let url = format!("sc://localhost:{}", server.endpoint.port);
    endpoints.spark_remote = Some(match &token {
        // `localhost`: with a token the client speaks TLS to any other host name.
        Some(t) => format!("{url}/;token={t}"),
        None => url.clone(),
    });
    endpoints.connect = Some(url);
    endpoints.token = token;
    endpoints.connect_cores = Some(cores);
    Ok((server, dir))
}
