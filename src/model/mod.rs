//! The Work Log model of one chunk (the preamble, or one entry).
//!
//! Built by [`scan_chunk`] from the chunk's text alone; every range is a byte
//! range relative to the chunk start. Never fails: any text gives a model.

mod lines;
pub mod mojibake;
pub mod refs;
mod scan;
mod scan_refs;

use std::ops::Range;

pub use lines::{parse_datetime, parse_label};
pub use refs::{FileRef, LineSpan, RefForm, WorkOp};
pub use scan::scan_chunk;

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
    /// The priority the tag names, if it is one exactly (`[HIGH]`, `[MED]`, `[LOW]`).
    pub fn priority(&self, chunk_text: &str) -> Option<Priority> {
        Priority::parse(self.text(chunk_text))
    }
}

/// A Next item's priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    High,
    Med,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Med, Priority::Low];
    /// The tag's text, exactly as the format writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Priority::High => "HIGH",
            Priority::Med => "MED",
            Priority::Low => "LOW",
        }
    }
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A log's status (frontmatter `status:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    InProgress,
    NeedsReview,
    Blocked,
    Completed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::InProgress, Status::NeedsReview, Status::Blocked, Status::Completed];
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "in_progress",
            Status::NeedsReview => "needs_review",
            Status::Blocked => "blocked",
            Status::Completed => "completed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
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
