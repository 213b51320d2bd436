//! The app axis of a scenario (`apps = ["article", "typed", "vectorized", "sql"]`): the
//! article's app and its variants that compute the same `squared` column from the same seeded
//! draws another way, so one matrix shows what the way of computing costs (and what Arrow can
//! give an app written for it). A value is a built-in variant's name or a path to an app
//! directory (it holds a `/`). A scenario without the key runs the app `--app` names (the
//! article's by default): its runs carry the empty app name, so their cell labels are the ones
//! records had before the axis existed.

use std::path::{Path, PathBuf};

/// The built-in apps an axis may name: the article's app and its variants (name, fixture
/// directory, how the `squared` column is computed), and the two workloads of their own.
pub const VARIANTS: [(&str, &str, &str); 7] = [
    (
        "article",
        "app",
        "a Python UDF without a return type (strings, rows pickled)",
    ),
    (
        "typed",
        "app-typed",
        "a Python UDF declared DoubleType (doubles, rows still pickled)",
    ),
    (
        "udf",
        "app-udf",
        "an @udf(DoubleType) on the DataFrame API (Arrow-optimised by default from Spark 4.2)",
    ),
    (
        "vectorized",
        "app-vectorized",
        "a pandas UDF (doubles, rows to Python as Arrow batches)",
    ),
    (
        "sql",
        "app-sql",
        "SQL `CAST(value AS DOUBLE) * CAST(value AS DOUBLE)` (doubles, no Python UDF)",
    ),
    (
        "orders",
        "app-orders",
        "orders x customers from generated Parquet, joined and aggregated (a check command)",
    ),
    (
        "tpch",
        "app-tpch",
        "TPC-H's 22 queries on DuckDB-made Parquet, answers checked against DuckDB (size: SF in thousandths)",
    ),
];

/// The names of the built-in variants, comma-separated, for messages.
pub fn names() -> String {
    let v: Vec<&str> = VARIANTS.iter().map(|(n, _, _)| *n).collect();
    v.join(", ")
}

/// Whether an axis value is a path to an app directory rather than a variant's name.
pub fn is_path(value: &str) -> bool {
    value.contains('/')
}

/// The fixture directory of a built-in variant.
pub fn fixture_dir(name: &str) -> Option<PathBuf> {
    let (_, dir, _) = VARIANTS.iter().find(|(n, _, _)| *n == name)?;
    Some(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures")
            .join(dir),
    )
}

/// Checks one axis value: a variant's name, or a path to a directory.
pub fn check(value: &str) -> Result<(), String> {
    if is_path(value) {
        return match Path::new(value).is_dir() {
            true => Ok(()),
            false => Err(format!("{value:?} is not an app directory")),
        };
    }
    match fixture_dir(value) {
        Some(_) => Ok(()),
        None => Err(format!(
            "unknown app {value:?}: the built-in variants are {} (or a path to an app directory, with a `/`)",
            names()
        )),
    }
}

/// The directory a run's app comes from: the `--app` directory for the empty name, a
/// variant's fixture, or the path itself.
pub fn dir_of(app: &str, given: &Path) -> PathBuf {
    if app.is_empty() {
        return given.to_path_buf();
    }
    fixture_dir(app).unwrap_or_else(|| PathBuf::from(app))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_manifest() {
        for (name, _, _) in VARIANTS {
            let dir = fixture_dir(name).unwrap();
            assert!(
                dir.join(crate::config::manifest::MANIFEST).is_file(),
                "{name}"
            );
        }
    }

    #[test]
    fn unknown_names_are_refused_naming_the_variants() {
        let e = check("vectorised").unwrap_err();
        assert!(e.contains("article, typed, udf, vectorized, sql"), "{e}");
        assert!(check("sql").is_ok());
        assert!(check("/nonexistent/app")
            .unwrap_err()
            .contains("not an app directory"));
    }

    #[test]
    fn the_empty_name_is_the_given_app() {
        let given = Path::new("/some/app");
        assert_eq!(dir_of("", given), given);
        assert!(dir_of("typed", given).ends_with("fixtures/app-typed"));
        assert_eq!(dir_of("./mine/x", given), Path::new("./mine/x"));
    }
}
