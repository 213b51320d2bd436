//! Groups run records into matrix cells and computes what every chart and table reads.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::CellKey;
use crate::config::Mode;
use crate::measure::record::{measured_walls, RunRecord, Status};
use crate::measure::stats::{self, Summary};

/// All runs of one matrix cell, in file order.
pub struct Cell<'a> {
    pub key: CellKey,
    pub runs: Vec<&'a RunRecord>,
    /// `None` when the cell has no measurement runs (refusal cells, or every run failed).
    pub summary: Option<Summary>,
}

impl<'a> Cell<'a> {
    pub fn measurements(&self) -> impl Iterator<Item = &'a RunRecord> + '_ {
        self.runs.iter().copied().filter(|r| r.is_measurement())
    }

    pub fn wall_samples(&self) -> Vec<f64> {
        self.measurements().map(|r| r.wall_s).collect()
    }

    /// `collect_s` of the measurement runs that have it.
    pub fn collect_samples(&self) -> Vec<f64> {
        self.measurements().filter_map(|r| r.collect_s).collect()
    }

    /// Peak memory (MiB) of the measurement runs that measured it.
    pub fn memory_samples(&self, which: Memory) -> Vec<f64> {
        self.measurements().filter_map(|r| which.of(r)).collect()
    }

    /// Median with CI of [`Cell::memory_samples`]; `None` when nothing was measured.
    pub fn memory_summary(&self, which: Memory) -> Option<Summary> {
        stats::summarize(&self.memory_samples(which), cell_seed(&self.key))
    }

    /// Warmups that succeeded: drawn on the wall chart, never counted.
    pub fn warmup_samples(&self) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| r.warmup && r.status == Status::Ok && r.correct.not_wrong())
            .map(|r| r.wall_s)
            .collect()
    }

    /// Whether a timing chart has anything to draw for this cell, warmups included.
    pub fn has_timings(&self) -> bool {
        self.summary.is_some() || !self.warmup_samples().is_empty()
    }

    pub fn count(&self, pred: impl Fn(&RunRecord) -> bool) -> usize {
        self.runs.iter().filter(|r| pred(r)).count()
    }

    /// Whether Arrow was really used, over the measurement runs.
    pub fn arrow_effective(&self) -> ArrowEffective {
        let seen: Vec<Option<bool>> = self.measurements().map(|r| r.arrow_effective).collect();
        let yes = seen.iter().filter(|e| **e == Some(true)).count();
        let no = seen.iter().filter(|e| **e == Some(false)).count();
        match (yes, no) {
            (0, 0) => ArrowEffective::Unknown,
            (_, 0) => ArrowEffective::Yes,
            (0, _) => ArrowEffective::No,
            (yes, _) => ArrowEffective::Mixed {
                yes,
                of: seen.len(),
            },
        }
    }

    pub fn verdict(&self) -> Verdict {
        let judged: Vec<&RunRecord> = self.runs.iter().copied().filter(|r| !r.warmup).collect();
        let good = judged.iter().filter(|r| r.kept_promise()).count();
        let measured = judged.iter().any(|r| r.is_measurement());
        let computes = judged.iter().any(|r| r.mode.computes() && !r.frontier);
        match (good, judged.len()) {
            (_, 0) => Verdict::NoRuns,
            (g, n) if g == n && computes && !measured => Verdict::Unmeasured,
            (g, n) if g == n => Verdict::Pass,
            (good, of) => Verdict::Fail { good, of },
        }
    }
}

/// Whose peak memory: the driver's, or the executors' (summed over the workers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Memory {
    Driver,
    Executors,
}

