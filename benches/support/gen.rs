//! Deterministic generators for the benchmarks: Work Logs of any number of
//! entries and a repository of any number of files (plus an ignored
//! `node_modules/` tree). Same input, same bytes, on every machine.
//!
//! Shared by `benches/keystroke.rs` and `benches/e2e/main.rs` through
//! `#[path]` (a file directly in `benches/` would be a bench target itself).
//!
//! - [`work_log`]: frontmatter, a `# … Work Log` title, then entries `v1…vN`
//!   shaped like `examples/Auth-WorkLog-v4.md` (Prev/Now/Progress/Files with
//!   nested line ranges/Work/Decisions/Works/Blockers/Next/Open, emoji),
//!   about 36 lines and 1.2 KB each: 1,000 entries ≈ 1.2 MB, 5,000 ≈ 6 MB.
//!   Every reference points at one of [`HOT_FILES`], with ranges inside the
//!   file, so a log over a generated repository has no diagnostics.
//! - [`repo_paths`] / [`write_repo`]: a bushy tree of source folders (about
//!   11 files each, depth ≤ 5), the hot files with real content, everything
//!   else empty, and `node_modules/` listed in `.gitignore`.

#![allow(dead_code)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// SplitMix64: tiny, fast, and identical everywhere.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Files the generated logs refer to, with their line counts. [`write_repo`]
/// writes them with exactly that many lines.
pub const HOT_FILES: &[(&str, usize)] = &[
    ("src/auth/service.ts", 320),
    ("src/auth/tokens.ts", 140),
    ("src/auth/middleware.ts", 120),
    ("src/routes/auth.ts", 240),
    ("src/routes/users.ts", 180),
    ("src/types/auth.ts", 80),
    ("src/db/client.ts", 60),
    ("src/db/pool.ts", 90),
    ("src/billing/invoice.ts", 260),
    ("src/billing/stripe.ts", 210),
    ("src/jobs/scheduler.ts", 150),
    ("src/jobs/retry.ts", 70),
    ("src/cache/redis.ts", 110),
    ("src/api/handlers.rs", 400),
    ("src/api/router.rs", 160),
    ("crates/core/src/lib.rs", 300),
    ("crates/core/src/parser.rs", 520),
    ("prisma/schema.prisma", 140),
    ("prisma/migrations/002_refresh_tokens.sql", 40),
    ("prisma/migrations/003_invoices.sql", 55),
    ("tests/auth/integration.test.ts", 400),
    ("tests/auth/service.test.ts", 200),
    ("tests/billing/invoice.test.ts", 230),
    ("docs/architecture.md", 180),
];

const TOPICS: &[&str] = &[
    "token refresh",
    "session store",
    "rate limiting",
    "invoice export",
    "retry policy",
    "cache warm-up",
    "audit trail",
    "password reset",
    "webhook delivery",
    "schema migration",
    "login throttling",
    "connection pool",
    "error reporting",
    "search indexing",
    "CSV import",
    "feature flags",
    "SSO callback",
    "billing cycle",
    "job scheduler",
    "API pagination",
];
const VERBS: &[&str] =
    &["Implement", "Refactor", "Harden", "Test", "Document", "Profile", "Split", "Review", "Simplify", "Fix", "Migrate", "Instrument"];
const PARTS: &[&str] = &[
    "Token generation",
    "Validation middleware",
    "Refresh rotation",
    "Login endpoint",
    "Logout endpoint",
    "Error mapping",
    "Schema types",
    "Query builder",
    "Retry loop",
    "Cache lookup",
    "Invoice totals",
    "Webhook signature check",
    "Cursor pagination",
    "Session cleanup",
    "Audit events",
    "Config parsing",
];
const DECISIONS: &[&str] = &[
    "Token rotation race: use a database transaction with SELECT FOR UPDATE",
    "Expired tokens are deleted after 30 days, not immediately",
    "Keep the retry budget per tenant rather than global",
    "Store amounts as integer cents; format only at the edges",
    "Paginate with opaque cursors instead of offsets",
    "Cache misses fall through to the primary, never to a replica",
    "Webhooks are retried with exponential backoff, capped at 6 hours",
    "Validation errors carry a stable code for the frontend",
];
const REASONS: &[&str] = &[
    "Prevents two refreshes from the same token at once",
    "Allows forensic analysis if needed",
    "One noisy tenant must not starve the others",
    "Avoids rounding drift across currencies",
    "Offsets skip rows when items are inserted meanwhile",
    "Replica lag showed stale sessions in testing",
];
const WORKS: &[&str] = &[
    "Transaction-based rotation prevents race conditions ✅",
    "Integration tests cover concurrent refresh attempts ✅",
    "Error handling gives useful logs without leaking secrets ✅",
    "p95 of the login endpoint is under 40 ms 🚀",
    "Migration runs forward and backward cleanly ✅",
    "Backoff schedule matches the provider's guidance ✅",
];
const NEXT: &[&str] = &[
    "Code review by a senior engineer",
    "Security review of token handling",
    "Add monitoring for suspicious auth patterns",
    "Load-test the refresh endpoint",
    "Write the runbook for key rotation",
    "Remove the legacy session table",
    "Add rate limiting to password reset",
    "Backfill audit events for March",
];
const TITLE_WORDS: &[&str] = &["Auth", "Billing", "Search", "Payments", "Onboarding", "Sync", "Reports"];

