//! History checks (spec §4b, issue 14): blame + anchors + renames + mapping
//! of a 50-reference log on a generated 1,000-commit repository (target:
//! ≤ 200 ms, off the request path), the same with the blame cached (what an
//! edit of the buffer costs), and the peak memory of a 5,000-entry log
//! (over the blame cap: anchored by date, bounded).
//!
//! Run: `cargo bench --bench history`. The repositories are generated with
//! `git fast-import` under `target/tmp/` (once, a few seconds). Under
//! `cargo test --benches` it does nothing.

#![allow(clippy::print_stdout)] // a bench prints its report

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use worklog_ls::document::Document;
use worklog_ls::workspace::history::{self, BlameCache, Request};
use worklog_ls::workspace::{FileIndex, LineCache, WorkspaceFacts, DEFAULT_MAX_BYTES};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let now = LIVE.fetch_add(new, Relaxed) + new;
        LIVE.fetch_sub(l.size(), Relaxed);
        PEAK.fetch_max(now.saturating_sub(l.size()), Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const FILES: usize = 10;

/// A deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn entry(n: usize, date: &str, refs: &[String]) -> String {
    let mut s = format!("\n## v{n} | {date} | Entry {n}\n**Prev:** p\n**Now:** n\n**Progress:** 10%\n**Files:**\n");
    for r in refs {
        let _ = writeln!(s, "- `{r}` the code");
    }
    s + "**Next:**\n- [LOW] more\n"
}

