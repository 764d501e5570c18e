//! Tests of the workspace module over a small on-disk workspace.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::analysis::facts::{FileFacts, Resolution};

use super::*;

/// An on-disk workspace:
///
/// ```text
/// <tmp>/outside.txt                  a file outside the root
/// <tmp>/elsewhere/data.ts            target of the symlink below
/// <tmp>/ws/                          the root
///     .gitignore                     "node_modules/"
///     README.md
///     src/routes/auth.ts
///     src/auth/service.ts            145 lines
///     src/out -> <tmp>/elsewhere     symlink out of the root
///     docs/log.md, docs/notes.md     a log and a log-relative file
///     lib/util.ts, tools/util.ts     two real files with one name
///     node_modules/pkg/service.ts    ignored, same name as a real file
///     .secret/x.rs                   hidden
/// ```
struct Fixture {
    _dir: tempfile::TempDir,
    tmp: PathBuf,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let tmp = fs::canonicalize(dir.path()).expect("canonical tempdir");
        let root = tmp.join("ws");
        let service: String = (1..=145).map(|i| format!("line {i}\n")).collect();
        let files: &[(&str, &str)] = &[
            (".gitignore", "node_modules/\n"),
            ("README.md", "# readme\n"),
            ("src/routes/auth.ts", "export {}\n"),
            ("src/auth/service.ts", &service),
            ("docs/log.md", "## v1 | 2025-01-01 | x\n"),
            ("docs/notes.md", "notes\n"),
            ("lib/util.ts", "a\n"),
            ("tools/util.ts", "b\n"),
            ("node_modules/pkg/service.ts", "ignored\n"),
            (".secret/x.rs", "fn main() {}\n"),
        ];
        for (rel, text) in files {
            write(&root.join(rel), text);
        }
        write(&tmp.join("outside.txt"), "secret\n");
        write(&tmp.join("elsewhere/data.ts"), "outside data\n");
        symlink_dir(&tmp.join("elsewhere"), &root.join("src/out"));
        Fixture { _dir: dir, tmp, root }
    }

    fn index(&self) -> FileIndex {
        FileIndex::build(&self.root)
    }

    fn facts(&self, index: Option<FileIndex>) -> WorkspaceFacts {
        WorkspaceFacts::new(&self.root, index.map(Arc::new), Arc::new(LineCache::default()))
    }

    fn log(&self) -> PathBuf {
        self.root.join("docs/log.md")
    }
}

fn write(path: &Path, text: &str) {
    write_bytes(path, text.as_bytes());
}

fn write_bytes(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create_dir_all");
    }
    fs::write(path, bytes).expect("write");
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) {
    // Needs developer mode on Windows; the symlink tests then see a missing link.
    let _ = std::os::windows::fs::symlink_dir(target, link);
}

fn paths(matches: &Matches) -> Vec<&str> {
    matches.items.iter().map(|m| m.path.as_str()).collect()
}

mod index {
    use super::*;

    #[test]
    fn indexes_only_visible_unignored_regular_files() {
        let fx = Fixture::new();
        let index = fx.index();
        assert_eq!(index.root(), fx.root);
        let all: Vec<&str> = index.iter().collect();
        assert_eq!(
            all,
            ["README.md", "docs/log.md", "docs/notes.md", "lib/util.ts", "src/auth/service.ts", "src/routes/auth.ts", "tools/util.ts",]
        );
        assert_eq!(index.len(), 7);
        assert!(index.contains("src/auth/service.ts"));
        assert!(!index.contains("node_modules/pkg/service.ts"));
        assert!(!index.contains(".secret/x.rs"));
        assert!(!index.contains("src/out/data.ts"));
        assert_eq!(index.by_file_name("service.ts"), ["src/auth/service.ts"]);
        assert_eq!(index.by_file_name("util.ts"), ["lib/util.ts", "tools/util.ts"]);
        assert!(index.by_file_name("nope.ts").is_empty());
        assert!(index.contains_dir("src"));
        assert!(index.contains_dir("src/auth/"));
        assert!(!index.contains_dir("sr"));
        assert!(!index.contains_dir("node_modules"));
    }

    #[test]
    fn missing_root_gives_an_empty_index() {
        let index = FileIndex::build(Path::new("/definitely/not/here"));
        assert!(index.is_empty());
    }

