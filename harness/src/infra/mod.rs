//! Stage 2, the machinery runs need: host tools, the Docker CLI and labels, images and host
//! venvs (cached, keyed by recipe), the disposable [`Cluster`] and the [`Target`] it hands to
//! drivers, the record of the [`environment`], and the [`reaper`] that removes everything we
//! started however the process ends.

pub mod base;
pub mod cache;
pub mod cluster;
pub mod connect_server;
pub mod docker;
pub mod environment;
mod host;
pub mod image;
pub mod prepare;
pub mod probe;
pub mod reaper;
pub mod releases;
mod secret;
pub mod sql_defaults;
pub mod stack;
pub mod standing;
pub mod target;
pub mod tools;
pub mod tpch;
pub mod venv;

pub use cluster::Cluster;
pub use environment::Environment;
pub use host::host_capacity;
pub use image::{Base, Images};
pub use secret::new_secret;
pub use target::Target;
pub use venv::Venv;
