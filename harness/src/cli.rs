//! The `sparkmodes` command line. Each subcommand is a thin call into the library.

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Exit, Result};
use std::io::Write;
use std::path::PathBuf;

use crate::config::scenario;
use crate::config::scenario::Scenario;
use crate::config::versions;
use crate::infra::cluster;
use crate::infra::docker;
use crate::infra::image;
use crate::infra::reaper;
use crate::infra::venv;
use crate::measure::record;
use crate::output::baseline;
use crate::output::compare::{self, CompareOptions};
use crate::output::export::{step_summary, trackers};
use crate::output::history;
use crate::output::report;
use crate::pipeline::{self, PipelineOptions};
use crate::progress;

#[derive(Parser, Debug)]
#[command(
    name = "sparkmodes",
    version,
    about = "Test and benchmark the ways a PySpark app can be deployed against a Spark standalone cluster",
    after_help = "Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result or refusal change, 4 performance regression, 5 outputs not written (records kept).\n\
Environment: SPARKMODES_KEEP=1 keeps containers for debugging; SPARKMODES_CACHE sets the cache directory; GITHUB_STEP_SUMMARY (set by GitHub Actions) gets the run's or comparison's Markdown appended."
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
    /// Run a scenario's matrix (the built-in `default` when none is given), check every
    /// result, and write records and a report to reports/<run-id>/.
    #[command(
        after_help = "Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result or refusal change, 4 performance regression, 5 outputs not written (records kept)."
    )]
    Run(RunArgs),
    /// Re-render report.html, summary.md and the charts of a run directory from its records.
    Report { run_dir: PathBuf },
    /// Compare a candidate run with a baseline (a saved baseline name, or a run directory).
    Compare {
        baseline: String,
        candidate: PathBuf,
        /// Smallest relative change called faster/slower.
        #[arg(long, default_value_t = 0.10)]
        threshold: f64,
        /// Where baselines are kept.
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
    },
    /// Each cell's median wall time over runs and baselines (in start-time order), with the
    /// points where compare would say slower: a table, history.md/json/html and a chart.
    History {
        /// Run directories, baseline folders, or folders of them (e.g. reports/baselines).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where history.md, history.json, history.html and charts/history.{svg,png} are written.
        #[arg(long, default_value = "reports/history")]
        output: PathBuf,
        /// Smallest relative change called slower.
        #[arg(long, default_value_t = 0.10)]
        threshold: f64,
    },
    /// Save, list or show baselines.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Build, list or prune the images sparkmodes makes for itself.
    Images {
        #[command(subcommand)]
        action: ImagesAction,
    },
    /// Check, without starting a matrix, whether this machine can run a Spark line (and, with
    /// --master, whether the cluster's Spark matches): one line per check with the fix.
    Doctor {
        #[command(flatten)]
        image: ImageArgs,
        /// An existing cluster's master (spark://host:port), to compare its Spark version.
        #[arg(long)]
        master: Option<String>,
        /// The master's web UI (default: http://<master host>:8080).
        #[arg(long)]
        master_ui: Option<String>,
    },
    /// Start a cluster and keep it up until Ctrl-C.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
}

#[derive(Args, Debug, Clone)]
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
    pub python: Option<String>,
}

impl ImageArgs {
    pub fn base(&self) -> image::Base {
        match &self.base_image {
            Some(name) => image::Base::Existing(name.clone()),
            None => image::Base::Debootstrap,
        }
    }

    /// `--python`, checked against the line, or this host's default.
    pub fn python(&self) -> Result<String> {
        let minor = match &self.python {
            Some(p) => crate::config::python::minor(p)
                .map_err(|e| Error::setup(format!("--python {e}")))?,
            None => pipeline::python_axis::default_minor(&self.base())?,
        };
        crate::config::python::check_line(&self.spark, minor).map_err(Error::setup)?;
        Ok(crate::config::python::label(minor))
    }
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// A scenario file, or the name of a built-in one (default, smoke, arrow-scan, arrow-variants, frontier, upgrade, configs, faults, compat, compat-connect, compat-python, connect).
    pub scenario: Option<String>,
    /// The same as the positional argument.
    #[arg(long = "scenario", conflicts_with = "scenario")]
    pub scenario_flag: Option<String>,
    /// Where run directories are created.
    #[arg(long, default_value = "reports")]
    pub output: PathBuf,
    /// Name of the run directory (default: <scenario>-<timestamp>).
    #[arg(long)]
    pub run_id: Option<String>,
    /// Complete an interrupted run: only its missing runs are done.
    #[arg(long, conflicts_with = "run_id")]
    pub resume: Option<String>,
    /// Run against an existing cluster instead of starting one (spark://host:port).
    #[arg(long)]
    pub master: Option<String>,
    /// Start the cluster with spark.authenticate and a secret made for this run (not with
    /// --master: an external cluster cannot know that secret).
    #[arg(long, conflicts_with = "master")]
    pub secure: bool,
    /// The app to deploy (default: the article's sample app in fixtures/app).
    #[arg(long)]
    pub app: Option<PathBuf>,
    /// Build the Spark image on this local image instead of a debootstrap-made Debian base.
    #[arg(long)]
    pub base_image: Option<String>,
    /// Regression threshold for comparisons inside the run (upgrade, configs).
    #[arg(long, default_value_t = 0.10)]
    pub threshold: f64,
}

