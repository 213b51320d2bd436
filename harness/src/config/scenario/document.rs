//! Source positions: every key path (`cluster.workers`, `modes[1]`, `configs[0].conf."spark.x"`)
//! mapped to its span, so both serde errors and validation errors can name a line and a key.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::{Error, Result};

pub(crate) struct Document<'a> {
    pub(crate) origin: String,
    text: &'a str,
    table: Spanned<DeTable<'a>>,
    spans: Vec<KeySpan>,
}

struct KeySpan {
    path: String,
    key: Range<usize>,
    value: Range<usize>,
}

impl<'a> Document<'a> {
    pub(crate) fn parse(text: &'a str, origin: &str) -> Result<Document<'a>> {
        let table = DeTable::parse(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            Error::setup(format!(
                "{}: invalid TOML: {}",
                location(origin, line),
                e.message().trim()
            ))
        })?;
        let mut spans = Vec::new();
        index_table(table.get_ref(), "", &mut spans);
        Ok(Document {
            origin: origin.to_string(),
            text,
            table,
            spans,
        })
    }

    pub(crate) fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let de = toml::Deserializer::from(self.table.clone());
        T::deserialize(de).map_err(|e| self.serde_error(&e))
    }

    fn serde_error(&self, e: &toml::de::Error) -> Error {
        let message = e.message().trim();
        // A "missing field" error points at offset 0, which is no help: leave the line out.
        let span = e.span().filter(|s| !s.is_empty());
        let line = span.as_ref().map(|s| line_of(self.text, s.start));
        let at = location(&self.origin, line);
        let key = span.and_then(|s| self.key_at(s.start));
        if let Some(rest) = message.strip_prefix("unknown field ") {
            // "unknown field `x`, expected one of ..." -> name the whole key path.
            let expected = rest.split_once(", ").map_or("", |(_, e)| e);
            let key = key.unwrap_or("?");
            return Error::setup(format!("{at}: unknown key `{key}` ({expected})"));
        }
        if let Some(field) = message.strip_prefix("missing field ") {
            let table = key.map(|k| format!(" in `{k}`")).unwrap_or_default();
            return Error::setup(format!("{at}: missing required key {field}{table}"));
        }
        match key {
            Some(key) => Error::setup(format!("{at}: key `{key}`: {message}")),
            None => Error::setup(format!("{at}: {message}")),
        }
    }

    /// The innermost key whose key or value span contains `offset`.
    fn key_at(&self, offset: usize) -> Option<&str> {
        self.spans
            .iter()
            .filter(|s| s.key.contains(&offset) || s.value.contains(&offset))
            .min_by_key(|s| s.value.len())
            .map(|s| s.path.as_str())
    }

    /// An error at `path`; the line is left out when the key was defaulted (not in the file).
    pub(crate) fn error(&self, path: &str, message: String) -> Error {
        let line = self
            .spans
            .iter()
            .find(|s| s.path == path)
            .map(|s| line_of(self.text, s.key.start));
        Error::setup(format!(
            "{}: key `{path}`: {message}",
            location(&self.origin, line)
        ))
    }
}

fn index_table(table: &DeTable<'_>, prefix: &str, out: &mut Vec<KeySpan>) {
    for (key, value) in table {
        let path = join_path(prefix, &key_segment(key.get_ref()));
        index_value(value, &path, key.span(), out);
    }
}

fn index_value(
    value: &Spanned<DeValue<'_>>,
    path: &str,
    key: Range<usize>,
    out: &mut Vec<KeySpan>,
) {
    out.push(KeySpan {
        path: path.to_string(),
        key,
        value: value.span(),
    });
    match value.get_ref() {
        DeValue::Table(t) => index_table(t, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                index_value(item, &format!("{path}[{i}]"), item.span(), out);
            }
        }
        _ => {}
    }
}

fn join_path(prefix: &str, segment: &str) -> String {
    if prefix.is_empty() {
        segment.to_string()
    } else {
        format!("{prefix}.{segment}")
    }
}

/// A key as TOML would write it in a dotted path: bare when possible, quoted otherwise.
pub(crate) fn key_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn location(origin: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{origin}:{line}"),
        None => origin.to_string(),
    }
}
