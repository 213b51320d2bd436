//! The correctness oracle: a Spark-free reference of the sample app's result (NumPy only, same
//! seed and size) compared value by value, in order, with the frame the app wrote.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

const REFERENCE_PY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/oracle/reference.py"
));
/// The app's squares pass through Java's and Python's float-to-string conversions; both round
/// trip a double, so anything beyond a few ulps is a real difference.
pub const RELATIVE_TOLERANCE: f64 = 1e-12;
const SHOWN_MISMATCHES: usize = 5;

/// Computes the expected `squared` column with the host venv's NumPy.
pub fn reference(python: &Path, elements: u64, seed: u64) -> Result<Vec<f64>> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("reference.py");
    let out = dir.path().join("expected.f64");
    std::fs::write(&script, REFERENCE_PY)?;
    let status = Command::new(python)
        .arg(&script)
        .arg(elements.to_string())
        .arg(seed.to_string())
        .arg(&out)
        .output()?;
    if !status.status.success() {
        return Err(Error::setup(format!(
            "reference computation failed: {}",
            String::from_utf8_lossy(&status.stderr).trim()
        )));
    }
    let bytes = std::fs::read(&out)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// The oracle's finding for one result.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub correct: bool,
    pub rows: usize,
    /// Empty when correct; otherwise the reasons, first mismatches first.
    pub problems: Vec<String>,
}

impl Check {
    pub fn summary(&self) -> String {
        self.problems.join("; ")
    }
}

/// Compares the app's CSV (one `squared` column) with `expected`. Read line by line rather
/// than with a CSV parser: pandas writes a null as an empty line, which CSV readers skip.
pub fn check(result_csv: &Path, expected: &[f64]) -> Result<Check> {
    use std::io::BufRead;
    let file = std::fs::File::open(result_csv).map_err(|e| {
        Error::Other(anyhow::anyhow!(
            "the app wrote no result at {}: {e}",
            result_csv.display()
        ))
    })?;
    let mut lines = std::io::BufReader::new(file).lines();
    let mut problems = Vec::new();
    let header = lines.next().transpose()?.unwrap_or_default();
    if header.trim() != "squared" {
        problems.push(format!(
            "columns are `{}`, expected `squared`",
            header.trim()
        ));
    }
    let (mut rows, mut mismatches) = (0, 0);
    for (i, line) in lines.enumerate() {
        let line = line?;
        rows += 1;
        let Some(&want) = expected.get(i) else {
            continue;
        };
        if let Some(p) = compare_cell(i, line.trim().trim_matches('"'), want) {
            mismatches += 1;
            if mismatches <= SHOWN_MISMATCHES {
                problems.push(p);
            }
        }
    }
    if mismatches > SHOWN_MISMATCHES {
        problems.push(format!(
            "{} more mismatching rows",
            mismatches - SHOWN_MISMATCHES
        ));
    }
    if rows != expected.len() {
        problems.insert(0, format!("{rows} rows, expected {}", expected.len()));
    }
    Ok(Check {
        correct: problems.is_empty(),
        rows,
        problems,
    })
}

fn compare_cell(row: usize, cell: &str, want: f64) -> Option<String> {
    if cell.is_empty() {
        return Some(format!("row {row}: null, expected {want}"));
    }
    match cell.parse::<f64>() {
        Ok(got) if (got - want).abs() <= RELATIVE_TOLERANCE * want.abs() => None,
        Ok(got) => Some(format!("row {row}: {got}, expected {want}")),
        Err(_) => Some(format!(
            "row {row}: `{cell}` is not a number, expected {want}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn exact_values_pass() {
        let f = csv_file("squared\n16.0\n2.25\n");
        let v = check(f.path(), &[16.0, 2.25]).unwrap();
        assert!(v.correct, "{:?}", v.problems);
        assert_eq!(v.rows, 2);
    }

    #[test]
    fn wrong_value_null_and_count_fail() {
        let f = csv_file("squared\n256.0\n\n");
        let v = check(f.path(), &[16.0, 2.25, 1.0]).unwrap();
        assert!(!v.correct);
        let s = v.summary();
        assert!(s.contains("2 rows, expected 3"), "{s}");
        assert!(s.contains("row 0: 256"), "{s}");
        assert!(s.contains("row 1: null"), "{s}");
    }

    #[test]
    fn the_articles_strings_and_the_variants_doubles_both_pass_exactly() {
        let want = [20.220437833324695, 14.913001708001104];
        let strings = csv_file("squared\n\"20.220437833324695\"\n\"14.913001708001104\"\n");
        let doubles = csv_file("squared\n20.220437833324695\n14.913001708001104\n");
        for f in [strings, doubles] {
            let v = check(f.path(), &want).unwrap();
            assert!(v.correct, "{:?}", v.problems);
        }
        let off = csv_file("squared\n20.2204378333\n14.913001708001104\n");
        assert!(!check(off.path(), &want).unwrap().correct);
    }

    #[test]
    fn wrong_column_fails() {
        let f = csv_file("value\n16.0\n");
        let v = check(f.path(), &[16.0]).unwrap();
        assert!(!v.correct);
        assert!(v.summary().contains("columns"));
    }
}
