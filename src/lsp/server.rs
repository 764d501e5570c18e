//! The language server: a host of open documents and workspace roots, and
//! the `LanguageServer` handlers.
//!
//! Concurrency (tower-lsp runs up to four handlers at once and may resume
//! them out of order across `.await` points):
//! - `didOpen`/`didChange`/`didClose` mutate the host synchronously, before
//!   their first `.await`, under a `std::sync::Mutex` never held across one;
//!   what is slow (parsing a whole text, canonicalising its path) is done
//!   before the lock is taken;
//! - requests clone an immutable snapshot under the lock and work on it;
//!   whatever reads the disk (reference checks, previews, resolution) runs on
//!   the blocking pool ([`blocking`]);
//! - diagnostics are published by one task ([`publisher`]) that coalesces
//!   queued changes and publishes each touched document's state at the time
//!   of publishing (its newest version, or nothing once closed);
//! - file-system events are checked on disk and applied to a copy of the
//!   index off the lock ([`apply_fs_events`]), then swapped in;
//! - a panic in a handler becomes an error response (see `super::contain`),
//!   one in the publisher is logged and the publisher goes on.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use ropey::Rope;
use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::files::*;
use super::handlers;
use super::host::*;
use super::publisher::*;
use crate::document::Document;
use crate::workspace::{self, FileIndex};

/// Runs `f` on the blocking pool (disk reads, CPU-bound work); `None` if it
/// panicked (logged).
pub(super) async fn blocking<T: Send + 'static>(what: &'static str, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::error!("{what}: the task failed: {e}");
            None
        }
    }
}

pub struct Server {
    pub(super) client: Client,
    pub(super) host: Arc<Mutex<Host>>,
    pub(super) publish: mpsc::UnboundedSender<Publish>,
    pub(super) index_writer: Arc<Mutex<()>>,
    pub(super) fs_queue: Arc<Mutex<FsQueue>>,
    /// The last semantic tokens of each open document (for deltas).
    pub(super) semantic: Arc<super::semantic::Results>,
}

/// What background tasks need: they must not borrow the server, and the
/// server never awaits a client response inside a handler (a client that
/// stops answering must not keep `exit` from ending the process).
#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) client: Client,
    pub(super) host: Arc<Mutex<Host>>,
    pub(super) publish: mpsc::UnboundedSender<Publish>,
    /// Serialises index replacements (event batches, rebuilds): each one
    /// works on a copy off the host lock and swaps it in.
    pub(super) index_writer: Arc<Mutex<()>>,
    pub(super) fs_queue: Arc<Mutex<FsQueue>>,
}

impl Ctx {
    pub(super) async fn pull_config(&self) {
        if !lock(&self.host).config_pull {
            return;
        }
        let items = vec![ConfigurationItem { scope_uri: None, section: Some("worklog".into()) }];
        if let Ok(mut v) = self.client.configuration(items).await {
            // `null` means "no settings here": keep `initializationOptions`.
            match v.pop() {
                Some(Value::Null) | None => {}
                Some(settings) => self.set_settings(settings).await,
            }
        }
    }

    pub(super) async fn set_settings(&self, settings: Value) {
        let (warnings, reparse) = {
            let mut h = lock(&self.host);
            h.client_settings = settings;
            h.rebuild_configs()
        };
        self.reparse(reparse).await;
        self.warn(warnings).await;
        let _ = self.publish.send(Publish::All);
    }

    /// Parses documents that a raised size cap brought under it, on the
    /// blocking pool, and puts each in place unless it changed meanwhile.
    pub(super) async fn reparse(&self, docs: Vec<(Uri, i32, Rope)>) {
        for (uri, version, rope) in docs {
            let Some(doc) = blocking("reparse", move || Document::new(&rope.to_string())).await else { continue };
            let mut h = lock(&self.host);
            if let Some(d) = h.docs.get_mut(&uri) {
                if d.version == version && matches!(d.text, Text::TooLarge(_)) {
                    d.text = Text::Analysed(doc);
                }
            }
        }
    }

