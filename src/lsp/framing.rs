//! The frame decoder in front of tower-lsp-server's reader.
//!
//! tower-lsp-server stops reading for good after one message it cannot
//! decode (its framed reader ends at the first error), so one bad frame
//! ended the session. Every frame from the client therefore passes through
//! [`Decoder`] first, which
//! - splits the byte stream into frames, tolerating odd headers (any order,
//!   any case, `\n` line ends, unknown headers) and resynchronising on the
//!   next `Content-Length:` after garbage, a missing or unreadable length, or
//!   a length that runs past the end of the JSON value into the next frame;
//! - repairs lone UTF-16 surrogate escapes (`"\ud800"`, which clients that
//!   split a surrogate pair do send, and which serde_json rejects) to
//!   `\uFFFD` in place (same length);
//! - checks the frame is UTF-8 and a JSON-RPC message tower-lsp will accept
//!   (the same field types: [`Id`], [`jsonrpc::Error`], `"jsonrpc": "2.0"`)
//!   without building the JSON tree (`params` are skipped, not stored);
//! - answers what it rejects with `-32700` (not JSON) or `-32600` (not a
//!   valid request), with the request's id when one can be read, and passes
//!   every other frame on unchanged.
//!
//! Cost per message (release build, `cargo test --release --lib frame_cost
//! -- --ignored --nocapture`, on the shared 2-core VM): 1.1 µs for a 241-byte
//! keystroke `didChange` (tower-lsp's own parse of it: 2.2 µs), 0.20 ms for
//! a 353 KB `didOpen` (~0.56 ms per MB; tower-lsp's own parse: 0.33 ms): one
//! UTF-8 check and one borrowed parse pass that stores nothing of `params`;
//! large bodies are handed over without a copy. Decided: worth it (~3.5 ms
//! on the 6.3 MB `didOpen`), since the alternative is a session that ends at
//! the first bad byte. See BENCHMARKS.md.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{self, Id};

/// Frames larger than this are refused (and skipped).
pub const MAX_FRAME: usize = 512 << 20;
/// Bodies at least this large are handed over without a copy.
const LARGE: usize = 64 << 10;
/// A header block longer than this is garbage.
const MAX_HEADER: usize = 8 << 10;
const CONTENT_LENGTH: &[u8] = b"Content-Length:";

/// One decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A message tower-lsp will decode: its body (lone surrogates
    /// repaired), and what the transport needs to know of it.
    Message(Message),
    /// A frame that was refused: the JSON-RPC error response to send.
    Reject(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub body: Vec<u8>,
    /// `Some` for requests and notifications.
    pub method: Option<String>,
    /// Whether it carries an id (a request, or a response).
    pub has_id: bool,
    /// `initialize`'s `params.processId`.
    pub process_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    /// A body of `len` bytes starts at `pos`; the body bytes up to
    /// `checked` were searched for the next frame's header.
    Body {
        len: usize,
        checked: usize,
    },
}

