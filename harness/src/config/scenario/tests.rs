//! Scenario loading and validation tests.

use super::*;

const MINIMAL: &str = "name = \"t\"
spark_versions = [\"3.5.9\"]
modes = [\"direct\", \"cluster-refusal\"]
arrow = [true, false]
elements = [1000]
repetitions = 2
";

fn err(text: &str) -> String {
    match Scenario::from_str(text, "x.toml") {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => {
            assert!(matches!(e, Error::Setup(_)), "not a setup error: {e:?}");
            e.to_string()
        }
    }
}

fn with(extra: &str) -> String {
    format!("{MINIMAL}{extra}")
}

#[test]
fn every_shipped_scenario_is_valid() {
    for (name, _) in BUILTIN {
        let s = Scenario::builtin(name).unwrap();
        assert_eq!(s.name, name, "scenario name must match its file name");
        assert!(!s.description.is_empty(), "{name} has no description");
    }
}

#[test]
fn default_scenario_matches_the_documented_matrix() {
    let s = Scenario::builtin_default();
    assert_eq!(s.spark_versions, ["3.5.9"]);
    assert_eq!(s.modes, Mode::ALL[..4]);
    assert_eq!(s.arrow, [true, false]);
    assert_eq!(s.elements, [100_000]);
    assert_eq!((s.repetitions, s.warmup), (5, 1));
    assert_eq!(s.configs.len(), 1);
    assert_eq!(s.configs[0].name, "2w-1c-1g");
    assert_eq!(s.spark_conf["spark.executor.memory"], "512m");
}

#[test]
fn configs_override_the_cluster_shape() {
    let s = Scenario::builtin("configs").unwrap();
    let shapes: Vec<(u32, u32)> = s
        .configs
        .iter()
        .map(|c| (c.shape.workers, c.shape.worker_cores))
        .collect();
    assert_eq!(shapes, [(1, 2), (2, 1)]);
}

#[test]
fn defaults_apply_to_missing_optional_keys() {
    let s = Scenario::from_str(MINIMAL, "m.toml").unwrap();
    assert_eq!(s.cluster, ClusterShape::default());
    assert_eq!((s.warmup, s.seed.get(), s.timeout_s), (0, 42, 600.0));
    assert_eq!(s.fault, None);
    assert_eq!(s.origin, "m.toml");
}

#[test]
fn zero_repetitions_names_line_and_key() {
    let text = MINIMAL.replace("repetitions = 2", "repetitions = 0");
    assert_eq!(
        err(&text),
        "x.toml:6: key `repetitions`: must be at least 1, got 0"
    );
}

#[test]
fn negative_repetitions_names_the_key() {
    let text = MINIMAL.replace("repetitions = 2", "repetitions = -1");
    assert_eq!(
        err(&text),
        "x.toml:6: key `repetitions`: must be at least 1, got -1"
    );
}

#[test]
fn version_without_a_recipe_names_the_supported_lines() {
    let msg = err(&MINIMAL.replace("\"3.5.9\"", "\"2.4.8\""));
    assert!(
        msg.starts_with(
            "x.toml:2: key `spark_versions[0]`: Spark version 2.4.8 has no image recipe"
        ),
        "{msg}"
    );
    assert!(msg.contains("3.5.x"), "{msg}");
}

#[test]
fn unknown_key_lists_expected_keys() {
    let msg = err(&MINIMAL.replace("modes =", "modez ="));
    assert!(msg.starts_with("x.toml:3: unknown key `modez` ("), "{msg}");
    assert!(msg.contains("`modes`"), "{msg}");
}

#[test]
fn unknown_key_in_a_table_names_its_path() {
    let msg = err(&with("[cluster]\nworkers = 2\nwokers = 3\n"));
    assert!(
        msg.starts_with("x.toml:9: unknown key `cluster.wokers`"),
        "{msg}"
    );
}

#[test]
fn wrong_type_names_the_key() {
    let msg = err(&MINIMAL.replace("repetitions = 2", "repetitions = \"2\""));
    assert_eq!(
        msg,
        "x.toml:6: key `repetitions`: must be a whole number or \"auto\", got \"2\""
    );
    let msg = err(&MINIMAL.replace("repetitions = 2", "repetitions = true"));
    assert!(msg.starts_with("x.toml:6: key `repetitions`:"), "{msg}");
}

#[test]
fn auto_repetitions_need_interleaved_arms_and_a_sane_maximum() {
    let auto = |extra: &str| {
        MINIMAL.replace(
            "repetitions = 2",
            &format!("repetitions = \"auto\"\n{extra}"),
        )
    };
    let msg = err(&auto(""));
    assert!(msg.contains("set interleave = true"), "{msg}");
    let msg = err(&auto("interleave = true\nmax_repetitions = 3"));
    assert!(
        msg.contains("key `max_repetitions`: must be at least 6"),
        "{msg}"
    );
    let msg = err(&MINIMAL.replace("repetitions = 2", "repetitions = 2\nmax_repetitions = 9"));
    assert!(
        msg.contains("key `max_repetitions`: only applies to repetitions = \"auto\""),
        "{msg}"
    );
    let fixed = |n: u32| {
        MINIMAL.replace(
            "repetitions = 2",
            &format!("repetitions = {n}\ninterleave = true"),
        ) + "\n[[configs]]\nname = \"a\"\n[[configs]]\nname = \"b\"\n"
    };
    let msg = err(&fixed(5));
    assert!(
        msg.contains("key `repetitions`: an interleaved run's verdict is the paired one")
            && msg.contains("at least 6"),
        "{msg}"
    );
    assert_eq!(
        Scenario::from_str(&fixed(6), "x.toml").unwrap().repetitions,
        6
    );
    // MINIMAL has one arm: nothing to interleave.
    let msg = err(&auto("interleave = true"));
    assert!(
        msg.contains("key `interleave`: interleaves arms on different clusters"),
        "{msg}"
    );
}

#[test]
fn an_interleaved_scenario_numbers_its_measured_runs_by_block() {
    let text = MINIMAL.replace(
        "repetitions = 2",
        "repetitions = \"auto\"\ninterleave = true\nmax_repetitions = 8",
    ) + "\n[[configs]]\nname = \"a\"\n[[configs]]\nname = \"b\"\n";
    let s = Scenario::from_str(&text, "x.toml").unwrap();
    assert_eq!((s.repetitions, s.adaptive, s.interleave), (8, true, true));
    let plan = crate::config::plan::Plan::new(&s);
    assert!(plan
        .runs()
        .iter()
        .all(|r| r.block == (!r.warmup).then_some(r.rep)));
}

#[test]
fn unknown_mode_names_mode_and_choices() {
    let msg = err(&MINIMAL.replace("\"cluster-refusal\"", "\"clustr\""));
    assert!(
        msg.starts_with("x.toml:3: key `modes[1]`: unknown mode `clustr`"),
        "{msg}"
    );
    assert!(msg.contains("containerized"), "{msg}");
}

#[test]
fn element_counts_out_of_range_are_refused() {
    let zero = err(&MINIMAL.replace("[1000]", "[1000, 0]"));
    assert!(
        zero.contains("key `elements[1]`: must be an integer between 1 and 100000000"),
        "{zero}"
    );
    let huge = err(&MINIMAL.replace("[1000]", "[100000001]"));
    assert!(huge.contains("got 100000001"), "{huge}");
    let negative = err(&MINIMAL.replace("[1000]", "[-5]"));
    assert!(negative.ends_with("got -5"), "{negative}");
    let float = err(&MINIMAL.replace("[1000]", "[1e12]"));
    assert!(
        float.ends_with(
            "key `elements[0]`: must be an integer between 1 and 100000000, got 1000000000000.0"
        ),
        "{float}"
    );
    let text = err(&MINIMAL.replace("[1000]", "[\"many\"]"));
    assert!(text.contains("key `elements[0]`: invalid type"), "{text}");
}

#[test]
fn bad_version_and_memory_are_refused() {
    let v = err(&MINIMAL.replace("\"3.5.9\"", "\"3.5\""));
    assert!(
        v.contains("key `spark_versions[0]`: must look like X.Y.Z"),
        "{v}"
    );
    let m = err(&with("[cluster]\nworker_memory = \"1 GB\"\n"));
    assert!(
        m.starts_with("x.toml:8: key `cluster.worker_memory`"),
        "{m}"
    );
    let c = err(&with("[spark_conf]\n\"spark.driver.memory\" = \"lots\"\n"));
    assert!(
        c.contains("key `spark_conf.\"spark.driver.memory\"`"),
        "{c}"
    );
}

#[test]
fn duplicate_config_names_are_refused() {
    let text = with("[[configs]]\nname = \"a\"\n[[configs]]\nname = \"a\"\nworkers = 1\n");
    let msg = err(&text);
    assert!(
        msg.starts_with("x.toml:10: key `configs[1].name`: duplicate"),
        "{msg}"
    );
}

#[test]
fn duplicate_list_values_are_refused() {
    let msg = err(&MINIMAL.replace("[true, false]", "[true, true]"));
    assert!(
        msg.contains("key `arrow[1]`: duplicate value true"),
        "{msg}"
    );
}

#[test]
fn missing_required_key_is_named() {
    let msg = err(&MINIMAL.replace("repetitions = 2\n", ""));
    assert!(msg.contains("missing required key `repetitions`"), "{msg}");
}

#[test]
fn missing_key_in_a_config_names_the_config() {
    let msg = err(&with(
        "[[configs]]\nname = \"a\"\n[[configs]]\nworkers = 1\n",
    ));
    assert!(
        msg.contains("missing required key `name` in `configs[1]`"),
        "{msg}"
    );
}

#[test]
fn harness_owned_conf_is_refused() {
    let text = with("[spark_conf]\n\"spark.sql.execution.arrow.pyspark.enabled\" = \"true\"\n");
    assert!(err(&text).contains("use the `arrow` list"));
}

#[test]
fn fault_after_the_timeout_is_refused() {
    let ok = Scenario::from_str(&with("[fault]\nkind = \"kill-worker\"\nafter_s = 5\n"), "f");
    assert_eq!(ok.unwrap().fault.unwrap().kind, FaultKind::KillWorker);
    let msg = err(&with(
        "timeout_s = 10\n[fault]\nkind = \"kill-worker\"\nafter_s = 10\n",
    ));
    assert!(
        msg.contains("key `fault.after_s`: must be less than timeout_s"),
        "{msg}"
    );
    let kind = err(&with("[fault]\nkind = \"kill-master\"\nafter_s = 1\n"));
    assert!(kind.contains("key `fault.kind`"), "{kind}");
}

#[test]
fn syntax_error_names_the_line() {
    let msg = err(&with("warmup = = 1\n"));
    assert!(msg.starts_with("x.toml:7: invalid TOML"), "{msg}");
}

#[test]
fn from_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, MINIMAL.replace("repetitions = 2", "repetitions = 0")).unwrap();
    let msg = Scenario::from_file(&path).unwrap_err().to_string();
    assert!(msg.starts_with(&format!("{}:6:", path.display())), "{msg}");
    let missing = Scenario::from_file(&dir.path().join("nope.toml")).unwrap_err();
    assert!(matches!(missing, Error::Input(_)));
}

