//! Plain analysis data → LSP types. The only place that builds protocol
//! values from analysis results.

use std::collections::HashMap;

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use super::encoding::{range, Encoding};
use crate::analysis::{self, Severity};
use crate::ide::{self, completion};

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(rope: &Rope, d: &analysis::Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(rope, &d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        source: Some("worklog".to_string()),
        message: d.message.clone(),
        ..Default::default()
    }
}

pub fn code_action(uri: &lsp::Uri, rope: &Rope, d: &analysis::Diagnostic, f: &analysis::Fix, enc: Encoding) -> lsp::CodeActionOrCommand {
    let edits = f.edits.iter().map(|(r, t)| lsp::TextEdit { range: range(rope, r, enc), new_text: t.clone() }).collect();
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: f.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(rope, d, enc)]),
        edit: Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }),
        is_preferred: f.preferred.then_some(true),
        ..Default::default()
    })
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
pub fn symbol(rope: &Rope, s: &ide::Symbol, enc: Encoding) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if s.name.is_empty() { "(untitled)".into() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: match s.kind {
            ide::SymbolKind::Frontmatter => lsp::SymbolKind::NAMESPACE,
            ide::SymbolKind::Title => lsp::SymbolKind::FILE,
            ide::SymbolKind::Entry => lsp::SymbolKind::MODULE,
            ide::SymbolKind::Field => lsp::SymbolKind::FIELD,
            ide::SymbolKind::OlderEntries => lsp::SymbolKind::ARRAY,
        },
        tags: None,
        deprecated: None,
        range: range(rope, &s.range, enc),
        selection_range: range(rope, &s.selection, enc),
        children: (!s.children.is_empty()).then(|| s.children.iter().map(|c| symbol(rope, c, enc)).collect()),
    }
}

/// An entry found by `workspace/symbol`; `container` is the log's file name.
pub fn workspace_symbol(uri: &lsp::Uri, rope: &Rope, s: &ide::Symbol, container: Option<String>, enc: Encoding) -> lsp::WorkspaceSymbol {
    let name = match &s.detail {
        Some(title) if !title.is_empty() => format!("{} · {title}", s.name),
        _ => s.name.clone(),
    };
    lsp::WorkspaceSymbol {
        name,
        kind: lsp::SymbolKind::MODULE,
        tags: None,
        container_name: container,
        location: lsp::OneOf::Left(lsp::Location { uri: uri.clone(), range: range(rope, &s.selection, enc) }),
        data: None,
    }
}

/// An entry of an indexed log found by `workspace/symbol`; the container
/// is the log's file name.
pub fn indexed_symbol(log: &std::path::Path, e: &ide::xref::EntrySymbol, enc: Encoding) -> Option<lsp::WorkspaceSymbol> {
    Some(lsp::WorkspaceSymbol {
        name: e.label.clone(),
        kind: lsp::SymbolKind::MODULE,
        tags: None,
        container_name: log.file_name().map(|n| n.to_string_lossy().into_owned()),
        location: lsp::OneOf::Left(location(log, &e.heading, enc)?),
        data: None,
    })
}

pub fn completion(rope: &Rope, c: &completion::Completions, enc: Encoding) -> lsp::CompletionResponse {
    let r = range(rope, &c.replace, enc);
    let items = c
        .items
        .iter()
        .map(|it| lsp::CompletionItem {
            label: it.label.clone(),
            kind: Some(match it.kind {
                completion::ItemKind::File => lsp::CompletionItemKind::FILE,
                completion::ItemKind::Range => lsp::CompletionItemKind::VALUE,
                completion::ItemKind::Priority => lsp::CompletionItemKind::ENUM_MEMBER,
                completion::ItemKind::Field => lsp::CompletionItemKind::FIELD,
                completion::ItemKind::Value => lsp::CompletionItemKind::VALUE,
            }),
            detail: it.detail.clone(),
            sort_text: Some(it.sort.clone()),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range: r, new_text: it.insert.clone() })),
            ..Default::default()
        })
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: c.incomplete, items })
}

/// A file URI with an optional `#L<line>` fragment.
pub fn file_uri(path: &std::path::Path, line: Option<u32>) -> Option<lsp::Uri> {
    let base = lsp::Uri::from_file_path(path)?;
    match line {
        Some(l) => format!("{}#L{l}", base.as_str()).parse().ok(),
        None => Some(base),
    }
}

/// The command every status lens carries: harmless (it returns the agent
/// line), so that clients that show only lenses with a command show them.
pub const STATUS_COMMAND: &str = "worklog.status";
/// `worklog.handoff`: the hand-off copy of an open log.
pub const HANDOFF_COMMAND: &str = "worklog.handoff";

/// `worklog.sharedLogs [uri]`: the other logs that reference the files an
/// open log references (the command of the lens that counts them).
pub const SHARED_COMMAND: &str = "worklog.sharedLogs";

