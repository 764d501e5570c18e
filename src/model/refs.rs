//! File references (spec §3): the forms, what counts as a path, line ranges.

use std::ops::Range;

/// File extensions that make a word a path. The one list the server uses;
/// sorted (binary search), lower case.
pub const EXTENSIONS: &[&str] = &[
    "adoc",
    "asm",
    "bash",
    "bib",
    "c",
    "cc",
    "cfg",
    "cjs",
    "clj",
    "cljs",
    "cmake",
    "conf",
    "cpp",
    "cs",
    "css",
    "csv",
    "cxx",
    "dart",
    "diff",
    "dockerfile",
    "el",
    "env",
    "erl",
    "ex",
    "exs",
    "fish",
    "fs",
    "go",
    "gql",
    "gradle",
    "graphql",
    "h",
    "hcl",
    "hh",
    "hpp",
    "hrl",
    "hs",
    "htm",
    "html",
    "ini",
    "ipynb",
    "java",
    "jl",
    "js",
    "json",
    "json5",
    "jsonc",
    "jsx",
    "kt",
    "kts",
    "less",
    "lock",
    "log",
    "lua",
    "m",
    "markdown",
    "md",
    "mdx",
    "mjs",
    "mk",
    "ml",
    "mli",
    "mm",
    "nim",
    "nix",
    "org",
    "patch",
    "php",
    "pl",
    "plist",
    "pm",
    "prisma",
    "properties",
    "proto",
    "ps1",
    "py",
    "pyi",
    "r",
    "rb",
    "rs",
    "rst",
    "s",
    "sass",
    "scala",
    "scss",
    "sh",
    "sql",
    "sv",
    "svelte",
    "svg",
    "swift",
    "tex",
    "tf",
    "toml",
    "ts",
    "tsv",
    "tsx",
    "txt",
    "v",
    "vhd",
    "vim",
    "vue",
    "wasm",
    "xml",
    "yaml",
    "yml",
    "zig",
    "zsh",
];

/// A 1-based inclusive line range as written. May be invalid (`bad-range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineSpan {
    pub start: u32,
    pub end: u32,
}

impl LineSpan {
    pub fn is_valid(self) -> bool {
        self.start >= 1 && self.start <= self.end
    }
}

/// How a reference was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefForm {
    /// `` `path` `` or `` `path:1-2` ``.
    Backtick,
    /// A bare word (`src/a.rs:10`, `(src/a.rs)` in a Files bullet).
    Plain,
    /// The target of `[text](path#L1-L2)`.
    Link,
    /// `  - L47-82: …` under a Files bullet: lines of that bullet's file.
    Nested,
    /// `+:`, `~:` or `-:` change records.
    Work(WorkOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkOp {
    Added,
    Modified,
    /// `!:` fixed.
    Fixed,
    Removed,
}

/// One file reference, with chunk-relative byte ranges. The path itself is
/// not stored: it is the chunk text at `path_range` (see [`FileRef::path`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRef {
    /// Where the path (as written: no range, no backticks) is. For `Nested`,
    /// the parent bullet's path.
    pub path_range: Range<usize>,
    /// Path and range as written (for `Nested`, just `L47-82`).
    pub range: Range<usize>,
    /// The line range, if any, and where it is written.
    pub lines: Option<(LineSpan, Range<usize>)>,
    pub form: RefForm,
    /// Planned, future or removed: not checked against the disk.
    pub exempt: bool,
    /// A backticked path accepted only if its first segment is an existing
    /// workspace folder (no extension, no range).
    pub needs_folder: bool,
    /// The path could leave the workspace root lexically (absolute, `~`, a
    /// drive letter, `..`): resolved in every entry, not only checked ones.
    pub maybe_outside: bool,
}

impl FileRef {
    /// The path as written, from the text of the chunk holding the reference
    /// (empty if `chunk_text` is not that text).
    pub fn path<'a>(&self, chunk_text: &'a str) -> &'a str {
        chunk_text.get(self.path_range.clone()).unwrap_or("")
    }
}

/// Could this path leave the root, whatever entry it stands in?
pub fn may_leave_root(p: &str) -> bool {
    p.starts_with(['/', '\\', '~']) || has_pair(p, b"..") || p.as_bytes().get(1) == Some(&b':')
}

/// Does `s` contain the two bytes `pair` in a row? (Words are short: a plain
/// loop beats building a substring searcher per call.)
pub(crate) fn has_pair(s: &str, pair: &[u8; 2]) -> bool {
    s.as_bytes().windows(2).any(|w| w == pair)
}

/// Split `tok` into a path and an optional line range suffix
/// (`:N`, `:N-M`, `:LN-LM`, `#LN`, `#LN-LM`). Returns the path length and the
/// range with its byte offset within `tok`.
pub fn split_range(tok: &str) -> (usize, Option<(LineSpan, Range<usize>)>) {
    // The last `:` or `#` (ASCII: a byte search is a char search).
    if let Some(i) = memchr::memrchr2(b':', b'#', tok.as_bytes()) {
        let suffix = &tok[i + 1..];
        if let Some(span) = parse_span(suffix, tok.as_bytes()[i] == b'#') {
            return (i, Some((span, i + 1..tok.len())));
        }
    }
    (tok.len(), None)
}

/// Parse `L?N(-L?M)?` (for `#` fragments: `L` required on the start).
pub fn parse_span(s: &str, fragment: bool) -> Option<LineSpan> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let num = |x: &str, allow_l: bool| -> Option<u32> {
        let x = if allow_l { x.strip_prefix('L').unwrap_or(x) } else { x };
        if x.is_empty() || x.len() > 12 || !x.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(x.parse::<u64>().ok()?.min(u32::MAX as u64) as u32)
    };
    if fragment && !a.starts_with('L') {
        return None;
    }
    let start = num(a, true)?;
    let end = match b {
        Some(b) => num(b, true)?,
        None => start,
    };
    Some(LineSpan { start, end })
}

