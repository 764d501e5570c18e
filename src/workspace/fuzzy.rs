//! Fuzzy, path-aware matching of the index for completion ([`PathMatcher`]).
//!
//! Scores come from `nucleo-matcher` (helix's matcher) configured for paths,
//! so segment starts after `/` score well: `rout` puts `src/routes/auth.ts`
//! first, `src/au` finds `src/auth/…`. Matching is smart-case: a query with
//! an upper-case letter matches case-sensitively.
//!
//! Speed: the index keeps every path in one buffer, so scoring streams
//! through memory (ASCII paths are matched in place, the rare others are
//! converted to UTF-32 as they are met), and the matcher remembers the full match set of the previous
//! query: when the new query extends it (the user typed one more character),
//! only that subset is scored again — a fuzzy match of `abc` is always a
//! match of `ab`. Only the `limit` best results are sorted.

use std::sync::Mutex;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher};

use super::index::{char_mask, FileIndex, NON_ASCII};

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
    /// One matcher per scoring thread (a matcher holds scratch memory).
    matchers: Vec<Matcher>,
    previous: Option<Previous>,
}

/// The full match set of the last query.
struct Previous {
    generation: u64,
    query: String,
    /// (position in the index, score) of every match, in index order.
    matches: Vec<(u32, u16)>,
    /// The scores are greedy ones (see [`GREEDY_ABOVE`]).
    greedy: bool,
}

/// Above this many candidates, a query is scored with nucleo's greedy
/// matcher (the same matches, an approximate score, several times cheaper),
/// and only the best `RESCORE_FACTOR × limit` are then ranked with the
/// optimal score: short prefixes over 100,000 paths match nearly all of
/// them, and exact scoring of every one costs 30–45 ms here.
const GREEDY_ABOVE: usize = 2_048;
const RESCORE_FACTOR: usize = 8;

/// Case and normalisation for the greedy matcher, as `Atom` decides them
/// for `CaseMatching::Smart` and `Normalization::Smart`.
struct Scoring {
    ignore_case: bool,
    normalize: bool,
    /// The query as bytes (lower-cased when case is ignored), if ASCII.
    ascii_needle: Option<Vec<u8>>,
    /// [`char_mask`] of the query: paths without all of it cannot match.
    mask: u64,
}

impl Scoring {
    fn for_query(q: &str) -> Scoring {
        let ignore_case = !q.chars().any(char::is_uppercase);
        let ascii_needle =
            q.is_ascii().then(|| q.bytes().filter(|c| *c != b' ').map(|c| if ignore_case { c.to_ascii_lowercase() } else { c }).collect());
        let mask = ascii_needle.as_deref().map_or(0, char_mask);
        Scoring { ignore_case, normalize: q.is_ascii(), ascii_needle, mask }
    }
}

/// A cheap greedy match of an ASCII needle in an ASCII path, on bytes: the
/// same match/no-match decision as nucleo (a subsequence), and a score that
/// rewards what nucleo rewards most — matches at segment starts, runs of
/// consecutive matches, matches in the file name (which starts at
/// `name_start`) — to pick the shortlist that [`Atom::score`] then ranks
/// exactly. One pass over the path's bytes, which the index keeps
/// contiguous.
fn quick_score(hay: &[u8], name_start: usize, needle: &[u8], ignore_case: bool) -> Option<u16> {
    let mut score: u32 = 0;
    let mut pos = 0;
    let mut prev: Option<usize> = None;
    for &want in needle {
        // OR-ing 0x20 folds an ASCII capital onto its small letter; used
        // only when the wanted byte is a small letter and case is ignored.
        let fold = if ignore_case && want.is_ascii_lowercase() { 0x20 } else { 0 };
        let at = find_byte(hay, pos, want, fold)?;
        score += 16;
        let b = hay[at];
        let boundary = at == 0
            || matches!(hay[at - 1], b'/' | b'_' | b'-' | b'.' | b' ')
            || b.is_ascii_uppercase() && hay[at - 1].is_ascii_lowercase();
        if boundary {
            score += 10;
        }
        if prev.is_some_and(|p| p + 1 == at) {
            score += 8;
        }
        if at >= name_start {
            score += 2;
        }
        prev = Some(at);
        pos = at + 1;
    }
    Some(score.min(u16::MAX as u32) as u16)
}

