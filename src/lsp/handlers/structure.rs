//! `textDocument/foldingRange` and `selectionRange`.

use std::collections::HashSet;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, *};

use crate::ide;
use crate::lsp::encoding;
use crate::lsp::host::*;
use crate::lsp::server::*;

/// `selectionRange`: positions answered with trees (later ones get their
/// own empty range), and distinct entries whose trees are built per request.
const SELECTION_POSITIONS: usize = 256;
const SELECTION_CHUNKS: usize = 16;

pub(in crate::lsp) async fn folding_range(server: &Server, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
    let Some(s) = server.snapshot(&params.text_document.uri) else { return Ok(None) };
    let Text::Analysed(doc) = &s.text else { return Ok(None) };
    let rope = doc.rope();
    let out = ide::folding(doc)
        .into_iter()
        .filter_map(|r| {
            let a = rope.byte_to_line(r.start.min(rope.len_bytes()));
            let mut b = rope.byte_to_line(r.end.min(rope.len_bytes()));
            if b > a && rope.line_to_byte(b) == r.end {
                b -= 1; // the range ends at the start of the next line
            }
            (b > a).then(|| FoldingRange { start_line: a as u32, end_line: b as u32, ..Default::default() })
        })
        .collect();
    Ok(Some(out))
}

pub(in crate::lsp) async fn selection_range(server: &Server, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
    let uri = params.text_document.uri;
    let Some(s) = server.snapshot(&uri) else { return Ok(None) };
    // Trees are built on this request's own copy of the document (the
    // host is not mutated), on the blocking pool, for at most
    // SELECTION_CHUNKS entries and SELECTION_POSITIONS positions; later
    // positions get their own empty range.
    let r = blocking("selectionRange", move || {
        let Text::Analysed(mut doc) = s.text else { return None };
        let enc = s.encoding;
        let positions = params.positions;
        let mut built: HashSet<usize> = HashSet::new();
        let mut answered = 0;
        for p in positions.iter().take(SELECTION_POSITIONS) {
            let off = encoding::offset(doc.rope(), *p, enc);
            let i = doc.chunk_index(off);
            if !built.contains(&i) {
                if built.len() == SELECTION_CHUNKS {
                    break;
                }
                doc.ensure_trees(i);
                built.insert(i);
            }
            answered += 1;
        }
        let out = positions
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let mut sel: Option<SelectionRange> = None;
                if k < answered {
                    let off = encoding::offset(doc.rope(), *p, enc);
                    for r in ide::selection(&doc, off).iter().rev() {
                        sel = Some(SelectionRange { range: encoding::range(doc.rope(), r, enc), parent: sel.map(Box::new) });
                    }
                }
                sel.unwrap_or(SelectionRange { range: lsp::Range { start: *p, end: *p }, parent: None })
            })
            .collect();
        Some(out)
    })
    .await;
    Ok(r.flatten())
}
