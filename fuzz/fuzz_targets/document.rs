//! The document model from arbitrary bytes: parsing never fails, every
//! diagnostic range lies in the text on char boundaries, and the IDE views
//! (outline, folding, links-free hover/completion contexts) do not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use worklog_ls::analysis::{self, facts::NoFacts, Context};
use worklog_ls::config::Config;
use worklog_ls::document::Document;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = Document::new(&text);
    assert_eq!(doc.len(), text.len());
    let config = Config::default();
    let cx = Context { config: &config, path: None, facts: &NoFacts };
    for d in analysis::diagnostics(&doc, &cx) {
        assert!(d.range.start <= d.range.end && d.range.end <= text.len(), "{:?}", d.range);
        assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end));
    }
    let _ = worklog_ls::ide::symbols(&doc);
    let _ = worklog_ls::ide::folding(&doc);
    // Every offset (a few of them) is a valid cursor.
    for at in [0, text.len() / 3, text.len() / 2, text.len()] {
        let _ = worklog_ls::ide::hover(&doc, at, None, &NoFacts);
    }
});
