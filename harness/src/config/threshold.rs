//! The regression threshold, one type for every command that takes one (`run`, `compare`,
//! `history`, and the gate's noise bound): a finite fraction in (0, 1], so `nan`, `inf`, `-1` or
//! `5` (which would wave a 2× slowdown through) cannot reach a comparison.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A relative change, above 0 and at most 1 (1 = a 2× change).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Threshold(f64);

impl Threshold {
    /// 10 %: below it, two runs of the same thing on a shared machine often differ.
    pub const DEFAULT: Threshold = Threshold(0.10);

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold::DEFAULT
    }
}

impl TryFrom<f64> for Threshold {
    type Error = String;

    fn try_from(v: f64) -> Result<Threshold, String> {
        if v > 0.0 && v <= 1.0 {
            Ok(Threshold(v))
        } else {
            Err(format!(
                "must be a fraction above 0 and at most 1 (e.g. 0.1 for 10 %), got {v}"
            ))
        }
    }
}

impl FromStr for Threshold {
    type Err = String;

    fn from_str(s: &str) -> Result<Threshold, String> {
        let v: f64 = s.trim().parse().map_err(|_| {
            format!("must be a fraction above 0 and at most 1 (e.g. 0.1 for 10 %), got {s:?}")
        })?;
        Threshold::try_from(v)
    }
}

impl From<Threshold> for f64 {
    fn from(t: Threshold) -> f64 {
        t.0
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fractions_in_zero_to_one_pass() {
        for ok in ["0.1", "1", "0.0001", " 0.25 "] {
            assert!(ok.parse::<Threshold>().is_ok(), "{ok}");
        }
        for bad in [
            "0", "-1", "5", "1.0001", "nan", "NaN", "inf", "-inf", "", "ten", "0x1",
        ] {
            let e = bad.parse::<Threshold>().unwrap_err();
            assert!(e.contains("above 0 and at most 1"), "{bad}: {e}");
        }
        assert!(serde_json::from_str::<Threshold>("2.0").is_err());
        assert_eq!(serde_json::to_string(&Threshold::DEFAULT).unwrap(), "0.1");
    }
}
