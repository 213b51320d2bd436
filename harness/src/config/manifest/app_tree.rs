//! The app folder as what it resolves to, not as its names read: staging copies the whole
//! folder for every run (into driver containers, zipped `py_files` onto the executors), so a
//! symlink that leaves it (`secret -> /etc/shadow`, `lib -> /`) would ship a file of the driver
//! host to a shared cluster, and a FIFO would hang the copy. Every path a manifest names, and
//! every entry of the folder, is checked here once, when the manifest is loaded (before
//! anything is created); nothing outside the folder can then be staged.

use std::path::{Path, PathBuf};

/// Entries an app folder may hold: an app, not a home directory (`--app ~` would copy it all
/// for every run).
pub const MAX_ENTRIES: usize = 10_000;

/// Folders staging leaves out (Python's byte-code caches).
pub const SKIPPED: &[&str] = &["__pycache__"];

/// `rel` inside `dir`, resolved: it exists, and neither it nor any link on the way leaves `dir`.
pub fn resolve_inside(dir: &Path, rel: &str) -> Result<PathBuf, String> {
    let full = dir.join(rel);
    let root = dir
        .canonicalize()
        .map_err(|e| format!("cannot open the app directory {}: {e}", dir.display()))?;
    let real = match full.canonicalize() {
        Ok(p) => p,
        Err(_) if std::fs::symlink_metadata(&full).is_ok() => {
            return Err(format!("{} is a link to nothing", full.display()))
        }
        Err(_) => return Err(format!("{} does not exist", full.display())),
    };
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(format!(
            "{} resolves to {}, outside the app directory {}: only the app's own files are shipped to the cluster",
            full.display(),
            real.display(),
            root.display()
        ))
    }
}

/// Every entry staging would copy: regular files and folders, and links that resolve to a
/// regular file inside the folder; at most [`MAX_ENTRIES`].
pub fn check_tree(dir: &Path) -> Result<(), String> {
    let root = dir
        .canonicalize()
        .map_err(|e| format!("cannot open the app directory {}: {e}", dir.display()))?;
    let mut todo = vec![root.clone()];
    let mut seen = 0usize;
    while let Some(folder) = todo.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot list {}: {e}", folder.display()))?
                .path();
            if path
                .file_name()
                .is_some_and(|n| SKIPPED.iter().any(|s| n == *s))
            {
                continue;
            }
            seen += 1;
            if seen > MAX_ENTRIES {
                return Err(format!(
                    "{} holds more than {MAX_ENTRIES} files and folders: point --app at the app's own folder",
                    root.display()
                ));
            }
            if let Some(sub) = check_entry(&root, &path)? {
                todo.push(sub);
            }
        }
    }
    Ok(())
}

/// One entry: `Some(folder)` to descend into (a real folder, not a link to one: a link inside
/// the app is copied as what it points to, which is checked where it stands).
fn check_entry(root: &Path, path: &Path) -> Result<Option<PathBuf>, String> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let t = meta.file_type();
    if t.is_dir() {
        return Ok(Some(path.to_path_buf()));
    }
    if t.is_file() {
        return Ok(None);
    }
    if t.is_symlink() {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let real = resolve_inside(root, &rel.to_string_lossy())?;
        let target = std::fs::metadata(&real).map_err(|e| format!("{}: {e}", path.display()))?;
        if target.is_file() {
            return Ok(None);
        }
        if target.is_dir() {
            return Err(format!(
                "{} is a link to a folder, which staging would copy again and again if it loops: put the folder itself in the app directory",
                path.display()
            ));
        }
    }
    Err(format!(
        "{} is not a regular file or folder (a FIFO, socket or device cannot be staged): remove it from the app directory",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_link_out_of_the_folder_is_refused_wherever_it_stands() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("job.py"), "").unwrap();
        symlink("/etc/hostname", dir.path().join("pkg/leak.py")).unwrap();
        let e = resolve_inside(dir.path(), "pkg/leak.py").unwrap_err();
        assert!(e.contains("outside the app directory"), "{e}");
        let e = check_tree(dir.path()).unwrap_err();
        assert!(e.contains("leak.py") && e.contains("outside"), "{e}");
        std::fs::remove_file(dir.path().join("pkg/leak.py")).unwrap();
        symlink("../job.py", dir.path().join("pkg/inner.py")).unwrap();
        check_tree(dir.path()).unwrap();
        assert!(resolve_inside(dir.path(), "pkg/inner.py").is_ok());
        symlink(".", dir.path().join("pkg/loop")).unwrap();
        assert!(check_tree(dir.path())
            .unwrap_err()
            .contains("link to a folder"));
        std::fs::remove_file(dir.path().join("pkg/loop")).unwrap();
        symlink("/", dir.path().join("root")).unwrap();
        assert!(check_tree(dir.path()).unwrap_err().contains("outside"));
    }

    #[test]
    fn special_files_and_dangling_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        symlink("missing.py", dir.path().join("gone.py")).unwrap();
        assert!(resolve_inside(dir.path(), "gone.py")
            .unwrap_err()
            .contains("link to nothing"));
        std::fs::remove_file(dir.path().join("gone.py")).unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(check_tree(dir.path()).unwrap_err().contains("FIFO"));
    }
}
