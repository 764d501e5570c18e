//! Start the next entry (issue 12, item 2): append `## v<N+1> | <now> | `
//! with Prev (a one-line summary of the last entry's Now), Now and Progress
//! to fill, the last entry's open Next items carried over; set the
//! frontmatter's `version:` to `v<N+1>` and its status back to `in_progress`
//! when it was `needs_review`, `blocked` or `completed` (the protocol: the
//! next session works again), unless asked to keep it.

use crate::analysis::status::{item_is_done, latest_entry};
use crate::document::Document;
use crate::model::FieldKind;

use super::{line_ending, LocalTime, TextEdit};

/// How to start the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextOptions {
    /// The clock: the new heading's date and time.
    pub now: LocalTime,
    /// Title, Now and Progress as snippet placeholders (`${1:title}`), the
    /// text around escaped for snippets; plain text otherwise.
    pub snippets: bool,
    /// Keep the frontmatter status as it is.
    pub keep_status: bool,
}

/// The edits that start the next entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextEntry {
    /// The new entry's version (N+1).
    pub version: u32,
    /// The version it follows (N), if the log had one.
    pub previous: Option<u32>,
    /// Edits on the log's text, sorted, non-overlapping. In snippet mode the
    /// last edit (the appended entry) is a snippet; the others are plain.
    pub edits: Vec<TextEdit>,
    /// How many open Next items were carried over.
    pub carried: usize,
}

/// Longest Prev summary, in characters, before it is cut at a word.
const SUMMARY_MAX: usize = 120;

/// The edits that start entry v<N+1> of `doc`, N being the highest version
/// of its entries, elisions and frontmatter (0 for a log without any).
pub fn next_entry(doc: &Document, opts: &NextOptions) -> NextEntry {
    let text = doc.text();
    let eol = line_ending(&text);
    let chunks = doc.chunks();
    let pre = chunks.first().filter(|c| c.model.heading.is_none());
    let fm = pre.and_then(|c| c.model.frontmatter.as_ref()).filter(|f| f.closed);

    let previous = highest_version(doc, None);
    let version = previous.map_or(1, |p| p.saturating_add(1));

    let mut edits = Vec::new();

    // Frontmatter: version and status.
    match fm {
        Some(f) => {
            let close_at = f.range.end - closing_line_len(&text[..f.range.end]);
            let mut added = String::new();
            match f.get("version") {
                Some(v) => edits.push(TextEdit::new(v.value_range.clone(), format!("v{version}"))),
                None => added.push_str(&format!("version: v{version}{eol}")),
            }
            match f.get("status") {
                Some(s) if !opts.keep_status && matches!(s.value.as_str(), "needs_review" | "blocked" | "completed") => {
                    edits.push(TextEdit::new(s.value_range.clone(), "in_progress"));
                }
                Some(_) => {}
                None => added.push_str(&format!("status: in_progress{eol}")),
            }
            if !added.is_empty() {
                edits.push(TextEdit::insert(close_at, added));
            }
        }
        None => edits.push(TextEdit::insert(0, format!("---{eol}version: v{version}{eol}status: in_progress{eol}---{eol}{eol}"))),
    }

    // The entry.
    let latest = latest_entry(doc);
    let mut prev = String::from("Starting new work");
    let mut carried: Vec<String> = Vec::new();
    if let Some(c) = latest {
        let ct = doc.slice(c.start..c.end());
        let m = &c.model;
        let now = m.field(FieldKind::Now).map(|f| one_line(&ct, f.value.clone(), f.extent.clone())).unwrap_or_default();
        prev = match (m.version(), now.is_empty()) {
            (Some(v), false) => format!("v{v}: {now}"),
            (Some(v), true) => format!("v{v}"),
            (None, false) => now,
            (None, true) => prev,
        };
        if let Some(f) = m.field(FieldKind::Next) {
            let items = m.items_of(f);
            for item in items.iter().filter(|i| !item_is_done(i, &ct)) {
                carried.push(item_block(&ct, item.line.start, f.extent.end));
            }
        }
    }
    let esc = |s: &str| if opts.snippets { escape_snippet(s) } else { s.to_string() };
    let mut entry = String::new();
    if opts.snippets {
        entry.push_str(&format!("## v{version} | {} | ${{1:Title}}{eol}{eol}", opts.now));
        entry.push_str(&format!("**Prev:** {}{eol}", esc(&prev)));
        entry.push_str(&format!("**Now:** ${{2:what this session does}}{eol}{eol}"));
        entry.push_str(&format!("**Progress:** ${{3:0%}}{eol}{eol}"));
    } else {
        entry.push_str(&format!("## v{version} | {} | {eol}{eol}", opts.now));
        entry.push_str(&format!("**Prev:** {prev}{eol}"));
        entry.push_str(&format!("**Now:** {eol}{eol}"));
        entry.push_str(&format!("**Progress:** {eol}{eol}"));
    }
    entry.push_str(&format!("**Next:**{eol}"));
    for block in &carried {
        for line in block.lines() {
            entry.push_str(&esc(line.trim_end_matches('\r')));
            entry.push_str(eol);
        }
    }
    if opts.snippets {
        entry.push_str(&format!("$0{eol}"));
    }

    // Appended after one blank line.
    let trimmed = text.trim_end_matches(['\n', '\r', ' ', '\t']);
    let end = text.len();
    let sep = if trimmed.is_empty() {
        String::new()
    } else {
        let tail = &text[trimmed.len()..];
        let breaks = tail.matches('\n').count().max(tail.matches('\r').count());
        match breaks {
            0 => format!("{eol}{eol}"),
            1 => eol.to_string(),
            _ => String::new(),
        }
    };
    edits.push(TextEdit::insert(end, format!("{sep}{entry}")));
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    NextEntry { version, previous, edits, carried: carried.len() }
}

