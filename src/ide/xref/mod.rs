//! Across every log of the workspace (issue 12, item 6): each Work Log
//! reduced to what cross-log features need ([`LogSummary`]: its entries for
//! workspace symbols, its references with where they resolve), the set of
//! them ([`LogIndex`]), and pure queries: entries by name, references to a
//! file, how many other logs reference a log's files, and the edits that
//! follow a renamed or moved file or folder.
//!
//! Plain data. The summaries are made from text and a [`FileFacts`]; reading
//! the logs off disk is `workspace::logs`, building and refreshing the index
//! off the request path is the server's.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::analysis::facts::{FileFacts, Resolution};
use crate::config::Config;
use crate::document::Document;
use crate::model::RefForm;

use super::change::{Edit, FileOp, SourceChange, Span};

mod index;
pub use index::{LogIndex, Logs};

/// One entry of a log, for workspace symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySymbol {
    pub version: Option<u32>,
    /// `v3 · 2025-11-13 · Refresh Strategy Decided`.
    pub label: String,
    pub title: Option<String>,
    /// `v3 refresh strategy decided`, lower case: what a query matches.
    key: String,
    /// The heading line.
    pub heading: Span,
}

/// One file reference of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedRef {
    /// The path as written (for a nested `L47-82:`, its bullet's path).
    pub written: String,
    /// Where the path is written (for a nested range, the range itself).
    pub path: Span,
    /// The whole reference as written.
    pub range: Span,
    /// The line range, 1-based inclusive, if any.
    pub lines: Option<(u32, u32)>,
    /// The files it resolves to (absolute, canonical), or, when it resolves
    /// to nothing, the file it names relative to the project root.
    pub targets: Vec<PathBuf>,
    /// The path is written here (not a nested range): rename edits it.
    pub editable: bool,
    /// Relative to the log's own folder rather than the project root.
    pub from_log_folder: bool,
}

/// A Work Log reduced to what cross-log features need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSummary {
    /// Absolute, canonical.
    pub path: PathBuf,
    /// The log's project root (format contract §3), if it has one.
    pub root: Option<PathBuf>,
    pub entries: Vec<EntrySymbol>,
    pub refs: Vec<IndexedRef>,
}

/// Parses `text` and summarises it if it is a Work Log (recognition only:
/// look-alike Markdown gives `None`).
pub fn summarise_text(text: &str, path: &Path, root: Option<&Path>, config: &Config, facts: &dyn FileFacts) -> Option<LogSummary> {
    let doc = Document::new(text);
    crate::analysis::recognise(&doc, config, Some(path)).is_log().then(|| summarise(&doc, path, root, facts))
}

/// The summary of a log (the caller has recognised it).
pub fn summarise(doc: &Document, path: &Path, root: Option<&Path>, facts: &dyn FileFacts) -> LogSummary {
    let rope = doc.rope();
    let mut entries = Vec::new();
    let mut refs = Vec::new();
    let mut memo: BTreeMap<String, (Vec<PathBuf>, bool)> = BTreeMap::new();
    for c in doc.chunks() {
        if let Some(h) = &c.model.heading {
            let name = crate::ide::entry_name(doc, c, h);
            let title = h.title.as_ref().map(|t| doc.slice(c.abs(t)).into_owned());
            let key = format!("{name} {}", title.as_deref().unwrap_or_default()).to_lowercase();
            entries.push(EntrySymbol {
                version: h.version.as_ref().map(|(v, _)| *v),
                label: crate::ide::entry_label(doc, c, h),
                title,
                key,
                heading: Span::of(rope, c.abs(&h.line)),
            });
        }
        for r in &c.model.refs {
            let written = doc.slice(c.abs(&r.path_range)).into_owned();
            let (targets, from_log_folder) = memo.entry(written.clone()).or_insert_with(|| targets_of(path, root, &written, facts)).clone();
            if targets.is_empty() {
                continue;
            }
            let nested = r.form == RefForm::Nested;
            let path_bytes = if nested { c.abs(&r.range) } else { c.abs(&r.path_range) };
            refs.push(IndexedRef {
                written,
                path: Span::of(rope, path_bytes),
                range: Span::of(rope, c.abs(&r.range)),
                lines: r.lines.as_ref().map(|(s, _)| (s.start, s.end)),
                targets,
                editable: !nested,
                from_log_folder,
            });
        }
    }
    LogSummary { path: path.to_path_buf(), root: root.map(Path::to_path_buf), entries, refs }
}

/// Where a written path leads: the files it resolves to, else the file it
/// names below the project root; and whether it was found from the log's folder.
fn targets_of(log: &Path, root: Option<&Path>, written: &str, facts: &dyn FileFacts) -> (Vec<PathBuf>, bool) {
    let Some(root) = root else { return (Vec::new(), false) };
    match facts.resolve(log, written) {
        Resolution::Found(files) => {
            let from_root = lexical(root, written);
            let from_log = !files.iter().any(|f| Some(f) == from_root.as_ref()) && written.contains(['/', '\\']);
            (files, from_log)
        }
        Resolution::NotFound | Resolution::Unknown => (lexical(root, written).into_iter().collect(), false),
        Resolution::Outside => (Vec::new(), false),
    }
}

