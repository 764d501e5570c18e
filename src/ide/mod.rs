//! Editor features as plain data: what is under the cursor, where it leads,
//! what to complete, the outline. Byte offsets in, byte ranges out; no LSP
//! types and no IO (disk knowledge arrives through `FileFacts` and the
//! in-memory `FileIndex`).

pub mod change;
pub mod completion;
pub mod history;
pub mod semantic;
pub mod xref;

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::analysis::facts::{FileFacts, Resolution};
use crate::analysis::{Diagnostic, Fix};
use crate::document::{Chunk, Document};
use crate::model::{FieldKind, FileRef, LineSpan, RefForm};

/// A reference under the cursor, with absolute ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefHit {
    pub r: FileRef,
    /// The path as written (the text at `r.path_range`).
    pub path: String,
    /// Absolute range of the reference as written.
    pub range: Range<usize>,
}

/// The file reference at `offset`, if any.
pub fn ref_at(doc: &Document, offset: usize) -> Option<RefHit> {
    let c = &doc.chunks()[doc.chunk_index(offset)];
    let rel = offset.checked_sub(c.start)?;
    c.model
        .refs
        .iter()
        .find(|r| {
            r.range.start <= rel && rel <= r.range.end || r.path_range.start <= rel && rel <= r.path_range.end && r.form != RefForm::Nested
        })
        .map(|r| RefHit { r: r.clone(), path: doc.slice(c.abs(&r.path_range)).into_owned(), range: c.abs(&r.range) })
}

/// An entry heading by version: (version, absolute heading line range).
pub fn entry_heading(doc: &Document, version: u32) -> Option<Range<usize>> {
    doc.chunks().iter().find_map(|c| {
        let h = c.model.heading.as_ref()?;
        (h.version.as_ref()?.0 == version).then(|| c.abs(&h.line))
    })
}

/// A version mention (`v2`) at `offset`: (version, absolute range).
pub fn mention_at(doc: &Document, offset: usize) -> Option<(u32, Range<usize>)> {
    let c = &doc.chunks()[doc.chunk_index(offset)];
    let rel = offset.checked_sub(c.start)?;
    c.model.mentions.iter().find(|m| m.range.start <= rel && rel <= m.range.end).map(|m| (m.version, c.abs(&m.range)))
}

/// Where go-to-definition leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file, with the referenced lines if any.
    File { path: PathBuf, lines: Option<LineSpan> },
    /// A place in this document (an entry heading).
    Here(Range<usize>),
}

/// Definition targets at `offset`, with the origin range.
pub fn definition(doc: &Document, offset: usize, log: Option<&Path>, facts: &dyn FileFacts) -> Option<(Range<usize>, Vec<Target>)> {
    if let Some(hit) = ref_at(doc, offset) {
        let log = log?;
        let Resolution::Found(files) = facts.resolve(log, &hit.path) else { return None };
        let lines = hit.r.lines.as_ref().map(|(s, _)| *s).filter(|s| s.is_valid());
        let targets = files.into_iter().map(|path| Target::File { path, lines }).collect();
        return Some((hit.range, targets));
    }
    let (v, range) = mention_at(doc, offset)?;
    let target = entry_heading(doc, v)?;
    Some((range, vec![Target::Here(target)]))
}

/// What a hover shows, before any file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoverTarget {
    /// A reference: its resolved files (the LSP layer reads the preview).
    Reference { range: Range<usize>, written: String, files: Vec<PathBuf>, lines: Option<LineSpan> },
    /// Ready Markdown (versions, tags, labels).
    Text { range: Range<usize>, markdown: String },
}

