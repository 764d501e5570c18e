//! The frame decoder in front of tower-lsp: any byte stream, cut anywhere,
//! gives the same frames; every message it passes is one tower-lsp decodes;
//! every reply it makes is a JSON-RPC error response; it always makes
//! progress (all input is consumed or waits for more).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tower_lsp_server::jsonrpc::{Request, Response};
use worklog_ls::lsp::framing::{Decoder, Frame};

fn run(chunks: &[&[u8]]) -> Vec<Frame> {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    for c in chunks {
        d.push(c);
        while let Some(f) = d.next_frame() {
            out.push(f);
            assert!(out.len() <= 1 + chunks.iter().map(|c| c.len()).sum::<usize>(), "no progress");
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // The first byte chooses where to cut the stream.
    let (cut, stream) = match data.split_first() {
        Some((c, rest)) => (*c as usize, rest),
        None => return,
    };
    let whole = run(&[stream]);
    let at = if stream.is_empty() { 0 } else { cut % (stream.len() + 1) };
    let split = run(&[&stream[..at], &stream[at..]]);
    for f in &whole {
        match f {
            Frame::Message(m) => {
                let s = std::str::from_utf8(&m.body).expect("passed bodies are UTF-8");
                assert!(
                    serde_json::from_str::<Request>(s).is_ok() || serde_json::from_str::<Response>(s).is_ok(),
                    "tower-lsp would refuse {s}"
                );
            }
            Frame::Reject(r) => {
                let at = r.windows(4).position(|w| w == b"\r\n\r\n").expect("a header") + 4;
                let v: serde_json::Value = serde_json::from_slice(&r[at..]).expect("replies are JSON");
                assert!(v["error"]["code"].is_i64());
            }
        }
    }
    // Messages are the same however the stream is cut (a garbage run may
    // be answered once or twice depending on where it is cut).
    let msgs = |v: &[Frame]| v.iter().filter_map(|f| if let Frame::Message(m) = f { Some(m.body.clone()) } else { None }).collect::<Vec<_>>();
    assert_eq!(msgs(&whole), msgs(&split));
});
