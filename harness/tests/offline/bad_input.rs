//! Bad input is refused before anything starts, on the real binary: exit code 2, one line on
//! stderr that names what to fix, no container or network left behind by that invocation, and
//! no run directory created (or an existing one left byte-for-byte unchanged).
//!
//! Only a Docker daemon is needed (for the cases that get as far as the tool checks). Every
//! `run` is given a PATH of its own holding `docker` but no `java` unless the case needs it, so
//! a check that stopped refusing early would fail on the missing `java` instead of reaching Spark.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sparkmodes::{Mode, RunRecord};
use tempfile::TempDir;

use crate::common;

use common::assert_nothing_left;

/// A valid scenario; each case breaks one line of it. Lines: 1 name, 2 spark_versions,
/// 3 modes, 4 arrow, 5 elements, 6 repetitions.
const VALID: &str = "name = \"bad-input\"
spark_versions = [\"3.5.9\"]
modes = [\"direct\", \"cluster-refusal\"]
arrow = [true]
elements = [1000]
repetitions = 1
";

/// A scratch world for one test: a PATH directory, an output directory, a cache directory and
/// a place for scenario files.
struct Sandbox {
    root: TempDir,
}

impl Sandbox {
    /// PATH holds `docker` (the real one) plus an empty stand-in for each of `fakes` (a
    /// `python3.X` or `python3` stand-in answers `--version` like that Python: `python3=3.13`
    /// is a `python3` of 3.13).
    fn new(fakes: &[&str]) -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        for d in ["bin", "out", "cache", "scenarios"] {
            std::fs::create_dir(root.path().join(d)).unwrap();
        }
        let sb = Sandbox { root };
        let docker = which::which("docker").expect("these tests need the docker CLI on PATH");
        std::os::unix::fs::symlink(docker, sb.bin().join("docker")).unwrap();
        for fake in fakes {
            // Looked up on PATH, at most asked its version, by the checks these tests reach.
            let (name, version) = fake.split_once('=').unwrap_or((fake, ""));
            let version = match name.strip_prefix("python") {
                Some(v) if version.is_empty() => v,
                _ => version,
            };
            let path = sb.bin().join(name);
            let script = format!("#!/bin/sh\necho Python {version}.0\nexit 0\n");
            std::fs::write(&path, script).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        sb
    }

    fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    fn out(&self) -> PathBuf {
        self.root.path().join("out")
    }

    fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }

    /// Writes VALID with `from` replaced by `to` and returns the file's path.
    fn scenario(&self, from: &str, to: &str) -> PathBuf {
        assert!(VALID.contains(from), "{from} is not in the scenario");
        let path = self.root.path().join("scenarios").join("s.toml");
        std::fs::write(&path, VALID.replacen(from, to, 1)).unwrap();
        path
    }

    fn valid_scenario(&self) -> PathBuf {
        self.scenario("name", "name")
    }

    fn run(&self, args: &[&str]) -> Outcome {
        self.run_env(args, &[])
    }

    /// Runs the binary with this sandbox's PATH and cache, plus `env`.
    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let before = Snapshot::of(self.root.path());
        let mut cmd = common::bin();
        cmd.args(args)
            .env("PATH", self.bin())
            .env("SPARKMODES_CACHE", self.cache())
            // The host's pyenv Pythons are not this sandbox's.
            .env("PYENV_ROOT", self.root.path().join("no-pyenv"))
            .env("RUST_BACKTRACE", "1")
            .env_remove("SPARKMODES_KEEP")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let pid = child.id();
        let out = child.wait_with_output().unwrap();
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            pid,
            files_changed: before.diff(&Snapshot::of(self.root.path())),
        }
    }

    /// `run <scenario> --output <out>` plus `extra`.
    fn run_scenario(&self, scenario: &Path, extra: &[&str]) -> Outcome {
        let scenario = scenario.to_str().unwrap();
        let out = self.out();
        let mut args = vec!["run", scenario, "--output", out.to_str().unwrap()];
        args.extend(extra);
        self.run(&args)
    }
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    pid: u32,
    /// Paths under the sandbox that appeared, vanished or changed during the invocation.
    files_changed: Vec<PathBuf>,
}

