//! The `[frontier]` table: instead of a fixed list of element counts, a frontier scenario asks,
//! for each `spark.driver.memory` it lists, "what is the largest result that still completes?".
//! Its `elements = [low, high]` is the range searched and `step` the resolution; each driver
//! memory becomes a config of its own (`driver-512m`), so every axis the scenario has (Spark
//! version, Python, app, mode, Arrow) gets its own search line. The search is `exec::frontier`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checks::{check_list, check_memory};
use super::document::{key_segment, Document};
use super::raw::{Number, RawFrontier};
use super::{ConfigSpec, Scenario};
use crate::config::memory_mib;
use crate::Result;

/// The conf key a frontier varies.
pub const DRIVER_MEMORY: &str = "spark.driver.memory";

/// A validated `[frontier]`: the range and resolution of the search, and the driver memories.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FrontierSpec {
    pub driver_memory: Vec<String>,
    pub low: u64,
    pub high: u64,
    pub step: u64,
}

/// What the rest of the file must be for a frontier to make sense, then the spec and the
/// configs it implies (one per driver memory, on the `[cluster]` shape).
pub(super) fn resolve(
    doc: &Document,
    raw: RawFrontier,
    explicit_configs: bool,
    s: &Scenario,
) -> Result<(FrontierSpec, Vec<ConfigSpec>)> {
    check_rest(doc, explicit_configs, s)?;
    let (low, high) = range(doc, &s.elements)?;
    let step = step(doc, raw.step, high - low)?;
    let driver_memory = memories(doc, raw.driver_memory)?;
    let configs = driver_memory.iter().map(|m| config(s, m)).collect();
    let spec = FrontierSpec {
        driver_memory,
        low,
        high,
        step,
    };
    Ok((spec, configs))
}

/// A search probes each count once, on the classic modes (a Connect client's driver memory is
/// the server's), with the driver memory the table owns.
fn check_rest(doc: &Document, explicit_configs: bool, s: &Scenario) -> Result<()> {
    let refuse = |key: &str, why: &str| Err(doc.error(key, why.to_string()));
    if explicit_configs {
        return refuse("configs", "a [frontier] scenario makes one config per driver_memory value: remove [[configs]] (put conf for every run in [spark_conf])");
    }
    if s.repetitions != 1 || s.warmup != 0 {
        return refuse(
            "repetitions",
            "a frontier probes each element count once: set repetitions = 1 and no warmup",
        );
    }
    if s.fault.is_some() {
        return refuse(
            "fault",
            "a frontier measures where runs stop completing; a fault would move it: remove [fault]",
        );
    }
    if s.spark_conf.contains_key(DRIVER_MEMORY) {
        let key = format!("spark_conf.{}", key_segment(DRIVER_MEMORY));
        return refuse(&key, "a frontier sets spark.driver.memory per config from [frontier].driver_memory: remove it here");
    }
    match s.modes.iter().position(|m| !m.computes() || m.uses_connect()) {
        Some(i) => refuse(
            &format!("modes[{i}]"),
            "a frontier searches the classic modes that compute (direct, containerized, submit): a negative cell has no frontier and a Connect client's driver memory is the server's",
        ),
        None => Ok(()),
    }
}

fn range(doc: &Document, elements: &[u64]) -> Result<(u64, u64)> {
    match elements {
        [low, high] if low < high => Ok((*low, *high)),
        _ => Err(doc.error(
            "elements",
            format!("a [frontier] scenario's elements is the range searched, [low, high] with low < high; got {elements:?}"),
        )),
    }
}

fn step(doc: &Document, raw: Number, width: u64) -> Result<u64> {
    let step = match raw {
        Number::Int(v) => u64::try_from(v).ok().filter(|s| (1..=width).contains(s)),
        Number::Float(_) => None,
    };
    step.ok_or_else(|| {
        doc.error(
            "frontier.step",
            format!("must be an integer between 1 and high - low ({width}), got {raw}"),
        )
    })
}

fn memories(doc: &Document, values: Vec<String>) -> Result<Vec<String>> {
    let values = check_list(doc, "frontier.driver_memory", values)?;
    for (i, v) in values.iter().enumerate() {
        let key = format!("frontier.driver_memory[{i}]");
        check_memory(doc, &key, v)?;
        if memory_mib(v).is_some_and(|mib| mib < MIN_DRIVER_MIB) {
            return Err(doc.error(&key, too_small(v)));
        }
    }
    Ok(values)
}

/// Spark's driver refuses a heap under 1.5 × its 300 MiB of reserved memory
/// (`UnifiedMemoryManager`: "System memory … must be at least 471859200"); the JVM keeps a bit
/// of `-Xmx` for itself, so 512m is the smallest driver that starts.
pub const MIN_DRIVER_MIB: u64 = 512;

fn too_small(v: &str) -> String {
    format!("{v:?} is below {MIN_DRIVER_MIB}m: Spark's driver refuses a heap under 1.5 × its 300 MiB of reserved memory (\"System memory … must be at least 471859200\"), so every probe would fail at start-up")
}

/// The config a driver memory becomes: `driver-512m`.
pub fn config_name(memory: &str) -> String {
    format!("{CONFIG_PREFIX}{memory}")
}

/// The driver memory of a frontier config (`driver-512m` → `512m`); another name as it is.
pub fn memory_of_config(name: &str) -> &str {
    name.strip_prefix(CONFIG_PREFIX).unwrap_or(name)
}

const CONFIG_PREFIX: &str = "driver-";

/// `driver-512m`: the `[cluster]` shape with the driver memory as its one conf.
fn config(s: &Scenario, memory: &str) -> ConfigSpec {
    ConfigSpec {
        name: config_name(memory),
        shape: s.cluster.clone(),
        conf: BTreeMap::from([(DRIVER_MEMORY.to_string(), memory.to_string())]),
    }
}
