//! Following a referenced file from its anchor to HEAD, rename by rename:
//! when the path is gone at HEAD, the first-parent chain is binary-searched
//! for the commit where it disappears and rename detection runs on that one
//! commit; repeat; a disappearance without a rename is a deletion.

use gix::ObjectId;

use super::git::Git;
use super::map::{lines, map_range, Mapped};

/// At most this many renames are followed.
const MAX_RENAMES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// The file is at `path` at HEAD; `since` is the chain index of the
    /// commit from which it has had that path.
    At { path: String, since: usize },
    /// Deleted by this commit.
    Deleted(ObjectId),
}

/// Follows `path` (present in `anchor`) to HEAD.
pub fn follow(git: &mut Git, anchor: ObjectId, path: &str) -> Option<Followed> {
    let mut path = path.to_string();
    let mut lo = git.chain_index(anchor)?;
    let start = git.chain_at(lo)?;
    if !git.has_path(start, &path) {
        return None;
    }
    for _ in 0..MAX_RENAMES {
        if git.has_path(git.head, &path) {
            return Some(Followed::At { path, since: lo });
        }
        // present at chain[lo], absent at chain[0]: find the oldest absent.
        let mut hi = 0;
        while lo - hi > 1 {
            let mid = (lo + hi) / 2;
            let at = git.chain_at(mid)?;
            if git.has_path(at, &path) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let gone = git.chain_at(hi)?;
        match git.renamed_by(gone, &path) {
            Some(new) => {
                path = new;
                lo = hi;
            }
            None => return Some(Followed::Deleted(gone)),
        }
    }
    None
}

/// The commit of the chain, from index `since` (where the file already had
/// `path`) to HEAD, after which none of the anchor's lines are left: binary
/// search on [`map_range`] saying `Removed`. `None` when HEAD still has some.
pub fn removed_by(git: &mut Git, old: &[u8], path: &str, since: usize, start: u32, end: u32) -> Option<ObjectId> {
    let old = lines(old);
    let gone_at = |git: &mut Git, i: usize| -> Option<bool> {
        let c = git.chain_at(i)?;
        let blob = git.blob_at(c, path)?;
        Some(map_range(&old, &lines(&blob), start, end) == Some(Mapped::Removed))
    };
    if !gone_at(git, 0)? {
        return None;
    }
    if gone_at(git, since)? {
        return git.chain_at(since);
    }
    // kept at `lo`, gone at `hi`.
    let (mut lo, mut hi) = (since, 0);
    while lo - hi > 1 {
        let mid = (lo + hi) / 2;
        if gone_at(git, mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    git.chain_at(hi)
}
