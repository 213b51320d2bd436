//! `sparkmodes images build | list | prune`: the images (and host venv) a Spark line runs on,
//! built ahead of a run, listed, or pruned to the current recipes.

use super::ImageArgs;
use crate::config::versions;
use crate::error::{Exit, Result};
use crate::infra::{image, tools, venv};

#[derive(clap::Subcommand, Debug)]
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

/// Exit 0, or 2 (a line without a recipe, no Docker daemon, a base image that is not there, a
/// build that failed).
pub fn images(action: ImagesAction) -> Result<Exit> {
    match action {
        ImagesAction::Build(args) => build(&args)?,
        ImagesAction::List => {
            for i in image::list()? {
                println!("{:<50} {:<14} {:>8}  {}", i.tag, i.id, i.size, i.created);
            }
        }
        ImagesAction::Prune { image: args, all } => {
            tools::docker_daemon()?;
            let keep = image::current_tags(&args.spark, &args.base())?;
            for tag in image::prune(&keep, all)? {
                println!("removed {tag}");
            }
        }
    }
    Ok(Exit::Ok)
}

fn build(args: &ImageArgs) -> Result<()> {
    versions::line_of(&args.spark)?;
    // The daemon first: without it every image "does not exist".
    tools::docker_daemon()?;
    image::check_base(&args.base())?;
    let python = args.python()?;
    super::preflight::check_releases(std::slice::from_ref(&args.spark))?;
    let started = std::time::Instant::now();
    let images = image::ensure_for(&args.spark, &args.base(), python)?;
    let venv = venv::ensure_for(&args.spark, python)?;
    println!("base   {}", images.base);
    println!("spark  {}", images.spark);
    println!("venv   {}", venv.dir.display());
    eprintln!("ready in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
