//! Workspace index and fuzzy path matching on a 100,000-file repository.
//!
//! A deterministic generator writes the repository once per run to a
//! temporary folder: 100,000 visible files in a realistic tree (9,000
//! folders, paths of 39 characters on average, names drawn from 300 common
//! words; including `src/routes/auth.ts` and `src/auth/service.ts`) and an
//! ignored `node_modules/` of 20,000 more that the walk must skip. Then:
//!
//! - `index/build_100k`: [`FileIndex::build`] (warm file-system cache);
//! - `query_cold/<q>`: one query scored against every path (no narrowing);
//! - `query_typing/<q>`: one keystroke, narrowed from the previous prefix
//!   (`s` → `se` → `ser` → `serv`), as completion sees it while typing.
//!
//! Before criterion runs, the median and 95th percentile of each query are
//! printed from 100 timed runs, on one thread and on the default number
//! (criterion's figures are means of batches).
//!
//! Run: `cargo bench --bench index` (add `-- query` to run only the queries).

#![allow(clippy::print_stdout)] // a bench prints its report

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{black_box, Criterion};
use worklog_ls::workspace::{FileIndex, PathMatcher};

/// Visible files in the generated repository.
const FILES: usize = 100_000;
/// Ignored files under `node_modules/`.
const IGNORED: usize = 20_000;
/// Completion list size, as the server uses.
const LIMIT: usize = 50;

const COLD_QUERIES: [&str; 5] = ["rout", "src/au", "servts", "s", "serv"];
const TYPING: [&str; 4] = ["s", "se", "ser", "serv"];

const AREAS: [&str; 8] = ["src", "packages", "services", "apps", "tests", "docs", "tools", "crates"];
const WORDS: [&str; 301] = [
    "auth",
    "routes",
    "api",
    "models",
    "utils",
    "services",
    "components",
    "hooks",
    "store",
    "config",
    "core",
    "db",
    "handlers",
    "middleware",
    "views",
    "lib",
    "common",
    "internal",
    "server",
    "client",
    "ui",
    "features",
    "admin",
    "billing",
    "users",
    "orders",
    "payments",
    "search",
    "reports",
    "jobs",
    "workers",
    "events",
    "cache",
    "storage",
    "http",
    "grpc",
    "schema",
    "migrations",
    "session",
    "token",
    "account",
    "address",
    "adapter",
    "agent",
    "alert",
    "analytics",
    "app",
    "archive",
    "asset",
    "audit",
    "backup",
    "banner",
    "batch",
    "bridge",
    "browser",
    "buffer",
    "build",
    "bundle",
    "button",
    "calendar",
    "canvas",
    "card",
    "cart",
    "catalog",
    "channel",
    "chart",
    "chat",
    "checkout",
    "cli",
    "cluster",
    "codec",
    "color",
    "command",
    "comment",
    "compiler",
    "connection",
    "console",
    "contact",
    "container",
    "context",
    "controller",
    "converter",
    "cookie",
    "coupon",
    "cron",
    "crypto",
    "csv",
    "dashboard",
    "data",
    "date",
    "debug",
    "decoder",
    "delivery",
    "deploy",
    "device",
    "dialog",
    "diff",
    "directory",
    "dispatch",
    "display",
    "dns",
    "docker",
    "document",
    "domain",
    "download",
    "driver",
    "editor",
    "email",
    "embed",
    "encoder",
    "engine",
    "entity",
    "env",
    "error",
    "export",
    "extension",
    "factory",
    "feed",
    "fetch",
    "field",
    "file",
    "filter",
    "font",
    "footer",
    "form",
    "format",
    "frame",
    "gateway",
    "generator",
    "geo",
    "graph",
    "grid",
    "group",
    "guard",
    "header",
    "health",
    "helper",
    "history",
    "host",
    "icon",
    "image",
    "import",
    "index",
    "input",
    "install",
    "invoice",
    "item",
    "kernel",
    "key",
    "label",
    "layout",
    "ledger",
    "legacy",
    "link",
    "list",
    "loader",
    "locale",
    "lock",
    "log",
    "login",
    "logout",
    "mail",
    "manager",
    "map",
    "markdown",
    "matcher",
    "media",
    "memory",
    "menu",
    "message",
    "metrics",
    "mock",
    "modal",
    "module",
    "monitor",
    "mount",
    "network",
    "node",
    "notify",
    "oauth",
    "object",
    "observer",
    "option",
    "output",
    "page",
    "panel",
    "parser",
    "password",
    "patch",
    "path",
    "payload",
    "peer",
    "permission",
    "pipeline",
    "plugin",
    "policy",
    "pool",
    "popup",
    "portal",
    "post",
    "preview",
    "price",
    "printer",
    "process",
    "product",
    "profile",
    "progress",
    "project",
    "prompt",
    "provider",
    "proxy",
    "query",
    "queue",
    "quota",
    "rate",
    "reader",
    "record",
    "redirect",
    "registry",
    "release",
    "render",
    "repo",
    "request",
    "resolver",
    "resource",
    "response",
    "result",
    "retry",
    "review",
    "role",
    "router",
    "rule",
    "runtime",
    "sandbox",
    "scanner",
    "scheduler",
    "scope",
    "script",
    "sdk",
    "secret",
    "selector",
    "sender",
    "sequence",
    "serializer",
    "setting",
    "shader",
    "shell",
    "signal",
    "signup",
    "sitemap",
    "slider",
    "snapshot",
    "socket",
    "sort",
    "source",
    "spec",
    "stack",
    "state",
    "stats",
    "status",
    "step",
    "stream",
    "style",
    "subscription",
    "summary",
    "support",
    "sync",
    "table",
    "tag",
    "task",
    "template",
    "tenant",
    "test",
    "theme",
    "thread",
    "ticket",
    "timer",
    "toast",
    "tool",
    "tracker",
    "transform",
    "tree",
    "trigger",
    "type",
    "upload",
    "user",
    "validator",
    "value",
    "vendor",
    "version",
    "video",
    "view",
    "wallet",
    "webhook",
    "widget",
    "window",
    "wizard",
    "worker",
    "workflow",
    "writer",
    "zone",
];
const EXTENSIONS: [&str; 12] = ["ts", "tsx", "rs", "py", "go", "md", "json", "yaml", "sql", "toml", "js", "css"];

