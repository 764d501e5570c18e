//! File system events (from the client or our own watchers): queued,
//! checked on disk off the host lock, applied to a copy of the index that is
//! swapped in.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::workspace::{self, FileIndex, LineCache};

/// File events reported by the client, waiting to be applied: one task
/// drains them in batches (a client that sends one notification per file
/// costs one index copy per batch, not per file).
#[derive(Default)]
pub(super) struct FsQueue {
    pub(super) events: Vec<workspace::FsEvent>,
    pub(super) draining: bool,
}

pub(super) fn lock_queue(m: &Mutex<FsQueue>) -> MutexGuard<'_, FsQueue> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Apply file system changes (from the client or our own watcher; call it
/// on a blocking thread): line counts invalidated, the index updated (each
/// event is checked on disk and against the ignore rules by the workspace
/// module), the config re-read when `worklog.toml` changed. All disk access
/// and the O(n) copy of the index happen off the host lock, which is taken
/// only to read the roots and to swap the results in. Returns the roots to
/// re-index (`usize::MAX`: the configuration changed).
pub(super) fn apply_fs_events(host: &Mutex<Host>, writer: &Mutex<()>, events: Vec<workspace::FsEvent>) -> Vec<usize> {
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
    super::logs::refresh_logs(host, &events);
    rescan.sort_unstable();
    rescan.dedup();
    rescan
}

/// A server-side watcher per root, for clients that cannot watch files.
/// (inotify registers its watches synchronously: off the async workers.)
pub(super) fn start_server_watchers(ctx: &Ctx) {
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
