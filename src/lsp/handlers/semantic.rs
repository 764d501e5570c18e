//! `textDocument/semanticTokens/full` and `/full/delta`: the tokens of
//! `ide::semantic`, encoded by `lsp::semantic`; the last result of each open
//! document is kept under a result id for the delta.

use std::collections::HashSet;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::ide;
use crate::lsp::host::*;
use crate::lsp::semantic;
use crate::lsp::server::*;

/// The document's tokens as the relative array; `None` when it is not open
/// (a document over the size cap, or not a Work Log, has none).
async fn encoded(server: &Server, uri: &Uri) -> Option<Vec<u32>> {
    let s = server.snapshot(uri)?;
    // Proportional to the document (one pass over every entry's model):
    // on the blocking pool.
    blocking("semanticTokens", move || {
        let Text::Analysed(doc) = &s.text else { return Vec::new() };
        let text = doc.text();
        let tokens = ide::semantic::tokens_in(doc, &text, &s.config, s.path.as_deref());
        semantic::encode(&text, &tokens, s.encoding)
    })
    .await
}

fn remember(server: &Server, uri: &Uri, data: Arc<Vec<u32>>) -> String {
    let open: HashSet<Uri> = server.host().docs.keys().cloned().collect();
    server.semantic.store(uri, data, |u| open.contains(u))
}

pub(in crate::lsp) async fn full(server: &Server, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
    let uri = params.text_document.uri;
    let Some(data) = encoded(server, &uri).await else { return Ok(None) };
    let data = Arc::new(data);
    let id = remember(server, &uri, data.clone());
    // The answer written as JSON here (120,000 numbers for a 1,000-entry
    // log), past tower-lsp's `Value`, when the transport takes it.
    let json = semantic::tokens_json(&id, &data);
    match crate::lsp::answer_raw(json) {
        Ok(()) => Ok(None),
        Err(_) => Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: Some(id), data: semantic::to_proto(&data) }))),
    }
}

pub(in crate::lsp) async fn full_delta(
    server: &Server,
    params: SemanticTokensDeltaParams,
) -> Result<Option<SemanticTokensFullDeltaResult>> {
    let uri = params.text_document.uri;
    let Some(data) = encoded(server, &uri).await else { return Ok(None) };
    let data = Arc::new(data);
    let previous = server.semantic.get(&uri, &params.previous_result_id);
    let id = remember(server, &uri, data.clone());
    Ok(Some(match previous {
        Some(old) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
            result_id: Some(id),
            edits: semantic::delta(&old, &data).iter().map(semantic::edit_to_proto).collect(),
        }),
        None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens { result_id: Some(id), data: semantic::to_proto(&data) }),
    }))
}
