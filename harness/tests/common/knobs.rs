//! The environment knobs that point the Docker-backed suite at a user's Spark: a version, an
//! existing cluster, an app. Unset, the suite tests what it always did (3.5.9, clusters it
//! starts itself, `fixtures/app`), so a platform team can run the same suite on what it is
//! about to adopt.

use std::path::PathBuf;

use sparkmodes::config::versions;

/// Spark version under test (default: the harness's default version).
pub const SPARK_VAR: &str = "SPARKMODES_TEST_SPARK";
/// `spark://host:port` of an existing cluster the shared tests run against.
pub const MASTER_VAR: &str = "SPARKMODES_TEST_MASTER";
/// An app directory the mode tests run instead of `fixtures/app`.
pub const APP_VAR: &str = "SPARKMODES_TEST_APP";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The Spark version under test.
pub fn spark() -> String {
    var(SPARK_VAR).unwrap_or_else(|| versions::DEFAULT_SPARK.to_string())
}

/// The existing cluster the shared tests use, if one is given.
pub fn external_master() -> Option<String> {
    var(MASTER_VAR)
}

/// The app the mode tests run.
pub fn app() -> PathBuf {
    var(APP_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(sparkmodes::exec::staging::fixture_dir)
}

/// `Some(())` when this test may start and own its cluster; with an existing cluster given,
/// prints `skipped: <why>` to stderr and gives `None` (`let Some(()) = … else { return };`).
pub fn owned_cluster_or_skip(why: &str) -> Option<()> {
    match external_master() {
        None => Some(()),
        Some(master) => {
            eprintln!("skipped: {why} ({MASTER_VAR}={master} is not a cluster to own)");
            None
        }
    }
}

/// `--master <url>` when the suite runs against an existing cluster, for the binary's `run`.
pub fn master_args() -> Vec<String> {
    external_master()
        .map(|m| vec!["--master".to_string(), m])
        .unwrap_or_default()
}

/// Scenario text with its Spark version set to the one under test.
pub fn with_spark(scenario: &str) -> String {
    let default = format!("spark_versions = [\"{}\"]", versions::DEFAULT_SPARK);
    assert!(scenario.contains(&default), "scenario pins {default}");
    scenario.replace(&default, &format!("spark_versions = [\"{}\"]", spark()))
}

/// A built-in scenario (`scenarios/<name>.toml`) written to `dir` for the version under test.
pub fn scenario_file(dir: &std::path::Path, name: &str) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../scenarios/{name}.toml"));
    let text = std::fs::read_to_string(src).expect("built-in scenario file");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, with_spark(&text)).expect("scenario written");
    path
}
