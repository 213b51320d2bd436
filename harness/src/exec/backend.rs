//! The real backend of the runner: images and venv (made side by side), a fresh cluster per
//! group (or an external master), restarted when one of its containers dies. A Connect group
//! also gets a Spark Connect server on its cluster (started after it, removed before it), whose
//! start-up time is kept for environment.json (`connect_server_ready_s`): it is paid once per
//! group, not per run, and must not be mistaken for a run's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::manifest::{AppSpec, Dataset};
use crate::config::plan::{GroupKey, PlannedRun};
use crate::config::scenario::ConfigSpec;
use crate::config::stack_label;
use crate::error::Result;
use crate::exec::matrix::Backend;
use crate::exec::run::{Executor, GroupContext, SparkExecutor};
use crate::infra::cluster::{self, Cluster};
use crate::infra::connect_server::{self, RunningServer, ServerOptions};
use crate::infra::image::{self, Base};
use crate::infra::stack::StackSource;
use crate::infra::target::Target;
use crate::infra::tpch;
use crate::infra::{new_secret, prepare, venv};

#[derive(Debug, Clone)]
pub struct BackendOptions {
    pub run_id: String,
    pub scenario: String,
    pub run_dir: PathBuf,
    pub app_source: PathBuf,
    pub base: Base,
    /// Run against this master instead of starting a cluster.
    pub external_master: Option<String>,
    /// `spark.authenticate` with a secret made for this run.
    pub secure: bool,
}

pub struct SparkBackend {
    opts: BackendOptions,
    secret: Option<String>,
    cluster: Option<Cluster>,
    /// The Connect group's server, and what it was started with (for a restart).
    server: Option<RunningServer>,
    server_options: Option<ServerOptions>,
    servers_started: usize,
    /// `<spark>/<config>` of the running group (`<spark>-py<minor>/<config>` for a Python
    /// other than the default).
    group_label: String,
    executor: Option<SparkExecutor>,
    config: Option<ConfigSpec>,
    image: String,
    /// Data folders the group's app reads (mounted into every container of its cluster).
    mounts: Vec<PathBuf>,
    /// Every image used, for environment.json.
    pub images: BTreeMap<String, String>,
    /// Seconds from `docker run` to the Connect server's ready line, per server started, by
    /// group (`<spark>/<config>`), for environment.json.
    pub connect_ready_s: BTreeMap<String, Vec<f64>>,
    /// Each Spark version's (and Python's) venv and image, for environment.json's stacks.
    pub stacks: Vec<StackSource>,
}

impl SparkBackend {
    pub fn new(opts: BackendOptions) -> Self {
        let secret = opts.secure.then(new_secret);
        SparkBackend {
            opts,
            secret,
            cluster: None,
            server: None,
            server_options: None,
            servers_started: 0,
            group_label: String::new(),
            executor: None,
            config: None,
            image: String::new(),
            mounts: Vec::new(),
            images: BTreeMap::new(),
            connect_ready_s: BTreeMap::new(),
            stacks: Vec::new(),
        }
    }

    fn note_stack(&mut self, key: &GroupKey, venv: &venv::Venv) {
        let (spark_version, python) = (&key.spark_version, key.python);
        let seen = |s: &&StackSource| (&s.spark_version, s.python) == (spark_version, python);
        if self.stacks.iter().any(|s| seen(&s)) {
            return;
        }
        self.stacks.push(StackSource {
            spark_version: spark_version.to_string(),
            python,
            venv_python: Some(venv.python.clone()),
            image: Some(self.image.clone()),
            external: self.opts.external_master.is_some(),
        });
    }

    /// The group's images and its drivers' venv, made side by side (`infra::prepare`). The
    /// app's extra packages reach both sides: its image (executors and the driver container)
    /// and its host venv carry the same pins. Connect groups run the Connect-ready sample,
    /// which needs none, from the Connect client's venv.
    fn prepare(&mut self, key: &GroupKey) -> Result<venv::Venv> {
        let spec = AppSpec::load(&self.group_app(key))?;
        let (spark, python, base) = (&key.spark_version, key.python, &self.opts.base);
        let packages = &spec.packages;
        let ((images, app_image), venv) = prepare::side_by_side(
            || {
                let images = image::ensure_for(spark, base, python)?;
                let app_image = image::ensure_app(&images.spark, packages)?;
                Ok((images, app_image))
            },
            || match key.connect {
                true => venv::ensure_connect_for(spark, python),
                false => venv::ensure_app(spark, python, packages),
            },
        )?;
        self.note_images(key, &images, app_image);
        self.mounts = match spec.data {
            Some(Dataset::Tpch) => {
                std::fs::create_dir_all(tpch::root())?;
                vec![tpch::root()]
            }
            None => Vec::new(),
        };
        Ok(venv)
    }

