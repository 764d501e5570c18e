//! `history-disagrees`: a newer file of the same log (`…-v4.md` beside
//! `…-v3.md`) whose copy of an older entry has another date or title than
//! the older file has. A hand-off copies history; it does not rewrite it.
//!
//! Cross-file, so the older file's entry headings arrive through
//! [`FileFacts::older_file`] (the workspace reads it through its safe
//! reader). Silent unless the disagreement is plain: only entries present,
//! well-formed and not only an elision in *both* files are compared; entries
//! only the newer file has are new history; titles are compared without case
//! and with runs of whitespace as one space; a time of day counts only when
//! both headings have one.

use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::document::Document;
use crate::model::DateTime;

use super::facts::{FileFacts, HeadingFact};

/// The well-formed entry headings of a document that are not only an
/// elision, as the older-file facts carry them.
pub fn heading_facts(doc: &Document) -> Vec<HeadingFact> {
    let mut out = Vec::new();
    for c in doc.chunks().iter().filter(|c| c.summary.entry && !c.summary.malformed && !c.summary.only_elided) {
        let Some(h) = &c.model.heading else { continue };
        let (Some((version, _)), Some(date)) = (&h.version, h.date) else { continue };
        let title = h.title.as_ref().map(|t| doc.slice(c.abs(t)).trim().to_string()).unwrap_or_default();
        let line = doc.slice(c.abs(&h.line)).trim_end_matches(['\n', '\r']).to_string();
        out.push(HeadingFact { version: *version, date, title, line });
    }
    out
}

/// The check, for the log at `log`.
pub(crate) fn history_checks(doc: &Document, log: &std::path::Path, facts: &dyn FileFacts, out: &mut Vec<Diagnostic>) {
    // Only a file whose name carries a version has an older file.
    if !has_versioned_name(log) {
        return;
    }
    let Some(older) = facts.older_file(log) else { return };
    if older.entries.is_empty() {
        return;
    }
    for c in doc.chunks().iter().filter(|c| c.summary.entry && !c.summary.malformed && !c.summary.only_elided) {
        let Some(h) = &c.model.heading else { continue };
        let (Some((version, _)), Some(date)) = (&h.version, h.date) else { continue };
        let Some(old) = older.entries.iter().find(|e| e.version == *version) else { continue };
        let title = h.title.as_ref().map(|t| doc.slice(c.abs(t)).to_string()).unwrap_or_default();
        let same_date = same_day_and_time(&date, &old.date);
        let same_title = normal(&title) == normal(&old.title);
        if same_date && same_title {
            continue;
        }
        let what = match (same_date, same_title) {
            (false, false) => "date and title",
            (false, true) => "date",
            _ => "title",
        };
        let line = c.abs(&h.line);
        let line = line.start..line.start + doc.slice(line.clone()).trim_end_matches(['\n', '\r']).len();
        let d = Diagnostic::new(
            Code::HistoryDisagrees,
            line.clone(),
            format!(
                "v{version} has another {what} in `{}`, the older file of this log: `{}`. A hand-off copies history; it does not rewrite it.",
                older.name, old.line
            ),
        )
        .with_fix(Fix::replace(format!("Use the heading of `{}`", older.name), line, old.line.clone()));
        out.push(d);
    }
}

/// `<stem>-v<N>.md` (any case for the `v` and the extension).
fn has_versioned_name(log: &std::path::Path) -> bool {
    log.file_name().and_then(|n| n.to_str()).and_then(split_versioned_name).is_some()
}

/// `Auth-WorkLog-v3.md` → (`Auth-WorkLog`, 3).
pub fn split_versioned_name(name: &str) -> Option<(&str, u32)> {
    let base = name.strip_suffix(".md").or_else(|| name.strip_suffix(".MD")).or_else(|| name.strip_suffix(".markdown"))?;
    let dash = base.rfind('-')?;
    let (stem, v) = (&base[..dash], &base[dash + 1..]);
    let digits = v.strip_prefix(['v', 'V'])?;
    if stem.is_empty() || digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((stem, digits.parse().ok()?))
}

fn same_day_and_time(a: &DateTime, b: &DateTime) -> bool {
    (a.year, a.month, a.day) == (b.year, b.month, b.day) && (!(a.has_time && b.has_time) || (a.hour, a.minute) == (b.hour, b.minute))
}

fn normal(title: &str) -> String {
    title.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}
