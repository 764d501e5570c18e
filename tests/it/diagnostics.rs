//! Every diagnostic code: a fixture that triggers it, with the expected
//! range, and near misses that must not. Snapshots: `UPDATE_EXPECT=1`.

use std::path::Path;

use expect_test::{expect, Expect};
use worklog_ls::analysis::{diagnostics, Context};
use worklog_ls::config::Config;
use worklog_ls::document::Document;

use crate::support::FakeFacts;

/// A valid frontmatter + title; `{}` is replaced by entries.
const HEAD: &str = "---\nversion: v1\nstatus: in_progress\n---\n# Log\n";
/// A complete, clean entry v1.
const V1: &str = "## v1 | 2025-11-13 14:00 | Start\n**Prev:** new\n**Now:** doing\n**Progress:** 10%\n**Next:**\n- [HIGH] go\n";

fn render(text: &str, config: &Config, name: &str) -> String {
    let doc = Document::new(text);
    let facts = FakeFacts::new(&[("src/a.rs", 40), ("src/app/db.rs", 40), ("lib/util/service.ts", 10)]);
    let path = Path::new("/ws").join(name);
    let cx = Context { config, path: Some(&path), facts: &facts };
    let mut out = String::new();
    for d in diagnostics(&doc, &cx) {
        let line = doc.rope().byte_to_line(d.range.start);
        let col = d.range.start - doc.rope().line_to_byte(line);
        out.push_str(&format!(
            "{}:{} {} `{}` {}: {}\n",
            line,
            col,
            d.code.as_str(),
            doc.slice(d.range.clone()),
            d.severity.as_str(),
            d.message
        ));
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    expect.assert_eq(&render(fixture, &Config::default(), "log.md"));
}

fn body(entries: &str) -> String {
    format!("{HEAD}{entries}")
}

#[test]
fn clean_log_has_no_diagnostics() {
    check(&body(V1), expect![""]);
}

#[test]
fn frontmatter_codes() {
    check(
        &format!("# Log\n{V1}"),
        expect![[r#"
        0:0 missing-frontmatter `# Log` error: A Work Log starts with frontmatter: `---`, `version: v1`, `status: in_progress`, `---`.
    "#]],
    );
    // An entry heading without any known field label is not a Work Log
    // (a changelog of `## v5 | 2015-08-31` headings), so nothing is said.
    check("# Log\n## v1 | 2025-11-13 14:00 | A\n", expect![""]);
    check(
        &format!("---\nstatus: blocked\n---\n# Log\n{V1}"),
        expect![[r#"
        0:0 missing-version `---` error: The frontmatter has no `version:` (e.g. `version: v1`).
    "#]],
    );
    check(
        &format!("---\nversion: v1\n---\n# Log\n{V1}"),
        expect![[r#"
        0:0 missing-status `---` error: The frontmatter has no `status:` (in_progress, needs_review, blocked or completed).
    "#]],
    );
    check(
        &format!("---\nversion: V1\nstatus: in_progres\n---\n# Log\n{V1}"),
        expect![[r#"
        1:9 invalid-version `V1` error: `V1` is not a version of the form `vN` (lower-case v, digits).
        2:8 invalid-status `in_progres` error: `in_progres` is not a status; use in_progress, needs_review, blocked, completed (did you mean `in_progress`?).
    "#]],
    );
    check(
        &format!("---\nversion: v1.1\nstatus: done\n---\n# Log\n{V1}"),
        expect![[r#"
        1:9 invalid-version `v1.1` error: `v1.1` is not a version of the form `vN` (lower-case v, digits).
        2:8 invalid-status `done` error: `done` is not a status; use in_progress, needs_review, blocked, completed (did you mean `blocked`?).
    "#]],
    );
    // Quoted values, extra keys and comments are fine.
    check(
        &format!("---\nversion: \"v1\"\nstatus: 'completed' # done\nowner: me\n---\n# Log\n{V1}"),
        expect![[r#"
        2:9 completed-with-open-high `completed` information: The status is `completed`, but the Next of v1 still has 1 open `[HIGH]` item; tick it (`[x]` or ✅) or set the status back to `in_progress`.
    "#]],
    );
    check(
        &format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{V1}"),
        expect![[r#"
        1:9 version-mismatch `v2` error: The frontmatter says v2, but the highest entry is v1.
    "#]],
    );
}

#[test]
fn title() {
    check(
        &format!("---\nversion: v1\nstatus: blocked\n---\n{V1}# Late title\n"),
        expect![[r#"
        4:0 missing-title `## v1 | 2025-11-13 14:00 | Start` warning: No level-1 title (`# … Work Log`) before the first entry.
    "#]],
    );
    // A setext title counts.
    check(&format!("---\nversion: v1\nstatus: blocked\n---\nLog\n===\n{V1}"), expect![""]);
}

#[test]
fn entry_headings() {
    let e = |h: &str| body(&V1.replace("## v1 | 2025-11-13 14:00 | Start", h));
    check(
        &e("## v1 | 2025-13-01 10:00 | Bad month"),
        expect![[r#"
        5:0 malformed-entry `## v1 | 2025-13-01 10:00 | Bad month` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): `2025-13-01 10:00` is not a real date.
    "#]],
    );
    check(
        &e("## v1 | 2025-02-29 10:00 | Not a leap year"),
        expect![[r#"
        5:0 malformed-entry `## v1 | 2025-02-29 10:00 | Not a leap year` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): `2025-02-29 10:00` is not a real date.
    "#]],
    );
    check(
        &e("## v1 | 2025-11-13 24:00 | Bad hour"),
        expect![[r#"
        5:0 malformed-entry `## v1 | 2025-11-13 24:00 | Bad hour` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): `2025-11-13 24:00` is not a real time of day.
    "#]],
    );
    check(
        &e("## v1 - 2025-11-13 - no pipes"),
        expect![[r#"
        5:0 malformed-entry `## v1 - 2025-11-13 - no pipes` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): `v1 - 2025-11-13 - no pipes` is not a version of the form `vN`; missing ` | YYYY-MM-DD | Title` after the version.
    "#]],
    );
    check(
        &e("## v1 | 2025-11-13 14:00 |"),
        expect![[r#"
        5:0 malformed-entry `## v1 | 2025-11-13 14:00 |` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): missing the title after the date.
    "#]],
    );
    // Near misses: not entry headings at all.
    check(&e("## v1 | 2024-02-29 23:59 | Leap day"), expect![""]);
    check(&body(&format!("{V1}## Version 2 | notes\n### v2 | sub\n")), expect![""]);
}

#[test]
fn versions_and_dates() {
    let v2 = V1.replace("v1 | 2025-11-13 14:00", "v2 | 2025-11-14 09:00");
    let v3_early = V1.replace("v1 | 2025-11-13 14:00", "v3 | 2025-11-12 09:00");
    let dup = V1.replace("2025-11-13 14:00", "2025-11-13 15:00");
    check(&format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{V1}{v2}"), expect![""]);
    check(
        &format!("---\nversion: v3\nstatus: blocked\n---\n# Log\n{V1}{v3_early}"),
        expect![[r#"
        11:0 version-order `## v3 | 2025-11-12 09:00 | Start` warning: v3 follows v1; the next version is v2.
        11:0 date-order `## v3 | 2025-11-12 09:00 | Start` warning: This entry is dated before the entry above it.
    "#]],
    );
    check(
        &body(&format!("{V1}{dup}")),
        expect![[r#"
        11:0 duplicate-version `## v1 | 2025-11-13 15:00 | Start` error: A second entry v1: every hand-off gets its own version.
    "#]],
    );
    // Elided versions count as present; an elided entry needs no fields.
    let v3 = V1.replace("v1 | 2025-11-13 14:00", "v3 | 2025-11-15 09:00");
    check(&format!("---\nversion: v3\nstatus: blocked\n---\n# Log\n[... v1 and v2 entries ...]\n{v3}"), expect![""]);
    check(
        &format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n## v1 | 2025-11-13 14:00 | A\n[... previous entry ...]\n{v2}"),
        expect![""],
    );
    // The first entry may have any version; an unparsable date is skipped.
    let v7 = V1.replace("v1 | 2025-11-13 14:00", "v7 | 2025-11-13 14:00");
    check(&format!("---\nversion: v7\nstatus: blocked\n---\n# Log\n{v7}"), expect![""]);
}

#[test]
fn sections() {
    check(&body("## v1 | 2025-11-13 14:00 | A\n**Prev:** x\n**Now:** y\n**Progress:** 5%\n**Next:**\n- [LOW] z\n**Now:** again\n**Nxt:** typo\n**next:** case\n**Colour:** what\n"), expect![[r#"
        11:0 duplicate-section `**Now:**` warning: A second `**Now:**` in this entry.
        12:0 unknown-section `**Nxt:**` hint: `Nxt` is not a Work Log field; did you mean `Next`?
        13:0 unknown-section `**next:**` hint: `next` is not a Work Log field; did you mean `Next`?
    "#]]);
    // `**Label**:` form; labels inside a code block are not structure.
    check(&body("## v1 | 2025-11-13 14:00 | A\n**Prev**: x\n**Now**: y\n**Progress**: 5%\n**Next**:\n- [LOW] z\n```\n**Nxt:** in code\n**Now:** in code\n```\n"), expect![""]);
}

#[test]
fn progress() {
    let p = |v: &str| body(&V1.replace("**Progress:** 10%", &format!("**Progress:** {v}")));
    check(
        &p("120% | too much"),
        expect![[r#"
        8:14 bad-progress `120%` warning: A percentage is outside 0–100%.
    "#]],
    );
    check(&p("about half"), expect![""]);
    check(&p("50 %"), expect![""]);
    check(
        &p(""),
        expect![[r#"
        8:0 bad-progress `**Progress:**` warning: Progress is empty: give a percentage (`60%`) or milestones (`Phase 2/3 | parser ✅ | writer ⏳`).
    "#]],
    );
    check(&p("0% | Planning complete ✅ | Implementation pending ⏳"), expect![""]);
    check(&p("100%"), expect![""]);
}

#[test]
fn priorities() {
    let n = |items: &str| body(&V1.replace("- [HIGH] go\n", items));
    check(
        &n("- [high] a\n- [MEDIUM] b\n- [P1] c\n- [URGENT] d\n"),
        expect![[r#"
        10:2 bad-priority `[high]` error: `[high]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.
        11:2 bad-priority `[MEDIUM]` error: `[MEDIUM]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.
        12:2 bad-priority `[P1]` error: `[P1]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.
        13:2 bad-priority `[URGENT]` error: `[URGENT]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.
    "#]],
    );
    check(
        &n("- no tag\n* [link](src/a.rs) is not a tag\n1. numbered\n"),
        expect![[r#"
        10:2 missing-priority `no tag` warning: This Next item has no priority; start it with `[HIGH]`, `[MED]` or `[LOW]`.
        11:2 missing-priority `[link](src/a.rs) is not a tag` warning: This Next item has no priority; start it with `[HIGH]`, `[MED]` or `[LOW]`.
        12:3 missing-priority `numbered` warning: This Next item has no priority; start it with `[HIGH]`, `[MED]` or `[LOW]`.
    "#]],
    );
    // Near misses: task boxes before tags, nested items, code blocks,
    // lazy continuation lines, other fields.
    check(
        &n("- [ ] [HIGH] boxed\n- [x] [LOW] done\n  - nested free text\n  - [whatever] nested\n```\n- [HIGH] in code\n- [bad] in code\n```\n- [MED] last\n**Open:**\n- [SOON] not in Next\n"),
        expect![""],
    );
}

#[test]
fn references_against_the_disk() {
    let f = |files: &str| body(&V1.replace("**Next:**", &format!("**Files:**\n{files}**Next:**")));
    check(
        &f("- `src/missing.rs` (new)\n- `src/a.rs`\n  - L30-50: past the end\n  - L1-40: fine\n"),
        expect![[r#"
        10:3 file-not-found `src/missing.rs` warning: `src/missing.rs` does not exist in the workspace.
        12:4 range-out-of-bounds `L30-50` warning: Lines 30-50 are past the end of `src/a.rs` (40 lines).
    "#]],
    );
    check(
        &f("- src/a.rs:41 (plain word)\n+: src/a.rs:1-82 (work)\n~: `src/gone.rs`\n- see [x](src/a.rs#L10-L99)\n"),
        expect![[r#"
        10:2 range-out-of-bounds `src/a.rs:41` warning: Lines 41-41 are past the end of `src/a.rs` (40 lines).
        11:3 range-out-of-bounds `src/a.rs:1-82` warning: Lines 1-82 are past the end of `src/a.rs` (40 lines).
        12:4 file-not-found `src/gone.rs` warning: `src/gone.rs` does not exist in the workspace.
        13:10 range-out-of-bounds `src/a.rs#L10-L99` warning: Lines 10-99 are past the end of `src/a.rs` (40 lines).
    "#]],
    );
    // Near misses: planned files (and their nested ranges), removals,
    // Next/Open items, a bare unique name, not-paths.
    check(
        &f("- `src/new.rs` (to be created)\n  - L1-50: planned body\n- `src/b.rs` (Pending)\n-: src/old.rs:1-20 (removed)\n- `service.ts:1-10`\n- `Vec<u8>`, `crypto.generateKeyPairSync()`, `foo.bar`, `npm install`, `/auth/refresh`, `@types/node`\n- (email/password) https://example.com/x.rs\n"),
        expect![""],
    );
    check(&body(&V1.replace("- [HIGH] go", "- [HIGH] write src/next.rs:84-120\n**Open:**\n- `lib/schema.sql:1-200`?")), expect![""]);
}

#[test]
fn disk_checks_run_on_the_latest_entry_only_by_default() {
    let old = V1.replace("**Next:**", "**Files:**\n- `src/missing.rs`\n**Next:**");
    let v2 = V1.replace("v1 | 2025-11-13 14:00", "v2 | 2025-11-14 09:00");
    let text = format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{old}{v2}");
    check(&text, expect![""]);
    let mut all = Config::default();
    all.apply_json(&serde_json::json!({"references": "all"}));
    expect![[r#"
        10:3 file-not-found `src/missing.rs` warning: `src/missing.rs` does not exist in the workspace.
    "#]]
    .assert_eq(&render(&text, &all, "log.md"));
}

#[test]
fn syntax_checks_run_everywhere() {
    let old =
        V1.replace("**Next:**", "**Files:**\n- `src/a.rs:20-10`\n- `../../etc/passwd:1-5`\n- `/etc/passwd:1`\n- `src/a.rs:0`\n**Next:**");
    let v2 = V1.replace("v1 | 2025-11-13 14:00", "v2 | 2025-11-14 09:00");
    check(
        &format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{old}{v2}"),
        expect![[r#"
        10:12 bad-range `20-10` error: Bad line range 20-10: the range starts after it ends.
        11:3 outside-workspace `../../etc/passwd:1-5` error: `../../etc/passwd` is outside the workspace folder; it is never read.
        12:3 outside-workspace `/etc/passwd:1` error: `/etc/passwd` is outside the workspace folder; it is never read.
        13:12 bad-range `0` error: Bad line range 0-0: lines are numbered from 1.
    "#]],
    );
}

#[test]
fn mojibake() {
    check(
        &body(&V1.replace("**Now:** doing", "**Now:** done âœ… and ðŸ”„ wait â³ → ✅")),
        expect![[r#"
        7:14 mojibake `âœ…` warning: `âœ…` looks like `✅` decoded with the wrong encoding (UTF-8 read as Windows-1252).
        7:26 mojibake `ðŸ”„` warning: `ðŸ”„` looks like `🔄` decoded with the wrong encoding (UTF-8 read as Windows-1252).
        7:42 mojibake `â³` warning: `â³` looks like UTF-8 text decoded as Windows-1252, with a byte lost.
    "#]],
    );
}

#[test]
fn not_a_log_is_silent_but_globs_make_one() {
    let readme = "# Notes\n\n**Next:**\n- [SOON] x\n- `lib/missing.rs:1-10`\n\n## Version 2 | notes\n";
    check(readme, expect![""]);
    expect![""].assert_eq(&render(readme, &Config::default(), "Team-WorkLog.md"));
    // A BOM before the frontmatter is ignored.
    check(&format!("\u{feff}{}", body(V1)), expect![""]);
}

#[test]
fn severities_and_required_sections_are_configurable() {
    let mut c = Config::default();
    let w = c.apply_json(&serde_json::json!({
        "requiredSections": ["Prev", "Files"],
        "severities": {"missing-section": "error", "bad-priority": "off"},
    }));
    assert!(w.is_empty());
    expect![[r#"
        5:0 missing-section `## v1 | 2025-11-13 14:00 | Start` error: This entry has no `**Files:**` field.
    "#]]
    .assert_eq(&render(&body(&V1.replace("[HIGH]", "[high]")), &c, "log.md"));
}

#[test]
fn version_2_accepts_the_format_as_its_author_writes_it() {
    // Dates without a time, milestone progress, `__…__`/`***…***` labels,
    // the author's own bold sub-headings, `!:` work lines.
    let log = "## v1 | 2025-11-13 | Start\n__Prev:__ new\n***Now:*** doing\n**Progress:** Phase 2/3 | Auth ✅ | Payments 50% 🔄 | UI ⏳\n**Why This Works:**\n- streams\n**Status:** fine\n**Hypotheses:** none\n**Note:** n\n**Work:**\n!: src/a.rs:1-5 (off by one)\n**Next:**\n- [HIGH] go\n";
    check(&body(log), expect![""]);
    // A date-only entry after a timed entry of the same day is not "before" it.
    let two = format!("{V1}{}", V1.replace("v1 | 2025-11-13 14:00", "v2 | 2025-11-13"));
    check(&format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{two}"), expect![""]);
}

#[test]
fn version_2_near_misses_still_get_their_diagnostic() {
    // A near-typo label still gets its hint, with the fix.
    check(
        &body(&format!("{V1}**Progres:** 5%\n__Nxt:__ x\n")),
        expect![[r#"
        11:0 unknown-section `**Progres:**` hint: `Progres` is not a Work Log field; did you mean `Progress`?
        12:0 unknown-section `__Nxt:__` hint: `Nxt` is not a Work Log field; did you mean `Next`?
    "#]],
    );
    // 150% is out of range.
    check(
        &body(&V1.replace("**Progress:** 10%", "**Progress:** Phase 1 | 150% of budget")),
        expect![[r#"
        8:24 bad-progress `150%` warning: A percentage is outside 0–100%.
    "#]],
    );
    // `## v3 Summary` in a real log: malformed-entry and nothing else (no
    // missing-section, no duplicate-version, no version-order).
    check(
        &body(&format!("{V1}## v1 Summary\nsome prose\n")),
        expect![[r#"
        11:0 malformed-entry `## v1 Summary` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): `v1 Summary` is not a version of the form `vN`; missing ` | YYYY-MM-DD | Title` after the version.
    "#]],
    );
}

#[test]
fn deleted_and_removed_bullets_are_exempt_but_others_are_not() {
    let files = |bullets: &str| body(&V1.replace("**Next:**", &format!("**Files:**\n{bullets}**Next:**")));
    check(&files("- `src/old.rs` (DELETED)\n- `src/gone.rs` removed in this entry\n-: src/x.rs:1-9 (dropped)\n"), expect![""]);
    check(
        &files("- `src/old.rs` (the deleter)\n- `src/gone.rs` (moved)\n"),
        expect![[r#"
        10:3 file-not-found `src/old.rs` warning: `src/old.rs` does not exist in the workspace.
        11:3 file-not-found `src/gone.rs` warning: `src/gone.rs` does not exist in the workspace.
    "#]],
    );
}

#[test]
fn structure_follows_commonmark() {
    // A draft entry in an HTML comment is invisible: the real latest entry
    // keeps its disk checks and nothing is said about the draft.
    let draft = "<!--\n## v2 | 2025-11-14 | Draft\n**Next:**\n- [URGENT] parked\n-->\n";
    check(&body(&format!("{V1}{draft}")), expect![""]);
    check(
        &body(&format!("{}{draft}", V1.replace("- [HIGH] go", "- [HIGH] go\n**Files:**\n- `src/missing.rs` (x)"))),
        expect![[r#"
        12:3 file-not-found `src/missing.rs` warning: `src/missing.rs` does not exist in the workspace.
    "#]],
    );
    // An unclosed fence inside a list item ends with the item.
    let fenced = V1.replace("- [HIGH] go\n", "- [HIGH] go\n  ```\n  - [URGENT] in code\n- [high] out\n");
    check(
        &body(&fenced),
        expect![[r#"
        13:2 bad-priority `[high]` error: `[high]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.
    "#]],
    );
    // HTML blocks are not structure; the list after the blank line is.
    let html = V1.replace("- [HIGH] go\n", "<details>\n- [SOMEDAY] idea\n</details>\n\n- [low] z\n");
    check(
        &body(&html),
        expect![[r#"
        14:2 bad-priority `[low]` error: `[low]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`.
    "#]],
    );
}
