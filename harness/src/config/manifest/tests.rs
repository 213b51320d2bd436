//! Manifest loading and validation tests: the shipped apps load, every mistake names its
//! line and key.

use super::*;

fn fixtures(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
}

/// A scratch app directory with a script, a package, an ini and an expected file.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("job.py"), "print('hi')\n").unwrap();
    std::fs::create_dir_all(p.join("pkg")).unwrap();
    std::fs::write(p.join("pkg/main.py"), "").unwrap();
    std::fs::write(p.join("app.ini"), "[spark]\nmaster = local\n").unwrap();
    std::fs::write(p.join("expected.csv"), "a\n1\n").unwrap();
    dir
}

const MINIMAL: &str = "name = \"t\"\nentry = \"job.py\"\n";

fn load(text: &str) -> Result<AppSpec> {
    let dir = scratch();
    AppSpec::from_str(text, dir.path(), "m.toml")
}

fn err(text: &str) -> String {
    match load(text) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shipped_apps_load() {
    let sample = AppSpec::load(&fixtures("app")).unwrap();
    assert_eq!(sample.name, "sample");
    assert_eq!(sample.check, Check::Builtin(Builtin::Squares));
    assert!(sample.modes.contains(&Mode::PythonMismatch) && sample.size_knob);
    let connect = AppSpec::load(&fixtures("app-connect")).unwrap();
    assert_eq!(connect.master_file.unwrap().key, "remote");
    let orders = AppSpec::load(&fixtures("app-orders")).unwrap();
    assert_eq!(orders.entry, Entry::Module("orders.job".into()));
    assert_eq!(orders.packages, ["mmh3==5.2.0"]);
    assert!(matches!(orders.check, Check::Command(_)));
}

#[test]
fn a_directory_in_the_sample_layout_without_a_manifest_is_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("project.py"), "").unwrap();
    std::fs::write(dir.path().join(SAMPLE_INI), "master_url = x\n").unwrap();
    let spec = AppSpec::load(dir.path()).unwrap();
    assert_eq!(spec.check, Check::Builtin(Builtin::Squares));
    assert_eq!(spec.dir, dir.path());
    let none = AppSpec::load(&dir.path().join("nowhere"))
        .unwrap_err()
        .to_string();
    assert!(
        none.contains(MANIFEST) && none.contains(SAMPLE_INI),
        "{none}"
    );
}

#[test]
fn defaults_are_the_documented_ones() {
    let s = load(MINIMAL).unwrap();
    assert_eq!(s.modes, verify::DEFAULT_MODES);
    assert_eq!((s.result.as_str(), s.size_knob), ("result.csv", false));
    assert_eq!(s.check, Check::None);
    let e = load(&format!("{MINIMAL}[check]\nexpected = \"expected.csv\"\n")).unwrap();
    let Check::Expected(e) = e.check else {
        panic!()
    };
    assert_eq!(
        (e.format, e.tolerance, e.ordered),
        (Format::Csv, 1e-9, false)
    );
}

#[test]
fn mistakes_name_line_and_key() {
    let cases = [
        (
            "name = \"t\"\nentry = \"job.py\"\nentyr = 1\n",
            "m.toml:3: unknown key `entyr`",
        ),
        (
            "name = \"t\"\nentry = \"nope.py\"\n",
            "m.toml:2: key `entry`: ",
        ),
        (
            "name = \"t\"\nentry = \"../x.py\"\n",
            "inside the app directory",
        ),
        (
            "name = \"t\"\nentry = \"job.sh\"\n",
            "must be a `.py` script",
        ),
        ("name = \"t\"\n", "needs an entry point"),
        (
            "name = \"t\"\nmodule = \"pkg.nope\"\n",
            "key `module`: neither pkg/nope.py",
        ),
        (
            "name = \"t\"\nmodule = \"pkg.main\"\nentry = \"job.py\"\n",
            "not both",
        ),
        (
            &format!("{MINIMAL}packages = [\"mmh3\"]\n"),
            "m.toml:3: key `packages[0]`: must be pinned",
        ),
        (
            &format!("{MINIMAL}packages = [\"numpy==2.0.0\"]\n"),
            "pinned by the Spark line",
        ),
        (
            &format!("{MINIMAL}packages = [\"a==1\", \"A==2\"]\n"),
            "listed twice",
        ),
        (
            &format!("{MINIMAL}args = [\"{{rows}}\"]\n"),
            "key `args[0]`: unknown placeholder `{rows}`",
        ),
        (
            &format!("{MINIMAL}args = [\"{{elements}}\"]\n"),
            "size_knob = true",
        ),
        (
            &format!("{MINIMAL}modes = [\"direkt\"]\n"),
            "key `modes[0]`: unknown mode",
        ),
        (&format!("{MINIMAL}result = \"a/b.csv\"\n"), "key `result`"),
        (
            &format!("{MINIMAL}[master]\nfile = \"app.ini\"\nkey = \"url\"\n"),
            "key `master.key`",
        ),
        (
            &format!("{MINIMAL}[check]\n"),
            "m.toml:3: key `check`: give exactly one",
        ),
        (
            &format!("{MINIMAL}[check]\ncommand = []\n"),
            "key `check.command`",
        ),
        (
            &format!("{MINIMAL}[check]\nbuiltin = \"squares\"\n"),
            "size_knob",
        ),
        (
            &format!("{MINIMAL}[check]\nexpected = \"job.py\"\n"),
            "key `check.expected`",
        ),
        (
            &format!("{MINIMAL}[check]\nexpected = \"expected.csv\"\ntolerance = -1.0\n"),
            "key `check.tolerance`",
        ),
        (
            &format!("{MINIMAL}[check]\ncommand = [\"true\"]\nordered = true\n"),
            "key `check.ordered`",
        ),
    ];
    for (text, want) in cases {
        let e = err(text);
        assert!(e.contains(want), "{text:?}: {e}");
    }
}

#[test]
fn a_scenario_must_fit_the_app() {
    let s = load(&format!("{MINIMAL}modes = [\"direct\"]\n")).unwrap();
    assert!(s.refuse_modes(&[Mode::Direct, Mode::Connect]).is_ok());
    let e = s.refuse_modes(&[Mode::Submit]).unwrap_err().to_string();
    assert!(e.contains("not `submit`") && e.starts_with("m.toml"), "{e}");
    assert!(s.refuse_elements(&[1000]).is_ok());
    let e = s.refuse_elements(&[1000, 2000]).unwrap_err().to_string();
    assert!(e.contains("no size knob"), "{e}");
}

/// `run` without `--app` deploys the sample: every shipped scenario must fit it.
#[test]
fn every_shipped_scenario_fits_the_sample() {
    let sample = AppSpec::load(&fixtures("app")).unwrap();
    for (name, _) in crate::config::scenario::BUILTIN {
        let s = crate::config::Scenario::builtin(name).unwrap();
        sample.refuse_modes(&s.modes).unwrap();
        sample.refuse_elements(&s.elements).unwrap();
    }
}
