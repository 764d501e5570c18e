//! Text synchronisation: `didOpen`, `didChange`, `didClose`. These mutate the
//! host before their first `.await` (arrival order); parsing a whole text
//! happens before the lock is taken.

use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::lsp::encoding;
use crate::lsp::from_proto::file_path;
use crate::lsp::host::*;
use crate::lsp::publisher::*;
use crate::lsp::server::*;

pub(in crate::lsp) async fn did_open(server: &Server, params: DidOpenTextDocumentParams) {
    let d = params.text_document;
    {
        // Canonical (symlinked folders resolved) so that the log's root
        // and relative references are found without IO later on. The
        // path and the parse are made before the lock is taken.
        let path = file_path(&d.uri).map(|p| canonical_file(&p));
        server.add_project_root(path.as_deref());
        let cap = server.host().cap_for(path.as_deref());
        let text = Text::new(&d.text, cap);
        let mut h = server.host();
        // The cap may have changed meanwhile (a settings change).
        let text = match text {
            Text::Analysed(doc) if doc.len() as u64 > h.cap_for(path.as_deref()) => Text::TooLarge(doc.rope().clone()),
            Text::TooLarge(_) if d.text.len() as u64 <= h.cap_for(path.as_deref()) => Text::Analysed(Document::new(&d.text)),
            t => t,
        };
        let replaced = h.docs.insert(d.uri.clone(), OpenDoc { version: d.version, text, path });
        drop(h);
        drop_elsewhere(replaced);
    }
    let _ = server.publish.send(Publish::Doc(d.uri));
}

pub(in crate::lsp) async fn did_change(server: &Server, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let mut changes = params.content_changes;
    // A whole-text replacement makes the earlier changes moot: parse it
    // before taking the lock (edits by range are cheap, made under it).
    let mut replaced: Option<(Text, u64)> = None;
    if let Some(last_full) = changes.iter().rposition(|c| c.range.is_none()) {
        let cap = {
            let h = server.host();
            let path = h.docs.get(&uri).and_then(|d| d.path.clone());
            h.cap_for(path.as_deref())
        };
        let rest = changes.split_off(last_full + 1);
        let full = changes.pop().map(|c| c.text).unwrap_or_default();
        replaced = Some((Text::new(&full, cap), cap));
        changes = rest;
    }
    let mut previous: Option<Text> = None;
    {
        let mut h = server.host();
        let enc = h.encoding();
        let path = h.docs.get(&uri).and_then(|d| d.path.clone());
        let cap = h.cap_for(path.as_deref());
        let Some(doc) = h.docs.get_mut(&uri) else { return };
        doc.version = params.text_document.version;
        if let Some((text, parsed_cap)) = replaced {
            let text = if parsed_cap == cap { text } else { Text::new(&text_of(&text), cap) };
            // The replaced document is freed after the lock (below).
            previous = Some(std::mem::replace(&mut doc.text, text));
        }
        for ch in changes {
            match ch.range {
                None => doc.text = Text::new(&ch.text, cap),
                Some(r) => match &mut doc.text {
                    Text::Analysed(d) => {
                        let s = encoding::offset(d.rope(), r.start, enc);
                        let e = encoding::offset(d.rope(), r.end, enc).max(s);
                        d.edit(s..e, &ch.text);
                        if d.len() as u64 > cap {
                            doc.text = Text::TooLarge(d.rope().clone());
                        }
                    }
                    Text::TooLarge(rope) => {
                        let s = encoding::offset(rope, r.start, enc);
                        let e = encoding::offset(rope, r.end, enc).max(s);
                        let (cs, ce) = (rope.byte_to_char(s), rope.byte_to_char(e));
                        rope.remove(cs..ce);
                        rope.insert(cs, &ch.text);
                        if rope.len_bytes() as u64 <= cap {
                            doc.text = Text::Analysed(Document::new(&rope.to_string()));
                        }
                    }
                },
            }
        }
    }
    if let Some(text) = previous {
        if text.len() > 1 << 20 {
            tokio::task::spawn_blocking(move || drop(text));
        }
    }
    let _ = server.publish.send(Publish::Doc(uri));
}

pub(in crate::lsp) async fn did_close(server: &Server, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let closed = server.host().docs.remove(&uri);
    drop_elsewhere(closed);
    let _ = server.publish.send(Publish::Clear(uri));
}

/// Frees a document on the blocking pool: a 5,000-entry log takes ~4 ms to
/// free, which would otherwise delay the next message (often the next
/// `didOpen`).
pub(super) fn drop_elsewhere(doc: Option<OpenDoc>) {
    if let Some(doc) = doc {
        if doc.text.len() > 1 << 20 {
            tokio::task::spawn_blocking(move || drop(doc));
        }
    }
}
