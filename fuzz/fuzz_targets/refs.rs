//! The reference parser: the path/range helpers never panic on any token,
//! and resolution of any written path (lexical, no disk outside a missing
//! root) never panics and never resolves an absolute path or a `..` climb.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use worklog_ls::analysis::facts::Resolution;
use worklog_ls::model::refs;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let (end, span) = refs::split_range(&s);
    assert!(end <= s.len() && s.is_char_boundary(end));
    if let Some((_, r)) = span {
        assert!(r.start <= r.end && r.end <= s.len());
    }
    let _ = refs::parse_span(&s, false);
    let _ = refs::parse_span(&s, true);
    let _ = refs::path_chars_ok(&s);
    let _ = refs::has_known_extension(&s);
    let _ = refs::is_url(&s);
    let _ = refs::says_planned(&s);
    let _ = refs::may_leave_root(&s);
    // A root that does not exist: resolution stays lexical.
    let root = Path::new("/nonexistent-worklog-fuzz-root");
    let r = worklog_ls::workspace::resolve_in(root, &root.join("docs/log.md"), &s, None);
    if s.starts_with('/') || s.starts_with('~') {
        assert_eq!(r, Resolution::Outside, "{s:?}");
    }
    if let Resolution::Found(files) = r {
        panic!("found {files:?} under a missing root for {s:?}");
    }
    // As a whole log line, too.
    let doc = worklog_ls::document::Document::new(&format!("**Files:**\n- `{s}`\n+: {s}\n"));
    let _ = doc.chunks().len();
});
