//! [`FileIndex`]: an immutable-by-default snapshot of one workspace root's files.
//!
//! The index holds every regular, non-ignored, non-hidden file below a root as
//! a relative, `/`-separated path. It is built once by walking the disk with
//! the `ignore` crate (so `.gitignore`, `.ignore`, git's exclude files and
//! hidden files are respected, as in ripgrep) and then kept fresh by the
//! watcher through cheap [`FileIndex::insert`] / [`FileIndex::remove`] calls.
//!
//! Memory layout (about 32 bytes per file plus the path text and four bytes of
//! file-name order): one `Vec` of entries sorted by path, each holding the path
//! and — only for non-ASCII paths — its pre-converted UTF-32 form for the
//! fuzzy matcher (ASCII paths are matched in place), plus a second `Vec<u32>`
//! of entry positions sorted by file name, which answers
//! [`FileIndex::by_file_name`] with a binary search.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Mutex;

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use nucleo_matcher::Utf32Str;

/// Source of [`FileIndex::generation`] values: every build and every change
/// takes a fresh one, so two indexes with the same generation have the same
/// contents (clones share it until one of them changes).
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, AtomicOrdering::Relaxed)
}

/// One indexed file.
#[derive(Clone, Debug)]
struct Entry {
    /// Relative, `/`-separated path.
    path: Box<str>,
    /// The path as code points, only when it is not ASCII (ASCII paths are
    /// handed to the matcher as bytes, without conversion or copy).
    wide: Option<Box<[char]>>,
}

impl Entry {
    fn new(path: Box<str>) -> Entry {
        let wide = if path.is_ascii() {
            None
        } else {
            Some(path.chars().collect())
        };
        Entry { path, wide }
    }

    fn haystack(&self) -> Utf32Str<'_> {
        match &self.wide {
            Some(chars) => Utf32Str::Unicode(chars),
            None => Utf32Str::Ascii(self.path.as_bytes()),
        }
    }

    fn file_name(&self) -> &str {
        file_name_of(&self.path)
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
    /// Sorted by `path` (byte order), no duplicates.
    entries: Vec<Entry>,
    /// Positions into `entries`, sorted by (file name, path).
    by_name: Vec<u32>,
    generation: u64,
}

impl FileIndex {
    /// An empty index for `root` (no disk access).
    pub fn empty(root: &Path) -> FileIndex {
        FileIndex {
            root: root.to_path_buf(),
            entries: Vec::new(),
            by_name: Vec::new(),
            generation: next_generation(),
        }
    }

    /// Walks `root` and indexes its files.
    ///
    /// The walk respects `.gitignore` (also outside git repositories),
    /// `.ignore`, `.git/info/exclude` and the global git excludes file, skips
    /// hidden files and folders, does not follow symbolic links and keeps only
    /// regular files whose path is valid UTF-8. Unreadable folders are
    /// skipped silently. The root is canonicalised first when possible, so the
    /// stored [`FileIndex::root`] is the canonical one.
    ///
    /// The walk runs on several threads; call it off the request path.
    pub fn build(root: &Path) -> FileIndex {
        let root = super::canonical_root(root);
        let collected = Mutex::new(Vec::new());
        let mut builder = CollectorBuilder {
            root: &root,
            out: &collected,
        };
        walker(&root).build_parallel().visit(&mut builder);
        let paths = collected.into_inner().unwrap_or_else(|e| e.into_inner());
        FileIndex::from_paths(root, paths)
    }

    /// An index of `root` holding exactly `paths` (relative, `/`-separated);
    /// invalid paths (absolute, empty segments, `.`/`..`) are dropped.
    /// No disk access: for tests and for fakes.
    pub fn from_paths<I, S>(root: PathBuf, paths: I) -> FileIndex
    where
        I: IntoIterator<Item = S>,
        S: Into<Box<str>>,
    {
        let mut paths: Vec<Box<str>> = paths
            .into_iter()
            .map(Into::into)
            .filter(|p| is_valid_relative(p))
            .collect();
        paths.sort_unstable();
        paths.dedup();
        let entries: Vec<Entry> = paths.into_iter().map(Entry::new).collect();
        let mut index = FileIndex {
            root,
            entries,
            by_name: Vec::new(),
            generation: next_generation(),
        };
        index.rebuild_names();
        index
    }

