//! `history-disagrees`: a newer file of a log (`Auth-v4.md`) beside its
//! older file (`Auth-v3.md`), on disk, read through the workspace facts.

use std::path::PathBuf;
use std::sync::Arc;

use expect_test::{expect, Expect};
use worklog_ls::analysis::{diagnostics, Code, Context, Diagnostic};
use worklog_ls::config::Config;
use worklog_ls::document::Document;
use worklog_ls::workspace::{FileIndex, WorkspaceFacts};

const OLD: &str = "---\nversion: v3\nstatus: in_progress\n---\n# Auth Log\n
## v1 | 2025-11-13 14:00 | JWT Planning\n**Prev:** new\n**Now:** plan\n**Progress:** 0%\n**Next:**\n- [HIGH] build\n
## v2 | 2025-11-13 15:30 | Core Implementation\n**Prev:** v1\n**Now:** build\n**Progress:** 50%\n**Next:**\n- [HIGH] refresh\n
## v3 | 2025-11-14 | Refresh Strategy\n**Prev:** v2\n**Now:** refresh\n**Progress:** 70%\n**Next:**\n- [HIGH] test\n";

/// `OLD` with a v4 appended and the frontmatter at v4.
fn newer(old: &str) -> String {
    format!(
        "{}\n## v4 | 2025-11-15 | Tests\n**Prev:** v3\n**Now:** test\n**Progress:** 90%\n**Next:**\n- [MED] docs\n",
        old.replace("version: v3", "version: v4")
    )
}

/// A project with `logs/Auth-v3.md` (the older file) and `logs/<name>`
/// holding `text`; the diagnostics of the latter, and its text.
fn analyse(files: &[(&str, &str)], name: &str) -> (String, Vec<Diagnostic>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("repo");
    for (p, t) in files {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, t).unwrap();
    }
    std::fs::write(root.join("worklog.toml"), "").unwrap();
    let facts = WorkspaceFacts::new(&root, Some(Arc::new(FileIndex::build(&root))), Default::default());
    let log: PathBuf = root.join(name);
    let text = std::fs::read_to_string(&log).unwrap();
    let config = Config::default();
    let found = diagnostics(&Document::new(&text), &Context { config: &config, path: Some(&log), facts: &facts });
    (text, found)
}

fn render(text: &str, found: &[Diagnostic]) -> String {
    found
        .iter()
        .map(|d| {
            format!(
                "{} `{}`: {} [{}]\n",
                d.code.as_str(),
                &text[d.range.clone()],
                d.message,
                d.fixes.iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("; ")
            )
        })
        .collect()
}

fn check(files: &[(&str, &str)], name: &str, want: Expect) {
    let (text, found) = analyse(files, name);
    want.assert_eq(&render(&text, &found));
}

#[test]
fn a_rewritten_entry_in_the_newer_file_is_reported_with_the_older_heading_as_fix() {
    let new =
        newer(OLD).replace("Core Implementation", "Core Implementation Complete").replace("2025-11-14 | Refresh", "2025-11-15 | Refresh");
    check(
        &[("logs/Auth-v3.md", OLD), ("logs/Auth-v4.md", &new)],
        "logs/Auth-v4.md",
        expect![[r#"
        history-disagrees `## v2 | 2025-11-13 15:30 | Core Implementation Complete`: v2 has another title in `Auth-v3.md`, the older file of this log: `## v2 | 2025-11-13 15:30 | Core Implementation`. A hand-off copies history; it does not rewrite it. [Use the heading of `Auth-v3.md`]
        history-disagrees `## v3 | 2025-11-15 | Refresh Strategy`: v3 has another date in `Auth-v3.md`, the older file of this log: `## v3 | 2025-11-14 | Refresh Strategy`. A hand-off copies history; it does not rewrite it. [Use the heading of `Auth-v3.md`]
    "#]],
    );
    // The fix restores the older heading; then the file is clean.
    let (text, found) = analyse(&[("logs/Auth-v3.md", OLD), ("logs/Auth-v4.md", &new)], "logs/Auth-v4.md");
    let mut fixed = text.clone();
    let mut edits: Vec<_> = found.iter().filter(|d| d.code == Code::HistoryDisagrees).map(|d| d.fixes[0].edits[0].clone()).collect();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (r, t) in edits {
        fixed.replace_range(r, &t);
    }
    assert_eq!(fixed, newer(OLD));
    let (_, again) = analyse(&[("logs/Auth-v3.md", OLD), ("logs/Auth-v4.md", &fixed)], "logs/Auth-v4.md");
    assert_eq!(render(&fixed, &again), "");
}

#[test]
fn near_misses_stay_silent() {
    let elided = newer(OLD).replacen(
        "## v1 | 2025-11-13 14:00 | JWT Planning\n**Prev:** new\n**Now:** plan\n**Progress:** 0%\n**Next:**\n- [HIGH] build\n",
        "[... v1 entry ...]\n",
        1,
    );
    let cases = [
        // Only the newer file has v4; the rest is the same.
        newer(OLD),
        // v1 elided in the newer file.
        elided,
        // Titles that differ only in whitespace and case; a time only one side has.
        newer(OLD).replace("Core Implementation", "core   implementation").replace("2025-11-14 |", "2025-11-14 09:00 |"),
    ];
    for new in &cases {
        check(&[("logs/Auth-v3.md", OLD), ("logs/Auth-v4.md", new)], "logs/Auth-v4.md", expect![[""]]);
    }
    let rewritten = newer(OLD).replace("JWT Planning", "Sessions");
    // A file of another log beside it; the same log in another folder.
    check(&[("logs/Auth-v3.md", OLD), ("logs/Billing-v4.md", &rewritten)], "logs/Billing-v4.md", expect![[""]]);
    check(&[("old/Auth-v3.md", OLD), ("logs/Auth-v4.md", &rewritten)], "logs/Auth-v4.md", expect![[""]]);
    // A file name without a version; an older file that is not a Work Log.
    check(&[("logs/Auth-v3.md", OLD), ("logs/Auth.md", &rewritten)], "logs/Auth.md", expect![[""]]);
    check(
        &[("logs/Auth-v3.md", "# Auth\n\n## v1 | 2025-11-13 14:00 | JWT Planning\n"), ("logs/Auth-v4.md", &rewritten)],
        "logs/Auth-v4.md",
        expect![[""]],
    );
}

#[test]
fn an_older_file_outside_the_root_or_hidden_is_never_read() {
    let rewritten = newer(OLD).replace("JWT Planning", "Sessions");
    check(&[(".notes/Auth-v3.md", OLD), (".notes/Auth-v4.md", &rewritten)], ".notes/Auth-v4.md", expect![[""]]);
    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("repo");
        std::fs::create_dir_all(root.join("logs")).unwrap();
        std::fs::write(base.join("Auth-v3.md"), OLD).unwrap();
        std::os::unix::fs::symlink(base.join("Auth-v3.md"), root.join("logs/Auth-v3.md")).unwrap();
        std::fs::write(root.join("logs/Auth-v4.md"), &rewritten).unwrap();
        let facts = WorkspaceFacts::new(&root, None, Default::default());
        let log = root.join("logs/Auth-v4.md");
        let found = diagnostics(&Document::new(&rewritten), &Context { config: &Config::default(), path: Some(&log), facts: &facts });
        assert_eq!(render(&rewritten, &found), "");
    }
}