/// The first position `at >= from` with `hay[at] | fold == want` (`fold` is
/// 0 or one bit, 0x20 to fold ASCII case): `memchr`/`memchr2`, which do this
/// with vector instructions (it replaced a hand-written eight-bytes-at-a-time
/// search; the property test below holds it to the plain definition).
#[inline]
fn find_byte(hay: &[u8], from: usize, want: u8, fold: u8) -> Option<usize> {
    let rest = hay.get(from..)?;
    let at = if fold == 0 {
        memchr::memchr(want, rest)
    } else if want & fold == 0 {
        None // `b | fold` always has the bit that `want` lacks
    } else {
        memchr::memchr2(want, want & !fold, rest)
    };
    at.map(|p| p + from)
}

/// Below this many candidates a query is scored on the calling thread only.
const PARALLEL_THRESHOLD: usize = 8_192;

/// At most this many threads score one query.
const MAX_THREADS: usize = 4;

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
    /// A matcher with the path configuration and an empty memory, scoring
    /// large candidate sets on up to as many threads as there are cores
    /// (at most four).
    pub fn new() -> PathMatcher {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_THREADS);
        PathMatcher::with_threads(threads)
    }

    /// A matcher that scores on at most `threads` threads (1 = only the
    /// calling thread).
    pub fn with_threads(threads: usize) -> PathMatcher {
        let matchers = (0..threads.max(1)).map(|_| Matcher::new(config())).collect();
        PathMatcher { state: Mutex::new(State { matchers, previous: None }) }
    }

    /// The files of `index` matching `query`, best first, at most `limit`.
    ///
    /// All files are filtered first, then the list is capped:
    /// [`Matches::total`] counts every match. The empty query lists the
    /// shortest paths first (alphabetically among equals). Large indexes are
    /// scored on several threads: call it off the async executor
    /// (`spawn_blocking`).
    pub fn query(&self, index: &FileIndex, query: &str, limit: usize) -> Matches {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if query.is_empty() {
            state.previous = None;
            return empty_query(index, limit);
        }
        let atom = Atom::new(query, CaseMatching::Smart, Normalization::Smart, AtomKind::Fuzzy, false);
        let State { matchers, previous } = &mut *state;
        let narrowed = previous.take().filter(|p| p.generation == index.generation() && query.starts_with(&p.query));
        let how = Scoring::for_query(query);
        let (matches, greedy): (Vec<(u32, u16)>, bool) = match narrowed {
            Some(p) if p.query == query => (p.matches, p.greedy),
            Some(p) => {
                let candidates: Vec<u32> = p.matches.iter().map(|&(i, _)| i).collect();
                let greedy = candidates.len() > GREEDY_ABOVE;
                (score(index, &atom, &how, greedy, matchers, Candidates::Listed(&candidates)), greedy)
            }
            None => {
                let greedy = index.len() > GREEDY_ABOVE;
                (score(index, &atom, &how, greedy, matchers, Candidates::All(index.len() as u32)), greedy)
            }
        };
        let key = |&(i, score): &(u32, u16)| rank_key(score, index.path_len_at(i), i);
        let result = if greedy {
            // The greedy scores chose the best few; rank those exactly.
            let shortlist = top_pairs(&matches, limit.saturating_mul(RESCORE_FACTOR), key);
            let mut buf = Vec::new();
            let exact: Vec<(u32, u16)> = match matchers.first_mut() {
                Some(m) => shortlist.iter().filter_map(|&(i, _)| Some((i, atom.score(index.haystack_at(i, &mut buf), m)?))).collect(),
                None => shortlist,
            };
            let mut r = top(index, &exact, limit, key);
            r.total = matches.len();
            r.incomplete = r.total > limit;
            r
        } else {
            top(index, &matches, limit, key)
        };
        *previous = Some(Previous { generation: index.generation(), query: query.to_owned(), matches, greedy });
        result
    }

    /// Forgets the remembered match set (the next query scores every file).
    pub fn reset(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.previous = None;
    }
}

