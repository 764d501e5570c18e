//! Which commit wrote each line of the log, and the anchor of a reference
//! (spec §4b): among the commits that wrote the entry's lines, the oldest
//! whose version of the log already holds the reference as written.
//!
//! The log is blamed once at HEAD (no rename tracking: it costs seconds on a
//! long history and logs are rarely renamed); the buffer, whatever its line
//! endings, is mapped onto HEAD's version with one diff of lines compared
//! without surrounding whitespace, so a CRLF buffer or an edited one needs
//! no new blame.

use std::sync::Arc;

use gix::ObjectId;

use super::git::{ok, Git};
use super::map::{line_map, lines};

/// Logs above this size are not blamed (memory: a blame keeps the versions
/// it compares; the prototype's 5,285-entry log took 561 MB); their
/// references fall back to the entry's date.
pub const MAX_BLAME_BYTES: usize = 1 << 20;

/// The blame of the log at HEAD: for each line of HEAD's version, the
/// commit that wrote it. Shared between computations (cached per HEAD and
/// the log's blob).
#[derive(Debug)]
pub struct LogBlame {
    pub head: ObjectId,
    pub blob: ObjectId,
    /// HEAD's version of the log, one entry per line, trimmed.
    pub text: Vec<u8>,
    pub commits: Vec<ObjectId>,
}

/// Why a log has no blame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBlame {
    /// Not in HEAD's tree (untracked, or new).
    Untracked,
    /// Over [`MAX_BLAME_BYTES`].
    TooLarge,
    /// gix failed (logged).
    Failed,
}

/// The id of the log's blob at HEAD.
pub fn log_blob(git: &Git, log_rel: &str) -> Option<ObjectId> {
    git.blob_id_at(git.head, log_rel)
}

/// Blames the log at HEAD.
pub fn blame_log(git: &Git, log_rel: &str) -> Result<LogBlame, NoBlame> {
    let blob = log_blob(git, log_rel).ok_or(NoBlame::Untracked)?;
    let header = ok("header", git.repo.find_header(blob)).ok_or(NoBlame::Failed)?;
    if header.size() as usize > MAX_BLAME_BYTES {
        tracing::info!("history: {log_rel} is {} bytes, over {MAX_BLAME_BYTES}: not blamed", header.size());
        return Err(NoBlame::TooLarge);
    }
    let options = gix::repository::blame_file::Options {
        diff_algorithm: Some(gix::diff::blob::Algorithm::Histogram),
        rewrites: None,
        ..Default::default()
    };
    let outcome = ok("blame", git.repo.blame_file(log_rel.into(), git.head, options)).ok_or(NoBlame::Failed)?;
    let n = lines(&outcome.blob).len();
    let mut commits = vec![git.head; n];
    for e in &outcome.entries {
        for i in e.range_in_blamed_file() {
            if let Some(c) = commits.get_mut(i) {
                *c = e.commit_id;
            }
        }
    }
    Ok(LogBlame { head: git.head, blob, text: outcome.blob, commits })
}

/// For each line of `buffer`, the commit that wrote it (`None`: not
/// committed, or changed since).
pub fn buffer_commits(blame: &LogBlame, buffer: &[u8]) -> Vec<Option<ObjectId>> {
    let head = lines(&blame.text);
    let buf = lines(buffer);
    line_map(&buf, &head).into_iter().map(|m| m.and_then(|j| blame.commits.get(j as usize).copied())).collect()
}

/// The region of entry `version` in a version of the log: from its heading
/// (`## vN …`) to the next entry heading; the whole text if not found.
pub fn entry_region(text: &[u8], version: Option<u32>) -> &[u8] {
    let Some(v) = version else { return text };
    let tag = format!("## v{v}");
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let t = line.trim_ascii_start();
        let is_entry = t.starts_with(b"## v") && t.get(4).is_some_and(u8::is_ascii_digit);
        if let Some(s) = start {
            if is_entry {
                return &text[s..offset];
            }
        } else if is_entry && t.starts_with(tag.as_bytes()) && !t.get(tag.len()).is_some_and(u8::is_ascii_digit) {
            start = Some(offset);
        }
        offset += line.len();
    }
    match start {
        Some(s) => &text[s..],
        None => text,
    }
}

/// What the anchor of one reference is looked for with.
pub struct AnchorQuery<'a> {
    /// The commits that wrote the entry's lines (uncommitted lines left out).
    pub candidates: &'a [ObjectId],
    pub version: Option<u32>,
    /// The reference as written, and for a nested range its bullet's path.
    pub token: &'a str,
    pub also: Option<&'a str>,
}

/// The oldest candidate whose version of the log (at `log_rel`) holds the
/// token in the entry; `None` when none does.
pub fn anchor(git: &mut Git, log_rel: &str, q: &AnchorQuery<'_>) -> Option<ObjectId> {
    let mut cands: Vec<(i64, ObjectId)> = q.candidates.iter().map(|c| (git.time(*c).map_or(i64::MAX, |t| t.seconds), *c)).collect();
    cands.sort();
    cands.dedup();
    for (_, c) in cands {
        if git.shallow.contains(&c) {
            continue; // a boundary commit did not necessarily write what blame gives it
        }
        let Some(text) = git.blob_at(c, log_rel) else { continue };
        if holds(&text, q) {
            return Some(c);
        }
    }
    None
}

fn holds(text: &Arc<Vec<u8>>, q: &AnchorQuery<'_>) -> bool {
    let region = entry_region(text, q.version);
    let has = |needle: &str| memchr::memmem::find(region, needle.as_bytes()).is_some();
    has(q.token) && q.also.is_none_or(has)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_regions() {
        let t = b"# T\n## v1 | 2025-01-01 | a\nx\n## v12 | 2025-01-02 | b\ny\n## v2 | 2025-01-03 | c\nz\n";
        assert_eq!(entry_region(t, Some(1)), b"## v1 | 2025-01-01 | a\nx\n");
        assert_eq!(entry_region(t, Some(2)), b"## v2 | 2025-01-03 | c\nz\n");
        assert_eq!(entry_region(t, Some(7)), &t[..]);
    }
}
