//! Validation of a raw scenario: every value checked, every refusal naming file, line and key.

use std::collections::{BTreeMap, BTreeSet};

use super::checks::{check_list, check_memory};
use super::document::{key_segment, Document};
use super::frontier_table;
use super::raw::{Number, RawConfig, RawScenario, RawShape, Repetitions};
use super::{
    ConfigSpec, FaultSpec, Scenario, DEFAULT_MAX_REPETITIONS, MAX_ELEMENTS, MAX_REPETITIONS,
    MAX_RUNS, MAX_WARMUP,
};
use crate::config::python::{self, PythonMinor};
use crate::config::{conf, variant, Mode, Name, Seed};
use crate::config::{memory_mib, ClusterShape};
use crate::Result;

impl RawScenario {
    pub(super) fn validate(self, doc: &Document) -> Result<Scenario> {
        check_name(doc, "name", &self.name)?;
        let spark_versions = check_versions(doc, self.spark_versions)?;
        let python = check_pythons(doc, self.python, &spark_versions)?;
        let modes = check_modes(doc, &self.modes)?;
        check_connect_lines(doc, &modes, &spark_versions)?;
        let apps = check_apps(doc, self.apps)?;
        let queries = self.queries.map(|q| check_queries(doc, q)).transpose()?;
        let arrow = check_list(doc, "arrow", self.arrow)?;
        let elements = check_elements(doc, self.elements)?;
        let (repetitions, adaptive) =
            check_repetitions(doc, self.repetitions, self.max_repetitions, self.interleave)?;
        check_positive_seconds(doc, "timeout_s", self.timeout_s)?;
        let cluster = self
            .cluster
            .resolve(doc, "cluster", &ClusterShape::default())?;
        check_conf(doc, "spark_conf", &self.spark_conf)?;
        let explicit_configs = !self.configs.is_empty();
        let configs = resolve_configs(doc, self.configs, &cluster)?;
        if let Some(fault) = &self.fault {
            check_fault(doc, fault, self.timeout_s)?;
            check_fault_modes(doc, &modes)?;
        }
        check_warmup(doc, self.warmup)?;
        let mut scenario = Scenario {
            name: self.name,
            description: self.description,
            origin: doc.origin.clone(),
            spark_versions,
            python,
            modes,
            apps,
            queries,
            arrow,
            elements,
            repetitions,
            adaptive,
            interleave: self.interleave,
            warmup: self.warmup,
            timeout_s: self.timeout_s,
            seed: check_seed(doc, self.seed)?,
            cluster,
            spark_conf: self.spark_conf,
            configs,
            fault: self.fault,
            frontier: None,
        };
        if let Some(raw) = self.frontier {
            let (spec, configs) = frontier_table::resolve(doc, raw, explicit_configs, &scenario)?;
            (scenario.frontier, scenario.configs) = (Some(spec), configs);
        }
        check_plan_size(doc, &scenario)?;
        check_executor_fits(doc, &scenario)?;
        check_interleave(doc, &scenario)?;
        Ok(scenario)
    }
}

impl RawShape {
    fn resolve(self, doc: &Document, table: &str, base: &ClusterShape) -> Result<ClusterShape> {
        let shape = ClusterShape {
            workers: self.workers.unwrap_or(base.workers),
            worker_cores: self.worker_cores.unwrap_or(base.worker_cores),
            worker_memory: self
                .worker_memory
                .unwrap_or_else(|| base.worker_memory.clone()),
        };
        check_shape(doc, table, &shape)?;
        Ok(shape)
    }
}

fn check_shape(doc: &Document, table: &str, shape: &ClusterShape) -> Result<()> {
    shape
        .check()
        .map_err(|(key, msg)| doc.error(&format!("{table}.{key}"), msg))
}

fn resolve_configs(
    doc: &Document,
    raw: Vec<RawConfig>,
    cluster: &ClusterShape,
) -> Result<Vec<ConfigSpec>> {
    if raw.is_empty() {
        return Ok(vec![ConfigSpec {
            name: cluster.label(),
            shape: cluster.clone(),
            conf: BTreeMap::new(),
        }]);
    }
    let mut seen = BTreeSet::new();
    let mut configs = Vec::with_capacity(raw.len());
    for (i, c) in raw.into_iter().enumerate() {
        let table = format!("configs[{i}]");
        let name_key = format!("{table}.name");
        check_name(doc, &name_key, &c.name)?;
        if !seen.insert(c.name.clone()) {
            return Err(doc.error(&name_key, format!("duplicate config name `{}`", c.name)));
        }
        let shape = RawShape {
            workers: c.workers,
            worker_cores: c.worker_cores,
            worker_memory: c.worker_memory,
        }
        .resolve(doc, &table, cluster)?;
        check_conf(doc, &format!("{table}.conf"), &c.conf)?;
        configs.push(ConfigSpec {
            name: c.name,
            shape,
            conf: c.conf,
        });
    }
    Ok(configs)
}

