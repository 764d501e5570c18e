//! Block structure as CommonMark reads it, one line at a time.
//!
//! [`Blocks`] is the container stack (block quotes, list items) and the one
//! open leaf (paragraph, fenced or indented code, HTML block) of the
//! CommonMark block-parsing algorithm (spec 0.31, "Appendix: A parsing
//! strategy"), reduced to what a Work Log needs to know of each line: is it
//! code, HTML, a heading (and is that heading at the top level, outside every
//! list item and block quote), blank, or text. It does not build inlines,
//! link reference definitions or list tightness.
//!
//! Long file: one state machine (the container stack, the open leaf and the
//! rules that close them interlock line by line); split across files, each
//! rule would be read without the state it depends on.
//!
//! tree-sitter-md is the reference: `tests/it/structure.rs` checks generated
//! Markdown against its block tree. The chunk split and the chunk scanner
//! both run this classifier, so they agree on every line.
//!
//! Tabs advance to the next multiple of four columns; a tab is never split
//! between a container marker and its content (CommonMark's partial tabs),
//! which only matters for tab-indented content inside containers.

/// What CommonMark makes of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    /// Paragraph text (or a lazy continuation line).
    Text,
    /// An ATX heading; `top` when it is not inside a list item or quote.
    Heading {
        level: u8,
        top: bool,
    },
    /// A setext underline (`===`/`---` under a paragraph).
    Setext {
        level: u8,
    },
    /// A thematic break.
    Break,
    /// A fence line or a line of fenced or indented code.
    Code,
    /// A line of an HTML block (comments included).
    Html,
}

impl LineKind {
    /// Code or HTML: never structure.
    pub fn is_opaque(self) -> bool {
        matches!(self, LineKind::Code | LineKind::Html)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Quote,
    /// A list item: continuation lines need `width` columns of indentation
    /// (marker offset plus padding, relative to the parent's content).
    Item {
        width: u16,
        has_content: bool,
    },
}

/// How an HTML block ends (CommonMark types 1–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HtmlEnd {
    /// Type 1: `</pre>`, `</script>`, `</style>`, `</textarea>`.
    RawTag,
    /// Type 2: `-->`.
    Comment,
    /// Type 3: `?>`.
    Processing,
    /// Type 4: `>`.
    Declaration,
    /// Type 5: `]]>`.
    Cdata,
    /// Types 6 and 7: a blank line.
    Blank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Leaf {
    #[default]
    None,
    Para,
    Fence {
        ch: u8,
        len: u32,
    },
    Indented,
    Html(HtmlEnd),
}

/// The block state between lines. `Default` is the start of a document
/// (and the state right after any top-level heading).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blocks {
    containers: Vec<Container>,
    leaf: Leaf,
}

/// A cursor over one line: byte position and column.
struct Cur<'a> {
    b: &'a [u8],
    pos: usize,
    col: usize,
}

impl Cur<'_> {
    /// Columns of indentation from here, and the byte where it ends.
    fn indent(&self) -> (usize, usize) {
        let mut col = self.col;
        let mut p = self.pos;
        while let Some(&c) = self.b.get(p) {
            match c {
                b' ' => col += 1,
                b'\t' => col += 4 - col % 4,
                _ => break,
            }
            p += 1;
        }
        (col - self.col, p)
    }
    /// Move to byte `p` (on the same line, at or after `pos`), counting columns.
    fn goto(&mut self, p: usize) {
        while self.pos < p && self.pos < self.b.len() {
            self.col += if self.b[self.pos] == b'\t' { 4 - self.col % 4 } else { 1 };
            self.pos += 1;
        }
    }
    /// Advance by up to `n` columns of whitespace.
    fn skip_cols(&mut self, n: usize) {
        let target = self.col + n;
        while self.col < target {
            match self.b.get(self.pos) {
                Some(b' ') => self.col += 1,
                Some(b'\t') => self.col += 4 - self.col % 4,
                _ => break,
            }
            self.pos += 1;
        }
    }
    fn blank_from(&self, p: usize) -> bool {
        self.b[p.min(self.b.len())..].iter().all(|c| matches!(c, b' ' | b'\t'))
    }
}