pub fn hover(doc: &Document, offset: usize, log: Option<&Path>, facts: &dyn FileFacts) -> Option<HoverTarget> {
    if let Some(hit) = ref_at(doc, offset) {
        let res = log.map(|l| facts.resolve(l, &hit.path));
        let markdown = match res {
            Some(Resolution::Found(files)) => {
                return Some(HoverTarget::Reference {
                    range: hit.range,
                    written: hit.path.clone(),
                    files,
                    lines: hit.r.lines.as_ref().map(|(s, _)| *s),
                })
            }
            Some(Resolution::Outside) => format!("`{}` is outside the workspace; it is never read.", hit.path),
            Some(Resolution::NotFound) => format!("`{}` does not exist in the workspace.", hit.path),
            _ => format!("`{}`", hit.path),
        };
        return Some(HoverTarget::Text { range: hit.range, markdown });
    }
    if let Some((v, range)) = mention_at(doc, offset) {
        let c = doc.chunks().iter().find(|c| c.model.version() == Some(v))?;
        let h = c.model.heading.as_ref()?;
        let mut md = format!("**{}**", doc.slice(c.abs(&h.line)).trim_start_matches('#').trim());
        for k in [FieldKind::Now, FieldKind::Progress] {
            if let Some(f) = c.model.field(k) {
                md.push_str(&format!("\n\n**{}:** {}", k.label(), doc.slice(c.abs(&f.value))));
            }
        }
        return Some(HoverTarget::Text { range, markdown: md });
    }
    let c = &doc.chunks()[doc.chunk_index(offset)];
    let rel = offset.checked_sub(c.start)?;
    for f in &c.model.fields {
        if f.label.range.start <= rel && rel <= f.label.range.end {
            let k = f.label.kind?;
            return Some(HoverTarget::Text { range: c.abs(&f.label.range), markdown: format!("**{}** — {}", k.label(), k.doc()) });
        }
        for it in c.model.items_of(f) {
            if let Some(t) = &it.tag {
                if t.range.start <= rel && rel <= t.range.end {
                    let md = match crate::model::Priority::parse(
                        &doc.slice(c.start + t.range.start + 1..(c.start + t.range.end).saturating_sub(1)),
                    ) {
                        Some(crate::model::Priority::High) => "**[HIGH]** — do next: blocks the hand-off's goal.",
                        Some(crate::model::Priority::Med) => "**[MED]** — should be done in this piece of work.",
                        Some(crate::model::Priority::Low) => "**[LOW]** — nice to have; may be deferred.",
                        None => "Not a priority: use `[HIGH]`, `[MED]` or `[LOW]`.",
                    };
                    return Some(HoverTarget::Text { range: c.abs(&t.range), markdown: md.into() });
                }
            }
        }
    }
    None
}

/// Markdown for a reference hover, from the lines read by the caller.
pub fn render_preview(written: &str, lines: Option<LineSpan>, preview: &[String], total: usize, truncated: bool) -> String {
    let lang = language_for(written);
    let head = match lines {
        Some(s) if s.start == s.end => format!("**{written}** — line {} of {total}", s.start),
        Some(s) => format!("**{written}** — lines {}–{} of {total}", s.start, s.end),
        None => format!("**{written}** — {total} lines"),
    };
    let fence = if preview.iter().any(|l| l.contains("```")) { "~~~~" } else { "```" };
    let mut md = format!("{head}\n\n{fence}{lang}\n");
    for l in preview {
        md.push_str(l);
        md.push('\n');
    }
    md.push_str(fence);
    if truncated {
        md.push_str("\n\n*(cut: the range is longer than the preview)*");
    }
    md
}

/// Markdown fence language for a path's extension.
pub fn language_for(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "rs" => "rust",
        "ts" | "mts" | "cts" => "typescript",
        "tsx" => "tsx",
        "js" | "mjs" | "cjs" => "javascript",
        "jsx" => "jsx",
        "py" => "python",
        "go" => "go",
        "java" => "java",
        "kt" | "kts" => "kotlin",
        "c" | "h" => "c",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" => "cpp",
        "cs" => "csharp",
        "rb" => "ruby",
        "sh" | "bash" => "bash",
        "sql" => "sql",
        "toml" => "toml",
        "json" => "json",
        "yaml" | "yml" => "yaml",
        "md" => "markdown",
        "html" => "html",
        "css" => "css",
        "swift" => "swift",
        "lua" => "lua",
        "php" => "php",
        _ => "",
    }
}

/// One item of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: Range<usize>,
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Frontmatter,
    Title,
    Entry,
    Field,
    /// A run of older entries of a long log, listed as one item.
    OlderEntries,
}

/// How many entries the outline lists one by one, counted from the latest.
/// Older ones are grouped (see [`symbols`]): every item costs the client
/// and the protocol, and a 5,000-entry outline was a 1.7 MB answer taking
/// 100 ms to serialise. Any entry is still reachable by name through
/// [`entry_symbols`] (workspace symbols).
pub const OUTLINE_ENTRIES: usize = 40;

/// In a log with more than [`OUTLINE_ENTRIES`] entries, the entries whose
/// fields the outline lists, counted from the latest.
pub const OUTLINE_FIELDS_OF_LATEST: usize = 3;

/// At most this many groups of older entries.
pub const OUTLINE_GROUPS: usize = 20;

