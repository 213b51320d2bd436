//! Stage 5, what a person or a CI system reads: records exported as CSV/JSONL/JUnit, the
//! plotted report, comparisons with their verdicts, and saved baselines.

pub mod baseline;
pub mod compare;
pub mod export;
pub mod report;
pub mod text_table;
