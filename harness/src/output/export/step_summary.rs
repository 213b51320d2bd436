//! The GitHub Actions job summary: when `GITHUB_STEP_SUMMARY` names a file, a run's
//! `summary.md` (or a comparison's Markdown) is appended to it, so the verdict shows on the
//! workflow run's page without opening an artifact.
//!
//! GitHub gives each step its own summary file and shows what the step appended; other
//! writers (earlier commands of the same step) may have written before us, so the file is
//! only ever appended to, never truncated. Our Markdown stays within what GitHub renders:
//! tables, lists, code spans, and `<details>`/`<summary>` as the only HTML.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The variable GitHub Actions sets to the step's summary file.
pub const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";

/// The summary file named by the environment; `None` when unset or empty (outside Actions).
pub fn target() -> Option<PathBuf> {
    std::env::var_os(GITHUB_STEP_SUMMARY)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Appends `markdown` to `target` as a block of its own (blank lines around it); does
/// nothing when `target` is `None`. Returns whether it wrote.
pub fn append(target: Option<&Path>, markdown: &str) -> anyhow::Result<bool> {
    let Some(path) = target else {
        return Ok(false);
    };
    // Through the file door: a FIFO or a directory is refused at once, never waited on.
    let mut file = crate::files::open_append(path)
        .with_context(|| "cannot open the step summary (GITHUB_STEP_SUMMARY)".to_string())?;
    // A blank line first when someone wrote before us, so our heading starts a new block.
    let earlier = file.metadata().map_or(0, |m| m.len());
    let mut text = if earlier > 0 { "\n" } else { "" }.to_string();
    text.push_str(markdown.trim_end());
    text.push_str("\n\n");
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot append to the step summary {}", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_never_truncates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary");
        std::fs::write(&path, "# earlier step output\n").unwrap();
        assert!(append(Some(&path), "## one\n").unwrap());
        assert!(append(Some(&path), "## two").unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "# earlier step output\n\n## one\n\n\n## two\n\n");
    }

    #[test]
    fn creates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new");
        assert!(append(Some(&path), "x").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n\n");
    }

    #[test]
    fn nothing_without_a_target() {
        assert!(!append(None, "## ignored").unwrap());
    }

    #[test]
    fn an_unwritable_target_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir").join("summary");
        let err = append(Some(&path), "x").unwrap_err();
        assert!(
            format!("{err:#}").contains(&path.display().to_string()),
            "{err:#}"
        );
    }
}
