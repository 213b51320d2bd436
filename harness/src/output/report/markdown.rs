//! `summary.md`: GitHub-flavoured Markdown for a CI step summary or a PR comment.

use std::fmt::Write;

use super::data::ReportData;
use super::tables::{self, failure_kind, is_numeric, Table};
use super::Environment;

pub(crate) fn summary(data: &ReportData, env: &Environment) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "## sparkmodes — {}\n", md(&data.title_subject()));
    let _ = writeln!(
        m,
        "Run `{}` · {}\n",
        data.run_ids().join(", ").replace('`', "'"),
        md(&tables::headline(data))
    );
    let frontier = tables::frontier(data);
    if !frontier.rows.is_empty() {
        m.push_str("### Driver-memory frontier\n\n");
        table(&mut m, &frontier);
        m.push_str("\nThe largest element count that completed per driver memory, found by bisection; the frontier lies between it and the smallest count that failed.\n\n");
    }
    m.push_str("### Wall time (s), measurement runs\n\n");
    table(&mut m, &tables::statistics(data));
    m.push_str("\nMedian with 95 % bootstrap CI; warmups and failed runs excluded.\n\n");
    let memory = tables::memory(data);
    if !memory.rows.is_empty() {
        m.push_str("### Peak memory (MiB), measurement runs\n\n");
        table(&mut m, &memory);
        m.push_str("\nDriver: its process group (host) or container; executors: summed over the workers.\n\n");
    }
    failures(&mut m, data);
    let diagnoses = tables::diagnoses(data);
    if !diagnoses.rows.is_empty() {
        m.push_str("\n### Diagnoses\n\n");
        table(&mut m, &diagnoses);
    }
    let advice = tables::arrow_advice(data);
    if !advice.rows.is_empty() {
        m.push_str("\n### Arrow advice\n\n");
        m.push_str("Arrow was on and engaged, but the plan still pickled rows through a Python UDF (BatchEvalPython): Arrow only sped the final transfer.\n\n");
        table(&mut m, &advice);
    }
    let _ = writeln!(
        m,
        "\n<details><summary>Correctness and refusal per cell</summary>\n\n{}\n</details>\n",
        table_string(&tables::correctness(data))
    );
    let _ = writeln!(
        m,
        "Reproduce: `{}`",
        env.reproduce_command(&data.scenarios()).replace('`', "'")
    );
    m
}

fn failures(m: &mut String, data: &ReportData) {
    let failures: Vec<_> = data.failures().collect();
    let _ = writeln!(m, "### Failures ({})\n", failures.len());
    if failures.is_empty() {
        m.push_str("None.\n");
        return;
    }
    for r in failures {
        let warmup = if r.warmup { " (warmup)" } else { "" };
        let error = r
            .error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("");
        let logs: Vec<String> = [
            ("stdout", &r.stdout_path),
            ("stderr", &r.stderr_path),
            ("event log", &r.event_log_path),
        ]
        .into_iter()
        .filter_map(|(name, p)| {
            p.as_deref()
                .map(|p| format!("{name}: `{}`", p.replace('`', "'")))
        })
        .collect();
        let _ = writeln!(
            m,
            "- **{}** rep {}{warmup}: {}{}{}",
            md(&r.cell().to_string()),
            r.rep,
            md(&failure_kind(r)),
            if error.is_empty() {
                String::new()
            } else {
                format!(" — {}", md(error))
            },
            if logs.is_empty() {
                String::new()
            } else {
                format!(" ({})", logs.join(", "))
            },
        );
    }
}

fn table(m: &mut String, t: &Table) {
    m.push_str(&table_string(t));
}

fn table_string(t: &Table) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| {} |",
        t.headers
            .iter()
            .map(|h| md(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    // Column alignment from the first row: numbers read best right-aligned.
    let first = t
        .rows
        .first()
        .map(|(_, r)| r.as_slice())
        .unwrap_or_default();
    let align: Vec<&str> = (0..t.headers.len())
        .map(|i| match first.get(i) {
            Some(v) if is_numeric(v) => "---:",
            _ => "---",
        })
        .collect();
    let _ = writeln!(s, "|{}|", align.join("|"));
    for (_, row) in &t.rows {
        let _ = writeln!(
            s,
            "| {} |",
            row.iter().map(|v| md(v)).collect::<Vec<_>>().join(" | ")
        );
    }
    s
}

/// Escapes text for a Markdown table cell or list item: no pipes breaking columns, no HTML,
/// no accidental emphasis, one line.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
