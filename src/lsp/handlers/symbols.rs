//! `textDocument/documentSymbol` (the outline) and `workspace/symbol` (entries
//! by version or title words).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::ide::{self, xref};
use crate::lsp::host::*;
use crate::lsp::logs::logs_view;
use crate::lsp::server::*;
use crate::lsp::to_proto;

pub(in crate::lsp) async fn document_symbol(server: &Server, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
    let Some(s) = server.snapshot(&params.text_document.uri) else { return Ok(None) };
    let Text::Analysed(doc) = &s.text else { return Ok(None) };
    let syms = ide::symbols(doc).iter().map(|x| to_proto::symbol(doc.rope(), x, s.encoding)).collect();
    Ok(Some(DocumentSymbolResponse::Nested(syms)))
}

/// Entries of every Work Log of the workspace (the index, open logs as
/// they are in the editor) by version or title words; open logs without a
/// file path (`untitled:`) too, when they are logs. On the blocking pool: open logs changed
/// since last summarised have their references resolved.
pub(in crate::lsp) async fn symbol(server: &Server, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
    const LIMIT: usize = 128;
    let (unsaved, enc, config) = {
        let h = server.host();
        let mut docs: Vec<(Uri, Document)> = h
            .docs
            .iter()
            .filter(|(_, d)| d.path.is_none())
            .filter_map(|(uri, d)| match &d.text {
                Text::Analysed(doc) => Some((uri.clone(), doc.clone())),
                Text::TooLarge(_) => None,
            })
            .collect();
        docs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        (docs, h.encoding(), h.default_config.clone())
    };
    let host = server.host.clone();
    let r = blocking("workspace/symbol", move || {
        let view = logs_view(&host);
        let mut out: Vec<WorkspaceSymbol> = xref::find_entries(&view.logs(), &params.query, LIMIT)
            .iter()
            .filter_map(|e| to_proto::indexed_symbol(e.log, e.entry, enc))
            .collect();
        // Work Logs only, as for the files (never cry wolf).
        for (uri, doc) in unsaved.iter().filter(|(_, doc)| crate::analysis::recognise(doc, &config, None).is_log()) {
            if out.len() >= LIMIT {
                break;
            }
            for sym in ide::entry_symbols(doc, &params.query, LIMIT - out.len()) {
                out.push(to_proto::workspace_symbol(uri, doc.rope(), &sym, None, enc));
            }
        }
        out
    })
    .await;
    Ok(Some(WorkspaceSymbolResponse::Nested(r.unwrap_or_default())))
}
