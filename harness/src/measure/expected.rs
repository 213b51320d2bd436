//! An app's result compared with the expected-output file its manifest names: same columns,
//! same number of rows, every cell equal — numbers within a relative tolerance, anything
//! else exactly. Rows are sorted on both sides first unless the manifest says the order
//! matters (Spark gives no order without an ORDER BY).
//!
//! CSV (a header line, then rows) and JSON lines (one object per line; its keys are the
//! columns, in sorted order) are read here; Parquet is converted to CSV before it gets here.

use std::cmp::Ordering;
use std::path::Path;

use anyhow::{bail, Context};

use crate::config::manifest::Format;
use crate::measure::oracle::Check;

const SHOWN_MISMATCHES: usize = 5;

/// A result as text cells under named columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads a CSV or JSON-lines file (`Parquet` must be converted to CSV first).
pub fn read(path: &Path, format: Format) -> anyhow::Result<Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table = match format {
        Format::Csv => from_csv(&text),
        Format::JsonLines => from_json_lines(&text),
        Format::Parquet => bail!("Parquet is converted to CSV before it is compared"),
    };
    table.with_context(|| format!("in {}", path.display()))
}

fn from_csv(text: &str) -> anyhow::Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let columns = reader.headers()?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("row {}", i + 1))?;
        rows.push(row.iter().map(str::to_string).collect());
    }
    Ok(Table { columns, rows })
}

fn from_json_lines(text: &str) -> anyhow::Result<Table> {
    let mut columns: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        // Keys as a set, in name order: two writers may order a record's keys differently.
        let object: std::collections::BTreeMap<String, serde_json::Value> =
            serde_json::from_str(line)
                .with_context(|| format!("line {}: not a JSON object", i + 1))?;
        let keys: Vec<String> = object.keys().cloned().collect();
        let columns = columns.get_or_insert_with(|| keys.clone());
        if *columns != keys {
            bail!(
                "line {}: keys {keys:?}, the first line has {columns:?}",
                i + 1
            );
        }
        rows.push(object.values().map(json_cell).collect());
    }
    Ok(Table {
        columns: columns.unwrap_or_default(),
        rows,
    })
}

fn json_cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The comparison of `result` with `expected`.
pub fn compare(result: &Table, expected: &Table, tolerance: f64, ordered: bool) -> Check {
    let mut problems = Vec::new();
    if result.columns != expected.columns {
        problems.push(format!(
            "columns are {:?}, expected {:?}",
            result.columns, expected.columns
        ));
    }
    if result.rows.len() != expected.rows.len() {
        problems.push(format!(
            "{} rows, expected {}",
            result.rows.len(),
            expected.rows.len()
        ));
    }
    if problems.is_empty() {
        problems = cell_problems(result, expected, tolerance, ordered);
    }
    Check {
        correct: problems.is_empty(),
        rows: result.rows.len(),
        problems,
    }
}

fn cell_problems(result: &Table, expected: &Table, tolerance: f64, ordered: bool) -> Vec<String> {
    let (mut got, mut want) = (result.rows.clone(), expected.rows.clone());
    if !ordered {
        got.sort_by(|a, b| compare_rows(a, b));
        want.sort_by(|a, b| compare_rows(a, b));
    }
    let mut problems = Vec::new();
    let mut mismatches = 0;
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let bad = g
            .iter()
            .zip(w)
            .zip(&expected.columns)
            .find(|((a, b), _)| !equal(a, b, tolerance));
        if let Some(((a, b), column)) = bad {
            mismatches += 1;
            if mismatches <= SHOWN_MISMATCHES {
                problems.push(format!("row {i} column `{column}`: {a:?}, expected {b:?}"));
            }
        }
    }
    if mismatches > SHOWN_MISMATCHES {
        problems.push(format!(
            "{} more mismatching rows",
            mismatches - SHOWN_MISMATCHES
        ));
    }
    if !ordered && !problems.is_empty() {
        problems.push("(rows compared after sorting both sides)".into());
    }
    problems
}

/// Equal as numbers within `tolerance` relative (absolute for values below 1), else as text.
pub fn equal(a: &str, b: &str, tolerance: f64) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) if x.is_nan() || y.is_nan() => x.is_nan() && y.is_nan(),
        (Some(x), Some(y)) => (x - y).abs() <= tolerance * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

/// Row order for sorting: cell by cell, numerically where both are numbers.
fn compare_rows(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (number(x), number(y)) {
            (Some(p), Some(q)) => p.total_cmp(&q),
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_table(text: &str) -> Table {
        from_csv(text).unwrap()
    }

    #[test]
    fn csv_rows_match_in_any_order_within_the_tolerance() {
        let want = csv_table("region,total\neast,10.0\nwest,2.5\n");
        let got = csv_table("region,total\nwest,2.5000000001\neast,10\n");
        assert!(compare(&got, &want, 1e-9, false).correct);
        let ordered = compare(&got, &want, 1e-9, true);
        assert!(!ordered.correct);
        assert!(
            ordered.summary().contains("row 0 column `region`"),
            "{}",
            ordered.summary()
        );
    }

    #[test]
    fn a_wrong_value_a_missing_row_and_other_columns_are_named() {
        let want = csv_table("k,v\na,1\nb,2\n");
        let wrong = compare(&csv_table("k,v\na,1\nb,3\n"), &want, 1e-9, false);
        assert!(
            wrong
                .summary()
                .contains("column `v`: \"3\", expected \"2\""),
            "{}",
            wrong.summary()
        );
        let short = compare(&csv_table("k,v\na,1\n"), &want, 1e-9, false);
        assert_eq!(short.problems, ["1 rows, expected 2"]);
        let cols = compare(&csv_table("k,w\na,1\nb,2\n"), &want, 1e-9, false);
        assert!(cols.summary().contains("columns are"), "{}", cols.summary());
    }

    #[test]
    fn json_lines_are_read_by_key_and_mixed_keys_refused() {
        let t =
            from_json_lines("{\"b\": 2.5, \"a\": \"x\"}\n\n{\"a\": \"y\", \"b\": null}\n").unwrap();
        assert_eq!(t.columns, ["a", "b"]);
        assert_eq!(t.rows, [["x", "2.5"], ["y", ""]]);
        assert!(from_json_lines("{\"a\": 1}\n{\"b\": 1}\n").is_err());
    }

    #[test]
    fn numbers_compare_relatively_and_text_exactly() {
        assert!(equal("1e6", "1000000.0005", 1e-9));
        assert!(!equal("1e6", "1000001", 1e-9));
        assert!(equal("0", "1e-12", 1e-9));
        assert!(equal("NaN", "nan", 0.0));
        assert!(!equal("abc", "abd", 0.5));
    }
}
