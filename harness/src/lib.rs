//! sparkmodes: run a PySpark app against a disposable Spark standalone cluster in every
//! deployment mode, check each result, time it, and report.

pub mod environment;
pub mod error;
pub mod eventlog;
pub mod export;
pub mod mode;
pub mod plan;
pub mod record;
pub mod scenario;
pub mod stats;

pub use error::{Error, Exit, Result};
