//! Validation of a raw app manifest against the directory it describes: every refusal names
//! the manifest, line and key, and what to write instead.

use std::path::{Component, Path};

use super::app_tree;
use super::fields::{RawApp, RawCheck, RawMaster};
use super::template::{self, PLACEHOLDERS};
use super::{AppSpec, Builtin, Check, Dataset, Entry, Expected, Format, MasterFile};
use crate::config::scenario::document::Document;
use crate::config::{Mode, Name};
use crate::Result;

/// Modes an app runs in when its manifest lists none: the default scenario's.
pub const DEFAULT_MODES: [Mode; 4] = [
    Mode::Direct,
    Mode::Containerized,
    Mode::Submit,
    Mode::ClusterRefusal,
];

/// Packages the Spark line pins on both sides; an app cannot move them (the image and the
/// host venv would disagree with the line's tested stack).
const LINE_PINNED: [&str; 4] = ["pyspark", "numpy", "pandas", "pyarrow"];

/// Default relative tolerance for numbers in an expected-output file.
pub const DEFAULT_TOLERANCE: f64 = 1e-9;

impl RawApp {
    pub(super) fn validate(self, doc: &Document, dir: &Path) -> Result<AppSpec> {
        check_name(doc, &self.name)?;
        let entry = check_entry(doc, dir, self.entry, self.module)?;
        for (i, f) in self.py_files.iter().enumerate() {
            check_existing(doc, dir, &format!("py_files[{i}]"), f)?;
        }
        check_templates(doc, "args", &self.args, self.size_knob)?;
        check_packages(doc, &self.packages)?;
        let modes = check_modes(doc, self.modes)?;
        check_result(doc, &self.result)?;
        let master_file = self.master.map(|m| check_master(doc, dir, m)).transpose()?;
        let data = check_data(doc, self.data, self.size_knob)?;
        let check = match self.check {
            None => Check::None,
            Some(c) => check_check(doc, dir, c, self.size_knob)?,
        };
        check_builtin_fits(doc, &check, data)?;
        Ok(AppSpec {
            name: self.name,
            description: self.description,
            dir: dir.to_path_buf(),
            origin: doc.origin.clone(),
            entry,
            py_files: self.py_files,
            args: self.args,
            packages: self.packages,
            modes,
            size_knob: self.size_knob,
            result: self.result,
            master_file,
            data,
            check,
        })
    }
}

/// An app's name is a [`Name`], like every name that may become part of a path.
fn check_name(doc: &Document, name: &str) -> Result<()> {
    name.parse::<Name>()
        .map(|_| ())
        .map_err(|m| doc.error("name", m))
}

fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Exactly one of `entry` (a script) and `module`, and it must exist in the app directory.
fn check_entry(
    doc: &Document,
    dir: &Path,
    entry: Option<String>,
    module: Option<String>,
) -> Result<Entry> {
    match (entry, module) {
        (Some(script), None) => {
            if !script.ends_with(".py") {
                let msg =
                    format!("must be a `.py` script, got {script:?} (for a package use `module`)");
                return Err(doc.error("entry", msg));
            }
            check_existing(doc, dir, "entry", &script)?;
            Ok(Entry::Script(script))
        }
        (None, Some(module)) => check_module(doc, dir, module),
        (Some(_), Some(_)) => Err(doc.error(
            "module",
            "give `entry` (a script) or `module`, not both".to_string(),
        )),
        (None, None) => Err(doc.error(
            "name",
            "the app needs an entry point: `entry = \"job.py\"` or `module = \"package.main\"`"
                .to_string(),
        )),
    }
}

/// `a.b` must be `a/b.py` or a package `a/b/` with a `__main__.py`, as `python -m` needs.
fn check_module(doc: &Document, dir: &Path, module: String) -> Result<Entry> {
    let parts: Vec<&str> = module.split('.').collect();
    let identifiers = parts.iter().all(|p| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if !identifiers {
        let msg = format!("must be a dotted Python module name like `orders.job`, got {module:?}");
        return Err(doc.error("module", msg));
    }
    let path = parts.join("/");
    let found =
        dir.join(format!("{path}.py")).is_file() || dir.join(&path).join("__main__.py").is_file();
    if found {
        return Ok(Entry::Module(module));
    }
    let msg = format!(
        "neither {path}.py nor {path}/__main__.py exists in {}",
        dir.display()
    );
    Err(doc.error("module", msg))
}

/// A path inside the app directory (no absolute paths, no `..`) that exists and resolves
/// inside it (`app_tree`): a symlink out of the folder is refused like `../x`.
fn check_existing(doc: &Document, dir: &Path, key: &str, rel: &str) -> Result<()> {
    let inside = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        let msg = format!("must be a path inside the app directory, got {rel:?}");
        return Err(doc.error(key, msg));
    }
    app_tree::resolve_inside(dir, rel)
        .map(|_| ())
        .map_err(|msg| doc.error(key, msg))
}

