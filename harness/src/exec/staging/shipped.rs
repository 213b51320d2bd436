//! The files staging writes: the app's copy, its master line, a module launcher, and the
//! py-files shipped to executors (package directories zipped, as `--py-files` wants them).

use std::path::Path;
use std::process::Command;

use super::Staged;
use crate::config::manifest::AppSpec;
use crate::error::{Error, Result};

/// Rewrites the `key = …` line of `path` to `key = master_url` (the first such line).
pub(super) fn render_master(path: &Path, key: &str, master_url: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::setup(format!(
            "{}: {e}: the app's manifest names it as its master file",
            path.display()
        ))
    })?;
    let mut found = false;
    let rendered: String = text
        .lines()
        .map(|l| {
            let is_key = l.split_once('=').is_some_and(|(k, _)| k.trim() == key);
            if is_key && !found {
                found = true;
                format!("{key} = {master_url}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    if !found {
        let msg = format!(
            "{}: no `{key} = …` line to put the master URL in",
            path.display()
        );
        return Err(Error::setup(msg));
    }
    std::fs::write(path, rendered)?;
    Ok(())
}

/// A script that runs `module` as `__main__`, as `python -m` would, with the app directory
/// (the script's own) first on `sys.path`.
pub(super) fn write_launcher(path: &Path, module: &str) -> Result<()> {
    let text = format!(
        "# Written by sparkmodes: runs the app's entry module as `python -m {module}` would.\n\
         import runpy\n\
         runpy.run_module({module:?}, run_name=\"__main__\", alter_sys=True)\n"
    );
    std::fs::write(path, text)?;
    Ok(())
}

/// Copies each py-file into `<root>/pyfiles/` (a directory as `<name>.zip`, holding the
/// directory itself, so `import <name>` works from it); returns their paths relative to the
/// run directory.
pub(super) fn ship_py_files(spec: &AppSpec, staged: &Staged, python: &Path) -> Result<Vec<String>> {
    if spec.py_files.is_empty() {
        return Ok(Vec::new());
    }
    let out = staged.root.join("pyfiles");
    std::fs::create_dir_all(&out)?;
    let mut shipped = Vec::new();
    for rel in &spec.py_files {
        let source = staged.app.join(rel);
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| rel.clone());
        let file = if source.is_dir() {
            let zip = format!("{name}.zip");
            zip_dir(python, &source, &out.join(&zip))?;
            zip
        } else {
            std::fs::copy(&source, out.join(&name))?;
            name
        };
        shipped.push(format!("pyfiles/{file}"));
    }
    Ok(shipped)
}

/// `python -m zipfile -c out.zip <dir>`: entries named `<dir name>/…`, bytecode caches left out
/// (the copy has none: `copy_dir` skips them).
fn zip_dir(python: &Path, dir: &Path, zip: &Path) -> Result<()> {
    let parent = dir.parent().unwrap_or(dir);
    let name = dir.file_name().unwrap_or_default();
    let out = Command::new(python)
        .args(["-m", "zipfile", "-c"])
        .arg(zip)
        .arg(name)
        .current_dir(parent)
        .output()
        .map_err(|e| Error::setup(format!("cannot start {}: {e}", python.display())))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::setup(format!(
        "zipping {} for --py-files failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

/// Copies the app folder (checked whole by `config::manifest`'s app tree when the manifest was
/// loaded: links resolve to files inside it, no FIFOs); a link is copied as the file it names.
pub(super) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)
        .map_err(|e| Error::setup(format!("cannot read app directory {}: {e}", from.display())))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if crate::config::manifest::SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
