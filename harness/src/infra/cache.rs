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

/// Whether the cache can hold what runs put there: a directory (or a path one can be made at)
/// this user can write in. A file, a FIFO or a read-only place is named with the variable
/// that chose it, before a run spends minutes building what it could not keep.
pub fn check() -> Result<PathBuf, String> {
    let dir = dir();
    let chosen_by = match (
        std::env::var_os("SPARKMODES_CACHE"),
        std::env::var_os("XDG_CACHE_HOME"),
    ) {
        (Some(_), _) => "SPARKMODES_CACHE",
        (None, Some(_)) => "XDG_CACHE_HOME",
        _ => "HOME",
    };
    let existing = dir
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(&dir)
        .to_path_buf();
    let meta = std::fs::metadata(&existing).map_err(|e| {
        format!(
            "cache directory {}: {e} (set by {chosen_by})",
            dir.display()
        )
    })?;
    if !meta.is_dir() {
        return Err(format!(
            "cache directory {}: {} is not a directory (set by {chosen_by}): point SPARKMODES_CACHE at a directory",
            dir.display(),
            existing.display()
        ));
    }
    if !writable(&existing) {
        return Err(format!(
            "cache directory {}: cannot write in {} (set by {chosen_by}): point SPARKMODES_CACHE at a writable directory",
            dir.display(),
            existing.display()
        ));
    }
    Ok(dir)
}

fn writable(dir: &std::path::Path) -> bool {
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).unwrap_or_default();
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}