    pub(super) async fn warn(&self, warnings: Vec<String>) {
        for w in warnings {
            self.client.log_message(MessageType::WARNING, &w).await;
            self.client.show_message(MessageType::WARNING, &w).await;
        }
    }

    /// Build one root's index in the background (with work-done progress),
    /// then republish: open logs' bare names are checked once it is there.
    pub(super) fn start_indexing(&self, i: usize) {
        let Some(path) = lock(&self.host).roots.get(i).map(|r| r.path.clone()) else { return };
        // `should_index` looks at the disk: not under the lock.
        if !workspace::should_index(&path) {
            return;
        }
        {
            let mut h = lock(&self.host);
            let Some(r) = h.roots.get_mut(i) else { return };
            if r.path != path {
                return;
            }
            if r.indexing {
                r.index_again = true;
                return;
            }
            r.indexing = true;
        }
        let ctx = self.clone();
        tokio::spawn(async move {
            let client = &ctx.client;
            let token = NumberOrString::String(format!("worklog-index-{i}"));
            let progress = match client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(client.progress(token, "Indexing workspace").with_message(path.display().to_string()).begin().await),
                Err(_) => None,
            };
            let (p, host, writer) = (path.clone(), ctx.host.clone(), ctx.index_writer.clone());
            let n = blocking("index", move || {
                if let Some(delay) = super::hooks::index_delay() {
                    std::thread::sleep(delay);
                }
                let index = Arc::new(FileIndex::build(&p));
                let n = index.len();
                let _writer = writer.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(r) = lock(&host).roots.iter_mut().find(|r| r.path == p) {
                    r.index = Some(index);
                    r.indexing = false;
                }
                n
            })
            .await;
            if n.is_none() {
                if let Some(r) = lock(&ctx.host).roots.iter_mut().find(|r| r.path == path) {
                    r.indexing = false;
                }
            }
            let n = n.unwrap_or(0);
            if let Some(p) = progress {
                p.finish_with_message(format!("{n} files")).await;
            }
            client.log_message(MessageType::INFO, format!("worklog: indexed {n} files in {}", path.display())).await;
            let _ = ctx.publish.send(Publish::All);
            // Then every Work Log of the folder (after the republish: it never delays diagnostics).
            if n > 0 {
                ctx.build_logs(path.clone());
            }
            let again = {
                let mut h = lock(&ctx.host);
                h.roots.iter_mut().position(|r| r.path == path).filter(|&j| std::mem::take(&mut h.roots[j].index_again))
            };
            if let Some(j) = again {
                ctx.start_indexing(j);
            }
        });
    }

    /// After [`Server::apply_fs_events`]: re-read the configuration if it
    /// changed, re-index the roots that need it, republish every document.
    pub(super) async fn after_fs_events(&self, rescan: Vec<usize>) {
        if rescan.contains(&usize::MAX) {
            let (w, reparse) = lock(&self.host).rebuild_configs();
            self.reparse(reparse).await;
            self.warn(w).await;
        }
        for i in rescan.into_iter().filter(|&i| i != usize::MAX) {
            self.start_indexing(i);
        }
        // A code file changed: where referenced lines are now may have too.
        lock(&self.host).history_epoch += 1;
        let _ = self.publish.send(Publish::All);
    }
}

impl Server {
    pub fn new(client: Client) -> Server {
        let host = Arc::new(Mutex::new(Host::default()));
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(publisher(client.clone(), host.clone(), tx.clone(), rx));
        Server { client, host, publish: tx, index_writer: Arc::new(Mutex::new(())), fs_queue: Arc::default(), semantic: Arc::default() }
    }

