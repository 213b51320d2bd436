//! The negative cells that provoke a failure on purpose: each runs the sample
//! app in a way Spark must refuse, so the harness can assert the failure Spark really gives and
//! explain it. What each cell changes — elements, Spark settings, which pyspark drives — is
//! here, in one place; what it must fail with is `Mode::expected_failure`.

use std::collections::BTreeMap;

use crate::config::versions;
use crate::config::Mode;

/// Elements a negative cell's app is given when it only has to reach its first task.
pub const FIRST_TASK_ELEMENTS: u64 = 1000;

/// Far more than `DRIVER_OOM_MEMORY` holds: a 1 GiB driver already dies at this count
/// (fixtures/logs/driver-oom.log), while serialising the data it parallelizes.
pub const DRIVER_OOM_ELEMENTS: u64 = 10_000_000;
pub const DRIVER_OOM_MEMORY: &str = "512m";

/// The sample app's result at `MAX_RESULT_ELEMENTS` is about 1 MiB of pickled strings per task:
/// far above `MAX_RESULT_SIZE` (fixtures/logs/max-result-size.log).
pub const MAX_RESULT_ELEMENTS: u64 = 100_000;
pub const MAX_RESULT_SIZE: &str = "100k";

/// The element count the app gets in `mode`'s cell (`planned` for cells that compute).
pub fn elements(mode: Mode, planned: u64) -> u64 {
    match mode {
        Mode::DriverOom => DRIVER_OOM_ELEMENTS,
        Mode::MaxResultSize => MAX_RESULT_ELEMENTS,
        m if m.computes() => planned,
        _ => FIRST_TASK_ELEMENTS,
    }
}

/// Spark settings the cell owns: applied after the scenario's, so they always hold.
pub fn conf(mode: Mode) -> BTreeMap<String, String> {
    let setting = match mode {
        Mode::DriverOom => Some(("spark.driver.memory", DRIVER_OOM_MEMORY)),
        Mode::MaxResultSize => Some(("spark.driver.maxResultSize", MAX_RESULT_SIZE)),
        _ => None,
    };
    setting
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into_iter()
        .collect()
}

/// The pyspark that drives a version-skew cell against a cluster of `cluster_spark`: the
/// newest 3.5 against any 4.x cluster, the newest 4.1 against a 3.5 one (both seen for real:
/// fixtures/logs/version-skew-*.log).
pub fn skew_driver(cluster_spark: &str) -> &'static str {
    let is_3_5 = versions::line_of(cluster_spark).is_ok_and(|l| l.line == "3.5");
    match is_3_5 {
        true => "4.1.4",
        false => versions::DEFAULT_SPARK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_compute_keep_their_planned_elements() {
        assert_eq!(elements(Mode::Direct, 123), 123);
        assert_eq!(elements(Mode::PythonMismatch, 123), FIRST_TASK_ELEMENTS);
        assert_eq!(elements(Mode::DriverOom, 123), DRIVER_OOM_ELEMENTS);
        assert!(conf(Mode::Direct).is_empty());
        assert_eq!(conf(Mode::DriverOom)["spark.driver.memory"], "512m");
        assert_eq!(
            conf(Mode::MaxResultSize)["spark.driver.maxResultSize"],
            "100k"
        );
    }

    #[test]
    fn the_skewed_driver_is_always_of_another_line() {
        for cluster in ["3.5.9", "4.0.5", "4.1.4", "4.3.0"] {
            let driver = skew_driver(cluster);
            let line = |v: &str| versions::line_of(v).unwrap().line;
            assert_ne!(line(driver), line(cluster), "{cluster}");
        }
    }
}
