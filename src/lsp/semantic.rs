//! Semantic tokens at the edge: the legend (standard token types and
//! modifiers only, so themes colour them without configuration), the
//! relative encoding of `ide::semantic` tokens in the negotiated position
//! encoding, and the delta between two results of one document.
//!
//! The last result of each open document is kept ([`Results`]) under a
//! result id, so that `semanticTokens/full/delta` can answer with the edit
//! between the array the client has and the new one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit, SemanticTokensLegend, Uri};

use super::encoding::Encoding;
use crate::ide::semantic::{Kind, Token};

/// The token types, in legend order (the index is what the data carries).
const TYPES: [SemanticTokenType; 6] = [
    SemanticTokenType::PROPERTY,
    SemanticTokenType::KEYWORD,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
];
/// The token modifiers, in legend order (bit `i` is modifier `i`).
const MODIFIERS: [SemanticTokenModifier; 1] = [SemanticTokenModifier::DECLARATION];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: MODIFIERS.to_vec() }
}

/// The legend index of a kind's standard type.
pub fn type_index(kind: Kind) -> u32 {
    match kind {
        Kind::Key | Kind::Label => 0,
        Kind::High => 1,
        Kind::Priority | Kind::Status => 2,
        Kind::Version | Kind::Lines => 3,
        Kind::Path => 4,
        Kind::Elision => 5,
    }
}

/// The tokens (sorted, non-overlapping) of `text` as LSP's relative `u32`
/// array: per token `deltaLine, deltaStart, length, type, modifiers`, in
/// `enc` units. A token that spans a line break is split into one per line
/// (line terminators are part of no token). Lines end at `\n`, `\r\n` or a
/// lone `\r`, as the rope counts them.
///
/// One pass over the text, whatever the number of tokens: a cursor walks
/// from token to token counting lines and columns (a rope lookup per token
/// cost ~40 µs per thousand tokens more than the budget allows).
pub fn encode(text: &str, tokens: &[Token], enc: Encoding) -> Vec<u32> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(tokens.len() * 5);
    let mut cur = Cursor::default();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in tokens {
        let (ty, mods) = (type_index(t.kind), u32::from(t.declaration));
        let (mut start, end) = (t.range.start.min(b.len()), t.range.end.min(b.len()));
        if start < cur.at {
            continue; // overlapping or unsorted: never produced by `ide::semantic`
        }
        while start < end {
            cur.advance(b, start, enc);
            let piece_end = memchr::memchr2(b'\n', b'\r', &b[start..end]).map_or(end, |i| start + i);
            let units = units(&b[start..piece_end], enc);
            if units > 0 {
                let delta_line = cur.line - prev_line;
                let delta_col = if delta_line == 0 { cur.col - prev_col } else { cur.col };
                out.extend_from_slice(&[delta_line, delta_col, units, ty, mods]);
                (prev_line, prev_col) = (cur.line, cur.col);
            }
            // Past the line break, if the token goes on.
            start = match b.get(piece_end) {
                Some(b'\r') if b.get(piece_end + 1) == Some(&b'\n') => piece_end + 2,
                Some(b'\n' | b'\r') => piece_end + 1,
                _ => piece_end,
            }
            .min(end.max(piece_end));
            if piece_end == end {
                break;
            }
        }
    }
    out
}

/// A place in the text: byte offset, line, and column in the encoding.
#[derive(Default)]
struct Cursor {
    at: usize,
    line: u32,
    col: u32,
}

impl Cursor {
    /// Moves forward to `target` (a char boundary), counting line breaks
    /// (`memchr` finds them; only the last line's part is counted in units).
    fn advance(&mut self, b: &[u8], target: usize, enc: Encoding) {
        if target <= self.at {
            return;
        }
        let mut line_start = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', &b[self.at..target]) {
            let at = self.at + i;
            // `\r\n` is one break, counted at its `\n`.
            if b[at] == b'\n' || b.get(at + 1) != Some(&b'\n') {
                self.line += 1;
                line_start = Some(at + 1);
            }
        }
        match line_start {
            Some(s) => self.col = units(&b[s..target], enc),
            None => self.col += units(&b[self.at..target], enc),
        }
        self.at = target;
    }
}

/// The units a byte adds to a column: UTF-8 counts bytes; UTF-16 counts one
/// per char and two for a char of four bytes (a surrogate pair).
fn unit(c: u8, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => 1,
        Encoding::Utf16 => match c {
            0x80..=0xBF => 0,
            0xF0..=0xFF => 2,
            _ => 1,
        },
    }
}

fn units(b: &[u8], enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf16 if !b.is_ascii() => b.iter().map(|&c| unit(c, enc)).sum(),
        _ => b.len() as u32,
    }
}

/// One decoded token: absolute line and start, length, type, modifiers.
pub type Decoded = [u32; 5];

/// The relative array back to absolute tokens (for tests and logs).
pub fn decode(data: &[u32]) -> Vec<Decoded> {
    let (mut line, mut col) = (0u32, 0u32);
    data.chunks_exact(5)
        .map(|t| {
            if t[0] > 0 {
                line += t[0];
                col = t[1];
            } else {
                col += t[1];
            }
            [line, col, t[2], t[3], t[4]]
        })
        .collect()
}

/// An edit of a token array: replace `delete` integers at `start` with
/// `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: u32,
    pub delete: u32,
    pub data: Vec<u32>,
}

