//! A whole `sparkmodes run`: scenario → plan → records → report → verdict and exit code.

use std::path::{Path, PathBuf};

use crate::backend::{BackendOptions, SparkBackend};
use crate::compare::{self, CompareOptions, Split};
use crate::environment::Environment;
use crate::error::{Error, Exit, Result};
use crate::export::JunitReport;
use crate::image::Base;
use crate::plan::Plan;
use crate::record::{self, RunRecord, Status};
use crate::scenario::Scenario;
use crate::{docker, gate, image, report, runner, tools};

#[derive(Debug, Clone)]
pub struct JobOptions {
    pub scenario: Scenario,
    pub reports: PathBuf,
    pub run_id: Option<String>,
    pub resume: Option<String>,
    pub base: Base,
    pub external_master: Option<String>,
    pub secure: bool,
    pub app_source: PathBuf,
    pub threshold: f64,
}

pub struct JobOutcome {
    pub run_dir: PathBuf,
    pub records: Vec<RunRecord>,
    pub exit: Exit,
}

/// Where the records go: a new run directory (not created yet), or one being resumed.
enum Destination {
    New {
        id: String,
    },
    Resume {
        id: String,
        dir: PathBuf,
        done: Vec<RunRecord>,
    },
}

pub fn run(opts: &JobOptions) -> Result<JobOutcome> {
    // Bad input first, in the order that costs nothing: the scenario was validated on load;
    // then the run directory, the app, and an external master (one TCP connect). Nothing has
    // been started or created when one of these fails.
    let destination = check_destination(opts)?;
    crate::app::check_source(&opts.app_source)?;
    if let Some(url) = &opts.external_master {
        if opts.scenario.fault.is_some() {
            return Err(Error::setup(format!(
                "scenario `{}` injects faults into its own cluster's workers; it cannot run with --master",
                opts.scenario.name
            )));
        }
        check_master(url)?;
    }
    // Then the host: tools and the base image, still before anything is created.
    tools::docker_daemon()?;
    tools::java()?;
    tools::python()?;
    image::check_base(&opts.base)?;
    docker::remove_stale();
    let plan = Plan::new(&opts.scenario);
    let (run_id, run_dir, done) = match destination {
        Destination::New { id } => {
            let dir = runner::new_run_dir(&opts.reports, &id)?;
            (id, dir, Vec::new())
        }
        Destination::Resume { id, dir, done } => (id, dir, done),
    };
    let todo = plan.remaining(&done);
    let mut backend = SparkBackend::new(BackendOptions {
        run_id: run_id.clone(),
        scenario: opts.scenario.name.clone(),
        run_dir: run_dir.clone(),
        app_source: opts.app_source.clone(),
        base: opts.base.clone(),
        external_master: opts.external_master.clone(),
        secure: opts.secure,
    });
    let result = runner::run_plan(&mut backend, &todo, &run_dir);
    let env = Environment::capture(&opts.scenario.spark_versions, backend.images.clone());
    env.write(&run_dir)?;
    result?;
    let records = record::load_records(&run_dir).map_err(Error::Other)?;
    let exit = finish(&run_dir, &records, opts)?;
    Ok(JobOutcome {
        run_dir,
        records,
        exit,
    })
}

/// Checks the run id and `--output` (or the run being resumed) without creating anything.
fn check_destination(opts: &JobOptions) -> Result<Destination> {
    if let Some(id) = &opts.resume {
        runner::check_run_id("--resume", id)?;
        let dir = opts.reports.join(id);
        if !dir.is_dir() {
            return Err(Error::setup(format!(
                "cannot resume {id}: no run directory {} (is --output the one the run used?)",
                dir.display()
            )));
        }
        let dir = dir
            .canonicalize()
            .map_err(|e| Error::setup(format!("cannot resume {id}: {}: {e}", dir.display())))?;
        let done = record::load_records(&dir)
            .map_err(|e| Error::setup(format!("cannot resume {id}: {e}")))?;
        if let Some(other) = done.iter().find(|r| r.scenario != opts.scenario.name) {
            return Err(Error::setup(format!(
                "cannot resume {id}: it ran scenario `{}`, not `{}`: pass the same scenario (and flags) as the first run",
                other.scenario, opts.scenario.name
            )));
        }
        return Ok(Destination::Resume {
            id: id.clone(),
            dir,
            done,
        });
    }
    let id = opts.run_id.clone().unwrap_or_else(|| {
        format!(
            "{}-{}",
            opts.scenario.name,
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        )
    });
    runner::check_new_run_dir(&opts.reports, &id)?;
    Ok(Destination::New { id })
}

/// JUnit, report, within-run comparisons; the exit code they add up to.
fn finish(run_dir: &Path, records: &[RunRecord], opts: &JobOptions) -> Result<Exit> {
    let mut junit = JunitReport::from_records(&opts.scenario.name, records);
    let mut exit = correctness_exit(records);
    for split in splits(&opts.scenario) {
        let cmp_opts = CompareOptions {
            threshold: opts.threshold,
            ..CompareOptions::default()
        };
        let comparison = compare::compare_within(records, &split, &cmp_opts);
        let sub = run_dir.join(split_dir(&split));
        gate::write(&sub, &comparison, records, records).map_err(Error::Other)?;
        eprintln!("{}", comparison.to_terminal_table());
        for case in gate::junit_cases(&comparison) {
            junit.push(case);
        }
        // An upgrade that slows things down is a regression; a slower config is information.
        if matches!(split, Split::SparkVersion { .. }) && exit == Exit::Ok {
            exit = comparison.exit();
        }
    }
    junit.write(&run_dir.join(crate::export::JUNIT_XML))?;
    report::render(run_dir).map_err(Error::Other)?;
    Ok(exit)
}

fn correctness_exit(records: &[RunRecord]) -> Exit {
    let bad = records
        .iter()
        .any(|r| !r.status.is_success() || (r.status == Status::Ok && !r.correct));
    if bad {
        Exit::WrongResult
    } else {
        Exit::Ok
    }
}

/// The first Spark version (or config) of the scenario is the baseline of each comparison.
fn splits(s: &Scenario) -> Vec<Split> {
    let mut out = Vec::new();
    for v in s.spark_versions.iter().skip(1) {
        out.push(Split::SparkVersion {
            baseline: s.spark_versions[0].clone(),
            candidate: v.clone(),
        });
    }
    for c in s.configs.iter().skip(1) {
        out.push(Split::Config {
            baseline: s.configs[0].name.clone(),
            candidate: c.name.clone(),
        });
    }
    out
}

fn split_dir(split: &Split) -> String {
    match split {
        Split::SparkVersion {
            baseline,
            candidate,
        } => format!("compare-spark-{baseline}-vs-{candidate}"),
        Split::Config {
            baseline,
            candidate,
        } => format!("compare-config-{baseline}-vs-{candidate}"),
    }
}

/// An external master must answer before anything starts.
fn check_master(url: &str) -> Result<()> {
    let hostport = url
        .strip_prefix("spark://")
        .ok_or_else(|| Error::setup(format!("--master `{url}` is not a spark://host:port URL")))?;
    let addrs: Vec<std::net::SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(hostport)
        .map_err(|e| Error::setup(format!("--master {url}: cannot resolve {hostport}: {e}")))?
        .collect();
    let reachable = addrs.iter().any(|a| {
        std::net::TcpStream::connect_timeout(a, std::time::Duration::from_secs(5)).is_ok()
    });
    if reachable {
        Ok(())
    } else {
        Err(Error::setup(format!(
            "--master {url} does not answer: is the cluster up and the port reachable from here?"
        )))
    }
}
