//! [`FileIndex`]: an immutable-by-default snapshot of one workspace root's files.
//!
//! The index holds every regular, non-ignored, non-hidden file below a root as
//! a relative, `/`-separated path. It is built once by walking the disk with
//! the `ignore` crate (so `.gitignore`, `.ignore`, git's exclude files and
//! hidden files are respected, as in ripgrep) and then kept fresh by the
//! watcher through cheap [`FileIndex::insert`] / [`FileIndex::remove`] calls.
//!
//! Memory layout (16 bytes per file plus the path text and four bytes of
//! file-name order): all paths live in one text buffer, in sorted order after
//! a build, so the fuzzy matcher streams through them instead of chasing one
//! heap string per file (at 100,000 files the pointer chase alone cost most of
//! a query); a `Vec` of spans into that buffer sorted by path, each with the
//! offset of the file name and a mask of the characters in the path; a second
//! `Vec<u32>` of span positions sorted by file name, which answers
//! [`FileIndex::by_file_name`] with a binary search. Files added later are
//! appended to the buffer; removed ones leave garbage behind, and the buffer is
//! rewritten in order when appended or dead bytes reach a quarter of it.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Mutex;

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkState};
use nucleo_matcher::Utf32Str;

/// Source of [`FileIndex::generation`] values: every build and every change
/// takes a fresh one, so two indexes with the same generation have the same
/// contents (clones share it until one of them changes).
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, AtomicOrdering::Relaxed)
}

/// Disorder (bytes) below which the path text is never rewritten; small in
/// unit tests so that they exercise the rewrite.
const COMPACT_MIN: usize = if cfg!(test) { 8 } else { 4096 };

/// One indexed file: its path's place in [`FileIndex::text`], and what the
/// matcher needs to reject or score it without reading the path twice.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u16,
    /// Offset of the file name in the path.
    name: u16,
    /// [`char_mask`] of the path.
    mask: u64,
}

/// A set of the byte classes in `bytes`, ASCII letters case-folded: a path
/// can only match a query whose mask is a subset of the path's.
pub(super) fn char_mask(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |mask, &b| mask | (1u64 << byte_class(b)))
}

/// The bit [`char_mask`] sets for any non-ASCII byte.
pub(super) const NON_ASCII: u64 = 1 << 63;

fn byte_class(b: u8) -> u32 {
    match b {
        b'a'..=b'z' => u32::from(b - b'a'),
        b'A'..=b'Z' => u32::from(b - b'A'),
        b'0'..=b'9' => 26 + u32::from(b - b'0'),
        b'/' => 36,
        b'.' => 37,
        b'_' => 38,
        b'-' => 39,
        0x80.. => 63,
        other => 40 + u32::from(other) % 23,
    }
}

/// The last segment of a relative `/`-separated path.
fn file_name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The files of one workspace root, as relative `/`-separated paths.
///
/// Cheap to share behind an `Arc`; [`Clone`] exists so that the server can
/// update a shared snapshot with `Arc::make_mut` (copy-on-write).
#[derive(Clone, Debug)]
pub struct FileIndex {
    root: PathBuf,
    /// The path text of every span (and garbage left by removals).
    text: String,
    /// Sorted by path (byte order), no duplicates.
    spans: Vec<Span>,
    /// Positions into `spans`, sorted by (file name, path).
    by_name: Vec<u32>,
    /// Bytes of `text` that are garbage or out of path order (appended by
    /// [`FileIndex::insert`]); the text is rewritten when they grow large.
    disorder: usize,
    generation: u64,
}

impl FileIndex {
    /// An empty index for `root` (no disk access).
    pub fn empty(root: &Path) -> FileIndex {
        FileIndex {
            root: root.to_path_buf(),
            text: String::new(),
            spans: Vec::new(),
            by_name: Vec::new(),
            disorder: 0,
            generation: next_generation(),
        }
    }

    /// Walks `root` and indexes its files.
    ///
    /// The walk respects `.gitignore` (also outside git repositories),
    /// `.ignore`, `.git/info/exclude` and the global git excludes file (read
    /// only when they are small regular files, see [`super::rules`]), skips
    /// hidden files and folders, does not follow symbolic links and keeps only
    /// regular files whose path is valid UTF-8. Unreadable folders are
    /// skipped silently. The root is canonicalised first when possible, so the
    /// stored [`FileIndex::root`] is the canonical one.
    ///
    /// The walk runs on several threads; call it off the request path.
    pub fn build(root: &Path) -> FileIndex {
        let root = super::canonical_root(root);
        let collected = Mutex::new(Vec::new());
        let mut builder = CollectorBuilder { root: &root, out: &collected };
        let rules = std::sync::Arc::new(super::rules::IgnoreRules::new(root.clone()));
        super::rules::walker(&root, rules).build_parallel().visit(&mut builder);
        let paths = collected.into_inner().unwrap_or_else(|e| e.into_inner());
        FileIndex::from_paths(root, paths)
    }

