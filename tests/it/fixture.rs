//! Multi-file fixtures, written as rust-analyzer writes them: `//- path`
//! starts a file, whose text runs to the next `//- ` line; one file may
//! hold the cursor `$0`.
//!
//! ```text
//! //- worklog.toml
//! //- src/auth/service.ts lines=145      145 lines "line 1" … "line 145"
//! //- .gitignore
//! node_modules/
//! //- ../outside/secret.rs               outside the project root
//! secret
//! //- src/out -> ../../outside           a symlink (target relative to its folder)
//! //- docs/log.md
//! ## v1 | 2025-11-13 | x$0
//! ```
//!
//! Paths are relative to the project root, `<tempdir>/repo`; the fixture is
//! written to disk by [`Fixture::write`] so that the workspace layer (index,
//! ignore rules, confinement, line counts) runs as it does in the server.

use std::path::{Path, PathBuf};

/// One `//- ` section.
#[derive(Debug, Clone)]
pub enum Entry {
    File { path: String, text: String },
    Symlink { path: String, target: String },
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub entries: Vec<Entry>,
    /// The file holding `$0` and the byte offset of the cursor in its text
    /// (the marker removed).
    pub cursor: Option<(String, usize)>,
}

impl Fixture {
    pub fn parse(text: &str) -> Fixture {
        let mut entries = Vec::new();
        let mut cursor = None;
        let mut current: Option<(String, String)> = None;
        let finish = |cur: Option<(String, String)>, entries: &mut Vec<Entry>, cursor: &mut Option<(String, usize)>| {
            if let Some((path, text)) = cur {
                let text = match text.find("$0") {
                    Some(at) => {
                        assert!(cursor.is_none(), "more than one $0 in the fixture");
                        *cursor = Some((path.clone(), at));
                        text.replacen("$0", "", 1)
                    }
                    None => text,
                };
                entries.push(Entry::File { path, text });
            }
        };
        for line in text.split_inclusive('\n') {
            let Some(head) = line.strip_prefix("//- ") else {
                match &mut current {
                    Some((_, t)) => t.push_str(line),
                    None => assert!(line.trim().is_empty(), "text before the first `//- ` line: {line:?}"),
                }
                continue;
            };
            finish(current.take(), &mut entries, &mut cursor);
            let head = head.trim_end();
            if let Some((path, target)) = head.split_once(" -> ") {
                entries.push(Entry::Symlink { path: path.trim().into(), target: target.trim().into() });
            } else if let Some((path, n)) = head.split_once(" lines=") {
                let n: usize = n.trim().parse().expect("lines=N");
                entries.push(Entry::File { path: path.trim().into(), text: (1..=n).map(|i| format!("line {i}\n")).collect() });
            } else {
                current = Some((head.to_string(), String::new()));
            }
        }
        finish(current, &mut entries, &mut cursor);
        Fixture { entries, cursor }
    }

    /// The text of the file at `path`, as written (without `$0`).
    pub fn text(&self, path: &str) -> &str {
        self.entries
            .iter()
            .find_map(|e| match e {
                Entry::File { path: p, text } if p == path => Some(text.as_str()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no file {path} in the fixture"))
    }

    /// Writes every file under a new temporary folder.
    pub fn write(&self) -> Written {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("repo");
        std::fs::create_dir_all(&root).unwrap();
        for e in &self.entries {
            match e {
                Entry::File { path, text } => {
                    let f = root.join(path);
                    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
                    std::fs::write(f, text).unwrap();
                }
                Entry::Symlink { path, target } => {
                    let f = root.join(path);
                    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
                    #[cfg(unix)]
                    std::os::unix::fs::symlink(target, f).unwrap();
                    #[cfg(not(unix))]
                    let _ = target;
                }
            }
        }
        // Folders a symlink points at, named by the fixture only as targets,
        // exist once their files are written above.
        Written { _dir: dir, root }
    }
}

/// A fixture on disk; removed when dropped.
pub struct Written {
    _dir: tempfile::TempDir,
    /// The project root (canonical).
    pub root: PathBuf,
}

impl Written {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// `file` relative to the root, or as it is when outside.
    pub fn rel(&self, file: &Path) -> String {
        file.strip_prefix(&self.root).unwrap_or(file).display().to_string()
    }
}

#[test]
fn fixtures_parse_files_symlinks_and_the_cursor() {
    let f = Fixture::parse("//- a.rs lines=2\n//- b/c.md\nx$0y\nz\n//- l -> ../out\n//- empty.toml\n");
    assert_eq!(f.text("a.rs"), "line 1\nline 2\n");
    assert_eq!(f.text("b/c.md"), "xy\nz\n");
    assert_eq!(f.text("empty.toml"), "");
    assert_eq!(f.cursor, Some(("b/c.md".into(), 1)));
    assert!(matches!(&f.entries[2], Entry::Symlink { path, target } if path == "l" && target == "../out"));
    let w = f.write();
    assert_eq!(std::fs::read_to_string(w.path("b/c.md")).unwrap(), "xy\nz\n");
}
