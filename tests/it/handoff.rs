//! The hand-off (issue 12): `next` (start the next entry), `handoff` (the
//! compact copy and its token count), `status` (the line the protocol asks
//! for), the two status-truth codes, and the CLI commands. Fixtures are the
//! project's example logs (examples/, derived from the seed) and logs built
//! from them; the full log of all four hand-offs is assembled from their
//! entries. Snapshots: `UPDATE_EXPECT=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use expect_test::{expect, Expect};
use worklog_ls::analysis::facts::NoFacts;
use worklog_ls::analysis::{diagnostics, Context};
use worklog_ls::config::Config;
use worklog_ls::document::Document;
use worklog_ls::handoff::copy::{elision_line, handoff_copy};
use worklog_ls::handoff::next::{next_entry, NextOptions};
use worklog_ls::handoff::status::{agent_line, lens_text, log_status, superseded};
use worklog_ls::handoff::{apply, name_stem, name_with_version, LocalTime};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn example(v: u32) -> String {
    std::fs::read_to_string(examples().join(format!("Auth-WorkLog-v{v}.md"))).unwrap()
}

/// The entry `## v<v> | …` of example file v<v>, to the end of the file.
fn entry_of(v: u32) -> String {
    let t = example(v);
    let at = t.find(&format!("\n## v{v} | ")).unwrap() + 1;
    t[at..].to_string()
}

/// The whole log after four hand-offs, nothing elided: the v4 file's
/// frontmatter and title, then each example's own entry.
fn full_log() -> String {
    let mut out = String::from("---\nversion: v4\nstatus: needs_review\n---\n\n# API Authentication Work Log\n");
    for v in 1..=4 {
        out.push('\n');
        out.push_str(entry_of(v).trim_end());
        out.push('\n');
    }
    out
}

const CLOCK: LocalTime = LocalTime { year: 2025, month: 11, day: 13, hour: 18, minute: 5 };

fn plain() -> NextOptions {
    NextOptions { now: CLOCK, snippets: false, keep_status: false }
}

/// Diagnostics without disk checks: `line:col code `text``.
fn diags(text: &str) -> String {
    let doc = Document::new(text);
    let config = Config::default();
    let cx = Context { config: &config, path: None, facts: &NoFacts };
    let mut out = String::new();
    for d in diagnostics(&doc, &cx) {
        let line = doc.rope().byte_to_line(d.range.start);
        let col = d.range.start - doc.rope().line_to_byte(line);
        let fixes: Vec<&str> = d.fixes.iter().map(|f| f.title.as_str()).collect();
        out.push_str(&format!(
            "{line}:{col} {} `{}` {}: {} [{}]\n",
            d.code.as_str(),
            doc.slice(d.range.clone()),
            d.severity.as_str(),
            d.message,
            fixes.join("; ")
        ));
    }
    out
}

/// The result of `next`: the frontmatter and everything after the old text.
fn next_result(text: &str, opts: &NextOptions) -> String {
    let doc = Document::new(text);
    let n = next_entry(&doc, opts);
    let out = apply(text, &n.edits);
    let fm_end = out.match_indices("---\n").nth(1).map_or(0, |(i, _)| i + 4);
    let appended = &n.edits.last().unwrap().text;
    format!("{}[…]\n{appended}", &out[..fm_end])
}

fn check_next(text: &str, opts: &NextOptions, expect: Expect) {
    expect.assert_eq(&next_result(text, opts));
}

// ---------------------------------------------------------------- next

