//! The index of every Work Log of the workspace (`ide::xref`), kept by the
//! server: built per workspace folder on a low-priority thread of its own
//! once the folder's file index is there (after diagnostics were republished), brought up to
//! date by the file events the server already gets (on the thread that
//! applies them), and seen through the open documents, whose summaries stand
//! in for their disk state ([`logs_view`]). The host lock is taken only to
//! copy `Arc`s out and to swap results in.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::Uri;

use crate::ide::xref::{self, LogIndex, LogSummary};
use crate::lsp::host::*;
use crate::lsp::server::*;
use crate::workspace::{self, logs, FsEvent};

/// Summarise one log read off disk (recognition decides: look-alike
/// Markdown gives `None`).
fn summarise_disk(config: &crate::config::Config) -> impl Fn(logs::LogInput<'_>) -> Option<LogSummary> + '_ {
    move |i| xref::summarise_text(i.text, i.path, i.root, config, i.facts)
}

impl Ctx {
    /// Builds the log index of the root at `path` in the background, unless
    /// that root lies inside another (whose index holds its logs) or has no
    /// file index yet. Asked again while it runs, it runs once more after.
    pub(super) fn build_logs(&self, path: PathBuf) {
        let (index, lines, config) = {
            let mut h = lock(&self.host);
            if h.roots.iter().any(|r| r.path != path && path.starts_with(&r.path)) {
                return;
            }
            let Some(r) = h.roots.iter_mut().find(|r| r.path == path) else { return };
            let Some(index) = r.index.clone() else { return };
            if r.logs_building {
                r.logs_again = true;
                return;
            }
            r.logs_building = true;
            (index, r.lines.clone(), r.config.clone())
        };
        let ctx = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let built = background("logs", move || {
                let summarise = summarise_disk(&config);
                LogIndex::new(logs::all_logs(&index, &lines, config.max_file_size, &summarise))
            })
            .await;
            if let Some(b) = &built {
                let msg = format!("worklog: indexed {} Work Logs in {} ({} ms)", b.len(), path.display(), started.elapsed().as_millis());
                ctx.client.log_message(tower_lsp_server::ls_types::MessageType::INFO, msg).await;
            }
            let again = {
                let mut h = lock(&ctx.host);
                let Some(r) = h.roots.iter_mut().find(|r| r.path == path) else { return };
                r.logs_building = false;
                if let Some(b) = built {
                    r.logs = Some(Arc::new(b));
                }
                std::mem::take(&mut r.logs_again)
            };
            if again {
                ctx.build_logs(path);
            }
        });
    }
}

/// Runs `f` on a thread of its own at a lower scheduling priority (Linux:
/// nice 10 for that thread only), so that on a busy machine the keystrokes'
/// analysis on the blocking pool goes first; `None` if it panicked. Not on
/// the blocking pool: a pool thread's priority would stay lowered for the
/// jobs it runs next.
async fn background<T: Send + 'static>(what: &'static str, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name(format!("worklog-{what}")).spawn(move || {
        #[cfg(target_os = "linux")]
        // SAFETY: `gettid` and `setpriority` take no pointers; a failure leaves the priority as it was.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, 10);
        }
        let _ = tx.send(f());
    });
    if let Err(e) = spawned {
        tracing::error!("{what}: cannot start a thread: {e}");
        return None;
    }
    match rx.await {
        Ok(v) => Some(v),
        Err(_) => {
            tracing::error!("{what}: the thread failed");
            None
        }
    }
}

