//! `sparkmodes cluster up`: a disposable cluster for other tools, checked like a scenario's
//! `[cluster]`, up until SIGINT/SIGTERM, then removed by the reaper.

use std::io::Write;

use super::ImageArgs;
use crate::config::ClusterShape;
use crate::error::{Error, Exit, Result};
use crate::infra::{cluster, docker, image};

#[derive(clap::Subcommand, Debug)]
pub enum ClusterAction {
    /// Bring a cluster up, print its URLs, tear it down on Ctrl-C.
    Up {
        #[command(flatten)]
        image: ImageArgs,
        #[arg(long, default_value_t = 2)]
        workers: u32,
        #[arg(long, default_value_t = 1)]
        worker_cores: u32,
        #[arg(long, default_value = "1g")]
        worker_memory: String,
    },
}

/// Runs until a signal (exit 130/143, everything removed); 2 for bad flags or a cluster that
/// would not start.
pub fn cluster(action: ClusterAction) -> Result<Exit> {
    let ClusterAction::Up {
        image: args,
        workers,
        worker_cores,
        worker_memory,
    } = action;
    let shape = ClusterShape {
        workers,
        worker_cores,
        worker_memory,
    };
    check_shape(&shape)?;
    docker::remove_stale();
    let images = image::ensure_for(&args.spark, &args.base(), &args.python()?)?;
    let started = std::time::Instant::now();
    let c = cluster::Cluster::start(&images.spark, &shape, cluster::Options::default())?;
    // Ignore write errors: a script that reads only the URL and closes the pipe must not take
    // the cluster down with a broken-pipe panic.
    let _ = writeln!(
        std::io::stdout().lock(),
        "master  {}\nui      {}\nready in {:.1}s with {} workers; Ctrl-C to stop",
        c.master_url_host(),
        c.ui_url(),
        started.elapsed().as_secs_f64(),
        shape.workers
    );
    // Parks until a signal; the signal handler removes the containers and exits.
    loop {
        std::thread::park();
    }
}

/// The same checks a scenario's `[cluster]` gets, plus what this machine can hold.
fn check_shape(shape: &ClusterShape) -> Result<()> {
    shape
        .check()
        .map_err(|(key, msg)| Error::input(format!("--{} {msg}", key.replace('_', "-"))))?;
    let (cpus, mib) = crate::infra::host_capacity();
    shape.check_fits(cpus, mib).map_err(Error::input)
}
