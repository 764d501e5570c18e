//! A server-side file watcher ([`watch`]) for clients that cannot register
//! `workspace/didChangeWatchedFiles` (Helix, some Neovim setups).
//!
//! It watches the root recursively with `notify` (without following symbolic
//! links), keeps only paths inside the root that are neither hidden nor
//! ignored by the root's ignore files, and hands them over in batches: events
//! are collected until 50 ms pass without one (at most one second), so one
//! `git checkout` is one callback. Within a batch each path is reported once.
//! The watcher reads no file state: its events are hints, checked on disk
//! once, by [`super::plan_events`], where they are applied.
//!
//! Why not `notify-debouncer-full`: it emits each path `timeout` after its
//! own last event, on every tick, so 10,000 files written over 2 s arrived
//! in 159 callbacks (and 29,805 events) instead of 2 — each costing the
//! server an O(n) copy of the index. BENCHMARKS.md, "Watcher batching".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;

use std::thread;
use std::time::{Duration, Instant};

use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::index::relative_string;
use super::rules::{is_ignore_file, IgnoreRules};

/// A batch ends when no event came for this long…
const QUIET: Duration = Duration::from_millis(50);
/// …or when it has been collecting for this long.
const MAX_BATCH: Duration = Duration::from_secs(1);
/// How often the watcher thread checks that its handle still exists.
const STOP_POLL: Duration = Duration::from_millis(200);

/// A change below the watched root (absolute paths).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FsEvent {
    /// A file appeared (created, moved in, or a folder holding it appeared).
    Created(PathBuf),
    /// A file or a folder disappeared; for a folder, everything below it is
    /// gone too (see [`super::FileIndex::remove`]).
    Removed(PathBuf),
    /// A file's contents or metadata changed.
    Changed(PathBuf),
    /// The watcher may have missed events (queue overflow), or an ignore file
    /// (`.gitignore`, `.ignore`, `.git/info/exclude`) changed: rebuild the
    /// index.
    Rescan,
}

/// Keeps a [`watch`] running; dropping it stops the watcher.
pub struct WatchHandle {
    watcher: Option<RecommendedWatcher>,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for WatchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchHandle").finish_non_exhaustive()
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Dropping the watcher stops its thread and closes the channel.
        self.watcher.take();
    }
}

/// Watches `root` recursively and calls `on_events` (on a thread of its own)
/// with each batch of changes. `None` if the platform watcher cannot be
/// started (e.g. no inotify watches left) or `root` cannot be watched.
pub fn watch(root: &Path, on_events: impl Fn(Vec<FsEvent>) + Send + 'static) -> Option<WatchHandle> {
    let root = super::canonical_root(root);
    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let config = notify::Config::default().with_follow_symlinks(false);
    let mut watcher = RecommendedWatcher::new(tx, config).ok()?;
    watcher.watch(&root, RecursiveMode::Recursive).ok()?;
    let stop = Arc::new(AtomicBool::new(false));
    let thread_stop = Arc::clone(&stop);
    thread::Builder::new().name("worklog-ls-watch".into()).spawn(move || run(root, rx, thread_stop, on_events)).ok()?;
    Some(WatchHandle { watcher: Some(watcher), stop })
}

/// The watcher thread: collect a batch, flush it, repeat until stopped.
fn run(root: PathBuf, rx: Receiver<notify::Result<Event>>, stop: Arc<AtomicBool>, on_events: impl Fn(Vec<FsEvent>)) {
    let mut rules = Arc::new(IgnoreRules::new(root.clone()));
    loop {
        let mut batch = Batch::default();
        match rx.recv_timeout(STOP_POLL) {
            Ok(event) => batch.add(event),
            Err(RecvTimeoutError::Timeout) => {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let started = Instant::now();
        let mut disconnected = false;
        loop {
            let left = MAX_BATCH.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(QUIET.min(left)) {
                Ok(event) => batch.add(event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    disconnected = true;
                    break;
                }
            }
        }
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let events = batch.flush(&root, &mut rules);
        if !events.is_empty() {
            on_events(events);
        }
        if disconnected {
            return;
        }
    }
}

/// What happened to one path during a batch.
#[derive(Debug, Default, Clone, Copy)]
struct Marks {
    /// Appeared, or was renamed (either end of a rename).
    appeared: bool,
    /// Removed.
    removed: bool,
}

/// The raw events of one batch, by path.
#[derive(Default)]
struct Batch {
    paths: BTreeMap<PathBuf, Marks>,
    rescan: bool,
}

impl Batch {
    fn add(&mut self, event: notify::Result<Event>) {
        let Ok(event) = event else {
            return;
        };
        if event.need_rescan() {
            self.rescan = true;
        }
        let (appeared, removed) = match event.kind {
            EventKind::Access(_) => return,
            // Either end of a rename: the disk tells which, later.
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)) => (true, false),
            EventKind::Remove(_) => (false, true),
            EventKind::Modify(_) | EventKind::Any | EventKind::Other => (false, false),
        };
        for path in event.paths {
            let marks = self.paths.entry(path).or_default();
            marks.appeared |= appeared;
            marks.removed |= removed;
        }
    }

    /// Turns the batch into events: one per path that is inside the root,
    /// not hidden and not ignored (lexically, with its folders); nothing is
    /// looked up on disk here (an ignore file that changed is re-read).
    fn flush(self, root: &Path, rules: &mut Arc<IgnoreRules>) -> Vec<FsEvent> {
        let mut events = Vec::new();
        let mut rescan = self.rescan;
        for (path, marks) in self.paths {
            let Some(rel) = relative_string(root, &path) else {
                continue;
            };
            if super::is_hidden(&rel) {
                if is_ignore_file(&rel) {
                    *rules = Arc::new(IgnoreRules::new(root.to_path_buf()));
                    rescan = true;
                }
                continue;
            }
            // A folder pattern (`build/`) is checked again, as a folder, by
            // `plan_events`; files below it are caught here.
            if rules.is_ignored(&path, false) {
                continue;
            }
            events.push(match marks {
                Marks { appeared: true, .. } => FsEvent::Created(path),
                Marks { removed: true, .. } => FsEvent::Removed(path),
                _ => FsEvent::Changed(path),
            });
        }
        if rescan {
            events.push(FsEvent::Rescan);
        }
        events
    }
}