/// The files to score.
#[derive(Clone, Copy)]
enum Candidates<'a> {
    /// Every position below this one.
    All(u32),
    /// These positions (ascending).
    Listed(&'a [u32]),
}

impl Candidates<'_> {
    fn len(self) -> usize {
        match self {
            Candidates::All(n) => n as usize,
            Candidates::Listed(list) => list.len(),
        }
    }
}

/// The matcher configuration: nucleo's path settings, preferring matches
/// near the start (in completion the user mostly types a path from its start).
fn config() -> Config {
    let mut config = Config::DEFAULT.match_paths();
    config.prefer_prefix = true;
    config
}

/// Scores `candidates` with `atom`, on as many threads as there are
/// matchers when there are enough candidates; results stay in index order.
fn score(
    index: &FileIndex,
    atom: &Atom,
    how: &Scoring,
    greedy: bool,
    matchers: &mut [Matcher],
    candidates: Candidates<'_>,
) -> Vec<(u32, u16)> {
    let total = candidates.len();
    let threads = matchers.len().min(total / (PARALLEL_THRESHOLD / 2)).max(1);
    let chunk = total.div_ceil(threads);
    let score_range = |matcher: &mut Matcher, from: usize, to: usize| -> Vec<(u32, u16)> {
        let mut out = Vec::new();
        if greedy {
            matcher.config.ignore_case = how.ignore_case;
            matcher.config.normalize = how.normalize;
        }
        let needle = atom.needle_text();
        let mut buf = Vec::new();
        let mut keep = |i: u32| {
            let (mask, name_start) = index.mask_and_name_at(i);
            // Only ASCII paths: nucleo may match a query's `e` to a path's `é`.
            if mask & NON_ASCII == 0 && mask & how.mask != how.mask {
                return;
            }
            let s = if greedy {
                match &how.ascii_needle {
                    Some(n) if mask & NON_ASCII == 0 => quick_score(index.path_at(i).as_bytes(), name_start, n, how.ignore_case),
                    _ => matcher.fuzzy_match_greedy(index.haystack_at(i, &mut buf), needle),
                }
            } else {
                atom.score(index.haystack_at(i, &mut buf), matcher)
            };
            if let Some(s) = s {
                out.push((i, s));
            }
        };
        match candidates {
            Candidates::All(_) => (from as u32..to as u32).for_each(&mut keep),
            Candidates::Listed(list) => list[from..to].iter().copied().for_each(&mut keep),
        }
        out
    };
    if threads == 1 {
        return match matchers.first_mut() {
            Some(matcher) => score_range(matcher, 0, total),
            None => Vec::new(),
        };
    }
    use rayon::prelude::*;
    // One part per matcher on rayon's pool (no thread spawned per query);
    // the parts come back in order.
    let parts: Vec<Vec<(u32, u16)>> = matchers
        .par_iter_mut()
        .take(threads)
        .enumerate()
        .map(|(t, matcher)| score_range(matcher, (t * chunk).min(total), ((t + 1) * chunk).min(total)))
        .collect();
    parts.concat()
}

/// Sort key: best score, then shortest path, then path order (the index is
/// sorted, so its position is the alphabetical order). Smaller is better.
fn rank_key(score: u16, len: usize, position: u32) -> u64 {
    let len = len.min(u16::MAX as usize) as u64;
    (u64::from(u16::MAX - score) << 48) | (len << 32) | u64::from(position)
}

fn empty_query(index: &FileIndex, limit: usize) -> Matches {
    let all: Vec<(u32, u16)> = (0..index.len() as u32).map(|i| (i, 0)).collect();
    top(index, &all, limit, |&(i, _)| rank_key(0, index.path_len_at(i), i))
}

/// The `limit` best of `matches` by `key`, sorted.
/// The `n` best pairs by `key`, unsorted, with their keys.
fn best_keyed(matches: &[(u32, u16)], n: usize, key: impl Fn(&(u32, u16)) -> u64) -> Vec<(u64, u32, u16)> {
    let mut keyed: Vec<(u64, u32, u16)> = matches.iter().map(|m| (key(m), m.0, m.1)).collect();
    if n < keyed.len() {
        if n == 0 {
            keyed.clear();
        } else {
            keyed.select_nth_unstable(n - 1);
            keyed.truncate(n);
        }
    }
    keyed
}