/// The lens counting the other logs that reference this log's files.
pub fn shared_lens(uri: &lsp::Uri, rope: &Rope, at: usize, title: String, enc: Encoding) -> lsp::CodeLens {
    lsp::CodeLens {
        range: range(rope, &(at..at), enc),
        command: Some(lsp::Command {
            title,
            command: SHARED_COMMAND.into(),
            arguments: Some(vec![serde_json::Value::String(uri.as_str().to_string())]),
        }),
        data: None,
    }
}

/// A status lens at the start of its line, with [`STATUS_COMMAND`].
pub fn lens(uri: &lsp::Uri, rope: &Rope, l: &crate::handoff::status::Lens, enc: Encoding) -> lsp::CodeLens {
    let r = range(rope, &(l.at..l.at), enc);
    lsp::CodeLens {
        range: r,
        command: Some(lsp::Command {
            title: l.title.clone(),
            command: STATUS_COMMAND.into(),
            arguments: Some(vec![serde_json::Value::String(uri.as_str().to_string())]),
        }),
        data: None,
    }
}

/// A refactoring of one document made of text edits (the next entry).
pub fn edit_action(
    uri: &lsp::Uri,
    rope: &Rope,
    title: String,
    edits: &[crate::handoff::TextEdit],
    enc: Encoding,
) -> lsp::CodeActionOrCommand {
    let edits = edits.iter().map(|e| lsp::TextEdit { range: range(rope, &e.range, enc), new_text: e.text.clone() }).collect();
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::REFACTOR),
        edit: Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }),
        ..Default::default()
    })
}

/// A refactoring made of a workspace edit (several documents, file operations).
pub fn change_action(title: String, edit: lsp::WorkspaceEdit) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::REFACTOR),
        edit: Some(edit),
        ..Default::default()
    })
}

/// The next entry's heading, replacing the `## v…` typed on its line.
pub fn heading_completion(rope: &Rope, replace: &std::ops::Range<usize>, heading: &str, enc: Encoding) -> lsp::CompletionResponse {
    let item = lsp::CompletionItem {
        label: heading.trim_end().to_string(),
        kind: Some(lsp::CompletionItemKind::SNIPPET),
        detail: Some("Start the next entry".into()),
        filter_text: Some(heading.to_string()),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range: range(rope, replace, enc), new_text: heading.to_string() })),
        ..Default::default()
    };
    lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: false, items: vec![item] })
}

/// What workspace edits the client can apply (`workspace.workspaceEdit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EditCaps {
    /// `documentChanges` (versioned edits, file operations in order).
    pub document_changes: bool,
    /// `resourceOperations` holds `create`.
    pub create: bool,
    /// `resourceOperations` holds `rename`.
    pub rename: bool,
}

impl EditCaps {
    pub fn from_client(caps: &lsp::ClientCapabilities) -> EditCaps {
        let we = caps.workspace.as_ref().and_then(|w| w.workspace_edit.as_ref());
        let ops = we.and_then(|w| w.resource_operations.as_deref()).unwrap_or(&[]);
        let document_changes = we.and_then(|w| w.document_changes).unwrap_or(false);
        // Resource operations exist only in `documentChanges`: a client that
        // lists them applies those (Neovim 0.11 lists `resourceOperations`
        // without `documentChanges: true`, and applies both).
        EditCaps {
            document_changes,
            create: ops.contains(&lsp::ResourceOperationKind::Create),
            rename: ops.contains(&lsp::ResourceOperationKind::Rename),
        }
    }
}

/// A span's range in the negotiated encoding (its positions were computed
/// from the text it came from: no rope needed).
pub fn span_range(s: &ide::change::Span, enc: Encoding) -> lsp::Range {
    let pos = |p: &ide::change::LineCol| lsp::Position {
        line: p.line,
        character: match enc {
            Encoding::Utf8 => p.utf8,
            Encoding::Utf16 => p.utf16,
        },
    };
    lsp::Range { start: pos(&s.start), end: pos(&s.end) }
}

/// A location in a file.
pub fn location(path: &std::path::Path, s: &ide::change::Span, enc: Encoding) -> Option<lsp::Location> {
    Some(lsp::Location { uri: lsp::Uri::from_file_path(path)?, range: span_range(s, enc) })
}

/// Why a change cannot be sent to this client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditRefused {
    /// It creates or renames files and the client cannot.
    FileOperations,
    /// A path has no `file:` URI.
    Path,
}

