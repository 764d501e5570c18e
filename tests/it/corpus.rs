//! Never cry wolf: Markdown that only looks like a Work Log gets nothing,
//! and real logs get only what their authors would want to fix.
//!
//! `tests/data/not-logs/` is our own tree of look-alikes (skills with
//! `version: 1.2.0`, changelogs, `worklog.md` notes in other formats,
//! navigation footers, status reports, a log shown in a code block). The
//! real files of `../shared/corpus/realworld/` (other people's; never copied
//! into this repository) are read when that folder exists.

use std::path::{Path, PathBuf};
use std::process::Command;

use expect_test::expect;
use worklog_ls::analysis::{diagnostics, recognise, Context, Recognition};
use worklog_ls::config::Config;
use worklog_ls::document::Document;

use crate::support::FakeFacts;

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("md")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every Markdown file under `dir` is not a Work Log and gets nothing.
fn assert_silent(dir: &Path) -> usize {
    let facts = FakeFacts::new(&[]);
    let config = Config::default();
    let files = markdown_files(dir);
    let mut loud = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let doc = Document::new(&text);
        let cx = Context { config: &config, path: Some(f), facts: &facts };
        let r = recognise(&doc, &config, Some(f));
        let d = diagnostics(&doc, &cx);
        if r != Recognition::Not || !d.is_empty() {
            loud.push(format!("{}: {r:?}, {} diagnostics", f.display(), d.len()));
        }
    }
    assert!(loud.is_empty(), "look-alikes treated as Work Logs:\n{}", loud.join("\n"));
    files.len()
}

#[test]
fn our_look_alikes_are_silent() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/not-logs");
    assert!(assert_silent(&dir) >= 7);
}

#[test]
fn check_over_ordinary_markdown_finds_no_work_log_and_exits_0() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/not-logs");
    let out = Command::new(env!("CARGO_BIN_EXE_worklog-ls")).arg("check").arg(&dir).output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("0 Work Logs"), "{all}");
}

fn realworld() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/realworld");
    d.is_dir().then_some(d)
}

#[test]
fn real_look_alikes_are_silent() {
    let Some(dir) = realworld() else { return };
    assert!(assert_silent(&dir.join("lookalikes")) >= 38);
}

/// The real logs, each in a workspace holding the files that existed in its
/// repository (`workspaces.json`): `line code` of every diagnostic.
#[test]
fn real_logs_get_only_what_their_authors_would_fix() {
    let Some(dir) = realworld() else { return };
    let ws: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("logs/workspaces.json")).unwrap()).unwrap();
    let config = Config::default();
    let mut out = String::new();
    for f in markdown_files(&dir.join("logs")) {
        let key = f.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        let files: Vec<(String, usize)> = ws
            .get(&key)
            .and_then(|m| m.as_object())
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0) as usize)).collect())
            .unwrap_or_default();
        let refs: Vec<(&str, usize)> = files.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        let facts = FakeFacts::new(&refs);
        let text = std::fs::read_to_string(&f).unwrap();
        let doc = Document::new(&text);
        let path = Path::new("/ws").join(f.file_name().unwrap());
        let cx = Context { config: &config, path: Some(&path), facts: &facts };
        assert!(recognise(&doc, &config, Some(&path)).is_log(), "{key}");
        let d = diagnostics(&doc, &cx);
        let name = key.split('/').nth(1).unwrap_or("").split("__").last().unwrap_or("");
        out.push_str(&format!("{name}: {}\n", d.len()));
        for x in d.iter().filter(|x| x.code.as_str() != "file-not-found") {
            out.push_str(&format!("  {} {}\n", doc.rope().byte_to_line(x.range.start) + 1, x.code.as_str()));
        }
    }
    // file-not-found is counted but not listed: those files are not in
    // the repository at the log's commit (an ephemeral fork's folder).
    // f54a9e7 says `status: completed` with two open `[HIGH]` items (commit,
    // open the pull request): the protocol's checklist wants HIGH items clear
    // before `completed`, so `completed-with-open-high` (information) stays.
    expect![[r#"
        claude-skills@5244157: 13
          1 missing-frontmatter
          3 missing-section
          124 unknown-section
          189 unknown-section
          546 duplicate-section
        claude-skills@f1f1e93: 1
          337 malformed-entry
        claude-skills@f54a9e7: 1
          3 completed-with-open-high
        block1: 0
        block2: 0
        block3: 0
        block4: 0
        block1: 0
    "#]]
    .assert_eq(&out);
}
