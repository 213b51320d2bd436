//! The real-Docker, real-Spark tests, in one binary (one link, one shared cluster): the smoke
//! matrix end to end, the apps and negative cells on the shared cluster, the tests that own
//! (and break) their clusters, and Spark Connect. Spark work is serialised by
//! `support::spark_lock` (two cores), and every test's seconds and real runs go to the ledger
//! `.ci/run` prints. `SPARKMODES_TEST_SPARK`, `SPARKMODES_TEST_MASTER` and
//! `SPARKMODES_TEST_APP` point the suite at a user's Spark, cluster or app (README).

#[path = "../shared/mod.rs"]
mod common;

mod connect;
mod explain;
mod fixture;
mod owned;
mod shared;
mod smoke;
mod support;
mod tpch;
