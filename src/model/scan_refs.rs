//! File references in one line's text: code spans, links, bare words.

use std::ops::Range;

use super::{refs, FileRef, RefForm, WorkOp};
use crate::syntax::inline;

/// Byte classes of the bare-word scan of [`scan_refs`].
const C_SPACE: u8 = 1; // ASCII whitespace (`u8::is_ascii_whitespace`)
const C_OPEN: u8 = 2;
const C_CLOSE: u8 = 4;
const C_PATH: u8 = 8; // `/`, `.`, `:`, `#`
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = C_SPACE;
    t[b'\t' as usize] = C_SPACE;
    t[b'\n' as usize] = C_SPACE;
    t[0x0C] = C_SPACE;
    t[b'\r' as usize] = C_SPACE;
    t[b'(' as usize] = C_OPEN;
    t[b')' as usize] = C_CLOSE;
    t[b'/' as usize] = C_PATH;
    t[b'.' as usize] = C_PATH;
    t[b':' as usize] = C_PATH;
    t[b'#' as usize] = C_PATH;
    t
};

/// Buffers reused from line to line (a line's code spans, links, and the
/// ranges they take), so that a line costs no allocation of its own.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) spans: Vec<inline::CodeSpan>,
    pub(super) links: Vec<inline::Link>,
    pub(super) taken: Vec<Range<usize>>,
}

pub(super) struct RefCtx {
    pub(super) exempt: bool,
    /// Bare words with a known extension count (Files/Work bullets).
    pub(super) path_words: bool,
    pub(super) work: Option<WorkOp>,
}

