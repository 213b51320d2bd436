//! `sparkmodes doctor`: will this machine run a Spark line, and if not, what to change —
//! answered without starting a matrix. One line per check: `ok` or `problem` with the fix.
//! Docker and its API, the host Java against the line's needs, the host Pythons and the lines
//! each can drive, the Python the line would run on here (`--python`, or the host's default),
//! whether its images and venv are built, and with `--master` the running cluster's Spark
//! version against the driver's.

use std::time::Duration;

use super::ImageArgs;
use crate::config::python::{self, PythonMinor};
use crate::config::versions::{self, Line, LINES};
use crate::error::{Error, Exit, Result};
use crate::infra::{base, image, tools, venv, Base};

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// An existing cluster's master (spark://host:port), to compare its Spark version.
    #[arg(long)]
    pub master: Option<String>,
    /// The master's web UI (default: http://<master host>:8080).
    #[arg(long)]
    pub master_ui: Option<String>,
}

/// One line per check on stdout; exit 0 when the line can run here, 2 otherwise.
pub fn doctor(args: DoctorArgs) -> Result<Exit> {
    let ui = args
        .master_ui
        .clone()
        .or_else(|| args.master.as_deref().and_then(default_ui));
    if args.master.is_some() && ui.is_none() {
        return Err(Error::input("--master must be a spark://host:port URL"));
    }
    let (spark, base) = (&args.image.spark, &args.image.base());
    let checks = checks(spark, base, args.image.python, ui.as_deref());
    for c in &checks {
        println!("{}", c.line());
    }
    Ok(if checks.iter().all(|c| c.ok) {
        Exit::Ok
    } else {
        Exit::Setup
    })
}

/// One check's outcome.
pub struct Check {
    pub ok: bool,
    pub what: String,
    pub detail: String,
}

impl Check {
    fn new(ok: bool, what: &str, detail: String) -> Check {
        Check {
            ok,
            what: what.to_string(),
            detail,
        }
    }

    pub fn line(&self) -> String {
        let tag = if self.ok { "ok     " } else { "problem" };
        format!("{tag} {:<10} {}", self.what, self.detail)
    }
}

/// Every check for `spark` on Python `python` (default: the host's) and `master`, if given;
/// the run can go ahead when all are ok.
pub fn checks(
    spark: &str,
    base: &Base,
    python: Option<PythonMinor>,
    master_ui: Option<&str>,
) -> Vec<Check> {
    let line = match versions::line_of(spark) {
        Ok(l) => l,
        Err(e) => return vec![Check::new(false, "spark", e.to_string())],
    };
    let mut out = vec![docker(), java(line), cache()];
    out.extend(pythons());
    let chosen = chosen_python(spark, base, python);
    let minor = chosen.as_ref().ok().copied();
    out.push(match chosen {
        Ok(m) => Check::new(true, "python", format!("runs Spark {spark} on Python {m}")),
        Err(e) => Check::new(false, "python", e),
    });
    if let Some(minor) = minor {
        out.push(images(spark, base, minor));
        out.push(host_venv(spark, minor));
    }
    if let Some(ui) = master_ui {
        out.push(master(ui, spark));
    }
    out
}

fn docker() -> Check {
    let Ok(bin) = tools::docker_daemon() else {
        let why = tools::docker_daemon()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        return Check::new(false, "docker", why);
    };
    let format = "{{.Server.Version}} (API {{.Server.APIVersion}})";
    let v = tools::command_output(&bin, &["version", "--format", format]).unwrap_or_default();
    Check::new(true, "docker", format!("Docker {}", v.trim()))
}

/// The Java major of `java -version` output (`"17.0.15"` → 17, `"1.8.0_392"` → 8).
pub fn java_major(text: &str) -> Option<u32> {
    let quoted = text.split('"').nth(1)?;
    let mut parts = quoted.split(['.', '_', '-']);
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        return parts.next()?.parse().ok();
    }
    Some(first)
}

fn java(line: &Line) -> Check {
    let Ok(bin) = tools::java() else {
        let fix = format!(
            "install Java {}+ (e.g. `apt-get install openjdk-17-jre-headless`)",
            line.java.max(17)
        );
        return Check::new(false, "java", format!("no `java` on PATH: {fix}"));
    };
    let text = tools::command_output(&bin, &["-version"]).unwrap_or_default();
    match java_major(&text) {
        Some(v) if v >= line.java => Check::new(
            true,
            "java",
            format!("Java {v} (Spark {} needs {}+)", line.line, line.java),
        ),
        Some(v) => Check::new(
            false,
            "java",
            format!(
                "Java {v}, but Spark {} needs {}+: install a newer JDK and put it first on PATH",
                line.line, line.java
            ),
        ),
        None => Check::new(
            false,
            "java",
            format!("cannot read the version of {}", bin.display()),
        ),
    }
}

