//! Settings and file events from the client: `didChangeConfiguration`,
//! `didChangeWatchedFiles`.

use tower_lsp_server::ls_types::*;

use crate::lsp::files::*;
use crate::lsp::from_proto;
use crate::lsp::server::*;
use crate::workspace;

pub(in crate::lsp) async fn did_change_configuration(server: &Server, params: DidChangeConfigurationParams) {
    let ctx = server.ctx();
    if server.host().config_pull {
        tokio::spawn(async move { ctx.pull_config().await });
    } else {
        let s = params.settings.get("worklog").cloned().unwrap_or(params.settings);
        ctx.set_settings(s).await;
    }
}

pub(in crate::lsp) async fn did_change_watched_files(server: &Server, params: DidChangeWatchedFilesParams) {
    let events: Vec<workspace::FsEvent> = params.changes.iter().filter_map(from_proto::fs_event).collect();
    let ctx = server.ctx();
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
