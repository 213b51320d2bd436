//! Stage 4, what a run measured and whether it was right: the [`RunRecord`] every later stage
//! reads, phase timings from Spark's [`eventlog`] (a Connect run's from the server's shared log:
//! [`connect_log`]), the correctness [`oracle`] and
//! [`expected`]-output comparison, the tri-state [`Correctness`], and the
//! [`stats`] (bootstrap CIs, outliers, the Mann–Whitney test) over repetitions, and the Arrow
//! [`advisor`] (Arrow engaged, rows still pickled through a Python UDF), and what a driver-memory
//! [`frontier_lines`] search's records say.

pub mod advisor;
pub mod connect_log;
pub mod correctness;
pub mod diagnosis;
pub mod event_spans;
pub mod eventlog;
pub mod expected;
pub mod frontier_lines;
pub mod memory_sources;
pub mod oracle;
pub mod profile;
pub mod query_records;
pub mod record;
pub mod records_file;
pub mod stats;
pub mod tpch_oracle;
pub mod warnings;

pub use correctness::Correctness;
pub use record::{RunRecord, Status};
pub use stats::{Estimate, Summary};
