//! What a run directory's numbers were measured on, saved as `environment.json`: timings are
//! only comparable between runs whose environment matches, and this is how a reader checks.
//!
//! Every probe is tolerant: a missing tool, an unreachable Docker daemon or an unreadable
//! `/proc` file gives `None`, never an error, because the environment record must not be the
//! reason a benchmark cannot run.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::infra::stack::{self, SparkStack, StackSource};
use crate::Result;

pub use crate::infra::probe::{
    parse_java_version, parse_python_version, Probe, ProbeOutput, SystemProbe,
};

pub const ENVIRONMENT_JSON: &str = "environment.json";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Environment {
    pub captured_at: DateTime<Utc>,
    pub sparkmodes_version: String,
    #[serde(rename = "command")]
    pub command_line: Vec<String>,
    pub hostname: Option<String>,
    /// `PRETTY_NAME` from `/etc/os-release`, e.g. `Debian GNU/Linux 12 (bookworm)`.
    pub os: Option<String>,
    pub kernel: Option<String>,
    pub arch: String,
    pub cpus: usize,
    pub memory_bytes: Option<u64>,
    pub docker_server: Option<String>,
    pub java: Option<String>,
    pub python: Option<String>,
    /// The drivers' PySpark: the host venvs' (direct and submit modes use them; each must
    /// match its cluster's Spark), or `python3`'s when no venv answered.
    pub pyspark: Option<String>,
    pub spark_versions: Vec<String>,
    /// Per Spark version: the drivers' and executors' Python, the image's Java.
    #[serde(default)]
    pub stacks: Vec<SparkStack>,
    /// Image reference → image id, filled in by the caller once images are pulled or built.
    pub images: BTreeMap<String, String>,
    pub git_commit: Option<String>,
    /// Whether the work tree had uncommitted changes to tracked files.
    pub git_dirty: Option<bool>,
    /// Spark Connect server start-up (`docker run` → "Spark Connect server started at"), in
    /// seconds, per server started, by group `<spark>/<config>`. Paid once per Connect group,
    /// not per run: a Connect run's `wall_s` starts with the server already warm.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub connect_server_ready_s: BTreeMap<String, Vec<f64>>,
}

impl Environment {
    /// Captures this machine. `images` may be empty and filled in later.
    pub fn capture(spark_versions: &[String], images: BTreeMap<String, String>) -> Environment {
        Environment::capture_with(&SystemProbe, spark_versions, images)
    }