/// Each `python3.X` on the host (PATH or pyenv), and which Spark lines it can drive.
fn pythons() -> Vec<Check> {
    let mut out = Vec::new();
    for minor in 8..=14u32 {
        let name = format!("python3.{minor}");
        let Some(bin) = tools::find_python(PythonMinor::new(minor)) else {
            continue;
        };
        let v = tools::command_output(&bin, &["--version"]).unwrap_or_default();
        let drives: Vec<&str> = LINES
            .iter()
            .filter(|l| l.check_python(minor).is_ok())
            .map(|l| l.line)
            .collect();
        let base = python::suite_for(PythonMinor::new(minor)).map_or(String::new(), |s| {
            format!("; image base: Debian {}", s.name)
        });
        out.push(Check::new(
            true,
            "python",
            format!(
                "{name} ({}) supports Spark {}{base}",
                v.trim(),
                drives.join(", ")
            ),
        ));
    }
    out
}

/// The Python the line runs on here: `--python`, or the host's default; it must be one the
/// line supports and one a base image can be made for.
fn chosen_python(
    spark: &str,
    base: &Base,
    python: Option<PythonMinor>,
) -> Result<PythonMinor, String> {
    let minor = match python {
        Some(p) => p,
        None => crate::pipeline::python_axis::default_minor(base).map_err(|e| e.to_string())?,
    };
    python::check_line(spark, minor)?;
    base::source_for(base, minor).map_err(|e| e.to_string())?;
    Ok(minor)
}

fn images(spark: &str, base: &Base, minor: PythonMinor) -> Check {
    let tag = base::source_for(base, minor).and_then(|s| image::spark_tag(spark, &s));
    let Ok(tag) = tag else {
        return Check::new(false, "image", format!("no recipe for {spark}"));
    };
    match image::exists(&tag) {
        Ok(true) => Check::new(true, "image", format!("{tag} is built")),
        _ => Check::new(true, "image", format!("{tag} not built yet: the first run builds it (or `sparkmodes images build --spark {spark} --python {minor}`)")),
    }
}

/// The cache the venvs and build logs go to: a writable directory, or a path one can be made at.
fn cache() -> Check {
    match crate::infra::cache::check() {
        Ok(dir) => Check::new(true, "cache", format!("{} is usable", dir.display())),
        Err(e) => Check::new(false, "cache", e),
    }
}

fn host_venv(spark: &str, minor: PythonMinor) -> Check {
    match venv::dir_for_python(spark, minor) {
        Ok(dir) if dir.join("venv.json").is_file() => {
            Check::new(true, "venv", format!("{} is ready", dir.display()))
        }
        Ok(dir) => Check::new(
            true,
            "venv",
            format!("{} not made yet: the first run makes it", dir.display()),
        ),
        Err(e) => Check::new(false, "venv", e.to_string()),
    }
}

/// The master's web UI shows its Spark version; the driver's pyspark must be the same.
fn master(ui: &str, spark: &str) -> Check {
    let page = reqwest::blocking::Client::new()
        .get(ui)
        .timeout(Duration::from_secs(5))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.text());
    let page = match page {
        Ok(p) => p,
        Err(e) => return Check::new(false, "master", format!("{ui} does not answer: {e}")),
    };
    match ui_version(&page) {
        Some(v) if v == spark => Check::new(true, "master", format!("{ui} runs Spark {v}, as the driver")),
        Some(v) => Check::new(false, "master", format!("{ui} runs Spark {v}, the driver would be {spark}: pass --spark {v} (a skew fails every run with InvalidClassException)")),
        None => Check::new(false, "master", format!("{ui} answered, but shows no Spark version: is it a Spark master's web UI?")),
    }
}

/// `<span class="version" …>3.5.9</span>` in the master UI's header.
pub fn ui_version(page: &str) -> Option<String> {
    let at = page.find("class=\"version\"")?;
    let rest = &page[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')? + start;
    let v = rest[start..end].trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The web UI of a `spark://host:port` master, assumed on the standard port 8080.
pub fn default_ui(master: &str) -> Option<String> {
    let hostport = master.strip_prefix("spark://")?;
    let host = hostport.rsplit_once(':').map_or(hostport, |(h, _)| h);
    Some(format!("http://{host}:8080"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_versions_are_read_old_and_new() {
        assert_eq!(
            java_major("openjdk version \"17.0.15\" 2025-04-15"),
            Some(17)
        );
        assert_eq!(java_major("java version \"1.8.0_392\""), Some(8));
        assert_eq!(java_major("openjdk version \"21\" 2023-09-19"), Some(21));
        assert_eq!(java_major("garbage"), None);
    }

    #[test]
    fn the_master_ui_names_its_version() {
        let page = r#"<h3 style="vertical-align: middle; display: inline-block;"><a href="/"><img src="/static/spark-logo.png" /><span class="version" style="margin-right: 15px;">3.5.9</span></a>Spark Master at spark://m:7077</h3>"#;
        assert_eq!(ui_version(page).as_deref(), Some("3.5.9"));
        assert_eq!(ui_version("<html></html>"), None);
        assert_eq!(
            default_ui("spark://10.0.0.5:7077").as_deref(),
            Some("http://10.0.0.5:8080")
        );
    }

    #[test]
    fn an_unknown_line_is_one_problem() {
        let c = checks("2.4.8", &Base::Debootstrap, None, None);
        assert_eq!(c.len(), 1);
        assert!(
            !c[0].ok && c[0].detail.contains("no image recipe"),
            "{}",
            c[0].line()
        );
    }
}
