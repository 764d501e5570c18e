//! Reading referenced files safely: line counts ([`LineCache`]) and hover
//! previews ([`preview`]).
//!
//! Every read goes through [`open_confined`], which refuses — before opening
//! anything — files whose canonical path leaves the workspace root, anything
//! that is not a regular file (folders, FIFOs, sockets, devices) and files
//! over the size cap; after opening it re-checks the open file. Files with a
//! NUL byte in their first 8 KiB are binary and are not counted or previewed.
//!
//! Lines are counted as an editor shows them: `\n`, `\r\n` and a lone `\r`
//! each end a line, and a final line without terminator counts too
//! (`""` → 0, `"a"` → 1, `"a\n"` → 1, `"a\nb"` → 2, `"a\r\nb\r\n"` → 2).

use std::collections::HashMap;
use std::fs::{self, File, Metadata};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// Default cap on the size of a file that is read (16 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// How much of the start of a file is searched for a NUL byte.
const BINARY_SNIFF: usize = 8 * 1024;

/// Read buffer size.
const CHUNK: usize = 64 * 1024;

/// Past this many cached files the cache starts over (a bound, not a tuning).
const MAX_CACHED: usize = 50_000;

/// Preview lines longer than this many characters are cut, with `…`.
pub const MAX_PREVIEW_LINE_CHARS: usize = 1_000;

/// Cached line counts, validated against each file's length and modification
/// time so that edits on disk are seen even without a watcher.
#[derive(Debug)]
pub struct LineCache {
    max_bytes: u64,
    entries: Mutex<HashMap<PathBuf, Stamped>>,
}

/// A count (or the fact that the file cannot be counted) for one version of
/// a file.
#[derive(Debug, Clone, Copy)]
struct Stamped {
    len: u64,
    modified: Option<SystemTime>,
    count: Option<usize>,
}

impl Default for LineCache {
    fn default() -> Self {
        LineCache::new(DEFAULT_MAX_BYTES)
    }
}

impl LineCache {
    /// A cache that never reads files larger than `max_bytes`.
    pub fn new(max_bytes: u64) -> LineCache {
        LineCache { max_bytes, entries: Mutex::new(HashMap::new()) }
    }

    /// The size cap given to [`LineCache::new`].
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Number of lines of `file`, or `None` when it is not read: outside the
    /// canonical `root`, missing, not a regular file, larger than the cap,
    /// binary, or unreadable. `root` must be canonical
    /// (see [`super::canonical_root`]); a non-canonical root refuses
    /// everything.
    pub fn line_count(&self, root: &Path, file: &Path) -> Option<usize> {
        let canonical = confined(root, file)?;
        let meta = fs::metadata(&canonical).ok()?;
        if !meta.file_type().is_file() {
            return None;
        }
        let modified = meta.modified().ok();
        if let Some(hit) = self.lookup(&canonical) {
            if hit.len == meta.len() && hit.modified == modified && modified.is_some() {
                return hit.count;
            }
        }
        // Read without holding the lock.
        let count = open_confined(root, &canonical, self.max_bytes).and_then(|(file, _)| count_lines(file, self.max_bytes));
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_CACHED {
            entries.clear();
        }
        entries.insert(canonical, Stamped { len: meta.len(), modified, count });
        count
    }

    /// Forgets `path` and everything cached below it (the watcher saw it
    /// change, appear or disappear).
    pub fn invalidate(&self, path: &Path) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|cached, _| !cached.starts_with(path));
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn lookup(&self, canonical: &Path) -> Option<Stamped> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(canonical).copied()
    }
}

/// The canonical form of `file` if it exists and lies strictly below the
/// canonical `root`.
fn confined(root: &Path, file: &Path) -> Option<PathBuf> {
    let canonical = fs::canonicalize(file).ok()?;
    (canonical != root && canonical.starts_with(root)).then_some(canonical)
}

/// Opens `file` for reading if it is a regular file of at most `max_bytes`
/// whose canonical path lies below the canonical `root`. The file type is
/// checked on the path before opening (a FIFO is never opened), and the open
/// is non-blocking and checked again with `fstat` on the open descriptor (a
/// FIFO swapped in between cannot block; see [`super::safe`]).
pub(super) fn open_confined(root: &Path, file: &Path, max_bytes: u64) -> Option<(File, Metadata)> {
    let canonical = confined(root, file)?;
    super::safe::open_regular(&canonical, max_bytes, super::safe::Links::Refuse)
}

/// Reads into `buf`, retrying on interruption; 0 = end of file.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> Option<usize> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Some(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}

