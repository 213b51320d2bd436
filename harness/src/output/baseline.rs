//! Named baselines, criterion-style: the records of a run saved under a name, so later runs
//! can be compared against it after the run directory itself is gone.
//!
//! # Layout
//!
//! ```text
//! <root>/                         default: reports/baselines
//!   <name>/                       letters, digits, '.', '_', '-'; saving again replaces it
//!     meta.json                   name, source run dir, run_ids, saved_at, scenarios,
//!                                 spark_versions, and cells: [{slug, key}]
//!     <cell-slug>/                one per cell: <spark>_<config>_<mode>_<arrow>_<elements>,
//!                                 characters outside [A-Za-z0-9._-] replaced by '-'
//!       sample.json               key, wall_s (wall seconds of the measurement runs) and
//!                                 records (every run of the cell, warm-ups and failures too)
//!       estimates.json            stats::Summary of wall_s; null if no measurement run
//! ```
//!
//! [`load`] accepts a baseline folder or a run directory (one holding `runs.jsonl`), so
//! `compare` can take either on both sides.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::CellKey;
use crate::measure::record::{self, RunRecord};
use crate::measure::stats::{self, Summary};
use crate::output::text_table::aligned_table;

pub const DEFAULT_ROOT: &str = "reports/baselines";
pub const META_JSON: &str = "meta.json";
pub const SAMPLE_JSON: &str = "sample.json";
pub const ESTIMATES_JSON: &str = "estimates.json";

/// Bootstrap seed of saved estimates: saving the same run twice gives identical files.
const SUMMARY_SEED: u64 = 0;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BaselineMeta {
    pub name: String,
    /// The run directory the baseline was saved from.
    pub source: String,
    pub run_ids: Vec<String>,
    pub saved_at: DateTime<Utc>,
    pub scenarios: Vec<String>,
    pub spark_versions: Vec<String>,
    pub cells: Vec<BaselineCell>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BaselineCell {
    /// Folder name of the cell inside the baseline.
    pub slug: String,
    pub key: CellKey,
}

/// Contents of `sample.json`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CellSample {
    pub key: CellKey,
    pub wall_s: Vec<f64>,
    pub records: Vec<RunRecord>,
}

/// Saves the records of `run_dir` as baseline `name` under `root`, replacing an older
/// baseline of that name. Written to a temporary folder first, so a failed save leaves the
/// old baseline intact.
pub fn save(root: &Path, name: &str, run_dir: &Path) -> anyhow::Result<BaselineMeta> {
    check_name(name)?;
    let records = record::load_records(run_dir)?;
    if records.is_empty() {
        bail!(
            "{} holds no run records to save",
            run_dir.join(record::RUNS_JSONL).display()
        );
    }
    let dest = root.join(name);
    if dest.exists() && !dest.join(META_JSON).is_file() {
        bail!(
            "{} exists and is not a baseline (no {META_JSON}); not overwriting it",
            dest.display()
        );
    }
    let tmp = root.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let meta = write_baseline(&tmp, name, run_dir, &records)
        .with_context(|| format!("cannot write baseline into {}", tmp.display()))?;
    if dest.exists() {
        std::fs::remove_dir_all(&dest)
            .with_context(|| format!("cannot replace {}", dest.display()))?;
    }
    std::fs::rename(&tmp, &dest).with_context(|| format!("cannot create {}", dest.display()))?;
    Ok(meta)
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.starts_with('.') || !name.chars().all(ok_char) {
        bail!("bad baseline name `{name}`: use letters, digits, '.', '_' and '-', not starting with '.'");
    }
    Ok(())
}

fn write_baseline(
    dir: &Path,
    name: &str,
    run_dir: &Path,
    records: &[RunRecord],
) -> anyhow::Result<BaselineMeta> {
    let mut cells: BTreeMap<CellKey, Vec<RunRecord>> = BTreeMap::new();
    for r in records {
        cells.entry(r.cell()).or_default().push(r.clone());
    }
    let distinct = |f: fn(&RunRecord) -> &str| -> Vec<String> {
        let set: BTreeSet<&str> = records.iter().map(f).collect();
        set.into_iter().map(String::from).collect()
    };
    let mut meta = BaselineMeta {
        name: name.to_string(),
        source: run_dir
            .canonicalize()
            .unwrap_or_else(|_| run_dir.to_path_buf())
            .display()
            .to_string(),
        run_ids: distinct(|r| &r.run_id),
        saved_at: Utc::now(),
        scenarios: distinct(|r| &r.scenario),
        spark_versions: distinct(|r| &r.spark_version),
        cells: Vec::new(),
    };
    std::fs::create_dir_all(dir)?;
    let mut used = BTreeSet::new();
    for (key, records) in cells {
        let slug = unique_slug(&key, &mut used);
        write_cell(&dir.join(&slug), key.clone(), records)?;
        meta.cells.push(BaselineCell { slug, key });
    }
    write_json(&dir.join(META_JSON), &meta)?;
    Ok(meta)
}

fn write_cell(dir: &Path, key: CellKey, records: Vec<RunRecord>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let wall_s = record::measured_walls(&records);
    write_json(
        &dir.join(ESTIMATES_JSON),
        &stats::summarize(&wall_s, SUMMARY_SEED),
    )?;
    write_json(
        &dir.join(SAMPLE_JSON),
        &CellSample {
            key,
            wall_s,
            records,
        },
    )
}

