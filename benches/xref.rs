//! In-process cost of the queries across every log (issue 12, item 6), to
//! split the e2e figures of `cargo bench --bench e2e -- xref` into finding
//! and answering: 1,000 generated four-entry logs summarised against an
//! in-memory workspace (every written path resolves below `/ws`), then, 300
//! times each: `references_to` a hot file (every log) and a feature file
//! (ten logs), the answer built as LSP locations and serialised as JSON, and
//! `find_entries` for the e2e queries. Prints p50 / p99 in ms.
//!
//! Run: `cargo bench --bench xref`.

#![allow(clippy::print_stdout)] // a bench prints its report

#[path = "support/gen.rs"]
mod gen;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types as lsp;
use worklog_ls::analysis::facts::{FileFacts, Resolution};
use worklog_ls::config::Config;
use worklog_ls::ide::xref::{self, LogIndex, Logs};
use worklog_ls::lsp::encoding::Encoding;
use worklog_ls::lsp::to_proto;

/// Every path with a `/` exists below `/ws`.
struct Everything;

impl FileFacts for Everything {
    fn resolve(&self, _log: &Path, written: &str) -> Resolution {
        match xref::lexical(Path::new("/ws"), written) {
            Some(p) => Resolution::Found(vec![p]),
            None => Resolution::NotFound,
        }
    }
    fn line_count(&self, _file: &Path) -> Option<usize> {
        Some(1_000)
    }
}

fn report(name: &str, mut v: Vec<Duration>) {
    v.sort_unstable();
    let q = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1].as_secs_f64() * 1e3;
    println!("{name}: p50 {:.3} ms, p99 {:.3} ms", q(0.5), q(0.99));
}

fn time(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --benches`
    }
    let root = PathBuf::from("/ws");
    let config = Config::default();
    let t = Instant::now();
    let summaries: Vec<_> = (0..1_000)
        .filter_map(|i| {
            let text = gen::work_log_seeded(4, i as u64 + 7).replacen(
                "**Files:**\n",
                &format!("**Files:**\n- `src/features/f{:03}.ts`\n", i / 10),
                1,
            );
            let path = root.join(format!("logs/L{i:04}-WorkLog.md"));
            xref::summarise_text(&text, &path, Some(&root), &config, &Everything)
        })
        .collect();
    let refs: usize = summaries.iter().map(|s| s.refs.len()).sum();
    let indexes = [Arc::new(LogIndex::new(summaries))];
    println!("1,000 logs parsed and summarised in {:?} ({refs} references)", t.elapsed());
    let logs = Logs { indexes: &indexes, open: &[] };
    for (what, target) in [("hot file (every log)", "src/auth/service.ts"), ("feature file (ten logs)", "src/features/f000.ts")] {
        let target = root.join(target);
        let mut n = 0;
        report(&format!("references_to, {what}"), time(300, || n = xref::references_to(&logs, &target, Some((1, 40))).len()));
        let mut bytes = 0;
        let answer = time(300, || {
            let found = xref::references_to(&logs, &target, Some((1, 40)));
            let locations: Vec<lsp::Location> =
                found.iter().filter_map(|f| to_proto::location(f.log, &f.r.range, Encoding::Utf16)).collect();
            bytes = serde_json::to_vec(&serde_json::to_value(&locations).unwrap()).unwrap().len();
        });
        report(&format!("  + locations and JSON through a Value ({n} locations, {bytes} bytes)"), answer);
    }
    for q in ["v3", "token refresh", "middleware", "", "v1 retry"] {
        let mut n = 0;
        report(&format!("find_entries {q:?}"), time(300, || n = xref::find_entries(&logs, q, 128).len()));
        println!("  ({n} results)");
    }
}
