//! `textDocument/references` on a file reference: every reference to that
//! file across every Work Log of the workspace, those whose line range
//! overlaps the one under the cursor first. On the blocking pool (the open
//! logs' summaries may need their references resolved); the queries are
//! scans of the in-memory index.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::ide::xref;
use crate::lsp::encoding;
use crate::lsp::host::*;
use crate::lsp::logs::logs_view;
use crate::lsp::server::*;
use crate::lsp::to_proto;

pub(in crate::lsp) async fn references(server: &Server, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let tdp = params.text_document_position;
    let Some(s) = server.snapshot(&tdp.text_document.uri) else { return Ok(None) };
    let Some(path) = s.path.clone() else { return Ok(None) };
    let host = server.host.clone();
    let r = blocking("references", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        let off = encoding::offset(doc.rope(), tdp.position, s.encoding);
        let view = logs_view(&host);
        let logs = view.logs();
        let r = xref::ref_at(logs.get(&path)?, off)?;
        let mut out: Vec<Location> = Vec::new();
        // One URI per log; a reference once even when it names several targets.
        let mut uris: HashMap<&Path, Option<Uri>> = HashMap::new();
        let mut seen: HashSet<(&Path, usize)> = HashSet::new();
        for t in &r.targets {
            for f in xref::references_to(&logs, t, r.lines) {
                if !seen.insert((f.log, f.r.range.bytes.start)) {
                    continue;
                }
                if let Some(uri) = uris.entry(f.log).or_insert_with(|| Uri::from_file_path(f.log)) {
                    out.push(Location { uri: uri.clone(), range: to_proto::span_range(&f.r.range, s.encoding) });
                }
            }
        }
        // Written as JSON here, on the blocking pool (a file every log
        // names: 1,326 locations), past tower-lsp's `Value`.
        let json = serde_json::to_vec(&out).ok();
        Some((out, json))
    })
    .await
    .flatten();
    let Some((out, json)) = r else { return Ok(None) };
    match json.map(crate::lsp::answer_raw) {
        Some(Ok(())) => Ok(None),
        _ => Ok(Some(out)),
    }
}
