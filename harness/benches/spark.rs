//! A whole direct-mode run of the sample app at 100,000 elements, Arrow on and off, against
//! one real Spark standalone cluster. Each iteration's time is the run's own `wall_s` (launch
//! to exit), not the bench loop's, so staging and the oracle check stay out of the figure.
//!
//! Needs a Docker daemon, Java and Python 3.11 on the host; without them it prints why and
//! measures nothing. The first measured call builds the images and the host venv if missing.
//! `SPARKMODES_BASE_IMAGE` names a local base image instead of making one with debootstrap.
//! Records and run logs stay in a `sparkmodes-bench-*` temp dir, printed at the start.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use sparkmodes::config::plan::{Plan, PlannedRun};
use sparkmodes::config::scenario::Scenario;
use sparkmodes::config::Mode;
use sparkmodes::exec::run::{Executor, GroupContext, SparkExecutor};
use sparkmodes::exec::staging;
use sparkmodes::infra::cluster::{self, Cluster};
use sparkmodes::infra::image::{self, Base};
use sparkmodes::infra::tools;
use sparkmodes::infra::venv;
use sparkmodes::output::export::{Exporter, RecordSink};

const SCENARIO: &str = "smoke";

/// Why this process should not start a cluster, if it should not. `cargo test --benches` (and
/// `--all-targets`) runs every bench once without `--bench`; a cluster there would make plain
/// test runs need Docker and take minutes.
fn skip_reason() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if !has("--bench") || has("--test") {
        return Some("not running as a benchmark (cargo bench)".into());
    }
    tools::docker_daemon()
        .and_then(|_| tools::java())
        .and_then(|_| tools::python())
        .err()
        .map(|e| e.to_string())
}

/// The smoke scenario's measured direct run with the given Arrow setting (100,000 elements).
fn direct_run(scenario: &Scenario, arrow: bool) -> PlannedRun {
    Plan::new(scenario)
        .runs()
        .iter()
        .find(|r| r.mode == Mode::Direct && r.arrow == arrow && !r.warmup)
        .cloned()
        .expect("the smoke scenario has direct runs with Arrow on and off")
}

/// The cluster and what runs on it. Fields drop in order: the executor before its cluster.
struct Bench {
    executor: SparkExecutor,
    sink: RecordSink,
    cluster: Cluster,
}

impl Bench {
    fn start(scenario: &Scenario, run: &PlannedRun) -> Bench {
        let base = std::env::var("SPARKMODES_BASE_IMAGE")
            .ok()
            .filter(|s| !s.is_empty())
            .map_or(Base::Debootstrap, Base::Existing);
        let images = image::ensure(&run.spark_version, &base).expect("Spark image");
        let venv = venv::ensure(&run.spark_version).expect("host venv");
        let cluster = Cluster::start(
            &images.spark,
            &run.config.shape,
            cluster::Options::default(),
        )
        .expect("Spark cluster");
        let out: PathBuf = tempfile::Builder::new()
            .prefix("sparkmodes-bench-")
            .tempdir()
            .expect("temp dir")
            .keep();
        println!("spark bench: records and run logs in {}", out.display());
        let ctx = GroupContext {
            run_id: "bench".into(),
            scenario: scenario.name.clone(),
            run_dir: out.clone(),
            app_source: staging::fixture_dir(),
            image: images.spark,
            venv,
            target: cluster.target(),
        };
        Bench {
            executor: SparkExecutor::new(ctx, Some(&cluster)),
            sink: RecordSink::open(&out).expect("record sink"),
            cluster,
        }
    }

    /// The run's own wall time; panics on a wrong or failed run, whose time says nothing.
    fn run(&mut self, run: &PlannedRun) -> Duration {
        let rec = self.executor.execute(run);
        self.sink.append(&rec).expect("record appended");
        assert!(
            rec.correct == sparkmodes::Correctness::Yes,
            "{} arrow={}: {:?} {}",
            rec.mode,
            rec.arrow,
            rec.status,
            rec.error.as_deref().unwrap_or("")
        );
        Duration::from_secs_f64(rec.wall_s)
    }

    /// Removes the cluster now, saying so if that fails (a plain drop would be silent).
    fn finish(self) {
        let Bench {
            executor, cluster, ..
        } = self;
        drop(executor);
        if let Err(e) = cluster.rm() {
            eprintln!("spark bench: removing the cluster failed: {e}");
        }
    }
}

fn direct_mode(c: &mut Criterion) {
    if let Some(why) = skip_reason() {
        println!("spark bench skipped: {why}");
        return;
    }
    let scenario = Scenario::builtin(SCENARIO).expect("a built-in scenario");
    let on = direct_run(&scenario, true);
    let off = direct_run(&scenario, false);
    // Started by the first bench criterion actually runs, so a filter that matches neither
    // (`cargo bench -- oracle`) builds and starts nothing.
    let mut bench: Option<Bench> = None;

    let mut group = c.benchmark_group("spark");
    group.sample_size(10);
    // One run is ~15 s: flat sampling with one run per sample keeps a function to ~11 runs
    // (criterion's warm-up run included). Criterion warns that 10 samples do not fit in the
    // target time; that is the intended trade.
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(10));
    for (name, run) in [("direct_arrow_on", &on), ("direct_arrow_off", &off)] {
        group.bench_function(format!("{name}_{}_elements", run.elements), |b| {
            let bench = bench.get_or_insert_with(|| Bench::start(&scenario, run));
            b.iter_custom(|iters| (0..iters).map(|_| bench.run(run)).sum())
        });
    }
    group.finish();
    if let Some(b) = bench {
        b.finish();
    }
}

criterion_group!(benches, direct_mode);
criterion_main!(benches);
