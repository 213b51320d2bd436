//! Scenario files: the matrix a benchmark run covers (Spark versions × cluster configs × modes ×
//! Arrow × element counts), how often each cell repeats, and the cluster it runs on.
//!
//! A scenario is TOML (see `scenarios/*.toml`). Required keys: `name`, `spark_versions`,
//! `modes`, `arrow`, `elements`, `repetitions`. Optional keys and their defaults:
//! `description = ""`, `warmup = 0`, `timeout_s = 600`, `seed = 42`,
//! `[cluster]` (`workers = 2`, `worker_cores = 1`, `worker_memory = "1g"`), `[spark_conf]` (empty),
//! `[[configs]]` (none: one config named after the `[cluster]` shape, e.g. `2w-1c-1g`) and
//! `[fault]` (none). Each `[[configs]]` entry has a `name` and may override `workers`,
//! `worker_cores`, `worker_memory` and add `conf`.
//!
//! Every mistake is refused with the file, line and key, because a typo in a benchmark matrix
//! otherwise shows up hours later as a silently missing or misconfigured cell.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::mode::Mode;
use crate::{Error, Result};

/// Largest element count a scenario may ask for: the driver collects every element into one
/// pandas frame, so beyond this the run measures swapping, not Spark.
pub const MAX_ELEMENTS: u64 = 100_000_000;

/// The shape of the standalone cluster a group of runs shares.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterShape {
    pub workers: u32,
    pub worker_cores: u32,
    /// Spark memory string, e.g. `1g` or `512m`.
    pub worker_memory: String,
}

impl ClusterShape {
    /// The name a config gets when the scenario has no `[[configs]]`, e.g. `2w-1c-1g`.
    pub fn label(&self) -> String {
        format!(
            "{}w-{}c-{}",
            self.workers, self.worker_cores, self.worker_memory
        )
    }
}

impl Default for ClusterShape {
    fn default() -> Self {
        ClusterShape {
            workers: 2,
            worker_cores: 1,
            worker_memory: "1g".to_string(),
        }
    }
}

/// One named cluster configuration: a shape plus the Spark conf only this config adds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfigSpec {
    pub name: String,
    pub shape: ClusterShape,
    pub conf: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Stop one worker container while the job runs.
    KillWorker,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::KillWorker => "kill-worker",
        }
    }
}

/// A fault injected into every measured computing run, `after_s` seconds after its first Spark
/// job starts.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct FaultSpec {
    pub kind: FaultKind,
    pub after_s: f64,
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}s", self.kind.as_str(), self.after_s)
    }
}

/// A validated scenario. `configs` always holds at least one entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Where the scenario came from (a file path or `builtin:NAME`), for messages.
    pub origin: String,
    pub spark_versions: Vec<String>,
    pub modes: Vec<Mode>,
    pub arrow: Vec<bool>,
    pub elements: Vec<u64>,
    pub repetitions: u32,
    pub warmup: u32,
    pub timeout_s: f64,
    pub seed: u64,
    /// The default shape, which `[[configs]]` entries override.
    pub cluster: ClusterShape,
    /// Spark conf for every run; a config's own conf wins over it.
    pub spark_conf: BTreeMap<String, String>,
    pub configs: Vec<ConfigSpec>,
    pub fault: Option<FaultSpec>,
}

/// The scenarios shipped in `scenarios/`, by name.
pub const BUILTIN: [(&str, &str); 6] = [
    ("default", include_str!("../../scenarios/default.toml")),
    ("smoke", include_str!("../../scenarios/smoke.toml")),
    (
        "arrow-scan",
        include_str!("../../scenarios/arrow-scan.toml"),
    ),
    ("upgrade", include_str!("../../scenarios/upgrade.toml")),
    ("configs", include_str!("../../scenarios/configs.toml")),
    ("faults", include_str!("../../scenarios/faults.toml")),
];