/// A [`SourceChange`](ide::change::SourceChange) as the client can apply
/// it: `documentChanges` (text edits versioned for open documents, then
/// file operations in order) when it supports them, else `changes`; a change
/// with file operations the client cannot do is refused, never cut down.
pub fn workspace_edit(
    change: &ide::change::SourceChange,
    caps: EditCaps,
    version_of: &dyn Fn(&std::path::Path) -> Option<i32>,
    enc: Encoding,
) -> Result<lsp::WorkspaceEdit, EditRefused> {
    use ide::change::FileOp;
    let uri = |p: &std::path::Path| lsp::Uri::from_file_path(p).ok_or(EditRefused::Path);
    let edits = |es: &[ide::change::Edit]| -> Vec<lsp::TextEdit> {
        es.iter().map(|e| lsp::TextEdit { range: span_range(&e.span, enc), new_text: e.text.clone() }).collect()
    };
    let needs_create = change.ops.iter().any(|o| matches!(o, FileOp::Create { .. }));
    let needs_rename = change.ops.iter().any(|o| matches!(o, FileOp::Rename { .. }));
    if (needs_create && !caps.create) || (needs_rename && !caps.rename) {
        return Err(EditRefused::FileOperations);
    }
    if !caps.document_changes && change.ops.is_empty() {
        let mut changes = HashMap::new();
        for f in &change.files {
            changes.insert(uri(&f.path)?, edits(&f.edits));
        }
        return Ok(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() });
    }
    let mut ops: Vec<lsp::DocumentChangeOperation> = Vec::new();
    for f in &change.files {
        ops.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: uri(&f.path)?, version: version_of(&f.path) },
            edits: edits(&f.edits).into_iter().map(lsp::OneOf::Left).collect(),
        }));
    }
    let never_overwrite = Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(false) });
    for op in &change.ops {
        match op {
            FileOp::Create { path, text } => {
                let u = uri(path)?;
                ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                    uri: u.clone(),
                    options: never_overwrite.clone(),
                    annotation_id: None,
                })));
                if !text.is_empty() {
                    let at = lsp::Range::default();
                    ops.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri: u, version: None },
                        edits: vec![lsp::OneOf::Left(lsp::TextEdit { range: at, new_text: text.clone() })],
                    }));
                }
            }
            FileOp::Rename { from, to } => ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(lsp::RenameFile {
                old_uri: uri(from)?,
                new_uri: uri(to)?,
                options: Some(lsp::RenameFileOptions { overwrite: Some(false), ignore_if_exists: Some(false) }),
                annotation_id: None,
            }))),
        }
    }
    Ok(lsp::WorkspaceEdit { document_changes: Some(lsp::DocumentChanges::Operations(ops)), ..Default::default() })
}

/// `textDocument/definition`'s answer: links when the client takes them,
/// else locations; a target file's range is its referenced lines.
pub fn definition(
    uri: &lsp::Uri,
    rope: &Rope,
    origin: &std::ops::Range<usize>,
    targets: Vec<ide::Target>,
    link_support: bool,
    enc: Encoding,
) -> Option<lsp::GotoDefinitionResponse> {
    let origin = range(rope, origin, enc);
    let mut links = Vec::new();
    for t in targets {
        let (target_uri, target, sel) = match t {
            ide::Target::File { path, lines } => {
                let Some(u) = lsp::Uri::from_file_path(&path) else { continue };
                let (r, sel) = match lines {
                    Some(l) => {
                        let s = lsp::Position { line: l.start.saturating_sub(1), character: 0 };
                        (
                            lsp::Range { start: s, end: lsp::Position { line: l.end, character: 0 } },
                            lsp::Range { start: s, end: lsp::Position { line: l.start, character: 0 } },
                        )
                    }
                    None => (lsp::Range::default(), lsp::Range::default()),
                };
                (u, r, sel)
            }
            ide::Target::Here(r) => {
                let r = range(rope, &r, enc);
                (uri.clone(), r, r)
            }
        };
        links.push(lsp::LocationLink {
            origin_selection_range: Some(origin),
            target_uri,
            target_range: target,
            target_selection_range: sel,
        });
    }
    if links.is_empty() {
        return None;
    }
    Some(if link_support {
        lsp::GotoDefinitionResponse::Link(links)
    } else {
        lsp::GotoDefinitionResponse::Array(links.into_iter().map(|l| lsp::Location { uri: l.target_uri, range: l.target_range }).collect())
    })
}

/// A fold by whole lines; `None` for one within a single line.
pub fn folding_range(rope: &Rope, r: &std::ops::Range<usize>) -> Option<lsp::FoldingRange> {
    let a = rope.byte_to_line(r.start.min(rope.len_bytes()));
    let mut b = rope.byte_to_line(r.end.min(rope.len_bytes()));
    if b > a && rope.line_to_byte(b) == r.end {
        b -= 1; // the range ends at the start of the next line
    }
    (b > a).then(|| lsp::FoldingRange { start_line: a as u32, end_line: b as u32, ..Default::default() })
}

/// A chain of selection ranges, innermost first; an empty chain is the
/// empty range at `at`.
pub fn selection_range(rope: &Rope, chain: &[std::ops::Range<usize>], at: lsp::Position, enc: Encoding) -> lsp::SelectionRange {
    let mut sel: Option<lsp::SelectionRange> = None;
    for r in chain.iter().rev() {
        sel = Some(lsp::SelectionRange { range: range(rope, r, enc), parent: sel.map(Box::new) });
    }
    sel.unwrap_or(lsp::SelectionRange { range: lsp::Range { start: at, end: at }, parent: None })
}
