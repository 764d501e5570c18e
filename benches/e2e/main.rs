//! End-to-end latency of the release `worklog-ls` binary, measured as a
//! client sees it: the harness spawns the server over stdio, speaks LSP to
//! it like VS Code (UTF-16 positions, dynamic file watching, work-done
//! progress), and times each scenario of issue 5 from the moment a message
//! is written to the moment the answer's last byte is read.
//!
//! Run (one command; builds the release binary first):
//!
//! ```text
//! nice -n 10 cargo bench --bench e2e
//! WLBENCH_QUICK=1 cargo bench --bench e2e          # fewer samples
//! cargo bench --bench e2e -- keystroke completion   # only some scenarios
//! ```
//!
//! Scenarios: `startup` (spawn → initialize, didOpen during indexing, index
//! build time), `open`, `keystroke`, `completion`, `ide` (definition, hover,
//! documentSymbol), `semantic` (semantic tokens full and delta of a
//! 1,000-entry log), `memory` (peak RSS with the 100k index and ten open
//! logs), `xref` (1,000 logs: keystrokes while they are indexed,
//! `workspace/symbol`, `references`; its own generated folder). The generated repository (100,000 files + 20,000 ignored under
//! `node_modules/`) is written once under Cargo's `target/tmp/` and reused.
//! `WLBENCH_BIN=/path/to/worklog-ls` measures another binary.

#![allow(clippy::print_stdout)] // a bench prints its report

mod client;
#[path = "../support/gen.rs"]
mod gen;
mod xref;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use client::{file_uri, initialize_params, Client};

const REPO_FILES: usize = 100_000;
const REPO_IGNORED: usize = 20_000;
const LONG: Duration = Duration::from_secs(60);
/// Pause between keystrokes in the paced run (a very fast typist).
const PACE: Duration = Duration::from_millis(20);

/// A target: a bound on p50 and/or p99 (ms), or on a single value.
#[derive(Clone, Copy)]
struct Target {
    p50: Option<f64>,
    p99: Option<f64>,
    text: &'static str,
}

const fn t(p50: Option<f64>, p99: Option<f64>, text: &'static str) -> Option<Target> {
    Some(Target { p50, p99, text })
}

struct Row {
    name: String,
    samples: Vec<Duration>,
    target: Option<Target>,
    note: String,
}

fn pct(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn fmt_ms(d: Duration) -> String {
    let v = ms(d);
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

struct Bench {
    bin: PathBuf,
    root: PathBuf,
    quick: bool,
    only: Vec<String>,
    rows: Vec<Row>,
    notes: Vec<String>,
    memory: Vec<(String, u64, u64)>,
}

impl Bench {
    fn n(&self, full: usize, quick: usize) -> usize {
        if self.quick {
            quick
        } else {
            full
        }
    }

    fn wants(&self, s: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == s)
    }

    fn row(&mut self, name: impl Into<String>, samples: Vec<Duration>, target: Option<Target>, note: impl Into<String>) {
        let mut samples = samples;
        samples.sort_unstable();
        let row = Row { name: name.into(), samples, target, note: note.into() };
        eprintln!("  {}", describe(&row));
        self.rows.push(row);
    }

    fn note(&mut self, s: impl Into<String>) {
        let s = s.into();
        eprintln!("  note: {s}");
        self.notes.push(s);
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.root.join(name))
    }

    /// Spawn, initialize, `initialized`: (client, spawn→initialize response,
    /// instant `initialized` was sent).
    fn start(&self) -> (Client, Duration, Instant) {
        let t0 = Instant::now();
        let mut c = Client::spawn(&self.bin, &self.root);
        let (_, m) = c.request_msg("initialize", initialize_params(&self.root), LONG);
        let init = m.at - t0;
        let sent = c.notify("initialized", json!({}));
        (c, init, sent)
    }
}

/// Small helpers on the client that need the harness's conventions.
trait ClientExt {
    fn open(&mut self, uri: &str, text: &str, version: i64) -> Instant;
    fn close(&mut self, uri: &str);
    fn diagnostics_at_least(&mut self, uri: &str, version: i64) -> Option<client::Msg>;
    fn index_ready(&mut self) -> Option<client::Msg>;
    fn change(&mut self, uri: &str, version: i64, at: (u32, u32), end: (u32, u32), text: &str) -> Instant;
}

