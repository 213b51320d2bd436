//! Which Spark lines sparkmodes has a recipe for, and what each needs: the Python packages
//! both the image and the host venv install (so driver and executors agree), the Pythons the
//! line supports, and the Java it needs. Facts from each release's own metadata (setup.py,
//! the class-file version of its spark-core jar), checked on real runs (see README).

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pins {
    pub pyspark: String,
    pub numpy: &'static str,
    pub pandas: &'static str,
    pub pyarrow: &'static str,
}

impl Pins {
    pub fn requirements(&self) -> Vec<String> {
        vec![
            format!("pyspark=={}", self.pyspark),
            format!("numpy=={}", self.numpy),
            format!("pandas=={}", self.pandas),
            format!("pyarrow=={}", self.pyarrow),
        ]
    }
}

/// One Spark line's recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// `3.5`, `4.3`, …
    pub line: &'static str,
    /// The newest release on PyPI when the recipe was written.
    pub newest: &'static str,
    pub numpy: &'static str,
    pub pandas: &'static str,
    pub pyarrow: &'static str,
    /// Oldest and newest Python minor the line supports (its `python_requires` and
    /// classifiers; 3.5's pins have no wheels past 3.11).
    pub python: (u32, u32),
    /// Oldest Java the line's jars run on.
    pub java: u32,
    /// The Spark Connect client the line's `connect` modes install on the host.
    pub connect: ConnectClient,
}

/// Which Python package is a line's Spark Connect client (`pip index versions pyspark-client`
/// on 2026-11-26: 4.0.0–4.0.4, 4.1.0–4.1.3, 4.2.0; none for 3.5 or 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectClient {
    /// No Connect server to run: 3.5's server is a separate jar (spark-connect_2.12), not in
    /// the pip package, and no Maven repository is reachable here.
    Unsupported,
    /// The pure-Python `pyspark-client` at this version (no JVM, no jars): its newest release
    /// of the line, which talks to every server of the line (4.1.3 against 4.1.4, tested).
    Pure(&'static str),
    /// No `pyspark-client` for the line yet: full `pyspark[connect]` at the cluster's version.
    Full,
}

/// Why a line has no Connect modes.
pub const NO_CONNECT_3_5: &str = "the Spark Connect server of 3.5 is a separate jar (spark-connect_2.12) that the pyspark 3.5 pip package does not ship, and no Maven repository is reachable from here: use a 4.x line";

/// Newest first. 3.5 needs numpy < 2 (its Arrow and pandas paths predate NumPy 2). Every 4.x
/// line takes one pin set: numpy ≥ 1.23.2 (4.3), pandas ≥ 2.2 (4.1+), pyarrow ≥ 18 (4.2+);
/// pandas stays below 3, which PySpark 4.3 warns it does not yet fully support. 4.x jars are
/// Java 17 bytecode; 4.3 dropped Python 3.10. 4.2 turned Arrow (toPandas) and Arrow-optimised
/// Python UDFs on by default: the harness sets both explicitly in every run.
pub const LINES: &[Line] = &[
    line("4.3", "4.3.0", "2.2.6", "2.2.3", "19.0.1", (11, 14), 17).client(ConnectClient::Full),
    line("4.2", "4.2.1", "2.2.6", "2.2.3", "19.0.1", (10, 14), 17).client(pure("4.2.0")),
    line("4.1", "4.1.4", "2.2.6", "2.2.3", "19.0.1", (10, 14), 17).client(pure("4.1.3")),
    line("4.0", "4.0.5", "2.2.6", "2.2.3", "19.0.1", (9, 13), 17).client(pure("4.0.4")),
    line("3.5", "3.5.9", "1.26.4", "2.2.3", "15.0.2", (8, 11), 8),
];

const fn line(
    line: &'static str,
    newest: &'static str,
    numpy: &'static str,
    pandas: &'static str,
    pyarrow: &'static str,
    python: (u32, u32),
    java: u32,
) -> Line {
    Line {
        line,
        newest,
        numpy,
        pandas,
        pyarrow,
        python,
        java,
        connect: ConnectClient::Unsupported,
    }
}

const fn pure(version: &'static str) -> ConnectClient {
    ConnectClient::Pure(version)
}

pub const DEFAULT_SPARK: &str = "3.5.9";

