//! The project root of a log (format contract §3): the folder that
//! references are relative to, whose `worklog.toml` carries the settings, and
//! without which references are not checked against the disk.
//!
//! One function for every client: the CLI calls it with no folder, the server
//! with the editor's workspace folder that holds the log.

use std::path::{Path, PathBuf};

/// The settings file whose folder is a project root.
pub const CONFIG_FILE: &str = "worklog.toml";

/// The project root of the log at `log` (an absolute path, ideally
/// canonical; the file itself need not exist).
///
/// - With `folder` (the editor's workspace folder holding the log): the
///   nearest ancestor of the log, inside `folder` (`folder` included), that
///   holds a `worklog.toml` file; else `folder`.
/// - Without a folder (the CLI, editors that name none), or when the log is
///   not inside `folder`: the nearest ancestor holding `worklog.toml`; else the
///   nearest holding `.git` (a folder, or a file for worktrees and
///   submodules); else `None` — no project root, so no disk checks.
///
/// Only the presence of those two names is looked at; nothing is read.
pub fn project_root_for(log: &Path, folder: Option<&Path>) -> Option<PathBuf> {
    let dir = log.parent()?;
    if let Some(folder) = folder.filter(|f| dir.starts_with(f)) {
        let mut inside = dir.ancestors().take_while(|a| a.starts_with(folder));
        return Some(inside.find(|a| has_config(a)).unwrap_or(folder).to_path_buf());
    }
    dir.ancestors().find(|a| has_config(a)).or_else(|| dir.ancestors().find(|a| a.join(".git").exists())).map(Path::to_path_buf)
}

fn has_config(dir: &Path) -> bool {
    dir.join(CONFIG_FILE).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary tree: folders for names ending in `/`, empty files
    /// otherwise. Returns the canonical root.
    fn tree(entries: &[&str]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for e in entries {
            let p = root.join(e.trim_end_matches('/'));
            if e.ends_with('/') {
                std::fs::create_dir_all(&p).unwrap();
            } else {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, "").unwrap();
            }
        }
        (dir, root)
    }

    #[test]
    fn nearest_worklog_toml_wins_over_a_nearer_git() {
        let (_d, r) = tree(&["worklog.toml", "repo/.git/", "repo/docs/log.md"]);
        let log = r.join("repo/docs/log.md");
        assert_eq!(project_root_for(&log, None), Some(r.clone()));
    }

    #[test]
    fn without_worklog_toml_the_nearest_git() {
        let (_d, r) = tree(&[".git/", "sub/.git", "sub/notes/log.md"]);
        // `.git` as a file (worktree, submodule) counts.
        assert_eq!(project_root_for(&r.join("sub/notes/log.md"), None), Some(r.join("sub")));
        assert_eq!(project_root_for(&r.join("other/log.md"), None), Some(r.clone()));
    }

    #[test]
    fn the_nearest_of_several_worklog_toml() {
        let (_d, r) = tree(&["worklog.toml", "a/worklog.toml", "a/b/log.md"]);
        assert_eq!(project_root_for(&r.join("a/b/log.md"), None), Some(r.join("a")));
        // The log's own folder counts.
        assert_eq!(project_root_for(&r.join("a/log.md"), None), Some(r.join("a")));
    }

    #[test]
    fn a_folder_named_worklog_toml_is_not_a_config() {
        let (_d, r) = tree(&["x/worklog.toml/", "x/log.md", ".git/"]);
        assert_eq!(project_root_for(&r.join("x/log.md"), None), Some(r.clone()));
    }

    #[test]
    fn no_marker_no_root() {
        let (_d, r) = tree(&["a/log.md"]);
        // The temporary folder may itself sit below a `.git` or a
        // `worklog.toml`; only check when it does not.
        if r.ancestors().all(|a| !a.join(".git").exists() && !a.join(CONFIG_FILE).exists()) {
            assert_eq!(project_root_for(&r.join("a/log.md"), None), None);
        }
        assert_eq!(project_root_for(Path::new("/"), None), None);
    }

    #[test]
    fn with_a_folder_worklog_toml_inside_it_else_the_folder() {
        let (_d, r) = tree(&["worklog.toml", "ws/.git/", "ws/p/worklog.toml", "ws/p/q/log.md", "ws/z/log.md"]);
        let ws = r.join("ws");
        assert_eq!(project_root_for(&r.join("ws/p/q/log.md"), Some(&ws)), Some(r.join("ws/p")));
        // `worklog.toml` above the folder is not looked at; `.git` neither.
        assert_eq!(project_root_for(&r.join("ws/z/log.md"), Some(&ws)), Some(ws.clone()));
        // The folder's own `worklog.toml` counts.
        std::fs::write(ws.join("worklog.toml"), "").unwrap();
        assert_eq!(project_root_for(&r.join("ws/z/log.md"), Some(&ws)), Some(ws.clone()));
    }

    #[test]
    fn a_log_outside_the_folder_is_rooted_as_without_one() {
        let (_d, r) = tree(&["ws/", "elsewhere/worklog.toml", "elsewhere/log.md"]);
        let ws = r.join("ws");
        assert_eq!(project_root_for(&r.join("elsewhere/log.md"), Some(&ws)), Some(r.join("elsewhere")));
    }
}