/// A repository of `commits` commits editing ten code files; every
/// `commits / entries` commits the log gets an entry with one reference to
/// lines as they are then. `pad` extra entries without references are
/// written in the first commit (a long log).
fn generate(dir: &Path, commits: usize, entries: usize, pad: usize) {
    if dir.join(".git").exists() {
        return;
    }
    std::fs::create_dir_all(dir).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git").args(args).current_dir(dir).env("GIT_CONFIG_NOSYSTEM", "1").status().unwrap().success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut files: Vec<Vec<String>> = (0..FILES).map(|f| (0..300).map(|i| format!("    let f{f}_{i} = {i};")).collect()).collect();
    let mut log = String::from("---\nversion: v1\nstatus: in_progress\n---\n\n# Bench Work Log\n");
    let mut version = 0;
    for _ in 0..pad {
        version += 1;
        // ~1.2 KB, like the entries of real long logs.
        log += &entry(version, "2019-12-31", &[]);
        log += &"Notes on what was done and why, kept for the next session. ".repeat(18);
        log.push('\n');
    }
    let mut stream = Vec::new();
    let mut fresh = 0;
    for c in 0..commits {
        let ts = 1_577_836_800 + c as i64 * 3600;
        let date = {
            let days = ts / 86_400;
            // 2020-01-01 is day 18262; months of 2020 are enough for 1,000 hours.
            let d = days - 18_262;
            let (m, dd) = if d < 31 { (1, d + 1) } else { (2, d - 30) };
            format!("2020-{m:02}-{dd:02}")
        };
        let f = rng.next(FILES);
        let mut changed = vec![f];
        match rng.next(3) {
            0 => {
                let p = rng.next(files[f].len());
                for _ in 0..3 {
                    fresh += 1;
                    files[f].insert(p, format!("    let new_{fresh} = {fresh};"));
                }
            }
            1 => {
                let p = rng.next(files[f].len());
                fresh += 1;
                files[f][p] = format!("    let edited_{fresh} = {fresh};");
            }
            _ => {
                let p = rng.next(files[f].len().saturating_sub(2).max(1));
                files[f].remove(p);
            }
        }
        if c == 0 {
            changed = (0..FILES).collect();
        }
        let write_log = c % (commits / entries).max(1) == 0 && version < pad + entries;
        if write_log {
            let rf = rng.next(FILES);
            let start = 1 + rng.next(files[rf].len() - 20);
            version += 1;
            log += &entry(version, &date, &[format!("src/f{rf}.rs:{start}-{}", start + 12)]);
        }
        let _ = write!(stream, "commit refs/heads/main\ncommitter B <b@e> {ts} +0000\ndata 2\nc\n");
        for f in changed {
            let text: String = files[f].iter().map(|l| format!("{l}\n")).collect();
            let _ = write!(stream, "M 100644 inline src/f{f}.rs\ndata {}\n{text}\n", text.len());
        }
        if write_log || c == 0 {
            let _ = write!(stream, "M 100644 inline LOG.md\ndata {}\n{log}\n", log.len());
        }
        stream.push(b'\n');
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    git(&["reset", "-q", "--hard", "main"]);
}

fn run(root: &Path, cache: Option<&BlameCache>) -> (Duration, usize, usize) {
    let root = std::fs::canonicalize(root).unwrap();
    let log = root.join("LOG.md");
    let text = std::fs::read_to_string(&log).unwrap();
    let doc = Document::new(&text);
    let facts = WorkspaceFacts::new(&root, Some(Arc::new(FileIndex::build(&root))), Arc::new(LineCache::new(DEFAULT_MAX_BYTES)));
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let t = Instant::now();
    let report = history::compute(&Request { root: &root, log: &log, doc: &doc, facts: &facts, max_bytes: DEFAULT_MAX_BYTES }, cache);
    let took = t.elapsed();
    let peak = PEAK.load(Relaxed) - base;
    (took, report.len(), peak)
}

/// What a keystroke's diagnostics cost with the log's history report in
/// place and without it (median of 21 runs of `analysis::diagnostics`).
fn keystroke_cost(root: &Path) -> (Duration, Duration) {
    let root = std::fs::canonicalize(root).unwrap();
    let log = root.join("LOG.md");
    let text = std::fs::read_to_string(&log).unwrap();
    let doc = Document::new(&text);
    let facts = WorkspaceFacts::new(&root, Some(Arc::new(FileIndex::build(&root))), Arc::new(LineCache::new(DEFAULT_MAX_BYTES)));
    let report = history::compute(&Request { root: &root, log: &log, doc: &doc, facts: &facts, max_bytes: DEFAULT_MAX_BYTES }, None);
    let with = history::WithHistory { inner: &facts, report: &report };
    let config = worklog_ls::config::Config::default();
    let time = |f: &dyn worklog_ls::analysis::facts::FileFacts| {
        let cx = worklog_ls::analysis::Context { config: &config, path: Some(&log), facts: f };
        let mut v: Vec<Duration> = (0..21)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(worklog_ls::analysis::diagnostics(&doc, &cx));
                t.elapsed()
            })
            .collect();
        v.sort();
        v[10]
    };
    (time(&facts), time(&with))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --benches`
    }
    let tmp = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    let small = tmp.join("history-1000");
    let t = Instant::now();
    generate(&small, 1000, 50, 0);
    println!("generated 1,000 commits / 50-reference log in {:.1?}", t.elapsed());
    let mut cold = Vec::new();
    let mut facts = 0;
    let mut peak = 0;
    for _ in 0..7 {
        let (d, n, p) = run(&small, None);
        cold.push(d);
        facts = n;
        peak = peak.max(p);
    }
    cold.sort();
    let cache = BlameCache::default();
    run(&small, Some(&cache));
    let mut warm: Vec<Duration> = (0..7).map(|_| run(&small, Some(&cache)).0).collect();
    warm.sort();
    println!(
        "50-reference log, 1,000 commits: cold (blame + anchors + renames + mapping) min {:.1?} median {:.1?}; \
         blame cached min {:.1?} median {:.1?}; {facts} facts; peak {:.1} MB",
        cold[0],
        cold[3],
        warm[0],
        warm[3],
        peak as f64 / 1e6
    );
    for (name, pad) in [("history-800", 800), ("history-5000", 5000)] {
        let big = tmp.join(name);
        generate(&big, 1000, 50, pad);
        let len = std::fs::metadata(big.join("LOG.md")).map(|m| m.len()).unwrap_or(0);
        let (d, n, p) = run(&big, None);
        let blamed = if len as usize > history::MAX_BLAME_BYTES { "over the blame cap: by date" } else { "blamed" };
        println!("{}-entry log ({:.2} MB, {blamed}): {d:.1?}, {n} facts, peak {:.1} MB", pad + 50, len as f64 / 1e6, p as f64 / 1e6);
        let (without, with) = keystroke_cost(&big);
        println!("  a keystroke's diagnostics of that log: {without:.2?} without history, {with:.2?} with its report (median of 21)");
    }
}
