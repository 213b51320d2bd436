//! Splits one two-config run into consecutive windows of N repetitions (blocks, when the run
//! was interleaved) and compares the configs within each window, as `run` would have: how the
//! A/A numbers in docs/comparisons.md were made from one long run (ten A/A comparisons of six
//! blocks from one 60-block run, and the same for a sequential run).
//!
//! `cargo run --example aa_windows -- <run-dir> <window> [threshold]`

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
    let mut configs: Vec<String> = records.iter().map(|r| r.config.clone()).collect();
    configs.dedup();
    configs.sort();
    configs.dedup();
    let split = Split::Config {
        baseline: configs[0].clone(),
        candidate: configs[1].clone(),
    };
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
                row.mde.map_or("none".into(), |m| format!("{:.3}", m))
            );
        }
    }
}
