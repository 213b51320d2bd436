//! The Python axis: which Python minor a run's drivers and executors share. A scenario may
//! list several (`python = ["3.11", "3.13"]`); each Spark line supports a range of them
//! (`versions::Line::python`), and an image for Python 3.X needs a base whose `python3` is
//! 3.X: a Debian suite that ships it, or a user's `--base-image`. When a scenario says
//! nothing, the default is chosen from what the host has ([`choose_default`], a pure function
//! of the minors found, so it is tested without the host).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::config::versions::LINES;

/// A Python 3 minor (`3.11`): read once where a user writes it (a scenario's `python`,
/// `--python`) or the host is asked, then carried as this value to the base, the images, the
/// venvs and the host interpreter it selects; written as `3.X` only in labels and records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PythonMinor(u32);

impl PythonMinor {
    pub const fn new(minor: u32) -> Self {
        PythonMinor(minor)
    }

    /// X of `3.X`.
    pub fn minor(self) -> u32 {
        self.0
    }
}

impl FromStr for PythonMinor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        minor(s).map(PythonMinor)
    }
}

impl TryFrom<String> for PythonMinor {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<PythonMinor> for String {
    fn from(p: PythonMinor) -> String {
        p.to_string()
    }
}

impl fmt::Display for PythonMinor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "3.{}", self.0)
    }
}

/// The executors' Python before the axis existed, and the default where the host has it:
/// records without a `python` column are of this minor, and cells of it keep their labels.
pub const DEFAULT: PythonMinor = PythonMinor(11);

/// A distribution release whose `python3` and JRE package are known. Only Debian's mirror is
/// reachable here, so only Debian suites are debootstrapped; the others are recognised in a
/// user's `--base-image` (from its `/etc/os-release`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suite {
    pub name: &'static str,
    /// `python3` of the suite: 3.`python`.
    pub python: u32,
    /// The headless JRE package: trixie has no OpenJDK 17, only 21 (and 25); Spark 3.5.x
    /// and 4.x run on 17 and 21.
    pub jre: &'static str,
    /// Made with debootstrap from the Debian mirror when no `--base-image` is given.
    pub debootstrap: bool,
}

pub const SUITES: &[Suite] = &[
    suite("bookworm", 11, "openjdk-17-jre-headless", true),
    suite("trixie", 13, "openjdk-21-jre-headless", true),
    suite("noble", 12, "openjdk-17-jre-headless", false),
    suite("jammy", 10, "openjdk-17-jre-headless", false),
];

/// The JRE of a base whose release is not in [`SUITES`].
pub const DEFAULT_JRE: &str = "openjdk-17-jre-headless";

const fn suite(name: &'static str, python: u32, jre: &'static str, debootstrap: bool) -> Suite {
    Suite {
        name,
        python,
        jre,
        debootstrap,
    }
}

/// The Debian suite debootstrapped for Python 3.`minor`, if one ships it.
pub fn suite_for(python: PythonMinor) -> Option<&'static Suite> {
    SUITES
        .iter()
        .find(|s| s.debootstrap && s.python == python.0)
}

pub fn suite_named(name: &str) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.name == name)
}

/// `"3.13"` → 13. Only Python 3 minors, written `3.X`.
fn minor(python: &str) -> Result<u32, String> {
    python
        .strip_prefix("3.")
        .filter(|m| !m.is_empty() && m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()))
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("must be a Python minor like \"3.11\", got {python:?}"))
}

/// The lines that support Python 3.`minor`, oldest first: `4.0.x, 4.1.x`.
pub fn lines_for(python: PythonMinor) -> Vec<String> {
    LINES
        .iter()
        .rev()
        .filter(|l| l.check_python(python.0).is_ok())
        .map(|l| format!("{}.x", l.line))
        .collect()
}

