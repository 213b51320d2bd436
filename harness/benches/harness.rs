//! Costs the harness adds per run: parsing an event log, appending records, checking a result
//! with the oracle, summarising a cell's samples, one memory sample of a host driver; and the
//! frontier search's run count.
//!
//! The event log is a real Spark 3.5.9 log (the fixture) with its task-end event repeated
//! `TASKS` times, streamed from memory so the size of the log does not cost memory.

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparkmodes::config::Mode;
use sparkmodes::exec::frontier_search::{search, Grid};
use sparkmodes::measure::eventlog;
use sparkmodes::measure::memory_sources;
use sparkmodes::measure::oracle;
use sparkmodes::measure::record::RunRecord;
use sparkmodes::measure::stats;
use sparkmodes::output::export::{Exporter, RecordSink};

const TASKS: u64 = 200_000;
const RECORDS: usize = 10_000;
const ORACLE_VALUES: usize = 4_000_000;
const STATS_SAMPLES: usize = 1_000;

/// The fixture log split around its first task-end line, which is what gets repeated.
struct SyntheticLog {
    head: Vec<u8>,
    task_end: Vec<u8>,
    tail: Vec<u8>,
}

impl SyntheticLog {
    fn load() -> SyntheticLog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/eventlogs/spark-3.5.9-arrow-on.inprogress");
        let text = std::fs::read_to_string(path).expect("fixture event log");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("{\"Event\":\"SparkListenerTaskEnd\""))
            .expect("a task-end event in the fixture");
        SyntheticLog {
            head: lines[..at].concat().into_bytes(),
            task_end: lines[at].as_bytes().to_vec(),
            tail: lines[at + 1..].concat().into_bytes(),
        }
    }

    fn len(&self) -> u64 {
        (self.head.len() + self.tail.len()) as u64 + TASKS * self.task_end.len() as u64
    }

    fn reader(&self) -> impl std::io::BufRead + '_ {
        let repeated = Repeat {
            line: &self.task_end,
            pos: 0,
            left: TASKS,
        };
        let log = Cursor::new(&self.head[..])
            .chain(repeated)
            .chain(Cursor::new(&self.tail[..]));
        BufReader::with_capacity(64 * 1024, log)
    }
}

/// Yields `line` `left` times.
struct Repeat<'a> {
    line: &'a [u8],
    pos: usize,
    left: u64,
}

impl Read for Repeat<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let n = (self.line.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.line[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == self.line.len() {
            self.pos = 0;
            self.left -= 1;
        }
        Ok(n)
    }
}

fn parse_event_log(c: &mut Criterion) {
    let log = SyntheticLog::load();
    let mut group = c.benchmark_group("eventlog");
    group.throughput(Throughput::Bytes(log.len()));
    // One pass takes ~0.7 s on a 2-core runner: 10 samples need about 8 s.
    group.measurement_time(Duration::from_secs(8));
    group.bench_function(format!("parse_{TASKS}_task_events"), |b| {
        b.iter(|| {
            let timings = eventlog::parse_reader(log.reader()).unwrap();
            assert!(timings.tasks > TASKS);
            black_box(timings)
        })
    });
    group.finish();
}

fn record(i: usize) -> RunRecord {
    let mode = Mode::ALL[i % Mode::ALL.len()];
    RunRecord {
        run_id: format!("run-{i:05}"),
        mode,
        arrow: i.is_multiple_of(2),
        arrow_effective: Some(i.is_multiple_of(2)),
        rep: (i / 8) as u32,
        wall_s: 10.0 + i as f64 * 1e-3,
        started_at: Utc::now(),
        stdout_path: Some(format!("runs/{i:05}/stdout.txt")),
        stderr_path: Some(format!("runs/{i:05}/stderr.txt")),
        event_log_path: Some(format!("runs/{i:05}/events")),
        ..RunRecord::example()
    }
}

