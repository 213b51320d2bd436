//! The images sparkmodes builds for itself (no registry is assumed): a Debian base made with
//! debootstrap + `docker import`, and a Spark image on top. Tags carry a hash of the recipe,
//! so a changed recipe or version rebuilds and an unchanged one is reused. Each Python minor
//! has its own base and JRE (`infra::base`), both in the Spark image's tag.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::config::python::{self, PythonMinor};
use crate::config::versions;
use crate::error::{Error, Result};
use crate::infra::base::{self, short_hash, Source};
use crate::infra::cache;
use crate::infra::tools;
use crate::progress;

/// Label on every image sparkmodes makes. Not `sparkmodes`: containers inherit image labels,
/// and that key marks a run's containers for cleanup.
pub const IMAGE_LABEL: &str = "sparkmodes.image";

const DOCKERFILE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/image/Dockerfile"
));
pub use crate::infra::base::Base;
const APP_DOCKERFILE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/image/Dockerfile.app"
));

/// The images one Spark version runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    pub base: String,
    pub spark: String,
}

/// The base of the default Python: the user's image, or the bookworm debootstrap.
pub fn base_tag(base: &Base) -> String {
    match base {
        Base::Existing(name) => name.clone(),
        Base::Debootstrap => {
            base::suite_tag(python::suite_for(python::DEFAULT).expect("a suite ships the default"))
        }
    }
}

/// The Spark image tag: a pure function of the recipe, the base, its JRE and the pinned
/// packages, so the images of two Pythons (two bases) never share a tag.
pub fn spark_tag(spark_version: &str, source: &Source) -> Result<String> {
    let pins = versions::pins(spark_version)?;
    let reqs = pins.requirements().join(" ");
    let hash = short_hash(&[DOCKERFILE, &source.tag(), source.jre(), &reqs]);
    Ok(format!("sparkmodes/spark:{spark_version}-{hash}"))
}

/// The tags of the current recipes of `spark_version`: the base and Spark image of every
/// Python minor a base can be made for (what `images prune` keeps).
pub fn current_tags(spark_version: &str, base: &Base) -> Result<Vec<String>> {
    let mut keep = Vec::new();
    for minor in base::minors(base)? {
        let source = base::source_for(base, PythonMinor::new(minor))?;
        keep.push(spark_tag(spark_version, &source)?);
        keep.push(source.tag());
    }
    Ok(keep)
}

/// The image an app with extra packages runs on: `spark` plus those packages, tagged with
/// the Spark image's tag and a hash of the recipe and the packages.
pub fn app_tag(spark: &str, packages: &[String]) -> String {
    let hash = short_hash(&[APP_DOCKERFILE, spark, &packages.join(" ")]);
    format!("{spark}-app-{hash}")
}

/// The image an app's executors run on: `spark` itself, or for an app with extra packages a
/// layer over it holding them (built if missing).
pub fn ensure_app(spark: &str, packages: &[String]) -> Result<String> {
    if packages.is_empty() {
        return Ok(spark.to_string());
    }
    let tag = app_tag(spark, packages);
    if !exists(&tag)? {
        build_app(spark, packages, &tag)?;
    }
    Ok(tag)
}

fn build_app(spark: &str, packages: &[String], tag: &str) -> Result<()> {
    let ctx = tempfile::Builder::new()
        .prefix("sparkmodes-app-image-")
        .tempdir()?;
    std::fs::write(ctx.path().join("Dockerfile"), APP_DOCKERFILE)?;
    std::fs::write(ctx.path().join("ca.crt"), ca_bundle().unwrap_or_default())?;
    let mut cmd = Command::new(tools::docker()?);
    cmd.env("DOCKER_BUILDKIT", "0")
        .args(["build", "--rm", "--force-rm", "-t", tag])
        .args(["--label", &format!("{IMAGE_LABEL}=spark-app")])
        .args(["--build-arg", &format!("SPARK_IMAGE={spark}")])
        .args(["--build-arg", &format!("PACKAGES={}", packages.join(" "))])
        .arg(ctx.path());
    run_logged(cmd, &log_path(tag)?, &format!("docker build {tag}"))?;
    prune_stages()
}

/// The pip stage stays behind untagged; it holds the CA bundle and the downloaded layers.
fn prune_stages() -> Result<()> {
    crate::infra::docker::cli(&[
        "image",
        "prune",
        "--force",
        "--filter",
        &format!("label={IMAGE_LABEL}=stage"),
    ])?;
    Ok(())
}