/// The outline: frontmatter, title, then each entry with its fields.
///
/// A log of more than [`OUTLINE_ENTRIES`] entries lists its latest
/// [`OUTLINE_ENTRIES`] entries, with fields for the latest
/// [`OUTLINE_FIELDS_OF_LATEST`]; the older entries come first as at most
/// [`OUTLINE_GROUPS`] items of consecutive entries (`v1–v248`), each spanning
/// its entries, so the outline still covers the whole log.
pub fn symbols(doc: &Document) -> Vec<Symbol> {
    let chunks = doc.chunks();
    let entries = chunks.iter().filter(|c| c.summary.entry).count();
    let listed_from = entries.saturating_sub(OUTLINE_ENTRIES);
    let fields_from = if entries > OUTLINE_ENTRIES { entries - OUTLINE_FIELDS_OF_LATEST } else { 0 };
    let group_size = listed_from.div_ceil(OUTLINE_GROUPS).max(1);
    let mut out = Vec::new();
    let mut entry_no = 0;
    let mut group: Option<(usize, usize, usize)> = None; // (first chunk, last chunk, entries)
    let flush = |group: &mut Option<(usize, usize, usize)>, out: &mut Vec<Symbol>| {
        if let Some((first, last, _)) = group.take() {
            out.push(older_entries(doc, &chunks[first], &chunks[last]));
        }
    };
    for (i, c) in chunks.iter().enumerate() {
        // Grouped entries are decided from the inline summary alone: their
        // models (behind an `Arc` each) are not touched.
        if c.summary.entry && entry_no < listed_from {
            entry_no += 1;
            group = match group {
                Some((first, _, n)) if n < group_size => Some((first, i, n + 1)),
                mut other => {
                    flush(&mut other, &mut out);
                    Some((i, i, 1))
                }
            };
            continue;
        }
        let m = &c.model;
        let abs = |r: &Range<usize>| c.abs(r);
        if let Some(f) = &m.frontmatter {
            let detail = ["version", "status"].iter().filter_map(|k| f.get(k).map(|e| e.value.clone())).collect::<Vec<_>>().join(" · ");
            out.push(Symbol {
                name: "frontmatter".into(),
                detail: Some(detail),
                kind: SymbolKind::Frontmatter,
                range: abs(&f.range),
                selection: abs(&f.open_line),
                children: vec![],
            });
        }
        if let Some(t) = &m.title {
            out.push(Symbol {
                name: doc.slice(abs(t)).into_owned(),
                detail: None,
                kind: SymbolKind::Title,
                range: abs(t),
                selection: abs(t),
                children: vec![],
            });
        }
        let Some(h) = &m.heading else { continue };
        entry_no += 1;
        flush(&mut group, &mut out);
        let with_fields = entry_no > fields_from;
        let children = if with_fields { m.fields.iter().map(|f| field_symbol(doc, c, f)).collect() } else { Vec::new() };
        out.push(Symbol {
            name: entry_label(doc, c, h),
            detail: h.title.as_ref().map(|t| doc.slice(abs(t)).into_owned()),
            kind: SymbolKind::Entry,
            range: c.start..c.end(),
            selection: abs(&h.line),
            children,
        });
    }
    flush(&mut group, &mut out);
    out
}

/// What an entry says it is, for symbol pickers that show only the name:
/// `v3 · 2025-11-13 · Refresh Strategy Decided` (the parts it has), or the
/// heading's text when it has no version.
fn entry_label(doc: &Document, c: &Chunk, h: &crate::model::EntryHeading) -> String {
    let Some((v, _)) = &h.version else { return entry_name(doc, c, h) };
    let mut parts = vec![format!("v{v}")];
    if let Some(d) = &h.date {
        parts.push(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
    }
    if let Some(t) = &h.title {
        parts.push(doc.slice(c.abs(t)).into_owned());
    }
    parts.join(" · ")
}

/// `v12`, or the heading's text when it has no version.
fn entry_name(doc: &Document, c: &Chunk, h: &crate::model::EntryHeading) -> String {
    match &h.version {
        Some((v, _)) => format!("v{v}"),
        None => doc.slice(c.abs(&h.line)).trim_start_matches('#').trim().to_string(),
    }
}

fn field_symbol(doc: &Document, c: &Chunk, f: &crate::model::Field) -> Symbol {
    let abs = |r: &Range<usize>| c.abs(r);
    let value = doc.slice(abs(&f.value));
    let detail = (!value.is_empty()).then(|| value.chars().take(80).collect());
    let name = f.label.kind.map_or_else(|| doc.slice(abs(&f.label.name_range)).into_owned(), |k| k.label().to_string());
    Symbol { name, detail, kind: SymbolKind::Field, range: abs(&f.extent), selection: abs(&f.label.range), children: vec![] }
}

/// One outline item for the entries from `first` to `last` (entry chunks).
fn older_entries(doc: &Document, first: &Chunk, last: &Chunk) -> Symbol {
    let name = |c: &Chunk| c.model.heading.as_ref().map(|h| entry_name(doc, c, h)).unwrap_or_default();
    let (a, b) = (name(first), name(last));
    let selection = first.model.heading.as_ref().map_or(first.start..first.start, |h| first.abs(&h.line));
    Symbol {
        name: if a == b { a } else { format!("{a}–{b}") },
        detail: Some("older entries".into()),
        kind: SymbolKind::OlderEntries,
        range: first.start..last.end(),
        selection,
        children: vec![],
    }
}

/// The entries of `doc` whose name (`v12`) or title contains every word of
/// `query` (case-insensitive; the empty query matches every entry), newest
/// first, at most `limit`: workspace symbols, which reach every entry of a
/// log however long its outline.
pub fn entry_symbols(doc: &Document, query: &str, limit: usize) -> Vec<Symbol> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    // `v12` or `12` alone names one entry: it comes first.
    let exact_version = match words.as_slice() {
        [w] => w.strip_prefix('v').unwrap_or(w).parse::<u32>().ok(),
        _ => None,
    };
    let (mut exact, mut rest) = (Vec::new(), Vec::new());
    for c in doc.chunks().iter().rev() {
        let Some(h) = &c.model.heading else { continue };
        let is_exact = exact_version.is_some() && h.version.as_ref().map(|(v, _)| *v) == exact_version;
        if !is_exact && rest.len() >= limit {
            continue;
        }
        let name = entry_name(doc, c, h);
        let title = h.title.as_ref().map(|t| doc.slice(c.abs(t)).into_owned());
        let hay = format!("{name} {}", title.as_deref().unwrap_or_default()).to_lowercase();
        if is_exact || words.iter().all(|w| hay.contains(w.as_str())) {
            let selection = c.abs(&h.line);
            let symbol = Symbol {
                name: entry_label(doc, c, h),
                detail: title,
                kind: SymbolKind::Entry,
                range: c.start..c.end(),
                selection,
                children: vec![],
            };
            if is_exact {
                exact.push(symbol)
            } else {
                rest.push(symbol)
            }
        }
    }
    exact.extend(rest);
    exact.truncate(limit);
    exact
}

