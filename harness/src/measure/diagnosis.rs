//! What a failed run's logs mean and what to change: a table of patterns taken from real
//! failures (the excerpts are in `fixtures/logs/`, each tested here), each with a one-sentence
//! explanation and the setting or install step that fixes it. Every run that did not keep its
//! promise is matched against it; the first rule whose pattern is in the driver's output wins,
//! so the specific rules come before the general ones.

use serde::{Deserialize, Serialize};

/// One known failure.
pub struct Rule {
    /// Stable name, e.g. `python-mismatch`; also the `diagnosis` column of the record.
    pub name: &'static str,
    /// Every one of these must be on one line of the output.
    pub all_of: &'static [&'static str],
    pub meaning: &'static str,
    pub fix: &'static str,
}

/// A rule that matched, with the line Spark printed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    pub name: String,
    pub line: String,
    pub meaning: String,
    pub fix: String,
}

impl Diagnosis {
    /// One line for the record's `finding`: what Spark said, what it means, what to change.
    pub fn finding(&self) -> String {
        format!(
            "{}: {} Fix: {} (Spark said: \"{}\")",
            self.name, self.meaning, self.fix, self.line
        )
    }
}

pub const RULES: &[Rule] = &[
    Rule {
        name: "python-mismatch",
        all_of: &["[PYTHON_VERSION_MISMATCH]"],
        meaning: "the driver's Python minor differs from the executors', and PySpark refuses to run a Python UDF across minors.",
        fix: "run the driver on the executors' Python minor (PYSPARK_DRIVER_PYTHON), or build the image on the driver's (PYSPARK_PYTHON must name a matching interpreter on both sides).",
    },
    Rule {
        name: "cluster-refusal",
        all_of: &["Cluster deploy mode is currently not supported for python applications"],
        meaning: "a standalone master cannot run a Python app's driver in cluster deploy mode.",
        fix: "use client mode (spark-submit --deploy-mode client, or the direct or containerized recipe).",
    },
    Rule {
        name: "version-skew",
        all_of: &["InvalidClassException", "local class incompatible"],
        meaning: "the driver's Spark version differs from the cluster's, so their RPC messages do not deserialise (Spark retries for about a minute, then gives up on the master).",
        fix: "install the cluster's Spark version on the driver side (pyspark==<cluster version>).",
    },
    Rule {
        name: "connect-token-missing",
        all_of: &["No authentication token provided"],
        meaning: "the Spark Connect server requires a token and the client sent none.",
        fix: "give the client the server's token (`;token=` in the sc:// URL, e.g. through SPARK_REMOTE).",
    },
    Rule {
        name: "connect-classic-api",
        all_of: &["cannot import name 'SparkContext' from 'pyspark'"],
        meaning: "the app uses SparkContext/RDDs, which the pure Spark Connect client does not have.",
        fix: "port the app to the DataFrame API (see fixtures/app-connect) or run it in a classic mode.",
    },
    Rule {
        name: "connect-classic-api",
        all_of: &["[NOT_IMPLEMENTED]"],
        meaning: "the app calls an API Spark Connect does not implement (SparkContext, RDDs).",
        fix: "port the app to the DataFrame API (see fixtures/app-connect) or run it in a classic mode.",
    },
    Rule {
        name: "connect-classic-api",
        all_of: &["[JVM_ATTRIBUTE_NOT_SUPPORTED]"],
        meaning: "the app reaches into the JVM (Py4J: _jvm, _jdf, SparkContext), which a Spark Connect client has none of.",
        fix: "port the app to the DataFrame API (see fixtures/app-connect) or run it in a classic mode.",
    },
    Rule {
        // With full pyspark as the client (4.3 has no pure client), the classic app gets this
        // far: its SparkContext asks spark-submit for a master while SPARK_REMOTE is set.
        name: "connect-classic-api",
        all_of: &["Remote cannot be specified with master"],
        meaning: "SPARK_REMOTE asks for Spark Connect while the app sets a master itself (SparkConf.setMaster, SparkContext): spark-submit refuses both at once.",
        fix: "for Spark Connect, build the session with SparkSession.builder.remote(...) and drop setMaster/SparkContext (see fixtures/app-connect); otherwise unset SPARK_REMOTE.",
    },
    Rule {
        name: "python312-distutils",
        all_of: &["No module named 'distutils'"],
        meaning: "PySpark 3.5 imports distutils, which Python 3.12 removed from the standard library (3.5 does not support Python 3.12).",
        fix: "run Spark 3.5 on Python 3.11, or `pip install setuptools` in the driver's environment, or move to Spark 4.x.",
    },
    Rule {
        name: "max-result-size",
        all_of: &["is bigger than spark.driver.maxResultSize"],
        meaning: "the results collected to the driver exceed spark.driver.maxResultSize.",
        fix: "raise spark.driver.maxResultSize (0 = unlimited) and keep spark.driver.memory above it, or collect less.",
    },
    Rule {
        name: "executor-out-of-memory",
        all_of: &["Job aborted due to stage failure", "): java.lang.OutOfMemoryError"],
        meaning: "an executor ran out of heap (for the sample app: serialising its part of the result, the pickled rows of its partition); Spark retried the task on other executors, then aborted the job.",
        fix: "raise spark.executor.memory (within a worker's memory), or use more partitions (more workers or cores) so each task's result is smaller, or lower the element count.",
    },
    Rule {
        name: "driver-out-of-memory",
        all_of: &["java.lang.OutOfMemoryError"],
        meaning: "a JVM ran out of heap; for the sample app the driver, while serialising the data it parallelizes (the driver may then hang until the timeout).",
        fix: "raise spark.driver.memory (and spark.executor.memory if the line is an executor's), or lower the element count.",
    },
    Rule {
        name: "no-executors",
        all_of: &["Initial job has not accepted any resources"],
        meaning: "no executor was granted: the workers lack the cores or memory the app asks for, or executors cannot reach the driver.",
        fix: "keep spark.executor.memory/cores within a worker's, check that workers are ALIVE, and that spark.driver.host is reachable from the cluster network.",
    },
    Rule {
        name: "java-too-old",
        all_of: &["UnsupportedClassVersionError"],
        meaning: "the Java running the driver is older than the one Spark was compiled for (Spark 4 needs Java 17).",
        fix: "install Java 17 or newer and put it first on PATH (or set JAVA_HOME).",
    },
    Rule {
        // The master of a spark.authenticate cluster answers a client that does not speak SASL
        // with this exception; the driver retries registering for a minute, never served.
        name: "auth-secret-missing",
        all_of: &["Expected SaslMessage"],
        meaning: "the cluster runs with spark.authenticate and the driver has no secret, so the master drops everything it sends (the driver would retry for a minute, then give up).",
        fix: "give the driver the cluster's secret: spark.authenticate=true and spark.authenticate.secret (or SPARK_AUTHENTICATE_SECRET in its environment).",
    },
    Rule {
        name: "masters-unresponsive",
        all_of: &["All masters are unresponsive"],
        meaning: "the driver could not register with the master: wrong address, a firewall, a Spark version skew, or a missing spark.authenticate secret.",
        fix: "check the master URL and port, the driver's Spark version, and spark.authenticate settings against the cluster's.",
    },
    Rule {
        name: "java-gateway-exited",
        all_of: &["[JAVA_GATEWAY_EXITED]"],
        meaning: "PySpark's driver JVM did not start (no or wrong Java, or bad spark-submit options).",
        fix: "check `java -version` (Spark 4 needs 17+), JAVA_HOME and SPARK_HOME; the lines above this one say why the JVM exited.",
    },
];