impl ClientExt for Client {
    fn open(&mut self, uri: &str, text: &str, version: i64) -> Instant {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}}),
        )
    }
    fn close(&mut self, uri: &str) {
        self.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    }
    fn diagnostics_at_least(&mut self, uri: &str, version: i64) -> Option<client::Msg> {
        self.wait(LONG, |v| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == uri
                && v["params"]["version"].as_i64().is_some_and(|x| x >= version)
        })
    }
    fn index_ready(&mut self) -> Option<client::Msg> {
        self.wait(LONG, |v| v["method"] == "$/progress" && v["params"]["value"]["kind"] == "end")
    }
    fn change(&mut self, uri: &str, version: i64, at: (u32, u32), end: (u32, u32), text: &str) -> Instant {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {"start": {"line": at.0, "character": at.1}, "end": {"line": end.0, "character": end.1}},
                    "text": text
                }]
            }),
        )
    }
}

/// LSP position (UTF-16) of byte `off` in `text`.
fn position(text: &str, off: usize) -> (u32, u32) {
    let before = &text[..off];
    let line = before.bytes().filter(|&b| b == b'\n').count();
    let ls = before.rfind('\n').map_or(0, |i| i + 1);
    (line as u32, text[ls..off].encode_utf16().count() as u32)
}

/// A cursor that moves as characters are typed.
#[derive(Clone, Copy)]
struct Cursor(u32, u32);

impl Cursor {
    fn advance(&mut self, ch: char) {
        if ch == '\n' {
            self.0 += 1;
            self.1 = 0;
        } else {
            self.1 += ch.len_utf16() as u32;
        }
    }
}

fn pos(p: (u32, u32)) -> Value {
    json!({"line": p.0, "character": p.1})
}

// ---------------------------------------------------------------- scenarios

/// Spawn → initialize; didOpen of a normal log sent right after
/// `initialized` (while the 100k index is being built) → diagnostics; a
/// hover meanwhile; initialized → `$/progress` end.
fn startup(b: &mut Bench) {
    eprintln!("startup: spawn in the 100k-file repository, open a log at once");
    let runs = b.n(10, 3);
    let normal = gen::work_log(10);
    let hover_at = position(&normal, normal.rfind("\n- `src/").or_else(|| normal.rfind("\n- `")).unwrap() + 5);
    let (mut init, mut open, mut hover, mut index, mut hwm) = (vec![], vec![], vec![], vec![], vec![]);
    let mut hovered_while_indexing = 0;
    let mut indexed = String::new();
    for i in 0..runs {
        let (mut c, init_lat, sent) = b.start();
        init.push(init_lat);
        let uri = b.uri(&format!("Normal-{i}-WorkLog.md"));
        let t = c.open(&uri, &normal, 1);
        let d = c.diagnostics_at_least(&uri, 1).expect("diagnostics of the normal log");
        open.push(d.at - t);
        let (lat, _) = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos(hover_at)}), LONG);
        let ready_early = c.wait(Duration::ZERO, |v| v["method"] == "$/progress" && v["params"]["value"]["kind"] == "end");
        if ready_early.is_none() {
            hovered_while_indexing += 1;
        }
        hover.push(lat);
        let end = ready_early.or_else(|| c.index_ready()).expect("index progress end");
        index.push(end.at - sent);
        indexed = end.v["params"]["value"]["message"].as_str().unwrap_or("").to_string();
        hwm.push(c.memory_kib().0);
        c.stop();
    }
    b.row("spawn → initialize response", init, t(Some(20.0), None, "≤ 20 ms"), "");
    b.row(
        "didOpen normal log (10 entries) → diagnostics, during indexing",
        open,
        t(Some(20.0), None, "≤ 20 ms, never waits for the index"),
        "",
    );
    b.row(
        "hover on a reference during indexing",
        hover,
        None,
        format!("{hovered_while_indexing}/{runs} answered before the index was ready"),
    );
    b.row(
        "workspace index (100k files + 20k ignored) initialized → $/progress end",
        index,
        t(Some(1500.0), None, "≤ 1.5 s"),
        format!("progress message: {indexed}"),
    );
    let max = hwm.iter().copied().max().unwrap_or(0);
    b.memory.push(("100k index, one 10-entry log (after startup)".into(), max, 0));
}

