//! Every refusal `sparkmodes run` can make, in one place, before the first directory or
//! container exists: the scenario was validated on load; then, cheapest first, the options
//! (threshold, destination, app, external master) and the host (Docker, Java, base image, the
//! Python axis: a base and an interpreter for each minor, or the host's default). A check
//! added for a new option or mode belongs here.

use super::destination::{self, Destination};
use super::PipelineOptions;
use crate::config::manifest::AppSpec;
use crate::config::memory_mib;
use crate::config::scenario::Scenario;
use crate::config::variant;
use crate::error::{Error, Result};
use crate::infra::{image, releases, tools};

/// Runs every check; returns where the records will go and the scenario as it will run here
/// (its Python axis settled: `pipeline::python_axis`). Creates nothing.
pub fn check(opts: &PipelineOptions) -> Result<(Destination, Scenario)> {
    let destination = destination::check(opts)?;
    check_app(opts)?;
    check_shapes_fit(opts)?;
    if let Some(url) = &opts.external_master {
        check_external(opts, url)?;
    }
    crate::infra::cache::check().map_err(Error::input)?;
    tools::docker_daemon()?;
    tools::java()?;
    image::check_base(&opts.base)?;
    let scenario = super::python_axis::resolve(&opts.scenario, &opts.base)?;
    if scenario
        .modes
        .contains(&crate::config::Mode::PythonMismatch)
    {
        for v in &scenario.spark_versions {
            let line = crate::config::versions::line_of(v)?;
            for p in scenario.pythons() {
                tools::other_python(v, line.python, p)?;
            }
        }
    }
    check_releases(&scenario.spark_versions)?;
    Ok((destination, scenario))
}

/// The app's manifest (file:line:key errors), and the scenario against it: every mode one the
/// app declares, one element count unless the app has a size knob. Checked up front so a
/// wrong `--app` is refused before any cluster starts.
pub fn check_app(opts: &PipelineOptions) -> Result<()> {
    let axis = opts.scenario.apps.is_some();
    for app in opts.scenario.apps() {
        let spec = AppSpec::load(&variant::dir_of(&app, &opts.app_source))?;
        spec.refuse_modes(&opts.scenario.modes)?;
        spec.refuse_elements(&opts.scenario.elements)?;
        if axis {
            spec.refuse_connect_twin(&opts.scenario.modes)?;
        }
        spec.refuse_queries(opts.scenario.queries.as_deref())?;
    }
    Ok(())
}

/// Every config's cluster must fit this machine (checked here, not at load: the same
/// scenario may be meant for a bigger machine).
fn check_shapes_fit(opts: &PipelineOptions) -> Result<()> {
    let (cpus, mib) = crate::infra::host_capacity();
    for c in &opts.scenario.configs {
        let refuse = |e: String| {
            let origin = &opts.scenario.origin;
            Error::setup(format!("{origin}: config `{}`: {e}", c.name))
        };
        if opts.external_master.is_none() {
            c.shape.check_fits(cpus, mib).map_err(refuse)?;
        }
        check_driver_fits(opts, c, mib).map_err(refuse)?;
    }
    if opts.scenario.interleave && opts.external_master.is_none() {
        check_arms_fit(&opts.scenario, mib).map_err(Error::setup)?;
    }
    Ok(())
}

/// Memory the daemons of one cluster hold beside its workers' (master, worker JVMs, a Connect
/// server's driver): measured ≈ 0.6 GiB on a 1-worker cluster; rounded up.
const CLUSTER_OVERHEAD_MIB: u64 = 1024;

/// An interleaved scenario keeps every arm's cluster up at once: together they must fit.
fn check_arms_fit(
    s: &crate::config::scenario::Scenario,
    host_mib: Option<u64>,
) -> std::result::Result<(), String> {
    let Some(host) = host_mib else {
        return Ok(());
    };
    let plan = crate::config::plan::Plan::new(s);
    let mut total = 0;
    let mut arms = 0;
    for (_, group) in plan.groups() {
        let shape = &group[0].config.shape;
        arms += 1;
        total += u64::from(shape.workers) * memory_mib(&shape.worker_memory).unwrap_or(0)
            + CLUSTER_OVERHEAD_MIB;
    }
    if total > host {
        return Err(format!(
            "{}: interleave keeps all {arms} arms' clusters up at once, {total} MiB with their daemons, on a machine with {host} MiB: remove interleave, or lower worker_memory or the arms",
            s.origin
        ));
    }
    Ok(())
}

/// The driver runs on this machine (beside the cluster, unless `--master` names another): a
/// `spark.driver.memory` it cannot hold next to the workers would measure swapping, or the
/// kernel's OOM killer, not Spark.
fn check_driver_fits(
    opts: &PipelineOptions,
    c: &crate::config::ConfigSpec,
    host_mib: Option<u64>,
) -> std::result::Result<(), String> {
    let key = crate::config::scenario::DRIVER_MEMORY;
    let driver = c
        .conf
        .get(key)
        .or_else(|| opts.scenario.spark_conf.get(key));
    let (Some(host), Some(driver)) = (host_mib, driver) else {
        return Ok(());
    };
    let workers = match opts.external_master {
        Some(_) => 0,
        None => u64::from(c.shape.workers) * memory_mib(&c.shape.worker_memory).unwrap_or(0),
    };
    match memory_mib(driver) {
        Some(d) if d + workers > host => Err(format!(
            "spark.driver.memory = {driver} and {workers} MiB of workers do not fit this machine's {host} MiB: lower spark.driver.memory (or the workers)"
        )),
        _ => Ok(()),
    }
}

/// Every version was really released (pip, cached); offline this only warns.
pub fn check_releases(versions: &[String]) -> Result<()> {
    for v in versions {
        if let Some(note) = releases::check(v)? {
            eprintln!("sparkmodes: {note}");
        }
    }
    Ok(())
}

fn check_external(opts: &PipelineOptions, url: &str) -> Result<()> {
    if let Some(m) = opts.scenario.modes.iter().find(|m| m.uses_connect()) {
        return Err(Error::setup(format!(
            "scenario `{}` runs `{m}`, whose Spark Connect server the harness starts on its own cluster's network; it cannot run with --master",
            opts.scenario.name
        )));
    }
    if opts.scenario.python.as_ref().is_some_and(|p| p.len() > 1) {
        return Err(Error::setup(format!(
            "scenario `{}` lists several `python` minors, but an external cluster's executors run the one Python they have; it cannot run with --master",
            opts.scenario.name
        )));
    }
    if opts.scenario.fault.is_some() {
        return Err(Error::setup(format!(
            "scenario `{}` injects faults into its own cluster's workers; it cannot run with --master",
            opts.scenario.name
        )));
    }
    check_master(url)
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
