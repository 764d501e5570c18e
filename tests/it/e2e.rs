//! End-to-end: the real binary over stdio.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::lsp_client::{codes, file_uri, Client, TIMEOUT};

/// A temp workspace holding a copy of `examples/`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), &root);
    (dir, root)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

const UNICODE_LOG: &str = "---\nversion: v1\nstatus: in_progress\n---\n\n# T\n\n## v1 | 2025-11-13 14:00 | A\n\n**Prev:** x\n**Now:** 🔄 ✅ then âœ…\n**Progress:** 50%\n**Next:**\n- [HIGH] go\n";

#[test]
fn utf16_and_utf8_columns_after_emoji() {
    let (_d, root) = workspace();
    for (utf8, want_enc, col) in [(false, "utf-16", 19), (true, "utf-8", 23)] {
        let mut c = Client::spawn();
        let init = c.initialize(&root, utf8);
        assert_eq!(init["capabilities"]["positionEncoding"], want_enc);
        let uri = file_uri(&root.join("uni.md"));
        c.open(&uri, UNICODE_LOG, 1);
        let p = c.diagnostics(&uri, 1);
        assert_eq!(codes(&p), vec![(10, col, "mojibake".to_string())], "{p}");
        let d = &p["diagnostics"][0];
        assert_eq!(d["source"], "worklog");
        // The garbled run `âœ…` is 3 chars: 3 UTF-16 units, 2+2+3 UTF-8 bytes.
        let width = d["range"]["end"]["character"].as_u64().unwrap() - col;
        assert_eq!(width, if utf8 { 7 } else { 3 });
        assert_eq!(c.shutdown(), 0);
    }
}

fn change(c: &mut Client, uri: &str, version: i64, range: Value, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": text}]}),
    );
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

