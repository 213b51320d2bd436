//! The Python axis as it will run on this host, settled before anything is created: every
//! Python of the scenario needs a base image (`infra::base`) and a host `python3.X` to make
//! its venv; a scenario that sets none gets the host's default
//! (`config::python::choose_default`), and the Spark versions that cannot run on it are left
//! out with a note on stderr (all of them: an error naming the lines that would work).

use crate::config::python::{self, HostPythons, PythonMinor};
use crate::config::scenario::Scenario;
use crate::error::{Error, Result};
use crate::infra::base::{self, Base};
use crate::infra::tools;

/// `scenario` with its Python axis settled for this host: the list checked, or the default
/// chosen (and the versions that cannot run on it dropped).
pub fn resolve(scenario: &Scenario, base: &Base) -> Result<Scenario> {
    let mut s = scenario.clone();
    if s.python.is_none() {
        let minor = default_minor(base)?;
        let at = |e: String| Error::setup(format!("{}: {e}", s.origin));
        let (kept, dropped) = python::default_versions(&s.spark_versions, minor).map_err(at)?;
        for d in dropped {
            eprintln!("sparkmodes: left out of this run: Spark {d}");
        }
        s.spark_versions = kept;
        s.python = Some(vec![minor]);
    }
    for (i, p) in s.pythons().iter().enumerate() {
        ready(*p, base)
            .map_err(|e| Error::setup(format!("{}: key `python[{i}]`: {e}", s.origin)))?;
    }
    Ok(s)
}

/// The default Python minor here: what the host has and what a base can be made for.
pub fn default_minor(base: &Base) -> Result<PythonMinor> {
    let (found, own) = tools::host_pythons();
    let host = HostPythons {
        found,
        own,
        bases: base::minors(base)?,
    };
    python::choose_default(&host).map_err(Error::setup)
}

/// Python `p` has a base image and a host interpreter.
fn ready(p: PythonMinor, base: &Base) -> Result<()> {
    base::source_for(base, p).map_err(|e| Error::setup(e.to_string()))?;
    if p == tools::PYTHON_MINOR {
        return tools::python().map(|_| ());
    }
    match tools::find_python(p) {
        Some(_) => Ok(()),
        None => Err(Error::setup(format!(
            "python{p} not found on PATH or under pyenv: the drivers of Python {p} run on \
             it; install it (e.g. `pyenv install {p}`) or drop {p} from `python`"
        ))),
    }
}
