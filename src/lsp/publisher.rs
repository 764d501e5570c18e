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
pub(super) async fn publisher(client: Client, host: Arc<Mutex<Host>>, mut rx: mpsc::UnboundedReceiver<Publish>) {
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
pub(super) fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}
