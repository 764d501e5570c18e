//! [`scan_chunk`]: the model of one chunk, line by line, on CommonMark's
//! block structure (`syntax::block`), with fields read by line.

use std::ops::Range;

use super::lines::{is_blank, item_tag, list_item, parse_elision, parse_frontmatter, parse_heading, parse_label, version_mentions_into};
use super::scan_refs::{scan_refs, RefCtx, Scratch};
use super::{mojibake, refs, ChunkModel, Elision, Field, FieldKind, FileRef, Heading, Item, Label, RefForm, Tag, VersionMention, WorkOp};
use crate::syntax::{self, inline, Line};

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
        if n == 0 && l.start == 0 && syntax::opens_entry(kind, line) {
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
        if let (syntax::LineKind::Heading { top, .. }, Some((level, content))) =
            (kind, if first == Some(b'#') { syntax::atx_heading(line) } else { None })
        {
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
        let ctx = RefCtx { exempt: exempt || work == Some(WorkOp::Removed), path_words: in_files_or_work, work };
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
pub(super) fn exact<T: Clone>(v: &mut Vec<T>) -> Vec<T> {
    let mut old = std::mem::replace(v, v.as_slice().to_vec());
    old.clear();
    if old.capacity() > 1024 {
        old = Vec::new(); // a huge chunk's buffers are not kept
    }
    old
}
