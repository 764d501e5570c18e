//! Property: random edit sequences applied incrementally give the same rope,
//! chunks, models, trees and diagnostics as a fresh parse of the final text.

use std::path::Path;

use proptest::prelude::*;
use worklog_ls::analysis::{diagnostics, Context};
use worklog_ls::config::Config;
use worklog_ls::document::Document;

use crate::support::FakeFacts;

const PIECES: &[&str] = &[
    "## v1 | 2025-11-13 14:00 | Start\n",
    "## v2 | 2025-11-14 09:30 | Next\n",
    "## v3 | bad\n",
    "---\nversion: v2\nstatus: in_progress\n---\n",
    "# Title\n",
    "**Prev:** v1\n",
    "**Now:** working ✅\n",
    "**Progress:** 60% | 🔄\n",
    "**Next:**\n",
    "- [HIGH] do `src/a.rs:1-5`\n",
    "- [high] x\n",
    "  - L3-9: nested\n",
    "**Files:**\n",
    "- `src/a.rs` (core)\n",
    "+: src/a.rs:1-82 (desc)\n",
    "```\n",
    "~~~md\n",
    "**",
    "`",
    "\r\n",
    "\r",
    "\n",
    "🔄",
    "✅",
    "âœ…",
    "[... v1 entry ...]\n",
    "<!--\n",
    "-->\n",
    "<details>\n",
    "</details>\n",
    "> ",
    "    ",
    "  ```\n",
    "1. ",
    "\n\n",
    "- ",
    "x",
    " ",
    "#",
    "v",
];

fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..4).prop_map(|v| v.concat())
}

fn initial() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

/// (start fraction, length, inserted text)
fn edits() -> impl Strategy<Value = Vec<(f64, usize, String)>> {
    prop::collection::vec((0.0..=1.0f64, 0usize..30, piece()), 1..25)
}

/// `PROPTEST_CASES` overrides the number of cases (for long soak runs).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn snap(s: &str, mut b: usize) -> usize {
    b = b.min(s.len());
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    b
}

pub fn assert_same_as_fresh(doc: &Document, text: &str) {
    assert_same_as_fresh_with(doc, text, true);
}

/// With `all_trees`, every chunk must have its trees; otherwise the chunks
/// that have trees must have the right ones (production keeps trees on few
/// chunks or none).
pub fn assert_same_as_fresh_with(doc: &Document, text: &str, all_trees: bool) {
    assert_eq!(doc.text(), text, "rope differs");
    let fresh = Document::with_trees(text);
    let a: Vec<_> = doc.chunks().iter().map(|c| (c.start, &c.model, &c.local)).collect();
    let b: Vec<_> = fresh.chunks().iter().map(|c| (c.start, &c.model, &c.local)).collect();
    assert_eq!(a, b, "chunks differ for {text:?}");
    for (x, y) in doc.chunks().iter().zip(fresh.chunks()) {
        let (Some(tx), Some(ty)) = (&x.trees, &y.trees) else {
            assert!(!all_trees, "a chunk lost its trees: {text:?}");
            continue;
        };
        assert_eq!(tx.to_sexp(), ty.to_sexp(), "trees differ for chunk at {} of {text:?}", x.start);
    }
    let facts = FakeFacts::new(&[("src/a.rs", 40)]);
    let config = Config::default();
    let path = Path::new("/ws/log.md");
    let cx = Context { config: &config, path: Some(path), facts: &facts };
    assert_eq!(diagnostics(doc, &cx), diagnostics(&fresh, &cx), "diagnostics differ for {text:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), .. ProptestConfig::default() })]
    #[test]
    fn incremental_equals_fresh(init in initial(), eds in edits()) {
        let mut text = init;
        let mut doc = Document::with_trees(&text);
        for (frac, len, ins) in eds {
            let s = snap(&text, (frac * text.len() as f64) as usize);
            let e = snap(&text, s + len).max(s);
            text.replace_range(s..e, &ins);
            doc.edit(s..e, &ins);
        }
        assert_same_as_fresh(&doc, &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), .. ProptestConfig::default() })]
    /// The production state: no trees, or trees on some chunks (built by
    /// expand-selection between edits), chosen by the bits of `mask`.
    #[test]
    fn incremental_equals_fresh_with_few_or_no_trees(init in initial(), eds in edits(), mask in any::<u64>()) {
        let mut text = init;
        let mut doc = Document::new(&text);
        for (k, (frac, len, ins)) in eds.into_iter().enumerate() {
            for i in 0..doc.chunks().len() {
                if mask.rotate_left(k as u32) >> (i % 64) & 1 == 1 && mask & 1 == 1 {
                    doc.ensure_trees(i);
                }
            }
            let s = snap(&text, (frac * text.len() as f64) as usize);
            let e = snap(&text, s + len).max(s);
            text.replace_range(s..e, &ins);
            doc.edit(s..e, &ins);
        }
        assert_same_as_fresh_with(&doc, &text, false);
    }
}

#[test]
fn typing_an_entry_character_by_character() {
    let target = "---\nversion: v2\nstatus: in_progress\n---\n# T\n## v1 | 2025-01-01 10:00 | A\n**Prev:** x\n```\n## v9 | in code\n```\n## v2 | 2025-01-02 10:00 | B\n**Next:**\n- [HIGH] 🔄 ok\n";
    let mut doc = Document::with_trees("");
    let mut text = String::new();
    for c in target.chars() {
        let at = text.len();
        text.push(c);
        doc.edit(at..at, &c.to_string());
        assert_same_as_fresh(&doc, &text);
    }
    // And delete it again from the front, which re-splits every time.
    while !text.is_empty() {
        let n = text.chars().next().unwrap().len_utf8();
        text.replace_range(0..n, "");
        doc.edit(0..n, "");
        assert_same_as_fresh(&doc, &text);
    }
}

/// Any text, any offsets: analysis and every editor feature return without
/// panicking.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,300}",
        prop::collection::vec(prop_oneof![prop::sample::select(PIECES).prop_map(String::from), ".{0,8}"], 0..30).prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(400), .. ProptestConfig::default() })]
    #[test]
    fn nothing_panics(text in any_text(), offsets in prop::collection::vec(0usize..400, 1..6)) {
        let mut doc = Document::new(&text);
        let facts = FakeFacts::new(&[("src/a.rs", 40)]);
        let config = Config::default();
        let path = Path::new("/ws/log.md");
        let cx = Context { config: &config, path: Some(path), facts: &facts };
        let diags = diagnostics(&doc, &cx);
        for d in &diags {
            prop_assert!(d.range.start <= d.range.end && d.range.end <= doc.len());
            prop_assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end));
        }
        for &o in &offsets {
            let _ = worklog_ls::ide::definition(&doc, o.min(doc.len()), Some(path), &facts);
            let _ = worklog_ls::ide::hover(&doc, o.min(doc.len()), Some(path), &facts);
            let i = doc.chunk_index(o);
            doc.ensure_trees(i);
            let _ = worklog_ls::ide::selection(&doc, o.min(doc.len()));
            doc.edit(o..o + 3, "x\r\n");
        }
        let _ = worklog_ls::ide::symbols(&doc);
        let _ = worklog_ls::ide::folding(&doc);
        let _ = diagnostics(&doc, &cx);
    }
}
