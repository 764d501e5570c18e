//! The Markdown files of a workspace that may be Work Logs, read for the
//! index of every log (`ide::xref`): candidates come from the file index
//! (non-ignored, non-hidden files), and each is read through [`super::safe`]
//! (a regular file of bounded size, never a FIFO or device), only when it
//! lies inside the root. Recognition is the caller's (`analysis::recognise`).

use std::path::{Path, PathBuf};

use super::index::FileIndex;
use super::safe::{read_regular, Links};

/// Whether a file name is Markdown (`.md`, `.markdown`, any case).
pub fn is_markdown(path: &str) -> bool {
    let lower = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(lower.as_deref(), Some("md" | "markdown"))
}

/// The Markdown files of the index, absolute (below its canonical root).
pub fn markdown_files(index: &FileIndex) -> Vec<PathBuf> {
    index.iter().filter(|rel| is_markdown(rel)).map(|rel| index.root().join(rel)).collect()
}

/// The text of the Markdown file `path` if it lies strictly inside `root`
/// (canonical), resolves there, is a regular file of at most `max` bytes and
/// is UTF-8.
pub fn read_markdown(root: &Path, path: &Path, max: u64) -> Option<String> {
    let rel = super::to_relative(root, path)?;
    if super::is_hidden(&rel) || !is_markdown(&rel) {
        return None;
    }
    let target = std::fs::canonicalize(path).ok()?;
    if !target.starts_with(root) || target == root {
        return None;
    }
    String::from_utf8(read_regular(&target, max, Links::Follow)?).ok()
}

/// What summarising one log is given: its text, path, project root and the
/// facts to resolve its references with.
pub struct LogInput<'a> {
    pub text: &'a str,
    pub path: &'a Path,
    pub root: Option<&'a Path>,
    pub facts: &'a dyn crate::analysis::facts::FileFacts,
}

/// Reads one Markdown file of the folder indexed by `index` and hands it to
/// `summarise` with its project root (the nearest `worklog.toml` inside the
/// folder, else the folder) and facts of that root (the file index serves
/// bare names only when the root is the folder). `None` if it cannot be read.
pub fn with_log<S>(
    index: &std::sync::Arc<FileIndex>,
    lines: &std::sync::Arc<super::LineCache>,
    path: &Path,
    max: u64,
    summarise: &dyn Fn(LogInput<'_>) -> Option<S>,
) -> Option<S> {
    let folder = index.root();
    let text = read_markdown(folder, path, max)?;
    let root = super::root::project_root_for(path, Some(folder));
    let facts = match root.as_deref() {
        Some(r) if r == folder => super::WorkspaceFacts::for_canonical_root(folder, Some(index.clone()), lines.clone()),
        Some(r) => super::WorkspaceFacts::new(r, None, lines.clone()),
        None => super::WorkspaceFacts::for_canonical_root(folder, None, lines.clone()),
    };
    summarise(LogInput { text: &text, path, root: root.as_deref(), facts: &facts })
}

/// [`with_log`] for every Markdown file of the index (one thread: this runs
/// in the background and must leave the cores to keystrokes).
pub fn all_logs<S>(
    index: &std::sync::Arc<FileIndex>,
    lines: &std::sync::Arc<super::LineCache>,
    max: u64,
    summarise: &dyn Fn(LogInput<'_>) -> Option<S>,
) -> Vec<S> {
    markdown_files(index).iter().filter_map(|p| with_log(index, lines, p, max, summarise)).collect()
}

/// Whether a file or folder exists at `path` (a link counts, followed or not).
pub fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}