/// Does this token look like a path as far as its characters go?
pub fn path_chars_ok(p: &str) -> bool {
    if p.is_empty() || p.starts_with('-') {
        return false;
    }
    let mut alnum = false;
    for c in p.chars() {
        if c.is_alphanumeric() {
            alnum = true;
        } else if !matches!(c, '_' | '-' | '.' | '/' | '~' | '+' | '@' | '\\' | ':') {
            return false;
        }
    }
    alnum && !p.as_bytes().windows(3).any(|w| w == b"://")
}

/// Does the last segment of `p` carry a known extension? (No allocation:
/// this runs on every word that contains a dot.)
pub fn has_known_extension(p: &str) -> bool {
    let name = match memchr::memrchr2(b'/', b'\\', p.as_bytes()) {
        Some(i) => &p[i + 1..],
        None => p,
    };
    let Some(dot) = memchr::memrchr(b'.', name.as_bytes()) else { return false };
    let (stem, ext) = (&name[..dot], &name[dot + 1..]);
    if stem.is_empty() && !name.starts_with('.') || ext.is_empty() || ext.len() > 12 {
        return false;
    }
    let mut buf = [0u8; 12];
    for (d, c) in buf.iter_mut().zip(ext.bytes()) {
        *d = c.to_ascii_lowercase();
    }
    let Ok(lower) = std::str::from_utf8(&buf[..ext.len()]) else { return false };
    EXTENSIONS.binary_search(&lower).is_ok()
}

/// Is this a URL or other scheme-qualified string (`https://`, `mailto:`)?
pub fn is_url(s: &str) -> bool {
    let Some(colon) = s.find(':') else { return false };
    if s[colon..].starts_with("://") {
        return true;
    }
    let scheme = &s[..colon];
    ["mailto", "data", "javascript", "tel", "file"].iter().any(|k| scheme.eq_ignore_ascii_case(k))
}

/// The words that exempt a bullet (and its nested bullets) from the disk
/// checks: the work is planned, or the file was deleted or removed.
pub const EXEMPT_WORDS: [&str; 6] = ["to be created", "planned", "pending", "not yet", "deleted", "removed"];

/// Does `text` hold one of [`EXEMPT_WORDS`] as whole words, in any case?
/// (One `aho-corasick` automaton, ASCII case-insensitive; whole-word checks
/// on its matches.)
pub fn says_planned(text: &str) -> bool {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let ac =
        AC.get_or_init(|| aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(EXEMPT_WORDS).expect("fixed word list"));
    let h = text.as_bytes();
    let word_byte = |c: u8| c.is_ascii_alphanumeric() || c >= 0x80;
    ac.find_overlapping_iter(text)
        .any(|m| (m.start() == 0 || !word_byte(h[m.start() - 1])) && h.get(m.end()).is_none_or(|&c| !word_byte(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(split_range("a.rs:84-120").0, 4);
        assert_eq!(split_range("a.rs:L10-L20").1.unwrap().0, LineSpan { start: 10, end: 20 });
        assert_eq!(split_range("a.rs#L42").1.unwrap().0, LineSpan { start: 42, end: 42 });
        assert!(split_range("a.rs#intro").1.is_none());
        assert!(split_range("C:\\x").1.is_none());
    }

    #[test]
    fn extensions_are_sorted_lower_case() {
        assert!(EXTENSIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(EXTENSIONS.iter().all(|e| e.bytes().all(|c| !c.is_ascii_uppercase())));
        assert!(has_known_extension("A.RS") && has_known_extension(".env") && !has_known_extension("x."));
    }

    /// The plain definition `says_planned` must agree with.
    fn says_planned_naive(text: &str) -> bool {
        let words: Vec<&[u8]> = EXEMPT_WORDS.iter().map(|w| w.as_bytes()).collect();
        let h = text.as_bytes();
        (0..h.len()).any(|s| {
            (s == 0 || !h[s - 1].is_ascii_alphanumeric() && h[s - 1] < 0x80)
                && words.iter().any(|w| {
                    h.len() - s >= w.len()
                        && h[s..s + w.len()].eq_ignore_ascii_case(w)
                        && h.get(s + w.len()).is_none_or(|c| !c.is_ascii_alphanumeric() && *c < 0x80)
                })
        })
    }

    #[test]
    fn says_planned_agrees_with_its_definition() {
        let pads = ["", "x", "ab ", "é", "(", "-", "0123456789012345678901234567890"];
        let words = [
            "to be created",
            "TO BE CREATED",
            "DELETED",
            "removed",
            "planned",
            "Pending",
            "not yet",
            "nOt YeT",
            "planner",
            "unplanned",
            "to be",
            "pendingx",
            "not yet2",
            "tp",
            "pl",
            "no",
        ];
        for a in pads {
            for w in words {
                for b in pads {
                    for pad in 0..34 {
                        let t = format!("{}{a}{w}{b}", " ".repeat(pad));
                        assert_eq!(says_planned(&t), says_planned_naive(&t), "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn words() {
        assert!(says_planned("(JWT, to be created)"));
        assert!(says_planned("Refresh (PENDING - next)"));
        assert!(!says_planned("unplanned"));
        assert!(has_known_extension("src/a.ts"));
        assert!(!has_known_extension("foo.bar"));
        assert!(!has_known_extension("email/password"));
    }
}
