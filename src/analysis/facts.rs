//! What the analysis may know about the disk — and the only way it learns it.
//!
//! The analysis layer never touches `std::fs`. Everything it needs to know
//! about files on disk (does a referenced path exist, how many lines it has,
//! does it leave the workspace) arrives through [`FileFacts`], implemented by
//! `crate::workspace` (real disk, cached) and by in-memory fakes in tests.

use std::path::{Path, PathBuf};

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
