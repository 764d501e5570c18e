//! Semantic tokens: the tokens as data (text and kind), their encoding in
//! both position encodings decoded back, and deltas.

use expect_test::{expect, Expect};
use proptest::prelude::*;
use tower_lsp_server::ls_types::Position;
use worklog_ls::config::Config;
use worklog_ls::document::Document;
use worklog_ls::ide::semantic::{tokens, Kind, Token};
use worklog_ls::lsp::encoding::{self, Encoding};
use worklog_ls::lsp::semantic;

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

/// Each decoded token back to the text it covers (positions in `enc`).
fn decoded_texts(text: &str, enc: Encoding) -> Vec<String> {
    let doc = Document::new(text);
    let data = semantic::encode(&doc.text(), &tokens(&doc, &Config::default(), None), enc);
    let legend = semantic::legend();
    semantic::decode(&data)
        .into_iter()
        .map(|[line, col, len, ty, mods]| {
            let start = encoding::offset(doc.rope(), Position { line, character: col }, enc);
            let end = encoding::offset(doc.rope(), Position { line, character: col + len }, enc);
            let ty = legend.token_types[ty as usize].as_str();
            let decl = if mods & 1 != 0 { "+declaration" } else { "" };
            format!("{line}:{col} {ty}{decl} {:?}", &text[start..end])
        })
        .collect()
}

