//! Per-chunk tree-sitter trees: one block tree (`tree_sitter_md::LANGUAGE`)
//! and one inline tree (`INLINE_LANGUAGE`) per `inline` node.
//!
//! Trees are built lazily (measured here: ~0.46 ms block + ~0.63 ms inline per
//! 1.2 KB entry, i.e. 5.5 s for a 5,000-entry log, so they are kept off the
//! diagnostics path) and, once a chunk has them, maintained on every edit:
//! the block tree reparsed incrementally with an `InputEdit` and its old
//! tree, inline trees reused where their text is unchanged and parsed fresh
//! where the edit touched them (the inline grammar does not reparse
//! incrementally to the same tree as a fresh parse).

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

#[derive(Clone, Debug)]
pub struct ChunkTrees {
    pub block: Tree,
    /// Inline trees, by the byte range (chunk-relative) of their `inline` node.
    pub inlines: Vec<(Range<usize>, Tree)>,
}

thread_local! {
    static PARSERS: RefCell<Option<(Parser, Parser)>> = const { RefCell::new(None) };
}

fn with_parsers<R>(f: impl FnOnce(&mut Parser, &mut Parser) -> Option<R>) -> Option<R> {
    PARSERS.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            let mut b = Parser::new();
            let mut i = Parser::new();
            b.set_language(&tree_sitter_md::LANGUAGE.into()).ok()?;
            i.set_language(&tree_sitter_md::INLINE_LANGUAGE.into()).ok()?;
            *p = Some((b, i));
        }
        let (b, i) = p.as_mut()?;
        f(b, i)
    })
}

/// Parse a chunk's text from scratch.
pub fn parse(text: &str) -> Option<ChunkTrees> {
    with_parsers(|bp, ip| {
        let block = bp.parse(text, None)?;
        let inlines = inline_trees(text, &block, ip, &[], None)?;
        Some(ChunkTrees { block, inlines })
    })
}

/// Reparse after an edit of `old_text` into `new_text`: bytes
/// `start..old_end` were replaced by `start..new_end`.
pub fn reparse(old: &ChunkTrees, old_text: &str, new_text: &str, start: usize, old_end: usize, new_end: usize) -> Option<ChunkTrees> {
    let edit = InputEdit {
        start_byte: start,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(old_text, start),
        old_end_position: point_at(old_text, old_end),
        new_end_position: point_at(new_text, new_end),
    };
    let mut tree = old.block.clone();
    tree.edit(&edit);
    with_parsers(|bp, ip| {
        let block = bp.parse(new_text, Some(&tree))?;
        let delta = new_end as isize - old_end as isize;
        let inlines = inline_trees(new_text, &block, ip, &old.inlines, Some((start, old_end, delta)))?;
        Some(ChunkTrees { block, inlines })
    })
}

/// tree-sitter's point: rows counted at `\n` only, columns in bytes.
fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte.min(text.len())];
    let row = before.iter().filter(|&&c| c == b'\n').count();
    let col = before.len() - before.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    Point { row, column: col }
}

fn inline_trees(
    text: &str,
    block: &Tree,
    ip: &mut Parser,
    old: &[(Range<usize>, Tree)],
    edit: Option<(usize, usize, isize)>,
) -> Option<Vec<(Range<usize>, Tree)>> {
    let mut out = Vec::new();
    let mut stack = vec![block.root_node()];
    let mut nodes: Vec<Node> = Vec::new();
    while let Some(n) = stack.pop() {
        if n.kind() == "inline" {
            nodes.push(n);
            continue;
        }
        for i in (0..n.child_count()).rev() {
            if let Some(c) = n.child(i) {
                stack.push(c);
            }
        }
    }
    for n in nodes {
        let r = n.byte_range();
        // Reuse an old inline tree whose text is provably unchanged.
        let reused = edit.and_then(|(s, oe, delta)| {
            let old_range = if r.end <= s {
                r.clone()
            } else if r.start as isize >= oe as isize + delta && r.start >= s {
                (r.start as isize - delta) as usize..(r.end as isize - delta) as usize
            } else {
                return None;
            };
            if old_range.end > s && old_range.start < oe {
                return None;
            }
            old.iter().find(|(or, _)| *or == old_range).map(|(_, t)| t.clone())
        });
        let tree = match reused {
            Some(t) => t,
            None => ip.parse(&text[r.clone()], None)?,
        };
        out.push((r, tree));
    }
    Some(out)
}

impl ChunkTrees {
    /// A textual form of all trees, for tests comparing incremental and
    /// fresh parses.
    pub fn to_sexp(&self) -> String {
        let mut s = self.block.root_node().to_sexp();
        for (r, t) in &self.inlines {
            s.push_str(&format!("\n{r:?} {}", t.root_node().to_sexp()));
        }
        s
    }

    /// The chain of block-tree nodes around `offset`, innermost first,
    /// with the inline tree's nodes (shifted to chunk offsets) before them.
    pub fn enclosing_ranges(&self, offset: usize) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        if let Some((r, t)) = self.inlines.iter().find(|(r, _)| r.start <= offset && offset <= r.end) {
            let rel = offset - r.start;
            let mut n = t.root_node().descendant_for_byte_range(rel, rel);
            while let Some(x) = n {
                out.push(x.start_byte() + r.start..x.end_byte() + r.start);
                n = x.parent();
            }
        }
        let mut n = self.block.root_node().descendant_for_byte_range(offset, offset);
        while let Some(x) = n {
            out.push(x.byte_range());
            n = x.parent();
        }
        out.dedup();
        out
    }
}
