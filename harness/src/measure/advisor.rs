//! The Arrow advisor: a run that asked for Arrow and got it for `toPandas`, but whose plan
//! still hands rows to a Python UDF one pickled batch at a time (`BatchEvalPython`), spends most
//! of its time where Arrow does not reach. That is the article app's case (a UDF without a
//! return type) and the typed variant's. The advice names the variants that avoid it; the
//! report adds the measured ratio when the matrix ran them beside the pickling app.

use crate::measure::record::RunRecord;

/// The plan node of a Python UDF fed pickled rows (`ArrowEvalPython` is fed Arrow batches).
pub const PICKLED_UDF: &str = "BatchEvalPython";

/// The variants that compute the same column without pickled rows, best first.
pub const ARROW_FRIENDLY: [&str; 2] = ["vectorized", "sql"];

/// Whether Arrow was asked for and engaged, while the plan still pickled rows through a Python
/// UDF: the one judgement the finding and the report's advice both rest on.
pub fn pickles_despite_arrow(rec: &RunRecord) -> bool {
    rec.arrow && rec.arrow_effective == Some(true) && rec.udf_eval.as_deref() == Some(PICKLED_UDF)
}

/// The advisor's finding for a run, if it pickles despite Arrow.
pub fn advice(rec: &RunRecord) -> Option<String> {
    pickles_despite_arrow(rec).then(|| {
        format!(
            "Arrow advisor: Arrow is on and toPandas collected through it, but the plan still runs the Python UDF as {PICKLED_UDF} (every row pickled to the Python worker and back), so Arrow only speeds the final transfer. The `vectorized` variant (a pandas UDF: ArrowEvalPython) and the `sql` variant (no Python UDF) compute the same column without it: add `apps = [\"{}\", \"vectorized\", \"sql\"]` to the scenario to measure what they give, or declare the UDF as a pandas_udf in your app.",
            app_name(rec)
        )
    })
}

/// The app as the `apps` axis names it (`article` for the `--app` app, the article's by default).
fn app_name(rec: &RunRecord) -> &str {
    match rec.app.as_str() {
        "" => "article",
        a => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(arrow: bool, effective: Option<bool>, udf: Option<&str>) -> RunRecord {
        RunRecord {
            arrow,
            arrow_effective: effective,
            udf_eval: udf.map(str::to_string),
            ..RunRecord::example()
        }
    }

    #[test]
    fn advises_only_when_arrow_is_engaged_and_rows_are_still_pickled() {
        let pickled = run(true, Some(true), Some("BatchEvalPython"));
        let finding = advice(&pickled).unwrap();
        assert!(finding.contains("BatchEvalPython"), "{finding}");
        assert!(finding.contains("`vectorized`") && finding.contains("`sql`"));
        assert!(finding.contains("apps = [\"article\""), "{finding}");
        // Arrow off, Arrow fallen back, an Arrow-fed UDF, or no UDF at all: nothing to advise.
        assert_eq!(
            advice(&run(false, Some(false), Some("BatchEvalPython"))),
            None
        );
        assert_eq!(
            advice(&run(true, Some(false), Some("BatchEvalPython"))),
            None
        );
        assert_eq!(
            advice(&run(true, Some(true), Some("ArrowEvalPython"))),
            None
        );
        assert_eq!(advice(&run(true, Some(true), None)), None);
    }

    #[test]
    fn names_the_variant_that_ran() {
        let typed = RunRecord {
            app: "typed".into(),
            ..run(true, Some(true), Some("BatchEvalPython"))
        };
        assert!(advice(&typed).unwrap().contains("apps = [\"typed\""));
    }
}
