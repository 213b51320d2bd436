//! The runner against a mock backend: deterministic, no Docker.

use super::*;
use crate::config::plan::Plan;
use crate::config::scenario::Scenario;
use crate::exec::run::Executor;
use crate::measure::record::Status;
use crate::measure::records_file::load_records;

const SCENARIO: &str = r#"
name = "mock"
spark_versions = ["3.5.9", "4.0.1"]
modes = ["direct", "submit", "cluster-refusal"]
arrow = [true, false]
elements = [1000]
repetitions = 2
warmup = 1
"#;

#[derive(Default)]
struct Mock {
    order: Vec<String>,
    groups: Vec<String>,
    fail_on: Option<usize>,
    dead_cluster_on: Vec<usize>,
    restarts: usize,
}

impl Executor for Mock {
    fn execute(&mut self, run: &PlannedRun) -> RunRecord {
        self.order.push(describe(run));
        let mut rec = RunRecord::for_run("mock-run", "mock", run);
        let failing = self.fail_on == Some(self.order.len());
        rec.status = match (failing, run.mode.computes()) {
            (true, _) => Status::Failed,
            (false, true) => Status::Ok,
            (false, false) => Status::RefusedAsExpected,
        };
        rec.correct = (!failing).into();
        rec.wall_s = 1.0 + self.order.len() as f64 / 100.0;
        rec
    }
}

impl Backend for Mock {
    fn start_group(&mut self, key: &GroupKey, _: &PlannedRun) -> Result<()> {
        self.groups.push(key.spark_version.clone());
        Ok(())
    }
    fn executor(&mut self) -> &mut dyn Executor {
        self
    }
    fn recover(&mut self, restore: bool) -> Result<Option<String>> {
        if self.dead_cluster_on.contains(&self.order.len()) {
            self.restarts += usize::from(restore);
            return Ok(Some("worker container exited".into()));
        }
        Ok(None)
    }
    fn end_group(&mut self) {}
}

fn plan() -> Plan {
    Plan::new(&Scenario::from_str(SCENARIO, "mock.toml").unwrap())
}

#[test]
fn one_cluster_per_group_and_every_record_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan();
    let mut mock = Mock::default();
    let recs = run_plan(&mut mock, plan.runs(), dir.path()).unwrap();
    assert_eq!(mock.groups, vec!["3.5.9", "4.0.1"]);
    assert_eq!(recs.len(), plan.len());
    assert_eq!(load_records(dir.path()).unwrap(), recs);
    let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), plan.len() + 1);
}

#[test]
fn runs_are_interleaved_within_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let mut mock = Mock::default();
    run_plan(&mut mock, plan().runs(), dir.path()).unwrap();
    let first_group: Vec<&String> = mock
        .order
        .iter()
        .filter(|d| d.starts_with("3.5.9"))
        .collect();
    // rep 0 of every cell comes before rep 1 of any cell (A B C A B C, not A A B B).
    let pos = |needle: &str| {
        first_group
            .iter()
            .position(|d| d.ends_with(needle))
            .unwrap()
    };
    assert!(first_group.iter().filter(|d| d.ends_with("rep 0")).count() >= 3);
    let last_rep0 = first_group
        .iter()
        .rposition(|d| d.ends_with("rep 0"))
        .unwrap();
    assert!(last_rep0 < pos("rep 1"), "{first_group:?}");
}

#[test]
fn resume_completes_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan();
    let half = plan.len() / 2;
    let mut mock = Mock::default();
    run_plan(&mut mock, &plan.runs()[..half], dir.path()).unwrap();
    let done = load_records(dir.path()).unwrap();
    let rest = plan.remaining(done.iter().map(RunRecord::identity));
    assert_eq!(rest.len(), plan.len() - half);
    run_plan(&mut Mock::default(), &rest, dir.path()).unwrap();
    let all = load_records(dir.path()).unwrap();
    assert_eq!(all.len(), plan.len());
    assert!(plan
        .remaining(all.iter().map(RunRecord::identity))
        .is_empty());
}