/// A small deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

/// Folders of the generated repository (about 11 files each, as in real
/// repositories): the areas, some packages, and nested folders below them.
const FOLDERS: usize = 9_000;

/// The relative paths of the generated repository (deterministic).
fn generate_paths() -> (Vec<String>, Vec<String>) {
    let mut rng = Lcg(0x5eed);
    let mut folders: Vec<String> = AREAS.iter().map(|a| a.to_string()).collect();
    let mut folder_set: HashSet<String> = folders.iter().cloned().collect();
    for area in ["packages", "services", "apps", "crates"] {
        for _ in 0..25 {
            let package = format!("{area}/{}-{}/src", rng.pick(&WORDS), rng.pick(&WORDS));
            if folder_set.insert(package.clone()) {
                folders.push(package);
            }
        }
    }
    while folders.len() < FOLDERS {
        // Parents are drawn from the first folders more often: a bushy top.
        let parent = &folders[rng.next() % (1 + rng.next() % folders.len())];
        if parent.matches('/').count() >= 3 {
            continue;
        }
        let folder = format!("{parent}/{}", rng.pick(&WORDS));
        if folder_set.insert(folder.clone()) {
            folders.push(folder);
        }
    }
    let mut seen = HashSet::new();
    let mut visible = Vec::with_capacity(FILES);
    for fixed in ["README.md", "src/routes/auth.ts", "src/auth/service.ts"] {
        seen.insert(fixed.to_string());
        visible.push(fixed.to_string());
    }
    while visible.len() < FILES {
        let folder = &folders[rng.next() % folders.len()];
        let stem = match rng.next() % 3 {
            0 => rng.pick(&WORDS).to_string(),
            1 => format!("{}_{}", rng.pick(&WORDS), rng.pick(&WORDS)),
            _ => format!("{}{}", rng.pick(&WORDS), rng.next() % 100),
        };
        let path = format!("{folder}/{stem}.{}", rng.pick(&EXTENSIONS));
        if seen.insert(path.clone()) {
            visible.push(path);
        }
    }
    let mut ignored = Vec::with_capacity(IGNORED);
    while ignored.len() < IGNORED {
        let path = format!(
            "node_modules/{}-{}/{}/{}{}.js",
            rng.pick(&WORDS),
            rng.next() % 150,
            rng.pick(&["lib", "dist", "src"]),
            rng.pick(&WORDS),
            rng.next() % 10,
        );
        if seen.insert(path.clone()) {
            ignored.push(path);
        }
    }
    (visible, ignored)
}