pub fn exists(tag: &str) -> Result<bool> {
    let docker = tools::docker()?;
    let status = Command::new(docker)
        .args(["image", "inspect", "--format", "{{.Id}}", tag])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    Ok(status.success())
}

/// Makes sure both images of the default Python exist, building what is missing.
pub fn ensure(spark_version: &str, base: &Base) -> Result<Images> {
    ensure_for(spark_version, base, python::DEFAULT)
}

/// Makes sure both images of Python `python` exist, building what is missing. A warm check
/// is two inspects (and, with a user's base, one question to it per process).
pub fn ensure_for(spark_version: &str, base: &Base, python: PythonMinor) -> Result<Images> {
    versions::pins(spark_version)?;
    tools::docker_daemon()?;
    check_base(base)?;
    let source = base::source_for(base, python)?;
    let spark = spark_tag(spark_version, &source)?;
    let base_name = source.tag();
    if let Source::Suite(suite) = source {
        if !exists(&base_name)? {
            build_base(suite.name, &base_name)?;
        }
    }
    if !exists(&spark)? {
        build_spark(spark_version, &source, &spark)?;
    }
    Ok(Images {
        base: base_name,
        spark,
    })
}

/// A `--base-image` must already be local: sparkmodes never pulls. Nothing to check when the
/// base is made with debootstrap.
pub fn check_base(base: &Base) -> Result<()> {
    match base {
        Base::Existing(name) if !exists(name)? => Err(Error::setup(format!(
            "base image `{name}` does not exist locally: `docker load` or pull it first, or omit --base-image to make one with debootstrap"
        ))),
        _ => Ok(()),
    }
}

fn build_base(suite: &str, tag: &str) -> Result<()> {
    let debootstrap = tools::debootstrap()?;
    let root = tempfile::Builder::new()
        .prefix("sparkmodes-rootfs-")
        .tempdir()?;
    let log = log_path(tag)?;
    let mut cmd = Command::new(debootstrap);
    cmd.args(["--variant=minbase", suite])
        .arg(root.path())
        .arg(base::MIRROR);
    run_logged(cmd, &log, &format!("debootstrap {suite} for {tag}"))?;
    let import = format!(
        "tar -C {} -c . | docker import --change 'LABEL {IMAGE_LABEL}=base' --change 'ENV LANG=C.UTF-8' - {tag}",
        shell_quote(root.path())
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &import]);
    run_logged(cmd, &log, &format!("docker import {tag}"))
}

fn build_spark(spark_version: &str, source: &Source, tag: &str) -> Result<()> {
    let pins = versions::pins(spark_version)?;
    let ctx = tempfile::Builder::new()
        .prefix("sparkmodes-image-")
        .tempdir()?;
    std::fs::write(ctx.path().join("Dockerfile"), DOCKERFILE)?;
    std::fs::write(ctx.path().join("ca.crt"), ca_bundle().unwrap_or_default())?;
    let mut cmd = Command::new(tools::docker()?);
    // The legacy builder needs no buildx plugin, which many air-gapped hosts lack.
    cmd.env("DOCKER_BUILDKIT", "0")
        .args(["build", "--rm", "--force-rm", "-t", tag])
        .args(["--label", &format!("{IMAGE_LABEL}=spark")])
        .args(["--label", &format!("{IMAGE_LABEL}.spark={spark_version}")])
        .args(["--build-arg", &format!("BASE={}", source.tag())])
        .args(["--build-arg", &format!("JRE={}", source.jre())])
        .args([
            "--build-arg",
            &format!("REQUIREMENTS={}", pins.requirements().join(" ")),
        ])
        .arg(ctx.path());
    run_logged(cmd, &log_path(tag)?, &format!("docker build {tag}"))?;
    prune_stages()
}

/// The CA bundle of a TLS-intercepting proxy, from the variables pip and requests honour.
fn ca_bundle() -> Option<Vec<u8>> {
    ["PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
        .iter()
        .filter_map(std::env::var_os)
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read(p).ok())
}