    /// The root this index describes.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Number of indexed files.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when no file is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A number that changes whenever the contents change (never reused
    /// within a process). Used to validate caches built over an index.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// An estimate of the heap memory held by the index, in bytes (path
    /// text, entries, the file-name order; allocator overhead not counted).
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self
            .entries
            .iter()
            .map(|e| e.path.len() + e.wide.as_ref().map_or(0, |w| w.len() * 4))
            .sum();
        text + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.by_name.capacity() * std::mem::size_of::<u32>()
    }

    /// All relative paths, in byte order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|e| &*e.path)
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
            return !self.entries.is_empty();
        }
        let prefix = format!("{dir}/");
        let start = self.entries.partition_point(|e| *e.path < *prefix);
        self.entries
            .get(start)
            .is_some_and(|e| e.path.starts_with(&prefix))
    }

    /// The indexed files whose file name is exactly `name`, in path order.
    pub fn by_file_name(&self, name: &str) -> Vec<&str> {
        let start = self
            .by_name
            .partition_point(|&i| self.entries[i as usize].file_name() < name);
        self.by_name[start..]
            .iter()
            .map(|&i| &self.entries[i as usize])
            .take_while(|e| e.file_name() == name)
            .map(|e| &*e.path)
            .collect()
    }

    /// Adds the file `rel` (relative, `/`-separated). Returns `false` if it
    /// was already there or is not a valid relative path. O(n) in the worst
    /// case (a shift of the position arrays), no allocation per other file.
    pub fn insert(&mut self, rel: &str) -> bool {
        if !is_valid_relative(rel) {
            return false;
        }
        let Err(pos) = self.position(rel) else {
            return false;
        };
        self.entries.insert(pos, Entry::new(rel.into()));
        let pos32 = pos as u32;
        for i in &mut self.by_name {
            if *i >= pos32 {
                *i += 1;
            }
        }
        let name = file_name_of(rel);
        let at = self.by_name.partition_point(|&i| {
            let e = &self.entries[i as usize];
            (e.file_name(), &*e.path) < (name, rel)
        });
        self.by_name.insert(at, pos32);
        self.generation = next_generation();
        true
    }

    /// Removes the file `rel` and, when `rel` is a folder, every indexed file
    /// below it (a folder deleted or moved away arrives as one event).
    /// Returns how many files were removed.
    pub fn remove(&mut self, rel: &str) -> usize {
        let rel = rel.trim_end_matches('/');
        if rel.is_empty() {
            return 0;
        }
        let mut removed: Vec<u32> = Vec::new();
        if let Ok(pos) = self.position(rel) {
            removed.push(pos as u32);
        }
        let prefix = format!("{rel}/");
        let start = self.entries.partition_point(|e| *e.path < *prefix);
        let end = start
            + self.entries[start..]
                .iter()
                .take_while(|e| e.path.starts_with(&prefix))
                .count();
        removed.extend(start as u32..end as u32);
        if removed.is_empty() {
            return 0;
        }
        removed.sort_unstable();
        let mut k = 0;
        let mut position = 0u32;
        self.entries.retain(|_| {
            let keep = removed.get(k) != Some(&position);
            if !keep {
                k += 1;
            }
            position += 1;
            keep
        });
        self.by_name.retain_mut(|i| {
            let below = removed.partition_point(|&r| r < *i);
            if removed.get(below) == Some(i) {
                return false;
            }
            *i -= below as u32;
            true
        });
        self.generation = next_generation();
        removed.len()
    }

    /// Position of `rel` in `entries` (`Err` = where it would go).
    fn position(&self, rel: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| (*e.path).cmp(rel))
    }

    fn rebuild_names(&mut self) {
        let entries = &self.entries;
        let mut by_name: Vec<u32> = (0..entries.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| {
            let (a, b) = (&entries[a as usize], &entries[b as usize]);
            a.file_name()
                .cmp(b.file_name())
                .then_with(|| a.path.cmp(&b.path))
        });
        self.by_name = by_name;
    }

    /// The relative path at `position` (matcher internals).
    pub(super) fn path_at(&self, position: u32) -> &str {
        &self.entries[position as usize].path
    }

    /// The matcher's view of the path at `position`.
    pub(super) fn haystack_at(&self, position: u32) -> Utf32Str<'_> {
        self.entries[position as usize].haystack()
    }
}

/// A relative, `/`-separated path with no empty, `.` or `..` segment.
fn is_valid_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// The walker shared by the index build and the watcher's folder expansion.
pub(super) fn walker(dir: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(dir);
    builder
        .hidden(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .parents(true)
        .require_git(false)
        .follow_links(false);
    builder
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
        Box::new(Collector {
            root: self.root,
            out: self.out,
            local: Vec::new(),
        })
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