/// Splits and checks frames; feed it bytes with [`Decoder::buffer`] or
/// [`Decoder::push`], take frames with [`Decoder::next_frame`].
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Bytes before `pos` are consumed.
    pos: usize,
    state: State,
    /// The previous frame was refused: garbage right after it (its body)
    /// gets no second reply.
    just_refused: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder { buf: Vec::with_capacity(64 << 10), pos: 0, state: State::Header, just_refused: false }
    }

    /// Appends bytes read from the client.
    pub fn push(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// The buffer to read into (append only): consumed bytes are dropped
    /// first and, when a body is pending, room for it is reserved.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        self.compact();
        let want = match self.state {
            // Room for the pending body in one allocation (up to 64 MiB at
            // a time: a length is only a claim until the bytes come).
            State::Body { len, .. } => (self.pos + len).saturating_sub(self.buf.len()).min(64 << 20),
            State::Header => 0,
        }
        .max(64 << 10);
        self.buf.reserve(want);
        &mut self.buf
    }

    fn compact(&mut self) {
        if self.pos > 0 && (self.pos == self.buf.len() || self.pos >= 1 << 16) {
            // `checked` counts from the body's start: unaffected.
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// The next complete frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                State::Header => {
                    let rest = &self.buf[self.pos..];
                    // Blank lines between frames are harmless.
                    let skip = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t')).count();
                    self.pos += skip;
                    let rest = &self.buf[self.pos..];
                    if rest.is_empty() {
                        return None;
                    }
                    match parse_header(rest) {
                        Header::Partial => {
                            if rest.len() > MAX_HEADER {
                                if let Some(f) = self.resync() {
                                    return Some(f);
                                }
                                continue;
                            }
                            return None;
                        }
                        Header::Bad => {
                            if let Some(f) = self.resync() {
                                return Some(f);
                            }
                        }
                        Header::NoLength(header_len) => {
                            // The length is missing, unreadable or too large:
                            // refuse the frame, then find the next one.
                            self.pos += header_len;
                            let reply = self.refuse(error_reply(&Value::Null, -32700, "Parse error: bad or missing Content-Length"));
                            return Some(reply);
                        }
                        Header::Complete { header_len, content_len } => {
                            self.pos += header_len;
                            if content_len >= LARGE {
                                // Drop the consumed bytes now (at most what
                                // one read brought), so that the body ends up
                                // at the buffer's start and is handed over
                                // without a copy.
                                self.buf.drain(..self.pos);
                                self.pos = 0;
                            }
                            self.state = State::Body { len: content_len, checked: 0 };
                        }
                    }
                }
                State::Body { len, checked } => {
                    let available = self.buf.len() - self.pos;
                    if available >= len {
                        let body = if self.pos == 0 && len >= LARGE {
                            let rest = self.buf.split_off(len);
                            std::mem::replace(&mut self.buf, rest)
                        } else {
                            let body = self.buf[self.pos..self.pos + len].to_vec();
                            self.pos += len;
                            body
                        };
                        self.state = State::Header;
                        match check(body) {
                            Checked::Pass(m) => {
                                self.just_refused = false;
                                return Some(Frame::Message(m));
                            }
                            Checked::Empty => continue,
                            Checked::Reject(r) => return Some(self.refuse(r)),
                        }
                    }
                    // Waiting for more: if the next frame's header already
                    // shows up after a complete JSON value, the length was
                    // too large. Refuse this frame and go on with that one.
                    let body = &self.buf[self.pos..];
                    let from = checked.saturating_sub(CONTENT_LENGTH.len());
                    let mut found = None;
                    for at in memchr::memmem::find_iter(&body[from..], CONTENT_LENGTH).map(|i| i + from) {
                        // Only right after an object's `}` (a body that
                        // quotes the header many times is not parsed again
                        // and again).
                        let before = body[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
                        if before == Some(&b'}') && serde_json::from_slice::<IgnoredAny>(&body[..at]).is_ok() {
                            found = Some(at);
                            break;
                        }
                    }
                    match found {
                        Some(at) => {
                            let reply = error_reply(&request_id(&body[..at]), -32700, "Parse error: Content-Length runs past the message");
                            self.pos += at;
                            self.state = State::Header;
                            return Some(self.refuse(reply));
                        }
                        None => {
                            self.state = State::Body { len, checked: available };
                            return None;
                        }
                    }
                }
            }
        }
    }

    /// Skips garbage up to the next `Content-Length:` (or all of it); one
    /// reply per run of garbage.
    fn resync(&mut self) -> Option<Frame> {
        let rest = &self.buf[self.pos..];
        let skip = memchr::memmem::find(&rest[1.min(rest.len())..], CONTENT_LENGTH).map_or(rest.len(), |i| i + 1);
        // Keep a possible partial `Content-Length:` at the end.
        let skip = if skip == rest.len() { rest.len().saturating_sub(CONTENT_LENGTH.len() - 1).max(1.min(rest.len())) } else { skip };
        self.pos += skip;
        if self.just_refused {
            return None;
        }
        Some(self.refuse(error_reply(&Value::Null, -32700, "Parse error: not a frame header")))
    }

    fn refuse(&mut self, reply: Vec<u8>) -> Frame {
        self.just_refused = true;
        Frame::Reject(reply)
    }
}

enum Header {
    Partial,
    /// Not a header block: garbage.
    Bad,
    /// A header block of this length without a usable `Content-Length`.
    NoLength(usize),
    Complete {
        header_len: usize,
        content_len: usize,
    },
}

/// Parses a header block at the start of `b`.
fn parse_header(b: &[u8]) -> Header {
    let mut at = 0;
    let mut length: Option<Option<usize>> = None;
    loop {
        let Some(nl) = memchr::memchr(b'\n', &b[at..]) else {
            // An incomplete line must still look like a header.
            let line = &b[at..];
            if !line.is_empty() && !prefix_of_header_line(line) {
                return Header::Bad;
            }
            return Header::Partial;
        };
        let line = &b[at..at + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += nl + 1;
        if line.is_empty() {
            return match length {
                Some(Some(n)) => Header::Complete { header_len: at, content_len: n },
                _ => Header::NoLength(at),
            };
        }
        let Some(colon) = memchr::memchr(b':', line) else { return Header::Bad };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
            return Header::Bad;
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            let n = std::str::from_utf8(value).ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|&n| n <= MAX_FRAME);
            length = Some(if length.is_some() { None } else { n });
        }
    }
}

