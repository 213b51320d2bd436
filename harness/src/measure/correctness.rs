//! Whether a run's result was right: yes, no, or unknown (the app declares no check, so the
//! harness cannot say; never reported as yes).
//!
//! Records written before apps could go unchecked hold a plain boolean; they still read. The
//! field is written as `true` / `false` / `"unknown"` in JSON lines and `true` / `false` /
//! `unknown` in CSV, so existing readers of `true`/`false` keep working on checked runs.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Correctness {
    /// Judged right (or a negative cell that kept its promise).
    Yes,
    /// Judged wrong, or never judged because the run failed first.
    #[default]
    No,
    /// The run finished, but nothing was declared to judge its result by.
    Unknown,
}

impl Correctness {
    pub fn as_str(self) -> &'static str {
        match self {
            Correctness::Yes => "true",
            Correctness::No => "false",
            Correctness::Unknown => "unknown",
        }
    }

    /// Not known to be wrong: right, or unknown.
    pub fn not_wrong(self) -> bool {
        self != Correctness::No
    }
}

impl From<bool> for Correctness {
    fn from(b: bool) -> Self {
        if b {
            Correctness::Yes
        } else {
            Correctness::No
        }
    }
}

impl fmt::Display for Correctness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Correctness {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Correctness::Yes => s.serialize_bool(true),
            Correctness::No => s.serialize_bool(false),
            Correctness::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Correctness {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Correctness;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or \"unknown\"")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Correctness, E> {
                Ok(v.into())
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Correctness, E> {
                match v {
                    "true" => Ok(Correctness::Yes),
                    "false" => Ok(Correctness::No),
                    "unknown" => Ok(Correctness::Unknown),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_booleans_and_reads_old_records() {
        let all = [Correctness::Yes, Correctness::No, Correctness::Unknown];
        let json: Vec<String> = all
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(json, ["true", "false", "\"unknown\""]);
        for (c, j) in all.iter().zip(&json) {
            assert_eq!(serde_json::from_str::<Correctness>(j).unwrap(), *c);
        }
        assert!(serde_json::from_str::<Correctness>("\"maybe\"").is_err());
    }

    #[test]
    fn csv_cells_round_trip() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Row {
            correct: Correctness,
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        for c in [Correctness::Yes, Correctness::Unknown] {
            w.serialize(Row { correct: c }).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "correct\ntrue\nunknown\n");
        let rows: Vec<Row> = csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows[1].correct, Correctness::Unknown);
    }
}
