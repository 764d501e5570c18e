//! `textDocument/definition`, `hover`, `documentLink`: resolution and previews
//! read the disk, so each runs on the blocking pool.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::ide;
use crate::lsp::encoding;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;
use crate::workspace;

/// Hover preview cap, in lines.
const PREVIEW_LINES: usize = 30;

pub(in crate::lsp) async fn goto_definition(server: &Server, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
    let tdp = params.text_document_position_params;
    let uri = tdp.text_document.uri;
    let (Some(s), link_support) = (server.snapshot(&uri), server.host().link_support) else { return Ok(None) };
    // Resolution reads the disk: on the blocking pool.
    let r = blocking("definition", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        let offset = encoding::offset(doc.rope(), tdp.position, s.encoding);
        // A range that moved or changed since it was written leads to where
        // its lines are now (spec §4b), even when its file was renamed.
        let moved = s.path.as_deref().and_then(|log| {
            let cx = crate::analysis::Context { config: &s.config, path: Some(log), facts: s.facts() };
            let t = ide::history::history_target(doc, offset, log, &cx, s.facts())?;
            Some((ide::ref_at(doc, offset)?.range, vec![t]))
        });
        let (origin, targets) = match moved {
            Some(m) => m,
            None => ide::definition(doc, offset, s.path.as_deref(), s.facts())?,
        };
        to_proto::definition(&uri, doc.rope(), &origin, targets, link_support, s.encoding)
    })
    .await;
    Ok(r.flatten())
}

pub(in crate::lsp) async fn hover(server: &Server, params: HoverParams) -> Result<Option<Hover>> {
    let tdp = params.text_document_position_params;
    let Some(s) = server.snapshot(&tdp.text_document.uri) else { return Ok(None) };
    // Resolution and previews read the disk: on the blocking pool.
    let r = blocking("hover", move || {
        let Text::Analysed(doc) = &s.text else { return None };
        let offset = encoding::offset(doc.rope(), tdp.position, s.encoding);
        let h = ide::hover(doc, offset, s.path.as_deref(), s.facts())?;
        let cx = crate::analysis::Context { config: &s.config, path: s.path.as_deref(), facts: s.facts() };
        let history = ide::history::history_markdown(doc, offset, &cx);
        let (range, md) = match h {
            ide::HoverTarget::Text { range, markdown } => (range, markdown),
            ide::HoverTarget::Reference { range, written, files, lines } => {
                let root = s.root.clone()?;
                let cap = s.config.max_file_size;
                let mut parts = Vec::new();
                for f in files.iter().take(5) {
                    let shown = workspace::to_relative(&root, f).unwrap_or_else(|| written.clone());
                    let (a, b) = lines.filter(|l| l.is_valid()).map_or((1, PREVIEW_LINES), |l| (l.start as usize, l.end as usize));
                    // Hidden and ignored files (`.env`, build output) are
                    // never shown, even when named explicitly.
                    if !workspace::may_show(&root, f, s.index.as_deref()) {
                        parts.push(format!("**{shown}** — no preview (hidden or ignored file)"));
                        continue;
                    }
                    parts.push(match workspace::preview_capped(&root, f, a, b, PREVIEW_LINES, cap) {
                        Some(p) => ide::render_preview(
                            &shown,
                            lines,
                            &p.lines,
                            p.total_lines,
                            p.truncated || lines.is_none() && p.total_lines > PREVIEW_LINES,
                        ),
                        None => format!("**{shown}** — no preview (binary, too large or not a regular file)"),
                    });
                }
                if files.len() > 1 {
                    parts.insert(0, format!("`{written}` matches {} files:", files.len()));
                }
                (range, parts.join("\n\n---\n\n"))
            }
        };
        let md = match history {
            Some(h) => format!("{h}\n\n---\n\n{md}"),
            None => md,
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: md }),
            range: Some(encoding::range(doc.rope(), &range, s.encoding)),
        })
    })
    .await;
    Ok(r.flatten())
}

pub(in crate::lsp) async fn document_link(server: &Server, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
    let Some(s) = server.snapshot(&params.text_document.uri) else { return Ok(None) };
    let r = blocking("documentLink", move || {
        let (Text::Analysed(doc), Some(path)) = (&s.text, &s.path) else { return None };
        let links = ide::links(doc, path, s.facts())
            .into_iter()
            .filter_map(|l| {
                Some(DocumentLink {
                    range: encoding::range(doc.rope(), &l.range, s.encoding),
                    target: Some(to_proto::file_uri(&l.file, l.line)?),
                    tooltip: l.line.map(|n| format!("Open at line {n}")),
                    data: None,
                })
            })
            .collect();
        Some(links)
    })
    .await;
    Ok(r.flatten())
}
