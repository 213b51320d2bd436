//! `junit.xml`: one test case per matrix cell, so CI shows which cell broke. Other checks
//! (e.g. regression comparisons) add their own [`JunitCase`]s to the same [`JunitReport`].

use std::fmt::Write as _;
use std::path::Path;

use crate::config::CellKey;
use crate::measure::record::{by_cell, RunRecord};
use crate::Result;

pub const JUNIT_XML: &str = "junit.xml";

#[derive(Clone, Debug, PartialEq)]
pub struct JunitCase {
    pub name: String,
    pub classname: String,
    pub time_s: f64,
    /// `None` passes; `Some(reason)` fails with that text.
    pub failure: Option<String>,
}

/// A test suite under construction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JunitReport {
    pub name: String,
    pub cases: Vec<JunitCase>,
}

impl JunitReport {
    pub fn new(name: impl Into<String>) -> JunitReport {
        JunitReport {
            name: name.into(),
            cases: Vec::new(),
        }
    }

    /// A suite named `name` with one case per cell of `records`.
    pub fn from_records(name: impl Into<String>, records: &[RunRecord]) -> JunitReport {
        JunitReport {
            name: name.into(),
            cases: cell_cases(records),
        }
    }

    pub fn push(&mut self, case: JunitCase) -> &mut Self {
        self.cases.push(case);
        self
    }

    pub fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }

    pub fn to_xml(&self) -> String {
        let total: f64 = self.cases.iter().map(|c| c.time_s).sum();
        let (tests, failures) = (self.cases.len(), self.failures());
        let name = escape(&self.name);
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<testsuites name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{total:.3}\">"
        );
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{total:.3}\">"
        );
        for case in &self.cases {
            write_case(&mut xml, case);
        }
        xml.push_str("  </testsuite>\n</testsuites>\n");
        xml
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        crate::files::write(path, self.to_xml()).map_err(crate::Error::output)?;
        Ok(())
    }
}

fn write_case(xml: &mut String, case: &JunitCase) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        escape(&case.name),
        escape(&case.classname),
        case.time_s
    );
    match &case.failure {
        None => xml.push_str("/>\n"),
        Some(text) => {
            let summary = text.lines().next().unwrap_or_default();
            let _ = writeln!(
                xml,
                ">\n      <failure message=\"{}\" type=\"failure\">{}</failure>\n    </testcase>",
                escape(summary),
                escape(text)
            );
        }
    }
}

/// One case per cell: classname `VERSION/CONFIG`, name `MODE/arrow-on|off/ELEMENTS` (just
/// `cluster-refusal` for the refusal cell, where Arrow and elements mean nothing). The time is
/// the sum of the cell's wall times; warmups count, since a failing warmup is a failure too.
pub fn cell_cases(records: &[RunRecord]) -> Vec<JunitCase> {
    by_cell(records)
        .into_iter()
        .map(|(cell, runs)| cell_case(&cell, &runs))
        .collect()
}

fn cell_case(cell: &CellKey, runs: &[&RunRecord]) -> JunitCase {
    let name = if cell.mode.computes() {
        format!("{}/{}/{}", cell.mode, cell.arrow_label(), cell.elements)
    } else {
        cell.mode.to_string()
    };
    let mut problems: Vec<String> = runs.iter().filter_map(|r| r.problem()).collect();
    let runs_owned: Vec<RunRecord> = runs.iter().map(|r| (*r).clone()).collect();
    if problems.is_empty() && !crate::measure::record::unmeasured_cells(&runs_owned).is_empty() {
        problems.push(
            "no measurement: every run was spoiled by the cluster, and so was its re-run".into(),
        );
    }
    JunitCase {
        name,
        classname: format!("{}/{}", cell.stack(), cell.config),
        time_s: runs.iter().map(|r| r.wall_s).sum(),
        failure: (!problems.is_empty()).then(|| problems.join("\n")),
    }
}

