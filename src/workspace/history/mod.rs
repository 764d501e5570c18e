//! History checks (spec §4b): where the lines a log's references name are
//! now. Each reference is anchored at the commit that wrote it (`blame`),
//! its file followed to HEAD through renames (`follow`), and its range
//! mapped from the anchor's version onto the file as it is in the work tree
//! (`map`, pure). The result is a [`HistoryReport`] that the analysis reads
//! through [`FileFacts::history`] ([`WithHistory`]); computing it reads git
//! and is slow (tens of milliseconds), so servers compute it off the request
//! path and republish.

mod blame;
mod follow;
mod git;
pub mod map;

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use gix::ObjectId;

use crate::analysis::facts::{Anchor, FileFacts, HistoryFact, HistoryOutcome, HistoryQuery, Resolution};
use crate::document::Document;
use crate::model::{DateTime, RefForm};

use blame::{AnchorQuery, NoBlame};
pub use blame::{LogBlame, MAX_BLAME_BYTES};
use follow::Followed;
use git::Git;
use map::{lines, Mapped};

/// At most this many lines of the anchor's version are kept for hover.
const THEN_LINES: usize = 40;

/// History facts of one log, for one text of it.
#[derive(Debug, Default, Clone)]
pub struct HistoryReport {
    /// By the offset of the reference, with its text.
    facts: HashMap<usize, (String, Arc<HistoryFact>)>,
    /// The keys of `facts`, ascending.
    offsets: Vec<usize>,
    /// Why history was not (fully) read, for people: no repository, the log
    /// too large to blame, …
    pub note: Option<String>,
}

impl HistoryReport {
    pub fn get(&self, q: &HistoryQuery<'_>) -> Option<&Arc<HistoryFact>> {
        self.facts.get(&q.at).filter(|(t, _)| t == q.token).map(|(_, f)| f)
    }
    /// The offsets of the references with a fact, ascending.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }
    pub fn len(&self) -> usize {
        self.facts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }
    /// Every fact with the offset and text of its reference, in text order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &str, &Arc<HistoryFact>)> {
        let mut v: Vec<_> = self.facts.iter().map(|(at, (t, f))| (*at, t.as_str(), f)).collect();
        v.sort_by_key(|(at, _, _)| *at);
        v.into_iter()
    }
}

/// [`FileFacts`] with a history report: everything else is asked of `inner`.
pub struct WithHistory<'a> {
    pub inner: &'a dyn FileFacts,
    pub report: &'a HistoryReport,
}

impl FileFacts for WithHistory<'_> {
    fn resolve(&self, log_path: &Path, written: &str) -> Resolution {
        self.inner.resolve(log_path, written)
    }
    fn line_count(&self, file: &Path) -> Option<usize> {
        self.inner.line_count(file)
    }
    fn older_file(&self, log_path: &Path) -> Option<crate::analysis::facts::OlderFile> {
        self.inner.older_file(log_path)
    }
    fn similar_paths(&self, log_path: &Path, written: &str, limit: usize) -> Vec<String> {
        self.inner.similar_paths(log_path, written, limit)
    }
    fn history(&self, _log_path: &Path, reference: &HistoryQuery<'_>) -> Option<Arc<HistoryFact>> {
        self.report.get(reference).cloned()
    }
    fn history_offsets(&self, _log_path: &Path) -> Vec<usize> {
        self.report.offsets.clone()
    }
}

/// Blames kept between computations, per HEAD and the log's committed blob
/// (an edit of the buffer needs no new blame). Cleared when HEAD or refs
/// move, by whoever watches them; a stale entry is never used anyway, as
/// the key holds HEAD.
#[derive(Debug, Default)]
pub struct BlameCache {
    map: Mutex<HashMap<(PathBuf, ObjectId, ObjectId), Arc<LogBlame>>>,
}

impl BlameCache {
    pub fn clear(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.clear();
        }
    }
    /// Drops the blame of the log at `log` (closed).
    pub fn forget(&self, log: &Path) {
        if let Ok(mut m) = self.map.lock() {
            m.retain(|(p, _, _), _| p != log);
        }
    }
}

/// What a computation needs.
pub struct Request<'a> {
    /// The canonical project root of the log.
    pub root: &'a Path,
    /// The log's absolute path.
    pub log: &'a Path,
    pub doc: &'a Document,
    /// Resolution of written paths (the same facts the analysis uses).
    pub facts: &'a dyn FileFacts,
    /// Files above this size are not read.
    pub max_bytes: u64,
}

