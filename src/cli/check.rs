//! What `check` finds: the files, each log's project root, the diagnostics
//! with their positions. Output formats only read an [`Outcome`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::analysis::{self, facts::NoFacts, Diagnostic, Severity};
use crate::config::Config;
use crate::config::HistoryMode;
use crate::document::Document;
use crate::workspace::{self, history, root::project_root_for, FileIndex, LineCache, WorkspaceFacts};

/// The code of the one diagnostic a file gets when it is not text (invalid
/// UTF-8 or a NUL byte). A CLI-only code: the server only sees text.
pub const NOT_TEXT: &str = "not-text";

/// Why a file is not a Work Log, by the contract's §1 (the analysis's
/// sentence, without its leading "not a Work Log: ").
pub fn why_not_a_work_log() -> &'static str {
    let why = analysis::Recognition::Not.explain();
    why.strip_prefix("not a Work Log: ").unwrap_or(why)
}

/// A position: 1-based line, 1-based column in characters (Unicode scalar
/// values), and the 0-based byte offset in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// One diagnostic with its positions resolved.
#[derive(Debug, Clone)]
pub struct Diag {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub start: Pos,
    pub end: Pos,
    /// The byte range in [`FileReport::text`] (differs from the file's
    /// offsets only after an invalid byte of a non-UTF-8 file).
    pub span: std::ops::Range<usize>,
    /// Titles of the quick fixes the server offers.
    pub fixes: Vec<String>,
}

/// One file that was looked at.
#[derive(Debug)]
pub struct FileReport {
    /// As named on the command line, or found below a named folder.
    pub path: PathBuf,
    /// Named on the command line (not found by walking a folder).
    pub explicit: bool,
    /// The project root used for its references (`None`: not checked
    /// against the disk).
    pub root: Option<PathBuf>,
    pub work_log: bool,
    /// Why it is not a Work Log.
    pub why_not: Option<String>,
    pub diagnostics: Vec<Diag>,
    /// A Work Log whose references were checked against the disk (it has a
    /// project root and is text).
    pub references_checked: bool,
    /// With `--history`: why git history could not be (fully) read for
    /// this log (no repository, a log over the blame cap).
    pub history_note: Option<String>,
    /// The text (lossily decoded if not UTF-8), kept only when there are
    /// diagnostics to show.
    pub text: Option<String>,
}

/// An I/O problem with a named path or a file found below it (exit 2).
#[derive(Debug, Clone)]
pub struct IoError {
    pub path: PathBuf,
    pub message: String,
}

/// Everything `check` found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FileReport>,
    pub io_errors: Vec<IoError>,
    /// Unknown keys and bad values in a `worklog.toml` (ignored).
    pub config_warnings: Vec<String>,
}

/// Counts for the summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub files: usize,
    pub work_logs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub information: usize,
    pub hints: usize,
}

impl Outcome {
    pub fn counts(&self) -> Counts {
        let mut c = Counts { files: self.files.len(), ..Counts::default() };
        for f in &self.files {
            c.work_logs += usize::from(f.work_log);
            for d in &f.diagnostics {
                match d.severity {
                    Severity::Error => c.errors += 1,
                    Severity::Warning => c.warnings += 1,
                    Severity::Information => c.information += 1,
                    Severity::Hint => c.hints += 1,
                }
            }
        }
        c
    }

    /// `None` when every Work Log's references were checked against the
    /// disk; else why not (said once for the whole run).
    pub fn references_not_checked(&self) -> Option<String> {
        // Logs that are not text were not analysed at all: not counted here.
        let mut rootless =
            self.files.iter().filter(|f| f.work_log && !f.references_checked && !f.diagnostics.iter().any(|d| d.code == NOT_TEXT));
        let first = rootless.next()?;
        let more = rootless.count();
        let others = match more {
            0 => String::new(),
            1 => " (and 1 other log)".to_string(),
            n => format!(" (and {n} other logs)"),
        };
        Some(format!("no project root: no worklog.toml or .git above {}{others}; pass --root", first.path.display()))
    }

    /// 2 on any I/O error, else 1 on any error diagnostic, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.io_errors.is_empty() {
            2
        } else if self.counts().errors > 0 {
            1
        } else {
            0
        }
    }
}

/// Per-root state: the settings, and the disk facts (built on the first
/// log under that root: indexing costs a walk).
struct RootState {
    config: Config,
    facts: OnceLock<WorkspaceFacts>,
}

