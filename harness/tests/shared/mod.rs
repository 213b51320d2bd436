//! What both test binaries need: the `sparkmodes` binary under test, and the leak checks
//! (every container and network a process made carries `sparkmodes.pid=<pid>`).

use std::process::Command;

use sparkmodes::infra::docker;

/// The `sparkmodes` binary under test, without `GITHUB_STEP_SUMMARY`: the suite runs inside
/// CI jobs too, and the binary must not write into that job's summary.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sparkmodes"));
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Containers and networks labelled by the process `pid`.
pub fn labelled_with_pid(pid: u32) -> (Vec<String>, Vec<String>) {
    let by_pid = format!("label=sparkmodes.pid={pid}");
    let ids = |what: &[&str]| -> Vec<String> {
        let mut args = what.to_vec();
        args.extend(["--filter", "label=sparkmodes", "--filter", &by_pid]);
        docker::cli(&args)
            .expect("docker answers")
            .lines()
            .map(str::to_string)
            .collect()
    };
    (ids(&["ps", "-aq"]), ids(&["network", "ls", "-q"]))
}

/// Nothing labelled by the process `pid` is left.
pub fn assert_nothing_left(pid: u32) {
    let (containers, networks) = labelled_with_pid(pid);
    assert!(
        containers.is_empty() && networks.is_empty(),
        "left behind by pid {pid}: containers {containers:?}, networks {networks:?}"
    );
}
