//! The Spark Connect server of a Connect group: one long-running driver in its own container
//! on the cluster network, started from the same Spark image with spark-submit (the pip
//! package ships the server jar but no `start-connect-server.sh`). Only its gRPC port is
//! published, on 127.0.0.1; its event log goes to a host directory so every run's jobs can be
//! read from it. Labelled like the cluster, removed before the cluster's network.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use testcontainers::core::{ContainerPort, Mount, WaitFor};
use testcontainers::runners::SyncRunner;
use testcontainers::{Container, Image, ImageExt};

use crate::error::{Error, Result};
use crate::infra::cluster::{publish_on_loopback, Cluster};
use crate::infra::docker;
use crate::infra::target::{ConnectEndpoint, CONNECT_TOKEN_ENV, SECRET_ENV};

pub const GRPC_PORT: u16 = 15002;
/// The server's own words once it listens (on stderr, after the app registered).
pub const READY_LINE: &str = "Spark Connect server started at";
const SERVER_CLASS: &str = "org.apache.spark.sql.connect.service.SparkConnectServer";
const EVENT_LOG_MOUNT: &str = "/eventlog";
const READY_TIMEOUT: Duration = Duration::from_secs(240);

/// The server container's recipe (a testcontainers [`Image`]).
#[derive(Clone, Debug)]
pub struct ConnectServer {
    image: String,
    tag: String,
    cmd: Vec<String>,
    env: Vec<(String, String)>,
    ports: Vec<ContainerPort>,
}

/// What the server needs besides the cluster.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// The scenario's Spark conf (the server is the driver of every Connect run).
    pub conf: BTreeMap<String, String>,
    /// `--secure`: the token clients must present.
    pub token: Option<String>,
}

impl ConnectServer {
    pub fn new(cluster: &Cluster, name: &str, opts: &ServerOptions) -> ConnectServer {
        let image = cluster.image();
        let (repo, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
        ConnectServer {
            image: repo.to_string(),
            tag: tag.to_string(),
            cmd: command(
                &cluster.master_url_internal(),
                name,
                &conf(name, cluster, opts),
            ),
            env: env(cluster, opts),
            ports: vec![ContainerPort::Tcp(GRPC_PORT)],
        }
    }
}

fn command(master: &str, name: &str, conf: &BTreeMap<String, String>) -> Vec<String> {
    let mut cmd: Vec<String> = ["/opt/spark/bin/spark-submit", "--class", SERVER_CLASS]
        .into_iter()
        .chain(["--master", master, "--name", name])
        .map(String::from)
        .collect();
    for (k, v) in conf {
        cmd.extend(["--conf".to_string(), format!("{k}={v}")]);
    }
    cmd
}

/// The scenario's conf, then the wiring the harness owns: executors reach the server by its
/// container name on the cluster network; a plain, unrolled event log in the mounted dir.
fn conf(name: &str, cluster: &Cluster, opts: &ServerOptions) -> BTreeMap<String, String> {
    let mut conf = opts.conf.clone();
    let owned = [
        ("spark.driver.host", name),
        ("spark.driver.bindAddress", "0.0.0.0"),
        ("spark.connect.grpc.binding.port", "15002"),
        ("spark.eventLog.enabled", "true"),
        ("spark.eventLog.dir", "file:/eventlog"),
        ("spark.eventLog.compress", "false"),
        ("spark.eventLog.rolling.enabled", "false"),
    ];
    conf.extend(owned.map(|(k, v)| (k.to_string(), v.to_string())));
    if cluster.secret().is_some() {
        conf.insert("spark.authenticate".into(), "true".into());
    }
    conf
}

/// Secrets by environment only: the Connect token, and the cluster secret as a JVM property.
fn env(cluster: &Cluster, opts: &ServerOptions) -> Vec<(String, String)> {
    let mut env = Vec::new();
    if let Some(token) = &opts.token {
        env.push((CONNECT_TOKEN_ENV.to_string(), token.clone()));
    }
    if let Some(secret) = cluster.secret() {
        let prop = format!("-Dspark.authenticate.secret={secret}");
        env.push((SECRET_ENV.to_string(), prop));
    }
    env
}

impl Image for ConnectServer {
    fn name(&self) -> &str {
        &self.image
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        vec![WaitFor::message_on_stderr(READY_LINE)]
    }

    fn cmd(&self) -> impl IntoIterator<Item = impl Into<Cow<'_, str>>> {
        self.cmd.iter().map(String::as_str)
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &self.ports
    }
}

/// A started server: its container (removed on drop), how clients reach it, and how long it
/// took from `docker run` to its ready line.
pub struct RunningServer {
    container: Option<Container<ConnectServer>>,
    pub endpoint: ConnectEndpoint,
    pub ready_s: f64,
}

