//! The host: open documents and project roots, and the immutable snapshots
//! requests work on. Mutated only under its `std::sync::Mutex`, never held
//! across an `.await`; nothing under the lock reads the disk or parses.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::ls_types::*;

use crate::analysis::facts::{FileFacts, HistoryFact, HistoryQuery, Resolution};
use crate::analysis::{self};
use crate::config::Config;
use crate::document::Document;
use crate::ide::xref::{LogIndex, LogSummary};
use crate::lsp::encoding::Encoding;
use crate::lsp::to_proto::EditCaps;
use crate::workspace::history::{BlameCache, HistoryReport};
use crate::workspace::{self, FileIndex, LineCache, PathMatcher, WorkspaceFacts};

/// A buffer's text: analysed, or kept as a plain rope when over the cap.
#[derive(Clone)]
pub(super) enum Text {
    Analysed(Document),
    TooLarge(Rope),
}

impl Text {
    pub(super) fn len(&self) -> usize {
        match self {
            Text::Analysed(doc) => doc.len(),
            Text::TooLarge(rope) => rope.len_bytes(),
        }
    }

    pub(super) fn new(s: &str, cap: u64) -> Text {
        if s.len() as u64 > cap {
            Text::TooLarge(Rope::from_str(s))
        } else {
            Text::Analysed(Document::new(s))
        }
    }
}

#[derive(Clone)]
pub(super) struct OpenDoc {
    pub(super) version: i32,
    pub(super) text: Text,
    pub(super) path: Option<PathBuf>,
}

/// One project root: a workspace folder, or a log's project root found
/// inside one (the nearest `worklog.toml`, format contract §3) or without
/// one (the nearest `worklog.toml` or `.git`). Every request on a log uses
/// its deepest root, so completion, resolution and settings agree with
/// `worklog-ls check` on the same log.
pub(super) struct Root {
    pub(super) path: PathBuf,
    /// A workspace folder named by the client (else a project root found
    /// for an opened log).
    pub(super) folder: bool,
    /// `None` until the background walk is done (or in single-file mode).
    pub(super) index: Option<Arc<FileIndex>>,
    pub(super) indexing: bool,
    /// A rebuild was asked for while one ran (it may have walked the disk
    /// before the change): build once more when it ends.
    pub(super) index_again: bool,
    pub(super) lines: Arc<LineCache>,
    pub(super) matcher: Arc<PathMatcher>,
    /// `worklog.toml` merged over the defaults, client settings over that.
    pub(super) config: Arc<Config>,
    pub(super) toml: Option<String>,
    pub(super) _watch: Option<workspace::WatchHandle>,
    /// Every Work Log of this root (a root inside another has none: the
    /// outer one holds its logs). `None` until built, in the background.
    pub(super) logs: Option<Arc<LogIndex>>,
    pub(super) logs_building: bool,
    /// File events arrived while the logs were being built: build again.
    pub(super) logs_again: bool,
}

impl Root {
    pub(super) fn new(path: PathBuf) -> Root {
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
            logs: None,
            logs_building: false,
            logs_again: false,
        }
    }
}

#[derive(Default)]
pub(super) struct Host {
    pub(super) docs: HashMap<Uri, OpenDoc>,
    pub(super) roots: Vec<Root>,
    pub(super) client_settings: Value,
    pub(super) default_config: Arc<Config>,
    pub(super) encoding: Option<Encoding>,
    pub(super) link_support: bool,
    pub(super) config_pull: bool,
    pub(super) watch_dynamic: bool,
    /// Test hook (`worklog/testPanic`): documents whose next analysis in
    /// the publisher panics.
    pub(super) panic_in_publisher: HashSet<Uri>,
    /// What workspace edits the client can apply (`documentChanges`, file operations).
    pub(super) edit_caps: EditCaps,
    /// Summaries of the open logs by path, for the version summarised
    /// (`None`: not a log): they stand in for the disk state in cross-log features.
    pub(super) open_logs: HashMap<PathBuf, (i32, Option<Arc<LogSummary>>)>,
    /// History facts per open log (spec §4b), computed in the background.
    pub(super) history: HashMap<Uri, HistoryState>,
    /// Bumped when files or settings change: every history report is then
    /// computed again at the next publish.
    pub(super) history_epoch: u64,
    /// Blames of logs per HEAD and committed blob, shared by the computations.
    pub(super) blames: Arc<BlameCache>,
}

/// How old a history report may get before the next publish recomputes it.
pub(super) const HISTORY_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(30);

/// The history report of one open log and what it was computed for.
#[derive(Default)]
pub(super) struct HistoryState {
    pub(super) report: Arc<HistoryReport>,
    /// The document version and epoch it was computed for (`None`: never).
    pub(super) for_state: Option<(i32, u64)>,
    /// When it was computed: after [`HISTORY_MAX_AGE`] the next publish
    /// computes it again (a commit or checkout moves HEAD without any file
    /// event the server sees, when `.git/` is not watched).
    pub(super) at: Option<std::time::Instant>,
    pub(super) running: bool,
}

