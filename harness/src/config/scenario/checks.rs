//! The value checks every table of a scenario shares (the top level, `[cluster]`,
//! `[frontier]`): each refusal names the file, line and key through the [`Document`].

use std::fmt;

use super::document::Document;
use crate::config::memory_mib;
use crate::Result;

/// Refuses an empty list and repeated values (a repeated cell would double its weight).
pub(super) fn check_list<T: PartialEq + fmt::Debug>(
    doc: &Document,
    key: &str,
    values: Vec<T>,
) -> Result<Vec<T>> {
    if values.is_empty() {
        return Err(doc.error(key, "must list at least one value".to_string()));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(doc.error(&format!("{key}[{i}]"), format!("duplicate value {v:?}")));
        }
    }
    Ok(values)
}

/// A Spark memory string (`512m`, `1g`), as workers and `spark.*.memory` accept it.
pub(super) fn check_memory(doc: &Document, key: &str, value: &str) -> Result<()> {
    if memory_mib(value).is_some() {
        Ok(())
    } else {
        Err(doc.error(
            key,
            format!("must be a size like \"512m\" or \"1g\", got {value:?}"),
        ))
    }
}
