//! Where heavy, reusable things live between runs: host venvs and image build logs.

use std::path::PathBuf;

/// `$SPARKMODES_CACHE`, else `$XDG_CACHE_HOME/sparkmodes`, else `~/.cache/sparkmodes`.
pub fn dir() -> PathBuf {
    if let Some(p) = std::env::var_os("SPARKMODES_CACHE") {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(p).join("sparkmodes");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("sparkmodes")
}
