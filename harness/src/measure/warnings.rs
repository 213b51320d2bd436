//! Warnings a run's driver printed, classified and counted, so a comparison can say which
//! appeared or vanished (a deprecation a new line adds, a fallback Spark now warns about).
//! Two kinds are read from the console, as a reader sees it (lines split at `\r` too):
//!
//! - Python's `warnings`: `<file>:<line>: <Category>Warning: <message>` → `<Category>Warning
//!   <file>:<line>`, the file relative to the app (the part after its `app/` folder) or, for a
//!   library, from `site-packages/` on;
//! - log4j lines of Spark and its libraries: `yy/MM/dd HH:mm:ss WARN <Logger>: …` → `WARN
//!   <Logger>`.

use std::collections::BTreeMap;

use crate::measure::diagnosis::console_lines;

/// Every warning class in `output` with how many times it appeared.
pub fn classify(output: &str) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for line in console_lines(output) {
        if let Some(key) = python_warning(line).or_else(|| log4j_warning(line)) {
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

fn python_warning(line: &str) -> Option<String> {
    let (head, _) = line.split_once("Warning: ")?;
    let (location, category) = head.rsplit_once(": ")?;
    if !category.chars().all(|c| c.is_ascii_alphanumeric()) || category.is_empty() {
        return None;
    }
    let (file, line_no) = location.trim().rsplit_once(':')?;
    if line_no.is_empty() || !line_no.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{category}Warning {}:{line_no}", short_path(file)))
}

fn short_path(file: &str) -> &str {
    if let Some((_, rel)) = file.rsplit_once("/app/") {
        return rel;
    }
    match file.find("site-packages/") {
        Some(at) => &file[at + "site-packages/".len()..],
        None => file,
    }
}

fn log4j_warning(line: &str) -> Option<String> {
    let rest = line.split_once(" WARN ")?.1;
    let logger = rest.split(':').next()?.trim();
    let plain = !logger.is_empty()
        && logger
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._$".contains(c));
    plain.then(|| format!("WARN {logger}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_and_spark_warnings_are_classified_and_counted() {
        let out = "\
/tmp/r/runs/0001/app/data/data_source.py:31: FutureWarning: Deprecated in 3.0.0. Use createOrReplaceTempView instead.
  register(\"test\")
26/12/06 14:16:25 WARN Utils: Your hostname, vm, resolves to a loopback address
26/12/06 14:16:26 WARN NativeCodeLoader: Unable to load native-hadoop library
[Stage 0:>   (0 + 2) / 2]\r26/12/06 14:16:30 WARN TaskSetManager: Lost task 0.0
26/12/06 14:16:31 WARN TaskSetManager: Lost task 1.0
/opt/venv/lib/python3.11/site-packages/pyspark/sql/pandas/utils.py:72: UserWarning: pandas only supports SQLAlchemy
Traceback: this is not a warning: nothing
";
        let w = classify(out);
        assert_eq!(w["FutureWarning data/data_source.py:31"], 1);
        assert_eq!(w["UserWarning pyspark/sql/pandas/utils.py:72"], 1);
        assert_eq!(w["WARN TaskSetManager"], 2);
        assert_eq!(w["WARN Utils"], 1);
        assert_eq!(w.len(), 5, "{w:?}");
    }
}