impl Blocks {
    /// Inside a fenced code block, an indented code block or an HTML block.
    pub fn in_opaque(&self) -> bool {
        matches!(self.leaf, Leaf::Fence { .. } | Leaf::Indented | Leaf::Html(_))
    }

    /// Number of open containers (list items and block quotes).
    pub fn depth(&self) -> usize {
        self.containers.len()
    }

    fn close_from(&mut self, matched: usize) {
        if matched < self.containers.len() {
            self.containers.truncate(matched);
            self.leaf = Leaf::None;
        }
    }

    /// Classify `line` (without its terminator) and advance the state.
    pub fn line(&mut self, line: &str) -> LineKind {
        let b = line.as_bytes();
        // Fast path: nothing open but maybe a paragraph, and a line that
        // starts with a byte no block construct starts with.
        if self.containers.is_empty() && matches!(self.leaf, Leaf::None | Leaf::Para) {
            if let Some(&c) = b.first() {
                if c.is_ascii_alphabetic() || c >= 0x80 {
                    self.leaf = Leaf::Para;
                    return LineKind::Text;
                }
            }
        }
        let mut cur = Cur { b, pos: 0, col: 0 };
        let n = self.containers.len();
        let mut matched = 0;
        while matched < n {
            let (ind, p) = cur.indent();
            let blank = cur.blank_from(p);
            match self.containers[matched] {
                Container::Quote => {
                    if ind <= 3 && b.get(p) == Some(&b'>') {
                        cur.goto(p + 1);
                        cur.skip_cols(1);
                    } else {
                        break;
                    }
                }
                Container::Item { width, has_content } => {
                    if blank {
                        if !has_content {
                            break;
                        }
                        cur.goto(p);
                    } else if ind >= width as usize {
                        cur.skip_cols(width as usize);
                    } else {
                        break;
                    }
                }
            }
            matched += 1;
        }
        let all_matched = matched == n;
        let (ind, p) = cur.indent();
        let blank = cur.blank_from(p);

        // The open leaf, when every container matched.
        if all_matched {
            match self.leaf {
                Leaf::Fence { ch, len } => {
                    if ind <= 3 && closes_fence(&b[p..], ch, len as usize) {
                        self.leaf = Leaf::None;
                    }
                    return LineKind::Code;
                }
                Leaf::Indented => {
                    if ind >= 4 {
                        return LineKind::Code;
                    }
                    if blank {
                        return LineKind::Blank;
                    }
                    self.leaf = Leaf::None;
                }
                Leaf::Html(end) => {
                    if blank && end == HtmlEnd::Blank {
                        self.leaf = Leaf::None;
                        return LineKind::Blank;
                    }
                    if html_ends(&b[cur.pos..], end) {
                        self.leaf = Leaf::None;
                    }
                    return LineKind::Html;
                }
                Leaf::Para if blank => {
                    self.leaf = Leaf::None;
                    return LineKind::Blank;
                }
                _ => {}
            }
        }

        // New block starts.
        loop {
            let (ind, p) = cur.indent();
            let blank = cur.blank_from(p);
            // The innermost open block is a paragraph (matched or lazy).
            let tip_para = self.leaf == Leaf::Para;
            if ind >= 4 {
                if !tip_para && !blank {
                    self.close_from(matched);
                    self.leaf = Leaf::Indented;
                    self.mark_content();
                    return LineKind::Code;
                }
                break;
            }
            let rest = &b[p..];
            let Some(&c) = rest.first() else { break };
            match c {
                b'>' => {
                    self.close_from(matched);
                    self.leaf = Leaf::None;
                    self.containers.push(Container::Quote);
                    matched += 1;
                    cur.goto(p + 1);
                    cur.skip_cols(1);
                    continue;
                }
                b'#' => {
                    if let Some(level) = atx_level(rest) {
                        self.close_from(matched);
                        self.leaf = Leaf::None;
                        self.mark_content();
                        return LineKind::Heading { level, top: self.containers.is_empty() };
                    }
                }
                b'`' | b'~' => {
                    if let Some((ch, len)) = fence_opener(rest) {
                        self.close_from(matched);
                        self.leaf = Leaf::Fence { ch, len: len as u32 };
                        self.mark_content();
                        return LineKind::Code;
                    }
                }
                b'<' => {
                    if let Some((kind, end)) = html_start(rest) {
                        // Type 7 cannot interrupt a paragraph, lazy or not.
                        if kind != 7 || !tip_para {
                            self.close_from(matched);
                            self.leaf = if html_ends(rest, end) && end != HtmlEnd::Blank { Leaf::None } else { Leaf::Html(end) };
                            self.mark_content();
                            return LineKind::Html;
                        }
                    }
                }
                _ => {}
            }
            // Setext underline: only under a paragraph every container of
            // which matched.
            if tip_para && matched == self.containers.len() && (c == b'=' || c == b'-') {
                let t = trim_end_ws(rest);
                if t.iter().all(|&x| x == c) {
                    self.leaf = Leaf::None;
                    return LineKind::Setext { level: if c == b'=' { 1 } else { 2 } };
                }
            }
            if matches!(c, b'*' | b'-' | b'_') && is_break(rest) {
                self.close_from(matched);
                self.leaf = Leaf::None;
                self.mark_content();
                return LineKind::Break;
            }
            if let Some((mlen, ordered_one, ordered)) = list_marker(rest) {
                let after = p + mlen;
                let rest_blank = cur.blank_from(after);
                // Interrupting a paragraph (all containers matched): not an
                // empty item, and an ordered list only from 1.
                let interrupts = tip_para && matched == self.containers.len();
                if !(interrupts && (rest_blank || ordered && !ordered_one)) {
                    self.close_from(matched);
                    self.leaf = Leaf::None;
                    // Padding: the spaces after the marker (1–4), or 1 when
                    // the item is empty or its content is indented code.
                    cur.goto(after);
                    let (sp, _) = cur.indent();
                    let pad = if rest_blank || sp >= 5 || sp == 0 { 1 } else { sp };
                    let width = (ind + mlen + pad) as u16;
                    self.mark_content();
                    self.containers.push(Container::Item { width, has_content: !rest_blank });
                    matched += 1;
                    if rest_blank {
                        break;
                    }
                    cur.skip_cols(pad);
                    continue;
                }
            }
            break;
        }
        let (_, p) = cur.indent();
        let blank = cur.blank_from(p);
        if matched < self.containers.len() && !blank && self.leaf == Leaf::Para {
            return LineKind::Text; // lazy continuation
        }
        self.close_from(matched);
        if blank {
            if self.leaf == Leaf::Para {
                self.leaf = Leaf::None;
            }
            return LineKind::Blank;
        }
        self.mark_content();
        self.leaf = Leaf::Para;
        LineKind::Text
    }

