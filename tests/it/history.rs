//! History checks (spec §4b) on real git repositories built in a temporary
//! folder with the `git` command: each reference's code, message facts and
//! fixed range; the mapping's property test; near misses that stay silent.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use expect_test::{expect, Expect};
use proptest::prelude::*;
use serde_json::Value;
use worklog_ls::analysis::{self, Context};
use worklog_ls::config::{Config, HistoryMode, RefScope};
use worklog_ls::document::Document;
use worklog_ls::workspace::history::map::{lines, map_range, Mapped};
use worklog_ls::workspace::history::{self, HistoryReport, Request, WithHistory};
use worklog_ls::workspace::{FileIndex, LineCache, WorkspaceFacts, DEFAULT_MAX_BYTES};

/// A repository in a temporary folder, with a home of its own (no user or
/// system git configuration is read).
struct Repo {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    dir: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let dir = tmp.path().join("repo");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        let r = Repo { _tmp: tmp, home, dir };
        r.git(&["init", "-q", "-b", "main"], "2025-01-01");
        r
    }

    fn git_in(&self, dir: &Path, args: &[&str], date: &str) -> String {
        let stamp = format!("{date}T12:00:00+00:00");
        let out = Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join("gitconfig"))
            .env("HOME", &self.home)
            .env("GIT_AUTHOR_DATE", &stamp)
            .env("GIT_COMMITTER_DATE", &stamp)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn git(&self, args: &[&str], date: &str) -> String {
        self.git_in(&self.dir, args, date)
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn commit(&self, date: &str, message: &str) {
        self.git(&["add", "-A"], date);
        self.git(&["commit", "-q", "-m", message], date);
    }
}

/// `fn name() {`, `body` numbered lines, `}`.
fn block(name: &str, body: usize) -> String {
    let mut s = format!("fn {name}() {{\n");
    for i in 0..body {
        s += &format!("    let {name}_{i} = {i};\n");
    }
    s + "}\n"
}

fn file(blocks: &[String]) -> String {
    blocks.join("\n")
}

/// The facts and diagnostics of `log` (relative to `root`), one line per
/// reference that got a history fact or a history/disk diagnostic.
fn check_log(root: &Path, log: &str, config: &Config) -> String {
    let root = std::fs::canonicalize(root).unwrap();
    let log = root.join(log);
    let text = std::fs::read_to_string(&log).unwrap();
    let doc = Document::new(&text);
    let facts = WorkspaceFacts::new(&root, Some(Arc::new(FileIndex::build(&root))), Arc::new(LineCache::new(DEFAULT_MAX_BYTES)));
    let report = if config.history == HistoryMode::Auto {
        history::compute(&Request { root: &root, log: &log, doc: &doc, facts: &facts, max_bytes: DEFAULT_MAX_BYTES }, None)
    } else {
        HistoryReport::default()
    };
    let with = WithHistory { inner: &facts, report: &report };
    let cx = Context { config, path: Some(&log), facts: &with };
    let line = |off: usize| text[..off].matches('\n').count() + 1;
    let mut out = String::new();
    for d in analysis::diagnostics(&doc, &cx) {
        let code = d.code.as_str();
        if !(code.starts_with("range-") || code == "file-not-found") {
            continue;
        }
        out += &format!("{}: {code} `{}`: {}\n", line(d.range.start), &text[d.range.clone()], d.message);
        for f in &d.fixes {
            let mut fixed = text.clone();
            for (r, t) in f.edits.iter().rev() {
                fixed.replace_range(r.clone(), t);
            }
            let l = line(d.range.start) - 1;
            out += &format!(
                "   fix{}: {} → {}\n",
                if f.preferred { " (preferred)" } else { "" },
                f.title,
                fixed.lines().nth(l).unwrap_or("").trim()
            );
        }
    }
    if let Some(n) = &report.note {
        out += &format!("note: {n}\n");
    }
    out
}

fn config() -> Config {
    let mut c = Config::default();
    c.references = RefScope::All;
    c
}

const HEAD: &str = "---\nversion: v3\nstatus: in_progress\n---\n\n# Service Work Log\n";

