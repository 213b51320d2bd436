//! The base image under the Spark image of each Python minor, and the JRE it installs. The
//! image's `python3` is the executors' Python, so the base decides it: a debootstrap of the
//! Debian suite that ships that minor (bookworm → 3.11, trixie → 3.13; only Debian's mirror
//! is reachable here), or the user's `--base-image` when its Python is that minor. A user's
//! base is asked once (one labelled `docker run --rm`): its `python3 --version`, or, when it
//! has none yet (`debian:bookworm-slim`), the release in its `/etc/os-release`. The JRE
//! follows the release: trixie has no OpenJDK 17, only 21.

use std::collections::BTreeMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::config::python::{self, PythonMinor, Suite, SUITES};
use crate::error::{Error, Result};
use crate::infra::docker;

pub const MIRROR: &str = "http://deb.debian.org/debian";

/// Where base images come from, as the user asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// Made here with `debootstrap --variant=minbase`, of the suite each Python needs.
    Debootstrap,
    /// A local image the user names (e.g. `debian:bookworm-slim` from their registry): used
    /// for the Python minor it has; other minors are debootstrapped.
    Existing(String),
}

/// The base of one Python minor, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Suite(&'static Suite),
    Image { name: String, jre: &'static str },
}

impl Source {
    pub fn tag(&self) -> String {
        match self {
            Source::Suite(s) => suite_tag(s),
            Source::Image { name, .. } => name.clone(),
        }
    }

    pub fn jre(&self) -> &'static str {
        match self {
            Source::Suite(s) => s.jre,
            Source::Image { jre, .. } => jre,
        }
    }
}

pub(crate) fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())[..12].to_string()
}

/// `sparkmodes/base:<suite>-<hash of how it is made>`.
pub fn suite_tag(s: &Suite) -> String {
    let hash = short_hash(&["debootstrap", "minbase", s.name, MIRROR]);
    format!("sparkmodes/base:{}-{hash}", s.name)
}

/// What a user's base image is: its `python3` minor, if installed, and its release codename.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaseInfo {
    pub python: Option<u32>,
    pub release: Option<String>,
}

impl BaseInfo {
    /// The Python an image built on it runs: its `python3`, or its release's.
    pub fn minor(&self) -> Option<u32> {
        let suite = self.release.as_deref().and_then(python::suite_named);
        self.python.or(suite.map(|s| s.python))
    }

    pub fn jre(&self) -> &'static str {
        let suite = self.release.as_deref().and_then(python::suite_named);
        suite.map_or(python::DEFAULT_JRE, |s| s.jre)
    }

    fn describe(&self) -> String {
        let release = self.release.as_deref().unwrap_or("an unknown release");
        match self.minor() {
            Some(m) => format!("Python 3.{m} ({release})"),
            None => format!("no python3 and {release}"),
        }
    }
}

const PROBE: &str = "python3 --version 2>&1; cat /etc/os-release 2>/dev/null";

/// Reads [`PROBE`]'s output: `Python 3.12.3` and `VERSION_CODENAME=noble`.
pub fn parse_probe(text: &str) -> BaseInfo {
    let python = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Python 3."))
        .and_then(|rest| rest.split('.').next()?.trim().parse().ok());
    let release = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("VERSION_CODENAME="))
        .map(|v| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty());
    BaseInfo { python, release }
}

/// Asks a local image what it is (once per process: every group of a run shares the answer).
pub fn probe(name: &str) -> Result<BaseInfo> {
    static ASKED: Mutex<BTreeMap<String, BaseInfo>> = Mutex::new(BTreeMap::new());
    if let Some(info) = ASKED.lock().expect("not poisoned").get(name) {
        return Ok(info.clone());
    }
    let labels: Vec<String> = docker::labels()
        .iter()
        .map(|(k, v)| format!("--label={k}={v}"))
        .collect();
    let mut args = vec!["run", "--rm", "--pull=never", "--entrypoint", "sh"];
    args.extend(labels.iter().map(String::as_str));
    args.extend([name, "-c", PROBE]);
    let out = docker::cli(&args)
        .map_err(|e| Error::setup(format!("cannot ask base image `{name}` its Python: {e}")))?;
    let info = parse_probe(&out);
    ASKED
        .lock()
        .expect("not poisoned")
        .insert(name.to_string(), info.clone());
    Ok(info)
}

