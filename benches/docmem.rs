//! Memory and phase costs of [`Document::new`] on the generated logs:
//! the bytes a `Document` keeps allocated (rope + chunk models + chunk-local
//! diagnostics, counted by a global allocator wrapper), its allocation count,
//! and a per-phase breakdown of one build (split, scan, chunk diagnostics),
//! single-threaded, min of several runs.
//!
//! Run: `cargo bench --bench docmem` (also a profiling target:
//! `WLBENCH_LOOP=50 perf record --call-graph dwarf target/release/deps/docmem-…`).
//! Under `cargo test --benches` it does nothing.

#![allow(clippy::print_stdout)] // a bench prints its report

#[path = "support/gen.rs"]
mod gen;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use worklog_ls::analysis::chunk_diagnostics;
use worklog_ls::document::Document;
use worklog_ls::model::scan_chunk;
use worklog_ls::syntax;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);
/// Off while profiling, so the counters do not show in the profile.
static ON: AtomicBool = AtomicBool::new(true);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if ON.load(Relaxed) {
            LIVE.fetch_add(l.size(), Relaxed);
            COUNT.fetch_add(1, Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if ON.load(Relaxed) {
            LIVE.fetch_sub(l.size(), Relaxed);
        }
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if ON.load(Relaxed) {
            LIVE.fetch_add(new, Relaxed);
            LIVE.fetch_sub(l.size(), Relaxed);
            COUNT.fetch_add(1, Relaxed);
        }
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mb(b: usize) -> String {
    format!("{:.2} MB", b as f64 / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") && std::env::var_os("WLBENCH_LOOP").is_none() {
        return;
    }
    if let Some(n) = std::env::var("WLBENCH_LOOP").ok().and_then(|v| v.parse::<usize>().ok()) {
        // Profiling: build the 5,000-entry document n times.
        ON.store(false, Relaxed);
        let text = gen::work_log(5_000);
        for _ in 0..n {
            std::hint::black_box(Document::new(&text));
        }
        return;
    }
    for n in [1_000usize, 5_000] {
        let text = gen::work_log(n);
        let rope_only = {
            let before = LIVE.load(Relaxed);
            let r = ropey::Rope::from_str(&text);
            let b = LIVE.load(Relaxed) - before;
            drop(r);
            b
        };
        let before = LIVE.load(Relaxed);
        let c0 = COUNT.load(Relaxed);
        let doc = Document::new(&text);
        let live = LIVE.load(Relaxed) - before;
        let allocs = COUNT.load(Relaxed) - c0;
        let refs: usize = doc.chunks().iter().map(|c| c.model.refs.len()).sum();
        println!(
            "{n} entries ({}): Document {} (rope {}, chunks {}), {} chunks, {refs} refs, {allocs} allocations during new()",
            mb(text.len()),
            mb(live),
            mb(rope_only),
            mb(live - rope_only),
            doc.chunks().len()
        );
        // Where the chunk bytes are: capacity × element size of each list.
        let mut parts: Vec<(&str, usize)> = Vec::new();
        {
            use std::mem::size_of_val;
            let ms = doc.chunks().iter().map(|c| &c.model);
            let cap = |f: &dyn Fn(&worklog_ls::model::ChunkModel) -> usize| doc.chunks().iter().map(|c| f(&c.model)).sum::<usize>();
            parts.push(("chunk list", std::mem::size_of_val(doc.chunks())));
            parts.push(("models", ms.map(|m| size_of_val(&**m)).sum()));
            parts.push(("labels", cap(&|m| m.labels.capacity() * std::mem::size_of::<worklog_ls::model::Label>())));
            parts.push(("fields", cap(&|m| m.fields.capacity() * std::mem::size_of::<worklog_ls::model::Field>())));
            parts.push(("items", cap(&|m| m.items.capacity() * std::mem::size_of::<worklog_ls::model::Item>())));
            parts.push(("refs", cap(&|m| m.refs.capacity() * std::mem::size_of::<worklog_ls::model::FileRef>())));
            parts.push(("mentions", cap(&|m| m.mentions.capacity() * std::mem::size_of::<worklog_ls::model::VersionMention>())));
            parts.push(("headings", cap(&|m| m.headings.capacity() * std::mem::size_of::<worklog_ls::model::Heading>())));
            parts.push(("garbled", cap(&|m| m.garbled.capacity() * std::mem::size_of::<worklog_ls::model::mojibake::Garbled>())));
        }
        println!("  {}", parts.iter().map(|(k, b)| format!("{k} {}", mb(*b))).collect::<Vec<_>>().join(", "));
        drop(doc);

        // Document::new and its drop, both threads, best of 7.
        let (mut new_best, mut drop_best) = (Duration::MAX, Duration::MAX);
        for _ in 0..7 {
            let t0 = Instant::now();
            let d = Document::new(&text);
            let t1 = Instant::now();
            drop(d);
            new_best = new_best.min(t1 - t0);
            drop_best = drop_best.min(t1.elapsed());
        }
        println!("  Document::new {:.2} ms, drop {:.2} ms (best of 7)", new_best.as_secs_f64() * 1e3, drop_best.as_secs_f64() * 1e3);

        // Phases, one thread, best of 5.
        let mut best = [Duration::MAX; 3];
        for _ in 0..5 {
            let t0 = Instant::now();
            let starts = syntax::split_chunks(&text);
            let t1 = Instant::now();
            let mut models = Vec::with_capacity(starts.len());
            for (j, &s) in starts.iter().enumerate() {
                let e = starts.get(j + 1).copied().unwrap_or(text.len());
                models.push((scan_chunk(&text[s..e], s == 0), s, e));
            }
            let t2 = Instant::now();
            let mut nd = 0;
            for (m, s, e) in &models {
                nd += chunk_diagnostics(m, &text[*s..*e]).len();
            }
            let t3 = Instant::now();
            std::hint::black_box(nd);
            for (b, d) in best.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2]) {
                *b = (*b).min(d);
            }
        }
        println!(
            "  one thread, best of 5: split {:.2} ms, scan_chunk {:.2} ms, chunk_diagnostics {:.2} ms",
            best[0].as_secs_f64() * 1e3,
            best[1].as_secs_f64() * 1e3,
            best[2].as_secs_f64() * 1e3
        );
    }
}
