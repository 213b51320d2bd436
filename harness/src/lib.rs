//! sparkmodes: run a PySpark app against a disposable Spark standalone cluster in every
//! deployment mode, check each result, time it, and report.
//!
//! The folders are the stages of one pipeline, and data flows one way through them:
//! [`config`] (scenario → plan) → [`infra`] (images, venvs, cluster) → [`exec`] (drivers,
//! processes, the matrix) → [`measure`] (records, event logs, oracle, statistics) →
//! [`output`] (exports, reports, comparisons, baselines). [`pipeline`] strings them together
//! for `sparkmodes run`; [`cli`] is the command line.

pub mod cli;
pub mod config;
pub mod error;
pub mod exec;
pub mod files;
pub mod infra;
pub mod measure;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod testing;

pub use config::python::PythonMinor;
pub use config::{CellKey, ClusterShape, Mode, Plan, PlannedRun, Scenario};
pub use error::{Error, Exit, Result};
pub use infra::{Cluster, Target};
pub use measure::{Correctness, RunRecord, Status};
