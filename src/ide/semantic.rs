//! Semantic tokens as plain data: what each meaningful piece of a Work Log
//! is, as absolute byte ranges in document order, for editors to colour.
//!
//! The kinds map onto the **standard** LSP token types and modifiers (so
//! themes colour them without configuration; `src/lsp/semantic.rs` holds
//! the legend and the encoding):
//!
//! | what | kind | standard type (modifiers) |
//! |---|---|---|
//! | frontmatter key, known field label (`**Now:**`) | `Key`, `Label` | `property` |
//! | an open `[HIGH]` item's tag | `High` | `keyword` |
//! | other priority tags (`[MED]`, `[LOW]`, a done `[HIGH]`), a valid status | `Priority`, `Status` | `enumMember` |
//! | an entry heading's `v3` | `Version` | `number` (`declaration`) |
//! | the frontmatter version, a mention `v3` in prose | `Version` | `number` |
//! | a reference's path / its line range | `Path`, `Lines` | `string` / `number` |
//! | an elision `[... v1, v2 entries ...]` | `Elision` | `comment` |
//!
//! A document that is not a Work Log (spec §1) gets no token: a README
//! stays as the Markdown grammar colours it. Tokens never overlap; a token
//! never spans a line break except an elision, which the encoder splits.

use crate::model::Priority;
use std::ops::Range;
use std::path::Path;

use crate::analysis::status::item_is_done;
use crate::analysis::{is_work_log, STATUSES};
use crate::config::Config;
use crate::document::Document;

/// What a token is (each maps to one standard token type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A frontmatter key.
    Key,
    /// A known field label, the whole `**Label:**`.
    Label,
    /// The tag of an open `[HIGH]` item: what to do first stands out.
    High,
    /// Any other valid priority tag, or a `[HIGH]` that is done.
    Priority,
    /// A valid status (the frontmatter's `status:` value).
    Status,
    /// `v3` in an entry heading (a declaration), the frontmatter or prose.
    Version,
    /// The path of a file reference, as written.
    Path,
    /// The line range of a file reference (`84-120`, `L10-L20`).
    Lines,
    /// `[... v1, v2 entries ...]`.
    Elision,
}

/// One token: an absolute byte range of the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    pub range: Range<usize>,
    pub kind: Kind,
    /// The entry heading's own version (the `declaration` modifier).
    pub declaration: bool,
}

/// The tokens of a document, sorted, non-overlapping; none unless it is a
/// Work Log.
pub fn tokens(doc: &Document, config: &Config, path: Option<&Path>) -> Vec<Token> {
    tokens_in(doc, &doc.text(), config, path)
}

/// [`tokens`] with the document's text at hand (`doc.text()`, which the
/// encoder needs too: one copy per request, not one per entry).
pub fn tokens_in(doc: &Document, text: &str, config: &Config, path: Option<&Path>) -> Vec<Token> {
    if !is_work_log(doc, config, path) {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(doc.chunks().len() * 24);
    let mut local: Vec<Token> = Vec::with_capacity(64);
    for c in doc.chunks() {
        let m = &c.model;
        let chunk_text = text.get(c.start..c.end()).unwrap_or("");
        local.clear();
        let mut push = |r: &Range<usize>, kind: Kind, declaration: bool| {
            if !r.is_empty() {
                local.push(Token { range: c.abs(r), kind, declaration });
            }
        };
        if let Some(f) = m.frontmatter.as_ref().filter(|f| f.closed) {
            for e in &f.entries {
                push(&e.key_range, Kind::Key, false);
                match e.key.as_str() {
                    "version" if is_version(&e.value) => push(&e.value_range, Kind::Version, false),
                    "status" if STATUSES.contains(&e.value.as_str()) => push(&e.value_range, Kind::Status, false),
                    _ => {}
                }
            }
        }
        if let Some((_, r)) = m.heading.as_ref().filter(|h| h.problem.is_none()).and_then(|h| h.version.as_ref()) {
            push(r, Kind::Version, true);
        }
        for l in m.labels.iter().filter(|l| l.kind.is_some()) {
            push(&l.range, Kind::Label, false);
        }
        for item in &m.items {
            let Some(tag) = &item.tag else { continue };
            let kind = match tag.priority(chunk_text) {
                Some(Priority::High) if !item_is_done(item, chunk_text) => Kind::High,
                Some(_) => Kind::Priority,
                None => continue,
            };
            push(&tag.range, kind, false);
        }
        for mention in &m.mentions {
            push(&mention.range, Kind::Version, false);
        }
        for r in &m.refs {
            if r.form != crate::model::RefForm::Nested {
                push(&r.path_range, Kind::Path, false);
            }
            if let Some((_, at)) = &r.lines {
                push(at, Kind::Lines, false);
            }
        }
        for e in &m.elisions {
            push(&e.range, Kind::Elision, false);
        }
        local.sort_unstable_by_key(|t| (t.range.start, std::cmp::Reverse(t.range.end)));
        // The first (widest) token at a place wins; anything inside it goes.
        let mut end = 0;
        for t in local.drain(..) {
            if t.range.start >= end {
                end = t.range.end;
                out.push(t);
            }
        }
    }
    out
}

fn is_version(v: &str) -> bool {
    v.strip_prefix('v').is_some_and(|d| !d.is_empty() && d.len() < 10 && d.bytes().all(|b| b.is_ascii_digit()))
}