/// Names end up in directory names and CSV cells, so keep them to a safe alphabet.
/// Scenario and config names become directory names: a [`Name`]. A scenario's leaves room
/// for the default run id's `-YYYYMMDD-HHMMSS`.
fn check_name(doc: &Document, key: &str, name: &str) -> Result<()> {
    let max = match key {
        "name" => SCENARIO_NAME_MAX,
        _ => Name::MAX,
    };
    let checked = name.parse::<Name>().and_then(|_| match name.len() > max {
        true => Err(format!(
            "is {} bytes long, at most {max} (the default run id appends -YYYYMMDD-HHMMSS)",
            name.len()
        )),
        false => Ok(()),
    });
    checked.map_err(|msg| doc.error(key, msg))
}

/// TPC-H's query numbers (1 to 22), each once; the app running them is checked at preflight.
fn check_queries(doc: &Document, queries: Vec<i64>) -> Result<Vec<u32>> {
    let queries = check_list(doc, "queries", queries)?;
    queries
        .iter()
        .enumerate()
        .map(|(i, &q)| match u32::try_from(q) {
            Ok(q) if (1..=22).contains(&q) => Ok(q),
            _ => Err(doc.error(
                &format!("queries[{i}]"),
                format!("must be a TPC-H query number, 1 to 22, got {q}"),
            )),
        })
        .collect()
}

/// A scenario name this long still makes a default run id that is a [`Name`].
pub const SCENARIO_NAME_MAX: usize = Name::MAX - "-YYYYMMDD-HHMMSS".len();

/// What NumPy's seed takes ([`Seed`]); 42 when the file sets none.
fn check_seed(doc: &Document, raw: Option<Number>) -> Result<Seed> {
    match raw {
        None => Ok(Seed::DEFAULT),
        Some(Number::Int(v)) => Seed::from_number(v).map_err(|m| doc.error("seed", m)),
        Some(n) => Err(doc.error("seed", format!("must be a whole number, got {n}"))),
    }
}

/// Each version must be well formed and have an image recipe (`versions::pins`), so an
/// unsupported line is refused here rather than after the run has started.
fn check_versions(doc: &Document, versions: Vec<String>) -> Result<Vec<String>> {
    for (i, v) in versions.iter().enumerate() {
        let key = format!("spark_versions[{i}]");
        if !is_version(v) {
            return Err(doc.error(
                &key,
                format!("must look like X.Y.Z (e.g. \"3.5.9\"), got {v:?}"),
            ));
        }
        crate::config::versions::pins(v).map_err(|e| doc.error(&key, e.to_string()))?;
    }
    check_list(doc, "spark_versions", versions)
}

/// Each Python minor must be well formed and supported by every Spark version of the
/// scenario (the matrix is their product), or it is refused naming the lines that fit.
fn check_pythons(
    doc: &Document,
    pythons: Option<Vec<String>>,
    versions: &[String],
) -> Result<Option<Vec<PythonMinor>>> {
    let Some(pythons) = pythons else {
        return Ok(None);
    };
    let mut minors = Vec::new();
    for (i, p) in pythons.iter().enumerate() {
        let key = format!("python[{i}]");
        let minor: PythonMinor = p.parse().map_err(|e| doc.error(&key, e))?;
        for v in versions {
            python::check_line(v, minor).map_err(|e| doc.error(&key, e))?;
        }
        minors.push(minor);
    }
    check_list(doc, "python", minors).map(Some)
}

fn is_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn check_modes(doc: &Document, names: &[String]) -> Result<Vec<Mode>> {
    let mut modes = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let mode = name
            .parse::<Mode>()
            .map_err(|msg| doc.error(&format!("modes[{i}]"), msg))?;
        modes.push(mode);
    }
    check_list(doc, "modes", modes)
}

/// Each app of the axis must be a built-in variant or an app directory, listed once; Connect
/// modes run an axis app only if it declares `connect` (checked with the manifests, preflight).
fn check_apps(doc: &Document, apps: Option<Vec<String>>) -> Result<Option<Vec<String>>> {
    let Some(apps) = apps else {
        return Ok(None);
    };
    for (i, app) in apps.iter().enumerate() {
        variant::check(app).map_err(|e| doc.error(&format!("apps[{i}]"), e))?;
    }
    check_list(doc, "apps", apps).map(Some)
}

