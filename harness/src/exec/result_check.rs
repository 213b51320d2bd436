//! Judging a finished app's result the way its manifest says: the sample's built-in oracle, a
//! check command (exit 0 = correct; its output kept in the run directory as
//! `check-stdout.txt` / `check-stderr.txt`), an expected-output file compared with a
//! tolerance, or nothing, which makes correctness unknown (never yes).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::config::manifest::{Builtin, Check, Expected, Format};
use crate::error::{Error, Result};
use crate::exec::judge::{last_meaningful_line, Verdict};
use crate::exec::process::{self, Launch, Supervision};
use crate::exec::staging::Staged;
use crate::measure::correctness::Correctness;
use crate::measure::expected::{self, Table};
use crate::measure::oracle;

/// The run a result came from, as the check needs it.
pub struct Job<'a> {
    pub staged: &'a Staged,
    pub elements: u64,
    pub seed: u64,
    pub arrow: bool,
    /// The host venv's Python (with the app's packages): `python` in a check command.
    pub python: &'a Path,
    pub timeout: Duration,
}

/// Judges results; keeps the built-in oracle's references, which are costly to compute.
#[derive(Default)]
pub struct ResultJudge {
    references: HashMap<(u64, u64), Arc<Vec<f64>>>,
}

impl ResultJudge {
    pub fn judge(&mut self, job: &Job) -> Result<Verdict> {
        match &job.staged.spec.check {
            Check::None => Ok(Verdict {
                correct: Correctness::Unknown,
                problem: None,
                note: Some(format!(
                    "correctness unknown: app `{}` declares no [check] in its manifest, so nothing judged its result",
                    job.staged.spec.name
                )),
                queries: Vec::new(),
            }),
            Check::Builtin(Builtin::Tpch) => Ok(tpch(job.staged)),
            Check::Builtin(Builtin::Squares) => self.squares(job),
            Check::Command(cmd) => command(job, cmd),
            Check::Expected(e) => compare_expected(job, e),
        }
    }

    fn squares(&mut self, job: &Job) -> Result<Verdict> {
        let key = (job.elements, job.seed);
        let reference = match self.references.entry(key) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let r = oracle::reference(job.python, job.elements, job.seed)?;
                e.insert(Arc::new(r))
            }
        };
        let check = oracle::check(&job.staged.result, reference)?;
        Ok(Verdict::of(check.correct, || check.summary()))
    }
}

/// Every selected TPC-H query against the answers made with its data; the run is right when all
/// are, and its problem names the first wrong query and row.
fn tpch(staged: &Staged) -> Verdict {
    let queries: Vec<u32> = match staged.queries.is_empty() {
        true => crate::infra::tpch::QUERIES.collect(),
        false => staged.queries.clone(),
    };
    let answers = staged
        .data
        .as_deref()
        .unwrap_or(Path::new(""))
        .join("answers");
    let verdicts = crate::measure::tpch_oracle::check(&staged.result, &answers, &queries);
    let wrong: Vec<&str> = verdicts
        .iter()
        .filter_map(|v| v.problem.as_deref())
        .collect();
    let mut v = Verdict::of(wrong.is_empty(), || {
        let more = match wrong.len() {
            1 => String::new(),
            n => format!(" ({} more wrong queries)", n - 1),
        };
        format!("{}{more}", wrong[0])
    });
    v.queries = verdicts;
    v
}

