//! The explanation's one line: the verdict, then the evidence in the order a reader weighs
//! it (the phase that moved, the plan, the defaults in effect, the settings the sides ran
//! with, the executors, the metrics, a new warning), cut to a few clauses; or, when a move has
//! no evidence, a sentence saying that nothing measured explains it. The lists it draws from
//! are built in `explain.rs`.

use super::{first, MetricMove, OperatorChange, SettingChange, SHOWN};
use crate::measure::profile;
use crate::output::compare::{CellComparison, Phase, PhaseComparison, Verdict};

impl CellComparison {
    /// Fills the explanation's verdict line from the row's verdict, phases and evidence.
    pub fn explain_line(&mut self) {
        let head = self.head();
        let Some(e) = self.explanation.as_mut() else {
            return;
        };
        let mut clauses: Vec<String> = Vec::new();
        clauses.extend(phase_clause(&self.phases));
        clauses.extend(plan_clause(&e.operators));
        // How many executors the app got is the cluster's shape, not a noise of the job.
        let executors = e.metrics.iter().find(|m| m.name == "executors");
        clauses.extend(
            executors.map(|m| format!("executors {} → {}", m.baseline_median, m.candidate_median)),
        );
        clauses.extend(
            e.defaults
                .iter()
                .filter(|d| first(&d.key) && d.baseline.is_some() && d.candidate.is_some())
                .filter(|d| !e.set_by_both.contains(&d.key))
                // A Python-UDF default changes nothing in a plan without Python (TPC-H).
                .filter(|d| e.python_in_plan || !d.key.to_ascii_lowercase().contains("python"))
                .take(2)
                .map(|d| format!("default changed: {}", setting_text(d))),
        );
        // A setting the two sides ran with differently is evidence whatever it touches; the
        // list is sorted with Python, Arrow, ANSI, adaptive and shuffle first. The JVM options
        // each line's launcher adds (4.x's `--add-opens` page) come after the metrics.
        let jvm = |d: &&SettingChange| d.key.ends_with("JavaOptions");
        let setting = |d: &SettingChange| format!("setting differs: {}", setting_text(d));
        clauses.extend(e.properties.iter().filter(|d| !jvm(d)).take(2).map(setting));
        clauses.extend(
            e.metrics
                .iter()
                .filter(|m| m.name != "executors")
                .take(2)
                .map(metric),
        );
        clauses.extend(e.properties.iter().filter(jvm).take(1).map(setting));
        if !e.warnings_new.is_empty() {
            clauses.push(format!("new warning: {}", e.warnings_new[0]));
        }
        let moved = matches!(self.verdict, Verdict::Slower | Verdict::Faster);
        let evidence = clauses.iter().any(|c| !c.ends_with("unchanged"));
        if let Some(lacks) = &e.lacks {
            clauses.push(lacks.clone());
        } else if moved && !evidence {
            clauses.push("nothing measured explains it (no phase, plan, setting or metric moved beyond the noise)".into());
        }
        clauses.truncate(SHOWN + 1);
        e.line = match clauses.is_empty() {
            true => format!("{head}: nothing differs in what the runs did"),
            false => format!("{head}: {}", clauses.join("; ")),
        };
    }

    fn head(&self) -> String {
        let ratio = self.paired.as_ref().map(|p| p.ratio).or(self.ratio);
        match ratio {
            Some(r) => format!(
                "{} ×{:.2} [{:.2}, {:.2}]",
                self.verdict, r.point, r.ci_low, r.ci_high
            ),
            None => self.verdict.to_string(),
        }
    }
}

/// "start-up +2.7 s (jobs unchanged)": the moved phase with the largest change.
fn phase_clause(phases: &[PhaseComparison]) -> Option<String> {
    let moved = phases
        .iter()
        .filter(|p| matches!(p.verdict, Verdict::Slower | Verdict::Faster))
        .max_by(|a, b| delta(a).abs().total_cmp(&delta(b).abs()));
    let jobs_same = phases
        .iter()
        .any(|p| p.phase == Phase::Jobs && p.verdict == Verdict::NoChange);
    match moved {
        Some(p) if p.phase != Phase::Jobs && jobs_same => Some(format!(
            "{} {:+.1} s (jobs unchanged)",
            p.phase.label(),
            delta(p)
        )),
        Some(p) => Some(format!("{} {:+.1} s", p.phase.label(), delta(p))),
        None => None,
    }
}

