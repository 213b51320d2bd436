//! The tests that need no Spark, in one binary (one link): the house rules of the source tree,
//! bad input refused before anything starts, one test per class of hostile input, property
//! tests at every door and over scenarios and records, and the CI example's commands checked
//! against the binary's own `--help`. Some bad-input cases ask a real Docker daemon.

#[path = "../shared/mod.rs"]
mod common;

mod architecture;
mod bad_input;
mod ci_example;
mod doors;
mod properties;
mod trust;
