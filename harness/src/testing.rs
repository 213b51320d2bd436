//! A disposable Spark standalone cluster, and a Spark Connect server beside it, for other
//! crates' `cargo test`s: the same thing `sparkmodes cluster up` starts, as a value. Start one
//! with [`SparkCluster::builder`], read its [`Endpoints`], and drop it to remove every
//! container and network (a panic or the end of the test process removes them too). Images
//! are built on first use and cached, like the binary's.
//!
//! ```no_run
//! use sparkmodes::testing::SparkCluster;
//!
//! let spark = SparkCluster::builder()
//!     .spark("4.1.4")
//!     .connect(true)
//!     .start()
//!     .expect("a cluster with a Connect server");
//! // A Connect client in any language: `sc://localhost:<port>`.
//! let remote = spark.endpoints().spark_remote.clone().unwrap();
//! assert!(remote.starts_with("sc://localhost:"));
//! // A classic driver on this machine: the master, advertising `driver_host`.
//! println!("{} via {}", spark.endpoints().master, spark.endpoints().driver_host);
//! drop(spark); // everything removed
//! ```

use crate::config::python::PythonMinor;
use crate::config::{versions, ClusterShape};
use crate::error::Result;
use crate::infra::image::Base;
use crate::infra::standing::{Standing, StandingOptions};

pub use crate::infra::standing::Endpoints;

/// A running cluster (and server); removed on drop.
pub struct SparkCluster {
    standing: Standing,
}

impl SparkCluster {
    /// Spark 3.5.9 on Python 3.11, two workers of one core and 1 GiB, no Connect server.
    pub fn builder() -> Builder {
        Builder {
            opts: StandingOptions {
                spark: versions::DEFAULT_SPARK.to_string(),
                python: crate::config::python::DEFAULT,
                base: Base::Debootstrap,
                shape: ClusterShape::default(),
                connect: false,
                secure: false,
                server_conf: Default::default(),
            },
        }
    }

    pub fn endpoints(&self) -> &Endpoints {
        self.standing.endpoints()
    }

    /// Why the cluster or its server stopped serving, if it did.
    pub fn degradation(&self) -> Option<String> {
        self.standing.degradation()
    }
}

/// What to start; every setting has the binary's default.
pub struct Builder {
    opts: StandingOptions,
}

impl Builder {
    pub fn spark(mut self, version: &str) -> Self {
        self.opts.spark = version.to_string();
        self
    }

    /// The executors' Python minor (`"3.13".parse()?`); a client must run the same.
    pub fn python(mut self, minor: PythonMinor) -> Self {
        self.opts.python = minor;
        self
    }

    pub fn shape(mut self, shape: ClusterShape) -> Self {
        self.opts.shape = shape;
        self
    }

    /// A Spark Connect server beside the cluster (4.x lines), with half its cores.
    pub fn connect(mut self, on: bool) -> Self {
        self.opts.connect = on;
        self
    }

    /// `spark.authenticate` and a Connect token, both in [`Endpoints`].
    pub fn secure(mut self, on: bool) -> Self {
        self.opts.secure = on;
        self
    }

    /// Builds what is missing and starts everything; the shape is checked like a scenario's.
    pub fn start(self) -> Result<SparkCluster> {
        self.opts
            .shape
            .check()
            .map_err(|(key, msg)| crate::Error::input(format!("{key} {msg}")))?;
        Ok(SparkCluster {
            standing: Standing::start(&self.opts)?,
        })
    }
}
