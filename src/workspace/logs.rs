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