fn write_records(c: &mut Criterion) {
    let records: Vec<RunRecord> = (0..RECORDS).map(record).collect();
    let mut group = c.benchmark_group("export");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function(format!("csv_and_jsonl_{RECORDS}_records"), |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let mut sink = RecordSink::open(dir.path()).unwrap();
                for r in &records {
                    sink.append(r).unwrap();
                }
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// Squares of float32-narrowed draws, as the app's result holds: full-precision doubles, so
/// each cell costs a realistic float parse.
fn squares(n: usize) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(42);
    (0..n)
        .map(|_| f64::from(rng.random_range(1.0f32..7.0)).powi(2))
        .collect()
}

fn check_result(c: &mut Criterion) {
    let expected = squares(ORACLE_VALUES);
    let mut csv = String::with_capacity(ORACLE_VALUES * 20);
    csv.push_str("squared\n");
    for v in &expected {
        // `{}` is the shortest round-trip form, like the app's pandas output.
        writeln!(csv, "{v}").unwrap();
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), csv).unwrap();

    let mut group = c.benchmark_group("oracle");
    group.throughput(Throughput::Elements(ORACLE_VALUES as u64));
    group.sample_size(10);
    // A check takes hundreds of milliseconds: linear sampling would need 55 of them.
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function(format!("check_{ORACLE_VALUES}_values"), |b| {
        b.iter(|| {
            let verdict = oracle::check(file.path(), &expected).unwrap();
            assert!(verdict.correct, "{}", verdict.summary());
            black_box(verdict)
        })
    });
    group.finish();
}

fn summarize_samples(c: &mut Criterion) {
    // Wall times around 15 s with a few slow runs, so the outlier pass has work to do.
    let mut rng = StdRng::seed_from_u64(7);
    let samples: Vec<f64> = (0..STATS_SAMPLES)
        .map(|i| {
            let slow = if i % 100 == 0 { 10.0 } else { 0.0 };
            15.0 + rng.random_range(-0.5..0.5) + slow
        })
        .collect();
    let mut group = c.benchmark_group("stats");
    group.throughput(Throughput::Elements(STATS_SAMPLES as u64));
    // The bootstrap sorts BOOTSTRAP_RESAMPLES copies: one call is long enough for flat sampling.
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function(format!("summarize_{STATS_SAMPLES}_samples"), |b| {
        b.iter(|| black_box(stats::summarize(black_box(&samples), 1).unwrap()))
    });
    group.finish();
}

/// One memory sample of a host driver, as the run's watch takes every 250 ms: the summed RSS
/// of a process group, from every `/proc/<pid>/stat` (here the bench's own group). Its time
/// ÷ 250 ms is the share of a core sampling takes while a run lasts.
fn sample_memory(c: &mut Criterion) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let (pgid, _) = memory_sources::group_and_rss_pages(&stat).expect("a stat line");
    let page = memory_sources::page_size();
    let mut group = c.benchmark_group("memory");
    group.bench_function("host_driver_sample", |b| {
        b.iter(|| {
            black_box(memory_sources::group_rss_bytes(
                Path::new("/proc"),
                pgid,
                page,
            ))
        })
    });
    group.finish();
}

/// The frontier search on a mock probe: its run count per grid (printed once, the number a
/// real search pays in runs of a minute each) and the search's own time.
fn frontier_search(c: &mut Criterion) {
    let grids = [
        (500_000, 16_000_000, 500_000),
        (100_000, 100_000_000, 100_000),
    ];
    let mut group = c.benchmark_group("frontier");
    for (low, high, step) in grids {
        let grid = Grid { low, high, step };
        let boundary = low + (high - low) / 3;
        let runs = search(&grid, |n| Ok::<_, ()>(n <= boundary)).unwrap().runs;
        eprintln!(
            "frontier search over {} steps: {runs} runs (bound {})",
            grid.steps(),
            grid.max_runs()
        );
        group.bench_function(format!("search_{}_steps", grid.steps()), |b| {
            b.iter(|| black_box(search(&grid, |n| Ok::<_, ()>(n <= boundary)).unwrap()))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1));
    targets = parse_event_log, write_records, check_result, summarize_samples, sample_memory,
        frontier_search
}
criterion_main!(benches);
