//! LSP types → plain data: file paths of URIs, file events. Positions are
//! converted by `super::encoding` (the negotiated encoding).

use std::path::PathBuf;

use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::workspace::FsEvent;

/// The file path of a `file:` URI; other schemes (`untitled:`, `https:`,
/// notebook cells) have none, so they get no disk features.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// A client's file event as a hint for the workspace (checked on disk
/// where it is applied); `None` for a URI without a file path.
pub fn fs_event(e: &lsp::FileEvent) -> Option<FsEvent> {
    let p = file_path(&e.uri)?;
    Some(match e.typ {
        lsp::FileChangeType::CREATED => FsEvent::Created(p),
        lsp::FileChangeType::DELETED => FsEvent::Removed(p),
        _ => FsEvent::Changed(p),
    })
}

/// A file or folder the client renames (`workspace/willRenameFiles`): its
/// old and new paths; `None` unless both URIs are `file:` URIs.
pub fn file_rename(f: &lsp::FileRename) -> Option<(PathBuf, PathBuf)> {
    Some((file_path(&f.old_uri.parse().ok()?)?, file_path(&f.new_uri.parse().ok()?)?))
}