/// Extract references from `text[start..end]` (one line's content).
pub(super) fn scan_refs(text: &str, start: usize, end: usize, ctx: &RefCtx, out: &mut Vec<FileRef>, scratch: &mut Scratch) {
    let s = &text[start..end];
    // Code spans and links only where a backtick or a `](` is (vector
    // searches); lines without either go straight to the bare words, which
    // need a `/`, `.`, `:` or `#` to be a path.
    let sb = s.as_bytes();
    let tick = memchr::memchr(b'`', sb).is_some();
    let link = memchr::memchr_iter(b']', sb).any(|i| sb.get(i + 1) == Some(&b'('));
    let Scratch { spans, links, taken } = scratch;
    spans.clear();
    links.clear();
    taken.clear();
    if tick {
        inline::code_spans_into(s, spans);
    }
    if link {
        inline::links_into(s, spans, links);
    }
    let form_for = |default: RefForm| match ctx.work {
        Some(op) => RefForm::Work(op),
        None => default,
    };
    for c in spans.iter() {
        taken.push(c.outer.clone());
        let inner = &s[c.inner.clone()];
        let tok = inner.trim();
        if tok.is_empty() || tok.contains(char::is_whitespace) || refs::is_url(tok) {
            continue;
        }
        let lead = inner.len() - inner.trim_start().len();
        let tok = tok.strip_suffix(':').unwrap_or(tok);
        let base = start + c.inner.start + lead;
        if let Some(r) = make_ref(tok, base, form_for(RefForm::Backtick), ctx.exempt, Written::InBackticks) {
            out.push(r);
        }
    }
    for lk in links.iter() {
        taken.push(lk.outer.clone());
        let dest = &s[lk.dest.clone()];
        if dest.is_empty() || dest.starts_with('#') || refs::is_url(dest) {
            continue;
        }
        let base = start + lk.dest.start;
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if !refs::path_chars_ok(path) {
            continue;
        }
        let lines = frag.and_then(|f| {
            let fs = base + path.len() + 1;
            refs::parse_span(f, true).map(|sp| (sp, fs..fs + f.len()))
        });
        out.push(FileRef {
            path_range: base..base + path.len(),
            range: base..base + dest.len(),
            lines,
            form: form_for(RefForm::Link),
            exempt: ctx.exempt,
            needs_folder: false,
            maybe_outside: refs::may_leave_root(path),
        });
    }
    // Bare words, outside code spans and links.
    taken.sort_by_key(|r| r.start);
    let b = s.as_bytes();
    let mut depth = 0i32;
    let mut next_taken = 0;
    let mut i = 0;
    while i < b.len() {
        while next_taken < taken.len() && taken[next_taken].end <= i {
            next_taken += 1;
        }
        let stop = taken.get(next_taken).map_or(b.len(), |t| t.start);
        if i >= stop {
            i = taken[next_taken].end;
            continue;
        }
        while i < stop && CLASS[b[i] as usize] & C_SPACE != 0 {
            i += 1;
        }
        if i >= stop {
            continue;
        }
        // One pass over the word's bytes: where it ends, its parentheses,
        // and whether it could be a path at all (`/`, `.`, `:` or `#`).
        let ws = i;
        let (mut opens, mut closes, mut seen) = (0i32, 0i32, 0u8);
        while i < stop {
            let k = CLASS[b[i] as usize];
            if k & C_SPACE != 0 {
                break;
            }
            opens += i32::from(k & C_OPEN != 0);
            closes += i32::from(k & C_CLOSE != 0);
            seen |= k;
            i += 1;
        }
        let pathy = seen & C_PATH != 0;
        let in_parens = depth > 0 || opens > 0;
        depth = (depth + opens - closes).max(0);
        if !pathy {
            continue;
        }
        // The trimmed characters are ASCII: trimming bytes keeps boundaries.
        let wb = &b[ws..i];
        let lead = wb.iter().take_while(|c| matches!(c, b'(' | b'[' | b'"' | b'\'' | b'<' | b'*' | b'_')).count();
        let trail = wb[lead..]
            .iter()
            .rev()
            .take_while(|c| matches!(c, b')' | b']' | b'"' | b'\'' | b'>' | b',' | b'.' | b';' | b':' | b'!' | b'?' | b'*' | b'_'))
            .count();
        let w = &s[ws + lead..i - trail];
        if w.is_empty() || w.bytes().any(|c| matches!(c, b'`' | b'(' | b')' | b'[' | b']')) || refs::is_url(w) {
            continue;
        }
        let (plen, lines) = refs::split_range(w);
        let path = &w[..plen];
        let pb = path.as_bytes();
        let (slash, colon) = (memchr::memchr(b'/', pb).is_some(), memchr::memchr(b':', pb).is_some());
        let ext = refs::has_known_extension(path);
        let plausible = (pb.iter().any(u8::is_ascii_alphabetic) || path.chars().any(|c| c.is_alphabetic())) && (slash || ext) && !colon;
        let accept = plausible && (lines.is_some() || ext && (ctx.path_words || in_parens && slash));
        if accept {
            if let Some(r) = make_ref(w, start + ws + lead, form_for(RefForm::Plain), ctx.exempt, Written::Bare) {
                out.push(r);
            }
        }
    }
}

/// How a reference token was written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Written {
    /// In a code span: a path without extension or range may still be one
    /// when its first folder exists (`src/auth`), which is checked later.
    InBackticks,
    /// A bare word: only an extension or a line range makes it a path.
    Bare,
}

/// Build a reference from a token `path[:range]` written at `base`.
pub(super) fn make_ref(tok: &str, base: usize, form: RefForm, exempt: bool, written: Written) -> Option<FileRef> {
    let (plen, lines) = refs::split_range(tok);
    let path = &tok[..plen];
    if !refs::path_chars_ok(path) || path.contains(':') && !is_drive(path) {
        return None;
    }
    let ext = refs::has_known_extension(path);
    let mut needs_folder = false;
    if lines.is_none() && !ext {
        let first = path.split('/').next().unwrap_or("");
        let folderish = written == Written::InBackticks
            && path.contains('/')
            && !first.is_empty()
            && !first.starts_with(['@', '.', '~'])
            && !path.ends_with('/');
        if !folderish {
            return None;
        }
        needs_folder = true;
    }
    Some(FileRef {
        path_range: base..base + plen,
        range: base..base + tok.len(),
        lines: lines.map(|(sp, r)| (sp, base + r.start..base + r.end)),
        form,
        exempt,
        needs_folder,
        maybe_outside: refs::may_leave_root(path),
    })
}

pub(super) fn is_drive(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}
