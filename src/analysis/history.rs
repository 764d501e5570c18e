//! History checks (spec §4b): `range-moved`, `range-changed`,
//! `range-removed`, from the facts git history gave each reference
//! ([`FileFacts::history`]). A history code replaces `file-not-found` and
//! `range-out-of-bounds` on the same reference: one diagnostic per reference.

use std::sync::Arc;

use crate::document::Document;
use crate::model::FileRef;

use super::facts::{Anchor, HistoryFact, HistoryOutcome, HistoryQuery};
use super::{restyle_range, Code, Context, Diagnostic, Fix};

/// The history fact of a reference, if one is known.
pub fn fact_of(doc: &Document, cx: &Context<'_>, chunk: &crate::document::Chunk, r: &FileRef) -> Option<Arc<HistoryFact>> {
    let log = cx.path?;
    if r.exempt || r.lines.as_ref().is_some_and(|(span, _)| !span.is_valid()) {
        return None;
    }
    let at = chunk.abs(&r.range);
    let token = doc.slice(at.clone());
    cx.facts.history(log, &HistoryQuery { at: at.start, token: &token })
}

/// Adds the history diagnostics of every entry; drops the disk diagnostics
/// they replace.
pub fn history_checks(doc: &Document, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(log) = cx.path else { return };
    if cx.config.history == crate::config::HistoryMode::Off {
        return;
    }
    let mut replaced = Vec::new();
    let chunks = doc.chunks();
    for at in cx.facts.history_offsets(log) {
        if at >= doc.len() {
            continue;
        }
        let c = &chunks[doc.chunk_index(at)];
        if c.model.heading.is_none() {
            continue;
        }
        // The reference written at that offset, if the text still has one.
        let Some(r) = c.model.refs.iter().find(|r| c.start + r.range.start == at) else { continue };
        let Some(fact) = fact_of(doc, cx, c, r) else { continue };
        if let Some(d) = diagnostic(doc, c, r, &fact) {
            replaced.push(c.abs(&r.range));
            out.push(d);
        }
    }
    if !replaced.is_empty() {
        out.retain(|d| {
            !(matches!(d.code, Code::FileNotFound | Code::RangeOutOfBounds)
                && replaced.iter().any(|r| r.start <= d.range.start && d.range.end <= r.end))
        });
    }
}

/// A reference to a whole file that is gone: renamed (`range-moved`, the
/// preferred fix writes the new path) or deleted (`range-removed`).
fn whole_file(c: &crate::document::Chunk, r: &FileRef, path_text: &str, fact: &HistoryFact) -> Option<Diagnostic> {
    let at = c.abs(&r.range);
    let anchor = anchor_text(&fact.anchor);
    Some(match &fact.outcome {
        HistoryOutcome::Renamed { path } => {
            Diagnostic::new(Code::RangeMoved, at, format!("`{path_text}` was renamed to `{path}` since this was written ({anchor})."))
                .with_fix(Fix { title: format!("Update to `{path}`"), edits: vec![(c.abs(&r.path_range), path.clone())], preferred: true })
        }
        HistoryOutcome::Removed { commit, date, .. } => {
            let by = match (commit, date) {
                (Some(c), Some(d)) => format!("in {c} ({d})"),
                (Some(c), None) => format!("in {c}"),
                _ => "by changes not committed yet".to_string(),
            };
            Diagnostic::new(Code::RangeRemoved, at, format!("`{path_text}` was deleted {by}, after this was written ({anchor})."))
        }
        _ => return None,
    })
}

/// "a1b2c3d, 2025-11-13" (and "by date" when the anchor came from the
/// entry's date rather than blame).
pub fn anchor_text(a: &Anchor) -> String {
    if a.by_blame {
        format!("{}, {}", a.commit, a.date)
    } else {
        format!("{}, {}, by the entry's date", a.commit, a.date)
    }
}

fn lines_text(start: u32, end: u32) -> String {
    if start == end {
        format!("line {start}")
    } else {
        format!("lines {start}-{end}")
    }
}

fn diagnostic(doc: &Document, c: &crate::document::Chunk, r: &FileRef, fact: &HistoryFact) -> Option<Diagnostic> {
    let at = c.abs(&r.range);
    let path_text = doc.slice(c.abs(&r.path_range));
    let Some((span, lines_at)) = r.lines.as_ref() else { return whole_file(c, r, &path_text, fact) };
    let written_lines = doc.slice(c.abs(lines_at));
    let anchor = anchor_text(&fact.anchor);
    let was = lines_text(span.start, span.end);
    // The edits that make the reference say `path`, `start..=end`.
    let update = |path: &Option<String>, start: u32, end: u32| -> Option<Vec<(std::ops::Range<usize>, String)>> {
        let mut edits = vec![(c.abs(lines_at), restyle_range(&written_lines, start, end))];
        if let Some(p) = path {
            if r.form == crate::model::RefForm::Nested {
                return None; // the path is the bullet's, shared with its other ranges
            }
            edits.insert(0, (c.abs(&r.path_range), p.clone()));
        }
        Some(edits)
    };
    let in_file = |path: &Option<String>| path.as_ref().map(|p| format!(" of `{p}` (renamed)")).unwrap_or_default();
    Some(match &fact.outcome {
        HistoryOutcome::Unchanged | HistoryOutcome::Renamed { .. } => return None,
        HistoryOutcome::Moved { path, start, end } => {
            let now = lines_text(*start, *end);
            let mut d = Diagnostic::new(
                Code::RangeMoved,
                at,
                format!("Unchanged since written ({anchor}), now {now}{}; written as {was}.", in_file(path)),
            );
            if let Some(edits) = update(path, *start, *end) {
                let target = match path {
                    Some(p) => format!("{p}:{}", restyle_range(&written_lines, *start, *end)),
                    None => restyle_range(&written_lines, *start, *end),
                };
                d = d.with_fix(Fix { title: format!("Update to `{target}`"), edits, preferred: true });
            }
            d
        }
        HistoryOutcome::Changed { path, remain, of, start, end } => {
            let mut d = Diagnostic::new(
                Code::RangeChanged,
                at,
                format!(
                    "Changed since written ({anchor}): {remain} of {of} lines remain, around {}{}.",
                    lines_text(*start, *end),
                    in_file(path)
                ),
            );
            if remain * 2 >= *of {
                if let Some(edits) = update(path, *start, *end) {
                    let new = restyle_range(&written_lines, *start, *end);
                    d = d.with_fix(Fix { title: format!("Update to about `{new}` (approximate)"), edits, preferred: false });
                }
            }
            d
        }
        HistoryOutcome::Removed { commit, date, file } => {
            let by = match (commit, date) {
                (Some(c), Some(d)) => format!("in {c} ({d})"),
                (Some(c), None) => format!("in {c}"),
                _ => "by changes not committed yet".to_string(),
            };
            let what = if *file {
                format!("`{path_text}` was deleted")
            } else if span.start == span.end {
                "This line was removed".to_string()
            } else {
                format!("These {} lines were removed", span.end - span.start + 1)
            };
            Diagnostic::new(Code::RangeRemoved, at, format!("{what} {by}, after this was written ({anchor})."))
        }
    })
}
