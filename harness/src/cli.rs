//! The `sparkmodes` command line. Each subcommand is a thin call into the library.

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Exit, Result};
use crate::{cluster, docker, image, progress, reaper, scenario, venv, versions};

#[derive(Parser, Debug)]
#[command(
    name = "sparkmodes",
    version,
    about = "Test and benchmark the ways a PySpark app can be deployed against a Spark standalone cluster",
    after_help = "Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result or refusal change, 4 performance regression.\n\
Environment: SPARKMODES_KEEP=1 keeps containers for debugging; SPARKMODES_CACHE sets the cache directory."
)]
pub struct Cli {
    /// No progress bars (for CI logs).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build, list or prune the images sparkmodes makes for itself.
    Images {
        #[command(subcommand)]
        action: ImagesAction,
    },
    /// Start a cluster and keep it up until Ctrl-C.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ImageArgs {
    /// Spark version (a line with an image recipe: 3.5.x, 4.0.x, 4.1.x).
    #[arg(long, default_value = versions::DEFAULT_SPARK)]
    pub spark: String,
    /// Build on this local image instead of making a Debian base with debootstrap.
    #[arg(long)]
    pub base_image: Option<String>,
}

impl ImageArgs {
    pub fn base(&self) -> image::Base {
        match &self.base_image {
            Some(name) => image::Base::Existing(name.clone()),
            None => image::Base::Debootstrap,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ImagesAction {
    /// Build the base and Spark images if missing (and the host venv), then print their tags.
    Build(ImageArgs),
    /// List images sparkmodes made.
    List,
    /// Remove sparkmodes images other than the current recipe's (or all with --all).
    Prune {
        #[command(flatten)]
        image: ImageArgs,
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand, Debug)]
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

pub fn main() -> Exit {
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet || std::env::var_os("CI").is_some());
    reaper::install_panic_hook();
    if let Err(e) = reaper::install_signal_handlers() {
        eprintln!("sparkmodes: cannot watch for signals: {e}");
    }
    match dispatch(cli.command) {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("sparkmodes: error: {e}");
            e.exit()
        }
    }
}

fn dispatch(command: Command) -> Result<Exit> {
    match command {
        Command::Images { action } => images(action),
        Command::Cluster { action } => cluster(action),
    }
}

fn images(action: ImagesAction) -> Result<Exit> {
    match action {
        ImagesAction::Build(args) => {
            let started = std::time::Instant::now();
            let images = image::ensure(&args.spark, &args.base())?;
            let venv = venv::ensure(&args.spark)?;
            println!("base   {}", images.base);
            println!("spark  {}", images.spark);
            println!("venv   {}", venv.dir.display());
            eprintln!("ready in {:.1}s", started.elapsed().as_secs_f64());
        }
        ImagesAction::List => {
            for i in image::list()? {
                println!("{:<50} {:<14} {:>8}  {}", i.tag, i.id, i.size, i.created);
            }
        }
        ImagesAction::Prune { image: args, all } => {
            let keep = vec![
                image::base_tag(&args.base()),
                image::spark_tag(&args.spark, &args.base())?,
            ];
            for tag in image::prune(&keep, all)? {
                println!("removed {tag}");
            }
        }
    }
    Ok(Exit::Ok)
}

fn cluster(action: ClusterAction) -> Result<Exit> {
    let ClusterAction::Up {
        image: args,
        workers,
        worker_cores,
        worker_memory,
    } = action;
    let shape = scenario::ClusterShape {
        workers,
        worker_cores,
        worker_memory,
    };
    validate_shape(&shape)?;
    docker::remove_stale();
    let images = image::ensure(&args.spark, &args.base())?;
    let started = std::time::Instant::now();
    let c = cluster::Cluster::start(&images.spark, &shape, cluster::Options::default())?;
    println!("master  {}", c.master_url_host());
    println!("ui      {}", c.ui_url());
    println!(
        "ready in {:.1}s with {} workers; Ctrl-C to stop",
        started.elapsed().as_secs_f64(),
        shape.workers
    );
    // Parks until a signal; the signal handler removes the containers and exits.
    loop {
        std::thread::park();
    }
}

fn validate_shape(shape: &scenario::ClusterShape) -> Result<()> {
    if shape.workers == 0 || shape.worker_cores == 0 {
        return Err(Error::setup(
            "--workers and --worker-cores must be at least 1",
        ));
    }
    Ok(())
}
