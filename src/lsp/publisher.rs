//! The one task that publishes diagnostics, always ending on the newest
//! state of each document.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use crate::analysis;
use crate::lsp::host::*;
use crate::lsp::to_proto;

/// What the publisher is asked to do.
pub(super) enum Publish {
    Doc(Uri),
    All,
    Clear(Uri),
}

/// What the publisher computed for one document.
pub(super) enum Outcome {
    Diagnostics(Vec<Diagnostic>),
    TooLarge(Vec<Diagnostic>),
}

/// Diagnostics of one snapshot (reads the disk for reference checks: call
/// it on the blocking pool).
pub(super) fn compute_diagnostics(snap: &Snapshot) -> Outcome {
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
pub(super) async fn publisher(
    client: Client,
    host: Arc<Mutex<Host>>,
    tx: mpsc::UnboundedSender<Publish>,
    mut rx: mpsc::UnboundedReceiver<Publish>,
) {
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
                {
                    let mut h = lock(&host);
                    h.history.remove(&uri);
                    if let Some(p) = crate::lsp::from_proto::file_path(&uri) {
                        let blames = h.blames.clone();
                        drop(h);
                        // Canonical paths are the cache's keys: off the lock, off the loop.
                        tokio::task::spawn_blocking(move || blames.forget(&std::fs::canonicalize(&p).unwrap_or(p)));
                    }
                }
                closed_any = true;
                warned_large.remove(&uri);
                client.publish_diagnostics(uri, Vec::new(), None).await;
                continue;
            };
            let version = snap.version;
            let history_due = snap.history_due;
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
            client.publish_diagnostics(uri.clone(), diags, Some(version)).await;
            if history_due {
                schedule_history(host.clone(), tx.clone(), uri);
            }
        }
        if closed_any {
            // Documents were closed: hand freed memory back to the system
            // once closing has paused for a moment (glibc keeps it
            // otherwise; RSS stayed at its peak).
            trim_due = Some(tokio::time::Instant::now() + std::time::Duration::from_millis(300));
        }
    }
}

/// How long a log must rest (no edit) before its history is computed: while
/// the user types, none is (git work on two cores delayed keystrokes: p99
/// 8.4 ms instead of 1.0 ms when it ran every 400 ms during typing).
const HISTORY_DELAY: std::time::Duration = std::time::Duration::from_millis(400);

/// Computes the history report of `uri` (spec §4b) in the background: git
/// is read on the blocking pool, never on a keystroke's path; the blame is
/// shared through the host's cache (per HEAD and committed blob), so an
/// edited buffer costs one diff and the mapping, not a new blame. When it
/// lands the document is republished.
fn schedule_history(host: Arc<Mutex<Host>>, tx: mpsc::UnboundedSender<Publish>, uri: Uri) {
    lock(&host).history.entry(uri.clone()).or_default().running = true;
    tokio::spawn(async move {
        // Wait until the document has not changed for HISTORY_DELAY.
        let version_now = |host: &Arc<Mutex<Host>>| lock(host).docs.get(&uri).map(|d| d.version);
        let mut seen = version_now(&host);
        loop {
            tokio::time::sleep(HISTORY_DELAY).await;
            let now = version_now(&host);
            if now == seen {
                break;
            }
            seen = now;
        }
        let (snap, epoch, blames) = {
            let h = lock(&host);
            (h.snapshot(&uri), h.history_epoch, h.blames.clone())
        };
        let Some(snap) = snap else {
            lock(&host).history.remove(&uri);
            return;
        };
        let version = snap.version;
        let report = tokio::task::spawn_blocking(move || {
            let (Text::Analysed(doc), Some(log), Some(root), Some(facts)) = (&snap.text, &snap.path, &snap.root, &snap.facts) else {
                return None;
            };
            let req = crate::workspace::history::Request { root, log, doc, facts, max_bytes: snap.config.max_file_size };
            Some(crate::workspace::history::compute(&req, Some(&blames)))
        })
        .await;
        let mut h = lock(&host);
        let Some(state) = h.history.get_mut(&uri) else { return };
        state.running = false;
        // Computed for this version and epoch even when it failed (logged):
        // a failure is not retried in a loop.
        state.for_state = Some((version, epoch));
        state.at = Some(std::time::Instant::now());
        // Nothing known before or now: the published diagnostics stand.
        let mut changed = false;
        match report {
            Ok(Some(r)) => {
                changed = !(r.is_empty() && state.report.is_empty());
                state.report = Arc::new(r);
            }
            Ok(None) => {}
            Err(e) => tracing::error!("history of {}: the task failed: {e}", uri.as_str()),
        }
        drop(h);
        if changed {
            let _ = tx.send(Publish::Doc(uri));
        }
    });
}

/// Returns free heap memory to the system where the allocator keeps it.
pub(super) fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}