/// Escapes text for XML attributes and content, and replaces characters XML 1.0 forbids
/// (e.g. the ANSI escapes in Spark's stderr), which would make the whole file unreadable.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::measure::record::Status;
    use crate::output::export::tests::sample;

    /// A strict-enough well-formedness check: balanced tags, quoted attributes, and no raw
    /// `<`, `&` or forbidden control characters in text or attribute values.
    fn assert_well_formed(xml: &str) {
        let body = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .expect("XML declaration");
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = body;
        while let Some(open) = rest.find('<') {
            check_text(&rest[..open]);
            let close = rest[open..].find('>').expect("unclosed tag") + open;
            let tag = &rest[open + 1..close];
            rest = &rest[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            check_attributes(attrs);
            if !self_closing {
                stack.push(name);
            }
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed {stack:?}");
    }

    fn check_text(text: &str) {
        assert!(!text.contains('<'), "raw < in {text:?}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                "bad entity in {text:?}"
            );
        }
        assert!(
            !text
                .chars()
                .any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c)),
            "control character in {text:?}"
        );
    }

    fn check_attributes(attrs: &str) {
        let mut rest = attrs.trim();
        while !rest.is_empty() {
            let (_, after) = rest
                .split_once("=\"")
                .expect("attribute without quoted value");
            let end = after.find('"').expect("unterminated attribute");
            check_text(&after[..end]);
            rest = after[end + 1..].trim_start();
        }
    }

    fn records() -> Vec<RunRecord> {
        let mut wrong = sample(1, Mode::Direct, Status::Ok);
        wrong.correct = crate::Correctness::No;
        let mut not_refused = sample(0, Mode::ClusterRefusal, Status::Ok);
        not_refused.error = Some("accepted <py> & ran".into());
        vec![
            sample(0, Mode::Direct, Status::Ok),
            wrong,
            sample(0, Mode::Submit, Status::Ok),
            sample(1, Mode::Submit, Status::Ok),
            sample(0, Mode::Containerized, Status::Failed),
            sample(0, Mode::ClusterRefusal, Status::RefusedAsExpected),
            not_refused,
        ]
    }

    #[test]
    fn one_case_per_cell_and_failures_by_mode() {
        let cases = cell_cases(&records());
        let outcome: Vec<(&str, bool)> = cases
            .iter()
            .map(|c| (c.name.as_str(), c.failure.is_some()))
            .collect();
        assert_eq!(
            outcome,
            [
                ("direct/arrow-on/100000", true),
                ("containerized/arrow-on/100000", true),
                ("submit/arrow-on/100000", false),
                ("cluster-refusal", true),
            ]
        );
        assert!(cases.iter().all(|c| c.classname == "3.5.9/2w-1c-1g"));
        let submit = &cases[2];
        assert!(
            (submit.time_s - (12.345 + 13.345)).abs() < 1e-9,
            "{submit:?}"
        );
        assert!(cases[0]
            .failure
            .as_deref()
            .unwrap()
            .contains("rep 1: wrong result"));
        assert!(cases[3]
            .failure
            .as_deref()
            .unwrap()
            .contains("`refused-as-expected` did not happen"));
    }

    #[test]
    fn xml_is_well_formed_with_counts_and_escaped_text() {
        let mut report = JunitReport::from_records("sparkmodes <default>", &records());
        report.push(JunitCase {
            name: "wall_s \"median\"".into(),
            classname: "regression/3.5.9".into(),
            time_s: 0.0,
            failure: Some("slower by 12% & more".into()),
        });
        let xml = report.to_xml();
        assert_well_formed(&xml);
        assert_eq!(xml.matches("<testcase ").count(), 5);
        assert_eq!(xml.matches("<failure ").count(), 4);
        assert!(xml.contains("tests=\"5\" failures=\"4\""), "{xml}");
        assert!(
            xml.contains("boom, &quot;quoted&quot; &lt;tag&gt; &amp; more"),
            "{xml}"
        );
        assert!(!xml.contains('\u{1b}'), "{xml}");
    }

    #[test]
    fn the_checker_rejects_broken_xml() {
        let broken = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b>x & y</b></a>";
        assert!(std::panic::catch_unwind(|| assert_well_formed(broken)).is_err());
    }

    #[test]
    fn write_creates_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JUNIT_XML);
        JunitReport::from_records("s", &records())
            .write(&path)
            .unwrap();
        assert_well_formed(&std::fs::read_to_string(&path).unwrap());
    }
}