/// Connect modes need a Connect server and client for every Spark version of the scenario.
fn check_connect_lines(doc: &Document, modes: &[Mode], versions: &[String]) -> Result<()> {
    let Some(i) = modes.iter().position(|m| m.uses_connect()) else {
        return Ok(());
    };
    for v in versions {
        let line = crate::config::versions::line_of(v)?;
        if let Err(why) = line.connect_requirements(v) {
            let msg = format!("`{}` cannot run on Spark {v}: {why}", modes[i]);
            return Err(doc.error(&format!("modes[{i}]"), msg));
        }
    }
    Ok(())
}

/// A count, or `"auto"` (interleaved only: its stopping rule reads the paired comparison)
/// with `max_repetitions` (default 20), which nothing else takes.
fn check_repetitions(
    doc: &Document,
    raw: Repetitions,
    max: Option<i64>,
    interleave: bool,
) -> Result<(u32, bool)> {
    match raw {
        Repetitions::Count(n) => {
            if max.is_some() {
                let msg = "only applies to repetitions = \"auto\": remove it or set repetitions = \"auto\"";
                return Err(doc.error("max_repetitions", msg.to_string()));
            }
            let n = check_count(doc, "repetitions", n)?;
            if interleave && n < MIN_PAIRED_BLOCKS {
                let msg = format!("an interleaved run's verdict is the paired one, and fewer than {MIN_PAIRED_BLOCKS} blocks can never settle it (the signed-rank test's smallest p with {n} is above 0.05): set at least {MIN_PAIRED_BLOCKS}, or \"auto\"");
                return Err(doc.error("repetitions", msg));
            }
            Ok((n, false))
        }
        Repetitions::Word(w) if w == "auto" => {
            if !interleave {
                let msg = "\"auto\" stops on the paired comparison of interleaved arms: set interleave = true, or give a number";
                return Err(doc.error("repetitions", msg.to_string()));
            }
            let max = check_count(
                doc,
                "max_repetitions",
                max.unwrap_or(DEFAULT_MAX_REPETITIONS.into()),
            )?;
            if max < MIN_PAIRED_BLOCKS {
                let msg = format!("must be at least {MIN_PAIRED_BLOCKS} (fewer blocks can never settle a paired verdict), got {max}");
                return Err(doc.error("max_repetitions", msg));
            }
            Ok((max, true))
        }
        Repetitions::Word(w) => Err(doc.error(
            "repetitions",
            format!("must be a whole number or \"auto\", got {w:?}"),
        )),
    }
}

/// The signed-rank test reaches p < 0.05 from 6 pairs on (its smallest p is 2 / 2^n; tested
/// against `measure::stats` there).
pub const MIN_PAIRED_BLOCKS: u32 = 6;

/// Interleaving compares arms on different clusters: there must be two, and a frontier (which
/// searches one arm at a time) cannot interleave.
fn check_interleave(doc: &Document, s: &Scenario) -> Result<()> {
    if !s.interleave {
        return Ok(());
    }
    if s.frontier.is_some() {
        let msg =
            "a frontier searches one config at a time and cannot interleave: remove interleave";
        return Err(doc.error("interleave", msg.to_string()));
    }
    let arms = s.spark_versions.len() * s.pythons().len() * s.configs.len();
    if arms < 2 {
        let msg = "interleaves arms on different clusters, and this scenario has one (one Spark version, Python and config): add a version, config or Python, or remove interleave";
        return Err(doc.error("interleave", msg.to_string()));
    }
    Ok(())
}

fn check_count(doc: &Document, key: &str, n: i64) -> Result<u32> {
    if n < 1 {
        return Err(doc.error(key, format!("must be at least 1, got {n}")));
    }
    if n > i64::from(MAX_REPETITIONS) {
        let msg = format!("must be at most {MAX_REPETITIONS}, got {n}");
        return Err(doc.error(key, msg));
    }
    Ok(n as u32)
}

fn check_warmup(doc: &Document, n: u32) -> Result<()> {
    if n > MAX_WARMUP {
        let msg = format!("must be at most {MAX_WARMUP}, got {n}");
        return Err(doc.error("warmup", msg));
    }
    Ok(())
}

/// The whole matrix, counted before it is built: a plan of a billion runs would allocate
/// gigabytes before the first one started.
fn check_plan_size(doc: &Document, s: &Scenario) -> Result<()> {
    let computing = s.modes.iter().filter(|m| m.computes()).count() as u128;
    let refusal = s.modes.len() as u128 - computing;
    let cells = computing * (s.arrow.len() * s.elements.len()) as u128;
    let per_group =
        cells * u128::from(s.warmup + s.repetitions) + refusal * u128::from(s.repetitions);
    let groups = s.spark_versions.len() * s.pythons().len() * s.configs.len() * s.apps().len();
    let runs = per_group * groups as u128;
    if runs > MAX_RUNS as u128 {
        let msg = format!(
            "the matrix has {runs} runs, at most {MAX_RUNS}: lower repetitions or the lists"
        );
        return Err(doc.error("repetitions", msg));
    }
    Ok(())
}