/// The diagnoses that mean the result did not fit: the driver's heap,
/// `spark.driver.maxResultSize`, or an executor's heap serialising its part. A driver-memory
/// frontier search stops at them (and names which one bound it).
pub const RESULT_LIMITS: [&str; 3] = [
    "driver-out-of-memory",
    "max-result-size",
    "executor-out-of-memory",
];

pub fn is_result_limit(name: &str) -> bool {
    RESULT_LIMITS.contains(&name)
}

/// The lines of a console log as a reader sees them: Spark's progress bar redraws itself with
/// `\r`, so an error printed after it shares its `\n`-line; splitting on both keeps the
/// error's own line (and its start) apart from the bar.
pub fn console_lines(output: &str) -> impl DoubleEndedIterator<Item = &str> {
    output.split(['\n', '\r'])
}

/// The first rule that matches a line of `output`, with that line.
pub fn diagnose(output: &str) -> Option<Diagnosis> {
    first_match(RULES.iter(), output)
}

/// The first of `rules` that matches a line of `output`, with that line.
fn first_match<'r>(mut rules: impl Iterator<Item = &'r Rule>, output: &str) -> Option<Diagnosis> {
    rules.find_map(|rule| {
        let line = console_lines(output)
            .find(|l| rule.all_of.iter().all(|p| l.contains(p)))
            .or_else(|| match_across_lines(rule, output))?;
        Some(Diagnosis {
            name: rule.name.to_string(),
            line: line.trim().chars().take(400).collect(),
            meaning: rule.meaning.to_string(),
            fix: rule.fix.to_string(),
        })
    })
}