    /// An index of `root` holding exactly `paths` (relative, `/`-separated);
    /// invalid paths (absolute, empty segments, `.`/`..`) are dropped, and so
    /// are paths past the index's capacity (4 GiB of path text).
    /// No disk access: for tests and for fakes.
    pub fn from_paths<I, S>(root: PathBuf, paths: I) -> FileIndex
    where
        I: IntoIterator<Item = S>,
        S: Into<Box<str>>,
    {
        let mut paths: Vec<Box<str>> = paths.into_iter().map(Into::into).filter(|p| is_valid_relative(p)).collect();
        paths.sort_unstable();
        paths.dedup();
        let mut index = FileIndex::empty(&root);
        index.root = root;
        let bytes: usize = paths.iter().map(|p| p.len()).sum();
        index.text.reserve_exact(bytes.min(u32::MAX as usize));
        index.spans.reserve_exact(paths.len());
        for path in &paths {
            // Paths over 64 KiB (none on real file systems) are left out.
            if let Some(span) = index.push_text(path) {
                index.spans.push(span);
            }
        }
        index.rebuild_names();
        index
    }

    /// The root this index describes.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Number of indexed files.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// `true` when no file is indexed.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// A number that changes whenever the contents change (never reused
    /// within a process). Used to validate caches built over an index.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// An estimate of the heap memory held by the index, in bytes (path
    /// text, spans, the file-name order; allocator overhead not counted).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.spans.capacity() * std::mem::size_of::<Span>() + self.by_name.capacity() * std::mem::size_of::<u32>()
    }

    /// All relative paths, in byte order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.spans.iter().map(|&s| self.str_of(s))
    }

    /// Whether `rel` (relative, `/`-separated) is an indexed file.
    pub fn contains(&self, rel: &str) -> bool {
        self.position(rel).is_ok()
    }

    /// Whether some indexed file lies below the folder `rel`
    /// (e.g. `src` or `src/auth`; a trailing `/` is allowed).
    pub fn contains_dir(&self, rel: &str) -> bool {
        let dir = rel.trim_end_matches('/');
        if dir.is_empty() {
            return !self.spans.is_empty();
        }
        let prefix = format!("{dir}/");
        let start = self.spans.partition_point(|&s| self.str_of(s) < &*prefix);
        self.spans.get(start).is_some_and(|&s| self.str_of(s).starts_with(&prefix))
    }

    /// The indexed files whose file name is exactly `name`, in path order.
    pub fn by_file_name(&self, name: &str) -> Vec<&str> {
        let start = self.by_name.partition_point(|&i| file_name_of(self.path_at(i)) < name);
        self.by_name[start..].iter().map(|&i| self.path_at(i)).take_while(|p| file_name_of(p) == name).collect()
    }

    /// Adds the file `rel` (relative, `/`-separated). Returns `false` if it
    /// was already there, is not a valid relative path or does not fit.
    /// O(n) in the worst case (a shift of the position arrays, now and then
    /// a rewrite of the path text), no allocation per other file.
    pub fn insert(&mut self, rel: &str) -> bool {
        if !is_valid_relative(rel) {
            return false;
        }
        let Err(pos) = self.position(rel) else {
            return false;
        };
        let Some(span) = self.push_text(rel) else {
            return false;
        };
        self.spans.insert(pos, span);
        self.disorder += rel.len();
        let pos32 = pos as u32;
        for i in &mut self.by_name {
            if *i >= pos32 {
                *i += 1;
            }
        }
        let name = file_name_of(rel);
        let at = self.by_name.partition_point(|&i| {
            let p = self.path_at(i);
            (file_name_of(p), p) < (name, rel)
        });
        self.by_name.insert(at, pos32);
        self.generation = next_generation();
        self.compact_if_disordered();
        true
    }

    /// Removes the file `rel` and, when `rel` is a folder, every indexed file
    /// below it (a folder deleted or moved away arrives as one event).
    /// Returns how many files were removed.
    pub fn remove(&mut self, rel: &str) -> usize {
        self.remove_many(std::iter::once(rel))
    }

    /// [`FileIndex::remove`] for many paths in one pass over the index:
    /// O(n + k log n).
    pub fn remove_many<'a>(&mut self, rels: impl IntoIterator<Item = &'a str>) -> usize {
        let mut removed: Vec<u32> = Vec::new();
        for rel in rels {
            let rel = rel.trim_end_matches('/');
            if rel.is_empty() {
                continue;
            }
            if let Ok(pos) = self.position(rel) {
                removed.push(pos as u32);
            }
            let prefix = format!("{rel}/");
            let start = self.spans.partition_point(|&s| self.str_of(s) < &*prefix);
            let end = start + self.spans[start..].iter().take_while(|&&s| self.str_of(s).starts_with(&prefix)).count();
            removed.extend(start as u32..end as u32);
        }
        if removed.is_empty() {
            return 0;
        }
        removed.sort_unstable();
        removed.dedup();
        let mut k = 0;
        let mut position = 0u32;
        let mut dead = 0;
        self.spans.retain(|s| {
            let keep = removed.get(k) != Some(&position);
            if !keep {
                k += 1;
                dead += usize::from(s.len);
            }
            position += 1;
            keep
        });
        self.disorder += dead;
        self.by_name.retain_mut(|i| {
            let below = removed.partition_point(|&r| r < *i);
            if removed.get(below) == Some(i) {
                return false;
            }
            *i -= below as u32;
            true
        });
        self.generation = next_generation();
        self.compact_if_disordered();
        removed.len()
    }

    /// Adds many files at once: O(n + k log k) for k new files in an index
    /// of n (a merge), where [`FileIndex::insert`] costs O(n) each. Returns
    /// how many were added (invalid or present paths are skipped).
    pub fn insert_many<'a>(&mut self, rels: impl IntoIterator<Item = &'a str>) -> usize {
        let mut new: Vec<&str> = rels.into_iter().filter(|r| is_valid_relative(r) && !self.contains(r)).collect();
        new.sort_unstable();
        new.dedup();
        if new.len() <= 8 {
            return new.into_iter().filter(|r| self.insert(r)).count();
        }
        let mut fresh: Vec<Span> = Vec::with_capacity(new.len());
        for rel in &new {
            if let Some(span) = self.push_text(rel) {
                fresh.push(span);
                self.disorder += rel.len();
            }
        }
        let added = fresh.len();
        if added == 0 {
            return 0;
        }
        // Merge by path; remember where each old and each new span went.
        let old = std::mem::take(&mut self.spans);
        let mut spans = Vec::with_capacity(old.len() + fresh.len());
        let mut old_to_new: Vec<u32> = Vec::with_capacity(old.len());
        let mut fresh_at: Vec<u32> = Vec::with_capacity(fresh.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < fresh.len() {
            let take_old = j == fresh.len() || (i < old.len() && self.str_of(old[i]) < self.str_of(fresh[j]));
            if take_old {
                old_to_new.push(spans.len() as u32);
                spans.push(old[i]);
                i += 1;
            } else {
                fresh_at.push(spans.len() as u32);
                spans.push(fresh[j]);
                j += 1;
            }
        }
        self.spans = spans;
        // Merge the file-name order: the old one renumbered, the new files
        // sorted by (file name, path).
        let mut old_names: Vec<u32> = std::mem::take(&mut self.by_name);
        for i in &mut old_names {
            *i = old_to_new[*i as usize];
        }
        fresh_at.sort_unstable_by(|&a, &b| {
            let (a, b) = (self.path_at(a), self.path_at(b));
            (file_name_of(a), a).cmp(&(file_name_of(b), b))
        });
        let mut by_name = Vec::with_capacity(old_names.len() + fresh_at.len());
        let (mut i, mut j) = (0, 0);
        while i < old_names.len() || j < fresh_at.len() {
            let take_old = j == fresh_at.len()
                || (i < old_names.len() && {
                    let (a, b) = (self.path_at(old_names[i]), self.path_at(fresh_at[j]));
                    (file_name_of(a), a) < (file_name_of(b), b)
                });
            if take_old {
                by_name.push(old_names[i]);
                i += 1;
            } else {
                by_name.push(fresh_at[j]);
                j += 1;
            }
        }
        self.by_name = by_name;
        self.generation = next_generation();
        self.compact_if_disordered();
        added
    }

    /// Appends `path` to the text; `None` when the text would pass 4 GiB
    /// or the path 64 KiB.
    fn push_text(&mut self, path: &str) -> Option<Span> {
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u16::try_from(path.len()).ok()?;
        start.checked_add(u32::from(len))?;
        self.text.push_str(path);
        let name = (path.len() - file_name_of(path).len()) as u16;
        Some(Span { start, len, name, mask: char_mask(path.as_bytes()) })
    }

    /// Rewrites the text in path order, without garbage, once a quarter of
    /// it is garbage or out of order (so the matcher streams through it).
    fn compact_if_disordered(&mut self) {
        if self.disorder <= COMPACT_MIN || self.disorder < self.text.len() / 4 {
            return;
        }
        let mut text = String::with_capacity(self.text.len() - self.disorder.min(self.text.len()) + COMPACT_MIN);
        for span in &mut self.spans {
            let start = text.len() as u32;
            text.push_str(&self.text[span.start as usize..span.start as usize + usize::from(span.len)]);
            span.start = start;
        }
        self.text = text;
        self.disorder = 0;
    }

    /// Position of `rel` in `spans` (`Err` = where it would go).
    fn position(&self, rel: &str) -> Result<usize, usize> {
        self.spans.binary_search_by(|&s| self.str_of(s).cmp(rel))
    }

    fn rebuild_names(&mut self) {
        let mut by_name: Vec<u32> = (0..self.spans.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| {
            let (a, b) = (self.path_at(a), self.path_at(b));
            file_name_of(a).cmp(file_name_of(b)).then_with(|| a.cmp(b))
        });
        self.by_name = by_name;
    }

    fn str_of(&self, span: Span) -> &str {
        self.text.get(span.start as usize..span.start as usize + usize::from(span.len)).unwrap_or_default()
    }

    /// The relative path at `position` (matcher internals).
    pub(super) fn path_at(&self, position: u32) -> &str {
        self.spans.get(position as usize).map_or("", |&s| self.str_of(s))
    }

    /// The length in bytes of the path at `position` (matcher internals).
    pub(super) fn path_len_at(&self, position: u32) -> usize {
        self.spans.get(position as usize).map_or(0, |s| usize::from(s.len))
    }

    /// The [`char_mask`] of the path at `position` and the offset of its file
    /// name (matcher internals).
    pub(super) fn mask_and_name_at(&self, position: u32) -> (u64, usize) {
        self.spans.get(position as usize).map_or((0, 0), |s| (s.mask, usize::from(s.name)))
    }

    /// The matcher's view of the path at `position`: ASCII paths in place,
    /// others converted into `buf`.
    pub(super) fn haystack_at<'a>(&'a self, position: u32, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
        let path = self.path_at(position);
        if path.is_ascii() {
            Utf32Str::Ascii(path.as_bytes())
        } else {
            buf.clear();
            buf.extend(path.chars());
            Utf32Str::Unicode(buf)
        }
    }
}

