//! A whole `sparkmodes run`: preflight → plan → matrix (records) → report and comparisons →
//! verdict and exit code.

mod destination;
pub mod doctor;
pub mod preflight;
pub mod python_axis;

pub use destination::Destination;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::plan::Plan;
use crate::config::scenario::Scenario;
use crate::error::{Error, Exit, Result};
use crate::exec::backend::{BackendOptions, SparkBackend};
use crate::exec::{frontier_search, matrix};
use crate::infra::docker;
use crate::infra::environment::{Environment, SystemProbe};
use crate::infra::image::Base;
use crate::measure::record::{self, RunRecord};
use crate::output::compare::{self, CompareOptions, Split};
use crate::output::export::{step_summary, JunitReport};
use crate::output::report;

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    pub scenario: Scenario,
    pub reports: PathBuf,
    pub run_id: Option<String>,
    pub resume: Option<String>,
    pub base: Base,
    pub external_master: Option<String>,
    pub secure: bool,
    pub app_source: PathBuf,
    pub threshold: f64,
    /// The GitHub Actions step summary file to append the run's Markdown to, if any.
    pub step_summary: Option<PathBuf>,
}

pub struct PipelineOutcome {
    pub run_dir: PathBuf,
    pub records: Vec<RunRecord>,
    pub exit: Exit,
}

/// Preflight, then the matrix, then the outputs. A failure in preflight creates nothing; a
/// failure after the matrix keeps every record and exits [`Exit::Output`].
pub fn run_scenario(opts: &PipelineOptions) -> Result<PipelineOutcome> {
    let (destination, scenario) = preflight::check(opts)?;
    let opts = &PipelineOptions {
        scenario,
        ..opts.clone()
    };
    docker::remove_stale();
    let plan = Plan::new(&opts.scenario);
    let (run_id, run_dir, done) = match destination {
        Destination::New { id } => {
            let dir = destination::create(&opts.reports, &id)?;
            (id, dir, Vec::new())
        }
        Destination::Resume { id, dir, done } => (id, dir, done),
    };
    let todo = plan.remaining(done.iter().map(RunRecord::identity));
    let mut backend = SparkBackend::new(BackendOptions {
        run_id: run_id.clone(),
        scenario: opts.scenario.name.clone(),
        run_dir: run_dir.clone(),
        app_source: opts.app_source.clone(),
        base: opts.base.clone(),
        external_master: opts.external_master.clone(),
        secure: opts.secure,
    });
    let result = match &opts.scenario.frontier {
        Some(spec) => frontier_search::run_search(&mut backend, &plan, spec, &run_dir, &done),
        None => matrix::run_plan(&mut backend, &todo, &run_dir),
    };
    let mut env = Environment::capture(&opts.scenario.spark_versions, backend.images.clone());
    env.add_stacks(&SystemProbe, &backend.stacks);
    env.connect_server_ready_s = backend.connect_ready_s.clone();
    let written = env.write(&run_dir);
    result?;
    written.map_err(Error::output)?;
    let records = record::load_records(&run_dir).map_err(Error::output)?;
    let exit = finish(&run_dir, &records, opts).map_err(Error::output)?;
    Ok(PipelineOutcome {
        run_dir,
        records,
        exit,
    })
}

