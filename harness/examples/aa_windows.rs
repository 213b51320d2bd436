//! Re-compares one run directory's arms as `run` would (Spark versions if it has several,
//! else configs), over its whole matrix or over consecutive windows of N repetitions (blocks,
//! when the run was interleaved): how the A/A numbers in docs/comparing.md were made from one
//! long run (ten A/A comparisons of six blocks from one 60-block run, and the same for a
//! sequential run), and how a finished run's comparisons are redrawn by a newer binary.
//!
//! `cargo run --example aa_windows -- <run-dir> <window, 0 = whole run> [threshold]`

use sparkmodes::measure::record::RunRecord;
use sparkmodes::measure::records_file::load_records;
use sparkmodes::output::compare::{compare_within, CompareOptions, Split};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, window) = (
        std::path::Path::new(&args[0]),
        args[1].parse::<u32>().unwrap(),
    );
    let mut opts = CompareOptions::default();
    if let Some(t) = args.get(2) {
        opts.threshold = t.parse().unwrap();
    }
    let records = load_records(dir).unwrap();
    let split = split_of(&records);
    let defaults = sparkmodes::infra::sql_defaults::read(dir).unwrap();
    if window == 0 {
        let mut c = compare_within(&records, &split, &opts);
        c.attach_defaults(&defaults, &defaults);
        println!("{}", c.to_terminal_table());
        return;
    }
    let reps = records.iter().map(|r| r.rep).max().unwrap_or(0) + 1;
    println!("window\tverdict\tratio\tci_low\tci_high\tci_width\tpaired\tmde");
    for w in 0..reps / window {
        let inside = |r: &&RunRecord| r.warmup || (r.rep / window == w);
        let part: Vec<RunRecord> = records.iter().filter(inside).cloned().collect();
        for row in compare_within(&part, &split, &opts).rows {
            let used = row.paired.as_ref().map(|p| p.ratio).or(row.ratio).unwrap();
            println!(
                "{w}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{}\t{}",
                row.verdict,
                used.point,
                used.ci_low,
                used.ci_high,
                used.ci_high - used.ci_low,
                row.paired.is_some(),
                row.mde.map_or("none".into(), |m| format!("{m:.3}"))
            );
        }
    }
}

/// The first two Spark versions if the run has several, else its first two configs.
fn split_of(records: &[RunRecord]) -> Split {
    let distinct = |f: fn(&RunRecord) -> &str| {
        let mut v: Vec<String> = Vec::new();
        for r in records {
            if !v.iter().any(|x| x == f(r)) {
                v.push(f(r).to_string());
            }
        }
        v
    };
    let versions = distinct(|r| &r.spark_version);
    if versions.len() > 1 {
        return Split::SparkVersion {
            baseline: versions[0].clone(),
            candidate: versions[1].clone(),
        };
    }
    let configs = distinct(|r| &r.config);
    Split::Config {
        baseline: configs[0].clone(),
        candidate: configs[1].clone(),
    }
}
