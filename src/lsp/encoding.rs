//! Position encodings: byte offsets (the analysis) ↔ LSP positions.
//!
//! Negotiated at `initialize`: UTF-8 when the client offers it, otherwise
//! UTF-16 (the LSP default). Lines end at `\n`, `\r\n` or a lone `\r`, as the
//! rope counts them. Out-of-range positions are clamped, never a panic.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// Pick UTF-8 if the client offers it, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// Byte offset → position (the offset is clamped and snapped to a char).
///
/// Two rope lookups (line of the offset, start of that line) and a count of
/// the UTF-16 units between them; lines over 4 KiB fall back to the rope's
/// own counters.
pub fn position(rope: &Rope, offset: usize, enc: Encoding) -> Position {
    let offset = crate::document::char_floor(rope, offset);
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match enc {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 if offset - line_start <= 4096 => {
            rope.byte_slice(line_start..offset).chunks().map(|c| c.chars().map(char::len_utf16).sum::<usize>()).sum()
        }
        Encoding::Utf16 => rope.char_to_utf16_cu(rope.byte_to_char(offset)) - rope.char_to_utf16_cu(rope.byte_to_char(line_start)),
    };
    Position { line: line as u32, character: character as u32 }
}

/// Byte range → range. A short range within one line (most of them: labels,
/// references, headings) takes its end from its start and its own text,
/// without a second walk down the rope.
pub fn range(rope: &Rope, r: &Range<usize>, enc: Encoding) -> tower_lsp_server::ls_types::Range {
    let start = position(rope, r.start, enc);
    let len = rope.len_bytes();
    let (from, to) = (r.start.min(len), r.end.min(len));
    if to >= from && to - from <= 256 {
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(from);
        let chunk_end = chunk_start + chunk.len();
        // `from` must be a char boundary (where `position` put the start),
        // and nothing in between may break the line: any non-ASCII text, or a
        // vertical tab or form feed, takes the general path.
        if from >= chunk_start && to <= chunk_end && chunk.is_char_boundary(from - chunk_start) {
            if let Some(text) = chunk.get(from - chunk_start..to - chunk_start) {
                if text.is_ascii() && !text.bytes().any(|b| matches!(b, b'\n' | b'\r' | 0x0B | 0x0C)) {
                    let end = Position { line: start.line, character: start.character + text.len() as u32 };
                    return tower_lsp_server::ls_types::Range { start, end };
                }
            }
        }
    }
    tower_lsp_server::ls_types::Range { start, end: position(rope, r.end, enc) }
}

/// Position → byte offset. A line past the end gives the end of the text; a
/// column past the end of its line gives the end of the line (before its
/// terminator); a column inside a character gives that character's start.
pub fn offset(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let lc = rope.line_to_char(line);
    let next = if line + 1 < rope.len_lines() { rope.line_to_char(line + 1) } else { rope.len_chars() };
    // The line's end before its terminator.
    let mut end = next;
    while end > lc && matches!(rope.char(end - 1), '\n' | '\r') {
        end -= 1;
    }
    let ci = match enc {
        Encoding::Utf8 => {
            let lb = rope.char_to_byte(lc);
            let target = (lb + pos.character as usize).min(rope.char_to_byte(end));
            rope.byte_to_char(target)
        }
        Encoding::Utf16 => {
            let lu = rope.char_to_utf16_cu(lc);
            let target = (lu + pos.character as usize).min(rope.char_to_utf16_cu(end));
            rope.utf16_cu_to_char(target)
        }
    };
    rope.char_to_byte(ci.min(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_columns() {
        // ✅ is 3 bytes / 1 UTF-16 unit; 🔄 is 4 bytes / 2 units.
        let rope = Rope::from_str("a\n🔄 ✅ x\r\ny");
        let x = "a\n🔄 ✅ ".len();
        assert_eq!(position(&rope, x, Encoding::Utf16), Position { line: 1, character: 5 });
        assert_eq!(position(&rope, x, Encoding::Utf8), Position { line: 1, character: 9 });
        assert_eq!(offset(&rope, Position { line: 1, character: 5 }, Encoding::Utf16), x);
        assert_eq!(offset(&rope, Position { line: 1, character: 9 }, Encoding::Utf8), x);
        // Inside the surrogate pair / the UTF-8 sequence: the char's start.
        assert_eq!(offset(&rope, Position { line: 1, character: 1 }, Encoding::Utf16), 2);
        assert_eq!(offset(&rope, Position { line: 1, character: 2 }, Encoding::Utf8), 2);
        // Clamped.
        assert_eq!(offset(&rope, Position { line: 1, character: 99 }, Encoding::Utf16), "a\n🔄 ✅ x".len());
        assert_eq!(offset(&rope, Position { line: 9, character: 0 }, Encoding::Utf16), rope.len_bytes());
        assert_eq!(position(&rope, 999, Encoding::Utf16), Position { line: 2, character: 1 });
    }

    /// The rope's own char/UTF-16 counters, as a reference.
    fn reference_position(rope: &Rope, offset: usize, enc: Encoding) -> Position {
        let offset = offset.min(rope.len_bytes());
        let ci = rope.byte_to_char(offset);
        let line = rope.char_to_line(ci);
        let lc = rope.line_to_char(line);
        let character = match enc {
            Encoding::Utf8 => rope.char_to_byte(ci) - rope.char_to_byte(lc),
            Encoding::Utf16 => rope.char_to_utf16_cu(ci) - rope.char_to_utf16_cu(lc),
        };
        Position { line: line as u32, character: character as u32 }
    }

    proptest::proptest! {
        #[test]
        fn position_matches_the_rope_counters(
            parts in proptest::collection::vec(proptest::sample::select(vec!["a", "é", "✅", "🔄", "\n", "\r\n", "\r", " "]), 0..200),
            offsets in proptest::collection::vec(0usize..1200, 1..20),
        ) {
            let text: String = parts.concat();
            let rope = Rope::from_str(&text);
            for offset in offsets {
                for enc in [Encoding::Utf8, Encoding::Utf16] {
                    proptest::prop_assert_eq!(position(&rope, offset, enc), reference_position(&rope, offset, enc));
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn ranges_match_two_positions(
            parts in proptest::collection::vec(proptest::sample::select(vec!["a", "é", "✅", "🔄", "\n", "\r\n", "\r", " ", "\u{0B}", "\u{2028}"]), 0..200),
            ends in proptest::collection::vec((0usize..1200, 0usize..300), 1..20),
        ) {
            let text: String = parts.concat();
            let rope = Rope::from_str(&text);
            for (start, len) in ends {
                for enc in [Encoding::Utf8, Encoding::Utf16] {
                    let r = range(&rope, &(start..start + len), enc);
                    proptest::prop_assert_eq!(r.start, reference_position(&rope, start, enc));
                    proptest::prop_assert_eq!(r.end, reference_position(&rope, start + len, enc));
                }
            }
        }
    }

    #[test]
    fn long_lines_use_the_fallback() {
        let text = format!("x\n{}🔄{}", "✅".repeat(3000), "a".repeat(10));
        let rope = Rope::from_str(&text);
        for offset in [text.len(), text.len() - 3, 2 + 3 * 3000 + 2, 5000] {
            for enc in [Encoding::Utf8, Encoding::Utf16] {
                assert_eq!(position(&rope, offset, enc), reference_position(&rope, offset, enc));
            }
        }
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let rope = Rope::from_str("a\rb");
        assert_eq!(position(&rope, 2, Encoding::Utf16), Position { line: 1, character: 0 });
    }
}