impl Memory {
    pub fn of(self, r: &RunRecord) -> Option<f64> {
        match self {
            Memory::Driver => r.driver_peak_mib,
            Memory::Executors => r.executors_peak_mib,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Memory::Driver => "driver",
            Memory::Executors => "executors",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrowEffective {
    Yes,
    No,
    Mixed { yes: usize, of: usize },
    Unknown,
}

impl ArrowEffective {
    pub fn label(self) -> String {
        match self {
            ArrowEffective::Yes => "yes".into(),
            ArrowEffective::No => "no".into(),
            ArrowEffective::Mixed { yes, of } => format!("mixed ({yes}/{of})"),
            ArrowEffective::Unknown => "n/a".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail {
        good: usize,
        of: usize,
    },
    NoRuns,
    /// Every run kept its promise, but none is a measurement (each was spoiled by the cluster,
    /// and so was its re-run): `record::unmeasured_cells`, exit 3.
    Unmeasured,
}

/// A run to list under failures: it broke its mode's promise.
pub fn is_failure(r: &RunRecord) -> bool {
    !r.kept_promise()
}

/// Everything a report needs, derived from the records alone.
pub struct ReportData<'a> {
    pub records: &'a [RunRecord],
    /// Display order: version, config, app, size, mode, Arrow off before on.
    pub cells: Vec<Cell<'a>>,
}

/// The query records of a multi-query app (TPC-H) as records of their own cells: the query
/// joins the app name (`tpch q06`), so [`ReportData`] groups, tables and charts them per query.
pub fn per_query(records: &[RunRecord]) -> Vec<RunRecord> {
    records
        .iter()
        .filter_map(|r| {
            let q = r.query?;
            let app = match r.app.as_str() {
                "" => format!("q{q:02}"),
                a => format!("{a} q{q:02}"),
            };
            debug_assert!(is_query_app(&app));
            Some(RunRecord {
                app,
                query: None,
                ..r.clone()
            })
        })
        .collect()
}

/// An app label [`per_query`] made: `q06`, `tpch q06`.
fn is_query_app(app: &str) -> bool {
    let q = app.rsplit(' ').next().unwrap_or(app);
    q.len() == 3 && q.starts_with('q') && q[1..].bytes().all(|b| b.is_ascii_digit())
}

impl<'a> ReportData<'a> {
    pub fn new(records: &'a [RunRecord]) -> Self {
        type Key = (String, String, String, String, u64, Mode, bool);
        let mut grouped: BTreeMap<Key, Vec<&RunRecord>> = BTreeMap::new();
        // A query's record is part of its run's: the cells are the runs ([`per_query`]).
        for r in records.iter().filter(|r| r.query.is_none()) {
            let k = (
                r.spark_version.clone(),
                r.python.clone(),
                r.config.clone(),
                r.app.clone(),
                r.elements,
                r.mode,
                r.arrow,
            );
            grouped.entry(k).or_default().push(r);
        }
        let cells = grouped
            .into_values()
            .map(|runs| {
                let key = runs[0].cell();
                let samples = measured_walls(runs.iter().copied());
                let summary = stats::summarize(&samples, cell_seed(&key));
                Cell { key, runs, summary }
            })
            .collect();
        ReportData { records, cells }
    }

    /// Whether the run has an app axis (`apps = [...]`): only then do tables show the app.
    pub fn has_apps(&self) -> bool {
        self.records.iter().any(|r| !r.app.is_empty())
    }

    /// The app axis values of the run (`""` is the `--app` app).
    pub fn apps(&self) -> Vec<&str> {
        distinct(self.records.iter().map(|r| r.app.as_str()))
    }

    pub fn scenarios(&self) -> Vec<&str> {
        distinct(self.records.iter().map(|r| r.scenario.as_str()))
    }

    pub fn spark_versions(&self) -> Vec<&str> {
        distinct(self.records.iter().map(|r| r.spark_version.as_str()))
    }

    pub fn run_ids(&self) -> Vec<&str> {
        distinct(self.records.iter().map(|r| r.run_id.as_str()))
    }

    /// Distinct (stack, config) pairs, the stack being the Spark version and any Python
    /// other than the default ([`CellKey::stack`]): more than one means a side-by-side
    /// comparison.
    pub fn setups(&self) -> Vec<(String, &str)> {
        distinct(
            self.records
                .iter()
                .map(|r| (r.cell().stack(), r.config.as_str())),
        )
    }

    /// Names a setup by what differs across the run: "Spark 3.5.1", the config, or both;
    /// empty when the run has a single setup, so labels carry no noise.
    pub fn setup_label(&self, version: &str, config: &str) -> String {
        let setups = self.setups();
        let versions_differ = setups.iter().any(|s| s.0 != setups[0].0);
        let configs_differ = setups.iter().any(|s| s.1 != setups[0].1);
        match (versions_differ, configs_differ) {
            (false, false) => String::new(),
            (true, false) => format!("Spark {version}"),
            (false, true) => config.to_string(),
            (true, true) => format!("Spark {version} · {config}"),
        }
    }

    /// What the setups differ in, for titles: "Spark version", "config" or both.
    pub fn setup_dimension(&self) -> &'static str {
        let setups = self.setups();
        let configs_differ = setups.iter().any(|s| s.1 != setups[0].1);
        let versions_differ = setups.iter().any(|s| s.0 != setups[0].0);
        match (versions_differ, configs_differ) {
            (_, false) => "Spark version",
            (false, true) => "config",
            (true, true) => "Spark version and config",
        }
    }

    /// Element counts of cells that compute something (refusals carry a size but no timing).
    pub fn sizes(&self) -> Vec<u64> {
        distinct(
            self.records
                .iter()
                .filter(|r| r.mode.computes())
                .map(|r| r.elements),
        )
    }

    /// A size as its app counts it: a multi-query app's (TPC-H: its runs left query records,
    /// or these are those records) is a scale factor in thousandths, `SF 0.1`; anything else
    /// counts elements, `100,000 elements`.
    pub fn size_label(&self, elements: u64) -> String {
        match self.is_scale_factor(elements) {
            true => self.size(elements),
            false => format!("{} elements", thousands(elements)),
        }
    }

    /// [`Self::size_label`] as a table cell under `elements`: `SF 0.1` or `100,000`.
    pub fn size(&self, elements: u64) -> String {
        match self.is_scale_factor(elements) {
            true => format!("SF {}", crate::config::tpch_size::scale_factor(elements)),
            false => thousands(elements),
        }
    }

    fn is_scale_factor(&self, elements: u64) -> bool {
        let mut of_size = self.records.iter().filter(|r| r.elements == elements);
        of_size.any(|r| r.query.is_some() || is_query_app(&r.app))
    }

    /// Cells with timings, i.e. those the timing charts draw.
    pub fn timed_cells(&self) -> impl Iterator<Item = &Cell<'a>> {
        self.cells.iter().filter(|c| c.key.mode.computes())
    }

    /// The timed cells of one stack × config × size: what one chart panel draws.
    pub fn panel_cells(&self, stack: &str, config: &str, elements: u64) -> Vec<&Cell<'a>> {
        self.timed_cells()
            .filter(|c| c.key.stack() == stack && c.key.config == config)
            .filter(|c| c.key.elements == elements)
            .collect()
    }

    /// The runs: every record but a multi-query app's per-query ones (part of their run's).
    pub fn runs(&self) -> impl Iterator<Item = &'a RunRecord> {
        self.records.iter().filter(|r| r.query.is_none())
    }

