//! Fuzzy, path-aware matching of the index for completion ([`PathMatcher`]).
//!
//! Scores come from `nucleo-matcher` (helix's matcher) configured for paths,
//! so segment starts after `/` score well: `rout` puts `src/routes/auth.ts`
//! first, `src/au` finds `src/auth/…`. Matching is smart-case: a query with
//! an upper-case letter matches case-sensitively.
//!
//! Speed: haystacks are pre-converted in the index (ASCII paths are matched
//! in place), and the matcher remembers the full match set of the previous
//! query: when the new query extends it (the user typed one more character),
//! only that subset is scored again — a fuzzy match of `abc` is always a
//! match of `ab`. Only the `limit` best results are sorted.

use std::sync::Mutex;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher};

use super::index::FileIndex;

/// One completion candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMatch {
    /// Relative, `/`-separated path of the file.
    pub path: String,
    /// Matcher score, higher is better (0 for the empty query).
    pub score: u32,
}

/// The result of [`PathMatcher::query`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matches {
    /// At most `limit` matches, best first; ties go to the shorter path,
    /// then to the alphabetically first.
    pub items: Vec<PathMatch>,
    /// How many files matched in all (before the cap).
    pub total: usize,
    /// `total > limit`: the client should ask again as the user types.
    pub incomplete: bool,
}

/// Fuzzy matcher over a [`FileIndex`], with a one-query memory to narrow the
/// previous result set as a prefix grows. Thread-safe (queries serialise on an
/// internal lock; each takes a few milliseconds at most).
pub struct PathMatcher {
    state: Mutex<State>,
}

struct State {
    matcher: Matcher,
    previous: Option<Previous>,
}

/// The full match set of the last query.
struct Previous {
    generation: u64,
    query: String,
    /// (position in the index, score) of every match.
    matches: Vec<(u32, u16)>,
}

impl Default for PathMatcher {
    fn default() -> Self {
        PathMatcher::new()
    }
}

impl std::fmt::Debug for PathMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathMatcher").finish_non_exhaustive()
    }
}

impl PathMatcher {
    /// A matcher with the path configuration and an empty memory.
    pub fn new() -> PathMatcher {
        let mut config = Config::DEFAULT.match_paths();
        // Completion: the user types the path from its start more often than not.
        config.prefer_prefix = true;
        PathMatcher {
            state: Mutex::new(State {
                matcher: Matcher::new(config),
                previous: None,
            }),
        }
    }

    /// The files of `index` matching `query`, best first, at most `limit`.
    ///
    /// All files are filtered first, then the list is capped:
    /// [`Matches::total`] counts every match. The empty query lists the
    /// shortest paths first (alphabetically among equals).
    pub fn query(&self, index: &FileIndex, query: &str, limit: usize) -> Matches {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if query.is_empty() {
            state.previous = None;
            return empty_query(index, limit);
        }
        let atom = Atom::new(
            query,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
            false,
        );
        let State { matcher, previous } = &mut *state;
        let narrowed = previous
            .take()
            .filter(|p| p.generation == index.generation() && query.starts_with(&p.query));
        let matches: Vec<(u32, u16)> = match narrowed {
            Some(p) if p.query == query => p.matches,
            Some(p) => p
                .matches
                .into_iter()
                .filter_map(|(i, _)| atom.score(index.haystack_at(i), matcher).map(|s| (i, s)))
                .collect(),
            None => (0..index.len() as u32)
                .filter_map(|i| atom.score(index.haystack_at(i), matcher).map(|s| (i, s)))
                .collect(),
        };
        let result = top(index, &matches, limit, |&(i, score)| {
            rank_key(score, index.path_at(i).len(), i)
        });
        *previous = Some(Previous {
            generation: index.generation(),
            query: query.to_owned(),
            matches,
        });
        result
    }

    /// Forgets the remembered match set (the next query scores every file).
    pub fn reset(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.previous = None;
    }
}

/// Sort key: best score, then shortest path, then path order (the index is
/// sorted, so its position is the alphabetical order). Smaller is better.
fn rank_key(score: u16, len: usize, position: u32) -> u64 {
    let len = len.min(u16::MAX as usize) as u64;
    (u64::from(u16::MAX - score) << 48) | (len << 32) | u64::from(position)
}

fn empty_query(index: &FileIndex, limit: usize) -> Matches {
    let all: Vec<(u32, u16)> = (0..index.len() as u32).map(|i| (i, 0)).collect();
    top(index, &all, limit, |&(i, _)| {
        rank_key(0, index.path_at(i).len(), i)
    })
}

/// The `limit` best of `matches` by `key`, sorted.
fn top(
    index: &FileIndex,
    matches: &[(u32, u16)],
    limit: usize,
    key: impl Fn(&(u32, u16)) -> u64,
) -> Matches {
    let total = matches.len();
    let mut keyed: Vec<(u64, u32, u16)> = matches
        .iter()
        .map(|m| (key(m), m.0, m.1))
        .collect();
    if limit < keyed.len() {
        if limit == 0 {
            keyed.clear();
        } else {
            keyed.select_nth_unstable(limit - 1);
            keyed.truncate(limit);
        }
    }
    keyed.sort_unstable();
    Matches {
        items: keyed
            .into_iter()
            .map(|(_, i, score)| PathMatch {
                path: index.path_at(i).to_owned(),
                score: u32::from(score),
            })
            .collect(),
        total,
        incomplete: total > limit,
    }
}
