//! Status that tells the truth (the hand-off checklist): the frontmatter
//! `status:` against the latest entry. Two document-level checks, both of
//! low severity and silent unless the contradiction is plain:
//! - `completed-with-open-high`: `status: completed` while the latest entry's
//!   Next still has an open `[HIGH]` item;
//! - `blocked-without-blocker`: `status: blocked` while the latest entry says
//!   `**Blockers:** None`.
//!
//! The helpers (latest entry, is an item done, do the blockers say none) are
//! shared with `crate::handoff`, which sits above this module.

use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::document::{Chunk, Document};
use crate::model::Priority;
use crate::model::{ChunkModel, FieldKind, Item};

/// The latest entry: the last entry chunk of the file (hand-offs append).
pub fn latest_entry(doc: &Document) -> Option<&Chunk> {
    doc.chunks().iter().rev().find(|c| c.summary.entry)
}

/// A Next item is done when it is ticked (`[x]`) or marked ✅ (also the
/// garbled `âœ…` of a log that went through Windows-1252).
pub fn item_is_done(item: &Item, chunk_text: &str) -> bool {
    let text = chunk_text.get(item.text.clone()).unwrap_or("");
    text.starts_with("[x]") || text.starts_with("[X]") || text.contains('✅') || text.contains("âœ…")
}

/// The item's priority tag text (`HIGH`), if it has a tag.
pub fn item_priority(item: &Item, chunk_text: &str) -> Option<Priority> {
    item.tag.as_ref().and_then(|t| t.priority(chunk_text))
}

/// The open items of a field (not ticked, not ✅).
pub fn open_items<'m>(model: &'m ChunkModel, kind: FieldKind, chunk_text: &str) -> Vec<&'m Item> {
    match model.field(kind) {
        Some(f) => model.items_of(f).iter().filter(|i| !item_is_done(i, chunk_text)).collect(),
        None => Vec::new(),
    }
}

/// `**Blockers:** None` (also `none.`, `None - all clear`, `N/A`, `nothing`)
/// with no list under it. `None` when the entry has no Blockers field.
pub fn blockers_say_none(model: &ChunkModel, chunk_text: &str) -> Option<bool> {
    let f = model.field(FieldKind::Blockers)?;
    if !model.items_of(f).is_empty() {
        return Some(false);
    }
    let value = chunk_text.get(f.value.clone()).unwrap_or("").trim();
    let word: String = value.chars().take_while(|c| c.is_alphanumeric() || *c == '/').collect::<String>().to_lowercase();
    Some(matches!(word.as_str(), "none" | "n/a" | "nothing"))
}

/// The two checks, on the frontmatter of the preamble (chunk 0, offset 0).
pub(crate) fn status_checks(doc: &Document, pre: Option<&ChunkModel>, out: &mut Vec<Diagnostic>) {
    let Some(status) = pre.and_then(|m| m.frontmatter.as_ref()).filter(|f| f.closed).and_then(|f| f.get("status")) else {
        return;
    };
    let code = match status.value.as_str() {
        "completed" => Code::CompletedWithOpenHigh,
        "blocked" => Code::BlockedWithoutBlocker,
        _ => return,
    };
    let Some(latest) = latest_entry(doc) else { return };
    if latest.summary.malformed || latest.summary.only_elided {
        return;
    }
    let text = doc.slice(latest.start..latest.end());
    let model = &latest.model;
    let version = model.version().map(|v| format!("v{v}")).unwrap_or_else(|| "the latest entry".into());
    let message = match code {
        Code::CompletedWithOpenHigh => {
            let high =
                open_items(model, FieldKind::Next, &text).into_iter().filter(|i| item_priority(i, &text) == Some(Priority::High)).count();
            if high == 0 {
                return;
            }
            let (items, them) = if high == 1 { ("item", "it") } else { ("items", "them") };
            format!("The status is `completed`, but the Next of {version} still has {high} open `[HIGH]` {items}; tick {them} (`[x]` or ✅) or set the status back to `in_progress`.")
        }
        _ => {
            if blockers_say_none(model, &text) != Some(true) {
                return;
            }
            format!("The status is `blocked`, but {version} says `**Blockers:** None`; write the blocker down (with owner or ETA) or set the status to `in_progress`.")
        }
    };
    let fix = Fix { preferred: true, ..Fix::replace("Change the status to `in_progress`", status.value_range.clone(), "in_progress") };
    out.push(Diagnostic::new(code, status.value_range.clone(), message).with_fix(fix));
}
