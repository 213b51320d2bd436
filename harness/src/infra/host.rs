//! What this machine can hold: its CPUs and memory, read once where a shape or a driver must
//! be checked against them (`ClusterShape::check_fits`, preflight).

/// This machine's CPUs and memory (MiB, from /proc/meminfo), for [`crate::config::ClusterShape::check_fits`].
pub fn host_capacity() -> (usize, Option<u64>) {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        let line = t.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024)
    });
    (cpus, mib)
}
