//! Semantic tokens: the tokens as data (text and kind), their encoding in
//! both position encodings decoded back, and deltas.

use expect_test::{expect, Expect};
use worklog_ls::config::Config;
use worklog_ls::document::Document;
use worklog_ls::ide::semantic::tokens;

const LOG: &str = "---
version: v2
status: needs_review
owner: me
---

# Auth Work Log

[... v0 entry ...]

## v1 | 2025-11-13 14:00 | Start 🔄

**Prev:** Starting
**Now:** ✅ planning, see `src/auth/service.ts:1-82`
**Progress:** 10%
**Next:**
- [HIGH] Create service (src/auth/service.ts)
- [x] [HIGH] Done already
- [MED] Errors
- [P1] Not a priority
**Why This Works:** own label

## v2 | 2025-11-14 | Go on

**Prev:** v1 planned it
**Now:** building
**Progress:** 50%
**Files:**
- `src/auth/service.ts` (x)
  - L47-82: middleware
**Next:**
- [LOW] Later
";

fn render(text: &str) -> String {
    let doc = Document::new(text);
    tokens(&doc, &Config::default(), None)
        .iter()
        .map(|t| format!("{:?}{} {:?}\n", t.kind, if t.declaration { "(declaration)" } else { "" }, &text[t.range.clone()]))
        .collect()
}

fn check(text: &str, want: Expect) {
    want.assert_eq(&render(text));
}

#[test]
fn tokens_of_a_log() {
    check(
        LOG,
        expect![[r#"
        Key "version"
        Version "v2"
        Key "status"
        Status "needs_review"
        Key "owner"
        Elision "[... v0 entry ...]"
        Version(declaration) "v1"
        Label "**Prev:**"
        Label "**Now:**"
        Path "src/auth/service.ts"
        Lines "1-82"
        Label "**Progress:**"
        Label "**Next:**"
        High "[HIGH]"
        Path "src/auth/service.ts"
        Priority "[HIGH]"
        Priority "[MED]"
        Version(declaration) "v2"
        Label "**Prev:**"
        Version "v1"
        Label "**Now:**"
        Label "**Progress:**"
        Label "**Files:**"
        Path "src/auth/service.ts"
        Lines "L47-82"
        Label "**Next:**"
        Priority "[LOW]"
    "#]],
    );
}

#[test]
fn markdown_that_is_not_a_log_gets_none() {
    check("# README\n\n**Now:** see `src/a.rs:1-2`\n\n- [HIGH] x\n\nv2 is out.\n", expect![[r#""#]]);
    // Frontmatter of another kind.
    check("---\nversion: 1.0.0\nstatus: draft\n---\n# Notes\n\n## v1.2.0 | 2026-03-02 | Release\n", expect![[r#""#]]);
}
