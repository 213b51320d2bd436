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

/// Saves `records` (read from `run_dir` by the caller, through the run-set door) as baseline
/// `name` under `root`, replacing an older baseline of that name (the command refuses that
/// unless asked). Written to a temporary folder first, so a failed save leaves the old
/// baseline intact.
pub fn save(
    root: &Path,
    name: &str,
    run_dir: &Path,
    records: &[RunRecord],
) -> anyhow::Result<BaselineMeta> {
    check_name(name)?;
    let dest = root.join(name);
    if dest.exists() && !dest.join(META_JSON).is_file() {
        bail!(
            "{} exists and is not a baseline (no {META_JSON}); not overwriting it",
            dest.display()
        );
    }
    crate::files::create_dir(root)?;
    let tmp = root.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let meta = write_baseline(&tmp, name, run_dir, records)
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
    crate::files::create_dir(dir)?;
    // The lines' SQL defaults travel with the runs, for a later compare's explanation.
    let defaults = crate::infra::sql_defaults::read(run_dir).map_err(anyhow::Error::msg)?;
    if !defaults.is_empty() {
        crate::infra::sql_defaults::write(dir, &defaults).map_err(anyhow::Error::msg)?;
    }
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
    crate::files::create_dir(dir)?;
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
    Ok(crate::files::write(path, (json + "\n").as_bytes())?)
}

/// Every JSON file of a baseline is read here, through the file door: a regular file of at most
/// [`MAX_JSON_BYTES`], parsed, the path in every error.
fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = crate::files::read_text(path, MAX_JSON_BYTES)?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// A cell's `sample.json` holds its records; this bounds one cell, like `runs.jsonl`'s limit.
const MAX_JSON_BYTES: u64 = crate::measure::records_file::MAX_BYTES;

/// The folder a cell's files are in: a slug `meta.json` names, which must stay inside the
/// baseline (a hand-edited `../..` would read any file of the machine).
fn cell_dir(baseline: &Path, slug: &str) -> anyhow::Result<PathBuf> {
    let plain = !slug.is_empty()
        && !slug.starts_with('.')
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !plain {
        bail!(
            "{}: cell folder {slug:?} is not a plain name inside the baseline",
            baseline.join(META_JSON).display()
        );
    }
    Ok(baseline.join(slug))
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
        let summary: Option<Summary> =
            read_json(&cell_dir(&dir, &cell.slug)?.join(ESTIMATES_JSON))?;
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
            let sample: CellSample = read_json(&cell_dir(path, &cell.slug)?.join(SAMPLE_JSON))?;
            records.extend(sample.records);
        }
        if let Some((r, why)) = records.iter().find_map(|r| r.implausible().map(|w| (r, w))) {
            bail!(
                "{}: run {} {} rep {}: {why}",
                path.display(),
                r.run_id,
                r.cell(),
                r.rep
            );
        }
        // The same policy as a run directory's records: a run counted once.
        if let Some((_, again)) = crate::measure::records_file::first_repeat(&records) {
            let r = &records[again];
            bail!(
                "{}: the run {} {} rep {} is saved twice: each run may be counted once",
                path.display(),
                r.run_id,
                r.cell(),
                r.rep
            );
        }
        Ok(records)
    } else if path.join(record::RUNS_JSONL).is_file() {
        crate::measure::records_file::load_records(path)
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
pub(crate) mod tests;