#[test]
fn connect_modes_are_refused_on_3_5_with_the_reason() {
    let text = MINIMAL.replace("\"cluster-refusal\"", "\"connect\", \"connect-classic\"");
    let e = err(&text);
    assert!(e.contains("modes[1]") && e.contains("3.5.9"), "{e}");
    assert!(e.contains("does not ship") && e.contains("Maven"), "{e}");
    let on_4 = text.replace("3.5.9", "4.1.4");
    let s = Scenario::from_str(&on_4, "c.toml").unwrap();
    assert_eq!(s.modes, [Mode::Direct, Mode::Connect, Mode::ConnectClassic]);
    let fault = format!("{on_4}[fault]\nkind = \"kill-worker\"\nafter_s = 5\n");
    let e = err(&fault);
    assert!(e.contains("modes[1]") && e.contains("[fault]"), "{e}");
}

fn python(versions: &str, pythons: &str) -> String {
    MINIMAL.replace(
        "spark_versions = [\"3.5.9\"]",
        &format!("spark_versions = {versions}\npython = {pythons}"),
    )
}

#[test]
fn the_python_key_is_an_axis_and_absent_means_the_default() {
    let s = Scenario::from_str(&python("[\"4.1.4\"]", "[\"3.11\", \"3.13\"]"), "x").unwrap();
    let labels: Vec<String> = s.pythons().iter().map(|p| p.to_string()).collect();
    assert_eq!(labels, ["3.11", "3.13"]);
    let s = Scenario::from_str(MINIMAL, "x").unwrap();
    assert_eq!(
        (s.python.as_ref(), s.pythons()),
        (None, vec![crate::config::python::DEFAULT])
    );
}

