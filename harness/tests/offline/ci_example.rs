//! The example pipeline in `examples/ci/` stays true to the binary: every `sparkmodes` command
//! its GitHub Actions `run:` steps use is a subcommand with flags the binary accepts, the same
//! commands are in `run-locally.sh` (which runs them without GitHub), and that script parses.
//! No Docker: only `--help` is asked.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/ci")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(example(name)).unwrap()
}

/// The shell text of every `run:` step: `run: cmd`, or the indented block under `run: |`.
fn run_steps(yaml: &str) -> Vec<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut steps = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let key_indent = line.len() - line.trim_start().len();
        let key = line.trim_start();
        let Some(rest) = key.strip_prefix("- ").unwrap_or(key).strip_prefix("run:") else {
            continue;
        };
        if rest.trim() != "|" {
            steps.push(rest.trim().to_string());
            continue;
        }
        let block = lines[i + 1..]
            .iter()
            .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > key_indent)
            .map(|l| l.trim())
            .collect::<Vec<_>>();
        steps.push(block.join("\n"));
    }
    steps
}

/// Each `sparkmodes …` command in `shell`, up to the end of its shell command.
fn sparkmodes_commands(shell: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in shell.lines() {
        let mut rest = line;
        while let Some(at) = find_word(rest, "sparkmodes") {
            let cmd = &rest[at..];
            let end = cmd.find(['"', ';', '|', '&', ')']).unwrap_or(cmd.len());
            found.push(cmd[..end].trim().to_string());
            rest = &cmd[end..];
        }
    }
    found
}

/// `word` as a whole shell word (not `sparkmodes-report` or `label=sparkmodes.image`).
fn find_word(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().last();
        let after = text[i + word.len()..].chars().next();
        before.is_none_or(|c| c == ' ' || c == '(') && after.is_none_or(|c| c == ' ')
    })
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sparkmodes"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "sparkmodes {args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommand path (`run`, `images build`) of a command's words after `sparkmodes`.
fn subcommand<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let top = help(&[]);
    let first = words[0];
    assert!(
        top.lines()
            .any(|l| l.trim_start().starts_with(&format!("{first} "))),
        "`sparkmodes {first}` is not a subcommand:\n{top}"
    );
    let sub = help(&[first]);
    match words.get(1) {
        Some(w)
            if sub.contains("Commands:")
                && sub
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{w} "))) =>
        {
            vec![first, w]
        }
        _ => vec![first],
    }
}

fn assert_accepted(command: &str) {
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let path = subcommand(&words);
    let text = help(&path);
    for flag in words.iter().filter(|w| w.starts_with('-')) {
        let long = flag.split('=').next().unwrap();
        assert!(
            text.split(|c: char| c.is_whitespace() || c == ',')
                .any(|w| w == long),
            "`{command}`: `sparkmodes {}` has no {long}:\n{text}",
            path.join(" ")
        );
    }
}

#[test]
fn every_sparkmodes_command_of_the_workflow_is_accepted_by_the_binary() {
    let commands: Vec<String> = run_steps(&read("github-actions.yml"))
        .iter()
        .flat_map(|s| sparkmodes_commands(s))
        .collect();
    for needed in [
        "sparkmodes run smoke",
        "sparkmodes compare",
        "sparkmodes images build",
    ] {
        assert!(
            commands.iter().any(|c| c.starts_with(needed)),
            "{needed}: {commands:?}"
        );
    }
    for command in &commands {
        assert_accepted(command);
    }
}

#[test]
fn run_locally_runs_the_workflows_commands_and_parses() {
    let local = read("run-locally.sh");
    for step in run_steps(&read("github-actions.yml")) {
        for command in sparkmodes_commands(&step) {
            assert!(local.contains(&command), "run-locally.sh lacks `{command}`");
        }
    }
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(example("run-locally.sh"))
        .output()
        .unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
}

#[test]
fn the_workflow_feeds_the_tracker_and_keeps_the_report() {
    let yaml = read("github-actions.yml");
    for needed in [
        "tool: customSmallerIsBetter",
        "output-file-path: reports/ci/benchmark-action.json",
        "path: reports/ci",
        "path: ~/.cache/sparkmodes",
        "hashFiles('fixtures/image/Dockerfile', 'harness/src/config/versions.rs')",
    ] {
        assert!(yaml.contains(needed), "missing {needed}");
    }
}

#[test]
fn the_extractors_see_blocks_single_lines_and_whole_words_only() {
    let yaml = "steps:\n  - run: sparkmodes report x\n  - name: b\n    run: |\n      a && sparkmodes compare a b --threshold 0.2; echo done\n      echo \"see sparkmodes-report\"\n  - uses: x\n";
    let steps = run_steps(yaml);
    assert_eq!(steps.len(), 2, "{steps:?}");
    let cmds: Vec<String> = steps.iter().flat_map(|s| sparkmodes_commands(s)).collect();
    assert_eq!(
        cmds,
        [
            "sparkmodes report x",
            "sparkmodes compare a b --threshold 0.2"
        ]
    );
}