/// The generated repository (statics are not dropped: `main` removes it).
static REPO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

/// Writes the repository once and returns its root (kept until exit).
fn repo() -> &'static Path {
    let (_, root) = REPO.get_or_init(|| {
        let started = Instant::now();
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().to_path_buf();
        let (visible, ignored) = generate_paths();
        let mut made = HashSet::new();
        for rel in visible.iter().chain(&ignored) {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                if made.insert(parent.to_path_buf()) {
                    fs::create_dir_all(parent).expect("create folder");
                }
            }
            fs::write(&path, b"").expect("write file");
        }
        fs::write(root.join(".gitignore"), "node_modules/\n").expect("write .gitignore");
        eprintln!("generated {} + {} ignored files in {:.1?} at {}", visible.len(), ignored.len(), started.elapsed(), root.display());
        (dir, root)
    });
    root
}

fn index() -> &'static FileIndex {
    static INDEX: OnceLock<FileIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = FileIndex::build(repo());
        assert_eq!(index.len(), FILES, "ignored files must not be indexed");
        eprintln!("index: {} files, ~{:.1} MiB of heap", index.len(), index.heap_bytes() as f64 / (1024.0 * 1024.0));
        index
    })
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    (at(0.5), at(0.95))
}

/// Median and p95 of single queries, timed one by one, on one thread and on
/// the default number of threads.
fn print_percentiles() {
    let index = index();
    const RUNS: usize = 100;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    for (label, matcher) in [("1 thread".to_string(), PathMatcher::with_threads(1)), (format!("{threads} threads"), PathMatcher::new())] {
        eprintln!("-- {label}");
        for query in COLD_QUERIES {
            let samples = (0..RUNS)
                .map(|_| {
                    matcher.reset();
                    let started = Instant::now();
                    black_box(matcher.query(index, query, LIMIT));
                    started.elapsed()
                })
                .collect();
            let (p50, p95) = percentiles(samples);
            let total = matcher.query(index, query, LIMIT).total;
            eprintln!("cold   {query:>8}: p50 {p50:>10.2?}  p95 {p95:>10.2?}  ({total} matches)");
        }
        for (i, query) in TYPING.iter().enumerate().skip(1) {
            let samples = (0..RUNS)
                .map(|_| {
                    matcher.reset();
                    matcher.query(index, TYPING[i - 1], LIMIT);
                    let started = Instant::now();
                    black_box(matcher.query(index, query, LIMIT));
                    started.elapsed()
                })
                .collect();
            let (p50, p95) = percentiles(samples);
            let total = matcher.query(index, query, LIMIT).total;
            eprintln!("typing {query:>8}: p50 {p50:>10.2?}  p95 {p95:>10.2?}  ({total} matches, narrowed from {:?})", TYPING[i - 1]);
        }
        let samples = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                black_box(matcher.query(index, "", LIMIT));
                started.elapsed()
            })
            .collect();
        let (p50, p95) = percentiles(samples);
        eprintln!("empty query: p50 {p50:>10.2?}  p95 {p95:>10.2?}");
    }
}

fn bench_build(c: &mut Criterion) {
    let root = repo();
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("build_100k", |b| b.iter(|| black_box(FileIndex::build(root))));
    group.finish();
}

fn bench_queries(c: &mut Criterion) {
    let index = index();
    let matcher = PathMatcher::new();
    let mut group = c.benchmark_group("query_cold");
    for query in COLD_QUERIES {
        group.bench_function(query, |b| {
            b.iter(|| {
                matcher.reset();
                black_box(matcher.query(index, query, LIMIT))
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("query_typing");
    for (i, query) in TYPING.iter().enumerate().skip(1) {
        group.bench_function(*query, |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    matcher.reset();
                    matcher.query(index, TYPING[i - 1], LIMIT);
                    let started = Instant::now();
                    black_box(matcher.query(index, query, LIMIT));
                    spent += started.elapsed();
                }
                spent
            })
        });
    }
    group.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let listing = args.iter().any(|a| a == "--list" || a == "--test");
    if !listing {
        print_percentiles();
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench_build(&mut criterion);
    bench_queries(&mut criterion);
    criterion.final_summary();
    if let Some((dir, _)) = REPO.get() {
        let _ = fs::remove_dir_all(dir.path());
    }
}
