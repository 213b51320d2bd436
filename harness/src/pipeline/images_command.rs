//! `sparkmodes images build | list | prune`: the images (and host venvs) a Spark line runs on,
//! built ahead of a run (everything a first run would build: with `--app`, an app's package
//! layers; with `--connect`, the Connect client), listed, or pruned to the current recipes.

use std::path::PathBuf;

use super::ImageArgs;
use crate::config::manifest::{AppSpec, Dataset};
use crate::config::versions;
use crate::error::{Error, Exit, Result};
use crate::infra::{image, prepare, tools, tpch, venv};

#[derive(clap::Subcommand, Debug)]
pub enum ImagesAction {
    /// Build the base and Spark images if missing (and the host venv), then print their tags.
    Build(BuildArgs),
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

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// Also what an app's first run would build (its folder, as `run --app` takes it;
    /// repeatable): the image layer and host venv holding its packages, and for a TPC-H app
    /// the data generator's venv.
    #[arg(long = "app", value_name = "DIR")]
    pub apps: Vec<PathBuf>,
    /// Also the line's Spark Connect client venv (what a first Connect run would build).
    #[arg(long)]
    pub connect: bool,
}

/// Exit 0, or 2 (a line without a recipe or without Connect for `--connect`, an app folder
/// without a valid manifest, no Docker daemon, a base image that is not there, a build that
/// failed).
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

fn build(args: &BuildArgs) -> Result<()> {
    let spark = &args.image.spark;
    let line = versions::line_of(spark)?;
    let needs = app_needs(&args.apps)?;
    let packages = &needs.packages;
    if args.connect {
        line.connect_requirements(spark).map_err(Error::input)?;
    }
    // The daemon first: without it every image "does not exist".
    tools::docker_daemon()?;
    let base = args.image.base();
    image::check_base(&base)?;
    let python = args.image.python()?;
    super::preflight::check_releases(std::slice::from_ref(spark))?;
    let started = std::time::Instant::now();
    let ((images, apps), venvs) = prepare::side_by_side(
        || {
            let images = image::ensure_for(spark, &base, python)?;
            let apps = packages.iter().map(|p| image::ensure_app(&images.spark, p));
            let apps = apps.collect::<Result<Vec<_>>>()?;
            Ok((images, apps))
        },
        || {
            let mut venvs = vec![venv::ensure_for(spark, python)?.dir];
            for p in packages {
                venvs.push(venv::ensure_app(spark, python, p)?.dir);
            }
            if args.connect {
                venvs.push(venv::ensure_connect_for(spark, python)?.dir);
            }
            if needs.tpch {
                let interpreter = tpch::generator()?;
                venvs.extend(interpreter.ancestors().nth(2).map(PathBuf::from));
            }
            Ok(venvs)
        },
    )?;
    println!("base   {}", images.base);
    println!("spark  {}", images.spark);
    apps.iter().for_each(|tag| println!("app    {tag}"));
    venvs
        .iter()
        .for_each(|dir| println!("venv   {}", dir.display()));
    eprintln!("ready in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// What the `--app` folders need beyond the line's own: each one's extra packages (an app
/// without any needs no layer) and whether one reads TPC-H data (its generator's venv). Read
/// before anything is built: a bad manifest is refused with its file, line and key.
struct AppNeeds {
    packages: Vec<Vec<String>>,
    tpch: bool,
}

fn app_needs(apps: &[PathBuf]) -> Result<AppNeeds> {
    let mut needs = AppNeeds {
        packages: Vec::new(),
        tpch: false,
    };
    for dir in apps {
        let spec = AppSpec::load(dir)?;
        needs.tpch |= spec.data == Some(Dataset::Tpch);
        if !spec.packages.is_empty() && !needs.packages.contains(&spec.packages) {
            needs.packages.push(spec.packages);
        }
    }
    Ok(needs)
}
