//! `textDocument/codeAction`: quick fixes of the diagnostics in range, and
//! "Start the next entry".

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis;
use crate::document::Document;
use crate::handoff;
use crate::ide::change::{FileOp, SourceChange};
use crate::lsp::encoding::{self, Encoding};
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;

pub(in crate::lsp) async fn code_action(server: &Server, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let Some(s) = server.snapshot(&uri) else { return Ok(None) };
    let caps = server.host().edit_caps;
    let r = blocking("codeAction", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        let rope = doc.rope();
        let off = |p: Position| encoding::offset(rope, p, s.encoding);
        let r = off(params.range.start)..off(params.range.end);
        let cx = analysis::Context { config: &s.config, path: s.path.as_deref(), facts: s.facts() };
        let diags = analysis::diagnostics(doc, &cx);
        // The diagnostics under the cursor, and every diagnostic the
        // client lists in the context (e.g. the whole marked line).
        let mut wanted: Vec<usize> = (0..diags.len()).filter(|&i| diags[i].range.start <= r.end && r.start <= diags[i].range.end).collect();
        for cd in &params.context.diagnostics {
            if cd.source.as_deref().is_some_and(|src| src != "worklog") {
                continue;
            }
            let cr = off(cd.range.start)..off(cd.range.end);
            let code = match &cd.code {
                Some(NumberOrString::String(c)) => Some(c.as_str()),
                _ => None,
            };
            wanted.extend((0..diags.len()).filter(|&i| diags[i].range == cr && code.is_none_or(|c| c == diags[i].code.as_str())));
        }
        wanted.sort_unstable();
        wanted.dedup();
        let actions: Vec<CodeActionOrCommand> = wanted
            .into_iter()
            .flat_map(|i| diags[i].fixes.iter().map(move |f| (i, f)))
            .map(|(i, f)| to_proto::code_action(&uri, rope, &diags[i], f, s.encoding))
            .collect();
        let mut actions = actions;
        // A client asking only for quick fixes gets no refactoring.
        let refactors = params.context.only.as_ref().is_none_or(|only| only.contains(&CodeActionKind::REFACTOR));
        if refactors && analysis::recognise(doc, &s.config, s.path.as_deref()).is_log() && at_next_entry_place(doc, r.start) {
            actions.extend(next_entry_actions(&uri, doc, s.encoding));
            actions.extend(next_file_action(doc, &s, caps));
        }
        Some(actions)
    })
    .await;
    Ok(r.flatten())
}

/// Where "Start the next entry" is offered: on the frontmatter, on an entry
/// heading's line, or on the last non-blank line of the log (or after it).
pub(super) fn at_next_entry_place(doc: &Document, off: usize) -> bool {
    let chunks = doc.chunks();
    let on_fm = chunks
        .first()
        .filter(|c| !c.summary.entry)
        .and_then(|c| c.model.frontmatter.as_ref())
        .is_some_and(|f| off >= f.range.start && off <= f.range.end);
    let on_heading = chunks.iter().any(|c| c.summary.entry && off >= c.start && off <= c.start + c.summary.heading_end as usize);
    let rope = doc.rope();
    let text_end = {
        let t = doc.text();
        t.trim_end().len()
    };
    let last_line_start = rope.line_to_byte(rope.byte_to_line(text_end.min(rope.len_bytes())));
    on_fm || on_heading || off >= last_line_start
}

/// "Start the next entry (vN+1)", and "… keeping the status" when starting
/// it would change the status.
pub(super) fn next_entry_actions(uri: &Uri, doc: &Document, enc: Encoding) -> Vec<CodeActionOrCommand> {
    use handoff::next::{next_entry, NextOptions};
    let now = handoff::clock::local_now();
    let n = next_entry(doc, &NextOptions { now, snippets: false, keep_status: false });
    let mut out = vec![to_proto::edit_action(uri, doc.rope(), format!("Start the next entry (v{})", n.version), &n.edits, enc)];
    let kept = next_entry(doc, &NextOptions { now, snippets: false, keep_status: true });
    if kept.edits != n.edits {
        out.push(to_proto::edit_action(
            uri,
            doc.rope(),
            format!("Start the next entry (v{}), keeping the status", kept.version),
            &kept.edits,
            enc,
        ));
    }
    out
}

/// "Start v<N+1> in a new file `…-v<N+1>.md`" (the CLI's `next --file`): a
/// change that creates the next file of a log whose name carries its
/// version, holding the log with the next entry started; the log itself is
/// left as it is. Offered only when the client can create files, the log has
/// a project root, and no file of that name exists (never overwritten).
fn next_file_action(doc: &Document, s: &Snapshot, caps: to_proto::EditCaps) -> Option<CodeActionOrCommand> {
    use handoff::next::{next_entry, NextOptions};
    if !caps.create || s.root.is_none() {
        return None;
    }
    let path = s.path.as_deref()?;
    let now = handoff::clock::local_now();
    let n = next_entry(doc, &NextOptions { now, snippets: false, keep_status: false });
    let name = handoff::name_with_version(path.file_name()?.to_str()?, n.version)?;
    let new = path.with_file_name(&name);
    if crate::workspace::logs::exists(&new) {
        return None;
    }
    let mut change = SourceChange::default();
    change.push_op(FileOp::Create { path: new, text: handoff::apply(&doc.text(), &n.edits) });
    let edit = to_proto::workspace_edit(&change, caps, &|_| None, s.encoding).ok()?;
    Some(to_proto::change_action(format!("Start v{} in a new file, {name}", n.version), edit))
}
