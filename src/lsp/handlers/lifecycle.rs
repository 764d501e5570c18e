//! `initialize` (capabilities), `initialized` (indexing, watchers, settings),
//! `shutdown`.

use std::path::PathBuf;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::encoding::Encoding;
use crate::lsp::files::*;
use crate::lsp::from_proto::file_path;
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::lsp::to_proto;
use crate::workspace;

pub(in crate::lsp) async fn initialize(server: &Server, params: InitializeParams) -> Result<InitializeResult> {
    let caps = &params.capabilities;
    let enc = Encoding::negotiate(caps.general.as_ref().and_then(|g| g.position_encodings.as_deref()));
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(folders) = &params.workspace_folders {
        roots.extend(folders.iter().filter_map(|f| file_path(&f.uri)));
    }
    #[allow(deprecated)]
    if roots.is_empty() {
        if let Some(p) = params.root_uri.as_ref().and_then(file_path) {
            roots.push(p);
        }
    }
    // Canonicalise and read `worklog.toml` before taking the lock.
    let roots: Vec<Root> = roots
        .into_iter()
        .map(|p| {
            let mut r = Root::new(workspace::canonical_root(&p));
            r.toml = workspace::read_config(&r.path);
            r
        })
        .collect();
    let warnings = {
        let mut h = server.host();
        h.encoding = Some(enc);
        h.link_support = caps.text_document.as_ref().and_then(|t| t.definition.as_ref()).and_then(|d| d.link_support).unwrap_or(false);
        h.config_pull = caps.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false);
        h.watch_dynamic =
            caps.workspace.as_ref().and_then(|w| w.did_change_watched_files.as_ref()).and_then(|d| d.dynamic_registration).unwrap_or(false);
        h.edit_caps = to_proto::EditCaps::from_client(caps);
        h.roots = roots;
        if let Some(opts) = params.initialization_options.clone() {
            h.client_settings = opts.get("worklog").cloned().unwrap_or(opts);
        }
        h.rebuild_configs().0
    };
    server.ctx().warn(warnings).await;
    Ok(InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(enc.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            })),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(["`", "/", "[", "(", ":", ".", "-", "*", "#"].map(String::from).to_vec()),
                ..Default::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            document_link_provider: Some(DocumentLinkOptions {
                resolve_provider: Some(false),
                work_done_progress_options: Default::default(),
            }),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR]),
                ..Default::default()
            })),
            code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
            semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                legend: crate::lsp::semantic::legend(),
                full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                range: None,
                work_done_progress_options: Default::default(),
            })),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![to_proto::HANDOFF_COMMAND.into(), to_proto::STATUS_COMMAND.into(), to_proto::SHARED_COMMAND.into()],
                work_done_progress_options: Default::default(),
            }),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities { supported: Some(true), change_notifications: None }),
                // Every file and folder: a renamed source file or folder
                // moves the references of every log to it.
                file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                    will_rename: Some(FileOperationRegistrationOptions {
                        filters: vec![FileOperationFilter {
                            scheme: Some("file".into()),
                            pattern: FileOperationPattern { glob: "**/*".into(), matches: None, options: None },
                        }],
                    }),
                    ..Default::default()
                }),
            }),
            ..Default::default()
        },
        server_info: Some(ServerInfo { name: "worklog-ls".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
        offset_encoding: None,
    })
}

pub(in crate::lsp) async fn initialized(server: &Server, _: InitializedParams) {
    let (n, dynamic) = {
        let h = server.host();
        (h.roots.len(), h.watch_dynamic)
    };
    let ctx = server.ctx();
    for i in 0..n {
        ctx.start_indexing(i);
    }
    tokio::spawn(async move {
        if dynamic {
            let opts = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher { glob_pattern: GlobPattern::String("**/*".into()), kind: None }],
            };
            let reg = Registration {
                id: "worklog-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(opts).ok(),
            };
            if ctx.client.register_capability(vec![reg]).await.is_err() {
                start_server_watchers(&ctx);
            }
        } else {
            start_server_watchers(&ctx);
        }
        ctx.pull_config().await;
    });
}

pub(in crate::lsp) async fn shutdown(server: &Server) -> Result<()> {
    // Stopping a watcher joins its thread: not under the lock.
    let watchers: Vec<_> = server.host().roots.iter_mut().filter_map(|r| r._watch.take()).collect();
    drop(watchers);
    Ok(())
}
