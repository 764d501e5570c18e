//! Resolution of written paths and confinement to the workspace root
//! (spec §3, "Resolution"), and [`WorkspaceFacts`], the disk-backed
//! [`FileFacts`].
//!
//! A written path resolves, in order:
//! 1. relative to the workspace root;
//! 2. relative to the log's own folder;
//! 3. for a bare file name (no `/`), to the non-ignored indexed files of that
//!    name.
//!
//! Confinement is decided twice. Lexically first, without touching the disk:
//! absolute paths (`/etc/passwd`, `C:\…`, `\\server\…`, `~/…`) and paths
//! whose `..` climb above the root are [`Resolution::Outside`]. Then on disk:
//! an existing candidate is canonicalised, and if that leaves the canonical
//! root (a symbolic link pointing out) it is `Outside` too and never read.
//! Backslashes count as separators, so `..\..\x` is caught the same way.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::facts::{FileFacts, Resolution};

use super::index::FileIndex;
use super::read::LineCache;

/// Disk-backed facts for the logs of one workspace root.
#[derive(Debug, Clone)]
pub struct WorkspaceFacts {
    root: PathBuf,
    index: Option<Arc<FileIndex>>,
    lines: Arc<LineCache>,
}

impl WorkspaceFacts {
    /// Facts for `root` (canonicalised here). `index` is `None` while the
    /// index is still being built: bare names are then
    /// [`Resolution::Unknown`].
    pub fn new(root: &Path, index: Option<Arc<FileIndex>>, lines: Arc<LineCache>) -> WorkspaceFacts {
        WorkspaceFacts { root: super::canonical_root(root), index, lines }
    }

    /// Facts for a `root` that is already canonical (no disk access, so it
    /// can be made under a lock).
    pub fn for_canonical_root(root: &Path, index: Option<Arc<FileIndex>>, lines: Arc<LineCache>) -> WorkspaceFacts {
        WorkspaceFacts { root: root.to_path_buf(), index, lines }
    }

    /// The canonical workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file index, if it is ready.
    pub fn index(&self) -> Option<&FileIndex> {
        self.index.as_deref()
    }

    /// The shared line-count cache.
    pub fn line_cache(&self) -> &Arc<LineCache> {
        &self.lines
    }
}

impl FileFacts for WorkspaceFacts {
    fn resolve(&self, log_path: &Path, written: &str) -> Resolution {
        resolve_canonical(&self.root, log_path, written, self.index.as_deref())
    }

    fn line_count(&self, file: &Path) -> Option<usize> {
        self.lines.line_count(&self.root, file)
    }

    fn similar_paths(&self, _log_path: &Path, written: &str, limit: usize) -> Vec<String> {
        match self.index.as_deref() {
            Some(index) => super::similar::similar_paths(&self.root, index, written, limit),
            None => Vec::new(),
        }
    }

    fn older_file(&self, log_path: &Path) -> Option<crate::analysis::facts::OlderFile> {
        super::older::older_file(&self.root, log_path)
    }
}

/// Resolves `written` for the log at `log_path` (absolute) in the workspace
/// `root` (canonicalised here), per the module docs. `index` is the root's
/// file index, `None` while it is being built.
pub fn resolve_in(root: &Path, log_path: &Path, written: &str, index: Option<&FileIndex>) -> Resolution {
    resolve_canonical(&super::canonical_root(root), log_path, written, index)
}

/// [`resolve_in`] for a root that is already canonical.
fn resolve_canonical(root: &Path, log_path: &Path, written: &str, index: Option<&FileIndex>) -> Resolution {
    if written.is_empty() {
        return Resolution::NotFound;
    }
    if looks_absolute(written) {
        return Resolution::Outside;
    }
    let steps = split(written);

    // Step 1: relative to the root.
    let from_root = normalise(&[], &steps);
    // Step 2: relative to the log's folder, when that folder is in the root.
    let log_dir = log_folder(root, log_path);
    let from_log = log_dir.as_ref().and_then(|dir| {
        let base: Vec<&str> = dir.iter().map(String::as_str).collect();
        normalise(&base, &steps)
    });
    if from_root.is_none() && from_log.is_none() {
        return Resolution::Outside;
    }
    let mut tried: Option<&Vec<&str>> = None;
    for candidate in [from_root.as_ref(), from_log.as_ref()].into_iter().flatten() {
        if tried == Some(candidate) {
            continue;
        }
        tried = Some(candidate);
        match on_disk(root, candidate) {
            Some(found @ (Resolution::Found(_) | Resolution::Outside)) => return found,
            _ => continue,
        }
    }

    // Step 3: a bare file name among the indexed files.
    if is_bare_name(written) {
        let Some(index) = index else {
            return Resolution::Unknown;
        };
        let found: Vec<PathBuf> = index
            .by_file_name(written)
            .into_iter()
            .map(|rel| root.join(rel))
            .filter(|path| fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()))
            .collect();
        if !found.is_empty() {
            return Resolution::Found(found);
        }
    }
    Resolution::NotFound
}

/// Absolute in any common notation: `/…`, `\…` (and `\\server\…`),
/// `C:…`, `~`, `~/…`, `~user/…`.
fn looks_absolute(written: &str) -> bool {
    let bytes = written.as_bytes();
    matches!(bytes.first(), Some(b'/' | b'\\' | b'~'))
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
        || Path::new(written).has_root()
}

/// The path's steps, split on `/` and `\`.
fn split(written: &str) -> Vec<&str> {
    written.split(['/', '\\']).collect()
}

/// `base` joined with `steps`, with empty and `.` steps dropped and `..`
/// applied lexically; `None` if it climbs above the root.
fn normalise<'a>(base: &[&'a str], steps: &[&'a str]) -> Option<Vec<&'a str>> {
    let mut out: Vec<&str> = base.to_vec();
    for &step in steps {
        match step {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            _ => out.push(step),
        }
    }
    Some(out)
}

/// A file name alone: no separator, not `.`/`..`.
fn is_bare_name(written: &str) -> bool {
    !written.contains(['/', '\\']) && written != "." && written != ".."
}

/// The log's folder as steps below the root, if the log lies in the root.
fn log_folder(root: &Path, log_path: &Path) -> Option<Vec<String>> {
    let dir = log_path.parent()?;
    let rel = match super::index::relative_string(root, dir) {
        Some(rel) => rel,
        None if dir == root => return Some(Vec::new()),
        None => {
            // The log's path may not be canonical (e.g. `/tmp` vs `/private/tmp`).
            let canonical = fs::canonicalize(dir).ok()?;
            if canonical == root {
                return Some(Vec::new());
            }
            super::index::relative_string(root, &canonical)?
        }
    };
    Some(rel.split('/').map(str::to_owned).collect())
}

/// Step 1/2 on disk: `Found` for an existing regular file or folder whose
/// canonical path stays below the root, `Outside` if it leaves the root,
/// `None` if there is no such file (or it is neither a file nor a folder).
fn on_disk(root: &Path, steps: &[&str]) -> Option<Resolution> {
    if steps.is_empty() {
        // The root itself is not a file reference.
        return None;
    }
    let candidate = steps.iter().fold(root.to_path_buf(), |path, step| path.join(step));
    let canonical = fs::canonicalize(&candidate).ok()?;
    if !canonical.starts_with(root) {
        return Some(Resolution::Outside);
    }
    let kind = fs::metadata(&canonical).ok()?.file_type();
    (kind.is_file() || kind.is_dir()).then(|| Resolution::Found(vec![canonical]))
}
