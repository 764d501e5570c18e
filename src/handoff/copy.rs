//! The hand-off copy (issue 12, item 3): what goes to the next session.
//! The preamble (frontmatter, title, any text before the first entry), one
//! elision line naming every collapsed version (`[... v1, v2 entries ...]`,
//! as the seed's v3 and v4 files write it), then the latest `keep` entries
//! as they are. Elisions the preamble already had are merged into that one
//! line, so a copy of a copy names the whole history.
//!
//! The copy is a clean Work Log: elided versions count as present for
//! `version-order`, and the kept entries are unchanged.

use crate::document::Document;

use super::line_ending;

/// A hand-off copy and what it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffCopy {
    pub text: String,
    /// Versions named by the elision line (sorted); empty when nothing was
    /// collapsed.
    pub collapsed: Vec<u32>,
    /// Versions of the entries kept in full, in file order.
    pub kept: Vec<u32>,
    /// Entries dropped from this copy (elided ones included).
    pub dropped_entries: usize,
}

/// The copy of `doc` keeping its latest `keep` entries (at least one).
pub fn handoff_copy(doc: &Document, keep: usize) -> HandoffCopy {
    let keep = keep.max(1);
    let text = doc.text();
    let eol = line_ending(&text);
    let chunks = doc.chunks();
    let (pre, entries) = match chunks.split_first() {
        Some((first, rest)) if !first.summary.entry => (Some(first), rest),
        _ => (None, chunks),
    };
    let drop = entries.len().saturating_sub(keep);
    let (dropped, kept) = entries.split_at(drop);
    let kept_versions = kept.iter().filter_map(|c| c.summary.version).collect();
    if dropped.is_empty() {
        let collapsed = pre.map(|c| c.model.elisions.iter().flat_map(|e| e.versions.iter().copied()).collect()).unwrap_or_default();
        return HandoffCopy { text, collapsed: sorted(collapsed), kept: kept_versions, dropped_entries: 0 };
    }
    let mut collapsed: Vec<u32> = Vec::new();
    let mut head = String::new();
    if let Some(p) = pre {
        let pt = &text[p.start..p.end()];
        collapsed.extend(p.model.elisions.iter().flat_map(|e| e.versions.iter().copied()));
        // The preamble without its elision lines.
        let mut at = 0;
        for line in pt.split_inclusive('\n') {
            let r = at..at + line.len();
            at = r.end;
            if !p.model.elisions.iter().any(|e| r.contains(&e.range.start)) {
                head.push_str(line);
            }
        }
        head.truncate(head.trim_end().len());
    }
    for c in dropped {
        collapsed.extend(c.summary.version);
        collapsed.extend(c.model.elisions.iter().flat_map(|e| e.versions.iter().copied()));
    }
    let collapsed = sorted(collapsed);
    let mut out = head;
    if !out.is_empty() {
        out.push_str(eol);
        out.push_str(eol);
    }
    out.push_str(&elision_line(&collapsed));
    out.push_str(eol);
    out.push_str(eol);
    out.push_str(&text[kept[0].start..]);
    HandoffCopy { text: out, collapsed, kept: kept_versions, dropped_entries: dropped.len() }
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// `[... v1 entry ...]`, `[... v1, v2, v3 entries ...]`, `[... v1-v40
/// entries ...]` (runs of five or more as a range), `[... earlier entries
/// ...]` when no version is known.
pub fn elision_line(versions: &[u32]) -> String {
    if versions.is_empty() {
        return "[... earlier entries ...]".into();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < versions.len() {
        let mut j = i;
        while j + 1 < versions.len() && versions[j + 1] == versions[j] + 1 {
            j += 1;
        }
        if j - i >= 4 {
            parts.push(format!("v{}-v{}", versions[i], versions[j]));
        } else {
            parts.extend(versions[i..=j].iter().map(|v| format!("v{v}")));
        }
        i = j + 1;
    }
    let noun = if versions.len() == 1 { "entry" } else { "entries" };
    format!("[... {} {noun} ...]", parts.join(", "))
}
