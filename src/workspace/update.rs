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
use std::sync::Arc;

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

/// What a batch of events means for an index, decided on disk (and
/// against the ignore rules) without the index: see [`plan_events`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Relative paths to remove (with everything below them).
    pub remove: Vec<String>,
    /// Relative paths of files to add.
    pub add: Vec<String>,
    /// See [`Applied::rescan`].
    pub rescan: bool,
}

impl Plan {
    /// Whether applying it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.add.is_empty()
    }
}

/// Checks `events` (absolute paths; paths outside `root` are skipped) on
/// disk: an existing, non-hidden, non-ignored regular file is to be added; a
/// folder that appeared adds its files; a path that no longer exists (or is
/// no longer a regular file or folder) is to be removed, with everything
/// below it. All the disk access of an index update happens here, so that a
/// caller can do it without holding any lock, then apply the plan
/// ([`FileIndex::apply_plan`], in memory) to a copy and swap it in.
pub fn plan_events(root: &Path, events: &[FsEvent]) -> Plan {
    let rules = Arc::new(IgnoreRules::new(root.to_path_buf()));
    let mut plan = Plan::default();
    for event in events {
        let (path, created) = match event {
            FsEvent::Rescan => {
                plan.rescan = true;
                continue;
            }
            FsEvent::Created(path) => (path, true),
            FsEvent::Removed(path) | FsEvent::Changed(path) => (path, false),
        };
        let Some((path, rel)) = locate(root, path) else {
            continue;
        };
        if super::is_hidden(&rel) {
            plan.rescan |= is_ignore_file(&rel);
            continue;
        }
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => {
                if !rules.is_ignored(&path, false) {
                    plan.add.push(rel);
                }
            }
            Ok(meta) if meta.is_dir() => {
                if created && !rules.is_ignored(&path, true) {
                    plan.add.extend(files_below(root, &path, &rules).iter().filter_map(|f| relative_string(root, f)));
                }
            }
            // No longer a regular file or folder (now a link, a FIFO…).
            Ok(_) => plan.remove.push(rel),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => plan.remove.push(rel),
            Err(_) => {}
        }
    }
    plan
}

impl FileIndex {
    /// Applies `events` to the index after checking them on disk:
    /// [`plan_events`] then [`FileIndex::apply_plan`].
    pub fn apply_events(&mut self, events: &[FsEvent]) -> Applied {
        let plan = plan_events(self.root(), events);
        self.apply_plan(&plan)
    }

    /// Applies a plan in memory: removals first, then the additions in one
    /// merge (O(n + k log k) for k changes in an index of n files).
    pub fn apply_plan(&mut self, plan: &Plan) -> Applied {
        let mut applied = Applied { rescan: plan.rescan, ..Applied::default() };
        applied.removed = self.remove_many(plan.remove.iter().map(String::as_str));
        applied.added = self.insert_many(plan.add.iter().map(String::as_str));
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