#[derive(Subcommand, Debug)]
pub enum BaselineAction {
    /// Store a run's records and statistics as a named baseline.
    Save {
        name: String,
        run_dir: PathBuf,
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
    },
    List {
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
    },
    Show {
        name: String,
        #[arg(long, default_value = baseline::DEFAULT_ROOT)]
        baselines: PathBuf,
    },
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
        Command::Run(args) => run_cmd(args),
        Command::Report { run_dir } => {
            let files = report::render(&run_dir).map_err(|e| Error::setup(format!("{e:#}")))?;
            println!("{}", files.html.display());
            Ok(Exit::Ok)
        }
        Command::Compare {
            baseline,
            candidate,
            threshold,
            baselines,
        } => compare_cmd(&baseline, &candidate, threshold, &baselines),
        Command::History {
            dirs,
            output,
            threshold,
        } => history_cmd(&dirs, &output, threshold),
        Command::Baseline { action } => baseline_cmd(action),
        Command::Images { action } => images(action),
        Command::Cluster { action } => cluster(action),
        Command::Doctor {
            image,
            master,
            master_ui,
        } => doctor(&image, master.as_deref(), master_ui),
    }
}

fn images(action: ImagesAction) -> Result<Exit> {
    match action {
        ImagesAction::Build(args) => {
            versions::line_of(&args.spark)?;
            image::check_base(&args.base())?;
            let python = args.python()?;
            crate::pipeline::preflight::check_releases(std::slice::from_ref(&args.spark))?;
            let started = std::time::Instant::now();
            let images = image::ensure_for(&args.spark, &args.base(), &python)?;
            let venv = venv::ensure_for(&args.spark, &python)?;
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
            let keep = image::current_tags(&args.spark, &args.base())?;
            for tag in image::prune(&keep, all)? {
                println!("removed {tag}");
            }
        }
    }
    Ok(Exit::Ok)
}

fn doctor(args: &ImageArgs, master: Option<&str>, ui: Option<String>) -> Result<Exit> {
    let ui = ui.or_else(|| master.and_then(crate::pipeline::doctor::default_ui));
    if master.is_some() && ui.is_none() {
        return Err(Error::setup("--master must be a spark://host:port URL"));
    }
    let (spark, base) = (&args.spark, &args.base());
    let checks =
        crate::pipeline::doctor::checks(spark, base, args.python.as_deref(), ui.as_deref());
    for c in &checks {
        println!("{}", c.line());
    }
    Ok(if checks.iter().all(|c| c.ok) {
        Exit::Ok
    } else {
        Exit::Setup
    })
}

