//! Each version's stack from canned answers: what the venv and the image say, and what is
//! left `None` when they do not answer.

use std::collections::BTreeMap;

use super::*;
use crate::infra::probe::ProbeOutput;

struct Canned(BTreeMap<String, ProbeOutput>);

impl Probe for Canned {
    fn command(&self, program: &str, args: &[&str]) -> Option<ProbeOutput> {
        let key: Vec<&str> = std::iter::once(program)
            .chain(args.iter().copied())
            .collect();
        self.0.get(&key.join(" ")).cloned()
    }

    fn read_file(&self, _: &str) -> Option<String> {
        None
    }
}

fn ok(stdout: &str) -> ProbeOutput {
    ProbeOutput {
        success: true,
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

fn source(external: bool) -> StackSource {
    StackSource {
        spark_version: "3.5.9".into(),
        python: crate::config::python::DEFAULT,
        venv_python: Some("/cache/venv-3.5.9/bin/python".into()),
        image: Some("sparkmodes-spark:3.5.9-abc".into()),
        external,
    }
}

fn answering() -> Canned {
    let driver = format!("/cache/venv-3.5.9/bin/python -c {DRIVER_PROBE}");
    let image =
        format!("docker run --rm --entrypoint sh sparkmodes-spark:3.5.9-abc -c {IMAGE_PROBE}");
    let java = "Python 3.11.2\nopenjdk version \"17.0.16\" 2025-07-15\nOpenJDK Runtime\n";
    Canned(BTreeMap::from([
        (driver, ok("3.11.2\n3.5.9\n")),
        (image, ok(java)),
    ]))
}

#[test]
fn a_stack_reads_the_driver_venv_and_the_image() {
    let stack = probe_stack(&answering(), &source(false));
    assert_eq!(stack.driver_python.as_deref(), Some("3.11.2"));
    assert_eq!(stack.driver_pyspark.as_deref(), Some("3.5.9"));
    assert_eq!(stack.image_python.as_deref(), Some("3.11.2"));
    assert_eq!(stack.executor_python.as_deref(), Some("3.11.2"));
    assert_eq!(stack.image_java.as_deref(), Some("17.0.16"));
}

#[test]
fn an_external_cluster_has_no_known_executor_python() {
    let stack = probe_stack(&answering(), &source(true));
    assert_eq!(stack.executor_python, None);
    assert_eq!(stack.image_python.as_deref(), Some("3.11.2"));
}

#[test]
fn nothing_answering_leaves_every_field_none() {
    let stack = probe_stack(&Canned(BTreeMap::new()), &source(false));
    let unanswered = [
        stack.driver_python,
        stack.driver_pyspark,
        stack.image_python,
        stack.executor_python,
        stack.image_java,
    ];
    assert!(unanswered.iter().all(Option::is_none), "{unanswered:?}");
    assert_eq!(stack.spark_version, "3.5.9");
}

#[test]
fn environment_pyspark_is_the_drivers() {
    let mut env = crate::infra::Environment::capture_with(
        &Canned(BTreeMap::new()),
        &["3.5.9".into()],
        BTreeMap::new(),
    );
    assert_eq!(env.pyspark, None);
    env.add_stacks(&answering(), &[source(false)]);
    assert_eq!(env.pyspark.as_deref(), Some("3.5.9"));
    assert_eq!(env.stacks.len(), 1);
    let json = serde_json::to_value(&env).unwrap();
    assert_eq!(json["stacks"][0]["image_java"], "17.0.16");
}