/// The line where a JVM reports that *it* ran out of heap (`Exception in thread "…"
/// java.lang.OutOfMemoryError`, or the error at the head of a stack trace), not a task's
/// failure it relays (`Lost task … : java.lang.OutOfMemoryError`, which Spark retries). Such a
/// driver often hangs afterwards instead of exiting (fixtures/logs/driver-oom.log).
pub fn jvm_out_of_memory(output: &str) -> Option<&str> {
    const OOM: &str = "java.lang.OutOfMemoryError";
    console_lines(output)
        .map(str::trim)
        .find(|l| l.starts_with(OOM) || (l.starts_with("Exception in thread") && l.contains(OOM)))
}

/// Rules whose line means the master will never serve the driver, which retries for a minute
/// before it gives up: a watch stops the run at the line instead.
pub const NEVER_SERVED: [&str; 1] = ["auth-secret-missing"];

/// Why a driver whose new output is `output` will never finish, if it will not: the reason a
/// watch stops its run with, quoting Spark's line.
pub fn never_finishes(output: &str) -> Option<String> {
    if let Some(line) = jvm_out_of_memory(output) {
        return Some(format!(
            "the driver ran out of memory and was stopped (\"{line}\")"
        ));
    }
    // Only these rules are tried: a line an earlier, general rule matches in the same output
    // must not hide the refusal (the watch reads each line once).
    let never_served = RULES.iter().filter(|r| NEVER_SERVED.contains(&r.name));
    let d = first_match(never_served, output)?;
    Some(format!(
        "the cluster refused the driver ({}) and it was stopped (\"{}\")",
        d.name, d.line
    ))
}

/// Java prints an exception's class and its message on one line, but a wrapped cause can split
/// a rule's parts over lines: then the line with the last part is the one shown.
fn match_across_lines<'a>(rule: &Rule, output: &'a str) -> Option<&'a str> {
    if rule.all_of.len() < 2 || !rule.all_of.iter().all(|p| output.contains(p)) {
        return None;
    }
    let last = rule.all_of.last()?;
    console_lines(output).find(|l| l.contains(last))
}

#[cfg(test)]
mod tests {
    /// A driver's OOM printed right after Spark's progress bar (one `\n`-line, joined by `\r`),
    /// as a real 1g driver collecting 8,000,000 elements printed it.
    #[test]
    fn an_error_after_the_progress_bar_is_its_own_line() {
        let out = "[Stage 0:>          (0 + 1) / 2][Stage 0:>          (0 + 2) / 2]\rException in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n";
        let d = super::diagnose(out).unwrap();
        assert_eq!(d.name, "driver-out-of-memory");
        assert!(d.line.starts_with("Exception in thread"), "{}", d.line);
        assert!(super::jvm_out_of_memory(out).is_some());
    }
    use super::*;

