//! `sparkmodes run`: preflight → plan → matrix (records on disk as each run ends) → the cell
//! table on stdout → report, comparisons, trackers → the verdict as the exit code. The verdict
//! is printed before the outputs are written, so an output that cannot be written (exit 5)
//! never hides it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::destination::{self, Destination};
use super::preflight;
use super::{ImageArgs, PipelineOptions, PipelineOutcome};
use crate::config::plan::Plan;
use crate::config::scenario::{self, Scenario};
use crate::config::{Mode, Name, Threshold};
use crate::error::{after_outputs, Error, Exit, Result};
use crate::exec::backend::{BackendOptions, SparkBackend};
use crate::exec::staging::fixture_dir;
use crate::exec::{frontier_search, interleave, matrix};
use crate::infra::docker;
use crate::infra::environment::{Environment, SystemProbe};
use crate::measure::record::{self, RunRecord};
use crate::output::compare::{self, CompareOptions, Comparison, Split};
use crate::output::export::{step_summary, JunitReport};
use crate::output::report;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A scenario file, or the name of a built-in one (default, smoke, arrow-scan, arrow-variants, frontier, upgrade, configs, faults, compat, compat-connect, compat-python, connect, tpch, tpch-upgrade, interleaved).
    pub scenario: Option<String>,
    /// The same as the positional argument.
    #[arg(long = "scenario", conflicts_with = "scenario")]
    pub scenario_flag: Option<String>,
    /// Where run directories are created.
    #[arg(long, default_value = "reports")]
    pub output: PathBuf,
    /// Name of the run directory (default: <scenario>-<timestamp>): letters, digits, '.', '_', '-'.
    #[arg(long)]
    pub run_id: Option<Name>,
    /// Complete an interrupted run: only its missing runs are done.
    #[arg(long, conflicts_with = "run_id")]
    pub resume: Option<Name>,
    /// Run against an existing cluster instead of starting one (spark://host:port).
    #[arg(long)]
    pub master: Option<String>,
    /// Start the cluster with spark.authenticate and a secret made for this run (not with
    /// --master: an external cluster cannot know that secret).
    #[arg(long, conflicts_with = "master")]
    pub secure: bool,
    /// The app to deploy (default: the article's sample app in fixtures/app).
    #[arg(long)]
    pub app: Option<PathBuf>,
    /// Build the Spark image on this local image instead of a debootstrap-made Debian base.
    #[arg(long)]
    pub base_image: Option<String>,
    /// Regression threshold for comparisons inside the run (upgrade, configs): a fraction in (0, 1].
    #[arg(long, default_value_t = Threshold::DEFAULT)]
    pub threshold: Threshold,
    /// Fail (exit 3) when a comparison inside the run could not have seen a change this small
    /// (its minimum detectable effect is larger): a fraction in (0, 1].
    #[arg(long)]
    pub require_mde: Option<Threshold>,
}

/// `sparkmodes run`.
pub fn run(args: RunArgs) -> Result<Exit> {
    let scenario = load_scenario(args.scenario.as_deref().or(args.scenario_flag.as_deref()))?;
    let opts = PipelineOptions {
        scenario,
        reports: args.output,
        run_id: args.run_id,
        resume: args.resume,
        base: ImageArgs::base_of(args.base_image),
        external_master: args.master,
        secure: args.secure,
        app_source: args.app.unwrap_or_else(fixture_dir),
        threshold: args.threshold,
        require_mde: args.require_mde,
        step_summary: step_summary::target(),
    };
    Ok(run_scenario(&opts)?.exit)
}

