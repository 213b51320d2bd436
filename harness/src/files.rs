//! The one door for files a user names or hands over (scenario files, manifests, run
//! directories, baselines, the step summary, every output written into a directory the user
//! chose). A name is text, but what it resolves to may be a FIFO (opening it blocks for ever),
//! `/dev/zero` (reading it never ends), a symlink to a file outside (writing through it clobbers
//! that file) or a directory. So: reads open without blocking, insist on a regular file and
//! stop at a byte limit; writes go to a fresh file beside the target and are renamed over it
//! (never through a link or into a FIFO); appends insist on a regular file. Every error names
//! the path and what is wrong with it.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What went wrong with one path, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub problem: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for FileError {}

fn error(path: &Path, problem: impl Into<String>) -> FileError {
    FileError {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// What a path that is not a regular file is, for the message.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_file() {
        "a regular file"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Reads a whole regular file of at most `limit` bytes as UTF-8 text. Opening never blocks
/// (a FIFO is refused, not waited on), and reading stops at the limit even when the size the
/// kernel reports is wrong (procfs, a file still growing).
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        error(path, format!("is not UTF-8 text (byte {at})"))
    })
}

/// [`read_text`] without the UTF-8 check.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| error(path, cannot("read", &e)))?;
    let meta = file
        .metadata()
        .map_err(|e| error(path, cannot("read", &e)))?;
    if !meta.is_file() {
        return Err(error(
            path,
            format!("is {}, not a regular file", kind_of(&meta)),
        ));
    }
    if meta.len() > limit {
        return Err(too_big(path, meta.len(), limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(path, cannot("read", &e)))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(path, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn too_big(path: &Path, len: u64, limit: u64) -> FileError {
    error(
        path,
        format!("holds {len} bytes or more, more than the {limit} this file may have"),
    )
}

fn cannot(what: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_string(),
        std::io::ErrorKind::PermissionDenied => format!("cannot {what} it: permission denied"),
        _ => format!("cannot {what} it: {e}"),
    }
}

/// Writes `bytes` as the file `path`: into a fresh file beside it, renamed over it, so a link or
/// FIFO that stood at `path` is replaced, never written through, and a reader never sees half a
/// file. The directory must exist.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), FileError> {
    write_mode(path, bytes, 0o644)
}

/// [`write`] with the file's permission bits (`0o600` for a file holding a secret).
pub fn write_mode(path: &Path, bytes: impl AsRef<[u8]>, mode: u32) -> Result<(), FileError> {
    let bytes = bytes.as_ref();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.is_dir() {
            return Err(error(path, "is a directory: cannot write a file there"));
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".sparkmodes-")
        .tempfile_in(dir)
        .map_err(|e| error(path, cannot("write", &e)))?;
    // A temp file is private (0600); an output is for reading (0644, as a plain create gives)
    // unless it holds a secret.
    let readable = std::fs::Permissions::from_mode(mode);
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .and_then(|()| tmp.as_file().set_permissions(readable))
        .map_err(|e| error(path, cannot("write", &e)))?;
    tmp.persist(path)
        .map_err(|e| error(path, cannot("write", &e.error)))?;
    Ok(())
}

/// Opens `path` for appending (created if missing), refusing anything but a regular file:
/// the GitHub step summary, a run's record files. Opening never blocks.
pub fn open_append(path: &Path) -> Result<File, FileError> {
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(error(
                path,
                format!("is {}, not a regular file to append to", kind_of(&meta)),
            ));
        }
    }
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| error(path, cannot("append to", &e)))?;
    let meta = file
        .metadata()
        .map_err(|e| error(path, cannot("append to", &e)))?;
    if !meta.is_file() {
        return Err(error(
            path,
            format!("is {}, not a regular file to append to", kind_of(&meta)),
        ));
    }
    Ok(file)
}

/// Creates `dir` (and its parents) for outputs, refusing a path that exists as something else.
pub fn create_dir(dir: &Path) -> Result<(), FileError> {
    std::fs::create_dir_all(dir).map_err(|e| match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => error(dir, format!("is {}, not a directory", kind_of(&meta))),
        _ => error(dir, cannot("create", &e)),
    })
}

/// Whether outputs can go to `dir` before any work is done: it is a directory, or the nearest
/// part of it that exists is one, and a directory can be made there (probed with an empty
/// directory, removed at once). Creates nothing that stays.
pub fn check_output_dir(dir: &Path) -> Result<(), FileError> {
    let existing = dir
        .ancestors()
        .map(|p| match p.as_os_str().is_empty() {
            true => Path::new("."),
            false => p,
        })
        .find(|p| std::fs::symlink_metadata(p).is_ok())
        .unwrap_or(Path::new("/"));
    let meta = std::fs::metadata(existing).map_err(|e| error(existing, cannot("open", &e)))?;
    if !meta.is_dir() {
        return Err(error(
            existing,
            format!("is {}, not a directory", kind_of(&meta)),
        ));
    }
    let probe = existing.join(format!(".sparkmodes-probe-{}", std::process::id()));
    match std::fs::create_dir(&probe) {
        Ok(()) => std::fs::remove_dir(&probe).map_err(|e| error(&probe, cannot("remove", &e))),
        // Left by an earlier process with our pid: the directory was writable then.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(error(
            existing,
            format!("cannot create a directory in it: {e}"),
        )),
    }
}

/// Whether `path` is a directory (following links), with the reason when it is not.
pub fn require_dir(path: &Path) -> Result<(), FileError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) => Err(error(
            path,
            format!("is {}, not a directory", kind_of(&meta)),
        )),
        Err(e) => Err(error(path, cannot("open", &e))),
    }
}

#[cfg(test)]
mod tests;