/// A long-lived session over the 100k repository, index ready.
fn session(b: &mut Bench) -> Client {
    let (mut c, _, _) = b.start();
    c.index_ready().expect("index ready");
    c.clear(Duration::from_millis(300));
    c
}

fn open_scenarios(b: &mut Bench, c: &mut Client) {
    eprintln!("open: didOpen → first publishDiagnostics (index ready)");
    let normal = gen::work_log(10);
    let mut v = vec![];
    for i in 0..b.n(50, 10) {
        let uri = b.uri(&format!("Steady-{i}-WorkLog.md"));
        let t = c.open(&uri, &normal, 1);
        let d = c.diagnostics_at_least(&uri, 1).expect("diagnostics");
        v.push(d.at - t);
        c.close(&uri);
    }
    c.clear(Duration::from_millis(100));
    b.row("didOpen normal log (10 entries, 12 KB) → diagnostics", v, t(Some(20.0), None, "≤ 20 ms"), "");

    for (n, runs, target) in [(1_000, b.n(10, 3), None), (5_000, b.n(10, 3), t(Some(100.0), None, "≤ 100 ms"))] {
        let text = gen::work_log(n);
        let mut v = vec![];
        let mut count = 0;
        for i in 0..runs {
            let uri = b.uri(&format!("Open{n}-{i}-WorkLog.md"));
            let t = c.open(&uri, &text, 1);
            let d = c.diagnostics_at_least(&uri, 1).expect("diagnostics");
            v.push(d.at - t);
            count = d.v["params"]["diagnostics"].as_array().map_or(0, Vec::len);
            c.close(&uri);
            c.clear(Duration::from_millis(50));
        }
        b.row(
            format!("didOpen {n}-entry log ({:.1} MB) → diagnostics", text.len() as f64 / 1e6),
            v,
            target,
            format!("{count} diagnostics"),
        );
    }
}

/// Typing [`gen::TYPED`] into the latest entry. `pace`: open-loop, one key
/// every `pace` whatever the answers (latency of key v = first publish with
/// version ≥ v); `None`: each key is sent when the previous one's
/// diagnostics arrive.
fn typing(c: &mut Client, uri: &str, text: &str, keys: usize, pace: Option<Duration>) -> (Vec<Duration>, usize) {
    c.open(uri, text, 1);
    c.diagnostics_at_least(uri, 1).expect("diagnostics after open");
    let (l, col) = position(text, gen::typing_offset(text));
    let mut cur = Cursor(l, col);
    let chars: Vec<char> = gen::TYPED.chars().cycle().take(keys).collect();
    let mut lat = Vec::with_capacity(keys);
    let mut publishes = 0;
    let mut buf = [0u8; 4];
    match pace {
        None => {
            for (i, ch) in chars.iter().enumerate() {
                let ver = 2 + i as i64;
                let t = c.change(uri, ver, (cur.0, cur.1), (cur.0, cur.1), ch.encode_utf8(&mut buf));
                cur.advance(*ch);
                let d = c.diagnostics_at_least(uri, ver).expect("diagnostics for the keystroke");
                lat.push(d.at - t);
                publishes += 1;
            }
        }
        Some(pace) => {
            let start = Instant::now();
            let mut sent = Vec::with_capacity(keys);
            for (i, ch) in chars.iter().enumerate() {
                let due = start + pace * i as u32;
                if let Some(w) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(w);
                }
                let ver = 2 + i as i64;
                sent.push((ver, c.change(uri, ver, (cur.0, cur.1), (cur.0, cur.1), ch.encode_utf8(&mut buf))));
                cur.advance(*ch);
            }
            let last = 1 + keys as i64;
            let mut pubs: Vec<(i64, Instant)> = vec![];
            loop {
                let d = c.diagnostics_at_least(uri, 2).expect("diagnostics while typing");
                let ver = d.v["params"]["version"].as_i64().unwrap();
                pubs.push((ver, d.at));
                if ver >= last {
                    break;
                }
            }
            publishes = pubs.len();
            for (ver, t) in sent {
                let at = pubs.iter().find(|(p, _)| *p >= ver).expect("a publish covers every version").1;
                lat.push(at - t);
            }
        }
    }
    c.close(uri);
    c.clear(Duration::from_millis(100));
    (lat, publishes)
}

