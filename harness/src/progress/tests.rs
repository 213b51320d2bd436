//! The plain lines a piped log gets: which build output starts a step, and how a step reads.

use super::*;

#[test]
fn docker_step_headers_start_a_step_and_other_output_does_not() {
    assert!(starts_a_step(
        "Step 3/12 : RUN apt-get install -y openjdk-17-jre"
    ));
    assert!(!starts_a_step(" ---> Running in 1f2e3d"));
    assert!(!starts_a_step("Step by step"));
    assert!(!starts_a_step(
        "Get:1 http://deb.debian.org bookworm InRelease"
    ));
}

#[test]
fn a_step_line_names_what_is_built() {
    assert_eq!(
        step_line("host venv for Spark 3.5.9", "pip install pyspark==3.5.9"),
        "host venv for Spark 3.5.9: pip install pyspark==3.5.9"
    );
    assert_eq!(step_line("", "starting cluster"), "starting cluster");
}
