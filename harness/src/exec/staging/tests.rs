//! Staging tests: the sample's ini, a module entry with py-files, placeholders per driver view.

use super::*;

fn stage_app(dir: &Path, source: &Path, driver_root: Option<&str>) -> Staged {
    let spec = AppSpec::load(source).unwrap();
    let mut conf = BTreeMap::new();
    conf.insert("spark.driver.memory".to_string(), "2g".to_string());
    let python = crate::infra::tools::python().unwrap();
    stage(&Request {
        spec: &spec,
        root: dir,
        master_url: "spark://127.0.0.1:1234",
        driver_root,
        conf: &conf,
        python: &python,
        data: None,
        queries: &[],
    })
    .unwrap()
}

#[test]
fn the_sample_gets_its_master_in_its_ini_and_its_conf() {
    let dir = tempfile::tempdir().unwrap();
    let s = stage_app(dir.path(), &fixture_dir(), None);
    let ini = std::fs::read_to_string(s.app.join("data/data_source.ini")).unwrap();
    assert!(ini.contains("master_url = spark://127.0.0.1:1234"), "{ini}");
    assert!(ini.contains("app_name = My PySpark App"));
    let defaults = std::fs::read_to_string(s.conf_dir.join("spark-defaults.conf")).unwrap();
    assert!(defaults.contains("spark.driver.memory 2g"));
    assert!(defaults.contains("spark.eventLog.enabled true"));
    assert!(!defaults.contains("pyFiles"), "{defaults}");
    let p = s.placeholders(None, "spark://m:1", 10, 42);
    assert_eq!(s.command(&p), ["project.py"]);
    assert_eq!(s.result, dir.path().join("result.csv"));
    let env = s.env(&p, true);
    assert!(env.contains(&("SPARKMODES_ELEMENTS".into(), "10".into())));
    assert!(env.contains(&("SPARKMODES_MASTER".into(), "spark://m:1".into())));
}

#[test]
fn a_module_app_gets_a_launcher_its_zipped_package_and_its_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let s = stage_app(dir.path(), &orders_fixture_dir(), Some("/work"));
    let launcher = std::fs::read_to_string(s.app.join(MODULE_LAUNCHER)).unwrap();
    assert!(launcher.contains("run_module(\"orders.job\""), "{launcher}");
    let zip = std::fs::read(dir.path().join("pyfiles/orders.zip")).unwrap();
    let names = String::from_utf8_lossy(&zip);
    assert!(
        names.contains("orders/buckets.py"),
        "zip entries name the package"
    );
    let defaults = std::fs::read_to_string(s.conf_dir.join("spark-defaults.conf")).unwrap();
    assert!(
        defaults.contains("spark.submit.pyFiles /work/pyfiles/orders.zip"),
        "{defaults}"
    );
    assert!(
        defaults.contains("spark.eventLog.dir file:///work/eventlog"),
        "{defaults}"
    );
    let cmd = s.command(&s.placeholders(Some("/work"), "spark://m:1", 500, 7));
    assert_eq!(cmd[0], MODULE_LAUNCHER);
    assert!(cmd.windows(2).any(|w| w == ["--orders", "500"]), "{cmd:?}");
    assert!(
        cmd.windows(2).any(|w| w == ["--out", "/work/report.csv"]),
        "{cmd:?}"
    );
}

#[test]
fn missing_app_is_named() {
    let e = AppSpec::load(Path::new("/nonexistent/app"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/app"), "{e}");
}

/// An app that declares no check: its run is `ok` with correctness `unknown` (never `true`),
/// keeps its promise and counts as a measurement, is said as such in the record, in JSON and in
/// the terminal table. (No Spark needed: what follows a clean exit is judged here.)
#[test]
fn an_app_without_a_check_is_correct_unknown_and_says_so() {
    use crate::exec::judge;
    use crate::exec::result_check::{Job, ResultJudge};
    use crate::measure::correctness::Correctness;
    use crate::measure::record::RunRecord;
    let app = tempfile::tempdir().unwrap();
    std::fs::write(app.path().join("job.py"), "print('hi')\n").unwrap();
    std::fs::write(
        app.path().join(crate::config::manifest::MANIFEST),
        "name = \"unchecked\"\nentry = \"job.py\"\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let s = stage_app(dir.path(), app.path(), None);
    let python = crate::infra::tools::python().unwrap();
    let job = Job {
        staged: &s,
        elements: 10,
        seed: 42,
        arrow: true,
        python: &python,
        timeout: std::time::Duration::from_secs(10),
    };
    let mut rec = RunRecord {
        wall_s: 1.0,
        ..RunRecord::default()
    };
    judge::result(ResultJudge::default().judge(&job).unwrap(), &mut rec);
    assert_eq!(rec.correct, Correctness::Unknown);
    assert!(rec.kept_promise() && rec.is_measurement());
    assert!(rec
        .finding
        .as_deref()
        .unwrap()
        .starts_with("correctness unknown"));
    let line = serde_json::to_string(&rec).unwrap();
    assert!(line.contains("\"correct\":\"unknown\""), "{line}");
    let table = crate::output::text_table::cell_table(std::slice::from_ref(&rec));
    assert!(
        table.contains("ok(unchecked)") && table.contains("unknown"),
        "{table}"
    );
}