fn keystroke_scenarios(b: &mut Bench, c: &mut Client) {
    eprintln!("keystroke: didChange (one character, latest entry) → publishDiagnostics");
    let keys = b.n(300, 60);
    // `WLBENCH_KEY_SIZES=1000` runs one size only (for profiling).
    let sizes: Vec<usize> = std::env::var("WLBENCH_KEY_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 1_000, 5_000]);
    for n in sizes {
        let text = gen::work_log(n);
        let (target, label) = match n {
            1_000 => (t(Some(1.0), Some(3.0), "p50 ≤ 1 ms, p99 ≤ 3 ms"), "≈ 36k lines"),
            5_000 => (t(None, Some(10.0), "p99 ≤ 10 ms"), "≈ 6 MB"),
            _ => (None, "curve"),
        };
        let (lat, pubs) = typing(c, &b.uri(&format!("Keys{n}-paced-WorkLog.md")), &text, keys, Some(PACE));
        b.row(
            format!("keystroke → diagnostics, {n} entries ({label}), paced 20 ms"),
            lat,
            target,
            format!("{keys} keys, {pubs} publishes"),
        );
        let (lat, _) = typing(c, &b.uri(&format!("Keys{n}-serial-WorkLog.md")), &text, keys, None);
        b.row(format!("keystroke → diagnostics, {n} entries, back-to-back"), lat, target, format!("{keys} keys, next sent on each answer"));
    }
}

fn completion_scenario(b: &mut Bench, c: &mut Client) {
    eprintln!("completion: typing path prefixes in a Files bullet, 100k-file index");
    let text = gen::work_log(10);
    let uri = b.uri("Completion-WorkLog.md");
    c.open(&uri, &text, 1);
    c.diagnostics_at_least(&uri, 1).expect("diagnostics");
    let files_end = text.rfind("\n\n**Work:**").unwrap();
    let (l, col) = position(&text, files_end);
    let mut ver = 2;
    c.change(&uri, ver, (l, col), (l, col), "\n- `");
    let line = l + 1;
    let base = 3u32; // after "- `"
    let mut lat = vec![];
    let (mut first, mut later) = (vec![], vec![]);
    let mut firsts = vec![];
    let mut best_ok = 0;
    let mut best_checked = 0;
    let mut buf = [0u8; 4];
    for round in 0..b.n(3, 1) {
        for q in gen::COMPLETION_QUERIES {
            let mut col = base;
            let mut top = String::new();
            for ch in q.chars() {
                ver += 1;
                c.change(&uri, ver, (line, col), (line, col), ch.encode_utf8(&mut buf));
                col += ch.len_utf16() as u32;
                let (d, r) =
                    c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": pos((line, col))}), LONG);
                lat.push(d);
                if col == base + 1 {
                    first.push(d);
                } else {
                    later.push(d);
                }
                let items = r.get("items").or(Some(&r)).and_then(Value::as_array).cloned().unwrap_or_default();
                top = items.first().and_then(|i| i["label"].as_str()).unwrap_or("").to_string();
            }
            if round == 0 {
                // Queries that name one hot file must put it first.
                // (Only path-like queries: `parser.rs` names several files.)
                let hot = gen::HOT_FILES.iter().find(|(p, _)| q.contains('/') && p.contains(q));
                if let Some((want, _)) = hot {
                    best_checked += 1;
                    if top == *want {
                        best_ok += 1;
                    }
                }
                firsts.push(format!("`{q}` → `{top}`"));
            }
            ver += 1;
            c.change(&uri, ver, (line, base), (line, col), "");
        }
    }
    c.close(&uri);
    c.clear(Duration::from_millis(100));
    let n = lat.len();
    b.row(
        "completion, 100k-file repository, typing growing prefixes",
        lat,
        t(Some(3.0), Some(10.0), "p50 ≤ 3 ms, p99 ≤ 10 ms, best match first"),
        format!("{n} queries; exact-path best match first {best_ok}/{best_checked}"),
    );
    b.row("  of which: first character (whole index scored)", first, None, "");
    b.row("  of which: later characters (previous matches narrowed)", later, None, "");
    b.note(format!("completion top items: {}", firsts.join(", ")));
}

fn ide_scenarios(b: &mut Bench, c: &mut Client) {
    eprintln!("ide: definition / hover on references, documentSymbol");
    let text = gen::work_log(5_000);
    let uri = b.uri("Ide5000-WorkLog.md");
    c.open(&uri, &text, 1);
    c.diagnostics_at_least(&uri, 1).expect("diagnostics");
    let work = text.rfind("\n**Work:**\n").unwrap() + "\n**Work:**\n".len();
    let spots = [
        position(&text, text.rfind("\n- `").unwrap() + 5),   // Files bullet path
        position(&text, work + 4),                           // Work line path
        position(&text, text.rfind("\n  - L").unwrap() + 5), // nested line range
    ];
    let runs = b.n(300, 60);
    for (method, name) in [("textDocument/definition", "definition"), ("textDocument/hover", "hover")] {
        let mut lat = vec![];
        let mut empty = 0;
        for i in 0..runs {
            let (d, r) = c.request(method, json!({"textDocument": {"uri": uri}, "position": pos(spots[i % 3])}), LONG);
            if r.is_null() {
                empty += 1;
            }
            lat.push(d);
        }
        b.row(
            format!("{name} on a reference (5,000-entry log)"),
            lat,
            t(None, Some(2.0), "p99 ≤ 2 ms"),
            format!("{runs} requests, {empty} empty answers"),
        );
    }
    let before = c.memory_kib().0;
    let mut lat = vec![];
    let (mut size, mut items) = (0, 0);
    for _ in 0..b.n(30, 5) {
        let (d, r) = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}), LONG);
        size = serde_json::to_vec(&r).map_or(0, |v| v.len());
        items = r.as_array().map_or(0, Vec::len);
        lat.push(d);
    }
    b.row(
        "documentSymbol, 5,000-entry log",
        lat,
        t(None, Some(2.0), "p99 ≤ 2 ms"),
        format!(
            "response {:.0} KB, {} top-level items; server peak RSS {:.0} → {:.0} MB",
            size as f64 / 1e3,
            items,
            before as f64 / 1024.0,
            c.memory_kib().0 as f64 / 1024.0
        ),
    );
    c.close(&uri);
    c.clear(Duration::from_millis(100));
}

