//! One run: load the app's manifest, stage the app, launch it in its mode, wait (with deadline
//! and optional fault), then judge it — refusal, exit status, the app's declared check, the
//! master it really ran on — and read its phase timings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::manifest::{AppSpec, Dataset};
use crate::config::plan::PlannedRun;
use crate::config::Mode;
use crate::error::Result;
use crate::exec::driver::{self, Deployment, Driver};
use crate::exec::judge::{self, failure_cause, judge_refusal, last_meaningful_line};
use crate::exec::memory_probe::{self, Probe};
use crate::exec::negative;
use crate::exec::process::{self, Fault, Outcome, Supervision};
use crate::exec::result_check::{self, ResultJudge};
use crate::exec::staging;
use crate::infra::cluster::Cluster;
use crate::infra::target::Target;
use crate::infra::venv::Venv;
use crate::measure::correctness::Correctness;
use crate::measure::event_spans::SharedSpans;
use crate::measure::eventlog;
use crate::measure::profile::Profile;
use crate::measure::query_records::{self, QueryTiming};
use crate::measure::record::{RunRecord, Status};
use crate::measure::tpch_oracle::QueryVerdict;

/// Runs planned runs against one cluster and turns each into a record.
pub trait Executor {
    fn execute(&mut self, run: &PlannedRun) -> RunRecord;

    /// The run's record, then one record per query for a multi-query app (TPC-H).
    fn execute_all(&mut self, run: &PlannedRun) -> Vec<RunRecord> {
        vec![self.execute(run)]
    }
}

/// What a multi-query app's run left for its query records: its timings, the oracle's
/// verdict per query, and the event log's spans.
#[derive(Default)]
struct QueryStash {
    timings: Vec<QueryTiming>,
    verdicts: Vec<QueryVerdict>,
    spans: Option<SharedSpans>,
}

/// What stays fixed across the runs of one group.
pub struct GroupContext {
    pub run_id: String,
    pub scenario: String,
    pub run_dir: PathBuf,
    pub app_source: PathBuf,
    pub image: String,
    pub venv: Venv,
    pub target: Target,
}

/// The real executor: real processes, real containers, real Spark.
pub struct SparkExecutor {
    ctx: GroupContext,
    /// Worker container ids of the cluster, for fault injection; empty for external clusters.
    workers: Vec<String>,
    results: ResultJudge,
    seq: usize,
    /// The python-mismatch cell's venv on another Python minor, made on first use.
    other_venv: Option<Venv>,
    /// The last run's queries, for `execute_all`.
    stash: QueryStash,
}

impl SparkExecutor {
    pub fn new(ctx: GroupContext, cluster: Option<&Cluster>) -> Self {
        let seq = count_existing(&ctx.run_dir.join("runs"));
        SparkExecutor {
            ctx,
            workers: cluster.map(Cluster::worker_ids).unwrap_or_default(),
            results: ResultJudge::default(),
            seq,
            other_venv: None,
            stash: QueryStash::default(),
        }
    }

    /// After a cluster restart the workers are new containers (and a Connect server new too).
    pub fn retarget(&mut self, cluster: &Cluster, target: Target) {
        self.ctx.target = target;
        self.workers = cluster.worker_ids();
    }

    /// Drops the authentication secret (and Connect token), to show a client without it is
    /// refused.
    pub fn forget_secret(&mut self) {
        self.ctx.target.secret = None;
        if let Some(c) = self.ctx.target.connect.as_mut() {
            c.token = None;
        }
    }

    /// The python-mismatch cell drives from a venv on another Python minor than the group's,
    /// the version-skew cell from another line's (each built once, on first use); every other
    /// mode from the group's.
    fn venv_for(&mut self, run: &PlannedRun) -> Result<Venv> {
        if run.mode == Mode::VersionSkew {
            let cluster = &self.ctx.venv.spark_version;
            return crate::infra::venv::ensure_for(negative::skew_driver(cluster), run.python);
        }
        if run.mode != Mode::PythonMismatch {
            return Ok(self.ctx.venv.clone());
        }
        if self.other_venv.is_none() {
            let spark = &self.ctx.venv.spark_version;
            let line = crate::config::versions::line_of(spark)?;
            let (python, minor) =
                crate::infra::tools::other_python(spark, line.python, run.python)?;
            self.other_venv = Some(crate::infra::venv::ensure_on(spark, &python, minor)?);
        }
        Ok(self.other_venv.clone().expect("just set"))
    }

