//! The search on pure probes (property: the boundary in ≤ log2(steps) + 2 runs) and on a mock
//! backend whose driver "runs out of memory" above a per-config limit.

use proptest::prelude::*;

use super::*;
use crate::config::plan::GroupKey;
use crate::config::scenario::Scenario;
use crate::exec::run::Executor;
use crate::measure::frontier_lines;
use crate::measure::record::Status;
use crate::measure::records_file::load_records;

fn grid(low: u64, high: u64, step: u64) -> Grid {
    Grid { low, high, step }
}

/// The answer a correct search must give for a monotone boundary (largest count that completes).
fn expected(g: &Grid, boundary: u64) -> Frontier {
    let points: Vec<u64> = (0..=g.steps()).map(|i| g.at(i)).collect();
    match points.iter().rposition(|&p| p <= boundary) {
        None => Frontier::BelowRange { failed: g.low },
        Some(i) if i + 1 == points.len() => Frontier::AboveRange { completed: g.high },
        Some(i) => Frontier::Between {
            completed: points[i],
            failed: points[i + 1],
        },
    }
}

proptest! {
    #[test]
    fn finds_the_boundary_within_log2_steps_plus_two(
        low in 1u64..1_000_000,
        width in 1u64..100_000_000,
        step_frac in 1u64..=1000,
        boundary in 0u64..120_000_000,
    ) {
        let step = (width * step_frac / 1000).max(1);
        let g = grid(low, low + width, step);
        let found = search(&g, |n| Ok::<_, ()>(n <= boundary)).unwrap();
        prop_assert_eq!(found.frontier, expected(&g, boundary));
        prop_assert!(found.runs <= g.max_runs());
        prop_assert!(f64::from(found.runs) <= (g.steps() as f64).log2() + 2.0);
    }
}

#[test]
fn small_grids_by_hand() {
    // One step: low, then high.
    let one = grid(100, 200, 100);
    let s = search(&one, |n| Ok::<_, ()>(n <= 150)).unwrap();
    assert_eq!(
        s.frontier,
        Frontier::Between {
            completed: 100,
            failed: 200
        }
    );
    assert_eq!(s.runs, 2);
    let s = search(&one, |_| Ok::<_, ()>(false)).unwrap();
    assert_eq!(
        (s.frontier, s.runs),
        (Frontier::BelowRange { failed: 100 }, 1)
    );
    // A last step shorter than the others still ends on `high`.
    let ragged = grid(0, 10, 4);
    assert_eq!((ragged.steps(), ragged.at(3)), (3, 10));
    let s = search(&ragged, |_| Ok::<_, ()>(true)).unwrap();
    assert_eq!(s.frontier, Frontier::AboveRange { completed: 10 });
    assert_eq!(grid(0, 1024, 1).max_runs(), 11);
}

#[test]
fn a_probe_error_stops_the_search() {
    let mut calls = 0;
    let r = search(&grid(0, 1000, 1), |_| {
        calls += 1;
        Err::<bool, _>("cluster gone")
    });
    assert_eq!((r, calls), (Err("cluster gone"), 1));
}

const SCENARIO: &str = r#"
name = "frontier-mock"
spark_versions = ["3.5.9"]
modes = ["direct"]
arrow = [false, true]
elements = [250000, 16000000]
repetitions = 1

[frontier]
driver_memory = ["512m", "1g"]
step = 250000
"#;

/// Completes up to a limit per config (Arrow doubling it); above it the driver runs out of
/// memory, diagnosed like a real run.
#[derive(Default)]
struct Mock {
    probes: Vec<(String, bool, u64)>,
    groups: Vec<String>,
}

fn limit(config: &str, arrow: bool) -> u64 {
    let base = if config == "driver-512m" {
        3_100_000
    } else {
        6_000_000
    };
    if arrow {
        base * 2
    } else {
        base
    }
}

impl Executor for Mock {
    fn execute(&mut self, run: &PlannedRun) -> RunRecord {
        self.probes
            .push((run.config.name.clone(), run.arrow, run.elements));
        let mut rec = RunRecord::for_run("mock", "frontier-mock", run);
        if run.elements <= limit(&run.config.name, run.arrow) {
            rec.status = Status::Ok;
            rec.correct = true.into();
        } else {
            rec.diagnosis = Some("driver-out-of-memory".into());
        }
        rec
    }
}

impl Backend for Mock {
    fn start_group(&mut self, key: &GroupKey, _: &PlannedRun) -> Result<()> {
        self.groups.push(key.config.clone());
        Ok(())
    }
    fn executor(&mut self) -> &mut dyn Executor {
        self
    }
    fn recover(&mut self, _restore: bool) -> Result<Option<String>> {
        Ok(None)
    }
    fn end_group(&mut self) {}
}

fn scenario() -> Scenario {
    Scenario::from_str(SCENARIO, "frontier.toml").unwrap()
}

#[test]
fn every_line_finds_its_limit_on_a_mock_backend() {
    let s = scenario();
    let spec = s.frontier.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut mock = Mock::default();
    let recs = run_search(&mut mock, &Plan::new(&s), &spec, dir.path(), &[]).unwrap();
    assert_eq!(mock.groups, ["driver-512m", "driver-1g"]);
    assert_eq!(
        load_records(dir.path()).unwrap(),
        recs,
        "every probe on disk"
    );
    let bound = Grid::of(&spec).max_runs() as usize;
    for line in frontier_lines::lines(&recs) {
        let limit = limit(&line.line.config, line.line.arrow);
        let completed = line.completed.unwrap();
        assert!(
            completed <= limit && completed + spec.step > limit,
            "{line:?}"
        );
        assert_eq!(line.failed, Some(completed + spec.step));
        assert_eq!(line.failed_because.as_deref(), Some("driver-out-of-memory"));
        assert!(line.runs <= bound, "{} runs, at most {bound}", line.runs);
    }
    assert!(recs.iter().all(|r| r.frontier && r.kept_promise()));
}

#[test]
fn a_resumed_search_reruns_nothing_it_already_has() {
    let s = scenario();
    let spec = s.frontier.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = run_search(&mut Mock::default(), &Plan::new(&s), &spec, dir.path(), &[]).unwrap();
    let mut again = Mock::default();
    let second = run_search(&mut again, &Plan::new(&s), &spec, dir.path(), &first).unwrap();
    assert!(again.probes.is_empty() && second.is_empty());
}
