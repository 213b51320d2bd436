//! Judging one finished run from what it left behind: its exit, its output, its event log.
//! Each judgement about a run is made here, once: refused as expected, failed (and the line
//! that says why), timed out, Arrow as asked or a contradicted setup; the classic app failing
//! under Spark Connect as it must (connect-classic); the Arrow advisor's finding; what the app's declared check said of its
//! result (right, wrong, or unknown); the app on the harness's cluster, not a master of its
//! own.

use crate::config::{Mode, PlannedRun};
use crate::exec::driver::REFUSAL_MESSAGE;
use crate::exec::process::Outcome;
use crate::measure::advisor;
use crate::measure::correctness::Correctness;
use crate::measure::diagnosis::{console_lines, diagnose};
use crate::measure::eventlog::PhaseTimings;
use crate::measure::record::{RunRecord, Status};
use crate::measure::tpch_oracle::QueryVerdict;

pub fn judge_refusal(out: &Outcome, stderr: &str, rec: &mut RunRecord) {
    let refused = out.exit_code.is_some_and(|c| c != 0);
    if refused && stderr.contains(REFUSAL_MESSAGE) {
        rec.status = Status::RefusedAsExpected;
        rec.correct = Correctness::Yes;
    } else if refused {
        rec.status = Status::Failed;
        rec.error = Some(format!(
            "refused, but not with the expected message: {}",
            last_meaningful_line(stderr)
        ));
    } else {
        rec.status = Status::Failed;
        rec.error = Some(
            "Spark ACCEPTED --deploy-mode cluster for a Python app on a standalone master: the refusal this mode asserts is gone"
                .into(),
        );
    }
}

/// A negative cell: its promise is one specific failure (the diagnosis `expected`), and it is
/// kept only when the driver failed and its output shows exactly that failure.
pub fn expected_failure(expected: &str, out: &Outcome, output: &str, rec: &mut RunRecord) {
    let found = diagnose(output);
    // Stopped by a watch (a driver hung after its OutOfMemoryError) counts as failing.
    let failed = out.aborted.is_some() || out.exit_code.is_some_and(|c| c != 0);
    match (out.exit_code, &found) {
        (_, Some(d)) if failed && d.name == expected => {
            rec.status = Status::FailedAsExpected;
            rec.correct = Correctness::Yes;
            rec.finding = Some(d.finding());
            rec.diagnosis = Some(d.name.clone());
        }
        (Some(0), _) => {
            rec.status = Status::Failed;
            rec.error = Some(format!(
                "the app succeeded: the {expected} failure this cell asserts did not happen"
            ));
        }
        _ => {
            rec.status = Status::Failed;
            let got = found.map_or("no known failure".to_string(), |d| d.name);
            rec.error = Some(format!(
                "expected the {expected} failure, got {got}: {}",
                last_meaningful_line(output)
            ));
        }
    }
}

/// connect-classic promises the classic app's failure under Spark Connect: it exits non-zero
/// with a known Connect incompatibility (`measure::diagnosis`'s `connect-classic-api`). The
/// finding names the app's line that uses the classic-only API and what to do about it.
pub fn judge_connect_classic(out: &Outcome, output: &str, rec: &mut RunRecord) {
    let diagnosis = diagnose(output).filter(|d| d.name == "connect-classic-api");
    match (out.exit_code, diagnosis) {
        (Some(0), _) => {
            rec.status = Status::Failed;
            rec.error = Some("the classic app RAN under Spark Connect: the failure this mode asserts is gone (did it stop using SparkContext?)".into());
        }
        (_, Some(d)) => {
            rec.status = Status::FailedAsExpected;
            rec.correct = Correctness::Yes;
            let at = app_frame(output).unwrap_or_else(|| "the app".into());
            let api = d
                .line
                .split("cannot import name '")
                .nth(1)
                .and_then(|r| r.split('\'').next())
                .unwrap_or("SparkContext/RDD");
            rec.finding = Some(format!(
                "{at} uses the classic-only API `{api}`, so the app fails under Spark Connect: {} Fix: {} (Python said: \"{}\")",
                d.meaning, d.fix, d.line
            ));
            rec.diagnosis = Some(d.name);
        }
        (code, None) => {
            rec.status = Status::Failed;
            rec.error = Some(format!(
                "failed, but not with the Connect incompatibility this mode expects: {}",
                failure_cause(code, output)
            ));
        }
    }
}

