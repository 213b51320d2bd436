//! `sparkmodes cluster up`: a disposable cluster (and with `--connect` a Spark Connect server)
//! for other tools' tests — pytest, a Go or Rust Connect client, a CI step. Its flags are
//! checked like a scenario's `[cluster]` before anything starts; once everything is ready it
//! announces the endpoints once (`--json` on stdout, `--env-file` for a shell to source; human
//! lines on stderr); it stays up until SIGINT/SIGTERM or its parent's death, and says so and
//! exits 3 when the cluster or server dies under it. Everything is removed however it ends.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use super::ImageArgs;
use crate::config::ClusterShape;
use crate::error::{Error, Exit, Result};
use crate::infra::docker;
use crate::infra::standing::{refuse_connect_without_server, Endpoints, Standing, StandingOptions};

#[derive(clap::Subcommand, Debug)]
pub enum ClusterAction {
    /// Bring a cluster up, announce its endpoints, tear it down on Ctrl-C (or when the process
    /// that started it dies).
    Up(UpArgs),
}

#[derive(clap::Args, Debug)]
pub struct UpArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    #[arg(long, default_value_t = 2)]
    pub workers: u32,
    #[arg(long, default_value_t = 1)]
    pub worker_cores: u32,
    #[arg(long, default_value = "1g")]
    pub worker_memory: String,
    /// A Spark Connect server beside the cluster (4.x lines), with half the cluster's cores.
    #[arg(long)]
    pub connect: bool,
    /// spark.authenticate with a secret made here, and a token for the Connect server (both in
    /// the --json document and the --env-file; nowhere else).
    #[arg(long)]
    pub secure: bool,
    /// Print one JSON document of the endpoints on stdout once ready (human lines go to stderr).
    #[arg(long)]
    pub json: bool,
    /// Write SPARK_MASTER=… and (with --connect) SPARK_REMOTE=… lines for a shell to source.
    #[arg(long)]
    pub env_file: Option<PathBuf>,
}

/// How often a standing cluster is checked.
const WATCH: Duration = Duration::from_secs(2);

/// Runs until a signal (exit 130/143, everything removed); 2 for bad flags or a cluster that
/// would not start; 3 when the cluster or its server dies while up.
pub fn cluster(action: ClusterAction) -> Result<Exit> {
    let ClusterAction::Up(args) = action;
    let shape = ClusterShape {
        workers: args.workers,
        worker_cores: args.worker_cores,
        worker_memory: args.worker_memory.clone(),
    };
    check_shape(&shape)?;
    if let Some(f) = &args.env_file {
        let dir = f.parent().filter(|p| !p.as_os_str().is_empty());
        crate::files::require_dir(dir.unwrap_or(std::path::Path::new(".")))
            .map_err(|e| Error::input(format!("--env-file {}: {e}", f.display())))?;
    }
    let mut opts = StandingOptions {
        spark: args.image.spark.clone(),
        python: crate::config::python::DEFAULT,
        base: args.image.base(),
        shape,
        connect: args.connect,
        secure: args.secure,
        server_conf: Default::default(),
    };
    refuse_connect_without_server(&opts)?;
    opts.python = args.image.python()?;
    end_with_parent();
    docker::remove_stale();
    let started = std::time::Instant::now();
    let standing = Standing::start(&opts)?;
    announce(&args, standing.endpoints(), started.elapsed().as_secs_f64())?;
    let why = watch(&standing);
    eprintln!("sparkmodes: error: the cluster stopped serving: {why}; removing what is left");
    standing.rm();
    Ok(Exit::WrongResult)
}

/// The kernel sends us SIGTERM when the process that started us dies (a test runner killed
/// without cleaning up), and the signal handler removes everything.
fn end_with_parent() {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no pointers.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong);
    }
}

/// Blocks until the cluster or server stops serving; returns why. A signal's own teardown is
/// not a failure to report: the handler removes everything and exits 130/143.
fn watch(standing: &Standing) -> String {
    loop {
        std::thread::sleep(WATCH);
        crate::infra::reaper::park_if_interrupted();
        if let Some(why) = standing.degradation() {
            crate::infra::reaper::park_if_interrupted();
            return why;
        }
    }
}

/// Once, when everything is ready: the JSON document or the human lines on stdout (a script
/// that reads one line and closes the pipe must not take the cluster down: write errors are
/// ignored), the env file, and a human summary on stderr.
fn announce(args: &UpArgs, e: &Endpoints, ready_s: f64) -> Result<()> {
    if let Some(f) = &args.env_file {
        write_env_file(f, e)?;
    }
    let human = human_lines(e, ready_s);
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = serde_json::to_string(e).map_err(|e| Error::Other(e.into()))?;
        let _ = writeln!(out, "{doc}");
        eprintln!("{human}");
    } else {
        let _ = writeln!(out, "{human}");
    }
    let _ = out.flush();
    Ok(())
}

fn human_lines(e: &Endpoints, ready_s: f64) -> String {
    let mut lines = vec![format!("master  {}", e.master), format!("ui      {}", e.ui)];
    if let Some(c) = &e.connect {
        lines.push(format!("connect {c}"));
    }
    lines.push(format!(
        "ready in {ready_s:.1}s: Spark {} on Python {}; Ctrl-C to stop",
        e.spark_version, e.python
    ));
    lines.join("\n")
}

/// `KEY=value` lines; private (0600) when they hold a token or secret.
fn write_env_file(path: &std::path::Path, e: &Endpoints) -> Result<()> {
    let mut text = format!(
        "SPARK_MASTER={}\nSPARK_DRIVER_HOST={}\n",
        e.master, e.driver_host
    );
    if let Some(remote) = &e.spark_remote {
        text.push_str(&format!("SPARK_REMOTE={remote}\n"));
    }
    if let Some(secret) = &e.secret {
        text.push_str(&format!("SPARK_AUTHENTICATE_SECRET={secret}\n"));
    }
    let private = e.token.is_some() || e.secret.is_some();
    crate::files::write_mode(path, text, if private { 0o600 } else { 0o644 })
        .map_err(|err| Error::input(format!("--env-file {err}")))
}

/// The same checks a scenario's `[cluster]` gets, plus what this machine can hold.
fn check_shape(shape: &ClusterShape) -> Result<()> {
    shape
        .check()
        .map_err(|(key, msg)| Error::input(format!("--{} {msg}", key.replace('_', "-"))))?;
    let (cpus, mib) = crate::infra::host_capacity();
    shape.check_fits(cpus, mib).map_err(Error::input)
}