/// Semantic tokens of a 1,000-entry log: the full result, and the delta
/// after a keystroke in the latest entry.
fn semantic_scenario(b: &mut Bench, c: &mut Client) {
    eprintln!("semantic: tokens of a 1,000-entry log");
    let text = gen::work_log(1_000);
    let uri = b.uri("Sem1000-WorkLog.md");
    c.open(&uri, &text, 1);
    c.diagnostics_at_least(&uri, 1).expect("diagnostics");
    let runs = b.n(100, 20);
    let (mut lat, mut size, mut tokens) = (vec![], 0, 0);
    let mut id = Value::Null;
    for _ in 0..runs {
        let (d, r) = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}), LONG);
        tokens = r["data"].as_array().map_or(0, |a| a.len() / 5);
        size = serde_json::to_vec(&r).map_or(0, |v| v.len());
        id = r["resultId"].clone();
        lat.push(d);
    }
    b.row(
        "semanticTokens/full, 1,000-entry log",
        lat,
        t(None, Some(5.0), "≤ 5 ms"),
        format!("{tokens} tokens, response {:.0} KB", size as f64 / 1e3),
    );
    let (l, col) = position(&text, gen::typing_offset(&text));
    let mut cur = Cursor(l, col);
    let mut buf = [0u8; 4];
    let (mut lat, mut edits) = (vec![], 0);
    for (i, ch) in gen::TYPED.chars().take(runs).enumerate() {
        c.change(&uri, 2 + i as i64, (cur.0, cur.1), (cur.0, cur.1), ch.encode_utf8(&mut buf));
        cur.advance(ch);
        let (d, r) =
            c.request("textDocument/semanticTokens/full/delta", json!({"textDocument": {"uri": uri}, "previousResultId": id}), LONG);
        edits += r["edits"].as_array().map_or(0, Vec::len);
        id = r["resultId"].clone();
        lat.push(d);
    }
    b.row("semanticTokens/full/delta after a keystroke, 1,000-entry log", lat, None, format!("{runs} keystrokes, {edits} edits"));
    c.close(&uri);
    c.clear(Duration::from_millis(100));
}