/// JUnit, report, within-run comparisons, the step summary; the exit code they add up to.
fn finish(run_dir: &Path, records: &[RunRecord], opts: &PipelineOptions) -> anyhow::Result<Exit> {
    let mut junit = JunitReport::from_records(&opts.scenario.name, records);
    let mut exit = correctness_exit(records);
    let mut summaries = Vec::new();
    for split in splits(&opts.scenario) {
        let cmp_opts = CompareOptions {
            threshold: opts.threshold,
            ..CompareOptions::default()
        };
        let comparison = compare::compare_within(records, &split, &cmp_opts);
        let sub = run_dir.join(split_dir(&split));
        compare::write_outputs(&sub, &comparison, records, records)?;
        eprintln!("{}", comparison.to_terminal_table());
        summaries.push(comparison.to_markdown());
        for case in compare::junit_cases(&comparison) {
            junit.push(case);
        }
        // An upgrade that slows things down is a regression; a slower config is information.
        if matches!(split, Split::SparkVersion { .. }) && exit == Exit::Ok {
            exit = comparison.exit();
        }
    }
    junit.write(&run_dir.join(crate::output::export::JUNIT_XML))?;
    let files = report::render(run_dir)?;
    let summary = std::fs::read_to_string(&files.markdown)
        .with_context(|| format!("cannot read {}", files.markdown.display()))?;
    summaries.insert(0, summary);
    for markdown in &summaries {
        step_summary::append(opts.step_summary.as_deref(), markdown)?;
    }
    Ok(exit)
}

fn correctness_exit(records: &[RunRecord]) -> Exit {
    let bad = records.iter().any(|r| !r.kept_promise());
    if bad {
        Exit::WrongResult
    } else {
        Exit::Ok
    }
}

/// The first Spark version (config, Python) of the scenario is the baseline of each
/// comparison. A frontier's configs and versions probe different counts: no cell pairs up.
fn splits(s: &Scenario) -> Vec<Split> {
    let mut out = Vec::new();
    if s.frontier.is_some() {
        return out;
    }
    for v in s.spark_versions.iter().skip(1) {
        out.push(Split::SparkVersion {
            baseline: s.spark_versions[0].clone(),
            candidate: v.clone(),
        });
    }
    for c in s.configs.iter().skip(1) {
        out.push(Split::Config {
            baseline: s.configs[0].name.clone(),
            candidate: c.name.clone(),
        });
    }
    let pythons = s.pythons();
    for p in pythons.iter().skip(1) {
        out.push(Split::Python {
            baseline: pythons[0].clone(),
            candidate: p.clone(),
        });
    }
    out
}

fn split_dir(split: &Split) -> String {
    match split {
        Split::SparkVersion {
            baseline,
            candidate,
        } => format!("compare-spark-{baseline}-vs-{candidate}"),
        Split::Config {
            baseline,
            candidate,
        } => format!("compare-config-{baseline}-vs-{candidate}"),
        Split::Python {
            baseline,
            candidate,
        } => format!("compare-python-{baseline}-vs-{candidate}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::measure::record::RUNS_JSONL;

    fn finished(step_summary: Option<PathBuf>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<RunRecord> = (0..3)
            .map(|rep| RunRecord {
                rep,
                mode: Mode::Direct,
                ..RunRecord::example()
            })
            .collect();
        let lines: String = records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        std::fs::write(dir.path().join(RUNS_JSONL), lines).unwrap();
        let opts = PipelineOptions {
            scenario: Scenario::builtin_default(),
            reports: dir.path().to_path_buf(),
            run_id: None,
            resume: None,
            base: Base::Debootstrap,
            external_master: None,
            secure: false,
            app_source: dir.path().to_path_buf(),
            threshold: 0.1,
            step_summary,
        };
        assert_eq!(finish(dir.path(), &records, &opts).unwrap(), Exit::Ok);
        dir
    }

    #[test]
    fn the_run_summary_is_appended_to_the_step_summary() {
        let target = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(target.path(), "earlier\n").unwrap();
        let dir = finished(Some(target.path().to_path_buf()));
        let summary = std::fs::read_to_string(dir.path().join(report::SUMMARY_MD)).unwrap();
        let appended = std::fs::read_to_string(target.path()).unwrap();
        assert_eq!(appended, format!("earlier\n\n{}\n\n", summary.trim_end()));
    }

    #[test]
    fn no_step_summary_without_a_target() {
        let dir = finished(None);
        assert!(dir.path().join(report::SUMMARY_MD).is_file());
        assert!(dir.path().join("bmf.json").is_file());
    }
}
