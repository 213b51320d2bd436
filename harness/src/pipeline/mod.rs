//! Stage 6, each subcommand end to end, as library functions the thin command line (`cli.rs`) calls:
//! `run` (preflight → plan → matrix → outputs → verdict), `report`, `compare`, `history`,
//! `baseline`, `images`, `cluster up` and `doctor`. Each prints its verdict before it writes
//! its files, and returns the exit code the verdict implies; errors become exit codes in one
//! place (`Error::exit`).

pub mod baseline_command;
pub mod cluster_command;
pub mod compare_command;
mod defaults_probe;
mod destination;
pub mod doctor;
pub mod history_command;
pub mod images_command;
pub mod preflight;
pub mod python_axis;
pub mod report_command;
pub mod run_command;

pub use destination::Destination;
pub use run_command::run_scenario;

use std::path::PathBuf;

use crate::config::python::PythonMinor;
use crate::config::scenario::Scenario;
use crate::config::{versions, Name, Threshold};
use crate::error::{Error, Exit, Result};
use crate::infra::image::Base;
use crate::measure::record::RunRecord;

/// Everything `run` was asked to do, settled from its flags (the run's one input value).
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    pub scenario: Scenario,
    pub reports: PathBuf,
    pub run_id: Option<Name>,
    pub resume: Option<Name>,
    pub base: Base,
    pub external_master: Option<String>,
    pub secure: bool,
    pub app_source: PathBuf,
    pub threshold: Threshold,
    /// `--require-mde`: the run's comparisons fail (exit 3) when they could not have seen a
    /// change this small.
    pub require_mde: Option<Threshold>,
    /// The GitHub Actions step summary file to append the run's Markdown to, if any.
    pub step_summary: Option<PathBuf>,
}

pub struct PipelineOutcome {
    pub run_dir: PathBuf,
    pub records: Vec<RunRecord>,
    pub exit: Exit,
}

/// The flags that pick a stack to build or check: `images`, `cluster up`, `doctor`.
#[derive(clap::Args, Debug, Clone)]
pub struct ImageArgs {
    /// Spark version (a line with an image recipe: 3.5.x, 4.0.x, 4.1.x, 4.2.x, 4.3.x).
    #[arg(long, default_value = versions::DEFAULT_SPARK)]
    pub spark: String,
    /// Build on this local image instead of making a Debian base with debootstrap.
    #[arg(long)]
    pub base_image: Option<String>,
    /// Python minor of the image and venv, e.g. 3.13 (default: 3.11 where the host has it,
    /// else the host's python3 when a base can be made for it).
    #[arg(long)]
    pub python: Option<PythonMinor>,
}

impl ImageArgs {
    /// The base images are built on: the user's `--base-image`, or a debootstrap-made Debian.
    pub fn base_of(base_image: Option<String>) -> Base {
        match base_image {
            Some(name) => Base::Existing(name),
            None => Base::Debootstrap,
        }
    }

    pub fn base(&self) -> Base {
        ImageArgs::base_of(self.base_image.clone())
    }

    /// `--python`, checked against the line, or this host's default.
    pub fn python(&self) -> Result<PythonMinor> {
        let minor = match self.python {
            Some(p) => p,
            None => python_axis::default_minor(&self.base())?,
        };
        crate::config::python::check_line(&self.spark, minor).map_err(Error::input)?;
        Ok(minor)
    }
}
