//! What git history says about the reference under the cursor (spec §4b),
//! for hover and go-to-definition: plain Markdown and plain targets.

use std::path::Path;
use std::sync::Arc;

use crate::analysis::facts::{FileFacts, HistoryFact, HistoryOutcome, Resolution};
use crate::analysis::Context;
use crate::document::Document;
use crate::model::LineSpan;

use super::{language_for, ref_at, Target};

/// The history fact of the reference at `offset`, with the entry's version.
fn fact_at(doc: &Document, offset: usize, cx: &Context<'_>) -> Option<(Option<u32>, String, Arc<HistoryFact>)> {
    if cx.config.history == crate::config::HistoryMode::Off {
        return None;
    }
    let hit = ref_at(doc, offset)?;
    let c = &doc.chunks()[doc.chunk_index(hit.range.start)];
    let r = c.model.refs.iter().find(|r| c.abs(&r.range) == hit.range)?;
    let fact = crate::analysis::history::fact_of(doc, cx, c, r)?;
    Some((c.summary.version, hit.path, fact))
}

fn lines_text(start: u32, end: u32) -> String {
    if start == end {
        format!("line {start}")
    } else {
        format!("lines {start}-{end}")
    }
}

/// "as written in v3 (a1b2c3d, 2025-11-13) → now lines 92-128 (unchanged)",
/// and the lines as they were when they changed or are gone.
pub fn history_markdown(doc: &Document, offset: usize, cx: &Context<'_>) -> Option<String> {
    let (version, path, fact) = fact_at(doc, offset, cx)?;
    let hit = ref_at(doc, offset)?;
    let span = hit.r.lines.as_ref().map(|(s, _)| *s);
    let written = version.map(|v| format!("v{v}")).unwrap_or_else(|| "this entry".into());
    let a = &fact.anchor;
    let how = if a.by_blame { String::new() } else { ", by the entry's date".into() };
    let mut md = format!("*History:* as written in {written} ({}, {}{how}) → ", a.commit, a.date);
    let mut show_then = false;
    match &fact.outcome {
        HistoryOutcome::Unchanged => md += &format!("now {} (unchanged)", span.map_or("the same".into(), |s| lines_text(s.start, s.end))),
        HistoryOutcome::Renamed { path: p } => md += &format!("now `{p}` (renamed)"),
        HistoryOutcome::Moved { path: p, start, end } => {
            let at = p.as_ref().map(|p| format!("`{p}` ")).unwrap_or_default();
            md += &format!("now {at}{} (unchanged)", lines_text(*start, *end));
        }
        HistoryOutcome::Changed { path: p, remain, of, start, end } => {
            let at = p.as_ref().map(|p| format!(" of `{p}`")).unwrap_or_default();
            md += &format!("{remain} of {of} lines remain, around {}{at}", lines_text(*start, *end));
            show_then = true;
        }
        HistoryOutcome::Removed { commit, date, file } => {
            let what = if *file { format!("`{path}` deleted") } else { "removed".into() };
            md += &match (commit, date) {
                (Some(c), Some(d)) => format!("{what} in {c} ({d})"),
                _ => format!("{what} by changes not committed yet"),
            };
            show_then = true;
        }
    }
    if show_then && !fact.then.is_empty() {
        let fence = if fact.then.iter().any(|l| l.contains("```")) { "~~~~" } else { "```" };
        md += &format!("\n\nAs written:\n\n{fence}{}\n{}\n{fence}", language_for(&path), fact.then.join("\n"));
    }
    Some(md)
}

/// Go-to-definition through history: the mapped place of a moved or
/// changed range (the file resolved again when it was renamed).
pub fn history_target(doc: &Document, offset: usize, log: &Path, cx: &Context<'_>, facts: &dyn FileFacts) -> Option<Target> {
    let (_, path, fact) = fact_at(doc, offset, cx)?;
    let (new_path, lines) = match fact.outcome.clone() {
        HistoryOutcome::Moved { path, start, end } => (path, Some(LineSpan { start, end })),
        HistoryOutcome::Changed { path, start, end, .. } => (path, Some(LineSpan { start, end })),
        HistoryOutcome::Renamed { path } => (Some(path), None),
        _ => return None,
    };
    let p = new_path.unwrap_or(path);
    let Resolution::Found(files) = facts.resolve(log, &p) else { return None };
    let file = files.into_iter().next()?;
    Some(Target::File { path: file, lines })
}