#[test]
fn next_on_each_example_log() {
    check_next(
        &example(1),
        &plain(),
        expect![[r#"
        ---
        version: v2
        status: in_progress
        ---
        […]

        ## v2 | 2025-11-13 18:05 | 

        **Prev:** v1: Implementing JWT-based authentication with refresh tokens
        **Now:** 

        **Progress:** 

        **Next:**
        - [HIGH] Create auth service with token generation (src/auth/service.ts)
        - [HIGH] Implement token validation middleware
        - [HIGH] Add login endpoint with password verification
        - [MED] Implement refresh token rotation
        - [MED] Add comprehensive error handling
        - [LOW] Add rate limiting to prevent brute force
        - [LOW] Implement device tracking for refresh tokens
    "#]],
    );
    check_next(
        &example(2),
        &plain(),
        expect![[r#"
        ---
        version: v3
        status: in_progress
        ---
        […]

        ## v3 | 2025-11-13 18:05 | 

        **Prev:** v2: Core auth flow working, refresh token logic pending
        **Now:** 

        **Progress:** 

        **Next:**
        - [HIGH] Implement refresh token rotation (src/auth/service.ts:84-120)
        - [HIGH] Add refresh endpoint with rotation logic (src/routes/auth.ts:50-85)
        - [MED] Implement logout with token invalidation
        - [MED] Add comprehensive integration tests
        - [LOW] Add rate limiting
        - [LOW] Device tracking
    "#]],
    );
    check_next(
        &example(3),
        &plain(),
        expect![[r#"
        ---
        version: v4
        status: in_progress
        ---
        […]

        ## v4 | 2025-11-13 18:05 | 

        **Prev:** v3: Refresh token rotation strategy defined, ready for implementation
        **Now:** 

        **Progress:** 

        **Next:**
        - [HIGH] Add refresh_tokens table migration
        - [HIGH] Implement rotation logic in service.ts:84-120
        - [HIGH] Add refresh endpoint with rotation
        - [MED] Implement logout (mark tokens as used)
        - [MED] Add cleanup job for expired tokens
        - [LOW] Add rate limiting
    "#]],
    );
    // needs_review goes back to in_progress (the protocol: work resumes).
    check_next(
        &example(4),
        &plain(),
        expect![[r#"
        ---
        version: v5
        status: in_progress
        ---
        […]

        ## v5 | 2025-11-13 18:05 | 

        **Prev:** v4: All HIGH priority items complete, ready for review
        **Now:** 

        **Progress:** 

        **Next:**
        - [HIGH] Code review by senior engineer
        - [HIGH] Security review of token handling
        - [MED] Add rate limiting (originally LOW, promoted after considering DoS)
        - [MED] Add monitoring/alerting for suspicious auth patterns
        - [LOW] Device tracking (deferred to v2)
    "#]],
    );
}

#[test]
fn next_keeps_the_status_when_asked() {
    let out = next_result(&example(4), &NextOptions { keep_status: true, ..plain() });
    assert!(out.starts_with("---\nversion: v5\nstatus: needs_review\n---\n"), "{out}");
    for (from, to) in [("blocked", "in_progress"), ("completed", "in_progress"), ("in_progress", "in_progress")] {
        let text = example(2).replace("status: in_progress", &format!("status: {from}"));
        assert!(next_result(&text, &plain()).contains(&format!("status: {to}\n")), "{from}");
    }
}

#[test]
fn next_on_v2_gives_a_v3_skeleton_the_server_accepts_once_filled() {
    let text = example(2);
    assert_eq!(diags(&text), "");
    let doc = Document::new(&text);
    let n = next_entry(&doc, &plain());
    assert_eq!((n.previous, n.version, n.carried), (Some(2), 3, 6));
    let skeleton = apply(&text, &n.edits);
    // The old text is untouched but for the frontmatter version.
    assert_eq!(skeleton.replacen("version: v3", "version: v2", 1)[..text.len()], text);
    // Unfilled, the heading has no title and Now/Progress are empty.
    expect![[r#"
        1:9 version-mismatch `v3` error: The frontmatter says v3, but the highest entry is v2. [Change to `v2`]
        64:0 malformed-entry `## v3 | 2025-11-13 18:05 | ` error: Entry headings read `## vN | YYYY-MM-DD | Title` (a time `HH:MM` after the date is optional): missing the title after the date. []
        69:0 bad-progress `**Progress:**` warning: Progress is empty: give a percentage (`60%`) or milestones (`Phase 2/3 | parser ✅ | writer ⏳`). []
    "#]]
    .assert_eq(&diags(&skeleton));
    let filled = skeleton
        .replace("| 2025-11-13 18:05 | \n", "| 2025-11-13 18:05 | Refresh Strategy Decided\n")
        .replace("**Now:** \n", "**Now:** Refresh token rotation strategy defined\n")
        .replace("**Progress:** \n", "**Progress:** 60% | Ready to implement refresh rotation 🔄\n");
    assert_eq!(diags(&filled), "", "{filled}");
    // It reads as the seed's v3 does: version, status, the carried HIGH items.
    expect![
        "From Work Log v3, status: in_progress. Progress: 60%. Next HIGH: Implement refresh token rotation (src/auth/service.ts:84-120)."
    ]
    .assert_eq(&agent_line(&log_status(&Document::new(&filled))));
}

#[test]
fn next_carries_only_open_items_with_their_nested_lines() {
    let text = "---\nversion: v7\nstatus: completed\n---\n\n# Log\n\n## v7 | 2026-01-02 | Seven\n**Prev:** v6\n**Now:** A very long goal that goes on and on about what this session of work does, how it does it, and what it leaves for the next one to do after it\n**Progress:** 100%\n**Next:**\n- [x] [HIGH] ticked\n- [HIGH] done ✅\n- [ ] [HIGH] open task box\n  - nested detail `src/a.rs:1-2`\n  continuation line\n- [MED] plain open\n\n  a paragraph of the item after a blank line\n- [LOW] costs $5 {x}\n**Blockers:** None\n";
    check_next(
        text,
        &plain(),
        expect![[r#"
        ---
        version: v8
        status: in_progress
        ---
        […]

        ## v8 | 2025-11-13 18:05 | 

        **Prev:** v7: A very long goal that goes on and on about what this session of work does, how it does it, and what it leaves for the…
        **Now:** 

        **Progress:** 

        **Next:**
        - [ ] [HIGH] open task box
          - nested detail `src/a.rs:1-2`
          continuation line
        - [MED] plain open
        - [LOW] costs $5 {x}
    "#]],
    );
    // As a snippet: placeholders, and `$`, `}` escaped in the carried text.
    check_next(
        text,
        &NextOptions { snippets: true, keep_status: true, ..plain() },
        expect![[r#"
        ---
        version: v8
        status: completed
        ---
        […]

        ## v8 | 2025-11-13 18:05 | ${1:Title}

        **Prev:** v7: A very long goal that goes on and on about what this session of work does, how it does it, and what it leaves for the…
        **Now:** ${2:what this session does}

        **Progress:** ${3:0%}

        **Next:**
        - [ ] [HIGH] open task box
          - nested detail `src/a.rs:1-2`
          continuation line
        - [MED] plain open
        - [LOW] costs \$5 {x\}
        $0
    "#]],
    );
}

#[test]
fn next_repairs_a_missing_frontmatter_and_keeps_crlf() {
    let text = "# Log\r\n\r\n## v1 | 2026-01-02 | One\r\n**Prev:** new\r\n**Now:** start\r\n**Progress:** 5%\r\n**Next:**\r\n- [HIGH] go";
    let doc = Document::new(text);
    let out = apply(text, &next_entry(&doc, &plain()).edits);
    assert_eq!(
        out,
        "---\r\nversion: v2\r\nstatus: in_progress\r\n---\r\n\r\n# Log\r\n\r\n## v1 | 2026-01-02 | One\r\n**Prev:** new\r\n**Now:** start\r\n**Progress:** 5%\r\n**Next:**\r\n- [HIGH] go\r\n\r\n## v2 | 2025-11-13 18:05 | \r\n\r\n**Prev:** v1: start\r\n**Now:** \r\n\r\n**Progress:** \r\n\r\n**Next:**\r\n- [HIGH] go\r\n"
    );
    // A frontmatter without version or status gets them before its `---`.
    let text = "---\nowner: me\n---\n# Log\n## v1 | 2026-01-02 | One\n**Now:** x\n";
    let out = apply(text, &next_entry(&Document::new(text), &plain()).edits);
    assert!(out.starts_with("---\nowner: me\nversion: v2\nstatus: in_progress\n---\n# Log\n"), "{out}");
}

#[test]
fn next_file_names() {
    assert_eq!(name_with_version("Auth-WorkLog-v2.md", 3).as_deref(), Some("Auth-WorkLog-v3.md"));
    assert_eq!(name_with_version("WorkLog v9.md", 10).as_deref(), Some("WorkLog v10.md"));
    assert_eq!(name_with_version("api_log_v1.markdown", 2).as_deref(), Some("api_log_v2.markdown"));
    assert_eq!(name_with_version("WorkLog.md", 2), None);
    assert_eq!(name_with_version("notes-v2-draft.md", 3), None);
    assert_eq!(name_with_version("dev2.md", 3), None);
    assert_eq!(name_stem("Auth-WorkLog-v12.md").as_deref(), Some("Auth-WorkLog.md"));
    assert_eq!(LocalTime::parse("2025-11-13 09:05").map(|t| t.to_string()), Ok("2025-11-13 09:05".into()));
    assert!(LocalTime::parse("2025-11-13").is_err() && LocalTime::parse("2025-02-30 10:00").is_err());
}

// ---------------------------------------------------------------- handoff

#[test]
fn handoff_of_the_full_log_is_the_v4_file() {
    let full = full_log();
    assert_eq!(diags(&full), "");
    let copy = handoff_copy(&Document::new(&full), 1);
    assert_eq!(copy.collapsed, [1, 2, 3]);
    assert_eq!(copy.text, example(4));
    assert_eq!(diags(&copy.text), "");
    // Keeping two: v3 and v4 in full, v1 and v2 collapsed.
    let copy = handoff_copy(&Document::new(&full), 2);
    assert!(copy.text.contains("\n[... v1, v2 entries ...]\n\n## v3 | "), "{}", copy.text);
    assert_eq!(copy.kept, [3, 4]);
    assert_eq!(diags(&copy.text), "");
}

#[test]
fn handoff_of_each_example_log() {
    // v2 (its v1 entry elided in place) → the shape of the seed's v3 file:
    // frontmatter, title, one elision line, the latest entry.
    let copy = handoff_copy(&Document::new(&example(2)), 1);
    let shape: Vec<&str> = copy.text.lines().filter(|l| l.starts_with(['-', '#', '[', 'v', 's']) && !l.starts_with("- ")).collect();
    expect![[r###"
        [
            "---",
            "version: v2",
            "status: in_progress",
            "---",
            "# API Authentication Work Log",
            "[... v1 entry ...]",
            "## v2 | 2025-11-13 15:30 | Core Implementation Complete",
        ]
    "###]]
    .assert_debug_eq(&shape);
    assert_eq!(diags(&copy.text), "");
    assert!(copy.text.ends_with(&entry_of(2)));
    // v1 has one entry; v3 and v4 are hand-off copies already: unchanged,
    // and their elisions still name the history.
    for (v, collapsed) in [(1, vec![]), (3, vec![1, 2]), (4, vec![1, 2, 3])] {
        let copy = handoff_copy(&Document::new(&example(v)), 1);
        assert_eq!((copy.text, copy.collapsed), (example(v), collapsed), "v{v}");
    }
    // A copy of the v4 file with v5 started: the old elision merges in.
    let v4 = example(4);
    let mut v5 = apply(&v4, &next_entry(&Document::new(&v4), &plain()).edits);
    v5 = v5
        .replace("| 2025-11-13 18:05 | \n", "| 2025-11-13 18:05 | Review\n")
        .replace("**Now:** \n", "**Now:** review\n")
        .replace("**Progress:** \n", "**Progress:** 95%\n");
    let copy = handoff_copy(&Document::new(&v5), 1);
    assert!(copy.text.contains("# API Authentication Work Log\n\n[... v1, v2, v3, v4 entries ...]\n\n## v5 | "), "{}", copy.text);
    assert_eq!(diags(&copy.text), "");
}

#[test]
fn handoff_keeps_the_diagnostics_of_the_kept_entries_only() {
    let text = "---\nversion: v3\nstatus: in_progress\n---\n# Log\n## v1 | 2026-01-01 | A\n**Prev:** x\n**Now:** y\n**Progress:** 10%\n**Next:**\n- [high] bad tag\n## v2 | 2026-01-02 | B\n**Prev:** x\n**Now:** y\n**Progress:** 150%\n**Next:**\n- [LOW] z\n## v3 | 2026-01-03 | C\n**Prev:** x\n**Now:** y\n**Progress:** 20%\n**Next:**\n- [Medium] z\n";
    let copy = handoff_copy(&Document::new(text), 1);
    expect![[r#"
        ---
        version: v3
        status: in_progress
        ---
        # Log

        [... v1, v2 entries ...]

        ## v3 | 2026-01-03 | C
        **Prev:** x
        **Now:** y
        **Progress:** 20%
        **Next:**
        - [Medium] z
    "#]]
    .assert_eq(&copy.text);
    expect![[r#"
        13:2 bad-priority `[Medium]` error: `[Medium]` is not a priority; use `[HIGH]`, `[MED]` or `[LOW]`. [Change to `[MED]`; Change to `[HIGH]`; Change to `[LOW]`]
    "#]]
    .assert_eq(&diags(&copy.text));
}

#[test]
fn elision_lines() {
    assert_eq!(elision_line(&[1]), "[... v1 entry ...]");
    assert_eq!(elision_line(&[1, 2, 3]), "[... v1, v2, v3 entries ...]");
    assert_eq!(elision_line(&[1, 2, 3, 4, 5, 9]), "[... v1-v5, v9 entries ...]");
    assert_eq!(elision_line(&[1, 2, 3, 4]), "[... v1, v2, v3, v4 entries ...]");
    assert_eq!(elision_line(&[]), "[... earlier entries ...]");
    // A long log: forty entries collapse into one range that the server
    // counts as present (no version-order on v41).
    let mut text = String::from("---\nversion: v41\nstatus: in_progress\n---\n# Log\n");
    for v in 1..=41 {
        text.push_str(&format!("## v{v} | 2026-01-01 | E{v}\n**Prev:** p\n**Now:** n\n**Progress:** {v}%\n**Next:**\n- [LOW] x\n"));
    }
    let copy = handoff_copy(&Document::new(&text), 1);
    assert!(copy.text.contains("[... v1-v40 entries ...]"));
    assert_eq!(diags(&copy.text), "");
}

#[test]
#[cfg(feature = "tokens")]
fn token_counts_of_the_example_logs() {
    use worklog_ls::handoff::tokens::{count_tokens, saving_percent, Size};
    // o200k_base counts (an estimate for Claude); the figures of the docs.
    let full = full_log();
    let copy = handoff_copy(&Document::new(&full), 1).text;
    let (f, c) = (Size::of(&full), Size::of(&copy));
    let mut rows = format!(
        "full log (v1-v4): {} bytes, {} tokens\nhand-off copy: {} bytes, {} tokens, saves {}%\n",
        f.bytes,
        f.tokens,
        c.bytes,
        c.tokens,
        saving_percent(f, c)
    );
    for v in 1..=4 {
        let t = example(v);
        rows.push_str(&format!("example v{v}: {} bytes, {} tokens\n", t.len(), count_tokens(&t)));
    }
    expect![[r#"
        full log (v1-v4): 7204 bytes, 1764 tokens
        hand-off copy: 2227 bytes, 549 tokens, saves 69%
        example v1: 1780 bytes, 425 tokens
        example v2: 2306 bytes, 582 tokens
        example v3: 1244 bytes, 308 tokens
        example v4: 2227 bytes, 549 tokens
    "#]]
    .assert_eq(&rows);
    assert_eq!(count_tokens("hello world"), 2);
    assert!(count_tokens("<|endoftext|>") > 1, "special tokens are read as text");
}

// ---------------------------------------------------------------- status

#[test]
fn status_line_on_every_example_log() {
    let mut out = String::new();
    for v in 1..=4 {
        let s = log_status(&Document::new(&example(v)));
        out.push_str(&format!("{}\n  {}\n", agent_line(&s), lens_text(&s)));
    }
    let s = log_status(&Document::new(&full_log()));
    out.push_str(&format!("{}\n  {}\n", agent_line(&s), lens_text(&s)));
    expect![[r#"
        From Work Log v1, status: in_progress. Progress: 0%. Next HIGH: Create auth service with token generation (src/auth/service.ts).
          v1 · in_progress · 0% · 3 HIGH open
        From Work Log v2, status: in_progress. Progress: 60%. Next HIGH: Implement refresh token rotation (src/auth/service.ts:84-120).
          v2 · in_progress · 60% · 2 HIGH open
        From Work Log v3, status: in_progress. Progress: 60%. Next HIGH: Add refresh_tokens table migration.
          v3 · in_progress · 60% · 3 HIGH open
        From Work Log v4, status: needs_review. Progress: 90%. Next HIGH: Code review by senior engineer.
          v4 · needs_review · 90% · 2 HIGH open
        From Work Log v4, status: needs_review. Progress: 90%. Next HIGH: Code review by senior engineer.
          v4 · needs_review · 90% · 2 HIGH open
    "#]]
    .assert_eq(&out);
}

#[test]
fn status_as_data() {
    let s = log_status(&Document::new(&example(4)));
    expect![[r#"
        {
          "version": 4,
          "status": "needs_review",
          "latest": {
            "version": 4,
            "date": "2025-11-13 17:30",
            "title": "Implementation Complete"
          },
          "progress": "90% | Implementation ✅ | Review pending ⏳",
          "percent": 90,
          "next": {
            "high": [
              "Code review by senior engineer",
              "Security review of token handling"
            ],
            "med": [
              "Add rate limiting (originally LOW, promoted after considering DoS)",
              "Add monitoring/alerting for suspicious auth patterns"
            ],
            "low": [
              "Device tracking (deferred to v2)"
            ],
            "other": []
          },
          "blockers": [],
          "references": [
            {
              "path": "src/auth/service.ts",
              "lines": [
                1,
                45
              ]
            },
            {
              "path": "src/auth/service.ts",
              "lines": [
                47,
                82
              ]
            },
            {
              "path": "src/auth/service.ts",
              "lines": [
                84,
                145
              ]
            },
            {
              "path": "src/routes/auth.ts",
              "lines": [
                1,
                48
              ]
            },
            {
              "path": "src/routes/auth.ts",
              "lines": [
                50,
                95
              ]
            },
            {
              "path": "src/routes/auth.ts",
              "lines": [
                97,
                125
              ]
            },
            {
              "path": "prisma/migrations/002_refresh_tokens.sql",
              "lines": [
                1,
                20
              ]
            },
            {
              "path": "tests/auth/integration.test.ts",
              "lines": [
                1,
                150
              ]
            },
            {
              "path": "src/routes/auth.ts",
              "lines": [
                50,
                125
              ]
            }
          ]
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&s).unwrap());
}

#[test]
fn status_of_blocked_milestone_and_empty_logs() {
    let text = "---\nversion: v2\nstatus: blocked\n---\n# Log\n## v2 | 2026-01-02 | Two\n**Prev:** v1\n**Now:** wait\n**Progress:** Phase 2/3 | Auth ✅ | UI ⏳\n**Blockers:**\n- Staging DB credentials (owner: ops, ETA Friday).\n**Next:**\n- [x] [HIGH] done\n- [MED] Then this\n- untagged\n";
    let s = log_status(&Document::new(text));
    expect!["From Work Log v2, status: blocked. Progress: Phase 2/3 | Auth ✅ | UI ⏳. Blocked by: Staging DB credentials (owner: ops, ETA Friday). Next MED: Then this."].assert_eq(&agent_line(&s));
    expect!["v2 · blocked · 2 open"].assert_eq(&lens_text(&s));
    let s = log_status(&Document::new("---\nversion: v1\nstatus: completed\n---\n# Log\n"));
    expect!["From Work Log v1, status: completed. Progress: unknown. No open Next items."].assert_eq(&agent_line(&s));
    expect!["v1 · completed · nothing open"].assert_eq(&lens_text(&s));
}

#[test]
fn the_highest_version_of_one_log_is_current() {
    let p = |s: &'static str| Path::new(s);
    let files = [
        (p("logs/Auth-WorkLog-v1.md"), Some(1)),
        (p("logs/Auth-WorkLog-v4.md"), Some(4)),
        (p("logs/Auth-WorkLog-v3.md"), Some(3)),
        (p("other/Auth-WorkLog-v2.md"), Some(2)), // another folder: another log
        (p("logs/Billing-WorkLog-v2.md"), Some(2)),
        (p("logs/WorkLog.md"), Some(9)),
        (p("logs/WorkLog v2.md"), None), // version from the name only
        (p("logs/WorkLog v1.md"), None),
    ];
    assert_eq!(superseded(&files), [Some(1), None, Some(1), None, None, None, None, Some(6)]);
}

// ------------------------------------------------- status that tells the truth

fn log_with(status: &str, next: &str, blockers: &str) -> String {
    format!("---\nversion: v2\nstatus: {status}\n---\n# Log\n## v1 | 2026-01-01 | A\n**Prev:** p\n**Now:** n\n**Progress:** 10%\n**Next:**\n- [HIGH] old open item\n## v2 | 2026-01-02 | B\n**Prev:** v1\n**Now:** n\n**Progress:** 100%\n{blockers}**Next:**\n{next}")
}

#[test]
fn completed_with_open_high() {
    expect![[r#"
        2:8 completed-with-open-high `completed` information: The status is `completed`, but the Next of v2 still has 2 open `[HIGH]` items; tick them (`[x]` or ✅) or set the status back to `in_progress`. [Change the status to `in_progress`]
    "#]]
    .assert_eq(&diags(&log_with("completed", "- [HIGH] ship it\n- [ ] [HIGH] announce\n- [x] [HIGH] done\n", "")));
    // Near misses: every HIGH ticked or ✅ (only MED/LOW open); an open HIGH
    // in an older entry; not completed; a completed log with no Next.
    assert_eq!(diags(&log_with("completed", "- [x] [HIGH] ship it\n- [HIGH] announce ✅\n- [MED] polish\n", "")), "");
    assert_eq!(diags(&log_with("completed", "- [LOW] later\n", "")), "");
    assert_eq!(diags(&log_with("needs_review", "- [HIGH] review\n", "")), "");
    assert_eq!(diags(&log_with("completed", "", "")).lines().filter(|l| l.contains("completed-with-open-high")).count(), 0);
    // The fix sets the status to in_progress, after which all is quiet.
    let text = log_with("completed", "- [HIGH] ship it\n", "");
    let doc = Document::new(&text);
    let config = Config::default();
    let d = diagnostics(&doc, &Context { config: &config, path: None, facts: &NoFacts });
    let (r, new) = d[0].fixes[0].edits[0].clone();
    let fixed = format!("{}{new}{}", &text[..r.start], &text[r.end..]);
    assert_eq!(diags(&fixed), "");
}

#[test]
fn blocked_without_blocker() {
    expect![[r#"
        2:8 blocked-without-blocker `blocked` information: The status is `blocked`, but v2 says `**Blockers:** None`; write the blocker down (with owner or ETA) or set the status to `in_progress`. [Change the status to `in_progress`]
    "#]]
    .assert_eq(&diags(&log_with("blocked", "- [HIGH] x\n", "**Blockers:** None\n")));
    assert!(diags(&log_with("blocked", "- [HIGH] x\n", "**Blockers:** none - all clear\n")).contains("blocked-without-blocker"));
    // Near misses: a real blocker (on the line or as a list); no Blockers
    // field at all; `None` while not blocked.
    assert_eq!(diags(&log_with("blocked", "- [HIGH] x\n", "**Blockers:** Waiting for the staging DB (ops, Friday)\n")), "");
    assert_eq!(diags(&log_with("blocked", "- [HIGH] x\n", "**Blockers:**\n- API keys from the vendor\n")), "");
    assert_eq!(diags(&log_with("blocked", "- [HIGH] x\n", "**Blockers:** Nonexistent test fixtures\n")), "");
    assert_eq!(diags(&log_with("blocked", "- [HIGH] x\n", "")), "");
    assert_eq!(diags(&log_with("in_progress", "- [HIGH] x\n", "**Blockers:** None\n")), "");
}

// ---------------------------------------------------------------- CLI

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_worklog-ls")).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("run worklog-ls");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// A folder holding the example logs v1-v4 and the full log.
fn logs_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for v in 1..=4 {
        std::fs::write(dir.path().join(format!("Auth-WorkLog-v{v}.md")), example(v)).unwrap();
    }
    std::fs::write(dir.path().join("Auth-Full.md"), full_log()).unwrap();
    std::fs::write(dir.path().join("README.md"), "# Not a log\n").unwrap();
    dir
}

#[test]
fn cli_next() {
    let dir = logs_dir();
    let d = dir.path();
    let now = ["--now", "2025-11-13 18:05"];
    // stdout; the file is untouched.
    let (code, out, err) = run_in(d, &[&["next", "Auth-WorkLog-v2.md"][..], &now].concat());
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, apply(&example(2), &next_entry(&Document::new(&example(2)), &plain()).edits));
    assert_eq!(std::fs::read_to_string(d.join("Auth-WorkLog-v2.md")).unwrap(), example(2));
    // --file: the next file of the log, beside it; never overwritten.
    let (code, out, err) = run_in(d, &[&["next", "--file", "Auth-WorkLog-v4.md"][..], &now].concat());
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(err, "wrote Auth-WorkLog-v5.md: v5 started, 5 open Next items carried over\n");
    assert!(std::fs::read_to_string(d.join("Auth-WorkLog-v5.md")).unwrap().contains("\n## v5 | 2025-11-13 18:05 | \n"));
    let (code, _, err) = run_in(d, &["next", "--file", "Auth-WorkLog-v4.md"]);
    assert_eq!(code, 2);
    assert_eq!(err, "worklog-ls: Auth-WorkLog-v5.md already exists; not overwritten (remove it, or use --in-place on it)\n");
    // The v2 log's next file would be v3, which exists.
    assert_eq!(run_in(d, &["next", "--file", "Auth-WorkLog-v2.md"]).0, 2);
    assert_eq!(std::fs::read_to_string(d.join("Auth-WorkLog-v3.md")).unwrap(), example(3));
    let (code, _, err) = run_in(d, &["next", "--file", "Auth-Full.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("the file name carries no version"), "{err}");
    // --in-place, --keep-status.
    let (code, _, err) = run_in(d, &[&["next", "--in-place", "--keep-status", "Auth-Full.md"][..], &now].concat());
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(d.join("Auth-Full.md")).unwrap();
    assert!(
        text.starts_with("---\nversion: v5\nstatus: needs_review\n---\n") && text.ends_with("- [LOW] Device tracking (deferred to v2)\n"),
        "{text}"
    );
    // Errors: not a Work Log (1), no file (2), a bad clock (2), both outputs (2).
    let (code, _, err) = run_in(d, &["next", "README.md"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("worklog-ls: README.md: not a Work Log: "), "{err}");
    assert_eq!(run_in(d, &["next", "missing.md"]).0, 2);
    let (code, _, err) = run_in(d, &["next", "--now", "2025-13-01 10:00", "Auth-WorkLog-v1.md"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("worklog-ls: --now: "), "{err}");
    assert_eq!(run_in(d, &["next", "--in-place", "--file", "Auth-WorkLog-v1.md"]).0, 2);
    // Without --now: the local clock, a valid heading.
    let (code, out, _) = run_in(d, &["next", "Auth-WorkLog-v1.md"]);
    assert_eq!(code, 0);
    let heading = out.lines().find(|l| l.starts_with("## v2 | ")).unwrap();
    assert!(LocalTime::parse(heading.trim_start_matches("## v2 | ").trim_end_matches(" | ").trim_end_matches(" |")).is_ok(), "{heading}");
}

#[test]
#[cfg(feature = "tokens")]
fn cli_handoff() {
    let dir = logs_dir();
    let d = dir.path();
    let (code, out, err) = run_in(d, &["handoff", "Auth-Full.md"]);
    assert_eq!(code, 0);
    assert_eq!(out, example(4));
    expect![[r#"
        log: 7,204 bytes, 1,764 tokens; hand-off copy: 2,227 bytes, 549 tokens; saves 69% of the tokens (o200k_base; an estimate for Claude)
    "#]]
    .assert_eq(&err);
    let (code, out, _) = run_in(d, &["handoff", "-o", "copy.md", "--keep", "2", "Auth-Full.md"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(std::fs::read_to_string(d.join("copy.md")).unwrap().contains("[... v1, v2 entries ...]"));
    // The copy is clean for `check`.
    let (code, out, _) = run_in(d, &["check", "copy.md"]);
    assert_eq!(code, 0, "{out}");
    // Refusals: the log itself as output, --keep 0, not a log.
    assert_eq!(run_in(d, &["handoff", "-o", "Auth-Full.md", "Auth-Full.md"]).0, 2);
    assert_eq!(run_in(d, &["handoff", "--keep", "0", "Auth-Full.md"]).0, 2);
    assert_eq!(run_in(d, &["handoff", "README.md"]).0, 1);
}

#[test]
fn cli_status() {
    let dir = logs_dir();
    let d = dir.path();
    let (code, out, _) = run_in(d, &["status", "Auth-WorkLog-v2.md"]);
    assert_eq!(code, 0);
    expect![[r#"
        From Work Log v2, status: in_progress. Progress: 60%. Next HIGH: Implement refresh token rotation (src/auth/service.ts:84-120).
    "#]]
    .assert_eq(&out);
    let (code, out, _) = run_in(d, &["status", "Auth-WorkLog-v1.md", "Auth-WorkLog-v2.md", "Auth-WorkLog-v3.md", "Auth-WorkLog-v4.md"]);
    assert_eq!(code, 0);
    expect![[r#"
        Auth-WorkLog-v1.md: superseded by Auth-WorkLog-v4.md (v4); not current
        Auth-WorkLog-v2.md: superseded by Auth-WorkLog-v4.md (v4); not current
        Auth-WorkLog-v3.md: superseded by Auth-WorkLog-v4.md (v4); not current
        Auth-WorkLog-v4.md: From Work Log v4, status: needs_review. Progress: 90%. Next HIGH: Code review by senior engineer.
    "#]]
    .assert_eq(&out);
    let (code, out, err) = run_in(d, &["status", "--format", "json", "Auth-WorkLog-v3.md", "Auth-WorkLog-v4.md", "README.md"]);
    assert_eq!(code, 1);
    assert!(err.contains("README.md: not a Work Log"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"][0]["current"], false);
    assert_eq!(v["files"][0]["superseded_by"], "Auth-WorkLog-v4.md");
    assert_eq!(v["files"][1]["current"], true);
    assert_eq!(v["files"][1]["lens"], "v4 · needs_review · 90% · 2 HIGH open");
    assert_eq!(v["files"][1]["status"]["next"]["high"][1], "Security review of token handling");
    assert_eq!(v["files"][1]["status"]["percent"], 90);
    assert_eq!(v["errors"][0]["path"], "README.md");
    assert_eq!(run_in(d, &["status", "missing.md"]).0, 2);
    assert_eq!(run_in(d, &["status"]).0, 2);
}

#[test]
fn lenses_on_frontmatter_and_each_entry() {
    use worklog_ls::handoff::status::lenses;
    let text = full_log();
    let doc = Document::new(&text);
    let got: Vec<(usize, String)> = lenses(&doc).into_iter().map(|l| (doc.rope().byte_to_line(l.at), l.title)).collect();
    let headings: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.starts_with("## v")).map(|(i, _)| i).collect();
    assert_eq!(got.len(), headings.len() + 1, "{got:?}");
    assert_eq!(got[0], (0, lens_text(&log_status(&doc))));
    for ((line, title), h) in got[1..].iter().zip(&headings) {
        assert_eq!(line, h);
        assert!(title.starts_with('v') && title.ends_with("HIGH open"), "{title}");
    }
    // Ticked and ✅ items are not open; dates without a time stay so.
    let log = "---\nversion: v1\nstatus: in_progress\n---\n# T\n\n## v1 | 2025-11-13 | A\n**Prev:** x\n**Now:** y\n**Progress:** 5%\n**Next:**\n- [HIGH] one\n- [x] [HIGH] done\n- [HIGH] two ✅\n- [MED] three\n";
    let doc = Document::new(log);
    let titles: Vec<String> = lenses(&doc).into_iter().map(|l| l.title).collect();
    assert_eq!(titles, ["v1 · in_progress · 5% · 1 HIGH open", "v1 · 2025-11-13 · 1 HIGH open"]);
}

#[test]
fn heading_completion_only_after_the_last_entry() {
    use worklog_ls::handoff::next::heading_completion;
    let now = LocalTime::parse("2025-11-14 09:05").unwrap();
    let base = example(4);
    let base = base.trim_end();
    for typed in ["## v", "## v5", "## v12"] {
        let text = format!("{base}\n\n{typed}");
        let doc = Document::new(&text);
        let start = text.len() - typed.len();
        assert_eq!(heading_completion(&doc, text.len(), now), Some((start..text.len(), "## v5 | 2025-11-14 09:05 | ".to_string())), "{typed}");
    }
    for (text, at) in [
        // Not just `## v<digits>`: a title follows, or other text.
        (format!("{base}\n\n## v5 | x"), None),
        (format!("{base}\n\n## va"), None),
        // Inside a fence of the last entry.
        (format!("{base}\n\n```\n## v"), None),
        // Before the last entry.
        (format!("---\nversion: v1\nstatus: in_progress\n---\n## v\n{}", &base[base.find("## v4").unwrap()..]), Some(44)),
    ] {
        let doc = Document::new(&text);
        let at = at.unwrap_or(text.len());
        assert_eq!(heading_completion(&doc, at, now), None, "{text:?}");
    }
}
