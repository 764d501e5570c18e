//! The index of every Work Log of a workspace folder, with a map from each
//! referenced file to the logs that reference it (references and the
//! sharing lens look only at those logs), and [`Logs`]: the indexes as the
//! editor sees them, open documents in place of their disk state.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{at_or_below, LogSummary};

/// Every Work Log of a workspace folder, by path.
#[derive(Debug, Clone, Default)]
pub struct LogIndex {
    logs: BTreeMap<PathBuf, Arc<LogSummary>>,
    /// Each file a log references (what it resolves to) → those logs.
    by_target: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

impl LogIndex {
    pub fn new(logs: impl IntoIterator<Item = LogSummary>) -> LogIndex {
        let mut index = LogIndex::default();
        for l in logs {
            let path = l.path.clone();
            index.set(&path, Some(l));
        }
        index
    }
    pub fn len(&self) -> usize {
        self.logs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty()
    }
    pub fn get(&self, path: &Path) -> Option<&Arc<LogSummary>> {
        self.logs.get(path)
    }
    /// Puts a log's new summary in (`None`: it is no longer a log, or gone).
    pub fn set(&mut self, path: &Path, summary: Option<LogSummary>) {
        if let Some(old) = self.logs.remove(path) {
            for t in targets(&old) {
                if let Some(logs) = self.by_target.get_mut(t) {
                    logs.remove(path);
                    if logs.is_empty() {
                        self.by_target.remove(t);
                    }
                }
            }
        }
        if let Some(s) = summary {
            for t in targets(&s) {
                self.by_target.entry(t.clone()).or_default().insert(path.to_path_buf());
            }
            self.logs.insert(path.to_path_buf(), Arc::new(s));
        }
    }
    /// Removes every log at or below `path` (a removed folder).
    pub fn remove_below(&mut self, path: &Path) {
        let gone: Vec<PathBuf> =
            self.logs.range(path.to_path_buf()..).map(|(p, _)| p).take_while(|p| p.starts_with(path)).cloned().collect();
        for p in gone {
            self.set(&p, None);
        }
    }
    /// The logs that reference `target` or a file below it.
    fn referencing<'s>(&'s self, target: &'s Path) -> impl Iterator<Item = &'s PathBuf> + 's {
        self.by_target.range(target.to_path_buf()..).take_while(move |(t, _)| at_or_below(t, target)).flat_map(|(_, logs)| logs)
    }
    /// The logs with a reference whose written path has a segment among
    /// `names`: those a created or removed file of that name may resolve differently.
    pub fn naming(&self, names: &HashSet<&str>) -> Vec<PathBuf> {
        if names.is_empty() {
            return Vec::new();
        }
        self.logs
            .values()
            .filter(|l| l.refs.iter().any(|r| r.written.split(['/', '\\']).any(|s| names.contains(s))))
            .map(|l| l.path.clone())
            .collect()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Arc<LogSummary>> {
        self.logs.values()
    }

    /// Brings the index up to date after file events: every log at or below
    /// a `touched` path (a file or folder created, changed or removed) is
    /// dropped and the Markdown files there now (`markdown_at`) summarised
    /// again, and so are the logs whose references name a file or folder of
    /// `named` (created or removed: what they resolve to may change).
    /// Returns how many logs were summarised.
    pub fn refresh(
        &mut self,
        touched: &[PathBuf],
        named: &[PathBuf],
        markdown_at: &dyn Fn(&Path) -> Vec<PathBuf>,
        summarise: &dyn Fn(&Path) -> Option<LogSummary>,
    ) -> usize {
        let mut redo: Vec<PathBuf> = Vec::new();
        for t in touched {
            self.remove_below(t);
            redo.extend(markdown_at(t));
        }
        let names: HashSet<&str> = named.iter().filter_map(|t| t.file_name()?.to_str()).collect();
        redo.extend(self.naming(&names));
        redo.sort();
        redo.dedup();
        for p in &redo {
            self.set(p, summarise(p));
        }
        redo.len()
    }
}

/// The logs as the editor sees them: the indexes of the workspace folders,
/// with open documents in place of their disk state (`None`: the open
/// document is not a log).
pub struct Logs<'a> {
    pub indexes: &'a [Arc<LogIndex>],
    pub open: &'a [(PathBuf, Option<Arc<LogSummary>>)],
}

/// The distinct files a log references.
fn targets(log: &LogSummary) -> BTreeSet<&PathBuf> {
    log.refs.iter().flat_map(|r| r.targets.iter()).collect()
}

impl<'a> Logs<'a> {
    /// The logs that may reference `target` or a file below it: those the
    /// indexes say do, and every open log; in path order, each once.
    pub fn referencing(&self, target: &Path) -> Vec<&'a LogSummary> {
        let open = self.open;
        let mut out: Vec<&'a LogSummary> = open.iter().filter_map(|(_, l)| l.as_deref()).collect();
        for index in self.indexes {
            for p in index.referencing(target) {
                if !open.iter().any(|(o, _)| o == p) {
                    if let Some(l) = index.logs.get(p) {
                        out.push(l);
                    }
                }
            }
        }
        // By bytes: cheaper than by component, and as stable an order.
        out.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
        out.dedup_by(|a, b| a.path == b.path);
        out
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a LogSummary> + 'a {
        let open = self.open;
        let base =
            self.indexes.iter().flat_map(|i| i.logs.iter()).filter(move |(p, _)| !open.iter().any(|(o, _)| o == *p)).map(|(_, l)| &**l);
        base.chain(open.iter().filter_map(|(_, l)| l.as_deref()))
    }

    /// The summary of the log at `path` as the editor sees it.
    pub fn get(&self, path: &Path) -> Option<&'a LogSummary> {
        if let Some((_, l)) = self.open.iter().find(|(p, _)| p == path) {
            return l.as_deref();
        }
        self.indexes.iter().find_map(|i| i.logs.get(path)).map(|l| &**l)
    }
}
