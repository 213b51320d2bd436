//! Judging one finished run from what it left behind: its exit, its output, its event log.
//! Each judgement about a run is made here, once: refused as expected, failed (and the line
//! that says why), timed out, Arrow as asked or a contradicted setup.

use std::path::Path;

use crate::config::PlannedRun;
use crate::exec::driver::REFUSAL_MESSAGE;
use crate::exec::process::Outcome;
use crate::measure::diagnosis::diagnose;
use crate::measure::eventlog::PhaseTimings;
use crate::measure::record::{RunRecord, Status};

pub fn judge_refusal(out: &Outcome, stderr: &str, rec: &mut RunRecord) {
    let refused = out.exit_code.is_some_and(|c| c != 0);
    if refused && stderr.contains(REFUSAL_MESSAGE) {
        rec.status = Status::RefusedAsExpected;
        rec.correct = true;
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
    match (out.exit_code, &found) {
        (Some(c), Some(d)) if c != 0 && d.name == expected => {
            rec.status = Status::FailedAsExpected;
            rec.correct = true;
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

/// What the event log and the driver's output show about a finished run: phase timings,
/// executors, and whether Arrow really ran as the run's arm asked.
pub fn evidence(
    run: &PlannedRun,
    timings: Option<&PhaseTimings>,
    stderr_path: &Path,
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
    if run.mode.computes() {
        let stderr = std::fs::read_to_string(stderr_path).unwrap_or_default();
        judge_arrow(
            run.arrow,
            timings.and_then(|t| t.arrow_collect),
            &stderr,
            rec,
        );
    }
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
    text.lines()
        .rev()
        .find(is_error)
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
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
            correct: true,
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
}