impl Outcome {
    /// Asserts a clean refusal naming every one of `names`; returns the message.
    #[track_caller]
    fn refused(&self, names: &[&str]) -> String {
        let all = format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert_eq!(self.code, Some(2), "exit code; {all}");
        assert_eq!(self.stdout, "", "nothing on stdout; {all}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr; {all}");
        let msg = lines[0]
            .strip_prefix("sparkmodes: error: ")
            .unwrap_or_else(|| panic!("not a sparkmodes error line; {all}"));
        for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
            assert!(!msg.contains(bad), "{bad} in the message; {all}");
        }
        for name in names {
            assert!(msg.contains(name), "message does not name {name:?}: {msg}");
        }
        assert_eq!(self.files_changed, Vec::<PathBuf>::new(), "files changed");
        assert_nothing_left(self.pid);
        msg.to_string()
    }
}

/// Every path under a directory with its bytes (directories as `None`).
#[derive(PartialEq)]
struct Snapshot(BTreeMap<PathBuf, Option<Vec<u8>>>);

impl Snapshot {
    fn of(root: &Path) -> Snapshot {
        let mut files = BTreeMap::new();
        let mut todo = vec![root.to_path_buf()];
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                if meta.is_dir() {
                    todo.push(path.clone());
                    files.insert(path, None);
                } else if meta.is_file() {
                    let bytes = std::fs::read(&path).unwrap();
                    files.insert(path, Some(bytes));
                } else {
                    files.insert(path, Some(Vec::new()));
                }
            }
        }
        Snapshot(files)
    }

    fn diff(&self, after: &Snapshot) -> Vec<PathBuf> {
        let mut changed: Vec<PathBuf> = self
            .0
            .iter()
            .filter(|(p, v)| after.0.get(*p) != Some(v))
            .map(|(p, _)| p.clone())
            .collect();
        changed.extend(after.0.keys().filter(|p| !self.0.contains_key(*p)).cloned());
        changed
    }
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn malformed_toml_names_file_and_line() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario("repetitions = 1", "repetitions = = 1");
    let msg = sb
        .run_scenario(&s, &[])
        .refused(&[&format!("{}:6:", path_str(&s))]);
    assert!(msg.contains("invalid TOML"), "{msg}");
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario("modes =", "modez =");
    sb.run_scenario(&s, &[]).refused(&[
        &format!("{}:3:", path_str(&s)),
        "unknown key `modez`",
        "`modes`",
    ]);
}

#[test]
fn unknown_mode_names_the_mode_and_the_choices() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario("\"cluster-refusal\"", "\"clustr\"");
    sb.run_scenario(&s, &[]).refused(&[
        &format!("{}:3:", path_str(&s)),
        "key `modes[1]`",
        "unknown mode `clustr`",
        "direct, containerized, submit, cluster-refusal",
    ]);
}

#[test]
fn repetitions_below_one_name_the_key() {
    let sb = Sandbox::new(&[]);
    for n in ["0", "-1"] {
        let s = sb.scenario("repetitions = 1", &format!("repetitions = {n}"));
        sb.run_scenario(&s, &[]).refused(&[
            &format!("{}:6:", path_str(&s)),
            "key `repetitions`",
            &format!("must be at least 1, got {n}"),
        ]);
    }
}

#[test]
fn element_counts_out_of_bounds_name_the_key_and_the_bound() {
    let sb = Sandbox::new(&[]);
    for n in ["0", "1e12", "999999999999", "-3"] {
        let s = sb.scenario("elements = [1000]", &format!("elements = [{n}]"));
        sb.run_scenario(&s, &[]).refused(&[
            &format!("{}:5:", path_str(&s)),
            "key `elements[0]`",
            "between 1 and 100000000",
        ]);
    }
}