fn cluster(action: ClusterAction) -> Result<Exit> {
    let ClusterAction::Up {
        image: args,
        workers,
        worker_cores,
        worker_memory,
    } = action;
    let shape = crate::config::ClusterShape {
        workers,
        worker_cores,
        worker_memory,
    };
    validate_shape(&shape)?;
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
fn validate_shape(shape: &crate::config::ClusterShape) -> Result<()> {
    shape
        .check()
        .map_err(|(key, msg)| Error::setup(format!("--{} {msg}", key.replace('_', "-"))))?;
    let (cpus, mib) = crate::infra::host_capacity();
    shape.check_fits(cpus, mib).map_err(Error::setup)
}

fn load_scenario(arg: Option<&str>) -> Result<Scenario> {
    match arg {
        None => Ok(Scenario::builtin_default()),
        Some(a) if std::path::Path::new(a).exists() => Scenario::from_file(std::path::Path::new(a)),
        Some(a) => Scenario::builtin(a).ok_or_else(|| {
            Error::setup(format!(
                "scenario `{a}` is neither a file nor a built-in ({})",
                scenario::BUILTIN
                    .iter()
                    .map(|b| b.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
    }
}

fn run_cmd(args: RunArgs) -> Result<Exit> {
    let scenario = load_scenario(args.scenario.as_deref().or(args.scenario_flag.as_deref()))?;
    let opts = PipelineOptions {
        scenario,
        reports: args.output,
        run_id: args.run_id,
        resume: args.resume,
        base: ImageArgs {
            spark: String::new(),
            base_image: args.base_image,
            python: None,
        }
        .base(),
        external_master: args.master,
        secure: args.secure,
        app_source: args.app.unwrap_or_else(crate::exec::staging::fixture_dir),
        threshold: args.threshold,
        step_summary: step_summary::target(),
    };
    let outcome = pipeline::run_scenario(&opts)?;
    println!(
        "{}",
        crate::output::text_table::cell_table(&outcome.records)
    );
    if let Some(frontier) = report::frontier_text(&outcome.records) {
        println!("{frontier}");
    }
    println!(
        "records  {}",
        outcome.run_dir.join(record::RUNS_CSV).display()
    );
    println!(
        "report   {}",
        outcome.run_dir.join(report::REPORT_HTML).display()
    );
    Ok(outcome.exit)
}

fn compare_cmd(
    base: &str,
    candidate: &std::path::Path,
    threshold: f64,
    root: &std::path::Path,
) -> Result<Exit> {
    compare::check_threshold(threshold).map_err(Error::setup)?;
    let base_path = baseline::resolve(root, base);
    let b = baseline::load(&base_path).map_err(|e| Error::setup(format!("{e:#}")))?;
    let c = baseline::load(candidate).map_err(|e| Error::setup(format!("{e:#}")))?;
    let opts = CompareOptions {
        threshold,
        ..CompareOptions::default()
    };
    let mut comparison = compare::compare(&b, &c, &opts);
    comparison.baseline = base.to_string();
    comparison.candidate = candidate.display().to_string();
    compare::write_outputs(candidate, &comparison, &b, &c).map_err(Error::Other)?;
    trackers::write_all(candidate, &c).map_err(Error::Other)?;
    let mut junit = crate::output::export::JunitReport::new("compare");
    for case in compare::junit_cases(&comparison) {
        junit.push(case);
    }
    junit.write(&candidate.join("junit-compare.xml"))?;
    step_summary::append(step_summary::target().as_deref(), &comparison.to_markdown())
        .map_err(Error::Other)?;
    println!("{}", comparison.to_terminal_table());
    if let Some(gap) = comparison.gap() {
        eprintln!("sparkmodes: the gate fails: {gap}");
    }
    Ok(comparison.exit())
}

fn history_cmd(dirs: &[PathBuf], out: &std::path::Path, threshold: f64) -> Result<Exit> {
    let setup = |e: anyhow::Error| Error::setup(format!("{e:#}"));
    let points = history::expand(dirs)
        .and_then(|paths| history::load_points(&paths))
        .map_err(setup)?;
    let opts = CompareOptions {
        threshold,
        ..CompareOptions::default()
    };
    let h = history::build(&points, &opts);
    history::write_outputs(out, &h).map_err(Error::output)?;
    step_summary::append(step_summary::target().as_deref(), &h.to_markdown())
        .map_err(Error::output)?;
    println!("{}", h.to_terminal_table());
    println!("history  {}", out.join(history::HISTORY_MD).display());
    println!("page     {}", out.join(history::HISTORY_HTML).display());
    Ok(Exit::Ok)
}

fn baseline_cmd(action: BaselineAction) -> Result<Exit> {
    let setup = |e: anyhow::Error| Error::setup(format!("{e:#}"));
    match action {
        BaselineAction::Save {
            name,
            run_dir,
            baselines,
        } => {
            let meta = baseline::save(&baselines, &name, &run_dir).map_err(setup)?;
            println!(
                "saved baseline {} ({} cells) in {}",
                meta.name,
                meta.cells.len(),
                baselines.join(&name).display()
            );
        }
        BaselineAction::List { baselines } => {
            for m in baseline::list(&baselines).map_err(setup)? {
                println!(
                    "{:<24} {:>3} cells  {}  {}",
                    m.name,
                    m.cells.len(),
                    m.saved_at,
                    m.source
                );
            }
        }
        BaselineAction::Show { name, baselines } => {
            println!("{}", baseline::show(&baselines, &name).map_err(setup)?);
        }
    }
    Ok(Exit::Ok)
}