fn delta(p: &PhaseComparison) -> f64 {
    p.candidate_median - p.baseline_median
}

/// "plan BatchEvalPython → ArrowEvalPython", "plan +1 Exchange".
fn plan_clause(ops: &[OperatorChange]) -> Option<String> {
    let gone: Vec<&str> = ops
        .iter()
        .filter(|o| o.candidate == 0)
        .map(|o| o.name.as_str())
        .collect();
    let came: Vec<&str> = ops
        .iter()
        .filter(|o| o.baseline == 0)
        .map(|o| o.name.as_str())
        .collect();
    let counted: Vec<String> = ops
        .iter()
        .filter(|o| o.baseline > 0 && o.candidate > 0)
        .map(|o| format!("{} {}→{}", o.name, o.baseline, o.candidate))
        .collect();
    let mut parts = Vec::new();
    match (gone.is_empty(), came.is_empty()) {
        (false, false) => parts.push(format!("{} → {}", gone.join(", "), came.join(", "))),
        (false, true) => parts.push(format!("without {}", gone.join(", "))),
        (true, false) => parts.push(format!("with {}", came.join(", "))),
        (true, true) => {}
    }
    parts.extend(counted.into_iter().take(2));
    (!parts.is_empty()).then(|| format!("plan {}", parts.join(", ")))
}

/// `key a → b`, each value cut to [`VALUE_CHARS`] characters: the line is read, the JSON keeps all.
pub(super) fn setting_text(s: &SettingChange) -> String {
    let (b, c) = (s.baseline.as_deref(), s.candidate.as_deref());
    // Long values that share a beginning (a page of JVM options) are shown from just before
    // where they part, or both would read the same once cut.
    let shared = match (b, c) {
        (Some(b), Some(c)) => b.chars().zip(c.chars()).take_while(|(x, y)| x == y).count(),
        _ => 0,
    };
    let from = shared.saturating_sub(10);
    let v = |x: Option<&str>| match x {
        None => "(unset)".to_string(),
        Some(v) if v.chars().count() > VALUE_CHARS => {
            let lead = if from > 0 { "…" } else { "" };
            let part: String = v.chars().skip(from).take(VALUE_CHARS).collect();
            let tail = if v.chars().count() > from + VALUE_CHARS {
                "…"
            } else {
                ""
            };
            format!("{lead}{part}{tail}")
        }
        Some(v) => v.to_string(),
    };
    format!("{} {} → {}", s.key, v(b), v(c))
}

const VALUE_CHARS: usize = 60;

/// "executor CPU ×1.40 [1.2, 1.6]" / "shuffle bytes written 0 → 3.1 MB".
pub fn metric(m: &MetricMove) -> String {
    let what = profile::metric(&m.name).map_or(m.name.as_str(), |(_, w)| w);
    match &m.ratio {
        Some(r) => format!(
            "{what} ×{:.2} [{:.2}, {:.2}] ({} → {})",
            r.point,
            r.ci_low,
            r.ci_high,
            amount(m.baseline_median, &m.unit),
            amount(m.candidate_median, &m.unit)
        ),
        None => format!(
            "{what} {} → {}",
            amount(m.baseline_median, &m.unit),
            amount(m.candidate_median, &m.unit)
        ),
    }
}

fn amount(v: f64, unit: &str) -> String {
    match unit {
        "s" => format!("{v:.2} s"),
        "B" if v >= 1e6 => format!("{:.1} MB", v / 1e6),
        "B" if v >= 1e3 => format!("{:.1} kB", v / 1e3),
        "B" => format!("{v:.0} B"),
        _ => format!("{v:.0}"),
    }
}