#[test]
fn a_python_a_line_does_not_support_is_refused_with_the_lines_that_do() {
    let e = err(&python("[\"4.1.4\", \"3.5.9\"]", "[\"3.11\", \"3.13\"]"));
    assert!(e.starts_with("x.toml:3: key `python[1]`"), "{e}");
    assert!(
        e.contains("Spark 3.5 supports Python 3.8 to 3.11, not 3.13"),
        "{e}"
    );
    assert!(e.contains("numpy 1.26.4 / pyarrow 15.0.2"), "{e}");
    assert!(e.contains("use Spark 4.0.x, 4.1.x, 4.2.x, 4.3.x"), "{e}");
    let e = err(&python("[\"4.3.0\"]", "[\"3.10\"]"));
    assert!(
        e.contains("python[0]") && e.contains("use Spark 3.5.x, 4.0.x, 4.1.x, 4.2.x"),
        "{e}"
    );
}

#[test]
fn malformed_empty_and_repeated_pythons_are_named() {
    for bad in ["[\"3\"]", "[\"3.11.2\"]", "[\"2.7\"]", "[\"py3.11\"]"] {
        let e = err(&python("[\"4.1.4\"]", bad));
        assert!(
            e.contains("x.toml:3: key `python[0]`: must be a Python minor"),
            "{bad}: {e}"
        );
    }
    let e = err(&python("[\"4.1.4\"]", "[]"));
    assert!(
        e.contains("key `python`: must list at least one value"),
        "{e}"
    );
    let e = err(&python("[\"4.1.4\"]", "[\"3.13\", \"3.13\"]"));
    assert!(e.contains("key `python[1]`: duplicate"), "{e}");
    let e = err(&python("[\"4.1.4\"]", "\"3.13\""));
    assert!(e.contains("x.toml:3") && e.contains("python"), "{e}");
}

