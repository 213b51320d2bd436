//! After a run's matrix: each stack's effective SQL defaults (`infra::sql_defaults`, probed
//! once per venv and cached) kept in the run directory, so this run's comparisons — and any
//! later `compare` against another run — can list the defaults that differ between lines.
//! A probe that fails is said on stderr and leaves that stack out: the run's verdict does not
//! depend on it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::stack_label;
use crate::infra::sql_defaults::{self, Defaults};
use crate::infra::stack::StackSource;
use crate::infra::venv;

/// Probes (or reads from the cache) every stack's defaults and writes them into `run_dir`,
/// beside those an earlier invocation of the run kept there: a resumed run starts only the
/// stacks it still has runs for, and must not lose the others'.
pub fn keep(run_dir: &Path, stacks: &[StackSource]) -> BTreeMap<String, Defaults> {
    let mut by_stack = sql_defaults::read(run_dir).unwrap_or_default();
    for s in stacks.iter().filter(|s| !s.external) {
        let label = stack_label(&s.spark_version, &s.python.to_string());
        if by_stack.contains_key(&label) {
            continue;
        }
        let found = venv::ensure_for(&s.spark_version, s.python)
            .map_err(|e| e.to_string())
            .and_then(|v| sql_defaults::ensure(&v));
        match found {
            Ok(map) => {
                by_stack.insert(label, map);
            }
            Err(e) => eprintln!("sparkmodes: note: SQL defaults of {label} not probed: {e}"),
        }
    }
    if let Err(e) = sql_defaults::write(run_dir, &by_stack) {
        eprintln!("sparkmodes: note: {e}");
    }
    by_stack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_run_keeps_the_defaults_of_stacks_it_did_not_start_again() {
        let dir = tempfile::tempdir().unwrap();
        let earlier: BTreeMap<String, Defaults> = [(
            "3.5.9".to_string(),
            [("spark.sql.ansi.enabled".to_string(), "false".to_string())].into(),
        )]
        .into();
        sql_defaults::write(dir.path(), &earlier).unwrap();
        assert_eq!(keep(dir.path(), &[]), earlier);
        assert_eq!(sql_defaults::read(dir.path()).unwrap(), earlier);
    }
}