#[test]
fn spark_version_without_a_recipe_names_the_supported_lines() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario("\"3.5.9\"", "\"2.4.8\"");
    let supported = "supported lines are 3.5.x, 4.0.x, 4.1.x";
    sb.run_scenario(&s, &[]).refused(&[
        &format!("{}:2:", path_str(&s)),
        "key `spark_versions[0]`",
        "2.4.8 has no image recipe",
        supported,
    ]);
    // `images build` refuses it too, before asking Docker for anything; and Connect on 3.5.
    let no_docker = [("DOCKER_HOST", "unix:///nonexistent.sock")];
    sb.run_env(&["images", "build", "--spark", "2.4.8"], &no_docker)
        .refused(&["2.4.8", supported]);
    sb.run_env(
        &["images", "build", "--spark", "3.5.9", "--connect"],
        &no_docker,
    )
    .refused(&["Spark Connect server of 3.5", "use a 4.x line"]);
}

#[test]
fn docker_daemon_down_is_named() {
    let sb = Sandbox::new(&[]);
    let out = sb.out();
    let args = ["run", "smoke", "--output", out.to_str().unwrap()];
    let env = [("DOCKER_HOST", "unix:///nonexistent.sock")];
    sb.run_env(&args, &env).refused(&[
        "no Docker daemon answers",
        "unix:///nonexistent.sock",
        "DOCKER_HOST",
    ]);
}

#[test]
fn missing_java_is_named_with_how_to_install_it() {
    let sb = Sandbox::new(&["python3.11"]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &[]).refused(&[
        "`java` not found on PATH",
        "install Java 17+",
        "openjdk-17",
    ]);
}

#[test]
fn missing_python_is_named_with_how_to_install_it() {
    let sb = Sandbox::new(&["java"]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &[]).refused(&[
        "no Python minor is given",
        "no python3.11 (PATH or pyenv)",
        "nor a python3",
        "pyenv install 3.11",
    ]);
}

/// Inserts `python = …` as line 3 of the scenario, with `spark` as its version.
fn with_python(sb: &Sandbox, spark: &str, python: &str) -> PathBuf {
    let to = format!("spark_versions = [\"{spark}\"]\npython = {python}");
    sb.scenario("spark_versions = [\"3.5.9\"]", &to)
}

#[test]
fn a_python_outside_a_lines_support_names_the_lines_that_fit() {
    let sb = Sandbox::new(&[]);
    let s = with_python(&sb, "3.5.9", "[\"3.11\", \"3.13\"]");
    sb.run_scenario(&s, &[]).refused(&[
        &format!("{}:3:", path_str(&s)),
        "key `python[1]`",
        "Spark 3.5 supports Python 3.8 to 3.11, not 3.13",
        "no wheels",
        "for Python 3.13 use Spark 4.0.x, 4.1.x, 4.2.x, 4.3.x",
    ]);
    let s = with_python(&sb, "4.1.4", "[\"3\"]");
    sb.run_scenario(&s, &[])
        .refused(&["key `python[0]`", "must be a Python minor like \"3.11\""]);
}

#[test]
fn a_python_without_a_base_or_an_interpreter_is_named() {
    let sb = Sandbox::new(&["java", "python3.12"]);
    let s = with_python(&sb, "4.1.4", "[\"3.12\"]");
    sb.run_scenario(&s, &[]).refused(&[
        "key `python[0]`",
        "no base image for Python 3.12",
        "bookworm (3.11), trixie (3.13)",
        "--base-image with a local image whose python3 is 3.12",
    ]);
    let s = with_python(&sb, "4.1.4", "[\"3.13\"]");
    sb.run_scenario(&s, &[]).refused(&[
        "key `python[0]`",
        "python3.13 not found on PATH or under pyenv",
        "pyenv install 3.13",
    ]);
}

#[test]
fn the_default_on_a_host_with_only_python_3_13_names_the_lines_it_runs() {
    let sb = Sandbox::new(&["java", "python3=3.13", "python3.13"]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &[]).refused(&[
        &path_str(&s),
        "the default Python on this host is 3.13 (no python3.11 found)",
        "use Spark 4.0.x, 4.1.x, 4.2.x, 4.3.x",
        "pyenv install 3.11",
    ]);
}