/// Placeholders must be known; `{elements}` only for an app that declares its size knob.
fn check_templates(doc: &Document, key: &str, items: &[String], sized: bool) -> Result<()> {
    for (i, item) in items.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let names = template::names(item).map_err(|e| doc.error(&at, e))?;
        for name in names {
            if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
                let known: Vec<String> = PLACEHOLDERS
                    .iter()
                    .map(|(p, _)| format!("{{{p}}}"))
                    .collect();
                let msg = format!(
                    "unknown placeholder `{{{name}}}`: known are {}",
                    known.join(", ")
                );
                return Err(doc.error(&at, msg));
            }
            if name == "elements" && !sized {
                let msg = "uses `{elements}`, so the app has a size knob: add `size_knob = true`";
                return Err(doc.error(&at, msg.to_string()));
            }
        }
    }
    Ok(())
}

/// Each package pinned exactly (`name==version`), once, and none the Spark line pins.
fn check_packages(doc: &Document, packages: &[String]) -> Result<()> {
    let mut seen: Vec<String> = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        let key = format!("packages[{i}]");
        let name = pinned_name(p).ok_or_else(|| {
            doc.error(&key, format!("must be pinned as `name==version` (e.g. \"mmh3==5.2.0\"), got {p:?}: both sides get exactly this version"))
        })?;
        if LINE_PINNED.contains(&name.as_str()) {
            let msg = format!("`{name}` is pinned by the Spark line (see README's table); an app cannot change it");
            return Err(doc.error(&key, msg));
        }
        if seen.contains(&name) {
            return Err(doc.error(&key, format!("`{name}` is listed twice")));
        }
        seen.push(name);
    }
    Ok(())
}

/// The normalised project name of `name==version` (PEP 503: lower case, `-` for `_`/`.`).
fn pinned_name(p: &str) -> Option<String> {
    let (name, version) = p.split_once("==")?;
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let version_ok = !version.is_empty()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '-'));
    (name_ok && version_ok).then(|| name.to_ascii_lowercase().replace(['_', '.'], "-"))
}

fn check_modes(doc: &Document, names: Option<Vec<String>>) -> Result<Vec<Mode>> {
    let Some(names) = names else {
        return Ok(DEFAULT_MODES.to_vec());
    };
    if names.is_empty() {
        return Err(doc.error("modes", "must list at least one mode".to_string()));
    }
    let mut modes = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let key = format!("modes[{i}]");
        let mode = name.parse::<Mode>().map_err(|m| doc.error(&key, m))?;
        if modes.contains(&mode) {
            return Err(doc.error(&key, format!("duplicate mode `{mode}`")));
        }
        modes.push(mode);
    }
    Ok(modes)
}

fn check_result(doc: &Document, result: &str) -> Result<()> {
    if is_plain_name(result) {
        return Ok(());
    }
    let msg = format!(
        "must be a plain file name (the harness puts it in the run directory), got {result:?}"
    );
    Err(doc.error("result", msg))
}

/// The file exists and holds a `key = …` line for the harness to rewrite.
fn check_master(doc: &Document, dir: &Path, m: RawMaster) -> Result<MasterFile> {
    check_existing(doc, dir, "master.file", &m.file)?;
    let text = std::fs::read_to_string(dir.join(&m.file))
        .map_err(|e| doc.error("master.file", format!("cannot read it: {e}")))?;
    let has_key = text
        .lines()
        .any(|l| l.split_once('=').is_some_and(|(k, _)| k.trim() == m.key));
    if m.key.trim().is_empty() || !has_key {
        let msg = format!(
            "{} has no `{} = …` line to put the master URL in",
            m.file, m.key
        );
        return Err(doc.error("master.key", msg));
    }
    Ok(MasterFile {
        file: m.file,
        key: m.key,
    })
}

