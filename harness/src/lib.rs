//! sparkmodes: run a PySpark app against a disposable Spark standalone cluster in every
//! deployment mode, check each result, time it, and report.

pub mod app;
pub mod backend;
pub mod baseline;
pub mod cache;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod docker;
pub mod environment;
pub mod error;
pub mod eventlog;
pub mod export;
pub mod gate;
pub mod image;
pub mod job;
pub mod mode;
pub mod oracle;
pub mod plan;
pub mod process;
pub mod progress;
pub mod reaper;
pub mod record;
pub mod report;
pub mod run;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod target;
pub mod tools;
pub mod venv;
pub mod versions;

pub use error::{Error, Exit, Result};
