//! Edit sequences: applied incrementally, the document equals a fresh parse
//! of the final text (rope, chunk starts, models, chunk diagnostics).
//! Input: an initial text, then edits of (start u16, length u8, text), the
//! parts separated by 0xFF bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use worklog_ls::document::Document;

fn snap(s: &str, mut b: usize) -> usize {
    b = b.min(s.len());
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    b
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let Some(first) = parts.next() else { return };
    let mut text = String::from_utf8_lossy(first).into_owned();
    let mut doc = Document::new(&text);
    for part in parts.take(32) {
        if part.len() < 3 {
            continue;
        }
        let start = snap(&text, u16::from_le_bytes([part[0], part[1]]) as usize);
        let end = snap(&text, start + part[2] as usize).max(start);
        let insert = String::from_utf8_lossy(&part[3..]).into_owned();
        doc.edit(start..end, &insert);
        text.replace_range(start..end, &insert);
    }
    assert_eq!(doc.text(), text, "rope differs");
    let fresh = Document::new(&text);
    let a: Vec<_> = doc.chunks().iter().map(|c| (c.start, &c.model, &c.local)).collect();
    let b: Vec<_> = fresh.chunks().iter().map(|c| (c.start, &c.model, &c.local)).collect();
    assert_eq!(a, b, "incremental differs from fresh for {text:?}");
});
