//! Everything that touches the disk for a workspace.
//!
//! - [`FileIndex`]: the non-ignored files of one root (built with the
//!   `ignore` crate, kept fresh by the watcher), answering "which files are
//!   called `service.ts`" and feeding completion.
//! - [`PathMatcher`]: fuzzy, path-aware completion over an index.
//! - [`WorkspaceFacts`] / [`resolve_in`]: resolution of written paths
//!   (spec §3) with confinement to the root — the analysis layer's only view
//!   of the disk, through [`crate::analysis::facts::FileFacts`].
//! - [`LineCache`] and [`preview`]: line counts and hover previews, which
//!   never read files outside the root, non-regular files (FIFOs, devices,
//!   sockets), files over a size cap, or binary files.
//! - [`watch`]: a server-side watcher for clients without
//!   `workspace/didChangeWatchedFiles`; [`FileIndex::apply_events`] applies
//!   its events, or the client's, after checking them on disk.
//!
//! Paths inside an index are relative to its root and `/`-separated on every
//! platform; paths handed out to the rest of the server (resolutions, watcher
//! events) are absolute and canonical. No other module reads the disk.

mod fuzzy;
pub mod history;
mod index;
pub mod logs;
mod older;
mod read;
mod resolve;
pub mod root;
mod rules;
mod safe;
mod similar;
mod update;
mod watch;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use fuzzy::{Matches, PathMatch, PathMatcher};
pub use index::FileIndex;
pub use read::{preview, preview_capped, LineCache, Preview, DEFAULT_MAX_BYTES, MAX_PREVIEW_LINE_CHARS};
pub use resolve::{resolve_in, WorkspaceFacts};
pub use rules::walk_files;
pub use safe::{open_regular, read_regular, Links};
pub use update::{plan_events, Applied, Plan};
pub use watch::{watch, FsEvent, WatchHandle};

/// The text of `root/worklog.toml`, if it is a regular file of at most
/// 1 MiB that lies inside the (canonical) root: a symbolic link is followed
/// only when its target stays inside the root, and the file is opened as
/// [`open_regular`] does (no FIFO, no device, checked on the open file).
pub fn read_config(root: &Path) -> Option<String> {
    let root = canonical_root(root);
    let p = root.join("worklog.toml");
    let target = std::fs::canonicalize(&p).ok()?;
    if target == root || !target.starts_with(&root) {
        return None;
    }
    let bytes = read_regular(&target, 1 << 20, Links::Refuse)?;
    String::from_utf8(bytes).ok()
}

/// Files or folders whose presence marks a folder as a project root even when
/// it is the home folder.
const ROOT_MARKERS: [&str; 5] = [".git", ".hg", ".jj", ".svn", "worklog.toml"];

/// The canonical form of `root` (symbolic links and `..` resolved), or `root`
/// itself when it cannot be canonicalised (e.g. it does not exist).
pub fn canonical_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

/// Whether `root` should be indexed, or the server should stay in single-file
/// mode: `false` for a filesystem root (`/`, `C:\`) and for the home folder
/// (or one of its ancestors, like `/home`) unless it carries a repository
/// marker (`.git`, `.hg`, `.jj`, `.svn` or `worklog.toml`).
pub fn should_index(root: &Path) -> bool {
    let root = canonical_root(root);
    if root.parent().is_none() {
        return false;
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).or_else(|| std::env::var_os("USERPROFILE").filter(|h| !h.is_empty()));
    if let Some(home) = home {
        let home = canonical_root(Path::new(&home));
        if home.starts_with(&root) && !ROOT_MARKERS.iter().any(|m| root.join(m).exists()) {
            return false;
        }
    }
    true
}

/// `abs` relative to `root` as a `/`-separated string, if it lies strictly
/// below `root` (lexically; the canonical root is tried too). `None` for the
/// root itself, for paths outside it, for `..` steps and for non-UTF-8 names.
pub fn to_relative(root: &Path, abs: &Path) -> Option<String> {
    index::relative_string(root, abs).or_else(|| {
        let canonical = canonical_root(root);
        (canonical != root).then(|| index::relative_string(&canonical, abs)).flatten()
    })
}

/// Whether `file` may be shown (hover previews): it lies below the root, no
/// segment is hidden and the ignore rules do not ignore it; with the root's
/// index at hand, whether the index holds it (the same rules, applied by the
/// walk). Reads only ignore files (see [`walk_files`]).
pub fn may_show(root: &Path, file: &Path, index: Option<&FileIndex>) -> bool {
    let root = canonical_root(root);
    let Some(rel) = to_relative(&root, file) else { return false };
    if is_hidden(&rel) {
        return false;
    }
    match index {
        Some(index) => index.contains(&rel),
        None => {
            let file = root.join(&rel);
            !rules::IgnoreRules::new(root).is_ignored(&file, false)
        }
    }
}

/// Whether a relative `/`-separated path has a hidden segment (`.git/…`,
/// `.secret/x.rs`, `src/.env`): such paths are never indexed or watched.
pub fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|segment| segment.starts_with('.'))
}
