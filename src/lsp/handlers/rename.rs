//! Renames that follow references across every Work Log:
//! - `textDocument/prepareRename` / `rename` on a reference's path: the file
//!   is renamed (a file operation) and every reference to it updated;
//! - `workspace/willRenameFiles`: a file or folder the user renames or moves
//!   takes the references of every log with it (as VS Code's Markdown does
//!   for links).
//!
//! On the blocking pool (open logs' summaries may need resolving; whether
//! the new name exists is asked of the disk); never a path outside the log's
//! project root, never onto an existing file.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::ide::change::SourceChange;
use crate::ide::xref;
use crate::lsp::encoding;
use crate::lsp::from_proto;
use crate::lsp::host::*;
use crate::lsp::logs::logs_view;
use crate::lsp::server::*;
use crate::lsp::to_proto::{self, EditRefused};
use crate::workspace;

pub(in crate::lsp) async fn prepare_rename(server: &Server, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
    let Some(s) = server.snapshot(&params.text_document.uri) else { return Ok(None) };
    let Some(path) = s.path.clone() else { return Ok(None) };
    let host = server.host.clone();
    let r = blocking("prepareRename", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        let off = encoding::offset(doc.rope(), params.position, s.encoding);
        let view = logs_view(&host);
        let logs = view.logs();
        let log = logs.get(&path)?;
        let r = xref::ref_at(log, off)?;
        let [target] = r.targets.as_slice() else { return None };
        (xref::inside_root(log, target) && workspace::logs::exists(target)).then(|| PrepareRenameResponse::RangeWithPlaceholder {
            range: to_proto::span_range(&r.path, s.encoding),
            placeholder: r.written.clone(),
        })
    })
    .await;
    Ok(r.flatten())
}

pub(in crate::lsp) async fn rename(server: &Server, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let tdp = params.text_document_position;
    let Some(s) = server.snapshot(&tdp.text_document.uri) else { return Ok(None) };
    let Some(path) = s.path.clone() else { return Ok(None) };
    let (host, caps) = (server.host.clone(), server.host().edit_caps);
    let r = blocking("rename", move || {
        let Text::Analysed(doc) = &s.text else { return Ok(None) };
        let off = encoding::offset(doc.rope(), tdp.position, s.encoding);
        let view = logs_view(&host);
        let logs = view.logs();
        let Some((log, r)) = logs.get(&path).and_then(|log| Some((log, xref::ref_at(log, off)?))) else { return Ok(None) };
        let exists = |p: &std::path::Path| workspace::logs::exists(p);
        let Some(change) = xref::rename_reference(&logs, log, r, &params.new_name, &exists) else {
            return Err(Error::invalid_params(format!(
                "cannot rename `{}` to `{}`: it must name one existing file, and the new path a free one inside the project root",
                r.written, params.new_name
            )));
        };
        match to_proto::workspace_edit(&change, caps, &|p| view.version_of(p), s.encoding) {
            Ok(edit) => Ok(Some(edit)),
            Err(EditRefused::FileOperations) => {
                Err(Error::invalid_params("this editor cannot rename files for a language server (no `resourceOperations: rename`)"))
            }
            Err(EditRefused::Path) => Ok(None),
        }
    })
    .await;
    r.unwrap_or(Ok(None))
}

pub(in crate::lsp) async fn will_rename_files(server: &Server, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
    let (host, caps, enc) = {
        let h = server.host();
        (server.host.clone(), h.edit_caps, h.encoding())
    };
    let r = blocking("willRenameFiles", move || {
        let view = logs_view(&host);
        let logs = view.logs();
        let mut change = SourceChange::default();
        for (from, to) in params.files.iter().filter_map(from_proto::file_rename) {
            change.extend(xref::rename_edits(&logs, &canonical_file(&from), &canonical_file(&to)).0);
        }
        if change.is_empty() {
            return None;
        }
        to_proto::workspace_edit(&change, caps, &|p| view.version_of(p), enc).ok()
    })
    .await;
    Ok(r.flatten())
}