/// The `n` best pairs by `key`, unsorted.
fn top_pairs(matches: &[(u32, u16)], n: usize, key: impl Fn(&(u32, u16)) -> u64) -> Vec<(u32, u16)> {
    best_keyed(matches, n, key).into_iter().map(|(_, i, s)| (i, s)).collect()
}

fn top(index: &FileIndex, matches: &[(u32, u16)], limit: usize, key: impl Fn(&(u32, u16)) -> u64) -> Matches {
    let total = matches.len();
    let mut keyed = best_keyed(matches, limit, key);
    keyed.sort_unstable();
    Matches {
        items: keyed.into_iter().map(|(_, i, score)| PathMatch { path: index.path_at(i).to_owned(), score: u32::from(score) }).collect(),
        total,
        incomplete: total > limit,
    }
}

#[cfg(test)]
mod quick_tests {
    use super::*;
    use nucleo_matcher::Utf32String;

    /// `quick_score` decides matches exactly as nucleo does (the remembered
    /// match set narrows the next query, so it must not lose any).
    #[test]
    fn quick_score_matches_what_nucleo_matches() {
        let paths = ["src/routes/auth.ts", "src/Auth/Service.ts", "docs/README.md", "lib/a-b_c.d/x.rs", "a", ""];
        let queries = ["rout", "sa", "SA", "readme", "abcdx", "zz", "s", "ts", "a/s", "AuthS"];
        let mut matcher = Matcher::new(config());
        for q in queries {
            let how = Scoring::for_query(q);
            let atom = Atom::new(q, CaseMatching::Smart, Normalization::Smart, AtomKind::Fuzzy, false);
            for p in paths {
                let hay = Utf32String::from(p);
                let exact = atom.score(hay.slice(..), &mut matcher).is_some();
                let name_start = p.rfind('/').map_or(0, |i| i + 1);
                let quick = quick_score(p.as_bytes(), name_start, how.ascii_needle.as_deref().unwrap(), how.ignore_case).is_some();
                assert_eq!(quick, exact, "query {q:?} on {p:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn find_byte_is_a_plain_search(hay in proptest::collection::vec(proptest::num::u8::ANY, 0..40), from in 0usize..45, want in proptest::num::u8::ANY, fold in proptest::bool::ANY) {
            let fold = if fold { 0x20 } else { 0 };
            let naive = hay.get(from..).and_then(|rest| rest.iter().position(|&b| b | fold == want)).map(|p| p + from);
            proptest::prop_assert_eq!(find_byte(&hay, from, want, fold), naive);
        }

        /// On ASCII, the mask prefilter never rejects what nucleo matches,
        /// and `quick_score` decides as nucleo.
        #[test]
        fn prefilter_and_quick_score_agree_with_nucleo(
            p in "[a-cA-C/._ \\\\-]{1,40}",
            q in "[a-cA-C/._ \\\\-]{1,4}",
        ) {
            let mut matcher = Matcher::new(config());
            let how = Scoring::for_query(&q);
            let atom = Atom::new(&q, CaseMatching::Smart, Normalization::Smart, AtomKind::Fuzzy, false);
            let hay = Utf32String::from(p.as_str());
            let exact = atom.score(hay.slice(..), &mut matcher).is_some();
            let mask = char_mask(p.as_bytes());
            if exact {
                proptest::prop_assert_eq!(mask & how.mask, how.mask, "mask rejects {:?} for {:?}", p, q);
            }
            let name_start = p.rfind('/').map_or(0, |i| i + 1);
            let quick = quick_score(p.as_bytes(), name_start, how.ascii_needle.as_deref().unwrap_or_default(), how.ignore_case).is_some();
            // nucleo gives spaces and backslashes (which escape a space)
            // meanings of their own; the shortlist only has to keep every
            // real match (the exact rescoring drops the others).
            if q.contains(['\\', ' ']) {
                proptest::prop_assert!(quick || !exact, "query {:?} on {:?}", q, p);
            } else {
                proptest::prop_assert_eq!(quick, exact, "query {:?} on {:?}", q, p);
            }
        }
    }
}
