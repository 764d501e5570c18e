//! The ignore rules of a workspace, built here from ignore files that were
//! checked first, and the walks that use them.
//!
//! The `ignore` crate opens every `.gitignore`, `.ignore` and
//! `.git/info/exclude` it meets without a type or size check (a committed
//! `.gitignore -> /dev/zero` grew memory without bound, `-> /dev/stdin` read
//! the server's own input, a FIFO hung the walk). So its walker runs with its
//! standard filters off (it opens no file), and [`IgnoreRules`] decides what
//! is ignored from files read through [`super::safe::read_regular`]: regular
//! files (a symbolic link is refused, as git refuses a symlinked
//! `.gitignore`) of at most [`MAX_IGNORE_FILE`] bytes.
//!
//! Precedence follows the `ignore` crate: for each kind of file the deepest
//! folder with a matching rule decides, and `.ignore` beats `.gitignore`,
//! which beats `.git/info/exclude`, which beats the global excludes file.
//! Ignore files of folders above the walked folder apply up to the
//! repository's top (the nearest folder with `.git`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder};

use super::index::relative_string;
use super::safe::{read_regular, Links};

/// Bound on the per-folder ignore rules kept in memory.
const MAX_CACHED_RULES: usize = 100_000;

/// Ignore files larger than this are not read (and ignore nothing).
pub(crate) const MAX_IGNORE_FILE: u64 = 1 << 20;

/// `.gitignore` or `.ignore` in a non-hidden folder, or git's exclude file.
pub(super) fn is_ignore_file(rel: &str) -> bool {
    if rel == ".git/info/exclude" {
        return true;
    }
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    matches!(name, ".gitignore" | ".ignore") && !super::is_hidden(dir)
}

/// The rules of one folder.
#[derive(Default)]
struct Folder {
    ignore: Option<Gitignore>,
    git: Option<Gitignore>,
}

impl Folder {
    fn load(dir: &Path) -> Folder {
        Folder { ignore: load(dir, &[".ignore"]), git: load(dir, &[".gitignore"]) }
    }

    fn is_empty(&self) -> bool {
        self.ignore.is_none() && self.git.is_none()
    }
}

/// The ignore rules below a folder: every folder's `.ignore` and
/// `.gitignore` (loaded lazily, shared by the threads of a walk), the
/// repository's `.git/info/exclude` and the global excludes file.
pub(crate) struct IgnoreRules {
    /// The folder the rules were made for.
    base: PathBuf,
    /// The highest folder whose ignore files apply (the repository's top,
    /// or `base`).
    top: PathBuf,
    /// Per folder, the folders from it up to the top that have rules,
    /// deepest first (built once per folder: an entry costs one lookup).
    chains: RwLock<HashMap<PathBuf, Chain>>,
    exclude: Option<Gitignore>,
}

type Chain = Arc<[(PathBuf, Arc<Folder>)]>;

impl IgnoreRules {
    /// Rules for `base` (a canonical folder). Reads nothing yet but the
    /// repository's exclude file.
    pub(crate) fn new(base: PathBuf) -> IgnoreRules {
        let top = base.ancestors().find(|d| d.join(".git").exists()).unwrap_or(&base).to_path_buf();
        let exclude = load(&top, &[".git/info/exclude"]);
        IgnoreRules { base, top, chains: RwLock::new(HashMap::new()), exclude }
    }

    /// The folders with rules from `dir` up to the top, deepest first; each
    /// folder's ignore files are read once.
    fn chain(&self, dir: &Path) -> Chain {
        if let Some(hit) = self.chains.read().unwrap_or_else(|e| e.into_inner()).get(dir) {
            return hit.clone();
        }
        if !dir.starts_with(&self.top) {
            return Arc::from(Vec::new());
        }
        let parent = match dir.parent() {
            Some(p) if dir != self.top => self.chain(p),
            _ => Arc::from(Vec::new()),
        };
        let own = Folder::load(dir);
        let chain: Chain = if own.is_empty() {
            parent
        } else {
            std::iter::once((dir.to_path_buf(), Arc::new(own))).chain(parent.iter().cloned()).collect()
        };
        let mut chains = self.chains.write().unwrap_or_else(|e| e.into_inner());
        if chains.len() > MAX_CACHED_RULES {
            chains.clear();
        }
        chains.insert(dir.to_path_buf(), chain.clone());
        chain
    }

    /// Whether `path` is ignored, checking the path itself and (when
    /// `parents`) each folder between it and the top, as a walk would have.
    fn decide(&self, path: &Path, is_dir: bool, parents: bool) -> bool {
        if !path.starts_with(&self.top) || path == self.top {
            return false;
        }
        self.decide_below_top(path, is_dir, parents)
    }