/// Fresh server, index ready, `logs` open, some typing and completion;
/// then VmHWM / VmRSS.
fn memory_scenario(b: &mut Bench, label: &str, logs: &[usize]) {
    eprintln!("memory: {label}");
    let mut c = session(b);
    let mut last = (String::new(), String::new());
    for (i, &n) in logs.iter().enumerate() {
        let text = gen::work_log_seeded(n, i as u64 + 1);
        let uri = b.uri(&format!("Mem-{i}-WorkLog.md"));
        c.open(&uri, &text, 1);
        c.diagnostics_at_least(&uri, 1).expect("diagnostics");
        last = (uri, text);
    }
    let (uri, text) = last;
    // A little typing and completion in the last log.
    let (l, col) = position(&text, gen::typing_offset(&text));
    let mut cur = Cursor(l, col);
    let mut buf = [0u8; 4];
    for (i, ch) in gen::TYPED.chars().take(60).enumerate() {
        c.change(&uri, 2 + i as i64, (cur.0, cur.1), (cur.0, cur.1), ch.encode_utf8(&mut buf));
        cur.advance(ch);
    }
    c.diagnostics_at_least(&uri, 61).expect("diagnostics after typing");
    c.change(&uri, 62, (cur.0, cur.1), (cur.0, cur.1), "\n- `");
    cur = Cursor(cur.0 + 1, 3);
    for (i, ch) in "src/auth/serv".chars().enumerate() {
        c.change(&uri, 63 + i as i64, (cur.0, cur.1), (cur.0, cur.1), ch.encode_utf8(&mut buf));
        cur.advance(ch);
        c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": pos((cur.0, cur.1))}), LONG);
    }
    std::thread::sleep(Duration::from_millis(300));
    let (hwm, rss) = c.memory_kib();
    b.memory.push((label.to_string(), hwm, rss));
    eprintln!("  peak {:.1} MB, now {:.1} MB", hwm as f64 / 1024.0, rss as f64 / 1024.0);
    c.stop();
}

// -------------------------------------------------------------- the report

fn describe(r: &Row) -> String {
    let s = &r.samples;
    format!(
        "{}: n={} p50 {} p90 {} p99 {} max {} ms",
        r.name,
        s.len(),
        fmt_ms(pct(s, 0.5)),
        fmt_ms(pct(s, 0.9)),
        fmt_ms(pct(s, 0.99)),
        fmt_ms(*s.last().unwrap())
    )
}

fn verdict(r: &Row) -> &'static str {
    let Some(t) = r.target else { return "" };
    let s = &r.samples;
    let ok50 = t.p50.is_none_or(|b| ms(pct(s, 0.5)) <= b);
    let ok99 = t.p99.is_none_or(|b| ms(pct(s, 0.99)) <= b);
    match (ok50, ok99) {
        (true, true) => "met",
        _ => "**missed**",
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!("{cores} cores, {cpu}; load average at the end: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn report(b: &Bench) {
    println!("\n## worklog-ls end-to-end latency (client-side, ms)\n");
    println!("binary: `{}`  ", b.bin.display());
    println!("machine: {}\n", machine());
    println!("| scenario | n | p50 | p90 | p99 | max | target | verdict | notes |");
    println!("|---|---:|---:|---:|---:|---:|---|---|---|");
    for r in &b.rows {
        let s = &r.samples;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            s.len(),
            fmt_ms(pct(s, 0.5)),
            fmt_ms(pct(s, 0.9)),
            fmt_ms(pct(s, 0.99)),
            fmt_ms(*s.last().unwrap()),
            r.target.map_or("", |t| t.text),
            verdict(r),
            r.note
        );
    }
    if !b.memory.is_empty() {
        println!("\n| memory (server process) | peak RSS (VmHWM) | RSS at the end | target | verdict |");
        println!("|---|---:|---:|---|---|");
        for (label, hwm, rss) in &b.memory {
            let mb = *hwm as f64 / 1024.0;
            let is_target = label.starts_with("100k index, ten");
            println!(
                "| {label} | {mb:.1} MB | {} | {} | {} |",
                if *rss > 0 { format!("{:.1} MB", *rss as f64 / 1024.0) } else { "–".into() },
                if is_target { "≤ 60 MB" } else { "" },
                if is_target {
                    if mb <= 60.0 {
                        "met"
                    } else {
                        "**missed**"
                    }
                } else {
                    ""
                }
            );
        }
    }
    for n in &b.notes {
        println!("\n{n}");
    }
}

// -------------------------------------------------------------------- main

const SCENARIOS: [&str; 8] = ["startup", "open", "keystroke", "completion", "ide", "semantic", "memory", "xref"];

