//! `textDocument/completion`: paths (on the blocking pool: fuzzy matching over
//! the index) and the next entry heading at `## v`.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::handoff;
use crate::ide::completion;
use crate::lsp::encoding;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;
use crate::workspace;

/// Completion list cap.
const COMPLETION_LIMIT: usize = 50;

pub(in crate::lsp) async fn completion(server: &Server, params: CompletionParams) -> Result<Option<CompletionResponse>> {
    let tdp = params.text_document_position;
    let Some(s) = server.snapshot(&tdp.text_document.uri) else { return Ok(None) };
    let indexing = s.indexing;
    // Fuzzy matching over a large index may use a few threads: off the
    // async workers.
    let r = blocking("completion", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        let offset = encoding::offset(doc.rope(), tdp.position, s.encoding);
        // `## v` on a new line after the last entry: the next heading.
        if let Some((r, heading)) = handoff::next::heading_completion(doc, offset, handoff::clock::local_now()) {
            if analysis::recognise(doc, &s.config, s.path.as_deref()).is_log() {
                return Some(to_proto::heading_completion(doc.rope(), &r, &heading, s.encoding));
            }
        }
        let log_dir = match (&s.root, &s.path) {
            (Some(root), Some(p)) => p.parent().and_then(|d| workspace::to_relative(root, d)),
            _ => None,
        };
        let env = completion::Env {
            log: s.path.as_deref(),
            index: s.index.as_deref(),
            matcher: s.matcher.as_deref(),
            facts: s.facts(),
            log_dir: log_dir.as_deref(),
            limit: COMPLETION_LIMIT,
        };
        let mut c = completion::complete(doc, offset, &env)?;
        // Offer only paths the reference parser accepts as paths (a
        // file name with a space, `%`, `#` or an emoji would be inserted
        // and then not recognised as a reference).
        c.items.retain(|it| it.kind != completion::ItemKind::File || crate::model::refs::path_chars_ok(it.label.trim_end_matches('/')));
        // While the first index is being built, say that the list is
        // incomplete so that the client asks again.
        c.incomplete |= s.indexing;
        Some(to_proto::completion(doc.rope(), &c, s.encoding))
    })
    .await
    .flatten();
    // While the first index is built, path completion has nothing to
    // offer yet: an empty list marked incomplete makes the client ask
    // again as the user types.
    if r.is_none() && indexing {
        return Ok(Some(CompletionResponse::List(CompletionList { is_incomplete: true, items: Vec::new() })));
    }
    Ok(r)
}