/// The highest version of the log's entries, elisions and frontmatter,
/// leaving out the chunk that starts at `skip` (a heading being typed).
fn highest_version(doc: &Document, skip: Option<usize>) -> Option<u32> {
    let chunks = doc.chunks();
    let pre = chunks.first().filter(|c| c.model.heading.is_none());
    let fm = pre.and_then(|c| c.model.frontmatter.as_ref()).filter(|f| f.closed);
    let fm_version = fm.and_then(|f| f.get("version")).and_then(|v| v.value.strip_prefix('v')?.parse::<u32>().ok());
    let entry_max = chunks.iter().filter(|c| Some(c.start) != skip).filter_map(|c| c.summary.version.max(c.summary.elided_max)).max();
    let pre_elided = pre.and_then(|c| c.model.elisions.iter().flat_map(|e| e.versions.iter().copied()).max());
    [fm_version, entry_max, pre_elided].into_iter().flatten().max()
}

/// Completion of the next entry's heading (issue 12, item 2): at a line that
/// is only `## v` or `## v<digits>` (the cursor at its end), after the
/// log's last entry heading, the range of that line's text and
/// `## v<N+1> | <now> | `.
pub fn heading_completion(doc: &Document, offset: usize, now: LocalTime) -> Option<(std::ops::Range<usize>, String)> {
    let rope = doc.rope();
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let typed = doc.slice(start..offset);
    let rest = doc.slice(offset..doc.line_range(line).end);
    let digits = typed.strip_prefix("## v")?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !rest.trim().is_empty() {
        return None;
    }
    // After the last entry heading (or the line is itself the last one).
    let last = doc.chunks().iter().rev().find(|c| c.summary.entry).map_or(0, |c| c.start);
    if start < last {
        return None;
    }
    // Not inside a fence or HTML block of the last entry: the line is either
    // an entry heading of its own, or outside the chunk's code blocks.
    let i = doc.chunk_index(start);
    let c = &doc.chunks()[i];
    if c.start != start && c.model.code_blocks.iter().any(|b| c.start + b.start <= start && start < c.start + b.end) {
        return None;
    }
    let version = highest_version(doc, Some(start)).map_or(1, |p| p.saturating_add(1));
    Some((start..offset, format!("## v{version} | {now} | ")))
}

/// The item's line and the indented lines under it (its nested bullets and
/// continuation lines), up to a blank line, an unindented line or `end`.
fn item_block(ct: &str, start: usize, end: usize) -> String {
    let end = end.min(ct.len());
    let region = &ct[start.min(end)..end];
    let mut out = String::new();
    for (k, line) in region.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if k > 0 && (bare.trim().is_empty() || !bare.starts_with([' ', '\t'])) {
            break;
        }
        out.push_str(bare);
        out.push('\n');
    }
    out
}

/// One line of a field: its value on the label's line, else the first
/// non-blank line of its body; cut to [`SUMMARY_MAX`] characters at a word.
fn one_line(ct: &str, value: std::ops::Range<usize>, extent: std::ops::Range<usize>) -> String {
    let v = ct.get(value).unwrap_or("").trim();
    let line = if !v.is_empty() {
        v.to_string()
    } else {
        let body = ct.get(extent).unwrap_or("");
        body.lines().skip(1).map(|l| l.trim().trim_start_matches(['-', '*', '+']).trim()).find(|l| !l.is_empty()).unwrap_or("").to_string()
    };
    if line.chars().count() <= SUMMARY_MAX {
        return line;
    }
    let cut: String = line.chars().take(SUMMARY_MAX).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > SUMMARY_MAX / 2 => cut[..i].trim_end_matches([',', ';', ':', '.']).to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

/// Length of the closing `---` line (with its line break) that ends `text`.
fn closing_line_len(text: &str) -> usize {
    let body = text.trim_end_matches(['\n', '\r']);
    match body.rfind(['\n', '\r']) {
        Some(i) => text.len() - i - 1,
        None => text.len(),
    }
}

/// Escape `$`, `}` and `\` for an LSP snippet.
pub fn escape_snippet(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
