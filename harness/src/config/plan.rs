//! Expanding a scenario into the ordered list of runs the harness executes.
//!
//! Order: runs are grouped by (Spark version, Python, config, app), in scenario order, so that
//! one cluster serves each group (an app may need an image of its own). The Spark Connect modes form a group of their own after the classic
//! modes of the same (version, config): their server holds every core of its cluster, so a
//! classic app beside it would starve; each group gets a fresh cluster. Inside a group the cells are *interleaved*: every cell runs once per
//! round (rep 0: A B C …, rep 1: A B C …) rather than all reps of A then all of B, so slow
//! drift of the host or cluster (thermal throttling, page cache, JIT) spreads over every cell
//! instead of biasing whichever ran last.
//!
//! Rep numbering: warmup rounds come first and are numbered `0..warmup` with `warmup = true`;
//! measured rounds are numbered `0..repetitions` with `warmup = false`. So `(cell, rep, warmup)`
//! identifies a run, which is what `--resume` matches on.
//!
//! The negative modes (cluster-refusal, connect-classic) compute nothing, so Arrow and the
//! element count do not apply: each is one cell with `arrow = false, elements = 0`, run once
//! per measured rep, and has no warmups and no fault (both only make sense for a run that
//! computes). Faults apply to measured computing runs only: a fault in a warmup would only
//! disturb the measured runs.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::config::python::PythonMinor;
use crate::config::scenario::{ConfigSpec, FaultSpec, Scenario};
use crate::config::CellKey;
use crate::config::{Mode, Seed};

/// One run the harness will execute.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    pub spark_version: String,
    /// The Python minor of the drivers and executors.
    pub python: PythonMinor,
    pub config: ConfigSpec,
    /// The app axis value (`config::variant`): empty for the `--app` app.
    pub app: String,
    pub mode: Mode,
    pub arrow: bool,
    pub elements: u64,
    pub rep: u32,
    pub warmup: bool,
    /// The data seed: the same for every run, so every run must return the same frame.
    pub seed: Seed,
    pub timeout: Duration,
    /// The scenario's `spark_conf` overlaid with the config's own `conf`.
    pub conf: BTreeMap<String, String>,
    pub fault: Option<FaultSpec>,
    /// A probe of a frontier search (the scenario has `[frontier]`); its `elements` is set by
    /// the search (`exec::frontier_search`).
    pub frontier: bool,
    /// 0 for the planned run; 1 for its one re-run after the cluster spoiled it (`exec::matrix`).
    pub attempt: u32,
    /// The queries a multi-query app runs (the scenario's `queries`; empty: all).
    pub queries: Vec<u32>,
    /// In an interleaved scenario, the block a measured run belongs to (its round: one run
    /// of every arm's cell); `None` otherwise and for warmups.
    pub block: Option<u32>,
}

impl PlannedRun {
    pub fn cell(&self) -> CellKey {
        CellKey {
            spark_version: self.spark_version.clone(),
            python: self.python.to_string(),
            config: self.config.name.clone(),
            app: self.app.clone(),
            mode: self.mode,
            arrow: self.arrow,
            elements: self.elements,
            query: None,
        }
    }

    pub fn group(&self) -> GroupKey {
        GroupKey {
            spark_version: self.spark_version.clone(),
            python: self.python,
            config: self.config.name.clone(),
            app: self.app.clone(),
            connect: self.mode.uses_connect(),
        }
    }

    /// What `--resume` matches a finished record on.
    pub fn identity(&self) -> RunIdentity {
        RunIdentity {
            cell: self.cell(),
            rep: self.rep,
            warmup: self.warmup,
        }
    }
}

/// One run of a plan, as a record names it too: its cell, its repetition, and whether it is a
/// warmup (warmups and measured rounds are numbered apart).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunIdentity {
    pub cell: CellKey,
    pub rep: u32,
    pub warmup: bool,
}

/// The runs that share one cluster: one Spark version, Python, config and app (each app may
/// have an image of its own), and whether they are the Connect modes (which also get a Spark
/// Connect server on that cluster).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    pub spark_version: String,
    pub python: PythonMinor,
    pub config: String,
    /// The app axis value; empty for the `--app` app.
    pub app: String,
    pub connect: bool,
}