/// The innermost traceback frame in the app's own files (not site-packages), as
/// `data/data_source.py line 6 (`from pyspark import SparkConf, SparkContext`)`.
fn app_frame(output: &str) -> Option<String> {
    let lines: Vec<&str> = output.lines().collect();
    let (i, frame) = lines.iter().enumerate().rev().find(|(_, l)| {
        let l = l.trim_start();
        l.starts_with("File \"") && !l.contains("site-packages")
    })?;
    let path = frame
        .trim_start()
        .strip_prefix("File \"")?
        .split('"')
        .next()?;
    let rel = path.rsplit_once("/app/").map_or(path, |(_, r)| r);
    let line_no = frame.split(", line ").nth(1)?.split(',').next()?;
    let code = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
    Some(format!("{rel} line {line_no} (`{code}`)"))
}

/// What the app's check said about one result.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub correct: Correctness,
    /// Why the result is wrong, in words.
    pub problem: Option<String>,
    /// Why correctness is unknown.
    pub note: Option<String>,
    /// Each query's own verdict, for a multi-query app (TPC-H); empty otherwise.
    pub queries: Vec<QueryVerdict>,
}

impl Verdict {
    pub(crate) fn of(correct: bool, problem: impl FnOnce() -> String) -> Verdict {
        Verdict {
            correct: correct.into(),
            problem: (!correct).then(problem),
            note: None,
            queries: Vec::new(),
        }
    }
}

/// A run that exited 0 is `ok`; its result is then what the app's check said: right, wrong
/// (`wrong result: …`, the run keeps `ok` and breaks its promise), or unknown (noted).
pub fn result(verdict: Verdict, rec: &mut RunRecord) {
    rec.status = Status::Ok;
    rec.correct = verdict.correct;
    if let Some(problem) = verdict.problem {
        rec.error = Some(format!("wrong result: {problem}"));
    }
    if let Some(note) = verdict.note {
        rec.finding = Some(note);
    }
}

/// The master the event log shows the app used must be the one the harness gave it: an app
/// that calls `.master(...)` itself (e.g. `local[*]`) measured something else, whatever its
/// result. No event log, no evidence: noted, not failed.
pub fn master_used(expected: &str, used: Option<&str>, rec: &mut RunRecord) {
    match used {
        Some(m) if m == expected => {}
        Some(m) => {
            rec.status = Status::Failed;
            rec.error = Some(format!(
                "the app ran on master `{m}`, not the harness's cluster `{expected}` (its event log's spark.master): it sets its master itself. Fix: build the session without .master(...) (spark-defaults.conf names the cluster), or read SPARKMODES_MASTER, or declare the file it reads its master from under [master] in sparkmodes-app.toml"
            ));
        }
        None if rec.status == Status::Ok => {
            let note = "no event log with spark.master: the master the app used cannot be checked (does it turn spark.eventLog off?)";
            rec.finding.get_or_insert(note.to_string());
        }
        None => {}
    }
}

/// What the event log and the driver's output show about a finished run: phase timings,
/// executors, and whether Arrow really ran as the run's arm asked.
pub fn evidence(
    run: &PlannedRun,
    timings: Option<&PhaseTimings>,
    stderr: &str,
    rec: &mut RunRecord,
) {
    if let Some(t) = timings {
        rec.app_s = t.app_s;
        rec.jobs_s = t.jobs_s;
        rec.collect_s = t.collect_s;
        rec.tasks = Some(t.tasks);
        rec.executors = Some(t.executors);
        rec.udf_eval = t.python_udf_eval.clone();
        rec.executor_run_s = Some(t.executor_run_s);
        rec.gc_s = Some(t.gc_s);
    }
    if run.mode == Mode::Connect {
        judge_connect_arrow(run.arrow, rec);
    } else if run.mode.computes() {
        judge_arrow(
            run.arrow,
            timings.and_then(|t| t.arrow_collect),
            stderr,
            rec,
        );
        if let Some(advice) = advisor::advice(rec) {
            rec.finding.get_or_insert(advice);
        }
    }
}

/// Under Spark Connect the server always sends results as Arrow batches over gRPC and the
/// client always sends a pandas frame as an Arrow local relation: the Arrow switch of the cell
/// only reaches the session's conf, not the result path.
pub fn judge_connect_arrow(arrow: bool, rec: &mut RunRecord) {
    rec.arrow_effective = Some(true);
    let arm = if arrow { "on" } else { "off" };
    rec.finding.get_or_insert(format!(
        "Arrow arm {arm} has no effect under Spark Connect: results come back as Arrow batches over gRPC whatever spark.sql.execution.arrow.pyspark.enabled says (the plan has no collectToPython/collectAsArrowToPython; the setting only shows in the SQL execution's modifiedConfigs)"
    ));
}

/// PySpark's warning when Arrow conversion fails and it falls back to the pickled path.
pub const ARROW_FALLBACK: &str = "Attempting non-optimization";

