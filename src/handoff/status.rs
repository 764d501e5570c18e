//! Status at a glance (issue 12, item 4): what the hand-off protocol asks a
//! receiving agent to state — version, status, progress and the HIGH item it
//! will work on — as data ([`LogStatus`]), as that sentence
//! ([`agent_line`]) and as the short text of a code lens ([`lens_text`]).
//! For several files of one log (`…-v1.md` … `…-v4.md`), [`superseded`]
//! says which one is current.

use crate::model::Priority;
use std::path::Path;

use serde::Serialize;

use crate::analysis::status::{blockers_say_none, item_is_done, latest_entry};
use crate::document::Document;
use crate::model::{FieldKind, Item, RefForm};

use super::{name_stem, name_version};

/// The status of one log, from its frontmatter and latest entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogStatus {
    /// The frontmatter's `version`, else the highest entry version.
    pub version: Option<u32>,
    /// The frontmatter's `status` as written.
    pub status: Option<String>,
    /// The latest entry (the last in the file).
    pub latest: Option<EntryInfo>,
    /// The latest non-empty Progress value (of the latest entry that has one).
    pub progress: Option<String>,
    /// The first percentage of that value (`90%` → 90).
    pub percent: Option<u32>,
    /// The latest entry's open Next items (not ticked, not ✅), by priority.
    pub next: OpenItems,
    /// The latest entry's blockers: `None` without a Blockers field, empty
    /// for `**Blockers:** None`, else the value and the items.
    pub blockers: Option<Vec<String>>,
    /// The latest entry's file references, in order, without repeats.
    pub references: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryInfo {
    pub version: Option<u32>,
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`, as parsed.
    pub date: Option<String>,
    pub title: Option<String>,
}

/// Open Next items by priority; the text without task box and tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OpenItems {
    pub high: Vec<String>,
    pub med: Vec<String>,
    pub low: Vec<String>,
    /// Without a priority tag, or with a tag that is not one.
    pub other: Vec<String>,
}

impl OpenItems {
    pub fn len(&self) -> usize {
        self.high.len() + self.med.len() + self.low.len() + self.other.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A file reference of the latest entry: the path as written and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub path: String,
    /// `[start, end]`, 1-based, inclusive.
    pub lines: Option<[u32; 2]>,
}

/// The status of `doc`.
pub fn log_status(doc: &Document) -> LogStatus {
    let chunks = doc.chunks();
    let fm = chunks.first().filter(|c| c.model.heading.is_none()).and_then(|c| c.model.frontmatter.as_ref()).filter(|f| f.closed);
    let fm_version = fm.and_then(|f| f.get("version")).and_then(|v| v.value.strip_prefix('v')?.parse::<u32>().ok());
    let version = fm_version.or_else(|| chunks.iter().filter_map(|c| c.summary.version).max());
    let status = fm.and_then(|f| f.get("status")).map(|s| s.value.clone()).filter(|s| !s.is_empty());

    let progress = chunks.iter().rev().filter(|c| c.summary.entry).find_map(|c| {
        let f = c.model.field(FieldKind::Progress)?;
        let v = doc.slice(c.abs(&f.value));
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    });
    let percent = progress.as_deref().and_then(first_percent);

    let mut out =
        LogStatus { version, status, latest: None, progress, percent, next: OpenItems::default(), blockers: None, references: Vec::new() };
    let Some(c) = latest_entry(doc) else { return out };
    let ct = doc.slice(c.start..c.end());
    let m = &c.model;
    out.latest = Some(EntryInfo {
        version: m.version(),
        date: m.heading.as_ref().and_then(|h| h.date).map(|d| {
            let day = format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
            if d.has_time {
                format!("{day} {:02}:{:02}", d.hour, d.minute)
            } else {
                day
            }
        }),
        title: m.heading.as_ref().and_then(|h| h.title.clone()).and_then(|t| ct.get(t)).map(|t| t.trim().to_string()),
    });
    if let Some(f) = m.field(FieldKind::Next) {
        for item in m.items_of(f).iter().filter(|i| !item_is_done(i, &ct)) {
            let text = item_text(item, &ct);
            match item.tag.as_ref().and_then(|t| t.priority(&ct)) {
                Some(Priority::High) => out.next.high.push(text),
                Some(Priority::Med) => out.next.med.push(text),
                Some(Priority::Low) => out.next.low.push(text),
                _ => out.next.other.push(text),
            }
        }
    }
    out.blockers = match blockers_say_none(m, &ct) {
        None => None,
        Some(true) => Some(Vec::new()),
        Some(false) => {
            let f = m.field(FieldKind::Blockers).expect("a Blockers field");
            let value = ct.get(f.value.clone()).unwrap_or("").trim();
            let mut b: Vec<String> = Vec::new();
            if !value.is_empty() {
                b.push(value.to_string());
            }
            b.extend(m.items_of(f).iter().map(|i| item_text(i, &ct)));
            Some(b)
        }
    };
    for r in &m.refs {
        let path = r.path(&ct).to_string();
        if path.is_empty() {
            continue;
        }
        let lines = r.lines.as_ref().map(|(s, _)| [s.start, s.end]);
        let re = Reference { path, lines };
        // A Files bullet's path comes once on its own and once per nested
        // range: keep the bare path only when nothing more precise follows.
        if r.form == RefForm::Nested {
            if let Some(last) = out.references.last() {
                if last.lines.is_none() && last.path == re.path {
                    out.references.pop();
                }
            }
        }
        if !out.references.contains(&re) {
            out.references.push(re);
        }
    }
    out
}

/// An item's text without task box and tag.
fn item_text(item: &Item, ct: &str) -> String {
    let mut t = ct.get(item.text.clone()).unwrap_or("");
    for bx in ["[ ]", "[x]", "[X]"] {
        if let Some(r) = t.strip_prefix(bx) {
            t = r.trim_start();
        }
    }
    if let Some(tag) = &item.tag {
        if let Some(r) = ct.get(tag.range.end..item.text.end) {
            t = r;
        }
    }
    t.trim().to_string()
}

/// The first `N%` (or `N.M%`) of a progress value, its integer part.
fn first_percent(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    let pct = b.iter().position(|&c| c == b'%')?;
    let mut i = pct;
    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
        i -= 1;
    }
    let num = &s[i..pct];
    num.split('.').next().filter(|d| !d.is_empty())?.parse().ok()
}

/// The sentence the protocol asks a receiving agent to say:
/// `From Work Log v3, status: needs_review. Progress: 90%. Next HIGH: Code review by senior engineer.`
pub fn agent_line(s: &LogStatus) -> String {
    let version = s.version.map_or_else(|| "(no version)".to_string(), |v| format!("v{v}"));
    let status = s.status.as_deref().unwrap_or("unknown");
    let progress = match (s.percent, &s.progress) {
        (Some(p), _) => format!("{p}%"),
        (None, Some(t)) => t.clone(),
        (None, None) => "unknown".into(),
    };
    let mut line = format!("From Work Log {version}, status: {status}. Progress: {progress}.");
    if status == "blocked" {
        if let Some(b) = s.blockers.as_ref().and_then(|b| b.first()) {
            line.push_str(&format!(" Blocked by: {}.", sentence(b)));
        }
    }
    let next = [("HIGH", &s.next.high), ("MED", &s.next.med), ("LOW", &s.next.low), ("", &s.next.other)]
        .into_iter()
        .find_map(|(p, items)| items.first().map(|i| (p, i)));
    match next {
        Some(("", i)) => line.push_str(&format!(" Next: {}.", sentence(i))),
        Some((p, i)) => line.push_str(&format!(" Next {p}: {}.", sentence(i))),
        None => line.push_str(" No open Next items."),
    }
    line
}

/// Text ending a sentence: without its own final full stop.
fn sentence(s: &str) -> &str {
    s.trim().trim_end_matches('.')
}

/// The short text of a code lens on the frontmatter:
/// `v4 · needs_review · 90% · 2 HIGH open` (`3 open` when no HIGH item is,
/// `nothing open` when no item is).
pub fn lens_text(s: &LogStatus) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(s.version.map_or_else(|| "v?".to_string(), |v| format!("v{v}")));
    parts.push(s.status.clone().unwrap_or_else(|| "no status".into()));
    if let Some(p) = s.percent {
        parts.push(format!("{p}%"));
    }
    parts.push(match (s.next.high.len(), s.next.len()) {
        (0, 0) => "nothing open".into(),
        (0, n) => format!("{n} open"),
        (h, _) => format!("{h} HIGH open"),
    });
    parts.join(" · ")
}

/// For files that may be several versions of one log (same folder, same
/// name before `-v<N>`), which file supersedes each: `None` for a current
/// file, `Some(i)` for one superseded by `files[i]`. A file's version is its
/// log's (`version`, else its name's `v<N>`); the highest is current (on a
/// tie, the higher number in the name, then the later file). A name that
/// carries no version is its own log.
pub fn superseded(files: &[(&Path, Option<u32>)]) -> Vec<Option<usize>> {
    fn key(p: &Path) -> Option<(Option<&Path>, String)> {
        let name = p.file_name()?.to_str()?;
        Some((p.parent(), name_stem(name)?))
    }
    let rank = |(p, v): &(&Path, Option<u32>)| {
        let named = p.file_name().and_then(|n| n.to_str()).and_then(name_version).map(|(_, n)| n);
        (v.or(named), named)
    };
    let mut out = vec![None; files.len()];
    for (i, f) in files.iter().enumerate() {
        let Some(k) = key(f.0) else { continue };
        let best =
            files.iter().enumerate().filter(|(_, g)| key(g.0).as_ref() == Some(&k)).max_by_key(|(j, g)| (rank(g), *j)).map(|(j, _)| j);
        if let Some(j) = best.filter(|&j| j != i) {
            out[i] = Some(j);
        }
    }
    out
}

/// A code lens's place and text: the byte offset of the line it sits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    pub at: usize,
    pub title: String,
}

/// The status lenses of a log: [`lens_text`] on the frontmatter (or the
/// first line), and on each entry heading its version, date and open HIGH
/// Next items (`v3 · 2025-11-13 14:30 · 1 HIGH open`).
pub fn lenses(doc: &Document) -> Vec<Lens> {
    let mut out = vec![Lens { at: 0, title: lens_text(&log_status(doc)) }];
    for c in doc.chunks().iter().filter(|c| c.summary.entry) {
        let ct = doc.slice(c.start..c.end());
        let m = &c.model;
        let mut parts = vec![m.version().map_or_else(|| "v?".to_string(), |v| format!("v{v}"))];
        if let Some(d) = m.heading.as_ref().and_then(|h| h.date) {
            let day = format!("{:04}-{:02}-{:02}", d.year, d.month, d.day);
            parts.push(if d.has_time { format!("{day} {:02}:{:02}", d.hour, d.minute) } else { day });
        }
        let high = m.field(FieldKind::Next).map_or(0, |f| {
            m.items_of(f)
                .iter()
                .filter(|i| !item_is_done(i, &ct) && i.tag.as_ref().is_some_and(|t| t.priority(&ct) == Some(Priority::High)))
                .count()
        });
        parts.push(format!("{high} HIGH open"));
        out.push(Lens { at: c.start, title: parts.join(" · ") });
    }
    out
}
