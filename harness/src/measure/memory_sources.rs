//! Where a run's memory is read from, and how: the kernel's own numbers, so a peak costs a
//! file read, not a tool. A container's memory is its cgroup's (cgroup v1 keeps the peak in
//! `memory.max_usage_in_bytes` and lets root reset it by writing 0; cgroup v2 keeps it in
//! `memory.peak`, which older kernels cannot reset, so there the usage `memory.current` is
//! sampled instead). A host driver's memory is the summed RSS of its process group (the
//! Python and the JVM it starts) from `/proc/<pid>/stat`.

use std::path::{Path, PathBuf};

pub const MIB: f64 = 1024.0 * 1024.0;

/// The two cgroup layouts, told apart by the files the memory controller writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CgroupVersion {
    V1,
    V2,
}

/// One container's memory cgroup directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cgroup {
    pub dir: PathBuf,
    pub version: CgroupVersion,
}

impl Cgroup {
    /// The memory cgroup of container `id` under the cgroup mount `root` (`/sys/fs/cgroup`):
    /// Docker's cgroupfs and systemd layouts, v1 and v2.
    pub fn of_container(root: &Path, id: &str) -> Option<Cgroup> {
        let scope = format!("docker-{id}.scope");
        let v1 = [
            root.join("memory/docker").join(id),
            root.join("memory/system.slice").join(&scope),
        ];
        let v2 = [
            root.join("docker").join(id),
            root.join("system.slice").join(&scope),
        ];
        let found = |dirs: [PathBuf; 2], file: &str, version| {
            dirs.into_iter()
                .find(|d| d.join(file).is_file())
                .map(|dir| Cgroup { dir, version })
        };
        found(v1, "memory.max_usage_in_bytes", CgroupVersion::V1)
            .or_else(|| found(v2, "memory.current", CgroupVersion::V2))
    }

    /// The highest usage the kernel saw (since the last reset, on v1).
    pub fn peak_bytes(&self) -> Option<u64> {
        self.read(match self.version {
            CgroupVersion::V1 => "memory.max_usage_in_bytes",
            CgroupVersion::V2 => "memory.peak",
        })
    }

    pub fn current_bytes(&self) -> Option<u64> {
        self.read(match self.version {
            CgroupVersion::V1 => "memory.usage_in_bytes",
            CgroupVersion::V2 => "memory.current",
        })
    }

    /// Restarts the kernel's peak at the current usage; only v1 allows it (false on v2, or
    /// when the file is not writable, e.g. without root).
    pub fn reset_peak(&self) -> bool {
        self.version == CgroupVersion::V1
            && std::fs::write(self.dir.join("memory.max_usage_in_bytes"), "0").is_ok()
    }

    fn read(&self, file: &str) -> Option<u64> {
        parse_bytes(&std::fs::read_to_string(self.dir.join(file)).ok()?)
    }
}

/// A cgroup counter file: one decimal number of bytes (`max`, for an unlimited limit, is none).
pub fn parse_bytes(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// The process group and resident pages of one `/proc/<pid>/stat` line; a zombie holds none.
pub fn group_and_rss_pages(stat: &str) -> Option<(i32, u64)> {
    // Fields after the `(comm)`, which may hold spaces: state, ppid, pgrp, ... rss is the 24th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let pgrp = fields.get(2)?.parse().ok()?;
    let rss = fields.get(21)?.parse().ok()?;
    Some((pgrp, if fields[0] == "Z" { 0 } else { rss }))
}

/// Summed RSS in bytes of every process in group `pgid`, from the `/proc` at `proc_root`.
/// Shared pages (libraries) count once per process, as RSS does.
pub fn group_rss_bytes(proc_root: &Path, pgid: i32, page_size: u64) -> u64 {
    let Ok(dir) = std::fs::read_dir(proc_root) else {
        return 0;
    };
    let pages: u64 = dir
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|stat| group_and_rss_pages(&stat))
        .filter(|(group, _)| *group == pgid)
        .map(|(_, rss)| rss)
        .sum();
    pages * page_size
}

/// This machine's page size, the unit of RSS in `/proc/<pid>/stat`.
pub fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096)
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_v1_cgroup_gives_its_peak_and_resets_it() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("memory/docker/abc");
        write(&dir.join("memory.max_usage_in_bytes"), "349601792\n");
        write(&dir.join("memory.usage_in_bytes"), "1048576\n");
        let cg = Cgroup::of_container(root.path(), "abc").unwrap();
        assert_eq!(cg.version, CgroupVersion::V1);
        assert_eq!(cg.peak_bytes(), Some(349_601_792));
        assert_eq!(cg.current_bytes(), Some(1_048_576));
        assert!(cg.reset_peak());
        assert_eq!(
            cg.peak_bytes(),
            Some(0),
            "the fake file holds what was written"
        );
    }

    #[test]
    fn a_v2_cgroup_gives_its_peak_and_cannot_reset() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("system.slice/docker-abc.scope");
        write(&dir.join("memory.current"), "2097152\n");
        write(&dir.join("memory.peak"), "734003200\n");
        let cg = Cgroup::of_container(root.path(), "abc").unwrap();
        assert_eq!(cg.version, CgroupVersion::V2);
        assert_eq!(cg.peak_bytes(), Some(734_003_200));
        assert_eq!(cg.current_bytes(), Some(2_097_152));
        assert!(!cg.reset_peak());
        assert!(Cgroup::of_container(root.path(), "other").is_none());
    }

    #[test]
    fn counter_files_parse_and_max_is_none() {
        assert_eq!(parse_bytes("42\n"), Some(42));
        assert_eq!(parse_bytes("max\n"), None);
        assert_eq!(parse_bytes(""), None);
    }

    fn stat(pid: u32, comm: &str, state: &str, pgrp: i32, rss: u64) -> String {
        format!(
            "{pid} ({comm}) {state} 1 {pgrp} {pgrp} 0 -1 4194304 10 0 0 0 5 3 0 0 20 0 12 0 \
             100 2000000000 {rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
        )
    }

    #[test]
    fn a_stat_line_gives_group_and_rss_even_with_spaces_in_its_name() {
        let line = stat(7, "java (main) x", "S", 7, 2560);
        assert_eq!(group_and_rss_pages(&line), Some((7, 2560)));
        assert_eq!(
            group_and_rss_pages(&stat(8, "gone", "Z", 7, 99)),
            Some((7, 0))
        );
        assert_eq!(group_and_rss_pages("garbage"), None);
    }

    #[test]
    fn the_group_sum_counts_its_members_only() {
        let proc = tempfile::tempdir().unwrap();
        let p = proc.path();
        write(&p.join("100/stat"), &stat(100, "python", "S", 100, 10_000));
        write(&p.join("101/stat"), &stat(101, "java", "R", 100, 50_000));
        write(
            &p.join("102/stat"),
            &stat(102, "python3 worker", "S", 100, 1_000),
        );
        write(&p.join("200/stat"), &stat(200, "bash", "S", 200, 7_777));
        write(&p.join("self/stat"), &stat(1, "self", "S", 100, 123_456));
        std::fs::create_dir_all(p.join("103")).unwrap(); // exited between listing and reading
        assert_eq!(group_rss_bytes(p, 100, 4096), 61_000 * 4096);
        assert_eq!(group_rss_bytes(p, 300, 4096), 0);
        assert_eq!(group_rss_bytes(&p.join("none"), 100, 4096), 0);
    }
}