/// Runs the check command in the staged app directory with the host paths filled in and the
/// host venv first on PATH.
fn command(job: &Job, cmd: &[String]) -> Result<Verdict> {
    let staged = job.staged;
    let p = staged.placeholders(None, "", job.elements, job.seed);
    let rendered: Vec<String> = cmd.iter().map(|a| p.render(a)).collect();
    let launch = check_launch(job, &rendered)?;
    let (out, err) = (
        staged.root.join(CHECK_STDOUT),
        staged.root.join(CHECK_STDERR),
    );
    let sup = Supervision {
        timeout: job.timeout,
        fault: None,
        watch: None,
        sample: None,
    };
    let outcome = process::execute(&launch, &out, &err, sup)?;
    let said = || {
        let text = std::fs::read_to_string(&err).unwrap_or_default()
            + &std::fs::read_to_string(&out).unwrap_or_default();
        last_meaningful_line(&text)
    };
    Ok(match (outcome.timed_out, outcome.exit_code) {
        (true, _) => Verdict::of(false, || {
            format!(
                "the check command timed out after {}s",
                job.timeout.as_secs()
            )
        }),
        (false, Some(0)) => Verdict::of(true, String::new),
        (false, code) => Verdict::of(false, || {
            let code = code.map_or("was killed".into(), |c| format!("exited {c}"));
            format!("check command `{}` {code}: {}", rendered.join(" "), said())
        }),
    })
}

/// The rendered command, with the app's variables and the host venv first on PATH.
fn check_launch(job: &Job, rendered: &[String]) -> Result<Launch> {
    let staged = job.staged;
    let p = staged.placeholders(None, "", job.elements, job.seed);
    let bin = job.python.parent().unwrap_or(Path::new("/"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env = staged.env(&p, job.arrow);
    env.push(("PATH".into(), path.clone()));
    Ok(Launch {
        program: program(&rendered[0], job.python, &path, &staged.app)?,
        args: rendered[1..].to_vec(),
        env,
        cwd: staged.app.clone(),
        container: None,
    })
}

/// Where the check command's output is kept, in the run directory.
pub const CHECK_STDOUT: &str = "check-stdout.txt";
pub const CHECK_STDERR: &str = "check-stderr.txt";

/// `python`/`python3` are the host venv's; anything else is looked up on `path`.
fn program(name: &str, python: &Path, path: &str, cwd: &Path) -> Result<PathBuf> {
    if name == "python" || name == "python3" {
        return Ok(python.to_path_buf());
    }
    which::which_in(name, Some(path), cwd)
        .map_err(|e| Error::setup(format!("check command `{name}`: {e}")))
}

fn compare_expected(job: &Job, e: &Expected) -> Result<Verdict> {
    let staged = job.staged;
    if !staged.result.exists() {
        let missing = format!("the app wrote no result at {}", staged.result.display());
        return Ok(Verdict::of(false, || missing));
    }
    // An unreadable result is a wrong one; an unreadable expected file was checked at load.
    Ok(match tables(job, e) {
        Err(why) => Verdict::of(false, || why),
        Ok((got, want)) => {
            let check = expected::compare(&got, &want, e.tolerance, e.ordered);
            Verdict::of(check.correct, || check.summary())
        }
    })
}

/// The result and the expected file as tables (Parquet through CSV).
fn tables(job: &Job, e: &Expected) -> std::result::Result<(Table, Table), String> {
    let staged = job.staged;
    let want_path = staged.app.join(&e.file);
    let read = |p: &Path, f: Format| expected::read(p, f).map_err(|e| format!("{e:#}"));
    if e.format != Format::Parquet {
        return Ok((read(&staged.result, e.format)?, read(&want_path, e.format)?));
    }
    let csv = |from: &Path, name: &str| {
        parquet_to_csv(job.python, from, &staged.root.join(name)).map_err(|e| e.to_string())
    };
    let got = csv(&staged.result, "result.parquet.csv")?;
    let want = csv(&want_path, "expected.parquet.csv")?;
    Ok((read(&got, Format::Csv)?, read(&want, Format::Csv)?))
}

/// Parquet (a file or a directory of parts) read by the host venv's pandas, written as CSV.
fn parquet_to_csv(python: &Path, parquet: &Path, csv: &Path) -> Result<PathBuf> {
    let script =
        "import sys, pandas; pandas.read_parquet(sys.argv[1]).to_csv(sys.argv[2], index=False)";
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(parquet)
        .arg(csv)
        .output()?;
    if out.status.success() {
        return Ok(csv.to_path_buf());
    }
    Err(Error::setup(format!(
        "cannot read {} as Parquet: {}",
        parquet.display(),
        last_meaningful_line(&String::from_utf8_lossy(&out.stderr))
    )))
}
