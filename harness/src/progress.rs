//! Progress display for long work; silent when not on a terminal or when asked to be quiet.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

fn target() -> ProgressDrawTarget {
    if is_quiet() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    }
}

pub fn spinner(prefix: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target());
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
    let bar = ProgressBar::with_draw_target(Some(total), target());
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} runs [{elapsed} elapsed, ETA {eta}] {wide_msg}",
        )
        .expect("valid template"),
    );
    bar
}