/// Check `paths` (files or folders). `root` overrides every log's project
/// root.
pub fn check_paths(paths: &[PathBuf], root: Option<&Path>) -> Outcome {
    check_paths_with(paths, root, false)
}

/// [`check_paths`], with the history checks (spec §4b) when `history` is
/// set and the log's settings do not turn them off.
pub fn check_paths_with(paths: &[PathBuf], root: Option<&Path>, history: bool) -> Outcome {
    let mut outcome = Outcome::default();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let given_root = root.map(|r| workspace::canonical_root(&absolute(&cwd, r)));
    if let Some(r) = &given_root {
        if !r.is_dir() {
            outcome.io_errors.push(IoError { path: r.clone(), message: "--root is not a folder".into() });
            return outcome;
        }
    }
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => files.extend(markdown_files(p).into_iter().map(|f| (f, false))),
            Ok(m) if m.is_file() => files.push((p.clone(), true)),
            Ok(_) => outcome.io_errors.push(IoError { path: p.clone(), message: "not a regular file or folder".into() }),
            Err(e) => outcome.io_errors.push(IoError { path: p.clone(), message: e.to_string() }),
        }
    }
    let mut roots: HashMap<Option<PathBuf>, RootState> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (path, explicit) in files {
        let abs = workspace::canonical_root(&absolute(&cwd, &path));
        // A file named twice, or named and inside a named folder: once.
        if !seen.insert(abs.clone()) {
            continue;
        }
        let root = given_root.clone().or_else(|| project_root_for(&abs, None));
        let state = roots.entry(root.clone()).or_insert_with(|| {
            let mut config = Config::default();
            if let Some(t) = root.as_deref().and_then(workspace::read_config) {
                for w in config.apply_toml(&t) {
                    let at = root.as_deref().unwrap_or(Path::new(".")).join(workspace::root::CONFIG_FILE);
                    outcome.config_warnings.push(format!("{}: {w}", at.display()));
                }
            }
            RootState { config, facts: OnceLock::new() }
        });
        match check_file(&path, &abs, root.as_deref(), state, history) {
            Ok(mut report) => {
                report.explicit = explicit;
                outcome.files.push(report);
            }
            Err(e) => outcome.io_errors.push(IoError { path, message: e.to_string() }),
        }
    }
    outcome
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// Analyse one file.
fn check_file(path: &Path, abs: &Path, root: Option<&Path>, state: &RootState, history: bool) -> std::io::Result<FileReport> {
    let mut report = FileReport {
        path: path.to_path_buf(),
        explicit: false,
        root: root.map(Path::to_path_buf),
        work_log: false,
        why_not: None,
        diagnostics: Vec::new(),
        references_checked: false,
        history_note: None,
        text: None,
    };
    let config = &state.config;
    let len = std::fs::metadata(abs)?.len();
    if len > config.max_file_size {
        let d = analysis::too_large(len as usize, config.max_file_size);
        let origin = Pos { line: 1, column: 1, offset: 0 };
        report.why_not = Some(format!("not analysed: over the size limit ({len} > {} bytes)", config.max_file_size));
        report.diagnostics.push(Diag {
            code: d.code.as_str(),
            severity: config.severity(d.code).unwrap_or(d.severity),
            message: d.message,
            start: origin,
            end: origin,
            span: 0..0,
            fixes: Vec::new(),
        });
        return Ok(report);
    }
    // Through the one safe reader: a FIFO or device swapped in after the
    // metadata check above cannot block `check` (O_NONBLOCK, fstat on the fd).
    let bytes = workspace::read_regular(abs, config.max_file_size, workspace::Links::Follow)
        .ok_or_else(|| std::io::Error::other("not a regular file of bounded size"))?;
    let (text, bad) = decode(bytes);
    let doc = Document::new(&text);
    let is_log = analysis::recognise(&doc, config, Some(abs)).is_log();
    if let Some(bad) = bad {
        let what = match bad {
            Bad::Invalid { offset, byte } => format!("not UTF-8 text (invalid byte 0x{byte:02X} at offset {offset})"),
            Bad::Nul { offset } => format!("not text (a NUL byte at offset {offset})"),
        };
        if !is_log {
            report.why_not = Some(what);
            return Ok(report);
        }
        // A Work Log that is not text: one diagnostic where the first bad
        // byte is; other positions after it would be wrong, so nothing else.
        let (offset, span) = match bad {
            // Lossy decoding put U+FFFD (3 bytes) where the invalid byte was.
            Bad::Invalid { offset, .. } => (offset, offset..offset + '\u{FFFD}'.len_utf8()),
            Bad::Nul { offset } => (offset, offset..offset + 1),
        };
        let start = pos(&doc, span.start);
        let end = Pos { line: start.line, column: start.column + 1, offset: offset + 1 };
        report.work_log = true;
        report.diagnostics.push(Diag {
            code: NOT_TEXT,
            severity: Severity::Error,
            message: format!("{what}; save the log as UTF-8"),
            start: Pos { offset, ..start },
            end,
            span,
            fixes: Vec::new(),
        });
        report.text = Some(text);
        return Ok(report);
    }
    if !is_log {
        report.why_not = Some(why_not_a_work_log().to_string());
        return Ok(report);
    }
    report.work_log = true;
    let no_facts = NoFacts;
    let facts: &dyn analysis::facts::FileFacts = match root {
        Some(root) => state.facts.get_or_init(|| {
            let index = Arc::new(FileIndex::build(root));
            let lines = Arc::new(LineCache::new(config.max_file_size));
            WorkspaceFacts::new(root, Some(index), lines)
        }),
        None => &no_facts,
    };
    let report_h;
    let with_history;
    let facts: &dyn analysis::facts::FileFacts = match root {
        Some(root) if history && config.history == HistoryMode::Auto => {
            let req = history::Request { root, log: abs, doc: &doc, facts, max_bytes: config.max_file_size };
            report_h = history::compute(&req, None);
            report.history_note = report_h.note.clone();
            with_history = history::WithHistory { inner: facts, report: &report_h };
            &with_history
        }
        _ => facts,
    };
    let cx = analysis::Context { config, path: Some(abs), facts };
    report.diagnostics = analysis::diagnostics(&doc, &cx).into_iter().map(|d| diag(&doc, d)).collect();
    report.references_checked = root.is_some();
    if !report.diagnostics.is_empty() {
        report.text = Some(text);
    }
    Ok(report)
}

