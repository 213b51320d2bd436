//! One test per class of hostile input (README "Trust by construction"), on the real binary:
//! each names the door that closes the class and tries several members of it, not only the
//! one first reported. Every invocation has a deadline: a door that blocks fails the test
//! instead of hanging it.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use sparkmodes::{Mode, RunRecord, Status};

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary with a 30 s deadline (these commands need no Spark); killed past it.
fn sparkmodes(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut child = common::bin()
        .args(args)
        .envs(env.iter().copied())
        .env("CI", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sparkmodes {args:?} blocked for 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A run directory holding `records`, one JSON line each.
fn run_dir(root: &Path, name: &str, records: &[RunRecord]) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let text: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(dir.join("runs.jsonl"), text).unwrap();
    dir
}

/// Five measured direct runs of `wall` seconds each (and a warmup), run id `id`.
fn runs(id: &str, wall: f64) -> Vec<RunRecord> {
    (0..6)
        .map(|i| RunRecord {
            run_id: id.into(),
            rep: if i == 0 { 0 } else { i - 1 },
            warmup: i == 0,
            mode: Mode::Direct,
            wall_s: wall * (1.0 + 0.002 * f64::from(i)),
            ..RunRecord::example()
        })
        .collect()
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(s(p)).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

/// Class 1, door `Comparison::gap` over `RunRecord::is_measurement`: a baseline cell whose
/// candidate has no measured run (only warmups, only degraded runs) fails the gate.
#[test]
fn a_gate_never_passes_on_nothing() {
    let root = tempfile::tempdir().unwrap();
    let base = run_dir(root.path(), "base", &runs("b", 10.0));
    let warm: Vec<RunRecord> = runs("w", 10.0)
        .into_iter()
        .zip(0..)
        .map(|(r, rep)| RunRecord {
            warmup: true,
            rep,
            ..r
        })
        .collect();
    let degraded: Vec<RunRecord> = runs("d", 10.0)
        .into_iter()
        .map(|r| RunRecord {
            degraded: Some("worker lost".into()),
            ..r
        })
        .collect();
    for (name, cand) in [("warmups", warm), ("degraded", degraded)] {
        let dir = run_dir(root.path(), name, &cand);
        let o = sparkmodes(&["compare", s(&base), s(&dir)], &[]);
        assert_eq!(o.code, Some(3), "{name}: {}{}", o.stdout, o.stderr);
        assert!(
            o.stderr.contains("no measured run in the candidate"),
            "{}",
            o.stderr
        );
    }
}

/// The same class, a verdict too noisy to mean anything: with `--require-mde`, a comparison
/// whose runs could not have seen a change that small fails the gate (exit 3, naming the bound
/// and what the runs could see); without it, it passes as `no-change`/`inconclusive` saying so.
#[test]
fn a_gate_with_a_required_mde_fails_on_runs_too_noisy_to_see_it() {
    let root = tempfile::tempdir().unwrap();
    let noisy = |id: &str| -> Vec<RunRecord> {
        runs(id, 10.0)
            .into_iter()
            .zip([10.0, 8.0, 12.5, 9.0, 13.0, 7.5])
            .map(|(r, wall)| RunRecord { wall_s: wall, ..r })
            .collect()
    };
    let (b, c) = (
        run_dir(root.path(), "b", &noisy("b")),
        run_dir(root.path(), "c", &noisy("c")),
    );
    let o = sparkmodes(&["compare", s(&b), s(&c)], &[]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("could only have seen changes ≥"),
        "{}",
        o.stdout
    );
    let o = sparkmodes(&["compare", s(&b), s(&c), "--require-mde", "0.1"], &[]);
    assert_eq!(o.code, Some(3), "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("too noisy for --require-mde 10 %"),
        "{}",
        o.stderr
    );
    for bad in ["nan", "0", "1.5"] {
        let o = sparkmodes(&["compare", s(&b), s(&c), "--require-mde", bad], &[]);
        assert_eq!(o.code, Some(2), "{bad}: {}", o.stderr);
    }
}

/// Class 2, door `files::read_text` / `files::open_append`: every reader of a run directory and
/// the step summary answer at once for a FIFO, a link to /dev/zero, or a directory.
#[test]
fn readers_refuse_special_files_at_once() {
    let root = tempfile::tempdir().unwrap();
    let good = run_dir(root.path(), "good", &runs("g", 10.0));
    for (name, make) in [
        ("fifo", Box::new(|p: &Path| mkfifo(p)) as Box<dyn Fn(&Path)>),
        (
            "zero",
            Box::new(|p: &Path| std::os::unix::fs::symlink("/dev/zero", p).unwrap()),
        ),
        ("dir", Box::new(|p: &Path| std::fs::create_dir(p).unwrap())),
    ] {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        make(&dir.join("runs.jsonl"));
        let d = s(&dir);
        for args in [
            vec!["report", d],
            vec!["compare", s(&good), d],
            vec![
                "history",
                s(&good),
                d,
                "--output",
                s(&root.path().join("h")),
            ],
            vec![
                "baseline",
                "save",
                "x",
                d,
                "--baselines",
                s(&root.path().join("b")),
            ],
        ] {
            let o = sparkmodes(&args, &[]);
            assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
            assert!(o.stderr.contains("runs.jsonl"), "{args:?}: {}", o.stderr);
        }
    }
    let summary = root.path().join("summary-fifo");
    mkfifo(&summary);
    let cand = run_dir(root.path(), "cand", &runs("c", 10.0));
    let o = sparkmodes(
        &["compare", s(&good), s(&cand)],
        &[("GITHUB_STEP_SUMMARY", s(&summary))],
    );
    assert_eq!(o.code, Some(5), "{}", o.stderr);
    assert!(o.stderr.contains("a FIFO"), "{}", o.stderr);
}

/// Class 3, door `error::after_outputs`: a verdict is printed before its files are written, and
/// a file that cannot be written is exit 5 naming the verdict, in every command that writes.
#[test]
fn an_output_failure_never_rewrites_the_verdict() {
    let root = tempfile::tempdir().unwrap();
    let base = run_dir(root.path(), "base", &runs("b", 10.0));
    let slow = run_dir(root.path(), "slow", &runs("s", 20.0));
    std::fs::create_dir(slow.join("compare.md")).unwrap();
    let o = sparkmodes(&["compare", s(&base), s(&slow)], &[]);
    assert_eq!(o.code, Some(5), "{}", o.stderr);
    assert!(
        o.stdout.contains("slower"),
        "the verdict is printed: {}",
        o.stdout
    );
    assert!(o.stderr.contains("slower, exit 4"), "{}", o.stderr);
    let out = root.path().join("hist");
    std::fs::create_dir_all(out.join("history.md")).unwrap();
    let o = sparkmodes(&["history", s(&base), s(&slow), "--output", s(&out)], &[]);
    assert_eq!(o.code, Some(5), "{}", o.stderr);
    assert!(
        !o.stderr.contains("records kept"),
        "a message about runs: {}",
        o.stderr
    );
    assert!(o.stdout.contains("slower"), "{}", o.stdout);
    std::fs::create_dir(base.join("report.html")).unwrap();
    let o = sparkmodes(&["report", s(&base)], &[]);
    assert_eq!(o.code, Some(5), "{}", o.stderr);
}

/// Class 4, doors `Threshold` and `Seed`: every command that takes a threshold refuses the same
/// values, and a seed NumPy cannot take is refused at load.
#[test]
fn numbers_are_checked_alike_in_every_command() {
    let root = tempfile::tempdir().unwrap();
    let a = run_dir(root.path(), "a", &runs("a", 10.0));
    let b = run_dir(root.path(), "b", &runs("b", 20.0));
    for bad in ["nan", "inf", "5", "-1", "0", "1e400"] {
        let flag = format!("--threshold={bad}");
        for args in [
            vec!["compare", s(&a), s(&b), &flag],
            vec!["history", s(&a), s(&b), &flag],
            vec!["run", "smoke", &flag],
        ] {
            let o = sparkmodes(&args, &[]);
            assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
            assert!(o.stderr.contains("at most 1"), "{args:?}: {}", o.stderr);
        }
    }
    let scenario = root.path().join("s.toml");
    std::fs::write(&scenario, "name = \"s\"\nspark_versions = [\"3.5.9\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [10]\nrepetitions = 1\nseed = 4294967296\n").unwrap();
    let o = sparkmodes(
        &["run", s(&scenario), "--output", s(&root.path().join("o"))],
        &[],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("seed") && o.stderr.contains("NumPy"),
        "{}",
        o.stderr
    );
}

/// Class 5, door `config::manifest::app_tree`: a path that resolves out of the app folder —
/// entry, py_files, or any file staging would copy — is refused before anything is created.
#[test]
fn nothing_outside_an_app_folder_is_ever_staged() {
    let root = tempfile::tempdir().unwrap();
    let scenario = root.path().join("s.toml");
    std::fs::write(&scenario, "name = \"s\"\nspark_versions = [\"3.5.9\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [10]\nrepetitions = 1\n").unwrap();
    let cases: [(&str, &str); 3] = [
        ("entry", "name = \"a\"\nentry = \"job.py\"\n"),
        (
            "py_files",
            "name = \"a\"\nentry = \"main.py\"\npy_files = [\"job.py\"]\n",
        ),
        ("tree", "name = \"a\"\nentry = \"main.py\"\n"),
    ];
    for (what, manifest) in cases {
        let app = root.path().join(format!("app-{what}"));
        std::fs::create_dir_all(app.join("lib")).unwrap();
        std::fs::write(app.join("main.py"), "").unwrap();
        std::fs::write(app.join("sparkmodes-app.toml"), manifest).unwrap();
        let link = if what == "tree" {
            app.join("lib/secret")
        } else {
            app.join("job.py")
        };
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        let out = root.path().join(format!("out-{what}"));
        let o = sparkmodes(
            &["run", s(&scenario), "--app", s(&app), "--output", s(&out)],
            &[],
        );
        assert_eq!(o.code, Some(2), "{what}: {}", o.stderr);
        assert!(
            o.stderr.contains("outside the app directory"),
            "{what}: {}",
            o.stderr
        );
        assert!(!out.exists(), "{what}: the run directory was created");
    }
}

/// Class 6, door `config::Name`: run ids, resumed ids and baseline names are plain names.
#[test]
fn identifiers_are_plain_names_everywhere() {
    let root = tempfile::tempdir().unwrap();
    let dir = run_dir(root.path(), "r", &runs("r", 10.0));
    for bad in ["a\nb", "a\u{1b}[31m", "../x", ".hidden", "a/b", ""] {
        for args in [
            vec!["run", "smoke", "--run-id", bad],
            vec!["run", "smoke", "--resume", bad],
            vec![
                "baseline",
                "save",
                bad,
                s(&dir),
                "--baselines",
                s(&root.path().join("b")),
            ],
            vec!["baseline", "show", bad],
        ] {
            let o = sparkmodes(&args, &[]);
            assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
            assert_eq!(
                o.stderr.lines().count(),
                1,
                "{args:?}: one line: {}",
                o.stderr
            );
            assert!(
                o.stderr.contains("letters, digits"),
                "{args:?}: {}",
                o.stderr
            );
        }
    }
}

/// Class 7, doors `records_file` and `run_set`: the same runs are counted once (a repeated
/// record refused, one directory given twice refused), a torn line said, a baseline not
/// silently replaced.
#[test]
fn records_are_not_taken_at_face_value() {
    let root = tempfile::tempdir().unwrap();
    let mut twice = runs("t", 10.0);
    twice.push(twice[2].clone());
    let dup = run_dir(root.path(), "dup", &twice);
    for args in [
        vec!["report", s(&dup)],
        vec!["baseline", "save", "d", s(&dup)],
    ] {
        let o = sparkmodes(&args, &[]);
        assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("repeats the run of line"), "{}", o.stderr);
    }
    let a = run_dir(root.path(), "a", &runs("a", 10.0));
    let b = run_dir(root.path(), "b", &runs("b", 10.0));
    let hist = root.path().join("h");
    for args in [
        vec!["history", s(&a), s(&b), s(&a), "--output", s(&hist)],
        vec!["compare", s(&a), s(&a)],
    ] {
        let o = sparkmodes(&args, &[]);
        assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("hold the same runs"), "{}", o.stderr);
    }
    let mut text = std::fs::read_to_string(a.join("runs.jsonl")).unwrap();
    text.push_str("{\"run_id\":\"a\",\"sce");
    std::fs::write(a.join("runs.jsonl"), text).unwrap();
    let o = sparkmodes(&["report", s(&a)], &[]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr.contains("the last line is torn"),
        "said: {}",
        o.stderr
    );
    let bl = root.path().join("bl");
    let save = |dir: &Path, extra: &[&str]| {
        let mut args = vec!["baseline", "save", "main", s(dir), "--baselines", s(&bl)];
        args.extend(extra);
        sparkmodes(&args, &[])
    };
    assert_eq!(save(&a, &[]).code, Some(0));
    let o = save(&b, &[]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("--replace"), "{}", o.stderr);
    assert_eq!(save(&b, &["--replace"]).code, Some(0));
}