/// After the file index took `events` in (on the same blocking thread, the
/// index writer held): each root's logs at or below the touched paths, and
/// the logs naming a touched file, are summarised again on a copy that is
/// swapped in. A root whose logs are being built builds again instead.
pub(super) fn refresh_logs(host: &Mutex<Host>, events: &[FsEvent]) {
    let touched: Vec<PathBuf> = events
        .iter()
        .filter_map(|e| match e {
            FsEvent::Created(p) | FsEvent::Removed(p) | FsEvent::Changed(p) => Some(p.clone()),
            FsEvent::Rescan => None,
        })
        .collect();
    let named: Vec<PathBuf> = events
        .iter()
        .filter_map(|e| match e {
            FsEvent::Created(p) | FsEvent::Removed(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    if touched.is_empty() {
        return;
    }
    type Job = (PathBuf, Arc<LogIndex>, Arc<workspace::FileIndex>, Arc<workspace::LineCache>, Arc<crate::config::Config>);
    let jobs: Vec<Job> = {
        let mut h = lock(host);
        let mut jobs = Vec::new();
        for r in h.roots.iter_mut() {
            if r.logs_building {
                r.logs_again = true;
            } else if let (Some(logs), Some(index)) = (&r.logs, &r.index) {
                jobs.push((r.path.clone(), logs.clone(), index.clone(), r.lines.clone(), r.config.clone()));
            }
        }
        jobs
    };
    for (root, old, index, lines, config) in jobs {
        let mine: Vec<PathBuf> = touched.iter().filter(|t| t.starts_with(&root)).cloned().collect();
        if mine.is_empty() {
            continue;
        }
        let named: Vec<PathBuf> = named.iter().filter(|t| t.starts_with(&root)).cloned().collect();
        // Sorted: the files at or below a path are one run.
        let mut markdown = logs::markdown_files(&index);
        markdown.sort();
        let markdown_at = |t: &Path| {
            let from = markdown.partition_point(|m| m.as_path() < t);
            markdown[from..].iter().take_while(|m| m.starts_with(t)).cloned().collect::<Vec<_>>()
        };
        let summarise_one = summarise_disk(&config);
        let summarise = |p: &Path| logs::with_log(&index, &lines, p, config.max_file_size, &summarise_one);
        let mut copy = (*old).clone();
        copy.refresh(&mine, &named, &markdown_at, &summarise);
        let mut h = lock(host);
        if let Some(r) = h.roots.iter_mut().find(|r| r.path == root) {
            if r.logs.as_ref().is_some_and(|l| Arc::ptr_eq(l, &old)) {
                r.logs = Some(Arc::new(copy));
            }
        }
    }
}

/// The logs as the editor sees them, cloned out of the host.
pub(super) struct LogsView {
    pub(super) indexes: Vec<Arc<LogIndex>>,
    /// Open logs by path, with the version summarised.
    pub(super) open: Vec<(PathBuf, Option<Arc<LogSummary>>)>,
    pub(super) versions: Vec<(PathBuf, i32)>,
}

impl LogsView {
    pub(super) fn logs(&self) -> xref::Logs<'_> {
        xref::Logs { indexes: &self.indexes, open: &self.open }
    }
    pub(super) fn version_of(&self, path: &Path) -> Option<i32> {
        self.versions.iter().find(|(p, _)| p == path).map(|(_, v)| *v)
    }
}

/// The logs of every folder, with the open documents' summaries in place
/// of their disk state. Summarising an open log that changed since it was
/// last summarised resolves its references (disk): call on the blocking pool.
pub(super) fn logs_view(host: &Mutex<Host>) -> LogsView {
    let (indexes, cached, stale) = {
        let mut h = lock(host);
        let indexes: Vec<Arc<LogIndex>> = h.roots.iter().filter_map(|r| r.logs.clone()).collect();
        let open: Vec<(Uri, PathBuf, i32)> = h.docs.iter().filter_map(|(u, d)| Some((u.clone(), d.path.clone()?, d.version))).collect();
        h.open_logs.retain(|p, _| open.iter().any(|(_, o, _)| o == p));
        let mut cached = Vec::new();
        let mut stale = Vec::new();
        for (uri, path, version) in open {
            match h.open_logs.get(&path) {
                Some((v, s)) if *v == version => cached.push((path, version, s.clone())),
                _ => stale.extend(h.snapshot(&uri).map(|s| (path, s))),
            }
        }
        (indexes, cached, stale)
    };
    let mut open = cached;
    for (path, s) in stale {
        let summary = match &s.text {
            Text::Analysed(doc) if crate::analysis::recognise(doc, &s.config, Some(&path)).is_log() => {
                Some(Arc::new(xref::summarise(doc, &path, s.root.as_deref(), s.facts())))
            }
            _ => None,
        };
        lock(host).open_logs.insert(path.clone(), (s.version, summary.clone()));
        open.push((path, s.version, summary));
    }
    let versions = open.iter().map(|(p, v, _)| (p.clone(), *v)).collect();
    LogsView { indexes, open: open.into_iter().map(|(p, _, s)| (p, s)).collect(), versions }
}
