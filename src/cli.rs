//! `worklog-ls check [PATH…]`: the same analysis as the server, for CI.
//!
//! Exit status: 0 when no errors (warnings allowed), 1 when any error
//! diagnostic, 2 for usage or I/O errors.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{self, Diagnostic, Severity};
use crate::config::Config;
use crate::document::Document;
use crate::workspace::{self, FileIndex, LineCache, WorkspaceFacts};

pub const USAGE: &str = "\
worklog-ls — a language server for Work Log Markdown files

USAGE:
    worklog-ls [--stdio]              serve the Language Server Protocol on stdin/stdout
    worklog-ls check [OPTIONS] [PATH…] check Work Logs (files or folders; default: .)
    worklog-ls --version | --help

CHECK OPTIONS:
    --root DIR            workspace folder for resolving references
                          (default: nearest ancestor with .git or worklog.toml,
                          else the current directory)
    --format text|json    output format (default: text)
    --color auto|always|never
                          colour the text output (default: auto; NO_COLOR is honoured)

EXIT STATUS:
    0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error
";

#[derive(Debug)]
pub struct CheckArgs {
    pub paths: Vec<PathBuf>,
    pub root: Option<PathBuf>,
    pub json: bool,
    pub color: Option<bool>,
}

/// Parse the arguments after `check`.
pub fn parse_check(args: &[String]) -> Result<CheckArgs, String> {
    let mut a = CheckArgs { paths: Vec::new(), root: None, json: false, color: None };
    let mut it = args.iter();
    while let Some(x) = it.next() {
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = x.strip_prefix(&format!("{name}=")) {
                return Ok(v.to_string());
            }
            it.next().cloned().ok_or_else(|| format!("{name} needs a value"))
        };
        match x.as_str() {
            s if s == "--root" || s.starts_with("--root=") => a.root = Some(PathBuf::from(value("--root")?)),
            s if s == "--format" || s.starts_with("--format=") => match value("--format")?.as_str() {
                "json" => a.json = true,
                "text" => a.json = false,
                o => return Err(format!("unknown format `{o}` (text or json)")),
            },
            s if s == "--color" || s.starts_with("--color=") => match value("--color")?.as_str() {
                "always" => a.color = Some(true),
                "never" => a.color = Some(false),
                "auto" => a.color = None,
                o => return Err(format!("unknown --color value `{o}` (auto, always or never)")),
            },
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
            s => a.paths.push(PathBuf::from(s)),
        }
    }
    if a.paths.is_empty() {
        a.paths.push(PathBuf::from("."));
    }
    Ok(a)
}

