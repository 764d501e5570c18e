//! The Work Log model of one chunk (the preamble, or one entry).
//!
//! Built by [`scan_chunk`] from the chunk's text alone; every range is a byte
//! range relative to the chunk start. Never fails: any text gives a model.

pub mod mojibake;
pub mod refs;

use std::ops::Range;

use crate::syntax::{self, inline, Line};
pub use refs::{FileRef, LineSpan, RefForm, WorkOp};

/// The known field labels, matched exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKind {
    Prev,
    Now,
    Progress,
    Files,
    Work,
    Decisions,
    Works,
    Fails,
    Blockers,
    Next,
    Open,
    ReviewChecklist,
}

impl FieldKind {
    pub const ALL: [FieldKind; 12] = [
        FieldKind::Prev,
        FieldKind::Now,
        FieldKind::Progress,
        FieldKind::Files,
        FieldKind::Work,
        FieldKind::Decisions,
        FieldKind::Works,
        FieldKind::Fails,
        FieldKind::Blockers,
        FieldKind::Next,
        FieldKind::Open,
        FieldKind::ReviewChecklist,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FieldKind::Prev => "Prev",
            FieldKind::Now => "Now",
            FieldKind::Progress => "Progress",
            FieldKind::Files => "Files",
            FieldKind::Work => "Work",
            FieldKind::Decisions => "Decisions",
            FieldKind::Works => "Works",
            FieldKind::Fails => "Fails",
            FieldKind::Blockers => "Blockers",
            FieldKind::Next => "Next",
            FieldKind::Open => "Open",
            FieldKind::ReviewChecklist => "Review Checklist",
        }
    }

    pub fn from_label(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.label() == s)
    }

    /// One line of documentation, for hover and completion.
    pub fn doc(self) -> &'static str {
        match self {
            FieldKind::Prev => "Where the previous hand-off left the work.",
            FieldKind::Now => "What this hand-off is doing now.",
            FieldKind::Progress => "Percent complete (`60%`), then optional `|`-separated milestones.",
            FieldKind::Files => "Files touched or planned, with nested `L10-20:` line ranges.",
            FieldKind::Work => "Change records: `+:` added, `~:` modified, `-:` removed.",
            FieldKind::Decisions => "Decisions made, with the rationale and the alternative.",
            FieldKind::Works => "What worked.",
            FieldKind::Fails => "What failed, and why.",
            FieldKind::Blockers => "What blocks the work (or `None`).",
            FieldKind::Next => "Next steps, each tagged `[HIGH]`, `[MED]` or `[LOW]`.",
            FieldKind::Open => "Open questions.",
            FieldKind::ReviewChecklist => "Checklist for the reviewer (`- [ ]` items).",
        }
    }
}

/// A bold label at the start of a line: `**Label:**` or `**Label**:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    /// Where the label's name is (trimmed, without `**` and `:`).
    pub name_range: Range<usize>,
    /// The whole `**Label:**`.
    pub range: Range<usize>,
    pub kind: Option<FieldKind>,
}

impl Label {
    /// The label's name, from the chunk's text.
    pub fn name<'a>(&self, chunk_text: &'a str) -> &'a str {
        chunk_text.get(self.name_range.clone()).unwrap_or("")
    }
}

/// A bracket tag at the start of a list item (`[HIGH]`), after an optional
/// task box.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    /// Including the brackets; the tag's text is inside them.
    pub range: Range<usize>,
}

impl Tag {
    /// The tag's text (between the brackets), from the chunk's text.
    pub fn text<'a>(&self, chunk_text: &'a str) -> &'a str {
        chunk_text.get(self.range.start + 1..self.range.end.saturating_sub(1)).unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Item {
    /// The line of the item.
    pub line: Range<usize>,
    /// The item's text after the list marker.
    pub text: Range<usize>,
    pub tag: Option<Tag>,
    pub task_box: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    pub label: Label,
    /// The rest of the label's line, trimmed.
    pub value: Range<usize>,
    /// From the label to the next label, entry heading or chunk end.
    pub extent: Range<usize>,
    /// Its top-level list items: indices into [`ChunkModel::items`] (see
    /// [`ChunkModel::items_of`]).
    pub items: Range<u32>,
}

/// `YYYY-MM-DD` with an optional `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    /// The time was written (else `hour` and `minute` are 0).
    pub has_time: bool,
}

