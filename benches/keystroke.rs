//! In-process costs of the core on generated Work Logs of 10, 1,000 and
//! 5,000 entries (≈ 12 KB, 1.2 MB, 6 MB):
//!
//! - `parse/<n>`: [`Document::new`] (what `didOpen` costs before diagnostics);
//! - `keystroke/<n>`: one typed character in the latest entry — `doc.edit`
//!   then [`analysis::diagnostics`] — exactly the work the server does per
//!   `didChange` before serialising (the cost curve of issue 5);
//! - `keystroke_edit/<n>` and `diagnostics/<n>`: the two halves apart;
//! - `snapshot/<n>`: `Document::clone`, which the server does per request
//!   and per publish;
//! - `symbols/5000`, `definition/5000`, `hover/5000`: the outline and a
//!   reference lookup on the big log;
//! - `completion/100k`: `ide::completion::complete` on a 100,000-path index
//!   while typing growing prefixes (the matcher narrows as in the server).
//!
//! References resolve against a temporary folder holding the files the logs
//! name, through the same `WorkspaceFacts` as the server (so the latest
//! entry's references cost their real `stat`s and line counts).
//!
//! Before criterion runs, p50/p90/p99/max of 500 single keystrokes per size
//! are printed (criterion reports means of batches; the targets are
//! percentiles), and of 100 more with the CPU caches flushed before each
//! (a 64 MB write), as when keys arrive tens of milliseconds apart. Set
//! `WLBENCH_NO_TABLE=1` to skip that.
//!
//! Run: `cargo bench --bench keystroke -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::print_stdout)] // a bench prints its report

#[path = "support/gen.rs"]
mod gen;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{black_box, BenchmarkId, Criterion};
use worklog_ls::analysis::{self, facts::FileFacts, Context};
use worklog_ls::config::{Config, DEFAULT_MAX_FILE_SIZE};
use worklog_ls::document::Document;
use worklog_ls::ide::{self, completion};
use worklog_ls::workspace::{FileIndex, LineCache, PathMatcher, WorkspaceFacts};

const SIZES: [usize; 3] = [10, 1_000, 5_000];

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    facts: WorkspaceFacts,
    config: Config,
    logs: Vec<(usize, String)>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().canonicalize().expect("canonical temp folder");
        gen::write_hot_files(&root).expect("write hot files");
        let index = FileIndex::build(&root);
        let facts = WorkspaceFacts::new(&root, Some(Arc::new(index)), Arc::new(LineCache::new(DEFAULT_MAX_FILE_SIZE)));
        let logs = SIZES.iter().map(|&n| (n, gen::work_log(n))).collect();
        Fixture { _dir: dir, root, facts, config: Config::default(), logs }
    }

    fn log_path(&self, n: usize) -> PathBuf {
        self.root.join(format!("Gen-WorkLog-{n}.md"))
    }
}

/// Types [`gen::TYPED`] into the latest entry one character at a time; when
/// it is all typed, removes it again (untimed) and starts over.
struct Typist {
    doc: Document,
    start: usize,
    at: usize,
    chars: Vec<char>,
    i: usize,
}

impl Typist {
    fn new(text: &str) -> Typist {
        let start = gen::typing_offset(text);
        Typist { doc: Document::new(text), start, at: start, chars: gen::TYPED.chars().collect(), i: 0 }
    }

    /// Undo what was typed when the script is exhausted (call untimed).
    fn rewind_if_done(&mut self) {
        if self.i == self.chars.len() {
            self.doc.edit(self.start..self.at, "");
            self.at = self.start;
            self.i = 0;
        }
    }

    /// One keystroke: insert the next character.
    fn key(&mut self) {
        let c = self.chars[self.i];
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        self.doc.edit(self.at..self.at, s);
        self.at += s.len();
        self.i += 1;
    }
}