/// The line of a version (`4.3.0` → the 4.3 recipe), or why there is none.
pub fn line_of(spark: &str) -> Result<&'static Line> {
    let parts: Vec<&str> = spark.split('.').collect();
    let well_formed = parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok());
    if !well_formed {
        return Err(Error::setup(format!(
            "Spark version `{spark}` is not of the form X.Y.Z (e.g. {DEFAULT_SPARK})"
        )));
    }
    let name = format!("{}.{}", parts[0], parts[1]);
    LINES.iter().find(|l| l.line == name).ok_or_else(|| {
        let known: Vec<String> = LINES
            .iter()
            .rev()
            .map(|l| format!("{}.x", l.line))
            .collect();
        Error::setup(format!(
            "Spark version {spark} has no image recipe: supported lines are {}",
            known.join(", ")
        ))
    })
}

pub fn pins(spark: &str) -> Result<Pins> {
    let l = line_of(spark)?;
    Ok(Pins {
        pyspark: spark.to_string(),
        numpy: l.numpy,
        pandas: l.pandas,
        pyarrow: l.pyarrow,
    })
}

impl Line {
    const fn client(mut self, connect: ConnectClient) -> Line {
        self.connect = connect;
        self
    }

    /// What the host venv of a `connect` mode installs against a `spark` server: the line's
    /// client plus its numpy/pandas/pyarrow pins; the error says why the line has none.
    pub fn connect_requirements(&self, spark: &str) -> Result<Vec<String>, String> {
        let client = match self.connect {
            ConnectClient::Unsupported => return Err(NO_CONNECT_3_5.to_string()),
            ConnectClient::Pure(v) => format!("pyspark-client=={v}"),
            ConnectClient::Full => format!("pyspark[connect]=={spark}"),
        };
        Ok(vec![
            client,
            format!("numpy=={}", self.numpy),
            format!("pandas=={}", self.pandas),
            format!("pyarrow=={}", self.pyarrow),
        ])
    }

    /// Whether the line supports Python `3.minor`; the error says which Pythons it does.
    pub fn check_python(&self, minor: u32) -> Result<(), String> {
        let (lo, hi) = self.python;
        if (lo..=hi).contains(&minor) {
            Ok(())
        } else {
            Err(format!(
                "Spark {} supports Python 3.{lo} to 3.{hi}, not 3.{minor}",
                self.line
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_line_gets_its_pins() {
        let p = pins("3.5.9").unwrap();
        assert_eq!(p.numpy, "1.26.4");
        assert!(p.requirements().contains(&"pyspark==3.5.9".to_string()));
    }

    #[test]
    fn every_line_from_3_5_to_the_newest_has_pins() {
        for v in ["3.5.9", "4.0.5", "4.1.4", "4.2.1", "4.3.0"] {
            let p = pins(v).unwrap();
            assert!(p.requirements().iter().all(|r| r.contains("==")), "{v}");
        }
        for l in LINES {
            assert!(l.newest.starts_with(l.line), "{l:?}");
            assert_eq!(line_of(l.newest).unwrap(), l);
        }
    }

    #[test]
    fn pythons_outside_a_line_are_named() {
        let e = line_of("4.3.0").unwrap().check_python(10).unwrap_err();
        assert!(e.contains("3.11 to 3.14"), "{e}");
        line_of("3.5.9").unwrap().check_python(11).unwrap();
        assert!(line_of("3.5.9").unwrap().check_python(12).is_err());
    }

    #[test]
    fn connect_clients_per_line() {
        let reqs = |v: &str| line_of(v).unwrap().connect_requirements(v);
        assert_eq!(reqs("4.1.4").unwrap()[0], "pyspark-client==4.1.3");
        assert_eq!(reqs("4.0.5").unwrap()[0], "pyspark-client==4.0.4");
        assert_eq!(reqs("4.3.0").unwrap()[0], "pyspark[connect]==4.3.0");
        assert!(reqs("4.1.4")
            .unwrap()
            .contains(&"pyarrow==19.0.1".to_string()));
        assert!(reqs("3.5.9").unwrap_err().contains("not ship"));
    }

    #[test]
    fn unknown_line_is_named() {
        let e = pins("2.4.8").unwrap_err().to_string();
        assert!(e.contains("2.4.8") && e.contains("3.5.x"), "{e}");
        let e = pins("3.5").unwrap_err().to_string();
        assert!(e.contains("X.Y.Z"), "{e}");
    }
}