const MISSING_IMAGE: &str = "sparkmodes-test/nope:1";

fn assert_image_absent(name: &str) {
    let status = Command::new("docker")
        .args(["image", "inspect", name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "precondition: {name} must not exist");
}

#[test]
fn missing_base_image_is_named_by_images_build() {
    assert_image_absent(MISSING_IMAGE);
    let sb = Sandbox::new(&[]);
    sb.run(&["images", "build", "--base-image", MISSING_IMAGE])
        .refused(&[
            &format!("base image `{MISSING_IMAGE}` does not exist locally"),
            "`docker load` or pull it first",
            "omit --base-image",
        ]);
}

#[test]
fn missing_base_image_is_refused_by_run_before_the_run_directory() {
    assert_image_absent(MISSING_IMAGE);
    // Tools present, so the run gets as far as the base image check.
    let sb = Sandbox::new(&["java", "python3.11"]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &["--base-image", MISSING_IMAGE])
        .refused(&[&format!(
            "base image `{MISSING_IMAGE}` does not exist locally"
        )]);
}

#[test]
fn output_under_a_regular_file_is_named() {
    let sb = Sandbox::new(&[]);
    let file = sb.root.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let output = file.join("sub");
    let s = sb.valid_scenario();
    let out = sb.run(&[
        "run",
        s.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    out.refused(&[
        &format!("--output {}", path_str(&output)),
        &format!("{}: is a regular file, not a directory", path_str(&file)),
    ]);
}

#[test]
fn output_where_nothing_can_be_created_is_named() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    let out = sb.run(&[
        "run",
        s.to_str().unwrap(),
        "--output",
        "/proc/sparkmodes-nope",
    ]);
    out.refused(&[
        "--output /proc/sparkmodes-nope",
        "/proc: cannot create a directory",
    ]);
    assert!(!Path::new("/proc/sparkmodes-nope").exists());
}

#[test]
fn external_master_that_does_not_answer_is_named() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &["--master", "spark://127.0.0.1:1"])
        .refused(&["--master spark://127.0.0.1:1 does not answer"]);
}

#[test]
fn malformed_master_url_is_named() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &["--master", "http://x"])
        .refused(&["--master `http://x`", "spark://host:port"]);
}

#[test]
fn existing_run_id_without_resume_names_resume_and_is_left_unchanged() {
    let sb = Sandbox::new(&[]);
    let existing = sb.out().join("r1");
    std::fs::create_dir_all(existing.join("runs")).unwrap();
    std::fs::write(existing.join("runs.jsonl"), "{\"partial\": true}\n").unwrap();
    std::fs::write(existing.join("runs").join("x.txt"), [0u8, 1, 2, 255]).unwrap();
    let s = sb.valid_scenario();
    // `refused` also checks that every byte under the sandbox is as it was.
    sb.run_scenario(&s, &["--run-id", "r1"]).refused(&[
        &format!("{} already exists", path_str(&existing)),
        "--resume r1",
    ]);
}

#[test]
fn resume_of_a_missing_run_names_it() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &["--resume", "nope"]).refused(&[
        "cannot resume nope",
        &path_str(&sb.out().join("nope")),
        "--output",
    ]);
}

#[test]
fn run_id_that_is_a_path_is_refused() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &["--run-id", "../escape"]).refused(&[
        "--run-id",
        "../escape",
        "letters, digits",
    ]);
}

#[test]
fn app_directory_without_its_ini_is_named() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    let app = sb.root.path().join("no-app");
    let names = [&format!("--app {}", path_str(&app)), "data/data_source.ini"];
    sb.run_scenario(&s, &["--app", app.to_str().unwrap()])
        .refused(&names);
    // `images build --app` reads the same manifest, before asking Docker for anything.
    let args = ["images", "build", "--app", app.to_str().unwrap()];
    sb.run_env(&args, &[("DOCKER_HOST", "unix:///nonexistent.sock")])
        .refused(&names);
}