/// Emoji before tokens on their lines: `🔄` is 4 bytes and 2 UTF-16 units,
/// `✅` 3 bytes and 1 unit. The same tokens come back in both encodings.
#[test]
fn encoded_and_decoded_in_both_encodings() {
    let text = "---\nversion: v1\nstatus: in_progress\n---\n# T\n\n## v1 | 2025-11-13 14:00 | A 🔄\n\n**Prev:** 🔄 x\n**Now:** ✅ done, 🔄 `src/a.rs:1-2` then v1\n**Progress:** 50%\n**Next:**\n- [HIGH] ✅ go 🔄 v1\n- [LOW] 🔄\n\n[... 🔄 v0 entry ...]\n";
    let utf16 = decoded_texts(text, Encoding::Utf16);
    expect![[r#"
        [
            "1:0 property \"version\"",
            "1:9 number \"v1\"",
            "2:0 property \"status\"",
            "2:8 enumMember \"in_progress\"",
            "6:3 number+declaration \"v1\"",
            "8:0 property \"**Prev:**\"",
            "9:0 property \"**Now:**\"",
            "9:21 string \"src/a.rs\"",
            "9:30 number \"1-2\"",
            "9:40 number \"v1\"",
            "10:0 property \"**Progress:**\"",
            "11:0 property \"**Next:**\"",
            "12:2 enumMember \"[HIGH]\"",
            "12:17 number \"v1\"",
            "13:2 enumMember \"[LOW]\"",
            "15:0 comment \"[... 🔄 v0 entry ...]\"",
        ]
    "#]]
    .assert_debug_eq(&utf16);
    let utf8 = decoded_texts(text, Encoding::Utf8);
    let strip = |v: &[String]| v.iter().map(|s| s.split_once(' ').unwrap().1.to_string()).collect::<Vec<_>>();
    assert_eq!(strip(&utf8), strip(&utf16), "the same tokens in UTF-8");
    assert_ne!(utf8, utf16, "at other columns");
}

/// A token over a line break (`\r\n` here) becomes one token per line,
/// without the terminator.
#[test]
fn a_token_over_lines_is_split() {
    let text = "🔄 [... a\r\n✅ b ...]\n";
    let doc = Document::new(text);
    let t =
        worklog_ls::ide::semantic::Token { range: 5..text.len() - 1, kind: worklog_ls::ide::semantic::Kind::Elision, declaration: false };
    assert_eq!(
        semantic::decode(&semantic::encode(&doc.text(), std::slice::from_ref(&t), Encoding::Utf16)),
        vec![[0, 3, 6, 5, 0], [1, 0, 8, 5, 0]]
    );
    assert_eq!(semantic::decode(&semantic::encode(&doc.text(), &[t], Encoding::Utf8)), vec![[0, 5, 6, 5, 0], [1, 0, 10, 5, 0]]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), .. ProptestConfig::default() })]

    /// Any two arrays: the delta applied to the old one gives the new one.
    #[test]
    fn delta_of_any_arrays_applies(old in tokens_array(), new in tokens_array()) {
        let got = match semantic::delta(&old, &new) {
            Some(e) => {
                prop_assert!(e.start % 5 == 0 && e.delete % 5 == 0 && e.data.len() % 5 == 0, "{e:?}");
                semantic::apply(&old, &e)
            }
            None => old.clone(),
        };
        prop_assert_eq!(got, new);
    }

    /// A log edited: the delta between the old and new full results,
    /// applied to the old data, equals the new full result.
    #[test]
    fn delta_after_an_edit_equals_the_new_full_result(at in 0.0f64..1.0, len in 0usize..12, ins in insert(), utf8 in any::<bool>()) {
        let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let full = |t: &str| {
            let doc = Document::new(t);
            semantic::encode(&doc.text(), &tokens(&doc, &Config::default(), None), enc)
        };
        let mut text = LOG.to_string();
        let old = full(&text);
        let mut s = ((at * text.len() as f64) as usize).min(text.len());
        while !text.is_char_boundary(s) { s -= 1; }
        let mut e = (s + len).min(text.len());
        while !text.is_char_boundary(e) { e -= 1; }
        text.replace_range(s..e.max(s), &ins);
        let new = full(&text);
        let got = semantic::delta(&old, &new).map_or_else(|| old.clone(), |d| semantic::apply(&old, &d));
        prop_assert_eq!(got, new);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), .. ProptestConfig::default() })]

    /// The one-pass encoder puts every token where the rope's position
    /// conversion does, with its length, in both encodings, for any mix of
    /// `\n`, `\r\n`, lone `\r` and wide characters.
    #[test]
    fn encoding_agrees_with_the_rope(parts in prop::collection::vec(prop::sample::select(vec!["a", "bc ", "\n", "\r\n", "\r", "✅", "🔄", "é"]), 0..40), cuts in prop::collection::vec(0.0f64..1.0, 0..12), utf8 in any::<bool>()) {
        let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let text: String = parts.concat();
        let doc = Document::new(&text);
        let mut at: Vec<usize> = cuts.iter().map(|f| {
            let mut b = ((f * text.len() as f64) as usize).min(text.len());
            while !text.is_char_boundary(b) { b -= 1; }
            b
        }).collect();
        at.sort();
        at.dedup();
        let toks: Vec<Token> = at.chunks_exact(2).map(|w| Token { range: w[0]..w[1], kind: Kind::Path, declaration: false }).collect();
        let got = semantic::decode(&semantic::encode(&text, &toks, enc));
        // Expected: each token cut at line breaks, terminators dropped.
        let mut want = Vec::new();
        for t in &toks {
            let mut s = t.range.start;
            for piece in text[t.range.clone()].split_inclusive(['\n', '\r']) {
                let body = piece.trim_end_matches(['\n', '\r']);
                let p = encoding::position(doc.rope(), s, enc);
                let len = if utf8 { body.len() } else { body.encode_utf16().count() } as u32;
                if len > 0 {
                    want.push([p.line, p.character, len, 4, 0]);
                }
                s += piece.len();
            }
        }
        prop_assert_eq!(got, want, "{:?} {:?}", text, toks);
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn tokens_array() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(prop::array::uniform5(0u32..3), 0..8).prop_map(|v| v.concat())
}

fn insert() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "",
            "x",
            "\n",
            "✅",
            "🔄",
            "[HIGH] ",
            "- [MED] a\n",
            " v3 ",
            "`src/b.rs:3-4` ",
            "**Now:** ",
            "## v3 | 2025-11-15 | C\n",
        ]),
        0..4,
    )
    .prop_map(|v| v.concat())
}
