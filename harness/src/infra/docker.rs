//! Small Docker CLI helpers and the labels that tie every container and network to the
//! process that made it, so nothing is left behind.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::infra::tools;

/// Label key on every container and network; its value is this process's session id, so
/// `docker ps -a --filter label=sparkmodes` finds everything sparkmodes started.
pub const LABEL: &str = "sparkmodes";
/// The pid that owns a resource, so a later run can tell leftovers of dead runs from live ones.
pub const PID_LABEL: &str = "sparkmodes.pid";
/// The PID namespace that pid lives in: a pid means nothing outside it (CI jobs in separate
/// containers can share one daemon), so only leftovers from our namespace are judged.
pub const PIDNS_LABEL: &str = "sparkmodes.pidns";

/// This process's PID namespace id, e.g. `4026531836`.
pub fn pid_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|l| {
            l.to_string_lossy()
                .chars()
                .filter(char::is_ascii_digit)
                .collect()
        })
        .unwrap_or_default()
}

/// This process's session id, the value of the `sparkmodes` label.
pub fn session() -> &'static str {
    static SESSION: OnceLock<String> = OnceLock::new();
    SESSION.get_or_init(|| {
        format!(
            "sm-{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S"),
            std::process::id()
        )
    })
}

pub fn labels() -> Vec<(String, String)> {
    vec![
        (LABEL.to_string(), session().to_string()),
        (PID_LABEL.to_string(), std::process::id().to_string()),
        (PIDNS_LABEL.to_string(), pid_namespace()),
    ]
}

fn docker() -> PathBuf {
    tools::docker().unwrap_or_else(|_| PathBuf::from("docker"))
}

/// Runs `docker args…` and returns trimmed stdout, or an error carrying its stderr.
pub fn cli(args: &[&str]) -> Result<String> {
    let out = Command::new(docker())
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(Error::setup(format!(
            "docker {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Creates a labelled bridge network and returns its gateway address.
pub fn create_network(name: &str) -> Result<String> {
    let mut args = vec!["network", "create", "--driver", "bridge"];
    let labels: Vec<String> = labels().iter().map(|(k, v)| format!("{k}={v}")).collect();
    for l in &labels {
        args.extend(["--label", l.as_str()]);
    }
    args.push(name);
    cli(&args)?;
    network_gateway(name)
}

pub fn network_gateway(name: &str) -> Result<String> {
    cli(&[
        "network",
        "inspect",
        name,
        "--format",
        "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
    ])
}

/// Names of containers and networks carrying `label` (a `key` or `key=value` filter).
pub fn labelled(label: &str) -> (Vec<String>, Vec<String>) {
    let filter = format!("label={label}");
    let containers = cli(&["ps", "-aq", "--filter", &filter]).unwrap_or_default();
    let networks = cli(&["network", "ls", "-q", "--filter", &filter]).unwrap_or_default();
    let split = |s: String| s.lines().map(str::to_string).collect::<Vec<_>>();
    (split(containers), split(networks))
}

/// Force-removes every container, then every network, carrying `label`. Best effort: it runs
/// from Drop, signal handlers and exit hooks, where an error has nowhere to go.
pub fn remove_labelled(label: &str) {
    let (containers, networks) = labelled(label);
    if !containers.is_empty() {
        let mut args = vec!["rm", "-f", "-v"];
        args.extend(containers.iter().map(String::as_str));
        let _ = cli(&args);
    }
    for n in networks {
        let _ = cli(&["network", "rm", &n]);
    }
}

/// Whether `SPARKMODES_KEEP` asks to keep containers for debugging.
pub fn keep() -> bool {
    std::env::var("SPARKMODES_KEEP").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Removes everything this process labelled, unless asked to keep it.
pub fn remove_session() {
    if keep() {
        eprintln!(
            "sparkmodes: SPARKMODES_KEEP set, leaving containers labelled {LABEL}={}",
            session()
        );
        return;
    }
    remove_labelled(&format!("{LABEL}={}", session()));
}

/// Removes labelled leftovers whose owning process is gone (a run killed with SIGKILL).
pub fn remove_stale() -> usize {
    let out = cli(&[
        "ps",
        "-a",
        "--filter",
        &format!("label={LABEL}"),
        "--format",
        &owner_format(),
    ])
    .unwrap_or_default();
    let nets = cli(&[
        "network",
        "ls",
        "--filter",
        &format!("label={LABEL}"),
        "--format",
        &owner_format(),
    ])
    .unwrap_or_default();
    let ours = pid_namespace();
    let mut sessions: Vec<String> = Vec::new();
    for line in out.lines().chain(nets.lines()) {
        let mut f = line.split_whitespace();
        let (Some(s), Some(pid)) = (f.next(), f.next()) else {
            continue;
        };
        let same_ns = f.next() == Some(ours.as_str());
        if same_ns && s != session() && !pid_alive(pid) && !sessions.iter().any(|x| x == s) {
            sessions.push(s.to_string());
        }
    }
    for s in &sessions {
        remove_labelled(&format!("{LABEL}={s}"));
    }
    sessions.len()
}

/// `<session> <pid> <pid namespace>` of a labelled container or network.
fn owner_format() -> String {
    format!("{{{{.Label \"{LABEL}\"}}}} {{{{.Label \"{PID_LABEL}\"}}}} {{{{.Label \"{PIDNS_LABEL}\"}}}}")
}

fn pid_alive(pid: &str) -> bool {
    pid.parse::<i32>()
        .is_ok_and(|p| unsafe { libc::kill(p, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

/// The last `tail` lines a container wrote to stdout and stderr.
pub fn logs(id: &str, tail: u32) -> String {
    Command::new(docker())
        .args(["logs", "--tail", &tail.to_string(), id])
        .output()
        .map(|o| {
            let mut s = String::from_utf8_lossy(&o.stdout).into_owned();
            s.push_str(&String::from_utf8_lossy(&o.stderr));
            s
        })
        .unwrap_or_default()
}