/// Two configs can differ only in characters the slug replaces; a suffix keeps them apart.
fn unique_slug(key: &CellKey, used: &mut BTreeSet<String>) -> String {
    let raw = format!(
        "{}_{}_{}_{}_{}",
        key.stack(),
        key.config,
        key.mode,
        key.arrow_label(),
        key.elements
    );
    let base: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut slug = base.clone();
    for i in 2.. {
        if used.insert(slug.clone()) {
            break;
        }
        slug = format!("{base}-{i}");
    }
    slug
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    std::fs::write(path, json + "\n").with_context(|| format!("cannot write {}", path.display()))
}

fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// Every baseline under `root`, sorted by name; none when `root` does not exist.
pub fn list(root: &Path) -> anyhow::Result<Vec<BaselineMeta>> {
    if !root.exists() {
        return Ok(Vec::new());
    }
    let mut metas = Vec::new();
    for entry in
        std::fs::read_dir(root).with_context(|| format!("cannot list {}", root.display()))?
    {
        let meta = entry?.path().join(META_JSON);
        if meta.is_file() {
            metas.push(read_json::<BaselineMeta>(&meta)?);
        }
    }
    metas.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(metas)
}

/// A human-readable description of baseline `name`: where it came from and each cell's
/// median with its 95 % CI.
pub fn show(root: &Path, name: &str) -> anyhow::Result<String> {
    check_name(name)?;
    let dir = root.join(name);
    let meta: BaselineMeta = read_json(&dir.join(META_JSON))
        .with_context(|| format!("no baseline `{name}` in {}", root.display()))?;
    let mut out = format!(
        "baseline {}\nsaved at {}\nsource {}\nrun ids {}\nscenarios {}\nspark {}\n\n",
        meta.name,
        meta.saved_at.to_rfc3339(),
        meta.source,
        meta.run_ids.join(", "),
        meta.scenarios.join(", "),
        meta.spark_versions.join(", ")
    );
    let mut rows = vec![["cell", "n", "median s [95% CI]", "mad s", "outliers"]
        .map(String::from)
        .to_vec()];
    for cell in &meta.cells {
        let summary: Option<Summary> = read_json(&dir.join(&cell.slug).join(ESTIMATES_JSON))?;
        rows.push(summary_row(&cell.key, summary.as_ref()));
    }
    out.push_str(&aligned_table(&rows, |col| (1..=4).contains(&col)));
    Ok(out)
}

fn summary_row(key: &CellKey, s: Option<&Summary>) -> Vec<String> {
    let Some(s) = s else {
        return vec![
            key.to_string(),
            "0".into(),
            "-".into(),
            "-".into(),
            "-".into(),
        ];
    };
    let m = &s.median;
    vec![
        key.to_string(),
        s.n.to_string(),
        format!("{:.3} [{:.3}, {:.3}]", m.point, m.ci_low, m.ci_high),
        format!("{:.3}", s.mad),
        s.outliers.len().to_string(),
    ]
}

/// The records of a baseline folder or of a run directory.
pub fn load(path: &Path) -> anyhow::Result<Vec<RunRecord>> {
    if path.join(META_JSON).is_file() {
        let meta: BaselineMeta = read_json(&path.join(META_JSON))?;
        let mut records = Vec::new();
        for cell in &meta.cells {
            let sample: CellSample = read_json(&path.join(&cell.slug).join(SAMPLE_JSON))?;
            records.extend(sample.records);
        }
        Ok(records)
    } else if path.join(record::RUNS_JSONL).is_file() {
        record::load_records(path)
    } else if !path.exists() {
        bail!(
            "{} does not exist: expected a baseline folder or a run directory",
            path.display()
        )
    } else {
        bail!(
            "{} is neither a baseline folder (no {META_JSON}) nor a run directory (no {})",
            path.display(),
            record::RUNS_JSONL
        )
    }
}

/// Turns a CLI argument into a path: an existing path is used as given, otherwise it names a
/// baseline under `root`.
pub fn resolve(root: &Path, name_or_path: &str) -> PathBuf {
    let as_path = PathBuf::from(name_or_path);
    if as_path.exists() {
        as_path
    } else {
        root.join(name_or_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::measure::record::Status;
    use crate::output::compare::tests::rec;

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
        let run = run_dir(&records());
        let root = tempfile::tempdir().unwrap();
        let meta = save(root.path(), "before-upgrade", run.path()).unwrap();
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
        let none: Option<Summary> =
            read_json(&dir.join(&failed.slug).join(ESTIMATES_JSON)).unwrap();
        assert_eq!(none, None);
        assert!(meta
            .cells
            .iter()
            .any(|c| c.slug == "3.5_a-b-c_direct_arrow-on_1000"));

        assert_eq!(sorted(load(&dir).unwrap()), sorted(records()));
        assert_eq!(load(run.path()).unwrap(), records());
    }

    #[test]
    fn saving_again_replaces_and_foreign_folders_are_kept() {
        let root = tempfile::tempdir().unwrap();
        save(root.path(), "b", run_dir(&records()).path()).unwrap();
        let fewer = &records()[..2];
        save(root.path(), "b", run_dir(fewer).path()).unwrap();
        assert_eq!(load(&root.path().join("b")).unwrap(), fewer);

        std::fs::create_dir(root.path().join("mine")).unwrap();
        let err = save(root.path(), "mine", run_dir(fewer).path()).unwrap_err();
        assert!(err.to_string().contains("not a baseline"), "{err}");
        for bad in ["", "../x", ".hidden", "a b"] {
            assert!(
                save(root.path(), bad, run_dir(fewer).path()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn list_and_show() {
        let root = tempfile::tempdir().unwrap();
        assert!(list(&root.path().join("missing")).unwrap().is_empty());
        save(root.path(), "zeta", run_dir(&records()).path()).unwrap();
        save(root.path(), "alpha", run_dir(&records()[..2]).path()).unwrap();
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
}