/// Whether an unterminated line can still become `Name: value`.
fn prefix_of_header_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match memchr::memchr(b':', line) {
        Some(colon) => colon > 0 && line[..colon].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'),
        None => line.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'),
    }
}

enum Checked {
    Pass(Message),
    Empty,
    Reject(Vec<u8>),
}

/// `Some(value)` whenever the field is present (even `null`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The fields tower-lsp's `Request` and `Response` read, with the same
/// types, and nothing stored for `params` or `result`.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    id: Option<Id>,
    #[serde(default, deserialize_with = "present")]
    result: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "present")]
    error: Option<jsonrpc::Error>,
    #[serde(default, rename = "params")]
    _params: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct InitializeShape {
    #[serde(default)]
    params: Option<InitializeParamsShape>,
}

#[derive(Deserialize)]
struct InitializeParamsShape {
    #[serde(default, rename = "processId")]
    process_id: Option<i64>,
}

/// Checks one body (see the module docs).
fn check(mut body: Vec<u8>) -> Checked {
    if body.is_empty() {
        // tower-lsp skips empty bodies too.
        return Checked::Empty;
    }
    if std::str::from_utf8(&body).is_err() {
        let lossy = String::from_utf8_lossy(&body).into_owned();
        return Checked::Reject(error_reply(&request_id(lossy.as_bytes()), -32700, "Parse error: the message is not UTF-8"));
    }
    repair_surrogates(&mut body);
    // Only an object is a message (serde would also read a struct from an
    // array: batches and positional forms are refused).
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let code = if serde_json::from_slice::<IgnoredAny>(&body).is_ok() { -32600 } else { -32700 };
        return Checked::Reject(error_reply(&Value::Null, code, "Invalid request: not a JSON object"));
    }
    let envelope: Envelope = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) if e.is_data() => return Checked::Reject(error_reply(&request_id(&body), -32600, "Invalid request")),
        Err(_) => return Checked::Reject(error_reply(&request_id(&body), -32700, "Parse error: not JSON")),
    };
    if envelope.jsonrpc.as_deref() != Some("2.0") {
        return Checked::Reject(error_reply(&request_id(&body), -32600, "Invalid request: \"jsonrpc\" must be \"2.0\""));
    }
    let has_id = envelope.id.is_some();
    let method = match envelope.method {
        Some(m) => Some(m.into_owned()),
        None => {
            // A response: needs an id, and a result or an error.
            if !has_id || (envelope.result.is_none() && envelope.error.is_none()) {
                return Checked::Reject(error_reply(&Value::Null, -32600, "Invalid request: no method, and not a response"));
            }
            None
        }
    };
    let process_id = if method.as_deref() == Some("initialize") {
        serde_json::from_slice::<InitializeShape>(&body).ok().and_then(|i| i.params).and_then(|p| p.process_id)
    } else {
        None
    };
    Checked::Pass(Message { body, method, has_id, process_id })
}