/// An app directory holding `manifest` as its sparkmodes-app.toml, and a script.
fn app_dir(sb: &Sandbox, name: &str, manifest: &str) -> PathBuf {
    let dir = sb.root.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("job.py"), "print('hi')\n").unwrap();
    std::fs::write(dir.join("sparkmodes-app.toml"), manifest).unwrap();
    dir
}

#[test]
fn a_bad_app_manifest_names_file_line_and_key() {
    let sb = Sandbox::new(&[]);
    let s = sb.valid_scenario();
    let cases = [
        (
            "name = \"a\"\nentry = \"job.py\"\nentyr = 1\n",
            3,
            "unknown key `entyr`",
        ),
        (
            "name = \"a\"\nentry = \"job.py\"\npackages = [\"mmh3\"]\n",
            3,
            "key `packages[0]`: must be pinned",
        ),
        ("name = \"a\"\nentry = \"main.py\"\n", 2, "key `entry`"),
        (
            "name = \"a\"\nentry = \"job.py\"\n[check]\nbuiltin = \"squares\"\n",
            4,
            "size_knob",
        ),
        (
            "name = \"a\"\nentry = \"job.py\"\nargs = [\"{rows}\"]\n",
            3,
            "unknown placeholder `{rows}`",
        ),
    ];
    for (i, (manifest, line, why)) in cases.into_iter().enumerate() {
        let app = app_dir(&sb, &format!("app{i}"), manifest);
        let at = format!("{}:{line}:", path_str(&app.join("sparkmodes-app.toml")));
        sb.run_scenario(&s, &["--app", app.to_str().unwrap()])
            .refused(&[&at, why]);
    }
    // `images build --app` reads manifests through the same door.
    let app = app_dir(&sb, "bad", cases[0].0);
    let args = ["images", "build", "--app", app.to_str().unwrap()];
    sb.run_env(&args, &[("DOCKER_HOST", "unix:///nonexistent.sock")])
        .refused(&["unknown key `entyr`"]);
}

#[test]
fn a_scenario_that_does_not_fit_the_app_is_refused() {
    let sb = Sandbox::new(&[]);
    let app = app_dir(
        &sb,
        "app",
        "name = \"a\"\nentry = \"job.py\"\nmodes = [\"direct\"]\n",
    );
    let s = sb.valid_scenario();
    sb.run_scenario(&s, &["--app", app.to_str().unwrap()])
        .refused(&["app `a` declares the modes [direct], not `cluster-refusal`"]);
    let sized = sb.scenario("elements = [1000]", "elements = [1000, 2000]");
    let app = app_dir(&sb, "app2", "name = \"a\"\nentry = \"job.py\"\n");
    sb.run_scenario(&sized, &["--app", app.to_str().unwrap()])
        .refused(&["no size knob"]);
}

#[test]
fn help_names_the_exit_codes_and_the_scenario_argument() {
    let help = common::bin().arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("Exit codes: 0 ok, 2 bad input or setup failed, 3 wrong result"),
        "{text}"
    );
    assert!(text.contains("4 performance regression"), "{text}");

    let run = common::bin().args(["run", "--help"]).output().unwrap();
    assert_eq!(run.status.code(), Some(0));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("[SCENARIO]"), "{text}");
    assert!(
        text.contains("A scenario file, or the name of a built-in one"),
        "{text}"
    );
    assert!(text.contains("Exit codes: 0 ok, 2 bad input"), "{text}");
}

// --- Holes in the verdict, each refused before anything is created. -------------

