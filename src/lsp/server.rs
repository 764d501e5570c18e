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

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use ropey::Rope;
use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, *};
use tower_lsp_server::{Client, LanguageServer};

use super::encoding::{self, Encoding};
use super::to_proto;
use crate::analysis::{self, facts::FileFacts};
use crate::config::Config;
use crate::document::Document;
use crate::handoff;
use crate::ide::{self, completion};
use crate::workspace::{self, FileIndex, LineCache, PathMatcher, WorkspaceFacts};

/// Completion list cap.
const COMPLETION_LIMIT: usize = 50;
/// Hover preview cap, in lines.
const PREVIEW_LINES: usize = 30;
/// `selectionRange`: positions answered with trees (later ones get their
/// own empty range), and distinct entries whose trees are built per request.
const SELECTION_POSITIONS: usize = 256;
const SELECTION_CHUNKS: usize = 16;

/// Runs `f` on the blocking pool (disk reads, CPU-bound work); `None` if it
/// panicked (logged).
async fn blocking<T: Send + 'static>(what: &'static str, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::error!("{what}: the task failed: {e}");
            None
        }
    }
}

/// The file path of a `file:` URI; other schemes (`untitled:`, `https:`,
/// notebook cells) have none, so they get no disk features.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// A buffer's text: analysed, or kept as a plain rope when over the cap.
#[derive(Clone)]
enum Text {
    Analysed(Document),
    TooLarge(Rope),
}

impl Text {
    fn len(&self) -> usize {
        match self {
            Text::Analysed(doc) => doc.len(),
            Text::TooLarge(rope) => rope.len_bytes(),
        }
    }

    fn new(s: &str, cap: u64) -> Text {
        if s.len() as u64 > cap {
            Text::TooLarge(Rope::from_str(s))
        } else {
            Text::Analysed(Document::new(s))
        }
    }
}

#[derive(Clone)]
struct OpenDoc {
    version: i32,
    text: Text,
    path: Option<PathBuf>,
}

/// One project root: a workspace folder, or a log's project root found
/// inside one (the nearest `worklog.toml`, format contract §3) or without
/// one (the nearest `worklog.toml` or `.git`). Every request on a log uses
/// its deepest root, so completion, resolution and settings agree with
/// `worklog-ls check` on the same log.
struct Root {
    path: PathBuf,
    /// A workspace folder named by the client (else a project root found
    /// for an opened log).
    folder: bool,
    /// `None` until the background walk is done (or in single-file mode).
    index: Option<Arc<FileIndex>>,
    indexing: bool,
    /// A rebuild was asked for while one ran (it may have walked the disk
    /// before the change): build once more when it ends.
    index_again: bool,
    lines: Arc<LineCache>,
    matcher: Arc<PathMatcher>,
    /// `worklog.toml` merged over the defaults, client settings over that.
    config: Arc<Config>,
    toml: Option<String>,
    _watch: Option<workspace::WatchHandle>,
}

impl Root {
    fn new(path: PathBuf) -> Root {
        Root {
            path,
            folder: true,
            index: None,
            indexing: false,
            index_again: false,
            lines: Arc::new(LineCache::new(crate::config::DEFAULT_MAX_FILE_SIZE)),
            matcher: Arc::new(PathMatcher::new()),
            config: Arc::new(Config::default()),
            toml: None,
            _watch: None,
        }
    }
}

#[derive(Default)]
struct Host {
    docs: HashMap<Uri, OpenDoc>,
    roots: Vec<Root>,
    client_settings: Value,
    default_config: Arc<Config>,
    encoding: Option<Encoding>,
    link_support: bool,
    config_pull: bool,
    watch_dynamic: bool,
    /// Test hook (`worklog/testPanic`): documents whose next analysis in
    /// the publisher panics.
    panic_in_publisher: HashSet<Uri>,
}

/// Everything a request needs, cloned out of the host.
struct Snapshot {
    version: i32,
    text: Text,
    path: Option<PathBuf>,
    config: Arc<Config>,
    facts: Option<WorkspaceFacts>,
    root: Option<PathBuf>,
    index: Option<Arc<FileIndex>>,
    matcher: Option<Arc<PathMatcher>>,
    encoding: Encoding,
    /// The root's first index is being built.
    indexing: bool,
}