#[derive(Debug, Clone, Copy)]
enum Bad {
    Invalid { offset: usize, byte: u8 },
    Nul { offset: usize },
}

/// The text of `bytes` (lossy when not UTF-8) and the first thing that makes
/// it not text.
fn decode(bytes: Vec<u8>) -> (String, Option<Bad>) {
    match String::from_utf8(bytes) {
        Ok(t) => {
            let nul = memchr::memchr(0, t.as_bytes()).map(|offset| Bad::Nul { offset });
            (t, nul)
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let bad = Bad::Invalid { offset, byte: bytes[offset] };
            let nul = memchr::memchr(0, &bytes[..offset]).map(|offset| Bad::Nul { offset });
            (String::from_utf8_lossy(&bytes).into_owned(), Some(nul.unwrap_or(bad)))
        }
    }
}

fn diag(doc: &Document, d: Diagnostic) -> Diag {
    Diag {
        code: d.code.as_str(),
        severity: d.severity,
        start: pos(doc, d.range.start),
        end: pos(doc, d.range.end),
        span: d.range,
        message: d.message,
        fixes: d.fixes.into_iter().map(|f| f.title).collect(),
    }
}

/// The position of a byte offset (clamped, snapped to a character).
pub fn pos(doc: &Document, offset: usize) -> Pos {
    let offset = doc.snap(offset.min(doc.len()));
    let rope = doc.rope();
    let ci = rope.byte_to_char(offset);
    let line = rope.char_to_line(ci);
    Pos { line: line + 1, column: ci - rope.line_to_char(line) + 1, offset }
}

/// Markdown files below `dir`, honouring ignore files, in a stable order
/// (`workspace::walk_files`: ignore files are read only when they are small
/// regular files, so a `.gitignore -> /dev/zero` or a FIFO cannot hang
/// `check`). `check` (the folder `.`) shows `a/w.md`, not `./a/w.md`.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    workspace::walk_files(dir)
        .into_iter()
        .filter(|p| is_markdown(p))
        .map(|p| match p.strip_prefix(".") {
            Ok(rel) if dir == Path::new(".") => rel.to_path_buf(),
            _ => p,
        })
        .collect()
}

fn is_markdown(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}
