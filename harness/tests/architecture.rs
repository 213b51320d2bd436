//! The house rules of `harness/src`, checked on every `cargo test`: data flows one way between
//! modules (no import cycle over `use crate::` paths), every file opens with a `//!` comment
//! saying why it exists, and no file grows past what a reader takes in at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 500;

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `config/scenario/mod.rs` → `config::scenario`; test modules are left out.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    if parts.last().is_some_and(|p| p == "tests") {
        return None;
    }
    Some(parts.join("::"))
}

/// Every `crate::a::b::C` path in the non-test part of `text`, `use` groups expanded.
fn crate_paths(text: &str) -> Vec<String> {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let mut rest = flat.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{'))
            .unwrap_or(rest.len());
        let path = &rest[..end];
        match path.split_once('{') {
            Some((prefix, _)) => {
                let group_end = rest.find('}').unwrap_or(rest.len());
                for item in rest[prefix.len() + 1..group_end].split(',') {
                    out.push(format!("{prefix}{}", item.trim().trim_end_matches(':')));
                }
            }
            None => out.push(path.trim_end_matches(':').to_string()),
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .filter_map(|f| Some((module_of(f)?, f.clone())))
        .collect();
    let resolve = |path: &str| {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|m| modules.contains_key(m))
    };
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let edges: BTreeSet<String> = crate_paths(&text)
            .iter()
            .filter_map(|p| resolve(p))
            .filter(|t| {
                // A module and its own ancestors or descendants are one unit.
                t != module
                    && !module.starts_with(&format!("{t}::"))
                    && !t.starts_with(&format!("{module}::"))
                    && !t.is_empty()
            })
            .collect();
        graph.insert(module.clone(), edges);
    }
    graph
}

/// A cycle through `start`, if any (depth-first search over the graph).
fn cycle_from(
    graph: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    at: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    for next in &graph[at] {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(start.to_string());
            return Some(cycle);
        }
        if !path.contains(next) && graph.contains_key(next) {
            path.push(next.clone());
            if let Some(c) = cycle_from(graph, start, next, path) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn no_import_cycle_between_modules() {
    let graph = graph();
    assert!(graph.len() > 40, "found only {} modules", graph.len());
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m, m, &mut vec![m.clone()]))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle_when_there_is_one() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(cycle_from(&graph, "a", "a", &mut vec!["a".into()]).is_some());
    let paths =
        crate_paths("use crate::infra::{docker, image::Base};\nfn f() { crate::exec::run(); }");
    assert_eq!(paths, ["infra::docker", "infra::image::Base", "exec::run"]);
}

#[test]
fn every_file_says_why_and_stays_short() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} has no //! comment on top",
            f.display()
        );
        let lines = text.lines().count();
        let is_tests = f.file_name().is_some_and(|n| n == "tests.rs");
        assert!(
            is_tests || lines <= MAX_LINES,
            "{} has {lines} lines (at most {MAX_LINES}; move tests to a sibling tests.rs)",
            f.display()
        );
    }
}