    /// The line added content below every open item.
    fn mark_content(&mut self) {
        for c in &mut self.containers {
            if let Container::Item { has_content, .. } = c {
                *has_content = true;
            }
        }
    }
}

fn trim_end_ws(b: &[u8]) -> &[u8] {
    let mut e = b.len();
    while e > 0 && matches!(b[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    &b[..e]
}

/// `#`…`######` followed by a space, a tab or the end of the line.
fn atx_level(rest: &[u8]) -> Option<u8> {
    let n = rest.iter().take_while(|&&c| c == b'#').count();
    if (1..=6).contains(&n) && matches!(rest.get(n), None | Some(b' ' | b'\t')) {
        Some(n as u8)
    } else {
        None
    }
}

/// A fence opener at `rest` (indentation already skipped).
pub(crate) fn fence_opener(rest: &[u8]) -> Option<(u8, usize)> {
    let ch = *rest.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.iter().take_while(|&&c| c == ch).count();
    if len < 3 || ch == b'`' && rest[len..].contains(&b'`') {
        return None;
    }
    Some((ch, len))
}

fn closes_fence(rest: &[u8], ch: u8, len: usize) -> bool {
    let n = rest.iter().take_while(|&&c| c == ch).count();
    n >= len && rest[n..].iter().all(|c| matches!(c, b' ' | b'\t'))
}

/// Three or more `*`, `-` or `_` (one kind), spaces and tabs between.
fn is_break(rest: &[u8]) -> bool {
    let c = rest[0];
    let mut n = 0;
    for &x in rest {
        if x == c {
            n += 1;
        } else if x != b' ' && x != b'\t' {
            return false;
        }
    }
    n >= 3
}

/// A list marker: its byte length, whether it is the ordered number 1, and
/// whether it is ordered. It must be followed by a space, a tab or the end.
fn list_marker(rest: &[u8]) -> Option<(usize, bool, bool)> {
    let (len, one, ordered) = match rest.first()? {
        b'-' | b'+' | b'*' => (1, false, false),
        c if c.is_ascii_digit() => {
            let d = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            if d > 9 || !matches!(rest.get(d), Some(b'.' | b')')) {
                return None;
            }
            let one = rest[..d].iter().rev().skip(1).all(|&c| c == b'0') && rest[d - 1] == b'1';
            (d + 1, one, true)
        }
        _ => return None,
    };
    match rest.get(len) {
        None | Some(b' ' | b'\t') => Some((len, one, ordered)),
        _ => None,
    }
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "base",
    "basefont",
    "blockquote",
    "body",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "link",
    "main",
    "menu",
    "menuitem",
    "nav",
    "noframes",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "search",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
];
const RAW_TAGS: &[&str] = &["pre", "script", "style", "textarea"];

/// The type (1–7) and end condition of an HTML block starting at `rest`.
fn html_start(rest: &[u8]) -> Option<(u8, HtmlEnd)> {
    if rest.starts_with(b"<!--") {
        return Some((2, HtmlEnd::Comment));
    }
    if rest.starts_with(b"<?") {
        return Some((3, HtmlEnd::Processing));
    }
    if rest.starts_with(b"<![CDATA[") {
        return Some((5, HtmlEnd::Cdata));
    }
    if rest.starts_with(b"<!") && rest.get(2).is_some_and(u8::is_ascii_alphabetic) {
        return Some((4, HtmlEnd::Declaration));
    }
    let (closing, name_start) = if rest.get(1) == Some(&b'/') { (true, 2) } else { (false, 1) };
    let name_len = rest[name_start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-').count();
    if name_len == 0 || !rest[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = std::str::from_utf8(&rest[name_start..name_start + name_len]).ok()?.to_ascii_lowercase();
    let after = &rest[name_start + name_len..];
    if !closing && RAW_TAGS.contains(&name.as_str()) && matches!(after.first(), None | Some(b' ' | b'\t' | b'>')) {
        return Some((1, HtmlEnd::RawTag));
    }
    if BLOCK_TAGS.contains(&name.as_str()) && (matches!(after.first(), None | Some(b' ' | b'\t' | b'>')) || after.starts_with(b"/>")) {
        return Some((6, HtmlEnd::Blank));
    }
    if RAW_TAGS.contains(&name.as_str()) && !closing {
        return None;
    }
    // Type 7: a complete open or closing tag, then only whitespace.
    let end = if closing { closing_tag_end(after) } else { open_tag_end(after) }?;
    if after[end..].iter().all(|c| matches!(c, b' ' | b'\t')) {
        Some((7, HtmlEnd::Blank))
    } else {
        None
    }
}

/// After `</name`: optional whitespace and `>`. Returns the offset past `>`.
fn closing_tag_end(b: &[u8]) -> Option<usize> {
    let ws = b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    (b.get(ws) == Some(&b'>')).then_some(ws + 1)
}

/// After `<name`: attributes, optional whitespace, optional `/`, `>`.
fn open_tag_end(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let ws = b[i..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        let j = i + ws;
        match b.get(j) {
            Some(b'>') => return Some(j + 1),
            Some(b'/') => return (b.get(j + 1) == Some(&b'>')).then_some(j + 2),
            Some(c) if ws > 0 && (c.is_ascii_alphabetic() || *c == b'_' || *c == b':') => {
                // Attribute name.
                let mut k = j + 1;
                while b.get(k).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-')) {
                    k += 1;
                }
                // Optional value.
                let ws2 = b[k..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
                if b.get(k + ws2) == Some(&b'=') {
                    let mut v = k + ws2 + 1;
                    v += b[v..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
                    match b.get(v) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let close = b[v + 1..].iter().position(|&c| c == q)?;
                            k = v + 1 + close + 1;
                        }
                        Some(_) => {
                            let n =
                                b[v..].iter().take_while(|c| !matches!(c, b' ' | b'\t' | b'"' | b'\'' | b'=' | b'<' | b'>' | b'`')).count();
                            if n == 0 {
                                return None;
                            }
                            k = v + n;
                        }
                        None => return None,
                    }
                }
                i = k;
            }
            _ => return None,
        }
    }
}

fn html_ends(line: &[u8], end: HtmlEnd) -> bool {
    let has = |pat: &[u8]| line.windows(pat.len()).any(|w| w == pat);
    match end {
        HtmlEnd::RawTag => {
            let lower = line.to_ascii_lowercase();
            [b"</pre>".as_slice(), b"</script>", b"</style>", b"</textarea>"].iter().any(|p| lower.windows(p.len()).any(|w| w == *p))
        }
        HtmlEnd::Comment => has(b"-->"),
        HtmlEnd::Processing => has(b"?>"),
        HtmlEnd::Declaration => line.contains(&b'>'),
        HtmlEnd::Cdata => has(b"]]>"),
        HtmlEnd::Blank => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<LineKind> {
        let mut b = Blocks::default();
        text.lines().map(|l| b.line(l)).collect()
    }

    use LineKind::*;

    #[test]
    fn fence_ends_with_its_list_item() {
        let k = kinds("- a\n  ```\n  - [x] in code\n- b\n## v2 | x\n");
        assert_eq!(k, [Text, Code, Code, Text, Heading { level: 2, top: true }]);
    }

    #[test]
    fn comment_hides_headings() {
        let k = kinds("<!--\n## v3 | x\n-->\n## v3 | y\n");
        assert_eq!(k, [Html, Html, Html, Heading { level: 2, top: true }]);
    }

    #[test]
    fn html_block_ends_at_blank() {
        let k = kinds("**Next:**\n<details>\n- [X] y\n</details>\n\n- [LOW] z\n");
        assert_eq!(k, [Text, Html, Html, Html, Blank, Text]);
    }

    #[test]
    fn type7_does_not_interrupt_a_paragraph() {
        assert_eq!(kinds("text\n<Foo>\n"), [Text, Text]);
        assert_eq!(kinds("\n<Foo>\nbar\n"), [Blank, Html, Html]);
    }

    #[test]
    fn headings_in_containers_are_not_top() {
        assert_eq!(kinds("> ## v1 | x\n"), [Heading { level: 2, top: false }]);
        assert_eq!(kinds("- a\n\n  ## v1\n"), [Text, Blank, Heading { level: 2, top: false }]);
        assert_eq!(kinds("- a\n## v1\n"), [Text, Heading { level: 2, top: true }]);
    }

    #[test]
    fn indented_code() {
        assert_eq!(kinds("\n    ## v1\n"), [Blank, Code]);
        assert_eq!(kinds("para\n    ## v1\n"), [Text, Text]);
        assert_eq!(kinds("    ```\n## v1\n"), [Code, Heading { level: 2, top: true }]);
    }

    #[test]
    fn quote_fence_ends_with_quote() {
        assert_eq!(kinds("> ```\n> x\n## v1\n"), [Code, Code, Heading { level: 2, top: true }]);
    }

    #[test]
    fn lazy_label_keeps_the_item_open() {
        // `**Work:**` continues the item's paragraph; the fence is the item's.
        assert_eq!(kinds("- a\n**Work:**\n  ```\n  x\n"), [Text, Text, Code, Code]);
    }

    #[test]
    fn setext_and_breaks() {
        assert_eq!(kinds("Title\n===\n"), [Text, Setext { level: 1 }]);
        assert_eq!(kinds("\n---\n"), [Blank, Break]);
        assert_eq!(kinds("* * *\n"), [Break]);
    }
}
