//! Low-level text scanning: lines, fences, headings, chunk boundaries.
//!
//! Everything here works on `&str` and byte offsets and never fails. Lines end
//! at `\n`, `\r\n` or a lone `\r`, exactly as ropey (with `cr_lines`) and LSP
//! count them.

pub mod block;
pub mod inline;
pub mod trees;

pub use block::{Blocks, LineKind};

use std::ops::Range;

/// One line of text: its content range (without terminator) and the offset
/// where the next line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// Iterate the lines of `text` starting at byte `from` (which must be a line
/// start). A trailing terminator does not produce an extra empty line.
pub fn lines_from(text: &str, from: usize) -> impl Iterator<Item = Line> + '_ {
    let bytes = text.as_bytes();
    let mut pos = from.min(bytes.len());
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let rest = &bytes[start..];
        let end = match memchr_cr_lf(rest) {
            Some(i) => start + i,
            None => bytes.len(),
        };
        let next = if end >= bytes.len() {
            bytes.len()
        } else if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
        pos = next;
        Some(Line { start, end, next })
    })
}

/// All lines of `text`.
pub fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    lines_from(text, 0)
}

fn memchr_cr_lf(b: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', b)
}

/// Number of leading spaces (a tab counts as advancing to the next multiple
/// of four) and the byte length of that indentation.
pub fn indentation(line: &str) -> (usize, usize) {
    let mut width = 0;
    let mut bytes = 0;
    for c in line.bytes() {
        match c {
            b' ' => width += 1,
            b'\t' => width += 4 - width % 4,
            _ => break,
        }
        bytes += 1;
    }
    (width, bytes)
}

/// An ATX heading: level and the byte range of its content within the line.
pub fn atx_heading(line: &str) -> Option<(usize, Range<usize>)> {
    let (width, ib) = indentation(line);
    if width > 3 {
        return None;
    }
    let rest = &line[ib..];
    let level = rest.bytes().take_while(|&c| c == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let after = &rest[level..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let content_start = ib + level + (after.len() - after.trim_start().len());
    // Strip an optional closing sequence of `#`s and trailing blanks.
    let mut content_end = line.trim_end().len().max(content_start);
    let body = &line[content_start..content_end];
    let hashes = body.bytes().rev().take_while(|&c| c == b'#').count();
    if hashes > 0 {
        let before = &body[..body.len() - hashes];
        if before.is_empty() || before.ends_with([' ', '\t']) {
            content_end = content_start + before.trim_end().len();
        }
    }
    Some((level, content_start..content_end))
}

/// Is this line an entry heading (`## v<digits>…`)?
pub fn is_entry_heading(line: &str) -> bool {
    match atx_heading(line) {
        Some((2, r)) => {
            let c = line[r].as_bytes();
            c.first() == Some(&b'v') && c.get(1).is_some_and(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// If `text` starts with a YAML frontmatter block (`---` … `---`/`...`),
/// the byte range of the whole block including both fence lines and
/// whether it is closed. Offsets are relative to `text`, after any BOM.
pub fn frontmatter_block(text: &str) -> Option<(Range<usize>, bool)> {
    let start = bom_len(text);
    let mut it = lines_from(text, start);
    let first = it.next()?;
    if text[first.start..first.end].trim_end() != "---" {
        return None;
    }
    for l in it {
        let t = text[l.start..l.end].trim_end();
        if t == "---" || t == "..." {
            return Some((start..l.next, true));
        }
    }
    Some((start..text.len(), false))
}

/// Length of a leading UTF-8 byte-order mark (0 or 3).
pub fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') {
        3
    } else {
        0
    }
}

/// Chunk starts found by [`split`], and the block state where the scan
/// ended (the incremental split of `Document::edit` asks it whether the next
/// chunk's heading still opens an entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Offsets relative to the scanned text; the first is always 0.
    pub starts: Vec<usize>,
    /// The block state after the last line.
    pub end: Blocks,
    /// The scan ended inside an unclosed frontmatter (which may close
    /// further down and swallow headings).
    pub in_frontmatter: bool,
}

impl Split {
    /// Would `next_line` (an entry heading line that followed the scanned
    /// text) still open an entry after it?
    pub fn continues_with(&self, next_line: &str) -> bool {
        !self.in_frontmatter && matches!(self.end.clone().line(next_line), LineKind::Heading { level: 2, top: true })
    }
}

/// Is `line` a top-level entry heading, given the block state before it
/// (which it advances)? `## v<digits>…` at level 2, outside containers,
/// code and HTML.
pub fn entry_heading_line(blocks: &mut Blocks, line: &str) -> bool {
    opens_entry(blocks.line(line), line)
}

/// Does `line`, classified as `kind`, open an entry (a top-level level-2
/// heading `## v<digits>…`)? The split and the chunk scanner share this.
pub fn opens_entry(kind: LineKind, line: &str) -> bool {
    matches!(kind, LineKind::Heading { level: 2, top: true }) && is_entry_heading(line)
}

/// Split `text` into chunk starts: 0 (the preamble, or the first entry when
/// `text` opens with one), then one per top-level entry heading (CommonMark
/// block structure: never in code, HTML, list items or block quotes). With
/// `doc_start`, `text` starts the document and may open with frontmatter.
/// One pass over the lines; the incremental split of `Document::edit` and the
/// whole-document split share it.
pub fn split(text: &str, doc_start: bool) -> Split {
    let (body_start, fm_open) = match doc_start.then(|| frontmatter_block(text)).flatten() {
        Some((r, true)) => (r.end, false),
        Some((_, false)) => (0, true),
        None => (0, false),
    };
    let mut starts = vec![0];
    let mut blocks = Blocks::default();
    for l in lines_from(text, body_start) {
        let line = &text[l.start..l.end];
        if entry_heading_line(&mut blocks, line) && l.start != 0 {
            starts.push(l.start);
        }
    }
    Split { starts, end: blocks, in_frontmatter: fm_open }
}

/// Split a whole document into chunk start offsets (see [`split`]).
pub fn split_chunks(text: &str) -> Vec<usize> {
    split(text, true).starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_all_terminators() {
        let t = "a\nb\r\nc\rd";
        let got: Vec<_> = lines(t).map(|l| &t[l.start..l.end]).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
        assert_eq!(lines("x\n").count(), 1);
    }

    #[test]
    fn chunks_ignore_headings_in_fences() {
        let t = "---\nversion: v1\n---\n# T\n## v1 | x\n```\n## v2 | in code\n```\n## v2 | y\n";
        let s = split_chunks(t);
        assert_eq!(s.len(), 3);
        assert!(t[s[1]..].starts_with("## v1"));
        assert!(t[s[2]..].starts_with("## v2 | y"));
    }

    #[test]
    fn headings() {
        assert!(is_entry_heading("## v12 | 2025"));
        assert!(is_entry_heading("  ## v1"));
        assert!(!is_entry_heading("## Version 2"));
        assert!(!is_entry_heading("### v1"));
        assert!(!is_entry_heading("    ## v1"));
        assert_eq!(atx_heading("# Title #"), Some((1, 2..7)));
    }
}