/// The edit that turns `old` into `new` (their common prefix and suffix
/// kept, the middle replaced), at token boundaries; none when they are
/// equal.
pub fn delta(old: &[u32], new: &[u32]) -> Option<Edit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count() / 5 * 5;
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix = old_rest.iter().rev().zip(new_rest.iter().rev()).take_while(|(a, b)| a == b).count() / 5 * 5;
    let delete = old_rest.len() - suffix;
    let insert = &new_rest[..new_rest.len() - suffix];
    if delete == 0 && insert.is_empty() {
        return None;
    }
    Some(Edit { start: prefix as u32, delete: delete as u32, data: insert.to_vec() })
}

/// Applies an edit to a token array, as a client does.
pub fn apply(old: &[u32], edit: &Edit) -> Vec<u32> {
    let mut out = old.to_vec();
    let start = (edit.start as usize).min(out.len());
    let end = (start + edit.delete as usize).min(out.len());
    out.splice(start..end, edit.data.iter().copied());
    out
}

/// The protocol's token list (it serialises to the flat `u32` array).
pub fn to_proto(data: &[u32]) -> Vec<SemanticToken> {
    data.chunks_exact(5)
        .map(|t| SemanticToken { delta_line: t[0], delta_start: t[1], length: t[2], token_type: t[3], token_modifiers_bitset: t[4] })
        .collect()
}

/// An edit as the protocol's.
pub fn edit_to_proto(e: &Edit) -> SemanticTokensEdit {
    SemanticTokensEdit { start: e.start, delete_count: e.delete, data: (!e.data.is_empty()).then(|| to_proto(&e.data)) }
}

/// A result id and the data sent under it.
type Sent = (String, Arc<Vec<u32>>);

/// The last result sent for each document, by result id.
#[derive(Default)]
pub struct Results {
    next: AtomicU64,
    last: Mutex<HashMap<Uri, Sent>>,
}

impl Results {
    /// Remembers `data` as the document's latest result; its new id. Only
    /// documents in `open` are kept (a closed one's result is dropped).
    pub fn store(&self, uri: &Uri, data: Arc<Vec<u32>>, open: impl Fn(&Uri) -> bool) -> String {
        let id = self.next.fetch_add(1, Ordering::Relaxed).to_string();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.retain(|u, _| u != uri && open(u));
        last.insert(uri.clone(), (id.clone(), data));
        id
    }

    /// The document's last result if its id is `id`.
    pub fn get(&self, uri: &Uri, id: &str) -> Option<Arc<Vec<u32>>> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.get(uri).filter(|(i, _)| i == id).map(|(_, d)| d.clone())
    }
}

/// `{"resultId":…,"data":[…]}`: the `SemanticTokens` of `data` as JSON
/// text, written directly (one pass, no `serde_json::Value`).
pub fn tokens_json(result_id: &str, data: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + data.len() * 4);
    out.extend_from_slice(b"{\"resultId\":");
    out.extend_from_slice(&serde_json::to_vec(result_id).unwrap_or_else(|_| b"\"\"".to_vec()));
    out.extend_from_slice(b",\"data\":[");
    let mut buf = itoa::Buffer::new();
    for (i, n) in data.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(buf.format(*n).as_bytes());
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
#[path = "../../benches/support/gen.rs"]
mod gen;

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn tokens_json_is_the_serialised_result() {
        for data in [vec![], vec![0, 0, 3, 1, 0], vec![2, 5, 10, 4, 1, 0, 11, 6, 0, 2, u32::MAX, 0, 1, 2, 3]] {
            let written: serde_json::Value = serde_json::from_slice(&tokens_json("7\"q", &data)).unwrap();
            let expected =
                serde_json::to_value(tower_lsp_server::ls_types::SemanticTokens { result_id: Some("7\"q".into()), data: to_proto(&data) })
                    .unwrap();
            assert_eq!(written, expected);
        }
    }
    use crate::config::Config;
    use crate::document::Document;

    /// Where the time of a full result goes, for the 1,000-entry log; run
    /// with `cargo test --release --lib semantic_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    #[allow(clippy::print_stdout)] // a measurement printed for a person
    fn semantic_cost() {
        let doc = Document::new(&super::gen::work_log(1_000));
        let config = Config::default();
        let median = |mut v: Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let (mut text_t, mut tokens_t, mut encode_t, mut value_t, mut json_t) = (vec![], vec![], vec![], vec![], vec![]);
        let mut size = 0;
        for _ in 0..60 {
            let t = Instant::now();
            let text = doc.text();
            text_t.push(t.elapsed());
            let t = Instant::now();
            let tokens = crate::ide::semantic::tokens_in(&doc, &text, &config, None);
            tokens_t.push(t.elapsed());
            let t = Instant::now();
            let data = encode(&text, &tokens, Encoding::Utf16);
            encode_t.push(t.elapsed());
            let t = Instant::now();
            let result = tower_lsp_server::ls_types::SemanticTokens { result_id: Some("1".into()), data: to_proto(&data) };
            let value = serde_json::to_value(result).unwrap();
            value_t.push(t.elapsed());
            let t = Instant::now();
            size = serde_json::to_vec(&value).unwrap().len();
            json_t.push(t.elapsed());
        }
        println!(
            "semantic tokens, 1,000 entries (median of 60): text copy {:?}, tokens {:?}, encode {:?}, to Value {:?}, to JSON {:?} ({size} bytes)",
            median(text_t),
            median(tokens_t),
            median(encode_t),
            median(value_t),
            median(json_t)
        );
    }
}