impl Scenario {
    /// Reads and validates a scenario file; errors name the file, line and key.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::setup(format!("cannot read scenario {}: {e}", path.display())))?;
        Scenario::from_str(&text, &path.display().to_string())
    }

    /// Parses and validates scenario text; `origin` names it in error messages.
    pub fn from_str(text: &str, origin: &str) -> Result<Scenario> {
        let doc = Document::parse(text, origin)?;
        let raw: RawScenario = doc.deserialize()?;
        raw.validate(&doc)
    }

    /// The shipped `scenarios/default.toml`.
    pub fn builtin_default() -> Scenario {
        Scenario::builtin("default").expect("scenarios/default.toml is embedded")
    }

    /// A shipped scenario by name (`default`, `smoke`, `arrow-scan`, ...); `None` if unknown.
    pub fn builtin(name: &str) -> Option<Scenario> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let origin = format!("builtin:{name}");
        // The shipped files are validated by tests, so a failure here is a build defect.
        Some(Scenario::from_str(text, &origin).expect("shipped scenario is valid"))
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_s)
    }
}

// ---------------------------------------------------------------------------------------------
// Raw deserialization: types only; every value check happens in `validate`.

fn default_timeout_s() -> f64 {
    600.0
}

fn default_seed() -> u64 {
    42
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default)]
    description: String,
    spark_versions: Vec<String>,
    modes: Vec<String>,
    arrow: Vec<bool>,
    elements: Vec<Number>,
    repetitions: i64,
    #[serde(default)]
    warmup: u32,
    #[serde(default = "default_timeout_s")]
    timeout_s: f64,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default)]
    cluster: RawShape,
    #[serde(default)]
    spark_conf: BTreeMap<String, String>,
    #[serde(default)]
    configs: Vec<RawConfig>,
    fault: Option<FaultSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawShape {
    workers: Option<u32>,
    worker_cores: Option<u32>,
    worker_memory: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: String,
    workers: Option<u32>,
    worker_cores: Option<u32>,
    worker_memory: Option<String>,
    #[serde(default)]
    conf: BTreeMap<String, String>,
}

