//! Staging the sample app for one run: a fresh copy with `data_source.ini` pointing at the
//! cluster, and a generated `SPARK_CONF_DIR`, so Spark settings never require editing the app.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The fixture app shipped with sparkmodes (see fixtures/app/).
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/app")
}

/// The Connect-ready variant of the sample app (see fixtures/app-connect/).
pub fn connect_fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/app-connect")
}

/// A staged copy of the app plus its Spark configuration.
#[derive(Debug, Clone)]
pub struct Staged {
    pub root: PathBuf,
    pub app: PathBuf,
    pub conf_dir: PathBuf,
    pub event_log_dir: PathBuf,
    pub result: PathBuf,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

/// Copies `source` into `<root>/app`, renders the master URL into its ini (under `ini_key`:
/// `master_url` for classic apps, `remote` for Connect ones), and writes
/// `<root>/conf/spark-defaults.conf` with `conf` plus the event log settings.
pub fn stage(
    source: &Path,
    root: &Path,
    (ini_key, master_url): (&str, &str),
    event_log_uri_dir: Option<&str>,
    conf: &BTreeMap<String, String>,
) -> Result<Staged> {
    let staged = Staged {
        app: root.join("app"),
        conf_dir: root.join("conf"),
        event_log_dir: root.join("eventlog"),
        result: root.join("result.csv"),
        stdout: root.join("stdout.txt"),
        stderr: root.join("stderr.txt"),
        root: root.to_path_buf(),
    };
    copy_dir(source, &staged.app)?;
    let ini = staged.app.join("data").join("data_source.ini");
    render_ini(&ini, ini_key, master_url)?;
    std::fs::create_dir_all(&staged.conf_dir)?;
    std::fs::create_dir_all(&staged.event_log_dir)?;
    let log_uri = match event_log_uri_dir {
        Some(dir) => format!("file://{dir}"),
        None => format!("file://{}", staged.event_log_dir.display()),
    };
    let mut all = conf.clone();
    all.insert("spark.eventLog.enabled".into(), "true".into());
    // Spark 4 rolls and zstd-compresses event logs by default; one plain file reads everywhere.
    all.insert("spark.eventLog.compress".into(), "false".into());
    all.insert("spark.eventLog.rolling.enabled".into(), "false".into());
    all.insert("spark.eventLog.dir".into(), log_uri);
    write_defaults(&staged.conf_dir.join("spark-defaults.conf"), &all)?;
    Ok(staged)
}

pub fn write_defaults(path: &Path, conf: &BTreeMap<String, String>) -> Result<()> {
    std::fs::write(path, crate::config::conf::to_properties(conf))?;
    Ok(())
}

fn render_ini(path: &Path, key: &str, master_url: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::setup(format!(
            "{}: {e}: the app must have data/data_source.ini",
            path.display()
        ))
    })?;
    let mut found = false;
    let rendered: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with(key) {
                found = true;
                format!("{key} = {master_url}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    if !found {
        return Err(Error::setup(format!(
            "{}: no `{key}` key under [spark]",
            path.display()
        )));
    }
    std::fs::write(path, rendered)?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)
        .map_err(|e| Error::setup(format!("cannot read app directory {}: {e}", from.display())))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if name == "__pycache__" {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_renders_master_and_conf() {
        let dir = tempfile::tempdir().unwrap();
        let mut conf = BTreeMap::new();
        conf.insert("spark.driver.memory".to_string(), "2g".to_string());
        let s = stage(
            &fixture_dir(),
            dir.path(),
            ("master_url", "spark://127.0.0.1:1234"),
            None,
            &conf,
        )
        .unwrap();
        let ini = std::fs::read_to_string(s.app.join("data/data_source.ini")).unwrap();
        assert!(ini.contains("master_url = spark://127.0.0.1:1234"), "{ini}");
        assert!(ini.contains("app_name = My PySpark App"));
        let defaults = std::fs::read_to_string(s.conf_dir.join("spark-defaults.conf")).unwrap();
        assert!(defaults.contains("spark.driver.memory 2g"));
        assert!(defaults.contains("spark.eventLog.enabled true"));
        assert!(s.app.join("project.py").is_file());
    }

    #[test]
    fn missing_app_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = stage(
            Path::new("/nonexistent/app"),
            dir.path(),
            ("master_url", "x"),
            None,
            &BTreeMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("/nonexistent/app"), "{e}");
    }
}
