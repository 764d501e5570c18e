//! What the analysis may know about the disk — and the only way it learns it.
//!
//! The analysis layer never touches `std::fs`. Everything it needs to know
//! about files on disk (does a referenced path exist, how many lines it has,
//! does it leave the workspace) arrives through [`FileFacts`], implemented by
//! `crate::workspace` (real disk, cached) and by in-memory fakes in tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How a path written in a log resolves (spec §3, "Resolution").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// One or more existing files (absolute, canonical, inside the workspace).
    /// Several only for bare file names matching several indexed files.
    Found(Vec<PathBuf>),
    /// Resolves inside the workspace but no such file exists.
    NotFound,
    /// Resolves outside the workspace folder (`..`, absolute, symlink out).
    /// Such a file is never read.
    Outside,
    /// Cannot tell yet (a bare name while the workspace index is still
    /// being built): no diagnostic.
    Unknown,
}

/// Read-only facts about the files a log refers to.
pub trait FileFacts {
    /// Resolve `written` (a path exactly as written in the log, without line
    /// range, e.g. `src/auth/service.ts`, `./notes.md`, `service.ts`,
    /// `../../etc/passwd`) for the log at `log_path` (absolute).
    fn resolve(&self, log_path: &Path, written: &str) -> Resolution;
    /// Number of lines of an existing file returned by [`FileFacts::resolve`];
    /// `None` if it cannot be counted (binary, too large, not a regular file).
    fn line_count(&self, file: &Path) -> Option<usize>;
    /// What git history says about the reference `reference` of the log at
    /// `log_path` (spec §4b), if it is known: computed off the request path
    /// and looked up here. The default knows nothing.
    fn history(&self, _log_path: &Path, _reference: &HistoryQuery<'_>) -> Option<Arc<HistoryFact>> {
        None
    }
    /// The offsets of the references [`FileFacts::history`] knows about
    /// (ascending): the analysis looks at those references only, not at
    /// every reference of every entry (it runs on every keystroke).
    fn history_offsets(&self, _log_path: &Path) -> Vec<usize> {
        Vec::new()
    }
    /// For a `written` path that resolved [`Resolution::NotFound`]: the
    /// nearest existing files, best first, at most `limit`, each as it
    /// would be written (relative to the project root, `/`-separated). Only
    /// files the workspace may offer: inside the root, not hidden, not
    /// ignored. Default: none (no workspace, no suggestion).
    fn similar_paths(&self, _log_path: &Path, _written: &str, _limit: usize) -> Vec<String> {
        Vec::new()
    }
    /// The older file of the same log as the one at `log_path`: for a log
    /// named `<stem>-v<N>.md`, the file `<stem>-v<M>.md` in the same folder
    /// with the highest `M < N` that is a Work Log inside the project root,
    /// with its entry headings. Default: none.
    fn older_file(&self, _log_path: &Path) -> Option<OlderFile> {
        None
    }
}

/// The older file of a log (see [`FileFacts::older_file`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OlderFile {
    /// Its file name (`Auth-WorkLog-v3.md`).
    pub name: String,
    /// Its well-formed entries that are not only an elision, in order.
    pub entries: Vec<HeadingFact>,
}

/// One entry heading of an older file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingFact {
    pub version: u32,
    pub date: crate::model::DateTime,
    /// The title as written, trimmed.
    pub title: String,
    /// The heading line as written (`## v2 | 2025-11-18 | Implementation`).
    pub line: String,
}

/// Facts for a log without a project root (spec §3: a log downloaded from a
/// chat and opened outside any repository): nothing is checked against the
/// disk, but an absolute path (`/home/claude/…`, `~/…`, `C:\…`) is the
/// format's known mistake wherever the log lies, and resolves `Outside`.
pub struct NoFacts;

impl FileFacts for NoFacts {
    fn resolve(&self, _log_path: &Path, written: &str) -> Resolution {
        let b = written.as_bytes();
        let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
        if written.starts_with(['/', '\\', '~']) || drive {
            Resolution::Outside
        } else {
            Resolution::Unknown
        }
    }
    fn line_count(&self, _file: &Path) -> Option<usize> {
        None
    }
}

/// Which reference a history fact is asked for: where it is written in the
/// document (the byte offset of its path and range as written) and that text.
/// A fact computed for another text of the log (an older buffer) has another
/// offset or token, so it is never applied to the wrong reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistoryQuery<'a> {
    pub at: usize,
    pub token: &'a str,
}

/// The commit a reference was written against (spec §4b, "anchor").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Anchor {
    /// Abbreviated commit id (7 hex digits).
    pub commit: String,
    /// The commit's date, `YYYY-MM-DD`.
    pub date: String,
    /// `true` when found by blame, `false` when by the entry's date (no
    /// usable blame: untracked log, no commits).
    pub by_blame: bool,
}

/// Where a referenced range is now, compared with its anchor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HistoryOutcome {
    /// The same lines, at the same place, in the same file: nothing to say.
    Unchanged,
    /// The same lines (compared without surrounding whitespace) now at
    /// `start..=end`; `path` is the new path (relative to the project root)
    /// when the file was renamed.
    Moved { path: Option<String>, start: u32, end: u32 },
    /// `remain` of the `of` lines are still there, roughly at `start..=end`.
    Changed { path: Option<String>, remain: u32, of: u32, start: u32, end: u32 },
    /// All lines (or the file, `file: true`) are gone; `commit` (abbreviated,
    /// or `None` when the removal is not committed yet) removed them.
    Removed { commit: Option<String>, date: Option<String>, file: bool },
    /// A reference to a whole file (no lines) whose file was renamed:
    /// `path` is where it is now (relative to the project root).
    Renamed { path: String },
}

/// What git history says about one reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HistoryFact {
    pub anchor: Anchor,
    pub outcome: HistoryOutcome,
    /// The referenced lines as they were at the anchor (at most a few dozen,
    /// for hover).
    pub then: Vec<String>,
}
