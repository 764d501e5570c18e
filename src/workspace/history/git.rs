//! The repository as the history checks read it: commits of the first-parent
//! chain, blobs at a path, commit dates. Every gix error becomes `None` (and
//! a `tracing` line): history is a bonus, never a failure.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;

/// The longest first-parent chain walked (newest first).
pub const MAX_CHAIN: usize = 200_000;

/// Logs a gix error at debug level and turns it into `None`.
pub fn ok<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::debug!("history: {what}: {e}");
            None
        }
    }
}

pub struct Git {
    pub repo: gix::Repository,
    pub head: ObjectId,
    /// The canonical work tree.
    pub workdir: PathBuf,
    /// Commits whose parents a shallow clone does not have.
    pub shallow: HashSet<ObjectId>,
    chain: Option<Vec<ObjectId>>,
    index_of: HashMap<ObjectId, usize>,
    times: HashMap<ObjectId, Option<gix::date::Time>>,
    blobs: HashMap<(ObjectId, String), Option<Arc<Vec<u8>>>>,
}

impl Git {
    /// The repository whose work tree holds `root`, if there is one with at
    /// least one commit.
    pub fn open(root: &Path) -> Option<Git> {
        let mut repo = ok("discover", gix::discover(root))?;
        repo.object_cache_size_if_unset(8 << 20);
        let workdir = std::fs::canonicalize(repo.workdir()?).ok()?;
        if !root.starts_with(&workdir) {
            return None;
        }
        let head = ok("HEAD", repo.head_id())?.detach();
        let shallow = match ok("shallow", repo.shallow_commits()) {
            Some(Some(c)) => c.iter().copied().collect(),
            _ => HashSet::new(),
        };
        Some(Git { repo, head, workdir, shallow, chain: None, index_of: HashMap::new(), times: HashMap::new(), blobs: HashMap::new() })
    }

    /// `abs` (canonical) relative to the work tree, `/`-separated.
    pub fn rel(&self, abs: &Path) -> Option<String> {
        let rel = abs.strip_prefix(&self.workdir).ok()?;
        let s = rel.to_str()?.replace('\\', "/");
        (!s.is_empty()).then_some(s)
    }

    /// The blob at `path` in `commit`'s tree.
    pub fn blob_at(&mut self, commit: ObjectId, path: &str) -> Option<Arc<Vec<u8>>> {
        let key = (commit, path.to_string());
        if let Some(b) = self.blobs.get(&key) {
            return b.clone();
        }
        let b = self.blob_id_at(commit, path).and_then(|id| {
            let blob = ok("blob", self.repo.find_blob(id))?;
            Some(Arc::new(blob.data.clone()))
        });
        if self.blobs.len() > 4096 {
            self.blobs.clear();
        }
        self.blobs.insert(key, b.clone());
        b
    }

    /// The id of the blob at `path` in `commit`'s tree.
    pub fn blob_id_at(&self, commit: ObjectId, path: &str) -> Option<ObjectId> {
        let c = ok("commit", self.repo.find_commit(commit))?;
        let tree = ok("tree", c.tree())?;
        let entry = ok("lookup", tree.lookup_entry_by_path(path))??;
        entry.mode().is_blob().then(|| entry.object_id())
    }

    pub fn has_path(&self, commit: ObjectId, path: &str) -> bool {
        self.blob_id_at(commit, path).is_some()
    }

    /// The committer time of `commit`.
    pub fn time(&mut self, commit: ObjectId) -> Option<gix::date::Time> {
        if let Some(t) = self.times.get(&commit) {
            return *t;
        }
        let t = ok("commit", self.repo.find_commit(commit)).and_then(|c| ok("time", c.time()));
        self.times.insert(commit, t);
        t
    }

