//! `textDocument/codeLens`: status at a glance on the frontmatter and on each
//! entry heading.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::handoff;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;

pub(in crate::lsp) async fn code_lens(server: &Server, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let Some(s) = server.snapshot(&uri) else { return Ok(None) };
    // No IO, but one pass over every entry's Next items (a lens per
    // entry: 5,000 for the largest logs): on the blocking pool.
    let r = blocking("codeLens", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        if !analysis::recognise(doc, &s.config, s.path.as_deref()).is_log() {
            return Some(Vec::new());
        }
        Some(handoff::status::lenses(doc).iter().map(|l| to_proto::lens(&uri, doc.rope(), l, s.encoding)).collect())
    })
    .await;
    Ok(r.flatten())
}
