//! `sparkmodes cluster up` as other tools' tests use it: the pytest example
//! (`examples/pytest`) run for real — its conftest starts `cluster up --connect --json`, reads
//! the document, and its tests check DataFrame code with `assertDataFrameEqual` under Spark
//! Connect and on the classic cluster — then stops it with SIGINT, leaving nothing; and a
//! cluster that dies under `cluster up` is said, and exits 3.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

use sparkmodes::config::versions;
use sparkmodes::infra::{docker, venv};

use crate::support;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/pytest")
}

/// Every container and network carrying the sparkmodes label, of any process.
fn labelled() -> BTreeSet<String> {
    let (c, n) = docker::labelled(docker::LABEL);
    c.into_iter().chain(n).collect()
}

/// The example's requirements, as the harness installs an app's packages: over the line's venv.
fn pytest_venv() -> venv::Venv {
    let text = std::fs::read_to_string(example().join("requirements.txt")).unwrap();
    let packages: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let python = sparkmodes::config::python::DEFAULT;
    venv::ensure_app(&support::spark(), python, &packages).expect("pytest venv")
}

#[test]
fn the_pytest_example_passes_against_cluster_up_connect_and_leaves_nothing() {
    let Some(()) = support::owned_cluster_or_skip("`cluster up` starts a cluster of its own")
    else {
        return;
    };
    let unsupported = versions::ConnectClient::Unsupported;
    if versions::line_of(&support::spark()).is_ok_and(|l| l.connect == unsupported) {
        eprintln!(
            "skipped: {} has no Spark Connect server here",
            support::spark()
        );
        return;
    }
    let _spark = support::spark_lock();
    support::images();
    let venv = pytest_venv();
    let before = labelled();
    let o = std::process::Command::new(&venv.python)
        .args(["-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"])
        .arg(example())
        .env("SPARKMODES_BIN", env!("CARGO_BIN_EXE_sparkmodes"))
        .env("SPARKMODES_SPARK", support::spark())
        .env("CI", "true")
        .env_remove("SPARKMODES_ENDPOINTS")
        .output()
        .unwrap();
    support::count_runs(3);
    let (stdout, stderr) = (support::stdout(&o), support::stderr(&o));
    let ready = stdout
        .lines()
        .find(|l| l.contains("ready in"))
        .unwrap_or("no ready line");
    eprintln!("{ready}");
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("3 passed"), "{stdout}");
    assert!(
        stderr.contains("interrupted by SIGINT"),
        "cluster up was stopped by the fixture: {stderr}"
    );
    let after = labelled();
    assert!(
        after.is_subset(&before),
        "left behind: {:?}",
        after.difference(&before)
    );
}

#[test]
fn cluster_up_says_why_and_exits_3_when_its_cluster_dies() {
    let Some(()) = support::owned_cluster_or_skip("`cluster up` starts a cluster of its own")
    else {
        return;
    };
    let _spark = support::spark_lock();
    support::images();
    let mut up = support::bin()
        .args([
            "cluster",
            "up",
            "--json",
            "--workers",
            "1",
            "--spark",
            &support::spark(),
        ])
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = up.id();
    let line = BufReader::new(up.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&line).expect("one JSON document");
    assert!(
        doc["master"]
            .as_str()
            .unwrap()
            .starts_with("spark://127.0.0.1:"),
        "{doc}"
    );
    assert_eq!(doc["spark_version"], support::spark().as_str());
    assert!(doc["connect"].is_null() && doc["token"].is_null(), "{doc}");
    let (containers, _) = support::labelled_with_pid(pid);
    assert_eq!(containers.len(), 2, "master and one worker");
    let master = docker::cli(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=sparkmodes.pid={pid}"),
        "--filter",
        "name=master",
    ])
    .unwrap();
    docker::cli(&["kill", master.trim()]).unwrap();
    let o = up.wait_with_output().unwrap();
    let stderr = support::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("the cluster stopped serving"), "{stderr}");
    support::assert_nothing_left(pid);
}