/// The cells of one group in execution order: (mode, arrow, elements).
fn cells(scenario: &Scenario) -> Vec<(Mode, bool, u64)> {
    let mut cells = Vec::new();
    for &mode in &scenario.modes {
        if !mode.computes() {
            cells.push((mode, false, 0));
            continue;
        }
        for &arrow in &scenario.arrow {
            for &elements in &scenario.elements {
                cells.push((mode, arrow, elements));
            }
        }
    }
    cells
}

/// Every (Spark version, Python) pair, versions outermost: each gets its own image and venv.
fn stacks(scenario: &Scenario) -> Vec<(String, PythonMinor)> {
    let pythons = scenario.pythons();
    let mut out = Vec::new();
    for v in &scenario.spark_versions {
        out.extend(pythons.iter().map(|p| (v.clone(), *p)));
    }
    out
}

/// The expanded, ordered runs of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    runs: Vec<PlannedRun>,
}

impl Plan {
    pub fn new(scenario: &Scenario) -> Plan {
        let cells = cells(scenario);
        let mut runs = Vec::new();
        for (version, python) in stacks(scenario) {
            for config in &scenario.configs {
                let mut conf = scenario.spark_conf.clone();
                conf.extend(config.conf.clone());
                let base = PlannedRun {
                    spark_version: version.clone(),
                    python,
                    config: config.clone(),
                    app: String::new(),
                    mode: Mode::Direct,
                    arrow: false,
                    elements: 0,
                    rep: 0,
                    warmup: false,
                    seed: scenario.seed,
                    timeout: scenario.timeout(),
                    conf,
                    fault: None,
                    frontier: scenario.frontier.is_some(),
                    attempt: 0,
                    queries: scenario.queries.clone().unwrap_or_default(),
                    block: None,
                };
                for app in scenario.apps() {
                    let base = PlannedRun {
                        app,
                        ..base.clone()
                    };
                    for connect in [false, true] {
                        let part: Vec<_> = cells
                            .iter()
                            .filter(|c| c.0.uses_connect() == connect)
                            .copied()
                            .collect();
                        push_group(&mut runs, &base, &part, scenario);
                    }
                }
            }
        }
        Plan { runs }
    }

