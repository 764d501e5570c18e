//! `textDocument/codeLens`: status at a glance on the frontmatter and on each
//! entry heading, and on the frontmatter how many other logs reference the
//! files this one references.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::handoff;
use crate::ide::xref;
use crate::lsp::host::*;
use crate::lsp::logs::logs_view;
use crate::lsp::server::*;
use crate::lsp::to_proto;

pub(in crate::lsp) async fn code_lens(server: &Server, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let Some(s) = server.snapshot(&uri) else { return Ok(None) };
    let host = server.host.clone();
    // No IO, but one pass over every entry's Next items (a lens per
    // entry: 5,000 for the largest logs), and one over the log index: on
    // the blocking pool.
    let r = blocking("codeLens", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        if !analysis::recognise(doc, &s.config, s.path.as_deref()).is_log() {
            return Some(Vec::new());
        }
        let status = handoff::status::lenses(doc);
        let mut out: Vec<CodeLens> = status.iter().map(|l| to_proto::lens(&uri, doc.rope(), l, s.encoding)).collect();
        if let Some(path) = &s.path {
            let view = logs_view(&host);
            let logs = view.logs();
            let n = logs.get(path).map_or(0, |log| xref::logs_sharing_files(&logs, log).len());
            if let Some(title) = xref::sharing_lens_text(n) {
                let at = status.first().map_or(0, |l| l.at);
                out.insert(1.min(out.len()), to_proto::shared_lens(&uri, doc.rope(), at, title, s.encoding));
            }
        }
        Some(out)
    })
    .await;
    Ok(r.flatten())
}
