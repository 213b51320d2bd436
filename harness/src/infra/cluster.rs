//! A disposable Spark standalone cluster: one master and N workers in containers on a private
//! network made for it. Everything carries this session's label and goes away on drop.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;
use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::{ContainerPort, WaitFor};
use testcontainers::runners::SyncRunner;
use testcontainers::{Container, Image, ImageExt};

use crate::config::ClusterShape;
use crate::error::{Error, Result};
use crate::infra::docker;
use crate::infra::reaper;
use crate::infra::Target;

const MASTER_PORT: u16 = 7077;
const UI_PORT: u16 = 8080;
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// A Spark daemon (master or worker) from the sparkmodes Spark image.
#[derive(Clone, Debug)]
pub struct SparkNode {
    image: String,
    tag: String,
    cmd: Vec<String>,
    env: Vec<(String, String)>,
    ready_line: &'static str,
    ports: Vec<ContainerPort>,
}

impl SparkNode {
    fn new(image: &str, cmd: Vec<String>, ready_line: &'static str) -> Self {
        let (name, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
        SparkNode {
            image: name.to_string(),
            tag: tag.to_string(),
            cmd,
            env: Vec::new(),
            ready_line,
            ports: Vec::new(),
        }
    }

    pub fn master(image: &str, host: &str) -> Self {
        let cmd = spark_class("org.apache.spark.deploy.master.Master")
            .chain(["--host", host, "--port", "7077", "--webui-port", "8080"].map(String::from))
            .collect();
        let mut node = SparkNode::new(image, cmd, "I have been elected leader");
        node.ports = vec![ContainerPort::Tcp(MASTER_PORT), ContainerPort::Tcp(UI_PORT)];
        node
    }

    pub fn worker(image: &str, master_url: &str, shape: &ClusterShape) -> Self {
        let cmd = spark_class("org.apache.spark.deploy.worker.Worker")
            .chain([
                "--cores".to_string(),
                shape.worker_cores.to_string(),
                "--memory".to_string(),
                shape.worker_memory.clone(),
                master_url.to_string(),
            ])
            .collect();
        SparkNode::new(image, cmd, "Successfully registered with master")
    }

    /// Spark daemons read JVM options from these variables; used for the REST server switch
    /// and authentication.
    fn with_daemon_opts(mut self, var: &str, opts: &[String]) -> Self {
        self.env.push((var.to_string(), opts.join(" ")));
        self
    }
}

fn spark_class(class: &str) -> impl Iterator<Item = String> {
    ["/opt/spark/bin/spark-class".to_string(), class.to_string()].into_iter()
}

impl Image for SparkNode {
    fn name(&self) -> &str {
        &self.image
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        vec![WaitFor::message_on_stderr(self.ready_line)]
    }

    fn cmd(&self) -> impl IntoIterator<Item = impl Into<std::borrow::Cow<'_, str>>> {
        self.cmd.iter().map(String::as_str)
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<
        Item = (
            impl Into<std::borrow::Cow<'_, str>>,
            impl Into<std::borrow::Cow<'_, str>>,
        ),
    > {
        self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &self.ports
    }
}

/// Publishes `ports` on 127.0.0.1 only, on free host ports; nothing else is published.
pub(crate) fn publish_on_loopback(
    ports: Vec<u16>,
) -> impl Fn(&mut HostConfig) + Send + Sync + 'static {
    move |hc: &mut HostConfig| {
        hc.publish_all_ports = Some(false);
        hc.port_bindings = Some(
            ports
                .iter()
                .map(|p| {
                    let binding = PortBinding {
                        host_ip: Some("127.0.0.1".to_string()),
                        host_port: None,
                    };
                    (format!("{p}/tcp"), Some(vec![binding]))
                })
                .collect(),
        );
    }
}

/// `path` mounted read-only at the same path in a container.
pub(crate) fn read_only(path: &std::path::Path) -> testcontainers::core::Mount {
    let p = path.display().to_string();
    testcontainers::core::Mount::bind_mount(p.clone(), p)
        .with_access_mode(testcontainers::core::AccessMode::ReadOnly)
}

/// Options beyond the shape.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `spark.authenticate` secret shared by master, workers and drivers.
    pub secret: Option<String>,
    /// Host folders mounted read-only at the same path into every container of the cluster
    /// (and its driver containers and Connect server): data an app reads by one path everywhere.
    pub mounts: Vec<PathBuf>,
}

