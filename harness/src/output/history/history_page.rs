//! `history.html`: the history as one self-contained page in the style of `report.html` (the
//! chart inline, the table with the points `compare` calls slower marked), to attach to a
//! ticket or publish from CI as it is.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::{History, HEADER};
use crate::output::compare::Verdict;
use crate::output::report::{esc, figure, page_start, ChartFiles};

pub const HISTORY_HTML: &str = "history.html";

/// Writes `<out_dir>/history.html`; `charts` are the wall-time chart and the metrics' charts
/// that were drawn.
pub fn write(out_dir: &Path, history: &History, charts: &[ChartFiles]) -> anyhow::Result<PathBuf> {
    let path = out_dir.join(HISTORY_HTML);
    crate::files::write(&path, page(history, charts, out_dir)?)?;
    Ok(path)
}

fn page(history: &History, charts: &[ChartFiles], out_dir: &Path) -> anyhow::Result<String> {
    let mut h = page_start("sparkmodes history");
    let _ = writeln!(
        h,
        "<h1>sparkmodes history</h1>\n<p class=\"headline\">{}</p>",
        esc(&history.summary_line())
    );
    let (wall, metrics) = charts.split_at(charts.len().min(1));
    for chart in wall {
        figure(&mut h, chart, out_dir)?;
    }
    table(&mut h, history);
    if !metrics.is_empty() {
        h.push_str("<h2>What moved with it</h2>\n");
    }
    for chart in metrics {
        figure(&mut h, chart, out_dir)?;
    }
    h.push_str(
        "<p class=\"meta\">Points in order of their first run's start. <em>vs previous</em> is \
         what <code>sparkmodes compare</code> says of the cell against its previous point.</p>\n\
         </body></html>\n",
    );
    Ok(h)
}

/// One row per cell and point; a slower point's row is marked like a failure in the report.
fn table(h: &mut String, history: &History) {
    h.push_str("<table><thead><tr>");
    for title in HEADER {
        let _ = write!(h, "<th>{}</th>", esc(title));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in history.rows() {
        let slower = row[5] == Verdict::Slower.as_str();
        h.push_str(if slower {
            "<tr class=\"fail\">"
        } else {
            "<tr>"
        });
        for (i, cell) in row.iter().enumerate() {
            let class = if matches!(i, 3 | 4) {
                " class=\"num\""
            } else {
                ""
            };
            let text = match (i, slower) {
                (5, true) => format!("<strong class=\"bad\">{}</strong>", esc(cell)),
                _ => esc(cell),
            };
            let _ = write!(h, "<td{class}>{text}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}