/// A relative, `/`-separated path with no empty, `.` or `..` segment.
fn is_valid_relative(rel: &str) -> bool {
    !rel.is_empty() && !rel.contains('\\') && !rel.contains('\0') && rel.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

/// `path` relative to `root` as a `/`-separated string, if it is strictly
/// below `root`, made only of normal UTF-8 segments.
pub(super) fn relative_string(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::with_capacity(rel.as_os_str().len());
    for component in rel.components() {
        match component {
            Component::Normal(segment) => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(segment.to_str()?);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Hands out one [`Collector`] per walker thread.
struct CollectorBuilder<'a> {
    root: &'a Path,
    out: &'a Mutex<Vec<Box<str>>>,
}

impl<'s> ParallelVisitorBuilder<'s> for CollectorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector { root: self.root, out: self.out, local: Vec::new() })
    }
}

/// Collects one walker thread's files locally and hands them over on drop,
/// so the threads never contend on a lock while walking.
struct Collector<'a> {
    root: &'a Path,
    out: &'a Mutex<Vec<Box<str>>>,
    local: Vec<Box<str>>,
}

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        if let Ok(entry) = entry {
            if entry.file_type().is_some_and(|t| t.is_file()) {
                if let Some(rel) = relative_string(self.root, entry.path()) {
                    self.local.push(rel.into_boxed_str());
                }
            }
        }
        WalkState::Continue
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.append(&mut self.local);
    }
}