/// Whether Spark `spark` runs on Python 3.`minor`; the refusal names the lines that would.
pub fn check_line(spark: &str, python: PythonMinor) -> Result<(), String> {
    let minor = python.0;
    let line = crate::config::versions::line_of(spark).map_err(|e| e.to_string())?;
    line.check_python(minor).map_err(|why| {
        let pins = match minor > line.python.1 {
            true => {
                format!(" (its numpy {} / pyarrow {} pins", line.numpy, line.pyarrow)
                    + " have no wheels for it)"
            }
            false => String::new(),
        };
        let lines = lines_for(python);
        match lines.is_empty() {
            true => format!("{why}, and no Spark line sparkmodes knows supports 3.{minor}"),
            false => format!(
                "{why}{pins}: for Python 3.{minor} use Spark {}",
                lines.join(", ")
            ),
        }
    })
}

/// What the host offers for the default: every `python3.X` found (PATH or pyenv), the minor
/// of its own `python3`, and the minors a base image can be made for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostPythons {
    pub found: Vec<u32>,
    pub own: Option<u32>,
    pub bases: Vec<u32>,
}

/// The default Python: 3.11 where the host has it; else the host's own `python3` minor if a
/// base for it can be made; else an error listing what would work here.
pub fn choose_default(host: &HostPythons) -> Result<PythonMinor, String> {
    if host.found.contains(&DEFAULT.0) {
        return Ok(DEFAULT);
    }
    if let Some(own) = host.own.filter(|m| host.bases.contains(m)) {
        return Ok(PythonMinor(own));
    }
    Err(no_default(host))
}

fn no_default(host: &HostPythons) -> String {
    let own = host.own.map_or(", nor a python3".into(), |m| {
        format!(", and its python3 is 3.{m}, for which no base image can be made")
    });
    let usable: Vec<String> = host
        .found
        .iter()
        .filter(|m| host.bases.contains(m))
        .map(|m| format!("\"3.{m}\""))
        .collect();
    let bases: Vec<String> = SUITES
        .iter()
        .filter(|s| s.debootstrap)
        .map(|s| format!("Debian {} → 3.{}", s.name, s.python))
        .collect();
    let set = match usable.is_empty() {
        true => String::new(),
        false => format!(
            ", or ask for one of those (`python = [{}]` in a scenario, --python elsewhere)",
            usable.join(", ")
        ),
    };
    format!(
        "no Python minor is given (a scenario's `python`, or --python), and no default fits this host: it has no python3.11 \
         (PATH or pyenv){own} (bases: {}, or --base-image with that python3). Install \
         python3.11 (e.g. `pyenv install 3.11`){set}",
        bases.join(", ")
    )
}