fn keystroke_with_diagnostics(t: &mut Typist, cx: &Context<'_>) -> usize {
    t.key();
    analysis::diagnostics(&t.doc, cx).len()
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

/// p50/p90/p99/max of single operations, printed as a table.
fn print_table(fx: &Fixture) {
    const RUNS: usize = 500;
    const COLD_RUNS: usize = 100;
    eprintln!("\nsingle operations, {RUNS} runs each (µs):");
    eprintln!("{:<34} {:>9} {:>9} {:>9} {:>9}", "operation", "p50", "p90", "p99", "max");
    let row = |name: String, mut v: Vec<Duration>| {
        v.sort_unstable();
        eprintln!("{:<34} {:>9} {:>9} {:>9} {:>9}", name, us(pct(&v, 0.5)), us(pct(&v, 0.9)), us(pct(&v, 0.99)), us(*v.last().unwrap()));
    };
    for (n, text) in &fx.logs {
        let path = fx.log_path(*n);
        let cx = Context { config: &fx.config, path: Some(&path), facts: &fx.facts as &dyn FileFacts };
        let runs = if *n >= 5_000 { 20 } else { 50 };
        let parse = (0..runs)
            .map(|_| {
                let t = Instant::now();
                black_box(Document::new(text));
                t.elapsed()
            })
            .collect();
        row(format!("parse/{n} ({runs} runs)"), parse);

        let mut ty = Typist::new(text);
        let (mut edit, mut diag, mut both, mut snap) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            ty.rewind_if_done();
            let t0 = Instant::now();
            ty.key();
            let t1 = Instant::now();
            black_box(analysis::diagnostics(&ty.doc, &cx));
            let t2 = Instant::now();
            black_box(ty.doc.clone());
            let t3 = Instant::now();
            edit.push(t1 - t0);
            diag.push(t2 - t1);
            both.push(t2 - t0);
            snap.push(t3 - t2);
        }
        row(format!("keystroke/{n} (edit+diagnostics)"), both);
        row(format!("  keystroke_edit/{n}"), edit);
        row(format!("  diagnostics/{n}"), diag);
        row(format!("  snapshot (clone)/{n}"), snap);

        // The same with the CPU caches flushed before each keystroke, as
        // when a person types (tens of ms between keys, other work between).
        let mut junk = vec![0u8; 64 << 20];
        let flush = |junk: &mut Vec<u8>| {
            for i in (0..junk.len()).step_by(64) {
                junk[i] = junk[i].wrapping_add(1);
            }
            black_box(&junk);
        };
        let (mut cold, mut cold_snap) = (Vec::new(), Vec::new());
        for _ in 0..COLD_RUNS {
            ty.rewind_if_done();
            flush(&mut junk);
            let t0 = Instant::now();
            black_box(keystroke_with_diagnostics(&mut ty, &cx));
            let t1 = Instant::now();
            flush(&mut junk);
            let t2 = Instant::now();
            black_box(ty.doc.clone());
            cold.push(t1 - t0);
            cold_snap.push(t2.elapsed());
        }
        row(format!("  keystroke/{n}, cold caches"), cold);
        row(format!("  snapshot/{n}, cold caches"), cold_snap);
    }
    let (_, big) = fx.logs.iter().find(|(n, _)| *n == 5_000).unwrap();
    let doc = Document::new(big);
    let sym = (0..100)
        .map(|_| {
            let t = Instant::now();
            black_box(ide::symbols(&doc));
            t.elapsed()
        })
        .collect();
    row("symbols/5000 (100 runs)".into(), sym);
}

fn bench_parse(c: &mut Criterion, fx: &Fixture) {
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    for (n, text) in &fx.logs {
        g.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| b.iter(|| black_box(Document::new(text))));
    }
    g.finish();
}