/// Arrow as the arm asked, or as Spark explained: a fallback with Spark's warning is a
/// finding; Arrow engaged in the Arrow-off arm, or missing from the Arrow-on arm without that
/// warning, means the run did not measure what its cell says: a failed run.
pub fn judge_arrow(arrow: bool, engaged: Option<bool>, stderr: &str, rec: &mut RunRecord) {
    rec.arrow_effective = engaged;
    let fallback = stderr.lines().find(|l| l.contains(ARROW_FALLBACK));
    let contradiction = match (arrow, engaged, fallback) {
        (true, _, Some(line)) => {
            rec.arrow_effective = Some(false);
            rec.finding = Some(format!("Arrow requested but fell back: {}", line.trim()));
            None
        }
        (true, Some(false), None) => Some("Arrow was requested, but toPandas collected without it and PySpark printed no fallback warning"),
        (false, Some(true), _) => Some("Arrow was off, but toPandas collected with Arrow"),
        _ => None,
    };
    if let (Some(why), Status::Ok) = (contradiction, rec.status) {
        rec.status = Status::Failed;
        rec.error = Some(format!(
            "setup contradicted: {why} (the Spark conf in effect is not the one this cell asked for)"
        ));
    }
}

/// The most telling line of a failed driver's stderr, with out-of-memory deaths named.
pub fn failure_cause(exit_code: Option<i32>, stderr: &str) -> String {
    let code = exit_code.map_or("a signal".to_string(), |c| format!("exit code {c}"));
    match diagnose(stderr) {
        Some(d) => format!("{code}: {} [{}]", d.line, d.name),
        None => format!("{code}: {}", last_meaningful_line(stderr)),
    }
}

/// A run that broke its promise gets the diagnosis its output matches, if any: the rule's
/// name in `diagnosis`, what Spark said, what it means and the fix in `finding`.
pub fn explain(output: &str, rec: &mut RunRecord) {
    if rec.kept_promise() {
        return;
    }
    if let Some(d) = diagnose(output) {
        rec.finding = Some(d.finding());
        rec.diagnosis = Some(d.name);
    }
}

