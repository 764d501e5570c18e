//! Quick fixes, applied: `check_fix(before_$0, title, after)` finds the
//! diagnostics at the cursor `$0`, applies the fix whose title contains
//! `title` (the preferred one for `""`), compares the text with `after`, and
//! re-analyses it: the diagnostic must be gone and no new one may appear.

use std::path::Path;

use worklog_ls::analysis::{diagnostics, Context, Diagnostic};
use worklog_ls::config::Config;
use worklog_ls::document::Document;

use crate::support::FakeFacts;

const HEAD: &str = "---\nversion: v1\nstatus: in_progress\n---\n# Log\n";
const V1: &str = "## v1 | 2025-11-13 14:00 | Start\n**Prev:** new\n**Now:** doing\n**Progress:** 10%\n**Next:**\n- [HIGH] go\n";

fn analyse(text: &str) -> Vec<Diagnostic> {
    let facts = FakeFacts::new(&[("src/a.rs", 40)]);
    let config = Config::default();
    let path = Path::new("/ws/log.md");
    diagnostics(&Document::new(text), &Context { config: &config, path: Some(path), facts: &facts })
}

fn apply(text: &str, edits: &[(std::ops::Range<usize>, String)]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (r, t) in edits {
        out.replace_range(r, &t);
    }
    out
}

#[track_caller]
fn check_fix(before: &str, title: &str, after: &str) {
    check_fix_with(analyse, before, title, after)
}

#[track_caller]
fn check_fix_with(analyse: impl Fn(&str) -> Vec<Diagnostic>, before: &str, title: &str, after: &str) {
    let at = before.find("$0").expect("a $0 cursor");
    let text = before.replacen("$0", "", 1);
    let found = analyse(&text);
    let here: Vec<&Diagnostic> = found.iter().filter(|d| d.range.start <= at && at <= d.range.end).collect();
    let (d, fix) = here
        .iter()
        .find_map(|d| d.fixes.iter().find(|f| if title.is_empty() { f.preferred } else { f.title.contains(title) }).map(|f| (*d, f)))
        .unwrap_or_else(|| panic!("no fix {title:?} at $0 among {here:#?}"));
    let fixed = apply(&text, &fix.edits);
    assert_eq!(fixed, after, "applying {:?}", fix.title);
    let again = analyse(&fixed);
    assert!(
        again.len() < found.len()
            && !again.iter().any(|x| x.code == d.code
                && x.range.start <= at
                && at <= x.range.end
                && x.code != worklog_ls::analysis::Code::MissingSection),
        "the fix {:?} left {:#?} (before: {:#?})",
        fix.title,
        again,
        found
    );
}

#[test]
fn frontmatter_fixes() {
    check_fix(
        &format!("---\nversion: v1\nstatus: in_progres$0\n---\n# Log\n{V1}"),
        "",
        &format!("---\nversion: v1\nstatus: in_progress\n---\n# Log\n{V1}"),
    );
    check_fix(
        &format!("---\nversion: V1$0\nstatus: blocked\n---\n# Log\n{V1}"),
        "",
        &format!("---\nversion: v1\nstatus: blocked\n---\n# Log\n{V1}"),
    );
    check_fix(&format!("$0---\nversion: v1\n---\n# Log\n{V1}"), "", &format!("---\nversion: v1\nstatus: in_progress\n---\n# Log\n{V1}"));
    check_fix(
        &format!("---\nversion: v3$0\nstatus: blocked\n---\n# Log\n{V1}"),
        "",
        &format!("---\nversion: v1\nstatus: blocked\n---\n# Log\n{V1}"),
    );
}

#[test]
fn entry_fixes() {
    check_fix(&format!("{HEAD}{}", V1.replace("[HIGH] go", "[high$0] go")), "", &format!("{HEAD}{V1}"));
    check_fix(
        &format!("{HEAD}{}", V1.replace("[HIGH] go", "[MEDIUM$0] go")),
        "",
        &format!("{HEAD}{}", V1.replace("[HIGH] go", "[MED] go")),
    );
    check_fix(&format!("{HEAD}{}", V1.replace("[HIGH] go", "g$0o")), "[LOW]", &format!("{HEAD}{}", V1.replace("[HIGH] go", "[LOW] go")));
    check_fix(&format!("{HEAD}{}", V1.replace("**Next:**", "**Nxt:$0**")), "", &format!("{HEAD}{V1}"));
    check_fix(&format!("{HEAD}{}", V1.replace("**Next:**", "__next$0:__")), "", &format!("{HEAD}{}", V1.replace("**Next:**", "__Next:__")));
    check_fix(&format!("{HEAD}{}", V1.replace("doing", "done âœ$0…")), "", &format!("{HEAD}{}", V1.replace("doing", "done ✅")));
}

#[test]
fn missing_section_fix_inserts_the_field() {
    let before = format!("{HEAD}{}", V1.replace("## v1", "## v$01").replace("**Now:** doing\n", ""));
    // In its usual place: after Prev, before Progress.
    check_fix(&before, "Now", &format!("{HEAD}{}", V1.replace("**Now:** doing\n", "**Now:** \n")));
    // Next, the last of the required fields, goes after the entry's last line.
    let before =
        format!("{HEAD}{}", V1.replace("## v1", "## v$01").replace("**Next:**\n- [HIGH] go\n", "**Files:**\n- `src/a.rs` (x)\n\n"));
    check_fix(
        &before,
        "Next",
        &format!("{HEAD}{}", V1.replace("**Next:**\n- [HIGH] go\n", "**Files:**\n- `src/a.rs` (x)\n**Next:** \n\n")),
    );
}

