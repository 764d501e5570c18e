//! Diagnostics as plain data — codes (stable API), severities, fixes — and
//! the checks one chunk decides alone (`local`), cached with the chunk by
//! `document`. Below `document` and `config`, above `model`: the module
//! graph runs one way (`syntax → model → diagnostic → document → analysis`).

mod local;

use std::ops::Range;

use crate::model::FieldKind;
pub use local::{chunk_diagnostics, PRIORITIES};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" | "warn" => Severity::Warning,
            "information" | "info" => Severity::Information,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $sev:ident;)*) => {
        /// Diagnostic codes: stable API (spec §4).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }
        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev),* }
            }
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    MissingFrontmatter => "missing-frontmatter", Error;
    MissingVersion => "missing-version", Error;
    MissingStatus => "missing-status", Error;
    InvalidVersion => "invalid-version", Error;
    InvalidStatus => "invalid-status", Error;
    VersionMismatch => "version-mismatch", Error;
    MissingTitle => "missing-title", Warning;
    MalformedEntry => "malformed-entry", Error;
    DuplicateVersion => "duplicate-version", Error;
    VersionOrder => "version-order", Warning;
    DateOrder => "date-order", Warning;
    MissingSection => "missing-section", Warning;
    DuplicateSection => "duplicate-section", Warning;
    UnknownSection => "unknown-section", Hint;
    BadProgress => "bad-progress", Warning;
    BadPriority => "bad-priority", Error;
    MissingPriority => "missing-priority", Warning;
    FileNotFound => "file-not-found", Warning;
    RangeOutOfBounds => "range-out-of-bounds", Warning;
    BadRange => "bad-range", Error;
    OutsideWorkspace => "outside-workspace", Error;
    Mojibake => "mojibake", Warning;
    FileTooLarge => "file-too-large", Information;
    CompletedWithOpenHigh => "completed-with-open-high", Information;
    BlockedWithoutBlocker => "blocked-without-blocker", Information;
    HistoryDisagrees => "history-disagrees", Information;
    RangeMoved => "range-moved", Hint;
    RangeChanged => "range-changed", Hint;
    RangeRemoved => "range-removed", Information;
}

/// A text edit that fixes a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<(Range<usize>, String)>,
    /// The one fix an editor may apply without asking.
    pub preferred: bool,
}

impl Fix {
    pub fn replace(title: impl Into<String>, range: Range<usize>, text: impl Into<String>) -> Fix {
        Fix { title: title.into(), edits: vec![(range, text.into())], preferred: false }
    }
    pub(crate) fn shifted(mut self, by: usize) -> Fix {
        for (r, _) in &mut self.edits {
            *r = r.start + by..r.end + by;
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(code: Code, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { range, code, severity: code.default_severity(), message: message.into(), fixes: Vec::new() }
    }
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }
    pub(crate) fn shifted(mut self, by: usize) -> Diagnostic {
        self.range = self.range.start + by..self.range.end + by;
        self.fixes = self.fixes.into_iter().map(|f| f.shifted(by)).collect();
        self
    }
}

/// The closest candidate by case-insensitive edit distance.
pub fn nearest<'a>(s: &str, cands: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let s = s.to_lowercase();
    cands.map(|c| (edit_distance(&s, &c.to_lowercase()), c)).min_by_key(|(d, _)| *d).map(|(_, c)| c)
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known field label that `name` nearly is (spec §4 `unknown-section`):
/// the same but for case, or within edit distance 2 (1 for labels of four
/// letters or fewer), compared without case. `None` for an exact known
/// label and for the author's own sub-headings.
pub fn suggest_label(name: &str) -> Option<FieldKind> {
    if FieldKind::from_label(name).is_some() {
        return None;
    }
    let lower = name.to_lowercase();
    FieldKind::ALL
        .into_iter()
        .map(|k| (edit_distance(&lower, &k.label().to_lowercase()), k))
        .filter(|(d, k)| *d <= if k.label().chars().count() <= 4 { 1 } else { 2 })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Applies edits given in text order to `text`: byte ranges clamped to the
/// text; an edit that overlaps an earlier one or does not fall on char
/// boundaries is skipped.
pub fn apply_in_order<'a>(text: &str, edits: impl IntoIterator<Item = (Range<usize>, &'a str)>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, new) in edits {
        let (s, t) = (r.start.min(text.len()), r.end.min(text.len()));
        if s < at || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(new);
        at = t.max(s);
    }
    out.push_str(&text[at..]);
    out
}
