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

use ropey::Rope;
use tower_lsp_server::ls_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit, SemanticTokensLegend, Uri};

use super::encoding::{self, Encoding};
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

/// The tokens (sorted, non-overlapping) as LSP's relative `u32` array:
/// per token `deltaLine, deltaStart, length, type, modifiers`, in `enc`
/// units. A token that spans a line break is split into one per line (line
/// terminators are not part of any token).
pub fn encode(rope: &Rope, tokens: &[Token], enc: Encoding) -> Vec<u32> {
    let mut out = Vec::with_capacity(tokens.len() * 5);
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let len = rope.len_bytes();
    for t in tokens {
        let (ty, mods) = (type_index(t.kind), u32::from(t.declaration));
        let (mut start, end) = (t.range.start.min(len), t.range.end.min(len));
        while start < end {
            let line = rope.byte_to_line(start);
            let next = if line + 1 < rope.len_lines() { rope.line_to_byte(line + 1) } else { len };
            let piece_end = end.min(next);
            // Line terminators are one unit in both encodings.
            let mut text_end = piece_end;
            while text_end > start && matches!(rope.byte(text_end - 1), b'\n' | b'\r') {
                text_end -= 1;
            }
            let units = match enc {
                Encoding::Utf8 => text_end - start,
                Encoding::Utf16 => rope.byte_slice(start..text_end).chunks().map(|c| c.encode_utf16().count()).sum(),
            } as u32;
            if units > 0 {
                let pos = encoding::position(rope, start, enc);
                let delta_line = pos.line - prev_line;
                let delta_col = if delta_line == 0 { pos.character - prev_col } else { pos.character };
                out.extend_from_slice(&[delta_line, delta_col, units, ty, mods]);
                (prev_line, prev_col) = (pos.line, pos.character);
            }
            start = piece_end;
        }
    }
    out
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