    /// A run's folder under `runs/`, numbered in the order runs happen ([`claim_folder`]).
    fn run_dir_name(&mut self, run: &PlannedRun) -> String {
        let stem = format!(
            "{}-{}-{}-{}{}",
            run.mode,
            if run.arrow { "arrow" } else { "noarrow" },
            run.elements,
            if run.warmup { "w" } else { "r" },
            run.rep
        );
        claim_folder(&self.ctx.run_dir.join("runs"), &mut self.seq, &stem)
    }

    fn try_execute(&mut self, run: &PlannedRun, rec: &mut RunRecord) -> Result<()> {
        let rel = PathBuf::from("runs").join(self.run_dir_name(run));
        let dir = self.ctx.run_dir.join(&rel);
        let driver = driver::for_mode(run.mode, &self.ctx.target)?;
        let spec = AppSpec::load(&driver.app_source(&self.ctx.app_source))?;
        let venv = self.venv_for(run)?;
        let staged = self.stage(run, driver.as_ref(), &spec, &dir, &venv)?;
        rec.stdout_path = Some(rel.join("stdout.txt").display().to_string());
        rec.stderr_path = Some(rel.join("stderr.txt").display().to_string());
        let job = Deployment {
            target: &self.ctx.target,
            venv: &venv,
            image: &self.ctx.image,
            staged: &staged,
            // A negative cell still runs the app, with what provokes its failure.
            elements: negative::elements(run.mode, run.elements),
            seed: run.seed.get(),
            arrow: run.arrow,
        };
        let launch = driver.launch(&job)?;
        let probe =
            memory_probe::enabled().then(|| Probe::start(driver.memory(&staged), &self.workers));
        let sup = Supervision {
            timeout: run.timeout,
            fault: self.fault(run, staged.event_log_dir.clone()),
            watch: driver.watch(&staged),
            sample: probe.as_ref().map(Probe::sampler),
        };
        let outcome = process::execute(&launch, &staged.stdout, &staged.stderr, sup)?;
        if let Some(peaks) = probe.map(Probe::finish) {
            rec.driver_peak_mib = peaks.driver_mib;
            rec.executors_peak_mib = peaks.executors_mib;
        }
        // Read once: every judgement below looks at the same output (and why a watch ended it).
        let stderr = std::fs::read_to_string(&staged.stderr).unwrap_or_default();
        let mut output = driver_output(&stderr, &staged.stdout);
        output.extend(outcome.aborted.as_deref().map(|why| format!("\n{why}\n")));
        self.judge(run, &staged, &venv, &outcome, &output, rec)?;
        let log = driver.event_log(&staged);
        if let Some(log) = &log {
            rec.event_log_path = log
                .strip_prefix(&self.ctx.run_dir)
                .ok()
                .map(|p| p.display().to_string());
        }
        let timings = log.and_then(|l| driver.timings(&l, run.elements));
        judge::evidence(run, timings.as_ref(), &stderr, rec);
        rec.profile = Some(profile_of(timings.as_ref(), &output));
        if classic_computing(run.mode) {
            let used = timings.as_ref().and_then(|t| t.master.as_deref());
            judge::master_used(&driver.master_url(&self.ctx.target), used, rec);
        }
        judge::explain(&output, rec);
        self.stash.spans = timings.as_ref().map(|t| t.spans.clone());
        let timings_file = staged.result.join(query_records::TIMINGS);
        if let Ok(text) = std::fs::read_to_string(timings_file) {
            self.stash.timings = query_records::parse_timings(&text);
        }
        if rec.correct == Correctness::Yes {
            // Results of large runs are big; a correct one has nothing left to tell.
            remove(&staged.result);
        }
        Ok(())
    }

