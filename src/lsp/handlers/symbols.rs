//! `textDocument/documentSymbol` (the outline) and `workspace/symbol` (entries
//! by version or title words).

use std::path::Path;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::ide;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;

pub(in crate::lsp) async fn document_symbol(server: &Server, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
    let Some(s) = server.snapshot(&params.text_document.uri) else { return Ok(None) };
    let Text::Analysed(doc) = &s.text else { return Ok(None) };
    let syms = ide::symbols(doc).iter().map(|x| to_proto::symbol(doc.rope(), x, s.encoding)).collect();
    Ok(Some(DocumentSymbolResponse::Nested(syms)))
}

/// Entries of the open logs by version or title words (the outline of a
/// long log groups its older entries; this reaches every one).
pub(in crate::lsp) async fn symbol(server: &Server, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
    const LIMIT: usize = 128;
    let (docs, enc) = {
        let h = server.host();
        let mut docs: Vec<(Uri, Document, Option<String>)> = h
            .docs
            .iter()
            .filter_map(|(uri, d)| match &d.text {
                Text::Analysed(doc) => {
                    let name = d.path.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
                    Some((uri.clone(), doc.clone(), name))
                }
                Text::TooLarge(_) => None,
            })
            .collect();
        docs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        (docs, h.encoding())
    };
    let mut out = Vec::new();
    for (uri, doc, container) in &docs {
        for sym in ide::entry_symbols(doc, &params.query, LIMIT - out.len()) {
            out.push(to_proto::workspace_symbol(uri, doc.rope(), &sym, container.clone(), enc));
        }
        if out.len() >= LIMIT {
            break;
        }
    }
    Ok(Some(WorkspaceSymbolResponse::Nested(out)))
}