#[test]
fn incremental_changes_update_diagnostics() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("uni.md"));
    let clean = UNICODE_LOG.replace("then âœ…", "then ✅");
    c.open(&uri, &clean, 1);
    assert!(codes(&c.diagnostics(&uri, 1)).is_empty());
    // `- [HIGH] go` is line 13: make it `[high]`.
    change(&mut c, &uri, 2, range(13, 2, 13, 8), "[high]");
    assert_eq!(codes(&c.diagnostics(&uri, 2)), vec![(13, 2, "bad-priority".to_string())]);
    // Break the entry heading, then the frontmatter status.
    change(&mut c, &uri, 3, range(7, 9, 7, 10), "x");
    let got: Vec<String> = codes(&c.diagnostics(&uri, 3)).into_iter().map(|x| x.2).collect();
    assert_eq!(got, vec!["malformed-entry", "bad-priority"]);
    // With both the heading and the status broken the file is no Work Log by
    // §1 (no valid frontmatter, no entry-shaped heading): nothing is said.
    change(&mut c, &uri, 4, range(2, 8, 2, 19), "in_progres");
    assert!(codes(&c.diagnostics(&uri, 4)).is_empty());
    change(&mut c, &uri, 5, range(7, 9, 7, 10), "0");
    let p = c.diagnostics(&uri, 5);
    assert!(codes(&p).contains(&(2, 8, "invalid-status".to_string())), "{p}");
    // Quick fix offered for the status.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(2, 9, 2, 9), "context": {"diagnostics": []}}),
    );
    assert_eq!(actions[0]["title"], "Change to `in_progress`", "{actions}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn rapid_changes_end_in_the_right_state() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("uni.md"));
    let mut text = UNICODE_LOG.replace("then âœ…", "ok");
    c.open(&uri, &text, 1);
    // 300 keystrokes typing a new Next item and an entry, char by char.
    let typed = "- [LOW] more 🔄\n- [P1] urgent\n## v2 | 2025-11-12 09:00 | B\n**Prev:** v1\n**Progress:** 120%\n";
    let mut line = 14u32;
    let mut col = 0u32;
    let mut version = 1;
    for ch in typed.chars() {
        version += 1;
        change(&mut c, &uri, version, range(line, col, line, col), &ch.to_string());
        text.push(ch);
        if ch == '\n' {
            line += 1;
            col = 0;
        } else {
            col += ch.len_utf16() as u32;
        }
    }
    let p = c.diagnostics(&uri, version);
    let got: Vec<(u64, String)> = codes(&p).into_iter().map(|(l, _, code)| (l, code)).collect();
    // The same text analysed fresh by the library.
    let doc = worklog_ls::document::Document::new(&text);
    let config = worklog_ls::config::Config::default();
    let path = root.join("uni.md");
    let cx = worklog_ls::analysis::Context { config: &config, path: Some(&path), facts: &worklog_ls::analysis::facts::NoFacts };
    let mut want: Vec<(u64, String)> = worklog_ls::analysis::diagnostics(&doc, &cx)
        .iter()
        .map(|d| (doc.rope().byte_to_line(d.range.start) as u64, d.code.as_str().to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
    assert!(got.iter().any(|(_, c)| c == "bad-progress") && got.iter().any(|(_, c)| c == "date-order"), "{got:?}");
    assert_eq!(c.shutdown(), 0);
}

/// Position (line, UTF-16 column) of the first occurrence of `needle`.
fn find(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count() as u32;
    (line, col)
}

#[test]
fn seed_logs_are_clean_and_navigable() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    for n in 1..=4 {
        let p = root.join(format!("Auth-WorkLog-v{n}.md"));
        let uri = file_uri(&p);
        c.open(&uri, &std::fs::read_to_string(&p).unwrap(), 1);
        let d = c.diagnostics(&uri, 1);
        assert!(codes(&d).is_empty(), "v{n}: {d}");
    }
    let p = root.join("Auth-WorkLog-v4.md");
    let uri = file_uri(&p);
    let text = std::fs::read_to_string(&p).unwrap();
    // Definition from `src/auth/service.ts:84-145` to lines 84..=145.
    let (l, ch) = find(&text, "src/auth/service.ts:84-145");
    let def = c.request("textDocument/definition", json!({"textDocument": {"uri": uri}, "position": {"line": l, "character": ch + 3}}));
    let link = &def[0];
    assert!(link["targetUri"].as_str().unwrap().ends_with("/src/auth/service.ts"), "{def}");
    assert_eq!(link["targetRange"]["start"]["line"], 83);
    assert_eq!(link["targetSelectionRange"]["start"]["line"], 83);
    assert_eq!(link["originSelectionRange"]["start"]["character"], ch);
    // Hover shows the lines.
    let hover = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": l, "character": ch + 3}}));
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("lines 84–145 of 145") && md.contains("```typescript"), "{md}");
    // Workspace symbols find an entry of any open log by version.
    let found = c.request("workspace/symbol", json!({"query": "v3"}));
    let first = &found[0];
    assert!(first["name"].as_str().unwrap().starts_with("v3 · "), "{found}");
    assert!(first["location"]["uri"].as_str().unwrap().contains("Auth-WorkLog-v"), "{found}");
    assert!(first["containerName"].as_str().unwrap().starts_with("Auth-WorkLog-v"), "{found}");
    // Completion of a path once the index is ready: type `` `rout `` in Files.
    let (fl, _) = find(&text, "**Files:**");
    let line = fl + 1;
    change(&mut c, &uri, 2, range(line, 0, line, 0), "- `rout\n");
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let r = c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 7}}));
        let items = r["items"].as_array().cloned().unwrap_or_default();
        if let Some(first) = items.first() {
            assert_eq!(first["label"], "src/routes/auth.ts", "{r}");
            assert_eq!(first["textEdit"]["range"], range(line, 3, line, 7));
            break;
        }
        assert!(Instant::now() < deadline, "index never ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn watched_files_flip_file_not_found() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("w.md"));
    let text = UNICODE_LOG.replace("then âœ…", "ok").replace("**Next:**", "**Files:**\n- `src/new.ts` (new)\n**Next:**");
    c.open(&uri, &text, 1);
    let missing = |p: &Value| codes(p).iter().any(|x| x.2 == "file-not-found");
    assert!(missing(&c.diagnostics(&uri, 1)));
    let f = root.join("src/new.ts");
    std::fs::write(&f, "export {}\n").unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": file_uri(&f), "type": 1}]}));
    c.diagnostics_where(&uri, |p| !missing(p));
    std::fs::remove_file(&f).unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": file_uri(&f), "type": 3}]}));
    c.diagnostics_where(&uri, missing);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn markdown_that_is_not_a_log_stays_silent() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("README.md"));
    c.open(&uri, "# Notes\n\n**Next:**\n- [SOON] x\n- see `lib/missing.rs:1-10`\n", 1);
    assert!(codes(&c.diagnostics(&uri, 1)).is_empty());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn client_settings_apply_and_unknown_keys_warn() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.settings = json!({"requiredSections": ["Prev", "Files"], "severities": {"missing-section": "error"}, "bogus": 1});
    c.initialize(&root, false);
    let uri = file_uri(&root.join("uni.md"));
    c.open(&uri, &UNICODE_LOG.replace("then âœ…", "ok"), 1);
    // Settings arrive asynchronously: wait for the diagnostics that use them.
    let p = c.diagnostics_where(&uri, |p| codes(p).iter().any(|x| x.2 == "missing-section"));
    assert_eq!(p["diagnostics"][0]["severity"], 1, "{p}");
    assert!(p["diagnostics"][0]["message"].as_str().unwrap().contains("Files"));
    let warned = c
        .backlog
        .iter()
        .any(|m| m["method"] == "window/showMessage" && m["params"]["message"].as_str().is_some_and(|s| s.contains("bogus")));
    assert!(warned, "no warning about the unknown setting: {:?}", c.backlog);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn requests_between_rapid_edits_see_a_consistent_document() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("uni.md"));
    let base = UNICODE_LOG.replace("then âœ…", "ok");
    c.open(&uri, &base, 1);
    let mut version = 1;
    let mut entries = 1;
    for k in 2..=30u32 {
        // Append an entry, then immediately ask for the outline: it must
        // reflect every edit sent before it.
        version += 1;
        let line = base.matches('\n').count() as u32 + (k - 2) * 2;
        let text = format!("## v{k} | 2025-11-14 10:00 | E{k}\n**Prev:** 🔄\n");
        change(&mut c, &uri, version, range(line, 0, line, 0), &text);
        entries += 1;
        let syms = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
        let n = syms.as_array().unwrap().iter().filter(|s| s["name"].as_str().unwrap().starts_with('v')).count();
        assert_eq!(n, entries);
    }
    let p = c.diagnostics(&uri, version);
    // Every new entry lacks Now, Progress and Next; versions are in order.
    let ms = codes(&p).iter().filter(|x| x.2 == "missing-section").count();
    assert_eq!(ms, 29 * 3, "{p}");
    assert!(!codes(&p).iter().any(|x| x.2 == "version-order"), "{p}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn server_side_watcher_when_the_client_cannot_watch() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize_with(&root, false, false);
    let uri = file_uri(&root.join("w.md"));
    let text = UNICODE_LOG.replace("then âœ…", "ok").replace("**Next:**", "**Files:**\n- `src/later.ts:1-2` (new)\n**Next:**");
    c.open(&uri, &text, 1);
    let missing = |p: &Value| codes(p).iter().any(|x| x.2 == "file-not-found");
    let too_short = |p: &Value| codes(p).iter().any(|x| x.2 == "range-out-of-bounds");
    assert!(missing(&c.diagnostics(&uri, 1)));
    // The watcher starts in the background: write until it has seen a file.
    let f = root.join("src/later.ts");
    let mut seen = false;
    for k in 0..40 {
        std::fs::write(&f, format!("one {k}\n")).unwrap();
        if c.try_diagnostics_where(&uri, |p| !missing(p) && too_short(p), Duration::from_millis(500)).is_some() {
            seen = true;
            break;
        }
    }
    assert!(seen, "the server-side watcher never reported the new file");
    std::fs::write(&f, "one\ntwo\n").unwrap();
    c.diagnostics_where(&uri, |p| !missing(p) && !too_short(p));
    std::fs::remove_file(&f).unwrap();
    c.diagnostics_where(&uri, missing);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn open_files_over_the_size_cap_get_one_information_diagnostic() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.settings = json!({"maxFileSize": 100});
    c.initialize(&root, false);
    let uri = file_uri(&root.join("big.md"));
    c.open(&uri, UNICODE_LOG, 1);
    let p = c.diagnostics_where(&uri, |p| codes(p).iter().any(|x| x.2 == "file-too-large"));
    assert_eq!(codes(&p), vec![(0, 0, "file-too-large".to_string())]);
    assert_eq!(p["diagnostics"][0]["severity"], 3);
    // Edits keep the text; a raised cap analyses it again.
    change(&mut c, &uri, 2, range(13, 2, 13, 8), "[high]");
    c.settings = json!({"maxFileSize": 100000});
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    c.diagnostics_where(&uri, |p| codes(p).iter().any(|x| x.2 == "bad-priority"));
    assert_eq!(c.shutdown(), 0);
}

