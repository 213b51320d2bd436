//! The shape of a standalone cluster: how many workers, with how many cores and how much
//! memory each. A plain value of stage 1: scenarios name it, `cluster up` parses it from its
//! flags, and infra starts clusters from it.

use serde::{Deserialize, Serialize};

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

/// A Spark memory string (`512m`, `1g`, as the standalone worker and `spark.*.memory` accept
/// them) in MiB; `None` when it is not one, or absurdly large.
pub fn memory_mib(s: &str) -> Option<u64> {
    let unit = s.chars().last()?;
    let digits = &s[..s.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok().filter(|n| *n > 0)?;
    let mib = match unit.to_ascii_lowercase() {
        'k' => Some(n.div_ceil(1024)),
        'm' => Some(n),
        'g' => n.checked_mul(1024),
        't' => n.checked_mul(1024 * 1024),
        _ => None,
    }?;
    (mib <= MAX_MEMORY_MIB).then_some(mib)
}

/// 1 PiB: past this a memory string is a typo, and the arithmetic stays far from overflow.
const MAX_MEMORY_MIB: u64 = 1 << 30;

/// Most workers one shape may ask for: each is a container with a JVM.
pub const MAX_WORKERS: u32 = 64;

impl ClusterShape {
    /// The checks a scenario's `[cluster]` and `cluster up`'s flags share; the message names
    /// the key as the scenario spells it (`workers`, `worker_cores`, `worker_memory`).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(1..=MAX_WORKERS).contains(&self.workers) {
            let msg = format!("must be between 1 and {MAX_WORKERS}, got {}", self.workers);
            return Err(("workers", msg));
        }
        if !(1..=1024).contains(&self.worker_cores) {
            let msg = format!("must be between 1 and 1024, got {}", self.worker_cores);
            return Err(("worker_cores", msg));
        }
        if memory_mib(&self.worker_memory).is_none() {
            let msg = format!(
                "must be a size like \"512m\" or \"1g\", got {:?}",
                self.worker_memory
            );
            return Err(("worker_memory", msg));
        }
        Ok(())
    }

    /// Refuses a shape far beyond this machine (`infra::host_capacity` reads its numbers): more worker memory in total than it has, or
    /// more than 8 worker cores per CPU (the runs would measure swapping or starvation).
    pub fn check_fits(&self, host_cpus: usize, host_mib: Option<u64>) -> Result<(), String> {
        let cores = u64::from(self.workers) * u64::from(self.worker_cores);
        if cores > 8 * host_cpus as u64 {
            return Err(format!(
                "{} workers × {} cores = {cores} cores on a machine with {host_cpus} CPUs: \
                 lower workers or worker_cores",
                self.workers, self.worker_cores
            ));
        }
        let mem = u64::from(self.workers) * memory_mib(&self.worker_memory).unwrap_or(0);
        match host_mib {
            Some(host) if mem > host => Err(format!(
                "{} workers × {} = {mem} MiB of worker memory on a machine with {host} MiB: \
                 lower workers or worker_memory",
                self.workers, self.worker_memory
            )),
            _ => Ok(()),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(workers: u32, cores: u32, memory: &str) -> ClusterShape {
        ClusterShape {
            workers,
            worker_cores: cores,
            worker_memory: memory.into(),
        }
    }

    #[test]
    fn memory_strings() {
        assert_eq!(memory_mib("512m"), Some(512));
        assert_eq!(memory_mib("2g"), Some(2048));
        for bad in ["banana", "1", "0g", "g", "1.5g", "-1g", "99999999999999t"] {
            assert_eq!(memory_mib(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_shapes_name_their_key() {
        assert_eq!(shape(0, 1, "1g").check().unwrap_err().0, "workers");
        assert_eq!(shape(1, 0, "1g").check().unwrap_err().0, "worker_cores");
        assert_eq!(
            shape(1, 1, "banana").check().unwrap_err().0,
            "worker_memory"
        );
        shape(2, 1, "1g").check().unwrap();
    }

    #[test]
    fn shapes_beyond_the_host_are_refused() {
        assert!(shape(2, 1, "1g").check_fits(2, Some(24_000)).is_ok());
        assert!(shape(64, 1, "1g")
            .check_fits(2, Some(24_000))
            .unwrap_err()
            .contains("cores"));
        assert!(shape(2, 1, "64g")
            .check_fits(2, Some(24_000))
            .unwrap_err()
            .contains("MiB"));
    }
}