    #[test]
    fn insert_and_remove_keep_lookups_consistent() {
        let mut index = FileIndex::from_paths(PathBuf::from("/r"), ["b/x.rs", "a/x.rs", "c.rs", "a/x.rs", "../bad", "/abs", ""]);
        assert_eq!(index.iter().collect::<Vec<_>>(), ["a/x.rs", "b/x.rs", "c.rs"]);
        let generation = index.generation();
        assert!(index.insert("aa/x.rs"));
        assert!(!index.insert("aa/x.rs"));
        assert!(!index.insert("a/../x.rs"));
        assert_ne!(index.generation(), generation);
        assert_eq!(index.by_file_name("x.rs"), ["a/x.rs", "aa/x.rs", "b/x.rs"]);
        // Removing a folder removes what is below it, and only that.
        assert_eq!(index.remove("a"), 1);
        assert_eq!(index.by_file_name("x.rs"), ["aa/x.rs", "b/x.rs"]);
        assert_eq!(index.remove("c.rs"), 1);
        assert_eq!(index.remove("c.rs"), 0);
        assert_eq!(index.iter().collect::<Vec<_>>(), ["aa/x.rs", "b/x.rs"]);
    }

    /// Index build against the `ignore` crate's own filtered walk (what the
    /// index used before it built its own ignore matchers), same tree, best
    /// of 3: `cargo test --release --lib index_build_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn index_build_cost() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        fs::create_dir(root.join(".git")).unwrap();
        fs::write(root.join(".gitignore"), "*.log\nbuild/\n").unwrap();
        for i in 0..100_000 {
            let d = root.join(format!("a{}/b{}/c{}", i % 10, i % 100, i % 1000));
            if i < 1000 {
                fs::create_dir_all(&d).unwrap();
                if i % 50 == 0 {
                    fs::write(d.join(".gitignore"), "*.tmp\n!keep.tmp\n").unwrap();
                }
            }
            fs::write(d.join(format!("f{i}.rs")), "").unwrap();
        }
        for i in 0..20_000 {
            let d = root.join(format!("build/o{}", i % 100));
            if i < 100 {
                fs::create_dir_all(&d).unwrap();
            }
            fs::write(d.join(format!("o{i}.o")), "").unwrap();
        }
        let old = || {
            let n = std::sync::atomic::AtomicUsize::new(0);
            ignore::WalkBuilder::new(&root)
                .hidden(true)
                .ignore(true)
                .git_ignore(true)
                .git_exclude(true)
                .git_global(true)
                .parents(true)
                .require_git(false)
                .follow_links(false)
                .build_parallel()
                .run(|| {
                    Box::new(|e| {
                        if e.is_ok_and(|e| e.file_type().is_some_and(|t| t.is_file())) {
                            n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        ignore::WalkState::Continue
                    })
                });
            n.into_inner()
        };
        let best = |f: &dyn Fn() -> usize| {
            (0..3)
                .map(|_| {
                    let t = Instant::now();
                    let n = f();
                    (t.elapsed(), n)
                })
                .min()
                .unwrap()
        };
        let count = |b: &mut ignore::WalkBuilder| {
            let n = std::sync::atomic::AtomicUsize::new(0);
            b.build_parallel().run(|| {
                Box::new(|e| {
                    if e.is_ok_and(|e| e.file_type().is_some_and(|t| t.is_file())) {
                        n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    ignore::WalkState::Continue
                })
            });
            n.into_inner()
        };
        let (t_old, n_old) = best(&old);
        let (t_bare, n_bare) = best(&|| count(ignore::WalkBuilder::new(&root).standard_filters(false).hidden(true)));
        let (t_ours, n_ours) =
            best(&|| count(&mut super::super::rules::walker(&root, Arc::new(super::super::rules::IgnoreRules::new(root.clone())))));
        let (t_new, n_new) = best(&|| FileIndex::build(&root).len());
        eprintln!(
            "100k files + 20k ignored: ignore crate's filters {t_old:?} ({n_old} files); no filter {t_bare:?} ({n_bare}); our rules {t_ours:?} ({n_ours}); FileIndex::build {t_new:?} ({n_new} files, sorted, with the name order)"
        );
        assert_eq!(n_old, n_new);
    }

    proptest::proptest! {
        /// Batched additions and removals (a merge) give the same index as a
        /// fresh build of the resulting set of paths.
        #[test]
        fn batches_match_a_fresh_build(
            start in proptest::collection::btree_set("[a-c]{1,2}(/[a-c]{1,2}){0,2}", 0..40),
            add in proptest::collection::vec("[a-c]{1,2}(/[a-c]{1,2}){0,2}", 0..40),
            remove in proptest::collection::vec("[a-c]{1,2}", 0..4),
        ) {
            let mut index = FileIndex::from_paths(PathBuf::from("/r"), start.iter().cloned());
            index.remove_many(remove.iter().map(String::as_str));
            index.insert_many(add.iter().map(String::as_str));
            // A file and a folder of one name cannot coexist on disk: build
            // the expectation from what the index holds, checked against the ops.
            let listed: Vec<String> = index.iter().map(str::to_owned).collect();
            let fresh = FileIndex::from_paths(PathBuf::from("/r"), listed.clone());
            proptest::prop_assert_eq!(fresh.iter().collect::<Vec<_>>(), index.iter().collect::<Vec<_>>());
            for p in &listed {
                let name = p.rsplit('/').next().unwrap();
                proptest::prop_assert_eq!(fresh.by_file_name(name), index.by_file_name(name));
            }
            for p in &start {
                let gone = remove.iter().any(|r| p == r || p.starts_with(&format!("{r}/")));
                proptest::prop_assert_eq!(index.contains(p), !gone || add.contains(p));
            }
            for p in &add {
                proptest::prop_assert!(index.contains(p));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn updates_match_a_model(ops in proptest::collection::vec((proptest::bool::ANY, 0usize..12), 0..60)) {
            let names = ["a/x", "a/y", "a/b/x", "b/x", "x", "y", "a", "b/a/x", "c/y", "c/d/e/x", "ab/x", "a b/x"];
            let mut model = std::collections::BTreeSet::new();
            let mut index = FileIndex::from_paths(PathBuf::from("/r"), Vec::<String>::new());
            for (add, n) in ops {
                let name = names[n];
                if add {
                    // A file and a folder of the same name cannot coexist.
                    let clash = model.iter().any(|p: &String| p.starts_with(&format!("{name}/")))
                        || model.iter().any(|p| name.starts_with(&format!("{p}/")));
                    if !clash {
                        proptest::prop_assert_eq!(index.insert(name), model.insert(name.to_string()));
                    }
                } else {
                    let before = model.len();
                    model.retain(|p| p != name && !p.starts_with(&format!("{name}/")));
                    proptest::prop_assert_eq!(index.remove(name), before - model.len());
                }
                let listed: Vec<&str> = index.iter().collect();
                let expected: Vec<&str> = model.iter().map(String::as_str).collect();
                proptest::prop_assert_eq!(&listed, &expected);
                for file_name in ["x", "y", "a"] {
                    let expected: Vec<&str> = model
                        .iter()
                        .map(String::as_str)
                        .filter(|p| p.rsplit('/').next() == Some(file_name))
                        .collect();
                    proptest::prop_assert_eq!(index.by_file_name(file_name), expected);
                }
                for name in names {
                    proptest::prop_assert_eq!(index.contains(name), model.contains(name));
                    let dir = format!("{name}/");
                    proptest::prop_assert_eq!(index.contains_dir(name), model.iter().any(|p| p.starts_with(&dir)));
                }
                let matcher = PathMatcher::with_threads(1);
                let found: std::collections::BTreeSet<String> = matcher.query(&index, "x", 100).items.into_iter().map(|m| m.path).collect();
                let expected: std::collections::BTreeSet<String> = model.iter().filter(|p| p.contains('x')).cloned().collect();
                proptest::prop_assert_eq!(found, expected);
            }
        }
    }
}

mod updates {
    use super::*;

    #[test]
    fn events_are_checked_on_disk_and_against_ignore_rules() {
        let fx = Fixture::new();
        let mut index = fx.index();
        write(&fx.root.join("src/new.ts"), "x\n");
        write(&fx.root.join("node_modules/pkg/other.ts"), "x\n");
        write(&fx.root.join("pkg/deep/a.ts"), "x\n");
        write(&fx.root.join("pkg/deep/.hidden.ts"), "x\n");
        write(&fx.root.join("pkg/b.ts"), "x\n");
        write(&fx.root.join("docs/missed.md"), "x\n");
        let applied = index.apply_events(&[
            FsEvent::Created(fx.root.join("src/new.ts")),
            // Ignored, hidden, outside, missing: no change.
            FsEvent::Created(fx.root.join("node_modules/pkg/other.ts")),
            FsEvent::Created(fx.root.join(".secret/x.rs")),
            FsEvent::Created(fx.tmp.join("outside.txt")),
            FsEvent::Created(fx.root.join("src/gone.ts")),
            // A folder brings its visible files.
            FsEvent::Created(fx.root.join("pkg")),
            // A changed file the index missed is added; a link is not.
            FsEvent::Changed(fx.root.join("docs/missed.md")),
            FsEvent::Changed(fx.root.join("src/out")),
        ]);
        assert_eq!(applied, Applied { added: 4, removed: 0, rescan: false });
        assert!(index.contains("docs/missed.md") && !index.contains("src/out"));
        assert!(index.contains("src/new.ts"));
        assert!(index.contains("pkg/deep/a.ts") && index.contains("pkg/b.ts"));
        assert!(!index.contains("node_modules/pkg/other.ts"));
        assert!(!index.contains("pkg/deep/.hidden.ts"));
        assert_eq!(index.by_file_name("service.ts"), ["src/auth/service.ts"]);

        // A removal is only applied when the path is really gone.
        let applied = index.apply_events(&[FsEvent::Removed(fx.root.join("pkg"))]);
        assert_eq!(applied, Applied::default());
        fs::remove_dir_all(fx.root.join("pkg")).expect("remove");
        let applied = index.apply_events(&[FsEvent::Removed(fx.root.join("pkg"))]);
        assert_eq!(applied.removed, 2);
        assert!(!index.contains_dir("pkg"));

        let applied = index.apply_events(&[FsEvent::Changed(fx.root.join(".gitignore"))]);
        assert!(applied.rescan && !applied.changed());
        assert!(index.apply_events(&[FsEvent::Rescan]).rescan);
    }
}

mod fuzzy {
    use super::*;

    fn big_index() -> FileIndex {
        FileIndex::from_paths(
            PathBuf::from("/r"),
            [
                "src/routes/auth.ts",
                "src/auth/service.ts",
                "src/auth/token.ts",
                "src/router.ts",
                "docs/output/report.md",
                "tests/routing/outer.rs",
                "README.md",
                "src/utils/strings.ts",
            ],
        )
    }

    #[test]
    fn rout_ranks_routes_first() {
        let fx = Fixture::new();
        let matcher = PathMatcher::new();
        let found = matcher.query(&fx.index(), "rout", 10);
        assert_eq!(paths(&found).first(), Some(&"src/routes/auth.ts"));
        let found = matcher.query(&big_index(), "rout", 10);
        let top: Vec<&str> = paths(&found).into_iter().take(3).collect();
        assert!(top.contains(&"src/routes/auth.ts"), "{top:?}");
    }

    #[test]
    fn src_au_finds_the_auth_folder() {
        let matcher = PathMatcher::new();
        let found = matcher.query(&big_index(), "src/au", 10);
        let found = paths(&found);
        assert!(found[0].starts_with("src/auth/"), "{found:?}");
        assert!(found[1].starts_with("src/auth/"), "{found:?}");
    }

    #[test]
    fn empty_query_lists_shortest_paths_first() {
        let matcher = PathMatcher::new();
        let found = matcher.query(&big_index(), "", 3);
        assert_eq!(paths(&found), ["README.md", "src/router.ts", "src/auth/token.ts"]);
        assert_eq!(found.total, 8);
        assert!(found.incomplete);
        assert!(found.items.iter().all(|m| m.score == 0));
    }

    #[test]
    fn filters_before_capping() {
        let matcher = PathMatcher::new();
        let found = matcher.query(&big_index(), "ts", 2);
        assert_eq!(found.items.len(), 2);
        // `t…s` also matches `tests/routing/outer.rs`.
        assert_eq!(found.total, 6);
        assert!(found.incomplete);
        let found = matcher.query(&big_index(), "ts", 6);
        assert_eq!(found.items.len(), 6);
        assert!(!found.incomplete);
        let none = matcher.query(&big_index(), "zzz", 5);
        assert_eq!(none, Matches::default());
        let zero = matcher.query(&big_index(), "ts", 0);
        assert!(zero.items.is_empty() && zero.incomplete);
    }

    #[test]
    fn ties_go_to_the_shorter_then_first_path() {
        let index = FileIndex::from_paths(PathBuf::from("/r"), ["b/x.md", "a/x.md", "aa/x.md"]);
        let found = PathMatcher::new().query(&index, "x", 10);
        assert_eq!(found.items[0].score, found.items[2].score);
        assert_eq!(paths(&found), ["a/x.md", "b/x.md", "aa/x.md"]);
    }

    #[test]
    fn narrowing_gives_the_same_answers_as_a_fresh_query() {
        let mut index = big_index();
        let narrowing = PathMatcher::new();
        for query in ["s", "sr", "src", "src/", "src/a", "src/au", "src/aut", "sr", "t", "to"] {
            let fresh = PathMatcher::new().query(&index, query, 4);
            assert_eq!(narrowing.query(&index, query, 4), fresh, "{query}");
        }
        // A changed index is not narrowed from the old match set.
        narrowing.query(&index, "src/a", 10);
        index.insert("src/auxiliary.ts");
        let found = narrowing.query(&index, "src/au", 10);
        assert!(paths(&found).contains(&"src/auxiliary.ts"));
    }

    #[test]
    fn threads_do_not_change_answers() {
        // Enough paths to be scored on several threads.
        let words = ["auth", "routes", "service", "src", "util", "main", "lib", "test", "api", "db"];
        let paths: Vec<String> = (0..20_000)
            .map(|i: usize| format!("{}/{}/{}{}.ts", words[i % 10], words[(i / 10) % 10], words[(i / 100) % 10], i / 1000))
            .collect();
        let index = FileIndex::from_paths(PathBuf::from("/r"), paths);
        let one = PathMatcher::with_threads(1);
        let four = PathMatcher::with_threads(4);
        for query in ["s", "sr", "srv", "rout", "src/au", "zz", "a"] {
            let expected = one.query(&index, query, 20);
            assert!(expected.total > 0 || query == "zz");
            assert_eq!(four.query(&index, query, 20), expected, "{query}");
        }
    }

    #[test]
    fn non_ascii_paths_match() {
        let index = FileIndex::from_paths(PathBuf::from("/r"), ["docs/réunion.md", "docs/other.md"]);
        let found = PathMatcher::new().query(&index, "réu", 10);
        assert_eq!(paths(&found), ["docs/réunion.md"]);
        let found = PathMatcher::new().query(&index, "reu", 10);
        assert_eq!(paths(&found), ["docs/réunion.md"]);
    }
}

mod resolution {
    use super::*;

    #[test]
    fn every_case() {
        let fx = Fixture::new();
        let facts = fx.facts(Some(fx.index()));
        let log = fx.log();
        let found = |rel: &str| Resolution::Found(vec![fx.root.join(rel)]);
        let cases: Vec<(&str, Resolution)> = vec![
            // Root-relative.
            ("src/auth/service.ts", found("src/auth/service.ts")),
            ("./src/auth/service.ts", found("src/auth/service.ts")),
            ("src//auth/./service.ts", found("src/auth/service.ts")),
            ("src/auth", found("src/auth")),
            // Log-relative.
            ("./notes.md", found("docs/notes.md")),
            ("notes.md", found("docs/notes.md")),
            ("../README.md", found("README.md")),
            // Bare names: unique (the ignored copy does not count), ambiguous.
            ("service.ts", found("src/auth/service.ts")),
            ("util.ts", Resolution::Found(vec![fx.root.join("lib/util.ts"), fx.root.join("tools/util.ts")])),
            // Ignored files exist: an explicit path to one is found.
            ("node_modules/pkg/service.ts", found("node_modules/pkg/service.ts")),
            // Outside.
            ("../../etc/passwd", Resolution::Outside),
            ("../../../../../../../../etc/passwd", Resolution::Outside),
            ("src/../../../outside.txt", Resolution::Outside),
            ("src/../../outside.txt", Resolution::NotFound),
            ("..\\..\\outside.txt", Resolution::Outside),
            ("/etc/passwd", Resolution::Outside),
            ("C:\\Windows\\win.ini", Resolution::Outside),
            ("c:/x", Resolution::Outside),
            ("\\\\server\\share", Resolution::Outside),
            ("~/.ssh/id_rsa", Resolution::Outside),
            // Missing.
            ("src/missing.ts", Resolution::NotFound),
            ("missing.ts", Resolution::NotFound),
            ("../missing.md", Resolution::NotFound),
            ("", Resolution::NotFound),
        ];
        for (written, expected) in cases {
            assert_eq!(facts.resolve(&log, written), expected, "{written:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_outside() {
        let fx = Fixture::new();
        let facts = fx.facts(Some(fx.index()));
        assert_eq!(facts.resolve(&fx.log(), "src/out/data.ts"), Resolution::Outside);
        assert_eq!(facts.resolve(&fx.log(), "src/out"), Resolution::Outside);
        assert_eq!(facts.line_count(&fx.root.join("src/out/data.ts")), None);
        assert_eq!(preview(&fx.root, &fx.root.join("src/out/data.ts"), 1, 1, 5), None);
    }

    #[test]
    fn bare_names_wait_for_the_index() {
        let fx = Fixture::new();
        let facts = fx.facts(None);
        assert_eq!(facts.resolve(&fx.log(), "service.ts"), Resolution::Unknown);
        assert_eq!(facts.resolve(&fx.log(), "missing.ts"), Resolution::Unknown);
        // Paths with a folder do not need the index.
        assert_eq!(facts.resolve(&fx.log(), "src/missing.ts"), Resolution::NotFound);
        assert_eq!(facts.resolve(&fx.log(), "README.md"), Resolution::Found(vec![fx.root.join("README.md")]));
    }

    #[test]
    fn resolve_in_canonicalises_the_root() {
        let fx = Fixture::new();
        let index = fx.index();
        let dotted = fx.root.join("src/..");
        assert_eq!(
            resolve_in(&dotted, &fx.log(), "service.ts", Some(&index)),
            Resolution::Found(vec![fx.root.join("src/auth/service.ts")])
        );
        assert_eq!(facts_root(&fx), fx.root);
    }

    fn facts_root(fx: &Fixture) -> PathBuf {
        fx.facts(None).root().to_path_buf()
    }

    #[test]
    fn line_counts_through_the_facts() {
        let fx = Fixture::new();
        let facts = fx.facts(Some(fx.index()));
        assert_eq!(facts.line_count(&fx.root.join("src/auth/service.ts")), Some(145));
        assert_eq!(facts.line_count(&fx.tmp.join("outside.txt")), None);
        assert_eq!(facts.line_count(&fx.root.join("src")), None);
        assert_eq!(facts.line_count(&fx.root.join("nope")), None);
    }
}

mod lines {
    use super::*;

    fn count(bytes: &[u8]) -> Option<usize> {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        write_bytes(&root.join("f"), bytes);
        LineCache::default().line_count(&root, &root.join("f"))
    }

    #[test]
    fn counts_lines_as_an_editor_shows_them() {
        let cases: &[(&[u8], usize)] = &[
            (b"", 0),
            (b"a", 1),
            (b"a\n", 1),
            (b"a\nb", 2),
            (b"a\r\nb\r\n", 2),
            (b"a\rb\r", 2),
            (b"a\rb", 2),
            (b"\n", 1),
            (b"\n\n", 2),
            (b"\r\n\r\n", 2),
            (b"\r\r\n", 2),
            (b"a\n\rb", 3),
            ("é\u{2028}x\n".as_bytes(), 1),
        ];
        for (bytes, expected) in cases {
            assert_eq!(count(bytes), Some(*expected), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn binary_and_oversized_files_are_not_read() {
        assert_eq!(count(b"abc\0def\n"), None);
        let mut late_nul = vec![b'a'; 9000];
        late_nul.push(0);
        assert_eq!(count(&late_nul), Some(1), "a NUL after 8 KiB is text");

        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        write(&root.join("big"), "0123456789\n0123456789\n");
        write(&root.join("small"), "0123456789\n");
        let cache = LineCache::new(11);
        assert_eq!(cache.line_count(&root, &root.join("big")), None);
        assert_eq!(cache.line_count(&root, &root.join("small")), Some(1));
        assert_eq!(preview_capped(&root, &root.join("big"), 1, 1, 1, 11), None);
    }

    #[test]
    fn sees_edits_and_invalidation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let file = root.join("f.txt");
        let cache = LineCache::default();
        write(&file, "a\n");
        assert_eq!(cache.line_count(&root, &file), Some(1));
        write(&file, "a\nb\nc\n");
        assert_eq!(cache.line_count(&root, &file), Some(3), "a length change is seen");
        // Same length, possibly same mtime tick: the watcher's invalidation helps.
        write(&file, "a\n\nc\n");
        cache.invalidate(&file);
        assert_eq!(cache.line_count(&root, &file), Some(3));
        write(&file, "abcdef");
        cache.invalidate(&root);
        assert_eq!(cache.line_count(&root, &file), Some(1));
        fs::remove_file(&file).expect("remove");
        assert_eq!(cache.line_count(&root, &file), None);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_never_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let fifo = root.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable: skipped");
            return;
        }
        // Opening a FIFO for reading would block this test forever.
        assert_eq!(LineCache::default().line_count(&root, &fifo), None);
        assert_eq!(preview(&root, &fifo, 1, 2, 10), None);
        let index = FileIndex::build(&root);
        assert!(index.is_empty());
        let log = root.join("log.md");
        assert_eq!(resolve_in(&root, &log, "pipe", Some(&index)), Resolution::NotFound);
    }

    /// A referenced file swapped for a FIFO between the type check and the
    /// open: the open must not block (it did, and the publisher with it).
    /// Another thread swaps a file and a FIFO at one path as fast as it can
    /// while reads run; every read finishes (bounded wait on the whole run).
    #[test]
    fn a_file_swapped_for_a_fifo_never_blocks_a_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let target = root.join("swapped.ts");
        let (file, fifo) = (root.join("file.tmp"), root.join("fifo.tmp"));
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable: skipped");
            return;
        }
        fs::write(&file, "a\nb\n").unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (stop, target, file, fifo) = (stop.clone(), target.clone(), file.clone(), fifo.clone());
            std::thread::spawn(move || {
                let mut swaps = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // Hard links keep both sources; rename over the target.
                    let tmp = target.with_extension("next");
                    let from = if swaps.is_multiple_of(2) { &file } else { &fifo };
                    let _ = fs::remove_file(&tmp);
                    if fs::hard_link(from, &tmp).is_ok() {
                        let _ = fs::rename(&tmp, &target);
                    }
                    swaps += 1;
                }
                swaps
            })
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = {
            let (root, target) = (root.clone(), target.clone());
            std::thread::spawn(move || {
                let (mut files, mut refused) = (0, 0);
                let cache = LineCache::default();
                for i in 0..30_000 {
                    let got = match i % 8 {
                        0 => cache.line_count(&root, &target),
                        1 => preview(&root, &target, 1, 2, 10).map(|p| p.total_lines),
                        _ => crate::workspace::read_regular(&target, 1 << 20, crate::workspace::Links::Follow).map(|b| b.len() / 2),
                    };
                    cache.clear();
                    match got {
                        Some(n) => {
                            assert_eq!(n, 2);
                            files += 1;
                        }
                        None => refused += 1,
                    }
                }
                let _ = tx.send((files, refused));
            })
        };
        let outcome = rx.recv_timeout(Duration::from_secs(20));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let swaps = swapper.join().unwrap();
        let (files, refused) = outcome.expect("a read blocked on a FIFO");
        reader.join().unwrap();
        eprintln!("{swaps} swaps; {files} reads of the file, {refused} refused");
    }

    #[test]
    fn devices_are_never_read() {
        let dev = Path::new("/dev");
        if dev.join("zero").exists() {
            assert_eq!(LineCache::default().line_count(dev, &dev.join("zero")), None);
            assert_eq!(preview(dev, &dev.join("zero"), 1, 1, 1), None);
        }
    }

    /// Reads one to three bytes at a time, to cross every chunk boundary.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = self.1 % 3 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn reference(text: &[u8]) -> usize {
        let s = String::from_utf8_lossy(text).replace("\r\n", "\n").replace('\r', "\n");
        s.split_terminator('\n').count()
    }

    proptest::proptest! {
        #[test]
        fn streaming_count_matches_a_reference(text in proptest::collection::vec(
            proptest::prop_oneof![proptest::strategy::Just(b'\r'), proptest::strategy::Just(b'\n'), proptest::strategy::Just(b'a')],
            0..40,
        )) {
            let streamed = super::super::read::count_lines(Trickle(&text, 0), 1 << 20);
            proptest::prop_assert_eq!(streamed, Some(reference(&text)));
            let whole = super::super::read::count_lines(&text[..], 1 << 20);
            proptest::prop_assert_eq!(whole, Some(reference(&text)));
        }
    }
}

mod previews {
    use super::*;

    #[test]
    fn bounds() {
        let fx = Fixture::new();
        let service = fx.root.join("src/auth/service.ts");
        let p = preview(&fx.root, &service, 84, 86, 10).expect("preview");
        assert_eq!(p.lines, ["line 84", "line 85", "line 86"]);
        assert_eq!(p.total_lines, 145);
        assert!(!p.truncated);

        let p = preview(&fx.root, &service, 84, 120, 5).expect("preview");
        assert_eq!(p.lines.len(), 5);
        assert_eq!(p.lines[4], "line 88");
        assert!(p.truncated);

        let p = preview(&fx.root, &service, 140, 200, 100).expect("preview");
        assert_eq!(p.lines.len(), 6);
        assert!(!p.truncated, "lines past the end are absent, not truncated");

        let p = preview(&fx.root, &service, 300, 310, 10).expect("preview");
        assert!(p.lines.is_empty() && !p.truncated && p.total_lines == 145);

        let p = preview(&fx.root, &service, 0, 0, 10).expect("preview");
        assert_eq!(p.lines, ["line 1"]);
        let p = preview(&fx.root, &service, 3, 1, 10).expect("preview");
        assert_eq!(p.lines, ["line 3"]);
        let p = preview(&fx.root, &service, 1, 2, 0).expect("preview");
        assert!(p.lines.is_empty() && p.truncated);
    }

    #[test]
    fn line_endings_lossy_utf8_and_long_lines() {
        let fx = Fixture::new();
        let file = fx.root.join("mixed.txt");
        let mut bytes = b"one\r\ntwo\rthree\nbad \xff byte\n".to_vec();
        bytes.extend(vec![b'x'; MAX_PREVIEW_LINE_CHARS + 5]);
        write_bytes(&file, &bytes);
        let p = preview(&fx.root, &file, 1, 5, 10).expect("preview");
        assert_eq!(p.total_lines, 5);
        assert_eq!(&p.lines[..4], ["one", "two", "three", "bad \u{FFFD} byte"]);
        assert_eq!(p.lines[4].chars().count(), MAX_PREVIEW_LINE_CHARS + 1);
        assert!(p.lines[4].ends_with('…'));
    }

    #[test]
    fn refuses_outside_binary_and_folders() {
        let fx = Fixture::new();
        assert_eq!(preview(&fx.root, &fx.tmp.join("outside.txt"), 1, 1, 1), None);
        assert_eq!(preview(&fx.root, &fx.root.join("src/../../outside.txt"), 1, 1, 1), None);
        assert_eq!(preview(&fx.root, &fx.root.join("src"), 1, 1, 1), None);
        write_bytes(&fx.root.join("bin.dat"), b"\x00\x01\x02");
        assert_eq!(preview(&fx.root, &fx.root.join("bin.dat"), 1, 1, 1), None);
    }
}

mod roots {
    use super::*;

    #[test]
    fn filesystem_root_is_not_indexed() {
        assert!(!should_index(Path::new("/")));
        let fx = Fixture::new();
        assert!(should_index(&fx.root));
    }

    #[test]
    fn home_without_marker_is_not_indexed() {
        // Reads $HOME, so it does not change it: only checks what holds there.
        if let Some(home) = std::env::var_os("HOME") {
            let home = PathBuf::from(home);
            let marked = [".git", ".hg", ".jj", ".svn", "worklog.toml"].iter().any(|m| home.join(m).exists());
            assert_eq!(should_index(&home), marked);
            if let Some(parent) = home.parent() {
                if parent.parent().is_some() && !parent.join(".git").exists() {
                    assert!(!should_index(parent));
                }
            }
        }
    }

    #[test]
    fn relative_paths() {
        let root = Path::new("/w");
        assert_eq!(to_relative(root, Path::new("/w/src/a.rs")).as_deref(), Some("src/a.rs"));
        assert_eq!(to_relative(root, Path::new("/w")), None);
        assert_eq!(to_relative(root, Path::new("/x/a.rs")), None);
        assert_eq!(to_relative(root, Path::new("/w/../x")), None);
        assert!(is_hidden(".git/config"));
        assert!(is_hidden("src/.env"));
        assert!(!is_hidden("src/a.env"));
    }
}

mod watcher {
    use super::*;

    /// Polls `seen` until `done` holds or 10 s pass.
    fn wait_for(seen: &Mutex<Vec<FsEvent>>, done: impl Fn(&[FsEvent]) -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if done(&seen.lock().unwrap_or_else(|e| e.into_inner())) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn sees_created_and_removed_files_but_not_ignored_ones() {
        let fx = Fixture::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let handle = watch(&fx.root, move |events| {
            sink.lock().unwrap_or_else(|e| e.into_inner()).extend(events);
        });
        let Some(handle) = handle else {
            eprintln!("no file watcher on this platform: skipped");
            return;
        };
        // Ignored and hidden files first, then a real one.
        write(&fx.root.join("node_modules/pkg/new.ts"), "x\n");
        write(&fx.root.join(".secret/new.rs"), "x\n");
        let created = fx.root.join("src/new.ts");
        write(&created, "x\n");
        assert!(
            wait_for(&seen, |events| events.contains(&FsEvent::Created(created.clone()))),
            "{:?}",
            seen.lock().unwrap_or_else(|e| e.into_inner())
        );
        fs::remove_file(&created).expect("remove");
        assert!(
            wait_for(&seen, |events| events.contains(&FsEvent::Removed(created.clone()))),
            "{:?}",
            seen.lock().unwrap_or_else(|e| e.into_inner())
        );
        // A folder that appears at once (moved in) is one hint; checked on
        // disk (once, by `plan_events`) it brings its files.
        write(&fx.tmp.join("staging/deep/moved.ts"), "x\n");
        fs::rename(fx.tmp.join("staging"), fx.root.join("staged")).expect("rename");
        let staged = FsEvent::Created(fx.root.join("staged"));
        assert!(wait_for(&seen, |events| events.contains(&staged)), "{:?}", seen.lock().unwrap_or_else(|e| e.into_inner()));
        assert_eq!(crate::workspace::plan_events(&fx.root, &[staged]).add, ["staged/deep/moved.ts"]);
        // Changing an ignore file asks for a rescan.
        write(&fx.root.join(".gitignore"), "node_modules/\ndist/\n");
        assert!(wait_for(&seen, |events| events.contains(&FsEvent::Rescan)));

        let events = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for event in &events {
            if let FsEvent::Created(p) | FsEvent::Removed(p) | FsEvent::Changed(p) = event {
                let rel = to_relative(&fx.root, p).expect("inside the root");
                assert!(!rel.starts_with("node_modules") && !is_hidden(&rel), "{event:?}");
            }
        }
        drop(handle);
    }
}