    /// [`IgnoreRules::decide`] for a path known to lie strictly below the top.
    fn decide_below_top(&self, path: &Path, is_dir: bool, parents: bool) -> bool {
        let mut by_ignore = Match::None;
        let mut by_git = Match::None;
        let Some(parent) = path.parent() else { return false };
        for (dir, rules) in self.chain(parent).iter() {
            let Some(below) = below(path, dir) else { continue };
            let check = |g: &Option<Gitignore>| match g {
                Some(g) if parents => g.matched_path_or_any_parents(below, is_dir).map(|_| ()),
                Some(g) => g.matched(below, is_dir).map(|_| ()),
                None => Match::None,
            };
            if by_ignore.is_none() {
                by_ignore = check(&rules.ignore);
            }
            if by_git.is_none() {
                by_git = check(&rules.git);
            }
            if !by_ignore.is_none() && !by_git.is_none() {
                break;
            }
        }
        let g = global();
        if self.exclude.is_none() && g.is_empty() {
            return match (by_ignore, by_git) {
                (Match::Ignore(()), _) => true,
                (Match::Whitelist(()), _) => false,
                (_, m) => m.is_ignore(),
            };
        }
        let rel_top = below(path, &self.top).unwrap_or(path);
        let by_exclude = match &self.exclude {
            Some(g) if parents => g.matched_path_or_any_parents(rel_top, is_dir).map(|_| ()),
            Some(g) => g.matched(rel_top, is_dir).map(|_| ()),
            None => Match::None,
        };
        let by_global = {
            if g.is_empty() {
                Match::None
            } else if parents {
                g.matched_path_or_any_parents(rel_top, is_dir).map(|_| ())
            } else {
                g.matched(rel_top, is_dir).map(|_| ())
            }
        };
        for m in [by_ignore, by_git, by_exclude, by_global] {
            match m {
                Match::Ignore(()) => return true,
                Match::Whitelist(()) => return false,
                Match::None => {}
            }
        }
        false
    }

    /// Whether `path` (below the base) is ignored by its own rules or lies in
    /// an ignored folder: for single paths (watcher events).
    pub(crate) fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        if !path.starts_with(&self.base) {
            return true;
        }
        self.decide(path, is_dir, true)
    }

    /// Whether an entry met by a walk is ignored (its folders were checked
    /// on the way down).
    fn is_ignored_entry(&self, path: &Path, is_dir: bool) -> bool {
        // Entries of a walk of the base lie below the top.
        self.decide_below_top(path, is_dir, false)
    }
}

/// `path` relative to its ancestor `dir` (a byte slice on Unix, not a walk
/// over components: this runs for every entry of a walk).
fn below<'a>(path: &'a Path, dir: &Path) -> Option<&'a Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
        let d = d.strip_suffix(b"/").unwrap_or(d);
        let rest = p.strip_prefix(d)?.strip_prefix(b"/")?;
        Some(Path::new(std::ffi::OsStr::from_bytes(rest)))
    }
    #[cfg(not(unix))]
    {
        path.strip_prefix(dir).ok()
    }
}

/// The global git excludes file (`core.excludesFile`), read once.
fn global() -> &'static Gitignore {
    static GLOBAL: OnceLock<Gitignore> = OnceLock::new();
    GLOBAL.get_or_init(|| Gitignore::global().0)
}

/// Rules of the ignore files `names` (relative to `dir`), read only if they
/// are regular files of at most [`MAX_IGNORE_FILE`] bytes; `None` when there
/// are none.
fn load(dir: &Path, names: &[&str]) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(dir);
    let mut any = false;
    for name in names {
        let file = dir.join(name);
        let Some(bytes) = read_regular(&file, MAX_IGNORE_FILE, Links::Refuse) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        for line in text.lines() {
            // A bad line is skipped; the other lines still count.
            let _ = builder.add_line(Some(file.clone()), line);
        }
        any = true;
    }
    if !any {
        return None;
    }
    builder.build().ok().filter(|g| !g.is_empty())
}

/// A walker of `dir` that opens no ignore file itself: hidden entries are
/// skipped, links not followed, and `rules` decide what is ignored.
pub(super) fn walker(dir: &Path, rules: Arc<IgnoreRules>) -> WalkBuilder {
    let mut builder = WalkBuilder::new(dir);
    builder.standard_filters(false).hidden(true).follow_links(false).filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        !rules.is_ignored_entry(entry.path(), is_dir)
    });
    builder
}

/// The non-ignored, non-hidden files below a folder that just appeared.
pub(super) fn files_below(root: &Path, dir: &Path, rules: &Arc<IgnoreRules>) -> Vec<PathBuf> {
    walker(dir, rules.clone())
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| relative_string(root, p).is_some())
        .collect()
}

/// The regular, non-hidden, non-ignored files below `dir`, as `dir` joined
/// with their relative paths, in path order. The ignore files of `dir`, of
/// the folders below it and of its parents up to the repository's top apply
/// (read only when they are small regular files). Reads no other file.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let canonical = super::canonical_root(dir);
    let rules = Arc::new(IgnoreRules::new(canonical.clone()));
    let mut out: Vec<PathBuf> = walker(&canonical, rules)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| e.path().strip_prefix(&canonical).ok().map(|rel| dir.join(rel)))
        .collect();
    out.sort();
    out
}
