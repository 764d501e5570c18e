//! An open buffer: a rope split into chunks (preamble + one per entry), each
//! with its model, its chunk-local diagnostics and (lazily) its trees.
//!
//! Edits are applied to the rope; only the chunks the edit touches are
//! re-split and rescanned (see [`Document::edit`]). Untouched chunks, their
//! models, diagnostics and trees are reused as they are. Cloning a document
//! is cheap (rope and `Arc`s): that is a snapshot.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use crate::diagnostic::{chunk_diagnostics, Diagnostic};
use crate::model::{scan_chunk, ChunkModel};
use crate::syntax::{self, trees::ChunkTrees};

/// What the document-wide checks need of a chunk, stored inline in the
/// chunk list so that a keystroke's cross-entry pass reads contiguous memory
/// instead of following a pointer per entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// An entry chunk (it has an entry heading).
    pub entry: bool,
    pub version: Option<u32>,
    pub date: Option<crate::model::DateTime>,
    /// The highest version named by elisions in the chunk.
    pub elided_max: Option<u32>,
    /// Bit per present field kind (`ChunkModel::present`).
    pub present: u16,
    pub only_elided: bool,
    /// Some reference may leave the root (`ChunkModel::has_outside`).
    pub has_outside: bool,
    /// The chunk has chunk-local diagnostics.
    pub has_local: bool,
    /// End of the heading line, chunk-relative.
    pub heading_end: u32,
    /// The entry heading is not of the entry shape (`malformed-entry`).
    pub malformed: bool,
    /// The heading has the entry shape `## vN | YYYY-MM-DD…` (a version and
    /// a real date), which with a known label makes a Work Log (§1).
    pub entry_shape: bool,
    /// Some known field label stands at a line start in the chunk.
    pub known_label: bool,
}

#[derive(Clone, Debug)]
pub struct Chunk {
    /// Byte offset of the chunk in the document.
    pub start: usize,
    pub summary: Summary,
    pub model: Arc<ChunkModel>,
    /// Chunk-relative diagnostics decided by this chunk alone.
    pub local: Arc<[Diagnostic]>,
    pub trees: Option<ChunkTrees>,
}

impl Chunk {
    pub fn end(&self) -> usize {
        self.start + self.model.len
    }

    /// A chunk-relative range (as the model keeps them) made absolute.
    pub fn abs(&self, r: &Range<usize>) -> Range<usize> {
        self.start + r.start..self.start + r.end
    }

    fn build(text: &str, start: usize, trees: bool) -> Chunk {
        let model = scan_chunk(text, start == 0);
        let local = chunk_diagnostics(&model, text);
        // Most chunks have none: share one empty list rather than allocate.
        let local: Arc<[Diagnostic]> = if local.is_empty() { no_diagnostics() } else { local.into() };
        let trees = if trees { syntax::trees::parse(text) } else { None };
        let summary = Summary {
            entry: model.heading.is_some(),
            version: model.version(),
            date: model.heading.as_ref().and_then(|h| h.date),
            elided_max: model.elisions.iter().flat_map(|e| e.versions.iter().copied()).max(),
            present: model.present,
            only_elided: model.only_elided,
            has_outside: model.has_outside,
            has_local: !local.is_empty(),
            heading_end: model.heading.as_ref().map_or(0, |h| h.line.end as u32),
            malformed: model.heading.as_ref().is_some_and(|h| h.problem.is_some()),
            entry_shape: model.heading.as_ref().is_some_and(|h| h.shaped),
            known_label: model.labels.iter().any(|l| l.kind.is_some()),
        };
        Chunk { start, summary, model: Arc::new(model), local, trees }
    }
}

/// The empty diagnostics list every chunk without local diagnostics shares.
fn no_diagnostics() -> Arc<[Diagnostic]> {
    static EMPTY: std::sync::OnceLock<Arc<[Diagnostic]>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::new([])).clone()
}

#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    /// Shared with snapshots; copied on write only while one is alive.
    chunks: Arc<Vec<Chunk>>,
}