#[test]
fn conf_that_would_inject_lines_is_refused() {
    let sb = Sandbox::new(&[]);
    let cases = [
        (
            "\"spark.x\" = \"a\\nspark.sql.execution.arrow.pyspark.enabled true\"",
            "control character",
        ),
        ("\"spark.x \" = \"1\"", "letters, digits"),
        ("\"spark.x=y\" = \"1\"", "letters, digits"),
        (
            "\"spark.sql.execution.arrow.enabled\" = \"true\"",
            "set by the harness",
        ),
        (
            "\"spark.eventLog.enabled\" = \"false\"",
            "set by the harness",
        ),
    ];
    for (line, why) in cases {
        let s = sb.scenario(
            "repetitions = 1\n",
            &format!("repetitions = 1\n[spark_conf]\n{line}\n"),
        );
        sb.run_scenario(&s, &[])
            .refused(&[&format!("{}:8:", path_str(&s)), why]);
    }
}

#[test]
fn a_plan_too_large_to_build_is_refused_at_once() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario("repetitions = 1", "repetitions = 1000000000");
    sb.run_scenario(&s, &[])
        .refused(&["key `repetitions`", "at most 10000"]);
    let sizes: Vec<String> = (1..=10).map(|i| (i * 1000).to_string()).collect();
    let text = VALID
        .replace(
            "elements = [1000]",
            &format!("elements = [{}]", sizes.join(", ")),
        )
        .replace("repetitions = 1", "repetitions = 10000");
    let s = sb.root.path().join("scenarios").join("big-plan.toml");
    std::fs::write(&s, text).unwrap();
    sb.run_scenario(&s, &[])
        .refused(&["the matrix has", "runs, at most 100000"]);
}

#[test]
fn executors_larger_than_a_worker_are_refused() {
    let sb = Sandbox::new(&[]);
    for (key, value, why) in [
        ("spark.executor.memory", "\"4g\"", "more than a worker"),
        ("spark.executor.cores", "\"3\"", "a worker of config"),
    ] {
        let s = sb.scenario(
            "repetitions = 1\n",
            &format!("repetitions = 1\n[spark_conf]\n\"{key}\" = {value}\n"),
        );
        sb.run_scenario(&s, &[])
            .refused(&[&format!("spark_conf.\"{key}\""), why]);
    }
}

#[test]
fn a_driver_this_machine_cannot_hold_is_refused_before_anything_starts() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario(
        "repetitions = 1\n",
        "repetitions = 1\n[spark_conf]\n\"spark.driver.memory\" = \"4096g\"\n",
    );
    sb.run_scenario(&s, &[])
        .refused(&["spark.driver.memory = 4096g", "do not fit this machine"]);
}

#[test]
fn a_frontier_with_a_driver_spark_refuses_to_start_is_refused_at_load() {
    let sb = Sandbox::new(&[]);
    let s = sb.scenario(
        "elements = [1000]\nrepetitions = 1\n",
        "elements = [1000, 2000]\nrepetitions = 1\n[frontier]\ndriver_memory = [\"256m\"]\nstep = 100\n",
    );
    let s2 = std::fs::read_to_string(&s)
        .unwrap()
        .replace("\"direct\", \"cluster-refusal\"", "\"direct\"");
    std::fs::write(&s, s2).unwrap();
    sb.run_scenario(&s, &[])
        .refused(&["frontier.driver_memory[0]", "below 512m"]);
}