/// A scenario file, a built-in name, or (none given) the built-in default.
fn load_scenario(arg: Option<&str>) -> Result<Scenario> {
    match arg {
        None => Ok(Scenario::builtin_default()),
        Some(a) => match Scenario::builtin(a) {
            Some(s) if !Path::new(a).exists() => Ok(s),
            _ if Path::new(a).exists() || a.contains('/') || a.ends_with(".toml") => {
                Scenario::from_file(Path::new(a))
            }
            _ => Err(Error::input(format!(
                "scenario `{a}` is neither a file nor a built-in ({})",
                scenario::BUILTIN
                    .iter()
                    .map(|b| b.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        },
    }
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
    let backend_opts = BackendOptions {
        run_id: run_id.clone(),
        scenario: opts.scenario.name.clone(),
        run_dir: run_dir.clone(),
        app_source: opts.app_source.clone(),
        base: opts.base.clone(),
        external_master: opts.external_master.clone(),
        secure: opts.secure,
    };
    let mut backend = SparkBackend::new(backend_opts.clone());
    let result = match &opts.scenario.frontier {
        Some(spec) => frontier_search::run_search(&mut backend, &plan, spec, &run_dir, &done),
        None if opts.scenario.interleave => {
            interleaved(&mut backend, backend_opts, &todo, &run_dir, opts)
        }
        None => matrix::run_plan(&mut backend, &todo, &run_dir),
    };
    let mut env = Environment::capture(&opts.scenario.spark_versions, backend.images.clone());
    env.add_stacks(&SystemProbe, &backend.stacks);
    env.connect_server_ready_s = backend.connect_ready_s.clone();
    let written = env.write(&run_dir);
    result?;
    let defaults = super::defaults_probe::keep(&run_dir, &backend.stacks);
    let records = crate::measure::records_file::load_records(&run_dir).map_err(Error::output)?;
    let mut comparisons = comparisons(&records, opts);
    for (_, c) in &mut comparisons {
        c.attach_defaults(&defaults, &defaults);
    }
    let verdict = say_verdict(&records, &comparisons);
    let exit = after_outputs(verdict, written.map_err(anyhow::Error::from))?;
    let exit = after_outputs(exit, finish(&run_dir, &records, &comparisons, opts))?;
    println!("records  {}", run_dir.join(record::RUNS_CSV).display());
    println!("report   {}", run_dir.join(report::REPORT_HTML).display());
    Ok(PipelineOutcome {
        run_dir,
        records,
        exit,
    })
}

/// An interleaved scenario: one backend per arm (each its own cluster, all up at once), the
/// blocks run by `exec::interleave`, and, with `repetitions = "auto"`, the stopping rule asked
/// after each block over every record on disk (a resumed run's too). What the arms' backends
/// saw (images, stacks, Connect start-ups) is gathered into `main` for environment.json.
fn interleaved(
    main: &mut SparkBackend,
    backend_opts: BackendOptions,
    todo: &[crate::config::plan::PlannedRun],
    run_dir: &Path,
    opts: &PipelineOptions,
) -> Result<Vec<RunRecord>> {
    let arms = crate::config::plan::groups_of(todo).count();
    let mut backends: Vec<SparkBackend> = (0..arms)
        .map(|_| SparkBackend::new(backend_opts.clone()))
        .collect();
    let mut dyns: Vec<&mut dyn matrix::Backend> = backends
        .iter_mut()
        .map(|b| b as &mut dyn matrix::Backend)
        .collect();
    let mut stop = |blocks: u32| -> Result<compare::stopping::Stop> {
        let records = crate::measure::records_file::load_records(run_dir).map_err(Error::output)?;
        let comparisons: Vec<Comparison> = comparisons(&records, opts)
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        Ok(compare::stopping::decide(
            &comparisons,
            blocks,
            opts.scenario.repetitions,
        ))
    };
    let stop = opts
        .scenario
        .adaptive
        .then_some(&mut stop as &mut dyn FnMut(u32) -> Result<compare::stopping::Stop>);
    let seed = opts.scenario.seed;
    let result = interleave::run_interleaved(&mut dyns, todo, run_dir, seed, stop);
    for b in backends {
        main.images.extend(b.images);
        main.stacks.extend(b.stacks);
        main.connect_ready_s.extend(b.connect_ready_s);
    }
    result
}

/// The run's own comparisons: every Spark version, config and Python against the first.
fn comparisons(records: &[RunRecord], opts: &PipelineOptions) -> Vec<(Split, Comparison)> {
    let cmp_opts = CompareOptions {
        threshold: opts.threshold,
        require_mde: opts.require_mde,
        ..CompareOptions::default()
    };
    splits(&opts.scenario)
        .into_iter()
        .map(|split| {
            let c = compare::compare_within(records, &split, &cmp_opts);
            (split, c)
        })
        .collect()
}

/// The cell table (and a frontier's answers) on stdout, each comparison's table on stderr,
/// and the verdict they add up to, before any output file is written: 3 for a broken
/// promise, a cell left without a measurement or a comparison noisier than `--require-mde`, else 4 for a slower Spark version (a slower
/// config or Python is information), else 0.
fn say_verdict(records: &[RunRecord], comparisons: &[(Split, Comparison)]) -> Exit {
    println!("{}", crate::output::text_table::cell_table(records));
    if let Some(frontier) = report::frontier_text(records) {
        println!("{frontier}");
    }
    for (_, c) in comparisons {
        eprintln!("{}", c.to_terminal_table());
    }
    let unmeasured = record::unmeasured_cells(records);
    if !unmeasured.is_empty() {
        let cells: Vec<String> = unmeasured.iter().map(ToString::to_string).collect();
        eprintln!(
            "sparkmodes: {} cell(s) left without a measurement (every run of theirs failed, or was spoiled and its re-run too): {}",
            cells.len(),
            cells.join(", ")
        );
    }
    let noisy: Vec<String> = comparisons
        .iter()
        .filter_map(|(_, c)| c.too_noisy())
        .collect();
    for n in &noisy {
        eprintln!("sparkmodes: the gate fails: {n}");
    }
    let broken =
        records.iter().any(|r| !r.kept_promise()) || !unmeasured.is_empty() || !noisy.is_empty();
    let slower_version = comparisons
        .iter()
        .any(|(s, c)| matches!(s, Split::SparkVersion { .. }) && c.exit() == Exit::Regression);
    match (broken, slower_version) {
        (true, _) => Exit::WrongResult,
        (false, true) => Exit::Regression,
        (false, false) => Exit::Ok,
    }
}

/// JUnit, report, the comparisons' files, the step summary.
fn finish(
    run_dir: &Path,
    records: &[RunRecord],
    comparisons: &[(Split, Comparison)],
    opts: &PipelineOptions,
) -> anyhow::Result<()> {
    let mut junit = JunitReport::from_records(&opts.scenario.name, records);
    let mut summaries = Vec::new();
    for (split, comparison) in comparisons {
        let sub = run_dir.join(split_dir(split));
        compare::write_outputs(&sub, comparison, records, records)?;
        summaries.push(comparison.to_markdown());
        for case in compare::junit_cases(comparison) {
            junit.push(case);
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
    Ok(())
}

/// The first Spark version (config, Python) of the scenario is the baseline of each
/// comparison; a scenario with `direct` and `connect` also compares the two drivers on the
/// host, classic against Spark Connect (information, like configs and Pythons: only a slower
/// Spark version fails the run). A frontier's configs and versions probe different counts: no
/// cell pairs up.
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
            baseline: pythons[0].to_string(),
            candidate: p.to_string(),
        });
    }
    if s.modes.contains(&Mode::Direct) && s.modes.contains(&Mode::Connect) {
        out.push(Split::Mode {
            baseline: Mode::Direct,
            candidate: Mode::Connect,
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
        Split::Mode {
            baseline,
            candidate,
        } => format!("compare-mode-{baseline}-vs-{candidate}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            base: crate::infra::image::Base::Debootstrap,
            external_master: None,
            secure: false,
            app_source: dir.path().to_path_buf(),
            threshold: Threshold::DEFAULT,
            require_mde: None,
            step_summary,
        };
        finish(dir.path(), &records, &[], &opts).unwrap();
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

    /// A scenario with `direct` and `connect` compares the two drivers on the host cell by
    /// cell (per query for TPC-H); a slower Connect is information, not a failed run.
    #[test]
    fn classic_and_connect_on_the_host_are_compared_like_for_like() {
        let runs = |mode: Mode, wall: f64| -> Vec<RunRecord> {
            (0..5)
                .map(|rep| RunRecord {
                    rep,
                    mode,
                    wall_s: wall + f64::from(rep) * 0.01,
                    ..RunRecord::example()
                })
                .collect()
        };
        let mut scenario = Scenario::builtin("tpch").unwrap();
        scenario.modes = vec![Mode::Direct, Mode::Submit, Mode::Connect];
        assert_eq!(
            splits(&scenario),
            [Split::Mode {
                baseline: Mode::Direct,
                candidate: Mode::Connect
            }]
        );
        let split = &splits(&scenario)[0];
        assert_eq!(split_dir(split), "compare-mode-direct-vs-connect");
        let records = [
            runs(Mode::Direct, 10.0),
            runs(Mode::Submit, 30.0),
            runs(Mode::Connect, 20.0),
        ]
        .concat();
        let c = compare::compare_within(&records, split, &CompareOptions::default());
        assert_eq!(c.rows.len(), 1, "submit pairs with nothing: {:?}", c.rows);
        assert_eq!(c.rows[0].verdict, compare::Verdict::Slower);
        assert!(!c.rows[0].cell.contains("direct"), "{}", c.rows[0].cell);
        assert_eq!(
            (c.baseline.as_str(), c.candidate.as_str()),
            ("mode direct", "mode connect")
        );
        assert_eq!(say_verdict(&records, &[(split.clone(), c)]), Exit::Ok);
        scenario.modes = vec![Mode::Submit, Mode::Connect];
        assert_eq!(splits(&scenario), []);
    }

    /// `run`'s exit codes from its records alone: 0 kept, 3 broken or unmeasured, 4 a newer
    /// Spark version slower (a slower config is information).
    #[test]
    fn the_verdict_is_0_3_or_4_by_what_the_records_say() {
        let runs = |version: &str, wall: f64| -> Vec<RunRecord> {
            (0..5)
                .map(|rep| RunRecord {
                    rep,
                    spark_version: version.into(),
                    run_id: version.into(),
                    wall_s: wall + f64::from(rep) * 0.01,
                    ..RunRecord::example()
                })
                .collect()
        };
        let mut scenario = Scenario::builtin("upgrade").unwrap();
        scenario.spark_versions = vec!["3.5.9".into(), "4.3.0".into()];
        let opts = PipelineOptions {
            scenario,
            reports: PathBuf::new(),
            run_id: None,
            resume: None,
            base: crate::infra::image::Base::Debootstrap,
            external_master: None,
            secure: false,
            app_source: PathBuf::new(),
            threshold: Threshold::DEFAULT,
            require_mde: None,
            step_summary: None,
        };
        let verdict = |records: &[RunRecord]| say_verdict(records, &comparisons(records, &opts));
        let same = [runs("3.5.9", 10.0), runs("4.3.0", 10.0)].concat();
        assert_eq!(verdict(&same), Exit::Ok);
        let slower = [runs("3.5.9", 10.0), runs("4.3.0", 20.0)].concat();
        assert_eq!(verdict(&slower), Exit::Regression);
        let mut spoiled = same.clone();
        for r in spoiled.iter_mut().filter(|r| r.spark_version == "4.3.0") {
            r.degraded = Some("worker lost".into());
        }
        assert_eq!(verdict(&spoiled), Exit::WrongResult);
        let mut wrong = slower;
        wrong[0].correct = crate::measure::Correctness::No;
        assert_eq!(verdict(&wrong), Exit::WrongResult);
    }
}