/// Class 8: each refusal blames what is wrong — the scenario's own `name`, the Docker daemon,
/// the cache directory, a run id that names a file.
#[test]
fn messages_blame_the_right_thing() {
    let root = tempfile::tempdir().unwrap();
    let scenario = root.path().join("long.toml");
    let name = "n".repeat(200);
    std::fs::write(&scenario, format!("name = \"{name}\"\nspark_versions = [\"3.5.9\"]\nmodes = [\"direct\"]\narrow = [true]\nelements = [10]\nrepetitions = 1\n")).unwrap();
    let o = sparkmodes(&["run", s(&scenario)], &[]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("key `name`") && !o.stderr.contains("--run-id"),
        "{}",
        o.stderr
    );
    let o = sparkmodes(
        &["images", "build", "--base-image", "no-such-image:1"],
        &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.to_lowercase().contains("daemon"), "{}", o.stderr);
    let cache = root.path().join("cache-file");
    std::fs::write(&cache, "").unwrap();
    let o = sparkmodes(&["doctor"], &[("SPARKMODES_CACHE", s(&cache))]);
    assert_eq!(o.code, Some(2), "{}", o.stdout);
    assert!(
        o.stdout.lines().any(|l| l.starts_with("problem cache")),
        "{}",
        o.stdout
    );
    let out = root.path().join("reports");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("taken"), "").unwrap();
    let o = sparkmodes(
        &["run", "smoke", "--output", s(&out), "--run-id", "taken"],
        &[],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("not a run directory") && !o.stderr.contains("--resume"),
        "{}",
        o.stderr
    );
    let _ = Status::Ok;
}
