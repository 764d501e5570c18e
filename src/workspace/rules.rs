//! The ignore rules of a workspace root, for single paths (watcher events),
//! where the index build gets them from its walk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::index::{relative_string, walker};

/// Bound on the per-folder ignore rules kept in memory.
const MAX_CACHED_RULES: usize = 10_000;

/// `.gitignore` or `.ignore` in a non-hidden folder, or git's exclude file.
pub(super) fn is_ignore_file(rel: &str) -> bool {
    if rel == ".git/info/exclude" {
        return true;
    }
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    matches!(name, ".gitignore" | ".ignore") && !super::is_hidden(dir)
}

/// The non-ignored, non-hidden files below a folder that just appeared.
pub(super) fn files_below(root: &Path, dir: &Path) -> Vec<PathBuf> {
    walker(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| relative_string(root, p).is_some())
        .collect()
}

/// The ignore rules of the root: `.ignore` and `.gitignore` of every folder
/// (loaded lazily), `.git/info/exclude` and the global git excludes file.
pub(super) struct IgnoreRules {
    root: PathBuf,
    folders: HashMap<PathBuf, [Gitignore; 2]>,
    repository: Option<[Gitignore; 2]>,
}

impl IgnoreRules {
    pub(super) fn new(root: PathBuf) -> IgnoreRules {
        IgnoreRules {
            root,
            folders: HashMap::new(),
            repository: None,
        }
    }

    pub(super) fn clear(&mut self) {
        self.folders.clear();
        self.repository = None;
    }

    /// Whether `path` (below the root) is ignored: the deepest folder's rules
    /// win, `.ignore` before `.gitignore`, then the repository-wide files.
    pub(super) fn is_ignored(&mut self, path: &Path, is_dir: bool) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return true;
        };
        if rel.as_os_str().is_empty() {
            return false;
        }
        let folders: Vec<PathBuf> = path
            .ancestors()
            .skip(1)
            .take_while(|dir| dir.starts_with(&self.root))
            .map(Path::to_path_buf)
            .collect();
        if self.folders.len() > MAX_CACHED_RULES {
            self.folders.clear();
        }
        for dir in folders {
            let Ok(below) = path.strip_prefix(&dir) else {
                continue;
            };
            let rules = self
                .folders
                .entry(dir.clone())
                .or_insert_with(|| [load(&dir, &[".ignore"]), load(&dir, &[".gitignore"])]);
            for rule in rules.iter() {
                match rule.matched_path_or_any_parents(below, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        let root = self.root.clone();
        let repository = self
            .repository
            .get_or_insert_with(|| [load(&root, &[".git/info/exclude"]), Gitignore::global().0]);
        repository.iter().any(|rule| {
            matches!(
                rule.matched_path_or_any_parents(rel, is_dir),
                Match::Ignore(_)
            )
        })
    }
}

/// Rules of the ignore files `names` (relative to `dir`); empty when missing.
fn load(dir: &Path, names: &[&str]) -> Gitignore {
    let mut builder = GitignoreBuilder::new(dir);
    for name in names {
        let file = dir.join(name);
        if file.is_file() {
            // A partly invalid file still yields its valid rules.
            let _ = builder.add(file);
        }
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}