fn bench_keystroke(c: &mut Criterion, fx: &Fixture) {
    for (group, what) in [("keystroke", 0), ("keystroke_edit", 1), ("diagnostics", 2), ("snapshot", 3)] {
        let mut g = c.benchmark_group(group);
        g.sample_size(20);
        for (n, text) in &fx.logs {
            let path = fx.log_path(*n);
            let cx = Context { config: &fx.config, path: Some(&path), facts: &fx.facts as &dyn FileFacts };
            let mut ty = Typist::new(text);
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        ty.rewind_if_done();
                        match what {
                            0 => {
                                let t = Instant::now();
                                black_box(keystroke_with_diagnostics(&mut ty, &cx));
                                spent += t.elapsed();
                            }
                            1 => {
                                let t = Instant::now();
                                ty.key();
                                spent += t.elapsed();
                            }
                            2 => {
                                ty.key();
                                let t = Instant::now();
                                black_box(analysis::diagnostics(&ty.doc, &cx));
                                spent += t.elapsed();
                            }
                            _ => {
                                let t = Instant::now();
                                black_box(ty.doc.clone());
                                spent += t.elapsed();
                            }
                        }
                    }
                    spent
                })
            });
        }
        g.finish();
    }
}

/// The byte offset of the last occurrence of `needle` plus `plus`.
fn last(text: &str, needle: &str, plus: usize) -> usize {
    text.rfind(needle).expect("needle in generated log") + plus
}

fn bench_ide(c: &mut Criterion, fx: &Fixture) {
    let (n, big) = fx.logs.iter().find(|(n, _)| *n == 5_000).unwrap();
    let doc = Document::new(big);
    let path = fx.log_path(*n);
    let mut g = c.benchmark_group("ide");
    g.sample_size(20);
    g.bench_function("symbols/5000", |b| b.iter(|| black_box(ide::symbols(&doc))));
    let at = last(big, "\n- `src/", 5);
    g.bench_function("definition/5000", |b| b.iter(|| black_box(ide::definition(&doc, at, Some(&path), &fx.facts))));
    g.bench_function("hover/5000", |b| b.iter(|| black_box(ide::hover(&doc, at, Some(&path), &fx.facts))));
    g.finish();
}

/// Completion while typing each of [`gen::COMPLETION_QUERIES`] after
/// `` - ` `` in the latest entry's Files field, over a 100,000-path index.
fn bench_completion(c: &mut Criterion, fx: &Fixture) {
    let (paths, _) = gen::repo_paths(100_000, 0);
    let index = FileIndex::from_paths(fx.root.clone(), paths);
    let matcher = PathMatcher::new();
    let text = &fx.logs[0].1;
    let path = fx.log_path(fx.logs[0].0);
    let files_at = last(text, "\n\n**Work:**", 0);
    let mut doc = Document::new(text);
    doc.edit(files_at..files_at, "\n- `");
    let base = files_at + 4;
    let env =
        completion::Env { log: Some(&path), index: Some(&index), matcher: Some(&matcher), facts: &fx.facts, log_dir: Some(""), limit: 50 };
    // Pre-built documents for every prefix, so only `complete` is timed.
    let mut steps: Vec<(Document, usize)> = Vec::new();
    for q in gen::COMPLETION_QUERIES {
        let mut d = doc.clone();
        let mut at = base;
        for ch in q.chars() {
            let mut buf = [0u8; 4];
            let s = ch.encode_utf8(&mut buf);
            d.edit(at..at, s);
            at += s.len();
            steps.push((d.clone(), at));
        }
    }
    let mut g = c.benchmark_group("completion");
    g.sample_size(20);
    let mut i = 0;
    g.bench_function("typing_100k", |b| {
        b.iter(|| {
            let (d, at) = &steps[i % steps.len()];
            i += 1;
            black_box(completion::complete(d, *at, &env))
        })
    });
    g.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The table only under `cargo bench` (not `cargo test --benches`, `--list`).
    let benching = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list");
    let fx = Fixture::new();
    if benching && std::env::var_os("WLBENCH_NO_TABLE").is_none() {
        print_table(&fx);
    }
    let mut c = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).configure_from_args();
    bench_parse(&mut c, &fx);
    bench_keystroke(&mut c, &fx);
    bench_ide(&mut c, &fx);
    bench_completion(&mut c, &fx);
    c.final_summary();
}