#[test]
fn range_out_of_bounds_fix_clamps_to_the_files_end() {
    let files = |r: &str| format!("{HEAD}{}", V1.replace("**Next:**", &format!("**Files:**\n- {r} (x)\n**Next:**")));
    check_fix(&files("src/a.rs:30-5$00"), "Clamp", &files("src/a.rs:30-40"));
    check_fix(&files("src/a.rs#L30-L9$09"), "Clamp", &files("src/a.rs#L30-L40"));
    check_fix(&files("`src/a.rs:L3$09-50`"), "Clamp", &files("`src/a.rs:L39-40`"));
}

#[test]
fn range_out_of_bounds_without_a_clamp_when_the_range_starts_past_the_end() {
    let text = format!("{HEAD}{}", V1.replace("**Next:**", "**Files:**\n- src/a.rs:41-50 (x)\n**Next:**"));
    let found = analyse(&text);
    let d = found.iter().find(|d| d.code == worklog_ls::analysis::Code::RangeOutOfBounds).expect("range-out-of-bounds");
    assert_eq!(d.fixes, vec![], "nothing inside the file to clamp to");
}

/// A workspace on disk for "did you mean": `src/auth/service.ts` and
/// `src/routes/auth.ts`; a hidden `.hidden/secret.ts`, an ignored
/// `node_modules/pkg/secret.ts`, and `secret.ts` outside the root behind a
/// symbolic link `src/out` — none of which may ever be offered.
struct DiskWs {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    facts: worklog_ls::workspace::WorkspaceFacts,
}

fn disk_ws() -> &'static DiskWs {
    static WS: std::sync::OnceLock<DiskWs> = std::sync::OnceLock::new();
    WS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("repo");
        for p in ["src/auth/service.ts", "src/routes/auth.ts", ".hidden/secret.ts", "node_modules/pkg/secret.ts", "../outside/secret.ts"] {
            let f = root.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "a\nb\n").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "node_modules/\n").unwrap();
        std::fs::write(root.join("worklog.toml"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("outside"), root.join("src/out")).unwrap();
        let index = std::sync::Arc::new(worklog_ls::workspace::FileIndex::build(&root));
        let facts = worklog_ls::workspace::WorkspaceFacts::new(&root, Some(index), Default::default());
        DiskWs { _dir: dir, root, facts }
    })
}

fn analyse_on_disk(text: &str) -> Vec<Diagnostic> {
    let w = disk_ws();
    let config = Config::default();
    let log = w.root.join("log.md");
    diagnostics(&Document::new(text), &Context { config: &config, path: Some(&log), facts: &w.facts })
}

fn with_file(r: &str) -> String {
    format!("{HEAD}{}", V1.replace("**Next:**", &format!("**Files:**\n- {r} (x)\n**Next:**")))
}

#[test]
fn file_not_found_offers_the_nearest_existing_paths() {
    // A typo, a file that moved, another case, a link target.
    check_fix_with(analyse_on_disk, &with_file("`src/auth/servce$0.ts`"), "src/auth/service.ts", &with_file("`src/auth/service.ts`"));
    check_fix_with(analyse_on_disk, &with_file("`src/servi$0ce.ts:1-2`"), "src/auth/service.ts", &with_file("`src/auth/service.ts:1-2`"));
    check_fix_with(analyse_on_disk, &with_file("`src/Auth/Service$0.ts`"), "src/auth/service.ts", &with_file("`src/auth/service.ts`"));
    check_fix_with(
        analyse_on_disk,
        &with_file("[the service](lib/service$0.ts#L1)"),
        "src/auth/service.ts",
        &with_file("[the service](src/auth/service.ts#L1)"),
    );
    let found = analyse_on_disk(&with_file("`src/auth/servce.ts`"));
    let titles: Vec<(&str, Vec<&str>)> =
        found.iter().map(|d| (d.message.as_str(), d.fixes.iter().map(|f| f.title.as_str()).collect())).collect();
    expect_test::expect![[r#"
        [
            (
                "`src/auth/servce.ts` does not exist in the workspace (did you mean `src/auth/service.ts`?).",
                [
                    "Did you mean `src/auth/service.ts`?",
                ],
            ),
        ]
    "#]]
    .assert_debug_eq(&titles);
}

#[test]
fn file_not_found_never_offers_a_far_hidden_ignored_or_outside_path() {
    for r in ["`src/zzz/unrelated.ts`", "`secret.ts`", "`src/secret.ts`", "`lib/x.ts`"] {
        let found = analyse_on_disk(&with_file(r));
        let d = found.iter().find(|d| d.code == worklog_ls::analysis::Code::FileNotFound).unwrap_or_else(|| panic!("{r}: {found:#?}"));
        assert_eq!(d.fixes, vec![], "{r}");
        assert!(!d.message.contains("did you mean"), "{r}: {}", d.message);
    }
}