fn entry(v: u32, date: &str, title: &str, files: &str) -> String {
    format!("\n## v{v} | {date} | {title}\n**Prev:** p\n**Now:** n\n**Progress:** 50%\n**Files:**\n{files}**Next:**\n- [LOW] more\n")
}

/// The story of one repository: code shifted, edited partly, rewritten,
/// moved within a file, renamed twice, deleted; a log whose entries were
/// committed at different points, with a later heading fix, a reformatting
/// commit, a committed quick fix and an uncommitted entry.
fn story() -> Repo {
    let r = Repo::new();
    let (alpha, beta, gamma, delta, eps) = (block("alpha", 3), block("beta", 3), block("gamma", 5), block("delta", 3), block("epsilon", 4));
    let service = |head: &str, gamma: &str, delta: &str, eps_first: bool| {
        let mut b = vec![format!("// service{head}\n"), alpha.clone(), beta.clone(), gamma.to_string(), delta.to_string()];
        if eps_first {
            b.insert(1, eps.clone());
        } else {
            b.push(eps.clone());
        }
        file(&b)
    };
    // v1 of the code: alpha 3-7, beta 9-13, gamma 15-21, delta 23-27, epsilon 29-34.
    r.write("src/service.rs", &service("", &gamma, &delta, false));
    r.write("src/stable.rs", "pub const A: u8 = 1;\npub const B: u8 = 2;\npub const C: u8 = 3;\n");
    r.write("src/old.rs", "pub fn old_one() {}\npub fn old_two() {}\npub fn old_three() {}\npub fn old_four() {}\n");
    r.write("src/gone.rs", "pub fn gone_one() {}\npub fn gone_two() {}\n");
    let v1 = |title: &str, beta_ref: &str| {
        entry(
            1,
            "2025-01-10",
            title,
            &format!(
                "- `src/service.rs:3-7` alpha\n- `{beta_ref}` beta\n- `src/service.rs:15-21` gamma\n- `src/service.rs:23-27` delta\n\
                 - `src/service.rs:29-34` epsilon\n- `src/stable.rs:1-3` constants\n- `src/old.rs:1-4` old\n- `src/gone.rs:1-2` gone\n"
            ),
        )
    };
    r.write("LOG.md", &(HEAD.to_string() + &v1("Servce", "src/service.rs:9-13")));
    r.commit("2025-01-10", "c1: code and v1");
    // Shift: three lines at the top.
    r.write("src/service.rs", &service("\n// one\n// two\n// three", &gamma, &delta, false));
    r.commit("2025-01-11", "c2: shift");
    // Partly edited gamma (2 of 7 lines).
    let gamma2 = gamma.replace("gamma_1 = 1", "gamma_1 = 100").replace("gamma_3 = 3", "gamma_3 = 300");
    r.write("src/service.rs", &service("\n// one\n// two\n// three", &gamma2, &delta, false));
    r.commit("2025-01-12", "c3: edit gamma");
    // Delta rewritten.
    let delta2 = "fn delta() -> u32 {\n    compute_differently()\n}\n";
    r.write("src/service.rs", &service("\n// one\n// two\n// three", &gamma2, delta2, false));
    r.commit("2025-01-13", "c4: rewrite delta");
    // Epsilon moved to the top; v2 written against this state.
    r.write("src/service.rs", &service("\n// one\n// two\n// three", &gamma2, delta2, true));
    let v2 = |bullet: &str| {
        entry(2, "2025-01-14", "Later", &format!("{bullet} `src/old.rs:2-3` old two\n{bullet} `src/service.rs:25-31` gamma\n"))
    };
    r.write("LOG.md", &(HEAD.to_string() + &v1("Servce", "src/service.rs:9-13") + &v2("-")));
    r.commit("2025-01-14", "c5: move epsilon, v2");
    r.git(&["mv", "src/old.rs", "src/mid.rs"], "2025-01-15");
    r.commit("2025-01-15", "c6: rename once");
    std::fs::create_dir_all(r.dir.join("lib")).unwrap();
    r.git(&["mv", "src/mid.rs", "lib/new.rs"], "2025-01-16");
    r.commit("2025-01-16", "c7: rename twice");
    r.git(&["rm", "-q", "src/gone.rs"], "2025-01-17");
    r.commit("2025-01-17", "c8: delete");
    // A heading fix in v1 and a reformat of v2's bullets.
    r.write("LOG.md", &(HEAD.to_string() + &v1("Service", "src/service.rs:9-13") + &v2("*")));
    r.commit("2025-01-18", "c9: heading fix, reformat");
    // A committed quick fix: beta is at 19-23 now.
    r.write("LOG.md", &(HEAD.to_string() + &v1("Service", "src/service.rs:19-23") + &v2("*")));
    r.commit("2025-01-19", "c10: quick fix");
    // An entry not committed yet.
    let v3 = entry(3, "2025-01-20", "Now", "- `src/service.rs:1-2` header\n- `lib/new.rs:1-2` renamed\n");
    r.write("LOG.md", &(HEAD.to_string() + &v1("Service", "src/service.rs:19-23") + &v2("*") + &v3));
    r
}