/// Exactly one judge; its options only where they mean something.
fn check_check(doc: &Document, dir: &Path, c: RawCheck, sized: bool) -> Result<Check> {
    let given = [
        c.builtin.is_some(),
        c.command.is_some(),
        c.expected.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        let msg = "give exactly one of `builtin`, `command` or `expected` (or leave [check] out: correctness is then unknown)";
        return Err(doc.error("check", msg.to_string()));
    }
    if c.expected.is_none() {
        for (key, set) in [
            ("tolerance", c.tolerance.is_some()),
            ("ordered", c.ordered.is_some()),
        ] {
            if set {
                let msg = "only applies to `expected`".to_string();
                return Err(doc.error(&format!("check.{key}"), msg));
            }
        }
    }
    if let Some(b) = c.builtin {
        return check_builtin(doc, &b, sized);
    }
    if let Some(cmd) = c.command {
        return check_command(doc, cmd, sized);
    }
    let file = c.expected.expect("one of three");
    check_expected(doc, dir, file, c.tolerance, c.ordered)
}

fn check_builtin(doc: &Document, name: &str, sized: bool) -> Result<Check> {
    let builtin = match name {
        "squares" => Builtin::Squares,
        "tpch" => Builtin::Tpch,
        _ => {
            let msg = format!(
                "unknown built-in check `{name}`: the built-ins are `squares` (the sample app's oracle) and `tpch` (DuckDB's answers)"
            );
            return Err(doc.error("check.builtin", msg));
        }
    };
    if !sized {
        let msg = format!(
            "`{name}` checks the run at its size (elements, or a TPC-H scale factor): add `size_knob = true`"
        );
        return Err(doc.error("check.builtin", msg));
    }
    Ok(Check::Builtin(builtin))
}

/// `data = "tpch"`: the harness makes TPC-H data at the scenario's size (a scale factor in
/// thousandths) and mounts it everywhere; the app reads `{data}` / `SPARKMODES_DATA`.
fn check_data(doc: &Document, data: Option<String>, sized: bool) -> Result<Option<Dataset>> {
    match data.as_deref() {
        None => Ok(None),
        Some("tpch") if sized => Ok(Some(Dataset::Tpch)),
        Some("tpch") => Err(doc.error(
            "data",
            "TPC-H data is made at the scenario's size (its scale factor in thousandths): add `size_knob = true`".to_string(),
        )),
        Some(other) => Err(doc.error(
            "data",
            format!("unknown dataset `{other}`: the only one is `tpch`"),
        )),
    }
}

/// `builtin = "tpch"` judges against the answers made with the data: it needs `data = "tpch"`.
fn check_builtin_fits(doc: &Document, check: &Check, data: Option<Dataset>) -> Result<()> {
    match (check, data) {
        (Check::Builtin(Builtin::Tpch), None) => Err(doc.error(
            "check.builtin",
            "`tpch` compares with the answers made with the TPC-H data: add `data = \"tpch\"`"
                .to_string(),
        )),
        _ => Ok(()),
    }
}

fn check_command(doc: &Document, cmd: Vec<String>, sized: bool) -> Result<Check> {
    if cmd.first().is_none_or(|p| p.trim().is_empty()) {
        let msg = "must name a program, e.g. [\"python\", \"check.py\", \"{result}\"]";
        return Err(doc.error("check.command", msg.to_string()));
    }
    check_templates(doc, "check.command", &cmd, sized)?;
    Ok(Check::Command(cmd))
}

fn check_expected(
    doc: &Document,
    dir: &Path,
    file: String,
    tolerance: Option<f64>,
    ordered: Option<bool>,
) -> Result<Check> {
    check_existing(doc, dir, "check.expected", &file)?;
    let format = Format::from_path(&file).ok_or_else(|| {
        let msg = format!(
            "{file:?}: the format comes from the extension: .csv, .jsonl (JSON lines) or .parquet"
        );
        doc.error("check.expected", msg)
    })?;
    let tolerance = tolerance.unwrap_or(DEFAULT_TOLERANCE);
    if !(tolerance.is_finite() && (0.0..1.0).contains(&tolerance)) {
        let msg =
            format!("must be a relative tolerance from 0 up to (not including) 1, got {tolerance}");
        return Err(doc.error("check.tolerance", msg));
    }
    Ok(Check::Expected(Expected {
        file,
        format,
        tolerance,
        ordered: ordered.unwrap_or(false),
    }))
}