    /// The mode's wiring first, the scenario's conf last: a scenario may override anything
    /// (e.g. spark.driver.host=127.0.0.1 to reproduce a driver executors cannot reach), except
    /// the keys the harness owns (refused at load), such as the master.
    fn stage(
        &self,
        run: &PlannedRun,
        driver: &dyn Driver,
        spec: &AppSpec,
        dir: &Path,
        venv: &Venv,
    ) -> Result<staging::Staged> {
        let master = driver.master_url(&self.ctx.target);
        let mut conf = driver.conf(&self.ctx.target)?;
        conf.extend(spark_conf(run, &self.ctx.target));
        conf.extend(run.conf.clone());
        conf.extend(negative::conf(run.mode));
        if !run.mode.uses_connect() {
            // Apps that build their session without `.master(...)` land on the cluster here.
            conf.insert("spark.master".into(), master.clone());
        }
        let root = driver.run_root();
        let data = match spec.data {
            Some(Dataset::Tpch) => Some(crate::infra::tpch::ensure(run.elements)?),
            None => None,
        };
        staging::stage(&staging::Request {
            spec,
            root: dir,
            master_url: &master,
            driver_root: root.as_deref(),
            conf: &conf,
            python: &venv.python,
            data: data.as_deref(),
            queries: &run.queries,
        })
    }

    /// The fault fires `after_s` seconds after the run's first Spark job started, so it lands
    /// while work is running whatever the app's start-up time.
    fn fault(&self, run: &PlannedRun, event_log_dir: PathBuf) -> Option<Fault> {
        let spec = run.fault.as_ref()?;
        let victim = self.workers.first()?.clone();
        Some(Fault {
            armed: Box::new(move || job_started(&event_log_dir)),
            after: Duration::from_secs_f64(spec.after_s),
            action: Box::new(move || crate::infra::docker::cli(&["kill", &victim]).map(|_| ())),
        })
    }

    fn judge(
        &mut self,
        run: &PlannedRun,
        staged: &staging::Staged,
        venv: &Venv,
        out: &Outcome,
        stderr: &str,
        rec: &mut RunRecord,
    ) -> Result<()> {
        rec.wall_s = out.wall_s;
        rec.exit_code = out.exit_code;
        if let Some(at) = out.fault_at_s {
            let fault = run
                .fault
                .as_ref()
                .map(|f| f.kind.as_str())
                .unwrap_or("fault");
            rec.fault = Some(match &out.fault_error {
                None => format!("{fault} at {at:.1}s"),
                Some(e) => format!("{fault} at {at:.1}s failed: {e}"),
            });
        }
        if out.timed_out {
            rec.status = Status::Timeout;
            rec.error = Some(format!(
                "killed after the {}s timeout; last output: {}",
                run.timeout.as_secs(),
                last_meaningful_line(stderr)
            ));
            return Ok(());
        }
        if run.mode == Mode::ClusterRefusal {
            judge_refusal(out, stderr, rec);
            return Ok(());
        }
        if run.mode == Mode::ConnectClassic {
            judge::judge_connect_classic(out, stderr, rec);
            return Ok(());
        }
        if let Some(expected) = run.mode.expected_failure() {
            judge::expected_failure(expected, out, stderr, rec);
            return Ok(());
        }
        if let Some(why) = &out.aborted {
            rec.status = Status::Failed;
            rec.error = Some(format!("stopped before its timeout: {why}"));
            return Ok(());
        }
        if out.exit_code != Some(0) {
            rec.status = Status::Failed;
            rec.error = Some(failure_cause(out.exit_code, stderr));
            return Ok(());
        }
        let verdict = self.results.judge(&result_check::Job {
            staged,
            elements: run.elements,
            seed: run.seed.get(),
            arrow: run.arrow,
            python: &venv.python,
            timeout: run.timeout,
        })?;
        self.stash.verdicts = verdict.queries.clone();
        judge::result(verdict, rec);
        Ok(())
    }
}

impl Executor for SparkExecutor {
    fn execute_all(&mut self, run: &PlannedRun) -> Vec<RunRecord> {
        let rec = self.execute(run);
        let stash = std::mem::take(&mut self.stash);
        let spans = stash.spans.as_ref().map(|s| s.0.as_ref());
        let queries = query_records::query_records(&rec, &stash.timings, &stash.verdicts, spans);
        std::iter::once(rec).chain(queries).collect()
    }

    fn execute(&mut self, run: &PlannedRun) -> RunRecord {
        self.stash = QueryStash::default();
        let mut rec = RunRecord::for_run(&self.ctx.run_id, &self.ctx.scenario, run);
        if let Err(e) = self.try_execute(run, &mut rec) {
            rec.status = Status::Failed;
            rec.correct = Correctness::No;
            rec.error = Some(format!("harness error: {e}"));
        }
        rec
    }
}

