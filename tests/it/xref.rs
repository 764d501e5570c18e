//! Across every log of the workspace (issue 12, item 6): the index, the
//! references, workspace symbols, the rename edits — over multi-log
//! fixtures written into a temporary folder (`fixture.rs`).

use std::fmt::Write;

use expect_test::{expect, Expect};
use worklog_ls::ide::change::{self, FileOp, SourceChange};
use worklog_ls::ide::xref::{self, Logs};

use std::path::PathBuf;
use std::sync::Arc;

use worklog_ls::config::Config;
use worklog_ls::ide::xref::LogIndex;
use worklog_ls::workspace::{logs, FileIndex, LineCache};

use crate::fixture::{Fixture, Written};

/// The index of every log of the fixture's folder, as the server builds it.
fn log_index(f: &Written) -> LogIndex {
    let index = Arc::new(FileIndex::build(&f.root));
    let lines = Arc::new(LineCache::default());
    let config = Config::default();
    let summarise = |i: logs::LogInput<'_>| xref::summarise_text(i.text, i.path, i.root, &config, i.facts);
    LogIndex::new(logs::all_logs(&index, &lines, config.max_file_size, &summarise))
}

fn read(f: &Written, rel: &str) -> String {
    std::fs::read_to_string(f.path(rel)).unwrap()
}

fn workspace() -> Written {
    Fixture::parse(WORKSPACE).write()
}

pub(crate) const WORKSPACE: &str = r#"
//- src/auth/service.ts
export function login() {}
//- src/auth/token.ts
export const token = 1;
//- src/api/routes.ts
export const routes = [];
//- logs/Auth-WorkLog-v2.md
---
version: v2
status: in_progress
---

# Auth

## v1 | 2025-11-12 | Login Flow

**Now:** login in `src/auth/service.ts:1-40`
**Progress:** 50%

## v2 | 2025-11-13 | Refresh Strategy Decided