/// A worker lost while results stay correct: the run is kept, flagged, left out of the
/// statistics, and the cluster is restored before the next run.
#[test]
fn a_cluster_degraded_under_a_correct_run_is_flagged_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let mut mock = Mock {
        // The first measured run (after four warmups).
        dead_cluster_on: vec![5],
        ..Default::default()
    };
    let recs = run_plan(&mut mock, plan().runs(), dir.path()).unwrap();
    assert_eq!(mock.restarts, 1);
    let flagged: Vec<&RunRecord> = recs.iter().filter(|r| r.degraded.is_some()).collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!((flagged[0].status, flagged[0].warmup), (Status::Ok, false));
    assert!(!flagged[0].is_measurement());
    assert!(flagged[0]
        .finding
        .as_deref()
        .unwrap()
        .contains("left out of statistics"));
    assert_eq!(
        recs.len(),
        plan().len() + 1,
        "the matrix went on, one re-run more"
    );
    let again = &recs[5];
    assert_eq!(again.identity(), flagged[0].identity());
    assert_eq!(again.attempt, 1);
    assert!(
        again.is_measurement(),
        "the re-run on the restored cluster counts"
    );
    assert!(crate::measure::record::unmeasured_cells(&recs).is_empty());
}

/// A one-repetition cell whose run and re-run are both spoiled ends without a measurement,
/// and says so; a re-run is never re-run again.
#[test]
fn a_cell_spoiled_twice_is_left_without_a_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario::from_str(
        "name = \"one\"\nspark_versions = [\"3.5.9\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [1000]\nrepetitions = 1\n",
        "t",
    )
    .unwrap();
    let plan = Plan::new(&scenario);
    let mut mock = Mock {
        dead_cluster_on: vec![1, 2],
        ..Default::default()
    };
    let recs = run_plan(&mut mock, plan.runs(), dir.path()).unwrap();
    assert_eq!(recs.len(), 2, "{recs:?}");
    assert_eq!((recs[0].attempt, recs[1].attempt), (0, 1));
    assert!(recs.iter().all(|r| r.degraded.is_some()));
    let left = crate::measure::record::unmeasured_cells(&recs);
    assert_eq!(left, [recs[0].cell()]);
    assert_eq!(
        load_records(dir.path()).unwrap(),
        recs,
        "both attempts are on disk"
    );
}

/// A fault run degrades its cluster on purpose: the cluster is restored for the run after it,
/// but not after the group's last run, which `end_group` removes anyway.
#[test]
fn a_cluster_is_restored_only_for_a_run_that_follows() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario::from_str(
        "name = \"f\"\nspark_versions = [\"3.5.9\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [1000]\nrepetitions = 2\n[fault]\nkind = \"kill-worker\"\nafter_s = 0.5\n",
        "t",
    )
    .unwrap();
    let mut mock = Mock {
        dead_cluster_on: vec![1, 2],
        ..Default::default()
    };
    let recs = run_plan(&mut mock, Plan::new(&scenario).runs(), dir.path()).unwrap();
    assert_eq!(recs.len(), 2, "a fault run is never re-run: {recs:?}");
    assert!(recs.iter().all(|r| r.cluster_fault.is_some()));
    assert_eq!(mock.restarts, 1, "restored after the first, not the last");
}

#[test]
fn a_dead_cluster_is_named_in_the_failed_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut mock = Mock {
        fail_on: Some(3),
        dead_cluster_on: vec![3],
        ..Default::default()
    };
    let recs = run_plan(&mut mock, plan().runs(), dir.path()).unwrap();
    assert_eq!(mock.restarts, 1);
    let failed: Vec<&RunRecord> = recs.iter().filter(|r| r.status == Status::Failed).collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]
        .error
        .as_deref()
        .unwrap()
        .contains("worker container exited"));
    assert_eq!(recs.len(), plan().len() + 1, "the matrix went on");
    assert_eq!(
        (recs[3].status, recs[3].attempt),
        (Status::Ok, 1),
        "re-run once"
    );
}

#[test]
fn table_has_a_line_per_cell() {
    let dir = tempfile::tempdir().unwrap();
    let recs = run_plan(&mut Mock::default(), plan().runs(), dir.path()).unwrap();
    let t = crate::output::text_table::cell_table(&recs);
    // 2 versions × (2 modes × 2 arrow + 1 refusal) + header
    assert_eq!(t.lines().count(), 2 * 5 + 1, "{t}");
    assert!(t.contains("refused-as-expected"));
}

#[test]
fn a_progress_line_names_the_arm_the_app_and_the_block() {
    let runs = plan();
    let run = &runs.runs()[0];
    let line = describe(run);
    assert!(
        line.starts_with(&format!("3.5.9 {} direct arrow=", run.config.name)),
        "{line}"
    );
    let arm = PlannedRun {
        app: "tpch".into(),
        block: Some(3),
        warmup: false,
        ..run.clone()
    };
    let line = describe(&arm);
    assert!(
        line.contains(" tpch direct ") && line.ends_with("rep 0 block 3"),
        "{line}"
    );
}
