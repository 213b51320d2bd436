//! The house rules of `harness/src`, checked on every `cargo test`: data flows down the
//! pipeline's layers only (no import runs up [`LAYERS`], whatever path form it uses: `crate::`,
//! `super::`, `self::`, or a name re-exported by a `mod.rs`), no two files import each other
//! round a circle, every file opens with a `//!` comment saying why it exists, and no file grows
//! past what a reader takes in at once. The checker checks itself on a planted tree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 500;

/// The pipeline's layers, lowest first; a module may import its own layer and those below it.
/// Top-level modules not named here (`error`, `progress`) are shared by every layer.
const LAYERS: &[&[&str]] = &[
    &["config"],
    &["infra", "measure"],
    &["output"],
    &["exec"],
    &["pipeline", "testing"],
    &["cli", "main"],
];

fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    LAYERS.iter().position(|l| l.contains(&top))
}

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

/// `config/scenario/mod.rs` → `config::scenario`; test modules (`tests.rs`) are left out.
fn module_of(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() > 1 && parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.last().is_some_and(|p| p == "tests") {
        return None;
    }
    if parts == ["lib"] {
        return Some(String::new());
    }
    Some(parts.join("::"))
}

/// The text a module is made of, without its `#[cfg(test)]` items, comments and the insides
/// of string literals (a message may say "use crate::…").
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let (mut out, mut chars) = (String::new(), text.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for s in chars.by_ref() {
                    if s == '"' && !escaped {
                        break;
                    }
                    escaped = s == '\\' && !escaped;
                }
                out.push_str("\"\"");
            }
            '\'' if chars.peek() == Some(&'"') => {
                chars.next();
                out.push_str("' '");
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path a module names, absolute (`infra::docker::cli`): each `use` tree expanded, and
/// every inline `crate::…`/`super::…` path, with `super`/`self` resolved from `here`.
fn paths_in(code: &str, here: &str) -> Vec<String> {
    let mut out = Vec::new();
    let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut rest = flat.as_str();
    let mut outside_use = String::new();
    while let Some(i) = rest.find("use ") {
        let starts_word = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        outside_use.push_str(&rest[..i]);
        rest = &rest[i + 4..];
        if !starts_word {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        let tree = tight(&rest[..end]);
        for p in expand_tree("", &tree) {
            out.extend(absolute(&p, here));
        }
        rest = &rest[end..];
    }
    outside_use.push_str(rest);
    for start in ["crate::", "super::"] {
        let mut s = outside_use.as_str();
        while let Some(i) = s.find(start) {
            let after_word = i == 0 || !s[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
            let tail = &s[i..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if after_word {
                out.extend(absolute(tail[..end].trim_end_matches(':'), here));
            }
            s = &s[i + start.len()..];
        }
    }
    out
}

/// A `use` tree with spaces only where they separate words (`e as f`).
fn tight(tree: &str) -> String {
    let mut out = String::new();
    let words: Vec<&str> = tree.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let glue = |c: char| "{},:".contains(c);
        if i > 0 && !w.starts_with(glue) && !out.ends_with(glue) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e` (a `self` item names `a` itself).
fn expand_tree(prefix: &str, tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        let item = tree.split(" as ").next().unwrap_or(tree);
        let full = match item {
            "self" => prefix.trim_end_matches("::").to_string(),
            _ => format!("{prefix}{item}"),
        };
        return vec![full];
    };
    let head = &tree[..open];
    let close = tree.rfind('}').filter(|c| *c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let (mut depth, mut item, mut out) = (0, String::new(), Vec::new());
    for ch in inner.chars().chain([',']) {
        match ch {
            ',' if depth == 0 => {
                if !item.is_empty() {
                    out.extend(expand_tree(&format!("{prefix}{head}"), &item));
                }
                item.clear();
                continue;
            }
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        item.push(ch);
    }
    out
}

/// A path as the module `here` wrote it, made absolute.
fn absolute(path: &str, here: &str) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<&str> = here.split("::").filter(|s| !s.is_empty()).collect();
    match segs.first() {
        Some(&"crate") => {
            segs.remove(0);
            base.clear();
        }
        Some(&"super") | Some(&"self") => {
            while let Some(s) = segs.first() {
                match *s {
                    "super" => base.pop(),
                    "self" => None,
                    _ => break,
                };
                segs.remove(0);
            }
        }
        // A plain name: a child module of `here` (`use inner::X` in a mod.rs), or another crate,
        // which then resolves to `here` itself and is no edge.
        _ => {}
    }
    base.extend(segs);
    Some(base.join("::"))
}

/// The crate's modules, their files, and what each `mod.rs` re-exports (`pub use`), by the
/// name it is re-exported under.
struct Crate {
    modules: BTreeMap<String, PathBuf>,
    reexports: BTreeMap<String, String>,
}

impl Crate {
    fn read(root: &Path) -> Crate {
        let mut files = Vec::new();
        rust_files(root, &mut files);
        let modules: BTreeMap<String, PathBuf> = files
            .iter()
            .filter_map(|f| Some((module_of(root, f)?, f.clone())))
            .collect();
        let mut krate = Crate {
            modules,
            reexports: BTreeMap::new(),
        };
        for (module, file) in &krate.modules.clone() {
            let code = code_of(&std::fs::read_to_string(file).unwrap());
            let uses: String = code
                .split(';')
                .filter(|s| s.trim_start().starts_with("pub use "))
                .map(|s| format!("{};", s.trim_start().trim_start_matches("pub ")))
                .collect();
            for p in paths_in(&uses, module) {
                let name = p.rsplit("::").next().unwrap_or_default();
                let at = if module.is_empty() {
                    name.to_string()
                } else {
                    format!("{module}::{name}")
                };
                if krate.resolve(&p).0 != *module {
                    krate.reexports.insert(at, p);
                }
            }
        }
        krate
    }

    /// The module a path lands in (re-exports followed), and what follows it.
    fn resolve(&self, path: &str) -> (String, String) {
        let mut path = path.to_string();
        for _ in 0..8 {
            let parts: Vec<&str> = path.split("::").collect();
            let Some(n) = (0..=parts.len())
                .rev()
                .find(|n| self.modules.contains_key(&parts[..*n].join("::")))
            else {
                return (String::new(), path);
            };
            let (module, rest) = (parts[..n].join("::"), parts[n..].join("::"));
            let first = rest.split("::").next().unwrap_or_default();
            let named = if module.is_empty() {
                first.to_string()
            } else {
                format!("{module}::{first}")
            };
            match self.reexports.get(&named) {
                Some(target) if !first.is_empty() => {
                    let tail = rest.strip_prefix(first).unwrap_or_default();
                    path = format!("{target}{tail}");
                }
                _ => return (module, rest),
            }
        }
        (String::new(), path)
    }

    /// Each module's imports of other modules (not of itself, its ancestors or descendants).
    fn graph(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph = BTreeMap::new();
        for (module, file) in &self.modules {
            let code = code_of(&std::fs::read_to_string(file).unwrap());
            let edges: BTreeSet<String> = paths_in(&code, module)
                .iter()
                .map(|p| self.resolve(p).0)
                .filter(|t| !related(module, t))
                .collect();
            graph.insert(module.clone(), edges);
        }
        graph
    }

    /// `from -> to` for every import that runs up [`LAYERS`].
    fn upward_edges(&self) -> Vec<String> {
        let mut up = Vec::new();
        for (from, targets) in self.graph() {
            for to in targets {
                if let (Some(a), Some(b)) = (layer(&from), layer(&to)) {
                    if b > a {
                        up.push(format!("{from} -> {to}"));
                    }
                }
            }
        }
        up
    }

    fn cycles(&self) -> Vec<String> {
        let graph = self.graph();
        graph
            .keys()
            .filter_map(|m| cycle_from(&graph, m, m, &mut vec![m.clone()]))
            .map(|c| c.join(" -> "))
            .collect()
    }
}

/// A module and its own ancestors or descendants are one unit (a parent declares its children).
fn related(a: &str, b: &str) -> bool {
    a == b || b.is_empty() || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
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
fn no_import_runs_up_the_layers() {
    let krate = Crate::read(&src());
    assert!(
        krate.modules.len() > 40,
        "found only {} modules",
        krate.modules.len()
    );
    let up = krate.upward_edges();
    assert!(
        up.is_empty(),
        "imports up the layer order {LAYERS:?}:\n{}",
        up.join("\n")
    );
}

#[test]
fn no_import_cycle_between_files() {
    let cycles = Crate::read(&src()).cycles();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// A planted tree: `config::a` imports up through `super::`, through an inline `crate::` path
/// and through a name `exec` re-exports; `output::x` and `output::y` import each other.
#[test]
fn the_checker_sees_every_path_form_and_circle() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "lib.rs",
        "//! l\npub mod config;\npub mod exec;\npub mod output;\n",
    );
    write("config/mod.rs", "//! c\npub mod a;\npub mod b;\n");
    write("config/b.rs", "//! b\npub struct B;\n");
    write(
        "config/a.rs",
        "//! a\nuse super::super::exec::{self as e, Runner};\nfn f() { crate::output::x::go(); }\n",
    );
    write("exec/mod.rs", "//! e\nmod inner;\npub use inner::Runner;\n");
    write("exec/inner.rs", "//! i\npub struct Runner;\n");
    write("output/mod.rs", "//! o\npub mod x;\npub mod y;\n");
    write("output/x.rs", "//! x\nuse super::y::Y;\npub fn go() {}\n");
    write("output/y.rs", "//! y\nuse crate::output::x;\npub struct Y;\n#[cfg(test)]\nmod tests { use crate::exec::Runner; }\n");
    let krate = Crate::read(dir.path());
    let up = krate.upward_edges();
    for edge in [
        "config::a -> exec",
        "config::a -> exec::inner",
        "config::a -> output::x",
    ] {
        assert!(up.contains(&edge.to_string()), "{edge} missing from {up:?}");
    }
    assert_eq!(up.len(), 3, "{up:?}");
    let cycles = krate.cycles();
    assert!(
        cycles.iter().any(|c| c.contains("output::x -> output::y")),
        "{cycles:?}"
    );
    assert_eq!(
        expand_tree("", "a::{b,c::{d,self},e as f}"),
        ["a::b", "a::c::d", "a::c", "a::e"]
    );
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
        // A comment says why in the project's terms; a tracker's numbering means nothing here.
        let lower = text.to_ascii_lowercase();
        let numbered = lower
            .match_indices("issue ")
            .any(|(i, _)| lower[i + 6..].starts_with(|c: char| c.is_ascii_digit() || c == '#'));
        assert!(!numbered, "{} cites an issue number", f.display());
        let lines = text.lines().count();
        let is_tests = f.file_name().is_some_and(|n| n == "tests.rs");
        assert!(
            is_tests || lines <= MAX_LINES,
            "{} has {lines} lines (at most {MAX_LINES}; move tests to a sibling tests.rs)",
            f.display()
        );
    }
}