/// Folding ranges (byte ranges): entries, fields, code blocks, frontmatter.
pub fn folding(doc: &Document) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for c in doc.chunks() {
        let m = &c.model;
        let abs = |r: &Range<usize>| c.abs(r);
        if let Some(f) = &m.frontmatter {
            out.push(abs(&f.range));
        }
        if m.heading.is_some() {
            out.push(c.start..c.end());
        }
        for f in &m.fields {
            out.push(abs(&f.extent));
        }
        for b in &m.code_blocks {
            out.push(abs(b));
        }
    }
    out
}

/// A document link: the written reference and the file (and line) it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLink {
    pub range: Range<usize>,
    pub file: PathBuf,
    pub line: Option<u32>,
}

/// Links for every reference that resolves to exactly one file.
pub fn links(doc: &Document, log: &Path, facts: &dyn FileFacts) -> Vec<DocLink> {
    let mut out = Vec::new();
    let mut memo = std::collections::HashMap::new();
    for c in doc.chunks() {
        for r in &c.model.refs {
            let path = doc.slice(c.abs(&r.path_range));
            let res = memo.entry(path).or_insert_with_key(|p| facts.resolve(log, p));
            if let Resolution::Found(files) = res {
                if files.len() == 1 {
                    let line = r.lines.as_ref().map(|(s, _)| s.start).filter(|&l| l > 0);
                    out.push(DocLink { range: c.abs(&r.range), file: files[0].clone(), line });
                }
            }
        }
    }
    out
}

/// Quick fixes of the diagnostics that overlap `range`.
pub fn fixes<'a>(diags: &'a [Diagnostic], range: &Range<usize>) -> Vec<(&'a Diagnostic, &'a Fix)> {
    diags
        .iter()
        .filter(|d| d.range.start <= range.end && range.start <= d.range.end)
        .flat_map(|d| d.fixes.iter().map(move |f| (d, f)))
        .collect()
}

/// Selection ranges at `offset`: tree nodes innermost first, then the field,
/// the entry and the whole document. Needs the chunk's trees.
pub fn selection(doc: &Document, offset: usize) -> Vec<Range<usize>> {
    let c = &doc.chunks()[doc.chunk_index(offset)];
    let rel = offset.saturating_sub(c.start);
    let mut out: Vec<Range<usize>> =
        c.trees.as_ref().map(|t| t.enclosing_ranges(rel).into_iter().map(|r| c.abs(&r)).collect()).unwrap_or_default();
    if let Some(f) = c.model.fields.iter().find(|f| f.extent.contains(&rel)) {
        out.push(c.abs(&f.extent));
    }
    out.push(c.start..c.end());
    out.push(0..doc.len());
    // Keep a strictly growing chain: smallest first, each containing the last.
    out.sort_by_key(|r| (r.len(), std::cmp::Reverse(r.start)));
    let mut chain: Vec<Range<usize>> = Vec::new();
    for r in out {
        if chain.last().is_none_or(|l| r.start <= l.start && r.end >= l.end && r != *l) {
            chain.push(r);
        }
    }
    chain
}
