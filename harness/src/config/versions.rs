//! Which Python packages go with which Spark line. Both the image and the host venv install
//! exactly these, so driver and executors agree.

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pins {
    pub pyspark: String,
    pub numpy: &'static str,
    pub pandas: &'static str,
    pub pyarrow: &'static str,
}

impl Pins {
    pub fn requirements(&self) -> Vec<String> {
        vec![
            format!("pyspark=={}", self.pyspark),
            format!("numpy=={}", self.numpy),
            format!("pandas=={}", self.pandas),
            format!("pyarrow=={}", self.pyarrow),
        ]
    }
}

/// (line, numpy, pandas, pyarrow). 3.5 needs numpy<2 (its Arrow and pandas paths predate
/// NumPy 2); 4.x supports NumPy 2, pandas>=2.0 and pyarrow>=11, and runs on Java 17.
const LINES: &[(&str, &str, &str, &str)] = &[
    ("3.5", "1.26.4", "2.2.3", "15.0.2"),
    ("4.0", "2.2.6", "2.2.3", "19.0.1"),
    ("4.1", "2.2.6", "2.2.3", "19.0.1"),
];

pub const DEFAULT_SPARK: &str = "3.5.9";

pub fn pins(spark: &str) -> Result<Pins> {
    let parts: Vec<&str> = spark.split('.').collect();
    let well_formed = parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok());
    if !well_formed {
        return Err(Error::setup(format!(
            "Spark version `{spark}` is not of the form X.Y.Z (e.g. {DEFAULT_SPARK})"
        )));
    }
    let line = format!("{}.{}", parts[0], parts[1]);
    let (_, numpy, pandas, pyarrow) = LINES.iter().find(|l| l.0 == line).ok_or_else(|| {
        let known: Vec<String> = LINES.iter().map(|l| format!("{}.x", l.0)).collect();
        Error::setup(format!(
            "Spark version {spark} has no image recipe: supported lines are {}",
            known.join(", ")
        ))
    })?;
    Ok(Pins {
        pyspark: spark.to_string(),
        numpy,
        pandas,
        pyarrow,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_line_gets_its_pins() {
        let p = pins("3.5.9").unwrap();
        assert_eq!(p.numpy, "1.26.4");
        assert!(p.requirements().contains(&"pyspark==3.5.9".to_string()));
    }

    #[test]
    fn unknown_line_is_named() {
        let e = pins("2.4.8").unwrap_err().to_string();
        assert!(e.contains("2.4.8") && e.contains("3.5.x"), "{e}");
        let e = pins("3.5").unwrap_err().to_string();
        assert!(e.contains("X.Y.Z"), "{e}");
    }
}