/// Date arithmetic without a calendar crate: (year, month, day, hour, minute).
struct Clock {
    y: u32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
}

impl Clock {
    fn advance(&mut self, minutes: u32) {
        let total = self.h * 60 + self.mi + minutes;
        self.mi = total % 60;
        let hours = total / 60;
        self.h = hours % 24;
        for _ in 0..hours / 24 {
            let leap = self.y.is_multiple_of(4) && (!self.y.is_multiple_of(100) || self.y.is_multiple_of(400));
            let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][self.mo as usize - 1];
            self.d += 1;
            if self.d > dim {
                self.d = 1;
                self.mo += 1;
                if self.mo > 12 {
                    self.mo = 1;
                    self.y += 1;
                }
            }
        }
    }
}

/// A Work Log of `entries` entries (v1 … vN, oldest first), deterministic.
pub fn work_log(entries: usize) -> String {
    work_log_seeded(entries, 0x00C0_FFEE)
}

/// [`work_log`] with another seed (different logs of the same shape).
pub fn work_log_seeded(entries: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ entries as u64);
    let mut s = String::with_capacity(entries * 1300 + 200);
    let project = rng.pick(TITLE_WORDS);
    let status = if entries.is_multiple_of(2) { "in_progress" } else { "needs_review" };
    let _ = write!(s, "---\nversion: v{entries}\nstatus: {status}\n---\n\n# {project} Work Log\n\n");
    let mut clock = Clock { y: 2024, mo: 1, d: 8, h: 9, mi: 0 };
    let mut prev_now = String::from("Nothing yet: first entry");
    for v in 1..=entries {
        clock.advance(30 + rng.below(26 * 60) as u32);
        let topic = rng.pick(TOPICS);
        let verb = rng.pick(VERBS);
        let _ = write!(s, "## v{v} | {:04}-{:02}-{:02} {:02}:{:02} | {verb} {topic}\n\n", clock.y, clock.mo, clock.d, clock.h, clock.mi);
        let now = format!(
            "{verb} {topic}: {} in place, tests next; {} still open",
            rng.pick(PARTS).to_lowercase(),
            rng.pick(PARTS).to_lowercase()
        );
        let _ = write!(s, "**Prev:** {prev_now}\n**Now:** {now}\n\n");
        prev_now = now;
        let pct = 5 * (1 + rng.below(19));
        let _ = write!(s, "**Progress:** {pct}% | Implementation {} | Review pending ⏳\n\n", if pct > 60 { "✅" } else { "🚧" });

        // Files, each with nested line ranges inside the file.
        s.push_str("**Files:**\n");
        let n_files = 2 + rng.below(2);
        let mut used: Vec<(&str, usize)> = Vec::new();
        while used.len() < n_files {
            let f = HOT_FILES[rng.below(HOT_FILES.len())];
            if !used.iter().any(|u| u.0 == f.0) {
                used.push(f);
            }
        }
        for (i, &(path, lines)) in used.iter().enumerate() {
            let _ = writeln!(s, "- `{path}` ({} {} for the {topic} work)", rng.pick(VERBS), rng.pick(PARTS).to_lowercase());
            let mut at = 1 + rng.below(lines / 4);
            for _ in 0..(1 + (i == 0) as usize) {
                let end = (at + 10 + rng.below(lines / 4)).min(lines);
                let _ = writeln!(s, "  - L{at}-{end}: {} {}", rng.pick(PARTS), if rng.chance(70) { "✅" } else { "🚧" });
                at = (end + 2).min(lines);
            }
        }
        s.push_str("\n**Work:**\n");
        for &(path, lines) in &used[..2] {
            let a = 1 + rng.below(lines / 2);
            let b = (a + 5 + rng.below(lines / 3)).min(lines);
            let op = ["+:", "~:", "~:"][rng.below(3)];
            let _ = writeln!(s, "{op} {path}:{a}-{b} ({})", rng.pick(PARTS).to_lowercase());
        }
        s.push_str("\n**Decisions:**\n");
        for _ in 0..1 + rng.below(2) {
            let _ = write!(s, "- {}\n  - {}\n", rng.pick(DECISIONS), rng.pick(REASONS));
        }
        s.push_str("\n**Works:**\n");
        for _ in 0..1 + rng.below(2) {
            let _ = writeln!(s, "- {}", rng.pick(WORKS));
        }
        s.push_str("\n**Blockers:** None\n\n**Next:**\n");
        for p in ["HIGH", "MED", "LOW"] {
            let _ = writeln!(s, "- [{p}] {} ({topic})", rng.pick(NEXT));
        }
        let _ = write!(s, "\n**Open:** {}\n\n", if rng.chance(80) { "None" } else { "Should refresh tokens survive a password change?" });
    }
    s
}

