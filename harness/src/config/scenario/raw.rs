//! Raw deserialization of a scenario file: types only; every value check happens in
//! `validate`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::FaultSpec;

fn default_timeout_s() -> f64 {
    600.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: String,
    pub(super) spark_versions: Vec<String>,
    pub(super) python: Option<Vec<String>>,
    pub(super) modes: Vec<String>,
    pub(super) apps: Option<Vec<String>>,
    pub(super) queries: Option<Vec<i64>>,
    pub(super) arrow: Vec<bool>,
    pub(super) elements: Vec<Number>,
    pub(super) repetitions: Repetitions,
    pub(super) max_repetitions: Option<i64>,
    #[serde(default)]
    pub(super) interleave: bool,
    #[serde(default)]
    pub(super) warmup: u32,
    #[serde(default = "default_timeout_s")]
    pub(super) timeout_s: f64,
    pub(super) seed: Option<Number>,
    #[serde(default)]
    pub(super) cluster: RawShape,
    #[serde(default)]
    pub(super) spark_conf: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) configs: Vec<RawConfig>,
    pub(super) fault: Option<FaultSpec>,
    pub(super) frontier: Option<RawFrontier>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShape {
    pub(super) workers: Option<u32>,
    pub(super) worker_cores: Option<u32>,
    pub(super) worker_memory: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) name: String,
    pub(super) workers: Option<u32>,
    pub(super) worker_cores: Option<u32>,
    pub(super) worker_memory: Option<String>,
    #[serde(default)]
    pub(super) conf: BTreeMap<String, String>,
}

/// `repetitions` as the file wrote it: a count, or a word (only `"auto"` is valid).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Repetitions {
    Count(i64),
    Word(String),
}

/// A number as the file wrote it. Integers and floats are both accepted here so that
/// `elements = [1e12]` is refused by validation with the bound, not by serde's "expected u64".
#[derive(Clone, Copy, Debug)]
pub(super) enum Number {
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

/// `[frontier]` as written (`frontier_table` checks it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrontier {
    pub(super) driver_memory: Vec<String>,
    pub(super) step: Number,
}
