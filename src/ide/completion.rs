//! Completion: workspace paths wherever a reference can stand, line ranges
//! after `path:`, priority tags after `- [` in Next, field labels at the
//! start of a line, `status:` values in the frontmatter.

use std::ops::Range;
use std::path::Path;

use crate::analysis::facts::{FileFacts, Resolution};
use crate::analysis::STATUSES;
use crate::document::Document;
use crate::model::{refs, FieldKind};
use crate::workspace::{FileIndex, PathMatcher};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    File,
    Range,
    Priority,
    Field,
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Text replacing [`Completions::replace`].
    pub insert: String,
    /// Keeps the server's order in the client.
    pub sort: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completions {
    /// The typed prefix that every item replaces.
    pub replace: Range<usize>,
    pub items: Vec<Item>,
    /// More matches exist than were sent: ask again as the user types.
    pub incomplete: bool,
}

/// What completion may consult besides the document.
pub struct Env<'a> {
    pub log: Option<&'a Path>,
    /// The workspace index and its root-relative view of the log's folder.
    pub index: Option<&'a FileIndex>,
    pub matcher: Option<&'a PathMatcher>,
    pub facts: &'a dyn FileFacts,
    /// The log's folder relative to the workspace root (`""` at the root).
    pub log_dir: Option<&'a str>,
    pub limit: usize,
}

pub fn complete(doc: &Document, offset: usize, env: &Env<'_>) -> Option<Completions> {
    let offset = doc.snap(offset);
    let line_no = doc.rope().byte_to_line(offset);
    let line = doc.line_range(line_no);
    let prefix = doc.slice(line.start..offset).into_owned();
    let suffix = doc.slice(offset..line.end).into_owned();
    let ci = doc.chunk_index(offset);
    let c = &doc.chunks()[ci];
    let rel = offset - c.start;
    if c.model.code_blocks.iter().any(|b| b.start < rel && rel <= b.end) {
        return None;
    }
    if let Some(f) = &c.model.frontmatter {
        if f.range.contains(&rel) {
            return frontmatter(&prefix, offset);
        }
    }
    let field = c.model.fields.iter().find(|f| f.extent.start < rel && rel <= f.extent.end).and_then(|f| f.label.kind);
    if field == Some(FieldKind::Next) {
        if let Some(r) = priority(&prefix, &suffix, offset) {
            return Some(r);
        }
    }
    if c.model.heading.is_some() {
        if let Some(r) = label(&prefix, offset) {
            return Some(r);
        }
    }
    path_or_range(&prefix, offset, field, env)
}

fn frontmatter(prefix: &str, offset: usize) -> Option<Completions> {
    let rest = prefix.strip_prefix("status:")?;
    let typed = rest.trim_start().trim_start_matches(['"', '\'']);
    let replace = offset - typed.len()..offset;
    let items = STATUSES
        .iter()
        .enumerate()
        .map(|(i, s)| Item {
            label: s.to_string(),
            kind: ItemKind::Value,
            detail: Some("status".into()),
            insert: s.to_string(),
            sort: format!("{i:02}"),
        })
        .collect();
    Some(Completions { replace, items, incomplete: false })
}

fn priority(prefix: &str, suffix: &str, offset: usize) -> Option<Completions> {
    let open = prefix.rfind('[')?;
    let typed = &prefix[open + 1..];
    if !typed.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let before = prefix[..open].trim_end();
    let before = before.strip_suffix("[ ]").or_else(|| before.strip_suffix("[x]")).unwrap_or(before).trim_end();
    let b = before.trim_start();
    let is_item =
        matches!(b, "-" | "*" | "+") || b.strip_suffix(['.', ')']).is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
    if !is_item {
        return None;
    }
    let close = suffix.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let has_close = suffix[close..].starts_with(']');
    let end = offset + close + usize::from(has_close);
    let space = if suffix[close + usize::from(has_close)..].starts_with(' ') { "" } else { " " };
    let items = crate::analysis::PRIORITIES
        .iter()
        .enumerate()
        .map(|(i, p)| Item {
            label: format!("[{p}]"),
            kind: ItemKind::Priority,
            detail: Some(["do next", "should be done", "nice to have"][i].into()),
            insert: format!("[{p}]{space}"),
            sort: format!("{i:02}"),
        })
        .collect();
    Some(Completions { replace: offset - typed.len() - 1..end, items, incomplete: false })
}