/// Where typing goes in the latest entry of a generated log: the end of the
/// last `**Works:**` bullet (text typed there starts with a newline).
pub fn typing_offset(log: &str) -> usize {
    log.rfind("\n\n**Blockers:**").expect("generated log has a Blockers field")
}

/// Text typed into the latest entry, keystroke by keystroke: new `Works`
/// bullets with prose, emoji and a backticked reference. Cycles forever.
pub const TYPED: &str = "\n- Refresh tokens are rotated on every use ✅ and the old one is revoked at once\n- Covered by `tests/auth/integration.test.ts:12-40` and a load test 🚀\n- Retries back off after 3 failures, see `src/jobs/retry.ts`";

/// Queries typed (one character at a time) for path completion.
pub const COMPLETION_QUERIES: &[&str] =
    &["src/auth/service.ts", "routes/auth", "servts", "billing/inv", "migrations/002", "parser.rs", "tests/auth/int", "docs/arch"];

/// Words for generated folder and file names.
const WORDS: &[&str] = &[
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
    "adapter",
    "agent",
    "alert",
    "analytics",
    "archive",
    "asset",
    "audit",
    "backup",
    "batch",
    "bridge",
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
    "checkout",
    "cluster",
    "codec",
    "command",
    "comment",
    "compiler",
    "connection",
    "console",
    "container",
    "context",
    "controller",
    "converter",
    "cookie",
    "coupon",
    "cron",
    "crypto",
    "dashboard",
    "data",
    "decoder",
    "delivery",
    "deploy",
    "device",
    "dialog",
    "diff",
    "dispatch",
    "display",
    "document",
    "domain",
    "download",
    "driver",
    "editor",
    "email",
    "encoder",
    "engine",
    "entity",
    "error",
    "export",
    "factory",
    "feed",
    "fetch",
    "field",
    "filter",
    "form",
    "format",
    "gateway",
    "generator",
    "graph",
    "grid",
    "group",
    "guard",
    "header",
    "health",
    "helper",
    "history",
    "icon",
    "image",
    "import",
    "index",
    "input",
    "invoice",
    "item",
    "kernel",
    "label",
    "layout",
    "ledger",
    "legacy",
    "link",
    "list",
    "loader",
    "locale",
    "login",
    "mail",
    "manager",
    "markdown",
    "matcher",
    "media",
    "menu",
    "message",
    "metrics",
    "mock",
    "modal",
    "module",
    "monitor",
    "network",
    "notify",
    "oauth",
    "observer",
    "option",
    "page",
    "panel",
    "parser",
    "password",
    "patch",
    "payload",
    "permission",
    "pipeline",
    "plugin",
    "policy",
    "pool",
    "portal",
    "preview",
    "price",
    "process",
    "product",
    "profile",
    "project",
    "provider",
    "proxy",
    "query",
    "queue",
    "quota",
    "reader",
    "record",
    "redirect",
    "registry",
    "release",
    "render",
    "request",
    "resolver",
    "resource",
    "response",
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
    "secret",
    "selector",
    "sender",
    "serializer",
    "setting",
    "shell",
    "signal",
    "signup",
    "snapshot",
    "socket",
    "source",
    "spec",
    "stack",
    "state",
    "stats",
    "status",
    "stream",
    "style",
    "summary",
    "sync",
    "table",
    "task",
    "template",
    "tenant",
    "theme",
    "thread",
    "ticket",
    "timer",
    "tool",
    "tracker",
    "transform",
    "tree",
    "trigger",
    "upload",
    "user",
    "validator",
    "value",
    "vendor",
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
];
const EXTENSIONS: &[&str] = &["ts", "tsx", "rs", "py", "go", "md", "json", "yaml", "sql", "toml", "js", "css"];
const AREAS: &[&str] = &["src", "packages", "services", "apps", "tests", "docs", "tools", "crates"];