    pub fn failures(&self) -> impl Iterator<Item = &'a RunRecord> {
        self.runs().filter(|r| is_failure(r))
    }

    /// "scenario — Spark 3.4.4, 3.5.1": the subject line of every chart title.
    pub fn title_subject(&self) -> String {
        let pythons = distinct(self.records.iter().map(|r| r.python.as_str()));
        let python = match pythons.as_slice() {
            [] => String::new(),
            [p] if *p == crate::config::python::DEFAULT.to_string() => String::new(),
            ps => format!(" · Python {}", ps.join(", ")),
        };
        format!(
            "{} — Spark {}{python}",
            self.scenarios().join(", "),
            self.spark_versions().join(", ")
        )
    }
}

fn distinct<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    items.collect::<BTreeSet<_>>().into_iter().collect()
}

/// The cell's bootstrap seed ([`CellKey::seed`]).
pub fn cell_seed(key: &CellKey) -> u64 {
    key.seed()
}

/// "1,000,000": element counts in tables and titles.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "10k", "1M": element counts on log axes, where space is short.
pub fn short_count(n: f64) -> String {
    let (v, unit) = match n {
        n if n >= 1e9 => (n / 1e9, "G"),
        n if n >= 1e6 => (n / 1e6, "M"),
        n if n >= 1e3 => (n / 1e3, "k"),
        n => (n, ""),
    };
    let text = format!("{v:.1}");
    format!("{}{unit}", text.trim_end_matches(".0"))
}

/// Seconds with enough digits to tell cells apart without drowning the table.
pub fn secs(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}
