//! Stage 3, running: each [`Mode`](crate::config::Mode)'s [`driver`] launches the staged
//! app (its [`staging`]) as a supervised [`process`]; [`run`] turns one planned run into a record (its
//! result judged by the app's declared check, [`result_check`]), and the
//! [`matrix`] runner walks a plan group by group on a [`backend`] (the real one starts
//! clusters; tests use a mock), or, for an interleaved scenario, block by block with every
//! arm's cluster up ([`interleave`]); a `[frontier]` scenario's runs are chosen instead by the
//! [`frontier_search`].

pub mod backend;
pub mod driver;
pub mod frontier_search;
pub mod interleave;
pub mod judge;
pub mod matrix;
pub mod memory_probe;
pub mod negative;
pub mod process;
pub mod result_check;
pub mod run;
pub mod staging;
pub mod watch;

pub use backend::{BackendOptions, SparkBackend};
pub use matrix::{run_plan, Backend};
pub use run::{Executor, GroupContext, SparkExecutor};