fn check(r: &Repo, log: &str, expect: Expect) {
    expect.assert_eq(&check_log(&r.dir, log, &config()));
}

#[test]
fn history_story() {
    let r = story();
    check(
        &r,
        "LOG.md",
        expect![[r#"
            13: range-moved `src/service.rs:3-7`: Unchanged since written (0244661, 2025-01-10), now lines 13-17; written as lines 3-7.
               fix (preferred): Update to `13-17` → - `src/service.rs:13-17` alpha
            15: range-changed `src/service.rs:15-21`: Changed since written (0244661, 2025-01-10): 5 of 7 lines remain, around lines 25-31.
               fix: Update to about `25-31` (approximate) → - `src/service.rs:25-31` gamma
            16: range-removed `src/service.rs:23-27`: These 5 lines were removed in 98d5d53 (2025-01-13), after this was written (0244661, 2025-01-10).
            17: range-moved `src/service.rs:29-34`: Unchanged since written (0244661, 2025-01-10), now lines 6-11; written as lines 29-34.
               fix (preferred): Update to `6-11` → - `src/service.rs:6-11` epsilon
            19: range-moved `src/old.rs:1-4`: Unchanged since written (0244661, 2025-01-10), now lines 1-4 of `lib/new.rs` (renamed); written as lines 1-4.
               fix (preferred): Update to `lib/new.rs:1-4` → - `lib/new.rs:1-4` old
            20: range-removed `src/gone.rs:1-2`: `src/gone.rs` was deleted in 0663c8e (2025-01-17), after this was written (0244661, 2025-01-10).
            29: range-moved `src/old.rs:2-3`: Unchanged since written (72af6c9, 2025-01-14), now lines 2-3 of `lib/new.rs` (renamed); written as lines 2-3.
               fix (preferred): Update to `lib/new.rs:2-3` → * `lib/new.rs:2-3` old two
        "#]],
    );
    // The same buffer with CRLF line endings (an editor on Windows): the
    // same facts.
    let lf = std::fs::read_to_string(r.dir.join("LOG.md")).unwrap();
    let crlf_out = {
        std::fs::write(r.dir.join("LOG.md"), lf.replace('\n', "\r\n")).unwrap();
        check_log(&r.dir, "LOG.md", &config())
    };
    std::fs::write(r.dir.join("LOG.md"), &lf).unwrap();
    assert_eq!(crlf_out, check_log(&r.dir, "LOG.md", &config()));
    assert!(!crlf_out.is_empty());
}

#[test]
fn history_untracked_copy_anchors_by_date() {
    let r = story();
    let text = std::fs::read_to_string(r.dir.join("LOG.md")).unwrap();
    r.write("notes/copy.md", &text);
    check(
        &r,
        "notes/copy.md",
        expect![[r#"
        13: range-moved `src/service.rs:3-7`: Unchanged since written (0244661, 2025-01-10, by the entry's date), now lines 13-17; written as lines 3-7.
           fix (preferred): Update to `13-17` → - `src/service.rs:13-17` alpha
        14: range-changed `src/service.rs:19-23`: Changed since written (0244661, 2025-01-10, by the entry's date): 3 of 5 lines remain, around lines 30-32.
           fix: Update to about `30-32` (approximate) → - `src/service.rs:30-32` beta
        15: range-changed `src/service.rs:15-21`: Changed since written (0244661, 2025-01-10, by the entry's date): 5 of 7 lines remain, around lines 25-31.
           fix: Update to about `25-31` (approximate) → - `src/service.rs:25-31` gamma
        16: range-removed `src/service.rs:23-27`: These 5 lines were removed in 98d5d53 (2025-01-13), after this was written (0244661, 2025-01-10, by the entry's date).
        17: range-moved `src/service.rs:29-34`: Unchanged since written (0244661, 2025-01-10, by the entry's date), now lines 6-11; written as lines 29-34.
           fix (preferred): Update to `6-11` → - `src/service.rs:6-11` epsilon
        19: range-moved `src/old.rs:1-4`: Unchanged since written (0244661, 2025-01-10, by the entry's date), now lines 1-4 of `lib/new.rs` (renamed); written as lines 1-4.
           fix (preferred): Update to `lib/new.rs:1-4` → - `lib/new.rs:1-4` old
        20: range-removed `src/gone.rs:1-2`: `src/gone.rs` was deleted in 0663c8e (2025-01-17), after this was written (0244661, 2025-01-10, by the entry's date).
        29: range-moved `src/old.rs:2-3`: Unchanged since written (72af6c9, 2025-01-14, by the entry's date), now lines 2-3 of `lib/new.rs` (renamed); written as lines 2-3.
           fix (preferred): Update to `lib/new.rs:2-3` → * `lib/new.rs:2-3` old two
    "#]],
    );
}

#[test]
fn history_shallow_boundary_is_unknown() {
    let r = story();
    r.git(&["checkout", "-q", "--", "LOG.md"], "2025-01-21");
    let clone = r.dir.parent().unwrap().join("shallow");
    let url = format!("file://{}", r.dir.display());
    r.git_in(r.dir.parent().unwrap(), &["clone", "-q", "--depth", "3", &url, "shallow"], "2025-01-21");
    let out = check_log(&clone, "LOG.md", &config());
    expect![[r#"
        19: file-not-found `src/old.rs:1-4`: `src/old.rs` does not exist in the workspace.
        20: file-not-found `src/gone.rs:1-2`: `src/gone.rs` does not exist in the workspace.
        29: file-not-found `src/old.rs:2-3`: `src/old.rs` does not exist in the workspace.
    "#]]
    .assert_eq(&out);
    let depth1 = r.dir.parent().unwrap().join("depth1");
    r.git_in(r.dir.parent().unwrap(), &["clone", "-q", "--depth", "1", &url, "depth1"], "2025-01-21");
    expect![[r#"
        19: file-not-found `src/old.rs:1-4`: `src/old.rs` does not exist in the workspace.
        20: file-not-found `src/gone.rs:1-2`: `src/gone.rs` does not exist in the workspace.
        29: file-not-found `src/old.rs:2-3`: `src/old.rs` does not exist in the workspace.
    "#]]
    .assert_eq(&check_log(&depth1, "LOG.md", &config()));
}

#[test]
fn history_near_misses_stay_silent() {
    // No repository: the disk checks only, and a note.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("src")).unwrap();
    std::fs::write(tmp.path().join("src/a.rs"), "a\nb\nc\n").unwrap();
    let log = HEAD.to_string() + &entry(1, "2025-01-10", "A", "- `src/a.rs:1-2` a\n");
    std::fs::write(tmp.path().join("LOG.md"), log).unwrap();
    expect![[r#"
        note: no git repository with commits holds the project root
    "#]]
    .assert_eq(&check_log(tmp.path(), "LOG.md", &config()));
    // History off: nothing read, nothing said, even in a repository where
    // every reference has moved.
    let r = story();
    let mut off = config();
    off.history = HistoryMode::Off;
    expect![[r#"
        19: file-not-found `src/old.rs:1-4`: `src/old.rs` does not exist in the workspace.
        20: file-not-found `src/gone.rs:1-2`: `src/gone.rs` does not exist in the workspace.
        29: file-not-found `src/old.rs:2-3`: `src/old.rs` does not exist in the workspace.
    "#]]
    .assert_eq(&check_log(&r.dir, "LOG.md", &off));
    // Unchanged and unmoved since committed: nothing.
    let r = Repo::new();
    r.write("src/a.rs", &file(&[block("a", 3), block("b", 3)]));
    r.write("LOG.md", &(HEAD.to_string() + &entry(1, "2025-01-10", "A", "- `src/a.rs:1-5` a\n- [b](src/a.rs#L7-L11)\n")));
    r.commit("2025-01-10", "one");
    r.write("src/a.rs", &file(&[block("a", 3), block("b", 3), block("c", 2)]));
    r.commit("2025-01-11", "two");
    expect![[r#""#]].assert_eq(&check_log(&r.dir, "LOG.md", &config()));
}

/// References to whole files (no lines): followed only when the file is
/// gone today — renamed (`range-moved`, the fix writes the new path) or
/// deleted (`range-removed`); a path that never existed stays
/// `file-not-found`, one that is still there says nothing.
#[test]
fn history_whole_file_references() {
    let r = Repo::new();
    r.write("src/a.ts", "export const a = 1;\n");
    r.write("src/c.ts", "export const c = 1;\n");
    r.write("src/keep.ts", "export const k = 1;\n");
    let files = "- `src/a.ts` renamed later\n- `src/c.ts` gone later\n- `src/keep.ts` kept\n- `src/never.ts` a typo\n";
    r.write("LOG.md", &(HEAD.to_string() + &entry(1, "2025-01-10", "Files", files)));
    r.commit("2025-01-10", "one");
    r.git(&["mv", "src/a.ts", "src/b.ts"], "2025-01-11");
    r.git(&["rm", "-q", "src/c.ts"], "2025-01-11");
    r.commit("2025-01-11", "two: rename a, delete c");
    let out = check_log(&r.dir, "LOG.md", &config());
    // Commit ids differ from run to run.
    let out: String = out
        .split_inclusive('\n')
        .map(|l| {
            l.split([' ', '(', ',']).fold(l.to_string(), |acc, w| {
                if w.len() == 7 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
                    acc.replace(w, "<id>")
                } else {
                    acc
                }
            })
        })
        .collect();
    expect![[r#"
        13: range-moved `src/a.ts`: `src/a.ts` was renamed to `src/b.ts` since this was written (<id>, 2025-01-10).
           fix (preferred): Update to `src/b.ts` → - `src/b.ts` renamed later
        14: range-removed `src/c.ts`: `src/c.ts` was deleted in <id> (2025-01-11), after this was written (<id>, 2025-01-10).
        16: file-not-found `src/never.ts`: `src/never.ts` does not exist in the workspace.
    "#]]
    .assert_eq(&out);
}

/// An edit script over numbered lines, none touching the block.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize),
    MoveBlock(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            (0usize..200, 1usize..6).prop_map(|(a, n)| Edit::Insert(a, n)),
            (0usize..200).prop_map(Edit::Delete),
            (0usize..200).prop_map(Edit::MoveBlock),
        ],
        0..12,
    )
}

proptest! {
    #[test]
    fn an_unchanged_block_is_found_at_its_new_place(len in 5usize..60, start in 0usize..60, n in 1usize..8, script in edits()) {
        let n = n.min(len);
        let start = start % (len - n + 1);
        let old: Vec<String> = (0..len).map(|i| format!("line {i}")).collect();
        // The block is `old[start..start + n]`; the rest is edited around it.
        let mut before: Vec<String> = old[..start].to_vec();
        let block: Vec<String> = old[start..start + n].to_vec();
        let mut after: Vec<String> = old[start + n..].to_vec();
        let mut fresh = 0;
        for e in script {
            match e {
                Edit::Insert(at, k) => {
                    let new: Vec<String> = (0..k).map(|_| { fresh += 1; format!("new {fresh}") }).collect();
                    if at % 2 == 0 { let p = at / 2 % (before.len() + 1); before.splice(p..p, new); }
                    else { let p = at / 2 % (after.len() + 1); after.splice(p..p, new); }
                }
                Edit::Delete(at) => {
                    if at % 2 == 0 && !before.is_empty() { let p = at / 2 % before.len(); before.remove(p); }
                    else if !after.is_empty() { let p = at / 2 % after.len(); after.remove(p); }
                }
                Edit::MoveBlock(at) => {
                    // Move the block elsewhere among the other lines.
                    let mut all: Vec<String> = before.drain(..).chain(after.drain(..)).collect();
                    let p = at % (all.len() + 1);
                    after = all.split_off(p);
                    before = all;
                }
            }
        }
        let new_text: String = before.iter().chain(&block).chain(&after).map(|l| format!("{l}\n")).collect();
        let old_text: String = old.iter().map(|l| format!("{l}\n")).collect();
        let got = map_range(&lines(old_text.as_bytes()), &lines(new_text.as_bytes()), start as u32 + 1, (start + n) as u32).unwrap();
        let want_start = before.len() as u32 + 1;
        if want_start == start as u32 + 1 {
            prop_assert_eq!(got, Mapped::Same);
        } else {
            prop_assert_eq!(got, Mapped::Moved { start: want_start, end: want_start + n as u32 - 1 });
        }
    }
}

/// Hover and go-to-definition of references in the story's log, by the
/// text before the cursor (`alpha`: moved; `delta`: removed; `old`: renamed).
#[test]
fn history_hover_and_definition() {
    let r = story();
    let root = std::fs::canonicalize(&r.dir).unwrap();
    let log = root.join("LOG.md");
    let text = std::fs::read_to_string(&log).unwrap();
    let doc = Document::new(&text);
    let facts = WorkspaceFacts::new(&root, Some(Arc::new(FileIndex::build(&root))), Arc::new(LineCache::new(DEFAULT_MAX_BYTES)));
    let report = history::compute(&Request { root: &root, log: &log, doc: &doc, facts: &facts, max_bytes: DEFAULT_MAX_BYTES }, None);
    let with = WithHistory { inner: &facts, report: &report };
    let config = config();
    let cx = Context { config: &config, path: Some(&log), facts: &with };
    let at = |needle: &str| text.find(needle).unwrap() + 2;
    let mut out = String::new();
    for needle in ["src/service.rs:3-7", "src/service.rs:23-27", "src/old.rs:1-4", "src/stable.rs:1-3", "src/service.rs:1-2"] {
        let md = worklog_ls::ide::history::history_markdown(&doc, at(needle), &cx);
        let target = worklog_ls::ide::history::history_target(&doc, at(needle), &log, &cx, &with).map(|t| match t {
            worklog_ls::ide::Target::File { path, lines } => {
                format!(
                    "{}{}",
                    path.strip_prefix(&root).unwrap().display(),
                    lines.map(|l| format!(" {}-{}", l.start, l.end)).unwrap_or_default()
                )
            }
            other => format!("{other:?}"),
        });
        out += &format!(
            "{needle}:\n  hover: {}\n  definition: {}\n",
            md.unwrap_or_default().replace('\n', "\n  | "),
            target.unwrap_or_default()
        );
    }
    expect![[r#"
        src/service.rs:3-7:
          hover: *History:* as written in v1 (0244661, 2025-01-10) → now lines 13-17 (unchanged)
          definition: src/service.rs 13-17
        src/service.rs:23-27:
          hover: *History:* as written in v1 (0244661, 2025-01-10) → removed in 98d5d53 (2025-01-13)
          | 
          | As written:
          | 
          | ```rust
          | fn delta() {
          |     let delta_0 = 0;
          |     let delta_1 = 1;
          |     let delta_2 = 2;
          | }
          | ```
          definition: 
        src/old.rs:1-4:
          hover: *History:* as written in v1 (0244661, 2025-01-10) → now `lib/new.rs` lines 1-4 (unchanged)
          definition: lib/new.rs 1-4
        src/stable.rs:1-3:
          hover: *History:* as written in v1 (0244661, 2025-01-10) → now lines 1-3 (unchanged)
          definition: 
        src/service.rs:1-2:
          hover: 
          definition: 
    "#]]
    .assert_eq(&out);
}

/// Over stdio: the first diagnostics come without history (never on the
/// keystroke path), the history codes are republished when they land, an
/// edit keeps them (the blame is cached), hover and definition use them.
#[test]
fn history_over_lsp() {
    use crate::lsp_client::{codes, file_uri, Client};
    use serde_json::json;
    let r = story();
    let root = std::fs::canonicalize(&r.dir).unwrap();
    let text = std::fs::read_to_string(root.join("LOG.md")).unwrap();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("LOG.md"));
    c.open(&uri, &text, 1);
    let has = |p: &Value, code: &str| p["diagnostics"].as_array().is_some_and(|a| a.iter().any(|d| d["code"] == code));
    let p = c.diagnostics_where(&uri, |p| p["version"] == 1 && has(p, "range-moved"));
    let got: Vec<(u64, String)> = codes(&p).into_iter().filter(|x| x.2.starts_with("range-")).map(|x| (x.0, x.2)).collect();
    let lines_of = |v: &[(u64, String)]| v.iter().map(|(l, c)| format!("{l} {c}")).collect::<Vec<_>>().join(", ");
    expect!["12 range-moved, 14 range-changed, 15 range-removed, 16 range-moved, 18 range-moved, 19 range-removed, 28 range-moved"]
        .assert_eq(&lines_of(&got));
    // Hover on alpha (line 12, 0-based), and go to where its lines are now.
    let pos = json!({"textDocument": {"uri": uri}, "position": {"line": 12, "character": 5}});
    let hover = c.request("textDocument/hover", pos.clone());
    let first = hover["contents"]["value"].as_str().unwrap_or("").lines().next().unwrap_or("").to_string();
    expect!["*History:* as written in v1 (0244661, 2025-01-10) → now lines 13-17 (unchanged)"].assert_eq(&first);
    let def = c.request("textDocument/definition", pos);
    assert_eq!(def[0]["targetRange"]["start"]["line"], 12, "{def}");
    assert!(def[0]["targetUri"].as_str().unwrap().ends_with("src/service.rs"), "{def}");
    // Typing a line at the top: the facts come back for the new version.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 0}}, "text": "Intro.\n"}]}),
    );
    let p = c.diagnostics_where(&uri, |p| p["version"] == 2 && has(p, "range-moved"));
    let moved: Vec<u64> = codes(&p).into_iter().filter(|x| x.2 == "range-moved").map(|x| x.0).collect();
    assert_eq!(moved.first(), Some(&13), "{p}");
    assert_eq!(c.shutdown(), 0);
}

/// `check --history` and `status --format json --history` on the story's
/// log; without `--history`, `check` reads no git.
#[test]
fn history_on_the_command_line() {
    let r = story();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_worklog-ls"))
            .args(args)
            .current_dir(&r.dir)
            .env("NO_COLOR", "1")
            .env("HOME", &r.home)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let codes = |json: &str| -> String {
        let v: Value = serde_json::from_str(json).unwrap();
        let mut out: Vec<String> = Vec::new();
        for d in v["files"][0]["diagnostics"].as_array().unwrap() {
            let code = d["code"].as_str().unwrap();
            if code.starts_with("range-") || code == "file-not-found" {
                out.push(format!("{} {code}", d["range"]["start"]["line"]));
            }
        }
        out.join(", ")
    };
    expect!["13 range-moved, 15 range-changed, 16 range-removed, 17 range-moved, 19 range-moved, 20 range-removed, 29 range-moved"]
        .assert_eq(&codes(&run(&["check", "--history", "--format", "json", "LOG.md"])));
    expect![[r#""#]].assert_eq(&codes(&run(&["check", "--format", "json", "LOG.md"])));
    // Outside any repository the human output says why there is no history.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("worklog.toml"), "").unwrap();
    std::fs::write(tmp.path().join("LOG.md"), HEAD.to_string() + &entry(3, "2025-01-10", "A", "- `a.rs:1-2` a\n")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_worklog-ls"))
        .args(["check", "--history", "LOG.md"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", tmp.path().parent().unwrap())
        .output()
        .unwrap();
    let note: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains("history")).map(str::to_string).collect();
    expect!["note: LOG.md: history: no git repository with commits holds the project root"].assert_eq(&note.join("\n"));
    let status: Value = serde_json::from_str(&run(&["status", "--format", "json", "--history", "LOG.md"])).unwrap();
    let h: Vec<String> = status["files"][0]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {} {}", f["line"], f["reference"].as_str().unwrap(), f["code"], f["now"]))
        .collect();
    expect![[r#"
        13 src/service.rs:3-7 "range-moved" {"end":17,"path":null,"start":13}
        14 src/service.rs:19-23 null {"unchanged":true}
        15 src/service.rs:15-21 "range-changed" {"end":31,"of":7,"path":null,"remain":5,"start":25}
        16 src/service.rs:23-27 "range-removed" {"file_deleted":false,"removed_by":"98d5d53","removed_on":"2025-01-13"}
        17 src/service.rs:29-34 "range-moved" {"end":11,"path":null,"start":6}
        18 src/stable.rs:1-3 null {"unchanged":true}
        19 src/old.rs:1-4 "range-moved" {"end":4,"path":"lib/new.rs","start":1}
        20 src/gone.rs:1-2 "range-removed" {"file_deleted":true,"removed_by":"0663c8e","removed_on":"2025-01-17"}
        29 src/old.rs:2-3 "range-moved" {"end":3,"path":"lib/new.rs","start":2}
        30 src/service.rs:25-31 null {"unchanged":true}"#]]
    .assert_eq(&h.join("\n"));
}

/// The facts the server and `check --history` wrap around the disk facts
/// still answer every other question: `history-disagrees` (an older file of
/// the same log beside this one) arrives over LSP and from the CLI.
#[test]
fn history_wrappers_forward_the_other_facts() {
    use crate::lsp_client::{file_uri, Client};
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    std::fs::write(root.join("worklog.toml"), "").unwrap();
    let old = HEAD.to_string() + &entry(1, "2025-01-10", "First", "") + &entry(2, "2025-01-11", "Second", "");
    let new = old.replace("Second", "Second, renamed") + &entry(3, "2025-01-12", "Third", "");
    std::fs::write(root.join("Auth-v2.md"), old.replace("version: v3", "version: v2")).unwrap();
    std::fs::write(root.join("Auth-v3.md"), &new).unwrap();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("Auth-v3.md"));
    c.open(&uri, &new, 1);
    let p = c.diagnostics_where(&uri, |p| p["version"] == 1);
    assert!(p["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "history-disagrees"), "{p}");
    assert_eq!(c.shutdown(), 0);
    let out = Command::new(env!("CARGO_BIN_EXE_worklog-ls"))
        .args(["check", "--history", "--format", "json", "Auth-v3.md"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"history-disagrees\""));
}

/// The two wrappers of the disk facts (the server's snapshot and
/// `WithHistory`) implement every method of `FileFacts`: a method left to
/// its default there silently loses what the disk facts know (it happened
/// to `older_file` and `similar_paths`).
#[test]
fn history_wrappers_implement_every_fact() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let facts = read("src/analysis/facts.rs");
    let trait_body = facts.split("pub trait FileFacts").nth(1).unwrap().split("\n}\n").next().unwrap();
    let methods: Vec<&str> =
        trait_body.lines().filter_map(|l| l.trim().strip_prefix("fn ")).map(|l| l.split('(').next().unwrap()).collect();
    assert!(methods.len() >= 4, "{methods:?}");
    for (file, block) in
        [("src/lsp/host.rs", "impl FileFacts for Snapshot"), ("src/workspace/history/mod.rs", "impl FileFacts for WithHistory")]
    {
        let text = read(file);
        let body = text.split(block).nth(1).unwrap().split("\n}\n").next().unwrap();
        for m in &methods {
            assert!(body.contains(&format!("fn {m}(")), "{file}: `{block}` does not implement `{m}`");
        }
    }
}
