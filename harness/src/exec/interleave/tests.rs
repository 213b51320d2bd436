//! The interleaved runner against mock backends: block order, every arm up at once, the
//! stopping rule obeyed, every record on disk with its block.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use super::*;
use crate::config::plan::Plan;
use crate::config::scenario::Scenario;
use crate::exec::run::Executor;
use crate::measure::record::Status;
use crate::measure::records_file::load_records;

const SCENARIO: &str = r#"
name = "mock"
spark_versions = ["3.5.9", "4.0.1"]
modes = ["direct", "submit"]
arrow = [true]
elements = [1000]
repetitions = 8
warmup = 1
interleave = true
[[configs]]
name = "a"
[[configs]]
name = "b"
"#;

/// A shared log of (event, group) so the test sees the order across backends.
type Log = Rc<RefCell<Vec<String>>>;

struct Mock {
    label: String,
    log: Log,
}

impl Executor for Mock {
    fn execute(&mut self, run: &PlannedRun) -> RunRecord {
        self.log.borrow_mut().push(format!("run {}", self.label));
        let mut rec = RunRecord::for_run("mock-run", "mock", run);
        rec.status = Status::Ok;
        rec.correct = true.into();
        rec.wall_s = 10.0;
        rec
    }
}

impl Backend for Mock {
    fn start_group(&mut self, key: &GroupKey, _: &PlannedRun) -> Result<()> {
        self.label = format!("{}/{}", key.spark_version, key.config);
        self.log.borrow_mut().push(format!("start {}", self.label));
        Ok(())
    }
    fn executor(&mut self) -> &mut dyn Executor {
        self
    }
    fn recover(&mut self, _restore: bool) -> Result<Option<String>> {
        Ok(None)
    }
    fn end_group(&mut self) {
        self.log.borrow_mut().push(format!("end {}", self.label));
    }
}

fn setup() -> (Plan, Vec<Mock>, Log) {
    let plan = Plan::new(&Scenario::from_str(SCENARIO, "mock.toml").unwrap());
    let log = Log::default();
    let arms = plan.groups().count();
    let backends = (0..arms)
        .map(|_| Mock {
            label: String::new(),
            log: log.clone(),
        })
        .collect();
    (plan, backends, log)
}

fn dyns(b: &mut [Mock]) -> Vec<&mut dyn Backend> {
    b.iter_mut().map(|m| m as &mut dyn Backend).collect()
}

#[test]
fn every_arm_is_up_before_the_first_run_and_each_block_runs_every_arm_once() {
    let (plan, mut backends, log) = setup();
    let dir = tempfile::tempdir().unwrap();
    let recs = run_interleaved(
        &mut dyns(&mut backends),
        plan.runs(),
        dir.path(),
        Seed::DEFAULT,
        None,
    )
    .unwrap();
    let log = log.borrow();
    assert!(log[..4].iter().all(|e| e.starts_with("start")), "{log:?}");
    assert!(log[log.len() - 4..].iter().all(|e| e.starts_with("end")));
    // 4 arms × 2 cells × (1 warmup + 8 reps) runs, each on disk with its block.
    assert_eq!(recs.len(), 72);
    assert_eq!(load_records(dir.path()).unwrap().len(), 72);
    for block in 0..8 {
        let arms: BTreeSet<String> = recs
            .iter()
            .filter(|r| r.block == Some(block))
            .map(|r| format!("{}/{}", r.spark_version, r.config))
            .collect();
        assert_eq!(arms.len(), 4, "block {block}");
    }
    // Each block's runs are contiguous: all of block b before any of block b+1.
    let blocks: Vec<u32> = recs.iter().filter_map(|r| r.block).collect();
    assert!(blocks.windows(2).all(|w| w[0] <= w[1]), "{blocks:?}");
}

#[test]
fn the_block_order_is_a_seeded_permutation_that_varies() {
    let orders: Vec<Vec<usize>> = (0..40).map(|i| block_order(Seed::DEFAULT, i, 4)).collect();
    for o in &orders {
        let mut sorted = o.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2, 3]);
    }
    assert_eq!(orders[3], block_order(Seed::DEFAULT, 3, 4));
    let distinct: BTreeSet<&Vec<usize>> = orders.iter().collect();
    assert!(distinct.len() > 10, "{distinct:?}");
    // Every arm goes first in some block: no arm always leads.
    let firsts: BTreeSet<usize> = orders.iter().map(|o| o[0]).collect();
    assert_eq!(firsts.len(), 4);
}

#[test]
fn the_stopping_rule_is_asked_after_each_measured_block_and_obeyed() {
    let (plan, mut backends, _log) = setup();
    let dir = tempfile::tempdir().unwrap();
    let mut asked = Vec::new();
    let mut stop = |blocks: u32| -> Result<Stop> {
        asked.push(blocks);
        Ok(if blocks == 6 {
            Stop::Settled("decided".into())
        } else {
            Stop::Continue("x".into())
        })
    };
    let recs = run_interleaved(
        &mut dyns(&mut backends),
        plan.runs(),
        dir.path(),
        Seed::DEFAULT,
        Some(&mut stop),
    )
    .unwrap();
    assert_eq!(asked, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(recs.iter().filter(|r| !r.warmup).count(), 4 * 2 * 6);
}
