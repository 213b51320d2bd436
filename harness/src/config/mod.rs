//! Stage 1 of the pipeline, what to run: a scenario file validated into a [`Scenario`], the
//! Spark lines with a recipe ([`versions`]), and the ordered [`Plan`] of runs it expands to.
//! Nothing here touches Docker, Spark or the disk beyond reading the scenario.

mod cell;
pub mod conf;
pub mod manifest;
mod mode;
mod name;
pub mod plan;
pub mod python;
pub mod scenario;
mod seed;
mod shape;
mod threshold;
pub mod tpch_size;
pub mod variant;
pub mod versions;

pub use cell::{stack_label, CellKey};
pub use mode::Mode;
pub use name::Name;
pub use plan::{GroupKey, Plan, PlannedRun};
pub use scenario::{ConfigSpec, FaultKind, FaultSpec, Scenario};
pub use seed::Seed;
pub use shape::{memory_mib, ClusterShape};
pub use threshold::Threshold;