**Now:** refresh
**Progress:** 60%
**Files:**
- `src/auth/token.ts`
- [service](../src/auth/service.ts#L30-L50)
**Next:**
- [HIGH] keep `service.ts` small
//- logs/Api-WorkLog.md
---
version: v1
status: needs_review
---

# API

## v1 | 2025-11-14 | Routes

**Now:** routes in `src/api/routes.ts`, auth from `src/auth/service.ts:45-60`
**Progress:** 90%
//- notes/readme.md
# Notes

Not a log: it mentions `src/auth/service.ts:1-2` and `src/auth/token.ts`.

## v1 | 2025-11-12 | Looks like an entry
"#;

fn refs(f: &Written, logs: &Logs<'_>, target: &str, lines: Option<(u32, u32)>, expect: Expect) {
    let mut out = String::new();
    for r in xref::references_to(logs, &f.path(target), lines) {
        let s = &r.r.range.start;
        let overlap = if r.overlaps { " (overlaps)" } else { "" };
        writeln!(out, "{} {}:{} {}{overlap}", f.rel(r.log), s.line + 1, s.utf16 + 1, r.r.written).unwrap();
    }
    expect.assert_eq(&out);
}

#[test]
fn look_alike_markdown_contributes_nothing() {
    let f = workspace();
    let index = log_index(&f);
    let names: Vec<String> = index.iter().map(|l| f.rel(&l.path)).collect();
    expect![[r#"["logs/Api-WorkLog.md", "logs/Auth-WorkLog-v2.md"]"#]].assert_eq(&format!("{names:?}"));
}

#[test]
fn references_to_a_file_across_logs_overlapping_first() {
    let f = workspace();
    let indexes = [Arc::new(log_index(&f))];
    let logs = Logs { indexes: &indexes, open: &[] };
    refs(
        &f,
        &logs,
        "src/auth/service.ts",
        Some((40, 50)),
        expect![[r#"
            logs/Api-WorkLog.md 10:52 src/auth/service.ts (overlaps)
            logs/Auth-WorkLog-v2.md 10:20 src/auth/service.ts (overlaps)
            logs/Auth-WorkLog-v2.md 19:13 ../src/auth/service.ts (overlaps)
            logs/Auth-WorkLog-v2.md 21:16 service.ts
        "#]],
    );
    refs(
        &f,
        &logs,
        "src/auth",
        None,
        expect![[r#"
            logs/Api-WorkLog.md 10:52 src/auth/service.ts
            logs/Auth-WorkLog-v2.md 10:20 src/auth/service.ts
            logs/Auth-WorkLog-v2.md 18:4 src/auth/token.ts
            logs/Auth-WorkLog-v2.md 19:13 ../src/auth/service.ts
            logs/Auth-WorkLog-v2.md 21:16 service.ts
        "#]],
    );
}

#[test]
fn workspace_symbols_find_entries_of_every_log() {
    let f = workspace();
    let index = log_index(&f);
    let indexes = [Arc::new(index)];
    let logs = Logs { indexes: &indexes, open: &[] };
    let show =
        |q: &str| xref::find_entries(&logs, q, 10).iter().map(|e| format!("{} {}\n", f.rel(e.log), e.entry.label)).collect::<String>();
    expect![[r#"
        logs/Api-WorkLog.md v1 · 2025-11-14 · Routes
        logs/Auth-WorkLog-v2.md v1 · 2025-11-12 · Login Flow
    "#]]
    .assert_eq(&show("v1"));
    expect![[r#"
        logs/Auth-WorkLog-v2.md v2 · 2025-11-13 · Refresh Strategy Decided
    "#]]
    .assert_eq(&show("refresh strategy"));
    // The look-alike's entry-shaped heading is not an entry of any log.
    expect![""].assert_eq(&show("looks like"));
}

#[test]
fn logs_sharing_files_count_other_logs() {
    let f = workspace();
    let index = log_index(&f);
    let indexes = [Arc::new(index)];
    let logs = Logs { indexes: &indexes, open: &[] };
    let auth = logs.get(&f.path("logs/Auth-WorkLog-v2.md")).unwrap();
    let others: Vec<String> = xref::logs_sharing_files(&logs, auth).iter().map(|p| f.rel(p)).collect();
    expect![[r#"["logs/Api-WorkLog.md"]"#]].assert_eq(&format!("{others:?}"));
    expect![[r#"Some("1 other log references these files")"#]].assert_eq(&format!("{:?}", xref::sharing_lens_text(others.len())));
}

/// The change applied to the fixture's texts, as a snapshot.
fn show_change(f: &Written, c: &SourceChange) -> String {
    let mut out = String::new();
    for fe in &c.files {
        let rel = f.rel(&fe.path);
        let before = read(f, &rel);
        let after = change::apply(&before, &fe.edits);
        writeln!(out, "{rel}:").unwrap();
        for (b, a) in before.lines().zip(after.lines()) {
            if a != b {
                writeln!(out, "  {a}").unwrap();
            }
        }
    }
    for op in &c.ops {
        match op {
            FileOp::Create { path, text } => writeln!(out, "create {} ({} bytes)", f.rel(path), text.len()).unwrap(),
            FileOp::Rename { from, to } => writeln!(out, "rename {} -> {}", f.rel(from), f.rel(to)).unwrap(),
        }
    }
    out
}

#[test]
fn rename_a_file_updates_every_log() {
    let f = workspace();
    let index = log_index(&f);
    let indexes = [Arc::new(index)];
    let logs = Logs { indexes: &indexes, open: &[] };
    let (c, skipped) = xref::rename_edits(&logs, &f.path("src/auth/service.ts"), &f.path("src/auth/session.ts"));
    assert_eq!(skipped, 0);
    expect![[r#"
        logs/Api-WorkLog.md:
          **Now:** routes in `src/api/routes.ts`, auth from `src/auth/session.ts:45-60`
        logs/Auth-WorkLog-v2.md:
          **Now:** login in `src/auth/session.ts:1-40`
          - [service](../src/auth/session.ts#L30-L50)
          - [HIGH] keep `session.ts` small
    "#]]
    .assert_eq(&show_change(&f, &c));
}

#[test]
fn rename_a_folder_updates_references_below_it() {
    let f = workspace();
    let index = log_index(&f);
    let indexes = [Arc::new(index)];
    let logs = Logs { indexes: &indexes, open: &[] };
    let (c, skipped) = xref::rename_edits(&logs, &f.path("src/auth"), &f.path("src/identity"));
    assert_eq!(skipped, 0);
    // The bare `service.ts` keeps its name: it still resolves.
    expect![[r#"
        logs/Api-WorkLog.md:
          **Now:** routes in `src/api/routes.ts`, auth from `src/identity/service.ts:45-60`
        logs/Auth-WorkLog-v2.md:
          **Now:** login in `src/identity/service.ts:1-40`
          - `src/identity/token.ts`
          - [service](../src/identity/service.ts#L30-L50)
    "#]]
    .assert_eq(&show_change(&f, &c));
}

#[test]
fn rename_out_of_the_project_root_is_not_written() {
    let f = workspace();
    let index = log_index(&f);
    let indexes = [Arc::new(index)];
    let logs = Logs { indexes: &indexes, open: &[] };
    let outside = f.root.parent().unwrap().join("elsewhere.ts");
    let (c, skipped) = xref::rename_edits(&logs, &f.path("src/auth/token.ts"), &outside);
    assert!(c.is_empty());
    assert_eq!(skipped, 1);
}

#[test]
fn rename_from_a_reference_renames_the_file() {
    let fixture = Fixture::parse(&WORKSPACE.replace("login in `src/auth/service.ts:1-40`", "login in `src/auth/serv$0ice.ts:1-40`"));
    let f = fixture.write();
    let index = log_index(&f);
    let indexes = [Arc::new(index)];
    let logs = Logs { indexes: &indexes, open: &[] };
    let (rel, at) = fixture.cursor.clone().unwrap();
    let log_path: PathBuf = f.path(&rel);
    let log = logs.get(&log_path).unwrap();
    let r = xref::ref_at(log, at).unwrap();
    let exists = |p: &std::path::Path| p.exists();
    let c = xref::rename_reference(&logs, log, r, "src/auth/session.ts", &exists).unwrap();
    expect![[r#"
        logs/Api-WorkLog.md:
          **Now:** routes in `src/api/routes.ts`, auth from `src/auth/session.ts:45-60`
        logs/Auth-WorkLog-v2.md:
          **Now:** login in `src/auth/session.ts:1-40`
          - [service](../src/auth/session.ts#L30-L50)
          - [HIGH] keep `session.ts` small
        rename src/auth/service.ts -> src/auth/session.ts
    "#]]
    .assert_eq(&show_change(&f, &c));
    // Never onto an existing file, never out of the root.
    assert!(xref::rename_reference(&logs, log, r, "src/auth/token.ts", &exists).is_none());
    assert!(xref::rename_reference(&logs, log, r, "../outside.ts", &exists).is_none());
}

#[test]
fn refresh_follows_created_changed_and_removed_logs() {
    let f = workspace();
    let mut index = log_index(&f);
    let config = Config::default();
    let lines = Arc::new(LineCache::default());
    let summarise = |p: &std::path::Path| {
        // As the server does it: the file index at this time, the log read again.
        let files = Arc::new(FileIndex::build(&f.root));
        let s = |i: logs::LogInput<'_>| xref::summarise_text(i.text, i.path, i.root, &config, i.facts);
        logs::with_log(&files, &lines, p, config.max_file_size, &s)
    };
    let markdown_at = |p: &std::path::Path| {
        let files = FileIndex::build(&f.root);
        logs::markdown_files(&files).into_iter().filter(|m| m.starts_with(p)).collect::<Vec<_>>()
    };
    let show = |index: &LogIndex| index.iter().map(|l| format!("{} {}\n", f.rel(&l.path), l.refs.len())).collect::<String>();
    // A new log in a new folder, the look-alike turned into a log, a log removed.
    std::fs::create_dir_all(f.path("more")).unwrap();
    std::fs::write(f.path("more/New-WorkLog.md"), "---\nversion: v1\nstatus: in_progress\n---\n\n# New\n\n## v1 | 2025-11-15 | New\n\n**Now:** `src/auth/token.ts`\n**Progress:** 1%\n").unwrap();
    std::fs::remove_file(f.path("logs/Api-WorkLog.md")).unwrap();
    let n = index.refresh(&[f.path("more"), f.path("logs/Api-WorkLog.md")], &[], &markdown_at, &summarise);
    assert_eq!(n, 1);
    expect![[r#"
        logs/Auth-WorkLog-v2.md 4
        more/New-WorkLog.md 1
    "#]]
    .assert_eq(&show(&index));
    // A referenced file removed: the logs naming it are summarised again
    // (the reference now names a missing file, still found by references).
    std::fs::remove_file(f.path("src/auth/token.ts")).unwrap();
    let n = index.refresh(&[f.path("src/auth/token.ts")], &[f.path("src/auth/token.ts")], &markdown_at, &summarise);
    assert_eq!(n, 2);
    let indexes = [Arc::new(index)];
    refs(
        &f,
        &Logs { indexes: &indexes, open: &[] },
        "src/auth/token.ts",
        None,
        expect![[r#"
            logs/Auth-WorkLog-v2.md 18:4 src/auth/token.ts
            more/New-WorkLog.md 10:11 src/auth/token.ts
        "#]],
    );
}

/// A change over two documents with a rename, for the protocol edge.
fn sample_change() -> SourceChange {
    use worklog_ls::ide::change::Edit;
    let rope = ropey::Rope::from_str("a `é/x.rs` b\n`x.rs`\n");
    let mut c = SourceChange::edits(PathBuf::from("/ws/log.md"), &rope, [(3..10, "y/x.rs".to_string()), (15..19, "z.rs".to_string())]);
    c.insert(PathBuf::from("/ws/other.md"), Edit { span: Default::default(), text: "top\n".into() });
    c
}

#[test]
fn source_change_to_workspace_edit_by_capabilities() {
    use worklog_ls::lsp::encoding::Encoding;
    use worklog_ls::lsp::to_proto::{workspace_edit, EditCaps};
    let versions = |p: &std::path::Path| (p == std::path::Path::new("/ws/log.md")).then_some(7);
    let full = EditCaps { document_changes: true, create: true, rename: true };
    // Text edits only: `changes` without documentChanges, versioned edits with.
    let c = sample_change();
    let plain = workspace_edit(&c, EditCaps::default(), &versions, Encoding::Utf16).unwrap();
    expect![[r#"{"changes":{"file:///ws/log.md":[{"newText":"y/x.rs","range":{"end":{"character":9,"line":0},"start":{"character":3,"line":0}}},{"newText":"z.rs","range":{"end":{"character":5,"line":1},"start":{"character":1,"line":1}}}],"file:///ws/other.md":[{"newText":"top\n","range":{"end":{"character":0,"line":0},"start":{"character":0,"line":0}}}]}}"#]]
        .assert_eq(&sorted_json(&plain));
    let versioned = workspace_edit(&c, full, &versions, Encoding::Utf8).unwrap();
    expect![[r#"{"documentChanges":[{"edits":[{"newText":"y/x.rs","range":{"end":{"character":10,"line":0},"start":{"character":3,"line":0}}},{"newText":"z.rs","range":{"end":{"character":5,"line":1},"start":{"character":1,"line":1}}}],"textDocument":{"uri":"file:///ws/log.md","version":7}},{"edits":[{"newText":"top\n","range":{"end":{"character":0,"line":0},"start":{"character":0,"line":0}}}],"textDocument":{"uri":"file:///ws/other.md","version":null}}]}"#]]
        .assert_eq(&sorted_json(&versioned));
    // File operations: after the edits, in order; refused, never cut down,
    // for a client that cannot do them.
    let mut c = sample_change();
    c.push_op(FileOp::Rename { from: PathBuf::from("/ws/é"), to: PathBuf::from("/ws/y") });
    c.push_op(FileOp::Create { path: PathBuf::from("/ws/new-v2.md"), text: "x\n".into() });
    let ops = workspace_edit(&c, full, &versions, Encoding::Utf16).unwrap();
    let kinds: Vec<String> = serde_json::to_value(&ops).unwrap()["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o["kind"].as_str().map_or_else(
                || format!("edit {}", o["textDocument"]["uri"]),
                |k| format!("{k} {}", o["uri"].as_str().or(o["newUri"].as_str()).unwrap()),
            )
        })
        .collect();
    expect![[r#"["edit \"file:///ws/log.md\"", "edit \"file:///ws/other.md\"", "rename file:///ws/y", "create file:///ws/new-v2.md", "edit \"file:///ws/new-v2.md\""]"#]]
        .assert_eq(&format!("{kinds:?}"));
    assert!(workspace_edit(&c, EditCaps::default(), &versions, Encoding::Utf16).is_err());
    assert!(workspace_edit(&c, EditCaps { document_changes: true, create: true, rename: false }, &versions, Encoding::Utf16).is_err());
}

#[test]
fn a_fix_is_a_change_of_one_document() {
    let rope = ropey::Rope::from_str("status: done\n");
    let fix = worklog_ls::analysis::Fix::replace("in_progress", 8..12, "in_progress");
    let c = fix.into_change(PathBuf::from("/ws/log.md"), &rope);
    assert_eq!(c.files.len(), 1);
    assert_eq!(change::apply("status: done\n", &c.files[0].edits), "status: in_progress\n");
    assert!(!c.has_ops());
}

fn sorted_json(v: &impl serde::Serialize) -> String {
    // serde_json's map is ordered by key: a stable snapshot.
    serde_json::to_value(v).unwrap().to_string()
}

#[test]
fn open_documents_stand_in_for_their_disk_state() {
    let f = workspace();
    let indexes = [Arc::new(log_index(&f))];
    let api = f.path("logs/Api-WorkLog.md");
    let config = Config::default();
    let facts = worklog_ls::workspace::WorkspaceFacts::new(&f.root, None, Arc::new(LineCache::default()));
    // The API log as edited in the editor: it now refers to token.ts only.
    let edited = read(&f, "logs/Api-WorkLog.md").replace("`src/auth/service.ts:45-60`", "`src/auth/token.ts`");
    let summary = xref::summarise_text(&edited, &api, Some(&f.root), &config, &facts).map(Arc::new);
    let open = [(api.clone(), summary)];
    let logs = Logs { indexes: &indexes, open: &open };
    let show = |logs: &Logs<'_>, target: &str| {
        xref::references_to(logs, &f.path(target), None).iter().map(|r| format!("{} ", f.rel(r.log))).collect::<String>()
    };
    expect!["logs/Auth-WorkLog-v2.md logs/Auth-WorkLog-v2.md logs/Auth-WorkLog-v2.md "].assert_eq(&show(&logs, "src/auth/service.ts"));
    expect!["logs/Api-WorkLog.md logs/Auth-WorkLog-v2.md "].assert_eq(&show(&logs, "src/auth/token.ts"));
    // An open document that is no longer a log hides its disk state.
    let open = [(api, None)];
    let logs = Logs { indexes: &indexes, open: &open };
    expect!["logs/Auth-WorkLog-v2.md "].assert_eq(&show(&logs, "src/auth/token.ts"));
}

#[test]
fn older_files_of_the_same_log_are_not_other_logs() {
    let v1 = "//- logs/Auth-WorkLog-v1.md\n---\nversion: v1\nstatus: in_progress\n---\n\n# Auth\n\n## v1 | 2025-11-12 | Login Flow\n\n**Now:** login in `src/auth/service.ts:1-40`\n**Progress:** 50%\n";
    let f = Fixture::parse(&format!("{WORKSPACE}{v1}")).write();
    let indexes = [Arc::new(log_index(&f))];
    let logs = Logs { indexes: &indexes, open: &[] };
    let v2 = logs.get(&f.path("logs/Auth-WorkLog-v2.md")).unwrap();
    let others: Vec<String> = xref::logs_sharing_files(&logs, v2).iter().map(|p| f.rel(p)).collect();
    expect![[r#"["logs/Api-WorkLog.md"]"#]].assert_eq(&format!("{others:?}"));
    // The Api log shares files with both files of the Auth log.
    let api = logs.get(&f.path("logs/Api-WorkLog.md")).unwrap();
    let others: Vec<String> = xref::logs_sharing_files(&logs, api).iter().map(|p| f.rel(p)).collect();
    expect![[r#"["logs/Auth-WorkLog-v1.md", "logs/Auth-WorkLog-v2.md"]"#]].assert_eq(&format!("{others:?}"));
}

#[test]
fn rename_from_a_reference_refuses_odd_names() {
    let fixture = Fixture::parse(&WORKSPACE.replace("login in `src/auth/service.ts:1-40`", "login in `src/auth/serv$0ice.ts:1-40`"));
    let f = fixture.write();
    let indexes = [Arc::new(log_index(&f))];
    let logs = Logs { indexes: &indexes, open: &[] };
    let (rel, at) = fixture.cursor.clone().unwrap();
    let log = logs.get(&f.path(&rel)).unwrap();
    let r = xref::ref_at(log, at).unwrap();
    let exists = |p: &std::path::Path| p.exists();
    for name in [
        "",
        " ",
        ".",
        "..",
        "a\u{0}b",
        "/etc/passwd",
        "~/x.ts",
        "C:\\x.ts",
        "../../x.ts",
        "src/auth/",
        "src/auth/service.ts",
        "a b.ts",
        "x`.ts",
    ] {
        assert!(xref::rename_reference(&logs, log, r, name, &exists).is_none(), "{name:?}");
    }
    // A bare name renames in place; a new folder is fine (the client creates it).
    let c = xref::rename_reference(&logs, log, r, "auth-service.ts", &exists).unwrap();
    assert_eq!(c.ops, [FileOp::Rename { from: f.path("src/auth/service.ts"), to: f.path("src/auth/auth-service.ts") }]);
    // The link written from the log's folder renames from there, `..` up to the root.
    let link_at = read(&f, &rel).find("../src/auth/service.ts").unwrap() + 3;
    let link = xref::ref_at(log, link_at).unwrap();
    assert_eq!(link.written, "../src/auth/service.ts");
    let c = xref::rename_reference(&logs, log, link, "../src/auth/session.ts", &exists).unwrap();
    assert_eq!(c.ops, [FileOp::Rename { from: f.path("src/auth/service.ts"), to: f.path("src/auth/session.ts") }]);
    assert!(xref::rename_reference(&logs, log, link, "../../session.ts", &exists).is_none());
    // Moved to a new folder under its name: the bare `service.ts` stays.
    let c = xref::rename_reference(&logs, log, r, "src/new/service.ts", &exists).unwrap();
    assert_eq!(c.edit_count(), 3);
}