impl DateTime {
    /// Strictly earlier: by the time of day only when both have one (a
    /// date-only entry is not "before" a timed entry of the same day).
    pub fn is_before(&self, other: &DateTime) -> bool {
        let (a, b) = ((self.year, self.month, self.day), (other.year, other.month, other.day));
        if a != b || !(self.has_time && other.has_time) {
            return a < b;
        }
        (self.hour, self.minute) < (other.hour, other.minute)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryHeading {
    /// The whole heading line.
    pub line: Range<usize>,
    /// The `vN` as written.
    pub version: Option<(u32, Range<usize>)>,
    pub date: Option<DateTime>,
    pub title: Option<Range<usize>>,
    /// Why it is not of the shape `## vN | YYYY-MM-DD HH:MM | Title`.
    pub problem: Option<String>,
    /// `v<N>` exactly (an integer), ` | `, then a real date: the entry shape
    /// that, with a known field label, makes a file a Work Log (§1).
    pub shaped: bool,
}

/// A `key: value` of the frontmatter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FmEntry {
    pub key: String,
    pub key_range: Range<usize>,
    /// Unquoted value.
    pub value: String,
    /// The value as written (without quotes); empty range after the key if
    /// the value is empty.
    pub value_range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frontmatter {
    /// The opening `---` line.
    pub open_line: Range<usize>,
    /// The whole block.
    pub range: Range<usize>,
    pub closed: bool,
    pub entries: Vec<FmEntry>,
}

impl Frontmatter {
    pub fn get(&self, key: &str) -> Option<&FmEntry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// `[... anything ...]`: history left out of this copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Elision {
    pub range: Range<usize>,
    pub versions: Vec<u32>,
}

/// A mention of an entry version in prose (`v2`), for navigation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionMention {
    pub version: u32,
    pub range: Range<usize>,
}

/// A heading other than the entry heading (title, `###` subsections).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Heading {
    pub level: u8,
    pub line: Range<usize>,
    pub content: Range<usize>,
}

/// Everything known about one chunk. Offsets are chunk-relative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ChunkModel {
    pub len: usize,
    /// Set for entry chunks; `None` for the preamble.
    pub heading: Option<EntryHeading>,
    pub frontmatter: Option<Frontmatter>,
    /// The level-1 title (preamble only).
    pub title: Option<Range<usize>>,
    pub headings: Vec<Heading>,
    /// Bold labels at line starts, known or not, in order.
    pub labels: Vec<Label>,
    /// Fields opened by known labels.
    pub fields: Vec<Field>,
    /// The fields' top-level list items, field after field.
    pub items: Vec<Item>,
    pub elisions: Vec<Elision>,
    pub refs: Vec<FileRef>,
    pub mentions: Vec<VersionMention>,
    pub garbled: Vec<mojibake::Garbled>,
    /// Fenced code blocks, fence lines included.
    pub code_blocks: Vec<Range<usize>>,
    /// The entry's body holds nothing but elisions (and blank lines).
    pub only_elided: bool,
    /// Bit `k as u16` is set for every field kind present (see
    /// [`ChunkModel::has_field`]): the document-wide checks read this, not
    /// the field list.
    pub present: u16,
    /// Some reference's path could leave the workspace root lexically.
    pub has_outside: bool,
}