/// Scenario names among the arguments. `cargo bench -- <filter>` passes the
/// same arguments to every bench: criterion's options and their values are
/// skipped, and a filter naming no scenario selects none.
fn scenario_filter(args: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if a.starts_with('-') {
            skip = !a.contains('=')
                && !matches!(a.as_str(), "--bench" | "--test" | "--list" | "--quiet" | "--verbose" | "--noplot" | "--exact");
        } else {
            words.push(a.clone());
        }
    }
    let known: Vec<String> = words.iter().filter(|w| SCENARIOS.contains(&w.as_str())).cloned().collect();
    if known.is_empty() && !words.is_empty() {
        return vec!["none".into()];
    }
    known
}

/// The generated repository, written once under `target/tmp/`.
fn repo() -> PathBuf {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = base.join("wlbench-repo-100k");
    let stamp = base.join("wlbench-repo-100k.stamp");
    let want = format!("gen v1 {REPO_FILES} {REPO_IGNORED}\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) && root.is_dir() {
        return root;
    }
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_file(&stamp);
    std::fs::create_dir_all(&root).expect("create the repository folder");
    gen::write_repo(&root, REPO_FILES, REPO_IGNORED).expect("write the repository");
    std::fs::write(root.join("worklog.toml"), "# worklog-ls benchmark workspace\n").expect("worklog.toml");
    std::fs::write(&stamp, want).expect("stamp");
    eprintln!("generated {REPO_FILES} files + {REPO_IGNORED} ignored in {:.1?} at {}", started.elapsed(), root.display());
    root
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        // `cargo test --benches` runs bench targets without `--bench`.
        eprintln!("e2e: run with `cargo bench --bench e2e`; nothing to do in test mode");
        return;
    }
    let bin = std::env::var_os("WLBENCH_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_worklog-ls")), PathBuf::from);
    if !bin.to_string_lossy().contains("release") {
        eprintln!("warning: {} does not look like a release build", bin.display());
    }
    let root = repo().canonicalize().expect("canonical repository root");
    let mut b = Bench {
        bin,
        root,
        quick: std::env::var_os("WLBENCH_QUICK").is_some(),
        only: scenario_filter(&args),
        rows: vec![],
        notes: vec![],
        memory: vec![],
    };
    if b.only.iter().any(|o| o == "none") {
        eprintln!("e2e: no scenario selected by the filter; nothing to do");
        return;
    }
    eprintln!("worklog-ls e2e: {} in {}", b.bin.display(), b.root.display());
    if b.wants("startup") {
        startup(&mut b);
    }
    if ["open", "keystroke", "completion", "ide", "semantic"].iter().any(|s| b.wants(s)) {
        let mut c = session(&mut b);
        // VmHWM only grows: sampled after each scenario, it shows which one
        // raised the peak.
        let mut peaks = vec![format!("index ready {:.0} MB", c.memory_kib().0 as f64 / 1024.0)];
        let mut peak = |c: &Client, what: &str| peaks.push(format!("{what} {:.0} MB", c.memory_kib().0 as f64 / 1024.0));
        if b.wants("open") {
            open_scenarios(&mut b, &mut c);
            peak(&c, "open");
        }
        if b.wants("keystroke") {
            keystroke_scenarios(&mut b, &mut c);
            peak(&c, "keystroke");
        }
        if b.wants("completion") {
            completion_scenario(&mut b, &mut c);
            peak(&c, "completion");
        }
        if b.wants("ide") {
            ide_scenarios(&mut b, &mut c);
            peak(&c, "ide");
        }
        if b.wants("semantic") {
            semantic_scenario(&mut b, &mut c);
            peak(&c, "semantic");
        }
        b.note(format!("peak RSS of the scenarios' session after each scenario: {}", peaks.join(", ")));
        let (hwm, rss) = c.memory_kib();
        b.memory.push(("the scenarios' session (after all of the above)".into(), hwm, rss));
        c.stop();
    }
    if b.wants("xref") {
        xref::xref_scenario(&mut b);
    }
    if b.wants("memory") {
        memory_scenario(&mut b, "100k index, ten 100-entry logs", &[100; 10]);
        memory_scenario(
            &mut b,
            "100k index, ten logs: 5,000 + 1,000 + eight 100-entry",
            &[5_000, 1_000, 100, 100, 100, 100, 100, 100, 100, 100],
        );
    }
    report(&b);
}