    #[test]
    fn a_jvm_out_of_its_own_heap_is_told_from_a_relayed_task_failure() {
        for log in ["driver-oom.log", "connect-server-oom.log"] {
            let text = fixture(log);
            let line = jvm_out_of_memory(&text);
            assert!(line.is_some_and(|l| l.contains("Java heap space")), "{log}");
        }
        let relayed = "26/11/26 WARN TaskSetManager: Lost task 0.0 in stage 0.0 (TID 0) (172.18.0.3 executor 1): java.lang.OutOfMemoryError: Java heap space";
        assert_eq!(jvm_out_of_memory(relayed), None);
        assert_eq!(jvm_out_of_memory(&fixture("max-result-size.log")), None);
    }

    fn fixture(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/logs/");
        std::fs::read_to_string(format!("{dir}{name}")).unwrap()
    }

    /// Every saved excerpt of a real failure is recognised as what it is.
    #[test]
    fn real_log_excerpts_are_recognised() {
        let cases = [
            ("python-mismatch-3.5.log", "python-mismatch"),
            ("python-mismatch-4.1.log", "python-mismatch"),
            ("version-skew-3.5-driver-4.1-cluster.log", "version-skew"),
            ("version-skew-4.1-driver-3.5-cluster.log", "version-skew"),
            ("driver-oom.log", "driver-out-of-memory"),
            ("executor-oom-task-result.log", "executor-out-of-memory"),
            ("connect-server-oom.log", "driver-out-of-memory"),
            ("max-result-size.log", "max-result-size"),
            ("executor-memory-too-large.log", "no-executors"),
            ("python312-no-distutils-3.5.log", "python312-distutils"),
            ("connect-classic-pure-client.log", "connect-classic-api"),
            (
                "connect-classic-spark-remote-full-pyspark.log",
                "connect-classic-api",
            ),
            ("connect-no-token.log", "connect-token-missing"),
            ("cluster-refusal.log", "cluster-refusal"),
            ("auth-secret-missing.log", "auth-secret-missing"),
        ];
        for (file, rule) in cases {
            let d = diagnose(&fixture(file)).unwrap_or_else(|| panic!("{file}: no diagnosis"));
            assert_eq!(d.name, rule, "{file}: {d:?}");
            assert!(
                !d.line.is_empty() && !d.line.starts_with('#'),
                "{file}: {d:?}"
            );
        }
    }

    /// A watch stops a driver at its own OutOfMemoryError or at a master's refusal, quoting the
    /// line; a failure the driver exits on by itself is left to end the run.
    #[test]
    fn a_driver_that_will_never_finish_is_told_by_its_line() {
        let refused = never_finishes(&fixture("auth-secret-missing.log")).unwrap();
        assert!(
            refused.starts_with("the cluster refused the driver (auth-secret-missing)"),
            "{refused}"
        );
        assert!(refused.contains("Expected SaslMessage"), "{refused}");
        let oom = never_finishes(&fixture("driver-oom.log")).unwrap();
        assert!(oom.starts_with("the driver ran out of memory"), "{oom}");
        for exits in [
            "max-result-size.log",
            "python-mismatch-4.1.log",
            "cluster-refusal.log",
        ] {
            assert_eq!(never_finishes(&fixture(exits)), None, "{exits}");
        }
        // A line of an earlier rule in the same new output does not hide the refusal.
        let both = format!(
            "{}{}",
            fixture("executor-memory-too-large.log"),
            fixture("auth-secret-missing.log")
        );
        assert_eq!(diagnose(&both).unwrap().name, "no-executors");
        let refused = never_finishes(&both).unwrap();
        assert!(refused.contains("(auth-secret-missing)"), "{refused}");
    }

    #[test]
    fn every_rule_is_tried_on_real_output_or_is_a_known_text() {
        let names: std::collections::BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
        assert!(names.len() >= 10, "{names:?}");
        assert_eq!(diagnose("all fine\n"), None);
    }

    #[test]
    fn the_finding_says_what_spark_said_what_it_means_and_the_fix() {
        let d = diagnose(&fixture("max-result-size.log")).unwrap();
        let f = d.finding();
        assert!(f.starts_with("max-result-size: "), "{f}");
        assert!(f.contains("Fix: raise spark.driver.maxResultSize"), "{f}");
        assert!(f.contains("Total size of serialized results"), "{f}");
    }
}