    pub fn capture_with(
        probe: &dyn Probe,
        spark_versions: &[String],
        images: BTreeMap<String, String>,
    ) -> Environment {
        let trimmed = |path: &str| non_empty(&probe.read_file(path)?);
        let stdout_of = |program: &str, args: &[&str]| {
            let out = probe.command(program, args)?;
            if out.success {
                non_empty(&out.stdout)
            } else {
                None
            }
        };
        Environment {
            captured_at: Utc::now(),
            sparkmodes_version: env!("CARGO_PKG_VERSION").to_string(),
            command_line: std::env::args().collect(),
            hostname: trimmed("/proc/sys/kernel/hostname").or_else(|| stdout_of("hostname", &[])),
            os: probe
                .read_file("/etc/os-release")
                .and_then(|t| parse_os_release(&t)),
            kernel: trimmed("/proc/sys/kernel/osrelease"),
            arch: std::env::consts::ARCH.to_string(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: probe
                .read_file("/proc/meminfo")
                .and_then(|t| parse_meminfo(&t)),
            docker_server: stdout_of("docker", &["version", "--format", "{{.Server.Version}}"]),
            java: probe
                .command("java", &["-version"])
                .and_then(|o| parse_java_version(&o.stderr)),
            python: probe
                .command("python3", &["--version"])
                .and_then(|o| parse_python_version(&format!("{}{}", o.stdout, o.stderr))),
            pyspark: stdout_of(
                "python3",
                &["-c", "import pyspark; print(pyspark.__version__)"],
            ),
            spark_versions: spark_versions.to_vec(),
            stacks: Vec::new(),
            images,
            git_commit: stdout_of("git", &["rev-parse", "HEAD"]),
            git_dirty: probe
                .command("git", &["status", "--porcelain", "--untracked-files=no"])
                .filter(|o| o.success)
                .map(|o| !o.stdout.trim().is_empty()),
            connect_server_ready_s: BTreeMap::new(),
        }
    }

    /// Records each version's stack; `pyspark` becomes the drivers' PySpark (the host venvs',
    /// which the host modes run), when the venvs answered.
    pub fn add_stacks(&mut self, probe: &dyn Probe, sources: &[StackSource]) {
        self.stacks = sources
            .iter()
            .map(|s| stack::probe_stack(probe, s))
            .collect();
        let drivers: Vec<&str> = self
            .stacks
            .iter()
            .filter_map(|s| s.driver_pyspark.as_deref())
            .collect();
        if !drivers.is_empty() {
            self.pyspark = Some(drivers.join(", "));
        }
    }

    pub fn write(&self, run_dir: &Path) -> Result<()> {
        let path = run_dir.join(ENVIRONMENT_JSON);
        let json = serde_json::to_string_pretty(self).context("cannot format the environment")?;
        std::fs::write(&path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    pub fn load(run_dir: &Path) -> Result<Environment> {
        let path = run_dir.join(ENVIRONMENT_JSON);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let env = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an environment record", path.display()))?;
        Ok(env)
    }
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `MemTotal:  16318004 kB` → bytes.
pub fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    let unit = match words.next() {
        Some("kB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(unit)
}

/// `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"` → the quoted text.
pub fn parse_os_release(text: &str) -> Option<String> {
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))?
        .trim();
    non_empty(value.trim_matches(|c| c == '"' || c == '\''))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_meminfo() {
        let text = "MemTotal:       16318004 kB\nMemFree:         1021344 kB\n";
        assert_eq!(parse_meminfo(text), Some(16_318_004 * 1024));
        assert_eq!(parse_meminfo("MemFree: 1 kB\n"), None);
        assert_eq!(parse_meminfo("MemTotal: 12 MB\n"), None);
    }

    #[test]
    fn parses_java_version_lines() {
        let openjdk = "openjdk version \"17.0.9\" 2023-10-17\n\
                       OpenJDK Runtime Environment (build 17.0.9+9-Debian-1deb12u1)\n";
        assert_eq!(parse_java_version(openjdk).as_deref(), Some("17.0.9"));
        let picked_up = "Picked up JAVA_TOOL_OPTIONS: -Xmx1g\njava version \"1.8.0_392\"\n";
        assert_eq!(parse_java_version(picked_up).as_deref(), Some("1.8.0_392"));
        assert_eq!(parse_java_version("bash: java: command not found"), None);
    }

    #[test]
    fn parses_python_and_os_release() {
        assert_eq!(
            parse_python_version("Python 3.11.2\n").as_deref(),
            Some("3.11.2")
        );
        assert_eq!(parse_python_version("no python"), None);
        let os = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            parse_os_release(os).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    /// Answers only the commands and files it was given, like a machine missing the rest.
    struct Canned {
        commands: BTreeMap<String, ProbeOutput>,
        files: BTreeMap<&'static str, &'static str>,
    }

    impl Probe for Canned {
        fn command(&self, program: &str, args: &[&str]) -> Option<ProbeOutput> {
            let key = std::iter::once(program)
                .chain(args.iter().copied())
                .collect::<Vec<_>>();
            self.commands.get(&key.join(" ")).cloned()
        }

        fn read_file(&self, path: &str) -> Option<String> {
            self.files.get(path).map(|s| s.to_string())
        }
    }

    fn ok(stdout: &str, stderr: &str) -> ProbeOutput {
        ProbeOutput {
            success: true,
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn capture_reads_what_exists_and_tolerates_the_rest() {
        let commands = BTreeMap::from([
            (
                "docker version --format {{.Server.Version}}".to_string(),
                ProbeOutput {
                    success: false,
                    stdout: String::new(),
                    stderr: "Cannot connect to the Docker daemon".into(),
                },
            ),
            (
                "java -version".to_string(),
                ok("", "openjdk version \"17.0.9\" 2023-10-17\n"),
            ),
            ("git rev-parse HEAD".to_string(), ok("abc123\n", "")),
            (
                "git status --porcelain --untracked-files=no".to_string(),
                ok(" M x.rs\n", ""),
            ),
        ]);
        let files = BTreeMap::from([
            ("/proc/sys/kernel/hostname", "bench-01\n"),
            ("/proc/meminfo", "MemTotal: 2048 kB\n"),
        ]);
        let probe = Canned { commands, files };
        let images = BTreeMap::from([("spark:3.5.9".to_string(), "sha256:1".to_string())]);
        let env = Environment::capture_with(&probe, &["3.5.9".to_string()], images.clone());
        assert_eq!(env.hostname.as_deref(), Some("bench-01"));
        assert_eq!(env.memory_bytes, Some(2048 * 1024));
        assert_eq!(env.docker_server, None);
        assert_eq!(env.java.as_deref(), Some("17.0.9"));
        assert_eq!((env.python, env.pyspark, env.os), (None, None, None));
        assert_eq!(env.git_commit.as_deref(), Some("abc123"));
        assert_eq!(env.git_dirty, Some(true));
        assert_eq!(
            (env.spark_versions, env.images),
            (vec!["3.5.9".to_string()], images)
        );
    }

    #[test]
    fn write_and_load_round_trip() {
        let probe = Canned {
            commands: BTreeMap::new(),
            files: BTreeMap::new(),
        };
        let env = Environment::capture_with(&probe, &[], BTreeMap::new());
        let dir = tempfile::tempdir().unwrap();
        env.write(dir.path()).unwrap();
        assert_eq!(Environment::load(dir.path()).unwrap(), env);
        assert!(Environment::load(&dir.path().join("nope")).is_err());
    }
}