/// The base for Python 3.`minor`: the user's image when its Python is that minor, else the
/// Debian suite that ships it (probing the user's image if there is one).
pub fn source_for(base: &Base, minor: PythonMinor) -> Result<Source> {
    match base {
        Base::Debootstrap => choose(minor, None),
        Base::Existing(name) => choose(minor, Some((name, &probe(name)?))),
    }
}

/// [`source_for`] once the user's image (if any) has answered.
pub fn choose(minor: PythonMinor, user: Option<(&str, &BaseInfo)>) -> Result<Source> {
    if let Some((name, info)) = user.filter(|(_, i)| i.minor() == Some(minor.minor())) {
        let jre = info.jre();
        return Ok(Source::Image {
            name: name.to_string(),
            jre,
        });
    }
    if let Some(s) = python::suite_for(minor) {
        return Ok(Source::Suite(s));
    }
    let theirs = user
        .map(|(n, i)| format!("; --base-image {n} has {}", i.describe()))
        .unwrap_or_default();
    Err(Error::setup(format!(
        "no base image for Python {minor}: the Debian suites sparkmodes can debootstrap ship \
         {}{theirs}. Pass --base-image with a local image whose python3 is {minor} \
         (checked with `python3 --version` in it), or drop {minor} from `python`",
        debootstrapped().join(", ")
    )))
}

/// `bookworm (3.11), trixie (3.13)`.
pub fn debootstrapped() -> Vec<String> {
    SUITES
        .iter()
        .filter(|s| s.debootstrap)
        .map(|s| format!("{} (3.{})", s.name, s.python))
        .collect()
}

/// The Python minors a base can be made for: every debootstrapped suite's and the user's.
pub fn minors(base: &Base) -> Result<Vec<u32>> {
    let mut out: Vec<u32> = SUITES
        .iter()
        .filter(|s| s.debootstrap)
        .map(|s| s.python)
        .collect();
    if let Base::Existing(name) = base {
        out.extend(probe(name)?.minor());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_says_its_python_or_its_release() {
        let slim = parse_probe("sh: 1: python3: not found\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\n");
        assert_eq!((slim.python, slim.minor()), (None, Some(11)));
        assert_eq!(slim.jre(), "openjdk-17-jre-headless");
        let py = parse_probe("Python 3.12.3\nVERSION_CODENAME=trixie\n");
        assert_eq!(py.minor(), Some(12), "its python3 wins over the release's");
        assert_eq!(py.jre(), "openjdk-21-jre-headless");
        let odd = parse_probe("ash: python3: not found\n");
        assert_eq!((odd.minor(), odd.jre()), (None, python::DEFAULT_JRE));
    }

    #[test]
    fn the_users_base_serves_its_own_python_and_debian_the_rest() {
        let info = parse_probe("Python 3.12.3\nVERSION_CODENAME=noble\n");
        let user = Some(("ubuntu:24.04", &info));
        let own = choose(PythonMinor::new(12), user).unwrap();
        assert_eq!(own.tag(), "ubuntu:24.04");
        assert_eq!(own.jre(), "openjdk-17-jre-headless");
        let trixie = choose(PythonMinor::new(13), user).unwrap();
        assert!(
            trixie.tag().starts_with("sparkmodes/base:trixie-"),
            "{trixie:?}"
        );
        assert_eq!(trixie.jre(), "openjdk-21-jre-headless");
        assert_ne!(
            choose(PythonMinor::new(11), None).unwrap().tag(),
            trixie.tag()
        );
    }

    #[test]
    fn a_python_without_a_base_is_refused_with_what_would_work() {
        let e = choose(PythonMinor::new(12), None).unwrap_err().to_string();
        assert!(e.contains("bookworm (3.11), trixie (3.13)"), "{e}");
        assert!(
            e.contains("--base-image") && e.contains("python3 is 3.12"),
            "{e}"
        );
        let slim = parse_probe("VERSION_CODENAME=bookworm\n");
        let e = choose(PythonMinor::new(12), Some(("debian:bookworm-slim", &slim)))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("debian:bookworm-slim has Python 3.11 (bookworm)"),
            "{e}"
        );
    }
}