/// An executor larger than a worker is never granted, and every run would wait out its
/// timeout ("Initial job has not accepted any resources"): refused with the reason.
fn check_executor_fits(doc: &Document, s: &Scenario) -> Result<()> {
    for (i, c) in s.configs.iter().enumerate() {
        let conf = |key: &str| c.conf.get(key).or_else(|| s.spark_conf.get(key));
        let key_path = |key: &str| match c.conf.contains_key(key) {
            true => format!("configs[{i}].conf.{}", key_segment(key)),
            false => format!("spark_conf.{}", key_segment(key)),
        };
        if let Some(v) = conf("spark.executor.memory") {
            let (want, have) = (memory_mib(v), memory_mib(&c.shape.worker_memory));
            if want > have {
                let msg = format!(
                    "{v} is more than a worker of config `{}` has ({}): no executor could start",
                    c.name, c.shape.worker_memory
                );
                return Err(doc.error(&key_path("spark.executor.memory"), msg));
            }
        }
        if let Some(v) = conf("spark.executor.cores") {
            let cores: u32 = v.parse().map_err(|_| {
                let msg = format!("must be a whole number of cores, got {v:?}");
                doc.error(&key_path("spark.executor.cores"), msg)
            })?;
            if cores == 0 || cores > c.shape.worker_cores {
                let msg = format!(
                    "{cores} cores, but a worker of config `{}` has {}: no executor could start",
                    c.name, c.shape.worker_cores
                );
                return Err(doc.error(&key_path("spark.executor.cores"), msg));
            }
        }
    }
    Ok(())
}

fn check_elements(doc: &Document, elements: Vec<Number>) -> Result<Vec<u64>> {
    let mut counts = Vec::with_capacity(elements.len());
    for (i, n) in elements.iter().enumerate() {
        let count = match *n {
            Number::Int(v) => u64::try_from(v)
                .ok()
                .filter(|c| (1..=MAX_ELEMENTS).contains(c)),
            Number::Float(_) => None,
        };
        let Some(count) = count else {
            return Err(doc.error(
                &format!("elements[{i}]"),
                format!("must be an integer between 1 and {MAX_ELEMENTS}, got {n}"),
            ));
        };
        counts.push(count);
    }
    check_list(doc, "elements", counts)
}

fn check_positive_seconds(doc: &Document, key: &str, s: f64) -> Result<()> {
    // A day bounds every sensible run and keeps Duration arithmetic far from overflow.
    if s.is_finite() && s > 0.0 && s <= 86_400.0 {
        Ok(())
    } else {
        Err(doc.error(
            key,
            format!("must be a number of seconds between 0 and 86400, got {s}"),
        ))
    }
}

fn check_conf(doc: &Document, table: &str, conf: &BTreeMap<String, String>) -> Result<()> {
    for (key, value) in conf {
        let path = format!("{table}.{}", key_segment(key));
        if !key.starts_with("spark.") {
            return Err(doc.error(&path, "Spark conf keys start with `spark.`".to_string()));
        }
        conf::check_key(key).map_err(|e| doc.error(&path, e))?;
        conf::check_value(value).map_err(|e| doc.error(&path, e))?;
        if key.ends_with(".memory") {
            check_memory(doc, &path, value)?;
        }
    }
    Ok(())
}

/// A fault arms on the run's first Spark job in its own event log; a Connect run has none of
/// its own (the server's log is shared by every run), so the fault would never fire.
fn check_fault_modes(doc: &Document, modes: &[Mode]) -> Result<()> {
    match modes.iter().position(|m| m.uses_connect()) {
        Some(i) => Err(doc.error(
            &format!("modes[{i}]"),
            format!("`{}` cannot run with [fault] yet: a fault arms on the run's own event log, and Connect runs share the server's", modes[i]),
        )),
        None => Ok(()),
    }
}

fn check_fault(doc: &Document, fault: &FaultSpec, timeout_s: f64) -> Result<()> {
    check_positive_seconds(doc, "fault.after_s", fault.after_s)?;
    if fault.after_s >= timeout_s {
        return Err(doc.error(
            "fault.after_s",
            format!(
                "must be less than timeout_s ({timeout_s}), got {}: the run would end first",
                fault.after_s
            ),
        ));
    }
    Ok(())
}
