//! Progress display for long work. On a terminal: bars and spinners. Otherwise (stderr piped
//! to a CI log or a file), or when asked to be quiet: plain lines a person can follow, one per
//! run and one per build step, since a redrawn bar in a log is either nothing or noise. Bars on
//! a terminal share one [`MultiProgress`]: the image and venv chains build side by side, and a
//! matrix bar stays up while a group's images build, so two bars are often live at once.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Plain lines instead of bars: quiet, or stderr is not a terminal.
pub fn lines() -> bool {
    is_quiet() || !std::io::stderr().is_terminal()
}

/// A new bar: hidden in line mode, else drawn on stderr below the bars already live.
fn new_bar(len: Option<u64>) -> ProgressBar {
    static LIVE: OnceLock<MultiProgress> = OnceLock::new();
    if lines() {
        return ProgressBar::with_draw_target(len, ProgressDrawTarget::hidden());
    }
    let live = LIVE.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
    live.add(ProgressBar::with_draw_target(
        len,
        ProgressDrawTarget::hidden(),
    ))
}

pub fn spinner(prefix: &str) -> ProgressBar {
    let bar = new_bar(None);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {wide_msg}")
            .expect("valid template"),
    );
    bar.set_prefix(prefix.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A bar over a matrix of runs, with the current cell as its message and an ETA.
pub fn matrix(total: u64) -> ProgressBar {
    let bar = new_bar(Some(total));
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} runs [{elapsed} elapsed, ETA {eta}] {wide_msg}",
        )
        .expect("valid template"),
    );
    bar
}

/// A step of a long build (`python -m venv`, a Dockerfile's `Step 3/12 : RUN …`): on the
/// spinner when there is one, else one line on stderr.
pub fn step(bar: &ProgressBar, message: &str) {
    if lines() {
        eprintln!("{}", step_line(&bar.prefix(), message));
    }
    bar.set_message(message.to_string());
}

fn step_line(prefix: &str, message: &str) -> String {
    if prefix.is_empty() {
        message.to_string()
    } else {
        format!("{prefix}: {message}")
    }
}

/// A line of a build's output: on the spinner; in line mode only the lines that start a step
/// (the legacy Docker builder's `Step n/m :`), so the log shows where the build is.
pub fn output_line(bar: &ProgressBar, line: &str) {
    let short: String = line.chars().take(100).collect();
    if lines() && starts_a_step(line) {
        eprintln!("{}", step_line(&bar.prefix(), &short));
    }
    bar.set_message(short);
}

fn starts_a_step(line: &str) -> bool {
    line.strip_prefix("Step ")
        .and_then(|rest| rest.split_once(" :"))
        .is_some_and(|(n, _)| n.split('/').all(|d| d.parse::<u32>().is_ok()))
}

#[cfg(test)]
mod tests;
