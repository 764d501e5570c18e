//! Diagnostics that one chunk decides alone (config-independent), cached
//! with the chunk and recomputed only when the chunk changes.

use super::{suggest_label, Code, Diagnostic, Fix};
use crate::model::{ChunkModel, FieldKind};

/// The priority tags, as written (`model::Priority` names them).
pub const PRIORITIES: &[&str] =
    &[crate::model::Priority::High.as_str(), crate::model::Priority::Med.as_str(), crate::model::Priority::Low.as_str()];

/// Chunk-relative diagnostics of one chunk. `text` is the chunk's text.
pub fn chunk_diagnostics(m: &ChunkModel, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(h) = &m.heading {
        if let Some(p) = &h.problem {
            out.push(Diagnostic::new(
                Code::MalformedEntry,
                h.line.clone(),
                format!("Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): {p}."),
            ));
        }
        let mut seen = 0u16;
        for f in &m.fields {
            if let Some(k) = f.label.kind {
                let bit = 1u16 << k as u16;
                if seen & bit != 0 {
                    out.push(Diagnostic::new(
                        Code::DuplicateSection,
                        f.label.range.clone(),
                        format!("A second `**{}:**` in this entry.", k.label()),
                    ));
                }
                seen |= bit;
            }
        }
        // Unknown labels: only a near miss of a known one gets a hint; any
        // other bold label is the author's own sub-heading.
        for l in m.labels.iter().filter(|l| l.kind.is_none()) {
            let name = l.name(text);
            let Some(k) = suggest_label(name) else { continue };
            let written = &text[l.range.clone()];
            let (open, close) = label_delimiters(written);
            let fixed = if written.ends_with(&format!(":{close}")) {
                format!("{open}{}:{close}", k.label())
            } else {
                format!("{open}{}{close}:", k.label())
            };
            out.push(
                Diagnostic::new(
                    Code::UnknownSection,
                    l.range.clone(),
                    format!("`{}` is not a Work Log field; did you mean `{}`?", name, k.label()),
                )
                .with_fix(Fix { preferred: true, ..Fix::replace(format!("Change to `{fixed}`"), l.range.clone(), fixed) }),
            );
        }
        if let Some(f) = m.field(FieldKind::Progress) {
            if let Some(at) = progress_problem(f, text) {
                let msg = if text[f.value.clone()].is_empty() {
                    "Progress is empty: give a percentage (`60%`) or milestones (`Phase 2/3 | parser ✅ | writer ⏳`)."
                } else {
                    "A percentage is outside 0–100%."
                };
                out.push(Diagnostic::new(Code::BadProgress, at, msg));
            }
        }
        if let Some(f) = m.field(FieldKind::Next) {
            for it in m.items_of(f) {
                match &it.tag {
                    Some(t) if PRIORITIES.contains(&t.text(text)) => {}
                    Some(t) => {
                        let guess = guess_priority(t.text(text));
                        let mut d = Diagnostic::new(
                            Code::BadPriority,
                            t.range.clone(),
                            format!("`[{}]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.", t.text(text)),
                        );
                        for p in guess.into_iter().chain(PRIORITIES.iter().copied().filter(|p| Some(*p) != guess)) {
                            let mut fx = Fix::replace(format!("Change to `[{p}]`"), t.range.clone(), format!("[{p}]"));
                            fx.preferred = Some(p) == guess;
                            d = d.with_fix(fx);
                        }
                        out.push(d);
                    }
                    None => {
                        let at = if it.text.is_empty() { it.line.clone() } else { it.text.clone() };
                        let mut d = Diagnostic::new(
                            Code::MissingPriority,
                            at,
                            "This Next item has no priority; start it with `[HIGH]`, `[MED]` or `[LOW]`.",
                        );
                        let ins = if it.task_box { item_after_box(text, it.text.start) } else { it.text.start };
                        for p in PRIORITIES {
                            d = d.with_fix(Fix::replace(format!("Add `[{p}]`"), ins..ins, format!("[{p}] ")));
                        }
                        out.push(d);
                    }
                }
            }
        }
    }
    for r in &m.refs {
        if let Some((span, at)) = &r.lines {
            if !span.is_valid() {
                let why = if span.start == 0 || span.end == 0 { "lines are numbered from 1" } else { "the range starts after it ends" };
                out.push(Diagnostic::new(Code::BadRange, at.clone(), format!("Bad line range {}-{}: {why}.", span.start, span.end)));
            }
        }
    }
    for g in &m.garbled {
        let garbled = &text[g.range.clone()];
        let mut d = Diagnostic::new(
            Code::Mojibake,
            g.range.clone(),
            match &g.fixed {
                Some(f) => format!("`{garbled}` looks like `{f}` decoded with the wrong encoding (UTF-8 read as Windows-1252)."),
                None => format!("`{garbled}` looks like UTF-8 text decoded as Windows-1252, with a byte lost."),
            },
        );
        if let Some(f) = &g.fixed {
            d = d.with_fix(Fix { preferred: true, ..Fix::replace(format!("Replace with `{f}`"), g.range.clone(), f.clone()) });
        }
        out.push(d);
    }
    out
}

fn item_after_box(text: &str, start: usize) -> usize {
    let t = &text[start..];
    let after = t.get(3..).unwrap_or("");
    start + 3 + (after.len() - after.trim_start().len())
}

/// `**Label:**` → (`**`, `**`); likewise `__` and `***`.
fn label_delimiters(written: &str) -> (&'static str, &'static str) {
    if written.starts_with("***") {
        ("***", "***")
    } else if written.starts_with("__") {
        ("__", "__")
    } else {
        ("**", "**")
    }
}

/// What is wrong with a Progress field, if anything: it is empty (the
/// label's range), or a percentage in its value is outside 0–100 (that
/// percentage). Milestone text without a percentage is valid (spec §2).
fn progress_problem(f: &crate::model::Field, text: &str) -> Option<std::ops::Range<usize>> {
    let v = &text[f.value.clone()];
    if v.is_empty() {
        let body = text.get(f.label.range.end..f.extent.end).unwrap_or("");
        return body.trim().is_empty().then(|| f.label.range.clone());
    }
    percent_out_of_range(v).map(|r| f.value.start + r.start..f.value.start + r.end)
}

/// The first `N%` (or `N.N%`) in `v` with N > 100, as a range within `v`.
pub fn percent_out_of_range(v: &str) -> Option<std::ops::Range<usize>> {
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.')) {
            let s = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
                i += 1;
            }
            if b.get(i) == Some(&b'%') && v[s..i].parse::<f64>().is_ok_and(|n| n > 100.0) {
                return Some(s..i + 1);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The priority a wrong tag most likely meant.
fn guess_priority(tag: &str) -> Option<&'static str> {
    let t = tag.trim().to_uppercase();
    Some(match t.as_str() {
        "HIGH" | "HI" | "H" | "P0" | "P1" | "URGENT" | "CRITICAL" | "BLOCKER" | "MUST" => "HIGH",
        "MED" | "MEDIUM" | "MID" | "M" | "P2" | "NORMAL" | "SHOULD" => "MED",
        "LOW" | "LO" | "L" | "P3" | "P4" | "MINOR" | "COULD" | "NICE" => "LOW",
        _ => return None,
    })
}