/// `root` joined with `written` lexically (`.` dropped, `..` applied), if it
/// stays strictly below the root and is not a bare file name.
pub fn lexical(root: &Path, written: &str) -> Option<PathBuf> {
    if !written.contains(['/', '\\']) || written.starts_with(['/', '\\', '~']) || written.as_bytes().get(1) == Some(&b':') {
        return None;
    }
    let mut steps: Vec<&str> = Vec::new();
    for s in written.split(['/', '\\']) {
        match s {
            "" | "." => {}
            ".." => {
                steps.pop()?;
            }
            s => steps.push(s),
        }
    }
    (!steps.is_empty()).then(|| steps.iter().fold(root.to_path_buf(), |p, s| p.join(s)))
}

/// An entry found by workspace symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundEntry<'a> {
    pub log: &'a Path,
    pub entry: &'a EntrySymbol,
}

/// Entries of every log whose name (`v12`) or title contains every word of
/// `query` (case-insensitive; the empty query matches all): an exact version
/// (`v12`, `12`) first, then newest first within each log, logs in path
/// order; at most `limit`.
pub fn find_entries<'a>(logs: &Logs<'a>, query: &str, limit: usize) -> Vec<FoundEntry<'a>> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let exact_version = match words.as_slice() {
        [w] => w.strip_prefix('v').unwrap_or(w).parse::<u32>().ok(),
        _ => None,
    };
    let (mut exact, mut rest) = (Vec::new(), Vec::new());
    let mut all: Vec<&LogSummary> = logs.iter().collect();
    // By bytes: cheaper than by component, and as stable an order.
    all.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    for log in all {
        for entry in log.entries.iter().rev() {
            let is_exact = exact_version.is_some() && entry.version == exact_version;
            if is_exact {
                exact.push(FoundEntry { log: &log.path, entry });
            } else if rest.len() < limit && words.iter().all(|w| entry.key.contains(w.as_str())) {
                rest.push(FoundEntry { log: &log.path, entry });
            }
        }
    }
    exact.extend(rest);
    exact.truncate(limit);
    exact
}

/// A reference found across the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRef<'a> {
    pub log: &'a Path,
    pub r: &'a IndexedRef,
    /// Its line range overlaps the one asked about.
    pub overlaps: bool,
}

/// Every reference to `target` (a file, or anything below it when it is a
/// folder) across the logs: those whose line range overlaps `lines` first,
/// then by log path and position.
pub fn references_to<'a>(logs: &Logs<'a>, target: &Path, lines: Option<(u32, u32)>) -> Vec<FoundRef<'a>> {
    let mut out = Vec::new();
    for log in logs.referencing(target) {
        for r in &log.refs {
            if r.targets.iter().any(|t| at_or_below(t, target)) {
                let overlaps = match (lines, r.lines) {
                    (Some((a, b)), Some((c, d))) => a <= d && c <= b,
                    _ => false,
                };
                out.push(FoundRef { log: &log.path, r, overlaps });
            }
        }
    }
    // Paths compared as bytes: cheaper than by component, and as stable.
    let key = |f: &FoundRef<'a>| (!f.overlaps, f.log.as_os_str().as_encoded_bytes(), f.r.range.bytes.start);
    out.sort_by(|a, b| key(a).cmp(&key(b)));
    out
}

/// `path` is `base` or lies below it (bytes, then a separator): what
/// `Path::starts_with` says for the canonical paths of the index, without
/// splitting both into components on every reference.
pub fn at_or_below(path: &Path, base: &Path) -> bool {
    let (p, b) = (path.as_os_str().as_encoded_bytes(), base.as_os_str().as_encoded_bytes());
    p.starts_with(b) && (p.len() == b.len() || matches!(p[b.len()], b'/' | b'\\') || b.ends_with(b"/"))
}

