//! The real backend of the runner: images, venv and a fresh cluster per group (or an
//! external master), restarted when one of its containers dies.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::plan::GroupKey;
use crate::config::scenario::ConfigSpec;
use crate::error::Result;
use crate::exec::matrix::Backend;
use crate::exec::run::{Executor, GroupContext, SparkExecutor};
use crate::infra::cluster::{self, Cluster};
use crate::infra::image::{self, Base};
use crate::infra::stack::StackSource;
use crate::infra::target::Target;
use crate::infra::venv;

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
    executor: Option<SparkExecutor>,
    config: Option<ConfigSpec>,
    image: String,
    /// Every image used, for environment.json.
    pub images: BTreeMap<String, String>,
    /// Each Spark version's venv and image, for environment.json's stacks.
    pub stacks: Vec<StackSource>,
}

impl SparkBackend {
    pub fn new(opts: BackendOptions) -> Self {
        let secret = opts.secure.then(new_secret);
        SparkBackend {
            opts,
            secret,
            cluster: None,
            executor: None,
            config: None,
            image: String::new(),
            images: BTreeMap::new(),
            stacks: Vec::new(),
        }
    }

    fn note_stack(&mut self, spark_version: &str, venv: &venv::Venv) {
        if self.stacks.iter().any(|s| s.spark_version == spark_version) {
            return;
        }
        self.stacks.push(StackSource {
            spark_version: spark_version.to_string(),
            venv_python: Some(venv.python.clone()),
            image: Some(self.image.clone()),
            external: self.opts.external_master.is_some(),
        });
    }

    fn start_cluster(&self, config: &ConfigSpec) -> Result<Cluster> {
        crate::infra::reaper::park_if_interrupted();
        let options = cluster::Options {
            secret: self.secret.clone(),
        };
        Cluster::start(&self.image, &config.shape, options)
    }
}

/// 256 random bits, hex: never written to a file, passed to Spark through the environment.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Backend for SparkBackend {
    fn start_group(&mut self, key: &GroupKey, config: &ConfigSpec) -> Result<()> {
        let images = image::ensure(&key.spark_version, &self.opts.base)?;
        self.images
            .insert(format!("spark-{}", key.spark_version), images.spark.clone());
        self.images.insert("base".into(), images.base.clone());
        self.image = images.spark;
        let venv = venv::ensure(&key.spark_version)?;
        self.note_stack(&key.spark_version, &venv);
        let (cluster, target) = match &self.opts.external_master {
            Some(url) => (None, Target::external(url, self.secret.clone())),
            None => {
                let c = self.start_cluster(config)?;
                let t = c.target();
                (Some(c), t)
            }
        };
        let ctx = GroupContext {
            run_id: self.opts.run_id.clone(),
            scenario: self.opts.scenario.clone(),
            run_dir: self.opts.run_dir.clone(),
            app_source: self.opts.app_source.clone(),
            image: self.image.clone(),
            venv,
            target,
        };
        self.executor = Some(SparkExecutor::new(ctx, cluster.as_ref()));
        self.cluster = cluster;
        self.config = Some(config.clone());
        Ok(())
    }

    fn executor(&mut self) -> &mut dyn Executor {
        self.executor.as_mut().expect("start_group comes first")
    }

    fn recover(&mut self) -> Result<Option<String>> {
        let Some(cause) = self.cluster.as_ref().and_then(Cluster::degradation) else {
            return Ok(None);
        };
        // Remove the degraded cluster first: a paused container would otherwise linger.
        if let Some(old) = self.cluster.take() {
            let _ = old.rm();
        }
        let config = self.config.clone().expect("a group is running");
        let fresh = self.start_cluster(&config)?;
        if let Some(e) = self.executor.as_mut() {
            e.retarget(&fresh);
        }
        self.cluster = Some(fresh);
        Ok(Some(cause))
    }

    fn end_group(&mut self) {
        self.executor = None;
        if let Some(c) = self.cluster.take() {
            let _ = c.rm();
        }
    }
}
