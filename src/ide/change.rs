//! A change to the workspace as plain data (rust-analyzer's `SourceChange`
//! is the model): text edits over several documents, by path, and file
//! operations (create a file with its text, rename a file or folder).
//!
//! Edits carry their positions ([`Span`]: byte range, and line and column in
//! UTF-8 and UTF-16), computed where the text was at hand — from an open
//! document's rope, or from a log read off disk when it was indexed — so that
//! the protocol edge can convert a change over documents it never opened.
//! `lsp::to_proto` turns it into a `WorkspaceEdit` as the client's
//! capabilities allow.

use std::ops::Range;
use std::path::PathBuf;

use ropey::Rope;

use crate::analysis::Fix;

/// A position: 0-based line, column in UTF-8 bytes and in UTF-16 units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub utf8: u32,
    pub utf16: u32,
}

/// A byte range with its positions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub bytes: Range<usize>,
    pub start: LineCol,
    pub end: LineCol,
}

impl Span {
    /// The span of `bytes` in `rope` (clamped, snapped back to a char
    /// boundary; lines end at `\n`, `\r\n` or a lone `\r`, as the rope counts them).
    pub fn of(rope: &Rope, bytes: Range<usize>) -> Span {
        let start = line_col(rope, bytes.start);
        let end = if bytes.end <= bytes.start { start } else { line_col(rope, bytes.end) };
        let s = bytes.start.min(rope.len_bytes());
        Span { bytes: s..bytes.end.clamp(s, rope.len_bytes()), start, end }
    }

    /// The empty span at the start of a document.
    pub fn start_of_file() -> Span {
        Span::default()
    }
}

/// The position of byte `offset` in `rope`.
pub fn line_col(rope: &Rope, offset: usize) -> LineCol {
    let offset = crate::document::char_floor(rope, offset);
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let utf16 = rope.char_to_utf16_cu(rope.byte_to_char(offset)) - rope.char_to_utf16_cu(rope.byte_to_char(line_start));
    LineCol { line: line as u32, utf8: (offset - line_start) as u32, utf16: utf16 as u32 }
}

/// One replacement in one document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// The edits of one existing document, sorted, not overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdits {
    /// Absolute path (canonical) of the document as it is before the change.
    pub path: PathBuf,
    pub edits: Vec<Edit>,
}

/// A file operation, applied after every text edit, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// Create a new file with this text; never overwrites an existing one.
    Create { path: PathBuf, text: String },
    /// Rename (move) a file or folder; never overwrites an existing one.
    Rename { from: PathBuf, to: PathBuf },
}

/// Text edits over several documents, then file operations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceChange {
    /// By path, in the order first edited.
    pub files: Vec<FileEdits>,
    pub ops: Vec<FileOp>,
}

impl SourceChange {
    /// A change of one document made of byte-range edits on `rope`.
    pub fn edits(path: PathBuf, rope: &Rope, edits: impl IntoIterator<Item = (Range<usize>, String)>) -> SourceChange {
        let mut change = SourceChange::default();
        for (r, text) in edits {
            change.insert(path.clone(), Edit { span: Span::of(rope, r), text });
        }
        change
    }

    /// A quick fix of the document at `path` (a [`Fix`] is a change of one document).
    pub fn from_fix(path: PathBuf, rope: &Rope, fix: &Fix) -> SourceChange {
        SourceChange::edits(path, rope, fix.edits.iter().cloned())
    }

    /// Adds an edit of `path`, keeping each document's edits sorted; an edit
    /// overlapping one already there is dropped (the first one wins).
    pub fn insert(&mut self, path: PathBuf, edit: Edit) {
        let i = match self.files.iter().position(|f| f.path == path) {
            Some(i) => i,
            None => {
                self.files.push(FileEdits { path, edits: Vec::new() });
                self.files.len() - 1
            }
        };
        let edits = &mut self.files[i].edits;
        let at = edits.partition_point(|e| (e.span.bytes.start, e.span.bytes.end) <= (edit.span.bytes.start, edit.span.bytes.end));
        let overlaps = |e: &Edit| e.span.bytes.start < edit.span.bytes.end && edit.span.bytes.start < e.span.bytes.end;
        let touches_insert = |e: &Edit| e.span.bytes == edit.span.bytes && e.span.bytes.is_empty();
        if edits.iter().any(|e| overlaps(e) || touches_insert(e)) {
            return;
        }
        edits.insert(at, edit);
    }

    pub fn push_op(&mut self, op: FileOp) {
        self.ops.push(op);
    }

    pub fn is_empty(&self) -> bool {
        self.files.iter().all(|f| f.edits.is_empty()) && self.ops.is_empty()
    }

    /// Whether the change needs file operations (a client that cannot do
    /// them gets no such change).
    pub fn has_ops(&self) -> bool {
        !self.ops.is_empty()
    }

    /// The number of text edits over all documents.
    pub fn edit_count(&self) -> usize {
        self.files.iter().map(|f| f.edits.len()).sum()
    }

    /// Merges `other` into `self` (its edits, then its operations after ours).
    pub fn extend(&mut self, other: SourceChange) {
        for f in other.files {
            for e in f.edits {
                self.insert(f.path.clone(), e);
            }
        }
        self.ops.extend(other.ops);
    }
}

impl Fix {
    /// This fix as a change of the document at `path`.
    pub fn into_change(&self, path: PathBuf, rope: &Rope) -> SourceChange {
        SourceChange::from_fix(path, rope, self)
    }
}

/// Applies the edits of one document to its text (tests, the CLI): byte
/// ranges, clamped; an edit that is not on char boundaries is skipped.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    crate::diagnostic::apply_in_order(text, edits.iter().map(|e| (e.span.bytes.clone(), e.text.as_str())))
}