impl Snapshot {
    fn facts(&self) -> &dyn FileFacts {
        match &self.facts {
            Some(f) => f,
            None => &analysis::facts::NoFacts,
        }
    }
}

impl Host {
    fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    /// The workspace folder holding `path` (the deepest one). Roots are
    /// canonical, and so are document paths (made so once, at `didOpen`).
    fn root_for(&self, path: Option<&Path>) -> Option<&Root> {
        let path = path?;
        self.roots.iter().filter(|r| path.starts_with(&r.path)).max_by_key(|r| r.path.as_os_str().len())
    }

    /// The workspace folder holding `path` (the deepest one), if any.
    fn folder_for(&self, path: &Path) -> Option<PathBuf> {
        self.roots.iter().filter(|r| r.folder && path.starts_with(&r.path)).max_by_key(|r| r.path.as_os_str().len()).map(|r| r.path.clone())
    }

    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let d = self.docs.get(uri)?;
        let root = self.root_for(d.path.as_deref());
        Some(Snapshot {
            version: d.version,
            text: d.text.clone(),
            path: d.path.clone(),
            config: root.map_or_else(|| self.default_config.clone(), |r| r.config.clone()),
            // Roots are canonical: no IO under the lock.
            facts: root.map(|r| WorkspaceFacts::for_canonical_root(&r.path, r.index.clone(), r.lines.clone())),
            root: root.map(|r| r.path.clone()),
            index: root.and_then(|r| r.index.clone()),
            matcher: root.map(|r| r.matcher.clone()),
            encoding: self.encoding(),
            indexing: root.is_some_and(|r| r.index.is_none() && r.indexing),
        })
    }

    fn cap_for(&self, path: Option<&Path>) -> u64 {
        self.root_for(path).map_or(self.default_config.max_file_size, |r| r.config.max_file_size)
    }

    /// Recompute every root's config from its `worklog.toml` and the client
    /// settings. Returns warnings, and the documents now under their size
    /// cap, to be parsed off the lock ([`Ctx::reparse`]).
    fn rebuild_configs(&mut self) -> (Vec<String>, Vec<(Uri, i32, Rope)>) {
        let mut warnings = Vec::new();
        let mut base = Config::default();
        warnings.extend(base.apply_json(&self.client_settings));
        self.default_config = Arc::new(base);
        for r in &mut self.roots {
            let mut c = Config::default();
            if let Some(t) = &r.toml {
                warnings.extend(c.apply_toml(t).into_iter().map(|w| format!("{}: {w}", r.path.display())));
            }
            c.apply_json(&self.client_settings);
            r.config = Arc::new(c);
        }
        // A new size cap applies to the open documents too.
        let caps: Vec<(Uri, u64)> = self.docs.iter().map(|(u, d)| (u.clone(), self.cap_for(d.path.as_deref()))).collect();
        let mut reparse = Vec::new();
        for (u, cap) in caps {
            if let Some(d) = self.docs.get_mut(&u) {
                match &d.text {
                    Text::Analysed(doc) if doc.len() as u64 > cap => d.text = Text::TooLarge(doc.rope().clone()),
                    Text::TooLarge(rope) if rope.len_bytes() as u64 <= cap => reparse.push((u, d.version, rope.clone())),
                    _ => {}
                }
            }
        }
        warnings.sort();
        warnings.dedup();
        (warnings, reparse)
    }
}

/// File events reported by the client, waiting to be applied: one task
/// drains them in batches (a client that sends one notification per file
/// costs one index copy per batch, not per file).
#[derive(Default)]
struct FsQueue {
    events: Vec<workspace::FsEvent>,
    draining: bool,
}

fn lock_queue(m: &Mutex<FsQueue>) -> MutexGuard<'_, FsQueue> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the publisher is asked to do.
enum Publish {
    Doc(Uri),
    All,
    Clear(Uri),
}

pub struct Server {
    client: Client,
    host: Arc<Mutex<Host>>,
    publish: mpsc::UnboundedSender<Publish>,
    index_writer: Arc<Mutex<()>>,
    fs_queue: Arc<Mutex<FsQueue>>,
}

