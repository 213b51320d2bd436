//! Connect and connect-classic: `python project.py` on the host in the pure-client venv, with
//! `SPARK_REMOTE` pointing at the group's Spark Connect server. `connect` runs the Connect-ready
//! app (fixtures/app-connect); `connect-classic` runs the classic app unchanged, which must
//! fail at its first classic-only import. Each run picks its own session id, so its jobs can be
//! told apart in the server's shared event log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Deployment, Driver};
use crate::error::{Error, Result};
use crate::exec::process::Launch;
use crate::exec::staging;
use crate::exec::watch::Watch;
use crate::infra::connect_server;
use crate::infra::target::{ConnectEndpoint, Target, CONNECT_TOKEN_ENV};
use crate::measure::connect_log;
use crate::measure::eventlog::{self, PhaseTimings};

/// The app a `connect` run runs for `app`: itself if it declares `connect`, else the twin.
pub fn connect_app(app: &Path) -> PathBuf {
    let declares = crate::config::manifest::AppSpec::load(app)
        .is_ok_and(|s| s.modes.contains(&crate::config::Mode::Connect));
    match declares {
        true => app.to_path_buf(),
        false => staging::connect_fixture_dir(),
    }
}

/// How long the server may take to log a finished client's last events.
const LOG_SETTLE: Duration = Duration::from_secs(15);

pub struct Connect {
    /// The Connect-ready app (true) or the classic one, unchanged (false).
    pub ready_app: bool,
    /// This run's Spark Connect session id (a UUID the server accepts as given).
    pub session: String,
    endpoint: ConnectEndpoint,
}

impl Connect {
    pub fn new(ready_app: bool, target: &Target) -> Result<Connect> {
        let endpoint = target.connect.clone().ok_or_else(|| {
            Error::setup("a connect mode ran without a Spark Connect server".to_string())
        })?;
        Ok(Connect {
            ready_app,
            session: new_session_id(),
            endpoint,
        })
    }

    /// `localhost`, not 127.0.0.1: with a token the client speaks TLS to any other host name,
    /// and the server speaks plaintext (the client then retries silently for ever).
    fn remote(&self) -> String {
        format!(
            "sc://localhost:{}/;session_id={};user_id=sparkmodes",
            self.endpoint.port, self.session
        )
    }
}

impl Driver for Connect {
    fn master_url(&self, target: &Target) -> String {
        match self.ready_app {
            true => format!("sc://localhost:{}", self.endpoint.port),
            // The classic app's ini stays as its author wrote it: a master URL.
            false => target.master_host.clone(),
        }
    }

    /// `connect` runs the given app when its manifest declares `connect` (it builds its session
    /// with `getOrCreate()` and uses no classic-only API), else the sample's Connect-ready twin;
    /// `connect-classic` always runs the given app unchanged.
    fn app_source(&self, default: &Path) -> PathBuf {
        match self.ready_app {
            true => connect_app(default),
            false => default.to_path_buf(),
        }
    }

    fn conf(&self, _target: &Target) -> Result<BTreeMap<String, String>> {
        Ok(BTreeMap::new())
    }

    fn launch(&self, job: &Deployment) -> Result<Launch> {
        let p = job.placeholders(None, &self.master_url(job.target));
        Ok(Launch {
            program: job.venv.python.clone(),
            args: job.staged.command(&p),
            env: self.env(job),
            cwd: job.staged.app.clone(),
            container: None,
        })
    }

    /// A client of a server that died or ran out of heap would wait until its timeout.
    fn watch(&self, _staged: &staging::Staged) -> Option<Watch> {
        let container = self.endpoint.container.clone();
        Some(Watch {
            every: super::WATCH_EVERY,
            check: Box::new(move || connect_server::health(&container)),
        })
    }

    /// The server's log, if this run's session reached it (connect-classic never does).
    fn event_log(&self, _staged: &staging::Staged) -> Option<PathBuf> {
        let log = eventlog::find_event_log(&self.endpoint.event_log_dir)?;
        // Incomplete (a run killed mid-way) still has phases worth keeping: wait, then look.
        connect_log::wait_for_session(&log, &self.session, LOG_SETTLE);
        let text = std::fs::read_to_string(&log).ok()?;
        text.contains(&self.session).then_some(log)
    }

    fn timings(&self, log: &Path, elements: u64) -> Option<PhaseTimings> {
        connect_log::parse_file(log, &self.session, elements).ok()
    }
}

impl Connect {
    fn env(&self, job: &Deployment) -> Vec<(String, String)> {
        let mut env = vec![
            ("SPARK_REMOTE".to_string(), self.remote()),
            (
                "SPARKMODES_TAG".into(),
                format!("sparkmodes-{}", self.session),
            ),
        ];
        let p = job.placeholders(None, &self.master_url(job.target));
        env.extend(job.staged.env(&p, job.arrow));
        if let Some(token) = &self.endpoint.token {
            env.push((CONNECT_TOKEN_ENV.to_string(), token.clone()));
        }
        env
    }
}

/// A random (version 4) UUID: Spark Connect refuses session ids of any other form.
fn new_session_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_v4_uuids() {
        let s = new_session_id();
        let parts: Vec<usize> = s.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{s}");
        assert_eq!(&s[14..15], "4");
        assert_ne!(s, new_session_id());
    }

    #[test]
    fn the_remote_names_localhost_and_the_session_but_no_token() {
        let target = Target {
            connect: Some(ConnectEndpoint {
                port: 4242,
                token: Some("secret-token".into()),
                event_log_dir: PathBuf::from("/x"),
                container: "c".into(),
            }),
            ..Target::external("spark://h:7077", None)
        };
        let c = Connect::new(true, &target).unwrap();
        let url = c.remote();
        assert!(url.starts_with("sc://localhost:4242/;session_id="), "{url}");
        assert!(
            url.contains(&c.session) && !url.contains("secret-token"),
            "{url}"
        );
    }
}