impl RunningServer {
    /// Starts the server on `cluster`, its event log in `event_log_dir` (created here).
    pub fn start(cluster: &Cluster, event_log_dir: &Path, opts: ServerOptions) -> Result<Self> {
        std::fs::create_dir_all(event_log_dir)?;
        let name = format!("{}-connect", cluster.network());
        let started = Instant::now();
        let server = ConnectServer::new(cluster, &name, &opts);
        let container = request(server, &name, cluster, event_log_dir)
            .start()
            .map_err(|e| {
                Error::setup(format!(
                    "Spark Connect server did not start: {e}{}",
                    logs(&name)
                ))
            })?;
        let ready_s = started.elapsed().as_secs_f64();
        let port = container
            .get_host_port_ipv4(GRPC_PORT)
            .map_err(|e| Error::setup(format!("Spark Connect server port: {e}")))?;
        let endpoint = ConnectEndpoint {
            port,
            token: opts.token,
            event_log_dir: event_log_dir.to_path_buf(),
            container: container.id().to_string(),
        };
        Ok(RunningServer {
            container: Some(container),
            endpoint,
            ready_s,
        })
    }

    /// Why the server is unusable, if it is: exited, paused or removed, or its JVM ran out of
    /// heap (seen for real: the scheduler's dispatcher thread dies, the container keeps
    /// running, and every later client hangs until its timeout — fixtures/logs/connect-server-oom.log).
    pub fn degradation(&self) -> Option<String> {
        health(self.container.as_ref()?.id())
    }

    /// Removes the server now (drop does the same); with SPARKMODES_KEEP it stays, labelled.
    pub fn rm(mut self) {
        self.teardown();
    }

    fn teardown(&mut self) {
        let Some(c) = self.container.take() else {
            return;
        };
        if docker::keep() {
            std::mem::forget(c);
            return;
        }
        let _ = docker::cli(&["rm", "-f", "-v", c.id()]);
        drop(c);
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// The server on the cluster network, its event log mounted, and the cluster's data mounts.
fn request(
    server: ConnectServer,
    name: &str,
    cluster: &Cluster,
    event_log_dir: &Path,
) -> testcontainers::ContainerRequest<ConnectServer> {
    let network = cluster.network();
    let mount = Mount::bind_mount(event_log_dir.display().to_string(), EVENT_LOG_MOUNT);
    let mut req = server
        .with_network(network)
        .with_container_name(name)
        .with_hostname(name)
        .with_mount(mount)
        .with_startup_timeout(READY_TIMEOUT)
        .with_host_config_modifier(publish_on_loopback(vec![GRPC_PORT]));
    for m in &cluster.target().mounts {
        req = req.with_mount(crate::infra::cluster::read_only(m));
    }
    for (k, v) in docker::labels() {
        req = req.with_label(k, v);
    }
    req
}

fn logs(name: &str) -> String {
    format!("\n--- {name} logs ---\n{}", docker::logs(name, 20))
}

/// How much of the server's log is read after each run: far more than one run writes.
const LOG_TAIL: u32 = 20_000;

/// Why the server `container` cannot serve clients any more, if it cannot: not running, or
/// its log has an OutOfMemoryError (checked after every run, and while a client runs).
pub fn health(container: &str) -> Option<String> {
    let state = docker::cli(&["inspect", "--format", "{{.State.Status}}", container])
        .unwrap_or_else(|_| "removed".into());
    if state != "running" {
        return Some(format!("Spark Connect server {state}"));
    }
    out_of_memory(&docker::logs(container, LOG_TAIL))
}

/// The server's own OutOfMemoryError line, if its log has one.
pub fn out_of_memory(log: &str) -> Option<String> {
    let line = crate::measure::diagnosis::jvm_out_of_memory(log)?;
    Some(format!(
        "Spark Connect server ran out of memory (\"{line}\"): restarted; raise spark.driver.memory for it"
    ))
}

/// Where a group's server writes its event log: one folder per server start, so a restarted
/// server's application never shares a folder with the one before.
pub fn event_log_dir(run_dir: &Path, start: usize) -> PathBuf {
    run_dir.join("connect-eventlog").join(start.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real excerpt of a server that died of heap exhaustion is seen as degraded.
    #[test]
    fn a_server_that_ran_out_of_memory_is_degraded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/logs/");
        let log = std::fs::read_to_string(format!("{dir}connect-server-oom.log")).unwrap();
        let why = out_of_memory(&log).expect("the OOM is seen");
        assert!(
            why.contains("java.lang.OutOfMemoryError: Java heap space"),
            "{why}"
        );
        assert_eq!(out_of_memory("INFO SparkConnectServer: started\n"), None);
    }
}