    /// Appends the next commit of the first-parent chain from HEAD (newest
    /// first, at most [`MAX_CHAIN`]; it stops at a shallow boundary), walked
    /// only as far as asked.
    fn grow(&mut self) -> Option<ObjectId> {
        let chain = self.chain.get_or_insert_with(Vec::new);
        let next = match chain.last() {
            None => self.head,
            Some(last) => {
                if chain.len() >= MAX_CHAIN || self.shallow.contains(last) {
                    return None;
                }
                let last = *last;
                ok("commit", self.repo.find_commit(last)).and_then(|c| c.parent_ids().next().map(|p| p.detach()))?
            }
        };
        if self.index_of.contains_key(&next) {
            return None;
        }
        let chain = self.chain.get_or_insert_with(Vec::new);
        self.index_of.insert(next, chain.len());
        chain.push(next);
        Some(next)
    }

    /// The `i`-th commit of the chain (0 = HEAD).
    pub fn chain_at(&mut self, i: usize) -> Option<ObjectId> {
        while self.chain.as_ref().is_none_or(|c| c.len() <= i) {
            self.grow()?;
        }
        self.chain.as_ref()?.get(i).copied()
    }

    /// Where `commit` is in the chain (0 = HEAD); for a commit off the
    /// chain (a merged branch), the oldest chain commit not older than it.
    pub fn chain_index(&mut self, commit: ObjectId) -> Option<usize> {
        let t = self.time(commit)?.seconds;
        let mut best = None;
        let mut i = 0;
        loop {
            if let Some(&j) = self.index_of.get(&commit) {
                return Some(j);
            }
            let Some(id) = self.chain_at(i) else { return best };
            match self.time(id) {
                Some(ct) if ct.seconds >= t => best = Some(i),
                // Older than the commit: it is not further down the chain.
                _ if !self.index_of.contains_key(&commit) => return best,
                _ => {}
            }
            i += 1;
        }
    }

    /// The newest chain commit whose local date and time is not after
    /// `limit` (seconds since the epoch, read as local time of the commit).
    pub fn newest_at_or_before(&mut self, limit: i64) -> Option<ObjectId> {
        let mut i = 0;
        loop {
            let id = self.chain_at(i)?;
            if self.time(id).is_some_and(|t| local_seconds(t) <= limit) {
                return Some(id);
            }
            i += 1;
        }
    }

    /// The rename of `path` made by `commit` (compared with its first
    /// parent), if `commit` renamed it.
    pub fn renamed_by(&self, commit: ObjectId, path: &str) -> Option<String> {
        let c = ok("commit", self.repo.find_commit(commit))?;
        let parent = c.parent_ids().next()?.detach();
        let new_tree = ok("tree", c.tree())?;
        let old_tree = ok("tree", ok("commit", self.repo.find_commit(parent))?.tree())?;
        let opts = gix::diff::Options::default().with_rewrites(Some(gix::diff::Rewrites::default()));
        let changes = ok("tree diff", self.repo.diff_tree_to_tree(&old_tree, &new_tree, opts))?;
        changes.into_iter().find_map(|ch| match ch {
            gix::object::tree::diff::ChangeDetached::Rewrite { source_location, location, copy: false, .. }
                if source_location == path.as_bytes() =>
            {
                Some(String::from_utf8_lossy(&location).into_owned())
            }
            _ => None,
        })
    }

    /// Abbreviated id and `YYYY-MM-DD` of `commit`.
    pub fn describe(&mut self, commit: ObjectId) -> (String, String) {
        let short = commit.to_hex_with_len(7).to_string();
        let date = self.time(commit).map(|t| ymd(local_seconds(t))).unwrap_or_default();
        (short, date)
    }
}

/// Seconds since the epoch as the commit's own clock showed them.
pub fn local_seconds(t: gix::date::Time) -> i64 {
    t.seconds + i64::from(t.offset)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of seconds since the epoch.
pub fn ymd(seconds: i64) -> String {
    let (y, m, d) = crate::handoff::clock::civil_from_days(seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2025, 11, 13), (2024, 12, 31)] {
            let s = days_from_civil(y, m, d) * 86_400 + 3600;
            assert_eq!(ymd(s), format!("{y:04}-{m:02}-{d:02}"));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
