//! Shared test helpers: an in-memory workspace for `FileFacts`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use worklog_ls::analysis::facts::{FileFacts, Resolution};

/// An in-memory workspace rooted at `/ws`: relative path → line count.
pub struct FakeFacts {
    pub root: PathBuf,
    pub files: HashMap<String, usize>,
}

impl FakeFacts {
    pub fn new(files: &[(&str, usize)]) -> FakeFacts {
        FakeFacts { root: PathBuf::from("/ws"), files: files.iter().map(|(p, n)| (p.to_string(), *n)).collect() }
    }
}

impl FileFacts for FakeFacts {
    fn resolve(&self, _log: &Path, written: &str) -> Resolution {
        let w = written.trim_start_matches("./");
        if w.starts_with('/') || w.split('/').any(|s| s == "..") {
            return Resolution::Outside;
        }
        if self.files.contains_key(w) {
            return Resolution::Found(vec![self.root.join(w)]);
        }
        if !w.contains('/') {
            let found: Vec<PathBuf> = self.files.keys().filter(|k| k.rsplit('/').next() == Some(w)).map(|k| self.root.join(k)).collect();
            if !found.is_empty() {
                return Resolution::Found(found);
            }
        }
        if self.files.keys().any(|k| k.starts_with(&format!("{w}/"))) {
            return Resolution::Found(vec![self.root.join(w)]);
        }
        Resolution::NotFound
    }
    fn line_count(&self, file: &Path) -> Option<usize> {
        let rel = file.strip_prefix(&self.root).ok()?.to_str()?;
        self.files.get(rel).copied()
    }
}