fn label(prefix: &str, offset: usize) -> Option<Completions> {
    let t = prefix.trim_start();
    if prefix.len() - t.len() > 3 || !t.starts_with('*') || !t.chars().all(|c| c == '*' || c.is_alphabetic() || c == ' ') {
        return None;
    }
    let items = FieldKind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| Item {
            label: format!("**{}:**", k.label()),
            kind: ItemKind::Field,
            detail: Some(k.doc().into()),
            insert: format!("**{}:** ", k.label()),
            sort: format!("{i:02}"),
        })
        .collect();
    Some(Completions { replace: offset - t.len()..offset, items, incomplete: false })
}

/// The token being typed and whether a path may stand there.
fn path_or_range(prefix: &str, offset: usize, field: Option<FieldKind>, env: &Env<'_>) -> Option<Completions> {
    let tok_start = prefix
        .rfind(|c: char| c.is_whitespace() || matches!(c, '`' | '(' | '<'))
        .map_or(0, |i| i + prefix[i..].chars().next().map_or(1, char::len_utf8));
    let token = &prefix[tok_start..];
    let before = &prefix[..tok_start];
    let in_backticks = before.matches('`').count() % 2 == 1;
    let in_parens = before.rfind('(').is_some_and(|o| before.rfind(')').is_none_or(|c| c < o));
    let t = before.trim_start();
    let work_line = ["+:", "~:", "-:"].iter().any(|w| t.starts_with(w));
    let list_line = matches!(t.chars().next(), Some('-' | '*' | '+')) || t.chars().next().is_some_and(|c| c.is_ascii_digit());
    let files_bullet = matches!(field, Some(FieldKind::Files) | Some(FieldKind::Work)) && list_line;
    if !(in_backticks || in_parens || work_line || files_bullet) {
        return None;
    }
    // `path:` or `path#`: offer the line range forms.
    if let Some(sep) = token.rfind([':', '#']) {
        let path = &token[..sep];
        let typed = &token[sep + 1..];
        if !path.is_empty() && refs::path_chars_ok(path) && typed.chars().all(|c| c.is_ascii_digit() || c == 'L' || c == '-') {
            let log = env.log?;
            let Resolution::Found(files) = env.facts.resolve(log, path) else { return None };
            let n = files.iter().filter_map(|f| env.facts.line_count(f)).max()?;
            let forms = if token.as_bytes()[sep] == b'#' { vec![format!("L1-L{n}")] } else { vec![format!("L1-{n}"), format!("1-{n}")] };
            let items = forms
                .into_iter()
                .enumerate()
                .map(|(i, f)| Item {
                    label: f.clone(),
                    kind: ItemKind::Range,
                    detail: Some(format!("{n} lines")),
                    insert: f,
                    sort: format!("{i:02}"),
                })
                .collect();
            return Some(Completions { replace: offset - typed.len()..offset, items, incomplete: false });
        }
        return None;
    }
    if matches!(token, "-" | "*" | "+") {
        return None; // a list marker being typed, not a path
    }
    let index = env.index?;
    let matcher = env.matcher?;
    let (query, local) = match token.strip_prefix("./") {
        Some(q) => (q, true),
        None => (token, false),
    };
    let mut items = Vec::new();
    let dir = env.log_dir.unwrap_or("");
    // The log itself is never offered as a reference of itself.
    let own =
        env.log
            .and_then(|l| l.file_name())
            .and_then(|n| n.to_str())
            .map(|n| if dir.is_empty() { n.to_string() } else { format!("{dir}/{n}") });
    let not_own = |p: &str| own.as_deref() != Some(p);
    if local {
        // Relative to the log's folder: filter the index to that folder.
        let base = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let full = format!("{base}{query}");
        let m = matcher.query(index, &full, env.limit);
        for p in m.items.into_iter().filter(|p| p.path.starts_with(&base) && not_own(&p.path)) {
            let shown = format!("./{}", &p.path[base.len()..]);
            items.push(file_item(shown, items.len()));
        }
    } else {
        let m = matcher.query(index, query, env.limit);
        for p in m.items.into_iter().filter(|p| not_own(&p.path)) {
            items.push(file_item(p.path, items.len()));
        }
    }
    // Paths are matched fuzzily by the server, and the next keystroke may
    // change the ranking: the client must ask again as the user types.
    Some(Completions { replace: offset - token.len()..offset, items, incomplete: true })
}

fn file_item(path: String, rank: usize) -> Item {
    Item { label: path.clone(), kind: ItemKind::File, detail: None, insert: path, sort: format!("{rank:04}") }
}
