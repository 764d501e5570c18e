//! The older file of a log (`Auth-WorkLog-v3.md` beside
//! `Auth-WorkLog-v4.md`) for the `history-disagrees` check: found by name
//! in the log's own folder, read through [`super::safe`] only when it is a
//! regular file below the project root with no hidden segment, parsed, and
//! reduced to its entry headings. The result is cached by path, size and
//! modification time, so a keystroke in the newer file costs one `stat`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::analysis::facts::OlderFile;
use crate::analysis::sibling::{heading_facts, split_versioned_name};
use crate::config::Config;
use crate::document::Document;

use super::safe::{read_regular, Links};

/// How far back a missing version is skipped (`-v4` finds `-v2` when there
/// is no `-v3`).
const MAX_BACK: u32 = 16;
/// Logs larger than this are not read for the comparison.
const MAX_BYTES: u64 = 4 << 20;
/// Cached older files (the cache is emptied when full).
const CACHE_CAP: usize = 64;

type Key = (PathBuf, u64, Option<SystemTime>);

fn cache() -> &'static Mutex<HashMap<Key, Option<Arc<OlderFile>>>> {
    static CACHE: std::sync::OnceLock<Mutex<HashMap<Key, Option<Arc<OlderFile>>>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The older file of the log at `log_path` in the canonical `root`.
pub(super) fn older_file(root: &Path, log_path: &Path) -> Option<OlderFile> {
    let name = log_path.file_name()?.to_str()?;
    let (stem, n) = split_versioned_name(name)?;
    let v = &name[stem.len() + 1..stem.len() + 2];
    let ext = &name[name.rfind('.')?..];
    let dir = std::fs::canonicalize(log_path.parent()?).ok()?;
    if !dir.starts_with(root) {
        return None;
    }
    for m in (n.saturating_sub(MAX_BACK).max(1)..n).rev() {
        let candidate = format!("{stem}-{v}{m}{ext}");
        let path = dir.join(&candidate);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        // The nearest older file decides, whatever it is.
        return read_older(root, &path, &candidate).map(|f| (*f).clone());
    }
    None
}

fn read_older(root: &Path, path: &Path, name: &str) -> Option<Arc<OlderFile>> {
    let rel = super::to_relative(root, path)?;
    if super::is_hidden(&rel) {
        return None;
    }
    let canonical = std::fs::canonicalize(path).ok()?;
    if !canonical.starts_with(root) {
        return None;
    }
    let meta = std::fs::metadata(&canonical).ok()?;
    let key = (canonical.clone(), meta.len(), meta.modified().ok());
    if let Some(hit) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let found = read_regular(&canonical, MAX_BYTES, Links::Follow).and_then(|bytes| {
        let text = String::from_utf8_lossy(&bytes);
        let doc = Document::new(&text);
        crate::analysis::is_work_log(&doc, &Config::default(), Some(&canonical))
            .then(|| Arc::new(OlderFile { name: name.to_owned(), entries: heading_facts(&doc) }))
    });
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHE_CAP {
        cache.clear();
    }
    cache.insert(key, found.clone());
    found
}
