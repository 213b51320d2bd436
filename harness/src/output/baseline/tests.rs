//! Baselines saved, listed, shown and loaded, on record sets made in memory.
use super::*;
use crate::config::Mode;
use crate::measure::record::Status;
use crate::output::compare::tests::rec;

/// Saves what a run directory holds, as `baseline save` does after reading it.
pub(crate) fn save_dir(root: &Path, name: &str, dir: &Path) -> anyhow::Result<BaselineMeta> {
    save(
        root,
        name,
        dir,
        &crate::measure::records_file::load_records(dir)?,
    )
}

fn run_dir(records: &[RunRecord]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.path().join(record::RUNS_JSONL), lines).unwrap();
    dir
}

fn records() -> Vec<RunRecord> {
    let mut rs: Vec<RunRecord> = [10.0, 11.0, 10.5, 30.0]
        .iter()
        .map(|&w| rec("3.5", Mode::Direct, w))
        .collect();
    rs[0].warmup = true;
    rs.push(rec("3.5", Mode::ClusterRefusal, 2.0));
    let mut failed = rec("3.5", Mode::Submit, 5.0);
    failed.status = Status::Failed;
    rs.push(failed);
    let mut odd = rec("3.5", Mode::Direct, 8.0);
    odd.config = "a/b c".into();
    rs.push(odd);
    rs
}

fn sorted(mut rs: Vec<RunRecord>) -> Vec<RunRecord> {
    rs.sort_by(|a, b| {
        (a.cell(), a.wall_s)
            .partial_cmp(&(b.cell(), b.wall_s))
            .unwrap()
    });
    rs
}

#[test]
fn save_writes_the_layout_and_load_round_trips() {
    let saved = records();
    let run = run_dir(&saved);
    let root = tempfile::tempdir().unwrap();
    let meta = save_dir(root.path(), "before-upgrade", run.path()).unwrap();
    assert_eq!(meta.cells.len(), 4);
    assert_eq!(meta.run_ids, vec!["run-3.5"]);
    assert_eq!(meta.spark_versions, vec!["3.5"]);
    let dir = root.path().join("before-upgrade");
    assert_eq!(
        read_json::<BaselineMeta>(&dir.join(META_JSON)).unwrap(),
        meta
    );

    let direct = meta
        .cells
        .iter()
        .find(|c| c.key.mode == Mode::Direct && c.key.config == "default")
        .unwrap();
    assert_eq!(direct.slug, "3.5_default_direct_arrow-on_1000");
    let sample: CellSample = read_json(&dir.join(&direct.slug).join(SAMPLE_JSON)).unwrap();
    assert_eq!(sample.wall_s, vec![11.0, 10.5, 30.0], "warm-up excluded");
    assert_eq!(sample.records.len(), 4, "warm-up kept among the records");
    let est: Summary = read_json(&dir.join(&direct.slug).join(ESTIMATES_JSON)).unwrap();
    assert_eq!((est.n, est.median.point), (3, 11.0));

    let failed = meta
        .cells
        .iter()
        .find(|c| c.key.mode == Mode::Submit)
        .unwrap();
    let none: Option<Summary> = read_json(&dir.join(&failed.slug).join(ESTIMATES_JSON)).unwrap();
    assert_eq!(none, None);
    assert!(meta
        .cells
        .iter()
        .any(|c| c.slug == "3.5_a-b-c_direct_arrow-on_1000"));

    assert_eq!(sorted(load(&dir).unwrap()), sorted(saved.clone()));
    assert_eq!(load(run.path()).unwrap(), saved);
}

#[test]
fn saving_again_replaces_and_foreign_folders_are_kept() {
    let root = tempfile::tempdir().unwrap();
    save_dir(root.path(), "b", run_dir(&records()).path()).unwrap();
    let fewer = &records()[..2];
    save_dir(root.path(), "b", run_dir(fewer).path()).unwrap();
    assert_eq!(load(&root.path().join("b")).unwrap(), fewer);

    std::fs::create_dir(root.path().join("mine")).unwrap();
    let err = save_dir(root.path(), "mine", run_dir(fewer).path()).unwrap_err();
    assert!(err.to_string().contains("not a baseline"), "{err}");
    for bad in ["", "../x", ".hidden", "a b"] {
        assert!(
            save_dir(root.path(), bad, run_dir(fewer).path()).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn list_and_show() {
    let root = tempfile::tempdir().unwrap();
    assert!(list(&root.path().join("missing")).unwrap().is_empty());
    save_dir(root.path(), "zeta", run_dir(&records()).path()).unwrap();
    save_dir(root.path(), "alpha", run_dir(&records()[..2]).path()).unwrap();
    std::fs::create_dir(root.path().join("not-a-baseline")).unwrap();
    let names: Vec<String> = list(root.path())
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, vec!["alpha", "zeta"]);

    let text = show(root.path(), "zeta").unwrap();
    assert!(text.starts_with("baseline zeta\n"), "{text}");
    let direct = text
        .lines()
        .find(|l| l.starts_with("3.5/default/direct/"))
        .unwrap();
    assert!(direct.contains("11.000 ["), "{direct}");
    assert!(show(root.path(), "nope")
        .unwrap_err()
        .to_string()
        .contains("nope"));
}

#[test]
fn load_names_the_path_when_it_is_neither() {
    let dir = tempfile::tempdir().unwrap();
    let err = load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains(&dir.path().display().to_string()) && err.contains("neither"),
        "{err}"
    );
    let missing = dir.path().join("gone");
    assert!(load(&missing)
        .unwrap_err()
        .to_string()
        .contains("does not exist"));
}

#[test]
fn resolve_prefers_existing_paths() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().display().to_string();
    assert_eq!(resolve(Path::new("root"), &here), dir.path());
    assert_eq!(resolve(Path::new("root"), "v1"), Path::new("root/v1"));
}