/// Everything a request needs, cloned out of the host.
pub(super) struct Snapshot {
    pub(super) version: i32,
    pub(super) text: Text,
    pub(super) path: Option<PathBuf>,
    pub(super) config: Arc<Config>,
    pub(super) facts: Option<WorkspaceFacts>,
    pub(super) root: Option<PathBuf>,
    pub(super) index: Option<Arc<FileIndex>>,
    pub(super) matcher: Option<Arc<PathMatcher>>,
    pub(super) encoding: Encoding,
    /// The root's first index is being built.
    pub(super) indexing: bool,
    /// The log's history report (maybe computed for an older version: its
    /// facts are keyed by offset and text, so a stale one only misses).
    pub(super) history: Option<Arc<HistoryReport>>,
    /// The report is missing or older than this version, and none is being
    /// computed.
    pub(super) history_due: bool,
}

impl Snapshot {
    /// The disk facts with the history report: what every analysis and
    /// IDE feature sees.
    pub(super) fn facts(&self) -> &dyn FileFacts {
        self
    }

    fn disk(&self) -> &dyn FileFacts {
        match &self.facts {
            Some(f) => f,
            None => &analysis::facts::NoFacts,
        }
    }
}

impl FileFacts for Snapshot {
    fn resolve(&self, log_path: &Path, written: &str) -> Resolution {
        self.disk().resolve(log_path, written)
    }
    fn line_count(&self, file: &Path) -> Option<usize> {
        self.disk().line_count(file)
    }
    fn older_file(&self, log_path: &Path) -> Option<crate::analysis::facts::OlderFile> {
        self.disk().older_file(log_path)
    }
    fn similar_paths(&self, log_path: &Path, written: &str, limit: usize) -> Vec<String> {
        self.disk().similar_paths(log_path, written, limit)
    }
    fn history(&self, _log_path: &Path, reference: &HistoryQuery<'_>) -> Option<Arc<HistoryFact>> {
        self.history.as_ref()?.get(reference).cloned()
    }
    fn history_offsets(&self, _log_path: &Path) -> Vec<usize> {
        self.history.as_ref().map(|h| h.offsets().to_vec()).unwrap_or_default()
    }
}

impl Host {
    pub(super) fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    /// The workspace folder holding `path` (the deepest one). Roots are
    /// canonical, and so are document paths (made so once, at `didOpen`).
    pub(super) fn root_for(&self, path: Option<&Path>) -> Option<&Root> {
        let path = path?;
        self.roots.iter().filter(|r| path.starts_with(&r.path)).max_by_key(|r| r.path.as_os_str().len())
    }

    /// The workspace folder holding `path` (the deepest one), if any.
    pub(super) fn folder_for(&self, path: &Path) -> Option<PathBuf> {
        self.roots.iter().filter(|r| r.folder && path.starts_with(&r.path)).max_by_key(|r| r.path.as_os_str().len()).map(|r| r.path.clone())
    }

    pub(super) fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let d = self.docs.get(uri)?;
        let root = self.root_for(d.path.as_deref());
        let history = self.history.get(uri);
        let config: Arc<Config> = root.map_or_else(|| self.default_config.clone(), |r| r.config.clone());
        let history_due = config.history == crate::config::HistoryMode::Auto
            && root.is_some()
            && d.path.is_some()
            && matches!(d.text, Text::Analysed(_))
            && history.is_none_or(|h| {
                !h.running && (h.for_state != Some((d.version, self.history_epoch)) || h.at.is_none_or(|t| t.elapsed() > HISTORY_MAX_AGE))
            });
        Some(Snapshot {
            version: d.version,
            text: d.text.clone(),
            path: d.path.clone(),
            config,
            // Roots are canonical: no IO under the lock.
            facts: root.map(|r| WorkspaceFacts::for_canonical_root(&r.path, r.index.clone(), r.lines.clone())),
            root: root.map(|r| r.path.clone()),
            index: root.and_then(|r| r.index.clone()),
            matcher: root.map(|r| r.matcher.clone()),
            encoding: self.encoding(),
            indexing: root.is_some_and(|r| r.index.is_none() && r.indexing),
            history: history.map(|h| h.report.clone()),
            history_due,
        })
    }

    pub(super) fn cap_for(&self, path: Option<&Path>) -> u64 {
        self.root_for(path).map_or(self.default_config.max_file_size, |r| r.config.max_file_size)
    }

    /// Recompute every root's config from its `worklog.toml` and the client
    /// settings. Returns warnings, and the documents now under their size
    /// cap, to be parsed off the lock ([`Ctx::reparse`]).
    pub(super) fn rebuild_configs(&mut self) -> (Vec<String>, Vec<(Uri, i32, Rope)>) {
        let mut warnings = Vec::new();
        self.history_epoch += 1;
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

pub(super) fn lock(m: &Mutex<Host>) -> MutexGuard<'_, Host> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The whole text of a buffer.
pub(super) fn text_of(t: &Text) -> String {
    match t {
        Text::Analysed(doc) => doc.rope().to_string(),
        Text::TooLarge(rope) => rope.to_string(),
    }
}

/// `path` with its folder canonicalised (the file itself may not exist yet).
pub(super) fn canonical_file(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => workspace::canonical_root(dir).join(name),
        _ => path.to_path_buf(),
    }
}
