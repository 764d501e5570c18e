//! `textDocument/foldingRange` and `selectionRange`.

use std::collections::HashSet;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::ide;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::{encoding, to_proto};

/// `selectionRange`: positions answered with trees (later ones get their
/// own empty range), and distinct entries whose trees are built per request.
const SELECTION_POSITIONS: usize = 256;
const SELECTION_CHUNKS: usize = 16;

pub(in crate::lsp) async fn folding_range(server: &Server, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
    let Some(s) = server.snapshot(&params.text_document.uri) else { return Ok(None) };
    let Text::Analysed(doc) = &s.text else { return Ok(None) };
    let out = ide::folding(doc).iter().filter_map(|r| to_proto::folding_range(doc.rope(), r)).collect();
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
                let chain = if k < answered { ide::selection(&doc, encoding::offset(doc.rope(), *p, enc)) } else { Vec::new() };
                to_proto::selection_range(doc.rope(), &chain, *p, enc)
            })
            .collect();
        Some(out)
    })
    .await;
    Ok(r.flatten())
}
