//! "Did you mean": the existing files nearest to a path that does not exist
//! (the `file-not-found` quick fix), from the workspace index only — so a
//! suggestion is never outside the root, hidden or ignored (the index holds
//! none of those), and is re-checked on disk as a regular file below the
//! root (a symbolic link leading out is never offered).
//!
//! Candidates: files of the same name anywhere (a file that moved), and the
//! fuzzy matcher's best matches for the written file name and for its stem
//! (a typo, another extension). A candidate is kept only when its file name
//! is the written one but for case, or within a small edit distance of it
//! (1 for names of four characters or fewer, 2 up to twelve, else 3), so a
//! loose fuzzy match is never offered. Ranked by that distance, then by the
//! edit distance of the whole path to the written one, then shortest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::diagnostic::edit_distance;

use super::fuzzy::PathMatcher;
use super::index::FileIndex;

/// How many fuzzy matches of each query are looked at.
const FUZZY_POOL: usize = 64;

/// Cached answers (emptied when full).
const CACHE_CAP: usize = 256;

type Key = (PathBuf, u64, String, usize);

fn cache() -> &'static Mutex<HashMap<Key, Vec<String>>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Vec<String>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The nearest existing files to `written`, best first, at most `limit`.
/// Each keystroke re-analyses a log, so answers are cached by root, index
/// generation and written path: a missing reference costs its fuzzy queries
/// once per index state, not once per keystroke.
pub(super) fn similar_paths(root: &Path, index: &FileIndex, written: &str, limit: usize) -> Vec<String> {
    let key = (root.to_path_buf(), index.generation(), written.to_owned(), limit);
    if let Some(hit) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let found = compute(root, index, written, limit);
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHE_CAP {
        cache.clear();
    }
    cache.insert(key, found.clone());
    found
}

fn compute(root: &Path, index: &FileIndex, written: &str, limit: usize) -> Vec<String> {
    let written = written.trim_start_matches("./").replace('\\', "/");
    let name = written.rsplit('/').next().unwrap_or("");
    if name.is_empty() || limit == 0 {
        return Vec::new();
    }
    let lower = name.to_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    let mut pool: Vec<String> = index.by_file_name(name).into_iter().map(str::to_owned).collect();
    let matcher = PathMatcher::with_threads(1);
    for q in [lower.as_str(), stem] {
        if q.chars().count() >= 3 {
            pool.extend(matcher.query(index, q, FUZZY_POOL).items.into_iter().map(|m| m.path));
        }
    }
    pool.sort();
    pool.dedup();
    let max = match lower.chars().count() {
        0..=4 => 1,
        5..=12 => 2,
        _ => 3,
    };
    let mut ranked: Vec<(usize, usize, String)> = pool
        .into_iter()
        .filter(|p| *p != written)
        .filter_map(|p| {
            let cand = p.rsplit('/').next().unwrap_or("").to_lowercase();
            let d = edit_distance(&lower, &cand);
            (d <= max).then(|| (d, edit_distance(&written, &p), p))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1, a.2.len(), &a.2).cmp(&(b.0, b.1, b.2.len(), &b.2)));
    ranked.into_iter().map(|(_, _, p)| p).filter(|p| !super::is_hidden(p) && is_regular_below(root, p)).take(limit).collect()
}

/// `root/rel` is a regular file (not a symbolic link) whose canonical path
/// stays below the root.
fn is_regular_below(root: &Path, rel: &str) -> bool {
    let p = root.join(rel);
    std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_file()) && std::fs::canonicalize(&p).is_ok_and(|c| c.starts_with(root))
}