#[test]
fn a_scenario_path_that_is_not_a_regular_file_is_refused() {
    let sb = Sandbox::new(&[]);
    let fifo = sb.root.path().join("scenarios").join("fifo.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    sb.run_scenario(&fifo, &[]).refused(&["not a regular file"]);
    sb.run_scenario(Path::new("/dev/zero"), &[])
        .refused(&["/dev/zero", "not a regular file"]);
    let big = sb.root.path().join("scenarios").join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
    sb.run_scenario(&big, &[])
        .refused(&["big.toml", "more than the 1048576"]);
}

#[test]
fn a_run_id_the_filesystem_cannot_hold_is_refused() {
    let sb = Sandbox::new(&[]);
    let long = "r".repeat(300);
    sb.run_scenario(&sb.valid_scenario(), &["--run-id", &long])
        .refused(&["--run-id", "1 to 128"]);
}

#[test]
fn cluster_up_checks_its_flags_like_a_scenario() {
    let sb = Sandbox::new(&[]);
    let cases: [(&[&str], &str); 6] = [
        (
            &["--worker-memory", "banana"],
            "--worker-memory must be a size",
        ),
        (
            &["--connect", "--spark", "3.5.9"],
            "--connect: Spark 3.5.9 has no Connect server here",
        ),
        (
            &["--env-file", "/nonexistent-dir/spark.env"],
            "--env-file /nonexistent-dir/spark.env",
        ),
        (&["--workers", "0"], "--workers must be between 1 and 64"),
        (
            &["--workers", "64", "--worker-cores", "1024"],
            "cores on a machine with",
        ),
        (
            &["--worker-memory", "100000g"],
            "MiB of worker memory on a machine with",
        ),
    ];
    for (flags, why) in cases {
        let mut args = vec!["cluster", "up"];
        args.extend(flags);
        sb.run(&args).refused(&[why]);
    }
}

/// Every command that takes `--python` reads it into one typed minor before it does
/// anything: a malformed value is refused naming the flag and the form it wants.
#[test]
fn every_python_flag_refuses_what_is_not_a_python_minor() {
    let sb = Sandbox::new(&[]);
    for cmd in [&["images", "build"][..], &["cluster", "up"], &["doctor"]] {
        for bad in ["3", "3.x", "2.7", "py3.11", "3.11.2", ""] {
            let flag = format!("--python={bad}");
            let mut args = cmd.to_vec();
            args.push(&flag);
            sb.run(&args)
                .refused(&["--python", "must be a Python minor like \"3.11\""]);
        }
    }
}

#[test]
fn compare_refuses_a_threshold_that_would_pass_anything() {
    let sb = Sandbox::new(&[]);
    let dir = sb.out();
    let dir = dir.to_str().unwrap();
    for t in ["nan", "inf", "2", "0", "-0.5"] {
        let flag = format!("--threshold={t}");
        sb.run(&["compare", dir, dir, &flag])
            .refused(&["--threshold", "at most 1"]);
    }
}

/// A candidate with no runs, or missing a baseline cell, cannot pass the gate.
#[test]
fn compare_fails_when_it_compared_nothing_or_a_cell_is_missing() {
    let sb = Sandbox::new(&[]);
    let write = |name: &str, records: &[RunRecord]| {
        let dir = sb.root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let lines: String = records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        std::fs::write(dir.join("runs.jsonl"), lines).unwrap();
        dir
    };
    let runs = |mode: Mode, run_id: &str| -> Vec<RunRecord> {
        (0..5)
            .map(|rep| RunRecord {
                run_id: run_id.into(),
                mode,
                rep,
                wall_s: 10.0 + f64::from(rep) * 0.01,
                ..RunRecord::example()
            })
            .collect()
    };
    let both = |id| [runs(Mode::Direct, id), runs(Mode::Submit, id)].concat();
    let base = write("base", &both("b"));
    let empty = write("empty", &[]);
    let partial = write("partial", &runs(Mode::Direct, "p"));
    let same = write("same", &both("s"));
    let gate = |cand: &Path| sb.run(&["compare", base.to_str().unwrap(), cand.to_str().unwrap()]);
    let o = gate(&empty);
    assert_eq!(o.code, Some(3), "{}", o.stderr);
    assert!(o.stderr.contains("the gate fails"), "{}", o.stderr);
    let o = gate(&partial);
    assert_eq!(o.code, Some(3), "{}", o.stderr);
    assert!(
        o.stderr.contains("no measured run in the candidate"),
        "{}",
        o.stderr
    );
    assert_eq!(gate(&same).code, Some(0));
}

/// `run --help` lists the built-in scenarios a user may name: every one, so none is hidden.
#[test]
fn run_help_names_every_built_in_scenario() {
    let help = common::bin().args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let listed = help
        .split_once("built-in one (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list.split(", ").collect::<Vec<_>>())
        .unwrap_or_default();
    for (name, _) in sparkmodes::config::scenario::BUILTIN {
        assert!(
            listed.contains(&name),
            "`{name}` missing from run --help:\n{help}"
        );
    }
}
