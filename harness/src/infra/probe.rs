//! Reading the machine without being held up by it: a command that cannot start or does not
//! finish within its time gives `None`, never an error, and tests substitute canned answers
//! through [`Probe`]. The environment record and the per-version stacks read through it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A probe may not hold up a run: `docker version` against a hung daemon would wait forever.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Output of a probe command that ran to completion.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Where the environment is read from; tests substitute canned answers.
pub trait Probe {
    /// Runs a command; `None` if it could not be started or did not finish in time.
    fn command(&self, program: &str, args: &[&str]) -> Option<ProbeOutput>;
    fn read_file(&self, path: &str) -> Option<String>;
}

/// The real machine.
pub struct SystemProbe;

impl Probe for SystemProbe {
    fn command(&self, program: &str, args: &[&str]) -> Option<ProbeOutput> {
        run_with_timeout(program, args, PROBE_TIMEOUT)
    }

    fn read_file(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

fn run_with_timeout(program: &str, args: &[&str], timeout: Duration) -> Option<ProbeOutput> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + timeout;
    // Probe outputs are a few lines, far below a pipe's buffer, so polling cannot deadlock.
    while child.try_wait().ok()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().ok()?;
    Some(ProbeOutput {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The version in `java -version`'s stderr: `openjdk version "17.0.9" 2023-10-17` → `17.0.9`.
pub fn parse_java_version(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|l| l.contains(" version \""))?;
    let quoted = line.split('"').nth(1)?;
    non_empty(quoted)
}

/// `Python 3.11.2` → `3.11.2`.
pub fn parse_python_version(output: &str) -> Option<String> {
    let version = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Python "))?;
    non_empty(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_of_a_missing_tool_is_none() {
        let missing = run_with_timeout("sparkmodes-no-such-tool", &[], PROBE_TIMEOUT);
        assert_eq!(missing, None);
    }

    #[test]
    fn probe_that_hangs_is_abandoned() {
        let started = Instant::now();
        assert_eq!(
            run_with_timeout("sleep", &["5"], Duration::from_millis(100)),
            None
        );
        assert!(started.elapsed() < Duration::from_secs(4));
        let done = run_with_timeout("sh", &["-c", "echo hi; exit 3"], PROBE_TIMEOUT).unwrap();
        assert_eq!((done.success, done.stdout.as_str()), (false, "hi\n"));
    }
}