/// The scenario's Spark versions that run on the default Python (kept), and the others with
/// why (dropped); an error, naming the lines that would work, if none is left.
pub fn default_versions(
    versions: &[String],
    python: PythonMinor,
) -> Result<(Vec<String>, Vec<String>), String> {
    let (kept, dropped): (Vec<&String>, Vec<&String>) =
        versions.iter().partition(|v| check_line(v, python).is_ok());
    if kept.is_empty() {
        let why = check_line(&versions[0], python).unwrap_err();
        return Err(format!(
            "the default Python on this host is {python} (no python3.11 found): {why}; \
             set `spark_versions` to one of them, or install python3.11 (e.g. `pyenv install 3.11`)"
        ));
    }
    let dropped = dropped
        .into_iter()
        .map(|v| format!("{v} ({})", check_line(v, python).unwrap_err()))
        .collect();
    Ok((kept.into_iter().cloned().collect(), dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(minor: u32) -> PythonMinor {
        PythonMinor::new(minor)
    }

    fn host(found: &[u32], own: Option<u32>, bases: &[u32]) -> HostPythons {
        HostPythons {
            found: found.to_vec(),
            own,
            bases: bases.to_vec(),
        }
    }

    #[test]
    fn minors_are_read_and_bad_ones_named() {
        assert_eq!("3.13".parse(), Ok(py(13)));
        assert_eq!(DEFAULT.to_string().parse(), Ok(DEFAULT));
        for bad in [
            "3", "3.", "2.7", "3.x", "3.11.2", "py3.11", "3.123", "", " 3.11",
        ] {
            let e = bad.parse::<PythonMinor>().unwrap_err();
            assert!(
                e.contains("3.11") && e.contains(&format!("{bad:?}")),
                "{bad}"
            );
        }
        let json: PythonMinor = serde_json::from_str("\"3.12\"").unwrap();
        assert_eq!(
            (json, serde_json::to_string(&json).unwrap()),
            (py(12), "\"3.12\"".into())
        );
        assert!(serde_json::from_str::<PythonMinor>("\"3.x\"").is_err());
    }

    #[test]
    fn the_suite_follows_the_python_and_brings_its_jre() {
        assert_eq!(suite_for(py(11)).unwrap().name, "bookworm");
        let trixie = suite_for(py(13)).unwrap();
        assert_eq!(
            (trixie.name, trixie.jre),
            ("trixie", "openjdk-21-jre-headless")
        );
        assert_eq!(
            suite_for(py(12)),
            None,
            "only Debian suites are debootstrapped"
        );
        assert_eq!(suite_named("noble").unwrap().python, 12);
    }

    #[test]
    fn the_default_is_3_11_where_the_host_has_it() {
        assert_eq!(
            choose_default(&host(&[9, 11, 13], Some(13), &[11, 13])),
            Ok(py(11))
        );
        assert_eq!(choose_default(&host(&[11], None, &[11, 13])), Ok(py(11)));
    }

    #[test]
    fn else_the_hosts_own_python3_when_a_base_can_be_made() {
        assert_eq!(
            choose_default(&host(&[13], Some(13), &[11, 13])),
            Ok(py(13))
        );
        assert_eq!(
            choose_default(&host(&[12], Some(12), &[11, 12, 13])),
            Ok(py(12))
        );
    }

    #[test]
    fn else_an_error_lists_what_would_work() {
        let e = choose_default(&host(&[12, 13], Some(12), &[11, 13])).unwrap_err();
        assert!(e.contains("its python3 is 3.12"), "{e}");
        assert!(e.contains("python = [\"3.13\"]"), "{e}");
        assert!(e.contains("pyenv install 3.11"), "{e}");
        assert!(e.contains("trixie → 3.13"), "{e}");
        let e = choose_default(&host(&[], None, &[11, 13])).unwrap_err();
        assert!(
            e.contains("nor a python3") && !e.contains("python = ["),
            "{e}"
        );
    }

    #[test]
    fn a_line_outside_its_pythons_is_refused_naming_the_lines_that_fit() {
        check_line("4.1.4", py(13)).unwrap();
        let e = check_line("3.5.9", py(13)).unwrap_err();
        assert!(e.contains("3.8 to 3.11"), "{e}");
        assert!(e.contains("4.0.x, 4.1.x, 4.2.x, 4.3.x"), "{e}");
        let e = check_line("4.3.0", py(10)).unwrap_err();
        assert!(
            e.contains("4.0.x, 4.1.x, 4.2.x") && !e.contains("4.3.x"),
            "{e}"
        );
        assert!(check_line("4.1.4", py(7))
            .unwrap_err()
            .contains("no Spark line"));
    }

    #[test]
    fn the_default_matrix_keeps_the_lines_of_the_default_python() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (kept, dropped) = default_versions(&v(&["3.5.9", "4.1.4"]), py(13)).unwrap();
        assert_eq!(kept, v(&["4.1.4"]));
        assert!(dropped[0].starts_with("3.5.9 (Spark 3.5"), "{dropped:?}");
        let e = default_versions(&v(&["3.5.9"]), py(13)).unwrap_err();
        assert!(e.contains("3.13") && e.contains("4.1.x"), "{e}");
        assert_eq!(
            default_versions(&v(&["3.5.9"]), py(11)).unwrap().1,
            Vec::<String>::new()
        );
    }
}
