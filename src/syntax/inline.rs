//! Inline scanning of one line: code spans and inline links.
//!
//! Code spans follow CommonMark's rule (a run of N backticks closes at the
//! next run of exactly N), restricted to one line: Work Log references never
//! wrap. Offsets are relative to the scanned string.

use std::ops::Range;

/// A code span: `outer` includes the backticks, `inner` is the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSpan {
    pub outer: Range<usize>,
    pub inner: Range<usize>,
}

/// An inline link `[text](dest)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub outer: Range<usize>,
    pub text: Range<usize>,
    pub dest: Range<usize>,
}

/// Code spans in `s`, in order.
pub fn code_spans(s: &str) -> Vec<CodeSpan> {
    let mut out = Vec::new();
    code_spans_into(s, &mut out);
    out
}

/// [`code_spans`] appended to `out` (a buffer reused from line to line).
pub fn code_spans_into(s: &str, out: &mut Vec<CodeSpan>) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                let open = i;
                let n = run_len(b, i, b'`');
                i += n;
                // Look for a closing run of exactly n.
                let mut j = i;
                let mut closed = None;
                while j < b.len() {
                    if b[j] == b'`' {
                        let m = run_len(b, j, b'`');
                        if m == n {
                            closed = Some(j);
                            break;
                        }
                        j += m;
                    } else {
                        j += 1;
                    }
                }
                if let Some(close) = closed {
                    out.push(CodeSpan { outer: open..close + n, inner: open + n..close });
                    i = close + n;
                }
            }
            _ => i += 1,
        }
    }
}

fn run_len(b: &[u8], i: usize, c: u8) -> usize {
    b[i..].iter().take_while(|&&x| x == c).count()
}

/// Inline links in `s` outside the given code spans.
pub fn links(s: &str, spans: &[CodeSpan]) -> Vec<Link> {
    let mut out = Vec::new();
    links_into(s, spans, &mut out);
    out
}

/// [`links`] appended to `out` (a buffer reused from line to line).
pub fn links_into(s: &str, spans: &[CodeSpan], out: &mut Vec<Link>) {
    let b = s.as_bytes();
    let in_code = |i: usize| spans.iter().any(|c| c.outer.contains(&i));
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] != b'[' || in_code(i) {
            i += 1;
            continue;
        }
        // Find the matching `]` (brackets may nest).
        let mut depth = 0usize;
        let mut j = i;
        let mut close = None;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 1,
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let Some(close) = close else {
            i += 1;
            continue;
        };
        if b.get(close + 1) != Some(&b'(') {
            i += 1;
            continue;
        }
        // Destination: up to the matching `)`, optionally `<...>`, optional title.
        let ds = close + 2;
        let mut k = ds;
        let mut par = 0usize;
        let mut end = None;
        while k < b.len() {
            match b[k] {
                b'\\' => k += 1,
                b'(' => par += 1,
                b')' if par == 0 => {
                    end = Some(k);
                    break;
                }
                b')' => par -= 1,
                _ => {}
            }
            k += 1;
        }
        let Some(end) = end else {
            i += 1;
            continue;
        };
        let inner = &s[ds..end];
        let lead = inner.len() - inner.trim_start().len();
        let mut dest = ds + lead..ds + lead + inner.trim().len();
        let d = &s[dest.clone()];
        if d.starts_with('<') {
            if let Some(gt) = d.find('>') {
                dest = dest.start + 1..dest.start + gt;
            }
        } else if let Some(sp) = d.find([' ', '\t']) {
            dest = dest.start..dest.start + sp; // drop a title
        }
        out.push(Link { outer: i..end + 1, text: i + 1..close, dest });
        i = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        let s = "a `x` and ``y`z`` and `open";
        let got: Vec<_> = code_spans(s).iter().map(|c| &s[c.inner.clone()]).collect();
        assert_eq!(got, ["x", "y`z"]);
    }

    #[test]
    fn link_dest() {
        let s = "see [svc](src/a.ts#L1-L2 \"t\") and `[no](x)`";
        let sp = code_spans(s);
        let l = links(s, &sp);
        assert_eq!(l.len(), 1);
        assert_eq!(&s[l[0].dest.clone()], "src/a.ts#L1-L2");
        assert_eq!(&s[l[0].text.clone()], "svc");
    }
}