    /// The group's images, for environment.json; `app_image` becomes the one its cluster runs.
    fn note_images(&mut self, key: &GroupKey, images: &image::Images, app_image: String) {
        let stack = stack_label(&key.spark_version, &key.python.to_string());
        self.images
            .insert(format!("spark-{stack}"), images.spark.clone());
        // `base`, or `base-py3.13` for a Python other than the default.
        let base = stack_label("base", &key.python.to_string());
        self.images.insert(base, images.base.clone());
        if app_image != images.spark {
            self.images
                .insert(format!("spark-{stack}-app"), app_image.clone());
        }
        self.image = app_image;
    }

    /// The group's app: its variant's fixture, or the `--app` directory (`config::variant`).
    fn app_dir(&self, key: &GroupKey) -> PathBuf {
        crate::config::variant::dir_of(&key.app, &self.opts.app_source)
    }

    /// The app a group runs on its cluster: a Connect group's is the app itself only if it
    /// declares `connect`, else the sample's Connect twin (`driver::connect::connect_app`).
    fn group_app(&self, key: &GroupKey) -> PathBuf {
        match key.connect {
            true => crate::exec::driver::connect::connect_app(&self.app_dir(key)),
            false => self.app_dir(key),
        }
    }

    fn start_cluster(&self, config: &ConfigSpec) -> Result<Cluster> {
        crate::infra::reaper::park_if_interrupted();
        let options = cluster::Options {
            secret: self.secret.clone(),
            mounts: self.mounts.clone(),
        };
        Cluster::start(&self.image, &config.shape, options)
    }

    /// Starts the group's Connect server on `cluster` and returns the target that names it.
    fn start_server(&mut self, cluster: &Cluster) -> Result<Target> {
        crate::infra::reaper::park_if_interrupted();
        let opts = self.server_options.clone().expect("a connect group");
        let dir = connect_server::event_log_dir(&self.opts.run_dir, self.servers_started);
        self.servers_started += 1;
        let server = RunningServer::start(cluster, &dir, opts)?;
        let key = self.group_label.clone();
        self.connect_ready_s
            .entry(key)
            .or_default()
            .push(server.ready_s);
        let mut target = cluster.target();
        target.connect = Some(server.endpoint.clone());
        self.server = Some(server);
        Ok(target)
    }

    /// Server first: the cluster's network cannot go while a container is attached to it.
    fn remove_cluster(&mut self) {
        if let Some(s) = self.server.take() {
            s.rm();
        }
        if let Some(c) = self.cluster.take() {
            let _ = c.rm();
        }
    }
}

impl Backend for SparkBackend {
    fn start_group(&mut self, key: &GroupKey, first: &PlannedRun) -> Result<()> {
        let config = &first.config;
        let stack = stack_label(&key.spark_version, &key.python.to_string());
        let venv = self.prepare(key)?;
        self.config = Some(config.clone());
        self.group_label = format!("{stack}/{}", config.name);
        self.server_options = key.connect.then(|| ServerOptions {
            conf: first.conf.clone(),
            token: self.secret.as_ref().map(|_| new_secret()),
        });
        self.note_stack(key, &venv);
        let (cluster, target) = match &self.opts.external_master {
            Some(url) => (None, Target::external(url, self.secret.clone())),
            None => {
                let c = self.start_cluster(config)?;
                let t = match key.connect {
                    true => self.start_server(&c)?,
                    false => c.target(),
                };
                (Some(c), t)
            }
        };
        let ctx = GroupContext {
            run_id: self.opts.run_id.clone(),
            scenario: self.opts.scenario.clone(),
            run_dir: self.opts.run_dir.clone(),
            app_source: self.app_dir(key),
            image: self.image.clone(),
            venv,
            target,
        };
        self.executor = Some(SparkExecutor::new(ctx, cluster.as_ref()));
        self.cluster = cluster;
        Ok(())
    }

    fn executor(&mut self) -> &mut dyn Executor {
        self.executor.as_mut().expect("start_group comes first")
    }

    fn recover(&mut self, restore: bool) -> Result<Option<String>> {
        let server_gone = self.server.as_ref().and_then(RunningServer::degradation);
        let cluster_degraded = self.cluster.as_ref().and_then(Cluster::degradation);
        let Some(cause) = cluster_degraded.or(server_gone) else {
            return Ok(None);
        };
        if !restore {
            // The group ends here: `end_group` removes the degraded cluster.
            return Ok(Some(cause));
        }
        // Remove the degraded cluster first: a paused container would otherwise linger.
        self.remove_cluster();
        let config = self.config.clone().expect("a group is running");
        let fresh = self.start_cluster(&config)?;
        let target = match self.server_options.is_some() {
            true => self.start_server(&fresh)?,
            false => fresh.target(),
        };
        if let Some(e) = self.executor.as_mut() {
            e.retarget(&fresh, target);
        }
        self.cluster = Some(fresh);
        Ok(Some(cause))
    }

    fn end_group(&mut self) {
        self.executor = None;
        self.remove_cluster();
        self.server_options = None;
    }
}