/// Computes the history facts of every reference with a line range of every
/// entry (planned and removed ones excepted). Reads git and the work tree;
/// never fails (no repository → an empty report with a note).
pub fn compute(req: &Request<'_>, cache: Option<&BlameCache>) -> HistoryReport {
    let mut report = HistoryReport::default();
    let Some(mut git) = Git::open(req.root) else {
        report.note = Some("no git repository with commits holds the project root".into());
        return report;
    };
    let log_abs = std::fs::canonicalize(req.log).unwrap_or_else(|_| req.log.to_path_buf());
    let log_rel = git.rel(&log_abs);
    let blame = match &log_rel {
        Some(rel) => cached_blame(&git, rel, &log_abs, cache),
        None => Err(NoBlame::Untracked),
    };
    if matches!(blame, Err(NoBlame::TooLarge)) {
        report.note = Some(format!("the log is over {MAX_BLAME_BYTES} bytes: not blamed, references anchored by their entry's date"));
    }
    let text = req.doc.text();
    let commits = blame.as_ref().ok().map(|b| blame::buffer_commits(b, text.as_bytes()));
    let line_starts: Vec<usize> = std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect();
    let line_of = |off: usize| line_starts.partition_point(|&s| s <= off).saturating_sub(1);
    let mut memo = Memo::default();

    for c in req.doc.chunks().iter().filter(|c| c.model.heading.is_some()) {
        let version = c.summary.version;
        let candidates: Vec<ObjectId> = match &commits {
            Some(cs) => {
                let (a, b) = (line_of(c.start), line_of(c.end().saturating_sub(1)));
                let set: HashSet<ObjectId> = cs.iter().skip(a).take((b + 1).saturating_sub(a)).flatten().copied().collect();
                set.into_iter().collect()
            }
            None => Vec::new(),
        };
        for r in &c.model.refs {
            if r.exempt || matches!(r.form, RefForm::Work(crate::model::WorkOp::Removed)) {
                continue;
            }
            // A whole file (no lines): followed only when it is gone today.
            let span = match &r.lines {
                Some((span, _)) if span.is_valid() => Some(*span),
                Some(_) => continue,
                None => {
                    let path = req.doc.slice(c.abs(&r.path_range));
                    if r.needs_folder || !matches!(req.facts.resolve(req.log, &path), Resolution::NotFound) {
                        continue;
                    }
                    None
                }
            };
            let at = c.abs(&r.range);
            let token = req.doc.slice(at.clone());
            let path = req.doc.slice(c.abs(&r.path_range));
            let also = (r.form == RefForm::Nested).then_some(path.as_ref());
            // The anchor.
            let (anchor, by_blame) = match (&commits, &log_rel) {
                (Some(cs), Some(rel)) => match cs.get(line_of(at.start)).copied().flatten() {
                    None => continue, // not committed: describes the code as it is now
                    Some(own) if git.shallow.contains(&own) => (date_anchor(&mut git, c.summary.date), false),
                    Some(own) => {
                        let q = AnchorQuery { candidates: &candidates, version, token: &token, also };
                        (Some(blame::anchor(&mut git, rel, &q).unwrap_or(own)), true)
                    }
                },
                _ => (date_anchor(&mut git, c.summary.date), false),
            };
            let Some(anchor) = anchor else { continue };
            let Some(rel) = repo_path(&git, req, &path) else { continue };
            let (outcome, then) = match span {
                Some(span) => {
                    let Some(o) = outcome(&mut git, req, anchor, &rel, span.start, span.end, &mut memo) else { continue };
                    (o, git.blob_at(anchor, &rel).map(|b| then_lines(&b, span.start, span.end)).unwrap_or_default())
                }
                None => {
                    let Some(o) = file_outcome(&mut git, req, anchor, &rel) else { continue };
                    (o, Vec::new())
                }
            };
            let (commit, date) = git.describe(anchor);
            let fact = HistoryFact { anchor: Anchor { commit, date, by_blame }, outcome, then };
            report.facts.insert(at.start, (token.into_owned(), Arc::new(fact)));
        }
    }
    report.offsets = report.facts.keys().copied().collect();
    report.offsets.sort_unstable();
    report
}

fn cached_blame(git: &Git, rel: &str, log_abs: &Path, cache: Option<&BlameCache>) -> Result<Arc<LogBlame>, NoBlame> {
    let blob = blame::log_blob(git, rel).ok_or(NoBlame::Untracked)?;
    let key = (log_abs.to_path_buf(), git.head, blob);
    if let Some(b) = cache.and_then(|c| c.map.lock().ok()?.get(&key).cloned()) {
        return Ok(b);
    }
    let b = Arc::new(blame::blame_log(git, rel)?);
    if let Some(Ok(mut m)) = cache.map(|c| c.map.lock()) {
        m.retain(|(p, _, _), _| p != log_abs);
        m.insert(key, b.clone());
    }
    Ok(b)
}

/// The newest first-parent commit at or before the entry's date (the end of
/// that day when no time is written).
fn date_anchor(git: &mut Git, date: Option<DateTime>) -> Option<ObjectId> {
    let d = date?;
    let day = git::days_from_civil(i64::from(d.year), u32::from(d.month), u32::from(d.day)) * 86_400;
    let limit = if d.has_time { day + i64::from(d.hour) * 3600 + i64::from(d.minute) * 60 + 59 } else { day + 86_399 };
    git.newest_at_or_before(limit)
}

/// The path of a written reference relative to the work tree: the file it
/// resolves to, or (not found) the path relative to the project root.
fn repo_path(git: &Git, req: &Request<'_>, written: &str) -> Option<String> {
    match req.facts.resolve(req.log, written) {
        Resolution::Found(files) if files.len() == 1 => git.rel(&files[0]),
        Resolution::NotFound => {
            let p = Path::new(written);
            if !p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
                return None;
            }
            git.rel(&req.root.join(p))
        }
        _ => None,
    }
}