/// What the master reports at `/json/`.
#[derive(Deserialize, Debug, Clone)]
pub struct MasterStatus {
    pub status: String,
    pub aliveworkers: u32,
    pub workers: Vec<WorkerStatus>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct WorkerStatus {
    pub id: String,
    pub state: String,
    pub cores: u32,
    /// MiB.
    pub memory: u64,
}

pub struct Cluster {
    network: String,
    gateway: String,
    master_name: String,
    master_port: u16,
    ui_port: u16,
    image: String,
    shape: ClusterShape,
    options: Options,
    master: Option<Container<SparkNode>>,
    workers: Vec<Container<SparkNode>>,
}

impl Cluster {
    /// Starts the master and workers from `image` and waits until the master reports every
    /// worker ALIVE. On failure the error carries the containers' logs.
    pub fn start(image: &str, shape: &ClusterShape, options: Options) -> Result<Cluster> {
        reaper::install_exit_hook();
        let network = format!("{}-{}", docker::session(), unique_suffix());
        let gateway = docker::create_network(&network)?;
        let mut cluster = Cluster {
            master_name: format!("{network}-master"),
            network,
            gateway,
            master_port: 0,
            ui_port: 0,
            image: image.to_string(),
            shape: shape.clone(),
            options,
            master: None,
            workers: Vec::new(),
        };
        cluster.boot().map_err(|e| cluster.with_logs(e))?;
        Ok(cluster)
    }

    fn boot(&mut self) -> Result<()> {
        let master = self
            .request(
                SparkNode::master(&self.image, &self.master_name)
                    .with_daemon_opts("SPARK_MASTER_OPTS", &self.daemon_opts()),
            )
            .with_container_name(&self.master_name)
            .with_host_config_modifier(publish_on_loopback(vec![MASTER_PORT, UI_PORT]))
            .start()
            .map_err(|e| Error::setup(format!("Spark master did not start: {e}")))?;
        self.master_port = master.get_host_port_ipv4(MASTER_PORT).map_err(tc_err)?;
        self.ui_port = master.get_host_port_ipv4(UI_PORT).map_err(tc_err)?;
        self.master = Some(master);
        for i in 0..self.shape.workers {
            self.add_worker(i)?;
        }
        self.wait_ready(READY_TIMEOUT)
    }

    fn add_worker(&mut self, index: u32) -> Result<()> {
        let node = SparkNode::worker(&self.image, &self.master_url_internal(), &self.shape)
            .with_daemon_opts("SPARK_WORKER_OPTS", &self.daemon_opts());
        let worker = self
            .request(node)
            .with_container_name(format!(
                "{}-worker{index}-{}",
                self.network,
                unique_suffix()
            ))
            .with_host_config_modifier(publish_on_loopback(Vec::new()))
            .start()
            .map_err(|e| Error::setup(format!("Spark worker {index} did not start: {e}")))?;
        self.workers.push(worker);
        Ok(())
    }

    fn request(&self, node: SparkNode) -> testcontainers::ContainerRequest<SparkNode> {
        let mut req = node
            .with_network(&self.network)
            .with_startup_timeout(READY_TIMEOUT);
        for m in &self.options.mounts {
            req = req.with_mount(read_only(m));
        }
        for (k, v) in docker::labels() {
            req = req.with_label(k, v);
        }
        req
    }

    fn daemon_opts(&self) -> Vec<String> {
        let mut opts = vec!["-Dspark.master.rest.enabled=false".to_string()];
        if let Some(secret) = &self.options.secret {
            opts.push("-Dspark.authenticate=true".into());
            opts.push(format!("-Dspark.authenticate.secret={secret}"));
        }
        opts
    }

    /// Polls the master's `/json/` until it is ALIVE with every worker ALIVE.
    pub fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let want = self.workers.len() as u32;
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            match self.status() {
                Ok(s) if s.status == "ALIVE" && s.aliveworkers >= want => return Ok(()),
                Ok(s) => {
                    last = format!("{} with {}/{want} workers alive", s.status, s.aliveworkers)
                }
                Err(e) => last = e.to_string(),
            }
            // A poll interval, not a synchronisation: the condition is re-read from the master.
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(Error::setup(format!(
            "cluster not ready after {}s: master reports {last}",
            timeout.as_secs()
        )))
    }

    pub fn status(&self) -> Result<MasterStatus> {
        let url = format!("{}/json/", self.ui_url());
        let resp = reqwest::blocking::Client::new()
            .get(&url)
            .timeout(Duration::from_secs(5))
            .send()
            .and_then(|r| r.error_for_status())
            .map_err(|e| Error::setup(format!("master UI {url} does not answer: {e}")))?;
        resp.json()
            .map_err(|e| Error::setup(format!("master UI {url} sent unreadable JSON: {e}")))
    }

    /// For drivers on the host: the master's 7077 as published on loopback.
    pub fn master_url_host(&self) -> String {
        format!("spark://127.0.0.1:{}", self.master_port)
    }

    /// For containers on the cluster network.
    pub fn master_url_internal(&self) -> String {
        format!("spark://{}:{MASTER_PORT}", self.master_name)
    }