/// One project root per log (§3), the same in the editor and the CLI: a log
/// below a `worklog.toml` inside the workspace folder resolves, completes
/// and is checked against that folder, not the workspace folder.
#[test]
fn a_nested_worklog_toml_is_the_logs_project_root_in_editor_and_cli() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().canonicalize().unwrap();
    let proj = ws.join("proj");
    std::fs::create_dir_all(proj.join("src")).unwrap();
    std::fs::write(proj.join("worklog.toml"), "").unwrap();
    std::fs::write(proj.join("src/app.rs"), "fn main() {}\n".repeat(10)).unwrap();
    let log = "---\nversion: v1\nstatus: in_progress\n---\n# T\n## v1 | 2025-11-13 | A\n**Prev:** x\n**Now:** y\n**Progress:** 5%\n**Files:**\n- `src/app.rs:1-5` (ok)\n- `proj/src/app.rs` (not from here)\n**Next:**\n- [HIGH] `src/`\n";
    std::fs::write(proj.join("log.md"), log).unwrap();
    let mut c = Client::spawn();
    c.initialize(&ws, false);
    let uri = file_uri(&proj.join("log.md"));
    c.open(&uri, log, 1);
    // Once the project root's index is there, only `proj/src/app.rs` is missing.
    let p = c.diagnostics_where(&uri, |p| codes(p).len() == 1);
    assert_eq!(codes(&p), vec![(11, 3, "file-not-found".to_string())], "{p}");
    // Completion in `src/` offers `src/app.rs`, relative to the project root.
    // (The project root's index is built in the background: ask until it is.)
    let deadline = Instant::now() + TIMEOUT;
    let (items, labels) = loop {
        let items = c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": {"line": 13, "character": 14}}));
        let labels: Vec<String> = items["items"]
            .as_array()
            .or(items.as_array())
            .into_iter()
            .flatten()
            .filter_map(|i| i["label"].as_str().map(str::to_string))
            .collect();
        if !labels.is_empty() || Instant::now() > deadline {
            break (items, labels);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(labels.iter().any(|l| l == "src/app.rs"), "{items}");
    assert!(!labels.iter().any(|l| l.starts_with("proj/")), "{items}");
    assert_eq!(c.shutdown(), 0);
    // The CLI, run from the workspace folder, agrees.
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_worklog-ls")).args(["check", "proj/log.md"]).current_dir(&ws).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("[file-not-found]").count(), 1, "{text}");
    assert!(text.contains("proj/src/app.rs"), "{text}");
}

// ---- Issue 12 over stdio: status lenses, commands, the next entry, `## v` ----

fn example(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)).unwrap()
}

