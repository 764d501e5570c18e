//! Detection of UTF-8 text that was decoded as Windows-1252 (`âœ…` for `✅`).
//!
//! General rule, not a list: map each character back to the Windows-1252 byte
//! it would have come from; a UTF-8 lead byte followed by the continuation
//! bytes it needs is a garbled character. A lead byte for a 3- or 4-byte
//! sequence followed by at least one continuation byte is garbled too, with a
//! byte lost on the way (`â³` for `⏳`: 0x8F has no Windows-1252 character).

use std::ops::Range;

/// A garbled run and, when every sequence in it is complete, the text it
/// should have been.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Garbled {
    pub range: Range<usize>,
    pub fixed: Option<String>,
}

/// The Windows-1252 byte a character decodes from, if any.
fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0x80..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

fn is_cont(b: u8) -> bool {
    (0x80..=0xBF).contains(&b)
}

/// Find garbled runs in `s` (offsets relative to `s`).
pub fn find(s: &str) -> Vec<Garbled> {
    // Every lead byte's character (U+00C2..U+00F4) is encoded as 0xC3 0x..:
    // text without a 0xC3 byte (ASCII, real emoji) has nothing to find.
    if memchr::memchr(0xC3, s.as_bytes()).is_none() {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out: Vec<Garbled> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let Some(lead) = cp1252_byte(c) else {
            i += 1;
            continue;
        };
        let need = match lead {
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        let mut bytes = vec![lead];
        let mut j = i + 1;
        while j < chars.len() && bytes.len() <= need {
            match cp1252_byte(chars[j].1) {
                Some(b) if is_cont(b) => bytes.push(b),
                _ => break,
            }
            j += 1;
        }
        let got = bytes.len() - 1;
        let end = chars.get(j).map_or(s.len(), |&(o, _)| o);
        let (ok, fixed) = if got == need {
            match std::str::from_utf8(&bytes) {
                Ok(t) => (true, Some(t.to_string())),
                Err(_) => (false, None),
            }
        } else {
            // A lost byte: only for lead bytes of 3/4-byte sequences.
            (got >= 1 && need >= 2, None)
        };
        if !ok {
            i += 1;
            continue;
        }
        match out.last_mut() {
            Some(last) if last.range.end == start => {
                last.range.end = end;
                last.fixed = match (last.fixed.take(), fixed) {
                    (Some(a), Some(b)) => Some(a + &b),
                    _ => None,
                };
            }
            _ => out.push(Garbled { range: start..end, fixed }),
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_seed_patterns() {
        let s = "Planning complete âœ… | pending â³ | logic ðŸ”„ â†’ next";
        let g = find(s);
        let got: Vec<_> = g.iter().map(|g| (&s[g.range.clone()], g.fixed.clone())).collect();
        assert_eq!(got, [("âœ…", Some("✅".into())), ("â³", None), ("ðŸ”„", Some("🔄".into())), ("â†’", Some("→".into())),]);
    }

    #[test]
    fn leaves_real_text_alone() {
        assert!(find("café ✅ 🔄 naïve — “quoted” Ünïcödé").is_empty());
    }
}
