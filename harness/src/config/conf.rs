//! Spark conf as a scenario may give it, and as the harness writes it into
//! `spark-defaults.conf`. Spark reads that file as Java properties (one `key value` per line,
//! the last of a repeated key winning), so an unchecked newline in a value, or a key with
//! whitespace, `=` or `:`, would inject lines of its own: a scenario could turn Arrow on in the
//! Arrow-off arm or switch the event log off. Keys therefore match one strict pattern, values
//! hold no control characters, and the keys the harness owns stay owned under every spelling
//! Spark accepts for them.

use std::collections::BTreeMap;

/// Conf keys the harness sets itself, with what to use instead. Spark's alternative
/// spellings of a key (e.g. the legacy Arrow key, which Spark reads as a fallback) are owned
/// too.
pub const HARNESS_OWNED: [(&str, &str); 8] = [
    (
        "spark.sql.execution.arrow.pyspark.enabled",
        "use the `arrow` list instead",
    ),
    (
        "spark.sql.execution.arrow.enabled",
        "the legacy spelling of the Arrow switch: use the `arrow` list instead",
    ),
    (
        "spark.master",
        "the harness points every run at its own cluster",
    ),
    (
        "spark.submit.deployMode",
        "the mode decides the deploy mode: use the `modes` list",
    ),
    (
        "spark.eventLog.enabled",
        "the harness reads every run's event log",
    ),
    (
        "spark.eventLog.dir",
        "the harness collects event logs per run",
    ),
    (
        "spark.eventLog.compress",
        "the harness reads plain event logs",
    ),
    (
        "spark.eventLog.rolling.enabled",
        "the harness reads one event-log file per run",
    ),
];

/// Longest key or value accepted: Spark's own keys are far shorter, and a value this long is
/// a mistake, not a setting.
const MAX_LEN: usize = 4096;

/// `spark.` followed by letters, digits and `.`, `_`, `-` — the alphabet of every Spark key
/// (`spark.executorEnv.NAME` and `spark.hadoop.*` included). Nothing Java properties treat
/// specially (whitespace, `=`, `:`, `\`, `#`, `!`) can appear.
pub fn check_key(key: &str) -> Result<(), String> {
    let body = key.strip_prefix("spark.").unwrap_or("");
    let ok = !body.is_empty()
        && key.len() <= MAX_LEN
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !body.starts_with('.')
        && !body.ends_with('.');
    if !ok {
        return Err(format!(
            "Spark conf keys are `spark.` followed by letters, digits, `.`, `_` or `-`, got {key:?}"
        ));
    }
    match HARNESS_OWNED
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        Some((_, why)) => Err(format!("is set by the harness: {why}")),
        None => Ok(()),
    }
}

/// No control characters (a newline would start a line of its own), no surrounding whitespace
/// (Spark trims it, so the value would not round-trip), at most [`MAX_LEN`] bytes.
pub fn check_value(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!(
            "value holds a control character ({:?}): Spark conf values are one line",
            c
        ));
    }
    if value.trim() != value {
        return Err(format!(
            "value {value:?} has leading or trailing whitespace, which Spark drops"
        ));
    }
    if value.len() > MAX_LEN {
        return Err(format!("value is {} bytes, at most {MAX_LEN}", value.len()));
    }
    Ok(())
}

/// `spark-defaults.conf` text: one `key value` line per entry, backslashes escaped so Java
/// properties read every value back exactly (they would otherwise start escape sequences).
pub fn to_properties(conf: &BTreeMap<String, String>) -> String {
    conf.iter()
        .map(|(k, v)| format!("{k} {}\n", v.replace('\\', "\\\\")))
        .collect()
}

/// What Spark reads back from [`to_properties`]' output, for the lines it writes: the key up
/// to the first whitespace, the rest trimmed and unescaped (the subset of
/// `java.util.Properties.load` those lines use).
pub fn read_properties(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let (key, rest) = line.split_once([' ', '\t']).unwrap_or((line, ""));
        out.insert(key.to_string(), unescape(rest.trim()));
    }
    out
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_lines_are_refused() {
        assert!(check_value("false\nspark.sql.execution.arrow.pyspark.enabled true").is_err());
        assert!(check_value("x\r").is_err());
        for key in [
            "spark.x ",
            "spark.x=y",
            "spark.x:y",
            "spark.a b",
            "spark.",
            "spark.x\\",
        ] {
            assert!(check_key(key).is_err(), "{key:?}");
        }
    }

    #[test]
    fn owned_keys_are_owned_in_every_spelling() {
        for key in [
            "spark.sql.execution.arrow.pyspark.enabled",
            "spark.sql.execution.arrow.enabled",
            "spark.eventLog.enabled",
            "spark.Master",
        ] {
            let e = check_key(key).unwrap_err();
            assert!(e.contains("set by the harness"), "{key}: {e}");
        }
        check_key("spark.executorEnv.MY_VAR").unwrap();
        check_key("spark.hadoop.fs.s3a.endpoint").unwrap();
    }

    #[test]
    fn backslashes_round_trip() {
        let conf = BTreeMap::from([("spark.x".to_string(), "C:\\tmp\\n".to_string())]);
        assert_eq!(read_properties(&to_properties(&conf)), conf);
    }
}
