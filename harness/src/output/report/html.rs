//! `report.html`: one self-contained page (inline SVG charts, inline CSS, no scripts, no
//! fetches) that can be attached to a ticket and opened anywhere.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;

use super::charts::ChartFiles;
use super::data::ReportData;
use super::tables::{self, failure_kind, is_numeric, Table};
use super::Environment;
use crate::measure::record::RunRecord;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#555}.headline{font-size:1.1rem;font-weight:600}.bad{color:#b3261e}.good{color:#1b7a43}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:left;vertical-align:top}
td{white-space:nowrap}nav{margin:.6rem 0;font-size:.95rem}nav a{margin-right:.9rem}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#f4f4f4}tr.fail td{background:#fdecea}
figure{margin:1.2rem 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9rem}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.err{max-height:8rem;max-width:40rem;overflow:auto;white-space:pre-wrap;font-family:monospace;font-size:.8rem;margin:0}
";

pub(crate) fn page(
    data: &ReportData,
    charts: &[ChartFiles],
    env: &Environment,
    run_dir: &Path,
) -> anyhow::Result<String> {
    let title = format!("sparkmodes report — {}", data.title_subject());
    let mut h = page_start(&title);
    header(&mut h, data, &title);
    nav(&mut h, data);
    h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for chart in charts {
        figure(&mut h, chart, run_dir)?;
    }
    let frontier = tables::frontier(data);
    if !frontier.rows.is_empty() {
        h.push_str(
            "<h2 id=\"frontier\">Driver-memory frontier</h2>\n<p class=\"meta\">The largest element count \
            that completed per driver memory, found by bisection over real runs; the frontier lies between it \
            and the smallest count that failed, whose diagnosis says why.</p>\n",
        );
        table(&mut h, &frontier);
    }
    h.push_str(
        "<h2 id=\"statistics\">Statistics</h2>\n<p class=\"meta\">Wall time in seconds over measurement runs \
        (warmups and failed runs excluded). Median with 95 % bootstrap CI; MAD unscaled; outliers \
        have a modified z-score above 3.5.</p>\n",
    );
    table(&mut h, &tables::statistics(data));
    h.push_str(
        "<h2 id=\"correctness\">Correctness and refusal</h2>\n<p class=\"meta\">Computing modes must return the \
        right result; the cluster-refusal mode must be refused by the master, and connect-classic (the \
        classic app under Spark Connect) must fail at its classic-only API. Warmups are counted \
        apart.</p>\n",
    );
    table(&mut h, &tables::correctness(data));
    queries(&mut h, data);
    let memory = tables::memory(data);
    if !memory.rows.is_empty() {
        h.push_str(
            "<h2 id=\"memory\">Peak memory</h2>\n<p class=\"meta\">MiB over measurement runs, median with \
            95 % bootstrap CI. Driver: a host driver's process group (Python and JVM), sampled every 250 ms, \
            or a driver container's cgroup peak; executors: the workers' cgroup peaks during the run, summed.</p>\n",
        );
        table(&mut h, &memory);
    }
    let why = super::why::table(run_dir);
    if !why.rows.is_empty() {
        h.push_str(
            "<h2 id=\"why\">Comparisons</h2>\n<p class=\"meta\">Each arm against the first, per cell: \
            the verdict, the smallest change these runs could have called (mde), and why: the phase \
            that moved, plan operators, settings and defaults that differ, metrics that moved, or that \
            nothing measured explains it. The evidence in full is in each compare-*/compare.md.</p>\n",
        );
        table(&mut h, &why);
    }
    failures(&mut h, data);
    let diagnoses = tables::diagnoses(data);
    if !diagnoses.rows.is_empty() {
        h.push_str(
            "<h2 id=\"diagnoses\">Diagnoses</h2>\n<p class=\"meta\">Failures whose logs match a \
            known pattern (negative cells included): what Spark said, what it means, what to change.</p>\n",
        );
        table(&mut h, &diagnoses);
    }
    let advice = tables::arrow_advice(data);
    if !advice.rows.is_empty() {
        h.push_str(
            "<h2 id=\"arrow-advice\">Arrow advice</h2>\n<p class=\"meta\">Arrow was on and engaged, but the \
            plan still pickled rows through a Python UDF (BatchEvalPython), so Arrow only sped the final \
            transfer. Where the matrix ran an Arrow-friendly variant of the same cell, its gain is measured.</p>\n",
        );
        table(&mut h, &advice);
    }
    environment(&mut h, env);
    reproduce(&mut h, data, env);
    h.push_str("</body></html>\n");
    Ok(h)
}

