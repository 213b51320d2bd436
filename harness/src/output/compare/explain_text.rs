//! The explanation in Markdown (compare.md, the step summary): per cell its verdict line, then
//! the evidence behind it — metrics that moved with their CI, plan operators, settings and
//! defaults that differ, warnings new or gone.

use std::fmt::Write;

use super::explain::{metric, Explanation, SettingChange};
use super::Comparison;

/// Most rows of a kind written per cell (the JSON has them all).
const ROWS: usize = 12;

pub fn markdown(c: &Comparison, out: &mut String) {
    let explained: Vec<(&str, &Explanation)> = c
        .rows
        .iter()
        .filter_map(|r| Some((r.cell.as_str(), r.explanation.as_ref()?)))
        .collect();
    if explained.is_empty() {
        return;
    }
    out.push_str("\n## Why\n\n");
    for (cell, e) in &explained {
        let _ = writeln!(out, "- `{}`: {}", cell.replace('`', "'"), esc(&e.line));
    }
    for (cell, e) in explained {
        evidence(cell, e, out);
    }
}

fn evidence(cell: &str, e: &Explanation, out: &mut String) {
    let empty = e.metrics.is_empty()
        && e.operators.is_empty()
        && e.properties.is_empty()
        && e.defaults.is_empty()
        && e.warnings_new.is_empty()
        && e.warnings_gone.is_empty();
    if empty {
        return;
    }
    let _ = writeln!(out, "\n### {}\n", esc(cell));
    list(out, "Metrics that moved", e.metrics.iter().map(metric));
    list(
        out,
        "Plan operators (count per run, baseline → candidate)",
        e.operators
            .iter()
            .map(|o| format!("{} {} → {}", o.name, o.baseline, o.candidate)),
    );
    list(
        out,
        "Settings that differ",
        e.properties.iter().map(setting),
    );
    list(
        out,
        "SQL defaults that differ between the lines",
        e.defaults.iter().map(setting),
    );
    list(out, "New warnings", e.warnings_new.iter().cloned());
    list(out, "Warnings gone", e.warnings_gone.iter().cloned());
}

fn list(out: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}:\n");
    for item in items.iter().take(ROWS) {
        let _ = writeln!(out, "- {}", esc(item));
    }
    if items.len() > ROWS {
        let _ = writeln!(out, "- … {} more in compare.json", items.len() - ROWS);
    }
    out.push('\n');
}

fn setting(s: &SettingChange) -> String {
    let v = |x: &Option<String>| {
        x.as_deref().map_or("(unset)".to_string(), |v| {
            format!("`{}`", v.replace('`', "'"))
        })
    };
    format!("`{}`: {} → {}", s.key, v(&s.baseline), v(&s.candidate))
}

fn esc(s: &str) -> String {
    s.replace('|', "\\|")
}