/// The logs other than `log` that reference a file `log` references, in
/// path order; other files of the same log (`Auth-WorkLog-v1.md` beside
/// `Auth-WorkLog-v4.md`: its history) do not count.
pub fn logs_sharing_files<'a>(logs: &Logs<'a>, log: &LogSummary) -> Vec<&'a Path> {
    let mine: BTreeSet<&PathBuf> = log.refs.iter().flat_map(|r| r.targets.iter()).collect();
    let same_log = |p: &Path| {
        let stem = |p: &Path| p.file_name().and_then(|n| n.to_str()).and_then(crate::handoff::name_stem);
        p.parent() == log.path.parent() && stem(p).is_some() && stem(p) == stem(&log.path)
    };
    let mut out: Vec<&'a Path> = Vec::new();
    for t in mine {
        for l in logs.referencing(t) {
            if l.path != log.path && !same_log(&l.path) && l.refs.iter().any(|r| r.targets.contains(t)) {
                out.push(&l.path);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The lens text for [`logs_sharing_files`]: `2 other logs reference these files`.
pub fn sharing_lens_text(n: usize) -> Option<String> {
    match n {
        0 => None,
        1 => Some("1 other log references these files".into()),
        n => Some(format!("{n} other logs reference these files")),
    }
}

/// The reference at byte `offset` of a summarised log (its path or the
/// whole reference).
pub fn ref_at(log: &LogSummary, offset: usize) -> Option<&IndexedRef> {
    let within = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    log.refs.iter().filter(|r| r.editable).find(|r| within(&r.path.bytes) || within(&r.range.bytes))
}

/// The edits that keep every reference right when `from` (a file or a
/// folder) becomes `to`, across the logs, plus how many references could not
/// follow (the new path would leave the log's project root, or could not be
/// written in the reference's form). Bare file names are rewritten only when
/// the file's name changes.
pub fn rename_edits(logs: &Logs<'_>, from: &Path, to: &Path) -> (SourceChange, usize) {
    let mut change = SourceChange::default();
    let mut skipped = 0;
    for log in logs.referencing(from) {
        let Some(root) = log.root.as_deref() else { continue };
        for r in log.refs.iter().filter(|r| r.editable) {
            // The one target under `from` (a bare name matching several files is ambiguous).
            let Some(old) = r.targets.iter().find(|t| at_or_below(t, from)) else { continue };
            if r.targets.len() > 1 {
                skipped += 1;
                continue;
            }
            let Ok(rest) = old.strip_prefix(from) else { continue };
            let new = if rest.as_os_str().is_empty() { to.to_path_buf() } else { to.join(rest) };
            match new_written(log, root, r, &new) {
                Some(Some(text)) => change.insert(log.path.clone(), Edit { span: r.path.clone(), text }),
                Some(None) => {}
                None => skipped += 1,
            }
        }
    }
    (change, skipped)
}

/// How `r` should be written to name `new`: `Some(None)` when it needs no
/// change, `None` when it cannot be written (outside the project root, or
/// a character its form cannot hold).
fn new_written(log: &LogSummary, root: &Path, r: &IndexedRef, new: &Path) -> Option<Option<String>> {
    let rel_root = relative(root, new)?;
    let text = if !r.written.contains(['/', '\\']) {
        let name = new.file_name()?.to_str()?.to_string();
        if name == r.written {
            return Some(None);
        }
        name
    } else if r.from_log_folder {
        let dir = log.path.parent()?;
        match relative_from(root, dir, new) {
            Some(rel) if r.written.starts_with("./") && !rel.starts_with("../") => format!("./{rel}"),
            Some(rel) => rel,
            None => rel_root,
        }
    } else {
        rel_root
    };
    if text.chars().any(|c| c.is_whitespace() || matches!(c, '`' | '(' | ')' | '<' | '>' | '[' | ']')) {
        return None;
    }
    Some((text != r.written).then_some(text))
}

/// `path` below `base` as a `/`-separated relative path (strictly below).
pub fn relative(base: &Path, path: &Path) -> Option<String> {
    let rest = path.strip_prefix(base).ok()?;
    let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
    let parts = parts?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `path` from the folder `dir`, both inside `root`, with `..` steps as
/// needed (never climbing above `root`).
fn relative_from(root: &Path, dir: &Path, path: &Path) -> Option<String> {
    let dir_rel = dir.strip_prefix(root).ok()?;
    let path_rel = path.strip_prefix(root).ok()?;
    let d: Vec<_> = dir_rel.components().collect();
    let p: Vec<_> = path_rel.components().collect();
    let common = d.iter().zip(&p).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; d.len() - common];
    for c in &p[common..] {
        parts.push(c.as_os_str().to_str()?);
    }
    (common < p.len()).then(|| parts.join("/"))
}

/// Whether `path` may be offered or written for a log: strictly inside its project root.
pub fn inside_root(log: &LogSummary, path: &Path) -> bool {
    log.root.as_deref().is_some_and(|root| relative(root, path).is_some())
}

/// The change for renaming the file a reference names (`textDocument/rename`
/// on a reference's path): `written` is the new path as the user typed it,
/// read from the same base as the reference. `None` when the reference
/// resolves to no single existing file, or the new path leaves the project
/// root or names an existing file (`exists` asks the caller).
pub fn rename_reference(
    logs: &Logs<'_>,
    log: &LogSummary,
    r: &IndexedRef,
    written: &str,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<SourceChange> {
    let [old] = r.targets.as_slice() else { return None };
    if !exists(old) {
        return None;
    }
    let root = log.root.as_deref()?;
    let written = written.trim();
    if written.is_empty() || matches!(written, "." | "..") || written.chars().any(|c| c.is_whitespace() || c.is_control() || c == '`') {
        return None;
    }
    let new = if !written.contains(['/', '\\']) {
        old.with_file_name(written)
    } else if r.from_log_folder {
        // From the log's folder, `..` may climb as far as the project root.
        match relative(root, log.path.parent()?) {
            Some(dir) => lexical(root, &format!("{dir}/{written}"))?,
            None => lexical(root, written)?,
        }
    } else {
        lexical(root, written)?
    };
    if !inside_root(log, &new) || new == *old || exists(&new) {
        return None;
    }
    let (mut change, _) = rename_edits(logs, old, &new);
    change.push_op(FileOp::Rename { from: old.clone(), to: new });
    Some(change)
}
