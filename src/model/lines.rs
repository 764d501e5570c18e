//! Line-level parsers of the model: labels, list items and tags, elisions,
//! version mentions, entry headings and dates, frontmatter.

use std::ops::Range;

use super::{DateTime, EntryHeading, FmEntry, Frontmatter, VersionMention};
use crate::syntax::{self, Line};

/// Parse a bold label at the start of `line` (after up to three spaces):
/// `**Label:**`, `**Label**:`, and the same with `__` or `***`.
/// Returns the byte ranges of the label's name (trimmed) and of the whole
/// label.
pub fn parse_label(line: &str) -> Option<(Range<usize>, Range<usize>)> {
    let (w, ib) = syntax::indentation(line);
    if w > 3 {
        return None;
    }
    let after_indent = &line[ib..];
    let delim: &str = if after_indent.starts_with("***") {
        "***"
    } else if after_indent.starts_with("**") {
        "**"
    } else if after_indent.starts_with("__") {
        "__"
    } else {
        return None;
    };
    let d = delim.len();
    let rest = &after_indent[d..];
    let close = rest.find(delim)?;
    let inner = &rest[..close];
    let after = &rest[close + d..];
    let (name, end) = if let Some(n) = inner.strip_suffix(':') {
        (n, ib + d + close + d)
    } else if after.starts_with(':') {
        (inner, ib + d + close + d + 1)
    } else {
        return None;
    };
    let lead = name.len() - name.trim_start().len();
    let name = name.trim();
    if name.is_empty() || name.len() > 40 || name.contains(['*', '`', '[']) || d == 2 && delim == "__" && name.contains('_') {
        return None;
    }
    let ns = ib + d + lead;
    Some((ns..ns + name.len(), ib..end))
}

/// A list item marker: indentation width and where its content starts.
pub(super) fn list_item(line: &str) -> Option<(usize, usize)> {
    let (w, ib) = syntax::indentation(line);
    let rest = &line[ib..];
    let b = rest.as_bytes();
    let mlen = match b.first()? {
        b'-' | b'*' | b'+' => 1,
        c if c.is_ascii_digit() => {
            let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if d > 9 || !matches!(b.get(d), Some(b'.') | Some(b')')) {
                return None;
            }
            d + 1
        }
        _ => return None,
    };
    match b.get(mlen) {
        None => Some((w, ib + mlen)),
        Some(b' ') | Some(b'\t') => {
            let sp = rest[mlen..].len() - rest[mlen..].trim_start().len();
            Some((w, ib + mlen + sp))
        }
        _ => None,
    }
}

/// Parse an item's leading task box and bracket tag. `text` starts after the
/// list marker; offsets returned are relative to `text`.
pub(super) fn item_tag(text: &str) -> (bool, Option<Range<usize>>) {
    let mut off = 0;
    let mut task = false;
    let t = text;
    for bx in ["[ ]", "[x]", "[X]"] {
        if let Some(r) = t.strip_prefix(bx) {
            if r.is_empty() || r.starts_with([' ', '\t']) {
                task = true;
                off = bx.len() + (r.len() - r.trim_start().len());
                break;
            }
        }
    }
    let rest = &text[off..];
    if !rest.starts_with('[') {
        return (task, None);
    }
    let Some(close) = rest.find(']') else { return (task, None) };
    let after = &rest[close + 1..];
    if after.starts_with('(') || after.starts_with('[') {
        return (task, None); // a Markdown link, not a tag
    }
    let inner = &rest[1..close];
    if inner.starts_with("...") || inner.starts_with('…') {
        return (task, None);
    }
    (task, Some(off..off + close + 1))
}

pub(super) fn parse_elision(line: &str) -> Option<Vec<u32>> {
    let t = line.trim_start();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner.trim();
    let body =
        if let Some(b) = inner.strip_prefix("...") { b.strip_suffix("...")? } else { inner.strip_prefix('…')?.strip_suffix('…')? };
    let mut versions = Vec::new();
    let mentions = version_mentions(body);
    for (k, m) in mentions.iter().enumerate() {
        versions.push(m.version);
        // `v1-v3` / `v1–v3` / `v1 to v3` spans every version between.
        if let Some(n) = mentions.get(k + 1) {
            let between = body[m.range.end..n.range.start].trim();
            if matches!(between, "-" | "–" | "to" | "..") && n.version > m.version {
                versions.extend(m.version + 1..n.version);
            }
        }
    }
    versions.sort_unstable();
    versions.dedup();
    Some(versions)
}

/// `v<digits>` as a whole word.
pub(super) fn version_mentions(s: &str) -> Vec<VersionMention> {
    let mut out = Vec::new();
    version_mentions_into(s, &mut out);
    out
}

