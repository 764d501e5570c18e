//! Multi-file fixtures, as rust-analyzer writes them: `//- path` starts a
//! file, the lines after it are its text, and one `$0` anywhere marks the
//! cursor. Written into a temporary folder (the workspace folder).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use worklog_ls::config::Config;
use worklog_ls::ide::xref::{self, LogIndex};
use worklog_ls::workspace::{logs, FileIndex, LineCache};

pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The workspace folder (canonical).
    pub root: PathBuf,
    /// The file and byte offset of `$0`, if any.
    pub cursor: Option<(PathBuf, usize)>,
}

/// The files of a fixture: (relative path, text without `$0`), and the cursor.
pub fn parse(fixture: &str) -> (Vec<(String, String)>, Option<(String, usize)>) {
    let fixture = trim_indent(fixture);
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            files.push((path.trim().trim_start_matches('/').to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        }
    }
    let mut cursor = None;
    for (path, text) in &mut files {
        if let Some(at) = text.find("$0") {
            text.replace_range(at..at + 2, "");
            cursor = Some((path.clone(), at));
        }
    }
    (files, cursor)
}

/// The fixture's indentation (that of its first non-blank line) removed.
fn trim_indent(s: &str) -> String {
    let s = s.strip_prefix('\n').unwrap_or(s);
    let indent = s.lines().find(|l| !l.trim().is_empty()).map_or(0, |l| l.len() - l.trim_start().len());
    s.split_inclusive('\n').map(|l| if l.len() >= indent && l[..indent].trim().is_empty() { &l[indent..] } else { l.trim_start() }).collect()
}

impl Fixture {
    pub fn new(fixture: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let (files, cursor) = parse(fixture);
        for (path, text) in &files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let cursor = cursor.map(|(p, at)| (root.join(p), at));
        Fixture { _dir: dir, root, cursor }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    /// The index of every log of the folder, as the server builds it.
    pub fn log_index(&self) -> LogIndex {
        let index = Arc::new(FileIndex::build(&self.root));
        let lines = Arc::new(LineCache::default());
        let config = Config::default();
        let summarise = |i: logs::LogInput<'_>| xref::summarise_text(i.text, i.path, i.root, &config, i.facts);
        LogIndex::new(logs::all_logs(&index, &lines, config.max_file_size, &summarise))
    }

    /// `abs` relative to the fixture's folder, for snapshots.
    pub fn rel(&self, abs: &Path) -> String {
        abs.strip_prefix(&self.root).map_or_else(|_| abs.display().to_string(), |p| p.display().to_string())
    }
}