/// What one computation keeps between the references of a log (several
/// ranges of one file, written in one commit, share all of it).
#[derive(Default)]
struct Memo {
    /// Work-tree files by path relative to the work tree.
    now: HashMap<String, Option<Arc<Vec<u8>>>>,
    /// Where the file at (anchor, path) is at HEAD.
    follow: HashMap<(ObjectId, String), Option<Followed>>,
    /// The line map from (anchor, path) onto the work-tree file.
    maps: HashMap<(ObjectId, String), Arc<Vec<Option<u32>>>>,
}

/// Where `start..=end` of `rel` at `anchor` is now.
fn outcome(git: &mut Git, req: &Request<'_>, anchor: ObjectId, rel: &str, start: u32, end: u32, memo: &mut Memo) -> Option<HistoryOutcome> {
    let old = git.blob_at(anchor, rel)?;
    let old_lines = lines(&old);
    if end as usize > old_lines.len() {
        return None; // already out of bounds when written
    }
    let key = (anchor, rel.to_string());
    let followed = match memo.follow.get(&key) {
        Some(f) => f.clone(),
        None => {
            let f = follow::follow(git, anchor, rel);
            memo.follow.insert(key.clone(), f.clone());
            f
        }
    };
    match followed? {
        Followed::Deleted(c) => {
            let (commit, date) = git.describe(c);
            Some(HistoryOutcome::Removed { commit: Some(commit), date: Some(date), file: true })
        }
        Followed::At { path, since } => {
            let abs = git.workdir.join(&path);
            let now = memo.now.entry(path.clone()).or_insert_with(|| read_in_root(req.root, &abs, req.max_bytes).map(Arc::new)).clone()?;
            let renamed = path != rel;
            let new_path = if renamed { Some(root_relative(req.root, &abs)?) } else { None };
            let now_lines = lines(&now);
            let map = memo.maps.entry(key).or_insert_with(|| Arc::new(map::line_map(&old_lines, &now_lines))).clone();
            Some(match map::map_with(&old_lines, &now_lines, &map, start, end) {
                Mapped::Same if !renamed => HistoryOutcome::Unchanged,
                Mapped::Same => HistoryOutcome::Moved { path: new_path, start, end },
                Mapped::Moved { start, end } => HistoryOutcome::Moved { path: new_path, start, end },
                Mapped::Changed { remain, of, start, end } => HistoryOutcome::Changed { path: new_path, remain, of, start, end },
                Mapped::Removed => {
                    let by = follow::removed_by(git, &old, &path, since, start, end);
                    let (commit, date) = match by {
                        Some(c) => {
                            let (c, d) = git.describe(c);
                            (Some(c), Some(d))
                        }
                        None => (None, None),
                    };
                    HistoryOutcome::Removed { commit, date, file: false }
                }
            })
        }
    }
}

/// Where a whole file that is gone today went since `anchor`: renamed (its
/// new path, if that is inside the root and there now) or deleted (by which
/// commit; `None` when the deletion is not committed). Nothing when the file
/// did not exist at the anchor either (a typo: `file-not-found` says so).
fn file_outcome(git: &mut Git, req: &Request<'_>, anchor: ObjectId, rel: &str) -> Option<HistoryOutcome> {
    git.blob_at(anchor, rel)?;
    match follow::follow(git, anchor, rel)? {
        Followed::Deleted(c) => {
            let (commit, date) = git.describe(c);
            Some(HistoryOutcome::Removed { commit: Some(commit), date: Some(date), file: true })
        }
        Followed::At { path, .. } if path != rel => {
            let abs = git.workdir.join(&path);
            read_in_root(req.root, &abs, req.max_bytes)?;
            Some(HistoryOutcome::Renamed { path: root_relative(req.root, &abs)? })
        }
        // At HEAD under the same path, gone from the work tree.
        Followed::At { .. } => Some(HistoryOutcome::Removed { commit: None, date: None, file: true }),
    }
}

/// The bytes of a work-tree file, if it lies inside the root (checked on its
/// canonical path) and is a regular file of at most `max` bytes.
fn read_in_root(root: &Path, abs: &Path, max: u64) -> Option<Vec<u8>> {
    let canonical = std::fs::canonicalize(abs).ok()?;
    if !canonical.starts_with(root) {
        return None;
    }
    super::read_regular(&canonical, max, super::Links::Follow)
}

fn root_relative(root: &Path, abs: &Path) -> Option<String> {
    let rel = abs.strip_prefix(root).ok()?.to_str()?.replace('\\', "/");
    (!rel.is_empty()).then_some(rel)
}

/// Lines `start..=end` of `text` as they were (without line endings).
fn then_lines(text: &[u8], start: u32, end: u32) -> Vec<String> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    body.split(|&b| b == b'\n')
        .skip(start as usize - 1)
        .take((end - start + 1) as usize)
        .take(THEN_LINES)
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .collect()
}