/// A number as the file wrote it. Integers and floats are both accepted here so that
/// `elements = [1e12]` is refused by validation with the bound, not by serde's "expected u64".
#[derive(Clone, Copy, Debug)]
enum Number {
    Int(i128),
    Float(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(v) => write!(f, "{v}"),
            // Debug keeps the `.0`, which shows the value was read as a float.
            Number::Float(v) => write!(f, "{v:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(Number::Int(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                Ok(Number::Float(v))
            }
        }
        d.deserialize_any(Visitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Validation.

/// Conf keys the harness sets itself: a scenario setting them would silently fight the matrix.
const HARNESS_OWNED_CONF: [(&str, &str); 3] = [
    (
        "spark.sql.execution.arrow.pyspark.enabled",
        "use the `arrow` list instead",
    ),
    (
        "spark.master",
        "the harness points every run at its own cluster",
    ),
    (
        "spark.eventLog.dir",
        "the harness collects event logs per run",
    ),
];

impl RawScenario {
    fn validate(self, doc: &Document) -> Result<Scenario> {
        check_name(doc, "name", &self.name)?;
        let spark_versions = check_versions(doc, self.spark_versions)?;
        let modes = check_modes(doc, &self.modes)?;
        let arrow = check_list(doc, "arrow", self.arrow)?;
        let elements = check_elements(doc, self.elements)?;
        let repetitions = check_repetitions(doc, self.repetitions)?;
        check_positive_seconds(doc, "timeout_s", self.timeout_s)?;
        let cluster = self
            .cluster
            .resolve(doc, "cluster", &ClusterShape::default())?;
        check_conf(doc, "spark_conf", &self.spark_conf)?;
        let configs = resolve_configs(doc, self.configs, &cluster)?;
        if let Some(fault) = &self.fault {
            check_fault(doc, fault, self.timeout_s)?;
        }
        Ok(Scenario {
            name: self.name,
            description: self.description,
            origin: doc.origin.clone(),
            spark_versions,
            modes,
            arrow,
            elements,
            repetitions,
            warmup: self.warmup,
            timeout_s: self.timeout_s,
            seed: self.seed,
            cluster,
            spark_conf: self.spark_conf,
            configs,
            fault: self.fault,
        })
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
    for (key, value) in [
        ("workers", shape.workers),
        ("worker_cores", shape.worker_cores),
    ] {
        if value < 1 {
            let path = format!("{table}.{key}");
            return Err(doc.error(&path, format!("must be at least 1, got {value}")));
        }
    }
    check_memory(doc, &format!("{table}.worker_memory"), &shape.worker_memory)
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
fn check_name(doc: &Document, key: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(doc.error(
            key,
            format!("must be non-empty letters, digits, `-`, `_` or `.`, got {name:?}"),
        ))
    }
}

/// Refuses an empty list and repeated values (a repeated cell would double its weight).
fn check_list<T: PartialEq + fmt::Debug>(
    doc: &Document,
    key: &str,
    values: Vec<T>,
) -> Result<Vec<T>> {
    if values.is_empty() {
        return Err(doc.error(key, "must list at least one value".to_string()));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(doc.error(&format!("{key}[{i}]"), format!("duplicate value {v:?}")));
        }
    }
    Ok(values)
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
        crate::versions::pins(v).map_err(|e| doc.error(&key, e.to_string()))?;
    }
    check_list(doc, "spark_versions", versions)
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

fn check_repetitions(doc: &Document, n: i64) -> Result<u32> {
    if n < 1 {
        return Err(doc.error("repetitions", format!("must be at least 1, got {n}")));
    }
    u32::try_from(n).map_err(|_| {
        doc.error(
            "repetitions",
            format!("must be at most {}, got {n}", u32::MAX),
        )
    })
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

/// Spark memory strings as the standalone worker and `spark.*.memory` accept them.
fn is_memory(s: &str) -> bool {
    let Some(unit) = s.chars().last() else {
        return false;
    };
    let digits = &s[..s.len() - unit.len_utf8()];
    matches!(unit.to_ascii_lowercase(), 'k' | 'm' | 'g' | 't')
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.parse::<u64>().is_ok_and(|n| n > 0)
}

fn check_memory(doc: &Document, key: &str, value: &str) -> Result<()> {
    if is_memory(value) {
        Ok(())
    } else {
        Err(doc.error(
            key,
            format!("must be a size like \"512m\" or \"1g\", got {value:?}"),
        ))
    }
}

fn check_conf(doc: &Document, table: &str, conf: &BTreeMap<String, String>) -> Result<()> {
    for (key, value) in conf {
        let path = format!("{table}.{}", key_segment(key));
        if !key.starts_with("spark.") {
            return Err(doc.error(&path, "Spark conf keys start with `spark.`".to_string()));
        }
        if let Some((_, why)) = HARNESS_OWNED_CONF.iter().find(|(k, _)| k == key) {
            return Err(doc.error(&path, format!("is set by the harness: {why}")));
        }
        if key.ends_with(".memory") {
            check_memory(doc, &path, value)?;
        }
    }
    Ok(())
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

// ---------------------------------------------------------------------------------------------
// Source positions: every key path (`cluster.workers`, `modes[1]`, `configs[0].conf."spark.x"`)
// mapped to its span, so both serde errors and validation errors can name a line and a key.

struct Document<'a> {
    origin: String,
    text: &'a str,
    table: Spanned<DeTable<'a>>,
    spans: Vec<KeySpan>,
}

struct KeySpan {
    path: String,
    key: Range<usize>,
    value: Range<usize>,
}

impl<'a> Document<'a> {
    fn parse(text: &'a str, origin: &str) -> Result<Document<'a>> {
        let table = DeTable::parse(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            Error::setup(format!(
                "{}: invalid TOML: {}",
                location(origin, line),
                e.message().trim()
            ))
        })?;
        let mut spans = Vec::new();
        index_table(table.get_ref(), "", &mut spans);
        Ok(Document {
            origin: origin.to_string(),
            text,
            table,
            spans,
        })
    }

    fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let de = toml::Deserializer::from(self.table.clone());
        T::deserialize(de).map_err(|e| self.serde_error(&e))
    }

    fn serde_error(&self, e: &toml::de::Error) -> Error {
        let message = e.message().trim();
        // A "missing field" error points at offset 0, which is no help: leave the line out.
        let span = e.span().filter(|s| !s.is_empty());
        let line = span.as_ref().map(|s| line_of(self.text, s.start));
        let at = location(&self.origin, line);
        let key = span.and_then(|s| self.key_at(s.start));
        if let Some(rest) = message.strip_prefix("unknown field ") {
            // "unknown field `x`, expected one of ..." -> name the whole key path.
            let expected = rest.split_once(", ").map_or("", |(_, e)| e);
            let key = key.unwrap_or("?");
            return Error::setup(format!("{at}: unknown key `{key}` ({expected})"));
        }
        if let Some(field) = message.strip_prefix("missing field ") {
            let table = key.map(|k| format!(" in `{k}`")).unwrap_or_default();
            return Error::setup(format!("{at}: missing required key {field}{table}"));
        }
        match key {
            Some(key) => Error::setup(format!("{at}: key `{key}`: {message}")),
            None => Error::setup(format!("{at}: {message}")),
        }
    }

    /// The innermost key whose key or value span contains `offset`.
    fn key_at(&self, offset: usize) -> Option<&str> {
        self.spans
            .iter()
            .filter(|s| s.key.contains(&offset) || s.value.contains(&offset))
            .min_by_key(|s| s.value.len())
            .map(|s| s.path.as_str())
    }

    /// An error at `path`; the line is left out when the key was defaulted (not in the file).
    fn error(&self, path: &str, message: String) -> Error {
        let line = self
            .spans
            .iter()
            .find(|s| s.path == path)
            .map(|s| line_of(self.text, s.key.start));
        Error::setup(format!(
            "{}: key `{path}`: {message}",
            location(&self.origin, line)
        ))
    }
}

fn index_table(table: &DeTable<'_>, prefix: &str, out: &mut Vec<KeySpan>) {
    for (key, value) in table {
        let path = join_path(prefix, &key_segment(key.get_ref()));
        index_value(value, &path, key.span(), out);
    }
}

fn index_value(
    value: &Spanned<DeValue<'_>>,
    path: &str,
    key: Range<usize>,
    out: &mut Vec<KeySpan>,
) {
    out.push(KeySpan {
        path: path.to_string(),
        key,
        value: value.span(),
    });
    match value.get_ref() {
        DeValue::Table(t) => index_table(t, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                index_value(item, &format!("{path}[{i}]"), item.span(), out);
            }
        }
        _ => {}
    }
}

fn join_path(prefix: &str, segment: &str) -> String {
    if prefix.is_empty() {
        segment.to_string()
    } else {
        format!("{prefix}.{segment}")
    }
}

/// A key as TOML would write it in a dotted path: bare when possible, quoted otherwise.
fn key_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn location(origin: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{origin}:{line}"),
        None => origin.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name = \"t\"
spark_versions = [\"3.5.9\"]
modes = [\"direct\", \"cluster-refusal\"]
arrow = [true, false]
elements = [1000]
repetitions = 2
";

    fn err(text: &str) -> String {
        match Scenario::from_str(text, "x.toml") {
            Ok(s) => panic!("expected an error, parsed {s:?}"),
            Err(e) => {
                assert!(matches!(e, Error::Setup(_)), "not a setup error: {e:?}");
                e.to_string()
            }
        }
    }

    fn with(extra: &str) -> String {
        format!("{MINIMAL}{extra}")
    }

    #[test]
    fn every_shipped_scenario_is_valid() {
        for (name, _) in BUILTIN {
            let s = Scenario::builtin(name).unwrap();
            assert_eq!(s.name, name, "scenario name must match its file name");
            assert!(!s.description.is_empty(), "{name} has no description");
        }
    }

    #[test]
    fn default_scenario_matches_the_documented_matrix() {
        let s = Scenario::builtin_default();
        assert_eq!(s.spark_versions, ["3.5.9"]);
        assert_eq!(s.modes, Mode::ALL);
        assert_eq!(s.arrow, [true, false]);
        assert_eq!(s.elements, [100_000]);
        assert_eq!((s.repetitions, s.warmup), (5, 1));
        assert_eq!(s.configs.len(), 1);
        assert_eq!(s.configs[0].name, "2w-1c-1g");
        assert_eq!(s.spark_conf["spark.executor.memory"], "512m");
    }

    #[test]
    fn configs_override_the_cluster_shape() {
        let s = Scenario::builtin("configs").unwrap();
        let shapes: Vec<(u32, u32)> = s
            .configs
            .iter()
            .map(|c| (c.shape.workers, c.shape.worker_cores))
            .collect();
        assert_eq!(shapes, [(1, 2), (2, 1)]);
    }

    #[test]
    fn defaults_apply_to_missing_optional_keys() {
        let s = Scenario::from_str(MINIMAL, "m.toml").unwrap();
        assert_eq!(s.cluster, ClusterShape::default());
        assert_eq!((s.warmup, s.seed, s.timeout_s), (0, 42, 600.0));
        assert_eq!(s.fault, None);
        assert_eq!(s.origin, "m.toml");
    }

    #[test]
    fn zero_repetitions_names_line_and_key() {
        let text = MINIMAL.replace("repetitions = 2", "repetitions = 0");
        assert_eq!(
            err(&text),
            "x.toml:6: key `repetitions`: must be at least 1, got 0"
        );
    }

    #[test]
    fn negative_repetitions_names_the_key() {
        let text = MINIMAL.replace("repetitions = 2", "repetitions = -1");
        assert_eq!(
            err(&text),
            "x.toml:6: key `repetitions`: must be at least 1, got -1"
        );
    }

    #[test]
    fn version_without_a_recipe_names_the_supported_lines() {
        let msg = err(&MINIMAL.replace("\"3.5.9\"", "\"2.4.8\""));
        assert!(
            msg.starts_with(
                "x.toml:2: key `spark_versions[0]`: Spark version 2.4.8 has no image recipe"
            ),
            "{msg}"
        );
        assert!(msg.contains("3.5.x"), "{msg}");
    }

    #[test]
    fn unknown_key_lists_expected_keys() {
        let msg = err(&MINIMAL.replace("modes =", "modez ="));
        assert!(msg.starts_with("x.toml:3: unknown key `modez` ("), "{msg}");
        assert!(msg.contains("`modes`"), "{msg}");
    }

    #[test]
    fn unknown_key_in_a_table_names_its_path() {
        let msg = err(&with("[cluster]\nworkers = 2\nwokers = 3\n"));
        assert!(
            msg.starts_with("x.toml:9: unknown key `cluster.wokers`"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_type_names_the_key() {
        let msg = err(&MINIMAL.replace("repetitions = 2", "repetitions = \"2\""));
        assert!(
            msg.starts_with("x.toml:6: key `repetitions`: invalid type"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_mode_names_mode_and_choices() {
        let msg = err(&MINIMAL.replace("\"cluster-refusal\"", "\"clustr\""));
        assert!(
            msg.starts_with("x.toml:3: key `modes[1]`: unknown mode `clustr`"),
            "{msg}"
        );
        assert!(msg.contains("containerized"), "{msg}");
    }

    #[test]
    fn element_counts_out_of_range_are_refused() {
        let zero = err(&MINIMAL.replace("[1000]", "[1000, 0]"));
        assert!(
            zero.contains("key `elements[1]`: must be an integer between 1 and 100000000"),
            "{zero}"
        );
        let huge = err(&MINIMAL.replace("[1000]", "[100000001]"));
        assert!(huge.contains("got 100000001"), "{huge}");
        let negative = err(&MINIMAL.replace("[1000]", "[-5]"));
        assert!(negative.ends_with("got -5"), "{negative}");
        let float = err(&MINIMAL.replace("[1000]", "[1e12]"));
        assert!(
            float.ends_with("key `elements[0]`: must be an integer between 1 and 100000000, got 1000000000000.0"),
            "{float}"
        );
        let text = err(&MINIMAL.replace("[1000]", "[\"many\"]"));
        assert!(text.contains("key `elements[0]`: invalid type"), "{text}");
    }

    #[test]
    fn bad_version_and_memory_are_refused() {
        let v = err(&MINIMAL.replace("\"3.5.9\"", "\"3.5\""));
        assert!(
            v.contains("key `spark_versions[0]`: must look like X.Y.Z"),
            "{v}"
        );
        let m = err(&with("[cluster]\nworker_memory = \"1 GB\"\n"));
        assert!(
            m.starts_with("x.toml:8: key `cluster.worker_memory`"),
            "{m}"
        );
        let c = err(&with("[spark_conf]\n\"spark.driver.memory\" = \"lots\"\n"));
        assert!(
            c.contains("key `spark_conf.\"spark.driver.memory\"`"),
            "{c}"
        );
    }

    #[test]
    fn duplicate_config_names_are_refused() {
        let text = with("[[configs]]\nname = \"a\"\n[[configs]]\nname = \"a\"\nworkers = 1\n");
        let msg = err(&text);
        assert!(
            msg.starts_with("x.toml:10: key `configs[1].name`: duplicate"),
            "{msg}"
        );
    }

    #[test]
    fn duplicate_list_values_are_refused() {
        let msg = err(&MINIMAL.replace("[true, false]", "[true, true]"));
        assert!(
            msg.contains("key `arrow[1]`: duplicate value true"),
            "{msg}"
        );
    }

    #[test]
    fn missing_required_key_is_named() {
        let msg = err(&MINIMAL.replace("repetitions = 2\n", ""));
        assert!(msg.contains("missing required key `repetitions`"), "{msg}");
    }

    #[test]
    fn missing_key_in_a_config_names_the_config() {
        let msg = err(&with(
            "[[configs]]\nname = \"a\"\n[[configs]]\nworkers = 1\n",
        ));
        assert!(
            msg.contains("missing required key `name` in `configs[1]`"),
            "{msg}"
        );
    }

    #[test]
    fn harness_owned_conf_is_refused() {
        let text = with("[spark_conf]\n\"spark.sql.execution.arrow.pyspark.enabled\" = \"true\"\n");
        assert!(err(&text).contains("use the `arrow` list"));
    }

    #[test]
    fn fault_after_the_timeout_is_refused() {
        let ok = Scenario::from_str(&with("[fault]\nkind = \"kill-worker\"\nafter_s = 5\n"), "f");
        assert_eq!(ok.unwrap().fault.unwrap().kind, FaultKind::KillWorker);
        let msg = err(&with(
            "timeout_s = 10\n[fault]\nkind = \"kill-worker\"\nafter_s = 10\n",
        ));
        assert!(
            msg.contains("key `fault.after_s`: must be less than timeout_s"),
            "{msg}"
        );
        let kind = err(&with("[fault]\nkind = \"kill-master\"\nafter_s = 1\n"));
        assert!(kind.contains("key `fault.kind`"), "{kind}");
    }

    #[test]
    fn syntax_error_names_the_line() {
        let msg = err(&with("warmup = = 1\n"));
        assert!(msg.starts_with("x.toml:7: invalid TOML"), "{msg}");
    }

    #[test]
    fn from_file_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, MINIMAL.replace("repetitions = 2", "repetitions = 0")).unwrap();
        let msg = Scenario::from_file(&path).unwrap_err().to_string();
        assert!(msg.starts_with(&format!("{}:6:", path.display())), "{msg}");
        let missing = Scenario::from_file(&dir.path().join("nope.toml")).unwrap_err();
        assert!(matches!(missing, Error::Setup(_)));
    }
}