/// One checked file's result.
pub struct FileReport {
    pub path: PathBuf,
    pub doc: Option<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Per-root state: config and disk facts, built once per root.
struct RootState {
    config: Config,
    facts: WorkspaceFacts,
}

/// Run `check`; returns the exit status.
pub fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let color = args.color.unwrap_or_else(|| std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut io_error = false;
    let mut files: Vec<PathBuf> = Vec::new();
    for p in &args.paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => files.extend(markdown_files(p)),
            Ok(m) if m.is_file() => files.push(p.clone()),
            Ok(_) => {
                let _ = writeln!(err, "worklog-ls: {}: not a regular file or folder", p.display());
                io_error = true;
            }
            Err(e) => {
                let _ = writeln!(err, "worklog-ls: {}: {e}", p.display());
                io_error = true;
            }
        }
    }
    let mut roots: HashMap<PathBuf, RootState> = HashMap::new();
    let mut reports: Vec<FileReport> = Vec::new();
    let mut logs = 0;
    for f in files {
        let abs = workspace::canonical_root(&if f.is_absolute() { f.clone() } else { cwd.join(&f) });
        let root = match &args.root {
            Some(r) => workspace::canonical_root(r),
            None => find_root(&abs).unwrap_or_else(|| workspace::canonical_root(&cwd)),
        };
        let state = roots.entry(root.clone()).or_insert_with(|| {
            let mut config = Config::default();
            if let Some(t) = workspace::read_config(&root) {
                for w in config.apply_toml(&t) {
                    let _ = writeln!(err, "worklog-ls: {}: {w}", root.join("worklog.toml").display());
                }
            }
            let index = Arc::new(FileIndex::build(&root));
            let lines = Arc::new(LineCache::new(config.max_file_size));
            RootState { facts: WorkspaceFacts::new(&root, Some(index), lines), config }
        });
        let meta = match std::fs::metadata(&abs) {
            Ok(m) => m,
            Err(e) => {
                let _ = writeln!(err, "worklog-ls: {}: {e}", f.display());
                io_error = true;
                continue;
            }
        };
        if meta.len() > state.config.max_file_size {
            reports.push(FileReport {
                path: f.clone(),
                doc: None,
                diagnostics: vec![analysis::too_large(meta.len() as usize, state.config.max_file_size)],
            });
            continue;
        }
        let bytes = match std::fs::read(&abs) {
            Ok(b) => b,
            Err(e) => {
                let _ = writeln!(err, "worklog-ls: {}: {e}", f.display());
                io_error = true;
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) if !t.contains('\0') => t,
            _ => {
                let _ = writeln!(err, "worklog-ls: {}: not a UTF-8 text file; skipped", f.display());
                io_error = true;
                continue;
            }
        };
        let doc = Document::new(&text);
        if !analysis::is_work_log(&doc, &state.config, Some(&abs)) {
            continue;
        }
        logs += 1;
        let cx = analysis::Context { config: &state.config, path: Some(&abs), facts: &state.facts };
        let diagnostics = analysis::diagnostics(&doc, &cx);
        reports.push(FileReport { path: f, doc: Some(doc), diagnostics });
    }
    let errors = reports.iter().flat_map(|r| &r.diagnostics).filter(|d| d.severity == Severity::Error).count();
    let warnings = reports.iter().flat_map(|r| &r.diagnostics).filter(|d| d.severity == Severity::Warning).count();
    let others = reports.iter().flat_map(|r| &r.diagnostics).count() - errors - warnings;
    if args.json {
        let items: Vec<serde_json::Value> = reports.iter().flat_map(|r| r.diagnostics.iter().map(move |d| json_item(r, d))).collect();
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into()));
    } else {
        for r in &reports {
            for d in &r.diagnostics {
                let _ = write!(out, "{}", render(r, d, color));
            }
        }
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let summary = format!(
            "checked {}: {}, {}{}",
            plural(logs, "Work Log"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            if others > 0 { format!(", {}", plural(others, "note")) } else { String::new() }
        );
        let _ = writeln!(out, "{}", paint(&summary, if errors > 0 { "1;31" } else { "1;32" }, color));
    }
    if io_error {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}

/// Markdown files below `dir`, honouring ignore files, in a stable order.
/// (The walk reads ignore files only when they are small regular files: a
/// committed `.gitignore -> /dev/zero` or a FIFO cannot hang `check`.)
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    workspace::walk_files(dir)
        .into_iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown")))
        .collect()
}

/// The nearest ancestor holding `.git` or `worklog.toml`.
pub fn find_root(file: &Path) -> Option<PathBuf> {
    file.ancestors().skip(1).find(|d| d.join(".git").exists() || d.join("worklog.toml").is_file()).map(Path::to_path_buf)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(r: &FileReport, offset: usize) -> (usize, usize) {
    let Some(doc) = &r.doc else { return (1, 1) };
    let rope = doc.rope();
    let ci = rope.byte_to_char(offset.min(rope.len_bytes()));
    let line = rope.char_to_line(ci);
    (line + 1, ci - rope.line_to_char(line) + 1)
}

fn json_item(r: &FileReport, d: &Diagnostic) -> serde_json::Value {
    let (line, column) = line_col(r, d.range.start);
    let (end_line, end_column) = line_col(r, d.range.end);
    serde_json::json!({
        "path": r.path.display().to_string(),
        "line": line,
        "column": column,
        "endLine": end_line,
        "endColumn": end_column,
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
    })
}

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// `path:line:col: severity[code]: message`, the source line, a caret.
fn render(r: &FileReport, d: &Diagnostic, color: bool) -> String {
    let (line, col) = line_col(r, d.range.start);
    let (sev, c) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
        Severity::Information => ("info", "1;36"),
        Severity::Hint => ("hint", "1;32"),
    };
    let mut s = format!(
        "{}: {}: {}\n",
        paint(&format!("{}:{line}:{col}", r.path.display()), "1", color),
        paint(&format!("{sev}[{}]", d.code.as_str()), c, color),
        d.message
    );
    if let Some(doc) = &r.doc {
        let lr = doc.line_range(line - 1);
        let src = doc.slice(lr.clone());
        let start_chars = src[..(d.range.start - lr.start).min(src.len())].chars().count();
        let end = d.range.end.min(lr.end).max(d.range.start);
        let width = doc.slice(d.range.start..end).chars().count().max(1);
        let gutter = line.to_string().len();
        let bar = paint("|", "1;34", color);
        s.push_str(&format!("{:gutter$} {bar}\n", ""));
        s.push_str(&format!("{} {bar} {}\n", paint(&line.to_string(), "1;34", color), src.replace('\t', " ")));
        s.push_str(&format!("{:gutter$} {bar} {}{}\n\n", "", " ".repeat(start_chars), paint(&"^".repeat(width), c, color)));
    } else {
        s.push('\n');
    }
    s
}