fn log_path(tag: &str) -> Result<PathBuf> {
    let dir = cache::dir().join("logs");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(format!("build-{}.log", tag.replace(['/', ':'], "_"))))
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// Runs a long build step with a spinner showing its latest output line; on failure the
/// error carries the log's tail and path.
fn run_logged(mut cmd: Command, log: &Path, what: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    writeln!(file, "$ {what}")?;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::setup(format!("cannot start {what}: {e}")))?;
    let stderr = child.stderr.take().expect("piped");
    let err_file = file.try_clone()?;
    let err_thread = std::thread::spawn(move || copy_lines(stderr, err_file, None));
    let bar = progress::spinner(what);
    progress::step(&bar, "started");
    copy_lines(child.stdout.take().expect("piped"), file, Some(&bar));
    let _ = err_thread.join();
    let status = child.wait()?;
    progress::step(&bar, &format!("finished ({status})"));
    bar.finish_and_clear();
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(15).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(Error::setup(format!(
        "{what} failed ({status}); last lines of {}:\n{}",
        log.display(),
        tail.join("\n")
    )))
}

fn copy_lines(
    src: impl std::io::Read,
    mut dst: std::fs::File,
    bar: Option<&indicatif::ProgressBar>,
) {
    for line in BufReader::new(src).lines().map_while(|l| l.ok()) {
        let _ = writeln!(dst, "{line}");
        if let Some(bar) = bar {
            progress::output_line(bar, &line);
        }
    }
}

/// One image sparkmodes made, as `images list` shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub tag: String,
    pub id: String,
    pub size: String,
    pub created: String,
}

pub fn list() -> Result<Vec<Listed>> {
    let out = Command::new(tools::docker_daemon()?)
        .args(["images", "--filter", &format!("label={IMAGE_LABEL}")])
        .args([
            "--format",
            "{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.Size}}\t{{.CreatedSince}}",
        ])
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 4).then(|| Listed {
                tag: f[0].into(),
                id: f[1].into(),
                size: f[2].into(),
                created: f[3].into(),
            })
        })
        .collect())
}

/// Removes sparkmodes images except `keep` (the current recipes' tags); `all` removes every one.
pub fn prune(keep: &[String], all: bool) -> Result<Vec<String>> {
    let docker = tools::docker_daemon()?;
    let mut removed = Vec::new();
    for img in list()? {
        if !all && keep.contains(&img.tag) {
            continue;
        }
        let ok = Command::new(&docker)
            .args(["rmi", &img.tag])
            .stdout(Stdio::null())
            .status()?
            .success();
        if ok {
            removed.push(img.tag);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debian(minor: u32) -> Source {
        base::choose(PythonMinor::new(minor), None).unwrap()
    }

    #[test]
    fn tag_is_stable_and_follows_the_version() {
        let a = spark_tag("3.5.9", &debian(11)).unwrap();
        assert_eq!(a, spark_tag("3.5.9", &debian(11)).unwrap());
        assert!(a.starts_with("sparkmodes/spark:3.5.9-"), "{a}");
        assert_ne!(a, spark_tag("3.5.8", &debian(11)).unwrap());
        let slim = Source::Image {
            name: "debian:bookworm-slim".into(),
            jre: python::DEFAULT_JRE,
        };
        assert_ne!(a, spark_tag("3.5.9", &slim).unwrap());
        assert_eq!(base_tag(&Base::Debootstrap), debian(11).tag());
    }

    #[test]
    fn the_tag_follows_the_base_and_its_jre() {
        let on = |s: &Source| spark_tag("4.1.4", s).unwrap();
        assert_ne!(on(&debian(11)), on(&debian(13)));
        let image = |jre| Source::Image {
            name: "mine:1".into(),
            jre,
        };
        assert_ne!(
            on(&image("openjdk-17-jre-headless")),
            on(&image("openjdk-21-jre-headless"))
        );
    }

    #[test]
    fn an_app_image_tag_follows_the_packages() {
        let spark = "sparkmodes/spark:3.5.9-abc";
        let a = app_tag(spark, &["mmh3==5.2.0".into()]);
        assert!(a.starts_with("sparkmodes/spark:3.5.9-abc-app-"), "{a}");
        assert_eq!(a, app_tag(spark, &["mmh3==5.2.0".into()]));
        assert_ne!(a, app_tag(spark, &["mmh3==5.1.0".into()]));
        assert_ne!(
            a,
            app_tag("sparkmodes/spark:3.5.9-def", &["mmh3==5.2.0".into()])
        );
    }

    #[test]
    fn unknown_version_has_no_tag() {
        assert!(spark_tag("9.9.9", &debian(11)).is_err());
    }
}
