//! Diagnostics that one chunk decides alone (config-independent), cached
//! with the chunk and recomputed only when the chunk changes.

use super::{suggest_label, Code, Diagnostic, Fix};
use crate::model::{ChunkModel, FieldKind};

pub const PRIORITIES: &[&str] = &["HIGH", "MED", "LOW"];

/// Chunk-relative diagnostics of one chunk. `text` is the chunk's text.
pub fn chunk_diagnostics(m: &ChunkModel, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(h) = &m.heading {
        if let Some(p) = &h.problem {
            out.push(Diagnostic::new(
                Code::MalformedEntry,
                h.line.clone(),
                format!("Entry headings read `## vN | YYYY-MM-DD HH:MM | Title`: {p}."),
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
        for l in m.labels.iter().filter(|l| l.kind.is_none()) {
            let name = l.name(text);
            let sugg = suggest_label(name);
            let msg = match sugg {
                Some(k) => format!("`{}` is not a Work Log field; did you mean `{}`?", name, k.label()),
                None => format!(
                    "`{}` is not a Work Log field (known: {}).",
                    name,
                    FieldKind::ALL.map(|k| k.label()).join(", ")
                ),
            };
            let mut d = Diagnostic::new(Code::UnknownSection, l.range.clone(), msg);
            if let Some(k) = sugg {
                let written = &text[l.range.clone()];
                let fixed = if written.ends_with(":**") { format!("**{}:**", k.label()) } else { format!("**{}**:", k.label()) };
                d = d.with_fix(Fix { preferred: true, ..Fix::replace(format!("Change to `{fixed}`"), l.range.clone(), fixed) });
            }
            out.push(d);
        }
        if let Some(f) = m.field(FieldKind::Progress) {
            let v = &text[f.value.clone()];
            if !progress_ok(v) {
                let tok_len = v.find(|c: char| c.is_whitespace() || c == '|').unwrap_or(v.len());
                let at = if tok_len == 0 { f.label.range.clone() } else { f.value.start..f.value.start + tok_len };
                out.push(Diagnostic::new(
                    Code::BadProgress,
                    at,
                    "Progress starts with a whole percentage from 0% to 100% (e.g. `**Progress:** 60% | parser ✅`).",
                ));
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

/// `60%`, `100% | done`: an integer 0–100 directly followed by `%`.
pub fn progress_ok(v: &str) -> bool {
    let d = v.bytes().take_while(u8::is_ascii_digit).count();
    d > 0 && d <= 3 && v.as_bytes().get(d) == Some(&b'%') && v[..d].parse::<u32>().is_ok_and(|n| n <= 100)
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