impl ChunkModel {
    /// The top-level list items of a field of this chunk.
    pub fn items_of(&self, f: &Field) -> &[Item] {
        self.items.get(f.items.start as usize..f.items.end as usize).unwrap_or(&[])
    }
    pub fn field(&self, kind: FieldKind) -> Option<&Field> {
        self.fields.iter().find(|f| f.label.kind == Some(kind))
    }
    pub fn has_field(&self, kind: FieldKind) -> bool {
        self.present & (1 << kind as u16) != 0
    }
    pub fn version(&self) -> Option<u32> {
        self.heading.as_ref()?.version.as_ref().map(|v| v.0)
    }
}

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
fn list_item(line: &str) -> Option<(usize, usize)> {
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
fn item_tag(text: &str) -> (bool, Option<Range<usize>>) {
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

fn parse_elision(line: &str) -> Option<Vec<u32>> {
    let t = line.trim_start();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner.trim();
    let body = if let Some(b) = inner.strip_prefix("...") {
        b.strip_suffix("...")?
    } else {
        inner.strip_prefix('…')?.strip_suffix('…')?
    };
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
fn version_mentions(s: &str) -> Vec<VersionMention> {
    let mut out = Vec::new();
    version_mentions_into(s, &mut out);
    out
}

/// [`version_mentions`] appended to `out`.
fn version_mentions_into(s: &str, out: &mut Vec<VersionMention>) {
    let b = s.as_bytes();
    let mut i = 0;
    // Jump from `v` to `v`; a mention's digits hold no `v`, so skipping past
    // them (as the byte-by-byte scan did) changes nothing.
    while let Some(k) = memchr::memchr(b'v', &b[i..]) {
        i += k;
        if i == 0 || !b[i - 1].is_ascii_alphanumeric() {
            let d = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + 1 + d;
            if d > 0 && d < 9 && (end == b.len() || !(b[end].is_ascii_alphanumeric() || b[end] == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_digit))) {
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
fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        None => true,
        Some(&c) if c < 0x80 && !c.is_ascii_whitespace() => false,
        Some(_) => line.trim().is_empty(),
    }
}

fn parse_heading(text: &str, line: Line, content: Range<usize>) -> EntryHeading {
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

fn parse_frontmatter(text: &str, block: Range<usize>, closed: bool) -> Frontmatter {
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
        entries.push(FmEntry {
            key: key.to_string(),
            key_range: l.start..l.start + colon,
            value,
            value_range: range,
        });
    }
    Frontmatter { open_line: first, range: block, closed, entries }
}

/// Context of the list item a line belongs to.
#[derive(Clone)]
struct Bullet {
    indent: usize,
    exempt: bool,
    /// For a top-level Files bullet: the file it names (index into refs).
    file: Option<usize>,
}

/// Build the model of one chunk. `text` is the chunk's text; `first` says it
/// is the document's first chunk (which may hold frontmatter).
pub fn scan_chunk(text: &str, first: bool) -> ChunkModel {
    let mut m = ChunkModel { len: text.len(), ..Default::default() };
    // The lists grow in buffers kept per thread from chunk to chunk; the
    // model gets exact-size copies (one allocation per non-empty list, no
    // growth slack).
    let mut spare = SPARE.with(|s| s.take());
    std::mem::swap(&mut m.labels, &mut spare.labels);
    std::mem::swap(&mut m.fields, &mut spare.fields);
    std::mem::swap(&mut m.items, &mut spare.items);
    std::mem::swap(&mut m.refs, &mut spare.refs);
    std::mem::swap(&mut m.mentions, &mut spare.mentions);
    let mut from = 0;
    if first {
        if let Some((block, closed)) = syntax::frontmatter_block(text) {
            m.frontmatter = Some(parse_frontmatter(text, block.clone(), closed));
            if closed {
                from = block.end;
            }
        }
    }
    let mut blocks = syntax::Blocks::default();
    // The code or HTML block being read: its first line's start, last line's end.
    let mut opaque: Option<Range<usize>> = None;
    let mut bullets: Vec<Bullet> = Vec::new();
    let mut field: Option<usize> = None;
    let mut prev_para: Option<Line> = None;
    let mut body_lines = 0usize;
    let mut elision_lines = 0usize;
    let mut scratch = Scratch::default();

    for (n, l) in syntax::lines_from(text, from).enumerate() {
        let line = &text[l.start..l.end];
        let kind = blocks.line(line);
        if kind.is_opaque() || kind == syntax::LineKind::Blank && blocks.in_opaque() {
            // Code and HTML (comments included) are never structure.
            match &mut opaque {
                Some(r) => r.end = l.end,
                None => opaque = Some(l.start..l.end),
            }
            if kind != syntax::LineKind::Blank {
                body_lines += 1;
            }
            prev_para = None;
            continue;
        }
        if let Some(r) = opaque.take() {
            m.code_blocks.push(r);
        }
        if n == 0 && l.start == 0 && matches!(kind, syntax::LineKind::Heading { level: 2, top: true }) && syntax::is_entry_heading(line) {
            if let Some((_, content)) = syntax::atx_heading(line) {
                m.heading = Some(parse_heading(text, l, content));
                continue;
            }
        }
        // The first byte after spaces and tabs decides which of the block
        // scanners below can match at all (each skips exactly these first).
        let first = line.bytes().find(|&c| c != b' ' && c != b'\t');
        if kind == syntax::LineKind::Break {
            body_lines += 1;
            prev_para = None;
            bullets.clear();
            continue;
        }
        if is_blank(line) {
            prev_para = None;
            continue;
        }
        body_lines += 1;
        if let (syntax::LineKind::Heading { top, .. }, Some((level, content))) = (kind, if first == Some(b'#') { syntax::atx_heading(line) } else { None }) {
            let content = l.start + content.start..l.start + content.end;
            if level == 1 && top && m.heading.is_none() && m.title.is_none() {
                m.title = Some(content.clone());
            }
            m.headings.push(Heading { level: level as u8, line: l.start..l.end, content });
            prev_para = None;
            bullets.clear();
            continue;
        }
        // Setext title: `Title` underlined with `===`.
        // `trim_start` skips Unicode whitespace too: only a line whose first
        // byte after spaces and tabs is the wanted one, non-ASCII or other
        // whitespace can match these two.
        let odd_start = |want: u8| matches!(first, Some(c) if c == want || c >= 0x80 || matches!(c, b'\n' | 0x0B | 0x0C | b'\r'));
        if let Some(p) = prev_para.filter(|_| kind == syntax::LineKind::Setext { level: 1 } && blocks.depth() == 0) {
            let t = line.trim();
            if !t.is_empty() && t.bytes().all(|c| c == b'=') && m.heading.is_none() && m.title.is_none() {
                let pt = &text[p.start..p.end];
                let lead = pt.len() - pt.trim_start().len();
                let content = p.start + lead..p.start + lead + pt.trim().len();
                m.title = Some(content.clone());
                m.headings.push(Heading { level: 1, line: p.start..l.end, content });
                prev_para = None;
                continue;
            }
        }
        if let Some(versions) = if odd_start(b'[') { parse_elision(line) } else { None } {
            let lead = line.len() - line.trim_start().len();
            m.elisions.push(Elision { range: l.start + lead..l.start + line.trim_end().len(), versions });
            elision_lines += 1;
            prev_para = None;
            continue;
        }
        prev_para = Some(l);

        let mut content_start = 0; // within line
        let mut in_files_or_work = false;
        if let Some((name, r)) = if matches!(first, Some(b'*' | b'_')) { parse_label(line) } else { None } {
            let kind = FieldKind::from_label(&line[name.clone()]);
            let label = Label { name_range: l.start + name.start..l.start + name.end, range: l.start + r.start..l.start + r.end, kind };
            if let Some(i) = field {
                m.fields[i].extent.end = l.start;
            }
            field = None;
            m.labels.push(label.clone());
            if kind.is_some() && m.heading.is_some() {
                let v = &line[r.end..];
                let lead = v.len() - v.trim_start().len();
                let vs = l.start + r.end + lead;
                m.fields.push(Field {
                    label,
                    value: vs..vs + v.trim().len(),
                    extent: l.start..text.len(),
                    items: m.items.len() as u32..m.items.len() as u32,
                });
                field = Some(m.fields.len() - 1);
            }
            bullets.clear();
            content_start = r.end;
        }
        let kind = field.and_then(|i| m.fields[i].label.kind);
        let future = matches!(kind, Some(FieldKind::Next) | Some(FieldKind::Open));

        // List structure and exemptions.
        let mut exempt = future;
        let mut nested_of: Option<usize> = None;
        let mut files_top = false;
        if content_start == 0 {
            let item = if matches!(first, Some(b'-' | b'*' | b'+' | b'0'..=b'9')) { list_item(line) } else { None };
            if let Some((indent, cstart)) = item {
                while bullets.last().is_some_and(|b| b.indent >= indent) {
                    bullets.pop();
                }
                let parent = bullets.last().cloned();
                let item_text = &line[cstart..];
                let own_exempt = refs::says_planned(item_text);
                let top = indent < 2 || parent.is_none() && indent < 4;
                let b_exempt = own_exempt || parent.as_ref().is_some_and(|p| p.exempt);
                exempt |= b_exempt;
                if top {
                    if let Some(i) = field {
                        let (task_box, tag) = item_tag(item_text);
                        let base = l.start + cstart;
                        m.fields[i].items.end += 1;
                        m.items.push(Item {
                            line: l.start..l.end,
                            text: base..base + item_text.trim_end().len(),
                            tag: tag.map(|r| Tag { range: base + r.start..base + r.end }),
                            task_box,
                        });
                    }
                    files_top = kind == Some(FieldKind::Files);
                    in_files_or_work = matches!(kind, Some(FieldKind::Files) | Some(FieldKind::Work));
                } else {
                    nested_of = parent.as_ref().and_then(|p| p.file);
                }
                bullets.push(Bullet { indent, exempt: b_exempt, file: None });
                content_start = cstart;
            } else {
                let (w, _) = syntax::indentation(line);
                if w == 0 {
                    bullets.clear();
                } else if let Some(b) = bullets.last() {
                    exempt |= b.exempt; // continuation text of an item
                }
            }
        }

        // Work lines: `+: path`, `~: path`, `-: path`.
        let t = &line[content_start..];
        let lead = t.len() - t.trim_start().len();
        let t = t.trim_start();
        let mut work: Option<WorkOp> = None;
        if t.len() >= 2 && t.as_bytes()[1] == b':' && (t.len() == 2 || t.as_bytes()[2] == b' ') {
            work = match t.as_bytes()[0] {
                b'+' => Some(WorkOp::Added),
                b'~' => Some(WorkOp::Modified),
                b'!' => Some(WorkOp::Fixed),
                b'-' => Some(WorkOp::Removed),
                _ => None,
            };
            if work.is_some() {
                content_start += lead + 2;
                in_files_or_work = true;
            }
        }
        let refs_before = m.refs.len();
        let ctx = RefCtx {
            exempt: exempt || work == Some(WorkOp::Removed),
            path_words: in_files_or_work,
            work,
        };
        // Nested range under a Files bullet: `L47-82: …`.
        if let Some(parent_ref) = nested_of {
            let t = &line[content_start..];
            let tok_end = t.find([':', ' ', '\t']).unwrap_or(t.len());
            let tok = &t[..tok_end];
            if tok.starts_with('L') {
                if let Some(span) = refs::parse_span(tok, false) {
                    let s = l.start + content_start;
                    let p = &m.refs[parent_ref];
                    m.refs.push(FileRef {
                        path_range: p.path_range.clone(),
                        range: s..s + tok.len(),
                        lines: Some((span, s..s + tok.len())),
                        form: RefForm::Nested,
                        exempt: ctx.exempt || p.exempt,
                        needs_folder: p.needs_folder,
                        maybe_outside: p.maybe_outside,
                    });
                    content_start += tok_end;
                }
            }
        }
        scan_refs(text, l.start + content_start, l.end, &ctx, &mut m.refs, &mut scratch);
        if files_top && m.refs.len() > refs_before {
            if let Some(b) = bullets.last_mut() {
                b.file = Some(refs_before);
            }
        }
        // Version mentions (outside code) for navigation.
        if m.heading.is_some() {
            let before = m.mentions.len();
            version_mentions_into(line, &mut m.mentions);
            if m.mentions.len() > before {
                scratch.spans.clear();
                if memchr::memchr(b'`', line.as_bytes()).is_some() {
                    inline::code_spans_into(line, &mut scratch.spans);
                }
                let spans = &scratch.spans;
                let mut k = before;
                for j in before..m.mentions.len() {
                    let vm = m.mentions[j].clone();
                    if !spans.iter().any(|c| c.outer.contains(&vm.range.start)) {
                        m.mentions[k] = VersionMention { version: vm.version, range: l.start + vm.range.start..l.start + vm.range.end };
                        k += 1;
                    }
                }
                m.mentions.truncate(k);
            }
        }
        for g in mojibake::find(line) {
            m.garbled.push(mojibake::Garbled { range: l.start + g.range.start..l.start + g.range.end, fixed: g.fixed });
        }
    }
    if let Some(r) = opaque {
        m.code_blocks.push(r);
    }
    m.only_elided = m.heading.is_some() && elision_lines > 0 && body_lines == elision_lines;
    m.present = m.fields.iter().filter_map(|f| f.label.kind).fold(0, |acc, k| acc | 1 << k as u16);
    m.has_outside = m.refs.iter().any(|r| r.maybe_outside);
    spare.labels = exact(&mut m.labels);
    spare.fields = exact(&mut m.fields);
    spare.items = exact(&mut m.items);
    spare.refs = exact(&mut m.refs);
    spare.mentions = exact(&mut m.mentions);
    SPARE.with(|s| s.set(spare));
    m
}

/// Growable lists of [`scan_chunk`], kept per thread between chunks.
#[derive(Default)]
struct Lists {
    labels: Vec<Label>,
    fields: Vec<Field>,
    items: Vec<Item>,
    refs: Vec<FileRef>,
    mentions: Vec<VersionMention>,
}

thread_local! {
    static SPARE: std::cell::Cell<Lists> = std::cell::Cell::new(Lists::default());
}

/// Replace `v` with an exact-size copy; return the old buffer, emptied (its
/// capacity kept for the next chunk).
fn exact<T: Clone>(v: &mut Vec<T>) -> Vec<T> {
    let mut old = std::mem::replace(v, v.as_slice().to_vec());
    old.clear();
    if old.capacity() > 1024 {
        old = Vec::new(); // a huge chunk's buffers are not kept
    }
    old
}

/// Byte classes of the bare-word scan of [`scan_refs`].
const C_SPACE: u8 = 1; // ASCII whitespace (`u8::is_ascii_whitespace`)
const C_OPEN: u8 = 2;
const C_CLOSE: u8 = 4;
const C_PATH: u8 = 8; // `/`, `.`, `:`, `#`
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = C_SPACE;
    t[b'\t' as usize] = C_SPACE;
    t[b'\n' as usize] = C_SPACE;
    t[0x0C] = C_SPACE;
    t[b'\r' as usize] = C_SPACE;
    t[b'(' as usize] = C_OPEN;
    t[b')' as usize] = C_CLOSE;
    t[b'/' as usize] = C_PATH;
    t[b'.' as usize] = C_PATH;
    t[b':' as usize] = C_PATH;
    t[b'#' as usize] = C_PATH;
    t
};

/// Buffers reused from line to line (a line's code spans, links, and the
/// ranges they take), so that a line costs no allocation of its own.
#[derive(Default)]
struct Scratch {
    spans: Vec<inline::CodeSpan>,
    links: Vec<inline::Link>,
    taken: Vec<Range<usize>>,
}

struct RefCtx {
    exempt: bool,
    /// Bare words with a known extension count (Files/Work bullets).
    path_words: bool,
    work: Option<WorkOp>,
}

/// Extract references from `text[start..end]` (one line's content).
fn scan_refs(text: &str, start: usize, end: usize, ctx: &RefCtx, out: &mut Vec<FileRef>, scratch: &mut Scratch) {
    let s = &text[start..end];
    // Code spans and links only where a backtick or a `](` is (vector
    // searches); lines without either go straight to the bare words, which
    // need a `/`, `.`, `:` or `#` to be a path.
    let sb = s.as_bytes();
    let tick = memchr::memchr(b'`', sb).is_some();
    let link = memchr::memchr_iter(b']', sb).any(|i| sb.get(i + 1) == Some(&b'('));
    let Scratch { spans, links, taken } = scratch;
    spans.clear();
    links.clear();
    taken.clear();
    if tick {
        inline::code_spans_into(s, spans);
    }
    if link {
        inline::links_into(s, spans, links);
    }
    let form_for = |default: RefForm| match ctx.work {
        Some(op) => RefForm::Work(op),
        None => default,
    };
    for c in spans.iter() {
        taken.push(c.outer.clone());
        let inner = &s[c.inner.clone()];
        let tok = inner.trim();
        if tok.is_empty() || tok.contains(char::is_whitespace) || refs::is_url(tok) {
            continue;
        }
        let lead = inner.len() - inner.trim_start().len();
        let tok = tok.strip_suffix(':').unwrap_or(tok);
        let base = start + c.inner.start + lead;
        if let Some(r) = make_ref(tok, base, form_for(RefForm::Backtick), ctx.exempt, true, true) {
            out.push(r);
        }
    }
    for lk in links.iter() {
        taken.push(lk.outer.clone());
        let dest = &s[lk.dest.clone()];
        if dest.is_empty() || dest.starts_with('#') || refs::is_url(dest) {
            continue;
        }
        let base = start + lk.dest.start;
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if !refs::path_chars_ok(path) {
            continue;
        }
        let lines = frag.and_then(|f| {
            let fs = base + path.len() + 1;
            refs::parse_span(f, true).map(|sp| (sp, fs..fs + f.len()))
        });
        out.push(FileRef {
            path_range: base..base + path.len(),
            range: base..base + dest.len(),
            lines,
            form: form_for(RefForm::Link),
            exempt: ctx.exempt,
            needs_folder: false,
            maybe_outside: refs::may_leave_root(path),
        });
    }
    // Bare words, outside code spans and links.
    taken.sort_by_key(|r| r.start);
    let b = s.as_bytes();
    let mut depth = 0i32;
    let mut next_taken = 0;
    let mut i = 0;
    while i < b.len() {
        while next_taken < taken.len() && taken[next_taken].end <= i {
            next_taken += 1;
        }
        let stop = taken.get(next_taken).map_or(b.len(), |t| t.start);
        if i >= stop {
            i = taken[next_taken].end;
            continue;
        }
        while i < stop && CLASS[b[i] as usize] & C_SPACE != 0 {
            i += 1;
        }
        if i >= stop {
            continue;
        }
        // One pass over the word's bytes: where it ends, its parentheses,
        // and whether it could be a path at all (`/`, `.`, `:` or `#`).
        let ws = i;
        let (mut opens, mut closes, mut seen) = (0i32, 0i32, 0u8);
        while i < stop {
            let k = CLASS[b[i] as usize];
            if k & C_SPACE != 0 {
                break;
            }
            opens += i32::from(k & C_OPEN != 0);
            closes += i32::from(k & C_CLOSE != 0);
            seen |= k;
            i += 1;
        }
        let pathy = seen & C_PATH != 0;
        let in_parens = depth > 0 || opens > 0;
        depth = (depth + opens - closes).max(0);
        if !pathy {
            continue;
        }
        // The trimmed characters are ASCII: trimming bytes keeps boundaries.
        let wb = &b[ws..i];
        let lead = wb.iter().take_while(|c| matches!(c, b'(' | b'[' | b'"' | b'\'' | b'<' | b'*' | b'_')).count();
        let trail = wb[lead..]
            .iter()
            .rev()
            .take_while(|c| matches!(c, b')' | b']' | b'"' | b'\'' | b'>' | b',' | b'.' | b';' | b':' | b'!' | b'?' | b'*' | b'_'))
            .count();
        let w = &s[ws + lead..i - trail];
        if w.is_empty() || w.bytes().any(|c| matches!(c, b'`' | b'(' | b')' | b'[' | b']')) || refs::is_url(w) {
            continue;
        }
        let (plen, lines) = refs::split_range(w);
        let path = &w[..plen];
        let pb = path.as_bytes();
        let (slash, colon) = (memchr::memchr(b'/', pb).is_some(), memchr::memchr(b':', pb).is_some());
        let ext = refs::has_known_extension(path);
        let plausible = (pb.iter().any(u8::is_ascii_alphabetic) || path.chars().any(|c| c.is_alphabetic())) && (slash || ext) && !colon;
        let accept = plausible && (lines.is_some() || ext && (ctx.path_words || in_parens && slash));
        if accept {
            if let Some(r) = make_ref(w, start + ws + lead, form_for(RefForm::Plain), ctx.exempt, false, false) {
                out.push(r);
            }
        }
    }
}

/// Build a reference from a token `path[:range]` written at `base`.
fn make_ref(tok: &str, base: usize, form: RefForm, exempt: bool, backtick: bool, allow_folder: bool) -> Option<FileRef> {
    let (plen, lines) = refs::split_range(tok);
    let path = &tok[..plen];
    if !refs::path_chars_ok(path) || path.contains(':') && !is_drive(path) {
        return None;
    }
    let ext = refs::has_known_extension(path);
    let mut needs_folder = false;
    if lines.is_none() && !ext {
        let first = path.split('/').next().unwrap_or("");
        let folderish = allow_folder
            && backtick
            && path.contains('/')
            && !first.is_empty()
            && !first.starts_with(['@', '.', '~'])
            && !path.ends_with('/');
        if !folderish {
            return None;
        }
        needs_folder = true;
    }
    Some(FileRef {
        path_range: base..base + plen,
        range: base..base + tok.len(),
        lines: lines.map(|(sp, r)| (sp, base + r.start..base + r.end)),
        form,
        exempt,
        needs_folder,
        maybe_outside: refs::may_leave_root(path),
    })
}

fn is_drive(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

