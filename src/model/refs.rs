//! File references (spec §3): the forms, what counts as a path, line ranges.

use std::ops::Range;

/// File extensions that make a word a path. The one list the server uses.
pub const EXTENSIONS: &[&str] = &[
    "rs", "ts", "tsx", "js", "jsx", "mjs", "cjs", "py", "pyi", "go", "java", "kt", "kts",
    "swift", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "cs", "fs", "rb", "php", "lua", "sh",
    "bash", "zsh", "fish", "ps1", "md", "markdown", "mdx", "txt", "rst", "adoc", "sql", "toml",
    "json", "jsonc", "json5", "yaml", "yml", "xml", "html", "htm", "css", "scss", "sass",
    "less", "vue", "svelte", "proto", "graphql", "gql", "ini", "cfg", "conf", "env", "lock",
    "gradle", "cmake", "mk", "tf", "hcl", "nix", "el", "clj", "cljs", "ex", "exs", "erl", "hrl",
    "hs", "ml", "mli", "scala", "dart", "r", "jl", "zig", "nim", "csv", "tsv", "ipynb", "prisma",
    "dockerfile", "svg", "vim", "pl", "pm", "m", "mm", "sv", "v", "vhd", "asm", "s", "wasm",
    "properties", "plist", "tex", "bib", "org", "log", "patch", "diff",
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
    Removed,
}

/// One file reference, with chunk-relative byte ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRef {
    /// The path as written (no range, no backticks).
    pub path: String,
    /// Where the path is written. For `Nested`, the parent bullet's path.
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

/// Could this path leave the root, whatever entry it stands in?
pub fn may_leave_root(p: &str) -> bool {
    p.starts_with(['/', '\\', '~']) || p.contains("..") || p.as_bytes().get(1) == Some(&b':')
}

/// Split `tok` into a path and an optional line range suffix
/// (`:N`, `:N-M`, `:LN-LM`, `#LN`, `#LN-LM`). Returns the path length and the
/// range with its byte offset within `tok`.
pub fn split_range(tok: &str) -> (usize, Option<(LineSpan, Range<usize>)>) {
    for (i, c) in tok.char_indices().rev() {
        if c != ':' && c != '#' {
            continue;
        }
        let suffix = &tok[i + 1..];
        if let Some(span) = parse_span(suffix, c == '#') {
            return (i, Some((span, i + 1..tok.len())));
        }
        break;
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
    !p.is_empty()
        && p.chars().any(|c| c.is_alphanumeric())
        && !p.starts_with('-')
        && !p.contains("://")
        && p.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '~' | '+' | '@' | '\\' | ':')
        })
}

/// Does the last segment of `p` carry a known extension?
pub fn has_known_extension(p: &str) -> bool {
    let name = p.rsplit(['/', '\\']).next().unwrap_or(p);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() || name.starts_with('.') => {
            let ext = ext.to_ascii_lowercase();
            EXTENSIONS.contains(&ext.as_str())
        }
        _ => false,
    }
}

/// Is this a URL or other scheme-qualified string (`https://`, `mailto:`)?
pub fn is_url(s: &str) -> bool {
    if s.contains("://") {
        return true;
    }
    match s.split_once(':') {
        Some((scheme, _)) => {
            matches!(scheme.to_ascii_lowercase().as_str(), "mailto" | "data" | "javascript" | "tel" | "file")
        }
        None => false,
    }
}

/// Words (whole words, any case) that mark a bullet as planned work.
pub fn says_planned(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["to be created", "planned", "pending", "not yet"].iter().any(|w| contains_word(&lower, w))
}

fn contains_word(hay: &str, w: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(w) {
        let s = from + i;
        let e = s + w.len();
        let before = hay[..s].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = s + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
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
    fn words() {
        assert!(says_planned("(JWT, to be created)"));
        assert!(says_planned("Refresh (PENDING - next)"));
        assert!(!says_planned("unplanned"));
        assert!(has_known_extension("src/a.ts"));
        assert!(!has_known_extension("foo.bar"));
        assert!(!has_known_extension("email/password"));
    }
}