pub fn last_meaningful_line(text: &str) -> String {
    let is_error = |l: &&str| {
        let l = l.trim_start();
        !l.starts_with("at ") && (l.contains("Error") || l.contains("Exception"))
    };
    console_lines(text)
        .rev()
        .find(is_error)
        .or_else(|| console_lines(text).rev().find(|l| !l.trim().is_empty()))
        .map(|l| l.trim().chars().take(500).collect())
        .unwrap_or_else(|| "(no output)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnosed_failure_names_its_rule() {
        let err = "x\njava.lang.OutOfMemoryError: Java heap space\n\tat foo\nTraceback\n";
        let c = failure_cause(Some(1), err);
        assert!(
            c.starts_with("exit code 1: java.lang.OutOfMemoryError"),
            "{c}"
        );
        assert!(c.ends_with("[driver-out-of-memory]"), "{c}");
        let mut r = RunRecord::default();
        explain(err, &mut r);
        assert_eq!(r.diagnosis.as_deref(), Some("driver-out-of-memory"));
        assert!(r.finding.unwrap().contains("spark.driver.memory"));
    }

    /// The python-mismatch cell judged on the output of a real run (4.1.4, driver on 3.12,
    /// executors on 3.11, saved in fixtures/logs): failed as expected, Spark's own words in the
    /// finding and the fix; the same output from a cell expecting another failure is not.
    #[test]
    fn a_python_mismatch_fails_as_expected_and_is_explained() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/logs");
        let log = std::fs::read_to_string(dir.join("python-mismatch-4.1.log")).unwrap();
        let mut rec = RunRecord {
            mode: Mode::PythonMismatch,
            ..RunRecord::default()
        };
        expected_failure("python-mismatch", &outcome(1), &log, &mut rec);
        assert_eq!(rec.status, Status::FailedAsExpected, "{:?}", rec.error);
        assert!(rec.kept_promise());
        assert_eq!(rec.diagnosis.as_deref(), Some("python-mismatch"));
        let finding = rec.finding.unwrap();
        assert!(finding.contains("[PYTHON_VERSION_MISMATCH]"), "{finding}");
        assert!(finding.contains("Fix:"), "{finding}");
        let mut other = RunRecord::default();
        expected_failure("version-skew", &outcome(1), &log, &mut other);
        assert_eq!(other.status, Status::Failed);
        assert!(other.error.unwrap().contains("got python-mismatch"));
    }

    fn outcome(code: i32) -> Outcome {
        Outcome {
            exit_code: Some(code),
            timed_out: false,
            wall_s: 1.0,
            fault_at_s: None,
            fault_error: None,
            aborted: None,
        }
    }

    /// A driver that hung after its OutOfMemoryError is stopped by the watch (no exit code):
    /// for the driver-oom cell that is the promised failure; exiting 0 never is.
    #[test]
    fn a_stopped_driver_keeps_the_driver_oom_promise() {
        let log = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/logs/driver-oom.log"
        ))
        .unwrap();
        let stopped = Outcome {
            exit_code: None,
            aborted: Some("the driver ran out of memory and was stopped".into()),
            ..outcome(0)
        };
        let mut r = RunRecord::default();
        expected_failure("driver-out-of-memory", &stopped, &log, &mut r);
        assert_eq!(r.status, Status::FailedAsExpected, "{r:?}");
        let mut r = RunRecord::default();
        expected_failure("driver-out-of-memory", &outcome(0), &log, &mut r);
        assert_eq!(r.status, Status::Failed);
        let mut r = RunRecord::default();
        expected_failure("max-result-size", &stopped, &log, &mut r);
        assert_eq!(
            r.status,
            Status::Failed,
            "another failure is not the promise"
        );
    }

    #[test]
    fn the_classic_app_failing_under_connect_is_the_promise_with_its_line() {
        let log = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/logs/connect-classic-pure-client.log"
        ))
        .unwrap();
        let mut r = RunRecord {
            mode: Mode::ConnectClassic,
            ..RunRecord::default()
        };
        judge_connect_classic(&outcome(1), &log, &mut r);
        assert_eq!(r.status, Status::FailedAsExpected);
        assert!(r.kept_promise());
        let f = r.finding.unwrap();
        assert!(
            f.starts_with(
                "data/data_source.py line 6 (`from pyspark import SparkConf, SparkContext`)"
            ),
            "{f}"
        );
        assert!(
            f.contains("`SparkContext`") && f.contains("ImportError"),
            "{f}"
        );
        assert!(f.contains("fixtures/app-connect"), "{f}");
        let mut ran = RunRecord {
            mode: Mode::ConnectClassic,
            ..RunRecord::default()
        };
        judge_connect_classic(&outcome(0), "", &mut ran);
        assert!(!ran.kept_promise() && ran.error.unwrap().contains("RAN"));
        let mut other = RunRecord::default();
        judge_connect_classic(&outcome(1), "Traceback\nValueError: x\n", &mut other);
        assert_eq!(other.status, Status::Failed);
    }

    #[test]
    fn cause_skips_stack_frames() {
        let err = "py4j.protocol.Py4JJavaError: An error occurred\n\tat org.Foo(Foo.java:1)\n";
        assert_eq!(
            failure_cause(None, err),
            "a signal: py4j.protocol.Py4JJavaError: An error occurred"
        );
    }

    fn ok_run() -> RunRecord {
        RunRecord {
            status: Status::Ok,
            correct: Correctness::Yes,
            ..RunRecord::default()
        }
    }

    #[test]
    fn arrow_against_its_arm_is_a_failed_run() {
        let mut on = ok_run();
        judge_arrow(true, Some(false), "", &mut on);
        assert_eq!(on.status, Status::Failed);
        assert!(on.error.unwrap().starts_with("setup contradicted"));
        let mut off = ok_run();
        judge_arrow(false, Some(true), "", &mut off);
        assert_eq!(off.status, Status::Failed);
        assert!(!off.kept_promise());
    }

    #[test]
    fn a_fallback_spark_explained_is_a_finding() {
        let mut r = ok_run();
        let log = "UserWarning: toPandas attempted Arrow optimization ... Attempting non-optimization as 'fallback.enabled' is set to true.";
        judge_arrow(true, Some(false), log, &mut r);
        assert_eq!(r.status, Status::Ok);
        assert_eq!(r.arrow_effective, Some(false));
        assert!(r.finding.unwrap().contains("fell back"));
        let mut as_asked = ok_run();
        judge_arrow(false, Some(false), "", &mut as_asked);
        assert_eq!((as_asked.status, as_asked.finding), (Status::Ok, None));
    }

    /// With a pure client (4.0–4.2) the classic app fails at its import; with full pyspark as
    /// the client (4.3) at its SparkContext: both are the failure connect-classic promises.
    #[test]
    fn connect_classic_accepts_both_real_failures_and_names_the_line() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/logs/");
        for (file, line) in [
            (
                "connect-classic-pure-client.log",
                "data/data_source.py line 6",
            ),
            (
                "connect-classic-spark-remote-full-pyspark.log",
                "data/data_source.py line 18",
            ),
        ] {
            let text = std::fs::read_to_string(format!("{dir}{file}")).unwrap();
            let out = Outcome {
                exit_code: Some(1),
                timed_out: false,
                wall_s: 1.0,
                fault_at_s: None,
                fault_error: None,
                aborted: None,
            };
            let mut r = RunRecord::default();
            judge_connect_classic(&out, &text, &mut r);
            assert_eq!(r.status, Status::FailedAsExpected, "{file}: {:?}", r.error);
            let finding = r.finding.unwrap();
            assert!(finding.contains(line), "{file}: {finding}");
        }
    }
}