/// What background tasks need: they must not borrow the server, and the
/// server never awaits a client response inside a handler (a client that
/// stops answering must not keep `exit` from ending the process).
#[derive(Clone)]
struct Ctx {
    client: Client,
    host: Arc<Mutex<Host>>,
    publish: mpsc::UnboundedSender<Publish>,
    /// Serialises index replacements (event batches, rebuilds): each one
    /// works on a copy off the host lock and swaps it in.
    index_writer: Arc<Mutex<()>>,
    fs_queue: Arc<Mutex<FsQueue>>,
}

impl Ctx {
    async fn pull_config(&self) {
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

    async fn set_settings(&self, settings: Value) {
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
    async fn reparse(&self, docs: Vec<(Uri, i32, Rope)>) {
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

    async fn warn(&self, warnings: Vec<String>) {
        for w in warnings {
            self.client.log_message(MessageType::WARNING, &w).await;
            self.client.show_message(MessageType::WARNING, &w).await;
        }
    }

    /// Build one root's index in the background (with work-done progress),
    /// then republish: open logs' bare names are checked once it is there.
    fn start_indexing(&self, i: usize) {
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
    async fn after_fs_events(&self, rescan: Vec<usize>) {
        if rescan.contains(&usize::MAX) {
            let (w, reparse) = lock(&self.host).rebuild_configs();
            self.reparse(reparse).await;
            self.warn(w).await;
        }
        for i in rescan.into_iter().filter(|&i| i != usize::MAX) {
            self.start_indexing(i);
        }
        let _ = self.publish.send(Publish::All);
    }
}

impl Server {
    pub fn new(client: Client) -> Server {
        let host = Arc::new(Mutex::new(Host::default()));
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(publisher(client.clone(), host.clone(), rx));
        Server { client, host, publish: tx, index_writer: Arc::new(Mutex::new(())), fs_queue: Arc::default() }
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
    fn add_project_root(&self, path: Option<&Path>) {
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

    fn host(&self) -> MutexGuard<'_, Host> {
        lock(&self.host)
    }

    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        self.host().snapshot(uri)
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            client: self.client.clone(),
            host: self.host.clone(),
            publish: self.publish.clone(),
            index_writer: self.index_writer.clone(),
            fs_queue: self.fs_queue.clone(),
        }
    }
}

/// Apply file system changes (from the client or our own watcher; call it
/// on a blocking thread): line counts invalidated, the index updated (each
/// event is checked on disk and against the ignore rules by the workspace
/// module), the config re-read when `worklog.toml` changed. All disk access
/// and the O(n) copy of the index happen off the host lock, which is taken
/// only to read the roots and to swap the results in. Returns the roots to
/// re-index (`usize::MAX`: the configuration changed).
fn apply_fs_events(host: &Mutex<Host>, writer: &Mutex<()>, events: Vec<workspace::FsEvent>) -> Vec<usize> {
    let _writer = writer.lock().unwrap_or_else(|e| e.into_inner());
    let roots: Vec<(PathBuf, Option<Arc<FileIndex>>, Arc<LineCache>)> =
        lock(host).roots.iter().map(|r| (r.path.clone(), r.index.clone(), r.lines.clone())).collect();
    let mut rescan = Vec::new();
    // (root, new `worklog.toml` text if it changed, new index if it changed)
    type Update = (usize, Option<Option<String>>, Option<Arc<FileIndex>>);
    let mut updates: Vec<Update> = Vec::new();
    for (i, (root, index, lines)) in roots.into_iter().enumerate() {
        let mut toml = None;
        for ev in &events {
            let path = match ev {
                workspace::FsEvent::Created(p) | workspace::FsEvent::Removed(p) | workspace::FsEvent::Changed(p) => p,
                workspace::FsEvent::Rescan => {
                    rescan.push(i);
                    continue;
                }
            };
            if toml.is_none() && workspace::to_relative(&root, path).as_deref() == Some("worklog.toml") {
                toml = Some(workspace::read_config(&root));
                rescan.push(usize::MAX);
            }
            lines.invalidate(path);
        }
        let mut new_index = None;
        if let Some(index) = index {
            let plan = workspace::plan_events(index.root(), &events);
            if plan.rescan {
                rescan.push(i);
            }
            if !plan.is_empty() {
                let mut copy = (*index).clone();
                copy.apply_plan(&plan);
                new_index = Some(Arc::new(copy));
            }
        }
        if toml.is_some() || new_index.is_some() {
            updates.push((i, toml, new_index));
        }
    }
    if !updates.is_empty() {
        let mut h = lock(host);
        for (i, toml, index) in updates {
            let Some(r) = h.roots.get_mut(i) else { continue };
            if let Some(t) = toml {
                r.toml = t;
            }
            if let Some(index) = index {
                r.index = Some(index);
            }
        }
    }
    rescan.sort_unstable();
    rescan.dedup();
    rescan
}

fn lock(m: &Mutex<Host>) -> MutexGuard<'_, Host> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The whole text of a buffer.
fn text_of(t: &Text) -> String {
    match t {
        Text::Analysed(doc) => doc.rope().to_string(),
        Text::TooLarge(rope) => rope.to_string(),
    }
}

/// `path` with its folder canonicalised (the file itself may not exist yet).
fn canonical_file(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => workspace::canonical_root(dir).join(name),
        _ => path.to_path_buf(),
    }
}

/// Where "Start the next entry" is offered: on the frontmatter, on an entry
/// heading's line, or on the last non-blank line of the log (or after it).
fn at_next_entry_place(doc: &Document, off: usize) -> bool {
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
fn next_entry_actions(uri: &Uri, doc: &Document, enc: Encoding) -> Vec<CodeActionOrCommand> {
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

/// Frees a document on the blocking pool: a 5,000-entry log takes ~4 ms to
/// free, which would otherwise delay the next message (often the next
/// `didOpen`).
fn drop_elsewhere(doc: Option<OpenDoc>) {
    if let Some(doc) = doc {
        if doc.text.len() > 1 << 20 {
            tokio::task::spawn_blocking(move || drop(doc));
        }
    }
}

/// What the publisher computed for one document.
enum Outcome {
    Diagnostics(Vec<Diagnostic>),
    TooLarge(Vec<Diagnostic>),
}

/// Diagnostics of one snapshot (reads the disk for reference checks: call
/// it on the blocking pool).
fn compute_diagnostics(snap: &Snapshot) -> Outcome {
    match &snap.text {
        Text::TooLarge(rope) => {
            let d = analysis::too_large(rope.len_bytes(), snap.config.max_file_size);
            Outcome::TooLarge(vec![to_proto::diagnostic(rope, &d, snap.encoding)])
        }
        Text::Analysed(doc) => {
            let cx = analysis::Context { config: &snap.config, path: snap.path.as_deref(), facts: snap.facts() };
            Outcome::Diagnostics(
                analysis::diagnostics(doc, &cx).iter().map(|d| to_proto::diagnostic(doc.rope(), d, snap.encoding)).collect(),
            )
        }
    }
}

/// The one task that publishes diagnostics. It drains what was queued
/// meanwhile, keeps each document once in order of first arrival, and
/// publishes the state of each at the time of publishing: an open document's
/// newest version, or an empty list for a closed one. So a close and a
/// reopen queued together publish the reopened document (the state decides,
/// not the kinds of the queued requests). The analysis runs on the blocking
/// pool; a panic there is logged and that document skipped, and the task
/// goes on.
async fn publisher(client: Client, host: Arc<Mutex<Host>>, mut rx: mpsc::UnboundedReceiver<Publish>) {
    let mut warned_large: HashSet<Uri> = HashSet::new();
    let mut trim_due: Option<tokio::time::Instant> = None;
    loop {
        let next = match trim_due {
            Some(due) => tokio::select! {
                p = rx.recv() => p,
                _ = tokio::time::sleep_until(due) => {
                    trim_due = None;
                    tokio::task::spawn_blocking(trim_heap);
                    continue;
                }
            },
            None => rx.recv().await,
        };
        let Some(first) = next else { break };
        let mut order: Vec<Uri> = Vec::new();
        let mut queued: HashSet<Uri> = HashSet::new();
        let mut all = false;
        let mut take = |p: Publish| match p {
            Publish::Doc(u) | Publish::Clear(u) => {
                if queued.insert(u.clone()) {
                    order.push(u);
                }
            }
            Publish::All => all = true,
        };
        take(first);
        while let Ok(p) = rx.try_recv() {
            take(p);
        }
        if all {
            let mut open: Vec<Uri> = lock(&host).docs.keys().filter(|u| !queued.contains(*u)).cloned().collect();
            open.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            order.extend(open);
        }
        let mut closed_any = false;
        for uri in order {
            let (snap, inject) = {
                let mut h = lock(&host);
                let inject = h.panic_in_publisher.remove(&uri);
                (h.snapshot(&uri), inject)
            };
            let Some(snap) = snap else {
                closed_any = true;
                warned_large.remove(&uri);
                client.publish_diagnostics(uri, Vec::new(), None).await;
                continue;
            };
            let version = snap.version;
            let outcome = tokio::task::spawn_blocking(move || {
                if inject {
                    panic!("worklog/testPanic: injected panic in the publisher");
                }
                compute_diagnostics(&snap)
            })
            .await;
            let diags = match outcome {
                Ok(Outcome::Diagnostics(d)) => {
                    warned_large.remove(&uri);
                    d
                }
                Ok(Outcome::TooLarge(d)) => {
                    if warned_large.insert(uri.clone()) {
                        client
                            .log_message(MessageType::INFO, format!("worklog: {} is over the size cap; not analysed", uri.as_str()))
                            .await;
                    }
                    d
                }
                Err(e) => {
                    let msg = format!("worklog: diagnostics of {} failed: {e}", uri.as_str());
                    tracing::error!("{msg}");
                    client.log_message(MessageType::ERROR, msg).await;
                    continue;
                }
            };
            client.publish_diagnostics(uri, diags, Some(version)).await;
        }
        if closed_any {
            // Documents were closed: hand freed memory back to the system
            // once closing has paused for a moment (glibc keeps it
            // otherwise; RSS stayed at its peak).
            trim_due = Some(tokio::time::Instant::now() + std::time::Duration::from_millis(300));
        }
    }
}

/// Returns free heap memory to the system where the allocator keeps it.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
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
            let mut h = self.host();
            h.encoding = Some(enc);
            h.link_support = caps.text_document.as_ref().and_then(|t| t.definition.as_ref()).and_then(|d| d.link_support).unwrap_or(false);
            h.config_pull = caps.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false);
            h.watch_dynamic = caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false);
            h.roots = roots;
            if let Some(opts) = params.initialization_options.clone() {
                h.client_settings = opts.get("worklog").cloned().unwrap_or(opts);
            }
            h.rebuild_configs().0
        };
        self.ctx().warn(warnings).await;
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
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR]),
                    ..Default::default()
                })),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![to_proto::HANDOFF_COMMAND.into(), to_proto::STATUS_COMMAND.into()],
                    work_done_progress_options: Default::default(),
                }),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities { supported: Some(true), change_notifications: None }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo { name: "worklog-ls".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let (n, dynamic) = {
            let h = self.host();
            (h.roots.len(), h.watch_dynamic)
        };
        let ctx = self.ctx();
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

    async fn shutdown(&self) -> Result<()> {
        // Stopping a watcher joins its thread: not under the lock.
        let watchers: Vec<_> = self.host().roots.iter_mut().filter_map(|r| r._watch.take()).collect();
        drop(watchers);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        {
            // Canonical (symlinked folders resolved) so that the log's root
            // and relative references are found without IO later on. The
            // path and the parse are made before the lock is taken.
            let path = file_path(&d.uri).map(|p| canonical_file(&p));
            self.add_project_root(path.as_deref());
            let cap = self.host().cap_for(path.as_deref());
            let text = Text::new(&d.text, cap);
            let mut h = self.host();
            // The cap may have changed meanwhile (a settings change).
            let text = match text {
                Text::Analysed(doc) if doc.len() as u64 > h.cap_for(path.as_deref()) => Text::TooLarge(doc.rope().clone()),
                Text::TooLarge(_) if d.text.len() as u64 <= h.cap_for(path.as_deref()) => Text::Analysed(Document::new(&d.text)),
                t => t,
            };
            let replaced = h.docs.insert(d.uri.clone(), OpenDoc { version: d.version, text, path });
            drop(h);
            drop_elsewhere(replaced);
        }
        let _ = self.publish.send(Publish::Doc(d.uri));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let mut changes = params.content_changes;
        // A whole-text replacement makes the earlier changes moot: parse it
        // before taking the lock (edits by range are cheap, made under it).
        let mut replaced: Option<(Text, u64)> = None;
        if let Some(last_full) = changes.iter().rposition(|c| c.range.is_none()) {
            let cap = {
                let h = self.host();
                let path = h.docs.get(&uri).and_then(|d| d.path.clone());
                h.cap_for(path.as_deref())
            };
            let rest = changes.split_off(last_full + 1);
            let full = changes.pop().map(|c| c.text).unwrap_or_default();
            replaced = Some((Text::new(&full, cap), cap));
            changes = rest;
        }
        let mut previous: Option<Text> = None;
        {
            let mut h = self.host();
            let enc = h.encoding();
            let path = h.docs.get(&uri).and_then(|d| d.path.clone());
            let cap = h.cap_for(path.as_deref());
            let Some(doc) = h.docs.get_mut(&uri) else { return };
            doc.version = params.text_document.version;
            if let Some((text, parsed_cap)) = replaced {
                let text = if parsed_cap == cap { text } else { Text::new(&text_of(&text), cap) };
                // The replaced document is freed after the lock (below).
                previous = Some(std::mem::replace(&mut doc.text, text));
            }
            for ch in changes {
                match ch.range {
                    None => doc.text = Text::new(&ch.text, cap),
                    Some(r) => match &mut doc.text {
                        Text::Analysed(d) => {
                            let s = encoding::offset(d.rope(), r.start, enc);
                            let e = encoding::offset(d.rope(), r.end, enc).max(s);
                            d.edit(s..e, &ch.text);
                            if d.len() as u64 > cap {
                                doc.text = Text::TooLarge(d.rope().clone());
                            }
                        }
                        Text::TooLarge(rope) => {
                            let s = encoding::offset(rope, r.start, enc);
                            let e = encoding::offset(rope, r.end, enc).max(s);
                            let (cs, ce) = (rope.byte_to_char(s), rope.byte_to_char(e));
                            rope.remove(cs..ce);
                            rope.insert(cs, &ch.text);
                            if rope.len_bytes() as u64 <= cap {
                                doc.text = Text::Analysed(Document::new(&rope.to_string()));
                            }
                        }
                    },
                }
            }
        }
        if let Some(text) = previous {
            if text.len() > 1 << 20 {
                tokio::task::spawn_blocking(move || drop(text));
            }
        }
        let _ = self.publish.send(Publish::Doc(uri));
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = self.host().docs.remove(&uri);
        drop_elsewhere(closed);
        let _ = self.publish.send(Publish::Clear(uri));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let ctx = self.ctx();
        if self.host().config_pull {
            tokio::spawn(async move { ctx.pull_config().await });
        } else {
            let s = params.settings.get("worklog").cloned().unwrap_or(params.settings);
            ctx.set_settings(s).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let events: Vec<workspace::FsEvent> = params
            .changes
            .into_iter()
            .filter_map(|c| {
                let p = file_path(&c.uri)?;
                Some(match c.typ {
                    FileChangeType::CREATED => workspace::FsEvent::Created(p),
                    FileChangeType::DELETED => workspace::FsEvent::Removed(p),
                    _ => workspace::FsEvent::Changed(p),
                })
            })
            .collect();
        let ctx = self.ctx();
        {
            let mut q = lock_queue(&ctx.fs_queue);
            q.events.extend(events);
            if q.draining {
                return;
            }
            q.draining = true;
        }
        tokio::spawn(async move {
            loop {
                let events = {
                    let mut q = lock_queue(&ctx.fs_queue);
                    if q.events.is_empty() {
                        q.draining = false;
                        return;
                    }
                    std::mem::take(&mut q.events)
                };
                let (host, writer) = (ctx.host.clone(), ctx.index_writer.clone());
                if let Some(rescan) = blocking("file events", move || apply_fs_events(&host, &writer, events)).await {
                    ctx.after_fs_events(rescan).await;
                }
            }
        });
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let tdp = params.text_document_position;
        let Some(s) = self.snapshot(&tdp.text_document.uri) else { return Ok(None) };
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

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let tdp = params.text_document_position_params;
        let uri = tdp.text_document.uri;
        let (Some(s), link_support) = (self.snapshot(&uri), self.host().link_support) else { return Ok(None) };
        // Resolution reads the disk: on the blocking pool.
        let r = blocking("definition", move || {
            let Text::Analysed(doc) = &s.text else { return None };
            let offset = encoding::offset(doc.rope(), tdp.position, s.encoding);
            let (origin, targets) = ide::definition(doc, offset, s.path.as_deref(), s.facts())?;
            let origin = encoding::range(doc.rope(), &origin, s.encoding);
            let mut links = Vec::new();
            for t in targets {
                let (target_uri, range, sel) = match t {
                    ide::Target::File { path, lines } => {
                        let Some(u) = Uri::from_file_path(&path) else { continue };
                        let (r, sel) = match lines {
                            Some(l) => {
                                let s = Position { line: l.start - 1, character: 0 };
                                (
                                    lsp::Range { start: s, end: Position { line: l.end, character: 0 } },
                                    lsp::Range { start: s, end: Position { line: l.start, character: 0 } },
                                )
                            }
                            None => (lsp::Range::default(), lsp::Range::default()),
                        };
                        (u, r, sel)
                    }
                    ide::Target::Here(r) => {
                        let r = encoding::range(doc.rope(), &r, s.encoding);
                        (uri.clone(), r, r)
                    }
                };
                links.push(LocationLink {
                    origin_selection_range: Some(origin),
                    target_uri,
                    target_range: range,
                    target_selection_range: sel,
                });
            }
            if links.is_empty() {
                return None;
            }
            Some(if link_support {
                GotoDefinitionResponse::Link(links)
            } else {
                GotoDefinitionResponse::Array(links.into_iter().map(|l| Location { uri: l.target_uri, range: l.target_range }).collect())
            })
        })
        .await;
        Ok(r.flatten())
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let tdp = params.text_document_position_params;
        let Some(s) = self.snapshot(&tdp.text_document.uri) else { return Ok(None) };
        // Resolution and previews read the disk: on the blocking pool.
        let r = blocking("hover", move || {
            let Text::Analysed(doc) = &s.text else { return None };
            let offset = encoding::offset(doc.rope(), tdp.position, s.encoding);
            let h = ide::hover(doc, offset, s.path.as_deref(), s.facts())?;
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
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: md }),
                range: Some(encoding::range(doc.rope(), &range, s.encoding)),
            })
        })
        .await;
        Ok(r.flatten())
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let Some(s) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
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

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(s) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let Text::Analysed(doc) = &s.text else { return Ok(None) };
        let syms = ide::symbols(doc).iter().map(|x| to_proto::symbol(doc.rope(), x, s.encoding)).collect();
        Ok(Some(DocumentSymbolResponse::Nested(syms)))
    }

    /// Entries of the open logs by version or title words (the outline of a
    /// long log groups its older entries; this reaches every one).
    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        const LIMIT: usize = 128;
        let (docs, enc) = {
            let h = self.host();
            let mut docs: Vec<(Uri, Document, Option<String>)> = h
                .docs
                .iter()
                .filter_map(|(uri, d)| match &d.text {
                    Text::Analysed(doc) => {
                        let name = d.path.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
                        Some((uri.clone(), doc.clone(), name))
                    }
                    Text::TooLarge(_) => None,
                })
                .collect();
            docs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            (docs, h.encoding())
        };
        let mut out = Vec::new();
        for (uri, doc, container) in &docs {
            for sym in ide::entry_symbols(doc, &params.query, LIMIT - out.len()) {
                out.push(to_proto::workspace_symbol(uri, doc.rope(), &sym, container.clone(), enc));
            }
            if out.len() >= LIMIT {
                break;
            }
        }
        Ok(Some(WorkspaceSymbolResponse::Nested(out)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(s) = self.snapshot(&uri) else { return Ok(None) };
        let r = blocking("codeAction", move || {
            let Text::Analysed(doc) = &s.text else { return None };
            let rope = doc.rope();
            let off = |p: Position| encoding::offset(rope, p, s.encoding);
            let r = off(params.range.start)..off(params.range.end);
            let cx = analysis::Context { config: &s.config, path: s.path.as_deref(), facts: s.facts() };
            let diags = analysis::diagnostics(doc, &cx);
            // The diagnostics under the cursor, and every diagnostic the
            // client lists in the context (e.g. the whole marked line).
            let mut wanted: Vec<usize> =
                (0..diags.len()).filter(|&i| diags[i].range.start <= r.end && r.start <= diags[i].range.end).collect();
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
            }
            Some(actions)
        })
        .await;
        Ok(r.flatten())
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(s) = self.snapshot(&uri) else { return Ok(None) };
        // No IO, but one pass over every entry's Next items (a lens per
        // entry: 5,000 for the largest logs): on the blocking pool.
        let r = blocking("codeLens", move || {
            let Text::Analysed(doc) = &s.text else { return None };
            if !analysis::recognise(doc, &s.config, s.path.as_deref()).is_log() {
                return Some(Vec::new());
            }
            Some(handoff::status::lenses(doc).iter().map(|l| to_proto::lens(&uri, doc.rope(), l, s.encoding)).collect())
        })
        .await;
        Ok(r.flatten())
    }

    /// `worklog.handoff [uri, keep?]` → `{text, bytes, tokens, tokenizer}`;
    /// `worklog.status [uri]` → `{line, lens, status}`. Computed from the open
    /// document's current text; never waits on the client.
    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        use tower_lsp_server::jsonrpc::Error;
        let args = params.arguments;
        let uri: Option<Uri> = args.first().and_then(Value::as_str).and_then(|u| u.parse().ok());
        let Some(uri) = uri else { return Err(Error::invalid_params("the first argument must be the URI of an open document")) };
        let Some(s) = self.snapshot(&uri) else { return Err(Error::invalid_params(format!("{} is not open", uri.as_str()))) };
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
            other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
        }
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(s) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let Text::Analysed(doc) = &s.text else { return Ok(None) };
        let rope = doc.rope();
        let out = ide::folding(doc)
            .into_iter()
            .filter_map(|r| {
                let a = rope.byte_to_line(r.start.min(rope.len_bytes()));
                let mut b = rope.byte_to_line(r.end.min(rope.len_bytes()));
                if b > a && rope.line_to_byte(b) == r.end {
                    b -= 1; // the range ends at the start of the next line
                }
                (b > a).then(|| FoldingRange { start_line: a as u32, end_line: b as u32, ..Default::default() })
            })
            .collect();
        Ok(Some(out))
    }

    async fn selection_range(&self, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri;
        let Some(s) = self.snapshot(&uri) else { return Ok(None) };
        // Trees are built on this request's own copy of the document (the
        // host is not mutated), on the blocking pool, for at most
        // SELECTION_CHUNKS entries and SELECTION_POSITIONS positions; later
        // positions get their own empty range.
        let r = blocking("selectionRange", move || {
            let Text::Analysed(mut doc) = s.text else { return None };
            let enc = s.encoding;
            let positions = params.positions;
            let mut built: HashSet<usize> = HashSet::new();
            let mut answered = 0;
            for p in positions.iter().take(SELECTION_POSITIONS) {
                let off = encoding::offset(doc.rope(), *p, enc);
                let i = doc.chunk_index(off);
                if !built.contains(&i) {
                    if built.len() == SELECTION_CHUNKS {
                        break;
                    }
                    doc.ensure_trees(i);
                    built.insert(i);
                }
                answered += 1;
            }
            let out = positions
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let mut sel: Option<SelectionRange> = None;
                    if k < answered {
                        let off = encoding::offset(doc.rope(), *p, enc);
                        for r in ide::selection(&doc, off).iter().rev() {
                            sel = Some(SelectionRange { range: encoding::range(doc.rope(), r, enc), parent: sel.map(Box::new) });
                        }
                    }
                    sel.unwrap_or(SelectionRange { range: lsp::Range { start: *p, end: *p }, parent: None })
                })
                .collect();
            Some(out)
        })
        .await;
        Ok(r.flatten())
    }
}

/// A server-side watcher per root, for clients that cannot watch files.
/// (inotify registers its watches synchronously: off the async workers.)
fn start_server_watchers(ctx: &Ctx) {
    let handle = tokio::runtime::Handle::current();
    let roots: Vec<PathBuf> = lock(&ctx.host).roots.iter().map(|r| r.path.clone()).filter(|p| workspace::should_index(p)).collect();
    for root in roots {
        let ctx = ctx.clone();
        let handle = handle.clone();
        tokio::task::spawn_blocking(move || {
            let host = ctx.host.clone();
            let w = workspace::watch(&root, move |events| {
                // On the watcher's thread: the disk checks of the events.
                let rescan = apply_fs_events(&ctx.host, &ctx.index_writer, events);
                let ctx = ctx.clone();
                handle.spawn(async move { ctx.after_fs_events(rescan).await });
            });
            let mut h = lock(&host);
            if let Some(r) = h.roots.iter_mut().find(|r| r.path == root) {
                r._watch = w;
            }
        });
    }
}
