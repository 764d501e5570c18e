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
    let edits = f
        .edits
        .iter()
        .map(|(r, t)| lsp::TextEdit { range: range(rope, r, enc), new_text: t.clone() })
        .collect();
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
pub fn edit_action(uri: &lsp::Uri, rope: &Rope, title: String, edits: &[crate::handoff::TextEdit], enc: Encoding) -> lsp::CodeActionOrCommand {
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