/// A multi-query app's queries (TPC-H): statistics and correctness per query, as for cells.
fn queries(h: &mut String, data: &ReportData) {
    let records = super::data::per_query(data.records);
    if records.is_empty() {
        return;
    }
    let queries = ReportData::new(&records);
    h.push_str(
        "<h2 id=\"queries\">Queries</h2>\n<p class=\"meta\">Each query of the app as a cell of its own \
        (`tpch q06`): its wall time as the app timed it, over measurement runs, and whether its \
        answer matched the oracle's.</p>\n",
    );
    table(h, &tables::statistics(&queries));
    table(h, &tables::correctness(&queries));
}

/// The page up to `<body>`: doctype, title, the inline style every sparkmodes page shares.
pub(crate) fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        esc(title)
    )
}

fn nav(h: &mut String, data: &ReportData) {
    let _ = writeln!(
        h,
        "<nav><a href=\"#charts\">Charts</a><a href=\"#statistics\">Statistics</a>\
         <a href=\"#correctness\">Correctness</a><a href=\"#failures\">Failures ({})</a>\
         <a href=\"#environment\">Environment</a><a href=\"#reproduce\">Reproduce</a></nav>",
        data.failures().count()
    );
}

fn header(h: &mut String, data: &ReportData, title: &str) {
    let times = || data.records.iter().map(|r| r.started_at);
    let span = match (times().min(), times().max()) {
        (Some(a), Some(b)) => format!(
            "{} → {}",
            a.format("%Y-%m-%d %H:%M:%S UTC"),
            b.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        _ => String::new(),
    };
    let failed = data.failures().next().is_some();
    let _ = write!(
        h,
        "<h1>{}</h1>\n<p class=\"meta\">run {} · runs started {}</p>\n<p class=\"headline {}\">{}</p>\n",
        esc(title),
        esc(&data.run_ids().join(", ")),
        esc(&span),
        if failed { "bad" } else { "good" },
        esc(&tables::headline(data)),
    );
}

/// Inlines the SVG: it stays crisp at any zoom and its text is searchable. Links to both files
/// for pasting elsewhere.
pub(crate) fn figure(h: &mut String, chart: &ChartFiles, run_dir: &Path) -> anyhow::Result<()> {
    let svg = std::fs::read_to_string(&chart.svg)
        .with_context(|| format!("cannot read {}", chart.svg.display()))?;
    let svg = svg.trim_start();
    let svg = match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, body)| body),
        None => svg,
    };
    let rel = |p: &Path| {
        p.strip_prefix(run_dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let _ = writeln!(
        h,
        "<figure id=\"chart-{name}\">{svg}<figcaption>{caption} <a href=\"{svg_href}\">SVG</a> · \
         <a href=\"{png_href}\">PNG</a></figcaption></figure>",
        name = esc(&chart.name),
        caption = esc(&chart.caption),
        svg_href = esc(&rel(&chart.svg)),
        png_href = esc(&rel(&chart.png)),
    );
    Ok(())
}

fn table(h: &mut String, t: &Table) {
    h.push_str("<table><thead><tr>");
    for head in &t.headers {
        let _ = write!(h, "<th>{}</th>", esc(head));
    }
    h.push_str("</tr></thead><tbody>\n");
    for (key, row) in &t.rows {
        let failing = row.last().is_some_and(|v| v.starts_with("FAIL"));
        let class = if failing { " class=\"fail\"" } else { "" };
        let _ = write!(h, "<tr data-cell=\"{}\"{class}>", esc(key));
        for v in row {
            let numeric = is_numeric(v);
            let class = if numeric { " class=\"num\"" } else { "" };
            let _ = write!(h, "<td{class}>{}</td>", esc(v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn failures(h: &mut String, data: &ReportData) {
    let failures: Vec<&RunRecord> = data.failures().collect();
    let _ = writeln!(h, "<h2 id=\"failures\">Failures ({})</h2>", failures.len());
    if failures.is_empty() {
        h.push_str("<p class=\"good\">None: every run did what its mode promises.</p>\n");
        return;
    }
    h.push_str("<table><thead><tr><th>cell</th><th>rep</th><th>what</th><th>error</th><th>logs</th></tr></thead><tbody>\n");
    for r in failures {
        let rep = if r.warmup {
            format!("{} (warmup)", r.rep)
        } else {
            r.rep.to_string()
        };
        let error = r.error.as_deref().unwrap_or("");
        let fault = r
            .fault
            .as_deref()
            .map(|f| format!("<br>injected fault: {}", esc(f)))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr class=\"fail\"><td>{}</td><td class=\"num\">{}</td><td>{}{fault}</td><td><pre class=\"err\">{}</pre></td><td>{}</td></tr>",
            esc(&r.cell().to_string()),
            esc(&rep),
            esc(&failure_kind(r)),
            esc(error),
            log_links(r),
        );
    }
    h.push_str("</tbody></table>\n");
}

fn log_links(r: &RunRecord) -> String {
    [
        ("stdout", &r.stdout_path),
        ("stderr", &r.stderr_path),
        ("event log", &r.event_log_path),
    ]
    .into_iter()
    .filter_map(|(name, path)| path.as_deref().map(|p| link(name, p)))
    .collect::<Vec<_>>()
    .join(" · ")
}

/// Links only paths that are relative to the run directory, as records promise; anything
/// with a scheme or an absolute path is shown as text, so a record cannot inject a URL.
fn link(name: &str, path: &str) -> String {
    let relative = !path.starts_with('/') && !path.contains(':') && !path.starts_with('\\');
    if relative {
        format!(
            "<a href=\"{}\">{}</a>",
            esc(&percent_encode_path(path)),
            esc(name)
        )
    } else {
        format!("{}: <code>{}</code>", esc(name), esc(path))
    }
}

/// Spaces and `#`/`?` in file names would otherwise break or redirect a relative URL.
fn percent_encode_path(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn environment(h: &mut String, env: &Environment) {
    h.push_str("<h2 id=\"environment\">Environment</h2>\n");
    match env {
        Environment::Missing => {
            h.push_str("<p class=\"meta\">No environment.json in this run directory.</p>\n")
        }
        Environment::Unreadable(why) => {
            let _ = writeln!(h, "<p class=\"bad\">{}</p>", esc(why));
        }
        Environment::Object(map) => {
            h.push_str("<table><tbody>\n");
            for (k, v) in map {
                let value = match v {
                    serde_json::Value::String(s) => esc(s),
                    other => format!("<code>{}</code>", esc(&other.to_string())),
                };
                let _ = writeln!(h, "<tr><th>{}</th><td>{value}</td></tr>", esc(k));
            }
            h.push_str("</tbody></table>\n");
        }
    }
}

fn reproduce(h: &mut String, data: &ReportData, env: &Environment) {
    let _ = write!(
        h,
        "<h2 id=\"reproduce\">Reproduce</h2>\n<p>Run the same matrix:</p><pre>{}</pre>\n\
         <p>Rebuild this report from its records (on any machine):</p><pre>sparkmodes report &lt;run-dir&gt;</pre>\n",
        esc(&env.reproduce_command(&data.scenarios())),
    );
}

/// Escapes text for HTML element content and double-quoted attributes alike.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
