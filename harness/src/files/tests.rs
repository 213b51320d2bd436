//! The file door against what a name can resolve to: FIFOs, devices, links, directories.

use super::*;

fn fifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[test]
fn a_fifo_is_refused_at_once_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("runs.jsonl");
    fifo(&p);
    let e = read_text(&p, 1 << 20).unwrap_err();
    assert!(e.problem.contains("a FIFO"), "{e}");
    let e = open_append(&p).unwrap_err();
    assert!(e.problem.contains("a FIFO"), "{e}");
}

#[test]
fn a_link_to_dev_zero_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("runs.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
    let e = read_bytes(&p, 1 << 20).unwrap_err();
    assert!(e.problem.contains("a device"), "{e}");
}

#[test]
fn reading_stops_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big");
    std::fs::write(&p, vec![b'x'; 1001]).unwrap();
    let e = read_bytes(&p, 1000).unwrap_err();
    assert!(e.problem.contains("more than the 1000"), "{e}");
    assert_eq!(read_bytes(&p, 1001).unwrap().len(), 1001);
    let e = read_text(&dir.path().join("missing"), 10).unwrap_err();
    assert_eq!(e.problem, "does not exist");
    let e = read_text(dir.path(), 10).unwrap_err();
    assert!(e.problem.contains("a directory"), "{e}");
}

#[test]
fn a_write_replaces_a_link_or_fifo_and_never_writes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    let link = dir.path().join("report.html");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    write(&link, b"report").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "report");
    assert!(!std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let f = dir.path().join("compare.md");
    fifo(&f);
    write(&f, b"md").unwrap();
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "md");
    let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    let e = write(dir.path(), b"x").unwrap_err();
    assert!(e.problem.contains("is a directory"), "{e}");
}

#[test]
fn directories_are_made_or_refused_by_what_stands_there() {
    let dir = tempfile::tempdir().unwrap();
    create_dir(&dir.path().join("a/b")).unwrap();
    require_dir(&dir.path().join("a/b")).unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "").unwrap();
    let e = create_dir(&file).unwrap_err();
    assert!(e.problem.contains("not a directory"), "{e}");
    let e = require_dir(&file).unwrap_err();
    assert!(e.problem.contains("not a directory"), "{e}");
}
