//! Stage 5, what a person or a CI system reads: records exported as CSV/JSONL/JUnit and for CI
//! trackers, the plotted report, comparisons with their verdicts, saved baselines, and the
//! history of many runs.

pub mod baseline;
pub mod compare;
pub mod export;
pub mod history;
pub mod report;
pub mod run_set;
pub mod text_table;
