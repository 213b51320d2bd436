//! Containerized: the app runs in its own container in client mode, as the article lays out.
//! Executors reach the driver through the two ports the container publishes: fixed
//! `spark.driver.port` and `spark.driver.blockManager.port`, `spark.driver.host` = the address
//! they are published on, `spark.driver.bindAddress` = the container's own address.
//!
//! The article names the block manager key `spark.driver.blockManagerPort`; Spark ignores that
//! spelling and picks a random port, which executors then cannot reach (measured on 3.5.9:
//! "Failed to get broadcast_0_piece0"). The real key is `spark.driver.blockManager.port`.
//!
//! The ports are published on the cluster network's gateway address: that is where executors
//! on the cluster network can reach them, and it is not routable from outside this machine.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use super::{host_driver::EXECUTOR_PYTHON, Deployment, Driver};
use crate::config::manifest::Placeholders;
use crate::error::{Error, Result};
use crate::exec::memory_probe::DriverMemory;
use crate::exec::process::Launch;
use crate::exec::staging::Staged;
use crate::infra::docker;
use crate::infra::target::{Target, SECRET_ENV};

/// Where the staged run directory is mounted in the driver container.
pub const WORK: &str = "/work";

pub struct Containerized {
    name: String,
    driver_port: u16,
    block_manager_port: u16,
}

impl Containerized {
    pub fn new(target: &Target) -> Result<Containerized> {
        let bind = target.driver_host.as_deref().unwrap_or("127.0.0.1");
        Ok(Containerized {
            name: format!("{}-driver-{}", docker::session(), unique()),
            driver_port: free_port(bind)?,
            block_manager_port: free_port(bind)?,
        })
    }

    fn docker_args(&self, job: &Deployment) -> Vec<String> {
        let mut args: Vec<String> = vec![
            "run".into(),
            "--rm".into(),
            "--name".into(),
            self.name.clone(),
            "--cidfile".into(),
            cidfile(&job.staged.root).display().to_string(),
        ];
        for (k, v) in docker::labels() {
            args.extend(["--label".into(), format!("{k}={v}")]);
        }
        match (&job.target.network, &job.target.driver_host) {
            (Some(net), Some(host)) => {
                args.extend(["--network".into(), net.clone()]);
                for p in [self.driver_port, self.block_manager_port] {
                    args.extend(["-p".into(), format!("{host}:{p}:{p}")]);
                }
            }
            _ => args.extend(["--network".into(), "host".into()]),
        }
        args.extend(["-v".into(), format!("{}:{WORK}", job.staged.root.display())]);
        for m in &job.target.mounts {
            args.extend(["-v".into(), format!("{0}:{0}:ro", m.display())]);
        }
        args.extend(["-w".into(), format!("{WORK}/app")]);
        for (k, v) in self.env(job) {
            args.extend(["-e".into(), format!("{k}={v}")]);
        }
        if job.target.secret.is_some() {
            // Name only: docker copies the value from our environment, keeping it off argv.
            args.extend(["-e".into(), SECRET_ENV.into()]);
        }
        args.push(job.image.to_string());
        let bridged = job.target.network.is_some() && job.target.driver_host.is_some();
        let command = job.staged.command(&self.placeholders(job));
        args.extend(["sh".into(), "-c".into(), Self::entry(bridged, &command)]);
        args
    }

    fn placeholders(&self, job: &Deployment) -> Placeholders {
        job.placeholders(Some(WORK), &self.master_url(job.target))
    }

    fn env(&self, job: &Deployment) -> Vec<(String, String)> {
        let mut env = vec![
            ("SPARK_CONF_DIR".into(), format!("{WORK}/conf")),
            ("PYSPARK_PYTHON".into(), EXECUTOR_PYTHON.into()),
        ];
        env.extend(job.staged.env(&self.placeholders(job), job.arrow));
        env
    }

    /// On the cluster network the bind address is the container's own, known only inside it;
    /// on the host network (external cluster) Spark's default is right. After Python exits,
    /// wait for the driver JVM to finish its shutdown hooks (they write the event log's
    /// ApplicationEnd); the container would otherwise kill it with its PID 1.
    fn entry(bridged: bool, command: &[String]) -> String {
        let bind = if bridged {
            format!("echo \"spark.driver.bindAddress $(hostname -i | cut -d' ' -f1)\" >> {WORK}/conf/spark-defaults.conf; ")
        } else {
            String::new()
        };
        let command: Vec<String> = command.iter().map(|a| sh_quote(a)).collect();
        format!(
            "{bind}python {}; rc=$?; \
             for p in $(pgrep java); do while kill -0 $p 2>/dev/null; do sleep 0.1; done; done; \
             exit $rc",
            command.join(" ")
        )
    }
}

impl Driver for Containerized {
    fn master_url(&self, target: &Target) -> String {
        target.master_container.clone()
    }

    fn conf(&self, target: &Target) -> Result<BTreeMap<String, String>> {
        let mut conf = BTreeMap::new();
        if let Some(host) = &target.driver_host {
            conf.insert("spark.driver.host".into(), host.clone());
        }
        conf.insert("spark.driver.port".into(), self.driver_port.to_string());
        conf.insert(
            "spark.driver.blockManager.port".into(),
            self.block_manager_port.to_string(),
        );
        Ok(conf)
    }

    fn memory(&self, staged: &Staged) -> DriverMemory {
        DriverMemory::Container {
            cidfile: cidfile(&staged.root),
        }
    }

    fn run_root(&self) -> Option<String> {
        Some(WORK.to_string())
    }

    fn launch(&self, job: &Deployment) -> Result<Launch> {
        let docker = crate::infra::tools::docker()?;
        // `docker run --cidfile` refuses a file left by an earlier attempt in this directory.
        let _ = std::fs::remove_file(cidfile(&job.staged.root));
        let env_secret = job.target.secret_env().into_iter().collect();
        Ok(Launch {
            program: docker,
            args: self.docker_args(job),
            env: env_secret,
            cwd: job.staged.root.clone(),
            container: Some(self.name.clone()),
        })
    }
}

/// Where Docker writes the driver container's id, for its memory cgroup.
fn cidfile(root: &Path) -> PathBuf {
    root.join("driver.cid")
}

/// `s` as one word for `sh`: single-quoted, inner quotes closed and escaped.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A port free on `addr` now; the driver binds it moments later (a small, accepted race).
fn free_port(addr: &str) -> Result<u16> {
    let l = TcpListener::bind((addr, 0))
        .map_err(|e| Error::setup(format!("cannot find a free port on {addr}: {e}")))?;
    Ok(l.local_addr()?.port())
}

fn unique() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