/// Counts the lines of `reader`; `None` if it is binary, longer than
/// `max_bytes` or unreadable.
pub(super) fn count_lines(reader: impl Read, max_bytes: u64) -> Option<usize> {
    let mut reader = reader.take(max_bytes.saturating_add(1));
    let mut buf = vec![0u8; CHUNK];
    let mut counter = LineCounter::default();
    let mut seen: u64 = 0;
    loop {
        let n = read_some(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if seen < BINARY_SNIFF as u64 {
            let sniff = (BINARY_SNIFF - seen as usize).min(n);
            if chunk[..sniff].contains(&0) {
                return None;
            }
        }
        seen += n as u64;
        if seen > max_bytes {
            return None;
        }
        counter.feed(chunk);
    }
    Some(counter.finish())
}

/// Streaming line counter (see the module docs for what a line is).
#[derive(Default)]
struct LineCounter {
    terminators: usize,
    /// The last byte seen, if any.
    last: Option<u8>,
}

impl LineCounter {
    fn feed(&mut self, chunk: &[u8]) {
        let Some(&last) = chunk.last() else {
            return;
        };
        if !chunk.contains(&b'\r') {
            // Fast path: only `\n` ends lines here, except a `\n` that
            // completes a `\r\n` split across chunks.
            let lf = chunk.iter().filter(|&&b| b == b'\n').count();
            let joined = self.last == Some(b'\r') && chunk[0] == b'\n';
            self.terminators += lf - usize::from(joined);
        } else {
            let mut previous = self.last;
            for &b in chunk {
                match b {
                    b'\r' => self.terminators += 1,
                    b'\n' if previous != Some(b'\r') => self.terminators += 1,
                    _ => {}
                }
                previous = Some(b);
            }
        }
        self.last = Some(last);
    }

    fn finish(&self) -> usize {
        match self.last {
            None => 0,
            Some(b'\n' | b'\r') => self.terminators,
            Some(_) => self.terminators + 1,
        }
    }
}

/// Lines of a file for a hover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The requested lines that exist, at most `max_lines` of them, without
    /// their terminators, decoded as lossy UTF-8 (lines longer than
    /// [`MAX_PREVIEW_LINE_CHARS`] characters are cut and end with `…`).
    pub lines: Vec<String>,
    /// Number of lines of the whole file.
    pub total_lines: usize,
    /// More lines of the requested range exist than were returned.
    pub truncated: bool,
}

/// Lines `start..=end` (1-based) of `file`, at most `max_lines` of them.
///
/// The same rules as for line counts apply: `None` for files outside the
/// canonical `root` (canonicalised here), non-regular files, files over
/// [`DEFAULT_MAX_BYTES`] and binary files. `start` 0 is read as 1 and an
/// `end` before `start` as `start`; lines past the end of the file are simply
/// absent (compare with [`Preview::total_lines`]).
pub fn preview(root: &Path, file: &Path, start: usize, end: usize, max_lines: usize) -> Option<Preview> {
    preview_capped(root, file, start, end, max_lines, DEFAULT_MAX_BYTES)
}

/// [`preview`] with an explicit size cap.
pub fn preview_capped(root: &Path, file: &Path, start: usize, end: usize, max_lines: usize, max_bytes: u64) -> Option<Preview> {
    let root = super::canonical_root(root);
    let (file, _) = open_confined(&root, file, max_bytes)?;
    let start = start.max(1);
    let end = end.max(start);
    let last_kept = start.saturating_add(max_lines).saturating_sub(1).min(end);
    let mut collector = LineCollector { start, last_kept, line: 1, current: Vec::new(), lines: Vec::new(), previous: None };
    let mut reader = file.take(max_bytes.saturating_add(1));
    let mut buf = vec![0u8; CHUNK];
    let mut seen: u64 = 0;
    loop {
        let n = read_some(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if seen < BINARY_SNIFF as u64 {
            let sniff = (BINARY_SNIFF - seen as usize).min(n);
            if chunk[..sniff].contains(&0) {
                return None;
            }
        }
        seen += n as u64;
        if seen > max_bytes {
            return None;
        }
        collector.feed(chunk);
    }
    let total_lines = collector.finish();
    let available = total_lines.min(end).saturating_sub(start - 1);
    let lines = collector.lines;
    Some(Preview { truncated: available > lines.len(), lines, total_lines })
}

/// Streaming line splitter that keeps the lines `start..=last_kept`.
struct LineCollector {
    start: usize,
    last_kept: usize,
    /// 1-based number of the line being read.
    line: usize,
    current: Vec<u8>,
    lines: Vec<String>,
    previous: Option<u8>,
}

impl LineCollector {
    fn keeping(&self) -> bool {
        self.line >= self.start && self.line <= self.last_kept
    }

    fn end_line(&mut self) {
        if self.keeping() {
            self.lines.push(cut_line(&self.current));
            self.current.clear();
        }
        self.line += 1;
    }

    fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            match b {
                b'\r' => self.end_line(),
                b'\n' if self.previous == Some(b'\r') => {}
                b'\n' => self.end_line(),
                _ => {
                    if self.keeping() {
                        self.current.push(b);
                    }
                }
            }
            self.previous = Some(b);
        }
    }

    /// Ends the last line and returns the number of lines.
    fn finish(&mut self) -> usize {
        match self.previous {
            None => 0,
            Some(b'\n' | b'\r') => self.line - 1,
            Some(_) => {
                self.end_line();
                self.line - 1
            }
        }
    }
}

/// Lossy UTF-8 of one line, cut after [`MAX_PREVIEW_LINE_CHARS`] characters.
fn cut_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(MAX_PREVIEW_LINE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.into_owned(),
    }
}
