//! Keeping a [`FileIndex`] fresh from file-system events, whichever side
//! reported them: the server-side [`super::watch`]er or the client's
//! `workspace/didChangeWatchedFiles`.
//!
//! Events are only hints: each path is checked on disk, and against the
//! root's ignore rules, before the index changes. So a client that reports a
//! created `node_modules/…` file, a created folder, or a `Changed` for a file
//! the index missed leaves the index exactly as a fresh build would.

use std::fs;
use std::path::{Path, PathBuf};

use super::index::{relative_string, FileIndex};
use super::rules::{files_below, is_ignore_file, IgnoreRules};
use super::watch::FsEvent;

/// What [`FileIndex::apply_events`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Files added to the index.
    pub added: usize,
    /// Files removed from the index.
    pub removed: usize,
    /// The ignore rules changed or events were lost ([`FsEvent::Rescan`],
    /// or a `.gitignore`/`.ignore`/`.git/info/exclude` event): rebuild the
    /// index with [`FileIndex::build`].
    pub rescan: bool,
}

impl Applied {
    /// Whether the index changed.
    pub fn changed(&self) -> bool {
        self.added > 0 || self.removed > 0
    }
}

impl FileIndex {
    /// Applies `events` (absolute paths; paths outside the root are skipped)
    /// after checking each path on disk: an existing, non-hidden, non-ignored
    /// regular file is added; a folder that appeared adds its files; a path
    /// that no longer exists is removed, with everything below it.
    pub fn apply_events(&mut self, events: &[FsEvent]) -> Applied {
        let root = self.root().to_path_buf();
        let mut rules = IgnoreRules::new(root.clone());
        let mut applied = Applied::default();
        for event in events {
            let (path, created) = match event {
                FsEvent::Rescan => {
                    applied.rescan = true;
                    continue;
                }
                FsEvent::Created(path) => (path, true),
                FsEvent::Removed(path) | FsEvent::Changed(path) => (path, false),
            };
            let Some((path, rel)) = locate(&root, path) else {
                continue;
            };
            if super::is_hidden(&rel) {
                applied.rescan |= is_ignore_file(&rel);
                continue;
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    if !rules.is_ignored(&path, false) && self.insert(&rel) {
                        applied.added += 1;
                    }
                }
                Ok(meta) if meta.is_dir() => {
                    if created && !rules.is_ignored(&path, true) {
                        for file in files_below(&root, &path) {
                            if let Some(rel) = relative_string(&root, &file) {
                                applied.added += usize::from(self.insert(&rel));
                            }
                        }
                    }
                }
                // No longer a regular file or folder (now a link, a FIFO…).
                Ok(_) => applied.removed += self.remove(&rel),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    applied.removed += self.remove(&rel);
                }
                Err(_) => {}
            }
        }
        applied
    }
}

/// `path` as (absolute path below the root, relative string). A path that
/// is not lexically below the root is retried with its folder canonicalised
/// (clients may report `/tmp/…` for `/private/tmp/…`).
fn locate(root: &Path, path: &Path) -> Option<(PathBuf, String)> {
    if let Some(rel) = relative_string(root, path) {
        return Some((path.to_path_buf(), rel));
    }
    let name = path.file_name()?;
    let folder = fs::canonicalize(path.parent()?).ok()?;
    let path = folder.join(name);
    let rel = relative_string(root, &path)?;
    Some((path, rel))
}