/// `visible` relative paths (the [`HOT_FILES`] first, then a generated tree)
/// and `ignored` paths under `node_modules/`. Deterministic.
pub fn repo_paths(visible: usize, ignored: usize) -> (Vec<String>, Vec<String>) {
    let mut rng = Rng::new(0x5EED_F11E);
    let mut folders: Vec<String> = AREAS.iter().map(|a| a.to_string()).collect();
    let mut seen_folders: HashSet<String> = folders.iter().cloned().collect();
    let n_folders = (visible / 11).max(AREAS.len());
    while folders.len() < n_folders {
        // Parents drawn from the first folders more often: a bushy top.
        let span = 1 + rng.below(folders.len());
        let parent = folders[rng.below(span)].clone();
        if parent.matches('/').count() >= 4 {
            continue;
        }
        let f = format!("{parent}/{}", rng.pick(WORDS));
        if seen_folders.insert(f.clone()) {
            folders.push(f);
        }
    }
    let mut seen: HashSet<String> = HashSet::with_capacity(visible + ignored);
    let mut out = Vec::with_capacity(visible);
    for (p, _) in HOT_FILES {
        seen.insert(p.to_string());
        out.push(p.to_string());
    }
    out.push("README.md".into());
    seen.insert("README.md".into());
    while out.len() < visible {
        let folder = &folders[rng.below(folders.len())];
        let stem = match rng.below(3) {
            0 => rng.pick(WORDS).to_string(),
            1 => format!("{}_{}", rng.pick(WORDS), rng.pick(WORDS)),
            _ => format!("{}{}", rng.pick(WORDS), rng.below(100)),
        };
        let p = format!("{folder}/{stem}.{}", rng.pick(EXTENSIONS));
        if seen.insert(p.clone()) {
            out.push(p);
        }
    }
    out.truncate(visible);
    let mut ign = Vec::with_capacity(ignored);
    while ign.len() < ignored {
        let p = format!(
            "node_modules/{}-{}/{}/{}{}.js",
            rng.pick(WORDS),
            rng.below(150),
            rng.pick(&["lib", "dist", "src"]),
            rng.pick(WORDS),
            rng.below(10)
        );
        if seen.insert(p.clone()) {
            ign.push(p);
        }
    }
    (out, ign)
}

/// Content of a hot file: `lines` lines of plausible code.
pub fn hot_file_text(path: &str, lines: usize) -> String {
    let mut s = String::with_capacity(lines * 40);
    for i in 1..=lines {
        let _ = writeln!(s, "// {path} line {i}: const value{i} = compute({i}, options);");
    }
    s
}

/// Writes a repository of `visible` files plus `ignored` files under an
/// ignored `node_modules/` into `root` (which should be empty). Hot files
/// get content; the others are empty. Returns the visible paths.
pub fn write_repo(root: &Path, visible: usize, ignored: usize) -> std::io::Result<Vec<String>> {
    let (paths, ign) = repo_paths(visible, ignored);
    let mut made: HashSet<std::path::PathBuf> = HashSet::new();
    for rel in paths.iter().chain(&ign) {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            if made.insert(parent.to_path_buf()) {
                fs::create_dir_all(parent)?;
            }
        }
        let body = HOT_FILES.iter().find(|(h, _)| h == rel).map(|(h, n)| hot_file_text(h, *n)).unwrap_or_default();
        fs::write(&p, body)?;
    }
    fs::write(root.join(".gitignore"), "node_modules/\n")?;
    fs::write(root.join("README.md"), "# Generated repository for worklog-ls benchmarks\n")?;
    Ok(paths)
}

/// Only the hot files (for in-process benches that resolve against disk).
pub fn write_hot_files(root: &Path) -> std::io::Result<()> {
    for (rel, n) in HOT_FILES {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap())?;
        fs::write(&p, hot_file_text(rel, *n))?;
    }
    fs::write(root.join(".gitignore"), "node_modules/\n")
}
