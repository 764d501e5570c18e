//! The hand-off (format-notes: the protocol): start the next entry
//! ([`next`]), make the compact copy handed to the next session ([`copy`]),
//! say the status at a glance ([`status`]), count tokens ([`tokens`]).
//!
//! Plain data and pure functions over a [`Document`](crate::document::Document):
//! no IO, no protocol types. The clock is injected ([`LocalTime`]); the CLI
//! and the server read the real one ([`clock::local_now`]) and the files.

pub mod clock;
pub mod copy;
pub mod next;
pub mod status;
pub mod tokens;

use std::ops::Range;

use crate::model::parse_datetime;

/// One replacement of a byte range of the log's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub text: String,
}

impl TextEdit {
    pub fn new(range: Range<usize>, text: impl Into<String>) -> TextEdit {
        TextEdit { range, text: text.into() }
    }
    pub fn insert(at: usize, text: impl Into<String>) -> TextEdit {
        TextEdit::new(at..at, text)
    }
}

/// Apply non-overlapping edits (in any order) to `text`. Ranges are clamped
/// to the text; an edit that overlaps an earlier one is dropped.
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    crate::diagnostic::apply_in_order(text, sorted.iter().map(|e| (e.range.clone(), e.text.as_str())))
}

/// A local date and time to the minute: the clock of a hand-off, injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

impl LocalTime {
    /// `YYYY-MM-DD HH:MM` (a real date and time), as entry headings write it.
    pub fn parse(s: &str) -> Result<LocalTime, String> {
        let d = parse_datetime(s.trim())?;
        if !d.has_time {
            return Err(format!("`{}` has no time; write `YYYY-MM-DD HH:MM`", s.trim()));
        }
        Ok(LocalTime { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute })
    }
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02} {:02}:{:02}", self.year, self.month, self.day, self.hour, self.minute)
    }
}

/// The line ending the log uses (that of its first line), for inserted text.
pub(crate) fn line_ending(text: &str) -> &'static str {
    match memchr::memchr2(b'\n', b'\r', text.as_bytes()) {
        Some(i) if text.as_bytes()[i] == b'\r' && text.as_bytes().get(i + 1) == Some(&b'\n') => "\r\n",
        Some(i) if text.as_bytes()[i] == b'\r' => "\r",
        _ => "\n",
    }
}

/// The version a file name carries: `Auth-WorkLog-v3.md`, `WorkLog v3.md`,
/// `log_v3.md` → the byte range of the digits and the number. The `v<N>`
/// must end the stem (what stands before the extension).
pub fn name_version(name: &str) -> Option<(Range<usize>, u32)> {
    let stem_end = name.rfind('.').filter(|&i| i > 0).unwrap_or(name.len());
    let stem = &name[..stem_end];
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 9 {
        return None;
    }
    let v_at = stem_end - digits - 1;
    let b = stem.as_bytes();
    if !matches!(b.get(v_at), Some(b'v' | b'V')) || v_at == 0 || !matches!(b[v_at - 1], b'-' | b' ' | b'_' | b'.') {
        return None;
    }
    let n = stem[v_at + 1..].parse().ok()?;
    Some((v_at + 1..stem_end, n))
}

/// What stands before a file name's `-v<N>`: files of one log share it
/// (`Auth-WorkLog-v1.md` … `Auth-WorkLog-v4.md` → `Auth-WorkLog`, with the
/// extension). `None` for a name that carries no version.
pub fn name_stem(name: &str) -> Option<String> {
    let (r, _) = name_version(name)?;
    Some(format!("{}{}", &name[..r.start - 2], &name[r.end..]))
}

/// `Auth-WorkLog-v2.md` with version `v3` → `Auth-WorkLog-v3.md`.
pub fn name_with_version(name: &str, version: u32) -> Option<String> {
    let (r, _) = name_version(name)?;
    Some(format!("{}{version}{}", &name[..r.start], &name[r.end..]))
}