/// Arrow and authentication settings. Each line runs as a team gets it, apart from what the
/// arm is about: the Arrow-off arm turns every Arrow path off (pandas conversion and
/// Arrow-optimised Python UDFs, which Spark 4.2 turned on by default); the Arrow-on arm turns
/// Arrow on for pandas conversion and leaves the UDF path to the line's default, so an upgrade
/// to 4.2+ shows `BatchEvalPython → ArrowEvalPython` for an `@udf` app, and the explanation
/// names the default that flipped. A scenario's `[spark_conf]` still wins over both. The
/// legacy `spark.sql.execution.arrow.enabled` only mattered before 3.0 (no recipe here).
fn spark_conf(run: &PlannedRun, target: &Target) -> BTreeMap<String, String> {
    let mut conf = BTreeMap::new();
    conf.insert(
        "spark.sql.execution.arrow.pyspark.enabled".into(),
        run.arrow.to_string(),
    );
    if !run.arrow {
        conf.insert(
            "spark.sql.execution.pythonUDF.arrow.enabled".into(),
            "false".into(),
        );
    }
    if target.secret.is_some() {
        conf.insert("spark.authenticate".into(), "true".into());
    }
    conf
}

/// What the run did: the event log's operators, metrics and properties (empty without a log,
/// which the explanation then says), and the warnings its driver printed.
fn profile_of(timings: Option<&eventlog::PhaseTimings>, output: &str) -> Profile {
    let mut profile = timings.map(|t| t.profile.clone()).unwrap_or_default();
    profile.warnings = crate::measure::warnings::classify(output);
    profile
}

/// What the driver printed: spark-submit sends the Python side's traceback to stdout, so both.
fn driver_output(stderr: &str, stdout: &Path) -> String {
    stderr.to_string() + &std::fs::read_to_string(stdout).unwrap_or_default()
}

/// Spark flushes the event log on every job start, so the file shows it as it happens.
fn job_started(event_log_dir: &Path) -> bool {
    eventlog::find_event_log(event_log_dir)
        .and_then(|p| std::fs::read_to_string(p).ok())
        .is_some_and(|t| t.contains("\"Event\":\"SparkListenerJobStart\""))
}

/// Computing modes whose driver is the app's own (not a Connect server's).
fn classic_computing(mode: Mode) -> bool {
    mode.computes() && !mode.uses_connect()
}

fn remove(path: &Path) {
    let _ = match path.is_dir() {
        true => std::fs::remove_dir_all(path),
        false => std::fs::remove_file(path),
    };
}

/// `NNNN-<stem>`, created under `runs`: several executors write into one run directory (the
/// arms of an interleaved run, a resumed run), so the number is claimed by creating the
/// folder, and one that exists already is never reused.
pub(crate) fn claim_folder(runs: &Path, seq: &mut usize, stem: &str) -> String {
    let _ = std::fs::create_dir_all(runs);
    loop {
        *seq = (*seq).max(count_existing(runs)) + 1;
        let name = format!("{:04}-{stem}", *seq);
        match std::fs::create_dir(runs.join(&name)) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            _ => return name,
        }
    }
}

fn count_existing(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_executors_on_one_run_directory_never_share_a_run_folder() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        // Two arms' executors, each counting from what existed when it started.
        let (mut a, mut b) = (0, 0);
        let names: Vec<String> = (0..6)
            .map(|i| match i % 2 {
                0 => claim_folder(&runs, &mut a, "direct-arrow-10-r0"),
                _ => claim_folder(&runs, &mut b, "direct-arrow-10-r0"),
            })
            .collect();
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), 6, "{names:?}");
        assert_eq!(names[0], "0001-direct-arrow-10-r0");
        assert_eq!(names[5], "0006-direct-arrow-10-r0");
        // A folder left by an earlier attempt is skipped, not reused.
        std::fs::create_dir(runs.join("0007-direct-arrow-10-r0")).unwrap();
        let mut c = 3;
        assert_eq!(
            claim_folder(&runs, &mut c, "direct-arrow-10-r0"),
            "0008-direct-arrow-10-r0"
        );
    }
}
