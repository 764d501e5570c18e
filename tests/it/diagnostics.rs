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
        out.push_str(&format!("{}:{} {} `{}` {}\n", line, col, d.code.as_str(), doc.slice(d.range.clone()), d.severity.as_str()));
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
    check("# Log\n## v1 | 2025-11-13 14:00 | A\n", expect![[r#"
        0:0 missing-frontmatter `# Log` error
        1:0 missing-section `## v1 | 2025-11-13 14:00 | A` warning
        1:0 missing-section `## v1 | 2025-11-13 14:00 | A` warning
        1:0 missing-section `## v1 | 2025-11-13 14:00 | A` warning
        1:0 missing-section `## v1 | 2025-11-13 14:00 | A` warning
    "#]]);
    check(&format!("---\nstatus: blocked\n---\n# Log\n{V1}"), expect![[r#"
        0:0 missing-version `---` error
    "#]]);
    check(&format!("---\nversion: v1\n---\n# Log\n{V1}"), expect![[r#"
        0:0 missing-status `---` error
    "#]]);
    check(&format!("---\nversion: V1\nstatus: in_progres\n---\n# Log\n{V1}"), expect![[r#"
        1:9 invalid-version `V1` error
        2:8 invalid-status `in_progres` error
    "#]]);
    check(&format!("---\nversion: v1.1\nstatus: done\n---\n# Log\n{V1}"), expect![[r#"
        1:9 invalid-version `v1.1` error
        2:8 invalid-status `done` error
    "#]]);
    // Quoted values, extra keys and comments are fine.
    check(&format!("---\nversion: \"v1\"\nstatus: 'completed' # done\nowner: me\n---\n# Log\n{V1}"), expect![""]);
    check(&format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{V1}"), expect![[r#"
        1:9 version-mismatch `v2` error
    "#]]);
}

#[test]
fn title() {
    check(&format!("---\nversion: v1\nstatus: blocked\n---\n{V1}# Late title\n"), expect![[r#"
        4:0 missing-title `## v1 | 2025-11-13 14:00 | Start` warning
    "#]]);
    // A setext title counts.
    check(&format!("---\nversion: v1\nstatus: blocked\n---\nLog\n===\n{V1}"), expect![""]);
}

#[test]
fn entry_headings() {
    let e = |h: &str| body(&V1.replace("## v1 | 2025-11-13 14:00 | Start", h));
    check(&e("## v1 | 2025-13-01 10:00 | Bad month"), expect![[r#"
        5:0 malformed-entry `## v1 | 2025-13-01 10:00 | Bad month` error
    "#]]);
    check(&e("## v1 | 2025-02-29 10:00 | Not a leap year"), expect![[r#"
        5:0 malformed-entry `## v1 | 2025-02-29 10:00 | Not a leap year` error
    "#]]);
    check(&e("## v1 | 2025-11-13 24:00 | Bad hour"), expect![[r#"
        5:0 malformed-entry `## v1 | 2025-11-13 24:00 | Bad hour` error
    "#]]);
    check(&e("## v1 - 2025-11-13 - no pipes"), expect![[r#"
        5:0 malformed-entry `## v1 - 2025-11-13 - no pipes` error
    "#]]);
    check(&e("## v1 | 2025-11-13 14:00 |"), expect![[r#"
        5:0 malformed-entry `## v1 | 2025-11-13 14:00 |` error
    "#]]);
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
    check(&format!("---\nversion: v3\nstatus: blocked\n---\n# Log\n{V1}{v3_early}"), expect![[r#"
        11:0 version-order `## v3 | 2025-11-12 09:00 | Start` warning
        11:0 date-order `## v3 | 2025-11-12 09:00 | Start` warning
    "#]]);
    check(&body(&format!("{V1}{dup}")), expect![[r#"
        11:0 duplicate-version `## v1 | 2025-11-13 15:00 | Start` error
    "#]]);
    // Elided versions count as present; an elided entry needs no fields.
    let v3 = V1.replace("v1 | 2025-11-13 14:00", "v3 | 2025-11-15 09:00");
    check(&format!("---\nversion: v3\nstatus: blocked\n---\n# Log\n[... v1 and v2 entries ...]\n{v3}"), expect![""]);
    check(&format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n## v1 | 2025-11-13 14:00 | A\n[... previous entry ...]\n{v2}"), expect![""]);
    // The first entry may have any version; an unparsable date is skipped.
    let v7 = V1.replace("v1 | 2025-11-13 14:00", "v7 | 2025-11-13 14:00");
    check(&format!("---\nversion: v7\nstatus: blocked\n---\n# Log\n{v7}"), expect![""]);
}

#[test]
fn sections() {
    check(&body("## v1 | 2025-11-13 14:00 | A\n**Prev:** x\n**Now:** y\n**Progress:** 5%\n**Next:**\n- [LOW] z\n**Now:** again\n**Nxt:** typo\n**next:** case\n**Colour:** what\n"), expect![[r#"
        11:0 duplicate-section `**Now:**` warning
        12:0 unknown-section `**Nxt:**` hint
        13:0 unknown-section `**next:**` hint
        14:0 unknown-section `**Colour:**` hint
    "#]]);
    // `**Label**:` form; labels inside a code block are not structure.
    check(&body("## v1 | 2025-11-13 14:00 | A\n**Prev**: x\n**Now**: y\n**Progress**: 5%\n**Next**:\n- [LOW] z\n```\n**Nxt:** in code\n**Now:** in code\n```\n"), expect![""]);
}

#[test]
fn progress() {
    let p = |v: &str| body(&V1.replace("**Progress:** 10%", &format!("**Progress:** {v}")));
    check(&p("120% | too much"), expect![[r#"
        8:14 bad-progress `120%` error
    "#]]);
    check(&p("about half"), expect![[r#"
        8:14 bad-progress `about` error
    "#]]);
    check(&p("50 %"), expect![[r#"
        8:14 bad-progress `50` error
    "#]]);
    check(&p(""), expect![[r#"
        8:0 bad-progress `**Progress:**` error
    "#]]);
    check(&p("0% | Planning complete ✅ | Implementation pending ⏳"), expect![""]);
    check(&p("100%"), expect![""]);
}

#[test]
fn priorities() {
    let n = |items: &str| body(&V1.replace("- [HIGH] go\n", items));
    check(&n("- [high] a\n- [MEDIUM] b\n- [P1] c\n- [URGENT] d\n"), expect![[r#"
        10:2 bad-priority `[high]` error
        11:2 bad-priority `[MEDIUM]` error
        12:2 bad-priority `[P1]` error
        13:2 bad-priority `[URGENT]` error
    "#]]);
    check(&n("- no tag\n* [link](src/a.rs) is not a tag\n1. numbered\n"), expect![[r#"
        10:2 missing-priority `no tag` warning
        11:2 missing-priority `[link](src/a.rs) is not a tag` warning
        12:3 missing-priority `numbered` warning
    "#]]);
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
    check(&f("- `src/missing.rs` (new)\n- `src/a.rs`\n  - L30-50: past the end\n  - L1-40: fine\n"), expect![[r#"
        10:3 file-not-found `src/missing.rs` warning
        12:4 range-out-of-bounds `L30-50` warning
    "#]]);
    check(&f("- src/a.rs:41 (plain word)\n+: src/a.rs:1-82 (work)\n~: `src/gone.rs`\n- see [x](src/a.rs#L10-L99)\n"), expect![[r#"
        10:2 range-out-of-bounds `src/a.rs:41` warning
        11:3 range-out-of-bounds `src/a.rs:1-82` warning
        12:4 file-not-found `src/gone.rs` warning
        13:10 range-out-of-bounds `src/a.rs#L10-L99` warning
    "#]]);
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
        10:3 file-not-found `src/missing.rs` warning
    "#]]
    .assert_eq(&render(&text, &all, "log.md"));
}

#[test]
fn syntax_checks_run_everywhere() {
    let old = V1.replace("**Next:**", "**Files:**\n- `src/a.rs:20-10`\n- `../../etc/passwd:1-5`\n- `/etc/passwd:1`\n- `src/a.rs:0`\n**Next:**");
    let v2 = V1.replace("v1 | 2025-11-13 14:00", "v2 | 2025-11-14 09:00");
    check(&format!("---\nversion: v2\nstatus: blocked\n---\n# Log\n{old}{v2}"), expect![[r#"
        10:12 bad-range `20-10` error
        11:3 outside-workspace `../../etc/passwd:1-5` error
        12:3 outside-workspace `/etc/passwd:1` error
        13:12 bad-range `0` error
    "#]]);
}

#[test]
fn mojibake() {
    check(&body(&V1.replace("**Now:** doing", "**Now:** done âœ… and ðŸ”„ wait â³ → ✅")), expect![[r#"
        7:14 mojibake `âœ…` warning
        7:26 mojibake `ðŸ”„` warning
        7:42 mojibake `â³` warning
    "#]]);
}

#[test]
fn not_a_log_is_silent_but_globs_make_one() {
    let readme = "# Notes\n\n**Next:**\n- [SOON] x\n- `lib/missing.rs:1-10`\n\n## Version 2 | notes\n";
    check(readme, expect![""]);
    expect![[r#"
        0:0 missing-frontmatter `# Notes` error
    "#]]
    .assert_eq(&render(readme, &Config::default(), "Team-WorkLog.md"));
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
        5:0 missing-section `## v1 | 2025-11-13 14:00 | Start` error
    "#]]
    .assert_eq(&render(&body(&V1.replace("[HIGH]", "[high]")), &c, "log.md"));
}