    pub fn runs(&self) -> &[PlannedRun] {
        &self.runs
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Each group with its runs, in execution order.
    pub fn groups(&self) -> impl Iterator<Item = (GroupKey, &[PlannedRun])> {
        groups_of(&self.runs)
    }

    /// The runs still to do after `done` (the identities of the records on disk, for
    /// `--resume`), in plan order. Any record counts as done, failed or not: resuming continues an interrupted matrix, it does not retry.
    pub fn remaining(&self, done: impl IntoIterator<Item = RunIdentity>) -> Vec<PlannedRun> {
        let finished: HashSet<RunIdentity> = done.into_iter().collect();
        self.runs
            .iter()
            .filter(|run| !finished.contains(&run.identity()))
            .cloned()
            .collect()
    }
}

/// Appends one group's runs: warmup rounds, then measured rounds, each round every cell once.
fn push_group(
    runs: &mut Vec<PlannedRun>,
    base: &PlannedRun,
    cells: &[(Mode, bool, u64)],
    scenario: &Scenario,
) {
    let rounds = (0..scenario.warmup)
        .map(|rep| (rep, true))
        .chain((0..scenario.repetitions).map(|rep| (rep, false)));
    for (rep, warmup) in rounds {
        for &(mode, arrow, elements) in cells {
            if warmup && !mode.computes() {
                continue;
            }
            let fault = scenario.fault.filter(|_| mode.computes() && !warmup);
            runs.push(PlannedRun {
                mode,
                arrow,
                elements,
                rep,
                warmup,
                fault,
                block: (scenario.interleave && !warmup).then_some(rep),
                ..base.clone()
            });
        }
    }
}

/// Splits runs into consecutive groups sharing a [`GroupKey`]. Works on any ordered run list,
/// e.g. the output of [`Plan::remaining`].
pub fn groups_of(runs: &[PlannedRun]) -> impl Iterator<Item = (GroupKey, &[PlannedRun])> {
    runs.chunk_by(|a, b| a.group() == b.group())
        .map(|chunk| (chunk[0].group(), chunk))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(extra: &str) -> String {
        format!(
            "name = \"t\"
spark_versions = [\"3.5.9\", \"4.0.1\"]
modes = [\"direct\", \"cluster-refusal\", \"submit\"]
arrow = [true, false]
elements = [10, 20]
repetitions = 2
warmup = 1
{extra}"
        )
    }

    fn scenario(extra: &str) -> Scenario {
        Scenario::from_str(&text(extra), "t.toml").unwrap()
    }

    fn label(r: &PlannedRun) -> String {
        let w = if r.warmup { "w" } else { "" };
        format!(
            "{}{w}{}:{}:{}:{}",
            r.mode, r.rep, r.arrow, r.elements, r.spark_version
        )
    }

    #[test]
    fn each_app_gets_its_groups_and_the_default_keeps_its_labels() {
        let plan = Plan::new(&scenario("apps = [\"typed\", \"sql\"]\n"));
        let apps: Vec<String> = plan.groups().map(|(k, _)| k.app).collect();
        assert_eq!(apps, ["typed", "sql", "typed", "sql"]);
        let typed = plan.runs()[0].cell().to_string();
        let plain = Plan::new(&scenario("")).runs()[0].cell().to_string();
        assert_eq!(typed, format!("{plain}/typed"));
        assert!(!plain.contains("typed"), "{plain}");
    }

    #[test]
    fn cells_are_interleaved_within_a_group() {
        let plan = Plan::new(&scenario(""));
        let (_, first) = plan.groups().next().unwrap();
        let order: Vec<String> = first.iter().map(label).collect();
        let round = |w: &str, rep: u32| {
            let mut v = Vec::new();
            for (a, e) in [(true, 10), (true, 20), (false, 10), (false, 20)] {
                v.push(format!("direct{w}{rep}:{a}:{e}:3.5.9"));
            }
            if w.is_empty() {
                v.push(format!("cluster-refusal{rep}:false:0:3.5.9"));
            }
            for (a, e) in [(true, 10), (true, 20), (false, 10), (false, 20)] {
                v.push(format!("submit{w}{rep}:{a}:{e}:3.5.9"));
            }
            v
        };
        let expected: Vec<String> = [round("w", 0), round("", 0), round("", 1)].concat();
        assert_eq!(order, expected);
    }

    #[test]
    fn warmups_come_first_and_are_flagged() {
        let two = text("").replace("warmup = 1", "warmup = 2");
        let plan = Plan::new(&Scenario::from_str(&two, "t.toml").unwrap());
        let (_, group) = plan.groups().next().unwrap();
        let first_measured = group.iter().position(|r| !r.warmup).unwrap();
        assert!(group[first_measured..].iter().all(|r| !r.warmup));
        let warmup_reps: HashSet<u32> = group[..first_measured].iter().map(|r| r.rep).collect();
        assert_eq!(warmup_reps, HashSet::from([0, 1]));
        assert!(group[..first_measured].iter().all(|r| r.mode.computes()));
    }

    #[test]
    fn runs_are_grouped_by_version_and_config() {
        let extra = "[[configs]]\nname = \"a\"\n[[configs]]\nname = \"b\"\nworkers = 1\n";
        let plan = Plan::new(&scenario(extra));
        let keys: Vec<(String, String)> = plan
            .groups()
            .map(|(k, _)| (k.spark_version, k.config))
            .collect();
        let expect = |v: &str, c: &str| (v.to_string(), c.to_string());
        assert_eq!(
            keys,
            [
                expect("3.5.9", "a"),
                expect("3.5.9", "b"),
                expect("4.0.1", "a"),
                expect("4.0.1", "b")
            ]
        );
        let per_group = 2 * 4 + 2 * (2 * 4 + 1);
        for (key, runs) in plan.groups() {
            assert_eq!(runs.len(), per_group, "{key:?}");
            assert!(runs.iter().all(|r| r.group() == key));
        }
        assert_eq!(plan.len(), 4 * per_group);
    }

    #[test]
    fn refusal_is_one_cell_per_rep_without_arrow_or_elements() {
        let plan = Plan::new(&scenario(""));
        let refusals: Vec<&PlannedRun> = plan
            .runs()
            .iter()
            .filter(|r| r.mode == Mode::ClusterRefusal)
            .collect();
        assert_eq!(refusals.len(), 2 * 2, "2 versions × 2 measured reps");
        assert!(refusals
            .iter()
            .all(|r| !r.arrow && r.elements == 0 && !r.warmup));
    }

    #[test]
    fn config_conf_overrides_scenario_conf() {
        let extra = "[spark_conf]\n\"spark.a\" = \"1\"\n\"spark.b\" = \"1\"\n\
                     [[configs]]\nname = \"c\"\nconf = { \"spark.b\" = \"2\" }\n";
        let plan = Plan::new(&scenario(extra));
        let run = &plan.runs()[0];
        assert_eq!(run.conf["spark.a"], "1");
        assert_eq!(run.conf["spark.b"], "2");
    }

    #[test]
    fn fault_applies_to_measured_computing_runs_only() {
        let plan = Plan::new(&scenario("[fault]\nkind = \"kill-worker\"\nafter_s = 3\n"));
        for r in plan.runs() {
            let expected = r.mode.computes() && !r.warmup;
            assert_eq!(r.fault.is_some(), expected, "{}", label(r));
        }
    }

    #[test]
    fn remaining_skips_runs_that_have_a_record() {
        let plan = Plan::new(&scenario(""));
        let done = plan.runs()[..7].iter().map(PlannedRun::identity);
        let left = plan.remaining(done);
        assert_eq!(left, plan.runs()[7..]);
        assert!(plan.remaining([]).len() == plan.len());
    }

    #[test]
    fn remaining_tells_warmup_from_measured_rep() {
        let plan = Plan::new(&scenario(""));
        let warm = plan.runs().iter().find(|r| r.warmup).unwrap();
        let left = plan.remaining([warm.identity()]);
        assert_eq!(left.len(), plan.len() - 1);
        let measured_twin = left
            .iter()
            .find(|r| r.cell() == warm.cell() && r.rep == warm.rep);
        assert!(measured_twin.is_some_and(|r| !r.warmup));
        let regrouped: usize = groups_of(&left).map(|(_, runs)| runs.len()).sum();
        assert_eq!(regrouped, left.len());
    }

    #[test]
    fn each_python_gets_its_own_groups_and_cells() {
        let t = text("")
            .replace("\"3.5.9\", \"4.0.1\"", "\"4.0.1\", \"4.1.4\"")
            .replace("warmup = 1", "warmup = 1\npython = [\"3.11\", \"3.13\"]");
        let plan = Plan::new(&Scenario::from_str(&t, "t.toml").unwrap());
        let keys: Vec<(String, String)> = plan
            .groups()
            .map(|(k, _)| (k.spark_version, k.python.to_string()))
            .collect();
        let k = |v: &str, p: &str| (v.to_string(), p.to_string());
        let expected = [
            k("4.0.1", "3.11"),
            k("4.0.1", "3.13"),
            k("4.1.4", "3.11"),
            k("4.1.4", "3.13"),
        ];
        assert_eq!(keys, expected);
        let cells: HashSet<CellKey> = plan.runs().iter().map(PlannedRun::cell).collect();
        let labels: HashSet<String> = cells.iter().map(|c| c.to_string()).collect();
        assert_eq!(labels.len(), cells.len(), "3.11 and 3.13 cells stay apart");
        assert!(
            labels.contains("4.1.4/2w-1c-1g/direct/arrow-on/10"),
            "{labels:?}"
        );
        assert!(labels.contains("4.1.4-py3.13/2w-1c-1g/direct/arrow-on/10"));
    }

    #[test]
    fn connect_modes_get_a_group_and_a_cluster_of_their_own() {
        let t = text("")
            .replace("\"3.5.9\", \"4.0.1\"", "\"4.1.4\"")
            .replace(
                "\"cluster-refusal\", \"submit\"",
                "\"connect\", \"submit\", \"connect-classic\"",
            );
        let plan = Plan::new(&Scenario::from_str(&t, "t.toml").unwrap());
        let groups: Vec<(GroupKey, Vec<Mode>)> = plan
            .groups()
            .map(|(k, runs)| (k, runs.iter().map(|r| r.mode).collect()))
            .collect();
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert!(!groups[0].0.connect && groups[1].0.connect);
        assert!(groups[0].1.iter().all(|m| !m.uses_connect()));
        assert!(groups[1].1.iter().all(|m| m.uses_connect()));
        assert!(
            groups[1].1[0] == Mode::Connect,
            "the connect group warms up first"
        );
        assert_eq!(groups[0].0.spark_version, groups[1].0.spark_version);
    }
}
