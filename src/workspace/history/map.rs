//! Where the lines of an old version of a file are in a new one: pure
//! functions over lines, no git.
//!
//! Lines are compared without surrounding whitespace (so a trailing `\r`, a
//! re-indent or trailing blanks change nothing). The diff is imara-diff's
//! histogram diff with git's slider post-processing (indent heuristic), the
//! diff `git diff --histogram` shows.

use gix::diff::blob::{Algorithm, Diff, InternedInput};

/// The lines of `text`, split at `\n`, each without surrounding whitespace
/// (a trailing `\r` included). A final line break ends the last line, it
/// does not start an empty one.
pub fn lines(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    body.split(|&b| b == b'\n').map(|l| l.trim_ascii()).collect()
}

/// For each line of `old`, the line of `new` it is kept as (0-based), or
/// `None` when the diff removed or replaced it.
pub fn line_map(old: &[&[u8]], new: &[&[u8]]) -> Vec<Option<u32>> {
    let mut input: InternedInput<&[u8]> = InternedInput::new(&b""[..], &b""[..]);
    input.update_before(old.iter().copied());
    input.update_after(new.iter().copied());
    let mut diff = Diff::compute(Algorithm::Histogram, &input);
    diff.postprocess_lines(&input);
    let mut out = Vec::with_capacity(old.len());
    let (mut i, mut j) = (0u32, 0u32);
    for h in diff.hunks() {
        while i < h.before.start {
            out.push(Some(j));
            i += 1;
            j += 1;
        }
        for _ in h.before.clone() {
            out.push(None);
        }
        i = h.before.end;
        j = h.after.end;
    }
    while (i as usize) < old.len() {
        out.push(Some(j));
        i += 1;
        j += 1;
    }
    out
}

/// Where a 1-based inclusive range of an old version is in the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// Every line unchanged, at the same place.
    Same,
    /// Every line unchanged, as one block, now at `start..=end` (1-based).
    Moved { start: u32, end: u32 },
    /// `remain` of `of` lines kept; the kept ones lie within `start..=end`.
    Changed { remain: u32, of: u32, start: u32, end: u32 },
    /// No line that says anything (letters or digits) is left.
    Removed,
}

/// Whether a line says something: blank lines and lone braces survive any
/// rewrite by chance, so they alone never make a range "still there".
fn significant(line: &[u8]) -> bool {
    line.iter().any(u8::is_ascii_alphanumeric) || line.iter().any(|b| *b >= 0x80)
}

/// Maps `start..=end` (1-based, inclusive) of `old` onto `new`; `None` when
/// the range does not fit `old` (nothing can be said about it).
pub fn map_range(old: &[&[u8]], new: &[&[u8]], start: u32, end: u32) -> Option<Mapped> {
    if start == 0 || start > end || end as usize > old.len() {
        return None;
    }
    let map = line_map(old, new);
    Some(map_with(old, new, &map, start, end))
}

/// [`map_range`] with the line map already computed (one diff per file
/// serves every range in it).
pub fn map_with(old: &[&[u8]], new: &[&[u8]], map: &[Option<u32>], start: u32, end: u32) -> Mapped {
    let (s, e) = (start as usize - 1, end as usize);
    let kept = &map[s..e];
    let n = e - s;
    if let Some(Some(first)) = kept.first() {
        let contiguous = kept.iter().enumerate().all(|(k, m)| *m == Some(first + k as u32));
        if contiguous {
            return if *first as usize == s { Mapped::Same } else { moved(*first as usize, n) };
        }
    }
    // The exact block elsewhere (moved within the file, reordered).
    let block = &old[s..e];
    if block.iter().any(|l| significant(l)) {
        let found = find_block(new, block);
        let pick = match found.len() {
            0 => None,
            1 => Some(found[0]),
            _ => {
                // Several copies: the one holding most of the kept lines, if one does.
                let score = |p: usize| kept.iter().enumerate().filter(|(k, m)| **m == Some((p + k) as u32)).count();
                let best = found.iter().map(|&p| (score(p), p)).max();
                best.filter(|(sc, _)| *sc > 0 && found.iter().filter(|&&p| score(p) == *sc).count() == 1).map(|(_, p)| p)
            }
        };
        if let Some(p) = pick {
            return if p == s { Mapped::Same } else { moved(p, n) };
        }
    }
    let survivors: Vec<(usize, u32)> = kept.iter().enumerate().filter_map(|(k, m)| m.map(|m| (k, m))).collect();
    if !survivors.iter().any(|(k, _)| significant(old[s + k])) {
        return Mapped::Removed;
    }
    let lo = survivors.iter().map(|(_, m)| *m).min().unwrap_or(0);
    let hi = survivors.iter().map(|(_, m)| *m).max().unwrap_or(0);
    Mapped::Changed { remain: survivors.len() as u32, of: n as u32, start: lo + 1, end: hi + 1 }
}

fn moved(p: usize, n: usize) -> Mapped {
    Mapped::Moved { start: p as u32 + 1, end: (p + n) as u32 }
}

/// Where `block` occurs in `lines` as consecutive lines (0-based starts; at
/// most 16 are listed).
pub fn find_block(lines: &[&[u8]], block: &[&[u8]]) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(first) = block.first() else { return out };
    if block.len() > lines.len() {
        return out;
    }
    for p in 0..=lines.len() - block.len() {
        if lines[p] == *first && lines[p..p + block.len()] == *block {
            out.push(p);
            if out.len() == 16 {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Vec<&[u8]> {
        lines(s.as_bytes())
    }

    #[test]
    fn lines_trim_and_ignore_the_final_break() {
        assert_eq!(l("a\r\n  b \n\nc\n"), vec![&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(l(""), Vec::<&[u8]>::new());
        assert_eq!(l("x"), vec![&b"x"[..]]);
    }

    #[test]
    fn shifted_block_is_moved() {
        let old = l("a\nb\nfn f() {\n  x\n}\n");
        let new = l("new\na\nb\nfn f() {\n  x\n}\n");
        assert_eq!(map_range(&old, &new, 3, 5), Some(Mapped::Moved { start: 4, end: 6 }));
        assert_eq!(map_range(&old, &new, 1, 1), Some(Mapped::Moved { start: 2, end: 2 }));
        let same = l("a\nb\nfn f() {\n    x\r\n}\nmore\n");
        assert_eq!(map_range(&old, &same, 3, 5), Some(Mapped::Same));
        assert_eq!(map_range(&old, &new, 3, 6), None);
    }

    #[test]
    fn partly_edited_is_changed_and_rewritten_is_removed() {
        let old = l("head\nfn f() {\n  one\n  two\n  three\n}\ntail\n");
        let new = l("head\nfn f() {\n  one\n  TWO\n  three\n}\ntail\n");
        assert_eq!(map_range(&old, &new, 2, 6), Some(Mapped::Changed { remain: 4, of: 5, start: 2, end: 6 }));
        let rewritten = l("head\nfn g() {\n  other\n}\ntail\n");
        // Only the lone brace is left: that says nothing.
        assert_eq!(map_range(&old, &rewritten, 2, 6), Some(Mapped::Removed));
    }

    #[test]
    fn a_block_moved_below_is_found() {
        let old = l("fn a() {\n  aa\n}\nfn b() {\n  bb\n}\n");
        let new = l("fn b() {\n  bb\n}\nfn a() {\n  aa\n}\n");
        let got = map_range(&old, &new, 1, 3);
        assert_eq!(got, Some(Mapped::Moved { start: 4, end: 6 }));
    }
}