    pub fn ui_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ui_port)
    }

    pub fn network(&self) -> &str {
        &self.network
    }

    /// The host's address on the cluster network: how executors reach a driver on the host.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// How drivers reach this cluster.
    pub fn target(&self) -> Target {
        Target {
            master_host: self.master_url_host(),
            master_container: self.master_url_internal(),
            network: Some(self.network.clone()),
            driver_host: Some(self.gateway.clone()),
            secret: self.options.secret.clone(),
            connect: None,
            mounts: self.options.mounts.clone(),
        }
    }

    pub fn image(&self) -> &str {
        &self.image
    }

    pub fn shape(&self) -> &ClusterShape {
        &self.shape
    }

    pub fn secret(&self) -> Option<&str> {
        self.options.secret.as_deref()
    }

    pub fn container_ids(&self) -> Vec<String> {
        self.master
            .iter()
            .map(|c| c.id().to_string())
            .chain(self.workers.iter().map(|c| c.id().to_string()))
            .collect()
    }

    pub fn worker_ids(&self) -> Vec<String> {
        self.workers.iter().map(|c| c.id().to_string()).collect()
    }

    /// Why the cluster is no longer the one that was started, if it is not: a container dead
    /// or paused, the master not answering, or fewer ALIVE workers (or cores) than the shape.
    pub fn degradation(&self) -> Option<String> {
        let dead = self.dead_containers();
        if !dead.is_empty() {
            return Some(format!("cluster container(s) died: {}", dead.join(", ")));
        }
        let status = match self.status() {
            Ok(s) => s,
            Err(e) => return Some(format!("cluster master does not answer: {e}")),
        };
        let alive: Vec<&WorkerStatus> = status
            .workers
            .iter()
            .filter(|w| w.state == "ALIVE")
            .collect();
        let cores: u32 = alive.iter().map(|w| w.cores).sum();
        let (want, want_cores) = (
            self.shape.workers,
            self.shape.workers * self.shape.worker_cores,
        );
        (alive.len() < want as usize || cores < want_cores).then(|| {
            format!(
                "cluster degraded: the master reports {}/{want} workers ALIVE with {cores}/{want_cores} cores",
                alive.len()
            )
        })
    }

    /// Names of the cluster's containers that are not running (or are paused), with their state.
    pub fn dead_containers(&self) -> Vec<String> {
        self.container_ids()
            .iter()
            .filter_map(|id| {
                let state = docker::cli(&[
                    "inspect",
                    "--format",
                    "{{.Name}} {{.State.Running}}{{if .State.Paused}}-paused{{end}} {{.State.Status}} exit={{.State.ExitCode}}",
                    id,
                ])
                .unwrap_or_else(|_| format!("{id} false removed"));
                let mut f = state.splitn(3, ' ');
                let name = f.next().unwrap_or(id).trim_start_matches('/').to_string();
                (f.next() != Some("true"))
                    .then(|| format!("{name} ({})", f.next().unwrap_or("gone")))
            })
            .collect()
    }

    fn with_logs(&self, err: Error) -> Error {
        let mut text = err.to_string();
        for (name, id) in self.names_and_ids() {
            text.push_str(&format!("\n--- {name} logs ---\n{}", docker::logs(&id, 20)));
        }
        Error::setup(text)
    }

    fn names_and_ids(&self) -> Vec<(String, String)> {
        let filter = format!("label={}={}", docker::LABEL, docker::session());
        docker::cli(&[
            "ps",
            "-a",
            "--filter",
            &filter,
            "--filter",
            &format!("network={}", self.network),
            "--format",
            "{{.Names}} {{.ID}}",
        ])
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect()
    }

    /// Removes the cluster now, reporting errors (Drop does the same, silently).
    pub fn rm(mut self) -> Result<()> {
        self.teardown()
    }

    fn teardown(&mut self) -> Result<()> {
        if docker::keep() {
            // testcontainers removes a container on drop unless told otherwise; forgetting
            // the handles keeps them running for inspection.
            self.workers.drain(..).for_each(std::mem::forget);
            if let Some(m) = self.master.take() {
                std::mem::forget(m);
            }
            eprintln!(
                "sparkmodes: SPARKMODES_KEEP set, keeping cluster network {}",
                self.network
            );
            return Ok(());
        }
        // Containers must go before their network can.
        let ids = self.container_ids();
        self.workers.clear();
        self.master = None;
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(ids.iter().map(String::as_str));
            let _ = docker::cli(&args);
        }
        let removed = docker::cli(&["network", "rm", &self.network]).map(|_| ());
        self.network.clear();
        removed
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if !self.network.is_empty() {
            let _ = self.teardown();
        }
    }
}

fn tc_err(e: testcontainers::TestcontainersError) -> Error {
    Error::setup(format!("container error: {e}"))
}

/// Distinguishes several clusters of one session (tests, config comparisons).
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("c{}", N.fetch_add(1, Ordering::Relaxed))
}