impl Document {
    /// Build from text; no trees yet.
    pub fn new(text: &str) -> Document {
        Document::build(text, false)
    }

    /// Build from text with trees for every chunk (tests, tree features).
    pub fn with_trees(text: &str) -> Document {
        Document::build(text, true)
    }

    fn build(text: &str, trees: bool) -> Document {
        let starts = syntax::split_chunks(text);
        let (rope, chunks) = chunks_from(text, &starts, trees);
        Document { rope, chunks: Arc::new(chunks) }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }
    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }
    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Text of a byte range (clamped to char boundaries).
    pub fn slice(&self, r: Range<usize>) -> Cow<'_, str> {
        let s = self.snap(r.start);
        let e = self.snap(r.end).max(s);
        self.rope.byte_slice(s..e).into()
    }

    /// Round a byte offset down to a char boundary within the text.
    pub fn snap(&self, b: usize) -> usize {
        let b = b.min(self.len());
        self.rope.char_to_byte(self.rope.byte_to_char(b))
    }

    /// The content (without terminator) of line `n`, clamped.
    pub fn line_range(&self, n: usize) -> Range<usize> {
        let lines = self.rope.len_lines();
        if n >= lines {
            return self.len()..self.len();
        }
        let s = self.rope.line_to_byte(n);
        let e = if n + 1 < lines { self.rope.line_to_byte(n + 1) } else { self.len() };
        let mut end = e;
        while end > s && matches!(self.rope.byte(end - 1), b'\n' | b'\r') {
            end -= 1;
        }
        s..end
    }

    /// Index of the chunk holding byte `b` (the last one for `b == len`).
    pub fn chunk_index(&self, b: usize) -> usize {
        match self.chunks.binary_search_by(|c| c.start.cmp(&b)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Build trees for chunk `i` if it has none.
    pub fn ensure_trees(&mut self, i: usize) {
        let Some(c) = self.chunks.get(i) else { return };
        if c.trees.is_none() {
            let text = self.slice(c.start..c.end()).into_owned();
            Arc::make_mut(&mut self.chunks)[i].trees = syntax::trees::parse(&text);
        }
    }

    /// Replace the bytes `range` with `new_text`. Offsets are clamped to the
    /// text and to char boundaries; never panics.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let start = self.snap(range.start);
        let old_end = self.snap(range.end).max(start);
        let new_end = start + new_text.len();
        let delta = new_text.len() as isize - (old_end - start) as isize;

        // The first chunk to rescan: the one before the edit, stepping back
        // once more if the edit touches its heading line (it may stop being a
        // heading, merging the chunk into the one above).
        let mut i0 = self.chunk_index(start.saturating_sub(1));
        if i0 > 0 {
            let c = &self.chunks[i0];
            let heading_end = c.start + c.model.heading.as_ref().map_or(0, |h| h.line.end);
            if start <= heading_end + 1 {
                i0 -= 1;
            }
        }
        // An unclosed frontmatter closes at the first `---` line anywhere
        // below it: while it is open, every edit rescans from the top.
        if self.chunks.first().and_then(|c| c.model.frontmatter.as_ref()).is_some_and(|f| !f.closed) {
            i0 = 0;
        }
        // The last old chunk the edit touches.
        let mut k = self.chunk_index(old_end).max(i0);

        // Old texts of chunks that carry trees, for incremental reparse.
        let old_tree_texts: Vec<(usize, String)> = (i0..=k)
            .filter(|&i| self.chunks[i].trees.is_some())
            .map(|i| (i, self.slice(self.chunks[i].start..self.chunks[i].end()).into_owned()))
            .collect();

        // Apply to the rope.
        let cs = self.rope.byte_to_char(start);
        let ce = self.rope.byte_to_char(old_end);
        self.rope.remove(cs..ce);
        self.rope.insert(cs, new_text);

        // Rescan from chunk i0 until the fence state is plain at an old chunk
        // boundary past the edit.
        let region_start = self.chunks[i0].start;
        let (region_text, starts) = loop {
            let old_region_end = self.chunks[k].end();
            let region_end = (old_region_end as isize + delta) as usize;
            let text = self.slice(region_start..region_end).into_owned();
            let split = syntax::split(&text, region_start == 0);
            // The next old chunk's heading must still open an entry after
            // the region's last line (an unclosed fence, HTML block, comment
            // or list item can swallow it); else the region grows.
            let done = k + 1 >= self.chunks.len() || {
                let next = &self.chunks[k + 1];
                let h = next.model.heading.as_ref().map_or(0..0, |h| h.line.clone());
                let line = self.slice(region_end + h.start..region_end + h.end);
                split.continues_with(&line)
            };
            if done {
                break (text, split.starts.into_iter().map(|s| s + region_start).collect::<Vec<_>>());
            }
            k += 1;
        };

        let mut new_chunks: Vec<Chunk> = Vec::with_capacity(starts.len());
        for (j, &s) in starts.iter().enumerate() {
            let e = starts.get(j + 1).copied().unwrap_or(region_start + region_text.len());
            let text = &region_text[s - region_start..e - region_start];
            // Unchanged chunk before the edit: reuse.
            if e <= start {
                if let Some(old) = self.chunks[i0..=k].iter().find(|c| c.start == s && c.end() == e) {
                    new_chunks.push(old.clone());
                    continue;
                }
            }
            if s >= new_end && s > start {
                let os = (s as isize - delta) as usize;
                let oe = (e as isize - delta) as usize;
                if let Some(old) = self.chunks[i0..=k].iter().find(|c| c.start == os && c.end() == oe) {
                    let mut c = old.clone();
                    c.start = s;
                    new_chunks.push(c);
                    continue;
                }
            }
            let mut c = Chunk::build(text, s, false);
            // Trees: incremental when the same chunk (same start) had them.
            if let Some(old_i) = (i0..=k).find(|&i| self.chunks[i].start == s) {
                let old = &self.chunks[old_i];
                if let (Some(t), Some((_, old_text))) = (&old.trees, old_tree_texts.iter().find(|(i, _)| *i == old_i)) {
                    let (rs, ro, rn) = (start.saturating_sub(s), old_end.saturating_sub(s), new_end.saturating_sub(s));
                    if start >= s && ro <= old_text.len() && rn <= text.len() {
                        c.trees = syntax::trees::reparse(t, old_text, text, rs, ro, rn);
                    } else {
                        c.trees = syntax::trees::parse(text);
                    }
                }
            } else if !old_tree_texts.is_empty() {
                c.trees = syntax::trees::parse(text);
            }
            new_chunks.push(c);
        }

        // Shift the chunks after the region.
        let chunks = Arc::make_mut(&mut self.chunks);
        for c in &mut chunks[k + 1..] {
            c.start = (c.start as isize + delta) as usize;
        }
        chunks.splice(i0..=k, new_chunks);
    }
}

/// The rope and the chunks of a whole text. Large texts are scanned on
/// rayon's pool in blocks of 32 chunks (chunk models are independent) while
/// the calling thread builds the rope (the same speed as the threads spawned
/// per call before it: BENCHMARKS.md, "Session 4").
fn chunks_from(text: &str, starts: &[usize], trees: bool) -> (Rope, Vec<Chunk>) {
    use rayon::prelude::*;
    let build = |j: usize| -> Chunk {
        let s = starts[j];
        let e = starts.get(j + 1).copied().unwrap_or(text.len());
        Chunk::build(&text[s..e], s, trees)
    };
    let n = starts.len();
    if n < 64 || text.len() < 256 * 1024 {
        return (Rope::from_str(text), (0..n).map(build).collect());
    }
    rayon::join(|| Rope::from_str(text), || (0..n).into_par_iter().with_min_len(32).map(build).collect())
}

/// `offset` clamped to the rope and moved back to a char boundary (one
/// chunk lookup, no char index).
pub fn char_floor(rope: &Rope, offset: usize) -> usize {
    let mut offset = offset.min(rope.len_bytes());
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
    while offset > chunk_start && !chunk.is_char_boundary(offset - chunk_start) {
        offset -= 1;
    }
    offset
}
