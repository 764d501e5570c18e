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
    let mut problems: Vec<serde_json::Value> = Vec::new();
    for p in &args.files {
        match read_log(p) {
            Ok((_, doc)) => logs.push((p.clone(), log_status(&doc))),
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
                .map(|((p, st), by)| {
                    json!({
                        "path": p.display().to_string(),
                        "current": by.is_none(),
                        "superseded_by": by.map(|j| logs[j].0.display().to_string()),
                        "line": agent_line(st),
                        "lens": lens_text(st),
                        "status": st,
                    })
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