/// The id of a request in `body`, if it has a method and a valid id
/// (`null` otherwise, as JSON-RPC asks when the id cannot be known).
fn request_id(body: &[u8]) -> Value {
    #[derive(Deserialize)]
    struct IdOnly {
        #[serde(default)]
        method: Option<IgnoredAny>,
        #[serde(default)]
        id: Option<Id>,
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Value::Null;
    }
    match serde_json::from_slice::<IdOnly>(body) {
        Ok(IdOnly { method: Some(_), id: Some(id) }) => serde_json::to_value(id).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// A framed JSON-RPC error response.
pub fn error_reply(id: &Value, code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string();
    frame(body.as_bytes())
}

/// `Content-Length: n\r\n\r\n` + body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Replaces every `\uXXXX` escape of a lone UTF-16 surrogate (a high one
/// not followed by a low one, or a low one alone) with `\uFFFD`, in place.
/// Backslashes only occur inside strings in JSON, and an escape starts at a
/// backslash preceded by an even number of backslashes.
pub fn repair_surrogates(body: &mut [u8]) {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&body[from..], b"\\u").map(|i| i + from) {
        let run = body[..i].iter().rev().take_while(|&&b| b == b'\\').count();
        if run % 2 == 1 {
            // `\\u…`: an escaped backslash, then the letter u.
            from = i + 2;
            continue;
        }
        let Some(unit) = hex4(&body[i + 2..]) else {
            from = i + 2;
            continue;
        };
        match unit {
            0xD800..=0xDBFF => {
                let paired = body.get(i + 6..i + 8) == Some(b"\\u") && hex4(&body[i + 8..]).is_some_and(|u| (0xDC00..=0xDFFF).contains(&u));
                if paired {
                    from = i + 12;
                } else {
                    body[i + 2..i + 6].copy_from_slice(b"FFFD");
                    from = i + 6;
                }
            }
            0xDC00..=0xDFFF => {
                body[i + 2..i + 6].copy_from_slice(b"FFFD");
                from = i + 6;
            }
            _ => from = i + 6,
        }
    }
}

fn hex4(b: &[u8]) -> Option<u16> {
    let h = b.get(..4)?;
    u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut d = Decoder::new();
        // Byte by byte, and all at once, must agree.
        let mut one = Vec::new();
        for b in input {
            d.push(std::slice::from_ref(b));
            while let Some(f) = d.next_frame() {
                one.push(f);
            }
        }
        let mut d = Decoder::new();
        d.push(input);
        let mut all = Vec::new();
        while let Some(f) = d.next_frame() {
            all.push(f);
        }
        assert_eq!(one, all, "chunking changed the result");
        all
    }

    fn msg(body: &str) -> Vec<u8> {
        frame(body.as_bytes())
    }

    fn reply_of(f: &Frame) -> Value {
        match f {
            Frame::Reject(r) => {
                let at = memchr::memmem::find(r, b"\r\n\r\n").unwrap() + 4;
                serde_json::from_slice(&r[at..]).unwrap()
            }
            Frame::Message(m) => panic!("expected a reject, got {:?}", String::from_utf8_lossy(&m.body)),
        }
    }

    fn passes(f: &Frame) -> &Message {
        match f {
            Frame::Message(m) => {
                // What passes, tower-lsp decodes.
                let s = std::str::from_utf8(&m.body).unwrap();
                assert!(
                    serde_json::from_str::<jsonrpc::Request>(s).is_ok() || serde_json::from_str::<jsonrpc::Response>(s).is_ok(),
                    "tower-lsp would refuse {s}"
                );
                m
            }
            Frame::Reject(r) => panic!("expected a message, got {}", String::from_utf8_lossy(r)),
        }
    }

    const NEXT: &str = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;

    #[test]
    fn good_frames_pass_unchanged() {
        let a = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":42,"capabilities":{}}}"#;
        let b = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let c = r#"{"jsonrpc":"2.0","id":"s1","result":null}"#;
        let mut input = msg(a);
        input.extend(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 52\r\n\r\n");
        input.extend(b.as_bytes());
        input.extend(msg(c));
        let f = frames(&input);
        assert_eq!(f.len(), 3);
        assert_eq!(passes(&f[0]).body, a.as_bytes());
        assert_eq!(passes(&f[0]).process_id, Some(42));
        assert_eq!(passes(&f[1]).method.as_deref(), Some("initialized"));
        assert_eq!(passes(&f[2]).method, None);
    }

    #[test]
    fn lone_surrogates_are_repaired_pairs_kept() {
        let body =
            r#"{"jsonrpc":"2.0","method":"x","params":{"a":"\ud800","b":"\ud83d\ude00","c":"\\ud800","d":"\udc00z","e":"\\\ud800"}}"#;
        let f = frames(&msg(body));
        let m = passes(&f[0]);
        let v: Value = serde_json::from_slice(&m.body).unwrap();
        assert_eq!(v["params"]["a"], "\u{FFFD}");
        assert_eq!(v["params"]["b"], "😀");
        assert_eq!(v["params"]["c"], "\\ud800");
        assert_eq!(v["params"]["d"], "\u{FFFD}z");
        assert_eq!(v["params"]["e"], "\\\u{FFFD}");
    }

    #[test]
    fn each_bad_frame_is_answered_and_the_next_is_served() {
        let cases: Vec<(Vec<u8>, i64, Value)> = vec![
            (msg(r#"{"jsonrpc":"2.0","id":3,"method":"x","params":{"t":"#), -32700, Value::Null),
            (frame(b"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"x\",\"params\":\"\xff\"}"), -32700, serde_json::json!(4)),
            (msg(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#), -32600, Value::Null),
            (msg(r#"{"jsonrpc":"1.0","id":5,"method":"x"}"#), -32600, serde_json::json!(5)),
            (msg(r#"[1,2]"#), -32600, Value::Null),
            (msg(r#"{"jsonrpc":"2.0","id":6}"#), -32600, Value::Null),
            (msg(r#"{"jsonrpc":"2.0","method":3}"#), -32600, Value::Null),
            (b"Content-Length: abc\r\n\r\n{}".to_vec(), -32700, Value::Null),
            (b"Content-Type: x\r\n\r\n{}".to_vec(), -32700, Value::Null),
            (b"garbage line\r\n\r\n".to_vec(), -32700, Value::Null),
            // Too long: runs into the next frame.
            (b"Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"x\"}".to_vec(), -32700, serde_json::json!(8)),
            // Too short: the rest of the body is garbage before the next frame.
            (b"Content-Length: 10\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"x\"}".to_vec(), -32700, Value::Null),
            (b"Content-Length: 99999999999999999999\r\n\r\n{}".to_vec(), -32700, Value::Null),
        ];
        for (bad, code, id) in cases {
            let mut input = bad.clone();
            input.extend(msg(NEXT));
            let f = frames(&input);
            assert_eq!(f.len(), 2, "{:?}: {f:?}", String::from_utf8_lossy(&bad));
            let r = reply_of(&f[0]);
            assert_eq!(r["error"]["code"], code, "{:?}", String::from_utf8_lossy(&bad));
            assert_eq!(r["id"], id, "{:?}", String::from_utf8_lossy(&bad));
            assert_eq!(passes(&f[1]).body, NEXT.as_bytes());
        }
    }

    #[test]
    fn large_bodies_pass_whole_in_any_chunking() {
        let text = "x\\n".repeat(60_000);
        let big = format!(r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"text":"{text}"}}}}"#);
        let mut input = msg(NEXT);
        input.extend(msg(&big));
        input.extend(msg(NEXT));
        input.extend(msg(&big));
        for chunk in [1 << 10, 7_777, 65_536, 1 << 20] {
            let mut d = Decoder::new();
            let mut got = Vec::new();
            for c in input.chunks(chunk) {
                d.buffer().extend_from_slice(c);
                while let Some(f) = d.next_frame() {
                    got.push(passes(&f).body.clone());
                }
            }
            assert_eq!(
                got,
                vec![NEXT.as_bytes().to_vec(), big.as_bytes().to_vec(), NEXT.as_bytes().to_vec(), big.as_bytes().to_vec()],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn waits_for_partial_frames() {
        let mut d = Decoder::new();
        let m = msg(NEXT);
        d.push(&m[..10]);
        assert_eq!(d.next_frame(), None);
        d.push(&m[10..30]);
        assert_eq!(d.next_frame(), None);
        d.push(&m[30..]);
        assert!(matches!(d.next_frame(), Some(Frame::Message(_))));
        assert_eq!(d.next_frame(), None);
    }

    /// Per-message cost; run with
    /// `cargo test --release --lib frame_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    #[allow(clippy::print_stdout)] // a measurement printed for a person
    fn frame_cost() {
        let keystroke = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/docs/worklog.md","version":412},"contentChanges":[{"range":{"start":{"line":1041,"character":17},"end":{"line":1041,"character":17}},"text":"a"}]}}"#;
        let text: String = (0..std::env::var("FRAME_COST_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(5000))
            .map(|i| format!("## v{i} | 2025-01-01 | entry\\n\\n**Now:** work on `src/x{i}.rs:1-20`\\n"))
            .collect();
        let open = format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"file:///w/worklog.md","languageId":"markdown","version":1,"text":"{text}"}}}}}}"#
        );
        for (name, body, n) in [("keystroke", keystroke.to_string(), 200_000), ("didOpen", open, 20)] {
            let framed = msg(&body);
            let mut d = Decoder::new();
            let t = std::time::Instant::now();
            for _ in 0..n {
                d.push(&framed);
                assert!(matches!(d.next_frame(), Some(Frame::Message(_))));
            }
            let per = t.elapsed() / n;
            let tower = std::time::Instant::now();
            for _ in 0..n {
                let _: jsonrpc::Request = serde_json::from_str(&body).unwrap();
            }
            eprintln!("{name}: {} bytes, decoder {per:?} per message, tower-lsp's own parse {:?}", body.len(), tower.elapsed() / n);
        }
    }
}