/// [`version_mentions`] appended to `out`.
pub(super) fn version_mentions_into(s: &str, out: &mut Vec<VersionMention>) {
    let b = s.as_bytes();
    let mut i = 0;
    // Jump from `v` to `v`; a mention's digits hold no `v`, so skipping past
    // them (as the byte-by-byte scan did) changes nothing.
    while let Some(k) = memchr::memchr(b'v', &b[i..]) {
        i += k;
        if i == 0 || !b[i - 1].is_ascii_alphanumeric() {
            let d = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + 1 + d;
            if d > 0
                && d < 9
                && (end == b.len() || !(b[end].is_ascii_alphanumeric() || b[end] == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_digit)))
            {
                if let Ok(v) = s[i + 1..end].parse() {
                    out.push(VersionMention { version: v, range: i..end });
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

/// `line.trim().is_empty()`, without decoding chars when the line starts
/// with visible ASCII (nearly always).
pub(super) fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        None => true,
        Some(&c) if c < 0x80 && !c.is_ascii_whitespace() => false,
        Some(_) => line.trim().is_empty(),
    }
}

pub(super) fn parse_heading(text: &str, line: Line, content: Range<usize>) -> EntryHeading {
    let c = &text[content.clone()];
    let mut parts = c.splitn(3, '|');
    let p0 = parts.next().unwrap_or("");
    let p1 = parts.next();
    let p2 = parts.next();
    let mut problems: Vec<String> = Vec::new();
    // Version: `v<digits>`.
    let lead = p0.len() - p0.trim_start().len();
    let v = p0.trim();
    let digits = v[1.min(v.len())..].bytes().take_while(u8::is_ascii_digit).count();
    let version = if v.starts_with('v') && digits > 0 && digits < 10 {
        let s = content.start + lead;
        v[1..1 + digits].parse().ok().map(|n| (n, s..s + 1 + digits))
    } else {
        None
    };
    let exact_version = version.is_some() && v.len() == 1 + digits;
    if !exact_version {
        problems.push(format!("`{v}` is not a version of the form `vN`"));
    }
    let date = match p1 {
        None => {
            problems.push("missing ` | YYYY-MM-DD | Title` after the version".into());
            None
        }
        Some(d) => {
            let d = d.trim();
            let parsed = parse_datetime(d);
            if let Err(e) = &parsed {
                problems.push(e.clone());
            }
            parsed.ok()
        }
    };
    let title = match p2 {
        Some(t) if !t.trim().is_empty() => {
            let base = content.end - t.len();
            let lead = t.len() - t.trim_start().len();
            Some(base + lead..base + lead + t.trim().len())
        }
        _ => {
            if p1.is_some() {
                problems.push("missing the title after the date".into());
            }
            None
        }
    };
    EntryHeading {
        line: line.start..line.end,
        version,
        date,
        title,
        problem: if problems.is_empty() { None } else { Some(problems.join("; ")) },
        shaped: exact_version && date.is_some(),
    }
}

/// Parse `YYYY-MM-DD HH:MM`, rejecting impossible dates and times.
pub fn parse_datetime(d: &str) -> Result<DateTime, String> {
    let b = d.as_bytes();
    let has_time = b.len() == 16;
    let shape_ok = (b.len() == 10 || has_time)
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!("`{d}` is not a date of the form `YYYY-MM-DD` (optionally followed by ` HH:MM`)"));
    }
    let n = |r: Range<usize>| d.get(r).and_then(|x| x.parse::<u16>().ok()).unwrap_or(0);
    let (year, month, day, hour, minute) = (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let dim = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if month == 0 || month > 12 || day == 0 || day > dim {
        return Err(format!("`{d}` is not a real date"));
    }
    if hour > 23 || minute > 59 {
        return Err(format!("`{d}` is not a real time of day"));
    }
    Ok(DateTime { year, month: month as u8, day: day as u8, hour: hour as u8, minute: minute as u8, has_time })
}

pub(super) fn parse_frontmatter(text: &str, block: Range<usize>, closed: bool) -> Frontmatter {
    let mut it = syntax::lines_from(text, block.start);
    let first = it.next().map_or(block.start..block.start, |l| l.start..l.end);
    let mut entries = Vec::new();
    for l in it {
        if l.start >= block.end {
            break;
        }
        let line = &text[l.start..l.end];
        if closed && l.next >= block.end && matches!(line.trim_end(), "---" | "...") {
            break;
        }
        let Some(colon) = line.find(':') else { continue };
        let key = &line[..colon];
        if key.is_empty() || !key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
            continue;
        }
        let raw = &line[colon + 1..];
        let lead = raw.len() - raw.trim_start().len();
        let vstart = l.start + colon + 1 + lead;
        let v = raw.trim();
        let (value, range) = if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
            match v[1..].find(q) {
                Some(e) => (v[1..1 + e].to_string(), vstart + 1..vstart + 1 + e),
                None => (v[1..].to_string(), vstart + 1..vstart + v.len()),
            }
        } else {
            let v = match v.find(" #") {
                Some(h) => v[..h].trim_end(),
                None => v,
            };
            (v.to_string(), vstart..vstart + v.len())
        };
        entries.push(FmEntry { key: key.to_string(), key_range: l.start..l.start + colon, value, value_range: range });
    }
    Frontmatter { open_line: first, range: block, closed, entries }
}
