//! Property tests at the doors every input enters through (README "Trust by construction"):
//! arbitrary bytes and file kinds for the records reader, arbitrary strings for names,
//! thresholds, seeds and app paths. Each door either accepts a value that keeps its promise or
//! refuses it with words; none panics or blocks. Case counts are proptest's 256 unless named.

use std::os::unix::fs::symlink;
use std::path::Path;

use proptest::prelude::*;

use sparkmodes::config::manifest::AppSpec;
use sparkmodes::config::{Name, Seed, Threshold};
use sparkmodes::measure::records_file;
use sparkmodes::output::run_set::RunSet;
use sparkmodes::RunRecord;

/// What can stand where a run directory's `runs.jsonl` should be.
#[derive(Debug, Clone)]
enum Kind {
    Bytes(Vec<u8>),
    Fifo,
    DevZero,
    Directory,
    Dangling,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..2048).prop_map(Kind::Bytes),
        4 => records_text().prop_map(|t| Kind::Bytes(t.into_bytes())),
        1 => Just(Kind::Fifo),
        1 => Just(Kind::DevZero),
        1 => Just(Kind::Directory),
        1 => Just(Kind::Dangling),
    ]
}

/// Real records, sometimes repeated, torn or spliced with junk.
fn records_text() -> impl Strategy<Value = String> {
    let line =
        (0u32..3, 0u32..3, any::<bool>(), -5.0f64..50.0).prop_map(|(rep, id, warm, wall)| {
            let r = RunRecord {
                rep,
                run_id: format!("r{id}"),
                warmup: warm,
                wall_s: wall,
                ..RunRecord::example()
            };
            serde_json::to_string(&r).unwrap()
        });
    (prop::collection::vec(line, 0..6), 0usize..40, any::<bool>()).prop_map(|(lines, cut, torn)| {
        let mut text = lines.join("\n") + "\n";
        if torn && !text.is_empty() {
            text.truncate(text.len().saturating_sub(cut));
        }
        text
    })
}

fn place(dir: &Path, k: &Kind) {
    let p = dir.join("runs.jsonl");
    match k {
        Kind::Bytes(b) => std::fs::write(&p, b).unwrap(),
        Kind::Fifo => {
            let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        }
        Kind::DevZero => symlink("/dev/zero", &p).unwrap(),
        Kind::Directory => std::fs::create_dir(&p).unwrap(),
        Kind::Dangling => symlink("nowhere", &p).unwrap(),
    }
}

proptest! {
    /// The records door answers at once, and what it accepts holds no run twice and no
    /// impossible number.
    #[test]
    fn the_records_door_never_panics_blocks_or_lets_a_bad_set_in(k in kind()) {
        let dir = tempfile::tempdir().unwrap();
        place(dir.path(), &k);
        match RunSet::open(dir.path()) {
            Ok(set) => {
                prop_assert!(matches!(k, Kind::Bytes(_)));
                prop_assert!(records_file::first_repeat(&set.records).is_none());
                prop_assert!(set.records.iter().all(|r| r.implausible().is_none()));
            }
            Err(e) => prop_assert!(e.contains("runs.jsonl") || e.contains(&dir.path().display().to_string()), "{e}"),
        }
    }

    /// A name is what every directory and file name may be, or a one-line refusal.
    #[test]
    fn names_are_plain_or_refused_in_one_line(s in any::<String>()) {
        match s.parse::<Name>() {
            Ok(n) => {
                prop_assert!(!n.as_str().is_empty() && n.as_str().len() <= Name::MAX);
                prop_assert!(!n.as_str().starts_with('.'));
                prop_assert!(n.as_str().chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
                prop_assert_eq!(n.as_str(), s.as_str());
            }
            Err(e) => prop_assert!(!e.contains('\n')),
        }
    }

    #[test]
    fn thresholds_are_fractions_or_refused(s in prop_oneof![any::<String>(), any::<f64>().prop_map(|f| f.to_string())]) {
        if let Ok(t) = s.parse::<Threshold>() {
            prop_assert!(t.get() > 0.0 && t.get() <= 1.0);
        }
    }

    #[test]
    fn seeds_are_what_numpy_takes_or_refused(v in any::<i128>()) {
        match Seed::from_number(v) {
            Ok(s) => prop_assert!(u64::try_from(v).is_ok_and(|v| v == s.get() && v <= u64::from(u32::MAX))),
            Err(e) => prop_assert!(e.contains("NumPy")),
        }
    }

    /// Whatever path a manifest names for its entry, the app loads only if it resolves to a
    /// file inside the folder.
    #[test]
    fn an_app_path_never_resolves_outside_its_folder(rel in "[a-z./]{0,12}") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("in")).unwrap();
        std::fs::write(dir.path().join("in/job.py"), "").unwrap();
        symlink("/etc/hostname", dir.path().join("out.py")).unwrap();
        let manifest = format!("name = \"p\"\nentry = {:?}\n", format!("{rel}.py"));
        std::fs::write(dir.path().join("sparkmodes-app.toml"), manifest).unwrap();
        if let Ok(spec) = AppSpec::load(dir.path()) {
            prop_assert!(false, "a folder holding a link out was accepted: {spec:?}");
        }
        std::fs::remove_file(dir.path().join("out.py")).unwrap();
        if AppSpec::load(dir.path()).is_ok() {
            let real = dir.path().join(format!("{rel}.py")).canonicalize().unwrap();
            prop_assert!(real.starts_with(dir.path().canonicalize().unwrap()));
        }
    }
}
