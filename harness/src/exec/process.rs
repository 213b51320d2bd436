//! Running one app process with a deadline, its output to files, and an optional fault
//! injected part-way. The child gets its own process group so a timeout or an interrupt
//! kills the driver's JVM too, not just the Python on top of it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::exec::watch::{self, Watch};
use crate::infra::{docker, reaper};

/// A command to run, and the container it starts (if any), which killing the client would
/// not stop.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    pub container: Option<String>,
}

/// Something to do part-way through a run, e.g. kill a worker.
pub struct Fault {
    /// Polled until true (e.g. "the first Spark job has started"); `after` counts from then.
    pub armed: Box<dyn Fn() -> bool + Send>,
    pub after: Duration,
    pub action: Box<dyn FnOnce() -> Result<()> + Send>,
}

/// What may end a run besides its own exit: the deadline, a fault injected part-way, a watch
/// that finds the run can no longer succeed.
pub struct Supervision {
    pub timeout: Duration,
    pub fault: Option<Fault>,
    pub watch: Option<Watch>,
    /// A check sampling the run (e.g. its memory), made once its process group is known and
    /// run on the watch's thread.
    pub sample: Option<Sampler>,
}

/// Makes a sampling check for the run whose process group id it is given.
pub type Sampler = Box<dyn FnOnce(i32) -> Watch + Send>;

/// How often a fault's arming condition is re-read.
const ARM_POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub wall_s: f64,
    /// Seconds after start at which the fault fired, and what it reported if it failed.
    pub fault_at_s: Option<f64>,
    pub fault_error: Option<String>,
    /// Why a watch stopped the run before it ended by itself.
    pub aborted: Option<String>,
}

pub fn execute(launch: &Launch, stdout: &Path, stderr: &Path, sup: Supervision) -> Result<Outcome> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(supervise(launch, stdout, stderr, sup))
}

async fn supervise(
    launch: &Launch,
    stdout: &Path,
    stderr: &Path,
    sup: Supervision,
) -> Result<Outcome> {
    let Supervision {
        timeout,
        fault,
        watch,
        sample,
    } = sup;
    reaper::park_if_interrupted();
    let mut cmd = tokio::process::Command::new(&launch.program);
    cmd.args(&launch.args)
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&launch.cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(stdout)?)
        .stderr(std::fs::File::create(stderr)?)
        .process_group(0)
        .kill_on_drop(true);
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| {
        crate::Error::setup(format!("cannot start {}: {e}", launch.program.display()))
    })?;
    let pgid = child.id().map(|p| p as i32).unwrap_or(0);
    reaper::register_group(pgid);
    if reaper::interrupted() {
        stop(pgid, launch);
    }
    let mut outcome = Outcome {
        exit_code: None,
        timed_out: false,
        wall_s: 0.0,
        fault_at_s: None,
        fault_error: None,
        aborted: None,
    };
    let mut watching = watch::merge(watch, sample.map(|s| s(pgid))).map(Watch::start);
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let (mut armed, fault_after, mut fault_action) = match fault {
        Some(f) => (Some(f.armed), f.after, Some(f.action)),
        None => (None, Duration::ZERO, None),
    };
    // Far beyond the deadline until the fault is armed.
    let fault_timer = tokio::time::sleep(timeout.saturating_mul(2));
    tokio::pin!(fault_timer);
    let mut arm_poll = tokio::time::interval(ARM_POLL);
    loop {
        tokio::select! {
            status = child.wait() => {
                outcome.exit_code = status?.code();
                let left = deadline.deadline().saturating_duration_since(tokio::time::Instant::now());
                if !group_gone(pgid, left).await {
                    outcome.timed_out = true;
                    stop(pgid, launch);
                }
                break;
            }
            _ = &mut deadline => {
                outcome.timed_out = true;
                stop(pgid, launch);
                let _ = child.wait().await;
                break;
            }
            reason = verdict(&mut watching), if watching.is_some() => {
                // A check that panicked said nothing: the run goes on unwatched.
                let Ok(reason) = reason else {
                    watching = None;
                    continue;
                };
                outcome.aborted = Some(reason);
                stop(pgid, launch);
                let _ = child.wait().await;
                break;
            }
            _ = arm_poll.tick(), if armed.is_some() => {
                if armed.as_ref().is_some_and(|is_armed| is_armed()) {
                    armed = None;
                    fault_timer.as_mut().reset(tokio::time::Instant::now() + fault_after);
                }
            }
            _ = &mut fault_timer, if fault_action.is_some() && armed.is_none() => {
                let action = fault_action.take().expect("guarded");
                outcome.fault_at_s = Some(started.elapsed().as_secs_f64());
                let res = tokio::task::spawn_blocking(action).await;
                outcome.fault_error = match res {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(e) => Some(e.to_string()),
                };
            }
        }
    }
    reaper::register_group(0);
    if let Some(w) = watching {
        w.stop();
    }
    outcome.wall_s = started.elapsed().as_secs_f64();
    if let Some(name) = &launch.container {
        // `docker run --rm` removes it on a normal exit; this covers every other way out.
        let _ = docker::cli(&["rm", "-f", name]);
    }
    Ok(outcome)
}

/// The watch's verdict, once it has one (never resolves while there is no watch).
async fn verdict(
    watching: &mut Option<crate::exec::watch::Watching>,
) -> std::result::Result<String, tokio::sync::oneshot::error::RecvError> {
    match watching {
        Some(w) => (&mut w.verdict).await,
        None => std::future::pending().await,
    }
}

