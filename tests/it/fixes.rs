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