#[test]
fn unknown_app_is_refused_naming_the_variants() {
    let msg = err(&with("apps = [\"article\", \"vectorised\"]\n"));
    assert!(msg.contains("apps[1]"), "{msg}");
    assert!(
        msg.contains("article, typed, udf, vectorized, sql"),
        "{msg}"
    );
}

#[test]
fn apps_default_to_the_given_app() {
    let s = Scenario::from_str(MINIMAL, "m.toml").unwrap();
    assert_eq!(s.apps(), [""]);
    let s = Scenario::from_str(&with("apps = [\"sql\", \"typed\"]\n"), "m.toml").unwrap();
    assert_eq!(s.apps(), ["sql", "typed"]);
}

const FRONTIER: &str = "name = \"f\"
spark_versions = [\"3.5.9\"]
modes = [\"direct\"]
arrow = [false, true]
elements = [500000, 16000000]
repetitions = 1
";

fn frontier(extra_top: &str, table: &str) -> String {
    format!("{FRONTIER}{extra_top}\n[frontier]\n{table}")
}

const TABLE: &str = "driver_memory = [\"512m\", \"1g\"]\nstep = 500000\n";

#[test]
fn a_frontier_makes_one_config_per_driver_memory() {
    let s = Scenario::from_str(&frontier("", TABLE), "f.toml").unwrap();
    let spec = s.frontier.clone().unwrap();
    assert_eq!(
        (spec.low, spec.high, spec.step),
        (500_000, 16_000_000, 500_000)
    );
    let configs: Vec<(&str, &str)> = s
        .configs
        .iter()
        .map(|c| (c.name.as_str(), c.conf[DRIVER_MEMORY].as_str()))
        .collect();
    assert_eq!(configs, [("driver-512m", "512m"), ("driver-1g", "1g")]);
    let shipped = Scenario::builtin("frontier").unwrap();
    assert!(shipped.frontier.is_some());
}

#[test]
fn a_frontier_refuses_what_would_make_its_answer_meaningless() {
    let cases = [
        (
            frontier("", "driver_memory = [\"256m\"]\nstep = 1000\n"),
            "frontier.driver_memory[0]",
            "below 512m",
        ),
        (
            frontier("", "driver_memory = [\"lots\"]\nstep = 1000\n"),
            "frontier.driver_memory[0]",
            "a size like",
        ),
        (
            frontier("", "driver_memory = [\"1g\", \"1g\"]\nstep = 1000\n"),
            "frontier.driver_memory[1]",
            "duplicate",
        ),
        (
            frontier("", "driver_memory = []\nstep = 1000\n"),
            "frontier.driver_memory",
            "at least one",
        ),
        (
            frontier("", "driver_memory = [\"1g\"]\nstep = 0\n"),
            "frontier.step",
            "between 1 and",
        ),
        (
            frontier("", "driver_memory = [\"1g\"]\nstep = 99999999\n"),
            "frontier.step",
            "between 1 and",
        ),
        (
            frontier("", "driver_memory = [\"1g\"]\nstep = 1.5\n"),
            "frontier.step",
            "between 1 and",
        ),
        (
            frontier("", "driver_memory = [\"1g\"]\n"),
            "frontier",
            "step",
        ),
        (
            frontier("[[configs]]\nname = \"a\"\n", TABLE),
            "configs",
            "one config per driver_memory",
        ),
        (
            frontier("[spark_conf]\n\"spark.driver.memory\" = \"2g\"\n", TABLE),
            "spark.driver.memory",
            "remove it here",
        ),
        (
            frontier("[fault]\nkind = \"kill-worker\"\nafter_s = 1.0\n", TABLE),
            "fault",
            "remove [fault]",
        ),
    ];
    for (text, key, why) in cases {
        let e = err(&text);
        assert!(e.contains(key) && e.contains(why), "{key}/{why}: {e}");
    }
    let one_count = FRONTIER.replace("[500000, 16000000]", "[500000]");
    assert!(err(&format!("{one_count}[frontier]\n{TABLE}")).contains("[low, high]"));
    let reversed = FRONTIER.replace("[500000, 16000000]", "[16000000, 500000]");
    assert!(err(&format!("{reversed}[frontier]\n{TABLE}")).contains("low < high"));
    let twice = FRONTIER.replace("repetitions = 1", "repetitions = 3");
    assert!(err(&format!("{twice}[frontier]\n{TABLE}")).contains("repetitions = 1"));
    for mode in ["cluster-refusal", "connect", "driver-oom"] {
        let modes = FRONTIER.replace("[\"direct\"]", &format!("[\"direct\", \"{mode}\"]"));
        let spark = modes.replace("3.5.9", "4.1.4");
        let e = err(&format!("{spark}[frontier]\n{TABLE}"));
        assert!(
            e.contains("modes[1]") && e.contains("classic modes"),
            "{mode}: {e}"
        );
    }
}
