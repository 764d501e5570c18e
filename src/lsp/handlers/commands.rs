//! `workspace/executeCommand`: `worklog.handoff`, `worklog.status` and `worklog.sharedLogs`.

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::handoff;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;

/// `worklog.handoff [uri, keep?]` → `{text, bytes, tokens, tokenizer}`;
/// `worklog.status [uri]` → `{line, lens, status}`. Computed from the open
/// document's current text; never waits on the client.
pub(in crate::lsp) async fn execute_command(server: &Server, params: ExecuteCommandParams) -> Result<Option<Value>> {
    use tower_lsp_server::jsonrpc::Error;
    let args = params.arguments;
    let uri: Option<Uri> = args.first().and_then(Value::as_str).and_then(|u| u.parse().ok());
    let Some(uri) = uri else { return Err(Error::invalid_params("the first argument must be the URI of an open document")) };
    let Some(s) = server.snapshot(&uri) else { return Err(Error::invalid_params(format!("{} is not open", uri.as_str()))) };
    let Text::Analysed(doc) = s.text else { return Err(Error::invalid_params(format!("{} is over the size cap", uri.as_str()))) };
    if !analysis::recognise(&doc, &s.config, s.path.as_deref()).is_log() {
        return Err(Error::invalid_params(format!("{} is not a Work Log", uri.as_str())));
    }
    match params.command.as_str() {
        to_proto::HANDOFF_COMMAND => {
            let keep = args.get(1).and_then(Value::as_u64).unwrap_or(1).clamp(1, u32::MAX as u64) as usize;
            // The copy and its token count are CPU work: on the blocking pool.
            let r = blocking("worklog.handoff", move || {
                let copy = handoff::copy::handoff_copy(&doc, keep);
                let size = handoff::tokens::Size::of(&copy.text);
                serde_json::json!({ "text": copy.text, "bytes": size.bytes, "tokens": size.tokens, "tokenizer": handoff::tokens::TOKENIZER })
            })
            .await;
            Ok(r)
        }
        to_proto::STATUS_COMMAND => {
            let st = handoff::status::log_status(&doc);
            Ok(Some(serde_json::json!({
                "line": handoff::status::agent_line(&st),
                "lens": handoff::status::lens_text(&st),
                "status": st,
            })))
        }
        to_proto::SHARED_COMMAND => {
            let (host, path) = (server.host.clone(), s.path.clone());
            let r = blocking("worklog.sharedLogs", move || {
                let view = crate::lsp::logs::logs_view(&host);
                let logs = view.logs();
                let Some(log) = path.as_deref().and_then(|p| logs.get(p)) else { return Vec::new() };
                crate::ide::xref::logs_sharing_files(&logs, log)
                    .into_iter()
                    .filter_map(|p| Uri::from_file_path(p).map(|u| Value::String(u.as_str().to_string())))
                    .collect::<Vec<_>>()
            })
            .await;
            Ok(Some(serde_json::json!({ "logs": r.unwrap_or_default() })))
        }
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