/// Byte offset of an LSP position (UTF-16 columns).
fn offset_of(text: &str, pos: &Value) -> usize {
    let (line, ch) = (pos["line"].as_u64().unwrap() as usize, pos["character"].as_u64().unwrap() as usize);
    let mut at = 0;
    for _ in 0..line {
        match text[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[at..].char_indices() {
        if units >= ch || c == '\n' {
            return at + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Apply a list of LSP text edits (non-overlapping) to `text`.
fn apply_edits(text: &str, edits: &Value) -> String {
    let mut es: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (offset_of(text, &e["range"]["start"]), offset_of(text, &e["range"]["end"]), e["newText"].as_str().unwrap().to_string()))
        .collect();
    es.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (s, e, t) in es {
        out.replace_range(s..e, &t);
    }
    out
}

#[test]
fn code_lens_shows_status_on_frontmatter_and_entries() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    let init = c.initialize(&root, false);
    assert_eq!(init["capabilities"]["codeLensProvider"]["resolveProvider"], false, "{init}");
    let uri = file_uri(&root.join("Auth-WorkLog-v4.md"));
    c.open(&uri, &example("Auth-WorkLog-v4.md"), 1);
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}));
    // The status lenses (once the other example logs are indexed, a lens
    // also counts those that share files: `across_every_log_of_the_workspace`).
    let got: Vec<(u64, String, String)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["command"]["command"] == "worklog.status")
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["title"].as_str().unwrap().into(),
                l["command"]["command"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, "v4 · needs_review · 90% · 2 HIGH open".into(), "worklog.status".into()),
            (9, "v4 · 2025-11-13 17:30 · 2 HIGH open".into(), "worklog.status".into()),
        ],
        "{lenses}"
    );
    // The lens's command runs: the agent line.
    let r = c.request("workspace/executeCommand", json!({"command": "worklog.status", "arguments": lenses[0]["command"]["arguments"]}));
    assert_eq!(r["line"], "From Work Log v4, status: needs_review. Progress: 90%. Next HIGH: Code review by senior engineer.", "{r}");
    assert_eq!(r["status"]["version"], 4, "{r}");
    // A Markdown file that is no Work Log gets no lens.
    let other = file_uri(&root.join("notes.md"));
    c.open(&other, "# Notes\n\n## v1 of the plan\n\nSome text.\n", 1);
    let none = c.request("textDocument/codeLens", json!({"textDocument": {"uri": other}}));
    assert_eq!(none, json!([]));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn execute_command_handoff_returns_a_clean_log() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    let init = c.initialize(&root, false);
    let cmds = &init["capabilities"]["executeCommandProvider"]["commands"];
    assert_eq!(*cmds, json!(["worklog.handoff", "worklog.status", "worklog.sharedLogs"]), "{init}");
    let uri = file_uri(&root.join("Auth-WorkLog-v2.md"));
    let full = example("Auth-WorkLog-v2.md");
    c.open(&uri, &full, 1);
    let r = c.request("workspace/executeCommand", json!({"command": "worklog.handoff", "arguments": [uri]}));
    let text = r["text"].as_str().unwrap().to_string();
    assert!(text.contains("[... v1 entry ...]"), "{text}");
    assert!(text.contains("## v2 | "), "{text}");
    assert!(!text.contains("## v1 | "), "{text}");
    assert_eq!(r["bytes"].as_u64().unwrap() as usize, text.len());
    assert!(r["tokens"].as_u64().unwrap() > 0);
    // `keep 2` keeps both entries: the log as it is.
    let r2 = c.request("workspace/executeCommand", json!({"command": "worklog.handoff", "arguments": [uri, 2]}));
    assert_eq!(r2["text"].as_str().unwrap(), full);
    // The copy is itself a Work Log without diagnostics.
    let copy = file_uri(&root.join("Auth-WorkLog-handoff.md"));
    c.open(&copy, &text, 1);
    let p = c.diagnostics(&copy, 1);
    assert!(codes(&p).is_empty(), "{p}");
    // Two status lenses (the copy also shares files with the example logs:
    // once they are indexed, a lens says so).
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": {"uri": copy}}));
    assert_eq!(lenses.as_array().unwrap().iter().filter(|l| l["command"]["command"] == "worklog.status").count(), 2, "{lenses}");
    // An unknown command or document is an error, not a hang.
    let bad = c.try_request("workspace/executeCommand", json!({"command": "worklog.nope", "arguments": [uri]}));
    assert!(bad.is_err(), "{bad:?}");
    let closed =
        c.try_request("workspace/executeCommand", json!({"command": "worklog.handoff", "arguments": [file_uri(&root.join("gone.md"))]}));
    assert!(closed.is_err(), "{closed:?}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn code_action_starts_the_next_entry() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("Auth-WorkLog-v4.md"));
    let text = example("Auth-WorkLog-v4.md");
    c.open(&uri, &text, 1);
    let last = text.trim_end().lines().count() as u32 - 1;
    // On the frontmatter, on the entry heading, on the last line.
    for line in [1, 9, last] {
        let actions = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range(line, 0, line, 0), "context": {"diagnostics": []}}),
        );
        let titles: Vec<&str> = actions.as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
        assert!(titles.contains(&"Start the next entry (v5)"), "line {line}: {actions}");
        assert!(titles.contains(&"Start the next entry (v5), keeping the status"), "line {line}: {actions}");
        let a = actions.as_array().unwrap().iter().find(|a| a["title"] == "Start the next entry (v5)").unwrap();
        assert_eq!(a["kind"], "refactor");
        let after = apply_edits(&text, &a["edit"]["changes"][&uri]);
        assert!(after.starts_with("---\nversion: v5\nstatus: in_progress\n---\n"), "{after}");
        assert!(after.contains("\n## v5 | "), "{after}");
        assert!(after.contains("**Prev:** v4: All HIGH priority items complete, ready for review\n"), "{after}");
        assert!(after.contains("- [HIGH] Code review by senior engineer\n- [HIGH] Security review of token handling\n"), "{after}");
        let keep = actions.as_array().unwrap().iter().find(|a| a["title"] == "Start the next entry (v5), keeping the status").unwrap();
        let kept = apply_edits(&text, &keep["edit"]["changes"][&uri]);
        assert!(kept.starts_with("---\nversion: v5\nstatus: needs_review\n"), "{kept}");
    }
    // Not in the middle of an entry's body, and not for a client asking only for quick fixes.
    let mid = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(12, 0, 12, 0), "context": {"diagnostics": []}}),
    );
    assert!(!mid.to_string().contains("Start the next entry"), "{mid}");
    let only = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(1, 0, 1, 0), "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert!(!only.to_string().contains("Start the next entry"), "{only}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn completion_at_hash_v_offers_the_next_heading() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    c.initialize(&root, false);
    let uri = file_uri(&root.join("Auth-WorkLog-v4.md"));
    let mut text = example("Auth-WorkLog-v4.md");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let line = text.lines().count() as u32 + 1;
    text.push_str("\n## v");
    c.open(&uri, &text, 1);
    let r = c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 4}}));
    let items = r["items"].as_array().or(r.as_array()).unwrap().clone();
    assert_eq!(items.len(), 1, "{r}");
    let edit = &items[0]["textEdit"];
    assert!(edit["newText"].as_str().unwrap().starts_with("## v5 | "), "{r}");
    assert!(edit["newText"].as_str().unwrap().ends_with(" | "), "{r}");
    assert_eq!(edit["range"], range(line, 0, line, 4), "{r}");
    // `## v5` typed out: still v5 (the heading being typed does not count).
    change(&mut c, &uri, 2, range(line, 4, line, 4), "5");
    let r = c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 5}}));
    let items = r["items"].as_array().or(r.as_array()).unwrap().clone();
    assert!(items[0]["textEdit"]["newText"].as_str().unwrap().starts_with("## v5 | "), "{r}");
    // Above the last entry: nothing of the kind.
    change(&mut c, &uri, 3, range(8, 0, 8, 0), "## v\n");
    let r = c.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": 4}}));
    assert!(!r.to_string().contains("## v5 | "), "{r}");
    assert_eq!(c.shutdown(), 0);
}