    /// `worklog/testPanic` (only with `WORKLOG_LS_TEST_HOOKS=1`, see
    /// `super::hooks`): `{"in": "handler"}` panics in this handler,
    /// `{"in": "publisher", "uri": …}` in the publisher's next analysis of
    /// that document.
    pub async fn test_panic(&self, params: Value) -> Result<Value> {
        if !super::hooks::enabled() {
            return Err(tower_lsp_server::jsonrpc::Error::method_not_found());
        }
        match params.get("in").and_then(Value::as_str) {
            Some("handler") => panic!("worklog/testPanic: injected panic in a handler"),
            Some("publisher") => {
                let uri: Option<Uri> = params.get("uri").and_then(Value::as_str).and_then(|u| u.parse().ok());
                let Some(uri) = uri else { return Err(tower_lsp_server::jsonrpc::Error::invalid_params("uri")) };
                self.host().panic_in_publisher.insert(uri.clone());
                let _ = self.publish.send(Publish::Doc(uri));
                Ok(Value::Null)
            }
            _ => Err(tower_lsp_server::jsonrpc::Error::invalid_params("in: handler or publisher")),
        }
    }

    /// Make the project root of the log at `path` a root of its own when it
    /// is not one yet (a `worklog.toml` below the workspace folder, or a
    /// repository when the client named no folder): its index, settings
    /// and matcher then serve that log. The disk is looked at off the lock;
    /// indexing and the settings warnings run in the background.
    pub(super) fn add_project_root(&self, path: Option<&Path>) {
        let Some(path) = path else { return };
        let folder = self.host().folder_for(path);
        let Some(project) = workspace::root::project_root_for(path, folder.as_deref()) else { return };
        if self.host().roots.iter().any(|r| r.path == project) {
            return;
        }
        let mut root = Root::new(project.clone());
        root.folder = false;
        root.toml = workspace::read_config(&project);
        let added = {
            let mut h = self.host();
            if h.roots.iter().any(|r| r.path == project) {
                None
            } else {
                h.roots.push(root);
                let (warnings, reparse) = h.rebuild_configs();
                // Only the new root's warnings are new.
                let mine = format!("{}: ", project.display());
                let warnings: Vec<String> = warnings.into_iter().filter(|w| w.starts_with(&mine)).collect();
                Some((h.roots.len() - 1, warnings, reparse))
            }
        };
        let Some((i, warnings, reparse)) = added else { return };
        let ctx = self.ctx();
        ctx.start_indexing(i);
        tokio::spawn(async move {
            ctx.reparse(reparse).await;
            ctx.warn(warnings).await;
        });
    }

    pub(super) fn host(&self) -> MutexGuard<'_, Host> {
        lock(&self.host)
    }

    pub(super) fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        self.host().snapshot(uri)
    }

    pub(super) fn ctx(&self) -> Ctx {
        Ctx {
            client: self.client.clone(),
            host: self.host.clone(),
            publish: self.publish.clone(),
            index_writer: self.index_writer.clone(),
            fs_queue: self.fs_queue.clone(),
        }
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        handlers::lifecycle::initialize(self, params).await
    }

    async fn initialized(&self, params: InitializedParams) {
        handlers::lifecycle::initialized(self, params).await
    }

    async fn shutdown(&self) -> Result<()> {
        handlers::lifecycle::shutdown(self).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::sync::did_open(self, params).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::sync::did_change(self, params).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::sync::did_close(self, params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::events::did_change_configuration(self, params).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::events::did_change_watched_files(self, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        handlers::completion::completion(self, params).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        handlers::navigation::goto_definition(self, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::navigation::hover(self, params).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        handlers::navigation::document_link(self, params).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        handlers::symbols::document_symbol(self, params).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        handlers::symbols::symbol(self, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        handlers::references::references(self, params).await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        handlers::rename::prepare_rename(self, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        handlers::rename::rename(self, params).await
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        handlers::rename::will_rename_files(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::actions::code_action(self, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        handlers::lens::code_lens(self, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        handlers::commands::execute_command(self, params).await
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        handlers::semantic::full(self, params).await
    }

    async fn semantic_tokens_full_delta(&self, params: SemanticTokensDeltaParams) -> Result<Option<SemanticTokensFullDeltaResult>> {
        handlers::semantic::full_delta(self, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        handlers::structure::folding_range(self, params).await
    }

    async fn selection_range(&self, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
        handlers::structure::selection_range(self, params).await
    }
}