/// The driver JVM outlives `python project.py` while its shutdown hooks run (they write the
/// event log's ApplicationEnd); a run is over when its whole process group is. Polled, bounded
/// by the run's deadline.
async fn group_gone(pgid: i32, within: Duration) -> bool {
    let until = tokio::time::Instant::now() + within;
    while pgid > 0 && group_alive(pgid) {
        if tokio::time::Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Whether a live (not zombie) process is in group `pgid`. Zombies count as gone: whoever
/// adopted them may never reap them, and they hold nothing.
fn group_alive(pgid: i32) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .any(|stat| {
            // Fields after the `(comm)`: state, ppid, pgrp, ...
            let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
            let mut f = rest.split_whitespace();
            let state = f.next().unwrap_or("Z");
            let pgrp = f.nth(1).and_then(|p| p.parse::<i32>().ok());
            state != "Z" && pgrp == Some(pgid)
        })
}

fn stop(pgid: i32, launch: &Launch) {
    if let Some(name) = &launch.container {
        let _ = docker::cli(&["rm", "-f", name]);
    }
    if pgid > 0 {
        unsafe { libc::killpg(pgid, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `script` under `sh` with `timeout` (and `fault`), output into a temporary dir.
    fn run_sh(script: &str, timeout: Duration, fault: Option<Fault>) -> Outcome {
        let d = tempfile::tempdir().unwrap();
        let sup = Supervision {
            timeout,
            fault,
            watch: None,
            sample: None,
        };
        execute(&sh(script), &d.path().join("o"), &d.path().join("e"), sup).unwrap()
    }

    fn sh(script: &str) -> Launch {
        Launch {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            cwd: std::env::temp_dir(),
            ..Default::default()
        }
    }

    #[test]
    fn captures_exit_code_and_output() {
        let d = tempfile::tempdir().unwrap();
        let (o, e) = (d.path().join("o"), d.path().join("e"));
        let out = execute(
            &sh("echo hi; echo oops >&2; exit 3"),
            &o,
            &e,
            Supervision {
                timeout: Duration::from_secs(30),
                fault: None,
                watch: None,
                sample: None,
            },
        )
        .unwrap();
        assert_eq!(out.exit_code, Some(3));
        assert!(!out.timed_out);
        assert_eq!(std::fs::read_to_string(o).unwrap(), "hi\n");
        assert_eq!(std::fs::read_to_string(e).unwrap(), "oops\n");
    }

    fn dead_or_zombie(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    #[test]
    fn deadline_kills_the_whole_group() {
        let d = tempfile::tempdir().unwrap();
        let pidfile = d.path().join("pid");
        let script = format!("sleep 60 & echo $! > {}; wait", pidfile.display());
        let out = run_sh(&script, Duration::from_millis(500), None);
        assert!(out.timed_out);
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let pid = pid.trim();
        // SIGKILL is delivered asynchronously: wait on the process's state, bounded.
        let gone = (0..100).any(|_| {
            dead_or_zombie(pid) || {
                std::thread::sleep(Duration::from_millis(20));
                false
            }
        });
        assert!(gone, "grandchild {pid} outlived the timeout");
    }

    /// Like the driver JVM after `python project.py` returns: the run ends with its group.
    #[test]
    fn waits_for_the_whole_group_after_the_child_exits() {
        let d = tempfile::tempdir().unwrap();
        let late = d.path().join("late");
        let script = format!("(sleep 1; echo done > {}) & exit 0", late.display());
        let out = run_sh(&script, Duration::from_secs(30), None);
        assert_eq!(out.exit_code, Some(0));
        assert!(!out.timed_out);
        assert!(late.is_file(), "returned before the group finished");
        assert!(out.wall_s >= 1.0, "{}", out.wall_s);
    }

    #[test]
    fn fault_fires_while_running() {
        let d = tempfile::tempdir().unwrap();
        let flag = d.path().join("fault");
        let flag2 = flag.clone();
        let script = format!("while [ ! -e {} ]; do sleep 0.05; done", flag.display());
        let fault = Fault {
            armed: Box::new(|| true),
            after: Duration::from_millis(200),
            action: Box::new(move || {
                std::fs::write(&flag2, "x")?;
                Ok(())
            }),
        };
        let out = run_sh(&script, Duration::from_secs(30), Some(fault));
        assert_eq!(out.exit_code, Some(0));
        assert!(out.fault_at_s.unwrap() >= 0.2);
        assert!(out.fault_error.is_none());
    }

    /// Like a Connect client waiting on a dead server: the watch ends it long before its deadline.
    #[test]
    fn a_watch_verdict_stops_the_run_and_says_why() {
        let d = tempfile::tempdir().unwrap();
        let flag = d.path().join("server-died");
        let script = format!("touch {}; sleep 60", flag.display());
        let sup = Supervision {
            timeout: Duration::from_secs(120),
            fault: None,
            watch: Some(Watch {
                every: Duration::from_millis(50),
                check: Box::new(move || flag.exists().then(|| "server out of memory".into())),
            }),
            sample: None,
        };
        let out = execute(&sh(&script), &d.path().join("o"), &d.path().join("e"), sup).unwrap();
        assert_eq!(out.aborted.as_deref(), Some("server out of memory"));
        assert!(!out.timed_out);
        assert!(out.wall_s < 60.0, "{}", out.wall_s);
    }
}