/// Across every log (issue 12, item 6), over stdio: workspace symbols find
/// an entry of a log that is not open, references list every log, rename
/// renames the file and updates every log, willRenameFiles follows a
/// folder, the lens counts the other logs, the next file is created; a
/// client without `documentChanges` gets `changes` and no file operation.
#[test]
fn across_every_log_of_the_workspace() {
    let w = crate::fixture::Fixture::parse(crate::xref::WORKSPACE).write();
    let root = w.root.clone();
    let root_uri = file_uri(&root);
    let rel = |v: &Value| v.as_str().unwrap().strip_prefix(&format!("{root_uri}/")).unwrap_or("?").to_string();
    let start = |c: &mut Client, document_changes: bool| {
        let we = if document_changes {
            json!({"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]})
        } else {
            json!({})
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
                   "capabilities": {"workspace": {"workspaceEdit": we}}}),
        );
        c.notify("initialized", json!({}));
        init
    };
    let mut c = Client::spawn();
    let init = start(&mut c, true);
    assert_eq!(init["capabilities"]["referencesProvider"], true);
    assert_eq!(init["capabilities"]["renameProvider"]["prepareProvider"], true);
    assert_eq!(init["capabilities"]["workspace"]["fileOperations"]["willRename"]["filters"][0]["pattern"]["glob"], "**/*");
    // workspace/symbol: an entry of a log nobody opened, once the logs are indexed.
    let deadline = Instant::now() + TIMEOUT;
    let found = loop {
        let r = c.request("workspace/symbol", json!({"query": "routes"}));
        if r.as_array().is_some_and(|a| !a.is_empty()) {
            break r;
        }
        assert!(Instant::now() < deadline, "logs never indexed");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(found[0]["name"], "v1 · 2025-11-14 · Routes", "{found}");
    assert_eq!(rel(&found[0]["location"]["uri"]), "logs/Api-WorkLog.md");
    // The look-alike's entry-shaped heading is no entry.
    assert_eq!(c.request("workspace/symbol", json!({"query": "looks like"})), json!([]));

    let auth = file_uri(&w.path("logs/Auth-WorkLog-v2.md"));
    c.open(&auth, &std::fs::read_to_string(w.path("logs/Auth-WorkLog-v2.md")).unwrap(), 1);
    let at = json!({"textDocument": {"uri": auth}, "position": {"line": 9, "character": 22}});
    // references: every log, the overlapping range (1-40) first.
    let mut params = at.clone();
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", params);
    let shown: Vec<String> =
        refs.as_array().unwrap().iter().map(|l| format!("{} {}", rel(&l["uri"]), l["range"]["start"]["line"])).collect();
    assert_eq!(
        shown,
        ["logs/Auth-WorkLog-v2.md 9", "logs/Auth-WorkLog-v2.md 18", "logs/Api-WorkLog.md 9", "logs/Auth-WorkLog-v2.md 20"],
        "{refs}"
    );
    // prepareRename: the path as written.
    let prep = c.request("textDocument/prepareRename", at.clone());
    assert_eq!(prep["placeholder"], "src/auth/service.ts", "{prep}");
    assert_eq!(prep["range"], range(9, 19, 9, 38));
    // rename: edits in both logs (versioned for the open one), then the file op.
    let mut params = at.clone();
    params["newName"] = json!("src/auth/session.ts");
    let edit = c.request("textDocument/rename", params);
    let ops = edit["documentChanges"].as_array().unwrap();
    let summary: Vec<String> = ops
        .iter()
        .map(|o| match o["kind"].as_str() {
            Some(k) => format!("{k} {} -> {}", rel(&o["oldUri"]), rel(&o["newUri"])),
            None => format!(
                "edit {} v{} x{}",
                rel(&o["textDocument"]["uri"]),
                o["textDocument"]["version"],
                o["edits"].as_array().unwrap().len()
            ),
        })
        .collect();
    assert_eq!(
        summary,
        ["edit logs/Api-WorkLog.md vnull x1", "edit logs/Auth-WorkLog-v2.md v1 x3", "rename src/auth/service.ts -> src/auth/session.ts"],
        "{edit}"
    );
    // willRenameFiles on a folder: the references below it follow.
    let edit = c.request(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": file_uri(&w.path("src/auth")), "newUri": file_uri(&w.path("src/identity"))}]}),
    );
    let texts: Vec<String> = edit["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["edits"].as_array().unwrap().iter().map(|e| e["newText"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        texts,
        ["src/identity/service.ts", "src/identity/service.ts", "src/identity/token.ts", "../src/identity/service.ts"],
        "{edit}"
    );
    // The lens on the frontmatter counts the other logs.
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": {"uri": auth}}));
    let titles: Vec<&str> = lenses.as_array().unwrap().iter().map(|l| l["command"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles[1], "1 other log references these files", "{lenses}");
    let shared = c.request("workspace/executeCommand", json!({"command": "worklog.sharedLogs", "arguments": [auth]}));
    assert_eq!(rel(&shared["logs"][0]), "logs/Api-WorkLog.md", "{shared}");
    // "Start v3 in a new file": a CreateFile, then the text.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": auth}, "range": range(1, 0, 1, 0), "context": {"diagnostics": []}}),
    );
    let new_file = actions.as_array().unwrap().iter().find(|a| a["title"] == "Start v3 in a new file, Auth-WorkLog-v3.md").expect("action");
    let ops = new_file["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!((ops[0]["kind"].as_str(), rel(&ops[0]["uri"]).as_str()), (Some("create"), "logs/Auth-WorkLog-v3.md"));
    assert!(ops[1]["edits"][0]["newText"].as_str().unwrap().contains("## v3 | "), "{new_file}");
    assert_eq!(c.shutdown(), 0);

    // A client without documentChanges: `changes`, and no file operations.
    let mut c = Client::spawn();
    start(&mut c, false);
    let deadline = Instant::now() + TIMEOUT;
    while c.request("workspace/symbol", json!({"query": "routes"})).as_array().is_none_or(|a| a.is_empty()) {
        assert!(Instant::now() < deadline, "logs never indexed");
        std::thread::sleep(Duration::from_millis(50));
    }
    c.open(&auth, &std::fs::read_to_string(w.path("logs/Auth-WorkLog-v2.md")).unwrap(), 1);
    let mut params = at.clone();
    params["newName"] = json!("src/auth/session.ts");
    let refused = c.try_request("textDocument/rename", params);
    assert!(refused.as_ref().is_err_and(|e| e["message"].as_str().unwrap().contains("resourceOperations")), "{refused:?}");
    let edit = c.request(
        "workspace/willRenameFiles",
        json!({"files": [{"oldUri": file_uri(&w.path("src/auth/token.ts")), "newUri": file_uri(&w.path("src/auth/jwt.ts"))}]}),
    );
    assert_eq!(edit["changes"][&auth][0]["newText"], "src/auth/jwt.ts", "{edit}");
    assert!(edit.get("documentChanges").is_none_or(Value::is_null));
    assert_eq!(c.shutdown(), 0);
}

/// `semanticTokens/full`, then `full/delta` after an edit: the edit applied
/// to the old data equals a new full result; a README gets no token.
#[test]
fn semantic_tokens_full_and_delta() {
    let (_d, root) = workspace();
    let mut c = Client::spawn();
    let init = c.initialize(&root, false);
    let provider = &init["capabilities"]["semanticTokensProvider"];
    assert_eq!(provider["full"], json!({"delta": true}), "{provider}");
    let types: Vec<&str> = provider["legend"]["tokenTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(types, ["property", "keyword", "enumMember", "number", "string", "comment"]);
    let uri = file_uri(&root.join("uni.md"));
    c.open(&uri, UNICODE_LOG, 1);
    let full = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}));
    let data = |v: &Value| -> Vec<u64> { v["data"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect() };
    let old = data(&full);
    // The `[HIGH]` of line 13 (an open item: a keyword) at column 2, 6 long.
    let mut line = 0;
    let mut high = None;
    for t in old.chunks(5) {
        line += t[0];
        if t[3] == 1 {
            high = Some((line, t[1], t[2]));
        }
    }
    assert_eq!(high, Some((13, 2, 6)), "{full}");
    // Tick the item: `[HIGH]` becomes a plain priority; ask for the delta.
    change(&mut c, &uri, 2, range(13, 1, 13, 1), " [x]");
    let delta =
        c.request("textDocument/semanticTokens/full/delta", json!({"textDocument": {"uri": uri}, "previousResultId": full["resultId"]}));
    let edits = delta["edits"].as_array().unwrap_or_else(|| panic!("a delta: {delta}"));
    assert_eq!(edits.len(), 1, "{delta}");
    let e = &edits[0];
    let (start, deleted) = (e["start"].as_u64().unwrap() as usize, e["deleteCount"].as_u64().unwrap() as usize);
    let mut applied = old.clone();
    applied.splice(start..start + deleted, data(e));
    let again = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}));
    assert_eq!(applied, data(&again), "delta {delta}");
    assert_ne!(applied, old);
    // An unknown previous result: the full result.
    let r = c.request("textDocument/semanticTokens/full/delta", json!({"textDocument": {"uri": uri}, "previousResultId": "nope"}));
    assert_eq!(data(&r), data(&again), "{r}");
    // Never cry wolf: a README has none.
    let readme = file_uri(&root.join("README.md"));
    c.open(&readme, "# Readme\n\n**Now:** `src/a.rs:1-2` and v2\n\n- [HIGH] x\n", 1);
    let r = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": readme}}));
    assert_eq!(r["data"], json!([]), "{r}");
    assert_eq!(c.shutdown(), 0);
}
