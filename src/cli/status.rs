//! `worklog-ls status FILE…`: the line the hand-off protocol asks an agent
//! to say, per log (`crate::handoff::status`), or `--format json`. Of
//! several files of one log (`…-v1.md` … `…-v4.md`) the one with the
//! highest version is current; the others are said to be superseded.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::handoff::status::{agent_line, lens_text, log_status, superseded, LogStatus};

use super::args::{StatusArgs, StatusFormat};
use super::next::read_log;

pub fn run(args: &StatusArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    ExitCode::from(status(args, &mut out, &mut err))
}

/// Run `status`; the exit status (0; 1 when a named file is not a Work Log;
/// 2 on an I/O error — the other files are still reported).
pub fn status(args: &StatusArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut code = 0u8;
    let mut logs: Vec<(PathBuf, LogStatus)> = Vec::new();
    let mut histories: Vec<Option<serde_json::Value>> = Vec::new();
    let mut problems: Vec<serde_json::Value> = Vec::new();
    for p in &args.files {
        match read_log(p) {
            Ok((_, doc)) => {
                let h = if args.history && args.format == StatusFormat::Json { history_of(p, &doc) } else { None };
                logs.push((p.clone(), log_status(&doc)));
                histories.push(h);
            }
            Err(f) => {
                code = code.max(f.status);
                problems.push(json!({ "path": p.display().to_string(), "message": f.message }));
                let _ = writeln!(err, "worklog-ls: {}", f.message);
            }
        }
    }
    // Grouped by folder: `./a-v1.md` and `a-v2.md` are in one.
    let canonical: Vec<PathBuf> = logs.iter().map(|(p, _)| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())).collect();
    let keys: Vec<(&std::path::Path, Option<u32>)> = canonical.iter().zip(&logs).map(|(c, (_, s))| (c.as_path(), s.version)).collect();
    let sup = superseded(&keys);
    let written = match args.format {
        StatusFormat::Human => {
            let many = args.files.len() > 1;
            let mut s = String::new();
            for ((p, st), by) in logs.iter().zip(&sup) {
                match by {
                    Some(j) => s.push_str(&format!(
                        "{}: superseded by {} (v{}); not current\n",
                        p.display(),
                        logs[*j].0.display(),
                        logs[*j].1.version.unwrap_or(0)
                    )),
                    None if many => s.push_str(&format!("{}: {}\n", p.display(), agent_line(st))),
                    None => s.push_str(&format!("{}\n", agent_line(st))),
                }
            }
            out.write_all(s.as_bytes())
        }
        StatusFormat::Json => {
            let files: Vec<serde_json::Value> = logs
                .iter()
                .zip(&sup)
                .zip(&histories)
                .map(|(((p, st), by), history)| {
                    let mut v = json!({
                        "path": p.display().to_string(),
                        "current": by.is_none(),
                        "superseded_by": by.map(|j| logs[j].0.display().to_string()),
                        "line": agent_line(st),
                        "lens": lens_text(st),
                        "status": st,
                    });
                    if let Some(h) = history {
                        v["history"] = h.clone();
                    }
                    v
                })
                .collect();
            let doc = json!({ "version": 1, "files": files, "errors": problems });
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from).and_then(|_| writeln!(out))
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "worklog-ls: cannot write the output: {e}");
        }
        return 2;
    }
    code
}

/// The history facts of a log (spec §4b) as JSON: one object per reference
/// with a fact: its line, the reference as written, the code (`null` when
/// unchanged), the anchor, and where its lines are now. `None` without a
/// project root or with `history = "off"`.
fn history_of(path: &std::path::Path, doc: &crate::document::Document) -> Option<serde_json::Value> {
    use crate::analysis::facts::HistoryOutcome;
    use crate::workspace::{self, history, root::project_root_for, FileIndex, LineCache, WorkspaceFacts};
    let abs = std::fs::canonicalize(path).ok()?;
    let root = project_root_for(&abs, None)?;
    let mut config = crate::config::Config::default();
    if let Some(t) = workspace::read_config(&root) {
        config.apply_toml(&t);
    }
    if config.history == crate::config::HistoryMode::Off {
        return None;
    }
    let facts = WorkspaceFacts::new(
        &root,
        Some(std::sync::Arc::new(FileIndex::build(&root))),
        std::sync::Arc::new(LineCache::new(config.max_file_size)),
    );
    let req = history::Request { root: &root, log: &abs, doc, facts: &facts, max_bytes: config.max_file_size };
    let report = history::compute(&req, None);
    let list: Vec<serde_json::Value> = report
        .iter()
        .map(|(at, token, f)| {
            let line = doc.rope().byte_to_line(at.min(doc.len())) + 1;
            let (code, now) = match &f.outcome {
                HistoryOutcome::Unchanged => (None, json!({"unchanged": true})),
                HistoryOutcome::Moved { path, start, end } => (Some("range-moved"), json!({"path": path, "start": start, "end": end})),
                HistoryOutcome::Changed { path, remain, of, start, end } => {
                    (Some("range-changed"), json!({"path": path, "start": start, "end": end, "remain": remain, "of": of}))
                }
                HistoryOutcome::Renamed { path } => (Some("range-moved"), json!({"path": path})),
                HistoryOutcome::Removed { commit, date, file } => {
                    (Some("range-removed"), json!({"removed_by": commit, "removed_on": date, "file_deleted": file}))
                }
            };
            json!({
                "line": line,
                "reference": token,
                "code": code,
                "anchor": {"commit": f.anchor.commit, "date": f.anchor.date, "by_blame": f.anchor.by_blame},
                "now": now,
            })
        })
        .collect();
    Some(json!(list))
}
